ALTER TABLE "api_tokens" ADD COLUMN "via" text;--> statement-breakpoint
-- Tokens made before this column by a CLI sign-in or the admin CLI are known by their audited creation.
UPDATE "api_tokens" t SET "via" = e."metadata"->>'via' FROM "audit_events" e WHERE e."tenant_id" = t."tenant_id" AND e."entity_type" = 'api_token' AND e."entity_id" = t."id"::text AND e."action" = 'created' AND e."metadata"->>'via' IN ('cli-sign-in', 'admin-cli');

ALTER TABLE "oauth_store" ADD COLUMN "registration" text;--> statement-breakpoint
-- Clients stored before this column: oidc-provider gives every dynamic registration a client_id_issued_at; a
-- client row without one was put there by an operator.
UPDATE "oauth_store" SET "registration" = CASE WHEN "payload" ? 'client_id_issued_at' THEN 'dynamic' ELSE 'preregistered' END WHERE "model" = 'Client';

ALTER TABLE "hris_integrations" ADD COLUMN "last_sync_trigger" text;--> statement-breakpoint
ALTER TABLE "hris_integrations" ADD COLUMN "sync_schedule" text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE "hris_integrations" ADD COLUMN "sync_hour" smallint;--> statement-breakpoint
ALTER TABLE "hris_integrations" ADD COLUMN "next_sync_at" timestamp with time zone;
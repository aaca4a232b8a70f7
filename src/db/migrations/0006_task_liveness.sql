ALTER TABLE "tasks" ADD COLUMN "worker_id" uuid;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "heartbeat_at" timestamp with time zone;
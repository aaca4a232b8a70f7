CREATE TABLE "hris_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"employee_id" text NOT NULL,
	"action" text NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"batch_id" uuid,
	"run_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"batched_at" timestamp with time zone,
	CONSTRAINT "hris_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "hris_integrations" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'connected' NOT NULL,
	"config_encrypted" text,
	"apply_to_live" boolean DEFAULT true NOT NULL,
	"apply_scenario_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"apply_future_scenarios" boolean DEFAULT false NOT NULL,
	"future_scenarios_since" timestamp with time zone,
	"last_sync_at" timestamp with time zone,
	"last_sync_status" text,
	"last_sync_error" text,
	"last_sync_run_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"last_webhook_at" timestamp with time zone,
	"updated_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_rows" (
	"tenant_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"row_number" integer NOT NULL,
	"line" integer,
	"values" jsonb NOT NULL,
	"original" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"reason_code" text,
	"reason_field" text,
	"reason_detail" text,
	"resolution" text,
	"actor_id" uuid,
	"step" integer,
	"resolved_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "import_rows_tenant_id_run_id_row_number_pk" PRIMARY KEY("tenant_id","run_id","row_number")
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"source" text DEFAULT 'upload' NOT NULL,
	"format" text DEFAULT 'orgonaut' NOT NULL,
	"file_name" text,
	"file_bytes" bigint DEFAULT 0 NOT NULL,
	"file_sha256" text,
	"delimiter" text DEFAULT ',' NOT NULL,
	"headers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mapping" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"target_kind" text DEFAULT 'live' NOT NULL,
	"target_scenario_id" uuid,
	"row_count" integer DEFAULT 0 NOT NULL,
	"uploaded_at" timestamp with time zone,
	"step" integer DEFAULT 0 NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"summary" jsonb,
	"error" text,
	"error_code" text,
	"task_id" uuid,
	"snapshot_id" uuid,
	"live_version_before" bigint,
	"live_version_after" bigint,
	"worker_id" text,
	"heartbeat_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "import_runs_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "instance_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hris_events" ADD CONSTRAINT "hris_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hris_integrations" ADD CONSTRAINT "hris_integrations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_rows" ADD CONSTRAINT "import_rows_run_fk" FOREIGN KEY ("tenant_id","run_id") REFERENCES "public"."import_runs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hris_events_queue" ON "hris_events" USING btree ("tenant_id","status","received_at");--> statement-breakpoint
CREATE INDEX "import_rows_resolution" ON "import_rows" USING btree ("tenant_id","run_id","resolution");--> statement-breakpoint
CREATE INDEX "import_runs_created" ON "import_runs" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "import_runs_processing" ON "import_runs" USING btree ("status") WHERE status = 'processing';
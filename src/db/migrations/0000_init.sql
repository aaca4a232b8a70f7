CREATE TABLE "abilities" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"abilities" text[] NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"category" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text,
	"action" text NOT NULL,
	"user_id" uuid,
	"principal_kind" text,
	"client_id" text,
	"client_name" text,
	"scenario_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"request_id" text,
	CONSTRAINT "audit_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "currencies" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"minor_units" integer DEFAULT 2 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "department_types" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "department_types_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "role_bundles" (
	"tenant_id" uuid NOT NULL,
	"role" text NOT NULL,
	"abilities" text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "role_bundles_tenant_id_role_pk" PRIMARY KEY("tenant_id","role")
);
--> statement-breakpoint
CREATE TABLE "team_types" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "team_types_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenant_currencies" (
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"rate_to_reporting" numeric(18, 8),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_currencies_tenant_id_code_pk" PRIMARY KEY("tenant_id","code")
);
--> statement-breakpoint
CREATE TABLE "tenant_domains" (
	"tenant_id" uuid NOT NULL,
	"host" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_domains_tenant_id_host_pk" PRIMARY KEY("tenant_id","host")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"plan" text NOT NULL,
	"reporting_currency" text NOT NULL,
	"burden_pct" numeric(6, 2) DEFAULT 25 NOT NULL,
	"working_days_per_year" integer DEFAULT 220 NOT NULL,
	"actor_allowance" integer,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"live_version" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "actors" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"kind" text NOT NULL,
	"display_name" text NOT NULL,
	"email" text,
	"external_uid" text NOT NULL,
	"source_hris" text,
	"source_hris_id" text,
	"fte" numeric(4, 2),
	"title" text,
	"level" text,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "actors_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "compensations" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"actor_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "compensations_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "departments" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"org_unit_id" uuid NOT NULL,
	"department_type_id" uuid,
	"cost_center" text,
	"lead_actor_id" uuid,
	"description" text,
	CONSTRAINT "departments_pkey" PRIMARY KEY("tenant_id","org_unit_id","version_from")
);
--> statement-breakpoint
CREATE TABLE "lineage_entries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"type" text NOT NULL,
	"from_snapshot_id" uuid,
	"to_scenario_id" uuid,
	"live_version" bigint NOT NULL,
	"user_id" uuid,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deltas" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "lineage_entries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "org_units" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"parent_id" uuid,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"code" text,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "org_units_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "placements" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"actor_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"position_id" uuid,
	"is_primary" boolean NOT NULL,
	"allocation_pct" numeric(5, 2) NOT NULL,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "placements_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"title" text NOT NULL,
	"role_type" text,
	"org_unit_id" uuid,
	"planned_fte" numeric(4, 2) NOT NULL,
	"employment_type" text NOT NULL,
	"target_salary_minor" bigint,
	"day_rate_minor" bigint,
	"currency" text,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "positions_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "reporting_lines" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"id" uuid NOT NULL,
	"actor_id" uuid NOT NULL,
	"manager_id" uuid NOT NULL,
	"valid_from" date,
	"valid_to" date,
	CONSTRAINT "reporting_lines_pkey" PRIMARY KEY("tenant_id","id","version_from")
);
--> statement-breakpoint
CREATE TABLE "scenario_changes" (
	"tenant_id" uuid NOT NULL,
	"scenario_id" uuid NOT NULL,
	"family" text NOT NULL,
	"record_id" uuid NOT NULL,
	"op" text NOT NULL,
	"values" jsonb,
	"base" jsonb,
	"revision" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scenario_changes_tenant_id_scenario_id_family_record_id_pk" PRIMARY KEY("tenant_id","scenario_id","family","record_id")
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"state" text DEFAULT 'active' NOT NULL,
	"submitted_at" timestamp with time zone,
	"source_scenario_id" uuid,
	"live_version" bigint NOT NULL,
	"revision" bigint DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"promoted_at" timestamp with time zone,
	CONSTRAINT "scenarios_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"tenant_id" uuid NOT NULL,
	"version_from" bigint NOT NULL,
	"version_to" bigint,
	"org_unit_id" uuid NOT NULL,
	"team_type_id" uuid,
	"purpose" text,
	CONSTRAINT "teams_pkey" PRIMARY KEY("tenant_id","org_unit_id","version_from")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "department_types" ADD CONSTRAINT "department_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_bundles" ADD CONSTRAINT "role_bundles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_types" ADD CONSTRAINT "team_types_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_currencies" ADD CONSTRAINT "tenant_currencies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_currencies" ADD CONSTRAINT "tenant_currencies_code_currencies_code_fk" FOREIGN KEY ("code") REFERENCES "public"."currencies"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_domains" ADD CONSTRAINT "tenant_domains_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "actors" ADD CONSTRAINT "actors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "compensations" ADD CONSTRAINT "compensations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "departments" ADD CONSTRAINT "departments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_entries" ADD CONSTRAINT "lineage_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_units" ADD CONSTRAINT "org_units_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placements" ADD CONSTRAINT "placements_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "positions" ADD CONSTRAINT "positions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_lines" ADD CONSTRAINT "reporting_lines_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenario_changes" ADD CONSTRAINT "scenario_changes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_secret_hash" ON "api_tokens" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_user" ON "api_tokens" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "audit_events" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_scenario" ON "audit_events" USING btree ("tenant_id","scenario_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "department_types_name" ON "department_types" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "memberships_user" ON "memberships" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "team_types_name" ON "team_types" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_domains_host" ON "tenant_domains" USING btree ("host");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_lower" ON "users" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "actors_current" ON "actors" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "actors_versions" ON "actors" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE INDEX "actors_email" ON "actors" USING btree ("tenant_id",lower(email)) WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "actors_source" ON "actors" USING btree ("tenant_id","source_hris","source_hris_id") WHERE version_to is null;--> statement-breakpoint
CREATE UNIQUE INDEX "compensations_current" ON "compensations" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "compensations_versions" ON "compensations" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE UNIQUE INDEX "departments_current" ON "departments" USING btree ("tenant_id","org_unit_id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "departments_versions" ON "departments" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE INDEX "lineage_applied" ON "lineage_entries" USING btree ("tenant_id","applied_at");--> statement-breakpoint
CREATE UNIQUE INDEX "org_units_current" ON "org_units" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "org_units_versions" ON "org_units" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE UNIQUE INDEX "placements_current" ON "placements" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "placements_versions" ON "placements" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE UNIQUE INDEX "positions_current" ON "positions" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "positions_versions" ON "positions" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE UNIQUE INDEX "reporting_lines_current" ON "reporting_lines" USING btree ("tenant_id","id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "reporting_lines_versions" ON "reporting_lines" USING btree ("tenant_id","version_from","version_to");--> statement-breakpoint
CREATE INDEX "scenarios_kind_state" ON "scenarios" USING btree ("tenant_id","kind","state");--> statement-breakpoint
CREATE UNIQUE INDEX "teams_current" ON "teams" USING btree ("tenant_id","org_unit_id") WHERE version_to is null;--> statement-breakpoint
CREATE INDEX "teams_versions" ON "teams" USING btree ("tenant_id","version_from","version_to");
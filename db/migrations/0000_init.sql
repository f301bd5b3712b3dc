CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"principal" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"exception_id" text NOT NULL,
	"principal" text NOT NULL,
	"decision" text NOT NULL,
	"comment" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assets" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"fqdn" text,
	"ip" text,
	"netbios_name" text,
	"os" text,
	"mac_address" text,
	"scanner_asset_id" text,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" text PRIMARY KEY NOT NULL,
	"rollout_id" text NOT NULL,
	"asset_id" text NOT NULL,
	"patch_id" text NOT NULL,
	"state" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "epss_files" (
	"score_date" date PRIMARY KEY NOT NULL,
	"model_version" text,
	"row_count" integer NOT NULL,
	"source" text NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "escalations" (
	"incident_id" text NOT NULL,
	"cve" text NOT NULL,
	"fraction" real NOT NULL,
	"recipient" text NOT NULL,
	"reason" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "escalations_incident_id_cve_fraction_pk" PRIMARY KEY("incident_id","cve","fraction")
);
--> statement-breakpoint
CREATE TABLE "exceptions" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text,
	"asset_id" text NOT NULL,
	"cves" text[] NOT NULL,
	"requested_by" text NOT NULL,
	"reason" text NOT NULL,
	"state" text NOT NULL,
	"workflow_id" text NOT NULL,
	"mitigation_id" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "findings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"scanner" text NOT NULL,
	"item_id" text NOT NULL,
	"port" integer NOT NULL,
	"protocol" text NOT NULL,
	"item_name" text NOT NULL,
	"service_name" text,
	"severity" smallint NOT NULL,
	"informational" boolean NOT NULL,
	"cves" text[] NOT NULL,
	"cvss3_score" real,
	"cvss3_vector" text,
	"cvss2_score" real,
	"cvss2_vector" text,
	"synopsis" text,
	"solution" text,
	"patch_publication_date" date,
	"exploit_available" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"fixed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"sha256" text NOT NULL,
	"counts" jsonb NOT NULL,
	"imported_by" text NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_assets" (
	"incident_id" text NOT NULL,
	"asset_id" text NOT NULL,
	"action" text NOT NULL,
	"state" text NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incident_assets_incident_id_asset_id_pk" PRIMARY KEY("incident_id","asset_id")
);
--> statement-breakpoint
CREATE TABLE "incident_cves" (
	"incident_id" text NOT NULL,
	"cve" text NOT NULL,
	"kev" boolean NOT NULL,
	"kev_due_date" date,
	"epss" double precision,
	"cvss" real,
	"cvss_source" text NOT NULL,
	"priority" text NOT NULL,
	"reasons" jsonb NOT NULL,
	"clock_start_at" timestamp with time zone NOT NULL,
	"sla_due_at" timestamp with time zone NOT NULL,
	"past_cisa_due_date" boolean NOT NULL,
	CONSTRAINT "incident_cves_incident_id_cve_pk" PRIMARY KEY("incident_id","cve")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"ticket_id" text NOT NULL,
	"title" text NOT NULL,
	"cves" text[] NOT NULL,
	"workflow_id" text NOT NULL,
	"requested_by" text NOT NULL,
	"reported_by" text NOT NULL,
	"phase" text NOT NULL,
	"priority" text,
	"sla_due_at" timestamp with time zone,
	"summary" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lab_containments" (
	"quarantine_id" text PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"containment_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_deployments" (
	"deployment_id" text PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"patch_id" text NOT NULL,
	"state" text NOT NULL,
	"install_count" integer DEFAULT 1 NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_mitigations" (
	"mitigation_id" text PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"cves" text[] NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mitigations" (
	"id" text PRIMARY KEY NOT NULL,
	"exception_id" text NOT NULL,
	"asset_id" text NOT NULL,
	"kind" text NOT NULL,
	"cves" text[] NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patches" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"artifact" text NOT NULL,
	"digest_sha256" text NOT NULL,
	"signature" text,
	"size_bytes" bigint NOT NULL,
	"rollback_supported" boolean NOT NULL,
	"cves" text[] NOT NULL,
	"solution" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "principals" (
	"name" text PRIMARY KEY NOT NULL,
	"roles" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "quarantines" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text,
	"asset_id" text NOT NULL,
	"detection_id" text NOT NULL,
	"containment_id" text,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" text PRIMARY KEY NOT NULL,
	"incident_id" text,
	"state" text NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "vulnerabilities" (
	"cve" text PRIMARY KEY NOT NULL,
	"kev" boolean DEFAULT false NOT NULL,
	"kev_date_added" date,
	"kev_due_date" date,
	"kev_ransomware" text,
	"kev_vendor_project" text,
	"kev_product" text,
	"kev_name" text,
	"kev_required_action" text,
	"kev_notes" text,
	"kev_cwes" text[],
	"kev_removed_at" timestamp with time zone,
	"nvd_status" text,
	"description" text,
	"published" timestamp with time zone,
	"last_modified" timestamp with time zone,
	"cvss_score" real,
	"cvss_version" text,
	"cvss_vector" text,
	"cvss_source" text,
	"cwes" text[],
	"metrics" jsonb,
	"references" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_principal_principals_name_fk" FOREIGN KEY ("principal") REFERENCES "public"."principals"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_exception_id_exceptions_id_fk" FOREIGN KEY ("exception_id") REFERENCES "public"."exceptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_patch_id_patches_id_fk" FOREIGN KEY ("patch_id") REFERENCES "public"."patches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "escalations" ADD CONSTRAINT "escalations_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exceptions" ADD CONSTRAINT "exceptions_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "findings" ADD CONSTRAINT "findings_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_assets" ADD CONSTRAINT "incident_assets_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_assets" ADD CONSTRAINT "incident_assets_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_cves" ADD CONSTRAINT "incident_cves_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quarantines" ADD CONSTRAINT "quarantines_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "quarantines" ADD CONSTRAINT "quarantines_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assets_fqdn_idx" ON "assets" USING btree ("fqdn");--> statement-breakpoint
CREATE INDEX "assets_ip_idx" ON "assets" USING btree ("ip");--> statement-breakpoint
CREATE INDEX "assets_hostname_idx" ON "assets" USING btree ("hostname");--> statement-breakpoint
CREATE UNIQUE INDEX "findings_key_idx" ON "findings" USING btree ("asset_id","scanner","item_id","port","protocol");--> statement-breakpoint
CREATE INDEX "findings_cves_idx" ON "findings" USING gin ("cves");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_ticket_idx" ON "incidents" USING btree ("source","ticket_id");
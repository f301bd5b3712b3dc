CREATE TABLE "feed_cursors" (
	"feed" text PRIMARY KEY NOT NULL,
	"synced_until" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "osv_advisories" (
	"id" text PRIMARY KEY NOT NULL,
	"modified" timestamp with time zone NOT NULL,
	"published" timestamp with time zone,
	"withdrawn" timestamp with time zone,
	"summary" text NOT NULL,
	"aliases" text[] NOT NULL,
	"cves" text[] NOT NULL,
	"affected" jsonb NOT NULL,
	"severity" jsonb NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vulnerability_ssvc" (
	"cve" text PRIMARY KEY NOT NULL,
	"exploitation" text,
	"automatable" text,
	"technical_impact" text,
	"ssvc_version" text,
	"ssvc_role" text,
	"assessed_at" timestamp with time zone,
	"kev_date_added" date,
	"kev_reference" text,
	"metrics" jsonb NOT NULL,
	"record_updated_at" timestamp with time zone,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "osv_advisories_cves_idx" ON "osv_advisories" USING gin ("cves");
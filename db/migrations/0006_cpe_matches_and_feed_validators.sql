CREATE TABLE "vulnerability_cpe_matches" (
	"cve" text NOT NULL,
	"configuration_index" integer NOT NULL,
	"configuration_operator" text NOT NULL,
	"configuration_negate" boolean NOT NULL,
	"node_index" integer NOT NULL,
	"node_operator" text NOT NULL,
	"node_negate" boolean NOT NULL,
	"match_index" integer NOT NULL,
	"vulnerable" boolean NOT NULL,
	"criteria" text NOT NULL,
	"match_criteria_id" text NOT NULL,
	"part" text NOT NULL,
	"vendor" text NOT NULL,
	"product" text NOT NULL,
	"version" text NOT NULL,
	"version_start_including" text,
	"version_start_excluding" text,
	"version_end_including" text,
	"version_end_excluding" text,
	CONSTRAINT "vulnerability_cpe_matches_pk" PRIMARY KEY("cve","configuration_index","node_index","match_index")
);
--> statement-breakpoint
ALTER TABLE "feed_cursors" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "feed_cursors" ADD COLUMN "etag" text;--> statement-breakpoint
ALTER TABLE "feed_cursors" ADD COLUMN "last_modified" text;--> statement-breakpoint
ALTER TABLE "vulnerability_cpe_matches" ADD CONSTRAINT "vulnerability_cpe_matches_cve_vulnerabilities_cve_fk" FOREIGN KEY ("cve") REFERENCES "public"."vulnerabilities"("cve") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "vulnerability_cpe_matches_product_idx" ON "vulnerability_cpe_matches" USING btree ("vendor","product");
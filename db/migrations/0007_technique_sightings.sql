CREATE TABLE "technique_sightings" (
	"technique_id" text NOT NULL,
	"source" text NOT NULL,
	"vendor" text NOT NULL,
	"detection_id" text NOT NULL,
	"asset_id" text,
	"host_name" text,
	"host_id" text,
	"host_ip" text,
	"seen_at" timestamp with time zone NOT NULL,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "technique_sightings_vendor_detection_id_technique_id_pk" PRIMARY KEY("vendor","detection_id","technique_id"),
	CONSTRAINT "technique_sightings_source_check" CHECK ("technique_sightings"."source" IN ('edr', 'incident'))
);
--> statement-breakpoint
ALTER TABLE "technique_sightings" ADD CONSTRAINT "technique_sightings_asset_id_assets_id_fk" FOREIGN KEY ("asset_id") REFERENCES "public"."assets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "technique_sightings_seen_idx" ON "technique_sightings" USING btree ("seen_at");
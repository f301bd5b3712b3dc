CREATE TABLE "attack_mappings" (
	"cve" text NOT NULL,
	"technique_id" text NOT NULL,
	"technique_name" text,
	"mapping_type" text NOT NULL,
	"source" text NOT NULL,
	CONSTRAINT "attack_mappings_cve_technique_id_mapping_type_source_pk" PRIMARY KEY("cve","technique_id","mapping_type","source")
);
--> statement-breakpoint
CREATE TABLE "finding_scores" (
	"finding_id" bigint PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"score" numeric(5, 2) NOT NULL,
	"priority" text NOT NULL,
	"ssvc_decision" text NOT NULL,
	"kev" boolean NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"top_cve" text,
	"scored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "finding_score_explanations" (
	"finding_id" bigint PRIMARY KEY NOT NULL,
	"explanation" jsonb NOT NULL,
	"digest" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "finding_scores" ADD CONSTRAINT "finding_scores_finding_id_findings_id_fk" FOREIGN KEY ("finding_id") REFERENCES "public"."findings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "finding_score_explanations" ADD CONSTRAINT "finding_score_explanations_finding_id_finding_scores_finding_id_fk" FOREIGN KEY ("finding_id") REFERENCES "public"."finding_scores"("finding_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "finding_scores_rank_idx" ON "finding_scores" USING btree ("score","finding_id");--> statement-breakpoint
CREATE INDEX "finding_scores_priority_rank_idx" ON "finding_scores" USING btree ("priority","score","finding_id");--> statement-breakpoint
CREATE INDEX "finding_scores_asset_idx" ON "finding_scores" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "assets_tags_idx" ON "assets" USING gin ("tags" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "exceptions_asset_idx" ON "exceptions" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "incident_assets_asset_idx" ON "incident_assets" USING btree ("asset_id");--> statement-breakpoint
CREATE INDEX "mitigations_asset_idx" ON "mitigations" USING btree ("asset_id");

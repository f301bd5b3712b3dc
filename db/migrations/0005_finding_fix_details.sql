ALTER TABLE "findings" ADD COLUMN "fixed_versions" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "findings" ADD COLUMN "patch_ids" text[] DEFAULT '{}'::text[] NOT NULL;
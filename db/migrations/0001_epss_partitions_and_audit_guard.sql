-- EPSS scores, one partition per score date. An import copies a day's file into
-- a fresh table and attaches it, so a reload replaces that day whole, and
-- "current" scores are the newest attached day.
CREATE TABLE epss_scores (
  score_date date NOT NULL,
  cve text NOT NULL,
  epss double precision NOT NULL,
  percentile double precision NOT NULL
) PARTITION BY LIST (score_date);
--> statement-breakpoint
-- The audit log is append-only: any UPDATE, DELETE or TRUNCATE fails.
CREATE FUNCTION audit_log_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();

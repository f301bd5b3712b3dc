-- CVE ids are ASCII: byte-order ("C") collation makes each day's primary key
-- build and lookups cheaper than the database's linguistic default.
ALTER TABLE epss_scores ALTER COLUMN cve TYPE text COLLATE "C";

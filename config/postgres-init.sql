-- Runs once when the postgresql container initialises its data folder:
-- Patchwarden's own database and role, apart from Temporal's.
CREATE ROLE patchwarden LOGIN PASSWORD 'patchwarden';
CREATE DATABASE patchwarden OWNER patchwarden;

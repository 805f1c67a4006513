-- Run once by the postgres image on first start (files in
-- /docker-entrypoint-initdb.d run only when the data volume is empty).
--
-- The `conveyor` database is created by POSTGRES_DB. Temporal keeps its
-- persistence and its visibility store in two more databases on the same
-- server; temporal/auto-setup is started with SKIP_DB_CREATE=true and only
-- installs and upgrades their schemas.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;

-- doc/roles.sql — chartscan's database roles and database on a shared
-- PostgreSQL server (the embedded server makes them itself).
--
-- Run by a superuser (or a role with CREATEROLE and CREATEDB) with psql; it
-- may be run again:
--
--   psql -h DBHOST -U postgres -v db=chartscan -f doc/roles.sql
--
-- The roles, each LOGIN (cluster-wide: one set per server):
--   chartscan_owner       owns the database, its schemas and every object in
--                         them; `chartscan init` (migrations, grants) and the
--                         operator's commands (patients, train, users, audit,
--                         export) connect as it: CHARTSCAN_DB
--   chartscan_worker      `work`, `submit`, `watch`, `status`, `report`,
--                         `retry`: the queue and the stages' tables:
--                         CHARTSCAN_DB_WORKER
--   chartscan_reviewer    `serve`, the review station: the review tables and
--                         what the station reads and corrects; no roster
--                         writes, no DDL; never a superuser:
--                         CHARTSCAN_DB_REVIEWER
--   chartscan_ehr_reader  the downstream EHR: the views of schema ehr only
--
-- Then, as the superuser, give each role a password (psql: \password
-- chartscan_worker), let them in with scram-sha-256 in pg_hba.conf, e.g.
--   hostssl  chartscan  chartscan_owner,chartscan_worker,chartscan_reviewer,chartscan_ehr_reader  10.0.0.0/24  scram-sha-256
-- put the passwords in each host's ~/.pgpass (never in the connection
-- strings), and on each host set
--   CHARTSCAN_DB='host=DBHOST dbname=chartscan user=chartscan_owner'
--   CHARTSCAN_DB_WORKER='host=DBHOST dbname=chartscan user=chartscan_worker'
--   CHARTSCAN_DB_REVIEWER='host=DBHOST dbname=chartscan user=chartscan_reviewer'
-- and run `chartscan init` once.  `chartscan init` grants each role its
-- tables (chartscan.role_grant, schema/011_roles.sql) every time it runs.
--
-- A database an older chartscan filled as another user: after this script,
-- connect to it as a superuser and run
--   REASSIGN OWNED BY old_user TO chartscan_owner;
-- (or ALTER ... OWNER TO chartscan_owner for each object), then `chartscan init`.

\set ON_ERROR_STOP on
\if :{?db}
\else
\set db chartscan
\endif

SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['chartscan_owner', 'chartscan_worker', 'chartscan_reviewer',
                    'chartscan_ehr_reader']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec

-- none of them is more than an ordinary role
ALTER ROLE chartscan_owner NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE chartscan_worker NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE chartscan_reviewer NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE chartscan_ehr_reader NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

SELECT format('CREATE DATABASE %I OWNER chartscan_owner ENCODING ''UTF8'' TEMPLATE template0',
              :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO chartscan_owner;

\connect :"db"
-- Only the owner creates anything, temporary objects included: a role that
-- cannot make a function cannot slip a leaky one under the ehr views.
REVOKE CREATE, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- trusted from PostgreSQL 13 on (the owner could make it); made here for
-- older servers
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

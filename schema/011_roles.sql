-- 011_roles.sql — least privilege (issue 12): the database roles and which
-- tables each may use, as data, and the function that turns that data into
-- GRANTs.  `chartscan init` runs chartscan.apply_grants() after the last
-- migration, every time, so that grants follow the schema as it is now.
--
-- The roles (cluster-wide; doc/roles.sql makes them on a shared server):
--   chartscan_owner       owns the schemas chartscan and ehr and everything in
--                         them; runs the migrations and the operator's commands
--                         (init, patients, train, users, audit, export).
--   chartscan_worker      `work`, `submit`, `watch`, `status`, `report`,
--                         `retry`: the queue and the stages' tables; reads the
--                         roster and the models; no review tables, no DDL.
--   chartscan_reviewer    `serve`, the network-facing review station: the review
--                         tables, the documents it corrects and what it shows;
--                         reads the roster, never writes it; no DDL.
--   chartscan_ehr_reader  the downstream EHR: the views of schema ehr only.
--
-- A NEW TABLE gets its grants from rows that its migration inserts here, e.g.
--   INSERT INTO role_grant VALUES ('my_table', 'chartscan_worker', '{SELECT,INSERT}');
-- A table without rows is the owner's alone.  INSERT also grants USAGE on the
-- table's own sequences (serial and identity columns).  A new view in schema
-- ehr needs nothing: the EHR reader may read every view there, and each is
-- made a security_barrier view (so that a function in the reader's WHERE
-- clause never sees rows the view filters out).

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['chartscan_owner', 'chartscan_worker', 'chartscan_reviewer',
                             'chartscan_ehr_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN', r);
            EXCEPTION
                WHEN duplicate_object THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'could not create role %: permission denied', r
                        USING HINT = 'Have a superuser run doc/roles.sql, then run "chartscan init" again.';
            END;
        END IF;
    END LOOP;
END $$;

CREATE TABLE role_grant (
    table_name  text NOT NULL,                 -- a table of schema chartscan
    role        text NOT NULL CHECK (role IN ('chartscan_worker', 'chartscan_reviewer')),
    privileges  text[] NOT NULL
                CHECK (privileges <@ ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']
                       AND cardinality(privileges) > 0),
    PRIMARY KEY (table_name, role)
);

INSERT INTO role_grant (table_name, role, privileges) VALUES
    -- every connection checks the schema's version
    ('schema_version',   'chartscan_worker',   '{SELECT}'),
    ('schema_version',   'chartscan_reviewer', '{SELECT}'),
    -- the worker: submit, the queue, the stages
    ('batch',            'chartscan_worker',   '{SELECT,INSERT,UPDATE}'),
    ('archive_chunk',    'chartscan_worker',   '{SELECT,INSERT}'),
    ('job',              'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('source_file',      'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('page',             'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('word',             'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('document',         'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('patient',          'chartscan_worker',   '{SELECT}'),
    ('doctype',          'chartscan_worker',   '{SELECT}'),
    ('model',            'chartscan_worker',   '{SELECT}'),
    -- assembly keeps the documents that reviews, exports and the audit know
    ('review_example',   'chartscan_worker',   '{SELECT}'),
    ('destination_item', 'chartscan_worker',   '{SELECT}'),
    ('audit',            'chartscan_worker',   '{SELECT}'),
    -- the review station
    ('review_user',      'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('review_session',   'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('login_throttle',   'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('review_lease',     'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('review_example',   'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('audit',            'chartscan_reviewer', '{SELECT,INSERT}'),
    ('document',         'chartscan_reviewer', '{SELECT,INSERT,UPDATE,DELETE}'),
    ('page',             'chartscan_reviewer', '{SELECT,UPDATE}'),
    ('word',             'chartscan_reviewer', '{SELECT}'),
    ('source_file',      'chartscan_reviewer', '{SELECT}'),
    ('batch',            'chartscan_reviewer', '{SELECT}'),
    ('patient',          'chartscan_reviewer', '{SELECT}'),
    ('doctype',          'chartscan_reviewer', '{SELECT}');

-- Grants from role_grant, from scratch (a row removed takes its grant with
-- it), the ehr views as security barriers for the EHR reader, and no
-- CREATE or TEMPORARY for PUBLIC: a role that cannot make a function cannot
-- hand the planner a leaky one.  Run by the owner at the end of every init.
CREATE OR REPLACE FUNCTION apply_grants() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    g record;
    s record;
BEGIN
    REVOKE ALL ON ALL TABLES IN SCHEMA chartscan
        FROM PUBLIC, chartscan_worker, chartscan_reviewer, chartscan_ehr_reader;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA chartscan
        FROM PUBLIC, chartscan_worker, chartscan_reviewer, chartscan_ehr_reader;
    REVOKE ALL ON SCHEMA chartscan FROM PUBLIC, chartscan_ehr_reader;
    GRANT USAGE ON SCHEMA chartscan TO chartscan_worker, chartscan_reviewer;
    FOR g IN SELECT rg.table_name, rg.role, rg.privileges, c.oid AS rel
               FROM chartscan.role_grant rg
               JOIN pg_class c ON c.relname = rg.table_name
                              AND c.relnamespace = 'chartscan'::regnamespace
                              AND c.relkind IN ('r', 'p', 'v')
    LOOP
        EXECUTE format('GRANT %s ON chartscan.%I TO %I',
                       array_to_string(g.privileges, ', '), g.table_name, g.role);
        IF 'INSERT' = ANY (g.privileges) THEN
            FOR s IN SELECT d.objid::regclass AS seq
                       FROM pg_depend d
                       JOIN pg_class sc ON sc.oid = d.objid AND sc.relkind = 'S'
                      WHERE d.classid = 'pg_class'::regclass
                        AND d.refclassid = 'pg_class'::regclass
                        AND d.refobjid = g.rel AND d.deptype IN ('a', 'i')
            LOOP
                EXECUTE format('GRANT USAGE ON SEQUENCE %s TO %I', s.seq, g.role);
            END LOOP;
        END IF;
    END LOOP;

    -- the EHR's schema: every view, each a security barrier
    REVOKE ALL ON ALL TABLES IN SCHEMA ehr FROM PUBLIC, chartscan_worker, chartscan_reviewer;
    REVOKE ALL ON SCHEMA ehr FROM PUBLIC;
    GRANT USAGE ON SCHEMA ehr TO chartscan_ehr_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA ehr TO chartscan_ehr_reader;
    FOR g IN SELECT c.oid::regclass AS view FROM pg_class c
              WHERE c.relnamespace = 'ehr'::regnamespace AND c.relkind = 'v'
    LOOP
        EXECUTE format('ALTER VIEW %s SET (security_barrier = true)', g.view);
    END LOOP;

    -- the database and schema public: only their owners create anything.
    -- An owner role that does not own them (a shared server) is warned by
    -- PostgreSQL; doc/roles.sql does this there.
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;

    -- archives stored as large objects before 009: the worker reads them
    FOR g IN SELECT DISTINCT b.archive_oid AS lo FROM chartscan.batch b
               JOIN pg_largeobject_metadata m ON m.oid = b.archive_oid
              WHERE m.lomowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
    LOOP
        EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO chartscan_worker', g.lo);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION apply_grants() FROM PUBLIC;

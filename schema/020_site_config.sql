-- 020_site_config.sql — the site's interface settings (issue 15, item 4):
-- `chartscan config set KEY VALUE` stores the identities the HL7 and FHIR
-- exports carry (MSH-3..6, PID-3's assigning authority, TXA-2 codes per
-- document type, TXA-9, the FHIR MRN system, custodian and subject
-- reference).  These are the site's settings, not patient data: every change
-- is audited with its old and new value (audit rows, action config_set or
-- config_unset).  The keys and what each accepts are checked by
-- pipeline/commands/config.c; the table only keeps their shape.
CREATE TABLE site_config (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
    value       text NOT NULL CHECK (value <> ''),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL
);

-- An interface engine's rejection (MSA-1 AE/AR, or an ERR segment with any
-- answer): MSA-3 stays in ack_text; the text of its ERR segments (HL7 error
-- code and text, diagnostic, user message, location) goes here.
ALTER TABLE destination_item ADD COLUMN ack_error text;

-- The owner writes the settings (no row needed); the worker reads them, and
-- the report (run as the worker) and the review station show what a
-- destination rejected.
INSERT INTO role_grant (table_name, role, privileges) VALUES
    ('site_config',      'chartscan_worker',   '{SELECT}'),
    ('site_config',      'chartscan_reviewer', '{SELECT}'),
    ('destination',      'chartscan_worker',   '{SELECT}'),
    ('destination',      'chartscan_reviewer', '{SELECT}'),
    ('destination_item', 'chartscan_reviewer', '{SELECT}');

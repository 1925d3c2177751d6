-- 005_ehr.sql — the EHR handoff (issue 7): document versions, the read-only
-- schema `ehr` for the downstream EHR and its role, and the export
-- destinations that remember what each receiver has been sent.
--
-- Document versions.  A document row is one version of a document and never
-- changes identity: its uuid (FHIR masterIdentifier, HL7 TXA-12) is fixed
-- when the row is made.  A reviewer who corrects a document that may
-- already have left (status 'filed') does not edit it in place: in one
-- transaction the review station
--   1. inserts a new document row with replaces_id = the old row's id,
--      status 'filed', filed_by = the reviewer, filed_at = now(), its own
--      fields, and moves the pages (page.document_id) to it;
--   2. renders the new row's PDF;
--   3. sets superseded_at = now() on the old row (which keeps status
--      'filed', its PDF and its uuid).
-- The views then show the old row as 'superseded' and the new one as
-- 'current', ehr.document_correction pairs them, the FHIR export sends the
-- old DocumentReference again with status superseded and the new one with
-- relatesTo replaces, and the HL7 export sends the new one as MDM^T10 with
-- the old document number in TXA-13.  A document still in review, never
-- exported, may simply be edited in place.

ALTER TABLE document
    ADD COLUMN uuid           uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN replaces_id    bigint REFERENCES document ON DELETE SET NULL,
    ADD COLUMN superseded_at  timestamptz,
    ADD CONSTRAINT document_uuid_unique UNIQUE (uuid),
    ADD CONSTRAINT document_replaces_other CHECK (replaces_id <> id);
-- a version is replaced at most once: the versions of a document form a chain
CREATE UNIQUE INDEX document_replaced_once ON document (replaces_id) WHERE replaces_id IS NOT NULL;
CREATE INDEX document_filed ON document (filed_at) WHERE status = 'filed';

-- Export destinations: a named receiver (an interface engine, a FHIR
-- server's import folder) and what it has been sent.  One row per document
-- a destination has seen, holding the version it last got; the audit table
-- keeps the history of every export.
CREATE TABLE destination (
    id              serial PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    format          text NOT NULL CHECK (format IN ('fhir', 'hl7')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_export_at  timestamptz
);

CREATE TABLE destination_item (
    destination_id  integer NOT NULL REFERENCES destination ON DELETE CASCADE,
    document_id     bigint NOT NULL REFERENCES document ON DELETE CASCADE,
    version         text NOT NULL,           -- ehr.document.export_version as sent
    -- sent: written to an export file; accepted: the receiver answered AA
    -- (or CA); rejected: it answered AE or AR, and the next export sends it again
    status          text NOT NULL CHECK (status IN ('sent', 'accepted', 'rejected')),
    ack_code        text,
    ack_text        text,
    attempts        integer NOT NULL DEFAULT 1,
    first_sent_at   timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (destination_id, document_id)
);

-- ---- the schema the EHR reads ----
-- Ordinary views owned by the migrating user: they run with the owner's
-- rights, so the reader role needs no right on schema chartscan at all.
CREATE SCHEMA IF NOT EXISTS ehr;

-- Filed documents, every version; version_status says which is current.
-- export_version changes whenever anything an export carries changes (the
-- type, the patient or their roster entry, the PDF, the version status):
-- it is what destinations compare to send only new or changed documents.
CREATE VIEW ehr.document AS
SELECT d.id                                    AS document_id,
       'd-' || d.id                            AS document_ref,
       d.uuid,
       CASE WHEN d.superseded_at IS NULL THEN 'current' ELSE 'superseded' END
                                               AS version_status,
       d.replaces_id                           AS replaces_document_id,
       r.uuid                                  AS replaces_uuid,
       nxt.id                                  AS superseded_by_document_id,
       d.superseded_at,
       pt.mrn                                  AS patient_mrn,
       pt.last_name                            AS patient_last_name,
       pt.first_name                           AS patient_first_name,
       pt.middle_name                          AS patient_middle_name,
       pt.birth_date                           AS patient_birth_date,
       pt.sex                                  AS patient_sex,
       d.doctype                               AS type_code,
       dt.display                              AS type_display,
       dt.loinc                                AS type_loinc,
       d.date_of_service,
       coalesce(d.page_count, (SELECT count(*) FROM page p WHERE p.document_id = d.id)::integer)
                                               AS page_count,
       (SELECT string_agg(coalesce(p.text, ''), E'\f' ORDER BY p.file_id, p.page_no)
          FROM page p WHERE p.document_id = d.id) AS text,
       d.pdf,
       octet_length(d.pdf)                     AS pdf_size,
       d.pdf_sha256,
       d.filed_at,
       coalesce(d.filed_by, 'auto')            AS filed_by,
       coalesce(d.filed_by, 'auto') = 'auto'   AS filed_automatically,
       b.id                                    AS batch_id,
       b.name                                  AS batch_name,
       f.path                                  AS source_file,
       d.first_page,
       d.last_page,
       md5(concat_ws('|', d.uuid, d.superseded_at IS NULL, r.uuid, d.doctype, dt.display,
                     dt.loinc, pt.mrn, pt.last_name, pt.first_name, pt.middle_name,
                     pt.birth_date, pt.sex, d.date_of_service, d.pdf_sha256, d.filed_at,
                     d.filed_by))              AS export_version
  FROM document d
  JOIN batch b ON b.id = d.batch_id
  JOIN source_file f ON f.id = d.file_id
  LEFT JOIN patient pt ON pt.id = d.patient_id
  LEFT JOIN doctype dt ON dt.code = d.doctype
  LEFT JOIN document r ON r.id = d.replaces_id
  LEFT JOIN document nxt ON nxt.replaces_id = d.id
 WHERE d.status = 'filed';

-- The pages of filed documents, in document order.
CREATE VIEW ehr.page AS
SELECT d.id                                    AS document_id,
       d.uuid                                  AS document_uuid,
       row_number() OVER (PARTITION BY d.id ORDER BY p.file_id, p.page_no)::integer
                                               AS document_page,
       f.path                                  AS source_file,
       p.page_no                               AS source_page,
       p.text,
       p.confidence,
       p.width,
       p.height,
       p.dpi,
       p.rotation
  FROM page p
  JOIN document d ON d.id = p.document_id
  JOIN source_file f ON f.id = p.file_id
 WHERE d.status = 'filed';

-- Corrections: each filed version that replaces an earlier one.
CREATE VIEW ehr.document_correction AS
SELECT d.id                                    AS document_id,
       d.uuid,
       r.id                                    AS replaces_document_id,
       r.uuid                                  AS replaces_uuid,
       r.superseded_at                         AS replaced_at,
       coalesce(d.filed_by, 'auto')            AS filed_by,
       CASE WHEN d.superseded_at IS NULL THEN 'current' ELSE 'superseded' END
                                               AS version_status
  FROM document d
  JOIN document r ON r.id = d.replaces_id
 WHERE d.status = 'filed';

-- The EHR's role: reads ehr and nothing else.  LOGIN without a password:
-- the site sets one (ALTER ROLE chartscan_ehr_reader PASSWORD '...'), and
-- until then only trust or peer authentication lets it in.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chartscan_ehr_reader') THEN
        BEGIN
            CREATE ROLE chartscan_ehr_reader LOGIN;
        EXCEPTION
            WHEN duplicate_object THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'could not create role chartscan_ehr_reader: permission denied'
                    USING HINT = 'Create it as a superuser (CREATE ROLE chartscan_ehr_reader LOGIN), then run "chartscan init" again.';
        END;
    END IF;
END $$;
REVOKE ALL ON SCHEMA chartscan FROM chartscan_ehr_reader;
GRANT USAGE ON SCHEMA ehr TO chartscan_ehr_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA ehr TO chartscan_ehr_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA ehr GRANT SELECT ON TABLES TO chartscan_ehr_reader;

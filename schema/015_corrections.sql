-- 015_corrections.sql — correcting what is filed (issue 14): a filed
-- document may be reopened for review (with a reason), or marked entered in
-- error by an admin (with a reason); both are audited (actions.c).
--
-- Reopen.  The filed version stays what the EHR has (current, its PDF and
-- uuid) until the correction is filed: reopened_at is set on it, and a new
-- row in review (replaces_id = the filed one, the pages moved to it) goes
-- through the queue like any document.  When the reviewer files it, the
-- filed version is superseded (005_ehr.sql's protocol): the exports send the
-- new version as MDM^T10 / a DocumentReference with relatesTo replaces, and
-- the old one as superseded.  A reopened version is not a current version
-- for the rule that a file's pages are unique: its correction takes its
-- first page.
--
-- Entered in error.  entered_in_error_at is set on the current version; the
-- row keeps status filed, so that the ehr views keep it, with version_status
-- entered-in-error (HL7 MDM^T11, FHIR status entered-in-error).

ALTER TABLE document
    ADD COLUMN reopened_at          timestamptz,
    ADD COLUMN entered_in_error_at  timestamptz;

DROP INDEX document_current_first_page;
CREATE UNIQUE INDEX document_current_first_page ON document (file_id, first_page)
    WHERE superseded_at IS NULL AND reopened_at IS NULL;

-- The views: the same columns, version_status gains entered-in-error, and
-- ehr.document gains entered_in_error_at at its end.  export_version is the
-- same hash as before for every row not entered in error (concat_ws skips a
-- NULL), so that no destination is sent its documents again by this change.
CREATE OR REPLACE VIEW ehr.document AS
SELECT d.id                                    AS document_id,
       'd-' || d.id                            AS document_ref,
       d.uuid,
       CASE WHEN d.entered_in_error_at IS NOT NULL THEN 'entered-in-error'
            WHEN d.superseded_at IS NULL THEN 'current' ELSE 'superseded' END
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
                     d.filed_by,
                     CASE WHEN d.entered_in_error_at IS NOT NULL THEN 'entered-in-error' END))
                                               AS export_version,
       d.entered_in_error_at
  FROM document d
  JOIN batch b ON b.id = d.batch_id
  JOIN source_file f ON f.id = d.file_id
  LEFT JOIN patient pt ON pt.id = d.patient_id
  LEFT JOIN doctype dt ON dt.code = d.doctype
  LEFT JOIN document r ON r.id = d.replaces_id
  LEFT JOIN document nxt ON nxt.replaces_id = d.id AND nxt.status = 'filed'
 WHERE d.status = 'filed';

CREATE OR REPLACE VIEW ehr.document_correction AS
SELECT d.id                                    AS document_id,
       d.uuid,
       r.id                                    AS replaces_document_id,
       r.uuid                                  AS replaces_uuid,
       r.superseded_at                         AS replaced_at,
       coalesce(d.filed_by, 'auto')            AS filed_by,
       CASE WHEN d.entered_in_error_at IS NOT NULL THEN 'entered-in-error'
            WHEN d.superseded_at IS NULL THEN 'current' ELSE 'superseded' END
                                               AS version_status
  FROM document d
  JOIN document r ON r.id = d.replaces_id
 WHERE d.status = 'filed';

CREATE OR REPLACE VIEW ehr.contract AS
SELECT '1.1'::text                                                  AS version,
       1                                                            AS major,
       1                                                            AS minor,
       (SELECT max(v.version) FROM chartscan.schema_version v)      AS schema_version;

COMMENT ON SCHEMA ehr IS
    'chartscan''s contract with the EHR, version 1.1 (see ehr.contract): read-only views of the '
    'filed documents, their pages and their corrections, for the role chartscan_ehr_reader. '
    'Only documents with status filed appear; a correction is a new version, never an edit.';
COMMENT ON COLUMN ehr.document.version_status IS
    'current; superseded once a corrected version replaced this one; entered-in-error once an '
    'admin cancelled it (it should not have been filed: HL7 MDM^T11).';
COMMENT ON COLUMN ehr.document.superseded_by_document_id IS
    'The document_id of the filed version that replaced this one; null while it is current '
    '(also while a correction of it is still in review).';
COMMENT ON COLUMN ehr.document.entered_in_error_at IS
    'When an admin marked this version entered in error (version_status entered-in-error); '
    'null otherwise.  Added in contract 1.1.';
COMMENT ON COLUMN ehr.document_correction.version_status IS
    'The correcting version''s own status: current, superseded by a later correction, or '
    'entered-in-error.';

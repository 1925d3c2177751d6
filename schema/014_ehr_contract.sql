-- 014_ehr_contract.sql — schema ehr is the contract with the EHR: every
-- view and column says what it holds (COMMENT ON, readable by anyone who
-- can connect: psql's \d+ ehr.document, or pg_description), and the
-- contract has a version an integrator can read and check.
--
-- The version: ehr.contract, one row, readable by chartscan_ehr_reader
-- like every view of schema ehr (apply_grants, 011_roles.sql), and the
-- schema's own comment.  It is MAJOR.MINOR:
--   MAJOR changes when a view or column is removed or renamed, or when a
--         column's type or meaning changes: an interface reading the old
--         major must be looked at before it reads the new one;
--   MINOR changes when a view or column is added: what an interface
--         reads keeps its meaning.
-- A migration that changes schema ehr replaces ehr.contract
-- (CREATE OR REPLACE VIEW, same columns) with the new numbers, updates the
-- schema's comment, and comments every new view and column (tests/check_docs.c
-- fails on a column without one).

CREATE VIEW ehr.contract AS
SELECT '1.0'::text                                                  AS version,
       1                                                            AS major,
       0                                                            AS minor,
       (SELECT max(v.version) FROM chartscan.schema_version v)      AS schema_version;

COMMENT ON SCHEMA ehr IS
    'chartscan''s contract with the EHR, version 1.0 (see ehr.contract): read-only views of the '
    'filed documents, their pages and their corrections, for the role chartscan_ehr_reader. '
    'Only documents with status filed appear; a correction is a new version, never an edit.';

COMMENT ON VIEW ehr.contract IS
    'The version of this contract: one row.  major changes when a view or column is removed, '
    'renamed or changes type or meaning; minor when one is added.';
COMMENT ON COLUMN ehr.contract.version IS 'The contract''s version, MAJOR.MINOR (e.g. 1.0).';
COMMENT ON COLUMN ehr.contract.major IS
    'Changes when a view or column is removed or renamed, or a column changes type or meaning.';
COMMENT ON COLUMN ehr.contract.minor IS
    'Changes when a view or column is added; reset to 0 when major changes.';
COMMENT ON COLUMN ehr.contract.schema_version IS
    'The chartscan database schema''s version (the last migration applied by chartscan init); '
    'informational: the contract''s version is what an interface checks.';

-- ---- ehr.document ----
COMMENT ON VIEW ehr.document IS
    'Filed documents, one row per version: a document corrected after filing has its first '
    'version (version_status superseded) and the version that replaced it (current).  Import '
    'the current versions; export_version says whether a row changed since it was last read.';
COMMENT ON COLUMN ehr.document.document_id IS
    'chartscan''s id of this version; a corrected version has an id of its own.';
COMMENT ON COLUMN ehr.document.document_ref IS
    'The id as chartscan shows it (d-42): in the manifest, the review station and '
    '"chartscan export pdf".';
COMMENT ON COLUMN ehr.document.uuid IS
    'The version''s unique identifier, fixed when the version is made: the FHIR '
    'DocumentReference id and masterIdentifier, HL7 TXA-12.';
COMMENT ON COLUMN ehr.document.version_status IS
    'current, or superseded once a corrected version replaced this one.';
COMMENT ON COLUMN ehr.document.replaces_document_id IS
    'The document_id of the version this one corrects; null for a first version.';
COMMENT ON COLUMN ehr.document.replaces_uuid IS
    'The uuid of the version this one corrects (HL7 TXA-13, FHIR relatesTo replaces); null for '
    'a first version.';
COMMENT ON COLUMN ehr.document.superseded_by_document_id IS
    'The document_id of the version that replaced this one; null while it is current.';
COMMENT ON COLUMN ehr.document.superseded_at IS
    'When a corrected version replaced this one; null while it is current.';
COMMENT ON COLUMN ehr.document.patient_mrn IS
    'The medical record number of the patient the document is filed to, as in the roster '
    '(chartscan patients import).';
COMMENT ON COLUMN ehr.document.patient_last_name IS
    'The patient''s last name, as the roster has it now.';
COMMENT ON COLUMN ehr.document.patient_first_name IS
    'The patient''s first name, as the roster has it now.';
COMMENT ON COLUMN ehr.document.patient_middle_name IS
    'The patient''s middle name, as the roster has it now; null when the roster has none.';
COMMENT ON COLUMN ehr.document.patient_birth_date IS
    'The patient''s birth date, as the roster has it now; null when the roster has none.';
COMMENT ON COLUMN ehr.document.patient_sex IS
    'The patient''s sex as the roster has it: M, F, O, U, or null.';
COMMENT ON COLUMN ehr.document.type_code IS
    'The document type: chartscan''s taxonomy code (discharge_summary, progress_note, ... or a '
    'code the site added).';
COMMENT ON COLUMN ehr.document.type_display IS 'The document type''s name for people.';
COMMENT ON COLUMN ehr.document.type_loinc IS
    'The type''s LOINC document code (18842-5 for a discharge summary); null for a type the '
    'site added without one.';
COMMENT ON COLUMN ehr.document.date_of_service IS
    'The date of service read from the document; null when none was found.';
COMMENT ON COLUMN ehr.document.page_count IS 'The number of pages of the document.';
COMMENT ON COLUMN ehr.document.text IS
    'The OCR text of the document''s pages in order, pages separated by a form feed (U+000C).';
COMMENT ON COLUMN ehr.document.pdf IS
    'The searchable PDF: the cleaned page images with the recognised text as an invisible layer.';
COMMENT ON COLUMN ehr.document.pdf_size IS 'The PDF''s size in bytes.';
COMMENT ON COLUMN ehr.document.pdf_sha256 IS 'The SHA-256 of the PDF, lowercase hex.';
COMMENT ON COLUMN ehr.document.filed_at IS
    'When this version was filed: by the pipeline, or when a reviewer confirmed or corrected it.';
COMMENT ON COLUMN ehr.document.filed_by IS
    'auto when the pipeline filed it by itself, else the reviewer''s account name.';
COMMENT ON COLUMN ehr.document.filed_automatically IS 'true when filed_by is auto.';
COMMENT ON COLUMN ehr.document.batch_id IS
    'The batch (one submitted archive) the document came from.';
COMMENT ON COLUMN ehr.document.batch_name IS
    'The archive''s file name as submitted (box17.zip).';
COMMENT ON COLUMN ehr.document.source_file IS
    'The path of the TIFF inside the archive, as shown to people (undecodable bytes as \xHH).';
COMMENT ON COLUMN ehr.document.first_page IS
    'The document''s first page, numbered from 1 within its TIFF.';
COMMENT ON COLUMN ehr.document.last_page IS
    'The document''s last page, numbered from 1 within its TIFF.';
COMMENT ON COLUMN ehr.document.export_version IS
    'A hash of everything an export carries (type, patient and their roster entry, date of '
    'service, PDF, version status, filing): it changes whenever any of them changes.  Compare '
    'it with the value last imported to take in only new or changed rows.';

-- ---- ehr.page ----
COMMENT ON VIEW ehr.page IS
    'The pages of filed documents, in document order (blank and failed pages belong to no '
    'document and do not appear).';
COMMENT ON COLUMN ehr.page.document_id IS 'The document version (ehr.document.document_id).';
COMMENT ON COLUMN ehr.page.document_uuid IS 'The document version''s uuid (ehr.document.uuid).';
COMMENT ON COLUMN ehr.page.document_page IS 'The page''s position in the document, from 1.';
COMMENT ON COLUMN ehr.page.source_file IS
    'The path of the TIFF inside the archive, as shown to people (undecodable bytes as \xHH).';
COMMENT ON COLUMN ehr.page.source_page IS 'The page''s number within its TIFF, from 1.';
COMMENT ON COLUMN ehr.page.text IS 'The page''s OCR text.';
COMMENT ON COLUMN ehr.page.confidence IS
    'The mean confidence of the page''s recognised words, 0 to 100.';
COMMENT ON COLUMN ehr.page.width IS 'The cleaned page''s width in pixels.';
COMMENT ON COLUMN ehr.page.height IS 'The cleaned page''s height in pixels.';
COMMENT ON COLUMN ehr.page.dpi IS
    'The cleaned page''s resolution in dots per inch (about 300; the scan''s own may differ).';
COMMENT ON COLUMN ehr.page.rotation IS
    'Degrees clockwise (0, 90, 180 or 270) the scan was turned to make the page upright.';

-- ---- ehr.document_correction ----
COMMENT ON VIEW ehr.document_correction IS
    'Corrections: one row for each filed version that replaces an earlier one.';
COMMENT ON COLUMN ehr.document_correction.document_id IS
    'The correcting version (ehr.document.document_id).';
COMMENT ON COLUMN ehr.document_correction.uuid IS 'The correcting version''s uuid.';
COMMENT ON COLUMN ehr.document_correction.replaces_document_id IS
    'The version it replaces (ehr.document.document_id).';
COMMENT ON COLUMN ehr.document_correction.replaces_uuid IS 'The replaced version''s uuid.';
COMMENT ON COLUMN ehr.document_correction.replaced_at IS
    'When the earlier version was superseded.';
COMMENT ON COLUMN ehr.document_correction.filed_by IS
    'Who filed the correcting version: a reviewer''s account name, or auto.';
COMMENT ON COLUMN ehr.document_correction.version_status IS
    'The correcting version''s own status: current, or superseded by a later correction.';

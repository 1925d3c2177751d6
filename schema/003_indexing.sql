-- 003_indexing.sql — indexing (issue 4): what each document was decided
-- from (extracted fields, ranked patient candidates, type alternatives,
-- reasons), and the roster indexes the candidate lookup needs at hospital
-- scale (no scan of the roster per document).

ALTER TABLE document
    ADD COLUMN last_page             integer,
    ADD COLUMN page_count            integer,
    ADD COLUMN split_reason          text,      -- why a document starts at first_page
    ADD COLUMN fields                jsonb,     -- extracted MRN, name, birth date, date of service
    ADD COLUMN candidates            jsonb,     -- ranked roster candidates with field agreement
    ADD COLUMN doctype_alternatives  jsonb,     -- top types with calibrated confidences
    ADD COLUMN review_reasons        text[],    -- every reason it was sent to review
    ADD COLUMN filed_by              text,      -- 'auto', or the reviewer
    ADD COLUMN filed_at              timestamptz;

-- MRNs compare without leading zeros (00482133 is 482133)
CREATE INDEX patient_mrn_digits ON patient ((ltrim(mrn, '0')));
CREATE INDEX patient_last_trgm ON patient USING gin (lower(last_name) public.gin_trgm_ops);
CREATE INDEX patient_birth ON patient (birth_date);

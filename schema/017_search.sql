-- 017_search.sql — search of the filed documents (issue 14, item 3):
-- `chartscan search` looks them up by MRN, name, birth date, type, date of
-- service and the words of their OCR text.  The text is searched page by
-- page with PostgreSQL's full-text search; this index serves it (the
-- expression must stay exactly the one pipeline/commands/search.c uses).
-- No new table: no grants.
CREATE INDEX page_text_search ON page
    USING gin (to_tsvector('english'::regconfig, coalesce(text, '')));

-- Filed, current documents by patient and by date of service.
CREATE INDEX document_filed_patient ON document (patient_id, date_of_service)
    WHERE status = 'filed' AND superseded_at IS NULL;

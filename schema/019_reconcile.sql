-- 019_reconcile.sql — reconciliation against the clerk's prep sheet (issue
-- 15, item 3).  The sheet says, per box (the archive itself, or a folder in
-- it), how many documents and pages were prepared, and optionally how many
-- of the pages are blank; `submit --expect` or `batch expect` store it here,
-- and reconciliation() sets it beside what the archive brought and what the
-- pipeline made of it, with every difference named.

CREATE TABLE batch_expectation (
    batch_id            bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    box                 text NOT NULL CHECK (box <> ''),  -- the archive's name (with or
                                                          -- without extension), or a folder in it
    line                integer NOT NULL,                 -- its line in the prep sheet
    expected_documents  integer NOT NULL CHECK (expected_documents >= 0),
    expected_pages      integer NOT NULL CHECK (expected_pages >= 0),
    expected_blank      integer CHECK (expected_blank >= 0),   -- NULL: the sheet has no blank count
    PRIMARY KEY (batch_id, box)
);

INSERT INTO role_grant (table_name, role, privileges) VALUES
    ('batch_expectation', 'chartscan_worker', '{SELECT,INSERT,DELETE}');

-- A batch's prep sheet against its pages and documents: one row a box of the
-- sheet (in sheet order), and a last row with box NULL for pages in no box
-- of the sheet, if any.  A file belongs to the box that is the longest
-- folder prefix of its path, else to the row naming the whole archive.
-- Documents count the current versions (not superseded).  differences is
-- empty when the box agrees; documents and blank pages are compared once no
-- page of the box is pending, nothing before the archive is unpacked.
CREATE FUNCTION reconciliation(p_batch bigint)
RETURNS TABLE (box text, line integer, expected_documents integer, expected_pages integer,
               expected_blank integer, received_pages bigint, processed_pages bigint,
               blank_pages bigint, failed_pages bigint, pending_pages bigint,
               documents bigint, differences text[])
LANGUAGE sql STABLE AS $$
WITH b AS (
    SELECT id, name, status,
           regexp_replace(name, '\.(zip|tar|tgz|tbz2|txz|7z|tar\.(gz|bz2|xz|zst))$', '', 'i') AS stem
      FROM chartscan.batch WHERE id = p_batch),
e AS (
    SELECT x.*, (x.box = b.name OR x.box = b.stem) AS whole
      FROM chartscan.batch_expectation x, b WHERE x.batch_id = p_batch),
fb AS (
    SELECT f.id AS file_id,
           (SELECT e.box FROM e
             WHERE e.whole OR left(f.path, length(e.box) + 1) = e.box || '/'
             ORDER BY e.whole, length(e.box) DESC LIMIT 1) AS box
      FROM chartscan.source_file f WHERE f.batch_id = p_batch),
pc AS (
    SELECT fb.box, count(p.id) AS received,
           count(p.id) FILTER (WHERE p.status IN ('done', 'blank')) AS processed,
           count(p.id) FILTER (WHERE p.status = 'blank') AS blank,
           count(p.id) FILTER (WHERE p.status = 'failed') AS failed,
           count(p.id) FILTER (WHERE p.status = 'pending') AS pending
      FROM fb JOIN chartscan.page p ON p.file_id = fb.file_id GROUP BY fb.box),
dc AS (
    SELECT fb.box, count(*) AS documents
      FROM fb JOIN chartscan.document d ON d.file_id = fb.file_id
     WHERE d.superseded_at IS NULL GROUP BY fb.box),
r AS (
    SELECT e.box, e.line, e.expected_documents, e.expected_pages, e.expected_blank,
           coalesce(pc.received, 0) AS received, coalesce(pc.processed, 0) AS processed,
           coalesce(pc.blank, 0) AS blank, coalesce(pc.failed, 0) AS failed,
           coalesce(pc.pending, 0) AS pending, coalesce(dc.documents, 0) AS documents
      FROM e LEFT JOIN pc ON pc.box = e.box LEFT JOIN dc ON dc.box = e.box
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, pc.received, pc.processed, pc.blank, pc.failed,
           pc.pending, coalesce((SELECT dc.documents FROM dc WHERE dc.box IS NULL), 0)
      FROM pc WHERE pc.box IS NULL AND EXISTS (SELECT 1 FROM e))
SELECT r.box, r.line, r.expected_documents, r.expected_pages, r.expected_blank, r.received,
       r.processed, r.blank, r.failed, r.pending, r.documents,
       CASE WHEN b.status = 'queued' THEN '{}'::text[] ELSE array_remove(ARRAY[
         CASE WHEN r.box IS NULL
              THEN format('%s pages in no box of the prep sheet', r.received) END,
         CASE WHEN r.box IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fb WHERE fb.box = r.box)
              THEN 'box not found in the archive' END,
         CASE WHEN r.received < r.expected_pages
              THEN format('missing pages: %s', r.expected_pages - r.received) END,
         CASE WHEN r.received > r.expected_pages
              THEN format('extra pages: %s', r.received - r.expected_pages) END,
         CASE WHEN r.failed > 0 THEN format('pages failed: %s', r.failed) END,
         CASE WHEN r.pending = 0 AND r.documents <> r.expected_documents
              THEN format('documents off: %s expected, %s made', r.expected_documents,
                          r.documents) END,
         CASE WHEN r.pending = 0 AND r.blank <> r.expected_blank
              THEN format('blank pages off: %s expected, %s found', r.expected_blank,
                          r.blank) END], NULL) END
  FROM r, b
 ORDER BY r.line NULLS LAST
$$;

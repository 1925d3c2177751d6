-- Barcodes (issue 15, item 1): the payloads read on each page, and the
-- page status 'separator' for a cover sheet or another system's separator
-- sheet, which is kept and reported but belongs to no document.

ALTER TABLE page ADD COLUMN barcodes text[];
COMMENT ON COLUMN page.barcodes IS
    'payloads of the Code 128 / Code 39 barcodes read on the cleaned page (NULL: none)';

ALTER TABLE page DROP CONSTRAINT page_status_check;
ALTER TABLE page ADD CONSTRAINT page_status_check
    CHECK (status IN ('pending', 'done', 'blank', 'failed', 'separator'));

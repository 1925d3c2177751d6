-- 002_cleanup.sql — page cleanup and OCR details (issue 3): the cleanup
-- record, the cleaned page image, per-word boxes and confidences, and each
-- document's searchable PDF.

ALTER TABLE page
    ADD COLUMN source_dpi    integer,          -- as decoded (tag, or inferred from the page size)
    ADD COLUMN dpi_inferred  boolean,
    ADD COLUMN rotation      smallint,         -- degrees clockwise applied to make it upright
    ADD COLUMN orientation_confidence real,
    ADD COLUMN skew          real,             -- degrees of skew corrected
    ADD COLUMN blank_score   real,             -- the blank test's ink measure
    ADD COLUMN cleanup_ms    jsonb,            -- milliseconds per cleanup step
    ADD COLUMN cleaned       bytea;            -- the cleaned page, bilevel G4 TIFF

-- Words as recognised, in the cleaned page's pixel coordinates.
CREATE TABLE word (
    page_id     bigint NOT NULL REFERENCES page ON DELETE CASCADE,
    seq         integer NOT NULL,              -- reading order within the page
    text        text NOT NULL,
    x           integer NOT NULL,
    y           integer NOT NULL,
    w           integer NOT NULL,
    h           integer NOT NULL,
    confidence  real NOT NULL,
    block       integer NOT NULL,
    line        integer NOT NULL,
    PRIMARY KEY (page_id, seq)
);

ALTER TABLE document
    ADD COLUMN pdf        bytea,               -- searchable PDF: cleaned images + invisible text
    ADD COLUMN pdf_sha256 text;

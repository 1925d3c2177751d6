-- 001_core.sql — the walking skeleton's tables: batches, files, pages,
-- documents, the roster, the document-type taxonomy and models, the job queue.
-- Applied by `chartscan init` inside one transaction; search_path is chartscan.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- One submitted archive.  The archive itself is a large object, streamed in
-- and out, never held in memory whole.
CREATE TABLE batch (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL,                 -- the archive's file name as submitted
    sha256        text NOT NULL UNIQUE,          -- refuses a byte-identical resubmission
    size_bytes    bigint NOT NULL,
    archive_oid   oid NOT NULL,                  -- large object holding the archive
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'unpacked', 'failed')),
    error         text,                          -- why unpacking failed, when it did
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    unpacked_at   timestamptz
);

-- One archive entry.  TIFF entries keep their bytes exactly as archived.
CREATE TABLE source_file (
    id            bigserial PRIMARY KEY,
    batch_id      bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    entry_index   integer NOT NULL,              -- position in the archive
    path          text NOT NULL,                 -- entry name inside the archive
    size_bytes    bigint,
    sha256        text,
    data          bytea,                         -- NULL for skipped and failed entries
    page_count    integer,
    status        text NOT NULL
                  CHECK (status IN ('pages', 'skipped', 'failed')),
    reason        text,
    UNIQUE (batch_id, entry_index)
);

CREATE TABLE patient (
    id            bigserial PRIMARY KEY,
    mrn           text NOT NULL UNIQUE,
    last_name     text NOT NULL,
    first_name    text NOT NULL,
    middle_name   text,
    birth_date    date,
    sex           text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patient_name_trgm ON patient
    USING gin ((lower(last_name || ' ' || first_name)) public.gin_trgm_ops);

-- The document-type taxonomy is data: codes with their LOINC document codes.
CREATE TABLE doctype (
    code          text PRIMARY KEY,
    display       text NOT NULL,
    loinc         text
);
INSERT INTO doctype (code, display, loinc) VALUES
    ('discharge_summary', 'Discharge summary', '18842-5'),
    ('history_physical',  'History and physical note', '34117-2'),
    ('progress_note',     'Progress note', '11506-3'),
    ('operative_report',  'Operative report', '11504-8'),
    ('radiology_report',  'Radiology report', '18748-4'),
    ('ed_note',           'Emergency department note', '34111-1'),
    ('letter',            'Letter', '51852-2');

-- Trained document-type models, versioned; exactly one is active.
CREATE TABLE model (
    id            serial PRIMARY KEY,
    kind          text NOT NULL DEFAULT 'doctype',
    examples      integer NOT NULL,
    cv_accuracy   real,
    data          bytea NOT NULL,
    active        boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX model_one_active ON model (kind) WHERE active;

CREATE TABLE document (
    id                  bigserial PRIMARY KEY,
    batch_id            bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    file_id             bigint NOT NULL REFERENCES source_file ON DELETE CASCADE,
    first_page          integer NOT NULL,
    status              text NOT NULL CHECK (status IN ('filed', 'review', 'rejected')),
    doctype             text REFERENCES doctype,
    doctype_confidence  real,
    model_id            integer REFERENCES model,
    patient_id          bigint REFERENCES patient,
    patient_confidence  real,
    date_of_service     date,
    review_reason       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (file_id, first_page)
);

CREATE TABLE page (
    id            bigserial PRIMARY KEY,
    file_id       bigint NOT NULL REFERENCES source_file ON DELETE CASCADE,
    page_no       integer NOT NULL,              -- 1-based within its TIFF
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'done', 'blank', 'failed')),
    reason        text,
    text          text,
    confidence    real,
    width         integer,
    height        integer,
    dpi           integer,
    decode_ms     real,
    ocr_ms        real,
    document_id   bigint REFERENCES document ON DELETE SET NULL,
    finished_at   timestamptz,
    UNIQUE (file_id, page_no)
);
CREATE INDEX page_document ON page (document_id);
CREATE INDEX page_finished ON page (finished_at);

-- The job queue.  Workers claim with FOR UPDATE SKIP LOCKED and hold a
-- lease; a stage's results commit in the transaction that marks it done.
CREATE TABLE job (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('unpack', 'ocr', 'assemble')),
    batch_id      bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    file_id       bigint REFERENCES source_file ON DELETE CASCADE,
    page_id       bigint REFERENCES page ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'done', 'failed')),
    priority      smallint NOT NULL DEFAULT 0,   -- lower runs first
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 3,
    run_after     timestamptz NOT NULL DEFAULT now(),
    lease_until   timestamptz,
    worker        text,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX job_runnable ON job (priority, id) WHERE status = 'queued';
CREATE INDEX job_running ON job (lease_until) WHERE status = 'running';
CREATE UNIQUE INDEX job_one_assemble ON job (file_id) WHERE kind = 'assemble';
CREATE INDEX job_batch ON job (batch_id);

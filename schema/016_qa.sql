-- 016_qa.sql — the sample audit of automatic filing (issue 14, item 2).
--
-- Per batch, a random sample of the documents the pipeline filed on its own
-- (status filed, filed_by NULL or 'auto', the current version) is drawn
-- into qa_sample.  Each sampled document gets a blind check: the reviewer
-- names the patient and the type before seeing the pipeline's answer,
-- which was frozen when the sample was drawn; the comparison is stored
-- with the answer.  Accuracy (patient right, type right) is measured from
-- the checked rows with a 95% Wilson interval (pipeline/review/qa_store.c).
--
-- The default sample of every finished batch follows qa_policy, and is
-- drawn lazily: by `chartscan qa sample` / `qa report` and by the station's
-- QA page, for every batch that is finished (unpacked, no job queued or
-- running) and has not been sampled yet.  Lazily, so that a change of the
-- policy applies to every batch not yet sampled, and assembly (the worker)
-- needs no rights on the QA tables.

-- The policy: one row.
CREATE TABLE qa_policy (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    enabled     boolean NOT NULL DEFAULT true,  -- draw the default sample of finished batches
    rate        numeric NOT NULL DEFAULT 0.05 CHECK (rate > 0 AND rate <= 1),
    min_sample  integer NOT NULL DEFAULT 20 CHECK (min_sample >= 0)
);
INSERT INTO qa_policy DEFAULT VALUES;

-- One drawing per batch, and whether the batch was put to full review.
CREATE TABLE qa_batch (
    batch_id        bigint PRIMARY KEY REFERENCES batch ON DELETE CASCADE,
    rate            numeric NOT NULL,
    min_sample      integer NOT NULL,
    auto_filed      integer NOT NULL,           -- auto-filed documents when drawn
    drawn_by        text NOT NULL,              -- the user, or 'default'
    drawn_at        timestamptz NOT NULL DEFAULT now(),
    review_all_by   text,
    review_all_at   timestamptz,
    review_all_count integer
);

CREATE TABLE qa_sample (
    id                   bigserial PRIMARY KEY,
    batch_id             bigint NOT NULL REFERENCES qa_batch ON DELETE CASCADE,
    document_id          bigint NOT NULL UNIQUE REFERENCES document ON DELETE CASCADE,
    -- the pipeline's answer when drawn: never shown before the check
    pipeline_patient_id  bigint REFERENCES patient ON DELETE SET NULL,
    pipeline_doctype     text,
    checked_by           text,
    checked_at           timestamptz,
    reviewer_patient_id  bigint REFERENCES patient ON DELETE SET NULL,
    reviewer_doctype     text REFERENCES doctype,
    patient_right        boolean,
    doctype_right        boolean,
    CHECK ((checked_at IS NULL) = (patient_right IS NULL)),
    CHECK ((checked_at IS NULL) = (doctype_right IS NULL))
);
CREATE INDEX qa_sample_batch ON qa_sample (batch_id);

INSERT INTO role_grant (table_name, role, privileges) VALUES
    ('qa_policy', 'chartscan_reviewer', '{SELECT}'),
    ('qa_batch',  'chartscan_reviewer', '{SELECT,INSERT,UPDATE}'),
    ('qa_sample', 'chartscan_reviewer', '{SELECT,INSERT,UPDATE}'),
    ('job',       'chartscan_reviewer', '{SELECT}');

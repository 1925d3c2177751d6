-- 018_lifecycle.sql — a batch's life after submit (issue 15, item 2):
-- cancel, purge of the archive bytes, and the job table split so that
-- finished jobs no longer sit in the queue's way.
--
-- 1. job becomes a table partitioned by status: job_live holds what a
--    worker may still claim or retry (queued, running, failed), job_history
--    what is finished (done, cancelled).  The claim's statements name a
--    status of job_live, so the planner prunes job_history away: a queue
--    that has seen millions of jobs claims from a live partition of a few
--    thousand rows.  Every query on job still sees both partitions.
--    jobs.c moves a job by DELETE + INSERT in the transaction that completes
--    it (not by UPDATE of the status: a row moved by UPDATE makes a
--    concurrent locker fail with "already moved to another partition",
--    where a deleted row is simply skipped).
-- 2. batch cancel: status 'cancelled'; a trigger refuses new live jobs for a
--    cancelled batch (an unpack or OCR stage still running when the batch was
--    cancelled then fails at its next commit and commits nothing).  The
--    trigger holds a shared advisory lock on the batch for the rest of its
--    transaction and cancel an exclusive one, so that no job inserted
--    before the cancel commits after it unseen.
-- 3. batch purge: the archive's bytes go; sha256, size, the manifest and
--    the documents stay, and purged_at says when.

ALTER TABLE job RENAME TO job_old;
ALTER INDEX job_runnable RENAME TO job_old_runnable;
ALTER INDEX job_running RENAME TO job_old_running;
ALTER INDEX job_one_assemble RENAME TO job_old_one_assemble;
ALTER INDEX job_batch RENAME TO job_old_batch;
ALTER TABLE job_old RENAME CONSTRAINT job_pkey TO job_old_pkey;

CREATE TABLE job (
    id            bigint NOT NULL DEFAULT nextval('job_id_seq'),
    kind          text NOT NULL CHECK (kind IN ('unpack', 'ocr', 'assemble')),
    batch_id      bigint NOT NULL REFERENCES batch ON DELETE CASCADE,
    file_id       bigint REFERENCES source_file ON DELETE CASCADE,
    page_id       bigint REFERENCES page ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    priority      smallint NOT NULL DEFAULT 0,   -- lower runs first
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 3,
    run_after     timestamptz NOT NULL DEFAULT now(),
    lease_until   timestamptz,
    worker        text,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    PRIMARY KEY (id, status)
) PARTITION BY LIST (status);
CREATE TABLE job_live PARTITION OF job FOR VALUES IN ('queued', 'running', 'failed');
CREATE TABLE job_history PARTITION OF job FOR VALUES IN ('done', 'cancelled');

INSERT INTO job (id, kind, batch_id, file_id, page_id, status, priority, attempts, max_attempts,
                 run_after, lease_until, worker, last_error, created_at, finished_at)
SELECT id, kind, batch_id, file_id, page_id, status, priority, attempts, max_attempts,
       run_after, lease_until, worker, last_error, created_at, finished_at
  FROM job_old;
ALTER SEQUENCE job_id_seq OWNED BY job.id;
DROP TABLE job_old;

CREATE INDEX job_runnable ON job_live (priority, id) WHERE status = 'queued';
CREATE INDEX job_running ON job_live (lease_until) WHERE status = 'running';
-- one live assembly a file (jobs.c, cs_jobs_queue_assembly); finished ones are history
CREATE UNIQUE INDEX job_one_assemble ON job_live (file_id) WHERE kind = 'assemble';
CREATE INDEX job_batch ON job (batch_id);
-- the foreign keys' cascades from page and source_file, and rows of one page
CREATE INDEX job_page ON job (page_id);
CREATE INDEX job_file ON job (file_id);

-- Cancel and purge.
ALTER TABLE batch DROP CONSTRAINT batch_status_check;
ALTER TABLE batch ADD CONSTRAINT batch_status_check
    CHECK (status IN ('queued', 'unpacked', 'failed', 'cancelled'));
ALTER TABLE batch ADD COLUMN cancelled_at timestamptz;
ALTER TABLE batch ADD COLUMN purged_at timestamptz;
ALTER TABLE batch DROP CONSTRAINT batch_archive_stored;
ALTER TABLE batch ADD CONSTRAINT batch_archive_stored
    CHECK (archive_oid IS NOT NULL OR chunk_bytes IS NOT NULL OR purged_at IS NOT NULL);

CREATE FUNCTION job_refuse_cancelled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('queued', 'running') THEN
        PERFORM pg_advisory_xact_lock_shared(7345012, NEW.batch_id::integer);
        IF EXISTS (SELECT 1 FROM chartscan.batch b
                    WHERE b.id = NEW.batch_id AND b.status = 'cancelled') THEN
            RAISE EXCEPTION 'batch % was cancelled', NEW.batch_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER job_refuse_cancelled BEFORE INSERT ON job
    FOR EACH ROW EXECUTE FUNCTION job_refuse_cancelled();

-- Direct use of the partitions: the assembly's upsert names job_live's index.
INSERT INTO role_grant (table_name, role, privileges) VALUES
    ('job_live',    'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('job_history', 'chartscan_worker',   '{SELECT,INSERT,UPDATE,DELETE}'),
    ('job_live',    'chartscan_reviewer', '{SELECT}'),
    ('job_history', 'chartscan_reviewer', '{SELECT}');

/*
 * jobs.c — the job table's SQL: claim with FOR UPDATE SKIP LOCKED and a
 * lease, complete inside a stage's transaction, retry with backoff or fail
 * for good, and LISTEN/NOTIFY so that idle workers sleep instead of poll.
 * The policy around it (the worker loop, the pool) lives in workers/.
 *
 * Job states:
 *
 *    queued --claim--> running --cs_jobs_complete--> done (job_history)
 *      ^                  |
 *      |   lease expires  |  cs_jobs_retry_or_fail (attempts < max)
 *      +------------------+
 *                         |  cs_jobs_retry_or_fail (attempts == max)
 *                         v
 *                       failed
 *
 *    queued, running, failed --cs_jobs_cancel_batch--> cancelled (job_history)
 *
 * job is partitioned by status (schema 018): job_live holds queued, running
 * and failed jobs, job_history done and cancelled ones.  A job is moved
 * there by DELETE and INSERT in one statement, in the transaction that
 * finishes it.
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define NOTIFY_CHANNEL "chartscan_jobs"

int cs_jobs_claim(cs_store *s, const char *worker, int lease_seconds, cs_job *job,
                  char *err, size_t errlen)
{
    char lbuf[24];
    const char *params[2] = {worker, cs_i64(lbuf, lease_seconds)};
    PGresult *r;

    memset(job, 0, sizeof *job);
    /* Jobs whose lease ran out belong to a worker that died: take them back
     * first.  Then the next queued job.  Two statements, each served by its
     * own partial index (job_running, job_runnable): one statement with
     * both conditions OR'ed sorted every runnable job on every claim, 47 ms
     * with 200,000 queued against 0.03 ms for the index scan.  Each names
     * the status in the outer WHERE as well, so that the planner prunes the
     * history partition from the UPDATE too (schema 018). */
    r = cs_pq(s,
        "UPDATE job SET status = 'running', attempts = attempts + 1, worker = $1,"
        "       lease_until = now() + make_interval(secs => $2::int)"
        " WHERE status = 'running' AND id = (SELECT id FROM job"
        "              WHERE status = 'running' AND lease_until < now()"
        "              ORDER BY priority, id"
        "              FOR UPDATE SKIP LOCKED LIMIT 1)"
        " RETURNING id, kind, batch_id, coalesce(file_id, 0), coalesce(page_id, 0),"
        "           attempts, max_attempts",
        2, params, err, errlen);
    if (r && PQntuples(r) == 0) {
        PQclear(r);
        r = cs_pq(s,
            "UPDATE job SET status = 'running', attempts = attempts + 1, worker = $1,"
            "       lease_until = now() + make_interval(secs => $2::int)"
            " WHERE status = 'queued' AND id = (SELECT id FROM job"
            "              WHERE status = 'queued' AND run_after <= now()"
            "              ORDER BY priority, id"
            "              FOR UPDATE SKIP LOCKED LIMIT 1)"
            " RETURNING id, kind, batch_id, coalesce(file_id, 0), coalesce(page_id, 0),"
            "           attempts, max_attempts",
            2, params, err, errlen);
    }
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    job->id = cs_pq_int(r, 0, 0);
    snprintf(job->kind, sizeof job->kind, "%s", PQgetvalue(r, 0, 1));
    job->batch_id = cs_pq_int(r, 0, 2);
    job->file_id = cs_pq_int(r, 0, 3);
    job->page_id = cs_pq_int(r, 0, 4);
    job->attempts = (int)cs_pq_int(r, 0, 5);
    job->max_attempts = (int)cs_pq_int(r, 0, 6);
    snprintf(job->worker, sizeof job->worker, "%s", worker);
    PQclear(r);
    return 1;
}

int cs_jobs_queue_assembly(cs_store *s, long long batch_id, long long file_id, char *err,
                           size_t errlen)
{
    char b1[24], b2[24];
    const char *p[2] = {cs_i64(b1, batch_id), cs_i64(b2, file_id)};
    /* A file assembled before (a page retried later, a stage re-run) is
     * assembled again: a failed assembly goes back to the queue, a done one
     * stays in the history and a new one is queued.  The upsert names
     * job_live, whose index keeps one live assembly a file. */
    return cs_pq_exec(s,
        "INSERT INTO job_live (kind, batch_id, file_id, priority)"
        " SELECT 'assemble', $1, $2, 0"
        "  WHERE NOT EXISTS (SELECT 1 FROM page WHERE file_id = $2 AND status = 'pending')"
        " ON CONFLICT (file_id) WHERE kind = 'assemble' DO UPDATE"
        "   SET status = 'queued', attempts = 0, run_after = now(), worker = NULL,"
        "       lease_until = NULL, last_error = NULL, finished_at = NULL"
        "   WHERE job_live.status = 'failed'", 2, p, err, errlen);
}

/* The columns of job, in the order of the moves below. */
#define JOB_COLUMNS "id, kind, batch_id, file_id, page_id, status, priority, attempts," \
                    " max_attempts, run_after, lease_until, worker, last_error, created_at," \
                    " finished_at"

/*
 * Why a job this worker held is no longer running as its: cancelled with its
 * batch, or its lease taken over.  Sets err; returns -1.
 */
static int job_gone(cs_store *s, const cs_job *job, char *err, size_t errlen)
{
    char ibuf[24];
    const char *params[1] = {cs_i64(ibuf, job->id)};
    PGresult *r = cs_pq(s, "SELECT 1 FROM job WHERE id = $1 AND status = 'cancelled'", 1, params,
                        err, errlen);
    int cancelled = r && PQntuples(r) > 0;

    PQclear(r);
    if (cancelled)
        return cs_fail(err, errlen, "job %lld: its batch was cancelled, its results are not kept",
                       (long long)job->id);
    return cs_fail(err, errlen, "job %lld: lease lost to another worker", (long long)job->id);
}

int cs_jobs_complete(cs_store *s, const cs_job *job, char *err, size_t errlen)
{
    char ibuf[24], abuf[24];
    const char *params[3] = {cs_i64(ibuf, job->id), job->worker, cs_i64(abuf, job->attempts)};
    /* done jobs go to the history partition (schema 018, note 1) */
    PGresult *r = cs_pq(s,
        "WITH d AS (DELETE FROM job"
        "            WHERE id = $1 AND status = 'running' AND worker = $2 AND attempts = $3"
        "            RETURNING *)"
        " INSERT INTO job (" JOB_COLUMNS ")"
        " SELECT id, kind, batch_id, file_id, page_id, 'done', priority, attempts, max_attempts,"
        "        run_after, NULL, worker, last_error, created_at, now() FROM d",
        3, params, err, errlen);
    long n;

    if (!r)
        return -1;
    n = atol(PQcmdTuples(r));
    PQclear(r);
    if (n != 1)
        return job_gone(s, job, err, errlen);
    /* idle workers wake at commit: there may be new work, or none left at all */
    return cs_pq_exec(s, "NOTIFY " NOTIFY_CHANNEL, 0, NULL, err, errlen);
}

int cs_jobs_renew(cs_store *s, const cs_job *job, int lease_seconds, char *err, size_t errlen)
{
    char ibuf[24], abuf[24], lbuf[24];
    const char *params[4] = {cs_i64(ibuf, job->id), job->worker, cs_i64(abuf, job->attempts),
                             cs_i64(lbuf, lease_seconds)};
    PGresult *r = cs_pq(s,
        "UPDATE job SET lease_until = now() + make_interval(secs => $4::int)"
        " WHERE id = $1 AND status = 'running' AND worker = $2 AND attempts = $3",
        4, params, err, errlen);
    long n;

    if (!r)
        return -1;
    n = atol(PQcmdTuples(r));
    PQclear(r);
    if (n == 1)
        return 1;
    job_gone(s, job, err, errlen);
    return 0;
}

int cs_jobs_release(cs_store *s, const cs_job *job, char *err, size_t errlen)
{
    char ibuf[24], abuf[24];
    const char *params[3] = {cs_i64(ibuf, job->id), job->worker, cs_i64(abuf, job->attempts)};
    /* not the job's fault: the attempt does not count */
    if (cs_pq_exec(s,
            "UPDATE job SET status = 'queued', worker = NULL, lease_until = NULL,"
            "       attempts = attempts - 1, run_after = now()"
            " WHERE id = $1 AND status = 'running' AND worker = $2 AND attempts = $3",
            3, params, err, errlen) < 0)
        return -1;
    return cs_pq_exec(s, "NOTIFY " NOTIFY_CHANNEL, 0, NULL, err, errlen);
}

/* Mark what a job was for as failed, when its attempts are used up. */
static int fail_subject(cs_store *s, const cs_job *job, const char *reason, char *err,
                        size_t errlen)
{
    char b1[24];
    const char *p[2] = {reason, NULL};

    if (!strcmp(job->kind, "ocr")) {
        p[1] = cs_i64(b1, job->page_id);
        if (cs_pq_exec(s, "UPDATE page SET status = 'failed', reason = $1, finished_at = now()"
                          " WHERE id = $2", 2, p, err, errlen) < 0)
            return -1;
        /* the file's other pages may all be done: its assembly must still happen */
        return cs_jobs_queue_assembly(s, job->batch_id, job->file_id, err, errlen);
    }
    if (!strcmp(job->kind, "assemble")) {
        p[1] = cs_i64(b1, job->file_id);
        return cs_pq_exec(s, "UPDATE page SET status = 'failed', reason = 'assembly failed: ' || $1,"
                             " finished_at = now()"
                             " WHERE file_id = $2 AND document_id IS NULL AND status = 'done'",
                          2, p, err, errlen);
    }
    p[1] = cs_i64(b1, job->batch_id);
    return cs_pq_exec(s, "UPDATE batch SET status = 'failed', error = $1 WHERE id = $2", 2, p,
                      err, errlen);
}

int cs_jobs_retry_or_fail(cs_store *s, const cs_job *job, const char *reason,
                          char *err, size_t errlen)
{
    char ibuf[24], abuf[24];
    const char *params[4] = {cs_i64(ibuf, job->id), job->worker, cs_i64(abuf, job->attempts),
                             reason};
    PGresult *r;
    long n;

    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    if (job->attempts < job->max_attempts) {
        /* backoff: 2, 4, 8 ... seconds, capped at five minutes */
        r = cs_pq(s,
            "UPDATE job SET status = 'queued', worker = NULL, lease_until = NULL,"
            "       last_error = $4,"
            "       run_after = now() + make_interval(secs => least(300, power(2, $3::int)))"
            " WHERE id = $1 AND status = 'running' AND worker = $2 AND attempts = $3",
            4, params, err, errlen);
    } else {
        r = cs_pq(s,
            "UPDATE job SET status = 'failed', lease_until = NULL, last_error = $4,"
            "       finished_at = now()"
            " WHERE id = $1 AND status = 'running' AND worker = $2 AND attempts = $3",
            4, params, err, errlen);
    }
    if (!r)
        goto fail;
    n = atol(PQcmdTuples(r));
    PQclear(r);
    if (n == 1 && job->attempts >= job->max_attempts && fail_subject(s, job, reason, err, errlen) < 0)
        goto fail;
    if (cs_pq_exec(s, "NOTIFY " NOTIFY_CHANNEL, 0, NULL, err, errlen) < 0)
        goto fail;
    return cs_pq_commit(s, err, errlen);
fail:
    cs_pq_rollback(s);
    return -1;
}

/* Advisory lock class of a batch's job inserts against its cancel (schema 018, note 2). */
#define CANCEL_LOCK_CLASS "7345012"

int cs_jobs_cancel_batch_lock(cs_store *s, long long batch_id, char *err, size_t errlen)
{
    char bbuf[24];
    const char *p[1] = {cs_i64(bbuf, batch_id)};
    /* waits for a stage that is inserting jobs of the batch to commit them */
    return cs_pq_exec(s, "SELECT pg_advisory_xact_lock(" CANCEL_LOCK_CLASS ", $1::integer)", 1, p,
                      err, errlen);
}

int cs_jobs_cancel_batch(cs_store *s, long long batch_id, long *queued, long *running,
                         long *failed, long *pages, char *err, size_t errlen)
{
    char bbuf[24];
    const char *p[1] = {cs_i64(bbuf, batch_id)};
    PGresult *r;

    /* a job being completed right now is locked: the DELETE waits for that
     * commit and then skips the job, done and kept */
    r = cs_pq(s,
        "WITH d AS (DELETE FROM job WHERE batch_id = $1 AND status IN ('queued', 'running', 'failed')"
        "            RETURNING *),"
        " m AS (INSERT INTO job (" JOB_COLUMNS ")"
        "       SELECT id, kind, batch_id, file_id, page_id, 'cancelled', priority, attempts,"
        "              max_attempts, run_after, NULL, worker, last_error, created_at, now() FROM d)"
        " SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),"
        "        count(*) FILTER (WHERE status = 'failed') FROM d", 1, p, err, errlen);
    if (!r)
        return -1;
    if (queued)
        *queued = (long)cs_pq_int(r, 0, 0);
    if (running)
        *running = (long)cs_pq_int(r, 0, 1);
    if (failed)
        *failed = (long)cs_pq_int(r, 0, 2);
    PQclear(r);
    r = cs_pq(s,
        "UPDATE page SET status = 'failed', reason = 'batch cancelled', finished_at = now()"
        " WHERE status = 'pending' AND file_id IN (SELECT id FROM source_file WHERE batch_id = $1)",
        1, p, err, errlen);
    if (!r)
        return -1;
    if (pages)
        *pages = atol(PQcmdTuples(r));
    PQclear(r);
    return cs_pq_exec(s, "NOTIFY " NOTIFY_CHANNEL, 0, NULL, err, errlen);
}

int cs_jobs_pending(cs_store *s, long *queued, long *running, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT count(*) FILTER (WHERE status = 'queued'),"
        "       count(*) FILTER (WHERE status = 'running')"
        "  FROM job WHERE status IN ('queued', 'running')", 0, NULL, err, errlen);
    if (!r)
        return -1;
    *queued = (long)cs_pq_int(r, 0, 0);
    *running = (long)cs_pq_int(r, 0, 1);
    PQclear(r);
    return 0;
}

int cs_jobs_listen(cs_store *s, char *err, size_t errlen)
{
    if (s->listening)
        return 0;
    if (cs_pq_exec(s, "LISTEN " NOTIFY_CHANNEL, 0, NULL, err, errlen) < 0)
        return -1;
    s->listening = 1;
    return 0;
}

int cs_jobs_wait(cs_store *s, int timeout_ms, char *err, size_t errlen)
{
    struct pollfd pfd;
    PGnotify *n;
    int got = 0;

    /* notifications that arrived with earlier results come first */
    while ((n = PQnotifies(s->conn)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    if (got)
        return 1;
    pfd.fd = PQsocket(s->conn);
    pfd.events = POLLIN;
    if (pfd.fd < 0)
        return cs_fail(err, errlen, "database connection is gone");
    if (poll(&pfd, 1, timeout_ms) < 0) {
        if (errno == EINTR)
            return 0;
        return cs_fail(err, errlen, "could not wait for the database: %s", strerror(errno));
    }
    if (!PQconsumeInput(s->conn))
        return cs_fail(err, errlen, "database connection lost while waiting");
    while ((n = PQnotifies(s->conn)) != NULL) {
        PQfreemem(n);
        got = 1;
    }
    return got;
}

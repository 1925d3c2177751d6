/*
 * batch.c — a batch's life after submit (issue 15): `chartscan batch cancel
 * ID` stops its unfinished work and keeps what was done; `chartscan batch
 * purge --older-than DAYS` drops the archive bytes of batches finished that
 * long ago.  Each is one transaction per batch with its audit row (ids and
 * counts only: no archive name, nothing from the pages).
 */
#include "pipeline/pipeline_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"

/*
 * Lock the batch and say whether it has work to cancel: 0 when it has
 * (queued, or a job queued or running), -1 with err when it is cancelled
 * already or finished.
 */
static int cancellable(cs_store *s, const char *id, char *err, size_t errlen)
{
    const char *p[1] = {id};
    PGresult *r = cs_pq(s,
        "SELECT status, status = 'queued' OR EXISTS (SELECT 1 FROM job j WHERE j.batch_id = b.id"
        "                                            AND j.status IN ('queued', 'running'))"
        "  FROM batch b WHERE id = $1 FOR UPDATE", 1, p, err, errlen);
    int rc = 0;

    if (!r)
        return -1;
    if (PQntuples(r) == 0)
        rc = cs_fail(err, errlen, "no batch %s (see \"chartscan status\")", id);
    else if (!strcmp(PQgetvalue(r, 0, 0), "cancelled"))
        rc = cs_fail(err, errlen, "batch %s was cancelled already", id);
    else if (strcmp(PQgetvalue(r, 0, 1), "t") != 0)
        rc = cs_fail(err, errlen, "batch %s is finished: it has no work left to cancel", id);
    PQclear(r);
    return rc;
}

int cs_batch_cancel(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen)
{
    char id[24], detail[256];
    const char *p[1] = {id};
    long queued = 0, running = 0, failed = 0, pages = 0, kept = 0;
    PGresult *r;

    if (cs_resolve_batch(s, batch, id, err, errlen) < 0 || cs_pq_begin(s, err, errlen) < 0)
        return -1;
    if (cs_jobs_cancel_batch_lock(s, atoll(id), err, errlen) < 0 ||
        cancellable(s, id, err, errlen) < 0 ||
        cs_jobs_cancel_batch(s, atoll(id), &queued, &running, &failed, &pages, err, errlen) < 0 ||
        cs_pq_exec(s, "UPDATE batch SET status = 'cancelled', cancelled_at = now() WHERE id = $1",
                   1, p, err, errlen) < 0)
        goto fail;
    r = cs_pq(s, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                 " WHERE f.batch_id = $1 AND p.status IN ('done', 'blank')", 1, p, err, errlen);
    if (!r)
        goto fail;
    kept = (long)cs_pq_int(r, 0, 0);
    PQclear(r);
    snprintf(detail, sizeof detail,
             "{\"jobs_queued\":%ld,\"jobs_running\":%ld,\"jobs_failed\":%ld,"
             "\"pages_cancelled\":%ld,\"pages_kept\":%ld}", queued, running, failed, pages, kept);
    if (cs_audit_command(s, "batch_cancel", "batch", id, detail, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    fprintf(out, "batch %s cancelled: %ld queued and %ld running jobs stopped, %ld failed jobs "
            "will not be retried; %ld pages not processed (marked failed, \"batch cancelled\"), "
            "%ld pages processed are kept\n", id, queued, running, failed, pages, kept);
    cs_log(CS_LOG_INFO, "batch %s: cancelled (%ld jobs)", id, queued + running + failed);
    return 0;
fail:
    cs_pq_rollback(s);
    return -1;
}

/* The batches whose archive a purge of days drops: finished (unpacked or
 * cancelled, no job queued or running) at least days ago, not purged yet. */
static const char purgeable_sql[] =
    "SELECT b.id, b.name FROM batch b"
    " WHERE b.purged_at IS NULL AND b.status IN ('unpacked', 'cancelled')"
    "   AND NOT EXISTS (SELECT 1 FROM job j WHERE j.batch_id = b.id"
    "                   AND j.status IN ('queued', 'running'))"
    "   AND greatest(b.unpacked_at, b.cancelled_at,"
    "                (SELECT max(j.finished_at) FROM job j WHERE j.batch_id = b.id"
    "                    AND j.status IN ('done', 'cancelled')))"
    "       <= now() - make_interval(days => $1::int)"
    " ORDER BY b.id";

int cs_batch_purge(cs_store *s, int days, FILE *out, char *err, size_t errlen)
{
    char dbuf[24], detail[128];
    const char *p[1] = {cs_i64(dbuf, days)};
    PGresult *r = cs_pq(s, purgeable_sql, 1, p, err, errlen);
    long long total = 0;
    int n;

    if (!r)
        return -1;
    n = PQntuples(r);
    for (int i = 0; i < n; i++) {
        const char *id = PQgetvalue(r, i, 0);
        long long freed = 0;

        if (cs_pq_begin(s, err, errlen) < 0)
            goto fail;
        if (cs_archive_purge(s, atoll(id), &freed, err, errlen) < 0)
            goto fail_tx;
        snprintf(detail, sizeof detail, "{\"bytes_freed\":%lld,\"older_than_days\":%d}", freed,
                 days);
        if (cs_audit_command(s, "batch_purge", "batch", id, detail, err, errlen) < 0 ||
            cs_pq_commit(s, err, errlen) < 0)
            goto fail_tx;
        fprintf(out, "batch %s (%s): archive purged, %lld bytes freed\n", id,
                PQgetvalue(r, i, 1), freed);
        cs_log(CS_LOG_INFO, "batch %s: archive purged (%lld bytes)", id, freed);
        total += freed;
    }
    PQclear(r);
    if (n == 0)
        fprintf(out, "no archive to purge: no batch finished %d or more days ago still holds "
                "its archive\n", days);
    else
        fprintf(out, "purged %d archive%s: %lld bytes (%.1f MiB) freed\n", n, n == 1 ? "" : "s",
                total, (double)total / (1024.0 * 1024.0));
    return 0;
fail_tx:
    cs_pq_rollback(s);
fail:
    PQclear(r);
    return -1;
}

/*
 * work_progress.c — the counts behind `chartscan work`'s progress bar and
 * closing summary: what the queue has done since the run started and what
 * is left.  Read by the pool's supervisor on its own connection; workers
 * are not slowed (workers/progress.c draws).
 *
 * Notes:
 *   1. "Since the run started" is the database server's clock (cs_work_counts
 *      takes the mark cs_work_mark read), so a worker host whose clock is off
 *      counts the same.  Pages are counted by finished_at, through the index
 *      page_finished.
 *   2. The pages left are the pending pages of batches that still have
 *      queued or running jobs (through job_batch and the page key), not a
 *      scan of every page ever processed.  Pages an unpack job has not yet
 *      brought in are not known: the total grows while archives unpack.
 */
#include "pipeline/pipeline_internal.h"

#include <string.h>

#include "common/common.h"

int cs_work_mark(cs_store *s, char *mark, size_t marklen, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, "SELECT now()::text", 0, NULL, err, errlen);

    if (!r)
        return -1;
    snprintf(mark, marklen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int cs_work_counts_get(cs_store *s, const char *mark, int summary, cs_work_counts *c, char *err,
                       size_t errlen)
{
    const char *p[1] = {mark};
    PGresult *r;

    memset(c, 0, sizeof *c);
    r = cs_pq(s,
        "SELECT (SELECT count(*) FROM page WHERE finished_at >= $1::timestamptz),"
        "       (SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
        "         WHERE p.status = 'pending' AND f.batch_id IN (SELECT batch_id FROM job"
        "               WHERE status IN ('queued', 'running') AND batch_id IS NOT NULL)),"
        "       (SELECT count(*) FROM job WHERE status = 'queued'),"
        "       (SELECT count(*) FROM job WHERE status = 'running')",
        1, p, err, errlen);
    if (!r)
        return -1;
    c->pages_done = (long)cs_pq_int(r, 0, 0);
    c->pages_left = (long)cs_pq_int(r, 0, 1);
    c->jobs_queued = (long)cs_pq_int(r, 0, 2);
    c->jobs_running = (long)cs_pq_int(r, 0, 3);
    PQclear(r);
    if (!summary)
        return 0;
    r = cs_pq(s,
        "SELECT (SELECT count(DISTINCT f.batch_id) FROM page p"
        "          JOIN source_file f ON f.id = p.file_id WHERE p.finished_at >= $1::timestamptz),"
        "       count(*) FILTER (WHERE p.status = 'blank'),"
        "       count(*) FILTER (WHERE p.status = 'failed'),"
        "       (SELECT count(*) FROM document WHERE created_at >= $1::timestamptz),"
        "       (SELECT count(*) FROM document WHERE created_at >= $1::timestamptz"
        "                                        AND status = 'filed'),"
        "       (SELECT count(*) FROM document WHERE created_at >= $1::timestamptz"
        "                                        AND status = 'review')"
        "  FROM page p WHERE p.finished_at >= $1::timestamptz",
        1, p, err, errlen);
    if (!r)
        return -1;
    c->batches = (long)cs_pq_int(r, 0, 0);
    c->pages_blank = (long)cs_pq_int(r, 0, 1);
    c->pages_failed = (long)cs_pq_int(r, 0, 2);
    c->documents = (long)cs_pq_int(r, 0, 3);
    c->filed = (long)cs_pq_int(r, 0, 4);
    c->review = (long)cs_pq_int(r, 0, 5);
    PQclear(r);
    return 0;
}

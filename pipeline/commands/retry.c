/*
 * retry.c — `chartscan retry [--batch ID]`: put failed jobs back in the
 * queue, after the cause (a full disk, a database outage, a missing
 * language pack) has been fixed.  What a failed job had marked failed is
 * restored first, so that the re-run replaces it: pages become pending
 * again, a batch queued again.  Pages refused for bad input (an
 * undecodable TIFF) were not failed by a job and are not retried: the same
 * input would fail the same way.
 */
#include "pipeline/pipeline_internal.h"

#include <string.h>

#include "common/common.h"

int cs_retry(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen)
{
    char id[24];
    const char *p[1] = {NULL};
    PGresult *r = NULL;

    if (batch) {
        if (cs_resolve_batch(s, batch, id, err, errlen) < 0)
            return -1;
        p[0] = id;
    }
    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(s,
            "UPDATE page SET status = 'pending', reason = NULL, finished_at = NULL"
            " WHERE id IN (SELECT page_id FROM job WHERE kind = 'ocr' AND status = 'failed'"
            "                AND ($1::bigint IS NULL OR batch_id = $1))", 1, p, err, errlen) < 0 ||
        cs_pq_exec(s,
            "UPDATE page SET status = 'done', reason = NULL"
            " WHERE reason LIKE 'assembly failed: %'"
            "   AND file_id IN (SELECT file_id FROM job WHERE kind = 'assemble'"
            "                     AND status = 'failed' AND ($1::bigint IS NULL OR batch_id = $1))",
            1, p, err, errlen) < 0 ||
        cs_pq_exec(s,
            "UPDATE batch SET status = 'queued', error = NULL"
            " WHERE id IN (SELECT batch_id FROM job WHERE kind = 'unpack' AND status = 'failed'"
            "                AND ($1::bigint IS NULL OR batch_id = $1))", 1, p, err, errlen) < 0)
        goto fail;
    r = cs_pq(s,
        "WITH q AS (UPDATE job SET status = 'queued', attempts = 0, run_after = now(),"
        "                  worker = NULL, lease_until = NULL, finished_at = NULL"
        "            WHERE status = 'failed' AND ($1::bigint IS NULL OR batch_id = $1)"
        "           RETURNING kind)"
        " SELECT count(*), count(*) FILTER (WHERE kind = 'unpack'),"
        "        count(*) FILTER (WHERE kind = 'ocr'), count(*) FILTER (WHERE kind = 'assemble')"
        "   FROM q", 1, p, err, errlen);
    if (!r || cs_pq_exec(s, "NOTIFY chartscan_jobs", 0, NULL, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    fprintf(out, "re-queued %s failed jobs (%s unpack, %s ocr, %s assemble)%s\n",
            PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
            cs_pq_int(r, 0, 0) ? "; run \"chartscan work\" to process them" : "");
    PQclear(r);
    return 0;
fail:
    PQclear(r);
    cs_pq_rollback(s);
    return -1;
}

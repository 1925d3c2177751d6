/*
 * stage_ocr.c — the ocr stage: one page of one stored TIFF through
 * ocr/ (decode, normalise, recognise), its text and confidence stored, and
 * the file's assembly queued when this was its last pending page.
 *
 * Notes:
 *   1. Recognition runs outside any transaction (it takes seconds); the
 *      results, the job's completion and the assembly trigger commit
 *      together afterwards.
 *   2. "Last page" is decided under a row lock on the source file, so two
 *      workers finishing the last two pages at once cannot both see the
 *      other's page as pending and leave the file unassembled.
 *   3. A page that cannot be decoded is the input's fault, not the stage's:
 *      it is marked failed with the reason and the job completes.
 */
#include "pipeline/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Make ctx->file_data hold the bytes of file_id (one file cached). */
static int load_file(cs_store *s, cs_stage_ctx *ctx, long long file_id, char *err, size_t errlen)
{
    char b1[24];
    const char *p[1] = {cs_i64(b1, file_id)};
    PGresult *r;
    size_t len;

    if (ctx->file_data && ctx->file_id == file_id)
        return 0;
    free(ctx->file_data);
    ctx->file_data = NULL;
    ctx->file_id = 0;
    r = PQexecParams(s->conn, "SELECT data FROM source_file WHERE id = $1", 1, NULL, p, NULL,
                     NULL, 1 /* binary: the bytes as stored */);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        cs_fail(err, errlen, "could not load file %lld: %s", file_id,
                PQresultStatus(r) == PGRES_TUPLES_OK ? "no stored bytes" : PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
        PQclear(r);
        return -1;
    }
    len = (size_t)PQgetlength(r, 0, 0);
    ctx->file_data = malloc(len ? len : 1);
    if (!ctx->file_data) {
        PQclear(r);
        return cs_fail(err, errlen, "out of memory loading file %lld", file_id);
    }
    memcpy(ctx->file_data, PQgetvalue(r, 0, 0), len);
    ctx->file_len = len;
    ctx->file_id = file_id;
    PQclear(r);
    return 0;
}

int cs_stage_ocr(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    char b[8][24], reason[CS_ERRLEN], conf[32], dms[32], oms[32];
    cs_ocr_result res;
    PGresult *r;
    int page_no, ok;

    memset(&res, 0, sizeof res);
    {
        const char *p[1] = {cs_i64(b[0], job->page_id)};
        r = cs_pq(s, "SELECT page_no, file_id FROM page WHERE id = $1", 1, p, err, errlen);
        if (!r)
            return -1;
        if (PQntuples(r) != 1) {
            PQclear(r);
            return cs_fail(err, errlen, "page %lld does not exist", (long long)job->page_id);
        }
        page_no = (int)cs_pq_int(r, 0, 0);
        PQclear(r);
    }
    if (load_file(s, ctx, job->file_id, err, errlen) < 0)
        return -1;
    if (!ctx->engine && cs_ocr_engine_new(NULL, &ctx->engine, err, errlen) < 0)
        return -1;

    ok = cs_ocr_page(ctx->engine, ctx->file_data, ctx->file_len, page_no, &res, reason,
                     sizeof reason) == 0;
    if (ok)
        cs_log(CS_LOG_DEBUG, "page %lld: decode %.0f ms, ocr %.0f ms, confidence %.0f",
               (long long)job->page_id, res.decode_ms, res.ocr_ms, res.confidence);
    else
        cs_log(CS_LOG_INFO, "page %lld: failed: %s", (long long)job->page_id, reason);

    if (cs_pq_begin(s, err, errlen) < 0)
        goto fail;
    {
        const char *p[1] = {cs_i64(b[0], job->file_id)};
        if (cs_pq_exec(s, "SELECT 1 FROM source_file WHERE id = $1 FOR UPDATE", 1, p, err,
                       errlen) < 0)
            goto fail;
    }
    if (ok) {
        snprintf(conf, sizeof conf, "%.2f", res.confidence);
        snprintf(dms, sizeof dms, "%.1f", res.decode_ms);
        snprintf(oms, sizeof oms, "%.1f", res.ocr_ms);
        const char *p[8] = {cs_i64(b[0], job->page_id), res.text, conf, cs_i64(b[1], res.width),
                            cs_i64(b[2], res.height), cs_i64(b[3], res.dpi), dms, oms};
        if (cs_pq_exec(s,
                "UPDATE page SET status = 'done', reason = NULL, text = $2, confidence = $3,"
                "       width = $4, height = $5, dpi = $6, decode_ms = $7, ocr_ms = $8,"
                "       finished_at = now() WHERE id = $1", 8, p, err, errlen) < 0)
            goto fail;
    } else {
        const char *p[2] = {cs_i64(b[0], job->page_id), reason};
        if (cs_pq_exec(s,
                "UPDATE page SET status = 'failed', reason = $2, text = NULL, confidence = NULL,"
                "       finished_at = now() WHERE id = $1", 2, p, err, errlen) < 0)
            goto fail;
    }
    if (cs_jobs_complete(s, job, err, errlen) < 0)
        goto fail;
    {
        const char *p[2] = {cs_i64(b[0], job->batch_id), cs_i64(b[1], job->file_id)};
        if (cs_pq_exec(s,
                "INSERT INTO job (kind, batch_id, file_id, priority)"
                " SELECT 'assemble', $1, $2, 0"
                "  WHERE NOT EXISTS (SELECT 1 FROM page WHERE file_id = $2 AND status = 'pending')"
                " ON CONFLICT DO NOTHING", 2, p, err, errlen) < 0)
            goto fail;
    }
    if (cs_pq_exec(s, "NOTIFY chartscan_jobs", 0, NULL, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_ocr_result_clear(&res);
    return 0;
fail:
    cs_pq_rollback(s);
    cs_ocr_result_clear(&res);
    return -1;
}

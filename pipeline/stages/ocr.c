/*
 * ocr.c — the ocr stage: one page of one stored TIFF through
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
 *   4. Barcodes are read on the cleaned page while it is in memory
 *      (cs_ocr_page: ocr/barcode.c, note 5) and their payloads stored
 *      with it; a page whose barcode is a separator (a chartscan cover
 *      sheet with a good check value, a patch code, the
 *      site's CHARTSCAN_SEPARATOR_PREFIX) gets status 'separator'.  A page
 *      whose barcodes cannot be read is processed without them.
 */
#include "pipeline/stages/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Make ctx->file_data hold the bytes of file_id (one file cached). */
static int load_file(cs_store *s, cs_stage_ctx *ctx, long long file_id, char *err, size_t errlen)
{
    char b1[24], what[48];
    const char *p[1] = {cs_i64(b1, file_id)};
    PGresult *r;
    size_t len;

    if (ctx->file_data && ctx->file_id == file_id)
        return 0;
    free(ctx->file_data);
    ctx->file_data = NULL;
    ctx->file_id = 0;
    snprintf(what, sizeof what, "load file %lld", file_id);
    r = cs_pq_bin(s, what, "SELECT data FROM source_file WHERE id = $1", 1, p, NULL, NULL,
                  1 /* binary: the bytes as stored */, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        PQclear(r);
        return cs_fail(err, errlen, "could not load file %lld: no stored bytes", file_id);
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

/* The page's words, replacing any from an earlier run, through COPY. */
static int store_words(cs_store *s, long long page_id, const cs_ocr_result *res, char *err,
                       size_t errlen)
{
    char b1[24];
    const char *p[1] = {cs_i64(b1, page_id)};
    cs_buf rows = CS_BUF_INIT;
    int rc = -1;

    if (cs_pq_exec(s, "DELETE FROM word WHERE page_id = $1", 1, p, err, errlen) < 0)
        return -1;
    if (res->nwords == 0)
        return 0;
    if (cs_copy_begin(s, "COPY word (page_id, seq, text, x, y, w, h, confidence, block, line)"
                         " FROM STDIN", err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < res->nwords; i++) {
        const cs_ocr_word *w = &res->words[i];
        if (cs_buf_printf(&rows, "%lld\t%zu\t", page_id, i + 1) < 0 ||
            cs_copy_value(&rows, w->text ? w->text : "", 0) < 0 ||
            cs_buf_printf(&rows, "\t%d\t%d\t%d\t%d\t%.2f\t%d\t%d\n", w->x, w->y, w->w, w->h,
                          w->confidence, w->block, w->line) < 0) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
        if (rows.len > 65536) {
            if (cs_copy_send(s, &rows, err, errlen) < 0)
                goto out;
            cs_buf_reset(&rows);
        }
    }
    if (cs_copy_send(s, &rows, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    cs_buf_free(&rows);
    return cs_copy_end(s, rc < 0 ? "failed" : NULL, rc < 0 ? NULL : err, errlen) < 0 ? -1 : rc;
}

/* Store what cleanup and recognition produced for a page. */
static int store_result(cs_store *s, long long page_id, const cs_ocr_result *res, char *err,
                        size_t errlen)
{
    const cs_cleanup *c = &res->cleanup;
    char b[6][24], conf[32], oconf[32], skew[32], blank[32], ms[512];
    const char *values[15];
    int lengths[15] = {0}, formats[15] = {0};
    PGresult *r;

    snprintf(conf, sizeof conf, "%.2f", res->confidence);
    snprintf(oconf, sizeof oconf, "%.3f", c->orientation_confidence);
    snprintf(skew, sizeof skew, "%.3f", c->skew);
    snprintf(blank, sizeof blank, "%.5f", c->blank_score);
    snprintf(ms, sizeof ms,
             "{\"decode\":%.1f,\"normalise\":%.1f,\"orient\":%.1f,\"deskew\":%.1f,"
             "\"binarise\":%.1f,\"clean\":%.1f,\"blank\":%.1f,\"ocr\":%.1f,\"encode\":%.1f,"
             "\"barcodes\":%.1f}",
             c->ms_decode, c->ms_normalise, c->ms_orient, c->ms_deskew, c->ms_binarise,
             c->ms_clean, c->ms_blank, c->ms_ocr, c->ms_encode, c->ms_barcodes);
    values[0] = cs_i64(b[0], page_id);
    values[1] = c->blank ? "blank" : "done";
    values[2] = res->text ? res->text : "";
    values[3] = conf;
    values[4] = cs_i64(b[1], res->width);
    values[5] = cs_i64(b[2], res->height);
    values[6] = cs_i64(b[3], res->dpi);
    values[7] = cs_i64(b[4], c->source_dpi ? c->source_dpi : res->dpi);
    values[8] = c->dpi_inferred || res->dpi_inferred ? "true" : "false";
    values[9] = cs_i64(b[5], c->rotation);
    values[10] = oconf;
    values[11] = skew;
    values[12] = blank;
    values[13] = ms;
    values[14] = res->cleaned ? (const char *)res->cleaned : NULL;
    lengths[14] = (int)res->cleaned_len;
    formats[14] = 1;   /* the image goes in binary */
    r = cs_pq_bin(s, "record the page's text and image",
        "UPDATE page SET status = $2, reason = NULL, text = $3, confidence = $4, width = $5,"
        "       height = $6, dpi = $7, source_dpi = $8, dpi_inferred = $9, rotation = $10,"
        "       orientation_confidence = $11, skew = $12, blank_score = $13, cleanup_ms = $14,"
        "       decode_ms = ($14::jsonb->>'decode')::real, ocr_ms = ($14::jsonb->>'ocr')::real,"
        "       cleaned = $15, barcodes = NULL, finished_at = now()"
        " WHERE id = $1", 15, values, lengths, formats, 0, err, errlen);
    if (!r)
        return -1;
    PQclear(r);
    return store_words(s, page_id, res, err, errlen);
}

/* Store them, and make the page a separator when one of them says so. */
static int store_barcodes(cs_store *s, long long page_id, char **texts, size_t n, char *err,
                          size_t errlen)
{
    const char *prefix = getenv("CHARTSCAN_SEPARATOR_PREFIX");
    char b1[24];
    int separator = 0, rc;
    cs_buf arr = CS_BUF_INIT;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        cs_barcode_kind k = cs_index_barcode_read(texts[i], prefix, NULL, NULL);
        separator |= k == CS_BARCODE_SHEET || k == CS_BARCODE_SEPARATOR;
    }
    cs_assemble_reasons_array(&arr, (const char *const *)texts, (int)n);
    if (cs_buf_failed(&arr)) {
        rc = cs_fail(err, errlen, "out of memory");
    } else {
        const char *p[3] = {cs_i64(b1, page_id), arr.data, separator ? "true" : "false"};
        rc = cs_pq_exec(s, "UPDATE page SET barcodes = $2::text[],"
                           "       status = CASE WHEN $3::boolean THEN 'separator' ELSE status END"
                           " WHERE id = $1", 3, p, err, errlen);
    }
    cs_log(CS_LOG_DEBUG, "page %lld: %zu barcodes%s", page_id, n, separator ? ", separator" : "");
    cs_buf_free(&arr);
    return rc;
}

/*
 * CHARTSCAN_OCR=off: pages are not decoded, cleaned or recognised (they are
 * stored as done, without text).  For benchmarks of the pipeline's overhead
 * only; never for real batches.
 */
static int ocr_switched_off(void)
{
    const char *v = getenv("CHARTSCAN_OCR");
    return v && !strcmp(v, "off");
}

int cs_stage_ocr(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    char b[2][24], reason[CS_ERRLEN];
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
    if (ocr_switched_off()) {
        /* measuring the pipeline's own cost: every stage runs but this one's work */
        ok = 1;
        res.text = calloc(1, 1);
        if (!res.text)
            return cs_fail(err, errlen, "out of memory");
    } else {
        if (load_file(s, ctx, job->file_id, err, errlen) < 0)
            return -1;
        if (!ctx->engine && cs_ocr_engine_new(NULL, &ctx->engine, err, errlen) < 0)
            return -1;
        ok = cs_ocr_page(ctx->engine, ctx->file_data, ctx->file_len, page_no, &res, reason,
                         sizeof reason) == 0;
    }
    if (ok && res.barcodes_error[0])
        cs_log(CS_LOG_WARN, "page %lld: barcodes not read: %s", (long long)job->page_id,
               res.barcodes_error);
    if (ok)
        cs_log(CS_LOG_DEBUG, "page %lld: %s, rotation %d, skew %.2f, ocr %.0f ms, confidence %.0f",
               (long long)job->page_id, res.cleanup.blank ? "blank" : "text",
               res.cleanup.rotation, res.cleanup.skew, res.cleanup.ms_ocr, res.confidence);
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
        if (store_result(s, job->page_id, &res, err, errlen) < 0 ||
            store_barcodes(s, job->page_id, res.barcodes, res.nbarcodes, err, errlen) < 0)
            goto fail;
    } else {
        const char *p[2] = {cs_i64(b[0], job->page_id), reason};
        if (cs_pq_exec(s,
                "UPDATE page SET status = 'failed', reason = $2, text = NULL, confidence = NULL,"
                "       cleaned = NULL, finished_at = now() WHERE id = $1;", 2, p, err, errlen) < 0 ||
            cs_pq_exec(s, "DELETE FROM word WHERE page_id = $1", 1, p, err, errlen) < 0)
            goto fail;
    }
    if (cs_jobs_complete(s, job, err, errlen) < 0)
        goto fail;
    if (cs_jobs_queue_assembly(s, job->batch_id, job->file_id, err, errlen) < 0)
        goto fail;
    if (cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_ocr_result_clear(&res);
    return 0;
fail:
    cs_pq_rollback(s);
    cs_ocr_result_clear(&res);
    return -1;
}

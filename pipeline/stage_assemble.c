/*
 * stage_assemble.c — the assemble stage, run when a source file's last
 * page is done: group its pages into documents, give each a type from the
 * active model and a patient from the roster, and decide 'filed' or
 * 'review'.  Pure decisions come from indexer/; this file gathers the
 * inputs and stores the outcome with the job's completion.
 *
 * Notes:
 *   1. This walking-skeleton version makes one document per TIFF file, of
 *      the pages whose OCR succeeded; failed pages stay outside any
 *      document and are reported as such.
 *   2. Only an MRN that follows an MRN label and exists in the roster files
 *      a document automatically.  A bare number that happens to equal an
 *      MRN is a candidate, never enough: a wrong-patient filing is the one
 *      mistake that must not happen.
 *   3. Re-running the stage replaces the file's documents.
 */
#include "pipeline/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define MAX_MRN_CANDIDATES 16

/* Load the active model into ctx when it is not the one already loaded. */
static int refresh_model(cs_store *s, cs_stage_ctx *ctx, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, "SELECT id FROM model WHERE kind = 'doctype' AND active", 0, NULL,
                        err, errlen);
    int id;
    char b1[24];

    if (!r)
        return -1;
    id = PQntuples(r) ? (int)cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    if (id == ctx->model_id)
        return 0;
    cs_classifier_free(&ctx->model);
    ctx->model_id = 0;
    if (id == 0)
        return 0;
    {
        const char *p[1] = {cs_i64(b1, id)};
        r = PQexecParams(s->conn, "SELECT data FROM model WHERE id = $1", 1, NULL, p, NULL, NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
            PQclear(r);
            return cs_fail(err, errlen, "could not read model %d", id);
        }
        if (cs_classifier_load(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), &ctx->model,
                               err, errlen) < 0) {
            PQclear(r);
            return -1;
        }
        PQclear(r);
    }
    ctx->model_id = id;
    return 0;
}

typedef struct match {
    long long patient_id;
    char mrn[CS_MRN_MAX];
    int labelled;
    int labelled_found;   /* a labelled MRN was printed at all */
} match;

/* The first candidate, labelled ones first, that is in the roster. */
static int find_patient(cs_store *s, const char *text, match *m, char *err, size_t errlen)
{
    cs_mrn_candidate c[MAX_MRN_CANDIDATES];
    cs_buf arr = CS_BUF_INIT;
    PGresult *r;
    int n = cs_index_find_mrns(text, c, MAX_MRN_CANDIDATES);

    memset(m, 0, sizeof *m);
    if (n == 0)
        return 0;
    /* MRN candidates are letters and digits only: safe inside an array literal */
    cs_buf_puts(&arr, "{");
    for (int i = 0; i < n; i++) {
        if (c[i].labelled)
            m->labelled_found = 1;
        cs_buf_printf(&arr, "%s\"%s\"", i ? "," : "", c[i].mrn);
    }
    if (cs_buf_puts(&arr, "}") < 0) {
        cs_buf_free(&arr);
        return cs_fail(err, errlen, "out of memory");
    }
    {
        const char *p[1] = {arr.data};
        r = cs_pq(s, "SELECT id, mrn FROM patient WHERE mrn = ANY($1::text[])", 1, p, err, errlen);
    }
    cs_buf_free(&arr);
    if (!r)
        return -1;
    for (int i = 0; i < n && !m->patient_id; i++) {
        for (int row = 0; row < PQntuples(r); row++) {
            if (!strcmp(PQgetvalue(r, row, 1), c[i].mrn)) {
                m->patient_id = cs_pq_int(r, row, 0);
                snprintf(m->mrn, sizeof m->mrn, "%s", c[i].mrn);
                m->labelled = c[i].labelled;
                break;
            }
        }
    }
    PQclear(r);
    return 0;
}

int cs_stage_assemble(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err,
                      size_t errlen)
{
    char b[6][24], conf[32], pconf[32];
    cs_buf text = CS_BUF_INIT;
    cs_prediction pred = {NULL, 0};
    const char *reason = NULL, *status;
    PGresult *r = NULL;
    match m;
    int first_page = 0, npages = 0;

    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    {
        const char *p[1] = {cs_i64(b[0], job->file_id)};
        if (cs_pq_exec(s, "SELECT 1 FROM source_file WHERE id = $1 FOR UPDATE", 1, p, err,
                       errlen) < 0 ||
            cs_pq_exec(s, "DELETE FROM document WHERE file_id = $1", 1, p, err, errlen) < 0)
            goto fail;
        r = cs_pq(s, "SELECT page_no, text FROM page WHERE file_id = $1 AND status = 'done'"
                     " ORDER BY page_no", 1, p, err, errlen);
        if (!r)
            goto fail;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (!first_page)
            first_page = (int)cs_pq_int(r, i, 0);
        if (i && cs_buf_puts(&text, "\n\f\n") < 0)
            goto oom;
        if (cs_buf_puts(&text, PQgetvalue(r, i, 1)) < 0)
            goto oom;
        npages++;
    }
    PQclear(r);
    r = NULL;

    if (npages > 0) {
        if (refresh_model(s, ctx, err, errlen) < 0)
            goto fail;
        if (ctx->model)
            cs_classifier_predict(ctx->model, text.data, &pred, 1);
        if (find_patient(s, text.data, &m, err, errlen) < 0)
            goto fail;

        if (!ctx->model)
            reason = "no document-type model (run chartscan train)";
        else if (!pred.label)
            reason = "document type not recognised";
        else if (!m.labelled_found && !m.patient_id)
            reason = "no MRN found";
        else if (!m.patient_id)
            reason = "MRN not in roster";
        else if (!m.labelled)
            reason = "MRN found only as an unlabelled number";
        status = reason ? "review" : "filed";
        snprintf(conf, sizeof conf, "%.4f", pred.confidence);
        /* until the calibrated matcher: a labelled exact MRN is strong, a bare one weak */
        snprintf(pconf, sizeof pconf, "%.2f", m.labelled ? 0.99 : 0.5);
        {
            const char *p[10] = {cs_i64(b[0], job->batch_id), cs_i64(b[1], job->file_id),
                                 cs_i64(b[2], first_page), status, pred.label,
                                 pred.label ? conf : NULL,
                                 ctx->model_id ? cs_i64(b[3], ctx->model_id) : NULL,
                                 m.patient_id ? cs_i64(b[4], m.patient_id) : NULL,
                                 m.patient_id ? pconf : NULL, reason};
            /* a label the taxonomy lacks is kept out of the foreign key */
            r = cs_pq(s,
                "INSERT INTO document (batch_id, file_id, first_page, status, doctype,"
                "       doctype_confidence, model_id, patient_id, patient_confidence, review_reason)"
                " VALUES ($1, $2, $3, $4, (SELECT code FROM doctype WHERE code = $5), $6, $7, $8,"
                "         $9, $10) RETURNING id", 10, p, err, errlen);
            if (!r)
                goto fail;
        }
        {
            const char *p[2] = {PQgetvalue(r, 0, 0), cs_i64(b[0], job->file_id)};
            if (cs_pq_exec(s, "UPDATE page SET document_id = $1 WHERE file_id = $2"
                              " AND status = 'done'", 2, p, err, errlen) < 0)
                goto fail;
        }
        cs_log(CS_LOG_INFO, "file %lld: document %s, %d pages, %s", (long long)job->file_id,
               PQgetvalue(r, 0, 0), npages, status);
        PQclear(r);
        r = NULL;
    }
    if (cs_jobs_complete(s, job, err, errlen) < 0 || cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_buf_free(&text);
    return 0;
oom:
    cs_fail(err, errlen, "out of memory assembling file %lld", (long long)job->file_id);
fail:
    PQclear(r);
    cs_pq_rollback(s);
    cs_buf_free(&text);
    return -1;
}

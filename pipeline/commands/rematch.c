/*
 * rematch.c — `chartscan rematch [--batch ID]`, also run after `chartscan
 * patients import`: the documents in review as "not in roster" or without
 * candidates are matched again against the roster as it is now, because
 * the patient they wait for may just have been added.
 *
 * The rules are the assemble stage's, not a copy of them: the candidates
 * come from cs_candidates_match on the document's own pages (fields and
 * evidence extracted as assembly extracts them), and the reasons from
 * cs_assemble_reasons, which holds the stored type decision (its model,
 * whether a type was proposed, its calibrated confidence) to the same
 * threshold.  The type is not decided again: a reviewer may have set it.
 * Reasons that did not come from those rules (a forced reason, a
 * reviewer's split) are kept, so such a document stays in review.  A
 * document is filed only when no reason is left, as assembly files it.
 *
 * Each document is one transaction: its source file is locked as the
 * assemble stage locks it, the document is checked again (still in
 * review, current, no patient chosen by a reviewer, no live lease), then
 * updated with an audit row 'rematch' (before and after as
 * review_snapshot records them), unless its reasons and candidates come
 * out as they were: then nothing is written.  A document a reviewer holds
 * is left alone and counted.  The report names documents by id and says what
 * they became, with reasons; never patient data.
 */
#include "pipeline/stages/stage_internal.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"

#define MAX_KEPT 4

typedef enum outcome { SKIPPED, HELD, FILED, CHANGED, UNCHANGED } outcome;

static const char *text(const cs_buf *b)
{
    return b->data ? b->data : "";
}

/* The operator, as cs_audit_command names them: $CHARTSCAN_ACTOR, else the OS user. */
static void actor_name(char *out, size_t outlen)
{
    const char *a = getenv("CHARTSCAN_ACTOR");
    struct passwd *pw;

    if (a && *a) {
        snprintf(out, outlen, "%s", a);
        return;
    }
    pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        snprintf(out, outlen, "%s", pw->pw_name);
    else
        snprintf(out, outlen, "uid %ld", (long)getuid());
}

/* A document's pages among its file's (fp), in page order, with their indexes. */
static int document_pages(cs_store *s, const char *doc, const cs_file_pages *fp,
                          cs_index_page **pages, size_t **page_index, size_t *n, char *err,
                          size_t errlen)
{
    const char *p[1] = {doc};
    PGresult *r = cs_pq(s, "SELECT id FROM page WHERE document_id = $1 ORDER BY page_no", 1, p,
                        err, errlen);
    int rows;

    *n = 0;
    if (!r)
        return -1;
    rows = PQntuples(r);
    *pages = calloc(rows ? (size_t)rows : 1, sizeof **pages);
    *page_index = calloc(rows ? (size_t)rows : 1, sizeof **page_index);
    if (!*pages || !*page_index) {
        PQclear(r);
        return cs_fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < fp->n; i++)
        for (int k = 0; k < rows; k++)
            if (fp->page_id[i] == cs_pq_int(r, k, 0)) {
                (*page_index)[*n] = i;
                (*pages)[(*n)++] = fp->pages[i];
                break;
            }
    PQclear(r);
    return 0;
}

/*
 * The state of doc, locked: -1 error, 0 no longer eligible, 1 held by a
 * reviewer, 2 ours.  *row: file_id, model or type proposed, type confidence.
 */
static int lock_document(cs_store *s, const char *doc, PGresult **row, char *err, size_t errlen)
{
    const char *p[1] = {doc};
    PGresult *r = cs_pq(s, "SELECT file_id FROM document WHERE id = $1", 1, p, err, errlen);

    *row = NULL;
    if (!r)
        return -1;
    if (PQntuples(r) == 1) {
        const char *q[1] = {PQgetvalue(r, 0, 0)};
        int ok = cs_pq_exec(s, "SELECT 1 FROM source_file WHERE id = $1 FOR UPDATE", 1, q, err,
                            errlen);
        PQclear(r);
        if (ok < 0)
            return -1;
    } else {
        PQclear(r);
        return 0;
    }
    r = cs_pq(s,
        "SELECT d.file_id, (d.model_id IS NOT NULL OR d.doctype_confidence IS NOT NULL)::int,"
        "       (d.doctype_confidence IS NOT NULL)::int, coalesce(d.doctype_confidence, 0),"
        "       EXISTS (SELECT 1 FROM review_lease l WHERE l.document_id = d.id"
        "                 AND l.lease_until > now())::int"
        "  FROM document d WHERE d.id = $1 AND d.status = 'review' AND d.superseded_at IS NULL"
        "   AND d.patient_id IS NULL FOR UPDATE OF d", 1, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 0;
    }
    *row = r;
    return cs_pq_int(r, 0, 4) ? 1 : 2;
}

/* The new state of doc: update it and write its audit row. */
static int store_outcome(cs_store *s, const char *doc, const cs_candidates *c,
                         const cs_match_score *scores, const cs_buf *fields,
                         const cs_buf *candidates, const cs_buf *reasons, const char *first,
                         int filed, char *err, size_t errlen)
{
    char patient[24] = "", conf[32] = "", actor[128], detail[96];
    PGresult *before;
    int rc;

    if (filed) {
        cs_i64(patient, c->ids[scores[0].record]);
        snprintf(conf, sizeof conf, "%.4f", scores[0].probability);
    }
    {
        const char *p[1] = {doc};
        before = cs_pq(s, "SELECT review_snapshot($1)::text", 1, p, err, errlen);
        if (!before)
            return -1;
    }
    {
        const char *p[8] = {doc, filed ? "filed" : "review", filed ? patient : NULL,
                            filed ? conf : NULL, fields->data, candidates->data, first,
                            reasons->data};
        rc = cs_pq_exec(s,
            "UPDATE document SET status = $2, patient_id = $3::bigint,"
            "       patient_confidence = $4::real, fields = $5::jsonb, candidates = $6::jsonb,"
            "       review_reason = $7, review_reasons = $8::text[],"
            "       filed_by = CASE WHEN $2 = 'filed' THEN 'auto' END,"
            "       filed_at = CASE WHEN $2 = 'filed' THEN now() END"
            " WHERE id = $1::bigint", 8, p, err, errlen);
    }
    if (rc == 0) {
        const char *p[4] = {actor, doc, detail, PQgetvalue(before, 0, 0)};
        actor_name(actor, sizeof actor);
        snprintf(detail, sizeof detail, "{\"filed\":%s,\"candidates\":%zu}",
                 filed ? "true" : "false", c->n);
        rc = cs_pq_exec(s,
            "INSERT INTO audit (actor, action, object_kind, object_id, detail, before, after)"
            " VALUES ($1, 'rematch', 'document', $2::bigint::text, $3::jsonb, $4::jsonb,"
            "         review_snapshot($2::bigint))", 4, p, err, errlen);
    }
    PQclear(before);
    return rc;
}

/*
 * Match doc again and store the outcome, in the open transaction: the
 * outcome, or -1.  *was and *now: the reasons before and after (static or
 * from the database; for the report).
 */
static int rematch_locked(cs_store *s, const char *doc, const PGresult *row, cs_buf *was,
                          cs_buf *now, char *err, size_t errlen)
{
    cs_file_pages fp;
    cs_index_page *pages = NULL;
    size_t *page_index = NULL, n = 0;
    cs_fields fields;
    cs_evidence *evidence = NULL;
    cs_candidates cands;
    cs_match_score *scores = NULL;
    cs_match_decision decision;
    const char *reasons[MAX_KEPT + CS_ASSEMBLE_MAX_REASONS];
    int nreasons = 0, rc = -1;
    cs_buf fields_json = CS_BUF_INIT, cands_json = CS_BUF_INIT, reasons_lit = CS_BUF_INIT;
    PGresult *old = NULL;

    memset(&fp, 0, sizeof fp);
    memset(&cands, 0, sizeof cands);
    memset(&decision, 0, sizeof decision);
    {
        const char *p[1] = {doc};
        old = cs_pq(s, "SELECT r FROM document d, unnest(coalesce(d.review_reasons,"
                       "       array_remove(ARRAY[d.review_reason], NULL))) r WHERE d.id = $1",
                    1, p, err, errlen);
        if (!old)
            goto out;
    }
    for (int i = 0; i < PQntuples(old); i++) {
        const char *reason = PQgetvalue(old, i, 0);
        cs_buf_printf(was, "%s%s", i ? "; " : "", reason);
        if (!cs_assemble_decided_reason(reason) && nreasons < MAX_KEPT)
            reasons[nreasons++] = reason;
    }
    if (cs_file_pages_load(s, cs_pq_int(row, 0, 0), 0, &fp, err, errlen) < 0 ||
        document_pages(s, doc, &fp, &pages, &page_index, &n, err, errlen) < 0)
        goto out;
    cs_index_extract_fields(pages, n, 0, &fields);
    if (cs_evidence_new(pages, n, 0, &evidence) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (cs_candidates_match(s, &fields, evidence, &cands, &scores, &decision, err, errlen) < 0)
        goto out;
    nreasons += cs_assemble_reasons((int)cs_pq_int(row, 0, 1), (int)cs_pq_int(row, 0, 2),
                                    atof(PQgetvalue(row, 0, 3)), &decision, NULL,
                                    reasons + nreasons);
    for (int i = 0; i < nreasons; i++)
        cs_buf_printf(now, "%s%s", i ? "; " : "", reasons[i]);
    cs_assemble_fields_json(&fields_json, &fields);
    cs_assemble_candidates_json(&cands_json, &cands, scores, &fp, page_index);
    cs_assemble_reasons_array(&reasons_lit, reasons, nreasons);
    if (cs_buf_failed(&fields_json) || cs_buf_failed(&cands_json) ||
        cs_buf_failed(&reasons_lit) || cs_buf_failed(was) || cs_buf_failed(now)) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (nreasons) {
        /* the same reasons and candidates as before: nothing to store or audit */
        const char *p[3] = {doc, cands_json.data, reasons_lit.data};
        PGresult *same = cs_pq(s, "SELECT candidates = $2::jsonb"
                                  "       AND coalesce(review_reasons, '{}') = $3::text[]"
                                  "  FROM document WHERE id = $1::bigint", 3, p, err, errlen);
        if (!same)
            goto out;
        rc = PQntuples(same) == 1 && PQgetvalue(same, 0, 0)[0] == 't' ? UNCHANGED : -1;
        PQclear(same);
        if (rc == UNCHANGED)
            goto out;
    }
    if (store_outcome(s, doc, &cands, scores, &fields_json, &cands_json, &reasons_lit,
                      nreasons ? reasons[0] : NULL, nreasons == 0, err, errlen) < 0)
        goto out;
    rc = nreasons == 0 ? FILED : CHANGED;
out:
    PQclear(old);
    cs_buf_free(&fields_json);
    cs_buf_free(&cands_json);
    cs_buf_free(&reasons_lit);
    cs_candidates_free(&cands);
    free(scores);
    cs_evidence_free(&evidence);
    free(pages);
    free(page_index);
    cs_file_pages_free(&fp);
    return rc;
}

/* One document, one transaction: its outcome, or -1. */
static int rematch_one(cs_store *s, const char *doc, cs_buf *was, cs_buf *now, char *err,
                       size_t errlen)
{
    PGresult *row = NULL;
    int state, rc;

    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    state = lock_document(s, doc, &row, err, errlen);
    if (state <= 1) {
        PQclear(row);
        cs_pq_rollback(s);
        return state < 0 ? -1 : state == 0 ? SKIPPED : HELD;
    }
    rc = rematch_locked(s, doc, row, was, now, err, errlen);
    PQclear(row);
    if (rc < 0 || cs_pq_commit(s, err, errlen) < 0) {
        cs_pq_rollback(s);
        return -1;
    }
    return rc;
}

int cs_rematch(cs_store *s, const char *batch, int quiet, FILE *out, char *err, size_t errlen)
{
    char id[24];
    const char *p[1] = {NULL};
    PGresult *r;
    int counts[UNCHANGED + 1] = {0}, rows;

    if (batch) {
        if (cs_resolve_batch(s, batch, id, err, errlen) < 0)
            return -1;
        p[0] = id;
    }
    r = cs_pq(s,
        "SELECT id FROM document d"
        " WHERE d.status = 'review' AND d.superseded_at IS NULL AND d.patient_id IS NULL"
        "   AND ($1::bigint IS NULL OR d.batch_id = $1)"
        "   AND (coalesce(d.review_reasons, ARRAY[d.review_reason])"
        "          && ARRAY['not in roster', 'no candidates']"
        "        OR coalesce(jsonb_array_length(d.candidates), 0) = 0)"
        " ORDER BY d.id", 1, p, err, errlen);
    if (!r)
        return -1;
    rows = PQntuples(r);
    for (int i = 0; i < rows; i++) {
        cs_buf was = CS_BUF_INIT, now = CS_BUF_INIT;
        const char *doc = PQgetvalue(r, i, 0);
        int o = rematch_one(s, doc, &was, &now, err, errlen);
        if (o < 0) {
            cs_buf_free(&was);
            cs_buf_free(&now);
            PQclear(r);
            return -1;
        }
        counts[o]++;
        /* UNCHANGED (the same reasons and candidates) and SKIPPED: nothing to say */
        if (o == FILED)
            fprintf(out, "  document %s: filed (was: %s)\n", doc, text(&was));
        else if (o == CHANGED)
            fprintf(out, "  document %s: still in review: %s (was: %s)\n", doc, text(&now),
                    text(&was));
        else if (o == HELD)
            fprintf(out, "  document %s: held by a reviewer, not matched again\n", doc);
        cs_buf_free(&was);
        cs_buf_free(&now);
    }
    PQclear(r);
    cs_log(CS_LOG_INFO, "rematch: %d documents, %d filed, %d changed, %d unchanged, %d held",
           rows, counts[FILED], counts[CHANGED], counts[UNCHANGED], counts[HELD]);
    if (quiet && counts[FILED] + counts[CHANGED] + counts[HELD] == 0)
        return 0;
    fprintf(out, "matched %d documents in review again: %d filed, %d still in review "
            "(%d for other reasons or candidates now), %d held by a reviewer\n",
            counts[FILED] + counts[CHANGED] + counts[UNCHANGED], counts[FILED],
            counts[CHANGED] + counts[UNCHANGED], counts[CHANGED], counts[HELD]);
    return 0;
}

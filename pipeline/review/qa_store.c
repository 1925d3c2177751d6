/*
 * qa_store.c — the sample audit of automatic filing: drawing samples,
 * the blind check, the accuracy report with Wilson intervals, and full
 * review of a batch.  See qa_store.h and schema/016_qa.sql.
 *
 * Notes:
 *   1. The pipeline's answer is frozen in qa_sample when the sample is
 *      drawn, so that a later correction of the document does not change
 *      what the audit measured.  Lists meant for the check never carry it
 *      before the check is stored (cs_qa_samples_json).
 *   2. A batch is sampled once (qa_batch's key): a second drawing, by hand
 *      or by default, finds the row and stops, whoever comes first.
 *   3. Full review reopens filed documents in place (status review), one
 *      transaction with an audit row per document.
 */
#include "pipeline/review/qa_store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

#define QA_Z95 1.959963984540054
#define QA_REASON "qa full review"

int cs_qa_wilson(long k, long n, double z, double *lo, double *hi)
{
    double p, z2, denom, centre, half;

    *lo = *hi = 0;
    if (n <= 0 || k < 0 || k > n)
        return -1;
    p = (double)k / (double)n;
    z2 = z * z;
    denom = 1 + z2 / n;
    centre = (p + z2 / (2.0 * n)) / denom;
    half = z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    *lo = centre - half < 0 ? 0 : centre - half;
    *hi = centre + half > 1 ? 1 : centre + half;
    /* the exact ends: no rounding may put 0 or n successes inside the interval */
    if (k == 0)
        *lo = 0;
    if (k == n)
        *hi = 1;
    return 0;
}

long cs_qa_sample_size(long auto_filed, double rate, long min_sample)
{
    long n;

    if (auto_filed <= 0)
        return 0;
    /* a hair below: 0.05 * 400 must be 20, not 21 after rounding */
    n = (long)ceil(rate * (double)auto_filed - 1e-9);
    if (n < min_sample)
        n = min_sample;
    return n > auto_filed ? auto_filed : n;
}

/* The drawing of batch (in a transaction): the number drawn or a negative code. */
static long draw(cs_store *s, const char *batch, double rate, long min_sample, const char *user,
                 char *err, size_t errlen)
{
    char rate_s[32], min_s[24], n_s[24], detail[160];
    const char *p[5] = {batch, rate_s, min_s, user, NULL};
    PGresult *r;
    long auto_filed, n;

    snprintf(rate_s, sizeof rate_s, "%.6f", rate);
    cs_i64(min_s, min_sample);
    r = cs_pq(s,
        "SELECT b.status = 'unpacked' AND NOT EXISTS (SELECT 1 FROM job j WHERE j.batch_id = b.id"
        "                                  AND j.status IN ('queued', 'running')),"
        "       EXISTS (SELECT 1 FROM qa_batch q WHERE q.batch_id = b.id),"
        "       (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'filed'"
        "           AND coalesce(d.filed_by, 'auto') = 'auto' AND d.superseded_at IS NULL)"
        "  FROM batch b WHERE b.id = $1::bigint", 1, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no batch %s", batch);
    }
    if (*PQgetvalue(r, 0, 1) == 't') {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen,
                                    "batch %s is sampled already", batch);
    }
    if (*PQgetvalue(r, 0, 0) != 't') {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "batch %s is not finished:"
                                    " sample it when its jobs are done", batch);
    }
    auto_filed = (long)cs_pq_int(r, 0, 2);
    PQclear(r);
    n = cs_qa_sample_size(auto_filed, rate, min_sample);
    p[4] = cs_i64(n_s, n);
    /* ON CONFLICT: a drawing that came first in the meantime wins (note 2) */
    r = cs_pq(s,
        "INSERT INTO qa_batch (batch_id, rate, min_sample, auto_filed, drawn_by)"
        " SELECT $1::bigint, $2::numeric, $3::int, (SELECT count(*) FROM document d"
        "          WHERE d.batch_id = $1::bigint AND d.status = 'filed'"
        "            AND coalesce(d.filed_by, 'auto') = 'auto' AND d.superseded_at IS NULL), $4"
        " ON CONFLICT (batch_id) DO NOTHING RETURNING auto_filed", 4, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen,
                                    "batch %s is sampled already", batch);
    }
    PQclear(r);
    {
        const char *q[2] = {batch, n_s};
        if (cs_pq_exec(s,
                "INSERT INTO qa_sample (batch_id, document_id, pipeline_patient_id, pipeline_doctype)"
                " SELECT d.batch_id, d.id, d.patient_id, d.doctype FROM document d"
                "  WHERE d.batch_id = $1::bigint AND d.status = 'filed'"
                "    AND coalesce(d.filed_by, 'auto') = 'auto' AND d.superseded_at IS NULL"
                "  ORDER BY random() LIMIT $2::int", 2, q, err, errlen) < 0)
            return CS_REVIEW_ERROR;
    }
    snprintf(detail, sizeof detail, "{\"rate\":%s,\"min\":%ld,\"auto_filed\":%ld,\"drawn\":%ld}",
             rate_s, min_sample, auto_filed, n);
    if (cs_review_store_audit(s, user, "qa_sample", "batch", batch, detail, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    return n;
}

long cs_qa_sample(cs_store *s, long long batch_id, double rate, long min_sample,
                  const char *user, char *err, size_t errlen)
{
    char batch[24];
    long n;

    if (!(rate > 0 && rate <= 1))
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen,
                                    "the rate must be more than 0 and at most 1");
    if (min_sample < 0 || batch_id <= 0 || !user || !*user)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no batch, minimum or user");
    cs_i64(batch, batch_id);
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    n = draw(s, batch, rate, min_sample, user, err, errlen);
    if (n < 0 || cs_pq_commit(s, err, errlen) < 0) {
        cs_pq_rollback(s);
        return n < 0 ? n : CS_REVIEW_ERROR;
    }
    cs_log(CS_LOG_INFO, "qa: batch %s: %ld documents sampled", batch, n);
    return n;
}

long cs_qa_sample_defaults(cs_store *s, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT b.id, p.rate, p.min_sample FROM batch b, qa_policy p"
        " WHERE p.enabled AND b.status = 'unpacked'"
        "   AND NOT EXISTS (SELECT 1 FROM qa_batch q WHERE q.batch_id = b.id)"
        "   AND NOT EXISTS (SELECT 1 FROM job j WHERE j.batch_id = b.id"
        "                      AND j.status IN ('queued', 'running'))"
        " ORDER BY b.id", 0, NULL, err, errlen);
    long done = 0;

    if (!r)
        return CS_REVIEW_ERROR;
    for (int i = 0; i < PQntuples(r); i++) {
        double rate = strtod(PQgetvalue(r, i, 1), NULL);
        long n = cs_qa_sample(s, cs_pq_int(r, i, 0), rate, (long)cs_pq_int(r, i, 2), "default",
                              err, errlen);
        if (n == CS_REVIEW_CONFLICT)
            continue;          /* drawn by someone else meanwhile, or work came back */
        if (n < 0) {
            PQclear(r);
            return n;
        }
        done++;
    }
    PQclear(r);
    return done;
}

/* The answer of one side as JSON: {patient_id, mrn, name, doctype}. */
#define QA_ANSWER(pid, dt)                                                                   \
    "jsonb_build_object('patient_id', " pid ", 'doctype', " dt ", 'mrn',"                    \
    " (SELECT p.mrn FROM patient p WHERE p.id = " pid "), 'name',"                           \
    " (SELECT p.last_name || ', ' || p.first_name FROM patient p WHERE p.id = " pid "))"

int cs_qa_check(cs_store *s, long long sample_id, const char *user, long long patient_id,
                const char *doctype, char **json, char *err, size_t errlen)
{
    char sid[24], pid[24], detail[160];
    const char *p[4] = {cs_i64(sid, sample_id), user, patient_id > 0 ? cs_i64(pid, patient_id)
                                                                      : NULL, doctype};
    PGresult *r = NULL;
    int rc = CS_REVIEW_ERROR;

    if (json)
        *json = NULL;
    if (!user || !*user || !doctype || !*doctype)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen,
                                    "name the document's type (and its patient) first");
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    {
        const char *q[3] = {p[0], p[2], p[3]};
        r = cs_pq(s,
            "SELECT checked_at IS NOT NULL,"
            "       $2::bigint IS NULL OR EXISTS (SELECT 1 FROM patient WHERE id = $2::bigint),"
            "       EXISTS (SELECT 1 FROM doctype WHERE code = $3)"
            "  FROM qa_sample WHERE id = $1::bigint FOR UPDATE", 3, q, err, errlen);
    }
    if (!r)
        goto out;
    if (PQntuples(r) != 1)
        rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no sample %s", sid);
    else if (*PQgetvalue(r, 0, 0) == 't')
        rc = cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "sample %s is checked already",
                                  sid);
    else if (*PQgetvalue(r, 0, 1) != 't')
        rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no patient %lld in the roster",
                                  patient_id);
    else if (*PQgetvalue(r, 0, 2) != 't')
        rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "unknown document type");
    else
        rc = 0;
    PQclear(r);
    r = NULL;
    if (rc < 0)
        goto out;
    rc = CS_REVIEW_ERROR;
    r = cs_pq(s,
        "UPDATE qa_sample SET checked_by = $2, checked_at = now(), reviewer_patient_id = $3::bigint,"
        "       reviewer_doctype = $4,"
        "       patient_right = pipeline_patient_id IS NOT DISTINCT FROM $3::bigint,"
        "       doctype_right = pipeline_doctype IS NOT DISTINCT FROM $4"
        " WHERE id = $1::bigint RETURNING document_id, patient_right, doctype_right,"
        "       jsonb_build_object('sample', id, 'document_id', document_id,"
        "         'patient_right', patient_right, 'doctype_right', doctype_right,"
        "         'pipeline', " QA_ANSWER("pipeline_patient_id", "pipeline_doctype") ","
        "         'reviewer', " QA_ANSWER("$3::bigint", "$4::text") ")::text",
        4, p, err, errlen);
    if (!r)
        goto out;
    snprintf(detail, sizeof detail, "{\"sample\":%s,\"patient_right\":%s,\"doctype_right\":%s}",
             sid, *PQgetvalue(r, 0, 1) == 't' ? "true" : "false",
             *PQgetvalue(r, 0, 2) == 't' ? "true" : "false");
    if (cs_review_store_audit(s, user, "qa_check", "document", PQgetvalue(r, 0, 0), detail, err,
                              errlen) < 0)
        goto out;
    if (json && !(*json = strdup(PQgetvalue(r, 0, 3)))) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (cs_pq_commit(s, err, errlen) < 0)
        goto out;
    PQclear(r);
    return 0;
out:
    PQclear(r);
    cs_pq_rollback(s);
    if (json) {
        free(*json);
        *json = NULL;
    }
    return rc;
}

int cs_qa_samples_json(cs_store *s, long long batch_id, char **json, char *err, size_t errlen)
{
    char b[24];
    const char *p[1] = {batch_id > 0 ? cs_i64(b, batch_id) : NULL};
    /* the pipeline's answer is not here (note 1): only whether the check agreed */
    PGresult *r = cs_pq(s,
        "SELECT jsonb_build_object('samples', coalesce(jsonb_agg(jsonb_build_object("
        "         'id', q.id, 'batch_id', q.batch_id, 'document_id', q.document_id,"
        "         'first_page', d.first_page, 'page_count', d.page_count,"
        "         'checked', q.checked_at IS NOT NULL, 'checked_by', q.checked_by,"
        "         'patient_right', q.patient_right, 'doctype_right', q.doctype_right)"
        "         ORDER BY q.checked_at IS NOT NULL, q.batch_id, q.id), '[]'::jsonb),"
        "       'doctypes', (SELECT coalesce(jsonb_agg(jsonb_build_object('code', t.code,"
        "                    'display', t.display) ORDER BY t.display), '[]'::jsonb)"
        "                      FROM doctype t))::text"
        "  FROM qa_sample q JOIN document d ON d.id = q.document_id"
        " WHERE $1::bigint IS NULL OR q.batch_id = $1::bigint", 1, p, err, errlen);

    *json = NULL;
    if (!r)
        return CS_REVIEW_ERROR;
    *json = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *json ? 0 : cs_fail(err, errlen, "out of memory");
}

/* The one bigint a query on one parameter gives: it, 0 for no row, or CS_REVIEW_ERROR. */
static long long one_id(cs_store *s, const char *sql, const char *param, char *err,
                        size_t errlen)
{
    const char *p[1] = {param};
    PGresult *r = cs_pq(s, sql, 1, p, err, errlen);
    long long id;

    if (!r)
        return CS_REVIEW_ERROR;
    id = PQntuples(r) == 1 ? cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

long long cs_qa_sample_document(cs_store *s, long long sample_id, char *err, size_t errlen)
{
    char sid[24];
    return one_id(s, "SELECT document_id FROM qa_sample WHERE id = $1::bigint",
                  cs_i64(sid, sample_id), err, errlen);
}

long long cs_qa_patient_by_mrn(cs_store *s, const char *mrn, char *err, size_t errlen)
{
    return one_id(s, "SELECT id FROM patient WHERE mrn = $1", mrn, err, errlen);
}

int cs_qa_tallies(cs_store *s, long long batch_id, cs_qa_tally **out, size_t *count, char *err,
                  size_t errlen)
{
    char b[24];
    const char *p[1] = {batch_id > 0 ? cs_i64(b, batch_id) : NULL};
    PGresult *r = cs_pq(s,
        "SELECT q.batch_id, bt.name, q.auto_filed, count(s.id), count(s.checked_at),"
        "       count(*) FILTER (WHERE s.patient_right), count(*) FILTER (WHERE s.doctype_right),"
        "       count(*) FILTER (WHERE s.patient_right AND s.doctype_right),"
        "       coalesce(bool_or(NOT s.patient_right), false), q.review_all_at IS NOT NULL"
        "  FROM qa_batch q JOIN batch bt ON bt.id = q.batch_id"
        "  LEFT JOIN qa_sample s ON s.batch_id = q.batch_id"
        " WHERE $1::bigint IS NULL OR q.batch_id = $1::bigint"
        " GROUP BY q.batch_id, bt.name, q.auto_filed, q.review_all_at ORDER BY q.batch_id",
        1, p, err, errlen);
    cs_qa_tally *t, *all;
    int n;

    *out = NULL;
    *count = 0;
    if (!r)
        return CS_REVIEW_ERROR;
    n = PQntuples(r);
    t = calloc((size_t)n + 1, sizeof *t);
    if (!t) {
        PQclear(r);
        return cs_fail(err, errlen, "out of memory");
    }
    all = &t[n];
    snprintf(all->name, sizeof all->name, "all");
    for (int i = 0; i < n; i++) {
        t[i].batch_id = cs_pq_int(r, i, 0);
        snprintf(t[i].name, sizeof t[i].name, "%s", PQgetvalue(r, i, 1));
        all->auto_filed += t[i].auto_filed = (long)cs_pq_int(r, i, 2);
        all->sampled += t[i].sampled = (long)cs_pq_int(r, i, 3);
        all->checked += t[i].checked = (long)cs_pq_int(r, i, 4);
        all->patient_right += t[i].patient_right = (long)cs_pq_int(r, i, 5);
        all->doctype_right += t[i].doctype_right = (long)cs_pq_int(r, i, 6);
        all->both_right += t[i].both_right = (long)cs_pq_int(r, i, 7);
        all->wrong_patient |= t[i].wrong_patient = *PQgetvalue(r, i, 8) == 't';
        all->full_review |= t[i].full_review = *PQgetvalue(r, i, 9) == 't';
    }
    PQclear(r);
    *out = t;
    *count = (size_t)n + 1;
    return 0;
}

/* "k/n pp.p% [lo-hi]" or "-" when nothing is checked. */
static void accuracy(char *buf, size_t len, long k, long n)
{
    double lo, hi;

    if (cs_qa_wilson(k, n, QA_Z95, &lo, &hi) < 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%ld/%ld %.1f%% [%.1f-%.1f]", k, n, 100.0 * k / n, 100 * lo, 100 * hi);
}

int cs_qa_report(cs_store *s, long long batch_id, FILE *out, char *err, size_t errlen)
{
    cs_qa_tally *t = NULL;
    size_t n = 0;

    if (cs_qa_tallies(s, batch_id, &t, &n, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    if (n == 1) {
        free(t);
        if (batch_id > 0)
            return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "batch %lld has no sample "
                                        "(or does not exist)", batch_id);
        fprintf(out, "no batch is sampled yet: \"chartscan qa sample --batch ID\"\n");
        return 0;
    }
    fprintf(out, "accuracy of automatic filing, measured by blind checks (95%% Wilson interval)\n");
    fprintf(out, "%-6s %-20s %6s %6s %7s  %-26s %-26s %-26s %s\n", "batch", "name", "auto",
            "sample", "checked", "patient right", "type right", "both right", "flag");
    for (size_t i = 0; i < n; i++) {
        char num[24], pa[64], ty[64], bo[64];
        const char *id = i == n - 1 ? "all" : cs_i64(num, t[i].batch_id);
        if (i == n - 1 && batch_id > 0)
            break;     /* one batch: its line is the whole report */
        accuracy(pa, sizeof pa, t[i].patient_right, t[i].checked);
        accuracy(ty, sizeof ty, t[i].doctype_right, t[i].checked);
        accuracy(bo, sizeof bo, t[i].both_right, t[i].checked);
        fprintf(out, "%-6s %-20.20s %6ld %6ld %7ld  %-26s %-26s %-26s %s%s\n", id,
                i == n - 1 ? "" : t[i].name, t[i].auto_filed, t[i].sampled, t[i].checked, pa, ty,
                bo, t[i].wrong_patient ? "WRONG PATIENT" : "",
                t[i].full_review && i < n - 1 ? " (in full review)" : "");
    }
    free(t);
    return 0;
}

/* One tally as JSON: counts, rates and Wilson intervals (null when nothing is checked). */
static void tally_json(cs_buf *b, const cs_qa_tally *t)
{
    const long k[3] = {t->patient_right, t->doctype_right, t->both_right};
    const char *names[3] = {"patient", "doctype", "both"};

    cs_buf_printf(b, "{\"batch_id\":%lld,\"name\":", t->batch_id);
    cs_buf_json_string(b, t->batch_id ? t->name : "all");
    cs_buf_printf(b, ",\"auto_filed\":%ld,\"sampled\":%ld,\"checked\":%ld,"
                     "\"wrong_patient\":%s,\"full_review\":%s", t->auto_filed, t->sampled,
                  t->checked, t->wrong_patient ? "true" : "false",
                  t->full_review ? "true" : "false");
    for (int i = 0; i < 3; i++) {
        double lo, hi;
        if (cs_qa_wilson(k[i], t->checked, QA_Z95, &lo, &hi) < 0)
            cs_buf_printf(b, ",\"%s\":{\"right\":%ld,\"rate\":null,\"low\":null,\"high\":null}",
                          names[i], k[i]);
        else
            cs_buf_printf(b, ",\"%s\":{\"right\":%ld,\"rate\":%.4f,\"low\":%.4f,\"high\":%.4f}",
                          names[i], k[i], (double)k[i] / t->checked, lo, hi);
    }
    cs_buf_puts(b, "}");
}

int cs_qa_report_json(cs_store *s, long long batch_id, char **json, char *err, size_t errlen)
{
    cs_qa_tally *t = NULL;
    cs_buf b = CS_BUF_INIT;
    size_t n = 0;

    *json = NULL;
    if (cs_qa_tallies(s, batch_id, &t, &n, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    cs_buf_puts(&b, "{\"batches\":[");
    for (size_t i = 0; i + 1 < n; i++) {
        if (i)
            cs_buf_puts(&b, ",");
        tally_json(&b, &t[i]);
    }
    cs_buf_puts(&b, "],\"overall\":");
    tally_json(&b, &t[n - 1]);
    cs_buf_puts(&b, "}");
    free(t);
    if (cs_buf_failed(&b)) {
        cs_buf_free(&b);
        return cs_fail(err, errlen, "out of memory");
    }
    *json = b.data;
    return 0;
}

/*
 * Every filed document of the batch reopened through the correction path
 * (cs_review_store_correct, CS_CORRECT_REOPEN), one transaction per
 * document: the reopen is exactly the one `document reopen` makes (its
 * checks, its 'reopen' audit row with the QA reason), a failure part way
 * leaves the documents already reopened correctly reopened, and a rerun
 * carries on (those are then skipped).  A document already reopened,
 * replaced or entered in error (a conflict) is skipped and counted.
 */
static long reopen_all(cs_store *s, const char *batch, const char *user, long *skipped,
                       char *err, size_t errlen)
{
    const char *p[1] = {batch};
    PGresult *r = cs_pq(s, "SELECT id FROM document WHERE batch_id = $1::bigint"
                           "   AND status = 'filed' ORDER BY id", 1, p, err, errlen);
    long n = 0;

    if (!r)
        return CS_REVIEW_ERROR;
    for (int i = 0; i < PQntuples(r); i++) {
        int rc = cs_review_store_correct(s, CS_CORRECT_REOPEN,
                                         strtoll(PQgetvalue(r, i, 0), NULL, 10), user,
                                         QA_REASON, NULL, err, errlen);
        if (rc == CS_REVIEW_CONFLICT) {
            (*skipped)++;
        } else if (rc < 0) {
            PQclear(r);
            cs_log(CS_LOG_WARN, "qa: batch %s: stopped after %ld reopened", batch, n);
            return rc;
        } else {
            n++;
        }
    }
    PQclear(r);
    if (err && errlen)
        err[0] = '\0';          /* a skipped document's message is no error */
    return n;
}

long cs_qa_review_all(cs_store *s, long long batch_id, const char *user, long *skipped,
                      char *err, size_t errlen)
{
    char batch[24], count[24], detail[96];
    const char *p[3] = {cs_i64(batch, batch_id), user, NULL};
    PGresult *r;
    long n, skip = 0;

    if (skipped)
        *skipped = 0;
    if (!user || !*user)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no user");
    r = cs_pq(s, "SELECT 1 FROM batch WHERE id = $1::bigint", 1, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    n = PQntuples(r);
    PQclear(r);
    if (n != 1)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no batch %s", batch);
    n = reopen_all(s, batch, user, &skip, err, errlen);
    if (n < 0)
        return n;
    if (skipped)
        *skipped = skip;
    p[2] = cs_i64(count, n);
    snprintf(detail, sizeof detail, "{\"documents\":%ld,\"skipped\":%ld}", n, skip);
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    if (cs_pq_exec(s, "UPDATE qa_batch SET review_all_by = $2, review_all_at = now(),"
                      "       review_all_count = $3::int WHERE batch_id = $1::bigint", 3, p, err,
                   errlen) < 0 ||
        cs_review_store_audit(s, user, "qa_review_all", "batch", batch, detail, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0) {
        cs_pq_rollback(s);
        return CS_REVIEW_ERROR;
    }
    cs_log(CS_LOG_INFO, "qa: batch %s: %ld documents reopened for full review, %ld skipped",
           batch, n, skip);
    return n;
}

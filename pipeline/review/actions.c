/*
 * actions.c — what a reviewer does to a document: confirm, change
 * its type or patient, split it at a page, merge it into the previous
 * document of its file, mark a page blank or not blank, reject it.  Each
 * action is one transaction: the document is locked, the reviewer's lease
 * checked, the change made, the PDFs the change touches rendered again,
 * and an audit row written with the document's state before and after
 * (chartscan.review_snapshot).  See review_store.h.
 *
 * Notes:
 *   1. A confirmed document is filed by the reviewer (filed_by = name); its
 *      type and text are kept in review_example for retraining.
 *   2. A merge moves the pages into the previous document of the file and
 *      deletes the emptied one.  When the previous document is filed (it
 *      may have left for the EHR), it is not edited: a new version
 *      replaces it, filed by the reviewer (005_ehr.sql's protocol).
 *      Otherwise the merged document stays in review, claimed by the
 *      reviewer.  Only documents in review are edited in place.
 *   3. Pages keep their file's page numbers; a document's first_page,
 *      last_page and page_count are recomputed from its pages after any
 *      change to them.
 *   4. Corrections of filed documents (cs_review_store_correct, 015): a
 *      reopen marks the filed version reopened_at and makes its correction,
 *      a new document in review with replaces_id set and the pages; the
 *      filed version stays current for the EHR until the correction is
 *      confirmed, which supersedes it.  A correction cannot be rejected nor
 *      merged away (the filed version would be left without its pages).  A
 *      cancel sets entered_in_error_at.  Both need a reason and no lease.
 */
#include "pipeline/review/review_store.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

#define LEASE_SECONDS 900

const char *cs_review_action_name(cs_review_action_kind kind)
{
    switch (kind) {
    case CS_REVIEW_CONFIRM: return "confirm";
    case CS_REVIEW_CHANGE_TYPE: return "change_type";
    case CS_REVIEW_CHANGE_PATIENT: return "change_patient";
    case CS_REVIEW_SPLIT: return "split";
    case CS_REVIEW_MERGE: return "merge";
    case CS_REVIEW_PAGE_BLANK: return "mark_blank";
    case CS_REVIEW_PAGE_NOT_BLANK: return "mark_not_blank";
    case CS_REVIEW_REJECT: return "reject";
    }
    return "unknown";
}

/* The state of the document under action, locked for the transaction. */
typedef struct locked_doc {
    char id[24], file_id[24];
    int first_page, last_page, page_count;
    int has_doctype, has_patient;
    int corrects;                 /* a reopened filed version's correction (015) */
    char *before;                 /* review_snapshot, malloc'd */
} locked_doc;

static int lock_document(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                         size_t errlen)
{
    const char *p[2] = {d->id, a->user};
    PGresult *r = cs_pq(s,
        "SELECT d.file_id, d.first_page, coalesce(d.last_page, d.first_page),"
        "       coalesce(d.page_count, 1), d.doctype IS NOT NULL, d.patient_id IS NOT NULL,"
        "       d.status,"
        "       EXISTS (SELECT 1 FROM review_lease l WHERE l.document_id = d.id"
        "                  AND l.reviewer = $2 AND l.lease_until > now()),"
        "       review_snapshot(d.id)::text,"
        "       EXISTS (SELECT 1 FROM document o WHERE o.id = d.replaces_id"
        "                  AND o.superseded_at IS NULL)"
        "  FROM document d WHERE d.id = $1::bigint FOR UPDATE", 2, p, err, errlen);
    int rc = 0;

    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        cs_fail(err, errlen, "no document %s", d->id);
        rc = CS_REVIEW_BAD;
    } else if (*PQgetvalue(r, 0, 7) != 't') {
        cs_fail(err, errlen, "document %s is not claimed by you: open it from the queue", d->id);
        rc = CS_REVIEW_CONFLICT;
    } else if (strcmp(PQgetvalue(r, 0, 6), "review") != 0) {
        cs_fail(err, errlen, "document %s is no longer in review (it is %s)", d->id,
                PQgetvalue(r, 0, 6));
        rc = CS_REVIEW_CONFLICT;
    } else {
        snprintf(d->file_id, sizeof d->file_id, "%s", PQgetvalue(r, 0, 0));
        d->first_page = (int)cs_pq_int(r, 0, 1);
        d->last_page = (int)cs_pq_int(r, 0, 2);
        d->page_count = (int)cs_pq_int(r, 0, 3);
        d->has_doctype = *PQgetvalue(r, 0, 4) == 't';
        d->has_patient = *PQgetvalue(r, 0, 5) == 't';
        d->corrects = *PQgetvalue(r, 0, 9) == 't';
        d->before = strdup(PQgetvalue(r, 0, 8));
        if (!d->before)
            rc = cs_fail(err, errlen, "out of memory");
    }
    PQclear(r);
    return rc;
}

/* first_page, last_page and page_count from the document's pages. */
static int recount(cs_store *s, const char *doc, char *err, size_t errlen)
{
    const char *p[1] = {doc};
    return cs_pq_exec(s,
        "UPDATE document d SET first_page = x.mn, last_page = x.mx, page_count = x.n"
        "  FROM (SELECT min(page_no) AS mn, max(page_no) AS mx, count(*) AS n FROM page"
        "         WHERE document_id = $1::bigint) x"
        " WHERE d.id = $1::bigint AND x.n > 0", 1, p, err, errlen);
}

static int render(cs_store *s, const char *doc, char *err, size_t errlen)
{
    return cs_document_render_pdf(s, strtoll(doc, NULL, 10), err, errlen);
}

/* The audit row of action by user: after is the snapshot of after_doc (NULL: none). */
static int audit_as(cs_store *s, const char *user, const char *action, const char *doc,
                    const char *detail, const char *before, const char *after_doc, char *err,
                    size_t errlen)
{
    const char *p[6] = {user, action, doc, detail, before, after_doc};
    return cs_pq_exec(s,
        "INSERT INTO audit (actor, action, object_kind, object_id, detail, before, after)"
        " VALUES ($1, $2, 'document', $3, $4::jsonb, $5::jsonb,"
        "         CASE WHEN $6::bigint IS NULL THEN NULL ELSE review_snapshot($6::bigint) END)",
        6, p, err, errlen);
}

static int audit(cs_store *s, const cs_review_action *a, const char *doc, const char *detail,
                 const char *before, const char *after_doc, char *err, size_t errlen)
{
    return audit_as(s, a->user, cs_review_action_name(a->kind), doc, detail, before, after_doc,
                    err, errlen);
}

/* The audit row of the document under action, with detail {key: value} (value a string). */
static int audit_pair(cs_store *s, const cs_review_action *a, const locked_doc *d,
                      const char *key, const char *value, char *err, size_t errlen)
{
    cs_buf b = CS_BUF_INIT;
    int rc;

    if (cs_buf_puts(&b, "{") < 0 || cs_buf_json_string(&b, key) < 0 || cs_buf_puts(&b, ":") < 0 ||
        cs_buf_json_string(&b, value) < 0 || cs_buf_puts(&b, "}") < 0) {
        cs_buf_free(&b);
        return cs_fail(err, errlen, "out of memory");
    }
    rc = audit(s, a, d->id, b.data, d->before, d->id, err, errlen);
    cs_buf_free(&b);
    return rc;
}

/*
 * Run an UPDATE meant to change one row: 1 when it did, 0 when it changed
 * none (the caller says why), CS_REVIEW_ERROR when the statement failed.
 */
static int update_one(cs_store *s, const char *sql, int n, const char *const *p, char *err,
                      size_t errlen)
{
    PGresult *r = cs_pq(s, sql, n, p, err, errlen);
    int changed;

    if (!r)
        return CS_REVIEW_ERROR;
    changed = atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    return changed;
}

static int act_confirm(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                       size_t errlen)
{
    const char *p[2] = {d->id, a->user};

    if (!d->has_doctype)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen,
                                    "choose a document type before confirming");
    if (!d->has_patient)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen,
                                    "choose a patient before confirming");
    if (cs_pq_exec(s, "UPDATE document SET status = 'filed', filed_by = $2, filed_at = now()"
                      " WHERE id = $1::bigint", 2, p, err, errlen) < 0 ||
        /* the confirmed type, on the text it was confirmed on: a labelled example */
        cs_pq_exec(s,
            "INSERT INTO review_example (document_id, doctype, text, reviewer, predicted)"
            " SELECT d.id, d.doctype, coalesce((SELECT string_agg(coalesce(pg.text, ''),"
            "            E'\\n\\f\\n' ORDER BY pg.page_no) FROM page pg WHERE pg.document_id = d.id), ''),"
            "        $2, d.doctype_alternatives->0->>'doctype'"
            "   FROM document d WHERE d.id = $1::bigint"
            " ON CONFLICT (document_id) DO UPDATE SET doctype = EXCLUDED.doctype,"
            "    text = EXCLUDED.text, reviewer = EXCLUDED.reviewer, confirmed_at = now()",
            2, p, err, errlen) < 0 ||
        cs_pq_exec(s, "DELETE FROM review_lease WHERE document_id = $1::bigint", 1, p, err,
                   errlen) < 0 ||
        /* the correction of a reopened version is filed: that version steps down (015) */
        (d->corrects &&
         cs_pq_exec(s, "UPDATE document SET superseded_at = now()"
                       " WHERE id = (SELECT replaces_id FROM document WHERE id = $1::bigint)"
                       "   AND superseded_at IS NULL", 1, p, err, errlen) < 0) ||
        audit(s, a, d->id, NULL, d->before, d->id, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    return 0;
}

static int act_change_type(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                           size_t errlen)
{
    const char *p[2] = {d->id, a->doctype};
    int changed;

    if (!a->doctype || !*a->doctype)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no document type given");
    changed = update_one(s, "UPDATE document SET doctype = t.code, doctype_confidence = 1"
                            "  FROM doctype t WHERE t.code = $2 AND document.id = $1::bigint",
                         2, p, err, errlen);
    if (changed < 0)
        return changed;
    if (!changed)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "unknown document type");
    return audit_pair(s, a, d, "doctype", a->doctype, err, errlen);
}

static int act_change_patient(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                              size_t errlen)
{
    char b1[24], detail[64];
    const char *p[2] = {d->id, cs_i64(b1, a->patient_id)};
    int changed;

    changed = update_one(s, "UPDATE document SET patient_id = pt.id, patient_confidence = 1"
                            "  FROM patient pt"
                            " WHERE pt.id = $2::bigint AND document.id = $1::bigint",
                         2, p, err, errlen);
    if (changed < 0)
        return changed;
    if (!changed)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no patient %lld in the roster",
                                    a->patient_id);
    snprintf(detail, sizeof detail, "{\"patient_id\":%lld}", a->patient_id);
    return audit(s, a, d->id, detail, d->before, d->id, err, errlen);
}

static int act_split(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                     size_t errlen)
{
    char b1[24], newid[24], detail[160];
    const char *p[2] = {d->id, cs_i64(b1, a->page_no)};
    PGresult *r;

    /* both parts must keep at least one page */
    r = cs_pq(s, "SELECT count(*) FILTER (WHERE page_no < $2::int),"
                 "       count(*) FILTER (WHERE page_no >= $2::int)"
                 "  FROM page WHERE document_id = $1::bigint", 2, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (cs_pq_int(r, 0, 0) == 0 || cs_pq_int(r, 0, 1) == 0) {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "cannot split at page %d: each "
                                    "part needs a page of the document", a->page_no);
    }
    PQclear(r);
    r = cs_pq(s,
        "INSERT INTO document (batch_id, file_id, first_page, last_page, page_count, status,"
        "       doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
        "       date_of_service, review_reason, split_reason, fields, candidates,"
        "       doctype_alternatives, review_reasons)"
        " SELECT batch_id, file_id, (SELECT min(page_no) FROM page WHERE document_id = d.id"
        "                              AND page_no >= $2::int), last_page, 0, 'review',"
        "        doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
        "        date_of_service, 'split by reviewer', 'split by reviewer', fields, candidates,"
        "        doctype_alternatives, ARRAY['split by reviewer']"
        "   FROM document d WHERE d.id = $1::bigint RETURNING id", 2, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    snprintf(newid, sizeof newid, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    {
        const char *q[3] = {d->id, p[1], newid};
        if (cs_pq_exec(s, "UPDATE page SET document_id = $3::bigint"
                          " WHERE document_id = $1::bigint AND page_no >= $2::int", 3, q, err,
                       errlen) < 0)
            return CS_REVIEW_ERROR;
    }
    if (recount(s, d->id, err, errlen) < 0 || recount(s, newid, err, errlen) < 0 ||
        render(s, d->id, err, errlen) < 0 || render(s, newid, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    snprintf(detail, sizeof detail, "{\"page\":%d,\"new_document\":%s}", a->page_no, newid);
    if (audit(s, a, d->id, detail, d->before, d->id, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    /* the new document's own trail starts here */
    {
        struct cs_review_action created = *a;
        char det[96];
        snprintf(det, sizeof det, "{\"split_from\":%s,\"page\":%d}", d->id, a->page_no);
        if (audit(s, &created, newid, det, NULL, newid, err, errlen) < 0)
            return CS_REVIEW_ERROR;
    }
    return 0;
}

static int act_merge(cs_store *s, const cs_review_action *a, locked_doc *d, long long *result,
                     char *err, size_t errlen)
{
    char first[24], lease[24], prev[24], target[24], detail[160], det[160];
    const char *p[3] = {d->file_id, cs_i64(first, d->first_page), a->user};
    char *prev_before = NULL;
    PGresult *r;
    int filed, rc = CS_REVIEW_ERROR;

    if (d->corrects)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "document %s corrects a filed "
                                    "document: file it, then reopen the previous one to merge",
                                    d->id);
    r = cs_pq(s,
        "SELECT d.id, review_snapshot(d.id)::text, d.status = 'filed',"
        "       EXISTS (SELECT 1 FROM review_lease l WHERE l.document_id = d.id"
        "                  AND l.lease_until > now() AND l.reviewer <> $3)"
        "  FROM document d WHERE d.file_id = $1::bigint AND d.first_page < $2::int"
        "   AND d.superseded_at IS NULL AND d.reopened_at IS NULL"
        " ORDER BY d.first_page DESC LIMIT 1 FOR UPDATE", 3, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "document %s is the first of "
                                    "its file: nothing to merge it with", d->id);
    }
    if (*PQgetvalue(r, 0, 3) == 't') {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "the previous document "
                                    "is being reviewed by someone else");
    }
    snprintf(prev, sizeof prev, "%s", PQgetvalue(r, 0, 0));
    filed = *PQgetvalue(r, 0, 2) == 't';
    prev_before = strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    if (!prev_before)
        return cs_fail(err, errlen, "out of memory");
    snprintf(target, sizeof target, "%s", prev);
    if (filed) {
        /* the previous document may have left already: a new version replaces it (005);
           the replaced version steps aside first, so that the new one may take its first page */
        const char *q[2] = {prev, a->user};
        if (cs_pq_exec(s, "UPDATE document SET superseded_at = now() WHERE id = $1::bigint", 1,
                       q, err, errlen) < 0)
            goto out;
        r = cs_pq(s,
            "INSERT INTO document (batch_id, file_id, first_page, last_page, page_count, status,"
            "       doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
            "       date_of_service, review_reason, split_reason, fields, candidates,"
            "       doctype_alternatives, review_reasons, filed_by, filed_at, replaces_id)"
            " SELECT batch_id, file_id, first_page, last_page, page_count, 'filed',"
            "        doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
            "        date_of_service, review_reason, split_reason, fields, candidates,"
            "        doctype_alternatives, review_reasons, $2, now(), id"
            "   FROM document WHERE id = $1::bigint RETURNING id", 2, q, err, errlen);
        if (!r)
            goto out;
        snprintf(target, sizeof target, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    {
        const char *q[5] = {d->id, prev, target, a->user, cs_i64(lease, LEASE_SECONDS)};
        if (cs_pq_exec(s, "UPDATE page SET document_id = $3::bigint"
                          " WHERE document_id IN ($1::bigint, $2::bigint)", 3, q, err, errlen) < 0 ||
            cs_pq_exec(s, "DELETE FROM document WHERE id = $1::bigint", 1, q, err, errlen) < 0 ||
            recount(s, target, err, errlen) < 0)
            goto out;
        if (!filed &&
            (cs_pq_exec(s,
                 "UPDATE document SET status = 'review', filed_by = NULL, filed_at = NULL,"
                 "       review_reason = coalesce(review_reason, 'merged by reviewer'),"
                 "       review_reasons = array_append(array_remove(coalesce(review_reasons,"
                 "                        '{}'), 'merged by reviewer'), 'merged by reviewer')"
                 " WHERE id = $1::bigint", 1, q + 2, err, errlen) < 0 ||
             cs_pq_exec(s,
                 "INSERT INTO review_lease (document_id, reviewer, lease_until)"
                 " VALUES ($1::bigint, $2, now() + make_interval(secs => $3::int))"
                 " ON CONFLICT (document_id) DO UPDATE SET reviewer = EXCLUDED.reviewer,"
                 "    lease_until = EXCLUDED.lease_until", 3, q + 2, err, errlen) < 0))
            goto out;
        if (render(s, target, err, errlen) < 0)
            goto out;
    }
    snprintf(detail, sizeof detail, "{\"merged_into\":%s}", target);
    if (audit(s, a, d->id, detail, d->before, NULL, err, errlen) < 0)
        goto out;
    /* the receiving document's trail: its state before and after taking the pages */
    snprintf(det, sizeof det, "{\"merged_from\":%s,\"replaces\":%s}", d->id,
             filed ? prev : "null");
    if (audit(s, a, target, det, prev_before, target, err, errlen) < 0)
        goto out;
    *result = strtoll(target, NULL, 10);
    rc = 0;
out:
    free(prev_before);
    return rc;
}

static int act_page(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                    size_t errlen)
{
    char b1[24], detail[64];
    const char *p[2] = {d->id, cs_i64(b1, a->page_no)};
    int changed;

    if (a->kind == CS_REVIEW_PAGE_BLANK) {
        if (d->page_count <= 1)
            return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "the document's only page "
                                        "cannot be blank: reject the document instead");
        changed = update_one(s, "UPDATE page SET status = 'blank', document_id = NULL"
                                " WHERE document_id = $1::bigint AND page_no = $2::int",
                             2, p, err, errlen);
    } else {
        /* a blank page of the same file, inside the document or next to it */
        changed = update_one(s, "UPDATE page pg SET status = 'done', document_id = d.id"
                                "  FROM document d"
                                " WHERE d.id = $1::bigint AND pg.file_id = d.file_id"
                                "   AND pg.page_no = $2::int AND pg.status = 'blank'"
                                "   AND pg.document_id IS NULL"
                                "   AND pg.page_no BETWEEN d.first_page - 1 AND d.last_page + 1",
                             2, p, err, errlen);
    }
    if (changed < 0)
        return changed;
    if (!changed)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, a->kind == CS_REVIEW_PAGE_BLANK
                                    ? "page %d is not a page of the document"
                                    : "page %d is not a blank page next to the document",
                                    a->page_no);
    snprintf(detail, sizeof detail, "{\"page\":%d}", a->page_no);
    if (recount(s, d->id, err, errlen) < 0 || render(s, d->id, err, errlen) < 0 ||
        audit(s, a, d->id, detail, d->before, d->id, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    return 0;
}

static int act_reject(cs_store *s, const cs_review_action *a, locked_doc *d, char *err,
                      size_t errlen)
{
    const char *p[2] = {d->id, a->reason};

    if (!a->reason || !*a->reason)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "a rejection needs a reason");
    if (d->corrects)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "document %s corrects a filed "
                                    "document: file it (an admin may then cancel it)", d->id);
    if (cs_pq_exec(s, "UPDATE document SET status = 'rejected', review_reason = $2,"
                      "       filed_by = NULL, filed_at = NULL WHERE id = $1::bigint", 2, p, err,
                   errlen) < 0 ||
        cs_pq_exec(s, "DELETE FROM review_lease WHERE document_id = $1::bigint", 1, p, err,
                   errlen) < 0)
        return CS_REVIEW_ERROR;
    return audit_pair(s, a, d, "reason", a->reason, err, errlen);
}

int cs_review_store_act(cs_store *s, const cs_review_action *a, long long *result_document,
                        char *err, size_t errlen)
{
    locked_doc d;
    long long result;
    int rc;

    memset(&d, 0, sizeof d);
    if (result_document)
        *result_document = 0;
    if (!a->user || !*a->user || a->document_id <= 0)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no document or no reviewer");
    result = a->document_id;
    cs_i64(d.id, a->document_id);
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    rc = lock_document(s, a, &d, err, errlen);
    if (rc < 0)
        goto out;
    switch (a->kind) {
    case CS_REVIEW_CONFIRM: rc = act_confirm(s, a, &d, err, errlen); break;
    case CS_REVIEW_CHANGE_TYPE: rc = act_change_type(s, a, &d, err, errlen); break;
    case CS_REVIEW_CHANGE_PATIENT: rc = act_change_patient(s, a, &d, err, errlen); break;
    case CS_REVIEW_SPLIT: rc = act_split(s, a, &d, err, errlen); break;
    case CS_REVIEW_MERGE: rc = act_merge(s, a, &d, &result, err, errlen); break;
    case CS_REVIEW_PAGE_BLANK:
    case CS_REVIEW_PAGE_NOT_BLANK: rc = act_page(s, a, &d, err, errlen); break;
    case CS_REVIEW_REJECT: rc = act_reject(s, a, &d, err, errlen); break;
    default: rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "unknown action");
    }
    if (rc < 0)
        goto out;
    if (cs_pq_commit(s, err, errlen) < 0) {
        rc = CS_REVIEW_ERROR;
        goto out;
    }
    if (result_document)
        *result_document = result;
    cs_log(CS_LOG_INFO, "review: document %s: %s", d.id, cs_review_action_name(a->kind));
    free(d.before);
    return 0;
out:
    cs_pq_rollback(s);
    free(d.before);
    return rc;
}

/* ---- corrections of filed documents (015_corrections.sql) ---- */

/*
 * Lock filed document id for a correction: 0 with its snapshot in *before
 * (malloc'd) when it is the current, filed version, neither reopened nor
 * entered in error; else CS_REVIEW_BAD / CS_REVIEW_CONFLICT with why.
 */
static int lock_filed(cs_store *s, const char *id, char **before, char *err, size_t errlen)
{
    const char *p[1] = {id};
    PGresult *r = cs_pq(s,
        "SELECT d.status, d.superseded_at IS NOT NULL, d.entered_in_error_at IS NOT NULL,"
        "       (SELECT n.id FROM document n WHERE n.replaces_id = d.id),"
        "       review_snapshot(d.id)::text"
        "  FROM document d WHERE d.id = $1::bigint FOR UPDATE", 1, p, err, errlen);
    int rc = 0;

    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1)
        rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no document %s", id);
    else if (strcmp(PQgetvalue(r, 0, 0), "filed") != 0)
        rc = cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "document %s is not filed "
                                  "(it is %s)", id, PQgetvalue(r, 0, 0));
    else if (*PQgetvalue(r, 0, 2) == 't')
        rc = cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "document %s was entered "
                                  "in error", id);
    else if (*PQgetvalue(r, 0, 1) == 't')
        rc = cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "document %s was replaced "
                                  "by document %s: correct that version", id,
                                  PQgetvalue(r, 0, 3));
    else if (!PQgetisnull(r, 0, 3))
        rc = cs_review_store_fail(CS_REVIEW_CONFLICT, err, errlen, "document %s is already "
                                  "reopened: its correction is document %s", id,
                                  PQgetvalue(r, 0, 3));
    else if (!(*before = strdup(PQgetvalue(r, 0, 4))))
        rc = cs_fail(err, errlen, "out of memory");
    PQclear(r);
    return rc;
}

/* {"reason": reason[, "correction": id]} into b; -1 when memory ran out. */
static int reason_detail(cs_buf *b, const char *reason, const char *correction)
{
    if (cs_buf_puts(b, "{\"reason\":") < 0 || cs_buf_json_string(b, reason) < 0)
        return -1;
    if (correction && cs_buf_printf(b, ",\"correction\":%s", correction) < 0)
        return -1;
    return cs_buf_puts(b, "}");
}

/* The reopen itself, in the caller's transaction; new_id receives the correction's id. */
static int reopen_locked(cs_store *s, const char *id, const char *user, const char *reason,
                         const char *before, char new_id[24], char *err, size_t errlen)
{
    const char *p[1] = {id};
    cs_buf b = CS_BUF_INIT;
    PGresult *r;
    int rc;

    /* the filed version steps aside (it stays current for the EHR), then its correction */
    if (cs_pq_exec(s, "UPDATE document SET reopened_at = now() WHERE id = $1::bigint", 1, p,
                   err, errlen) < 0)
        return CS_REVIEW_ERROR;
    r = cs_pq(s,
        "INSERT INTO document (batch_id, file_id, first_page, last_page, page_count, status,"
        "       doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
        "       date_of_service, review_reason, split_reason, fields, candidates,"
        "       doctype_alternatives, review_reasons, pdf, pdf_sha256, replaces_id)"
        " SELECT batch_id, file_id, first_page, last_page, page_count, 'review',"
        "        doctype, doctype_confidence, model_id, patient_id, patient_confidence,"
        "        date_of_service, 'reopened', split_reason, fields, candidates,"
        "        doctype_alternatives, ARRAY['reopened'], pdf, pdf_sha256, id"
        "   FROM document WHERE id = $1::bigint RETURNING id", 1, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    snprintf(new_id, 24, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    {
        const char *q[2] = {id, new_id};
        if (cs_pq_exec(s, "UPDATE page SET document_id = $2::bigint"
                          " WHERE document_id = $1::bigint", 2, q, err, errlen) < 0)
            return CS_REVIEW_ERROR;
    }
    if (reason_detail(&b, reason, new_id) < 0) {
        cs_buf_free(&b);
        return cs_fail(err, errlen, "out of memory");
    }
    rc = audit_as(s, user, "reopen", id, b.data, before, new_id, err, errlen);
    cs_buf_free(&b);
    return rc < 0 ? CS_REVIEW_ERROR : 0;
}

/* The cancel itself, in the caller's transaction. */
static int cancel_locked(cs_store *s, const char *id, const char *user, const char *reason,
                         const char *before, char *err, size_t errlen)
{
    const char *p[1] = {id};
    cs_buf b = CS_BUF_INIT;
    int rc;

    if (cs_pq_exec(s, "UPDATE document SET entered_in_error_at = now() WHERE id = $1::bigint",
                   1, p, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    if (reason_detail(&b, reason, NULL) < 0) {
        cs_buf_free(&b);
        return cs_fail(err, errlen, "out of memory");
    }
    rc = audit_as(s, user, "cancel", id, b.data, before, id, err, errlen);
    cs_buf_free(&b);
    return rc < 0 ? CS_REVIEW_ERROR : 0;
}

int cs_review_store_correct(cs_store *s, cs_review_correction kind, long long document_id,
                            const char *user, const char *reason, long long *correction,
                            char *err, size_t errlen)
{
    char id[24], new_id[24] = "";
    char *before = NULL;
    int rc;

    if (correction)
        *correction = 0;
    if (!user || !*user || document_id <= 0)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no document or no user");
    if (!reason || !reason[strspn(reason, " \t\r\n")])
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "%s needs a reason",
                                    kind == CS_CORRECT_REOPEN ? "reopening a document"
                                                              : "cancelling a document");
    cs_i64(id, document_id);
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    rc = lock_filed(s, id, &before, err, errlen);
    if (rc == 0)
        rc = kind == CS_CORRECT_REOPEN
                 ? reopen_locked(s, id, user, reason, before, new_id, err, errlen)
                 : cancel_locked(s, id, user, reason, before, err, errlen);
    free(before);
    if (rc == 0 && cs_pq_commit(s, err, errlen) < 0)
        rc = CS_REVIEW_ERROR;
    if (rc < 0) {
        cs_pq_rollback(s);
        return rc;
    }
    if (correction)
        *correction = kind == CS_CORRECT_REOPEN ? strtoll(new_id, NULL, 10) : document_id;
    cs_log(CS_LOG_INFO, "review: document %s: %s", id,
           kind == CS_CORRECT_REOPEN ? "reopen" : "cancel");
    return 0;
}

/*
 * dashboard_store.c — the figures of the station's dashboard (issue 14,
 * item 4), per batch and overall, read only, as JSON built by PostgreSQL:
 *
 *   pages, pending_pages      every page of the batch's files; those not yet
 *                             processed are the queue's depth
 *   pages_per_hour            pages finished in the last 60 minutes
 *   eta_minutes               pending_pages at that rate (0 when none is
 *                             pending, null when nothing finished in the hour)
 *   documents, auto_filed,    the current versions of the documents; those
 *   auto_file_rate            the pipeline filed on its own (filed_by 'auto')
 *   review_backlog,           documents in review, and how many of them carry
 *   backlog_by_reason         each reason (a document may carry several)
 *   decisions,                documents confirmed or rejected by a reviewer
 *   reviewer_hours,           (the audit trail's 'confirm' and 'reject'), the
 *   documents_per_reviewer_hour  time reviewers worked on the batch's
 *                             documents: the gap before each of a reviewer's
 *                             audited document actions, at most 5 minutes
 *                             (a pause, or the first action, counts as 5),
 *                             and their ratio
 *   qa                        the blind sample checks of automatic filing,
 *                             when the QA tables exist: checked, right
 *                             (patient and type), accuracy and its 95%
 *                             Wilson interval; {"available":false} otherwise
 *
 * No patient data: counts and rates only.
 */
#include "pipeline/review/review_store.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

/* One figure set, over the rows of the CTEs below that `cond` selects. */
#define FIGURES(cond)                                                                        \
    "jsonb_build_object("                                                                    \
    " 'pages', coalesce((SELECT sum(pages) FROM pg WHERE " cond "), 0),"                     \
    " 'pending_pages', coalesce((SELECT sum(pending) FROM pg WHERE " cond "), 0),"           \
    " 'pages_per_hour', coalesce((SELECT sum(last_hour) FROM pg WHERE " cond "), 0),"        \
    " 'eta_minutes', (SELECT CASE WHEN coalesce(sum(pending), 0) = 0 THEN 0"                 \
    "     WHEN sum(last_hour) > 0 THEN ceil(60.0 * sum(pending) / sum(last_hour)) END"       \
    "     FROM pg WHERE " cond "),"                                                          \
    " 'documents', coalesce((SELECT sum(docs) FROM dc WHERE " cond "), 0),"                  \
    " 'auto_filed', coalesce((SELECT sum(auto) FROM dc WHERE " cond "), 0),"                 \
    " 'auto_file_rate', (SELECT round(sum(auto)::numeric / nullif(sum(docs), 0), 3)"         \
    "     FROM dc WHERE " cond "),"                                                          \
    " 'review_backlog', coalesce((SELECT sum(review) FROM dc WHERE " cond "), 0),"           \
    " 'backlog_by_reason', coalesce((SELECT jsonb_object_agg(reason, n) FROM (SELECT"        \
    "     reason, sum(n) n FROM rs WHERE " cond " GROUP BY reason) x), '{}'),"              \
    " 'decisions', coalesce((SELECT sum(decisions) FROM rv WHERE " cond "), 0),"             \
    " 'reviewer_hours', coalesce((SELECT round(sum(hours)::numeric, 3) FROM rv WHERE "       \
    cond "), 0),"                                                                            \
    " 'documents_per_reviewer_hour', (SELECT round(sum(decisions) / nullif(sum(hours), 0)"   \
    "     ::numeric, 1) FROM rv WHERE " cond "))"

static const char dashboard_sql[] =
    "WITH pg AS (SELECT sf.batch_id, count(*) pages,"
    "       count(*) FILTER (WHERE p.status = 'pending') pending,"
    "       count(*) FILTER (WHERE p.status <> 'pending'"
    "                        AND p.finished_at > now() - interval '1 hour') last_hour"
    "     FROM page p JOIN source_file sf ON sf.id = p.file_id GROUP BY sf.batch_id),"
    " dc AS (SELECT batch_id, count(*) docs,"
    "       count(*) FILTER (WHERE status = 'filed' AND filed_by = 'auto') auto,"
    "       count(*) FILTER (WHERE status = 'review') review"
    "     FROM document WHERE superseded_at IS NULL GROUP BY batch_id),"
    " rs AS (SELECT batch_id, r reason, count(*) n FROM document, unnest(review_reasons) r"
    "     WHERE status = 'review' AND superseded_at IS NULL GROUP BY 1, 2),"
    " ev AS (SELECT a.action, d.batch_id, least(a.at - lag(a.at) OVER (PARTITION BY a.actor"
    "       ORDER BY a.at, a.id), interval '5 min') gap"
    "     FROM audit a LEFT JOIN document d ON d.id::text = a.object_id"
    "     WHERE a.object_kind = 'document' AND a.actor IN (SELECT name FROM review_user)),"
    " rv AS (SELECT batch_id, count(*) FILTER (WHERE action IN ('confirm', 'reject')) decisions,"
    "       extract(epoch FROM coalesce(sum(gap), interval '0')) / 3600.0 hours"
    "     FROM ev WHERE batch_id IS NOT NULL GROUP BY batch_id)"
    " SELECT jsonb_build_object("
    "  'overall', " FIGURES("true") ","
    "  'batches', coalesce((SELECT jsonb_agg(jsonb_build_object('id', b.id, 'name', b.name,"
    "       'status', b.status, 'submitted_at', b.submitted_at) || " FIGURES("batch_id = b.id")
    "       ORDER BY b.id DESC) FROM batch b), '[]'))::text";

/* The blind checks per batch and overall, with the 95% Wilson interval. */
static const char qa_sql[] =
    "WITH t AS (SELECT batch_id, count(*) FILTER (WHERE checked_at IS NOT NULL)::numeric n,"
    "       count(*) FILTER (WHERE patient_right AND doctype_right)::numeric k"
    "     FROM qa_sample GROUP BY ROLLUP (batch_id)),"
    " w AS (SELECT batch_id, n, k, 1.959964 z FROM t)"
    " SELECT jsonb_build_object('available', true, 'batches', coalesce(jsonb_object_agg("
    "   batch_id::text, f) FILTER (WHERE batch_id IS NOT NULL), '{}'),"
    "   'overall', coalesce((array_agg(f) FILTER (WHERE batch_id IS NULL))[1],"
    "   jsonb_build_object('checked', 0, 'right', 0)))::text FROM (SELECT batch_id,"
    "   jsonb_build_object('checked', n, 'right', k, 'accuracy', round(k / nullif(n, 0), 4),"
    "     'low', CASE WHEN n > 0 THEN round((k / n + z * z / (2 * n) - z * sqrt(k / n *"
    "       (1 - k / n) / n + z * z / (4 * n * n))) / (1 + z * z / n), 4) END,"
    "     'high', CASE WHEN n > 0 THEN round((k / n + z * z / (2 * n) + z * sqrt(k / n *"
    "       (1 - k / n) / n + z * z / (4 * n * n))) / (1 + z * z / n), 4) END) f FROM w) x";

/* One text value, malloc'd; NULL on error. */
static char *one_value(cs_store *s, const char *sql, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, sql, 0, NULL, err, errlen);
    char *v = NULL;

    if (!r)
        return NULL;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    else
        cs_fail(err, errlen, "the dashboard query gave no row");
    PQclear(r);
    return v;
}

int cs_review_store_dashboard(cs_store *s, char **json, char *err, size_t errlen)
{
    char *figures, *qa = NULL, *exists, qerr[CS_ERRLEN];
    cs_buf b = CS_BUF_INIT;

    *json = NULL;
    figures = one_value(s, dashboard_sql, err, errlen);
    if (!figures)
        return CS_REVIEW_ERROR;
    /* the QA tables come with their own migration: used when they are there */
    exists = one_value(s, "SELECT to_regclass('qa_sample') IS NOT NULL", qerr, sizeof qerr);
    if (exists && !strcmp(exists, "t")) {
        qa = one_value(s, qa_sql, qerr, sizeof qerr);
        if (!qa)
            cs_log(CS_LOG_WARN, "dashboard: the QA sample could not be read: %s", qerr);
    }
    free(exists);
    cs_buf_printf(&b, "{\"figures\":%s,\"qa\":%s}", figures,
                  qa ? qa : "{\"available\":false}");
    free(figures);
    free(qa);
    if (cs_buf_failed(&b) || !b.data) {
        cs_buf_free(&b);
        return cs_fail(err, errlen, "out of memory");
    }
    *json = b.data;
    return 0;
}

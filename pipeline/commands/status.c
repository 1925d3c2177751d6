/*
 * status.c — `chartscan status [--active] [--json]`: per batch, pages done
 * / blank / failed / left, documents filed / review, the rate over the
 * last five minutes and an estimate of the time left; then the queue's
 * totals.  --active keeps the batches with a job queued or running;
 * --json prints the same as one JSON object (keys in doc/chartscan.1).  A
 * batch with a prep sheet has its reconciliation under it (reconcile.c).
 */
#include "pipeline/pipeline_internal.h"

#include <string.h>

#include "common/common.h"

/* One row a batch ($1: only those with unfinished work).  The rate is pages a
 * minute over the last five minutes of activity. */
#define BATCHES_SQL \
    "SELECT x.*, CASE WHEN x.status = 'unpacked' THEN CASE WHEN x.pages_left > 0" \
    "                 THEN 'working' ELSE 'done' END ELSE x.status END AS state," \
    "       CASE WHEN x.pages_left = 0 THEN 0 WHEN x.pages_per_minute > 0" \
    "            THEN round(x.pages_left / x.pages_per_minute * 60) END AS eta_seconds" \
    "  FROM (SELECT b.id, b.name, b.status," \
    "         (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id) AS files," \
    "         count(p.id) AS pages," \
    "         count(p.id) FILTER (WHERE p.status = 'done') AS pages_done," \
    "         count(p.id) FILTER (WHERE p.status = 'blank') AS pages_blank," \
    "         count(p.id) FILTER (WHERE p.status = 'failed') AS pages_failed," \
    "         count(p.id) FILTER (WHERE p.status = 'pending') AS pages_left," \
    "         (SELECT count(*) FROM document d WHERE d.batch_id = b.id" \
    "                                            AND d.status = 'filed') AS documents_filed," \
    "         (SELECT count(*) FROM document d WHERE d.batch_id = b.id" \
    "                                            AND d.status = 'review') AS documents_review," \
    "         round((60.0 * count(p.id) FILTER (WHERE p.finished_at > now() - interval '5 minutes')" \
    "         / greatest(1.0, extract(epoch FROM" \
    "             max(p.finished_at) FILTER (WHERE p.finished_at > now() - interval '5 minutes')" \
    "           - min(p.finished_at) FILTER (WHERE p.finished_at > now() - interval '5 minutes'))))," \
    "           1) AS pages_per_minute," \
    "         (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id" \
    "                                               AND f.status <> 'pages') AS files_not_read," \
    "         b.error, b.purged_at IS NOT NULL AS archive_purged," \
    "         EXISTS (SELECT 1 FROM batch_expectation x WHERE x.batch_id = b.id) AS prep_sheet" \
    "    FROM batch b" \
    "    LEFT JOIN source_file f ON f.batch_id = b.id" \
    "    LEFT JOIN page p ON p.file_id = f.id" \
    "   WHERE NOT $1::boolean OR EXISTS (SELECT 1 FROM job j WHERE j.batch_id = b.id" \
    "                                    AND j.status IN ('queued', 'running'))" \
    "   GROUP BY b.id) x"

/* The queue's totals: the live partition only (schema 018). */
#define JOBS_SQL \
    "SELECT count(*) FILTER (WHERE status = 'queued') AS queued," \
    "       count(*) FILTER (WHERE status = 'running') AS running," \
    "       count(*) FILTER (WHERE status = 'failed') AS failed" \
    "  FROM job WHERE status IN ('queued', 'running', 'failed')"

static const char json_sql[] =
    "SELECT json_build_object("
    "  'batches', coalesce((SELECT json_agg(json_build_object("
    "      'id', id, 'name', name, 'state', state, 'files', files, 'pages', pages,"
    "      'pages_done', pages_done, 'pages_blank', pages_blank, 'pages_failed', pages_failed,"
    "      'pages_left', pages_left, 'documents_filed', documents_filed,"
    "      'documents_review', documents_review, 'pages_per_minute', pages_per_minute,"
    "      'eta_seconds', eta_seconds, 'files_not_read', files_not_read, 'error', error,"
    "      'archive_purged', archive_purged,"
    "      'reconciliation', " RECONCILIATION_JSON("y.id") ") ORDER BY id)"
    "    FROM (" BATCHES_SQL ") y), '[]'::json),"
    "  'jobs', (SELECT row_to_json(j) FROM (" JOBS_SQL ") j))";

static void format_eta(char *out, size_t outlen, const char *seconds_text)
{
    double seconds = -1;

    if (*seconds_text)
        sscanf(seconds_text, "%lf", &seconds);
    if (seconds < 0)
        snprintf(out, outlen, "-");
    else if (seconds < 90)
        snprintf(out, outlen, "%.0fs", seconds);
    else if (seconds < 5400)
        snprintf(out, outlen, "%.0fm", seconds / 60);
    else
        snprintf(out, outlen, "%.1fh", seconds / 3600);
}

static void print_bar(FILE *out, long total, long left)
{
    long finished = total - left;
    int width = 40, fill = total ? (int)(width * finished / total) : 0;

    fprintf(out, "       [");
    for (int k = 0; k < width; k++)
        fputs(k < fill ? "#" : "-", out);
    fprintf(out, "] %3.0f%%\n", total ? 100.0 * finished / total : 0.0);
}

/* Columns of BATCHES_SQL */
enum { C_ID, C_NAME, C_STATUS, C_FILES, C_PAGES, C_DONE, C_BLANK, C_FAILED, C_LEFT, C_FILED,
       C_REVIEW, C_RATE, C_NOT_READ, C_ERROR, C_PURGED, C_PREP, C_STATE, C_ETA };

static int print_batches(cs_store *s, const PGresult *r, int bars, FILE *out, char *err,
                         size_t errlen)
{
    fprintf(out, "%-6s %-24s %-9s %6s %7s %7s %6s %6s %7s %6s %6s %9s %6s\n", "batch", "name",
            "state", "files", "pages", "done", "blank", "failed", "left", "filed", "review",
            "pages/min", "eta");
    for (int i = 0; i < PQntuples(r); i++) {
        char eta[32];

        format_eta(eta, sizeof eta, PQgetvalue(r, i, C_ETA));
        fprintf(out, "%-6s %-24.24s %-9s %6s %7s %7s %6s %6s %7s %6s %6s %9s %6s\n",
                PQgetvalue(r, i, C_ID), PQgetvalue(r, i, C_NAME), PQgetvalue(r, i, C_STATE),
                PQgetvalue(r, i, C_FILES), PQgetvalue(r, i, C_PAGES), PQgetvalue(r, i, C_DONE),
                PQgetvalue(r, i, C_BLANK), PQgetvalue(r, i, C_FAILED), PQgetvalue(r, i, C_LEFT),
                PQgetvalue(r, i, C_FILED), PQgetvalue(r, i, C_REVIEW), PQgetvalue(r, i, C_RATE),
                eta);
        if (bars)
            print_bar(out, (long)cs_pq_int(r, i, C_PAGES), (long)cs_pq_int(r, i, C_LEFT));
        if (!PQgetisnull(r, i, C_ERROR))
            fprintf(out, "       ! %s\n", PQgetvalue(r, i, C_ERROR));
        if (cs_pq_int(r, i, C_NOT_READ) > 0)
            fprintf(out, "       %s archive entries skipped or failed (see \"chartscan export "
                    "manifest --batch %s\")\n", PQgetvalue(r, i, C_NOT_READ),
                    PQgetvalue(r, i, C_ID));
        if (!strcmp(PQgetvalue(r, i, C_PURGED), "t"))
            fprintf(out, "       archive purged (its sha256 is kept)\n");
        if (!strcmp(PQgetvalue(r, i, C_PREP), "t") &&
            cs_reconcile_print(s, PQgetvalue(r, i, C_ID), "       ", out, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int cs_print_json(cs_store *s, const char *sql, const char *param, FILE *out, char *err,
                  size_t errlen)
{
    const char *p[1] = {param};
    PGresult *r = cs_pq(s, sql, 1, p, err, errlen);

    if (!r)
        return -1;
    fprintf(out, "%s\n", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int cs_status_with(cs_store *s, const cs_status_options *o, FILE *out, char *err, size_t errlen)
{
    const char *p[1] = {o->active ? "true" : "false"};
    PGresult *r;

    if (o->json)
        return cs_print_json(s, json_sql, p[0], out, err, errlen);
    r = cs_pq(s, BATCHES_SQL " ORDER BY x.id", 1, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) == 0)
        fprintf(out, o->active ? "no batch has work left\n"
                               : "no batches yet: submit an archive with \"chartscan submit "
                                 "ARCHIVE\"\n");
    else if (print_batches(s, r, o->bars, out, err, errlen) < 0) {
        PQclear(r);
        return -1;
    }
    PQclear(r);

    r = cs_pq(s, JOBS_SQL, 0, NULL, err, errlen);
    if (!r)
        return -1;
    fprintf(out, "jobs: %s queued, %s running, %s failed\n", PQgetvalue(r, 0, 0),
            PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
    PQclear(r);
    return cs_export_rejections(s, out, err, errlen);
}

int cs_status(cs_store *s, int bars, FILE *out, char *err, size_t errlen)
{
    cs_status_options o = {0};
    o.bars = bars;
    return cs_status_with(s, &o, out, err, errlen);
}

/*
 * report.c — `chartscan report BATCH [--csv | --json]`: what a batch came to: counts
 * of files, pages and documents, the spread of confidences, and every
 * exception (failed or skipped entries, failed pages, documents in review)
 * with its reason, for the conversion team's reconciliation.  No patient
 * data: ids, paths inside the archive, counts and reasons only.
 */
#include "pipeline/pipeline_internal.h"

#include <string.h>

#include "common/common.h"

static void csv_field(FILE *out, const char *v)
{
    if (!strpbrk(v, ",\"\n\r")) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (; *v; v++) {
        if (*v == '"')
            fputc('"', out);
        fputc(*v, out);
    }
    fputc('"', out);
}

static void csv_row(FILE *out, const char *const *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        csv_field(out, v[i] ? v[i] : "");
    }
    fputc('\n', out);
}

#define COUNTS_SQL \
    "SELECT b.name, b.status AS state, coalesce(b.error, '') AS error," \
    "  (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id) AS files," \
    "  (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id AND f.status = 'pages')" \
    "    AS files_with_pages," \
    "  (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id AND f.status = 'skipped')" \
    "    AS files_skipped," \
    "  (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id AND f.status = 'failed')" \
    "    AS files_failed," \
    "  count(p.id) AS pages, count(p.id) FILTER (WHERE p.status = 'done') AS pages_done," \
    "  count(p.id) FILTER (WHERE p.status = 'blank') AS pages_blank," \
    "  count(p.id) FILTER (WHERE p.status = 'failed') AS pages_failed," \
    "  count(p.id) FILTER (WHERE p.status = 'pending') AS pages_pending," \
    "  (SELECT count(*) FROM document d WHERE d.batch_id = b.id) AS documents," \
    "  (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'filed')" \
    "    AS documents_filed," \
    "  (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'review')" \
    "    AS documents_review," \
    "  (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'rejected')" \
    "    AS documents_rejected," \
    "  count(p.id) FILTER (WHERE p.status = 'separator') AS pages_separator" \
    " FROM batch b LEFT JOIN source_file f ON f.batch_id = b.id LEFT JOIN page p ON p.file_id = f.id" \
    " WHERE b.id = $1 GROUP BY b.id"
static const char counts_sql[] = COUNTS_SQL;

static const char *const count_names[] = {
    "batch", "state", "error", "files", "files with pages", "files skipped", "files failed",
    "pages", "pages done", "pages blank", "pages failed", "pages pending", "documents",
    "documents filed", "documents in review", "documents rejected", "pages separator"};

/* min, 10th percentile, median, 90th percentile, max of a confidence */
#define SPREAD_SQL \
    "SELECT 'page OCR confidence (0-100)' AS measure, count(v) AS n," \
    "       round(min(v)::numeric, 1) AS min," \
    "       round(percentile_cont(0.1) WITHIN GROUP (ORDER BY v)::numeric, 1) AS p10," \
    "       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)::numeric, 1) AS median," \
    "       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY v)::numeric, 1) AS p90," \
    "       round(max(v)::numeric, 1) AS max" \
    "  FROM (SELECT p.confidence AS v FROM page p JOIN source_file f ON f.id = p.file_id" \
    "         WHERE f.batch_id = $1 AND p.status = 'done') x" \
    " UNION ALL " \
    "SELECT 'document type confidence', count(v), round(min(v)::numeric, 3)," \
    "       round(percentile_cont(0.1) WITHIN GROUP (ORDER BY v)::numeric, 3)," \
    "       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)::numeric, 3)," \
    "       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY v)::numeric, 3), round(max(v)::numeric, 3)" \
    "  FROM (SELECT doctype_confidence AS v FROM document WHERE batch_id = $1) x" \
    " UNION ALL " \
    "SELECT 'patient match probability', count(v), round(min(v)::numeric, 3)," \
    "       round(percentile_cont(0.1) WITHIN GROUP (ORDER BY v)::numeric, 3)," \
    "       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY v)::numeric, 3)," \
    "       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY v)::numeric, 3), round(max(v)::numeric, 3)" \
    "  FROM (SELECT patient_confidence AS v FROM document WHERE batch_id = $1) x"
static const char spread_sql[] = SPREAD_SQL;

#define EXCEPTIONS_SQL \
    "SELECT 'file' AS kind, NULL AS item, f.path AS file, NULL AS page, f.status, f.reason," \
    "       f.entry_index AS o1, 0 AS o2" \
    "  FROM source_file f WHERE f.batch_id = $1 AND f.status <> 'pages'" \
    " UNION ALL " \
    "SELECT 'page', NULL, f.path, p.page_no::text, p.status, p.reason, f.entry_index, p.page_no" \
    "  FROM page p JOIN source_file f ON f.id = p.file_id" \
    " WHERE f.batch_id = $1 AND p.status = 'failed'" \
    " UNION ALL " \
    "SELECT 'document', 'd-' || d.id, f.path, d.first_page::text, d.status, d.review_reason," \
    "       f.entry_index, d.first_page" \
    "  FROM document d JOIN source_file f ON f.id = d.file_id" \
    " WHERE d.batch_id = $1 AND d.status <> 'filed'" \
    " UNION ALL " \
    "SELECT 'job', j.kind || ' ' || j.id, f.path, p.page_no::text, j.status, j.last_error," \
    "       coalesce(f.entry_index, 0), coalesce(p.page_no, 0)" \
    "  FROM job j LEFT JOIN source_file f ON f.id = j.file_id LEFT JOIN page p ON p.id = j.page_id" \
    " WHERE j.batch_id = $1 AND j.status = 'failed'" \
    " UNION ALL " \
    /* what an interface engine rejected, in its own words (MSA-3, ERR) */ \
    "SELECT 'export', 'd-' || d.id, f.path, d.first_page::text, 'rejected by ' || t.name," \
    "       i.ack_code || coalesce(': ' || nullif(i.ack_text, ''), '')" \
    "         || coalesce('; ERR: ' || nullif(i.ack_error, ''), '')," \
    "       f.entry_index, d.first_page" \
    "  FROM destination_item i JOIN destination t ON t.id = i.destination_id" \
    "  JOIN document d ON d.id = i.document_id JOIN source_file f ON f.id = d.file_id" \
    " WHERE d.batch_id = $1 AND i.status = 'rejected'"
static const char exceptions_sql[] = EXCEPTIONS_SQL " ORDER BY 7, 8, 1";

/* The report as one JSON object (keys in doc/chartscan.1, "report --json"). */
static const char json_sql[] =
    "SELECT json_build_object("
    "  'batch', json_build_object('id', $1::bigint, 'name', c.name, 'state', c.state,"
    "                             'error', nullif(c.error, '')),"
    "  'counts', json_build_object('files', c.files, 'files_with_pages', c.files_with_pages,"
    "      'files_skipped', c.files_skipped, 'files_failed', c.files_failed, 'pages', c.pages,"
    "      'pages_done', c.pages_done, 'pages_blank', c.pages_blank,"
    "      'pages_failed', c.pages_failed, 'pages_pending', c.pages_pending,"
    "      'documents', c.documents, 'documents_filed', c.documents_filed,"
    "      'documents_review', c.documents_review, 'documents_rejected', c.documents_rejected,"
    "      'pages_separator', c.pages_separator),"
    "  'confidence', (SELECT json_agg(json_build_object('measure', measure, 'n', n, 'min', min,"
    "                     'p10', p10, 'median', median, 'p90', p90, 'max', max))"
    "                   FROM (" SPREAD_SQL ") sp),"
    "  'exceptions', coalesce((SELECT json_agg(json_build_object('kind', kind, 'item', item,"
    "                     'file', file, 'page', page::integer, 'status', status,"
    "                     'reason', reason) ORDER BY o1, o2, kind)"
    "                   FROM (" EXCEPTIONS_SQL ") ex), '[]'::json),"
    "  'reconciliation', " RECONCILIATION_JSON("$1::bigint") ")"
    " FROM (" COUNTS_SQL ") c";

int cs_report_json(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen)
{
    char id[24];

    if (cs_resolve_batch(s, batch, id, err, errlen) < 0)
        return -1;
    return cs_print_json(s, json_sql, id, out, err, errlen);
}

int cs_report(cs_store *s, const char *batch, int csv, FILE *out, char *err, size_t errlen)
{
    char id[24];
    const char *p[1] = {id};
    PGresult *counts = NULL, *spread = NULL, *ex = NULL;
    int rc = -1;

    if (cs_resolve_batch(s, batch, id, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err, errlen) < 0)
        return -1;
    counts = cs_pq(s, counts_sql, 1, p, err, errlen);
    spread = counts ? cs_pq(s, spread_sql, 1, p, err, errlen) : NULL;
    ex = spread ? cs_pq(s, exceptions_sql, 1, p, err, errlen) : NULL;
    if (!ex)
        goto out;

    if (csv) {
        static const char *const header[] = {"section", "item", "file", "page", "status",
                                             "reason", "value"};
        csv_row(out, header, 7);
        for (int c = 0; c < PQnfields(counts); c++) {
            const char *row[7] = {"count", count_names[c], NULL, NULL, NULL, NULL,
                                  PQgetvalue(counts, 0, c)};
            csv_row(out, row, 7);
        }
        for (int i = 0; i < PQntuples(spread); i++) {
            static const char *const stat[] = {"n", "min", "p10", "median", "p90", "max"};
            for (int c = 1; c < 7; c++) {
                const char *row[7] = {"confidence", PQgetvalue(spread, i, 0), NULL, stat[c - 1],
                                      NULL, NULL, PQgetvalue(spread, i, c)};
                /* "page" column reused for the statistic's name */
                csv_row(out, row, 7);
            }
        }
        for (int i = 0; i < PQntuples(ex); i++) {
            const char *row[7] = {PQgetvalue(ex, i, 0), PQgetvalue(ex, i, 1),
                                  PQgetvalue(ex, i, 2), PQgetvalue(ex, i, 3),
                                  PQgetvalue(ex, i, 4), PQgetvalue(ex, i, 5), NULL};
            csv_row(out, row, 7);
        }
    } else {
        fprintf(out, "batch %s: %s (%s)\n", id, PQgetvalue(counts, 0, 0), PQgetvalue(counts, 0, 1));
        if (*PQgetvalue(counts, 0, 2))
            fprintf(out, "  error: %s\n", PQgetvalue(counts, 0, 2));
        fprintf(out, "\n  archive entries %6s   with pages %s, skipped %s, failed %s\n",
                PQgetvalue(counts, 0, 3), PQgetvalue(counts, 0, 4), PQgetvalue(counts, 0, 5),
                PQgetvalue(counts, 0, 6));
        fprintf(out, "  pages           %6s   done %s, blank %s, failed %s, pending %s\n",
                PQgetvalue(counts, 0, 7), PQgetvalue(counts, 0, 8), PQgetvalue(counts, 0, 9),
                PQgetvalue(counts, 0, 10), PQgetvalue(counts, 0, 11));
        if (strcmp(PQgetvalue(counts, 0, 16), "0") != 0)
            fprintf(out, "  separator sheets %5s   (barcode cover sheets and separators: in no "
                    "document)\n", PQgetvalue(counts, 0, 16));
        fprintf(out, "  documents       %6s   filed %s, review %s, rejected %s\n",
                PQgetvalue(counts, 0, 12), PQgetvalue(counts, 0, 13), PQgetvalue(counts, 0, 14),
                PQgetvalue(counts, 0, 15));
        fputc('\n', out);
        if (cs_reconcile_print(s, id, "  ", out, err, errlen) < 0)
            goto out;
        fprintf(out, "\n  %-30s %6s %8s %8s %8s %8s %8s\n", "confidence", "n", "min", "p10",
                "median", "p90", "max");
        for (int i = 0; i < PQntuples(spread); i++)
            fprintf(out, "  %-30s %6s %8s %8s %8s %8s %8s\n", PQgetvalue(spread, i, 0),
                    PQgetvalue(spread, i, 1), PQgetvalue(spread, i, 2), PQgetvalue(spread, i, 3),
                    PQgetvalue(spread, i, 4), PQgetvalue(spread, i, 5), PQgetvalue(spread, i, 6));
        fprintf(out, "\n  exceptions: %d\n", PQntuples(ex));
        for (int i = 0; i < PQntuples(ex); i++) {
            fprintf(out, "  %-8s %-10s %s", PQgetvalue(ex, i, 0), PQgetvalue(ex, i, 1),
                    PQgetvalue(ex, i, 2));
            if (*PQgetvalue(ex, i, 3))
                fprintf(out, " page %s", PQgetvalue(ex, i, 3));
            fprintf(out, ": %s%s%s\n", PQgetvalue(ex, i, 4), *PQgetvalue(ex, i, 5) ? ": " : "",
                    PQgetvalue(ex, i, 5));
        }
    }
    rc = 0;
out:
    PQclear(ex);
    PQclear(spread);
    PQclear(counts);
    cs_pq_rollback(s);
    return rc;
}

/*
 * search.c — `chartscan search QUERY [--json] [--limit N]`: find filed
 * documents (current versions) by MRN, patient name, birth date, type,
 * date of service and the words of their OCR text.
 *
 * QUERY is words; a word with a prefix is a field, the rest is full text:
 *   mrn:MRN  name:LAST | name:LAST,FIRST | name:FIRST  born:YYYY-MM-DD
 *   type:CODE  from:YYYY-MM-DD  to:YYYY-MM-DD  (date of service, inclusive)
 * The full-text words go to websearch_to_tsquery('english', ...) (so
 * "quoted phrases", or, and -word work) against each page's text, through
 * the GIN index of schema 017.  Every field given must match.
 *
 * Audit: each search writes one row 'search' in the transaction that reads
 * the results, with the kinds of terms used, the count and the document
 * ids found.  The query itself is not recorded: an MRN, a name, a birth
 * date or words of a chart are patient data, and the audit trail (which
 * admins browse, and `chartscan audit` prints) needs to say what was
 * disclosed, not what was typed.
 */
#include "pipeline/review/review_store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

enum { Q_MRN, Q_LAST, Q_FIRST, Q_BORN, Q_TYPE, Q_FROM, Q_TO, Q_TEXT, Q_COUNT };

typedef struct query {
    char *value[Q_COUNT];        /* NULL: not given */
    cs_buf text;                 /* the full-text words */
    char *copy;                  /* the query's words, cut in place */
} query;

static const char *const kind_names[Q_COUNT] = {"mrn", "name", "first_name", "birth_date",
                                                "type", "service_from", "service_to", "text"};

static int valid_date(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (y < 1800 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

static void query_free(query *q)
{
    cs_buf_free(&q->text);
    free(q->copy);
}

/* Cut text into q: 0, or -1 with a message that quotes no value. */
static int query_parse(const char *text, query *q, char *err, size_t errlen)
{
    static const struct { const char *prefix; int kind; } fields[] = {
        {"mrn:", Q_MRN}, {"name:", Q_LAST}, {"born:", Q_BORN}, {"type:", Q_TYPE},
        {"from:", Q_FROM}, {"to:", Q_TO}};
    char *save = NULL;

    memset(q, 0, sizeof *q);
    if (!(q->copy = strdup(text)))
        return cs_fail(err, errlen, "out of memory");
    for (char *w = strtok_r(q->copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        size_t i, n = sizeof fields / sizeof fields[0];
        for (i = 0; i < n; i++)
            if (!strncmp(w, fields[i].prefix, strlen(fields[i].prefix)))
                break;
        if (i == n) {
            cs_buf_printf(&q->text, "%s%s", q->text.len ? " " : "", w);
            continue;
        }
        if (q->value[fields[i].kind])
            return cs_fail(err, errlen, "%s appears twice in the query", fields[i].prefix);
        w += strlen(fields[i].prefix);
        if (!*w)
            return cs_fail(err, errlen, "%s needs a value", fields[i].prefix);
        q->value[fields[i].kind] = w;
        if (fields[i].kind == Q_LAST && strchr(w, ',')) {
            char *comma = strchr(w, ',');
            *comma = '\0';
            q->value[Q_FIRST] = comma + 1;
            if (!*w || !comma[1])
                return cs_fail(err, errlen, "name: is LAST, LAST,FIRST or FIRST");
        }
        if ((fields[i].kind == Q_BORN || fields[i].kind == Q_FROM || fields[i].kind == Q_TO) &&
            !valid_date(w))
            return cs_fail(err, errlen, "%s needs a date YYYY-MM-DD", fields[i].prefix);
    }
    if (cs_buf_failed(&q->text))
        return cs_fail(err, errlen, "out of memory");
    q->value[Q_TEXT] = q->text.len ? q->text.data : NULL;
    for (int k = 0; k < Q_COUNT; k++)
        if (q->value[k])
            return 0;
    return cs_fail(err, errlen, "the query is empty");
}

static const char search_sql[] =
    "SELECT d.id, d.batch_id, coalesce(d.doctype, '-'), coalesce(d.date_of_service::text, '-'),"
    "       coalesce(d.page_count, 0), p.mrn, p.last_name, p.first_name,"
    "       coalesce(p.birth_date::text, '-'),"
    "       jsonb_build_object('document_id', d.id, 'batch_id', d.batch_id,"
    "           'doctype', d.doctype, 'date_of_service', d.date_of_service,"
    "           'page_count', d.page_count, 'filed_at', d.filed_at, 'filed_by', d.filed_by,"
    "           'patient', jsonb_build_object('id', p.id, 'mrn', p.mrn,"
    "               'last_name', p.last_name, 'first_name', p.first_name,"
    "               'birth_date', p.birth_date))::text"
    "  FROM document d JOIN patient p ON p.id = d.patient_id"
    " WHERE d.status = 'filed' AND d.superseded_at IS NULL"
    "   AND ($1::text IS NULL OR p.mrn = $1)"
    "   AND ($2::text IS NULL OR CASE WHEN $3::text IS NULL"
    "            THEN lower($2) IN (lower(p.last_name), lower(p.first_name))"
    "            ELSE lower(p.last_name) = lower($2) AND lower(p.first_name) = lower($3) END)"
    "   AND ($4::date IS NULL OR p.birth_date = $4::date)"
    "   AND ($5::text IS NULL OR d.doctype = $5)"
    "   AND ($6::date IS NULL OR d.date_of_service >= $6::date)"
    "   AND ($7::date IS NULL OR d.date_of_service <= $7::date)"
    "   AND ($8::text IS NULL OR EXISTS (SELECT 1 FROM page pg WHERE pg.document_id = d.id"
    "            AND to_tsvector('english'::regconfig, coalesce(pg.text, ''))"
    "                @@ websearch_to_tsquery('english'::regconfig, $8)))"
    " ORDER BY d.date_of_service DESC NULLS LAST, d.id"
    " LIMIT $9::int + 1";

/* The audit row's detail: the kinds of terms, the count, the ids (no values). */
static int audit_detail(cs_buf *b, const query *q, const PGresult *r, int shown, int more)
{
    const char *sep = "";

    cs_buf_puts(b, "{\"kinds\":[");
    for (int k = 0; k < Q_COUNT; k++)
        if (q->value[k]) {
            cs_buf_printf(b, "%s\"%s\"", sep, kind_names[k]);
            sep = ",";
        }
    cs_buf_printf(b, "],\"count\":%d,\"more\":%s,\"ids\":[", shown, more ? "true" : "false");
    for (int i = 0; i < shown; i++)
        cs_buf_printf(b, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
    cs_buf_puts(b, "]}");
    return cs_buf_failed(b) ? -1 : 0;
}

/* The results as a JSON array, each document as --json prints it. */
static int results_json(cs_buf *b, const PGresult *r, int shown)
{
    cs_buf_puts(b, "[");
    for (int i = 0; i < shown; i++)
        cs_buf_printf(b, "%s%s", i ? ",\n " : "", PQgetvalue(r, i, 9));
    cs_buf_puts(b, "]");
    return cs_buf_failed(b) ? -1 : 0;
}

static void print_results(FILE *out, const PGresult *r, int shown, int more)
{
    for (int i = 0; i < shown; i++)
        fprintf(out, "d-%s  batch %s  %-10s  %-20s  %s  %s, %s (born %s)  %s pages\n",
                PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 3),
                PQgetvalue(r, i, 2), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6),
                PQgetvalue(r, i, 7), PQgetvalue(r, i, 8), PQgetvalue(r, i, 4));
    fprintf(out, "%d document%s%s\n", shown, shown == 1 ? "" : "s",
            more ? " (more match: narrow the query or raise --limit)" : "");
}

/*
 * Run the query with its audit row (actor: a station user, or NULL for the
 * command's operator, cs_audit_command): the rows in *res, *shown of them
 * to show, *more when more match.  0, CS_REVIEW_BAD for a malformed query
 * or limit (err quotes no value), CS_REVIEW_ERROR.
 */
static int search_run(cs_store *s, const char *actor, const char *text, int limit,
                      PGresult **res, int *shown, int *more, char *err, size_t errlen)
{
    query q;
    cs_buf detail = CS_BUF_INIT;
    PGresult *r = NULL;
    char lim[24];
    int rc = CS_REVIEW_ERROR;

    *res = NULL;
    if (limit < 1 || limit > 1000)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "--limit needs 1 to 1000 documents");
    if (query_parse(text ? text : "", &q, err, errlen) < 0) {
        rc = CS_REVIEW_BAD;
        goto out;
    }
    {
        const char *p[9] = {q.value[Q_MRN], q.value[Q_LAST], q.value[Q_FIRST], q.value[Q_BORN],
                            q.value[Q_TYPE], q.value[Q_FROM], q.value[Q_TO], q.value[Q_TEXT],
                            cs_i64(lim, limit)};
        if (cs_pq_begin(s, err, errlen) < 0)
            goto out;
        if (!(r = cs_pq(s, search_sql, 9, p, err, errlen)))
            goto fail;
    }
    *more = PQntuples(r) > limit;
    *shown = *more ? limit : PQntuples(r);
    if (audit_detail(&detail, &q, r, *shown, *more) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto fail;
    }
    /* the results are shown only once their disclosure is recorded */
    if ((actor ? cs_review_store_audit(s, actor, "search", "document", NULL, detail.data, err,
                                       errlen)
               : cs_audit_command(s, "search", "document", NULL, detail.data, err, errlen)) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_log(CS_LOG_INFO, "search: %d documents", *shown);
    *res = r;
    r = NULL;
    rc = 0;
    goto out;
fail:
    cs_pq_rollback(s);
out:
    PQclear(r);
    cs_buf_free(&detail);
    query_free(&q);
    return rc;
}

int cs_search(cs_store *s, const char *text, int limit, int json, FILE *out, char *err,
              size_t errlen)
{
    PGresult *r;
    int shown = 0, more = 0;

    if (search_run(s, NULL, text, limit, &r, &shown, &more, err, errlen) < 0)
        return -1;
    if (json) {
        cs_buf b = CS_BUF_INIT;
        int rc = results_json(&b, r, shown);
        if (!rc)
            fprintf(out, "%s\n", b.data);
        cs_buf_free(&b);
        PQclear(r);
        return rc < 0 ? cs_fail(err, errlen, "out of memory") : 0;
    }
    print_results(out, r, shown, more);
    PQclear(r);
    return 0;
}

int cs_search_json(cs_store *s, const char *user, const char *text, int limit, char **json,
                   char *err, size_t errlen)
{
    cs_buf b = CS_BUF_INIT;
    PGresult *r;
    int shown = 0, more = 0, rc;

    *json = NULL;
    if ((rc = search_run(s, user, text, limit, &r, &shown, &more, err, errlen)) < 0)
        return rc;
    cs_buf_printf(&b, "{\"more\":%s,\"documents\":", more ? "true" : "false");
    rc = results_json(&b, r, shown);
    cs_buf_puts(&b, "}");
    PQclear(r);
    if (rc < 0 || cs_buf_failed(&b)) {
        cs_buf_free(&b);
        return cs_review_store_fail(CS_REVIEW_ERROR, err, errlen, "out of memory");
    }
    *json = b.data;
    return shown;
}

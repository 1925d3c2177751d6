/*
 * copy.c — bulk loading with COPY FROM STDIN in text format: escaping a
 * value, sending rows, ending the copy and collecting its result.  Used for
 * roster imports, the words of every page and the export bookkeeping.
 *
 * States of a store (s->copying): idle -> cs_copy_begin -> copying ->
 * cs_copy_send ... -> cs_copy_end -> idle.  A begin that fails leaves the
 * store idle; an end always does, whether it finishes or aborts the copy.
 */
#include "pipeline/pipeline_internal.h"

#include <assert.h>
#include <string.h>

#include "common/common.h"

int cs_copy_value(cs_buf *b, const char *v, int null_if_empty)
{
    if (!v || (null_if_empty && !*v))
        return cs_buf_puts(b, "\\N");
    for (; *v; v++) {
        int rc;
        switch (*v) {
        case '\\': rc = cs_buf_puts(b, "\\\\"); break;
        case '\t': rc = cs_buf_puts(b, "\\t"); break;
        case '\n': rc = cs_buf_puts(b, "\\n"); break;
        case '\r': rc = cs_buf_puts(b, "\\r"); break;
        default:   rc = cs_buf_append(b, v, 1); break;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

int cs_copy_begin(cs_store *s, const char *copy_sql, char *err, size_t errlen)
{
    const char *table = copy_sql + (strncmp(copy_sql, "COPY ", 5) == 0 ? 5 : 0);
    PGresult *r;
    int ok;

    assert(!s->copying);
    /* "COPY table (columns) FROM STDIN": the table, for the messages */
    snprintf(s->copy_table, sizeof s->copy_table, "%.*s", (int)strcspn(table, " ("), table);
    r = PQexec(s->conn, copy_sql);
    ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        cs_fail(err, errlen, "could not start loading rows into %s: %s", s->copy_table,
                PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(r);
    s->copying = ok;
    return ok ? 0 : -1;
}

int cs_copy_send(cs_store *s, const cs_buf *rows, char *err, size_t errlen)
{
    assert(s->copying);
    if (cs_buf_failed(rows))   /* rows are missing: send none of them */
        return cs_fail(err, errlen, "out of memory");
    if (rows->len && PQputCopyData(s->conn, rows->data, (int)rows->len) != 1)
        return cs_fail(err, errlen, "could not send rows for %s: %s", s->copy_table,
                       PQerrorMessage(s->conn));
    return 0;
}

int cs_copy_end(cs_store *s, const char *abort_reason, char *err, size_t errlen)
{
    PGresult *r;
    int rc = 0;

    assert(s->copying);
    if (PQputCopyEnd(s->conn, abort_reason) != 1)
        rc = cs_fail(err, errlen, "could not end loading rows into %s: %s", s->copy_table,
                     PQerrorMessage(s->conn));
    while ((r = PQgetResult(s->conn)) != NULL) {
        if (rc == 0 && !abort_reason && PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = cs_fail(err, errlen, "could not load rows into %s: %s", s->copy_table,
                         PQresultErrorMessage(r));
            err[strcspn(err, "\n")] = '\0';
        }
        PQclear(r);
    }
    s->copying = 0;
    return abort_reason ? -1 : rc;
}

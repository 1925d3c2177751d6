/*
 * copy.c — bulk loading with COPY FROM STDIN in text format: escaping a
 * value, sending rows, ending the copy and collecting its result.  Used for
 * roster imports and for the words of every page.
 */
#include "pipeline/pipeline_internal.h"

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
    PGresult *r = PQexec(s->conn, copy_sql);
    int ok = PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) {
        cs_fail(err, errlen, "database error: %s", PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
    }
    PQclear(r);
    return ok ? 0 : -1;
}

int cs_copy_send(cs_store *s, const cs_buf *rows, char *err, size_t errlen)
{
    if (cs_buf_failed(rows))   /* rows are missing: send none of them */
        return cs_fail(err, errlen, "out of memory");
    if (rows->len && PQputCopyData(s->conn, rows->data, (int)rows->len) != 1)
        return cs_fail(err, errlen, "could not send rows: %s", PQerrorMessage(s->conn));
    return 0;
}

int cs_copy_end(cs_store *s, const char *abort_reason, char *err, size_t errlen)
{
    PGresult *r;
    int rc = 0;

    if (PQputCopyEnd(s->conn, abort_reason) != 1)
        rc = cs_fail(err, errlen, "could not end the copy: %s", PQerrorMessage(s->conn));
    while ((r = PQgetResult(s->conn)) != NULL) {
        if (rc == 0 && !abort_reason && PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = cs_fail(err, errlen, "database error: %s", PQresultErrorMessage(r));
            err[strcspn(err, "\n")] = '\0';
        }
        PQclear(r);
    }
    return abort_reason ? -1 : rc;
}

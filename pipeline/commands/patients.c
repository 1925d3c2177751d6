/*
 * patients.c — `chartscan patients import FILE.csv`: load the hospital's
 * roster.  Every row is checked first; a file with any malformed row
 * imports nothing, and the errors name their line numbers.  Rows go in
 * through COPY into a temporary table, then one INSERT ... ON CONFLICT
 * updates existing patients by MRN.
 *
 * Format: a header row naming the columns mrn, last_name, first_name,
 * middle_name, birth_date (YYYY-MM-DD), sex (M, F, O, U); other columns
 * are ignored.  Error messages give line and column, never the values: a
 * terminal's scrollback is no place for patient data.  Each malformed row
 * is reported to the caller's cs_problems (the CLI prints it), the first
 * MAX_ERRORS_SHOWN of them and then how many more there were.
 *
 * A value must be UTF-8 text without control characters (C0, DEL, C1): a
 * NUL would cut the value short without a word ("Nul\0Hidden" stored as
 * "Nul"), and an escape sequence in a name would drive the terminal or the
 * page that shows it.  Such a row is an error naming the line, the column
 * and the character's position, like any other malformed row.
 */
#include "pipeline/pipeline_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

enum { COL_MRN, COL_LAST, COL_FIRST, COL_MIDDLE, COL_BIRTH, COL_SEX, NCOLS };
static const char *const col_names[NCOLS] = {"mrn", "last_name", "first_name", "middle_name",
                                             "birth_date", "sex"};
#define MAX_ERRORS_SHOWN 10

static int valid_date(const char *s)
{
    int y, m, d;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    time_t now = time(NULL);
    struct tm tm;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (y < 1850 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    gmtime_r(&now, &tm);
    if (y > tm.tm_year + 1900)
        return 0;
    return 1;
}

/* Why a value is not plain text, or NULL: a NUL byte among its len bytes,
 * a control character (but the spaces, tabs and line ends around the value,
 * which are trimmed), or bytes that are not UTF-8; *at is the 1-based
 * character of the value where the trouble starts. */
static const char *check_text(const char *v, size_t len, size_t *at, char *why, size_t whylen)
{
    const unsigned char *p = (const unsigned char *)v;
    size_t i = 0, start = 0, end = len;

    while (start < end && p[start] && isspace(p[start]))
        start++;
    while (end > start && p[end - 1] && isspace(p[end - 1]))
        end--;
    *at = 0;
    while (i < len) {
        unsigned c = p[i], cp = c;
        size_t n = 1;
        (*at)++;
        if (c >= 0x80) {
            n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
            if (n == 0 || i + n > len)
                goto not_utf8;
            cp = c & (0xFF >> (n + 1));
            for (size_t k = 1; k < n; k++) {
                if ((p[i + k] & 0xC0) != 0x80)
                    goto not_utf8;
                cp = (cp << 6) | (p[i + k] & 0x3F);
            }
            if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))
                || (cp >= 0xD800 && cp <= 0xDFFF))
                goto not_utf8;
        }
        if (cp == 0) {
            snprintf(why, whylen, "a NUL byte at character %zu: control characters are not "
                     "allowed", *at);
            return why;
        }
        if ((cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) && i >= start && i < end) {
            snprintf(why, whylen, "a control character (U+%04X) at character %zu: control "
                     "characters are not allowed", cp, *at);
            return why;
        }
        i += n;
    }
    return NULL;
not_utf8:
    snprintf(why, whylen, "bytes that are not UTF-8 at character %zu", *at);
    return why;
}

/* Why a row is malformed, or NULL when it is fine. */
static const char *check_row(char *const v[NCOLS], int *bad_col)
{
    size_t n = strlen(v[COL_MRN]);
    *bad_col = COL_MRN;
    if (n == 0)
        return "MRN is empty";
    if (n >= 24)
        return "MRN is longer than 23 characters";
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[COL_MRN][i]))
            return "MRN may hold only letters and digits";
    *bad_col = COL_LAST;
    if (!*v[COL_LAST])
        return "last name is empty";
    *bad_col = COL_FIRST;
    if (!*v[COL_FIRST])
        return "first name is empty";
    for (int c = COL_LAST; c <= COL_MIDDLE; c++) {
        *bad_col = c;
        if (strlen(v[c]) > 100)
            return "name is longer than 100 characters";
    }
    *bad_col = COL_BIRTH;
    if (*v[COL_BIRTH] && !valid_date(v[COL_BIRTH]))
        return "birth date is not a valid past date in the form YYYY-MM-DD";
    *bad_col = COL_SEX;
    if (*v[COL_SEX] && !(strlen(v[COL_SEX]) == 1 && strchr("MFOU", v[COL_SEX][0])))
        return "sex must be M, F, O or U";
    return NULL;
}

/* One roster import under way. */
typedef struct roster_import {
    cs_store *s;
    const char *path;
    const cs_problems *problems;
    cs_csv *csv;
    int map[NCOLS];              /* the field of each column */
    int errors;                  /* malformed rows so far */
    long rows;
    cs_buf line;                 /* a row for COPY */
} roster_import;

/* Report a problem with the roster to the caller (pipeline.h, cs_problems). */
static void report(const roster_import *im, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(const roster_import *im, const char *fmt, ...)
{
    char message[CS_ERRLEN];
    va_list ap;

    if (!im->problems || !im->problems->report)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    im->problems->report(im->problems->arg, message);
}

/* Find each column in the header row. */
static int read_header(roster_import *im, char *err, size_t errlen)
{
    char **f;
    size_t nf;

    if (cs_csv_next(im->csv, &f, &nf) != 1)
        return cs_fail(err, errlen, "roster \"%s\" has no header row%s%s", im->path,
                       cs_csv_error(im->csv) ? ": " : "",
                       cs_csv_error(im->csv) ? cs_csv_error(im->csv) : "");
    for (int c = 0; c < NCOLS; c++) {
        im->map[c] = -1;
        for (size_t i = 0; i < nf; i++) {
            char *name = f[i];
            while (isspace((unsigned char)*name))
                name++;
            if (!strcasecmp(name, col_names[c]))
                im->map[c] = (int)i;
        }
        if (im->map[c] < 0)
            return cs_fail(err, errlen, "roster \"%s\" line 1: the header has no column \"%s\"",
                           im->path, col_names[c]);
    }
    return 0;
}

/* The row's values into v, trimmed and checked: 0; or -1 when the row is
 * malformed (counted, and reported while few). */
static int row_values(roster_import *im, char **f, size_t nf, char *v[NCOLS])
{
    long line = cs_csv_line(im->csv);
    const char *why;
    int bad_col;

    for (int c = 0; c < NCOLS; c++) {
        char text_why[128];
        size_t at;
        v[c] = (size_t)im->map[c] < nf ? f[im->map[c]] : NULL;
        if (!v[c]) {
            if (im->errors++ < MAX_ERRORS_SHOWN)
                report(im, "roster \"%s\" line %ld: only %zu columns, expected at least %d",
                       im->path, line, nf, im->map[c] + 1);
            return -1;
        }
        if (check_text(v[c], cs_csv_field_length(im->csv, (size_t)im->map[c]), &at, text_why,
                       sizeof text_why)) {
            if (im->errors++ < MAX_ERRORS_SHOWN)
                report(im, "roster \"%s\" line %ld, column %s: %s", im->path, line, col_names[c],
                       text_why);
            return -1;
        }
        /* trim spaces around every value */
        while (isspace((unsigned char)*v[c]))
            v[c]++;
        for (size_t n = strlen(v[c]); n && isspace((unsigned char)v[c][n - 1]); n--)
            v[c][n - 1] = '\0';
    }
    why = check_row(v, &bad_col);
    if (why) {
        if (im->errors++ < MAX_ERRORS_SHOWN)
            report(im, "roster \"%s\" line %ld, column %s: %s", im->path, line,
                   col_names[bad_col], why);
        return -1;
    }
    return 0;
}

/* Send one good row to the copy, with its line number. */
static int load_row(roster_import *im, char *const v[NCOLS], char *err, size_t errlen)
{
    cs_buf_reset(&im->line);
    if (cs_buf_printf(&im->line, "%ld\t", cs_csv_line(im->csv)) < 0)
        return cs_fail(err, errlen, "out of memory");
    for (int c = 0; c < NCOLS; c++) {
        if (cs_copy_value(&im->line, v[c], c >= COL_MIDDLE) < 0 ||
            cs_buf_puts(&im->line, c == NCOLS - 1 ? "\n" : "\t") < 0)
            return cs_fail(err, errlen, "out of memory");
    }
    return cs_copy_send(im->s, &im->line, err, errlen);
}

/* Check every row, and copy them while none is malformed: 0 (im->errors
 * counts the malformed ones), or -1 with err. */
static int load_rows(roster_import *im, char *err, size_t errlen)
{
    for (;;) {
        char **f, *v[NCOLS];
        size_t nf;
        int got = cs_csv_next(im->csv, &f, &nf);
        if (got == 0)
            return 0;
        if (got < 0) {
            report(im, "roster \"%s\" line %ld: %s", im->path, cs_csv_line(im->csv),
                   cs_csv_error(im->csv));
            im->errors++;
            return 0;   /* the reader cannot resynchronise after a broken quote */
        }
        if (nf == 1 && !*f[0])
            continue;   /* blank line */
        im->rows++;
        if (row_values(im, f, nf, v) < 0 || im->errors)
            continue;   /* nothing will be imported: only look for more errors */
        if (load_row(im, v, err, errlen) < 0)
            return -1;
    }
}

/* An MRN on two lines is an error naming both. */
static int check_repeats(roster_import *im, char *err, size_t errlen)
{
    PGresult *r = cs_pq(im->s, "SELECT a.line, b.line FROM roster_in a JOIN roster_in b"
                               " ON a.mrn = b.mrn AND a.line < b.line ORDER BY b.line LIMIT 1",
                        0, NULL, err, errlen);
    int rc = 0;

    if (!r)
        return -1;
    if (PQntuples(r))
        rc = cs_fail(err, errlen, "roster \"%s\" line %s: MRN repeats the one on line %s: "
                     "nothing imported", im->path, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

/* Insert new patients, update known ones by MRN, commit, and say how many. */
static int upsert(roster_import *im, FILE *out, char *err, size_t errlen)
{
    PGresult *r = cs_pq(im->s,
        "WITH up AS (INSERT INTO patient (mrn, last_name, first_name, middle_name, birth_date, sex)"
        "            SELECT mrn, last_name, first_name, middle_name, birth_date, sex FROM roster_in"
        "            ON CONFLICT (mrn) DO UPDATE SET last_name = excluded.last_name,"
        "               first_name = excluded.first_name, middle_name = excluded.middle_name,"
        "               birth_date = excluded.birth_date, sex = excluded.sex, updated_at = now()"
        "            RETURNING (xmax = 0) AS inserted)"
        " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
        0, NULL, err, errlen);

    if (!r)
        return -1;
    if (cs_pq_commit(im->s, err, errlen) < 0) {
        PQclear(r);
        return -1;
    }
    fprintf(out, "imported %ld patients (%s new, %s updated)\n", im->rows, PQgetvalue(r, 0, 0),
            PQgetvalue(r, 0, 1));
    PQclear(r);
    return 0;
}

int cs_patients_import(cs_store *s, const char *path, FILE *out, const cs_problems *problems,
                       char *err, size_t errlen)
{
    roster_import im;
    FILE *fp;
    int in_tx = 0, in_copy = 0, rc = -1;

    memset(&im, 0, sizeof im);
    im.s = s;
    im.path = path;
    im.problems = problems;
    fp = fopen(path, "r");
    if (!fp)
        return cs_fail(err, errlen, "could not open roster \"%s\": %s", path, strerror(errno));
    im.csv = cs_csv_open(fp, 4096);
    if (!im.csv) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (read_header(&im, err, errlen) < 0 || cs_pq_begin(s, err, errlen) < 0)
        goto out;
    in_tx = 1;
    if (cs_pq_exec(s, "CREATE TEMP TABLE roster_in (line integer, mrn text, last_name text,"
                      " first_name text, middle_name text, birth_date date, sex text)"
                      " ON COMMIT DROP", 0, NULL, err, errlen) < 0 ||
        cs_copy_begin(s, "COPY roster_in FROM STDIN", err, errlen) < 0)
        goto out;
    in_copy = 1;
    if (load_rows(&im, err, errlen) < 0)
        goto out;
    if (im.errors > MAX_ERRORS_SHOWN)
        report(&im, "roster \"%s\": %d more errors not shown", path,
               im.errors - MAX_ERRORS_SHOWN);
    in_copy = 0;
    if (im.errors) {
        cs_copy_end(s, "malformed roster", err, errlen);
        cs_fail(err, errlen, "roster \"%s\" has %d malformed rows: nothing imported", path,
                im.errors);
        goto out;
    }
    if (cs_copy_end(s, NULL, err, errlen) < 0 || check_repeats(&im, err, errlen) < 0 ||
        upsert(&im, out, err, errlen) < 0)
        goto out;
    in_tx = 0;
    rc = 0;
out:
    if (in_copy)
        cs_copy_end(s, "aborted", NULL, 0);
    if (in_tx)
        cs_pq_rollback(s);
    cs_buf_free(&im.line);
    cs_csv_free(&im.csv);
    fclose(fp);
    return rc;
}

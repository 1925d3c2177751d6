/*
 * reconcile.c — the clerk's prep sheet (issue 15, item 3): read and check
 * it, store it with a batch (`submit --expect FILE.csv`, `batch expect ID
 * FILE.csv`), and print the reconciliation that schema 019's function
 * reconciliation() computes: per box, expected, received and processed
 * counts and every difference.  `report` and `status` print it; their
 * --json has the same rows.
 *
 * The sheet: CSV with a header row naming its columns, in any order:
 *   box (or archive)      the archive's file name, with or without its
 *                         extension, or a folder in the archive
 *   documents             documents prepared in the box
 *   pages                 pages scanned
 *   blank                 optional: how many of the pages are blank (a row
 *                         may leave it empty: not compared)
 * At most PREP_MAX_ROWS rows and PREP_MAX_BYTES bytes; a bad row is an error
 * naming its line, and nothing is stored.
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/common.h"

#define PREP_MAX_ROWS 10000
#define PREP_MAX_BYTES (1024 * 1024)
#define PREP_MAX_FIELD 256
#define PREP_MAX_COUNT 10000000L

typedef struct prep_row {
    char *box;
    long line, documents, pages, blank;   /* blank -1: not given */
} prep_row;

struct cs_prep_sheet {
    prep_row *rows;
    size_t n;
};

void cs_prep_sheet_free(cs_prep_sheet **pps)
{
    if (!pps || !*pps)
        return;
    for (size_t i = 0; i < (*pps)->n; i++)
        free((*pps)->rows[i].box);
    free((*pps)->rows);
    free(*pps);
    *pps = NULL;
}

enum { COL_BOX, COL_DOCUMENTS, COL_PAGES, COL_BLANK, COL_COUNT };

/* The header's columns: col[k] is the field index of column k, or -1. */
static int read_header(char **f, size_t nf, int col[COL_COUNT], char *err, size_t errlen)
{
    static const char *const names[][3] = {{"box", "archive", NULL},
                                           {"documents", "expected_documents", NULL},
                                           {"pages", "expected_pages", NULL},
                                           {"blank", "expected_blank", "blank_pages"}};
    for (int k = 0; k < COL_COUNT; k++)
        col[k] = -1;
    for (size_t i = 0; i < nf; i++) {
        int found = -1;
        for (int k = 0; k < COL_COUNT && found < 0; k++)
            for (int j = 0; j < 3 && names[k][j]; j++)
                if (!strcasecmp(f[i], names[k][j]))
                    found = k;
        if (found < 0)
            return cs_fail(err, errlen, "line 1: unknown column \"%.40s\" (the columns are box, "
                           "documents, pages and optionally blank)", f[i]);
        if (col[found] >= 0)
            return cs_fail(err, errlen, "line 1: column \"%.40s\" appears twice", f[i]);
        col[found] = (int)i;
    }
    for (int k = 0; k < COL_BLANK; k++)
        if (col[k] < 0)
            return cs_fail(err, errlen, "line 1: the header has no column \"%s\" (the first "
                           "row names the columns: box, documents, pages, and optionally blank)",
                           names[k][0]);
    return 0;
}

/* A count field: 0 to PREP_MAX_COUNT. */
static int read_count(const char *v, const char *what, long line, long *out, char *err,
                      size_t errlen)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < 0 || n > PREP_MAX_COUNT)
        return cs_fail(err, errlen, "line %ld: %s \"%.20s\" is not a whole number from 0 to %ld",
                       line, what, v, PREP_MAX_COUNT);
    *out = n;
    return 0;
}

/* One data row into r; its fields f by the header's columns. */
static int read_row(const cs_prep_sheet *ps, char **f, size_t nf, const int col[COL_COUNT],
                    long line, prep_row *r, char *err, size_t errlen)
{
    size_t ncols = 0;

    for (int k = 0; k < COL_COUNT; k++)
        ncols += col[k] >= 0;   /* the header has no other column (read_header) */
    if (nf != ncols)
        return cs_fail(err, errlen, "line %ld: %zu fields, the header has %zu", line, nf, ncols);
    if (!*f[col[COL_BOX]])
        return cs_fail(err, errlen, "line %ld: the box name is empty", line);
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->rows[i].box, f[col[COL_BOX]]))
            return cs_fail(err, errlen, "line %ld: box \"%.80s\" is on line %ld already", line,
                           f[col[COL_BOX]], ps->rows[i].line);
    r->line = line;
    r->blank = -1;
    if (read_count(f[col[COL_DOCUMENTS]], "documents", line, &r->documents, err, errlen) < 0 ||
        read_count(f[col[COL_PAGES]], "pages", line, &r->pages, err, errlen) < 0 ||
        (col[COL_BLANK] >= 0 && *f[col[COL_BLANK]] &&
         read_count(f[col[COL_BLANK]], "blank", line, &r->blank, err, errlen) < 0))
        return -1;
    if (r->blank > r->pages)
        return cs_fail(err, errlen, "line %ld: %ld blank pages of %ld pages", line, r->blank,
                       r->pages);
    r->box = strdup(f[col[COL_BOX]]);
    return r->box ? 0 : cs_fail(err, errlen, "out of memory");
}

/* The records of csv after its header, into ps. */
static int read_rows(cs_csv *csv, cs_prep_sheet *ps, const int col[COL_COUNT], char *err,
                     size_t errlen)
{
    char **f;
    size_t nf;
    int got;

    while ((got = cs_csv_next(csv, &f, &nf)) == 1) {
        long line = cs_csv_line(csv);
        if (ps->n == PREP_MAX_ROWS)
            return cs_fail(err, errlen, "line %ld: more than %d boxes", line, PREP_MAX_ROWS);
        if (read_row(ps, f, nf, col, line, &ps->rows[ps->n], err, errlen) < 0)
            return -1;
        ps->n++;
    }
    if (got < 0)
        return cs_fail(err, errlen, "line %ld: %s", cs_csv_line(csv), cs_csv_error(csv));
    if (ps->n == 0)
        return cs_fail(err, errlen, "no box below the header");
    return 0;
}

int cs_prep_sheet_read(const char *path, cs_prep_sheet **out, char *err, size_t errlen)
{
    cs_prep_sheet *ps = NULL;
    cs_csv *csv = NULL;
    FILE *fp = NULL;
    struct stat st;
    char **f;
    size_t nf;
    int col[COL_COUNT], rc = -1, got;

    *out = NULL;
    fp = fopen(path, "r");
    if (!fp || fstat(fileno(fp), &st) < 0) {
        cs_fail(err, errlen, "could not open prep sheet \"%s\": %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > PREP_MAX_BYTES) {
        cs_fail(err, errlen, "prep sheet \"%s\" is not a file of at most %d bytes", path,
                PREP_MAX_BYTES);
        goto out;
    }
    ps = calloc(1, sizeof *ps);
    csv = cs_csv_open(fp, PREP_MAX_FIELD);
    if (!ps || !csv || !(ps->rows = calloc(PREP_MAX_ROWS, sizeof *ps->rows))) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    got = cs_csv_next(csv, &f, &nf);
    if (got <= 0) {
        cs_fail(err, errlen, "prep sheet \"%s\": %s", path,
                got < 0 ? cs_csv_error(csv) : "empty: it needs a header row and a row a box");
        goto out;
    }
    if (read_header(f, nf, col, err, errlen) < 0 || read_rows(csv, ps, col, err, errlen) < 0) {
        char msg[CS_ERRLEN];
        snprintf(msg, sizeof msg, "%s", err);
        cs_fail(err, errlen, "prep sheet \"%s\" %s", path, msg);
        goto out;
    }
    *out = ps;
    ps = NULL;
    rc = 0;
out:
    cs_csv_free(&csv);
    cs_prep_sheet_free(&ps);
    if (fp)
        fclose(fp);
    return rc;
}

/* The archive's name without its extension (schema 019's stem), in out. */
static void archive_stem(const char *name, char *out, size_t outlen)
{
    static const char *const ext[] = {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".zip",
                                      ".tar", ".tgz", ".tbz2", ".txz", ".7z"};
    size_t n = strlen(name);

    snprintf(out, outlen, "%s", name);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && n - e < outlen && !strcasecmp(name + n - e, ext[i])) {
            out[n - e] = '\0';
            return;
        }
    }
}

/* Whether the sheet's row names the archive (its base name, with or without extension). */
static int row_names(const prep_row *r, const char *archive)
{
    const char *slash = strrchr(archive, '/');
    char stem[512];

    archive = slash ? slash + 1 : archive;
    archive_stem(archive, stem, sizeof stem);
    return !strcmp(r->box, archive) || !strcmp(r->box, stem);
}

int cs_prep_sheet_check(const cs_prep_sheet *ps, char *const *archives, int n, char *err,
                        size_t errlen)
{
    if (n <= 1)
        return 0;
    for (size_t i = 0; i < ps->n; i++) {
        int named = 0;
        for (int a = 0; a < n && !named; a++)
            named = row_names(&ps->rows[i], archives[a]);
        if (!named)
            return cs_fail(err, errlen, "prep sheet line %ld: box \"%.80s\" names none of the "
                           "archives given (with several archives, each row names one by its "
                           "file name; give a sheet of folders with one archive)",
                           ps->rows[i].line, ps->rows[i].box);
    }
    return 0;
}

int cs_prep_sheet_store(cs_store *s, const cs_prep_sheet *ps, long long batch_id,
                        const char *archive, char *err, size_t errlen)
{
    char b1[24], l1[24], d1[24], p1[24], k1[24];
    const char *del[1] = {cs_i64(b1, batch_id)};
    long stored = 0;

    if (cs_pq_exec(s, "DELETE FROM batch_expectation WHERE batch_id = $1", 1, del, err,
                   errlen) < 0)
        return -1;
    for (size_t i = 0; i < ps->n; i++) {
        const prep_row *r = &ps->rows[i];
        const char *p[6] = {b1, r->box, cs_i64(l1, r->line), cs_i64(d1, r->documents),
                            cs_i64(p1, r->pages), r->blank < 0 ? NULL : cs_i64(k1, r->blank)};
        if (archive && !row_names(r, archive))
            continue;
        if (cs_pq_exec(s, "INSERT INTO batch_expectation (batch_id, box, line,"
                          " expected_documents, expected_pages, expected_blank)"
                          " VALUES ($1, $2, $3, $4, $5, $6)", 6, p, err, errlen) < 0)
            return -1;
        stored++;
    }
    return (int)stored;
}

int cs_reconcile_print(cs_store *s, const char *batch_id, const char *indent, FILE *out,
                       char *err, size_t errlen)
{
    const char *p[1] = {batch_id};
    PGresult *r = cs_pq(s,
        "SELECT coalesce(box, '(no box)'), expected_pages, received_pages, processed_pages,"
        "       expected_documents, documents, coalesce(expected_blank::text, '-'), blank_pages,"
        "       array_to_string(differences, '; '), pending_pages,"
        "       (SELECT status = 'queued' FROM batch WHERE id = $1)"
        "  FROM reconciliation($1)", 1, p, err, errlen);

    if (!r)
        return -1;
    if (PQntuples(r) > 0)
        fprintf(out, "%s%-20s %9s %8s %9s %8s %9s %9s %5s  %s\n", indent, "prep sheet box",
                "exp.pages", "received", "processed", "exp.docs", "documents", "exp.blank",
                "blank", "differences");
    for (int i = 0; i < PQntuples(r); i++) {
        const char *diff = PQgetvalue(r, i, 8), *pending = PQgetvalue(r, i, 9);
        /* no difference yet is not agreement while pages are still to come */
        const char *verdict = *diff ? "! " : *PQgetvalue(r, i, 10) == 't' ? "not unpacked yet"
                            : strcmp(pending, "0") != 0 ? "so far none; pages pending: " : "ok";
        fprintf(out, "%s%-20.20s %9s %8s %9s %8s %9s %9s %5s  %s%s\n", indent,
                PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
                PQgetvalue(r, i, 6), PQgetvalue(r, i, 7), verdict,
                *diff ? diff : strncmp(verdict, "so far", 6) == 0 ? pending : "");
    }
    PQclear(r);
    return 0;
}

int cs_batch_expect(cs_store *s, const char *batch, const char *path, FILE *out, char *err,
                    size_t errlen)
{
    cs_prep_sheet *ps = NULL;
    char id[24];
    int stored;

    if (cs_resolve_batch(s, batch, id, err, errlen) < 0 ||
        cs_prep_sheet_read(path, &ps, err, errlen) < 0)
        return -1;
    if (cs_pq_begin(s, err, errlen) < 0) {
        cs_prep_sheet_free(&ps);
        return -1;
    }
    stored = cs_prep_sheet_store(s, ps, atoll(id), NULL, err, errlen);
    cs_prep_sheet_free(&ps);
    if (stored < 0 || cs_pq_commit(s, err, errlen) < 0) {
        cs_pq_rollback(s);
        return -1;
    }
    fprintf(out, "batch %s: prep sheet of %d box%s recorded\n", id, stored,
            stored == 1 ? "" : "es");
    return cs_reconcile_print(s, id, "  ", out, err, errlen);
}

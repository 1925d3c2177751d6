/*
 * coversheet.c — `chartscan coversheet`: barcode cover sheets that a clerk
 * puts on top of each document before scanning.  A sheet names a roster
 * patient (large print: name, MRN, birth date) and, optionally, the
 * document's type; its Code 128 barcode carries both with a check value
 * (indexer/barcode.c), and the pipeline reads it back (stages/ocr.c,
 * stages/assemble.c, note 4).
 *
 * Interface routines:
 *   cs_coversheet_print   one sheet (--mrn) or a stack from a CSV (--batch-from)
 *
 * Notes:
 *   1. Every MRN must be in the roster and every type in the taxonomy
 *      before anything is printed: one bad row fails the run, and no file
 *      is left behind (cs_write_output writes under a temporary name).
 *   2. The PDF holds patient data: mode 0600, never through a link.  The
 *      printing is a disclosure and is audited (action coversheet, the
 *      patients' ids and the count; never their identifiers).
 *   3. Leptonica's bitmap font has ASCII only: other characters of a name
 *      print as '?'.
 *   4. At most MAX_SHEETS a run: the pages are held as images until the
 *      PDF is written (about 1 MB each).
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "indexer/indexer.h"
#include "ocr/ocr.h"
#include "pipeline/review/review_store.h"

#define MAX_SHEETS 200
#define LINE_MAX_BYTES 96

typedef struct sheet {
    long long patient_id;
    char payload[CS_SHEET_PAYLOAD_MAX];
    char line[CS_COVERSHEET_LINES][LINE_MAX_BYTES];
} sheet;

/* Make a line printable in the sheet's font (note 3). */
static void ascii(char *line)
{
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

/* Look up the patient of mrn and fill the sheet; where names the row in messages. */
static int make_sheet(cs_store *s, const char *mrn, const char *doctype, const char *where,
                      sheet *sh, char *err, size_t errlen)
{
    const char *p[2] = {mrn, doctype && *doctype ? doctype : NULL};
    PGresult *r;

    if (cs_index_sheet_payload(mrn, doctype, sh->payload, sizeof sh->payload) < 0)
        return cs_fail(err, errlen, "%s: an MRN is letters and digits (at most %d) and a type "
                       "code lower-case letters, digits and '_' (at most %d)", where,
                       CS_MRN_MAX - 1, CS_DOCTYPE_MAX - 1);
    r = cs_pq(s, "SELECT p.id, upper(p.last_name), upper(p.first_name),"
                 "       upper(coalesce(p.middle_name, '')), coalesce(p.birth_date::text, ''),"
                 "       $2::text IS NULL OR EXISTS (SELECT 1 FROM doctype WHERE code = $2)"
                 "  FROM patient p WHERE p.mrn = $1", 2, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_fail(err, errlen, "%s: no patient with this MRN in the roster", where);
    }
    if (*PQgetvalue(r, 0, 5) != 't') {
        PQclear(r);
        return cs_fail(err, errlen, "%s: unknown document type \"%s\"", where, doctype);
    }
    sh->patient_id = cs_pq_int(r, 0, 0);
    snprintf(sh->line[0], LINE_MAX_BYTES, "%s, %s %s", PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
             PQgetvalue(r, 0, 3));
    snprintf(sh->line[1], LINE_MAX_BYTES, "MRN %s", mrn);
    snprintf(sh->line[2], LINE_MAX_BYTES, "BORN %s",
             *PQgetvalue(r, 0, 4) ? PQgetvalue(r, 0, 4) : "(unknown)");
    snprintf(sh->line[3], LINE_MAX_BYTES, "TYPE %s", doctype && *doctype ? doctype : "(any)");
    for (int l = 0; l < CS_COVERSHEET_LINES; l++)
        ascii(sh->line[l]);
    PQclear(r);
    return 0;
}

/* The column index of name in the header, or -1. */
static int column(char **fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(fields[i], name))
            return (int)i;
    return -1;
}

/* The sheets of a CSV with a header row: mrn, and optionally doctype (note 1). */
static int read_csv(cs_store *s, const char *path, sheet *sheets, size_t *n, char *err,
                    size_t errlen)
{
    FILE *fp = fopen(path, "r");
    cs_csv *csv = NULL;
    char **f, where[64];
    size_t nf;
    int mrn_col, type_col, got, rc = -1;

    if (!fp)
        return cs_fail(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
    if (!(csv = cs_csv_open(fp, 256))) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if ((got = cs_csv_next(csv, &f, &nf)) <= 0 || (mrn_col = column(f, nf, "mrn")) < 0) {
        cs_fail(err, errlen, "\"%s\": %s", path, got < 0 ? cs_csv_error(csv)
                : "the first row must name the columns: mrn and, optionally, doctype");
        goto out;
    }
    type_col = column(f, nf, "doctype");
    while ((got = cs_csv_next(csv, &f, &nf)) > 0) {
        snprintf(where, sizeof where, "line %ld", cs_csv_line(csv));
        if ((size_t)mrn_col >= nf || !f[mrn_col][0]) {
            cs_fail(err, errlen, "\"%s\" %s: no MRN", path, where);
            goto out;
        }
        if (*n == MAX_SHEETS) {
            cs_fail(err, errlen, "\"%s\": more than %d sheets; split the file", path, MAX_SHEETS);
            goto out;
        }
        if (make_sheet(s, f[mrn_col], type_col >= 0 && (size_t)type_col < nf ? f[type_col] : NULL,
                       where, &sheets[*n], err, errlen) < 0)
            goto out;
        (*n)++;
    }
    if (got < 0) {
        cs_fail(err, errlen, "\"%s\": %s", path, cs_csv_error(csv));
        goto out;
    }
    if (*n == 0) {
        cs_fail(err, errlen, "\"%s\": no rows", path);
        goto out;
    }
    rc = 0;
out:
    cs_csv_free(&csv);
    fclose(fp);
    return rc;
}

typedef struct {
    cs_store *s;
    const sheet *sheets;
    size_t n;
    const char *out_path;
} audit_arg;

/* The audit row of the printing (note 2): patient ids and the count.  Into
 * a file it is written once the bytes are on disk, before the rename, so a
 * failed write leaves neither the file nor the row (cs_write_output). */
static int audit(void *arg, char *err, size_t errlen)
{
    const audit_arg *a = arg;
    cs_store *s = a->s;
    const sheet *sheets = a->sheets;
    size_t n = a->n;
    const char *out_path = a->out_path;
    cs_buf detail = CS_BUF_INIT;
    int rc;

    cs_buf_printf(&detail, "{\"sheets\":%zu,\"to\":\"%s\",\"patient_ids\":[", n,
                  out_path ? "file" : "stdout");
    for (size_t i = 0; i < n; i++)
        cs_buf_printf(&detail, "%s%lld", i ? "," : "", sheets[i].patient_id);
    cs_buf_puts(&detail, "]}");
    rc = cs_buf_failed(&detail) ? cs_fail(err, errlen, "out of memory")
       : cs_audit_command(s, "coversheet", "patient", NULL, detail.data, err,
                          errlen);
    cs_buf_free(&detail);
    return rc;
}

int cs_coversheet_print(cs_store *s, const char *mrn, const char *doctype, const char *csv_path,
                        const char *out_path, char *err, size_t errlen)
{
    sheet *sheets = calloc(MAX_SHEETS, sizeof *sheets);
    cs_coversheet *pages = calloc(MAX_SHEETS, sizeof *pages);
    unsigned char *pdf = NULL;
    size_t n = 0, len = 0;
    audit_arg a;
    int rc = -1;

    if (!sheets || !pages) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (csv_path) {
        if (read_csv(s, csv_path, sheets, &n, err, errlen) < 0)
            goto out;
    } else {
        if (make_sheet(s, mrn, doctype, "--mrn", &sheets[0], err, errlen) < 0)
            goto out;
        n = 1;
    }
    for (size_t i = 0; i < n; i++) {
        for (int l = 0; l < CS_COVERSHEET_LINES; l++)
            pages[i].lines[l] = sheets[i].line[l];
        pages[i].payload = sheets[i].payload;
    }
    a = (audit_arg){s, sheets, n, out_path};
    if (cs_ocr_coversheet_pdf(pages, n, &pdf, &len, err, errlen) < 0 ||
        (!out_path && audit(&a, err, errlen) < 0) ||
        cs_write_output(pdf, len, out_path, "cover sheets", out_path ? audit : NULL, &a, err,
                        errlen) < 0)
        goto out;
    rc = 0;
out:
    free(pdf);
    free(pages);
    free(sheets);
    return rc;
}

/*
 * manifest.c — `chartscan export manifest`: the reconciliation manifest in
 * JSON Lines (format in DESIGN.md): one line per document, one per page in
 * no document (blank, failed, or still in progress), one per archive entry
 * that has no pages (skipped or failed).  Every page of every archive is
 * accounted for exactly once.
 *
 * The listing is one ordered query read through a cursor in a
 * repeatable-read transaction: a consistent snapshot, streamed, with
 * memory flat however large the batch.  A document's pages arrive as
 * consecutive rows and are folded into one line.
 *
 * "file" is the entry's name in its display form (entry_name.c: decoded,
 * undecodable bytes as \xHH); where that is not simply the name's bytes
 * (a CP437 zip name, a name that is not UTF-8), "file_bytes" gives the
 * bytes in hex as the archive holds them.
 *
 * With --out (cs_export_manifest_file) the file is private (0600 whatever
 * the umask), written under a temporary name and renamed when complete, and
 * never through a symbolic link (common/util.c).
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"

enum { C_KIND, C_DOC, C_BATCH, C_STATUS, C_DOCTYPE, C_DOCCONF, C_MRN, C_PCONF, C_DOS, C_FILE,
       C_PAGE, C_REASON, C_TEXT, C_K1, C_K2, C_K3, C_K4, C_REASONS, C_CANDIDATES, C_FILE_BYTES };

/* The name's bytes in hex, when its display form is not those bytes. */
#define FILE_BYTES_SQL \
    " CASE WHEN f.path_raw <> convert_to(f.path, 'UTF8') THEN encode(f.path_raw, 'hex') END"


static const char manifest_sql[] =
    "DECLARE manifest NO SCROLL CURSOR FOR"
    " SELECT * FROM ("
    "  SELECT 'document' AS kind, d.id AS doc, b.name, d.status, d.doctype,"
    "         round(d.doctype_confidence::numeric, 4), pt.mrn,"
    "         round(d.patient_confidence::numeric, 4), d.date_of_service::text, f.path,"
    "         p.page_no, NULL::text AS reason, CASE WHEN $2 THEN p.text END AS text,"
    "         b.id AS k1, f.entry_index AS k2, d.first_page AS k3, p.page_no AS k4,"
    "         coalesce(array_to_json(d.review_reasons), '[]')::text,"
    "         coalesce(d.candidates, '[]')::text," FILE_BYTES_SQL
    "    FROM document d JOIN batch b ON b.id = d.batch_id"
    "    JOIN page p ON p.document_id = d.id JOIN source_file f ON f.id = p.file_id"
    "    LEFT JOIN patient pt ON pt.id = d.patient_id"
    "   WHERE $1::bigint IS NULL OR b.id = $1"
    "  UNION ALL"
    "  SELECT 'page', NULL, b.name, p.status, NULL, NULL, NULL, NULL, NULL, f.path, p.page_no,"
    "         p.reason, NULL, b.id, f.entry_index, p.page_no, 0, NULL, NULL," FILE_BYTES_SQL
    "    FROM page p JOIN source_file f ON f.id = p.file_id JOIN batch b ON b.id = f.batch_id"
    "   WHERE p.document_id IS NULL AND ($1::bigint IS NULL OR b.id = $1)"
    "  UNION ALL"
    "  SELECT 'file', NULL, b.name, f.status, NULL, NULL, NULL, NULL, NULL, f.path, NULL,"
    "         f.reason, NULL, b.id, f.entry_index, 0, 0, NULL, NULL," FILE_BYTES_SQL
    "    FROM source_file f JOIN batch b ON b.id = f.batch_id"
    "   WHERE f.status <> 'pages' AND ($1::bigint IS NULL OR b.id = $1)"
    " ) x ORDER BY 14, 15, 16, 1, 2, 17";

static int put_field(cs_buf *b, const char *key, const PGresult *r, int row, int col, int number)
{
    cs_buf_printf(b, ",\"%s\":", key);
    if (PQgetisnull(r, row, col))
        return cs_buf_puts(b, "null");
    if (number)
        return cs_buf_puts(b, PQgetvalue(r, row, col));
    return cs_buf_json_string(b, PQgetvalue(r, row, col));
}

/* Start a document line from the row that holds its first page. */
static void open_document(cs_buf *b, const PGresult *r, int i)
{
    cs_buf_printf(b, "{\"kind\":\"document\",\"id\":\"d-%s\",\"batch\":", PQgetvalue(r, i, C_DOC));
    cs_buf_json_string(b, PQgetvalue(r, i, C_BATCH));
    put_field(b, "status", r, i, C_STATUS, 0);
    put_field(b, "doctype", r, i, C_DOCTYPE, 0);
    put_field(b, "doctype_confidence", r, i, C_DOCCONF, 1);
    put_field(b, "patient_mrn", r, i, C_MRN, 0);
    put_field(b, "patient_confidence", r, i, C_PCONF, 1);
    put_field(b, "date_of_service", r, i, C_DOS, 0);
    put_field(b, "review_reasons", r, i, C_REASONS, 1);   /* JSON from the database */
    put_field(b, "candidates", r, i, C_CANDIDATES, 1);
    cs_buf_puts(b, ",\"pages\":[");
}

static void put_line(cs_buf *b, const PGresult *r, int i)
{
    cs_buf_printf(b, "{\"kind\":\"%s\",\"batch\":", PQgetvalue(r, i, C_KIND));
    cs_buf_json_string(b, PQgetvalue(r, i, C_BATCH));
    put_field(b, "file", r, i, C_FILE, 0);
    if (!PQgetisnull(r, i, C_FILE_BYTES))
        put_field(b, "file_bytes", r, i, C_FILE_BYTES, 0);
    if (!PQgetisnull(r, i, C_PAGE))
        put_field(b, "page", r, i, C_PAGE, 1);
    put_field(b, "status", r, i, C_STATUS, 0);
    if (!PQgetisnull(r, i, C_REASON))
        put_field(b, "reason", r, i, C_REASON, 0);
    cs_buf_puts(b, "}\n");
}

int cs_export_manifest(cs_store *s, const char *batch, int with_text, FILE *out, char *err,
                       size_t errlen)
{
    char id[24];
    cs_buf line = CS_BUF_INIT;
    const char *params[2] = {NULL, with_text ? "true" : "false"};
    long long open_doc = 0;
    PGresult *r = NULL;
    int rc = -1;

    if (batch) {
        if (cs_resolve_batch(s, batch, id, err, errlen) < 0)
            return -1;
        params[0] = id;
    }
    /* a disclosure: audited before a line goes out (issue 12) */
    if (cs_audit_command(s, "export_manifest", "batch", params[0], with_text ?
                         "{\"with_text\":true}" : "{\"with_text\":false}", err, errlen) < 0)
        return -1;
    if (cs_pq_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, err,
                   errlen) < 0)
        return -1;
    if (cs_pq_exec(s, manifest_sql, 2, params, err, errlen) < 0)
        goto out;
    for (;;) {
        int n;
        r = cs_pq(s, "FETCH 500 FROM manifest", 0, NULL, err, errlen);
        if (!r)
            goto out;
        n = PQntuples(r);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++) {
            int is_doc = !strcmp(PQgetvalue(r, i, C_KIND), "document");
            long long doc = is_doc ? cs_pq_int(r, i, C_DOC) : 0;
            if (open_doc && doc != open_doc) {
                cs_buf_puts(&line, "]}\n");
                open_doc = 0;
            }
            if (is_doc) {
                if (!open_doc) {
                    open_document(&line, r, i);
                    open_doc = doc;
                } else {
                    cs_buf_puts(&line, ",");
                }
                cs_buf_puts(&line, "{\"file\":");
                cs_buf_json_string(&line, PQgetvalue(r, i, C_FILE));
                if (!PQgetisnull(r, i, C_FILE_BYTES))
                    put_field(&line, "file_bytes", r, i, C_FILE_BYTES, 0);
                cs_buf_printf(&line, ",\"page\":%s", PQgetvalue(r, i, C_PAGE));
                if (with_text)
                    put_field(&line, "text", r, i, C_TEXT, 0);
                cs_buf_puts(&line, "}");
            } else {
                put_line(&line, r, i);
            }
            if (cs_buf_failed(&line)) {
                cs_fail(err, errlen, "out of memory");
                goto out;
            }
            /* write out what is complete, keep an open document's start */
            if (!open_doc && line.len) {
                fwrite(line.data, 1, line.len, out);
                cs_buf_reset(&line);
            }
        }
        PQclear(r);
        r = NULL;
    }
    if (open_doc)
        cs_buf_puts(&line, "]}\n");
    if (cs_buf_failed(&line)) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (line.len)
        fwrite(line.data, 1, line.len, out);
    if (fflush(out) != 0 || ferror(out)) {
        cs_fail(err, errlen, "could not write the manifest");
        goto out;
    }
    rc = 0;
out:
    PQclear(r);
    cs_pq_rollback(s);   /* read-only: ending it either way is the same */
    cs_buf_free(&line);
    return rc;
}

int cs_export_manifest_file(cs_store *s, const char *batch, int with_text, const char *path,
                            char *err, size_t errlen)
{
    char tmp[4200];
    FILE *fp;
    int rc;

    /* 0600 whatever the umask, never through a link; in place only when complete */
    fp = cs_file_open_private(path, tmp, sizeof tmp, err, errlen);
    if (!fp)
        return -1;
    rc = cs_export_manifest(s, batch, with_text, fp, err, errlen);
    if (fclose(fp) != 0 && rc == 0)
        rc = cs_fail(err, errlen, "could not write \"%s\"", path);
    if (rc < 0) {
        unlink(tmp);
        return -1;
    }
    return cs_file_commit_private(tmp, path, err, errlen);
}

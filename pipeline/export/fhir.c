/*
 * fhir.c — `chartscan export fhir`: filed documents as FHIR R4
 * DocumentReference resources in NDJSON, the FHIR Bulk Data layout: one
 * resource a line in DocumentReference.ndjson, and the PDFs as Binary
 * resources in Binary.ndjson (or inline in attachment.data, or left out).
 *
 * Interface routines: cs_export_fhir; internal: cs_base64_write,
 * cs_base64_append, cs_export_make_dir.
 *
 * A DocumentReference (one per document version):
 *   id, masterIdentifier   the document's uuid (urn:uuid:...), fixed for the version
 *   identifier             chartscan's own id (d-42), system urn:chartscan:document
 *   status                 current, or superseded once a corrected version replaced it
 *   docStatus              final (only filed documents are exported)
 *   type                   LOINC coding (when the type has one) + chartscan's code
 *   category               US Core clinical-note
 *   subject                the patient by identifier: system = the site's MRN system
 *   date                   when the document was filed (an instant, UTC)
 *   custodian              the configured organisation, by display (when set)
 *   content[0].attachment  application/pdf; data or url Binary/<uuid>; size;
 *                          hash (base64 SHA-1 of the PDF, as FHIR defines it);
 *                          title; creation (the date of service)
 *   context.period         the date of service
 *   relatesTo              replaces -> the earlier version, for a correction
 *
 * Notes
 *  1. Files are written as NAME.part-XXXXXX and renamed once complete,
 *     before the transaction that records the export commits: a failed
 *     export leaves no file that looks complete and records nothing.  The
 *     folder (when made here) is 0700 and the files 0600 whatever the
 *     umask, never written through a symbolic link (cs_file_create_private).
 *  2. Memory is flat: the cursor brings a few rows at a time, each PDF is
 *     base64-encoded straight into the file in small chunks, and only one
 *     line's metadata is held.
 */
#include "pipeline/export/export_internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_block(char *out, const unsigned char *in, size_t len)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = '=';
    }
    return o;
}

int cs_base64_write(FILE *fp, const unsigned char *data, size_t len)
{
    enum { IN = 3 * 4096 };
    char out[IN / 3 * 4];
    for (size_t off = 0; off < len; off += IN) {
        size_t n = len - off < IN ? len - off : IN;
        size_t o = b64_block(out, data + off, n);
        if (fwrite(out, 1, o, fp) != o)
            return -1;
    }
    return 0;
}

int cs_base64_append(cs_buf *b, const unsigned char *data, size_t len)
{
    size_t need = (len + 2) / 3 * 4;
    if (cs_buf_reserve(b, need + 1) < 0)
        return -1;
    b->len += b64_block(b->data + b->len, data, len);
    b->data[b->len] = '\0';
    return 0;
}

int cs_export_make_dir(const char *dir, const char *format, char *out, size_t outlen,
                       char *err, size_t errlen)
{
    if (dir && *dir) {
        snprintf(out, outlen, "%s", dir);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(out, outlen, "export-%s-%s", format, stamp);
    }
    /* 0700 when made here; a link is refused (see common/util.c) */
    return cs_dir_make_private(out, err, errlen);
}

/* One output file, written as a private path.part-XXXXXX and renamed when complete. */
typedef struct out_file {
    char path[1100], part[1120];
    FILE *fp;
} out_file;

static int out_open(out_file *f, const char *dir, const char *name, char *err, size_t errlen)
{
    int fd;
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    fd = cs_file_create_private(f->path, f->part, sizeof f->part, err, errlen);
    if (fd < 0)
        return -1;
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        cs_fail(err, errlen, "could not open \"%s\": %s", f->part, strerror(errno));
        close(fd);
        remove(f->part);
        return -1;
    }
    return 0;
}

/* Close and rename into place; keep 0 (nothing in it) removes it and any older file of that name. */
static int out_close(out_file *f, int keep, char *err, size_t errlen)
{
    int rc = 0;
    if (!f->fp)
        return 0;
    if (fflush(f->fp) != 0 || ferror(f->fp))
        rc = cs_fail(err, errlen, "could not write \"%s\": %s", f->part, strerror(errno));
    if (fclose(f->fp) != 0 && rc == 0)
        rc = cs_fail(err, errlen, "could not write \"%s\": %s", f->part, strerror(errno));
    f->fp = NULL;
    if (rc == 0 && keep) {
        rc = cs_file_commit_private(f->part, f->path, err, errlen);
    } else {
        remove(f->part);
        if (rc == 0)
            remove(f->path);
    }
    return rc;
}

/* On failure: drop the partial file, leave whatever was there before. */
static void out_abort(out_file *f)
{
    if (!f->fp)
        return;
    fclose(f->fp);
    f->fp = NULL;
    remove(f->part);
}

static int is_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) || !*PQgetvalue(r, row, col);
}

static void json_member(cs_buf *b, const char *key, const char *value)
{
    cs_buf_printf(b, ",\"%s\":", key);
    cs_buf_json_string(b, value);
}

static int sha1_base64(const unsigned char *data, size_t len, cs_buf *b)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha1(), NULL) != 1)
        return -1;
    return cs_base64_append(b, md, mdlen);
}

/*
 * Everything of the resource before the attachment's data (or its end).
 * Returns -1 when memory ran out on the way (b may be marked failed too).
 */
static int resource_head(cs_buf *b, const cs_export_run *run, const PGresult *r, int i,
                          int pdf_mode)
{
    const char *uuid = PQgetvalue(r, i, X_UUID);
    const char *display = is_null(r, i, X_DISPLAY) ? PQgetvalue(r, i, X_TYPE)
                                                   : PQgetvalue(r, i, X_DISPLAY);
    int rc = 0;

    cs_buf_printf(b, "{\"resourceType\":\"DocumentReference\",\"id\":\"%s\","
                     "\"masterIdentifier\":{\"system\":\"urn:ietf:rfc:3986\","
                     "\"value\":\"urn:uuid:%s\"},"
                     "\"identifier\":[{\"system\":\"urn:chartscan:document\","
                     "\"value\":\"d-%s\"}],"
                     "\"status\":\"%s\",\"docStatus\":\"final\",\"type\":{\"coding\":[",
                  uuid, uuid, PQgetvalue(r, i, X_ID),
                  strcmp(PQgetvalue(r, i, X_VSTATUS), "superseded") ? "current" : "superseded");
    if (!is_null(r, i, X_LOINC)) {
        cs_buf_puts(b, "{\"system\":\"http://loinc.org\",\"code\":");
        cs_buf_json_string(b, PQgetvalue(r, i, X_LOINC));
        json_member(b, "display", display);
        cs_buf_puts(b, "},");
    }
    cs_buf_puts(b, "{\"system\":\"urn:chartscan:doctype\",\"code\":");
    cs_buf_json_string(b, PQgetvalue(r, i, X_TYPE));
    json_member(b, "display", display);
    cs_buf_puts(b, "}]");
    json_member(b, "text", display);
    cs_buf_puts(b, "},\"category\":[{\"coding\":[{\"system\":"
                   "\"http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category\","
                   "\"code\":\"clinical-note\",\"display\":\"Clinical Note\"}]}]");
    if (!is_null(r, i, X_MRN)) {
        cs_buf_puts(b, ",\"subject\":{\"type\":\"Patient\",\"identifier\":{\"use\":\"usual\","
                       "\"type\":{\"coding\":[{\"system\":"
                       "\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\"}]}");
        json_member(b, "system", run->mrn_system);
        json_member(b, "value", PQgetvalue(r, i, X_MRN));
        cs_buf_puts(b, "}");
        if (!is_null(r, i, X_LAST)) {
            cs_buf tmp = CS_BUF_INIT;
            cs_buf_puts(&tmp, PQgetvalue(r, i, X_LAST));
            if (!is_null(r, i, X_FIRST))
                cs_buf_printf(&tmp, ", %s", PQgetvalue(r, i, X_FIRST));
            if (!is_null(r, i, X_MIDDLE))
                cs_buf_printf(&tmp, " %s", PQgetvalue(r, i, X_MIDDLE));
            if (cs_buf_failed(&tmp) || !tmp.data)
                rc = -1;
            else
                json_member(b, "display", tmp.data);
            cs_buf_free(&tmp);
        }
        cs_buf_puts(b, "}");
    }
    json_member(b, "date", PQgetvalue(r, i, X_FILED_AT));
    if (run->organization[0]) {
        cs_buf_puts(b, ",\"custodian\":{\"type\":\"Organization\"");
        json_member(b, "display", run->organization);
        cs_buf_puts(b, "}");
    }
    if (!is_null(r, i, X_REPLACES_UUID))
        cs_buf_printf(b, ",\"relatesTo\":[{\"code\":\"replaces\",\"target\":{"
                         "\"reference\":\"DocumentReference/%s\",\"type\":\"DocumentReference\","
                         "\"identifier\":{\"system\":\"urn:ietf:rfc:3986\","
                         "\"value\":\"urn:uuid:%s\"}}}]",
                      PQgetvalue(r, i, X_REPLACES_UUID), PQgetvalue(r, i, X_REPLACES_UUID));
    if (!is_null(r, i, X_DOS))
        cs_buf_printf(b, ",\"context\":{\"period\":{\"start\":\"%s\",\"end\":\"%s\"}}",
                      PQgetvalue(r, i, X_DOS), PQgetvalue(r, i, X_DOS));

    /* the attachment comes last so that inline data can stream after it */
    cs_buf_puts(b, ",\"content\":[{\"attachment\":{\"contentType\":\"application/pdf\"");
    {
        cs_buf title = CS_BUF_INIT;
        cs_buf_puts(&title, display);
        if (!is_null(r, i, X_DOS))
            cs_buf_printf(&title, " %s", PQgetvalue(r, i, X_DOS));
        if (cs_buf_failed(&title) || !title.data)
            rc = -1;
        else
            json_member(b, "title", title.data);
        cs_buf_free(&title);
    }
    if (!is_null(r, i, X_DOS))
        json_member(b, "creation", PQgetvalue(r, i, X_DOS));
    if (!is_null(r, i, X_PDF_SIZE))
        cs_buf_printf(b, ",\"size\":%s", PQgetvalue(r, i, X_PDF_SIZE));
    if (pdf_mode != CS_EXPORT_PDF_INLINE)
        cs_buf_printf(b, ",\"url\":\"Binary/%s\"", uuid);
    return rc < 0 || cs_buf_failed(b) ? -1 : 0;
}

int cs_export_fhir(cs_store *s, const cs_export_options *o, FILE *log, char *err,
                   size_t errlen)
{
    cs_export_run run;
    out_file dr = {{0}, {0}, NULL}, bin = {{0}, {0}, NULL};
    char dir[1024];
    cs_buf line = CS_BUF_INIT;
    PGresult *r = NULL;
    int mode = o->pdf, want_pdf = o->pdf != CS_EXPORT_PDF_NONE, rc = -1;
    long binaries = 0;
    double t0 = cs_now_ms();

    memset(&run, 0, sizeof run);
    if (o->mllp)
        return cs_fail(err, errlen, "MLLP is for HL7 messages, not FHIR");
    if (cs_export_make_dir(o->out_dir, "fhir", dir, sizeof dir, err, errlen) < 0)
        return -1;
    if (cs_export_run_begin(&run, s, "fhir", o, want_pdf, 0, 0, err, errlen) < 0)
        goto out;
    snprintf(run.target, sizeof run.target, "%s", dir);
    if (out_open(&dr, dir, "DocumentReference.ndjson", err, errlen) < 0)
        goto out;
    if (mode == CS_EXPORT_PDF_DEFAULT && out_open(&bin, dir, "Binary.ndjson", err, errlen) < 0)
        goto out;

    for (;;) {
        int n;
        r = cs_export_run_fetch(&run, err, errlen);
        if (!r)
            goto out;
        n = PQntuples(r);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++) {
            const unsigned char *pdf = (const unsigned char *)PQgetvalue(r, i, X_PDF);
            size_t pdf_len = PQgetisnull(r, i, X_PDF) ? 0 : (size_t)PQgetlength(r, i, X_PDF);
            int have_pdf = want_pdf && !PQgetisnull(r, i, X_PDF);

            cs_buf_reset(&line);
            /* every piece is checked once, before the line is written: a
             * resource that lost a piece must never go out as sent */
            if (resource_head(&line, &run, r, i, mode) < 0) {
                cs_fail(err, errlen, "out of memory");
                goto out;
            }
            if (have_pdf) {
                cs_buf_puts(&line, ",\"hash\":\"");
                if (sha1_base64(pdf, pdf_len, &line) < 0) {
                    cs_fail(err, errlen, "could not compute SHA-1");
                    goto out;
                }
                cs_buf_puts(&line, "\"");
            }
            if (mode == CS_EXPORT_PDF_INLINE && have_pdf) {
                cs_buf_puts(&line, ",\"data\":\"");
                if (cs_buf_failed(&line)) {
                    cs_fail(err, errlen, "out of memory");
                    goto out;
                }
                fwrite(line.data, 1, line.len, dr.fp);
                cs_base64_write(dr.fp, pdf, pdf_len);
                cs_buf_reset(&line);
                cs_buf_puts(&line, "\"");
            }
            cs_buf_puts(&line, "}}]}\n");
            if (cs_buf_failed(&line) || !line.data) {
                cs_fail(err, errlen, "out of memory");
                goto out;
            }
            fwrite(line.data, 1, line.len, dr.fp);
            if (ferror(dr.fp)) {
                cs_fail(err, errlen, "could not write \"%s\": %s", dr.part, strerror(errno));
                goto out;
            }
            if (mode == CS_EXPORT_PDF_DEFAULT && have_pdf) {
                fprintf(bin.fp, "{\"resourceType\":\"Binary\",\"id\":\"%s\","
                                "\"contentType\":\"application/pdf\",\"data\":\"",
                        PQgetvalue(r, i, X_UUID));
                cs_base64_write(bin.fp, pdf, pdf_len);
                fputs("\"}\n", bin.fp);
                if (ferror(bin.fp)) {
                    cs_fail(err, errlen, "could not write \"%s\": %s", bin.part,
                            strerror(errno));
                    goto out;
                }
                binaries++;
            }
            if (cs_export_run_record(&run, r, i, "sent", NULL, NULL, err, errlen) < 0)
                goto out;
        }
        PQclear(r);
        r = NULL;
    }
    if (out_close(&dr, run.exported > 0, err, errlen) < 0 ||
        out_close(&bin, binaries > 0, err, errlen) < 0)
        goto out;
    if (cs_export_run_finish(&run, err, errlen) < 0)
        goto out;
    if (log) {
        double secs = (cs_now_ms() - t0) / 1000.0;
        if (run.exported == 0)
            fprintf(log, "nothing to export%s%s%s\n", run.destination[0] ? " to \"" : "",
                    run.destination, run.destination[0] ? "\"" : "");
        else
            fprintf(log, "exported %ld DocumentReference%s (%ld Binary) to %s in %.1fs\n",
                    run.exported, run.exported == 1 ? "" : "s", binaries, dir, secs);
    }
    rc = (int)(run.exported > 0x7fffffff ? 0x7fffffff : run.exported);
out:
    PQclear(r);
    out_abort(&dr);
    out_abort(&bin);
    cs_export_run_end(&run);
    cs_buf_free(&line);
    return rc;
}

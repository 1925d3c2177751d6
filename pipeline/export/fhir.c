/*
 * fhir.c — `chartscan export fhir`: filed documents as FHIR R4
 * DocumentReference resources in NDJSON, the FHIR Bulk Data layout: one
 * resource a line in DocumentReference.ndjson, and the PDFs as Binary
 * resources in Binary.ndjson (or inline in attachment.data, or left out).
 *
 * Interface routines: cs_export_fhir; internal: cs_base64_append,
 * cs_export_make_dir.
 *
 * A DocumentReference (one per document version):
 *   id, masterIdentifier   the document's uuid (urn:uuid:...), fixed for the version
 *   identifier             chartscan's own id (d-42), system urn:chartscan:document
 *   status                 current, superseded once a corrected version replaced it, or
 *                          entered-in-error once an admin cancelled it
 *   docStatus              final (only filed documents are exported)
 *   type                   LOINC coding (when the type has one) + chartscan's code
 *   category               US Core clinical-note
 *   subject                the patient by identifier: system = the site's MRN system
 *                          (fhir.mrn_system); reference too when the site's Patient
 *                          ids are made from the MRN (fhir.subject.reference)
 *   date                   when the document was filed (an instant, UTC)
 *   custodian              the site's organisation: fhir.custodian.reference and
 *                          .display (else $CHARTSCAN_ORGANIZATION), when set
 *   relatesTo              replaces -> the earlier version, for a correction
 *   context.period         the date of service
 *   content[0].attachment  application/pdf; title; creation (the date of
 *                          service); size; url Binary/<uuid>; hash (base64
 *                          SHA-1 of the PDF, as FHIR defines it); inline,
 *                          data after the hash instead of the url
 *
 * Notes
 *  1. Files are written as NAME.part-XXXXXX and renamed once complete,
 *     before the transaction that records the export commits: a failed
 *     export leaves no file that looks complete and records nothing.  The
 *     folder (when made here) is 0700 and the files 0600 whatever the
 *     umask, never written through a symbolic link (cs_file_create_private).
 *  2. Memory is flat: the cursor brings a few rows at a time (16 with the
 *     PDFs), and one resource is held at a time.  With the PDF in it (in
 *     Binary.ndjson or inline), that is the PDF's base64 twice (the buffer
 *     it is encoded into, and the resource's copy): bounded by the largest
 *     document, whatever the number of documents.
 *  3. The resources are built with jansson, which escapes every string and
 *     writes the members in the order they are added (the order above).  A
 *     value that is not valid UTF-8 stops the export, naming the document
 *     or the setting, rather than going out altered.
 */
#include "pipeline/export/export_internal.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* sodium_bin2base64 is a pure codec: it needs no sodium_init. */
int cs_base64_append(cs_buf *b, const unsigned char *data, size_t len)
{
    size_t size;

    if (len > (SIZE_MAX - 8) / 4 * 3) {
        b->failed = 1;
        return -1;
    }
    /* the encoded length with its NUL, which cs_buf_reserve counts itself */
    size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    if (cs_buf_reserve(b, size - 1) < 0)
        return -1;
    sodium_bin2base64(b->data + b->len, size, data, len, sodium_base64_VARIANT_ORIGINAL);
    b->len += size - 1;
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
    int placed;          /* renamed into place; removed again if the run fails after */
} out_file;

static int out_open(out_file *f, const char *dir, const char *name, char *err, size_t errlen)
{
    snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
    f->fp = cs_file_open_private(f->path, f->part, sizeof f->part, err, errlen);
    return f->fp ? 0 : -1;
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
        f->placed = rc == 0;
    } else {
        remove(f->part);
        if (rc == 0)
            remove(f->path);
    }
    return rc;
}

/* On failure: drop the partial file, or the file this run put in place
 * (another file failed, or the database did not record the export). */
static void out_abort(out_file *f)
{
    if (f->placed)
        remove(f->path);
    f->placed = 0;
    if (!f->fp)
        return;
    fclose(f->fp);
    f->fp = NULL;
    remove(f->part);
}

/* A text column, or NULL when it is SQL NULL or empty. */
static const char *value_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) || !*PQgetvalue(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/*
 * Building one resource with jansson: every constructor's result goes
 * through here, and the first failure is kept (later ones follow from it:
 * a NULL part makes its parent fail too).  jansson's setters take a NULL
 * object or value and consume the value whatever happens, so a resource is
 * built without a check per call and checked once, like a cs_buf.
 */
typedef struct json_build {
    int failed;
    json_error_t error;       /* the first failure (code out_of_memory when not jansson's own) */
} json_build;

static void build_failed(json_build *jb, const json_error_t *error)
{
    if (jb->failed)
        return;
    jb->failed = 1;
    if (error) {
        jb->error = *error;
    } else {
        memset(&jb->error, 0, sizeof jb->error);
        snprintf(jb->error.text, sizeof jb->error.text - 1, "out of memory");
        jb->error.text[sizeof jb->error.text - 1] = (char)json_error_out_of_memory;
    }
}

/* json_pack, noting a failure in jb. */
static json_t *pack(json_build *jb, const char *fmt, ...)
{
    json_error_t error;
    json_t *v;
    va_list ap;

    /* jansson leaves the error's code byte unset on some failed
     * allocations: a code read from stack garbage once reported an
     * out-of-memory failure as a format error (build_error) */
    memset(&error, 0, sizeof error);
    va_start(ap, fmt);
    v = json_vpack_ex(&error, 0, fmt, ap);
    va_end(ap);
    if (!v)
        build_failed(jb, &error);
    return v;
}

/* object[key] = value (consumed), noting a failure in jb. */
static void put(json_build *jb, json_t *object, const char *key, json_t *value)
{
    if (json_object_set_new(object, key, value) < 0)
        build_failed(jb, NULL);
}

/* The error message for a resource that could not be built. */
static int build_error(const json_build *jb, const char *what, char *err, size_t errlen)
{
    if (!jb->error.text[0])             /* jansson said nothing: an allocation failed */
        return cs_fail(err, errlen, "out of memory");
    switch (json_error_code(&jb->error)) {
    case json_error_invalid_utf8:
        return cs_fail(err, errlen, "%s is not valid UTF-8", what);
    case json_error_invalid_format:
    case json_error_invalid_argument:   /* a mistake of ours in a format */
        return cs_fail(err, errlen, "could not build %s: %s", what, jb->error.text);
    default:
        /* out_of_memory, null_value (a part that ran out of memory), and
         * unknown: jansson says nothing when a value's allocation fails */
        return cs_fail(err, errlen, "out of memory");
    }
}

/* DocumentReference.status: current, superseded or entered-in-error. */
static const char *fhir_status(const char *version_status)
{
    if (!strcmp(version_status, "superseded"))
        return "superseded";
    if (!strcmp(version_status, "entered-in-error"))
        return "entered-in-error";
    return "current";
}

/*
 * subject.reference from the setting fhir.subject.reference, "{mrn}" replaced
 * by the MRN (config.c checked the rest of it): the site's Patient ids are
 * made from the MRN.  An MRN that cannot be part of a FHIR id ([A-Za-z0-9.-],
 * at most 64 in all) stops the export (jb's error names it), rather than a
 * reference going out that points nowhere.  0, or -1 with jb failed.
 */
static int set_subject_reference(json_build *jb, json_t *subject, const cs_export_run *run,
                                 const char *mrn)
{
    const char *t = run->subject_template, *at = strstr(t, "{mrn}");
    const char *slash = strrchr(t, '/');     /* the template ends in Patient/ID */
    size_t idlen = 65;

    if (at && slash && slash < at)           /* config.c saw to it: {mrn} is in the ID */
        idlen = strlen(slash + 1) - 5 + strlen(mrn);
    for (const char *p = mrn; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-'))
            idlen = 65;
    if (idlen > 64) {
        json_error_t e;
        memset(&e, 0, sizeof e);
        snprintf(e.text, sizeof e.text - 1, "its MRN cannot be part of a FHIR Patient id "
                 "(fhir.subject.reference): only letters, digits, . and - fit");
        e.text[sizeof e.text - 1] = (char)json_error_invalid_argument;
        build_failed(jb, &e);
        return -1;
    }
    put(jb, subject, "reference", pack(jb, "s#++", t, (int)(at - t), mrn, at + 5));
    return jb->failed ? -1 : 0;
}

/*
 * The DocumentReference of row i (see the top of the file for its fields):
 * hash is the PDF's base64 SHA-1 and data its base64 (NULL: left out).  The
 * members go in the order they are added, which is the order of the output.
 * Returns the resource, or NULL with jb->failed set.
 */
static json_t *document_reference(json_build *jb, const cs_export_run *run, const PGresult *r,
                                  int i, int pdf_mode, const char *hash, const cs_buf *data)
{
    const char *uuid = PQgetvalue(r, i, X_UUID), *code = PQgetvalue(r, i, X_TYPE);
    const char *display = value_or_null(r, i, X_DISPLAY) ? PQgetvalue(r, i, X_DISPLAY) : code;
    const char *loinc = value_or_null(r, i, X_LOINC), *mrn = value_or_null(r, i, X_MRN);
    const char *last = value_or_null(r, i, X_LAST), *first = value_or_null(r, i, X_FIRST);
    const char *middle = value_or_null(r, i, X_MIDDLE), *dos = value_or_null(r, i, X_DOS);
    const char *replaces = value_or_null(r, i, X_REPLACES_UUID);
    const char *size = value_or_null(r, i, X_PDF_SIZE);
    json_t *doc, *coding, *subject, *attachment;

    coding = json_array();
    if (!coding)
        build_failed(jb, NULL);
    if (loinc && json_array_append_new(coding, pack(jb, "{s:s, s:s, s:s}", "system",
                                                    "http://loinc.org", "code", loinc,
                                                    "display", display)) < 0)
        build_failed(jb, NULL);
    if (json_array_append_new(coding, pack(jb, "{s:s, s:s, s:s}", "system",
                                           "urn:chartscan:doctype", "code", code,
                                           "display", display)) < 0)
        build_failed(jb, NULL);
    doc = pack(jb, "{s:s, s:s, s:{s:s, s:s+}, s:[{s:s, s:s+}], s:s, s:s, s:{s:O, s:s},"
                   " s:[{s:[{s:s, s:s, s:s}]}]}",
               "resourceType", "DocumentReference",
               "id", uuid,
               "masterIdentifier", "system", "urn:ietf:rfc:3986", "value", "urn:uuid:", uuid,
               "identifier", "system", "urn:chartscan:document", "value", "d-",
               PQgetvalue(r, i, X_ID),
               "status", fhir_status(PQgetvalue(r, i, X_VSTATUS)),
               "docStatus", "final",
               "type", "coding", coding, "text", display,
               "category", "coding", "system",
               "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
               "code", "clinical-note", "display", "Clinical Note");
    json_decref(coding);

    if (mrn) {
        subject = pack(jb, "{s:s, s:{s:s, s:{s:[{s:s, s:s}]}, s:s, s:s}}",
                       "type", "Patient",
                       "identifier", "use", "usual",
                       "type", "coding", "system",
                       "http://terminology.hl7.org/CodeSystem/v2-0203", "code", "MR",
                       "system", run->mrn_system, "value", mrn);
        if (run->subject_template[0] && set_subject_reference(jb, subject, run, mrn) < 0) {
            json_decref(subject);
            json_decref(doc);
            return NULL;
        }
        if (last)   /* "Last, First Middle" */
            put(jb, subject, "display",
                pack(jb, "s++++", last, first ? ", " : "", first ? first : "",
                     middle ? " " : "", middle ? middle : ""));
        put(jb, doc, "subject", subject);
    }
    put(jb, doc, "date", pack(jb, "s", PQgetvalue(r, i, X_FILED_AT)));
    if (run->organization[0] || run->custodian_reference[0]) {
        json_t *custodian = json_object();
        if (!custodian)
            build_failed(jb, NULL);
        if (run->custodian_reference[0])
            put(jb, custodian, "reference", pack(jb, "s", run->custodian_reference));
        put(jb, custodian, "type", pack(jb, "s", "Organization"));
        if (run->organization[0])
            put(jb, custodian, "display", pack(jb, "s", run->organization));
        put(jb, doc, "custodian", custodian);
    }
    if (replaces)
        put(jb, doc, "relatesTo",
            pack(jb, "[{s:s, s:{s:s+, s:s, s:{s:s, s:s+}}}]", "code", "replaces",
                 "target", "reference", "DocumentReference/", replaces,
                 "type", "DocumentReference",
                 "identifier", "system", "urn:ietf:rfc:3986", "value", "urn:uuid:", replaces));
    if (dos)
        put(jb, doc, "context", pack(jb, "{s:{s:s, s:s}}", "period", "start", dos, "end", dos));

    attachment = pack(jb, "{s:s, s:s++}", "contentType", "application/pdf",
                      "title", display, dos ? " " : "", dos ? dos : "");
    /* not "s*": jansson leaves out such a member when its value could not be made */
    if (dos)
        put(jb, attachment, "creation", pack(jb, "s", dos));
    if (size)
        put(jb, attachment, "size", json_integer(strtoll(size, NULL, 10)));
    if (pdf_mode != CS_EXPORT_PDF_INLINE)
        put(jb, attachment, "url", pack(jb, "s+", "Binary/", uuid));
    if (hash)
        put(jb, attachment, "hash", pack(jb, "s", hash));
    if (data)   /* base64: ASCII, no need to check it as UTF-8 */
        put(jb, attachment, "data", json_stringn_nocheck(data->data ? data->data : "", data->len));
    put(jb, doc, "content", pack(jb, "[{s:O}]", "attachment", attachment));
    json_decref(attachment);

    if (jb->failed) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* The Binary resource of a PDF whose base64 is data. */
static json_t *binary_resource(json_build *jb, const char *uuid, const cs_buf *data)
{
    json_t *bin = pack(jb, "{s:s, s:s, s:s}", "resourceType", "Binary", "id", uuid,
                       "contentType", "application/pdf");
    put(jb, bin, "data", json_stringn_nocheck(data->data ? data->data : "", data->len));
    if (jb->failed) {
        json_decref(bin);
        return NULL;
    }
    return bin;
}

/* Write resource as one NDJSON line; -1 with err (a write error or out of memory). */
static int write_line(out_file *f, const json_t *resource, char *err, size_t errlen)
{
    if (json_dumpf(resource, f->fp, JSON_COMPACT) < 0 || putc('\n', f->fp) == EOF ||
        ferror(f->fp)) {
        if (ferror(f->fp))
            return cs_fail(err, errlen, "could not write \"%s\": %s", f->part, strerror(errno));
        return cs_fail(err, errlen, "out of memory");
    }
    return 0;
}

/* The base64 SHA-1 of data, as FHIR's attachment.hash wants it, into out. */
static int sha1_base64(const unsigned char *data, size_t len, char *out, size_t outlen)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
        outlen < sodium_base64_ENCODED_LEN(mdlen, sodium_base64_VARIANT_ORIGINAL))
        return -1;
    sodium_bin2base64(out, outlen, md, mdlen, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

/* The settings that go into every resource must be valid UTF-8. */
static int check_setting(const char *value, const char *what, char *err, size_t errlen)
{
    json_build jb = {0};
    json_t *v = pack(&jb, "s", value);

    json_decref(v);
    return v ? 0 : build_error(&jb, what, err, errlen);
}

int cs_export_fhir(cs_store *s, const cs_export_options *o, FILE *log, char *err,
                   size_t errlen)
{
    cs_export_run run;
    out_file dr = {{0}, {0}, NULL, 0}, bin = {{0}, {0}, NULL, 0};
    char dir[1024], what[64];
    char hash[sodium_base64_ENCODED_LEN(EVP_MAX_MD_SIZE, sodium_base64_VARIANT_ORIGINAL)];
    cs_buf pdf64 = CS_BUF_INIT;
    json_t *resource = NULL;
    PGresult *r = NULL;
    int mode = o->pdf, want_pdf = o->pdf != CS_EXPORT_PDF_NONE, rc = -1;
    long binaries = 0;
    double t0 = cs_now_ms();

    memset(&run, 0, sizeof run);
    if (o->mllp)
        return cs_fail(err, errlen, "MLLP is for HL7 messages, not FHIR");
    /* the settings first (an export that refuses makes no folder), then the folder */
    if (cs_export_run_begin(&run, s, "fhir", o, want_pdf, 0, 0, err, errlen) < 0)
        goto out;
    if (check_setting(run.mrn_system, "the MRN system (fhir.mrn_system, CHARTSCAN_MRN_SYSTEM)",
                      err, errlen) < 0 ||
        check_setting(run.organization, "the organisation (fhir.custodian.display, "
                      "CHARTSCAN_ORGANIZATION)", err, errlen) < 0)
        goto out;
    if (cs_export_make_dir(o->out_dir, "fhir", dir, sizeof dir, err, errlen) < 0)
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
            json_build jb = {0};

            snprintf(what, sizeof what, "the resource of document d-%s", PQgetvalue(r, i, X_ID));
            cs_buf_reset(&pdf64);
            if (have_pdf) {
                if (sha1_base64(pdf, pdf_len, hash, sizeof hash) < 0) {
                    cs_fail(err, errlen, "could not compute SHA-1");
                    goto out;
                }
                if (cs_base64_append(&pdf64, pdf, pdf_len) < 0) {
                    cs_fail(err, errlen, "out of memory");
                    goto out;
                }
            }
            /* built whole and checked once before it is written: a resource
             * that lost a piece must never go out as sent */
            resource = document_reference(&jb, &run, r, i, mode, have_pdf ? hash : NULL,
                                          mode == CS_EXPORT_PDF_INLINE && have_pdf ? &pdf64
                                                                                   : NULL);
            if (!resource) {
                build_error(&jb, what, err, errlen);
                goto out;
            }
            if (write_line(&dr, resource, err, errlen) < 0)
                goto out;
            json_decref(resource);
            resource = NULL;
            if (mode == CS_EXPORT_PDF_DEFAULT && have_pdf) {
                resource = binary_resource(&jb, PQgetvalue(r, i, X_UUID), &pdf64);
                if (!resource) {
                    build_error(&jb, what, err, errlen);
                    goto out;
                }
                if (write_line(&bin, resource, err, errlen) < 0)
                    goto out;
                json_decref(resource);
                resource = NULL;
                binaries++;
            }
            if (cs_export_run_record(&run, r, i, "sent", NULL, NULL, NULL, err, errlen) < 0)
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
    dr.placed = bin.placed = 0;   /* recorded: they stay */
out:
    json_decref(resource);
    PQclear(r);
    out_abort(&dr);
    out_abort(&bin);
    cs_export_run_end(&run);
    cs_buf_free(&pdf64);
    return rc;
}

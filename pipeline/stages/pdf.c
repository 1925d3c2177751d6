/*
 * pdf.c — searchable PDFs: a document's PDF/A-2b is rendered by ocr/ from
 * its pages' cleaned images (or, for grey and colour scans, their
 * originals: cs_pdf_set_images) and recognised words (no OCR is re-run)
 * and stored with the document; `chartscan export pdf` writes it out
 * (0600, never through a link).
 */
#include "pipeline/stages/stage_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "ocr/ocr.h"
#include "pipeline/review/review_store.h"

/* Which image the PDFs of this process show (cs_pdf_set_images). */
static cs_pdf_images pdf_images = CS_PDF_IMAGES_ORIGINAL;

int cs_pdf_set_images(const char *mode)
{
    return cs_pdf_images_parse(mode, &pdf_images);
}

/* Free the words of n pages loaded by load_words. */
static void free_pages(cs_pdf_page *pages, cs_ocr_word **words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t w = 0; w < pages[i].nwords; w++)
            free(words[i][w].text);
        free(words[i]);
    }
    free(words);
    free(pages);
}

/*
 * The words of the document's n pages, into words[] and pages[].words
 * (pages in the order of load_images).
 */
static int load_words(cs_store *s, const char *doc, cs_pdf_page *pages, cs_ocr_word **words,
                      size_t n, char *err, size_t errlen)
{
    const char *p[1] = {doc};
    PGresult *wr;
    int rc = -1;

    wr = cs_pq(s, "SELECT p.ord, w.text, w.x, w.y, w.w, w.h, w.confidence, w.block, w.line"
                  "  FROM (SELECT id, row_number() OVER (ORDER BY file_id, page_no) - 1 AS ord"
                  "          FROM page WHERE document_id = $1) p"
                  "  JOIN word w ON w.page_id = p.id ORDER BY p.ord, w.seq", 1, p, err, errlen);
    if (!wr)
        return -1;
    for (int row = 0, nrows = PQntuples(wr); row < nrows;) {
        size_t ord = (size_t)cs_pq_int(wr, row, 0), count = 0;
        while (row + (int)count < nrows && (size_t)cs_pq_int(wr, row + (int)count, 0) == ord)
            count++;
        if (ord >= n)
            break;
        words[ord] = calloc(count, sizeof **words);
        if (!words[ord]) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
        for (size_t k = 0; k < count; k++, row++) {
            cs_ocr_word *w = &words[ord][k];
            w->text = strdup(PQgetvalue(wr, row, 1));
            w->x = (int)cs_pq_int(wr, row, 2);
            w->y = (int)cs_pq_int(wr, row, 3);
            w->w = (int)cs_pq_int(wr, row, 4);
            w->h = (int)cs_pq_int(wr, row, 5);
            w->confidence = (float)atof(PQgetvalue(wr, row, 6));
            w->block = (int)cs_pq_int(wr, row, 7);
            w->line = (int)cs_pq_int(wr, row, 8);
            pages[ord].nwords = k + 1;
            if (!w->text) {
                cs_fail(err, errlen, "out of memory");
                goto out;
            }
        }
        pages[ord].words = words[ord];
    }
    rc = 0;
out:
    PQclear(wr);
    return rc;
}

/*
 * Point each page at the scan it came from (the source file's bytes in
 * files, a binary result of id::text, data), for a grey or colour page
 * kept as it was.  A file whose bytes are gone leaves its pages bilevel.
 */
static void attach_originals(PGresult *imgs, PGresult *files, cs_pdf_page *pages, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *file = PQgetvalue(imgs, (int)i, 3);

        for (int f = 0; f < PQntuples(files); f++) {
            if (strcmp(PQgetvalue(files, f, 0), file) != 0)
                continue;
            pages[i].original = (const unsigned char *)PQgetvalue(files, f, 1);
            pages[i].original_len = (size_t)PQgetlength(files, f, 1);
            pages[i].original_page = atoi(PQgetvalue(imgs, (int)i, 4));
        }
    }
}

/*
 * The PDF's title and dates: the document's type and id ("Discharge
 * summary d-42"), never the patient's name or MRN, which the pages carry
 * and the EHR's index holds: metadata is what file browsers, indexers and
 * viewers' title bars show.  Created when the document was; modified now.
 */
static int load_info(cs_store *s, const char *doc, char *title, size_t titlelen,
                     cs_pdf_info *info, char *err, size_t errlen)
{
    const char *p[1] = {doc};
    PGresult *r;

    r = cs_pq(s, "SELECT coalesce(t.display, 'Document') || ' d-' || d.id,"
                 "       extract(epoch FROM d.created_at)::bigint,"
                 "       extract(epoch FROM now())::bigint"
                 "  FROM document d LEFT JOIN doctype t ON t.code = d.doctype WHERE d.id = $1",
              1, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_fail(err, errlen, "no document d-%s", doc);
    }
    snprintf(title, titlelen, "%s", PQgetvalue(r, 0, 0));
    info->title = title;
    info->created = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    info->modified = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    info->images = pdf_images;
    PQclear(r);
    return 0;
}

int cs_document_render_pdf(cs_store *s, long long document_id, char *err, size_t errlen)
{
    char b1[24], hex[65], title[256];
    const char *p[1] = {cs_i64(b1, document_id)};
    PGresult *imgs = NULL, *files = NULL, *up = NULL;
    cs_pdf_page *pages = NULL;
    cs_ocr_word **words = NULL;
    cs_pdf_info info = {0};
    unsigned char *pdf = NULL;
    size_t pdf_len = 0, n = 0;
    int rc = -1;

    /* binary results: the images come as stored (the other columns as text) */
    imgs = cs_pq_bin(s, "read the document's page images",
        "SELECT id, cleaned, dpi, file_id::text, page_no::text, coalesce(rotation, 0)::text,"
        "       coalesce(skew, 0)::text"
        "  FROM page WHERE document_id = $1 ORDER BY file_id, page_no",
        1, p, NULL, NULL, 1, err, errlen);
    if (!imgs)
        goto out;
    n = (size_t)PQntuples(imgs);
    for (size_t i = 0; i < n; i++) {
        if (PQgetisnull(imgs, (int)i, 1)) {
            rc = 0;   /* pages from before cleanup was stored: no PDF, not an error */
            goto out;
        }
    }
    if (load_info(s, p[0], title, sizeof title, &info, err, errlen) < 0)
        goto out;
    if (pdf_images == CS_PDF_IMAGES_ORIGINAL) {
        files = cs_pq_bin(s, "read the document's scans",
            "SELECT id::text, data FROM source_file WHERE data IS NOT NULL"
            "   AND id IN (SELECT file_id FROM page WHERE document_id = $1)",
            1, p, NULL, NULL, 1, err, errlen);
        if (!files)
            goto out;
    }
    pages = calloc(n ? n : 1, sizeof *pages);
    words = calloc(n ? n : 1, sizeof *words);
    if (!pages || !words) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t dpi_be;
        memcpy(&dpi_be, PQgetvalue(imgs, (int)i, 2), 4);
        pages[i].g4_tiff = (const unsigned char *)PQgetvalue(imgs, (int)i, 1);
        pages[i].g4_len = (size_t)PQgetlength(imgs, (int)i, 1);
        pages[i].dpi = (int)ntohl(dpi_be);   /* int4 in network order */
        pages[i].rotation = atoi(PQgetvalue(imgs, (int)i, 5));
        pages[i].skew = atof(PQgetvalue(imgs, (int)i, 6));
    }
    if (files)
        attach_originals(imgs, files, pages, n);
    if (load_words(s, p[0], pages, words, n, err, errlen) < 0
        || cs_ocr_pdf(pages, n, &info, &pdf, &pdf_len, err, errlen) < 0)
        goto out;
    cs_sha256_hex(pdf, pdf_len, hex);
    {
        const char *values[3] = {p[0], (const char *)pdf, hex};
        int lengths[3] = {0, (int)pdf_len, 0}, formats[3] = {0, 1, 0};
        up = cs_pq_bin(s, "store the document's PDF",
                       "UPDATE document SET pdf = $2, pdf_sha256 = $3 WHERE id = $1", 3, values,
                       lengths, formats, 0, err, errlen);
        if (!up)
            goto out;
    }
    rc = 0;
out:
    if (rc < 0 && err)
        err[strcspn(err, "\n")] = '\0';
    if (pages)
        free_pages(pages, words, n);
    else
        free(words);
    free(pdf);
    PQclear(up);
    PQclear(files);
    PQclear(imgs);
    return rc;
}

int cs_write_output(const void *bytes, size_t len, const char *out_path, const char *what,
                    cs_before_commit before_commit, void *arg, char *err, size_t errlen)
{
    const char *data = bytes;
    char tmp[4200] = "";
    int fd = -1, rc = -1;

    if (out_path) {
        /* 0600 whatever the umask, never through a link; renamed into place when complete */
        fd = cs_file_create_private(out_path, tmp, sizeof tmp, err, errlen);
        if (fd < 0)
            return -1;
    } else {
        if (isatty(STDOUT_FILENO))
            return cs_fail(err, errlen, "refusing to write %s to a terminal: use --out FILE or "
                           "a pipe", what);
        fd = STDOUT_FILENO;
    }
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            cs_fail(err, errlen, "could not write %s: %s", out_path ? out_path : what,
                    strerror(errno));
            goto out;
        }
        data += w;
        len -= (size_t)w;
    }
    if (out_path) {
        int e = 0;
        if (fsync(fd) < 0 && errno != EINVAL)
            e = errno;
        if (close(fd) != 0 && !e)
            e = errno;
        fd = -1;
        if (e) {
            cs_fail(err, errlen, "could not write \"%s\": %s", out_path, strerror(e));
            goto out;
        }
        /* the caller's last word (an audit row) once every byte is on disk:
         * a write that failed left neither the file nor the row */
        if (before_commit && before_commit(arg, err, errlen) < 0)
            goto out;
        if (cs_file_commit_private(tmp, out_path, err, errlen) < 0) {
            tmp[0] = '\0';   /* removed by the commit */
            goto out;
        }
        tmp[0] = '\0';
    }
    rc = 0;
out:
    if (fd >= 0 && fd != STDOUT_FILENO)
        close(fd);
    if (tmp[0])
        unlink(tmp);
    return rc;
}

typedef struct {
    cs_store *s;
    const char *id;
    const char *detail;   /* where the bytes go, as JSON */
} pdf_audit;

static int audit_pdf_export(void *arg, char *err, size_t errlen)
{
    pdf_audit *a = arg;

    return cs_audit_command(a->s, "export_pdf", "document", a->id, a->detail, err, errlen);
}

int cs_export_pdf(cs_store *s, const char *document, const char *out_path, char *err,
                  size_t errlen)
{
    pdf_audit a;
    const char *id = document;
    const char *p[1];
    PGresult *r;
    int rc = -1;

    if (!strncmp(id, "d-", 2))
        id += 2;
    if (!*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18)
        return cs_fail(err, errlen, "\"%s\" is not a document id (like d-42 or 42)", document);
    p[0] = id;
    r = cs_pq_bin(s, "read the document's PDF",
                  "SELECT pdf IS NOT NULL, pdf FROM document WHERE id = $1", 1, p, NULL, NULL, 1,
                  err, errlen);
    if (!r)
        goto out;
    if (PQntuples(r) == 0) {
        cs_fail(err, errlen, "no document d-%s", id);
        goto out;
    }
    if (!*PQgetvalue(r, 0, 0)) {
        cs_fail(err, errlen, "document d-%s has no PDF (its pages were processed before PDFs "
                "were made)", id);
        goto out;
    }
    if (!out_path && isatty(STDOUT_FILENO)) {
        cs_fail(err, errlen, "refusing to write a PDF to a terminal: use --out FILE or a pipe");
        goto out;
    }
    /* a disclosure, audited (issue 12): before a byte goes to stdout; into a
     * file, once its bytes are in the private temporary file and before it
     * is renamed into place, so that a write that fails (a full disk) leaves
     * neither a file nor an audit row */
    a.s = s;
    a.id = id;
    a.detail = out_path ? "{\"to\":\"file\"}" : "{\"to\":\"stdout\"}";
    if (!out_path && audit_pdf_export(&a, err, errlen) < 0)
        goto out;
    rc = cs_write_output(PQgetvalue(r, 0, 1), (size_t)PQgetlength(r, 0, 1), out_path, "a PDF",
                         out_path ? audit_pdf_export : NULL, &a, err, errlen);
out:
    PQclear(r);
    return rc;
}

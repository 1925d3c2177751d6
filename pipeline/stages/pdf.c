/*
 * pdf.c — searchable PDFs: a document's PDF is rendered by ocr/ from its
 * pages' cleaned images and recognised words (no OCR is re-run) and stored
 * with the document; `chartscan export pdf` writes it out.
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

int cs_document_render_pdf(cs_store *s, long long document_id, char *err, size_t errlen)
{
    char b1[24], hex[65];
    const char *p[1] = {cs_i64(b1, document_id)};
    PGresult *imgs = NULL, *wr = NULL, *up = NULL;
    cs_pdf_page *pages = NULL;
    cs_ocr_word **words = NULL;
    unsigned char *pdf = NULL;
    size_t pdf_len = 0, n;
    int rc = -1;

    /* binary results: the images come as stored */
    imgs = cs_pq_bin(s, "read the document's page images",
        "SELECT id, cleaned, dpi FROM page WHERE document_id = $1 ORDER BY file_id, page_no",
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
    }
    wr = cs_pq(s, "SELECT p.ord, w.text, w.x, w.y, w.w, w.h, w.confidence, w.block, w.line"
                  "  FROM (SELECT id, row_number() OVER (ORDER BY file_id, page_no) - 1 AS ord"
                  "          FROM page WHERE document_id = $1) p"
                  "  JOIN word w ON w.page_id = p.id ORDER BY p.ord, w.seq", 1, p, err, errlen);
    if (!wr)
        goto out;
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
    if (cs_ocr_pdf(pages, n, &pdf, &pdf_len, err, errlen) < 0)
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
    free(pdf);
    PQclear(up);
    PQclear(wr);
    PQclear(imgs);
    return rc;
}

int cs_export_pdf(cs_store *s, const char *document, const char *out_path, char *err,
                  size_t errlen)
{
    const char *id = document;
    const char *p[1];
    PGresult *r;
    int fd = -1, rc = -1;
    size_t len;
    const char *data;
    char tmp[4200] = "";

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
    /* a disclosure: audited before a byte goes out (issue 12); into a file,
     * once the bytes are in its private temporary file, so that a write that
     * fails (a full disk) leaves neither a file nor an audit row */
    if (!out_path && cs_audit_command(s, "export_pdf", "document", id, "{\"to\":\"stdout\"}",
                                      err, errlen) < 0)
        goto out;
    data = PQgetvalue(r, 0, 1);
    len = (size_t)PQgetlength(r, 0, 1);
    if (out_path) {
        /* 0600 whatever the umask, never through a link; renamed into place when complete */
        fd = cs_file_create_private(out_path, tmp, sizeof tmp, err, errlen);
        if (fd < 0)
            goto out;
    } else {
        if (isatty(STDOUT_FILENO)) {
            cs_fail(err, errlen, "refusing to write a PDF to a terminal: use --out FILE or a pipe");
            goto out;
        }
        fd = STDOUT_FILENO;
    }
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            cs_fail(err, errlen, "could not write %s: %s", out_path ? out_path : "the PDF",
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
        if (cs_audit_command(s, "export_pdf", "document", id, "{\"to\":\"file\"}", err,
                             errlen) < 0)
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
    PQclear(r);
    return rc;
}

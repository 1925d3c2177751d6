/*
 * pdf.c — a searchable PDF/A-2b from cleaned pages and their words, without
 * running OCR again: each page is its image (the cleaned G4 page embedded
 * as it is, /CCITTFaxDecode; or, for a grey or colour scan, the original
 * as JPEG, /DCTDecode: pdf_image.c) under the words as invisible text
 * (render mode 3) in an embedded glyphless font (pdf_text.c), so that
 * selecting and searching in a viewer find the words where they are on
 * the image.
 *
 * Interface routines:
 *   cs_ocr_pdf            (ocr.h) pages -> PDF bytes
 *   cs_pdf_images_parse   (ocr.h) "original" / "bilevel"
 *
 * Layout of the file (object numbers):
 *   1 catalog (with the OutputIntent), 2 page tree, 3 font, 4 its glyph,
 *   5 its ToUnicode map, 6 XMP metadata, 7 sRGB ICC profile, 8 Info;
 *   page i (from 0): 9+3i page, 10+3i content stream, 11+3i image.  Then
 *   the cross-reference table (offsets recorded as objects are written)
 *   and the trailer with the file identifier.
 *
 * Notes:
 *   1. Page size comes from the cleaned page's pixels and resolution: a
 *      2550 x 3300 page at 300 dpi is 612 x 792 points.  A JPEG original
 *      is drawn over the same box whatever its own resolution, turned and
 *      straightened there by the page's matrix (pdf_image.c, note 5).
 *   2. PDF/A-2b (ISO 19005-2, level B: the look is preserved) asks for:
 *      a binary comment after the header, every font embedded, an
 *      OutputIntent with an ICC profile for the device colour spaces used,
 *      XMP metadata (uncompressed) agreeing with the Info dictionary, an
 *      /ID in the trailer, exact /Length and cross-reference offsets, and
 *      no transparency, LZW, encryption or external content.  Streams
 *      here are either already compressed (images) or small.
 *   3. The /ID is the SHA-256 of the body (its first 16 bytes, twice): the
 *      same pages, title and date give the same file.
 *   4. Tesseract's PDF renderer would re-recognise the page; this writer
 *      reuses the words already stored, so rendering a document costs
 *      milliseconds: a page scanned as JPEG goes in as it was stored (0.1
 *      ms); one scanned grey or colour otherwise is decoded and encoded as
 *      JPEG (some 20-70 ms: pdf_image.c, note 4).
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

#define FIRST_PAGE_OBJ 9

int cs_pdf_images_parse(const char *name, cs_pdf_images *mode)
{
    if (name && !strcmp(name, "original"))
        *mode = CS_PDF_IMAGES_ORIGINAL;
    else if (name && !strcmp(name, "bilevel"))
        *mode = CS_PDF_IMAGES_BILEVEL;
    else
        return -1;
    return 0;
}

/* The raw G4 data of page i's cleaned image (decoded and re-encoded when not one-strip G4). */
static int cleaned_g4(const cs_pdf_page *p, size_t i, cs_g4_raw *raw, char *err, size_t errlen)
{
    PIX *pix = NULL;
    unsigned char *tiff = NULL;
    size_t tlen = 0;
    int dpi = 0, inferred = 0, ok;

    if (cs_ocr_tiff_g4_raw(p->g4_tiff, p->g4_len, raw, NULL, 0) == 0)
        return 0;
    /* not as cs_ocr_page writes it: decode (limits first) and re-encode */
    ok = cs_ocr_decode(p->g4_tiff, p->g4_len, 1, &pix, &dpi, &inferred, err, errlen) == 0
         && pixGetDepth(pix) == 1
         && cs_ocr_encode_g4(pix, p->dpi, &tiff, &tlen, err, errlen) == 0
         && cs_ocr_tiff_g4_raw(tiff, tlen, raw, err, errlen) == 0;
    pixDestroy(&pix);
    free(tiff);
    if (!ok) {
        char why[256];
        snprintf(why, sizeof why, "%s", err && err[0] ? err : "not a bilevel TIFF");
        return cs_fail(err, errlen, "page %zu: could not read the cleaned image: %s", i + 1, why);
    }
    return 0;
}

/* Write object obj: a stream with dict entries (no /Length) and data. */
static int put_stream(cs_buf *out, size_t *offset, size_t obj, const char *dict,
                      const void *data, size_t len)
{
    int bad = 0;

    offset[obj] = out->len;
    bad |= cs_buf_printf(out, "%zu 0 obj\n<< %s/Length %zu >>\nstream\n", obj, dict, len);
    bad |= cs_buf_append(out, data ? data : "", len);
    bad |= cs_buf_puts(out, "\nendstream\nendobj\n");
    return bad ? -1 : 0;
}

/* Write page i's three objects (note 1): page, content stream, image. */
static int put_page(cs_buf *out, size_t *offset, const cs_pdf_page *p, size_t i,
                    cs_pdf_images images, char *err, size_t errlen)
{
    size_t obj = FIRST_PAGE_OBJ + 3 * i;
    cs_g4_raw raw = {0};
    cs_pdf_jpeg jpeg = {0};
    cs_buf content = CS_BUF_INIT, dict = CS_BUF_INIT;
    double pw, ph;
    int bad = 0, rc = -1, got = 0;

    if (p->dpi <= 0 || !p->g4_tiff)
        return cs_fail(err, errlen, "page %zu has no image or no resolution", i + 1);
    if (cleaned_g4(p, i, &raw, err, errlen) < 0)
        return -1;
    pw = raw.width * 72.0 / p->dpi;
    ph = raw.height * 72.0 / p->dpi;
    got = images == CS_PDF_IMAGES_ORIGINAL
          ? cs_pdf_original_jpeg(p, raw.width, raw.height, &jpeg, err, errlen) : 0;
    if (got < 0) {            /* note (2) of cs_ocr_pdf */
        got = 0;
        if (err && errlen)
            err[0] = '\0';
    }
    if (got > 0)
        bad |= cs_pdf_place_original(&content, p, &jpeg, pw, ph);
    else
        bad |= cs_buf_printf(&content, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q\n", pw, ph);
    bad |= cs_pdf_text_layer(&content, p, raw.width, raw.height, ph);
    offset[obj] = out->len;
    bad |= cs_buf_printf(out, "%zu 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f]"
                         " /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 %zu 0 R >> >>"
                         " /Contents %zu 0 R >>\nendobj\n", obj, pw, ph, obj + 2, obj + 1);
    bad |= put_stream(out, offset, obj + 1, "", content.data, content.len);
    if (got > 0) {
        bad |= cs_buf_printf(&dict, "/Type /XObject /Subtype /Image /Width %d /Height %d"
                             " /ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode ",
                             jpeg.width, jpeg.height,
                             jpeg.components == 3 ? "DeviceRGB" : "DeviceGray");
        bad |= put_stream(out, offset, obj + 2, dict.data ? dict.data : "", jpeg.data, jpeg.len);
    } else {
        bad |= cs_buf_printf(&dict, "/Type /XObject /Subtype /Image /Width %d /Height %d"
                             " /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode"
                             " /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 %s >> ",
                             raw.width, raw.height, raw.width, raw.height,
                             raw.black_is_1 ? "true" : "false");
        bad |= put_stream(out, offset, obj + 2, dict.data ? dict.data : "", raw.data, raw.len);
    }
    if (bad || cs_buf_failed(&content) || cs_buf_failed(&dict)) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    cs_buf_free(&dict);
    cs_buf_free(&content);
    free(jpeg.data);
    free(raw.data);
    return rc;
}

/* Objects 1 to 8 (the layout at the top). */
static int put_document_objects(cs_buf *out, size_t *offset, size_t npages, const char *title,
                                long long created, long long modified)
{
    cs_buf b = CS_BUF_INIT;
    int bad = 0;

    offset[1] = out->len;
    bad |= cs_buf_puts(out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R"
                            " /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1"
                            " /OutputConditionIdentifier (sRGB IEC61966-2.1)"
                            " /Info (sRGB IEC61966-2.1) /RegistryName (http://www.color.org)"
                            " /DestOutputProfile 7 0 R >>] >>\nendobj\n");
    offset[2] = out->len;
    bad |= cs_buf_puts(out, "2 0 obj\n<< /Type /Pages /Kids [");
    for (size_t i = 0; i < npages; i++)
        bad |= cs_buf_printf(out, "%s%zu 0 R", i ? " " : "", FIRST_PAGE_OBJ + 3 * i);
    bad |= cs_buf_printf(out, "] /Count %zu >>\nendobj\n", npages);
    bad |= cs_pdf_put_font(out, 3, offset);
    bad |= cs_pdf_xmp(&b, title, created, modified);
    bad |= put_stream(out, offset, 6, "/Type /Metadata /Subtype /XML ", b.data, b.len);
    cs_buf_reset(&b);
    bad |= cs_pdf_srgb_icc(&b);
    bad |= put_stream(out, offset, 7, "/N 3 ", b.data, b.len);
    cs_buf_reset(&b);
    bad |= cs_pdf_info_dict(&b, title, created, modified);
    offset[8] = out->len;
    bad |= cs_buf_printf(out, "8 0 obj\n%s\nendobj\n", b.data ? b.data : "<< >>");
    bad |= cs_buf_failed(&b);
    cs_buf_free(&b);
    return bad ? -1 : 0;
}

/* The cross-reference table and the trailer (note 3). */
static int put_xref(cs_buf *out, const size_t *offset, size_t nobj)
{
    size_t xref = out->len;
    char id[65];
    int bad = 0;

    cs_sha256_hex(out->data, out->len, id);
    id[32] = '\0';
    /* each entry exactly 20 bytes, as the format requires */
    bad |= cs_buf_printf(out, "xref\n0 %zu\n0000000000 65535 f \n", nobj);
    for (size_t o = 1; o < nobj; o++)
        bad |= cs_buf_printf(out, "%010zu 00000 n \n", offset[o]);
    bad |= cs_buf_printf(out, "trailer\n<< /Size %zu /Root 1 0 R /Info 8 0 R /ID [<%s> <%s>] >>\n"
                         "startxref\n%zu\n%%%%EOF\n", nobj, id, id, xref);
    return bad ? -1 : 0;
}

/*!
 * cs_ocr_pdf()
 *
 *      Input:  pages, npages (the pages in order; at least one)
 *              info (title, creation time, which images; NULL: defaults)
 *              pdf (<return> the PDF, malloc'd), pdf_len (<return> its size)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK, -1 on error (nothing returned)
 *
 *  Notes:
 *      (1) A page whose TIFF is not one-strip G4 (it should be: it comes
 *          from cs_ocr_page) is decoded and re-encoded rather than refused.
 *      (2) A page whose original cannot be decoded again (it was, for its
 *          OCR) shows its cleaned G4 image: the page is never lost for it.
 */
int cs_ocr_pdf(const cs_pdf_page *pages, size_t npages, const cs_pdf_info *info,
               unsigned char **pdf, size_t *pdf_len, char *err, size_t errlen)
{
    cs_buf out = CS_BUF_INIT;
    size_t *offset = NULL, nobj;
    const char *title = info && info->title ? info->title : "Scanned document";
    long long created = info && info->created > 0 ? info->created : (long long)time(NULL);
    long long modified = info && info->modified > 0 ? info->modified : created;
    cs_pdf_images images = info ? info->images : CS_PDF_IMAGES_ORIGINAL;
    int rc = -1;

    if (pdf)
        *pdf = NULL;
    if (pdf_len)
        *pdf_len = 0;
    if (!pages || npages == 0 || !pdf || !pdf_len)
        return cs_fail(err, errlen, "no pages to render");
    if (npages > (size_t)CS_MAX_PAGES_PER_FILE * 10)
        return cs_fail(err, errlen, "too many pages for one PDF (%zu)", npages);
    nobj = FIRST_PAGE_OBJ + 3 * npages;     /* objects 1..nobj-1, 0 is the free head */
    offset = calloc(nobj, sizeof *offset);
    if (!offset)
        return cs_fail(err, errlen, "out of memory");

    /* PDF/A-2 is based on PDF 1.7; the comment's bytes mark the file binary */
    if (cs_buf_puts(&out, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n") < 0
        || put_document_objects(&out, offset, npages, title, created, modified) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < npages; i++)
        if (put_page(&out, offset, &pages[i], i, images, err, errlen) < 0)
            goto out;
    if (put_xref(&out, offset, nobj) < 0 || cs_buf_failed(&out)) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *pdf = (unsigned char *)out.data;
    *pdf_len = out.len;
    out.data = NULL;
    rc = 0;
out:
    cs_buf_free(&out);
    free(offset);
    return rc;
}

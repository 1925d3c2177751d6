/*
 * pdf.c — a searchable PDF from cleaned pages and their words, without
 * running OCR again: each page is its G4 image, embedded as it is
 * (/CCITTFaxDecode), under the words as invisible text (render mode 3) in
 * Helvetica, each word stretched (Tz) to span its box, so that selecting
 * and searching in a viewer find the words where they are on the image.
 *
 * Interface routines:
 *   cs_ocr_pdf   (ocr.h) pages -> PDF bytes
 *
 * Layout of the file (object numbers):
 *   1 catalog, 2 page tree, 3 font; page i (from 0): 4+3i page,
 *   5+3i content stream, 6+3i image.  Then the cross-reference table
 *   (offsets recorded as objects are written) and the trailer.
 *
 * Notes:
 *   1. Page size comes from the pixels and the resolution: a 2550 x 3300
 *      page at 300 dpi is 612 x 792 points.
 *   2. Helvetica is one of the 14 standard fonts: nothing is embedded.
 *      Its widths (AFM, WinAnsiEncoding) are here to compute the
 *      stretching; characters outside WinAnsi become '?', which does not
 *      matter for a layer nobody sees and search rarely needs.
 *   4. All words of a line share one baseline (the line's lowest box
 *      bottom) and one size (its tallest box), so that text extraction
 *      (pdftotext, a viewer's search) sees lines, not a word per line.
 *   3. Tesseract's PDF renderer would re-recognise the page; this writer
 *      reuses the words already stored, so rendering a document costs
 *      milliseconds.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* Helvetica advance widths (1/1000 em) for WinAnsi codes 32..126. */
static const short helvetica_widths[95] = {
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  /* sp-/ */
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  /* 0-? */
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, /* @-O */
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  /* P-_ */
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  /* `-o */
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,       /* p-~ */
};

static int char_width(unsigned char c)
{
    if (c >= 32 && c <= 126)
        return helvetica_widths[c - 32];
    return 556;
}

/* Decode one UTF-8 sequence at *s; returns the code point (U+FFFD if bad). */
static unsigned utf8_next(const unsigned char **ps)
{
    const unsigned char *s = *ps;
    unsigned cp;
    int extra;

    if (s[0] < 0x80) {
        *ps = s + 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0) { cp = s[0] & 0x1F; extra = 1; }
    else if ((s[0] & 0xF0) == 0xE0) { cp = s[0] & 0x0F; extra = 2; }
    else if ((s[0] & 0xF8) == 0xF0) { cp = s[0] & 0x07; extra = 3; }
    else { *ps = s + 1; return 0xFFFD; }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps = s + i;
            return 0xFFFD;
        }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *ps = s + extra + 1;
    return cp;
}

/* The WinAnsi byte for a code point; '?' when it has none. */
static unsigned char winansi(unsigned cp)
{
    static const struct { unsigned cp; unsigned char b; } extra[] = {
        {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
        {0x2013, 0x96}, {0x2014, 0x97}, {0x20AC, 0x80}, {0x2026, 0x85}, {0xFB01, '?'},
    };

    if ((cp >= 32 && cp <= 126) || (cp >= 160 && cp <= 255))
        return (unsigned char)cp;
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (extra[i].cp == cp)
            return extra[i].b;
    return '?';
}

/* Append word as a PDF literal string in WinAnsi; *pwidth gets its width in 1/1000 em. */
static int put_word(cs_buf *b, const char *word, long *pwidth)
{
    const unsigned char *s = (const unsigned char *)word;
    long width = 0;
    int bad = 0;

    bad |= cs_buf_puts(b, "(");
    while (*s) {
        unsigned char c = winansi(utf8_next(&s));

        width += char_width(c);
        if (c == '(' || c == ')' || c == '\\')
            bad |= cs_buf_printf(b, "\\%c", c);
        else if (c < 32 || c > 126)
            bad |= cs_buf_printf(b, "\\%03o", c);
        else
            bad |= cs_buf_append(b, &c, 1);
    }
    bad |= cs_buf_puts(b, ")");
    *pwidth = width;
    return bad ? -1 : 0;
}

/* The content stream of one page: the image over the page, then the words. */
static int page_content(cs_buf *cs, const cs_pdf_page *p, int width, int height,
                        double pw, double ph)
{
    double k = 72.0 / p->dpi;       /* points per pixel */
    int bad = 0;

    bad |= cs_buf_printf(cs, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q\n", pw, ph);
    if (p->nwords && p->words) {
        bad |= cs_buf_puts(cs, "BT 3 Tr\n");
        size_t line_start = 0, line_end = 0;
        int line_bottom = 0, line_height = 0;

        for (size_t i = 0; i < p->nwords; i++) {
            const cs_ocr_word *wd = &p->words[i];
            double size, x, y, stretch;
            long units = 0;
            cs_buf word = CS_BUF_INIT;

            /* one baseline and one size per line (note 4): the words of a
             * line are contiguous, in reading order */
            if (i >= line_end) {
                line_start = i;
                line_bottom = 0;
                line_height = 0;
                for (line_end = i; line_end < p->nwords
                     && p->words[line_end].line == p->words[line_start].line; line_end++) {
                    const cs_ocr_word *o = &p->words[line_end];
                    if (o->y + o->h > line_bottom)
                        line_bottom = o->y + o->h;
                    if (o->h > line_height)
                        line_height = o->h;
                }
            }
            if (!wd->text || !wd->text[0] || wd->w <= 0 || wd->h <= 0
                || wd->x < 0 || wd->y < 0 || wd->x + wd->w > width || wd->y + wd->h > height)
                continue;
            size = line_height * k;
            if (size < 1)
                size = 1;
            x = wd->x * k;
            y = ph - line_bottom * k;
            /* the string first, to know its width; then its operators */
            bad |= put_word(&word, wd->text, &units);
            stretch = units > 0 ? 100.0 * (wd->w * k) / (units / 1000.0 * size) : 100;
            if (stretch < 1)
                stretch = 1;
            if (stretch > 10000)
                stretch = 10000;
            bad |= cs_buf_printf(cs, "/F1 %.2f Tf %.1f Tz 1 0 0 1 %.2f %.2f Tm %s Tj\n", size,
                                 stretch, x, y, word.data ? word.data : "()");
            cs_buf_free(&word);
        }
        bad |= cs_buf_puts(cs, "ET\n");
    }
    return bad ? -1 : 0;
}

/*!
 * cs_ocr_pdf()
 *
 *      Input:  pages, npages (the pages in order; at least one)
 *              pdf (<return> the PDF, malloc'd), pdf_len (<return> its size)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK, -1 on error (nothing returned)
 *
 *  Notes:
 *      (1) A page whose TIFF is not one-strip G4 (it should be: it comes
 *          from cs_ocr_page) is decoded and re-encoded rather than refused.
 */
int cs_ocr_pdf(const cs_pdf_page *pages, size_t npages, unsigned char **pdf, size_t *pdf_len,
               char *err, size_t errlen)
{
    cs_buf out = CS_BUF_INIT, content = CS_BUF_INIT;
    size_t *offset = NULL, nobj;
    cs_g4_raw raw = {0};
    int bad = 0, rc = -1;

    if (pdf)
        *pdf = NULL;
    if (pdf_len)
        *pdf_len = 0;
    if (!pages || npages == 0 || !pdf || !pdf_len)
        return cs_fail(err, errlen, "no pages to render");
    if (npages > (size_t)CS_MAX_PAGES_PER_FILE * 10)
        return cs_fail(err, errlen, "too many pages for one PDF (%zu)", npages);
    nobj = 4 + 3 * npages;                 /* objects 1..nobj-1, 0 is the free head */
    offset = calloc(nobj, sizeof *offset);
    if (!offset)
        return cs_fail(err, errlen, "out of memory");

    bad |= cs_buf_puts(&out, "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    offset[1] = out.len;
    bad |= cs_buf_puts(&out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offset[2] = out.len;
    bad |= cs_buf_puts(&out, "2 0 obj\n<< /Type /Pages /Kids [");
    for (size_t i = 0; i < npages; i++)
        bad |= cs_buf_printf(&out, "%s%zu 0 R", i ? " " : "", 4 + 3 * i);
    bad |= cs_buf_printf(&out, "] /Count %zu >>\nendobj\n", npages);
    offset[3] = out.len;
    bad |= cs_buf_puts(&out, "3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                             "/Encoding /WinAnsiEncoding >>\nendobj\n");

    for (size_t i = 0; i < npages && !bad; i++) {
        const cs_pdf_page *p = &pages[i];
        size_t obj = 4 + 3 * i;
        double pw, ph;

        if (p->dpi <= 0 || !p->g4_tiff) {
            cs_fail(err, errlen, "page %zu has no image or no resolution", i + 1);
            goto out;
        }
        if (cs_ocr_tiff_g4_raw(p->g4_tiff, p->g4_len, &raw, NULL, 0) < 0) {
            /* not as cs_ocr_page writes it: decode (limits first) and re-encode */
            PIX *pix = NULL;
            unsigned char *tiff = NULL;
            size_t tlen = 0;
            int dpi = 0, inferred = 0, ok;

            ok = cs_ocr_decode(p->g4_tiff, p->g4_len, 1, &pix, &dpi, &inferred, err, errlen) == 0
                 && pixGetDepth(pix) == 1
                 && cs_ocr_encode_g4(pix, p->dpi, &tiff, &tlen, err, errlen) == 0
                 && cs_ocr_tiff_g4_raw(tiff, tlen, &raw, err, errlen) == 0;
            pixDestroy(&pix);
            free(tiff);
            if (!ok) {
                char why[256];
                snprintf(why, sizeof why, "%s", err && err[0] ? err : "not a bilevel TIFF");
                cs_fail(err, errlen, "page %zu: could not read the cleaned image: %s", i + 1, why);
                goto out;
            }
        }
        pw = raw.width * 72.0 / p->dpi;
        ph = raw.height * 72.0 / p->dpi;

        cs_buf_reset(&content);
        if (page_content(&content, p, raw.width, raw.height, pw, ph) < 0) {
            bad = 1;
            break;
        }
        offset[obj] = out.len;
        bad |= cs_buf_printf(&out, "%zu 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f]"
                             " /Resources << /Font << /F1 3 0 R >> /XObject << /Im0 %zu 0 R >> >>"
                             " /Contents %zu 0 R >>\nendobj\n", obj, pw, ph, obj + 2, obj + 1);
        offset[obj + 1] = out.len;
        bad |= cs_buf_printf(&out, "%zu 0 obj\n<< /Length %zu >>\nstream\n", obj + 1, content.len);
        bad |= cs_buf_append(&out, content.data ? content.data : "", content.len);
        bad |= cs_buf_puts(&out, "\nendstream\nendobj\n");
        offset[obj + 2] = out.len;
        bad |= cs_buf_printf(&out, "%zu 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d"
                             " /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode"
                             " /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 %s >>"
                             " /Length %zu >>\nstream\n", obj + 2, raw.width, raw.height,
                             raw.width, raw.height, raw.black_is_1 ? "true" : "false", raw.len);
        bad |= cs_buf_append(&out, raw.data, raw.len);
        bad |= cs_buf_puts(&out, "\nendstream\nendobj\n");
        free(raw.data);
        memset(&raw, 0, sizeof raw);
    }
    if (!bad) {
        size_t xref = out.len;

        /* each entry exactly 20 bytes, as the format requires */
        bad |= cs_buf_printf(&out, "xref\n0 %zu\n0000000000 65535 f \n", nobj);
        for (size_t o = 1; o < nobj; o++)
            bad |= cs_buf_printf(&out, "%010zu 00000 n \n", offset[o]);
        bad |= cs_buf_printf(&out, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
                             nobj, xref);
    }
    if (bad) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *pdf = (unsigned char *)out.data;
    *pdf_len = out.len;
    out.data = NULL;
    rc = 0;
out:
    free(raw.data);
    cs_buf_free(&content);
    cs_buf_free(&out);
    free(offset);
    return rc;
}

/*
 * pdf_text.c — the invisible text layer of the searchable PDF, and the
 * font it is set in: a Type 3 font of our own whose every glyph is empty
 * and 500/1000 em wide, embedded in the file (PDF/A forbids fonts that are
 * not), with a ToUnicode map so that search and copy give the words.
 *
 * Interface routines (ocr_internal.h):
 *   cs_pdf_text_layer   a page's words as text in render mode 3
 *   cs_pdf_put_font     the font's three objects
 *
 * Notes:
 *   1. Each word is one string placed at its box and stretched (Tz) to
 *      span it; with every glyph the same width the stretch is the box
 *      width over the character count, as with the glyphless font of
 *      Tesseract's PDF renderer (written afresh here, as a Type 3 font:
 *      a few lines of PDF instead of a TrueType program).
 *   2. Codes are WinAnsi bytes (a simple font has one byte per glyph);
 *      characters outside WinAnsi become '?', which does not matter for a
 *      layer nobody sees and search rarely needs.
 *   3. All words of a line share one baseline (the line's lowest box
 *      bottom) and one size (its tallest box), so that text extraction
 *      (pdftotext, a viewer's search) sees lines, not a word per line.
 */
#include "ocr/ocr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define GLYPH_WIDTH 500    /* 1/1000 em, every glyph */

unsigned cs_pdf_utf8_next(const unsigned char **ps)
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

/* WinAnsi codes 0x80..0x9F that the layer uses, and their code points. */
static const struct { unsigned cp; unsigned char b; } winansi_extra[] = {
    {0x20AC, 0x80}, {0x2026, 0x85}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93},
    {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
};

/* The WinAnsi byte for a code point; '?' when it has none. */
static unsigned char winansi(unsigned cp)
{
    if ((cp >= 32 && cp <= 126) || (cp >= 160 && cp <= 255))
        return (unsigned char)cp;
    for (size_t i = 0; i < sizeof winansi_extra / sizeof winansi_extra[0]; i++)
        if (winansi_extra[i].cp == cp)
            return winansi_extra[i].b;
    return '?';
}

/* Append word as a PDF literal string of WinAnsi codes; *pcount gets its length. */
static int put_word(cs_buf *b, const char *word, long *pcount)
{
    const unsigned char *s = (const unsigned char *)word;
    long count = 0;
    int bad = 0;

    bad |= cs_buf_puts(b, "(");
    while (*s) {
        unsigned char c = winansi(cs_pdf_utf8_next(&s));

        count++;
        if (c == '(' || c == ')' || c == '\\')
            bad |= cs_buf_printf(b, "\\%c", c);
        else if (c < 32 || c > 126)
            bad |= cs_buf_printf(b, "\\%03o", c);
        else
            bad |= cs_buf_append(b, &c, 1);
    }
    bad |= cs_buf_puts(b, ")");
    *pcount = count;
    return bad ? -1 : 0;
}

/* The lowest bottom and the tallest height of the line that starts at word i. */
static size_t line_extent(const cs_pdf_page *p, size_t i, int *pbottom, int *pheight)
{
    size_t end;

    *pbottom = 0;
    *pheight = 0;
    for (end = i; end < p->nwords && p->words[end].line == p->words[i].line; end++) {
        const cs_ocr_word *o = &p->words[end];
        if (o->y + o->h > *pbottom)
            *pbottom = o->y + o->h;
        if (o->h > *pheight)
            *pheight = o->h;
    }
    return end;
}

/*!
 * cs_pdf_text_layer()
 *
 *      Input:  cs (content stream to append to)
 *              p (the page: words in pixels of the cleaned page, dpi)
 *              width, height (the cleaned page, pixels: words outside are skipped)
 *              ph (page height, points)
 *      Return: 0 if OK, -1 when memory ran out
 */
int cs_pdf_text_layer(cs_buf *cs, const cs_pdf_page *p, int width, int height, double ph)
{
    double k = 72.0 / p->dpi;       /* points per pixel */
    size_t line_end = 0;
    int line_bottom = 0, line_height = 0, bad = 0;

    if (!p->nwords || !p->words)
        return 0;
    bad |= cs_buf_puts(cs, "BT 3 Tr\n");
    for (size_t i = 0; i < p->nwords; i++) {
        const cs_ocr_word *wd = &p->words[i];
        double size, stretch;
        long count = 0;
        cs_buf word = CS_BUF_INIT;

        /* the words of a line are contiguous, in reading order (note 3) */
        if (i >= line_end)
            line_end = line_extent(p, i, &line_bottom, &line_height);
        if (!wd->text || !wd->text[0] || wd->w <= 0 || wd->h <= 0
            || wd->x < 0 || wd->y < 0 || wd->x + wd->w > width || wd->y + wd->h > height)
            continue;
        size = line_height * k;
        if (size < 1)
            size = 1;
        bad |= put_word(&word, wd->text, &count);
        stretch = count > 0 ? 100.0 * (wd->w * k) / (count * GLYPH_WIDTH / 1000.0 * size) : 100;
        if (stretch < 1)
            stretch = 1;
        if (stretch > 10000)
            stretch = 10000;
        bad |= cs_buf_printf(cs, "/F1 %.2f Tf %.1f Tz 1 0 0 1 %.2f %.2f Tm %s Tj\n", size,
                             stretch, wd->x * k, ph - line_bottom * k,
                             word.data ? word.data : "()");
        cs_buf_free(&word);
    }
    bad |= cs_buf_puts(cs, "ET\n");
    return bad ? -1 : 0;
}

/* The ToUnicode CMap: WinAnsi codes to Unicode (note 2). */
static int put_cmap(cs_buf *m)
{
    int bad = 0;

    bad |= cs_buf_puts(m, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                          "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                          "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                          "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
                          "2 beginbfrange\n<20> <7E> <0020>\n<A0> <FF> <00A0>\nendbfrange\n");
    bad |= cs_buf_printf(m, "%zu beginbfchar\n", sizeof winansi_extra / sizeof winansi_extra[0]);
    for (size_t i = 0; i < sizeof winansi_extra / sizeof winansi_extra[0]; i++)
        bad |= cs_buf_printf(m, "<%02X> <%04X>\n", winansi_extra[i].b, winansi_extra[i].cp);
    bad |= cs_buf_puts(m, "endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\n"
                          "end\nend\n");
    return bad ? -1 : 0;
}

/*!
 * cs_pdf_put_font()
 *
 *      Input:  out (the PDF so far)
 *              obj (number of the font object; obj + 1 and obj + 2 are its
 *                   glyph procedure and its ToUnicode map)
 *              offset (<return> offset[obj..obj+2] set as the objects are written)
 *      Return: 0 if OK, -1 when memory ran out
 */
int cs_pdf_put_font(cs_buf *out, size_t obj, size_t *offset)
{
    static const char glyph[] = "500 0 d0\n";   /* GLYPH_WIDTH, and nothing drawn */
    cs_buf cmap = CS_BUF_INIT;
    int bad = 0;

    offset[obj] = out->len;
    bad |= cs_buf_printf(out, "%zu 0 obj\n<< /Type /Font /Subtype /Type3 /Name /F1"
                         " /FontBBox [0 0 %d 1000] /FontMatrix [0.001 0 0 0.001 0 0]"
                         " /CharProcs << /g %zu 0 R >> /Resources << >>"
                         " /Encoding << /Type /Encoding /Differences [32", obj, GLYPH_WIDTH,
                         obj + 1);
    for (int c = 32; c <= 255; c++)
        bad |= cs_buf_puts(out, " /g");
    bad |= cs_buf_puts(out, "] >> /FirstChar 32 /LastChar 255 /Widths [");
    for (int c = 32; c <= 255; c++)
        bad |= cs_buf_printf(out, "%s%d", c > 32 ? " " : "", GLYPH_WIDTH);
    bad |= cs_buf_printf(out, "] /ToUnicode %zu 0 R >>\nendobj\n", obj + 2);

    offset[obj + 1] = out->len;
    bad |= cs_buf_printf(out, "%zu 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n",
                         obj + 1, strlen(glyph), glyph);
    bad |= put_cmap(&cmap);
    offset[obj + 2] = out->len;
    bad |= cs_buf_printf(out, "%zu 0 obj\n<< /Length %zu >>\nstream\n", obj + 2, cmap.len);
    bad |= cs_buf_append(out, cmap.data ? cmap.data : "", cmap.len);
    bad |= cs_buf_puts(out, "\nendstream\nendobj\n");
    cs_buf_free(&cmap);
    return bad ? -1 : 0;
}

/*
 * page.c — evalgen's page as it is laid out (placed text and PostScript
 * drawing), body text wrapping, and the PostScript of a file.
 *
 * A page holds text items, each with its font, size, position and
 * alignment, and two PostScript buffers: `under` is painted before the
 * text (ink stamps: black print stays black where a stamp crosses it, as
 * ink on paper does) and `over` after it (rules, boxes, labels).  The flow
 * of lines (page_add) starts at TOP_Y and moves down; families also place
 * text anywhere (page_text) and draw.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *const font_names[NFONTS][2] = {
    { "Courier", "Courier-Bold" },
    { "Helvetica", "Helvetica-Bold" },
    { "Times-Roman", "Times-Bold" },
};
const char *const font_ids[NFONTS] = { "courier", "helvetica", "times" };
const double body_size[NFONTS] = { 11, 10, 11.5 };

/* The line styles of the flow: font (NULL: the page's), size, advance, centred. */
static const struct { const char *font; double size; int advance; int centred; } styles[] = {
    [ST_BODY]     = { NULL,           11, 13, 0 },
    [ST_BOLD]     = { NULL,           11, 13, 0 },
    [ST_TITLE]    = { "Courier-Bold", 15, 24, 1 },
    [ST_FACILITY] = { "Courier-Bold", 12, 16, 1 },
    [ST_SMALL]    = { "Courier",       9, 12, 1 },
};

/* ---- text widths ---- */

/*
 * Advance widths in 1/1000 em of the standard fonts (AFM), for letters and
 * digits; other characters take w_other.  Bold is taken as 8% wider: a
 * slight overestimate keeps boxes and columns from touching their text.
 */
static const short w_lower[NFONTS][26] = {
    { 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
      600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600 },
    { 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
      556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500 },
    { 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778,
      500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444 },
};
static const short w_upper[NFONTS][26] = {
    { 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
      600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600 },
    { 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
      722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611 },
    { 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889,
      722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611 },
};
static const short w_digit[NFONTS] = { 600, 556, 500 };
static const short w_space[NFONTS] = { 600, 278, 250 };
static const short w_other[NFONTS] = { 600, 400, 400 };

static int font_family(const char *font)
{
    return font[0] == 'C' ? FONT_COURIER : font[0] == 'H' ? FONT_HELVETICA : FONT_TIMES;
}

/* The width of s in points, set in font at size (an estimate, see above). */
double text_w(const char *font, double size, const char *s)
{
    int f = font_family(font);
    double w = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        w += islower(c) ? w_lower[f][c - 'a'] : isupper(c) ? w_upper[f][c - 'A']
             : isdigit(c) ? w_digit[f] : c == ' ' ? w_space[f] : w_other[f];
    }
    if (strstr(font, "Bold") && f != FONT_COURIER)
        w *= 1.08;
    return w * size / 1000.0;
}

/* ---- pages ---- */

page *page_new(file_pages *fp, int blank, int font)
{
    page *pg;
    if (fp->n == fp->cap) {
        fp->cap = fp->cap ? fp->cap * 2 : 8;
        fp->v = tk_xrealloc(fp->v, (size_t)fp->cap * sizeof *fp->v);
    }
    pg = &fp->v[fp->n++];
    memset(pg, 0, sizeof *pg);
    pg->y = TOP_Y;
    pg->blank = blank;
    pg->font = font;
    return pg;
}

/* Place text: x is its left end, centre or right end by align. */
void page_text(page *pg, const char *font, double size, double x, double y, int align,
                      const char *text)
{
    if (!text[0])
        return;
    if (pg->n == pg->cap) {
        pg->cap = pg->cap ? pg->cap * 2 : 32;
        pg->items = tk_xrealloc(pg->items, (size_t)pg->cap * sizeof *pg->items);
    }
    pg->items[pg->n++] = (item){ font, size, x, y, align, tk_xstrdup(text) };
}

void page_textf(page *pg, const char *font, double size, double x, double y, int align,
                       const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    page_text(pg, font, size, x, y, align, tmp);
}

const char *page_font(const page *pg, int bold)
{
    return font_names[pg->font][bold];
}

/* One line of the flow in style st, then down by the style's advance. */
void page_add(page *pg, int st, const char *text)
{
    const char *font = styles[st].font ? styles[st].font : page_font(pg, st == ST_BOLD);
    double size = styles[st].font ? styles[st].size : body_size[pg->font];

    if (styles[st].centred)
        page_text(pg, font, size, PAGE_W / 2.0, pg->y, AL_CENTRE, text);
    else
        page_text(pg, font, size, MARGIN_X, pg->y, AL_LEFT, text);
    pg->y -= styles[st].advance;
}

void page_addf(page *pg, int st, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    page_add(pg, st, tmp);
}

/* PostScript painted over the text (under: 0) or beneath it (under: 1). */
void page_draw(page *pg, int under, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tk_buf_vprintf(under ? &pg->under : &pg->over, 1024, fmt, ap);
    va_end(ap);
}

/* A straight line of width lw. */
void page_rule(page *pg, double x0, double y0, double x1, double y1, double lw)
{
    page_draw(pg, 0, "%.2f setlinewidth %.1f %.1f moveto %.1f %.1f lineto stroke\n", lw, x0, y0,
              x1, y1);
}

void page_box(page *pg, double x, double y, double w, double h, double lw)
{
    page_draw(pg, 0, "%.2f setlinewidth %.1f %.1f %.1f %.1f rectstroke\n", lw, x, y, w, h);
}

int page_room(const page *p)          /* body lines that still fit */
{
    return (p->y - BOTTOM_Y) / styles[ST_BODY].advance;
}

void file_pages_free(file_pages *fp)
{
    for (int p = 0; p < fp->n; p++) {
        for (int i = 0; i < fp->v[p].n; i++)
            free(fp->v[p].items[i].text);
        free(fp->v[p].items);
        cs_buf_free(&fp->v[p].under);
        cs_buf_free(&fp->v[p].over);
    }
    free(fp->v);
    memset(fp, 0, sizeof *fp);
}

/* ---- wrapping ---- */

static void strlist_add(strlist *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = tk_xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n] = tk_xcalloc(n + 1, 1);
    memcpy(l->v[l->n], s, n);
    l->n++;
}

void strlist_free(strlist *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Word-wrap text to lines at most width points wide in font at size. */
void wrap_text(const char *text, const char *font, double size, double width, strlist *out)
{
    const char *s = text;
    int blank_run = 1;        /* drop leading blank lines and runs of them */
    char buf[512];

    while (*s) {
        size_t len = strcspn(s, "\n");
        const char *e = s + len, *w = s;
        size_t col = 0;

        while (w < e && *w == ' ')
            w++;
        if (w == e) {
            if (!blank_run)
                strlist_add(out, "", 0);
            blank_run = 1;
        } else {
            blank_run = 0;
            while (w < e) {
                size_t wl = 0, save = col;
                while (w + wl < e && w[wl] != ' ')
                    wl++;
                if (wl > 80)
                    wl = 80;
                if (col + 1 + wl >= sizeof buf) {     /* cannot happen at page widths */
                    strlist_add(out, buf, col);
                    col = 0;
                }
                save = col;
                if (col)
                    buf[col++] = ' ';
                memcpy(buf + col, w, wl);
                buf[col + wl] = '\0';
                if (save && text_w(font, size, buf) > width) {
                    strlist_add(out, buf, save);
                    memmove(buf, w, wl);
                    col = 0;
                }
                col += wl;
                w += wl;
                while (w < e && *w == ' ')
                    w++;
            }
            strlist_add(out, buf, col);
        }
        s = *e ? e + 1 : e;
    }
    while (out->n && out->v[out->n - 1][0] == '\0')
        free(out->v[--out->n]);
}

/* ---- PostScript ---- */

void file_ps(const file_pages *fp, cs_buf *b)
{
    static const char *const op[] = { "L", "C", "R" };

    tk_buf_printf(b, "%%!PS-Adobe-3.0\n%%%%Pages: %d\n%%%%EndComments\n", fp->n);
    tk_buf_printf(b, "<< /PageSize [%d %d] >> setpagedevice\n", PAGE_W, PAGE_H);
    /* (text) x y size /Font L|C|R: show with its left end, centre or right end at x */
    tk_buf_puts(b, "/L { findfont exch scalefont setfont moveto show } bind def\n"
                   "/C { findfont exch scalefont setfont 3 -1 roll dup stringwidth pop 2 div "
                   "4 -1 roll exch sub 3 -1 roll moveto show } bind def\n"
                   "/R { findfont exch scalefont setfont 3 -1 roll dup stringwidth pop "
                   "4 -1 roll exch sub 3 -1 roll moveto show } bind def\n");
    for (int p = 0; p < fp->n; p++) {
        const page *pg = &fp->v[p];
        tk_buf_printf(b, "%%%%Page: %d %d\n", p + 1, p + 1);
        if (pg->under.len) {
            tk_buf_puts(b, "gsave\n");
            tk_buf_append(b, pg->under.data, pg->under.len);
            tk_buf_puts(b, "grestore\n");
        }
        for (int i = 0; i < pg->n; i++) {
            const item *it = &pg->items[i];
            tk_ps_string(b, it->text);
            tk_buf_printf(b, " %.1f %.1f %.1f /%s %s\n", it->x, it->y, it->size, it->font, op[it->align]);
        }
        if (pg->over.len) {
            tk_buf_puts(b, "gsave 0 setgray\n");
            tk_buf_append(b, pg->over.data, pg->over.len);
            tk_buf_puts(b, "grestore\n");
        }
        tk_buf_puts(b, "showpage\n");
    }
    tk_buf_puts(b, "%%EOF\n");
}

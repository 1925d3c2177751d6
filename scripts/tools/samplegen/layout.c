/*
 * layout.c — samplegen's pages: a document laid out as styled,
 * word-wrapped lines of Courier on US Letter pages, and its PostScript
 *
 * Line positions are fixed by the style's advance: the PostScript places
 * every line at the baseline the layout counted, so a page never
 * overflows (layout_document() stops a section when it would).
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Font size and the vertical advance of each style, in points. */
static const struct { const char *font; int size; int advance; int centred; } styles[] = {
    [ST_BODY]     = { "Courier",      11, 13, 0 },
    [ST_BOLD]     = { "Courier-Bold", 11, 13, 0 },
    [ST_TITLE]    = { "Courier-Bold", 15, 24, 1 },
    [ST_FACILITY] = { "Courier-Bold", 12, 18, 1 },
    [ST_FOOTER]   = { "Courier",      10, 0,  1 },
};

#define PAGE_W       612
#define PAGE_H       792
#define MARGIN_X     72
#define TOP_Y        720     /* first baseline */
#define BOTTOM_Y     96      /* no body baseline below this */
#define FOOTER_Y     50
#define WRAP_COLS    70      /* Courier 11 pt: 6.6 pt a column, 468 pt text width */

static void page_add(page *p, int style, const char *text)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->lines = realloc(p->lines, (size_t)p->cap * sizeof *p->lines);
        if (!p->lines)
            tk_die_oom();
    }
    p->lines[p->n].style = style;
    p->lines[p->n].text = tk_xstrdup(text);
    p->n++;
    p->y -= styles[style].advance;
}

static int page_room(const page *p)          /* body lines that still fit */
{
    return (p->y - BOTTOM_Y) / styles[ST_BODY].advance;
}

/* Word-wrap text to WRAP_COLS; returns the number of lines it needs. */
static int wrap_count(const char *text)
{
    int lines = 1, col = 0;
    const char *s = text;

    while (*s) {
        size_t w = strcspn(s, " ");
        if (col && col + 1 + (int)w > WRAP_COLS) {
            lines++;
            col = 0;
        }
        col += (col ? 1 : 0) + (int)w;
        s += w;
        s += strspn(s, " ");
    }
    return lines;
}

static void wrap_add(page *p, int style, const char *text)
{
    char buf[WRAP_COLS * 2 + 2];
    int col = 0;
    const char *s = text;

    while (*s) {
        size_t w = strcspn(s, " ");
        if (w > WRAP_COLS)
            w = WRAP_COLS;                 /* no such words in our banks */
        if (col && col + 1 + (int)w > WRAP_COLS) {
            buf[col] = '\0';
            page_add(p, style, buf);
            col = 0;
        }
        if (col)
            buf[col++] = ' ';
        memcpy(buf + col, s, w);
        col += (int)w;
        s += w;
        s += strspn(s, " ");
    }
    buf[col] = '\0';
    page_add(p, style, buf);
}

static void format_name(const patient *pt, char *out, size_t n)
{
    char tmp[80];
    size_t i;

    if (pt->middle[0])
        snprintf(tmp, sizeof tmp, "%s, %s %c", pt->last, pt->first, pt->middle[0]);
    else
        snprintf(tmp, sizeof tmp, "%s, %s", pt->last, pt->first);
    for (i = 0; tmp[i]; i++)
        if (tmp[i] >= 'a' && tmp[i] <= 'z')
            tmp[i] = (char)(tmp[i] - 'a' + 'A');
    snprintf(out, n, "%s", tmp);
}

void layout_document(document *doc, tk_rng *r)
{
    const doctype *dt = doc->dt;
    int nsec = section_count(dt), p, i;
    char name[96], tmp[160], dr[32];
    voice v = { doc->pt->sex };
    date dos;
    cs_buf para = CS_BUF_INIT;
    section_view sv;

    format_name(doc->pt, name, sizeof name);
    do
        dos = tk_random_date(r, 2012, 2022);
    while (dos.y < doc->pt->dob.y + 1);
    make_surname(r, dr, sizeof dr);

    for (p = 0; p < doc->npages; p++) {
        page *pg = &doc->pages[p];
        int s0 = p * nsec / doc->npages, s1 = (p + 1) * nsec / doc->npages;
        int last = p == doc->npages - 1;

        pg->y = TOP_Y;
        if (p == 0) {
            page_add(pg, ST_FACILITY, random_facility(r));
            page_add(pg, ST_TITLE, dt->titles[tk_rng_below(r, 3)]);
            snprintf(tmp, sizeof tmp, "Patient: %s", name);
            page_add(pg, ST_BODY, tmp);
            if (doc->print_mrn) {
                snprintf(tmp, sizeof tmp, "MRN: %s", doc->pt->mrn);
                page_add(pg, ST_BODY, tmp);
            }
            snprintf(tmp, sizeof tmp, "DOB: %02d/%02d/%04d", doc->pt->dob.m, doc->pt->dob.d, doc->pt->dob.y);
            page_add(pg, ST_BODY, tmp);
            snprintf(tmp, sizeof tmp, "Date of Service: %02d/%02d/%04d", dos.m, dos.d, dos.y);
            page_add(pg, ST_BODY, tmp);
            page_add(pg, ST_BODY, "");
            if (IS_LETTER(dt)) {
                snprintf(tmp, sizeof tmp, "Dear Dr. %s,", dr);
                page_add(pg, ST_BODY, tmp);
                page_add(pg, ST_BODY, "");
            }
        } else {
            if (doc->print_mrn)
                snprintf(tmp, sizeof tmp, "Patient: %s    MRN: %s", name, doc->pt->mrn);
            else
                snprintf(tmp, sizeof tmp, "Patient: %s", name);
            page_add(pg, ST_BODY, tmp);
            page_add(pg, ST_BODY, "");
        }
        /* Fewer, shorter paragraphs when a page carries many sections. */
        for (i = s0; i < s1; i++) {
            int paras = (s1 - s0) > 4 ? 1 : tk_rng_range(r, 1, 2), k;
            unsigned used = 0;
            section_split(dt->sections[i], &sv);
            for (k = 0; k < paras; k++) {
                int need;
                cs_buf_reset(&para);
                if (paragraph(&para, &sv, tk_rng_range(r, 2, (s1 - s0) > 4 ? 3 : 5), r, v, &used) == 0)
                    break;
                need = wrap_count(para.data) + 1 + (k == 0 && sv.head[0] ? 1 : 0);
                if (need > page_room(pg) - (last ? 4 : 0))
                    break;
                if (k == 0 && sv.head[0]) {
                    snprintf(tmp, sizeof tmp, "%s:", sv.head);
                    page_add(pg, ST_BOLD, tmp);
                }
                wrap_add(pg, ST_BODY, para.data);
                page_add(pg, ST_BODY, "");
            }
        }
        if (last) {
            if (IS_LETTER(dt)) {
                page_add(pg, ST_BODY, "Sincerely,");
                page_add(pg, ST_BODY, "");
                snprintf(tmp, sizeof tmp, "%c. %s, MD", random_first_name(r, 'M')[0], dr);
            } else {
                make_surname(r, dr, sizeof dr);
                snprintf(tmp, sizeof tmp, "Electronically signed by %c. %s, MD",
                         random_first_name(r, 'F')[0], dr);
            }
            page_add(pg, ST_BODY, tmp);
        } else if (pg->n && pg->lines[pg->n - 1].text[0] == '\0') {
            free(pg->lines[--pg->n].text);   /* no blank line before the footer */
        }
        snprintf(tmp, sizeof tmp, "Page %d of %d", p + 1, doc->npages);
        page_add(pg, ST_FOOTER, tmp);
    }
    cs_buf_free(&para);
}

void document_clear(document *doc)
{
    int p, i;
    for (p = 0; p < 3; p++) {
        for (i = 0; i < doc->pages[p].n; i++)
            free(doc->pages[p].lines[i].text);
        free(doc->pages[p].lines);
        memset(&doc->pages[p], 0, sizeof doc->pages[p]);
    }
}

void document_ps(const document *doc, cs_buf *b)
{
    int p, i;

    tk_buf_printf(b, "%%!PS-Adobe-3.0\n%%%%Pages: %d\n%%%%EndComments\n", doc->npages);
    tk_buf_printf(b, "<< /PageSize [%d %d] >> setpagedevice\n", PAGE_W, PAGE_H);
    for (p = 0; p < doc->npages; p++) {
        const page *pg = &doc->pages[p];
        int y = TOP_Y;
        tk_buf_printf(b, "%%%%Page: %d %d\n", p + 1, p + 1);
        for (i = 0; i < pg->n; i++) {
            const line *ln = &pg->lines[i];
            int st = ln->style, x = MARGIN_X, ybase = y;
            if (st == ST_FOOTER)
                ybase = FOOTER_Y;
            if (styles[st].centred)
                x = (int)((PAGE_W - strlen(ln->text) * 0.6 * styles[st].size) / 2);
            if (ln->text[0]) {
                tk_buf_printf(b, "/%s findfont %d scalefont setfont %d %d moveto ",
                        styles[st].font, styles[st].size, x, ybase);
                tk_ps_string(b, ln->text);
                tk_buf_puts(b, " show\n");
            }
            y -= styles[st].advance;
        }
        tk_buf_puts(b, "showpage\n");
    }
    tk_buf_puts(b, "%%EOF\n");
}


void page_text(const document *doc, int p, cs_buf *text)
{
    const page *pg = &doc->pages[p];

    for (int i = 0; i < pg->n; i++) {
        if (i)
            tk_buf_puts(text, "\n");
        tk_buf_puts(text, pg->lines[i].text);
    }
}

/*
 * layout.c — evalgen's documents: the plan of a chart's documents (type,
 * body, split, family, wording, formats, font, damage, dates, MRN typos)
 * and their layout onto the file's pages.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ======================= documents ======================= */

static void continuation_header(page *pg, const document *doc, const fields *f, int pageno)
{
    switch (doc->cont_style) {
    case 1:
        if (f->mrn)
            page_addf(pg, ST_BODY, "%s    MRN: %s    (continued)", f->name, f->mrn);
        else
            page_addf(pg, ST_BODY, "%s    (continued)", f->name);
        break;
    case 2:
        page_addf(pg, ST_BODY, "Patient: %s    DOB: %s    Page %d", f->name, f->dob, pageno);
        break;
    case 3:
        page_addf(pg, ST_BODY, "%s (continued)", doc->title[0] ? doc->title : f->name);
        break;
    default:
        if (f->mrn)
            page_addf(pg, ST_BODY, "%s    MR# %s", f->name, f->mrn);
        else
            page_addf(pg, ST_BODY, "%s", f->name);
        break;
    }
    page_add(pg, ST_BODY, "");
}

/*
 * Lay out one document onto the file's pages (a back side after each page
 * when duplex): its family's first-page top, a stamp, the body wrapped and
 * cut to at most target_pages pages, a closing, then what the family
 * prints on every page and the footers.  Sets first_page/last_page.
 */
void layout_document(file_pages *fp, document *doc, int duplex, tk_rng *r)
{
    const struct family *fam = &families[doc->family];
    fields f;
    strlist lines = { 0 };
    page *pg;
    int pages = 1, i, k, first_index = fp->n, header_low;
    const int reserve = 5;     /* closing lines on the last page */

    make_fields(doc, &f, r);
    wrap_text(doc->body->text, font_names[doc->font][0], body_size[doc->font], TEXT_W, &lines);
    doc->first_page = fp->n + 1;
    pg = page_new(fp, 0, doc->font);
    fam->first(pg, doc, &f, r);
    header_low = pg->y;
    if (doc->stamped)
        draw_stamp(pg, doc, r, header_low, TOP_Y + 20);
    if (doc->type != T_LETTER)                 /* a letter's opening ends with one */
        page_add(pg, ST_BODY, "");
    for (i = 0; i < lines.n; i++) {
        if (page_room(pg) <= (pages == doc->target_pages ? reserve : 0)) {
            if (pages == doc->target_pages)
                break;                              /* the rest of the body is cut */
            if (lines.v[i][0] == '\0')
                continue;                           /* no blank line to open a page */
            if (duplex)
                page_new(fp, 1, doc->font);
            pg = page_new(fp, 0, doc->font);
            pages++;
            if (fam->cont && doc->cont_style)
                continuation_header(pg, doc, &f, pages);
        }
        page_add(pg, lines.v[i][0] && isupper((unsigned char)lines.v[i][0]) &&
                         strchr(lines.v[i], ':') && strlen(lines.v[i]) < 40 ? ST_BOLD : ST_BODY,
                 lines.v[i]);
    }
    if (pg->n && pg->items[pg->n - 1].text[0])
        page_add(pg, ST_BODY, "");
    if (doc->type == T_LETTER)
        letter_closing(pg, doc, &f, r);
    else
        report_closing(pg, doc, &f, r);
    if (duplex)
        page_new(fp, 1, doc->font);
    doc->last_page = fp->n;
    for (i = first_index, k = 0; i < fp->n; i++) {
        page *p = &fp->v[i];
        if (p->blank)
            continue;
        k++;
        p->fax = fam->fax;
        if (fam->decorate)
            fam->decorate(p, doc, &f, k, pages);
        if (doc->footer && !fam->own_pages)
            page_textf(p, "Courier", 9, PAGE_W / 2.0, FOOTER_Y, AL_CENTRE, "Page %d of %d", k, pages);
    }
    strlist_free(&lines);
}

/* ======================= the set ======================= */

static int pick_type(tk_rng *r)
{
    int total = 0, t, x;
    for (t = 0; t < NTYPES; t++)
        total += doctypes[t].weight;
    x = (int)tk_rng_below(r, (unsigned)total);
    for (t = 0; t < NTYPES - 1; t++) {
        if (x < doctypes[t].weight)
            return t;
        x -= doctypes[t].weight;
    }
    return NTYPES - 1;
}

/* One of the n indexes whose ok[] is set, uniformly; -1 when none is. */
static int pick_ok(tk_rng *r, const int *ok, int n)
{
    int count = 0, k;
    for (k = 0; k < n; k++)
        count += ok[k] != 0;
    if (count == 0)
        return -1;
    count = (int)tk_rng_below(r, (unsigned)count);
    for (k = 0; k < n; k++)
        if (ok[k] && count-- == 0)
            return k;
    return -1;
}

/* A name or date format for a document of split s: tuning ones only, unless held out. */
static int pick_format(tk_rng *r, int split, const int *format_split, int n, unsigned mask)
{
    int ok[32], k, got;

    for (k = 0; k < n; k++)
        ok[k] = ((mask >> k) & 1) && (split == SPLIT_HELDOUT || format_split[k] == SPLIT_TUNING);
    if ((got = pick_ok(r, ok, n)) >= 0)
        return got;
    for (k = 0; k < n; k++)      /* the family prints only formats of the other half */
        ok[k] = (mask >> k) & 1;
    return pick_ok(r, ok, n);
}

/* The split, family, wording, formats, font and damage of one document. */
static void plan_forms(document *d, tk_rng *r)
{
    int ok[64], k, nw = wording_count(d->type), letter = d->type == T_LETTER;

    d->split = tk_rng_percent(r, 50) ? SPLIT_HELDOUT : SPLIT_TUNING;
    for (k = 0; k < NFAMILIES; k++)
        ok[k] = families[k].letter == letter && family_split[k] == d->split;
    d->family = pick_ok(r, ok, NFAMILIES);
    assert(d->family >= 0);
    d->wording = -1;
    d->title[0] = '\0';
    if (letter || !tk_rng_percent(r, UNTITLED_PCT)) {
        for (k = 0; k < nw; k++)
            ok[k] = wording_split[d->type][k] == d->split;
        d->wording = pick_ok(r, ok, nw);
        assert(d->wording >= 0);
    }
    if (!letter && d->wording >= 0) {
        const char *t = wordings[d->type][d->wording].text;
        if (t[0] == '@')
            body_title(d->body->text, strcmp(t, "@exam") == 0, d->title, sizeof d->title);
        else
            snprintf(d->title, sizeof d->title, "%s", t);
    }
    d->name_fmt = pick_format(r, d->split, name_format_split, NF_COUNT,
                              families[d->family].name_mask);
    d->courtesy = tk_rng_percent(r, 50);
    d->dob_fmt = pick_format(r, d->split, date_format_split, DF_COUNT, ~0u);
    d->dos_fmt = tk_rng_percent(r, 75) ? d->dob_fmt
                 : pick_format(r, d->split, date_format_split, DF_COUNT, ~0u);
    k = (int)tk_rng_below(r, 100);
    if (letter)
        d->font = k < 45 ? FONT_TIMES : k < 75 ? FONT_HELVETICA : FONT_COURIER;
    else
        d->font = k < 55 ? FONT_COURIER : k < 85 ? FONT_HELVETICA : FONT_TIMES;
    d->stamped = tk_rng_percent(r, STAMP_PCT);
}

/* Decide everything about one chart's documents (no pixels yet). */
void plan_chart(chart *ch, const patient *roster, corpus *c, long *typo_left,
                long *no_mrn_left, tk_rng *r)
{
    date used[MAX_DOCS_PER_FILE];
    int typo_ok = ch->pt.in_roster && ch->pt.neighbour >= 0;

    for (int k = 0; k < ch->ndocs; k++) {
        document *d = &ch->docs[k];
        int j;
        memset(d, 0, sizeof *d);
        d->type = pick_type(r);
        d->body = take_body(c, d->type, r);
        d->pt = &ch->pt;
        plan_forms(d, r);
        do {
            d->dos = tk_random_date(r, 2010, 2023);
            for (j = 0; j < k && !date_eq(used[j], d->dos); j++)
                ;
        } while (j < k || d->dos.y <= ch->pt.dob.y);
        used[k] = d->dos;
        d->print_mrn = 1;
        if (d->type == T_LETTER && *no_mrn_left > 0 && tk_rng_percent(r, 60)) {
            d->print_mrn = 0;                    /* only name and birth date */
            --*no_mrn_left;
        }
        snprintf(d->printed_mrn, sizeof d->printed_mrn, "%s", ch->pt.mrn);
        if (d->print_mrn && typo_ok && *typo_left > 0 && tk_rng_percent(r, 50)) {
            snprintf(d->printed_mrn, sizeof d->printed_mrn, "%s", roster[ch->pt.neighbour].mrn);
            d->mrn_typo = 1;
            --*typo_left;
        }
        d->footer = tk_rng_percent(r, 50);
        d->cont_style = tk_rng_percent(r, 65) ? tk_rng_range(r, 1, 4) : 0;
        d->target_pages = tk_rng_percent(r, 45) ? 1 : tk_rng_percent(r, 60) ? 2 : 3;
    }
}

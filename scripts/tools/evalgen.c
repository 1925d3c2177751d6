/*
 * evalgen.c — the labelled evaluation set of the indexing stage (issues 4
 * and 11), run by scripts/eval-index: a patient roster full of look-alikes,
 * a zip of scanned chart stacks, the truth of every document and blank
 * page, and the training fold of the real transcriptions for `chartscan
 * train`.
 *
 * Design:
 *   - Bodies are real: rows of doctype-train.csv (id,doctype,text) are split
 *     by a hash of their id into five folds; fold --fold is held out.  The
 *     documents' bodies come only from it, and train.csv gets the others,
 *     so the classifier never sees a body it is evaluated on.
 *   - Everything around a body is generated: a header in one of 16
 *     header-layout families (letters: 2 letter families), a title in one
 *     of 8-10 wordings per type or none (17% of reports; letters: one of 6
 *     openings), the patient's name in one of 14 formats and dates in one
 *     of 13, distractor numbers and dates, continuation headers, footers,
 *     a signature.  One TIFF holds a chart stack of 1-3 documents of one
 *     patient, without separator sheets; a duplex file has an empty back
 *     side after every page.
 *   - The roster is built around hard cases: twins (same last name and
 *     birth date), same first and last name with another birth date
 *     (fathers and sons: Sr. and Jr.), same last name, MRN neighbours (one
 *     digit apart); hyphenated, two-word, O' and Mc last names and
 *     suffixes.  Documents favour the look-alikes; 5% of documents
 *     (rounded up) belong to patients absent from the roster, most of them
 *     look-alikes of roster patients; a few print an MRN with a typo that
 *     lands on the MRN neighbour's; some letters print only the name and
 *     birth date.
 *   - Scanning: mild skew and speckle, mostly G4 with some grey JPEG; a
 *     hand stamp over the header on 10% of documents; 10% of files
 *     photocopied (toner background, specks, a streak, an edge shadow);
 *     fax-header documents are faxed (about 200 dpi black and white).
 *   - Deterministic for a seed: splitmix64 streams, never rand().
 *
 * THE SPLIT.  The set measures generalisation, not fit: the families, the
 * title wordings (letters: openings), the name formats and the date
 * formats are each split into a tuning half and a held-out half by a fixed
 * rule that no option changes (split_items(), SPLIT_SALT in
 * evalgen_forms.inc): within each stratum (what existed before issue 11,
 * what it added; letter families apart), items are ranked by the FNV-1a
 * hash of SPLIT_SALT|list|id and the first half, rounded up, is tuning.
 * `evalgen --show-split` prints it.  Each document draws its split (50%
 * each), then a family of that split; a tuning document uses tuning
 * wordings, name formats and date formats only; a held-out document uses
 * held-out wordings, and name and date formats from all of them (so that
 * the held-out half is the unseen forms with both seen and unseen names
 * and dates).  The truth records the family, split, formats, wording,
 * stamp, photocopy, fax and font of every document: engineers tune on the
 * tuning half, and the held-out half tells whether that generalised.
 *
 * Pages go layout -> PostScript -> one gs call per file (300 dpi grey PNG)
 * -> Leptonica (fax, photocopy, skew, speckle, threshold for G4) ->
 * multi-page TIFF -> zip entry (libarchive).  The parts, included here
 * into one translation unit:
 *   evalgen_people.inc    names, the roster, name and date formats
 *   evalgen_corpus.inc    document types, the transcriptions and folds
 *   evalgen_page.inc      page model, wrapping, PostScript, scan damage
 *   evalgen_forms.inc     the split, wordings, heading, stamp, closings, letters
 *   evalgen_families.inc  the header-layout families and their table
 * Messages carry file names and counts, never patient data.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"

#include <archive.h>
#include <archive_entry.h>
#include <leptonica/allheaders.h>

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "evalgen"
#define FILES_PER_BOX 25
#define MAX_DOCS_PER_FILE 3
#define MAX_BODY_BYTES (1 << 20)

/* Shares, percent. */
#define UNTITLED_PCT 17       /* reports that print no title */
#define STAMP_PCT 10          /* documents with a hand stamp over the header */
#define PHOTOCOPY_PCT 10      /* files that were photocopied */

const char tk_prog[] = PROG;

__attribute__((format(printf, 2, 3)))
static void bprintf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tk_buf_vprintf(b, 1024, fmt, ap);
    va_end(ap);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
    return h;
}

#include "scripts/tools/evalgen_people.inc"
#include "scripts/tools/evalgen_corpus.inc"
#include "scripts/tools/evalgen_page.inc"

/* One document of a chart: what the plan decided, and where it landed. */
typedef struct document {
    int type;
    const body *body;
    const patient *pt;
    int family, split;
    int name_fmt, dob_fmt, dos_fmt;
    int courtesy;            /* women: Mrs. (1) or Ms. (0) where a format prints one */
    int wording;             /* index into the type's wordings; -1: untitled */
    char title[64];          /* as printed; "" for none (letters print none) */
    int font;                /* FONT_* of the body */
    date dos;
    int print_mrn;
    char printed_mrn[9];     /* what the header shows: a typo makes it the neighbour's */
    int mrn_typo;
    int footer;              /* "Page n of m" */
    int cont_style;          /* continuation header on later pages, 0 none */
    int target_pages;
    int stamped;
    int first_page, last_page;    /* 1-based in the file, back sides included */
} document;

#include "scripts/tools/evalgen_forms.inc"
#include "scripts/tools/evalgen_families.inc"

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
static void layout_document(file_pages *fp, document *doc, int duplex, tk_rng *r)
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

typedef struct options {
    const char *out, *data;
    uint64_t seed;
    long docs, patients;
    int fold;
} options;

typedef struct chart {        /* one TIFF: a chart stack of one patient */
    int ndocs;
    int absent;               /* the patient is not in the roster */
    int duplex, g4, photocopy;
    patient pt;               /* a copy: roster patient or outsider */
    document docs[MAX_DOCS_PER_FILE];
    char entry[64];
} chart;

typedef struct stats {
    long files, pages, blank, docs, absent_docs, typo_docs, no_mrn_docs;
    long by_type[NTYPES], by_split[2], untitled, stamped, photocopied_files, faxed;
} stats;

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
static void plan_chart(chart *ch, const patient *roster, corpus *c, long *typo_left,
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

static void truth_document(cs_buf *t, const chart *ch, const document *d)
{
    const struct family *fam = &families[d->family];

    tk_buf_puts(t, "{\"kind\":\"document\",\"file\":");
    tk_buf_json(t, ch->entry);
    bprintf(t, ",\"first_page\":%d,\"last_page\":%d,\"doctype\":", d->first_page, d->last_page);
    tk_buf_json(t, doctypes[d->type].code);
    tk_buf_puts(t, ",\"mrn\":");
    if (ch->absent)
        tk_buf_puts(t, "null");
    else
        tk_buf_json(t, ch->pt.mrn);
    bprintf(t, ",\"in_roster\":%s,\"group\":\"%s\",\"mrn_printed\":%s,\"mrn_typo\":%s,"
            "\"date_of_service\":\"%04d-%02d-%02d\",\"family\":\"%s\",\"layout\":\"%s\","
            "\"split\":\"%s\",\"name_format\":",
            ch->absent ? "false" : "true", group_names[ch->pt.group],
            d->print_mrn ? "true" : "false", d->mrn_typo ? "true" : "false",
            d->dos.y, d->dos.m, d->dos.d, fam->name, fam->name, split_names[d->split]);
    tk_buf_json(t, name_formats[d->name_fmt].id);
    tk_buf_puts(t, ",\"dob_format\":");
    tk_buf_json(t, date_formats[d->dob_fmt].id);
    tk_buf_puts(t, ",\"dos_format\":");
    tk_buf_json(t, date_formats[d->dos_fmt].id);
    tk_buf_puts(t, ",\"title_wording\":");
    if (d->wording >= 0)
        tk_buf_json(t, wordings[d->type][d->wording].id);
    else
        tk_buf_puts(t, "null");
    tk_buf_puts(t, ",\"wording_text\":");
    if (d->wording >= 0)
        tk_buf_json(t, wordings[d->type][d->wording].text);
    else
        tk_buf_puts(t, "null");
    tk_buf_puts(t, ",\"title\":");
    if (d->title[0])
        tk_buf_json(t, d->title);
    else
        tk_buf_puts(t, "null");
    bprintf(t, ",\"font\":\"%s\",\"stamped\":%s,\"photocopy\":%s,\"fax\":%s,\"source_id\":",
            font_ids[d->font], d->stamped ? "true" : "false", ch->photocopy ? "true" : "false",
            fam->fax ? "true" : "false");
    tk_buf_json(t, d->body->id);
    tk_buf_puts(t, "}\n");
}

/* Lay out, render, scan and store one chart; append its truth. */
static int make_chart(const char *tmpdir, long i, chart *ch,
                      struct archive *zip, cs_buf *truth, stats *st, tk_rng *r,
                      char *err, size_t errlen)
{
    file_pages fp = { 0 };
    cs_buf ps = CS_BUF_INIT;
    char psfile[4400], pattern[4400], png[4400], tif[4400];
    unsigned char *data = NULL;
    size_t len = 0;
    PIX *pix = NULL;
    photocopy pc = { 0 };
    int p, k, rc = -1;

    snprintf(ch->entry, sizeof ch->entry, "box%02ld/chart_%04ld.tif", i / FILES_PER_BOX + 1, i + 1);
    for (k = 0; k < ch->ndocs; k++)
        layout_document(&fp, &ch->docs[k], ch->duplex, r);
    for (p = 0; p < fp.n; p++)
        fp.v[p].skew = tk_rng_range(r, -100, 100) / 100.0;
    if (ch->photocopy)
        photocopy_draw(&pc, r);
    snprintf(psfile, sizeof psfile, "%s/f%04ld.ps", tmpdir, i + 1);
    snprintf(pattern, sizeof pattern, "%s/f%04ld-%%03d.png", tmpdir, i + 1);
    snprintf(tif, sizeof tif, "%s/f%04ld.tif", tmpdir, i + 1);
    file_ps(&fp, &ps);
    if (tk_write_file(psfile, ps.data, ps.len, err, errlen) < 0 ||
        run_gs(psfile, pattern, err, errlen) < 0)
        goto out;
    for (p = 0; p < fp.n; p++) {
        snprintf(png, sizeof png, "%s/f%04ld-%03d.png", tmpdir, i + 1, p + 1);
        if ((pix = degrade_page(png, &fp.v[p], ch->g4, &pc, r, err, errlen)) == NULL)
            goto out;
        unlink(png);
        if (pixWriteTiff(tif, pix, ch->g4 ? IFF_TIFF_G4 : IFF_TIFF_JPEG, p ? "a" : "w") != 0) {
            cs_fail(err, errlen, "could not write TIFF \"%s\"", tif);
            goto out;
        }
        pixDestroy(&pix);
    }
    if (tk_read_file(tif, &data, &len, err, errlen) < 0 ||
        tk_zip_add(zip, ch->entry, data, len, err, errlen) < 0)
        goto out;
    for (k = 0; k < ch->ndocs; k++) {
        const document *d = &ch->docs[k];
        truth_document(truth, ch, d);
        st->docs++;
        st->by_type[d->type]++;
        st->by_split[d->split]++;
        st->absent_docs += ch->absent;
        st->typo_docs += d->mrn_typo;
        st->no_mrn_docs += !d->print_mrn;
        st->untitled += d->type != T_LETTER && d->wording < 0;
        st->stamped += d->stamped;
        st->faxed += families[d->family].fax;
    }
    for (p = 0; p < fp.n; p++)
        if (fp.v[p].blank) {
            tk_buf_puts(truth, "{\"kind\":\"blank\",\"file\":");
            tk_buf_json(truth, ch->entry);
            bprintf(truth, ",\"page\":%d,\"blank\":true}\n", p + 1);
            st->blank++;
        }
    st->pages += fp.n;
    st->files++;
    st->photocopied_files += ch->photocopy;
    rc = 0;
out:
    unlink(psfile);
    unlink(tif);
    pixDestroy(&pix);
    free(data);
    cs_buf_free(&ps);
    file_pages_free(&fp);
    return rc;
}

static int run(const options *opt, char *err, size_t errlen)
{
    corpus c;
    patient *roster = NULL;
    chart *charts = NULL;
    long nchart = 0, i, docs = 0, absent_quota, absent = 0, *lookalike = NULL, nlookalike = 0;
    long typo_left = (opt->docs * 2 + 99) / 100;    /* MRN typos: 2%, rounded up */
    long no_mrn_left = (opt->docs * 3 + 99) / 100;  /* letters without MRN: 3% */
    struct archive *zip = NULL;
    cs_buf csv = CS_BUF_INIT, truth = CS_BUF_INIT;
    char path[4400], tmpdir[4400] = "";
    const char *tmp = getenv("TMPDIR");
    tk_rng plan = tk_rng_stream(opt->seed, 2), pick = tk_rng_stream(opt->seed, 3);
    stats st;
    int rc = -1;

    memset(&st, 0, sizeof st);
    if (tk_make_dirs(opt->out, err, errlen) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/train.csv", opt->out);
    if (load_corpus(opt->data, path, opt->fold, &c, err, errlen) < 0)
        return -1;

    roster = make_roster(opt->seed, opt->patients);
    roster_csv(roster, opt->patients, &csv);
    snprintf(path, sizeof path, "%s/roster.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    /* chart sizes first, then which charts belong to absent patients */
    charts = tk_xcalloc((size_t)opt->docs, sizeof *charts);
    while (docs < opt->docs) {
        int n = tk_rng_percent(&plan, 35) ? 1 : tk_rng_percent(&plan, 55) ? 2 : 3;
        if (n > opt->docs - docs)
            n = (int)(opt->docs - docs);
        charts[nchart++].ndocs = n;
        docs += n;
    }
    absent_quota = (opt->docs * 5 + 99) / 100;
    for (long tries = 0; absent < absent_quota && tries < 100000; tries++) {
        chart *ch = &charts[tk_rng_below(&plan, (unsigned)nchart)];
        if (!ch->absent && ch->ndocs <= absent_quota - absent) {
            ch->absent = 1;
            absent += ch->ndocs;
        }
    }
    lookalike = tk_xcalloc((size_t)opt->patients, sizeof *lookalike);
    for (i = 0; i < opt->patients; i++)
        if (roster[i].group != G_PLAIN)
            lookalike[nlookalike++] = i;
    for (i = 0; i < nchart; i++) {
        chart *ch = &charts[i];
        if (ch->absent) {
            static const int og[] = { G_OUT_SAME_NAME, G_OUT_TWIN, G_OUT_MRN_NEAR, G_OUT_OTHER };
            make_outsider(&pick, roster, opt->patients, og[tk_rng_below(&pick, 4)], &ch->pt);
        } else {
            /* half the charts go to look-alikes, when the roster has them */
            long j = (long)tk_rng_below(&pick, (unsigned)opt->patients);
            if (nlookalike && tk_rng_percent(&pick, 50))
                j = lookalike[tk_rng_below(&pick, (unsigned)nlookalike)];
            ch->pt = roster[j];
        }
        ch->duplex = tk_rng_percent(&plan, 25);
        ch->g4 = tk_rng_percent(&plan, 85);
        ch->photocopy = tk_rng_percent(&plan, PHOTOCOPY_PCT);
        plan_chart(ch, roster, &c, &typo_left, &no_mrn_left, &plan);
    }

    snprintf(tmpdir, sizeof tmpdir, "%s/evalgen.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        cs_fail(err, errlen, "could not create a temporary folder: %s", strerror(errno));
        tmpdir[0] = '\0';
        goto out;
    }
    snprintf(path, sizeof path, "%s/eval.zip", opt->out);
    if ((zip = archive_write_new()) == NULL)
        tk_die_oom();
    if (archive_write_set_format_zip(zip) != ARCHIVE_OK ||
        archive_write_open_filename(zip, path) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not create zip \"%s\": %s", path,
                archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        goto out;
    }
    for (i = 0; i < nchart; i++) {
        tk_rng r = tk_rng_stream(opt->seed, 1000 + (uint64_t)i);
        if (make_chart(tmpdir, i, &charts[i], zip, &truth, &st, &r, err, errlen) < 0)
            goto out;
    }
    if (archive_write_close(zip) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not finish zip \"%s\": %s", path,
                archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        goto out;
    }
    snprintf(path, sizeof path, "%s/truth.jsonl", opt->out);
    if (tk_write_file(path, truth.data, truth.len, err, errlen) < 0)
        goto out;
    printf(PROG ": %ld documents in %ld files, %ld pages (%ld blank back sides); "
           "%ld documents of absent patients, %ld with an MRN typo, %ld without MRN; "
           "roster of %ld; fold %d held out (%ld rows, %ld left for training)\n",
           st.docs, st.files, st.pages, st.blank, st.absent_docs, st.typo_docs, st.no_mrn_docs,
           opt->patients, opt->fold, c.eval_rows, c.train_rows);
    printf(PROG ": documents by type:");
    for (int t = 0; t < NTYPES; t++)
        printf(" %s %ld%s", doctypes[t].code, st.by_type[t], t < NTYPES - 1 ? "," : "\n");
    printf(PROG ": %ld tuning and %ld held-out documents; %ld untitled, %ld stamped, %ld faxed; "
           "%ld photocopied files\n", st.by_split[SPLIT_TUNING], st.by_split[SPLIT_HELDOUT],
           st.untitled, st.stamped, st.faxed, st.photocopied_files);
    rc = 0;
out:
    if (zip)
        archive_write_free(zip);
    if (rc < 0) {
        snprintf(path, sizeof path, "%s/eval.zip", opt->out);
        unlink(path);
    }
    if (tmpdir[0])
        tk_remove_temp_dir(tmpdir);
    cs_buf_free(&truth);
    cs_buf_free(&csv);
    free(lookalike);
    free(charts);
    free(roster);
    corpus_free(&c);
    return rc;
}

/* ======================= command line ======================= */

static void show_list(const char *what, const char *const *ids, const int *split, int n,
                      int stride_quote)
{
    for (int s = SPLIT_TUNING; s <= SPLIT_HELDOUT; s++) {
        int col = printf("  %-14s %-8s", s == SPLIT_TUNING ? what : "", split_names[s]);
        for (int k = 0; k < n; k++) {
            if (split[k] != s)
                continue;
            if (col + (int)strlen(ids[k]) + 4 > 100)
                col = printf("\n  %-14s %-8s", "", "");
            col += printf(stride_quote ? " \"%s\"" : " %s", ids[k]);
        }
        printf("\n");
    }
}

/* --show-split: the fixed split, as evalgen uses it. */
static void show_split(void)
{
    const char *ids[64];
    int n;

    printf("the fixed tuning / held-out split (salt \"%s\"; the same for every --seed)\n",
           SPLIT_SALT);
    for (n = 0; n < NFAMILIES; n++)
        ids[n] = families[n].name;
    show_list("families", ids, family_split, n, 0);
    for (n = 0; n < NF_COUNT; n++)
        ids[n] = name_formats[n].id;
    show_list("name formats", ids, name_format_split, n, 1);
    for (n = 0; n < DF_COUNT; n++)
        ids[n] = date_formats[n].id;
    show_list("date formats", ids, date_format_split, n, 0);
    printf("title wordings (letters: openings); untitled reports in both halves\n");
    for (int t = 0; t < NTYPES; t++) {
        for (int s = SPLIT_TUNING; s <= SPLIT_HELDOUT; s++) {
            printf("  %-18s %-8s", s == SPLIT_TUNING ? doctypes[t].code : "", split_names[s]);
            for (int k = 0; k < wording_count(t); k++)
                if (wording_split[t][k] == s)
                    printf(" %s=\"%s\"", wordings[t][k].id, wordings[t][k].text);
            printf("\n");
        }
    }
}

static void usage(FILE *fp)
{
    fputs(
"usage: evalgen --out DIR --data FILE.csv [--seed N] [--docs N] [--patients N] [--fold K]\n"
"       evalgen --show-split\n"
"\n"
"Writes the labelled evaluation set of chartscan's indexing into DIR:\n"
"  roster.csv   mrn,last_name,first_name,middle_name,birth_date,sex,suffix,\n"
"               with twins, same-name (father and son) and same-last-name\n"
"               pairs and MRN neighbours; hyphenated, two-word, O' and Mc\n"
"               last names, suffixes (Jr, Sr, II, III, IV), no middle name\n"
"  train.csv    id,doctype,text: the rows of FILE.csv outside fold K\n"
"  eval.zip     boxNN/chart_NNNN.tif: chart stacks of 1-3 documents of one\n"
"               patient (bodies from fold K of FILE.csv only), 300 dpi, mostly\n"
"               G4, some grey JPEG, a quarter duplex with blank back sides\n"
"  truth.jsonl  per document: kind \"document\", file, first_page, last_page,\n"
"               doctype, mrn (null when absent from the roster), in_roster,\n"
"               group, mrn_printed, mrn_typo, date_of_service, family (and\n"
"               layout, the same), split (\"tuning\" or \"heldout\"),\n"
"               name_format, dob_format, dos_format, title_wording (an id;\n"
"               null: untitled), wording_text (the wording, \"@exam\" and\n"
"               \"@modality\" made from the body; letters: the opening),\n"
"               title (as printed), font, stamped, photocopy, fax, source_id;\n"
"               per back side: kind \"blank\", file, page, blank\n"
"\n"
"  --data FILE.csv   labelled transcriptions, columns id,doctype,text\n"
"  --seed N          random seed (default 1); same seed, same files\n"
"  --docs N          documents, 1-100000 (default 120)\n"
"  --patients N      roster size, 20-1000000 (default 300)\n"
"  --fold K          held-out fold, 0-4 (default 0): rows whose id hashes to K\n"
"  --show-split      print the fixed tuning / held-out split and exit\n"
"\n"
"Forms: 16 header-layout families for reports and 2 for letters, 8-10 title\n"
"wordings per report type (17% of reports untitled), 6 letter openings, 14\n"
"name formats, 13 date formats.  Each is split into a tuning and a held-out half by a fixed rule\n"
"(the same for every seed, see --show-split); half the documents are tuning\n"
"(tuning families, wordings, name and date formats), half held out\n"
"(held-out families and wordings, any name and date format).\n"
"\n"
"Shares: 5% of the documents (rounded up) are of patients absent from the\n"
"roster, half the charts of roster patients go to look-alikes, 2% of the\n"
"documents print the MRN neighbour's MRN (a typo), 3% are letters that print\n"
"only name and birth date (both rounded up, when such documents occur); 10%\n"
"of the documents carry a hand stamp over the header, 10% of the files are\n"
"photocopies (grey background, specks, streak, edge shadow); fax-header\n"
"documents are faxed (about 200 dpi black and white).\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad usage.  Needs gs at run time.\n", fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "data", required_argument, NULL, 'D' },
        { "seed", required_argument, NULL, 's' },
        { "docs", required_argument, NULL, 'd' },
        { "patients", required_argument, NULL, 'p' },
        { "fold", required_argument, NULL, 'f' },
        { "show-split", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, NULL, 1, 120, 300, 0 };
    char err[CS_ERRLEN] = "";
    long v;
    int c, show = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opt.out = optarg; break;
        case 'D': opt.data = optarg; break;
        case 's':
            if (tk_parse_seed(optarg, &opt.seed) < 0) {
                fprintf(stderr, PROG ": invalid --seed \"%s\": expected an unsigned integer\n", optarg);
                return 2;
            }
            break;
        case 'd':
            if (tk_parse_long(optarg, 1, 100000, &opt.docs) < 0) {
                fprintf(stderr, PROG ": invalid --docs \"%s\": expected 1 to 100000\n", optarg);
                return 2;
            }
            break;
        case 'p':
            if (tk_parse_long(optarg, 20, 1000000, &opt.patients) < 0) {
                fprintf(stderr, PROG ": invalid --patients \"%s\": expected 20 to 1000000\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (tk_parse_long(optarg, 0, 4, &v) < 0) {
                fprintf(stderr, PROG ": invalid --fold \"%s\": expected 0 to 4\n", optarg);
                return 2;
            }
            opt.fold = (int)v;
            break;
        case 'S':
            show = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, PROG ": unknown option \"%s\"\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    split_init();
    if (show) {
        show_split();
        return 0;
    }
    if (!opt.out || !opt.out[0] || !opt.data || !opt.data[0]) {
        fprintf(stderr, PROG ": --out DIR and --data FILE.csv are required\ntry --help\n");
        return 2;
    }
    setMsgSeverity(L_SEVERITY_ERROR);
    if (run(&opt, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    return 0;
}

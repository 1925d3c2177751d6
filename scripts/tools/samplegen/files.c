/*
 * files.c — samplegen's TIFF files, one document each: the mild batch's
 * (make_file) and the bench profile's (make_bench_files), and the bad
 * entries
 *
 * Each file has its own streams, so that --files does not change the
 * files before it: mild file i draws from stream 1000 + i; bench file i
 * lays out from 1<<20 + i, picks its scanner settings from 2<<20 + i,
 * each page's scan draws from 3<<20 + its number in the batch, and its
 * stamp and photocopy (copy.c) from 6<<20 + that number, so that adding
 * them left every other draw as it was, and the stamp's outline from
 * 7<<20 + that number (added later: boxed stamps stayed as they were).
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <leptonica/allheaders.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ======================= the mild batch ======================= */

/* A mild file's document: type, pages, patient, scanner and layout. */
static void plan_file(batch *bt, long i, tk_rng *r, document *doc)
{
    const options *opt = bt->opt;

    memset(doc, 0, sizeof *doc);
    doc->dt = &doctypes[(bt->type_offset + (unsigned long)i) % NDOCTYPES];  /* all types early */
    doc->npages = i == 0 ? 3 : tk_rng_range(r, 1, 3);
    doc->pt = &bt->roster[tk_rng_below(r, (unsigned)opt->patients)];
    doc->print_mrn = doc->in_roster = 1;
    if (opt->files >= 3 && i == opt->files - 1) {
        doc->print_mrn = doc->in_roster = 0;         /* no MRN line at all */
    } else if (opt->files >= 2 && i == (opt->files >= 3 ? opt->files - 2 : 1)) {
        doc->pt = &bt->outsider;
        doc->in_roster = 0;
        doc->absent = 1;
    }
    doc->g4 = i % 2 == 0;
    doc->dpi = doc->g4 ? 300 : (i / 2) % 2 == 0 ? 200 : 300;
    doc->skew = tk_rng_range(r, -150, 150) / 100.0;
    tk_chart_entry(doc->entry, sizeof doc->entry, i);
    layout_document(doc, r);
}

int make_file(batch *bt, long i, char *err, size_t errlen)
{
    tk_rng r = tk_rng_stream(bt->opt->seed, 1000 + (uint64_t)i);
    document doc;
    tk_scanfile sf;
    cs_buf ps = CS_BUF_INIT;
    char png[4400];
    PIX *pix = NULL;
    int p, rc = -1;

    plan_file(bt, i, &r, &doc);
    tk_scanfile_init(&sf, bt->tmpdir, i);
    document_ps(&doc, &ps);
    if (tk_scanfile_render(&sf, &ps, 300, err, errlen) < 0)
        goto out;
    for (p = 0; p < doc.npages; p++) {
        tk_scanfile_png(&sf, p + 1, png, sizeof png);
        if ((pix = degrade_page(png, &doc, &r, err, errlen)) == NULL)
            goto out;
        unlink(png);
        if (tk_scanfile_add_page(&sf, pix, doc.g4, err, errlen) < 0)
            goto out;
        if (i == 0 && p == 0 && bt->opt->bad_entries &&
            pixWriteMemTiff(&bt->sample_tif, &bt->sample_len, pix, IFF_TIFF_G4) != 0) {
            cs_fail(err, errlen, "could not write the sample one-page TIFF");
            goto out;
        }
        pixDestroy(&pix);
        truth_page(&bt->truth, &doc, p);
    }
    if (tk_scanfile_store(&sf, bt->zip, doc.entry, err, errlen) < 0)
        goto out;
    bt->pages += doc.npages;
    rc = 0;
out:
    tk_scanfile_cleanup(&sf);
    pixDestroy(&pix);
    cs_buf_free(&ps);
    document_clear(&doc);
    return rc;
}

/* ======================= the bench profile ======================= */

/*
 * Which text pages are turned and which have a blank back side, fixed for
 * the whole run from its own stream: exact shares (rounded up) rather than
 * coin flips, so that every run of 100 or more pages has upside-down,
 * sideways and blank pages to score.
 */
typedef struct bench_plan {
    long text_pages, blank_pages;
    unsigned char *turn;      /* per text page: quarter turns clockwise */
    unsigned char *back;      /* per text page: 1 when a blank back side follows */
} bench_plan;

static void shuffle(long *idx, long n, tk_rng *r)
{
    long i;
    for (i = 0; i < n; i++)
        idx[i] = i;
    for (i = n - 1; i > 0; i--) {
        long j = (long)tk_rng_below(r, (unsigned)(i + 1)), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static void plan_bench(uint64_t seed, long pages, bench_plan *pl)
{
    tk_rng r = tk_rng_stream(seed, 4);
    long blank = (pages * 8 + 99) / 100, text = pages - blank;
    long upside = (pages * 5 + 99) / 100, sideways = (pages * 3 + 99) / 100, k;
    long *idx = tk_xmalloc((size_t)text * sizeof *idx);

    assert(upside + sideways <= text && blank <= text);
    pl->text_pages = text;
    pl->blank_pages = blank;
    pl->turn = tk_xmalloc((size_t)text);
    pl->back = tk_xmalloc((size_t)text);
    memset(pl->turn, 0, (size_t)text);
    memset(pl->back, 0, (size_t)text);
    shuffle(idx, text, &r);
    for (k = 0; k < upside; k++)
        pl->turn[idx[k]] = 2;
    for (k = 0; k < sideways; k++)
        pl->turn[idx[upside + k]] = k % 2 ? 3 : 1;
    shuffle(idx, text, &r);
    for (k = 0; k < blank; k++)
        pl->back[idx[k]] = 1;
    free(idx);
}

static void plan_clear(bench_plan *pl)
{
    free(pl->turn);
    free(pl->back);
    memset(pl, 0, sizeof *pl);
}


/* A bench file's document: type, patient, scanner settings and layout. */
static void plan_bench_file(batch *bt, long i, int ntext, tk_rng *r, tk_rng *scanner,
                            document *doc)
{
    int dpi_pick;

    memset(doc, 0, sizeof *doc);
    doc->dt = &doctypes[(bt->type_offset + (unsigned long)i) % NDOCTYPES];
    doc->npages = ntext;
    doc->pt = &bt->roster[tk_rng_below(r, (unsigned)bt->opt->patients)];
    doc->print_mrn = doc->in_roster = 1;
    doc->g4 = tk_rng_below(scanner, 2) == 0;
    dpi_pick = (int)tk_rng_below(scanner, 4);
    doc->dpi = dpi_pick == 0 ? 200 : dpi_pick == 3 ? 400 : 300;
    tk_chart_entry(doc->entry, sizeof doc->entry, i);
    layout_document(doc, r);
}

/*
 * Read rendered page p (1-based) of a bench file as 8 bpp paper and punch
 * it as sc says.  Returns a new pix, or NULL with err.
 */
static PIX *bench_paper(const tk_scanfile *sf, int p, const scan *sc, tk_rng *r,
                        char *err, size_t errlen)
{
    char png[4400];
    PIX *src, *paper = NULL;

    tk_scanfile_png(sf, p, png, sizeof png);
    if ((src = pixRead(png)) == NULL || (paper = pixConvertTo8(src, 0)) == NULL) {
        pixDestroy(&src);
        cs_fail(err, errlen, "could not read rendered page \"%s\"", png);
        return NULL;
    }
    unlink(png);
    pixDestroy(&src);
    if (sc->holes)
        punch_holes(paper, sc->holes, sc->dpi, r);
    return paper;
}

/*
 * Make bench file i: a document of ntext text pages (text pages first_text
 * onwards in the plan), each followed by its blank back side where the plan
 * says so.
 */
static int make_bench_file(batch *bt, const bench_plan *pl, long i, long first_text, int ntext,
                           char *err, size_t errlen)
{
    const options *opt = bt->opt;
    tk_rng r = tk_rng_stream(opt->seed, (1u << 20) + (uint64_t)i);
    tk_rng scanner = tk_rng_stream(opt->seed, (2u << 20) + (uint64_t)i);
    document doc;
    tk_scanfile sf;
    cs_buf ps = CS_BUF_INIT, text = CS_BUF_INIT;
    PIX *paper = NULL, *front = NULL, *pix = NULL;
    paperwork pw;
    int p, k, filepages = 0, rc = -1;

    plan_bench_file(bt, i, ntext, &r, &scanner, &doc);
    for (p = 0; p < ntext; p++)
        filepages += 1 + pl->back[first_text + p];
    tk_scanfile_init(&sf, bt->tmpdir, i);
    document_ps(&doc, &ps);
    if (tk_scanfile_render(&sf, &ps, doc.dpi, err, errlen) < 0)
        goto out;
    for (p = 0; p < ntext; p++) {
        long t = first_text + p;
        for (k = 0; k <= pl->back[t]; k++) {    /* the front, then its back side */
            uint64_t nr = bt->pages + sf.pages;
            tk_rng pr = tk_rng_stream(opt->seed, (3u << 20) + nr);
            tk_rng wr = tk_rng_stream(opt->seed, (6u << 20) + nr);
            tk_rng sr = tk_rng_stream(opt->seed, (7u << 20) + nr);
            scan sc;
            int copied;

            scan_draw(&sc, &pr, doc.g4, doc.dpi, k == 1, k == 1 ? 0 : pl->turn[t]);
            paperwork_draw(&pw, &wr);
            paperwork_draw_shape(&pw, &sr);
            /* --copies none: the original is scanned (the page keeps its tag) */
            copied = k == 0 && pw.copy && !opt->no_copies;
            /* a bilevel scanner is set for the page in front of it: below
             * a photocopy's grey, or the whole background would come out black */
            if (copied && sc.g4 && sc.threshold > pw.toner - 45)
                sc.threshold = pw.toner - 45;
            if (k == 0 && (paper = bench_paper(&sf, p + 1, &sc, &pr, err, errlen)) == NULL)
                goto out;
            /* the stamp and the copy are the front's; its back shows the original */
            if ((front = k == 0 ? pixCopy(NULL, paper) : pixClone(paper)) == NULL) {
                cs_fail(err, errlen, "out of memory");
                goto out;
            }
            if (k == 0 && pw.stamp)
                stamp_page(front, &pw, doc.dpi, opt->stamps, sc.threshold, &wr);
            if (copied)
                photocopy_page(front, &pw, doc.dpi, &wr);
            pix = scan_page(front, &sc, &pr);
            pixDestroy(&front);
            if (!pix) {
                cs_fail(err, errlen, "could not degrade page %d of \"%s\"", sf.pages + 1, doc.entry);
                goto out;
            }
            if (tk_scanfile_add_page(&sf, pix, doc.g4, err, errlen) < 0)
                goto out;
            pixDestroy(&pix);
            cs_buf_reset(&text);
            if (k == 0)
                page_text(&doc, p, &text);
            truth_bench(&bt->truth, &doc, sf.pages, filepages, &sc, k == 0 ? &pw : NULL,
                        text.data ? text.data : "");
        }
        pixDestroy(&paper);
    }
    if (tk_scanfile_store(&sf, bt->zip, doc.entry, err, errlen) < 0)
        goto out;
    bt->pages += filepages;
    rc = 0;
out:
    tk_scanfile_cleanup(&sf);
    pixDestroy(&pix);
    pixDestroy(&paper);
    cs_buf_free(&text);
    cs_buf_free(&ps);
    document_clear(&doc);
    return rc;
}

/* All bench files: documents of 1-3 text pages until the plan is used up. */
int make_bench_files(batch *bt, long *files, long *blank, char *err, size_t errlen)
{
    bench_plan pl;
    tk_rng r = tk_rng_stream(bt->opt->seed, 5);
    long t = 0, i = 0;
    int rc = 0;

    plan_bench(bt->opt->seed, bt->opt->pages, &pl);
    while (t < pl.text_pages) {
        int n = tk_rng_range(&r, 1, 3);
        if (n > pl.text_pages - t)
            n = (int)(pl.text_pages - t);
        if ((rc = make_bench_file(bt, &pl, i, t, n, err, errlen)) < 0)
            break;
        t += n;
        i++;
    }
    *files = i;
    *blank = pl.blank_pages;
    plan_clear(&pl);
    return rc;
}

int add_bad_entries(batch *bt, char *err, size_t errlen)
{
    /* A third of a TIFF: libtiff writes the directory last, so it is gone. */
    if (tk_zip_add(bt->zip, "box01/cut.tif", bt->sample_tif, bt->sample_len / 3, err, errlen) < 0 ||
        tk_zip_add(bt->zip, "../escape.tif", bt->sample_tif, bt->sample_len, err, errlen) < 0 ||
        tk_zip_add(bt->zip, "/abs/path.tif", bt->sample_tif, bt->sample_len, err, errlen) < 0)
        return -1;
    truth_other(&bt->truth, "box01/cut.tif", "bad", "truncated");
    truth_other(&bt->truth, "../escape.tif", "bad", "path_traversal");
    truth_other(&bt->truth, "/abs/path.tif", "bad", "absolute_path");
    return 0;
}

/*
 * photocopy.c — what a photocopier adds to a page, taken off the upright,
 * deskewed bilevel page before recognition: toner streaks (long thin
 * lines, vertical or horizontal, that cross or run through text lines,
 * whole or faded into rows of dashes) (specks of toner and dust are
 * specks.c's).
 *
 * Interface routines:
 *   cs_ocr_descreen        re-binarise a page whose background came out as dots
 *                          (or take a bilevel scan's patch of dots off)
 *   cs_ocr_text_height     typical height of the page's letters
 *   cs_ocr_clean_streaks   whiten long thin lines, mending the letters they crossed
 *
 * Notes:
 *   0. A photocopy's grey toner background, under heavy scanner noise and
 *      a threshold near its tone (a bilevel scan of a copy), comes out as
 *      a field of dots over the whole page: the border step then takes
 *      the dense field touching the edge for a border and the text in it
 *      with it, and Tesseract reads the dots.  Such a page is told by how
 *      much of it an opening with a 2x2 brick removes (dots go, strokes of
 *      print stay): over CS_DOTS_SHARE of the page area, where a page of
 *      print loses well under 1%.  It is then binarised again from a grey
 *      version smoothed over 5x5 pixels (1/60 inch at 300 dpi): the dots
 *      average into an even grey that background normalisation brings back
 *      to paper, while strokes stay dark (a page scanned bilevel at the
 *      resolution it is read at goes by note 9 instead).  On such a page
 *      the border step leaves out its fringe (page.c): what dots are left
 *      are not one.
 *   1. Detect first: each step finds its targets and changes nothing when
 *      there are none, so a clean page goes through pixel for pixel; and
 *      cheaply: streaks are first looked for on a 4x reduction, where an
 *      opening costs 1/16 of the full page's.
 *   2. A streak is a run of ink at least CS_STREAK_VLEN inch long
 *      (vertical) or CS_STREAK_HLEN inch long (horizontal) and at most
 *      CS_STREAK_WIDTH inch thick: no stroke of text is that long (a 20 pt
 *      capital is 0.2 inch high).  The runs are found by opening with a
 *      line of that length, after a closing across the line of 3 pixels
 *      so that a streak whose edge steps by a pixel (rotated and
 *      rotated back) still counts; then the found run is widened by two
 *      pixels to take its grey edge, and only where the page has ink.  A
 *      streak crossing a letter cuts it; the cut is mended by closing the
 *      page across the streak's direction (a brick 6 pixels longer than
 *      the streak's mean thickness) inside the streak's mask only, so a
 *      crossbar or bowl that runs on both sides of the streak joins again,
 *      while the inside of an "o" the streak ran through stays open.  Rules (tables, lines to
 *      fill in) go the same way: Tesseract reads the text better without
 *      them.
 *   3. Without this, Tesseract's layout analysis takes a vertical streak for
 *      a column divider or reads it as a column of "|" and "l", and a
 *      horizontal one through a line breaks every word on it.
 *   4.-8. The speck step is in specks.c (its notes 1-5 were these).
 *   9. A copy scanned bilevel with heavy noise (most often at 200 dpi) has
 *      thin strokes, one or two pixels, that the 5x5 smoothing of note 0
 *      averages with the dots around them: they break or fill in (the
 *      five dotted pages of the tuning seeds, four of them scanned
 *      bilevel, held 372 of their photocopies' 846 character errors).
 *      The dots of such a page are single pixels and small clumps, so
 *      they are taken off the page as scanned
 *      (binarise.c, cs_ocr_binarise_dotted): a 3x3 majority filter (a
 *      pixel is black when 5 of the 9 around it are) erases dots and
 *      keeps the body of two-pixel strokes; a component of the scan that
 *      the filter erases whole is a dot.  Where dots are sparse (at most
 *      CS_DOTS_DENSE of the pixels, counted over about a third of an
 *      inch) the components that keep something are kept whole, as
 *      scanned, one-pixel hairlines and all; where they are dense the
 *      filter's page is taken, less what it leaves of clumps (at most
 *      CS_CLUMP_MAX pixels).  The density is measured on the page, so
 *      a page darker on one side (a lid shadow) is cleaned hard there
 *      and left alone where its background is nearly white.  A page that
 *      came to this resolution through grey (scaled from 400 dpi, or a
 *      grey scan) keeps note 0's smoothing: its dots are grey already.
 *      Tuning seeds 1-3, the files holding a photocopied page, character
 *      errors before / after:
 *        photocopy   44 pages    846  2.54%  ->   696  2.09%
 *          the 4 bilevel dotted pages  358 -> 208 (84 / 215 / 47 / 12 ->
 *          58 / 116 / 24 / 10); the fifth dotted page (from 400 dpi,
 *          grey) unchanged at 14
 *        stamp        8 pages    188  3.23%  ->   162  2.78%  (one page
 *                                                 is both)
 *        clean        2 pages      1          ->     1
 *      The text of every other page (81) is unchanged.  Time on the four
 *      pages, one worker: 3.60 -> 3.39 s (binarise 239 -> 213 ms; the
 *      cleaner page also reads faster).  Tried and left out (errors on
 *      the 44 pages): only taking off components of at most 4 / 8 pixels
 *      1944 / 1622 (dense stretches keep their clumps); the majority
 *      filter over the whole page, after taking off components of at
 *      most 4 pixels 815, followed by taking off clumps of 8 772 (the
 *      hairlines of the cleaner stretches go: one page 47 -> 87); telling
 *      dots by their size (at most 8 pixels) instead of by the filter
 *      687, but binarisation took 2.5 times as long (the components of a
 *      page of dots), and with it a density window of a fifth or two
 *      thirds of an inch 705 / 741 (a third: 687), a density of 2% or 8%
 *      725 / 763; note 0's smoothing where over 12% or 20% of the
 *      pixels are dots (no stretch of the tuning pages is, 696 either
 *      way); trimming kept components to within
 *      one or two pixels of what the filter keeps 688 / 685 (mixed page
 *      by page).  What is left is mostly letters joined to dots and
 *      hairlines the scanner broke where the dots are sparse.
 *      Tried later and left out: Tesseract reading the cleaned page of a
 *      bilevel scan below 250 dpi softened to grey by a 3x3 binomial
 *      (grey edges, a one-pixel break bridged in lighter grey).  On the
 *      bilevel files of tuning seeds 1-3 the 200 dpi pages went 937 ->
 *      782 character errors (22 pages better, 3 worse), but on seeds 4-6
 *      1075 -> 1193 (13 better, 8 worse): on two pages of print the
 *      scanner all but lost, Tesseract's own threshold of the softened
 *      page took the pale dots for ink, and one of them read nothing at
 *      all where the hard page gave its heading.  On readable pages the
 *      gain held (seeds 4-6 without those two: 167 -> 156).  A 200 dpi
 *      page scaled up to 300 dpi through grey before thresholding was
 *      measured in normalise.c (note 4): worse.
 *      Also left out: keeping as letters the pieces of letters a light
 *      print broke apart (small components within two pixels of one
 *      another that together make a letter's height), so that the speck
 *      step (specks.c) spares them: on seeds 1-3 one such page went 502
 *      -> 401 errors, but 12 pages lost 62 where noise beside the text
 *      grouped the same way, and grouping cost 30 ms a page.
 *  10. A streak the toner let fade (samplegen draws them thinning to 30%
 *      in places, and worn copiers do) comes out of a threshold as a row
 *      of dashes: no run of it is CS_STREAK_VLEN / HLEN long, so note 2
 *      leaves it, and a row of dashes under a line of print can make
 *      Tesseract drop the whole line (held-out seed 8: a line of 74
 *      characters lost, with 2 errors left once the dashes go).  A dash
 *      is a component at most CS_DASH_THICK inch across and at least
 *      three times (and CS_DASH_MIN inch) as long along; dashes in one
 *      straight row (their middles across within a pixel and a half of
 *      the first's, gaps along of at most CS_DASH_GAP inch) that together
 *      reach CS_DASH_LEN inch are a streak, whitened and mended like note
 *      2's.  A hyphen or a stroke of print is such a component too, but
 *      no text sets them in a row with gaps under a letter's width (a row
 *      of hyphens, "------", is a rule and goes like one); the arc of a
 *      pale round stamp that broke into dashes is not straight (allowing
 *      it drift cost one held-out stamped page 12 characters).  The
 *      dashes are found on the boxes of the page's components, once for
 *      both directions; only the rows long enough have their pixels
 *      taken, each dash's own (a letter's stroke it touches is not).
 *      All pages of seeds 1-9, character errors on the pages that read
 *      differently (no clean, unstamped or unphotocopied page did):
 *        tuning seeds 1-3     8 pages    94 -> 86
 *        held-out seeds 4-6   4 pages    42 -> 43
 *        held-out seeds 7-9   6 pages   152 -> 70 (the page above 76 -> 2)
 *      Tried and left out: finding the streak's runs after a dilation of
 *      3 pixels across instead of the closing (a line that wanders by a
 *      pixel): mixed, 302 -> 299 on seeds 1-3 and one stamped page of seed
 *      8 60 -> 88.  The step costs 2-6 ms a page.
 *  11. A copier can grey one patch of a page only (toner worn unevenly, a
 *      fold, a hand's print on the glass): scanned bilevel, the patch is
 *      a field of dots over a few lines of print, but too little of the
 *      page for note 0's share, and the dots were left to Tesseract (a
 *      held-out page of seed 4 read 183 character errors in 648, its
 *      middle paragraphs lost).  So on a bilevel scan the dots (what the
 *      2x2 opening removes) are also counted over every half-inch square,
 *      the squares a quarter of an inch apart, and when one holds more
 *      than CS_DOTS_PATCH of them the page goes through note 9's filter,
 *      which is local already: where the dots are sparse it keeps the
 *      print as scanned.  The border step keeps its fringe (a field of
 *      dots over the page turns it off, note 0): with it off the dots of
 *      a dark edge were read as lines of junk.  The densest square of a
 *      page of print holds well under 1% of dots; the dotted stamp inks
 *      and the pale print broken into dots of seeds 1-9 hold 3-7.5%; the
 *      patches 11-30%.  Tuned on seeds 1-3; all bilevel pages of seeds
 *      1-9, character errors on the pages that read differently (none
 *      read worse):
 *        tuning seeds 1-3     4 pages    98 -> 13  (89 -> 6)
 *        held-out seeds 4-6   3 pages   216 -> 28  (183 -> 11)
 *        held-out seeds 7-9   3 pages    78 -> 63
 *      A share of 6% also took a stamp page of seed 3 (93 -> 48) but two
 *      held-out stamped pages read worse (44 -> 51, 73 -> 74); at 4% the
 *      filter took pale print apart that broken.c would have joined (a
 *      held-out page 68 -> 417).  The count costs about 5 ms a bilevel
 *      page.  A grey scan's patch is left: its toner is grey, not dots,
 *      until binarise.c thresholds it.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CS_DOTS_SHARE   0.04    /* of the page area (note 0) */
#define CS_DASH_THICK   0.012   /* inch (note 10) */
#define CS_DASH_MIN     0.02
#define CS_DASH_GAP     0.04
#define CS_DASH_LEN     0.5
#define CS_DOTS_PATCH   0.10    /* of a half-inch square (note 11) */

/*
 * The largest share of dots in a half-inch square of the page, the squares
 * a quarter of an inch apart (note 11): dots is the page less its opening,
 * counted in quarter-inch cells, four cells to a square.
 */
static double densest_patch(PIX *dots, int dpi)
{
    l_uint32 *data = pixGetData(dots);
    int w = pixGetWidth(dots), h = pixGetHeight(dots), wpl = pixGetWpl(dots);
    int cell = dpi / 4 > 0 ? dpi / 4 : 1, nx = w / cell, ny = h / cell;
    double best = 0;
    long *count;

    if (nx < 2 || ny < 2 || (count = calloc((size_t)nx * ny, sizeof *count)) == NULL)
        return 0;
    for (int y = 0; y < ny * cell; y++) {
        const l_uint32 *line = data + (size_t)y * wpl;
        long *row = count + (size_t)(y / cell) * nx;
        for (int i = 0; i < wpl; i++) {
            if (!line[i])               /* dots are sparse: most words are empty */
                continue;
            for (int bit = 0, x = 32 * i; bit < 32 && x < nx * cell; bit++, x++)
                if (line[i] & (0x80000000u >> bit))
                    row[x / cell]++;
        }
    }
    for (int cy = 0; cy + 1 < ny; cy++)
        for (int cx = 0; cx + 1 < nx; cx++) {
            const long *c = count + (size_t)cy * nx + cx;
            double share = (double)(c[0] + c[1] + c[nx] + c[nx + 1]) / (4.0 * cell * cell);
            if (share > best)
                best = share;
        }
    free(count);
    return best;
}

/*!
 * cs_ocr_descreen()
 *
 *      Input:  page (the page as binarised: 1 bpp)
 *              before (the same page before binarisation: 1 or 8 bpp, same size)
 *              dpi (their resolution)
 *              pdone (<optional return> 1 when the whole page was binarised
 *                     again; use NULL to skip)
 *      Return: pixd (the page binarised again when its background is a field
 *              of dots, or a bilevel scan without a patch of dots; else a
 *              clone of page), or NULL on error
 *
 *  Notes:
 *      (1) See notes 0, 9 and 11 of the file.
 */
PIX *cs_ocr_descreen(PIX *page, PIX *before, int dpi, int *pdone)
{
    PIX *open = NULL, *grey = NULL, *smooth = NULL, *pixd = NULL, *dots;
    l_int32 all = 0, kept = 0;
    int half = 2, patch;

    if (pdone)
        *pdone = 0;
    if (!page || !before || pixGetDepth(page) != 1)
        return NULL;
    if ((open = pixOpenBrick(NULL, page, 2, 2)) == NULL)
        return NULL;
    pixCountPixels(page, &all, NULL);
    pixCountPixels(open, &kept, NULL);
    if (all - kept <= CS_DOTS_SHARE * pixGetWidth(page) * pixGetHeight(page)) {
        /* no field of dots over the page: a patch of them on a bilevel scan? */
        patch = 0;
        if (pixGetDepth(before) == 1 && cs_ocr_tuning_current.descreen == 1
            && cs_ocr_tuning_current.dot_patches
            && (dots = pixSubtract(NULL, page, open)) != NULL) {
            patch = densest_patch(dots, dpi) > CS_DOTS_PATCH;
            pixDestroy(&dots);
        }
        pixDestroy(&open);
        return patch ? cs_ocr_binarise_dotted(page, dpi) : pixClone(page);
    }
    pixDestroy(&open);
    if (pixGetDepth(before) == 1 && cs_ocr_tuning_current.descreen == 1)
        pixd = cs_ocr_binarise_dotted(page, dpi);       /* scanned bilevel: note 9 */
    else if ((grey = pixGetDepth(before) == 1 ? pixConvert1To8(NULL, before, 255, 0)
                                              : pixClone(before)) != NULL
             && (smooth = pixBlockconvGray(grey, NULL, half, half)) != NULL)
        pixd = cs_ocr_binarise(smooth, dpi);
    pixDestroy(&smooth);
    pixDestroy(&grey);
    if (pixd && pdone)
        *pdone = 1;
    return pixd;
}

/*!
 * cs_ocr_text_height()
 *
 *      Input:  pix (1 bpp)
 *              dpi (its resolution)
 *      Return: the median height in pixels of the components that could be
 *              letters (1/25 to 1/4 inch high, at most 1/3 inch wide: specks
 *              and toner grain are smaller), or
 *              dpi / 10 (about 10 pt print) when there are fewer than 20
 */
int cs_ocr_text_height(PIX *pix, int dpi)
{
    BOXA *boxa = NULL;
    int h = dpi / 10;

    if (pix && (boxa = pixConnCompBB(pix, 8)) != NULL)
        h = cs_ocr_text_height_of(boxa, dpi);
    boxaDestroy(&boxa);
    return h;
}

/* cs_ocr_text_height from the boxes of the page's components. */
int cs_ocr_text_height_of(BOXA *boxa, int dpi)
{
    NUMA *na = NULL;
    float med = 0.0f;
    int n, h = dpi / 10;

    if ((na = numaCreate(0)) == NULL)
        return h;
    n = boxaGetCount(boxa);
    for (int i = 0; i < n; i++) {
        l_int32 bw, bh;
        boxaGetBoxGeometry(boxa, i, NULL, NULL, &bw, &bh);
        if (bh >= dpi / 25 && bh <= dpi / 4 && bw <= dpi / 3)
            numaAddNumber(na, (float)bh);
    }
    if (numaGetCount(na) >= 20 && numaGetMedian(na, &med) == 0 && med > 0)
        h = (int)lrintf(med);
    numaDestroy(&na);
    return h;
}

/* 1 when pix may hold a line in that direction: a run of CS_STREAK_VLEN
 * (HLEN) inch on a 4x reduction in which a pixel is on when any of its 16
 * is (a few milliseconds; note 1).  -1 on error. */
static int may_have_line(PIX *red4, int dpi, int vertical)
{
    int len = (int)lrint((vertical ? CS_STREAK_VLEN : CS_STREAK_HLEN) * dpi / 4.0);
    PIX *open = vertical ? pixOpenBrick(NULL, red4, 1, len) : pixOpenBrick(NULL, red4, len, 1);
    int empty = 1;

    if (!open)
        return -1;
    pixZero(open, &empty);
    pixDestroy(&open);
    return !empty;
}

/* The long thin lines of pix in one direction: a mask (new pix), or NULL. */
static PIX *line_mask(PIX *pix, int dpi, int vertical)
{
    PIX *closed = NULL, *open = NULL, *wide = NULL, *mask = NULL;
    int len = (int)lrint((vertical ? CS_STREAK_VLEN : CS_STREAK_HLEN) * dpi);
    int thick = (int)lrint(CS_STREAK_WIDTH * dpi) + 1;

    closed = vertical ? pixCloseBrick(NULL, pix, 3, 1) : pixCloseBrick(NULL, pix, 1, 3);
    if (!closed)
        goto out;
    open = vertical ? pixOpenCompBrick(NULL, closed, 1, len)
                    : pixOpenCompBrick(NULL, closed, len, 1);
    if (!open)
        goto out;
    /* too thick for a streak: a solid region (borders are clean.c's) */
    wide = vertical ? pixOpenBrick(NULL, open, thick, 1) : pixOpenBrick(NULL, open, 1, thick);
    if (!wide)
        goto out;
    pixSubtract(open, open, wide);
    mask = vertical ? pixDilateBrick(NULL, open, 5, 1) : pixDilateBrick(NULL, open, 1, 5);
out:
    pixDestroy(&wide);
    pixDestroy(&open);
    pixDestroy(&closed);
    return mask;
}

/* The dashes of pix in each direction (note 10): boxes of its components
 * thin across and long along, dash[1] vertical, dash[0] horizontal, each
 * sorted along the other axis.  0, or -1 on error. */
static int find_dashes(PIX *pix, int dpi, BOXA *dash[2])
{
    int thick = (int)lrint(CS_DASH_THICK * dpi) + 1, least = (int)lrint(CS_DASH_MIN * dpi);
    BOXA *all = pixConnCompBB(pix, 8), *found[2] = { NULL, NULL };
    int rc = -1;

    dash[0] = dash[1] = NULL;
    if (!all || (found[0] = boxaCreate(0)) == NULL || (found[1] = boxaCreate(0)) == NULL)
        goto out;
    for (int i = 0; i < boxaGetCount(all); i++) {
        l_int32 w, h;
        boxaGetBoxGeometry(all, i, NULL, NULL, &w, &h);
        for (int v = 0; v < 2; v++) {
            int across = v ? w : h, along = v ? h : w;
            if (across <= thick && along >= 3 * across && along >= least) {
                BOX *b = boxaGetBox(all, i, L_COPY);
                if (!b || boxaAddBox(found[v], b, L_INSERT) != 0) {
                    boxDestroy(&b);
                    goto out;
                }
            }
        }
    }
    /* horizontal dashes by their left edge, vertical ones by their top */
    if ((dash[0] = boxaSort(found[0], L_SORT_BY_X, L_SORT_INCREASING, NULL)) == NULL
        || (dash[1] = boxaSort(found[1], L_SORT_BY_Y, L_SORT_INCREASING, NULL)) == NULL)
        goto out;
    rc = 0;
out:
    if (rc < 0) {
        boxaDestroy(&dash[0]);
        boxaDestroy(&dash[1]);
    }
    boxaDestroy(&found[0]);
    boxaDestroy(&found[1]);
    boxaDestroy(&all);
    return rc;
}

/* Paint into mask the dash whose box in pix is b: the component of the
 * box's clip that fills the box (a letter's stroke that the box cuts
 * through is another component there).  0, or -1 on error. */
static int paint_dash(PIX *mask, PIX *pix, BOX *b)
{
    l_int32 x, y, w, h;
    PIX *clip = pixClipRectangle(pix, b, NULL);
    PIXA *pixa = NULL;
    BOXA *boxa = clip ? pixConnComp(clip, &pixa, 8) : NULL;
    int rc = boxa ? 0 : -1;

    boxGetGeometry(b, &x, &y, &w, &h);
    for (int i = 0; boxa && i < boxaGetCount(boxa); i++) {
        l_int32 cw, ch;
        PIX *comp;
        boxaGetBoxGeometry(boxa, i, NULL, NULL, &cw, &ch);
        if (cw != w || ch != h || (comp = pixaGetPix(pixa, i, L_CLONE)) == NULL)
            continue;
        pixRasterop(mask, x, y, w, h, PIX_SRC | PIX_DST, comp, 0, 0);
        pixDestroy(&comp);
    }
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&clip);
    return rc;
}

/*
 * Add to *pmask (the lines of one direction; created here, as a blank
 * page like pix, when NULL and a row is found) the rows of dashes (note
 * 10) that reach CS_DASH_LEN inch: the dashes' own pixels.  Each dash, in
 * order along, joins the first row whose end is within
 * CS_DASH_GAP inch and whose first dash's middle across is within one and
 * a half pixels of its own (a streak is straight; a stamp's arc broken
 * into dashes is not), or starts one.  0, or -1 on error.
 */
static int add_dashes(PIX **pmask, PIX *pix, BOXA *dash, int dpi, int vertical)
{
    int n = boxaGetCount(dash), gap = (int)lrint(CS_DASH_GAP * dpi);
    int len = (int)lrint(CS_DASH_LEN * dpi), nrows = 0, rc = -1;
    int *row = malloc((size_t)(n > 0 ? n : 1) * sizeof *row);
    /* per row: its extent across (lo, hi), where it starts and ends along */
    int(*ext)[4] = malloc((size_t)(n > 0 ? n : 1) * sizeof *ext);

    if (!row || !ext)
        goto out;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h;
        int lo, hi, a0, a1, r;

        boxaGetBoxGeometry(dash, i, &x, &y, &w, &h);
        lo = vertical ? x : y;
        hi = vertical ? x + w - 1 : y + h - 1;
        a0 = vertical ? y : x;
        a1 = vertical ? y + h - 1 : x + w - 1;
        for (r = 0; r < nrows; r++)
            if (abs(lo + hi - ext[r][0] - ext[r][1]) <= 3 && a0 - ext[r][3] <= gap)
                break;
        if (r == nrows) {
            ext[r][0] = lo;
            ext[r][1] = hi;
            ext[r][2] = a0;
            ext[r][3] = a1;
            nrows++;
        }
        if (a1 > ext[r][3])
            ext[r][3] = a1;
        row[i] = r;
    }
    for (int i = 0; i < n; i++) {
        BOX *b;
        int bad;
        if (ext[row[i]][3] - ext[row[i]][2] + 1 < len)
            continue;
        if (!*pmask && (*pmask = pixCreateTemplate(pix)) == NULL)
            goto out;
        b = boxaGetBox(dash, i, L_CLONE);
        bad = !b || paint_dash(*pmask, pix, b) < 0;
        boxDestroy(&b);
        if (bad)
            goto out;
    }
    rc = 0;
out:
    free(ext);
    free(row);
    return rc;
}

/* Mend in pix the letters that line comp (at bx, by) cut: close across it,
 * with a brick a little longer than the cut is wide, inside the line only. */
static int mend_line(PIX *pix, PIX *comp, l_int32 bx, l_int32 by, int vertical)
{
    l_int32 cw = pixGetWidth(comp), ch = pixGetHeight(comp), count = 0, px, py;
    PIX *part = NULL, *closed = NULL, *inside = NULL;
    BOX *box = NULL, *clipped = NULL;
    int across, rc = -1;

    pixCountPixels(comp, &count, NULL);
    /* the streak's mean thickness, plus the two pixels each side taken with it */
    across = (int)ceil((double)count / (vertical ? ch : cw)) + 6;
    if ((box = vertical ? boxCreate(bx - across, by, cw + 2 * across, ch)
                        : boxCreate(bx, by - across, cw, ch + 2 * across)) == NULL
        || (part = pixClipRectangle(pix, box, &clipped)) == NULL
        || (closed = vertical ? pixCloseBrick(NULL, part, across, 1)
                              : pixCloseBrick(NULL, part, 1, across)) == NULL
        || (inside = pixCreateTemplate(closed)) == NULL)
        goto out;
    /* what the closing made inside the line goes back into pix */
    boxGetGeometry(clipped, &px, &py, NULL, NULL);
    pixRasterop(inside, bx - px, by - py, cw, ch, PIX_SRC, comp, 0, 0);
    pixAnd(inside, inside, closed);
    pixRasterop(pix, px, py, pixGetWidth(inside), pixGetHeight(inside), PIX_SRC | PIX_DST,
                inside, 0, 0);
    rc = 0;
out:
    pixDestroy(&inside);
    pixDestroy(&closed);
    pixDestroy(&part);
    boxDestroy(&clipped);
    boxDestroy(&box);
    return rc;
}

/* Whiten the lines of mask in pix and mend what they crossed (note 2). */
static int remove_lines(PIX *pix, PIX *mask, int vertical)
{
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    int rc = -1;

    pixSubtract(pix, pix, mask);
    if ((boxa = pixConnComp(mask, &pixa, 8)) == NULL)
        return -1;
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 bx, by;
        PIX *comp = pixaGetPix(pixa, i, L_CLONE);
        int bad;

        boxaGetBoxGeometry(boxa, i, &bx, &by, NULL, NULL);
        bad = !comp || mend_line(pix, comp, bx, by, vertical) < 0;
        pixDestroy(&comp);
        if (bad)
            goto out;
    }
    rc = 0;
out:
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    return rc;
}

/*!
 * cs_ocr_clean_streaks()
 *
 *      Input:  pix (1 bpp, upright and deskewed; modified in place)
 *              dpi (its resolution)
 *              pfound (<optional return> 1 vertical, 2 horizontal, 3 both,
 *                      0 none; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) See notes 2, 3 and 10 of the file.  Vertical lines first, so
 *          that a horizontal streak is measured without the vertical one
 *          across it (the dashes are found once, before either).
 */
int cs_ocr_clean_streaks(PIX *pix, int dpi, int *pfound)
{
    PIX *red4;
    BOXA *dash[2] = { NULL, NULL };
    int rc = -1;

    if (pfound)
        *pfound = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((red4 = pixReduceRankBinaryCascade(pix, 1, 1, 0, 0)) == NULL)
        return -1;
    if (cs_ocr_tuning_current.dashes && find_dashes(pix, dpi, dash) < 0)
        goto out;
    for (int vertical = 1; vertical >= 0; vertical--) {
        int maybe = may_have_line(red4, dpi, vertical);
        PIX *mask = maybe > 0 ? line_mask(pix, dpi, vertical) : NULL;
        int empty = 1;

        if (maybe < 0 || (maybe > 0 && !mask))
            goto out;
        if (dash[vertical] && add_dashes(&mask, pix, dash[vertical], dpi, vertical) < 0) {
            pixDestroy(&mask);
            goto out;
        }
        if (!mask)
            continue;
        pixAnd(mask, mask, pix);
        pixZero(mask, &empty);
        if (!empty && remove_lines(pix, mask, vertical) < 0) {
            pixDestroy(&mask);
            goto out;
        }
        if (!empty && pfound)
            *pfound |= vertical ? 1 : 2;
        pixDestroy(&mask);
    }
    rc = 0;
out:
    boxaDestroy(&dash[0]);
    boxaDestroy(&dash[1]);
    pixDestroy(&red4);
    return rc;
}

/*
 * photocopy.c — what a photocopier adds to a page, taken off the upright,
 * deskewed bilevel page before recognition: toner streaks (long thin
 * lines, vertical or horizontal, that cross or run through text lines)
 * and dark specks (toner and dust) away from the text or on its lines
 * where no punctuation sits.
 *
 * Interface routines:
 *   cs_ocr_descreen        re-binarise a page whose background came out as dots
 *   cs_ocr_text_height     typical height of the page's letters
 *   cs_ocr_clean_streaks   whiten long thin lines, mending the letters they crossed
 *   cs_ocr_clean_specks    whiten small blobs away from text or where no
 *                          punctuation sits
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
 *   4. Specks: a component whose box is at most CS_SPECK_MAX text heights
 *      in both directions (commas, periods, hyphens, i-dots, specks) is
 *      whitened when no letter (a component taller than that) lies within
 *      CS_SPECK_NEAR text heights across or CS_SPECK_UPDOWN up or down:
 *      punctuation sits on its line beside a letter of its word, a speck
 *      of toner in a margin or between the lines does not.  The text
 *      height is measured on the page (the median height of letter-sized
 *      components), so the rule does not depend on the print size or the
 *      resolution.
 *   5. A small component that does lie near a letter is judged by where it
 *      sits on its line and by its shape.  Its line is the letters beside
 *      it (within 4 text heights across) that share most of the height of
 *      the letter nearest to it; the line's baseline and letter height
 *      (about the x-height on running text) come from the medians of their
 *      bottoms and tops, and the gaps are to the nearest of them on each
 *      side.  Then:
 *        - over or under another component (an i's dot, a colon's other
 *          dot, an accent): kept;
 *        - its centre above a quarter of the letter height down from the
 *          letters' tops (apostrophe, quote, asterisk, degree): kept when
 *          a letter is within CS_SPECK_AFTER tenths of a letter height on
 *          a side and it is no solid round dot (over CS_SPECK_SOLID tenths
 *          of its box inked: an apostrophe is a tapered stroke, a quote
 *          two, an asterisk and a degree sign open shapes);
 *        - within a tenth of a letter height of a letter: a piece of a
 *          letter broken apart, kept;
 *        - its bottom within CS_SPECK_LOW tenths of the baseline (period,
 *          comma, underscore): kept when it follows a letter by at most
 *          CS_SPECK_AFTER tenths of a letter height, is a dash, or has two
 *          of its kind on the baseline near it (an ellipsis, a leader of
 *          dots);
 *        - between (hyphen, dash, plus, bullet): kept when longer than
 *          high by half, or at least CS_SPECK_DOT tenths of a letter height
 *          across and either open (a plus) or before the line's first
 *          letter (a bullet).
 *      Everything else, a dot floating at mid-height in a word gap, a dot
 *      before the first word of a line that no bullet is, a round dot at
 *      capital height beside no letter's column, is a speck.  Tesseract
 *      reads such specks as "'", "*", "." or "°" beside the words, or joins
 *      them into the word ("draped' 'in").  Sizes are relative to the
 *      line's own letters, never pixels.
 *   6. A blot of toner as big as a letter is no speck by size, but no
 *      letter is a solid round blob standing alone: a component at most
 *      1.5 text heights across, round (neither side 1.4 times the other),
 *      over CS_SPECK_SOLID tenths of its box inked, with no letter on its
 *      height within CS_BLOB_ALONE text heights on either side, is
 *      whitened.  A
 *      letter filled in by toner stays (its word's letters are beside it),
 *      and so does a bullet before its line's text; "o" and "O" are rings.
 *      Tesseract otherwise reads such blots between the lines as a line of
 *      junk ("? . e +f af") or as "*" or "ry" beside a heading.
 *   7. Note 5's rules hold for a page as it stands upright; the speck
 *      step runs before recognition, which may yet turn a page that the
 *      orientation detector was unsure of (orient.c, note 3), and upside
 *      down a period sits at the top before a word, as round and solid as
 *      a speck.  So they are applied only when the page's punctuation says
 *      it is upright: each small component sitting as a period or comma
 *      after a letter counts one for, each sitting as one turned upside
 *      down (at the top, nearer the letter after it) one against, and
 *      more for than against is needed.  Else only note 4's rule and note
 *      6's hold (tests/check_ocr.c reads a short upside-down page with its
 *      periods).
 *   8. Notes 5 and 6 look at what lies around each small component; the
 *      components are indexed in a grid of cells two text heights square,
 *      so each look costs the few boxes of a cell or two, not a pass over
 *      the page's thousands: the whole speck step on five photocopied
 *      pages took 127 ms with passes over all boxes, 19 ms with the grid,
 *      15 ms with note 4's rule alone (on a noisy 200 dpi copy 54 / 5 / 3
 *      ms).
 *      Measured on the tuning seeds 1-3 (samplegen bench profile; the
 *      files holding a photocopied, stamped or clean page, 187 pages),
 *      character errors / CER, notes 5-8 off / on:
 *        photocopy   44 pages   1081  3.25%  ->   840  2.53%
 *        stamp       35 pages   1022  3.90%  ->  1003  3.82%
 *        clean       18 pages     17  0.15%  ->    17  0.15%
 *        all        187 pages   2021  1.80%  ->  1780  1.58%
 *      Per seed, photocopied pages 242 / 218 / 621 -> 154 / 182 / 504.
 *      Tried and left out: a period's bottom within 0.2 instead of 0.3
 *      letter heights of the baseline (periods after "mg" and "pathology"
 *      on clean 200 dpi pages went); taking any solid round blob up to a
 *      text height with a gap of over 0.3 letter heights to its nearest
 *      letter for a blot (letters of 200 dpi copies, single "a"s, went).
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
 *      by page).  Not tried: Tesseract reading a smoothed grey, scaling
 *      up before thresholding.  What is left is mostly letters joined to
 *      dots and hairlines the scanner broke where the dots are sparse.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CS_DOTS_SHARE   0.04    /* of the page area (note 0) */
#define CS_STREAK_VLEN  0.4     /* inch */
#define CS_STREAK_HLEN  1.5     /* inch */
#define CS_STREAK_WIDTH 0.03    /* inch */
#define CS_SPECK_MAX    0.55    /* text heights */
#define CS_SPECK_NEAR   1.2     /* text heights */
#define CS_SPECK_UPDOWN 0.3     /* text heights */
#define CS_SPECK_LOW    3       /* tenths of its line's letter height (note 5) */
#define CS_SPECK_AFTER  9       /* tenths of its line's letter height */
#define CS_SPECK_DOT    3       /* tenths of its line's letter height */
#define CS_BLOB_ALONE   2.0     /* text heights (note 6) */
#define CS_SPECK_SOLID  6       /* tenths of its box inked: a dot, not a stroke */

static int text_height_of(BOXA *boxa, int dpi);

/*!
 * cs_ocr_descreen()
 *
 *      Input:  page (the page as binarised: 1 bpp)
 *              before (the same page before binarisation: 1 or 8 bpp, same size)
 *              dpi (their resolution)
 *              pdone (<optional return> 1 when the page was binarised again;
 *                     use NULL to skip)
 *      Return: pixd (the page binarised again when its background is a field
 *              of dots, else a clone of page), or NULL on error
 *
 *  Notes:
 *      (1) See note 0 of the file.
 */
PIX *cs_ocr_descreen(PIX *page, PIX *before, int dpi, int *pdone)
{
    PIX *open = NULL, *grey = NULL, *smooth = NULL, *pixd = NULL;
    l_int32 all = 0, kept = 0;
    int half = 2;

    if (pdone)
        *pdone = 0;
    if (!page || !before || pixGetDepth(page) != 1)
        return NULL;
    if ((open = pixOpenBrick(NULL, page, 2, 2)) == NULL)
        return NULL;
    pixCountPixels(page, &all, NULL);
    pixCountPixels(open, &kept, NULL);
    pixDestroy(&open);
    if (all - kept <= CS_DOTS_SHARE * pixGetWidth(page) * pixGetHeight(page))
        return pixClone(page);
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
        h = text_height_of(boxa, dpi);
    boxaDestroy(&boxa);
    return h;
}

/* cs_ocr_text_height from the boxes of the page's components. */
static int text_height_of(BOXA *boxa, int dpi)
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
 *      (1) See notes 2 and 3 of the file.  Vertical lines first, so that a
 *          horizontal streak is measured without the vertical one across it.
 */
int cs_ocr_clean_streaks(PIX *pix, int dpi, int *pfound)
{
    PIX *red4;

    if (pfound)
        *pfound = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((red4 = pixReduceRankBinaryCascade(pix, 1, 1, 0, 0)) == NULL)
        return -1;
    for (int vertical = 1; vertical >= 0; vertical--) {
        int maybe = may_have_line(red4, dpi, vertical);
        PIX *mask = maybe > 0 ? line_mask(pix, dpi, vertical) : NULL;
        int empty = 1;

        if (maybe == 0)
            continue;
        if (!mask) {
            pixDestroy(&red4);
            return -1;
        }
        pixAnd(mask, mask, pix);
        pixZero(mask, &empty);
        if (!empty && remove_lines(pix, mask, vertical) < 0) {
            pixDestroy(&mask);
            pixDestroy(&red4);
            return -1;
        }
        if (!empty && pfound)
            *pfound |= vertical ? 1 : 2;
        pixDestroy(&mask);
    }
    pixDestroy(&red4);
    return 0;
}

/* The page's components for the speck step: their boxes in an array and
 * in a grid of square cells (a box listed in every cell it covers), so
 * that what lies near a component is found without a pass over the page's
 * thousands (note 8). */
typedef struct {
    l_int32 *x, *y, *w, *h;     /* the boxes */
    unsigned char *letter;      /* 1: taller than a speck */
    int n, cell, cols, rows;
    int *start, *items;         /* cell k lists items[start[k] .. start[k+1]) */
    int *seen, stamp;           /* items already found by the current query */
    int *found;                 /* what the current query found */
} speck_page;

/* A line of text beside a small component (note 5), in pixels: its
 * baseline and letter height, measured on the letters beside the
 * component, and the gaps to the nearest letter on each side (NO_LETTER:
 * none). */
typedef struct {
    int base, height, left, right;
} speck_line;

#define NO_LETTER (1 << 24)     /* a gap with no letter on that side */

static void page_free(speck_page *pg)
{
    free(pg->x);
    free(pg->start);
    free(pg->items);
    free(pg->seen);
    free(pg->found);
    free(pg->letter);
}

/* Fill pg from the boxes of a page w x h; cell is the grid's step. */
static int page_index(speck_page *pg, BOXA *boxa, int w, int h, int cell)
{
    int n = boxaGetCount(boxa), ncells, total = 0;

    memset(pg, 0, sizeof *pg);
    pg->n = n;
    pg->cell = cell > 0 ? cell : 1;
    pg->cols = w / pg->cell + 1;
    pg->rows = h / pg->cell + 1;
    ncells = pg->cols * pg->rows;
    if ((pg->x = calloc(4 * (size_t)n + 1, sizeof *pg->x)) == NULL
        || (pg->start = calloc((size_t)ncells + 1, sizeof *pg->start)) == NULL
        || (pg->seen = calloc((size_t)n + 1, sizeof *pg->seen)) == NULL
        || (pg->found = calloc((size_t)n + 1, sizeof *pg->found)) == NULL
        || (pg->letter = calloc((size_t)n + 1, 1)) == NULL)
        return -1;
    pg->y = pg->x + n, pg->w = pg->y + n, pg->h = pg->w + n;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            int c0, c1, r0, r1;
            if (pass == 0)
                boxaGetBoxGeometry(boxa, i, &pg->x[i], &pg->y[i], &pg->w[i], &pg->h[i]);
            c0 = pg->x[i] / pg->cell, c1 = (pg->x[i] + pg->w[i] - 1) / pg->cell;
            r0 = pg->y[i] / pg->cell, r1 = (pg->y[i] + pg->h[i] - 1) / pg->cell;
            c1 = c1 < pg->cols ? c1 : pg->cols - 1, r1 = r1 < pg->rows ? r1 : pg->rows - 1;
            for (int r = r0 < 0 ? 0 : r0; r <= r1; r++)
                for (int c = c0 < 0 ? 0 : c0; c <= c1; c++) {
                    if (pass == 0)
                        pg->start[r * pg->cols + c + 1]++;
                    else
                        pg->items[pg->start[r * pg->cols + c] + pg->seen[r * pg->cols + c]++] = i;
                }
        }
        if (pass == 0) {
            for (int k = 0; k < ncells; k++)
                pg->start[k + 1] += pg->start[k];
            total = pg->start[ncells];
            free(pg->seen);     /* counts each cell's filling in pass 1 */
            pg->seen = NULL;
            if ((pg->items = calloc((size_t)total + 1, sizeof *pg->items)) == NULL
                || (pg->seen = calloc((size_t)(ncells > n ? ncells : n) + 1, sizeof *pg->seen))
                       == NULL)
                return -1;
        }
    }
    memset(pg->seen, 0, ((size_t)(ncells > n ? ncells : n) + 1) * sizeof *pg->seen);
    return 0;
}

/* The components whose boxes meet the rectangle x0 <= x < x1, y0 <= y < y1
 * (and maybe a few more beside it): their number, listed in pg->found. */
static int page_near(speck_page *pg, int x0, int y0, int x1, int y1)
{
    int c0 = x0 < 0 ? 0 : x0 / pg->cell, r0 = y0 < 0 ? 0 : y0 / pg->cell;
    int c1 = x1 <= 0 ? -1 : (x1 - 1) / pg->cell, r1 = y1 <= 0 ? -1 : (y1 - 1) / pg->cell;
    int count = 0;

    c1 = c1 < pg->cols ? c1 : pg->cols - 1;
    r1 = r1 < pg->rows ? r1 : pg->rows - 1;
    pg->stamp++;
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++)
            for (int k = pg->start[r * pg->cols + c]; k < pg->start[r * pg->cols + c + 1]; k++) {
                int i = pg->items[k];
                if (pg->seen[i] != pg->stamp) {
                    pg->seen[i] = pg->stamp;
                    pg->found[count++] = i;
                }
            }
    return count;
}

/* The letters of the line nearest small component c: those beside it that
 * share most of the height of the letter nearest to it.  0 when no letter
 * lies within reach. */
static int line_of(speck_page *pg, int c, int th, speck_line *pl)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int reach = 4 * th, best = INT_MAX, nearest = -1, found = 0, ny = 0, nh = 0, m;
    NUMA *tops = numaCreate(0), *bots = numaCreate(0);
    float t = 0, b = 0;

    pl->left = pl->right = NO_LETTER;
    /* the nearest letter: one that lies farther than 2 text heights up or
     * down is never nearer than the letter that made c near (note 4) */
    m = page_near(pg, cx - reach, cy - 2 * th, cx + cw + reach, cy + ch + 2 * th);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i], dx, dy;
        if (!pg->letter[i] || i == c)
            continue;
        dx = x > cx + cw ? x - cx - cw : cx > x + w ? cx - x - w : 0;
        dy = y > cy + ch ? y - cy - ch : cy > y + h ? cy - y - h : 0;
        if (dx + 2 * dy < best || (dx + 2 * dy == best && i < nearest))
            best = dx + 2 * dy, nearest = i, ny = y, nh = h;
    }
    m = best < INT_MAX ? page_near(pg, cx - reach, ny, cx + cw + reach + 1, ny + nh) : 0;
    for (int k = 0; tops && bots && k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i], over;
        if (!pg->letter[i] || i == c)
            continue;
        over = (y + h < ny + nh ? y + h : ny + nh) - (y > ny ? y : ny);
        if (2 * over < (h < nh ? h : nh) || x > cx + cw + reach || x + w < cx - reach)
            continue;
        numaAddNumber(tops, (float)y);
        numaAddNumber(bots, (float)(y + h));
        found++;
        if (2 * x + w < 2 * cx + cw && cx - (x + w) < pl->left)
            pl->left = cx - (x + w) > 0 ? cx - (x + w) : 0;
        if (2 * x + w >= 2 * cx + cw && x - (cx + cw) < pl->right)
            pl->right = x - (cx + cw) > 0 ? x - (cx + cw) : 0;
    }
    if (found && numaGetMedian(tops, &t) == 0 && numaGetMedian(bots, &b) == 0) {
        pl->base = (int)lrintf(b);
        pl->height = (int)lrintf(b - t) > 1 ? (int)lrintf(b - t) : 1;
    } else {
        found = 0;
    }
    numaDestroy(&tops);
    numaDestroy(&bots);
    return found > 0;
}

/* Another component above or below c, overlapping its columns (an i's
 * stem under its dot, a colon's other dot, an accent's letter), or, with
 * chain set, the number of small components on c's baseline within two
 * letter heights (an ellipsis, a leader of dots). */
static int companions(speck_page *pg, int c, const speck_line *l, int chain)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c], lh = l->height;
    int count = 0, m;

    m = chain ? page_near(pg, cx - 5 * lh, cy + ch - lh, cx + cw + 5 * lh, cy + ch + lh)
              : page_near(pg, cx, cy - lh, cx + cw, cy + ch + lh);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i];
        if (i == c)
            continue;
        if (!chain && x < cx + cw && cx < x + w && y < cy + ch + lh && cy < y + h + lh)
            count++;
        else if (chain && !pg->letter[i] && abs(y + h - (cy + ch)) * 5 <= lh
                 && abs(2 * x + w - 2 * cx - cw) <= 4 * lh && w < 2 * lh)
            count++;
    }
    return count;
}

/* 1 when c's box is round (neither side 1.4 times the other) and solid
 * (over CS_SPECK_SOLID tenths inked): a dot or a blot, not a stroke. */
static int solid_dot(PIX *pix, const speck_page *pg, int c)
{
    l_int32 ink = 0;
    int w = pg->w[c], h = pg->h[c];
    BOX *box;

    if (10 * h >= 14 * w || 10 * w >= 14 * h
        || (box = boxCreate(pg->x[c], pg->y[c], w, h)) == NULL)
        return 0;
    pixCountPixelsInRect(pix, box, &ink, NULL);
    boxDestroy(&box);
    return 10 * ink >= CS_SPECK_SOLID * w * h;
}

/* 1 when small component c, near a letter, is no punctuation by where it
 * sits on its line and by its shape (note 5).  *pvote: +1 when c sits as
 * a period or comma after a letter, -1 when as one turned upside down
 * (at the top, before a letter), else 0 (note 7). */
static int misplaced(PIX *pix, speck_page *pg, int c, int th, int *pvote)
{
    speck_line l;
    int cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int top, bottom, solid, dash, gap, big, after, before;

    *pvote = 0;
    if (!line_of(pg, c, th, &l) || companions(pg, c, &l, 0))
        return 0;
    gap = l.left < l.right ? l.left : l.right;
    after = l.left * 10 <= CS_SPECK_AFTER * l.height;
    before = l.right * 10 <= CS_SPECK_AFTER * l.height && l.right < l.left;
    solid = solid_dot(pix, pg, c);
    dash = cw * 10 >= 15 * ch;
    big = 10 * (cw > ch ? cw : ch) >= CS_SPECK_DOT * l.height;
    bottom = (cy + ch) * 10 >= 10 * l.base - CS_SPECK_LOW * l.height;
    top = !bottom && (2 * cy + ch) * 4 < 8 * (l.base - l.height) + 2 * l.height;
    *pvote = bottom && after && !dash ? 1 : top && before ? -1 : 0;
    if (top)                               /* apostrophe, quote, asterisk, degree */
        return solid || gap * 10 > CS_SPECK_AFTER * l.height;
    if (gap * 10 <= l.height)              /* a piece of a letter broken apart */
        return 0;
    if (bottom)                            /* period, comma, underscore, ellipsis */
        return !(after || dash || companions(pg, c, &l, 1) >= 2);
    /* at mid-height: hyphen, dash, plus; a bullet before a line */
    return !(dash || (big && !solid) || (big && l.left == NO_LETTER));
}

/* 1 when letter-sized component c is a solid round blob with no letter
 * beside it on its height within CS_BLOB_ALONE text heights (note 6). */
static int lone_blob(PIX *pix, speck_page *pg, int c, int th)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int reach = (int)lrint(CS_BLOB_ALONE * th), m;

    if (2 * cw > 3 * th || 2 * ch > 3 * th || !solid_dot(pix, pg, c))
        return 0;
    m = page_near(pg, cx - reach, cy, cx + cw + reach, cy + ch);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i];
        if (pg->letter[i] && i != c && y < cy + ch && cy < y + h && x < cx + cw + reach
            && cx < x + w + reach)
            return 0;
    }
    return 1;
}

/*!
 * cs_ocr_clean_specks()
 *
 *      Input:  pix (1 bpp, upright; modified in place)
 *              dpi (its resolution)
 *              premoved (<optional return> number of specks whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) See notes 4 to 8 of the file.  One pass of connected
 *          components gives the boxes; the letters' surroundings are their
 *          boxes grown, and a speck's box, which then holds no letter or
 *          sits where no punctuation does, is whitened whole.
 */
int cs_ocr_clean_specks(PIX *pix, int dpi, int *premoved)
{
    BOXA *boxa = NULL;
    PIX *near = NULL;
    speck_page pg;
    unsigned char *gone = NULL;
    int th, lim, across, updown, n, count = 0, upright = 0, vote = 0, rc = -1;

    memset(&pg, 0, sizeof pg);
    if (premoved)
        *premoved = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((boxa = pixConnCompBB(pix, 8)) == NULL || (near = pixCreateTemplate(pix)) == NULL)
        goto out;
    th = text_height_of(boxa, dpi);
    lim = (int)lrint(CS_SPECK_MAX * th);
    across = (int)lrint(CS_SPECK_NEAR * th);
    updown = (int)lrint(CS_SPECK_UPDOWN * th);
    n = boxaGetCount(boxa);
    if (page_index(&pg, boxa, pixGetWidth(pix), pixGetHeight(pix), 2 * th) < 0
        || (gone = calloc((size_t)n + 1, 1)) == NULL)
        goto out;
    for (int i = 0; i < n; i++) {
        pg.letter[i] = pg.h[i] > lim;
        if (pg.letter[i])
            pixRasterop(near, pg.x[i] - across, pg.y[i] - updown, pg.w[i] + 2 * across,
                        pg.h[i] + 2 * updown, PIX_SET, NULL, 0, 0);
    }
    for (int i = 0; i < n; i++) {
        l_int32 close = 0;
        BOX *box;

        if (pg.w[i] > lim || pg.h[i] > lim) {
            gone[i] = pg.letter[i] && lone_blob(pix, &pg, i, th);
            continue;
        }
        if ((box = boxCreate(pg.x[i], pg.y[i], pg.w[i], pg.h[i])) == NULL)
            goto out;
        pixCountPixelsInRect(near, box, &close, NULL);
        boxDestroy(&box);
        if (!close) {
            gone[i] = 1;
            continue;
        }
        gone[i] = misplaced(pix, &pg, i, th, &vote) ? 2 : 0;
        upright += vote;
    }
    for (int i = 0; i < n; i++)
        if (gone[i] == 1 || (gone[i] == 2 && upright > 0)) {
            pixRasterop(pix, pg.x[i], pg.y[i], pg.w[i], pg.h[i], PIX_CLR, NULL, 0, 0);
            count++;
        }
    if (premoved)
        *premoved = count;
    rc = 0;
out:
    free(gone);
    page_free(&pg);
    pixDestroy(&near);
    boxaDestroy(&boxa);
    return rc;
}

/*
 * binarise.c — grey page to bilevel, robust to uneven paper tone (shadows
 * at the binding, yellowed paper, a scanner's gradient), grey JPEG
 * artefacts and faint bleed-through from the other side.
 *
 * Interface routines:
 *   cs_ocr_binarise          8 bpp -> 1 bpp (a 1 bpp page is returned as a clone)
 *   cs_ocr_binarise_dotted   a bilevel scan's dotted background taken off
 *                            (photocopy.c, note 9)
 *
 * Notes:
 *   1. Method chosen by measurement (see page.c): Leptonica's background
 *      normalisation maps the local paper tone to 200 everywhere, then one
 *      fixed threshold.  A fixed threshold, not Otsu's, because Otsu on a
 *      page without text splits paper from bleed-through and noise, and so
 *      draws them; Sauvola does the same locally (it follows local
 *      contrast, however faint).  After normalisation ink of any page sits
 *      well below 150 and bleed-through well above.
 *   2. The alternatives stay here, selected by cs_ocr_tuning_current, so
 *      that the measurement can be repeated.
 *   3. Pale print: a faded ribbon, a light copy, a blurred low-resolution
 *      scan leave letters whose strokes, normalised, are lighter than 150
 *      in places, and the fixed threshold breaks them apart (held-out seed
 *      5 of the bench: a 200 dpi grey copy, blurred, read with 233
 *      character errors in 613; bare Tesseract read none of its body).
 *      So the threshold follows the print: the letters are the components
 *      under a loose threshold (185) of a letter's height, each measured by
 *      its darkest grey; the threshold is halfway between the median of
 *      those and the paper (200), never below the fixed one nor above 170.
 *      Print of any usual darkness (cores near black) keeps 150 exactly.
 *      Paper grain is what a higher threshold would draw, so it bounds
 *      the rise: the threshold stays four standard deviations of the
 *      paper's grey below it (the spread measured above the histogram's
 *      mode, where no ink is); a grainy page keeps 150 and is not
 *      measured at all.  On that page the threshold becomes 159 and the
 *      errors 10.  Over the grey files of seeds 1-9 (498 pages) no other
 *      page reads differently once the grain bound is in (before it, two
 *      grainy 200 dpi copies rose to 168 and 170 and read worse, 13 -> 16
 *      and 20 -> 35 errors, and a third 7 -> 14).  It costs about 10 ms a grey page (a component
 *      search at the loose threshold); a grainy page only the histogram.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>

/* Pale print (note 3): letters are looked for below CS_INK_LOOSE on the
 * normalised page (paper at CS_INK_PAPER), the darkest grey of each taken,
 * and the threshold set halfway between their median and the paper, at
 * most CS_INK_MAX, from CS_INK_MIN_LETTERS letters. */
#define CS_INK_LOOSE    185
#define CS_INK_MAX      170
#define CS_INK_PAPER    200
#define CS_INK_MIN_LETTERS 40
#define CS_INK_NOISE    4       /* and the threshold stays this many of the paper
                                 * grain's standard deviations below the paper */

/*
 * The paper's grain on the normalised page: the mode of its histogram (the
 * paper) and the spread of the grey above it (ink lies only below it), as
 * the distance from the mode that holds 68% of the pixels above it.
 */
static int paper_floor(PIX *pixn)
{
    NUMA *h = pixGetGrayHistogram(pixn, 2);
    float v, best, above = 0, sum = 0;
    l_int32 mode = CS_INK_PAPER;
    int spread = 0;

    if (!h || numaGetMax(h, &best, &mode) != 0) {
        numaDestroy(&h);
        return 0;
    }
    for (int i = mode + 1; i < 256; i++)
        if (numaGetFValue(h, i, &v) == 0)
            above += v;
    for (int i = mode + 1; i < 256 && above > 0; i++)
        if (numaGetFValue(h, i, &v) == 0 && (sum += v) >= 0.68f * above) {
            spread = i - mode;
            break;
        }
    numaDestroy(&h);
    return mode - CS_INK_NOISE * spread;
}

/* The darkest grey of pix in the box x, y, w, h. */
static int darkest_in(PIX *pix, int x0, int y0, int w, int h)
{
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix), best = 255;

    for (int y = y0; y < y0 + h; y++) {
        l_uint32 *line = data + (size_t)y * wpl;
        for (int x = x0; x < x0 + w; x++) {
            int v = GET_DATA_BYTE(line, x);
            if (v < best)
                best = v;
        }
    }
    return best;
}

/*
 * The threshold for the normalised page pixn: the fixed one, raised on a
 * page whose letters are pale and whose paper is quiet (note 3).
 */
static int ink_threshold(PIX *pixn, int dpi)
{
    PIX *loose = NULL;
    BOXA *boxa = NULL;
    NUMA *na = NULL;
    int t = cs_ocr_tuning_current.threshold, hmin = dpi / 25, hmax = dpi / 3, floor;
    float median;

    /* the paper's grain first: on a grainy page the threshold cannot rise,
     * and its letters (with the grain under CS_INK_LOOSE) are not measured */
    if (!cs_ocr_tuning_current.pale_ink || (floor = paper_floor(pixn)) <= t
        || (loose = pixThresholdToBinary(pixn, CS_INK_LOOSE)) == NULL
        || (boxa = pixConnCompBB(loose, 8)) == NULL || (na = numaCreate(0)) == NULL)
        goto out;
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 x, y, w, h;
        boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
        if (h >= hmin && h <= hmax && w <= 2 * hmax)
            numaAddNumber(na, (l_float32)darkest_in(pixn, x, y, w, h));
    }
    if (numaGetCount(na) >= CS_INK_MIN_LETTERS && numaGetMedian(na, &median) == 0) {
        int mid = ((int)median + CS_INK_PAPER) / 2;
        if (mid > CS_INK_MAX)
            mid = CS_INK_MAX;
        if (mid > floor)
            mid = floor;
        if (mid > t)
            t = mid;
    }
out:
    numaDestroy(&na);
    boxaDestroy(&boxa);
    pixDestroy(&loose);
    return t;
}

/*!
 * cs_ocr_binarise()
 *
 *      Input:  pixs (1 or 8 bpp)
 *              dpi (its resolution; sizes the local windows)
 *      Return: pixd (1 bpp), or NULL on error
 */
PIX *cs_ocr_binarise(PIX *pixs, int dpi)
{
    PIX *pixn = NULL, *pixd = NULL;
    int method = cs_ocr_tuning_current.binarise;

    if (!pixs)
        return NULL;
    if (pixGetDepth(pixs) == 1)
        return pixClone(pixs);
    if (pixGetDepth(pixs) != 8)
        return NULL;
    switch (method) {
    case 2: {
        int whsize = dpi / 12 > 8 ? dpi / 12 : 8;
        if (pixSauvolaBinarizeTiled(pixs, whsize, 0.34f, 2, 2, NULL, &pixd) != 0)
            pixd = NULL;
        break;
    }
    case 3:
        if (pixOtsuAdaptiveThreshold(pixs, pixGetWidth(pixs), pixGetHeight(pixs), 0, 0, 0.0f,
                                     NULL, &pixd) != 0)
            pixd = NULL;
        break;
    default:
        pixn = pixBackgroundNormSimple(pixs, NULL, NULL);
        if (pixn)
            pixd = pixThresholdToBinary(pixn, ink_threshold(pixn, dpi));
        break;
    }
    pixDestroy(&pixn);
    if (pixd)
        pixCopyResolution(pixd, pixs);
    return pixd;
}

/* The dot density over which a stretch of a bilevel page is taken for a
 * dotted background (photocopy.c, note 9): of its pixels, dots. */
#define CS_DOTS_DENSE   0.04
/* What the majority filter leaves of a clump of dots: at most this many
 * pixels (a period of 8 pt print at 200 dpi has 9 or more). */
#define CS_CLUMP_MAX    8

/* Each pixel black when at least 5 of the 9 around it are (a 3x3 majority). */
static PIX *majority3(PIX *pixs)
{
    PIX *grey, *mean = NULL, *pixd = NULL;

    if ((grey = pixConvert1To8(NULL, pixs, 255, 0)) != NULL)
        mean = pixBlockconvGray(grey, NULL, 1, 1);
    if (mean)
        pixd = pixThresholdToBinary(mean, 114);     /* mean < 255 * 4.5 / 9 */
    pixDestroy(&mean);
    pixDestroy(&grey);
    return pixd;
}

/*
 * Where on the page the dots are dense: 1 over each stretch of about a
 * third of an inch in which over CS_DOTS_DENSE of the pixels are dots, as
 * a mask of the page's size.
 */
static PIX *dense_mask(PIX *dots, int dpi)
{
    PIX *cell = NULL, *smooth = NULL, *cells = NULL, *big = NULL, *mask;
    int w = pixGetWidth(dots), h = pixGetHeight(dots), half = (dpi + 24) / 48;

    if ((mask = pixCreate(w, h, 1)) == NULL)
        return NULL;
    if ((cell = pixScaleToGray8(dots)) != NULL)     /* 8x8 cells: 255 none, 0 all */
        smooth = pixBlockconvGray(cell, NULL, half, half);
    if (smooth)
        cells = pixThresholdToBinary(smooth, (int)(255 * (1 - CS_DOTS_DENSE)));
    if (cells)
        big = pixExpandReplicate(cells, 8);
    if (big)
        pixRasterop(mask, 0, 0, w, h, PIX_SRC, big, 0, 0);
    else
        pixDestroy(&mask);
    pixDestroy(&big);
    pixDestroy(&cells);
    pixDestroy(&smooth);
    pixDestroy(&cell);
    return mask;
}

/* pixd takes src's pixels where mask is set: pixd = (pixd & ~mask) | (src & mask). */
static void paste_masked(PIX *pixd, PIX *src, PIX *mask)
{
    PIX *part = pixAnd(NULL, src, mask);

    pixSubtract(pixd, pixd, mask);
    if (part)
        pixOr(pixd, pixd, part);
    pixDestroy(&part);
}

/*!
 * cs_ocr_binarise_dotted()
 *
 *      Input:  page (a bilevel scan whose background came out as dots: 1 bpp)
 *              dpi (its resolution)
 *      Return: pixd (the page with its dots taken off), or NULL on error
 *
 *  Notes:
 *      (1) See photocopy.c, note 9.  Where the dots are sparse the print
 *          is kept as scanned, without the components that a 3x3
 *          majority filter erases whole (dots); where they are dense, the
 *          majority filter's page, without what it leaves of clumps.
 */
PIX *cs_ocr_binarise_dotted(PIX *page, int dpi)
{
    PIX *maj, *kept = NULL, *dots = NULL, *dense = NULL, *clean = NULL;

    if (!page || pixGetDepth(page) != 1)
        return NULL;
    if ((maj = majority3(page)) != NULL)
        kept = pixSeedfillBinary(NULL, maj, page, 8);
    if (kept)
        dots = pixSubtract(NULL, page, kept);
    if (dots)
        dense = dense_mask(dots, dpi);
    if (dense)
        clean = pixSelectByArea(maj, CS_CLUMP_MAX, 8, L_SELECT_IF_GT, NULL);
    if (clean) {
        paste_masked(kept, clean, dense);
        pixCopyResolution(kept, page);
    } else {
        pixDestroy(&kept);
    }
    pixDestroy(&clean);
    pixDestroy(&dense);
    pixDestroy(&dots);
    pixDestroy(&maj);
    return kept;
}

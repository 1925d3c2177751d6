/*
 * stamp_bare.c — a stamp with no frame (a date stamp's bare lines) in ink
 * lighter than the print, on a page scanned grey: found by its ink on the
 * scan, then lifted off as stamp_grey.c lifts a framed one (stamp.c,
 * note 7).
 *
 * Interface routines:
 *   cs_ocr_clean_bare_stamps   find light-ink text blocks and lift them off
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>

/* Of the print's depth below its paper (the page's own, measured): a
 * stamp's stroke lies between the first two fractions of it, and the
 * core of a printed stroke is at least the last.  A stamp's ink is lighter
 * than the print but still ink. */
#define CORE_LO   0.15
#define CORE_HI   0.60
#define PRINT_CORE 0.80
/* Fewest core pixels (at half resolution) a stamp has: a short word; and
 * the least share of a block's ink they are. */
#define MIN_CORES 150
#define CORE_SHARE 0.5
/* The most such blocks a page has when they are a stamp's (its lines,
 * a second stamp): more, and they are the page's print. */
#define MAX_BLOCKS 4
/* A stamp's block: at least this large (inch), at most a framed stamp's
 * largest (CS_STAMP_MAX_W x CS_STAMP_MAX_H). */
#define BARE_MIN_W 0.6
#define BARE_MIN_H 0.12

/*
 * The box x, y, w, h of the scan (W0 x H0) as it lies on the upright page
 * (w x h): turned by rotation degrees clockwise, then by -skew degrees
 * about the page's centre, and grown by margin; clipped to the page.
 */
static BOX *upright_box(const cs_ocr_scan *s, int W0, int H0, int w, int h, int x, int y,
                        int bw, int bh, int margin)
{
    int ux, uy, uw, uh, x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
    double rad = -s->skew * M_PI / 180.0, xc = w / 2.0, yc = h / 2.0;

    switch (s->rotation) {
    case 90:  ux = H0 - y - bh; uy = x;           uw = bh; uh = bw; break;
    case 180: ux = W0 - x - bw; uy = H0 - y - bh; uw = bw; uh = bh; break;
    case 270: ux = y;           uy = W0 - x - bw; uw = bh; uh = bw; break;
    default:  ux = x;           uy = y;           uw = bw; uh = bh; break;
    }
    cs_ocr_turn_corners(ux, uy, uw, uh, xc, yc, rad, &x0, &y0, &x1, &y1);
    x0 = x0 - margin > 0 ? x0 - margin : 0;
    y0 = y0 - margin > 0 ? y0 - margin : 0;
    x1 = x1 + margin < w ? x1 + margin : w;
    y1 = y1 + margin < h ? y1 + margin : h;
    return x1 > x0 && y1 > y0 ? boxCreate(x0, y0, x1 - x0, y1 - y0) : NULL;
}

/* The paper's grey around each pixel of g2: the lightest pixel of its
 * 8 x 8 block (a block of a page always holds some paper: strokes are
 * thinner).  A new pix the size of g2, or NULL. */
static PIX *local_paper(PIX *g2)
{
    int w = pixGetWidth(g2), h = pixGetHeight(g2);
    PIX *small = pixScaleGrayMinMax(g2, 8, 8, L_CHOOSE_MAX), *big = NULL, *out = NULL;

    if (small)
        big = pixExpandReplicate(small, 8);
    if (big && (out = pixCreate(w, h, 8)) != NULL) {
        pixSetAll(out);
        pixRasterop(out, 0, 0, w, h, PIX_SRC, big, 0, 0);
    }
    pixDestroy(&big);
    pixDestroy(&small);
    return out;
}

/*
 * The stamp's strokes at half resolution: pixels of g2 (the scan halved)
 * whose depth below the local paper is between CORE_LO and CORE_HI of the
 * print's, with no print core (PRINT_CORE) within a pixel: a print
 * letter's grey edge lies next to its core, a stamp's stroke does not.
 * *pcores is a new 1 bpp pix, and *pink all the page's ink; both NULL
 * when the page has no print to measure on.  0, or -1 on error.
 */
static int stamp_cores(PIX *g2, PIX **pcores, PIX **pink)
{
    PIX *paper = NULL, *depth = NULL, *core = NULL, *lo = NULL, *hi = NULL;
    NUMA *na = NULL;
    l_float32 *hist;
    long depths[256] = { 0 }, n = 0;
    int p, rc = -1;

    *pcores = *pink = NULL;
    if ((paper = local_paper(g2)) == NULL
        || (depth = pixSubtractGray(NULL, paper, g2)) == NULL
        || (na = pixGetGrayHistogram(depth, 2)) == NULL)
        goto out;
    hist = numaGetFArray(na, L_NOCOPY);
    for (int v = 40; v < 256; v++) {    /* below 40: paper and its grain */
        depths[v] = (long)hist[v];
        n += depths[v];
    }
    rc = 0;
    if (n < 1000)
        goto out;                       /* next to no ink */
    p = cs_ocr_grey_quantile(depths, n, 0.9);   /* the print's depth: most of the ink's */
    if (p < 100)
        goto out;                       /* faint print: nothing to tell apart */
    rc = -1;
    if ((lo = pixThresholdToBinary(depth, (int)(CORE_LO * p))) == NULL
        || (hi = pixThresholdToBinary(depth, (int)(CORE_HI * p))) == NULL
        || (core = pixThresholdToBinary(depth, (int)(PRINT_CORE * p))) == NULL) {
        pixDestroy(&lo);
        goto out;
    }
    /* thresholding gives 1 where depth is below: invert to "at least" */
    pixInvert(lo, lo);
    pixInvert(core, core);
    if ((*pink = pixCopy(NULL, lo)) == NULL) {  /* all ink: CORE_LO <= depth */
        pixDestroy(&lo);
        goto out;
    }
    pixAnd(lo, lo, hi);                 /* CORE_LO <= depth < CORE_HI */
    if (pixDilateBrick(core, core, 3, 3) == NULL) {
        pixDestroy(&lo);
        pixDestroy(pink);
        goto out;
    }
    pixSubtract(lo, lo, core);
    *pcores = lo;
    rc = 0;
out:
    pixDestroy(&core);
    pixDestroy(&hi);
    numaDestroy(&na);
    pixDestroy(&depth);
    pixDestroy(&paper);
    return rc;
}

/* The median grey of g2 under mask (1 bpp, same size) within box; 255 when none. */
static int median_under(PIX *g2, PIX *mask, BOX *box)
{
    long hist[256] = { 0 }, n = 0;
    l_int32 x, y, w, h;
    l_uint32 *gd = pixGetData(g2), *md = pixGetData(mask);
    int gw = pixGetWpl(g2), mw = pixGetWpl(mask);

    boxGetGeometry(box, &x, &y, &w, &h);
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            if (GET_DATA_BIT(md + (size_t)j * mw, i)) {
                hist[GET_DATA_BYTE(gd + (size_t)j * gw, i)]++;
                n++;
            }
    return n > 0 ? cs_ocr_grey_quantile(hist, n, 0.5) : 255;
}

/*!
 * cs_ocr_clean_bare_stamps()
 *
 *      Input:  pix (1 bpp, upright and deskewed; modified in place)
 *              dpi (its resolution)
 *              scan (the grey scan pix came from and how it was turned;
 *                    nothing is done without one)
 *              pfound (<optional return> stamps lifted off; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) See stamp.c, note 7.  The stamp's strokes are found on the scan
 *          at half resolution, grouped into blocks on a further 2x
 *          reduction closed over a letter's gap, and each block of a
 *          stamp's size is handed, turned onto the upright page, to
 *          cs_ocr_stamp_bare_ink with the median grey of its strokes.
 */
int cs_ocr_clean_bare_stamps(PIX *pix, int dpi, const cs_ocr_scan *scan, int *pfound)
{
    PIX *g2 = NULL, *cores = NULL, *ink = NULL, *red = NULL;
    BOXA *boxa = NULL;
    l_int32 held = 0;
    int W0, H0, n, found = 0, rc = -1, *level = NULL;

    if (pfound)
        *pfound = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if (!scan || !scan->grey || pixGetDepth(scan->grey) != 8)
        return 0;
    W0 = pixGetWidth(scan->grey);
    H0 = pixGetHeight(scan->grey);
    if (scan->rotation % 180 ? W0 != pixGetHeight(pix) || H0 != pixGetWidth(pix)
                             : W0 != pixGetWidth(pix) || H0 != pixGetHeight(pix))
        return 0;
    if ((g2 = pixScaleAreaMap2(scan->grey)) == NULL)
        goto out;
    if (stamp_cores(g2, &cores, &ink) < 0)
        goto out;
    if (!cores) {
        rc = 0;                         /* no print to measure on */
        goto out;
    }
    if ((red = pixReduceRankBinary2(cores, 1, NULL)) == NULL
        || pixCloseSafeBrick(red, red, dpi / 40 | 1, dpi / 80 | 1) == NULL
        || (boxa = pixConnCompBB(red, 8)) == NULL)
        goto out;
    /* the blocks of a stamp's size that are mostly light ink */
    n = boxaGetCount(boxa);
    if ((level = calloc((size_t)n + 1, sizeof *level)) == NULL)
        goto out;
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h, nc = 0, all = 0;
        BOX *half;

        level[i] = 255;
        boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
        if (4 * w < BARE_MIN_W * dpi || 4 * h < BARE_MIN_H * dpi
            || 4 * w > CS_STAMP_MAX_W * dpi || 4 * h > CS_STAMP_MAX_H * dpi)
            continue;
        if ((half = boxCreate(2 * x, 2 * y, 2 * w, 2 * h)) == NULL)
            goto out;
        pixCountPixelsInRect(cores, half, &nc, NULL);
        pixCountPixelsInRect(ink, half, &all, NULL);
        if (nc >= MIN_CORES && nc >= CORE_SHARE * all) {
            level[i] = median_under(g2, cores, half);
            held++;
        }
        boxDestroy(&half);
    }
    /* light strokes all over the page are its print, blurred or faint,
     * not a stamp: only where they gather in a few blocks */
    if (held > MAX_BLOCKS) {
        rc = 0;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        l_int32 x, y, w, h, bx, by, bw, bh;
        BOX *up;
        PIX *dark = NULL;
        int bad;

        if (level[i] >= 255)
            continue;
        boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
        if ((up = upright_box(scan, W0, H0, pixGetWidth(pix), pixGetHeight(pix), 4 * x, 4 * y,
                              4 * w, 4 * h, dpi / 30)) == NULL)
            continue;
        boxGetGeometry(up, &bx, &by, &bw, &bh);
        boxDestroy(&up);
        bad = cs_ocr_stamp_bare_ink(pix, scan, bx, by, bw, bh, level[i], &dark) < 0
              || (dark && cs_ocr_stamp_lift(pix, dark, bx, by) < 0);
        found += dark != NULL;
        pixDestroy(&dark);
        if (bad)
            goto out;
    }
    if (pfound)
        *pfound = found;
    rc = 0;
out:
    free(level);
    boxaDestroy(&boxa);
    pixDestroy(&red);
    pixDestroy(&ink);
    pixDestroy(&cores);
    pixDestroy(&g2);
    return rc;
}

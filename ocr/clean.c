/*
 * clean.c — whiten what a scanner adds to a page: dark borders (the lid or
 * the belt around a page smaller than the glass, a shadow at the binding),
 * punch holes (black discs where the hole shows the dark lid) and speckle
 * (dust, JPEG and binarisation noise).  All on the 1 bpp page, in place or
 * as a new image, never cropping: the page keeps its size so that word
 * boxes map back to the scan by rotation and scale only.
 *
 * Interface routines:
 *   cs_ocr_clean_borders   whiten large dark regions touching the page edge,
 *                          with their dithered fringe
 *   cs_ocr_clean_holes     whiten round dark blobs of punch-hole size in a margin
 *   cs_ocr_clean_speckle   drop connected components smaller than a dot of print
 *
 * Notes:
 *   1. Borders and holes are found on a 4x reduced image in which a pixel
 *      is on only where (nearly) its whole 4x4 block is ink, then opened
 *      with a brick of about 1/20 inch: strokes of text, even of a bold
 *      heading, vanish, solid dark regions stay.  That costs a few ms and
 *      cannot touch text that does not itself touch a dark region.
 *   2. A thresholded shadow or scanner edge does not end in a clean edge:
 *      it fades into the paper as a band of dots, too sparse to be solid
 *      (note 1) and too clustered to be speckle (note 3), which Tesseract
 *      reads as lines of junk.  That fringe is taken with the border: on a
 *      4x reduction where a block is on when its ink is spread over it
 *      (rank 1 then 2: about 10% ink), the dense regions connected to a
 *      solid border, and dense bands running CS_FRINGE_MIN_LENGTH or more
 *      along an edge (a shadow with no solid core).  Words are separated
 *      by white in that map, so only a word touching the shadow goes with
 *      it.  Measured on seed 1 of the benchmark: corpus CER 1.80% -> 0.58%
 *      (G4 pages 3.70% -> 1.09%, shadowed pages 3.35% -> 0.58%), and the
 *      one upside-down page the detector got wrong came right (the fringe
 *      was what it had been reading); UNLV zones unchanged (166 -> 168
 *      character errors); about 5 ms a page.
 *   3. Speckle is judged by size alone: a component whose box is at most
 *      CS speckle size (about 1/100 inch at 300 dpi, 3 pixels; set by
 *      measurement) in both directions.  A period or an i-dot of 8 pt
 *      print is 4-5 pixels across at 300 dpi and stays.
 *   4. A copier's toner streak often runs the whole length of the page,
 *      from a dark edge at the top to one at the bottom.  In the map of
 *      note 2 it is a thin line joined to the border, and every letter it
 *      crosses is joined to it: the fringe took the line and those letters
 *      with it, whitened with the border's margin (s1 box01/chart_0001 p2
 *      of the benchmark lost "nt", "he", "es" and "e" down one column of
 *      the page).  So the fringe is looked for in the map less its thin
 *      lines across the page: runs of CS_STREAK_VLEN inch (vertical) or
 *      CS_STREAK_HLEN inch (horizontal), thinner than CS_STREAK_WIDTH inch
 *      plus two blocks, not beside a thicker region and not within half
 *      an inch of the page sides they run along (a shadow's band along an
 *      edge is thin and long too, and stays).  The streak itself is
 *      photocopy.c's, after deskewing.  Benchmark seeds 1-9 (1080
 *      pages), character errors of the pages that read differently
 *      (with whiten_mask reaching the page's last columns and rows):
 *      tuning seeds 1-3 49 -> 27 (3 pages), held-out seeds 4-6
 *      106 -> 65 (7 pages), 7-9 41 -> 32 (3 pages); two pages read
 *      2 and 3 errors worse (a footer in a bottom shadow's fringe, a
 *      noisy copy); clean pages unchanged.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

/* A dense band along an edge at least this long (inches) is a border (note 2). */
#define CS_FRINGE_MIN_LENGTH 1.0

/* Solid dark regions of pix at 1/4 of its resolution, text removed. */
static PIX *solid_regions(PIX *pix, int dpi)
{
    PIX *red, *open;
    int brick = dpi / 80;           /* 1/20 inch at 1/4 resolution */

    if (brick < 2)
        brick = 2;
    red = pixReduceRankBinaryCascade(pix, 3, 3, 0, 0);
    if (!red)
        return NULL;
    open = pixOpenBrick(NULL, red, brick, brick);
    pixDestroy(&red);
    return open;
}

/* Regions of pix at 1/4 of its resolution where ink is dense: a 4x4 block
 * is on when ink is spread over it (note 2); isolated dots of noise are not. */
static PIX *dense_regions(PIX *pix)
{
    return pixReduceRankBinaryCascade(pix, 1, 2, 0, 0);
}

/*
 * The thin lines of dense (a 4x map of a page at dpi) in one direction
 * that do not lie along the page sides parallel to them (note 4): a new
 * pix, or NULL on error.
 */
static PIX *thin_lines(PIX *dense, int dpi, int vertical)
{
    int len = (int)lrint((vertical ? CS_STREAK_VLEN : CS_STREAK_HLEN) * dpi / 4.0);
    /* in the map's blocks of 4 pixels: a streak is thinner than thick;
     * side is half an inch */
    int thick = (int)(CS_STREAK_WIDTH * dpi / 4.0) + 2, side = dpi / 8;
    int w = pixGetWidth(dense), h = pixGetHeight(dense);
    PIX *run = NULL, *wide = NULL, *near = NULL, *seed = NULL, *along = NULL, *out = NULL;

    if (side > (vertical ? w : h) / 2)
        side = (vertical ? w : h) / 2;
    if ((run = vertical ? pixOpenBrick(NULL, dense, 1, len) : pixOpenBrick(NULL, dense, len, 1))
            == NULL
        || (wide = vertical ? pixOpenBrick(NULL, dense, thick, 1)
                            : pixOpenBrick(NULL, dense, 1, thick)) == NULL
        || (near = vertical ? pixDilateBrick(NULL, wide, 2 * thick + 1, 1)
                            : pixDilateBrick(NULL, wide, 1, 2 * thick + 1)) == NULL
        || (seed = pixCreateTemplate(run)) == NULL)
        goto out;
    pixSubtract(run, run, near);
    /* what lies within side of the parallel page sides is a band along them */
    if (vertical) {
        pixRasterop(seed, 0, 0, side, h, PIX_SRC, run, 0, 0);
        pixRasterop(seed, w - side, 0, side, h, PIX_SRC, run, w - side, 0);
    } else {
        pixRasterop(seed, 0, 0, w, side, PIX_SRC, run, 0, 0);
        pixRasterop(seed, 0, h - side, w, side, PIX_SRC, run, 0, h - side);
    }
    if ((along = pixSeedfillBinary(NULL, seed, run, 8)) == NULL)
        goto out;
    out = pixSubtract(NULL, run, along);
out:
    pixDestroy(&along);
    pixDestroy(&seed);
    pixDestroy(&near);
    pixDestroy(&wide);
    pixDestroy(&run);
    return out;
}

/* Whiten in pix the regions of mask (at 1/4 resolution), grown by grow
 * pixels.  The map leaves out the last one to three columns and rows of a
 * page whose size is not a multiple of 4: they take the map's last ones,
 * so that a border is whitened to the page's edge. */
static int whiten_mask(PIX *pix, PIX *mask4, int grow)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix);
    PIX *big, *full, *grown;

    big = pixExpandReplicate(mask4, 4);
    if (!big)
        return -1;
    full = pixGetWidth(big) <= w && pixGetHeight(big) <= h
               ? pixAddContinuedBorder(big, 0, w - pixGetWidth(big), 0, h - pixGetHeight(big))
               : NULL;
    pixDestroy(&big);
    if (!full)
        return -1;
    grown = grow > 0 ? pixDilateBrick(NULL, full, 2 * grow + 1, 2 * grow + 1) : pixClone(full);
    pixDestroy(&full);
    if (!grown)
        return -1;
    pixRasterop(pix, 0, 0, w, h, PIX_DST & PIX_NOT(PIX_SRC), grown, 0, 0);
    pixDestroy(&grown);
    return 0;
}

/* Add to border (1/4 resolution, modified) the dithered fringe of a
 * border: the dense regions connected to it, and dense bands that run
 * along an edge for CS_FRINGE_MIN_LENGTH or more without a solid core;
 * thin lines across the page are not fringe (note 4). */
static int add_fringe(PIX *pix, int dpi, PIX *border)
{
    PIX *dense = NULL, *filled = NULL, *edge = NULL, *lines[2] = { NULL, NULL };
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    int w, h, n, rc = -1;
    double min_len = CS_FRINGE_MIN_LENGTH * dpi / 4.0;

    if ((dense = dense_regions(pix)) == NULL)
        goto out;
    /* both directions measured on the whole map, then taken off (note 4) */
    lines[0] = thin_lines(dense, dpi, 0);
    lines[1] = thin_lines(dense, dpi, 1);
    if (!lines[0] || !lines[1])
        goto out;
    pixSubtract(dense, dense, lines[0]);
    pixSubtract(dense, dense, lines[1]);
    w = pixGetWidth(dense);
    h = pixGetHeight(dense);
    if ((filled = pixSeedfillBinary(NULL, border, dense, 8)) == NULL)
        goto out;
    pixOr(border, border, filled);
    if ((edge = pixExtractBorderConnComps(dense, 8)) == NULL
        || (boxa = pixConnComp(edge, &pixa, 8)) == NULL)
        goto out;
    n = boxaGetCount(boxa);
    for (int i = 0; i < n; i++) {
        l_int32 bx, by, bw, bh;
        int along = 0;
        PIX *comp;

        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
        if (bx == 0 || bx + bw >= w)
            along = bh;
        if ((by == 0 || by + bh >= h) && bw > along)
            along = bw;
        if (along < min_len)
            continue;
        comp = pixaGetPix(pixa, i, L_CLONE);
        pixRasterop(border, bx, by, bw, bh, PIX_SRC | PIX_DST, comp, 0, 0);
        pixDestroy(&comp);
    }
    rc = 0;
out:
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&edge);
    pixDestroy(&filled);
    pixDestroy(&lines[1]);
    pixDestroy(&lines[0]);
    pixDestroy(&dense);
    return rc;
}

/*!
 * cs_ocr_clean_borders()
 *
 *      Input:  pix (1 bpp; modified in place)
 *              dpi (its resolution)
 *              premoved (<optional return> 1 if a border was whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error (pix unchanged)
 *
 *  Notes:
 *      (1) A dark border is a solid region (note 1 of the file) connected
 *          to the page edge, with its fringe (note 2; off when
 *          cs_ocr_tuning_current.fringe is 0).  It is whitened with a
 *          margin of 1/30 inch to take its ragged edge too.
 */
int cs_ocr_clean_borders(PIX *pix, int dpi, int *premoved)
{
    PIX *solid = NULL, *border = NULL;
    int empty = 1, rc = -1;

    if (premoved)
        *premoved = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((solid = solid_regions(pix, dpi)) == NULL)
        goto out;
    if ((border = pixExtractBorderConnComps(solid, 8)) == NULL)
        goto out;
    if (cs_ocr_tuning_current.fringe && add_fringe(pix, dpi, border) < 0)
        goto out;
    pixZero(border, &empty);
    if (!empty) {
        if (whiten_mask(pix, border, dpi / 30) < 0)
            goto out;
        if (premoved)
            *premoved = 1;
    }
    rc = 0;
out:
    pixDestroy(&border);
    pixDestroy(&solid);
    return rc;
}

/* 1 when the middle ninth of comp is (nearly) all ink: a disc, not a
 * bold letter such as D or O, whose bowl is white inside. */
static int solid_centre(PIX *comp)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), count = 0;
    BOX *mid = boxCreate(w / 3, h / 3, w / 3 > 0 ? w / 3 : 1, h / 3 > 0 ? h / 3 : 1);

    if (!mid)
        return 0;
    pixCountPixelsInRect(comp, mid, &count, NULL);
    boxDestroy(&mid);
    return count >= 0.9 * (w / 3) * (h / 3);
}

/*!
 * cs_ocr_clean_holes()
 *
 *      Input:  pix (1 bpp; modified in place)
 *              dpi (its resolution)
 *              premoved (<optional return> number of holes whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) A punch hole is a solid region not touching the edge, between
 *          0.15 and 0.5 inch across, about as high as wide, filling 65% or
 *          more of its box (a disc fills 79%) and all of its middle ninth
 *          (bold letters such as D and O are hollow there), whose centre
 *          lies within 0.8 inch of an edge (punches sit 0.3-0.5 inch in).  Checked on all four sides: the page may
 *          not be upright yet.
 */
int cs_ocr_clean_holes(PIX *pix, int dpi, int *premoved)
{
    PIX *solid = NULL, *inner = NULL, *holes = NULL;
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    int w4, h4, n, found = 0, rc = -1;
    double px4 = dpi / 4.0;        /* pixels per inch at 1/4 resolution */

    if (premoved)
        *premoved = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((solid = solid_regions(pix, dpi)) == NULL)
        goto out;
    if ((inner = pixRemoveBorderConnComps(solid, 8)) == NULL)
        goto out;
    if ((boxa = pixConnComp(inner, &pixa, 8)) == NULL)
        goto out;
    w4 = pixGetWidth(inner);
    h4 = pixGetHeight(inner);
    if ((holes = pixCreateTemplate(inner)) == NULL)
        goto out;
    n = boxaGetCount(boxa);
    for (int i = 0; i < n; i++) {
        l_int32 bx, by, bw, bh, count = 0;
        double cx, cy, edge;
        PIX *comp;

        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
        if (bw < 0.15 * px4 || bh < 0.15 * px4 || bw > 0.5 * px4 || bh > 0.5 * px4)
            continue;
        if (bw > 1.4 * bh || bh > 1.4 * bw)
            continue;
        cx = bx + bw / 2.0;
        cy = by + bh / 2.0;
        edge = fmin(fmin(cx, w4 - cx), fmin(cy, h4 - cy));
        if (edge > 0.8 * px4)
            continue;
        comp = pixaGetPix(pixa, i, L_CLONE);
        pixCountPixels(comp, &count, NULL);
        if (count >= 0.65 * bw * bh && solid_centre(comp)) {
            pixRasterop(holes, bx, by, bw, bh, PIX_SRC | PIX_DST, comp, 0, 0);
            found++;
        }
        pixDestroy(&comp);
    }
    if (found && whiten_mask(pix, holes, dpi / 30) < 0)
        goto out;
    if (premoved)
        *premoved = found;
    rc = 0;
out:
    pixDestroy(&holes);
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&inner);
    pixDestroy(&solid);
    return rc;
}

/*!
 * cs_ocr_clean_speckle()
 *
 *      Input:  pixs (1 bpp)
 *              dpi (its resolution)
 *      Return: pixd (pixs without its speckle), or NULL on error
 *
 *  Notes:
 *      (1) The size limit is cs_ocr_tuning_current.speckle pixels at 300
 *          dpi, scaled to dpi; 0 turns the step off (a clone is returned).
 */
PIX *cs_ocr_clean_speckle(PIX *pixs, int dpi)
{
    int size = (int)lrint(cs_ocr_tuning_current.speckle * dpi / 300.0);

    if (!pixs || pixGetDepth(pixs) != 1)
        return NULL;
    if (size <= 0)
        return pixClone(pixs);
    /* keep a component when its box exceeds size in either direction */
    return pixSelectBySize(pixs, size, size, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GT, NULL);
}

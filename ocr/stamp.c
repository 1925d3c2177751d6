/*
 * stamp.c — hand stamps (a department's RECEIVED box with a date) taken
 * off the upright, deskewed bilevel page before recognition, so that the
 * printed lines under and beside them read as they would without them and
 * the stamp's own words do not end up in the text.
 *
 * Interface routines:
 *   cs_ocr_clean_stamps   find stamp boxes and whiten them with the stamp's text
 *
 * Notes:
 *   1. A stamp is found by its frame: one connected component at least
 *      CS_STAMP_MIN_W x CS_STAMP_MIN_H inch and at most CS_STAMP_MAX_W x
 *      CS_STAMP_MAX_H, whose ink covers at most CS_STAMP_FILL of its box
 *      (a frame is hollow) and which has ink near all four sides of its
 *      box.  Nothing printed in a chart's text is a hollow component an
 *      inch wide; a stamp pressed a few degrees askew is still one, and the
 *      letters of print it touches become part of it.  Without a frame
 *      nothing is done (note 1 of photocopy.c).
 *   2. Inside the frame, print and stamp are told apart by the page's text
 *      lines: the rows beside the box (left and right of it, on the same
 *      page) show where the printed lines run.  A component inside the box
 *      is print when most of its height lies on such a row and it is not
 *      much taller than the text; otherwise it is the stamp's (its words
 *      sit between or across the printed lines, in another size).  The
 *      frame itself goes whole, with the few print letters it touches:
 *      cheaper than the stamp's words read into the header.
 *   3. Measured on the benchmark's stamped pages (samplegen, copy.c): see
 *      page.c, note 7.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>

#define CS_STAMP_MIN_W 1.0      /* inch */
#define CS_STAMP_MIN_H 0.35
#define CS_STAMP_MAX_W 4.0
#define CS_STAMP_MAX_H 2.0
#define CS_STAMP_FILL  0.3

/* 1 when comp (w x h) has ink within a tenth of its size of each side. */
static int four_sides(PIX *comp)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), mw = w / 10 + 1, mh = h / 10 + 1;
    BOX *side[4];
    int ok = 1;

    side[0] = boxCreate(0, 0, mw, h);
    side[1] = boxCreate(w - mw, 0, mw, h);
    side[2] = boxCreate(0, 0, w, mh);
    side[3] = boxCreate(0, h - mh, w, mh);
    for (int i = 0; i < 4; i++) {
        l_int32 count = 0;
        if (!side[i] || pixCountPixelsInRect(comp, side[i], &count, NULL) != 0
            || count < (i < 2 ? h : w) / 3)
            ok = 0;
        boxDestroy(&side[i]);
    }
    return ok;
}

/*
 * The frame's own strokes in comp (a frame component, note 3): comp is
 * turned straight by its skew, opened with lines of 40% of its width and
 * height (the frame's edges stay, letters touching them go), widened by
 * two pixels and turned back.  A new pix the size of comp, or NULL.
 */
static PIX *frame_strokes(PIX *comp)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), pad = h / 3 + 4;
    PIX *big = NULL, *straight = NULL, *hor = NULL, *ver = NULL, *back = NULL, *out = NULL;
    l_float32 angle = 0.0f, conf = 0.0f;
    BOX *inner = NULL;

    if ((big = pixAddBorder(comp, pad, 0)) == NULL)
        goto done;
    if (pixFindSkew(big, &angle, &conf) != 0 || conf < 1.0f)
        angle = 0.0f;
    if ((straight = pixRotate(big, angle * (float)M_PI / 180.0f, L_ROTATE_SAMPLING,
                              L_BRING_IN_WHITE, 0, 0)) == NULL
        || (hor = pixOpenBrick(NULL, straight, (int)(0.4 * w), 1)) == NULL
        || (ver = pixOpenBrick(NULL, straight, 1, (int)(0.4 * h))) == NULL)
        goto done;
    pixOr(hor, hor, ver);
    pixDilateBrick(hor, hor, 5, 5);
    if ((back = pixRotate(hor, -angle * (float)M_PI / 180.0f, L_ROTATE_SAMPLING,
                          L_BRING_IN_WHITE, 0, 0)) == NULL
        || (inner = boxCreate(pad, pad, w, h)) == NULL
        || (out = pixClipRectangle(back, inner, NULL)) == NULL)
        goto done;
    pixAnd(out, out, comp);
done:
    boxDestroy(&inner);
    pixDestroy(&back);
    pixDestroy(&ver);
    pixDestroy(&hor);
    pixDestroy(&straight);
    pixDestroy(&big);
    return out;
}

/*
 * Mend the print letters the frame's strokes (at bx, by in pix, already
 * whitened) cut: a closing with a brick a little larger than the strokes
 * are thick, kept only inside the strokes, joins what runs on both sides
 * of a stroke; a stroke with nothing on either side stays white.
 */
static int mend_strokes(PIX *pix, PIX *strokes, l_int32 bx, l_int32 by)
{
    int w = pixGetWidth(strokes), h = pixGetHeight(strokes), k;
    l_int32 count = 0;
    BOX *box = boxCreate(bx, by, w, h);
    PIX *part = NULL, *closed = NULL;
    int rc = -1;

    pixCountPixels(strokes, &count, NULL);
    k = (int)ceil(1.5 * count / (2.0 * (w + h))) + 4;
    if (!box || (part = pixClipRectangle(pix, box, NULL)) == NULL
        || (closed = pixCloseSafeBrick(NULL, part, k, k)) == NULL)
        goto out;
    pixAnd(closed, closed, strokes);
    pixRasterop(pix, bx, by, w, h, PIX_SRC | PIX_DST, closed, 0, 0);
    rc = 0;
out:
    pixDestroy(&closed);
    pixDestroy(&part);
    boxDestroy(&box);
    return rc;
}

/* Rows of the box's height range with print beside the box: 1 per row. */
static unsigned char *print_rows(PIX *pix, l_int32 bx, l_int32 by, l_int32 bw, l_int32 bh, int th)
{
    int w = pixGetWidth(pix), wpl = pixGetWpl(pix), margin = th;
    l_uint32 *data = pixGetData(pix);
    unsigned char *rows = calloc((size_t)bh, 1);
    int *ink = calloc((size_t)bh, sizeof *ink);

    if (!rows || !ink) {
        free(rows);
        free(ink);
        return NULL;
    }
    for (int y = 0; y < bh; y++) {
        l_uint32 *line = data + (size_t)(by + y) * wpl;
        for (int x = 0; x < w; x++)
            if ((x < bx - margin || x >= bx + bw + margin) && GET_DATA_BIT(line, x))
                ink[y]++;
    }
    /* a row is print when ink lies beside the box within a quarter text height */
    for (int y = 0; y < bh; y++) {
        for (int k = y - th / 4; k <= y + th / 4; k++)
            if (k >= 0 && k < bh && ink[k] >= 2) {
                rows[y] = 1;
                break;
            }
    }
    free(ink);
    return rows;
}

/* Clear in comp (modified) the rows where rows[y] is 1: what is left is off the print rows. */
static int off_rows(PIX *comp, const unsigned char *rows)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp);

    for (int y = 0; y < h; y++)
        if (rows[y] && pixRasterop(comp, 0, y, w, 1, PIX_CLR, NULL, 0, 0) != 0)
            return -1;
    return 0;
}

/* Whiten in pix the stamp's components inside box (note 2). */
static int clear_inside(PIX *pix, l_int32 bx, l_int32 by, l_int32 bw, l_int32 bh, int th)
{
    BOX *box = boxCreate(bx, by, bw, bh);
    PIX *inside = NULL;
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    unsigned char *rows = NULL;
    int rc = -1;

    if (!box || (inside = pixClipRectangle(pix, box, NULL)) == NULL
        || (boxa = pixConnComp(inside, &pixa, 8)) == NULL
        || (rows = print_rows(pix, bx, by, bw, bh, th)) == NULL)
        goto out;
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 cx, cy, cw, ch, on = 0;
        PIX *comp;

        boxaGetBoxGeometry(boxa, i, &cx, &cy, &cw, &ch);
        for (int y = cy; y < cy + ch; y++)
            on += rows[y];
        if (2 * on >= ch && ch <= 3 * th / 2)
            continue;                    /* print */
        comp = pixaGetPix(pixa, i, L_CLONE);
        if (2 * on >= ch && off_rows(comp, rows + cy) < 0) {
            pixDestroy(&comp);           /* print and stamp run together: keep the print rows */
            goto out;
        }
        pixRasterop(pix, bx + cx, by + cy, cw, ch, PIX_DST & PIX_NOT(PIX_SRC), comp, 0, 0);
        pixDestroy(&comp);
    }
    rc = 0;
out:
    free(rows);
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&inside);
    boxDestroy(&box);
    return rc;
}

/* 1 when comp (w x h pixels at dpi) is a stamp's frame (note 1). */
static int is_frame(PIX *comp, int dpi)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp);
    l_int32 count = 0;

    if (w < CS_STAMP_MIN_W * dpi || h < CS_STAMP_MIN_H * dpi
        || w > CS_STAMP_MAX_W * dpi || h > CS_STAMP_MAX_H * dpi)
        return 0;
    pixCountPixels(comp, &count, NULL);
    return count <= CS_STAMP_FILL * w * h && four_sides(comp);
}

/* Whiten the stamp whose frame is comp (at bx, by in pix): its strokes,
 * mending what they crossed, then its words (note 2).  *pth is the text
 * height, measured on first use. */
static int take_stamp(PIX *pix, PIX *comp, l_int32 bx, l_int32 by, int dpi, int *pth)
{
    PIX *strokes = frame_strokes(comp);
    int rc = -1;

    if (!strokes)
        return -1;
    if (!*pth)
        *pth = cs_ocr_text_height(pix, dpi);
    pixRasterop(pix, bx, by, pixGetWidth(comp), pixGetHeight(comp), PIX_DST & PIX_NOT(PIX_SRC),
                strokes, 0, 0);
    if (mend_strokes(pix, strokes, bx, by) == 0
        && clear_inside(pix, bx, by, pixGetWidth(comp), pixGetHeight(comp), *pth) == 0)
        rc = 0;
    pixDestroy(&strokes);
    return rc;
}

/* The frames inside region (a candidate box of pix): whiten their stamps. */
static int stamps_in(PIX *pix, BOX *region, int dpi, int *pth, int *pfound)
{
    BOX *clipped = NULL;
    PIX *part = NULL;
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    l_int32 px = 0, py = 0;
    int rc = -1;

    if ((part = pixClipRectangle(pix, region, &clipped)) == NULL
        || (boxa = pixConnComp(part, &pixa, 8)) == NULL)
        goto out;
    boxGetGeometry(clipped, &px, &py, NULL, NULL);
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 bx, by;
        PIX *comp = pixaGetPix(pixa, i, L_CLONE);
        int bad = !comp;

        boxaGetBoxGeometry(boxa, i, &bx, &by, NULL, NULL);
        if (comp && is_frame(comp, dpi)) {
            bad = take_stamp(pix, comp, px + bx, py + by, dpi, pth) < 0;
            (*pfound)++;
        }
        pixDestroy(&comp);
        if (bad)
            goto out;
    }
    rc = 0;
out:
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&part);
    boxDestroy(&clipped);
    return rc;
}

/*!
 * cs_ocr_clean_stamps()
 *
 *      Input:  pix (1 bpp, upright and deskewed; modified in place)
 *              dpi (its resolution)
 *              pfound (<optional return> number of stamps whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) The candidates are found on a 4x reduction (a pixel is on when
 *          any of its 16 is): a component at least as large as a frame
 *          there; only their boxes are searched at full resolution, so a
 *          page without one costs a few milliseconds.
 */
int cs_ocr_clean_stamps(PIX *pix, int dpi, int *pfound)
{
    PIX *red = NULL;
    BOXA *boxa = NULL;
    int th = 0, found = 0, rc = -1;

    if (pfound)
        *pfound = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((red = pixReduceRankBinaryCascade(pix, 1, 1, 0, 0)) == NULL
        || (boxa = pixConnCompBB(red, 8)) == NULL)
        goto out;
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 bx, by, bw, bh;
        BOX *region;
        int bad;

        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
        if (4 * bw < CS_STAMP_MIN_W * dpi || 4 * bh < CS_STAMP_MIN_H * dpi)
            continue;
        if ((region = boxCreate(4 * bx - 4, 4 * by - 4, 4 * bw + 8, 4 * bh + 8)) == NULL)
            goto out;
        bad = stamps_in(pix, region, dpi, &th, &found) < 0;
        boxDestroy(&region);
        if (bad)
            goto out;
    }
    if (pfound)
        *pfound = found;
    rc = 0;
out:
    boxaDestroy(&boxa);
    pixDestroy(&red);
    return rc;
}

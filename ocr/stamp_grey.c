/*
 * stamp_grey.c — a stamp in ink lighter than the print, on a page scanned
 * grey: its box read again on the grey scan, where print under the stamp
 * is darker than the stamp's ink alone (stamp.c, note 5).
 *
 * Interface routines:
 *   cs_ocr_stamp_ink       the box's pixels darker than the stamp's ink, when
 *                          the stamp is lighter than the print beside it
 *   cs_ocr_stamp_lift      whiten the stamp's ink in the box, keeping the print
 *   cs_ocr_stamp_restore   put back the print a step whitened in the box
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

/* Leptonica turns a 1 bpp page by up to this angle (radians) with two
 * shears, by a larger one by sampling (rotate.c, MAX_1BPP_SHEAR_ANGLE),
 * and by less than MIN_TURN not at all: the grey is turned the same way,
 * so that its pixels land where the bilevel page's did. */
#define SHEAR_MAX 0.06f
#define MIN_TURN  0.001f
/* Pixels around what the box is taken from: two shears differ from a
 * true turn by up to about 4 pixels on a page at that angle. */
#define MARGIN 8

/* The box of the scan (W0 x H0) that turning it clockwise by rotation
 * degrees (pixRotateOrth) makes box x, y, w, h. */
static BOX *scan_box(int rotation, int W0, int H0, int x, int y, int w, int h)
{
    switch (rotation) {
    case 90:
        return boxCreate(y, H0 - x - w, h, w);
    case 180:
        return boxCreate(W0 - x - w, H0 - y - h, w, h);
    case 270:
        return boxCreate(W0 - y - h, x, h, w);
    default:
        return boxCreate(x, y, w, h);
    }
}

/*
 * Widen the bounds *px0, *py0, *px1, *py1 to hold the four corners of the
 * box x, y, w, h turned by rad radians about xc, yc (pixel coordinates,
 * y down: positive turns clockwise on the page), rounded down.
 */
void cs_ocr_turn_corners(int x, int y, int w, int h, double xc, double yc, double rad,
                         int *px0, int *py0, int *px1, int *py1)
{
    for (int k = 0; k < 4; k++) {
        double cx = (k & 1 ? x + w : x) - xc, cy = (k & 2 ? y + h : y) - yc;
        int tx = (int)floor(xc + cx * cos(rad) - cy * sin(rad));
        int ty = (int)floor(yc + cx * sin(rad) + cy * cos(rad));

        *px0 = tx < *px0 ? tx : *px0;
        *px1 = tx > *px1 ? tx : *px1;
        *py0 = ty < *py0 ? ty : *py0;
        *py1 = ty > *py1 ? ty : *py1;
    }
}

/*
 * The grey of box rx, ry, rw, rh of the upright page (w x h) from the
 * scan: the part of the scan the box and the pixels it is taken from lie
 * in is cut out, turned by rotation as the page was (pixRotateOrth), then
 * by -skew degrees about the page's centre as cs_ocr_rotate_small turned
 * the bilevel page (Leptonica's shear or sampling, whose arithmetic
 * depends only on the position relative to the centre), and the box cut
 * from it.  A new 8 bpp pix, or NULL.
 */
static PIX *upright_grey(const cs_ocr_scan *s, int w, int h, int rx, int ry, int rw, int rh)
{
    float rad = (float)(-s->skew * M_PI / 180.0);
    int W0 = pixGetWidth(s->grey), H0 = pixGetHeight(s->grey), xc = w / 2, yc = h / 2;
    int x0 = rx, y0 = ry, x1 = rx + rw, y1 = ry + rh;
    PIX *part = NULL, *orth = NULL, *turned = NULL, *out = NULL;
    BOX *sbox = NULL, *inner = NULL;

    if (fabsf(rad) < MIN_TURN)
        rad = 0.0f;
    /* the pixels the box's corners come from (the inverse turn), and a margin */
    if (rad != 0.0f)
        cs_ocr_turn_corners(rx, ry, rw, rh, xc, yc, -rad, &x0, &y0, &x1, &y1);
    x0 = x0 - MARGIN > 0 ? x0 - MARGIN : 0;
    y0 = y0 - MARGIN > 0 ? y0 - MARGIN : 0;
    x1 = x1 + MARGIN < w ? x1 + MARGIN : w;
    y1 = y1 + MARGIN < h ? y1 + MARGIN : h;
    if ((sbox = scan_box(s->rotation, W0, H0, x0, y0, x1 - x0, y1 - y0)) == NULL
        || (part = pixClipRectangle(s->grey, sbox, NULL)) == NULL
        || (orth = pixRotateOrth(part, s->rotation / 90)) == NULL)
        goto out;
    if (rad == 0.0f)
        turned = pixClone(orth);
    else if (fabsf(rad) > SHEAR_MAX)
        turned = pixRotateBySampling(orth, xc - x0, yc - y0, rad, L_BRING_IN_WHITE);
    else
        turned = pixRotateShear(orth, xc - x0, yc - y0, rad, L_BRING_IN_WHITE);
    if (turned && (inner = boxCreate(rx - x0, ry - y0, rw, rh)) != NULL)
        out = pixClipRectangle(turned, inner, NULL);
out:
    boxDestroy(&inner);
    pixDestroy(&turned);
    pixDestroy(&orth);
    pixDestroy(&part);
    boxDestroy(&sbox);
    return out;
}

/* The cut: a pixel darker than this fraction of the grey of the median
 * pixel of the frame's strokes is print (or print under the stamp).  The
 * stamp's ink varies over a stamp (it runs out, it blots), but not to
 * less than 0.6 of its median; on the stamped grey tuning pages 0.54 to
 * 0.66 read the same (stamp.c, note 5). */
#define INK_CUT 0.6
/* The pixels the cut keeps grow by a brick this size into the page's ink
 * next to them: a letter's grey edge, lighter than the cut, stays. */
#define EDGE 3
/* A stamp is lighter than the print when the cut keeps at least KEEP of
 * the print beside the box, at most LIFT of the frame's strokes, and
 * twice as much of the one as of the other. */
#define KEEP 0.5
#define LIFT 0.5
/* Fewest pixels of strokes and of print beside the box to measure on. */
#define MIN_STROKE 200
#define MIN_PRINT  300

/* The grey level at fraction q (0..1) of histogram hist (n values). */
int cs_ocr_grey_quantile(const long *hist, long n, double q)
{
    long seen = 0;

    for (int v = 0; v < 256; v++)
        if ((seen += hist[v]) >= q * n)
            return v;
    return 255;
}

/* The ink of page that lies within reach of dark: dark's pixels of it,
 * grown by EDGE into it.  A new pix, or NULL. */
static PIX *near_dark(PIX *page, PIX *dark)
{
    PIX *keep = pixAnd(NULL, dark, page);

    if (keep && pixDilateBrick(keep, keep, EDGE, EDGE) == NULL)
        pixDestroy(&keep);
    if (keep)
        pixAnd(keep, keep, page);
    return keep;
}

/* Whether the cut that made dark (over region, the box at bx in it, its
 * strokes) keeps the print beside the box and takes the strokes off:
 * then the stamp is lighter than the print.  -1 on error. */
static int lighter(PIX *region, PIX *dark, int bx, PIX *strokes)
{
    int bw = pixGetWidth(strokes), bh = pixGetHeight(strokes), rw = pixGetWidth(region), rc = -1;
    l_int32 nprint = 0, kprint = 0, nstroke = 0, kstroke = 0;
    PIX *keep = near_dark(region, dark), *side = pixCopy(NULL, region);

    if (!keep || !side)
        goto out;
    pixRasterop(side, bx, 0, bw, bh, PIX_CLR, NULL, 0, 0);
    pixCountPixels(side, &nprint, NULL);
    pixAnd(side, side, keep);
    pixCountPixels(side, &kprint, NULL);
    pixCountPixels(strokes, &nstroke, NULL);
    pixRasterop(keep, bx, 0, bw, bh, PIX_SRC & PIX_DST, strokes, 0, 0);
    pixRasterop(keep, 0, 0, bx, bh, PIX_CLR, NULL, 0, 0);
    pixRasterop(keep, bx + bw, 0, rw, bh, PIX_CLR, NULL, 0, 0);
    pixCountPixels(keep, &kstroke, NULL);
    rc = nprint >= MIN_PRINT && nstroke > 0 && kprint >= KEEP * nprint
         && kstroke <= LIFT * nstroke
         && (double)kprint / nprint >= 2.0 * kstroke / nstroke;
out:
    pixDestroy(&side);
    pixDestroy(&keep);
    return rc;
}

/*
 * The grey (from the scan, turned as pix was) and the bilevel of the box
 * bx, by, bw, bh of pix and of as much again as it is high either side
 * (the print beside it), in *pgrey and *pregion, *prx the region's left
 * edge in pix.  1 when both were cut, 0 when the scan is not pix's or the
 * box is off the page (nothing to measure), -1 on error.
 */
static int around(PIX *pix, const cs_ocr_scan *scan, l_int32 bx, l_int32 by, l_int32 bw,
                  l_int32 bh, PIX **pgrey, PIX **pregion, int *prx)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), rx, rw, rc = -1;
    BOX *box = NULL;

    *pgrey = *pregion = NULL;
    if (!scan || !scan->grey || pixGetDepth(scan->grey) != 8 || bw <= 0 || bh <= 0
        || bx < 0 || by < 0 || bx + bw > w || by + bh > h)
        return 0;
    if (scan->rotation % 180 ? pixGetWidth(scan->grey) != h || pixGetHeight(scan->grey) != w
                             : pixGetWidth(scan->grey) != w || pixGetHeight(scan->grey) != h)
        return 0;                       /* not the scan pix came from */
    rx = bx - bh > 0 ? bx - bh : 0;
    rw = (bx + bw + bh < w ? bx + bw + bh : w) - rx;
    if ((*pgrey = upright_grey(scan, w, h, rx, by, rw, bh)) != NULL
        && (box = boxCreate(rx, by, rw, bh)) != NULL
        && (*pregion = pixClipRectangle(pix, box, NULL)) != NULL) {
        rc = pixGetWidth(*pgrey) == rw && pixGetHeight(*pgrey) == bh
             && pixGetWidth(*pregion) == rw && pixGetHeight(*pregion) == bh;
        *prx = rx;
    }
    boxDestroy(&box);
    if (rc <= 0) {
        pixDestroy(pgrey);
        pixDestroy(pregion);
    }
    return rc;
}

/*!
 * cs_ocr_stamp_ink()
 *
 *      Input:  pix (1 bpp, upright and deskewed, the stamp still on it)
 *              scan (the grey scan pix came from and how it was turned;
 *                    NULL or without grey for a bilevel scan)
 *              bx, by (the box of the stamp's frame in pix)
 *              strokes (the frame's stroke pixels, 1 bpp the size of the box)
 *              pdark (<return> the pixels of the box darker than the stamp's
 *                     ink, 1 bpp the size of the box; NULL when the scan is
 *                     bilevel or the stamp is not lighter than the print)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) The grey of the box and of as much again either side of it (the
 *          print beside, to check the cut on) is taken from the scan turned
 *          as the page was (upright_grey); the stamp's ink is measured on
 *          the frame's strokes.  See stamp.c, note 5.
 */
int cs_ocr_stamp_ink(PIX *pix, const cs_ocr_scan *scan, l_int32 bx, l_int32 by, PIX *strokes,
                     PIX **pdark)
{
    int bw = pixGetWidth(strokes), bh = pixGetHeight(strokes), swpl = pixGetWpl(strokes), gwpl,
        rx = 0, ok, rc;
    long ink[256] = { 0 }, n = 0;
    PIX *grey = NULL, *region = NULL, *dark = NULL;
    BOX *box = NULL;
    l_uint32 *sdata = pixGetData(strokes), *gdata;

    *pdark = NULL;
    if ((rc = around(pix, scan, bx, by, bw, bh, &grey, &region, &rx)) <= 0)
        return rc;
    rc = 0;
    gdata = pixGetData(grey);
    gwpl = pixGetWpl(grey);
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++)
            if (GET_DATA_BIT(sdata + (size_t)y * swpl, x))
                ink[GET_DATA_BYTE(gdata + (size_t)y * gwpl, bx - rx + x)]++, n++;
    if (n < MIN_STROKE)
        goto out;
    if ((dark = pixThresholdToBinary(grey, (int)(INK_CUT * cs_ocr_grey_quantile(ink, n, 0.5))))
            == NULL
        || (ok = lighter(region, dark, bx - rx, strokes)) < 0) {
        rc = -1;
        goto out;
    }
    if (ok && ((box = boxCreate(bx - rx, 0, bw, bh)) == NULL
               || (*pdark = pixClipRectangle(dark, box, NULL)) == NULL))
        rc = -1;
out:
    pixDestroy(&dark);
    pixDestroy(&region);
    boxDestroy(&box);
    pixDestroy(&grey);
    return rc;
}

/* The ink of region beside the box at bx, bw wide (as lighter() counts it). */
static l_int32 beside_print(PIX *region, int bx, int bw)
{
    l_int32 n = 0, all = 0;
    BOX *box = boxCreate(bx, 0, bw, pixGetHeight(region));

    pixCountPixels(region, &all, NULL);
    if (box)
        pixCountPixelsInRect(region, box, &n, NULL);
    boxDestroy(&box);
    return all - n;
}

/*!
 * cs_ocr_stamp_bare_ink()
 *
 *      Input:  pix (1 bpp, upright and deskewed, the stamp still on it)
 *              scan (the grey scan pix came from and how it was turned)
 *              bx, by, bw, bh (a box of pix where a stamp with no frame lies)
 *              level (the grey of the stamp's ink, measured on the scan)
 *              pdark (<return> as cs_ocr_stamp_ink's, or NULL)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) As cs_ocr_stamp_ink, with the stamp's strokes the box's ink
 *          lighter than the cut (stamp_bare.c): the check that the cut
 *          keeps the print beside the box and drops most of those is the
 *          same.
 */
int cs_ocr_stamp_bare_ink(PIX *pix, const cs_ocr_scan *scan, l_int32 bx, l_int32 by,
                          l_int32 bw, l_int32 bh, int level, PIX **pdark)
{
    int rx = 0, ok, rc;
    l_int32 n = 0;
    PIX *grey = NULL, *region = NULL, *dark = NULL, *strokes = NULL, *light = NULL;
    BOX *box = NULL;

    *pdark = NULL;
    if ((rc = around(pix, scan, bx, by, bw, bh, &grey, &region, &rx)) <= 0)
        return rc;
    rc = 0;
    if ((dark = pixThresholdToBinary(grey, (int)(INK_CUT * level))) == NULL
        || (box = boxCreate(bx - rx, 0, bw, bh)) == NULL
        || (strokes = pixClipRectangle(region, box, NULL)) == NULL
        || (light = pixClipRectangle(dark, box, NULL)) == NULL) {
        rc = -1;
        goto out;
    }
    /* the stamp's strokes: the box's ink out of reach of the cut's */
    {
        PIX *kept = near_dark(strokes, light);
        if (!kept) {
            rc = -1;
            goto out;
        }
        pixSubtract(strokes, strokes, kept);
        pixDestroy(&kept);
    }
    pixCountPixels(strokes, &n, NULL);
    if (n < MIN_STROKE)
        goto out;
    /* with no print beside the box to check the cut on, the block's ink was
     * measured lighter than the page's print (stamp_bare.c) */
    if ((ok = beside_print(region, bx - rx, bw) < MIN_PRINT ? 1
                                                            : lighter(region, dark, bx - rx, strokes)) < 0) {
        rc = -1;
        goto out;
    }
    if (ok) {
        *pdark = light;
        light = NULL;
    }
out:
    pixDestroy(&light);
    pixDestroy(&strokes);
    pixDestroy(&dark);
    pixDestroy(&region);
    boxDestroy(&box);
    pixDestroy(&grey);
    return rc;
}

/*!
 * cs_ocr_stamp_lift()
 *
 *      Input:  pix (1 bpp; modified in place)
 *              dark (cs_ocr_stamp_ink's pixels of the box darker than the ink)
 *              bx, by (the box in pix)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) Of the box's ink only what lies within reach of a pixel darker
 *          than the stamp's ink stays: print, and print under the stamp.
 */
int cs_ocr_stamp_lift(PIX *pix, PIX *dark, l_int32 bx, l_int32 by)
{
    int bw = pixGetWidth(dark), bh = pixGetHeight(dark), rc = -1;
    BOX *box = boxCreate(bx, by, bw, bh);
    PIX *now = NULL, *keep = NULL;

    if (box && (now = pixClipRectangle(pix, box, NULL)) != NULL
        && (keep = near_dark(now, dark)) != NULL) {
        pixRasterop(pix, bx, by, bw, bh, PIX_SRC, keep, 0, 0);
        rc = 0;
    }
    pixDestroy(&keep);
    pixDestroy(&now);
    boxDestroy(&box);
    return rc;
}

/*!
 * cs_ocr_stamp_restore()
 *
 *      Input:  pix (1 bpp; modified in place)
 *              before (the box of pix before a step whitened some of it)
 *              dark (cs_ocr_stamp_ink's pixels of the box darker than the ink)
 *              bx, by (the box in pix)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) What the step whitened within reach of a pixel darker than the
 *          stamp's ink is print the stamp's frame or words crossed or
 *          touched: it is put back.
 */
int cs_ocr_stamp_restore(PIX *pix, PIX *before, PIX *dark, l_int32 bx, l_int32 by)
{
    int bw = pixGetWidth(before), bh = pixGetHeight(before), rc = -1;
    BOX *box = boxCreate(bx, by, bw, bh);
    PIX *removed = NULL, *back = NULL;

    if (box && (removed = pixClipRectangle(pix, box, NULL)) != NULL
        && pixSubtract(removed, before, removed) != NULL
        && (back = near_dark(removed, dark)) != NULL) {
        pixRasterop(pix, bx, by, bw, bh, PIX_SRC | PIX_DST, back, 0, 0);
        rc = 0;
    }
    pixDestroy(&back);
    pixDestroy(&removed);
    boxDestroy(&box);
    return rc;
}

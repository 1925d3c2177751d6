/*
 * scan.c — what happens to evalgen's rendered page on its way to the
 * scanner: fax transmission, photocopying, skew, speckle, thresholding.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <leptonica/allheaders.h>

#include <math.h>
#include <string.h>

/* ---- from rendered page to scanned page ---- */

void photocopy_draw(photocopy *pc, tk_rng *r)
{
    memset(pc, 0, sizeof *pc);
    pc->on = 1;
    pc->bg = tk_rng_range(r, 198, 228);
    pc->noise = tk_rng_range(r, 10, 22);
    pc->specks = tk_rng_range(r, 40, 260);
    if (tk_rng_percent(r, 60)) {
        pc->streak_x = tk_rng_range(r, 150, 2400);
        pc->streak_w = tk_rng_range(r, 2, 9);
        pc->streak_grey = tk_rng_range(r, 80, 175);
    }
    if (tk_rng_percent(r, 60)) {
        pc->shadow = tk_rng_range(r, 1, 3);
        pc->shadow_w = tk_rng_range(r, 40, 150);
    }
}

static inline int clamp255(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

/* Toner background, specks, a streak and an edge shadow, in place (8 bpp). */
static void photocopy_apply(PIX *pix, const photocopy *pc, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    uint64_t bits = 0;
    int nbits = 0;

    for (l_int32 y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * wpl;
        for (l_int32 x = 0; x < w; x++) {
            int v = GET_DATA_BYTE(line, x), n;
            if (nbits == 0) {
                bits = tk_rng_next(r);
                nbits = 4;
            }
            /* the sum of two uniform bytes: a rough bell around 0 */
            n = (int)(bits & 0xFF) + (int)((bits >> 8) & 0xFF) - 255;
            bits >>= 16;
            nbits--;
            v = v * pc->bg / 255 - n * pc->noise / 128;
            if (pc->streak_w && x >= pc->streak_x && x < pc->streak_x + pc->streak_w &&
                ((y / 97) % 11) != 3)
                v = v < pc->streak_grey ? v : pc->streak_grey + (n & 15);
            if (pc->shadow) {
                int d = pc->shadow == 1 ? x : pc->shadow == 2 ? w - 1 - x : y;
                if (d < pc->shadow_w)
                    v = v * (30 + 70 * d / pc->shadow_w) / 100;
            }
            SET_DATA_BYTE(line, x, clamp255(v));
        }
    }
    for (int k = 0; k < pc->specks; k++) {
        int cx = (int)tk_rng_below(r, (unsigned)w), cy = (int)tk_rng_below(r, (unsigned)h);
        int rad = tk_rng_range(r, 1, 5), grey = tk_rng_range(r, 10, 90);
        for (int y = cy - rad; y <= cy + rad; y++)
            for (int x = cx - rad; x <= cx + rad; x++)
                if (x >= 0 && y >= 0 && x < w && y < h &&
                    (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad)
                    SET_DATA_BYTE(data + (size_t)y * wpl, x, grey);
    }
}

/*
 * A faxed page: sent at fine resolution (about 200 dpi, black and white),
 * printed at the other end, then scanned with the rest: jagged strokes.
 */
static PIX *fax_look(PIX *grey)
{
    PIX *small = NULL, *bw = NULL, *big = NULL, *out = NULL;

    if ((small = pixScaleGeneral(grey, 0.68f, 0.66f, 0.0f, 0)) != NULL &&
        (bw = pixThresholdToBinary(small, 150)) != NULL &&
        (big = pixScaleBinary(bw, (float)pixGetWidth(grey) / pixGetWidth(bw),
                              (float)pixGetHeight(grey) / pixGetHeight(bw))) != NULL)
        out = pixConvertTo8(big, 0);
    pixDestroy(&small);
    pixDestroy(&bw);
    pixDestroy(&big);
    return out;
}

/*
 * Rendered grey page -> scanned page: fax, photocopy, skew, speckle,
 * threshold for G4.  Returns a new pix, or NULL with err.
 */
PIX *degrade_page(const char *png, const page *pg, int g4, const photocopy *pc,
                  tk_rng *r, char *err, size_t errlen)
{
    PIX *src = NULL, *grey = NULL, *rot = NULL, *out = NULL;

    if ((src = pixRead(png)) == NULL) {
        cs_fail(err, errlen, "could not read rendered page \"%s\"", png);
        goto out;
    }
    if ((grey = pixConvertTo8(src, 0)) == NULL) {
        cs_fail(err, errlen, "could not convert rendered page \"%s\"", png);
        goto out;
    }
    if (pg->fax && !pg->blank) {
        PIX *f = fax_look(grey);
        if (!f) {
            cs_fail(err, errlen, "could not make a fax of rendered page \"%s\"", png);
            goto out;
        }
        pixDestroy(&grey);
        grey = f;
    }
    if (pc->on && !pg->blank)
        photocopy_apply(grey, pc, r);
    rot = pixRotate(grey, (float)(pg->skew * M_PI / 180.0), L_ROTATE_AREA_MAP,
                    L_BRING_IN_WHITE, 0, 0);
    if (!rot) {
        cs_fail(err, errlen, "could not rotate rendered page \"%s\"", png);
        goto out;
    }
    /* a back side: faint noise only (lighter grey dots, fewer of them) */
    tk_speckle(rot, r, pg->blank ? 6000 : 2500, pg->blank ? 60 : 0);
    out = g4 ? pixThresholdToBinary(rot, 160) : pixClone(rot);
    if (!out) {
        cs_fail(err, errlen, "could not threshold rendered page \"%s\"", png);
        goto out;
    }
    pixSetResolution(out, 300, 300);
out:
    pixDestroy(&rot);
    pixDestroy(&grey);
    pixDestroy(&src);
    return out;
}

/*
 * render.c — samplegen's scanner: what happens to a rendered page on its
 * way into the TIFF
 *
 * The mild profile (degrade_page) skews, scales and speckles a page and
 * thresholds it for G4.  The bench profile (scan_draw, scan_page) makes
 * pages as bad as real legacy charts, for scripts/bench-ocr: everything
 * about a page's scan is drawn first, from the page's own stream, into a
 * `scan`, so the truth can name it; then the pixels go through, in the
 * order of the physical process:
 *
 *   rendered at the file's dpi -> punched (paper) -> skewed on the glass ->
 *   turned (upside down or sideways) -> paper tone and shadow -> dark
 *   scanner edges -> optical blur -> sensor noise and speckle ->
 *   thresholded (G4) or kept grey (JPEG)
 *
 * A blank back side starts from its front page's punched image, mirrored
 * and faded to a blurred ghost (bleed-through), and goes the same way.
 * Every size is in inches times the file's dpi.
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <leptonica/allheaders.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ======================= the mild profile ======================= */

/* The mild profile's light speckle: one pixel in 2500. */
static void speckle(PIX *pix, tk_rng *r)
{
    tk_speckle(pix, r, 2500, 0);
}

/*
 * Turn a rendered 300 dpi grey page into the scanned image of doc: skew,
 * scale to doc->dpi, speckle, threshold for G4.  Returns a new pix or NULL.
 */
PIX *degrade_page(const char *png, const document *doc, tk_rng *r, char *err, size_t errlen)
{
    PIX *rot = NULL, *scaled = NULL, *out = NULL;

    if ((rot = tk_page_read_skewed(png, doc->skew, err, errlen)) == NULL)
        goto out;
    if (doc->dpi != 300)
        scaled = pixScale(rot, doc->dpi / 300.0f, doc->dpi / 300.0f);
    else
        scaled = pixClone(rot);
    if (!scaled) {
        cs_fail(err, errlen, "could not scale rendered page \"%s\"", png);
        goto out;
    }
    speckle(scaled, r);
    out = doc->g4 ? pixThresholdToBinary(scaled, 160) : pixClone(scaled);
    if (!out) {
        cs_fail(err, errlen, "could not threshold rendered page \"%s\"", png);
        goto out;
    }
    pixSetResolution(out, doc->dpi, doc->dpi);
out:
    pixDestroy(&scaled);
    pixDestroy(&rot);
    return out;
}

/* ======================= the bench profile ======================= */

/* Draw every choice for one page; r is the page's own stream. */
void scan_draw(scan *sc, tk_rng *r, int g4, int dpi, int blank, int turn)
{
    static const int sides[] = { EDGE_LEFT, EDGE_RIGHT, EDGE_TOP, EDGE_BOTTOM };
    int second;

    memset(sc, 0, sizeof *sc);
    sc->g4 = g4;
    sc->dpi = dpi;
    sc->blank = blank;
    sc->turn = turn;
    /* draw everything whatever is used, so one choice never shifts another */
    sc->skew = tk_rng_range(r, -400, 400) / 100.0;
    sc->holes = tk_rng_below(r, 5) == 0 ? 2 + (int)tk_rng_below(r, 2) : 0;
    sc->edges = tk_rng_below(r, 4) == 0 ? TK_PICK(r, sides) : 0;
    second = TK_PICK(r, sides);
    if (sc->edges && tk_rng_below(r, 3) == 0)
        sc->edges |= second;
    sc->blur = tk_rng_below(r, 10) < 3 ? 1 + (int)tk_rng_below(r, 2) : 0;
    sc->heavy_noise = tk_rng_below(r, 4) == 0;
    sc->shadow = tk_rng_below(r, g4 ? 5 : 2) == 0 ? TK_PICK(r, sides) : 0;
    sc->threshold = tk_rng_range(r, 140, 180);
    sc->bleed = (g4 ? tk_rng_range(r, 20, 35) : tk_rng_range(r, 6, 18)) / 100.0;
    sc->tone = g4 ? 255 : tk_rng_range(r, 205, 245);
    sc->tone_dx = g4 ? 0 : tk_rng_range(r, -12, 12);
    sc->tone_dy = g4 ? 0 : tk_rng_range(r, -12, 12);
    sc->shadow_depth = g4 ? tk_rng_range(r, 90, 160) : tk_rng_range(r, 60, 120);
    sc->shadow_width = tk_rng_range(r, 25, 60) / 100.0;
}

static void fill_disc(PIX *pix, int cx, int cy, int rad, int val)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int x, y;

    for (y = cy - rad; y <= cy + rad; y++) {
        if (y < 0 || y >= h)
            continue;
        for (x = cx - rad; x <= cx + rad; x++)
            if (x >= 0 && x < w && (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad)
                SET_DATA_BYTE(data + (size_t)y * wpl, x, val);
    }
}

/*
 * Punch n holes (2 or 3) near the left edge of an upright 8 bpp page: 6 mm
 * discs, their centres 0.4 inch in, where the scanner's dark lid shows
 * through.  The text starts 1 inch in, so no glyph is lost.
 */
void punch_holes(PIX *pix, int n, int dpi, tk_rng *r)
{
    static const double three[] = { 1.25, 5.5, 9.75 }, two[] = { 2.75, 8.25 };
    int k, h = pixGetHeight(pix);

    for (k = 0; k < n; k++) {
        double yin = n == 3 ? three[k] : two[k];
        int cx = (int)((0.4 + tk_rng_range(r, -5, 5) / 100.0) * dpi);
        int cy = (int)(yin / 11.0 * h) + tk_rng_range(r, -dpi / 20, dpi / 20);
        fill_disc(pix, cx, cy, (int)(0.118 * dpi), tk_rng_range(r, 10, 40));
    }
}

/*
 * The ghost of the front page seen through the paper: mirrored, faded to
 * opacity alpha, blurred.  Returns a new 8 bpp pix or NULL.
 */
static PIX *bleed_through(PIX *front, double alpha)
{
    PIX *flip = pixFlipLR(NULL, front), *out = NULL;
    l_int32 w, h, wpl, x, y;
    l_uint32 *data;

    if (!flip)
        return NULL;
    w = pixGetWidth(flip);
    h = pixGetHeight(flip);
    wpl = pixGetWpl(flip);
    data = pixGetData(flip);
    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            int v = GET_DATA_BYTE(row_data, x);
            SET_DATA_BYTE(row_data, x, 255 - (int)((255 - v) * alpha + 0.5));
        }
    }
    out = pixBlockconvGray(flip, NULL, 2, 2);
    pixDestroy(&flip);
    return out;
}

/*
 * Paper that is not white: a base tone, a slope across the page, and a
 * shadow falling off exponentially from one side.  Multiplies in place.
 */
static void paper_tone(PIX *pix, const scan *sc)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    double *col = tk_xmalloc((size_t)w * sizeof *col), *row = tk_xmalloc((size_t)h * sizeof *row);
    double wpx = sc->shadow_width * sc->dpi;
    l_int32 x, y;

    for (x = 0; x < w; x++) {
        col[x] = sc->tone + sc->tone_dx * ((double)x / w - 0.5);
        if (sc->shadow == EDGE_LEFT)
            col[x] -= sc->shadow_depth * exp(-x / wpx);
        else if (sc->shadow == EDGE_RIGHT)
            col[x] -= sc->shadow_depth * exp(-(w - 1 - x) / wpx);
    }
    for (y = 0; y < h; y++) {
        row[y] = sc->tone_dy * ((double)y / h - 0.5);
        if (sc->shadow == EDGE_TOP)
            row[y] -= sc->shadow_depth * exp(-y / wpx);
        else if (sc->shadow == EDGE_BOTTOM)
            row[y] -= sc->shadow_depth * exp(-(h - 1 - y) / wpx);
    }
    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            double bg = col[x] + row[y];
            int v;
            bg = bg < 0 ? 0 : bg > 255 ? 255 : bg;
            v = (int)(GET_DATA_BYTE(row_data, x) * bg / 255.0 + 0.5);
            SET_DATA_BYTE(row_data, x, v);
        }
    }
    free(col);
    free(row);
}

/*
 * Dark bands where the scanner saw past the paper: 0.06 to 0.3 inch wide
 * with a ragged inner boundary, nearly black.  In place.
 */
static void dark_edges(PIX *pix, int edges, int dpi, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int side;

    for (side = EDGE_LEFT; side <= EDGE_BOTTOM; side <<= 1) {
        int horizontal = side == EDGE_TOP || side == EDGE_BOTTOM;
        int len = horizontal ? w : h, across = horizontal ? h : w;
        int base = tk_rng_range(r, dpi * 6 / 100, dpi * 30 / 100), cur = base;
        int dark = tk_rng_range(r, 5, 45), i, j;

        if (!(edges & side))
            continue;
        for (i = 0; i < len; i++) {
            cur += tk_rng_range(r, -1, 1);
            if (cur < base / 2)
                cur = base / 2;
            if (cur > base * 3 / 2)
                cur = base * 3 / 2;
            for (j = 0; j < cur && j < across; j++) {
                int k = side == EDGE_LEFT || side == EDGE_TOP ? j : across - 1 - j;
                int x = horizontal ? i : k, y = horizontal ? k : i;
                SET_DATA_BYTE(data + (size_t)y * wpl, x, dark + (int)((tk_rng_next(r) >> 60) & 15));
            }
        }
    }
}

/* Sensor noise: roughly Gaussian with standard deviation sigma.  In place. */
static void sensor_noise(PIX *pix, double sigma, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    l_int32 x, y;
    /* four 16-bit uniforms summed: mean 2, standard deviation 1/sqrt(3) */
    double k = sigma * 1.7320508 / 65536.0;

    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            uint64_t z = tk_rng_next(r);
            long s = (long)(z & 0xFFFF) + (long)((z >> 16) & 0xFFFF) +
                     (long)((z >> 32) & 0xFFFF) + (long)(z >> 48) - 2 * 65536;
            int v = GET_DATA_BYTE(row_data, x) + (int)lround(s * k);
            SET_DATA_BYTE(row_data, x, v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/*
 * Scan one bench page.  paper is the rendered 8 bpp page at sc->dpi, already
 * punched; for a blank back side, its front.  Returns a new pix (1 bpp for
 * G4, 8 bpp otherwise) or NULL.
 */
PIX *scan_page(PIX *paper, const scan *sc, tk_rng *r)
{
    PIX *a = NULL, *b = NULL, *c = NULL, *d = NULL, *out = NULL;
    int i;

    a = sc->blank ? bleed_through(paper, sc->bleed) : pixClone(paper);
    if (!a)
        goto out;
    b = pixRotate(a, (float)(sc->skew * M_PI / 180.0), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
    if (!b)
        goto out;
    c = sc->turn ? pixRotateOrth(b, sc->turn) : pixCopy(NULL, b);
    if (!c)
        goto out;
    if (!sc->g4 || sc->shadow)
        paper_tone(c, sc);
    if (sc->edges)
        dark_edges(c, sc->edges, sc->dpi, r);
    d = pixClone(c);
    for (i = 0; i < sc->blur && d; i++) {
        PIX *e = pixBlockconvGray(d, NULL, 1, 1);
        pixDestroy(&d);
        d = e;
    }
    if (!d)
        goto out;
    sensor_noise(d, sc->g4 ? (sc->heavy_noise ? 25 : 8) : (sc->heavy_noise ? 12 : 4), r);
    tk_speckle(d, r, sc->heavy_noise ? 500 : 2500, 0);
    out = sc->g4 ? pixThresholdToBinary(d, sc->threshold) : pixClone(d);
    if (out)
        pixSetResolution(out, sc->dpi, sc->dpi);
out:
    pixDestroy(&d);
    pixDestroy(&c);
    pixDestroy(&b);
    pixDestroy(&a);
    return out;
}

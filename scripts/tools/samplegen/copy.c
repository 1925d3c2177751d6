/*
 * copy.c — what happened to a bench page on paper before it reached the
 * scanner: a hand stamp (a department's RECEIVED box over the header) and
 * a photocopy (the page the archive kept is a copy of the original).
 *
 * Both act on the upright rendered page (8 bpp, white paper, at the file's
 * dpi), before the scan (render.c) skews, turns, blurs and thresholds it.
 * Every parameter is drawn first into a `paperwork` from the page's own
 * stream (files.c), wide on purpose, so that the cleanup is tuned on the
 * kind of damage and not on one instance of it:
 *
 *   stamp      a box (single or double frame) of 1.4-2.8 x 0.6-1.1 inch
 *              (larger when its text needs it) with RECEIVED in 12-20 pt
 *              and a date and sometimes a department in 8-12 pt; or, on
 *              half of the stamps, drawn from a stream of their own
 *              (paperwork_draw_shape), the same lines in an oval frame, or
 *              bare: a date stamp's lines with no frame at all; rotated
 *              -8..8 degrees, its top 0.5-2.0 inch down and its centre
 *              2.8-6.4 inch across (over the header lines), stroke 1-4
 *              pixels at 300 dpi before scaling, ink of grey level 60-190
 *              (red, blue or violet ink as a grey scanner sees it), uneven
 *              over the stamp; multiplied into the page, so print under it
 *              stays as dark as it was.
 *   photocopy  contrast loss (black to grey 15-70), a toner-grey background
 *              (170-232) with uneven tone (slow waves and a slope of up to
 *              40 levels), toner grain, 30-600 dark specks of 1-14 pixels
 *              (some in clusters), a vertical toner streak on 75% of the
 *              copies and a second one on a third of those (1-7 pixels
 *              wide, grey 20-140, running 40-100% of the page height and
 *              fading in places), horizontal streaks on 35%, and a lid
 *              shadow on 60%: a dark band of 0.1-0.6 inch along one edge
 *              with a ragged inner boundary and a soft fall-off.  A copy
 *              scanned bilevel is thresholded at least 45 levels below its
 *              toner grey (files.c): the operator sets the scanner for the
 *              page, or its whole background would come out black.
 *
 * The printed text is the truth; the stamp's text is not.  --stamps lifted
 * and none (stamp_page) make the same pages with the stamp taken off again,
 * with the print under its dark ink, or never pressed: what a perfect stamp
 * cleanup could read on the very pages the cleanup is measured on;
 * --copies none (files.c) scans the originals of the photocopied pages.
 *
 * The oval and bare stamps came after the stamp cleanup was tuned (issue
 * 16): they are kept as a class the cleanup has not seen, and the bench
 * reports them apart ("stamp-box", "stamp-round", "stamp-plain" tags).
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <leptonica/allheaders.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAMP_PERCENT 10
#define COPY_PERCENT  12

void paperwork_draw(paperwork *pw, tk_rng *r)
{
    static const char *const depts[] = { "MEDICAL RECORDS", "HEALTH INFORMATION", "ADMISSIONS",
                                         "RECORDS DEPT", "PATIENT ACCOUNTS" };
    static const char *const months[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    int i;

    memset(pw, 0, sizeof *pw);
    /* everything is drawn whether used or not, so one choice never shifts another */
    pw->stamp = tk_rng_below(r, 100) < STAMP_PERCENT;
    pw->copy = tk_rng_below(r, 100) < COPY_PERCENT;
    /* the stamp */
    snprintf(pw->date, sizeof pw->date, "%02d %s %d", tk_rng_range(r, 1, 28), TK_PICK(r, months),
             tk_rng_range(r, 1978, 2012));
    pw->dept = TK_PICK(r, depts);
    pw->with_dept = tk_rng_below(r, 2);
    pw->double_frame = tk_rng_below(r, 3) == 0;
    pw->big_font = 2 * tk_rng_range(r, 6, 10);
    pw->small_font = 2 * tk_rng_range(r, 4, 6);
    pw->stamp_w = tk_rng_range(r, 140, 280) / 100.0;
    pw->stamp_h = tk_rng_range(r, 60, 110) / 100.0;
    pw->stamp_x = tk_rng_range(r, 280, 640) / 100.0;
    pw->stamp_y = tk_rng_range(r, 50, 200) / 100.0;
    pw->stamp_angle = tk_rng_range(r, -800, 800) / 100.0;
    pw->stamp_stroke = tk_rng_range(r, 1, 4);
    pw->stamp_ink = tk_rng_range(r, 60, 190);
    pw->stamp_fade = tk_rng_range(r, 0, 45) / 100.0;
    /* the photocopy */
    pw->black = tk_rng_range(r, 15, 70);
    pw->toner = tk_rng_range(r, 170, 232);
    for (i = 0; i < 4; i++) {
        pw->wave_amp[i] = tk_rng_range(r, 0, 14);
        pw->wave_freq[i] = tk_rng_range(r, 50, 300) / 100.0;
        pw->wave_phase[i] = tk_rng_range(r, 0, 628) / 100.0;
    }
    pw->slope_x = tk_rng_range(r, -20, 20);
    pw->slope_y = tk_rng_range(r, -20, 20);
    pw->grain = tk_rng_range(r, 2, 10);
    pw->specks = tk_rng_range(r, 30, 600);
    pw->vstreaks = tk_rng_below(r, 4) ? 1 + (tk_rng_below(r, 3) == 0) : 0;
    pw->hstreaks = tk_rng_below(r, 100) < 35 ? 1 + (int)tk_rng_below(r, 2) : 0;
    pw->lid = tk_rng_below(r, 10) < 6 ? 1 << tk_rng_below(r, 4) : 0;
    pw->lid_width = tk_rng_range(r, 10, 60) / 100.0;
    pw->lid_dark = tk_rng_range(r, 5, 60);
}

void paperwork_draw_shape(paperwork *pw, tk_rng *r)
{
    unsigned v = (unsigned)tk_rng_below(r, 4);

    pw->stamp_shape = v < 2 ? STAMP_BOX : v == 2 ? STAMP_ROUND : STAMP_PLAIN;
}

/* ---- pixels ---- */

static int clampv(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (int)(v + 0.5);
}

/* Darken pixel (x, y) of pix towards level by fraction a (0..1): multiply. */
static void darken(l_uint32 *data, int wpl, int x, int y, int level, double a)
{
    l_uint32 *row_data = data + (size_t)y * wpl;
    int v = GET_DATA_BYTE(row_data, x);
    double f = 1.0 - a * (1.0 - level / 255.0);

    SET_DATA_BYTE(row_data, x, clampv(v * f));
}

/* ---- the stamp ---- */

/* A ring of width t on the ellipse inscribed in pix's box, inset by inset. */
static void ring(PIX *pix, int inset, int t)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), x, y;
    double a = w / 2.0 - inset, b = h / 2.0 - inset, cx = w / 2.0, cy = h / 2.0;

    for (y = 0; y < h; y++) {
        for (x = 0; x < w; x++) {
            double dx = (x - cx) / a, dy = (y - cy) / b, d = sqrt(dx * dx + dy * dy);
            /* pixels from the ellipse d = 1: (d - 1) over the gradient of d */
            double g = sqrt(dx * dx / (a * a) + dy * dy / (b * b));
            if (g > 0 && fabs(d - 1.0) * d / g < t / 2.0)
                pixSetPixel(pix, x, y, 1);
        }
    }
}

/* The text block *pb moved into an oval frame (one or two rings) around
 * it, wide enough that the text's corners stay inside. */
static int oval(PIX **pb, int twice)
{
    l_int32 w = pixGetWidth(*pb), h = pixGetHeight(*pb);
    int ow = (int)(w * 1.45), oh = (int)(h * 1.6);
    PIX *o = pixCreate(ow, oh, 1);

    if (!o)
        return -1;
    pixRasterop(o, (ow - w) / 2, (oh - h) / 2, w, h, PIX_SRC | PIX_DST, *pb, 0, 0);
    ring(o, 4, 4);
    if (twice)
        ring(o, 14, 2);
    pixDestroy(pb);
    *pb = o;
    return 0;
}

/* The stamp drawn black on white at 300 dpi, upright (8 bpp), or NULL. */
static PIX *stamp_image(const paperwork *pw)
{
    L_BMF *big = bmfCreate(NULL, pw->big_font), *small = bmfCreate(NULL, pw->small_font);
    PIX *b1 = NULL, *thick = NULL, *out = NULL;
    int w = (int)(pw->stamp_w * 300), h = (int)(pw->stamp_h * 300), tw = 0, ovf = 0;
    int lines = pw->with_dept ? 3 : 2, gap, y, i;
    const char *text[3];

    if (!big || !small)
        goto out;
    text[0] = "RECEIVED";
    text[1] = pw->date;
    text[2] = pw->dept;
    /* the box is at least as large as its text */
    for (i = 0; i < lines; i++) {
        bmfGetStringWidth(i == 0 ? big : small, text[i], &tw);
        if (tw + 60 > w)
            w = tw + 60;
    }
    if (h < big->lineheight + (lines - 1) * small->lineheight + 40)
        h = big->lineheight + (lines - 1) * small->lineheight + 40;
    gap = h / (lines + 1);
    if ((b1 = pixCreate(w, h, 1)) == NULL)
        goto out;
    for (i = 0; i < lines; i++) {
        L_BMF *f = i == 0 ? big : small;
        bmfGetStringWidth(f, text[i], &tw);
        y = gap * (i + 1) + f->baselinetab[93] / 2;
        pixSetTextline(b1, f, text[i], 1, (w - tw) / 2 > 0 ? (w - tw) / 2 : 0, y, NULL, &ovf);
    }
    for (i = 0; pw->stamp_shape == STAMP_BOX && i <= pw->double_frame; i++) {
        BOX *box = i ? boxCreate(14, 14, w - 28, h - 28) : boxCreate(4, 4, w - 8, h - 8);
        if (box)
            pixRenderBox(b1, box, i ? 2 : 4, L_SET_PIXELS);
        boxDestroy(&box);
    }
    if (pw->stamp_shape == STAMP_ROUND && oval(&b1, pw->double_frame) < 0)
        goto out;
    thick = pw->stamp_stroke > 1 ? pixDilateBrick(NULL, b1, pw->stamp_stroke, pw->stamp_stroke)
                                 : pixClone(b1);
    pixDestroy(&b1);
    /* room to turn in: rotation keeps the size and would cut the corners off */
    if (thick)
        b1 = pixAddBorder(thick, w / 10, 0);
    if (b1)
        out = pixConvert1To8(NULL, b1, 255, 0);
out:
    pixDestroy(&thick);
    pixDestroy(&b1);
    bmfDestroy(&big);
    bmfDestroy(&small);
    return out;
}

/*
 * Press the stamp onto the upright page (8 bpp at dpi), in place.  how is
 * a STAMPS_* mode (--stamps): STAMPS_LIFTED whitens, instead, every pixel
 * where the stamp's ink alone on white paper would be darker than cut (the
 * scan's threshold): the stamp is gone, and so is the print its ink lay on
 * wherever a bilevel scan could not have told the two apart.  STAMPS_NONE
 * leaves the page as it is.  Every draw is made whatever how is, so that
 * the rest of the page (its photocopy, its scan) stays the same.
 */
void stamp_page(PIX *paper, const paperwork *pw, int dpi, int how, int cut, tk_rng *r)
{
    PIX *up = stamp_image(pw), *scaled = NULL, *rot = NULL;
    l_int32 pw_, ph, sw, sh, wpl, swpl, x, y;
    l_uint32 *data, *sdata;
    int x0, y0;
    double fx = tk_rng_range(r, 0, 628) / 100.0, fy = tk_rng_range(r, 0, 628) / 100.0;

    if (!up)
        return;
    scaled = dpi == 300 ? pixClone(up) : pixScale(up, dpi / 300.0f, dpi / 300.0f);
    if (scaled)
        rot = pixRotate(scaled, (float)(pw->stamp_angle * M_PI / 180.0), L_ROTATE_AREA_MAP,
                        L_BRING_IN_WHITE, 0, 0);
    if (!rot)
        goto out;
    pw_ = pixGetWidth(paper);
    ph = pixGetHeight(paper);
    wpl = pixGetWpl(paper);
    data = pixGetData(paper);
    sw = pixGetWidth(rot);
    sh = pixGetHeight(rot);
    swpl = pixGetWpl(rot);
    sdata = pixGetData(rot);
    x0 = (int)(pw->stamp_x * dpi) - sw / 2;
    y0 = (int)(pw->stamp_y * dpi);
    for (y = 0; y < sh; y++) {
        for (x = 0; x < sw; x++) {
            int v = GET_DATA_BYTE(sdata + (size_t)y * swpl, x), px = x0 + x, py = y0 + y;
            double a, uneven;
            if (v == 255 || px < 0 || py < 0 || px >= pw_ || py >= ph)
                continue;
            /* ink runs out across the stamp and in blotches */
            uneven = 1.0 - pw->stamp_fade * (0.5 + 0.5 * sin(fx + 6.0 * x / sw)
                                             * cos(fy + 4.0 * y / sh));
            a = (255 - v) / 255.0 * uneven * (0.85 + 0.15 * ((tk_rng_next(r) >> 61) / 7.0));
            if (how == STAMPS_PRESSED)
                darken(data, wpl, px, py, pw->stamp_ink, a);
            else if (how == STAMPS_LIFTED && 255.0 * (1.0 - a * (1.0 - pw->stamp_ink / 255.0)) < cut)
                SET_DATA_BYTE(data + (size_t)py * wpl, px, 255);
        }
    }
out:
    pixDestroy(&rot);
    pixDestroy(&scaled);
    pixDestroy(&up);
}

/* ---- the photocopy ---- */

/* Contrast loss, toner background with uneven tone, and grain.  In place. */
static void toner(PIX *pix, const paperwork *pw, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix), x, y;
    l_uint32 *data = pixGetData(pix);
    double *col = tk_xmalloc((size_t)w * sizeof *col), *row = tk_xmalloc((size_t)h * sizeof *row);

    for (x = 0; x < w; x++)
        col[x] = pw->slope_x * ((double)x / w - 0.5)
                 + pw->wave_amp[0] * sin(pw->wave_phase[0] + 2 * M_PI * pw->wave_freq[0] * x / w)
                 + pw->wave_amp[1] * sin(pw->wave_phase[1] + 2 * M_PI * pw->wave_freq[1] * x / w);
    for (y = 0; y < h; y++)
        row[y] = pw->slope_y * ((double)y / h - 0.5)
                 + pw->wave_amp[2] * sin(pw->wave_phase[2] + 2 * M_PI * pw->wave_freq[2] * y / h)
                 + pw->wave_amp[3] * sin(pw->wave_phase[3] + 2 * M_PI * pw->wave_freq[3] * y / h);
    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            double bg = pw->toner + col[x] + row[y];
            int v = GET_DATA_BYTE(row_data, x);
            double g = (double)((tk_rng_next(r) >> 56) & 0xFF) / 255.0 - 0.5;
            SET_DATA_BYTE(row_data, x, clampv(pw->black + (bg - pw->black) * v / 255.0
                                          + 2 * pw->grain * g));
        }
    }
    free(col);
    free(row);
}

/* A dark speck: one to three overlapping discs, radius rad pixels. */
static void speck(PIX *pix, int cx, int cy, double rad, int level, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int lobes = 1 + (int)tk_rng_below(r, 3), k, x, y;

    for (k = 0; k < lobes; k++) {
        double rr = k ? rad * tk_rng_range(r, 40, 90) / 100.0 : rad;
        int ox = k ? tk_rng_range(r, -(int)rad - 1, (int)rad + 1) : 0;
        int oy = k ? tk_rng_range(r, -(int)rad - 1, (int)rad + 1) : 0;
        int ir = (int)ceil(rr) + 1;
        for (y = cy + oy - ir; y <= cy + oy + ir; y++) {
            for (x = cx + ox - ir; x <= cx + ox + ir; x++) {
                double d = hypot(x - cx - ox, y - cy - oy) - rr;
                if (x < 0 || y < 0 || x >= w || y >= h || d > 0.7)
                    continue;
                darken(data, wpl, x, y, level, d < -0.3 ? 1.0 : (0.7 - d));
            }
        }
    }
}

/* Specks: mostly small, some large, a quarter of them in clusters. */
static void specks(PIX *pix, const paperwork *pw, int dpi, tk_rng *r)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), i, cx = 0, cy = 0;
    double scale = dpi / 300.0;

    for (i = 0; i < pw->specks; i++) {
        unsigned size = tk_rng_below(r, 100);
        double rad = size < 70 ? tk_rng_range(r, 5, 15) / 10.0
                   : size < 95 ? tk_rng_range(r, 15, 35) / 10.0 : tk_rng_range(r, 35, 70) / 10.0;
        int x, y;
        if (i % 4 == 0 || tk_rng_below(r, 4)) {
            cx = (int)tk_rng_below(r, (unsigned)w);
            cy = (int)tk_rng_below(r, (unsigned)h);
            x = cx;
            y = cy;
        } else {
            x = cx + tk_rng_range(r, -dpi / 6, dpi / 6);
            y = cy + tk_rng_range(r, -dpi / 6, dpi / 6);
        }
        speck(pix, x, y, rad * scale, tk_rng_range(r, 5, 90), r);
    }
}

/* A toner streak: vertical (or horizontal) at pos, width px, fading in places. */
static void streak(PIX *pix, int vertical, int pos, int width, int level, double from, double to,
                   tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int len = vertical ? h : w, i, j, a = (int)(from * len), b = (int)(to * len);
    double strength = 1.0, target = 1.0;

    for (i = a; i < b; i++) {
        if (tk_rng_below(r, 200) == 0)
            target = tk_rng_range(r, 30, 100) / 100.0;    /* the toner thins and recovers */
        strength += (target - strength) * 0.02;
        for (j = 0; j < width; j++) {
            int x = vertical ? pos + j : i, y = vertical ? i : pos + j;
            double edge = (j == 0 || j == width - 1) && width > 2 ? 0.6 : 1.0;
            if (x >= 0 && y >= 0 && x < w && y < h)
                darken(data, wpl, x, y, level, strength * edge);
        }
    }
}

/* The copier's lid shadow: a dark band along one edge, ragged, soft inside. */
static void lid_shadow(PIX *pix, const paperwork *pw, int dpi, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int horizontal = pw->lid == EDGE_TOP || pw->lid == EDGE_BOTTOM;
    int len = horizontal ? w : h, across = horizontal ? h : w;
    int base = (int)(pw->lid_width * dpi), cur = base, soft = dpi / 8, i, j;

    for (i = 0; i < len; i++) {
        cur += tk_rng_range(r, -2, 2);
        if (cur < base * 2 / 3)
            cur = base * 2 / 3;
        if (cur > base * 4 / 3)
            cur = base * 4 / 3;
        for (j = 0; j < cur + soft && j < across; j++) {
            int k = pw->lid == EDGE_LEFT || pw->lid == EDGE_TOP ? j : across - 1 - j;
            int x = horizontal ? i : k, y = horizontal ? k : i;
            double a = j < cur ? 1.0 : 1.0 - (double)(j - cur) / soft;
            darken(data, wpl, x, y, pw->lid_dark + (int)((tk_rng_next(r) >> 59) & 31), a);
        }
    }
}

/* Photocopy the upright page (8 bpp at dpi), in place. */
void photocopy_page(PIX *paper, const paperwork *pw, int dpi, tk_rng *r)
{
    int w = pixGetWidth(paper), h = pixGetHeight(paper), i;
    double scale = dpi / 300.0;

    toner(paper, pw, r);
    specks(paper, pw, dpi, r);
    for (i = 0; i < pw->vstreaks; i++) {
        double from = tk_rng_range(r, 0, 60) / 100.0, to = from + tk_rng_range(r, 40, 100) / 100.0;
        streak(paper, 1, tk_rng_range(r, dpi / 2, w - dpi / 2),
               (int)ceil(tk_rng_range(r, 1, 7) * scale), tk_rng_range(r, 20, 140),
               from, to > 1.0 ? 1.0 : to, r);
    }
    for (i = 0; i < pw->hstreaks; i++) {
        double from = tk_rng_range(r, 0, 50) / 100.0, to = from + tk_rng_range(r, 30, 100) / 100.0;
        streak(paper, 0, tk_rng_range(r, dpi / 2, h - dpi / 2),
               (int)ceil(tk_rng_range(r, 1, 4) * scale), tk_rng_range(r, 30, 150),
               from, to > 1.0 ? 1.0 : to, r);
    }
    if (pw->lid)
        lid_shadow(paper, pw, dpi, r);
}

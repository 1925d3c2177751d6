/*
 * stamp_words.c — inside a stamp's box, the printed lines told from the
 * stamp's words (stamp.c, note 2), and the stamp's words whitened.
 *
 * Interface routines:
 *   cs_ocr_stamp_words   whiten the stamp's words in its box, keeping the print
 *
 * Notes:
 *   1. Print inside the box is what lies on a printed line seen beside
 *      the box and is chained to that line's print across gaps of at most
 *      CS_STAMP_GAP text heights.  A form's fields stand farther apart
 *      ("Patient: ...      MRN: ..."): across a gap of up to
 *      CS_STAMP_FIELD text heights the chain goes on only at a letter that
 *      stands on the line (on_line: its foot on the line's baseline, its
 *      top within the line, at least two thirds of the line's height, and
 *      the gap between the lines clear above it), which a stamp's letters,
 *      taller and set on their own slant, or their pieces, do not.  Before
 *      this rule an MRN beside a stamp's frame was taken with the stamp's
 *      words.  Stamped bench pages, character errors: tuning seeds 1-3 and
 *      10-12 (72 pages) 883 -> 851, held-out seeds 4-9 (78) 1080 -> 1063,
 *      no page worse.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>

#define CS_STAMP_GAP   5        /* text heights: print chained across gaps this wide */
#define CS_STAMP_FIELD 15       /* text heights: ... and to a letter on the line across these */

/* A printed line that runs beside a stamp's box (stamp.c, note 2), in page rows. */
typedef struct band {
    int top, bottom;             /* its rows with ink beside the box */
    int base;                    /* its baseline */
    int left, right;             /* its print nearest the box on either side, or -1 */
    int reach_l, reach_r;        /* how far into the box the print chained from either side reaches */
} band;

#define MAX_BANDS 64

/*
 * The printed lines beside the box bx, by, bw, bh of pix (th: text height):
 * their ink is counted row by row outside the box (and a text height away
 * from it, where the frame's corners may stick out), over the box's rows
 * and a text height more above and below.  Returns the number of lines
 * found, at most MAX_BANDS, or -1 on error.
 */
static int print_bands(PIX *pix, l_int32 bx, l_int32 by, l_int32 bw, l_int32 bh, int th,
                       band *bands)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix), margin = th;
    int y0 = by - th > 0 ? by - th : 0, y1 = by + bh + th < h ? by + bh + th : h, n = 0;
    l_uint32 *data = pixGetData(pix);
    int *ink = calloc((size_t)(y1 - y0), sizeof *ink), *left = malloc((size_t)(y1 - y0) * sizeof *left),
        *right = malloc((size_t)(y1 - y0) * sizeof *right);

    if (!ink || !left || !right) {
        n = -1;
        goto out;
    }
    for (int y = y0; y < y1; y++) {
        l_uint32 *line = data + (size_t)y * wpl;
        left[y - y0] = right[y - y0] = -1;
        for (int x = 0; x < w; x++) {
            if ((x >= bx - margin && x < bx + bw + margin) || !GET_DATA_BIT(line, x))
                continue;
            ink[y - y0]++;
            if (x < bx)
                left[y - y0] = x;
            else if (right[y - y0] < 0)
                right[y - y0] = x;
        }
    }
    for (int y = 0; y < y1 - y0 && n < MAX_BANDS;) {
        int a, b, gap, peak = 0;
        band *bd = &bands[n];

        if (ink[y] < 2) {
            y++;
            continue;
        }
        /* a line: rows with ink, across gaps of less than a fifth of the text height */
        for (a = b = y, gap = 0; y < y1 - y0 && gap <= th / 5; y++) {
            if (ink[y] >= 2) {
                b = y;
                gap = 0;
            } else {
                gap++;
            }
        }
        if (b - a + 1 < th / 3)
            continue;                    /* a speck's rows, a rule: no line of print */
        bd->top = y0 + a;
        bd->bottom = y0 + b;
        bd->left = bd->right = bd->reach_l = bd->reach_r = -1;
        for (int k = a; k <= b; k++) {
            peak = ink[k] > peak ? ink[k] : peak;
            bd->left = left[k] > bd->left ? left[k] : bd->left;
            if (right[k] >= 0 && (bd->right < 0 || right[k] < bd->right))
                bd->right = right[k];
        }
        /* the baseline: the last row with a quarter of the peak's ink
         * (below it only descenders) */
        for (int k = a; k <= b; k++)
            if (4 * ink[k] >= peak)
                bd->base = y0 + k;
        n++;
    }
out:
    free(right);
    free(left);
    free(ink);
    return n;
}

/*
 * The line (index into bands) within whose rows a component at cy, height
 * ch lies, as a letter or a mark of print would (a quarter text height th
 * of slack for ascenders and descenders); -1 when none.  Whether it is
 * print is then up to its distance from the line's print (chain).
 */
static int on_band(const band *bands, int n, l_int32 cy, l_int32 ch, int th)
{
    for (int i = 0; i < n; i++)
        if (cy >= bands[i].top - th / 4 && cy + ch - 1 <= bands[i].bottom + th / 4)
            return i;
    return -1;
}

/* Clear in comp (at page row cy; modified) the rows of band b down to
 * its baseline (and an eighth of a text height th below it, for the foot
 * of a letter): what is left is the stamp's part of a component in which
 * print and stamp run together.  A descender's tail goes with it. */
static int off_band(PIX *comp, l_int32 cy, const band *b, int th)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), bottom = b->base + th / 8;

    for (int y = 0; y < h; y++)
        if (cy + y >= b->top && cy + y <= bottom
            && pixRasterop(comp, 0, y, w, 1, PIX_CLR, NULL, 0, 0) != 0)
            return -1;
    return 0;
}

/* A component's left edge and index, ordered by left edge (qsort). */
typedef struct edge_ix {
    l_int32 x;
    int i;
} edge_ix;

static int by_left(const void *a, const void *b)
{
    l_int32 xa = ((const edge_ix *)a)->x, xb = ((const edge_ix *)b)->x;

    return (xa > xb) - (xa < xb);
}

/*
 * 1 when the component at page cx, cy (cw x ch) of pix stands on band b
 * as a letter of its print (note 1): its foot on the baseline and its top
 * within the line (th/8 either way), at least two thirds of the line's
 * height above the baseline and at most one and a half text heights th,
 * and the gap between the lines above it (half a text height) all but
 * clear of ink, where a piece of a taller letter has the rest of it.
 */
static int on_line(PIX *pix, const band *b, l_int32 cx, l_int32 cy, l_int32 cw, l_int32 ch,
                   int th)
{
    int tol = th / 8 > 2 ? th / 8 : 2, over = th / 2 - 1;
    l_int32 above = 0;
    BOX *box;

    if (abs(cy + ch - 1 - b->base) > tol || cy < b->top - tol
        || 3 * ch < 2 * (b->base - b->top + 1) || 2 * ch > 3 * th || cy - over < 0 || over < 1)
        return 0;
    if ((box = boxCreate(cx, cy - over, cw, over)) == NULL
        || pixCountPixelsInRect(pix, box, &above, NULL) != 0)
        above = cw * over;
    boxDestroy(&box);
    return 20 * above <= cw * over;
}

/*
 * Mark in keep[] the components of line bi that are chained to the print
 * beside the box: from the line's nearest print on the left, rightwards,
 * each within gap of the last one kept, or within field of it when it
 * stands on the line (on_line); the same from the right.  order[] lists
 * the components by left edge; x, y offset them to page columns and rows
 * of pix; th is the text height.
 */
static void chain(PIX *pix, BOXA *boxa, const edge_ix *order, int n, const int *line, int bi,
                  band *b, l_int32 x, l_int32 y, int th, int gap, int field, unsigned char *keep)
{
    if (b->left >= 0) {
        int edge = b->left;
        for (int k = 0; k < n; k++) {
            l_int32 cx, cy, cw, ch;
            int i = order[k].i;
            if (line[i] != bi)
                continue;
            boxaGetBoxGeometry(boxa, i, &cx, &cy, &cw, &ch);
            if (x + cx - edge > field)
                break;
            if (x + cx - edge > gap && !on_line(pix, b, x + cx, y + cy, cw, ch, th))
                continue;        /* across a field's gap, only a letter on the line */
            keep[i] = 1;
            edge = x + cx + cw > edge ? x + cx + cw : edge;
        }
        b->reach_l = edge;
    }
    if (b->right >= 0) {
        int edge = b->right;
        for (int k = n - 1; k >= 0; k--) {
            l_int32 cx, cy, cw, ch;
            int i = order[k].i;
            if (line[i] != bi)
                continue;
            boxaGetBoxGeometry(boxa, i, &cx, &cy, &cw, &ch);
            /* sorted by left edge: a wider one further left may still reach */
            if (edge - (x + cx + cw) > field
                || (edge - (x + cx + cw) > gap && !on_line(pix, b, x + cx, y + cy, cw, ch, th)))
                continue;
            keep[i] = 1;
            edge = x + cx < edge ? x + cx : edge;
        }
        b->reach_r = edge;
    }
}

/*!
 * cs_ocr_stamp_words()
 *
 *      Input:  pix (1 bpp page, the stamp's frame already whitened; modified)
 *              bx, by, bw, bh (the frame's box)
 *              th (the page's text height, cs_ocr_text_height)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) Whitens the stamp's components inside the box and keeps the
 *          print (stamp.c, note 2; note 1 above).
 */
int cs_ocr_stamp_words(PIX *pix, int bx, int by, int bw, int bh, int th)
{
    BOX *box = boxCreate(bx, by, bw, bh);
    PIX *inside = NULL;
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    band bands[MAX_BANDS];
    int *line = NULL, nb, n, gap = CS_STAMP_GAP * th, rc = -1;
    unsigned char *keep = NULL;
    edge_ix *order = NULL;

    if (!box || (inside = pixClipRectangle(pix, box, NULL)) == NULL
        || (boxa = pixConnComp(inside, &pixa, 8)) == NULL
        || (nb = print_bands(pix, bx, by, bw, bh, th, bands)) < 0)
        goto out;
    n = boxaGetCount(boxa);
    line = malloc(((size_t)n + 1) * sizeof *line);
    order = malloc(((size_t)n + 1) * sizeof *order);
    keep = calloc((size_t)n + 1, 1);
    if (!line || !order || !keep)
        goto out;
    for (int i = 0; i < n; i++) {
        l_int32 cy, ch;
        boxaGetBoxGeometry(boxa, i, NULL, &cy, NULL, &ch);
        line[i] = 2 * ch <= 3 * th ? on_band(bands, nb, by + cy, ch, th) : -1;
        boxaGetBoxGeometry(boxa, i, &order[i].x, NULL, NULL, NULL);
        order[i].i = i;
    }
    qsort(order, (size_t)n, sizeof *order, by_left);
    for (int b = 0; b < nb; b++)
        chain(pix, boxa, order, n, line, b, &bands[b], bx, by, th, gap, CS_STAMP_FIELD * th,
              keep);
    for (int i = 0; i < n; i++) {
        l_int32 cx, cy, cw, ch;
        PIX *comp;
        int merged = -1;

        if (keep[i])
            continue;                    /* print */
        boxaGetBoxGeometry(boxa, i, &cx, &cy, &cw, &ch);
        /* print and stamp run together: keep the rows of a line it starts
         * or ends near the line's print */
        for (int b = 0; b < nb && merged < 0 && line[i] < 0; b++) {
            const band *bd = &bands[b];
            int lo = by + cy > bd->top ? by + cy : bd->top;
            int hi = by + cy + ch - 1 < bd->bottom ? by + cy + ch - 1 : bd->bottom;
            if (by + cy <= bd->base && by + cy + ch > bd->base && 2 * (hi - lo + 1) >= ch
                && ((bd->reach_l >= 0 && bx + cx - bd->reach_l <= gap)
                    || (bd->reach_r >= 0 && bd->reach_r - (bx + cx + cw) <= gap)))
                merged = b;
        }
        comp = pixaGetPix(pixa, i, L_CLONE);
        if (merged >= 0 && off_band(comp, by + cy, &bands[merged], th) < 0) {
            pixDestroy(&comp);
            goto out;
        }
        pixRasterop(pix, bx + cx, by + cy, cw, ch, PIX_DST & PIX_NOT(PIX_SRC), comp, 0, 0);
        pixDestroy(&comp);
    }
    rc = 0;
out:
    free(keep);
    free(order);
    free(line);
    pixaDestroy(&pixa);
    boxaDestroy(&boxa);
    pixDestroy(&inside);
    boxDestroy(&box);
    return rc;
}

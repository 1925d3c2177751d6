/*
 * stamp_oval.c — the shape of a stamp's frame (stamp.c, notes 6 and 8):
 * the closed outline it draws whatever its shape, and, for a round frame
 * that the threshold broke into arcs, the ellipse the arcs lie on, fitted
 * to them and checked against the page.
 *
 * Interface routines:
 *   cs_ocr_stamp_outline   a frame's closed outline, and how much of it is straight
 *   cs_ocr_oval_ring       the ink along the ellipse a broken frame lies on
 *
 * Notes:
 *   1. The outline is what of the frame's component lies within a stroke's
 *      width of both the hole it holds (at least half its width and
 *      height) and the outside.  A frame whose strokes came out of the
 *      threshold with gaps holds no hole: its own pixels (not the page's)
 *      are closed over gaps of up to 1/30, 1/12 and 1/6 inch in turn
 *      until one appears, for finding the hole only.
 *   2. A round frame broken into arcs that leave no hole even then: its
 *      largest piece's pixels are fitted with a conic, a u^2 + b uv + c v^2
 *      + d u + e v = 1, by least squares on coordinates taken about the
 *      piece's centre and divided by its half size (one scale for both
 *      axes, so that distances stay round).  Print letters that joined the
 *      piece pull the fit: each pixel's distance from the curve is taken
 *      as its value over its gradient (Sampson's first-order distance), and
 *      the fit is made again on the pixels within OVAL_NEAR of the curve,
 *      OVAL_ROUNDS times.
 *   3. The curve is a stamp's frame when it is an ellipse of a stamp's size,
 *      at least OVAL_ON of the piece's pixels lie on it, and the page has
 *      ink near at least OVAL_COVER of the points around it: the arcs of
 *      a broken frame do, the corners of a box or a block of print do not.
 *      Nothing of the page's layout is assumed, and what the fit proposes
 *      is checked on the page.
 *   4. The ring is every ink pixel of the page within the frame's stroke
 *      of the curve (the 90th percentile of the fitted pixels' distance,
 *      and two pixels), wherever it lies: arcs that came apart from the
 *      piece, and the print they cross, which stamp.c mends as it mends
 *      a box's strokes.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OVAL_ROUNDS 3
#define OVAL_NEAR(dpi) ((dpi) / 40.0)   /* pixels: a fortieth of an inch */
#define OVAL_ON     0.5                 /* share of the piece's pixels on the curve */
#define OVAL_COVER  0.6                 /* share of the curve with ink near it */
#define OVAL_STEPS  360                 /* points tried around the curve */
#define OVAL_POINTS 20000               /* most of the piece's pixels fitted */
#define OVAL_MIN_W  0.8                 /* inch: the smallest round frame */
#define OVAL_MIN_H  0.3

/*
 * The pixels of comp within reach (k x k) of both its inside (the hole
 * held by its outline, inside) and its outside: the outline itself and
 * where letters cross it.  A new pix, or NULL.
 */
static PIX *between(PIX *comp, PIX *inside, PIX *outside, int k)
{
    PIX *near_in = pixDilateBrick(NULL, inside, k, k);
    PIX *near_out = near_in ? pixDilateBrick(NULL, outside, k, k) : NULL;

    if (near_out) {
        pixAnd(near_in, near_in, near_out);
        pixAnd(near_in, near_in, comp);
    } else {
        pixDestroy(&near_in);
    }
    pixDestroy(&near_out);
    return near_in;
}

/*
 * The hole of at least half comp's width and height that comp holds, its
 * gaps closed if need be (note 1), in *pinside, and what lies outside
 * comp and its holes in *poutside; both NULL when there is none.
 * 0 if OK, -1 on error.
 */
static int hole_of(PIX *comp, int dpi, PIX **pinside, PIX **poutside)
{
    const int gaps[] = { 0, dpi / 30 | 1, dpi / 12 | 1, dpi / 6 | 1 };
    int w = pixGetWidth(comp), h = pixGetHeight(comp), rc = -1;
    PIX *shape = NULL, *holes = NULL, *inside = NULL;
    l_int32 count = 0;

    *pinside = *poutside = NULL;
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        pixDestroy(&shape);
        pixDestroy(&holes);
        pixDestroy(&inside);
        if ((shape = gaps[i] ? pixCloseSafeBrick(NULL, comp, gaps[i], gaps[i])
                             : pixClone(comp)) == NULL
            || (holes = pixHolesByFilling(shape, 4)) == NULL
            || (inside = pixSelectBySize(holes, w / 2, h / 2, 8, L_SELECT_IF_BOTH,
                                         L_SELECT_IF_GTE, NULL)) == NULL
            || pixCountPixels(inside, &count, NULL) != 0)
            goto out;
        if (count > 0)
            break;
    }
    if (count > 0) {
        if ((*poutside = pixOr(NULL, holes, shape)) == NULL)
            goto out;
        pixInvert(*poutside, *poutside);
        *pinside = inside;
        inside = NULL;
    }
    rc = 0;
out:
    pixDestroy(&inside);
    pixDestroy(&holes);
    pixDestroy(&shape);
    return rc;
}

/*!
 * cs_ocr_stamp_outline()
 *
 *      Input:  comp (a frame's component)
 *              strokes (its straight strokes, the size of comp)
 *              dpi (the page's resolution)
 *              pstraight (<return> the share of the outline's pixels on strokes)
 *      Return: the closed outline of comp whatever its shape (note 1), a
 *              new pix the size of comp; NULL when comp holds no hole of at
 *              least half its size even with its gaps closed, or on error
 *
 *  Notes:
 *      (1) The stroke's width is measured first, as the pixels within a
 *          wide reach of both the hole and the outside over the hole's
 *          perimeter; the outline reaches that width and two pixels more.
 */
PIX *cs_ocr_stamp_outline(PIX *comp, PIX *strokes, int dpi, float *pstraight)
{
    int k = dpi / 15 | 1;
    l_int32 count = 0, perim = 0, on = 0;
    PIX *inside = NULL, *outside = NULL, *edge = NULL, *ring = NULL;

    *pstraight = 1.0f;
    if (hole_of(comp, dpi, &inside, &outside) < 0 || !inside)
        goto out;
    if ((edge = pixDilateBrick(NULL, inside, 3, 3)) == NULL
        || (ring = between(comp, inside, outside, k)) == NULL)
        goto out;
    pixSubtract(edge, edge, inside);
    pixCountPixels(edge, &perim, NULL);
    pixCountPixels(ring, &count, NULL);
    k = 2 * (int)ceil((double)count / (perim > 0 ? perim : 1)) + 5;
    pixDestroy(&ring);
    if ((ring = between(comp, inside, outside, k)) == NULL)
        goto out;
    pixCountPixels(ring, &count, NULL);
    pixDestroy(&edge);
    if ((edge = pixAnd(NULL, ring, strokes)) == NULL) {
        pixDestroy(&ring);
        goto out;
    }
    pixCountPixels(edge, &on, NULL);
    *pstraight = count > 0 ? (float)on / (float)count : 1.0f;
out:
    pixDestroy(&edge);
    pixDestroy(&outside);
    pixDestroy(&inside);
    return ring;
}

typedef struct conic {
    double p[5];          /* a, b, c, d, e */
    double cx, cy, s;     /* u = (x - cx) / s, v = (y - cy) / s */
} conic;

/* Solve the 5 x 5 system m x = r by elimination with partial pivoting,
 * x into r; -1 when m is singular. */
static int solve5(double m[5][5], double r[5])
{
    for (int i = 0; i < 5; i++) {
        int best = i;
        double t;

        for (int k = i + 1; k < 5; k++)
            if (fabs(m[k][i]) > fabs(m[best][i]))
                best = k;
        if (fabs(m[best][i]) < 1e-12)
            return -1;
        for (int j = 0; j < 5; j++) {
            t = m[i][j];
            m[i][j] = m[best][j];
            m[best][j] = t;
        }
        t = r[i];
        r[i] = r[best];
        r[best] = t;
        for (int k = i + 1; k < 5; k++) {
            double f = m[k][i] / m[i][i];
            for (int j = i; j < 5; j++)
                m[k][j] -= f * m[i][j];
            r[k] -= f * r[i];
        }
    }
    for (int i = 4; i >= 0; i--) {
        for (int j = i + 1; j < 5; j++)
            r[i] -= m[i][j] * r[j];
        r[i] /= m[i][i];
    }
    return 0;
}

/* The distance in pixels of x, y from the conic (note 2). */
static double distance(const conic *q, double x, double y)
{
    const double *p = q->p;
    double u = (x - q->cx) / q->s, v = (y - q->cy) / q->s;
    double f = p[0] * u * u + p[1] * u * v + p[2] * v * v + p[3] * u + p[4] * v - 1.0;
    double gu = 2 * p[0] * u + p[1] * v + p[3], gv = p[1] * u + 2 * p[2] * v + p[4];
    double g = sqrt(gu * gu + gv * gv);

    return g > 1e-12 ? fabs(f) / g * q->s : HUGE_VAL;
}

/* Fit q to the n points x, y: all of them when first is set, else those
 * within near of q as it was.  -1 when too few or the system is singular. */
static int fit(conic *q, const float *x, const float *y, int n, double near, int first)
{
    double m[5][5], r[5];
    conic was = *q;
    int used = 0;

    memset(m, 0, sizeof m);
    memset(r, 0, sizeof r);
    for (int i = 0; i < n; i++) {
        double u = (x[i] - q->cx) / q->s, v = (y[i] - q->cy) / q->s;
        double phi[5] = { u * u, u * v, v * v, u, v };

        if (!first && distance(&was, x[i], y[i]) > near)
            continue;
        used++;
        for (int j = 0; j < 5; j++) {
            r[j] += phi[j];
            for (int k = 0; k < 5; k++)
                m[j][k] += phi[j] * phi[k];
        }
    }
    if (used < 20 || solve5(m, r) < 0)
        return -1;
    memcpy(q->p, r, sizeof r);
    return 0;
}

/* The ellipse a conic draws: its centre and level in the conic's own
 * coordinates (q = Q(w) - k about the centre), and its centre and half
 * extents in pixels. */
typedef struct ellipse {
    double u0, v0, k;
    double xc, yc, rx, ry;
} ellipse;

/* The ellipse q draws into *e; -1 when q is not an ellipse. */
static int ellipse_of(const conic *q, ellipse *e)
{
    const double *p = q->p;
    double det = 4 * p[0] * p[2] - p[1] * p[1];

    if (det <= 1e-12 || p[0] <= 0)
        return -1;
    e->u0 = (p[1] * p[4] - 2 * p[2] * p[3]) / det;
    e->v0 = (p[1] * p[3] - 2 * p[0] * p[4]) / det;
    e->k = 1.0 - (p[0] * e->u0 * e->u0 + p[1] * e->u0 * e->v0 + p[2] * e->v0 * e->v0)
           - (p[3] * e->u0 + p[4] * e->v0);
    if (e->k <= 0)
        return -1;
    e->xc = q->cx + e->u0 * q->s;
    e->yc = q->cy + e->v0 * q->s;
    e->rx = sqrt(4 * p[2] * e->k / det) * q->s;
    e->ry = sqrt(4 * p[0] * e->k / det) * q->s;
    return 0;
}

/* 1 when pix has ink within r pixels (a square) of x, y. */
static int ink_near(PIX *pix, int x, int y, int r)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);

    for (int j = y - r > 0 ? y - r : 0; j <= y + r && j < h; j++)
        for (int i = x - r > 0 ? x - r : 0; i <= x + r && i < w; i++)
            if (GET_DATA_BIT(data + (size_t)j * wpl, i))
                return 1;
    return 0;
}

/* The share of OVAL_STEPS points around the ellipse e of q with ink on
 * pix within r pixels. */
static double cover(PIX *pix, const conic *q, const ellipse *e, int r)
{
    const double *p = q->p;
    int hit = 0;

    for (int t = 0; t < OVAL_STEPS; t++) {
        double a = 2 * M_PI * t / OVAL_STEPS, cu = cos(a), sv = sin(a);
        double rad = sqrt(e->k / (p[0] * cu * cu + p[1] * cu * sv + p[2] * sv * sv));
        hit += ink_near(pix, (int)lround(q->cx + (e->u0 + rad * cu) * q->s),
                        (int)lround(q->cy + (e->v0 + rad * sv) * q->s), r);
    }
    return (double)hit / OVAL_STEPS;
}

static int by_value(const void *a, const void *b)
{
    float fa = *(const float *)a, fb = *(const float *)b;

    return (fa > fb) - (fa < fb);
}

/* The ink of pix within width of q, over the box x0, y0 - x1, y1: a new pix
 * the box's size, or NULL. */
static PIX *ink_along(PIX *pix, const conic *q, double width, int x0, int y0, int x1, int y1)
{
    PIX *ring = pixCreate(x1 - x0, y1 - y0, 1);
    l_uint32 *src = pixGetData(pix), *dst = ring ? pixGetData(ring) : NULL;
    int swpl = pixGetWpl(pix), dwpl = ring ? pixGetWpl(ring) : 0;

    for (int j = y0; ring && j < y1; j++)
        for (int i = x0; i < x1; i++)
            if (GET_DATA_BIT(src + (size_t)j * swpl, i) && distance(q, i, j) <= width)
                SET_DATA_BIT(dst + (size_t)(j - y0) * dwpl, i - x0);
    return ring;
}

/*!
 * cs_ocr_oval_ring()
 *
 *      Input:  pix (1 bpp page)
 *              comp (a frame's piece, found at bx, by on pix: its pixels)
 *              dpi (the page's resolution)
 *              pring (<return> the ring (note 4), a new pix, or NULL when
 *                     the piece lies on no stamp's ellipse (note 3))
 *              px, py (<return> where the ring lies on pix)
 *      Return: 0 if OK, -1 on error
 */
int cs_ocr_oval_ring(PIX *pix, PIX *comp, int bx, int by, int dpi, PIX **pring,
                     int *px, int *py)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), wpl = pixGetWpl(comp);
    int n = 0, on = 0, step, rc = -1, x0, y0, x1, y1;
    l_uint32 *data = pixGetData(comp);
    l_int32 count = 0;
    float *x = NULL, *y = NULL, *dist = NULL;
    double near = OVAL_NEAR(dpi), width;
    conic q;
    ellipse e;

    *pring = NULL;
    if (pixCountPixels(comp, &count, NULL) != 0)
        return -1;
    if (count < 50)
        return 0;
    step = (count + OVAL_POINTS - 1) / OVAL_POINTS;
    if ((x = malloc((size_t)count * sizeof *x)) == NULL
        || (y = malloc((size_t)count * sizeof *y)) == NULL
        || (dist = malloc((size_t)count * sizeof *dist)) == NULL)
        goto out;
    for (int j = 0, seen = 0; j < h; j++)
        for (int i = 0; i < w; i++)
            if (GET_DATA_BIT(data + (size_t)j * wpl, i) && seen++ % step == 0) {
                x[n] = (float)(bx + i);
                y[n++] = (float)(by + j);
            }
    q.cx = bx + w / 2.0;
    q.cy = by + h / 2.0;
    q.s = (w > h ? w : h) / 2.0;
    rc = 0;
    for (int r = 0; r <= OVAL_ROUNDS; r++)
        if (fit(&q, x, y, n, near, r == 0) < 0)
            goto out;
    if (ellipse_of(&q, &e) < 0
        || 2 * e.rx < OVAL_MIN_W * dpi || 2 * e.ry < OVAL_MIN_H * dpi
        || 2 * e.rx > CS_STAMP_MAX_W * dpi || 2 * e.ry > CS_STAMP_MAX_H * dpi)
        goto out;
    for (int i = 0; i < n; i++)
        if ((dist[on] = (float)distance(&q, x[i], y[i])) <= near)
            on++;
    if (on < OVAL_ON * n || cover(pix, &q, &e, (int)ceil(near)) < OVAL_COVER)
        goto out;
    qsort(dist, (size_t)on, sizeof *dist, by_value);
    width = dist[(int)(0.9 * (on - 1))] + 2.0;
    x0 = (int)floor(e.xc - e.rx - width);
    y0 = (int)floor(e.yc - e.ry - width);
    x1 = (int)ceil(e.xc + e.rx + width);
    y1 = (int)ceil(e.yc + e.ry + width);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > pixGetWidth(pix) ? pixGetWidth(pix) : x1;
    y1 = y1 > pixGetHeight(pix) ? pixGetHeight(pix) : y1;
    if (x1 - x0 < 2 || y1 - y0 < 2)
        goto out;
    if ((*pring = ink_along(pix, &q, width, x0, y0, x1, y1)) == NULL) {
        rc = -1;
        goto out;
    }
    *px = x0;
    *py = y0;
out:
    free(dist);
    free(y);
    free(x);
    return rc;
}

/*
 * specks.c — dark specks (toner, dust, scanner noise) taken off the
 * upright, deskewed bilevel page before recognition: small blobs away from
 * the text, or on its lines where no punctuation sits, and solid blots
 * standing alone.
 *
 * Interface routines:
 *   cs_ocr_clean_specks    whiten small blobs away from text or where no
 *                          punctuation sits
 *
 * Notes:
 *   1. Specks: a component whose box is at most CS_SPECK_MAX text heights
 *      in both directions (commas, periods, hyphens, i-dots, specks) is
 *      whitened when no letter (a component taller than that) lies within
 *      CS_SPECK_NEAR text heights across or CS_SPECK_UPDOWN up or down:
 *      punctuation sits on its line beside a letter of its word, a speck
 *      of toner in a margin or between the lines does not.  The text
 *      height is measured on the page (the median height of letter-sized
 *      components), so the rule does not depend on the print size or the
 *      resolution.
 *   2. A small component that does lie near a letter is judged by where it
 *      sits on its line and by its shape.  Its line is the letters beside
 *      it (within 4 text heights across) that share most of the height of
 *      the letter nearest to it; the line's baseline and letter height
 *      (about the x-height on running text) come from the medians of their
 *      bottoms and tops, and the gaps are to the nearest of them on each
 *      side.  Then:
 *        - over or under another component (an i's dot, a colon's other
 *          dot, an accent): kept;
 *        - its centre above a quarter of the letter height down from the
 *          letters' tops (apostrophe, quote, asterisk, degree): kept when
 *          a letter is within CS_SPECK_AFTER tenths of a letter height on
 *          a side and it is no solid round dot (over CS_SPECK_SOLID tenths
 *          of its box inked: an apostrophe is a tapered stroke, a quote
 *          two, an asterisk and a degree sign open shapes);
 *        - within a tenth of a letter height of a letter: a piece of a
 *          letter broken apart, kept;
 *        - its bottom within CS_SPECK_LOW tenths of the baseline (period,
 *          comma, underscore): kept when it follows a letter by at most
 *          CS_SPECK_AFTER tenths of a letter height, is a dash, or has two
 *          of its kind on the baseline near it (an ellipsis, a leader of
 *          dots);
 *        - between (hyphen, dash, plus, bullet): kept when longer than
 *          high by half, or at least CS_SPECK_DOT tenths of a letter height
 *          across and either open (a plus) or before the line's first
 *          letter (a bullet).
 *      Everything else, a dot floating at mid-height in a word gap, a dot
 *      before the first word of a line that no bullet is, a round dot at
 *      capital height beside no letter's column, is a speck.  Tesseract
 *      reads such specks as "'", "*", "." or "°" beside the words, or joins
 *      them into the word ("draped' 'in").  Sizes are relative to the
 *      line's own letters, never pixels.
 *   3. A blot of toner as big as a letter is no speck by size, but no
 *      letter is a solid round blob standing alone: a component at most
 *      1.5 text heights across, round (neither side 1.4 times the other),
 *      over CS_SPECK_SOLID tenths of its box inked, with no letter on its
 *      height within CS_BLOB_ALONE text heights on either side, is
 *      whitened.  A
 *      letter filled in by toner stays (its word's letters are beside it),
 *      and so does a bullet before its line's text; "o" and "O" are rings.
 *      Tesseract otherwise reads such blots between the lines as a line of
 *      junk ("? . e +f af") or as "*" or "ry" beside a heading.
 *   4. Note 2's rules hold for a page as it stands upright; the speck
 *      step runs before recognition, which may yet turn a page that the
 *      orientation detector was unsure of (orient.c, note 3), and upside
 *      down a period sits at the top before a word, as round and solid as
 *      a speck.  So they are applied only when the page's punctuation says
 *      it is upright: each small component sitting as a period or comma
 *      after a letter counts one for, each sitting as one turned upside
 *      down (at the top, nearer the letter after it) one against, and
 *      more for than against is needed.  Else only note 1's rule and note
 *      6's hold (tests/check_ocr.c reads a short upside-down page with its
 *      periods).
 *   5. Notes 2 and 3 look at what lies around each small component; the
 *      components are indexed in a grid of cells two text heights square,
 *      so each look costs the few boxes of a cell or two, not a pass over
 *      the page's thousands: the whole speck step on five photocopied
 *      pages took 127 ms with passes over all boxes, 19 ms with the grid,
 *      15 ms with note 1's rule alone (on a noisy 200 dpi copy 54 / 5 / 3
 *      ms).
 *      Measured on the tuning seeds 1-3 (samplegen bench profile; the
 *      files holding a photocopied, stamped or clean page, 187 pages),
 *      character errors / CER, notes 2-5 off / on:
 *        photocopy   44 pages   1081  3.25%  ->   840  2.53%
 *        stamp       35 pages   1022  3.90%  ->  1003  3.82%
 *        clean       18 pages     17  0.15%  ->    17  0.15%
 *        all        187 pages   2021  1.80%  ->  1780  1.58%
 *      Per seed, photocopied pages 242 / 218 / 621 -> 154 / 182 / 504.
 *      Tried and left out: a period's bottom within 0.2 instead of 0.3
 *      letter heights of the baseline (periods after "mg" and "pathology"
 *      on clean 200 dpi pages went); taking any solid round blob up to a
 *      text height with a gap of over 0.3 letter heights to its nearest
 *      letter for a blot (letters of 200 dpi copies, single "a"s, went). */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CS_SPECK_MAX    0.55    /* text heights */
#define CS_SPECK_NEAR   1.2     /* text heights */
#define CS_SPECK_UPDOWN 0.3     /* text heights */
#define CS_SPECK_LOW    3       /* tenths of its line's letter height (note 5) */
#define CS_SPECK_AFTER  9       /* tenths of its line's letter height */
#define CS_SPECK_DOT    3       /* tenths of its line's letter height */
#define CS_BLOB_ALONE   2.0     /* text heights (note 6) */
#define CS_SPECK_SOLID  6       /* tenths of its box inked: a dot, not a stroke */

/* The page's components for the speck step: their boxes in an array and
 * in a grid of square cells (a box listed in every cell it covers), so
 * that what lies near a component is found without a pass over the page's
 * thousands (note 5). */
typedef struct {
    l_int32 *x, *y, *w, *h;     /* the boxes */
    unsigned char *letter;      /* 1: taller than a speck */
    int n, cell, cols, rows;
    int *start, *items;         /* cell k lists items[start[k] .. start[k+1]) */
    int *seen, stamp;           /* items already found by the current query */
    int *found;                 /* what the current query found */
} speck_page;

/* A line of text beside a small component (note 2), in pixels: its
 * baseline and letter height, measured on the letters beside the
 * component, and the gaps to the nearest letter on each side (NO_LETTER:
 * none). */
typedef struct {
    int base, height, left, right;
} speck_line;

#define NO_LETTER (1 << 24)     /* a gap with no letter on that side */

static void page_free(speck_page *pg)
{
    free(pg->x);
    free(pg->start);
    free(pg->items);
    free(pg->seen);
    free(pg->found);
    free(pg->letter);
}

/* Fill pg from the boxes of a page w x h; cell is the grid's step. */
static int page_index(speck_page *pg, BOXA *boxa, int w, int h, int cell)
{
    int n = boxaGetCount(boxa), ncells, total = 0;

    memset(pg, 0, sizeof *pg);
    pg->n = n;
    pg->cell = cell > 0 ? cell : 1;
    pg->cols = w / pg->cell + 1;
    pg->rows = h / pg->cell + 1;
    ncells = pg->cols * pg->rows;
    if ((pg->x = calloc(4 * (size_t)n + 1, sizeof *pg->x)) == NULL
        || (pg->start = calloc((size_t)ncells + 1, sizeof *pg->start)) == NULL
        || (pg->seen = calloc((size_t)n + 1, sizeof *pg->seen)) == NULL
        || (pg->found = calloc((size_t)n + 1, sizeof *pg->found)) == NULL
        || (pg->letter = calloc((size_t)n + 1, 1)) == NULL)
        return -1;
    pg->y = pg->x + n, pg->w = pg->y + n, pg->h = pg->w + n;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < n; i++) {
            int c0, c1, r0, r1;
            if (pass == 0)
                boxaGetBoxGeometry(boxa, i, &pg->x[i], &pg->y[i], &pg->w[i], &pg->h[i]);
            c0 = pg->x[i] / pg->cell, c1 = (pg->x[i] + pg->w[i] - 1) / pg->cell;
            r0 = pg->y[i] / pg->cell, r1 = (pg->y[i] + pg->h[i] - 1) / pg->cell;
            c1 = c1 < pg->cols ? c1 : pg->cols - 1, r1 = r1 < pg->rows ? r1 : pg->rows - 1;
            for (int r = r0 < 0 ? 0 : r0; r <= r1; r++)
                for (int c = c0 < 0 ? 0 : c0; c <= c1; c++) {
                    if (pass == 0)
                        pg->start[r * pg->cols + c + 1]++;
                    else
                        pg->items[pg->start[r * pg->cols + c] + pg->seen[r * pg->cols + c]++] = i;
                }
        }
        if (pass == 0) {
            for (int k = 0; k < ncells; k++)
                pg->start[k + 1] += pg->start[k];
            total = pg->start[ncells];
            free(pg->seen);     /* counts each cell's filling in pass 1 */
            pg->seen = NULL;
            if ((pg->items = calloc((size_t)total + 1, sizeof *pg->items)) == NULL
                || (pg->seen = calloc((size_t)(ncells > n ? ncells : n) + 1, sizeof *pg->seen))
                       == NULL)
                return -1;
        }
    }
    memset(pg->seen, 0, ((size_t)(ncells > n ? ncells : n) + 1) * sizeof *pg->seen);
    return 0;
}

/* The components whose boxes meet the rectangle x0 <= x < x1, y0 <= y < y1
 * (and maybe a few more beside it): their number, listed in pg->found. */
static int page_near(speck_page *pg, int x0, int y0, int x1, int y1)
{
    int c0 = x0 < 0 ? 0 : x0 / pg->cell, r0 = y0 < 0 ? 0 : y0 / pg->cell;
    int c1 = x1 <= 0 ? -1 : (x1 - 1) / pg->cell, r1 = y1 <= 0 ? -1 : (y1 - 1) / pg->cell;
    int count = 0;

    c1 = c1 < pg->cols ? c1 : pg->cols - 1;
    r1 = r1 < pg->rows ? r1 : pg->rows - 1;
    pg->stamp++;
    for (int r = r0; r <= r1; r++)
        for (int c = c0; c <= c1; c++)
            for (int k = pg->start[r * pg->cols + c]; k < pg->start[r * pg->cols + c + 1]; k++) {
                int i = pg->items[k];
                if (pg->seen[i] != pg->stamp) {
                    pg->seen[i] = pg->stamp;
                    pg->found[count++] = i;
                }
            }
    return count;
}

/* The letters of the line nearest small component c: those beside it that
 * share most of the height of the letter nearest to it.  0 when no letter
 * lies within reach. */
static int line_of(speck_page *pg, int c, int th, speck_line *pl)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int reach = 4 * th, best = INT_MAX, nearest = -1, found = 0, ny = 0, nh = 0, m;
    NUMA *tops = numaCreate(0), *bots = numaCreate(0);
    float t = 0, b = 0;

    pl->left = pl->right = NO_LETTER;
    /* the nearest letter: one that lies farther than 2 text heights up or
     * down is never nearer than the letter that made c near (note 1) */
    m = page_near(pg, cx - reach, cy - 2 * th, cx + cw + reach, cy + ch + 2 * th);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i], dx, dy;
        if (!pg->letter[i] || i == c)
            continue;
        dx = x > cx + cw ? x - cx - cw : cx > x + w ? cx - x - w : 0;
        dy = y > cy + ch ? y - cy - ch : cy > y + h ? cy - y - h : 0;
        if (dx + 2 * dy < best || (dx + 2 * dy == best && i < nearest))
            best = dx + 2 * dy, nearest = i, ny = y, nh = h;
    }
    m = best < INT_MAX ? page_near(pg, cx - reach, ny, cx + cw + reach + 1, ny + nh) : 0;
    for (int k = 0; tops && bots && k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i], over;
        if (!pg->letter[i] || i == c)
            continue;
        over = (y + h < ny + nh ? y + h : ny + nh) - (y > ny ? y : ny);
        if (2 * over < (h < nh ? h : nh) || x > cx + cw + reach || x + w < cx - reach)
            continue;
        numaAddNumber(tops, (float)y);
        numaAddNumber(bots, (float)(y + h));
        found++;
        if (2 * x + w < 2 * cx + cw && cx - (x + w) < pl->left)
            pl->left = cx - (x + w) > 0 ? cx - (x + w) : 0;
        if (2 * x + w >= 2 * cx + cw && x - (cx + cw) < pl->right)
            pl->right = x - (cx + cw) > 0 ? x - (cx + cw) : 0;
    }
    if (found && numaGetMedian(tops, &t) == 0 && numaGetMedian(bots, &b) == 0) {
        pl->base = (int)lrintf(b);
        pl->height = (int)lrintf(b - t) > 1 ? (int)lrintf(b - t) : 1;
    } else {
        found = 0;
    }
    numaDestroy(&tops);
    numaDestroy(&bots);
    return found > 0;
}

/* Another component above or below c, overlapping its columns (an i's
 * stem under its dot, a colon's other dot, an accent's letter), or, with
 * chain set, the number of small components on c's baseline within two
 * letter heights (an ellipsis, a leader of dots). */
static int companions(speck_page *pg, int c, const speck_line *l, int chain)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c], lh = l->height;
    int count = 0, m;

    m = chain ? page_near(pg, cx - 5 * lh, cy + ch - lh, cx + cw + 5 * lh, cy + ch + lh)
              : page_near(pg, cx, cy - lh, cx + cw, cy + ch + lh);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i];
        if (i == c)
            continue;
        if (!chain && x < cx + cw && cx < x + w && y < cy + ch + lh && cy < y + h + lh)
            count++;
        else if (chain && !pg->letter[i] && abs(y + h - (cy + ch)) * 5 <= lh
                 && abs(2 * x + w - 2 * cx - cw) <= 4 * lh && w < 2 * lh)
            count++;
    }
    return count;
}

/* 1 when c's box is round (neither side 1.4 times the other) and solid
 * (over CS_SPECK_SOLID tenths inked): a dot or a blot, not a stroke. */
static int solid_dot(PIX *pix, const speck_page *pg, int c)
{
    l_int32 ink = 0;
    int w = pg->w[c], h = pg->h[c];
    BOX *box;

    if (10 * h >= 14 * w || 10 * w >= 14 * h
        || (box = boxCreate(pg->x[c], pg->y[c], w, h)) == NULL)
        return 0;
    pixCountPixelsInRect(pix, box, &ink, NULL);
    boxDestroy(&box);
    return 10 * ink >= CS_SPECK_SOLID * w * h;
}

/* 1 when small component c, near a letter, is no punctuation by where it
 * sits on its line and by its shape (note 2).  *pvote: +1 when c sits as
 * a period or comma after a letter, -1 when as one turned upside down
 * (at the top, before a letter), else 0 (note 4). */
static int misplaced(PIX *pix, speck_page *pg, int c, int th, int *pvote)
{
    speck_line l;
    int cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int top, bottom, solid, dash, gap, big, after, before;

    *pvote = 0;
    if (!line_of(pg, c, th, &l) || companions(pg, c, &l, 0))
        return 0;
    gap = l.left < l.right ? l.left : l.right;
    after = l.left * 10 <= CS_SPECK_AFTER * l.height;
    before = l.right * 10 <= CS_SPECK_AFTER * l.height && l.right < l.left;
    solid = solid_dot(pix, pg, c);
    dash = cw * 10 >= 15 * ch;
    big = 10 * (cw > ch ? cw : ch) >= CS_SPECK_DOT * l.height;
    bottom = (cy + ch) * 10 >= 10 * l.base - CS_SPECK_LOW * l.height;
    top = !bottom && (2 * cy + ch) * 4 < 8 * (l.base - l.height) + 2 * l.height;
    *pvote = bottom && after && !dash ? 1 : top && before ? -1 : 0;
    if (top)                               /* apostrophe, quote, asterisk, degree */
        return solid || gap * 10 > CS_SPECK_AFTER * l.height;
    if (gap * 10 <= l.height)              /* a piece of a letter broken apart */
        return 0;
    if (bottom)                            /* period, comma, underscore, ellipsis */
        return !(after || dash || companions(pg, c, &l, 1) >= 2);
    /* at mid-height: hyphen, dash, plus; a bullet before a line */
    return !(dash || (big && !solid) || (big && l.left == NO_LETTER));
}

/* 1 when letter-sized component c is a solid round blob with no letter
 * beside it on its height within CS_BLOB_ALONE text heights (note 3). */
static int lone_blob(PIX *pix, speck_page *pg, int c, int th)
{
    int cx = pg->x[c], cy = pg->y[c], cw = pg->w[c], ch = pg->h[c];
    int reach = (int)lrint(CS_BLOB_ALONE * th), m;

    if (2 * cw > 3 * th || 2 * ch > 3 * th || !solid_dot(pix, pg, c))
        return 0;
    m = page_near(pg, cx - reach, cy, cx + cw + reach, cy + ch);
    for (int k = 0; k < m; k++) {
        int i = pg->found[k], x = pg->x[i], y = pg->y[i], w = pg->w[i], h = pg->h[i];
        if (pg->letter[i] && i != c && y < cy + ch && cy < y + h && x < cx + cw + reach
            && cx < x + w + reach)
            return 0;
    }
    return 1;
}

/*!
 * cs_ocr_clean_specks()
 *
 *      Input:  pix (1 bpp, upright; modified in place)
 *              dpi (its resolution)
 *              premoved (<optional return> number of specks whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) See notes 1 to 5 of the file.  One pass of connected
 *          components gives the boxes; the letters' surroundings are their
 *          boxes grown, and a speck's box, which then holds no letter or
 *          sits where no punctuation does, is whitened whole.
 */
int cs_ocr_clean_specks(PIX *pix, int dpi, int *premoved)
{
    BOXA *boxa = NULL;
    PIX *near = NULL;
    speck_page pg;
    unsigned char *gone = NULL;
    int th, lim, across, updown, n, count = 0, upright = 0, vote = 0, rc = -1;

    memset(&pg, 0, sizeof pg);
    if (premoved)
        *premoved = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((boxa = pixConnCompBB(pix, 8)) == NULL || (near = pixCreateTemplate(pix)) == NULL)
        goto out;
    th = cs_ocr_text_height_of(boxa, dpi);
    lim = (int)lrint(CS_SPECK_MAX * th);
    across = (int)lrint(CS_SPECK_NEAR * th);
    updown = (int)lrint(CS_SPECK_UPDOWN * th);
    n = boxaGetCount(boxa);
    if (page_index(&pg, boxa, pixGetWidth(pix), pixGetHeight(pix), 2 * th) < 0
        || (gone = calloc((size_t)n + 1, 1)) == NULL)
        goto out;
    for (int i = 0; i < n; i++) {
        pg.letter[i] = pg.h[i] > lim;
        if (pg.letter[i])
            pixRasterop(near, pg.x[i] - across, pg.y[i] - updown, pg.w[i] + 2 * across,
                        pg.h[i] + 2 * updown, PIX_SET, NULL, 0, 0);
    }
    for (int i = 0; i < n; i++) {
        l_int32 close = 0;
        BOX *box;

        if (pg.w[i] > lim || pg.h[i] > lim) {
            gone[i] = pg.letter[i] && lone_blob(pix, &pg, i, th);
            continue;
        }
        if ((box = boxCreate(pg.x[i], pg.y[i], pg.w[i], pg.h[i])) == NULL)
            goto out;
        pixCountPixelsInRect(near, box, &close, NULL);
        boxDestroy(&box);
        if (!close) {
            gone[i] = 1;
            continue;
        }
        gone[i] = misplaced(pix, &pg, i, th, &vote) ? 2 : 0;
        upright += vote;
    }
    for (int i = 0; i < n; i++)
        if (gone[i] == 1 || (gone[i] == 2 && upright > 0)) {
            pixRasterop(pix, pg.x[i], pg.y[i], pg.w[i], pg.h[i], PIX_CLR, NULL, 0, 0);
            count++;
        }
    if (premoved)
        *premoved = count;
    rc = 0;
out:
    free(gone);
    page_free(&pg);
    pixDestroy(&near);
    boxaDestroy(&boxa);
    return rc;
}

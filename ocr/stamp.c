/*
 * stamp.c — hand stamps (a department's RECEIVED box with a date) taken
 * off the upright, deskewed bilevel page before recognition, so that the
 * printed lines under and beside them read as they would without them and
 * the stamp's own words do not end up in the text.
 *
 * Interface routines:
 *   cs_ocr_clean_stamps   find stamp boxes and whiten them with the stamp's text
 *                         (on a grey scan, with stamp_grey.c: note 5)
 *
 * Notes:
 *   1. A stamp is found by its frame: one connected component at least
 *      CS_STAMP_MIN_W x CS_STAMP_MIN_H inch and at most CS_STAMP_MAX_W x
 *      CS_STAMP_MAX_H, whose ink covers at most CS_STAMP_FILL of its box
 *      (a frame is hollow) and which has ink near all four sides of its
 *      box.  Nothing printed in a chart's text is a hollow component an
 *      inch wide; a stamp pressed a few degrees askew is still one, and the
 *      letters of print it touches become part of it.  A pale stamp's
 *      frame comes out of the threshold in pieces: where no frame is found
 *      whole, the candidate region is searched again with its gaps closed
 *      (CLOSE_GAPS, about 1/60 inch, across the strokes, and three times
 *      that along them: a thin vertical stroke breaks into longer pieces),
 *      for finding the frame only.  Without
 *      a frame nothing is done (note 1 of photocopy.c).  The frame's
 *      strokes are taken off at the angle, of every whole degree up to
 *      STAMP_ANGLES either way, that keeps the most of them straight:
 *      Leptonica's skew of the component is the print's when print letters
 *      joined the frame.
 *   2. Inside the frame, print and stamp are told apart by the page's
 *      printed lines beside the box (print_bands: the rows with ink left
 *      and right of it, their baselines, and the print nearest the box on
 *      either side).  A component inside the box is print when it lies
 *      within such a line's rows and is chained to that line's print: no
 *      farther than five text heights from it, or from another
 *      component so chained (a line runs into the box word by word, a
 *      stamp's words on the same rows stand apart from it), or across a
 *      form's wider gap between two fields to a letter that stands on the
 *      line (stamp_words.c, note 1).  A component
 *      in which print and stamp run together keeps, when it starts or ends
 *      near the line's print, its rows of the line down to the baseline;
 *      the rest of it goes.  The frame itself goes whole, with the few
 *      print letters it touches: cheaper than the stamp's words read into
 *      the header.
 *   3. Measured on the benchmark's stamped pages (samplegen, copy.c): see
 *      page.c, note 7.  On the stamped pages of tuning seeds 1-3 (35
 *      pages, 26,226 characters), character errors: 1059 before notes 1
 *      and 2 took their present form (a frame found whole only, its
 *      strokes at Leptonica's skew; print told by any row with ink beside
 *      the box), 717 after; 711 with the broken frames' sides closed
 *      along them (note 1; searching the strokes' angle on a 2x reduction,
 *      see frame_strokes, had cost 717 -> 737 before that).  No stamp was
 *      found on any of the 295 other text pages of those seeds; they
 *      spend about 2 ms a page looking for one.
 *   4. A hand stamp is pressed a few degrees askew; a box printed on the
 *      page (a form's boxed section, a boxed header) stands as straight as
 *      the print.  A frame whose strokes stand straightest within
 *      CS_STAMP_MIN_TILT of the deskewed page is left alone, with what it
 *      holds: without this rule a boxed header of a chart, which has no
 *      print beside it, was whitened whole (tests/check_cleanup.c,
 *      test_printed_box_kept).  A stamp pressed straight is read with its
 *      words, which costs little: 717 -> 727 errors on the pages of note 3.
 *   5. A stamp's ink is red, blue or violet, which a grey scan sees
 *      lighter than black print, and pressed over print it darkens it
 *      further: print under the stamp is darker than the stamp's ink
 *      alone.  The bilevel page cannot see that (note 2's rules cut the
 *      letters a frame or a stamp's letter crosses); the grey scan can.
 *      On a page scanned grey (page.c keeps the normalised grey page, as
 *      scanned), when a frame is found, stamp_grey.c takes the grey of its
 *      box and of as much again either side from the scan, turned as the
 *      page was (the crop turned by the rotation, then by the deskew's
 *      angle with Leptonica's own shear or sampling about the page's
 *      centre, so that every pixel lands where the bilevel page's did;
 *      pages without a stamp pay nothing).  The stamp's ink is the median
 *      grey of the frame's stroke pixels; the cut is 0.6 of it.  The
 *      stamp counts as lighter than the print when the cut (its dark
 *      pixels grown by a pixel into the page's ink, for the letters' grey
 *      edges) keeps at least half of the print beside the box, at most
 *      half of the frame's strokes, and twice as much of the one as of
 *      the other; else (a stamp as dark as the print) nothing changes.  A
 *      lighter stamp is lifted off: of the box's ink only what the cut
 *      keeps stays.  Then notes 1-2 run on what is left, and whatever
 *      they whiten that the cut keeps is put back instead of mended (the
 *      print the frame crosses, and print merged with what is left of the
 *      stamp's letters).  No level is fixed: the ink, the cut and the
 *      check are measured on each stamp.  Stamped pages of tuning seeds
 *      1-3 (35 pages, 26,226 characters, 17 of them scanned grey),
 *      character errors: 690 before, 529 after (the grey pages 260 -> 99;
 *      the bilevel ones unchanged, 430); a cut of 0.54 to 0.66 of the ink
 *      gives 96-99 on the grey pages, 0.5 / 0.72 give 99 / 121, the 10th
 *      percentile of the strokes instead of the median 97-135; restoring
 *      without the lift, 191.  Photocopied pages of those files 153 ->
 *      139 (one is stamped too), clean pages unchanged (1 error).  The
 *      step costs 1-3 ms a stamped grey page.
 *   6. Not every stamp is a box: oval and round frames are as common.  A
 *      frame's outline is found whatever its shape (stamp_oval.c): the
 *      hole it holds (at least half its width and height; a frame whose
 *      strokes have gaps is closed over them, for finding the hole) and
 *      the pixels of the component within a stroke's width of both that
 *      hole and the outside, which are the frame and where letters cross
 *      it (letters inside or outside touching it are near one side only).
 *      When less than CS_STAMP_STRAIGHT of the outline lies on straight
 *      strokes the frame is round: its whole outline goes, at any angle
 *      (no printed form draws ovals over its lines).  The bench's generator gained
 *      oval and bare stamps after notes 1-4 were tuned (copy.c); on its
 *      stamped pages with an oval, character errors 421 -> 231 on seeds
 *      1-3 and 519 -> 354 on seeds 4-6; box stamps 121 -> 115 and 372 ->
 *      372; no page without a stamp read differently (seeds 1 and 2).
 *   7. A date stamp often has no frame at all: nothing above finds it.
 *      On a grey scan its ink still tells it (stamp_bare.c): on the scan
 *      at half resolution, a pixel is a stamp's stroke when its depth
 *      below the local paper (the lightest pixel of its 8 x 8 block) is
 *      between 0.15 and 0.6 of the print's (the 90th percentile of the
 *      page's ink) with no print core (0.8 of it) next to it: a printed
 *      letter's grey edge lies beside its core, a lighter ink's stroke
 *      does not.  Those strokes, grouped over a letter's gap, make a
 *      stamp's block when the block is of a stamp's size and mostly such
 *      strokes; more than four blocks on a page are its print (blurred or
 *      faint), not a stamp, and nothing is done.  Each block, turned onto
 *      the upright page, is lifted off as note 5 lifts a framed stamp, at
 *      0.6 of its strokes' median grey, when the cut keeps the print
 *      beside it (or there is none beside it to keep).  Seeds 1-3, all
 *      pages: five pages read differently, all stamped, 93 -> 37
 *      character errors; seeds 4-6 (held out): six pages, 151 -> 48, no
 *      page without a stamp changed.  It costs 7-15 ms a grey page.
 *   8. A pale round frame on a bilevel scan comes out of the threshold
 *      broken open, often where it crosses print, and holds no hole for
 *      note 6 (its largest piece still passes note 1, or would but for the
 *      print letters joined to it: up to CS_STAMP_OVER times the largest
 *      frame).  When little of such a piece is straight, the ellipse it
 *      lies on is fitted to its pixels and checked on the page
 *      (stamp_oval.c, notes 2-4): an ellipse of a stamp's size, with most
 *      of the piece on it and ink along most of it.  The page's ink along
 *      the ellipse is the frame, wherever it lies, and goes as a round
 *      frame's outline does.  Found on held-out pages (seeds 5 and 8);
 *      over seeds 1-9 (1080 pages) five pages read differently, all
 *      stamped and on held-out seeds: 299 -> 125 character errors (an
 *      oval 58 -> 4; one whose piece had print joined, 62 -> 25; a box
 *      with gapped strokes, closed by note 6's search, 14 -> 0).
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>

#define CS_STAMP_MIN_W 1.0      /* inch */
#define CS_STAMP_MIN_H 0.35
#define CS_STAMP_FILL  0.3
#define CS_STAMP_MIN_TILT 0.5f   /* degrees: a straighter frame is printed */
#define CS_STAMP_STRAIGHT 0.5f   /* share of an outline on straight strokes: less is round */
#define STAMP_ANGLES   12       /* degrees either way a stamp may be turned */
#define STAMP_STEP     3        /* degrees between the angles tried first */
#define CS_STAMP_OVER  1.3      /* a round frame's piece with print joined: times the largest frame */
#define CLOSE_GAPS(dpi) ((dpi) / 60 | 1)   /* odd, about 1/60 inch */

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
 * The long straight strokes of big (a frame component with a border)
 * turned by angle degrees: opened with lines of 40% of the frame's width
 * w and height h.  *pcount is their pixels.  A new pix, or NULL.
 */
static PIX *strokes_at(PIX *big, float angle, int w, int h, l_int32 *pcount)
{
    PIX *straight, *hor = NULL, *ver = NULL;

    *pcount = 0;
    if ((straight = pixRotate(big, angle * (float)M_PI / 180.0f, L_ROTATE_SAMPLING,
                              L_BRING_IN_WHITE, 0, 0)) == NULL
        || (hor = pixOpenCompBrick(NULL, straight, (int)(0.4 * w), 1)) == NULL
        || (ver = pixOpenCompBrick(NULL, straight, 1, (int)(0.4 * h))) == NULL) {
        pixDestroy(&hor);
        hor = NULL;
    } else {
        pixOr(hor, hor, ver);
        pixCountPixels(hor, pcount, NULL);
    }
    pixDestroy(&ver);
    pixDestroy(&straight);
    return hor;
}

/* The pixels of strokes_at(big, angle, ...) in *pcount; 0, or -1 on error. */
static int count_at(PIX *big, float angle, int w, int h, l_int32 *pcount)
{
    PIX *st = strokes_at(big, angle, w, h, pcount);

    if (!st)
        return -1;
    pixDestroy(&st);
    return 0;
}

/*
 * The frame's own strokes in comp (a frame component, note 3): comp is
 * turned straight, opened with lines of 40% of its width and height (the
 * frame's edges stay, letters touching them go), widened by two pixels
 * and turned back.  The angle is the one up to STAMP_ANGLES either way
 * (whole degrees, and the skew Leptonica finds) that keeps the most
 * stroke: when print letters joined the frame, their lines' skew is the
 * page's, not the stamp's.  A new pix
 * the size of comp, or NULL.
 */
static PIX *frame_strokes(PIX *comp, float *pangle)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp), pad = h / 3 + 4;
    PIX *big = NULL, *small = NULL, *best = NULL, *back = NULL, *out = NULL;
    l_float32 skew = 0.0f, conf = 0.0f, angle = 0.0f, coarse = 0.0f;
    l_int32 most = -1, count;
    BOX *inner = NULL;

    if ((big = pixAddBorder(comp, pad, 0)) == NULL
        || (small = pixReduceRankBinary2(big, 1, NULL)) == NULL)
        goto done;
    if (pixFindSkew(small, &skew, &conf) != 0 || conf < 1.0f)
        skew = 0.0f;
    /* the angle, on a 2x reduction (a quarter of the pixels, strokes half
     * as long), every STAMP_STEP degrees, then every degree around the
     * best one */
    for (int k = -1; k <= 2 * STAMP_ANGLES / STAMP_STEP; k++) {
        float a = k < 0 ? skew : (float)(k * STAMP_STEP - STAMP_ANGLES);
        if (count_at(small, a, w / 2, h / 2, &count) < 0)
            goto done;
        if (count > most) {
            most = count;
            coarse = a;
        }
    }
    angle = coarse;
    for (int d = 1 - STAMP_STEP; d < STAMP_STEP; d++) {
        float a = coarse + (float)d;
        if (d == 0)
            continue;
        if (count_at(small, a, w / 2, h / 2, &count) < 0)
            goto done;
        if (count > most) {
            most = count;
            angle = a;
        }
    }
    if ((best = strokes_at(big, angle, w, h, &count)) == NULL)
        goto done;
    pixDilateBrick(best, best, 5, 5);
    if ((back = pixRotate(best, -angle * (float)M_PI / 180.0f, L_ROTATE_SAMPLING,
                          L_BRING_IN_WHITE, 0, 0)) == NULL
        || (inner = boxCreate(pad, pad, w, h)) == NULL
        || (out = pixClipRectangle(back, inner, NULL)) == NULL)
        goto done;
    pixAnd(out, out, comp);
    *pangle = angle;
done:
    boxDestroy(&inner);
    pixDestroy(&back);
    pixDestroy(&best);
    pixDestroy(&small);
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

/* 1 when comp (w x h pixels at dpi) is a stamp's frame (note 1), up to
 * over times a frame's largest size. */
static int is_frame(PIX *comp, int dpi, double over)
{
    int w = pixGetWidth(comp), h = pixGetHeight(comp);
    l_int32 count = 0;

    if (w < CS_STAMP_MIN_W * dpi || h < CS_STAMP_MIN_H * dpi
        || w > over * CS_STAMP_MAX_W * dpi || h > over * CS_STAMP_MAX_H * dpi)
        return 0;
    pixCountPixels(comp, &count, NULL);
    return count <= CS_STAMP_FILL * w * h && four_sides(comp);
}

/* The box bx, by, w, h of pix: a new pix, or NULL. */
static PIX *box_of(PIX *pix, l_int32 bx, l_int32 by, int w, int h)
{
    BOX *box = boxCreate(bx, by, w, h);
    PIX *part = box ? pixClipRectangle(pix, box, NULL) : NULL;

    boxDestroy(&box);
    return part;
}

/* Whiten the stamp whose frame's strokes are strokes (at bx, by in pix):
 * them, mending what they crossed, then its words (note 2).  On a grey
 * scan a stamp lighter than the print is first lifted off by its grey,
 * and the print the strokes and words took with them is put back instead
 * of mended (note 5).  *pth is the text height, measured on first use.
 * 1 when done, -1 on error. */
static int take_strokes(PIX *pix, PIX *strokes, l_int32 bx, l_int32 by, int dpi,
                        const cs_ocr_scan *scan, int *pth)
{
    PIX *before = NULL, *dark = NULL;
    int rc = -1, w = pixGetWidth(strokes), h = pixGetHeight(strokes);

    if (!*pth)
        *pth = cs_ocr_text_height(pix, dpi);
    if (cs_ocr_stamp_ink(pix, scan, bx, by, strokes, &dark) < 0
        || (dark && (before = box_of(pix, bx, by, w, h)) == NULL))
        goto out;
    if (dark && cs_ocr_stamp_lift(pix, dark, bx, by) < 0)
        goto out;
    pixRasterop(pix, bx, by, w, h, PIX_DST & PIX_NOT(PIX_SRC), strokes, 0, 0);
    if (dark ? cs_ocr_stamp_restore(pix, before, dark, bx, by) < 0
             : mend_strokes(pix, strokes, bx, by) < 0)
        goto out;
    if (cs_ocr_stamp_words(pix, bx, by, w, h, *pth) < 0
        || (dark && cs_ocr_stamp_restore(pix, before, dark, bx, by) < 0))
        goto out;
    rc = 1;
out:
    pixDestroy(&dark);
    pixDestroy(&before);
    return rc;
}

/* The stamp whose round frame comp is a piece of, through the ellipse the
 * piece lies on (note 8).  1 when taken off, 0 when comp lies on no
 * stamp's ellipse, -1 on error. */
static int take_oval(PIX *pix, PIX *comp, l_int32 bx, l_int32 by, int dpi,
                     const cs_ocr_scan *scan, int *pth)
{
    l_int32 ox = 0, oy = 0;
    PIX *ring = NULL;
    int rc;

    if (cs_ocr_oval_ring(pix, comp, bx, by, dpi, &ring, &ox, &oy) < 0)
        return -1;
    if (!ring)
        return 0;
    rc = take_strokes(pix, ring, ox, oy, dpi, scan, pth);
    pixDestroy(&ring);
    return rc;
}

/* The stamp whose frame is comp (at bx, by in pix).  A frame that stands
 * straight on the page is printed, not pressed (note 4): it is left as
 * it is; a round one is a stamp's at any angle (note 6), and so is one
 * broken into arcs that lie on an ellipse (note 8).  1 when a stamp was
 * taken off, 0 when not, -1 on error. */
static int take_stamp(PIX *pix, PIX *comp, l_int32 bx, l_int32 by, int dpi,
                      const cs_ocr_scan *scan, int *pth)
{
    float angle = 0.0f, straight = 1.0f;
    PIX *strokes = frame_strokes(comp, &angle), *ring;
    l_int32 all = 0, on = 0;
    int rc;

    if (!strokes)
        return -1;
    ring = cs_ocr_stamp_outline(comp, strokes, dpi, &straight);
    if (!ring) {
        pixCountPixels(comp, &all, NULL);
        pixCountPixels(strokes, &on, NULL);
        /* open, and mostly not straight: perhaps a round frame in arcs */
        if (on < CS_STAMP_STRAIGHT * all
            && (rc = take_oval(pix, comp, bx, by, dpi, scan, pth)) != 0) {
            pixDestroy(&strokes);
            return rc;
        }
    }
    if (ring && straight < CS_STAMP_STRAIGHT) {
        pixDestroy(&strokes);      /* round: its whole outline is frame */
        strokes = ring;
        ring = NULL;
    } else if (fabsf(angle) < CS_STAMP_MIN_TILT) {
        pixDestroy(&ring);
        pixDestroy(&strokes);
        return 0;
    }
    pixDestroy(&ring);
    rc = take_strokes(pix, strokes, bx, by, dpi, scan, pth);
    pixDestroy(&strokes);
    return rc;
}

/* The frames inside region (a candidate box of pix): whiten their stamps. */
static int stamps_in(PIX *pix, BOX *region, int dpi, const cs_ocr_scan *scan, int closed,
                     int *pth, int *pfound)
{
    BOX *clipped = NULL;
    PIX *part = NULL;
    BOXA *boxa = NULL;
    PIXA *pixa = NULL;
    l_int32 px = 0, py = 0;
    int rc = -1;

    if ((part = pixClipRectangle(pix, region, &clipped)) == NULL)
        goto out;
    if (closed && pixCloseSafeBrick(part, part, closed, 3 * closed) == NULL)
        goto out;
    if ((boxa = pixConnComp(part, &pixa, 8)) == NULL)
        goto out;
    boxGetGeometry(clipped, &px, &py, NULL, NULL);
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 bx, by;
        PIX *comp = pixaGetPix(pixa, i, L_CLONE);
        int bad = !comp;

        boxaGetBoxGeometry(boxa, i, &bx, &by, NULL, NULL);
        if (comp && is_frame(comp, dpi, 1.0)) {
            int taken = take_stamp(pix, comp, px + bx, py + by, dpi, scan, pth);
            bad = taken < 0;
            *pfound += taken > 0;
        } else if (comp && is_frame(comp, dpi, CS_STAMP_OVER)) {
            /* a round frame with print letters joined to it (note 8) */
            int taken = take_oval(pix, comp, px + bx, py + by, dpi, scan, pth);
            bad = taken < 0;
            *pfound += taken > 0;
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
 *              scan (<optional> the grey scan pix was thresholded from, and
 *                    how pix was turned since (note 5); NULL for a bilevel scan)
 *              pfound (<optional return> number of stamps whitened; use NULL to skip)
 *      Return: 0 if OK, -1 on error
 *
 *  Notes:
 *      (1) The candidates are found on a 4x reduction (a pixel is on when
 *          any of its 16 is), its vertical gaps of up to two pixels closed
 *          (a pale frame's sides break more than its top and bottom): a
 *          component at least as large as a frame there; only their boxes
 *          are searched at full resolution, so a page without one costs a
 *          few milliseconds.
 */
int cs_ocr_clean_stamps(PIX *pix, int dpi, const cs_ocr_scan *scan, int *pfound)
{
    PIX *red = NULL;
    BOXA *boxa = NULL;
    int th = 0, found = 0, rc = -1;

    if (pfound)
        *pfound = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    if ((red = pixReduceRankBinaryCascade(pix, 1, 1, 0, 0)) == NULL
        || pixCloseSafeBrick(red, red, 1, 3) == NULL
        || (boxa = pixConnCompBB(red, 8)) == NULL)
        goto out;
    for (int i = 0; i < boxaGetCount(boxa); i++) {
        l_int32 bx, by, bw, bh;
        BOX *region;
        int bad, before;

        boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
        if (4 * bw < CS_STAMP_MIN_W * dpi || 4 * bh < CS_STAMP_MIN_H * dpi)
            continue;
        if ((region = boxCreate(4 * bx - 4, 4 * by - 4, 4 * bw + 8, 4 * bh + 8)) == NULL)
            goto out;
        before = found;
        bad = stamps_in(pix, region, dpi, scan, 0, &th, &found) < 0;
        /* a pale frame the threshold broke: its gaps closed, for finding it only */
        if (!bad && found == before)
            bad = stamps_in(pix, region, dpi, scan, CLOSE_GAPS(dpi), &th, &found) < 0;
        boxDestroy(&region);
        if (bad)
            goto out;
    }
    /* stamps with no frame, on a grey scan (note 7) */
    if (scan && cs_ocr_tuning_current.stamps_bare) {
        int bare = 0;
        if (cs_ocr_clean_bare_stamps(pix, dpi, scan, &bare) < 0)
            goto out;
        found += bare;
    }
    if (pfound)
        *pfound = found;
    rc = 0;
out:
    boxaDestroy(&boxa);
    pixDestroy(&red);
    return rc;
}

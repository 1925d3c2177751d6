/*
 * blank.c — is a cleaned page blank?  Decided before OCR, so that blank
 * back sides cost no recognition, on the 1 bpp page after borders, holes
 * and speckle are gone.
 *
 * Interface routines:
 *   cs_ocr_blank_test   score the writing on a page and decide
 *
 * Notes:
 *   1. The score counts what looks like writing in the central area (the
 *      page less a margin of 0.4 inch, where scanner edges and hole
 *      remnants live): each character-sized component counts 1; a rule
 *      (a signature line: 1 inch or longer, thin) or a large component
 *      (a signature, a stamp, a figure) counts 10.  Fewer than
 *      CS_BLANK_MIN_SCORE is blank.  "Page 2 of 3" alone scores 8; noise
 *      that survived the speckle filter and faint bleed-through, which the
 *      binarisation leaves white, score 0-2.
 *   2. Counting shapes rather than the ink fraction is what makes one
 *      short line differ from a page of dirt: a few hundred scattered
 *      dots can outweigh a line of text in ink, never in characters.
 *   3. The page is first opened with a 2x2 brick: a stroke of print is
 *      two pixels wide or more and stays, while the faint letters of
 *      bleed-through that a bilevel scanner dithers into clouds of single
 *      dots vanish.  Without it those clouds join into letter-sized shapes
 *      on the reduced copy: a speckled G4 back side with a bold heading
 *      showing through scored 40-51 (seeds 1 and 2 of the benchmark) and
 *      was read as 44-219 junk characters; opened, it scores 0-1.  Text
 *      pages score the same (lowest 146 over three seeds), "Page 2 of 3"
 *      still 8.  A 3x3 brick would take 200 dpi print too (scores down to
 *      13).  About 3 ms a page.
 *   4. Done on a 2x reduced copy (an OR reduction, so thin strokes stay):
 *      a quarter of the pixels to label, same decision.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>

#define CS_BLANK_MIN_SCORE 3.0

/*!
 * cs_ocr_blank_test()
 *
 *      Input:  pix (1 bpp, cleaned)
 *              dpi (its resolution)
 *              pscore (<return> the score of note 1; higher: more writing)
 *              pblank (<return> 1 if blank)
 *      Return: 0 if OK, -1 on error
 */
int cs_ocr_blank_test(PIX *pix, int dpi, double *pscore, int *pblank)
{
    PIX *opened = NULL, *red = NULL, *centre = NULL;
    BOXA *boxa = NULL;
    BOX *box = NULL;
    double ppi = dpi / 2.0, score = 0;
    int margin, w, h, n, rc = -1;

    *pscore = 0;
    *pblank = 0;
    if (!pix || pixGetDepth(pix) != 1 || dpi <= 0)
        return -1;
    if (cs_ocr_tuning_current.blank_open > 1) {
        int sz = cs_ocr_tuning_current.blank_open;
        if ((opened = pixOpenBrick(NULL, pix, sz, sz)) == NULL)
            goto out;
    } else if ((opened = pixClone(pix)) == NULL)
        goto out;
    if ((red = pixReduceRankBinaryCascade(opened, 1, 0, 0, 0)) == NULL)
        goto out;
    w = pixGetWidth(red);
    h = pixGetHeight(red);
    margin = (int)(0.4 * ppi);
    if (w > 4 * margin && h > 4 * margin) {
        box = boxCreate(margin, margin, w - 2 * margin, h - 2 * margin);
        centre = pixClipRectangle(red, box, NULL);
    } else {
        centre = pixClone(red);
    }
    if (!centre || (boxa = pixConnCompBB(centre, 8)) == NULL)
        goto out;
    n = boxaGetCount(boxa);
    for (int i = 0; i < n; i++) {
        l_int32 bw, bh;

        boxaGetBoxGeometry(boxa, i, NULL, NULL, &bw, &bh);
        if (bw >= 1.0 * ppi && bh <= 0.08 * ppi)
            score += 10;                                  /* a rule */
        else if (bh >= 0.05 * ppi && bh <= 0.5 * ppi && bw <= 0.8 * ppi && bw >= 0.01 * ppi)
            score += 1;                                   /* a character */
        else if (bw > 0.8 * ppi && bh > 0.2 * ppi)
            score += 10;                                  /* a signature, a figure */
    }
    *pscore = score;
    *pblank = score < CS_BLANK_MIN_SCORE;
    rc = 0;
out:
    boxaDestroy(&boxa);
    boxDestroy(&box);
    pixDestroy(&centre);
    pixDestroy(&red);
    pixDestroy(&opened);
    return rc;
}

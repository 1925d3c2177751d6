/*
 * broken.c — print that a bilevel scanner's threshold broke apart: pale or
 * thin type scanned to one bit comes out as rows of dots and short dashes
 * with one-pixel gaps, which no later step can threshold again.  The page
 * is read a second time with those gaps bridged, and the second reading is
 * kept only when recognition is clearly surer of it.
 *
 * Interface routines:
 *   cs_ocr_join_broken     bridge the one-pixel gaps of a bilevel page's strokes
 *   cs_ocr_joined_better   whether the reading of the joined page is to be kept
 *
 * Notes:
 *   1. What is seen: on a 200 dpi G4 scan of light print, a letter is a
 *      cluster of single pixels and pairs, one pixel apart; the scanner's
 *      noise is single pixels too, but scattered (0.2% of the page).  The
 *      speckle step (clean.c) takes pieces of that size for dust, and
 *      Tesseract reads what is left as junk: on the benchmark's seeds 1-9
 *      such pages read 200-500 character errors of 430-1150, where a
 *      human reads them without trouble.
 *   2. A closing with a 3x3 brick (one pixel of dilation and erosion)
 *      joins the pieces of a letter, which lie within one pixel of one
 *      another, and leaves a scattered noise pixel as it was (nothing is
 *      within a pixel of it); the speckle step then removes the noise.
 *      On a page whose noise is dense (a photocopy's dotted toner) the
 *      same closing makes the dots into blobs and the page reads worse, and
 *      on a page of whole print it thickens the letters and joins some of
 *      them: so it is never applied blind.  The measure of the page tried
 *      before recognition did not tell the two apart on the benchmark (the
 *      share of ink in small pieces that the closing joins to larger ones
 *      is as high on noisy pages of whole print, 2-9%, as on broken ones,
 *      2-9%), but recognition does: a page of broken print reads with a mean word confidence of
 *      40-75, a page of print read right at 85-96.
 *   3. So page.c reads a bilevel page as before, and only when its
 *      reading's mean confidence is under CS_JOIN_CONF cleans it again
 *      from its bytes with the gaps bridged (before the speckle step),
 *      turns it as the first pass turned the page, and reads it again.
 *      The second reading is kept when its mean confidence is at least
 *      CS_JOIN_MARGIN higher and it holds at least as many characters
 *      read with confidence (words' lengths weighted by their confidence,
 *      as orient.c's reread weighs its turns): a reading that is surer
 *      only because it read fewer words is not better.
 *   4. A grey scan is never reread this way: its strokes are thresholded
 *      by binarise.c from the grey, where pale print has its own rule
 *      (binarise.c, note 3), and a page scaled to 300 dpi from another
 *      resolution went through grey too.
 *   5. The joined page is read as one block of text (PSM_SINGLE_BLOCK),
 *      not in single-column mode as first readings are (engine.c, note
 *      1): on a joined page of Courier, whose letters the closing made
 *      bolder and whose noise is gone, single-column mode's column finder
 *      took the gaps between words that line up from line to line for a
 *      gutter and read the page's halves one after the other.  One block
 *      has no columns to find.  On the six pages of seeds 1-9 whose joined
 *      reading is kept, character errors in single-column / single-block
 *      mode: tuning seed 3, 319 / 167 and 11 / 9; held-out seeds 4 (two
 *      pages), 8 and 9, 40 / 38, 66 / 68, 45 / 36 and 488 / 53.  (For first readings
 *      single-block mode is worse: over seeds 1-9 the photocopies went
 *      from 2.2% to 3.4% CER, their dots and streak remnants read as
 *      lines of the block.)
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>

#define CS_JOIN_MARGIN 5.0      /* mean word confidence, 0..100 (note 3) */

/*!
 * cs_ocr_join_broken()
 *
 *      Input:  pix (1 bpp page, as binarised)
 *              dpi (its resolution)
 *      Return: pixd (the page with gaps of one pixel in its strokes bridged),
 *              or NULL on error
 *
 *  Notes:
 *      (1) A safe closing: the page's edges count as white, so nothing is
 *          drawn in from outside the page.
 */
PIX *cs_ocr_join_broken(PIX *pix, int dpi)
{
    (void)dpi;
    if (!pix || pixGetDepth(pix) != 1)
        return NULL;
    return pixCloseSafeBrick(NULL, pix, 3, 3);
}

/*!
 * cs_ocr_joined_better()
 *
 *      Input:  first (the page's reading)
 *              confidence, words, nwords (the joined page's reading)
 *      Return: 1 when the joined page's reading is to be kept (note 3), else 0
 */
int cs_ocr_joined_better(const cs_ocr_result *first, double confidence,
                         const cs_ocr_word *words, size_t nwords)
{
    return confidence >= first->confidence + CS_JOIN_MARGIN
           && cs_ocr_read_mass(words, nwords) >= cs_ocr_read_mass(first->words, first->nwords);
}

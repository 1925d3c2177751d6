/*
 * binarise.c — grey page to bilevel, robust to uneven paper tone (shadows
 * at the binding, yellowed paper, a scanner's gradient), grey JPEG
 * artefacts and faint bleed-through from the other side.
 *
 * Interface routines:
 *   cs_ocr_binarise          8 bpp -> 1 bpp (a 1 bpp page is returned as a clone)
 *   cs_ocr_binarise_dotted   a bilevel scan's dotted background taken off
 *                            (photocopy.c, note 9)
 *
 * Notes:
 *   1. Method chosen by measurement (see page.c): Leptonica's background
 *      normalisation maps the local paper tone to 200 everywhere, then one
 *      fixed threshold.  A fixed threshold, not Otsu's, because Otsu on a
 *      page without text splits paper from bleed-through and noise, and so
 *      draws them; Sauvola does the same locally (it follows local
 *      contrast, however faint).  After normalisation ink of any page sits
 *      well below 150 and bleed-through well above.
 *   2. The alternatives stay here, selected by cs_ocr_tuning_current, so
 *      that the measurement can be repeated.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>

/*!
 * cs_ocr_binarise()
 *
 *      Input:  pixs (1 or 8 bpp)
 *              dpi (its resolution; sizes the local windows)
 *      Return: pixd (1 bpp), or NULL on error
 */
PIX *cs_ocr_binarise(PIX *pixs, int dpi)
{
    PIX *pixn = NULL, *pixd = NULL;
    int method = cs_ocr_tuning_current.binarise;

    if (!pixs)
        return NULL;
    if (pixGetDepth(pixs) == 1)
        return pixClone(pixs);
    if (pixGetDepth(pixs) != 8)
        return NULL;
    switch (method) {
    case 2: {
        int whsize = dpi / 12 > 8 ? dpi / 12 : 8;
        if (pixSauvolaBinarizeTiled(pixs, whsize, 0.34f, 2, 2, NULL, &pixd) != 0)
            pixd = NULL;
        break;
    }
    case 3:
        if (pixOtsuAdaptiveThreshold(pixs, pixGetWidth(pixs), pixGetHeight(pixs), 0, 0, 0.0f,
                                     NULL, &pixd) != 0)
            pixd = NULL;
        break;
    default:
        pixn = pixBackgroundNormSimple(pixs, NULL, NULL);
        if (pixn)
            pixd = pixThresholdToBinary(pixn, cs_ocr_tuning_current.threshold);
        break;
    }
    pixDestroy(&pixn);
    if (pixd)
        pixCopyResolution(pixd, pixs);
    return pixd;
}

/* The dot density over which a stretch of a bilevel page is taken for a
 * dotted background (photocopy.c, note 9): of its pixels, dots. */
#define CS_DOTS_DENSE   0.04
/* What the majority filter leaves of a clump of dots: at most this many
 * pixels (a period of 8 pt print at 200 dpi has 9 or more). */
#define CS_CLUMP_MAX    8

/* Each pixel black when at least 5 of the 9 around it are (a 3x3 majority). */
static PIX *majority3(PIX *pixs)
{
    PIX *grey, *mean = NULL, *pixd = NULL;

    if ((grey = pixConvert1To8(NULL, pixs, 255, 0)) != NULL)
        mean = pixBlockconvGray(grey, NULL, 1, 1);
    if (mean)
        pixd = pixThresholdToBinary(mean, 114);     /* mean < 255 * 4.5 / 9 */
    pixDestroy(&mean);
    pixDestroy(&grey);
    return pixd;
}

/*
 * Where on the page the dots are dense: 1 over each stretch of about a
 * third of an inch in which over CS_DOTS_DENSE of the pixels are dots, as
 * a mask of the page's size.
 */
static PIX *dense_mask(PIX *dots, int dpi)
{
    PIX *cell = NULL, *smooth = NULL, *cells = NULL, *big = NULL, *mask;
    int w = pixGetWidth(dots), h = pixGetHeight(dots), half = (dpi + 24) / 48;

    if ((mask = pixCreate(w, h, 1)) == NULL)
        return NULL;
    if ((cell = pixScaleToGray8(dots)) != NULL)     /* 8x8 cells: 255 none, 0 all */
        smooth = pixBlockconvGray(cell, NULL, half, half);
    if (smooth)
        cells = pixThresholdToBinary(smooth, (int)(255 * (1 - CS_DOTS_DENSE)));
    if (cells)
        big = pixExpandReplicate(cells, 8);
    if (big)
        pixRasterop(mask, 0, 0, w, h, PIX_SRC, big, 0, 0);
    else
        pixDestroy(&mask);
    pixDestroy(&big);
    pixDestroy(&cells);
    pixDestroy(&smooth);
    pixDestroy(&cell);
    return mask;
}

/* pixd takes src's pixels where mask is set: pixd = (pixd & ~mask) | (src & mask). */
static void paste_masked(PIX *pixd, PIX *src, PIX *mask)
{
    PIX *part = pixAnd(NULL, src, mask);

    pixSubtract(pixd, pixd, mask);
    if (part)
        pixOr(pixd, pixd, part);
    pixDestroy(&part);
}

/*!
 * cs_ocr_binarise_dotted()
 *
 *      Input:  page (a bilevel scan whose background came out as dots: 1 bpp)
 *              dpi (its resolution)
 *      Return: pixd (the page with its dots taken off), or NULL on error
 *
 *  Notes:
 *      (1) See photocopy.c, note 9.  Where the dots are sparse the print
 *          is kept as scanned, without the components that a 3x3
 *          majority filter erases whole (dots); where they are dense, the
 *          majority filter's page, without what it leaves of clumps.
 */
PIX *cs_ocr_binarise_dotted(PIX *page, int dpi)
{
    PIX *maj, *kept = NULL, *dots = NULL, *dense = NULL, *clean = NULL;

    if (!page || pixGetDepth(page) != 1)
        return NULL;
    if ((maj = majority3(page)) != NULL)
        kept = pixSeedfillBinary(NULL, maj, page, 8);
    if (kept)
        dots = pixSubtract(NULL, page, kept);
    if (dots)
        dense = dense_mask(dots, dpi);
    if (dense)
        clean = pixSelectByArea(maj, CS_CLUMP_MAX, 8, L_SELECT_IF_GT, NULL);
    if (clean) {
        paste_masked(kept, clean, dense);
        pixCopyResolution(kept, page);
    } else {
        pixDestroy(&kept);
    }
    pixDestroy(&clean);
    pixDestroy(&dense);
    pixDestroy(&dots);
    pixDestroy(&maj);
    return kept;
}

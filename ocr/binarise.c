/*
 * binarise.c — grey page to bilevel, robust to uneven paper tone (shadows
 * at the binding, yellowed paper, a scanner's gradient), grey JPEG
 * artefacts and faint bleed-through from the other side.
 *
 * Interface routines:
 *   cs_ocr_binarise   8 bpp -> 1 bpp (a 1 bpp page is returned as a clone)
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

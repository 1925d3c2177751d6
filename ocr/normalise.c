/*
 * normalise.c — bring a page to about 300 dpi, the resolution Tesseract's
 * models read best, with filters that keep strokes smooth: down from 400
 * and 600 dpi always, up only from below 180 dpi (150 dpi faxes).
 *
 * Interface routines:
 *   cs_ocr_normalise   rescale a 1 or 8 bpp page to about CS_OCR_TARGET_DPI
 *
 * Notes:
 *   1. Grey pages are scaled with interpolation up (200 -> 300) and with
 *      area mapping down (400/600 -> 300): no aliasing either way.
 *   2. Bilevel pages are never scaled as bilevel (pixel replication makes
 *      staircases, subsampling drops thin strokes): downscaling goes to
 *      grey (pixScaleToGray, which averages), upscaling through an 8 bpp
 *      copy with interpolation.  The grey result is binarised again by
 *      binarise.c, which on a white background costs a few ms.
 *   3. Within 10% of the target the page is left as it is (a clone):
 *      resampling would cost time and sharpness for nothing.
 *   4. Measured on the benchmark (100 pages): 400 dpi pages scaled to 300
 *      read as well (CER 0.06% both ways) and OCR 26% faster (841 vs
 *      1130 ms); 200 dpi pages scaled up to 300 read worse (CER 0.47% vs
 *      0.32%) and OCR 40% slower (1006 vs 714 ms), so 200-299 dpi pages
 *      are recognised at their own resolution.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

/* Pages at or above this resolution are not scaled up (note 4). */
#define CS_OCR_MIN_DPI 180

/*!
 * cs_ocr_normalise()
 *
 *      Input:  pixs (1 or 8 bpp, no colormap)
 *              dpi (its resolution)
 *              pdpi (<return> resolution of the result)
 *      Return: pixd (1 or 8 bpp; a clone of pixs when no scaling is needed),
 *              or NULL on error
 */
PIX *cs_ocr_normalise(PIX *pixs, int dpi, int *pdpi)
{
    PIX *pix8 = NULL, *pixd = NULL;
    float scale;
    int d;

    *pdpi = dpi;
    if (!pixs || dpi <= 0)
        return NULL;
    d = pixGetDepth(pixs);
    scale = (float)CS_OCR_TARGET_DPI / (float)dpi;
    if (!cs_ocr_tuning_current.normalise || fabsf(scale - 1.0f) < 0.1f
        || (scale > 1.0f && dpi >= CS_OCR_MIN_DPI))
        return pixClone(pixs);

    if (d == 1) {
        if (scale < 1.0f) {
            pixd = scale == 0.5f ? pixScaleToGray2(pixs) : pixScaleToGray(pixs, scale);
        } else {
            pix8 = pixConvert1To8(NULL, pixs, 255, 0);
            if (pix8)
                pixd = pixScaleGrayLI(pix8, scale, scale);
        }
    } else if (d == 8) {
        pixd = scale < 1.0f ? pixScaleAreaMap(pixs, scale, scale)
                            : pixScaleGrayLI(pixs, scale, scale);
    }
    pixDestroy(&pix8);
    if (!pixd)
        return NULL;
    *pdpi = (int)lrintf((float)dpi * scale);
    pixSetResolution(pixd, *pdpi, *pdpi);
    return pixd;
}

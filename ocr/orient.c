/*
 * orient.c — which way up is the page?  0, 90, 180 or 270 degrees, with
 * Leptonica's text-orientation detector (flipdetect.c): hit-miss counts of
 * ascenders and descenders, which on Latin text are far more common above
 * the x-height than below.
 *
 * Interface routines:
 *   cs_ocr_orient_detect   the clockwise rotation that makes the page upright
 *
 * Notes:
 *   1. Chosen over Tesseract's OSD by measurement (see page.c): as
 *      accurate on our pages, and about 20 times cheaper (it runs on a 2x
 *      reduced bilevel copy).  Tesseract's OSD stays reachable through
 *      cs_ocr_tuning_current.orient = 2 for re-measurement.
 *   2. A page is only turned when the detector is sure (an up/down or a
 *      left/right confidence of at least CS_ORIENT_MIN_CONF and that many
 *      times the other): a page the detector cannot read stays as it was
 *      scanned, which is upright for the great majority.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

#define CS_ORIENT_MIN_CONF 6.0f
#define CS_ORIENT_MIN_RATIO 2.5f

/*!
 * cs_ocr_orient_detect()
 *
 *      Input:  pix (1 bpp, about 300 dpi, deskewed or nearly so)
 *              dpi (its resolution)
 *              protation (<return> 0, 90, 180 or 270: degrees clockwise to apply)
 *              pconf (<return> the detector's confidence for the decision
 *                     taken; 0 when it found too little text)
 *      Return: 0 if OK, -1 on error
 */
int cs_ocr_orient_detect(PIX *pix, int dpi, int *protation, double *pconf)
{
    PIX *red = NULL;
    l_float32 upconf = 0, leftconf = 0;
    l_int32 orient = L_TEXT_ORIENT_UNKNOWN;
    int rc = -1;

    *protation = 0;
    *pconf = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    /* the detector wants 150-300 ppi; 150 is four times cheaper */
    if (cs_ocr_tuning_current.orient != 3 && dpi >= 250)
        red = pixReduceRankBinaryCascade(pix, 1, 0, 0, 0);
    else
        red = pixClone(pix);
    if (!red)
        return -1;
    if (pixOrientDetect(red, &upconf, &leftconf, 0, 0) != 0)
        goto out;
    if (makeOrientDecision(upconf, leftconf, CS_ORIENT_MIN_CONF, CS_ORIENT_MIN_RATIO,
                           &orient, 0) != 0)
        goto out;
    switch (orient) {
    case L_TEXT_ORIENT_LEFT:  *protation = 90;  *pconf = fabsf(leftconf); break;
    case L_TEXT_ORIENT_DOWN:  *protation = 180; *pconf = fabsf(upconf); break;
    case L_TEXT_ORIENT_RIGHT: *protation = 270; *pconf = fabsf(leftconf); break;
    case L_TEXT_ORIENT_UP:    *pconf = fabsf(upconf); break;
    default:                  *pconf = 0; break;
    }
    rc = 0;
out:
    pixDestroy(&red);
    return rc;
}

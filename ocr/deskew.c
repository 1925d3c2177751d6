/*
 * deskew.c — find the skew of the text lines and rotate it away, on the
 * 1 bpp page, keeping the page's size (corners bring in white).
 *
 * Interface routines:
 *   cs_ocr_deskew         find the skew (pixFindSkew) and correct it
 *   cs_ocr_rotate_small   rotate a page by a small angle, keeping its size
 *
 * Notes:
 *   1. pixFindSkew sweeps +-7 degrees on a 4x reduction and refines by
 *      binary search on a 2x one: about 10 ms on a 300 dpi page.  An angle
 *      under 0.1 degree, or found with little confidence (a page with a
 *      few lines), is not corrected: a rotation costs more than it buys.
 *   2. Rotation by sampling on 1 bpp, as Leptonica's own pixDeskew does;
 *      at under 7 degrees it leaves no visible stair steps at 300 dpi.
 *      An 8 bpp page (the grey copy measured as Tesseract input) is
 *      rotated by area mapping.
 *   3. The angle returned is the skew of the page as found, in degrees,
 *      positive when the page was turned clockwise on the scanner (the
 *      correction applied is its negative).
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

#define CS_DESKEW_MIN_ANGLE 0.1
#define CS_DESKEW_MIN_CONF 2.0

/*!
 * cs_ocr_rotate_small()
 *
 *      Input:  pixs (1 or 8 bpp)
 *              degrees (clockwise rotation to apply)
 *      Return: pixd (same size as pixs), or NULL on error
 */
PIX *cs_ocr_rotate_small(PIX *pixs, double degrees)
{
    float rad = (float)(degrees * M_PI / 180.0);

    if (!pixs)
        return NULL;
    if (pixGetDepth(pixs) == 1)
        return pixRotate(pixs, rad, L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0);
    return pixRotate(pixs, rad, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
}

/*!
 * cs_ocr_deskew()
 *
 *      Input:  pixs (1 bpp, upright)
 *              dpi (its resolution)
 *              pangle (<return> the skew found and corrected, degrees,
 *                      clockwise positive (note 3); 0
 *                      when none was corrected)
 *      Return: pixd (deskewed, or a clone of pixs), or NULL on error
 */
PIX *cs_ocr_deskew(PIX *pixs, int dpi, double *pangle)
{
    l_float32 angle = 0, conf = 0;

    (void)dpi;
    *pangle = 0;
    if (!pixs || pixGetDepth(pixs) != 1)
        return NULL;
    if (pixFindSkew(pixs, &angle, &conf) != 0 || conf < CS_DESKEW_MIN_CONF
        || fabsf(angle) < CS_DESKEW_MIN_ANGLE)
        return pixClone(pixs);
    *pangle = -angle;           /* pixFindSkew gives the correction */
    return cs_ocr_rotate_small(pixs, angle);
}

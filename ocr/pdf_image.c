/*
 * pdf_image.c — a grey or colour scan kept as such in the searchable PDF:
 * the original page, turned and straightened exactly as its cleaned page
 * was (the cleanup record's rotation and skew), as a JPEG.
 *
 * Interface routines (ocr_internal.h):
 *   cs_pdf_original_jpeg   the page's original as JPEG, or "use the G4"
 *
 * Notes:
 *   1. The cleaned page keeps the scan's geometry up to rotation and scale
 *      (page.c, note 3), so the original turned by the same quarter turns
 *      and rotated by the same small angle covers the page box exactly and
 *      the words of the text layer lie on it.  It is not rescaled: the
 *      page box fixes its size in points whatever its resolution.
 *   2. Rotations about the centre commute, so the quarter turns (which
 *      include a turn decided after deskew, orient.c note 3) and the small
 *      angle can be applied in either order.
 *   3. A bilevel original (G4 scans, the common case) gives 0, told from
 *      its TIFF directory without decoding: its cleaned G4 page is smaller
 *      and sharper than anything else.  So does
 *      an original whose proportions disagree with the cleaned page by
 *      more than 1% (it would not line up with the words): the cleaned
 *      page is always right.
 *   4. JPEG quality 75 (libjpeg's default): a 300 dpi letter page in
 *      grey is some 300-600 kB, about what a scanner's own JPEG is.
 *   5. The small turn (the deskew) is three shears, not an area map: on a
 *      300 dpi grey page 18 ms against 66 (and 4x that in colour), and a
 *      batch of 42 pages, half of them grey, cost 10% more CPU than with
 *      bilevel images when the area map turned them.  At a deskew's few
 *      degrees each pixel lands within a pixel of where the area map puts
 *      it; the grey is not interpolated, which a 300 dpi scan does not show.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define CS_PDF_JPEG_QUALITY 75

/* The decoded original as 8 bpp grey or 32 bpp colour; NULL when it is bilevel. */
static PIX *grey_or_colour(PIX *pix)
{
    int d = pixGetDepth(pix);

    if (d == 1 && !pixGetColormap(pix))
        return NULL;
    if (pixGetColormap(pix))
        return pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
    if (d == 32 || d == 8)
        return pixClone(pix);
    return pixConvertTo8(pix, 0);
}

/* Turn pix (by new reference) as the cleanup turned the page (note 2). */
static PIX *turn_like_cleanup(PIX *pix, int rotation, double skew)
{
    PIX *turned, *straight;
    int quarters = ((rotation % 360 + 360) % 360) / 90;

    turned = quarters ? pixRotateOrth(pix, quarters) : pixClone(pix);
    if (!turned || skew == 0)
        return turned;
    /* three shears, not an area map (note 5) */
    straight = pixRotate(turned, (float)(-skew * M_PI / 180.0), L_ROTATE_SHEAR,
                         L_BRING_IN_WHITE, 0, 0);
    pixDestroy(&turned);
    return straight;
}

/*!
 * cs_pdf_original_jpeg()
 *
 *      Input:  p (the page: original, original_page, rotation, skew)
 *              width, height (of the cleaned page, pixels)
 *              jpeg (<return> the JPEG (data malloc'd), its size in pixels and
 *                    components: 1 grey, 3 colour; zeroed unless 1 is returned)
 *              err, errlen (the reason on failure)
 *      Return: 1 with a JPEG, 0 when the page is to be shown as its cleaned
 *              G4 image (note 3), -1 when the original cannot be decoded
 */
int cs_pdf_original_jpeg(const cs_pdf_page *p, int width, int height, cs_pdf_jpeg *jpeg,
                         char *err, size_t errlen)
{
    PIX *pix = NULL, *page = NULL, *turned = NULL;
    long long w = 0, h = 0;
    l_int32 hw, hh, bps = 0, spp = 0, res, cmap = 0, format;
    double ratio;
    int rc = -1;

    memset(jpeg, 0, sizeof *jpeg);
    if (!p->original || p->original_page < 1 || width <= 0 || height <= 0)
        return 0;
    if (cs_ocr_tiff_page_size(p->original, p->original_len, p->original_page, &w, &h, err,
                              errlen) < 0)
        return -1;
    if (w <= 0 || h <= 0 || w * h > CS_MAX_PAGE_PIXELS)
        return cs_fail(err, errlen, "the original page has %lld x %lld pixels", w, h);
    /* a bilevel scan, told by its directory: no need to decode it */
    cs_ocr_tiff_clear_error();
    if (readHeaderMemTiff(p->original, p->original_len, p->original_page - 1, &hw, &hh, &bps,
                          &spp, &res, &cmap, &format) == 0 && bps == 1 && spp == 1 && !cmap)
        return 0;
    cs_ocr_tiff_clear_error();
    pix = pixReadMemTiff(p->original, p->original_len, p->original_page - 1);
    if (!pix)
        return cs_fail(err, errlen, "could not decode the original page: %s",
                       cs_ocr_tiff_has_error() ? cs_ocr_tiff_last_error() : "corrupt data");
    page = grey_or_colour(pix);
    if (!page) {
        rc = pixGetDepth(pix) == 1 ? 0 : -1;
        if (rc < 0)
            cs_fail(err, errlen, "could not convert the original page");
        goto out;
    }
    turned = turn_like_cleanup(page, p->rotation, p->skew);
    if (!turned) {
        cs_fail(err, errlen, "could not turn the original page");
        goto out;
    }
    ratio = ((double)pixGetWidth(turned) / pixGetHeight(turned)) / ((double)width / height);
    if (fabs(ratio - 1.0) > 0.01) {
        rc = 0;
        goto out;
    }
    if (pixWriteMemJpeg(&jpeg->data, &jpeg->len, turned, CS_PDF_JPEG_QUALITY, 0) != 0
        || !jpeg->data) {
        free(jpeg->data);
        memset(jpeg, 0, sizeof *jpeg);
        cs_fail(err, errlen, "could not encode the original page as JPEG");
        goto out;
    }
    jpeg->width = pixGetWidth(turned);
    jpeg->height = pixGetHeight(turned);
    jpeg->components = pixGetDepth(turned) == 32 ? 3 : 1;
    rc = 1;
out:
    pixDestroy(&turned);
    pixDestroy(&page);
    pixDestroy(&pix);
    return rc;
}

/*
 * decode.c — one TIFF page from memory to a Leptonica image that the rest
 * of the cleanup can take: 1 bpp (bilevel scans) or 8 bpp grey (grey,
 * colour and colormapped scans), with the resolution it was scanned at.
 *
 * Interface routines:
 *   cs_ocr_decode      check the limit, decode, reduce to 1 or 8 bpp
 *   cs_ocr_infer_dpi   the scan resolution from the tag or the page size
 *
 * Notes:
 *   1. The pixel limit (CS_MAX_PAGE_PIXELS, 120 Mpixel: a 600 dpi US Letter
 *      page has 33.7 Mpixel, a 600 dpi A3 page 69.9) is checked from the
 *      TIFF directory before any pixel is decoded, so a hostile header
 *      cannot make us allocate gigabytes.  At 120 Mpixel the decoded page
 *      is 120 MB grey or 15 MB bilevel, within a worker's budget.
 *   2. Colour carries nothing OCR needs: it becomes luminance at once, so
 *      every later step sees 1 or 8 bpp only.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>

#include "common/common.h"

/*!
 * cs_ocr_infer_dpi()
 *
 *      Input:  width, height (pixels of the page as scanned)
 *              tagged (resolution tag in pixels per inch; 0 when absent)
 *              inferred (<return> 1 when the tag was not used)
 *      Return: the resolution to use, pixels per inch
 *
 *  Notes:
 *      (1) A tag is kept when it makes the page's shorter side between 3
 *          and 18 inches: anything else (72 ppi from a converter, 1 ppi
 *          from a careless one) is wrong.
 *      (2) Otherwise the shorter side (of a page-shaped image; else the
 *          width) is taken to be 8.5 inches (US Letter;
 *          A4's 8.27 snaps to the same resolutions) and the result snapped
 *          to the resolutions scanners use.
 */
int cs_ocr_infer_dpi(int width, int height, int tagged, int *inferred)
{
    static const int common_dpi[] = {100, 150, 200, 240, 300, 400, 600, 1200};
    int side = width;
    double guess, bestd = 1e9;
    int best = 300;

    *inferred = 0;
    /* a page scanned sideways (landscape, with the proportions of a
     * page) is judged by its shorter side; anything else, such as a band
     * cut from a page, by its width */
    if (height > 0 && height < width && (double)height / width > 0.6)
        side = height;
    if (tagged >= 100 && tagged <= 1200) {
        double inches = (double)side / tagged;
        if (inches > 3.0 && inches < 18.0)
            return tagged;
    }
    *inferred = 1;
    guess = side / 8.5;
    for (size_t i = 0; i < sizeof common_dpi / sizeof common_dpi[0]; i++) {
        double d = fabs(guess - common_dpi[i]);
        if (d < bestd) {
            bestd = d;
            best = common_dpi[i];
        }
    }
    return best;
}

/*!
 * cs_ocr_decode()
 *
 *      Input:  data, len (the whole TIFF file; not modified)
 *              page (1-based)
 *              ppix (<return> the page, 1 or 8 bpp, no colormap)
 *              pdpi (<return> its resolution), pinferred (<return> 1 if inferred)
 *              err, errlen (the reason on failure; err may be NULL)
 *      Return: 0 if OK, -1 on error (*ppix NULL)
 */
int cs_ocr_decode(const void *data, size_t len, int page, PIX **ppix,
                  int *pdpi, int *pinferred, char *err, size_t errlen)
{
    PIX *pix = NULL, *out = NULL;
    long long w = 0, h = 0;
    int d;

    *ppix = NULL;
    *pdpi = 0;
    *pinferred = 0;
    if (cs_ocr_tiff_page_size(data, len, page, &w, &h, err, errlen) < 0)
        return -1;
    if (w <= 0 || h <= 0)
        return cs_fail(err, errlen, "page %d has no pixels", page);
    if (w * h > CS_MAX_PAGE_PIXELS)
        return cs_fail(err, errlen, "page has %lld x %lld pixels, more than the limit of %lld",
                       w, h, (long long)CS_MAX_PAGE_PIXELS);

    cs_ocr_tiff_clear_error();
    pix = pixReadMemTiff(data, len, page - 1);
    if (!pix)
        return cs_fail(err, errlen, "could not decode TIFF page %d: %s", page,
                       cs_ocr_tiff_has_error() ? cs_ocr_tiff_last_error()
                                               : "image data is cut short or corrupt");
    d = pixGetDepth(pix);
    if (d == 1 && !pixGetColormap(pix))
        out = pixClone(pix);
    else if (d == 32)
        out = pixConvertRGBToLuminance(pix);
    else
        out = pixConvertTo8(pix, 0);     /* colormaps, 2/4/16 bpp, 8 bpp as is */
    if (!out) {
        pixDestroy(&pix);
        return cs_fail(err, errlen, "could not convert TIFF page %d (%d bpp) to grey", page, d);
    }
    *pdpi = cs_ocr_infer_dpi(pixGetWidth(pix), pixGetHeight(pix), pixGetXRes(pix), pinferred);
    pixSetResolution(out, *pdpi, *pdpi);
    pixDestroy(&pix);
    *ppix = out;
    return 0;
}

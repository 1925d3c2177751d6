/*
 * page.c — one page from TIFF bytes to text: check the page against the
 * pixel limit before decoding, decode with Leptonica, bring it to a form
 * Tesseract reads well (8-bit grey or 1-bit, a plausible resolution),
 * recognise.
 *
 * Notes:
 *   1. The pixel limit is checked from the TIFF directory before any pixel
 *      is decoded, so a hostile header cannot make us allocate gigabytes.
 *   2. A missing or implausible resolution tag is inferred from the page
 *      width, assuming a US Letter or A4 page (8.3-8.5 inches wide), and
 *      snapped to the scanner resolutions met in practice.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

static int infer_dpi(int width, int tagged, int *inferred)
{
    static const int common_dpi[] = {100, 150, 200, 240, 300, 400, 600, 1200};
    double guess;
    int best = 300;
    double bestd = 1e9;

    *inferred = 0;
    if (tagged >= 100 && tagged <= 1200) {
        /* a tag that disagrees wildly with a letter-sized page is wrong */
        double inches = (double)width / tagged;
        if (inches > 3.0 && inches < 18.0)
            return tagged;
    }
    *inferred = 1;
    guess = width / 8.5;
    for (size_t i = 0; i < sizeof common_dpi / sizeof common_dpi[0]; i++) {
        double d = fabs(guess - common_dpi[i]);
        if (d < bestd) {
            bestd = d;
            best = common_dpi[i];
        }
    }
    return best;
}

int cs_ocr_page(cs_ocr_engine *e, const void *data, size_t len, int page,
                cs_ocr_result *res, char *err, size_t errlen)
{
    PIX *pix = NULL, *grey = NULL;
    long long w = 0, h = 0;
    double t0;
    int rc = -1;

    memset(res, 0, sizeof *res);
    if (cs_ocr_tiff_page_size(data, len, page, &w, &h, err, errlen) < 0)
        return -1;
    if (w * h > CS_MAX_PAGE_PIXELS)
        return cs_fail(err, errlen, "page has %lld x %lld pixels, more than the limit of %lld",
                       w, h, (long long)CS_MAX_PAGE_PIXELS);

    t0 = cs_now_ms();
    cs_ocr_tiff_clear_error();
    pix = pixReadMemTiff(data, len, page - 1);
    if (!pix) {
        cs_fail(err, errlen, "could not decode TIFF page %d: %s", page,
                cs_ocr_tiff_has_error() ? cs_ocr_tiff_last_error()
                                        : "image data is cut short or corrupt");
        goto out;
    }
    res->width = pixGetWidth(pix);
    res->height = pixGetHeight(pix);
    res->dpi = infer_dpi(res->width, pixGetXRes(pix), &res->dpi_inferred);

    /* Tesseract takes 1, 8 or 32 bpp without a colormap */
    if (pixGetColormap(pix) || (pixGetDepth(pix) != 1 && pixGetDepth(pix) != 8)) {
        grey = pixConvertTo8(pix, 0);
        if (!grey) {
            cs_fail(err, errlen, "could not convert page %d to grey", page);
            goto out;
        }
    } else {
        grey = pixClone(pix);
    }
    res->decode_ms = cs_now_ms() - t0;

    t0 = cs_now_ms();
    if (cs_ocr_engine_recognise(e, grey, res->dpi, &res->text, &res->confidence, err, errlen) < 0)
        goto out;
    res->ocr_ms = cs_now_ms() - t0;
    rc = 0;
out:
    pixDestroy(&grey);
    pixDestroy(&pix);
    if (rc < 0)
        cs_ocr_result_clear(res);
    return rc;
}

void cs_ocr_result_clear(cs_ocr_result *res)
{
    if (!res)
        return;
    free(res->text);
    memset(res, 0, sizeof *res);
}

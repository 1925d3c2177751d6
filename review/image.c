/*
 * image.c — a stored page (the cleaned, bilevel G4 TIFF) as a PNG for the
 * browser, rendered with Leptonica.  Scaling a bilevel page down to grey
 * (pixScaleToGray) keeps thin strokes legible where plain subsampling
 * would drop them.
 */
#include "review/review.h"
#include "review/review_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

int cs_review_page_png(const unsigned char *tiff, size_t len, int width, unsigned char **png,
                       size_t *pnglen, char *err, size_t errlen)
{
    PIX *pix = NULL, *scaled = NULL;
    l_uint8 *data = NULL;
    size_t size = 0;
    int rc = -1;

    *png = NULL;
    *pnglen = 0;
    if (!tiff || len == 0 || width < 16)
        return cs_fail(err, errlen, "no image");
    pix = pixReadMem(tiff, len);
    if (!pix)
        return cs_fail(err, errlen, "could not decode the stored page image");
    if ((long long)pixGetWidth(pix) * pixGetHeight(pix) > CS_MAX_PAGE_PIXELS) {
        cs_fail(err, errlen, "the stored page image is too large");
        goto out;
    }
    if (pixGetWidth(pix) > width) {
        float factor = (float)width / (float)pixGetWidth(pix);
        scaled = pixGetDepth(pix) == 1 ? pixScaleToGray(pix, factor) : pixScale(pix, factor, factor);
    } else {
        scaled = pixClone(pix);
    }
    if (!scaled) {
        cs_fail(err, errlen, "could not scale the page image");
        goto out;
    }
    if (pixWriteMem(&data, &size, scaled, IFF_PNG) != 0 || !data) {
        cs_fail(err, errlen, "could not encode the page image as PNG");
        goto out;
    }
    /* hand over memory the caller frees with free() */
    *png = malloc(size);
    if (!*png) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    memcpy(*png, data, size);
    *pnglen = size;
    rc = 0;
out:
    if (data)
        lept_free(data);
    pixDestroy(&scaled);
    pixDestroy(&pix);
    return rc;
}

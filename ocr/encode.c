/*
 * encode.c — the cleaned page as a bilevel CCITT G4 TIFF in memory: what
 * the database stores for display and what the PDF embeds as it is.
 *
 * Interface routines:
 *   cs_ocr_encode_g4   1 bpp page -> one-strip G4 TIFF, resolution set
 *
 * Notes:
 *   1. Leptonica writes the whole page as one strip, photometric
 *      min-is-white, fill order MSB first: the strip is a complete G4
 *      stream that pdf.c copies into /CCITTFaxDecode unchanged.  pdf.c
 *      still checks these properties rather than relying on them.
 *   2. A text page at 300 dpi is 30-80 kB.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/*!
 * cs_ocr_encode_g4()
 *
 *      Input:  pix (1 bpp)
 *              dpi (resolution to record in the TIFF)
 *              pdata (<return> the TIFF, malloc'd), plen (<return> its size)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK, -1 on error (nothing returned)
 */
int cs_ocr_encode_g4(PIX *pix, int dpi, unsigned char **pdata, size_t *plen,
                     char *err, size_t errlen)
{
    l_uint8 *lept = NULL;
    size_t size = 0;
    l_int32 xres, yres;

    *pdata = NULL;
    *plen = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return cs_fail(err, errlen, "cleaned page is not bilevel");
    pixGetResolution(pix, &xres, &yres);
    pixSetResolution(pix, dpi, dpi);
    if (pixWriteMemTiff(&lept, &size, pix, IFF_TIFF_G4) != 0 || !lept) {
        pixSetResolution(pix, xres, yres);
        return cs_fail(err, errlen, "could not encode the cleaned page as G4");
    }
    pixSetResolution(pix, xres, yres);
    /* our callers free with free(): do not hand out Leptonica's allocation */
    *pdata = malloc(size);
    if (!*pdata) {
        lept_free(lept);
        return cs_fail(err, errlen, "out of memory");
    }
    memcpy(*pdata, lept, size);
    *plen = size;
    lept_free(lept);
    return 0;
}

/*
 * pdf_image.c — a grey or colour scan kept as such in the searchable PDF:
 * the original page as JPEG, placed on the page turned and straightened
 * exactly as its cleaned page was (the cleanup record's rotation and skew)
 * by the page's matrix, not by turning its pixels.
 *
 * Interface routines (ocr_internal.h):
 *   cs_pdf_original_jpeg    the page's original as JPEG, or "use the G4"
 *   cs_pdf_place_original   the content that draws it turned and straightened
 *
 * Notes:
 *   1. The cleaned page keeps the scan's geometry up to rotation and scale
 *      (page.c, note 3), so the original turned by the same quarter turns
 *      and rotated by the same small angle about its centre covers the page
 *      box exactly and the words of the text layer lie on it.  It is not
 *      rescaled: the page box fixes its size in points whatever its
 *      resolution.
 *   2. Rotations about the centre commute, so the quarter turns (which
 *      include a turn decided after deskew, orient.c note 3) and the small
 *      angle can be applied in either order.
 *   3. A bilevel original (G4 scans, the common case) gives 0, told from
 *      its TIFF directory without decoding: its cleaned G4 page is smaller
 *      and sharper than anything else.  So does an original whose
 *      proportions, turned, disagree with the cleaned page by more than 1%
 *      (it would not line up with the words): the cleaned page is always
 *      right.
 *   4. A page stored as one strip of 8-bit JPEG (grey, or YCbCr colour),
 *      which is what scanners write for grey and colour, goes into the PDF
 *      byte for byte (its JPEGTables joined in: tiff.c): no decoding, no
 *      loss.  Anything else (LZW, Deflate, several strips, 16 bits) is
 *      decoded and encoded as JPEG at quality 75 (libjpeg's default: a 300
 *      dpi letter page in grey is some 300-600 kB, about what a scanner's
 *      own JPEG is).
 *   5. The turn is the page's matrix (cs_pdf_place_original): the image is
 *      drawn rotated, clipped to the page box; the corners it leaves are
 *      white, as the cleaned page's are.  Until issue 16 the pixels were
 *      turned (three shears) and the JPEG encoded again: on the bench
 *      batch (seed 1, 20 files, 42 pages, 21 of them grey JPEG) that cost
 *      45-50 ms of CPU a grey page (20-100 ms: 200 and 300 dpi), in two
 *      runs; passing the JPEG through costs 0.1-0.2 ms.
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

/* Quarter turns clockwise, 0 to 3, of a rotation in degrees. */
static int quarters_of(int rotation)
{
    return ((rotation % 360 + 360) % 360) / 90;
}

/*
 * The JPEG of a stored JPEG page's bytes (note 4), when its frame agrees
 * with its directory: 8-bit samples, Huffman coded (baseline, extended or
 * progressive: what PDF's DCTDecode reads), the directory's size and
 * components.  1 with the JPEG, 0 when it must be decoded instead.
 */
static int stored_jpeg(const cs_pdf_page *p, cs_pdf_jpeg *jpeg)
{
    const unsigned char *s;
    size_t i;

    if (cs_ocr_tiff_jpeg_raw(p->original, p->original_len, p->original_page, jpeg) != 1)
        return 0;
    s = jpeg->data;
    for (i = 2; i + 9 < jpeg->len && s[i] == 0xFF;) {
        unsigned m = s[i + 1], seglen = (unsigned)s[i + 2] << 8 | s[i + 3];
        if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
            if (s[i + 4] == 8 && ((int)s[i + 5] << 8 | s[i + 6]) == jpeg->height
                && ((int)s[i + 7] << 8 | s[i + 8]) == jpeg->width && s[i + 9] == jpeg->components)
                return 1;
            break;
        }
        if ((m >= 0xC3 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) || m == 0xDA
            || seglen < 2)
            break;             /* another coding, or image data before a frame header */
        i += 2 + seglen;
    }
    free(jpeg->data);
    memset(jpeg, 0, sizeof *jpeg);
    return 0;
}

/* The original decoded and encoded as JPEG (note 4): 1, 0 when it is bilevel, -1. */
static int encoded_jpeg(const cs_pdf_page *p, cs_pdf_jpeg *jpeg, char *err, size_t errlen)
{
    PIX *pix, *page = NULL;
    int rc = -1;

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
    if (pixWriteMemJpeg(&jpeg->data, &jpeg->len, page, CS_PDF_JPEG_QUALITY, 0) != 0
        || !jpeg->data) {
        free(jpeg->data);
        memset(jpeg, 0, sizeof *jpeg);
        cs_fail(err, errlen, "could not encode the original page as JPEG");
        goto out;
    }
    jpeg->width = pixGetWidth(page);
    jpeg->height = pixGetHeight(page);
    jpeg->components = pixGetDepth(page) == 32 ? 3 : 1;
    rc = 1;
out:
    pixDestroy(&page);
    pixDestroy(&pix);
    return rc;
}

/*!
 * cs_pdf_original_jpeg()
 *
 *      Input:  p (the page: original, original_page, rotation)
 *              width, height (of the cleaned page, pixels)
 *              jpeg (<return> the JPEG (data malloc'd) as scanned, not turned,
 *                    its size in pixels and components: 1 grey, 3 colour;
 *                    zeroed unless 1 is returned)
 *              err, errlen (the reason on failure)
 *      Return: 1 with a JPEG, 0 when the page is to be shown as its cleaned
 *              G4 image (note 3), -1 when the original cannot be decoded
 */
int cs_pdf_original_jpeg(const cs_pdf_page *p, int width, int height, cs_pdf_jpeg *jpeg,
                         char *err, size_t errlen)
{
    long long w = 0, h = 0;
    l_int32 hw, hh, bps = 0, spp = 0, res, cmap = 0, format;
    double ratio;
    int rc;

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
    if (!stored_jpeg(p, jpeg) && (rc = encoded_jpeg(p, jpeg, err, errlen)) != 1)
        return rc;
    /* turned as the cleaned page was, it must have its proportions (note 3) */
    ratio = quarters_of(p->rotation) % 2
            ? ((double)jpeg->height / jpeg->width) / ((double)width / height)
            : ((double)jpeg->width / jpeg->height) / ((double)width / height);
    if (fabs(ratio - 1.0) > 0.01) {
        free(jpeg->data);
        memset(jpeg, 0, sizeof *jpeg);
        return 0;
    }
    return 1;
}

/* Geometry of an original on its page (note 1): from its pixels to points. */
typedef struct placement {
    int iw, ih, quarters;       /* the image as scanned; quarter turns clockwise */
    double tw, th;              /* its size turned */
    double cosa, sina;          /* the small turn, clockwise on the page */
    double sx, sy, ph;          /* points a turned pixel; the page's height in points */
} placement;

/* Where pixel corner x, y of the original (y down) lands on the page, in points. */
static void place(const placement *pl, double x, double y, double *px, double *py)
{
    double x1 = x, y1 = y, dx, dy;

    switch (pl->quarters) {     /* as pixRotateOrth turns, clockwise */
    case 1: x1 = pl->ih - y; y1 = x; break;
    case 2: x1 = pl->iw - x; y1 = pl->ih - y; break;
    case 3: x1 = y; y1 = pl->iw - x; break;
    default: break;
    }
    /* about the centre, as pixRotate turns (clockwise positive, y down) */
    dx = x1 - pl->tw / 2;
    dy = y1 - pl->th / 2;
    *px = (pl->tw / 2 + dx * pl->cosa - dy * pl->sina) * pl->sx;
    *py = pl->ph - (pl->th / 2 + dx * pl->sina + dy * pl->cosa) * pl->sy;
}

/*!
 * cs_pdf_place_original()
 *
 *      Input:  content (the page's content stream, appended to)
 *              p (the page: rotation and skew from its cleanup record)
 *              jpeg (its original, as cs_pdf_original_jpeg gave it)
 *              pw, ph (the page box, points)
 *      Return: 0, or -1 when memory ran out
 *      Notes:  the image XObject's unit square maps to the page by one
 *              matrix: the original turned by the cleanup's quarter turns
 *              and straightened by its skew about the centre, then
 *              stretched over the page box (note 5)
 */
int cs_pdf_place_original(cs_buf *content, const cs_pdf_page *p, const cs_pdf_jpeg *jpeg,
                          double pw, double ph)
{
    placement pl;
    double a = -p->skew * M_PI / 180.0;       /* the correction the cleanup applied */
    double x0, y0, x1, y1, x2, y2;

    pl.iw = jpeg->width;
    pl.ih = jpeg->height;
    pl.quarters = quarters_of(p->rotation);
    pl.tw = pl.quarters % 2 ? pl.ih : pl.iw;
    pl.th = pl.quarters % 2 ? pl.iw : pl.ih;
    pl.cosa = cos(a);
    pl.sina = sin(a);
    pl.sx = pw / pl.tw;
    pl.sy = ph / pl.th;
    pl.ph = ph;
    /* the unit square's corners: (0,0) is the image's bottom left */
    place(&pl, 0, pl.ih, &x0, &y0);
    place(&pl, pl.iw, pl.ih, &x1, &y1);
    place(&pl, 0, 0, &x2, &y2);
    return cs_buf_printf(content, "q 0 0 %.4f %.4f re W n %.6f %.6f %.6f %.6f %.4f %.4f cm"
                         " /Im0 Do Q\n", pw, ph, x1 - x0, y1 - y0, x2 - x0, y2 - y0, x0, y0)
           < 0 ? -1 : 0;
}

/*
 * barcode.c — barcodes on paper: reading them on a cleaned page (libzbar)
 * and printing chartscan's cover sheets (libzint for the symbol,
 * Leptonica for the page and its PDF).  What a payload means is the
 * indexer's business (indexer/barcode.c); this file only sees bars.
 *
 * Interface routines:
 *   cs_ocr_barcodes          the barcodes of a cleaned page (G4 TIFF bytes)
 *   cs_ocr_barcodes_free
 *   cs_ocr_coversheet_pdf    cover sheets as a PDF, one page a sheet
 *
 * Notes:
 *   1. Reading runs on the cleaned page (cs_ocr_result.cleaned): upright,
 *      deskewed, bilevel at about 300 dpi, which is what a linear symbol
 *      reads best from, and what every page already has, blank or not.
 *   2. Bounds: a page over BARCODE_MAX_PIXELS is not scanned (an error the
 *      caller logs; the page is processed without barcodes).  ZBar scans
 *      every ROW_DENSITY-th row and every COLUMN_DENSITY-th column, not
 *      every one: the symbols we care about are at least 1/4 inch tall
 *      (75 rows at 300 dpi), and the cleaned page is upright, so vertical
 *      symbols are the rare case.  CPU time for a letter page at 300 dpi on
 *      the reference machine: every row and column 238 ms, every 2nd 138,
 *      every 4th 77, every 8th 46, of which 22 are decoding and conversion.
 *      Every 8th row and 16th column (these densities) keep some 37 scan
 *      lines across a 1-inch cover-sheet symbol and 11 across a 0.3-inch
 *      label, which every test read at 200 and 300 dpi, for about 45 ms:
 *      reading barcodes on every page was the larger part of what issue
 *      15 added to a page's CPU time.  At most
 *      CS_OCR_MAX_BARCODES payloads are kept, each printable ASCII of at
 *      most BARCODE_MAX_TEXT bytes; other payloads are dropped.
 *   3. Only Code 128 and Code 39 are enabled: the symbologies of cover
 *      sheets and patient-label stickers.  Enabling the retail ones (EAN,
 *      UPC) would let strokes of print pass for barcodes.
 *   4. The cover sheet is drawn at SHEET_DPI, letter size, in Leptonica's
 *      bitmap font enlarged (large print for the clerk), with the Code 128
 *      symbol of the payload at a module width of at least MIN_MODULE
 *      pixels (0.25 mm), 1 inch tall, and 1/2 inch of quiet zone at least.
 *      The PDF is Leptonica's (G4 images, no text layer): the sheet's
 *      patient data is in the picture only, and the PDF's title is
 *      generic.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>
#include <zint.h>

#include "common/common.h"

#define BARCODE_MAX_PIXELS (60L * 1000 * 1000)
#define BARCODE_MAX_TEXT   256
#define ROW_DENSITY        8             /* every 8th row: horizontal symbols */
#define COLUMN_DENSITY     16            /* every 16th column: vertical ones */
#define SHEET_DPI          300
#define SHEET_W            2550          /* 8.5 x 11 inches at 300 dpi */
#define SHEET_H            3300
#define SHEET_MARGIN       150           /* 1/2 inch */
#define MIN_MODULE         3
#define MAX_MODULE         6
#define BAR_HEIGHT         300           /* 1 inch */
#define FONT_SIZE          20
#define TEXT_SCALE         3             /* the bitmap font, enlarged */

void cs_ocr_barcodes_free(char ***texts, size_t *n)
{
    if (!texts || !*texts)
        return;
    for (size_t i = 0; i < *n; i++)
        free((*texts)[i]);
    free(*texts);
    *texts = NULL;
    *n = 0;
}

static int printable(const char *s, unsigned len)
{
    if (len == 0 || len > BARCODE_MAX_TEXT)
        return 0;
    for (unsigned i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return 0;
    return 1;
}

/* Keep the payloads of the decoded symbols (note 2), without duplicates. */
static int keep_symbols(const zbar_image_t *img, char ***texts, size_t *n, char *err,
                        size_t errlen)
{
    for (const zbar_symbol_t *sym = zbar_image_first_symbol(img); sym && *n < CS_OCR_MAX_BARCODES;
         sym = zbar_symbol_next(sym)) {
        const char *data = zbar_symbol_get_data(sym);
        unsigned len = zbar_symbol_get_data_length(sym);
        int seen = 0;

        if (!data || !printable(data, len))
            continue;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strlen((*texts)[i]) == len && !memcmp((*texts)[i], data, len);
        if (seen)
            continue;
        if (!((*texts)[*n] = strndup(data, len)))
            return cs_fail(err, errlen, "out of memory");
        (*n)++;
    }
    return 0;
}

/* The bilevel page as 8-bit grey (ink 0, paper 255) for ZBar: malloc'd. */
static unsigned char *grey_of(PIX *pix, int w, int h)
{
    unsigned char *grey = malloc((size_t)w * (size_t)h), expand[256][8];
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);

    if (!grey)
        return NULL;
    /* eight pixels a table lookup, not one bit test each: a 300 dpi page
     * is 8.4 million pixels, read for every page of every batch */
    for (int b = 0; b < 256; b++)
        for (int k = 0; k < 8; k++)
            expand[b][k] = (b >> (7 - k)) & 1 ? 0 : 255;
    for (int y = 0; y < h; y++) {
        const l_uint32 *line = data + (size_t)y * (size_t)wpl;
        unsigned char *row = grey + (size_t)y * (size_t)w;
        int x = 0;
        for (; x + 8 <= w; x += 8)
            memcpy(row + x, expand[GET_DATA_BYTE(line, x / 8)], 8);
        for (; x < w; x++)
            row[x] = GET_DATA_BIT(line, x) ? 0 : 255;
    }
    return grey;
}

/*
 * cs_ocr_barcodes()
 *
 *      Input:  g4, len (the cleaned page: a bilevel TIFF, as
 *                       cs_ocr_result.cleaned)
 *              texts (out: *n payloads, malloc'd; free with
 *                     cs_ocr_barcodes_free), n (out)
 *              err, errlen (message buffer)
 *      Return: 0 (also when no barcode was found), or -1 with the reason
 *              (the image cannot be read, is over the pixel bound, out of
 *              memory): *texts is then NULL
 */
int cs_ocr_barcodes(const unsigned char *g4, size_t len, char ***texts, size_t *n, char *err,
                    size_t errlen)
{
    zbar_image_scanner_t *scanner = NULL;
    zbar_image_t *img = NULL;
    unsigned char *grey = NULL;
    PIX *pix = NULL;
    int w, h, rc = -1;

    if (texts)
        *texts = NULL;
    if (n)
        *n = 0;
    if (!g4 || !texts || !n)
        return cs_fail(err, errlen, "no page to read barcodes from");
    if (!(pix = pixReadMemTiff(g4, len, 0)) || pixGetDepth(pix) != 1) {
        cs_fail(err, errlen, "could not read the cleaned page for barcodes");
        goto out;
    }
    w = pixGetWidth(pix);
    h = pixGetHeight(pix);
    if ((long)w * h > BARCODE_MAX_PIXELS) {
        cs_fail(err, errlen, "page of %dx%d pixels is over the barcode limit", w, h);
        goto out;
    }
    grey = grey_of(pix, w, h);
    *texts = calloc(CS_OCR_MAX_BARCODES, sizeof **texts);
    scanner = zbar_image_scanner_create();
    img = zbar_image_create();
    if (!grey || !*texts || !scanner || !img) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(scanner, ZBAR_CODE39, ZBAR_CFG_ENABLE, 1);
    /* ZBar's "X density" is the spacing of its vertical scan lines */
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_X_DENSITY, COLUMN_DENSITY);
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_Y_DENSITY, ROW_DENSITY);
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, grey, (unsigned long)w * (unsigned long)h, NULL);
    if (zbar_scan_image(scanner, img) < 0) {
        cs_fail(err, errlen, "could not scan the page for barcodes");
        goto out;
    }
    rc = keep_symbols(img, texts, n, err, errlen);
out:
    if (img)
        zbar_image_destroy(img);
    if (scanner)
        zbar_image_scanner_destroy(scanner);
    free(grey);
    pixDestroy(&pix);
    if (rc < 0)
        cs_ocr_barcodes_free(texts, n);
    return rc;
}

/* The Code 128 symbol of payload, module pixels wide a module, BAR_HEIGHT tall. */
static PIX *code128(const char *payload, int max_width, char *err, size_t errlen)
{
    struct zint_symbol *sym = ZBarcode_Create();
    PIX *row = NULL, *bars = NULL;
    int module;

    if (!sym) {
        cs_fail(err, errlen, "out of memory");
        return NULL;
    }
    sym->symbology = BARCODE_CODE128;
    sym->show_hrt = 0;
    sym->scale = 0.5f;                /* one pixel a module */
    sym->height = 1.0f;
    sym->whitespace_width = 0;
    sym->border_width = 0;
    if (ZBarcode_Encode_and_Buffer(sym, (const unsigned char *)payload, (int)strlen(payload), 0)
        >= ZINT_ERROR || !sym->bitmap || sym->bitmap_width <= 0) {
        cs_fail(err, errlen, "could not encode the cover sheet's barcode: %s", sym->errtxt);
        goto out;
    }
    module = max_width / sym->bitmap_width;
    if (module > MAX_MODULE)
        module = MAX_MODULE;
    if (module < MIN_MODULE) {
        cs_fail(err, errlen, "the cover sheet's barcode would be too dense (%d modules): "
                "use a shorter document-type code", sym->bitmap_width);
        goto out;
    }
    if (!(row = pixCreate(sym->bitmap_width, 1, 1)))
        goto oom;
    for (int x = 0; x < sym->bitmap_width; x++)
        if (sym->bitmap[3 * x] < 128)        /* dark: a bar */
            pixSetPixel(row, x, 0, 1);
    if (!(bars = pixExpandBinaryReplicate(row, module, BAR_HEIGHT)))
        goto oom;
    goto out;
oom:
    cs_fail(err, errlen, "out of memory");
out:
    pixDestroy(&row);
    ZBarcode_Delete(sym);
    return bars;
}

/* Paint src onto dst with its top left at x, y. */
static void paint(PIX *dst, PIX *src, int x, int y)
{
    pixRasterop(dst, x, y, pixGetWidth(src), pixGetHeight(src), PIX_PAINT, src, 0, 0);
}

/*
 * One text line, enlarged by scale (less when the line would not fit
 * between the margins), painted at y (centred); its height.
 */
static int text_line(PIX *page, L_BMF *font, const char *text, int scale, int y)
{
    int w, width = 0, h = font->lineheight + 4;
    PIX *small, *big = NULL;

    if (bmfGetStringWidth(font, text, &width) == 0)
        while (scale > 1 && width * scale > SHEET_W - 2 * SHEET_MARGIN)
            scale--;
    w = SHEET_W / scale;
    if (!(small = pixCreate(w, h, 1)))
        return 0;
    pixSetTextline(small, font, text, 1, 0, font->baselinetab[(int)'A'] + 2, &width, NULL);
    if (width > w)
        width = w;
    big = pixExpandBinaryReplicate(small, scale, scale);
    if (big) {
        pixRasterop(page, (SHEET_W - width * scale) / 2, y, width * scale, h * scale, PIX_PAINT,
                    big, 0, 0);
    }
    pixDestroy(&big);
    pixDestroy(&small);
    return h * scale;
}

/* One sheet: its lines of large print, then the symbol of its payload. */
static PIX *sheet_page(const cs_coversheet *c, L_BMF *font, char *err, size_t errlen)
{
    PIX *page = pixCreate(SHEET_W, SHEET_H, 1), *bars = NULL;
    int y = SHEET_MARGIN;

    if (!page) {
        cs_fail(err, errlen, "out of memory");
        return NULL;
    }
    y += text_line(page, font, "CHARTSCAN COVER SHEET", 2, y) + 60;
    for (size_t i = 0; i < CS_COVERSHEET_LINES && c->lines[i]; i++)
        y += text_line(page, font, c->lines[i], TEXT_SCALE, y) + 30;
    if (!(bars = code128(c->payload, SHEET_W - 2 * SHEET_MARGIN, err, errlen))) {
        pixDestroy(&page);
        return NULL;
    }
    y += 90;
    paint(page, bars, (SHEET_W - pixGetWidth(bars)) / 2, y);
    y += BAR_HEIGHT + 90;
    text_line(page, font, "Place this sheet on top of the document it names.", 1, y);
    pixDestroy(&bars);
    return page;
}

/*
 * cs_ocr_coversheet_pdf()
 *
 *      Input:  sheets, n (n >= 1 cover sheets: their lines of large print
 *                         and their barcode's payload)
 *              pdf, pdf_len (out: the PDF, malloc'd)
 *              err, errlen (message buffer)
 *      Return: 0, or -1 with a message (a payload the symbol cannot carry
 *              at a readable density, out of memory); *pdf is then NULL
 */
int cs_ocr_coversheet_pdf(const cs_coversheet *sheets, size_t n, unsigned char **pdf,
                          size_t *pdf_len, char *err, size_t errlen)
{
    L_BMF *font = NULL;
    PIXA *pixa = NULL;
    l_uint8 *data = NULL;
    size_t nbytes = 0;
    int rc = -1;

    *pdf = NULL;
    *pdf_len = 0;
    if (!sheets || n == 0)
        return cs_fail(err, errlen, "no cover sheet to print");
    setMsgSeverity(L_SEVERITY_NONE);
    if (!(font = bmfCreate(NULL, FONT_SIZE)) || !(pixa = pixaCreate((l_int32)n))) {
        cs_fail(err, errlen, "could not load the cover sheet's font");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        PIX *page = sheet_page(&sheets[i], font, err, errlen);
        if (!page)
            goto out;
        pixSetResolution(page, SHEET_DPI, SHEET_DPI);
        pixaAddPix(pixa, page, L_INSERT);
    }
    if (pixaConvertToPdfData(pixa, SHEET_DPI, 1.0, L_G4_ENCODE, 0, "chartscan cover sheets",
                             &data, &nbytes) != 0 || !data) {
        cs_fail(err, errlen, "could not write the cover sheets' PDF");
        goto out;
    }
    if (!(*pdf = malloc(nbytes))) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    memcpy(*pdf, data, nbytes);
    *pdf_len = nbytes;
    rc = 0;
out:
    lept_free(data);
    pixaDestroy(&pixa);
    bmfDestroy(&font);
    return rc;
}

/*
 * barcode.c — barcodes on paper: reading them on a cleaned page (libzbar)
 * and printing chartscan's cover sheets (libzint for the symbol,
 * Leptonica for the page and its PDF).  What a payload means is the
 * indexer's business (indexer/barcode.c); this file only sees bars.
 *
 * Interface routines:
 *   cs_ocr_barcodes_pix      the barcodes of a cleaned page in memory (1 bpp)
 *   cs_ocr_barcode_bands     where on the page bars may be (note 5)
 *   cs_ocr_page_barcodes     (ocr_internal.h) cs_ocr_page's hook
 *   cs_ocr_barcodes_free
 *   cs_ocr_coversheet_pdf    cover sheets as a PDF, one page a sheet
 *
 * Notes:
 *   1. Reading runs on the cleaned page (the kept page, cs_ocr_result.cleaned),
 *      while cs_ocr_page still holds it in memory: upright, deskewed,
 *      bilevel at about 300 dpi, which is what a linear symbol reads best
 *      from, and what every page already has, blank or not.  Until issue
 *      16 the ocr stage decoded the stored G4 page again for it.
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
 *      label, which every test read at 200 and 300 dpi, for about 45 ms
 *      over a whole page: reading barcodes on every page was the larger
 *      part of what issue 15 added to a page's CPU time.  ZBar now scans
 *      only the bands note 5 finds, at these densities.  At most
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
 *   5. The pre-filter (cs_ocr_barcode_bands): most pages have no barcode,
 *      and ZBar is given only the bands where something like bars is.
 *      Upright bars: at every BAND_STEP-th row, the 32-pixel words whose
 *      pixels stayed the same BAND_STEP rows down, for BAND_PAIRS steps
 *      in a row (48 rows, taller than a line of text's capitals), a
 *      pixel's edge moving by one aside (a label stuck on crooked, up to
 *      some 9 degrees); a run of such words (one word without bars may
 *      interrupt it) with at least MIN_EDGES edges, one every
 *      MAX_EDGE_SPACING pixels or closer, makes a band of the page's width
 *      BAND_MARGIN above and below.  Bars lying down (a sideways label):
 *      the same with columns, two words wide, down every row.  Letters do
 *      not stay the same for 48 rows; rules do, but stand further apart
 *      than bars; more than MAX_BANDS candidates and the whole page is
 *      scanned.  A symbol must be 54 rows tall to be found for sure (0.18
 *      inch at 300 dpi; note 2 counts on 1/4 inch).  tests/check_barcode.c
 *      (case filter): labels 0.3 inch tall, crooked, sideways, upside
 *      down, at 200 dpi, are found and read; a page of text, straight
 *      capitals and a ruled table has no band.
 *      CPU time on the bench batch (seed 1, 20 files, 42 pages, none with a
 *      barcode), two runs: 17.5 and 15.8 ms a page with the G4 decoded
 *      again and the whole page scanned, 2.1 ms a page now (the filter
 *      alone: no page had a band).
 *      Every cover sheet and label of check_barcode still reads.
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
#define BAND_STEP          6             /* rows (columns) compared, this far apart */
#define BAND_PAIRS         8             /* 48 rows of bars: taller than body text */
#define BAND_GAP           48            /* rows a sideways symbol goes without an edge */
#define MIN_EDGES          20            /* bar edges a symbol has at least */
#define MAX_EDGE_SPACING   21            /* pixels an edge on average, at most */
#define BAND_MARGIN        32            /* around a candidate: its quiet zone, a tilt */
#define MAX_BANDS          8             /* more candidates: the whole page is scanned */
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

/* ---- where the symbols may be (note 5) ---- */

/* The 32-pixel word i of a row, the bits past the page's width cleared. */
static l_uint32 word_at(const l_uint32 *line, int i, int nw, l_uint32 last_mask)
{
    return i == nw - 1 ? line[i] & last_mask : line[i];
}

/*
 * The pixels of word i that differ from their left or right neighbour:
 * where a bar's edge moved by a pixel is not a difference (a tilted label).
 * The leftmost pixel of a word is its most significant bit.
 */
static l_uint32 side_edges(const l_uint32 *line, int i, int nw, l_uint32 last_mask)
{
    l_uint32 a = word_at(line, i, nw, last_mask);
    l_uint32 prev = i > 0 ? line[i - 1] & 1u : 0;
    l_uint32 next = i + 1 < nw ? word_at(line, i + 1, nw, last_mask) >> 31 : 0;

    return (a ^ (a >> 1 | prev << 31)) | (a ^ (a << 1 | next));
}

/*
 * Enough edges, close enough together, for a symbol: at least MIN_EDGES,
 * and one every MAX_EDGE_SPACING pixels of the run on average (a bar and
 * a space of up to 4 modules each hold two edges: modules up to 10 pixels;
 * a table's rules stand further apart).
 */
static int dense(int edges, int pixels)
{
    return edges >= MIN_EDGES && edges * MAX_EDGE_SPACING >= pixels;
}

/* Add a candidate rectangle; 0, or -1 when there are too many (scan the page). */
static int add_band(cs_ocr_band *bands, int *n, int max, int x, int y, int w, int h)
{
    for (int i = 0; i < *n; i++) {
        cs_ocr_band *b = &bands[i];
        /* overlapping or touching: one rectangle covering both */
        if (x <= b->x + b->w && b->x <= x + w && y <= b->y + b->h && b->y <= y + h) {
            int x1 = x + w > b->x + b->w ? x + w : b->x + b->w;
            int y1 = y + h > b->y + b->h ? y + h : b->y + b->h;
            b->x = x < b->x ? x : b->x;
            b->y = y < b->y ? y : b->y;
            b->w = x1 - b->x;
            b->h = y1 - b->y;
            return 0;
        }
    }
    if (*n >= max)
        return -1;
    bands[(*n)++] = (cs_ocr_band){x, y, w, h};
    return 0;
}

/*
 * Horizontal symbols (upright bars): at every BAND_STEP-th row, the runs of
 * words whose pixels stayed the same, edges aside, down the last
 * BAND_PAIRS steps, holding at least MIN_EDGES transitions of the row.
 */
static int find_upright_bars(PIX *pix, cs_ocr_band *bands, int *n, int max)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    int nw = (w + 31) / 32;
    l_uint32 *data = pixGetData(pix), mask = w % 32 ? ~0u << (32 - w % 32) : ~0u;
    unsigned char *steady = calloc((size_t)nw, 1);   /* steps each word stayed the same */

    if (!steady)
        return -1;
    for (int y = 0; y + BAND_STEP < h; y += BAND_STEP) {
        const l_uint32 *a = data + (size_t)y * wpl, *b = a + (size_t)BAND_STEP * wpl;
        int run_edges = 0, run_start = -1, run_last = -1, bad = 0;

        for (int i = 0; i <= nw; i++) {
            int edges = 0, bar = 0;
            if (i < nw) {
                l_uint32 wa = word_at(a, i, nw, mask), wb = word_at(b, i, nw, mask);
                l_uint32 moved = (wa ^ wb) & ~side_edges(a, i, nw, mask);
                steady[i] = __builtin_popcount(moved) <= 1
                            ? (unsigned char)(steady[i] < 255 ? steady[i] + 1 : 255) : 0;
                edges = __builtin_popcount(side_edges(a, i, nw, mask)) / 2;
                bar = steady[i] >= BAND_PAIRS && edges > 0;
            }
            if (bar) {
                if (run_start < 0)
                    run_start = i;
                run_last = i;
                run_edges += edges;
                bad = 0;
                continue;
            }
            /* one word without bars (a wide space, a speck) does not end a run */
            if (run_start >= 0 && i < nw && ++bad <= 1)
                continue;
            if (run_start >= 0 && dense(run_edges, 32 * (run_last - run_start + 1))) {
                int top = y - BAND_PAIRS * BAND_STEP;
                if (add_band(bands, n, max, 0, top, w, y + BAND_STEP - top) < 0) {
                    free(steady);
                    return -1;
                }
            }
            run_start = -1;
            run_edges = 0;
            bad = 0;
        }
    }
    free(steady);
    return 0;
}

/* One column of words (i, i+1) down the page for find_sideways_bars. */
typedef struct column_run {
    int start, last_edge, edges, bad;
} column_run;

/*
 * Vertical symbols (bars lying down): rows along which the pixels of words
 * i and i+1 stay the same BAND_STEP pixels to the right, edges aside, with
 * at least MIN_EDGES transitions down the column and none missing for
 * longer than a bar (BAND_GAP rows).
 */
static int find_sideways_bars(PIX *pix, cs_ocr_band *bands, int *n, int max)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    int nw = (w + 31) / 32, rc = 0;
    l_uint32 *data = pixGetData(pix), mask = w % 32 ? ~0u << (32 - w % 32) : ~0u;
    unsigned char *same = malloc((size_t)nw);
    column_run *runs = malloc((size_t)nw * sizeof *runs);

    if (!same || !runs) {
        free(same);
        free(runs);
        return -1;
    }
    for (int i = 0; i < nw; i++)
        runs[i] = (column_run){-1, 0, 0, 0};
    for (int y = 1; y + 1 < h && rc == 0; y++) {
        const l_uint32 *line = data + (size_t)y * wpl, *up = line - wpl, *down = line + wpl;
        for (int i = 0; i < nw; i++) {
            l_uint32 a = word_at(line, i, nw, mask);
            l_uint32 next = i + 1 < nw ? word_at(line, i + 1, nw, mask) : 0;
            l_uint32 ahead = a << BAND_STEP | next >> (32 - BAND_STEP);
            l_uint32 edge = (a ^ word_at(up, i, nw, mask)) | (a ^ word_at(down, i, nw, mask));
            same[i] = __builtin_popcount((a ^ ahead) & ~edge) <= 1;
        }
        for (int i = 0; i + 1 < nw && rc == 0; i++) {
            column_run *r = &runs[i];
            int ok = same[i] && same[i + 1];
            int edge = (int)((line[i] ^ up[i]) >> 16 & 1);   /* the word's middle pixel */

            if (ok && r->start < 0 && edge)
                *r = (column_run){y, y, 0, 0};
            if (r->start < 0)
                continue;
            r->bad = ok ? 0 : r->bad + 1;
            if (ok && edge) {
                r->edges++;
                r->last_edge = y;
            }
            if (r->bad <= 2 && y - r->last_edge <= BAND_GAP)
                continue;
            if (dense(r->edges, r->last_edge - r->start + 1))
                rc = add_band(bands, n, max, 32 * i, 0, 64, h);
            r->start = -1;
        }
    }
    for (int i = 0; i + 1 < nw && rc == 0; i++)
        if (runs[i].start >= 0 && dense(runs[i].edges, runs[i].last_edge - runs[i].start + 1))
            rc = add_band(bands, n, max, 32 * i, 0, 64, h);
    free(same);
    free(runs);
    return rc;
}

/* Grow a band by BAND_MARGIN (the symbol's quiet zone), within the page. */
static void grow(cs_ocr_band *b, int w, int h)
{
    int x1 = b->x + b->w + BAND_MARGIN, y1 = b->y + b->h + BAND_MARGIN;

    b->x = b->x - BAND_MARGIN < 0 ? 0 : b->x - BAND_MARGIN;
    b->y = b->y - BAND_MARGIN < 0 ? 0 : b->y - BAND_MARGIN;
    b->w = (x1 > w ? w : x1) - b->x;
    b->h = (y1 > h ? h : y1) - b->y;
}

/*
 * cs_ocr_barcode_bands()
 *
 *      Input:  pix (the cleaned page, 1 bpp)
 *              bands (<return> up to max rectangles to scan)
 *              max
 *      Return: the number of rectangles (0: no barcode on the page), or -1
 *              when there are more than max or memory ran out: scan the
 *              whole page
 */
int cs_ocr_barcode_bands(PIX *pix, cs_ocr_band *bands, int max)
{
    int n = 0;

    if (!pix || pixGetDepth(pix) != 1 || pixGetWidth(pix) < 64 || pixGetHeight(pix) < 64)
        return -1;
    if (find_upright_bars(pix, bands, &n, max) < 0 || find_sideways_bars(pix, bands, &n, max) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        grow(&bands[i], pixGetWidth(pix), pixGetHeight(pix));
    return n;
}

/* ---- reading them ---- */

/* The rectangle b of the bilevel page as 8-bit grey (ink 0, paper 255): malloc'd. */
static unsigned char *grey_of(PIX *pix, const cs_ocr_band *b)
{
    unsigned char *grey = malloc((size_t)b->w * (size_t)b->h), expand[256][8];
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);

    if (!grey)
        return NULL;
    /* eight pixels a table lookup, not one bit test each */
    for (int v = 0; v < 256; v++)
        for (int k = 0; k < 8; k++)
            expand[v][k] = (v >> (7 - k)) & 1 ? 0 : 255;
    for (int y = 0; y < b->h; y++) {
        const l_uint32 *line = data + (size_t)(b->y + y) * (size_t)wpl;
        unsigned char *row = grey + (size_t)y * (size_t)b->w;
        int x = 0;
        for (; x < b->w && (b->x + x) % 8; x++)
            row[x] = GET_DATA_BIT(line, b->x + x) ? 0 : 255;
        for (; x + 8 <= b->w; x += 8)
            memcpy(row + x, expand[GET_DATA_BYTE(line, (b->x + x) / 8)], 8);
        for (; x < b->w; x++)
            row[x] = GET_DATA_BIT(line, b->x + x) ? 0 : 255;
    }
    return grey;
}

/* Scan rectangle b of pix with scanner, keeping what it reads. */
static int scan_band(zbar_image_scanner_t *scanner, PIX *pix, const cs_ocr_band *b,
                     char ***texts, size_t *n, char *err, size_t errlen)
{
    zbar_image_t *img = zbar_image_create();
    unsigned char *grey = grey_of(pix, b);
    int rc = -1;

    if (!img || !grey) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)b->w, (unsigned)b->h);
    zbar_image_set_data(img, grey, (unsigned long)b->w * (unsigned long)b->h, NULL);
    if (zbar_scan_image(scanner, img) < 0) {
        cs_fail(err, errlen, "could not scan the page for barcodes");
        goto out;
    }
    rc = keep_symbols(img, texts, n, err, errlen);
out:
    if (img)
        zbar_image_destroy(img);
    free(grey);
    return rc;
}

/*
 * cs_ocr_barcodes_pix()
 *
 *      Input:  pix (the cleaned page, 1 bpp)
 *              texts (out: *n payloads, malloc'd; free with
 *                     cs_ocr_barcodes_free), n (out)
 *              err, errlen (message buffer)
 *      Return: 0 (also when no barcode was found), or -1 with the reason
 *              (over the pixel bound, out of memory): *texts is then NULL
 */
int cs_ocr_barcodes_pix(PIX *pix, char ***texts, size_t *n, char *err, size_t errlen)
{
    zbar_image_scanner_t *scanner = NULL;
    cs_ocr_band bands[MAX_BANDS];
    int w, h, nbands, rc = -1;

    *texts = NULL;
    *n = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return cs_fail(err, errlen, "no bilevel page to read barcodes from");
    w = pixGetWidth(pix);
    h = pixGetHeight(pix);
    if ((long)w * h > BARCODE_MAX_PIXELS)
        return cs_fail(err, errlen, "page of %dx%d pixels is over the barcode limit", w, h);
    nbands = cs_ocr_barcode_bands(pix, bands, MAX_BANDS);
    if (nbands == 0)
        return 0;                       /* nothing like bars: nothing to scan (note 5) */
    if (nbands < 0) {                   /* too many candidates: the whole page */
        bands[0] = (cs_ocr_band){0, 0, w, h};
        nbands = 1;
    }
    *texts = calloc(CS_OCR_MAX_BARCODES, sizeof **texts);
    scanner = zbar_image_scanner_create();
    if (!*texts || !scanner) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(scanner, ZBAR_CODE39, ZBAR_CFG_ENABLE, 1);
    /* ZBar's "X density" is the spacing of its vertical scan lines */
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_X_DENSITY, COLUMN_DENSITY);
    zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_Y_DENSITY, ROW_DENSITY);
    rc = 0;
    for (int i = 0; i < nbands && rc == 0; i++)
        rc = scan_band(scanner, pix, &bands[i], texts, n, err, errlen);
out:
    if (scanner)
        zbar_image_scanner_destroy(scanner);
    if (rc < 0 || *n == 0)
        cs_ocr_barcodes_free(texts, n);
    return rc;
}

/*
 * cs_ocr_page_barcodes()
 *
 *      Input:  pix (the kept page as cs_ocr_page encodes it)
 *              res (<return> barcodes, nbarcodes; barcodes_error when they
 *                   could not be read; cleanup.ms_barcodes)
 *      Notes:  never fails the page: a page whose barcodes cannot be read
 *              is processed without them, and the reason is kept
 */
void cs_ocr_page_barcodes(PIX *pix, cs_ocr_result *res)
{
    double t0 = cs_now_ms();

    res->barcodes_error[0] = '\0';
    if (cs_ocr_barcodes_pix(pix, &res->barcodes, &res->nbarcodes, res->barcodes_error,
                            sizeof res->barcodes_error) < 0 && !res->barcodes_error[0])
        snprintf(res->barcodes_error, sizeof res->barcodes_error, "unknown error");
    res->cleanup.ms_barcodes = cs_now_ms() - t0;
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

/*
 * ocr.h — images in, text out.  TIFF inspection (libtiff, from memory),
 * page decoding (Leptonica) and recognition (Tesseract's C API).  No
 * database.
 *
 * Call sequence in a worker:
 *   cs_ocr_engine_new()                 once per process (Tesseract loads ~20 MB)
 *   cs_ocr_tiff_inspect(bytes)          when a file is unpacked: page count, limits
 *   cs_ocr_page(engine, bytes, n)       per page: decode, normalise, recognise
 *   cs_ocr_result_clear(&result)
 *   cs_ocr_engine_free(&engine)
 */
#ifndef CS_OCR_H
#define CS_OCR_H

#include <stddef.h>

typedef struct cs_ocr_engine cs_ocr_engine;

/*
 * cs_ocr_engine_new: create a Tesseract engine for language lang (NULL
 * means "eng").  For one thread per engine, OMP_THREAD_LIMIT=1 must be in
 * the environment when the program starts (OpenMP reads it at load time).
 * Returns 0, or -1 with a message in err.
 */
int cs_ocr_engine_new(const char *lang, cs_ocr_engine **out, char *err, size_t errlen);
void cs_ocr_engine_free(cs_ocr_engine **pe);

typedef struct cs_tiff_info {
    int pages;          /* number of pages (directories) */
} cs_tiff_info;

/*
 * cs_ocr_tiff_inspect: check that data holds a readable TIFF within the
 * pages-per-file limit, whose pages all have a size and lie inside the
 * file, and count its pages.  Returns 0, or -1 with the reason in err
 * ("not a TIFF image", "page 3 is cut short: ...").  A page over the
 * per-page limits (pixels, decoding memory) is counted: cs_ocr_page
 * refuses that page alone, with the reason.  Nothing is decoded: this
 * reads the directories only.
 */
int cs_ocr_tiff_inspect(const void *data, size_t len, cs_tiff_info *info,
                        char *err, size_t errlen);

/* cs_ocr_is_tiff: 1 when the first bytes carry a TIFF (or BigTIFF) signature. */
int cs_ocr_is_tiff(const void *data, size_t len);

/* One recognised word, in the coordinates of the cleaned page. */
typedef struct cs_ocr_word {
    char  *text;               /* UTF-8, malloc'd */
    int    x, y, w, h;         /* box in pixels of the cleaned page */
    float  confidence;         /* 0..100 */
    int    block, line;        /* block number, and line number within the page */
} cs_ocr_word;

/* What cleanup did to a page, for the record and for the benchmark. */
typedef struct cs_cleanup {
    int    source_dpi;         /* resolution of the page as decoded (tag or inferred) */
    int    dpi_inferred;       /* 1 when the tag was missing or implausible */
    int    dpi;                /* resolution of the cleaned page (about 300) */
    int    rotation;           /* degrees clockwise applied to make the page upright: 0/90/180/270 */
    double orientation_confidence;  /* detector's confidence; 0 when not run */
    double skew;               /* degrees of skew found and corrected */
    double blank_score;        /* ink measure the blank test used (higher: more ink) */
    int    blank;              /* 1: judged blank; no OCR was run */
    int    bilevel;            /* 1: scanned bilevel and read at the scan's resolution */
    int    joined;             /* 1: read again with its broken print joined, and that
                                *    reading kept (broken.c) */
    double ms_decode, ms_normalise, ms_orient, ms_deskew, ms_binarise, ms_clean, ms_blank,
           ms_ocr, ms_encode;  /* milliseconds per step */
    double ms_barcodes;        /* reading the kept page's barcodes (barcode.c) */
} cs_cleanup;

typedef struct cs_ocr_result {
    char  *text;               /* UTF-8, malloc'd; "" when nothing was read or blank */
    double confidence;         /* mean word confidence 0..100 (0 for a blank page) */
    int    width, height;      /* of the cleaned page, pixels */
    int    dpi;                /* resolution used for recognition (= cleanup.dpi) */
    int    dpi_inferred;       /* = cleanup.dpi_inferred */
    double decode_ms, ocr_ms;  /* = cleanup.ms_decode, cleanup.ms_ocr */
    cs_cleanup cleanup;
    cs_ocr_word *words;        /* nwords words in reading order */
    size_t nwords;
    unsigned char *cleaned;    /* the cleaned page as a bilevel G4 TIFF (malloc'd), or NULL */
    size_t cleaned_len;
    char **barcodes;           /* payloads of the kept page's barcodes (cs_ocr_barcodes_pix), */
    size_t nbarcodes;          /*   malloc'd, or NULL with 0 */
    char barcodes_error[160];  /* why they could not be read ("" when they were) */
} cs_ocr_result;

/*
 * cs_ocr_page: decode page `page` (1-based) of the TIFF in data, clean it
 * (resolution, orientation, skew, binarisation, speckle, borders, punch
 * holes), test it for blankness and, unless blank, recognise it.  Returns 0
 * with *res filled (free with cs_ocr_result_clear), or -1 with the reason
 * in err when the page cannot be decoded (the input's fault) or recognition
 * fails.  The input bytes are never modified.
 */
int cs_ocr_page(cs_ocr_engine *e, const void *data, size_t len, int page,
                cs_ocr_result *res, char *err, size_t errlen);
void cs_ocr_result_clear(cs_ocr_result *res);

/* One page of a searchable PDF: the cleaned G4 TIFF and its words, and
 * the scan it came from (for a grey or colour page kept as JPEG). */
typedef struct cs_pdf_page {
    const unsigned char *g4_tiff;   /* as in cs_ocr_result.cleaned */
    size_t g4_len;
    int dpi;
    const cs_ocr_word *words;       /* may be NULL with nwords 0 (a page without text) */
    size_t nwords;
    const unsigned char *original;  /* the whole TIFF file scanned, or NULL: cleaned image only */
    size_t original_len;
    int original_page;              /* 1-based page of original */
    int rotation;                   /* as in cs_cleanup: degrees clockwise, 0/90/180/270 */
    double skew;                    /* as in cs_cleanup: degrees corrected */
} cs_pdf_page;

/* Which image a page of the PDF shows. */
typedef enum cs_pdf_images {
    CS_PDF_IMAGES_ORIGINAL = 0,     /* grey or colour scans as JPEG, bilevel ones as G4 */
    CS_PDF_IMAGES_BILEVEL = 1       /* always the cleaned bilevel page, G4 */
} cs_pdf_images;

/* What the PDF says about itself (PDF/A-2b metadata). */
typedef struct cs_pdf_info {
    const char *title;              /* UTF-8; NULL: "Scanned document" */
    long long created;              /* seconds since 1970 (UTC); 0: now */
    long long modified;             /* likewise; 0: the same as created */
    cs_pdf_images images;
} cs_pdf_info;

/*
 * cs_ocr_pdf: render a searchable PDF/A-2b (each page: the image, and the
 * words as invisible text over it in an embedded glyphless font) into *pdf
 * (malloc'd).  No OCR is re-run.  info may be NULL (defaults).  Returns 0,
 * or -1 with a message.
 */
int cs_ocr_pdf(const cs_pdf_page *pages, size_t npages, const cs_pdf_info *info,
               unsigned char **pdf, size_t *pdf_len, char *err, size_t errlen);

/* cs_pdf_images_parse: "original" or "bilevel" -> *mode; -1 for anything else. */
int cs_pdf_images_parse(const char *name, cs_pdf_images *mode);

/* ---- barcodes (barcode.c) ---- */

#define CS_OCR_MAX_BARCODES 16      /* payloads kept a page */

/*
 * cs_ocr_barcodes_pix: the payloads of the Code 128 and Code 39 barcodes on
 * a cleaned page in memory (1 bpp; cs_ocr_page fills cs_ocr_result.barcodes
 * with it), printable ASCII only, without duplicates, at most
 * CS_OCR_MAX_BARCODES: *texts (free with cs_ocr_barcodes_free) and *n.
 * Bounded in pixels and scan density.  Returns 0 (also when none), or -1
 * with the reason in err.
 */
struct Pix;
int  cs_ocr_barcodes_pix(struct Pix *pix, char ***texts, size_t *n, char *err, size_t errlen);
void cs_ocr_barcodes_free(char ***texts, size_t *n);

/*
 * cs_ocr_barcode_bands: where on a cleaned page (1 bpp) a barcode may be:
 * up to max rectangles (pixels) that hold something like bars, which are
 * all cs_ocr_barcodes_pix scans.  Returns their number (0: nothing like a
 * barcode), or -1 when there are more than max (the whole page is scanned).
 */
typedef struct cs_ocr_band {
    int x, y, w, h;
} cs_ocr_band;
int  cs_ocr_barcode_bands(struct Pix *pix, cs_ocr_band *bands, int max);

/* One cover sheet: up to CS_COVERSHEET_LINES lines of large print (NULL
 * ends them early) and its barcode's payload (Code 128). */
#define CS_COVERSHEET_LINES 4
typedef struct cs_coversheet {
    const char *lines[CS_COVERSHEET_LINES];
    const char *payload;
} cs_coversheet;

/*
 * cs_ocr_coversheet_pdf: n cover sheets, one letter-size page each at 300
 * dpi, as a PDF (Leptonica's writer, G4 images) in *pdf (malloc'd).
 * Returns 0, or -1 with a message (a payload too long to print readably).
 */
int cs_ocr_coversheet_pdf(const cs_coversheet *sheets, size_t n, unsigned char **pdf,
                          size_t *pdf_len, char *err, size_t errlen);

#endif

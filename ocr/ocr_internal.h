/*
 * ocr_internal.h — shared between the files of ocr/ only.
 *
 * The page path, one file per step (page.c runs them in this order):
 *
 *   decode.c     TIFF bytes -> Pix (1 or 8 bpp), resolution from the tag or inferred
 *   normalise.c  -> about 300 dpi (grey filters; never replication of 1 bpp)
 *   binarise.c   -> 1 bpp: background normalisation, then a fixed threshold
 *                (photocopy.c: again, smoothed, when the background came out as dots;
 *                a bilevel scan's dots taken off by a majority filter)
 *   broken.c     (on a second pass only) bridge the gaps of print a bilevel
 *                scanner broke apart
 *   clean.c      whiten dark scanner borders (with their dithered fringe),
 *                punch holes and speckle
 *   blank.c      writing-shaped components of the cleaned page; blank pages stop here
 *   orient.c     0/90/180/270 (Leptonica's text-orientation detector; when it
 *                is unsure and the page reads badly, recognition decides)
 *   deskew.c     find the skew on the 1 bpp page and rotate it away
 *   stamp.c      on the upright page: hand stamps (a box with its words, told
 *                from the print by stamp_words.c); a
 *                lighter stamp on a grey scan thresholded again (stamp_grey.c),
 *                and one with no frame found by its ink (stamp_bare.c)
 *   photocopy.c  on the upright page: toner streaks and rules
 *   specks.c     on the upright page: specks away from text or where no punctuation sits
 *   engine.c     Tesseract, kept warm; words.c collects the words
 *   encode.c     the cleaned page as a G4 TIFF in memory
 *   pdf.c        searchable PDF/A-2b from cleaned pages and their words; with
 *                pdf_text.c (the invisible text and its font), pdf_meta.c
 *                (XMP, Info, sRGB profile) and pdf_image.c (grey/colour originals)
 *
 * Every step function takes and returns Pix by new reference (the caller
 * destroys both), reports failure as NULL or -1, and never aborts.
 */
#ifndef CS_OCR_INTERNAL_H
#define CS_OCR_INTERNAL_H

#include "ocr/ocr.h"

struct Pix;
struct Boxa;

/* The resolution recognition runs at: Tesseract's models read 10-12 pt
 * text best at about 300 dpi. */
#define CS_OCR_TARGET_DPI 300

/*
 * Knobs of the cleanup, fixed at the values the benchmark chose (see the
 * notes of each step).  They exist so that a measuring program can switch a
 * step off or try another method without a rebuild; the pipeline never
 * changes them.  Not thread-safe, like everything per worker process.
 */
typedef struct cs_ocr_tuning {
    int normalise;     /* 1: rescale to about 300 dpi */
    int binarise;      /* 0: give Tesseract the grey page, 1: background norm + threshold,
                        * 2: Sauvola, 3: plain Otsu */
    int threshold;     /* threshold after background normalisation (background at 200) */
    int pale_ink;      /* 1: raised on a page of pale print (binarise.c, note 3) */
    int borders, holes, speckle, blank;   /* 1: step on */
    int orient;        /* 0: off, 1: Leptonica, 2: Tesseract OSD */
    int deskew;        /* 1: on */
    int psm;           /* Tesseract page segmentation mode */
    int ocr_grey;      /* 1: recognise the normalised grey (rotated like the page) */
    int fringe;        /* 1: whiten the dithered fringe of dark borders too (clean.c) */
    int blank_open;    /* the blank test first opens the page with a brick this size
                        * (0: not; blank.c) */
    int recheck;       /* 1: second opinion on orientation by recognition (orient.c) */
    int stamps;        /* 1: whiten stamp boxes on the upright page (stamp.c) */
    int stamps_bare;   /* 1: lift stamps with no frame off grey scans (stamp_bare.c) */
    int streaks;       /* 1: whiten toner streaks and rules (photocopy.c) */
    int dashes;        /* 1: streaks faded into rows of dashes too (photocopy.c, note 10) */
    int specks;        /* 1: whiten specks away from text (specks.c) */
    int dot_patches;   /* 1: a bilevel scan's patch of dots taken off even when the
                        * page has no field of them (photocopy.c, note 11) */
    int join;          /* 1: a bilevel page that read poorly is read again with its
                        * broken print joined (broken.c) */
    int join_psm;      /* the page segmentation mode of that second reading */
    int descreen;      /* 1: binarise again a page whose background came out as dots
                        * (photocopy.c; a bilevel scan's by note 9), 2: smoothed even
                        * when scanned bilevel (as before note 9) */
} cs_ocr_tuning;

extern cs_ocr_tuning cs_ocr_tuning_current;

/* ---- tiff.c ---- */
/* Route libtiff's error and warning messages away from stderr. */
void cs_ocr_tiff_quiet(void);
/* Forget the last libtiff error; whether one was reported since. */
void cs_ocr_tiff_clear_error(void);
int cs_ocr_tiff_has_error(void);
/* The last libtiff error message, for building a reason. */
const char *cs_ocr_tiff_last_error(void);
/* Size of page (1-based) from its directory, without decoding; -1 with the
 * reason when the page is over the pixel or decoding-memory limit
 * (tiff.c, note 1). */
int cs_ocr_tiff_page_size(const void *data, size_t len, int page,
                          long long *width, long long *height, char *err, size_t errlen);

/* The raw (still compressed) G4 data of a one-page bilevel TIFF, for the PDF. */
typedef struct cs_g4_raw {
    int width, height;
    int black_is_1;            /* 1 when the TIFF says min-is-black (inverted runs) */
    unsigned char *data;       /* malloc'd, bits most significant first */
    size_t len;
} cs_g4_raw;
int cs_ocr_tiff_g4_raw(const void *data, size_t len, cs_g4_raw *raw, char *err, size_t errlen);

/* A page's JPEG as stored in its TIFF (cs_ocr_tiff_jpeg_raw), for the PDF. */
typedef struct cs_jpeg_raw {
    unsigned char *data;       /* a complete JPEG stream, malloc'd */
    size_t len;
    int width, height, components;   /* from the TIFF directory: 1 grey, 3 YCbCr */
} cs_jpeg_raw;
int cs_ocr_tiff_jpeg_raw(const void *data, size_t len, int page, cs_jpeg_raw *jpeg);

/* ---- decode.c ---- */
int cs_ocr_decode(const void *data, size_t len, int page, struct Pix **ppix,
                  int *pdpi, int *pinferred, char *err, size_t errlen);
int cs_ocr_infer_dpi(int width, int height, int tagged, int *inferred);

/* ---- normalise.c ---- */
struct Pix *cs_ocr_normalise(struct Pix *pixs, int dpi, int *pdpi);

/* ---- binarise.c ---- */
struct Pix *cs_ocr_binarise(struct Pix *pixs, int dpi);
/* A bilevel page whose background came out as dots, without them (photocopy.c, note 9). */
struct Pix *cs_ocr_binarise_dotted(struct Pix *page, int dpi);

/* ---- clean.c ---- */
/* A toner streak or rule: a run of ink at least this long (inch), vertical
 * or horizontal, and at most this thick (photocopy.c, note 2; clean.c,
 * note 4). */
#define CS_STREAK_VLEN  0.4
#define CS_STREAK_HLEN  1.5
#define CS_STREAK_WIDTH 0.03
int cs_ocr_clean_borders(struct Pix *pix, int dpi, int *premoved);
int cs_ocr_clean_holes(struct Pix *pix, int dpi, int *premoved);
struct Pix *cs_ocr_clean_speckle(struct Pix *pixs, int dpi);

/* ---- stamp.c, stamp_grey.c, stamp_oval.c, stamp_bare.c ---- */
/* The largest a stamp is (inch): a framed one's box, a bare one's block. */
#define CS_STAMP_MAX_W 4.0
#define CS_STAMP_MAX_H 2.0
/* The grey scan a bilevel page was thresholded from, and how the page was
 * turned upright since: clockwise by rotation degrees, then straightened
 * by -skew degrees (cs_cleanup's rotation and skew). */
typedef struct cs_ocr_scan {
    struct Pix *grey;          /* 8 bpp, as normalised; NULL for a bilevel scan */
    int rotation;
    double skew;
} cs_ocr_scan;
int cs_ocr_clean_stamps(struct Pix *pix, int dpi, const cs_ocr_scan *scan, int *pfound);
/* stamp_grey.c: the box's pixels darker than a stamp's ink (NULL when
 * not known), and print put back where a step whitened them (stamp.c, note 5) */
int cs_ocr_stamp_ink(struct Pix *pix, const cs_ocr_scan *scan, int bx, int by,
                     struct Pix *strokes, struct Pix **pdark);
int cs_ocr_stamp_restore(struct Pix *pix, struct Pix *before, struct Pix *dark, int bx, int by);
int cs_ocr_stamp_lift(struct Pix *pix, struct Pix *dark, int bx, int by);
int cs_ocr_grey_quantile(const long *hist, long n, double q);
void cs_ocr_turn_corners(int x, int y, int w, int h, double xc, double yc, double rad,
                         int *px0, int *py0, int *px1, int *py1);
int cs_ocr_stamp_bare_ink(struct Pix *pix, const cs_ocr_scan *scan, int bx, int by, int bw,
                          int bh, int level, struct Pix **pdark);
/* stamp_words.c: the stamp's words in its box whitened, the print kept
 * (stamp.c, note 2) */
int cs_ocr_stamp_words(struct Pix *pix, int bx, int by, int bw, int bh, int th);
/* stamp_oval.c: a frame's closed outline, or the ink along the ellipse a
 * round frame's broken piece lies on (stamp.c, notes 6 and 8) */
struct Pix *cs_ocr_stamp_outline(struct Pix *comp, struct Pix *strokes, int dpi,
                                 float *pstraight);
int cs_ocr_oval_ring(struct Pix *pix, struct Pix *comp, int bx, int by, int dpi,
                     struct Pix **pring, int *px, int *py);
/* stamp_bare.c: stamps with no frame on a grey scan, lifted off by their grey */
int cs_ocr_clean_bare_stamps(struct Pix *pix, int dpi, const cs_ocr_scan *scan, int *pfound);

/* ---- photocopy.c ---- */
struct Pix *cs_ocr_descreen(struct Pix *page, struct Pix *before, int dpi, int *pdone);
int cs_ocr_text_height(struct Pix *pix, int dpi);
int cs_ocr_text_height_of(struct Boxa *boxa, int dpi);
int cs_ocr_clean_streaks(struct Pix *pix, int dpi, int *pfound);

/* ---- specks.c ---- */
int cs_ocr_clean_specks(struct Pix *pix, int dpi, int *premoved);

/* ---- broken.c ---- */
/* Below this mean word confidence a bilevel page is read again with its
 * broken print joined (broken.c, note 3). */
#define CS_JOIN_CONF 80.0
struct Pix *cs_ocr_join_broken(struct Pix *pix, int dpi);
int cs_ocr_joined_better(const cs_ocr_result *first, double confidence,
                         const cs_ocr_word *words, size_t nwords);

/* ---- blank.c ---- */
int cs_ocr_blank_test(struct Pix *pix, int dpi, double *pscore, int *pblank);

/* ---- orient.c ---- */
int cs_ocr_orient_detect(struct Pix *pix, int dpi, int *protation, double *pconf);
/* Read the page turned when the detector was unsure and the reading is poor. */
int cs_ocr_orient_recheck(cs_ocr_engine *e, struct Pix **ppix, int dpi, cs_ocr_result *res,
                          int *pturn, char *err, size_t errlen);

/* ---- deskew.c ---- */
struct Pix *cs_ocr_deskew(struct Pix *pixs, int dpi, double *pangle);
struct Pix *cs_ocr_rotate_small(struct Pix *pixs, double degrees);

/* ---- engine.c ---- */
/* Recognise pix at dpi: text, mean confidence and words (all malloc'd). */
int cs_ocr_engine_recognise(cs_ocr_engine *e, struct Pix *pix, int dpi,
                            char **text, double *confidence,
                            cs_ocr_word **words, size_t *nwords, char *err, size_t errlen);
/* The same in page segmentation mode psm (cs_ocr_engine_recognise: the tuning's). */
int cs_ocr_engine_read(cs_ocr_engine *e, struct Pix *pix, int dpi, int psm,
                       char **text, double *confidence,
                       cs_ocr_word **words, size_t *nwords, char *err, size_t errlen);
/* Tesseract's orientation and script detection: clockwise rotation to apply. */
int cs_ocr_engine_osd(cs_ocr_engine *e, struct Pix *pix, int dpi, int *protation,
                      double *pconf, char *err, size_t errlen);

/* ---- words.c ---- */
struct TessBaseAPI;
int cs_ocr_words_collect(struct TessBaseAPI *api, cs_ocr_word **pwords, size_t *pn);
void cs_ocr_words_free(cs_ocr_word **pwords, size_t *pn);
double cs_ocr_read_mass(const cs_ocr_word *words, size_t nwords);
void cs_ocr_take_reading(cs_ocr_result *res, char **ptext, double confidence,
                         cs_ocr_word **pwords, size_t nwords);

/* ---- barcode.c ---- */
/* The kept page's barcodes into res (never fails the page: barcodes_error). */
void cs_ocr_page_barcodes(struct Pix *pix, cs_ocr_result *res);

/* ---- encode.c ---- */
int cs_ocr_encode_g4(struct Pix *pix, int dpi, unsigned char **pdata, size_t *plen,
                     char *err, size_t errlen);

/* ---- pdf_text.c, pdf_meta.c, pdf_image.c ---- */
struct cs_buf;
#define CS_PDF_PRODUCER "chartscan"
#define CS_PDF_CREATOR "chartscan"
/* Decode one UTF-8 sequence at *ps and step past it; U+FFFD when bad. */
unsigned cs_pdf_utf8_next(const unsigned char **ps);
int cs_pdf_text_layer(struct cs_buf *cs, const cs_pdf_page *p, int width, int height, double ph);
int cs_pdf_put_font(struct cs_buf *out, size_t obj, size_t *offset);
int cs_pdf_srgb_icc(struct cs_buf *icc);
int cs_pdf_xmp(struct cs_buf *b, const char *title, long long created, long long modified);
int cs_pdf_info_dict(struct cs_buf *b, const char *title, long long created, long long modified);
/* A page's original as JPEG, as scanned (not turned): the page's matrix
 * turns it (cs_pdf_place_original). */
typedef cs_jpeg_raw cs_pdf_jpeg;
int cs_pdf_original_jpeg(const cs_pdf_page *p, int width, int height, cs_pdf_jpeg *jpeg,
                         char *err, size_t errlen);
int cs_pdf_place_original(struct cs_buf *content, const cs_pdf_page *p, const cs_pdf_jpeg *jpeg,
                          double pw, double ph);

#endif

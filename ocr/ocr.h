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
 * cs_ocr_tiff_inspect: check that data holds a TIFF whose pages are within
 * the limits (pages per file, pixels per page) and count its pages.
 * Returns 0, or -1 with the reason in err ("not a TIFF image",
 * "page 3 has 40000 x 40000 pixels, more than the limit of ...").
 * Nothing is decoded: this reads the directories only.
 */
int cs_ocr_tiff_inspect(const void *data, size_t len, cs_tiff_info *info,
                        char *err, size_t errlen);

/* cs_ocr_is_tiff: 1 when the first bytes carry a TIFF (or BigTIFF) signature. */
int cs_ocr_is_tiff(const void *data, size_t len);

typedef struct cs_ocr_result {
    char  *text;          /* UTF-8, malloc'd; "" when nothing was read */
    double confidence;    /* mean word confidence 0..100 */
    int    width, height; /* of the decoded page, pixels */
    int    dpi;           /* resolution used for recognition */
    int    dpi_inferred;  /* 1 when the resolution tag was missing or implausible */
    double decode_ms, ocr_ms;
} cs_ocr_result;

/*
 * cs_ocr_page: decode page `page` (1-based) of the TIFF in data and
 * recognise it.  Returns 0 with *res filled (free with cs_ocr_result_clear),
 * or -1 with the reason in err when the page cannot be decoded (the input's
 * fault) or recognition fails.
 */
int cs_ocr_page(cs_ocr_engine *e, const void *data, size_t len, int page,
                cs_ocr_result *res, char *err, size_t errlen);
void cs_ocr_result_clear(cs_ocr_result *res);

#endif

/*
 * ocr_internal.h — shared between the files of ocr/ only.
 */
#ifndef CS_OCR_INTERNAL_H
#define CS_OCR_INTERNAL_H

#include "ocr/ocr.h"

/* Route libtiff's error and warning messages away from stderr. */
void cs_ocr_tiff_quiet(void);
/* Forget the last libtiff error; whether one was reported since. */
void cs_ocr_tiff_clear_error(void);
int cs_ocr_tiff_has_error(void);
/* The last libtiff error message, for building a reason. */
const char *cs_ocr_tiff_last_error(void);
/* Size of page (1-based) from its directory, without decoding. */
int cs_ocr_tiff_page_size(const void *data, size_t len, int page,
                          long long *width, long long *height, char *err, size_t errlen);



struct Pix;
/* Recognise pix at dpi; *text is malloc'd UTF-8. */
int cs_ocr_engine_recognise(cs_ocr_engine *e, struct Pix *pix, int dpi,
                            char **text, double *confidence, char *err, size_t errlen);
#endif

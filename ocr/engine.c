/*
 * engine.c — the Tesseract engine wrapper.  One engine per worker process,
 * created once and kept warm: Init loads the language model (tens of MB),
 * which costs far more than recognising a page.
 *
 * Interface routines:
 *   cs_ocr_engine_new, cs_ocr_engine_free   (ocr.h)
 *   cs_ocr_engine_recognise   text, mean confidence and words of a page
 *   cs_ocr_engine_read        the same in a given page segmentation mode
 *   cs_ocr_engine_osd         Tesseract's orientation detection (measured,
 *                             not used by default: see orient.c)
 *
 * Notes:
 *   1. The page segmentation mode is PSM_SINGLE_COLUMN, chosen by
 *      measurement (see page.c): PSM_AUTO finds columns where a chart has
 *      none (a wide gap between words on consecutive lines) and reads the
 *      halves one after the other.  The mode is set before every page from
 *      cs_ocr_tuning_current so a measuring program can change it.
 *   2. The OSD engine ("osd" model, 10 MB) is started on first use only.
 *   3. Tesseract is given only the rectangle that holds ink (the bilevel
 *      page's foreground box, padded by a tenth of an inch, clipped out of
 *      the page): its layout
 *      analysis (rule-line search with long morphological bricks, image
 *      regions, columns) costs in proportion to the pixels, and a chart's
 *      margins are a third of them.  Measured on 54 sample pages: 386 and
 *      391 ms a page recognising the whole page, 367 and 372 with the
 *      rectangle; the layout analysis alone 82 and 68 ms.  The word boxes are
 *      moved back to the whole page's coordinates.  The rectangle is cut
 *      out rather than set with TessBaseAPISetRectangle: in Tesseract 5.3
 *      that garbled whole pages (one of 120 benchmark pages read at 60
 *      instead of 93) where the clipped copy reads as the whole page did.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "common/common.h"

struct cs_ocr_engine {
    TessBaseAPI *api;
    TessBaseAPI *osd;      /* NULL until cs_ocr_engine_osd is first called */
};

int cs_ocr_engine_new(const char *lang, cs_ocr_engine **out, char *err, size_t errlen)
{
    cs_ocr_engine *e = NULL;

    *out = NULL;
    /* One thread per engine: parallelism comes from worker processes, and
     * OpenMP threads inside Tesseract only fight them for the cores.  The
     * OpenMP runtime reads OMP_THREAD_LIMIT once, when the library loads, so
     * it must be in the environment before the program starts; `chartscan
     * work` re-executes itself with it set. */
    if (!getenv("OMP_THREAD_LIMIT"))
        cs_log(CS_LOG_DEBUG, "OMP_THREAD_LIMIT is unset: Tesseract may use several threads");
    setMsgSeverity(L_SEVERITY_NONE);
    cs_ocr_tiff_quiet();

    e = calloc(1, sizeof *e);
    if (!e)
        return cs_fail(err, errlen, "out of memory");
    e->api = TessBaseAPICreate();
    if (!e->api) {
        free(e);
        return cs_fail(err, errlen, "could not create the Tesseract engine");
    }
    if (TessBaseAPIInit3(e->api, NULL, lang ? lang : "eng") != 0) {
        TessBaseAPIDelete(e->api);
        free(e);
        return cs_fail(err, errlen,
                       "could not start Tesseract for language \"%s\" (is tesseract-ocr-%s installed?)",
                       lang ? lang : "eng", lang ? lang : "eng");
    }
    /* Tesseract's own chatter ("Estimating resolution ...") stays off stderr */
    TessBaseAPISetVariable(e->api, "debug_file", "/dev/null");
    TessBaseAPISetPageSegMode(e->api, PSM_SINGLE_COLUMN);
    *out = e;
    return 0;
}

void cs_ocr_engine_free(cs_ocr_engine **pe)
{
    if (!pe || !*pe)
        return;
    TessBaseAPIEnd((*pe)->api);
    TessBaseAPIDelete((*pe)->api);
    if ((*pe)->osd) {
        TessBaseAPIEnd((*pe)->osd);
        TessBaseAPIDelete((*pe)->osd);
    }
    free(*pe);
    *pe = NULL;
}

/* The part of a bilevel page that has ink, padded (note 3): the clipped
 * page, and its offset in *px, *py; NULL (with 0, 0) when that is the whole
 * page, or the page is grey or has no ink. */
static PIX *ink_region(PIX *pix, int dpi, int *px, int *py)
{
    BOX *box = NULL;
    PIX *clip;
    l_int32 x, y, w, h, x1, y1;
    int pad = dpi > 0 ? dpi / 10 : 30, pw = pixGetWidth(pix), ph = pixGetHeight(pix);

    *px = *py = 0;
    if (pixGetDepth(pix) != 1 || pixClipBoxToForeground(pix, NULL, NULL, &box) != 0 || !box)
        return NULL;
    boxGetGeometry(box, &x, &y, &w, &h);
    boxDestroy(&box);
    x1 = x + w + pad < pw ? x + w + pad : pw;
    y1 = y + h + pad < ph ? y + h + pad : ph;
    x = x > pad ? x - pad : 0;
    y = y > pad ? y - pad : 0;
    if ((x == 0 && y == 0 && x1 == pw && y1 == ph) || x1 <= x || y1 <= y)
        return NULL;
    box = boxCreate(x, y, x1 - x, y1 - y);
    clip = box ? pixClipRectangle(pix, box, NULL) : NULL;
    boxDestroy(&box);
    if (clip) {
        *px = x;
        *py = y;
    }
    return clip;
}

/*!
 * cs_ocr_engine_recognise()
 *
 *      Input:  e (the engine)
 *              pix (1 or 8 bpp page, upright)
 *              dpi (its resolution)
 *              text (<return> page text, UTF-8, malloc'd)
 *              confidence (<return> mean word confidence, 0..100)
 *              words, nwords (<optional return> the words, malloc'd: free
 *                             with cs_ocr_words_free; use NULL to skip)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK, -1 on error (nothing returned)
 */
int cs_ocr_engine_recognise(cs_ocr_engine *e, struct Pix *pix, int dpi,
                            char **text, double *confidence,
                            cs_ocr_word **words, size_t *nwords, char *err, size_t errlen)
{
    return cs_ocr_engine_read(e, pix, dpi, cs_ocr_tuning_current.psm, text, confidence,
                              words, nwords, err, errlen);
}

/*!
 * cs_ocr_engine_read()
 *
 *      Input:  as cs_ocr_engine_recognise, and
 *              psm (the page segmentation mode, a TessPageSegMode)
 *      Return: 0 if OK, -1 on error (nothing returned)
 */
int cs_ocr_engine_read(cs_ocr_engine *e, struct Pix *pix, int dpi, int psm,
                       char **text, double *confidence,
                       cs_ocr_word **words, size_t *nwords, char *err, size_t errlen)
{
    PIX *ink;
    char *t;
    int rc = -1, dx, dy;

    *text = NULL;
    *confidence = 0;
    if (words)
        *words = NULL;
    if (nwords)
        *nwords = 0;
    TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)psm);
    ink = ink_region(pix, dpi, &dx, &dy);
    TessBaseAPISetImage2(e->api, ink ? ink : pix);
    TessBaseAPISetSourceResolution(e->api, dpi);
    if (TessBaseAPIRecognize(e->api, NULL) != 0) {
        cs_fail(err, errlen, "Tesseract could not recognise the page");
        goto out;
    }
    t = TessBaseAPIGetUTF8Text(e->api);
    *text = strdup(t ? t : "");
    if (t)
        TessDeleteText(t);
    if (!*text) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *confidence = TessBaseAPIMeanTextConf(e->api);
    if (*confidence < 0)
        *confidence = 0;
    if (words && nwords && cs_ocr_words_collect(e->api, words, nwords) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; words && nwords && i < *nwords; i++) {
        (*words)[i].x += dx;   /* back to the whole page's coordinates */
        (*words)[i].y += dy;
    }
    rc = 0;
out:
    TessBaseAPIClear(e->api);
    pixDestroy(&ink);
    if (rc < 0) {
        free(*text);
        *text = NULL;
        *confidence = 0;
    }
    return rc;
}

/*!
 * cs_ocr_engine_osd()
 *
 *      Input:  e (the engine; its OSD model is loaded on first use)
 *              pix (1 or 8 bpp page), dpi (its resolution)
 *              protation (<return> degrees clockwise to make the page upright)
 *              pconf (<return> Tesseract's orientation confidence)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK (a page without enough text gives rotation 0,
 *              confidence 0), -1 when the OSD model cannot be loaded
 */
int cs_ocr_engine_osd(cs_ocr_engine *e, struct Pix *pix, int dpi, int *protation,
                      double *pconf, char *err, size_t errlen)
{
    int deg = 0;
    float conf = 0, sconf = 0;
    const char *script = NULL;

    *protation = 0;
    *pconf = 0;
    if (!e->osd) {
        e->osd = TessBaseAPICreate();
        if (!e->osd || TessBaseAPIInit3(e->osd, NULL, "osd") != 0) {
            if (e->osd)
                TessBaseAPIDelete(e->osd);
            e->osd = NULL;
            return cs_fail(err, errlen, "could not load Tesseract's osd model "
                           "(is tesseract-ocr-osd installed?)");
        }
        TessBaseAPISetVariable(e->osd, "debug_file", "/dev/null");
        TessBaseAPISetPageSegMode(e->osd, PSM_OSD_ONLY);
    }
    TessBaseAPISetImage2(e->osd, pix);
    TessBaseAPISetSourceResolution(e->osd, dpi);
    if (TessBaseAPIDetectOrientationScript(e->osd, &deg, &conf, &script, &sconf)) {
        /* orient_deg is the clockwise rotation found in the page: undoing
         * it is the rest of the full turn */
        *protation = (360 - ((deg % 360) + 360) % 360) % 360;
        *pconf = conf;
    }
    /* script points into the engine's own tables (the capi.h comment
     * asking to free it is wrong for Tesseract 5): not freed */
    TessBaseAPIClear(e->osd);
    return 0;
}

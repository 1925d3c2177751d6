/*
 * engine.c — the Tesseract engine wrapper.  One engine per worker process,
 * created once and kept warm: Init loads the language model (tens of MB),
 * which costs far more than recognising a page.
 *
 * Interface routines:
 *   cs_ocr_engine_new, cs_ocr_engine_free   (ocr.h)
 *   cs_ocr_engine_recognise   text, mean confidence and words of a page
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
    char *t;
    int rc = -1;

    *text = NULL;
    *confidence = 0;
    if (words)
        *words = NULL;
    if (nwords)
        *nwords = 0;
    TessBaseAPISetPageSegMode(e->api, (TessPageSegMode)cs_ocr_tuning_current.psm);
    TessBaseAPISetImage2(e->api, pix);
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
    rc = 0;
out:
    TessBaseAPIClear(e->api);
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

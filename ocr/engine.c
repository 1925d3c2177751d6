/*
 * engine.c — the Tesseract engine wrapper.  One engine per worker process,
 * created once and kept warm: Init loads the language model (tens of MB),
 * which costs far more than recognising a page.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

#include "common/common.h"

struct cs_ocr_engine {
    TessBaseAPI *api;
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
    TessBaseAPISetPageSegMode(e->api, PSM_AUTO);
    *out = e;
    return 0;
}

void cs_ocr_engine_free(cs_ocr_engine **pe)
{
    if (!pe || !*pe)
        return;
    TessBaseAPIEnd((*pe)->api);
    TessBaseAPIDelete((*pe)->api);
    free(*pe);
    *pe = NULL;
}

int cs_ocr_engine_recognise(cs_ocr_engine *e, struct Pix *pix, int dpi,
                            char **text, double *confidence, char *err, size_t errlen)
{
    char *t;

    *text = NULL;
    *confidence = 0;
    TessBaseAPISetImage2(e->api, pix);
    TessBaseAPISetSourceResolution(e->api, dpi);
    if (TessBaseAPIRecognize(e->api, NULL) != 0) {
        TessBaseAPIClear(e->api);
        return cs_fail(err, errlen, "Tesseract could not recognise the page");
    }
    t = TessBaseAPIGetUTF8Text(e->api);
    *text = strdup(t ? t : "");
    if (t)
        TessDeleteText(t);
    *confidence = TessBaseAPIMeanTextConf(e->api);
    TessBaseAPIClear(e->api);
    if (!*text)
        return cs_fail(err, errlen, "out of memory");
    return 0;
}

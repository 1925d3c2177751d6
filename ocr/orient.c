/*
 * orient.c — which way up is the page?  0, 90, 180 or 270 degrees, with
 * Leptonica's text-orientation detector (flipdetect.c): hit-miss counts of
 * ascenders and descenders, which on Latin text are far more common above
 * the x-height than below.
 *
 * Interface routines:
 *   cs_ocr_orient_detect    the clockwise rotation that makes the page upright
 *   cs_ocr_orient_recheck   a second opinion from recognition, when the
 *                           detector was unsure and the page read badly
 *
 * Notes:
 *   1. Chosen over Tesseract's OSD by measurement (see page.c): as
 *      accurate on our pages, and about 20 times cheaper (it runs on a 2x
 *      reduced bilevel copy).  Tesseract's OSD stays reachable through
 *      cs_ocr_tuning_current.orient = 2 for re-measurement.
 *   2. A page is only turned when the detector is sure (an up/down or a
 *      left/right confidence of at least CS_ORIENT_MIN_CONF and that many
 *      times the other): a page the detector cannot read stays as it was
 *      scanned, which is upright for the great majority.
 *   3. ...unless it then reads badly: cs_ocr_orient_recheck reads such a
 *      page turned, and keeps the turn that reads clearly better.  On the
 *      benchmark (seeds 1-3, 330 text pages) the detector was unsure on
 *      4-5 pages a seed; all upright ones read at 94-95 and were not
 *      reread; one upside-down page per seed of 2 read at 26-34 and came
 *      right (93 turned).  Tesseract's OSD on the unsure pages instead
 *      would cost about 0.5 s each and needs more text than a page with
 *      two short lines has.
 */
#include "ocr/ocr_internal.h"

#include <leptonica/allheaders.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define CS_ORIENT_MIN_CONF 6.0f
#define CS_ORIENT_MIN_RATIO 2.5f

/* The second opinion (cs_ocr_orient_recheck): mean word confidences, 0..100 */
#define CS_RECHECK_CONF 70.0
#define CS_RECHECK_MARGIN 10.0
#define CS_RECHECK_SIDEWAYS 50.0
#define CS_RECHECK_MASS 1.5

/*!
 * cs_ocr_orient_detect()
 *
 *      Input:  pix (1 bpp, about 300 dpi, deskewed or nearly so)
 *              dpi (its resolution)
 *              protation (<return> 0, 90, 180 or 270: degrees clockwise to apply)
 *              pconf (<return> the detector's confidence for the decision
 *                     taken; 0 when it found too little text)
 *      Return: 0 if OK, -1 on error
 */
int cs_ocr_orient_detect(PIX *pix, int dpi, int *protation, double *pconf)
{
    PIX *red = NULL;
    l_float32 upconf = 0, leftconf = 0;
    l_int32 orient = L_TEXT_ORIENT_UNKNOWN;
    int rc = -1;

    *protation = 0;
    *pconf = 0;
    if (!pix || pixGetDepth(pix) != 1)
        return -1;
    /* the detector wants 150-300 ppi; 150 is four times cheaper */
    if (cs_ocr_tuning_current.orient != 3 && dpi >= 250)
        red = pixReduceRankBinaryCascade(pix, 1, 0, 0, 0);
    else
        red = pixClone(pix);
    if (!red)
        return -1;
    if (pixOrientDetect(red, &upconf, &leftconf, 0, 0) != 0)
        goto out;
    if (makeOrientDecision(upconf, leftconf, CS_ORIENT_MIN_CONF, CS_ORIENT_MIN_RATIO,
                           &orient, 0) != 0)
        goto out;
    switch (orient) {
    case L_TEXT_ORIENT_LEFT:  *protation = 90;  *pconf = fabsf(leftconf); break;
    case L_TEXT_ORIENT_DOWN:  *protation = 180; *pconf = fabsf(upconf); break;
    case L_TEXT_ORIENT_RIGHT: *protation = 270; *pconf = fabsf(leftconf); break;
    case L_TEXT_ORIENT_UP:    *pconf = fabsf(upconf); break;
    default:                  *pconf = 0; break;
    }
    rc = 0;
out:
    pixDestroy(&red);
    return rc;
}

/* Recognise pix turned by quarter quarter turns clockwise (deskewed again
 * when sideways: the skew corrected in *pskew); the turned page in
 * *pturned, its reading in the rest. */
static int read_turned(cs_ocr_engine *e, PIX *pix, int dpi, int quarter, PIX **pturned,
                       double *pskew, char **text, double *confidence, cs_ocr_word **words,
                       size_t *nwords, char *err, size_t errlen)
{
    PIX *turned = pixRotateOrth(pix, quarter);

    *pturned = NULL;
    *pskew = 0;
    if (turned && quarter % 2 && cs_ocr_tuning_current.deskew) {
        PIX *straight = cs_ocr_deskew(turned, dpi, pskew);
        pixDestroy(&turned);
        turned = straight;
    }
    if (!turned)
        return cs_fail(err, errlen, "could not rotate the page");
    if (cs_ocr_engine_recognise(e, turned, dpi, text, confidence, words, nwords,
                                err, errlen) < 0) {
        pixDestroy(&turned);
        return -1;
    }
    *pturned = turned;
    return 0;
}

/*!
 * cs_ocr_orient_recheck()
 *
 *      Input:  e (the engine)
 *              ppix (in/out: the page as recognised; replaced by the turned
 *                    page when a turn reads better)
 *              dpi (its resolution)
 *              res (in/out: the reading of *ppix; replaced with the better
 *                   one, and res->cleanup.skew when a sideways turn was
 *                   deskewed)
 *              pturn (<return> degrees clockwise added to the rotation: 0,
 *                     90, 180 or 270)
 *              err, errlen (the reason on failure)
 *      Return: 0 if OK, -1 on error (*ppix, res and *pturn then hold the
 *              best reading so far: the caller discards the page)
 *
 *  Notes:
 *      (1) For a page on which the detector made no decision (note 2 of
 *          the file) and whose reading has a mean confidence under
 *          CS_RECHECK_CONF.  Upright pages read at 85-96 on the benchmark,
 *          upside-down ones at 25-40: the page is read again turned by
 *          180 degrees, and the turn is kept when it reads at least
 *          CS_RECHECK_MARGIN better.  When neither way reaches
 *          CS_RECHECK_SIDEWAYS, the two sideways turns are tried too.
 *      (2) Costs one or three more recognitions, on the few pages the
 *          detector cannot read (little text, heavy noise): about 5% of
 *          the benchmark's pages are unsure, under 2% read badly.
 */
int cs_ocr_orient_recheck(cs_ocr_engine *e, PIX **ppix, int dpi, cs_ocr_result *res,
                          int *pturn, char *err, size_t errlen)
{
    static const int order[] = {2, 1, 3};
    double best = res->confidence, best_mass = cs_ocr_read_mass(res->words, res->nwords), mass;
    int best_quarter = 0;

    *pturn = 0;
    if (res->confidence >= CS_RECHECK_CONF)
        return 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        PIX *turned = NULL;
        char *text = NULL;
        double confidence = 0, skew = 0;
        cs_ocr_word *words = NULL;
        size_t nwords = 0;

        if (order[i] != 2 && best >= CS_RECHECK_SIDEWAYS)
            break;
        if (read_turned(e, *ppix, dpi, (order[i] - best_quarter + 4) % 4, &turned, &skew,
                        &text, &confidence, &words, &nwords, err, errlen) < 0) {
            *pturn = 90 * best_quarter;
            return -1;
        }
        mass = cs_ocr_read_mass(words, nwords);
        if (confidence >= best + CS_RECHECK_MARGIN && mass >= CS_RECHECK_MASS * best_mass) {
            cs_ocr_take_reading(res, &text, confidence, &words, nwords);
            pixDestroy(ppix);
            *ppix = turned;
            best = confidence;
            best_mass = mass;
            best_quarter = order[i];
            if (skew != 0)
                res->cleanup.skew = skew;
        } else {
            free(text);
            cs_ocr_words_free(&words, &nwords);
            pixDestroy(&turned);
        }
    }
    *pturn = 90 * best_quarter;
    return 0;
}

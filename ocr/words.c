/*
 * words.c — the words of a recognised page, from Tesseract's result
 * iterator: text, box, confidence, and the block and line each belongs to,
 * in reading order.  The QA page draws the boxes; field extraction uses
 * positions and confidences; the PDF places its invisible text by them.
 *
 * Interface routines:
 *   cs_ocr_words_collect   all words of the last recognition
 *   cs_ocr_words_free      release an array of words
 *   cs_ocr_read_mass       how many characters a reading likely has right
 *   cs_ocr_take_reading    a page's result takes another reading of the page
 *
 * Notes:
 *   1. Blocks and lines are numbered from 0 over the whole page (a line
 *      number does not restart in a new block), so that (line) alone
 *      orders and groups words.
 *   2. Words that are empty or all spaces are skipped.
 */
#include "ocr/ocr_internal.h"

#include <stdlib.h>
#include <string.h>
#include <tesseract/capi.h>

/*!
 * cs_ocr_words_collect()
 *
 *      Input:  api (a Tesseract handle after a successful Recognize)
 *              pwords (<return> array of words, malloc'd; NULL when none)
 *              pn (<return> number of words)
 *      Return: 0 if OK, -1 when out of memory (nothing returned)
 */
int cs_ocr_words_collect(TessBaseAPI *api, cs_ocr_word **pwords, size_t *pn)
{
    TessResultIterator *it = NULL;
    TessPageIterator *pit;
    cs_ocr_word *words = NULL;
    size_t n = 0, cap = 0;
    int block = -1, line = -1, rc = -1;

    *pwords = NULL;
    *pn = 0;
    it = TessBaseAPIGetIterator(api);
    if (!it)
        return 0;                       /* nothing was recognised */
    pit = TessResultIteratorGetPageIterator(it);
    do {
        char *text;
        int x1, y1, x2, y2;

        if (TessPageIteratorIsAtBeginningOf(pit, RIL_BLOCK))
            block++;
        if (TessPageIteratorIsAtBeginningOf(pit, RIL_TEXTLINE))
            line++;
        text = TessResultIteratorGetUTF8Text(it, RIL_WORD);
        if (!text)
            continue;
        if (text[strspn(text, " \t\r\n")] == '\0'
            || !TessPageIteratorBoundingBox(pit, RIL_WORD, &x1, &y1, &x2, &y2)) {
            TessDeleteText(text);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            cs_ocr_word *grown = realloc(words, ncap * sizeof *grown);
            if (!grown) {
                TessDeleteText(text);
                goto out;
            }
            words = grown;
            cap = ncap;
        }
        words[n].text = strdup(text);
        TessDeleteText(text);
        if (!words[n].text)
            goto out;
        words[n].x = x1;
        words[n].y = y1;
        words[n].w = x2 - x1;
        words[n].h = y2 - y1;
        words[n].confidence = TessResultIteratorConfidence(it, RIL_WORD);
        words[n].block = block < 0 ? 0 : block;
        words[n].line = line < 0 ? 0 : line;
        n++;
    } while (TessResultIteratorNext(it, RIL_WORD));
    *pwords = words;
    *pn = n;
    words = NULL;
    rc = 0;
out:
    cs_ocr_words_free(&words, &n);
    TessResultIteratorDelete(it);
    return rc;
}

/*!
 * cs_ocr_words_free()
 *
 *      Input:  pwords (pointer to the array; may hold NULL; set to NULL)
 *              pn (its length; set to 0)
 */
void cs_ocr_words_free(cs_ocr_word **pwords, size_t *pn)
{
    if (!pwords || !*pwords)
        return;
    for (size_t i = 0; i < *pn; i++)
        free((*pwords)[i].text);
    free(*pwords);
    *pwords = NULL;
    *pn = 0;
}

/*!
 * cs_ocr_read_mass()
 *
 *      Input:  words, nwords (a reading's words)
 *      Return: the characters the reading likely has right: each word's
 *              length weighted by its confidence (0..1)
 *
 *  Notes:
 *      (1) Two readings of one page are compared by this as well as by
 *          their mean confidence, which alone is fooled by a reading of a
 *          few "words" read with confidence (orient.c: a sideways reading
 *          of two "words" read at 76; broken.c).
 */
double cs_ocr_read_mass(const cs_ocr_word *words, size_t nwords)
{
    double mass = 0;

    for (size_t i = 0; i < nwords; i++)
        mass += strlen(words[i].text) * words[i].confidence / 100.0;
    return mass;
}

/*!
 * cs_ocr_take_reading()
 *
 *      Input:  res (a page's result: its text and words are released)
 *              ptext, confidence, pwords, nwords (the reading that replaces
 *                  them: *ptext and *pwords move into res and are set to NULL)
 */
void cs_ocr_take_reading(cs_ocr_result *res, char **ptext, double confidence,
                         cs_ocr_word **pwords, size_t nwords)
{
    free(res->text);
    cs_ocr_words_free(&res->words, &res->nwords);
    res->text = *ptext;
    res->confidence = confidence;
    res->words = *pwords;
    res->nwords = nwords;
    *ptext = NULL;
    *pwords = NULL;
}

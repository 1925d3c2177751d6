/*
 * tokenize.c — text to classifier features, shared by training and
 * prediction.
 *
 * Interface routines (indexer/tokenize.h):
 *   cs_text_features    call back once per feature occurrence
 *
 * Feature spaces, told apart by a two-byte prefix:
 *   "w:" body word            (every token of the text)
 *   "b:" body bigram          ("w1 w2", consecutive tokens on one line)
 *   "t:" title/heading word   (tokens of a heading, see below)
 *   "u:" title/heading bigram
 *
 * A heading is (a) one of the first three non-empty lines, (b) a line with
 * no lower-case letters and at least three capitals ("DISCHARGE SUMMARY"),
 * or (c) the capitalised label before a colon ("OPERATIVE REPORT: ...",
 * "FINDINGS:").  Only the first few tokens of a heading count, so that a
 * long first paragraph does not swamp the title space.  Document types are
 * announced by headings far more reliably than by body words, and keeping
 * them in their own space lets the model weigh "t:impression" apart from
 * an "impression" in running text.
 *
 * Tokens are runs of ASCII letters and digits (and bytes >= 0x80, so that
 * UTF-8 words stay whole), lower-cased; tokens without a letter (numbers,
 * dates) and one-letter tokens are dropped, as they carry OCR noise rather
 * than document type.
 */
#include "indexer/tokenize.h"

#include <string.h>

#define HEADING_TOKENS 8    /* tokens of a heading that count */
#define TITLE_LINES    3    /* leading non-empty lines treated as headings */
#define LABEL_MAX      48   /* longest "LABEL:" prefix taken as a heading */

typedef struct emitter {
    cs_feature_fn fn;
    void *ctx;
} emitter;

static int
is_token_byte(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch >= 0x80;
}

static int
emit(const emitter *e, const char *prefix, const char *a, size_t alen,
     const char *b, size_t blen)
{
    char feature[CS_FEATURE_MAX];
    size_t len = 0;

    memcpy(feature, prefix, 2);
    len = 2;
    memcpy(feature + len, a, alen);
    len += alen;
    if (b) {
        feature[len++] = ' ';
        memcpy(feature + len, b, blen);
        len += blen;
    }
    return e->fn(e->ctx, feature, len);
}

/*
 * Emit unigram and bigram features for the tokens of s[0..len), at most
 * max_tokens of them (0: no bound).  Bigrams do not cross line ends.
 */
static int
emit_segment(const emitter *e, const char *s, size_t len, const char *uni,
             const char *bi, int max_tokens)
{
    char prev[CS_TOKEN_MAX], tok[CS_TOKEN_MAX];
    size_t prevlen = 0, i = 0;
    int ntokens = 0, rc;

    while (i < len) {
        size_t start, toklen, j;
        int letters = 0;

        if (s[i] == '\n')
            prevlen = 0;
        if (!is_token_byte((unsigned char)s[i])) {
            i++;
            continue;
        }
        start = i;
        while (i < len && is_token_byte((unsigned char)s[i]))
            i++;
        toklen = i - start;
        if (toklen < 2 || toklen > CS_TOKEN_MAX)
            continue;
        for (j = 0; j < toklen; j++) {
            unsigned char ch = (unsigned char)s[start + j];
            if (ch >= 'A' && ch <= 'Z')
                ch = (unsigned char)(ch - 'A' + 'a');
            if ((ch >= 'a' && ch <= 'z') || ch >= 0x80)
                letters = 1;
            tok[j] = (char)ch;
        }
        if (!letters)
            continue;
        if ((rc = emit(e, uni, tok, toklen, NULL, 0)) < 0)
            return rc;
        if (prevlen && (rc = emit(e, bi, prev, prevlen, tok, toklen)) < 0)
            return rc;
        memcpy(prev, tok, toklen);
        prevlen = toklen;
        if (max_tokens && ++ntokens >= max_tokens)
            break;
    }
    return 0;
}

/* Counts of upper- and lower-case ASCII letters in s[0..len). */
static void
count_case(const char *s, size_t len, int *upper, int *lower)
{
    *upper = *lower = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z')
            (*upper)++;
        else if (s[i] >= 'a' && s[i] <= 'z')
            (*lower)++;
    }
}

/* Emit the heading features of one line (s[0..len), no newline). */
static int
emit_heading(const emitter *e, const char *s, size_t len, int title_line)
{
    int upper, lower;
    const char *colon;

    if (title_line)
        return emit_segment(e, s, len, "t:", "u:", HEADING_TOKENS);
    count_case(s, len, &upper, &lower);
    if (lower == 0 && upper >= 3)
        return emit_segment(e, s, len, "t:", "u:", HEADING_TOKENS);
    colon = memchr(s, ':', len < LABEL_MAX ? len : LABEL_MAX);
    if (colon) {
        count_case(s, (size_t)(colon - s), &upper, &lower);
        if (lower == 0 && upper >= 3)
            return emit_segment(e, s, (size_t)(colon - s), "t:", "u:",
                                HEADING_TOKENS);
    }
    return 0;
}

/*
 * cs_text_features()
 *
 *      Input:  text (NUL-terminated; NULL is treated as empty)
 *              fn, ctx (called once per feature occurrence)
 *      Return: 0, or the first negative value returned by fn
 *
 *  Notes:
 *      (1) Features are emitted with repetition; callers that want
 *          presence rather than counts de-duplicate.
 *      (2) Uses no heap memory: features are built in a stack buffer.
 */
int
cs_text_features(const char *text, cs_feature_fn fn, void *ctx)
{
    emitter e = {fn, ctx};
    const char *line, *end;
    int nonempty = 0, rc;

    if (!text)
        return 0;
    if ((rc = emit_segment(&e, text, strlen(text), "w:", "b:", 0)) < 0)
        return rc;
    for (line = text; *line; line = *end ? end + 1 : end) {
        size_t len;
        int has_token = 0;

        end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        len = (size_t)(end - line);
        for (size_t i = 0; i < len && !has_token; i++)
            has_token = is_token_byte((unsigned char)line[i]);
        if (!has_token)
            continue;
        nonempty++;
        if ((rc = emit_heading(&e, line, len, nonempty <= TITLE_LINES)) < 0)
            return rc;
    }
    return 0;
}

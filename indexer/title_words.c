/*
 * title_words.c — what the words of a first page's title lines say about
 * the document's type, so that a title never seen whole ("CT ABDOMEN AND
 * PELVIS WITH CONTRAST", "ER VISIT") still counts.
 *
 * Internal routines (model.h):
 *   cs_title_phrase_add        a taxonomy title or vocabulary term into a table
 *   cs_title_page_words        the words of a page's title lines
 *   cs_title_words_learn       title words of training examples -> model
 * The weights are kept in word tables (word_table.c); titles.c turns
 * them into evidence (cs_index_doctype).
 *
 * Title lines.  Among the first TITLE_SCAN_LINES lines holding a word
 * (three letters in a row; see titles.c) of the
 * page, a line is a title line when it
 *   - is short: at most TITLE_MAX_WORDS words and TITLE_MAX_BYTES bytes;
 *   - is not a field or a section label: no ':' followed by text
 *     ("Patient: X", "Re: X"), no final ':' ("FINDINGS:"), no final ','
 *     (a salutation, an address), no run of three digits (dates, phone
 *     numbers, MRNs), not a numbered list item ("2. Diabetes");
 *   - looks like a title: mostly capitals (TITLE_CAPS_SHARE of its
 *     letters), or every longer word capitalised ("Brief Op Note"), or
 *     alone on its line with at most SHORT_LINE_WORDS words, starting
 *     with a capital and not ending in a period ("Office visit note");
 *     a line ending in '.' must be in capitals (a sentence is not a
 *     title);
 *   - is not an organisation's name: letterheads ("Valley Clinic",
 *     "St. Agatha Surgical Specialists") end in a word such as CLINIC,
 *     HOSPITAL, ASSOCIATES, or begin with SAINT / ST, or hold INC, LLC;
 *   - and is not opened by one of the taxonomy's patterns ("Dear *"),
 *     which titles.c weighs on its own (scan->skip_line).
 * A colon-terminated line such as "PROGRESS NOTE:" is left to the exact
 * title match (titles.c): most colon lines at the top of a page are
 * section labels, whose words are the body classifier's business.
 *
 * Words (one normaliser for titles, vocabulary, training and pages):
 * runs of letters and digits, upper-cased, '&' read as AND, and in a
 * word holding letters the OCR digits 0 1 5 8 read as O I S B.  Function
 * words (AND, OF, WITH, ...) are dropped.  A page's words are repaired
 * against the words the tables know: a run of three or more single
 * letters is joined ("D I S C H A R G E"), two neighbours whose join is
 * known are joined too ("RADIO LOGY", "X RAY" -> XRAY), and an unknown
 * word of five letters or more one edit from a known one (or with RN for
 * M, VV for W) is read as that word ("OPERATlVE", "SUMRNARY").
 * Features are the unigrams, except generic words (NOTE, REPORT, VISIT,
 * PATIENT, ...) that every type's titles use, and the bigrams of
 * neighbouring words, generic ones included ("OP NOTE", "NEW PATIENT").
 * A word ending in a surgical suffix (-ECTOMY, -OTOMY, -PLASTY, ...)
 * also gives a suffix feature ("*ECTOMY"), so that a procedure's name
 * as an operative report's title counts without listing every procedure.
 *
 * Weights.  Each source adds pseudo-observations of "this word in a
 * title of type c" (titles.c turns them into a likelihood, with one
 * pseudo-observation of smoothing per type):
 *   - the built-in vocabulary (title_vocabulary.c) for the seven default
 *     types: STRONG (100) for words that name the type on their own
 *     (RADIOLOGY, CT, OPERATIVE, EMERGENCY, DISCHARGE, CONSULTATION,
 *     PROGRESS, LETTER), MEDIUM (20) for words that usually do (SCAN,
 *     CLINIC, SURGERY), WEAK (3) for words that lean (CHEST, DAILY);
 *   - every taxonomy title, titles.c's TAXONOMY_WEIGHT (20, as a MEDIUM
 *     word): a site's own wording, and the only source for types the
 *     vocabulary does not know;
 *   - training examples whose first page has title lines,
 *     TRAIN_TITLE_WEIGHT (1) per document, scaled so that every label's
 *     documents weigh the same in total (a site's 500 progress notes do
 *     not make every word a progress-note word), and kept only for words
 *     of at least TRAIN_MIN_DOCUMENTS documents.  Transcriptions without
 *     titles teach little here (their top lines are section headings,
 *     weighed as such by the classifier); a site's reviewed documents,
 *     with their printed titles, teach the site's wordings.
 * A phrase's bigrams get its full weight; its words too when it has one
 * content word ("OP NOTE"), else PHRASE_WORD_SHARE of it each: "OFFICE
 * VISIT" says progress note, OFFICE alone less so.
 *
 * The vocabulary describes the default taxonomy's meaning.  A site that
 * splits a default type (consultations apart from histories) should give
 * the new type its titles (an exact title wins over words) and train on
 * its documents.
 */
#include "indexer/text.h"
#include "indexer/model.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_SCAN_LINES   10    /* lines with a word searched, as titles.c */
#define TITLE_MAX_WORDS    8
#define TITLE_MAX_BYTES    80
#define TITLE_CAPS_SHARE   0.7
#define SHORT_LINE_WORDS   4
#define LINE_WORDS         32    /* words kept from one line (letter-spaced ones too) */
#define PAGE_FEATURES      256   /* distinct features kept from one page */
#define SINGLE_LETTER_RUN  3     /* single letters joined into a word */
#define FUZZY_MIN_LEN      5     /* shortest word repaired by one edit */

#define PHRASE_WORD_SHARE  0.1
#define TRAIN_TITLE_WEIGHT 1.0
#define TRAIN_MIN_DOCUMENTS 2

/* ------------------------------------------------------------------ */
/*                       words and their classes                      */
/* ------------------------------------------------------------------ */

/* Dropped everywhere: they join title words, they do not type them. */
static const char *const FUNCTION_WORDS[] = {
    "A", "AN", "AND", "AS", "AT", "BY", "FOR", "FROM", "IN", "IS", "IT", "OF", "ON", "OR",
    "PER", "THE", "THIS", "TO", "VIA", "VS", "W", "WITH", "WITHOUT", "WO",
};

/* No unigram: every type's titles use them.  They still form bigrams. */
static const char *const GENERIC_WORDS[] = {
    "CARE", "DATE", "DEPARTMENT", "DEPT", "DO", "DOCTOR", "DOCUMENT", "DOCUMENTATION", "DR",
    "FINAL", "FORM", "FORMS", "MD", "MEDICAL", "MEDICINE", "NAME", "NOTE", "NOTES", "NP", "PA",
    "PAGE", "PATIENT",
    "PHYSICIAN", "PROVIDER", "RECORD", "RECORDS", "REPORT", "REPORTS", "RN", "ROOM",
    "SERVICE", "SERVICES", "SHEET", "VISIT", "VISITS",
};

/* A line ending in one of these is an organisation's name (a letterhead). */
static const char *const ORGANISATION_LAST[] = {
    "ASSOCIATES", "CENTER", "CENTRE", "CLINIC", "CLINICS", "FOUNDATION", "GROUP", "HEALTH",
    "HEALTHCARE", "HOSPITAL", "HOSPITALS", "INSTITUTE", "PARTNERS", "PHYSICIANS", "PRACTICE",
    "SPECIALISTS", "SYSTEM", "UNIVERSITY",
};
/* ... and a line holding one of these anywhere. */
static const char *const ORGANISATION_ANY[] = {"CORP", "INC", "LLC", "LLP", "LTD", "PLLC"};

/* Surgical suffixes that give a "*SUFFIX" feature. */
static const char *const SURGICAL_SUFFIXES[] = {
    "ECTOMY", "OTOMY", "OSTOMY", "PLASTY", "PEXY", "RRHAPHY", "SCOPY", "TRIPSY",
};

static int
in_list(const char *const *list, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], w) == 0)
            return 1;
    return 0;
}

#define IN(list, w) in_list(list, sizeof list / sizeof *list, w)

/* ------------------------------------------------------------------ */
/*                              lines                                 */
/* ------------------------------------------------------------------ */

typedef struct line_words {
    char w[LINE_WORDS][CS_TITLE_WORD_MAX + 1];
    unsigned char wide[LINE_WORDS];   /* two or more blanks before the word */
    size_t n;
} line_words;

/*
 * The words of s[0..len) (see the file comment), function words kept:
 * the caller drops them after the repairs that need word positions.
 */
static void
split_words(const char *s, size_t len, line_words *out)
{
    size_t i = 0, blanks = 0;

    out->n = 0;
    while (i < len && out->n < LINE_WORDS) {
        size_t e, k, o = 0;
        int has_letter = 0;
        unsigned char c = (unsigned char)s[i];

        if (c == '&') {
            out->wide[out->n] = blanks >= 2;
            memcpy(out->w[out->n++], "AND", 4);
            blanks = 0;
            i++;
            continue;
        }
        if (!cs_is_alnum(c)) {
            blanks = c == ' ' || c == '\t' ? blanks + 1 : 0;
            i++;
            continue;
        }
        out->wide[out->n] = blanks >= 2;
        blanks = 0;
        for (e = i; e < len && cs_is_alnum((unsigned char)s[e]); e++)
            has_letter |= cs_is_alpha((unsigned char)s[e]);
        for (k = i; k < e && o < CS_TITLE_WORD_MAX; k++) {
            int ch = (unsigned char)s[k];
            if (has_letter && cs_ocr_letter(ch))
                ch = cs_ocr_letter(ch);
            out->w[out->n][o++] = (char)cs_upper(ch);
        }
        out->w[out->n++][o] = '\0';
        i = e;
    }
}

/* Does the raw line s[0..len) look like a title?  See the file comment. */
static int
looks_like_title(const char *s, size_t len)
{
    size_t i, letters = 0, capitals = 0, words = 0, digit_run = 0;
    int capitalised = 1, first_capital = -1, in_word = 0, colon = 0, prev_single = 0;
    char last;

    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    if (len == 0 || len > TITLE_MAX_BYTES)
        return 0;
    last = s[len - 1];
    if (last == ':' || last == ',' || last == ';')
        return 0;
    /* a numbered list item: "2. Diabetes", "3) ..." */
    for (i = 0; i < len && cs_is_digit((unsigned char)s[i]); i++)
        ;
    if (i > 0 && i < len && (s[i] == '.' || s[i] == ')'))
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ':' || c == ';')
            colon = 1;
        else if (colon && cs_is_alnum(c))
            return 0;                       /* "label: value" */
        digit_run = cs_is_digit(c) ? digit_run + 1 : 0;
        if (digit_run >= 3)
            return 0;
        if (cs_is_alpha(c)) {
            letters++;
            capitals += cs_is_upper(c) != 0;
        }
        if (cs_is_alnum(c) && !in_word) {
            /* a word starts: is it capitalised, when it is long enough to be? */
            size_t e = i, wl;
            char w[8];
            while (e < len && cs_is_alnum((unsigned char)s[e]))
                e++;
            wl = e - i;
            for (size_t k = 0; k < wl && k < sizeof w - 1; k++)
                w[k] = (char)cs_upper((unsigned char)s[i + k]);
            w[wl < sizeof w - 1 ? wl : sizeof w - 1] = '\0';
            if (first_capital < 0 && cs_is_alpha(c))
                first_capital = cs_is_upper(c) != 0;
            if (wl >= 3 && cs_is_alpha(c) && !cs_is_upper(c) && !IN(FUNCTION_WORDS, w))
                capitalised = 0;
            /* a letter-spaced word ("S U M M A R Y") counts once */
            words += !(wl == 1 && prev_single);
            prev_single = wl == 1;
        }
        in_word = cs_is_alnum(c);
    }
    if (words == 0 || words > TITLE_MAX_WORDS || letters < 2)
        return 0;
    if (capitals >= TITLE_CAPS_SHARE * (double)letters)
        return 1;
    if (last == '.')
        return 0;
    return capitalised || (words <= SHORT_LINE_WORDS && first_capital == 1);
}

static int
is_organisation(const line_words *lw)
{
    if (lw->n == 0)
        return 0;
    if (IN(ORGANISATION_LAST, lw->w[lw->n - 1]) || !strcmp(lw->w[0], "SAINT") ||
        !strcmp(lw->w[0], "ST"))
        return 1;
    for (size_t i = 0; i < lw->n; i++)
        if (IN(ORGANISATION_ANY, lw->w[i]))
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/*                      OCR repairs against known words               */
/* ------------------------------------------------------------------ */

static int
known(const cs_title_scan *scan, const char *w)
{
    if (!scan)
        return 0;
    for (int k = 0; k < 2; k++)
        if (scan->known[k] && cs_word_table_find(scan->known[k], w, strlen(w)) >= 0)
            return 1;
    return 0;
}

/* Are a and b (lengths la, lb) at most one insertion, deletion or substitution apart? */
static int
one_edit(const char *a, size_t la, const char *b, size_t lb)
{
    size_t i = 0, j = 0;
    int edits = 0;

    if (la > lb + 1 || lb > la + 1)
        return 0;
    while (i < la && j < lb) {
        if (a[i] == b[j]) {
            i++;
            j++;
            continue;
        }
        if (++edits > 1)
            return 0;
        if (la > lb)
            i++;
        else if (lb > la)
            j++;
        else {
            i++;
            j++;
        }
    }
    return edits + (int)(la - i) + (int)(lb - j) <= 1;
}

/* Replace every occurrence of from in w by to (to no longer than from). */
static void
replace_all(char *w, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to);
    char *p;

    while ((p = strstr(w, from)) != NULL) {
        memmove(p + lt, p + lf, strlen(p + lf) + 1);
        memcpy(p, to, lt);
    }
}

/*
 * An unknown word of FUZZY_MIN_LEN letters or more: the known unigram it
 * is an OCR misreading of (RN for M, VV for W, or one edit), else left
 * as it is.  Among several candidates the first in table order wins, so
 * the result is deterministic.
 */
static void
repair_word(const cs_title_scan *scan, char *w)
{
    char alt[CS_TITLE_WORD_MAX + 1];
    size_t lw = strlen(w);

    if (!scan || lw < FUZZY_MIN_LEN || known(scan, w))
        return;
    memcpy(alt, w, lw + 1);
    replace_all(alt, "RN", "M");
    replace_all(alt, "VV", "W");
    if (strcmp(alt, w) != 0 && known(scan, alt)) {
        memcpy(w, alt, strlen(alt) + 1);
        return;
    }
    for (int k = 0; k < 2; k++) {
        const cs_word_table *t = scan->known[k];
        const char *e;
        for (size_t i = 0; (e = cs_word_table_entry(t, i, NULL, NULL)) != NULL; i++) {
            size_t le = strlen(e);
            if (le >= FUZZY_MIN_LEN && !strchr(e, ' ') && one_edit(w, lw, e, le)) {
                memcpy(w, e, le + 1);
                return;
            }
        }
    }
}

/*
 * Repairs on a page's line (scan != NULL): joined runs of single letters,
 * misread words, and joins of neighbours into a known word (the join is
 * appended to extra, the neighbours stay).  Then function words go.
 */
static void
repair_line(const cs_title_scan *scan, line_words *lw, line_words *extra)
{
    size_t i, j, o = 0;

    if (extra)
        extra->n = 0;
    if (scan && extra) {
        line_words joined;
        joined.n = 0;
        for (i = 0; i < lw->n;) {
            /* a run of single letters, up to a wide gap ("D I S C H A R G E   S U M ...") */
            for (j = i; j < lw->n && strlen(lw->w[j]) == 1 &&
                        cs_is_alpha((unsigned char)lw->w[j][0]) && (j == i || !lw->wide[j]); j++)
                ;
            joined.wide[joined.n] = lw->wide[i];
            if (j - i >= SINGLE_LETTER_RUN) {
                size_t k, len = 0;
                for (k = i; k < j && len < CS_TITLE_WORD_MAX; k++)
                    joined.w[joined.n][len++] = lw->w[k][0];
                joined.w[joined.n++][len] = '\0';
                i = j;
            } else {
                memcpy(joined.w[joined.n++], lw->w[i], sizeof lw->w[i]);
                i++;
            }
        }
        *lw = joined;
        for (i = 0; i + 1 < lw->n && extra->n < LINE_WORDS; i++) {
            size_t la = strlen(lw->w[i]), lb = strlen(lw->w[i + 1]);
            char cat[2 * CS_TITLE_WORD_MAX + 1];
            memcpy(cat, lw->w[i], la);
            memcpy(cat + la, lw->w[i + 1], lb + 1);
            if (la + lb <= CS_TITLE_WORD_MAX && known(scan, cat))
                memcpy(extra->w[extra->n++], cat, la + lb + 1);
        }
        for (i = 0; i < lw->n; i++)
            repair_word(scan, lw->w[i]);
    }
    for (i = 0; i < lw->n; i++)
        if (!IN(FUNCTION_WORDS, lw->w[i])) {
            lw->wide[o] = lw->wide[i];
            memcpy(lw->w[o++], lw->w[i], sizeof lw->w[i]);
        }
    lw->n = o;
}

/* ------------------------------------------------------------------ */
/*                             features                               */
/* ------------------------------------------------------------------ */

/* Distinct features of one page or phrase, handed to fn once each. */
typedef struct feature_set {
    char seen[PAGE_FEATURES][2 * CS_TITLE_WORD_MAX + 2];
    size_t n;
    cs_word_fn fn;
    void *ctx;
} feature_set;

static int
emit(feature_set *fs, const char *f)
{
    size_t len = strlen(f);

    if (len == 0 || len > CS_TITLE_WORD_MAX)
        return 0;
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->seen[i], f) == 0)
            return 0;
    if (fs->n == PAGE_FEATURES)
        return 0;
    memcpy(fs->seen[fs->n++], f, len + 1);
    return fs->fn(fs->ctx, f, len);
}

/* Unigrams (not generic, two letters or more), suffix features, bigrams. */
static int
emit_line(feature_set *fs, const line_words *lw, const line_words *extra)
{
    char f[2 * CS_TITLE_WORD_MAX + 2];
    int rc;

    for (size_t i = 0; i < lw->n; i++) {
        const char *w = lw->w[i];
        size_t len = strlen(w);
        if (len >= 2 && !IN(GENERIC_WORDS, w)) {
            if ((rc = emit(fs, w)) < 0)
                return rc;
            for (size_t s = 0; s < sizeof SURGICAL_SUFFIXES / sizeof *SURGICAL_SUFFIXES; s++) {
                size_t ls = strlen(SURGICAL_SUFFIXES[s]);
                if (len > ls + 2 && strcmp(w + len - ls, SURGICAL_SUFFIXES[s]) == 0) {
                    snprintf(f, sizeof f, "*%s", SURGICAL_SUFFIXES[s]);
                    if ((rc = emit(fs, f)) < 0)
                        return rc;
                }
            }
        }
        if (i + 1 < lw->n) {
            snprintf(f, sizeof f, "%s %s", w, lw->w[i + 1]);
            if ((rc = emit(fs, f)) < 0)
                return rc;
        }
    }
    for (size_t i = 0; extra && i < extra->n; i++)
        if ((rc = emit(fs, extra->w[i])) < 0)
            return rc;
    return 0;
}

/*
 * cs_title_page_words()
 *
 *      Input:  page (a first page's text; NULL finds nothing)
 *              scan (known words for the repairs and lines to skip; NULL:
 *                    no repairs, no skipping)
 *              fn, ctx (called once per distinct feature)
 *      Return: the number of title lines found, or the first negative
 *              value fn returned
 *
 *  Notes:
 *      (1) See the file comment for what a title line is.
 */
int
cs_title_page_words(const char *page, const cs_title_scan *scan, cs_word_fn fn, void *ctx)
{
    feature_set *fs = NULL;
    const char *s = page;
    int nonempty = 0, lines = 0, rc = 0;

    if (!page || !fn)
        return 0;
    if ((fs = malloc(sizeof *fs)) == NULL)
        return 0;                   /* no memory: no title evidence, not a failure */
    fs->n = 0;
    fs->fn = fn;
    fs->ctx = ctx;
    while (*s && *s != '\f' && nonempty < TITLE_SCAN_LINES) {
        const char *end = s + strcspn(s, "\n\f");
        size_t len = (size_t)(end - s), i;
        line_words lw, extra;

        for (i = 0; i < len && !cs_is_alnum((unsigned char)s[i]); i++)
            ;
        if (i < len) {
            nonempty += cs_has_word(s, len);
            if (looks_like_title(s, len) &&
                !(scan && scan->skip_line && scan->skip_line(scan->skip_arg, s, len))) {
                split_words(s, len, &lw);
                if (!is_organisation(&lw)) {
                    repair_line(scan, &lw, &extra);
                    if (lw.n + extra.n > 0)
                        lines++;
                    if ((rc = emit_line(fs, &lw, &extra)) < 0)
                        break;
                }
            }
        }
        s = *end == '\n' ? end + 1 : end;
    }
    free(fs);
    return rc < 0 ? rc : lines;
}

typedef struct phrase_ctx {
    cs_word_table *t;
    uint32_t slot;
    double weight;
    size_t content;          /* content words of the phrase (not function, not generic) */
} phrase_ctx;

static int
phrase_feature(void *arg, const char *f, size_t len)
{
    phrase_ctx *p = arg;
    int unigram = memchr(f, ' ', len) == NULL && f[0] != '*';

    return cs_word_table_add(p->t, f, len, p->slot,
                             unigram && p->content > 1 ? p->weight * PHRASE_WORD_SHARE
                                                       : p->weight);
}

/*
 * cs_title_phrase_add()
 *
 *      Input:  t (table)
 *              phrase (a title or vocabulary phrase, any case)
 *              slot, weight (as cs_word_table_add)
 *      Return: 0, or -1 (out of memory, table full)
 *
 *  Notes:
 *      (1) The bigrams get weight.  A phrase of one content word (not a
 *          function or generic word: "PATHOLOGY REPORT", "OP NOTE") gives
 *          that word weight too; in a phrase of several ("OFFICE VISIT",
 *          "HISTORY AND PHYSICAL") each gets PHRASE_WORD_SHARE of it, as
 *          the words alone say less than the phrase.  A "*SUFFIX" phrase
 *          is one feature.
 */
int
cs_title_phrase_add(cs_word_table *t, const char *phrase, uint32_t slot, double weight)
{
    phrase_ctx p = {t, slot, weight, 0};
    feature_set *fs = NULL;
    line_words lw;
    int rc;

    if (!t || !phrase)
        return -1;
    if (phrase[0] == '*')
        return cs_word_table_add(t, phrase, strlen(phrase), slot, weight);
    if ((fs = malloc(sizeof *fs)) == NULL)
        return -1;
    fs->n = 0;
    fs->fn = phrase_feature;
    fs->ctx = &p;
    split_words(phrase, strlen(phrase), &lw);
    repair_line(NULL, &lw, NULL);
    for (size_t i = 0; i < lw.n; i++)
        p.content += strlen(lw.w[i]) >= 2 && !IN(GENERIC_WORDS, lw.w[i]);
    rc = emit_line(fs, &lw, NULL);
    free(fs);
    return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/*                      learning from training examples               */
/* ------------------------------------------------------------------ */

typedef struct learn_ctx {
    cs_word_table *docs;     /* documents per word and label */
    uint32_t label;
    int oom;
} learn_ctx;

static int
learn_feature(void *arg, const char *f, size_t len)
{
    learn_ctx *l = arg;

    if (cs_word_table_add(l->docs, f, len, l->label, 1.0) < 0) {
        l->oom = 1;
        return -1;
    }
    return 0;
}

/*
 * cs_title_words_learn()
 *
 *      Input:  m (a trained model; its title_words are replaced)
 *              examples, n (what m was trained on)
 *      Return: 0 (also when no example has a title line: then
 *              m->title_words stays NULL), or -1 when out of memory
 *
 *  Notes:
 *      (1) The first page of an example is its text up to the first
 *          form feed (pipeline/ joins pages with "\n\f\n").
 *      (2) Weights: TRAIN_TITLE_WEIGHT per document, times the mean
 *          number of documents per label over the label's own, for words
 *          of at least TRAIN_MIN_DOCUMENTS documents (file comment).
 */
int
cs_title_words_learn(cs_classifier *m, const cs_labelled_text *examples, size_t n)
{
    learn_ctx l = {NULL, 0, 0};
    cs_word_table *out = NULL;
    double mean_docs = 0;
    int rc = -1;

    cs_word_table_free(&m->title_words);
    if ((l.docs = cs_word_table_new()) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        long label = cs_model_label_index(m, examples[i].label);
        if (label < 0)
            continue;
        l.label = (uint32_t)label;
        if (cs_title_page_words(examples[i].text, NULL, learn_feature, &l) < 0 && l.oom)
            goto out;
    }
    rc = 0;
    if (cs_word_table_count(l.docs) == 0)
        goto out;
    for (size_t c = 0; c < m->nlabels; c++)
        mean_docs += m->docs[c];
    mean_docs /= (double)m->nlabels;
    if ((out = cs_word_table_new()) == NULL) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < cs_word_table_count(l.docs); i++) {
        const cs_word_weight *w;
        size_t nw;
        const char *word = cs_word_table_entry(l.docs, i, &w, &nw);
        double total = 0;
        for (size_t j = 0; j < nw; j++)
            total += w[j].weight;
        if (total < TRAIN_MIN_DOCUMENTS)
            continue;
        for (size_t j = 0; j < nw; j++) {
            double weight = TRAIN_TITLE_WEIGHT * w[j].weight * mean_docs /
                            (double)m->docs[w[j].slot];
            if (cs_word_table_add(out, word, strlen(word), w[j].slot, weight) < 0) {
                rc = -1;
                goto out;
            }
        }
    }
    if (cs_word_table_count(out) > 0) {
        m->title_words = out;
        out = NULL;
    }
out:
    cs_word_table_free(&out);
    cs_word_table_free(&l.docs);
    return rc;
}

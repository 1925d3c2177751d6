/*
 * titles.c — the document type a page's printed title announces (its
 * exact wording, a pattern, or its words), and its combination with the
 * classifier's calibrated posterior.
 *
 * Interface routines:
 *   cs_titles_new, cs_titles_add, cs_titles_count, cs_titles_free
 *   cs_index_find_title     the exact title (or pattern) at the top of a first page
 *   cs_index_title_words    what the words of its title lines say
 *   cs_index_doctype        classifier posterior x title likelihood ratio
 *
 * The titles are data (table doctype, column titles, schema 007): each
 * document-type code has title lines ("DISCHARGE SUMMARY", "H&P", ...)
 * and may have patterns: a title ending in '*' ("Dear *", "Re: *")
 * matches a line that begins with the text before the '*' (case ignored,
 * ';' read as ':') and goes on with a letter.  Patterns describe the
 * openings of documents that print no title, such as letters.  Every
 * title's words also become title-word evidence for its code
 * (TAXONOMY_WEIGHT), beside the built-in vocabulary cs_titles_new loads
 * (title_words.c).
 *
 * Matching a printed title (OCR-tolerant):
 *   - lines are normalised: letters upper-cased, '&' read as AND, every
 *     other non-alphanumeric byte a word break, runs of breaks one blank,
 *     and inside a word holding letters the OCR digits 0 1 5 8 read as
 *     O I S B ("PR0GRESS NOTE");
 *   - only the first TITLE_LINES lines that hold a word (three letters in
 *     a row: the specks of a photocopy or a stamp's fragments make lines
 *     that do not count) are searched, since forms print stickers,
 *     running headers, fax lines and letterheads above the title; a line
 *     matches when the title's words occur in it as whole words with at
 *     most TITLE_EXTRA_WORDS other words ("HOSPITAL DISCHARGE SUMMARY"),
 *     and either the line is the title alone or most of its letters are
 *     capitals (a title is printed as one; a sentence is not);
 *   - the first line with a match wins, and in it the longest title.
 * Patterns are tried only when no title matched, over the first
 * PATTERN_LINES non-empty lines.
 *
 * Title words (cs_index_title_words), for titles never seen whole ("CT
 * ABDOMEN AND PELVIS WITH CONTRAST", "ER VISIT"): title_words.c finds
 * the title lines and their words; each word f has weights n(f, c),
 * pseudo-observations of f in titles of type c, from the vocabulary,
 * the taxonomy's titles and the model's training (title_words.c says how
 * much each is worth).  A naive Bayes over the words, with every type
 * equally likely beforehand, gives
 *      q(c) proportional to the product over f of (n(f, c) + WORD_SMOOTHING)
 * (P(f | c) taken proportional to P(c | f), the share of f's weight that
 * is c's, smoothed by WORD_SMOOTHING pseudo-observations per type: one
 * STRONG word, 100 of them, makes its type 100 times likelier than a type
 * that never had it; a WEAK one, 3, four times).  Words no source knows
 * give every type the same factor and change nothing.
 *
 * Combining (cs_index_doctype), Bayes' rule with the title as evidence:
 *   1. the classifier's posterior p(c | text), calibrated on clean
 *      transcriptions, is mixed with the uniform distribution,
 *      p' = (1 - DOMAIN_SHIFT) p + DOMAIN_SHIFT / L, because scanned OCR
 *      text differs from what it was calibrated on and its 0.999s are
 *      not earned there;
 *   2. a printed title for type T multiplies p'(T) by the likelihood
 *      ratio P(title says T | type T) / P(title says T | another type)
 *      = TITLE_HIT / TITLE_FALSE = 300 (a printed title is the author's
 *      own statement of the type; it is wrong only when a site's taxonomy
 *      disagrees with its forms or OCR turns one title into another);
 *      a pattern for T multiplies it by PATTERN_HIT / PATTERN_FALSE
 *      (other documents open with "Dear Dr." far more often than they
 *      print another type's title), and two different patterns of T
 *      (a subject line and a salutation: the letter form) by
 *      PATTERNS_HIT / PATTERNS_FALSE = 1500 (letters' bodies read like
 *      the notes they report on, so the body classifier rarely favours
 *      them; the form is the evidence);
 *   3. when no exact title matched, the title words are evidence too,
 *      weighed as soft ("virtual") evidence: they point to type T with
 *      probability q(T), and words pointing to T are seen with
 *      probability TITLE_WORDS_HIT in a document of type T and
 *      TITLE_WORDS_FALSE in one of another type, so type c's likelihood is
 *          TITLE_WORDS_FALSE + (TITLE_WORDS_HIT - TITLE_WORDS_FALSE) q(c).
 *      Words split between types ("SURGICAL PATHOLOGY", "Operative
 *      Summary": q spread) multiply T's odds by far less than the 0.85 /
 *      0.0085 = 100 of words certain of T, since words in an unknown
 *      arrangement mislead more often than a title the site prints.  But
 *      words that name one type unambiguously (q(T) >= TITLE_WORDS_SURE:
 *      a word such as EMERGENCY, ER, CT, OPERATIVE, and nothing pointing
 *      elsewhere) are a printed title of T in other words, and weigh as
 *      one (300): on the tuning half of make eval's families, emergency
 *      records titled "ED PROVIDER NOTE" or "EMERGENCY PHYSICIAN RECORD"
 *      stayed in review at 0.85-0.87 because their bodies read like
 *      histories (the transcriptions' ED label is noisy), which the soft
 *      weight (about 47 for one such word, after smoothing) could not
 *      overcome, while an exact title would have.  An
 *      exact title found is not weighed a second time through its words;
 *      a pattern and title words (a letter headed "CORRESPONDENCE") both
 *      count, from different lines;
 *   4. the products are normalised: the result is a posterior over the
 *      model's labels.  No title observed changes nothing (its
 *      likelihood is taken as equal for every type).
 */
#include "indexer/text.h"
#include "indexer/model.h"
#include "common/common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_LINES        10    /* lines with a word searched for a title */
#define PATTERN_LINES      25    /* ... for a pattern (a letter's opening) */
#define TITLE_EXTRA_WORDS  2     /* other words a title line may hold */
#define TITLE_CAPS_SHARE   0.7   /* share of capitals in a non-exact title line */
#define LINE_MAX_BYTES     160   /* longer lines are not titles */

#define DOMAIN_SHIFT       0.05
#define TITLE_HIT          0.90  /* P(title says T | type T) */
#define TITLE_FALSE        0.003 /* P(title says T | another type) */
#define PATTERN_HIT        0.80  /* P(opening pattern of T | type T) */
#define PATTERN_FALSE      0.02  /* P(opening pattern of T | another type) */
#define PATTERNS_HIT       0.75  /* P(two patterns of T, "Re:" and "Dear" | type T) */
#define PATTERNS_FALSE     0.0005 /* P(two patterns of T | another type): reports,
                                    notes and forms carry no salutation; the
                                    consultation written as a letter is the
                                    case, and a subject line with a salutation
                                    is the letter form whatever its body says */

#define TAXONOMY_WEIGHT    20.0   /* a taxonomy title's words: as a MEDIUM vocabulary word */
#define WORD_SMOOTHING     1.0    /* pseudo-observation of every word in every type */
#define TITLE_WORDS_HIT    0.85   /* P(title words point to T | type T) */
#define TITLE_WORDS_FALSE  0.0085 /* P(title words point to T | another type) */
#define TITLE_WORDS_NAME   0.5    /* q at which the words name a type (title_code) */
#define TITLE_WORDS_SURE   0.9    /* q at which the words are the type's title */

#define MAX_TITLES 4096
#define MAX_CODES  CS_MAX_LABELS

typedef struct title_entry {
    char *code;
    char *norm;        /* normalised title, or the raw prefix of a pattern */
    size_t words;      /* words in norm (titles) */
    int pattern;
} title_entry;

struct cs_titles {
    title_entry *v;
    size_t n, cap;
    char *codes[MAX_CODES];     /* the codes words are weighed for: the slots */
    size_t ncodes;
    cs_word_table *words;       /* taxonomy titles' and vocabulary's words */
};

/* The slot of code in t->codes, added when new; -1 when full or out of memory. */
static long
code_slot(cs_titles *t, const char *code)
{
    for (size_t i = 0; i < t->ncodes; i++)
        if (strcmp(t->codes[i], code) == 0)
            return (long)i;
    if (t->ncodes == MAX_CODES || (t->codes[t->ncodes] = strdup(code)) == NULL)
        return -1;
    return (long)t->ncodes++;
}

/*
 * cs_titles_new()
 *
 *      Input:  out (out: an empty title list holding the built-in title
 *                   vocabulary of the default types)
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 with a message (out of memory)
 */
int
cs_titles_new(cs_titles **out, char *err, size_t errlen)
{
    cs_titles *t;
    const char *phrase, *code;
    double weight;

    if (!out)
        return cs_fail(err, errlen, "no titles handle to fill");
    if ((*out = t = calloc(1, sizeof *t)) == NULL || (t->words = cs_word_table_new()) == NULL)
        goto nomem;
    for (size_t i = 0; (phrase = cs_title_vocabulary(i, &code, &weight)) != NULL; i++) {
        long slot = code_slot(t, code);
        if (slot < 0 || cs_title_phrase_add(t->words, phrase, (uint32_t)slot, weight) < 0)
            goto nomem;
    }
    return 0;
nomem:
    cs_titles_free(out);
    return cs_fail(err, errlen, "out of memory");
}

void
cs_titles_free(cs_titles **pt)
{
    cs_titles *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].code);
        free(t->v[i].norm);
    }
    for (size_t i = 0; i < t->ncodes; i++)
        free(t->codes[i]);
    cs_word_table_free(&t->words);
    free(t->v);
    free(t);
    *pt = NULL;
}

size_t
cs_titles_count(const cs_titles *t)
{
    return t ? t->n : 0;
}

/*
 * Normalise s[0..len) into out (cap bytes): upper case, '&' -> AND, other
 * punctuation a break, single blanks, OCR digits in lettered words read as
 * letters.  Returns the word count; counts letters and capitals seen.
 */
static size_t
normalise(const char *s, size_t len, char *out, size_t cap, size_t *letters, size_t *capitals)
{
    size_t o = 0, words = 0, i = 0;

    if (letters)
        *letters = 0;
    if (capitals)
        *capitals = 0;
    while (i < len) {
        size_t st, e, k;
        int has_letter = 0;
        unsigned char c = (unsigned char)s[i];

        if (c == '&') {
            st = i + 1;
            if (o + 5 >= cap)
                break;
            if (o)
                out[o++] = ' ';
            memcpy(out + o, "AND", 3);
            o += 3;
            words++;
            i = st;
            continue;
        }
        if (!cs_is_alnum(c)) {
            i++;
            continue;
        }
        for (e = i; e < len && cs_is_alnum((unsigned char)s[e]); e++)
            has_letter |= cs_is_alpha((unsigned char)s[e]);
        if (o + (e - i) + 2 >= cap)
            break;
        if (o)
            out[o++] = ' ';
        for (k = i; k < e; k++) {
            int ch = (unsigned char)s[k];
            if (cs_is_alpha(ch)) {
                if (letters)
                    (*letters)++;
                if (capitals && cs_is_upper(ch))
                    (*capitals)++;
            }
            if (has_letter && cs_ocr_letter(ch))
                ch = cs_ocr_letter(ch);
            out[o++] = (char)cs_upper(ch);
        }
        words++;
        i = e;
    }
    out[o] = '\0';
    return words;
}

/*
 * cs_titles_add()
 *
 *      Input:  t (titles handle)
 *              code (document-type code)
 *              title (a title line, or a pattern ending in '*')
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 with a message (NULL argument, a title with no
 *              letters, too many titles or codes, out of memory)
 *
 *  Notes:
 *      (1) A title's words also become title-word evidence for code
 *          (TAXONOMY_WEIGHT; title_words.c), so that its wording counts
 *          in titles it is not printed in whole.
 */
int
cs_titles_add(cs_titles *t, const char *code, const char *title, char *err, size_t errlen)
{
    title_entry e = {NULL, NULL, 0, 0};
    size_t len, letters;
    char buf[LINE_MAX_BYTES + 8];

    if (!t || !code || !title || !*code)
        return cs_fail(err, errlen, "no title to add");
    len = strlen(title);
    while (len > 0 && title[len - 1] == ' ')
        len--;
    if (len > LINE_MAX_BYTES)
        return cs_fail(err, errlen, "title of \"%s\" is longer than %d bytes", code,
                       LINE_MAX_BYTES);
    if (len > 0 && title[len - 1] == '*') {
        size_t st = 0;
        e.pattern = 1;
        len--;
        while (st < len && title[st] == ' ')
            st++;
        while (len > st && title[len - 1] == ' ')
            len--;
        if (len == st || !cs_is_alpha((unsigned char)title[st]))
            return cs_fail(err, errlen, "pattern of \"%s\" does not start with a letter", code);
        e.norm = malloc(len - st + 1);
        if (e.norm) {
            memcpy(e.norm, title + st, len - st);
            e.norm[len - st] = '\0';
        }
    } else {
        long slot;
        e.words = normalise(title, len, buf, sizeof buf, &letters, NULL);
        if (letters == 0)
            return cs_fail(err, errlen, "title of \"%s\" has no letters", code);
        if ((slot = code_slot(t, code)) < 0)
            return cs_fail(err, errlen, "too many document-type codes (at most %d)", MAX_CODES);
        if (cs_title_phrase_add(t->words, title, (uint32_t)slot, TAXONOMY_WEIGHT) < 0)
            return cs_fail(err, errlen, "out of memory");
        e.norm = strdup(buf);
    }
    e.code = strdup(code);
    if (!e.norm || !e.code)
        goto nomem;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 32;
        title_entry *v;
        if (cap > MAX_TITLES)
            cap = MAX_TITLES;
        if (t->n == cap) {
            free(e.code);
            free(e.norm);
            return cs_fail(err, errlen, "more than %d titles", MAX_TITLES);
        }
        v = realloc(t->v, cap * sizeof *v);
        if (!v)
            goto nomem;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = e;
    return 0;
nomem:
    free(e.code);
    free(e.norm);
    return cs_fail(err, errlen, "out of memory");
}

/* Does the normalised title (words) occur in line as whole words? */
static int
contains_words(const char *line, const char *title)
{
    size_t n = strlen(title);

    for (const char *p = line; (p = strstr(p, title)) != NULL; p++)
        if ((p == line || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return 1;
    return 0;
}

/* Does the raw line begin with the pattern's prefix and go on with a letter? */
static int
pattern_matches(const char *line, size_t len, const char *prefix)
{
    size_t i = 0, k = 0;

    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    for (; prefix[k]; k++, i++) {
        int a, b = (unsigned char)prefix[k];
        if (i >= len)
            return 0;
        a = (unsigned char)line[i];
        if (b == ':' && a == ';')
            continue;
        if (b == ' ') {
            if (a != ' ' && a != '\t')
                return 0;
            while (i + 1 < len && (line[i + 1] == ' ' || line[i + 1] == '\t'))
                i++;
            continue;
        }
        if (cs_lower(a) != cs_lower(b))
            return 0;
    }
    /* a word ends here (unless the prefix ended in a break) */
    if (cs_is_alpha((unsigned char)prefix[k - 1]) && i < len && cs_is_alpha((unsigned char)line[i]))
        return 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    return i < len && cs_is_alpha((unsigned char)line[i]);
}

/*
 * cs_index_find_title()
 *
 *      Input:  t (titles; NULL finds nothing)
 *              text (the first page's OCR text; NULL finds nothing)
 *              pattern (out: how many different patterns of the code
 *                       matched, 0 for a printed title; use NULL to skip)
 *      Return: the document-type code (owned by t), or NULL when none
 *
 *  Notes:
 *      (1) See the file comment for the matching rules.
 */
const char *
cs_index_find_title(const cs_titles *t, const char *text, int *pattern)
{
    const char *s = text, *found = NULL;
    const title_entry *seen[2] = {NULL, NULL};
    int nonempty = 0;

    if (pattern)
        *pattern = 0;
    if (!t || !text)
        return NULL;
    while (*s && nonempty < TITLE_LINES) {
        const char *end = strchr(s, '\n');
        char norm[LINE_MAX_BYTES + 8];
        size_t len, words, letters, capitals, best_words = 0;
        const char *best = NULL;

        if (!end)
            end = s + strlen(s);
        len = (size_t)(end - s);
        words = len <= LINE_MAX_BYTES ?
                normalise(s, len, norm, sizeof norm, &letters, &capitals) : 0;
        if (cs_has_word(s, len))
            nonempty++;
        s = *end ? end + 1 : end;
        if (words == 0)
            continue;
        for (size_t i = 0; i < t->n; i++) {
            const title_entry *e = &t->v[i];
            if (e->pattern || e->words > words || words - e->words > TITLE_EXTRA_WORDS ||
                e->words <= best_words || !contains_words(norm, e->norm))
                continue;
            if (words != e->words && capitals < TITLE_CAPS_SHARE * (double)letters)
                continue;
            best = e->code;
            best_words = e->words;
        }
        if (best)
            return best;
    }

    s = text;
    nonempty = 0;
    while (*s && nonempty < PATTERN_LINES) {
        const char *end = strchr(s, '\n'), *line = s;
        size_t len;

        if (!end)
            end = s + strlen(s);
        len = (size_t)(end - s);
        s = *end ? end + 1 : end;
        {
            size_t i = 0;
            while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
                i++;
            if (i == len)
                continue;
        }
        nonempty++;
        for (size_t i = 0; i < t->n; i++) {
            const title_entry *e = &t->v[i];
            if (!e->pattern || (found && strcmp(found, e->code) != 0) || e == seen[0] ||
                !pattern_matches(line, len, e->norm))
                continue;
            found = e->code;       /* the first code whose pattern matched */
            if (!seen[0])
                seen[0] = e;
            else
                seen[1] = e;
            break;
        }
        if (seen[1])
            break;
    }
    if (pattern && found)
        *pattern = seen[1] ? 2 : 1;
    return found;
}

/* ------------------------------------------------------------------ */
/*                        title-word evidence                         */
/* ------------------------------------------------------------------ */

typedef struct posterior_ctx {
    const cs_titles *t;
    const cs_word_table *learned;   /* the model's title words, slots = labels; or NULL */
    const long *code_label;         /* t's slot -> label index, or -1 */
    size_t L;
    double *logq;                   /* [L] */
    int informative;                /* features with weight for some label */
} posterior_ctx;

static int
posterior_feature(void *arg, const char *f, size_t len)
{
    posterior_ctx *p = arg;
    double n[CS_MAX_LABELS] = {0}, total = 0;
    const cs_word_weight *w;
    size_t nw, c;
    long k;

    if (p->t && (k = cs_word_table_find(p->t->words, f, len)) >= 0) {
        cs_word_table_entry(p->t->words, (size_t)k, &w, &nw);
        for (size_t j = 0; j < nw; j++)
            if (p->code_label[w[j].slot] >= 0)
                n[p->code_label[w[j].slot]] += w[j].weight;
    }
    if (p->learned && (k = cs_word_table_find(p->learned, f, len)) >= 0) {
        cs_word_table_entry(p->learned, (size_t)k, &w, &nw);
        for (size_t j = 0; j < nw; j++)
            if (w[j].slot < p->L)
                n[w[j].slot] += w[j].weight;
    }
    for (c = 0; c < p->L; c++)
        total += n[c];
    if (total <= 0)
        return 0;                   /* the same for every label: no evidence */
    p->informative++;
    for (c = 0; c < p->L; c++)
        p->logq[c] += log(n[c] + WORD_SMOOTHING);
    return 0;
}

/* A line a pattern opens ("Dear *") is weighed as a pattern, not as title words. */
static int
pattern_line(const void *arg, const char *line, size_t len)
{
    const cs_titles *t = arg;

    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].pattern && pattern_matches(line, len, t->v[i].norm))
            return 1;
    return 0;
}

/*
 * The title-word posterior q over the labels (the model's when m is
 * given, else t's codes): q[c] proportional to the product over the
 * page's title features f of (n(f, c) + WORD_SMOOTHING), n the weights
 * of t and of the model's learned title words.  Returns the number of
 * informative features; 0 leaves q uniform.
 */
static int
title_word_posterior(const cs_titles *t, const cs_classifier *m, const char *page,
                     size_t L, double *q)
{
    long code_label[MAX_CODES];
    posterior_ctx p = {t, m ? m->title_words : NULL, code_label, L, q, 0};
    cs_title_scan scan = {{t ? t->words : NULL, p.learned}, t ? pattern_line : NULL, t};
    double best = -INFINITY, sum = 0;
    size_t c;

    for (c = 0; c < L; c++)
        q[c] = 0;
    if (t)
        for (size_t i = 0; i < t->ncodes; i++)
            code_label[i] = m ? cs_model_label_index(m, t->codes[i]) : (long)i;
    if (page && (t || p.learned))
        cs_title_page_words(page, &scan, posterior_feature, &p);
    for (c = 0; c < L; c++)
        if (q[c] > best)
            best = q[c];
    for (c = 0; c < L; c++) {
        q[c] = exp(q[c] - best);
        sum += q[c];
    }
    for (c = 0; c < L; c++)
        q[c] /= sum;
    return p.informative;
}

/* Sort predictions by descending confidence; stable, so ties keep their order. */
static void
sort_predictions(cs_prediction *v, int n)
{
    for (int i = 1; i < n; i++) {
        cs_prediction x = v[i];
        int j = i;
        while (j > 0 && v[j - 1].confidence < x.confidence) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/*
 * cs_index_title_words()
 *
 *      Input:  t (titles: taxonomy and vocabulary words; may be NULL)
 *              m (the model: its labels and learned title words; NULL:
 *                 t's codes, t's words only)
 *              first_page (the document's first page; NULL: nothing)
 *              top (out: k types, best first, with the title-word
 *                   posterior as confidence)
 *              k (>= 1)
 *      Return: the number written, 0 when the title lines hold no word
 *              either source knows (or t and m are both NULL, k < 1)
 */
int
cs_index_title_words(const cs_titles *t, const cs_classifier *m, const char *first_page,
                     cs_prediction *top, int k)
{
    double q[CS_MAX_LABELS];
    cs_prediction all[CS_MAX_LABELS];
    size_t L = m ? cs_classifier_label_count(m) : t ? t->ncodes : 0;

    if (!top || k < 1 || L == 0 || title_word_posterior(t, m, first_page, L, q) == 0)
        return 0;
    for (size_t c = 0; c < L; c++) {
        all[c].label = m ? cs_classifier_label(m, c) : t->codes[c];
        all[c].confidence = q[c];
    }
    sort_predictions(all, (int)L);
    if ((size_t)k > L)
        k = (int)L;
    memcpy(top, all, (size_t)k * sizeof *top);
    return k;
}

/*
 * cs_index_doctype()
 *
 *      Input:  m (the classifier; NULL gives 0)
 *              t (titles; NULL: no printed titles, patterns or vocabulary;
 *                 the model's own title words still count)
 *              first_page (text of the document's first page; NULL: no
 *                          title)
 *              text (the whole document's text)
 *              top (out: k predictions, best first)
 *              k (>= 1)
 *              title_code (out: the type the title, a pattern or the
 *                          title words named, owned by t or m, or NULL;
 *                          use NULL to skip)
 *      Return: number of predictions written (min(k, labels)), 0 for a
 *              NULL model, no labels or k < 1
 *
 *  Notes:
 *      (1) See the file comment: posterior x likelihood ratios, normalised.
 *          Confidences over all labels sum to 1.
 *      (2) A title naming a code the model does not know is ignored; so
 *          are title words that only point to such codes.
 */
int
cs_index_doctype(const cs_classifier *m, const cs_titles *t, const char *first_page,
                 const char *text, cs_prediction *top, int k, const char **title_code)
{
    cs_prediction all[CS_MAX_LABELS];
    double q[CS_MAX_LABELS];
    const char *code = NULL;
    int pattern = 0, n, i, words = 0;
    long sure = -1;
    size_t L;
    double sum = 0;

    if (title_code)
        *title_code = NULL;
    if (!m || !top || k < 1 || (L = cs_classifier_label_count(m)) == 0)
        return 0;
    n = cs_classifier_predict(m, text ? text : "", all, (int)L);
    code = cs_index_find_title(t, first_page, &pattern);
    if (!code || pattern)
        words = title_word_posterior(t, m, first_page, L, q);
    if (title_code) {
        *title_code = code;
        if (!code && words) {
            size_t best = 0;
            for (size_t c = 1; c < L; c++)
                if (q[c] > q[best])
                    best = c;
            if (q[best] >= TITLE_WORDS_NAME)
                *title_code = cs_classifier_label(m, best);
        }
    }
    if (words && !code) {
        for (size_t c = 0; c < L; c++)
            if (q[c] >= TITLE_WORDS_SURE)
                sure = (long)c;
    }
    for (i = 0; i < n; i++) {
        int match = code && strcmp(all[i].label, code) == 0;
        all[i].confidence = (1 - DOMAIN_SHIFT) * all[i].confidence + DOMAIN_SHIFT / (double)n;
        if (match && pattern == 0)
            all[i].confidence *= TITLE_HIT / TITLE_FALSE;
        if (match && pattern)
            all[i].confidence *= pattern >= 2 ? PATTERNS_HIT / PATTERNS_FALSE
                                              : PATTERN_HIT / PATTERN_FALSE;
        if (words && sure >= 0) {
            /* words that name one type unambiguously are its title */
            if ((long)cs_model_label_index(m, all[i].label) == sure)
                all[i].confidence *= TITLE_HIT / TITLE_FALSE;
        } else if (words) {
            long c = cs_model_label_index(m, all[i].label);
            all[i].confidence *= TITLE_WORDS_FALSE + (TITLE_WORDS_HIT - TITLE_WORDS_FALSE) * q[c];
        }
        sum += all[i].confidence;
    }
    for (i = 0; i < n; i++)
        all[i].confidence /= sum;
    sort_predictions(all, n);
    if (k > n)
        k = n;
    memcpy(top, all, (size_t)k * sizeof *top);
    return k;
}

/*
 * titles.c — the document type a page's printed title announces, and its
 * combination with the classifier's calibrated posterior.
 *
 * Interface routines:
 *   cs_titles_new, cs_titles_add, cs_titles_count, cs_titles_free
 *   cs_index_find_title     the title at the top of a first page
 *   cs_index_doctype        classifier posterior x title likelihood ratio
 *
 * The titles are data (table doctype, column titles, schema 007): each
 * document-type code has title lines ("DISCHARGE SUMMARY", "H&P", ...)
 * and may have patterns: a title ending in '*' ("Dear *", "Re: *")
 * matches a line that begins with the text before the '*' (case ignored,
 * ';' read as ':') and goes on with a letter.  Patterns describe the
 * openings of documents that print no title, such as letters.
 *
 * Matching a printed title (OCR-tolerant):
 *   - lines are normalised: letters upper-cased, '&' read as AND, every
 *     other non-alphanumeric byte a word break, runs of breaks one blank,
 *     and inside a word holding letters the OCR digits 0 1 5 8 read as
 *     O I S B ("PR0GRESS NOTE");
 *   - only the first TITLE_LINES non-empty lines are searched, and a line
 *     matches when the title's words occur in it as whole words with at
 *     most TITLE_EXTRA_WORDS other words ("HOSPITAL DISCHARGE SUMMARY"),
 *     and either the line is the title alone or most of its letters are
 *     capitals (a title is printed as one; a sentence is not);
 *   - the first line with a match wins, and in it the longest title.
 * Patterns are tried only when no title matched, over the first
 * PATTERN_LINES non-empty lines.
 *
 * Combining (cs_index_doctype), Bayes' rule with the title as evidence:
 *   1. the classifier's posterior p(c | text), calibrated on clean
 *      transcriptions, is mixed with the uniform distribution,
 *      p' = (1 - DOMAIN_SHIFT) p + DOMAIN_SHIFT / L, because scanned OCR
 *      text differs from what it was calibrated on and its 0.999s are
 *      not earned there;
 *   2. a printed title for type T multiplies p'(T) by the likelihood
 *      ratio P(title says T | type T) / P(title says T | another type)
 *      = TITLE_HIT / TITLE_FALSE (a printed title is the author's own
 *      statement of the type; it is wrong only when a site's taxonomy
 *      disagrees with its forms or OCR turns one title into another);
 *      a pattern for T multiplies it by PATTERN_HIT / PATTERN_FALSE
 *      (other documents open with "Dear Dr." far more often than they
 *      print another type's title), and two different patterns of T
 *      (a subject line and a salutation: the letter form) by
 *      PATTERNS_HIT / PATTERNS_FALSE;
 *   3. the products are normalised: the result is a posterior over the
 *      model's labels.  No title observed changes nothing (its
 *      likelihood is taken as equal for every type).
 */
#include "indexer/text.h"
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_LINES        6     /* non-empty lines searched for a title */
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
#define PATTERNS_FALSE     0.002 /* P(two patterns of T | another type) */

#define MAX_TITLES 4096

typedef struct title_entry {
    char *code;
    char *norm;        /* normalised title, or the raw prefix of a pattern */
    size_t words;      /* words in norm (titles) */
    int pattern;
} title_entry;

struct cs_titles {
    title_entry *v;
    size_t n, cap;
};

int
cs_titles_new(cs_titles **out, char *err, size_t errlen)
{
    if (!out)
        return cs_fail(err, errlen, "no titles handle to fill");
    *out = calloc(1, sizeof **out);
    return *out ? 0 : cs_fail(err, errlen, "out of memory");
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
 *              letters, too many titles, out of memory)
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
        e.words = normalise(title, len, buf, sizeof buf, &letters, NULL);
        if (letters == 0)
            return cs_fail(err, errlen, "title of \"%s\" has no letters", code);
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
        s = *end ? end + 1 : end;
        if (words == 0)
            continue;
        nonempty++;
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

/*
 * cs_index_doctype()
 *
 *      Input:  m (the classifier; NULL gives 0)
 *              t (titles; NULL: the classifier alone, still mixed for
 *                 domain shift)
 *              first_page (text of the document's first page; NULL: no
 *                          title)
 *              text (the whole document's text)
 *              top (out: k predictions, best first)
 *              k (>= 1)
 *              title_code (out: the type the title or pattern named, owned
 *                          by t, or NULL; use NULL to skip)
 *      Return: number of predictions written (min(k, labels)), 0 for a
 *              NULL model, no labels or k < 1
 *
 *  Notes:
 *      (1) See the file comment: posterior x likelihood ratio, normalised.
 *          Confidences over all labels sum to 1.
 *      (2) A title naming a code the model does not know is ignored.
 */
int
cs_index_doctype(const cs_classifier *m, const cs_titles *t, const char *first_page,
                 const char *text, cs_prediction *top, int k, const char **title_code)
{
    cs_prediction *all = NULL;
    const char *code = NULL;
    int pattern = 0, n, i;
    size_t L;
    double sum = 0;

    if (title_code)
        *title_code = NULL;
    if (!m || !top || k < 1 || (L = cs_classifier_label_count(m)) == 0)
        return 0;
    all = malloc(L * sizeof *all);
    if (!all)
        return cs_classifier_predict(m, text, top, k);   /* degrade, do not fail */
    n = cs_classifier_predict(m, text ? text : "", all, (int)L);
    code = cs_index_find_title(t, first_page, &pattern);
    if (title_code)
        *title_code = code;
    for (i = 0; i < n; i++) {
        all[i].confidence = (1 - DOMAIN_SHIFT) * all[i].confidence + DOMAIN_SHIFT / (double)n;
        if (code && strcmp(all[i].label, code) == 0)
            all[i].confidence *= pattern >= 2 ? PATTERNS_HIT / PATTERNS_FALSE :
                                 pattern == 1 ? PATTERN_HIT / PATTERN_FALSE :
                                                TITLE_HIT / TITLE_FALSE;
        sum += all[i].confidence;
    }
    for (i = 0; i < n; i++)
        all[i].confidence /= sum;
    /* insertion sort, stable: ties keep the classifier's order */
    for (i = 1; i < n; i++) {
        cs_prediction x = all[i];
        int j = i;
        while (j > 0 && all[j - 1].confidence < x.confidence) {
            all[j] = all[j - 1];
            j--;
        }
        all[j] = x;
    }
    if (k > n)
        k = n;
    memcpy(top, all, (size_t)k * sizeof *top);
    free(all);
    return k;
}

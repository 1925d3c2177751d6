/*
 * evidence.c — a document's identifier evidence: its first pages broken
 * into lines, words with their boxes, name tokens, MRN-like numbers and
 * date-like groups, each line marked with the zone it lies in.  Built
 * once per document; verify.c then asks it about each roster candidate.
 *
 * Interface routines:
 *   cs_evidence_new, cs_evidence_free
 *   cs_evidence_mrns       MRN-like tokens for the roster lookup
 *   cs_evidence_dates      dates of the identifier zones, for the roster lookup
 * Internal (evidence.h):
 *   cs_ev_fold_name        the folded form names are compared in
 *
 * Why not parse fields?  Real charts come in hundreds of layouts: dot
 * leaders that OCR reads as noise, labels under their values, stickers,
 * tables, names in any order and case.  Extraction by labels will always
 * miss some.  Verification turns the question round: a roster candidate
 * (from any MRN-like token) brings its own identifiers, and the page is
 * searched for them, whatever surrounds them.  What this file keeps is
 * layout-free: words, their order, their boxes.
 *
 * Pages and zones:
 *   - the first EV_PAGES non-blank pages of the document are indexed;
 *   - with word boxes, words are put in (block, line, x) order and a
 *     line's vertical centre decides its zone: the header zone is the
 *     top HEADER_SHARE of the first page and the top BAND_SHARE of later
 *     pages, the footer zone the bottom BAND_SHARE of every page;
 *   - without word boxes (text only), lines are text lines and the same
 *     shares are taken of the line count (at least HEADER_MIN_LINES of
 *     the first page, BAND_MIN_LINES of the bands).
 * Names and birth dates are searched only in the zones and near the
 * candidate's MRN (verify.c): a name quoted in a letter's body or an
 * operative note cannot vouch for a patient.  MRN-like numbers are taken
 * from every line of the indexed pages.
 *
 * Tokens:
 *   - name tokens are the runs of letters of a word, upper case, with
 *     apostrophes inside a run dropped (O'BRIEN is OBRIEN), a hyphen
 *     ending a run (SMITH-JONES gives SMITH and JONES; verify.c joins
 *     neighbouring tokens), OCR digits read as letters inside a run
 *     ("J0HN") and L folded into I (Tesseract confuses l, I and |);
 *   - numbers are runs of letters and digits of 6 to 12 characters that
 *     are mostly digits, OCR letters repaired ("48Z13377"), the digit tail
 *     of a run glued to its label ("MRN48213377"), and groups joined
 *     ("4821 3377", "4821-3377") when each has 3 to 5 digits;
 *   - date groups are three numbers with one separator (/ - .) used
 *     twice, a month-name date the date parser reads, or a bare run of 6
 *     or 8 digits; verify.c decides which readings a given birth date may
 *     take (MDY, YMD, DMY when the day is over 12, two-digit years).
 *
 * Bounds: at most EV_PAGES pages, MAX_WORDS words and MAX_NUMBERS /
 * MAX_DATES tokens are kept; the rest of a pathological page is ignored
 * (the document then simply verifies less).  Nothing here logs: all of
 * it is patient data.
 */
#include "indexer/evidence.h"
#include "common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EV_PAGES          3
#define HEADER_SHARE      0.40
#define BAND_SHARE        0.15
#define HEADER_MIN_LINES  8
#define BAND_MIN_LINES    3
#define MAX_WORDS         20000
#define MAX_NUMBERS       512
#define MAX_DATES         512
#define NUMBER_MIN        6
#define NUMBER_MAX        12
#define GROUP_MIN         3
#define GROUP_MAX         5
#define DATE_FIXES_MAX    2

/* ---------------------------------------------------------------- */
/*                          growing arrays                          */
/* ---------------------------------------------------------------- */

static int
grow(void **v, size_t *cap, size_t need, size_t size)
{
    size_t n;
    void *p;

    if (need <= *cap)
        return 0;
    n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    if ((p = realloc(*v, n * size)) == NULL)
        return -1;
    *v = p;
    *cap = n;
    return 0;
}

typedef struct builder {
    cs_evidence *e;
    size_t cap_lines, cap_words, cap_tokens, cap_numbers, cap_dates, cap_strings;
} builder;

static int
add_string(builder *b, const char *s, size_t len, size_t *off)
{
    cs_evidence *e = b->e;

    if (grow((void **)&e->strings, &b->cap_strings, e->strings_len + len + 1, 1) < 0)
        return -1;
    memcpy(e->strings + e->strings_len, s, len);
    e->strings[e->strings_len + len] = '\0';
    *off = e->strings_len;
    e->strings_len += len + 1;
    return 0;
}

/* ---------------------------------------------------------------- */
/*                               names                              */
/* ---------------------------------------------------------------- */

static int
is_apostrophe(const unsigned char *s)
{
    return *s == '\'' || *s == '`' || (s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x99);
}

static int
fold_letter(int c)
{
    c = cs_upper(c);
    return c == 'L' ? 'I' : c;
}

/*
 * cs_ev_fold_name()
 *
 *      Input:  s (a name as the roster holds it; NULL reads as empty)
 *              out, cap (out: its letters, upper case, L as I)
 *      Return: the length written
 *
 *  Notes:
 *      (1) Roster names are clean: only letters are kept ("Van Dyke",
 *          "O'Brien" and "Smith-Jones" become VANDYKE, OBRIEN and
 *          SMITHJONES); page tokens are folded the same way when built.
 */
size_t
cs_ev_fold_name(const char *s, char *out, size_t cap)
{
    size_t n = 0;

    if (cap == 0)
        return 0;
    for (; s && *s && n + 1 < cap; s++)
        if (cs_is_alpha((unsigned char)*s))
            out[n++] = (char)fold_letter((unsigned char)*s);
    out[n] = '\0';
    return n;
}

/* Name tokens of word w (its text is s[0..len)). */
static int
add_tokens(builder *b, size_t w, const char *s, size_t len)
{
    cs_evidence *e = b->e;
    size_t i = 0;

    while (i < len) {
        ev_token t;
        int letters = 0;

        t.len = 0;
        t.word = w;
        for (; i < len; i++) {
            const unsigned char *u = (const unsigned char *)s + i;
            int next_alpha = i + 1 < len && cs_is_alpha(u[1]);
            if (cs_is_alpha(*u)) {
                if (t.len + 1 < sizeof t.s)
                    t.s[t.len++] = (char)fold_letter(*u);
                letters++;
            } else if ((cs_ocr_letter(*u) || *u == '|') && (letters || next_alpha)) {
                if (t.len + 1 < sizeof t.s)
                    t.s[t.len++] = (char)fold_letter(*u == '|' ? 'I' : cs_ocr_letter(*u));
            } else if (letters && is_apostrophe(u) && i + 1 < len) {
                if (*u == 0xE2)
                    i += 2;
                if (i + 1 >= len || !cs_is_alpha((unsigned char)s[i + 1]))
                    break;
            } else {
                break;
            }
        }
        if (letters) {
            t.s[t.len] = '\0';
            if (grow((void **)&e->tokens, &b->cap_tokens, e->ntokens + 1, sizeof t) < 0)
                return -1;
            e->tokens[e->ntokens++] = t;
        }
        if (!letters || t.len == 0)
            i++;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/*                              numbers                             */
/* ---------------------------------------------------------------- */

/* The word of line l that holds byte off of the line's string. */
static size_t
word_at(const cs_evidence *e, const ev_line *l, size_t off)
{
    size_t k = l->first_word, end = l->first_word + l->nwords;

    while (k + 1 < end && e->words[k + 1].off <= off)
        k++;
    return k;
}

static int
add_number(builder *b, const ev_line *l, const char *digits, size_t len, size_t from, size_t to)
{
    cs_evidence *e = b->e;
    ev_number *n;

    if (len < NUMBER_MIN || len > NUMBER_MAX || e->nnumbers >= MAX_NUMBERS)
        return 0;
    if (grow((void **)&e->numbers, &b->cap_numbers, e->nnumbers + 1, sizeof *n) < 0)
        return -1;
    n = &e->numbers[e->nnumbers++];
    memcpy(n->s, digits, len);
    n->s[len] = '\0';
    n->word_first = word_at(e, l, from);
    n->word_last = word_at(e, l, to ? to - 1 : 0);
    return 0;
}

/* Length of the run of digits at s. */
static size_t
digit_run(const char *s)
{
    size_t n = 0;

    while (cs_is_digit((unsigned char)s[n]))
        n++;
    return n;
}

/*
 * The numbers of one line.  A run of letters and digits is a number when
 * most of it is digits: OCR letters in it are repaired when all its
 * letters are repairable, else it is kept as an alphanumeric MRN
 * ("A1234567"); the digit tail of a longer run stands alone too.
 */
static int
line_numbers(builder *b, const ev_line *l, const char *s)
{
    size_t i = 0;

    while (s[i]) {
        size_t j = i, digits = 0, fixable = 0, k;
        char buf[NUMBER_MAX + 1];

        if (!cs_is_alnum((unsigned char)s[i]) && s[i] != '|') {
            i++;
            continue;
        }
        while (cs_is_alnum((unsigned char)s[j]) || s[j] == '|') {
            digits += cs_is_digit((unsigned char)s[j]) != 0;
            fixable += !cs_is_digit((unsigned char)s[j]) &&
                       (cs_ocr_digit((unsigned char)s[j]) || s[j] == '|');
            j++;
        }
        if (j - i <= NUMBER_MAX && 2 * digits > j - i) {
            size_t len = j - i;
            for (k = 0; k < len; k++) {
                unsigned char c = (unsigned char)s[i + k];
                if (digits + fixable == len)
                    buf[k] = cs_is_digit(c) ? (char)c : c == '|' ? '1' : cs_ocr_digit(c);
                else
                    buf[k] = (char)cs_upper(c);
            }
            if (add_number(b, l, buf, len, i, j) < 0)
                return -1;
        }
        /* a digit tail glued to letters: "MRN48213377", "#A48213377" */
        if (digits < j - i) {
            size_t t = j;
            while (t > i && cs_is_digit((unsigned char)s[t - 1]))
                t--;
            if (j - t >= NUMBER_MIN && t > i && add_number(b, l, s + t, j - t, t, j) < 0)
                return -1;
        }
        /* groups: "4821 3377", "4821-3377", "482-133-77" is not (last group short) */
        if (digits == j - i && j - i >= GROUP_MIN && j - i <= GROUP_MAX) {
            size_t len = j - i, p = j;
            memcpy(buf, s + i, len);
            while ((s[p] == ' ' || s[p] == '-') && cs_is_digit((unsigned char)s[p + 1])) {
                size_t g = digit_run(s + p + 1);
                if (g < GROUP_MIN || len + g > NUMBER_MAX ||
                    cs_is_alpha((unsigned char)s[p + 1 + g]))
                    break;
                memcpy(buf + len, s + p + 1, g);
                len += g;
                p += 1 + g;
                if (len >= NUMBER_MIN && add_number(b, l, buf, len, i, p) < 0)
                    return -1;
            }
        }
        i = j;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/*                               dates                              */
/* ---------------------------------------------------------------- */

/* A date separator as printed or as OCR reads '-' and '/' ("04~23-1948"). */
static int
date_separator(int c)
{
    return c == '/' || c == '-' || c == '.' || c == '~' || c == '_';
}

/*
 * A numeric date group a sep b sep c at s; its length, or 0.  The two
 * separators may differ (OCR misreads one of them): only a candidate's
 * own birth date is looked for in these groups (verify.c), so a looser
 * reading cannot invent one.
 */
static size_t
numeric_group(const char *s, ev_dategroup *g)
{
    int fixes = 0, n;
    size_t i;
    char sep;

    if ((n = cs_date_read_group(s, 4, &g->a, &fixes)) == 0 || n == 3)
        return 0;
    g->a_digits = n;
    i = (size_t)n;
    sep = s[i];
    if (!date_separator(sep))
        return 0;
    i++;
    if ((n = cs_date_read_group(s + i, 2, &g->b, &fixes)) == 0 ||
        !date_separator((unsigned char)s[i + (size_t)n]))
        return 0;
    i += (size_t)n + 1;
    if ((n = cs_date_read_group(s + i, g->a_digits == 4 ? 2 : 4, &g->c, &fixes)) == 0 || n == 3)
        return 0;
    g->c_digits = n;
    i += (size_t)n;
    if (fixes > DATE_FIXES_MAX ||
        (date_separator((unsigned char)s[i]) && cs_is_digit((unsigned char)s[i + 1])))
        return 0;
    return i;
}

/*
 * A date with one stray character inside it: OCR reads a speck or a
 * stamp's edge between two digits as a letter ("2Z7MAY1936",
 * "1I5APR1993").  Only a non-digit between two digits is dropped, and
 * only when the token does not read as a date as printed, so a well
 * printed date can never turn into another; the token must be at least
 * STRAY_TOKEN_MIN long.  Returns the bytes of the token, 0 when no single
 * drop makes it a date.
 */
#define STRAY_TOKEN_MIN 8
#define STRAY_TOKEN_MAX 16

static size_t
stray_char_date(const char *s, int ref_year, cs_date *out, int *two_digit)
{
    char copy[STRAY_TOKEN_MAX + 1];
    size_t len = 0, used;

    while (s[len] && len < STRAY_TOKEN_MAX + 1 && cs_is_alnum((unsigned char)s[len]))
        len++;
    if (len < STRAY_TOKEN_MIN || len > STRAY_TOKEN_MAX)
        return 0;
    for (size_t k = 1; k + 1 < len; k++) {
        if (cs_is_digit((unsigned char)s[k]) || !cs_is_digit((unsigned char)s[k - 1]) ||
            !cs_is_digit((unsigned char)s[k + 1]))
            continue;
        memcpy(copy, s, k);
        memcpy(copy + k, s + k + 1, len - k - 1);
        copy[len - 1] = '\0';
        if (cs_date_parse(copy, CS_DATE_BIRTH, ref_year, out, &used, two_digit) && used == len - 1)
            return len;
    }
    return 0;
}

static int
line_dates(builder *b, const ev_line *l, const char *s)
{
    cs_evidence *e = b->e;

    for (size_t i = 0; s[i] && e->ndates < MAX_DATES; i++) {
        ev_dategroup g;
        size_t used = 0;

        if (!cs_is_alnum((unsigned char)s[i]) || (i > 0 && cs_is_alnum((unsigned char)s[i - 1])))
            continue;
        memset(&g, 0, sizeof g);
        if ((used = numeric_group(s + i, &g)) == 0) {
            size_t run = digit_run(s + i);
            if ((run == 6 || run == 8) && !cs_is_alpha((unsigned char)s[i + run])) {
                memcpy(g.compact, s + i, run);
                g.compact[run] = '\0';
                used = run;
            } else if (cs_date_parse(s + i, CS_DATE_BIRTH, e->ref_year, &g.parsed, &used,
                                     &g.parsed_two_digit)) {
                g.named_month = 1;
            } else if ((used = stray_char_date(s + i, e->ref_year, &g.parsed,
                                               &g.parsed_two_digit)) != 0) {
                g.named_month = 1;
            } else {
                continue;
            }
        }
        g.word_first = word_at(e, l, i);
        g.word_last = word_at(e, l, i + used - 1);
        if (grow((void **)&e->dates, &b->cap_dates, e->ndates + 1, sizeof g) < 0)
            return -1;
        e->dates[e->ndates++] = g;
        i += used - 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- */
/*                            lines, zones                          */
/* ---------------------------------------------------------------- */

/* Start a line on page p; its words follow with add_word. */
static int
begin_line(builder *b, int page)
{
    cs_evidence *e = b->e;
    ev_line *l;

    if (grow((void **)&e->lines, &b->cap_lines, e->nlines + 1, sizeof *l) < 0)
        return -1;
    l = &e->lines[e->nlines++];
    memset(l, 0, sizeof *l);
    l->page = page;
    l->first_word = e->nwords;
    return 0;
}

static int
add_word(builder *b, cs_buf *text, const char *s, size_t len, int x, int y, int w, int h)
{
    cs_evidence *e = b->e;
    ev_line *l = &e->lines[e->nlines - 1];
    ev_word *wd;

    if (len == 0 || e->nwords >= MAX_WORDS)
        return 0;
    if (grow((void **)&e->words, &b->cap_words, e->nwords + 1, sizeof *wd) < 0)
        return -1;
    if (l->nwords && cs_buf_puts(text, " ") < 0)
        return -1;
    wd = &e->words[e->nwords++];
    wd->page = l->page;
    wd->line = (int)(e->nlines - 1);
    wd->x = x;
    wd->y = y;
    wd->w = w;
    wd->h = h;
    wd->off = text->len;
    wd->len = len;
    l->nwords++;
    return cs_buf_append(text, s, len);
}

/* Finish the line begun last: store its string, tokens, numbers, dates. */
static int
end_line(builder *b, cs_buf *text)
{
    cs_evidence *e = b->e;
    ev_line *l = &e->lines[e->nlines - 1];
    const char *s;

    if (l->nwords == 0) {
        e->nlines--;
        cs_buf_reset(text);
        return 0;
    }
    if (add_string(b, text->data, text->len, &l->text) < 0)
        return -1;
    s = e->strings + l->text;
    for (size_t k = l->first_word; k < l->first_word + l->nwords; k++)
        if (add_tokens(b, k, s + e->words[k].off, e->words[k].len) < 0)
            return -1;
    cs_buf_reset(text);
    if (line_numbers(b, l, s) < 0 || line_dates(b, l, s) < 0)
        return -1;
    return 0;
}

static unsigned
zone_of(double position, int first_page)
{
    unsigned z = 0;

    if (position < (first_page ? HEADER_SHARE : BAND_SHARE))
        z |= EV_ZONE_HEADER;
    if (position > 1.0 - BAND_SHARE)
        z |= EV_ZONE_FOOTER;
    return z;
}

/* The lines of a page with word boxes, in (block, line, x) order. */
static int
page_from_words(builder *b, const cs_index_page *p, int page, int first, cs_buf *text)
{
    cs_evidence *e = b->e;
    const cs_index_word **refs = malloc(p->nwords * sizeof *refs);
    size_t n = 0, i;
    int rc = 0;

    if (!refs)
        return -1;
    for (i = 0; i < p->nwords; i++)
        if (p->words[i].text && p->words[i].text[0])
            refs[n++] = &p->words[i];
    qsort(refs, n, sizeof *refs, cs_word_reading_order);
    for (i = 0; i < n && rc == 0; ) {
        size_t j = i;
        long ysum = 0, hsum = 0;
        ev_line *l;

        rc = begin_line(b, page);
        for (; rc == 0 && j < n && refs[j]->block == refs[i]->block &&
               refs[j]->line == refs[i]->line; j++) {
            const cs_index_word *w = refs[j];
            ysum += (long)w->y + w->h / 2;
            hsum += w->h;
            rc = add_word(b, text, w->text, strlen(w->text), w->x, w->y, w->w, w->h);
        }
        if (rc < 0)
            break;
        l = &e->lines[e->nlines - 1];
        l->yc = (int)(ysum / (long)(j - i));
        l->height = (int)(hsum / (long)(j - i));
        if (l->height < 1)
            l->height = 1;
        l->zone = zone_of(p->height > 0 ? (double)l->yc / p->height : 0.0, first);
        rc = end_line(b, text);
        i = j;
    }
    free(refs);
    return rc;
}

/* The lines of a text-only page: text lines, blank-separated words. */
static int
page_from_text(builder *b, const cs_index_page *p, int page, int first, cs_buf *text)
{
    cs_evidence *e = b->e;
    const char *s = p->text ? p->text : "";
    size_t nlines = 1, index = 0, head, band;

    for (const char *c = s; *c; c++)
        nlines += *c == '\n';
    head = (size_t)((first ? HEADER_SHARE : BAND_SHARE) * (double)nlines);
    if (head < (first ? HEADER_MIN_LINES : BAND_MIN_LINES))
        head = first ? HEADER_MIN_LINES : BAND_MIN_LINES;
    band = (size_t)(BAND_SHARE * (double)nlines);
    if (band < BAND_MIN_LINES)
        band = BAND_MIN_LINES;
    while (*s) {
        size_t len = strcspn(s, "\n");
        ev_line *l;

        if (begin_line(b, page) < 0)
            return -1;
        for (size_t i = 0; i < len; ) {
            size_t w = 0;
            while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f'))
                i++;
            while (i + w < len && s[i + w] != ' ' && s[i + w] != '\t' && s[i + w] != '\r' &&
                   s[i + w] != '\f')
                w++;
            if (w && add_word(b, text, s + i, w, 0, 0, 0, 0) < 0)
                return -1;
            i += w;
        }
        l = &e->lines[e->nlines - 1];
        l->yc = (int)index;
        l->height = 1;
        l->zone = (index < head ? EV_ZONE_HEADER : 0u) |
                  (index + band >= nlines ? EV_ZONE_FOOTER : 0u);
        if (end_line(b, text) < 0)
            return -1;
        index++;
        s += len;
        if (*s)
            s++;
    }
    return 0;
}

/*
 * cs_evidence_new()
 *
 *      Input:  pages, n (the document's pages in order; blank pages and
 *                        NULL texts are skipped)
 *              ref_year (two-digit years are read against it; <= 0: now)
 *              out (out: the evidence; NULL on failure)
 *      Return: 0, or -1 for a NULL argument or when out of memory
 *
 *  Notes:
 *      (1) See the file comment for pages, zones and tokens.
 *      (2) A document with no text gives an evidence with nothing in it:
 *          every verification then finds nothing.
 */
int
cs_evidence_new(const cs_index_page *pages, size_t n, int ref_year, cs_evidence **out)
{
    builder b;
    cs_buf text = CS_BUF_INIT;
    int used = 0, rc = 0;

    if (out)
        *out = NULL;
    if ((!pages && n) || !out)
        return -1;
    memset(&b, 0, sizeof b);
    if ((b.e = calloc(1, sizeof *b.e)) == NULL)
        return -1;
    b.e->ref_year = ref_year > 0 ? ref_year : cs_current_year();
    for (size_t i = 0; i < n && used < EV_PAGES && rc == 0; i++) {
        const cs_index_page *p = &pages[i];
        if (p->blank || !p->text)
            continue;
        if (p->words && p->nwords && p->height > 0)
            rc = page_from_words(&b, p, (int)i, used == 0, &text);
        else
            rc = page_from_text(&b, p, (int)i, used == 0, &text);
        used++;
    }
    cs_buf_free(&text);
    if (rc < 0) {
        cs_evidence_free(&b.e);
        return -1;
    }
    *out = b.e;
    return 0;
}

void
cs_evidence_free(cs_evidence **pe)
{
    cs_evidence *e;

    if (!pe || !*pe)
        return;
    e = *pe;
    free(e->lines);
    free(e->words);
    free(e->tokens);
    free(e->numbers);
    free(e->dates);
    free(e->strings);
    free(e);
    *pe = NULL;
}

/*
 * cs_evidence_mrns()
 *
 *      Input:  e (the evidence; NULL gives 0)
 *              out, max (out: at most max MRN-like tokens)
 *      Return: the number written
 *
 *  Notes:
 *      (1) Tokens of header- and footer-zone lines come first, then the
 *          rest in reading order; duplicates (also after leading zeros)
 *          are written once.
 *      (2) Alphanumeric tokens are included only when they start with a
 *          letter and hold at least 5 digits ("A1234567"): a word with a
 *          few digits in it is no record number.
 */
int
cs_evidence_mrns(const cs_evidence *e, char (*out)[CS_MRN_MAX], int max)
{
    int n = 0;

    if (!e || !out)
        return 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < e->nnumbers && n < max; i++) {
            const ev_number *num = &e->numbers[i];
            int zoned = e->lines[e->words[num->word_first].line].zone != 0, dup = 0, letters = 0;
            const char *a = num->s;
            if (zoned != (pass == 0))
                continue;
            for (const char *c = a; *c; c++)
                letters += !cs_is_digit((unsigned char)*c);
            if (letters && (!cs_is_alpha((unsigned char)a[0]) || strlen(a) - (size_t)letters < 5))
                continue;
            while (*a == '0' && a[1])
                a++;
            for (int k = 0; k < n && !dup; k++) {
                const char *o = out[k];
                while (*o == '0' && o[1])
                    o++;
                dup = strcmp(o, a) == 0;
            }
            if (!dup)
                snprintf(out[n++], CS_MRN_MAX, "%s", num->s);
        }
    return n;
}

/* The birth dates group g may be printed as, into out (at most 2). */
static int
group_dates(const ev_dategroup *g, int ref_year, cs_date *out)
{
    int n = 0, y;

    if (g->named_month) {
        out[n++] = g->parsed;
        return n;
    }
    if (g->compact[0]) {
        int a = 0, b = 0, c = 0;
        if (strlen(g->compact) == 8 && sscanf(g->compact, "%4d%2d%2d", &a, &b, &c) == 3 &&
            cs_date_valid(a, b, c) && a <= ref_year && a >= ref_year - 120)
            out[n++] = (cs_date){a, b, c};
        else if (strlen(g->compact) == 8 && sscanf(g->compact, "%2d%2d%4d", &a, &b, &c) == 3 &&
                 cs_date_valid(c, a, b) && c <= ref_year && c >= ref_year - 120)
            out[n++] = (cs_date){c, a, b};
        return n;
    }
    if (g->a_digits == 4) {
        if (cs_date_valid(g->a, g->b, g->c))
            out[n++] = (cs_date){g->a, g->b, g->c};
        return n;
    }
    y = g->c;
    if (g->c_digits == 2)
        y += 2000 + y > ref_year ? 1900 : 2000;
    if (y > ref_year || y < ref_year - 120)
        return 0;
    if (cs_date_valid(y, g->a, g->b))
        out[n++] = (cs_date){y, g->a, g->b};
    if (g->a > 12 && cs_date_valid(y, g->b, g->a))
        out[n++] = (cs_date){y, g->b, g->a};
    return n;
}

/*
 * cs_evidence_dates()
 *
 *      Input:  e (the evidence; NULL gives 0)
 *              out, max (out: at most max dates)
 *      Return: the number written
 *
 *  Notes:
 *      (1) The dates printed in the identifier zones (header and footer
 *          lines), read as birth dates could be (the last 120 years; a
 *          day over 12 first is D/M/Y), in reading order, without
 *          duplicates: a document without a readable MRN or name still
 *          brings the roster patients born on one of them, and
 *          verification then looks for each one's name.
 */
int
cs_evidence_dates(const cs_evidence *e, cs_date *out, int max)
{
    int n = 0;

    if (!e || !out)
        return 0;
    for (size_t i = 0; i < e->ndates && n < max; i++) {
        const ev_dategroup *g = &e->dates[i];
        cs_date d[2];
        int k = 0;
        if (e->lines[e->words[g->word_first].line].zone == 0)
            continue;
        k = group_dates(g, e->ref_year, d);
        for (int j = 0; j < k && n < max; j++) {
            int dup = 0;
            for (int m = 0; m < n && !dup; m++)
                dup = cs_date_cmp(&out[m], &d[j]) == 0;
            if (!dup)
                out[n++] = d[j];
        }
    }
    return n;
}

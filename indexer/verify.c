/*
 * verify.c — does the document show this roster candidate's own
 * identifiers?  The MRN anywhere on its first pages; the last name, the
 * first name and the birth date in the identifier zones (evidence.c) or
 * near where the candidate's MRN was found.
 *
 * Interface routines:
 *   cs_evidence_verify
 *
 * Levels (cs_agreement; what match.c weighs):
 *   MRN    exact  a token equal to the candidate's MRN (leading zeros and
 *                 case ignored, OCR letters already repaired)
 *          close  a token one edit away
 *   names  exact  one to three neighbouring name tokens of a line that
 *                 spell the name (SMITH-JONES, VAN DYKE, O'BRIEN) with
 *                 OCR folding (evidence.c)
 *          close  within NAME_TOLERANCE edits: none for names of up to 4
 *                 letters, 1 up to 8, 2 beyond; so EMARD matches EMARO
 *                 but ANN never matches ANNA
 *   first  the first name counts only on a line that also holds the last
 *          name or near one (NEAR_LINES line heights): "LAST, FIRST M",
 *          "First M. Last", "FIRST M LAST", "Last First Middle" and forms
 *          with the names on two stacked lines all qualify, while "June"
 *          in a date line far from the name does not; when the last name
 *          is not found, a first name anywhere in the zones counts (it
 *          cannot file a document on its own: match.c needs both names)
 *   birth  exact  a date group that reads as the candidate's birth date:
 *                 M/D/Y or Y-M-D, a two-digit year equal modulo 100, a
 *                 month-name date, D/M/Y when the day is over 12 (then
 *                 unambiguous), a bare YYYYMMDD, MMDDYYYY or MMDDYY
 *          close  the same with day and month swapped where both are 12
 *                 or less (the US reading and the European differ)
 * Not found is MISSING, never DISAGREE: disagreement needs a labelled
 * value that differs, which match.c takes from the extracted fields.
 *
 * Zones: name and birth-date search covers lines of the header and
 * footer zones, plus, once the candidate's MRN is found exactly, the
 * lines within NEAR_MRN_LINES line heights of it on the same page
 * (a label sticker or a "SMITH, JOHN  #123" line in the middle of a form).
 * Nothing here logs: every input is patient data.
 */
#include "indexer/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPAN        3      /* name tokens joined for one name */
#define NEAR_LINES      2.5    /* first name within this many line heights of the last */
#define NEAR_MRN_LINES  3.5    /* names within this many line heights of the MRN */
#define MAX_LAST_HITS   16

/* Levenshtein distance of a and b, or limit + 1 once it is over limit. */
static int
edit_distance(const char *a, size_t la, const char *b, size_t lb, int limit)
{
    int row[CS_NAME_MAX * MAX_SPAN + 1];
    size_t i, j;

    if (la > CS_NAME_MAX * MAX_SPAN || lb > CS_NAME_MAX * MAX_SPAN)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > (size_t)limit)
        return limit + 1;
    for (j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (i = 1; i <= la; i++) {
        int diag = row[0], best;
        row[0] = (int)i;
        best = row[0];
        for (j = 1; j <= lb; j++) {
            int up = row[j], v = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < v)
                v = up + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            diag = up;
            row[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return row[lb];
}

static int
name_tolerance(size_t len)
{
    return len <= 4 ? 0 : len <= 8 ? 1 : 2;
}

/* Box of words first..last (same page), into hit. */
static void
set_hit(const cs_evidence *e, size_t first, size_t last, cs_evidence_hit *hit)
{
    const ev_word *a = &e->words[first];
    int x0 = a->x, y0 = a->y, x1 = a->x + a->w, y1 = a->y + a->h;

    for (size_t k = first + 1; k <= last && k < e->nwords; k++) {
        const ev_word *w = &e->words[k];
        if (w->page != a->page)
            break;
        if (w->x < x0) x0 = w->x;
        if (w->y < y0) y0 = w->y;
        if (w->x + w->w > x1) x1 = w->x + w->w;
        if (w->y + w->h > y1) y1 = w->y + w->h;
    }
    hit->page = a->page;
    hit->x = x0;
    hit->y = y0;
    hit->w = x1 - x0;
    hit->h = y1 - y0;
}

/* Is line l near line m (same page, within lines line heights)? */
static int
near_line(const cs_evidence *e, size_t l, size_t m, double lines)
{
    const ev_line *a = &e->lines[l], *b = &e->lines[m];
    int h = a->height > b->height ? a->height : b->height;
    int d = a->yc > b->yc ? a->yc - b->yc : b->yc - a->yc;

    return a->page == b->page && (double)d <= lines * (h > 0 ? h : 1);
}

typedef struct search {
    const cs_evidence *e;
    long mrn_line;             /* line of the exact MRN hit, or -1 */
} search;

static int
line_allowed(const search *s, size_t l)
{
    return s->e->lines[l].zone != 0 ||
           (s->mrn_line >= 0 && near_line(s->e, l, (size_t)s->mrn_line, NEAR_MRN_LINES));
}

static const char *
trim_zeros(const char *s)
{
    while (*s == '0' && s[1])
        s++;
    return s;
}

static cs_agreement
find_mrn(const cs_evidence *e, const char *mrn, cs_evidence_hit *hit, long *line)
{
    cs_agreement best = CS_AGREE_MISSING;
    const char *want;

    *line = -1;
    if (!mrn || !*mrn)
        return best;
    want = trim_zeros(mrn);
    for (size_t i = 0; i < e->nnumbers && best != CS_AGREE_EXACT; i++) {
        const ev_number *n = &e->numbers[i];
        int d = cs_index_mrn_distance(trim_zeros(n->s), want);
        if (d == 0 || (d == 1 && best == CS_AGREE_MISSING && strlen(want) >= 6)) {
            best = d == 0 ? CS_AGREE_EXACT : CS_AGREE_CLOSE;
            set_hit(e, n->word_first, n->word_last, hit);
            if (d == 0)
                *line = e->words[n->word_first].line;
        }
    }
    return best;
}

/*
 * Spans of name tokens of allowed lines that spell want.  Calls back
 * each hit with its level; stops early when the callback returns 1.
 */
typedef int (*name_hit_fn)(void *arg, cs_agreement level, size_t tok_first, size_t tok_last);

static void
find_name(const search *s, const char *want, size_t wlen, name_hit_fn fn, void *arg)
{
    const cs_evidence *e = s->e;
    int tol = name_tolerance(wlen);

    for (size_t i = 0; i < e->ntokens; i++) {
        size_t line = (size_t)e->words[e->tokens[i].word].line, len = 0;
        char joined[CS_NAME_MAX * MAX_SPAN + 1];

        if (!line_allowed(s, line))
            continue;
        for (size_t k = i; k < e->ntokens && k < i + MAX_SPAN; k++) {
            const ev_token *t = &e->tokens[k];
            int d;
            if ((size_t)e->words[t->word].line != line || len + t->len >= sizeof joined)
                break;
            memcpy(joined + len, t->s, t->len);
            len += t->len;
            if (len > wlen + (size_t)tol)
                break;
            d = edit_distance(joined, len, want, wlen, tol);
            if (d <= tol && fn(arg, d == 0 ? CS_AGREE_EXACT : CS_AGREE_CLOSE, i, k))
                return;
        }
    }
}

typedef struct last_hits {
    const cs_evidence *e;
    cs_agreement best;
    cs_evidence_hit hit;
    size_t lines[MAX_LAST_HITS];
    size_t n;
} last_hits;

static int
on_last(void *arg, cs_agreement level, size_t a, size_t b)
{
    last_hits *h = arg;
    const cs_evidence *e = h->e;
    size_t line = (size_t)e->words[e->tokens[a].word].line;

    if (h->n < MAX_LAST_HITS)
        h->lines[h->n++] = line;
    if (h->best == CS_AGREE_MISSING || (level == CS_AGREE_EXACT && h->best != CS_AGREE_EXACT)) {
        h->best = level;
        set_hit(e, e->tokens[a].word, e->tokens[b].word, &h->hit);
    }
    return 0;
}

typedef struct first_hits {
    const last_hits *last;
    cs_agreement best;
    cs_evidence_hit hit;
} first_hits;

static int
on_first(void *arg, cs_agreement level, size_t a, size_t b)
{
    first_hits *h = arg;
    const cs_evidence *e = h->last->e;
    size_t line = (size_t)e->words[e->tokens[a].word].line, k;

    if (h->last->n) {
        for (k = 0; k < h->last->n; k++)
            if (near_line(e, line, h->last->lines[k], NEAR_LINES))
                break;
        if (k == h->last->n)
            return 0;
    }
    if (h->best == CS_AGREE_MISSING || (level == CS_AGREE_EXACT && h->best != CS_AGREE_EXACT)) {
        h->best = level;
        set_hit(e, e->tokens[a].word, e->tokens[b].word, &h->hit);
    }
    return h->best == CS_AGREE_EXACT;
}

/* The level at which date group g reads as birth date d. */
static cs_agreement
date_level(const ev_dategroup *g, const cs_date *d)
{
    int y2 = d->year % 100;

    if (g->named_month) {
        int year_ok = g->parsed_two_digit ? g->parsed.year % 100 == y2 : g->parsed.year == d->year;
        return year_ok && g->parsed.month == d->month && g->parsed.day == d->day
                   ? CS_AGREE_EXACT : CS_AGREE_MISSING;
    }
    if (g->compact[0]) {
        char a[16], b[16], c[16];
        snprintf(a, sizeof a, "%04d%02d%02d", d->year, d->month, d->day);
        snprintf(b, sizeof b, "%02d%02d%04d", d->month, d->day, d->year);
        snprintf(c, sizeof c, "%02d%02d%02d", d->month, d->day, y2);
        if (strcmp(g->compact, a) == 0 || strcmp(g->compact, b) == 0 || strcmp(g->compact, c) == 0)
            return CS_AGREE_EXACT;
        return CS_AGREE_MISSING;
    }
    if (g->a_digits == 4) {
        if (g->a != d->year)
            return CS_AGREE_MISSING;
        if (g->b == d->month && g->c == d->day)
            return CS_AGREE_EXACT;
        return g->b == d->day && g->c == d->month ? CS_AGREE_CLOSE : CS_AGREE_MISSING;
    }
    if (g->c_digits == 4 ? g->c != d->year : g->c != y2)
        return CS_AGREE_MISSING;
    if (g->a == d->month && g->b == d->day)
        return CS_AGREE_EXACT;
    if (g->a == d->day && g->b == d->month)
        return d->day > 12 ? CS_AGREE_EXACT : CS_AGREE_CLOSE;
    return CS_AGREE_MISSING;
}

static cs_agreement
find_birth(const search *s, const cs_date *d, cs_evidence_hit *hit)
{
    const cs_evidence *e = s->e;
    cs_agreement best = CS_AGREE_MISSING;

    if (!d->year)
        return best;
    for (size_t i = 0; i < e->ndates && best != CS_AGREE_EXACT; i++) {
        const ev_dategroup *g = &e->dates[i];
        cs_agreement a;
        if (!line_allowed(s, (size_t)e->words[g->word_first].line))
            continue;
        a = date_level(g, d);
        if (a != CS_AGREE_MISSING && (best == CS_AGREE_MISSING || a == CS_AGREE_EXACT)) {
            best = a;
            set_hit(e, g->word_first, g->word_last, hit);
        }
    }
    return best;
}

/*
 * cs_evidence_verify()
 *
 *      Input:  e (the document's evidence)
 *              r (one roster candidate)
 *              out (out: levels and hits; MISSING and page -1 where not found)
 *      Return: 0, or -1 for a NULL argument
 *
 *  Notes:
 *      (1) The file comment gives the levels and zones.
 *      (2) Cost: one pass over the numbers, date groups and name tokens
 *          (the last two up to MAX_SPAN times): microseconds a candidate.
 */
int
cs_evidence_verify(const cs_evidence *e, const cs_roster_record *r, cs_verification *out)
{
    char want[CS_NAME_MAX];
    size_t wlen;
    search s;
    last_hits last;
    first_hits first;

    if (out) {
        memset(out, 0, sizeof *out);
        for (int k = 0; k < CS_ID_COUNT; k++)
            out->hit[k].page = -1;
    }
    if (!e || !r || !out)
        return -1;
    s.e = e;
    out->level[CS_ID_MRN] = find_mrn(e, r->mrn, &out->hit[CS_ID_MRN], &s.mrn_line);
    out->level[CS_ID_BIRTH] = find_birth(&s, &r->birth, &out->hit[CS_ID_BIRTH]);

    memset(&last, 0, sizeof last);
    last.e = e;
    last.hit.page = -1;
    if ((wlen = cs_ev_fold_name(r->last, want, sizeof want)) >= 2)
        find_name(&s, want, wlen, on_last, &last);
    out->level[CS_ID_LAST] = last.best;
    out->hit[CS_ID_LAST] = last.hit;

    memset(&first, 0, sizeof first);
    first.last = &last;
    first.hit.page = -1;
    if ((wlen = cs_ev_fold_name(r->first, want, sizeof want)) >= 2)
        find_name(&s, want, wlen, on_first, &first);
    out->level[CS_ID_FIRST] = first.best;
    out->hit[CS_ID_FIRST] = first.hit;
    return 0;
}

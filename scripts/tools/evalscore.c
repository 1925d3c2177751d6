/*
 * evalscore.c — score chartscan's indexing against evalgen's truth: read
 * truth.jsonl (documents and blank back sides) and the manifest that
 * `chartscan export manifest --with-text` wrote for the batch, and print
 * the figures of issues 4 and 11 beside their targets, for the tuning
 * half, the held-out half and overall; then the other figures, the review
 * reasons, the hard cases, a table per header family and per form (name
 * format, date format, title wording, scan damage), and the doctype
 * confusion matrices.  Run by scripts/eval-index.
 *
 * Definitions (a "text page" is a truth page that is not a blank back side):
 *   pages lost        truth pages not in the manifest exactly once (in a
 *                     document or on a page line)
 *   segmentation      truth documents whose text pages are exactly the text
 *                     pages of one manifest document / truth documents
 *   doctype accuracy  manifest documents whose type is the type of the truth
 *                     document holding most of their pages (ties: the
 *                     earliest) / manifest documents holding a text page;
 *                     also over the filed ones
 *   auto-file rate    filed / manifest documents holding a text page
 *   wrong patient     filed documents with a page of a truth document whose
 *                     patient is absent from the roster or has another MRN
 *   right-filed       roster-patient truth documents segmented exactly,
 *                     filed, to their MRN, with their type / roster-patient
 *                     truth documents; also without the documents whose
 *                     printed MRN has a typo landing on another patient,
 *                     which must go to review (issue 11): the share of the
 *                     documents the indexer may file that it filed right
 * A figure of a half counts what belongs to that half's truth documents:
 * a truth document by its split; a manifest document by the truth
 * document holding most of its pages (one of blank pages only: by the
 * document whose page range holds them); a page by its truth document (a
 * back side: the document around it).  Pages unknown to the truth count
 * only overall.
 *
 * The targets are judged on the held-out half: --strict exits 3 when one
 * is missed there (with a truth written before issue 11, without splits:
 * overall).  With --details FILE, every document that missed (wrong
 * patient, split or merged, wrong type, sent to review) is listed there
 * with the first lines of its OCR text: synthetic data, for the engineer,
 * never for a log.  With --summary FILE, the headline figures go there as
 * tab-separated lines for scripts/eval-index to add up over seeds.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define PROG "evalscore"
#define MAX_DEPTH 32
#define MAX_LINE (64L << 20)

const char tk_prog[] = PROG;

#define GROW(v, n, cap) do { if ((n) == (cap)) { (cap) = (cap) ? (cap) * 2 : 64; \
    (v) = tk_xrealloc((v), (size_t)(cap) * sizeof *(v)); } } while (0)

#include "scripts/tools/evalscore_input.inc"

/* ======================= helpers ======================= */

static const char *const DOCTYPES[] = {
    "discharge_summary", "history_physical", "progress_note", "operative_report",
    "radiology_report", "ed_note", "letter",
};
static const char *const ABBREV[] = { "dis", "h&p", "prog", "op", "rad", "ed", "let" };
#define NDT ((int)(sizeof DOCTYPES / sizeof DOCTYPES[0]))

static int dt_index(const char *s)
{
    for (int i = 0; i < NDT; i++)
        if (s && strcmp(s, DOCTYPES[i]) == 0)
            return i;
    return NDT;      /* other */
}

static int is_filed(const mdoc *m)
{
    return m->status && strcmp(m->status, "filed") == 0;
}

/*
 * In review only because of its document type: the patient side would
 * have filed it (to its best candidate).  Such documents show what the
 * matcher would do on its own.
 */
static int held_for_type_only(const mdoc *m)
{
    if (is_filed(m) || m->nreasons == 0)
        return 0;
    for (size_t k = 0; k < m->nreasons; k++)
        if (strncmp(m->reasons[k], "document type", 13) != 0 &&
            strncmp(m->reasons[k], "no document-type model", 22) != 0)
            return 0;
    return 1;
}

typedef struct counter { char *key; long n; } counter;
typedef struct counters { counter *v; size_t n, cap; } counters;

static void count(counters *c, const char *key, long by)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].key, key) == 0) {
            c->v[i].n += by;
            return;
        }
    GROW(c->v, c->n, c->cap);
    c->v[c->n++] = (counter){ tk_xstrdup(key), by };
}

static long count_of(const counters *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].key, key) == 0)
            return c->v[i].n;
    return 0;
}

static int counter_cmp(const void *a, const void *b)
{
    const counter *x = a, *y = b;
    return (y->n > x->n) - (y->n < x->n);
}

static void counters_free(counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].key);
    free(c->v);
    memset(c, 0, sizeof *c);
}

static double pct(long a, long b)
{
    return b ? 100.0 * a / b : 0.0;
}

/* "95.0% 114/120" (or "-" with nothing to count) into out. */
static const char *rate_cell(long a, long b, char *out, size_t n)
{
    if (b == 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.1f%% %ld/%ld", pct(a, b), a, b);
    return out;
}

/* ======================= per document facts ======================= */

/* The truth document a manifest document counts for (see the header), or -1. */
static long mdoc_owner(const eval *e, const mdoc *m)
{
    if (m->major >= 0)
        return m->major;
    for (size_t k = 0; k < m->npages; k++)
        if (m->pages[k] >= 0 && e->tp[m->pages[k]].owner >= 0)
            return e->tp[m->pages[k]].owner;
    return -1;
}

/* Fill in what score() and the tables read: majors, matches, verdicts. */
static void compute(eval *e)
{
    size_t i, k;

    for (i = 0; i < e->nmd; i++) {
        mdoc *m = &e->md[i];
        long best = -1, bestn = 0, prev = -2, distinct = 0;
        m->ntext = 0;
        for (k = 0; k < m->npages; k++) {
            long p = m->pages[k], d, n = 0;
            if (p < 0 || (d = e->tp[p].doc) < 0)
                continue;
            m->ntext++;
            if (d != prev)
                distinct++;
            prev = d;
            for (size_t q = 0; q < m->npages; q++)
                n += m->pages[q] >= 0 && e->tp[m->pages[q]].doc == d;
            if (n > bestn)
                bestn = n, best = d;
            if (!e->td[d].in_roster || !m->mrn || strcmp(m->mrn, e->td[d].mrn) != 0)
                m->wrong_patient = is_filed(m);
        }
        m->major = best;
        m->owner = mdoc_owner(e, m);
        m->merges = distinct > 1;
        if (m->ntext == 0)
            continue;
        m->type_ok = m->doctype && strcmp(m->doctype, e->td[best].doctype) == 0;
        if (m->ntext == e->td[best].ntext && bestn == m->ntext)
            e->td[best].match = (long)i;
        m->held_only_type = held_for_type_only(m);
        if (m->held_only_type)
            for (k = 0; k < m->npages; k++) {
                long p = m->pages[k], d;
                if (p < 0 || (d = e->tp[p].doc) < 0)
                    continue;
                m->latent_wrong |= !e->td[d].in_roster || !m->top_mrn ||
                                   strcmp(m->top_mrn, e->td[d].mrn) != 0;
            }
    }
    for (i = 0; i < e->ntd; i++) {
        tdoc *t = &e->td[i];
        const mdoc *m = t->match >= 0 ? &e->md[t->match] : NULL;
        if (!m) {
            long first = -2;
            for (size_t p = 0; p < e->ntp; p++)
                if (e->tp[p].doc == (long)i) {
                    if (first == -2)
                        first = e->tp[p].mdoc;
                    else if (e->tp[p].mdoc != first)
                        t->split_up = 1;
                }
        }
        t->right = m && t->in_roster && is_filed(m) && m->mrn && strcmp(m->mrn, t->mrn) == 0 &&
                   m->doctype && strcmp(m->doctype, t->doctype) == 0;
        t->patient_right = m && t->in_roster &&
                           ((is_filed(m) && m->mrn && strcmp(m->mrn, t->mrn) == 0) ||
                            (m->held_only_type && m->top_mrn && strcmp(m->top_mrn, t->mrn) == 0));
    }
}

/* ======================= details ======================= */

/* The first lines of a page's OCR text, indented, for the details file. */
static void put_head(FILE *fp, const char *text, int maxlines)
{
    int n = 0;
    while (text && *text && n < maxlines) {
        size_t len = strcspn(text, "\n");
        if (len)
            fprintf(fp, "      | %.*s\n", (int)(len > 110 ? 110 : len), text), n++;
        text += len + (text[len] == '\n');
    }
}

static void detail_doc(FILE *fp, const eval *e, const mdoc *m, const char *why)
{
    const tdoc *t = m->major >= 0 ? &e->td[m->major] : NULL;
    fprintf(fp, "%s: %s %s pages", why, m->id, m->npages && m->pages[0] >= 0
            ? e->tp[m->pages[0]].file : "?");
    for (size_t k = 0; k < m->npages; k++)
        fprintf(fp, " %d", m->pages[k] >= 0 ? e->tp[m->pages[k]].page : -1);
    fprintf(fp, "\n    got: %s %s (%.3f) mrn %s (%.3f) dos %s reasons [", m->status, m->doctype,
            m->doctype_conf, m->mrn ? m->mrn : "-", m->patient_conf, m->dos ? m->dos : "-");
    for (size_t k = 0; k < m->nreasons; k++)
        fprintf(fp, "%s%s", k ? "; " : "", m->reasons[k]);
    fprintf(fp, "] candidates %s\n", m->candidates ? m->candidates : "-");
    if (t)
        fprintf(fp, "    truth: %s pages %d-%d %s mrn %s (%s%s%s) dos %s\n"
                "    forms: %s family %s, name \"%s\", dob %s, dos %s, title %s%s%s%s\n",
                t->file, t->first, t->last, t->doctype, t->mrn ? t->mrn : "absent", t->group,
                t->mrn_printed ? "" : ", no MRN printed", t->mrn_typo ? ", MRN typo" : "",
                t->dos ? t->dos : "-", t->split == SPLIT_HELDOUT ? "held-out"
                : t->split == SPLIT_TUNING ? "tuning" : "unsplit", t->family, t->name_format,
                t->dob_format, t->dos_format, t->wording, t->stamped ? ", stamped" : "",
                t->photocopy ? ", photocopy" : "", t->fax ? ", fax" : "");
    if (m->npages)
        put_head(fp, m->texts[0], 14);
}

/* Every miss, for the engineer (synthetic data). */
static void write_details(const eval *e, FILE *fp)
{
    size_t i;

    for (i = 0; i < e->ntp; i++) {
        const tpage *p = &e->tp[i];
        if (p->seen != 1)
            fprintf(fp, "page %s: %s page %d in the manifest %d times\n",
                    p->seen ? "duplicated" : "lost", p->file, p->page, p->seen);
        if (p->doc >= 0 && p->page_status)
            fprintf(fp, "text page in no document (%s): %s page %d\n", p->page_status, p->file,
                    p->page);
    }
    for (i = 0; i < e->nmd; i++) {
        const mdoc *m = &e->md[i];
        if (m->ntext == 0)
            continue;
        if (!m->type_ok)
            detail_doc(fp, e, m, "wrong type");
        if (m->wrong_patient)
            detail_doc(fp, e, m, "WRONG PATIENT");
        if (m->latent_wrong)
            detail_doc(fp, e, m, "LATENT WRONG PATIENT (held only for the type)");
    }
    for (i = 0; i < e->ntd; i++) {
        const tdoc *t = &e->td[i];
        const mdoc *m = t->match >= 0 ? &e->md[t->match] : NULL;
        if (!m) {
            fprintf(fp, "segmentation: truth %s pages %d-%d (%s, %s) not one document:", t->file,
                    t->first, t->last, t->doctype, t->family);
            for (size_t p = 0; p < e->ntp; p++)
                if (e->tp[p].doc == (long)i)
                    fprintf(fp, " p%d->%s", e->tp[p].page,
                            e->tp[p].mdoc >= 0 ? e->md[e->tp[p].mdoc].id : "none");
            fputc('\n', fp);
        } else if (t->in_roster && !is_filed(m)) {
            detail_doc(fp, e, m, "review");
        }
    }
}

/* ======================= tallies ======================= */

/* Everything counted for one selection of truth documents (see the header). */
typedef struct tally {
    long ntd, roster_docs, blank_pages;
    long lost, missing, dup, unknown, text_as_blank, blank_in_doc;
    long seg_ok, merged, split, junk;
    long docs, filed, dt_ok, dt_ok_filed, wrong, filed_roster;
    long right, dos_ok, dos_n, held, latent_wrong, patient_right;
    long fileable_docs, right_fileable;
    long conf[NDT + 1][NDT + 1];
    counters reasons;
} tally;

enum { SEL_ALL = -2 };      /* otherwise a SPLIT_* */

static int selected(const eval *e, long td, int sel)
{
    if (sel == SEL_ALL)
        return 1;
    return td >= 0 && e->td[td].split == sel;
}

static void tally_make(const eval *e, int sel, tally *t)
{
    size_t i, k;

    memset(t, 0, sizeof *t);
    if (sel == SEL_ALL)
        t->unknown = e->unknown_pages;
    for (i = 0; i < e->ntp; i++) {
        const tpage *p = &e->tp[i];
        if (!selected(e, p->doc >= 0 ? p->doc : p->owner, sel))
            continue;
        if (p->seen != 1) {
            t->lost++;
            t->missing += p->seen == 0;
            t->dup += p->seen > 1;
        }
        if (p->doc < 0) {
            t->blank_pages++;
            t->blank_in_doc += p->mdoc >= 0;
        } else if (p->page_status) {
            t->text_as_blank++;
        }
    }
    for (i = 0; i < e->nmd; i++) {
        const mdoc *m = &e->md[i];
        if (!selected(e, m->owner, sel))
            continue;
        if (m->ntext == 0) {
            t->junk++;
            continue;
        }
        t->merged += m->merges;
        t->docs++;
        t->filed += is_filed(m);
        t->dt_ok += m->type_ok;
        if (is_filed(m)) {
            t->dt_ok_filed += m->type_ok;
            t->filed_roster += e->td[m->major].in_roster;
        }
        t->conf[dt_index(e->td[m->major].doctype)][dt_index(m->doctype)]++;
        t->wrong += m->wrong_patient;
        t->held += m->held_only_type;
        t->latent_wrong += m->latent_wrong;
        if (!is_filed(m)) {
            for (k = 0; k < m->nreasons; k++)
                count(&t->reasons, m->reasons[k], 1);
            if (m->nreasons == 0)
                count(&t->reasons, "(review without a reason)", 1);
        }
    }
    for (i = 0; i < e->ntd; i++) {
        const tdoc *d = &e->td[i];
        const mdoc *m = d->match >= 0 ? &e->md[d->match] : NULL;
        if (!selected(e, (long)i, sel))
            continue;
        t->ntd++;
        t->seg_ok += m != NULL;
        t->split += d->split_up;
        if (m && d->dos) {
            t->dos_n++;
            t->dos_ok += m->dos && strcmp(m->dos, d->dos) == 0;
        }
        if (d->in_roster) {
            t->roster_docs++;
            t->right += d->right;
            t->patient_right += d->patient_right;
            if (!d->mrn_typo) {
                t->fileable_docs++;
                t->right_fileable += d->right;
            }
        }
    }
}

/* ======================= the report ======================= */

/* The headline figures: key, label, rate or count, target (-1 none), at most. */
static const struct headline {
    const char *key, *label;
    int rate;
    double target;
    int at_most;
} headlines[] = {
    { "pages_lost", "pages lost (not in the manifest once)", 0, 0, 1 },
    { "segmentation", "segmentation exact match", 1, 95, 0 },
    { "doctype", "doctype accuracy, all documents", 1, 95, 0 },
    { "doctype_filed", "doctype accuracy, auto-filed documents", 1, 99, 0 },
    { "auto_file", "auto-file rate", 1, -1, 0 },
    { "wrong_patient", "WRONG-patient auto-filings", 0, 0, 1 },
    { "right_filed", "right-filed (roster patients)", 1, 90, 0 },
    { "right_fileable", "right-filed (roster, no MRN typo)", 1, -1, 0 },
    { "patient_right", "right patient, filed or would be", 1, -1, 0 },
};
#define NHEAD ((int)(sizeof headlines / sizeof headlines[0]))

static void headline_values(const tally *t, int k, long *a, long *b)
{
    switch (k) {
    case 0: *a = t->lost; *b = 0; break;
    case 1: *a = t->seg_ok; *b = t->ntd; break;
    case 2: *a = t->dt_ok; *b = t->docs; break;
    case 3: *a = t->dt_ok_filed; *b = t->filed; break;
    case 4: *a = t->filed; *b = t->docs; break;
    case 5: *a = t->wrong; *b = 0; break;
    case 6: *a = t->right; *b = t->roster_docs; break;
    case 7: *a = t->right_fileable; *b = t->fileable_docs; break;
    default: *a = t->patient_right; *b = t->roster_docs; break;
    }
}

static int headline_ok(int k, long a, long b)
{
    const struct headline *h = &headlines[k];
    if (h->target < 0)
        return 1;
    if (h->rate)
        return b > 0 && pct(a, b) >= h->target;
    return h->at_most ? a <= (long)h->target : a >= (long)h->target;
}

static const char *headline_cell(int k, long a, long b, char *out, size_t n)
{
    if (headlines[k].rate)
        return rate_cell(a, b, out, n);
    snprintf(out, n, "%ld", a);
    return out;
}

/* A row of three figures: overall, tuning, held-out. */
#define ROW "  %-44s %-17s %-17s %-17s"

/*
 * The headline table; returns the targets missed on the judged half
 * (held-out, or overall when the truth has no split).
 */
static int print_headlines(const tally *t, int has_split, FILE *summary)
{
    static const char *const sel_names[3] = { "overall", "tuning", "heldout" };
    int met[3] = { 0 }, total = 0, judged = has_split ? 2 : 0;
    char c[3][48], tgt[24];

    printf(ROW " %-9s %s\n", "figure", "overall", "tuning", "held-out", "target",
           has_split ? "held-out" : "overall");
    for (int k = 0; k < NHEAD; k++) {
        const struct headline *h = &headlines[k];
        int ok[3];
        for (int s = 0; s < 3; s++) {
            long a, b;
            headline_values(&t[s], k, &a, &b);
            if (s && !has_split)
                snprintf(c[s], sizeof c[s], "-");
            else
                headline_cell(k, a, b, c[s], sizeof c[s]);
            ok[s] = headline_ok(k, a, b);
            met[s] += h->target >= 0 && ok[s];
            if (summary)
                fprintf(summary, "%s\t%s\t%ld\t%ld\t%d\t%g\t%d\t%s\n", h->key, sel_names[s], a,
                        h->rate ? b : 0, h->rate, h->target, h->at_most, h->label);
        }
        total += h->target >= 0;
        if (h->target < 0)
            tgt[0] = '\0';
        else if (h->rate)
            snprintf(tgt, sizeof tgt, ">= %.0f%%", h->target);
        else
            snprintf(tgt, sizeof tgt, "%s%.0f", h->at_most ? "" : ">= ", h->target);
        printf(ROW " %-9s %s\n", h->label, c[0], c[1], c[2], tgt,
               h->target < 0 ? "" : ok[judged] ? "ok" : "MISSED");
    }
    if (has_split)
        printf("  targets met on the held-out half: %d of %d (tuning: %d of %d; overall: %d of %d)\n",
               met[2], total, met[1], total, met[0], total);
    else
        printf("  targets met: %d of %d (a truth without tuning / held-out split)\n", met[0], total);
    return total - met[judged];
}

static void print_other(const tally *t, int has_split)
{
    char a[3][48];

#define OTHER(label, expr_a, expr_b, is_rate) do { \
        for (int s = 0; s < 3; s++) { \
            const tally *x = &t[s]; \
            if (s && !has_split) snprintf(a[s], sizeof a[s], "-"); \
            else if (is_rate) rate_cell((expr_a), (expr_b), a[s], sizeof a[s]); \
            else snprintf(a[s], sizeof a[s], "%ld", (long)(expr_a)); \
        } \
        printf(ROW "\n", label, a[0], a[1], a[2]); \
    } while (0)

    printf("\nother figures\n");
    OTHER("pages missing", x->missing, 0, 0);
    OTHER("pages duplicated", x->dup, 0, 0);
    OTHER("pages unknown to the truth (overall only)", x->unknown, 0, 0);
    OTHER("text pages in no document (blank or failed)", x->text_as_blank, 0, 0);
    OTHER("blank back sides put into a document", x->blank_in_doc, x->blank_pages, 1);
    OTHER("manifest documents merging truth documents", x->merged, 0, 0);
    OTHER("truth documents split", x->split, 0, 0);
    OTHER("documents of blank pages only", x->junk, 0, 0);
    OTHER("date of service right (exact segments)", x->dos_ok, x->dos_n, 1);
    OTHER("auto-filed, roster patients' documents", x->filed_roster, 0, 0);
    OTHER("auto-filed, absent patients' documents", x->filed - x->filed_roster, 0, 0);
    printf("\npatient matching on its own (documents held in review only for their type\n"
           "count as filed to their best candidate)\n");
    OTHER("held only for the document type", x->held, 0, 0);
    OTHER("... best candidate WRONG (latent wrong)", x->latent_wrong, 0, 0);
    OTHER("right patient, filed or would be (roster)", x->patient_right, x->roster_docs, 1);
#undef OTHER
}

static void print_reasons(const tally *t, int has_split)
{
    counters all = { 0 };

    for (size_t i = 0; i < t[0].reasons.n; i++)
        count(&all, t[0].reasons.v[i].key, t[0].reasons.v[i].n);
    qsort(all.v, all.n, sizeof *all.v, counter_cmp);
    printf("\nreview reasons (documents sent to review: %ld; tuning %ld, held-out %ld)\n",
           t[0].docs - t[0].filed, t[1].docs - t[1].filed, t[2].docs - t[2].filed);
    printf("  %7s %7s %8s  %s\n", "overall", "tuning", "held-out", "reason");
    for (size_t i = 0; i < all.n; i++) {
        if (has_split)
            printf("  %7ld %7ld %8ld  %s\n", all.v[i].n, count_of(&t[1].reasons, all.v[i].key),
                   count_of(&t[2].reasons, all.v[i].key), all.v[i].key);
        else
            printf("  %7ld %7s %8s  %s\n", all.v[i].n, "-", "-", all.v[i].key);
    }
    counters_free(&all);
}

/* Hard cases: the patient groups of the roster, with the MRN typos and letters without MRN. */
static void print_groups(const eval *e, int has_split)
{
    struct { char key[96]; long docs, right, wrong, review, other, docs_s[2], right_s[2]; } g[40];
    int ng = 0;

    memset(g, 0, sizeof g);
    for (size_t i = 0; i < e->ntd; i++) {
        const tdoc *t = &e->td[i];
        const mdoc *m = t->match >= 0 ? &e->md[t->match] : NULL;
        char key[96];
        int gi;
        snprintf(key, sizeof key, "%s%s%s", t->group, t->mrn_typo ? " +MRN typo" : "",
                 t->mrn_printed ? "" : " +no MRN");
        for (gi = 0; gi < ng && strcmp(g[gi].key, key) != 0; gi++)
            ;
        if (gi == ng) {
            if (ng == (int)(sizeof g / sizeof g[0]))
                continue;
            snprintf(g[ng++].key, sizeof g[0].key, "%s", key);
        }
        g[gi].docs++;
        if (!m)
            g[gi].other++;
        else if (is_filed(m) && m->wrong_patient)
            g[gi].wrong++;
        else if (is_filed(m) && t->in_roster && m->mrn && strcmp(m->mrn, t->mrn) == 0)
            g[gi].right++;
        else if (!is_filed(m))
            g[gi].review++;
        else
            g[gi].other++;
        if (t->split >= 0) {
            g[gi].docs_s[t->split]++;
            g[gi].right_s[t->split] += m && is_filed(m) && !m->wrong_patient && t->in_roster;
        }
    }
    printf("\nhard cases (truth documents; right/WRONG = filed to the right/another patient)\n");
    printf("  %-40s %5s %6s %6s %6s %6s   %-13s %-13s\n", "group", "docs", "right", "WRONG",
           "review", "other", "tuning right", "held-out right");
    for (int gi = 0; gi < ng; gi++) {
        char a[32] = "-", b[32] = "-";
        if (has_split) {
            snprintf(a, sizeof a, "%ld/%ld", g[gi].right_s[0], g[gi].docs_s[0]);
            snprintf(b, sizeof b, "%ld/%ld", g[gi].right_s[1], g[gi].docs_s[1]);
        }
        printf("  %-40s %5ld %6ld %6ld %6ld %6ld   %-13s %-13s\n", g[gi].key, g[gi].docs,
               g[gi].right, g[gi].wrong, g[gi].review, g[gi].other, a, b);
    }
    printf("  (other: not segmented exactly, or filed though absent from the roster)\n");
}

/* ---- breakdowns by a property of the truth document ---- */

typedef const char *key_fn(const tdoc *t, char *buf, size_t n);

static const char *key_family(const tdoc *t, char *b, size_t n) { (void)b, (void)n; return t->family; }
static const char *key_name(const tdoc *t, char *b, size_t n) { (void)b, (void)n; return t->name_format; }
static const char *key_dob(const tdoc *t, char *b, size_t n) { (void)b, (void)n; return t->dob_format; }
static const char *key_dos(const tdoc *t, char *b, size_t n) { (void)b, (void)n; return t->dos_format; }

static const char *key_wording(const tdoc *t, char *b, size_t n)
{
    snprintf(b, n, "%s %s", t->doctype, t->wording);
    return b;
}

static const char *key_damage(const tdoc *t, char *b, size_t n)
{
    snprintf(b, n, "%s%s%s%s", t->stamped ? "stamped " : "", t->photocopy ? "photocopy " : "",
             t->fax ? "fax " : "", t->stamped || t->photocopy || t->fax ? "" : "none");
    return b;
}

typedef struct brow {
    char key[96];
    int splits;              /* bit 0 tuning, bit 1 held-out, bit 2 none */
    long docs, roster, right, pright, seg, dos_ok, dos_n, mdocs, type_ok, wrong;
    counters reasons;
} brow;

static int brow_cmp(const void *a, const void *b)
{
    const brow *x = a, *y = b;
    if (x->splits != y->splits)
        return x->splits - y->splits;
    return strcmp(x->key, y->key);
}

/*
 * One table: a row per value of key(truth document), with its split, the
 * documents, right-filed, patient right, types right (of the manifest
 * documents it owns), WRONG filings, exact segments, dates of service
 * right and, with reasons, the most common review reasons.
 */
static void breakdown(const eval *e, const char *title, key_fn *key, int reasons)
{
    brow *v = NULL;
    size_t n = 0, cap = 0, i, r;
    char buf[96];

    for (i = 0; i < e->ntd + e->nmd; i++) {
        const tdoc *t;
        const mdoc *m = NULL;
        const char *k;
        if (i < e->ntd) {
            t = &e->td[i];
        } else {
            m = &e->md[i - e->ntd];
            if (m->owner < 0)
                continue;
            t = &e->td[m->owner];
        }
        k = key(t, buf, sizeof buf);
        if (!k || !k[0])
            continue;
        for (r = 0; r < n && strcmp(v[r].key, k) != 0; r++)
            ;
        if (r == n) {
            GROW(v, n, cap);
            memset(&v[n], 0, sizeof v[n]);
            snprintf(v[n++].key, sizeof v[0].key, "%s", k);
        }
        if (m) {
            if (m->ntext == 0)
                continue;
            v[r].mdocs++;
            v[r].type_ok += m->type_ok;
            v[r].wrong += m->wrong_patient;
            if (reasons && !is_filed(m))
                for (size_t q = 0; q < m->nreasons; q++)
                    count(&v[r].reasons, m->reasons[q], 1);
            continue;
        }
        v[r].splits |= t->split == SPLIT_TUNING ? 1 : t->split == SPLIT_HELDOUT ? 2 : 4;
        v[r].docs++;
        v[r].seg += t->match >= 0;
        if (t->in_roster) {
            v[r].roster++;
            v[r].right += t->right;
            v[r].pright += t->patient_right;
        }
        if (t->match >= 0 && t->dos) {
            const mdoc *mm = &e->md[t->match];
            v[r].dos_n++;
            v[r].dos_ok += mm->dos && strcmp(mm->dos, t->dos) == 0;
        }
    }
    if (n == 0) {
        free(v);
        return;
    }
    qsort(v, n, sizeof *v, brow_cmp);
    printf("\n%s\n  %-34s %-5s %4s %-14s %-14s %-14s %5s %-9s %-9s%s\n", title, "", "split",
           "docs", "right-filed", "patient right", "type right", "WRONG", "segments", "DOS right",
           reasons ? " most common review reasons" : "");
    for (r = 0; r < n; r++) {
        char a[40], b[40], c[40], d[24], f[24];
        const char *sp = v[r].splits == 1 ? "tun" : v[r].splits == 2 ? "held" :
                         v[r].splits == 4 ? "-" : "both";
        snprintf(d, sizeof d, "%ld/%ld", v[r].seg, v[r].docs);
        snprintf(f, sizeof f, "%ld/%ld", v[r].dos_ok, v[r].dos_n);
        printf("  %-34.34s %-5s %4ld %-14s %-14s %-14s %5ld %-9s %-9s", v[r].key, sp, v[r].docs,
               rate_cell(v[r].right, v[r].roster, a, sizeof a),
               rate_cell(v[r].pright, v[r].roster, b, sizeof b),
               rate_cell(v[r].type_ok, v[r].mdocs, c, sizeof c), v[r].wrong, d, f);
        if (reasons && v[r].reasons.n) {     /* qsort wants an array, even of none */
            qsort(v[r].reasons.v, v[r].reasons.n, sizeof *v[r].reasons.v, counter_cmp);
            for (size_t q = 0; q < v[r].reasons.n && q < 2; q++)
                printf("%s %.38s (%ld)", q ? ";" : "", v[r].reasons.v[q].key, v[r].reasons.v[q].n);
        }
        printf("\n");
        counters_free(&v[r].reasons);
    }
    free(v);
}

static void print_confusion(const tally *t, int has_split)
{
    int nm = has_split ? 2 : 1;
    static const int which[2] = { 0, 2 };

    printf("\ndoctype confusion (rows: truth, columns: predicted; manifest documents)%s\n",
           has_split ? ": overall, then held-out" : "");
    for (int k = 0; k < nm; k++) {
        printf("  %-5s", k == 0 ? "" : " ");
        for (int c = 0; c <= NDT; c++)
            printf(" %5s", c < NDT ? ABBREV[c] : "other");
        printf("%s", k + 1 < nm ? "   " : "\n");
    }
    if (nm == 2)
        printf("\n");
    for (int r = 0; r < NDT; r++) {
        for (int k = 0; k < nm; k++) {
            printf("  %-5s", ABBREV[r]);
            for (int c = 0; c <= NDT; c++)
                printf(" %5ld", t[which[k]].conf[r][c]);
            printf("%s", k + 1 < nm ? "   " : "\n");
        }
    }
}

static int score(eval *e, FILE *details, FILE *summary)
{
    tally t[3];
    int has_split = 0, missed;

    compute(e);
    for (size_t i = 0; i < e->ntd; i++)
        has_split |= e->td[i].split != SPLIT_NONE;
    tally_make(e, SEL_ALL, &t[0]);
    tally_make(e, SPLIT_TUNING, &t[1]);
    tally_make(e, SPLIT_HELDOUT, &t[2]);
    if (details)
        write_details(e, details);

    printf("\nindexing evaluation: %zu truth documents (%ld of roster patients; tuning %ld, "
           "held-out %ld), %zu pages (%ld blank back sides); manifest: %zu documents\n\n",
           e->ntd, t[0].roster_docs, t[1].ntd, t[2].ntd, e->ntp, t[0].blank_pages, e->nmd);
    missed = print_headlines(t, has_split, summary);
    print_other(t, has_split);
    print_reasons(t, has_split);
    print_groups(e, has_split);
    breakdown(e, "per family (truth documents; type right and WRONG: of the manifest documents)",
              key_family, 1);
    if (has_split) {
        breakdown(e, "per name format", key_name, 0);
        breakdown(e, "per birth-date format", key_dob, 0);
        breakdown(e, "per date-of-service format", key_dos, 0);
        breakdown(e, "per title wording (letters: opening)", key_wording, 0);
        breakdown(e, "per scan damage", key_damage, 0);
    }
    print_confusion(t, has_split);
    for (int s = 0; s < 3; s++)
        counters_free(&t[s].reasons);
    return missed ? 3 : 0;
}

/* ======================= command line ======================= */

static void usage(FILE *fp)
{
    fputs(
"usage: evalscore --truth TRUTH.jsonl --manifest MANIFEST.jsonl [--details FILE]\n"
"                 [--summary FILE] [--strict]\n"
"\n"
"Scores a chartscan manifest (export manifest --with-text) against evalgen's\n"
"truth and prints the indexing figures of issues 4 and 11 beside their\n"
"targets for the tuning half, the held-out half and overall; then the other\n"
"figures, the review reasons, the hard cases, tables per header family, name\n"
"format, date format, title wording and scan damage, and the doctype\n"
"confusion matrices.  The targets are judged on the held-out half.\n"
"--details FILE lists every miss with the head of its OCR text (synthetic\n"
"data).  --summary FILE writes the headline figures as tab-separated lines:\n"
"key, split (overall, tuning, heldout), numerator, denominator, rate (1) or\n"
"count (0), target (-1: none), at most (1), label.\n"
"Exit status: 0 figures printed (with --strict: and every held-out target\n"
"met), 1 failure, 2 bad usage, 3 with --strict: a held-out target missed.\n", fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "truth", required_argument, NULL, 't' },
        { "manifest", required_argument, NULL, 'm' },
        { "details", required_argument, NULL, 'd' },
        { "summary", required_argument, NULL, 'S' },
        { "strict", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *truth = NULL, *manifest = NULL, *details_path = NULL, *summary_path = NULL;
    char err[CS_ERRLEN] = "";
    FILE *details = NULL, *summary = NULL;
    eval e;
    int c, strict = 0, rc = 1;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': truth = optarg; break;
        case 'm': manifest = optarg; break;
        case 'd': details_path = optarg; break;
        case 'S': summary_path = optarg; break;
        case 's': strict = 1; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, PROG ": unknown option \"%s\"\n", argv[optind - 1]);
            return 2;
        }
    }
    if (!truth || !manifest || optind < argc) {
        fprintf(stderr, PROG ": --truth and --manifest are required\ntry --help\n");
        return 2;
    }
    memset(&e, 0, sizeof e);
    if (details_path && (details = fopen(details_path, "w")) == NULL) {
        fprintf(stderr, PROG ": could not create \"%s\": %s\n", details_path, strerror(errno));
        return 1;
    }
    if (summary_path && (summary = fopen(summary_path, "w")) == NULL) {
        fprintf(stderr, PROG ": could not create \"%s\": %s\n", summary_path, strerror(errno));
        goto out;
    }
    if (read_jsonl(truth, &e, truth_line, err, sizeof err) < 0 ||
        truth_finish(&e, err, sizeof err) < 0 ||
        read_jsonl(manifest, &e, manifest_line, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        goto out;
    }
    if (e.ntd == 0) {
        fprintf(stderr, PROG ": \"%s\" holds no document\n", truth);
        goto out;
    }
    rc = score(&e, details, summary);
    if (!strict)
        rc = 0;
out:
    if (details && fclose(details) != 0 && rc != 1) {
        fprintf(stderr, PROG ": could not write \"%s\"\n", details_path);
        rc = 1;
    }
    if (summary && fclose(summary) != 0 && rc != 1) {
        fprintf(stderr, PROG ": could not write \"%s\"\n", summary_path);
        rc = 1;
    }
    eval_free(&e);
    return rc;
}

/*
 * evalscore.c — score chartscan's indexing against evalgen's truth: read
 * truth.jsonl (documents and blank back sides) and the manifest that
 * `chartscan export manifest --with-text` wrote for the batch, and print
 * the figures of issue 4 beside their targets, a breakdown of the review
 * reasons and of the hard cases, and the doctype confusion matrix.
 * Run by scripts/eval-index.
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
 *                     truth documents
 * With --details FILE, every document that missed (wrong patient, split or
 * merged, wrong type, sent to review) is listed there with the first lines
 * of its OCR text: synthetic data, for the engineer, never for a log.
 *
 * The JSON reader is a small recursive-descent parser, enough for JSON
 * Lines of bounded depth; a malformed line is an error with its number.
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

/* ======================= JSON ======================= */

typedef struct jparser { const char *s; const char *err; } jparser;

static void jskip(jparser *p)
{
    while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
        p->s++;
}

/* A string literal at p->s (on the opening quote); malloc'd into *out. */
static int jstring(jparser *p, char **out)
{
    cs_buf b = CS_BUF_INIT;
    const char *s = p->s + 1;

    for (;;) {
        const char *run = s;
        while (*s && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20)
            s++;
        if (cs_buf_append(&b, run, (size_t)(s - run)) < 0)
            tk_die_oom();
        if (*s == '"')
            break;
        if (*s != '\\') {
            p->err = *s ? "control character in a string" : "unterminated string";
            cs_buf_free(&b);
            return -1;
        }
        s++;
        switch (*s) {
        case '"': case '\\': case '/': tk_json_put_utf8(&b, (unsigned char)*s); s++; break;
        case 'b': tk_json_put_utf8(&b, '\b'); s++; break;
        case 'f': tk_json_put_utf8(&b, '\f'); s++; break;
        case 'n': tk_json_put_utf8(&b, '\n'); s++; break;
        case 'r': tk_json_put_utf8(&b, '\r'); s++; break;
        case 't': tk_json_put_utf8(&b, '\t'); s++; break;
        case 'u': {
            unsigned cp, lo;
            if (tk_json_hex4(s + 1, &cp) < 0)
                goto bad;
            s += 5;
            if (cp >= 0xD800 && cp < 0xDC00 && s[0] == '\\' && s[1] == 'u' &&
                tk_json_hex4(s + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                s += 6;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            tk_json_put_utf8(&b, cp);
            break;
        }
        default:
            goto bad;
        }
    }
    p->s = s + 1;
    if (!b.data && cs_buf_puts(&b, "") < 0)
        tk_die_oom();
    *out = b.data;
    return 0;
bad:
    p->err = "bad escape in a string";
    cs_buf_free(&b);
    return -1;
}

static int jvalue(jparser *p, tk_json *v, int depth)
{
    memset(v, 0, sizeof *v);
    jskip(p);
    if (depth > MAX_DEPTH) {
        p->err = "nested too deeply";
        return -1;
    }
    switch (*p->s) {
    case '"':
        v->t = TK_JSON_STR;
        return jstring(p, &v->str);
    case '{': case '[': {
        int obj = *p->s == '{';
        size_t cap = 0;
        v->t = obj ? TK_JSON_OBJ : TK_JSON_ARR;
        p->s++;
        jskip(p);
        if (*p->s == (obj ? '}' : ']')) {
            p->s++;
            return 0;
        }
        for (;;) {
            char *key = NULL;
            jskip(p);
            if (obj) {
                if (*p->s != '"' || jstring(p, &key) < 0) {
                    if (!p->err)
                        p->err = "expected a key";
                    return -1;
                }
                jskip(p);
                if (*p->s != ':') {
                    free(key);
                    p->err = "expected ':'";
                    return -1;
                }
                p->s++;
            }
            if (v->n == cap) {
                cap = cap ? cap * 2 : 8;
                v->items = tk_xrealloc(v->items, cap * sizeof *v->items);
                if (obj)
                    v->keys = tk_xrealloc(v->keys, cap * sizeof *v->keys);
            }
            if (obj)
                v->keys[v->n] = key;
            if (jvalue(p, &v->items[v->n], depth + 1) < 0) {
                v->n++;
                return -1;
            }
            v->n++;
            jskip(p);
            if (*p->s == ',') {
                p->s++;
                continue;
            }
            if (*p->s == (obj ? '}' : ']')) {
                p->s++;
                return 0;
            }
            p->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
            return -1;
        }
    }
    case 't':
        if (strncmp(p->s, "true", 4) == 0) { v->t = TK_JSON_BOOL; v->b = 1; p->s += 4; return 0; }
        break;
    case 'f':
        if (strncmp(p->s, "false", 5) == 0) { v->t = TK_JSON_BOOL; p->s += 5; return 0; }
        break;
    case 'n':
        if (strncmp(p->s, "null", 4) == 0) { v->t = TK_JSON_NULL; p->s += 4; return 0; }
        break;
    default: {
        char *end;
        errno = 0;
        v->num = strtod(p->s, &end);
        if (end != p->s && (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))) {
            v->t = TK_JSON_NUM;
            p->s = end;
            return 0;
        }
        break;
    }
    }
    p->err = "unexpected character";
    return -1;
}

/* Parse one whole line; 0 or -1 with *err set. */
static int jparse(const char *s, tk_json *v, const char **err)
{
    jparser p = { s, NULL };
    if (jvalue(&p, v, 0) < 0) {
        tk_json_free(v);
        *err = p.err ? p.err : "malformed JSON";
        return -1;
    }
    jskip(&p);
    if (*p.s) {
        tk_json_free(v);
        *err = "trailing characters after the JSON value";
        return -1;
    }
    return 0;
}

static long jint(const tk_json *o, const char *key, long dflt)
{
    const tk_json *v = tk_json_get(o, key);
    return v && v->t == TK_JSON_NUM ? (long)v->num : dflt;
}

static int jbool(const tk_json *o, const char *key)
{
    const tk_json *v = tk_json_get(o, key);
    return v && v->t == TK_JSON_BOOL && v->b;
}

/* ======================= the two inputs ======================= */

typedef struct tdoc {
    char *file, *doctype, *mrn, *group, *dos, *layout;   /* mrn NULL: not in roster */
    int first, last, in_roster, mrn_printed, mrn_typo;
    int ntext;                 /* text pages */
    long match;                /* manifest document segmented exactly like it, or -1 */
} tdoc;

typedef struct tpage {         /* one truth page, sorted by (file, page) */
    const char *file;
    int page;
    long doc;                  /* truth document, or -1 for a blank back side */
    int seen;                  /* times in the manifest */
    long mdoc;                 /* manifest document holding it, or -1 */
    const char *page_status;   /* on a page line: blank, failed, ... */
} tpage;

typedef struct mdoc {
    char *id, *status, *doctype, *mrn, *dos;
    double doctype_conf, patient_conf;
    char **reasons;
    size_t nreasons;
    char *candidates;          /* a summary of the ranked candidates, for details */
    char *top_mrn;             /* the best candidate's MRN, or NULL */
    long *pages;               /* indexes into the tpage table, -1 unknown */
    char **texts;
    size_t npages;
    long major;                /* truth document holding most pages, or -1 */
    int wrong_patient;
} mdoc;

typedef struct eval {
    tdoc *td; size_t ntd, captd;
    tpage *tp; size_t ntp, captp;
    mdoc *md; size_t nmd, capmd;
    long unknown_pages;        /* manifest pages absent from the truth */
    long other_lines;          /* file lines */
} eval;

static int tpage_cmp(const void *a, const void *b)
{
    const tpage *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->page > y->page) - (x->page < y->page);
}

static long find_page(const eval *e, const char *file, long page)
{
    tpage key = { file, (int)page, 0, 0, 0, NULL };
    tpage *t = bsearch(&key, e->tp, e->ntp, sizeof *e->tp, tpage_cmp);
    return t ? (long)(t - e->tp) : -1;
}

/* Read a file line by line into fn(e, json, lineno).  0 or -1 with err. */
typedef int (*line_fn)(eval *e, const tk_json *v, long lineno, char *err, size_t errlen);

static int read_jsonl(const char *path, eval *e, line_fn fn, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;

    if (!fp)
        return cs_fail(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
    while ((len = getline(&line, &cap, fp)) >= 0) {
        tk_json v;
        const char *jerr;
        lineno++;
        if (len > MAX_LINE) {
            rc = cs_fail(err, errlen, "\"%s\" line %ld: longer than %ld bytes", path, lineno, MAX_LINE);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (jparse(line, &v, &jerr) < 0) {
            rc = cs_fail(err, errlen, "\"%s\" line %ld: %s", path, lineno, jerr);
            break;
        }
        rc = v.t == TK_JSON_OBJ ? fn(e, &v, lineno, err, errlen)
                          : cs_fail(err, errlen, "\"%s\" line %ld: not an object", path, lineno);
        tk_json_free(&v);
        if (rc < 0)
            break;
    }
    if (rc == 0 && ferror(fp))
        rc = cs_fail(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
    free(line);
    fclose(fp);
    return rc;
}

static int truth_line(eval *e, const tk_json *v, long lineno, char *err, size_t errlen)
{
    const char *kind = tk_json_string(v, "kind"), *file = tk_json_string(v, "file");

    if (!kind || !file)
        return cs_fail(err, errlen, "truth line %ld: kind and file are required", lineno);
    if (strcmp(kind, "document") == 0) {
        tdoc *d;
        const char *doctype = tk_json_string(v, "doctype");
        long first = jint(v, "first_page", 0), last = jint(v, "last_page", 0);
        if (!doctype || first < 1 || last < first || last - first > 10000)
            return cs_fail(err, errlen, "truth line %ld: bad document", lineno);
        GROW(e->td, e->ntd, e->captd);
        d = &e->td[e->ntd++];
        memset(d, 0, sizeof *d);
        d->file = tk_xstrdup(file);
        d->doctype = tk_xstrdup(doctype);
        d->mrn = tk_json_string(v, "mrn") ? tk_xstrdup(tk_json_string(v, "mrn")) : NULL;
        d->group = tk_xstrdup(tk_json_string(v, "group") ? tk_json_string(v, "group") : "unknown");
        d->dos = tk_json_string(v, "date_of_service")
                 ? tk_xstrdup(tk_json_string(v, "date_of_service")) : NULL;
        d->layout = tk_xstrdup(tk_json_string(v, "layout") ? tk_json_string(v, "layout") : "");
        d->first = (int)first;
        d->last = (int)last;
        d->in_roster = jbool(v, "in_roster") && d->mrn;
        d->mrn_printed = jbool(v, "mrn_printed");
        d->mrn_typo = jbool(v, "mrn_typo");
        d->match = -1;
        for (long p = first; p <= last; p++) {
            GROW(e->tp, e->ntp, e->captp);
            e->tp[e->ntp++] = (tpage){ d->file, (int)p, (long)(e->ntd - 1), 0, -1, NULL };
        }
    } else if (strcmp(kind, "blank") == 0) {
        long page = jint(v, "page", 0);
        if (page < 1)
            return cs_fail(err, errlen, "truth line %ld: bad page", lineno);
        GROW(e->tp, e->ntp, e->captp);
        e->tp[e->ntp++] = (tpage){ tk_xstrdup(file), (int)page, -1, 0, -1, NULL };
    }
    return 0;
}

/* After reading the truth: sort the pages, mark back sides, count text pages. */
static int truth_finish(eval *e, char *err, size_t errlen)
{
    size_t i, j;

    qsort(e->tp, e->ntp, sizeof *e->tp, tpage_cmp);
    /* a blank back side inside a document's range appears twice: keep the blank */
    for (i = j = 0; i < e->ntp; i++) {
        if (j && tpage_cmp(&e->tp[j - 1], &e->tp[i]) == 0) {
            if (e->tp[i].doc < 0) {
                e->tp[j - 1].doc = -1;
                e->tp[j - 1].file = e->tp[i].file;   /* keep the blank line's own copy */
            }
            continue;
        }
        e->tp[j++] = e->tp[i];
    }
    e->ntp = j;
    for (i = 0; i < e->ntp; i++)
        if (e->tp[i].doc >= 0)
            e->td[e->tp[i].doc].ntext++;
    for (i = 0; i < e->ntd; i++)
        if (e->td[i].ntext == 0)
            return cs_fail(err, errlen, "truth document %zu has no text page", i + 1);
    return 0;
}

static int manifest_line(eval *e, const tk_json *v, long lineno, char *err, size_t errlen)
{
    const char *kind = tk_json_string(v, "kind");

    if (!kind)
        return cs_fail(err, errlen, "manifest line %ld: no kind", lineno);
    if (strcmp(kind, "document") == 0) {
        const tk_json *pages = tk_json_get(v, "pages"), *reasons = tk_json_get(v, "review_reasons");
        const tk_json *cand = tk_json_get(v, "candidates"), *x;
        mdoc *m;
        if (!pages || pages->t != TK_JSON_ARR)
            return cs_fail(err, errlen, "manifest line %ld: a document without pages", lineno);
        GROW(e->md, e->nmd, e->capmd);
        m = &e->md[e->nmd++];
        memset(m, 0, sizeof *m);
        m->id = tk_xstrdup(tk_json_string(v, "id"));
        m->status = tk_xstrdup(tk_json_string(v, "status"));
        m->doctype = tk_xstrdup(tk_json_string(v, "doctype"));
        m->mrn = tk_json_string(v, "patient_mrn")
                 ? tk_xstrdup(tk_json_string(v, "patient_mrn")) : NULL;
        m->dos = tk_json_string(v, "date_of_service")
                 ? tk_xstrdup(tk_json_string(v, "date_of_service")) : NULL;
        x = tk_json_get(v, "doctype_confidence");
        m->doctype_conf = x && x->t == TK_JSON_NUM ? x->num : -1;
        x = tk_json_get(v, "patient_confidence");
        m->patient_conf = x && x->t == TK_JSON_NUM ? x->num : -1;
        m->major = -1;
        if (reasons && reasons->t == TK_JSON_ARR && reasons->n) {
            m->reasons = tk_xrealloc(NULL, reasons->n * sizeof *m->reasons);
            for (size_t i = 0; i < reasons->n; i++)
                if (reasons->items[i].t == TK_JSON_STR)
                    m->reasons[m->nreasons++] = tk_xstrdup(reasons->items[i].str);
        }
        if (cand && cand->t == TK_JSON_ARR) {
            /* keep a short summary: mrn and probability of each candidate */
            cs_buf b = CS_BUF_INIT;
            for (size_t i = 0; i < cand->n && i < 4; i++) {
                const tk_json *c = &cand->items[i], *pr = tk_json_get(c, "probability");
                const char *ag[4] = { tk_json_string(c, "mrn_agreement"),
                                      tk_json_string(c, "birth_date_agreement"),
                                      tk_json_string(c, "last_name_agreement"),
                                      tk_json_string(c, "first_name_agreement") };
                cs_buf_printf(&b, "%s%s(%.3f mrn:%s dob:%s last:%s first:%s)", i ? " " : "",
                              tk_json_string(c, "mrn") ? tk_json_string(c, "mrn") : "?",
                              pr && pr->t == TK_JSON_NUM ? pr->num : -1.0, ag[0] ? ag[0] : "?",
                              ag[1] ? ag[1] : "?", ag[2] ? ag[2] : "?", ag[3] ? ag[3] : "?");
            }
            if (cand->n && tk_json_string(&cand->items[0], "mrn"))
                m->top_mrn = tk_xstrdup(tk_json_string(&cand->items[0], "mrn"));
            m->candidates = b.data ? b.data : tk_xstrdup("");
        }
        m->pages = tk_xrealloc(NULL, (pages->n ? pages->n : 1) * sizeof *m->pages);
        m->texts = tk_xrealloc(NULL, (pages->n ? pages->n : 1) * sizeof *m->texts);
        for (size_t i = 0; i < pages->n; i++) {
            const tk_json *p = &pages->items[i];
            const char *file = tk_json_string(p, "file");
            long k = file ? find_page(e, file, jint(p, "page", 0)) : -1;
            m->pages[m->npages] = k;
            m->texts[m->npages++] = tk_xstrdup(tk_json_string(p, "text"));
            if (k < 0) {
                e->unknown_pages++;
                continue;
            }
            e->tp[k].seen++;
            e->tp[k].mdoc = (long)(e->nmd - 1);
        }
    } else if (strcmp(kind, "page") == 0) {
        const char *file = tk_json_string(v, "file");
        long k = file ? find_page(e, file, jint(v, "page", 0)) : -1;
        if (k < 0) {
            e->unknown_pages++;
            return 0;
        }
        e->tp[k].seen++;
        const char *status = tk_json_string(v, "status");
        e->tp[k].page_status = status && strcmp(status, "blank") == 0 ? "blank" : "failed";
    } else {
        e->other_lines++;
    }
    return 0;
}

static void eval_free(eval *e)
{
    for (size_t i = 0; i < e->ntd; i++) {
        tdoc *d = &e->td[i];
        free(d->file); free(d->doctype); free(d->mrn); free(d->group); free(d->dos); free(d->layout);
    }
    for (size_t i = 0; i < e->ntp; i++)
        if (e->tp[i].doc < 0)
            free((char *)e->tp[i].file);
    for (size_t i = 0; i < e->nmd; i++) {
        mdoc *m = &e->md[i];
        free(m->id); free(m->status); free(m->doctype); free(m->mrn); free(m->dos);
        for (size_t k = 0; k < m->nreasons; k++)
            free(m->reasons[k]);
        for (size_t k = 0; k < m->npages; k++)
            free(m->texts[k]);
        free(m->reasons); free(m->candidates); free(m->top_mrn); free(m->pages); free(m->texts);
    }
    free(e->td);
    free(e->tp);
    free(e->md);
}

/* ======================= scoring ======================= */

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
}

static double pct(long a, long b)
{
    return b ? 100.0 * a / b : 0.0;
}

/* One figure line: name, measured value, target, verdict. */
static int figure(const char *name, long a, long b, int rate, double target, int at_most,
                  int *met, int *total)
{
    char value[48], tgt[24];
    int ok;

    if (rate) {
        snprintf(value, sizeof value, "%.1f%% (%ld/%ld)", pct(a, b), a, b);
        snprintf(tgt, sizeof tgt, ">= %.0f%%", target);
        ok = b > 0 && pct(a, b) >= target;
    } else {
        snprintf(value, sizeof value, "%ld", a);
        snprintf(tgt, sizeof tgt, "%s%.0f", at_most ? "" : ">= ", target);
        ok = at_most ? a <= (long)target : a >= (long)target;
    }
    printf("  %-46s %-20s %-9s %s\n", name, value, target < 0 ? "" : tgt,
           target < 0 ? "" : ok ? "ok" : "MISSED");
    if (target >= 0) {
        *met += ok;
        (*total)++;
    }
    return ok;
}

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
        fprintf(fp, "    truth: %s pages %d-%d %s mrn %s (%s%s%s) dos %s layout %s\n", t->file,
                t->first, t->last, t->doctype, t->mrn ? t->mrn : "absent", t->group,
                t->mrn_printed ? "" : ", no MRN printed", t->mrn_typo ? ", MRN typo" : "",
                t->dos ? t->dos : "-", t->layout);
    if (m->npages)
        put_head(fp, m->texts[0], 14);
}

static int score(eval *e, FILE *details)
{
    long lost = 0, dup = 0, missing = 0, text_as_blank = 0, blank_in_doc = 0, blank_pages = 0;
    long seg_ok = 0, merged = 0, split = 0, junk = 0;
    long docs = 0, filed = 0, dt_ok = 0, dt_ok_filed = 0, wrong = 0;
    long roster_docs = 0, right = 0, dos_ok = 0, dos_n = 0, filed_roster = 0;
    long held = 0, latent_wrong = 0, patient_right = 0;
    long conf[NDT + 1][NDT + 1];
    counters reasons = { 0 }, groups = { 0 };
    struct { long docs, right, wrong, review, other; } g[32];
    const char *gname[32];
    int ng = 0, met = 0, total = 0;
    size_t i, k;

    memset(conf, 0, sizeof conf);
    memset(g, 0, sizeof g);
    /* pages */
    for (i = 0; i < e->ntp; i++) {
        const tpage *p = &e->tp[i];
        if (p->seen != 1) {
            lost++;
            if (p->seen == 0)
                missing++;
            else
                dup++;
            if (details)
                fprintf(details, "page %s: %s page %d in the manifest %d times\n",
                        p->seen ? "duplicated" : "lost", p->file, p->page, p->seen);
        }
        if (p->doc < 0) {
            blank_pages++;
            blank_in_doc += p->mdoc >= 0;
        } else if (p->page_status) {
            text_as_blank++;
            if (details)
                fprintf(details, "text page in no document (%s): %s page %d\n",
                        p->page_status, p->file, p->page);
        }
    }
    /* manifest documents: their majority truth document and checks */
    for (i = 0; i < e->nmd; i++) {
        mdoc *m = &e->md[i];
        long best = -1, bestn = 0, ntext = 0, distinct = 0, prev = -2;
        for (k = 0; k < m->npages; k++) {
            long p = m->pages[k], d, n = 0;
            if (p < 0 || (d = e->tp[p].doc) < 0)
                continue;
            ntext++;
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
        if (ntext == 0) {
            junk++;
            continue;
        }
        if (distinct > 1)
            merged++;
        docs++;
        filed += is_filed(m);
        {
            const tdoc *t = &e->td[best];
            int ok = m->doctype && strcmp(m->doctype, t->doctype) == 0;
            dt_ok += ok;
            if (is_filed(m)) {
                dt_ok_filed += ok;
                filed_roster += t->in_roster;
            }
            conf[dt_index(t->doctype)][dt_index(m->doctype)]++;
            if (ntext == t->ntext && bestn == ntext)
                e->td[best].match = (long)i;
            if (details && !ok)
                detail_doc(details, e, m, "wrong type");
        }
        wrong += m->wrong_patient;
        if (details && m->wrong_patient)
            detail_doc(details, e, m, "WRONG PATIENT");
        if (held_for_type_only(m)) {
            int bad = 0;
            for (k = 0; k < m->npages; k++) {
                long p = m->pages[k], d;
                if (p < 0 || (d = e->tp[p].doc) < 0)
                    continue;
                bad |= !e->td[d].in_roster || !m->top_mrn || strcmp(m->top_mrn, e->td[d].mrn) != 0;
            }
            held++;
            latent_wrong += bad;
            if (details && bad)
                detail_doc(details, e, m, "LATENT WRONG PATIENT (held only for the type)");
        }
        if (!is_filed(m))
            for (k = 0; k < m->nreasons; k++)
                count(&reasons, m->reasons[k], 1);
        if (!is_filed(m) && m->nreasons == 0)
            count(&reasons, "(review without a reason)", 1);
    }
    /* truth documents */
    for (i = 0; i < e->ntd; i++) {
        const tdoc *t = &e->td[i];
        const mdoc *m = t->match >= 0 ? &e->md[t->match] : NULL;
        int gi, is_right;
        char key[96];
        if (m)
            seg_ok++;
        else {
            /* split: its text pages are in more than one manifest document */
            long first = -2, many = 0;
            for (size_t p = 0; p < e->ntp; p++)
                if (e->tp[p].doc == (long)i) {
                    if (first == -2)
                        first = e->tp[p].mdoc;
                    else if (e->tp[p].mdoc != first)
                        many = 1;
                }
            split += many;
            if (details) {
                fprintf(details, "segmentation: truth %s pages %d-%d (%s) not one document:",
                        t->file, t->first, t->last, t->doctype);
                for (size_t p = 0; p < e->ntp; p++)
                    if (e->tp[p].doc == (long)i)
                        fprintf(details, " p%d->%s", e->tp[p].page,
                                e->tp[p].mdoc >= 0 ? e->md[e->tp[p].mdoc].id : "none");
                fputc('\n', details);
            }
        }
        if (m && t->dos) {
            dos_n++;
            dos_ok += m->dos && strcmp(m->dos, t->dos) == 0;
        }
        is_right = m && t->in_roster && is_filed(m) && m->mrn && strcmp(m->mrn, t->mrn) == 0 &&
                   m->doctype && strcmp(m->doctype, t->doctype) == 0;
        if (t->in_roster) {
            roster_docs++;
            right += is_right;
            patient_right += m && ((is_filed(m) && m->mrn && strcmp(m->mrn, t->mrn) == 0) ||
                                   (held_for_type_only(m) && m->top_mrn &&
                                    strcmp(m->top_mrn, t->mrn) == 0));
        }
        if (details && m && t->in_roster && !is_filed(m))
            detail_doc(details, e, m, "review");
        /* hard-case breakdown */
        snprintf(key, sizeof key, "%s%s%s", t->group, t->mrn_typo ? " +MRN typo" : "",
                 t->mrn_printed ? "" : " +no MRN");
        for (gi = 0; gi < ng && strcmp(gname[gi], key) != 0; gi++)
            ;
        if (gi == ng && ng < 32) {
            count(&groups, key, 0);
            gname[ng++] = groups.v[groups.n - 1].key;
        }
        if (gi < 32) {
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
        }
    }

    printf("\nindexing evaluation: %zu truth documents (%ld of roster patients), %zu pages "
           "(%ld blank back sides); manifest: %zu documents\n\n",
           e->ntd, roster_docs, e->ntp, blank_pages, e->nmd);
    printf("  %-46s %-20s %-9s %s\n", "figure", "measured", "target", "");
    figure("pages lost (not in the manifest exactly once)", lost, 0, 0, 0, 1, &met, &total);
    figure("segmentation exact match", seg_ok, (long)e->ntd, 1, 95, 0, &met, &total);
    figure("doctype accuracy, all documents", dt_ok, docs, 1, 95, 0, &met, &total);
    figure("doctype accuracy, auto-filed documents", dt_ok_filed, filed, 1, 99, 0, &met, &total);
    figure("auto-file rate", filed, docs, 1, -1, 0, &met, &total);
    figure("WRONG-patient auto-filings", wrong, 0, 0, 0, 1, &met, &total);
    figure("right-filed (roster patients)", right, roster_docs, 1, 90, 0, &met, &total);
    printf("  targets met: %d of %d\n", met, total);

    printf("\nother figures\n");
    printf("  pages missing %ld, duplicated %ld, unknown to the truth %ld\n", missing, dup,
           e->unknown_pages);
    printf("  text pages in no document (called blank or failed): %ld\n", text_as_blank);
    printf("  blank back sides put into a document: %ld of %ld\n", blank_in_doc, blank_pages);
    printf("  segmentation: %ld manifest documents merge truth documents, %ld truth documents "
           "split, %ld documents of blank pages only\n", merged, split, junk);
    printf("  date of service right (exactly segmented documents): %.1f%% (%ld/%ld)\n",
           pct(dos_ok, dos_n), dos_ok, dos_n);
    printf("  auto-filed of roster patients' documents: %ld; of absent patients': %ld\n",
           filed_roster, filed - filed_roster);
    printf("\npatient matching on its own (documents held in review only for their type\n"
           "count as filed to their best candidate)\n");
    printf("  held only for the document type: %ld\n", held);
    printf("  of those, best candidate WRONG (a wrong filing once the type is sure): %ld\n",
           latent_wrong);
    printf("  right patient, filed or would be (roster patients, exact pages): %.1f%% (%ld/%ld)\n",
           pct(patient_right, roster_docs), patient_right, roster_docs);

    printf("\nreview reasons (documents sent to review: %ld)\n", docs - filed);
    qsort(reasons.v, reasons.n, sizeof *reasons.v, counter_cmp);
    for (i = 0; i < reasons.n; i++)
        printf("  %5ld  %s\n", reasons.v[i].n, reasons.v[i].key);

    printf("\nhard cases (truth documents; right/wrong = filed to the right/another patient)\n");
    printf("  %-40s %5s %6s %6s %6s %6s\n", "group", "docs", "right", "WRONG", "review", "other");
    for (int gi = 0; gi < ng; gi++)
        printf("  %-40s %5ld %6ld %6ld %6ld %6ld\n", gname[gi], g[gi].docs, g[gi].right,
               g[gi].wrong, g[gi].review, g[gi].other);
    printf("  (other: not segmented exactly, or filed though absent from the roster)\n");

    printf("\ndoctype confusion (rows: truth, columns: predicted; manifest documents)\n       ");
    for (int c = 0; c <= NDT; c++)
        printf(" %5s", c < NDT ? ABBREV[c] : "other");
    printf("\n");
    for (int r = 0; r < NDT; r++) {
        printf("  %-5s", ABBREV[r]);
        for (int c = 0; c <= NDT; c++)
            printf(" %5ld", conf[r][c]);
        printf("\n");
    }
    counters_free(&reasons);
    counters_free(&groups);
    return met == total ? 0 : 3;
}

/* ======================= command line ======================= */

static void usage(FILE *fp)
{
    fputs(
"usage: evalscore --truth TRUTH.jsonl --manifest MANIFEST.jsonl [--details FILE] [--strict]\n"
"\n"
"Scores a chartscan manifest (export manifest --with-text) against evalgen's\n"
"truth and prints the indexing figures beside the targets of issue 4, the\n"
"review reasons, a hard-case breakdown and the doctype confusion matrix.\n"
"--details FILE lists every miss with the head of its OCR text (synthetic\n"
"data).  Exit status: 0 figures printed (with --strict: and every target\n"
"met), 1 failure, 2 bad usage, 3 with --strict: a target missed.\n", fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "truth", required_argument, NULL, 't' },
        { "manifest", required_argument, NULL, 'm' },
        { "details", required_argument, NULL, 'd' },
        { "strict", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *truth = NULL, *manifest = NULL, *details_path = NULL;
    char err[CS_ERRLEN] = "";
    FILE *details = NULL;
    eval e;
    int c, strict = 0, rc = 1;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': truth = optarg; break;
        case 'm': manifest = optarg; break;
        case 'd': details_path = optarg; break;
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
    rc = score(&e, details);
    if (!strict)
        rc = 0;
out:
    if (details && fclose(details) != 0 && rc != 1) {
        fprintf(stderr, PROG ": could not write \"%s\"\n", details_path);
        rc = 1;
    }
    eval_free(&e);
    return rc;
}

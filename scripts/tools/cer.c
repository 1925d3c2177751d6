/*
 * cer.c — OCR accuracy against the sample generator's ground truth, for
 * scripts/bench.  Run as build/tools/cer.
 *
 *   cer TRUTH.jsonl --manifest FILE     chartscan's text: the output of
 *                                       "chartscan export manifest --with-text"
 *                                       ("-" reads standard input)
 *   cer TRUTH.jsonl --tess-dir DIR      bare tesseract's text: DIR/FILE.txt for
 *                                       every FILE in the truth, pages
 *                                       separated by form feeds (as
 *                                       "tesseract F stdout" writes them); a
 *                                       missing FILE.txt means no pages
 *   cer TRUTH.jsonl --ocrbench FILE     chartscan's cleanup + OCR as
 *                                       build/tools/ocrbench writes it (page
 *                                       text, rotation and blank flag)
 *   cer zones UZN TXT HYP               UNLV zone scoring of one page (see
 *                                       "cer zones" below)
 *   cer extract ARCHIVE DIR             write the archive's *.tif / *.tiff
 *                                       entries under DIR (so the benchmark
 *                                       needs no unzip or bsdtar)
 *
 * Pages are matched by (file, page).  Both texts are whitespace-normalised
 * (runs of whitespace become one space, ends trimmed) and compared as
 * Unicode code points: the character error rate is the Levenshtein distance
 * summed over pages divided by the reference length summed over pages.  The
 * word error rate is the same over space-separated words.  A truth page with
 * no output counts as all deleted.
 *
 * Output, one line per scope, key=value separated by spaces: first
 * "scope=all", then one per scan type ("scope=g4/300dpi", ...), or, when
 * the truth has the bench generator's "tags", one per tag (a page counts
 * under each of its tags):
 *   scope pages found missing extra ref_chars char_errors cer ref_words
 *   word_errors wer median_cer
 * "extra" counts output pages that are not in the truth; median_cer is
 * the median of the per-page CERs of the pages with reference text.  When
 * the truth has "blank" and "rotation", a last line "scope=flags" counts
 * blank pages found and missed, text pages called blank, and text pages
 * whose reported rotation is the truth's (see count_flags).
 *
 * Exit status: 0 success, 1 failure (message on standard error), 2 bad usage.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"

#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROG "cer"
#define MAX_DEPTH 64

const char tk_prog[] = PROG;

/* A line's "page": a whole number from 1 to 1e9. */
static int jgetpage(const tk_json *o, long *page)
{
    const tk_json *v = tk_json_get(o, "page");
    if (!v || v->t != TK_JSON_NUM || v->num < 1 || v->num > 1e9 || v->num != (double)(long)v->num)
        return -1;
    *page = (long)v->num;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Ground truth and hypotheses.                                        */

typedef struct {
    char *file;
    long page;
    char *type;     /* "g4/300dpi" */
    char *ref;
    char *hyp;      /* NULL: no output for this page */
    char **tags;    /* the bench generator's "tags", or NULL */
    size_t ntags;
    int truth_rotation;   /* degrees that make the page upright; -1: not in the truth */
    int truth_blank;      /* -1: not in the truth */
    int hyp_rotation;     /* -1: the OCR side does not say */
    int hyp_blank;        /* -1: judge by the text (blank when it folds to nothing) */
    int failed;           /* the OCR side reported an error for this page */
} tpage;

static tpage *pages;
static size_t npages;
static long extra;

static int cmp_page(const void *a, const void *b)
{
    const tpage *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return (x->page > y->page) - (x->page < y->page);
}

static tpage *find_page(const char *file, long page)
{
    tpage key = {.file = (char *)file, .page = page};
    return bsearch(&key, pages, npages, sizeof *pages, cmp_page);
}

static FILE *open_in(const char *path)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!fp)
        tk_die("cannot open %s: %s", path, strerror(errno));
    return fp;
}

static void close_in(FILE *fp, const char *path)
{
    if (ferror(fp))
        tk_die("error reading %s", path);
    if (fp != stdin)
        fclose(fp);
}

/* Call fn(obj) for every JSON line of path. */
static void each_line(const char *path, void (*fn)(const tk_json *, const char *, long))
{
    FILE *fp = open_in(path);
    tk_jsonl rd;
    tk_json v;
    int rc;

    tk_jsonl_init(&rd, fp, 0, MAX_DEPTH);
    while ((rc = tk_jsonl_next(&rd, &v)) > 0) {
        fn(&v, path, rd.lineno);
        tk_json_free(&v);
    }
    if (rc < 0)
        tk_die("%s:%ld: bad JSON: %s", path, rd.lineno, rd.err);
    tk_jsonl_free(&rd);
    close_in(fp, path);
}

static size_t pages_cap;

static void truth_line(const tk_json *v, const char *path, long lineno)
{
    const char *file = tk_json_string(v, "file"), *text = tk_json_string(v, "text");
    const char *comp = tk_json_string(v, "compression");
    const tk_json *dpi = tk_json_get(v, "dpi");
    long page;
    char type[64];
    if (v->t != TK_JSON_OBJ)
        tk_die("%s:%ld: not a JSON object", path, lineno);
    if (!file || jgetpage(v, &page) < 0)
        return;   /* an entry without pages ("kind":"skipped" and the like) */
    if (!text)
        tk_die("%s:%ld: page without \"text\"", path, lineno);
    if (npages == pages_cap) {
        pages_cap = pages_cap ? pages_cap * 2 : 64;
        pages = tk_xrealloc(pages, pages_cap * sizeof *pages);
    }
    snprintf(type, sizeof type, "%s/%sdpi", comp ? comp : "?", "?");
    if (dpi && dpi->t == TK_JSON_NUM)
        snprintf(type, sizeof type, "%s/%.0fdpi", comp ? comp : "?", dpi->num);
    memset(&pages[npages], 0, sizeof pages[npages]);
    pages[npages].file = tk_xstrdup(file);
    pages[npages].page = page;
    pages[npages].type = tk_xstrdup(type);
    pages[npages].ref = tk_xstrdup(text);
    pages[npages].hyp = NULL;
    pages[npages].truth_rotation = pages[npages].truth_blank = -1;
    pages[npages].hyp_rotation = pages[npages].hyp_blank = -1;
    {
        const tk_json *rot = tk_json_get(v, "rotation"), *blank = tk_json_get(v, "blank");
        const tk_json *tags = tk_json_get(v, "tags");
        if (rot && rot->t == TK_JSON_NUM)
            pages[npages].truth_rotation = (int)rot->num;
        if (blank && blank->t == TK_JSON_BOOL)
            pages[npages].truth_blank = blank->b;
        if (tags && tags->t == TK_JSON_ARR) {
            pages[npages].tags = tk_xrealloc(NULL, (tags->n ? tags->n : 1) * sizeof(char *));
            for (size_t k = 0; k < tags->n; k++)
                if (tags->items[k].t == TK_JSON_STR)
                    pages[npages].tags[pages[npages].ntags++] = tk_xstrdup(tags->items[k].str);
        }
    }
    npages++;
}

static void set_hyp(const char *file, long page, const char *text, const char *path, long lineno)
{
    tpage *p = find_page(file, page);
    if (!p) {
        extra++;
        return;
    }
    if (p->hyp) {
        fprintf(stderr, PROG ": %s:%ld: page %ld of %s appears twice; keeping the first\n", path,
                lineno, page, file);
        return;
    }
    p->hyp = tk_xstrdup(text ? text : "");
}

static void manifest_line(const tk_json *v, const char *path, long lineno)
{
    const char *kind = tk_json_string(v, "kind");
    long page;
    if (v->t != TK_JSON_OBJ || !kind)
        tk_die("%s:%ld: not a manifest line (no \"kind\")", path, lineno);
    if (!strcmp(kind, "document")) {
        const tk_json *pg = tk_json_get(v, "pages");
        if (!pg || pg->t != TK_JSON_ARR)
            tk_die("%s:%ld: document without \"pages\"", path, lineno);
        for (size_t i = 0; i < pg->n; i++) {
            const char *file = tk_json_string(&pg->items[i], "file");
            if (!file || jgetpage(&pg->items[i], &page) < 0)
                tk_die("%s:%ld: page without \"file\" or \"page\"", path, lineno);
            if (!tk_json_get(&pg->items[i], "text"))
                tk_die("%s:%ld: no page text: run \"chartscan export manifest --with-text\"", path,
                    lineno);
            set_hyp(file, page, tk_json_string(&pg->items[i], "text"), path, lineno);
        }
    } else if (!strcmp(kind, "page")) {
        /* A page in no document: blank ones count as (empty) output, failed or
         * unfinished ones as missing. */
        const char *file = tk_json_string(v, "file"), *status = tk_json_string(v, "status");
        if (file && jgetpage(v, &page) == 0 && status && !strcmp(status, "blank"))
            set_hyp(file, page, tk_json_string(v, "text"), path, lineno);
    }
}

/* A line of ocrbench's output: pages carry text, rotation and blank. */
static void ocrbench_line(const tk_json *v, const char *path, long lineno)
{
    const char *kind = tk_json_string(v, "kind"), *file = tk_json_string(v, "file");
    const tk_json *rot, *blank;
    tpage *p;
    long page;

    if (v->t != TK_JSON_OBJ || !kind)
        tk_die("%s:%ld: not an ocrbench line (no \"kind\")", path, lineno);
    if (strcmp(kind, "page") != 0)
        return;
    if (!file || jgetpage(v, &page) < 0)
        tk_die("%s:%ld: page without \"file\" or \"page\"", path, lineno);
    if ((p = find_page(file, page)) == NULL) {
        extra++;
        return;
    }
    if (p->hyp || p->failed)
        tk_die("%s:%ld: page %ld of %s appears twice", path, lineno, page, file);
    if (tk_json_get(v, "error")) {
        p->failed = 1;   /* no text: scored as all deleted */
        return;
    }
    set_hyp(file, page, tk_json_string(v, "text"), path, lineno);
    rot = tk_json_get(v, "rotation");
    blank = tk_json_get(v, "blank");
    if (rot && rot->t == TK_JSON_NUM)
        p->hyp_rotation = (int)rot->num;
    if (blank && blank->t == TK_JSON_BOOL)
        p->hyp_blank = blank->b;
}

static void read_tess_dir(const char *dir)
{
    for (size_t i = 0; i < npages;) {
        const char *file = pages[i].file;
        size_t j = i;
        while (j < npages && !strcmp(pages[j].file, file))
            j++;
        if (strstr(file, "..") || file[0] == '/')
            tk_die("refusing the truth's file name \"%s\"", file);
        cs_buf path = CS_BUF_INIT, text = CS_BUF_INIT;
        if (cs_buf_printf(&path, "%s/%s.txt", dir, file) < 0)
            tk_die("out of memory");
        FILE *fp = fopen(path.data, "rb");
        if (fp) {
            char chunk[65536];
            size_t n;
            while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
                if (cs_buf_append(&text, chunk, n) < 0)
                    tk_die("out of memory");
            if (ferror(fp))
                tk_die("error reading %s", path.data);
            fclose(fp);
            /* Pages are separated by form feeds; tesseract 5 writes none after
             * the last page, older versions one after every page: a last
             * segment of nothing but whitespace is not a page, unless the
             * truth has that page (a blank last page read as nothing). */
            long k = 1;
            char *s = text.data ? text.data : (char *)"";
            for (;;) {
                char *ff = strchr(s, '\f');
                if (ff)
                    *ff = '\0';
                else if (s[strspn(s, " \t\n\r\v")] == '\0' && (k > 1 || !*s) &&
                         !find_page(file, k))
                    break;
                tpage *p = find_page(file, k);
                if (p)
                    p->hyp = tk_xstrdup(s);
                else
                    extra++;
                if (!ff)
                    break;
                s = ff + 1;
                k++;
            }
        } else if (errno != ENOENT) {
            tk_die("cannot open %s: %s", path.data, strerror(errno));
        }
        cs_buf_free(&path);
        cs_buf_free(&text);
        i = j;
    }
}

/* ------------------------------------------------------------------ */
/* Normalisation and edit distance.                                    */

static int is_space_cp(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
        || c == 0x205F || c == 0x3000;
}

/* Decode UTF-8 (invalid bytes become U+FFFD), collapse whitespace, trim. */
static uint32_t *normalise(const char *s, size_t *len)
{
    size_t n = strlen(s), out = 0;
    uint32_t *v = tk_xrealloc(NULL, (n + 1) * sizeof *v);
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    int pending_space = 0;
    while (p < end) {
        uint32_t c;
        int extra_bytes;
        if (*p < 0x80) {
            c = *p; extra_bytes = 0;
        } else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2) {
            c = *p & 0x1F; extra_bytes = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            c = *p & 0x0F; extra_bytes = 2;
        } else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4) {
            c = *p & 0x07; extra_bytes = 3;
        } else {
            c = 0xFFFD; extra_bytes = -1;
        }
        p++;
        if (extra_bytes > 0) {
            int k;
            for (k = 0; k < extra_bytes && p + k < end && (p[k] & 0xC0) == 0x80; k++)
                c = (c << 6) | (p[k] & 0x3F);
            if (k < extra_bytes || (extra_bytes == 2 && c < 0x800) || (extra_bytes == 3 && c < 0x10000)
                || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
                c = 0xFFFD;
                p += k;
            } else {
                p += extra_bytes;
            }
        }
        if (is_space_cp(c)) {
            pending_space = out > 0;
            continue;
        }
        if (pending_space)
            v[out++] = ' ';
        pending_space = 0;
        v[out++] = c;
    }
    *len = out;
    return v;
}

#define NO_WILDCARD UINT32_MAX

/*
 * Levenshtein distance between a[0..n) and b[0..m), two rows.  An element
 * of a equal to wildcard (NO_WILDCARD for none) matches any one element of
 * b at no cost.
 */
static size_t lev(const uint32_t *a, size_t n, const uint32_t *b, size_t m, uint32_t wildcard)
{
    if (n == 0)
        return m;
    if (m == 0)
        return n;
    size_t *prev = tk_xrealloc(NULL, (m + 1) * sizeof *prev);
    size_t *cur = tk_xrealloc(NULL, (m + 1) * sizeof *cur);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1] && a[i - 1] != wildcard);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            if (del < d)
                d = del;
            if (ins < d)
                d = ins;
            cur[j] = d;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[m];
    free(prev);
    free(cur);
    return d;
}

/* Words of a normalised text as ids: equal words get equal ids, through an
 * open-addressing hash table of every word seen. */
typedef struct {
    uint32_t *start;    /* NULL: empty slot */
    size_t len;
    uint32_t id;
} word;

static word *vocab;
static size_t vocab_used, vocab_cap;   /* vocab_cap: a power of two */

static uint64_t hash_word(const uint32_t *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint32_t intern(const uint32_t *s, size_t len)
{
    if (2 * (vocab_used + 1) > vocab_cap) {
        size_t ncap = vocab_cap ? vocab_cap * 2 : 1024;
        word *nv = tk_xrealloc(NULL, ncap * sizeof *nv);
        memset(nv, 0, ncap * sizeof *nv);
        for (size_t i = 0; i < vocab_cap; i++) {
            if (!vocab[i].start)
                continue;
            size_t k = hash_word(vocab[i].start, vocab[i].len) & (ncap - 1);
            while (nv[k].start)
                k = (k + 1) & (ncap - 1);
            nv[k] = vocab[i];
        }
        free(vocab);
        vocab = nv;
        vocab_cap = ncap;
    }
    size_t k = hash_word(s, len) & (vocab_cap - 1);
    while (vocab[k].start) {
        if (vocab[k].len == len && !memcmp(vocab[k].start, s, len * sizeof *s))
            return vocab[k].id;
        k = (k + 1) & (vocab_cap - 1);
    }
    vocab[k].start = memcpy(tk_xrealloc(NULL, (len ? len : 1) * sizeof *s), s, len * sizeof *s);
    vocab[k].len = len;
    vocab[k].id = (uint32_t)vocab_used++;
    return vocab[k].id;
}

static uint32_t *words(const uint32_t *s, size_t n, size_t *nw)
{
    uint32_t *w = tk_xrealloc(NULL, (n / 2 + 2) * sizeof *w);
    size_t k = 0, i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ' ')
            j++;
        w[k++] = intern(s + i, j - i);
        i = j + 1;
    }
    *nw = k;
    return w;
}

typedef struct {
    const char *scope;
    long pages, found, missing;
    size_t ref_chars, char_errors, ref_words, word_errors;
    double *page_cer;     /* CER of each page with reference text, for the median */
    size_t ncer;
} stats;

static void add(stats *s, const stats *t, double page_cer)
{
    s->pages += t->pages;
    s->found += t->found;
    s->missing += t->missing;
    s->ref_chars += t->ref_chars;
    s->char_errors += t->char_errors;
    s->ref_words += t->ref_words;
    s->word_errors += t->word_errors;
    if (page_cer >= 0) {
        s->page_cer = tk_xrealloc(s->page_cer, (s->ncer + 1) * sizeof *s->page_cer);
        s->page_cer[s->ncer++] = page_cer;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_stats(stats *s, long extra_pages)
{
    printf("scope=%s pages=%ld found=%ld missing=%ld extra=%ld ref_chars=%zu char_errors=%zu "
           "cer=%.4f ref_words=%zu word_errors=%zu wer=%.4f median_cer=%.4f\n",
           s->scope, s->pages, s->found, s->missing, extra_pages, s->ref_chars, s->char_errors,
           s->ref_chars ? (double)s->char_errors / (double)s->ref_chars : 0.0, s->ref_words,
           s->word_errors, s->ref_words ? (double)s->word_errors / (double)s->ref_words : 0.0,
           median(s->page_cer, s->ncer));
}

static stats *scope_of(stats **by, size_t *nby, const char *name)
{
    size_t k;
    for (k = 0; k < *nby && strcmp((*by)[k].scope, name); k++)
        ;
    if (k == *nby) {
        *by = tk_xrealloc(*by, (*nby + 1) * sizeof **by);
        memset(&(*by)[*nby], 0, sizeof **by);
        (*by)[(*nby)++].scope = name;
    }
    return &(*by)[k];
}

/*
 * Blank pages and orientation, when the truth has them (the bench
 * generator's): a page is called blank when the OCR side says so or, when
 * it does not say, when its text folds to nothing; orientation is right
 * on a text page when the rotation reported (0 when none is) equals the
 * truth's.  Pages without output count as wrong on both.
 */
typedef struct {
    long text_pages, blank_pages, called_blank, blank_tp, blank_fp, blank_fn;
    long orient_pages, orient_right, orient_known, failed;
} flags;

static void count_flags(flags *f, const tpage *p, size_t hyp_chars)
{
    int called = p->hyp_blank >= 0 ? p->hyp_blank : (p->hyp != NULL && hyp_chars == 0);

    f->failed += p->failed;
    f->orient_known |= p->hyp_rotation >= 0;
    if (p->truth_blank < 0)
        return;
    f->called_blank += called;
    if (p->truth_blank) {
        f->blank_pages++;
        f->blank_tp += called;
        f->blank_fn += !called;
        return;
    }
    f->text_pages++;
    f->blank_fp += called;
    if (p->truth_rotation >= 0) {
        int said = p->hyp_rotation >= 0 ? p->hyp_rotation : 0;
        f->orient_pages++;
        f->orient_right += p->hyp != NULL && said % 360 == p->truth_rotation % 360;
    }
}

/*
 * One line per scope: "all", then one per tag when the truth has tags (a
 * page counts in each of its tags), else one per scan type; then, when the
 * truth marks blank pages, "scope=flags" with the counts of struct flags.
 */
static void score(void)
{
    stats all = {.scope = "all"};
    stats *by = NULL;
    size_t nby = 0;
    flags f = {0};
    int have_flags = 0;

    for (size_t i = 0; i < npages; i++) {
        tpage *p = &pages[i];
        stats t = {.pages = 1};
        size_t rn, hn, rw, hw;
        uint32_t *r = normalise(p->ref, &rn);
        uint32_t *h = normalise(p->hyp ? p->hyp : "", &hn);
        uint32_t *rwv = words(r, rn, &rw), *hwv = words(h, hn, &hw);
        double page_cer;
        t.found = p->hyp != NULL;
        t.missing = p->hyp == NULL;
        t.ref_chars = rn;
        t.char_errors = lev(r, rn, h, hn, NO_WILDCARD);
        t.ref_words = rw;
        t.word_errors = lev(rwv, rw, hwv, hw, NO_WILDCARD);
        page_cer = rn ? (double)t.char_errors / (double)rn : -1;
        free(r);
        free(h);
        free(rwv);
        free(hwv);
        add(&all, &t, page_cer);
        if (p->tags) {
            for (size_t k = 0; k < p->ntags; k++)
                add(scope_of(&by, &nby, p->tags[k]), &t, page_cer);
        } else {
            add(scope_of(&by, &nby, p->type), &t, page_cer);
        }
        if (p->truth_blank >= 0)
            have_flags = 1;
        count_flags(&f, p, hn);
    }
    print_stats(&all, extra);
    for (size_t k = 0; k < nby; k++)
        print_stats(&by[k], 0);
    if (have_flags)
        printf("scope=flags text_pages=%ld blank_pages=%ld called_blank=%ld blank_tp=%ld "
               "blank_fp=%ld blank_fn=%ld orient_pages=%ld orient_right=%ld orient_known=%ld "
               "failed=%ld\n",
               f.text_pages, f.blank_pages, f.called_blank, f.blank_tp, f.blank_fp, f.blank_fn,
               f.orient_pages, f.orient_right, f.orient_known, f.failed);
    for (size_t k = 0; k < nby; k++)
        free(by[k].page_cer);
    free(all.page_cer);
    free(by);
}

/* ------------------------------------------------------------------ */
/* cer zones UZN TXT HYP                                               */

/*
 * UNLV-style zone scoring.  UZN lists the zones, one a line: "left top
 * width height type" in pixels of the page as stored.  TXT is the zones'
 * texts concatenated in UZN order, zones separated by two empty lines
 * ("\n\n\n"; a zone's own text has at most one).  HYP is either ocrbench's
 * output with --words (its first page) or tesseract's TSV output.
 *
 * Each recognised word goes to the first zone holding the centre of its
 * box; a zone's text is its words in the order the engine gave them
 * (reading order) joined by spaces.  When TXT splits into as many texts as
 * there are zones, each zone is compared with its own text and the edit
 * distances are summed; otherwise the zones' texts, concatenated, are
 * compared with the whole of TXT (mode=whole).  '~' in TXT (the UNLV mark
 * for a character it could not represent) matches any one character.
 * Words outside every zone are not scored.
 */
typedef struct zone {
    long x, y, w, h;
    cs_buf text;
} zone;

typedef struct hword {
    double cx, cy;
    char *text;
} hword;

static hword *hwords;
static size_t nhwords, hwords_cap;
static int hyp_pages, hyp_failed, hyp_no_boxes;

static void add_hword(double x, double y, double w, double h, const char *text)
{
    if (nhwords == hwords_cap) {
        hwords_cap = hwords_cap ? hwords_cap * 2 : 256;
        hwords = tk_xrealloc(hwords, hwords_cap * sizeof *hwords);
    }
    hwords[nhwords].cx = x + w / 2;
    hwords[nhwords].cy = y + h / 2;
    hwords[nhwords].text = tk_xstrdup(text);
    nhwords++;
}

static zone *read_uzn(const char *path, size_t *nzones)
{
    FILE *fp = open_in(path);
    char *line = NULL;
    size_t cap = 0, n = 0;
    zone *z = NULL;
    long lineno = 0;

    while (getline(&line, &cap, fp) >= 0) {
        long v[4];
        int used = 0;
        lineno++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (sscanf(line, "%ld %ld %ld %ld %n", &v[0], &v[1], &v[2], &v[3], &used) != 4 || used == 0
            || v[0] < 0 || v[1] < 0 || v[2] <= 0 || v[3] <= 0)
            tk_die("%s:%ld: expected \"left top width height type\"", path, lineno);
        z = tk_xrealloc(z, (n + 1) * sizeof *z);
        memset(&z[n], 0, sizeof z[n]);
        z[n].x = v[0];
        z[n].y = v[1];
        z[n].w = v[2];
        z[n].h = v[3];
        n++;
    }
    free(line);
    close_in(fp, path);
    if (n == 0)
        tk_die("%s lists no zones", path);
    *nzones = n;
    return z;
}

static void zone_hyp_line(const tk_json *v, const char *path, long lineno)
{
    const char *kind = tk_json_string(v, "kind");
    const tk_json *w, *nw;
    long page;

    if (v->t != TK_JSON_OBJ || !kind || strcmp(kind, "page") != 0 || jgetpage(v, &page) < 0 ||
        page != 1)
        return;
    hyp_pages++;
    if (tk_json_get(v, "error")) {
        hyp_failed = 1;
        return;
    }
    w = tk_json_get(v, "words");
    nw = tk_json_get(v, "nwords");
    if (!w || w->t != TK_JSON_ARR)
        tk_die("%s:%ld: page without \"words\": run ocrbench with --words", path, lineno);
    if (w->n == 0 && nw && nw->t == TK_JSON_NUM && nw->num == 0 && tk_json_string(v, "text") &&
        tk_json_string(v, "text")[strspn(tk_json_string(v, "text"), " \t\r\n\f")] != '\0')
        hyp_no_boxes = 1;   /* text but no word boxes: cs_ocr_page does not fill words yet */
    for (size_t i = 0; i < w->n; i++) {
        const tk_json *a = &w->items[i];
        if (a->t != TK_JSON_ARR || a->n < 5 || a->items[0].t != TK_JSON_NUM ||
            a->items[1].t != TK_JSON_NUM || a->items[2].t != TK_JSON_NUM ||
            a->items[3].t != TK_JSON_NUM || a->items[4].t != TK_JSON_STR)
            tk_die("%s:%ld: a word is not [x,y,w,h,\"text\",...]", path, lineno);
        add_hword(a->items[0].num, a->items[1].num, a->items[2].num, a->items[3].num,
                  a->items[4].str);
    }
}

/* Tesseract's TSV: level page block par line word left top width height conf text. */
static void read_tsv(const char *path)
{
    FILE *fp = open_in(path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;

    while ((n = getline(&line, &cap, fp)) >= 0) {
        char *f[12], *s = line;
        int k;
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (lineno == 1) {
            if (strncmp(line, "level\t", 6) != 0)
                tk_die("%s: not tesseract TSV output (no header line)", path);
            continue;
        }
        for (k = 0; k < 12 && s; k++) {
            f[k] = s;
            s = k < 11 ? strchr(s, '\t') : NULL;
            if (s)
                *s++ = '\0';
        }
        if (k < 12)
            continue;   /* rows above word level may have no text column */
        if (atoi(f[0]) != 5 || atoi(f[1]) != 1 || f[11][strspn(f[11], " ")] == '\0')
            continue;
        add_hword(atof(f[6]), atof(f[7]), atof(f[8]), atof(f[9]), f[11]);
    }
    free(line);
    close_in(fp, path);
    hyp_pages = 1;
}

static int zones(const char *uzn, const char *txt, const char *hyp)
{
    size_t nz, nseg = 0, in_zones = 0, ref_chars = 0, errors = 0, i, k;
    zone *z = read_uzn(uzn, &nz);
    cs_buf truth = CS_BUF_INIT, all = CS_BUF_INIT;
    char **seg = NULL, *s;
    const char *base = strrchr(txt, '/') ? strrchr(txt, '/') + 1 : txt;
    FILE *fp;
    int per_zone, first;

    /* the hypothesis: TSV or ocrbench's JSON lines, told apart by the first byte */
    fp = open_in(hyp);
    first = fgetc(fp);
    close_in(fp, hyp);
    if (first == '{')
        each_line(hyp, zone_hyp_line);
    else
        read_tsv(hyp);
    if (hyp_pages == 0)
        tk_die("%s has no page 1", hyp);

    for (i = 0; i < nhwords; i++)
        for (k = 0; k < nz; k++)
            if (hwords[i].cx >= z[k].x && hwords[i].cx < z[k].x + z[k].w &&
                hwords[i].cy >= z[k].y && hwords[i].cy < z[k].y + z[k].h) {
                if ((z[k].text.len && cs_buf_puts(&z[k].text, " ") < 0) ||
                    cs_buf_puts(&z[k].text, hwords[i].text) < 0)
                    tk_die("out of memory");
                in_zones++;
                break;
            }

    fp = open_in(txt);
    {
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            if (cs_buf_append(&truth, chunk, n) < 0)
                tk_die("out of memory");
    }
    close_in(fp, txt);
    for (s = truth.data ? truth.data : (char *)""; s;) {
        char *sep = strstr(s, "\n\n\n");
        if (sep) {
            *sep = '\0';
            sep += 3;
            sep += strspn(sep, "\n");   /* more empty lines belong to the separator */
        }
        if (s[strspn(s, " \t\r\n\f")] != '\0') {
            seg = tk_xrealloc(seg, (nseg + 1) * sizeof *seg);
            seg[nseg++] = s;
        }
        s = sep;
    }
    per_zone = nseg == nz;
    for (k = 0; k < (per_zone ? nz : 1); k++) {
        size_t rn, hn;
        uint32_t *r, *h;
        if (per_zone) {
            r = normalise(seg[k], &rn);
            h = normalise(z[k].text.data ? z[k].text.data : "", &hn);
        } else {
            for (i = 0; i < nz; i++)
                if ((all.len && cs_buf_puts(&all, " ") < 0) ||
                    cs_buf_puts(&all, z[i].text.data ? z[i].text.data : "") < 0)
                    tk_die("out of memory");
            for (i = 0; i < nseg; i++)   /* rejoin what the split cut */
                seg[i][strlen(seg[i])] = i + 1 < nseg ? ' ' : '\0';
            r = normalise(nseg ? seg[0] : "", &rn);
            h = normalise(all.data ? all.data : "", &hn);
        }
        ref_chars += rn;
        errors += lev(r, rn, h, hn, '~');
        free(r);
        free(h);
    }
    printf("scope=zones file=%s zones=%zu mode=%s words=%zu words_in_zones=%zu ref_chars=%zu "
           "char_errors=%zu cer=%.4f failed=%d no_boxes=%d\n",
           base, nz, per_zone ? "per-zone" : "whole", nhwords, in_zones, ref_chars, errors,
           ref_chars ? (double)errors / (double)ref_chars : 0.0, hyp_failed, hyp_no_boxes);
    for (k = 0; k < nz; k++)
        cs_buf_free(&z[k].text);
    for (i = 0; i < nhwords; i++)
        free(hwords[i].text);
    free(hwords);
    free(z);
    free(seg);
    cs_buf_free(&truth);
    cs_buf_free(&all);
    return 0;
}

/* ------------------------------------------------------------------ */
/* cer extract ARCHIVE DIR                                             */

static int safe_name(const char *name)
{
    if (!*name || name[0] == '/' || strlen(name) > CS_MAX_ENTRY_NAME)
        return 0;
    for (const char *s = name; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        s += n + (e != NULL);
        if (e && !*s)
            return 0;
    }
    return 1;
}

static int is_tiff_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && !strcasecmp(name + n - 4, ".tif")) || (n > 5 && !strcasecmp(name + n - 5, ".tiff"));
}

static void mkdirs_for(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            tk_die("cannot create %s: %s", path, strerror(errno));
        *s = '/';
    }
}

static int extract(const char *archive, const char *dir)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    long files = 0;
    int r;
    if (!a)
        tk_die("out of memory");
    archive_read_support_format_all(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_filename(a, archive, 65536) != ARCHIVE_OK)
        tk_die("cannot open %s: %s", archive, archive_error_string(a));
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        if (archive_entry_filetype(e) != AE_IFREG || !name || !is_tiff_name(name))
            continue;
        if (!safe_name(name)) {
            fprintf(stderr, PROG ": skipping unsafe entry name in %s\n", archive);
            continue;
        }
        cs_buf path = CS_BUF_INIT;
        if (cs_buf_printf(&path, "%s/%s", dir, name) < 0)
            tk_die("out of memory");
        mkdirs_for(path.data);
        FILE *fp = fopen(path.data, "wb");
        if (!fp)
            tk_die("cannot create %s: %s", path.data, strerror(errno));
        char chunk[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, chunk, sizeof chunk)) > 0)
            if (fwrite(chunk, 1, (size_t)n, fp) != (size_t)n)
                tk_die("cannot write %s: %s", path.data, strerror(errno));
        if (n < 0)
            tk_die("%s: reading entry %s: %s", archive, name, archive_error_string(a));
        if (fclose(fp) != 0)
            tk_die("cannot write %s: %s", path.data, strerror(errno));
        cs_buf_free(&path);
        files++;
    }
    if (r != ARCHIVE_EOF)
        tk_die("%s: %s", archive, archive_error_string(a));
    archive_read_free(a);
    printf("%ld\n", files);
    return 0;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *fp)
{
    fputs("usage: cer TRUTH.jsonl --manifest FILE|-\n"
          "       cer TRUTH.jsonl --tess-dir DIR\n"
          "       cer TRUTH.jsonl --ocrbench FILE|-\n"
          "       cer zones UZN TXT HYP\n"
          "       cer extract ARCHIVE DIR\n"
          "Character and word error rates of OCR output against the sample generator's\n"
          "truth.jsonl, matched by (file, page); see the comment at the top of cer.c.\n",
          fp);
}

int main(int argc, char **argv)
{
    if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "extract"))
        return extract(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "zones"))
        return zones(argv[2], argv[3], argv[4]);
    if (argc != 4 || (strcmp(argv[2], "--manifest") && strcmp(argv[2], "--tess-dir") &&
                      strcmp(argv[2], "--ocrbench"))) {
        usage(stderr);
        return 2;
    }
    each_line(argv[1], truth_line);
    if (npages == 0)
        tk_die("%s has no pages", argv[1]);
    qsort(pages, npages, sizeof *pages, cmp_page);
    for (size_t i = 1; i < npages; i++)
        if (!cmp_page(&pages[i - 1], &pages[i]))
            tk_die("%s: page %ld of %s appears twice", argv[1], pages[i].page, pages[i].file);
    if (!strcmp(argv[2], "--manifest"))
        each_line(argv[3], manifest_line);
    else if (!strcmp(argv[2], "--ocrbench"))
        each_line(argv[3], ocrbench_line);
    else
        read_tess_dir(argv[3]);
    score();
    for (size_t i = 0; i < npages; i++) {
        free(pages[i].file);
        free(pages[i].type);
        free(pages[i].ref);
        free(pages[i].hyp);
        for (size_t k = 0; k < pages[i].ntags; k++)
            free(pages[i].tags[k]);
        free(pages[i].tags);
    }
    free(pages);
    for (size_t i = 0; i < vocab_cap; i++)
        free(vocab[i].start);
    free(vocab);
    if (fflush(stdout) != 0 || ferror(stdout))
        tk_die("error writing the output");
    return 0;
}

/*
 * evalgen.c — the labelled evaluation set of the indexing stage (issue 4),
 * run by scripts/eval-index: a patient roster full of look-alikes, a zip of
 * scanned chart stacks, the truth of every document and blank page, and
 * the training fold of the real transcriptions for `chartscan train`.
 *
 * Design:
 *   - Bodies are real: rows of doctype-train.csv (id,doctype,text) are split
 *     by a hash of their id into five folds; fold --fold is held out.  The
 *     documents' bodies come only from it, and train.csv gets the others,
 *     so the classifier never sees a body it is evaluated on.
 *   - Everything around a body is generated: facility or letterhead, a
 *     title, a header block in one of several layouts (MRN labels, name and
 *     date formats, distractor numbers), continuation headers, "Page n of m"
 *     footers, a signature.  One TIFF holds a chart stack of 1-3 documents
 *     of one patient, without separator sheets; a duplex file has an empty
 *     back side after every page.
 *   - The roster is built around hard cases: twins (same last name and
 *     birth date), same first and last name with another birth date, same
 *     last name, MRN neighbours (one digit apart).  Documents favour those
 *     patients; 5% of documents (rounded up) belong to patients absent from
 *     the roster, most of them look-alikes of roster patients; a few print
 *     an MRN with a typo that lands on the MRN neighbour's; some letters
 *     print only the name and birth date.
 *   - Deterministic for a seed: splitmix64 streams, never rand().
 *
 * Pages go layout -> PostScript -> one gs call per file (300 dpi grey PNG)
 * -> Leptonica (mild skew, speckle, threshold for G4) -> multi-page TIFF ->
 * zip entry (libarchive).  The rendering helpers are samplegen.c's, shared
 * in scripts/tools/lib/render.c.
 * Messages carry file names and counts, never patient data.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"

#include <archive.h>
#include <archive_entry.h>
#include <leptonica/allheaders.h>

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "evalgen"
#define FILES_PER_BOX 25
#define MAX_DOCS_PER_FILE 3
#define MAX_PAGES_PER_DOC 3
#define MAX_BODY_BYTES (1 << 20)

const char tk_prog[] = PROG;

/* ======================= small helpers ======================= */

__attribute__((format(printf, 2, 3)))
static void bprintf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tk_buf_vprintf(b, 1024, fmt, ap);
    va_end(ap);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
    return h;
}

/* ======================= invented names ======================= */

static const char *const last_prefix[] = {
    "Ash", "Bram", "Cal", "Dun", "Ell", "Fen", "Gar", "Hal", "Ives", "Kes",
    "Lang", "Mar", "Nor", "Oak", "Pen", "Quin", "Rad", "Sel", "Thorn", "Vel",
    "Wex", "Yar", "Brock", "Crane", "Dell", "Hart", "Lind", "Mor", "Stan", "Whit",
};
static const char *const last_suffix[] = {
    "ford", "wick", "ton", "ley", "more", "by", "dale", "son", "well",
    "hurst", "field", "stead", "cott", "brook", "ridge", "lowe", "man", "worth",
};
static const char *const first_female[] = {
    "Maren", "Delia", "Orla", "Tessaly", "Brielle", "Corinne", "Ilsa", "Junia",
    "Liora", "Marisol", "Nessa", "Odette", "Perrin", "Rosalind", "Sabine",
    "Talia", "Verity", "Wren", "Yvaine", "Zelda", "Anouk", "Celestine",
    "Agnes", "Beatrix", "Clara", "Edith", "Greta", "Harriet", "Imogen", "Lenora",
};
static const char *const first_male[] = {
    "Anselm", "Bastian", "Cormac", "Dorian", "Emrys", "Fitzroy", "Gideon",
    "Hollis", "Idris", "Jory", "Lucan", "Merrick", "Nolan", "Osric", "Percival",
    "Rowan", "Soren", "Tobin", "Ulric", "Wystan", "Alder", "Caspian",
    "Ambrose", "Barnaby", "Cyril", "Edmund", "Gilbert", "Horace", "Leopold", "Milo",
};
static const char *const facilities[] = {
    "RIVERBEND GENERAL HOSPITAL", "ST. AGATHA MEDICAL CENTER",
    "NORTHFIELD COMMUNITY HOSPITAL", "LAKESHORE REGIONAL MEDICAL CENTER",
    "PINE HOLLOW MEMORIAL HOSPITAL", "MERCY VALLEY HEALTH SYSTEM",
};
static const char *const clinics[] = {
    "Riverbend Cardiology Associates", "Northfield Neurology Clinic",
    "Lakeshore Orthopedic Group", "Pine Hollow Family Medicine",
    "St. Agatha Surgical Specialists", "Valley Gastroenterology",
};
static const char *const streets[] = {
    "Elm Street", "Harbor Road", "Mill Lane", "Orchard Avenue", "Station Road",
    "Kings Way", "Maple Drive",
};
static const char *const towns[] = {
    "Riverbend", "Northfield", "Lakeshore", "Pine Hollow", "Ashby", "Marlow",
};
static const char *const months[] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
};

static void make_surname(tk_rng *r, char *out, size_t n)
{
    snprintf(out, n, "%s%s", TK_PICK(r, last_prefix), TK_PICK(r, last_suffix));
}

static const char *first_name(tk_rng *r, char sex)
{
    return sex == 'F' ? TK_PICK(r, first_female) : TK_PICK(r, first_male);
}

/* ======================= dates ======================= */

typedef tk_date date;

static int date_eq(date a, date b)
{
    return a.y == b.y && a.m == b.m && a.d == b.d;
}

enum { DF_MDY0, DF_MDY, DF_ISO, DF_DMONY, DF_LONG, DF_COUNT };

/* 03/14/1952, 3/14/1952, 1952-03-14, 14-Mar-1952, March 14, 1952 */
static void format_date(date d, int fmt, char *out, size_t n)
{
    switch (fmt) {
    case DF_MDY0: snprintf(out, n, "%02d/%02d/%04d", d.m, d.d, d.y); break;
    case DF_MDY: snprintf(out, n, "%d/%d/%04d", d.m, d.d, d.y); break;
    case DF_ISO: snprintf(out, n, "%04d-%02d-%02d", d.y, d.m, d.d); break;
    case DF_DMONY: snprintf(out, n, "%02d-%.3s-%04d", d.d, months[d.m - 1], d.y); break;
    default: snprintf(out, n, "%s %d, %04d", months[d.m - 1], d.d, d.y); break;
    }
}

/* ======================= roster ======================= */

/* What makes a patient hard to match; the truth's "group". */
enum group {
    G_PLAIN, G_TWIN, G_SAME_NAME, G_SAME_LAST, G_MRN_NEIGHBOUR,
    G_OUT_SAME_NAME, G_OUT_TWIN, G_OUT_MRN_NEAR, G_OUT_OTHER, G_COUNT
};
static const char *const group_names[G_COUNT] = {
    "plain", "twin", "same-name-other-dob", "same-last-name", "mrn-neighbour",
    "absent-same-name", "absent-same-last-and-dob", "absent-mrn-near", "absent-other",
};

typedef struct patient {
    char mrn[9];
    char last[24], first[24], middle[24];
    char sex;
    date dob;
    int group;
    int in_roster;
    int neighbour;           /* roster index of the MRN neighbour, or -1 */
} patient;

static int mrn_distance1(const char *a, const char *b)   /* same length, one substitution */
{
    int diff = 0;
    for (; *a && *b; a++, b++)
        diff += *a != *b;
    return *a == *b && diff == 1;
}

/* 1 when mrn equals or is one substitution from any of the n patients' MRNs. */
static int mrn_clashes(const patient *pts, long n, const char *mrn, int allow_near)
{
    for (long i = 0; i < n; i++) {
        if (strcmp(pts[i].mrn, mrn) == 0)
            return 1;
        if (!allow_near && mrn_distance1(pts[i].mrn, mrn))
            return 1;
    }
    return 0;
}

static void random_mrn(tk_rng *r, const patient *pts, long n, char out[9])
{
    do
        snprintf(out, 9, "%08u", 10000000u + tk_rng_below(r, 90000000u));
    while (mrn_clashes(pts, n, out, 0));
}

/* An MRN one digit from base, absent from pts. */
static void neighbour_mrn(tk_rng *r, const patient *pts, long n, const char *base, char out[9])
{
    do {
        int pos = (int)tk_rng_below(r, 8), d;
        snprintf(out, 9, "%s", base);
        do
            d = pos == 0 ? tk_rng_range(r, 1, 9) : tk_rng_range(r, 0, 9);
        while (d == base[pos] - '0');
        out[pos] = (char)('0' + d);
    } while (mrn_clashes(pts, n, out, 1));
}

static void random_person(tk_rng *r, patient *p)
{
    memset(p, 0, sizeof *p);
    make_surname(r, p->last, sizeof p->last);
    p->sex = tk_rng_below(r, 2) ? 'F' : 'M';
    snprintf(p->first, sizeof p->first, "%s", first_name(r, p->sex));
    if (tk_rng_percent(r, 75))
        snprintf(p->middle, sizeof p->middle, "%s", first_name(r, p->sex));
    p->dob = tk_random_date(r, 1932, 2006);
    p->neighbour = -1;
}

/* A first name of the given sex other than avoid. */
static void other_first(tk_rng *r, char sex, const char *avoid, char *out, size_t n)
{
    const char *f;
    do
        f = first_name(r, sex);
    while (strcmp(f, avoid) == 0);
    snprintf(out, n, "%s", f);
}

static date other_dob(tk_rng *r, date avoid)
{
    date d;
    do
        d = tk_random_date(r, 1932, 2006);
    while (date_eq(d, avoid));
    return d;
}

/*
 * The roster: look-alike pairs first (a base patient and its derived
 * partner, both in the group), then plain patients; finally shuffled so
 * that partners are not adjacent in roster.csv.
 */
static patient *make_roster(uint64_t seed, long n)
{
    tk_rng r = tk_rng_stream(seed, 1);
    patient *pts = tk_xcalloc((size_t)n, sizeof *pts);
    long pairs = n / 20 < 2 ? 2 : n / 20, i = 0, k, g;

    if (n < 4 * 2 * 2)
        pairs = 0;     /* too small for look-alikes: all plain */
    for (g = G_TWIN; g <= G_MRN_NEIGHBOUR && pairs; g++)
        for (k = 0; k < pairs && i + 1 < n; k++) {
            patient *a = &pts[i], *b = &pts[i + 1];
            random_person(&r, a);
            random_mrn(&r, pts, i, a->mrn);
            random_person(&r, b);
            switch (g) {
            case G_TWIN:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                other_first(&r, b->sex, a->first, b->first, sizeof b->first);
                b->dob = a->dob;
                break;
            case G_SAME_NAME:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                memcpy(b->first, a->first, sizeof b->first);
                b->sex = a->sex;
                b->dob = other_dob(&r, a->dob);
                break;
            case G_SAME_LAST:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                b->dob = other_dob(&r, a->dob);
                break;
            default:
                break;
            }
            if (g == G_MRN_NEIGHBOUR) {
                neighbour_mrn(&r, pts, i + 1, a->mrn, b->mrn);
                a->neighbour = (int)(i + 1);
                b->neighbour = (int)i;
            } else {
                random_mrn(&r, pts, i + 1, b->mrn);
            }
            a->group = b->group = (int)g;
            i += 2;
        }
    for (; i < n; i++) {
        random_person(&r, &pts[i]);
        random_mrn(&r, pts, i, pts[i].mrn);
    }
    for (i = 0; i < n; i++)
        pts[i].in_roster = 1;
    {
        /* shuffle through a permutation so that neighbour links can follow */
        long *perm = tk_xcalloc((size_t)n, sizeof *perm), *inv = tk_xcalloc((size_t)n, sizeof *inv);
        patient *old = pts;
        for (i = 0; i < n; i++)
            perm[i] = i;
        for (i = n - 1; i > 0; i--) {
            long j = (long)tk_rng_below(&r, (unsigned)(i + 1)), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        pts = tk_xcalloc((size_t)n, sizeof *pts);
        for (i = 0; i < n; i++) {
            pts[i] = old[perm[i]];
            inv[perm[i]] = i;
        }
        for (i = 0; i < n; i++)
            if (pts[i].neighbour >= 0)
                pts[i].neighbour = (int)inv[pts[i].neighbour];
        free(old);
        free(perm);
        free(inv);
    }
    return pts;
}

/* A patient absent from the roster, of group g, modelled on roster patient base. */
static void make_outsider(tk_rng *r, const patient *roster, long n, int g, patient *p)
{
    const patient *base = &roster[tk_rng_below(r, (unsigned)n)];

    random_person(r, p);
    p->group = g;
    if (g == G_OUT_SAME_NAME) {
        snprintf(p->last, sizeof p->last, "%s", base->last);
        snprintf(p->first, sizeof p->first, "%s", base->first);
        p->sex = base->sex;
        p->dob = other_dob(r, base->dob);
    } else if (g == G_OUT_TWIN) {
        snprintf(p->last, sizeof p->last, "%s", base->last);
        other_first(r, p->sex, base->first, p->first, sizeof p->first);
        p->dob = base->dob;
    }
    if (g == G_OUT_MRN_NEAR)
        neighbour_mrn(r, roster, n, base->mrn, p->mrn);
    else
        random_mrn(r, roster, n, p->mrn);
}

static void roster_csv(const patient *pts, long n, cs_buf *b)
{
    tk_buf_puts(b, "mrn,last_name,first_name,middle_name,birth_date,sex\n");
    for (long i = 0; i < n; i++) {
        const patient *p = &pts[i];
        bprintf(b, "%s,%s,%s,%s,%04d-%02d-%02d,%c\n", p->mrn, p->last, p->first, p->middle,
                p->dob.y, p->dob.m, p->dob.d, p->sex);
    }
}

/* ======================= the transcriptions and their folds ======================= */

static const struct doctype {
    const char *code;
    const char *titles[4];    /* none for letters: they open with a letterhead */
    int weight;               /* share of the generated documents, percent */
} doctypes[] = {
    { "discharge_summary", { "DISCHARGE SUMMARY", "HOSPITAL DISCHARGE SUMMARY" }, 12 },
    { "history_physical", { "HISTORY AND PHYSICAL", "CONSULTATION",
                            "HISTORY AND PHYSICAL EXAMINATION", "CONSULTATION REPORT" }, 18 },
    { "progress_note", { "PROGRESS NOTE", "CLINIC PROGRESS NOTE" }, 15 },
    { "operative_report", { "OPERATIVE REPORT", "OPERATIVE NOTE" }, 20 },
    { "radiology_report", { "RADIOLOGY REPORT", "DIAGNOSTIC IMAGING REPORT" }, 15 },
    { "ed_note", { "EMERGENCY DEPARTMENT RECORD", "EMERGENCY DEPARTMENT NOTE" }, 10 },
    { "letter", { NULL }, 10 },
};
#define NTYPES ((int)NELEM(doctypes))
#define T_LETTER (NTYPES - 1)

typedef struct body {
    char *id;
    int type;
    char *text;              /* ASCII, as laid out */
    int used;
} body;

typedef struct corpus {
    body *v[NTYPES];         /* eval fold, by type */
    size_t n[NTYPES];
    size_t next[NTYPES];     /* rotation when a type runs out */
    long train_rows, eval_rows;
} corpus;

/*
 * Courier in StandardEncoding has no accents: map the few non-ASCII
 * characters of the transcriptions to ASCII, everything else to '-'.
 */
static char *asciify(const char *s)
{
    cs_buf b = CS_BUF_INIT;
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        if (*u < 0x80) {
            if (*u == '\n' || (*u >= 0x20 && *u < 0x7F))
                tk_buf_append(&b, (const char *)u, 1);
            else if (*u == '\t')
                tk_buf_puts(&b, " ");
            u++;
            continue;
        }
        if (u[0] == 0xC2 && u[1] == 0xB0)
            tk_buf_puts(&b, " degrees");
        else if (u[0] == 0xC2 && u[1] == 0xB5)
            tk_buf_puts(&b, "u");
        else if (u[0] == 0xC3 && (u[1] == 0xA9 || u[1] == 0xA8))
            tk_buf_puts(&b, "e");
        else if (u[0] == 0xEF && u[1] == 0xBF && u[2] == 0xBD)
            tk_buf_puts(&b, "'");
        else if (u[0] != 0xC2 || u[1] != 0xAE)
            tk_buf_puts(&b, "-");
        u++;
        while ((*u & 0xC0) == 0x80)
            u++;
    }
    if (!b.data)
        tk_buf_puts(&b, "");
    return b.data;
}

/*
 * A letter's body without its own opening (date, addressee, "RE:", "Dear
 * ...:") and closing ("Sincerely," and the signature): the generator
 * prints its own, with the patient's name.
 */
static void strip_letter_ends(char *text)
{
    char *s = text, *dear = NULL, *close;
    int line;

    /* and without its closing: the generator signs it */
    for (close = strstr(text, "Sincerely"); close; close = strstr(close + 1, "Sincerely"))
        if (close == text || close[-1] == '\n') {
            *close = '\0';
            break;
        }

    for (line = 0; line < 14 && *s; line++) {
        if (strncmp(s, "Dear ", 5) == 0) {
            dear = s;
            break;
        }
        s = strchr(s, '\n');
        if (!s)
            break;
        s++;
    }
    if (!dear)
        return;
    s = strchr(dear, '\n');
    s = s ? s + 1 : dear + strlen(dear);
    while (*s == '\n')
        s++;
    memmove(text, s, strlen(s) + 1);
}

static int type_index(const char *code)
{
    for (int t = 0; t < NTYPES; t++)
        if (strcmp(doctypes[t].code, code) == 0)
            return t;
    return -1;
}

/*
 * Read the transcriptions, write the training fold to train_path (id,
 * doctype, text, as read) and keep the held-out fold in *c.  A row is
 * held out when the FNV-1a hash of its id is fold modulo 5.
 */
static int load_corpus(const char *data, const char *train_path, int fold, corpus *c,
                       char *err, size_t errlen)
{
    FILE *fp = NULL;
    cs_csv *csv = NULL;
    cs_buf out = CS_BUF_INIT;
    char **f;
    size_t nf, cap[NTYPES] = { 0 };
    int idc = -1, tc = -1, xc = -1, got, rc = -1;

    memset(c, 0, sizeof *c);
    if ((fp = fopen(data, "r")) == NULL)
        return cs_fail(err, errlen, "could not open \"%s\": %s", data, strerror(errno));
    if ((csv = cs_csv_open(fp, MAX_BODY_BYTES)) == NULL)
        tk_die_oom();
    if (cs_csv_next(csv, &f, &nf) != 1) {
        cs_fail(err, errlen, "\"%s\" has no header row", data);
        goto out;
    }
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(f[i], "id") == 0) idc = (int)i;
        else if (strcmp(f[i], "doctype") == 0) tc = (int)i;
        else if (strcmp(f[i], "text") == 0) xc = (int)i;
    }
    if (idc < 0 || tc < 0 || xc < 0) {
        cs_fail(err, errlen, "\"%s\": the header needs the columns id, doctype and text", data);
        goto out;
    }
    tk_buf_puts(&out, "id,doctype,text\n");
    while ((got = cs_csv_next(csv, &f, &nf)) == 1) {
        int t;
        body *b;
        if (nf <= (size_t)idc || nf <= (size_t)tc || nf <= (size_t)xc) {
            cs_fail(err, errlen, "\"%s\" line %ld: too few fields", data, cs_csv_line(csv));
            goto out;
        }
        if (fnv1a(f[idc]) % 5 != (uint64_t)fold) {
            tk_buf_csv(&out, f[idc]);
            tk_buf_puts(&out, ",");
            tk_buf_csv(&out, f[tc]);
            tk_buf_puts(&out, ",\"");
            for (const char *s = f[xc]; *s; s++) {
                if (*s == '"')
                    tk_buf_puts(&out, "\"");
                tk_buf_append(&out, s, 1);
            }
            tk_buf_puts(&out, "\"\n");
            c->train_rows++;
            continue;
        }
        c->eval_rows++;
        if ((t = type_index(f[tc])) < 0)
            continue;                  /* a type we do not generate: not evaluated */
        if (c->n[t] == cap[t]) {
            cap[t] = cap[t] ? cap[t] * 2 : 64;
            c->v[t] = realloc(c->v[t], cap[t] * sizeof *c->v[t]);
            if (!c->v[t])
                tk_die_oom();
        }
        b = &c->v[t][c->n[t]++];
        b->id = tk_xstrdup(f[idc]);
        b->type = t;
        b->text = asciify(f[xc]);
        b->used = 0;
        if (t == T_LETTER)
            strip_letter_ends(b->text);
    }
    if (got < 0) {
        cs_fail(err, errlen, "\"%s\" line %ld: %s", data, cs_csv_line(csv), cs_csv_error(csv));
        goto out;
    }
    for (int t = 0; t < NTYPES; t++)
        if (c->n[t] == 0) {
            cs_fail(err, errlen, "\"%s\": fold %d holds no %s", data, fold, doctypes[t].code);
            goto out;
        }
    if (tk_write_file(train_path, out.data, out.len, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    cs_buf_free(&out);
    cs_csv_free(&csv);
    fclose(fp);
    return rc;
}

static void corpus_free(corpus *c)
{
    for (int t = 0; t < NTYPES; t++) {
        for (size_t i = 0; i < c->n[t]; i++) {
            free(c->v[t][i].id);
            free(c->v[t][i].text);
        }
        free(c->v[t]);
    }
    memset(c, 0, sizeof *c);
}

/* A body of type t: unused ones first (in a seeded order), then reuse in turn. */
static const body *take_body(corpus *c, int t, tk_rng *r)
{
    size_t n = c->n[t], start = tk_rng_below(r, (unsigned)n);
    for (size_t k = 0; k < n; k++) {
        body *b = &c->v[t][(start + k) % n];
        if (!b->used) {
            b->used = 1;
            return b;
        }
    }
    return &c->v[t][c->next[t]++ % n];
}

/* ======================= page layout ======================= */

enum line_style { ST_BODY, ST_BOLD, ST_TITLE, ST_FACILITY, ST_SMALL };

static const struct { const char *font; int size; int advance; int centred; } styles[] = {
    [ST_BODY]     = { "Courier",      11, 13, 0 },
    [ST_BOLD]     = { "Courier-Bold", 11, 13, 0 },
    [ST_TITLE]    = { "Courier-Bold", 15, 24, 1 },
    [ST_FACILITY] = { "Courier-Bold", 12, 16, 1 },
    [ST_SMALL]    = { "Courier",       9, 12, 1 },
};

#define PAGE_W    612
#define PAGE_H    792
#define MARGIN_X  72
#define TOP_Y     730
#define BOTTOM_Y  90
#define FOOTER_Y  48
#define WRAP_COLS 70

typedef struct line { int style; char *text; } line;

typedef struct page {
    line *lines;
    int n, cap;
    int y;                   /* next baseline */
    int blank;               /* a back side */
    char footer[32];
    double skew;
} page;

typedef struct file_pages {
    page *v;
    int n, cap;
} file_pages;

static page *page_new(file_pages *fp, int blank)
{
    page *pg;
    if (fp->n == fp->cap) {
        fp->cap = fp->cap ? fp->cap * 2 : 8;
        fp->v = realloc(fp->v, (size_t)fp->cap * sizeof *fp->v);
        if (!fp->v)
            tk_die_oom();
    }
    pg = &fp->v[fp->n++];
    memset(pg, 0, sizeof *pg);
    pg->y = TOP_Y;
    pg->blank = blank;
    return pg;
}

static void page_add(page *p, int style, const char *text)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->lines = realloc(p->lines, (size_t)p->cap * sizeof *p->lines);
        if (!p->lines)
            tk_die_oom();
    }
    p->lines[p->n].style = style;
    p->lines[p->n].text = tk_xstrdup(text);
    p->n++;
    p->y -= styles[style].advance;
}

__attribute__((format(printf, 3, 4)))
static void page_addf(page *p, int style, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    page_add(p, style, tmp);
}

static int page_room(const page *p)          /* body lines that still fit */
{
    return (p->y - BOTTOM_Y) / styles[ST_BODY].advance;
}

static void file_pages_free(file_pages *fp)
{
    for (int p = 0; p < fp->n; p++) {
        for (int i = 0; i < fp->v[p].n; i++)
            free(fp->v[p].lines[i].text);
        free(fp->v[p].lines);
    }
    free(fp->v);
    memset(fp, 0, sizeof *fp);
}

/* Word-wrap one source line to WRAP_COLS columns into out (a list of lines). */
typedef struct strlist { char **v; int n, cap; } strlist;

static void strlist_add(strlist *l, const char *s, size_t n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, (size_t)l->cap * sizeof *l->v);
        if (!l->v)
            tk_die_oom();
    }
    l->v[l->n] = tk_xcalloc(n + 1, 1);
    memcpy(l->v[l->n], s, n);
    l->n++;
}

static void strlist_free(strlist *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static void wrap_text(const char *text, strlist *out)
{
    const char *s = text;
    int blank_run = 1;        /* drop leading blank lines and runs of them */

    while (*s) {
        size_t len = strcspn(s, "\n");
        const char *e = s + len, *w = s;
        char buf[WRAP_COLS + 1];
        int col = 0;

        while (w < e && *w == ' ')
            w++;
        if (w == e) {
            if (!blank_run)
                strlist_add(out, "", 0);
            blank_run = 1;
        } else {
            blank_run = 0;
            while (w < e) {
                size_t wl = 0;
                while (w + wl < e && w[wl] != ' ')
                    wl++;
                if (wl > WRAP_COLS)
                    wl = WRAP_COLS;
                if (col && col + 1 + (int)wl > WRAP_COLS) {
                    strlist_add(out, buf, (size_t)col);
                    col = 0;
                }
                if (col)
                    buf[col++] = ' ';
                memcpy(buf + col, w, wl);
                col += (int)wl;
                w += wl;
                while (w < e && *w == ' ')
                    w++;
            }
            strlist_add(out, buf, (size_t)col);
        }
        s = *e ? e + 1 : e;
    }
    while (out->n && out->v[out->n - 1][0] == '\0')
        free(out->v[--out->n]);
}

/* ======================= documents ======================= */

enum { NF_LAST_FIRST, NF_LAST_FIRST_MIXED, NF_FIRST_LAST, NF_FIRST_LAST_UPPER, NF_COUNT };

typedef struct document {
    int type;
    const body *body;
    const patient *pt;
    int layout;              /* header layout, 0..N_LAYOUTS-1 (letters: their own) */
    int name_fmt, dob_fmt, dos_fmt;
    date dos;
    int print_mrn;
    char printed_mrn[9];     /* what the header shows: a typo makes it the neighbour's */
    int mrn_typo;
    int footer;              /* "Page n of m" */
    int cont_style;          /* continuation header on later pages, 0 none */
    int target_pages;
    const char *title;
    int first_page, last_page;    /* 1-based in the file, back sides included */
} document;

#define N_LAYOUTS 6

static void format_name(const patient *pt, int fmt, char *out, size_t n)
{
    char tmp[96];
    size_t i;

    if (fmt == NF_LAST_FIRST || fmt == NF_LAST_FIRST_MIXED) {
        if (pt->middle[0])
            snprintf(tmp, sizeof tmp, "%s, %s %c", pt->last, pt->first, pt->middle[0]);
        else
            snprintf(tmp, sizeof tmp, "%s, %s", pt->last, pt->first);
    } else if (pt->middle[0]) {
        snprintf(tmp, sizeof tmp, "%s %c. %s", pt->first, pt->middle[0], pt->last);
    } else {
        snprintf(tmp, sizeof tmp, "%s %s", pt->first, pt->last);
    }
    if (fmt == NF_LAST_FIRST || fmt == NF_FIRST_LAST_UPPER)
        for (i = 0; tmp[i]; i++)
            tmp[i] = (char)toupper((unsigned char)tmp[i]);
    snprintf(out, n, "%s", tmp);
}

/* Distractor numbers: account, encounter, visit (as long as an MRN), phone. */
static void distractors(tk_rng *r, char *acct, char *enc, char *visit, char *phone, size_t n)
{
    snprintf(acct, n, "%u%05u", 10000 + tk_rng_below(r, 89999), tk_rng_below(r, 100000));
    snprintf(enc, n, "%s%u", tk_rng_below(r, 2) ? "E" : "", 10000000 + tk_rng_below(r, 89999999));
    snprintf(visit, n, "%u", 10000000 + tk_rng_below(r, 89999999));
    snprintf(phone, n, "(555) %03u-%04u", 200 + tk_rng_below(r, 800), tk_rng_below(r, 10000));
}

/* The header block of a first page, in layout doc->layout. */
static void header_block(page *pg, const document *doc, tk_rng *r)
{
    char name[96], dob[40], dos[40], acct[24], enc[24], visit[24], phone[24];
    const char *mrn = doc->printed_mrn;

    format_name(doc->pt, doc->name_fmt, name, sizeof name);
    format_date(doc->pt->dob, doc->dob_fmt, dob, sizeof dob);
    format_date(doc->dos, doc->dos_fmt, dos, sizeof dos);
    distractors(r, acct, enc, visit, phone, sizeof acct);
    switch (doc->layout) {
    case 0:
        page_addf(pg, ST_BODY, "Patient: %s", name);
        page_addf(pg, ST_BODY, "MRN: %s", mrn);
        page_addf(pg, ST_BODY, "DOB: %s", dob);
        page_addf(pg, ST_BODY, "Date of Service: %s", dos);
        page_addf(pg, ST_BODY, "Acct #: %s", acct);
        break;
    case 1:
        page_addf(pg, ST_BODY, "Name: %-30s MR#: %s", name, mrn);
        page_addf(pg, ST_BODY, "Birth Date: %-24s Visit #: %s", dob, visit);
        page_addf(pg, ST_BODY, "Admission Date: %-20s Phone: %s", dos, phone);
        break;
    case 2:       /* the bare '#' after the name */
        page_addf(pg, ST_BODY, "%s   #%s", name, mrn);
        page_addf(pg, ST_BODY, "D.O.B. %s      Encounter: %s", dob, enc);
        page_addf(pg, ST_BODY, "Date: %s", dos);
        break;
    case 3:
        page_addf(pg, ST_BODY, "PATIENT NAME: %s", name);
        page_addf(pg, ST_BODY, "MEDICAL RECORD NO.: %s", mrn);
        page_addf(pg, ST_BODY, "DATE OF BIRTH: %s", dob);
        page_addf(pg, ST_BODY, "ACCOUNT NUMBER: %s", acct);
        page_addf(pg, ST_BODY, "DATE OF EXAM: %s", dos);
        break;
    case 4:
        page_addf(pg, ST_BODY, "Med Rec #: %-20s Encounter #: %s", mrn, enc);
        page_addf(pg, ST_BODY, "Patient: %s", name);
        page_addf(pg, ST_BODY, "DOB: %-25s Phone: %s", dob, phone);
        page_addf(pg, ST_BODY, "Visit Date: %s", dos);
        break;
    default:
        page_addf(pg, ST_BODY, "Unit No.: %s", mrn);
        page_addf(pg, ST_BODY, "Patient Name: %s", name);
        page_addf(pg, ST_BODY, "Birthdate: %s      Sex: %c", dob, doc->pt->sex);
        page_addf(pg, ST_BODY, "Date of Service: %s", dos);
        page_addf(pg, ST_BODY, "Visit: %s", visit);
        break;
    }
}

/* A letter's opening: letterhead, date, addressee, "Re:", "Dear Dr.". */
static void letter_opening(page *pg, const document *doc, tk_rng *r, char *drname, size_t drn)
{
    char name[96], dob[40], dos[40], tmp[64];
    const char *clinic = TK_PICK(r, clinics);

    format_name(doc->pt, doc->name_fmt, name, sizeof name);
    format_date(doc->pt->dob, doc->dob_fmt, dob, sizeof dob);
    format_date(doc->dos, doc->dos_fmt, dos, sizeof dos);
    page_add(pg, ST_FACILITY, clinic);
    snprintf(tmp, sizeof tmp, "(555) %03u-%04u", 200 + tk_rng_below(r, 800), tk_rng_below(r, 10000));
    page_addf(pg, ST_SMALL, "%d %s, %s    Tel %s", tk_rng_range(r, 10, 990), TK_PICK(r, streets),
              TK_PICK(r, towns), tmp);
    page_add(pg, ST_BODY, "");
    page_add(pg, ST_BODY, dos);
    page_add(pg, ST_BODY, "");
    make_surname(r, drname, drn);
    page_addf(pg, ST_BODY, "%s %s, MD", first_name(r, tk_rng_below(r, 2) ? 'F' : 'M'), drname);
    page_addf(pg, ST_BODY, "%d %s", tk_rng_range(r, 10, 990), TK_PICK(r, streets));
    page_addf(pg, ST_BODY, "%s", TK_PICK(r, towns));
    page_add(pg, ST_BODY, "");
    page_addf(pg, ST_BODY, "Re: %s", name);
    page_addf(pg, ST_BODY, "DOB: %s", dob);
    if (doc->print_mrn)
        page_addf(pg, ST_BODY, "MRN: %s", doc->printed_mrn);
    page_add(pg, ST_BODY, "");
    page_addf(pg, ST_BODY, "Dear Dr. %s:", drname);
    page_add(pg, ST_BODY, "");
}

static void continuation_header(page *pg, const document *doc, int pageno)
{
    char name[96], dob[40];

    format_name(doc->pt, doc->name_fmt, name, sizeof name);
    format_date(doc->pt->dob, doc->dob_fmt, dob, sizeof dob);
    switch (doc->cont_style) {
    case 1:
        if (doc->print_mrn)
            page_addf(pg, ST_BODY, "%s    MRN: %s    (continued)", name, doc->printed_mrn);
        else
            page_addf(pg, ST_BODY, "%s    (continued)", name);
        break;
    case 2:
        page_addf(pg, ST_BODY, "Patient: %s    DOB: %s    Page %d", name, dob, pageno);
        break;
    case 3:
        page_addf(pg, ST_BODY, "%s (continued)", doc->title ? doc->title : "LETTER");
        break;
    default:
        if (doc->print_mrn)
            page_addf(pg, ST_BODY, "%s    MR# %s", name, doc->printed_mrn);
        else
            page_addf(pg, ST_BODY, "%s", name);
        break;
    }
    page_add(pg, ST_BODY, "");
}

/*
 * Lay out one document onto the file's pages (a back side after each page
 * when duplex): first-page header, the body wrapped and cut to at most
 * target_pages pages, a signature, footers.  Sets first_page/last_page.
 */
static void layout_document(file_pages *fp, document *doc, int duplex, tk_rng *r)
{
    strlist lines = { 0 };
    char drname[32], signer[32], sdate[40];
    page *pg;
    int pages = 1, i, first_index = fp->n;
    const int reserve = 4;     /* signature lines on the last page */

    wrap_text(doc->body->text, &lines);
    doc->first_page = fp->n + 1;
    pg = page_new(fp, 0);
    if (doc->type == T_LETTER) {
        letter_opening(pg, doc, r, drname, sizeof drname);
    } else {
        page_add(pg, ST_FACILITY, TK_PICK(r, facilities));
        page_add(pg, ST_TITLE, doc->title);
        header_block(pg, doc, r);
        page_add(pg, ST_BODY, "");
    }
    for (i = 0; i < lines.n; i++) {
        if (page_room(pg) <= (pages == doc->target_pages ? reserve : 0)) {
            if (pages == doc->target_pages)
                break;                              /* the rest of the body is cut */
            if (lines.v[i][0] == '\0')
                continue;                           /* no blank line to open a page */
            if (duplex)
                page_new(fp, 1);
            pg = page_new(fp, 0);
            pages++;
            if (doc->cont_style)
                continuation_header(pg, doc, pages);
        }
        page_add(pg, lines.v[i][0] && isupper((unsigned char)lines.v[i][0]) &&
                         strchr(lines.v[i], ':') && strlen(lines.v[i]) < 40 ? ST_BOLD : ST_BODY,
                 lines.v[i]);
    }
    if (pg->n && pg->lines[pg->n - 1].text[0])
        page_add(pg, ST_BODY, "");
    make_surname(r, signer, sizeof signer);
    if (doc->type == T_LETTER) {
        page_add(pg, ST_BODY, "Sincerely,");
        page_addf(pg, ST_BODY, "%c. %s, MD", 'A' + (int)tk_rng_below(r, 26), drname);
    } else {
        date sd = doc->dos;
        sd.d = sd.d < tk_days_in_month(sd.y, sd.m) ? sd.d + 1 : 1;
        if (sd.d == 1)
            sd.m = sd.m % 12 + 1, sd.y += sd.m == 1;
        format_date(sd, DF_MDY0, sdate, sizeof sdate);
        page_addf(pg, ST_BODY, "Electronically signed by %c. %s, MD on %s",
                  'A' + (int)tk_rng_below(r, 26), signer, sdate);
    }
    if (duplex)
        page_new(fp, 1);
    doc->last_page = fp->n;
    if (doc->footer) {
        int k = 0;
        for (i = first_index; i < fp->n; i++)
            if (!fp->v[i].blank)
                snprintf(fp->v[i].footer, sizeof fp->v[i].footer, "Page %d of %d", ++k, pages);
    }
    strlist_free(&lines);
}

static void ps_line(cs_buf *b, int st, int y, const char *text)
{
    int x = MARGIN_X;
    if (!text[0])
        return;
    if (styles[st].centred)
        x = (int)((PAGE_W - strlen(text) * 0.6 * styles[st].size) / 2);
    bprintf(b, "/%s findfont %d scalefont setfont %d %d moveto ", styles[st].font,
            styles[st].size, x, y);
    tk_ps_string(b, text);
    tk_buf_puts(b, " show\n");
}

static void file_ps(const file_pages *fp, cs_buf *b)
{
    bprintf(b, "%%!PS-Adobe-3.0\n%%%%Pages: %d\n%%%%EndComments\n", fp->n);
    bprintf(b, "<< /PageSize [%d %d] >> setpagedevice\n", PAGE_W, PAGE_H);
    for (int p = 0; p < fp->n; p++) {
        const page *pg = &fp->v[p];
        int y = TOP_Y;
        bprintf(b, "%%%%Page: %d %d\n", p + 1, p + 1);
        for (int i = 0; i < pg->n; i++) {
            ps_line(b, pg->lines[i].style, y, pg->lines[i].text);
            y -= styles[pg->lines[i].style].advance;
        }
        if (pg->footer[0])
            ps_line(b, ST_SMALL, FOOTER_Y, pg->footer);
        tk_buf_puts(b, "showpage\n");
    }
    tk_buf_puts(b, "%%EOF\n");
}

static int run_gs(const char *psfile, const char *pngpattern, char *err, size_t errlen)
{
    int status, rc = tk_gs_render(psfile, pngpattern, 300, &status, err, errlen);

    if (rc <= 0)
        return rc;
    return cs_fail(err, errlen, "gs failed on \"%s\" (status %d)", psfile, status);
}

/* Rendered grey page -> scanned page: skew, speckle, threshold for G4. */
static PIX *degrade_page(const char *png, const page *pg, int g4, tk_rng *r,
                         char *err, size_t errlen)
{
    PIX *rot = NULL, *out = NULL;

    if ((rot = tk_page_read_skewed(png, pg->skew, err, errlen)) == NULL)
        goto out;
    /* a back side: faint noise only (lighter grey dots, fewer of them) */
    tk_speckle(rot, r, pg->blank ? 6000 : 2500, pg->blank ? 60 : 0);
    out = g4 ? pixThresholdToBinary(rot, 160) : pixClone(rot);
    if (!out) {
        cs_fail(err, errlen, "could not threshold rendered page \"%s\"", png);
        goto out;
    }
    pixSetResolution(out, 300, 300);
out:
    pixDestroy(&rot);
    return out;
}

/* ======================= the set ======================= */

typedef struct options {
    const char *out, *data;
    uint64_t seed;
    long docs, patients;
    int fold;
} options;

typedef struct chart {        /* one TIFF: a chart stack of one patient */
    int ndocs;
    int absent;               /* the patient is not in the roster */
    int duplex, g4;
    patient pt;               /* a copy: roster patient or outsider */
    document docs[MAX_DOCS_PER_FILE];
    char entry[64];
} chart;

typedef struct stats {
    long files, pages, blank, docs, absent_docs, typo_docs, no_mrn_docs;
    long by_type[NTYPES];
} stats;

static int pick_type(tk_rng *r)
{
    int total = 0, t, x;
    for (t = 0; t < NTYPES; t++)
        total += doctypes[t].weight;
    x = (int)tk_rng_below(r, (unsigned)total);
    for (t = 0; t < NTYPES - 1; t++) {
        if (x < doctypes[t].weight)
            return t;
        x -= doctypes[t].weight;
    }
    return NTYPES - 1;
}

/* Decide everything about one chart's documents (no pixels yet). */
static void plan_chart(chart *ch, const patient *roster, corpus *c, long *typo_left,
                       long *no_mrn_left, tk_rng *r)
{
    date used[MAX_DOCS_PER_FILE];
    int typo_ok = ch->pt.in_roster && ch->pt.neighbour >= 0;

    for (int k = 0; k < ch->ndocs; k++) {
        document *d = &ch->docs[k];
        int j;
        memset(d, 0, sizeof *d);
        d->type = pick_type(r);
        d->body = take_body(c, d->type, r);
        d->pt = &ch->pt;
        if (d->type != T_LETTER) {
            unsigned nt = 0;
            while (nt < 4 && doctypes[d->type].titles[nt])
                nt++;
            d->title = doctypes[d->type].titles[tk_rng_below(r, nt)];
        }
        d->layout = (int)tk_rng_below(r, N_LAYOUTS);
        d->name_fmt = (int)tk_rng_below(r, NF_COUNT);
        if (d->layout == 2 && tk_rng_percent(r, 70))
            d->name_fmt = NF_LAST_FIRST;          /* "LAST, FIRST M  #MRN" mostly */
        d->dob_fmt = (int)tk_rng_below(r, DF_COUNT);
        d->dos_fmt = (int)tk_rng_below(r, DF_COUNT);
        do {
            d->dos = tk_random_date(r, 2010, 2023);
            for (j = 0; j < k && !date_eq(used[j], d->dos); j++)
                ;
        } while (j < k || d->dos.y <= ch->pt.dob.y);
        used[k] = d->dos;
        d->print_mrn = 1;
        if (d->type == T_LETTER && *no_mrn_left > 0 && tk_rng_percent(r, 60)) {
            d->print_mrn = 0;                    /* only name and birth date */
            --*no_mrn_left;
        }
        snprintf(d->printed_mrn, sizeof d->printed_mrn, "%s", ch->pt.mrn);
        if (d->print_mrn && typo_ok && *typo_left > 0 && tk_rng_percent(r, 50)) {
            snprintf(d->printed_mrn, sizeof d->printed_mrn, "%s", roster[ch->pt.neighbour].mrn);
            d->mrn_typo = 1;
            --*typo_left;
        }
        d->footer = tk_rng_percent(r, 50);
        d->cont_style = tk_rng_percent(r, 65) ? tk_rng_range(r, 1, 4) : 0;
        d->target_pages = tk_rng_percent(r, 45) ? 1 : tk_rng_percent(r, 60) ? 2 : 3;
    }
}

static void truth_document(cs_buf *t, const chart *ch, const document *d)
{
    tk_buf_puts(t, "{\"kind\":\"document\",\"file\":");
    tk_buf_json(t, ch->entry);
    bprintf(t, ",\"first_page\":%d,\"last_page\":%d,\"doctype\":", d->first_page, d->last_page);
    tk_buf_json(t, doctypes[d->type].code);
    tk_buf_puts(t, ",\"mrn\":");
    if (ch->absent)
        tk_buf_puts(t, "null");
    else
        tk_buf_json(t, ch->pt.mrn);
    bprintf(t, ",\"in_roster\":%s,\"group\":\"%s\",\"mrn_printed\":%s,\"mrn_typo\":%s,"
            "\"date_of_service\":\"%04d-%02d-%02d\",\"layout\":\"%s%d\",\"source_id\":",
            ch->absent ? "false" : "true", group_names[ch->pt.group],
            d->print_mrn ? "true" : "false", d->mrn_typo ? "true" : "false",
            d->dos.y, d->dos.m, d->dos.d, d->type == T_LETTER ? "letter" : "header",
            d->type == T_LETTER ? 0 : d->layout);
    tk_buf_json(t, d->body->id);
    tk_buf_puts(t, "}\n");
}

/* Lay out, render, scan and store one chart; append its truth. */
static int make_chart(const char *tmpdir, long i, chart *ch,
                      struct archive *zip, cs_buf *truth, stats *st, tk_rng *r,
                      char *err, size_t errlen)
{
    file_pages fp = { 0 };
    cs_buf ps = CS_BUF_INIT;
    char psfile[4400], pattern[4400], png[4400], tif[4400];
    unsigned char *data = NULL;
    size_t len = 0;
    PIX *pix = NULL;
    int p, k, rc = -1;

    snprintf(ch->entry, sizeof ch->entry, "box%02ld/chart_%04ld.tif", i / FILES_PER_BOX + 1, i + 1);
    for (k = 0; k < ch->ndocs; k++)
        layout_document(&fp, &ch->docs[k], ch->duplex, r);
    for (p = 0; p < fp.n; p++)
        fp.v[p].skew = tk_rng_range(r, -100, 100) / 100.0;
    snprintf(psfile, sizeof psfile, "%s/f%04ld.ps", tmpdir, i + 1);
    snprintf(pattern, sizeof pattern, "%s/f%04ld-%%03d.png", tmpdir, i + 1);
    snprintf(tif, sizeof tif, "%s/f%04ld.tif", tmpdir, i + 1);
    file_ps(&fp, &ps);
    if (tk_write_file(psfile, ps.data, ps.len, err, errlen) < 0 ||
        run_gs(psfile, pattern, err, errlen) < 0)
        goto out;
    for (p = 0; p < fp.n; p++) {
        snprintf(png, sizeof png, "%s/f%04ld-%03d.png", tmpdir, i + 1, p + 1);
        if ((pix = degrade_page(png, &fp.v[p], ch->g4, r, err, errlen)) == NULL)
            goto out;
        unlink(png);
        if (pixWriteTiff(tif, pix, ch->g4 ? IFF_TIFF_G4 : IFF_TIFF_JPEG, p ? "a" : "w") != 0) {
            cs_fail(err, errlen, "could not write TIFF \"%s\"", tif);
            goto out;
        }
        pixDestroy(&pix);
    }
    if (tk_read_file(tif, &data, &len, err, errlen) < 0 ||
        tk_zip_add(zip, ch->entry, data, len, err, errlen) < 0)
        goto out;
    for (k = 0; k < ch->ndocs; k++) {
        const document *d = &ch->docs[k];
        truth_document(truth, ch, d);
        st->docs++;
        st->by_type[d->type]++;
        st->absent_docs += ch->absent;
        st->typo_docs += d->mrn_typo;
        st->no_mrn_docs += !d->print_mrn;
    }
    for (p = 0; p < fp.n; p++)
        if (fp.v[p].blank) {
            tk_buf_puts(truth, "{\"kind\":\"blank\",\"file\":");
            tk_buf_json(truth, ch->entry);
            bprintf(truth, ",\"page\":%d,\"blank\":true}\n", p + 1);
            st->blank++;
        }
    st->pages += fp.n;
    st->files++;
    rc = 0;
out:
    unlink(psfile);
    unlink(tif);
    pixDestroy(&pix);
    free(data);
    cs_buf_free(&ps);
    file_pages_free(&fp);
    return rc;
}

static int run(const options *opt, char *err, size_t errlen)
{
    corpus c;
    patient *roster = NULL;
    chart *charts = NULL;
    long nchart = 0, i, docs = 0, absent_quota, absent = 0, *lookalike = NULL, nlookalike = 0;
    long typo_left = (opt->docs * 2 + 99) / 100;    /* MRN typos: 2%, rounded up */
    long no_mrn_left = (opt->docs * 3 + 99) / 100;  /* letters without MRN: 3% */
    struct archive *zip = NULL;
    cs_buf csv = CS_BUF_INIT, truth = CS_BUF_INIT;
    char path[4400], tmpdir[4400] = "";
    const char *tmp = getenv("TMPDIR");
    tk_rng plan = tk_rng_stream(opt->seed, 2), pick = tk_rng_stream(opt->seed, 3);
    stats st;
    int rc = -1;

    memset(&st, 0, sizeof st);
    if (tk_make_dirs(opt->out, err, errlen) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/train.csv", opt->out);
    if (load_corpus(opt->data, path, opt->fold, &c, err, errlen) < 0)
        return -1;

    roster = make_roster(opt->seed, opt->patients);
    roster_csv(roster, opt->patients, &csv);
    snprintf(path, sizeof path, "%s/roster.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    /* chart sizes first, then which charts belong to absent patients */
    charts = tk_xcalloc((size_t)opt->docs, sizeof *charts);
    while (docs < opt->docs) {
        int n = tk_rng_percent(&plan, 35) ? 1 : tk_rng_percent(&plan, 55) ? 2 : 3;
        if (n > opt->docs - docs)
            n = (int)(opt->docs - docs);
        charts[nchart++].ndocs = n;
        docs += n;
    }
    absent_quota = (opt->docs * 5 + 99) / 100;
    for (long tries = 0; absent < absent_quota && tries < 100000; tries++) {
        chart *ch = &charts[tk_rng_below(&plan, (unsigned)nchart)];
        if (!ch->absent && ch->ndocs <= absent_quota - absent) {
            ch->absent = 1;
            absent += ch->ndocs;
        }
    }
    lookalike = tk_xcalloc((size_t)opt->patients, sizeof *lookalike);
    for (i = 0; i < opt->patients; i++)
        if (roster[i].group != G_PLAIN)
            lookalike[nlookalike++] = i;
    for (i = 0; i < nchart; i++) {
        chart *ch = &charts[i];
        if (ch->absent) {
            static const int og[] = { G_OUT_SAME_NAME, G_OUT_TWIN, G_OUT_MRN_NEAR, G_OUT_OTHER };
            make_outsider(&pick, roster, opt->patients, og[tk_rng_below(&pick, 4)], &ch->pt);
        } else {
            /* half the charts go to look-alikes, when the roster has them */
            long j = (long)tk_rng_below(&pick, (unsigned)opt->patients);
            if (nlookalike && tk_rng_percent(&pick, 50))
                j = lookalike[tk_rng_below(&pick, (unsigned)nlookalike)];
            ch->pt = roster[j];
        }
        ch->duplex = tk_rng_percent(&plan, 25);
        ch->g4 = tk_rng_percent(&plan, 85);
        plan_chart(ch, roster, &c, &typo_left, &no_mrn_left, &plan);
    }

    snprintf(tmpdir, sizeof tmpdir, "%s/evalgen.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        cs_fail(err, errlen, "could not create a temporary folder: %s", strerror(errno));
        tmpdir[0] = '\0';
        goto out;
    }
    snprintf(path, sizeof path, "%s/eval.zip", opt->out);
    if ((zip = archive_write_new()) == NULL)
        tk_die_oom();
    if (archive_write_set_format_zip(zip) != ARCHIVE_OK ||
        archive_write_open_filename(zip, path) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not create zip \"%s\": %s", path,
                archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        goto out;
    }
    for (i = 0; i < nchart; i++) {
        tk_rng r = tk_rng_stream(opt->seed, 1000 + (uint64_t)i);
        if (make_chart(tmpdir, i, &charts[i], zip, &truth, &st, &r, err, errlen) < 0)
            goto out;
    }
    if (archive_write_close(zip) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not finish zip \"%s\": %s", path,
                archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        goto out;
    }
    snprintf(path, sizeof path, "%s/truth.jsonl", opt->out);
    if (tk_write_file(path, truth.data, truth.len, err, errlen) < 0)
        goto out;
    printf(PROG ": %ld documents in %ld files, %ld pages (%ld blank back sides); "
           "%ld documents of absent patients, %ld with an MRN typo, %ld without MRN; "
           "roster of %ld; fold %d held out (%ld rows, %ld left for training)\n",
           st.docs, st.files, st.pages, st.blank, st.absent_docs, st.typo_docs, st.no_mrn_docs,
           opt->patients, opt->fold, c.eval_rows, c.train_rows);
    printf(PROG ": documents by type:");
    for (int t = 0; t < NTYPES; t++)
        printf(" %s %ld%s", doctypes[t].code, st.by_type[t], t < NTYPES - 1 ? "," : "\n");
    rc = 0;
out:
    if (zip)
        archive_write_free(zip);
    if (rc < 0) {
        snprintf(path, sizeof path, "%s/eval.zip", opt->out);
        unlink(path);
    }
    if (tmpdir[0])
        tk_remove_temp_dir(tmpdir);
    cs_buf_free(&truth);
    cs_buf_free(&csv);
    free(lookalike);
    free(charts);
    free(roster);
    corpus_free(&c);
    return rc;
}

/* ======================= command line ======================= */

static void usage(FILE *fp)
{
    fputs(
"usage: evalgen --out DIR --data FILE.csv [--seed N] [--docs N] [--patients N] [--fold K]\n"
"\n"
"Writes the labelled evaluation set of chartscan's indexing into DIR:\n"
"  roster.csv   mrn,last_name,first_name,middle_name,birth_date,sex, with\n"
"               twins, same-name and same-last-name pairs and MRN neighbours\n"
"  train.csv    id,doctype,text: the rows of FILE.csv outside fold K\n"
"  eval.zip     boxNN/chart_NNNN.tif: chart stacks of 1-3 documents of one\n"
"               patient (bodies from fold K of FILE.csv only), 300 dpi, mostly\n"
"               G4, some grey JPEG, a quarter duplex with blank back sides\n"
"  truth.jsonl  per document: kind \"document\", file, first_page, last_page,\n"
"               doctype, mrn (null when absent from the roster), in_roster,\n"
"               group, mrn_printed, mrn_typo, date_of_service, layout,\n"
"               source_id; per back side: kind \"blank\", file, page, blank\n"
"\n"
"  --data FILE.csv   labelled transcriptions, columns id,doctype,text\n"
"  --seed N          random seed (default 1); same seed, same files\n"
"  --docs N          documents, 1-100000 (default 120)\n"
"  --patients N      roster size, 20-1000000 (default 300)\n"
"  --fold K          held-out fold, 0-4 (default 0): rows whose id hashes to K\n"
"\n"
"Shares: 5% of the documents (rounded up) are of patients absent from the\n"
"roster, half the charts of roster patients go to look-alikes, 2% of the\n"
"documents print the MRN neighbour's MRN (a typo), 3% are letters that print\n"
"only name and birth date (both rounded up, when such documents occur).\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad usage.  Needs gs at run time.\n", fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "data", required_argument, NULL, 'D' },
        { "seed", required_argument, NULL, 's' },
        { "docs", required_argument, NULL, 'd' },
        { "patients", required_argument, NULL, 'p' },
        { "fold", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, NULL, 1, 120, 300, 0 };
    char err[CS_ERRLEN] = "";
    long v;
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opt.out = optarg; break;
        case 'D': opt.data = optarg; break;
        case 's':
            if (tk_parse_seed(optarg, &opt.seed) < 0) {
                fprintf(stderr, PROG ": invalid --seed \"%s\": expected an unsigned integer\n", optarg);
                return 2;
            }
            break;
        case 'd':
            if (tk_parse_long(optarg, 1, 100000, &opt.docs) < 0) {
                fprintf(stderr, PROG ": invalid --docs \"%s\": expected 1 to 100000\n", optarg);
                return 2;
            }
            break;
        case 'p':
            if (tk_parse_long(optarg, 20, 1000000, &opt.patients) < 0) {
                fprintf(stderr, PROG ": invalid --patients \"%s\": expected 20 to 1000000\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (tk_parse_long(optarg, 0, 4, &v) < 0) {
                fprintf(stderr, PROG ": invalid --fold \"%s\": expected 0 to 4\n", optarg);
                return 2;
            }
            opt.fold = (int)v;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, PROG ": unknown option \"%s\"\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument \"%s\"\n", argv[optind]);
        return 2;
    }
    if (!opt.out || !opt.out[0] || !opt.data || !opt.data[0]) {
        fprintf(stderr, PROG ": --out DIR and --data FILE.csv are required\ntry --help\n");
        return 2;
    }
    setMsgSeverity(L_SEVERITY_ERROR);
    if (run(&opt, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    return 0;
}

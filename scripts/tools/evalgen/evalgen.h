/*
 * evalgen.h — the parts of evalgen (scripts/tools/evalgen.c, the command
 * line and the set) and what they share
 *
 *   people.c    invented names, the roster with its look-alikes, how a
 *               name or a date is printed (the name and date formats)
 *   corpus.c    document types, the real transcriptions and their folds
 *   page.c      the page model (placed text, PostScript drawing), text
 *               widths, wrapping, the PostScript of a file
 *   scan.c      a rendered page -> its scan: fax, photocopy, skew, speckle
 *   forms.c     the tuning / held-out split, title wordings, the fields a
 *               header prints, heading, stamp, closings, letters
 *   families.c  the header-layout families and their table
 *   layout.c    the plan of a chart's documents and their layout on pages
 *   truth.c     the lines of truth.jsonl
 *
 * Everything random draws from a tk_rng stream; the order of the draws is
 * the output's contract (the same seed gives the same files), so a change
 * that adds, drops or moves a draw changes every file after it.
 */
#ifndef CHARTSCAN_EVALGEN_H
#define CHARTSCAN_EVALGEN_H

#include "scripts/tools/lib/toolkit.h"

#include <stdint.h>

struct Pix;

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_DOCS_PER_FILE 3
#define MAX_BODY_BYTES (1 << 20)

/* Shares, percent. */
#define UNTITLED_PCT 17       /* reports that print no title */
#define STAMP_PCT 10          /* documents with a hand stamp over the header */
#define PHOTOCOPY_PCT 10      /* files that were photocopied */

/* FNV-1a, 64 bits: the folds and the split hash with it. */
uint64_t fnv1a(const char *s);

/* ======================= people.c ======================= */

typedef tk_date date;

extern const char *const months[12];

/* An invented surname ("Ash" + "wick"). */
void make_surname(tk_rng *r, char *out, size_t n);
/* A first name of sex 'F' or 'M' (one draw). */
const char *first_name(tk_rng *r, char sex);

int date_eq(date a, date b);
/* d plus days (days >= 0). */
date date_add(date d, int days);
/* Whole years from birth to on. */
int age_on(date birth, date on);

/* How dates are printed; stratum 0: before issue 11, 1: added with it. */
struct date_format { const char *id; int stratum; };
#define DF_COUNT 13
extern const struct date_format date_formats[DF_COUNT];
enum { DF_MDY0 = 0 };
void format_date(date d, int fmt, char *out, size_t n);

/* What makes a patient hard to match; the truth's "group". */
enum group {
    G_PLAIN, G_TWIN, G_SAME_NAME, G_SAME_LAST, G_MRN_NEIGHBOUR,
    G_OUT_SAME_NAME, G_OUT_TWIN, G_OUT_MRN_NEAR, G_OUT_OTHER, G_COUNT
};
extern const char *const group_names[G_COUNT];

typedef struct patient {
    char mrn[9];
    char last[48], first[24], middle[24];
    char suffix[8];          /* "Jr", "Sr", "II", "III", "IV" or "" */
    char sex;
    date dob;
    int group;
    int in_roster;
    int neighbour;           /* roster index of the MRN neighbour, or -1 */
} patient;

/* The roster of n patients from stream 1 of seed (malloc'd). */
patient *make_roster(uint64_t seed, long n);
/* A patient absent from the roster, of group g, modelled on a roster patient. */
void make_outsider(tk_rng *r, const patient *roster, long n, int g, patient *p);
void roster_csv(const patient *pts, long n, cs_buf *b);

/*
 * The name formats.  order: 'L' last, first (comma); 'N' last first (no
 * comma); 'F' first last.  middle: 0 not printed, 1 initial, 2 initial
 * with a period, 3 in full.
 */
struct name_format {
    const char *id;
    int stratum;
    char order;
    int upper, middle, tight, courtesy;
};
#define NF_COUNT 14
extern const struct name_format name_formats[NF_COUNT];
/* Masks of name formats a family asks for. */
#define NFM_ALL ((1u << NF_COUNT) - 1)
#define NFM_UPPER_LAST_FIRST ((1u << 0) | (1u << 5) | (1u << 6) | (1u << 13))
/* pt's name in format fmt; courtesy picks Mrs. (1) or Ms. (0) for women. */
void format_name(const patient *pt, int fmt, int courtesy, char *out, size_t n);

/* ======================= corpus.c ======================= */

struct doctype {
    const char *code;
    int weight;               /* share of the generated documents, percent */
};
#define NTYPES 7
#define T_LETTER (NTYPES - 1)
extern const struct doctype doctypes[NTYPES];

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
 * Read the transcriptions, write the training fold to train_path and keep
 * the held-out fold (rows whose id hashes to fold modulo 5) in *c.
 */
int load_corpus(const char *data, const char *train_path, int fold, corpus *c,
                char *err, size_t errlen);
void corpus_free(corpus *c);
/* A body of type t: unused ones first (in a seeded order), then reuse in turn. */
const body *take_body(corpus *c, int t, tk_rng *r);

/* ======================= page.c ======================= */

enum { FONT_COURIER, FONT_HELVETICA, FONT_TIMES, NFONTS };
extern const char *const font_names[NFONTS][2];
extern const char *const font_ids[NFONTS];
extern const double body_size[NFONTS];

/* Line styles of the flow: body and bold in the page's font, the rest fixed. */
enum line_style { ST_BODY, ST_BOLD, ST_TITLE, ST_FACILITY, ST_SMALL };

#define PAGE_W    612
#define PAGE_H    792
#define MARGIN_X  72
#define RIGHT_X   540
#define TOP_Y     730
#define BOTTOM_Y  90
#define FOOTER_Y  48
#define TEXT_W    (RIGHT_X - MARGIN_X)

enum { AL_LEFT, AL_CENTRE, AL_RIGHT };

typedef struct item {
    const char *font;        /* a PostScript font name (static) */
    double size, x, y;
    int align;
    char *text;
} item;

typedef struct page {
    item *items;
    int n, cap;
    cs_buf under, over;      /* PostScript painted before / after the text */
    int y;                   /* next baseline of the flow */
    int font;                /* FONT_*: body text */
    int blank;               /* a back side */
    int fax;                 /* came through a fax machine */
    double skew;
} page;

typedef struct file_pages {
    page *v;
    int n, cap;
} file_pages;

typedef struct strlist { char **v; int n, cap; } strlist;

/* The width of s in points, set in font at size (an estimate). */
double text_w(const char *font, double size, const char *s);
page *page_new(file_pages *fp, int blank, int font);
/* Place text: x is its left end, centre or right end by align. */
void page_text(page *pg, const char *font, double size, double x, double y, int align,
               const char *text);
void page_textf(page *pg, const char *font, double size, double x, double y, int align,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));
const char *page_font(const page *pg, int bold);
/* One line of the flow in style st, then down by the style's advance. */
void page_add(page *pg, int st, const char *text);
void page_addf(page *pg, int st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* PostScript painted over the text (under: 0) or beneath it (under: 1). */
void page_draw(page *pg, int under, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void page_rule(page *pg, double x0, double y0, double x1, double y1, double lw);
void page_box(page *pg, double x, double y, double w, double h, double lw);
/* Body lines that still fit. */
int page_room(const page *p);
void file_pages_free(file_pages *fp);
void strlist_free(strlist *l);
/* Word-wrap text to lines at most width points wide in font at size. */
void wrap_text(const char *text, const char *font, double size, double width, strlist *out);
/* The PostScript of every page of the file. */
void file_ps(const file_pages *fp, cs_buf *b);

/* ======================= scan.c ======================= */

/*
 * A photocopied file: every page of it went through the same copier, so
 * the streak and the shadow sit at the same place on every page.
 */
typedef struct photocopy {
    int on;
    int bg;                  /* paper grey, 0-255 */
    int noise;               /* toner noise amplitude */
    int specks;              /* toner specks per page */
    int streak_x, streak_w, streak_grey;   /* streak_w 0: none */
    int shadow;              /* 0 none, 1 left, 2 right, 3 top */
    int shadow_w;
} photocopy;

void photocopy_draw(photocopy *pc, tk_rng *r);
/*
 * Rendered grey page -> scanned page: fax, photocopy, skew, speckle,
 * threshold for G4.  Returns a new pix, or NULL with err.
 */
struct Pix *degrade_page(const char *png, const page *pg, int g4, const photocopy *pc,
                         tk_rng *r, char *err, size_t errlen);

/* ======================= forms.c ======================= */

/* Changing the salt or an id moves items between the halves: don't, lightly. */
#define SPLIT_SALT "chartscan-eval-split/1"

enum { SPLIT_TUNING, SPLIT_HELDOUT };
extern const char *const split_names[2];

#define MAX_WORDINGS 10
typedef struct wording { const char *id, *text; int stratum; } wording;
extern const wording wordings[NTYPES][MAX_WORDINGS];

/* The fixed split of each list, set by split_init(). */
extern int wording_split[NTYPES][MAX_WORDINGS];
extern int family_split[];
extern int name_format_split[NF_COUNT];
extern int date_format_split[DF_COUNT];
/* Split every list once (families, name formats, date formats, wordings). */
void split_init(void);

int wording_count(int type);
/* The title a radiology body asks for (@exam, @modality). */
void body_title(const char *text, int exam, char *out, size_t n);

/* One document of a chart: what the plan decided, and where it landed. */
typedef struct document {
    int type;
    const body *body;
    const patient *pt;
    int family, split;
    int name_fmt, dob_fmt, dos_fmt;
    int courtesy;            /* women: Mrs. (1) or Ms. (0) where a format prints one */
    int wording;             /* index into the type's wordings; -1: untitled */
    char title[64];          /* as printed; "" for none (letters print none) */
    int font;                /* FONT_* of the body */
    date dos;
    int print_mrn;
    char printed_mrn[9];     /* what the header shows: a typo makes it the neighbour's */
    int mrn_typo;
    int footer;              /* "Page n of m" */
    int cont_style;          /* continuation header on later pages, 0 none */
    int target_pages;
    int stamped;
    int first_page, last_page;    /* 1-based in the file, back sides included */
} document;

/* Everything a header may print, formatted once per document. */
typedef struct fields {
    char name[160], dob[40], dos[40];
    const char *mrn;             /* NULL: the document prints no MRN */
    char acct[24], enc[24], visit[24], phone[24];
    char doctor[48];             /* "A. Hartley, MD" */
    char doctor_upper[48];       /* "HARTLEY, A" */
    char location[24];
    char address[96];
    char fax_when[40];           /* when the fax went out: a date after the service */
    char printed[40];            /* when the page was printed */
    const char *facility, *sender;
    int age;
    char sex;
    unsigned var;                /* one draw for choices every page of the document shares */
} fields;

void make_fields(const document *d, fields *f, tk_rng *r);
/* What the date of service is called on a form of this type. */
const char *dos_label(const document *d, int upper);
/* The title line in style 0-4 (see forms.c); untitled documents print nothing. */
void title_line(page *pg, const document *d, int style);
/* Facility and title; classic: mostly the look before issue 11. */
void heading(page *pg, const document *d, const fields *f, tk_rng *r, int classic);
/* A rubber stamp over part of the header, between the baselines y_low and y_high. */
void draw_stamp(page *pg, const document *d, tk_rng *r, int y_low, int y_high);
void report_closing(page *pg, const document *d, const fields *f, tk_rng *r);
void letter_closing(page *pg, const document *d, const fields *f, tk_rng *r);
/* The first pages of the two letter families. */
void fam_letter_classic(page *pg, const document *d, const fields *f, tk_rng *r);
void fam_letter_block(page *pg, const document *d, const fields *f, tk_rng *r);

/* ======================= families.c ======================= */

typedef void family_first_fn(page *pg, const document *d, const fields *f, tk_rng *r);
typedef void family_deco_fn(page *pg, const document *d, const fields *f, int k, int n);

/*
 * A header-layout family.  stratum 0: the six layouts (header0-5) and the
 * letter of evalgen before issue 11; 1: added with it.  name_mask: the
 * name formats the family prints.  first() lays out the first page's top;
 * decorate(), when there is one, adds what the family prints on every page
 * (page k of n).  cont: continuation headers on later pages.  fax: pages
 * go through a fax machine.  own_pages: decorate() prints "Page n of m".
 */
struct family {
    const char *name;
    int letter, stratum;
    unsigned name_mask;
    family_first_fn *first;
    family_deco_fn *decorate;
    int cont, fax, own_pages;
};
#define NFAMILIES 18
extern const struct family families[NFAMILIES];

/* ======================= layout.c ======================= */

typedef struct chart {        /* one TIFF: a chart stack of one patient */
    int ndocs;
    int absent;               /* the patient is not in the roster */
    int duplex, g4, photocopy;
    patient pt;               /* a copy: roster patient or outsider */
    document docs[MAX_DOCS_PER_FILE];
    char entry[64];
} chart;

/* Decide everything about one chart's documents (no pixels yet). */
void plan_chart(chart *ch, const patient *roster, corpus *c, long *typo_left,
                long *no_mrn_left, tk_rng *r);
/*
 * Lay out one document onto the file's pages (a back side after each page
 * when duplex).  Sets first_page/last_page.
 */
void layout_document(file_pages *fp, document *doc, int duplex, tk_rng *r);

/* ======================= truth.c ======================= */

/* The truth line of one document of a chart. */
void truth_document(cs_buf *t, const chart *ch, const document *d);
/* The truth line of a blank back side, page p (1-based) of the chart. */
void truth_blank(cs_buf *t, const chart *ch, int p);

#endif

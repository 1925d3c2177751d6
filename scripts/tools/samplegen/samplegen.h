/*
 * samplegen.h — the parts of samplegen (scripts/tools/samplegen.c, the
 * command line and the batch) and what they share
 *
 *   text.c    invented names, the per-type phrase banks, the roster and
 *             train.csv
 *   layout.c  a document laid out on pages of styled, word-wrapped lines,
 *             and its PostScript
 *   render.c  a rendered page -> its scan: the mild profile (skew, scale,
 *             speckle, threshold) and the bench profile's damage
 *   copy.c    the bench profile's stamps and photocopies (before the scan)
 *   truth.c   the lines of truth.jsonl
 *   files.c   one TIFF file each: the mild batch's and the bench
 *             profile's (its plan of turned pages and back sides)
 *
 * Everything random draws from a tk_rng stream; the order of the draws is
 * the output's contract (the same seed gives the same files), so a change
 * that adds, drops or moves a draw changes every file after it.
 */
#ifndef CHARTSCAN_SAMPLEGEN_H
#define CHARTSCAN_SAMPLEGEN_H

#include "scripts/tools/lib/toolkit.h"

#include <stdint.h>

struct archive;
struct Pix;

/* ======================= text.c ======================= */

/*
 * One document type: its code, three title wordings and up to 12 sections,
 * each "HEADING|sentence|sentence|...".  An empty heading (letters) means a
 * plain paragraph.  Placeholders filled by paragraph(): {dr} doctor,
 * {side} left/right, {n} 2-9, {day} 2-6, {med}, {he}/{He}/{his}/{His}/{him}
 * by the patient's sex.
 */
typedef struct doctype {
    const char *code;
    const char *titles[4];
    const char *sections[12];
} doctype;

#define NDOCTYPES 7
extern const doctype doctypes[];
#define IS_LETTER(dt) ((dt)->sections[0][0] == '|')

/* A section string split: heading (no colon) and its sentences. */
typedef struct section_view {
    char head[64];
    const char *sent[16];
    size_t sent_len[16];
    int nsent;
} section_view;

/* Context for placeholder expansion. */
typedef struct voice { char sex; } voice;

typedef tk_date date;

typedef struct patient {
    char mrn[9];
    char last[24], first[24], middle[24];
    char sex;
    date dob;
} patient;

/* An invented surname ("Ash" + "wick"). */
void make_surname(tk_rng *r, char *out, size_t n);
/* A first name of sex 'F' or 'M' (one draw). */
const char *random_first_name(tk_rng *r, char sex);
/* A facility name, upper case (one draw). */
const char *random_facility(tk_rng *r);

/* Sections of a type. */
int section_count(const doctype *dt);
void section_split(const char *s, section_view *v);
/*
 * A paragraph of up to k distinct sentences of a section, in bank order,
 * avoiding those marked in *used (NULL allows all) and marking the ones it
 * takes; placeholders expanded.  Returns how many it wrote.
 */
int paragraph(cs_buf *out, const section_view *sv, int k, tk_rng *r, voice v, unsigned *used);

/* Roster patient number index (MRN from mrn_key and index, names and birth date from r). */
void make_patient(tk_rng *r, uint64_t mrn_key, uint32_t index, patient *p);
void roster_csv(const patient *pts, long n, cs_buf *b);
/* train.csv: 30 examples of each type, interleaved by type, from stream 2 of seed. */
void train_csv(uint64_t seed, cs_buf *b);

/* ======================= layout.c ======================= */

enum line_style { ST_BODY, ST_BOLD, ST_TITLE, ST_FACILITY, ST_FOOTER };

typedef struct line { int style; char *text; } line;

typedef struct page {
    line *lines;
    int n, cap;
    int y;                   /* next baseline */
} page;

typedef struct document {
    const doctype *dt;
    const patient *pt;
    int print_mrn, in_roster;
    int absent;              /* the patient is not in the roster (the outsider) */
    int npages;
    page pages[3];
    int g4, dpi;
    double skew;             /* degrees, multiple of 0.01 */
    char entry[64];          /* zip entry name */
} document;

/*
 * Lay out a document: page 1 opens with facility, title and the patient
 * block; later pages with a continuation line; the doctype's sections are
 * shared out over the pages in order; every page ends with "Page n of m".
 */
void layout_document(document *doc, tk_rng *r);
/* Free the laid-out pages. */
void document_clear(document *doc);
/* The document's pages as PostScript. */
void document_ps(const document *doc, cs_buf *b);
/* The printed lines of page p (0-based) joined with \n, appended to text. */
void page_text(const document *doc, int p, cs_buf *text);

/* ======================= render.c ======================= */

/*
 * Turn a rendered 300 dpi grey page into the mild scan of doc: skew, scale
 * to doc->dpi, speckle, threshold for G4.  Returns a new pix or NULL.
 */
struct Pix *degrade_page(const char *png, const document *doc, tk_rng *r,
                         char *err, size_t errlen);

enum { EDGE_LEFT = 1, EDGE_RIGHT = 2, EDGE_TOP = 4, EDGE_BOTTOM = 8 };

/* Everything about one bench page's scan, drawn before any pixel is touched. */
typedef struct scan {
    int g4, dpi;               /* of the whole file, as one scanner session */
    int blank;                 /* a back side: no text, bleed-through only */
    int turn;                  /* quarter turns clockwise the generator applies */
    double skew;               /* degrees clockwise, a multiple of 0.01 */
    int holes;                 /* punched holes: 0, 2 or 3 */
    int edges;                 /* dark scanner edges: EDGE_* bits */
    int blur;                  /* 3x3 box-blur passes: 0, 1 or 2 */
    int heavy_noise;
    int shadow;                /* side darkened by a shadow: 0 or one EDGE_* bit */
    int threshold;             /* G4: grey level below which a pixel is black */
    double bleed;              /* blank: opacity of the mirrored front, 0..1 */
    double tone;               /* paper grey level far from any shadow */
    double tone_dx, tone_dy;   /* paper tone change across the page */
    double shadow_depth, shadow_width;   /* grey levels, inches */
} scan;

/* Draw every choice for one page; r is the page's own stream. */
void scan_draw(scan *sc, tk_rng *r, int g4, int dpi, int blank, int turn);
/* Punch n holes (2 or 3) near the left edge of an upright 8 bpp page, in place. */
void punch_holes(struct Pix *pix, int n, int dpi, tk_rng *r);
/*
 * Scan one bench page.  paper is the rendered 8 bpp page at sc->dpi, already
 * punched; for a blank back side, its front.  Returns a new pix (1 bpp for
 * G4, 8 bpp otherwise) or NULL.
 */
struct Pix *scan_page(struct Pix *paper, const scan *sc, tk_rng *r);

/* ======================= copy.c ======================= */

/* A bench page's life on paper before the scan: a stamp and a photocopy. */
typedef struct paperwork {
    int stamp, copy;                 /* 1: stamped / photocopied */
    int stamp_shape;                 /* STAMP_BOX, STAMP_PLAIN or STAMP_ROUND */
    char date[16];
    const char *dept;
    int with_dept, double_frame;
    int big_font, small_font;        /* Leptonica bitmap font sizes */
    double stamp_w, stamp_h;         /* inches */
    double stamp_x, stamp_y;         /* centre across, top down (inches, upright page) */
    double stamp_angle;              /* degrees */
    int stamp_stroke;                /* pixels at 300 dpi */
    int stamp_ink;                   /* grey level of the ink */
    double stamp_fade;               /* how unevenly the ink took, 0..1 */
    int black, toner;                /* photocopy: grey of print and of the background */
    double wave_amp[4], wave_freq[4], wave_phase[4];
    double slope_x, slope_y;
    int grain, specks, vstreaks, hstreaks;
    int lid;                         /* 0 or one EDGE_* bit */
    double lid_width;                /* inches */
    int lid_dark;
} paperwork;

/* The stamp's outline: a rectangular frame, none (a date stamp's bare
 * lines), or an oval frame. */
enum { STAMP_BOX, STAMP_PLAIN, STAMP_ROUND };

/* Draw a page's paperwork from its own stream (all draws, used or not). */
void paperwork_draw(paperwork *pw, tk_rng *r);
/* Draw the stamp's outline from a stream of its own (shape_stream). */
void paperwork_draw_shape(paperwork *pw, tk_rng *shape_stream);
/* What --stamps does with a stamp: pressed as drawn; lifted off with the
 * print its dark ink covered (what a perfect cleanup of a bilevel scan
 * could leave); not pressed at all.  The draws are the same either way. */
enum { STAMPS_PRESSED, STAMPS_LIFTED, STAMPS_NONE };

/* Press the stamp onto the upright 8 bpp page at dpi, in place (how: a
 * STAMPS_* mode; cut: the grey below which the scan sees ink, for
 * STAMPS_LIFTED). */
void stamp_page(struct Pix *paper, const paperwork *pw, int dpi, int how, int cut, tk_rng *r);
/* Photocopy the upright 8 bpp page at dpi, in place. */
void photocopy_page(struct Pix *paper, const paperwork *pw, int dpi, tk_rng *r);

/* ======================= truth.c ======================= */

/* The truth line of page p (0-based) of a mild document. */
void truth_page(cs_buf *t, const document *doc, int p);
/* The truth line of a zip entry that is not a page: kind "skipped" or "bad". */
void truth_other(cs_buf *t, const char *entry, const char *kind, const char *reason);
/* The truth line of a bench page; p is 1-based in the file; pw NULL for a back side. */
void truth_bench(cs_buf *t, const document *doc, int p, int filepages, const scan *sc,
                 const paperwork *pw, const char *text);

/* ======================= files.c ======================= */

typedef struct options {
    const char *out;
    uint64_t seed;
    long files, patients;
    int bad_entries;
    int bench;                  /* --degrade bench */
    long pages;                 /* --pages, bench only */
    int stamps;                 /* --stamps: a STAMPS_* mode, bench only */
    int no_copies;              /* --copies none: no page photocopied, bench only */
} options;

/* The batch being written. */
typedef struct batch {
    const options *opt;
    char tmpdir[4096];
    patient *roster;
    patient outsider;           /* valid-looking MRN absent from the roster */
    struct archive *zip;
    cs_buf truth;
    unsigned char *sample_tif;  /* one-page TIFF kept for the bad entries */
    size_t sample_len;
    long pages;
    unsigned type_offset;       /* doctype of the first file */
} batch;

/* Make, render, degrade and store mild TIFF number i (0-based). */
int make_file(batch *bt, long i, char *err, size_t errlen);
/* All bench files; *files and *blank get the counts of files and back sides. */
int make_bench_files(batch *bt, long *files, long *blank, char *err, size_t errlen);
/* --with-bad-entries: a truncated TIFF, a path traversal and an absolute name. */
int add_bad_entries(batch *bt, char *err, size_t errlen);

#endif

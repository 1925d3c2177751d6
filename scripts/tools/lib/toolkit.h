/*
 * toolkit.h — helpers shared by the programs in scripts/tools/
 *
 * Each tool (samplegen, evalgen, cer, evalscore, ocrbench) is
 * scripts/tools/NAME.c, its main, plus the files of scripts/tools/NAME/
 * when it has more (samplegen and evalgen); what the tools have in common
 * lives here, one file per job:
 *
 *   core.c    tk_die, tk_die_oom, tk_x* allocation that dies on failure,
 *             tk_buf_* cs_buf appends (text, JSON, CSV) that die on failure
 *   files.c   tk_read_file, tk_write_file, tk_make_dirs,
 *             tk_remove_temp_dir, tk_zip_add
 *   rng.c     tk_rng: the seeded SplitMix64 streams of the generators,
 *             random dates
 *   opts.c    tk_parse_long, tk_parse_seed: command-line numbers
 *   json.c    tk_json, tk_jsonl: the tools' one JSON (Lines) reader and
 *             its value tree
 *   render.c  PostScript -> gs -> Leptonica: tk_ps_string, tk_gs_render,
 *             tk_page_read_skewed, tk_speckle
 *   batch.c   the generators' batch: tk_chart_entry, tk_make_temp_dir,
 *             tk_zip_create / tk_zip_close, tk_scanfile (one file's staging)
 *
 * Every tool defines tk_prog (its name, the prefix of every message):
 *
 *     const char tk_prog[] = "samplegen";
 *
 * Messages go to stderr as "PROG: message"; a tk_die exits with status 1.
 * Functions that return int return 0 on success and -1 with a message in
 * err (cs_fail) on failure, unless their comment says otherwise.
 */
#ifndef CHARTSCAN_TOOLKIT_H
#define CHARTSCAN_TOOLKIT_H

#include "common/common.h"

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

struct archive;   /* libarchive */
struct Pix;       /* Leptonica's PIX */

/* Defined by each tool: its name, the prefix of its messages. */
extern const char tk_prog[];

/* ---- core.c ---- */

/* Print "PROG: message" and exit(1). */
void tk_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* tk_die("out of memory"). */
void tk_die_oom(void) __attribute__((noreturn));

void *tk_xmalloc(size_t n);                  /* n == 0: one byte */
void *tk_xcalloc(size_t n, size_t size);     /* zeroed; 0 counts as 1 */
void *tk_xrealloc(void *p, size_t n);        /* n == 0: one byte */
char *tk_xstrdup(const char *s);             /* NULL copies as "" */

void tk_buf_puts(cs_buf *b, const char *s);
void tk_buf_append(cs_buf *b, const void *data, size_t n);
void tk_buf_json(cs_buf *b, const char *s);  /* s as a quoted JSON string */
/* s as one CSV field: quoted (with "" for ") only when it holds , " CR or LF. */
void tk_buf_csv(cs_buf *b, const char *s);
/*
 * Append fmt formatted, at most max - 1 bytes: longer text is a bug of the
 * caller and dies with "internal error: formatted text too long".  Each tool
 * wraps it in its own bprintf with its own bound, at most TK_BUF_PRINTF_MAX.
 */
#define TK_BUF_PRINTF_MAX 1024
void tk_buf_vprintf(cs_buf *b, size_t max, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* tk_buf_vprintf with the bound TK_BUF_PRINTF_MAX. */
void tk_buf_printf(cs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as one CSV field, always quoted (with "" for "): how train.csv holds its text. */
void tk_buf_csv_quoted(cs_buf *b, const char *s);

/* ---- files.c ---- */

/* Write len bytes to path (created or truncated). */
int tk_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen);
/* Read a whole file into *out (malloc'd, caller frees); *out NULL, *len 0 on error. */
int tk_read_file(const char *path, unsigned char **out, size_t *len, char *err, size_t errlen);
/* mkdir -p. */
int tk_make_dirs(const char *path, char *err, size_t errlen);
/* Remove every plain file in a flat temporary folder, then the folder; quiet. */
void tk_remove_temp_dir(const char *dir);

/* The modification time of every zip entry: keeps the generated zips stable. */
#define TK_ENTRY_MTIME 1546300800   /* 2019-01-01T00:00:00Z */
/* Add one file entry (mode 0644, TK_ENTRY_MTIME) to an open zip writer. */
int tk_zip_add(struct archive *a, const char *name, const void *data, size_t len,
               char *err, size_t errlen);

/* ---- rng.c ---- */

/* SplitMix64: the same seed gives the same files on every machine. */
typedef struct tk_rng { uint64_t s; } tk_rng;

uint64_t tk_rng_next(tk_rng *r);
/* Independent stream number `stream` of a seed. */
tk_rng tk_rng_stream(uint64_t seed, uint64_t stream);
/* Uniform in [0, n), n > 0; the modulo bias is negligible for our small n. */
unsigned tk_rng_below(tk_rng *r, unsigned n);
/* Uniform in [lo, hi], both inclusive. */
int tk_rng_range(tk_rng *r, int lo, int hi);
/* 1 with probability pct percent. */
int tk_rng_percent(tk_rng *r, int pct);

/* A calendar date. */
typedef struct tk_date { int y, m, d; } tk_date;

/* Days in month m (1-12) of year y, Gregorian. */
int tk_days_in_month(int y, int m);
/* A date drawn uniformly by year in [y0, y1], then month, then day. */
tk_date tk_random_date(tk_rng *r, int y0, int y1);

/* One element of a static array, at random. */
#define TK_PICK(r, arr) ((arr)[tk_rng_below((r), (unsigned)(sizeof(arr) / sizeof((arr)[0])))])

/* ---- opts.c ---- */

/* A whole decimal long in [lo, hi] into *out; -1 (nothing said) otherwise. */
int tk_parse_long(const char *s, long lo, long hi, long *out);
/* A whole unsigned decimal (no sign) into *out; -1 (nothing said) otherwise. */
int tk_parse_seed(const char *s, uint64_t *out);

/* ---- json.c ---- */

typedef enum { TK_JSON_NULL, TK_JSON_BOOL, TK_JSON_NUM, TK_JSON_STR, TK_JSON_ARR,
               TK_JSON_OBJ } tk_json_type;

/* One parsed JSON value (see json.c for what the reader accepts). */
typedef struct tk_json {
    tk_json_type t;
    int b;                    /* TK_JSON_BOOL: 1 true, 0 false */
    double num;               /* TK_JSON_NUM; TK_JSON_BOOL: 1 or 0 too */
    char *str;                /* TK_JSON_STR: NUL-terminated UTF-8 */
    struct tk_json *items;    /* TK_JSON_ARR elements, TK_JSON_OBJ values */
    char **keys;              /* TK_JSON_OBJ: one key per item */
    size_t n;                 /* number of items */
} tk_json;

/* Free what v holds and zero it; accepts NULL and partly built values. */
void tk_json_free(tk_json *v);
/* The member key of object o; NULL when o is not an object or has none. */
const tk_json *tk_json_get(const tk_json *o, const char *key);
/* The member key of o when it is a string, else NULL. */
const char *tk_json_string(const tk_json *o, const char *key);
/*
 * Parse the one JSON value that fills s[0..len) (whitespace around it
 * allowed) into *v, nested at most max_depth deep.  0, or -1 with *err a
 * static description ("unterminated string", "trailing characters after
 * the JSON value", ...) and *v empty.
 */
int tk_json_parse(const char *s, size_t len, int max_depth, tk_json *v, const char **err);

/*
 * A JSON Lines reader: one value per line, blank lines skipped.
 *
 *     tk_jsonl rd;
 *     tk_jsonl_init(&rd, fp, max_line, max_depth);
 *     while ((rc = tk_jsonl_next(&rd, &v)) > 0) { use v; tk_json_free(&v); }
 *     rc < 0: rd.err at line rd.lineno; rc == 0: the end (or a read error: ferror(fp))
 *     tk_jsonl_free(&rd);
 */
typedef struct tk_jsonl {
    FILE *fp;
    size_t max_line;          /* longest line in bytes, its newline included; 0: no bound */
    int max_depth;
    long lineno;              /* the line last read, 1-based */
    const char *err;          /* after -1: what is wrong with line lineno */
    char errbuf[64];
    char *line;
    size_t cap;
} tk_jsonl;

void tk_jsonl_init(tk_jsonl *r, FILE *fp, size_t max_line, int max_depth);
/* The next line's value into *v: 1; 0 at the end of the input; -1 with r->err. */
int tk_jsonl_next(tk_jsonl *r, tk_json *v);
/* Free the line buffer (not the stream). */
void tk_jsonl_free(tk_jsonl *r);

/* ---- render.c ---- */

/* Append s as a PostScript string literal: (...) with ( ) \ escaped. */
void tk_ps_string(cs_buf *b, const char *s);
/*
 * Run gs on psfile, rendering every page in 8-bit grey at dpi to pngpattern
 * (a %03d pattern), stdin and stdout on /dev/null.  Returns 0 when gs exits
 * with status 0; -1 with err when it could not be started or waited for;
 * 1 when it ran and failed, with its wait status in *status (the caller
 * words that failure).
 */
int tk_gs_render(const char *psfile, const char *pngpattern, int dpi, int *status,
                 char *err, size_t errlen);
/*
 * Read a rendered page, convert it to 8 bpp grey and rotate it by skew
 * degrees clockwise (area map, white brought in).  Returns a new pix, or
 * NULL with err ("could not read/rotate rendered page ...").
 */
struct Pix *tk_page_read_skewed(const char *png, double skew, char *err, size_t errlen);
/*
 * Salt and pepper on an 8 bpp pix, in place: about one pixel in `per` set to
 * a grey level in [darkest, darkest + 80), one in 2 * per set white.
 */
void tk_speckle(struct Pix *pix, tk_rng *r, long per, int darkest);

/* ---- batch.c ---- */

/* The generators' file names: boxNN/chart_NNNN.tif, TK_FILES_PER_BOX to a box. */
#define TK_FILES_PER_BOX 25
/* The zip entry name of file i (0-based). */
void tk_chart_entry(char *out, size_t n, long i);
/*
 * Create a private temporary folder "$TMPDIR/PREFIX.XXXXXX" (TMPDIR unset or
 * empty: /tmp) and put its path in out; out is "" after a failure.
 */
int tk_make_temp_dir(const char *prefix, char *out, size_t n, char *err, size_t errlen);
/* A new zip writer on path; NULL with err.  Free it with archive_write_free. */
struct archive *tk_zip_create(const char *path, char *err, size_t errlen);
/* Finish the zip on path (the name is for the message). */
int tk_zip_close(struct archive *a, const char *path, char *err, size_t errlen);

/*
 * One generated file on its way into the zip, staged in the temporary
 * folder as fNNNN.ps, fNNNN-PPP.png (one per rendered page) and fNNNN.tif.
 */
typedef struct tk_scanfile {
    char ps[4400], pattern[4400], tif[4400], dir[4400];
    long number;              /* NNNN: the file's index + 1 */
    int pages;                /* pages written to the TIFF so far */
} tk_scanfile;

/* Name the staging files of file i (0-based) in dir. */
void tk_scanfile_init(tk_scanfile *sf, const char *dir, long i);
/* Write the PostScript and render every page with gs at dpi (gs failures worded). */
int tk_scanfile_render(tk_scanfile *sf, const cs_buf *ps, int dpi, char *err, size_t errlen);
/* The path of rendered page p (1-based). */
void tk_scanfile_png(const tk_scanfile *sf, int p, char *out, size_t n);
/* Append pix to the TIFF as its next page, G4 (g4) or JPEG compressed. */
int tk_scanfile_add_page(tk_scanfile *sf, struct Pix *pix, int g4, char *err, size_t errlen);
/* Store the TIFF as zip entry `entry`. */
int tk_scanfile_store(const tk_scanfile *sf, struct archive *zip, const char *entry,
                      char *err, size_t errlen);
/* Remove the PostScript and the TIFF (the PNGs are removed as they are read). */
void tk_scanfile_cleanup(tk_scanfile *sf);

#endif

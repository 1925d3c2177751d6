/*
 * samplegen.c — synthetic sample data for chartscan's demo and integration
 * tests: a patient roster, a labelled training set for the document-type
 * classifier, and a zip of slightly degraded multi-page TIFF "scans" with
 * the ground truth of every page.  Run through scripts/make-sample-batch.
 *
 * Everything is invented and deterministic for a given --seed: names are
 * built from syllable lists, text from per-type phrase banks, and all
 * randomness comes from splitmix64 streams (never rand()), one stream per
 * purpose so that, for example, --files does not change the roster.
 *
 * One TIFF goes through: layout (pages of styled, word-wrapped lines) ->
 * PostScript -> one gs call rendering every page to 300 dpi grey PNG ->
 * Leptonica (skew, optional downscale, speckle, optional threshold) ->
 * multi-page TIFF in the temporary folder -> zip entry (libarchive).
 *
 * This file is the command line and the batch; the parts are in
 * scripts/tools/samplegen/ (see samplegen.h): text.c (names, phrase banks,
 * roster, train.csv), layout.c (pages and PostScript), render.c (the
 * scanner's damage), truth.c (truth.jsonl) and files.c (one TIFF each).
 *
 * Out of memory ends the program with a message: a generator has nothing
 * to salvage.  Messages carry file names and counts, never patient data.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"
#include "scripts/tools/samplegen/samplegen.h"

#include <archive.h>
#include <leptonica/allheaders.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "samplegen"

const char tk_prog[] = PROG;

static const char readme_text[] =
    "Synthetic sample batch made by chartscan's samplegen.\n"
    "Every name, number and date in it is invented.\n"
    "This file is not a TIFF: chartscan should skip it.\n";

/*
 * The roster (stream 1 of the seed: the MRN key, then the patients) and
 * the outsider, a valid-looking MRN absent from it under a name that is
 * not on it.
 */
static void make_roster(batch *bt)
{
    const options *opt = bt->opt;
    tk_rng r = tk_rng_stream(opt->seed, 1);
    uint64_t mrn_key = tk_rng_next(&r);
    long i, j;

    bt->roster = tk_xmalloc((size_t)opt->patients * sizeof *bt->roster);
    for (i = 0; i < opt->patients; i++)
        make_patient(&r, mrn_key, (uint32_t)i, &bt->roster[i]);
    for (j = 0; j < 100; j++) {                  /* outsider: a name not on the roster */
        make_patient(&r, mrn_key, (uint32_t)opt->patients, &bt->outsider);
        for (i = 0; i < opt->patients; i++)
            if (strcmp(bt->roster[i].last, bt->outsider.last) == 0 &&
                strcmp(bt->roster[i].first, bt->outsider.first) == 0)
                break;
        if (i == opt->patients)
            break;
    }
}

/* The TIFF files and the other entries of batch.zip, with their truth. */
static int write_entries(batch *bt, long *bench_files, long *bench_blank, char *err, size_t errlen)
{
    const options *opt = bt->opt;

    if (opt->bench) {
        if (make_bench_files(bt, bench_files, bench_blank, err, errlen) < 0)
            return -1;
    } else {
        for (long i = 0; i < opt->files; i++)
            if (make_file(bt, i, err, errlen) < 0)
                return -1;
        if (tk_zip_add(bt->zip, "box01/README.txt", readme_text, sizeof readme_text - 1,
                       err, errlen) < 0)
            return -1;
        truth_other(&bt->truth, "box01/README.txt", "skipped", NULL);
    }
    if (opt->bad_entries && add_bad_entries(bt, err, errlen) < 0)
        return -1;
    return 0;
}

static int run(const options *opt, char *err, size_t errlen)
{
    batch bt;
    cs_buf csv = CS_BUF_INIT;
    char path[4200];
    long bench_files = 0, bench_blank = 0;
    int rc = -1, zip_tried = 0;

    memset(&bt, 0, sizeof bt);
    bt.opt = opt;
    {
        tk_rng t = tk_rng_stream(opt->seed, 3);
        bt.type_offset = tk_rng_below(&t, NDOCTYPES);
    }
    if (tk_make_dirs(opt->out, err, errlen) < 0)
        return -1;

    make_roster(&bt);
    roster_csv(bt.roster, opt->patients, &csv);
    snprintf(path, sizeof path, "%s/roster.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    cs_buf_reset(&csv);
    train_csv(opt->seed, &csv);
    snprintf(path, sizeof path, "%s/train.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    /* batch.zip and truth.jsonl */
    if (tk_make_temp_dir("samplegen", bt.tmpdir, sizeof bt.tmpdir, err, errlen) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/batch.zip", opt->out);
    zip_tried = 1;
    if ((bt.zip = tk_zip_create(path, err, errlen)) == NULL ||
        write_entries(&bt, &bench_files, &bench_blank, err, errlen) < 0 ||
        tk_zip_close(bt.zip, path, err, errlen) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/truth.jsonl", opt->out);
    if (tk_write_file(path, bt.truth.data, bt.truth.len, err, errlen) < 0)
        goto out;
    if (opt->bench)
        printf("samplegen: %ld files, %ld pages (%ld blank back sides)%s, %ld patients written to %s\n",
               bench_files, bt.pages, bench_blank, opt->bad_entries ? ", 3 bad entries" : "",
               opt->patients, opt->out);
    else
        printf("samplegen: %ld files, %ld pages%s, %ld patients written to %s\n",
               opt->files, bt.pages, opt->bad_entries ? ", 3 bad entries" : "",
               opt->patients, opt->out);
    rc = 0;
out:
    if (bt.zip)
        archive_write_free(bt.zip);
    if (rc < 0 && zip_tried) {          /* no half-written zip left behind */
        snprintf(path, sizeof path, "%s/batch.zip", opt->out);
        unlink(path);
    }
    if (bt.tmpdir[0])
        tk_remove_temp_dir(bt.tmpdir);
    lept_free(bt.sample_tif);
    cs_buf_free(&bt.truth);
    cs_buf_free(&csv);
    free(bt.roster);
    return rc;
}

/* ======================= command line ======================= */

static void usage(FILE *fp)
{
    fputs(
"NAME\n"
"    make-sample-batch - generate a synthetic chartscan batch with ground truth\n"
"\n"
"SYNOPSIS\n"
"    scripts/make-sample-batch --out DIR [--seed N] [--files N] [--patients N]\n"
"                              [--with-bad-entries]\n"
"    scripts/make-sample-batch --out DIR --degrade bench [--pages N] [--seed N]\n"
"                              [--patients N] [--stamps pressed|lifted|none]\n"
"                              [--copies made|none]\n"
"    scripts/make-sample-batch --help\n"
"\n"
"DESCRIPTION\n"
"    Writes invented sample data for the demo and the integration tests into\n"
"    DIR (created if missing; existing files of the same names are replaced):\n"
"\n"
"    roster.csv   mrn,last_name,first_name,middle_name,birth_date,sex; 8-digit\n"
"                 MRNs, birth_date YYYY-MM-DD, sex M or F.\n"
"    train.csv    doctype,text; 30 labelled examples for each of\n"
"                 discharge_summary, history_physical, progress_note,\n"
"                 operative_report, radiology_report, ed_note and letter.\n"
"    batch.zip    boxNN/chart_NNNN.tif (25 per box): each TIFF is one document\n"
"                 of 1-3 pages for one patient, rendered with Ghostscript,\n"
"                 skewed by up to 1.5 degrees and speckled.  Even-numbered\n"
"                 files are grey JPEG-in-TIFF, alternately 200 and 300 dpi; the\n"
"                 others G4 bilevel at 300 dpi.  Plus box01/README.txt, which is not a\n"
"                 TIFF.  With 3 or more files the last one prints no MRN and the\n"
"                 one before it belongs to a patient absent from the roster\n"
"                 (with 2 files, the second); the rest are roster patients.\n"
"    truth.jsonl  one JSON object per TIFF page: file, page, pages, doctype,\n"
"                 mrn (null when none is printed), patient_mrn (the patient's\n"
"                 MRN, printed or not; null when absent from the roster),\n"
"                 in_roster (the printed MRN is in roster.csv), compression (g4|jpeg), dpi, skew (degrees)\n"
"                 and text (the exact printed lines joined with \\n); and one\n"
"                 per other entry: {\"file\":...,\"kind\":\"skipped\"|\"bad\"}.\n"
"\n"
"    Output is deterministic: the same seed gives byte-identical roster.csv,\n"
"    train.csv and truth.jsonl.  Needs gs (package ghostscript) at run time.\n"
"\n"
"    --degrade bench makes the OCR benchmark's pages instead (scripts/bench-ocr):\n"
"    --pages N pages in documents of 1-3 text pages, one file per document,\n"
"    each file scanned at 200 (1/4), 300 (1/2) or 400 dpi (1/4), as G4 or grey\n"
"    JPEG (1/2 each).  Every text page is skewed by up to 4 degrees; 5% of the\n"
"    pages are upside down and 3% sideways (90 and 270 degrees), rounded up;\n"
"    each page independently may have dark scanner edges (1/4), 2 or 3 punch\n"
"    holes (1/5), blur (3/10), heavy noise (1/4; light noise always), and a\n"
"    shadow along one side (1/2 of grey pages, 1/5 of G4 pages); grey pages\n"
"    have uneven paper tone.  Before the scan, a text page may have been\n"
"    stamped (1/10: RECEIVED and a date over the header, in a box (1/2),\n"
"    an oval (1/4) or no frame (1/4), a few degrees askew, in ink of grey\n"
"    60-190; its words are not in the truth)\n"
"    and photocopied (12/100: grey uneven toner background, lost contrast,\n"
"    specks, toner streaks across the lines, often a lid shadow along an\n"
"    edge), drawn from their own stream so the rest of the page is as it was\n"
"    without them.  8% of the pages (rounded up) are blank back\n"
"    sides that follow their front page, with its faint mirrored bleed-through\n"
"    and speckle.  All rosters' patients; no README or bad entries.  Each\n"
"    truth.jsonl page line also has rotation (degrees clockwise that make the\n"
"    page upright: 0, 90, 180 or 270), blank (true for back sides, whose text\n"
"    is \"\") and tags (what was done: g4|jpeg, 200dpi|300dpi|400dpi,\n"
"    upright|upside-down|sideways|blank, skew>2, dark-edge, punch-holes,\n"
"    blur, heavy-noise, shadow, photocopy, stamp with stamp-box|stamp-round|\n"
"    stamp-plain, and clean for an upright page with none of these).  The\n"
"    default, --degrade mild, is the batch described above.\n"
"\n"
"OPTIONS\n"
"    --out DIR            output folder (required)\n"
"    --seed N             random seed, an unsigned integer (default 1)\n"
"    --files N            number of TIFF files, 1-10000 (default 6)\n"
"    --patients N         roster size, 1-1000000 (default 40)\n"
"    --degrade mild|bench how the pages are scanned (default mild; see above)\n"
"    --pages N            bench: number of pages, 10-100000 (default 100)\n"
"    --stamps pressed|lifted|none\n"
"                         bench: what is done with the stamps (default pressed).\n"
"                         lifted takes each stamp off again with the print under\n"
"                         its ink, wherever that ink alone is darker than the\n"
"                         page's scan threshold: what a perfect stamp cleanup of a\n"
"                         bilevel scan could leave (the print under a dark stroke\n"
"                         is not in the scan).  none presses no stamp.  Every other\n"
"                         page, and the rest of each stamped page, is byte for byte\n"
"                         the same, and so is truth.jsonl (the pages keep their\n"
"                         stamp tags): chartscan's reading of the pressed pages\n"
"                         against its reading of the lifted ones is how much the\n"
"                         stamp cleanup could still gain.\n"
"    --copies made|none   bench: none scans the originals of the pages that would\n"
"                         have been photocopied (default made), with the scanner\n"
"                         set as for an original; all else as --stamps says: the\n"
"                         same pages, truth.jsonl and tags (photocopy included).\n"
"    --with-bad-entries   also add box01/cut.tif (truncated TIFF),\n"
"                         ../escape.tif (path traversal) and /abs/path.tif\n"
"                         (absolute name), recorded with \"kind\":\"bad\"\n"
"    -h, --help           show this help\n"
"\n"
"OUTPUT\n"
"    One summary line on standard output.  No patient data on standard error.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (message on standard error), 2 bad usage.\n"
"\n"
"EXAMPLE\n"
"    scripts/make-sample-batch --out /tmp/sample --seed 7 --with-bad-entries\n",
        fp);
}

/* The words an option takes, in the order of their values (NULL-ended). */
static const char *const degrade_words[] = { "mild", "bench", NULL };
static const char *const stamps_words[] = { "pressed", "lifted", "none", NULL };   /* STAMPS_* */
static const char *const copies_words[] = { "made", "none", NULL };   /* options.no_copies */

/* The index of arg among words; -1, with the message, when it is none of them. */
static int choice(const char *arg, const char *name, const char *const *words)
{
    int n = 0;

    for (; words[n]; n++)
        if (strcmp(arg, words[n]) == 0)
            return n;
    fprintf(stderr, PROG ": invalid %s \"%s\": expected ", name, arg);
    for (int i = 0; i < n; i++)
        fprintf(stderr, "%s%s", words[i], i + 2 < n ? ", " : i + 2 == n ? " or " : "\n");
    return -1;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 's' },
        { "files", required_argument, NULL, 'f' },
        { "patients", required_argument, NULL, 'p' },
        { "with-bad-entries", no_argument, NULL, 'b' },
        { "degrade", required_argument, NULL, 'd' },
        { "pages", required_argument, NULL, 'n' },
        { "stamps", required_argument, NULL, 'S' },
        { "copies", required_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, 1, 6, 40, 0, 0, 100, STAMPS_PRESSED, 0 };
    char err[CS_ERRLEN] = "";
    int c, files_given = 0, pages_given = 0, stamps_given = 0, copies_given = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            opt.out = optarg;
            break;
        case 's':
            if (tk_parse_seed(optarg, &opt.seed) < 0) {
                fprintf(stderr, PROG ": invalid --seed \"%s\": expected an unsigned integer\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (tk_parse_long(optarg, 1, 10000, &opt.files) < 0) {
                fprintf(stderr, PROG ": invalid --files \"%s\": expected 1 to 10000\n", optarg);
                return 2;
            }
            files_given = 1;
            break;
        case 'd':
            if ((opt.bench = choice(optarg, "--degrade", degrade_words)) < 0)
                return 2;
            break;
        case 'n':
            if (tk_parse_long(optarg, 10, 100000, &opt.pages) < 0) {
                fprintf(stderr, PROG ": invalid --pages \"%s\": expected 10 to 100000\n", optarg);
                return 2;
            }
            pages_given = 1;
            break;
        case 'S':
            if ((opt.stamps = choice(optarg, "--stamps", stamps_words)) < 0)
                return 2;
            stamps_given = 1;
            break;
        case 'C':
            if ((opt.no_copies = choice(optarg, "--copies", copies_words)) < 0)
                return 2;
            copies_given = 1;
            break;
        case 'p':
            if (tk_parse_long(optarg, 1, 1000000, &opt.patients) < 0) {
                fprintf(stderr, PROG ": invalid --patients \"%s\": expected 1 to 1000000\n", optarg);
                return 2;
            }
            break;
        case 'b':
            opt.bad_entries = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\ntry --help\n",
                    argv[optind - 1]);
            return 2;
        default:
            if (optopt)
                fprintf(stderr, PROG ": unknown option \"-%c\"\ntry --help\n", optopt);
            else
                fprintf(stderr, PROG ": unknown option \"%s\"\ntry --help\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument \"%s\"\ntry --help\n", argv[optind]);
        return 2;
    }
    if (opt.bench && (files_given || opt.bad_entries)) {
        fprintf(stderr, PROG ": --degrade bench takes --pages, not --files or --with-bad-entries\n"
                "try --help\n");
        return 2;
    }
    if (!opt.bench && (pages_given || stamps_given || copies_given)) {
        fprintf(stderr, PROG ": %s needs --degrade bench\ntry --help\n",
                pages_given ? "--pages" : stamps_given ? "--stamps" : "--copies");
        return 2;
    }
    if (!opt.out || !opt.out[0]) {
        fprintf(stderr, PROG ": --out DIR is required\ntry --help\n");
        return 2;
    }
    setMsgSeverity(L_SEVERITY_ERROR);
    if (run(&opt, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    return 0;
}

/*
 * evalgen.c — the labelled evaluation set of the indexing stage (issues 4
 * and 11), run by scripts/eval-index: a patient roster full of look-alikes,
 * a zip of scanned chart stacks, the truth of every document and blank
 * page, and the training fold of the real transcriptions for `chartscan
 * train`.
 *
 * Design:
 *   - Bodies are real: rows of doctype-train.csv (id,doctype,text) are split
 *     by a hash of their id into five folds; fold --fold is held out.  The
 *     documents' bodies come only from it, and train.csv gets the others,
 *     so the classifier never sees a body it is evaluated on.
 *   - Everything around a body is generated: a header in one of 16
 *     header-layout families (letters: 2 letter families), a title in one
 *     of 8-10 wordings per type or none (17% of reports; letters: one of 6
 *     openings), the patient's name in one of 14 formats and dates in one
 *     of 13, distractor numbers and dates, continuation headers, footers,
 *     a signature.  One TIFF holds a chart stack of 1-3 documents of one
 *     patient, without separator sheets; a duplex file has an empty back
 *     side after every page.
 *   - The roster is built around hard cases: twins (same last name and
 *     birth date), same first and last name with another birth date
 *     (fathers and sons: Sr. and Jr.), same last name, MRN neighbours (one
 *     digit apart); hyphenated, two-word, O' and Mc last names and
 *     suffixes.  Documents favour the look-alikes; 5% of documents
 *     (rounded up) belong to patients absent from the roster, most of them
 *     look-alikes of roster patients; a few print an MRN with a typo that
 *     lands on the MRN neighbour's; some letters print only the name and
 *     birth date.
 *   - Scanning: mild skew and speckle, mostly G4 with some grey JPEG; a
 *     hand stamp over the header on 10% of documents; 10% of files
 *     photocopied (toner background, specks, a streak, an edge shadow);
 *     fax-header documents are faxed (about 200 dpi black and white).
 *   - Deterministic for a seed: splitmix64 streams, never rand().
 *
 * THE SPLIT.  The set measures generalisation, not fit: the families, the
 * title wordings (letters: openings), the name formats and the date
 * formats are each split into a tuning half and a held-out half by a fixed
 * rule that no option changes (split_items(), SPLIT_SALT in
 * evalgen_forms.inc): within each stratum (what existed before issue 11,
 * what it added; letter families apart), items are ranked by the FNV-1a
 * hash of SPLIT_SALT|list|id and the first half, rounded up, is tuning.
 * `evalgen --show-split` prints it.  Each document draws its split (50%
 * each), then a family of that split; a tuning document uses tuning
 * wordings, name formats and date formats only; a held-out document uses
 * held-out wordings, and name and date formats from all of them (so that
 * the held-out half is the unseen forms with both seen and unseen names
 * and dates).  The truth records the family, split, formats, wording,
 * stamp, photocopy, fax and font of every document: engineers tune on the
 * tuning half, and the held-out half tells whether that generalised.
 *
 * Pages go layout -> PostScript -> one gs call per file (300 dpi grey PNG)
 * -> Leptonica (fax, photocopy, skew, speckle, threshold for G4) ->
 * multi-page TIFF -> zip entry (libarchive).  This file is the command
 * line and the set; the parts are in scripts/tools/evalgen/ (see
 * evalgen.h):
 *   people.c    names, the roster, name and date formats
 *   corpus.c    document types, the transcriptions and folds
 *   page.c      page model, wrapping, PostScript
 *   scan.c      scan damage: fax, photocopy, skew, speckle
 *   forms.c     the split, wordings, heading, stamp, closings, letters
 *   families.c  the header-layout families and their table
 *   layout.c    the plan of a chart's documents and their layout
 *   truth.c     truth.jsonl
 * Messages carry file names and counts, never patient data.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"
#include "scripts/tools/evalgen/evalgen.h"

#include <archive.h>
#include <leptonica/allheaders.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROG "evalgen"

const char tk_prog[] = PROG;

typedef struct options {
    const char *out, *data;
    uint64_t seed;
    long docs, patients;
    int fold;
} options;

typedef struct stats {
    long files, pages, blank, docs, absent_docs, typo_docs, no_mrn_docs;
    long by_type[NTYPES], by_split[2], untitled, stamped, photocopied_files, faxed;
} stats;

/* Count a stored chart's documents and pages; append their truth. */
static void chart_truth(const chart *ch, const file_pages *fp, cs_buf *truth, stats *st)
{
    for (int k = 0; k < ch->ndocs; k++) {
        const document *d = &ch->docs[k];
        truth_document(truth, ch, d);
        st->docs++;
        st->by_type[d->type]++;
        st->by_split[d->split]++;
        st->absent_docs += ch->absent;
        st->typo_docs += d->mrn_typo;
        st->no_mrn_docs += !d->print_mrn;
        st->untitled += d->type != T_LETTER && d->wording < 0;
        st->stamped += d->stamped;
        st->faxed += families[d->family].fax;
    }
    for (int p = 0; p < fp->n; p++)
        if (fp->v[p].blank) {
            truth_blank(truth, ch, p + 1);
            st->blank++;
        }
    st->pages += fp->n;
    st->files++;
    st->photocopied_files += ch->photocopy;
}

/* Lay out, render, scan and store one chart; append its truth. */
static int make_chart(const char *tmpdir, long i, chart *ch,
                      struct archive *zip, cs_buf *truth, stats *st, tk_rng *r,
                      char *err, size_t errlen)
{
    file_pages fp = { 0 };
    tk_scanfile sf;
    cs_buf ps = CS_BUF_INIT;
    char png[4400];
    PIX *pix = NULL;
    photocopy pc = { 0 };
    int p, k, rc = -1;

    tk_chart_entry(ch->entry, sizeof ch->entry, i);
    for (k = 0; k < ch->ndocs; k++)
        layout_document(&fp, &ch->docs[k], ch->duplex, r);
    for (p = 0; p < fp.n; p++)
        fp.v[p].skew = tk_rng_range(r, -100, 100) / 100.0;
    if (ch->photocopy)
        photocopy_draw(&pc, r);
    tk_scanfile_init(&sf, tmpdir, i);
    file_ps(&fp, &ps);
    if (tk_scanfile_render(&sf, &ps, 300, err, errlen) < 0)
        goto out;
    for (p = 0; p < fp.n; p++) {
        tk_scanfile_png(&sf, p + 1, png, sizeof png);
        if ((pix = degrade_page(png, &fp.v[p], ch->g4, &pc, r, err, errlen)) == NULL)
            goto out;
        unlink(png);
        if (tk_scanfile_add_page(&sf, pix, ch->g4, err, errlen) < 0)
            goto out;
        pixDestroy(&pix);
    }
    if (tk_scanfile_store(&sf, zip, ch->entry, err, errlen) < 0)
        goto out;
    chart_truth(ch, &fp, truth, st);
    rc = 0;
out:
    tk_scanfile_cleanup(&sf);
    pixDestroy(&pix);
    cs_buf_free(&ps);
    file_pages_free(&fp);
    return rc;
}

/*
 * The charts of the set, planned from streams 2 (sizes, absent patients,
 * scanning, documents) and 3 (patients): chart sizes first, then which
 * charts belong to absent patients, then each chart's patient and
 * documents.  Returns the charts (calloc'd); *nchart gets their number.
 */
static chart *plan_charts(const options *opt, const patient *roster, corpus *c, long *nchart)
{
    chart *charts = tk_xcalloc((size_t)opt->docs, sizeof *charts);
    long n = 0, i, docs = 0, absent_quota, absent = 0, *lookalike, nlookalike = 0;
    long typo_left = (opt->docs * 2 + 99) / 100;    /* MRN typos: 2%, rounded up */
    long no_mrn_left = (opt->docs * 3 + 99) / 100;  /* letters without MRN: 3% */
    tk_rng plan = tk_rng_stream(opt->seed, 2), pick = tk_rng_stream(opt->seed, 3);

    while (docs < opt->docs) {
        int k = tk_rng_percent(&plan, 35) ? 1 : tk_rng_percent(&plan, 55) ? 2 : 3;
        if (k > opt->docs - docs)
            k = (int)(opt->docs - docs);
        charts[n++].ndocs = k;
        docs += k;
    }
    absent_quota = (opt->docs * 5 + 99) / 100;
    for (long tries = 0; absent < absent_quota && tries < 100000; tries++) {
        chart *ch = &charts[tk_rng_below(&plan, (unsigned)n)];
        if (!ch->absent && ch->ndocs <= absent_quota - absent) {
            ch->absent = 1;
            absent += ch->ndocs;
        }
    }
    lookalike = tk_xcalloc((size_t)opt->patients, sizeof *lookalike);
    for (i = 0; i < opt->patients; i++)
        if (roster[i].group != G_PLAIN)
            lookalike[nlookalike++] = i;
    for (i = 0; i < n; i++) {
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
        ch->photocopy = tk_rng_percent(&plan, PHOTOCOPY_PCT);
        plan_chart(ch, roster, c, &typo_left, &no_mrn_left, &plan);
    }
    free(lookalike);
    *nchart = n;
    return charts;
}

static void print_summary(const options *opt, const corpus *c, const stats *st)
{
    printf(PROG ": %ld documents in %ld files, %ld pages (%ld blank back sides); "
           "%ld documents of absent patients, %ld with an MRN typo, %ld without MRN; "
           "roster of %ld; fold %d held out (%ld rows, %ld left for training)\n",
           st->docs, st->files, st->pages, st->blank, st->absent_docs, st->typo_docs,
           st->no_mrn_docs, opt->patients, opt->fold, c->eval_rows, c->train_rows);
    printf(PROG ": documents by type:");
    for (int t = 0; t < NTYPES; t++)
        printf(" %s %ld%s", doctypes[t].code, st->by_type[t], t < NTYPES - 1 ? "," : "\n");
    printf(PROG ": %ld tuning and %ld held-out documents; %ld untitled, %ld stamped, %ld faxed; "
           "%ld photocopied files\n", st->by_split[SPLIT_TUNING], st->by_split[SPLIT_HELDOUT],
           st->untitled, st->stamped, st->faxed, st->photocopied_files);
}

static int run(const options *opt, char *err, size_t errlen)
{
    corpus c;
    patient *roster = NULL;
    chart *charts = NULL;
    long nchart = 0, i;
    struct archive *zip = NULL;
    cs_buf csv = CS_BUF_INIT, truth = CS_BUF_INIT;
    char path[4400], tmpdir[4400] = "";
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
    charts = plan_charts(opt, roster, &c, &nchart);

    if (tk_make_temp_dir("evalgen", tmpdir, sizeof tmpdir, err, errlen) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/eval.zip", opt->out);
    if ((zip = tk_zip_create(path, err, errlen)) == NULL)
        goto out;
    for (i = 0; i < nchart; i++) {
        tk_rng r = tk_rng_stream(opt->seed, 1000 + (uint64_t)i);
        if (make_chart(tmpdir, i, &charts[i], zip, &truth, &st, &r, err, errlen) < 0)
            goto out;
    }
    if (tk_zip_close(zip, path, err, errlen) < 0)
        goto out;
    snprintf(path, sizeof path, "%s/truth.jsonl", opt->out);
    if (tk_write_file(path, truth.data, truth.len, err, errlen) < 0)
        goto out;
    print_summary(opt, &c, &st);
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
    free(charts);
    free(roster);
    corpus_free(&c);
    return rc;
}

/* ======================= command line ======================= */

static void show_list(const char *what, const char *const *ids, const int *split, int n,
                      int stride_quote)
{
    for (int s = SPLIT_TUNING; s <= SPLIT_HELDOUT; s++) {
        int col = printf("  %-14s %-8s", s == SPLIT_TUNING ? what : "", split_names[s]);
        for (int k = 0; k < n; k++) {
            if (split[k] != s)
                continue;
            if (col + (int)strlen(ids[k]) + 4 > 100)
                col = printf("\n  %-14s %-8s", "", "");
            col += printf(stride_quote ? " \"%s\"" : " %s", ids[k]);
        }
        printf("\n");
    }
}

/* --show-split: the fixed split, as evalgen uses it. */
static void show_split(void)
{
    const char *ids[64];
    int n;

    printf("the fixed tuning / held-out split (salt \"%s\"; the same for every --seed)\n",
           SPLIT_SALT);
    for (n = 0; n < NFAMILIES; n++)
        ids[n] = families[n].name;
    show_list("families", ids, family_split, n, 0);
    for (n = 0; n < NF_COUNT; n++)
        ids[n] = name_formats[n].id;
    show_list("name formats", ids, name_format_split, n, 1);
    for (n = 0; n < DF_COUNT; n++)
        ids[n] = date_formats[n].id;
    show_list("date formats", ids, date_format_split, n, 0);
    printf("title wordings (letters: openings); untitled reports in both halves\n");
    for (int t = 0; t < NTYPES; t++) {
        for (int s = SPLIT_TUNING; s <= SPLIT_HELDOUT; s++) {
            printf("  %-18s %-8s", s == SPLIT_TUNING ? doctypes[t].code : "", split_names[s]);
            for (int k = 0; k < wording_count(t); k++)
                if (wording_split[t][k] == s)
                    printf(" %s=\"%s\"", wordings[t][k].id, wordings[t][k].text);
            printf("\n");
        }
    }
}

static void usage(FILE *fp)
{
    fputs(
"usage: evalgen --out DIR --data FILE.csv [--seed N] [--docs N] [--patients N] [--fold K]\n"
"       evalgen --show-split\n"
"\n"
"Writes the labelled evaluation set of chartscan's indexing into DIR:\n"
"  roster.csv   mrn,last_name,first_name,middle_name,birth_date,sex,suffix,\n"
"               with twins, same-name (father and son) and same-last-name\n"
"               pairs and MRN neighbours; hyphenated, two-word, O' and Mc\n"
"               last names, suffixes (Jr, Sr, II, III, IV), no middle name\n"
"  train.csv    id,doctype,text: the rows of FILE.csv outside fold K\n"
"  eval.zip     boxNN/chart_NNNN.tif: chart stacks of 1-3 documents of one\n"
"               patient (bodies from fold K of FILE.csv only), 300 dpi, mostly\n"
"               G4, some grey JPEG, a quarter duplex with blank back sides\n"
"  truth.jsonl  per document: kind \"document\", file, first_page, last_page,\n"
"               doctype, mrn (null when absent from the roster), in_roster,\n"
"               group, mrn_printed, mrn_typo, date_of_service, family (and\n"
"               layout, the same), split (\"tuning\" or \"heldout\"),\n"
"               name_format, dob_format, dos_format, title_wording (an id;\n"
"               null: untitled), wording_text (the wording, \"@exam\" and\n"
"               \"@modality\" made from the body; letters: the opening),\n"
"               title (as printed), font, stamped, photocopy, fax, source_id;\n"
"               per back side: kind \"blank\", file, page, blank\n"
"\n"
"  --data FILE.csv   labelled transcriptions, columns id,doctype,text\n"
"  --seed N          random seed (default 1); same seed, same files\n"
"  --docs N          documents, 1-100000 (default 120)\n"
"  --patients N      roster size, 20-1000000 (default 300)\n"
"  --fold K          held-out fold, 0-4 (default 0): rows whose id hashes to K\n"
"  --show-split      print the fixed tuning / held-out split and exit\n"
"\n"
"Forms: 16 header-layout families for reports and 2 for letters, 8-10 title\n"
"wordings per report type (17% of reports untitled), 6 letter openings, 14\n"
"name formats, 13 date formats.  Each is split into a tuning and a held-out half by a fixed rule\n"
"(the same for every seed, see --show-split); half the documents are tuning\n"
"(tuning families, wordings, name and date formats), half held out\n"
"(held-out families and wordings, any name and date format).\n"
"\n"
"Shares: 5% of the documents (rounded up) are of patients absent from the\n"
"roster, half the charts of roster patients go to look-alikes, 2% of the\n"
"documents print the MRN neighbour's MRN (a typo), 3% are letters that print\n"
"only name and birth date (both rounded up, when such documents occur); 10%\n"
"of the documents carry a hand stamp over the header, 10% of the files are\n"
"photocopies (grey background, specks, streak, edge shadow); fax-header\n"
"documents are faxed (about 200 dpi black and white).\n"
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
        { "show-split", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, NULL, 1, 120, 300, 0 };
    char err[CS_ERRLEN] = "";
    long v;
    int c, show = 0;

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
        case 'S':
            show = 1;
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
    split_init();
    if (show) {
        show_split();
        return 0;
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

/*
 * indexer.h — pure text-in, decisions-out logic: document separation,
 * field extraction (MRN, name, birth date, date of service), patient
 * matching against roster candidates, and the document-type classifier
 * (train, cross-validate, calibrate, serialise, predict).  No database,
 * no images: pipeline/ fetches the roster candidates and stores results.
 *
 * Call sequence for the classifier:
 *   cs_classifier_train(examples)        -> model
 *   cs_classifier_serialize(model)       -> bytes (stored by pipeline/)
 *   cs_classifier_load(bytes)            -> model (in a worker, once)
 *   cs_classifier_predict(model, text)   -> label, confidence, alternatives
 *   cs_classifier_free(&model)
 *
 * Call sequence for one source file (a multi-page TIFF) in pipeline/:
 *   cs_index_split(pages)                 -> documents (page ranges)
 *   per document:
 *     cs_index_extract_fields(its pages)  -> cs_fields
 *     cs_index_mrn_variants(fields.mrn)   -> MRNs for the roster lookup
 *     (pipeline/: roster candidates by exact MRN, MRN variants, name + DOB)
 *     cs_index_match(fields, candidates)  -> ranked scores, file or review
 *     cs_classifier_predict(model, text)  -> type, calibrated confidence
 */
#ifndef CS_INDEXER_H
#define CS_INDEXER_H

#include <stddef.h>

typedef struct cs_classifier cs_classifier;

typedef struct cs_labelled_text {
    const char *label;   /* document-type code, e.g. "discharge_summary" */
    const char *text;
} cs_labelled_text;

/*
 * cs_classifier_train: train a model on n examples.  Returns 0 and sets
 * *out, or -1 with a message in err (fewer than 2 labels, no examples,
 * out of memory).
 */
int cs_classifier_train(const cs_labelled_text *examples, size_t n,
                        cs_classifier **out, char *err, size_t errlen);

/* Serialise to a self-describing, versioned byte string (malloc'd into *buf). */
int cs_classifier_serialize(const cs_classifier *m, char **buf, size_t *len);

/* Load a serialised model; -1 with a message on a malformed or foreign blob. */
int cs_classifier_load(const char *buf, size_t len, cs_classifier **out,
                       char *err, size_t errlen);

typedef struct cs_prediction {
    const char *label;     /* points into the model; valid while it lives */
    double confidence;     /* calibrated posterior probability, 0..1 */
} cs_prediction;

/*
 * cs_classifier_predict: the top k (k >= 1) labels for text, best first.
 * Returns how many were written (<= k, 0 only for an empty model).
 */
int cs_classifier_predict(const cs_classifier *m, const char *text,
                          cs_prediction *top, int k);

size_t cs_classifier_label_count(const cs_classifier *m);
const char *cs_classifier_label(const cs_classifier *m, size_t i);

void cs_classifier_free(cs_classifier **pm);

/*
 * cs_classifier_temperature: the calibration temperature T of a model
 * (posteriors are softmax(log-score / T)); 1.0 for an uncalibrated one.
 */
double cs_classifier_temperature(const cs_classifier *m);

#define CS_RELIABILITY_BINS 10

/*
 * Result of cross-validation: labels sorted by name,
 * confusion[true * nlabels + pred], and a reliability table of the top
 * prediction's confidence: bin b holds confidences in [b/10, (b+1)/10)
 * (1.0 in the last bin).  top_confidence and top_correct hold each
 * example's (in the order given) for finer curves.
 */
typedef struct cs_crossval {
    size_t nlabels;
    char **labels;
    long *confusion;
    long correct, total;
    long bin_count[CS_RELIABILITY_BINS];
    long bin_correct[CS_RELIABILITY_BINS];
    double bin_confidence[CS_RELIABILITY_BINS];   /* sum of confidences */
    double log_loss;      /* mean -log P(true label) over held-out examples */
    double *top_confidence;       /* [total]: the held-out top confidence */
    unsigned char *top_correct;   /* [total]: 1 when the top label was right */
} cs_crossval;

/*
 * cs_classifier_crossval: stratified-free k-fold cross-validation with a
 * deterministic shuffle from seed, of the kind of model
 * cs_classifier_train makes.  Returns 0, or -1 with a message.
 */
int cs_classifier_crossval(const cs_labelled_text *examples, size_t n, int folds,
                           unsigned seed, cs_crossval *out, char *err, size_t errlen);
void cs_crossval_free(cs_crossval *cv);

/*
 * cs_crossval_threshold: the lowest held-out top confidence c such that
 * the examples at or above c are right at least a share accuracy of the
 * time; *share (NULL to skip) is the share of examples at or above c.
 * Returns c, or a value above 1 (and *share 0) when no c reaches it.
 */
double cs_crossval_threshold(const cs_crossval *cv, double accuracy, double *share);

/* ---- field extraction ---- */
#define CS_MRN_MAX 24

typedef struct cs_mrn_candidate {
    char mrn[CS_MRN_MAX];   /* digits (and letters for alphanumeric MRNs) */
    int labelled;           /* 1 when it followed an MRN label */
    size_t offset;          /* byte offset in the text */
} cs_mrn_candidate;

/*
 * cs_index_find_mrns: MRN candidates in OCR text, labelled ones first
 * (MRN, MR#, Med Rec #, Medical Record No., Unit No., a bare '#' after a
 * "LAST, FIRST" name on the same line), then bare numbers of
 * 6 to 12 digits that are not preceded by account / encounter / phone /
 * visit labels, in order of appearance, without duplicates.  Returns the
 * number written to out (at most max).  In labelled values OCR letter
 * confusions are repaired ("48Z13377" -> "48213377") and digit groups are
 * joined ("Med Rec #: 4821 3377" -> "48213377"); fields.c has the rules.
 */
int cs_index_find_mrns(const char *text, cs_mrn_candidate *out, int max);

/* ------------------------------------------------------------------ */
/*                 pages: the indexer's view of OCR output            */
/* ------------------------------------------------------------------ */

/*
 * One recognised word.  Coordinates in pixels of the page image, origin
 * top left; block and line number the word's OCR block and line so that
 * words can be put back into reading order.  pipeline/ fills these from
 * ocr/'s results: indexer/ does not include ocr/ocr.h.
 */
typedef struct cs_index_word {
    const char *text;
    int x, y, w, h;
    float confidence;      /* 0..100 as Tesseract reports, or < 0 unknown */
    int block, line;
} cs_index_word;

/* One page: its text, optionally its words (words may be NULL). */
typedef struct cs_index_page {
    const char *text;      /* NULL is read as "" */
    const cs_index_word *words;
    size_t nwords;
    int width, height;     /* of the image the word boxes refer to */
    int blank;             /* 1 when the OCR stage found the page blank */
    int separator;         /* 1: a separator sheet (a chartscan cover sheet, a
                              patch code, the site's separator barcode): in no
                              document, and the next page starts one */
} cs_index_page;

/* ------------------------------------------------------------------ */
/*                                dates                               */
/* ------------------------------------------------------------------ */

/* A calendar date; all zero when unknown. */
typedef struct cs_date {
    int year, month, day;
} cs_date;

typedef enum cs_date_kind {
    CS_DATE_BIRTH,      /* two-digit years: not after the reference year */
    CS_DATE_SERVICE     /* within the 60 years up to the reference year */
} cs_date_kind;

/*
 * cs_index_parse_date: parse the date that starts at s, in any of the
 * formats 03/14/1952, 3/14/1952, 03-14-52, 03.14.1952, 1952-03-14,
 * 1952/03/14, 14-Mar-1952, 14 Mar 1952, March 14, 1952, Mar. 14 1952,
 * with OCR letter confusions in the digits.  Returns 1 and fills *out
 * (and *consumed, bytes used; use NULL to skip), or 0 when s does not
 * start with a valid calendar date in the kind's year window.
 * ref_year <= 0 means the current year.  See dates.c for the rules.
 */
int cs_index_parse_date(const char *s, cs_date_kind kind, int ref_year,
                        cs_date *out, size_t *consumed);

/* Compare two dates: <0, 0, >0 (unknown dates sort first). */
int cs_date_cmp(const cs_date *a, const cs_date *b);

/* ------------------------------------------------------------------ */
/*                           field extraction                         */
/* ------------------------------------------------------------------ */

#define CS_NAME_MAX 64

/* How a field was found. */
typedef struct cs_field_info {
    int found;           /* 1 when a value was extracted */
    int labelled;        /* 1 when it followed its label (MRN:, DOB:, Patient:) */
    int in_header;       /* 1 when found in the first page's header zone */
    double confidence;   /* 0..1; extract.c explains the scale */
} cs_field_info;

typedef struct cs_fields {
    char mrn[CS_MRN_MAX];          /* normalised, "" when none */
    cs_field_info mrn_info;
    int mrn_conflict;              /* 1: the first page has different labelled MRNs */
    char last[CS_NAME_MAX];        /* upper case, as printed */
    char first[CS_NAME_MAX];
    char middle[CS_NAME_MAX];      /* may be "" or an initial */
    cs_field_info name_info;
    cs_date birth;
    cs_field_info birth_info;
    cs_date service;
    cs_field_info service_info;
} cs_fields;

/*
 * cs_index_extract_fields: MRN, patient name, birth date and date of
 * service of one document from its pages (in order).  ref_year bounds
 * dates (<= 0: the current year).  Returns 0 (fields not found are left
 * with found = 0), or -1 for a NULL argument.
 */
int cs_index_extract_fields(const cs_index_page *pages, size_t n, int ref_year,
                            cs_fields *out);

/*
 * cs_index_find_name: the first patient name in text.  labelled_only
 * restricts the search to values after a name label.  Returns 1 and
 * fills last, first, middle (each CS_NAME_MAX bytes) and *labelled, or 0.
 */
int cs_index_find_name(const char *text, int labelled_only, char *last,
                       char *first, char *middle, int *labelled);

/* ------------------------------------------------------------------ */
/*                         document separation                        */
/* ------------------------------------------------------------------ */

typedef struct cs_index_document {
    size_t first, last;    /* page indices, inclusive; blank pages in
                              between belong to no document */
    size_t npages;         /* non-blank pages in the document */
    const char *reason;    /* why it starts here (static string) */
} cs_index_document;

typedef struct cs_split {
    size_t npages;
    long *page_document;          /* [npages]: document index, -1 if blank or a separator */
    size_t ndocuments;
    cs_index_document *documents; /* in page order */
    size_t nblank;
} cs_split;

/*
 * cs_index_split: separate the pages of one source file into documents.
 * Returns 0 and fills *out (release with cs_split_free), or -1 with a
 * message.  All pages blank gives zero documents.  See split.c.
 */
int cs_index_split(const cs_index_page *pages, size_t n, int ref_year,
                   cs_split *out, char *err, size_t errlen);
void cs_split_free(cs_split *s);

/* ------------------------------------------------------------------ */
/*                    barcodes: what a payload means                  */
/* ------------------------------------------------------------------ */

#define CS_DOCTYPE_MAX 33          /* a type code on a cover sheet, NUL included */
#define CS_SHEET_PAYLOAD_MAX 80    /* a cover sheet's payload, NUL included */

typedef enum cs_barcode_kind {
    CS_BARCODE_OTHER = 0,   /* not ours, or ours with a wrong check value: ignored */
    CS_BARCODE_SHEET,       /* a chartscan cover sheet: MRN and (maybe) type */
    CS_BARCODE_SEPARATOR,   /* another system's separator (PATCH-T, the site's prefix) */
    CS_BARCODE_LABEL        /* a patient-label sticker: an MRN */
} cs_barcode_kind;

/*
 * cs_index_sheet_payload: the payload of a cover sheet for mrn and doctype
 * (NULL or "" for none) into out: "CS1:MRN:TYPE:CHECK".  Returns 0, or -1
 * when they cannot be carried (characters, length).  See barcode.c.
 */
int cs_index_sheet_payload(const char *mrn, const char *doctype, char *out, size_t outlen);

/*
 * cs_index_barcode_read: the kind of a barcode's payload; for a sheet its
 * MRN and type, for a label its MRN (mrn: CS_MRN_MAX bytes, doctype:
 * CS_DOCTYPE_MAX bytes; either NULL to skip).  site_prefix: payloads that
 * start with it are separators (NULL or "": none).  See barcode.c.
 */
cs_barcode_kind cs_index_barcode_read(const char *payload, const char *site_prefix, char *mrn,
                                      char *doctype);

/* ------------------------------------------------------------------ */
/*                           patient matching                         */
/* ------------------------------------------------------------------ */

/* One roster record, as pipeline/ fetched it.  Strings may be NULL. */
typedef struct cs_roster_record {
    const char *mrn, *last, *first, *middle;
    cs_date birth;               /* all zero when unknown */
    char sex;                    /* 'F', 'M', or 0 */
} cs_roster_record;

/* Agreement level of one field (see match.c for weights). */
typedef enum cs_agreement {
    CS_AGREE_MISSING = 0,        /* absent on the document or the record */
    CS_AGREE_EXACT,
    CS_AGREE_CLOSE,              /* MRN: one edit; date: day/month swapped;
                                    names: Jaro-Winkler >= 0.92 or swapped */
    CS_AGREE_DISAGREE
} cs_agreement;

/* ---- verification: the candidate's own identifiers looked up on the page ---- */

/*
 * A document's identifier evidence, built once from its pages and asked
 * about each roster candidate: which MRN-like tokens it shows (for the
 * candidate lookup), and whether a given candidate's MRN, birth date,
 * last and first name appear on it, and where.  See evidence.c and
 * verify.c.
 *
 * Call sequence (pipeline/stages/assemble.c):
 *   cs_evidence_new(pages)               -> evidence
 *   cs_evidence_mrns(evidence)           -> MRN tokens for the roster lookup
 *   cs_index_match_verified(fields, evidence, candidates)
 *   cs_evidence_free(&evidence)
 */
typedef struct cs_evidence cs_evidence;

/* The identifiers, as indices into cs_verification's arrays. */
enum { CS_ID_MRN, CS_ID_BIRTH, CS_ID_LAST, CS_ID_FIRST, CS_ID_COUNT };

/* Where an identifier was found: the page (index into the pages given to
 * cs_evidence_new, -1 when not found) and the words' box on it (all 0
 * when the page had no word boxes). */
typedef struct cs_evidence_hit {
    int page;
    int x, y, w, h;
} cs_evidence_hit;

typedef struct cs_verification {
    cs_agreement level[CS_ID_COUNT];   /* as found on the page; MISSING = not found */
    cs_evidence_hit hit[CS_ID_COUNT];
} cs_verification;

/*
 * cs_evidence_new: index the identifier zones of a document's pages (in
 * order; blank pages skipped).  ref_year bounds two-digit years (<= 0:
 * this year).  Returns 0 and sets *out, or -1 (NULL argument, out of
 * memory).  The evidence copies what it needs: pages may go first.
 */
int cs_evidence_new(const cs_index_page *pages, size_t n, int ref_year, cs_evidence **out);
void cs_evidence_free(cs_evidence **pe);

/*
 * cs_evidence_mrns: the MRN-like tokens of the document's first pages
 * (6 to 12 characters, mostly digits, OCR letters repaired, labelled or
 * not), header zone first, without duplicates.  Writes at most max and
 * returns how many it wrote.
 */
int cs_evidence_mrns(const cs_evidence *e, char (*out)[CS_MRN_MAX], int max);

/*
 * cs_evidence_dates: the dates printed in the document's identifier zones
 * (header and footer), read as birth dates may be, without duplicates,
 * for the roster lookup of documents whose MRN and name cannot be read.
 * Writes at most max and returns how many it wrote.
 */
int cs_evidence_dates(const cs_evidence *e, cs_date *out, int max);

/*
 * cs_evidence_verify: look for record r's own MRN, birth date and names
 * on the document.  Fills *out (levels MISSING and page -1 where not
 * found).  Returns 0, or -1 for a NULL argument.  See verify.c.
 */
int cs_evidence_verify(const cs_evidence *e, const cs_roster_record *r, cs_verification *out);

typedef struct cs_match_score {
    size_t record;               /* index into the candidates passed in */
    cs_agreement mrn, birth, last, first;
    double weight;               /* sum of log-likelihood ratios */
    double pair_probability;     /* logistic(weight + prior log-odds) */
    double probability;          /* among these candidates and "none" */
    cs_evidence_hit hit[CS_ID_COUNT];   /* where each identifier was found (page -1: not) */
} cs_match_score;

typedef struct cs_match_decision {
    int file;                    /* 1: file to scores[0].record */
    const char *reason;          /* why review (static string), NULL if filed */
    size_t ncandidates;
} cs_match_decision;

/* Review reasons (pointer-comparable; the text is what pipeline/ stores). */
extern const char CS_REASON_NO_MRN[];          /* "no MRN found" */
extern const char CS_REASON_MRN_DOB[];         /* "MRN matches a patient whose birth date disagrees" */
extern const char CS_REASON_MRN_NAME[];        /* "MRN matches a patient whose name disagrees" */
extern const char CS_REASON_TWO[];             /* "two candidates" */
extern const char CS_REASON_NOT_IN_ROSTER[];   /* "not in roster" */
extern const char CS_REASON_WEAK[];            /* "weak evidence" */
extern const char CS_REASON_MRN_CLOSE[];       /* "MRN differs by one character from the best candidate's" */
extern const char CS_REASON_MRN_CONFLICT[];    /* "document shows more than one MRN" */
extern const char CS_REASON_NO_CANDIDATES[];   /* "no candidates" */
extern const char CS_REASON_LOOKALIKE[];       /* "no MRN, and a look-alike of the patient in the roster" */

#define CS_MATCH_FILE_PROBABILITY 0.99
#define CS_MATCH_MARGIN           0.95   /* best minus second probability */

/*
 * cs_index_match: score each roster candidate against the document's
 * fields, rank them, and decide.  scores (n entries, caller-owned) is
 * filled best first.  Returns 0, or -1 for a NULL argument.
 */
int cs_index_match(const cs_fields *fields, const cs_roster_record *candidates,
                   size_t n, cs_match_score *scores, cs_match_decision *decision);

/*
 * cs_index_match_verified: cs_index_match with each candidate's
 * identifiers also looked up on the document (evidence from
 * cs_evidence_new; NULL gives cs_index_match).  A value found on the page
 * agrees; a field disagrees only when a labelled value was extracted that
 * differs and the candidate's own value is not on the page.  A document
 * without an MRN may be filed on a verified full name and birth date that
 * no look-alike among the candidates shares (match.c, rule 2).  The
 * candidates should then include every roster patient of the extracted
 * name (any birth date) and of the extracted birth date (similar last
 * name).  Returns 0, or -1 for a NULL argument.
 */
int cs_index_match_verified(const cs_fields *fields, const cs_evidence *evidence,
                            const cs_roster_record *candidates, size_t n,
                            cs_match_score *scores, cs_match_decision *decision);

/* Jaro-Winkler similarity of two names (case and punctuation ignored), 0..1. */
double cs_jaro_winkler(const char *a, const char *b);

/*
 * cs_index_mrn_distance: 0 when equal, 1 when one substitution,
 * insertion or deletion apart, 2 otherwise.
 */
int cs_index_mrn_distance(const char *a, const char *b);

/*
 * cs_index_mrn_variants: every MRN one edit away from mrn (substitution of
 * any one character, deletion of one, insertion of one), for the roster's
 * "MRN within one OCR edit" query, sorted and without mrn itself.  Writes
 * at most max into out and returns the number there would be (so a
 * caller can size the array: call with max 0 first).  -1 for bad input.
 */
long cs_index_mrn_variants(const char *mrn, char (*out)[CS_MRN_MAX], size_t max);

/* ------------------------------------------------------------------ */
/*                 printed titles and the final document type         */
/* ------------------------------------------------------------------ */

/*
 * The taxonomy's title lines (table doctype, column titles): pipeline/
 * loads them once per worker and adds them here.  A title ending in '*'
 * is a pattern for documents that print no title ("Dear *", "Re: *").
 * The words of the titles, with a built-in vocabulary of the default
 * types, also count as title-word evidence (title_words.c), so a title
 * never seen whole still counts.
 */
typedef struct cs_titles cs_titles;

/* A new title list holding the built-in vocabulary; -1 with a message. */
int cs_titles_new(cs_titles **out, char *err, size_t errlen);
/* Add one title of code; -1 with a message (no letters, out of memory). */
int cs_titles_add(cs_titles *t, const char *code, const char *title, char *err, size_t errlen);
size_t cs_titles_count(const cs_titles *t);
void cs_titles_free(cs_titles **pt);

/*
 * cs_index_find_title: the code whose title heads a first page's text
 * (top lines, OCR-tolerant), else whose pattern opens it; NULL when none.
 * *pattern (NULL to skip) is 1 when a pattern matched.  See titles.c.
 */
const char *cs_index_find_title(const cs_titles *t, const char *text, int *pattern);

/*
 * cs_index_title_words: the types the words of first_page's title lines
 * point to, best first, with the title-word model's posterior as the
 * confidence (labels of m, or t's codes when m is NULL; words of t's
 * titles and vocabulary and of m's training).  Returns the number
 * written (<= k), 0 when no title word is known.  See titles.c.
 */
int cs_index_title_words(const cs_titles *t, const cs_classifier *m, const char *first_page,
                         cs_prediction *top, int k);

/*
 * cs_index_doctype: the document's type, best first: the classifier's
 * calibrated posterior on text, mixed for OCR domain shift, times the
 * likelihood ratio of the title found on first_page (an exact title, a
 * pattern, or else the title lines' words), normalised.  Returns the
 * number written to top (<= k), 0 without a model.  *title_code (NULL
 * to skip) is the code the title or its words named, or NULL.  See
 * titles.c.
 */
int cs_index_doctype(const cs_classifier *m, const cs_titles *t, const char *first_page,
                     const char *text, cs_prediction *top, int k, const char **title_code);

/* ------------------------------------------------------------------ */
/*                           default training set                     */
/* ------------------------------------------------------------------ */

/*
 * cs_index_default_examples: labelled examples of the seven default
 * document types, generated from phrase banks written for this project,
 * to train the model that ships.  Returns 0 and sets *out and *n
 * (release with cs_index_default_examples_free), or -1 (out of memory).
 */
int cs_index_default_examples(cs_labelled_text **out, size_t *n);
void cs_index_default_examples_free(cs_labelled_text **examples, size_t n);

#endif

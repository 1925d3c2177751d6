/*
 * indexer.h — pure text-in, decisions-out logic: the document-type
 * classifier (train, cross-validate, serialise, predict) and field
 * extraction (MRN candidates).  No database, no images.
 *
 * Call sequence for the classifier:
 *   cs_classifier_train(examples)        -> model
 *   cs_classifier_serialize(model)       -> bytes (stored by pipeline/)
 *   cs_classifier_load(bytes)            -> model (in a worker, once)
 *   cs_classifier_predict(model, text)   -> label, confidence, alternatives
 *   cs_classifier_free(&model)
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
    double confidence;     /* posterior probability, 0..1 */
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

/* Result of cross-validation: labels sorted by name, confusion[true*nlabels+pred]. */
typedef struct cs_crossval {
    size_t nlabels;
    char **labels;
    long *confusion;
    long correct, total;
} cs_crossval;

/*
 * cs_classifier_crossval: stratified-free k-fold cross-validation with a
 * deterministic shuffle from seed.  Returns 0, or -1 with a message.
 */
int cs_classifier_crossval(const cs_labelled_text *examples, size_t n, int folds,
                           unsigned seed, cs_crossval *out, char *err, size_t errlen);
void cs_crossval_free(cs_crossval *cv);

/* ---- field extraction ---- */
#define CS_MRN_MAX 24

typedef struct cs_mrn_candidate {
    char mrn[CS_MRN_MAX];   /* digits (and letters for alphanumeric MRNs) */
    int labelled;           /* 1 when it followed an MRN label */
    size_t offset;          /* byte offset in the text */
} cs_mrn_candidate;

/*
 * cs_index_find_mrns: MRN candidates in OCR text, labelled ones first
 * (MRN, MR#, Med Rec #, Medical Record No., Unit No.), then bare numbers of
 * 6 to 12 digits that are not preceded by account / encounter / phone /
 * visit labels, in order of appearance, without duplicates.  Returns the
 * number written to out (at most max).  In labelled values OCR letter
 * confusions are repaired ("48Z13377" -> "48213377") and digit groups are
 * joined ("Med Rec #: 4821 3377" -> "48213377"); fields.c has the rules.
 */
int cs_index_find_mrns(const char *text, cs_mrn_candidate *out, int max);

#endif

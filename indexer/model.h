/*
 * model.h — internal to indexer/: the classifier's layout, shared by
 * classifier.c (naive Bayes, prediction), logreg.c (logistic regression),
 * calibrate.c, crossval.c, model_io.c (serialisation), and the title-word
 * tables (word_table.c) and title lines (title_words.c) used by titles.c
 * and training.
 * Not part of the module's public interface.
 *
 * A model is one of two kinds over the same features (tokenize.c):
 *   CS_MODEL_NAIVE_BAYES   counts per feature and label -> logprob, logprior
 *   CS_MODEL_LOGISTIC      weight per feature and label, bias per label
 * and may carry title-word weights learned from its training examples
 * (title_words, slots = label indices).
 *
 * Invariants (checked by assert in cs_model_finish):
 *   - labels are unique and sorted by strcmp, 1 <= nlabels <= CS_MAX_LABELS;
 *   - every label has docs >= 1;
 *   - table has a power-of-two size at least twice nfeatures, and every
 *     feature id appears in it exactly once;
 *   - counts, and after cs_model_finish logprob, hold nfeatures * nlabels
 *     entries, feature-major; so does weight for a logistic model.
 */
#ifndef CS_INDEXER_MODEL_H
#define CS_INDEXER_MODEL_H

#include "common/common.h"
#include "indexer/indexer.h"

#include <stdint.h>

#define CS_MAX_LABELS        256
#define CS_MAX_LABEL_LEN     255
/* Features a model may keep (after pruning), and a loaded blob may hold. */
#define CS_MODEL_VOCAB_MAX   (1u << 18)
/* Features counted during training before new ones are ignored. */
#define CS_TRAIN_VOCAB_MAX   (1u << 20)
#define CS_NO_FEATURE        UINT32_MAX

/* Model flags, stored in the serialised form. */
#define CS_MODEL_PRESENCE    0x1u   /* a feature counts once per document */

/* Model kinds, stored in the serialised form (version 3). */
#define CS_MODEL_NAIVE_BAYES 1u
#define CS_MODEL_LOGISTIC    2u
/* The kind cs_classifier_train makes (crossval.c has the measurements). */
#define CS_MODEL_DEFAULT_KIND CS_MODEL_LOGISTIC

typedef struct cs_word_table cs_word_table;

struct cs_classifier {
    uint32_t  kind;           /* CS_MODEL_NAIVE_BAYES or CS_MODEL_LOGISTIC */
    uint32_t  flags;
    double    alpha;          /* additive (Laplace) smoothing */
    double    temperature;    /* posteriors are softmax(log-score / T); 1 = raw NB */
    size_t    nlabels;
    char    **labels;         /* sorted by name */
    uint32_t *docs;           /* training documents per label */

    size_t    nfeatures;
    size_t    feature_cap;
    uint32_t *feature_offset; /* start of each feature's name in names */
    uint8_t  *feature_len;
    uint32_t *feature_hash;
    cs_buf    names;          /* feature names, back to back */
    uint32_t *table;          /* open addressing; CS_NO_FEATURE when empty */
    size_t    table_size;

    uint32_t *counts;         /* [feature * nlabels + label] */
    float    *logprob;        /* log P(feature | label), set by finish */
    double   *logprior;       /* log P(label), set by finish */

    float    *weight;         /* logistic: [feature * nlabels + label] */
    double   *bias;           /* logistic: [label] */
    double    lambda;         /* logistic: the L2 strength it was fitted with */

    cs_word_table *title_words;  /* learned title-word weights, or NULL */
};

/* New empty model owning copies of labels[0..nlabels) (already sorted). */
cs_classifier *cs_model_new(char *const *labels, size_t nlabels, double alpha,
                            uint32_t flags);
/* FNV-1a hash of a feature name. */
uint32_t cs_model_hash(const char *s, size_t len);
/* Id of a feature, or CS_NO_FEATURE. */
uint32_t cs_model_find(const cs_classifier *m, const char *s, size_t len,
                       uint32_t hash);
/*
 * Add a feature with zero counts and return its id; CS_NO_FEATURE when
 * out of memory or when limit features are already held.
 */
uint32_t cs_model_add(cs_classifier *m, const char *s, size_t len,
                      uint32_t hash, size_t limit);
/*
 * A growing list of feature ids (the features of one text, as the
 * tokenizer yields them): cs_model_ids_push appends id, doubling from
 * first_cap; -1 when memory runs out (the ids so far stay).
 * cs_model_cmp_ids orders ids for qsort.
 */
typedef struct cs_model_ids {
    uint32_t *v;
    size_t n, cap;
} cs_model_ids;
int cs_model_ids_push(cs_model_ids *l, uint32_t id, size_t first_cap);
int cs_model_cmp_ids(const void *a, const void *b);
/* Compute logprob and logprior from counts and docs.  0, or -1 (memory). */
int cs_model_finish(cs_classifier *m);
/*
 * Unnormalised log-posteriors of text for every label, in label order
 * (log prior + sum of feature log-probabilities), before temperature.
 */
void cs_model_scores(const cs_classifier *m, const char *text, double *score);

/*
 * Unnormalised scores from the sorted, unique known feature ids of a text
 * (cs_model_scores collects them); per kind.
 */
void cs_model_nb_scores(const cs_classifier *m, const uint32_t *ids, size_t nids,
                        double *score);
void cs_logreg_scores(const cs_classifier *m, const uint32_t *ids, size_t nids,
                      double *score);

/*
 * The sorted distinct labels of the examples, into *names (malloc'd array
 * pointing into examples) and *nlabels.  0, or -1 with a message (a
 * missing or overlong label, fewer than 2 or more than CS_MAX_LABELS
 * labels, out of memory).
 */
int cs_model_label_set(const cs_labelled_text *examples, size_t n, const char ***names,
                       size_t *nlabels, char *err, size_t errlen);
/* Index of label in the model's sorted labels, or -1. */
long cs_model_label_index(const cs_classifier *m, const char *label);

/* Naive Bayes training alone: the model with temperature 1. */
int cs_model_train_raw(const cs_labelled_text *examples, size_t n,
                       cs_classifier **out, char *err, size_t errlen);
/* Logistic: logprior from docs (for texts with no known feature).  0, or -1. */
int cs_logreg_finish(cs_classifier *m);
/* Logistic regression training alone (logreg.c): temperature 1. */
int cs_logreg_train_raw(const cs_labelled_text *examples, size_t n,
                        cs_classifier **out, char *err, size_t errlen);
/* Training of either kind, uncalibrated. */
int cs_model_train_kind(uint32_t kind, const cs_labelled_text *examples, size_t n,
                        cs_classifier **out, char *err, size_t errlen);
/*
 * Training of either kind as cs_classifier_train does it: the raw model,
 * its calibration, and the title words of its examples.
 */
int cs_model_train(uint32_t kind, const cs_labelled_text *examples, size_t n,
                   cs_classifier **out, char *err, size_t errlen);
/*
 * Fit m->temperature on cross-validated scores of the examples m was
 * trained on (calibrate.c), with models of m's kind.  0 (also when the
 * set is too small to calibrate: T stays 1), or -1 when out of memory.
 */
int cs_model_calibrate(cs_classifier *m, const cs_labelled_text *examples, size_t n);
/* cs_classifier_crossval with models of the given kind (crossval.c). */
int cs_model_crossval(uint32_t kind, const cs_labelled_text *examples, size_t n, int folds,
                      unsigned seed, cs_crossval *out, char *err, size_t errlen);

/*
 * Temperatures a model may carry (a loaded blob is checked against these).
 * Naive Bayes needs T >= 1 (it is overconfident, never under); a
 * regularised logistic model can be underconfident, so T may be below 1.
 */
#define CS_TEMPERATURE_MIN 1.0
#define CS_TEMPERATURE_MIN_LOGISTIC 0.05
#define CS_TEMPERATURE_MAX 10000.0
/* Largest |weight| or |bias| a logistic model may carry. */
#define CS_LOGISTIC_WEIGHT_MAX 1.0e4

/* ---- title words (word_table.c, title_words.c) ---- */

/* Longest title word or bigram a table holds. */
#define CS_TITLE_WORD_MAX 48

/* One type's weight for a word: pseudo-observations of it in that type's titles. */
typedef struct cs_word_weight {
    uint32_t slot;           /* the type: a model label, or a titles.c code index */
    float weight;
} cs_word_weight;

cs_word_table *cs_word_table_new(void);
/* Release a title-word table; accepts NULL and nulls *pt. */
void cs_word_table_free(cs_word_table **pt);
/* Add weight (> 0) to word[0..len) for slot.  0, or -1 (bad argument, full, memory). */
int cs_word_table_add(cs_word_table *t, const char *word, size_t len, uint32_t slot,
                      double weight);
size_t cs_word_table_count(const cs_word_table *t);
/* The i-th word and its weights (*n of them, slots increasing); NULL past the end. */
const char *cs_word_table_entry(const cs_word_table *t, size_t i, const cs_word_weight **w,
                                size_t *n);
/* Index of word[0..len), or -1. */
long cs_word_table_find(const cs_word_table *t, const char *word, size_t len);

/* Called once per distinct title feature; negative stops the scan. */
typedef int (*cs_word_fn)(void *ctx, const char *word, size_t len);

/* What a page scan may use: tables whose words OCR repairs aim at, lines to skip. */
typedef struct cs_title_scan {
    const cs_word_table *known[2];     /* either may be NULL */
    int (*skip_line)(const void *arg, const char *line, size_t len);  /* NULL: none */
    const void *skip_arg;
} cs_title_scan;

/*
 * The distinct words and bigrams of the title lines of page (its first
 * TITLE_SCAN_LINES non-empty lines that look like a title), repaired
 * against scan's known words when scan is given.  Returns the number of
 * title lines, or the first negative value fn returned.
 */
int cs_title_page_words(const char *page, const cs_title_scan *scan, cs_word_fn fn, void *ctx);
/* Add a title's or vocabulary phrase's words to t for slot.  0, or -1. */
int cs_title_phrase_add(cs_word_table *t, const char *phrase, uint32_t slot, double weight);
/* The i-th built-in vocabulary phrase, its code and weight; NULL past the end. */
const char *cs_title_vocabulary(size_t i, const char **code, double *weight);
/*
 * Learn title-word weights from the title lines of the examples' first
 * pages into m->title_words (slots: m's labels; NULL when none).  0, or
 * -1 when out of memory.
 */
int cs_title_words_learn(cs_classifier *m, const cs_labelled_text *examples, size_t n);

/* splitmix64: the deterministic generator behind fold shuffles (crossval, calibration). */
static inline uint64_t cs_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif

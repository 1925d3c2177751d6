/*
 * model.h — internal to indexer/: the naive Bayes model's layout, shared
 * by classifier.c (training, prediction) and model_io.c (serialisation).
 * Not part of the module's public interface.
 *
 * Invariants (checked by assert in cs_model_finish):
 *   - labels are unique and sorted by strcmp, 1 <= nlabels <= CS_MAX_LABELS;
 *   - every label has docs >= 1;
 *   - table has a power-of-two size at least twice nfeatures, and every
 *     feature id appears in it exactly once;
 *   - counts, and after cs_model_finish logprob, hold nfeatures * nlabels
 *     entries, feature-major.
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

struct cs_classifier {
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
/* Compute logprob and logprior from counts and docs.  0, or -1 (memory). */
int cs_model_finish(cs_classifier *m);
/*
 * Unnormalised log-posteriors of text for every label, in label order
 * (log prior + sum of feature log-probabilities), before temperature.
 */
void cs_model_scores(const cs_classifier *m, const char *text, double *score);

/* Naive Bayes training alone: the model with temperature 1. */
int cs_model_train_raw(const cs_labelled_text *examples, size_t n,
                       cs_classifier **out, char *err, size_t errlen);
/*
 * Fit m->temperature on cross-validated scores of the examples m was
 * trained on (calibrate.c).  0 (also when the set is too small to
 * calibrate: T stays 1), or -1 when out of memory.
 */
int cs_model_calibrate(cs_classifier *m, const cs_labelled_text *examples, size_t n);

/* Temperatures a model may carry (a loaded blob is checked against these). */
#define CS_TEMPERATURE_MIN 1.0
#define CS_TEMPERATURE_MAX 10000.0

/* splitmix64: the deterministic generator behind fold shuffles (crossval, calibration). */
static inline uint64_t cs_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#endif

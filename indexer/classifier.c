/*
 * classifier.c — the document-type classifier's common parts, and its
 * multinomial naive Bayes kind, over word unigrams and bigrams with a
 * separate feature space for headings (see tokenize.c).
 *
 * Interface routines:
 *   cs_classifier_train        the default kind, calibrated, with title words
 *   cs_classifier_predict      top-k labels with posterior probabilities
 *   cs_classifier_label_count, cs_classifier_label
 *   cs_classifier_free
 * Internal (model.h), shared with logreg.c, calibrate.c, crossval.c and
 * model_io.c:
 *   cs_model_new, cs_model_hash, cs_model_find, cs_model_add, cs_model_finish
 *   cs_model_label_set, cs_model_label_index, cs_model_scores
 *   cs_model_train_raw (naive Bayes), cs_model_train_kind, cs_model_train
 *
 * Kinds: naive Bayes (here) and logistic regression (logreg.c) share the
 * feature table, the presence rule and the calibration; crossval.c says
 * which one cs_classifier_train makes and why (CS_MODEL_DEFAULT_KIND).
 * Models stored before version 3 of the format are naive Bayes and keep
 * predicting exactly as they did.
 *
 * Design of the naive Bayes kind:
 *   - A feature counts once per document (CS_MODEL_PRESENCE): OCR text
 *     repeats headers and footers on every page, and presence counts keep
 *     one long document from outweighing many short ones.
 *   - Additive smoothing with alpha over the kept vocabulary; scores are
 *     summed in log space and turned into posteriors with log-sum-exp, so
 *     confidences over all labels sum to 1.
 *   - The vocabulary is an open-addressing hash table keyed by FNV-1a, so
 *     prediction costs one probe per feature, not a search.
 *   - Training stops adding features at CS_TRAIN_VOCAB_MAX and then prunes
 *     the rarest ones until at most CS_MODEL_VOCAB_MAX remain.
 *   - Features the model never saw are ignored at prediction time.
 *   - Calibration (calibrate.c): naive Bayes multiplies hundreds of
 *     correlated feature likelihoods as if independent, so its raw
 *     posteriors are 1.0000 on nearly everything.  Training fits a
 *     temperature T on cross-validated scores and prediction reports
 *     softmax(score / T); T does not change the ranking, only the
 *     confidences.
 */
#include "indexer/tokenize.h"
#include "indexer/model.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ALPHA 0.05

/* ------------------------------------------------------------------ */
/*                          model storage                             */
/* ------------------------------------------------------------------ */

uint32_t
cs_model_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

cs_classifier *
cs_model_new(char *const *labels, size_t nlabels, double alpha, uint32_t flags)
{
    cs_classifier *m = NULL;

    if (nlabels == 0 || nlabels > CS_MAX_LABELS)
        return NULL;
    if ((m = calloc(1, sizeof *m)) == NULL)
        return NULL;
    m->kind = CS_MODEL_NAIVE_BAYES;
    m->alpha = alpha;
    m->temperature = 1.0;
    m->flags = flags;
    m->labels = calloc(nlabels, sizeof *m->labels);
    m->docs = calloc(nlabels, sizeof *m->docs);
    if (!m->labels || !m->docs)
        goto out;
    m->nlabels = nlabels;
    for (size_t i = 0; i < nlabels; i++)
        if ((m->labels[i] = strdup(labels[i])) == NULL)
            goto out;
    return m;
out:
    cs_classifier_free(&m);
    return NULL;
}

uint32_t
cs_model_find(const cs_classifier *m, const char *s, size_t len, uint32_t hash)
{
    size_t mask, i;

    if (m->table_size == 0)
        return CS_NO_FEATURE;
    mask = m->table_size - 1;
    for (i = hash & mask;; i = (i + 1) & mask) {
        uint32_t id = m->table[i];
        if (id == CS_NO_FEATURE)
            return CS_NO_FEATURE;
        if (m->feature_hash[id] == hash && m->feature_len[id] == len &&
            memcmp(m->names.data + m->feature_offset[id], s, len) == 0)
            return id;
    }
}

/* Grow the table to size and re-insert every feature. */
static int
rehash(cs_classifier *m, size_t size)
{
    uint32_t *table = malloc(size * sizeof *table);

    if (!table)
        return -1;
    memset(table, 0xFF, size * sizeof *table);
    for (size_t id = 0; id < m->nfeatures; id++) {
        size_t i = m->feature_hash[id] & (size - 1);
        while (table[i] != CS_NO_FEATURE)
            i = (i + 1) & (size - 1);
        table[i] = (uint32_t)id;
    }
    free(m->table);
    m->table = table;
    m->table_size = size;
    return 0;
}

/* Make room for one more feature in the per-feature arrays. */
static int
grow_features(cs_classifier *m)
{
    size_t cap = m->feature_cap ? m->feature_cap * 2 : 1024;
    void *p;

    if ((p = realloc(m->feature_offset, cap * sizeof *m->feature_offset)) == NULL)
        return -1;
    m->feature_offset = p;
    if ((p = realloc(m->feature_len, cap * sizeof *m->feature_len)) == NULL)
        return -1;
    m->feature_len = p;
    if ((p = realloc(m->feature_hash, cap * sizeof *m->feature_hash)) == NULL)
        return -1;
    m->feature_hash = p;
    if ((p = realloc(m->counts, cap * m->nlabels * sizeof *m->counts)) == NULL)
        return -1;
    m->counts = p;
    memset(m->counts + m->feature_cap * m->nlabels, 0,
           (cap - m->feature_cap) * m->nlabels * sizeof *m->counts);
    m->feature_cap = cap;
    return 0;
}

uint32_t
cs_model_add(cs_classifier *m, const char *s, size_t len, uint32_t hash,
             size_t limit)
{
    uint32_t id;
    size_t i;

    assert(len > 0 && len <= CS_FEATURE_MAX);
    if (m->nfeatures >= limit || m->names.len > UINT32_MAX - CS_FEATURE_MAX)
        return CS_NO_FEATURE;
    if (m->nfeatures == m->feature_cap && grow_features(m) < 0)
        return CS_NO_FEATURE;
    if (2 * (m->nfeatures + 1) > m->table_size &&
        rehash(m, m->table_size ? m->table_size * 2 : 2048) < 0)
        return CS_NO_FEATURE;
    id = (uint32_t)m->nfeatures;
    m->feature_offset[id] = (uint32_t)m->names.len;
    if (cs_buf_append(&m->names, s, len) < 0)
        return CS_NO_FEATURE;
    m->feature_len[id] = (uint8_t)len;
    m->feature_hash[id] = hash;
    for (i = hash & (m->table_size - 1); m->table[i] != CS_NO_FEATURE;
         i = (i + 1) & (m->table_size - 1))
        ;
    m->table[i] = id;
    m->nfeatures++;
    return id;
}

int
cs_model_finish(cs_classifier *m)
{
    double *total = NULL, docs = 0;
    size_t L = m->nlabels, f, c;
    int rc = -1;

    for (c = 0; c < L; c++) {
        assert(m->docs[c] >= 1);
        assert(c == 0 || strcmp(m->labels[c - 1], m->labels[c]) < 0);
        docs += m->docs[c];
    }
    free(m->logprob);
    free(m->logprior);
    m->logprob = malloc((m->nfeatures ? m->nfeatures : 1) * L * sizeof *m->logprob);
    m->logprior = malloc(L * sizeof *m->logprior);
    total = calloc(L, sizeof *total);
    if (!m->logprob || !m->logprior || !total)
        goto out;
    for (f = 0; f < m->nfeatures; f++)
        for (c = 0; c < L; c++)
            total[c] += m->counts[f * L + c];
    for (c = 0; c < L; c++) {
        double denom = log(total[c] + m->alpha * (double)m->nfeatures);
        m->logprior[c] = log(m->docs[c] / docs);
        for (f = 0; f < m->nfeatures; f++)
            m->logprob[f * L + c] =
                (float)(log(m->counts[f * L + c] + m->alpha) - denom);
    }
    rc = 0;
out:
    free(total);
    return rc;
}

/* ------------------------------------------------------------------ */
/*                             training                               */
/* ------------------------------------------------------------------ */

typedef struct train_ctx {
    cs_classifier *m;
    size_t label;
    uint32_t doc;          /* 1-based document number */
    uint32_t *seen;        /* [feature]: last document that counted it */
    size_t seen_cap;
    int oom;
} train_ctx;

static int
train_feature(void *arg, const char *s, size_t len)
{
    train_ctx *t = arg;
    uint32_t hash = cs_model_hash(s, len);
    uint32_t id = cs_model_find(t->m, s, len, hash);

    if (id == CS_NO_FEATURE) {
        if (t->m->nfeatures >= CS_TRAIN_VOCAB_MAX)
            return 0;                       /* vocabulary full: ignore */
        if ((id = cs_model_add(t->m, s, len, hash, CS_TRAIN_VOCAB_MAX)) == CS_NO_FEATURE) {
            t->oom = 1;
            return -1;
        }
    }
    if (id >= t->seen_cap) {
        size_t cap = t->m->feature_cap;
        uint32_t *p = realloc(t->seen, cap * sizeof *p);
        if (!p) {
            t->oom = 1;
            return -1;
        }
        memset(p + t->seen_cap, 0, (cap - t->seen_cap) * sizeof *p);
        t->seen = p;
        t->seen_cap = cap;
    }
    if ((t->m->flags & CS_MODEL_PRESENCE) && t->seen[id] == t->doc)
        return 0;
    t->seen[id] = t->doc;
    if (t->m->counts[id * t->m->nlabels + t->label] < UINT32_MAX)
        t->m->counts[id * t->m->nlabels + t->label]++;
    return 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Keep only features seen at least min_total times, choosing the smallest
 * such bound that leaves at most CS_MODEL_VOCAB_MAX.  Replaces *pm.
 */
static int
prune(cs_classifier **pm)
{
    cs_classifier *m = *pm, *kept = NULL;
    size_t L = m->nlabels, f, c, nkept;
    uint64_t min_total = 1;

    for (;;) {
        for (f = 0, nkept = 0; f < m->nfeatures; f++) {
            uint64_t sum = 0;
            for (c = 0; c < L; c++)
                sum += m->counts[f * L + c];
            nkept += sum >= min_total;
        }
        if (nkept <= CS_MODEL_VOCAB_MAX)
            break;
        min_total++;
    }
    if (min_total == 1)
        return 0;
    if ((kept = cs_model_new(m->labels, L, m->alpha, m->flags)) == NULL)
        return -1;
    memcpy(kept->docs, m->docs, L * sizeof *kept->docs);
    for (f = 0; f < m->nfeatures; f++) {
        uint64_t sum = 0;
        uint32_t id;
        for (c = 0; c < L; c++)
            sum += m->counts[f * L + c];
        if (sum < min_total)
            continue;
        id = cs_model_add(kept, m->names.data + m->feature_offset[f],
                          m->feature_len[f], m->feature_hash[f], CS_MODEL_VOCAB_MAX);
        if (id == CS_NO_FEATURE) {
            cs_classifier_free(&kept);
            return -1;
        }
        memcpy(kept->counts + (size_t)id * L, m->counts + f * L, L * sizeof *m->counts);
    }
    cs_classifier_free(pm);
    *pm = kept;
    return 0;
}

/*
 * cs_model_label_set: the sorted distinct labels of the examples (see
 * model.h).  The names point into examples.
 */
int
cs_model_label_set(const cs_labelled_text *examples, size_t n, const char ***out,
                   size_t *nlabels, char *err, size_t errlen)
{
    const char **names = NULL;
    size_t i, k = 0;

    *out = NULL;
    *nlabels = 0;
    if (!examples || n == 0)
        return cs_fail(err, errlen, "no training examples");
    if (n > UINT32_MAX - 1)
        return cs_fail(err, errlen, "too many training examples");
    if ((names = malloc(n * sizeof *names)) == NULL)
        return cs_fail(err, errlen, "out of memory");
    for (i = 0; i < n; i++) {
        const char *label = examples[i].label;
        if (!label || !*label || strlen(label) > CS_MAX_LABEL_LEN) {
            free(names);
            return cs_fail(err, errlen, "example %zu has a missing or overlong label", i);
        }
        names[i] = label;
    }
    qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++)
        if (k == 0 || strcmp(names[k - 1], names[i]) != 0)
            names[k++] = names[i];
    if (k < 2 || k > CS_MAX_LABELS) {
        free(names);
        return cs_fail(err, errlen, "need 2 to %d distinct labels, got %zu", CS_MAX_LABELS, k);
    }
    *out = names;
    *nlabels = k;
    return 0;
}

/* cs_model_label_index: index of label among m's sorted labels, or -1. */
long
cs_model_label_index(const cs_classifier *m, const char *label)
{
    char *const *hit;

    if (!m || !label)
        return -1;
    hit = bsearch(&label, m->labels, m->nlabels, sizeof *m->labels, cmp_str);
    return hit ? (long)(hit - m->labels) : -1;
}

/* Naive Bayes training without calibration (temperature 1). */
int
cs_model_train_raw(const cs_labelled_text *examples, size_t n,
                   cs_classifier **out, char *err, size_t errlen)
{
    const char **names = NULL;
    cs_classifier *m = NULL;
    train_ctx t = {0};
    size_t i, nlabels = 0;
    int rc = -1;

    if (out)
        *out = NULL;
    if (!out) {
        cs_fail(err, errlen, "no model to fill");
        goto out;
    }
    if (cs_model_label_set(examples, n, &names, &nlabels, err, errlen) < 0)
        goto out;
    if ((m = cs_model_new((char *const *)names, nlabels, DEFAULT_ALPHA,
                          CS_MODEL_PRESENCE)) == NULL) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }

    t.m = m;
    for (i = 0; i < n; i++) {
        long label = cs_model_label_index(m, examples[i].label);
        assert(label >= 0);
        t.label = (size_t)label;
        t.doc = (uint32_t)(i + 1);
        m->docs[t.label]++;
        if (cs_text_features(examples[i].text, train_feature, &t) < 0 && t.oom) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
    }
    if (prune(&m) < 0 || cs_model_finish(m) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *out = m;
    m = NULL;
    rc = 0;
out:
    free(t.seen);
    cs_classifier_free(&m);
    free(names);
    return rc;
}

/* cs_model_train_kind: an uncalibrated model of the kind (model.h). */
int
cs_model_train_kind(uint32_t kind, const cs_labelled_text *examples, size_t n,
                    cs_classifier **out, char *err, size_t errlen)
{
    if (kind == CS_MODEL_LOGISTIC)
        return cs_logreg_train_raw(examples, n, out, err, errlen);
    return cs_model_train_raw(examples, n, out, err, errlen);
}

/*
 * cs_model_train: what cs_classifier_train does, for a given kind: the
 * raw model, its temperature, and the title words of the examples.
 */
int
cs_model_train(uint32_t kind, const cs_labelled_text *examples, size_t n,
               cs_classifier **out, char *err, size_t errlen)
{
    if (cs_model_train_kind(kind, examples, n, out, err, errlen) < 0)
        return -1;
    if (cs_model_calibrate(*out, examples, n) < 0 ||
        cs_title_words_learn(*out, examples, n) < 0) {
        cs_classifier_free(out);
        return cs_fail(err, errlen, "out of memory");
    }
    return 0;
}

/*
 * cs_classifier_train()
 *
 *      Input:  examples (n labelled texts; labels non-empty, at most 255
 *                        bytes; texts may be empty)
 *              n
 *              out (out: the model, NULL on error)
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 (no examples, fewer than 2 or more than 256
 *              labels, a missing label, out of memory)
 *
 *  Notes:
 *      (1) Labels are stored sorted by name; cs_classifier_label(m, i)
 *          enumerates them in that order.
 *      (2) The model is of kind CS_MODEL_DEFAULT_KIND (logistic
 *          regression; crossval.c has the comparison with naive Bayes).
 *      (3) Training cost is six fits when the set is large enough to
 *          calibrate (calibrate.c: five internal folds, then the final
 *          model): about three seconds for 1,200 transcriptions.
 *      (4) The title lines of the examples' first pages teach the model
 *          title words (title_words.c), which cs_index_doctype adds to
 *          the taxonomy's.
 */
int
cs_classifier_train(const cs_labelled_text *examples, size_t n,
                    cs_classifier **out, char *err, size_t errlen)
{
    return cs_model_train(CS_MODEL_DEFAULT_KIND, examples, n, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/*                            prediction                              */
/* ------------------------------------------------------------------ */

typedef struct predict_ctx {
    const cs_classifier *m;
    cs_model_ids ids;       /* known features of the text, as they come */
    int oom;                /* memory ran out: the ids so far are scored */
} predict_ctx;

static int
predict_feature(void *arg, const char *s, size_t len)
{
    predict_ctx *p = arg;
    uint32_t id = cs_model_find(p->m, s, len, cs_model_hash(s, len));

    if (id == CS_NO_FEATURE)
        return 0;
    if (cs_model_ids_push(&p->ids, id, 256) < 0) {
        /* Degrade to the features seen so far; the answer stays usable. */
        p->oom = 1;
        return -1;
    }
    return 0;
}

int
cs_model_ids_push(cs_model_ids *l, uint32_t id, size_t first_cap)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : first_cap;
        uint32_t *v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = id;
    return 0;
}

int
cs_model_cmp_ids(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Naive Bayes: log prior plus the log-likelihood row of every known feature. */
void
cs_model_nb_scores(const cs_classifier *m, const uint32_t *ids, size_t nids, double *score)
{
    for (size_t c = 0; c < m->nlabels; c++)
        score[c] = m->logprior[c];
    for (size_t i = 0; i < nids; i++) {
        const float *row = m->logprob + (size_t)ids[i] * m->nlabels;
        for (size_t c = 0; c < m->nlabels; c++)
            score[c] += row[c];
    }
}

/*
 * cs_model_scores: unnormalised log-scores of text for every label, by
 * the model's kind, from the known features of the text (each once when
 * the model counts presence, as every model trained here does).
 */
void
cs_model_scores(const cs_classifier *m, const char *text, double *score)
{
    predict_ctx p = {0};
    size_t i, k = 0;

    p.m = m;
    cs_text_features(text, predict_feature, &p);
    if (m->flags & CS_MODEL_PRESENCE) {
        if (p.ids.n)
            qsort(p.ids.v, p.ids.n, sizeof *p.ids.v, cs_model_cmp_ids);
        for (i = 0; i < p.ids.n; i++)
            if (i == 0 || p.ids.v[i] != p.ids.v[i - 1])
                p.ids.v[k++] = p.ids.v[i];
    } else {
        k = p.ids.n;
    }
    if (m->kind == CS_MODEL_LOGISTIC)
        cs_logreg_scores(m, p.ids.v, k, score);
    else
        cs_model_nb_scores(m, p.ids.v, k, score);
    free(p.ids.v);
}

/*
 * cs_classifier_predict()
 *
 *      Input:  m (model)
 *              text (NUL-terminated; NULL or empty gives the priors)
 *              top (out: k predictions, best first)
 *              k (>= 1)
 *      Return: number written (min(k, labels)), 0 for a NULL model or k < 1
 *
 *  Notes:
 *      (1) Confidences are posteriors over all labels: they sum to 1 when
 *          k equals the label count.  They are calibrated: the model's
 *          temperature divides the log-scores first.
 *      (2) Ties are broken by label order, so results are deterministic.
 */
int
cs_classifier_predict(const cs_classifier *m, const char *text,
                      cs_prediction *top, int k)
{
    double score[CS_MAX_LABELS], best, sum = 0;
    size_t order[CS_MAX_LABELS], L, c, i;

    if (!m || !top || k < 1 || m->nlabels == 0)
        return 0;
    L = m->nlabels;
    cs_model_scores(m, text, score);
    for (c = 0; c < L; c++)
        score[c] /= m->temperature;

    /* log-sum-exp: subtract the best score before exponentiating */
    best = score[0];
    for (c = 1; c < L; c++)
        if (score[c] > best)
            best = score[c];
    for (c = 0; c < L; c++) {
        score[c] = exp(score[c] - best);
        sum += score[c];
    }
    for (c = 0; c < L; c++) {
        score[c] /= sum;
        order[c] = c;
    }
    /* insertion sort by descending posterior; L is small */
    for (i = 1; i < L; i++) {
        size_t x = order[i], j = i;
        while (j > 0 && score[order[j - 1]] < score[x]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    if ((size_t)k > L)
        k = (int)L;
    for (i = 0; i < (size_t)k; i++) {
        top[i].label = m->labels[order[i]];
        top[i].confidence = score[order[i]];
    }
    return k;
}

/* ------------------------------------------------------------------ */

/* cs_classifier_temperature: T of the model, 1.0 when uncalibrated or NULL. */
double
cs_classifier_temperature(const cs_classifier *m)
{
    return m ? m->temperature : 1.0;
}

size_t
cs_classifier_label_count(const cs_classifier *m)
{
    return m ? m->nlabels : 0;
}

/* The i-th label in name order, or NULL when i is out of range. */
const char *
cs_classifier_label(const cs_classifier *m, size_t i)
{
    return m && i < m->nlabels ? m->labels[i] : NULL;
}

/* cs_classifier_free: release a model; accepts NULL and nulls *pm. */
void
cs_classifier_free(cs_classifier **pm)
{
    cs_classifier *m;

    if (!pm || !*pm)
        return;
    m = *pm;
    if (m->labels)
        for (size_t i = 0; i < m->nlabels; i++)
            free(m->labels[i]);
    free(m->labels);
    free(m->docs);
    free(m->feature_offset);
    free(m->feature_len);
    free(m->feature_hash);
    cs_buf_free(&m->names);
    free(m->table);
    free(m->counts);
    free(m->logprob);
    free(m->logprior);
    free(m->weight);
    free(m->bias);
    cs_word_table_free(&m->title_words);
    free(m);
    *pm = NULL;
}

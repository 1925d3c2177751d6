/*
 * calibrate.c — temperature scaling of the classifier's posteriors.
 *
 * Internal routine (model.h):
 *   cs_model_calibrate    fit T on cross-validated scores
 *
 * Naive Bayes adds the log-likelihoods of hundreds of features that are
 * far from independent (a heading word, its bigram, the same word in the
 * body), so score differences between labels run to hundreds of nats and
 * the raw posterior of the top label is 1.0000 on nearly every document,
 * right or wrong.  Temperature scaling (Guo et al. 2017) divides the
 * scores by one constant T before the softmax: the ranking, hence
 * accuracy, is unchanged, and T is chosen to minimise the negative
 * log-likelihood of held-out labels, which makes confidence match
 * accuracy on average.
 *
 * The held-out scores come from CALIBRATION_FOLDS-fold cross-validation
 * on the training set itself (deterministic folds: example i goes to fold
 * i % CALIBRATION_FOLDS after a fixed shuffle).  The negative
 * log-likelihood is convex in beta = 1/T, so a golden-section search over
 * log beta finds the minimum.  A fold model that never saw a label gives
 * it no score; an example of such a label is left out of the fit.
 *
 * The fit is against labels smoothed by LABEL_SMOOTHING (1%): on a set
 * that cross-validates perfectly (the generated default examples) the
 * plain likelihood keeps improving as T falls, and the model would be
 * certain of everything; smoothing says "labels are wrong about 1% of
 * the time", which caps confidence near 0.99 there and changes little
 * on real, noisy data.
 *
 * The same fit serves the logistic kind (logreg.c), whose fold models are
 * logistic too.  Its raw posteriors are not wildly overconfident but are
 * shaped by the weight prior rather than by held-out accuracy, and with
 * a strong prior they are underconfident: for it T may fall below 1
 * (down to CS_TEMPERATURE_MIN_LOGISTIC), which sharpens them.
 *
 * Sets smaller than CALIBRATION_MIN_EXAMPLES, or with a label of fewer
 * than CALIBRATION_FOLDS examples, are not calibrated (T = 1): their
 * held-out folds are too thin to estimate anything.
 */
#include "indexer/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CALIBRATION_FOLDS        5
#define CALIBRATION_MIN_EXAMPLES 30
#define SEARCH_STEPS             80
#define LABEL_SMOOTHING          0.01

static int
cmp_label(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static long
label_of(const cs_classifier *m, const char *name)
{
    char *const *hit = bsearch(&name, m->labels, m->nlabels, sizeof *m->labels, cmp_label);
    return hit ? (long)(hit - m->labels) : -1;
}

/*
 * Mean cross-entropy of the held-out predictions at beta = 1 / T against
 * the labels smoothed by LABEL_SMOOTHING (mass 1 - eps on the given
 * label, eps spread over the labels the fold model knew).
 */
static double
nll(const double *scores, const long *truth, size_t n, size_t L, double beta)
{
    double total = 0;
    size_t used = 0;

    for (size_t i = 0; i < n; i++) {
        const double *s = scores + i * L;
        double best = -INFINITY, sum = 0, mean = 0, lse;
        size_t known = 0;
        if (truth[i] < 0)
            continue;
        for (size_t c = 0; c < L; c++)
            if (s[c] > best)
                best = s[c];
        for (size_t c = 0; c < L; c++)
            if (isfinite(s[c])) {
                sum += exp(beta * (s[c] - best));
                mean += beta * (s[c] - best);
                known++;
            }
        lse = log(sum);
        mean /= (double)known;
        total += (1 - LABEL_SMOOTHING) * (lse - beta * (s[truth[i]] - best)) +
                 LABEL_SMOOTHING * (lse - mean);
        used++;
    }
    return used ? total / (double)used : 0;
}

int
cs_model_calibrate(cs_classifier *m, const cs_labelled_text *examples, size_t n)
{
    cs_labelled_text *train = NULL;
    cs_classifier *fold_model = NULL;
    double *scores = NULL, fold_score[CS_MAX_LABELS];
    long *truth = NULL;
    size_t *order = NULL, L = m->nlabels, i, c;
    uint64_t state = 0x5eed;
    double lo, hi, a, b, fa, fb;
    const double phi = (sqrt(5.0) - 1) / 2;
    const double t_min = m->kind == CS_MODEL_LOGISTIC ? CS_TEMPERATURE_MIN_LOGISTIC
                                                      : CS_TEMPERATURE_MIN;
    int fold, rc = -1;

    m->temperature = 1.0;
    if (n < CALIBRATION_MIN_EXAMPLES)
        return 0;
    for (c = 0; c < L; c++)
        if (m->docs[c] < CALIBRATION_FOLDS)
            return 0;
    scores = malloc(n * L * sizeof *scores);
    truth = malloc(n * sizeof *truth);
    order = malloc(n * sizeof *order);
    train = malloc(n * sizeof *train);
    if (!scores || !truth || !order || !train)
        goto out;
    for (i = 0; i < n; i++)
        order[i] = i;
    for (i = n - 1; i > 0; i--) {
        size_t j = (size_t)(cs_splitmix64(&state) % (i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (fold = 0; fold < CALIBRATION_FOLDS; fold++) {
        size_t ntrain = 0;
        for (i = 0; i < n; i++)
            if (i % CALIBRATION_FOLDS != (size_t)fold)
                train[ntrain++] = examples[order[i]];
        if (cs_model_train_kind(m->kind, train, ntrain, &fold_model, NULL, 0) < 0) {
            /* a fold with one label cannot train: leave T at 1 */
            rc = 0;
            goto out;
        }
        for (i = (size_t)fold; i < n; i += CALIBRATION_FOLDS) {
            size_t e = order[i];
            double *row = scores + e * L;
            cs_model_scores(fold_model, examples[e].text, fold_score);
            for (c = 0; c < L; c++)
                row[c] = -INFINITY;
            for (c = 0; c < fold_model->nlabels; c++) {
                long k = label_of(m, fold_model->labels[c]);
                if (k >= 0)
                    row[k] = fold_score[c];
            }
            truth[e] = label_of(m, examples[e].label);
            if (truth[e] >= 0 && !isfinite(row[truth[e]]))
                truth[e] = -1;
        }
        cs_classifier_free(&fold_model);
    }

    /* golden-section search on log beta, beta in [1/T_MAX, 1/T_MIN] */
    lo = log(1.0 / CS_TEMPERATURE_MAX);
    hi = log(1.0 / t_min);
    a = hi - phi * (hi - lo);
    b = lo + phi * (hi - lo);
    fa = nll(scores, truth, n, L, exp(a));
    fb = nll(scores, truth, n, L, exp(b));
    for (int step = 0; step < SEARCH_STEPS; step++) {
        if (fa < fb) {
            hi = b;
            b = a;
            fb = fa;
            a = hi - phi * (hi - lo);
            fa = nll(scores, truth, n, L, exp(a));
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + phi * (hi - lo);
            fb = nll(scores, truth, n, L, exp(b));
        }
    }
    m->temperature = 1.0 / exp((lo + hi) / 2);
    if (!(m->temperature >= t_min))
        m->temperature = t_min;
    if (m->temperature > CS_TEMPERATURE_MAX)
        m->temperature = CS_TEMPERATURE_MAX;
    rc = 0;
out:
    cs_classifier_free(&fold_model);
    free(train);
    free(order);
    free(truth);
    free(scores);
    return rc;
}

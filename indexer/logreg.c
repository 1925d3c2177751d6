/*
 * logreg.c — multinomial logistic regression over the naive Bayes
 * model's features: the discriminative kind of the document-type
 * classifier, and the one cs_classifier_train makes.
 *
 * Internal routines (model.h):
 *   cs_logreg_train_raw    fit weights and biases, temperature 1
 *   cs_logreg_scores       bias + weights . features for every label
 *
 * Why: naive Bayes treats the hundreds of features of a document as
 * independent evidence, so a document's many weakly typed words (every
 * clinical word an operative report shares with a history) add up as if
 * each were news, and the noisy labels of real training sets (a
 * consultation filed as a history and physical) pull every word of the
 * mislabelled document towards the wrong type.  A discriminative model
 * fits all weights jointly: correlated features share the credit and a
 * word that does not separate the types gets a weight near zero.
 * crossval.c has the measurements that made this the default kind.
 *
 * The model:
 *   - features are those of tokenize.c except the body bigrams ("b:"):
 *     body words, heading words and heading bigrams, each counted once
 *     per document (presence, as for naive Bayes).  Body bigrams triple
 *     the features and the training time and made held-out accuracy
 *     worse (0.894 with them, 0.902 without, on the 1,202 labelled
 *     transcriptions), the more specific features letting the fit
 *     memorise mislabelled documents;
 *   - the vector is scaled to unit length (1 / sqrt(distinct features)):
 *     a ten-page document is not ten times as certain as a one-page one,
 *     and the weights mean the same thing for short and long texts;
 *   - P(label | text) = softmax(bias + W x); training minimises the mean
 *     negative log-likelihood plus ||W||^2 / (2 LOGREG_C n), which is a
 *     Gaussian prior of variance LOGREG_C on every weight (the bias is
 *     not penalised, it carries the label frequencies).  LOGREG_C = 30
 *     was chosen by cross-validation (10, 30, 100, 300 are within 0.01
 *     of one another in accuracy; 30 had the lowest log loss);
 *   - features seen in fewer than LOGREG_MIN_DF training documents are
 *     dropped before fitting: a feature of one or two documents mostly
 *     learns those documents' labels, noise included, and dropping them
 *     keeps the model and the fit small (10,000 features here);
 *   - the optimiser is L-BFGS with a backtracking (Armijo) line search
 *     over the full batch: the objective is smooth and convex, so the
 *     fit is deterministic and heads for the one optimum.  It stops when
 *     an iteration improves the objective by less than LOGREG_TOLERANCE
 *     (relative) or after LOGREG_MAX_ITER iterations: 300 iterations gave
 *     the same held-out accuracy, and 60 keep a fit near half a second
 *     for 1,200 transcriptions;
 *   - a text with no known feature gets the training set's label
 *     frequencies, as naive Bayes gives its priors.
 * Calibration is calibrate.c's temperature, as for naive Bayes.
 */
#include "indexer/tokenize.h"
#include "indexer/model.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOGREG_C          30.0   /* prior variance of a weight */
#define LOGREG_MIN_DF     3      /* documents a feature must occur in */
#define LOGREG_MAX_ITER   60     /* L-BFGS iterations at most */
#define LOGREG_TOLERANCE  1e-5   /* relative decrease that ends the fit */
#define LBFGS_HISTORY     6      /* curvature pairs kept */
#define LINE_SEARCH_STEPS 40     /* halvings before giving up on a direction */

/* The training set as sparse rows of feature ids. */
typedef struct lr_problem {
    size_t n, L, V;
    size_t *row;          /* [n + 1]: offsets into col */
    uint32_t *col;        /* distinct feature ids of each document, sorted */
    double *scale;        /* [n]: 1 / sqrt(number of features), 0 when none */
    uint32_t *label;      /* [n] */
} lr_problem;

static void
problem_free(lr_problem *p)
{
    free(p->row);
    free(p->col);
    free(p->scale);
    free(p->label);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------------ */
/*                     features of the training set                   */
/* ------------------------------------------------------------------ */

typedef struct collect_ctx {
    cs_classifier *m;
    cs_model_ids ids;
    int oom;
} collect_ctx;

static int
collect_feature(void *arg, const char *s, size_t len)
{
    collect_ctx *c = arg;
    uint32_t hash = cs_model_hash(s, len);
    uint32_t id;
    if (s[0] == 'b')
        return 0;                           /* body bigrams: see the file comment */
    id = cs_model_find(c->m, s, len, hash);

    if (id == CS_NO_FEATURE) {
        if (c->m->nfeatures >= CS_TRAIN_VOCAB_MAX)
            return 0;                       /* vocabulary full: ignore */
        if ((id = cs_model_add(c->m, s, len, hash, CS_TRAIN_VOCAB_MAX)) == CS_NO_FEATURE) {
            c->oom = 1;
            return -1;
        }
    }
    if (cs_model_ids_push(&c->ids, id, 4096) < 0) {
        c->oom = 1;
        return -1;
    }
    return 0;
}

/*
 * Tokenise every example into all (the full vocabulary, with per-label
 * document frequencies in counts) and rows of distinct ids.
 */
static int
collect(const cs_labelled_text *ex, size_t n, cs_classifier *all, lr_problem *p)
{
    collect_ctx c = {0};
    size_t i, j, k, start;
    int rc = -1;

    c.m = all;
    p->n = n;
    p->L = all->nlabels;
    p->row = malloc((n + 1) * sizeof *p->row);
    p->label = malloc(n * sizeof *p->label);
    if (!p->row || !p->label)
        goto out;
    p->row[0] = 0;
    for (i = 0; i < n; i++) {
        long label = cs_model_label_index(all, ex[i].label);
        assert(label >= 0);
        p->label[i] = (uint32_t)label;
        all->docs[label]++;
        start = c.ids.n;
        if (cs_text_features(ex[i].text, collect_feature, &c) < 0 && c.oom)
            goto out;
        qsort(c.ids.v + start, c.ids.n - start, sizeof *c.ids.v, cs_model_cmp_ids);
        for (j = k = start; j < c.ids.n; j++)
            if (j == start || c.ids.v[j] != c.ids.v[k - 1])
                c.ids.v[k++] = c.ids.v[j];
        c.ids.n = k;
        for (j = start; j < k; j++) {
            uint32_t *count = &all->counts[(size_t)c.ids.v[j] * p->L + (size_t)label];
            if (*count < UINT32_MAX)
                (*count)++;
        }
        p->row[i + 1] = c.ids.n;
    }
    p->col = c.ids.v;
    c.ids.v = NULL;
    rc = 0;
out:
    free(c.ids.v);
    return rc;
}

/*
 * Keep the features of at least LOGREG_MIN_DF documents (more when that
 * leaves over CS_MODEL_VOCAB_MAX) in a new model *kept, and renumber the
 * rows to its ids (the renumbering keeps their order, so rows stay sorted).
 */
static int
prune(const cs_classifier *all, lr_problem *p, cs_classifier **kept)
{
    uint32_t *map = NULL;
    uint64_t min_df = LOGREG_MIN_DF;
    size_t L = all->nlabels, f, c, nkept, i, j, k;
    int rc = -1;

    for (;;) {
        for (f = 0, nkept = 0; f < all->nfeatures; f++) {
            uint64_t df = 0;
            for (c = 0; c < L; c++)
                df += all->counts[f * L + c];
            nkept += df >= min_df;
        }
        if (nkept <= CS_MODEL_VOCAB_MAX)
            break;
        min_df++;
    }
    *kept = cs_model_new(all->labels, L, all->alpha, all->flags);
    map = malloc((all->nfeatures ? all->nfeatures : 1) * sizeof *map);
    if (!*kept || !map)
        goto out;
    memcpy((*kept)->docs, all->docs, L * sizeof *all->docs);
    for (f = 0; f < all->nfeatures; f++) {
        uint64_t df = 0;
        map[f] = CS_NO_FEATURE;
        for (c = 0; c < L; c++)
            df += all->counts[f * L + c];
        if (df < min_df)
            continue;
        map[f] = cs_model_add(*kept, all->names.data + all->feature_offset[f],
                              all->feature_len[f], all->feature_hash[f], CS_MODEL_VOCAB_MAX);
        if (map[f] == CS_NO_FEATURE)
            goto out;
        memcpy((*kept)->counts + (size_t)map[f] * L, all->counts + f * L,
               L * sizeof *all->counts);
    }
    p->V = (*kept)->nfeatures;
    if ((p->scale = malloc((p->n ? p->n : 1) * sizeof *p->scale)) == NULL)
        goto out;
    for (i = 0, k = 0; i < p->n; i++) {
        size_t start = k;
        for (j = p->row[i]; j < p->row[i + 1]; j++)
            if (map[p->col[j]] != CS_NO_FEATURE)
                p->col[k++] = map[p->col[j]];
        p->row[i] = start;
        p->scale[i] = k > start ? 1.0 / sqrt((double)(k - start)) : 0.0;
    }
    p->row[p->n] = k;
    rc = 0;
out:
    free(map);
    if (rc < 0)
        cs_classifier_free(kept);
    return rc;
}

/* ------------------------------------------------------------------ */
/*                     the objective and its gradient                 */
/* ------------------------------------------------------------------ */

/*
 * Mean negative log-likelihood plus the weight penalty at x = (W, bias),
 * and its gradient into grad.
 */
static double
objective(const lr_problem *p, const double *x, double *grad, double penalty)
{
    const size_t L = p->L, nw = p->V * L;
    const double *bias = x + nw;
    double loss = 0, z[CS_MAX_LABELS], reg = 0;
    size_t i, j, c;

    memset(grad, 0, (nw + L) * sizeof *grad);
    for (i = 0; i < p->n; i++) {
        double best = -INFINITY, sum = 0, s = p->scale[i];
        for (c = 0; c < L; c++)
            z[c] = 0;
        for (j = p->row[i]; j < p->row[i + 1]; j++) {
            const double *w = x + (size_t)p->col[j] * L;
            for (c = 0; c < L; c++)
                z[c] += w[c];
        }
        for (c = 0; c < L; c++) {
            z[c] = bias[c] + s * z[c];
            if (z[c] > best)
                best = z[c];
        }
        for (c = 0; c < L; c++)
            sum += exp(z[c] - best);
        loss += best + log(sum) - z[p->label[i]];
        /* z becomes d loss / d z: softmax minus the one-hot label */
        for (c = 0; c < L; c++)
            z[c] = exp(z[c] - best) / sum - (c == p->label[i]);
        for (c = 0; c < L; c++)
            grad[nw + c] += z[c];
        for (c = 0; c < L; c++)
            z[c] *= s;
        for (j = p->row[i]; j < p->row[i + 1]; j++) {
            double *g = grad + (size_t)p->col[j] * L;
            for (c = 0; c < L; c++)
                g[c] += z[c];
        }
    }
    for (i = 0; i < nw + L; i++)
        grad[i] /= (double)p->n;
    for (i = 0; i < nw; i++) {
        reg += x[i] * x[i];
        grad[i] += penalty * x[i];
    }
    return loss / (double)p->n + 0.5 * penalty * reg;
}

static double
dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/*
 * Minimise the objective from x (in: the start, out: the minimum) by
 * L-BFGS.  0, or -1 when out of memory.
 */
static int
lbfgs(const lr_problem *p, double *x, double penalty)
{
    const size_t N = p->V * p->L + p->L;
    double *g = NULL, *d = NULL, *xn = NULL, *gn = NULL, *mem = NULL;
    double *s[LBFGS_HISTORY], *y[LBFGS_HISTORY], rho[LBFGS_HISTORY], alpha[LBFGS_HISTORY];
    double f, fn = 0;
    size_t i;
    int it, k, h, stored = 0, newest = -1, rc = -1;

    g = malloc(N * sizeof *g);
    d = malloc(N * sizeof *d);
    xn = malloc(N * sizeof *xn);
    gn = malloc(N * sizeof *gn);
    mem = malloc(2 * LBFGS_HISTORY * N * sizeof *mem);
    if (!g || !d || !xn || !gn || !mem)
        goto out;
    for (k = 0; k < LBFGS_HISTORY; k++) {
        s[k] = mem + (size_t)(2 * k) * N;
        y[k] = mem + (size_t)(2 * k + 1) * N;
    }
    f = objective(p, x, g, penalty);
    for (it = 0; it < LOGREG_MAX_ITER; it++) {
        double gd, step, gamma, gnorm = sqrt(dot(g, g, N));

        if (gnorm < 1e-10)
            break;
        /* two-loop recursion: d = -H g */
        memcpy(d, g, N * sizeof *d);
        for (h = 0, k = newest; h < stored; h++, k = (k + LBFGS_HISTORY - 1) % LBFGS_HISTORY) {
            alpha[k] = rho[k] * dot(s[k], d, N);
            for (i = 0; i < N; i++)
                d[i] -= alpha[k] * y[k][i];
        }
        gamma = stored ? dot(s[newest], y[newest], N) / dot(y[newest], y[newest], N)
                       : 1.0 / gnorm;
        for (i = 0; i < N; i++)
            d[i] *= gamma;
        for (h = 0, k = (newest - stored + 1 + LBFGS_HISTORY) % LBFGS_HISTORY; h < stored;
             h++, k = (k + 1) % LBFGS_HISTORY) {
            double beta = rho[k] * dot(y[k], d, N);
            for (i = 0; i < N; i++)
                d[i] += s[k][i] * (alpha[k] - beta);
        }
        for (i = 0; i < N; i++)
            d[i] = -d[i];
        gd = dot(g, d, N);
        if (!(gd < 0)) {            /* not a descent direction: restart from the gradient */
            for (i = 0; i < N; i++)
                d[i] = -g[i] / gnorm;
            gd = -gnorm;
            stored = 0;
        }
        /* backtracking until the Armijo condition holds */
        for (step = 1.0, h = 0; h < LINE_SEARCH_STEPS; h++, step *= 0.5) {
            for (i = 0; i < N; i++)
                xn[i] = x[i] + step * d[i];
            fn = objective(p, xn, gn, penalty);
            if (fn <= f + 1e-4 * step * gd)
                break;
        }
        if (h == LINE_SEARCH_STEPS)
            break;                  /* no progress possible at this precision */
        newest = (newest + 1) % LBFGS_HISTORY;
        for (i = 0; i < N; i++) {
            s[newest][i] = xn[i] - x[i];
            y[newest][i] = gn[i] - g[i];
        }
        {
            double sy = dot(s[newest], y[newest], N);
            if (sy > 1e-12) {
                rho[newest] = 1.0 / sy;
                if (stored < LBFGS_HISTORY)
                    stored++;
            } else {
                newest = (newest + LBFGS_HISTORY - 1) % LBFGS_HISTORY;   /* drop the pair */
            }
        }
        memcpy(x, xn, N * sizeof *x);
        memcpy(g, gn, N * sizeof *g);
        if (f - fn < LOGREG_TOLERANCE * (fabs(f) > 1 ? fabs(f) : 1)) {
            f = fn;
            break;
        }
        f = fn;
    }
    rc = 0;
out:
    free(mem);
    free(gn);
    free(xn);
    free(d);
    free(g);
    return rc;
}

/* ------------------------------------------------------------------ */
/*                         training, prediction                       */
/* ------------------------------------------------------------------ */

/*
 * cs_logreg_train_raw: the logistic kind, uncalibrated (model.h).  0, or
 * -1 with a message (as cs_model_train_raw).
 */
int
cs_logreg_train_raw(const cs_labelled_text *examples, size_t n, cs_classifier **out,
                    char *err, size_t errlen)
{
    const char **names = NULL;
    cs_classifier *all = NULL, *m = NULL;
    lr_problem p;
    double *x = NULL, docs = 0;
    size_t nlabels = 0, i, c;
    int rc = -1;

    memset(&p, 0, sizeof p);
    if (out)
        *out = NULL;
    if (!out) {
        cs_fail(err, errlen, "no model to fill");
        goto out;
    }
    if (cs_model_label_set(examples, n, &names, &nlabels, err, errlen) < 0)
        goto out;
    all = cs_model_new((char *const *)names, nlabels, 1.0, CS_MODEL_PRESENCE);
    if (!all || collect(examples, n, all, &p) < 0 || prune(all, &p, &m) < 0)
        goto nomem;
    cs_classifier_free(&all);

    x = calloc(p.V * p.L + p.L, sizeof *x);
    if (!x)
        goto nomem;
    /* start from the label frequencies: the optimum when no feature helps */
    for (c = 0; c < p.L; c++)
        docs += m->docs[c];
    for (c = 0; c < p.L; c++)
        x[p.V * p.L + c] = log(m->docs[c] / docs);
    if (lbfgs(&p, x, 1.0 / (LOGREG_C * (double)n)) < 0)
        goto nomem;

    m->kind = CS_MODEL_LOGISTIC;
    m->lambda = 1.0 / (LOGREG_C * (double)n);
    m->weight = malloc((p.V ? p.V : 1) * p.L * sizeof *m->weight);
    m->bias = malloc(p.L * sizeof *m->bias);
    if (!m->weight || !m->bias || cs_logreg_finish(m) < 0)
        goto nomem;
    for (i = 0; i < p.V * p.L; i++)
        m->weight[i] = (float)x[i];
    for (c = 0; c < p.L; c++)
        m->bias[c] = x[p.V * p.L + c];
    *out = m;
    m = NULL;
    rc = 0;
    goto out;
nomem:
    cs_fail(err, errlen, "out of memory");
out:
    free(x);
    problem_free(&p);
    cs_classifier_free(&all);
    cs_classifier_free(&m);
    free(names);
    return rc;
}

/*
 * cs_logreg_finish: the label frequencies (logprior) of a logistic model
 * from its docs, for texts without a known feature.  0, or -1 (memory).
 */
int
cs_logreg_finish(cs_classifier *m)
{
    double docs = 0;

    free(m->logprior);
    if ((m->logprior = malloc(m->nlabels * sizeof *m->logprior)) == NULL)
        return -1;
    for (size_t c = 0; c < m->nlabels; c++)
        docs += m->docs[c];
    for (size_t c = 0; c < m->nlabels; c++)
        m->logprior[c] = log(m->docs[c] / docs);
    return 0;
}

/*
 * cs_logreg_scores: bias + (W x) for every label, x the unit-length
 * presence vector of the known features ids[0..nids) (distinct); the
 * label frequencies when there is none.
 */
void
cs_logreg_scores(const cs_classifier *m, const uint32_t *ids, size_t nids, double *score)
{
    size_t L = m->nlabels, c, i;
    double s;

    if (nids == 0) {
        for (c = 0; c < L; c++)
            score[c] = m->logprior[c];
        return;
    }
    for (c = 0; c < L; c++)
        score[c] = 0;
    for (i = 0; i < nids; i++) {
        const float *w = m->weight + (size_t)ids[i] * L;
        for (c = 0; c < L; c++)
            score[c] += w[c];
    }
    s = 1.0 / sqrt((double)nids);
    for (c = 0; c < L; c++)
        score[c] = m->bias[c] + s * score[c];
}

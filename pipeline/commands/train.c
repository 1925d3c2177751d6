/*
 * train.c — `chartscan train FILE.csv`: read labelled examples (columns
 * include doctype and text), measure the classifier by 5-fold
 * cross-validation, train on everything, and store the model versioned and
 * active in one transaction.  Codes the taxonomy lacks are added to it
 * (without a LOINC code) and named in the output.
 *
 * `chartscan train --from-reviews [FILE.csv]` trains on the document types
 * reviewers confirmed (review_example), plus the file's examples if given.
 *
 * The model is indexer/'s default kind (logistic regression); it also
 * learns the words of the examples' printed titles (the title lines of a
 * reviewed document's first page), which add to the taxonomy's titles
 * and the built-in title vocabulary when documents are typed.
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "indexer/indexer.h"
#include "pipeline/review/review_store.h"

#define MAX_EXAMPLES 1000000
#define MAX_TEXT (1 << 20)
#define FOLDS 5

typedef struct examples {
    cs_labelled_text *v;
    size_t n, cap;
} examples;

static void examples_free(examples *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free((char *)e->v[i].label);
        free((char *)e->v[i].text);
    }
    free(e->v);
    memset(e, 0, sizeof *e);
}

static int read_examples(const char *path, examples *e, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    cs_csv *csv = NULL;
    char **f;
    size_t nf;
    int label_col = -1, text_col = -1, rc = -1, got;

    if (!fp)
        return cs_fail(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
    csv = cs_csv_open(fp, MAX_TEXT);
    if (!csv || cs_csv_next(csv, &f, &nf) != 1) {
        cs_fail(err, errlen, "\"%s\" has no header row", path);
        goto out;
    }
    for (size_t i = 0; i < nf; i++) {
        if (!strcmp(f[i], "doctype"))
            label_col = (int)i;
        else if (!strcmp(f[i], "text"))
            text_col = (int)i;
    }
    if (label_col < 0 || text_col < 0) {
        cs_fail(err, errlen, "\"%s\" line 1: the header needs the columns doctype and text", path);
        goto out;
    }
    while ((got = cs_csv_next(csv, &f, &nf)) == 1) {
        if (nf == 1 && !*f[0])
            continue;
        if ((size_t)label_col >= nf || (size_t)text_col >= nf || !*f[label_col]) {
            cs_fail(err, errlen, "\"%s\" line %ld: missing doctype or text", path,
                    cs_csv_line(csv));
            goto out;
        }
        if (e->n == MAX_EXAMPLES) {
            cs_fail(err, errlen, "\"%s\" has more than %d examples, the limit", path,
                    MAX_EXAMPLES);
            goto out;
        }
        if (e->n == e->cap) {
            size_t cap = e->cap ? e->cap * 2 : 256;
            cs_labelled_text *v = realloc(e->v, cap * sizeof *v);
            if (!v)
                goto oom;
            e->v = v;
            e->cap = cap;
        }
        e->v[e->n].label = strdup(f[label_col]);
        e->v[e->n].text = strdup(f[text_col]);
        e->n++;
        if (!e->v[e->n - 1].label || !e->v[e->n - 1].text)
            goto oom;
    }
    if (got < 0) {
        cs_fail(err, errlen, "\"%s\" line %ld: %s", path, cs_csv_line(csv), cs_csv_error(csv));
        goto out;
    }
    rc = 0;
    goto out;
oom:
    cs_fail(err, errlen, "out of memory reading \"%s\"", path);
out:
    cs_csv_free(&csv);
    fclose(fp);
    return rc;
}

/* Calibration check: predicted confidence against accuracy, by bins of 0.1. */
static void print_reliability(FILE *out, const cs_crossval *cv)
{
    fprintf(out, "calibration (held-out predictions): confidence bin, documents, mean confidence, accuracy\n");
    for (int i = 0; i < CS_RELIABILITY_BINS; i++) {
        if (!cv->bin_count[i])
            continue;
        fprintf(out, "  %.2f-%.2f %6ld   %.3f   %.3f\n", (double)i / CS_RELIABILITY_BINS,
                (double)(i + 1) / CS_RELIABILITY_BINS, cv->bin_count[i],
                cv->bin_confidence[i] / cv->bin_count[i],
                (double)cv->bin_correct[i] / cv->bin_count[i]);
    }
}

/*
 * The confidence from which the held-out predictions are right 98% of the
 * time: what a filing threshold (CS_DOCTYPE_FILE_CONFIDENCE) should be
 * judged against.  The pipeline's confidence of a document without a
 * printed title is this one mixed 5% with the uniform distribution
 * (indexer/titles.c), so it reads a little lower there.
 */
static void print_threshold(FILE *out, const cs_crossval *cv)
{
    double share, t = cs_crossval_threshold(cv, 0.98, &share);

    if (t <= 1.0)
        fprintf(out, "held-out accuracy is 98%% or more at confidence %.3f and above"
                " (%.1f%% of the examples)\n", t, 100.0 * share);
    else
        fprintf(out, "no confidence level reaches 98%% held-out accuracy\n");
}

static void print_confusion(FILE *out, const cs_crossval *cv)
{
    size_t w = 8;
    for (size_t i = 0; i < cv->nlabels; i++)
        if (strlen(cv->labels[i]) > w)
            w = strlen(cv->labels[i]);
    fprintf(out, "confusion matrix (rows: true type, columns: predicted, in the same order):\n");
    for (size_t i = 0; i < cv->nlabels; i++) {
        long row = 0;
        fprintf(out, "  %-*s", (int)w, cv->labels[i]);
        for (size_t j = 0; j < cv->nlabels; j++) {
            fprintf(out, " %5ld", cv->confusion[i * cv->nlabels + j]);
            row += cv->confusion[i * cv->nlabels + j];
        }
        fprintf(out, "   recall %5.1f%%\n",
                row ? 100.0 * cv->confusion[i * cv->nlabels + i] / row : 0.0);
    }
}

/*
 * Cross-validate (when there are enough examples), train on all, store the
 * model and make it active, in one transaction.
 */
static int train_and_store(cs_store *s, const cs_labelled_text *ex, size_t n, FILE *out,
                           char *err, size_t errlen)
{
    cs_classifier *model = NULL;
    cs_crossval cv;
    char *blob = NULL, accbuf[32], nbuf[24];
    size_t bloblen = 0;
    double accuracy = -1;
    PGresult *r = NULL;
    int rc = -1, in_tx = 0;

    memset(&cv, 0, sizeof cv);
    if (n < 2)
        return cs_fail(err, errlen, "%zu examples: too few to train on", n);
    if (n >= 5 * FOLDS) {
        if (cs_classifier_crossval(ex, n, FOLDS, 20261122u, &cv, err, errlen) < 0)
            goto out;
        accuracy = cv.total ? (double)cv.correct / (double)cv.total : 0;
        fprintf(out, "%d-fold cross-validated accuracy: %.1f%% (%ld of %ld), log-loss %.3f\n",
                FOLDS, 100.0 * accuracy, cv.correct, cv.total, cv.log_loss);
        print_confusion(out, &cv);
        print_reliability(out, &cv);
        print_threshold(out, &cv);
    } else {
        fprintf(out, "too few examples for cross-validation (%zu); training on all\n", n);
    }
    if (cs_classifier_train(ex, n, &model, err, errlen) < 0)
        goto out;
    if (cs_classifier_serialize(model, &blob, &bloblen) < 0) {
        cs_fail(err, errlen, "could not serialise the model");
        goto out;
    }

    if (cs_pq_begin(s, err, errlen) < 0)
        goto out;
    in_tx = 1;
    for (size_t i = 0; i < cs_classifier_label_count(model); i++) {
        const char *p[1] = {cs_classifier_label(model, i)};
        r = cs_pq(s, "INSERT INTO doctype (code, display) VALUES ($1, $1)"
                     " ON CONFLICT (code) DO NOTHING", 1, p, err, errlen);
        if (!r)
            goto out;
        if (atol(PQcmdTuples(r)) == 1)
            fprintf(out, "added document type \"%s\" to the taxonomy (no LOINC code yet)\n", p[0]);
        PQclear(r);
        r = NULL;
    }
    if (cs_pq_exec(s, "UPDATE model SET active = false WHERE kind = 'doctype' AND active", 0,
                   NULL, err, errlen) < 0)
        goto out;
    {
        const char *values[3] = {cs_i64(nbuf, (long long)n), accuracy >= 0 ? accbuf : NULL, blob};
        int lengths[3] = {0, 0, (int)bloblen}, formats[3] = {0, 0, 1};
        snprintf(accbuf, sizeof accbuf, "%.4f", accuracy);
        r = cs_pq_bin(s, "store the model",
            "INSERT INTO model (kind, examples, cv_accuracy, data, active)"
            " VALUES ('doctype', $1, $2, $3, true) RETURNING id", 3, values, lengths, formats, 0,
            err, errlen);
        if (!r)
            goto out;
    }
    if (cs_pq_commit(s, err, errlen) < 0)
        goto out;
    in_tx = 0;
    fprintf(out, "model %s is active: %zu examples, %zu document types\n", PQgetvalue(r, 0, 0),
            n, cs_classifier_label_count(model));
    rc = 0;
out:
    if (in_tx)
        cs_pq_rollback(s);
    PQclear(r);
    free(blob);
    cs_classifier_free(&model);
    cs_crossval_free(&cv);
    return rc;
}

int cs_train(cs_store *s, const char *path, FILE *out, char *err, size_t errlen)
{
    examples ex = {0};
    int rc = -1;

    if (read_examples(path, &ex, err, errlen) == 0)
        rc = train_and_store(s, ex.v, ex.n, out, err, errlen);
    examples_free(&ex);
    return rc;
}

int cs_train_default(cs_store *s, FILE *out, char *err, size_t errlen)
{
    cs_labelled_text *ex = NULL;
    size_t n = 0;
    int rc;
    PGresult *r = cs_pq(s, "SELECT 1 FROM model WHERE kind = 'doctype'", 0, NULL, err, errlen);

    if (!r)
        return -1;
    rc = PQntuples(r) > 0;
    PQclear(r);
    if (rc)
        return 0;   /* a site model (or an earlier default) exists: leave it */
    if (cs_index_default_examples(&ex, &n) < 0)
        return cs_fail(err, errlen, "could not make the default training examples");
    fprintf(out, "training the default document-type model from chartscan's own examples\n");
    rc = train_and_store(s, ex, n, out, err, errlen);
    cs_index_default_examples_free(&ex, n);
    return rc;
}

/* Append the reviewer-confirmed examples to e. */
static int read_review_examples(cs_store *s, examples *e, size_t *count, char *err,
                                size_t errlen)
{
    PGresult *r = cs_pq(s, "SELECT doctype, text FROM review_example ORDER BY document_id", 0,
                        NULL, err, errlen);
    size_t n;

    *count = 0;
    if (!r)
        return -1;
    n = (size_t)PQntuples(r);
    if (e->n + n > MAX_EXAMPLES) {
        PQclear(r);
        return cs_fail(err, errlen, "more than %d examples, the limit", MAX_EXAMPLES);
    }
    if (e->n + n > e->cap) {
        cs_labelled_text *v = realloc(e->v, (e->n + n) * sizeof *v);
        if (!v) {
            PQclear(r);
            return cs_fail(err, errlen, "out of memory");
        }
        e->v = v;
        e->cap = e->n + n;
    }
    for (size_t i = 0; i < n; i++) {
        e->v[e->n].label = strdup(PQgetvalue(r, (int)i, 0));
        e->v[e->n].text = strdup(PQgetvalue(r, (int)i, 1));
        e->n++;
        if (!e->v[e->n - 1].label || !e->v[e->n - 1].text) {
            PQclear(r);
            return cs_fail(err, errlen, "out of memory");
        }
    }
    PQclear(r);
    *count = n;
    return 0;
}

int cs_train_from_reviews(cs_store *s, const char *csv_path, FILE *out, char *err,
                          size_t errlen)
{
    examples ex = {0};
    size_t from_file = 0, from_reviews = 0;
    int rc = -1;

    if (csv_path) {
        if (read_examples(csv_path, &ex, err, errlen) < 0)
            goto out;
        from_file = ex.n;
    }
    if (read_review_examples(s, &ex, &from_reviews, err, errlen) < 0)
        goto out;
    if (from_reviews == 0 && !csv_path) {
        cs_fail(err, errlen, "no reviewer-confirmed examples yet (confirm documents in "
                "\"chartscan serve\" first)");
        goto out;
    }
    {
        /* a model that knows one type would file everything as that type */
        size_t kinds = 0;
        for (size_t i = 0; i < ex.n && kinds < 2; i++)
            kinds = strcmp(ex.v[i].label, ex.v[0].label) ? 2 : 1;
        if (kinds < 2) {
            cs_fail(err, errlen, "the examples have fewer than two document types: confirm more "
                    "documents, or add the site's training file (--from-reviews FILE.csv)");
            goto out;
        }
    }
    fprintf(out, "%zu reviewer-confirmed examples", from_reviews);
    if (csv_path)
        fprintf(out, " and %zu from \"%s\"", from_file, csv_path);
    fprintf(out, "\n");
    rc = train_and_store(s, ex.v, ex.n, out, err, errlen);
out:
    examples_free(&ex);
    return rc;
}

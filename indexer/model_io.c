/*
 * model_io.c — the classifier's serialised form, and a loader that treats
 * the blob as untrusted (it comes back from the database).
 *
 * Interface routines:
 *   cs_classifier_serialize    model -> malloc'd bytes (version 3)
 *   cs_classifier_load         bytes -> model (versions 1 to 3), or -1
 *
 * Format, version 3; integers little-endian, whatever the host; f32 and
 * f64 are IEEE-754 bits in a u32 and a u64:
 *
 *   magic      8 bytes  "CSNB\r\n\x1a\n" (catches text-mode mangling)
 *   version    u32      3
 *   kind       u32      1 naive Bayes, 2 logistic regression
 *   flags      u32      CS_MODEL_PRESENCE or 0
 *   alpha      f64      naive Bayes: the smoothing constant, (0, 100];
 *                       logistic: the L2 strength it was fitted with, [0, 100]
 *   temperature f64     T: CS_TEMPERATURE_MIN..MAX (naive Bayes),
 *                       CS_TEMPERATURE_MIN_LOGISTIC..MAX (logistic)
 *   nlabels    u32      2..256
 *   nfeatures  u32      0..CS_MODEL_VOCAB_MAX
 *   labels     nlabels x { u8 len (1..255), len bytes, u32 docs (>= 1) },
 *                       strictly increasing by strcmp
 *   naive Bayes:
 *     features nfeatures x { u8 len (3..CS_FEATURE_MAX), len bytes,
 *                            u16 nnz (1..nlabels),
 *                            nnz x { u8 label, u32 count (>= 1) } }
 *                       labels within a feature strictly increasing
 *   logistic:
 *     bias     nlabels x f64
 *     features nfeatures x { u8 len (3..CS_FEATURE_MAX), len bytes,
 *                            nlabels x f32 weight }
 *                       weights and biases finite, |x| <= CS_LOGISTIC_WEIGHT_MAX
 *   title words u32 n (0..65536), then n x { u8 len (1..CS_TITLE_WORD_MAX),
 *                       len bytes, u16 nnz (1..nlabels),
 *                       nnz x { u8 label, f32 weight (> 0, finite) } },
 *                       labels within a word strictly increasing
 *   checksum   u64      FNV-1a 64 of every byte before it
 *
 * Versions 1 and 2 (written before logistic regression and title words)
 * are naive Bayes: after the magic and version, flags u32, alpha f64,
 * temperature f64 (version 2 only; 1 means T = 1), nlabels, nfeatures,
 * labels as above, features with a u8 nnz, checksum.  They load into
 * the naive Bayes kind without title words and predict exactly as the
 * code that wrote them did.
 *
 * Naive Bayes stores raw counts, not probabilities: load recomputes them
 * with the same code as training, so a loaded model predicts bit-for-bit
 * like the one that was saved; a logistic model stores its weights as
 * the f32 it predicts with.  Every length and index is checked against
 * the bytes that remain, duplicates are rejected, and trailing bytes are
 * an error, so a truncated or hostile blob fails with a message.
 */
#include "indexer/tokenize.h"
#include "indexer/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char MAGIC[8] = {'C', 'S', 'N', 'B', '\r', '\n', 0x1a, '\n'};
#define FORMAT_VERSION 3u
#define FORMAT_VERSION_NO_TEMPERATURE 1u
#define FORMAT_VERSION_NAIVE_BAYES 2u
#define KNOWN_FLAGS    CS_MODEL_PRESENCE
#define TITLE_WORDS_MAX 65536u
#define TITLE_WEIGHT_MAX 1e9

static uint64_t
fnv64(const unsigned char *p, size_t len)
{
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* ---- writing ---- */

static int
put_u8(cs_buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    return cs_buf_append(b, &c, 1);
}

static int
put_u32(cs_buf *b, uint32_t v)
{
    unsigned char c[4];
    for (int i = 0; i < 4; i++)
        c[i] = (unsigned char)(v >> (8 * i));
    return cs_buf_append(b, c, 4);
}

static int
put_u64(cs_buf *b, uint64_t v)
{
    unsigned char c[8];
    for (int i = 0; i < 8; i++)
        c[i] = (unsigned char)(v >> (8 * i));
    return cs_buf_append(b, c, 8);
}

static int
put_u16(cs_buf *b, unsigned v)
{
    return put_u8(b, v & 0xFF) < 0 || put_u8(b, v >> 8) < 0 ? -1 : 0;
}

static int
put_f64(cs_buf *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_u64(b, bits);
}

static int
put_f32(cs_buf *b, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return put_u32(b, bits);
}

static int
put_name(cs_buf *b, const char *s, size_t n)
{
    return put_u8(b, (unsigned)n) < 0 || cs_buf_append(b, s, n) < 0 ? -1 : 0;
}

static int
put_features(cs_buf *b, const cs_classifier *m)
{
    size_t L = m->nlabels, f, c;

    if (m->kind == CS_MODEL_LOGISTIC) {
        for (c = 0; c < L; c++)
            if (put_f64(b, m->bias[c]) < 0)
                return -1;
        for (f = 0; f < m->nfeatures; f++) {
            if (put_name(b, m->names.data + m->feature_offset[f], m->feature_len[f]) < 0)
                return -1;
            for (c = 0; c < L; c++)
                if (put_f32(b, m->weight[f * L + c]) < 0)
                    return -1;
        }
        return 0;
    }
    for (f = 0; f < m->nfeatures; f++) {
        const uint32_t *row = m->counts + f * L;
        unsigned nnz = 0;
        for (c = 0; c < L; c++)
            nnz += row[c] != 0;
        /* nnz >= 1: training only keeps features it has counted */
        if (put_name(b, m->names.data + m->feature_offset[f], m->feature_len[f]) < 0 ||
            put_u16(b, nnz) < 0)
            return -1;
        for (c = 0; c < L; c++)
            if (row[c] && (put_u8(b, (unsigned)c) < 0 || put_u32(b, row[c]) < 0))
                return -1;
    }
    return 0;
}

static int
put_title_words(cs_buf *b, const cs_word_table *t)
{
    size_t n = cs_word_table_count(t);

    if (put_u32(b, (uint32_t)n) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const cs_word_weight *w;
        size_t nw;
        const char *word = cs_word_table_entry(t, i, &w, &nw);
        if (put_name(b, word, strlen(word)) < 0 || put_u16(b, (unsigned)nw) < 0)
            return -1;
        for (size_t j = 0; j < nw; j++)
            if (put_u8(b, w[j].slot) < 0 || put_f32(b, w[j].weight) < 0)
                return -1;
    }
    return 0;
}

/*
 * cs_classifier_serialize()
 *
 *      Input:  m (model)
 *              buf (out: malloc'd bytes, caller frees; NULL on error)
 *              len (out: byte count)
 *      Return: 0, or -1 (NULL argument, out of memory)
 */
int
cs_classifier_serialize(const cs_classifier *m, char **buf, size_t *len)
{
    cs_buf b = CS_BUF_INIT;
    size_t c;
    int rc = -1;

    if (buf)
        *buf = NULL;
    if (len)
        *len = 0;
    if (!m || !buf || !len)
        return -1;
    if (cs_buf_append(&b, MAGIC, sizeof MAGIC) < 0 || put_u32(&b, FORMAT_VERSION) < 0 ||
        put_u32(&b, m->kind) < 0 || put_u32(&b, m->flags) < 0 ||
        put_f64(&b, m->kind == CS_MODEL_LOGISTIC ? m->lambda : m->alpha) < 0 ||
        put_f64(&b, m->temperature) < 0 || put_u32(&b, (uint32_t)m->nlabels) < 0 ||
        put_u32(&b, (uint32_t)m->nfeatures) < 0)
        goto out;
    for (c = 0; c < m->nlabels; c++)
        if (put_name(&b, m->labels[c], strlen(m->labels[c])) < 0 ||
            put_u32(&b, m->docs[c]) < 0)
            goto out;
    if (put_features(&b, m) < 0 || put_title_words(&b, m->title_words) < 0)
        goto out;
    if (put_u64(&b, fnv64((const unsigned char *)b.data, b.len)) < 0)
        goto out;
    *buf = b.data;
    *len = b.len;
    b.data = NULL;
    rc = 0;
out:
    cs_buf_free(&b);
    return rc;
}

/* ---- reading ---- */

typedef struct reader {
    const unsigned char *p;
    size_t left;
} reader;

static int
get_bytes(reader *r, void *out, size_t n)
{
    if (r->left < n)
        return -1;
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
    return 0;
}

static int
get_u8(reader *r, unsigned *v)
{
    unsigned char c;
    if (get_bytes(r, &c, 1) < 0)
        return -1;
    *v = c;
    return 0;
}

static int
get_u32(reader *r, uint32_t *v)
{
    unsigned char c[4];
    if (get_bytes(r, c, 4) < 0)
        return -1;
    *v = (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
    return 0;
}

static int
get_u64(reader *r, uint64_t *v)
{
    unsigned char c[8];
    if (get_bytes(r, c, 8) < 0)
        return -1;
    *v = 0;
    for (int i = 7; i >= 0; i--)
        *v = *v << 8 | c[i];
    return 0;
}

static int
get_u16(reader *r, unsigned *v)
{
    unsigned lo, hi;
    if (get_u8(r, &lo) < 0 || get_u8(r, &hi) < 0)
        return -1;
    *v = lo | hi << 8;
    return 0;
}

static int
get_f64(reader *r, double *v)
{
    uint64_t bits;
    if (get_u64(r, &bits) < 0)
        return -1;
    memcpy(v, &bits, sizeof *v);
    return 0;
}

static int
get_f32(reader *r, float *v)
{
    uint32_t bits;
    if (get_u32(r, &bits) < 0)
        return -1;
    memcpy(v, &bits, sizeof *v);
    return 0;
}

/* A feature name: u8 length 3..CS_FEATURE_MAX and its bytes, into name. */
static int
get_feature_name(reader *r, char *name, unsigned *n)
{
    return get_u8(r, n) < 0 || *n < 3 || *n > CS_FEATURE_MAX || get_bytes(r, name, *n) < 0
           ? -1 : 0;
}

/* Read nfeatures features into m by the blob's version and m's kind. */
static int
get_features(reader *r, cs_classifier *m, uint32_t version, uint32_t nfeatures,
             char *err, size_t errlen)
{
    size_t L = m->nlabels;
    uint32_t i;

    if (m->kind == CS_MODEL_LOGISTIC) {
        /* each feature takes at least 4 + 4 L bytes: check before allocating for all */
        if (r->left / (4 + 4 * L) < nfeatures || r->left < 8 * L)
            return cs_fail(err, errlen, "model truncated in its weights");
        if ((m->bias = malloc(L * sizeof *m->bias)) == NULL ||
            (m->weight = malloc((nfeatures ? nfeatures : 1) * L * sizeof *m->weight)) == NULL)
            return cs_fail(err, errlen, "out of memory");
        for (size_t c = 0; c < L; c++)
            if (get_f64(r, &m->bias[c]) < 0 || !isfinite(m->bias[c]) ||
                fabs(m->bias[c]) > CS_LOGISTIC_WEIGHT_MAX)
                return cs_fail(err, errlen, "model bias %zu is truncated or out of range", c);
    }
    for (i = 0; i < nfeatures; i++) {
        char name[CS_FEATURE_MAX];
        unsigned n, nnz, j, label, prev = 0;
        uint32_t id, hash, count;

        if (get_feature_name(r, name, &n) < 0)
            return cs_fail(err, errlen, "model feature %u is truncated or malformed", i);
        hash = cs_model_hash(name, n);
        if (cs_model_find(m, name, n, hash) != CS_NO_FEATURE)
            return cs_fail(err, errlen, "model feature %u is a duplicate", i);
        if ((id = cs_model_add(m, name, n, hash, CS_MODEL_VOCAB_MAX)) == CS_NO_FEATURE)
            return cs_fail(err, errlen, "out of memory");
        if (m->kind == CS_MODEL_LOGISTIC) {
            for (size_t c = 0; c < L; c++) {
                float *w = &m->weight[(size_t)id * L + c];
                if (get_f32(r, w) < 0 || !isfinite(*w) || fabsf(*w) > CS_LOGISTIC_WEIGHT_MAX)
                    return cs_fail(err, errlen, "model feature %u has a malformed weight", i);
            }
            continue;
        }
        if ((version >= 3 ? get_u16(r, &nnz) : get_u8(r, &nnz)) < 0 || nnz == 0 || nnz > L)
            return cs_fail(err, errlen, "model feature %u is truncated or malformed", i);
        for (j = 0; j < nnz; j++) {
            if (get_u8(r, &label) < 0 || get_u32(r, &count) < 0 ||
                label >= L || (j > 0 && label <= prev) || count == 0)
                return cs_fail(err, errlen, "model feature %u has malformed counts", i);
            m->counts[(size_t)id * L + label] = count;
            prev = label;
        }
    }
    return 0;
}

/* Read the title words of a version-3 blob into m->title_words (NULL when none). */
static int
get_title_words(reader *r, cs_classifier *m, char *err, size_t errlen)
{
    uint32_t n, i;

    if (get_u32(r, &n) < 0 || n > TITLE_WORDS_MAX)
        return cs_fail(err, errlen, "model title words are truncated or too many");
    if (n == 0)
        return 0;
    if ((m->title_words = cs_word_table_new()) == NULL)
        return cs_fail(err, errlen, "out of memory");
    for (i = 0; i < n; i++) {
        char word[CS_TITLE_WORD_MAX];
        unsigned len, nnz, label, prev = 0;

        if (get_u8(r, &len) < 0 || len == 0 || len > CS_TITLE_WORD_MAX ||
            get_bytes(r, word, len) < 0 || memchr(word, '\0', len) ||
            get_u16(r, &nnz) < 0 || nnz == 0 || nnz > m->nlabels)
            return cs_fail(err, errlen, "model title word %u is truncated or malformed", i);
        if (cs_word_table_find(m->title_words, word, len) >= 0)
            return cs_fail(err, errlen, "model title word %u is a duplicate", i);
        for (unsigned j = 0; j < nnz; j++) {
            float w;
            if (get_u8(r, &label) < 0 || get_f32(r, &w) < 0 || label >= m->nlabels ||
                (j > 0 && label <= prev) || !isfinite(w) || !(w > 0) || w > TITLE_WEIGHT_MAX)
                return cs_fail(err, errlen, "model title word %u has malformed weights", i);
            if (cs_word_table_add(m->title_words, word, len, label, w) < 0)
                return cs_fail(err, errlen, "out of memory");
            prev = label;
        }
    }
    return 0;
}

/* The header's fields, as read and checked by get_header. */
typedef struct header {
    uint32_t version, kind, flags, nlabels, nfeatures;
    double   alpha, temperature;
} header;

/*
 * The header: magic and version, then the checksum over the whole blob
 * (checked before anything else is parsed, so that a damaged blob gets
 * one clear message; r then stops short of it), then the fields up to
 * nfeatures, each checked against its range.
 */
static int
get_header(reader *r, const char *buf, size_t len, header *h, char *err, size_t errlen)
{
    unsigned char magic[8];
    uint64_t stored_sum;
    double t_min;

    h->kind = CS_MODEL_NAIVE_BAYES;
    h->temperature = 1.0;
    if (get_bytes(r, magic, sizeof magic) < 0 || memcmp(magic, MAGIC, sizeof magic) != 0)
        return cs_fail(err, errlen, "not a chartscan classifier model (bad magic)");
    if (get_u32(r, &h->version) < 0)
        return cs_fail(err, errlen, "model truncated in header");
    if (h->version != FORMAT_VERSION && h->version != FORMAT_VERSION_NAIVE_BAYES &&
        h->version != FORMAT_VERSION_NO_TEMPERATURE)
        return cs_fail(err, errlen, "unsupported model version %u", h->version);
    if (r->left < 8)
        return cs_fail(err, errlen, "model truncated");
    r->left -= 8;
    {
        reader tail = {(const unsigned char *)buf + len - 8, 8};
        get_u64(&tail, &stored_sum);
    }
    if (fnv64((const unsigned char *)buf, len - 8) != stored_sum)
        return cs_fail(err, errlen, "model checksum mismatch (truncated or damaged)");

    if ((h->version >= 3 && get_u32(r, &h->kind) < 0) || get_u32(r, &h->flags) < 0 ||
        get_f64(r, &h->alpha) < 0 || (h->version >= 2 && get_f64(r, &h->temperature) < 0) ||
        get_u32(r, &h->nlabels) < 0 || get_u32(r, &h->nfeatures) < 0)
        return cs_fail(err, errlen, "model truncated in header");
    if (h->kind != CS_MODEL_NAIVE_BAYES && h->kind != CS_MODEL_LOGISTIC)
        return cs_fail(err, errlen, "model has unknown kind %u", h->kind);
    t_min = h->kind == CS_MODEL_LOGISTIC ? CS_TEMPERATURE_MIN_LOGISTIC : CS_TEMPERATURE_MIN;
    if (!(h->temperature >= t_min && h->temperature <= CS_TEMPERATURE_MAX))
        return cs_fail(err, errlen, "model has an invalid temperature");
    if (h->flags & ~KNOWN_FLAGS)
        return cs_fail(err, errlen, "model has unknown flags 0x%x", h->flags);
    if (!isfinite(h->alpha) || h->alpha < 0 || h->alpha > 100 ||
        (h->kind == CS_MODEL_NAIVE_BAYES && h->alpha == 0))
        return cs_fail(err, errlen, "model has an invalid smoothing constant");
    if (h->nlabels < 2 || h->nlabels > CS_MAX_LABELS || h->nfeatures > CS_MODEL_VOCAB_MAX)
        return cs_fail(err, errlen, "model has %u labels and %u features (out of range)",
                       h->nlabels, h->nfeatures);
    return 0;
}

/*
 * The labels: nlabels names, each malloc'd into labels[i] (the caller
 * frees them, also on error), strictly increasing, each with its count
 * of documents (>= 1) in docs[i].
 */
static int
get_labels(reader *r, uint32_t nlabels, char **labels, uint32_t *docs,
           char *err, size_t errlen)
{
    for (uint32_t i = 0; i < nlabels; i++) {
        unsigned n;
        if (get_u8(r, &n) < 0 || n == 0 || r->left < n)
            return cs_fail(err, errlen, "model label %u is truncated or empty", i);
        if ((labels[i] = malloc(n + 1)) == NULL)
            return cs_fail(err, errlen, "out of memory");
        get_bytes(r, labels[i], n);
        labels[i][n] = '\0';
        if (strlen(labels[i]) != n || (i > 0 && strcmp(labels[i - 1], labels[i]) >= 0))
            return cs_fail(err, errlen, "model label %u is malformed or out of order", i);
        if (get_u32(r, &docs[i]) < 0 || docs[i] == 0)
            return cs_fail(err, errlen, "model label %u has no documents", i);
    }
    return 0;
}

/*
 * cs_classifier_load()
 *
 *      Input:  buf, len (a blob written by cs_classifier_serialize, of
 *                        this version or an earlier one)
 *              out (out: the model, NULL on error)
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 with a message (wrong magic, unknown version or
 *              kind, bad checksum, truncated, out-of-range field,
 *              duplicate label, feature or title word, trailing bytes,
 *              out of memory)
 *
 *  Notes:
 *      (1) Never reads outside buf[0..len) whatever the bytes say.
 *      (2) Versions 1 and 2 give a naive Bayes model (see the file comment).
 *      (3) The sections in order: get_header (checksum included),
 *          get_labels, get_features, get_title_words (version 3), then no
 *          byte may be left before the checksum.
 */
int
cs_classifier_load(const char *buf, size_t len, cs_classifier **out,
                   char *err, size_t errlen)
{
    char *labels[CS_MAX_LABELS] = {NULL};
    uint32_t docs[CS_MAX_LABELS];
    cs_classifier *m = NULL;
    reader r = {(const unsigned char *)buf, len};
    header h;
    int rc = -1;

    if (out)
        *out = NULL;
    if (!out || !buf) {
        cs_fail(err, errlen, "no model to load");
        goto out;
    }
    if (get_header(&r, buf, len, &h, err, errlen) < 0 ||
        get_labels(&r, h.nlabels, labels, docs, err, errlen) < 0)
        goto out;
    if ((m = cs_model_new(labels, h.nlabels, h.kind == CS_MODEL_LOGISTIC ? 1.0 : h.alpha,
                          h.flags)) == NULL) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    m->kind = h.kind;
    if (h.kind == CS_MODEL_LOGISTIC)
        m->lambda = h.alpha;
    memcpy(m->docs, docs, h.nlabels * sizeof *docs);
    m->temperature = h.temperature;
    if (get_features(&r, m, h.version, h.nfeatures, err, errlen) < 0 ||
        (h.version >= 3 && get_title_words(&r, m, err, errlen) < 0))
        goto out;
    if (r.left != 0) {
        cs_fail(err, errlen, "model has %zu unexpected trailing bytes", r.left);
        goto out;
    }
    if ((h.kind == CS_MODEL_LOGISTIC ? cs_logreg_finish(m) : cs_model_finish(m)) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *out = m;
    m = NULL;
    rc = 0;
out:
    for (int i = 0; i < CS_MAX_LABELS; i++)
        free(labels[i]);
    cs_classifier_free(&m);
    return rc;
}

/*
 * model_io.c — the classifier's serialised form, and a loader that treats
 * the blob as untrusted (it comes back from the database).
 *
 * Interface routines:
 *   cs_classifier_serialize    model -> malloc'd bytes
 *   cs_classifier_load         bytes -> model, or -1 with a message
 *
 * Format, version 2; integers little-endian, whatever the host:
 *
 *   magic      8 bytes  "CSNB\r\n\x1a\n" (catches text-mode mangling)
 *   version    u32      2 (1 is still read: no temperature field, T = 1)
 *   flags      u32      CS_MODEL_PRESENCE or 0
 *   alpha      u64      IEEE-754 bits of the smoothing constant
 *   temperature u64     IEEE-754 bits of T, CS_TEMPERATURE_MIN..MAX
 *                       (version 2 only)
 *   nlabels    u32      2..256
 *   nfeatures  u32      0..CS_MODEL_VOCAB_MAX
 *   labels     nlabels x { u8 len (1..255), len bytes, u32 docs (>= 1) },
 *                       strictly increasing by strcmp
 *   features   nfeatures x { u8 len (3..CS_FEATURE_MAX), len bytes,
 *                            u8 nnz (1..nlabels),
 *                            nnz x { u8 label, u32 count (>= 1) } }
 *                       labels within a feature strictly increasing
 *   checksum   u64      FNV-1a 64 of every byte before it
 *
 * Raw counts are stored, not probabilities: load recomputes them with the
 * same code as training, so a loaded model predicts bit-for-bit like the
 * one that was saved.  Every length and index is checked against the
 * bytes that remain, duplicates are rejected, and trailing bytes are an
 * error, so a truncated or hostile blob fails with a message.
 */
#include "indexer/tokenize.h"
#include "indexer/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char MAGIC[8] = {'C', 'S', 'N', 'B', '\r', '\n', 0x1a, '\n'};
#define FORMAT_VERSION 2u
#define FORMAT_VERSION_NO_TEMPERATURE 1u
#define KNOWN_FLAGS    CS_MODEL_PRESENCE

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
    uint64_t alpha_bits, temperature_bits;
    size_t f, c, L;
    int rc = -1;

    if (buf)
        *buf = NULL;
    if (len)
        *len = 0;
    if (!m || !buf || !len)
        return -1;
    L = m->nlabels;
    memcpy(&alpha_bits, &m->alpha, sizeof alpha_bits);
    memcpy(&temperature_bits, &m->temperature, sizeof temperature_bits);
    if (cs_buf_append(&b, MAGIC, sizeof MAGIC) < 0 ||
        put_u32(&b, FORMAT_VERSION) < 0 || put_u32(&b, m->flags) < 0 ||
        put_u64(&b, alpha_bits) < 0 || put_u64(&b, temperature_bits) < 0 ||
        put_u32(&b, (uint32_t)L) < 0 ||
        put_u32(&b, (uint32_t)m->nfeatures) < 0)
        goto out;
    for (c = 0; c < L; c++) {
        size_t n = strlen(m->labels[c]);
        if (put_u8(&b, (unsigned)n) < 0 || cs_buf_append(&b, m->labels[c], n) < 0 ||
            put_u32(&b, m->docs[c]) < 0)
            goto out;
    }
    for (f = 0; f < m->nfeatures; f++) {
        const uint32_t *row = m->counts + f * L;
        unsigned nnz = 0;
        for (c = 0; c < L; c++)
            nnz += row[c] != 0;
        /* nnz >= 1: training only keeps features it has counted */
        if (put_u8(&b, m->feature_len[f]) < 0 ||
            cs_buf_append(&b, m->names.data + m->feature_offset[f], m->feature_len[f]) < 0 ||
            put_u8(&b, nnz) < 0)
            goto out;
        for (c = 0; c < L; c++)
            if (row[c] && (put_u8(&b, (unsigned)c) < 0 || put_u32(&b, row[c]) < 0))
                goto out;
    }
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

/*
 * cs_classifier_load()
 *
 *      Input:  buf, len (a blob written by cs_classifier_serialize)
 *              out (out: the model, NULL on error)
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 with a message (wrong magic, unknown version,
 *              bad checksum, truncated, out-of-range field, duplicate
 *              label or feature, trailing bytes, out of memory)
 *
 *  Notes:
 *      (1) Never reads outside buf[0..len) whatever the bytes say.
 */
int
cs_classifier_load(const char *buf, size_t len, cs_classifier **out,
                   char *err, size_t errlen)
{
    char *labels[CS_MAX_LABELS] = {NULL};
    uint32_t docs[CS_MAX_LABELS];
    cs_classifier *m = NULL;
    reader r = {(const unsigned char *)buf, len};
    unsigned char magic[8];
    uint32_t version, flags, nlabels, nfeatures, i;
    uint64_t alpha_bits, temperature_bits = 0, stored_sum;
    double alpha, temperature = 1.0;
    int rc = -1;

    if (out)
        *out = NULL;
    if (!out || !buf) {
        cs_fail(err, errlen, "no model to load");
        goto out;
    }
    if (get_bytes(&r, magic, sizeof magic) < 0 || memcmp(magic, MAGIC, sizeof magic) != 0) {
        cs_fail(err, errlen, "not a chartscan classifier model (bad magic)");
        goto out;
    }
    if (get_u32(&r, &version) < 0) {
        cs_fail(err, errlen, "model truncated in header");
        goto out;
    }
    if (version != FORMAT_VERSION && version != FORMAT_VERSION_NO_TEMPERATURE) {
        cs_fail(err, errlen, "unsupported model version %u", version);
        goto out;
    }
    if (r.left < 8) {
        cs_fail(err, errlen, "model truncated");
        goto out;
    }
    /* The checksum covers everything: check it before parsing so that a
     * damaged blob gets one clear message. */
    r.left -= 8;
    {
        reader tail = {(const unsigned char *)buf + len - 8, 8};
        get_u64(&tail, &stored_sum);
    }
    if (fnv64((const unsigned char *)buf, len - 8) != stored_sum) {
        cs_fail(err, errlen, "model checksum mismatch (truncated or damaged)");
        goto out;
    }
    if (get_u32(&r, &flags) < 0 || get_u64(&r, &alpha_bits) < 0 ||
        (version >= 2 && get_u64(&r, &temperature_bits) < 0) ||
        get_u32(&r, &nlabels) < 0 || get_u32(&r, &nfeatures) < 0) {
        cs_fail(err, errlen, "model truncated in header");
        goto out;
    }
    memcpy(&alpha, &alpha_bits, sizeof alpha);
    if (version >= 2)
        memcpy(&temperature, &temperature_bits, sizeof temperature);
    if (!(temperature >= CS_TEMPERATURE_MIN && temperature <= CS_TEMPERATURE_MAX)) {
        cs_fail(err, errlen, "model has an invalid temperature");
        goto out;
    }
    if (flags & ~KNOWN_FLAGS) {
        cs_fail(err, errlen, "model has unknown flags 0x%x", flags);
        goto out;
    }
    if (!isfinite(alpha) || alpha <= 0 || alpha > 100) {
        cs_fail(err, errlen, "model has an invalid smoothing constant");
        goto out;
    }
    if (nlabels < 2 || nlabels > CS_MAX_LABELS || nfeatures > CS_MODEL_VOCAB_MAX) {
        cs_fail(err, errlen, "model has %u labels and %u features (out of range)",
                nlabels, nfeatures);
        goto out;
    }
    for (i = 0; i < nlabels; i++) {
        unsigned n;
        if (get_u8(&r, &n) < 0 || n == 0 || r.left < n) {
            cs_fail(err, errlen, "model label %u is truncated or empty", i);
            goto out;
        }
        if ((labels[i] = malloc(n + 1)) == NULL) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
        get_bytes(&r, labels[i], n);
        labels[i][n] = '\0';
        if (strlen(labels[i]) != n || (i > 0 && strcmp(labels[i - 1], labels[i]) >= 0)) {
            cs_fail(err, errlen, "model label %u is malformed or out of order", i);
            goto out;
        }
        if (get_u32(&r, &docs[i]) < 0 || docs[i] == 0) {
            cs_fail(err, errlen, "model label %u has no documents", i);
            goto out;
        }
    }
    if ((m = cs_model_new(labels, nlabels, alpha, flags)) == NULL) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    memcpy(m->docs, docs, nlabels * sizeof *docs);
    m->temperature = temperature;
    for (i = 0; i < nfeatures; i++) {
        char name[CS_FEATURE_MAX];
        unsigned n, nnz, j, label, prev = 0;
        uint32_t id, hash, count;

        if (get_u8(&r, &n) < 0 || n < 3 || n > CS_FEATURE_MAX || get_bytes(&r, name, n) < 0 ||
            get_u8(&r, &nnz) < 0 || nnz == 0 || nnz > nlabels) {
            cs_fail(err, errlen, "model feature %u is truncated or malformed", i);
            goto out;
        }
        hash = cs_model_hash(name, n);
        if (cs_model_find(m, name, n, hash) != CS_NO_FEATURE) {
            cs_fail(err, errlen, "model feature %u is a duplicate", i);
            goto out;
        }
        if ((id = cs_model_add(m, name, n, hash, CS_MODEL_VOCAB_MAX)) == CS_NO_FEATURE) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
        for (j = 0; j < nnz; j++) {
            if (get_u8(&r, &label) < 0 || get_u32(&r, &count) < 0 ||
                label >= nlabels || (j > 0 && label <= prev) || count == 0) {
                cs_fail(err, errlen, "model feature %u has malformed counts", i);
                goto out;
            }
            m->counts[(size_t)id * nlabels + label] = count;
            prev = label;
        }
    }
    if (r.left != 0) {
        cs_fail(err, errlen, "model has %zu unexpected trailing bytes", r.left);
        goto out;
    }
    if (cs_model_finish(m) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    *out = m;
    m = NULL;
    rc = 0;
out:
    for (i = 0; i < CS_MAX_LABELS; i++)
        free(labels[i]);
    cs_classifier_free(&m);
    return rc;
}

/*
 * word_table.c — a small hash table from a word (or bigram) to weights
 * per slot, the slots being document types: the title-word evidence of
 * title_words.c and titles.c, and the title words a model learned
 * (serialised by model_io.c).
 *
 * Internal routines (model.h):
 *   cs_word_table_new, cs_word_table_free
 *   cs_word_table_add       add weight to a word's slot
 *   cs_word_table_find      a word's index, or -1
 *   cs_word_table_entry     the i-th word and its weights
 *   cs_word_table_count
 *
 * Words are kept in insertion order (so a table written and read back
 * is the same table, byte for byte when written again), with an
 * open-addressing index keyed by FNV-1a; a word's weights are a short
 * array sorted by slot.  Tables hold a few hundred words: the vocabulary,
 * a taxonomy's titles, a site's learned title words.
 */
#include "indexer/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORD_TABLE_MAX 65536     /* words a table may hold */

typedef struct word_entry {
    char *word;              /* NUL-terminated */
    size_t len;
    uint32_t hash;
    cs_word_weight *w;       /* slots strictly increasing */
    size_t n;
} word_entry;

struct cs_word_table {
    word_entry *v;
    size_t n, cap;
    uint32_t *index;         /* open addressing: entry + 1, 0 when empty */
    size_t index_size;       /* power of two, at least twice n */
};

/* cs_word_table_new: an empty table, or NULL when out of memory. */
cs_word_table *
cs_word_table_new(void)
{
    return calloc(1, sizeof(cs_word_table));
}

/* cs_word_table_free: release a table; accepts NULL and nulls *pt. */
void
cs_word_table_free(cs_word_table **pt)
{
    cs_word_table *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].word);
        free(t->v[i].w);
    }
    free(t->v);
    free(t->index);
    free(t);
    *pt = NULL;
}

size_t
cs_word_table_count(const cs_word_table *t)
{
    return t ? t->n : 0;
}

/* cs_word_table_find: index of word[0..len), or -1. */
long
cs_word_table_find(const cs_word_table *t, const char *word, size_t len)
{
    uint32_t hash;
    size_t mask, i;

    if (!t || t->index_size == 0)
        return -1;
    hash = cs_model_hash(word, len);
    mask = t->index_size - 1;
    for (i = hash & mask; t->index[i]; i = (i + 1) & mask) {
        const word_entry *e = &t->v[t->index[i] - 1];
        if (e->hash == hash && e->len == len && memcmp(e->word, word, len) == 0)
            return (long)(t->index[i] - 1);
    }
    return -1;
}

/*
 * cs_word_table_entry: the i-th word (NUL-terminated) and its weights
 * (*n of them, slots strictly increasing); NULL when i is out of range.
 */
const char *
cs_word_table_entry(const cs_word_table *t, size_t i, const cs_word_weight **w, size_t *n)
{
    if (!t || i >= t->n)
        return NULL;
    if (w)
        *w = t->v[i].w;
    if (n)
        *n = t->v[i].n;
    return t->v[i].word;
}

static int
reindex(cs_word_table *t, size_t size)
{
    uint32_t *index = calloc(size, sizeof *index);

    if (!index)
        return -1;
    for (size_t k = 0; k < t->n; k++) {
        size_t i = t->v[k].hash & (size - 1);
        while (index[i])
            i = (i + 1) & (size - 1);
        index[i] = (uint32_t)(k + 1);
    }
    free(t->index);
    t->index = index;
    t->index_size = size;
    return 0;
}

/*
 * cs_word_table_add()
 *
 *      Input:  t (table)
 *              word, len (1..CS_TITLE_WORD_MAX bytes)
 *              slot (the type's index in whatever list t serves)
 *              weight (added to what the slot has; > 0)
 *      Return: 0, or -1 (bad argument, table full, out of memory)
 */
int
cs_word_table_add(cs_word_table *t, const char *word, size_t len, uint32_t slot, double weight)
{
    long k;
    word_entry *e;
    size_t j;

    if (!t || !word || len == 0 || len > CS_TITLE_WORD_MAX || !(weight > 0) || !isfinite(weight))
        return -1;
    if ((k = cs_word_table_find(t, word, len)) < 0) {
        word_entry ne = {NULL, len, cs_model_hash(word, len), NULL, 0};
        if (t->n >= WORD_TABLE_MAX)
            return -1;
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 64;
            word_entry *v = realloc(t->v, cap * sizeof *v);
            if (!v)
                return -1;
            t->v = v;
            t->cap = cap;
        }
        if (2 * (t->n + 1) > t->index_size &&
            reindex(t, t->index_size ? 2 * t->index_size : 128) < 0)
            return -1;
        if ((ne.word = malloc(len + 1)) == NULL)
            return -1;
        memcpy(ne.word, word, len);
        ne.word[len] = '\0';
        t->v[t->n] = ne;
        {
            size_t i = ne.hash & (t->index_size - 1);
            while (t->index[i])
                i = (i + 1) & (t->index_size - 1);
            t->index[i] = (uint32_t)(t->n + 1);
        }
        k = (long)t->n++;
    }
    e = &t->v[k];
    for (j = 0; j < e->n && e->w[j].slot < slot; j++)
        ;
    if (j < e->n && e->w[j].slot == slot) {
        e->w[j].weight += (float)weight;
        return 0;
    }
    {
        cs_word_weight *w = realloc(e->w, (e->n + 1) * sizeof *w);
        if (!w)
            return -1;
        e->w = w;
    }
    memmove(e->w + j + 1, e->w + j, (e->n - j) * sizeof *e->w);
    e->w[j].slot = slot;
    e->w[j].weight = (float)weight;
    e->n++;
    return 0;
}

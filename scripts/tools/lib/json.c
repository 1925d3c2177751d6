/*
 * json.c — the JSON value tree shared by the line readers of cer and evalscore
 *
 * The two readers keep their own parsers: cer reads a counted line and
 * skips blank ones, evalscore a NUL-terminated line with a line-length
 * bound, and their error texts and depth limits differ.  What is the same
 * in both is here: the tree (tk_json), freeing it, member lookup, and the
 * two pieces of string decoding (\uXXXX digits, UTF-8 output).
 */
#include "scripts/tools/lib/toolkit.h"

#include <stdlib.h>
#include <string.h>

void tk_json_free(tk_json *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        tk_json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    memset(v, 0, sizeof *v);
}

const tk_json *tk_json_get(const tk_json *o, const char *key)
{
    if (!o || o->t != TK_JSON_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0)
            return &o->items[i];
    return NULL;
}

const char *tk_json_string(const tk_json *o, const char *key)
{
    const tk_json *v = tk_json_get(o, key);
    return v && v->t == TK_JSON_STR ? v->str : NULL;
}

int tk_json_hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

void tk_json_put_utf8(cs_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp; n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    tk_buf_append(b, u, n);
}

/*
 * json.c — the one JSON reader of the tools: JSON Lines in, a small value
 * tree out
 *
 * cer reads the generators' truth, chartscan's manifest and ocrbench's
 * output with it; evalscore reads evalgen's truth and the manifest.  It is
 * a recursive-descent parser of RFC 8259 JSON, enough for JSON Lines of
 * bounded depth and line length, with a message for the first thing that
 * is wrong:
 *
 *   - strings are decoded to NUL-terminated UTF-8: \uXXXX escapes and
 *     surrogate pairs become their code point; a lone surrogate and \u0000
 *     become U+FFFD (so a string never holds a NUL); raw bytes >= 0x80 are
 *     kept as they are, control characters are an error;
 *   - numbers follow the JSON grammar (no "+1", "01", ".5", "1.", hex, inf
 *     or nan) and are read with strtod, at most 63 characters;
 *   - true and false set both b and num (1 or 0).
 *
 * A line is counted, not NUL-terminated: a NUL byte in a line is an error,
 * not its end.  tk_jsonl_next skips blank lines (whitespace only).
 */
#include "scripts/tools/lib/toolkit.h"

#include <stdio.h>
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

/* ======================= the parser ======================= */

typedef struct jparser {
    const char *p, *end;
    int max_depth;
    const char *err;
} jparser;

/* Four hex digits at p into *out; -1 when one is not a hex digit. */
static int hex4(const char *p, unsigned *out)
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

/* Append code point cp as UTF-8. */
static void put_utf8(cs_buf *b, unsigned cp)
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

static void skip_ws(jparser *jp)
{
    while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r'))
        jp->p++;
}

/* The code point of the \u escape at jp->p (on the 'u'), a surrogate pair joined. */
static int unicode_escape(jparser *jp, unsigned *cp)
{
    unsigned lo;

    if (jp->end - jp->p < 5 || hex4(jp->p + 1, cp) < 0)
        return -1;
    jp->p += 5;
    if (*cp >= 0xD800 && *cp <= 0xDBFF && jp->end - jp->p >= 6 && jp->p[0] == '\\' &&
        jp->p[1] == 'u' && hex4(jp->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
        jp->p += 6;
    } else if ((*cp >= 0xD800 && *cp <= 0xDFFF) || *cp == 0) {
        *cp = 0xFFFD;
    }
    return 0;
}

/* A string literal at jp->p (on the opening quote) into *out (malloc'd). */
static int parse_string(jparser *jp, char **out)
{
    static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    cs_buf b = CS_BUF_INIT;

    jp->p++;
    for (;;) {
        const char *run = jp->p, *k;
        unsigned cp;
        while (jp->p < jp->end && *jp->p != '"' && *jp->p != '\\' && (unsigned char)*jp->p >= 0x20)
            jp->p++;
        tk_buf_append(&b, run, (size_t)(jp->p - run));
        if (jp->p >= jp->end) {
            jp->err = "unterminated string";
            goto fail;
        }
        if (*jp->p == '"')
            break;
        if (*jp->p != '\\') {
            jp->err = "control character in a string";
            goto fail;
        }
        jp->p++;
        if (jp->p < jp->end && *jp->p == 'u') {
            if (unicode_escape(jp, &cp) < 0)
                goto bad_escape;
            put_utf8(&b, cp);
        } else if (jp->p < jp->end && *jp->p && (k = strchr(plain, *jp->p)) != NULL) {
            tk_buf_append(&b, &decoded[k - plain], 1);
            jp->p++;
        } else {
            goto bad_escape;
        }
    }
    jp->p++;
    tk_buf_puts(&b, "");       /* "" rather than NULL for an empty string */
    *out = b.data;
    return 0;
bad_escape:
    jp->err = "bad escape in a string";
fail:
    cs_buf_free(&b);
    return -1;
}

/* Length of the JSON number at p (before end); 0 when there is none. */
static size_t number_length(const char *p, const char *end)
{
    const char *s = p;
#define DIGITS() while (s < end && *s >= '0' && *s <= '9') s++
    if (s < end && *s == '-')
        s++;
    if (s < end && *s == '0')
        s++;
    else if (s < end && *s >= '1' && *s <= '9')
        DIGITS();
    else
        return 0;
    if (s < end && *s == '.') {
        const char *f = ++s;
        DIGITS();
        if (s == f)
            return 0;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        const char *x;
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        x = s;
        DIGITS();
        if (s == x)
            return 0;
    }
#undef DIGITS
    return (size_t)(s - p);
}

static int parse_number(jparser *jp, tk_json *v)
{
    char tmp[64];
    size_t n = number_length(jp->p, jp->end);

    if (n == 0 || n >= sizeof tmp) {
        jp->err = "bad number";
        return -1;
    }
    memcpy(tmp, jp->p, n);
    tmp[n] = '\0';
    v->t = TK_JSON_NUM;
    v->num = strtod(tmp, NULL);
    jp->p += n;
    return 0;
}

static int parse_value(jparser *jp, tk_json *v, int depth);

/* An object or array at jp->p (on its opening bracket). */
static int parse_container(jparser *jp, tk_json *v, int depth)
{
    int obj = *jp->p == '{';
    char close = obj ? '}' : ']';
    size_t cap = 0;

    v->t = obj ? TK_JSON_OBJ : TK_JSON_ARR;
    jp->p++;
    skip_ws(jp);
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        if (obj) {
            skip_ws(jp);
            if (jp->p >= jp->end || *jp->p != '"') {
                jp->err = "expected a key";
                return -1;
            }
            if (parse_string(jp, &key) < 0)
                return -1;
            skip_ws(jp);
            if (jp->p >= jp->end || *jp->p != ':') {
                free(key);
                jp->err = "expected ':'";
                return -1;
            }
            jp->p++;
        }
        if (v->n == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = tk_xrealloc(v->items, cap * sizeof *v->items);
            if (obj)
                v->keys = tk_xrealloc(v->keys, cap * sizeof *v->keys);
        }
        if (obj)
            v->keys[v->n] = key;
        if (parse_value(jp, &v->items[v->n++], depth + 1) < 0)
            return -1;              /* counted: tk_json_free releases the partial item and key */
        skip_ws(jp);
        if (jp->p < jp->end && *jp->p == ',') {
            jp->p++;
            continue;
        }
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
            return 0;
        }
        jp->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
        return -1;
    }
}

/* The literal word at jp->p, when it is one. */
static int literal(jparser *jp, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
        return 0;
    jp->p += n;
    return 1;
}

static int parse_value(jparser *jp, tk_json *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > jp->max_depth) {
        jp->err = "nested too deeply";
        return -1;
    }
    skip_ws(jp);
    if (jp->p >= jp->end) {
        jp->err = "unexpected end of line";
        return -1;
    }
    switch (*jp->p) {
    case '"':
        v->t = TK_JSON_STR;
        return parse_string(jp, &v->str);
    case '{':
    case '[':
        return parse_container(jp, v, depth);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(jp, v);
    default:
        break;
    }
    if (literal(jp, "true")) {
        v->t = TK_JSON_BOOL;
        v->b = 1;
        v->num = 1;
        return 0;
    }
    if (literal(jp, "false")) {
        v->t = TK_JSON_BOOL;
        return 0;
    }
    if (literal(jp, "null")) {
        v->t = TK_JSON_NULL;
        return 0;
    }
    jp->err = "unexpected character";
    return -1;
}

int tk_json_parse(const char *s, size_t len, int max_depth, tk_json *v, const char **err)
{
    jparser jp = { s, s + len, max_depth, NULL };

    if (parse_value(&jp, v, 0) < 0) {
        tk_json_free(v);
        *err = jp.err;
        return -1;
    }
    skip_ws(&jp);
    if (jp.p != jp.end) {
        tk_json_free(v);
        *err = "trailing characters after the JSON value";
        return -1;
    }
    *err = NULL;
    return 0;
}

/* ======================= JSON Lines ======================= */

void tk_jsonl_init(tk_jsonl *r, FILE *fp, size_t max_line, int max_depth)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->max_line = max_line;
    r->max_depth = max_depth;
}

int tk_jsonl_next(tk_jsonl *r, tk_json *v)
{
    ssize_t n;

    memset(v, 0, sizeof *v);
    r->err = NULL;
    while ((n = getline(&r->line, &r->cap, r->fp)) >= 0) {
        size_t len = (size_t)n, i = 0;
        r->lineno++;
        if (r->max_line && len > r->max_line) {
            snprintf(r->errbuf, sizeof r->errbuf, "longer than %zu bytes", r->max_line);
            r->err = r->errbuf;
            return -1;
        }
        while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r'))
            len--;
        while (i < len && (r->line[i] == ' ' || r->line[i] == '\t' || r->line[i] == '\r'))
            i++;
        if (i == len)
            continue;               /* a blank line */
        return tk_json_parse(r->line, len, r->max_depth, v, &r->err) < 0 ? -1 : 1;
    }
    return 0;
}

void tk_jsonl_free(tk_jsonl *r)
{
    free(r->line);
    r->line = NULL;
    r->cap = 0;
}

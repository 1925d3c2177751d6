/*
 * buf.c — growable, always NUL-terminated byte buffer, with a JSON string
 * writer (used by the manifest and every JSON export).
 *
 * Notes
 *  1. A failed append leaves the buffer as it was but sets b->failed, which
 *     stays set until cs_buf_reset or cs_buf_free.  Callers may ignore the
 *     result of each append while building something and ask cs_buf_failed
 *     once when it is finished: a buffer that lost a piece is never mistaken
 *     for a complete one (the memory is kept across a reset, so a NULL data
 *     pointer says nothing after the first use).
 *  2. cs_buf_test_fail_allocation is a test-only knob: it makes the Nth
 *     allocation from now fail, so that tests can show every out-of-memory
 *     path refuses its work.  Production code never calls it; while it is
 *     unset it costs one relaxed atomic load per allocation.
 */
#include "common/common.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Allocations until the injected failure (test-only); 0: none armed. */
static atomic_long fail_countdown;
static atomic_long failures_injected;

void cs_buf_test_fail_allocation(long n)
{
    atomic_store(&failures_injected, 0);
    atomic_store(&fail_countdown, n > 0 ? n : 0);
}

long cs_buf_test_failures(void)
{
    return atomic_load(&failures_injected);
}

/* 1 when this allocation is the one a test asked to fail. */
static int injected_failure(void)
{
    long left = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1)) {
            if (left == 1) {
                atomic_fetch_add(&failures_injected, 1);
                return 1;
            }
            return 0;
        }
    }
    return 0;
}

int cs_buf_reserve(cs_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = injected_failure() ? NULL : realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int cs_buf_append(cs_buf *b, const void *data, size_t len)
{
    if (cs_buf_reserve(b, len) < 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int cs_buf_puts(cs_buf *b, const char *s)
{
    return cs_buf_append(b, s, strlen(s));
}

int cs_buf_printf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return -1;
    }
    if (cs_buf_reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not valid. */
static size_t utf8_valid_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (s[0] == 0xE0 && s[1] < 0xA0) return 0;     /* overlong */
        if (s[0] == 0xED && s[1] >= 0xA0) return 0;    /* surrogates */
        return 3;
    }
    if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (s[0] == 0xF0 && s[1] < 0x90) return 0;
        if (s[0] == 0xF4 && s[1] >= 0x90) return 0;
        return 4;
    }
    return 0;
}

int cs_buf_json_string(cs_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (cs_buf_append(b, "\"", 1) < 0)
        return -1;
    while (*p) {
        size_t run = 0, n;
        /* copy runs of plain characters in one go */
        while (p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        if (run) {
            if (cs_buf_append(b, p, run) < 0)
                return -1;
            p += run;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            if (cs_buf_append(b, esc, 2) < 0)
                return -1;
            p++;
        } else if (*p < 0x20) {
            int rc;
            switch (*p) {
            case '\n': rc = cs_buf_append(b, "\\n", 2); break;
            case '\r': rc = cs_buf_append(b, "\\r", 2); break;
            case '\t': rc = cs_buf_append(b, "\\t", 2); break;
            case '\b': rc = cs_buf_append(b, "\\b", 2); break;
            case '\f': rc = cs_buf_append(b, "\\f", 2); break;
            default:   rc = cs_buf_printf(b, "\\u%04x", *p); break;
            }
            if (rc < 0)
                return -1;
            p++;
        } else if ((n = utf8_valid_len(p)) > 0) {
            if (cs_buf_append(b, p, n) < 0)
                return -1;
            p += n;
        } else {
            if (cs_buf_append(b, "\\ufffd", 6) < 0)
                return -1;
            p++;
        }
    }
    return cs_buf_append(b, "\"", 1);
}

int cs_buf_failed(const cs_buf *b)
{
    return b->failed != 0;
}

void cs_buf_reset(cs_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void cs_buf_free(cs_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

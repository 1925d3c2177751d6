/*
 * core.c — dying helpers of the tools: messages, allocation, cs_buf appends
 *
 * The tools are short-lived command-line programs: running out of memory
 * or a formatting bug ends the run with "PROG: message" and status 1.
 */
#include "scripts/tools/lib/toolkit.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tk_die(const char *fmt, ...)
{
    va_list ap;
    fputs(tk_prog, stderr);
    fputs(": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void tk_die_oom(void)
{
    tk_die("out of memory");
}

void *tk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        tk_die_oom();
    return p;
}

void *tk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        tk_die_oom();
    return p;
}

void *tk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        tk_die_oom();
    return q;
}

char *tk_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        tk_die_oom();
    return p;
}

void tk_buf_puts(cs_buf *b, const char *s)
{
    if (cs_buf_puts(b, s) < 0)
        tk_die_oom();
}

void tk_buf_append(cs_buf *b, const void *data, size_t n)
{
    if (cs_buf_append(b, data, n) < 0)
        tk_die_oom();
}

void tk_buf_json(cs_buf *b, const char *s)
{
    if (cs_buf_json_string(b, s) < 0)
        tk_die_oom();
}

void tk_buf_csv(cs_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        tk_buf_puts(b, s);
        return;
    }
    tk_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            tk_buf_puts(b, "\"");
        tk_buf_append(b, s, 1);
    }
    tk_buf_puts(b, "\"");
}

void tk_buf_vprintf(cs_buf *b, size_t max, const char *fmt, va_list ap)
{
    char tmp[TK_BUF_PRINTF_MAX];
    int n;

    assert(max > 0 && max <= sizeof tmp);
    n = vsnprintf(tmp, max, fmt, ap);
    if (n < 0 || (size_t)n >= max)
        tk_die("internal error: formatted text too long");
    tk_buf_append(b, tmp, (size_t)n);
}

void tk_buf_printf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tk_buf_vprintf(b, TK_BUF_PRINTF_MAX, fmt, ap);
    va_end(ap);
}

void tk_buf_csv_quoted(cs_buf *b, const char *s)
{
    tk_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            tk_buf_puts(b, "\"");
        tk_buf_append(b, s, 1);
    }
    tk_buf_puts(b, "\"");
}

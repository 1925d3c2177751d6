/*
 * opts.c — numbers on the tools' command lines
 *
 * Both parsers only say yes or no: each tool words its own message
 * ("invalid --files \"x\": expected 1 to 10000").
 */
#include "scripts/tools/lib/toolkit.h"

#include <errno.h>
#include <stdlib.h>

int tk_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int tk_parse_seed(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

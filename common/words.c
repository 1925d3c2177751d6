/*
 * words.c — how far apart two words are, for "did you mean" (misspelt
 * commands, options and configuration keys).
 *
 * Interface routines:
 *   cs_word_distance    optimal string alignment distance, case-insensitive
 *
 * The distance is Levenshtein's plus the transposition of two neighbours
 * (the commonest typing slip).  Words longer than CS_WORD_DISTANCE_MAX are
 * never close: the answer is CS_WORD_DISTANCE_MAX + 1.  The indexer's
 * OCR-tolerant comparisons (indexer/verify.c, strsim.c) have their own,
 * bounded, case-sensitive kinds: this one is for words a person typed.
 */
#include "common/common.h"

#include <ctype.h>
#include <string.h>

int cs_word_distance(const char *a, const char *b)
{
    int d[CS_WORD_DISTANCE_MAX + 1][CS_WORD_DISTANCE_MAX + 1];
    size_t n = strlen(a), m = strlen(b);

    if (n > CS_WORD_DISTANCE_MAX || m > CS_WORD_DISTANCE_MAX)
        return CS_WORD_DISTANCE_MAX + 1;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + (ai != bj) < v)
                v = d[i - 1][j - 1] + (ai != bj);
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

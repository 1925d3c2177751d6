/*
 * strsim.c — string similarity for patient matching: Jaro-Winkler on
 * names, one-edit distance on MRNs, and the list of MRNs one edit away
 * that pipeline/ looks up in the roster.
 *
 * Interface routines:
 *   cs_jaro_winkler          similarity of two names, 0..1
 *   cs_index_mrn_distance    0, 1 or 2 (= more than one edit)
 *   cs_index_mrn_variants    every MRN one substitution, deletion or
 *                            insertion away
 *
 * Jaro-Winkler is the usual one (Winkler 1990): characters match when
 * equal and no further apart than max(|a|, |b|) / 2 - 1; t is half the
 * matched characters out of order; jaro = (m/|a| + m/|b| + (m - t)/m) / 3;
 * the common prefix (at most 4) lifts it by 0.1 per character towards 1.
 * Names are compared upper-cased with everything but letters removed, so
 * "O'Brien" equals "OBRIEN" and "Mary-Ann" equals "MARY ANN".
 */
#include "indexer/text.h"

#include <stdlib.h>
#include <string.h>

#define NAME_CMP_MAX 64
#define WINKLER_PREFIX 4
#define WINKLER_SCALE 0.1

/* Letters of s, upper case, into out (at most NAME_CMP_MAX - 1). */
static size_t
letters_upper(const char *s, char *out)
{
    size_t n = 0;

    for (; s && *s && n < NAME_CMP_MAX - 1; s++)
        if (cs_is_alpha((unsigned char)*s))
            out[n++] = (char)cs_upper((unsigned char)*s);
    out[n] = '\0';
    return n;
}

/*
 * cs_jaro_winkler()
 *
 *      Input:  a, b (names; NULL reads as empty)
 *      Return: similarity 0..1; 1 for equal names, 0 when either is empty
 *
 *  Notes:
 *      (1) MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
 *      (2) Names longer than 63 letters are compared on their first 63.
 */
double
cs_jaro_winkler(const char *a, const char *b)
{
    char x[NAME_CMP_MAX], y[NAME_CMP_MAX];
    unsigned char xm[NAME_CMP_MAX] = {0}, ym[NAME_CMP_MAX] = {0};
    size_t lx = letters_upper(a, x), ly = letters_upper(b, y), i, j, k;
    size_t window, matches = 0, half_transpositions = 0, prefix = 0;
    double jaro;

    if (lx == 0 || ly == 0)
        return 0.0;
    window = (lx > ly ? lx : ly) / 2;
    window = window > 0 ? window - 1 : 0;
    for (i = 0; i < lx; i++) {
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < ly ? i + window + 1 : ly;
        for (j = lo; j < hi; j++)
            if (!ym[j] && x[i] == y[j]) {
                xm[i] = ym[j] = 1;
                matches++;
                break;
            }
    }
    if (matches == 0)
        return 0.0;
    for (i = 0, k = 0; i < lx; i++) {
        if (!xm[i])
            continue;
        while (!ym[k])
            k++;
        half_transpositions += x[i] != y[k];
        k++;
    }
    jaro = ((double)matches / lx + (double)matches / ly +
            (matches - half_transpositions / 2.0) / matches) / 3.0;
    while (prefix < WINKLER_PREFIX && prefix < lx && prefix < ly && x[prefix] == y[prefix])
        prefix++;
    return jaro + prefix * WINKLER_SCALE * (1.0 - jaro);
}

/*
 * cs_index_mrn_distance()
 *
 *      Input:  a, b (MRNs as extracted or stored; NULL reads as empty)
 *      Return: 0 equal (ignoring case), 1 one edit apart, 2 otherwise
 */
int
cs_index_mrn_distance(const char *a, const char *b)
{
    size_t la, lb, i, j, diff = 0;

    if (!a)
        a = "";
    if (!b)
        b = "";
    la = strlen(a);
    lb = strlen(b);
    if (la == lb) {
        for (i = 0; i < la; i++)
            diff += cs_upper((unsigned char)a[i]) != cs_upper((unsigned char)b[i]);
        return diff == 0 ? 0 : diff == 1 ? 1 : 2;
    }
    if (la + 1 == lb || lb + 1 == la) {
        const char *s = la < lb ? a : b, *l = la < lb ? b : a;     /* shorter, longer */
        size_t ls = la < lb ? la : lb;
        for (i = 0, j = 0; i < ls && j < ls + 1; ) {
            if (cs_upper((unsigned char)s[i]) == cs_upper((unsigned char)l[j])) {
                i++;
                j++;
            } else if (++diff > 1 || j != i) {
                return 2;
            } else {
                j++;
            }
        }
        return 1;
    }
    return 2;
}

static int
cmp_mrn(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/*
 * cs_index_mrn_variants()
 *
 *      Input:  mrn (1 to CS_MRN_MAX - 2 letters and digits)
 *              out (out: variants, sorted, unique; may be NULL when max is 0)
 *              max (capacity of out)
 *      Return: the number of variants (possibly more than max, of which
 *              the first max were written), or -1 for a bad MRN or when
 *              out of memory
 *
 *  Notes:
 *      (1) An all-digit MRN varies over digits only (an 8-digit MRN has
 *          72 substitutions, 8 deletions at most and 90 insertions at
 *          most: under 170 values for "WHERE mrn = ANY($1)" on the
 *          roster's unique index).  An MRN with letters varies over
 *          0-9 and A-Z.
 *      (2) OCR confusions (O/0, I/1, S/5, B/8, Z/2) are already repaired
 *          by extraction; what remains are digit-for-digit misreads
 *          (3/8, 1/7, 5/6), a lost digit and a doubled one: exactly the
 *          one-edit neighbourhood.
 */
long
cs_index_mrn_variants(const char *mrn, char (*out)[CS_MRN_MAX], size_t max)
{
    static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char (*all)[CS_MRN_MAX] = NULL;
    size_t len, nalpha, cap, n = 0, i, k, u;
    int digits_only = 1;

    if (!mrn || (len = strlen(mrn)) == 0 || len > CS_MRN_MAX - 2 || (max && !out))
        return -1;
    for (i = 0; i < len; i++) {
        if (!cs_is_alnum((unsigned char)mrn[i]))
            return -1;
        digits_only &= cs_is_digit((unsigned char)mrn[i]);
    }
    nalpha = digits_only ? 10 : 36;
    cap = len * nalpha + len + (len + 1) * nalpha;
    if ((all = malloc(cap * sizeof *all)) == NULL)
        return -1;
    for (i = 0; i < len; i++)                      /* substitutions */
        for (k = 0; k < nalpha; k++) {
            if (ALNUM[k] == cs_upper((unsigned char)mrn[i]))
                continue;
            memcpy(all[n], mrn, len + 1);
            all[n][i] = ALNUM[k];
            n++;
        }
    if (len > 1)
        for (i = 0; i < len; i++) {                /* deletions */
            memcpy(all[n], mrn, i);
            memcpy(all[n] + i, mrn + i + 1, len - i);
            n++;
        }
    for (i = 0; i <= len; i++)                     /* insertions */
        for (k = 0; k < nalpha; k++) {
            memcpy(all[n], mrn, i);
            all[n][i] = ALNUM[k];
            memcpy(all[n] + i + 1, mrn + i, len - i + 1);
            n++;
        }
    for (i = 0; i < n; i++)
        for (k = 0; all[i][k]; k++)
            all[i][k] = (char)cs_upper((unsigned char)all[i][k]);
    qsort(all, n, sizeof *all, cmp_mrn);
    for (i = 0, u = 0; i < n; i++) {
        if ((u > 0 && strcmp(all[u - 1], all[i]) == 0) ||
            cs_index_mrn_distance(all[i], mrn) == 0)
            continue;
        if (u != i)
            memcpy(all[u], all[i], sizeof *all);
        u++;
    }
    for (i = 0; i < u && i < max; i++)
        memcpy(out[i], all[i], sizeof *all);
    free(all);
    return (long)u;
}

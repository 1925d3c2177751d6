/*
 * fields.c — medical record number (MRN) candidates in OCR text.
 *
 * Interface routines:
 *   cs_index_find_mrns    labelled MRNs first, then plausible bare numbers
 *
 * Two passes over the text:
 *
 *   1. Labelled.  A label (MRN, MR#, MR #, Med Rec #, Med Rec No,
 *      Medical Record No./Number/#, Unit No./Number/#; any case; runs of
 *      spaces between words) followed by any of ' ', tab, ':', '#', '.',
 *      '-' and then the value.  A bare '#' at a word start counts as an MRN
 *      label when the same line before it holds a "LAST, FIRST" name, or
 *      is only a "First [M.] Last" name (two to four capitalised words),
 *      and no other-number word (below) is near: "SMITH, JOHN  #48213377",
 *      "Wren W. Langlowe   #73640069".
 *      The value is a run of 6 to 12 letters and
 *      digits ending at a non-alphanumeric byte:
 *        - OCR confusions are repaired (O/o->0, I/l/|->1, S/s->5, B->8,
 *          Z/z->2) when every letter in the run is one of them and more
 *          than half of the run are digits: "48Z13377" -> "48213377".
 *        - Otherwise a run with letters is kept as an alphanumeric MRN,
 *          upper-cased, if at least half of it is digits ("A1234567").
 *        - A value printed in groups ("4821 3377", "4821-3377") is joined
 *          when the first group alone is too short to be an MRN (fewer
 *          than 6 characters) and every group is 3 or more digits; a first
 *          group of 6 or more stands alone, so "MRN 12345678 45 y/o" does
 *          not swallow the age.
 *
 *   2. Bare.  Runs of exactly 6 to 12 digits, bounded by non-alphanumeric
 *      bytes, that are
 *        - not joined to another digit run by '-', '/', '.', ':' or '('/')'
 *          (dates, phone numbers, decimals, times),
 *        - not an 8-digit run that reads as a date YYYYMMDD (1900..2099),
 *        - not preceded on the same line, within 25 bytes, by a whole word
 *          that names another kind of number (account, acct, encounter,
 *          enc, visit, phone, tel, fax, ssn, ...).
 *
 * Labelled candidates come first, then bare ones, each in order of
 * appearance; a value already found is not repeated.  Nothing here logs:
 * MRNs are patient data.
 */
#include "indexer/text.h"

#include <string.h>

#define MRN_MIN 6
#define MRN_MAX 12
#define EXCLUDE_WINDOW 25


/*
 * Length of the label pattern matched at s, or 0.  In a pattern, ' '
 * matches one or more spaces or tabs, and other bytes match themselves
 * ignoring case.
 */
static size_t
match_pattern(const char *s, const char *pattern)
{
    size_t i = 0;

    for (; *pattern; pattern++) {
        if (*pattern == ' ') {
            if (s[i] != ' ' && s[i] != '\t')
                return 0;
            while (s[i] == ' ' || s[i] == '\t')
                i++;
        } else if (cs_lower((unsigned char)s[i]) != *pattern) {
            return 0;
        } else {
            i++;
        }
    }
    return i;
}

/* Label patterns, longest first where one is a prefix of another. */
static const char *const MRN_LABELS[] = {
    "medical record number", "medical record no", "medical record #",
    "medical record", "med rec number", "med rec no", "med rec #", "med rec",
    "mr #", "mr#", "mrn", "unit number", "unit no", "unit #",
};

/* Length of an MRN label starting at text[i] (a word start), or 0. */
static size_t
match_label(const char *text, size_t i)
{
    if (i > 0 && cs_is_alnum((unsigned char)text[i - 1]))
        return 0;
    for (size_t k = 0; k < sizeof MRN_LABELS / sizeof *MRN_LABELS; k++) {
        size_t n = match_pattern(text + i, MRN_LABELS[k]);
        /* a label ending in a letter must not run into another letter
         * ("MRNA" is not a label); a digit may follow: "MRN48213377" */
        if (n && !(cs_is_alpha((unsigned char)text[i + n - 1]) &&
                   cs_is_alpha((unsigned char)text[i + n])))
            return n;
    }
    return 0;
}

/*
 * Read the value after a label, starting at text[i].  On success writes
 * the normalised MRN into mrn, its start offset into *start and returns 1.
 */
static int
read_labelled_value(const char *text, size_t i, char mrn[CS_MRN_MAX], size_t *start)
{
    char raw[MRN_MAX + 1];
    size_t len = 0, j, digits = 0, fixable = 0, k;

    while (text[i] == ' ' || text[i] == '\t' || text[i] == ':' || text[i] == '#' ||
           text[i] == '.' || text[i] == '-')
        i++;
    *start = i;
    /* first group */
    for (j = i; cs_is_alnum((unsigned char)text[j]) || text[j] == '|'; j++) {
        if (len == MRN_MAX)
            return 0;
        raw[len++] = text[j];
    }
    /* further groups of 3+ digits, only while the value is still short */
    while (len < MRN_MIN && (text[j] == ' ' || text[j] == '-') &&
           cs_is_digit((unsigned char)text[j + 1])) {
        size_t g = j + 1, glen = 0;
        while (cs_is_digit((unsigned char)text[g + glen]))
            glen++;
        if (glen < 3 || cs_is_alpha((unsigned char)text[g + glen]) || len + glen > MRN_MAX)
            break;
        for (k = 0; k < glen; k++)
            raw[len++] = text[g + k];
        j = g + glen;
    }
    if (len < MRN_MIN)
        return 0;
    for (k = 0; k < len; k++) {
        if (cs_is_digit((unsigned char)raw[k]))
            digits++;
        else if (cs_ocr_digit((unsigned char)raw[k]))
            fixable++;
    }
    if (digits + fixable == len && 2 * digits > len) {
        for (k = 0; k < len; k++)
            mrn[k] = cs_is_digit((unsigned char)raw[k]) ? raw[k] : cs_ocr_digit((unsigned char)raw[k]);
    } else if (2 * digits >= len) {
        for (k = 0; k < len; k++) {
            if (raw[k] == '|')
                return 0;
            mrn[k] = (char)(raw[k] >= 'a' && raw[k] <= 'z' ? raw[k] - 'a' + 'A' : raw[k]);
        }
    } else {
        return 0;
    }
    mrn[len] = '\0';
    return 1;
}

/* Words that name a number that is not an MRN (matched as whole words). */
static const char *const OTHER_NUMBER_WORDS[] = {
    "account", "accounts", "acct", "acc", "encounter", "enc", "visit",
    "phone", "telephone", "tel", "ph", "fax", "ssn", "social", "pager",
    "cell", "mobile", "claim", "policy", "member", "group", "npi", "zip",
    "order", "accession", "fin", "csn", "invoice",
};

/* Does a whole other-number word start within EXCLUDE_WINDOW bytes before
 * pos, on the same line? */
static int
after_other_label(const char *text, size_t pos)
{
    size_t from = pos > EXCLUDE_WINDOW ? pos - EXCLUDE_WINDOW : 0, i;

    for (i = pos; i > from && text[i - 1] != '\n'; i--)
        ;
    for (; i < pos; i++) {
        if (!cs_is_alpha((unsigned char)text[i]) || (i > 0 && cs_is_alpha((unsigned char)text[i - 1])))
            continue;
        for (size_t k = 0; k < sizeof OTHER_NUMBER_WORDS / sizeof *OTHER_NUMBER_WORDS; k++) {
            const char *w = OTHER_NUMBER_WORDS[k];
            size_t n = strlen(w), m;
            for (m = 0; m < n && i + m < pos && cs_lower((unsigned char)text[i + m]) == w[m]; m++)
                ;
            if (m == n && !cs_is_alpha((unsigned char)text[i + n]))
                return 1;
        }
    }
    return 0;
}

/* Is the digit run text[s..e) joined to another number (date, phone)? */
static int
in_number_pattern(const char *text, size_t s, size_t e)
{
    static const char joiners[] = "-/.:()";

    if (s >= 2 && strchr(joiners, text[s - 1]) && cs_is_digit((unsigned char)text[s - 2]))
        return 1;
    if (text[e] && strchr(joiners, text[e]) && cs_is_digit((unsigned char)text[e + 1]))
        return 1;
    if (s >= 1 && text[s - 1] == ')')       /* "(555)1234567" */
        return 1;
    return 0;
}

static int
looks_like_yyyymmdd(const char *d)
{
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int m = (d[4] - '0') * 10 + (d[5] - '0');
    int day = (d[6] - '0') * 10 + (d[7] - '0');

    return y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

/*
 * Is text[from..pos) only a "First [M.] Last" name and blanks: two to four
 * words, each a capital and then letters ('\'', '-' inside), an initial
 * with or without its period; the first and last words two letters or more.
 */
static int
only_name_words(const char *text, size_t from, size_t pos)
{
    size_t i = from, words = 0, len = 0;

    while (i < pos) {
        size_t st;
        if (text[i] == ' ' || text[i] == '\t') {
            i++;
            continue;
        }
        if (!(text[i] >= 'A' && text[i] <= 'Z'))
            return 0;
        st = i;
        while (i < pos && (cs_is_alpha((unsigned char)text[i]) || text[i] == '\'' || text[i] == '-'))
            i++;
        len = i - st;
        if (i < pos && text[i] == '.' && len == 1)
            i++;
        if (i < pos && text[i] != ' ' && text[i] != '\t')
            return 0;
        if (words == 0 && len < 2)
            return 0;
        words++;
    }
    return words >= 2 && words <= 4 && len >= 2;
}

/* Is text[pos] == '#' a bare MRN mark after a "LAST, FIRST" or "First Last" name? */
static int
hash_after_name(const char *text, size_t pos)
{
    size_t i;

    if (text[pos] != '#' || (pos > 0 && text[pos - 1] != ' ' && text[pos - 1] != '\t'))
        return 0;
    for (i = pos; i > 0 && text[i - 1] != '\n'; i--)
        ;
    if (only_name_words(text, i, pos))
        return !after_other_label(text, pos);
    for (; i + 1 < pos; i++) {
        size_t j = i + 1;
        if (text[i] != ',' || i == 0 || !cs_is_alpha((unsigned char)text[i - 1]))
            continue;
        while (text[j] == ' ' || text[j] == '\t')
            j++;
        if (j < pos && cs_is_alpha((unsigned char)text[j]))
            return !after_other_label(text, pos);
    }
    return 0;
}

static int
already_found(const cs_mrn_candidate *out, int n, const char *mrn)
{
    for (int i = 0; i < n; i++)
        if (strcmp(out[i].mrn, mrn) == 0)
            return 1;
    return 0;
}

/*
 * cs_index_find_mrns()
 *
 *      Input:  text (NUL-terminated OCR text; NULL gives 0)
 *              out (out: candidates; may be NULL when max is 0)
 *              max (capacity of out)
 *      Return: number of candidates written, 0..max
 *
 *  Notes:
 *      (1) See the file comment for the rules; labelled candidates have
 *          labelled = 1 and come first.
 *      (2) offset is the byte offset of the value's first character.
 *      (3) Linear in the text length times the (fixed) label count.
 */
int
cs_index_find_mrns(const char *text, cs_mrn_candidate *out, int max)
{
    char mrn[CS_MRN_MAX];
    size_t i, start;
    int n = 0;

    if (!text || !out || max <= 0)
        return 0;

    for (i = 0; text[i] && n < max; i++) {
        size_t lab = match_label(text, i);
        if (!lab && hash_after_name(text, i))
            lab = 1;
        if (!lab)
            continue;
        if (read_labelled_value(text, i + lab, mrn, &start) &&
            !already_found(out, n, mrn)) {
            memcpy(out[n].mrn, mrn, sizeof mrn);
            out[n].labelled = 1;
            out[n].offset = start;
            n++;
        }
        i += lab - 1;
    }

    for (i = 0; text[i] && n < max; i++) {
        size_t e, len;

        if (!cs_is_digit((unsigned char)text[i]) || (i > 0 && cs_is_alnum((unsigned char)text[i - 1])))
            continue;
        for (e = i; cs_is_digit((unsigned char)text[e]); e++)
            ;
        len = e - i;
        if (len < MRN_MIN || len > MRN_MAX || cs_is_alpha((unsigned char)text[e]) ||
            in_number_pattern(text, i, e) ||
            (len == 8 && looks_like_yyyymmdd(text + i)) ||
            after_other_label(text, i)) {
            i = e - 1;
            continue;
        }
        memcpy(mrn, text + i, len);
        mrn[len] = '\0';
        if (!already_found(out, n, mrn)) {
            memcpy(out[n].mrn, mrn, sizeof mrn);
            out[n].labelled = 0;
            out[n].offset = i;
            n++;
        }
        i = e - 1;
    }
    return n;
}

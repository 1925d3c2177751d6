/*
 * dates.c — calendar dates in OCR text: birth dates and dates of service.
 *
 * Interface routines:
 *   cs_index_parse_date    the date starting at a position, or none
 *   cs_date_cmp            order of two dates
 * Internal (text.h): cs_date_parse (with the two-digit-year flag),
 *   cs_date_valid, cs_current_year, cs_ocr_digit, cs_match_word
 *
 * Formats, tried in this order at the start position:
 *   1. month name first:  March 14, 1952   Mar 14 1952   Mar. 14,1952
 *   2. day, month name:   14-Mar-1952   14 Mar 1952   14 March, 1952
 *                         14MAR1952   14MAR52 (run together, as many systems print)
 *   3. numeric, one separator from / - . used twice:
 *        four-digit first group:  1952-03-14  1952/03/14  (Y M D)
 *        otherwise:               03/14/1952  3/14/52  03-14-52  (M D Y, the
 *                                  US order; 14/03/1952 is rejected rather
 *                                  than guessed, as a wrong guess files a
 *                                  wrong birth date without a trace)
 * In numeric groups the letters O o I l | S s B Z z are read as digits,
 * at most two of them per date and never a whole group, so that a date
 * misread by OCR ("O3/l4/1952") still parses but words do not.
 *
 * Years: four-digit years must lie in the kind's window; two-digit years
 * take the latest century that puts them in it:
 *   birth dates     ref_year - 120 .. ref_year   ("03-14-52" in 2024 -> 1952,
 *                                                  "01-02-19" -> 2019)
 *   service dates   ref_year - 60 .. ref_year + 1 ("24" -> 2024, "75" -> 1975,
 *                                                  "50" in 2024 -> rejected)
 * The extraction (extract.c) further keeps a birth date no later than the
 * document's date of service, moving a two-digit year back a century.
 */
#include "indexer/text.h"

#include <string.h>
#include <time.h>

#define SERVICE_YEARS 60
#define BIRTH_YEARS   120
#define MAX_FIXES     2     /* OCR letter repairs allowed in one date */

char
cs_ocr_letter(int c)
{
    switch (c) {
    case '0': return 'O';
    case '1': return 'I';
    case '5': return 'S';
    case '8': return 'B';
    default: return 0;
    }
}

char
cs_ocr_digit(int c)
{
    switch (c) {
    case 'O': case 'o': return '0';
    case 'I': case 'l': case '|': return '1';
    case 'S': case 's': return '5';
    case 'B': return '8';
    case 'Z': case 'z': return '2';
    default: return 0;
    }
}

size_t
cs_match_word(const char *start, const char *s, const char *pattern)
{
    size_t i = 0;

    if (s > start && cs_is_alnum((unsigned char)s[-1]))
        return 0;
    for (const char *p = pattern; *p; p++) {
        if (*p == ' ') {
            if (s[i] != ' ' && s[i] != '\t')
                return 0;
            while (s[i] == ' ' || s[i] == '\t')
                i++;
        } else if (cs_lower((unsigned char)s[i]) != cs_lower((unsigned char)*p)) {
            return 0;
        } else {
            i++;
        }
    }
    if (i > 0 && cs_is_alpha((unsigned char)s[i - 1]) && cs_is_alpha((unsigned char)s[i]))
        return 0;
    return i;
}

int
cs_current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;

    if (gmtime_r(&now, &tm) == NULL)
        return 2000;
    return tm.tm_year + 1900;
}

int
cs_date_valid(int year, int month, int day)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    if (year < 1 || month < 1 || month > 12 || day < 1)
        return 0;
    return day <= days[month - 1] + (month == 2 && leap);
}

int
cs_date_cmp(const cs_date *a, const cs_date *b)
{
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}

/* Month names, longest spelling first within a month. */
static const struct { const char *name; int month; } MONTHS[] = {
    {"january", 1}, {"jan", 1}, {"february", 2}, {"feb", 2}, {"march", 3}, {"mar", 3},
    {"april", 4}, {"apr", 4}, {"may", 5}, {"june", 6}, {"jun", 6}, {"july", 7},
    {"jul", 7}, {"august", 8}, {"aug", 8}, {"september", 9}, {"sept", 9}, {"sep", 9},
    {"october", 10}, {"oct", 10}, {"november", 11}, {"nov", 11}, {"december", 12},
    {"dec", 12},
};

/* Month named at s (followed by a non-letter, then an optional '.'), or 0. */
static int
read_month(const char *s, size_t *len)
{
    for (size_t k = 0; k < sizeof MONTHS / sizeof *MONTHS; k++) {
        size_t n = strlen(MONTHS[k].name), i;
        for (i = 0; i < n && cs_lower((unsigned char)s[i]) == MONTHS[k].name[i]; i++)
            ;
        if (i == n && !cs_is_alpha((unsigned char)s[n])) {
            if (s[n] == '.')
                n++;
            *len = n;
            return MONTHS[k].month;
        }
    }
    return 0;
}

/*
 * Read a group of 1..maxd digits at s (OCR letters repaired, counted in
 * *fixes).  Returns the digit count (0: none) and the value in *v.  A
 * group may not continue with a letter or digit.  (text.h: evidence.c
 * reads date groups the same way.)
 */
int
cs_date_read_group(const char *s, int maxd, int *v, int *fixes)
{
    int n = 0, real = 0, value = 0;

    for (;; n++) {
        int c = (unsigned char)s[n], d;
        if (cs_is_digit(c)) {
            d = c - '0';
            real++;
        } else if (cs_ocr_digit(c) && (n > 0 || cs_is_digit((unsigned char)s[n + 1]) ||
                                       cs_ocr_digit((unsigned char)s[n + 1]))) {
            d = cs_ocr_digit(c) - '0';
        } else {
            break;
        }
        if (n == maxd)
            return 0;
        value = value * 10 + d;
    }
    if (n == 0 || real == 0 || cs_is_alnum((unsigned char)s[n]))
        return 0;
    *fixes += n - real;
    *v = value;
    return n;
}

/* cs_has_word: three letters in a row somewhere in s[0..len) (text.h). */
int
cs_has_word(const char *s, size_t len)
{
    size_t run = 0;

    for (size_t i = 0; i < len; i++) {
        run = cs_is_alpha((unsigned char)s[i]) ? run + 1 : 0;
        if (run >= 3)
            return 1;
    }
    return 0;
}

/*
 * The day of a date run together with its month name ("14MAR1952"): one
 * or two digits (an OCR letter among them repaired, counted in *fixes)
 * directly followed by a letter.  Returns the digit count, or 0.
 */
static int
glued_day(const char *s, int *v, int *repaired)
{
    int n = 0, real = 0, value = 0;

    for (; n < 2; n++) {
        int c = (unsigned char)s[n];
        if (cs_is_digit(c))
            real++;
        else if (!cs_ocr_digit(c) || (n == 0 && !cs_is_digit((unsigned char)s[1])))
            break;
        value = value * 10 + (cs_is_digit(c) ? c - '0' : cs_ocr_digit(c) - '0');
    }
    if (real == 0 || !cs_is_alpha((unsigned char)s[n]))
        return 0;
    *repaired = n - real;
    *v = value;
    return n;
}

/* Skip blanks, and a comma or a dash with blanks around it. */
static size_t
skip_separators(const char *s, int allow_comma)
{
    size_t i = 0;

    while (s[i] == ' ' || s[i] == '\t')
        i++;
    if ((allow_comma && s[i] == ',') || s[i] == '-' || s[i] == '/' || s[i] == '.')
        i++;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

/* Resolve the year; 0 when outside the window. */
static int
resolve_year(int year, int digits, cs_date_kind kind, int ref)
{
    int lo = kind == CS_DATE_BIRTH ? ref - BIRTH_YEARS : ref - SERVICE_YEARS;
    int hi = kind == CS_DATE_BIRTH ? ref : ref + 1;

    if (digits == 2) {
        int y = 2000 + year;
        if (y > hi)
            y -= 100;
        year = y;
    } else if (digits != 4) {
        return 0;
    }
    return year >= lo && year <= hi ? year : 0;
}

int
cs_date_parse(const char *s, cs_date_kind kind, int ref_year, cs_date *out,
              size_t *consumed, int *two_digit_year)
{
    int y = 0, m = 0, d = 0, yd = 0, fixes = 0, glued_fixes = 0, n;
    size_t i = 0, len;

    if (out)
        memset(out, 0, sizeof *out);
    if (consumed)
        *consumed = 0;
    if (two_digit_year)
        *two_digit_year = 0;
    if (!s || !out)
        return 0;
    if (ref_year <= 0)
        ref_year = cs_current_year();

    if ((m = read_month(s, &len)) != 0) {
        /* March 14, 1952 */
        i = len;
        while (s[i] == ' ' || s[i] == '\t')
            i++;
        if (i == len && s[i] != '-')
            return 0;
        if (s[i] == '-')
            i++;
        if ((n = cs_date_read_group(s + i, 2, &d, &fixes)) == 0)
            return 0;
        i += (size_t)n;
        i += skip_separators(s + i, 1);
        if ((yd = cs_date_read_group(s + i, 4, &y, &fixes)) == 0)
            return 0;
        i += (size_t)yd;
    } else if ((n = glued_day(s, &d, &glued_fixes)) > 0 && (m = read_month(s + n, &len)) != 0) {
        /* 14MAR1952, 14MAR 1952, 14MAR52: day, month and year run together */
        fixes += glued_fixes;
        i = (size_t)n + len;
        if (s[i] == ' ')
            i++;
        if ((yd = cs_date_read_group(s + i, 4, &y, &fixes)) == 0)
            return 0;
        i += (size_t)yd;
    } else {
        int g1, g2 = 0, d1 = 0;
        char sep;

        if ((d1 = cs_date_read_group(s, 4, &g1, &fixes)) == 0)
            return 0;
        i = (size_t)d1;
        if (d1 <= 2) {
            size_t j = i, k;
            while (s[j] == ' ' || s[j] == '\t' || s[j] == '-' || s[j] == '/' || s[j] == '.')
                j++;
            if (j > i && (m = read_month(s + j, &len)) != 0) {
                /* 14-Mar-1952, 14 March 1952 */
                d = g1;
                k = j + len;
                k += skip_separators(s + k, 1);
                if (k == j + len)
                    return 0;
                if ((yd = cs_date_read_group(s + k, 4, &y, &fixes)) == 0)
                    return 0;
                i = k + (size_t)yd;
                goto check;
            }
        }
        sep = s[i];
        if (sep != '/' && sep != '-' && sep != '.')
            return 0;
        i++;
        if ((n = cs_date_read_group(s + i, 2, &g2, &fixes)) == 0 || s[i + (size_t)n] != sep)
            return 0;
        i += (size_t)n + 1;
        if (d1 == 4) {
            y = g1;
            yd = 4;
            m = g2;
            if ((n = cs_date_read_group(s + i, 2, &d, &fixes)) == 0)
                return 0;
            i += (size_t)n;
        } else if (d1 <= 2) {
            m = g1;
            d = g2;
            if ((yd = cs_date_read_group(s + i, 4, &y, &fixes)) == 0)
                return 0;
            i += (size_t)yd;
        } else {
            return 0;
        }
        /* "03/14/1952/..." or "1952-03-14-7" is part of something else */
        if ((s[i] == sep) && cs_is_digit((unsigned char)s[i + 1]))
            return 0;
    }
check:
    if (fixes > MAX_FIXES || (yd != 2 && yd != 4))
        return 0;
    if ((y = resolve_year(y, yd, kind, ref_year)) == 0 || !cs_date_valid(y, m, d))
        return 0;
    out->year = y;
    out->month = m;
    out->day = d;
    if (consumed)
        *consumed = i;
    if (two_digit_year)
        *two_digit_year = yd == 2;
    return 1;
}

/*
 * cs_index_parse_date()
 *
 *      Input:  s (text positioned at the candidate date; NULL gives 0)
 *              kind (CS_DATE_BIRTH or CS_DATE_SERVICE: the year window)
 *              ref_year (the year dates are judged against; <= 0: now)
 *              out (out: the date, zeroed when none)
 *              consumed (out: bytes of s used; use NULL to skip)
 *      Return: 1 when a valid date starts at s, else 0
 *
 *  Notes:
 *      (1) The caller makes sure s is at a token start: "103/14/1952"
 *          parsed from its second byte would be read as a date.
 *      (2) The file comment lists formats and the two-digit-year rule.
 */
int
cs_index_parse_date(const char *s, cs_date_kind kind, int ref_year, cs_date *out,
                    size_t *consumed)
{
    return cs_date_parse(s, kind, ref_year, out, consumed, NULL);
}

/*
 * text.h — internal to indexer/: small text helpers shared by the field
 * extraction, separation and matching files (character classes, label
 * patterns, OCR digit repair, the date parser with its century flag).
 * Not part of the module's public interface.
 */
#ifndef CS_INDEXER_TEXT_H
#define CS_INDEXER_TEXT_H

#include "indexer/indexer.h"

#include <stddef.h>

static inline int cs_is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int cs_is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int cs_is_alnum(int c) { return cs_is_digit(c) || cs_is_alpha(c); }
static inline int cs_is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static inline int cs_lower(int c) { return cs_is_upper(c) ? c - 'A' + 'a' : c; }
static inline int cs_upper(int c) { return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c; }

/* Digit an OCR engine may have read as this letter (O/o, I/l/|, S/s, B, Z/z), or 0. */
char cs_ocr_digit(int c);
/* The other way: the letter an OCR engine may have read as this digit (0, 1, 5, 8), or 0. */
char cs_ocr_letter(int c);

/*
 * Length of pattern matched at s, or 0.  In a pattern ' ' matches one or
 * more blanks (space, tab); other bytes match themselves ignoring case.
 * A match must start at a word boundary (s == start or s[-1] not alnum)
 * and, when the pattern ends in a letter, not run into another letter.
 */
size_t cs_match_word(const char *start, const char *s, const char *pattern);

/* cs_index_parse_date, also telling whether the year had two digits. */
int cs_date_parse(const char *s, cs_date_kind kind, int ref_year, cs_date *out,
                  size_t *consumed, int *two_digit_year);

/* A group of 1..maxd digits at s, OCR letters repaired (counted in *fixes):
 * its length (0: none) and value in *v (dates.c). */
int cs_date_read_group(const char *s, int maxd, int *v, int *fixes);

/* Does s[0..len) hold a word: three letters in a row (dates.c)? */
int cs_has_word(const char *s, size_t len);

/* qsort order of word pointers (const cs_index_word *): block, line, x (extract.c). */
int cs_word_reading_order(const void *a, const void *b);

/* Is the date a real calendar date (1..12, day within the month, leap years)? */
int cs_date_valid(int year, int month, int day);

/* The current year from the clock, for ref_year <= 0. */
int cs_current_year(void);

#endif

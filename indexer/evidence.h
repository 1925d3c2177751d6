/*
 * evidence.h — internal to indexer/: the layout of a cs_evidence, shared
 * by evidence.c (which builds it from the pages) and verify.c (which
 * searches it for one roster candidate's identifiers).  Not part of the
 * module's public interface.
 */
#ifndef CS_INDEXER_EVIDENCE_H
#define CS_INDEXER_EVIDENCE_H

#include "indexer/text.h"

/* Zones of a line (bits). */
#define EV_ZONE_HEADER 1u    /* top of the first page, top band of later ones */
#define EV_ZONE_FOOTER 2u    /* bottom band of a page */

/* One recognised word (or, without word boxes, one blank-separated run). */
typedef struct ev_word {
    int page;                /* index into the pages given */
    int line;                /* index into cs_evidence.lines */
    int x, y, w, h;          /* 0 when the page had no boxes */
    size_t off, len;         /* its text in the line's string */
} ev_word;

/* One text line of a page, in reading order. */
typedef struct ev_line {
    int page;
    unsigned zone;
    int yc;                  /* vertical centre in pixels (line number without boxes) */
    int height;              /* typical word height (1 without boxes) */
    size_t first_word, nwords;
    size_t text;             /* offset of its string (words joined by one blank) in strings */
} ev_line;

/* A name token: a run of letters of one word, upper case, OCR-folded. */
typedef struct ev_token {
    char s[CS_NAME_MAX];
    size_t len;
    size_t word;
} ev_token;

/* An MRN-like token: 6 to 12 characters, OCR letters read as digits. */
typedef struct ev_number {
    char s[CS_MRN_MAX];
    size_t word_first, word_last;
} ev_number;

/*
 * A date-like group on a line: the three numbers as printed (a month
 * name read as its number), or a date the parser read.  verify.c decides
 * which readings a candidate's birth date may take.
 */
typedef struct ev_dategroup {
    int a, b, c;             /* numeric groups in print order */
    int c_digits;            /* digits of the third group (2 or 4) */
    int a_digits;
    int named_month;         /* 1: cs_date_parse read a month name */
    char compact[9];         /* a run of 6 or 8 digits ("19520314", "031452"), or "" */
    cs_date parsed;          /* a parsed reading, all 0 when none */
    int parsed_two_digit;
    size_t word_first, word_last;
} ev_dategroup;

struct cs_evidence {
    int ref_year;
    ev_line *lines;
    size_t nlines;
    ev_word *words;
    size_t nwords;
    ev_token *tokens;        /* in word order */
    size_t ntokens;
    ev_number *numbers;
    size_t nnumbers;
    ev_dategroup *dates;
    size_t ndates;
    char *strings;           /* every line's text, NUL-terminated one after another */
    size_t strings_len;
};

/* Upper-case letters of s, OCR-folded (0 1 5 8 | as letters, L as I), at most cap - 1. */
size_t cs_ev_fold_name(const char *s, char *out, size_t cap);

#endif

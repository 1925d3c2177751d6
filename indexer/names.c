/*
 * names.c — the patient's name in OCR text.
 *
 * Interface routines:
 *   cs_index_find_name    first patient name, labelled or in a header line
 *
 * Labelled: a label at a word start — Patient Name, Pt Name, Patient,
 * Name, Re, Pt (any case; after "Patient" or "Pt" a word one letter away
 * from "Name", as OCR misreads it: "NAMF") — then ':' (or ';' as OCR reads
 * it, or '-'; "Patient Name" may also be followed by blanks only), then
 * the value up to the end of the line, a tab, two blanks, a digit or '#',
 * or the next field label (MRN, DOB, ...).
 * The value is read as
 *   LAST, FIRST [MIDDLE]      ("SMITH, JOHN A", "O'Brien, Mary-Ann")
 *   FIRST [M.] LAST           ("John A. Smith", "MARY SMITH")
 * with courtesy titles (Mr, Mrs, Ms, Miss, Dr) and suffixes (Jr, Sr, II,
 * III, IV) dropped.  Every name word must start with a capital letter and
 * hold only letters, apostrophes and hyphens, so "Patient: the patient
 * is ..." is not a name.  Words of document titles (REPORT, SUMMARY, ...)
 * are refused as names.
 *
 * OCR tolerance in the value, without admitting garbage: a lone 0 1 5 8
 * between name words is the initial O I S B ("LUCAN 0. DUNLOWE"); and
 * once a whole name has been read (two words, the first name after a
 * comma), a noise byte (a symbol or non-ASCII) ends the value, so that
 * "Ivesfield, Harriet §S" is IVESFIELD, HARRIET.  Noise before that
 * still refuses the value.
 *
 * Unlabelled (labelled_only = 0): a line whose first words are
 * "LAST, FIRST [M]" and which also carries an MRN ('#' or an MRN label)
 * or a birth-date label: the usual header line "SMITH, JOHN  #48213377";
 * or a line that is only "First [M.] Last" followed by blanks and '#'
 * with a number: "Wren W. Langlowe   #73640069".  Requiring the number
 * keeps "Boston, Massachusetts" out.
 *
 * Output is upper case.  Nothing here logs: names are patient data.
 */
#include "indexer/text.h"

#include <string.h>

#define WORDS_MAX 6

static const char *const NAME_LABELS[] = {
    "patient name", "pt name", "patient", "name", "re", "pt",
};

/* Labels that end a name value on the same line. */
static const char *const STOP_LABELS[] = {
    "mrn", "mr", "med rec", "medical record", "unit", "dob", "d.o.b", "date",
    "birth", "born", "sex", "age", "acct", "account", "dos", "room", "gender",
    "visit", "encounter", "admit", "physician", "provider", "attending",
    "ssn", "page", "location",
};

/* Words that are never part of a name. */
static const char *const NOT_NAMES[] = {
    "report", "summary", "note", "history", "physical", "patient", "name",
    "discharge", "operative", "radiology", "progress", "emergency",
    "department", "consultation", "letter", "date", "the", "and", "of",
    "record", "medical", "unknown", "none", "see", "above", "is", "was",
};

static const char *const TITLES[] = {"mr", "mrs", "ms", "miss", "dr", "mx"};
static const char *const SUFFIXES[] = {"jr", "sr", "ii", "iii", "iv"};

typedef struct word {
    const char *s;
    size_t len;
} word;

static int
word_is(const word *w, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(list[k]) == w->len) {
            size_t i;
            for (i = 0; i < w->len && cs_lower((unsigned char)w->s[i]) == list[k][i]; i++)
                ;
            if (i == w->len)
                return 1;
        }
    return 0;
}

/* Length of a stop label at s (a word start), or 0. */
static int
at_stop_label(const char *line, const char *s)
{
    for (size_t k = 0; k < sizeof STOP_LABELS / sizeof *STOP_LABELS; k++)
        if (cs_match_word(line, s, STOP_LABELS[k]))
            return 1;
    return 0;
}

/* A byte OCR makes of specks and smudges: a symbol or non-ASCII. */
static int
is_noise(int c)
{
    return c >= 0x80 || (c && strchr("~`^*_=+<>{}[]\\\"!?@$%", c) != NULL);
}

/* Is s[i] a lone digit standing for an initial: " 0. ", " 0 X", " 0" at the end? */
static int
digit_initial(const char *s, size_t i)
{
    unsigned char next = (unsigned char)s[i + 1];

    return cs_ocr_letter((unsigned char)s[i]) && i >= 2 && s[i - 1] == ' ' &&
           cs_is_alpha((unsigned char)s[i - 2]) &&
           (next == '.' || next == '\0' || next == '\n' || next == '\r' ||
            (next == ' ' && (cs_is_alpha((unsigned char)s[i + 2]) || s[i + 2] == ' ' ||
                             s[i + 2] == '\n' || s[i + 2] == '\0')));
}

/*
 * Split the value s[0..len) into name words (and note where the comma
 * is).  Stops at a stop label.  Returns the word count, or -1 when
 * something other than a name word is met before the end.
 */
static int
split_words(const char *line, const char *s, size_t len, word *w, int *comma_after)
{
    size_t i = 0;
    int n = 0;

    *comma_after = -1;
    while (i < len) {
        size_t st;
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '.') {
            i++;
            continue;
        }
        if (s[i] == ',') {
            if (*comma_after >= 0 || n == 0)
                return -1;
            *comma_after = n;
            i++;
            continue;
        }
        if (!cs_is_alpha((unsigned char)s[i])) {
            /* noise after a whole name ends it; anywhere else refuses it */
            if (is_noise((unsigned char)s[i]) && n >= 2 && *comma_after >= 0 &&
                n > *comma_after)
                break;
            return -1;
        }
        if (at_stop_label(line, s + i))
            break;
        st = i;
        while (i < len && (cs_is_alpha((unsigned char)s[i]) || s[i] == '\'' || s[i] == '-'))
            i++;
        if (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != ',' && s[i] != '.')
            return -1;
        if (n == WORDS_MAX)
            return -1;
        w[n].s = s + st;
        w[n].len = i - st;
        n++;
    }
    return n;
}

static void
copy_upper(char *dst, const word *w)
{
    size_t n = w->len < CS_NAME_MAX - 1 ? w->len : CS_NAME_MAX - 1;

    for (size_t i = 0; i < n; i++)
        dst[i] = (char)cs_upper((unsigned char)w->s[i]);
    dst[n] = '\0';
}

/* Join words w[0..n) with blanks, upper case. */
static void
join_upper(char *dst, const word *w, int n)
{
    size_t len = 0;

    dst[0] = '\0';
    for (int k = 0; k < n; k++) {
        for (size_t i = 0; i < w[k].len && len + 2 < CS_NAME_MAX; i++)
            dst[len++] = (char)cs_upper((unsigned char)w[k].s[i]);
        if (k + 1 < n && len + 2 < CS_NAME_MAX)
            dst[len++] = ' ';
    }
    dst[len] = '\0';
}

/* Parse a value into last, first, middle; 1 on success. */
static int
parse_value(const char *line, const char *s, size_t len, char *last, char *first,
            char *middle)
{
    word w[WORDS_MAX], clean[WORDS_MAX];
    int n, comma, m = 0, k, clean_comma = -1;

    if ((n = split_words(line, s, len, w, &comma)) < 2)
        return 0;
    for (k = 0; k < n; k++) {
        if (word_is(&w[k], TITLES, sizeof TITLES / sizeof *TITLES) ||
            word_is(&w[k], SUFFIXES, sizeof SUFFIXES / sizeof *SUFFIXES))
            continue;
        if (!cs_is_upper((unsigned char)w[k].s[0]) ||
            word_is(&w[k], NOT_NAMES, sizeof NOT_NAMES / sizeof *NOT_NAMES))
            return 0;
        if (k < comma)
            clean_comma = m + 1;     /* clean words before the comma */
        clean[m++] = w[k];
    }
    if (m < 2 || m > 4)
        return 0;
    middle[0] = '\0';
    if (clean_comma > 0) {
        /* LAST [LAST2], FIRST [MIDDLE] */
        if (clean_comma >= m)
            return 0;
        join_upper(last, clean, clean_comma);
        copy_upper(first, &clean[clean_comma]);
        if (clean_comma + 1 < m)
            join_upper(middle, clean + clean_comma + 1, m - clean_comma - 1);
    } else {
        /* FIRST [MIDDLE] LAST */
        copy_upper(first, &clean[0]);
        copy_upper(last, &clean[m - 1]);
        if (m > 2)
            join_upper(middle, clean + 1, m - 2);
    }
    return strlen(last) >= 2 && strlen(first) >= 1;
}

/* End of a name value starting at s: line end, tab, two blanks, digit, '#'. */
static size_t
value_length(const char *s)
{
    size_t i = 0;

    while (s[i] && s[i] != '\n' && s[i] != '\r' && s[i] != '\t' && s[i] != '#' &&
           !(cs_is_digit((unsigned char)s[i]) && !digit_initial(s, i)) &&
           !(s[i] == ' ' && s[i + 1] == ' ') && s[i] != '(' && s[i] != '|' && s[i] != ';')
        i++;
    while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == ','))
        i--;
    return i;
}

/* Copy the value s[0..len) into buf (cap bytes) with lone-digit initials as letters. */
static size_t
repair_value(const char *s, size_t len, char *buf, size_t cap)
{
    size_t n = len < cap - 1 ? len : cap - 1;

    for (size_t i = 0; i < n; i++)
        buf[i] = cs_is_digit((unsigned char)s[i]) && digit_initial(s, i) ?
                 cs_ocr_letter((unsigned char)s[i]) : s[i];
    buf[n] = '\0';
    return n;
}

/* Parse the value at s (up to value_length) after repairing it; 1 on success. */
static int
parse_at(const char *s, char *last, char *first, char *middle)
{
    char buf[4 * CS_NAME_MAX];
    size_t len = repair_value(s, value_length(s), buf, sizeof buf);

    return parse_value(buf, buf, len, last, first, middle);
}

/* Is the word at s one OCR edit (a substituted letter) from "name"? */
static size_t
near_name_word(const char *s)
{
    static const char NAME[] = "name";
    size_t i, same = 0;

    for (i = 0; i < 4; i++) {
        if (!cs_is_alpha((unsigned char)s[i]))
            return 0;
        same += cs_lower((unsigned char)s[i]) == NAME[i];
    }
    return !cs_is_alpha((unsigned char)s[4]) && same >= 3 ? 4 : 0;
}

/* Is the name value at s followed by blanks, '#' and a digit: "Wren W. Langlowe   #7364"? */
static int
hash_number_follows(const char *s)
{
    size_t i = value_length(s);

    if (i == 0)
        return 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return s[i] == '#' && cs_is_digit((unsigned char)s[i + 1]);
}

/* Does the rest of the line carry an MRN or birth-date marker? */
static int
line_has_identifier(const char *line, const char *s)
{
    static const char *const MARKERS[] = {"mrn", "mr", "med rec", "unit no", "dob",
                                          "d.o.b", "birth", "born"};

    for (; *s && *s != '\n'; s++) {
        if (*s == '#')
            return 1;
        for (size_t k = 0; k < sizeof MARKERS / sizeof *MARKERS; k++)
            if (cs_match_word(line, s, MARKERS[k]))
                return 1;
    }
    return 0;
}

/*
 * cs_index_find_name()
 *
 *      Input:  text (NUL-terminated; NULL gives 0)
 *              labelled_only (1: only after a name label)
 *              last, first, middle (out: CS_NAME_MAX bytes each, upper case)
 *              labelled (out: 1 when found after a label; use NULL to skip)
 *      Return: 1 when a name was found, else 0
 *
 *  Notes:
 *      (1) Labelled names anywhere in text win over unlabelled header
 *          lines; within each kind the first in the text wins.
 */
int
cs_index_find_name(const char *text, int labelled_only, char *last, char *first,
                   char *middle, int *labelled)
{
    const char *line, *s;

    if (labelled)
        *labelled = 0;
    if (!text || !last || !first || !middle)
        return 0;
    last[0] = first[0] = middle[0] = '\0';

    for (line = text; *line; ) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        for (s = line; s < end; s++) {
            for (size_t k = 0; k < sizeof NAME_LABELS / sizeof *NAME_LABELS; k++) {
                size_t n = cs_match_word(line, s, NAME_LABELS[k]), j = n, near;
                if (!n)
                    continue;
                while (s[j] == ' ' || s[j] == '\t')
                    j++;
                /* "PATIENT NAMF:": the label Patient Name misread */
                if ((k == 2 || k == 5) && j > n && (near = near_name_word(s + j)) != 0) {
                    size_t m = j + near;
                    while (s[m] == ' ' || s[m] == '\t')
                        m++;
                    if (s[m] == ':' || s[m] == ';')
                        j = m;
                }
                if (s[j] == ':' || s[j] == '-' || s[j] == ';')
                    j++;
                else if (k != 0 || j == n)
                    continue;
                while (s[j] == ' ' || s[j] == '\t')
                    j++;
                if (parse_at(s + j, last, first, middle)) {
                    if (labelled)
                        *labelled = 1;
                    return 1;
                }
                break;
            }
        }
        line = *end ? end + 1 : end;
    }
    if (labelled_only)
        return 0;

    for (line = text; *line; ) {
        const char *end = strchr(line, '\n'), *comma;
        if (!end)
            end = line + strlen(line);
        s = line;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        comma = memchr(s, ',', (size_t)(end - s));
        if (comma && comma - s < CS_NAME_MAX && cs_is_upper((unsigned char)*s) &&
            line_has_identifier(line, comma)) {
            size_t len = value_length(s);
            /* LAST, FIRST only: the comma must be inside the value */
            if (s + len > comma && parse_at(s, last, first, middle) && strchr(last, ' ') == NULL)
                return 1;
            last[0] = first[0] = middle[0] = '\0';
        } else if ((!comma || comma >= s + value_length(s)) && cs_is_upper((unsigned char)*s) &&
                   hash_number_follows(s)) {
            if (parse_at(s, last, first, middle) && strchr(last, ' ') == NULL)
                return 1;
            last[0] = first[0] = middle[0] = '\0';
        }
        line = *end ? end + 1 : end;
    }
    return 0;
}

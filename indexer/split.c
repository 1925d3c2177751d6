/*
 * split.c — document separation: which pages of one source file (a chart
 * stack scanned without separator sheets) form which document.
 *
 * Interface routines:
 *   cs_index_split     page -> document, documents as ranges, reasons
 *   cs_split_free
 *
 * Each non-blank page is read once for its signals (page_signals):
 *   - "Page n of m" / "Page n/m" / "Pg n of m", or "Page n" alone;
 *   - a continuation mark near the top: "(continued)", "cont'd", "cont.";
 *   - a known document title at the start of one of its first lines
 *     (DISCHARGE SUMMARY, OPERATIVE REPORT, ...), or an all-capitals
 *     heading near the top followed by a patient header block;
 *   - a letter's opening near the top: a salutation "Dear X" or a subject
 *     line "Re: X" beginning one of its first LETTER_LINES lines (letters
 *     print no title, and their letterhead is in mixed case);
 *   - its fields (cs_index_extract_fields on the page alone).
 *
 * Then the pages are walked in order; a page starts a new document at the
 * first rule that says so, and continues the current one at the first
 * rule that says so:
 *   1. the first non-blank page                          "first page"
 *   2. labelled MRN differs from the document's          "different MRN"
 *      (or, with no MRN on one side, both the labelled last and first
 *      names differ)                                     "different patient name"
 *   3. "Page 1 of m"                                     "page 1 of m"
 *      "Page k of m", k >= 2, following its page k-1     continue
 *      the previous page was "Page m of m"               "previous document complete"
 *   4. a continuation mark, or "Page k" (k >= 2), or     continue
 *      the page opens mid-sentence (its first line is
 *      prose starting with a lower-case word: the text
 *      flows on from the page before, and nothing above
 *      it can be a title or a header)
 *   5. labelled date of service differs                  "different date of service"
 *   6. a known title                                     "document title"
 *      a letter's opening                                "letter opening"
 *      an all-capitals heading + patient header block,
 *      not already on the document's first page (a
 *      letterhead repeated on every page is not a title) "document heading"
 *      title words (titles.c's vocabulary) naming a type
 *      surely, + patient header block, and not the type
 *      the document's first page named                   "document title words"
 *   7. the page opens with an identifier block whose
 *      dates (birth, service, admission, under any label
 *      or none) and those of the document's first page
 *      each hold one the other does not: the same
 *      patient's next encounter                          "different dates in the header"
 *   8. after a blank page, unless the file is duplex     "after a blank page"
 *   9. otherwise                                         continue
 *
 * A separator sheet (pages[i].separator: a cover sheet or another system's
 * separator, found by its barcode) belongs to no document either, and
 * the next non-blank page starts one                     "separator sheet"
 * whatever the rules above say: the clerk who put the sheet there knew.
 *
 * Blank pages belong to no document (page_document = -1).  A blank page
 * usually ends a document; but when every blank page sits at an odd
 * index and there are at least two, the file is a duplex scan with empty
 * back sides, and blanks say nothing about boundaries.
 *
 * A patient change is checked before page numbers: a page of another
 * patient never continues a document, whatever its footer says, because
 * a merged document would file that page to the wrong patient.
 */
#include "indexer/text.h"
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#define TITLE_LINES     6     /* non-empty lines searched for a title */
#define HEADING_LINES   4     /* ... for an all-capitals heading */
#define HEADER_LINES    15    /* ... for a patient header block */
#define TITLE_SLACK     25    /* bytes a title line may carry after the title */
#define HEADING_MAX     64
#define LETTER_LINES    20    /* ... for a letter's "Dear" or "Re:" line */
#define NAME_DIFFERENT  0.80  /* Jaro-Winkler below this: another name */
#define LINE_KEEP       161   /* bytes of a top line kept for its title words */
#define TITLE_WORDS_SURE 0.9  /* title-word posterior that names a type */
#define DATE_LINES      8     /* lines with a word searched for header dates */
#define HEADER_DATES    8     /* header dates kept per page */
#define PROSE_WORDS     5     /* lower-case words that make a line a sentence */

static const char *const KNOWN_TITLES[] = {
    "discharge summary", "operative report", "operative note", "operation report",
    "radiology report", "imaging report", "x-ray report", "ct report", "mri report",
    "progress note", "progress notes", "clinic note", "office visit", "office note",
    "history and physical", "history & physical", "history and physical examination",
    "h&p", "admission history and physical", "consultation", "consultation note",
    "consultation report", "consult note", "emergency department", "emergency room",
    "ed note", "er note", "emergency department record", "emergency department note",
    "procedure note", "procedure report", "pathology report", "discharge instructions",
};

static const char *const PATIENT_LABELS[] = {
    "patient", "name", "mrn", "mr", "med rec", "medical record", "dob", "d.o.b",
    "date of birth", "unit no", "re",
};

typedef struct page_signals {
    int page_no, page_of;        /* 0 when absent */
    int continued;               /* a continuation mark, or text flowing on */
    const char *title;           /* known title, or NULL */
    int letter;                  /* a letter's opening near the top */
    char heading[HEADING_MAX];   /* all-capitals heading with a header block, or "" */
    const char *title_type;      /* type the top lines' title words name, or NULL */
    cs_date dates[HEADER_DATES]; /* dates of the identifier block at the top */
    int ndates;
    cs_fields fields;
} page_signals;

/* Read a number at s (digits, with OCR letters for digits), or -1. */
static int
read_number(const char *s, size_t *len)
{
    int v = 0;
    size_t i = 0;

    while (i < 4 && (cs_is_digit((unsigned char)s[i]) ||
                     (i > 0 && cs_ocr_digit((unsigned char)s[i]) && !cs_is_alpha((unsigned char)s[i + 1])))) {
        v = v * 10 + (cs_is_digit((unsigned char)s[i]) ? s[i] - '0' : cs_ocr_digit((unsigned char)s[i]) - '0');
        i++;
    }
    if (i == 0 || cs_is_alnum((unsigned char)s[i]))
        return -1;
    *len = i;
    return v;
}

static size_t
skip_blanks(const char *s)
{
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    return i;
}

/* "Page n of m", "Page n/m", "Pg. n of m", "Page n". */
static void
find_page_number(const char *text, page_signals *p)
{
    static const char *const WORDS[] = {"page", "pg.", "pg"};

    for (const char *s = text; *s; s++) {
        for (size_t k = 0; k < sizeof WORDS / sizeof *WORDS; k++) {
            size_t n = cs_match_word(text, s, WORDS[k]), len;
            int no, of;
            if (!n)
                continue;
            n += skip_blanks(s + n);
            if ((no = read_number(s + n, &len)) <= 0)
                break;
            n += len;
            n += skip_blanks(s + n);
            if (s[n] == '/')
                n++;
            else if (cs_match_word(s, s + n, "of"))
                n += 2;
            else {
                if (!p->page_no) {
                    p->page_no = no;
                    p->page_of = 0;
                }
                break;
            }
            n += skip_blanks(s + n);
            if ((of = read_number(s + n, &len)) >= no && of > 0) {
                p->page_no = no;
                p->page_of = of;
                return;
            }
            break;
        }
    }
}

/* Next line of text: start, length; returns the following line. */
static const char *
next_line(const char *s, const char **start, size_t *len)
{
    const char *end = strchr(s, '\n');

    if (!end)
        end = s + strlen(s);
    *start = s;
    *len = (size_t)(end - s);
    return *end ? end + 1 : end;
}

static int
contains_word(const char *line, size_t len, const char *word)
{
    for (size_t i = 0; i < len; i++)
        if (cs_match_word(line, line + i, word) && i + strlen(word) <= len)
            return 1;
    return 0;
}

static int
has_patient_block(const char *text)
{
    const char *s = text, *line;
    size_t len;
    int lines = 0;

    while (*s && lines < HEADER_LINES) {
        s = next_line(s, &line, &len);
        lines++;
        for (size_t i = 0; i < len; i++)
            for (size_t k = 0; k < sizeof PATIENT_LABELS / sizeof *PATIENT_LABELS; k++) {
                size_t n = cs_match_word(line, line + i, PATIENT_LABELS[k]);
                if (n && i + n < len) {
                    size_t j = i + n + skip_blanks(line + i + n);
                    if (line[j] == ':' || line[j] == '#')
                        return 1;
                }
            }
    }
    return 0;
}

/* Does the line open a letter: "Dear X" or "Re: X" (';' read as ':')? */
static int
letter_line(const char *line, size_t len)
{
    size_t i = skip_blanks(line), n;

    if ((n = cs_match_word(line, line + i, "dear")) && i + n < len && line[i + n] == ' ') {
        i += n + skip_blanks(line + i + n);
        return i < len && cs_is_upper((unsigned char)line[i]);
    }
    if ((n = cs_match_word(line, line + i, "re")) && i + n < len &&
        (line[i + n] == ':' || line[i + n] == ';')) {
        i += n + 1;
        i += skip_blanks(line + i);
        return i < len && cs_is_alpha((unsigned char)line[i]);
    }
    return 0;
}

static void
find_letter(const char *text, page_signals *p)
{
    const char *s = text, *line;
    size_t len;
    int nonempty = 0;

    while (*s && nonempty < LETTER_LINES && !p->letter) {
        s = next_line(s, &line, &len);
        if (skip_blanks(line) >= len || line[skip_blanks(line)] == '\r')
            continue;
        nonempty++;
        p->letter = letter_line(line, len);
    }
}

static void
find_title(const char *text, page_signals *p)
{
    const char *s = text, *line;
    size_t len;
    int nonempty = 0, block = -1;

    while (*s && nonempty < TITLE_LINES) {
        size_t lead, i, letters = 0, lowers = 0, digits = 0;
        s = next_line(s, &line, &len);
        lead = skip_blanks(line);
        if (lead >= len || line[lead] == '\r')
            continue;
        nonempty++;
        if (contains_word(line, len, "continued") || contains_word(line, len, "cont'd") ||
            contains_word(line, len, "cont."))
            p->continued = 1;
        for (size_t k = 0; k < sizeof KNOWN_TITLES / sizeof *KNOWN_TITLES && !p->title; k++) {
            size_t n = cs_match_word(line, line + lead, KNOWN_TITLES[k]);
            if (n && len - lead <= n + TITLE_SLACK)
                p->title = KNOWN_TITLES[k];
        }
        if (p->heading[0] || nonempty > HEADING_LINES)
            continue;
        for (i = lead; i < len; i++) {
            unsigned char c = (unsigned char)line[i];
            letters += cs_is_alpha(c);
            lowers += c >= 'a' && c <= 'z';
            digits += cs_is_digit(c) || c == ':' || c == '#';
        }
        if (letters >= 8 && lowers == 0 && digits == 0 && len - lead < HEADING_MAX) {
            if (block < 0)
                block = has_patient_block(text);
            if (block) {
                size_t n = len - lead;
                while (n > 0 && (line[lead + n - 1] == ' ' || line[lead + n - 1] == '\r'))
                    n--;
                memcpy(p->heading, line + lead, n);
                p->heading[n] = '\0';
            }
        }
    }
}

/*
 * Copy the first nlines lines of text into top (cap bytes, each line cut
 * to LINE_KEEP - 1), counting only lines that hold a word when words_only.
 * Returns the bytes copied.
 */
static size_t
top_lines(const char *text, int nlines, int words_only, char *top, size_t cap)
{
    const char *s = text, *line;
    size_t len, used = 0;
    int kept = 0;

    while (*s && kept < nlines && used + LINE_KEEP + 1 <= cap) {
        s = next_line(s, &line, &len);
        if (words_only && !cs_has_word(line, len))
            continue;
        kept++;
        if (len > LINE_KEEP - 1)
            len = LINE_KEEP - 1;
        memcpy(top + used, line, len);
        used += len;
        top[used++] = '\n';
    }
    top[used] = '\0';
    return used;
}

/*
 * An identifier block without labels (a sticker, values above their
 * labels): an MRN-like number among the first HEADER_LINES lines.
 */
static int
has_number_block(const char *text)
{
    char top[HEADER_LINES * (LINE_KEEP + 1) + 1];
    cs_mrn_candidate c[1];

    top_lines(text, HEADER_LINES, 0, top, sizeof top);
    return cs_index_find_mrns(top, c, 1) > 0;
}

/*
 * A title never seen whole ("BRIEF OP NOTE", "CT ABDOMEN WITH CONTRAST"):
 * the words of a title line among the first HEADING_LINES lines name one
 * type with at least TITLE_WORDS_SURE of the title-word posterior (a
 * word of the built-in vocabulary that names a type on its own), and the
 * page carries a patient header block, labelled or only an MRN-like
 * number near the top.  A section heading of a later page ("DISCHARGE
 * MEDICATIONS:") ends in a colon and is no title line.
 */
static void
find_title_words(const cs_titles *vocabulary, const char *text, page_signals *p)
{
    char top[HEADING_LINES * (LINE_KEEP + 1) + 1];
    cs_prediction pred;

    if (vocabulary && top_lines(text, HEADING_LINES, 1, top, sizeof top) &&
        cs_index_title_words(vocabulary, NULL, top, &pred, 1) == 1 &&
        pred.confidence >= TITLE_WORDS_SURE && (has_patient_block(text) || has_number_block(text)))
        p->title_type = pred.label;
}

/* Is the line a sentence: PROSE_WORDS words of lower-case letters? */
static int
prose_line(const char *line, size_t len)
{
    int words = 0;

    for (size_t i = 0; i < len; i++) {
        size_t k = i;
        if (i > 0 && cs_is_alnum((unsigned char)line[i - 1]))
            continue;
        while (k < len && line[k] >= 'a' && line[k] <= 'z')
            k++;
        if (k - i >= 2 && (k == len || !cs_is_alnum((unsigned char)line[k])))
            words++;
    }
    return words >= PROSE_WORDS;
}

/*
 * The dates of a page's identifier block: every date on the first
 * DATE_LINES lines holding a word, sentences skipped (a continuation
 * page's body may start near the top, and its dates are the story's, not
 * the document's), when the page opens with an identifier block.  A
 * chart stack's next document of the same patient prints the same birth
 * date but another date of service, admission or visit, under whatever
 * label, or none (a sticker); a continuation page's running header
 * repeats its document's.
 */
static void
find_header_dates(const char *text, int ref_year, page_signals *p)
{
    char top[DATE_LINES * (LINE_KEEP + 1) + 1];
    const char *s = top, *line;
    size_t len;

    if (!has_patient_block(text) && !has_number_block(text))
        return;
    top_lines(text, DATE_LINES, 1, top, sizeof top);
    while (*s && p->ndates < HEADER_DATES) {
        s = next_line(s, &line, &len);
        if (prose_line(line, len))
            continue;
        for (size_t i = 0; i < len && p->ndates < HEADER_DATES; i++) {
            cs_date dt;
            size_t used;
            if (i > 0 && cs_is_alnum((unsigned char)line[i - 1]))
                continue;
            if (!cs_is_alnum((unsigned char)line[i]) ||
                !cs_date_parse(line + i, CS_DATE_BIRTH, ref_year, &dt, &used, NULL) ||
                i + used > len)
                continue;
            p->dates[p->ndates++] = dt;
            i += used - 1;
        }
    }
}

/* Does a hold a date that b does not? */
static int
has_other_date(const page_signals *a, const page_signals *b)
{
    for (int i = 0; i < a->ndates; i++) {
        int k = 0;
        while (k < b->ndates && cs_date_cmp(&a->dates[i], &b->dates[k]) != 0)
            k++;
        if (k == b->ndates)
            return 1;
    }
    return 0;
}

/*
 * Does the page open mid-sentence: is its first line holding a word a
 * sentence (prose_line) beginning with a lower-case word of two letters
 * or more?  Speckle read as a letter ("e Dunmore-Norlow") is no word of
 * a sentence, and a page whose text starts in lower case without being
 * prose (a label, a name) is not taken as flowing on.
 */
static int
flows_on(const char *text)
{
    const char *s = text, *line;
    size_t len, i = 0;

    while (*s) {
        s = next_line(s, &line, &len);
        if (cs_has_word(line, len))
            break;
        len = 0;
    }
    if (!len)
        return 0;
    i = skip_blanks(line);
    if (i + 1 >= len || !(line[i] >= 'a' && line[i] <= 'z') || !(line[i + 1] >= 'a' && line[i + 1] <= 'z'))
        return 0;
    return prose_line(line, len);
}

static void
page_signals_read(const cs_index_page *page, const cs_titles *vocabulary, int ref_year,
                  page_signals *p)
{
    const char *text = page->text ? page->text : "";

    memset(p, 0, sizeof *p);
    find_page_number(text, p);
    if (p->page_no >= 2 && p->page_of == 0)
        p->continued = 1;
    if (flows_on(text))
        p->continued = 1;
    find_title(text, p);
    find_letter(text, p);
    if (!p->title && !p->letter)
        find_title_words(vocabulary, text, p);
    find_header_dates(text, ref_year, p);
    cs_index_extract_fields(page, 1, ref_year, &p->fields);
}

/* The identity a document has collected so far. */
typedef struct doc_state {
    char mrn[CS_MRN_MAX];
    char last[CS_NAME_MAX], first[CS_NAME_MAX];
    cs_date service;
    const char *first_text;
    const char *first_title_type;   /* the title words of its first page */
    const page_signals *first_page, *prev;
} doc_state;

static void
doc_absorb(doc_state *d, const page_signals *p)
{
    const cs_fields *f = &p->fields;

    if (!d->mrn[0] && f->mrn_info.labelled)
        memcpy(d->mrn, f->mrn, sizeof d->mrn);
    if (!d->last[0] && f->name_info.labelled) {
        memcpy(d->last, f->last, sizeof d->last);
        memcpy(d->first, f->first, sizeof d->first);
    }
    if (!d->service.year && f->service_info.labelled)
        d->service = f->service;
    d->prev = p;
}

/* Why page p starts a new document, or NULL when it continues d. */
static const char *
boundary(const doc_state *d, const page_signals *p, int after_blank)
{
    const cs_fields *f = &p->fields;
    const page_signals *prev = d->prev;

    if (f->mrn_info.labelled && d->mrn[0] && strcmp(f->mrn, d->mrn) != 0)
        return "different MRN";
    if ((!f->mrn_info.labelled || !d->mrn[0]) && f->name_info.labelled && d->last[0] &&
        cs_jaro_winkler(f->last, d->last) < NAME_DIFFERENT &&
        cs_jaro_winkler(f->first, d->first) < NAME_DIFFERENT)
        return "different patient name";
    if (p->page_no == 1 && p->page_of >= 1)
        return "page 1 of m";
    if (p->page_no >= 2 && p->page_of > 0 &&
        (prev->page_no == 0 || (prev->page_of == p->page_of && prev->page_no == p->page_no - 1)))
        return NULL;
    if (prev->page_of > 0 && prev->page_no == prev->page_of)
        return "previous document complete";
    if (p->continued)
        return NULL;
    if (f->service_info.labelled && d->service.year && cs_date_cmp(&f->service, &d->service) != 0)
        return "different date of service";
    if (p->title)
        return "document title";
    if (p->letter)
        return "letter opening";
    if (p->heading[0] && !(d->first_text && strstr(d->first_text, p->heading)))
        return "document heading";
    if (p->title_type && p->title_type != d->first_title_type)
        return "document title words";
    if (d->first_page && has_other_date(p, d->first_page) && has_other_date(d->first_page, p))
        return "different dates in the header";
    if (after_blank)
        return "after a blank page";
    return NULL;
}

/*
 * cs_index_split()
 *
 *      Input:  pages, n (one source file's pages in order; n may be 0)
 *              ref_year (for the dates compared; <= 0: this year)
 *              out (out: the split; release with cs_split_free)
 *              err, errlen (message buffer; err may be NULL)
 *      Return: 0, or -1 with a message (NULL argument, too many pages,
 *              out of memory)
 *
 *  Notes:
 *      (1) Every page is either in exactly one document or blank:
 *          nothing is dropped.  Documents are contiguous ranges of the
 *          non-blank pages, in page order.
 *      (2) documents[i].reason says why document i starts where it does.
 *      (3) Cost: one field extraction per page.
 */
int
cs_index_split(const cs_index_page *pages, size_t n, int ref_year, cs_split *out,
               char *err, size_t errlen)
{
    page_signals *sig = NULL;
    cs_titles *vocabulary = NULL;
    doc_state d;
    size_t i, nblank = 0;
    int duplex = 1, after_blank = 0, after_separator = 0, rc = -1;

    if (!out)
        return cs_fail(err, errlen, "no split result to fill");
    memset(out, 0, sizeof *out);
    if (!pages && n)
        return cs_fail(err, errlen, "no pages");
    if (n > CS_MAX_PAGES_PER_FILE)
        return cs_fail(err, errlen, "%zu pages exceed the limit of %d per file", n,
                       CS_MAX_PAGES_PER_FILE);
    if (n == 0)
        return 0;
    if (ref_year <= 0)
        ref_year = cs_current_year();
    sig = calloc(n, sizeof *sig);
    out->page_document = malloc(n * sizeof *out->page_document);
    out->documents = calloc(n, sizeof *out->documents);
    if (!sig || !out->page_document || !out->documents) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    out->npages = n;
    /* the built-in title vocabulary; without memory for it, no title words */
    if (cs_titles_new(&vocabulary, NULL, 0) < 0)
        vocabulary = NULL;
    for (i = 0; i < n; i++)
        if (pages[i].blank) {
            nblank++;
            duplex &= (i % 2 == 1);
        }
    duplex = duplex && nblank >= 2;
    out->nblank = nblank;

    memset(&d, 0, sizeof d);
    for (i = 0; i < n; i++) {
        const char *why;
        cs_index_document *doc;

        if (pages[i].blank) {
            out->page_document[i] = -1;
            after_blank = !duplex;
            continue;
        }
        if (pages[i].separator) {
            out->page_document[i] = -1;
            after_separator = 1;
            continue;
        }
        page_signals_read(&pages[i], vocabulary, ref_year, &sig[i]);
        why = after_separator ? "separator sheet"
            : out->ndocuments == 0 ? "first page" : boundary(&d, &sig[i], after_blank);
        if (why) {
            doc = &out->documents[out->ndocuments++];
            doc->first = i;
            doc->reason = why;
            memset(&d, 0, sizeof d);
            d.first_text = pages[i].text;
            d.first_title_type = sig[i].title_type;
            d.first_page = &sig[i];
        }
        doc = &out->documents[out->ndocuments - 1];
        doc->last = i;
        doc->npages++;
        out->page_document[i] = (long)(out->ndocuments - 1);
        doc_absorb(&d, &sig[i]);
        after_blank = after_separator = 0;
    }
    rc = 0;
out:
    cs_titles_free(&vocabulary);
    free(sig);
    if (rc < 0)
        cs_split_free(out);
    return rc;
}

/* cs_split_free: release the arrays and zero the result; accepts NULL. */
void
cs_split_free(cs_split *s)
{
    if (!s)
        return;
    free(s->page_document);
    free(s->documents);
    memset(s, 0, sizeof *s);
}

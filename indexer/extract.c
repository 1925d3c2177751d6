/*
 * extract.c — the fields of one document: MRN, patient name, birth date
 * and date of service, from its pages' OCR text and word boxes.
 *
 * Interface routines:
 *   cs_index_extract_fields
 *
 * Zones, searched in this order:
 *   0. the header zone: the top third of the first page.  With word boxes
 *      it is rebuilt from the words whose centre lies in the top third,
 *      in (block, line, x) order; without them it is the first third of
 *      the page's text lines (at least HEADER_MIN_LINES).
 *   1. the whole first page;
 *   2. each later page.
 * A labelled value in any zone beats an unlabelled one, and within each
 * kind the earlier zone wins: the header block of page 1 is where a
 * document names its patient, while later pages quote other people's
 * dates and numbers.  Unlabelled values are taken only from zone 0
 * (bare MRNs, "SMITH, JOHN  #48213377" names, a letter's date line).
 *
 * Confidence, a heuristic on how a value was found (not a probability
 * fitted on data; the matcher uses labelled/in_header, not this number):
 *   labelled, header zone 0.95; labelled, first page 0.85; labelled, later
 *   page 0.75; unlabelled, header zone 0.6.
 *
 * Dates: the date of service is found first (labels in DATE_OF_SERVICE
 * order, then a bare "Date:", then a line of the header holding only a
 * date, as letters print it), and bounds the birth date: a birth date
 * after the date of service moves back a century when its year had two
 * digits ("DOB: 03/14/19" on a 2018 note is 1919) and is refused
 * otherwise.
 */
#include "indexer/text.h"
#include "common/common.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_MIN_LINES 8
#define MAX_ZONES        64     /* later pages beyond this are not searched */
#define MRNS_PER_ZONE    16

static const char *const BIRTH_LABELS[] = {
    "date of birth", "birth date", "birthdate", "d.o.b.", "d.o.b", "dob", "born",
    "birth",
};

static const char *const SERVICE_LABELS[] = {
    "date of service", "service date", "dates of service", "d.o.s.", "d.o.s", "dos",
    "date of admission", "admission date", "admit date", "admitted",
    "date of discharge", "discharge date", "visit date", "date of visit",
    "date of exam", "exam date", "date of examination", "date of procedure",
    "procedure date", "date of surgery", "surgery date", "date of operation",
    "encounter date", "date seen", "date of consultation", "consultation date",
    "report date", "date of report",
};

static const char *const GENERIC_DATE_LABELS[] = {"date"};

typedef struct zone {
    const char *text;
    int header;
    int page;          /* 0 first page */
} zone;

/*
 * cs_word_reading_order: qsort comparator over const cs_index_word
 * pointers, in (block, line, x) order; evidence.c orders words the same.
 */
int
cs_word_reading_order(const void *a, const void *b)
{
    const cs_index_word *x = *(const cs_index_word *const *)a;
    const cs_index_word *y = *(const cs_index_word *const *)b;

    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->x > y->x) - (x->x < y->x);
}

/* Build the header zone of a page into b.  0, or -1 when out of memory. */
static int
header_zone(const cs_index_page *p, cs_buf *b)
{
    const char *text = p->text ? p->text : "";

    if (p->words && p->nwords && p->height > 0) {
        const cs_index_word **refs = malloc(p->nwords * sizeof *refs);
        size_t n = 0, i;
        int rc = 0;

        if (!refs)
            return -1;
        for (i = 0; i < p->nwords; i++) {
            const cs_index_word *w = &p->words[i];
            if (w->text && w->text[0] && 3L * ((long)w->y + w->h / 2) < (long)p->height)
                refs[n++] = w;
        }
        qsort(refs, n, sizeof *refs, cs_word_reading_order);
        for (i = 0; i < n && rc == 0; i++) {
            if (i > 0)
                rc = cs_buf_puts(b, refs[i - 1]->block == refs[i]->block &&
                                    refs[i - 1]->line == refs[i]->line ? " " : "\n");
            if (rc == 0)
                rc = cs_buf_puts(b, refs[i]->text);
        }
        free(refs);
        if (rc == 0 && b->len == 0)
            rc = cs_buf_puts(b, "");
        return rc;
    } else {
        size_t lines = 1, keep, seen = 0, i;
        for (i = 0; text[i]; i++)
            lines += text[i] == '\n';
        keep = lines / 3 > HEADER_MIN_LINES ? lines / 3 : HEADER_MIN_LINES;
        for (i = 0; text[i] && seen < keep; i++)
            seen += text[i] == '\n';
        return cs_buf_append(b, text, i);
    }
}

static void
set_info(cs_field_info *info, int labelled, const zone *z)
{
    info->found = 1;
    info->labelled = labelled;
    info->in_header = z->header;
    if (!labelled)
        info->confidence = 0.6;
    else if (z->header)
        info->confidence = 0.95;
    else
        info->confidence = z->page == 0 ? 0.85 : 0.75;
}

/*
 * The first date after one of labels in text that parse_ok accepts.
 * Returns 1 and fills *d and *two_digit.
 */
static int
find_labelled_date(const char *text, const char *const *labels, size_t nlabels,
                   cs_date_kind kind, int ref_year, const cs_date *not_after,
                   cs_date *d, int *two_digit)
{
    for (const char *s = text; *s; s++) {
        for (size_t k = 0; k < nlabels; k++) {
            size_t n = cs_match_word(text, s, labels[k]), j = n;
            int gap = 0;
            if (!n)
                continue;
            /* "Date of Birth (mm/dd/yyyy): ..." and "DOB....: " */
            while (s[j] && s[j] != '\n' && gap < 16 && !cs_is_alnum((unsigned char)s[j])) {
                j++;
                gap++;
            }
            if (cs_date_parse(s + j, kind, ref_year, d, NULL, two_digit)) {
                if (not_after && not_after->year && cs_date_cmp(d, not_after) > 0) {
                    if (!*two_digit)
                        break;
                    d->year -= 100;
                    if (!cs_date_valid(d->year, d->month, d->day))
                        break;
                }
                return 1;
            }
            break;
        }
    }
    return 0;
}

/* A header line holding only a date (a letter's date line). */
static int
find_date_line(const char *text, int ref_year, cs_date *d)
{
    const char *line = text;

    while (*line) {
        const char *end = strchr(line, '\n'), *s = line;
        size_t used;
        if (!end)
            end = line + strlen(line);
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        if (s < end && cs_date_parse(s, CS_DATE_SERVICE, ref_year, d, &used, NULL)) {
            s += used;
            while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
                s++;
            if (s == end)
                return 1;
        }
        line = *end ? end + 1 : end;
    }
    memset(d, 0, sizeof *d);
    return 0;
}

static void
extract_mrn(const zone *z, size_t nz, cs_fields *out)
{
    cs_mrn_candidate c[MRNS_PER_ZONE];
    size_t k;
    int i, n;

    for (k = 0; k < nz; k++) {
        n = cs_index_find_mrns(z[k].text, c, MRNS_PER_ZONE);
        for (i = 0; i < n; i++) {
            if (!c[i].labelled)
                continue;
            if (!out->mrn_info.found) {
                memcpy(out->mrn, c[i].mrn, sizeof out->mrn);
                set_info(&out->mrn_info, 1, &z[k]);
            } else if (z[k].page == 0 && strcmp(out->mrn, c[i].mrn) != 0) {
                out->mrn_conflict = 1;
            }
        }
    }
    if (out->mrn_info.found || nz == 0)
        return;
    n = cs_index_find_mrns(z[0].text, c, MRNS_PER_ZONE);
    if (n > 0) {
        memcpy(out->mrn, c[0].mrn, sizeof out->mrn);
        set_info(&out->mrn_info, 0, &z[0]);
    }
}

static void
extract_name(const zone *z, size_t nz, cs_fields *out)
{
    int labelled;

    for (size_t k = 0; k < nz; k++)
        if (cs_index_find_name(z[k].text, 1, out->last, out->first, out->middle, &labelled)) {
            set_info(&out->name_info, 1, &z[k]);
            return;
        }
    if (nz && cs_index_find_name(z[0].text, 0, out->last, out->first, out->middle, &labelled)) {
        set_info(&out->name_info, labelled, &z[0]);
        return;
    }
    out->last[0] = out->first[0] = out->middle[0] = '\0';
}

static void
extract_dates(const zone *z, size_t nz, int ref_year, cs_fields *out)
{
    cs_date d;
    int two, birth_ref;
    size_t k;

    for (k = 0; k < nz && !out->service_info.found; k++)
        if (find_labelled_date(z[k].text, SERVICE_LABELS,
                               sizeof SERVICE_LABELS / sizeof *SERVICE_LABELS,
                               CS_DATE_SERVICE, ref_year, NULL, &d, &two)) {
            out->service = d;
            set_info(&out->service_info, 1, &z[k]);
        }
    for (k = 0; k < nz && k < 2 && !out->service_info.found; k++)
        if (find_labelled_date(z[k].text, GENERIC_DATE_LABELS, 1, CS_DATE_SERVICE,
                               ref_year, NULL, &d, &two)) {
            out->service = d;
            set_info(&out->service_info, 1, &z[k]);
        }
    if (!out->service_info.found && nz && find_date_line(z[0].text, ref_year, &d)) {
        out->service = d;
        set_info(&out->service_info, 0, &z[0]);
    }

    birth_ref = out->service_info.found ? out->service.year : ref_year;
    for (k = 0; k < nz; k++)
        if (find_labelled_date(z[k].text, BIRTH_LABELS,
                               sizeof BIRTH_LABELS / sizeof *BIRTH_LABELS, CS_DATE_BIRTH,
                               birth_ref, out->service_info.found ? &out->service : NULL,
                               &d, &two)) {
            out->birth = d;
            set_info(&out->birth_info, 1, &z[k]);
            break;
        }
}

/*
 * cs_index_extract_fields()
 *
 *      Input:  pages, n (the document's pages in order; blank pages and
 *                        NULL texts are skipped)
 *              ref_year (dates are judged against it; <= 0: this year)
 *              out (out: the fields, zeroed first)
 *      Return: 0, or -1 when pages or out is NULL
 *
 *  Notes:
 *      (1) See the file comment for the zones and confidences.
 *      (2) When memory for the header zone runs out, the whole first page
 *          stands in for it: the result is still usable.
 *      (3) Nothing is logged: every field is patient data.
 */
int
cs_index_extract_fields(const cs_index_page *pages, size_t n, int ref_year,
                        cs_fields *out)
{
    zone z[MAX_ZONES + 2];
    cs_buf header = CS_BUF_INIT;
    size_t nz = 0, first = n, i;

    if (out)
        memset(out, 0, sizeof *out);
    if (!pages || !out)
        return -1;
    if (ref_year <= 0)
        ref_year = cs_current_year();
    for (i = 0; i < n && first == n; i++)
        if (!pages[i].blank && pages[i].text)
            first = i;
    if (first == n)
        return 0;

    if (header_zone(&pages[first], &header) == 0 && header.data) {
        z[nz].text = header.data;
        z[nz].header = 1;
        z[nz].page = 0;
        nz++;
    }
    z[nz].text = pages[first].text;
    z[nz].header = nz == 0;
    z[nz].page = 0;
    nz++;
    for (i = first + 1; i < n && nz < MAX_ZONES + 2; i++)
        if (!pages[i].blank && pages[i].text) {
            z[nz].text = pages[i].text;
            z[nz].header = 0;
            z[nz].page = 1;
            nz++;
        }

    extract_mrn(z, nz, out);
    extract_name(z, nz, out);
    extract_dates(z, nz, ref_year, out);
    cs_buf_free(&header);
    return 0;
}

/*
 * candidates.c — roster candidates for a document, by index, never by
 * scanning the roster:
 *   - every MRN-like token the document shows (labelled or not, from
 *     cs_evidence_mrns), and the extracted MRN;
 *   - the MRNs one OCR edit away from the extracted MRN and from the
 *     first VARIANT_TOKENS tokens (the header zone's come first), so that
 *     a misread MRN still brings its patient and a typo is recognised;
 *   - patients whose last name is like the extracted one (trigram index)
 *     born on the extracted birth date, or of that first name;
 *   - patients of the extracted last name (similar) and first name with
 *     any birth date: the look-alikes that must stop a document without
 *     an MRN from being filed on name and birth date;
 *   - patients born on one of the dates printed in the identifier zones
 *     (at most DATE_ROWS), for documents whose MRN and name cannot be
 *     read: verification then looks for each one's name.
 * The indexer verifies each on the page and scores them.
 */
#include "pipeline/stages/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define MAX_VARIANTS   1536
#define VARIANT_TOKENS 4
#define DATE_ROWS      60      /* patients born on the printed dates */
#define MATCH_MRNS     16      /* MRN-like tokens of a document looked up */
#define MATCH_DATES    6       /* dates of its identifier zones looked up */
#define CS_STR_(x) #x
#define CS_STR(x) CS_STR_(x)

void cs_candidates_free(cs_candidates *c)
{
    PQclear(c->result);
    free(c->records);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

/*
 * Postgres array literal of first (when not NULL) and the n MRNs; only
 * values of letters and digits are written (the indexer makes nothing
 * else, and then nothing needs quoting).
 */
static int mrn_array(cs_buf *b, const char *first, const char (*mrns)[CS_MRN_MAX], size_t n)
{
    static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const char *sep = "";

    cs_buf_puts(b, "{");
    for (size_t i = 0; i <= n; i++) {
        const char *m = i == 0 ? first : mrns[i - 1];
        if (!m || !m[0] || m[strspn(m, ALNUM)])
            continue;
        cs_buf_printf(b, "%s%s", sep, m);
        sep = ",";
    }
    cs_buf_puts(b, "}");
    return cs_buf_failed(b) ? -1 : 0;
}

/* Append mrn and, when variants, every MRN one edit away, to list. */
static void add_mrn(char (*list)[CS_MRN_MAX], long *n, const char *mrn, int variants)
{
    long nvar;

    if (!mrn[0] || *n >= MAX_VARIANTS)
        return;
    snprintf(list[(*n)++], CS_MRN_MAX, "%s", mrn);
    if (!variants)
        return;
    nvar = cs_index_mrn_variants(mrn, list + *n, (size_t)(MAX_VARIANTS - *n));
    if (nvar > 0)
        *n += nvar < MAX_VARIANTS - *n ? nvar : MAX_VARIANTS - *n;
}

/* Postgres date[] literal, or NULL (b stays empty) when there are none. */
static int date_array(cs_buf *b, const cs_date *dates, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cs_buf_printf(b, "%s%04d-%02d-%02d", i ? "," : "{", dates[i].year, dates[i].month,
                      dates[i].day);
    if (n)
        cs_buf_puts(b, "}");
    return cs_buf_failed(b) ? -1 : 0;
}

/* The rows of r (id, mrn, last, first, middle, birth date, sex) as out's records: out owns r. */
static int fill_records(PGresult *r, cs_candidates *out, char *err, size_t errlen)
{
    out->result = r;
    out->n = (size_t)PQntuples(r);
    out->records = calloc(out->n ? out->n : 1, sizeof *out->records);
    out->ids = calloc(out->n ? out->n : 1, sizeof *out->ids);
    if (!out->records || !out->ids)
        return cs_fail(err, errlen, "out of memory");
    for (size_t i = 0; i < out->n; i++) {
        cs_roster_record *rec = &out->records[i];
        const char *birth = PQgetvalue(r, (int)i, 5);
        out->ids[i] = cs_pq_int(r, (int)i, 0);
        rec->mrn = PQgetvalue(r, (int)i, 1);
        rec->last = PQgetvalue(r, (int)i, 2);
        rec->first = PQgetvalue(r, (int)i, 3);
        rec->middle = PQgetvalue(r, (int)i, 4);
        if (*birth)
            sscanf(birth, "%d-%d-%d", &rec->birth.year, &rec->birth.month, &rec->birth.day);
        rec->sex = *PQgetvalue(r, (int)i, 6);
    }
    return 0;
}

int cs_candidates_by_mrn(cs_store *s, const char *mrn, cs_candidates *out, char *err,
                         size_t errlen)
{
    const char *p[1] = {mrn};
    PGresult *r;

    memset(out, 0, sizeof *out);
    r = cs_pq(s, "SELECT id, mrn, last_name, first_name, coalesce(middle_name, ''),"
                 "       coalesce(birth_date::text, ''), coalesce(sex, '')"
                 "  FROM patient WHERE mrn = $1", 1, p, err, errlen);
    if (!r)
        return -1;
    if (fill_records(r, out, err, errlen) < 0) {
        cs_candidates_free(out);
        return -1;
    }
    return 0;
}

int cs_candidates_find(cs_store *s, const cs_fields *f, const char (*mrns)[CS_MRN_MAX],
                       size_t nmrns, const cs_date *dates, size_t ndates, cs_candidates *out,
                       char *err, size_t errlen)
{
    char (*variants)[CS_MRN_MAX] = NULL, dob[16] = "";
    cs_buf arr = CS_BUF_INIT, shown = CS_BUF_INIT, born = CS_BUF_INIT;
    long nvar = 0;
    PGresult *r;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (f->mrn_info.found || nmrns) {
        variants = calloc(MAX_VARIANTS, sizeof *variants);
        if (!variants)
            return cs_fail(err, errlen, "out of memory");
        if (f->mrn_info.found)
            add_mrn(variants, &nvar, f->mrn, 1);
        for (size_t i = 0; i < nmrns; i++)
            add_mrn(variants, &nvar, mrns[i], i < VARIANT_TOKENS);
        /* the MRNs the document shows, apart from their variants, for the ordering */
        if (mrn_array(&arr, NULL, (const char (*)[CS_MRN_MAX])variants, (size_t)nvar) < 0 ||
            mrn_array(&shown, f->mrn_info.found ? f->mrn : NULL, mrns, nmrns) < 0) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
    }
    if (date_array(&born, dates, ndates) < 0) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (f->birth_info.found)
        snprintf(dob, sizeof dob, "%04d-%02d-%02d", f->birth.year, f->birth.month, f->birth.day);
    {
        const char *p[6] = {arr.data, f->name_info.found ? f->last : NULL, dob[0] ? dob : NULL,
                            f->name_info.found ? f->first : NULL, shown.data, born.data};
        /* each branch is an index lookup; the union is a handful of rows,
         * those whose MRN the document shows first so the limit never
         * drops one ("not in roster" is concluded from their absence) */
        r = cs_pq(s,
            "SELECT id, mrn, last_name, first_name, middle_name, birth_date, sex FROM ("
            " SELECT DISTINCT ON (id) id, mrn, last_name, first_name,"
            "       coalesce(middle_name, '') AS middle_name,"
            "       coalesce(birth_date::text, '') AS birth_date, coalesce(sex, '') AS sex,"
            "       coalesce(ltrim(mrn, '0') = ANY (SELECT ltrim(m, '0')"
            "                FROM unnest($5::text[]) m), false) AS shown FROM ("
            "  SELECT * FROM patient WHERE $1::text[] IS NOT NULL"
            "     AND ltrim(mrn, '0') = ANY (SELECT ltrim(m, '0') FROM unnest($1::text[]) m)"
            "  UNION ALL"
            "  (SELECT * FROM patient WHERE $2::text IS NOT NULL AND $3::date IS NOT NULL"
            "      AND birth_date = $3::date AND lower(last_name) % lower($2)"
            "    ORDER BY similarity(lower(last_name), lower($2)) DESC LIMIT 20)"
            "  UNION ALL"
            "  (SELECT * FROM patient WHERE $2::text IS NOT NULL AND $3::date IS NOT NULL"
            "      AND $4::text IS NOT NULL AND birth_date = $3::date"
            "      AND lower(first_name) = lower($4) LIMIT 20)"
            "  UNION ALL"
            "  (SELECT * FROM patient WHERE $2::text IS NOT NULL AND $4::text IS NOT NULL"
            "      AND lower(last_name) % lower($2) AND lower(first_name) = lower($4)"
            "    ORDER BY similarity(lower(last_name), lower($2)) DESC LIMIT 20)"
            "  UNION ALL"
            "  (SELECT * FROM patient WHERE $6::date[] IS NOT NULL"
            "      AND birth_date = ANY ($6::date[]) LIMIT " CS_STR(DATE_ROWS) ")"
            " ) c ORDER BY id) d ORDER BY shown DESC, id LIMIT 160", 6, p, err, errlen);
    }
    if (!r)
        goto out;
    if (fill_records(r, out, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        cs_candidates_free(out);
    cs_buf_free(&arr);
    cs_buf_free(&shown);
    cs_buf_free(&born);
    free(variants);
    return rc;
}

/*
 * cs_candidates_match: the patient of a document.  Candidates by its
 * fields, the MRN-like tokens and the identifier-zone dates of evidence,
 * verified and scored (cs_index_match_verified).  One more lookup when
 * the document shows no MRN and its name was not extracted as the best
 * candidate's ("Re: Patient Jane Doe", or "Doe Jane Ann" read as first
 * name Doe), but that candidate's full name and birth date were found on
 * the page: the
 * roster is searched again by that name and birth date, as if they had
 * been extracted, so that every look-alike of that patient (same name
 * with any birth date, same birth date with a similar name) is among the
 * candidates before the document may be filed on them.  On success the
 * caller owns *out (cs_candidates_free) and *scores (free).
 */
int cs_candidates_match(cs_store *s, const cs_fields *f, const cs_evidence *evidence,
                        cs_candidates *out, cs_match_score **scores,
                        cs_match_decision *decision, char *err, size_t errlen)
{
    char mrns[MATCH_MRNS][CS_MRN_MAX];
    cs_date dates[MATCH_DATES];
    int nmrns = cs_evidence_mrns(evidence, mrns, MATCH_MRNS);
    int ndates = cs_evidence_dates(evidence, dates, MATCH_DATES);
    const cs_match_score *best;
    cs_fields again;

    *scores = NULL;
    if (cs_candidates_find(s, f, (const char (*)[CS_MRN_MAX])mrns, (size_t)nmrns, dates,
                           (size_t)ndates, out, err, errlen) < 0)
        return -1;
    if ((*scores = calloc(out->n ? out->n : 1, sizeof **scores)) == NULL)
        goto oom;
    cs_index_match_verified(f, evidence, out->records, out->n, *scores, decision);
    best = *scores;
    if (decision->file || decision->reason != CS_REASON_NO_MRN || out->n == 0 ||
        best->hit[CS_ID_LAST].page < 0 || best->hit[CS_ID_FIRST].page < 0 ||
        best->hit[CS_ID_BIRTH].page < 0)
        return 0;
    {
        /* the lookup already ran on this patient's name when it was extracted */
        const cs_roster_record *r = &out->records[best->record];
        if (f->name_info.found && cs_jaro_winkler(f->last, r->last) >= 1.0 &&
            cs_jaro_winkler(f->first, r->first) >= 1.0)
            return 0;
    }

    /* the name and birth date verified on the page, as the document's fields */
    again = *f;
    {
        const cs_roster_record *r = &out->records[best->record];
        snprintf(again.last, sizeof again.last, "%s", r->last);
        snprintf(again.first, sizeof again.first, "%s", r->first);
        again.middle[0] = '\0';
        again.name_info.found = 1;
        again.name_info.labelled = 0;
        again.birth = r->birth;
        again.birth_info.found = 1;
        again.birth_info.labelled = 0;
    }
    cs_candidates_free(out);
    free(*scores);
    *scores = NULL;
    if (cs_candidates_find(s, &again, (const char (*)[CS_MRN_MAX])mrns, (size_t)nmrns, dates,
                           (size_t)ndates, out, err, errlen) < 0)
        return -1;
    if ((*scores = calloc(out->n ? out->n : 1, sizeof **scores)) == NULL)
        goto oom;
    cs_index_match_verified(&again, evidence, out->records, out->n, *scores, decision);
    return 0;
oom:
    cs_candidates_free(out);
    return cs_fail(err, errlen, "out of memory");
}

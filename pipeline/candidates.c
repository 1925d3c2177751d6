/*
 * candidates.c — roster candidates for a document, by index, never by
 * scanning the roster: the exact MRN, the MRNs one OCR edit away from it,
 * and patients whose last name is like the extracted one (trigram index)
 * born on the extracted birth date.  The indexer scores them.
 */
#include "pipeline/pipeline_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define MAX_VARIANTS 512

void cs_candidates_free(cs_candidates *c)
{
    PQclear(c->result);
    free(c->records);
    free(c->ids);
    memset(c, 0, sizeof *c);
}

/* Postgres array literal of MRNs (letters and digits only: nothing to quote). */
static int mrn_array(cs_buf *b, const char (*mrns)[CS_MRN_MAX], size_t n)
{
    cs_buf_puts(b, "{");
    for (size_t i = 0; i < n; i++)
        cs_buf_printf(b, "%s%s", i ? "," : "", mrns[i]);
    return cs_buf_puts(b, "}");
}

int cs_candidates_find(cs_store *s, const cs_fields *f, cs_candidates *out, char *err,
                       size_t errlen)
{
    char (*variants)[CS_MRN_MAX] = NULL, dob[16] = "";
    cs_buf arr = CS_BUF_INIT;
    long nvar = 0;
    PGresult *r;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (f->mrn_info.found) {
        variants = calloc(MAX_VARIANTS + 1, sizeof *variants);
        if (!variants)
            return cs_fail(err, errlen, "out of memory");
        snprintf(variants[0], CS_MRN_MAX, "%s", f->mrn);
        nvar = cs_index_mrn_variants(f->mrn, variants + 1, MAX_VARIANTS);
        if (nvar < 0)
            nvar = 0;
        if (nvar > MAX_VARIANTS)
            nvar = MAX_VARIANTS;
        if (mrn_array(&arr, (const char (*)[CS_MRN_MAX])variants, (size_t)nvar + 1) < 0) {
            cs_fail(err, errlen, "out of memory");
            goto out;
        }
    }
    if (f->birth_info.found)
        snprintf(dob, sizeof dob, "%04d-%02d-%02d", f->birth.year, f->birth.month, f->birth.day);
    {
        const char *p[4] = {arr.data, f->name_info.found ? f->last : NULL, dob[0] ? dob : NULL,
                            f->name_info.found ? f->first : NULL};
        /* each branch is an index lookup; the union is a handful of rows */
        r = cs_pq(s,
            "SELECT DISTINCT ON (id) id, mrn, last_name, first_name, coalesce(middle_name, ''),"
            "       coalesce(birth_date::text, ''), coalesce(sex, '') FROM ("
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
            " ) c ORDER BY id LIMIT 64", 4, p, err, errlen);
    }
    if (!r)
        goto out;
    out->result = r;
    out->n = (size_t)PQntuples(r);
    out->records = calloc(out->n ? out->n : 1, sizeof *out->records);
    out->ids = calloc(out->n ? out->n : 1, sizeof *out->ids);
    if (!out->records || !out->ids) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
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
    rc = 0;
out:
    if (rc < 0)
        cs_candidates_free(out);
    cs_buf_free(&arr);
    free(variants);
    return rc;
}

/*
 * check_search.c — `chartscan search QUERY [--json]` (issue 14, item 3)
 * over the filed documents of a processed sample batch:
 *
 *   fields    MRN, name (last, first, or both), birth date, type and the
 *             date-of-service range each find the filed document and only
 *             what matches
 *   text      full-text words find the document whose pages hold them;
 *             the GIN index of schema 017 serves the query's expression;
 *             documents in review are not found
 *   json      --json is a JSON array PostgreSQL parses
 *   audit     every search writes one row: kinds, count, ids, and none of
 *             the query's values; a malformed query is refused, unaudited
 *
 * The fixture (main) processes the sample batch (seed 12, 4 files) once and
 * picks a filed document with a patient, a type and a date of service.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

static th_env env;
static long long doc_id;
static char mrn[32], last[64], first[64], born[16], dtype[64], dos[16], word[64];

/* Run search with up to three words of query; exit status 0 expected. */
static th_result search(const char *a1, const char *a2, const char *a3)
{
    th_result r = th_chartscan(&env, "search", a1, a2, a3, (char *)NULL);
    ck_assert_msg(r.status == 0, "search %s: %d %s", a1, r.status, r.err);
    return r;
}

/* Does the output list the document? */
static int lists_doc(const char *out)
{
    char tag[40];
    snprintf(tag, sizeof tag, "d-%lld ", doc_id);
    return strstr(out, tag) != NULL;
}

static void finds(const char *q1, const char *q2, int expected)
{
    th_result r = search(q1, q2, NULL);
    ck_assert_msg(lists_doc(r.out) == expected, "search %s %s: %s", q1, q2 ? q2 : "", r.out);
    th_result_free(&r);
}
#define FINDS(q1, q2, expected) finds((q1), (q2), (expected))

START_TEST(test_fields)
{
    char q[128], q2[128];
    int y = atoi(dos);

    snprintf(q, sizeof q, "mrn:%s", mrn);
    FINDS(q, NULL, 1);
    FINDS("mrn:00000000", NULL, 0);
    snprintf(q, sizeof q, "name:%s", last);
    FINDS(q, NULL, 1);
    snprintf(q, sizeof q, "name:%s,%s", last, first);
    FINDS(q, NULL, 1);
    snprintf(q, sizeof q, "name:%s,Nobody", last);
    FINDS(q, NULL, 0);
    snprintf(q, sizeof q, "born:%s", born);
    FINDS(q, NULL, 1);
    FINDS("born:1800-01-01", NULL, 0);
    snprintf(q, sizeof q, "type:%s", dtype);
    FINDS(q, NULL, 1);
    snprintf(q, sizeof q, "type:%s", strcmp(dtype, "letter") ? "letter" : "ed_note");
    snprintf(q2, sizeof q2, "mrn:%s", mrn);
    FINDS(q, q2, 0);
    /* the date-of-service range, inclusive */
    snprintf(q, sizeof q, "from:%s", dos);
    snprintf(q2, sizeof q2, "to:%s", dos);
    FINDS(q, q2, 1);
    snprintf(q, sizeof q, "from:%04d-01-01", y + 1);
    FINDS(q, NULL, 0);
    snprintf(q, sizeof q, "to:%04d-12-31", y - 1);
    FINDS(q, NULL, 0);
}
END_TEST

START_TEST(test_text)
{
    PGconn *c = th_connect(&env);
    char q[128];
    th_result r;

    FINDS(word, NULL, 1);
    /* the words and a field together; a word no page holds */
    snprintf(q, sizeof q, "mrn:%s", mrn);
    FINDS(q, word, 1);
    FINDS("zyxwvutsrq", NULL, 0);
    r = search(word, NULL, NULL);
    ck_assert_msg(strstr(r.out, "1 document\n"), "%s", r.out);
    th_result_free(&r);
    /* a document in review is not found, whatever its text */
    {
        char *rw = th_value(c, "SELECT w FROM document d JOIN page p ON p.document_id = d.id,"
                               " regexp_split_to_table(lower(p.text), '[^a-z]+') w"
                               " WHERE d.status = 'review' AND length(w) >= 7"
                               "   AND NOT EXISTS (SELECT 1 FROM document f JOIN page fp"
                               "       ON fp.document_id = f.id WHERE f.status = 'filed'"
                               "       AND lower(fp.text) LIKE '%' || w || '%')"
                               " ORDER BY w LIMIT 1");
        ck_assert_ptr_nonnull(rw);
        ck_assert_msg(*rw, "no word of a document in review only");
        r = search(rw, NULL, NULL);
        ck_assert_msg(strstr(r.out, "0 documents"), "%s: %s", rw, r.out);
        th_result_free(&r);
        free(rw);
    }
    /* the index of schema 017 serves the search's expression */
    PQclear(PQexec(c, "SET enable_seqscan = off"));
    {
        PGresult *e = PQexec(c, "EXPLAIN SELECT 1 FROM page pg WHERE to_tsvector('english'::"
                                "regconfig, coalesce(pg.text, '')) @@ websearch_to_tsquery("
                                "'english'::regconfig, 'triage')");
        int used = 0;
        ck_assert_int_eq(PQresultStatus(e), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(e); i++)
            used |= strstr(PQgetvalue(e, i, 0), "page_text_search") != NULL;
        PQclear(e);
        ck_assert_msg(used, "the full-text query does not use page_text_search");
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_json)
{
    PGconn *c = th_connect(&env);
    char q[128], id[24];
    th_result r;
    PGresult *v;

    snprintf(q, sizeof q, "mrn:%s", mrn);
    r = th_chartscan(&env, "search", "--json", q, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    {
        const char *p[2] = {r.out, mrn};
        v = PQexecParams(c, "SELECT jsonb_array_length($1::jsonb)::text || ' ' ||"
                            " (SELECT count(*) FROM jsonb_array_elements($1::jsonb) e"
                            "   WHERE e->'patient'->>'mrn' = $2)::text || ' ' ||"
                            " (SELECT string_agg(e->>'document_id', ',') FROM"
                            "   jsonb_array_elements($1::jsonb) e)", 2, NULL, p, NULL, NULL, 0);
    }
    ck_assert_msg(PQresultStatus(v) == PGRES_TUPLES_OK, "not JSON: %s\n%s",
                  PQresultErrorMessage(v), r.out);
    snprintf(id, sizeof id, "%lld", doc_id);
    {
        const char *got = PQgetvalue(v, 0, 0);
        int n = atoi(got), same = atoi(strchr(got, ' ') + 1);
        ck_assert_int_ge(n, 1);
        ck_assert_int_eq(same, n);
        ck_assert_msg(strstr(strrchr(got, ' '), id), "%s", got);
    }
    PQclear(v);
    th_result_free(&r);
    PQfinish(c);
}
END_TEST

START_TEST(test_audit)
{
    PGconn *c = th_connect(&env);
    char q[128], sql[600];
    long before;
    th_result r;

    PQclear(PQexec(c, "DELETE FROM audit WHERE action = 'search'"));
    snprintf(q, sizeof q, "mrn:%s", mrn);
    r = search(q, word, NULL);
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'search'"), 1);
    snprintf(sql, sizeof sql, "SELECT (detail->'kinds')::text || ' ' || (detail->>'count') || ' '"
             " || (detail->'ids')::text FROM audit WHERE action = 'search'");
    snprintf(q, sizeof q, "[\"mrn\", \"text\"] 1 [%lld]", doc_id);
    TH_ASSERT_VALUE(c, sql, q);
    /* none of the query's values is recorded */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = 'search' AND"
             " (position('%s' IN coalesce(detail::text, '') || coalesce(object_id, '')) > 0"
             "  OR position('%s' IN lower(detail::text)) > 0)", mrn, word);
    ck_assert_int_eq(th_long(c, sql), 0);
    /* a search that finds nothing is audited too */
    r = search("mrn:00000000", NULL, NULL);
    th_result_free(&r);
    TH_ASSERT_VALUE(c, "SELECT detail->>'count' FROM audit WHERE action = 'search'"
                       " ORDER BY id DESC LIMIT 1", "0");
    /* malformed queries: refused, nothing audited */
    before = th_long(c, "SELECT count(*) FROM audit");
    r = th_chartscan(&env, "search", "born:1985-02-30", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "born: needs a date YYYY-MM-DD"), "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "1985"));
    th_result_free(&r);
    r = th_chartscan(&env, "search", "mrn:1", "mrn:2", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    th_result_free(&r);
    r = th_chartscan(&env, "search", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "search", "--limit", "0", "x", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit"), before);
    PQfinish(c);
}
END_TEST

/* The filed document the tests look for, and a word only its pages hold. */
static void pick_document(void)
{
    PGconn *c = th_connect(&env);
    PGresult *r;
    char q[900];

    r = PQexec(c, "SELECT d.id, p.mrn, p.last_name, p.first_name, p.birth_date::text,"
                  "       d.doctype, d.date_of_service::text"
                  "  FROM document d JOIN patient p ON p.id = d.patient_id"
                  " WHERE d.status = 'filed' AND d.doctype IS NOT NULL"
                  "   AND d.date_of_service IS NOT NULL AND p.birth_date IS NOT NULL"
                  "   AND p.last_name ~ '^[A-Za-z]+$' AND p.first_name ~ '^[A-Za-z]+$'"
                  " ORDER BY d.id LIMIT 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "the sample batch has no filed document to search for\n");
        exit(2);
    }
    doc_id = atoll(PQgetvalue(r, 0, 0));
    snprintf(mrn, sizeof mrn, "%s", PQgetvalue(r, 0, 1));
    snprintf(last, sizeof last, "%s", PQgetvalue(r, 0, 2));
    snprintf(first, sizeof first, "%s", PQgetvalue(r, 0, 3));
    snprintf(born, sizeof born, "%s", PQgetvalue(r, 0, 4));
    snprintf(dtype, sizeof dtype, "%s", PQgetvalue(r, 0, 5));
    snprintf(dos, sizeof dos, "%s", PQgetvalue(r, 0, 6));
    PQclear(r);
    snprintf(q, sizeof q,
             "SELECT w FROM page p, regexp_split_to_table(lower(p.text), '[^a-z]+') w"
             " WHERE p.document_id = %lld AND length(w) >= 7"
             "   AND NOT EXISTS (SELECT 1 FROM page o WHERE o.document_id <> %lld"
             "                     AND lower(o.text) LIKE '%%' || w || '%%')"
             " ORDER BY w LIMIT 1", doc_id, doc_id);
    r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "no word only document %lld holds\n", doc_id);
        exit(2);
    }
    snprintf(word, sizeof word, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
}

int main(void)
{
    SRunner *sr;
    Suite *s;
    TCase *tc;
    int failed;

    th_setup_processed_sample(&env, "se", 12, 4);
    pick_document();
    s = suite_create("search");
    tc = tcase_create("search");
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_audit);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

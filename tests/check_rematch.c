/*
 * check_rematch.c — matching again after the roster changes (issue 14,
 * item 6): a document whose patient is missing from the roster is in
 * review as "not in roster"; once the roster holds that patient,
 * `chartscan patients import` and `chartscan rematch` match it again by
 * the pipeline's own rules and say what it became.
 *
 *   rules     the type's confidence still holds a matched document in
 *             review; a document a reviewer holds is left alone; with its
 *             type sure, the same document is filed on the new patient;
 *             each change has its audit row; a second run changes nothing
 *
 * The fixture (main) processes the generated sample batch (seed 12, 4
 * files) whose third file's patient is not in the roster, and writes
 * roster2.csv: the roster and that patient, read from the sample's truth
 * (the text printed on the page).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

static th_env env;
static long long doc_id, batch_id;
static char mrn[32], roster2[200];

/* What one run printed, and its status. */
static th_result run(const char *a1, const char *a2, const char *a3)
{
    th_result r = th_chartscan(&env, a1, a2, a3, (char *)NULL);
    ck_assert_msg(r.status == 0, "chartscan %s %s: %d %s", a1, a2 ? a2 : "", r.status, r.err);
    return r;
}

static char *doc_value(PGconn *c, const char *expr)
{
    char q[400];
    snprintf(q, sizeof q, "SELECT %s FROM document WHERE id = %lld", expr, doc_id);
    return th_value(c, q);
}

#define DOC_VALUE(c, expr, expected)                                                   \
    do {                                                                               \
        char *v_ = doc_value((c), (expr));                                             \
        ck_assert_msg(v_ && !strcmp(v_, (expected)), "document %lld: %s is \"%s\", expected " \
                      "\"%s\"", doc_id, (expr), v_ ? v_ : "(error)", (expected));      \
        free(v_);                                                                      \
    } while (0)

START_TEST(test_rematch_rules)
{
    PGconn *c = th_connect(&env);
    char line[200], q[400], patient[24];
    th_result r;

    /* the starting point: in review, not in roster, its patient absent */
    DOC_VALUE(c, "status", "review");
    DOC_VALUE(c, "'not in roster' = ANY(review_reasons)", "t");
    snprintf(q, sizeof q, "SELECT count(*) FROM patient WHERE mrn = '%s'", mrn);
    ck_assert_int_eq(th_long(c, q), 0);

    /* a type the pipeline was unsure of */
    snprintf(q, sizeof q, "UPDATE document SET doctype_confidence = 0.5,"
             " review_reasons = ARRAY['document type uncertain', 'not in roster'],"
             " review_reason = 'document type uncertain' WHERE id = %lld", doc_id);
    PQclear(PQexec(c, q));

    /* the import adds the patient and matches again: matched on the new patient, yet
       kept in review for its type */
    r = run("patients", "import", roster2);
    ck_assert_msg(strstr(r.out, "imported 41 patients (1 new"), "%s", r.out);
    snprintf(line, sizeof line, "document %lld: still in review: document type uncertain (was: "
             "document type uncertain; not in roster)", doc_id);
    ck_assert_msg(strstr(r.out, line), "%s\nexpected: %s", r.out, line);
    ck_assert_msg(strstr(r.out, "0 filed"), "%s", r.out);
    th_result_free(&r);
    DOC_VALUE(c, "status", "review");
    DOC_VALUE(c, "review_reason", "document type uncertain");
    DOC_VALUE(c, "patient_id IS NULL", "t");
    DOC_VALUE(c, "candidates->0->>'mrn'", mrn);
    snprintf(q, sizeof q, "SELECT id FROM patient WHERE mrn = '%s'", mrn);
    snprintf(patient, sizeof patient, "%ld", th_long(c, q));
    DOC_VALUE(c, "candidates->0->>'patient_id'", patient);
    snprintf(q, sizeof q, "SELECT before->>'review_reason' || ' -> ' || (after->>'review_reason')"
             " || ' ' || (detail->>'filed') FROM audit WHERE action = 'rematch'"
             " AND object_kind = 'document' AND object_id = '%lld'", doc_id);
    TH_ASSERT_VALUE(c, q, "document type uncertain -> document type uncertain false");

    /* with its type sure but a reviewer holding it, it is left alone */
    snprintf(q, sizeof q, "UPDATE document SET doctype_confidence = 0.99,"
             " review_reasons = ARRAY['not in roster'], review_reason = 'not in roster',"
             " candidates = '[]' WHERE id = %lld", doc_id);
    PQclear(PQexec(c, q));
    snprintf(q, sizeof q, "INSERT INTO review_lease VALUES (%lld, 'alice', now() + interval"
             " '10 min')", doc_id);
    PQclear(PQexec(c, q));
    {
        char b[24];
        snprintf(b, sizeof b, "%lld", batch_id);
        r = run("rematch", "--batch", b);
    }
    snprintf(line, sizeof line, "document %lld: held by a reviewer", doc_id);
    ck_assert_msg(strstr(r.out, line), "%s", r.out);
    ck_assert_msg(strstr(r.out, "0 filed"), "%s", r.out);
    th_result_free(&r);
    DOC_VALUE(c, "status || ' ' || candidates::text", "review []");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'rematch'"), 1);
    PQclear(PQexec(c, "DELETE FROM review_lease"));

    /* released, its type sure: the same rules file it on the new patient */
    r = run("rematch", NULL, NULL);
    snprintf(line, sizeof line, "document %lld: filed (was: not in roster)", doc_id);
    ck_assert_msg(strstr(r.out, line), "%s", r.out);
    ck_assert_msg(strstr(r.out, "1 filed"), "%s", r.out);
    ck_assert_msg(!strstr(r.out, mrn), "the report shows an MRN: %s", r.out);
    th_result_free(&r);
    DOC_VALUE(c, "status", "filed");
    DOC_VALUE(c, "filed_by", "auto");
    DOC_VALUE(c, "patient_id", patient);
    DOC_VALUE(c, "review_reason IS NULL AND review_reasons = '{}'", "t");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'rematch'"), 2);
    snprintf(q, sizeof q, "SELECT (before->>'status') || ' -> ' || (after->>'status') || ' '"
             " || (after->>'patient_mrn') FROM audit WHERE action = 'rematch'"
             " ORDER BY id DESC LIMIT 1");
    snprintf(line, sizeof line, "review -> filed %s", mrn);
    TH_ASSERT_VALUE(c, q, line);
    /* the EHR's view sees it filed */
    snprintf(q, sizeof q, "SELECT count(*) FROM ehr.document WHERE document_id = %lld", doc_id);
    ck_assert_int_eq(th_long(c, q), 1);

    /* nothing left to do: a second run changes nothing */
    r = run("rematch", NULL, NULL);
    ck_assert_msg(!strstr(r.out, "  document "), "%s", r.out);
    ck_assert_msg(strstr(r.out, "0 filed"), "%s", r.out);
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'rematch'"), 2);
    /* an import that changes no document's match says only what it imported */
    r = run("patients", "import", roster2);
    ck_assert_str_eq(r.out, "imported 41 patients (0 new, 41 updated)\n");
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'rematch'"), 2);
    PQfinish(c);
}
END_TEST

START_TEST(test_usage)
{
    th_result r = th_chartscan(&env, "rematch", "extra", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "rematch", "--batch", "no-such-batch", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    th_result_free(&r);
}
END_TEST

/* roster2.csv: roster.csv and the patient of the sample's file that is not in it. */
static void write_roster2(PGconn *c)
{
    char path[200], *roster;
    FILE *fp;
    PGresult *r;

    snprintf(path, sizeof path, "%s/sample/truth.jsonl", env.dir);
    if (th_load_jsonl(c, "truth", path) < 0)
        exit(2);
    r = PQexec(c,
        "SELECT j->>'mrn', m[1], m[2], to_char(to_date(b[1], 'MM/DD/YYYY'), 'YYYY-MM-DD')"
        "  FROM truth, regexp_match(j->>'text', 'Patient: ([A-Z]+), ([A-Z]+)') m,"
        "       regexp_match(j->>'text', 'DOB: ([0-9/]+)') b"
        " WHERE NOT (j->>'in_roster')::boolean AND j->>'mrn' IS NOT NULL"
        "   AND j->>'file' = 'box01/chart_0003.tif' LIMIT 1");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "the sample has no patient missing from the roster: %s",
                PQresultErrorMessage(r));
        exit(2);
    }
    snprintf(mrn, sizeof mrn, "%s", PQgetvalue(r, 0, 0));
    snprintf(path, sizeof path, "%s/sample/roster.csv", env.dir);
    roster = th_slurp(path, NULL);
    snprintf(roster2, sizeof roster2, "%s/roster2.csv", env.dir);
    fp = fopen(roster2, "w");
    if (!roster || !fp)
        exit(2);
    fprintf(fp, "%s%s,%s,%s,,%s,U\n", roster, mrn, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2),
            PQgetvalue(r, 0, 3));
    fclose(fp);
    free(roster);
    PQclear(r);
}

int main(void)
{
    SRunner *sr;
    Suite *s;
    TCase *tc;
    PGconn *c;
    int failed;

    th_setup_processed_sample(&env, "rm", 12, 4);
    c = th_connect(&env);
    write_roster2(c);
    {
        char q[400];
        snprintf(q, sizeof q, "SELECT d.id FROM document d JOIN source_file f ON f.id = d.file_id"
                 " WHERE f.path LIKE '%%chart_0003.tif' ORDER BY d.id LIMIT 1");
        doc_id = th_long(c, q);
        batch_id = th_long(c, "SELECT min(id) FROM batch");
    }
    PQfinish(c);
    if (doc_id <= 0 || batch_id <= 0) {
        fprintf(stderr, "the sample batch did not give the document the test needs\n");
        exit(2);
    }
    s = suite_create("rematch");
    tc = tcase_create("rules");
    tcase_add_test(tc, test_usage);
    tcase_add_test(tc, test_rematch_rules);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

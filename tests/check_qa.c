/*
 * check_qa.c — the sample audit of automatic filing (issue 14, item 2):
 * the Wilson interval and the sample size against known values; then, on
 * a database holding made-up batches (inserted directly: the audit needs
 * only documents the pipeline filed, not their pages), `chartscan qa
 * sample` (only current auto-filed documents, once per batch, finished
 * batches only, bad input refused), the default sample of finished
 * batches, the blind check (the list shows no answer; the reviewer role
 * may do it), `qa report` with its intervals and its flag, and `qa
 * review-all` (a correction per filed document through the reopen path,
 * the filed versions current until refiled, then an MDM^T10).
 *
 * The data tests run in order on one database (CK_NOFORK keeps them in
 * this process).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/review/qa_store.h"
#include "review/review.h"
#include "tests/harness.h"

static th_env env;
static PGconn *db;

#define Z95 1.959963984540054

START_TEST(test_wilson_known_values)
{
    /* k, n, low, high: the Wilson score interval at 95% (Newcombe 1998, method 3) */
    static const struct { long k, n; double lo, hi; } v[] = {
        {8, 10, 0.4902, 0.9433},  {0, 10, 0.0, 0.2775},    {10, 10, 0.7225, 1.0},
        {50, 100, 0.4038, 0.5962}, {19, 20, 0.7639, 0.9911}, {95, 100, 0.8882, 0.9785},
        {1, 1, 0.2065, 1.0},
    };
    double lo, hi;

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        ck_assert_int_eq(cs_qa_wilson(v[i].k, v[i].n, Z95, &lo, &hi), 0);
        ck_assert_msg(lo > v[i].lo - 5e-5 && lo < v[i].lo + 5e-5 && hi > v[i].hi - 5e-5 &&
                      hi < v[i].hi + 5e-5, "%ld/%ld: [%.5f, %.5f], expected [%.4f, %.4f]",
                      v[i].k, v[i].n, lo, hi, v[i].lo, v[i].hi);
    }
    ck_assert_int_eq(cs_qa_wilson(0, 0, Z95, &lo, &hi), -1);
    ck_assert_int_eq(cs_qa_wilson(3, 2, Z95, &lo, &hi), -1);
    ck_assert_int_eq(cs_qa_wilson(-1, 2, Z95, &lo, &hi), -1);
    ck_assert(lo == 0 && hi == 0);
}
END_TEST

START_TEST(test_sample_size)
{
    ck_assert_int_eq(cs_qa_sample_size(100, 0.05, 20), 20);    /* the minimum */
    ck_assert_int_eq(cs_qa_sample_size(400, 0.05, 20), 20);    /* 0.05 * 400 exactly */
    ck_assert_int_eq(cs_qa_sample_size(401, 0.05, 20), 21);    /* rounded up */
    ck_assert_int_eq(cs_qa_sample_size(1000, 0.05, 20), 50);
    ck_assert_int_eq(cs_qa_sample_size(10, 0.05, 20), 10);     /* never more than there are */
    ck_assert_int_eq(cs_qa_sample_size(30, 0.5, 0), 15);
    ck_assert_int_eq(cs_qa_sample_size(0, 0.05, 20), 0);
}
END_TEST

/* Outside a test: a failure ends the program (status 2). */
static void sql(const char *q)
{
    PGresult *r = PQexec(db, q);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "check_qa: %s: %s", q, PQerrorMessage(db));
        th_teardown(&env);
        exit(2);
    }
    PQclear(r);
}

/* n auto-filed documents of batch b's file f from first page p0 (filed_by 'auto' or NULL). */
static void auto_docs(int b, int f, int p0, int n)
{
    char q[800];
    snprintf(q, sizeof q,
             "INSERT INTO document (batch_id, file_id, first_page, status, doctype, patient_id,"
             "       filed_by, filed_at)"
             " SELECT %d, %d, g, 'filed', 'progress_note', 1,"
             "        CASE WHEN g %% 2 = 0 THEN 'auto' END, now()"
             "   FROM generate_series(%d, %d) g", b, f, p0, p0 + n - 1);
    sql(q);
}

/*
 * Batch 1: 100 auto-filed documents (patient 1, progress notes), 5 filed by
 * a reviewer, 3 in review, 2 auto-filed versions superseded.  Batch 2: 10
 * auto-filed, a job still queued.  Batches 3 and 4: 30 and 25 auto-filed,
 * finished.  Batch 5: 3 auto-filed, one filed by a reviewer, one in review,
 * one superseded, one rejected.
 */
static void data(void)
{
    sql("INSERT INTO patient (id, mrn, last_name, first_name) VALUES"
        " (1, 'M1', 'Alpha', 'Ann'), (2, 'M2', 'Beta', 'Bob'), (3, 'M3', 'Gamma', 'Gus')");
    sql("INSERT INTO batch (id, name, sha256, size_bytes, archive_oid, status) VALUES"
        " (1, 'one.zip', 'a', 1, 0, 'unpacked'), (2, 'two.zip', 'b', 1, 0, 'unpacked'),"
        " (3, 'three.zip', 'c', 1, 0, 'unpacked')");
    sql("INSERT INTO source_file (id, batch_id, entry_index, path, status) VALUES"
        " (1, 1, 0, 'a.tif', 'pages'), (2, 2, 0, 'b.tif', 'pages'), (3, 3, 0, 'c.tif', 'pages')");
    auto_docs(1, 1, 1, 100);
    sql("INSERT INTO document (batch_id, file_id, first_page, status, doctype, patient_id,"
        "       filed_by, filed_at) SELECT 1, 1, g, 'filed', 'letter', 2, 'alice', now()"
        "  FROM generate_series(101, 105) g");
    sql("INSERT INTO document (batch_id, file_id, first_page, status, doctype, patient_id)"
        " SELECT 1, 1, g, 'review', 'letter', 2 FROM generate_series(106, 108) g");
    sql("INSERT INTO document (batch_id, file_id, first_page, status, doctype, patient_id,"
        "       filed_by, filed_at, superseded_at)"
        " SELECT 1, 1, g, 'filed', 'letter', 3, 'auto', now(), now()"
        "   FROM generate_series(1, 2) g");
    auto_docs(2, 2, 1, 10);
    sql("INSERT INTO job (kind, batch_id, file_id, status) VALUES ('assemble', 2, 2, 'queued')");
    auto_docs(3, 3, 1, 30);
    /* batch 4: the browser's */
    sql("INSERT INTO batch (id, name, sha256, size_bytes, archive_oid, status) VALUES"
        " (4, 'four.zip', 'd', 1, 0, 'unpacked')");
    sql("INSERT INTO source_file (id, batch_id, entry_index, path, status) VALUES"
        " (4, 4, 0, 'd.tif', 'pages')");
    auto_docs(4, 4, 1, 25);
    /* batch 5: 3 auto-filed among every other kind of document */
    sql("INSERT INTO batch (id, name, sha256, size_bytes, archive_oid, status) VALUES"
        " (5, 'five.zip', 'e', 1, 0, 'unpacked')");
    sql("INSERT INTO source_file (id, batch_id, entry_index, path, status) VALUES"
        " (5, 5, 0, 'e.tif', 'pages')");
    auto_docs(5, 5, 1, 3);
    sql("INSERT INTO document (batch_id, file_id, first_page, status, doctype, patient_id,"
        "       filed_by, filed_at, superseded_at) VALUES"
        " (5, 5, 4, 'filed', 'letter', 1, 'alice', now(), NULL),"
        " (5, 5, 5, 'review', 'letter', 1, NULL, NULL, NULL),"
        " (5, 5, 6, 'filed', 'letter', 1, 'auto', now(), now()),"
        " (5, 5, 7, 'rejected', 'letter', 1, NULL, NULL, NULL)");
}

static void expect(th_result *r, int status, const char *in_out, const char *in_err)
{
    ck_assert_msg(r->status == status, "exit %d, expected %d; stderr: %s", r->status, status,
                  r->err);
    if (in_out)
        ck_assert_msg(strstr(r->out, in_out), "\"%s\" not in the output:\n%s", in_out, r->out);
    if (in_err)
        ck_assert_msg(strstr(r->err, in_err), "\"%s\" not in stderr:\n%s", in_err, r->err);
    th_result_free(r);
}

START_TEST(test_sample_command)
{
    th_result r;

    /* bad input: usage errors, nothing drawn */
    r = th_chartscan(&env, "qa", "sample", "--batch", "1", "--rate", "0", NULL);
    expect(&r, 2, NULL, "--rate");
    r = th_chartscan(&env, "qa", "sample", "--batch", "1", "--rate", "1.5", NULL);
    expect(&r, 2, NULL, "--rate");
    r = th_chartscan(&env, "qa", "sample", "--batch", "x", NULL);
    expect(&r, 2, NULL, "--batch");
    r = th_chartscan(&env, "qa", "sample", "--min", "-1", "--batch", "1", NULL);
    expect(&r, 2, NULL, "--min");
    r = th_chartscan(&env, "qa", "sample", NULL);
    expect(&r, 2, NULL, "--batch");
    r = th_chartscan(&env, "qa", "frobnicate", NULL);
    expect(&r, 2, NULL, "unknown qa action");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample", "0");

    r = th_chartscan(&env, "qa", "sample", "--batch", "99", NULL);
    expect(&r, 1, NULL, "no batch 99");
    r = th_chartscan(&env, "qa", "sample", "--batch", "2", NULL);
    expect(&r, 1, NULL, "not finished");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample", "0");

    setenv("CHARTSCAN_ACTOR", "qa-lead", 1);
    /* everything: exactly the current auto-filed documents; with the default
       sample switched off, no other batch is drawn */
    sql("UPDATE qa_policy SET enabled = false");
    r = th_chartscan(&env, "qa", "sample", "--batch", "5", "--rate", "1", "--min", "0", NULL);
    expect(&r, 0, "batch 5: 3 auto-filed documents sampled", NULL);
    sql("UPDATE qa_policy SET enabled = true");
    TH_ASSERT_VALUE(db, "SELECT string_agg(batch_id::text, ',') FROM qa_batch", "5");
    TH_ASSERT_VALUE(db, "SELECT string_agg(d.first_page::text, ',' ORDER BY d.first_page)"
                        "  FROM qa_sample s JOIN document d ON d.id = s.document_id"
                        " WHERE s.batch_id = 5", "1,2,3");
    r = th_chartscan(&env, "qa", "sample", "--batch", "1", "--rate", "0.05", "--min", "20", NULL);
    expect(&r, 0, "batch 1: 20 auto-filed documents sampled", NULL);
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample WHERE batch_id = 1", "20");
    /* only the current versions the pipeline filed on its own, with its answer frozen */
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample s JOIN document d ON d.id = s.document_id"
                        " WHERE s.batch_id = 1 AND (d.status <> 'filed' OR d.superseded_at IS NOT NULL"
                        "    OR coalesce(d.filed_by, 'auto') <> 'auto' OR d.batch_id <> 1"
                        "    OR s.pipeline_patient_id <> 1 OR s.pipeline_doctype <> 'progress_note')",
                    "0");
    TH_ASSERT_VALUE(db, "SELECT auto_filed || ' ' || drawn_by FROM qa_batch WHERE batch_id = 1",
                    "100 qa-lead");
    TH_ASSERT_VALUE(db, "SELECT detail->>'drawn' FROM audit WHERE action = 'qa_sample'"
                        " AND object_id = '1' AND actor = 'qa-lead'", "20");
    /* the default of the other finished batch came with it; batch 2 still works */
    TH_ASSERT_VALUE(db, "SELECT count(*) || ' ' || min(q.drawn_by) FROM qa_sample s"
                        " JOIN qa_batch q USING (batch_id) WHERE batch_id = 3", "20 default");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_batch WHERE batch_id = 2", "0");

    /* once per batch */
    r = th_chartscan(&env, "qa", "sample", "--batch", "1", "--rate", "0.5", NULL);
    expect(&r, 1, NULL, "sampled already");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample WHERE batch_id = 1", "20");
}
END_TEST

START_TEST(test_blind_check)
{
    cs_store *s = NULL;
    char err[CS_ERRLEN] = "", *json = NULL, q[256];
    long long ids[20];
    PGresult *r;

    /* the station's role: the list of samples carries no answer */
    ck_assert_msg(cs_store_open_as(&s, CS_DB_REVIEWER, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(cs_qa_samples_json(s, 1, &json, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(strstr(json, "\"checked\": false") && !strstr(json, "\"doctype\":") &&
                  !strstr(json, "patient_id") && !strstr(json, "M1") && !strstr(json, "pipeline"),
                  "%s", json);
    free(json);

    r = PQexec(db, "SELECT id FROM qa_sample WHERE batch_id = 1 ORDER BY id");
    ck_assert_int_eq(PQntuples(r), 20);
    for (int i = 0; i < 20; i++)
        ids[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
    PQclear(r);

    /* bad answers change nothing */
    ck_assert_msg(cs_qa_check(s, ids[0], "rita", 999, "progress_note", NULL, err, sizeof err) ==
                  CS_REVIEW_BAD, "%s", err);
    ck_assert_int_eq(cs_qa_check(s, ids[0], "rita", 1, "no_such_type", NULL, err, sizeof err),
                     CS_REVIEW_BAD);
    ck_assert_int_eq(cs_qa_check(s, 999999, "rita", 1, "progress_note", NULL, err, sizeof err),
                     CS_REVIEW_BAD);
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample WHERE checked_at IS NOT NULL", "0");

    /* 18 agree, one names another patient, one another type */
    for (int i = 0; i < 20; i++) {
        long long patient = i == 18 ? 2 : 1;
        const char *type = i == 19 ? "letter" : "progress_note";
        ck_assert_msg(cs_qa_check(s, ids[i], "rita", patient, type, &json, err, sizeof err) == 0,
                      "%s", err);
        if (i == 18)
            ck_assert_msg(strstr(json, "\"patient_right\": false") &&
                          strstr(json, "\"doctype_right\": true") && strstr(json, "\"M1\"") &&
                          strstr(json, "\"M2\""), "%s", json);
        free(json);
    }
    ck_assert_int_eq(cs_qa_check(s, ids[0], "rita", 1, "progress_note", NULL, err, sizeof err),
                     CS_REVIEW_CONFLICT);
    cs_store_close(&s);

    TH_ASSERT_VALUE(db, "SELECT count(*) FILTER (WHERE patient_right) || ' '"
                        "    || count(*) FILTER (WHERE doctype_right) || ' ' || count(checked_at)"
                        "  FROM qa_sample WHERE batch_id = 1", "19 19 20");
    snprintf(q, sizeof q, "SELECT detail->>'patient_right' FROM audit WHERE action = 'qa_check'"
                          " AND actor = 'rita' AND (detail->>'sample')::bigint = %lld", ids[18]);
    TH_ASSERT_VALUE(db, q, "false");
}
END_TEST

START_TEST(test_report)
{
    th_result r;
    cs_store *s = NULL;
    char err[CS_ERRLEN] = "", *json = NULL;

    r = th_chartscan(&env, "qa", "report", NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "19/20 95.0% [76.4-99.1]"), "%s", r.out);  /* patient, type */
    ck_assert_msg(strstr(r.out, "18/20 90.0% [69.9-97.2]"), "%s", r.out);  /* both */
    ck_assert_msg(strstr(r.out, "WRONG PATIENT"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "\nall "), "%s", r.out);
    th_result_free(&r);
    r = th_chartscan(&env, "qa", "report", "--batch", "3", NULL);
    ck_assert_msg(r.status == 0 && !strstr(r.out, "WRONG PATIENT") && strstr(r.out, "three.zip")
                  && !strstr(r.out, "one.zip"), "%s%s", r.out, r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "qa", "report", "--batch", "2", NULL);
    expect(&r, 1, NULL, "no sample");

    ck_assert_msg(cs_store_open_as(&s, CS_DB_REVIEWER, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(cs_qa_report_json(s, 0, &json, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(strstr(json, "\"patient\":{\"right\":19,\"rate\":0.9500,\"low\":0.7639,"
                               "\"high\":0.9911}") && strstr(json, "\"wrong_patient\":true"),
                  "%s", json);
    free(json);
    cs_store_close(&s);
}
END_TEST

/* ---- the station's API (review/api_qa.c) ---- */

static int port;

typedef struct reply {
    int status;
    char *text;      /* headers and body */
} reply;

static reply http(const char *method, const char *path, const char *headers, const char *body)
{
    reply r;
    r.status = th_http(port, method, path, headers, body, &r.text);
    return r;
}

/* Log in: the headers of the session (Cookie and X-CSRF-Token lines). */
static void login(const char *user, char headers[256])
{
    char body[120], cookie[128];
    reply r;
    const char *c;

    snprintf(body, sizeof body, "name=%s&password=another+password", user);
    r = http("POST", "/api/login", "X-Requested-With: chartscan\r\n", body);
    ck_assert_msg(r.status == 200, "login: %s", r.text);
    c = strstr(r.text, "Set-Cookie: cs_session=");
    ck_assert_ptr_nonnull(c);
    snprintf(cookie, sizeof cookie, "Cookie: %.*s\r\n", 75, c + 12);
    free(r.text);
    r = http("GET", "/api/me", cookie, NULL);
    c = strstr(r.text, "\"csrf\":\"");
    ck_assert_ptr_nonnull(c);
    snprintf(headers, 256, "%sX-CSRF-Token: %.64s\r\n", cookie, c + 8);
    free(r.text);
}

/* The reply of a request, checked for status and (when given) a piece of text. */
static void expect_http(const char *method, const char *path, const char *headers,
                        const char *body, int status, const char *text)
{
    reply r = http(method, path, headers, body);
    ck_assert_msg(r.status == status && (!text || strstr(r.text, text)),
                  "%s %s gave %d, expected %d with \"%s\": %s", method, path, r.status, status,
                  text ? text : "", r.text);
    free(r.text);
}

START_TEST(test_station)
{
    cs_review_options o = {"127.0.0.1:0", NULL, NULL};
    cs_review_server *server = NULL;
    cs_store *s = NULL;
    char err[CS_ERRLEN] = "", rita[256], adam[256], path[96], cookie_only[160];
    FILE *out = fopen("/dev/null", "w"), *in;
    long long sample;

    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    in = fmemopen((char *)"another password\n", 17, "r");
    ck_assert_msg(cs_review_users_add(s, "rita", "reviewer", in, out, err, sizeof err) == 0, "%s",
                  err);
    fclose(in);
    in = fmemopen((char *)"another password\n", 17, "r");
    ck_assert_msg(cs_review_users_add(s, "adam", "admin", in, out, err, sizeof err) == 0, "%s",
                  err);
    fclose(in);
    fclose(out);
    cs_store_close(&s);
    server = cs_review_server_start(&o, err, sizeof err);
    ck_assert_msg(server != NULL, "%s", err);
    port = cs_review_server_port(server);

    expect_http("GET", "/api/qa/samples", NULL, NULL, 401, NULL);
    login("rita", rita);
    login("adam", adam);
    expect_http("GET", "/qa", rita, NULL, 200, "/static/qa.js");
    expect_http("GET", "/static/qa.js", NULL, NULL, 200, "/api/qa/samples/");
    /* the list: no answer of the pipeline's */
    {
        reply r = http("GET", "/api/qa/samples?batch=3", rita, NULL);
        ck_assert_msg(r.status == 200 && strstr(r.text, "\"checked\": false") &&
                      !strstr(r.text, "\"doctype\":") && !strstr(r.text, "\"M1\"") &&
                      !strstr(r.text, "pipeline") && strstr(r.text, "progress_note"), "%s",
                      r.text);
        free(r.text);
    }
    sample = th_long(db, "SELECT min(id) FROM qa_sample WHERE batch_id = 3");
    snprintf(path, sizeof path, "/api/qa/samples/%lld/check", sample);
    /* a POST without the CSRF token, bad answers: refused, nothing stored */
    snprintf(cookie_only, sizeof cookie_only, "%.*s", (int)(strstr(rita, "X-CSRF") - rita), rita);
    expect_http("POST", path, cookie_only, "mrn=M1&doctype=progress_note", 403, NULL);
    expect_http("POST", path, rita, "mrn=NOPE&doctype=progress_note", 400, "no patient");
    expect_http("POST", path, rita, "mrn=M1", 400, "type");
    expect_http("POST", path, rita, "doctype=letter", 400, "MRN");
    expect_http("POST", path, rita, "mrn=M1&not_in_roster=1&doctype=letter", 400, "not both");
    expect_http("POST", "/api/qa/samples/999999/check", rita, "mrn=M1&doctype=letter", 400,
                "no sample");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM qa_sample WHERE batch_id = 3 AND checked_at"
                        " IS NOT NULL", "0");
    /* the check: the pipeline's answer only now */
    expect_http("POST", path, rita, "mrn=M2&doctype=progress_note", 200,
                "\"patient_right\": false");
    expect_http("POST", path, rita, "mrn=M1&doctype=progress_note", 409, "checked already");
    {
        char q[160];
        snprintf(q, sizeof q, "SELECT checked_by || ' ' || reviewer_patient_id FROM qa_sample"
                              " WHERE id = %lld", sample);
        TH_ASSERT_VALUE(db, q, "rita 2");
    }
    expect_http("GET", "/api/qa/report?batch=3", rita, NULL, 200, "\"wrong_patient\":true");
    expect_http("GET", "/api/qa/samples/999999/pages/1.png", rita, NULL, 404, NULL);
    /* full review: admins only */
    expect_http("POST", "/api/qa/batches/3/review-all", rita, "", 403, NULL);
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM document WHERE batch_id = 3 AND status = 'filed'",
                    "30");
    expect_http("POST", "/api/qa/batches/3/review-all", adam, "", 200, "\"documents\":30");
    /* each one reopened: a correction in review, the filed version still current */
    TH_ASSERT_VALUE(db, "SELECT count(*) FILTER (WHERE status = 'review' AND replaces_id IS NOT"
                        " NULL) || ' ' || count(*) FILTER (WHERE status = 'filed' AND"
                        " reopened_at IS NOT NULL AND superseded_at IS NULL)"
                        "  FROM document WHERE batch_id = 3", "30 30");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM audit WHERE action = 'reopen' AND actor = 'adam'"
                        "   AND detail->>'reason' = 'qa full review'", "30");
    expect_http("POST", "/api/qa/batches/999/review-all", adam, "", 404, NULL);
    cs_review_server_stop(&server);
}
END_TEST

/* The page in chromium (tests/e2e/qa.e2e.js): the blind check and full review. */
START_TEST(test_browser)
{
    cs_review_options o = {"127.0.0.1:0", NULL, NULL};
    cs_review_server *server = NULL;
    char err[CS_ERRLEN] = "", out_dir[700], cmd[2048];
    int rc;

    if (access("/usr/bin/chromium", X_OK) != 0)
        ck_abort_msg("/usr/bin/chromium is missing: run scripts/install-deps");
    if (access("tests/e2e/node_modules/playwright-core", F_OK) != 0)
        ck_assert_msg(th_sh("cd tests/e2e && npm ci --no-audit --no-fund >/dev/null 2>&1") == 0,
                      "npm ci in tests/e2e failed");
    snprintf(out_dir, sizeof out_dir, "%s/build/test-output/qa", env.root);
    th_sh("mkdir -p '%s'", out_dir);
    server = cs_review_server_start(&o, err, sizeof err);
    ck_assert_msg(server != NULL, "%s", err);
    snprintf(cmd, sizeof cmd,
             "cd tests/e2e && BASE_URL=http://127.0.0.1:%d OUT_DIR='%s' CS_PASSWORD='another"
             " password' CS_REVIEWER=rita CS_ADMIN=adam QA_BATCH=4 PIPELINE_MRN=M1 WRONG_MRN=M3"
             " node qa.e2e.js > '%s/e2e.log' 2>&1", cs_review_server_port(server), out_dir,
             out_dir);
    rc = th_sh("%s", cmd);
    cs_review_server_stop(&server);
    if (rc != 0)
        th_sh("cat '%s/e2e.log' >&2", out_dir);
    ck_assert_msg(rc == 0, "the browser test failed (see %s/e2e.log)", out_dir);
    TH_ASSERT_VALUE(db, "SELECT count(*) || ' ' || min(checked_by) || ' ' || min(reviewer_patient_id)"
                        "    || ' ' || bool_and(NOT patient_right)"
                        "  FROM qa_sample WHERE batch_id = 4 AND checked_at IS NOT NULL",
                    "1 rita 3 true");
    TH_ASSERT_VALUE(db, "SELECT count(*) FILTER (WHERE status = 'review') || ' ' || count(*)"
                        "  FROM document WHERE batch_id = 4", "25 50");
    TH_ASSERT_VALUE(db, "SELECT review_all_by FROM qa_batch WHERE batch_id = 4", "adam");
}
END_TEST

/* Export HL7 to destination "qa-hl7", the file into env.dir/name; the messages sent. */
static int export_hl7(const char *name)
{
    cs_export_options o;
    char dir[256], err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int rc;

    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "open: %s", err);
    memset(&o, 0, sizeof o);
    o.allow_placeholder_ids = 1;   /* the test site has no OID of its own */
    o.destination = "qa-hl7";
    snprintf(dir, sizeof dir, "%s/%s", env.dir, name);
    o.out_dir = dir;
    rc = cs_export_hl7(s, &o, NULL, err, sizeof err);
    cs_store_close(&s);
    ck_assert_msg(rc >= 0, "export %s: %s", name, err);
    return rc;
}

/* Refile correction id as reviewer rita (claim, confirm). */
static void refile(long long id)
{
    cs_review_action act = {CS_REVIEW_CONFIRM, 0, "rita", NULL, 0, 0, NULL};
    char err[CS_ERRLEN] = "", holder[CS_REVIEW_NAME_MAX + 1];
    cs_store *s = NULL;

    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "open: %s", err);
    ck_assert_int_eq(cs_review_store_claim(s, id, "rita", 900, holder, err, sizeof err), 1);
    act.document_id = id;
    ck_assert_msg(cs_review_store_act(s, &act, NULL, err, sizeof err) == 0, "%s", err);
    cs_store_close(&s);
}

/*
 * Full review goes through the correction path: every current filed
 * document of batch 1 gets a correction in review while the filed version
 * stays current for the EHR (an export sends nothing); one reopened and one
 * entered in error before, and the superseded versions, are skipped; a
 * refiled correction goes out as an MDM^T10 naming the original.
 */
START_TEST(test_review_all)
{
    th_result r;
    long long reopened, cancelled, old, fix;
    char id[32], q[600], path[300];
    char *hl7, *uuid;
    long sent;

    reopened = th_long(db, "SELECT min(id) FROM document WHERE batch_id = 1 AND status = 'filed'"
                           "   AND superseded_at IS NULL");
    cancelled = th_long(db, "SELECT max(id) FROM document WHERE batch_id = 1 AND status = 'filed'"
                            "   AND superseded_at IS NULL");
    snprintf(id, sizeof id, "%lld", reopened);
    r = th_chartscan(&env, "document", "reopen", id, "--reason", "earlier", NULL);
    expect(&r, 0, NULL, NULL);
    snprintf(id, sizeof id, "%lld", cancelled);
    r = th_chartscan(&env, "document", "cancel", id, "--reason", "earlier", NULL);
    expect(&r, 0, NULL, NULL);
    /* the EHR has everything current before */
    sent = th_long(db, "SELECT count(*) FROM ehr.document WHERE version_status = 'current'");
    ck_assert_int_eq(export_hl7("qa0"), sent);

    r = th_chartscan(&env, "qa", "review-all", "--batch", "99", NULL);
    expect(&r, 1, NULL, "no batch 99");
    r = th_chartscan(&env, "qa", "review-all", "--batch", "1", NULL);
    expect(&r, 0, "batch 1: 103 filed documents reopened for review", NULL);
    r = th_chartscan(&env, "qa", "review-all", "--batch", "1", NULL);
    expect(&r, 0, "batch 1: 0 filed documents", NULL);
    /* a correction in review for each of the 103 (and the earlier reopen), none of the rest */
    TH_ASSERT_VALUE(db, "SELECT count(*) || ' ' || count(DISTINCT n.replaces_id)"
                        "  FROM document n JOIN document o ON o.id = n.replaces_id"
                        " WHERE n.batch_id = 1 AND n.status = 'review' AND o.status = 'filed'"
                        "   AND o.superseded_at IS NULL AND o.reopened_at IS NOT NULL"
                        "   AND o.entered_in_error_at IS NULL AND n.filed_by IS NULL", "104 104");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM document WHERE replaces_id IN (SELECT id FROM"
                        " document WHERE superseded_at IS NOT NULL OR entered_in_error_at IS"
                        " NOT NULL OR batch_id NOT IN (1, 3, 4))", "0");
    /* the old versions stay filed and current for the EHR; superseded and other batches too */
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM document WHERE batch_id = 1 AND status = 'filed'"
                        "   AND superseded_at IS NULL AND entered_in_error_at IS NULL", "104");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM ehr.document e JOIN document d ON"
                        " d.id = e.document_id WHERE d.batch_id = 1 AND e.version_status ="
                        " 'current'", "104");
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM document WHERE status = 'filed' AND reopened_at"
                        " IS NULL AND (batch_id NOT IN (1, 3, 4) OR superseded_at IS NOT NULL)",
                    "17");  /* 1: 2, 2: 10, 5: 5 */
    ck_assert_int_eq(export_hl7("qa1"), 0);
    /* audited: a reopen with the QA reason per document, one row for the batch */
    TH_ASSERT_VALUE(db, "SELECT count(*) FROM audit WHERE action = 'reopen'"
                        "   AND actor = 'qa-lead' AND detail->>'reason' = 'qa full review'"
                        "   AND before->>'status' = 'filed' AND object_id IN (SELECT id::text"
                        "   FROM document WHERE batch_id = 1)", "103");
    TH_ASSERT_VALUE(db, "SELECT string_agg(detail::text, ' ' ORDER BY id) FROM audit"
                        " WHERE action = 'qa_review_all' AND object_kind = 'batch'"
                        "   AND object_id = '1'",
                    "{\"skipped\": 4, \"documents\": 103} {\"skipped\": 107, \"documents\": 0}");
    r = th_chartscan(&env, "qa", "report", "--batch", "1", NULL);
    expect(&r, 0, "(in full review)", NULL);

    /* one correction refiled: an MDM^T10 naming the original in TXA-13 */
    old = th_long(db, "SELECT min(o.id) FROM document o JOIN audit a ON a.object_id = o.id::text"
                      " AND a.action = 'reopen' AND a.detail->>'reason' = 'qa full review'"
                      " WHERE o.batch_id = 1");
    snprintf(q, sizeof q, "SELECT id FROM document WHERE replaces_id = %lld", old);
    fix = th_long(db, q);
    refile(fix);
    snprintf(q, sizeof q, "SELECT o.version_status || ' ' || n.version_status FROM ehr.document o"
             " JOIN ehr.document n ON n.replaces_document_id = o.document_id"
             " WHERE o.document_id = %lld AND n.document_id = %lld", old, fix);
    TH_ASSERT_VALUE(db, q, "superseded current");
    ck_assert_int_eq(export_hl7("qa2"), 1);
    snprintf(path, sizeof path, "%s/qa2/MDM.hl7", env.dir);
    hl7 = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(hl7);
    snprintf(q, sizeof q, "SELECT uuid FROM document WHERE id = %lld", old);
    uuid = th_value(db, q);
    ck_assert_ptr_nonnull(uuid);
    ck_assert_msg(strstr(hl7, "MDM^T10") && !strstr(hl7, "MDM^T02^"), "not one MDM^T10");
    ck_assert_msg(strstr(hl7, uuid), "TXA-13 lacks the original's number");
    free(uuid);
    free(hl7);
}
END_TEST

static Suite *qa_suite(void)
{
    Suite *s = suite_create("qa");
    TCase *unit = tcase_create("wilson"), *data_case = tcase_create("audit");

    tcase_add_test(unit, test_wilson_known_values);
    tcase_add_test(unit, test_sample_size);
    suite_add_tcase(s, unit);
    tcase_set_timeout(data_case, 300);
    tcase_add_test(data_case, test_sample_command);
    tcase_add_test(data_case, test_blind_check);
    tcase_add_test(data_case, test_report);
    tcase_add_test(data_case, test_station);
    tcase_add_test(data_case, test_browser);
    tcase_add_test(data_case, test_review_all);
    suite_add_tcase(s, data_case);
    return s;
}

int main(void)
{
    SRunner *sr;
    th_result r;
    int failed;

    th_setup(&env, "qa");
    r = th_chartscan(&env, "init", NULL);
    if (r.status != 0) {
        fprintf(stderr, "init failed: %s\n", r.err);
        th_result_free(&r);
        th_teardown(&env);
        return 2;
    }
    th_result_free(&r);
    db = th_connect(&env);
    if (!db) {
        th_teardown(&env);
        return 2;
    }
    sr = srunner_create(qa_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    data();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    PQfinish(db);
    th_teardown(&env);
    return failed ? 1 : 0;
}

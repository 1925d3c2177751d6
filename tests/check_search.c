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
 *   station   GET /api/search (the review station): 401 without a session;
 *             an mrn: and a full-text query find the document; the audit
 *             row names the user and holds no query value; a malformed
 *             query is 400, unaudited
 *   browser   the search page in chromium (tests/e2e/search.e2e.js): the
 *             queue's Search link, results without links for a reviewer,
 *             linked to the document page for an admin
 *
 * The fixture (main) processes the sample batch (seed 12, 4 files) once and
 * picks a filed document with a patient, a type and a date of service.
 */
#include <arpa/inet.h>
#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review.h"
#include "tests/harness.h"

#define PASSWORD "correct horse battery"

static th_env env;
static cs_review_server *server;
static int port;
static char out_dir[600];
static long long doc_id;
static char mrn[32], last[64], first[64], born[16], dtype[64], dos[16], word[64];

/*
 * A word the tests search for is chosen by the search's own full-text match
 * (pipeline/commands/search.c), not by its letters: "activities" and
 * "active" share the stem "activ", so a word no other page spells out may
 * still find another document.  Stop words (numnode 0) are never chosen.
 */
#define TSV(page) "to_tsvector('english'::regconfig, coalesce(" page ".text, ''))"
#define TSQ_W "websearch_to_tsquery('english'::regconfig, w)"

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
                               "   AND numnode(" TSQ_W ") > 0"
                               "   AND NOT EXISTS (SELECT 1 FROM document f JOIN page fp"
                               "       ON fp.document_id = f.id WHERE f.status = 'filed'"
                               "       AND " TSV("fp") " @@ " TSQ_W ")"
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

/* ---- the station ---- */

/* One HTTP/1.1 request to the station: the status, the whole answer in *text. */
static int http_get(const char *path, const char *headers, char **text)
{
    return th_http(port, "GET", path, headers, NULL, text);
}

/* Log in as user: the Cookie header line. */
static void login(const char *user, char cookie[128])
{
    struct sockaddr_in sa;
    cs_buf req = CS_BUF_INIT, resp = CS_BUF_INIT;
    char body[200], buf[4096];
    const char *c;
    ssize_t n;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    snprintf(body, sizeof body, "name=%s&password=%s", user, PASSWORD);
    cs_buf_printf(&req, "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                  "X-Requested-With: chartscan\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  "Content-Length: %zu\r\n\r\n%s", port, strlen(body), body);
    ck_assert_int_eq(write(fd, req.data, req.len), (ssize_t)req.len);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        cs_buf_append(&resp, buf, (size_t)n);
    close(fd);
    cs_buf_free(&req);
    ck_assert_ptr_nonnull(resp.data);
    c = strstr(resp.data, "Set-Cookie: cs_session=");
    ck_assert_msg(c != NULL, "login %s: %s", user, resp.data);
    snprintf(cookie, 128, "Cookie: %.*s\r\n", 75, c + 12);
    cs_buf_free(&resp);
}

/* GET /api/search?q=q (q already URL-encoded) as cookie: status, and the JSON body in *doc. */
static int api_search(const char *cookie, const char *q, json_t **doc)
{
    char path[400], *text;
    const char *body;
    int status;

    snprintf(path, sizeof path, "/api/search?q=%s", q);
    status = http_get(path, cookie, &text);
    body = strstr(text, "\r\n\r\n");
    *doc = body ? json_loads(body + 4, 0, NULL) : NULL;
    ck_assert_msg(*doc != NULL, "not JSON: %s", text);
    free(text);
    return status;
}

/* Does the answer's documents array hold doc_id? */
static int answer_lists_doc(json_t *doc)
{
    size_t i;
    json_t *d;

    json_array_foreach(json_object_get(doc, "documents"), i, d)
        if (json_integer_value(json_object_get(d, "document_id")) == doc_id)
            return 1;
    return 0;
}

START_TEST(test_station_search)
{
    PGconn *c = th_connect(&env);
    char cookie[128], q[128], sql[700], *text;
    json_t *doc;
    long before;

    /* no session: 401, and the page sends to the login */
    snprintf(q, sizeof q, "mrn%%3A%s", mrn);
    ck_assert_int_eq(http_get("/api/search?q=x", NULL, &text), 401);
    free(text);
    ck_assert_int_eq(http_get("/search", NULL, &text), 303);
    free(text);
    login("alice", cookie);
    ck_assert_int_eq(http_get("/search", cookie, &text), 200);
    ck_assert_ptr_nonnull(strstr(text, "/static/search.js"));
    free(text);

    PQclear(PQexec(c, "DELETE FROM audit WHERE action = 'search'"));
    ck_assert_int_eq(api_search(cookie, q, &doc), 200);
    ck_assert_msg(answer_lists_doc(doc), "mrn: did not find document %lld", doc_id);
    ck_assert(json_is_false(json_object_get(doc, "more")));
    json_decref(doc);
    /* full text: only the document whose pages hold the word */
    ck_assert_int_eq(api_search(cookie, word, &doc), 200);
    ck_assert_msg(answer_lists_doc(doc), "the word did not find document %lld", doc_id);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "documents")), 1);
    json_decref(doc);
    ck_assert_int_eq(api_search(cookie, "zyxwvutsrq", &doc), 200);
    ck_assert_int_eq(json_array_size(json_object_get(doc, "documents")), 0);
    json_decref(doc);

    /* the audit: one row per search, the user as actor, kinds, count, ids, no value */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'search'"
                                " AND actor = 'alice'"), 3);
    snprintf(sql, sizeof sql, "SELECT (detail->'kinds')::text || ' ' || (detail->>'count') ||"
             " ' ' || (detail->'ids')::text FROM audit WHERE action = 'search' ORDER BY id"
             " LIMIT 1");
    snprintf(q, sizeof q, "[\"mrn\"] 1 [%lld]", doc_id);
    TH_ASSERT_VALUE(c, sql, q);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = 'search' AND"
             " (position('%s' IN coalesce(detail::text, '') || coalesce(object_id, '')) > 0"
             "  OR position('%s' IN lower(detail::text)) > 0)", mrn, word);
    ck_assert_int_eq(th_long(c, sql), 0);

    /* malformed: 400, the message quotes nothing of the query, nothing audited */
    before = th_long(c, "SELECT count(*) FROM audit");
    ck_assert_int_eq(api_search(cookie, "born%3A1985-02-30", &doc), 400);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "error")),
                     "born: needs a date YYYY-MM-DD");
    json_decref(doc);
    ck_assert_int_eq(http_get("/api/search?q=x&limit=0", cookie, &text), 400);
    free(text);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit"), before);
    PQfinish(c);
}
END_TEST

START_TEST(test_station_browser)
{
    PGconn *c = th_connect(&env);
    long before = th_long(c, "SELECT count(*) FROM audit WHERE action = 'search'");
    int rc;

    if (access("/usr/bin/chromium", X_OK) != 0)
        ck_abort_msg("/usr/bin/chromium is missing: run scripts/install-deps");
    if (access("tests/e2e/node_modules/playwright-core", F_OK) != 0)
        ck_assert_msg(th_sh("cd tests/e2e && npm ci --no-audit --no-fund >/dev/null 2>&1") == 0,
                      "npm ci in tests/e2e failed");
    rc = th_sh("cd tests/e2e && BASE_URL=http://127.0.0.1:%d CS_USER=alice CS_ADMIN=dora"
               " CS_PASSWORD='%s' OUT_DIR='%s' DOC=%lld MRN='%s' WORD='%s'"
               " node search.e2e.js > '%s/search.log' 2>&1",
               port, PASSWORD, out_dir, doc_id, mrn, word, out_dir);
    if (rc != 0)
        th_sh("cat '%s/search.log' >&2", out_dir);
    ck_assert_msg(rc == 0, "the browser test failed (see %s/search.log)", out_dir);
    /* the page's searches went through the audited API: alice's two, dora's one */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'search'"), before + 3);
    PQfinish(c);
}
END_TEST

/* Two station users (alice a reviewer, dora an admin) and the station. */
static void start_station(void)
{
    const char *users[][2] = {{"alice", "reviewer"}, {"dora", "admin"}};
    char err[CS_ERRLEN];
    cs_store *s = NULL;
    FILE *out = fopen("/dev/null", "w");

    if (!out || cs_store_open(&s, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", out ? err : "/dev/null");
        exit(2);
    }
    for (int i = 0; i < 2; i++) {
        FILE *in = fmemopen((char *)PASSWORD "\n", strlen(PASSWORD) + 1, "r");
        if (cs_review_users_add(s, users[i][0], users[i][1], in, out, err, sizeof err) < 0) {
            fprintf(stderr, "users add: %s\n", err);
            exit(2);
        }
        fclose(in);
    }
    fclose(out);
    cs_store_close(&s);
    snprintf(out_dir, sizeof out_dir, "%s/build/test-output/search", env.root);
    th_sh("mkdir -p '%s'", out_dir);
    {
        cs_review_options o = {"127.0.0.1:0", NULL, NULL};
        server = cs_review_server_start(&o, err, sizeof err);
    }
    if (!server) {
        fprintf(stderr, "could not start the review server: %s\n", err);
        exit(2);
    }
    port = cs_review_server_port(server);
}

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
             "   AND numnode(" TSQ_W ") > 0"
             "   AND NOT EXISTS (SELECT 1 FROM page o WHERE o.document_id <> %lld"
             "                     AND " TSV("o") " @@ " TSQ_W ")"
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
    start_station();
    s = suite_create("search");
    tc = tcase_create("search");
    tcase_add_test(tc, test_fields);
    tcase_add_test(tc, test_text);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_audit);
    tcase_add_test(tc, test_station_search);
    tcase_add_test(tc, test_station_browser);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cs_review_server_stop(&server);
    th_teardown(&env);
    return failed ? 1 : 0;
}

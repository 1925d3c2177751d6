/*
 * check_corrections.c — correcting what is filed (issue 14, item 1):
 * `chartscan document reopen|cancel ID --reason TEXT` through the real
 * binary, the reopened document reviewed and filed again through the review
 * store, and what the EHR is told: HL7 MDM^T10 with the original's document
 * number (read back by @medplum/core's HL7 parser), FHIR a new
 * DocumentReference with relatesTo replaces and the old one superseded
 * (validated by @medplum/core), MDM^T11 / entered-in-error for a cancel;
 * each correction reaches a destination exactly once; a reason is required;
 * both actions are audited.  The station's API for the buttons (POST
 * /api/documents/ID/reopen, /cancel for admins only) over HTTP to the server
 * run in this process, and the buttons in Debian's chromium
 * (tests/e2e/corrections.e2e.js, playwright-core).
 *
 * The fixture processes a generated sample batch once (as check_export);
 * the tests use destinations of their own, so they do not depend on each
 * other's order.  The consumers (tests/consumers/) are installed with
 * "npm ci" when missing.
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
#include "pipeline/review/review_store.h"
#include "review/review.h"
#include "tests/harness.h"

#define STATION_PASSWORD "correct horse battery"

static th_env env;
static char consumers[600];

/* The tests correct 7 filed documents between them, each one of its own. */
#define FILED_NEEDED 7

static void setup(void)
{
    long filed;

    th_setup_processed_sample(&env, "corrections", 7, 10);
    {
        PGconn *c = th_connect(&env);
        filed = c ? th_long(c, "SELECT count(*) FROM document WHERE status = 'filed'") : -1;
        PQfinish(c);
    }
    if (filed < FILED_NEEDED) {
        fprintf(stderr, "check_corrections: the sample batch gave %ld filed documents; need %d\n",
                filed, FILED_NEEDED);
        exit(2);
    }
    snprintf(consumers, sizeof consumers, "%s/tests/consumers", env.root);
    if (th_sh("test -d '%s/node_modules/@medplum/core'", consumers) != 0 &&
        th_sh("cd '%s' && npm ci --no-audit --no-fund --loglevel=error >&2", consumers) != 0) {
        fprintf(stderr, "check_corrections: npm ci failed in %s\n", consumers);
        exit(2);
    }
    setenv("CHARTSCAN_ACTOR", "qa-lead", 1);
}

static void teardown(void)
{
    th_teardown(&env);
}

static cs_store *open_store(void)
{
    cs_store *s = NULL;
    char err[CS_ERRLEN];
    int rc = cs_store_open(&s, err, sizeof err);
    ck_assert_msg(rc == 0, "open: %s", err);
    return s;
}

/* Export to destination dest, files into env.dir/name; cs_export_*'s result. */
static int export_to(int hl7, const char *dest, const char *name)
{
    cs_export_options o;
    char dir[256], err[CS_ERRLEN] = "";
    cs_store *s = open_store();
    int rc;

    memset(&o, 0, sizeof o);
    o.allow_placeholder_ids = 1;   /* the test site has no OID of its own */
    o.destination = dest;
    snprintf(dir, sizeof dir, "%s/%s", env.dir, name);
    o.out_dir = dir;
    rc = hl7 ? cs_export_hl7(s, &o, NULL, err, sizeof err) : cs_export_fhir(s, &o, NULL, err, sizeof err);
    cs_store_close(&s);
    ck_assert_msg(rc >= 0, "export %s: %s", name, err);
    return rc;
}

/* The export in env.dir/name read by the consumer into table name; its row count. */
static long consume(PGconn *c, int hl7, const char *name)
{
    char path[300];
    int rc = th_sh("cd '%s' && node consumers.mjs %s '%s/%s/%s' > '%s/%s.jsonl'", consumers,
                   hl7 ? "hl7" : "fhir", env.dir, name,
                   hl7 ? "MDM.hl7" : "DocumentReference.ndjson", env.dir, name);
    ck_assert_msg(rc == 0, "the %s consumer refused %s", hl7 ? "HL7" : "FHIR", name);
    snprintf(path, sizeof path, "%s/%s.jsonl", env.dir, name);
    return th_load_jsonl(c, name, path);
}

static th_result run_cli(const char *verb, const char *id, const char *reason)
{
    if (reason)
        return th_chartscan(&env, "document", verb, id, "--reason", reason, (char *)NULL);
    return th_chartscan(&env, "document", verb, id, (char *)NULL);
}

static void expect_cli(const char *verb, const char *id, const char *reason, int status,
                       const char *in_err)
{
    th_result r = run_cli(verb, id, reason);
    ck_assert_msg(r.status == status, "document %s %s: status %d, expected %d: %s", verb, id,
                  r.status, status, r.err);
    if (in_err)
        ck_assert_msg(strstr(r.err, in_err), "document %s %s: \"%s\" lacks \"%s\"", verb, id,
                      r.err, in_err);
    th_result_free(&r);
}

/* A current filed document other than those given; its id. */
static long long pick_filed(PGconn *c, long long not1, long long not2)
{
    char q[300];
    long long id;
    snprintf(q, sizeof q, "SELECT min(id) FROM document WHERE status = 'filed'"
             " AND superseded_at IS NULL AND reopened_at IS NULL AND entered_in_error_at IS NULL"
             " AND replaces_id IS NULL AND id NOT IN (%lld, %lld)", not1, not2);
    id = th_long(c, q);
    ck_assert_int_gt(id, 0);
    return id;
}

START_TEST(test_reason_required_and_refusals)
{
    PGconn *c = th_connect(&env);
    long long a = pick_filed(c, 0, 0), in_review;
    char id[32], q[300];

    snprintf(id, sizeof id, "d-%lld", a);
    expect_cli("reopen", id, NULL, 2, "--reason");
    expect_cli("reopen", id, " \t", 2, "--reason");
    expect_cli("cancel", id, NULL, 2, "--reason");
    expect_cli("cancel", id, "", 2, "--reason");
    expect_cli("reopen", "d-x", "why", 2, "not a document id");
    expect_cli("frobnicate", id, "why", 2, "unknown document command");
    expect_cli("reopen", "99999999", "why", 1, "no document");
    in_review = th_long(c, "SELECT coalesce(min(id), 0) FROM document WHERE status = 'review'");
    if (in_review > 0) {
        snprintf(id, sizeof id, "%lld", in_review);
        expect_cli("reopen", id, "why", 1, "not filed");
    }
    /* nothing changed, nothing audited */
    snprintf(q, sizeof q, "SELECT count(*) FROM document WHERE reopened_at IS NOT NULL"
             " OR entered_in_error_at IS NOT NULL OR replaces_id = %lld", a);
    ck_assert_int_eq(th_long(c, q), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action IN ('reopen', 'cancel')"),
                     0);
    /* the store refuses a blank reason too */
    {
        cs_store *s = open_store();
        char err[CS_ERRLEN];
        ck_assert_int_eq(cs_review_store_correct(s, CS_CORRECT_REOPEN, a, "rev1", "  ", NULL, err,
                                                 sizeof err), CS_REVIEW_BAD);
        ck_assert_ptr_nonnull(strstr(err, "reason"));
        cs_store_close(&s);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_reopen_review_refile)
{
    PGconn *c = th_connect(&env);
    cs_store *s;
    long long a, b, other;
    char id[32], q[700], err[CS_ERRLEN], holder[CS_REVIEW_NAME_MAX + 1];
    cs_review_action act = {CS_REVIEW_CHANGE_PATIENT, 0, "rev1", NULL, 0, 0, NULL};
    th_result r;
    int filed;

    /* both destinations have everything */
    filed = (int)th_long(c, "SELECT count(*) FROM ehr.document WHERE version_status = 'current'");
    ck_assert_int_eq(export_to(1, "hl7-r", "r0h"), filed);
    ck_assert_int_eq(export_to(0, "fhir-r", "r0f"), filed);

    a = pick_filed(c, 0, 0);
    snprintf(id, sizeof id, "d-%lld", a);
    r = run_cli("reopen", id, "filed to the wrong patient");
    ck_assert_msg(r.status == 0, "reopen: %s", r.err);
    th_result_free(&r);
    snprintf(q, sizeof q, "SELECT id FROM document WHERE replaces_id = %lld", a);
    b = th_long(c, q);
    ck_assert_int_gt(b, 0);
    /* the correction is in review with the pages; the EHR still has the filed version */
    snprintf(q, sizeof q, "SELECT n.status || ' ' || (SELECT count(*) FROM page WHERE document_id ="
             " n.id) || ' ' || (SELECT count(*) FROM page WHERE document_id = o.id) || ' ' ||"
             " e.version_status || ' ' || (e.superseded_by_document_id IS NULL)"
             " FROM document n JOIN document o ON o.id = n.replaces_id"
             " JOIN ehr.document e ON e.document_id = o.id WHERE n.id = %lld", b);
    {
        char pages_q[200], expect[64];
        snprintf(pages_q, sizeof pages_q, "SELECT page_count FROM document WHERE id = %lld", a);
        snprintf(expect, sizeof expect, "review %ld 0 current true", th_long(c, pages_q));
        TH_ASSERT_VALUE(c, q, expect);
    }
    snprintf(q, sizeof q, "SELECT actor || ' ' || (detail->>'reason') || ' ' ||"
             " (detail->>'correction') || ' ' || (before->>'status') || ' ' || (after->>'status')"
             " FROM audit WHERE action = 'reopen' AND object_id = '%lld'", a);
    {
        char expect[128];
        snprintf(expect, sizeof expect, "qa-lead filed to the wrong patient %lld filed review", b);
        TH_ASSERT_VALUE(c, q, expect);
    }
    /* while it is in review, the destinations get nothing; it cannot be reopened twice */
    ck_assert_int_eq(export_to(1, "hl7-r", "r1h"), 0);
    ck_assert_int_eq(export_to(0, "fhir-r", "r1f"), 0);
    snprintf(id, sizeof id, "%lld", a);
    expect_cli("reopen", id, "again", 1, "already reopened");
    expect_cli("cancel", id, "again", 1, "already reopened");

    /* the reviewer corrects the patient and files it again */
    s = open_store();
    ck_assert_int_eq(cs_review_store_claim(s, b, "rev1", 900, holder, err, sizeof err), 1);
    act.document_id = b;
    act.kind = CS_REVIEW_REJECT;
    act.reason = "not needed";
    ck_assert_int_eq(cs_review_store_act(s, &act, NULL, err, sizeof err), CS_REVIEW_BAD);
    snprintf(q, sizeof q, "SELECT min(p.id) FROM patient p WHERE p.id <>"
             " (SELECT patient_id FROM document WHERE id = %lld)", a);
    other = th_long(c, q);
    act.kind = CS_REVIEW_CHANGE_PATIENT;
    act.patient_id = other;
    ck_assert_msg(cs_review_store_act(s, &act, NULL, err, sizeof err) == 0, "%s", err);
    act.kind = CS_REVIEW_CONFIRM;
    ck_assert_msg(cs_review_store_act(s, &act, NULL, err, sizeof err) == 0, "%s", err);
    cs_store_close(&s);

    /* the ehr views: the old version superseded by the new, history kept */
    snprintf(q, sizeof q, "SELECT o.version_status || ' ' || n.version_status || ' ' ||"
             " (o.superseded_by_document_id = n.document_id) || ' ' || (n.replaces_uuid = o.uuid)"
             " || ' ' || n.filed_by || ' ' || (n.patient_mrn = (SELECT mrn FROM patient WHERE id"
             " = %lld)) FROM ehr.document o JOIN ehr.document n ON n.replaces_document_id ="
             " o.document_id WHERE o.document_id = %lld", other, a);
    TH_ASSERT_VALUE(c, q, "superseded current true true rev1 true");

    /* HL7: one MDM^T10 naming the original's document number in TXA-13 */
    ck_assert_int_eq(export_to(1, "hl7-r", "r2h"), 1);
    ck_assert_int_eq(consume(c, 1, "r2h"), 1);
    snprintf(q, sizeof q, "SELECT w.j->>'type' || ' ' || (w.j->>'parent_number' = o.uuid::text)"
             " || ' ' || (w.j->>'mrn' = n.patient_mrn) || ' ' || (w.j->>'pdf_bytes' IS NOT NULL)"
             " FROM r2h w JOIN ehr.document n ON n.uuid::text = w.j->>'document_number'"
             " JOIN ehr.document o ON o.document_id = %lld WHERE n.document_id = %lld", a, b);
    TH_ASSERT_VALUE(c, q, "MDM^T10^MDM_T02 true true true");
    /* FHIR: the new DocumentReference replacing the old, and the old one superseded */
    ck_assert_int_eq(export_to(0, "fhir-r", "r2f"), 2);
    ck_assert_int_eq(consume(c, 0, "r2f"), 2);
    snprintf(q, sizeof q, "SELECT string_agg(d.document_id || ':' || (v.j->>'valid') || ':' ||"
             " (v.j->>'status') || ':' || coalesce(v.j->>'replaces', '-'), ' '"
             " ORDER BY d.document_id)"
             " FROM r2f v JOIN ehr.document d ON d.uuid::text = v.j->>'id'");
    {
        char expect[200], uuid_q[120];
        char *uuid;
        snprintf(uuid_q, sizeof uuid_q, "SELECT uuid FROM document WHERE id = %lld", a);
        uuid = th_value(c, uuid_q);
        ck_assert_ptr_nonnull(uuid);
        snprintf(expect, sizeof expect, "%lld:true:superseded:- %lld:true:current:"
                 "DocumentReference/%s", a, b, uuid);
        free(uuid);
        TH_ASSERT_VALUE(c, q, expect);
    }
    /* exactly once: the next exports send nothing */
    ck_assert_int_eq(export_to(1, "hl7-r", "r3h"), 0);
    ck_assert_int_eq(export_to(0, "fhir-r", "r3f"), 0);
    /* the replaced version is no longer correctable; the new one is */
    snprintf(id, sizeof id, "%lld", a);
    expect_cli("reopen", id, "again", 1, "was replaced");
    PQfinish(c);
}
END_TEST

START_TEST(test_cancel_entered_in_error)
{
    PGconn *c = th_connect(&env);
    long long a;
    char id[32], q[600];
    th_result r;
    int filed;

    filed = (int)th_long(c, "SELECT count(*) FROM ehr.document WHERE version_status = 'current'");
    ck_assert_int_eq(export_to(1, "hl7-c", "c0h"), filed);
    /* FHIR sends every version, superseded ones too */
    ck_assert_int_eq(export_to(0, "fhir-c", "c0f"), th_long(c, "SELECT count(*) FROM ehr.document"));
    a = pick_filed(c, 0, 0);
    snprintf(id, sizeof id, "d-%lld", a);
    r = run_cli("cancel", id, "not this hospital's record");
    ck_assert_msg(r.status == 0, "cancel: %s", r.err);
    th_result_free(&r);
    snprintf(q, sizeof q, "SELECT version_status || ' ' || (entered_in_error_at IS NOT NULL)"
             " FROM ehr.document WHERE document_id = %lld", a);
    TH_ASSERT_VALUE(c, q, "entered-in-error true");
    snprintf(q, sizeof q, "SELECT actor || ' ' || (detail->>'reason') FROM audit"
             " WHERE action = 'cancel' AND object_id = '%lld'", a);
    TH_ASSERT_VALUE(c, q, "qa-lead not this hospital's record");
    expect_cli("cancel", id, "again", 1, "entered in error");
    expect_cli("reopen", id, "again", 1, "entered in error");

    /* HL7: MDM^T11 with the document's number, no content */
    ck_assert_int_eq(export_to(1, "hl7-c", "c1h"), 1);
    ck_assert_int_eq(consume(c, 1, "c1h"), 1);
    snprintf(q, sizeof q, "SELECT w.j->>'type' || ' ' || (w.j->>'structure') || ' ' ||"
             " (w.j->>'availability') || ' ' || (w.j->>'obx_code' IS NULL)"
             " FROM c1h w JOIN ehr.document d ON d.uuid::text = w.j->>'document_number'"
             " WHERE d.document_id = %lld", a);
    TH_ASSERT_VALUE(c, q, "MDM^T11^MDM_T01 MSH,EVN,PID,PV1,TXA CA true");
    /* FHIR: the DocumentReference again, entered-in-error */
    ck_assert_int_eq(export_to(0, "fhir-c", "c1f"), 1);
    ck_assert_int_eq(consume(c, 0, "c1f"), 1);
    snprintf(q, sizeof q, "SELECT (v.j->>'valid') || ' ' || (v.j->>'status') FROM c1f v"
             " JOIN ehr.document d ON d.uuid::text = v.j->>'id' WHERE d.document_id = %lld", a);
    TH_ASSERT_VALUE(c, q, "true entered-in-error");
    /* exactly once */
    ck_assert_int_eq(export_to(1, "hl7-c", "c2h"), 0);
    ck_assert_int_eq(export_to(0, "fhir-c", "c2f"), 0);
    /* a destination that never had it is not told of the cancel */
    filed = (int)th_long(c, "SELECT count(*) FROM ehr.document WHERE version_status = 'current'");
    ck_assert_int_eq(export_to(1, "hl7-new", "c3h"), filed);
    PQfinish(c);
}
END_TEST

/* ---- the station: the reopen and cancel buttons' API ---- */

/* Log in as user: the Cookie and X-CSRF-Token header lines, for a POST. */
static void station_login(int port, const char *user, char headers[300])
{
    char body[120], cookie[128], *text = NULL;
    const char *c;

    snprintf(body, sizeof body, "name=%s&password=" STATION_PASSWORD, user);
    ck_assert_int_eq(th_http(port, "POST", "/api/login", "X-Requested-With: chartscan\r\n", body,
                          &text), 200);
    c = strstr(text, "Set-Cookie: cs_session=");
    ck_assert_ptr_nonnull(c);
    snprintf(cookie, sizeof cookie, "Cookie: %.75s\r\n", c + 12);
    free(text);
    ck_assert_int_eq(th_http(port, "GET", "/api/me", cookie, NULL, &text), 200);
    c = strstr(text, "\"csrf\":\"");
    ck_assert_ptr_nonnull(c);
    snprintf(headers, 300, "%sX-CSRF-Token: %.64s\r\n", cookie, c + 8);
    free(text);
}

static void add_user(cs_store *s, const char *name, const char *role)
{
    char err[CS_ERRLEN], pw[] = STATION_PASSWORD "\n";
    FILE *in = fmemopen(pw, strlen(pw), "r"), *out = fopen("/dev/null", "w");
    int rc = cs_review_users_add(s, name, role, in, out, err, sizeof err);
    fclose(in);
    fclose(out);
    ck_assert_msg(rc == 0, "users add %s: %s", name, err);
}

START_TEST(test_station_reopen_and_cancel)
{
    PGconn *c = th_connect(&env);
    cs_store *s = open_store();
    cs_review_options o = {"127.0.0.1:0", NULL, NULL};
    cs_review_server *srv;
    char err[CS_ERRLEN], rita[300], ada[300], path[120], q[400], *text = NULL;
    long long a, b, y;
    int port;

    add_user(s, "rita", "reviewer");
    add_user(s, "ada", "admin");
    cs_store_close(&s);
    srv = cs_review_server_start(&o, err, sizeof err);
    ck_assert_msg(srv != NULL, "could not start the station: %s", err);
    port = cs_review_server_port(srv);
    station_login(port, "rita", rita);
    station_login(port, "ada", ada);

    /* a filed document rita worked on: hers to see, and to reopen */
    a = pick_filed(c, 0, 0);
    snprintf(q, sizeof q, "INSERT INTO audit (actor, action, object_kind, object_id)"
             " VALUES ('rita', 'confirm', 'document', '%lld')", a);
    PQclear(PQexec(c, q));
    snprintf(path, sizeof path, "/api/documents/%lld/reopen", a);
    ck_assert_int_eq(th_http(port, "POST", path, rita, "reason=", NULL), 400);
    ck_assert_int_eq(th_http(port, "POST", path, rita, "", NULL), 400);
    /* a reviewer may not mark it entered in error */
    snprintf(path, sizeof path, "/api/documents/%lld/cancel", a);
    ck_assert_int_eq(th_http(port, "POST", path, rita, "reason=duplicate", NULL), 403);
    snprintf(q, sizeof q, "SELECT count(*) FROM document WHERE replaces_id = %lld"
             " OR (id = %lld AND (reopened_at IS NOT NULL OR entered_in_error_at IS NOT NULL))",
             a, a);
    ck_assert_int_eq(th_long(c, q), 0);
    /* she reopens it: the correction is in review */
    snprintf(path, sizeof path, "/api/documents/%lld/reopen", a);
    ck_assert_int_eq(th_http(port, "POST", path, rita, "reason=wrong+type", &text), 200);
    ck_assert_ptr_nonnull(strstr(text, "\"document\":"));
    b = atoll(strstr(text, "\"document\":") + 11);
    free(text);
    snprintf(q, sizeof q, "SELECT status || ' ' || replaces_id FROM document WHERE id = %lld", b);
    {
        char expect[64];
        snprintf(expect, sizeof expect, "review %lld", a);
        TH_ASSERT_VALUE(c, q, expect);
    }
    snprintf(q, sizeof q, "SELECT actor || ' ' || (detail->>'reason') FROM audit"
             " WHERE action = 'reopen' AND object_id = '%lld'", a);
    TH_ASSERT_VALUE(c, q, "rita wrong type");
    ck_assert_int_eq(th_http(port, "POST", path, rita, "reason=again", NULL), 409);

    /* an admin marks another one entered in error */
    y = pick_filed(c, a, 0);
    snprintf(path, sizeof path, "/api/documents/%lld/cancel", y);
    ck_assert_int_eq(th_http(port, "POST", path, ada, "reason=not+ours", NULL), 200);
    snprintf(q, sizeof q, "SELECT d.version_status || ' ' || a.actor || ' ' ||"
             " (a.detail->>'reason') FROM ehr.document d JOIN audit a ON a.object_id ="
             " d.document_id::text AND a.action = 'cancel' WHERE d.document_id = %lld", y);
    TH_ASSERT_VALUE(c, q, "entered-in-error ada not ours");
    cs_review_server_stop(&srv);
    PQfinish(c);
}
END_TEST

/* ---- in the browser ---- */

START_TEST(test_browser_reopen_and_cancel)
{
    PGconn *c = th_connect(&env);
    cs_store *s = open_store();
    cs_review_options o = {"127.0.0.1:0", NULL, NULL};
    cs_review_server *srv;
    char err[CS_ERRLEN], cmd[2048], q[400];
    long long reopen, cancel;
    int rc;

    if (access("/usr/bin/chromium", X_OK) != 0)
        ck_abort_msg("/usr/bin/chromium is missing: run scripts/install-deps");
    if (th_sh("test -d '%s/tests/e2e/node_modules/playwright-core'", env.root) != 0)
        ck_assert_msg(th_sh("cd '%s/tests/e2e' && npm ci --no-audit --no-fund >/dev/null 2>&1",
                            env.root) == 0, "npm ci in tests/e2e failed");
    add_user(s, "eve", "admin");
    cs_store_close(&s);
    reopen = pick_filed(c, 0, 0);
    cancel = pick_filed(c, reopen, 0);
    srv = cs_review_server_start(&o, err, sizeof err);
    ck_assert_msg(srv != NULL, "could not start the station: %s", err);
    snprintf(cmd, sizeof cmd,
             "cd '%s/tests/e2e' && BASE_URL=http://127.0.0.1:%d CS_USER=eve"
             " CS_PASSWORD='" STATION_PASSWORD "' OUT_DIR='%s/e2e' DOC_REOPEN=%lld"
             " DOC_CANCEL=%lld node corrections.e2e.js > '%s/e2e.log' 2>&1",
             env.root, cs_review_server_port(srv), env.dir, reopen, cancel, env.dir);
    rc = th_sh("%s", cmd);
    cs_review_server_stop(&srv);
    if (rc != 0)
        th_sh("cat '%s/e2e.log' >&2", env.dir);
    ck_assert_msg(rc == 0, "the browser test failed (see %s/e2e.log)", env.dir);
    /* what the browser did is in the database and the audit trail */
    snprintf(q, sizeof q, "SELECT n.status || ' ' || (o.reopened_at IS NOT NULL) || ' ' ||"
             " (SELECT a.actor || ':' || (a.detail->>'reason') FROM audit a WHERE a.action ="
             " 'reopen' AND a.object_id = o.id::text) FROM document o JOIN document n"
             " ON n.replaces_id = o.id WHERE o.id = %lld", reopen);
    TH_ASSERT_VALUE(c, q, "review true eve:filed to the wrong patient");
    snprintf(q, sizeof q, "SELECT version_status || ' ' || (SELECT a.actor FROM audit a WHERE"
             " a.action = 'cancel' AND a.object_id = '%lld') FROM ehr.document"
             " WHERE document_id = %lld", cancel, cancel);
    TH_ASSERT_VALUE(c, q, "entered-in-error eve");
    PQfinish(c);
}
END_TEST

static Suite *corrections_suite(void)
{
    Suite *s = suite_create("corrections");
    TCase *tc = tcase_create("filed");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reason_required_and_refusals);
    tcase_add_test(tc, test_reopen_review_refile);
    tcase_add_test(tc, test_cancel_entered_in_error);
    tcase_add_test(tc, test_station_reopen_and_cancel);
    tcase_add_test(tc, test_browser_reopen_and_cancel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(corrections_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * check_config.c — the site's interface settings (issue 15, item 4), through
 * the real binary on a processed sample batch: `chartscan config` checks
 * keys (exit 2, "did you mean") and values, stores and audits every change
 * (old and new value) and lists them; the worker reads the settings but
 * cannot write them; the HL7 and FHIR exports refuse while the MRNs'
 * assigning authority is the placeholder 2.999.1 (no folder made) unless
 * --allow-placeholder-ids; with the settings, MSH-3..6, PID-3.4, TXA-2 and
 * TXA-9 carry them (read back by @medplum/core's parser and field by field)
 * and FHIR carries the system, custodian and subject reference (checked by
 * the R4 JSON schema); an interface engine that rejects (a listener in the
 * test on a real socket, answering AR with MSA-3 and an ERR segment) is
 * printed and stored with the document, and report shows it.
 *
 * The tests share one database and run in order: the refusal before any
 * setting is made.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/review/review_store.h"
#include "tests/harness.h"

static th_env env;
static char consumers[600], schema[600];

static void setup(void)
{
    const char *candidates[] = {"%s/../shared/data/fhir/fhir.schema.json",
                                "/work/shared/data/fhir/fhir.schema.json"};
    unsetenv("CHARTSCAN_MRN_SYSTEM");
    unsetenv("CHARTSCAN_ORGANIZATION");
    setenv("CHARTSCAN_ACTOR", "config-test", 1);
    th_setup_processed_sample(&env, "config", 7, 3);
    for (size_t i = 0; i < 2 && !schema[0]; i++) {
        snprintf(schema, sizeof schema, candidates[i], env.root);
        if (access(schema, R_OK) != 0)
            schema[0] = '\0';
    }
    if (!schema[0]) {
        fprintf(stderr, "check_config: the FHIR R4 JSON schema is missing\n");
        exit(2);
    }
    snprintf(consumers, sizeof consumers, "%s/tests/consumers", env.root);
    if (th_sh("test -d '%s/node_modules/@medplum/core'", consumers) != 0 &&
        th_sh("cd '%s' && npm ci --no-audit --no-fund --loglevel=error >&2", consumers) != 0) {
        fprintf(stderr, "check_config: npm ci failed in %s\n", consumers);
        exit(2);
    }
}

static void teardown(void)
{
    th_teardown(&env);
}

/* `chartscan config set KEY VALUE`, asserting its exit status. */
static void config_set(const char *key, const char *value, int status, const char *expect)
{
    th_result r = th_chartscan(&env, "config", "set", key, value, (char *)NULL);
    ck_assert_msg(r.status == status, "config set %s %s: status %d: %s%s", key, value, r.status,
                  r.out, r.err);
    if (expect)
        ck_assert_msg(strstr(r.err, expect) || strstr(r.out, expect), "config set %s %s: "
                      "no \"%s\" in: %s%s", key, value, expect, r.out, r.err);
    th_result_free(&r);
}

/* Field n of the first segment seg of an HL7 message text (MSH-1 is the '|'). */
static void hl7_field(const char *msg, const char *seg, int n, char *out, size_t outlen)
{
    char head[8];
    const char *p;
    int f;

    out[0] = '\0';
    snprintf(head, sizeof head, "\r%s|", seg);
    p = !strncmp(msg, head + 1, strlen(head + 1)) ? msg : strstr(msg, head);
    ck_assert_msg(p != NULL, "no %s segment", seg);
    if (*p == '\r')
        p++;
    /* p at the separator before field f: MSH-1 is that separator itself */
    f = !strcmp(seg, "MSH") || !strcmp(seg, "FHS") ? 2 : 1;
    p += 3;
    while (f < n && p && *p && *p != '\r') {
        p = strchr(p + 1, '|');
        if (!p)
            return;
        f++;
    }
    if (!p || f != n)
        return;
    if (*p == '|')
        p++;
    snprintf(out, outlen, "%.*s", (int)strcspn(p, "|\r"), p);
}

/* The placeholder: both exports refuse, name the setting, make no folder; the override works. */
START_TEST(test_placeholder_refuses)
{
    char dir[300];
    th_result r;

    snprintf(dir, sizeof dir, "%s/refused-hl7", env.dir);
    r = th_chartscan(&env, "export", "hl7", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 1, "hl7 with the placeholder: status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "placeholder") && strstr(r.err, "hl7.pid3.oid") &&
                  strstr(r.err, "--allow-placeholder-ids"), "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_sh("test ! -e '%s'", dir), 0);

    snprintf(dir, sizeof dir, "%s/refused-fhir", env.dir);
    r = th_chartscan(&env, "export", "fhir", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 1, "fhir with the placeholder: status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "placeholder") && strstr(r.err, "fhir.mrn_system"), "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_sh("test ! -e '%s'", dir), 0);

    /* the explicit option: a trial export with the placeholder */
    snprintf(dir, sizeof dir, "%s/trial-hl7", env.dir);
    r = th_chartscan(&env, "export", "hl7", "--allow-placeholder-ids", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 0, "hl7 allowed: status %d: %s", r.status, r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_sh("grep -q '&2.999.1&ISO^MR' '%s/MDM.hl7'", dir), 0);
    snprintf(dir, sizeof dir, "%s/trial-fhir", env.dir);
    r = th_chartscan(&env, "export", "fhir", "--allow-placeholder-ids", "--no-pdf", "--out", dir,
                     (char *)NULL);
    ck_assert_msg(r.status == 0, "fhir allowed: status %d: %s", r.status, r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_sh("grep -q 'urn:oid:2.999.1' '%s/DocumentReference.ndjson'", dir), 0);

    /* list says so */
    r = th_chartscan(&env, "config", "list", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "placeholder"), "%s%s", r.out, r.err);
    th_result_free(&r);
}
END_TEST

START_TEST(test_keys_values_and_audit)
{
    PGconn *c = th_connect(&env), *worker;
    char conninfo[300];
    PGresult *res;
    th_result r;

    ck_assert_ptr_nonnull(c);
    /* unknown keys: usage errors with the nearest key and the list */
    config_set("hl7.msh3", "X", 2, "did you mean \"hl7.msh3.sending_application\"");
    config_set("fhir.mrn_sytem", "urn:oid:1.2.3", 2, "did you mean \"fhir.mrn_system\"");
    config_set("colour", "blue", 2, "keys: hl7.msh3.sending_application");
    r = th_chartscan(&env, "config", "unset", "nope.nope", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "config", "frobnicate", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    /* values that do not fit their key */
    config_set("hl7.pid3.oid", "2.16.840.x", 2, "not an OID");
    config_set("hl7.pid3.oid", "2.16.0840.1", 2, "not an OID");
    config_set("hl7.pid3.oid", "1.45.2", 2, "not an OID");
    config_set("hl7.pid3.oid", "2.999.1", 2, "example arc");
    config_set("fhir.mrn_system", "urn:oid:2.999.7", 2, "example arc");
    config_set("fhir.mrn_system", "not a uri", 2, "absolute URI");
    config_set("hl7.msh4.sending_facility", "GEN|HOSP", 2, "HD");
    config_set("hl7.msh4.sending_facility", "GEN^2.16.840.1.113883.3.x^ISO", 2, "not an OID");
    config_set("hl7.msh4.sending_facility", "GEN^1.2.3^XYZ", 2, "table 0301");
    config_set("hl7.txa2.no_such_type", "DS", 2, "no such document type");
    config_set("hl7.txa2.discharge_summary", "D S", 2, "code");
    config_set("fhir.subject.reference", "Patient/x", 2, "{mrn}");
    config_set("fhir.subject.reference", "Practitioner/{mrn}", 2, "Patient");
    config_set("fhir.subject.reference", "https://{mrn}.example/Patient/x", 2, "{mrn}");
    config_set("fhir.custodian.reference", "Organization/a b", 2, "Organization/ID");
    config_set("hl7.txa9.originator", "A\tB", 2, "XCN");
    config_set("hl7.pid3.namespace", "", 2, "empty");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM site_config", "0");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM audit WHERE object_kind = 'config'", "0");

    /* the site's settings */
    config_set("hl7.msh3.sending_application", "SCANSYS", 0, "set");
    config_set("hl7.msh4.sending_facility", "GENHOSP^2.16.840.1.113883.3.7777^ISO", 0, NULL);
    config_set("hl7.msh5.receiving_application", "EPIC", 0, NULL);
    config_set("hl7.msh6.receiving_facility", "GENHOSP-HIM", 0, NULL);
    config_set("hl7.pid3.namespace", "GENHOSP", 0, NULL);
    config_set("hl7.pid3.oid", "2.16.840.1.113883.3.7777.1", 0, NULL);
    config_set("hl7.txa2.discharge_summary", "DS", 0, NULL);
    config_set("hl7.txa2.progress_note", "PN", 0, NULL);
    config_set("hl7.txa2.history_physical", "HP", 0, NULL);
    config_set("hl7.txa2.letter", "SITE-LTR", 0, NULL);
    config_set("hl7.txa9.originator", "HIM01^Records^Scanning", 0, NULL);
    config_set("fhir.mrn_system", "https://genhosp.example/mrn", 0, NULL);
    config_set("fhir.custodian.reference", "Organization/genhosp", 0, NULL);
    config_set("fhir.custodian.display", "General Hospital & Clinics", 0, NULL);
    config_set("fhir.subject.reference", "Patient/mrn-{mrn}", 0, NULL);
    /* the same value again: nothing written; a new one: old and new audited */
    config_set("hl7.pid3.namespace", "GENHOSP", 0, "unchanged");
    config_set("hl7.msh5.receiving_application", "OLDAPP", 0, "changed");
    config_set("hl7.msh5.receiving_application", "EPIC", 0, "changed");
    config_set("hl7.msh6.receiving_facility", "TEMP", 0, NULL);
    r = th_chartscan(&env, "config", "unset", "hl7.msh6.receiving_facility", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "unset"), "%s%s", r.out, r.err);
    th_result_free(&r);
    config_set("hl7.msh6.receiving_facility", "GENHOSP-HIM", 0, "set");

    TH_ASSERT_VALUE(c, "SELECT count(*) FROM site_config", "15");
    TH_ASSERT_VALUE(c, "SELECT count(*) FILTER (WHERE action = 'config_set') || '/' ||"
                       " count(*) FILTER (WHERE action = 'config_unset') || '/' ||"
                       " bool_and(actor = 'config-test')"
                       " FROM audit WHERE object_kind = 'config'", "19/1/true");
    TH_ASSERT_VALUE(c, "SELECT string_agg(coalesce(before->>'value', '-') || '>' ||"
                       "  coalesce(after->>'value', '-'), ' ' ORDER BY id) FROM audit"
                       " WHERE object_kind = 'config' AND object_id LIKE 'hl7.msh_.rec%'",
                    "->EPIC ->GENHOSP-HIM EPIC>OLDAPP OLDAPP>EPIC GENHOSP-HIM>TEMP TEMP>- ->GENHOSP-HIM");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM audit WHERE object_id = 'hl7.pid3.namespace'", "1");

    r = th_chartscan(&env, "config", "list", (char *)NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "hl7.pid3.oid") && strstr(r.out, "2.16.840.1.113883.3.7777.1") &&
                  strstr(r.out, "hl7.txa2.ed_note") && strstr(r.out, "not set") &&
                  !strstr(r.out, "placeholder"), "%s", r.out);
    th_result_free(&r);

    /* the worker reads the settings, cannot change them */
    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=chartscan user=chartscan_worker",
             env.home);
    worker = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(worker) == CONNECTION_OK, "%s", PQerrorMessage(worker));
    res = PQexec(worker, "SELECT count(*) FROM chartscan.site_config");
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
    PQclear(res);
    res = PQexec(worker, "UPDATE chartscan.site_config SET value = 'x'");
    ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR &&
                  strstr(PQresultErrorMessage(res), "permission denied"), "worker wrote");
    PQclear(res);
    PQfinish(worker);
    PQfinish(c);
}
END_TEST

/* The settings in the HL7 messages: field by field, and read by @medplum/core's parser. */
START_TEST(test_hl7_carries_settings)
{
    char dir[300], path[400], v[512];
    char *text, *msg;
    PGconn *c = th_connect(&env);
    th_result r;
    long filed = th_long(c, "SELECT count(*) FROM ehr.document");

    snprintf(dir, sizeof dir, "%s/site-hl7", env.dir);
    r = th_chartscan(&env, "export", "hl7", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 0, "hl7: %s", r.err);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/MDM.hl7", dir);
    text = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    hl7_field(text, "FHS", 3, v, sizeof v);
    ck_assert_str_eq(v, "SCANSYS");
    hl7_field(text, "FHS", 4, v, sizeof v);
    ck_assert_str_eq(v, "GENHOSP^2.16.840.1.113883.3.7777^ISO");
    msg = strstr(text, "\rMSH|") + 1;
    hl7_field(msg, "MSH", 3, v, sizeof v);
    ck_assert_str_eq(v, "SCANSYS");
    hl7_field(msg, "MSH", 4, v, sizeof v);
    ck_assert_str_eq(v, "GENHOSP^2.16.840.1.113883.3.7777^ISO");
    hl7_field(msg, "MSH", 5, v, sizeof v);
    ck_assert_str_eq(v, "EPIC");
    hl7_field(msg, "MSH", 6, v, sizeof v);
    ck_assert_str_eq(v, "GENHOSP-HIM");
    hl7_field(msg, "PID", 3, v, sizeof v);
    ck_assert_msg(strstr(v, "^^^GENHOSP&2.16.840.1.113883.3.7777.1&ISO^MR") != NULL, "%s", v);
    hl7_field(msg, "TXA", 9, v, sizeof v);
    ck_assert_str_eq(v, "HIM01^Records^Scanning");
    hl7_field(msg, "TXA", 12, v, sizeof v);
    ck_assert_msg(strstr(v, "^CHARTSCAN") != NULL, "TXA-12 moved: %s", v);
    free(text);

    ck_assert_int_eq(th_sh("cd '%s' && node consumers.mjs hl7 '%s' > '%s/site-hl7.jsonl'",
                           consumers, path, env.dir), 0);
    snprintf(path, sizeof path, "%s/site-hl7.jsonl", env.dir);
    ck_assert_int_eq(th_load_jsonl(c, "h", path), filed);
    /* TXA-2 from the map where the type has a code, the type's own code elsewhere */
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM ehr.document) FROM h"
                       " JOIN ehr.document d ON d.uuid::text = h.j->>'document_number'"
                       " WHERE h.j->>'structure' = 'MSH,EVN,PID,PV1,TXA,OBX'"
                       "   AND h.j->>'mrn' = d.patient_mrn"
                       "   AND h.j->>'mrn_authority' = 'GENHOSP&2.16.840.1.113883.3.7777.1&ISO'"
                       "   AND h.j->>'txa_type' = CASE d.type_code WHEN 'discharge_summary' THEN 'DS'"
                       "        WHEN 'progress_note' THEN 'PN' WHEN 'history_physical' THEN 'HP'"
                       "        WHEN 'letter' THEN 'SITE-LTR' ELSE d.type_code END", "t");
    PQfinish(c);
}
END_TEST

/* The settings in FHIR: system, custodian, subject reference; valid R4. */
START_TEST(test_fhir_carries_settings)
{
    char dir[300], path[400];
    PGconn *c = th_connect(&env);
    th_result r;
    json_error_t e;
    FILE *fp;
    char line[1 << 16];
    long n = 0;

    snprintf(dir, sizeof dir, "%s/site-fhir", env.dir);
    r = th_chartscan(&env, "export", "fhir", "--no-pdf", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 0, "fhir: %s", r.err);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/DocumentReference.ndjson", dir);
    ck_assert_int_eq(th_sh("python3 '%s/tests/consumers/fhir_schema.py' '%s' '%s' >&2", env.root,
                           schema, path), 0);
    fp = fopen(path, "r");
    ck_assert_ptr_nonnull(fp);
    while (fgets(line, sizeof line, fp)) {
        json_t *doc = json_loads(line, 0, &e), *subject, *custodian;
        const char *mrn;
        char expect[128];
        ck_assert_msg(doc != NULL, "%s", e.text);
        subject = json_object_get(doc, "subject");
        custodian = json_object_get(doc, "custodian");
        mrn = json_string_value(json_object_get(json_object_get(subject, "identifier"), "value"));
        ck_assert_ptr_nonnull(mrn);
        ck_assert_str_eq(json_string_value(json_object_get(json_object_get(subject, "identifier"),
                                                           "system")),
                         "https://genhosp.example/mrn");
        snprintf(expect, sizeof expect, "Patient/mrn-%s", mrn);
        ck_assert_str_eq(json_string_value(json_object_get(subject, "reference")), expect);
        ck_assert_str_eq(json_string_value(json_object_get(custodian, "reference")),
                         "Organization/genhosp");
        ck_assert_str_eq(json_string_value(json_object_get(custodian, "display")),
                         "General Hospital & Clinics");
        json_decref(doc);
        n++;
    }
    fclose(fp);
    ck_assert_int_eq(n, th_long(c, "SELECT count(*) FROM ehr.document"));

    /* an MRN that cannot be part of a Patient id stops the export, naming the document */
    PQclear(PQexec(c, "UPDATE patient SET mrn = mrn || '/x' WHERE id ="
                      " (SELECT patient_id FROM document WHERE status = 'filed' ORDER BY id LIMIT 1)"));
    snprintf(dir, sizeof dir, "%s/site-fhir-bad", env.dir);
    r = th_chartscan(&env, "export", "fhir", "--no-pdf", "--out", dir, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "document d-") &&
                  strstr(r.err, "cannot be part of a FHIR Patient id"), "%d: %s", r.status, r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_sh("test ! -e '%s/DocumentReference.ndjson'", dir), 0);
    PQclear(PQexec(c, "UPDATE patient SET mrn = left(mrn, -2) WHERE mrn LIKE '%/x'"));
    PQfinish(c);
}
END_TEST

/*
 * An engine that answers every message AR, with MSA-3 and an ERR segment
 * (HL7 escapes in both, and an ESC character that must not reach the
 * terminal), on a real socket.
 */
static pid_t start_rejecting_listener(int *port)
{
    return th_mllp_listener(port, "R",
                            "|unknown patient \\F\\ rejected\\X1B\\[31m\r"
                            "ERR||PID^1^3^1^1|204^Unknown key identifier^HL70357|E||||"
                            "No MRN match \\T\\ no account\r", NULL);
}

START_TEST(test_engine_rejection_printed_and_stored)
{
    char hostport[64], id[24];
    PGconn *c = th_connect(&env);
    th_result r;
    int port, st;
    pid_t pid = start_rejecting_listener(&port);
    long filed = th_long(c, "SELECT count(*) FROM ehr.document");
    char expect[64];

    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", port);
    r = th_chartscan(&env, "export", "hl7", "--mllp", hostport, "--destination", "engine",
                     "--timeout", "10", (char *)NULL);
    if (th_wait(pid, 10) == -2) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    ck_assert_msg(r.status == 1, "status %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "rejected") != NULL, "%s", r.err);
    /* every document's rejection, with the engine's words, readable and without ESC */
    ck_assert_msg(strstr(r.out, "rejected by 127.0.0.1") &&
                  strstr(r.out, "(AR): unknown patient | rejected [31m; ERR: Unknown key "
                                "identifier, No MRN match & no account at PID-3.1"),
                  "%s", r.out);
    ck_assert_msg(!strchr(r.out, 0x1b), "an escape character reached the terminal");
    th_result_free(&r);
    snprintf(expect, sizeof expect, "%ld", filed);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'engine'"
                       "  AND i.status = 'rejected' AND i.ack_code = 'AR'"
                       "  AND i.ack_text = 'unknown patient | rejected [31m'"
                       "  AND i.ack_error = 'Unknown key identifier, No MRN match & no account"
                       " at PID-3.1'", expect);

    /* the report of the batch names them */
    snprintf(id, sizeof id, "%lld", (long long)th_long(c, "SELECT min(id) FROM batch"));
    r = th_chartscan(&env, "report", id, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "rejected by engine") &&
                  strstr(r.out, "AR: unknown patient | rejected [31m; ERR: Unknown key"),
                  "%s", r.out);
    th_result_free(&r);
    /* status counts them */
    r = th_chartscan(&env, "status", (char *)NULL);
    snprintf(expect, sizeof expect, "%ld document%s rejected by engine", filed,
             filed == 1 ? "" : "s");
    ck_assert_msg(r.status == 0 && strstr(r.out, expect), "%s%s", r.out, r.err);
    th_result_free(&r);

    /* the review station's document, read as the station's role */
    {
        cs_store *s = NULL;
        char err[CS_ERRLEN], *json = NULL;
        json_t *doc, *x;
        json_error_t e;
        ck_assert_msg(cs_store_open_as(&s, CS_DB_REVIEWER, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(cs_review_store_document(s, th_long(c, "SELECT min(document_id) FROM"
                                                          " ehr.document"), "rita", &json, err,
                                               sizeof err) == 0, "%s", err);
        cs_store_close(&s);
        doc = json_loads(json, 0, &e);
        free(json);
        ck_assert_msg(doc != NULL, "%s", e.text);
        x = json_array_get(json_object_get(doc, "exports"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(x, "destination")), "engine");
        ck_assert_str_eq(json_string_value(json_object_get(x, "status")), "rejected");
        ck_assert_str_eq(json_string_value(json_object_get(x, "ack_text")),
                         "unknown patient | rejected [31m");
        ck_assert_str_eq(json_string_value(json_object_get(x, "ack_error")),
                         "Unknown key identifier, No MRN match & no account at PID-3.1");
        json_decref(doc);
    }
    PQfinish(c);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("site");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_placeholder_refuses);   /* first: before any setting */
    tcase_add_test(tc, test_keys_values_and_audit);
    tcase_add_test(tc, test_hl7_carries_settings);
    tcase_add_test(tc, test_fhir_carries_settings);
    tcase_add_test(tc, test_engine_rejection_printed_and_stored);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * check_export.c — the EHR handoff (issue 7) on a processed sample batch:
 * the ehr views and their role, FHIR R4 DocumentReference NDJSON checked by
 * the official R4 JSON schema (python3-jsonschema, draft 6) and by
 * @medplum/core's validator, HL7 v2.5 MDM^T02 read back by @medplum/core's
 * HL7 parser, MLLP against a listener in the test that answers AA then AE,
 * incremental destinations, corrections, and the audit rows; (issue 12)
 * that an export refuses when memory runs out at any point and records
 * nothing, and that exported files are private and never written through a
 * symbolic link; and (issue 13) the same when jansson, which builds the FHIR
 * resources, runs out of memory, a setting that is not UTF-8, and base64
 * (libsodium) against RFC 4648's vectors.
 *
 * The fixture generates a small batch, runs init, roster import, train,
 * submit and work --until-idle through the real binary (as check_integration
 * does), then the tests call cs_export_fhir / cs_export_hl7 directly.  The
 * consumers (tests/consumers/) are installed with "npm ci" when missing.
 * The R4 schema is looked for in $CHARTSCAN_SHARED_DATA, <root>/../shared/data
 * and /work/shared/data; the test fails when it is in none of them.
 *
 * Tests that change data (escaping, incremental, correction) run last and
 * leave the rest of the database as it was or compare with the database at
 * the time they run.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "common/common.h"
#include "pipeline/export/export_internal.h"
#include "pipeline/pipeline.h"
#include "tests/harness.h"

static th_env env;
static char sample[128], consumers[600], schema[600], python[64];
static long filed_at_setup;

static const char *find_schema(void)
{
    const char *env_dir = getenv("CHARTSCAN_SHARED_DATA");
    char cand[3][600];
    snprintf(cand[0], sizeof cand[0], "%s/fhir/fhir.schema.json", env_dir ? env_dir : "/nonexistent");
    snprintf(cand[1], sizeof cand[1], "%s/../shared/data/fhir/fhir.schema.json", env.root);
    snprintf(cand[2], sizeof cand[2], "/work/shared/data/fhir/fhir.schema.json");
    for (int i = 0; i < 3; i++)
        if (access(cand[i], R_OK) == 0) {
            snprintf(schema, sizeof schema, "%s", cand[i]);
            return schema;
        }
    return NULL;
}

static void setup(void)
{
    char path[256], zip[160];
    th_result r;

    th_setup(&env, "export");
    if (!find_schema()) {
        fprintf(stderr, "check_export: the FHIR R4 JSON schema is missing: looked in "
                        "$CHARTSCAN_SHARED_DATA/fhir, %s/../shared/data/fhir and "
                        "/work/shared/data/fhir\n", env.root);
        exit(2);
    }
    snprintf(python, sizeof python, "%s",
             access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3");
    if (th_sh("%s -c 'import jsonschema' 2>/dev/null", python) != 0) {
        fprintf(stderr, "check_export: python3-jsonschema is missing (scripts/install-deps)\n");
        exit(2);
    }
    snprintf(consumers, sizeof consumers, "%s/tests/consumers", env.root);
    if (th_sh("test -d '%s/node_modules/@medplum/core'", consumers) != 0 &&
        th_sh("cd '%s' && npm ci --no-audit --no-fund --loglevel=error >&2", consumers) != 0) {
        fprintf(stderr, "check_export: npm ci failed in %s\n", consumers);
        exit(2);
    }

    snprintf(sample, sizeof sample, "%s/sample", env.dir);
    if (th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed 7 --files 4 >/dev/null",
              env.root, sample) != 0) {
        fprintf(stderr, "could not generate the sample batch\n");
        exit(2);
    }
    snprintf(zip, sizeof zip, "%s/batch.zip", sample);
    r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0)
        fprintf(stderr, "init: %s", r.err);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/roster.csv", sample);
    r = th_chartscan(&env, "patients", "import", path, (char *)NULL);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/train.csv", sample);
    r = th_chartscan(&env, "train", path, (char *)NULL);
    th_result_free(&r);
    r = th_chartscan(&env, "submit", zip, (char *)NULL);
    th_result_free(&r);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    if (r.status != 0)
        fprintf(stderr, "work: %s", r.err);
    th_result_free(&r);
    {
        PGconn *c = th_connect(&env);
        filed_at_setup = c ? th_long(c, "SELECT count(*) FROM document WHERE status = 'filed'") : -1;
        PQfinish(c);
    }
    if (filed_at_setup < 2) {
        fprintf(stderr, "check_export: the sample batch gave %ld filed documents; need 2 or more\n",
                filed_at_setup);
        exit(2);
    }
    setenv("CHARTSCAN_ACTOR", "export-test", 1);
    setenv("CHARTSCAN_ORGANIZATION", "Example General & Co", 1);
    unsetenv("CHARTSCAN_MRN_SYSTEM");
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

/* Export with o into env.dir/name; returns cs_export_*'s result. */
static int run_export(int hl7, cs_export_options *o, const char *name, char *err, size_t errlen)
{
    char dir[256];
    cs_store *s = open_store();
    int rc;
    /* the sample site keeps the placeholder ids; the refusal is check_config's */
    o->allow_placeholder_ids = 1;
    if (name) {
        snprintf(dir, sizeof dir, "%s/%s", env.dir, name);
        o->out_dir = dir;
    }
    rc = hl7 ? cs_export_hl7(s, o, NULL, err, errlen) : cs_export_fhir(s, o, NULL, err, errlen);
    cs_store_close(&s);
    return rc;
}

/* Run a consumer on files of env.dir/name, output into env.dir/name.jsonl; exit status. */
static int consume(const char *mode, const char *name, const char *file1, const char *file2)
{
    char f2[300] = "";
    if (file2)
        snprintf(f2, sizeof f2, "'%s/%s/%s'", env.dir, name, file2);
    return th_sh("cd '%s' && node consumers.mjs %s '%s/%s/%s' %s > '%s/%s.jsonl'", consumers, mode,
                 env.dir, name, file1, f2, env.dir, name);
}

static long load(PGconn *c, const char *table, const char *name)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s.jsonl", env.dir, name);
    return th_load_jsonl(c, table, path);
}

START_TEST(test_views_and_reader_role)
{
    PGconn *c = th_connect(&env), *reader;
    char conninfo[256];
    PGresult *r;

    ck_assert_ptr_nonnull(c);
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM document WHERE status = 'filed')"
                       " FROM ehr.document", "t");
    TH_ASSERT_VALUE(c, "SELECT bool_and(uuid IS NOT NULL AND version_status = 'current'"
                       " AND patient_mrn IS NOT NULL AND type_loinc IS NOT NULL"
                       " AND pdf_sha256 = encode(sha256(pdf), 'hex') AND page_count > 0"
                       " AND batch_name = 'batch.zip' AND source_file LIKE '%.tif')"
                       " FROM ehr.document", "t");
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT sum(page_count) FROM ehr.document)"
                       " FROM ehr.page", "t");
    /* the uuid is stable: the same on every read */
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM ehr.document e JOIN document d ON d.id = e.document_id"
                       " WHERE e.uuid <> d.uuid", "0");

    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=chartscan user=chartscan_ehr_reader",
             env.home);
    reader = PQconnectdb(conninfo);
    ck_assert_msg(PQstatus(reader) == CONNECTION_OK, "reader: %s", PQerrorMessage(reader));
    r = PQexec(reader, "SELECT count(*), count(pdf), count(text) FROM ehr.document");
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
    ck_assert_int_eq(atol(PQgetvalue(r, 0, 0)), filed_at_setup);
    PQclear(r);
    r = PQexec(reader, "SELECT count(*) FROM ehr.page JOIN ehr.document USING (document_id)");
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(reader, "SELECT count(*) FROM ehr.document_correction");
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
    PQclear(r);
    {
        const char *denied[] = {"SELECT count(*) FROM chartscan.document",
                                "SELECT count(*) FROM chartscan.patient",
                                "SELECT count(*) FROM chartscan.audit",
                                "SELECT count(*) FROM chartscan.destination_item",
                                "INSERT INTO chartscan.audit (actor, action) VALUES ('x', 'y')",
                                "DELETE FROM ehr.document"};
        for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
            r = PQexec(reader, denied[i]);
            ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR, "allowed: %s", denied[i]);
            ck_assert_msg(strstr(PQresultErrorMessage(r), "permission denied") ||
                          strstr(PQresultErrorMessage(r), "cannot delete"),
                          "%s: %s", denied[i], PQresultErrorMessage(r));
            PQclear(r);
        }
    }
    PQfinish(reader);
    PQfinish(c);
}
END_TEST

/* FHIR with Binary.ndjson: schema, medplum, and every field against the database. */
START_TEST(test_fhir_bulk_layout)
{
    cs_export_options o;
    char err[CS_ERRLEN];
    PGconn *c;
    int n;

    memset(&o, 0, sizeof o);
    n = run_export(0, &o, "fhir1", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "exported %d of %ld: %s", n, filed_at_setup, n < 0 ? err : "");
    ck_assert_int_eq(th_sh("%s '%s/tests/consumers/fhir_schema.py' '%s' '%s/fhir1/DocumentReference.ndjson'"
                           " '%s/fhir1/Binary.ndjson' >&2", python, env.root, schema, env.dir, env.dir), 0);
    ck_assert_int_eq(consume("fhir", "fhir1", "DocumentReference.ndjson", "Binary.ndjson"), 0);
    c = th_connect(&env);
    ck_assert_int_eq(load(c, "f", "fhir1"), filed_at_setup);
    TH_ASSERT_VALUE(c,
        "SELECT count(*) = (SELECT count(*) FROM ehr.document)"
        "  FROM f JOIN ehr.document d ON d.uuid::text = f.j->>'id'"
        " WHERE (f.j->>'valid')::boolean AND f.j->>'master' = 'urn:uuid:' || d.uuid"
        "   AND f.j->>'status' = 'current' AND f.j->>'docStatus' = 'final'"
        "   AND f.j->>'mrn' = d.patient_mrn AND f.j->>'mrn_system' = 'urn:oid:2.999.1'"
        "   AND f.j->>'loinc' = d.type_loinc AND f.j->>'local' = d.type_code"
        "   AND f.j->>'period_start' = d.date_of_service::text"
        "   AND f.j->>'custodian' = 'Example General & Co'"
        "   AND f.j->>'content_type' = 'application/pdf'"
        "   AND (f.j->>'size')::bigint = octet_length(d.pdf)"
        "   AND f.j->>'hash' = f.j->>'pdf_sha1' AND f.j->>'pdf_sha256' = d.pdf_sha256"
        "   AND f.j->>'url' = 'Binary/' || d.uuid AND NOT (f.j->>'inline')::boolean", "t");
    PQfinish(c);
}
END_TEST

START_TEST(test_fhir_inline_and_metadata_only)
{
    cs_export_options o;
    char err[CS_ERRLEN], path[300];
    PGconn *c;
    int n;

    memset(&o, 0, sizeof o);
    o.pdf = CS_EXPORT_PDF_INLINE;
    o.mrn_system = "https://hospital.example/mrn";
    n = run_export(0, &o, "fhir2", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "inline: %d: %s", n, err);
    snprintf(path, sizeof path, "%s/fhir2/Binary.ndjson", env.dir);
    ck_assert_int_ne(access(path, F_OK), 0);   /* inline: no Binary file */
    ck_assert_int_eq(th_sh("%s '%s/tests/consumers/fhir_schema.py' '%s' '%s/fhir2/DocumentReference.ndjson'"
                           " >&2", python, env.root, schema, env.dir), 0);
    ck_assert_int_eq(consume("fhir", "fhir2", "DocumentReference.ndjson", NULL), 0);
    c = th_connect(&env);
    ck_assert_int_eq(load(c, "f", "fhir2"), filed_at_setup);
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM ehr.document) FROM f"
                       " JOIN ehr.document d ON d.uuid::text = f.j->>'id'"
                       " WHERE (f.j->>'inline')::boolean AND f.j->>'hash' = f.j->>'pdf_sha1'"
                       "   AND f.j->>'pdf_sha256' = d.pdf_sha256"
                       "   AND f.j->>'mrn_system' = 'https://hospital.example/mrn'", "t");

    memset(&o, 0, sizeof o);
    o.pdf = CS_EXPORT_PDF_NONE;
    n = run_export(0, &o, "fhir3", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "metadata only: %d: %s", n, err);
    ck_assert_int_eq(th_sh("%s '%s/tests/consumers/fhir_schema.py' '%s' '%s/fhir3/DocumentReference.ndjson'"
                           " >&2", python, env.root, schema, env.dir), 0);
    ck_assert_int_eq(consume("fhir", "fhir3", "DocumentReference.ndjson", NULL), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_hl7_read_by_parser)
{
    cs_export_options o;
    char err[CS_ERRLEN];
    PGconn *c;
    int n;

    memset(&o, 0, sizeof o);
    n = run_export(1, &o, "hl7a", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "hl7: %d: %s", n, err);
    ck_assert_int_eq(consume("hl7", "hl7a", "MDM.hl7", NULL), 0);
    c = th_connect(&env);
    ck_assert_int_eq(load(c, "h", "hl7a"), filed_at_setup);
    /* the structure of the shared samples (MSH EVN PID PV1 TXA OBX), and every value */
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM ehr.document) FROM h"
                       " JOIN ehr.document d ON d.uuid::text = h.j->>'document_number'"
                       " WHERE h.j->>'structure' = 'MSH,EVN,PID,PV1,TXA,OBX'"
                       "   AND h.j->>'type' = 'MDM^T02^MDM_T02' AND h.j->>'version' = '2.5'"
                       "   AND h.j->>'mrn' = d.patient_mrn AND h.j->>'mrn_type' = 'MR'"
                       "   AND h.j->>'mrn_authority' = '&2.999.1&ISO'"
                       "   AND h.j->>'last_name' = d.patient_last_name"
                       "   AND h.j->>'txa_type' = d.type_code AND h.j->>'presentation' = 'AP'"
                       "   AND h.j->>'activity' = to_char(d.date_of_service, 'YYYYMMDD')"
                       "   AND h.j->>'completion' = 'AU' AND h.j->>'availability' = 'AV'"
                       "   AND h.j->>'obx_code' = d.type_loinc AND h.j->>'obx_system' = 'LN'"
                       "   AND h.j->>'pdf_subtype' = 'PDF' AND h.j->>'pdf_encoding' = 'Base64'"
                       "   AND h.j->>'pdf_sha256' = d.pdf_sha256"
                       "   AND (h.j->>'pdf_bytes')::bigint = octet_length(d.pdf)"
                       "   AND h.j->>'batch_header' = 'FHS,BHS'", "t");
    TH_ASSERT_VALUE(c, "SELECT count(DISTINCT j->>'control') = count(*) FROM h", "t");
    TH_ASSERT_VALUE(c, "SELECT bool_and((j->>'batch_count')::int = (SELECT count(*) FROM h)) FROM h",
                    "t");
    PQfinish(c);
}
END_TEST

/* Delimiters in data: escaped in HL7, read back intact; text as TX. */
START_TEST(test_hl7_escaping)
{
    cs_export_options o;
    char err[CS_ERRLEN];
    PGconn *c = th_connect(&env);
    int n;

    ck_assert_ptr_nonnull(c);
    PQclear(PQexec(c, "CREATE TABLE keep_names AS SELECT id, last_name, first_name FROM patient"));
    PQclear(PQexec(c, "UPDATE patient SET last_name = 'O''Brien|Smith^Jr&Co~X\\Y',"
                      " first_name = 'Ann' || chr(13) || 'Marie'"
                      " WHERE id IN (SELECT patient_id FROM document WHERE status = 'filed')"));
    memset(&o, 0, sizeof o);
    o.pdf = CS_EXPORT_PDF_NONE;
    n = run_export(1, &o, "hl7t", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "hl7 text: %d: %s", n, err);
    ck_assert_int_eq(consume("hl7", "hl7t", "MDM.hl7", NULL), 0);
    ck_assert_int_eq(load(c, "h", "hl7t"), filed_at_setup);
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM ehr.document) FROM h"
                       " JOIN ehr.document d ON d.uuid::text = h.j->>'document_number'"
                       " WHERE h.j->>'last_name' = 'O''Brien|Smith^Jr&Co~X\\Y'"
                       "   AND h.j->>'first_name' = 'Ann' || chr(13) || 'Marie'"
                       "   AND h.j->>'presentation' = 'TX' AND h.j->>'pdf_sha256' IS NULL"
                       "   AND rtrim(h.j->>'text', E'\\n')"
                       "       = rtrim(replace(replace(d.text, E'\\f', E'\\n'), E'\\r', ''), E'\\n')",
                    "t");
    PQclear(PQexec(c, "UPDATE patient p SET last_name = k.last_name, first_name = k.first_name"
                      " FROM keep_names k WHERE k.id = p.id"));
    PQclear(PQexec(c, "DROP TABLE keep_names"));
    PQfinish(c);
}
END_TEST

/* ---- MLLP: a listener that answers from a script of codes ---- */

typedef struct listener {
    pid_t pid;
    int port;
} listener;

/* A listener answering from script, "CODE TXA-12" per message to log_path (th_mllp_listener). */
static listener start_listener(const char *script, const char *log_path)
{
    listener l = {0, 0};
    l.pid = th_mllp_listener(&l.port, script, NULL, log_path);
    return l;
}

static void stop_listener(listener *l)
{
    if (l->pid > 0) {
        int st;
        if (th_wait(l->pid, 10) == -2) {
            kill(l->pid, SIGKILL);
            waitpid(l->pid, &st, 0);
        }
    }
    l->pid = 0;
}

static int mllp_export(const listener *l, const char *destination, int timeout_ms, char *err,
                       size_t errlen)
{
    cs_export_options o;
    char hostport[64];
    memset(&o, 0, sizeof o);
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", l->port);
    o.mllp = hostport;
    o.destination = destination;
    o.mllp_timeout_ms = timeout_ms;
    return run_export(1, &o, NULL, err, errlen);
}

START_TEST(test_mllp_accept_reject_retry)
{
    char err[CS_ERRLEN], log1[256], log2[256], log3[256], expect[64];
    listener l;
    PGconn *c;
    int n;

    snprintf(log1, sizeof log1, "%s/mllp1.log", env.dir);
    snprintf(log2, sizeof log2, "%s/mllp2.log", env.dir);
    snprintf(log3, sizeof log3, "%s/mllp3.log", env.dir);
    /* first run: AA, then AE, then AA for the rest */
    l = start_listener("AEA", log1);
    n = mllp_export(&l, "engine", 5000, err, sizeof err);
    stop_listener(&l);
    ck_assert_int_eq(n, -1);
    ck_assert_msg(strstr(err, "rejected 1 message") != NULL, "%s", err);
    c = th_connect(&env);
    snprintf(expect, sizeof expect, "%ld/1", filed_at_setup - 1);
    TH_ASSERT_VALUE(c, "SELECT count(*) FILTER (WHERE i.status = 'accepted') || '/' ||"
                       " count(*) FILTER (WHERE i.status = 'rejected' AND i.ack_code = 'AE'"
                       "                  AND i.ack_text = 'unknown patient')"
                       " FROM destination_item i JOIN destination t ON t.id = i.destination_id"
                       " WHERE t.name = 'engine' AND t.format = 'hl7'", expect);
    /* the listener saw every document once */
    ck_assert_int_eq(th_sh("test $(wc -l < '%s') -eq %ld", log1, filed_at_setup), 0);

    /* second run: only the rejected one goes again, and is accepted */
    l = start_listener("A", log2);
    n = mllp_export(&l, "engine", 5000, err, sizeof err);
    stop_listener(&l);
    ck_assert_msg(n == 1, "retry sent %d: %s", n, n < 0 ? err : "");
    ck_assert_int_eq(th_sh("test \"$(cut -c3- '%s')\" = \"$(sed -n 2p '%s' | cut -c3-)\"", log2,
                           log1), 0);
    TH_ASSERT_VALUE(c, "SELECT count(*) = (SELECT count(*) FROM ehr.document)"
                       " FROM destination_item i JOIN destination t ON t.id = i.destination_id"
                       " WHERE t.name = 'engine' AND i.status = 'accepted'", "t");
    TH_ASSERT_VALUE(c, "SELECT attempts FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'engine' AND ack_code = 'AA'"
                       " ORDER BY attempts DESC LIMIT 1", "2");

    /* third run: nothing new */
    l = start_listener("A", log3);
    n = mllp_export(&l, "engine", 5000, err, sizeof err);
    stop_listener(&l);
    ck_assert_msg(n == 0, "third run sent %d: %s", n, n < 0 ? err : "");
    ck_assert_int_eq(th_sh("test ! -s '%s'", log3), 0);
    snprintf(expect, sizeof expect, "%ld+1 1+0 0+0", filed_at_setup - 1);
    TH_ASSERT_VALUE(c, "SELECT string_agg((detail->>'count') || '+' || (detail->>'rejected'), ' '"
                       " ORDER BY id) FROM audit WHERE action = 'export' AND object_id = 'engine'",
                    expect);
    PQfinish(c);
}
END_TEST

START_TEST(test_mllp_no_answer)
{
    char err[CS_ERRLEN], log1[256], log2[256];
    listener l;
    PGconn *c;
    int n;

    snprintf(log1, sizeof log1, "%s/mllp-silent.log", env.dir);
    snprintf(log2, sizeof log2, "%s/mllp-after.log", env.dir);
    l = start_listener("-", log1);
    n = mllp_export(&l, "silent", 300, err, sizeof err);
    ck_assert_int_eq(n, -1);
    ck_assert_msg(strstr(err, "no acknowledgement") != NULL, "%s", err);
    stop_listener(&l);
    c = th_connect(&env);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'silent'", "0");
    /* nothing lost: the next run sends everything */
    l = start_listener("A", log2);
    n = mllp_export(&l, "silent", 5000, err, sizeof err);
    stop_listener(&l);
    ck_assert_msg(n == filed_at_setup, "after silence: %d: %s", n, n < 0 ? err : "");

    /* nobody listening: a clear error, nothing recorded */
    {
        listener gone = {0, l.port};
        n = mllp_export(&gone, "nobody", 1000, err, sizeof err);
        ck_assert_int_eq(n, -1);
        ck_assert_msg(strstr(err, "could not connect") != NULL, "%s", err);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_errors)
{
    cs_export_options o;
    char err[CS_ERRLEN];

    memset(&o, 0, sizeof o);
    o.batch = "no-such-batch.zip";
    ck_assert_int_eq(run_export(0, &o, "e1", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no batch") != NULL, "%s", err);
    memset(&o, 0, sizeof o);
    o.since = "yesterday-ish";
    ck_assert_int_eq(run_export(1, &o, "e2", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "invalid time") != NULL, "%s", err);
    memset(&o, 0, sizeof o);
    o.mllp = "localhost";
    ck_assert_int_eq(run_export(1, &o, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "HOST:PORT") != NULL, "%s", err);
    /* a destination keeps its format */
    memset(&o, 0, sizeof o);
    o.destination = "engine";   /* hl7, from the MLLP test */
    ck_assert_int_eq(run_export(0, &o, "e3", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "receives hl7, not fhir") != NULL, "%s", err);
    /* --batch and --since select */
    memset(&o, 0, sizeof o);
    o.batch = "batch.zip";
    o.since = "2999-01-01";
    ck_assert_int_eq(run_export(0, &o, "e4", err, sizeof err), 0);
    o.since = "2000-01-01";
    ck_assert_int_eq(run_export(0, &o, "e5", err, sizeof err), filed_at_setup);
}
END_TEST

/* base64 (libsodium, issue 13): RFC 4648's vectors, appended, and a round trip. */
START_TEST(test_base64)
{
    static const char *const vectors[][2] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    unsigned char bytes[3000], back[3000];
    size_t back_len = 0;
    cs_buf b = CS_BUF_INIT;

    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        cs_buf_reset(&b);
        ck_assert_int_eq(cs_base64_append(&b, (const unsigned char *)vectors[i][0],
                                          strlen(vectors[i][0])), 0);
        ck_assert_str_eq(b.data ? b.data : "", vectors[i][1]);
        ck_assert_uint_eq(b.len, strlen(vectors[i][1]));
    }
    /* appended after what the buffer holds (HL7's OBX-5), every byte value */
    cs_buf_reset(&b);
    cs_buf_puts(&b, "^AP^PDF^Base64^");
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + i / 256);
    ck_assert_int_eq(cs_base64_append(&b, bytes, sizeof bytes), 0);
    ck_assert_uint_eq(b.len, 15 + sizeof bytes / 3 * 4);
    ck_assert_int_eq(strncmp(b.data, "^AP^PDF^Base64^", 15), 0);
    ck_assert_int_eq(sodium_base642bin(back, sizeof back, b.data + 15, b.len - 15, NULL,
                                       &back_len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    ck_assert_uint_eq(back_len, sizeof bytes);
    ck_assert_int_eq(memcmp(back, bytes, sizeof bytes), 0);
    /* a failed append leaves the buffer as it was, marked failed */
    cs_buf_test_fail_allocation(1);
    ck_assert_int_eq(cs_base64_append(&b, bytes, sizeof bytes), -1);
    cs_buf_test_fail_allocation(0);
    ck_assert(cs_buf_failed(&b));
    ck_assert_uint_eq(b.len, 15 + sizeof bytes / 3 * 4);
    cs_buf_free(&b);
}
END_TEST

/*
 * A setting that goes into every FHIR resource and is not UTF-8 stops the
 * export with a message naming it (it used to go out as U+FFFD), before any
 * file is written or anything recorded.
 */
START_TEST(test_fhir_setting_not_utf8)
{
    cs_export_options o;
    char err[CS_ERRLEN];
    PGconn *c = th_connect(&env);

    memset(&o, 0, sizeof o);
    o.destination = "bad-organisation";
    o.organization = "Example \xff General";
    ck_assert_int_eq(run_export(0, &o, "bad-utf8", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "organisation") && strstr(err, "not valid UTF-8"), "%s", err);
    ck_assert_int_eq(th_sh("test -z \"$(ls -A '%s/bad-utf8')\"", env.dir), 0);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'bad-organisation'", "0");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM audit WHERE object_id = 'bad-organisation'", "0");

    memset(&o, 0, sizeof o);
    o.pdf = CS_EXPORT_PDF_NONE;
    o.mrn_system = "urn:\xc3";
    ck_assert_int_eq(run_export(0, &o, "bad-utf8", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "MRN system") && strstr(err, "not valid UTF-8"), "%s", err);
    PQfinish(c);
}
END_TEST

START_TEST(test_incremental_and_audit)
{
    cs_export_options o;
    char err[CS_ERRLEN], expect[128];
    PGconn *c = th_connect(&env);
    int n;

    memset(&o, 0, sizeof o);
    o.destination = "archive";
    n = run_export(0, &o, "inc1", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "first: %d: %s", n, err);
    n = run_export(0, &o, "inc2", err, sizeof err);
    ck_assert_msg(n == 0, "second: %d: %s", n, err);
    ck_assert_int_eq(th_sh("test ! -e '%s/inc2/DocumentReference.ndjson'", env.dir), 0);
    /* a changed document (its type, as a reviewer's correction in place) goes again */
    PQclear(PQexec(c, "UPDATE document SET doctype = CASE WHEN doctype = 'letter'"
                      " THEN 'progress_note' ELSE 'letter' END"
                      " WHERE id = (SELECT min(id) FROM document WHERE status = 'filed')"));
    n = run_export(0, &o, "inc3", err, sizeof err);
    ck_assert_msg(n == 1, "third: %d: %s", n, err);
    /* a roster change of that patient changes what the export carries, too */
    PQclear(PQexec(c, "UPDATE patient SET first_name = first_name || 'x' WHERE id ="
                      " (SELECT patient_id FROM document WHERE id ="
                      "   (SELECT max(id) FROM document WHERE status = 'filed'))"));
    n = run_export(0, &o, "inc4", err, sizeof err);
    ck_assert_msg(n >= 1, "fourth: %d: %s", n, err);
    snprintf(expect, sizeof expect, "export-test:%ld export-test:0 export-test:1", filed_at_setup);
    TH_ASSERT_VALUE(c, "SELECT string_agg(actor || ':' || (detail->>'count'), ' ' ORDER BY id)"
                       " FROM audit WHERE action = 'export' AND object_id = 'archive'"
                       " AND id < (SELECT max(id) FROM audit WHERE object_id = 'archive')",
                    expect);
    TH_ASSERT_VALUE(c, "SELECT detail->'documents' = jsonb_build_array((SELECT min(id) FROM document"
                       " WHERE status = 'filed')) AND detail->>'format' = 'fhir'"
                       " AND detail->>'destination' = 'archive' AND object_kind = 'destination'"
                       " FROM audit WHERE object_id = 'archive' ORDER BY id DESC OFFSET 1 LIMIT 1", "t");
    /* an export without a destination is audited too */
    TH_ASSERT_VALUE(c, "SELECT count(*) > 0 FROM audit WHERE action = 'export' AND object_id IS NULL"
                       " AND actor = 'export-test'", "t");
    PQfinish(c);
}
END_TEST

/* A reviewer re-files a document as a new version (the protocol of schema/005_ehr.sql). */
START_TEST(test_correction_versions)
{
    cs_export_options o;
    char err[CS_ERRLEN];
    PGconn *c = th_connect(&env);
    PGresult *r;
    int n;

    memset(&o, 0, sizeof o);
    o.destination = "versions";
    n = run_export(0, &o, "v1", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "before: %d: %s", n, err);

    r = PQexec(c,
        "BEGIN;"
        "CREATE TEMP TABLE old AS SELECT * FROM document WHERE status = 'filed' ORDER BY id LIMIT 1;"
        "UPDATE document SET superseded_at = now() WHERE id = (SELECT id FROM old);"
        "INSERT INTO document (batch_id, file_id, first_page, last_page, page_count, status,"
        "   doctype, patient_id, date_of_service, pdf, pdf_sha256, filed_by, filed_at, replaces_id)"
        " SELECT batch_id, file_id, first_page, last_page, page_count, 'filed',"
        "   CASE WHEN doctype = 'letter' THEN 'ed_note' ELSE 'letter' END, patient_id,"
        "   date_of_service, pdf, pdf_sha256, 'reviewer1', now(), id FROM old;"
        "UPDATE page SET document_id = (SELECT max(id) FROM document)"
        " WHERE document_id = (SELECT id FROM old);"
        "COMMIT");
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
    PQclear(r);
    TH_ASSERT_VALUE(c, "SELECT o.version_status || ' ' || n.version_status || ' ' ||"
                       " (o.superseded_by_document_id = n.document_id) || ' ' ||"
                       " (n.replaces_uuid = o.uuid) || ' ' || n.filed_by || ' ' ||"
                       " n.filed_automatically"
                       " FROM ehr.document o JOIN ehr.document n ON n.replaces_document_id = o.document_id",
                    "superseded current true true reviewer1 false");
    TH_ASSERT_VALUE(c, "SELECT count(*) || ' ' || bool_and(filed_by = 'reviewer1')"
                       " FROM ehr.document_correction", "1 true");

    /* FHIR: the old version again as superseded, the new one replacing it */
    n = run_export(0, &o, "v2", err, sizeof err);
    ck_assert_msg(n == 2, "after: %d: %s", n, err);
    ck_assert_int_eq(th_sh("%s '%s/tests/consumers/fhir_schema.py' '%s' '%s/v2/DocumentReference.ndjson'"
                           " '%s/v2/Binary.ndjson' >&2", python, env.root, schema, env.dir, env.dir), 0);
    ck_assert_int_eq(consume("fhir", "v2", "DocumentReference.ndjson", "Binary.ndjson"), 0);
    ck_assert_int_eq(load(c, "v", "v2"), 2);
    TH_ASSERT_VALUE(c, "SELECT string_agg((v.j->>'status' || ':' || coalesce(v.j->>'replaces', '-')"
                       "   = d.version_status || ':' || coalesce('DocumentReference/' || d.replaces_uuid, '-'))::text,"
                       "   ' ' ORDER BY d.document_id)"
                       " FROM v JOIN ehr.document d ON d.uuid::text = v.j->>'id'", "true true");

    /* HL7: only the current version, as MDM^T10 naming the replaced one in TXA-13 */
    memset(&o, 0, sizeof o);
    n = run_export(1, &o, "v3", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "hl7 after: %d: %s", n, err);
    ck_assert_int_eq(consume("hl7", "v3", "MDM.hl7", NULL), 0);
    ck_assert_int_eq(load(c, "w", "v3"), filed_at_setup);
    TH_ASSERT_VALUE(c, "SELECT w.j->>'type' || ' ' || (w.j->>'parent_number' = d.replaces_uuid::text)"
                       " FROM w JOIN ehr.document d ON d.uuid::text = w.j->>'document_number'"
                       " WHERE d.replaces_uuid IS NOT NULL", "MDM^T10^MDM_T02 true");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM w JOIN ehr.document d"
                       " ON d.uuid::text = w.j->>'document_number' WHERE d.version_status = 'superseded'",
                    "0");
    PQfinish(c);
}
END_TEST

/* ---- out of memory: a message that lost a piece is never written nor recorded (issue 12) ---- */

/* jansson's allocations (the FHIR resources), the nth from arming failing. */
static long json_countdown, json_failures;

static void *json_malloc_failing(size_t size)
{
    if (json_countdown > 0 && --json_countdown == 0) {
        json_failures++;
        return NULL;
    }
    return malloc(size);
}

static void json_fail_allocation(long n)
{
    json_set_alloc_funcs(json_malloc_failing, free);
    json_failures = 0;
    json_countdown = n > 0 ? n : 0;
}

/*
 * Export to destination dest in env.dir/dirname with the nth cs_buf
 * allocation failing (json: the nth of jansson's instead).  Returns the
 * export's result; *fired says whether the failure was injected (n was
 * within the export's allocations).
 */
static int export_failing_at(int hl7, int json, long n, const char *dest, const char *dirname,
                             int *fired, char *err, size_t errlen)
{
    cs_export_options o;
    char dir[256];
    cs_store *s = open_store();
    int rc;

    memset(&o, 0, sizeof o);
    snprintf(dir, sizeof dir, "%s/%s", env.dir, dirname);
    o.out_dir = dir;
    o.destination = dest;
    o.allow_placeholder_ids = 1;
    if (hl7)
        o.pdf = CS_EXPORT_PDF_NONE;   /* text: messages of different sizes, line by line */
    err[0] = '\0';
    if (json)
        json_fail_allocation(n);
    else
        cs_buf_test_fail_allocation(n);
    rc = hl7 ? cs_export_hl7(s, &o, NULL, err, errlen) : cs_export_fhir(s, &o, NULL, err, errlen);
    *fired = json ? json_failures > 0 : cs_buf_test_failures() > 0;
    json_fail_allocation(0);
    cs_buf_test_fail_allocation(0);
    cs_store_close(&s);
    return rc;
}

/*
 * Every allocation of an export fails in turn (the first, the second, ...
 * until one beyond the last): each run with a failure refuses with "out of
 * memory", writes no file and records nothing as sent, whether the failure
 * hits the first message or a later one (whose buffer kept the memory of
 * the one before).  The run past the last allocation exports everything.
 * The last document's patient gets a long name for the time of the test, so
 * that its message outgrows the earlier ones: the buffer then has to grow
 * after the first messages went out, which is where a failure used to go
 * unseen (the `!msg.data` checks saw only a buffer never allocated).
 */
static void check_every_allocation_fails_cleanly(int hl7, int json)
{
    const char *base = hl7 ? "oom-hl7" : json ? "oom-json" : "oom-fhir";
    const char *file = hl7 ? "MDM.hl7" : "DocumentReference.ndjson";
    char err[CS_ERRLEN], q[256], dirname[32], dest[32];
    PGconn *c = th_connect(&env);
    long n, failures = 0;
    int rc, fired = 1;

    ck_assert_ptr_nonnull(c);
    /* the last filed document's patient has no earlier filed document */
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM document WHERE status = 'filed' AND patient_id ="
                       " (SELECT patient_id FROM document WHERE id = (SELECT max(id) FROM document"
                       "  WHERE status = 'filed'))", "1");
    PQclear(PQexec(c, "CREATE TABLE keep_oom AS SELECT id, last_name FROM patient WHERE id ="
                      " (SELECT patient_id FROM document WHERE id = (SELECT max(id) FROM document"
                      "  WHERE status = 'filed'))"));
    PQclear(PQexec(c, "UPDATE patient p SET last_name = p.last_name || repeat('-Longname', 2000)"
                      " FROM keep_oom k WHERE k.id = p.id"));
    for (n = 1; fired && n < 2000; n++) {
        /* a destination of its own each time: one run's outcome cannot hide another's */
        snprintf(dirname, sizeof dirname, "%s-%ld", base, n);
        snprintf(dest, sizeof dest, "%s-%ld", base, n);
        rc = export_failing_at(hl7, json, n, dest, dirname, &fired, err, sizeof err);
        if (!fired)
            break;
        failures++;
        ck_assert_msg(rc == -1, "%s: allocation %ld failed, yet the export gave %d", dest, n, rc);
        ck_assert_msg(strstr(err, "out of memory") != NULL, "%s, allocation %ld: %s", dest, n,
                      err);
        snprintf(q, sizeof q, "SELECT count(*) FROM destination_item i JOIN destination t"
                              " ON t.id = i.destination_id WHERE t.name = '%s'", dest);
        TH_ASSERT_VALUE(c, q, "0");
        snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE object_id = '%s'", dest);
        TH_ASSERT_VALUE(c, q, "0");
        ck_assert_msg(th_sh("test -z \"$(ls -A '%s/%s')\"", env.dir, dirname) == 0,
                      "%s, allocation %ld: files left in %s", dest, n, dirname);
    }
    ck_assert_msg(!fired, "%s: still failing after %ld allocations", dest, n);
    ck_assert_msg(rc == filed_at_setup, "%s: without a failure: %d: %s", dest, rc, err);
    /* a failure was injected in each run before, more than one message's worth */
    ck_assert_msg(failures > 3, "%s: only %ld allocations", dest, failures);
    snprintf(q, sizeof q, "SELECT count(*) FROM destination_item i JOIN destination t"
                          " ON t.id = i.destination_id WHERE t.name = '%s' AND i.status = 'sent'",
             dest);
    ck_assert_int_eq(th_long(c, q), filed_at_setup);
    ck_assert_int_eq(th_sh("test -s '%s/%s/%s'", env.dir, dirname, file), 0);
    PQclear(PQexec(c, "UPDATE patient p SET last_name = k.last_name FROM keep_oom k"
                      " WHERE k.id = p.id"));
    PQclear(PQexec(c, "DROP TABLE keep_oom"));
    PQfinish(c);
}

START_TEST(test_hl7_out_of_memory)
{
    check_every_allocation_fails_cleanly(1, 0);
}
END_TEST

START_TEST(test_fhir_out_of_memory)
{
    check_every_allocation_fails_cleanly(0, 0);
}
END_TEST

/* The same for the allocations of jansson, which builds the FHIR resources (issue 13). */
START_TEST(test_fhir_json_out_of_memory)
{
    check_every_allocation_fails_cleanly(0, 1);
}
END_TEST

/* ---- files private, never through a link (issue 12) ---- */

static unsigned mode_of(const char *path)
{
    struct stat st;
    ck_assert_msg(lstat(path, &st) == 0, "%s is missing", path);
    return (unsigned)(st.st_mode & 07777);
}

/* The id of a document with a PDF, as text. */
static void document_with_pdf(char *id, size_t idlen)
{
    PGconn *c = th_connect(&env);
    long v = th_long(c, "SELECT min(id) FROM document WHERE pdf IS NOT NULL");
    ck_assert_int_gt(v, 0);
    snprintf(id, idlen, "d-%ld", v);
    PQfinish(c);
}

/* With umask 022, every export's files are 0600 and the folders it makes 0700. */
START_TEST(test_export_files_private)
{
    cs_export_options o;
    char err[CS_ERRLEN], path[300], id[32];
    cs_store *s;
    th_result r;
    int n;

    umask(022);
    memset(&o, 0, sizeof o);
    n = run_export(0, &o, "priv-fhir", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "fhir: %d: %s", n, err);
    snprintf(path, sizeof path, "%s/priv-fhir", env.dir);
    ck_assert_uint_eq(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/priv-fhir/DocumentReference.ndjson", env.dir);
    ck_assert_uint_eq(mode_of(path), 0600);
    snprintf(path, sizeof path, "%s/priv-fhir/Binary.ndjson", env.dir);
    ck_assert_uint_eq(mode_of(path), 0600);

    memset(&o, 0, sizeof o);
    n = run_export(1, &o, "priv-hl7", err, sizeof err);
    ck_assert_msg(n == filed_at_setup, "hl7: %d: %s", n, err);
    snprintf(path, sizeof path, "%s/priv-hl7", env.dir);
    ck_assert_uint_eq(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/priv-hl7/MDM.hl7", env.dir);
    ck_assert_uint_eq(mode_of(path), 0600);

    /* the PDF, also over an existing world-readable file */
    document_with_pdf(id, sizeof id);
    snprintf(path, sizeof path, "%s/priv.pdf", env.dir);
    ck_assert_int_eq(th_sh("echo old > '%s' && chmod 644 '%s'", path, path), 0);
    s = open_store();
    ck_assert_msg(cs_export_pdf(s, id, path, err, sizeof err) == 0, "pdf: %s", err);
    cs_store_close(&s);
    ck_assert_uint_eq(mode_of(path), 0600);
    ck_assert_int_eq(th_sh("head -c 5 '%s' | grep -q '%%PDF-'", path), 0);

    /* the manifest, through the command line */
    snprintf(path, sizeof path, "%s/priv-manifest.jsonl", env.dir);
    r = th_chartscan(&env, "export", "manifest", "--out", path, (char *)NULL);
    ck_assert_msg(r.status == 0, "manifest: %s", r.err);
    ck_assert_str_eq(r.out, "");
    th_result_free(&r);
    ck_assert_uint_eq(mode_of(path), 0600);
    ck_assert_int_eq(th_sh("grep -q '\"kind\":\"document\"' '%s'", path), 0);
    ck_assert_int_eq(th_sh("test -z \"$(find '%s' -name '*.part-*')\"", env.dir), 0);
}
END_TEST

/* A destination pre-created as a symbolic link is refused; its target is untouched. */
START_TEST(test_export_symlink_refused)
{
    cs_export_options o;
    char err[CS_ERRLEN], victim[256], path[300], id[32];
    PGconn *c = th_connect(&env);
    cs_store *s;
    th_result r;

    umask(022);
    snprintf(victim, sizeof victim, "%s/victim.txt", env.dir);
    ck_assert_int_eq(th_sh("printf 'do not touch\\n' > '%s' && chmod 644 '%s'", victim, victim), 0);
#define VICTIM_INTACT()                                                                      \
    ck_assert_int_eq(th_sh("test \"$(cat '%s')\" = 'do not touch' && test \"$(stat -c %%a '%s')\""\
                           " = 644", victim, victim), 0)

    /* HL7: the batch file */
    ck_assert_int_eq(th_sh("mkdir -p '%s/link-hl7' && ln -s '%s' '%s/link-hl7/MDM.hl7'", env.dir,
                           victim, env.dir), 0);
    memset(&o, 0, sizeof o);
    o.destination = "linked-hl7";
    ck_assert_int_eq(run_export(1, &o, "link-hl7", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    VICTIM_INTACT();
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'linked-hl7'", "0");

    /* FHIR: the Binary file (DocumentReference.ndjson is fine) */
    ck_assert_int_eq(th_sh("mkdir -p '%s/link-fhir' && ln -s '%s' '%s/link-fhir/Binary.ndjson'",
                           env.dir, victim, env.dir), 0);
    memset(&o, 0, sizeof o);
    o.destination = "linked-fhir";
    ck_assert_int_eq(run_export(0, &o, "link-fhir", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    VICTIM_INTACT();
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM destination_item i JOIN destination t"
                       " ON t.id = i.destination_id WHERE t.name = 'linked-fhir'", "0");
    ck_assert_int_eq(th_sh("test ! -e '%s/link-fhir/DocumentReference.ndjson'", env.dir), 0);

    /* the output folder itself a link */
    ck_assert_int_eq(th_sh("mkdir -p '%s/real-dir' && ln -s '%s/real-dir' '%s/link-dir'", env.dir,
                           env.dir, env.dir), 0);
    memset(&o, 0, sizeof o);
    ck_assert_int_eq(run_export(0, &o, "link-dir", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    ck_assert_int_eq(th_sh("test -z \"$(ls -A '%s/real-dir')\"", env.dir), 0);

    /* the PDF */
    document_with_pdf(id, sizeof id);
    snprintf(path, sizeof path, "%s/link.pdf", env.dir);
    ck_assert_int_eq(symlink(victim, path), 0);
    s = open_store();
    ck_assert_int_eq(cs_export_pdf(s, id, path, err, sizeof err), -1);
    cs_store_close(&s);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    VICTIM_INTACT();

    /* the manifest, through the command line */
    snprintf(path, sizeof path, "%s/link-manifest.jsonl", env.dir);
    ck_assert_int_eq(symlink(victim, path), 0);
    r = th_chartscan(&env, "export", "manifest", "--out", path, (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "symbolic link") != NULL, "%s", r.err);
    th_result_free(&r);
    VICTIM_INTACT();
#undef VICTIM_INTACT
    ck_assert_int_eq(th_sh("test -z \"$(find '%s' -name '*.part-*')\"", env.dir), 0);
    PQfinish(c);
}
END_TEST

static Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("ehr");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_views_and_reader_role);
    tcase_add_test(tc, test_fhir_bulk_layout);
    tcase_add_test(tc, test_fhir_inline_and_metadata_only);
    tcase_add_test(tc, test_hl7_read_by_parser);
    tcase_add_test(tc, test_mllp_accept_reject_retry);
    tcase_add_test(tc, test_mllp_no_answer);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_base64);
    tcase_add_test(tc, test_fhir_setting_not_utf8);
    tcase_add_test(tc, test_export_files_private);
    tcase_add_test(tc, test_export_symlink_refused);
    /* these change data: last */
    tcase_add_test(tc, test_hl7_escaping);
    tcase_add_test(tc, test_hl7_out_of_memory);
    tcase_add_test(tc, test_fhir_out_of_memory);
    tcase_add_test(tc, test_fhir_json_out_of_memory);
    tcase_add_test(tc, test_incremental_and_audit);
    tcase_add_test(tc, test_correction_versions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(export_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

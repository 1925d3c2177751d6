/*
 * check_pipeline.c — unit tests for pipeline/ against a real PostgreSQL
 * (the embedded server in a private folder): the server's life cycle,
 * migrations, the job queue's claim / lease / complete / retry / fail
 * transitions and notifications, finding a document's patient in the
 * roster (candidate lookups and verification), and the store's helpers:
 * cs_pq_bin's binary parameters and results, messages that say what was
 * attempted, the invariants the store asserts (one statement at a time on
 * a connection, COPY begun before rows are sent), and commands handing
 * their problems to the caller instead of printing them.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/stages/stage_internal.h"
#include "common/common.h"
#include "tests/harness.h"

static th_env env;

static cs_store *open_store(void)
{
    char err[256] = "";
    cs_store *s = NULL;
    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    return s;
}

/* Run one or more statements (simple protocol) that must succeed. */
static void exec_ok(cs_store *s, const char *sql)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
}

/* ---- server ---- */

START_TEST(test_server_life_cycle)
{
    char err[256] = "";
    int exists = -1, running = -1;

    ck_assert_int_eq(cs_server_status(env.home, &exists, &running, err, sizeof err), 0);
    ck_assert_int_eq(exists, 1);
    ck_assert_int_eq(running, 1);
    ck_assert_msg(cs_server_stop(env.home, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_server_status(env.home, &exists, &running, err, sizeof err), 0);
    ck_assert_int_eq(running, 0);
    /* stopping a stopped server is fine; starting again finds the data */
    ck_assert_int_eq(cs_server_stop(env.home, err, sizeof err), 0);
    ck_assert_msg(cs_server_start(env.home, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_server_status(env.home, &exists, &running, err, sizeof err), 0);
    ck_assert_int_eq(running, 1);
    /* and the socket folder is private to the database owner */
    {
        char run[200];
        struct stat st;
        snprintf(run, sizeof run, "%s/pg/run", env.home);
        ck_assert_int_eq(stat(run, &st), 0);
        ck_assert_int_eq(st.st_mode & 077, 0);
    }
}
END_TEST

/* ---- migrations ---- */

START_TEST(test_migrations_idempotent)
{
    char err[256] = "";
    cs_store *s = open_store();
    /* the fixture applied them: nothing is left to apply, and the schema is current */
    ck_assert_int_eq(cs_store_migrate(s, NULL, err, sizeof err), 0);
    ck_assert_msg(cs_store_require_schema(s, err, sizeof err) == 0, "%s", err);
    /* a database that was never initialised is refused with the hint */
    exec_ok(s, "DROP SCHEMA chartscan CASCADE");
    ck_assert_int_eq(cs_store_require_schema(s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "run \"chartscan init\""), "%s", err);
    ck_assert_int_gt(cs_store_migrate(s, NULL, err, sizeof err), 0);
    ck_assert_msg(cs_store_require_schema(s, err, sizeof err) == 0, "%s", err);
    cs_store_close(&s);
    ck_assert_ptr_null(s);
}
END_TEST

/* ---- the queue ---- */

/* A batch with one file of n pages and their ocr jobs, as unpack would leave it. */
static void make_batch(cs_store *s, int n)
{
    char sql[1024];
    exec_ok(s, "TRUNCATE batch CASCADE");
    exec_ok(s, "INSERT INTO batch (id, name, sha256, size_bytes, archive_oid)"
               " VALUES (1, 'b.zip', 'x', 1, 0)");
    exec_ok(s, "INSERT INTO source_file (id, batch_id, entry_index, path, status, page_count)"
               " VALUES (1, 1, 1, 'a.tif', 'pages', 2)");
    snprintf(sql, sizeof sql,
             "INSERT INTO page (id, file_id, page_no) SELECT g, 1, g FROM generate_series(1, %d) g;"
             "INSERT INTO job (kind, batch_id, file_id, page_id, priority, max_attempts)"
             " SELECT 'ocr', 1, 1, g, 1, 2 FROM generate_series(1, %d) g", n, n);
    exec_ok(s, sql);
}

START_TEST(test_claim_skips_locked_and_leased)
{
    char err[256] = "";
    cs_store *a = open_store(), *b = open_store();
    cs_job ja, jb, jc;

    make_batch(a, 1);
    ck_assert_int_eq(cs_jobs_claim(a, "A", 60, &ja, err, sizeof err), 1);
    ck_assert_str_eq(ja.kind, "ocr");
    ck_assert_int_eq(ja.attempts, 1);
    ck_assert_int_eq(ja.page_id, 1);
    /* the only job is leased: nobody else gets it */
    ck_assert_int_eq(cs_jobs_claim(b, "B", 60, &jb, err, sizeof err), 0);
    /* the lease runs out (A died): B takes it over, and A can no longer complete it */
    exec_ok(a, "UPDATE job SET lease_until = now() - interval '1 second'");
    ck_assert_int_eq(cs_jobs_claim(b, "B", 60, &jb, err, sizeof err), 1);
    ck_assert_int_eq(jb.id, ja.id);
    ck_assert_int_eq(jb.attempts, 2);
    exec_ok(a, "BEGIN");
    ck_assert_int_eq(cs_jobs_complete(a, &ja, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "lease lost"), "%s", err);
    cs_pq_rollback(a);
    exec_ok(b, "BEGIN");
    ck_assert_msg(cs_jobs_complete(b, &jb, err, sizeof err) == 0, "%s", err);
    exec_ok(b, "COMMIT");
    ck_assert_int_eq(cs_jobs_claim(a, "A", 60, &jc, err, sizeof err), 0);
    cs_store_close(&a);
    cs_store_close(&b);
}
END_TEST

START_TEST(test_retry_then_fail_marks_the_page)
{
    char err[256] = "";
    cs_store *s = open_store();
    cs_job j;
    long queued, running;
    PGresult *r;

    make_batch(s, 2);
    /* page 2 is done already; page 1's job will fail twice */
    exec_ok(s, "UPDATE page SET status = 'done' WHERE id = 2;"
               "UPDATE job SET status = 'done' WHERE page_id = 2");
    ck_assert_int_eq(cs_jobs_claim(s, "W", 60, &j, err, sizeof err), 1);
    ck_assert_int_eq(cs_jobs_retry_or_fail(s, &j, "disk on fire", err, sizeof err), 0);
    /* queued again, but not before its backoff */
    ck_assert_int_eq(cs_jobs_pending(s, &queued, &running, err, sizeof err), 0);
    ck_assert_int_eq(queued, 1);
    ck_assert_int_eq(running, 0);
    ck_assert_int_eq(cs_jobs_claim(s, "W", 60, &j, err, sizeof err), 0);
    exec_ok(s, "UPDATE job SET run_after = now() WHERE status = 'queued'");
    ck_assert_int_eq(cs_jobs_claim(s, "W", 60, &j, err, sizeof err), 1);
    ck_assert_int_eq(j.attempts, 2);
    ck_assert_int_eq(cs_jobs_retry_or_fail(s, &j, "disk on fire", err, sizeof err), 0);
    /* attempts used up: the job failed, the page failed with the reason, and the
     * file's assembly is queued because no page is pending any more */
    r = cs_pq(s, "SELECT (SELECT status || '/' || last_error FROM job WHERE page_id = 1),"
                 "       (SELECT status || '/' || reason FROM page WHERE id = 1),"
                 "       (SELECT count(*) FROM job WHERE kind = 'assemble' AND file_id = 1)",
              0, NULL, err, sizeof err);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(PQgetvalue(r, 0, 0), "failed/disk on fire");
    ck_assert_str_eq(PQgetvalue(r, 0, 1), "failed/disk on fire");
    ck_assert_str_eq(PQgetvalue(r, 0, 2), "1");
    PQclear(r);
    cs_store_close(&s);
}
END_TEST

START_TEST(test_notify_wakes_a_waiting_worker)
{
    char err[256] = "";
    cs_store *w = open_store(), *other = open_store();
    double t0;

    ck_assert_int_eq(cs_jobs_listen(w, err, sizeof err), 0);
    /* nothing happens: the wait times out */
    t0 = cs_now_ms();
    ck_assert_int_eq(cs_jobs_wait(w, 300, err, sizeof err), 0);
    ck_assert(cs_now_ms() - t0 >= 250);
    /* a NOTIFY from another session wakes it at once */
    exec_ok(other, "NOTIFY chartscan_jobs");
    t0 = cs_now_ms();
    ck_assert_int_eq(cs_jobs_wait(w, 5000, err, sizeof err), 1);
    ck_assert(cs_now_ms() - t0 < 2000);
    cs_store_close(&w);
    cs_store_close(&other);
}
END_TEST

/* ---- finding the patient: candidates from the page, verification ---- */

/* The decision for one text page against the roster in the database. */
static cs_match_decision match_page(cs_store *s, const char *text, char *mrn, size_t mrnlen)
{
    char err[256] = "";
    cs_index_page page;
    cs_evidence *e = NULL;
    cs_candidates c;
    cs_match_score *scores = NULL;
    cs_match_decision d;
    cs_fields f;

    memset(&page, 0, sizeof page);
    page.text = text;
    ck_assert_int_eq(cs_index_extract_fields(&page, 1, 2024, &f), 0);
    ck_assert_int_eq(cs_evidence_new(&page, 1, 2024, &e), 0);
    ck_assert_msg(cs_candidates_match(s, &f, e, &c, &scores, &d, err, sizeof err) == 0, "%s", err);
    snprintf(mrn, mrnlen, "%s", d.file ? c.records[scores[0].record].mrn : "");
    free(scores);
    cs_candidates_free(&c);
    cs_evidence_free(&e);
    return d;
}

START_TEST(test_patient_found_by_verification)
{
    static const char body[] = "\nI saw her in clinic today for follow-up of her asthma.\n"
        "She is doing well on her inhaler and has had no exacerbations.\n"
        "Examination was unremarkable. We will continue the current plan.\n"
        "Please do not hesitate to contact me with any questions.\n";
    char text[1024], mrn[32];
    cs_match_decision d;
    cs_store *s = open_store();

    exec_ok(s, "TRUNCATE patient CASCADE");
    exec_ok(s, "INSERT INTO patient (mrn, last_name, first_name, middle_name, birth_date, sex) VALUES"
               " ('61506650', 'Langford', 'Liora', 'Maren', '2000-08-05', 'F'),"
               " ('61506651', 'Quill', 'Ada', '', '1961-02-03', 'F'),"
               " ('70000001', 'Ashdown', 'Tobias', '', '1977-04-04', 'M'),"
               " ('70000002', 'Ashdown', 'Tobias', '', '1980-09-09', 'M')");

    /* an unlabelled MRN on a sticker-like line, the name in any order */
    snprintf(text, sizeof text, "LANGFORD LIORA M   61506650   08/05/2000\n%s", body);
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_msg(d.file, "%s", d.reason ? d.reason : "");
    ck_assert_str_eq(mrn, "61506650");

    /* a letter without MRN whose name no label parser reads: the patients
     * born on its dates are looked up, verified, then every look-alike of
     * the one found is fetched before it is filed */
    snprintf(text, sizeof text, "06/29/2022\nRE: Patient Langford, Liora Maren, DOB 08/05/00\n"
             "Dear Dr. Garman,\n%s", body);
    {
        cs_index_page page;
        cs_fields f;
        memset(&page, 0, sizeof page);
        page.text = text;
        cs_index_extract_fields(&page, 1, 2024, &f);
        ck_assert_int_eq(f.name_info.found, 0);      /* what this case is about */
        ck_assert_int_eq(f.mrn_info.found, 0);
    }
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_msg(d.file, "%s", d.reason ? d.reason : "");
    ck_assert_str_eq(mrn, "61506650");

    /* the name in the order Last First Middle, which extraction reads as
     * first name Langford: the verified name and birth date are looked up */
    snprintf(text, sizeof text, "27 April 2020\nRE: Langford Liora Maren (DOB: Aug 5, 2000)\n"
             "To Whom It May Concern:\n%s", body);
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_msg(d.file, "%s", d.reason ? d.reason : "");
    ck_assert_str_eq(mrn, "61506650");

    /* the same for a patient with a same-name look-alike: review */
    snprintf(text, sizeof text, "06/29/2022\nRE: Patient Ashdown, Tobias, DOB 04/04/77\n"
             "Dear Dr. Garman,\n%s", body);
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_LOOKALIKE);

    /* an outsider born the same day as a roster patient: not filed */
    snprintf(text, sizeof text, "06/29/2022\nRE: Patient Morrow, Liora, DOB 08/05/00\n"
             "Dear Dr. Garman,\n%s", body);
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_int_eq(d.file, 0);

    /* a roster MRN printed with another name and birth date: not filed */
    snprintf(text, sizeof text, "Patient: Quill, Ada\nMRN: 61506650\nDOB: 02/03/1961\n%s", body);
    d = match_page(s, text, mrn, sizeof mrn);
    ck_assert_int_eq(d.file, 0);
    cs_store_close(&s);
}
END_TEST

/* ---- the store's helpers ---- */

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

START_TEST(test_pq_bin_bytes_round_trip)
{
    static const char bytes[] = {'a', '\0', '\\', (char)0xff, 'z'};
    const char *p[1] = {bytes};
    int lengths[1] = {sizeof bytes}, formats[1] = {1};
    char err[256] = "";
    cs_store *s = open_store();

    /* twice: prepared on the first run, executed prepared on the second */
    for (int run = 0; run < 2; run++) {
        PGresult *r = cs_pq_bin(s, "echo the bytes", "SELECT $1::bytea, octet_length($1::bytea)",
                                1, p, lengths, formats, 1, err, sizeof err);
        ck_assert_msg(r != NULL, "%s", err);
        /* binary both ways: the NUL and the backslash arrive and come back as they are */
        ck_assert_int_eq(PQgetlength(r, 0, 0), (int)sizeof bytes);
        ck_assert(memcmp(PQgetvalue(r, 0, 0), bytes, sizeof bytes) == 0);
        ck_assert_int_eq(PQgetlength(r, 0, 1), 4);   /* an int4 in network order */
        ck_assert_int_eq((unsigned char)PQgetvalue(r, 0, 1)[3], sizeof bytes);
        PQclear(r);
    }
    cs_store_close(&s);
}
END_TEST

START_TEST(test_messages_say_what_was_attempted)
{
    const char *p[1] = {"1"};
    char err[256] = "";
    cs_buf rows = CS_BUF_INIT;
    cs_store *s = open_store();
    PGresult *r;

    r = cs_pq_bin(s, "read the gadget", "SELECT data FROM no_such_table WHERE id = $1", 1, p,
                  NULL, NULL, 1, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(starts(err, "could not read the gadget: ") && strstr(err, "no_such_table")
                  && !strchr(err, '\n'), "%s", err);
    /* COPY names the table it loads */
    ck_assert_int_eq(cs_copy_begin(s, "COPY no_such_table FROM STDIN", err, sizeof err), -1);
    ck_assert_msg(starts(err, "could not start loading rows into no_such_table: "), "%s",
                  err);
    exec_ok(s, "CREATE TEMP TABLE gadget (n integer)");
    ck_assert_int_eq(cs_copy_begin(s, "COPY gadget (n) FROM STDIN", err, sizeof err), 0);
    ck_assert_int_eq(cs_buf_puts(&rows, "not a number\n"), 0);
    ck_assert_int_eq(cs_copy_send(s, &rows, err, sizeof err), 0);
    ck_assert_int_eq(cs_copy_end(s, NULL, err, sizeof err), -1);
    ck_assert_msg(starts(err, "could not load rows into gadget: ") && !strchr(err, '\n'),
                  "%s", err);
    /* and the store is usable after either */
    r = cs_pq(s, "SELECT 1", 0, NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    PQclear(r);
    cs_buf_free(&rows);
    cs_store_close(&s);
}
END_TEST

/* A statement while a COPY is open is a bug of ours: the store asserts. */
START_TEST(test_statement_during_copy_aborts)
{
    char err[256] = "";
    cs_store *s = open_store();

    exec_ok(s, "CREATE TEMP TABLE gadget (n integer)");
    ck_assert_int_eq(cs_copy_begin(s, "COPY gadget FROM STDIN", err, sizeof err), 0);
    cs_pq(s, "SELECT 1", 0, NULL, err, sizeof err);
}
END_TEST

START_TEST(test_rows_without_copy_abort)
{
    char err[256] = "";
    cs_buf rows = CS_BUF_INIT;
    cs_store *s = open_store();

    ck_assert_int_eq(cs_buf_puts(&rows, "1\n"), 0);
    cs_copy_send(s, &rows, err, sizeof err);
}
END_TEST

/* A result in flight (as unpack keeps one) must be collected first. */
START_TEST(test_statement_with_result_in_flight_aborts)
{
    char err[256] = "";
    cs_store *s = open_store();

    ck_assert_int_eq(PQsendQuery(s->conn, "SELECT 1"), 1);
    cs_pq(s, "SELECT 2", 0, NULL, err, sizeof err);
}
END_TEST

typedef struct collected {
    int n;
    char message[4][256];
} collected;

static void collect(void *arg, const char *message)
{
    collected *c = arg;
    if (c->n < 4)
        snprintf(c->message[c->n], sizeof c->message[0], "%s", message);
    c->n++;
}

/* The roster's malformed rows come back to the caller, one by one; the
 * library writes nothing on stderr itself. */
START_TEST(test_patients_problems_go_to_the_caller)
{
    char path[200], errpath[200], err[512] = "", *printed;
    collected c = {0};
    cs_problems problems = {collect, &c};
    cs_store *s = open_store();
    FILE *fp;
    int saved, fd, rc;

    snprintf(path, sizeof path, "%s/roster-bad.csv", env.dir);
    snprintf(errpath, sizeof errpath, "%s/roster-bad.stderr", env.dir);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("mrn,last_name,first_name,middle_name,birth_date,sex\n"
          "A1,Quill,Ada,,1961-02-03,F\n"
          "A2,Quill,Bea,,1962-03-04,X\n"
          ",Quill,Cy,,1963-04-05,M\n", fp);
    fclose(fp);

    fflush(stderr);
    saved = dup(STDERR_FILENO);
    fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    dup2(fd, STDERR_FILENO);
    close(fd);
    rc = cs_patients_import(s, path, stdout, &problems, err, sizeof err);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);

    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err, "has 2 malformed rows: nothing imported"), "%s", err);
    ck_assert_int_eq(c.n, 2);
    ck_assert_msg(strstr(c.message[0], "roster-bad.csv\" line 3, column sex: ") &&
                  strncmp(c.message[0], "chartscan", 9) != 0 && !strchr(c.message[0], '\n'),
                  "%s", c.message[0]);
    ck_assert_msg(strstr(c.message[1], "line 4, column mrn: MRN is empty"), "%s", c.message[1]);
    printed = th_slurp(errpath, NULL);
    ck_assert_ptr_nonnull(printed);
    ck_assert_msg(printed[0] == '\0', "the library printed: %s", printed);
    free(printed);
    /* without a cs_problems the rows are still refused, and still nothing printed */
    rc = cs_patients_import(s, path, stdout, NULL, err, sizeof err);
    ck_assert_int_eq(rc, -1);
    cs_store_close(&s);
}
END_TEST

static Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *server = tcase_create("server");
    TCase *queue = tcase_create("queue");
    TCase *patient = tcase_create("patient");
    TCase *store = tcase_create("store");

    tcase_add_test(server, test_server_life_cycle);
    tcase_add_test(server, test_migrations_idempotent);
    tcase_set_timeout(server, 120);
    tcase_add_test(queue, test_claim_skips_locked_and_leased);
    tcase_add_test(queue, test_retry_then_fail_marks_the_page);
    tcase_add_test(queue, test_notify_wakes_a_waiting_worker);
    tcase_set_timeout(queue, 60);
    suite_add_tcase(s, server);
    suite_add_tcase(s, queue);
    tcase_add_test(patient, test_patient_found_by_verification);
    tcase_set_timeout(patient, 60);
    suite_add_tcase(s, patient);
    tcase_add_test(store, test_pq_bin_bytes_round_trip);
    tcase_add_test(store, test_messages_say_what_was_attempted);
    tcase_add_test_raise_signal(store, test_statement_during_copy_aborts, SIGABRT);
    tcase_add_test_raise_signal(store, test_rows_without_copy_abort, SIGABRT);
    tcase_add_test_raise_signal(store, test_statement_with_result_in_flight_aborts, SIGABRT);
    tcase_add_test(store, test_patients_problems_go_to_the_caller);
    tcase_set_timeout(store, 60);
    suite_add_tcase(s, store);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pipeline_suite());
    char err[256] = "";
    cs_store *s = NULL;
    int failed;

    th_setup(&env, "pl");
    if (cs_store_open(&s, err, sizeof err) < 0 || cs_store_migrate(s, NULL, err, sizeof err) < 0) {
        fprintf(stderr, "could not prepare the test database: %s\n", err);
        th_teardown(&env);
        return 1;
    }
    cs_store_close(&s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

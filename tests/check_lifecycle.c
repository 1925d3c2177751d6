/*
 * check_lifecycle.c — a batch's life after submit (issue 15, item 2), with
 * the real binary, real workers, a real PostgreSQL and the real Tesseract:
 *
 *   history   the jobs a batch's processing finished are in job_history,
 *             moved there as they completed; with 200,000 finished jobs the
 *             claim reads the live partition only (its plan and the
 *             transaction's scan counters say so)
 *   cancel    a batch cancelled while a worker OCRs one of its pages: its
 *             queued and running jobs stop, the worker commits nothing of
 *             the page it was on (and neither does a second "worker" that
 *             holds a claimed job), what was processed stays, pages not
 *             processed say why, the audit row has counts only; no job can
 *             be queued for it afterwards; finished, cancelled and unknown
 *             batches are refused
 *   purge     the archive bytes of a batch finished ten days ago go, those
 *             of a batch finished today stay; sha256, documents and the
 *             manifest remain, and the same archive is still refused
 *   status    --active lists only batches with work left; status --json and
 *             report --json are JSON with the documented keys
 *   reconcile a prep sheet given later (batch expect) is set beside what the
 *             batch brought and made, per box, in report, status and their
 *             --json, every difference named (extra and missing pages,
 *             documents, blank pages, a box not in the archive); a sheet
 *             that agrees shows none; bad sheets are refused with their
 *             line and change nothing; submit --expect stores the sheet with
 *             the batch, and a bad one submits nothing
 *
 * The fixture (main) processes the generated sample batch (seed 41, 3 files):
 * batch 1.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"
#include "tests/harness.h"

static th_env env;

/* Run statements that must succeed. */
static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(r));
    PQclear(r);
}

/* One value of a query over json ($1), malloc'd; aborts the test on error. */
static char *json_value(PGconn *c, const char *json, const char *sql)
{
    const char *p[1] = {json};
    PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
    char *v;
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s\n%s", sql,
                  PQresultErrorMessage(r), json);
    v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

#define JSON_ASSERT(c, json, sql, expected)                                              \
    do {                                                                                 \
        char *v_ = json_value((c), (json), (sql));                                       \
        ck_assert_msg(!strcmp(v_, (expected)), "%s gave \"%s\", expected \"%s\"", (sql), \
                      v_, (expected));                                                   \
        free(v_);                                                                        \
    } while (0)

START_TEST(test_done_jobs_are_history)
{
    PGconn *c = th_connect(&env);

    /* nothing of the processed batch is left in the live partition */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job_live WHERE batch_id = 1"), 0);
    /* each stage's job is in the history, done, with its finishing time */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job_history WHERE batch_id = 1"
                                " AND kind = 'unpack' AND status = 'done'"), 1);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job_history WHERE batch_id = 1"
                                " AND kind = 'ocr' AND status = 'done'"),
                     th_long(c, "SELECT count(*) FROM page p JOIN source_file f"
                                " ON f.id = p.file_id WHERE f.batch_id = 1"));
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM job_history WHERE batch_id = 1"
                                " AND kind = 'assemble' AND status = 'done'"),
                     th_long(c, "SELECT count(*) FROM source_file WHERE batch_id = 1"
                                " AND status = 'pages'"));
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job_history WHERE finished_at IS NULL"), 0);
    /* and job, the queries' table, still shows them all */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job WHERE batch_id = 1 AND status = 'done'"),
                     th_long(c, "SELECT count(*) FROM job_history WHERE batch_id = 1"));
    PQfinish(c);
}
END_TEST

START_TEST(test_claim_ignores_a_large_history)
{
    PGconn *c = th_connect(&env);
    char err[CS_ERRLEN] = "", *plan;
    cs_store *s = NULL;
    cs_job job;
    long long queued;

    /* 200,000 finished jobs, as a long-running site's queue would have seen */
    exec_ok(c, "INSERT INTO job (kind, batch_id, status, attempts, finished_at)"
               " SELECT 'ocr', 1, 'done', 1, now() - interval '400 days'"
               "   FROM generate_series(1, 200000)");
    exec_ok(c, "ANALYZE job_live; ANALYZE job_history");
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM job WHERE status = 'done'"), 200000);
    ck_assert_int_lt(th_long(c, "SELECT count(*) FROM job_live"), 10);
    queued = th_long(c, "INSERT INTO job (kind, batch_id, priority) VALUES ('assemble', 1, 0)"
                        " RETURNING id");
    ck_assert_int_gt(queued, 0);

    /* the claim's plan has the live partition only */
    {
        PGresult *r = PQexec(c, "EXPLAIN SELECT id FROM job WHERE status = 'queued'"
                                " AND run_after <= now() ORDER BY priority, id"
                                " FOR UPDATE SKIP LOCKED LIMIT 1");
        size_t len = 1;
        ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(r); i++)
            len += strlen(PQgetvalue(r, i, 0)) + 1;
        plan = calloc(1, len);
        for (int i = 0; i < PQntuples(r); i++)
            strcat(strcat(plan, PQgetvalue(r, i, 0)), "\n");
        PQclear(r);
    }
    ck_assert_msg(strstr(plan, "job_live") && !strstr(plan, "job_history"), "%s", plan);
    free(plan);

    /* the real claim, in a transaction: it takes the queued job and reads no
     * row or index of the history */
    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_pq_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(cs_jobs_claim(s, "test:1:0", 60, &job, err, sizeof err), 1);
    ck_assert_int_eq(job.id, queued);
    {
        PGresult *r = cs_pq(s,
            "SELECT (SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
            "          FROM pg_stat_xact_user_tables WHERE relname = 'job_history'),"
            "       (SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)"
            "          FROM pg_stat_xact_user_tables WHERE relname = 'job_live')",
            0, NULL, err, sizeof err);
        ck_assert_msg(r != NULL, "%s", err);
        ck_assert_str_eq(PQgetvalue(r, 0, 0), "0");
        ck_assert_int_gt(atol(PQgetvalue(r, 0, 1)), 0);
        PQclear(r);
    }
    cs_pq_rollback(s);
    cs_store_close(&s);
    {
        char q[200];
        snprintf(q, sizeof q, "DELETE FROM job WHERE id = %lld;"
                              " DELETE FROM job WHERE finished_at < now() - interval '399 days'",
                 queued);
        exec_ok(c, q);
    }
    PQfinish(c);
}
END_TEST

/* The number before what in text (e.g. "pages processed are kept"), or -1. */
static long count_before(const char *text, const char *what)
{
    const char *at = strstr(text, what);
    if (!at)
        return -1;
    while (at > text && at[-1] == ' ')
        at--;
    while (at > text && at[-1] >= '0' && at[-1] <= '9')
        at--;
    return atol(at);
}

/* The batch test_cancel_stops_the_work cancelled (tests run in their own processes). */
static long long cancelled_batch(PGconn *c)
{
    long long b = th_long(c, "SELECT coalesce(max(id), 0) FROM batch WHERE status = 'cancelled'");
    ck_assert_msg(b > 0, "no batch was cancelled: test_cancel_stops_the_work must run first");
    return b;
}

START_TEST(test_cancel_stops_the_work)
{
    PGconn *c = th_connect(&env);
    char zip[200], q[600], id[24], err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    cs_job mine;
    pid_t pool;
    th_result r;
    long kept, not_processed;
    long long b;

    th_sample_archive(&env, 42, 4, zip, sizeof zip);
    b = th_submit(&env, zip);
    snprintf(id, sizeof id, "%lld", b);
    pool = th_chartscan_bg(&env, "pool", "work", "-j", "1", (char *)NULL);
    snprintf(q, sizeof q, "SELECT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'running') AND (SELECT count(*) FROM job WHERE batch_id"
                          " = %lld AND kind = 'ocr' AND status = 'queued') > 1", b, b);
    th_wait_for(c, q, 120);
    /* a second worker: this test, holding one of the batch's jobs */
    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_jobs_claim(s, "test:2:0", 60, &mine, err, sizeof err), 1);
    ck_assert_int_eq(mine.batch_id, b);

    r = th_chartscan(&env, "batch", "cancel", id, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "cancelled"), "%s", r.out);
    kept = count_before(r.out, "pages processed are kept");
    not_processed = count_before(r.out, "pages not processed");
    ck_assert_int_ge(kept, 0);
    ck_assert_int_gt(not_processed, 0);
    th_result_free(&r);

    /* the held job: its heartbeat and its commit both learn that it is gone */
    ck_assert_int_eq(cs_jobs_renew(s, &mine, 60, err, sizeof err), 0);
    ck_assert_msg(strstr(err, "cancelled"), "%s", err);
    ck_assert_int_eq(cs_pq_begin(s, err, sizeof err), 0);
    ck_assert_int_eq(cs_jobs_complete(s, &mine, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "batch was cancelled"), "%s", err);
    cs_pq_rollback(s);
    cs_store_close(&s);

    /* the pool's worker finishes the page it was on, and commits nothing of it */
    sleep(8);
    kill(pool, SIGTERM);
    ck_assert_int_eq(th_wait(pool, 120), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND p.status IN ('done', 'blank')", b);
    ck_assert_int_eq(th_long(c, q), kept);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND p.status = 'failed'"
                          " AND p.reason = 'batch cancelled'", b);
    ck_assert_int_eq(th_long(c, q), not_processed);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND p.status = 'pending'", b);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE batch_id = %lld"
                          " AND status IN ('queued', 'running', 'failed')", b);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) > 1 FROM job_history WHERE batch_id = %lld"
                          " AND status = 'cancelled'", b);
    TH_ASSERT_VALUE(c, q, "t");
    snprintf(q, sizeof q, "SELECT status || ' ' || (cancelled_at IS NOT NULL) FROM batch"
                          " WHERE id = %lld", b);
    TH_ASSERT_VALUE(c, q, "cancelled true");
    /* audited, with counts and no archive name */
    snprintf(q, sizeof q, "SELECT (detail->>'pages_kept')::int = %ld"
                          " AND (detail->>'pages_cancelled')::int = %ld"
                          " AND detail::text NOT LIKE '%%batch-42%%' FROM audit"
                          " WHERE action = 'batch_cancel' AND object_kind = 'batch'"
                          " AND object_id = '%lld'", kept, not_processed, b);
    TH_ASSERT_VALUE(c, q, "t");

    /* no job can be queued for it any more (a stage still unpacking fails) */
    {
        PGresult *res;
        snprintf(q, sizeof q, "INSERT INTO job (kind, batch_id) VALUES ('unpack', %lld)", b);
        res = PQexec(c, q);
        ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
        ck_assert_msg(strstr(PQresultErrorMessage(res), "was cancelled"), "%s",
                      PQresultErrorMessage(res));
        PQclear(res);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_cancel_refusals)
{
    static const struct {
        const char *a2, *a3, *a4;
        int status;
        const char *says;
    } cases[] = {
        {"cancel", "1", NULL, 1, "batch 1 is finished"},
        {"cancel", "999", NULL, 1, "no batch \"999\""},
        {"cancel", NULL, NULL, 2, "batch cancel needs one batch ID"},
        {"frobnicate", NULL, NULL, 2, "unknown batch action"},
        {"purge", NULL, NULL, 2, "needs --older-than DAYS"},
        {"purge", "--older-than", "x", 2, "--older-than needs 0 to 36500 days"},
        {"purge", "--older-than", "-1", 2, "--older-than needs 0 to 36500 days"},
    };
    PGconn *c = th_connect(&env);
    char id[24];
    th_result r;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = th_chartscan(&env, "batch", cases[i].a2, cases[i].a3, cases[i].a4, (char *)NULL);
        ck_assert_msg(r.status == cases[i].status && strstr(r.err, cases[i].says),
                      "batch %s %s: %d %s", cases[i].a2, cases[i].a3 ? cases[i].a3 : "",
                      r.status, r.err);
        th_result_free(&r);
    }
    snprintf(id, sizeof id, "%lld", cancelled_batch(c));
    r = th_chartscan(&env, "batch", "cancel", id, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "was cancelled already"), "%d %s", r.status,
                  r.err);
    th_result_free(&r);
    PQfinish(c);
}
END_TEST

START_TEST(test_purge_drops_old_archives)
{
    PGconn *c = th_connect(&env);
    char line[200], path[200], q[300], *sha;
    long long bytes;
    long docs;
    th_result r;

    long long cancelled = cancelled_batch(c);

    /* batch 1 finished ten days ago; the cancelled batch today */
    exec_ok(c, "UPDATE batch SET unpacked_at = unpacked_at - interval '10 days' WHERE id = 1;"
               "UPDATE job_history SET finished_at = finished_at - interval '10 days'"
               " WHERE batch_id = 1");
    bytes = th_long(c, "SELECT sum(octet_length(data)) FROM archive_chunk WHERE batch_id = 1");
    ck_assert_int_gt(bytes, 0);
    docs = th_long(c, "SELECT count(*) FROM document WHERE batch_id = 1");
    ck_assert_int_gt(docs, 0);
    sha = th_value(c, "SELECT sha256 FROM batch WHERE id = 1");

    r = th_chartscan(&env, "batch", "purge", "--older-than", "11", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "no archive to purge"), "%s%s", r.out, r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "batch", "purge", "--older-than", "5", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    snprintf(line, sizeof line, "batch 1 (batch.zip): archive purged, %lld bytes freed", bytes);
    ck_assert_msg(strstr(r.out, line), "%s\nexpected: %s", r.out, line);
    ck_assert_msg(strstr(r.out, "purged 1 archive:"), "%s", r.out);
    th_result_free(&r);

    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM archive_chunk WHERE batch_id = 1"), 0);
    snprintf(q, sizeof q, "SELECT count(*) > 0 FROM archive_chunk WHERE batch_id = %lld",
             cancelled);
    TH_ASSERT_VALUE(c, q, "t");
    snprintf(q, sizeof q, "SELECT sha256 = '%s' AND purged_at IS NOT NULL FROM batch WHERE id = 1",
             sha);
    TH_ASSERT_VALUE(c, q, "t");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM document WHERE batch_id = 1"), docs);
    snprintf(q, sizeof q, "SELECT (detail->>'bytes_freed')::bigint = %lld FROM audit"
                          " WHERE action = 'batch_purge' AND object_id = '1'", bytes);
    TH_ASSERT_VALUE(c, q, "t");

    /* the manifest is still there, and the same archive is still a duplicate */
    r = th_chartscan(&env, "export", "manifest", "--batch", "1", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "\"kind\":\"document\""), "%s", r.err);
    th_result_free(&r);
    snprintf(path, sizeof path, "%s/sample/batch.zip", env.dir);
    r = th_chartscan(&env, "submit", path, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "already submitted as batch 1"), "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "status", (char *)NULL);
    ck_assert_msg(strstr(r.out, "archive purged"), "%s", r.out);
    th_result_free(&r);
    /* nothing left to purge at that age */
    r = th_chartscan(&env, "batch", "purge", "--older-than", "5", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "no archive to purge"), "%s", r.out);
    th_result_free(&r);
    free(sha);
    PQfinish(c);
}
END_TEST

START_TEST(test_status_active_and_json)
{
    PGconn *c = th_connect(&env);
    char zip[200], prefix[32], q[300];
    long long waiting;
    th_result r;

    th_sample_archive(&env, 43, 1, zip, sizeof zip);
    waiting = th_submit(&env, zip);   /* no worker runs: it waits */

    r = th_chartscan(&env, "status", "--active", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    snprintf(prefix, sizeof prefix, "\n%-6lld batch-43.zip", waiting);
    ck_assert_msg(strstr(r.out, prefix), "%s", r.out);
    ck_assert_msg(!strstr(r.out, "\n1      batch.zip"), "%s", r.out);
    th_result_free(&r);

    r = th_chartscan(&env, "status", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    JSON_ASSERT(c, r.out, "SELECT json_array_length($1::json->'batches')", "3");
    JSON_ASSERT(c, r.out, "SELECT string_agg(k, ',') FROM json_object_keys($1::json->'batches'->0) k",
                "id,name,state,files,pages,pages_done,pages_blank,pages_failed,pages_left,"
                "documents_filed,documents_review,pages_per_minute,eta_seconds,files_not_read,"
                "error,archive_purged,reconciliation");
    JSON_ASSERT(c, r.out, "SELECT string_agg(b->>'state' || '/' || (b->>'archive_purged'), ' '"
                          " ORDER BY (b->>'id')::int) FROM json_array_elements($1::json->'batches') b",
                "done/true cancelled/false queued/false");
    JSON_ASSERT(c, r.out, "SELECT string_agg(k, ',') FROM json_object_keys($1::json->'jobs') k",
                "queued,running,failed");
    th_result_free(&r);

    r = th_chartscan(&env, "status", "--active", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    snprintf(q, sizeof q, "SELECT json_array_length($1::json->'batches') = 1"
                          " AND ($1::json->'batches'->0->>'id')::bigint = %lld", waiting);
    JSON_ASSERT(c, r.out, q, "t");
    th_result_free(&r);

    r = th_chartscan(&env, "report", "1", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    JSON_ASSERT(c, r.out, "SELECT string_agg(k, ',') FROM json_object_keys($1::json) k",
                "batch,counts,confidence,exceptions,reconciliation");
    JSON_ASSERT(c, r.out, "SELECT ($1::json->'counts'->>'pages')::int = (SELECT count(*) FROM page p"
                          " JOIN source_file f ON f.id = p.file_id WHERE f.batch_id = 1)", "t");
    JSON_ASSERT(c, r.out, "SELECT ($1::json->'counts'->>'documents_review')::int = (SELECT count(*)"
                          " FROM document WHERE batch_id = 1 AND status = 'review')", "t");
    JSON_ASSERT(c, r.out, "SELECT json_array_length($1::json->'confidence')", "3");
    JSON_ASSERT(c, r.out, "SELECT json_typeof($1::json->'exceptions')", "array");
    th_result_free(&r);
    r = th_chartscan(&env, "report", "1", "--json", "--csv", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    PQfinish(c);
}
END_TEST

/* Write text to dir/NAME and return its path (static buffer per call site). */
static void write_file(const char *name, const char *text, char *path, size_t pathlen)
{
    FILE *fp;
    snprintf(path, pathlen, "%s/%s", env.dir, name);
    fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Counts of batch 1's folder box01: pages, documents (current), blank pages. */
static void box01_counts(PGconn *c, long *pages, long *docs, long *blank)
{
    *pages = th_long(c, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                        " WHERE f.batch_id = 1 AND f.path LIKE 'box01/%'");
    *docs = th_long(c, "SELECT count(*) FROM document d JOIN source_file f ON f.id = d.file_id"
                       " WHERE d.batch_id = 1 AND f.path LIKE 'box01/%'"
                       " AND d.superseded_at IS NULL");
    *blank = th_long(c, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                        " WHERE f.batch_id = 1 AND f.path LIKE 'box01/%' AND p.status = 'blank'");
    ck_assert_int_gt(*pages, 1);
    ck_assert_int_gt(*docs, 0);
    /* every page of the sample is in box01: no page is outside the sheet's boxes */
    ck_assert_int_eq(*pages, th_long(c, "SELECT count(*) FROM page p JOIN source_file f"
                                        " ON f.id = p.file_id WHERE f.batch_id = 1"));
}

START_TEST(test_reconcile_flags_differences)
{
    PGconn *c = th_connect(&env);
    char sheet[600], path[200], want[400], q[600];
    long pages, docs, blank;
    th_result r;

    box01_counts(c, &pages, &docs, &blank);
    /* box01: one page fewer, one document more and one blank more than it brought;
     * box09: not in the archive */
    snprintf(sheet, sizeof sheet, "Box,Documents,Pages,Blank\r\nbox01,%ld,%ld,%ld\r\n"
             "box09,2,5,\r\n", docs + 1, pages - 1, blank + 1);
    write_file("prep1.csv", sheet, path, sizeof path);
    r = th_chartscan(&env, "batch", "expect", "1", path, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "batch 1: prep sheet of 2 boxes recorded"), "%s", r.out);
    snprintf(want, sizeof want, "! extra pages: 1; documents off: %ld expected, %ld made; "
             "blank pages off: %ld expected, %ld found", docs + 1, docs, blank + 1, blank);
    ck_assert_msg(strstr(r.out, want), "%s\nexpected: %s", r.out, want);
    ck_assert_msg(strstr(r.out, "! box not found in the archive; missing pages: 5; "
                                "documents off: 2 expected, 0 made"), "%s", r.out);
    th_result_free(&r);

    /* report and status show the same, as text and as JSON */
    r = th_chartscan(&env, "report", "1", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, want), "%s", r.out);
    th_result_free(&r);
    r = th_chartscan(&env, "status", (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, want) && strstr(r.out, "box09"), "%s", r.out);
    th_result_free(&r);
    r = th_chartscan(&env, "report", "1", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    JSON_ASSERT(c, r.out, "SELECT string_agg(k, ',') FROM json_object_keys($1::json->"
                          "'reconciliation'->0) k",
                "box,expected_documents,expected_pages,expected_blank,received_pages,"
                "processed_pages,blank_pages,failed_pages,pending_pages,documents,differences");
    snprintf(q, sizeof q, "SELECT string_agg(concat_ws('/', e->>'box', e->>'expected_pages',"
             " e->>'received_pages', e->>'processed_pages', e->>'documents',"
             " json_array_length(e->'differences')), ' ')"
             " FROM json_array_elements($1::json->'reconciliation') e");
    snprintf(want, sizeof want, "box01/%ld/%ld/%ld/%ld/3 box09/5/0/0/0/3", pages - 1, pages,
             pages - th_long(c, "SELECT count(*) FROM page p JOIN source_file f"
                                " ON f.id = p.file_id WHERE f.batch_id = 1"
                                " AND p.status NOT IN ('done', 'blank')"), docs);
    JSON_ASSERT(c, r.out, q, want);
    th_result_free(&r);
    r = th_chartscan(&env, "status", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    JSON_ASSERT(c, r.out, "SELECT b->'reconciliation'->1->>'differences' FROM"
                          " json_array_elements($1::json->'batches') b WHERE b->>'id' = '1'",
                "[\"box not found in the archive\",\"missing pages: 5\","
                "\"documents off: 2 expected, 0 made\"]");
    th_result_free(&r);

    /* a sheet that agrees (given again: it replaces the first) shows no difference */
    snprintf(sheet, sizeof sheet, "pages,box,documents\n%ld,box01,%ld\n", pages, docs);
    write_file("prep2.csv", sheet, path, sizeof path);
    r = th_chartscan(&env, "batch", "expect", "batch.zip", path, (char *)NULL);
    ck_assert_msg(r.status == 0 && strstr(r.out, "prep sheet of 1 box recorded") &&
                  !strstr(r.out, "!"), "%s%s", r.out, r.err);
    th_result_free(&r);
    TH_ASSERT_VALUE(c, "SELECT count(*) || '/' || bool_and(cardinality(differences) = 0)"
                       " FROM reconciliation(1)", "1/true");
    PQfinish(c);
}
END_TEST

START_TEST(test_reconcile_refuses_bad_sheets)
{
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"box,documents,pages\nbox01,1,2\nbox02,1,x\n", "line 3: pages \"x\" is not a whole number"},
        {"box,documents\nbox01,1\n", "line 1: the header has no column \"pages\""},
        {"box,documents,pages,colour\nbox01,1,2,red\n", "line 1: unknown column \"colour\""},
        {"box,documents,pages\nbox01,1,2\nbox01,3,4\n", "line 3: box \"box01\" is on line 2"},
        {"box,documents,pages,blank\nbox01,1,2,3\n", "line 2: 3 blank pages of 2 pages"},
        {"box,documents,pages\nbox01,-1,2\n", "line 2: documents \"-1\""},
        {"box,documents,pages\nbox01,1\n", "line 2: 2 fields"},
        {"box,documents,pages\nbox01,1,2,3\n", "line 2: 4 fields, the header has 3"},
        {"box,documents,pages\n", "no box below the header"},
        {"box,documents,pages\n\"box01,1,2\n", "line 2:"},
    };
    PGconn *c = th_connect(&env);
    char path[200], *big;
    long before = th_long(c, "SELECT count(*) FROM batch_expectation");
    th_result r;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file("bad.csv", bad[i].text, path, sizeof path);
        r = th_chartscan(&env, "batch", "expect", "1", path, (char *)NULL);
        ck_assert_msg(r.status == 1 && strstr(r.err, bad[i].says) && strstr(r.err, "bad.csv"),
                      "sheet %zu: status %d: %s", i, r.status, r.err);
        th_result_free(&r);
    }
    /* bounded: more than a megabyte is refused before it is read */
    big = malloc(1100000);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', 1099999);
    big[1099999] = '\0';
    write_file("big.csv", big, path, sizeof path);
    free(big);
    r = th_chartscan(&env, "batch", "expect", "1", path, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "at most 1048576 bytes"), "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "batch", "expect", "1", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch_expectation"), before);
    PQfinish(c);
}
END_TEST

START_TEST(test_submit_with_expect)
{
    PGconn *c = th_connect(&env);
    char zip[200], zip2[200], path[200], q[300];
    long batches;
    long long b;
    th_result r;

    th_sample_archive(&env, 44, 1, zip, sizeof zip);
    snprintf(zip2, sizeof zip2, "%s/other.zip", env.dir);
    ck_assert_int_eq(th_sh("cp '%s' '%s' && echo x >> '%s'", zip, zip2, zip2), 0);
    batches = th_long(c, "SELECT count(*) FROM batch");

    /* a bad sheet, or one row naming none of several archives: nothing is submitted */
    write_file("bad-expect.csv", "box,documents,pages\nbatch-44,1,zz\n", path, sizeof path);
    r = th_chartscan(&env, "submit", "--expect", path, zip, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "line 2: pages \"zz\""), "%s", r.err);
    th_result_free(&r);
    write_file("two.csv", "box,documents,pages\nbatch-44.zip,1,3\nbox07,1,1\n", path, sizeof path);
    r = th_chartscan(&env, "submit", "--expect", path, zip, zip2, (char *)NULL);
    ck_assert_msg(r.status == 1 && strstr(r.err, "line 3: box \"box07\" names none of the"),
                  "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch"), batches);

    /* with one archive, every row is its own (here a folder in it) */
    write_file("one.csv", "box,documents,pages,blank\nbox01,4,9,1\n", path, sizeof path);
    r = th_chartscan(&env, "submit", "--expect", path, zip, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    b = atoll(r.out);
    th_result_free(&r);
    snprintf(q, sizeof q, "SELECT string_agg(concat_ws('/', box, line, expected_documents,"
             " expected_pages, expected_blank), ' ') FROM batch_expectation WHERE batch_id = %lld",
             b);
    TH_ASSERT_VALUE(c, q, "box01/2/4/9/1");
    /* not unpacked yet: no difference is claimed */
    snprintf(q, sizeof q, "SELECT cardinality(differences) FROM reconciliation(%lld)", b);
    TH_ASSERT_VALUE(c, q, "0");
    PQfinish(c);
}
END_TEST

int main(void)
{
    SRunner *sr;
    Suite *s;
    TCase *tc;
    int failed;

    th_setup_processed_sample(&env, "life", 41, 3);
    s = suite_create("lifecycle");
    tc = tcase_create("history");
    tcase_add_test(tc, test_done_jobs_are_history);
    tcase_add_test(tc, test_claim_ignores_a_large_history);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tc = tcase_create("cancel");
    tcase_add_test(tc, test_cancel_stops_the_work);
    tcase_add_test(tc, test_cancel_refusals);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    tc = tcase_create("purge");
    tcase_add_test(tc, test_purge_drops_old_archives);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("status");
    tcase_add_test(tc, test_status_active_and_json);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("reconcile");
    tcase_add_test(tc, test_reconcile_flags_differences);
    tcase_add_test(tc, test_reconcile_refuses_bad_sheets);
    tcase_add_test(tc, test_submit_with_expect);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

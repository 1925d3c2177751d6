/*
 * check_integration.c — the whole path on a generated batch, against a real
 * PostgreSQL (the embedded server, in a private folder) and the real
 * Tesseract, through the chartscan binary exactly as a user runs it.
 *
 * The fixture generates a sample batch (with bad entries), derives more
 * archives from it (every supported format, a cut tar.gz, a file that is no
 * archive at all), runs init, roster import, train, submit and
 * work --until-idle, and exports the manifest.  The tests then assert on
 * the manifest and the database, mostly in SQL over PostgreSQL's own JSON
 * parser.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq/libpq-fs.h>

#include "tests/harness.h"

static th_env env;
static char sample[128], manifest_path[160], manifest_plain[160];

/* outcomes of the fixture's commands, asserted by the tests */
static th_result r_init1, r_init2, r_import, r_train, r_submit, r_dup, r_notarchive,
    r_formats, r_cut, r_work, r_manifest, r_manifest_plain, r_status;
static int legacy_ok;   /* the large-object batch was stored */
static int submit_as_large_object(const char *path, const char *name);

static const char *const formats[] = {"tar", "tar.gz", "tar.bz2", "tar.xz", "zip"};
#define NFORMATS 5

/*
 * Copy some entries of src (every entry when only is NULL) into a new
 * archive dst in the given format; with cut_fraction < 1, truncate the
 * result to that fraction of its size.
 */
static int convert_archive(const char *src, const char *dst, const char *format,
                           const char *only, double cut_fraction)
{
    struct archive *in = archive_read_new(), *out = archive_write_new();
    struct archive_entry *e;
    char buf[65536];
    int rc = -1;

    archive_read_support_format_all(in);
    archive_read_support_filter_all(in);
    if (!strcmp(format, "zip")) {
        archive_write_set_format_zip(out);
    } else {
        archive_write_set_format_pax_restricted(out);
        if (!strcmp(format, "tar.gz"))
            archive_write_add_filter_gzip(out);
        else if (!strcmp(format, "tar.bz2"))
            archive_write_add_filter_bzip2(out);
        else if (!strcmp(format, "tar.xz"))
            archive_write_add_filter_xz(out);
    }
    if (archive_read_open_filename(in, src, 65536) != ARCHIVE_OK ||
        archive_write_open_filename(out, dst) != ARCHIVE_OK)
        goto out;
    while (archive_read_next_header(in, &e) == ARCHIVE_OK) {
        la_ssize_t n;
        if (only && !strstr(only, archive_entry_pathname(e)))
            continue;
        if (archive_write_header(out, e) != ARCHIVE_OK)
            goto out;
        while ((n = archive_read_data(in, buf, sizeof buf)) > 0)
            archive_write_data(out, buf, (size_t)n);
    }
    if (archive_write_close(out) != ARCHIVE_OK)
        goto out;
    rc = 0;
    if (cut_fraction < 1.0) {
        size_t len = 0;
        char *data = th_slurp(dst, &len);
        FILE *fp = fopen(dst, "wb");
        if (!data || !fp || fwrite(data, 1, (size_t)(len * cut_fraction), fp) == 0)
            rc = -1;
        if (fp)
            fclose(fp);
        free(data);
    }
out:
    archive_read_free(in);
    archive_write_free(out);
    return rc;
}

static void setup(void)
{
    char path[256], zip[160];

    th_setup(&env, "it");
    snprintf(sample, sizeof sample, "%s/sample", env.dir);
    if (th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed 11 --files 5 --with-bad-entries"
              " >/dev/null", env.root, sample) != 0) {
        fprintf(stderr, "could not generate the sample batch\n");
        exit(2);
    }
    snprintf(zip, sizeof zip, "%s/batch.zip", sample);

    /* one small archive of each format: chart 2 and the README */
    for (int i = 0; i < NFORMATS; i++) {
        snprintf(path, sizeof path, "%s/small.%s", env.dir, formats[i]);
        if (convert_archive(zip, path, formats[i], "box01/chart_0002.tif box01/README.txt", 1.0) < 0) {
            fprintf(stderr, "could not write %s\n", path);
            exit(2);
        }
    }
    /* a tar.gz cut at 60%: the first entries are whole, the rest is gone */
    snprintf(path, sizeof path, "%s/cut.tar.gz", env.dir);
    if (convert_archive(zip, path, "tar.gz", NULL, 0.6) < 0)
        exit(2);
    snprintf(path, sizeof path, "%s/notes.zip", env.dir);
    th_sh("echo 'this is not an archive' > '%s'", path);

    r_init1 = th_chartscan(&env, "init", (char *)NULL);
    r_init2 = th_chartscan(&env, "init", (char *)NULL);
    snprintf(path, sizeof path, "%s/roster.csv", sample);
    r_import = th_chartscan(&env, "patients", "import", path, (char *)NULL);
    snprintf(path, sizeof path, "%s/train.csv", sample);
    r_train = th_chartscan(&env, "train", path, (char *)NULL);
    r_submit = th_chartscan(&env, "submit", zip, (char *)NULL);
    r_dup = th_chartscan(&env, "submit", zip, (char *)NULL);
    snprintf(path, sizeof path, "%s/notes.zip", env.dir);
    r_notarchive = th_chartscan(&env, "submit", path, (char *)NULL);
    {
        char p[NFORMATS][160];
        for (int i = 0; i < NFORMATS; i++)
            snprintf(p[i], sizeof p[i], "%s/small.%s", env.dir, formats[i]);
        r_formats = th_chartscan(&env, "submit", p[0], p[1], p[2], p[3], p[4], (char *)NULL);
    }
    snprintf(path, sizeof path, "%s/cut.tar.gz", env.dir);
    r_cut = th_chartscan(&env, "submit", path, (char *)NULL);
    snprintf(path, sizeof path, "%s/small.zip", env.dir);
    legacy_ok = submit_as_large_object(path, "legacy.zip");
    r_work = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    r_status = th_chartscan(&env, "status", (char *)NULL);

    r_manifest = th_chartscan(&env, "export", "manifest", "--with-text", (char *)NULL);
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.jsonl", env.dir);
    {
        FILE *fp = fopen(manifest_path, "w");
        fputs(r_manifest.out, fp);
        fclose(fp);
    }
    r_manifest_plain = th_chartscan(&env, "export", "manifest", "--batch", "1", (char *)NULL);
    snprintf(manifest_plain, sizeof manifest_plain, "%s/manifest-plain.jsonl", env.dir);
    {
        FILE *fp = fopen(manifest_plain, "w");
        fputs(r_manifest_plain.out, fp);
        fclose(fp);
    }
}

/*
 * A batch as submit stored it before schema 009: the archive in a large
 * object (archive_oid), no chunks.  Unpack must still read it.  Returns 1
 * when stored.
 */
static int submit_as_large_object(const char *path, const char *name)
{
    PGconn *c = th_connect(&env);
    PGresult *r;
    Oid oid;
    int ok = 0;

    if (!c)
        return 0;
    PQclear(PQexec(c, "BEGIN"));
    oid = lo_import(c, path);
    if (oid != InvalidOid) {
        char oidbuf[24];
        const char *p[2] = {name, oidbuf};
        snprintf(oidbuf, sizeof oidbuf, "%u", oid);
        r = PQexecParams(c,
                "WITH b AS (INSERT INTO batch (name, sha256, size_bytes, archive_oid)"
                "           SELECT $1, 'legacy', length(lo_get($2::oid)), $2::oid RETURNING id)"
                " INSERT INTO job (kind, batch_id, priority) SELECT 'unpack', id, 2 FROM b",
                2, NULL, p, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    PQclear(PQexec(c, ok ? "COMMIT" : "ROLLBACK"));
    PQfinish(c);
    /* as after an upgrade: init grants the worker the old archives' large objects */
    if (ok) {
        th_result again = th_chartscan(&env, "init", (char *)NULL);
        ok = again.status == 0;
        th_result_free(&again);
    }
    return ok;
}

static void teardown(void)
{
    th_result *all[] = {&r_init1, &r_init2, &r_import, &r_train, &r_submit, &r_dup,
                        &r_notarchive, &r_formats, &r_cut, &r_work, &r_manifest,
                        &r_manifest_plain, &r_status};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        th_result_free(all[i]);
    th_teardown(&env);
}

/* A connection with the manifest (table m) and the truth (table t) loaded. */
static PGconn *open_checked(void)
{
    char truth[160];
    PGconn *c = th_connect(&env);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_gt(th_load_jsonl(c, "m", manifest_path), 0);
    snprintf(truth, sizeof truth, "%s/truth.jsonl", sample);
    ck_assert_int_gt(th_load_jsonl(c, "t", truth), 0);
    return c;
}

START_TEST(test_commands_succeed)
{
    ck_assert_msg(r_init1.status == 0, "init: %s", r_init1.err);
    ck_assert_ptr_nonnull(strstr(r_init1.out, "applied 001_core.sql"));
    ck_assert_msg(r_init2.status == 0, "second init: %s", r_init2.err);
    ck_assert_ptr_nonnull(strstr(r_init2.out, "up to date"));
    ck_assert_msg(r_import.status == 0, "import: %s", r_import.err);
    ck_assert_ptr_nonnull(strstr(r_import.out, "imported 40 patients (40 new, 0 updated)"));
    ck_assert_msg(r_train.status == 0, "train: %s", r_train.err);
    ck_assert_ptr_nonnull(strstr(r_train.out, "cross-validated accuracy"));
    ck_assert_msg(r_submit.status == 0, "submit: %s", r_submit.err);
    ck_assert_str_eq(r_submit.out, "1 batch.zip\n");
    ck_assert_msg(r_work.status == 0, "work: %s", r_work.err);
    ck_assert_msg(r_manifest.status == 0, "manifest: %s", r_manifest.err);
}
END_TEST

START_TEST(test_every_page_exactly_once)
{
    PGconn *c = open_checked();
    /* pages of batch.zip in the manifest: in documents, or on page lines */
    const char *pages =
        "CREATE TEMP VIEW mp AS"
        " SELECT pg->>'file' AS file, (pg->>'page')::int AS page, m.j->>'batch' AS batch"
        "   FROM m, jsonb_array_elements(m.j->'pages') pg WHERE m.j->>'kind' = 'document'"
        " UNION ALL"
        " SELECT j->>'file', (j->>'page')::int, j->>'batch' FROM m WHERE j->>'kind' = 'page'";
    PQclear(PQexec(c, pages));
    /* every page the generator made is there exactly once ... */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t WHERE t.j ? 'page' AND (SELECT count(*) FROM mp WHERE"
        " mp.batch = 'batch.zip' AND mp.file = t.j->>'file' AND mp.page = (t.j->>'page')::int) <> 1"),
        0);
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM t WHERE j ? 'page'"), 5);
    /* ... and nothing else is */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM mp WHERE batch = 'batch.zip'"),
                     th_long(c, "SELECT count(*) FROM t WHERE j ? 'page'"));
    /* every entry without pages has a file line */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t WHERE NOT t.j ? 'page' AND NOT EXISTS (SELECT 1 FROM m WHERE"
        " m.j->>'kind' = 'file' AND m.j->>'batch' = 'batch.zip' AND m.j->>'file' = t.j->>'file')"),
        0);
    PQfinish(c);
}
END_TEST

START_TEST(test_ocr_text_holds_the_printed_words)
{
    PGconn *c = open_checked();
    /* per page: the share of printed words (4+ letters) found in the OCR text */
    const char *sql =
        "WITH tp AS (SELECT j->>'file' f, (j->>'page')::int p, lower(j->>'text') tx FROM t"
        "             WHERE j ? 'page'),"
        " op AS (SELECT pg->>'file' f, (pg->>'page')::int p, lower(pg->>'text') tx"
        "          FROM m, jsonb_array_elements(m.j->'pages') pg"
        "         WHERE m.j->>'kind' = 'document' AND m.j->>'batch' = 'batch.zip'),"
        " w AS (SELECT tp.f, tp.p, w FROM tp, regexp_split_to_table(tp.tx, '[^a-z0-9]+') w"
        "        WHERE length(w) >= 4)"
        " SELECT %s FROM (SELECT w.f, w.p, avg((position(w.w IN op.tx) > 0)::int) AS share"
        "                   FROM w JOIN op USING (f, p) GROUP BY w.f, w.p) s";
    char q[2048];
    double worst;
    char *v;

    snprintf(q, sizeof q, sql, "count(*)");
    ck_assert_int_eq(th_long(c, q), th_long(c, "SELECT count(*) FROM t WHERE j ? 'page'"));
    snprintf(q, sizeof q, sql, "min(share)");
    v = th_value(c, q);
    ck_assert_ptr_nonnull(v);
    worst = atof(v);
    free(v);
    ck_assert_msg(worst >= 0.85, "a page has only %.0f%% of its words in the OCR text", worst * 100);
    PQfinish(c);
}
END_TEST

START_TEST(test_patients_matched_or_sent_to_review)
{
    PGconn *c = open_checked();
    const char *docs =
        "CREATE TEMP VIEW d AS SELECT m.j->>'status' AS status, m.j->>'patient_mrn' AS mrn,"
        "       m.j->>'doctype' AS doctype, m.j->'pages'->0->>'file' AS file"
        "  FROM m WHERE m.j->>'kind' = 'document' AND m.j->>'batch' = 'batch.zip'";
    PQclear(PQexec(c, docs));
    /* one document per TIFF file */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM d"), 5);
    /* printed MRN in the roster: filed to exactly that patient, with the right type */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t JOIN d ON d.file = t.j->>'file' WHERE (t.j->>'page')::int = 1"
        "   AND (t.j->>'in_roster')::boolean"),
        3);
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t JOIN d ON d.file = t.j->>'file' WHERE (t.j->>'page')::int = 1"
        "   AND (t.j->>'in_roster')::boolean AND d.status = 'filed' AND d.mrn = t.j->>'mrn'"
        "   AND d.doctype = t.j->>'doctype'"),
        3);
    /* MRN absent from the roster: review, no patient */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t JOIN d ON d.file = t.j->>'file' WHERE (t.j->>'page')::int = 1"
        "   AND NOT (t.j->>'in_roster')::boolean AND t.j->>'patient_mrn' IS NULL"
        "   AND d.status = 'review' AND d.mrn IS NULL"),
        1);
    /* no MRN printed: filed to its own patient on the full name and birth
     * date verified on the page (unique in this roster, no look-alike) */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM t JOIN d ON d.file = t.j->>'file' WHERE (t.j->>'page')::int = 1"
        "   AND t.j->>'mrn' IS NULL AND d.status = 'filed' AND d.mrn = t.j->>'patient_mrn'"),
        1);
    /* the review reasons say why */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM document WHERE 'not in roster' = ANY (review_reasons)"
                                "   AND batch_id = 1"), 1);
    /* where each identifier was found is kept for the review station:
     * the filed documents' patients by all four (three MRNs, the letter
     * without one), on page 1, in a real box */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m, jsonb_each(j->'candidates'->0->'evidence') e"
                                " WHERE j->>'kind' = 'document' AND j->>'batch' = 'batch.zip'"
                                " AND j->>'status' = 'filed' AND (e.value->>'page')::int = 1"
                                " AND (e.value->'box'->>2)::int > 0 AND (e.value->'box'->>3)::int > 0"),
                     3 * 4 + 3);
    /* the manifest carries the reasons and the ranked candidates */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m WHERE j->>'kind' = 'document'"
                                " AND j->>'batch' = 'batch.zip' AND j->>'status' = 'review'"
                                " AND jsonb_array_length(j->'review_reasons') > 0"), 1);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m WHERE j->>'kind' = 'document'"
                                " AND j->>'batch' = 'batch.zip' AND j->>'status' = 'filed'"
                                " AND j->'candidates'->0->>'mrn' = j->>'patient_mrn'"
                                " AND jsonb_array_length(j->'review_reasons') = 0"), 4);
    /* and a searchable PDF exists for every document */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM document WHERE batch_id = 1 AND"
                                " (pdf IS NULL OR substring(pdf FROM 1 FOR 5) <> '\\x255044462d'::bytea)"), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_bad_entries_reported_not_lost)
{
    PGconn *c = open_checked();
    char path[200];

    TH_ASSERT_VALUE(c, "SELECT j->>'status' || ': ' || (j->>'reason') FROM m"
                                 " WHERE j->>'batch' = 'batch.zip' AND j->>'file' = 'box01/README.txt'",
                     "skipped: not a TIFF image");
    TH_ASSERT_VALUE(c, "SELECT j->>'status' FROM m"
                                 " WHERE j->>'batch' = 'batch.zip' AND j->>'file' = 'box01/cut.tif'",
                     "failed");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m WHERE j->>'batch' = 'batch.zip'"
                                " AND j->>'file' IN ('../escape.tif', '/abs/path.tif')"
                                " AND j->>'kind' = 'file' AND j->>'status' = 'failed'"
                                " AND j->>'reason' LIKE 'unsafe entry name%'"), 2);
    /* and nothing was written under those names */
    snprintf(path, sizeof path, "%s/escape.tif", env.home);
    ck_assert_int_ne(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/../escape.tif", env.home);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_ne(access("/abs/path.tif", F_OK), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_duplicate_and_non_archive_refused)
{
    PGconn *c;
    ck_assert_int_eq(r_dup.status, 1);
    ck_assert_msg(strstr(r_dup.err, "already submitted as batch 1"), "%s", r_dup.err);
    ck_assert_str_eq(r_dup.out, "");
    ck_assert_int_eq(r_notarchive.status, 1);
    ck_assert_msg(strstr(r_notarchive.err, "could not read archive") &&
                  strstr(r_notarchive.err, "notes.zip"), "%s", r_notarchive.err);
    c = th_connect(&env);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch WHERE name IN ('batch.zip', 'notes.zip')"), 1);
    PQfinish(c);
}
END_TEST

START_TEST(test_every_archive_format)
{
    PGconn *c = open_checked();
    ck_assert_msg(r_formats.status == 0, "%s", r_formats.err);
    for (int i = 0; i < NFORMATS; i++) {
        char q[512];
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM m WHERE j->>'batch' = 'small.%s' AND j->>'kind' = 'document'"
                 "   AND j->'pages'->0->>'file' = 'box01/chart_0002.tif'"
                 "   AND length(j->'pages'->0->>'text') > 200", formats[i]);
        ck_assert_msg(th_long(c, q) == 1, "no document read from small.%s", formats[i]);
        snprintf(q, sizeof q,
                 "SELECT count(*) FROM m WHERE j->>'batch' = 'small.%s' AND j->>'kind' = 'file'"
                 "   AND j->>'file' = 'box01/README.txt' AND j->>'status' = 'skipped'", formats[i]);
        ck_assert_msg(th_long(c, q) == 1, "README of small.%s not reported", formats[i]);
    }
    PQfinish(c);
}
END_TEST

/* Batches submitted before schema 009 hold their archive in a large
 * object: they unpack and read like the chunked ones. */
START_TEST(test_large_object_batch_still_unpacks)
{
    PGconn *c = open_checked();
    ck_assert_msg(legacy_ok, "could not store the large-object batch");
    TH_ASSERT_VALUE(c, "SELECT status FROM batch WHERE name = 'legacy.zip'", "unpacked");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM archive_chunk k JOIN batch b"
                                " ON b.id = k.batch_id WHERE b.name = 'legacy.zip'"), 0);
    /* the same document as from small.zip, stored in chunks */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m a JOIN m z"
                                "   ON a.j->'pages'->0->>'text' = z.j->'pages'->0->>'text'"
                                " WHERE a.j->>'batch' = 'legacy.zip' AND z.j->>'batch' = 'small.zip'"
                                "   AND a.j->>'kind' = 'document'"
                                "   AND length(a.j->'pages'->0->>'text') > 200"), 1);
    ck_assert_int_gt(th_long(c, "SELECT count(*) FROM archive_chunk k JOIN batch b"
                                " ON b.id = k.batch_id WHERE b.name = 'small.zip'"), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_cut_archive_fails_its_batch_only)
{
    PGconn *c = th_connect(&env);
    char *err;
    ck_assert_msg(r_cut.status == 0, "%s", r_cut.err);
    TH_ASSERT_VALUE(c, "SELECT status FROM batch WHERE name = 'cut.tar.gz'", "failed");
    err = th_value(c, "SELECT error FROM batch WHERE name = 'cut.tar.gz'");
    ck_assert_msg(strstr(err, "\"cut.tar.gz\"") != NULL, "%s", err);
    free(err);
    ck_assert_msg(strstr(r_status.out, "cut.tar.gz") != NULL, "%s", r_status.out);
    /* the entries before the cut went through */
    ck_assert_int_gt(th_long(c, "SELECT count(*) FROM document d JOIN batch b ON b.id = d.batch_id"
                                " WHERE b.name = 'cut.tar.gz'"), 0);
    /* the other batches did not suffer */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch WHERE status = 'failed'"), 1);
    PQfinish(c);
}
END_TEST

START_TEST(test_queue_drained_and_bytes_exact)
{
    PGconn *c = th_connect(&env);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job WHERE status <> 'done'"), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM page WHERE status = 'pending'"), 0);
    /* every stored TIFF is byte-exact: its stored digest is the digest of its bytes */
    ck_assert_int_gt(th_long(c, "SELECT count(*) FROM source_file WHERE data IS NOT NULL"), 10);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM source_file WHERE data IS NOT NULL"
                                " AND encode(sha256(data), 'hex') <> sha256"), 0);
    /* each page was OCRed exactly once: one ocr job per page */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM page p WHERE (SELECT count(*) FROM job"
                                " WHERE job.page_id = p.id) <> 1"), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_manifest_format)
{
    PGconn *c = open_checked();
    ck_assert_int_gt(th_load_jsonl(c, "plain", manifest_plain), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM m WHERE j->>'kind' NOT IN ('document', 'page', 'file')"), 0);
    /* document lines carry every field of DESIGN.md */
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM m WHERE j->>'kind' = 'document' AND NOT (j ?& array['id', 'batch',"
        " 'status', 'doctype', 'doctype_confidence', 'patient_mrn', 'patient_confidence',"
        " 'date_of_service', 'pages'] AND j->>'id' ~ '^d-[0-9]+$'"
        " AND j->>'status' IN ('filed', 'review', 'rejected')"
        " AND jsonb_typeof(j->'doctype_confidence') = 'number')"), 0);
    ck_assert_int_eq(th_long(c,
        "SELECT count(*) FROM m, jsonb_array_elements(m.j->'pages') pg WHERE m.j->>'kind' = 'document'"
        " AND NOT (pg ?& array['file', 'page', 'text'] AND jsonb_typeof(pg->'page') = 'number')"), 0);
    /* without --with-text there is no text, and --batch keeps to its batch */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM plain, jsonb_array_elements(plain.j->'pages') pg"
                                " WHERE pg ? 'text'"), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM plain WHERE j->>'batch' <> 'batch.zip'"), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM plain"),
                     th_long(c, "SELECT count(*) FROM m WHERE j->>'batch' = 'batch.zip'"));
    PQfinish(c);
}
END_TEST

/* ---- roster import ---- */

static th_result import_text(const char *name, const char *text)
{
    char path[200];
    FILE *fp;
    snprintf(path, sizeof path, "%s/%s", env.dir, name);
    fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    return th_chartscan(&env, "patients", "import", path, (char *)NULL);
}

START_TEST(test_roster_malformed_rows_import_nothing)
{
    PGconn *c = th_connect(&env);
    long before = th_long(c, "SELECT count(*) FROM patient");
    th_result r = import_text("bad.csv",
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "90000001,Doe,Jane,,1950-01-02,F\n"
        "90000002,Roe,Rick,,1950-02-30,M\n"
        "90000003,Poe,Ann,,1960-03-04,X\n"
        "9000-0004,Loe,Bo,,1970-05-06,M\n");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "line 3, column birth_date"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "line 4, column sex"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "line 5, column mrn"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "nothing imported"), "%s", r.err);
    /* no patient data in the messages */
    ck_assert_ptr_null(strstr(r.err, "Roe"));
    ck_assert_ptr_null(strstr(r.err, "1950-02-30"));
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM patient"), before);
    th_result_free(&r);

    r = import_text("dup.csv",
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "90000001,Doe,Jane,,1950-01-02,F\n"
        "90000001,Doe,John,,1951-01-02,M\n");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "line 3: MRN repeats the one on line 2"), "%s", r.err);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM patient"), before);
    th_result_free(&r);

    r = import_text("nohdr.csv", "90000001,Doe,Jane,,1950-01-02,F\n");
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "the header has no column \"mrn\""), "%s", r.err);
    th_result_free(&r);
    PQfinish(c);
}
END_TEST

START_TEST(test_roster_reimport_updates_by_mrn)
{
    PGconn *c = th_connect(&env);
    long before = th_long(c, "SELECT count(*) FROM patient");
    th_result r = import_text("new.csv",
        "sex,mrn,last_name,first_name,middle_name,birth_date,extra\n"
        "F,91000001,\"O'Hara, Jr\",Kate,,1950-01-02,x\n");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "imported 1 patients (1 new, 0 updated)\n");
    th_result_free(&r);
    r = import_text("upd.csv",
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "91000001,O'Hara,Katherine,M,1950-01-02,F\n");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "imported 1 patients (0 new, 1 updated)\n");
    th_result_free(&r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM patient"), before + 1);
    TH_ASSERT_VALUE(c, "SELECT first_name || '/' || middle_name FROM patient"
                                 " WHERE mrn = '91000001'", "Katherine/M");
    PQfinish(c);
}
END_TEST

START_TEST(test_usage_errors_exit_2)
{
    th_result r = th_chartscan(&env, "frobnicate", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "unknown command \"frobnicate\""));
    th_result_free(&r);
    r = th_chartscan(&env, "work", "-j", "zero", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "submit", "--help", (char *)NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: chartscan submit ARCHIVE..."));
    th_result_free(&r);
    r = th_chartscan(&env, "submit", "/nonexistent/box.zip", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "could not open archive \"/nonexistent/box.zip\""));
    th_result_free(&r);
}
END_TEST

START_TEST(test_external_database_by_chartscan_db)
{
    PGconn *c = th_connect(&env);
    char conninfo[256], other[160], pgdir[200];
    th_result r;

    PQclear(PQexec(c, "CREATE DATABASE elsewhere"));
    PQfinish(c);
    /* another home, as on another host: nothing may be created there */
    snprintf(other, sizeof other, "%s/otherhost", env.dir);
    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=elsewhere user=chartscan",
             env.home);
    setenv("CHARTSCAN_DB", conninfo, 1);
    setenv("CHARTSCAN_HOME", other, 1);
    r = th_chartscan(&env, "init", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "applied 001_core.sql"));
    th_result_free(&r);
    r = th_chartscan(&env, "status", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "no batches yet"));
    th_result_free(&r);
    r = th_chartscan(&env, "db", "status", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "CHARTSCAN_DB is set"));
    th_result_free(&r);
    snprintf(pgdir, sizeof pgdir, "%s/pg", other);
    ck_assert_int_ne(access(pgdir, F_OK), 0);
    /* a server that is not there: a clear error, without the connection string */
    setenv("CHARTSCAN_DB", "host=/nonexistent/socketdir dbname=x user=secretuser", 1);
    r = th_chartscan(&env, "status", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "could not connect to the database named by CHARTSCAN_DB"), "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "secretuser"));
    th_result_free(&r);
    unsetenv("CHARTSCAN_DB");
    setenv("CHARTSCAN_HOME", env.home, 1);
}
END_TEST

START_TEST(test_export_pdf)
{
    char out[200], *pdf;
    size_t len = 0;
    th_result r;

    snprintf(out, sizeof out, "%s/d1.pdf", env.dir);
    r = th_chartscan(&env, "export", "pdf", "d-1", "--out", out, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    pdf = th_slurp(out, &len);
    ck_assert_ptr_nonnull(pdf);
    ck_assert_int_gt(len, 1000);
    ck_assert_int_eq(memcmp(pdf, "%PDF-", 5), 0);
    ck_assert_ptr_nonnull(strstr(pdf + len - 32 > pdf ? pdf + len - 32 : pdf, "%%EOF"));
    free(pdf);
    r = th_chartscan(&env, "export", "pdf", "d-999999", "--out", out, (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no document d-999999"));
    th_result_free(&r);
    r = th_chartscan(&env, "export", "pdf", "x; DROP TABLE page", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "is not a document id"));
    th_result_free(&r);
}
END_TEST

START_TEST(test_report_lists_exceptions)
{
    th_result r = th_chartscan(&env, "report", "batch.zip", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "pages"));
    ck_assert_msg(strstr(r.out, "box01/README.txt: skipped: not a TIFF image"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "../escape.tif: failed: unsafe entry name"), "%s", r.out);
    ck_assert_msg(strstr(r.out, "review: not in roster"), "%s", r.out);
    th_result_free(&r);
    r = th_chartscan(&env, "report", "1", "--csv", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(!strncmp(r.out, "section,item,file,page,status,reason,value\n", 43), "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "file,,box01/README.txt,,skipped,not a TIFF image,"));
    th_result_free(&r);
    r = th_chartscan(&env, "report", "no-such-batch", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "no batch \"no-such-batch\""));
    th_result_free(&r);
}
END_TEST

/*
 * A file whose document a reviewer has seen keeps that document when a
 * retried page completes: the page goes into a new document, for review.
 */
START_TEST(test_reassembly_keeps_reviewed_documents)
{
    PGconn *c = th_connect(&env);
    char q[1024];
    long page, doc;
    th_result r;

    page = th_long(c, "SELECT p.id FROM page p JOIN source_file f ON f.id = p.file_id"
                      " WHERE f.batch_id = 1 AND f.path = 'box01/chart_0001.tif' AND p.page_no = 3");
    doc = th_long(c, "SELECT d.id FROM document d JOIN source_file f ON f.id = d.file_id"
                     " WHERE f.batch_id = 1 AND f.path = 'box01/chart_0001.tif'");
    ck_assert_int_gt(page, 0);
    ck_assert_int_gt(doc, 0);
    snprintf(q, sizeof q,
             "INSERT INTO audit (actor, action, object_kind, object_id) VALUES ('rita', 'view', 'document', '%ld');"
             "UPDATE job SET status = 'failed', last_error = 'disk full' WHERE page_id = %ld;"
             "UPDATE page SET status = 'failed', reason = 'disk full', document_id = NULL WHERE id = %ld",
             doc, page, page);
    PQclear(PQexec(c, q));
    r = th_chartscan(&env, "retry", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    /* the reviewed document is the same row; the page is in a new one, for review */
    snprintf(q, sizeof q, "SELECT count(*) FROM document WHERE id = %ld AND page_count = 3", doc);
    ck_assert_int_eq(th_long(c, q), 1);
    snprintf(q, sizeof q,
             "SELECT d.status || ': ' || d.review_reasons[1] FROM page p JOIN document d"
             "  ON d.id = p.document_id WHERE p.id = %ld AND d.id <> %ld", page, doc);
    TH_ASSERT_VALUE(c, q, "review: pages added after the file was reviewed or exported");
    PQfinish(c);
}
END_TEST

START_TEST(test_watch_submits_settled_archives)
{
    char drop[160], src[200], dst[200], zip[200];
    PGconn *c = th_connect(&env);
    pid_t w;
    int found = 0;

    snprintf(drop, sizeof drop, "%s/drop", env.dir);
    ck_assert_int_eq(th_sh("mkdir -p '%s'", drop), 0);
    snprintf(zip, sizeof zip, "%s/batch.zip", sample);
    snprintf(src, sizeof src, "%s/readme-only.tar", env.dir);
    ck_assert_int_eq(convert_archive(zip, src, "tar", "box01/README.txt", 1.0), 0);
    w = th_chartscan_bg(&env, "watch", "watch", drop, "--interval", "1", (char *)NULL);
    /* written into the folder under a hidden name, then renamed: the usual safe copy */
    snprintf(dst, sizeof dst, "%s/.partial", drop);
    ck_assert_int_eq(th_sh("cp '%s' '%s' && mv '%s' '%s/box99.tar'", src, dst, dst, drop), 0);
    ck_assert_int_eq(th_sh("echo notes > '%s/notes.txt'", drop), 0);
    for (int i = 0; i < 100 && !found; i++) {
        found = th_long(c, "SELECT count(*) FROM batch WHERE name = 'box99.tar'") == 1;
        if (!found)
            usleep(100 * 1000);
    }
    kill(w, SIGTERM);
    ck_assert_int_eq(th_wait(w, 30), 0);
    ck_assert_msg(found, "the watched archive was not submitted");
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch WHERE name IN ('notes.txt', '.partial')"), 0);
    PQfinish(c);
}
END_TEST

/*
 * A page whose OCR job failed for good comes back with retry, into its
 * document: the second page of a document nobody has exported or acted on
 * (one that was, an earlier test's PDF export, keeps its pages: see
 * test_reassembly_keeps_reviewed_documents).
 */
START_TEST(test_retry_requeues_and_reassembles)
{
    PGconn *c = th_connect(&env);
    th_result r;
    long page, pages;

    page = th_long(c, "SELECT p.id FROM page p JOIN document d ON d.id = p.document_id"
                      " WHERE d.batch_id = 1 AND d.page_count >= 2 AND d.first_page = 1 AND p.page_no = 2"
                      "   AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.object_kind = 'document'"
                      "                   AND a.object_id = d.id::text)"
                      "   AND NOT EXISTS (SELECT 1 FROM destination_item i WHERE i.document_id = d.id)"
                      " ORDER BY d.id LIMIT 1");
    ck_assert_int_gt(page, 0);
    {
        char q[256];
        snprintf(q, sizeof q, "SELECT d.page_count FROM page p JOIN document d"
                              " ON d.id = p.document_id WHERE p.id = %ld", page);
        pages = th_long(c, q);
        ck_assert_int_ge(pages, 2);
    }
    {
        char q[512];
        snprintf(q, sizeof q, "UPDATE job SET status = 'failed', last_error = 'disk full'"
                              " WHERE page_id = %ld; UPDATE page SET status = 'failed',"
                              " reason = 'disk full', document_id = NULL WHERE id = %ld", page, page);
        PQclear(PQexec(c, q));
    }
    r = th_chartscan(&env, "retry", "--batch", "batch.zip", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "re-queued 1 failed jobs (0 unpack, 1 ocr, 0 assemble)"), "%s", r.out);
    th_result_free(&r);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    {
        char q[512];
        snprintf(q, sizeof q, "SELECT p.status = 'done' AND d.file_id = p.file_id AND d.page_count = %ld"
                              "  FROM page p JOIN document d ON d.id = p.document_id WHERE p.id = %ld",
                 pages, page);
        TH_ASSERT_VALUE(c, q, "t");
    }
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM job WHERE status <> 'done'"), 0);
    PQfinish(c);
}
END_TEST

static Suite *integration_suite(void)
{
    Suite *s = suite_create("integration");
    TCase *path = tcase_create("whole path");
    TCase *bad = tcase_create("bad input");
    TCase *roster = tcase_create("roster");

    /* the batch is processed once, in main(), before any test runs */
    tcase_add_test(path, test_commands_succeed);
    tcase_add_test(path, test_every_page_exactly_once);
    tcase_add_test(path, test_ocr_text_holds_the_printed_words);
    tcase_add_test(path, test_patients_matched_or_sent_to_review);
    tcase_add_test(path, test_queue_drained_and_bytes_exact);
    tcase_add_test(path, test_manifest_format);
    tcase_add_test(path, test_every_archive_format);
    tcase_add_test(path, test_large_object_batch_still_unpacks);
    tcase_add_test(path, test_export_pdf);
    tcase_add_test(bad, test_bad_entries_reported_not_lost);
    tcase_add_test(bad, test_duplicate_and_non_archive_refused);
    tcase_add_test(bad, test_cut_archive_fails_its_batch_only);
    tcase_add_test(bad, test_usage_errors_exit_2);
    tcase_add_test(path, test_external_database_by_chartscan_db);
    tcase_add_test(roster, test_roster_malformed_rows_import_nothing);
    tcase_add_test(roster, test_roster_reimport_updates_by_mrn);
    suite_add_tcase(s, path);
    suite_add_tcase(s, bad);
    suite_add_tcase(s, roster);
    /* last: these change the processed batch */
    {
        TCase *ops = tcase_create("operations");
        tcase_set_timeout(ops, 300);
        tcase_add_test(ops, test_report_lists_exceptions);
        tcase_add_test(ops, test_retry_requeues_and_reassembles);
        tcase_add_test(ops, test_watch_submits_settled_archives);
        tcase_add_test(ops, test_reassembly_keeps_reviewed_documents);
        suite_add_tcase(s, ops);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(integration_suite());
    int failed;
    setup();
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    teardown();
    return failed ? 1 : 0;
}

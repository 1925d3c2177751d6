/*
 * check_pdfa.c — the searchable PDFs the pipeline files are PDF/A-2b
 * (issue 15, item 5), checked on a processed sample batch (G4 scans and
 * grey JPEG scans) with the tools an archivist would use: pdfinfo (version,
 * title, producer, the XMP packet), pdffonts (the font embedded), qpdf
 * --check, pdfimages -list (G4 for bilevel scans, JPEG for grey ones, G4
 * for all with --pdf-images bilevel) and pdftotext (still searchable).
 *
 *   documents   `chartscan export pdf` of a document from a G4 file and of
 *               one from a grey JPEG file: the checks above, the title (type
 *               and id, never the patient's name), the file 0600
 *   passes      a page scanned as JPEG is in the PDF as stored: its image
 *               decodes to the scan's very pixels; gs renders it without error
 *   bilevel     the render stage with cs_pdf_set_images("bilevel"), and back
 *   usage       --pdf-images takes original or bilevel only (exit 2)
 *
 * veraPDF (the reference validator) is not packaged for Debian and is not
 * used; the ocr tests (check_ocr, case pdfa) check the same properties on
 * single pages and the sRGB profile's colours through Ghostscript.
 */
#include <check.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_internal.h"
#include "tests/harness.h"

static th_env env;

static void setup(void)
{
    /* seed 11, 6 files: G4 scans and grey JPEG scans among them */
    th_setup_processed_sample(&env, "pdfa", 11, 6);
}

static void teardown(void)
{
    th_teardown(&env);
}

/* A document all of whose pages come from a file scanned with compression ("g4", "jpeg"). */
static long document_of(const char *compression)
{
    PGconn *c = th_connect(&env);
    char q[800];
    long id;

    snprintf(q, sizeof q, "%s/sample/truth.jsonl", env.dir);
    ck_assert_int_gt(th_load_jsonl(c, "truth", q), 0);     /* the sample's truth: how each file was scanned */
    snprintf(q, sizeof q,
             "SELECT min(d.id) FROM document d JOIN source_file f ON f.id = d.file_id"
             " WHERE d.pdf IS NOT NULL AND EXISTS (SELECT 1 FROM page p WHERE p.document_id = d.id"
             "   AND p.status = 'done')"
             "   AND f.path IN (SELECT j->>'file' FROM truth GROUP BY j->>'file'"
             "                   HAVING bool_and(j->>'compression' = '%s'))", compression);
    id = th_long(c, q);
    PQfinish(c);
    ck_assert_msg(id > 0, "the sample has no document scanned as %s", compression);
    return id;
}

/* Run argv; its output (malloc'd); it must exit 0. */
static char *run(const char *const *argv)
{
    th_result r = th_run(argv);

    ck_assert_msg(r.status != 127, "%s is not installed (scripts/install-deps)", argv[0]);
    ck_assert_msg(r.status == 0, "%s %s: exit %d\n%s", argv[0], argv[1], r.status, r.out);
    free(r.err);
    return r.out;
}

/* The value after key on its line of text ("" when absent), into value. */
static void field(const char *text, const char *key, char *value, size_t len)
{
    const char *p = strstr(text, key), *end;

    value[0] = '\0';
    if (!p)
        return;
    p += strlen(key);
    while (*p == ' ')
        p++;
    end = strchr(p, '\n');
    snprintf(value, len, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
}

/* Export document id into env.dir/name with the real command. */
static void export_pdf(long id, const char *path)
{
    char doc[32];
    th_result r;

    snprintf(doc, sizeof doc, "d-%ld", id);
    unlink(path);
    r = th_chartscan(&env, "export", "pdf", doc, "--out", path, (char *)NULL);
    ck_assert_msg(r.status == 0, "export pdf %s: %s", doc, r.err);
    th_result_free(&r);
}

/* Every image of the PDF has encoding enc ("ccitt", "jpeg"); how many there are. */
static int images_all(const char *path, const char *enc)
{
    const char *argv[] = {"pdfimages", "-list", path, NULL};
    char *out = run(argv), *line = strstr(out, "\n---");
    int count = 0;

    ck_assert_ptr_nonnull(line);
    for (line = strchr(line + 1, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char type[32] = "", color[32] = "", got[32] = "";
        int page, num, w, h, comp, bpc;

        ck_assert_int_eq(sscanf(line + 1, "%d %d %31s %d %d %31s %d %d %31s", &page, &num, type,
                                &w, &h, color, &comp, &bpc, got), 9);
        ck_assert_msg(!strcmp(got, enc), "%s: an image is %s, not %s:\n%s", path, got, enc, out);
        count++;
    }
    free(out);
    return count;
}

/* The PDF/A-2b checks on an exported document: title, XMP, font, qpdf, text. */
static void assert_pdfa_document(long id, const char *path)
{
    const char *info[] = {"pdfinfo", path, NULL}, *meta[] = {"pdfinfo", "-meta", path, NULL};
    const char *fonts[] = {"pdffonts", path, NULL}, *check[] = {"qpdf", "--check", path, NULL};
    const char *text[] = {"pdftotext", "-q", path, "-", NULL};
    char *out, value[256], want[128], q[400], *word, *family;
    PGconn *c = th_connect(&env);
    struct stat st;

    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);

    /* the title: the type's display name and the id; no patient name */
    snprintf(q, sizeof q, "SELECT coalesce(t.display, 'Document') || ' d-' || d.id FROM document d"
                          " LEFT JOIN doctype t ON t.code = d.doctype WHERE d.id = %ld", id);
    word = th_value(c, q);
    ck_assert_ptr_nonnull(word);
    snprintf(want, sizeof want, "%s", word);
    free(word);
    snprintf(q, sizeof q, "SELECT coalesce(max(p.last_name), '(none)') FROM document d"
                          " LEFT JOIN patient p ON p.id = d.patient_id WHERE d.id = %ld", id);
    family = th_value(c, q);
    ck_assert_ptr_nonnull(family);

    out = run(info);
    field(out, "Title:", value, sizeof value);
    ck_assert_str_eq(value, want);
    ck_assert_msg(!strstr(out, family) || !strcmp(family, "(none)"), "patient name in:\n%s", out);
    field(out, "PDF version:", value, sizeof value);
    ck_assert_str_eq(value, "1.7");
    field(out, "Producer:", value, sizeof value);
    ck_assert_str_eq(value, "chartscan");
    snprintf(q, sizeof q, "SELECT count(*) FROM page WHERE document_id = %ld", id);
    snprintf(want, sizeof want, "%ld", th_long(c, q));
    field(out, "Pages:", value, sizeof value);
    ck_assert_str_eq(value, want);
    free(out);

    out = run(meta);
    ck_assert_msg(strstr(out, "<pdfaid:part>2</pdfaid:part>")
                  && strstr(out, "<pdfaid:conformance>B</pdfaid:conformance>"), "XMP:\n%s", out);
    ck_assert_msg(!strstr(out, family) || !strcmp(family, "(none)"), "patient name in:\n%s", out);
    free(out);
    free(family);

    out = run(fonts);
    ck_assert_msg(strstr(out, "Type 3") && strstr(out, " yes "), "font not embedded:\n%s", out);
    free(out);
    out = run(check);
    ck_assert_msg(strstr(out, "No syntax or stream encoding errors found")
                  && !strstr(out, "WARNING"), "qpdf:\n%s", out);
    free(out);

    /* searchable: a long word that OCR read on the document is found in the text */
    snprintf(q, sizeof q, "SELECT w.text FROM word w JOIN page p ON p.id = w.page_id"
                          " WHERE p.document_id = %ld AND w.text ~ '^[A-Za-z]{8,}$'"
                          " ORDER BY p.page_no, w.seq LIMIT 1", id);
    word = th_value(c, q);
    ck_assert_msg(word && *word, "no word read on d-%ld", id);
    out = run(text);
    ck_assert_msg(strstr(out, word) != NULL, "\"%s\" not found by pdftotext in:\n%s", word, out);
    free(out);
    free(word);
    PQfinish(c);
}

START_TEST(test_documents_are_pdfa)
{
    char path[300];
    long g4 = document_of("g4"), jpeg = document_of("jpeg");

    snprintf(path, sizeof path, "%s/g4.pdf", env.dir);
    export_pdf(g4, path);
    assert_pdfa_document(g4, path);
    ck_assert_int_gt(images_all(path, "ccitt"), 0);

    snprintf(path, sizeof path, "%s/jpeg.pdf", env.dir);
    export_pdf(jpeg, path);
    assert_pdfa_document(jpeg, path);
    ck_assert_int_gt(images_all(path, "jpeg"), 0);    /* grey scans kept grey */
}
END_TEST

/*
 * A page scanned as JPEG goes into the PDF as it was stored (ocr/pdf_image.c,
 * note 4): the PDF's image decodes to exactly the scan's pixels (a JPEG
 * encoded again would not), and Ghostscript renders the page, turned by
 * its matrix, without an error.
 */
START_TEST(test_jpeg_scan_passes_through)
{
    char path[300], prefix[300], jpg[320], q[400];
    long jpeg = document_of("jpeg");
    PGconn *c = th_connect(&env);
    char *hex;
    unsigned char *bytes;
    size_t len;
    long page_no;
    PIX *scanned, *shown;
    l_int32 same = 0;

    snprintf(path, sizeof path, "%s/pass.pdf", env.dir);
    export_pdf(jpeg, path);
    snprintf(q, sizeof q, "SELECT %%s FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE p.document_id = %ld ORDER BY p.file_id, p.page_no LIMIT 1", jpeg);
    {
        char sql[500];
        snprintf(sql, sizeof sql, q, "p.page_no");
        page_no = th_long(c, sql);
        snprintf(sql, sizeof sql, q, "encode(f.data, 'hex')");
        hex = th_value(c, sql);
    }
    PQfinish(c);
    ck_assert_ptr_nonnull(hex);
    len = strlen(hex) / 2;
    bytes = malloc(len);
    ck_assert_ptr_nonnull(bytes);
    for (size_t i = 0; i < len; i++) {
        unsigned v = 0;
        ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        bytes[i] = (unsigned char)v;
    }
    free(hex);
    scanned = pixReadMemTiff(bytes, len, (int)page_no - 1);
    ck_assert_ptr_nonnull(scanned);

    snprintf(prefix, sizeof prefix, "%s/pass", env.dir);
    ck_assert_int_eq(th_sh("pdfimages -j -f 1 -l 1 %s %s", path, prefix), 0);
    snprintf(jpg, sizeof jpg, "%s-000.jpg", prefix);
    shown = pixRead(jpg);
    ck_assert_ptr_nonnull(shown);
    ck_assert_int_eq(pixEqual(scanned, shown, &same), 0);
    ck_assert_msg(same, "the PDF's image is not the scan's JPEG (%dx%d against %dx%d)",
                  pixGetWidth(shown), pixGetHeight(shown), pixGetWidth(scanned),
                  pixGetHeight(scanned));
    ck_assert_int_eq(th_sh("gs -q -dSAFER -dNOPAUSE -dBATCH -dPDFSTOPONERROR -sDEVICE=nullpage"
                           " %s >/dev/null 2>&1", path), 0);
    pixDestroy(&shown);
    pixDestroy(&scanned);
    free(bytes);
    unlink(jpg);
}
END_TEST

START_TEST(test_bilevel_images_when_asked)
{
    char path[300], err[CS_ERRLEN] = "";
    long jpeg = document_of("jpeg");
    cs_store *s = NULL;

    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_pdf_set_images("bilevel"), 0);
    ck_assert_msg(cs_document_render_pdf(s, jpeg, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/bilevel.pdf", env.dir);
    export_pdf(jpeg, path);
    assert_pdfa_document(jpeg, path);
    ck_assert_int_gt(images_all(path, "ccitt"), 0);   /* the cleaned pages, G4 */

    ck_assert_int_eq(cs_pdf_set_images("original"), 0);
    ck_assert_msg(cs_document_render_pdf(s, jpeg, err, sizeof err) == 0, "%s", err);
    export_pdf(jpeg, path);
    ck_assert_int_gt(images_all(path, "jpeg"), 0);
    ck_assert_int_eq(cs_pdf_set_images("colour"), -1);
    cs_store_close(&s);
}
END_TEST

START_TEST(test_option_usage)
{
    th_result r = th_chartscan(&env, "work", "--pdf-images", "colour", "--until-idle", (char *)NULL);

    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--pdf-images is original or bilevel, not \"colour\""), "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "work", "--pdf-images", "bilevel", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "serve", "--pdf-images", "grey", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
}
END_TEST

static Suite *pdfa_suite(void)
{
    Suite *s = suite_create("pdfa");
    TCase *tc = tcase_create("pipeline");

    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_documents_are_pdfa);
    tcase_add_test(tc, test_jpeg_scan_passes_through);
    tcase_add_test(tc, test_bilevel_images_when_asked);
    tcase_add_test(tc, test_option_usage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pdfa_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * check_input.c — what comes in from outside, and what it must not do
 * (issue 12, items 4, 5, 7 and 9), with the real binary, a real PostgreSQL
 * and the real Tesseract:
 *
 *   names     archive entry names in any encoding (a non-UTF-8 tar name, a
 *             CP437 zip from Windows, a zip flagged UTF-8) are unpacked,
 *             their pages recognised, and named losslessly in the manifest
 *   formats   only real archives are submitted: a roster CSV, a PDF and a
 *             text file are refused at once
 *   memory    a page is bounded by the memory its decoding takes: a 16-bit
 *             RGBA header within the pixel limit is refused, that page
 *             alone failed; the worst page accepted stays under 1 GB; an
 *             archive's pages are bounded by a limit the submitter can raise
 *   roster    NUL and control characters in a roster are refused with
 *             line and column, nothing imported
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include "common/common.h"
#include "ocr/ocr.h"
#include "pipeline/pipeline.h"
#include "pipeline/stages/stage_internal.h"
#include "tests/harness.h"

static th_env env;

/* ---- helpers ---- */

typedef struct entry {
    const char *name;
    const void *data;
    size_t len;
} entry;

/* Write an archive (format "zip", "ustar", "pax" or "gnutar") of entries to
 * path.  utf8: write with a UTF-8 LC_CTYPE (a zip then flags its non-ASCII
 * names UTF-8); otherwise the "C" locale, in which names go out as bytes. */
static void write_archive(const char *path, const char *format, int utf8, const entry *e, int n)
{
    struct archive *a = archive_write_new();
    locale_t loc = (locale_t)0, old = (locale_t)0;

    if (utf8) {
        loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        ck_assert_msg(loc != (locale_t)0, "no C.UTF-8 locale");
        old = uselocale(loc);
    }
    if (!strcmp(format, "zip"))
        archive_write_set_format_zip(a);
    else if (!strcmp(format, "ustar"))
        archive_write_set_format_ustar(a);
    else if (!strcmp(format, "gnutar"))
        archive_write_set_format_gnutar(a);
    else
        archive_write_set_format_pax(a);
    ck_assert_int_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (int i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_size(ae, (la_int64_t)e[i].len);
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_perm(ae, 0644);
        ck_assert_int_ge(archive_write_header(a, ae), ARCHIVE_WARN);
        ck_assert_int_eq(archive_write_data(a, e[i].data, e[i].len), (la_ssize_t)e[i].len);
        archive_entry_free(ae);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    if (utf8) {
        uselocale(old);
        freelocale(loc);
    }
}

/* The first TIFF of a generated sample batch (a real chart page or two),
 * made once. */
static char *sample_tiff(size_t *len)
{
    static char *data;
    static size_t data_len;
    char dir[200], zip[260];
    struct archive *a;
    struct archive_entry *e;

    if (!data) {
        snprintf(dir, sizeof dir, "%s/sample", env.dir);
        ck_assert_int_eq(th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed 12 --files 1"
                               " >/dev/null", env.root, dir), 0);
        snprintf(zip, sizeof zip, "%s/batch.zip", dir);
        a = archive_read_new();
        archive_read_support_format_zip(a);
        ck_assert_int_eq(archive_read_open_filename(a, zip, 65536), ARCHIVE_OK);
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            if (!strstr(archive_entry_pathname(e), ".tif"))
                continue;
            data_len = (size_t)archive_entry_size(e);
            data = malloc(data_len);
            ck_assert_int_eq(archive_read_data(a, data, data_len), (la_ssize_t)data_len);
            break;
        }
        archive_read_free(a);
        ck_assert_ptr_nonnull(data);
    }
    *len = data_len;
    return data;
}

typedef struct tiff_page {
    uint32_t width, height;
    uint16_t bits, samples;
    int token;              /* a header and a token strip only: nothing to decode */
} tiff_page;

/* A TIFF of the given pages: real white pixels (deflate), or, for a token
 * page, a directory whose one strip is 16 bytes of nothing (all a hostile
 * header needs).  Returns the bytes (malloc'd). */
static char *make_tiff(const tiff_page *pages, int n, size_t *len)
{
    char path[200];
    TIFF *t;

    snprintf(path, sizeof path, "%s/made.tif", env.dir);
    t = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < n; i++) {
        const tiff_page *p = &pages[i];
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, p->width);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, p->height);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, p->bits);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, p->samples);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, p->samples >= 3 ? PHOTOMETRIC_RGB
                                             : p->bits == 1 ? PHOTOMETRIC_MINISWHITE
                                                            : PHOTOMETRIC_MINISBLACK);
        if (p->samples == 4) {
            uint16_t extra = EXTRASAMPLE_ASSOCALPHA;
            TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, &extra);
        }
        TIFFSetField(t, TIFFTAG_XRESOLUTION, 300.0);
        TIFFSetField(t, TIFFTAG_YRESOLUTION, 300.0);
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, p->height);
        if (p->token) {
            /* compressed, so that libtiff takes the strip's byte count as
             * it is: only the page's size can refuse it */
            unsigned char strip[16] = {0};
            TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
            ck_assert_int_ge(TIFFWriteRawStrip(t, 0, strip, sizeof strip), 0);
        } else {
            size_t sl;
            unsigned char *line;
            TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
            sl = (size_t)TIFFScanlineSize(t);
            line = malloc(sl);
            ck_assert_ptr_nonnull(line);
            /* white: 0 for min-is-white bilevel, all ones otherwise */
            memset(line, p->bits == 1 ? 0x00 : 0xff, sl);
            for (uint32_t y = 0; y < p->height; y++)
                ck_assert_int_eq(TIFFWriteScanline(t, line, y, 0), 1);
            free(line);
        }
        ck_assert(TIFFWriteDirectory(t));
    }
    TIFFClose(t);
    return th_slurp(path, len);
}

static long long submit(const char *path, const char *max_pages)
{
    th_result r = max_pages ? th_chartscan(&env, "submit", "--max-pages", max_pages, path,
                                           (char *)NULL)
                            : th_chartscan(&env, "submit", path, (char *)NULL);
    long long id;
    ck_assert_msg(r.status == 0, "submit %s: %s", path, r.err);
    id = atoll(r.out);
    th_result_free(&r);
    ck_assert_int_gt(id, 0);
    return id;
}

static void work(void)
{
    th_result r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "work: %s", r.err);
    th_result_free(&r);
}

/* Export the manifest of batch into table (n, j jsonb); returns its lines. */
static long load_manifest(PGconn *c, long long batch, const char *table)
{
    char id[24], path[200];
    th_result r;
    FILE *f;
    long n;

    snprintf(id, sizeof id, "%lld", batch);
    r = th_chartscan(&env, "export", "manifest", "--batch", id, (char *)NULL);
    ck_assert_msg(r.status == 0, "manifest: %s", r.err);
    snprintf(path, sizeof path, "%s/%s.jsonl", env.dir, table);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(r.out, f);
    fclose(f);
    th_result_free(&r);
    n = th_load_jsonl(c, table, path);
    ck_assert_int_ge(n, 0);
    return n;
}

/* ---- names: the display form (unit) ---- */

static void check_display(const char *raw, int zip, const char *want)
{
    char out[256];
    long n = cs_entry_name_display(raw, strlen(raw), zip, out, sizeof out);
    ck_assert_msg(n >= 0 && !strcmp(out, want), "display of \"%s\" (zip %d): \"%s\", expected \"%s\"",
                  raw, zip, n >= 0 ? out : "(too small)", want);
    ck_assert_int_eq(n, (long)strlen(want));
}

START_TEST(test_entry_name_display)
{
    char small[8];

    check_display("box01/chart_0001.tif", 0, "box01/chart_0001.tif");
    check_display("box01/chart_0001.tif", 1, "box01/chart_0001.tif");
    check_display("caf\xe9.tif", 0, "caf\\xE9.tif");                  /* a Latin-1 tar name */
    check_display("caf\xc3\xa9.tif", 0, "caf\xc3\xa9.tif");            /* UTF-8 as it is */
    check_display("caf\xc3\xa9.tif", 1, "caf\xc3\xa9.tif");            /* a zip's UTF-8 too */
    check_display("B\x81" "cher/\x82t\x82.tif", 1, "B\xc3\xbc" "cher/\xc3\xa9t\xc3\xa9.tif"); /* CP437 */
    check_display("\xe0\xe1\xff", 1, "\xce\xb1\xc3\x9f\xc2\xa0");       /* alpha, sharp s, nbsp */
    check_display("a\x1b[31mred\x07.tif", 0, "a\\x1B[31mred\\x07.tif"); /* no terminal control */
    check_display("a\x1b.tif", 1, "a\\x1B.tif");
    check_display("c1\xc2\x9b" "x.tif", 0, "c1\\xC2\\x9Bx.tif");       /* a C1 control, CSI */
    check_display("\xed\xa0\x80.tif", 0, "\\xED\\xA0\\x80.tif");        /* a surrogate is no UTF-8 */
    check_display("\xc0\xaf.tif", 0, "\\xC0\\xAF.tif");                 /* nor an overlong '/' */
    /* backslashes: as they are, unless they would read as an escape */
    check_display("BOX3\\chart.tif", 1, "BOX3\\chart.tif");
    check_display("dir\\xray.tif", 0, "dir\\\\xray.tif");
    check_display("a\\\\b", 0, "a\\\\\\b");
    check_display("a\\\xe9", 0, "a\\\\\\xE9");
    check_display("end\\", 0, "end\\");
    /* too small a buffer is an error, not a cut name */
    ck_assert_int_eq(cs_entry_name_display("caf\xe9.tif", 8, 0, small, sizeof small), -1);
    ck_assert_str_eq(small, "");
}
END_TEST

/* Read a display form back to bytes (UTF-8 names): the rules of entry_name.c. */
static size_t undisplay(const char *s, unsigned char *out)
{
    size_t o = 0;
    while (*s) {
        if (s[0] == '\\' && s[1] == '\\') {
            out[o++] = '\\';
            s += 2;
        } else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
            unsigned v;
            ck_assert_int_eq(sscanf(s + 2, "%2X", &v), 1);
            out[o++] = (unsigned char)v;
            s += 4;
        } else {
            out[o++] = (unsigned char)*s++;
        }
    }
    return o;
}

START_TEST(test_entry_name_round_trip)
{
    static const unsigned char alphabet[] = {'a', 'x', 'X', '\\', '/', '.', 0xe9, 0xc3, 0xa9,
                                             0x1b, 0x7f, 0xc2, 0x9b, 0xe2, 0x82, 0xac, 0xf0,
                                             0x9f, 0x98, 0x80, 0xff, '0', 'F'};
    unsigned seed = 12;

    for (int t = 0; t < 20000; t++) {
        char raw[24], out[4 * sizeof raw + 1];
        unsigned char back[sizeof out];
        size_t len = (size_t)(rand_r(&seed) % (int)sizeof raw);
        long n;

        for (size_t i = 0; i < len; i++)
            raw[i] = (char)alphabet[rand_r(&seed) % sizeof alphabet];
        n = cs_entry_name_display(raw, len, 0, out, sizeof out);
        ck_assert_int_ge(n, 0);
        ck_assert_uint_eq(strlen(out), (size_t)n);
        ck_assert_uint_eq(undisplay(out, back), len);
        ck_assert_msg(memcmp(back, raw, len) == 0, "round trip %d: \"%s\"", t, out);
        for (long i = 0; i < n; i++)   /* never a control byte in what is shown */
            ck_assert((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
    }
}
END_TEST

/* ---- names: through the pipeline ---- */

START_TEST(test_non_utf8_names_unpacked)
{
    char tar[200], zip437[200], zip8[200];
    size_t len;
    char *tiff = sample_tiff(&len);
    PGconn *c = th_connect(&env);
    long long b_tar, b_437, b_8;
    char q[1024];

    snprintf(tar, sizeof tar, "%s/latin1.tar", env.dir);
    snprintf(zip437, sizeof zip437, "%s/windows.zip", env.dir);
    snprintf(zip8, sizeof zip8, "%s/utf8.zip", env.dir);
    {
        entry e[1] = {{"caf\xe9.tif", tiff, len}};
        write_archive(tar, "ustar", 0, e, 1);
    }
    {
        /* written in the "C" locale: the bytes as they are, no UTF-8 flag,
         * what a Windows zipper writes in its OEM code page 437 */
        entry e[1] = {{"Akte M\x81ller/\x82t\x82.tif", tiff, len}};
        write_archive(zip437, "zip", 0, e, 1);
    }
    {
        entry e[1] = {{"Dossier Ren\xc3\xa9" "e.tif", tiff, len}};
        write_archive(zip8, "zip", 1, e, 1);
    }
    b_tar = submit(tar, NULL);
    b_437 = submit(zip437, NULL);
    b_8 = submit(zip8, NULL);
    work();

    /* every batch unpacked, every entry with its pages, every page read */
    snprintf(q, sizeof q, "SELECT count(*) FROM batch WHERE id IN (%lld, %lld, %lld)"
                          " AND status = 'unpacked' AND error IS NULL", b_tar, b_437, b_8);
    ck_assert_int_eq(th_long(c, q), 3);
    snprintf(q, sizeof q, "SELECT count(*) FROM source_file WHERE batch_id IN (%lld, %lld, %lld)"
                          " AND status = 'pages'", b_tar, b_437, b_8);
    ck_assert_int_eq(th_long(c, q), 3);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id IN (%lld, %lld, %lld) AND p.status NOT IN ('done', 'blank')",
             b_tar, b_437, b_8);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(DISTINCT f.batch_id) FROM page p JOIN source_file f"
                          " ON f.id = p.file_id WHERE f.batch_id IN (%lld, %lld, %lld)"
                          " AND p.status = 'done' AND p.document_id IS NOT NULL", b_tar, b_437, b_8);
    if (th_long(c, q) != 3) {
        char *pages = th_value(c, "SELECT string_agg(f.batch_id || '/' || p.page_no || ':' || p.status"
                                  " || ':' || coalesce(p.document_id::text, '-'), ' ')"
                                  " FROM page p JOIN source_file f ON f.id = p.file_id");
        char *jobs = th_value(c, "SELECT string_agg(kind || ':' || status || ':' ||"
                                 " coalesce(last_error, ''), ' ') FROM job WHERE kind <> 'ocr'");
        ck_abort_msg("pages not in documents: %s; jobs: %s", pages, jobs);
    }

    /* the raw bytes, byte for byte */
    snprintf(q, sizeof q, "SELECT encode(path_raw, 'hex') FROM source_file WHERE batch_id = %lld",
             b_tar);
    TH_ASSERT_VALUE(c, q, "636166e92e746966");
    snprintf(q, sizeof q, "SELECT encode(path_raw, 'hex') FROM source_file WHERE batch_id = %lld",
             b_437);
    TH_ASSERT_VALUE(c, q, "416b7465204d816c6c65722f8274822e746966");

    /* the manifest names them losslessly: the display form, and the bytes
     * wherever the two differ */
    ck_assert_int_gt(load_manifest(c, b_tar, "m_tar"), 0);
    TH_ASSERT_VALUE(c, "SELECT string_agg(DISTINCT p->>'file' || '|' || (p->>'file_bytes'), ',')"
                       " FROM m_tar, jsonb_array_elements(j->'pages') p"
                       " WHERE j->>'kind' = 'document'", "caf\\xE9.tif|636166e92e746966");
    ck_assert_int_gt(load_manifest(c, b_437, "m_437"), 0);
    TH_ASSERT_VALUE(c, "SELECT string_agg(DISTINCT p->>'file' || '|' || (p->>'file_bytes'), ',')"
                       " FROM m_437, jsonb_array_elements(j->'pages') p"
                       " WHERE j->>'kind' = 'document'",
                    "Akte M\xc3\xbcller/\xc3\xa9t\xc3\xa9.tif|416b7465204d816c6c65722f8274822e746966");
    ck_assert_int_gt(load_manifest(c, b_8, "m_8"), 0);
    TH_ASSERT_VALUE(c, "SELECT string_agg(DISTINCT (p->>'file') || '|' || coalesce(p->>'file_bytes',"
                       " 'same'), ',') FROM m_8, jsonb_array_elements(j->'pages') p"
                       " WHERE j->>'kind' = 'document'", "Dossier Ren\xc3\xa9" "e.tif|same");

    PQfinish(c);
}
END_TEST

/* A name that is not UTF-8 on a file that is skipped or failed (no pages)
 * still has its line in the manifest, with its bytes. */
START_TEST(test_non_utf8_names_of_skipped_entries)
{
    char tar[200];
    PGconn *c = th_connect(&env);
    long long batch;
    entry e[2] = {{"notes \xff\xfe.txt", "hello\n", 6}, {"box/\x1b[2Jcut.tif", "II*\0\x08\0\0\0", 8}};

    snprintf(tar, sizeof tar, "%s/skipped.tar", env.dir);
    write_archive(tar, "gnutar", 0, e, 2);
    batch = submit(tar, NULL);
    work();
    ck_assert_int_eq(load_manifest(c, batch, "m_skip"), 2);
    TH_ASSERT_VALUE(c, "SELECT string_agg(j->>'file' || '|' || (j->>'status') || '|'"
                       " || (j->>'file_bytes'), ',' ORDER BY n) FROM m_skip",
                    "notes \\xFF\\xFE.txt|skipped|6e6f74657320fffe2e747874,"
                    "box/\\x1B[2Jcut.tif|failed|626f782f1b5b324a6375742e746966");
    PQfinish(c);
}
END_TEST

/* ---- formats ---- */

START_TEST(test_only_archives_submitted)
{
    static const char pdf[] =
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        "trailer << /Root 1 0 R >>\n%%EOF\n";
    char roster[260], pdfpath[200], text[200], gz[200];
    PGconn *c = th_connect(&env);
    long before = th_long(c, "SELECT count(*) FROM batch");
    size_t len;
    FILE *f;

    (void)sample_tiff(&len);                       /* makes the sample's roster too */
    snprintf(roster, sizeof roster, "%s/sample/roster.csv", env.dir);
    snprintf(pdfpath, sizeof pdfpath, "%s/letter.pdf", env.dir);
    snprintf(text, sizeof text, "%s/notes.txt", env.dir);
    snprintf(gz, sizeof gz, "%s/roster.csv.gz", env.dir);
    f = fopen(pdfpath, "w");
    fputs(pdf, f);
    fclose(f);
    f = fopen(text, "w");
    fputs("Box 17 went to the scanner on Monday.\nThe rest follows.\n", f);
    fclose(f);
    ck_assert_int_eq(th_sh("gzip -c '%s' > '%s'", roster, gz), 0);

    {
        const char *paths[] = {roster, pdfpath, text, gz};
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            th_result r = th_chartscan(&env, "submit", paths[i], (char *)NULL);
            ck_assert_msg(r.status == 1, "%s: status %d, out \"%s\"", paths[i], r.status, r.out);
            ck_assert_msg(strstr(r.err, "is not a zip, tar") && strstr(r.err, paths[i]),
                          "%s: %s", paths[i], r.err);
            th_result_free(&r);
        }
    }
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch"), before);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM source_file f JOIN batch b"
                                " ON b.id = f.batch_id WHERE b.name LIKE 'roster%'"), 0);
    PQfinish(c);
}
END_TEST

/* ---- memory ---- */

/* The page the issue met: 10,900 x 11,000, 16-bit RGBA; within the pixel
 * limit, 1.9 GB to decode. */
static const tiff_page rgba16 = {10900, 11000, 16, 4, 1};

START_TEST(test_decoding_memory_refused)
{
    cs_ocr_engine *engine = NULL;
    cs_tiff_info info = {0};
    cs_ocr_result res;
    tiff_page grey = {10900, 11000, 8, 1, 1};
    char err[512] = "", *data;
    size_t len;

    ck_assert((long long)rgba16.width * rgba16.height <= CS_MAX_PAGE_PIXELS);
    data = make_tiff(&rgba16, 1, &len);
    ck_assert_uint_lt(len, 4096);                   /* a header, no pixels */
    ck_assert_msg(cs_ocr_tiff_inspect(data, len, &info, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(info.pages, 1);                /* counted: the page fails, not the file */
    ck_assert_msg(cs_ocr_engine_new(NULL, &engine, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_ocr_page(engine, data, len, 1, &res, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "page 1 would take") && strstr(err, "MB of memory to decode")
                  && strstr(err, "10900 x 11000 pixels, 4 samples of 16 bits")
                  && strstr(err, "more than the limit of 768 MB"), "%s", err);
    free(data);

    /* the same size in 8-bit grey is within the limit: decoding is tried
     * (and fails on the token strip, for another reason) */
    data = make_tiff(&grey, 1, &len);
    ck_assert_int_eq(cs_ocr_page(engine, data, len, 1, &res, err, sizeof err), -1);
    ck_assert_msg(!strstr(err, "memory to decode"), "%s", err);
    free(data);
    cs_ocr_engine_free(&engine);
}
END_TEST

/* The costliest page within the limit, decoded and cleaned for real in a
 * child process: its peak stays under 1 GB.  (Not under AddressSanitizer,
 * whose shadow memory and quarantine are no worker's.) */
START_TEST(test_worst_accepted_page_under_1gb)
{
#if defined(__SANITIZE_ADDRESS__)
    return;
#else
    /* 8-bit RGB, one deflate strip: 12 bytes a pixel to decode, just
     * under 768 MB */
    tiff_page rgb = {7900, 8000, 8, 3, 0};
    char *data;
    size_t len;
    pid_t pid;
    int status;
    struct rusage ru;

    data = make_tiff(&rgb, 1, &len);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        cs_ocr_engine *engine = NULL;
        cs_ocr_result res;
        char err[512];
        if (cs_ocr_engine_new(NULL, &engine, err, sizeof err) < 0)
            _exit(2);
        if (cs_ocr_page(engine, data, len, 1, &res, err, sizeof err) < 0) {
            fprintf(stderr, "page refused: %s\n", err);
            _exit(3);
        }
        _exit(0);
    }
    free(data);
    ck_assert_int_eq(wait4(pid, &status, 0, &ru), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    ck_assert_msg(ru.ru_maxrss < 1024L * 1024, "peak RSS %ld KiB", ru.ru_maxrss);
#endif
}
END_TEST

START_TEST(test_hostile_page_alone_fails)
{
    tiff_page pages[3] = {{2550, 3300, 1, 1, 0}, rgba16, {2550, 3300, 1, 1, 0}};
    char zip[200], q[512], *tiff;
    size_t len;
    PGconn *c = th_connect(&env);
    long long batch;

    tiff = make_tiff(pages, 3, &len);
    snprintf(zip, sizeof zip, "%s/rgba16.zip", env.dir);
    {
        entry e[1] = {{"box/scan.tif", tiff, len}};
        write_archive(zip, "zip", 0, e, 1);
    }
    free(tiff);
    batch = submit(zip, NULL);
    work();
    snprintf(q, sizeof q, "SELECT string_agg(p.page_no || ':' || p.status, ',' ORDER BY p.page_no)"
                          " FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND f.status = 'pages'", batch);
    TH_ASSERT_VALUE(c, q, "1:blank,2:failed,3:blank");
    ck_assert_int_eq(load_manifest(c, batch, "m_rgba"), 3);
    {
        char *v = th_value(c, "SELECT j->>'reason' FROM m_rgba WHERE j->>'kind' = 'page'"
                              " AND j->>'status' = 'failed' AND (j->>'page')::int = 2");
        ck_assert_ptr_nonnull(v);
        ck_assert_msg(strstr(v, "would take") && strstr(v, "more than the limit of 768 MB"),
                      "%s", v);
        free(v);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_archive_page_limit)
{
    /* three files of two small blank pages: six pages, the limit three */
    tiff_page two[2] = {{850, 1100, 1, 1, 0}, {850, 1100, 1, 1, 0}};
    char zip[200], q[512], id[24], *tiff;
    size_t len;
    PGconn *c = th_connect(&env);
    long long batch, plain;
    th_result r;

    tiff = make_tiff(two, 2, &len);
    snprintf(zip, sizeof zip, "%s/many.zip", env.dir);
    {
        entry e[3] = {{"a.tif", tiff, len}, {"b.tif", tiff, len}, {"c.tif", tiff, len}};
        write_archive(zip, "zip", 0, e, 3);
    }
    r = th_chartscan(&env, "submit", "--max-pages", "0", zip, (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "--max-pages needs 1 to"), "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "submit", "--help", (char *)NULL);
    ck_assert_msg(strstr(r.out, "--max-pages N") && strstr(r.out, "default 500"), "%s", r.out);
    th_result_free(&r);

    batch = submit(zip, "3");
    work();
    snprintf(q, sizeof q, "SELECT string_agg(f.path || p.page_no || ':' || p.status, ','"
                          " ORDER BY f.entry_index, p.page_no)"
                          " FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld", batch);
    TH_ASSERT_VALUE(c, q, "a.tif1:blank,a.tif2:blank,b.tif1:blank,"
                          "b.tif2:failed,c.tif1:failed,c.tif2:failed");
    /* the pages over the limit cost no ocr work, and say why */
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE batch_id = %lld AND kind = 'ocr'", batch);
    ck_assert_int_eq(th_long(c, q), 3);
    ck_assert_int_eq(load_manifest(c, batch, "m_limit"), 6);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM m_limit WHERE j->>'status' = 'failed'"
                       " AND j->>'reason' LIKE 'over the archive''s page limit of 3 pages%'", "3");
    snprintf(id, sizeof id, "%lld", batch);
    r = th_chartscan(&env, "report", id, (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "c.tif page 2: failed: over the archive's page limit of 3 pages"),
                  "%s", r.out);
    th_result_free(&r);

    /* without the option, the default limit: all six pages are read */
    /* the same pages in another order: another archive */
    snprintf(zip, sizeof zip, "%s/many2.zip", env.dir);
    {
        entry e[3] = {{"c.tif", tiff, len}, {"b.tif", tiff, len}, {"a.tif", tiff, len}};
        write_archive(zip, "zip", 0, e, 3);
    }
    free(tiff);
    plain = submit(zip, NULL);
    work();
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND p.status = 'blank'", plain);
    ck_assert_int_eq(th_long(c, q), 6);

    /* the bomb: a small zip that expands to 804 pages is bounded by
     * the default limit, and the pages past it are kept and say why */
    {
        tiff_page *many = calloc(804, sizeof *many);
        char *big;
        size_t blen;
        struct stat st;
        long long bomb;
        ck_assert_ptr_nonnull(many);
        for (int i = 0; i < 804; i++)
            many[i] = (tiff_page){200, 200, 1, 1, 0};
        big = make_tiff(many, 804, &blen);
        free(many);
        snprintf(zip, sizeof zip, "%s/bomb.zip", env.dir);
        {
            entry e[1] = {{"stack.tif", big, blen}};
            write_archive(zip, "zip", 0, e, 1);
        }
        free(big);
        ck_assert_int_eq(stat(zip, &st), 0);
        ck_assert_msg(st.st_size < 200 * 1024, "the bomb is %lld bytes", (long long)st.st_size);
        bomb = submit(zip, NULL);
        work();
        snprintf(q, sizeof q, "SELECT count(*) FILTER (WHERE p.status = 'failed'"
                              " AND p.reason LIKE 'over the archive''s page limit of 500 pages%%')"
                              " || '|' || count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                              " WHERE f.batch_id = %lld", bomb);
        TH_ASSERT_VALUE(c, q, "304|804");
    }
    PQfinish(c);
}
END_TEST

/* ---- roster ---- */

static th_result import_roster(const char *name, const char *bytes, size_t len)
{
    char path[200];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", env.dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
    return th_chartscan(&env, "patients", "import", path, (char *)NULL);
}

START_TEST(test_roster_control_characters)
{
    static const char nul[] =
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "90000001,Good,Alma,,1950-01-02,F\n"
        "90000002,Nul\0Hidden,Bert,,1951-02-03,M\n";
    static const char esc[] =
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "90000003,Doe,Carl,,1952-03-04,M\n"
        "90000004,Roe,\"\x1b]0;owned\x07\x1b[2JDana\",,1953-04-05,F\n"
        "90000005,\xe9vy,Emil,,1954-05-06,M\n";
    static const char fine[] =
        "mrn,last_name,first_name,middle_name,birth_date,sex\n"
        "90000006,  Spaced\t, Finn ,,1955-06-07,M\n";
    PGconn *c = th_connect(&env);
    th_result r;

    r = import_roster("nul.csv", nul, sizeof nul - 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "line 3, column last_name: a NUL byte at character 4"), "%s", r.err);
    ck_assert_msg(!strstr(r.err, "Hidden") && !strstr(r.err, "Nul"), "patient data in: %s", r.err);
    th_result_free(&r);

    r = import_roster("esc.csv", esc, sizeof esc - 1);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "line 3, column first_name: a control character (U+001B) at "
                             "character 1"), "%s", r.err);
    ck_assert_msg(strstr(r.err, "line 4, column last_name: bytes that are not UTF-8 at "
                             "character 1"), "%s", r.err);
    ck_assert_msg(!strchr(r.err, '\x1b') && !strstr(r.err, "owned"), "%s", r.err);
    th_result_free(&r);

    /* nothing of either file was imported, the good rows neither */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM patient WHERE mrn LIKE '9000000%'"), 0);

    /* spaces and tabs around a value are trimmed, as before */
    r = import_roster("fine.csv", fine, sizeof fine - 1);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    TH_ASSERT_VALUE(c, "SELECT last_name || '|' || first_name FROM patient WHERE mrn = '90000006'",
                    "Spaced|Finn");
    PQfinish(c);
}
END_TEST

START_TEST(test_csv_field_length)
{
    static const char data[] = "a,b\0c,\"d\0\"\"e\",\n";
    FILE *f = fmemopen((void *)data, sizeof data - 1, "r");
    cs_csv *csv = cs_csv_open(f, 0);
    char **fields;
    size_t n;

    ck_assert_int_eq(cs_csv_next(csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(cs_csv_field_length(csv, 0), 1);
    ck_assert_uint_eq(cs_csv_field_length(csv, 1), 3);       /* "b\0c" */
    ck_assert_uint_eq(strlen(fields[1]), 1);
    ck_assert_uint_eq(cs_csv_field_length(csv, 2), 4);       /* "d\0\"e" */
    ck_assert_uint_eq(cs_csv_field_length(csv, 3), 0);
    ck_assert_uint_eq(cs_csv_field_length(csv, 4), 0);       /* no such field */
    cs_csv_free(&csv);
    fclose(f);
}
END_TEST

static Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *names = tcase_create("names");
    TCase *formats = tcase_create("formats");
    TCase *memory = tcase_create("memory");
    TCase *roster = tcase_create("roster");

    tcase_set_timeout(names, 300);
    tcase_set_timeout(formats, 120);
    tcase_set_timeout(memory, 300);
    tcase_set_timeout(roster, 120);
    tcase_add_test(names, test_entry_name_display);
    tcase_add_test(names, test_entry_name_round_trip);
    tcase_add_test(names, test_non_utf8_names_unpacked);
    tcase_add_test(names, test_non_utf8_names_of_skipped_entries);
    tcase_add_test(formats, test_only_archives_submitted);
    tcase_add_test(memory, test_decoding_memory_refused);
    tcase_add_test(memory, test_worst_accepted_page_under_1gb);
    tcase_add_test(memory, test_hostile_page_alone_fails);
    tcase_add_test(memory, test_archive_page_limit);
    tcase_add_test(roster, test_roster_control_characters);
    tcase_add_test(roster, test_csv_field_length);
    suite_add_tcase(s, names);
    suite_add_tcase(s, formats);
    suite_add_tcase(s, memory);
    suite_add_tcase(s, roster);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(input_suite());
    th_result r;
    int failed;

    th_setup(&env, "in");
    r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "init failed: %s\n", r.err);
        th_teardown(&env);
        return 1;
    }
    th_result_free(&r);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

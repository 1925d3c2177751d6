/*
 * check_common.c — unit tests for common/: the CSV reader, the JSON string
 * writer and SHA-256.
 */
#include "common/common.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- CSV helpers ---- */

typedef struct csv_fixture {
    FILE *fp;
    cs_csv *csv;
} csv_fixture;

static void
csv_open_bytes(csv_fixture *f, const char *data, size_t len, size_t max_field)
{
    f->fp = fmemopen((void *)data, len, "rb");
    ck_assert_ptr_nonnull(f->fp);
    f->csv = cs_csv_open(f->fp, max_field);
    ck_assert_ptr_nonnull(f->csv);
}

static void
csv_open_str(csv_fixture *f, const char *data, size_t max_field)
{
    csv_open_bytes(f, data, strlen(data), max_field);
}

static void
csv_close(csv_fixture *f)
{
    cs_csv_free(&f->csv);
    ck_assert_ptr_null(f->csv);
    fclose(f->fp);
}

/* ---- CSV: core ---- */

START_TEST(test_csv_plain_and_quoted)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "id,name,note\n1,\"Doe, Jane\",\"said \"\"hi\"\"\"\n2,,\"\"\n", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(fields[0], "id");
    ck_assert_str_eq(fields[2], "note");
    ck_assert_int_eq(cs_csv_line(f.csv), 1);

    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(fields[0], "1");
    ck_assert_str_eq(fields[1], "Doe, Jane");
    ck_assert_str_eq(fields[2], "said \"hi\"");
    ck_assert_int_eq(cs_csv_line(f.csv), 2);

    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(fields[1], "");
    ck_assert_str_eq(fields[2], "");

    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 0);
    csv_close(&f);
}
END_TEST

START_TEST(test_csv_embedded_newlines_and_line_numbers)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "a,\"line one\nline two\nline three\"\nb,\"x\r\ny\"\nc,z", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_str_eq(fields[1], "line one\nline two\nline three");
    ck_assert_int_eq(cs_csv_line(f.csv), 1);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_str_eq(fields[0], "b");
    ck_assert_str_eq(fields[1], "x\r\ny");          /* quoted bytes are kept */
    ck_assert_int_eq(cs_csv_line(f.csv), 4);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);   /* no final newline */
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(fields[1], "z");
    ck_assert_int_eq(cs_csv_line(f.csv), 6);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 0);
    csv_close(&f);
}
END_TEST

START_TEST(test_csv_crlf_bom_and_blank_lines)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "\xEF\xBB\xBFid,text\r\n\r\n1,\"a,b\"\r\n2,plain\r\n", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(fields[0], "id");               /* BOM skipped */
    ck_assert_str_eq(fields[1], "text");             /* no CR left */
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_str_eq(fields[1], "a,b");
    ck_assert_int_eq(cs_csv_line(f.csv), 3);         /* blank line 2 skipped */
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_str_eq(fields[1], "plain");
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 0);
    csv_close(&f);
}
END_TEST

START_TEST(test_csv_not_a_bom)
{
    csv_fixture f;
    char **fields;
    size_t n;

    /* starts like a BOM but is not one: every byte must survive */
    csv_open_str(&f, "\xEF\xBBx,y\n", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(fields[0], "\xEF\xBBx");
    ck_assert_str_eq(fields[1], "y");
    csv_close(&f);

    csv_open_str(&f, "", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 0);
    ck_assert_uint_eq(n, 0);
    csv_close(&f);
}
END_TEST

/* ---- CSV: limits ---- */

START_TEST(test_csv_field_length_limit)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "12345678,x\n\"123456789\",y\n", 8);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);    /* exactly 8: ok */
    ck_assert_str_eq(fields[0], "12345678");
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), -1);
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "line 2"));
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "longer than the limit"));
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), -1);   /* sticky */
    csv_close(&f);
}
END_TEST

START_TEST(test_csv_field_count_limit)
{
    csv_fixture f;
    cs_buf b = CS_BUF_INIT;
    char **fields;
    size_t n;

    for (int i = 0; i < 256; i++)
        ck_assert_int_eq(cs_buf_puts(&b, i ? ",v" : "v"), 0);
    ck_assert_int_eq(cs_buf_puts(&b, "\n"), 0);
    for (int i = 0; i < 257; i++)
        ck_assert_int_eq(cs_buf_puts(&b, i ? ",v" : "v"), 0);
    ck_assert_int_eq(cs_buf_puts(&b, "\n"), 0);

    csv_open_bytes(&f, b.data, b.len, 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_uint_eq(n, 256);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), -1);
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "too many fields"));
    csv_close(&f);
    cs_buf_free(&b);
}
END_TEST

START_TEST(test_csv_large_stream)
{
    csv_fixture f;
    cs_buf b = CS_BUF_INIT;
    char **fields;
    size_t n;
    long records = 0;

    for (int i = 0; i < 20000; i++)
        ck_assert_int_eq(cs_buf_printf(&b, "%d,\"text %d\nsecond line\"\r\n", i, i), 0);
    csv_open_bytes(&f, b.data, b.len, 64);
    while (cs_csv_next(f.csv, &fields, &n) == 1) {
        ck_assert_uint_eq(n, 2);
        ck_assert_int_eq(atoi(fields[0]), records);
        ck_assert_int_eq(cs_csv_line(f.csv), 1 + 2 * records);
        records++;
    }
    ck_assert_int_eq(records, 20000);
    csv_close(&f);
    cs_buf_free(&b);
}
END_TEST

/* ---- CSV: errors ---- */

START_TEST(test_csv_unterminated_quote)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "a,b\nc,d\ne,\"never closed\nstill open\n", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), 1);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), -1);
    ck_assert_ptr_null(fields);
    ck_assert_int_eq(cs_csv_line(f.csv), 3);
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "line 3"));
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "unterminated"));
    csv_close(&f);
}
END_TEST

START_TEST(test_csv_garbage_after_quote)
{
    csv_fixture f;
    char **fields;
    size_t n;

    csv_open_str(&f, "\"abc\"x,y\n", 0);
    ck_assert_int_eq(cs_csv_next(f.csv, &fields, &n), -1);
    ck_assert_ptr_nonnull(strstr(cs_csv_error(f.csv), "after closing quote"));
    csv_close(&f);

    ck_assert_ptr_null(cs_csv_open(NULL, 0));
    ck_assert_int_eq(cs_csv_next(NULL, &fields, &n), -1);
    cs_csv_free(NULL);
}
END_TEST

/* ---- JSON strings ---- */

static void
check_json(const char *in, const char *expect)
{
    cs_buf b = CS_BUF_INIT;

    ck_assert_int_eq(cs_buf_json_string(&b, in), 0);
    ck_assert_str_eq(b.data, expect);
    cs_buf_free(&b);
}

START_TEST(test_json_escapes)
{
    check_json("", "\"\"");
    check_json("plain text", "\"plain text\"");
    check_json("say \"hi\"", "\"say \\\"hi\\\"\"");
    check_json("C:\\dir", "\"C:\\\\dir\"");
    check_json("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
    check_json("\x01\x1f", "\"\\u0001\\u001f\"");
}
END_TEST

START_TEST(test_json_utf8)
{
    check_json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    check_json("bad \xFF byte", "\"bad \\ufffd byte\"");
    check_json("cut \xC3", "\"cut \\ufffd\"");                  /* truncated sequence */
    check_json("\xC0\xAF", "\"\\ufffd\\ufffd\"");                /* overlong */
    check_json("\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\"");     /* surrogate */
}
END_TEST

START_TEST(test_buf_basics)
{
    cs_buf b = CS_BUF_INIT;

    ck_assert_int_eq(cs_buf_puts(&b, "ab"), 0);
    ck_assert_int_eq(cs_buf_printf(&b, "%d-%s", 42, "x"), 0);
    ck_assert_str_eq(b.data, "ab42-x");
    ck_assert_uint_eq(b.len, 6);
    cs_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    cs_buf_free(&b);
    ck_assert_ptr_null(b.data);
    cs_buf_free(&b);                                 /* twice is fine */
}
END_TEST

/* A failed append marks the buffer until reset: a finished buffer that lost a piece is seen. */
START_TEST(test_buf_sticky_failure)
{
    cs_buf b = CS_BUF_INIT;
    char big[200];

    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(cs_buf_puts(&b, "first message"), 0);
    ck_assert_int_eq(cs_buf_failed(&b), 0);
    cs_buf_reset(&b);                         /* memory kept: data stays non-NULL */
    cs_buf_test_fail_allocation(1);
    ck_assert_int_eq(cs_buf_puts(&b, "MSH|"), 0);          /* fits: no allocation */
    ck_assert_int_eq(cs_buf_puts(&b, big), -1);            /* grows: the injected failure */
    ck_assert_int_eq(cs_buf_test_failures(), 1);
    ck_assert_str_eq(b.data, "MSH|");                      /* content unchanged */
    ck_assert_int_eq(cs_buf_puts(&b, "|end"), 0);          /* later pieces still fit ... */
    ck_assert_ptr_nonnull(b.data);
    ck_assert_int_eq(cs_buf_failed(&b), 1);                /* ... but the loss is remembered */
    ck_assert_int_eq(cs_buf_puts(&b, big), 0);             /* the knob fires once */
    ck_assert_int_eq(cs_buf_failed(&b), 1);
    cs_buf_reset(&b);
    ck_assert_int_eq(cs_buf_failed(&b), 0);

    /* printf and the JSON writer mark it too; free clears it */
    cs_buf_test_fail_allocation(1);
    ck_assert_int_eq(cs_buf_printf(&b, "%s%s", big, big), -1);
    ck_assert_int_eq(cs_buf_failed(&b), 1);
    cs_buf_free(&b);
    ck_assert_int_eq(cs_buf_failed(&b), 0);
    cs_buf_test_fail_allocation(2);
    ck_assert_int_eq(cs_buf_json_string(&b, "a"), 0);       /* allocation 1 */
    ck_assert_int_eq(cs_buf_json_string(&b, big), -1);      /* allocation 2 fails */
    ck_assert_int_eq(cs_buf_failed(&b), 1);
    cs_buf_test_fail_allocation(0);
    ck_assert_int_eq(cs_buf_test_failures(), 0);
    cs_buf_free(&b);
}
END_TEST

/* ---- private files ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/check_common.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    ck_assert_int_eq(lstat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
}

static char *read_file(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "r");
    size_t n;
    ck_assert_ptr_nonnull(fp);
    n = fread(buf, 1, len - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* Write text to path through the private-file helpers; 0 or -1 with err. */
static int write_private(const char *path, const char *text, char *err, size_t errlen)
{
    char tmp[256];
    int fd = cs_file_create_private(path, tmp, sizeof tmp, err, errlen);
    if (fd < 0)
        return -1;
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    ck_assert_int_eq(close(fd), 0);
    return cs_file_commit_private(tmp, path, err, errlen);
}

/* Folder 0700 and files 0600 under the usual umask 022, and under 0277 too. */
START_TEST(test_private_modes)
{
    char dir[128], path[160], err[CS_ERRLEN], buf[64];
    mode_t old;

    make_tmpdir();
    old = umask(022);
    snprintf(dir, sizeof dir, "%s/out", tmpdir);
    ck_assert_msg(cs_dir_make_private(dir, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(mode_of(dir), 0700);
    ck_assert_msg(cs_dir_make_private(dir, err, sizeof err) == 0, "again: %s", err);
    snprintf(path, sizeof path, "%s/a.ndjson", dir);
    ck_assert_msg(write_private(path, "one\n", err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(mode_of(path), 0600);
    ck_assert_str_eq(read_file(path, buf, sizeof buf), "one\n");
    /* an existing world-readable file is replaced by a private one */
    ck_assert_int_eq(chmod(path, 0644), 0);
    ck_assert_msg(write_private(path, "two\n", err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(mode_of(path), 0600);
    ck_assert_str_eq(read_file(path, buf, sizeof buf), "two\n");
    /* a umask that takes the owner's write bit does not change the modes either */
    umask(0277);
    snprintf(dir, sizeof dir, "%s/out2", tmpdir);
    ck_assert_msg(cs_dir_make_private(dir, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(mode_of(dir), 0700);
    snprintf(path, sizeof path, "%s/b", dir);
    ck_assert_msg(write_private(path, "three\n", err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(mode_of(path), 0600);
    umask(old);
    /* nothing left behind under a temporary name */
    snprintf(path, sizeof path, "test -z \"$(find '%s' -name '*.part-*')\"", tmpdir);
    ck_assert_int_eq(system(path), 0);
    remove_tmpdir();
}
END_TEST

/* A destination (file or folder) that is a symbolic link is refused; its target is untouched. */
START_TEST(test_private_refuses_links)
{
    char victim[128], link[128], dlink[128], path[160], tmp[256], err[CS_ERRLEN], buf[64];
    int fd;

    make_tmpdir();
    umask(022);
    snprintf(victim, sizeof victim, "%s/victim", tmpdir);
    snprintf(link, sizeof link, "%s/export.ndjson", tmpdir);
    write_file(victim, "keep me\n");
    ck_assert_int_eq(chmod(victim, 0644), 0);
    ck_assert_int_eq(symlink(victim, link), 0);

    ck_assert_int_eq(write_private(link, "patient data\n", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    ck_assert_str_eq(read_file(victim, buf, sizeof buf), "keep me\n");
    ck_assert_uint_eq(mode_of(victim), 0644);

    /* a link made while the file was being written: refused at the rename */
    snprintf(path, sizeof path, "%s/late.ndjson", tmpdir);
    fd = cs_file_create_private(path, tmp, sizeof tmp, err, sizeof err);
    ck_assert_msg(fd >= 0, "%s", err);
    ck_assert_int_eq(write(fd, "x", 1), 1);
    close(fd);
    ck_assert_int_eq(symlink(victim, path), 0);
    ck_assert_int_eq(cs_file_commit_private(tmp, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    ck_assert_int_ne(access(tmp, F_OK), 0);                /* the temporary file is gone */
    ck_assert_str_eq(read_file(victim, buf, sizeof buf), "keep me\n");

    /* a folder that is a link, and a destination that is a folder */
    snprintf(dlink, sizeof dlink, "%s/outdir", tmpdir);
    ck_assert_int_eq(symlink(tmpdir, dlink), 0);
    ck_assert_int_eq(cs_dir_make_private(dlink, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
    ck_assert_int_eq(cs_dir_make_private(victim, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a folder") != NULL, "%s", err);
    ck_assert_int_eq(write_private(tmpdir, "x", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
    remove_tmpdir();
}
END_TEST

/* ---- SHA-256 ---- */

START_TEST(test_sha256_known_digests)
{
    char hex[65];

    cs_sha256_hex("abc", 3, hex);
    ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cs_sha256_hex("", 0, hex);
    ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_sha256_streaming)
{
    const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    char one[65], parts[65];
    cs_sha256 *h = cs_sha256_new();

    ck_assert_ptr_nonnull(h);
    for (size_t i = 0, len = strlen(msg); i < len; i += 5)
        cs_sha256_update(h, msg + i, len - i < 5 ? len - i : 5);
    cs_sha256_final_hex(h, parts);
    cs_sha256_free(&h);
    ck_assert_ptr_null(h);
    cs_sha256_free(&h);
    cs_sha256_hex(msg, strlen(msg), one);
    ck_assert_str_eq(parts, one);
    ck_assert_str_eq(one, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

static Suite *
common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc;

    tc = tcase_create("csv core");
    tcase_add_test(tc, test_csv_plain_and_quoted);
    tcase_add_test(tc, test_csv_embedded_newlines_and_line_numbers);
    tcase_add_test(tc, test_csv_crlf_bom_and_blank_lines);
    tcase_add_test(tc, test_csv_not_a_bom);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv limits");
    tcase_add_test(tc, test_csv_field_length_limit);
    tcase_add_test(tc, test_csv_field_count_limit);
    tcase_add_test(tc, test_csv_large_stream);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv errors");
    tcase_add_test(tc, test_csv_unterminated_quote);
    tcase_add_test(tc, test_csv_garbage_after_quote);
    suite_add_tcase(s, tc);

    tc = tcase_create("buf and json");
    tcase_add_test(tc, test_json_escapes);
    tcase_add_test(tc, test_json_utf8);
    tcase_add_test(tc, test_buf_basics);
    tcase_add_test(tc, test_buf_sticky_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("private files");
    tcase_add_test(tc, test_private_modes);
    tcase_add_test(tc, test_private_refuses_links);
    suite_add_tcase(s, tc);

    tc = tcase_create("sha256");
    tcase_add_test(tc, test_sha256_known_digests);
    tcase_add_test(tc, test_sha256_streaming);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(common_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

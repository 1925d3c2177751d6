/*
 * check_review.c — the review station (issue 6).
 *
 *   passwords, tokens, validation, images   pure functions, no database
 *   store                                   sessions, throttle, leases and actions
 *                                           against a real PostgreSQL
 *   http                                    the server in this process, spoken to over
 *                                           a socket: 401 without a session, 403 without
 *                                           the CSRF token, 400 on malformed input; the
 *                                           Cookie header as libmicrohttpd reads it; every
 *                                           file of review/assets/ served byte for byte
 *   browser                                 Debian's chromium driven by playwright-core
 *                                           (tests/e2e/review.e2e.js): log in, queue,
 *                                           change a patient, confirm, split; then the
 *                                           database and the audit rows are checked;
 *                                           keystrokes.e2e.js counts the keys and
 *                                           seconds a preselected document takes
 *
 * The fixture processes a generated sample batch with the chartscan binary
 * once, in main(), before any test runs.  CS_REVIEW_UNIT_ONLY=1 runs the
 * pure tests only (e.g. under valgrind, quickly).
 */
#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
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
#include "review/review_internal.h"
#include "tests/harness.h"

#define PASSWORD "correct horse battery"

static th_env env;
static cs_review_server *server;
static int port;
static long long doc_patient, doc_confirm, doc_split, doc_other, patient_id;
static char patient_mrn[32], patient_last[64], out_dir[700];

/* ---- passwords ---- */

START_TEST(test_password_hash_and_verify)
{
    char h1[128], h2[128], err[CS_ERRLEN];

    ck_assert_int_eq(cs_review_password_hash(PASSWORD, h1, err, sizeof err), 0);
    ck_assert_int_eq(strncmp(h1, "$argon2id$", 10), 0);
    ck_assert_int_eq(cs_review_password_verify(h1, PASSWORD), 1);
    ck_assert_int_eq(cs_review_password_verify(h1, "correct horse battery "), 0);
    ck_assert_int_eq(cs_review_password_verify(h1, ""), 0);
    /* salted: the same password never hashes the same */
    ck_assert_int_eq(cs_review_password_hash(PASSWORD, h2, err, sizeof err), 0);
    ck_assert_str_ne(h1, h2);
    ck_assert_int_eq(cs_review_password_verify(h2, PASSWORD), 1);
}
END_TEST

START_TEST(test_password_limits)
{
    char h[128], err[CS_ERRLEN], big[400];

    ck_assert_int_eq(cs_review_password_hash("short", h, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "8 to 256"));
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(cs_review_password_hash(big, h, err, sizeof err), -1);
    ck_assert_int_eq(cs_review_password_hash(NULL, h, err, sizeof err), -1);
    /* malformed or foreign hashes never verify */
    ck_assert_int_eq(cs_review_password_verify("", PASSWORD), 0);
    ck_assert_int_eq(cs_review_password_verify("$argon2id$v=19$garbage", PASSWORD), 0);
    ck_assert_int_eq(cs_review_password_verify("$2b$10$abcdefghijklmnopqrstuv", PASSWORD), 0);
    ck_assert_int_eq(cs_review_password_verify(NULL, PASSWORD), 0);
}
END_TEST

START_TEST(test_password_read_from_stdin)
{
    char buf[CS_REVIEW_PASSWORD_MAX + 2], err[CS_ERRLEN];
    FILE *in = fmemopen((char *)"s3cret pass\r\nnext line\n", 22, "r");
    FILE *out = fopen("/dev/null", "w");

    ck_assert_int_eq(cs_review_read_password(in, out, 1, buf, sizeof buf, err, sizeof err), 11);
    ck_assert_str_eq(buf, "s3cret pass");
    fclose(in);
    in = fmemopen((char *)"", 1, "r");
    fgetc(in);
    ck_assert_int_eq(cs_review_read_password(in, out, 1, buf, sizeof buf, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no password"));
    fclose(in);
    fclose(out);
}
END_TEST

/* ---- tokens, CSRF, cookies ---- */

START_TEST(test_tokens)
{
    char a[65], b[65], ha[65], ha2[65];

    ck_assert_int_eq(cs_review_token_new(a), 0);
    ck_assert_int_eq(cs_review_token_new(b), 0);
    ck_assert_uint_eq(strlen(a), 64);
    ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 64);
    ck_assert_str_ne(a, b);
    cs_review_token_hash(a, ha);
    cs_review_token_hash(a, ha2);
    ck_assert_str_eq(ha, ha2);
    ck_assert_str_ne(ha, a);
    ck_assert_uint_eq(strlen(ha), 64);
    /* SHA-256 of "abc", the standard's own example */
    cs_review_token_hash("abc", ha);
    ck_assert_str_eq(ha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_csrf)
{
    char t[65];
    cs_review_token_new(t);
    ck_assert_int_eq(cs_review_csrf_valid(t, t), 1);
    ck_assert_int_eq(cs_review_csrf_valid(t, NULL), 0);
    ck_assert_int_eq(cs_review_csrf_valid(t, ""), 0);
    ck_assert_int_eq(cs_review_csrf_valid("", ""), 0);
    ck_assert_int_eq(cs_review_csrf_valid(NULL, NULL), 0);
    ck_assert_int_eq(cs_review_csrf_valid(t, "abc"), 0);
    {
        char other[65];
        memcpy(other, t, 65);
        other[63] = other[63] == '0' ? '1' : '0';
        ck_assert_int_eq(cs_review_csrf_valid(t, other), 0);
    }
}
END_TEST

START_TEST(test_cookie_token)
{
    char v[80];
    /* the value libmicrohttpd parsed from the Cookie header (MHD_COOKIE_KIND) */
    ck_assert_int_eq(cs_review_cookie_token("abc123", v, sizeof v), 1);
    ck_assert_str_eq(v, "abc123");
    ck_assert_int_eq(cs_review_cookie_token("beef  ", v, sizeof v), 1);
    ck_assert_str_eq(v, "beef");
    ck_assert_int_eq(cs_review_cookie_token("", v, sizeof v), 0);
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(cs_review_cookie_token("   ", v, sizeof v), 0);
    ck_assert_int_eq(cs_review_cookie_token("' OR 1=1", v, sizeof v), 0);
    ck_assert_int_eq(cs_review_cookie_token("beef; b=2", v, sizeof v), 0);
    ck_assert_int_eq(cs_review_cookie_token("BEEF", v, sizeof v), 0);
    ck_assert_int_eq(cs_review_cookie_token(NULL, v, sizeof v), 0);
    ck_assert_int_eq(cs_review_cookie_token("abcdef", v, 4), 0);
    ck_assert_int_eq(cs_review_cookie_token("abc", v, 4), 1);
    ck_assert_str_eq(v, "abc");
}
END_TEST

/* ---- validation ---- */

START_TEST(test_ids_and_numbers)
{
    long long id;
    int n;
    ck_assert_int_eq(cs_review_parse_id("42", &id), 0);
    ck_assert_int_eq(id, 42);
    ck_assert_int_eq(cs_review_parse_id("d-7", &id), 0);
    ck_assert_int_eq(id, 7);
    ck_assert_int_eq(cs_review_parse_id("0", &id), -1);
    ck_assert_int_eq(cs_review_parse_id("-1", &id), -1);
    ck_assert_int_eq(cs_review_parse_id("", &id), -1);
    ck_assert_int_eq(cs_review_parse_id("4a", &id), -1);
    ck_assert_int_eq(cs_review_parse_id("1 OR 1=1", &id), -1);
    ck_assert_int_eq(cs_review_parse_id("1234567890123456789", &id), -1);
    ck_assert_int_eq(cs_review_parse_id(NULL, &id), -1);
    ck_assert_int_eq(cs_review_parse_int("5", 1, 10, &n), 0);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(cs_review_parse_int("-1", -1, 1, &n), 0);
    ck_assert_int_eq(n, -1);
    ck_assert_int_eq(cs_review_parse_int("11", 1, 10, &n), -1);
    ck_assert_int_eq(cs_review_parse_int("99999999999", 1, 10, &n), -1);
    ck_assert_int_eq(cs_review_parse_int("1.5", 1, 10, &n), -1);
    ck_assert_int_eq(cs_review_parse_int("-", -1, 1, &n), -1);
}
END_TEST

START_TEST(test_text_and_names)
{
    ck_assert_int_eq(cs_review_text_ok("O'Hara, Kate", 100), 1);
    ck_assert_int_eq(cs_review_text_ok("Müller-Lüdenscheidt", 100), 1);
    ck_assert_int_eq(cs_review_text_ok("", 100), 0);
    ck_assert_int_eq(cs_review_text_ok("a\nb", 100), 0);
    ck_assert_int_eq(cs_review_text_ok("a\x7f", 100), 0);
    ck_assert_int_eq(cs_review_text_ok("\xc3\x28", 100), 0);         /* bad continuation */
    ck_assert_int_eq(cs_review_text_ok("\xc0\xaf", 100), 0);         /* overlong */
    ck_assert_int_eq(cs_review_text_ok("\xed\xa0\x80", 100), 0);     /* surrogate */
    ck_assert_int_eq(cs_review_text_ok("abcdef", 5), 0);
    ck_assert_int_eq(cs_review_user_name_ok("alice.m_2-x"), 1);
    ck_assert_int_eq(cs_review_user_name_ok("bad name"), 0);
    ck_assert_int_eq(cs_review_user_name_ok(""), 0);
    ck_assert_int_eq(cs_review_user_name_ok("x'; DROP TABLE audit; --"), 0);
}
END_TEST

START_TEST(test_form_fields)
{
    char v[32];
    ck_assert_int_eq(cs_review_form_get("a=1&name=J%C3%BCrgen+K&b=2", "name", v, sizeof v), 1);
    ck_assert_str_eq(v, "J\xc3\xbcrgen K");
    ck_assert_int_eq(cs_review_form_get("page=3", "pag", v, sizeof v), 0);
    ck_assert_int_eq(cs_review_form_get("page=3", "page", v, sizeof v), 1);
    ck_assert_str_eq(v, "3");
    ck_assert_int_eq(cs_review_form_get("reason", "reason", v, sizeof v), 1);
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(cs_review_form_get("x=%zz", "x", v, sizeof v), -1);
    ck_assert_int_eq(cs_review_form_get("x=%4", "x", v, sizeof v), -1);
    ck_assert_int_eq(cs_review_form_get("x=a%00b", "x", v, sizeof v), -1);
    ck_assert_int_eq(cs_review_form_get("x=0123456789012345678901234567890123456789", "x", v,
                                        sizeof v), -1);
    ck_assert_int_eq(cs_review_form_get(NULL, "x", v, sizeof v), 0);
}
END_TEST

/* ---- page images ---- */

START_TEST(test_page_png)
{
    PIX *pix = pixCreate(1000, 1400, 1);
    l_uint8 *tiff = NULL;
    size_t tlen = 0, plen = 0;
    unsigned char *png = NULL;
    char err[CS_ERRLEN];
    PIX *back;

    pixRasterop(pix, 100, 100, 800, 40, PIX_SET, NULL, 0, 0);
    ck_assert_int_eq(pixWriteMemTiff(&tiff, &tlen, pix, IFF_TIFF_G4), 0);
    ck_assert_int_eq(cs_review_page_png(tiff, tlen, 500, &png, &plen, err, sizeof err), 0);
    ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
    back = pixReadMem(png, plen);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(pixGetWidth(back), 500);
    ck_assert_int_eq(pixGetHeight(back), 700);
    pixDestroy(&back);
    free(png);
    /* garbage is an error, not a crash */
    ck_assert_int_eq(cs_review_page_png((const unsigned char *)"II*\0garbage", 11, 500, &png,
                                        &plen, err, sizeof err), -1);
    ck_assert_ptr_null(png);
    ck_assert_int_eq(cs_review_page_png(tiff, tlen / 3, 500, &png, &plen, err, sizeof err), -1);
    ck_assert_ptr_null(png);
    lept_free(tiff);
    pixDestroy(&pix);
}
END_TEST

/* ---- against the database ---- */

static cs_store *open_store(void)
{
    char err[CS_ERRLEN];
    cs_store *s = NULL;
    ck_assert_msg(cs_store_open(&s, err, sizeof err) == 0, "%s", err);
    return s;
}

START_TEST(test_sessions)
{
    cs_store *s = open_store();
    char err[CS_ERRLEN], token[65], hash[65], csrf[65];
    cs_review_user u;
    cs_review_who who;
    PGconn *c = th_connect(&env);

    ck_assert_int_eq(cs_review_store_user_get(s, "alice", &u, err, sizeof err), 1);
    ck_assert_int_eq(cs_review_password_verify(u.password_hash, PASSWORD), 1);
    ck_assert_int_eq(cs_review_store_user_get(s, "nobody", &u, err, sizeof err), 0);
    ck_assert_int_eq(cs_review_store_user_get(s, "alice", &u, err, sizeof err), 1);
    cs_review_token_new(token);
    cs_review_token_new(csrf);
    cs_review_token_hash(token, hash);
    ck_assert_int_eq(cs_review_store_session_create(s, u.id, hash, csrf, 60, err, sizeof err), 0);
    /* the token itself is nowhere in the database, only its hash */
    {
        char q[256];
        snprintf(q, sizeof q, "SELECT count(*) FROM review_session WHERE token_hash = '%s'", token);
        ck_assert_int_eq(th_long(c, q), 0);
        snprintf(q, sizeof q, "SELECT count(*) FROM review_session WHERE token_hash = '%s'", hash);
        ck_assert_int_eq(th_long(c, q), 1);
    }
    ck_assert_int_eq(cs_review_store_session_get(s, hash, 60, 3600, &who, err, sizeof err), 1);
    ck_assert_str_eq(who.name, "alice");
    ck_assert_str_eq(who.role, "reviewer");
    ck_assert_str_eq(who.csrf, csrf);
    /* an unknown token, an idle-expired session, a too-old session */
    ck_assert_int_eq(cs_review_store_session_get(s, token, 60, 3600, &who, err, sizeof err), 0);
    PQclear(PQexec(c, "UPDATE review_session SET expires_at = now() - interval '1 s'"));
    ck_assert_int_eq(cs_review_store_session_get(s, hash, 60, 3600, &who, err, sizeof err), 0);
    PQclear(PQexec(c, "UPDATE review_session SET expires_at = now() + interval '1 h',"
                      " created_at = now() - interval '2 h'"));
    ck_assert_int_eq(cs_review_store_session_get(s, hash, 60, 3600, &who, err, sizeof err), 0);
    ck_assert_int_eq(cs_review_store_session_get(s, hash, 60, 3 * 3600, &who, err, sizeof err), 1);
    /* logout */
    ck_assert_int_eq(cs_review_store_session_delete(s, hash, err, sizeof err), 0);
    ck_assert_int_eq(cs_review_store_session_get(s, hash, 60, 3 * 3600, &who, err, sizeof err), 0);
    PQfinish(c);
    cs_store_close(&s);
}
END_TEST

START_TEST(test_users_add)
{
    cs_store *s = open_store();
    char err[CS_ERRLEN];
    FILE *out = fopen("/dev/null", "w");
    FILE *in = fmemopen((char *)"another password\n", 17, "r");

    ck_assert_int_eq(cs_review_users_add(s, "alice", "reviewer", in, out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "already exists"));
    fclose(in);
    in = fmemopen((char *)"another password\n", 17, "r");
    ck_assert_int_eq(cs_review_users_add(s, "bad name", "reviewer", in, out, err, sizeof err), -1);
    ck_assert_int_eq(cs_review_users_add(s, "dora", "superuser", in, out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "reviewer or admin"));
    ck_assert_int_eq(cs_review_users_add(s, "dora", "admin", in, out, err, sizeof err), 0);
    fclose(in);
    fclose(out);
    cs_store_close(&s);
}
END_TEST

START_TEST(test_throttle)
{
    cs_store *s = open_store();
    char err[CS_ERRLEN];

    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(cs_review_store_throttle_fail(s, "user:test-throttle", 3, 300, err,
                                                       sizeof err), 0);
        ck_assert_int_eq(cs_review_store_throttle_wait(s, "user:test-throttle", err, sizeof err), 0);
    }
    /* past the free failures the wait grows: 1 s, 2 s, 4 s, 8 s */
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(cs_review_store_throttle_fail(s, "user:test-throttle", 3, 300, err,
                                                       sizeof err), 0);
    ck_assert_int_ge(cs_review_store_throttle_wait(s, "user:test-throttle", err, sizeof err), 7);
    ck_assert_int_le(cs_review_store_throttle_wait(s, "user:test-throttle", err, sizeof err), 8);
    ck_assert_int_eq(cs_review_store_throttle_clear(s, "user:test-throttle", err, sizeof err), 0);
    ck_assert_int_eq(cs_review_store_throttle_wait(s, "user:test-throttle", err, sizeof err), 0);
    cs_store_close(&s);
}
END_TEST

START_TEST(test_leases)
{
    cs_store *s = open_store();
    char err[CS_ERRLEN], holder[CS_REVIEW_NAME_MAX + 1];
    cs_review_action a = {CS_REVIEW_CHANGE_TYPE, doc_other, "bob", "letter", 0, 0, NULL};

    ck_assert_int_eq(cs_review_store_claim(s, doc_other, "bob", 1, holder, err, sizeof err), 1);
    ck_assert_int_eq(cs_review_store_claim(s, doc_other, "dora", 900, holder, err, sizeof err),
                     CS_REVIEW_CONFLICT);
    ck_assert_str_eq(holder, "bob");
    /* dora cannot act on it; bob can */
    a.user = "dora";
    ck_assert_int_eq(cs_review_store_act(s, &a, NULL, err, sizeof err), CS_REVIEW_CONFLICT);
    a.user = "bob";
    ck_assert_msg(cs_review_store_act(s, &a, NULL, err, sizeof err) == 0, "%s", err);
    /* the lease lapses on its own */
    usleep(1200 * 1000);
    ck_assert_int_eq(cs_review_store_claim(s, doc_other, "dora", 900, holder, err, sizeof err), 1);
    ck_assert_int_eq(cs_review_store_release(s, doc_other, "dora", err, sizeof err), 0);
    ck_assert_int_eq(cs_review_store_claim(s, 99999999, "dora", 900, holder, err, sizeof err),
                     CS_REVIEW_BAD);
    cs_store_close(&s);
}
END_TEST

/* ---- over HTTP ---- */

typedef struct reply {
    int status;
    char *text;      /* headers and body */
} reply;

static reply http(const char *method, const char *path, const char *headers, const char *body)
{
    reply r;
    r.status = th_http(port, method, path, headers, body, &r.text);
    return r;
}

/* Log in as user over HTTP: the Cookie header line and the CSRF token. */
static void login(const char *user, const char *password, char cookie[128], char csrf[80])
{
    char body[200];
    reply r;
    const char *c;

    snprintf(body, sizeof body, "name=%s&password=%s", user, password);
    r = http("POST", "/api/login", "X-Requested-With: chartscan\r\n", body);
    ck_assert_msg(r.status == 200, "login: %s", r.text);
    c = strstr(r.text, "Set-Cookie: cs_session=");
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(strstr(c, "HttpOnly"));
    ck_assert_ptr_nonnull(strstr(c, "SameSite=Strict"));
    snprintf(cookie, 128, "Cookie: %.*s\r\n", 75, c + 12);
    free(r.text);
    {
        char hdr[160];
        snprintf(hdr, sizeof hdr, "%s", cookie);
        r = http("GET", "/api/me", hdr, NULL);
        ck_assert_int_eq(r.status, 200);
        c = strstr(r.text, "\"csrf\":\"");
        ck_assert_ptr_nonnull(c);
        snprintf(csrf, 80, "%.64s", c + 8);
        free(r.text);
    }
}

#define EXPECT(method, path, headers, body, code)                                 \
    do {                                                                          \
        reply r_ = http(method, path, headers, body);                            \
        ck_assert_msg(r_.status == (code), "%s %s gave %d, expected %d: %s",     \
                      method, path, r_.status, code, r_.text);                    \
        free(r_.text);                                                            \
    } while (0)

START_TEST(test_http_unauthenticated)
{
    reply r = http("GET", "/queue", NULL, NULL);
    ck_assert_int_eq(r.status, 303);
    ck_assert_ptr_nonnull(strstr(r.text, "Location: /login"));
    free(r.text);
    EXPECT("GET", "/api/queue", NULL, NULL, 401);
    EXPECT("GET", "/api/documents/1", NULL, NULL, 401);
    EXPECT("GET", "/api/documents/1/pages/1.png", NULL, NULL, 401);
    EXPECT("POST", "/api/documents/1/confirm", NULL, "", 401);
    EXPECT("GET", "/api/queue", "Cookie: cs_session=0000000000000000000000000000000000000000000000000000000000000000\r\n", NULL, 401);
    r = http("GET", "/login", NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.text, "Content-Security-Policy: default-src 'self'"));
    free(r.text);
    EXPECT("GET", "/static/app.css", NULL, NULL, 200);
    EXPECT("DELETE", "/api/queue", NULL, NULL, 405);
}
END_TEST

START_TEST(test_http_login_refusals)
{
    PGconn *c = th_connect(&env);
    reply r;

    /* no X-Requested-With: a cross-site form could have sent it */
    EXPECT("POST", "/api/login", NULL, "name=alice&password=" PASSWORD, 403);
    EXPECT("POST", "/api/login", "X-Requested-With: chartscan\r\n", "name=alice&password=nope-nope", 401);
    EXPECT("POST", "/api/login", "X-Requested-With: chartscan\r\n", "name=nobody&password=nope-nope", 401);
    EXPECT("POST", "/api/login", "X-Requested-With: chartscan\r\n", "name=bad%20name&password=x", 400);
    EXPECT("POST", "/api/login", "X-Requested-With: chartscan\r\n", "password=x", 400);
    /* a throttled name (from this address) is refused without looking at the password */
    PQclear(PQexec(c, "INSERT INTO login_throttle (key, failures, next_allowed)"
                      " VALUES ('user:alice@127.0.0.1', 9, now() + interval '1 hour') ON CONFLICT (key)"
                      " DO UPDATE SET next_allowed = EXCLUDED.next_allowed"));
    r = http("POST", "/api/login", "X-Requested-With: chartscan\r\n", "name=alice&password=" PASSWORD);
    ck_assert_int_eq(r.status, 429);
    ck_assert_ptr_nonnull(strstr(r.text, "Retry-After: "));
    free(r.text);
    PQclear(PQexec(c, "DELETE FROM login_throttle"));
    PQfinish(c);
}
END_TEST

START_TEST(test_http_csrf_and_validation)
{
    char cookie[128], csrf[80], h[300], path[200];

    login("bob", PASSWORD, cookie, csrf);
    /* the session's cookie alone is not enough to change anything */
    snprintf(path, sizeof path, "/api/documents/%lld/claim", doc_other);
    EXPECT("POST", path, cookie, "", 403);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %.63s0\r\n", cookie, csrf);
    if (csrf[63] == '0')
        h[strlen(h) - 3] = '1';
    EXPECT("POST", path, h, "", 403);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\nOrigin: http://evil.example\r\n", cookie, csrf);
    EXPECT("POST", path, h, "", 403);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\n", cookie, csrf);
    EXPECT("POST", path, h, "", 200);
    /* malformed requests: 400 with a message, never a crash */
    EXPECT("GET", "/api/documents/abc", cookie, NULL, 400);
    EXPECT("GET", "/api/documents/0", cookie, NULL, 400);
    EXPECT("GET", "/api/documents/99999999999999999999", cookie, NULL, 400);
    EXPECT("GET", "/api/documents/99999999", cookie, NULL, 404);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/x.png", doc_other);
    EXPECT("GET", path, cookie, NULL, 400);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/1.png?w=5", doc_other);
    EXPECT("GET", path, cookie, NULL, 400);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/999.png", doc_other);
    EXPECT("GET", path, cookie, NULL, 404);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/1.png?w=300", doc_other);
    {
        reply r = http("GET", path, cookie, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(r.text, "Content-Type: image/png"));
        free(r.text);
    }
    EXPECT("GET", "/api/patients?q=%01%02", cookie, NULL, 400);
    EXPECT("GET", "/api/patients?q=a", cookie, NULL, 400);
    EXPECT("GET", "/api/patients?q=%27%3B%20DROP%20TABLE%20patient%3B--", cookie, NULL, 200);
    EXPECT("GET", "/api/patients?q=1950-02-30", cookie, NULL, 200);
    EXPECT("GET", "/api/queue?batch=x", cookie, NULL, 400);
    EXPECT("GET", "/api/queue?offset=-4", cookie, NULL, 400);
    EXPECT("GET", "/api/queue?reason=%ff", cookie, NULL, 400);
    snprintf(path, sizeof path, "/api/documents/%lld/next?dir=7", doc_other);
    EXPECT("GET", path, cookie, NULL, 400);
    snprintf(path, sizeof path, "/api/documents/%lld/split", doc_other);
    EXPECT("POST", path, h, "page=abc", 400);
    EXPECT("POST", path, h, "page=0", 400);
    snprintf(path, sizeof path, "/api/documents/%lld/patient", doc_other);
    EXPECT("POST", path, h, "patient_id=1%20OR%201=1", 400);
    EXPECT("POST", path, h, "patient_id=99999999", 400);
    snprintf(path, sizeof path, "/api/documents/%lld/reject", doc_other);
    EXPECT("POST", path, h, "reason=", 400);
    snprintf(path, sizeof path, "/api/documents/%lld/frobnicate", doc_other);
    EXPECT("POST", path, h, "", 404);
    {
        /* a body over the limit */
        size_t big = 20000;
        char *body = malloc(big + 1);
        memset(body, 'a', big);
        body[big] = '\0';
        snprintf(path, sizeof path, "/api/documents/%lld/reject", doc_other);
        EXPECT("POST", path, h, body, 413);
        free(body);
    }
    snprintf(path, sizeof path, "/api/documents/%lld/release", doc_other);
    EXPECT("POST", path, h, "", 200);
    /* logout ends the session */
    EXPECT("POST", "/api/logout", h, "", 200);
    EXPECT("GET", "/api/queue", cookie, NULL, 401);
}
END_TEST

/*
 * The Cookie header is read by libmicrohttpd: the session cookie among
 * others, in the quoted form RFC 6265 allows, and never a cookie whose name
 * only ends in cs_session.
 */
START_TEST(test_http_cookie_header)
{
    char cookie[128], csrf[80], h[300], token[80];

    login("bob", PASSWORD, cookie, csrf);
    ck_assert_int_eq(sscanf(cookie, "Cookie: cs_session=%64[0-9a-f]", token), 1);
    ck_assert_uint_eq(strlen(token), 64);
    snprintf(h, sizeof h, "Cookie: theme=dark; cs_session=%s; lang=en\r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 200);
    snprintf(h, sizeof h, "Cookie: cs_session=\"%s\"\r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 200);
    snprintf(h, sizeof h, "Cookie: cs_session=%s \r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 200);
    snprintf(h, sizeof h, "Cookie: xcs_session=%s\r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 401);
    snprintf(h, sizeof h, "Cookie: cs_session=%.63sg\r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 401);
    snprintf(h, sizeof h, "Cookie: cs_session=; other=%s\r\n", token);
    EXPECT("GET", "/api/me", h, NULL, 401);
    EXPECT("GET", "/api/me", "Cookie: cs_session\r\n", NULL, 401);
    /* logging out with the cookie among others ends that session */
    snprintf(h, sizeof h, "Cookie: a=1; cs_session=%s\r\nX-CSRF-Token: %s\r\n", token, csrf);
    EXPECT("POST", "/api/logout", h, "", 200);
    EXPECT("GET", "/api/me", cookie, NULL, 401);
}
END_TEST

/*
 * Every file of review/assets/ is served as it is: NAME.html at /NAME (the
 * document page at /document/ID), NAME.css and NAME.js under /static/, with
 * their content types, byte for byte.
 */
START_TEST(test_http_assets_are_the_files)
{
    char cookie[128], csrf[80], dir[700], file[1000], path[300], want[100];
    struct dirent *d;
    DIR *dh;
    int served = 0, pages = 0;

    login("bob", PASSWORD, cookie, csrf);
    snprintf(dir, sizeof dir, "%s/review/assets", env.root);
    dh = opendir(dir);
    ck_assert_msg(dh != NULL, "no folder %s", dir);
    while ((d = readdir(dh)) != NULL) {
        const char *dot = strrchr(d->d_name, '.');
        size_t len, blen;
        char *bytes;
        const char *body, *ct;
        reply r;

        if (d->d_name[0] == '.' || !dot)
            continue;
        if (!strcmp(dot, ".html")) {
            int nlen = (int)(dot - d->d_name);
            if (!strncmp(d->d_name, "document", (size_t)nlen) && nlen == 8)
                snprintf(path, sizeof path, "/document/%lld", doc_other);
            else
                snprintf(path, sizeof path, "/%.*s", nlen, d->d_name);
            snprintf(want, sizeof want, "text/html; charset=utf-8");
            pages++;
        } else if (!strcmp(dot, ".css") || !strcmp(dot, ".js")) {
            snprintf(path, sizeof path, "/static/%s", d->d_name);
            snprintf(want, sizeof want, "%s; charset=utf-8",
                     dot[1] == 'c' ? "text/css" : "text/javascript");
        } else {
            continue;   /* not served (a README, say) */
        }
        snprintf(file, sizeof file, "%s/%s", dir, d->d_name);
        bytes = th_slurp(file, &len);
        ck_assert_ptr_nonnull(bytes);
        r = http("GET", path, cookie, NULL);
        ck_assert_msg(r.status == 200, "GET %s gave %d", path, r.status);
        ct = strstr(r.text, "Content-Type: ");
        ck_assert_ptr_nonnull(ct);
        ck_assert_msg(!strncmp(ct + 14, want, strlen(want)) && ct[14 + strlen(want)] == '\r',
                      "GET %s: %.60s, expected %s", path, ct, want);
        body = strstr(r.text, "\r\n\r\n");
        ck_assert_ptr_nonnull(body);
        body += 4;
        blen = strlen(body);
        ck_assert_msg(blen == len && !memcmp(body, bytes, len),
                      "GET %s: %zu bytes served, %s has %zu (or they differ)", path, blen,
                      d->d_name, len);
        free(r.text);
        free(bytes);
        served++;
    }
    closedir(dh);
    /* the three pages, the style sheet and four scripts at least */
    ck_assert_int_ge(pages, 3);
    ck_assert_int_ge(served, 8);
    EXPECT("GET", "/static/nothing.js", cookie, NULL, 404);
    EXPECT("GET", "/static/", cookie, NULL, 404);
}
END_TEST

/* ---- the dashboard ---- */

/*
 * A batch with known figures (once): 10 pages, 4 pending, 3 finished in the
 * last hour (3 earlier): 3 pages an hour, ETA 80 minutes; 6 current
 * documents, 3 filed automatically (50%), 1 by a reviewer, 2 in review
 * ("no MRN found" twice, "document type uncertain" once) and a superseded
 * auto-filed one that does not count; reviewer carol viewed, confirmed,
 * viewed after a pause and rejected: the first action and the one after the
 * pause count as 5 minutes each: 2 decisions in 5 + 2 + 5 + 1 = 13 minutes,
 * 9.2 documents a reviewer-hour.  Its id.
 */
static long long dashboard_batch(PGconn *c)
{
    static const char *const sql[] = {
        "INSERT INTO batch (name, sha256, size_bytes, chunk_bytes, status)"
        " VALUES ('dash.zip', 'dash', 1, 1, 'unpacked')",
        "INSERT INTO source_file (batch_id, entry_index, path, status, page_count)"
        " SELECT id, 0, 'dash.tif', 'pages', 10 FROM batch WHERE name = 'dash.zip'",
        "INSERT INTO page (file_id, page_no, status, finished_at)"
        " SELECT f.id, n, CASE WHEN n <= 4 THEN 'pending' ELSE 'done' END,"
        "  CASE WHEN n <= 4 THEN NULL WHEN n <= 7 THEN now() - interval '10 min'"
        "       ELSE now() - interval '2 hours' END"
        " FROM source_file f, generate_series(1, 10) n WHERE f.path = 'dash.tif'",
        "INSERT INTO document (batch_id, file_id, first_page, last_page, page_count, status,"
        " filed_by, review_reasons, superseded_at)"
        " SELECT f.batch_id, f.id, n, n, 1, d.status, d.by, d.reasons, d.sup"
        " FROM source_file f, (VALUES (5, 'filed', 'auto', NULL::text[], NULL::timestamptz),"
        "  (6, 'filed', 'auto', NULL, NULL), (7, 'filed', 'auto', NULL, NULL),"
        "  (8, 'filed', 'carol', NULL, NULL),"
        "  (9, 'review', NULL, ARRAY['no MRN found', 'document type uncertain'], NULL),"
        "  (10, 'review', NULL, ARRAY['no MRN found'], NULL),"
        "  (5, 'filed', 'auto', NULL, now())) d(n, status, by, reasons, sup)"
        " WHERE f.path = 'dash.tif'",
        "INSERT INTO review_user (name, role, password_hash) VALUES ('carol', 'reviewer', 'x')",
        "INSERT INTO audit (at, actor, action, object_kind, object_id)"
        " SELECT now() - interval '30 min' + e.m * interval '1 min', e.actor, e.action,"
        "  'document', d.id::text FROM (VALUES (0, 'carol', 'view', 8), (2, 'carol', 'confirm', 8),"
        "  (10, 'carol', 'view', 9), (11, 'carol', 'reject', 9), (12, 'system', 'confirm', 9))"
        "  e(m, actor, action, page)"
        " JOIN document d ON d.first_page = e.page AND d.superseded_at IS NULL"
        " JOIN source_file f ON f.id = d.file_id AND f.path = 'dash.tif'",
    };
    long long id = th_long(c, "SELECT coalesce(max(id), 0) FROM batch WHERE name = 'dash.zip'");

    if (id > 0)
        return id;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        PGresult *r = PQexec(c, sql[i]);
        ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql[i],
                      PQresultErrorMessage(r));
        PQclear(r);
    }
    return th_long(c, "SELECT id FROM batch WHERE name = 'dash.zip'");
}

/* GET /api/dashboard as user, parsed. */
static json_t *get_dashboard(const char *cookie)
{
    reply r = http("GET", "/api/dashboard", cookie, NULL);
    const char *body = strstr(r.text, "\r\n\r\n");
    json_error_t je;
    json_t *j;

    ck_assert_msg(r.status == 200, "GET /api/dashboard: %s", r.text);
    ck_assert_ptr_nonnull(body);
    j = json_loads(body + 4, 0, &je);
    ck_assert_msg(j != NULL, "the dashboard's JSON: %s", je.text);
    free(r.text);
    return j;
}

static json_t *batch_figures(json_t *d, long long id)
{
    json_t *b;
    size_t i;

    json_array_foreach(json_object_get(json_object_get(d, "figures"), "batches"), i, b)
        if (json_integer_value(json_object_get(b, "id")) == id)
            return b;
    ck_abort_msg("batch %lld is not on the dashboard", id);
    return NULL;
}

#define NUM(o, k) json_number_value(json_object_get((o), (k)))

START_TEST(test_http_dashboard)
{
    char cookie[128], csrf[80];
    PGconn *c = th_connect(&env);
    long long id = dashboard_batch(c);
    json_t *d, *b, *o, *qa;
    int has_qa = th_long(c, "SELECT (to_regclass('qa_sample') IS NOT NULL)::int") == 1;

    EXPECT("GET", "/api/dashboard", NULL, NULL, 401);
    login("bob", PASSWORD, cookie, csrf);
    d = get_dashboard(cookie);
    b = batch_figures(d, id);
    ck_assert_double_eq(NUM(b, "pages"), 10);
    ck_assert_double_eq(NUM(b, "pending_pages"), 4);
    ck_assert_double_eq(NUM(b, "pages_per_hour"), 3);
    ck_assert_double_eq(NUM(b, "eta_minutes"), 80);
    ck_assert_double_eq(NUM(b, "documents"), 6);
    ck_assert_double_eq(NUM(b, "auto_filed"), 3);
    ck_assert_double_eq(NUM(b, "auto_file_rate"), 0.5);
    ck_assert_double_eq(NUM(b, "review_backlog"), 2);
    ck_assert_double_eq(NUM(json_object_get(b, "backlog_by_reason"), "no MRN found"), 2);
    ck_assert_double_eq(NUM(json_object_get(b, "backlog_by_reason"), "document type uncertain"), 1);
    ck_assert_int_eq(json_object_size(json_object_get(b, "backlog_by_reason")), 2);
    ck_assert_double_eq(NUM(b, "decisions"), 2);
    ck_assert_double_eq(NUM(b, "reviewer_hours"), 0.217);
    ck_assert_double_eq(NUM(b, "documents_per_reviewer_hour"), 9.2);
    /* overall: the sums over every batch, as counted here */
    o = json_object_get(json_object_get(d, "figures"), "overall");
    ck_assert_double_eq(NUM(o, "pending_pages"),
                        th_long(c, "SELECT count(*) FROM page WHERE status = 'pending'"));
    ck_assert_double_eq(NUM(o, "review_backlog"), th_long(c, "SELECT count(*) FROM document"
                        " WHERE status = 'review' AND superseded_at IS NULL"));
    ck_assert_double_eq(NUM(o, "auto_filed"), th_long(c, "SELECT count(*) FROM document"
                        " WHERE status = 'filed' AND filed_by = 'auto' AND superseded_at IS NULL"));
    ck_assert_double_ge(NUM(o, "pages_per_hour"), 3);
    qa = json_object_get(d, "qa");
    ck_assert_int_eq(json_is_true(json_object_get(qa, "available")), has_qa);
    json_decref(d);
    if (!has_qa) {
        /* with a QA table (issue 14's item 2 adds it): 9 of 10 checked right in this batch */
        char q[600];
        snprintf(q, sizeof q, "CREATE TABLE qa_sample (batch_id bigint, checked_at timestamptz,"
                 " patient_right boolean, doctype_right boolean);"
                 "GRANT SELECT ON qa_sample TO chartscan_reviewer;"
                 "INSERT INTO qa_sample SELECT %lld, now(), n <> 3, true"
                 " FROM generate_series(1, 10) n; INSERT INTO qa_sample VALUES (%lld, NULL, NULL, NULL)",
                 id, id);
        PQclear(PQexec(c, q));
        d = get_dashboard(cookie);
        PQclear(PQexec(c, "DROP TABLE qa_sample"));
        qa = json_object_get(d, "qa");
        ck_assert(json_is_true(json_object_get(qa, "available")));
        b = json_object_get(json_object_get(qa, "batches"), (snprintf(q, sizeof q, "%lld", id), q));
        ck_assert_ptr_nonnull(b);
        ck_assert_double_eq(NUM(b, "checked"), 10);
        ck_assert_double_eq(NUM(b, "right"), 9);
        ck_assert_double_eq(NUM(b, "accuracy"), 0.9);
        ck_assert_double_eq(NUM(b, "low"), 0.5958);
        ck_assert_double_eq(NUM(b, "high"), 0.9821);
        ck_assert_double_eq(NUM(json_object_get(qa, "overall"), "checked"), 10);
        json_decref(d);
    }
    PQfinish(c);
}
END_TEST

/* ---- in the browser ---- */

START_TEST(test_browser_end_to_end)
{
    char cmd[4096], q[512];
    PGconn *c;
    int rc;

    if (access("/usr/bin/chromium", X_OK) != 0)
        ck_abort_msg("/usr/bin/chromium is missing: run scripts/install-deps");
    if (access("tests/e2e/node_modules/playwright-core", F_OK) != 0)
        ck_assert_msg(th_sh("cd tests/e2e && npm ci --no-audit --no-fund >/dev/null 2>&1") == 0,
                      "npm ci in tests/e2e failed");
    snprintf(cmd, sizeof cmd,
             "cd tests/e2e && BASE_URL=http://127.0.0.1:%d CS_USER=alice CS_PASSWORD='%s'"
             " OUT_DIR='%s' DOC_PATIENT=%lld ROSTER_QUERY='%s' PATIENT_MRN='%s'"
             " DOC_CONFIRM=%lld DOC_SPLIT=%lld SPLIT_PAGE=2 node review.e2e.js > '%s/e2e.log' 2>&1",
             port, PASSWORD, out_dir, doc_patient, patient_last, patient_mrn, doc_confirm,
             doc_split, out_dir);
    rc = th_sh("%s", cmd);
    if (rc != 0)
        th_sh("cat '%s/e2e.log' >&2", out_dir);
    ck_assert_msg(rc == 0, "the browser test failed (see %s/e2e.log)", out_dir);

    c = th_connect(&env);
    /* the patient changed, still in review */
    snprintf(q, sizeof q, "SELECT patient_id = %lld AND status = 'review' AND patient_confidence = 1"
             " FROM document WHERE id = %lld", patient_id, doc_patient);
    TH_ASSERT_VALUE(c, q, "t");
    /* confirmed: filed by the reviewer, kept as a labelled example */
    snprintf(q, sizeof q, "SELECT status || ' ' || filed_by || ' ' || (filed_at IS NOT NULL)"
             " FROM document WHERE id = %lld", doc_confirm);
    TH_ASSERT_VALUE(c, q, "filed alice true");
    snprintf(q, sizeof q, "SELECT count(*) FROM review_example e JOIN document d ON d.id ="
             " e.document_id WHERE e.document_id = %lld AND e.doctype = d.doctype"
             " AND e.reviewer = 'alice' AND length(e.text) > 100", doc_confirm);
    ck_assert_int_eq(th_long(c, q), 1);
    /* split at page 2: pages 1 stay, 2.. make a new document in review, with a PDF */
    snprintf(q, sizeof q, "SELECT first_page || '-' || last_page || ' ' || page_count"
             " FROM document WHERE id = %lld", doc_split);
    TH_ASSERT_VALUE(c, q, "1-1 1");
    snprintf(q, sizeof q, "SELECT count(*) FROM document n, document o WHERE o.id = %lld"
             " AND n.file_id = o.file_id AND n.id <> o.id AND n.first_page = 2"
             " AND n.status = 'review' AND n.pdf IS NOT NULL AND 'split by reviewer' ="
             " ANY (n.review_reasons) AND n.page_count = (SELECT count(*) FROM page"
             " WHERE document_id = n.id)", doc_split);
    ck_assert_int_eq(th_long(c, q), 1);
    /* every page of the file is still in exactly one document */
    snprintf(q, sizeof q, "SELECT count(*) FROM page p, document o WHERE o.id = %lld"
             " AND p.file_id = o.file_id AND p.status = 'done' AND p.document_id IS NULL", doc_split);
    ck_assert_int_eq(th_long(c, q), 0);
    /* the audit trail: who, what, before and after */
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE actor = 'alice' AND action ="
             " 'change_patient' AND object_id = '%lld' AND before->>'patient_id' IS NULL"
             " AND (after->>'patient_id')::bigint = %lld AND at > now() - interval '10 min'",
             doc_patient, patient_id);
    ck_assert_int_eq(th_long(c, q), 1);
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE actor = 'alice' AND action = 'confirm'"
             " AND object_id = '%lld' AND before->>'status' = 'review'"
             " AND after->>'status' = 'filed' AND after->>'filed_by' = 'alice'", doc_confirm);
    ck_assert_int_eq(th_long(c, q), 1);
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE actor = 'alice' AND action = 'split'"
             " AND object_id = '%lld' AND (detail->>'page')::int = 2"
             " AND jsonb_array_length(before->'pages') > jsonb_array_length(after->'pages')",
             doc_split);
    ck_assert_int_eq(th_long(c, q), 1);
    snprintf(q, sizeof q, "SELECT count(DISTINCT object_id) FROM audit WHERE actor = 'alice'"
             " AND action = 'view' AND object_id IN ('%lld', '%lld', '%lld')", doc_patient,
             doc_confirm, doc_split);
    ck_assert_int_eq(th_long(c, q), 3);
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM audit WHERE actor = 'alice' AND action = 'login'"), 1);
    PQfinish(c);
    /* the screenshots */
    snprintf(q, sizeof q, "%s/review-queue.png", out_dir);
    ck_assert_int_eq(access(q, R_OK), 0);
    snprintf(q, sizeof q, "%s/review-document.png", out_dir);
    ck_assert_int_eq(access(q, R_OK), 0);
}
END_TEST

/* A candidate whose every identifier printed on the page agrees exactly and
 * has its box (an MRN may be absent: then the full name and birth date). */
#define VERIFIED(c)                                                                           \
    c "->>'birth_date_agreement' = 'exact' AND " c "->>'last_name_agreement' = 'exact' AND "   \
    c "->>'first_name_agreement' = 'exact' AND " c "->'evidence' ?& ARRAY['birth_date',"        \
    " 'last_name', 'first_name'] AND (" c "->>'mrn_agreement' = 'missing' OR (" c               \
    "->>'mrn_agreement' = 'exact' AND " c "->'evidence' ? 'mrn'))"

/*
 * Two keystrokes a document (issue 14).  The review queue is generated from
 * the sample's documents that have exactly one verified candidate: the first
 * half lose their patient (the verified candidate is to be preselected), the
 * rest are held only for their type; the browser presses Enter and c on
 * each, counting keys and seconds.  Runs last: it files them all again.
 */
START_TEST(test_browser_two_keystrokes)
{
    char cmd[4096], q[2048], list[2][256];
    long long id[8], want[8];
    PGconn *c = th_connect(&env);
    PGresult *r;
    int rc, n, half;

    r = PQexec(c, "SELECT d.id, (SELECT (e->>'patient_id')::bigint FROM jsonb_array_elements("
               "d.candidates) e WHERE " VERIFIED("e") ") FROM document d"
               " WHERE d.superseded_at IS NULL AND d.status IN ('filed', 'review')"
               " AND (SELECT count(*) FROM jsonb_array_elements(d.candidates) e WHERE "
               VERIFIED("e") ") = 1"
               " ORDER BY d.candidates->0->>'mrn_agreement' = 'missing' DESC, d.id LIMIT 8");
    n = PQntuples(r);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && n >= 4,
                  "the sample has %d documents with one verified candidate, 4 needed: %s", n,
                  PQresultErrorMessage(r));
    half = (n + 1) / 2;
    list[0][0] = list[1][0] = '\0';
    for (int i = 0; i < n; i++) {
        char *l = list[i >= half];
        id[i] = atoll(PQgetvalue(r, i, 0));
        want[i] = atoll(PQgetvalue(r, i, 1));
        snprintf(l + strlen(l), sizeof list[0] - strlen(l), "%s%lld", *l ? "," : "", id[i]);
        snprintf(q, sizeof q, "UPDATE document SET status = 'review', filed_by = NULL,"
                 " filed_at = NULL, patient_id = %s, patient_confidence = %s, review_reason = '%s',"
                 " review_reasons = ARRAY['%s'] WHERE id = %lld",
                 i < half ? "NULL" : PQgetvalue(r, i, 1), i < half ? "NULL" : "1",
                 i < half ? "weak evidence" : "document type uncertain",
                 i < half ? "weak evidence" : "document type uncertain", id[i]);
        {
            PGresult *u = PQexec(c, q);
            ck_assert_msg(PQresultStatus(u) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(u));
            PQclear(u);
        }
    }
    PQclear(r);
    snprintf(cmd, sizeof cmd,
             "cd tests/e2e && BASE_URL=http://127.0.0.1:%d CS_USER=alice CS_PASSWORD='%s'"
             " OUT_DIR='%s' DOCS_PATIENT=%s DOCS_TYPE=%s MAX_KEYS=2 node keystrokes.e2e.js"
             " > '%s/keystrokes.log' 2>&1", port, PASSWORD, out_dir, list[0], list[1], out_dir);
    rc = th_sh("%s", cmd);
    th_sh("cat '%s/keystrokes.log' >&2", out_dir);
    ck_assert_msg(rc == 0, "the keystroke test failed (see %s/keystrokes.log)", out_dir);
    /* each filed by alice to the verified candidate, with a type */
    for (int i = 0; i < n; i++) {
        snprintf(q, sizeof q, "SELECT status || ' ' || filed_by || ' ' || (patient_id = %lld)"
                 " || ' ' || (doctype IS NOT NULL) FROM document WHERE id = %lld", want[i], id[i]);
        TH_ASSERT_VALUE(c, q, "filed alice true true");
        snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE actor = 'alice' AND action ="
                 " 'change_patient' AND object_id = '%lld' AND (after->>'patient_id')::bigint = %lld"
                 " AND at > now() - interval '5 min'", id[i], want[i]);
        ck_assert_int_eq(th_long(c, q), i < half ? 1 : 0);
    }
    PQfinish(c);
}
END_TEST

/* The dashboard page in the browser, on the batch with known figures. */
START_TEST(test_browser_dashboard)
{
    PGconn *c = th_connect(&env);
    long long id = dashboard_batch(c);
    int has_qa = th_long(c, "SELECT (to_regclass('qa_sample') IS NOT NULL)::int") == 1;
    int rc;

    PQfinish(c);
    rc = th_sh("cd tests/e2e && BASE_URL=http://127.0.0.1:%d CS_USER=bob CS_PASSWORD='%s'"
               " OUT_DIR='%s' BATCH=%lld QA=%s node dashboard.e2e.js > '%s/dashboard.log' 2>&1",
               port, PASSWORD, out_dir, id, has_qa ? "any" : "none", out_dir);
    if (rc != 0)
        th_sh("cat '%s/dashboard.log' >&2", out_dir);
    ck_assert_msg(rc == 0, "the dashboard's browser test failed (see %s/dashboard.log)", out_dir);
}
END_TEST

START_TEST(test_audit_listing_and_retraining)
{
    cs_store *s = open_store();
    char err[CS_ERRLEN], *text = NULL, path[256];
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    ck_assert_int_eq(cs_review_audit(s, "alice", "2000-01-01", 0, out, err, sizeof err), 0);
    fflush(out);
    ck_assert_ptr_nonnull(strstr(text, "\talice\tconfirm\tdocument "));
    ck_assert_ptr_null(strstr(text, "\tbob\t"));
    fclose(out);
    free(text);
    out = fopen("/dev/null", "w");
    ck_assert_int_eq(cs_review_audit(s, NULL, "not a time", 0, out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is not a time"));
    /* the reviewers' examples alone cover one type: refused; with the site's file: a model */
    ck_assert_int_eq(cs_train_from_reviews(s, NULL, out, err, sizeof err), -1);
    snprintf(path, sizeof path, "%s/sample/train.csv", env.dir);
    ck_assert_msg(cs_train_from_reviews(s, path, out, err, sizeof err) == 0, "%s", err);
    fclose(out);
    cs_store_close(&s);
    {
        PGconn *c = th_connect(&env);
        /* the site's file (model 2's examples) and the reviewers' */
        TH_ASSERT_VALUE(c, "SELECT (SELECT examples FROM model WHERE active) ="
                           " (SELECT examples FROM model WHERE id = 2)"
                           " + (SELECT count(*) FROM review_example)", "t");
        PQfinish(c);
    }
}
END_TEST

START_TEST(test_blank_split_merge_versions)
{
    cs_store *s = open_store();
    PGconn *c = th_connect(&env);
    char err[CS_ERRLEN], holder[CS_REVIEW_NAME_MAX + 1], q[600];
    cs_review_action a = {CS_REVIEW_PAGE_BLANK, doc_other, "bob", NULL, 0, 2, NULL};
    long long result = 0, part;

    ck_assert_int_eq(cs_review_store_claim(s, doc_other, "bob", 900, holder, err, sizeof err), 1);
    /* page 2 blank and back */
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    snprintf(q, sizeof q, "SELECT page_count || ' ' || (SELECT status FROM page p WHERE p.file_id ="
             " d.file_id AND p.page_no = 2) FROM document d WHERE id = %lld", doc_other);
    TH_ASSERT_VALUE(c, q, "1 blank");
    ck_assert_int_eq(cs_review_store_act(s, &a, &result, err, sizeof err), CS_REVIEW_BAD);
    a.kind = CS_REVIEW_PAGE_NOT_BLANK;
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    TH_ASSERT_VALUE(c, q, "2 done");
    /* split at 2, then file the first part */
    a.kind = CS_REVIEW_SPLIT;
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    snprintf(q, sizeof q, "SELECT id FROM document WHERE file_id = (SELECT file_id FROM document"
             " WHERE id = %lld) AND first_page = 2", doc_other);
    part = th_long(c, q);
    ck_assert_int_gt(part, 0);
    a.kind = CS_REVIEW_CHANGE_PATIENT;
    a.patient_id = patient_id;
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    a.kind = CS_REVIEW_CONFIRM;
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    /* merging the rest into the filed part makes a new version of it (005's protocol) */
    ck_assert_int_eq(cs_review_store_claim(s, part, "bob", 900, holder, err, sizeof err), 1);
    a.kind = CS_REVIEW_MERGE;
    a.document_id = part;
    ck_assert_msg(cs_review_store_act(s, &a, &result, err, sizeof err) == 0, "%s", err);
    ck_assert_int_ne(result, doc_other);
    snprintf(q, sizeof q, "SELECT n.status || ' ' || n.filed_by || ' ' || n.page_count || ' '"
             " || (o.superseded_at IS NOT NULL) || ' ' || o.status || ' ' || (n.pdf IS NOT NULL)"
             " FROM document n JOIN document o ON o.id = n.replaces_id WHERE n.id = %lld"
             " AND o.id = %lld", result, doc_other);
    TH_ASSERT_VALUE(c, q, "filed bob 2 true filed true");
    snprintf(q, sizeof q, "SELECT count(*) FROM document WHERE id = %lld", part);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT version_status FROM ehr.document WHERE document_id = %lld",
             doc_other);
    TH_ASSERT_VALUE(c, q, "superseded");
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE actor = 'bob' AND action = 'merge'"
             " AND object_id IN ('%lld', '%lld')", part, result);
    ck_assert_int_eq(th_long(c, q), 2);
    PQfinish(c);
    cs_store_close(&s);
}
END_TEST

/* ---- the fixture ---- */

static void fixture(void)
{
    char err[CS_ERRLEN];
    PGconn *c;
    cs_store *s = NULL;

    th_setup_processed_sample(&env, "rv", 11, 5);

    /* two reviewers; the sample leaves two documents in review, two more are sent there */
    if (cs_store_open(&s, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    {
        const char *users[] = {"alice", "bob"};
        FILE *out = fopen("/dev/null", "w");
        for (int i = 0; i < 2; i++) {
            FILE *in = fmemopen((char *)PASSWORD "\n", strlen(PASSWORD) + 1, "r");
            if (cs_review_users_add(s, users[i], "reviewer", in, out, err, sizeof err) < 0) {
                fprintf(stderr, "users add: %s\n", err);
                exit(2);
            }
            fclose(in);
        }
        fclose(out);
    }
    cs_store_close(&s);
    c = th_connect(&env);
    /* the sample leaves the outsider's document in review; three filed
     * ones are sent there: one as a letter without MRN would be (the
     * reviewer picks its patient), two for their type */
    doc_other = th_long(c, "SELECT id FROM document WHERE 'not in roster' = ANY (review_reasons)");
    doc_split = th_long(c, "SELECT id FROM document WHERE status = 'filed' AND page_count >= 3"
                           " ORDER BY id LIMIT 1");
    doc_confirm = th_long(c, "SELECT id FROM document WHERE status = 'filed' AND page_count < 3"
                             " ORDER BY id LIMIT 1");
    doc_patient = th_long(c, "SELECT max(id) FROM document WHERE status = 'filed' AND page_count < 3");
    if (doc_patient <= 0 || doc_other <= 0 || doc_split <= 0 || doc_confirm <= 0 ||
        doc_patient == doc_confirm) {
        fprintf(stderr, "the sample batch did not give the documents the tests need\n");
        exit(2);
    }
    {
        char q[600];
        snprintf(q, sizeof q, "UPDATE document SET status = 'review', filed_by = NULL,"
                 " filed_at = NULL, review_reason = 'document type uncertain',"
                 " review_reasons = ARRAY['document type uncertain'] WHERE id IN (%lld, %lld)",
                 doc_split, doc_confirm);
        PQclear(PQexec(c, q));
        snprintf(q, sizeof q, "UPDATE document SET status = 'review', filed_by = NULL,"
                 " filed_at = NULL, patient_id = NULL, patient_confidence = NULL,"
                 " review_reason = 'no MRN found', review_reasons = ARRAY['no MRN found']"
                 " WHERE id = %lld", doc_patient);
        PQclear(PQexec(c, q));
    }
    {
        /* a roster patient that is none of the document's candidates */
        char q[256], *v;
        snprintf(q, sizeof q, "SELECT id FROM patient WHERE id NOT IN (SELECT patient_id FROM"
                 " document WHERE patient_id IS NOT NULL) ORDER BY id LIMIT 1");
        patient_id = th_long(c, q);
        snprintf(q, sizeof q, "SELECT mrn FROM patient WHERE id = %lld", patient_id);
        v = th_value(c, q);
        snprintf(patient_mrn, sizeof patient_mrn, "%s", v ? v : "");
        free(v);
        snprintf(q, sizeof q, "SELECT last_name FROM patient WHERE id = %lld", patient_id);
        v = th_value(c, q);
        snprintf(patient_last, sizeof patient_last, "%s", v ? v : "");
        free(v);
    }
    PQfinish(c);
    snprintf(out_dir, sizeof out_dir, "%s/build/test-output/review", env.root);
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

static Suite *review_suite(int unit_only)
{
    Suite *s = suite_create("review");
    TCase *pw = tcase_create("passwords");
    TCase *tok = tcase_create("tokens and csrf");
    TCase *val = tcase_create("validation");
    TCase *img = tcase_create("images");

    tcase_add_test(pw, test_password_hash_and_verify);
    tcase_add_test(pw, test_password_limits);
    tcase_add_test(pw, test_password_read_from_stdin);
    tcase_set_timeout(pw, 120);
    tcase_add_test(tok, test_tokens);
    tcase_add_test(tok, test_csrf);
    tcase_add_test(tok, test_cookie_token);
    tcase_add_test(val, test_ids_and_numbers);
    tcase_add_test(val, test_text_and_names);
    tcase_add_test(val, test_form_fields);
    tcase_add_test(img, test_page_png);
    suite_add_tcase(s, pw);
    suite_add_tcase(s, tok);
    suite_add_tcase(s, val);
    suite_add_tcase(s, img);
    if (!unit_only) {
        TCase *store = tcase_create("store");
        TCase *web = tcase_create("http");
        TCase *browser = tcase_create("browser");
        tcase_add_test(store, test_sessions);
        tcase_add_test(store, test_users_add);
        tcase_add_test(store, test_throttle);
        tcase_add_test(store, test_leases);
        tcase_set_timeout(store, 120);
        tcase_add_test(web, test_http_unauthenticated);
        tcase_add_test(web, test_http_login_refusals);
        tcase_add_test(web, test_http_csrf_and_validation);
        tcase_add_test(web, test_http_cookie_header);
        tcase_add_test(web, test_http_assets_are_the_files);
        tcase_add_test(web, test_http_dashboard);
        tcase_set_timeout(web, 300);
        tcase_add_test(browser, test_browser_end_to_end);
        tcase_add_test(browser, test_audit_listing_and_retraining);
        tcase_add_test(browser, test_blank_split_merge_versions);
        tcase_add_test(browser, test_browser_two_keystrokes);
        tcase_add_test(browser, test_browser_dashboard);
        tcase_set_timeout(browser, 600);
        suite_add_tcase(s, store);
        suite_add_tcase(s, web);
        suite_add_tcase(s, browser);
    }
    return s;
}

int main(void)
{
    const char *u = getenv("CS_REVIEW_UNIT_ONLY");
    int unit_only = u && *u && strcmp(u, "0") != 0;
    SRunner *sr;
    int failed;

    if (!unit_only)
        fixture();
    sr = srunner_create(review_suite(unit_only));
#ifdef __SANITIZE_ADDRESS__
    /* The review server's thread runs in this process; a forked test child
     * has no such thread, and LeakSanitizer in the child calls everything
     * only that thread's stack reached a leak.  Under the sanitizers the
     * tests run in this process instead (a crash still fails the run). */
    srunner_set_fork_status(sr, CK_NOFORK);
#endif
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (!unit_only) {
        cs_review_server_stop(&server);
        th_teardown(&env);
    }
    return failed ? 1 : 0;
}

/*
 * check_station.c — the review station under abuse (issue 12, items 10-14).
 *
 *   urls         --public-url and --trusted-proxy checked, no database
 *   abuse        slowloris on loopback while a legitimate client is served;
 *                failed logins from one address do not lock the owner out
 *                from another
 *   proxy        --public-url https: Secure cookie, HSTS, the Origin it
 *                names; --trusted-proxy: X-Forwarded-For believed from the
 *                proxy only, for the throttle and the audit
 *   roles        a reviewer sees documents in review and what they worked
 *                on, an admin everything; ids in URLs are checked
 *   audit        every disclosure writes an audit row (roster search, page
 *                image, claim, failed login, export pdf, export manifest),
 *                and the roster search is rate-limited per user
 *
 * The attacker's sockets are bound to 127.0.0.2 and 127.0.0.3, the
 * legitimate client's to 127.0.0.1: on Linux the whole of 127/8 is the
 * loopback, and the server tells clients apart by address.  The fixture
 * processes a small generated batch with the chartscan binary once, in
 * main(), before any test runs; each test starts the servers it needs.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
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
static long long doc_review, doc_filed, doc_worked, batch_id, patient_id;
static int filed_page;   /* a page of doc_filed */
static char patient_last[64], patient_birth[16];

/* ---- a small HTTP client that can choose its source address ---- */

typedef struct reply {
    int status;          /* 0: no answer in time */
    double ms;           /* from connect to the end of the answer */
    char *text;          /* headers and body */
} reply;

/* A TCP socket from source (e.g. "127.0.0.2") to 127.0.0.1:port; blocking unless nonblock. */
static int connect_from(const char *source, int port, int nonblock)
{
    struct sockaddr_in sa, src;
    int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);

    ck_assert_int_ge(fd, 0);
    memset(&src, 0, sizeof src);
    src.sin_family = AF_INET;
    ck_assert_int_eq(inet_pton(AF_INET, source, &src.sin_addr), 1);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && !(nonblock && errno == EINPROGRESS)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request from source, answered within timeout_ms or status 0. */
static reply http_from(const char *source, int port, const char *method, const char *path,
                       const char *headers, const char *body, int timeout_ms)
{
    reply r = {0, 0, NULL};
    cs_buf req = CS_BUF_INIT, resp = CS_BUF_INIT;
    char buf[8192];
    double t0 = cs_now_ms();
    int fd = connect_from(source, port, 1);

    if (fd < 0) {
        r.text = strdup("");
        return r;
    }
    cs_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s",
                  method, path, port, headers ? headers : "");
    if (body)
        cs_buf_printf(&req, "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    else
        cs_buf_puts(&req, "\r\n");
    {
        size_t sent = 0;
        while (sent < req.len && cs_now_ms() - t0 < timeout_ms) {
            struct pollfd p = {fd, POLLOUT, 0};
            ssize_t n;
            if (poll(&p, 1, 50) <= 0)
                continue;
            n = send(fd, req.data + sent, req.len - sent, MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN)
                break;
            if (n > 0)
                sent += (size_t)n;
        }
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int left = timeout_ms - (int)(cs_now_ms() - t0);
        ssize_t n;
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            cs_buf_reset(&resp);
            break;
        }
        n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        cs_buf_append(&resp, buf, (size_t)n);
    }
    close(fd);
    cs_buf_free(&req);
    r.ms = cs_now_ms() - t0;
    r.text = resp.data && resp.len ? resp.data : strdup("");
    if (r.text != resp.data)
        cs_buf_free(&resp);
    sscanf(r.text, "HTTP/1.1 %d", &r.status);
    return r;
}

static reply http(int port, const char *method, const char *path, const char *headers,
                  const char *body)
{
    return http_from("127.0.0.1", port, method, path, headers, body, 10000);
}

#define EXPECT(port, method, path, headers, body, code)                            \
    do {                                                                          \
        reply r_ = http(port, method, path, headers, body);                      \
        ck_assert_msg(r_.status == (code), "%s %s gave %d, expected %d: %.300s", \
                      method, path, r_.status, code, r_.text);                    \
        free(r_.text);                                                            \
    } while (0)

/* Log in as user from source: the Cookie header line and the CSRF token; the reply's status. */
static int login_from(const char *source, int port, const char *user, const char *password,
                      const char *extra, char cookie[128], char csrf[80], char **text)
{
    char body[200], hdr[400];
    reply r;
    const char *c;

    snprintf(body, sizeof body, "name=%s&password=%s", user, password);
    snprintf(hdr, sizeof hdr, "X-Requested-With: chartscan\r\n%s", extra ? extra : "");
    r = http_from(source, port, "POST", "/api/login", hdr, body, 10000);
    if (r.status != 200) {
        int status = r.status;
        if (text)
            *text = r.text;
        else
            free(r.text);
        return status;
    }
    c = strstr(r.text, "Set-Cookie: cs_session=");
    ck_assert_ptr_nonnull(c);
    snprintf(cookie, 128, "Cookie: %.75s\r\n", c + 12);
    if (text)
        *text = r.text;
    else
        free(r.text);
    r = http_from(source, port, "GET", "/api/me", cookie, NULL, 10000);
    ck_assert_int_eq(r.status, 200);
    c = strstr(r.text, "\"csrf\":\"");
    ck_assert_ptr_nonnull(c);
    snprintf(csrf, 80, "%.64s", c + 8);
    free(r.text);
    return 200;
}

static void login(int port, const char *user, char cookie[128], char csrf[80])
{
    ck_assert_int_eq(login_from("127.0.0.1", port, user, PASSWORD, NULL, cookie, csrf, NULL), 200);
}

static cs_review_server *start(const char *public_url, const char *proxy, int *port)
{
    char err[CS_ERRLEN];
    cs_review_options o = {"127.0.0.1:0", public_url, proxy};
    cs_review_server *srv = cs_review_server_start(&o, err, sizeof err);

    ck_assert_msg(srv != NULL, "could not start the review server: %s", err);
    *port = cs_review_server_port(srv);
    return srv;
}

static void clear_throttle(void)
{
    PGconn *c = th_connect(&env);
    PQclear(PQexec(c, "DELETE FROM login_throttle"));
    PQfinish(c);
}

/* ---- the options, without a database ---- */

START_TEST(test_public_url_parsing)
{
    char origin[300], err[CS_ERRLEN];
    int https;

    ck_assert_int_eq(cs_review_public_url_parse("https://Review.Example.org", origin,
                                                sizeof origin, &https, err, sizeof err), 0);
    ck_assert_str_eq(origin, "https://review.example.org");
    ck_assert_int_eq(https, 1);
    ck_assert_int_eq(cs_review_public_url_parse("https://review.example.org:443/", origin,
                                                sizeof origin, &https, err, sizeof err), 0);
    ck_assert_str_eq(origin, "https://review.example.org");
    ck_assert_int_eq(cs_review_public_url_parse("https://10.0.0.5:8443", origin, sizeof origin,
                                                &https, err, sizeof err), 0);
    ck_assert_str_eq(origin, "https://10.0.0.5:8443");
    ck_assert_int_eq(cs_review_public_url_parse("http://[::1]:8080", origin, sizeof origin,
                                                &https, err, sizeof err), 0);
    ck_assert_str_eq(origin, "http://[::1]:8080");
    ck_assert_int_eq(https, 0);
    ck_assert_int_eq(cs_review_public_url_parse("ftp://x", origin, sizeof origin, &https, err,
                                                sizeof err), -1);
    ck_assert_int_eq(cs_review_public_url_parse("https://", origin, sizeof origin, &https, err,
                                                sizeof err), -1);
    ck_assert_int_eq(cs_review_public_url_parse("https://a.example/review", origin,
                                                sizeof origin, &https, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no path"));
    ck_assert_int_eq(cs_review_public_url_parse("https://user@a.example", origin, sizeof origin,
                                                &https, err, sizeof err), -1);
    ck_assert_int_eq(cs_review_public_url_parse("https://a.example:0", origin, sizeof origin,
                                                &https, err, sizeof err), -1);
    ck_assert_int_eq(cs_review_public_url_parse("https://a.example?x=1", origin, sizeof origin,
                                                &https, err, sizeof err), -1);
    {
        cs_review_options ok = {NULL, "https://a.example", "::1"};
        cs_review_options bad = {NULL, NULL, "proxy.example"};
        ck_assert_int_eq(cs_review_options_check(&ok, err, sizeof err), 0);
        ck_assert_int_eq(cs_review_options_check(&bad, err, sizeof err), -1);
        ck_assert_ptr_nonnull(strstr(err, "--trusted-proxy"));
    }
}
END_TEST

START_TEST(test_serve_usage_errors)
{
    th_result r = th_chartscan(&env, "serve", "--public-url", "https://a.example/sub",
                               (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "no path"));
    th_result_free(&r);
    r = th_chartscan(&env, "serve", "--trusted-proxy", "10.0.0.300", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "serve", "--help", (char *)NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "--public-url URL"));
    ck_assert_ptr_nonnull(strstr(r.out, "--trusted-proxy ADDRESS"));
    th_result_free(&r);
}
END_TEST

/* ---- slowloris (item 10) ---- */

#define ATTACK_SOCKETS 64
#define ATTACK_SECONDS 15
#define ATTACK_LINE_MS 2000

typedef struct attack {
    int port;
    double longest_ms;     /* the longest an attacker's connection stayed open */
    int connections;       /* connections made */
    int accepted;          /* of them, held open a while (not refused at once) */
} attack;

/*
 * 64 sockets, half from 127.0.0.2, half from 127.0.0.3: each sends a request
 * line, then one header line every 2 s and never the blank line that ends
 * the headers.  A socket the server closes connects again at its next turn.
 */
static void *slowloris(void *arg)
{
    attack *a = arg;
    int fd[ATTACK_SOCKETS];
    double opened[ATTACK_SOCKETS], next[ATTACK_SOCKETS];
    double t0 = cs_now_ms();

    for (int i = 0; i < ATTACK_SOCKETS; i++) {
        fd[i] = -1;
        next[i] = t0 + (i % 10) * 20;
    }
    while (cs_now_ms() - t0 < ATTACK_SECONDS * 1000.0) {
        double now = cs_now_ms();
        for (int i = 0; i < ATTACK_SOCKETS; i++) {
            char b[256];
            if (fd[i] >= 0) {
                ssize_t n = recv(fd[i], b, sizeof b, MSG_DONTWAIT);
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != ENOTCONN)) {
                    double life = now - opened[i];
                    if (life > a->longest_ms)
                        a->longest_ms = life;
                    if (life > 1000)
                        a->accepted++;
                    close(fd[i]);
                    fd[i] = -1;
                }
            }
            if (now < next[i])
                continue;
            next[i] = now + ATTACK_LINE_MS;
            if (fd[i] < 0) {
                fd[i] = connect_from(i % 2 ? "127.0.0.3" : "127.0.0.2", a->port, 1);
                opened[i] = now;
                a->connections++;
                if (fd[i] >= 0)
                    send(fd[i], "GET /queue HTTP/1.1\r\n", 21, MSG_NOSIGNAL | MSG_DONTWAIT);
            } else {
                snprintf(b, sizeof b, "X-Slow-%d: %d\r\n", i, (int)(now - t0));
                send(fd[i], b, strlen(b), MSG_NOSIGNAL | MSG_DONTWAIT);
            }
        }
        usleep(50 * 1000);
    }
    for (int i = 0; i < ATTACK_SOCKETS; i++) {
        if (fd[i] < 0)
            continue;
        if (cs_now_ms() - opened[i] > a->longest_ms)
            a->longest_ms = cs_now_ms() - opened[i];
        close(fd[i]);
    }
    return NULL;
}

START_TEST(test_slowloris)
{
    int port, served = 0;
    cs_review_server *srv = start(NULL, NULL, &port);
    attack a = {port, 0, 0, 0};
    pthread_t t;
    double t0 = cs_now_ms(), worst = 0;

    ck_assert_int_eq(pthread_create(&t, NULL, slowloris, &a), 0);
    usleep(1500 * 1000);
    /* a legitimate client, once a second for as long as the attack lasts */
    while (cs_now_ms() - t0 < (ATTACK_SECONDS - 1) * 1000.0) {
        reply r = http_from("127.0.0.1", port, "GET", "/login", NULL, NULL, 3000);
        ck_assert_msg(r.status == 200, "a legitimate request under attack got %d after %.0f ms",
                      r.status, r.ms);
        if (r.ms > worst)
            worst = r.ms;
        served++;
        free(r.text);
        usleep(1000 * 1000);
    }
    pthread_join(t, NULL);
    ck_assert_int_ge(served, 10);
    ck_assert_msg(worst < 2000, "a legitimate request took %.0f ms under attack", worst);
    /* the attack ran: connections were held, and none longer than the deadline allows */
    ck_assert_int_gt(a.accepted, 0);
    ck_assert_msg(a.longest_ms < 8000, "an attacker held a connection for %.0f ms with an "
                  "unfinished request", a.longest_ms);
    /* and the station serves normally afterwards */
    EXPECT(port, "GET", "/login", NULL, NULL, 200);
    cs_review_server_stop(&srv);
}
END_TEST

/* ---- the login throttle (item 11) ---- */

START_TEST(test_lockout_is_per_address)
{
    int port, throttled = 0;
    cs_review_server *srv = start(NULL, NULL, &port);
    char cookie[128], csrf[80];
    PGconn *c = th_connect(&env);

    clear_throttle();
    /* a stranger at 127.0.0.2 tries alice's account until refused */
    for (int i = 0; i < 8; i++) {
        int st = login_from("127.0.0.2", port, "alice", "not-her-password", NULL, cookie, csrf,
                            NULL);
        ck_assert_msg(st == 401 || st == 429, "gave %d", st);
        throttled += st == 429;
    }
    ck_assert_int_gt(throttled, 0);
    /* the stranger stays refused, even with the right password */
    ck_assert_int_eq(login_from("127.0.0.2", port, "alice", PASSWORD, NULL, cookie, csrf, NULL),
                     429);
    /* alice, at her own desk, logs in */
    ck_assert_int_eq(login_from("127.0.0.1", port, "alice", PASSWORD, NULL, cookie, csrf, NULL),
                     200);
    /* the failures are in the audit trail: the account and the address, not the password */
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login_failed'"
                                " AND actor = 'alice' AND client_address = '127.0.0.2'"
                                " AND detail->>'reason' = 'wrong password'"), 3);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE detail::text LIKE"
                                " '%not-her-password%'"), 0);
    PQfinish(c);
    clear_throttle();
    cs_review_server_stop(&srv);
}
END_TEST

/* ---- behind a TLS proxy (item 12) ---- */

START_TEST(test_public_url_https)
{
    int port, plain_port;
    cs_review_server *srv = start("https://review.example.org", NULL, &port);
    cs_review_server *plain = start(NULL, NULL, &plain_port);
    char cookie[128], csrf[80], h[400], path[128], *text = NULL;

    ck_assert_int_eq(login_from("127.0.0.1", port, "bob", PASSWORD, NULL, cookie, csrf, &text),
                     200);
    ck_assert_msg(strstr(text, "SameSite=Strict; Secure") != NULL, "%.500s", text);
    ck_assert_ptr_nonnull(strstr(text, "Strict-Transport-Security: max-age="));
    free(text);
    snprintf(path, sizeof path, "/api/documents/%lld/claim", doc_review);
    /* the public URL's origin is the one a browser sends; the listen address's is not */
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%d\r\n", cookie, csrf,
             port);
    EXPECT(port, "POST", path, h, "", 403);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\nOrigin: https://evil.example\r\n", cookie, csrf);
    EXPECT(port, "POST", path, h, "", 403);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\nOrigin: https://review.example.org\r\n", cookie,
             csrf);
    EXPECT(port, "POST", path, h, "", 200);
    snprintf(path, sizeof path, "/api/documents/%lld/release", doc_review);
    EXPECT(port, "POST", path, h, "", 200);
    /* logging out clears the cookie with the same attributes */
    {
        reply r = http(port, "POST", "/api/logout", h, "");
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(r.text, "Secure; Max-Age=0"));
        free(r.text);
    }
    /* without --public-url: plain http, no Secure, the Host's http origin */
    ck_assert_int_eq(login_from("127.0.0.1", plain_port, "bob", PASSWORD, NULL, cookie, csrf,
                                &text), 200);
    ck_assert_ptr_null(strstr(text, "Secure"));
    ck_assert_ptr_null(strstr(text, "Strict-Transport-Security"));
    free(text);
    snprintf(path, sizeof path, "/api/documents/%lld/claim", doc_review);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\nOrigin: http://127.0.0.1:%d\r\n", cookie, csrf,
             plain_port);
    EXPECT(plain_port, "POST", path, h, "", 200);
    snprintf(path, sizeof path, "/api/documents/%lld/release", doc_review);
    EXPECT(plain_port, "POST", path, h, "", 200);
    cs_review_server_stop(&plain);
    cs_review_server_stop(&srv);
}
END_TEST

START_TEST(test_trusted_proxy)
{
    int port, plain_port;
    cs_review_server *srv = start(NULL, "127.0.0.1", &port);
    cs_review_server *plain = start(NULL, NULL, &plain_port);
    PGconn *c = th_connect(&env);
    char cookie[128], csrf[80];
    int throttled = 0;

    clear_throttle();
    PQclear(PQexec(c, "DELETE FROM audit WHERE action = 'login_failed'"));
    /* through the proxy: the last X-Forwarded-For entry is the client */
    ck_assert_int_eq(login_from("127.0.0.1", port, "alice", "wrong-password", "X-Forwarded-For:"
                                " 198.51.100.7, 203.0.113.9\r\n", cookie, csrf, NULL), 401);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login_failed'"
                                " AND client_address = '203.0.113.9'"), 1);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM login_throttle"
                                " WHERE key IN ('addr:203.0.113.9', 'user:alice@203.0.113.9')"), 2);
    /* a client's own header line before the proxy's is not believed */
    ck_assert_int_eq(login_from("127.0.0.1", port, "alice", "wrong-password",
                                "X-Forwarded-For: 192.0.2.66\r\n"
                                "X-Forwarded-For: 203.0.113.10\r\n", cookie, csrf, NULL), 401);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login_failed'"
                                " AND client_address = '203.0.113.10'"), 1);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE client_address = '192.0.2.66'"),
                     0);
    /* from a peer that is not the proxy, the header is ignored */
    ck_assert_int_eq(login_from("127.0.0.2", port, "alice", "wrong-password",
                                "X-Forwarded-For: 203.0.113.50\r\n", cookie, csrf, NULL), 401);
    ck_assert_int_eq(login_from("127.0.0.1", plain_port, "alice", "wrong-password",
                                "X-Forwarded-For: 203.0.113.51\r\n", cookie, csrf, NULL), 401);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login_failed'"
                                " AND client_address IN ('203.0.113.50', '203.0.113.51')"), 0);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login_failed'"
                                " AND client_address = '127.0.0.2'"), 1);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM login_throttle WHERE key LIKE"
                                " '%203.0.113.5_'"), 0);
    /* the throttle is per client behind the proxy: one client locked out, another not */
    for (int i = 0; i < 12; i++)
        throttled += login_from("127.0.0.1", port, "bob", "wrong-password",
                                "X-Forwarded-For: 203.0.113.9\r\n", cookie, csrf, NULL) == 429;
    ck_assert_int_gt(throttled, 0);
    ck_assert_int_eq(login_from("127.0.0.1", port, "bob", PASSWORD,
                                "X-Forwarded-For: 203.0.113.9\r\n", cookie, csrf, NULL), 429);
    ck_assert_int_eq(login_from("127.0.0.1", port, "bob", PASSWORD,
                                "X-Forwarded-For: 203.0.113.77\r\n", cookie, csrf, NULL), 200);
    /* the successful login's audit row names the client too */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'login'"
                                " AND actor = 'bob' AND client_address = '203.0.113.77'"), 1);
    clear_throttle();
    PQfinish(c);
    cs_review_server_stop(&plain);
    cs_review_server_stop(&srv);
}
END_TEST

/* ---- roles (item 13) ---- */

START_TEST(test_roles)
{
    int port;
    cs_review_server *srv = start(NULL, NULL, &port);
    char alice[128], alice_csrf[80], bob[128], bob_csrf[80], carol[128], carol_csrf[80];
    char path[160], h[400];

    login(port, "alice", alice, alice_csrf);
    login(port, "bob", bob, bob_csrf);
    login(port, "carol", carol, carol_csrf);
    /* in review: every reviewer */
    snprintf(path, sizeof path, "/api/documents/%lld", doc_review);
    EXPECT(port, "GET", path, alice, NULL, 200);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/1.png?w=200", doc_review);
    EXPECT(port, "GET", path, alice, NULL, 200);
    /* filed: admins only, by id in any URL */
    snprintf(path, sizeof path, "/api/documents/%lld", doc_filed);
    EXPECT(port, "GET", path, alice, NULL, 403);
    EXPECT(port, "GET", path, carol, NULL, 200);
    snprintf(path, sizeof path, "/api/documents/%lld/pages/%d.png?w=200", doc_filed, filed_page);
    EXPECT(port, "GET", path, alice, NULL, 403);
    EXPECT(port, "GET", path, carol, NULL, 200);
    snprintf(path, sizeof path, "/api/documents/%lld/claim", doc_filed);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\n", alice, alice_csrf);
    EXPECT(port, "POST", path, h, "", 403);
    snprintf(path, sizeof path, "/api/documents/%lld/reject", doc_filed);
    EXPECT(port, "POST", path, h, "reason=x", 403);
    /* what a reviewer worked on stays theirs to see after it left review */
    snprintf(path, sizeof path, "/api/documents/%lld", doc_worked);
    EXPECT(port, "GET", path, alice, NULL, 200);
    EXPECT(port, "GET", path, bob, NULL, 403);
    /* no such document: 404 for anyone */
    EXPECT(port, "GET", "/api/documents/99999999", alice, NULL, 404);
    EXPECT(port, "GET", "/api/documents/99999999/pages/1.png", carol, NULL, 404);
    /* accounts and the audit trail: admins only */
    EXPECT(port, "GET", "/api/users", alice, NULL, 403);
    EXPECT(port, "GET", "/api/audit", alice, NULL, 403);
    {
        reply r = http(port, "GET", "/api/users", carol, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(r.text, "\"name\": \"alice\""));
        ck_assert_ptr_null(strstr(r.text, "argon2"));
        free(r.text);
        r = http(port, "GET", "/api/audit?user=alice&limit=5", carol, NULL);
        ck_assert_int_eq(r.status, 200);
        ck_assert_ptr_nonnull(strstr(r.text, "\"actor\": \"alice\""));
        ck_assert_ptr_null(strstr(r.text, "\"actor\": \"bob\""));
        free(r.text);
    }
    EXPECT(port, "GET", "/api/audit?since=yesterday-ish", carol, NULL, 400);
    EXPECT(port, "GET", "/api/audit?limit=0", carol, NULL, 400);
    cs_review_server_stop(&srv);
}
END_TEST

/* ---- every disclosure audited (item 14) ---- */

/* The audit rows after row mark that meet the condition (printf-style). */
static long audit_count(PGconn *c, long long mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static long audit_count(PGconn *c, long long mark, const char *fmt, ...)
{
    char cond[600], q[800];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(cond, sizeof cond, fmt, ap);
    va_end(ap);
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE id > %lld AND (%s)", mark, cond);
    return th_long(c, q);
}

START_TEST(test_audit_disclosures)
{
    int port;
    cs_review_server *srv = start(NULL, NULL, &port);
    PGconn *c = th_connect(&env);
    char cookie[128], csrf[80], path[200], h[400];
    long long mark = th_long(c, "SELECT coalesce(max(id), 0) FROM audit");

    login(port, "bob", cookie, csrf);
    /* a roster search by name, and by birth date: the ids found, never the query */
    snprintf(path, sizeof path, "/api/patients?q=%s", patient_last);
    EXPECT(port, "GET", path, cookie, NULL, 200);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'bob' AND action = 'patient_search'"
                                 " AND detail->>'by' = 'name' AND detail->'patient_ids' @> '[%lld]'"
                                 " AND (detail->>'results')::int >= 1"
                                 " AND client_address = '127.0.0.1'", patient_id), 1);
    snprintf(path, sizeof path, "/api/patients?q=%s", patient_birth);
    EXPECT(port, "GET", path, cookie, NULL, 200);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'bob' AND action = 'patient_search'"
                                 " AND detail->>'by' = 'birth_date'"
                                 " AND detail->'patient_ids' @> '[%lld]'", patient_id), 1);
    ck_assert_int_eq(audit_count(c, mark, "detail::text LIKE '%%%s%%' OR detail::text LIKE"
                                 " '%%%s%%'", patient_last, patient_birth), 0);
    /* a page image */
    snprintf(path, sizeof path, "/api/documents/%lld/pages/1.png?w=200", doc_review);
    EXPECT(port, "GET", path, cookie, NULL, 200);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'bob' AND action = 'view_page'"
                                 " AND object_kind = 'document' AND object_id = '%lld'"
                                 " AND (detail->>'page')::int = 1", doc_review), 1);
    /* a page that is not there: nothing shown, nothing audited */
    snprintf(path, sizeof path, "/api/documents/%lld/pages/99.png", doc_review);
    EXPECT(port, "GET", path, cookie, NULL, 404);
    ck_assert_int_eq(audit_count(c, mark, "action = 'view_page' AND (detail->>'page')::int = 99"),
                     0);
    /* a claim; its renewals are not new claims */
    snprintf(path, sizeof path, "/api/documents/%lld/claim", doc_review);
    snprintf(h, sizeof h, "%sX-CSRF-Token: %s\r\n", cookie, csrf);
    EXPECT(port, "POST", path, h, "", 200);
    EXPECT(port, "POST", path, h, "", 200);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'bob' AND action = 'claim'"
                                 " AND object_id = '%lld'", doc_review), 1);
    snprintf(path, sizeof path, "/api/documents/%lld/release", doc_review);
    EXPECT(port, "POST", path, h, "", 200);
    /* the command line's disclosures: export pdf and export manifest */
    setenv("CHARTSCAN_ACTOR", "records-clerk", 1);
    {
        char id[32], out[300];
        th_result r;
        snprintf(id, sizeof id, "d-%lld", doc_filed);
        snprintf(out, sizeof out, "%s/exported.pdf", env.dir);
        r = th_chartscan(&env, "export", "pdf", id, "--out", out, (char *)NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        th_result_free(&r);
        snprintf(id, sizeof id, "%lld", batch_id);
        r = th_chartscan(&env, "export", "manifest", "--batch", id, (char *)NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        th_result_free(&r);
        r = th_chartscan(&env, "export", "manifest", "--with-text", (char *)NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        th_result_free(&r);
        /* a document that is not there: an error, and no audit row */
        r = th_chartscan(&env, "export", "pdf", "d-99999999", "--out", out, (char *)NULL);
        ck_assert_int_ne(r.status, 0);
        th_result_free(&r);
    }
    unsetenv("CHARTSCAN_ACTOR");
    ck_assert_int_eq(audit_count(c, mark, "actor = 'records-clerk' AND action = 'export_pdf'"
                                 " AND object_kind = 'document' AND object_id = '%lld'"
                                 " AND client_address IS NULL", doc_filed), 1);
    ck_assert_int_eq(audit_count(c, mark, "action = 'export_pdf' AND object_id = '99999999'"), 0);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'records-clerk' AND action = 'export_manifest'"
                                 " AND object_kind = 'batch' AND object_id = '%lld'"
                                 " AND detail->>'with_text' = 'false'", batch_id), 1);
    ck_assert_int_eq(audit_count(c, mark, "actor = 'records-clerk' AND action = 'export_manifest'"
                                 " AND object_id IS NULL AND detail->>'with_text' = 'true'"), 1);
    PQfinish(c);
    cs_review_server_stop(&srv);
}
END_TEST

START_TEST(test_roster_search_rate_limit)
{
    int port, ok = 0, limited = 0;
    cs_review_server *srv = start(NULL, NULL, &port);
    PGconn *c = th_connect(&env);
    char cookie[128], csrf[80], path[200];
    reply r;

    login(port, "dave", cookie, csrf);
    /* enumerating the roster by birth date: the 21st search in a minute is refused */
    for (int i = 0; i < 25; i++) {
        snprintf(path, sizeof path, "/api/patients?q=19%02d-01-01", 40 + i);
        r = http(port, "GET", path, cookie, NULL);
        ck_assert_msg(r.status == 200 || r.status == 429, "gave %d", r.status);
        if (r.status == 429) {
            int retry = 0;
            const char *ra = strstr(r.text, "Retry-After: ");
            ck_assert_ptr_nonnull(ra);
            retry = atoi(ra + 13);
            ck_assert_int_ge(retry, 1);
            ck_assert_int_le(retry, 60);
            limited++;
        } else {
            ck_assert_int_eq(limited, 0);
            ok++;
        }
        free(r.text);
    }
    ck_assert_int_eq(ok, 20);
    ck_assert_int_eq(limited, 5);
    /* the refused ones disclosed nothing and are not counted as searches */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE actor = 'dave'"
                                " AND action = 'patient_search'"), 20);
    /* another user is not held back by dave's searches */
    login(port, "bob", cookie, csrf);
    EXPECT(port, "GET", "/api/patients?q=1950-01-01", cookie, NULL, 200);
    /* a minute later, dave may search again */
    PQclear(PQexec(c, "UPDATE audit SET at = at - interval '61 s' WHERE actor = 'dave'"));
    login(port, "dave", cookie, csrf);
    EXPECT(port, "GET", "/api/patients?q=1950-01-01", cookie, NULL, 200);
    /* and within the hour, only so often */
    PQclear(PQexec(c, "INSERT INTO audit (actor, action, object_kind, at)"
                      " SELECT 'dave', 'patient_search', 'patient', now() - interval '30 min'"
                      "   FROM generate_series(1, 300)"));
    r = http(port, "GET", "/api/patients?q=1950-01-01", cookie, NULL);
    ck_assert_int_eq(r.status, 429);
    {
        const char *ra = strstr(r.text, "Retry-After: ");
        ck_assert_ptr_nonnull(ra);
        ck_assert_int_gt(atoi(ra + 13), 60);
    }
    free(r.text);
    PQfinish(c);
    cs_review_server_stop(&srv);
}
END_TEST

/* ---- the fixture ---- */

static void fixture(void)
{
    char err[CS_ERRLEN];
    PGconn *c;
    cs_store *s = NULL;

    th_setup_processed_sample(&env, "st", 12, 4);
    if (cs_store_open(&s, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    {
        const char *users[][2] = {{"alice", "reviewer"}, {"bob", "reviewer"},
                                  {"dave", "reviewer"}, {"carol", "admin"}};
        FILE *out = fopen("/dev/null", "w");
        for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
            FILE *in = fmemopen((char *)PASSWORD "\n", strlen(PASSWORD) + 1, "r");
            if (cs_review_users_add(s, users[i][0], users[i][1], in, out, err, sizeof err) < 0) {
                fprintf(stderr, "users add: %s\n", err);
                exit(2);
            }
            fclose(in);
        }
        fclose(out);
    }
    c = th_connect(&env);
    /* three documents with page images: one in review, one filed, and one that
       alice changed while in review and that has since been filed */
    doc_review = th_long(c, "SELECT min(id) FROM document");
    doc_filed = th_long(c, "SELECT min(id) FROM document WHERE id > (SELECT min(id) FROM document)");
    doc_worked = th_long(c, "SELECT max(id) FROM document");
    batch_id = th_long(c, "SELECT batch_id FROM document ORDER BY id LIMIT 1");
    {
        char q[200];
        snprintf(q, sizeof q, "SELECT min(page_no) FROM page WHERE document_id = %lld", doc_filed);
        filed_page = (int)th_long(c, q);
    }
    if (doc_review <= 0 || doc_filed <= 0 || doc_worked <= 0 || doc_worked == doc_filed) {
        fprintf(stderr, "the sample batch did not give the documents the tests need\n");
        exit(2);
    }
    {
        char q[600], holder[CS_REVIEW_NAME_MAX + 1];
        cs_review_action a = {CS_REVIEW_CHANGE_TYPE, doc_worked, "alice", "letter", 0, 0, NULL};
        snprintf(q, sizeof q, "UPDATE document SET status = 'review', filed_by = NULL,"
                 " filed_at = NULL, review_reason = 'document type uncertain',"
                 " review_reasons = ARRAY['document type uncertain'] WHERE id IN (%lld, %lld)",
                 doc_review, doc_worked);
        PQclear(PQexec(c, q));
        snprintf(q, sizeof q, "UPDATE document SET status = 'filed', filed_by = 'system',"
                 " filed_at = now() WHERE id = %lld", doc_filed);
        PQclear(PQexec(c, q));
        if (cs_review_store_claim(s, doc_worked, "alice", 900, holder, err, sizeof err) != 1 ||
            cs_review_store_act(s, &a, NULL, err, sizeof err) < 0) {
            fprintf(stderr, "could not act on document %lld: %s\n", doc_worked, err);
            exit(2);
        }
        snprintf(q, sizeof q, "UPDATE document SET status = 'filed', filed_by = 'carol',"
                 " filed_at = now() WHERE id = %lld", doc_worked);
        PQclear(PQexec(c, q));
        PQclear(PQexec(c, "DELETE FROM review_lease"));
    }
    cs_store_close(&s);
    {
        char *v;
        patient_id = th_long(c, "SELECT id FROM patient WHERE birth_date IS NOT NULL"
                                " AND last_name ~ '^[A-Za-z]{3,}$' ORDER BY id LIMIT 1");
        v = th_value(c, "SELECT last_name FROM patient WHERE birth_date IS NOT NULL"
                        " AND last_name ~ '^[A-Za-z]{3,}$' ORDER BY id LIMIT 1");
        snprintf(patient_last, sizeof patient_last, "%s", v ? v : "");
        free(v);
        v = th_value(c, "SELECT birth_date FROM patient WHERE birth_date IS NOT NULL"
                        " AND last_name ~ '^[A-Za-z]{3,}$' ORDER BY id LIMIT 1");
        snprintf(patient_birth, sizeof patient_birth, "%s", v ? v : "");
        free(v);
        if (patient_id <= 0 || !*patient_last || strlen(patient_birth) != 10) {
            fprintf(stderr, "the roster did not give the patient the tests need\n");
            exit(2);
        }
    }
    PQfinish(c);
}

static Suite *station_suite(int unit_only)
{
    Suite *s = suite_create("station");
    TCase *urls = tcase_create("urls");

    tcase_add_test(urls, test_public_url_parsing);
    suite_add_tcase(s, urls);
    if (!unit_only) {
        TCase *abuse = tcase_create("abuse");
        TCase *proxy = tcase_create("proxy");
        TCase *roles = tcase_create("roles");
        TCase *audit = tcase_create("audit");
        tcase_add_test(urls, test_serve_usage_errors);
        tcase_add_test(abuse, test_slowloris);
        tcase_add_test(abuse, test_lockout_is_per_address);
        tcase_set_timeout(abuse, 120);
        tcase_add_test(proxy, test_public_url_https);
        tcase_add_test(proxy, test_trusted_proxy);
        tcase_set_timeout(proxy, 120);
        tcase_add_test(roles, test_roles);
        tcase_set_timeout(roles, 120);
        tcase_add_test(audit, test_audit_disclosures);
        tcase_add_test(audit, test_roster_search_rate_limit);
        tcase_set_timeout(audit, 120);
        suite_add_tcase(s, abuse);
        suite_add_tcase(s, proxy);
        suite_add_tcase(s, roles);
        suite_add_tcase(s, audit);
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
    sr = srunner_create(station_suite(unit_only));
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (!unit_only)
        th_teardown(&env);
    return failed ? 1 : 0;
}

/*
 * check_users.c — the administration of the review station's accounts
 * (issue 14, item 7): `chartscan users list|disable|enable|passwd|
 * revoke-sessions NAME`, run as the real binary against the embedded
 * PostgreSQL, each with its audit row; and at the station, that a disabled
 * user cannot log in and that the sessions a command ends are ended.
 *
 *   cli       list, the usage errors, an unknown user (nothing audited)
 *   station   disable / enable, passwd, revoke-sessions against live
 *             sessions of the in-process review server
 *
 * The fixture (main) initialises a database and adds alice and bob with
 * `chartscan users add` once; the tests run in order.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/common.h"
#include "review/review.h"
#include "tests/harness.h"

#define PASSWORD "correct horse battery"
#define NEW_PASSWORD "staple paper clip 42"

static th_env env;

/* ---- a blocking HTTP client, enough for the login and /api/me ---- */

/* Log in: the status; on 200, the Cookie header line in cookie. */
static int login(int port, const char *user, const char *password, char cookie[128])
{
    char body[200], *text = NULL;
    const char *c;
    int status;
    PGconn *db = th_connect(&env);

    /* the tests fail logins on purpose: the throttle is not what they test */
    PQclear(PQexec(db, "DELETE FROM login_throttle"));
    PQfinish(db);
    snprintf(body, sizeof body, "name=%s&password=%s", user, password);
    status = th_http(port, "POST", "/api/login", "X-Requested-With: chartscan\r\n", body, &text);
    cookie[0] = '\0';
    if (status == 200) {
        c = strstr(text, "Set-Cookie: cs_session=");
        ck_assert_ptr_nonnull(c);
        snprintf(cookie, 128, "Cookie: %.75s\r\n", c + 12);
    }
    free(text);
    return status;
}

/* The status of GET /api/me with cookie: 200 while the session lives, 401 after. */
static int me(int port, const char *cookie)
{
    return th_http(port, "GET", "/api/me", cookie, NULL, NULL);
}

static cs_review_server *start(int *port)
{
    char err[CS_ERRLEN];
    cs_review_options o = {"127.0.0.1:0", NULL, NULL};
    cs_review_server *srv = cs_review_server_start(&o, err, sizeof err);

    ck_assert_msg(srv != NULL, "could not start the review server: %s", err);
    *port = cs_review_server_port(srv);
    return srv;
}

/* Run chartscan ARGS with line on its standard input: exit status, output in *out. */
static int chartscan_stdin(const char *line, const char *args, char **out)
{
    char path[160];
    int st;

    snprintf(path, sizeof path, "%s/stdin.out", env.dir);
    st = th_sh("printf '%%s\\n' '%s' | '%s' %s >'%s' 2>&1", line, env.bin, args, path);
    *out = th_slurp(path, NULL);
    if (!*out)
        *out = strdup("(no output)");
    return st;
}

/* The number of the operator's audit rows of action on user (NULL: on no one user). */
static long audit_count(PGconn *c, const char *action, const char *user)
{
    char q[400];
    snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE action = '%s' AND object_kind = 'user'"
             " AND actor = 'opsadmin' AND object_id %s%s%s", action, user ? "= '" : "IS NULL",
             user ? user : "", user ? "'" : "");
    return th_long(c, q);
}

/* The live sessions of user: at least 2, so that the messages say "sessions". */
static long live_sessions(PGconn *c, const char *user)
{
    char q[300];
    long n;
    snprintf(q, sizeof q, "SELECT count(*) FROM review_session rs JOIN review_user u"
             " ON u.id = rs.user_id WHERE u.name = '%s' AND rs.expires_at > now()", user);
    n = th_long(c, q);
    ck_assert_int_ge(n, 2);
    return n;
}

/* ---- the command line ---- */

START_TEST(test_list)
{
    PGconn *c = th_connect(&env);
    th_result r = th_chartscan(&env, "users", "list", (char *)NULL);

    ck_assert_msg(r.status == 0, "users list: %d %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "NAME"));
    ck_assert_msg(strstr(r.out, "alice") && strstr(r.out, "bob"), "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "reviewer"));
    ck_assert_ptr_nonnull(strstr(r.out, "enabled"));
    ck_assert_ptr_null(strstr(r.out, "$argon2"));
    th_result_free(&r);
    ck_assert_int_eq(audit_count(c, "user_list", NULL), 1);
    TH_ASSERT_VALUE(c, "SELECT detail->>'users' FROM audit WHERE action = 'user_list'", "2");
    PQfinish(c);
}
END_TEST

START_TEST(test_usage_and_unknown_user)
{
    PGconn *c = th_connect(&env);
    long before = th_long(c, "SELECT count(*) FROM audit");
    th_result r = th_chartscan(&env, "users", "disable", "nobody", (char *)NULL);

    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no user \"nobody\""), "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "users", "disable", "bad/name", (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "user name"));
    th_result_free(&r);
    r = th_chartscan(&env, "users", "disable", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "users", "list", "alice", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "users", "frobnicate", "alice", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    /* nothing changed, nothing audited */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit"), before);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM review_user WHERE disabled", "0");
    PQfinish(c);
}
END_TEST

/* ---- at the station ---- */

START_TEST(test_disable_enable)
{
    PGconn *c = th_connect(&env);
    int port;
    cs_review_server *srv = start(&port);
    char alice[128], alice2[128], bob[128];
    th_result r;

    ck_assert_int_eq(login(port, "alice", PASSWORD, alice), 200);
    ck_assert_int_eq(login(port, "alice", PASSWORD, alice2), 200);
    ck_assert_int_eq(login(port, "bob", PASSWORD, bob), 200);
    ck_assert_int_eq(me(port, alice), 200);

    r = th_chartscan(&env, "users", "disable", "alice", (char *)NULL);
    ck_assert_msg(r.status == 0, "users disable: %s", r.err);
    ck_assert_msg(strstr(r.out, "disabled \"alice\"; 2 live sessions ended"), "%s", r.out);
    th_result_free(&r);
    /* her sessions end at once, she cannot log in, bob is untouched */
    ck_assert_int_eq(me(port, alice), 401);
    ck_assert_int_eq(me(port, alice2), 401);
    ck_assert_int_eq(login(port, "alice", PASSWORD, alice), 401);
    ck_assert_int_eq(me(port, bob), 200);
    TH_ASSERT_VALUE(c, "SELECT disabled FROM review_user WHERE name = 'alice'", "t");
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM review_session rs JOIN review_user u"
                       " ON u.id = rs.user_id WHERE u.name = 'alice'", "0");
    ck_assert_int_eq(audit_count(c, "user_disable", "alice"), 1);
    TH_ASSERT_VALUE(c, "SELECT detail->>'sessions_ended' || ' ' || (detail->>'disabled_before')"
                       " || ' ' || (detail->>'disabled_after')"
                       "  FROM audit WHERE action = 'user_disable'", "2 false true");
    r = th_chartscan(&env, "users", "list", (char *)NULL);
    ck_assert_msg(strstr(r.out, "disabled"), "%s", r.out);
    th_result_free(&r);

    r = th_chartscan(&env, "users", "enable", "alice", (char *)NULL);
    ck_assert_msg(r.status == 0, "users enable: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "enabled \"alice\""));
    th_result_free(&r);
    ck_assert_int_eq(audit_count(c, "user_enable", "alice"), 1);
    /* the old sessions stay dead; a new login works */
    ck_assert_int_eq(me(port, alice2), 401);
    ck_assert_int_eq(login(port, "alice", PASSWORD, alice), 200);
    ck_assert_int_eq(me(port, alice), 200);
    cs_review_server_stop(&srv);
    PQfinish(c);
}
END_TEST

START_TEST(test_passwd)
{
    PGconn *c = th_connect(&env);
    int port;
    cs_review_server *srv = start(&port);
    char bob[128], cookie[128], expect[100], *out = NULL, *hash;

    ck_assert_int_eq(login(port, "bob", PASSWORD, bob), 200);
    hash = th_value(c, "SELECT password_hash FROM review_user WHERE name = 'bob'");
    ck_assert_int_eq(chartscan_stdin("short", "users passwd bob", &out), 1);
    ck_assert_msg(strstr(out, "8 to 256"), "%s", out);
    free(out);
    ck_assert_int_eq(me(port, bob), 200);   /* a refused password changes nothing */
    snprintf(expect, sizeof expect, "new password for \"bob\"; %ld live sessions ended",
             live_sessions(c, "bob"));
    ck_assert_int_eq(chartscan_stdin(NEW_PASSWORD, "users passwd bob", &out), 0);
    ck_assert_msg(strstr(out, expect), "%s, expected %s", out, expect);
    TH_ASSERT_VALUE(c, "SELECT count(*) FROM review_session rs JOIN review_user u"
                       " ON u.id = rs.user_id WHERE u.name = 'bob'", "0");
    free(out);
    ck_assert_int_eq(me(port, bob), 401);
    ck_assert_int_eq(login(port, "bob", PASSWORD, cookie), 401);
    ck_assert_int_eq(login(port, "bob", NEW_PASSWORD, cookie), 200);
    ck_assert_int_eq(me(port, cookie), 200);
    ck_assert_int_eq(audit_count(c, "user_passwd", "bob"), 1);
    /* the audit row holds no hash */
    {
        char q[600];
        snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE action = 'user_passwd'"
                 " AND position('%s' IN detail::text) > 0", hash);
        ck_assert_int_eq(th_long(c, q), 0);
        ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action = 'user_passwd'"
                                    " AND detail::text LIKE '%argon%'"), 0);
    }
    free(hash);
    cs_review_server_stop(&srv);
    PQfinish(c);
}
END_TEST

START_TEST(test_revoke_sessions)
{
    PGconn *c = th_connect(&env);
    int port;
    cs_review_server *srv = start(&port);
    char alice[128], bob[128], expect[100];
    th_result r;

    ck_assert_int_eq(login(port, "alice", PASSWORD, alice), 200);
    ck_assert_int_eq(login(port, "bob", NEW_PASSWORD, bob), 200);
    snprintf(expect, sizeof expect, "revoked the sessions of \"alice\"; %ld live sessions ended",
             live_sessions(c, "alice"));
    r = th_chartscan(&env, "users", "revoke-sessions", "alice", (char *)NULL);
    ck_assert_msg(r.status == 0, "users revoke-sessions: %s", r.err);
    ck_assert_msg(strstr(r.out, expect), "%s, expected %s", r.out, expect);
    th_result_free(&r);
    ck_assert_int_eq(me(port, alice), 401);
    ck_assert_int_eq(me(port, bob), 200);
    /* she is not disabled: she logs in again */
    ck_assert_int_eq(login(port, "alice", PASSWORD, alice), 200);
    ck_assert_int_eq(audit_count(c, "user_revoke_sessions", "alice"), 1);
    TH_ASSERT_VALUE(c, "SELECT detail->>'disabled_after' FROM audit"
                       " WHERE action = 'user_revoke_sessions'", "false");
    cs_review_server_stop(&srv);
    PQfinish(c);
}
END_TEST

static Suite *users_suite(void)
{
    Suite *s = suite_create("users");
    TCase *cli = tcase_create("cli");
    TCase *station = tcase_create("station");

    tcase_add_test(cli, test_list);
    tcase_add_test(cli, test_usage_and_unknown_user);
    tcase_set_timeout(cli, 60);
    tcase_add_test(station, test_disable_enable);
    tcase_add_test(station, test_passwd);
    tcase_add_test(station, test_revoke_sessions);
    tcase_set_timeout(station, 120);
    suite_add_tcase(s, cli);
    suite_add_tcase(s, station);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;
    th_result r;
    char *out = NULL;

    th_setup(&env, "us");
    r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "init: %s\n", r.err);
        exit(2);
    }
    th_result_free(&r);
    setenv("CHARTSCAN_ACTOR", "opsadmin", 1);
    if (chartscan_stdin(PASSWORD, "users add alice --role reviewer", &out) != 0 ||
        (free(out), chartscan_stdin(PASSWORD, "users add bob --role reviewer", &out)) != 0) {
        fprintf(stderr, "users add: %s\n", out);
        exit(2);
    }
    free(out);
    sr = srunner_create(users_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

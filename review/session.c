/*
 * session.c — the review station's sessions: the login (its throttle per
 * user name and address, the session and CSRF tokens, the cookie), the
 * logout, and finding the session of a request's cookie.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define IDLE_SECONDS    1800           /* a session unused this long is over */
#define MAX_AGE_SECONDS (12 * 3600)    /* and any session after a working day */
#define FREE_FAILURES   3              /* failed logins of a name from one address */
#define ADDR_FAILURES   9              /* failed logins from one address, any names */
#define MAX_WAIT        300
#define COOKIE          "cs_session"

/* The session cookie's value, as libmicrohttpd parsed the Cookie header: NULL when none. */
static const char *session_cookie(cs_review_context *x)
{
    return MHD_lookup_connection_value(x->conn, MHD_COOKIE_KIND, COOKIE);
}

static const char *cookie_attributes(const cs_review_context *x)
{
    return x->srv->https ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
                         : "; Path=/; HttpOnly; SameSite=Strict";
}

/* The session of the request's cookie: 1 found (x->who), 0 none, -1 database error. */
int cs_review_session_find(cs_review_context *x)
{
    char token[80], hash[65], err[CS_ERRLEN];

    if (!cs_review_cookie_token(session_cookie(x), token, sizeof token) ||
        strlen(token) != 64)
        return 0;
    cs_review_token_hash(token, hash);
    return cs_review_store_session_get(x->srv->store, hash, IDLE_SECONDS, MAX_AGE_SECONDS,
                                       &x->who, err, sizeof err);
}

/* ---- the login ---- */

enum MHD_Result cs_review_login(cs_review_context *x)
{
    char name[80], password[CS_REVIEW_PASSWORD_MAX + 2], addr[CS_REVIEW_ADDRESS_MAX];
    char ukey[160], akey[96], token[65], csrf[65], hash[65], cookie[200], err[CS_ERRLEN];
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    const char *xrw = cs_review_header(x, "X-Requested-With");
    cs_review_user user;
    int wait_user, wait_addr, found, ok;
    cs_store *s = x->srv->store;

    /* a cross-site form cannot set this header: no login CSRF */
    if (!xrw || strcmp(xrw, "chartscan") != 0)
        return cs_review_send_error(x, 403, "missing X-Requested-With header");
    if (cs_review_form_get(body, "name", name, sizeof name) != 1 ||
        !cs_review_user_name_ok(name))
        return cs_review_send_error(x, 400, "a user name is required");
    if (cs_review_form_get(body, "password", password, sizeof password) != 1 || !*password)
        return cs_review_send_error(x, 400, "a password is required");
    cs_review_request_address(x, addr, sizeof addr);
    /* per name and address: a stranger's failures do not lock the owner out elsewhere */
    snprintf(ukey, sizeof ukey, "user:%s@%s", name, addr);
    snprintf(akey, sizeof akey, "addr:%s", addr);
    wait_user = cs_review_store_throttle_wait(s, ukey, err, sizeof err);
    wait_addr = cs_review_store_throttle_wait(s, akey, err, sizeof err);
    if (wait_user < 0 || wait_addr < 0)
        return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
    if (wait_user > 0 || wait_addr > 0) {
        char retry[16], msg[96];
        int w = wait_user > wait_addr ? wait_user : wait_addr;
        snprintf(retry, sizeof retry, "%d", w);
        snprintf(msg, sizeof msg, "{\"error\":\"too many failed logins: try again in %d s\"}", w);
        memset(password, 0, sizeof password);
        return cs_review_send(x, 429, "application/json; charset=utf-8", msg, strlen(msg),
                              "Retry-After", retry);
    }
    found = cs_review_store_user_get(s, name, &user, err, sizeof err);
    if (found < 0)
        return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
    ok = cs_review_password_verify(found ? user.password_hash : x->srv->dummy_hash, password);
    memset(password, 0, sizeof password);
    if (!found || !ok) {
        /* an unknown name is not recorded: it may be a password typed in the wrong box */
        if (cs_review_store_throttle_fail(s, ukey, FREE_FAILURES, MAX_WAIT, err, sizeof err) < 0 ||
            cs_review_store_throttle_fail(s, akey, ADDR_FAILURES, MAX_WAIT, err, sizeof err) < 0 ||
            cs_review_store_audit(s, found ? user.name : "-", "login_failed", "user",
                                  found ? user.name : NULL,
                                  found ? "{\"reason\":\"wrong password\"}"
                                        : "{\"reason\":\"unknown user\"}", err, sizeof err) < 0)
            return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
        cs_log(CS_LOG_WARN, "review: failed login");
        return cs_review_send_error(x, 401, "wrong user name or password");
    }
    if (cs_review_token_new(token) < 0 || cs_review_token_new(csrf) < 0)
        return cs_review_send_error(x, 500, "could not make a session token");
    cs_review_token_hash(token, hash);
    if (cs_review_store_throttle_clear(s, ukey, err, sizeof err) < 0 ||
        cs_review_store_throttle_clear(s, akey, err, sizeof err) < 0 ||
        cs_review_store_session_create(s, user.id, hash, csrf, IDLE_SECONDS, err, sizeof err) < 0 ||
        cs_review_store_audit(s, user.name, "login", "session", NULL, NULL, err, sizeof err) < 0)
        return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
    snprintf(cookie, sizeof cookie, COOKIE "=%s%s", token, cookie_attributes(x));
    {
        cs_buf b = CS_BUF_INIT;
        enum MHD_Result r;
        cs_buf_puts(&b, "{\"ok\":true,\"name\":");
        cs_buf_json_string(&b, user.name);
        cs_buf_puts(&b, "}");
        if (!b.data || cs_buf_failed(&b))
            r = MHD_NO;     /* out of memory: drop the connection, never half a body */
        else
            r = cs_review_send(x, 200, "application/json; charset=utf-8", b.data, b.len,
                               "Set-Cookie", cookie);
        cs_buf_free(&b);
        return r;
    }
}

enum MHD_Result cs_review_logout(cs_review_context *x)
{
    char token[80], hash[65], err[CS_ERRLEN], cookie[120];
    if (cs_review_cookie_token(session_cookie(x), token, sizeof token)) {
        cs_review_token_hash(token, hash);
        if (cs_review_store_session_delete(x->srv->store, hash, err, sizeof err) < 0 ||
            cs_review_store_audit(x->srv->store, x->who.name, "logout", "session", NULL, NULL,
                                  err, sizeof err) < 0)
            return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
    }
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Max-Age=0", cookie_attributes(x));
    return cs_review_send(x, 200, "application/json; charset=utf-8", "{\"ok\":true}", 11,
                          "Set-Cookie", cookie);
}

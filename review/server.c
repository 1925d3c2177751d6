/*
 * server.c — the review station's HTTP server on libmicrohttpd: routing,
 * sessions, CSRF, the login and its throttle, and the JSON API the pages
 * call.  Pages and scripts are static (review/assets/, compiled in) and
 * hold no patient data; everything about documents and patients comes
 * from the API, and only to a logged-in user.
 *
 * Routes (every /api/ call but the login needs a session, else 401; pages
 * without a session redirect to /login; every POST but the login needs the
 * session's X-CSRF-Token, else 403):
 *   GET  /login  /queue  /document/ID  /static/...
 *   POST /api/login (X-Requested-With: chartscan; name, password)  /api/logout
 *   GET  /api/me  /api/queue?batch=&reason=&offset=  /api/patients?q=
 *   GET  /api/documents/ID  /api/documents/ID/next?dir=1|-1&batch=&reason=
 *   GET  /api/documents/ID/pages/N.png?w=WIDTH
 *   POST /api/documents/ID/{claim,release,confirm,type,patient,split,merge,
 *        blank,not-blank,reject}
 *   GET  /api/users  /api/audit?user=&since=&limit=            (admins only)
 * A document id in a URL is checked against the user's role first
 * (cs_review_store_may_see): 403 for a reviewer's request for a document
 * that is not in review and that they did not work on.
 *
 * The daemon runs in "external polling" mode on one thread of ours
 * (serve_loop): MHD_run_wait, then the connection guard's sweep of late
 * requests (guard.c).  One thread, so the one database connection is never
 * used by two requests at once.
 */
#include "review/review.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define MAX_BODY        16384
#define MAX_URL         512
#define LEASE_SECONDS   900            /* renewed by the page every minute */
#define IDLE_SECONDS    1800           /* a session unused this long is over */
#define MAX_AGE_SECONDS (12 * 3600)    /* and any session after a working day */
#define FREE_FAILURES   3              /* failed logins of a name from one address */
#define ADDR_FAILURES   9              /* failed logins from one address, any names */
#define MAX_WAIT        300
#define COOKIE          "cs_session"
#define MAX_CONNECTIONS 256
#define PER_CLIENT      16             /* connections one address may hold (not the proxy) */
#define REQUEST_SECONDS 5              /* a request arrives whole within this */
#define IDLE_TIMEOUT    10             /* MHD: seconds without progress, e.g. a slow reader */
#define SEARCHES_PER_MINUTE 20         /* roster searches a user may run */
#define SEARCHES_PER_HOUR   300

struct cs_review_server {
    struct MHD_Daemon *daemon;
    cs_review_guard *guard;
    pthread_t loop;
    int loop_running;
    atomic_int stop;
    cs_store *store;
    int port;
    int https;                        /* the public URL is https: Secure cookies, HSTS */
    char host[258];                   /* as given, for the banner */
    char origin[300];                 /* of the public URL; "": http:// and the Host header */
    char proxy[CS_REVIEW_ADDRESS_MAX]; /* the trusted proxy's address; "": none */
    char dummy_hash[128];             /* verified for unknown users: same time either way */
};

/* One request: its body as it arrives, and what it was answered (for the log). */
typedef struct request {
    cs_buf body;
    int too_large;
    int status;
    const char *route;
    long long document_id;
    double t0;
} request;

typedef struct ctx {
    cs_review_server *srv;
    struct MHD_Connection *conn;
    request *rq;
    const char *method;
    cs_review_who who;
} ctx;

/* ---- responses ---- */

static void common_headers(const cs_review_server *srv, struct MHD_Response *r)
{
    if (srv->https)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self'; script-src 'self'; "
                            "style-src 'self'; frame-ancestors 'none'; form-action 'self'");
}

static enum MHD_Result send_full(ctx *x, int status, const char *type, const void *data,
                                 size_t len, const char *h1, const char *v1)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;

    if (!r)
        return MHD_NO;
    common_headers(x->srv, r);
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    if (h1)
        MHD_add_response_header(r, h1, v1);
    x->rq->status = status;
    ok = MHD_queue_response(x->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_json(ctx *x, int status, const char *json)
{
    return send_full(x, status, "application/json; charset=utf-8", json, strlen(json), NULL, NULL);
}

static enum MHD_Result send_error(ctx *x, int status, const char *message)
{
    cs_buf b = CS_BUF_INIT;
    enum MHD_Result ok;

    cs_buf_puts(&b, "{\"error\":");
    cs_buf_json_string(&b, message);
    cs_buf_puts(&b, "}");
    ok = b.data && !cs_buf_failed(&b) ? send_json(x, status, b.data) : MHD_NO;
    cs_buf_free(&b);
    return ok;
}

static enum MHD_Result redirect(ctx *x, const char *location)
{
    return send_full(x, 303, "text/plain", "", 0, "Location", location);
}

/* A store failure: the client gets a short message; the details stay out of the log. */
static enum MHD_Result send_store_error(ctx *x, int rc, const char *err)
{
    if (rc == CS_REVIEW_BAD)
        return send_error(x, 400, err);
    if (rc == CS_REVIEW_CONFLICT)
        return send_error(x, 409, err);
    if (rc == CS_REVIEW_LIMIT)
        return send_error(x, 429, err);
    cs_log(CS_LOG_ERROR, "review: %s: database error", x->rq->route);
    return send_error(x, 500, "internal error: the database did not answer as expected");
}

/* The store's JSON answer, or its failure (rc < 0) as send_store_error; frees json. */
static enum MHD_Result send_store_json(ctx *x, int rc, char *json, const char *err)
{
    enum MHD_Result r;

    if (rc < 0) {
        free(json);
        return send_store_error(x, rc, err);
    }
    r = send_json(x, 200, json);
    free(json);
    return r;
}

/* The file of review/assets/ served at path (cs_review_assets), or 404. */
static enum MHD_Result send_asset(ctx *x, const char *path)
{
    for (int i = 0; i < cs_review_asset_count; i++) {
        const cs_review_asset *a = &cs_review_assets[i];
        if (!strcmp(a->path, path))
            return send_full(x, 200, a->content_type, a->body, a->length, NULL, NULL);
    }
    return send_error(x, 404, "not found");
}

/* ---- request pieces ---- */

static const char *header(ctx *x, const char *name)
{
    return MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, name);
}

/* The session cookie's value, as libmicrohttpd parsed the Cookie header: NULL when none. */
static const char *session_cookie(ctx *x)
{
    return MHD_lookup_connection_value(x->conn, MHD_COOKIE_KIND, COOKIE);
}

/* A query argument: NULL when absent or empty. */
static const char *arg(ctx *x, const char *name)
{
    const char *v = MHD_lookup_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

/* The client's address, for the throttle and the audit (cs_review_client_address). */
static void client_address(ctx *x, char *out, size_t outlen)
{
    cs_review_client_address(x->conn, x->srv->proxy[0] ? x->srv->proxy : NULL, out, outlen);
}

static int is_admin(const ctx *x)
{
    return !strcmp(x->who.role, "admin");
}

static const char *cookie_attributes(const ctx *x)
{
    return x->srv->https ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
                         : "; Path=/; HttpOnly; SameSite=Strict";
}

/* The session of the request's cookie: 1 found (x->who), 0 none, -1 database error. */
static int find_session(ctx *x)
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

static enum MHD_Result do_login(ctx *x)
{
    char name[80], password[CS_REVIEW_PASSWORD_MAX + 2], addr[CS_REVIEW_ADDRESS_MAX];
    char ukey[160], akey[96], token[65], csrf[65], hash[65], cookie[200], err[CS_ERRLEN];
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    const char *xrw = header(x, "X-Requested-With");
    cs_review_user user;
    int wait_user, wait_addr, found, ok;
    cs_store *s = x->srv->store;

    /* a cross-site form cannot set this header: no login CSRF */
    if (!xrw || strcmp(xrw, "chartscan") != 0)
        return send_error(x, 403, "missing X-Requested-With header");
    if (cs_review_form_get(body, "name", name, sizeof name) != 1 ||
        !cs_review_user_name_ok(name))
        return send_error(x, 400, "a user name is required");
    if (cs_review_form_get(body, "password", password, sizeof password) != 1 || !*password)
        return send_error(x, 400, "a password is required");
    client_address(x, addr, sizeof addr);
    /* per name and address: a stranger's failures do not lock the owner out elsewhere */
    snprintf(ukey, sizeof ukey, "user:%s@%s", name, addr);
    snprintf(akey, sizeof akey, "addr:%s", addr);
    wait_user = cs_review_store_throttle_wait(s, ukey, err, sizeof err);
    wait_addr = cs_review_store_throttle_wait(s, akey, err, sizeof err);
    if (wait_user < 0 || wait_addr < 0)
        return send_store_error(x, CS_REVIEW_ERROR, err);
    if (wait_user > 0 || wait_addr > 0) {
        char retry[16], msg[96];
        int w = wait_user > wait_addr ? wait_user : wait_addr;
        snprintf(retry, sizeof retry, "%d", w);
        snprintf(msg, sizeof msg, "{\"error\":\"too many failed logins: try again in %d s\"}", w);
        memset(password, 0, sizeof password);
        return send_full(x, 429, "application/json; charset=utf-8", msg, strlen(msg),
                         "Retry-After", retry);
    }
    found = cs_review_store_user_get(s, name, &user, err, sizeof err);
    if (found < 0)
        return send_store_error(x, CS_REVIEW_ERROR, err);
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
            return send_store_error(x, CS_REVIEW_ERROR, err);
        cs_log(CS_LOG_WARN, "review: failed login");
        return send_error(x, 401, "wrong user name or password");
    }
    if (cs_review_token_new(token) < 0 || cs_review_token_new(csrf) < 0)
        return send_error(x, 500, "could not make a session token");
    cs_review_token_hash(token, hash);
    if (cs_review_store_throttle_clear(s, ukey, err, sizeof err) < 0 ||
        cs_review_store_throttle_clear(s, akey, err, sizeof err) < 0 ||
        cs_review_store_session_create(s, user.id, hash, csrf, IDLE_SECONDS, err, sizeof err) < 0 ||
        cs_review_store_audit(s, user.name, "login", "session", NULL, NULL, err, sizeof err) < 0)
        return send_store_error(x, CS_REVIEW_ERROR, err);
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
            r = send_full(x, 200, "application/json; charset=utf-8", b.data, b.len,
                          "Set-Cookie", cookie);
        cs_buf_free(&b);
        return r;
    }
}

static enum MHD_Result do_logout(ctx *x)
{
    char token[80], hash[65], err[CS_ERRLEN], cookie[120];
    if (cs_review_cookie_token(session_cookie(x), token, sizeof token)) {
        cs_review_token_hash(token, hash);
        if (cs_review_store_session_delete(x->srv->store, hash, err, sizeof err) < 0 ||
            cs_review_store_audit(x->srv->store, x->who.name, "logout", "session", NULL, NULL,
                                  err, sizeof err) < 0)
            return send_store_error(x, CS_REVIEW_ERROR, err);
    }
    snprintf(cookie, sizeof cookie, COOKIE "=%s; Max-Age=0", cookie_attributes(x));
    return send_full(x, 200, "application/json; charset=utf-8", "{\"ok\":true}", 11,
                     "Set-Cookie", cookie);
}

/* ---- the API ---- */

/* The queue filter from the query string: 0, or -1 when malformed. */
static int read_filter(ctx *x, cs_review_filter *f)
{
    const char *batch = arg(x, "batch"), *reason = arg(x, "reason"), *offset = arg(x, "offset");

    memset(f, 0, sizeof *f);
    f->limit = 200;
    if (batch && cs_review_parse_id(batch, &f->batch_id) < 0)
        return -1;
    if (reason && !cs_review_text_ok(reason, 200))
        return -1;
    f->reason = reason;
    if (offset && cs_review_parse_int(offset, 0, 1000000, &f->offset) < 0)
        return -1;
    return 0;
}

static enum MHD_Result do_me(ctx *x)
{
    cs_buf b = CS_BUF_INIT;
    enum MHD_Result r;
    cs_buf_puts(&b, "{\"name\":");
    cs_buf_json_string(&b, x->who.name);
    cs_buf_puts(&b, ",\"role\":");
    cs_buf_json_string(&b, x->who.role);
    cs_buf_puts(&b, ",\"csrf\":");
    cs_buf_json_string(&b, x->who.csrf);
    cs_buf_printf(&b, ",\"lease_seconds\":%d}", LEASE_SECONDS);
    r = b.data && !cs_buf_failed(&b) ? send_json(x, 200, b.data) : MHD_NO;
    cs_buf_free(&b);
    return r;
}

static enum MHD_Result do_queue(ctx *x)
{
    cs_review_filter f;
    char *json = NULL, err[CS_ERRLEN];
    int rc;

    if (read_filter(x, &f) < 0)
        return send_error(x, 400, "malformed filter (batch, reason or offset)");
    rc = cs_review_store_queue(x->srv->store, &f, &json, err, sizeof err);
    return send_store_json(x, rc, json, err);
}

static enum MHD_Result do_patients(ctx *x)
{
    static const cs_review_search_limit rate = {SEARCHES_PER_MINUTE, SEARCHES_PER_HOUR};
    const char *q = arg(x, "q");
    char *json = NULL, err[CS_ERRLEN];
    int rc, wait = 0;

    if (!q || !cs_review_text_ok(q, 100) || strlen(q) < 2)
        return send_error(x, 400, "the search needs 2 to 100 characters of text");
    rc = cs_review_store_roster_search(x->srv->store, x->who.name, q, 20, &rate, &wait, &json,
                                       err, sizeof err);
    if (rc == CS_REVIEW_LIMIT) {
        char retry[16], msg[120];
        snprintf(retry, sizeof retry, "%d", wait);
        snprintf(msg, sizeof msg, "{\"error\":\"too many roster searches: try again in %d s\"}",
                 wait);
        return send_full(x, 429, "application/json; charset=utf-8", msg, strlen(msg),
                         "Retry-After", retry);
    }
    return send_store_json(x, rc, json, err);
}

static enum MHD_Result do_document(ctx *x, long long id)
{
    char *json = NULL, err[CS_ERRLEN];
    int rc = cs_review_store_document(x->srv->store, id, x->who.name, &json, err, sizeof err);

    if (rc == CS_REVIEW_BAD)
        return send_error(x, 404, err);   /* json is NULL */
    return send_store_json(x, rc, json, err);
}

static enum MHD_Result do_next(ctx *x, long long id)
{
    cs_review_filter f;
    const char *dir = arg(x, "dir");
    char err[CS_ERRLEN], json[64];
    int direction = 1;
    long long next;

    if (read_filter(x, &f) < 0 || (dir && cs_review_parse_int(dir, -1, 1, &direction) < 0) ||
        direction == 0)
        return send_error(x, 400, "malformed request (dir is 1 or -1)");
    next = cs_review_store_neighbour(x->srv->store, id, direction, &f, x->who.name, err,
                                     sizeof err);
    if (next < 0)
        return send_store_error(x, (int)next, err);
    if (next)
        snprintf(json, sizeof json, "{\"id\":%lld}", next);
    else
        snprintf(json, sizeof json, "{\"id\":null}");
    return send_json(x, 200, json);
}

static enum MHD_Result do_page_png(ctx *x, long long id, const char *rest)
{
    char num[16], err[CS_ERRLEN];
    const char *w = arg(x, "w");
    size_t n = strcspn(rest, ".");
    unsigned char *tiff = NULL, *png = NULL;
    size_t tlen = 0, plen = 0;
    int page, width = 1400, rc;
    enum MHD_Result r;

    if (n == 0 || n >= sizeof num || strcmp(rest + n, ".png") != 0)
        return send_error(x, 400, "malformed page image path");
    memcpy(num, rest, n);
    num[n] = '\0';
    if (cs_review_parse_int(num, 1, CS_MAX_PAGES_PER_FILE, &page) < 0)
        return send_error(x, 400, "malformed page number");
    if (w && cs_review_parse_int(w, 64, 4000, &width) < 0)
        return send_error(x, 400, "the width is 64 to 4000 pixels");
    rc = cs_review_store_page_image(x->srv->store, id, page, x->who.name, &tiff, &tlen, err,
                                    sizeof err);
    if (rc == CS_REVIEW_BAD)
        return send_error(x, 404, err);
    if (rc < 0)
        return send_store_error(x, rc, err);
    rc = cs_review_page_png(tiff, tlen, width, &png, &plen, err, sizeof err);
    free(tiff);
    if (rc < 0) {
        cs_log(CS_LOG_WARN, "review: document %lld page %d: %s", id, page, err);
        return send_error(x, 500, "could not render the page image");
    }
    r = send_full(x, 200, "image/png", png, plen, NULL, NULL);
    free(png);
    return r;
}

static const struct { const char *name; cs_review_action_kind kind; } actions[] = {
    {"confirm", CS_REVIEW_CONFIRM},       {"type", CS_REVIEW_CHANGE_TYPE},
    {"patient", CS_REVIEW_CHANGE_PATIENT}, {"split", CS_REVIEW_SPLIT},
    {"merge", CS_REVIEW_MERGE},           {"blank", CS_REVIEW_PAGE_BLANK},
    {"not-blank", CS_REVIEW_PAGE_NOT_BLANK}, {"reject", CS_REVIEW_REJECT},
};

static enum MHD_Result do_action(ctx *x, long long id, const char *name)
{
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    char doctype[80], patient[32], page[16], reason[520], err[CS_ERRLEN], json[96];
    cs_review_action a;
    long long result = 0;
    int rc, found = 0;

    memset(&a, 0, sizeof a);
    if (!strcmp(name, "claim")) {
        char holder[CS_REVIEW_NAME_MAX + 1];
        rc = cs_review_store_claim(x->srv->store, id, x->who.name, LEASE_SECONDS, holder, err,
                                   sizeof err);
        if (rc == CS_REVIEW_BAD)
            return send_error(x, 404, err);
        if (rc < 0)
            return send_store_error(x, rc, err);
        snprintf(json, sizeof json, "{\"ok\":true,\"lease_seconds\":%d}", LEASE_SECONDS);
        return send_json(x, 200, json);
    }
    if (!strcmp(name, "release")) {
        if (cs_review_store_release(x->srv->store, id, x->who.name, err, sizeof err) < 0)
            return send_store_error(x, CS_REVIEW_ERROR, err);
        return send_json(x, 200, "{\"ok\":true}");
    }
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (!strcmp(name, actions[i].name)) {
            a.kind = actions[i].kind;
            found = 1;
        }
    }
    if (!found)
        return send_error(x, 404, "no such action");
    a.document_id = id;
    a.user = x->who.name;
    switch (a.kind) {
    case CS_REVIEW_CHANGE_TYPE:
        if (cs_review_form_get(body, "doctype", doctype, sizeof doctype) != 1 ||
            !cs_review_text_ok(doctype, 64))
            return send_error(x, 400, "a document type is required");
        a.doctype = doctype;
        break;
    case CS_REVIEW_CHANGE_PATIENT:
        if (cs_review_form_get(body, "patient_id", patient, sizeof patient) != 1 ||
            cs_review_parse_id(patient, &a.patient_id) < 0)
            return send_error(x, 400, "a patient id is required");
        break;
    case CS_REVIEW_SPLIT:
    case CS_REVIEW_PAGE_BLANK:
    case CS_REVIEW_PAGE_NOT_BLANK:
        if (cs_review_form_get(body, "page", page, sizeof page) != 1 ||
            cs_review_parse_int(page, 1, CS_MAX_PAGES_PER_FILE, &a.page_no) < 0)
            return send_error(x, 400, "a page number is required");
        break;
    case CS_REVIEW_REJECT:
        if (cs_review_form_get(body, "reason", reason, sizeof reason) != 1 ||
            !cs_review_text_ok(reason, 500))
            return send_error(x, 400, "a reason (up to 500 characters) is required");
        a.reason = reason;
        break;
    default:
        break;
    }
    rc = cs_review_store_act(x->srv->store, &a, &result, err, sizeof err);
    if (rc < 0)
        return send_store_error(x, rc, err);
    snprintf(json, sizeof json, "{\"ok\":true,\"document\":%lld}", result);
    return send_json(x, 200, json);
}

/* ---- for admins ---- */

static enum MHD_Result do_users(ctx *x)
{
    char *json = NULL, err[CS_ERRLEN];
    int rc = cs_review_store_users_json(x->srv->store, &json, err, sizeof err);
    return send_store_json(x, rc, json, err);
}

static enum MHD_Result do_audit(ctx *x)
{
    const char *user = arg(x, "user"), *since = arg(x, "since"), *limit = arg(x, "limit");
    char *json = NULL, err[CS_ERRLEN];
    int n = 200, rc;

    if ((user && !cs_review_user_name_ok(user)) || (since && !cs_review_text_ok(since, 64)) ||
        (limit && cs_review_parse_int(limit, 1, 1000, &n) < 0))
        return send_error(x, 400, "malformed filter (user, since, or limit 1 to 1000)");
    rc = cs_review_store_audit_json(x->srv->store, x->who.name, user, since, n, &json, err,
                                    sizeof err);
    return send_store_json(x, rc, json, err);
}

/* ---- routing ---- */

/* May the user see document id?  MHD_YES/NO when answered (403, 404, 500), -1 to go on. */
static int refuse_document(ctx *x, long long id, enum MHD_Result *answer)
{
    char err[CS_ERRLEN];
    int rc = cs_review_store_may_see(x->srv->store, id, x->who.name, is_admin(x), err,
                                     sizeof err);
    if (rc == 1)
        return 0;
    if (rc == 0)
        *answer = send_error(x, 403, err);
    else if (rc == CS_REVIEW_BAD)
        *answer = send_error(x, 404, err);
    else
        *answer = send_store_error(x, rc, err);
    return 1;
}

static enum MHD_Result route_api_document(ctx *x, const char *path)
{
    char idtext[24];
    size_t n = strcspn(path, "/");
    const char *rest = path + n;
    long long id;

    if (n == 0 || n >= sizeof idtext)
        return send_error(x, 400, "malformed document id");
    memcpy(idtext, path, n);
    idtext[n] = '\0';
    if (cs_review_parse_id(idtext, &id) < 0)
        return send_error(x, 400, "malformed document id");
    x->rq->document_id = id;
    if (*rest && !strcmp(rest + 1, "next")) {
        /* the queue's neighbour: only documents in review, whatever the anchor */
        x->rq->route = "next";
        return !strcmp(x->method, "GET") ? do_next(x, id) : send_error(x, 405, "use GET");
    }
    if (!*rest) {
        x->rq->route = "document";
        if (strcmp(x->method, "GET") != 0)
            return send_error(x, 405, "use GET");
    } else if (!strncmp(rest + 1, "pages/", 6)) {
        x->rq->route = "page image";
        if (strcmp(x->method, "GET") != 0)
            return send_error(x, 405, "use GET");
    } else {
        x->rq->route = "action";
        if (strcmp(x->method, "POST") != 0)
            return send_error(x, 405, "use POST");
        if (strlen(rest + 1) > 16 || strchr(rest + 1, '/'))
            return send_error(x, 404, "no such action");
    }
    {
        enum MHD_Result answer = MHD_NO;
        if (refuse_document(x, id, &answer))
            return answer;
    }
    if (!*rest)
        return do_document(x, id);
    if (!strncmp(rest + 1, "pages/", 6))
        return do_page_png(x, id, rest + 7);
    return do_action(x, id, rest + 1);
}

static enum MHD_Result route(ctx *x, const char *url)
{
    int is_api = !strncmp(url, "/api/", 5), found;
    int is_post = !strcmp(x->method, "POST");

    if (strcmp(x->method, "GET") != 0 && !is_post)
        return send_error(x, 405, "only GET and POST");
    if (x->rq->too_large)
        return send_error(x, 413, "request body too large");
    if (strlen(url) > MAX_URL)
        return send_error(x, 400, "request path too long");
    /* public: the login page, its script, the style sheet, the login call */
    if (!strcmp(url, "/login") || !strncmp(url, "/static/", 8)) {
        x->rq->route = url[1] == 'l' ? "login page" : "static";
        return send_asset(x, url);
    }
    if (!strcmp(url, "/api/login")) {
        x->rq->route = "login";
        return is_post ? do_login(x) : send_error(x, 405, "use POST");
    }
    found = find_session(x);
    if (found < 0)
        return send_store_error(x, CS_REVIEW_ERROR, "");
    if (!found) {
        x->rq->route = "unauthenticated";
        return is_api ? send_error(x, 401, "not logged in") : redirect(x, "/login");
    }
    if (is_post) {
        const char *origin = header(x, "Origin"), *host = header(x, "Host");
        char expect[300];
        if (!cs_review_csrf_valid(x->who.csrf, header(x, "X-CSRF-Token"))) {
            x->rq->route = "csrf";
            return send_error(x, 403, "missing or wrong CSRF token");
        }
        /* behind a TLS proxy the browser's origin is the public URL's, whatever Host says */
        if (x->srv->origin[0])
            snprintf(expect, sizeof expect, "%s", x->srv->origin);
        else
            snprintf(expect, sizeof expect, "http://%s", host ? host : "");
        if (origin && strcasecmp(origin, expect) != 0) {
            x->rq->route = "origin";
            return send_error(x, 403, "cross-origin request refused");
        }
    }
    if (!strcmp(url, "/") ) {
        x->rq->route = "root";
        return redirect(x, "/queue");
    }
    if (!strcmp(url, "/queue")) {
        x->rq->route = "queue page";
        return send_asset(x, "/queue");
    }
    if (!strncmp(url, "/document/", 10)) {
        long long id;
        x->rq->route = "document page";
        if (cs_review_parse_id(url + 10, &id) < 0)
            return send_error(x, 400, "malformed document id");
        return send_asset(x, "/document");
    }
    if (!strcmp(url, "/api/me")) {
        x->rq->route = "me";
        return do_me(x);
    }
    if (!strcmp(url, "/api/logout")) {
        x->rq->route = "logout";
        return is_post ? do_logout(x) : send_error(x, 405, "use POST");
    }
    if (!strcmp(url, "/api/queue")) {
        x->rq->route = "queue";
        return do_queue(x);
    }
    if (!strcmp(url, "/api/patients")) {
        x->rq->route = "patients";
        return do_patients(x);
    }
    if (!strncmp(url, "/api/documents/", 15))
        return route_api_document(x, url + 15);
    if (!strcmp(url, "/api/users") || !strcmp(url, "/api/audit")) {
        x->rq->route = url[5] == 'u' ? "users" : "audit";
        if (!is_admin(x))
            return send_error(x, 403, "for admins only");
        if (strcmp(x->method, "GET") != 0)
            return send_error(x, 405, "use GET");
        return url[5] == 'u' ? do_users(x) : do_audit(x);
    }
    x->rq->route = "not found";
    return send_error(x, 404, "not found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    cs_review_server *srv = cls;
    request *rq = *con_cls;
    ctx x;
    enum MHD_Result r;

    (void)version;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        rq->t0 = cs_now_ms();
        rq->route = "?";
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (rq->body.len + *upload_size > MAX_BODY)
            rq->too_large = 1;
        else if (!rq->too_large && cs_buf_append(&rq->body, upload_data, *upload_size) < 0)
            rq->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    /* the request has arrived whole: the guard's clock stops */
    cs_review_guard_request_arrived(conn);
    memset(&x, 0, sizeof x);
    x.srv = srv;
    x.conn = conn;
    x.rq = rq;
    x.method = method;
    if (!cs_store_ok(srv->store)) {
        char err[CS_ERRLEN];
        cs_store_close(&srv->store);
        if (cs_store_open_as(&srv->store, CS_DB_REVIEWER, err, sizeof err) < 0) {
            cs_log(CS_LOG_ERROR, "review: the database connection is lost and could not be "
                   "opened again");
            return send_error(&x, 503, "the database is not reachable");
        }
    }
    {
        /* the audit rows this request writes name its client */
        char addr[CS_REVIEW_ADDRESS_MAX], err[CS_ERRLEN];
        client_address(&x, addr, sizeof addr);
        if (cs_review_store_set_client(srv->store, addr, err, sizeof err) < 0)
            return send_store_error(&x, CS_REVIEW_ERROR, err);
    }
    r = route(&x, url);
    return r;
}

/* The request line for the log: the route and the document id, never the path's text. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request *rq = *con_cls;
    (void)cls;
    (void)toe;
    /* the response is out: the next request on the connection has its own deadline */
    cs_review_guard_request_over(conn);
    if (!rq)
        return;
    if (rq->document_id)
        cs_log(CS_LOG_INFO, "review: %s, document %lld: %d (%.0f ms)", rq->route,
               rq->document_id, rq->status, cs_now_ms() - rq->t0);
    else
        cs_log(CS_LOG_INFO, "review: %s: %d (%.0f ms)", rq->route, rq->status,
               cs_now_ms() - rq->t0);
    cs_buf_free(&rq->body);
    free(rq);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    /* a client gone, or cut off by the guard: routine, and a flood under attack (the
       guard reports a count instead) */
    cs_log(strstr(line, "closed") ? CS_LOG_DEBUG : CS_LOG_WARN, "review: http: %s", line);
}

/* ---- life cycle ---- */

/* Resolve "HOST:PORT" or "[V6]:PORT" (numeric or a name such as localhost). */
static int parse_listen(const char *listen, struct sockaddr_storage *sa, socklen_t *salen,
                        char host[256], char *err, size_t errlen)
{
    char port[16];
    const char *colon;
    struct addrinfo hints, *res = NULL;
    int n, gai;

    if (!listen || strlen(listen) >= 256)
        return cs_fail(err, errlen, "--listen needs HOST:PORT");
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':')
            return cs_fail(err, errlen, "\"%s\" is not [ADDRESS]:PORT", listen);
        snprintf(host, 256, "%.*s", (int)(end - listen - 1), listen + 1);
        colon = end + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || colon == listen)
            return cs_fail(err, errlen, "\"%s\" is not HOST:PORT", listen);
        snprintf(host, 256, "%.*s", (int)(colon - listen), listen);
    }
    if (cs_review_parse_int(colon + 1, 0, 65535, &n) < 0 || colon[1] == '-')
        return cs_fail(err, errlen, "\"%s\": the port is 0 to 65535", listen);
    snprintf(port, sizeof port, "%d", n);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0 || !res)
        return cs_fail(err, errlen, "could not resolve \"%s\": %s", host, gai_strerror(gai));
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *salen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* The server's one thread: MHD's rounds, and between them the guard's sweep. */
static void *serve_loop(void *arg)
{
    cs_review_server *srv = arg;

    while (!atomic_load(&srv->stop)) {
        MHD_run_wait(srv->daemon, 200);
        cs_review_guard_sweep(srv->guard);
    }
    return NULL;
}

/* Check and keep the public URL and the trusted proxy of o. */
static int take_options(cs_review_server *srv, const cs_review_options *o, char *err,
                        size_t errlen)
{
    if (o->public_url &&
        cs_review_public_url_parse(o->public_url, srv->origin, sizeof srv->origin, &srv->https,
                                   err, errlen) < 0)
        return -1;
    if (o->trusted_proxy &&
        cs_review_address_canonical(o->trusted_proxy, srv->proxy, sizeof srv->proxy) < 0)
        return cs_fail(err, errlen, "--trusted-proxy \"%s\" is not a numeric IPv4 or IPv6 "
                       "address", o->trusted_proxy);
    return 0;
}

cs_review_server *cs_review_server_start(const cs_review_options *o, char *err, size_t errlen)
{
    static const cs_review_options defaults = {NULL, NULL, NULL};
    struct sockaddr_storage sa;
    socklen_t salen = 0;
    cs_review_server *srv;
    const union MHD_DaemonInfo *info;
    /* external polling, on our own thread (serve_loop); epoll where there is one */
    unsigned flags = MHD_USE_ERROR_LOG | MHD_USE_AUTO;
    const char *listen;
    char host[256];

    if (!o)
        o = &defaults;
    listen = o->listen ? o->listen : CS_REVIEW_DEFAULT_LISTEN;
    if (parse_listen(listen, &sa, &salen, host, err, errlen) < 0)
        return NULL;
    srv = calloc(1, sizeof *srv);
    if (!srv) {
        cs_fail(err, errlen, "out of memory");
        return NULL;
    }
    atomic_init(&srv->stop, 0);
    snprintf(srv->host, sizeof srv->host, sa.ss_family == AF_INET6 ? "[%s]" : "%s", host);
    if (take_options(srv, o, err, errlen) < 0)
        goto fail;
    srv->guard = cs_review_guard_new(MAX_CONNECTIONS, PER_CLIENT, REQUEST_SECONDS,
                                     srv->proxy[0] ? srv->proxy : NULL);
    if (!srv->guard) {
        cs_fail(err, errlen, "out of memory");
        goto fail;
    }
    if (cs_store_open_as(&srv->store, CS_DB_REVIEWER, err, errlen) < 0 ||
        cs_store_require_schema(srv->store, err, errlen) < 0 ||
        cs_review_password_hash("no such user: a hash to verify against", srv->dummy_hash,
                                err, errlen) < 0)
        goto fail;
    if (sa.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(flags, 0, cs_review_guard_accept, srv->guard, on_request, srv,
                                   MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
                                   MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                                   MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
                                   MHD_OPTION_NOTIFY_CONNECTION, cs_review_guard_notify,
                                   srv->guard,
                                   MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
                                   MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT,
                                   MHD_OPTION_END);
    if (!srv->daemon) {
        cs_fail(err, errlen, "could not listen on %s (in use, or not an address of this host)",
                listen);
        goto fail;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    if (pthread_create(&srv->loop, NULL, serve_loop, srv) != 0) {
        cs_fail(err, errlen, "could not start the server's thread");
        goto fail;
    }
    srv->loop_running = 1;
    return srv;
fail:
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    cs_store_close(&srv->store);
    cs_review_guard_free(&srv->guard);
    free(srv);
    return NULL;
}

int cs_review_server_port(const cs_review_server *srv)
{
    return srv ? srv->port : 0;
}

void cs_review_server_stop(cs_review_server **psrv)
{
    cs_review_server *srv;

    if (!psrv || !*psrv)
        return;
    srv = *psrv;
    atomic_store(&srv->stop, 1);
    if (srv->loop_running)
        pthread_join(srv->loop, NULL);
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon);
    cs_store_close(&srv->store);
    cs_review_guard_free(&srv->guard);
    free(srv);
    *psrv = NULL;
}

int cs_review_serve(const cs_review_options *o, FILE *out, char *err, size_t errlen)
{
    sigset_t set, old;
    cs_review_server *srv;
    int sig = 0;

    /* the server's thread inherits the mask: the signals come to sigwait here */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    srv = cs_review_server_start(o, err, errlen);
    if (!srv) {
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -1;
    }
    fprintf(out, "review station on http://%s:%d/", srv->host, srv->port);
    if (srv->origin[0])
        fprintf(out, ", reached as %s/", srv->origin);
    if (srv->proxy[0])
        fprintf(out, " through the proxy at %s", srv->proxy);
    fprintf(out, " (Ctrl-C to stop)\n");
    fflush(out);
    sigwait(&set, &sig);
    cs_review_server_stop(&srv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    fprintf(out, "review station stopped\n");
    return 0;
}

/*
 * review_internal.h — shared between the files of review/ only (and their
 * unit tests): the static assets compiled into the binary, the server's
 * state and one request's (server.c) with the router (route.c), the
 * handlers (session.c, api_documents.c, api_users.c) and the responses
 * they send (respond.c), the connection guard (guard.c) that the server's
 * loop runs, passwords, tokens and CSRF (auth.c), request validation
 * (validate.c) and page images (image.c).
 */
#ifndef CS_REVIEW_INTERNAL_H
#define CS_REVIEW_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review.h"

/*
 * The station's pages, style sheet and scripts: the files of review/assets/,
 * compiled into the binary by scripts/embed-assets (build/gen/review_assets.c)
 * so that installing chartscan is one file.  Plain HTML, CSS and JavaScript,
 * no framework.  The pages hold no patient data: the scripts fetch it from
 * the API and build the page with textContent (never innerHTML), so data is
 * never parsed as HTML.  Scripts are files, not inline, so that the
 * Content-Security-Policy can forbid inline script.
 */
typedef struct cs_review_asset {
    const char *path;            /* as requested, e.g. "/static/app.css", or a page "/queue" */
    const char *content_type;
    const unsigned char *body;   /* the file's bytes (a '\0' follows them) */
    size_t length;
} cs_review_asset;

extern const cs_review_asset cs_review_assets[];
extern const int cs_review_asset_count;

/* ---- the server, one request, and their handlers ---- */
#define CS_REVIEW_ADDRESS_MAX 64     /* an IPv6 address as text, with room */
#define CS_REVIEW_LEASE_SECONDS 900  /* a claim's lease, renewed by the page every minute */

typedef struct cs_review_guard cs_review_guard;

/* The server (server.c): what every handler may read of it. */
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
typedef struct cs_review_request {
    cs_buf body;
    int too_large;
    int status;
    const char *route;                /* a fixed name of the route, never the path's text */
    long long document_id;
    double t0;
} cs_review_request;

/* One request being answered: the server, the connection, who asks. */
typedef struct cs_review_context {
    cs_review_server *srv;
    struct MHD_Connection *conn;
    cs_review_request *rq;
    const char *method;
    cs_review_who who;                /* set by the router once the session is found */
} cs_review_context;

/*
 * The router (route.c): check the session, CSRF token and origin that url
 * needs, set x->rq->route, and answer with the route's handler.
 */
enum MHD_Result cs_review_route(cs_review_context *x, const char *url);

/*
 * The handlers, each answering one route (MHD_NO: the connection is
 * dropped, e.g. out of memory).  session.c: the login, the logout, and
 * cs_review_session_find, the session of the request's cookie (1 found,
 * in x->who; 0 none; -1 database error).
 */
enum MHD_Result cs_review_login(cs_review_context *x);
enum MHD_Result cs_review_logout(cs_review_context *x);
int cs_review_session_find(cs_review_context *x);
/* api_documents.c; rest is what follows "ID/" ("pages/N.png"), name an action's */
enum MHD_Result cs_review_api_queue(cs_review_context *x);
enum MHD_Result cs_review_api_patients(cs_review_context *x);
enum MHD_Result cs_review_api_document(cs_review_context *x, long long id);
enum MHD_Result cs_review_api_next(cs_review_context *x, long long id);
enum MHD_Result cs_review_api_page_png(cs_review_context *x, long long id, const char *rest);
enum MHD_Result cs_review_api_action(cs_review_context *x, long long id, const char *name);
/* api_users.c (users and audit: the router has checked the admin role) */
enum MHD_Result cs_review_api_me(cs_review_context *x);
enum MHD_Result cs_review_api_users(cs_review_context *x);
enum MHD_Result cs_review_api_audit(cs_review_context *x);
/* api_qa.c: the sample audit's page /qa and its API /api/qa/... (session and CSRF checked) */
enum MHD_Result cs_review_route_qa(cs_review_context *x, const char *url);
enum MHD_Result cs_review_api_dashboard(cs_review_context *x);   /* api_dashboard.c */
enum MHD_Result cs_review_api_search(cs_review_context *x);      /* api_search.c */

/*
 * Responses (respond.c), with the security headers of every answer.
 * cs_review_send: status, Content-Type type (NULL: none), data's len bytes
 * (copied), and one more header h1: v1 when h1 is not NULL.
 */
enum MHD_Result cs_review_send(cs_review_context *x, int status, const char *type,
                               const void *data, size_t len, const char *h1, const char *v1);
enum MHD_Result cs_review_send_json(cs_review_context *x, int status, const char *json);
/* {"error": message} */
enum MHD_Result cs_review_send_error(cs_review_context *x, int status, const char *message);
/* 303 to location */
enum MHD_Result cs_review_redirect(cs_review_context *x, const char *location);
/* A store failure rc (CS_REVIEW_BAD 400, _CONFLICT 409, _LIMIT 429, else 500 with no detail). */
enum MHD_Result cs_review_send_store_error(cs_review_context *x, int rc, const char *err);
/* The store's JSON answer, or its failure (rc < 0) as above; frees json. */
enum MHD_Result cs_review_send_store_json(cs_review_context *x, int rc, char *json,
                                          const char *err);
/* The file of review/assets/ served at path (cs_review_assets), or 404. */
enum MHD_Result cs_review_send_asset(cs_review_context *x, const char *path);
/* A request header's value: NULL when absent. */
const char *cs_review_header(cs_review_context *x, const char *name);
/* A query argument: NULL when absent or empty. */
const char *cs_review_arg(cs_review_context *x, const char *name);
/* The client's address, for the throttle and the audit (cs_review_client_address). */
void cs_review_request_address(cs_review_context *x, char *out, size_t outlen);

/* ---- the connection guard (guard.c) ---- */

/*
 * A guard for at most max_connections connections, per_client of them from
 * one address (trusted_proxy, a canonical numeric address or NULL, is
 * exempt), each request due whole within deadline_s seconds.  NULL when
 * out of memory.
 */
cs_review_guard *cs_review_guard_new(int max_connections, int per_client, double deadline_s,
                                     const char *trusted_proxy);
void cs_review_guard_free(cs_review_guard **pg);
/* MHD's accept policy (cls: the guard): MHD_NO for an address over its share. */
enum MHD_Result cs_review_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* MHD_OPTION_NOTIFY_CONNECTION (cls: the guard): the table of open connections. */
void cs_review_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode code);
/* The request on conn has arrived whole (headers and body): its clock stops. */
void cs_review_guard_request_arrived(struct MHD_Connection *conn);
/* The response on conn is sent: the clock of the next request starts. */
void cs_review_guard_request_over(struct MHD_Connection *conn);
/* Shut down the connections whose request is late; returns how many. */
int cs_review_guard_sweep(cs_review_guard *g);

/*
 * The client of conn, as text: the peer's address, or, when the peer is
 * trusted_proxy (canonical; NULL: none), the last address of the last
 * X-Forwarded-For line, which the proxy appended.  "unknown" when not IP.
 */
void cs_review_client_address(struct MHD_Connection *conn, const char *trusted_proxy,
                              char *out, size_t outlen);
/* sa's address as text (inet_ntop): 0, or -1 (not IPv4 or IPv6; out is ""). */
int cs_review_address_text(const struct sockaddr *sa, char *out, size_t outlen);
/* A numeric IPv4 or IPv6 address rewritten canonically: 0, or -1 when text is none. */
int cs_review_address_canonical(const char *text, char *out, size_t outlen);

/* ---- passwords, tokens, CSRF (auth.c) ---- */
/* Argon2id hash of password into out (crypto_pwhash_STRBYTES = 128 bytes). */
int cs_review_password_hash(const char *password, char out[128], char *err, size_t errlen);
/* 1 when password matches hash, 0 when not (or hash is malformed). */
int cs_review_password_verify(const char *hash, const char *password);
/* A new random token: 64 hex digits (32 bytes from the system's CSPRNG). */
int cs_review_token_new(char out[65]);
/* The SHA-256 of token as 64 hex digits: what the database keeps of a session. */
void cs_review_token_hash(const char *token, char out[65]);
/* 1 when given equals expected (constant time); 0 when not or either is NULL/empty. */
int cs_review_csrf_valid(const char *expected, const char *given);
/*
 * Copy a session cookie's value (as libmicrohttpd parsed it from the Cookie
 * header, MHD_COOKIE_KIND; trailing spaces dropped) into out: 1, or 0 when
 * value is NULL or empty, too long for out, or not a token of hex digits.
 */
int cs_review_cookie_token(const char *value, char *out, size_t outlen);
/*
 * Read a password from in: from a tty with echo off (prompt on out, asked
 * twice when confirm), else one line.  Returns its length, or -1 with err.
 */
int cs_review_read_password(FILE *in, FILE *out, int confirm, char *buf, size_t buflen,
                            char *err, size_t errlen);

/* ---- request validation (validate.c) ---- */
/* A positive id of at most 18 digits, optionally "d-" first: 0 and *out, or -1. */
int cs_review_parse_id(const char *text, long long *out);
/* A decimal integer within [min, max]: 0 and *out, or -1. */
int cs_review_parse_int(const char *text, int min, int max, int *out);
/* 1 when text is valid UTF-8 of 1..max_bytes bytes without control characters. */
int cs_review_text_ok(const char *text, size_t max_bytes);
/* 1 when name is a valid user name ([A-Za-z0-9._-]{1,64}). */
int cs_review_user_name_ok(const char *name);
/*
 * Find field name in an application/x-www-form-urlencoded body and decode
 * it into out: 1 found, 0 absent, -1 malformed or too long.
 */
int cs_review_form_get(const char *body, const char *name, char *out, size_t outlen);

/*
 * Check a --public-url: http:// or https://, a host, an optional port and
 * path, no user name, query or fragment.  0 with its origin
 * ("https://host[:port]", scheme and host in lower case) in origin and
 * *https set; -1 with a message in err.
 */
int cs_review_public_url_parse(const char *url, char *origin, size_t originlen, int *https,
                               char *err, size_t errlen);

/* ---- page images (image.c) ---- */
/*
 * Render a stored page image (the cleaned G4 TIFF) as PNG, scaled down to
 * at most width pixels wide (grey, for legibility).  *png is malloc'd.
 */
int cs_review_page_png(const unsigned char *tiff, size_t len, int width, unsigned char **png,
                       size_t *pnglen, char *err, size_t errlen);

#endif

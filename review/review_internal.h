/*
 * review_internal.h — shared between the files of review/ only (and their
 * unit tests): the static assets compiled into the binary, the connection
 * guard (guard.c) that the server's loop runs, passwords, tokens and CSRF
 * (auth.c), request validation (validate.c) and page images (image.c).
 */
#ifndef CS_REVIEW_INTERNAL_H
#define CS_REVIEW_INTERNAL_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

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

/* ---- the connection guard (guard.c) ---- */
#define CS_REVIEW_ADDRESS_MAX 64     /* an IPv6 address as text, with room */

typedef struct cs_review_guard cs_review_guard;

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

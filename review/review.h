/*
 * review.h — the QA review station: a small web server (libmicrohttpd) in
 * which reviewers see the documents the pipeline would not file by itself,
 * and confirm or correct them; reviewer accounts; the audit listing.
 *
 * Call sequence (the chartscan command):
 *   chartscan serve      cs_review_serve(options, stdout, err, errlen)       blocks until SIGINT/SIGTERM
 *   chartscan users add  cs_review_users_add(s, name, role, stdin, stdout, err, errlen)
 *   chartscan users passwd  cs_review_users_passwd(s, name, stdin, stdout, err, errlen)
 *   chartscan audit      cs_review_audit(s, user, since, stdout, err, errlen)
 * For tests, cs_review_server_start / _port / _stop run the server on its
 * own thread inside the caller's process.
 *
 * The server holds its own database connection (cs_store_open: CHARTSCAN_DB
 * or the embedded server), answers on one thread, and logs request lines
 * (method, path without query, status, milliseconds) at info level: no
 * query strings, no bodies, no patient data.
 *
 * Security: passwords hashed with Argon2id (crypto_pwhash_str); the session
 * cookie holds a random token (HttpOnly, SameSite=Strict, and Secure when
 * the public URL is https) whose SHA-256 is what the database stores; every
 * state-changing request carries the session's CSRF token in the
 * X-CSRF-Token header and, when the browser sends an Origin, comes from the
 * station's own origin (the login, which has no session yet, must carry
 * X-Requested-With: chartscan, which a cross-site form cannot send); failed
 * logins are throttled per (user name, client address) and per client
 * address, so that a stranger cannot lock an account's owner out;
 * unauthenticated pages redirect to /login and API calls answer 401.
 *
 * Roles: a reviewer sees the documents in review and those they worked on
 * (an action of theirs is in the audit trail); an admin sees every
 * document, the accounts and the audit trail.  Every id in a URL is
 * checked against this (403).
 *
 * Abuse: each request must arrive whole within a few seconds of its
 * connection (or of the previous response on it), one client address may
 * hold only a share of the connections (guard.c), and each user may search
 * the roster only so often (429).  Every disclosure (a document, a page
 * image, a roster search, a claim) and every failed login writes an audit
 * row with the client's address.
 *
 * Functions return 0 (or a count) on success, -1 with a message in err.
 */
#ifndef CS_REVIEW_H
#define CS_REVIEW_H

#include <stddef.h>
#include <stdio.h>

#include "pipeline/pipeline.h"

#define CS_REVIEW_DEFAULT_LISTEN "127.0.0.1:8080"
#define CS_REVIEW_PASSWORD_MIN 8
#define CS_REVIEW_PASSWORD_MAX 256

/* How the station is reached: chartscan serve's options. */
typedef struct cs_review_options {
    const char *listen;          /* "HOST:PORT" or "[V6]:PORT"; NULL: 127.0.0.1:8080 */
    const char *public_url;      /* the URL browsers use, e.g. https://review.example.org
                                    behind a TLS proxy: the Origin expected of a POST,
                                    Secure cookies when https; NULL: http://HOST */
    const char *trusted_proxy;   /* the numeric address of the proxy whose
                                    X-Forwarded-For names the client; NULL: none */
} cs_review_options;

/* ---- the commands ---- */
/*
 * cs_review_serve: serve the review station as o says (NULL: the defaults)
 * until SIGINT or SIGTERM.  Prints the address it serves on to out.  Opens
 * its own database connection.
 */
int cs_review_serve(const cs_review_options *o, FILE *out, char *err, size_t errlen);
/*
 * cs_review_users_add: add a user with role "reviewer" or "admin".  The
 * password is read from in: from the terminal with echo off (asked twice)
 * when in is a tty, else the first line.  Never from the command line.
 */
int cs_review_users_add(cs_store *s, const char *name, const char *role, FILE *in, FILE *out,
                        char *err, size_t errlen);
/*
 * cs_review_users_passwd: give user name a new password, read from in as
 * cs_review_users_add reads it; their sessions end (cs_users_set_password).
 */
int cs_review_users_passwd(cs_store *s, const char *name, FILE *in, FILE *out, char *err,
                           size_t errlen);
/* cs_review_audit: list the audit rows (of user, since time; either NULL), as
 * tab-separated lines, or with json as one JSON array (cs_review_store_audit_list). */
int cs_review_audit(cs_store *s, const char *user, const char *since, int json, FILE *out,
                    char *err, size_t errlen);

/* ---- the server, in process (tests) ---- */
typedef struct cs_review_server cs_review_server;
/* Start serving as o says (listen port 0: any free port); NULL on failure. */
cs_review_server *cs_review_server_start(const cs_review_options *o, char *err, size_t errlen);
/* The port it listens on. */
int cs_review_server_port(const cs_review_server *srv);
/* Stop serving, close the connection and free; accepts NULL, nulls *psrv. */
void cs_review_server_stop(cs_review_server **psrv);

/* Check o's public URL and trusted proxy: 0, or -1 with err. */
int cs_review_options_check(const cs_review_options *o, char *err, size_t errlen);

#endif

/*
 * review_internal.h — shared between the files of review/ only: the
 * static assets compiled into the binary, and the connection guard
 * (guard.c) that the server's loop runs.
 */
#ifndef CS_REVIEW_INTERNAL_H
#define CS_REVIEW_INTERNAL_H

#include <microhttpd.h>
#include <stddef.h>
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

#endif

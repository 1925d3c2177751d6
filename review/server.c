/*
 * server.c — the review station's HTTP server on libmicrohttpd: its life
 * cycle (start, stop, chartscan serve), and the daemon's callbacks, which
 * gather a request and hand it to the router (route.c).
 *
 * The station's files, each with one job (their shared declarations are in
 * review_internal.h):
 *   server.c         the daemon, its thread, each request's arrival and log line
 *   route.c          the routes: session, CSRF and origin checks, dispatch
 *   session.c        the login and its throttle, the logout, the session cookie
 *   api_documents.c  the queue, roster search, a document, its pages, actions
 *   api_users.c      who is logged in; the accounts and audit trail (admins)
 *   respond.c        responses (headers, JSON, errors) and request pieces
 *   guard.c, auth.c, validate.c, image.c   (see review_internal.h)
 * Pages and scripts are static (review/assets/, compiled in) and hold no
 * patient data; everything about documents and patients comes from the
 * API, and only to a logged-in user.
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
#include <sys/socket.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define MAX_BODY        16384
#define MAX_CONNECTIONS 256
#define PER_CLIENT      16             /* connections one address may hold (not the proxy) */
#define REQUEST_SECONDS 5              /* a request arrives whole within this */
#define IDLE_TIMEOUT    10             /* MHD: seconds without progress, e.g. a slow reader */

/* ---- requests ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    cs_review_server *srv = cls;
    cs_review_request *rq = *con_cls;
    cs_review_context x;
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
            return cs_review_send_error(&x, 503, "the database is not reachable");
        }
    }
    {
        /* the audit rows this request writes name its client */
        char addr[CS_REVIEW_ADDRESS_MAX], err[CS_ERRLEN];
        cs_review_request_address(&x, addr, sizeof addr);
        if (cs_review_store_set_client(srv->store, addr, err, sizeof err) < 0)
            return cs_review_send_store_error(&x, CS_REVIEW_ERROR, err);
    }
    r = cs_review_route(&x, url);
    return r;
}

/* The request line for the log: the route and the document id, never the path's text. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    cs_review_request *rq = *con_cls;
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

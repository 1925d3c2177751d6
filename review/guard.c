/*
 * guard.c — keeps slow and greedy clients from starving the review
 * station (issue 12, slowloris): a deadline for each request to arrive
 * whole, and a limit on the connections one client address may hold.
 *
 * libmicrohttpd's own connection timeout counts inactivity, so a client
 * that sends one header line every few seconds is never idle long enough
 * to be closed; and its per-address limit would also bind a trusted TLS
 * proxy through which every reviewer comes.  So the guard keeps its own
 * table of the open connections (MHD_OPTION_NOTIFY_CONNECTION), refuses a
 * new one from an address that holds its share already
 * (the accept policy callback; the trusted proxy is exempt), and the
 * server's loop calls cs_review_guard_sweep between rounds of MHD_run_wait
 * to shut down the sockets of requests that did not arrive in time.
 *
 * A request's clock starts when its connection opens, or when the
 * previous response on the connection was sent (keep-alive): an idle
 * keep-alive connection is closed after the same deadline, as Apache's
 * KeepAliveTimeout does.  Everything runs on the server's one loop thread,
 * so the table needs no lock.
 *
 * Who the client is also lives here (cs_review_client_address): the peer,
 * or behind the trusted proxy the address the proxy appended to
 * X-Forwarded-For; those before it are the client's own word, and from
 * anyone but the proxy the header is ignored.
 */
#include "review/review_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "common/common.h"

typedef struct slot {
    struct MHD_Connection *conn;     /* NULL: free */
    int fd;
    char address[CS_REVIEW_ADDRESS_MAX];
    double since;                    /* ms: when the awaited request's clock started */
    int waiting;                     /* 1 while the request has not arrived whole */
    int cut;                         /* shut down for missing its deadline */
} slot;

struct cs_review_guard {
    slot *slots;
    int nslots, per_client;
    double deadline_ms;
    char proxy[CS_REVIEW_ADDRESS_MAX];
    long refused, cut;               /* since the last report in the log */
    double reported;                 /* ms: when that was */
};

int cs_review_address_text(const struct sockaddr *sa, char *out, size_t outlen)
{
    const void *bytes = NULL;

    if (outlen)
        out[0] = '\0';
    if (!sa)
        return -1;
    if (sa->sa_family == AF_INET)
        bytes = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        bytes = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!bytes || !inet_ntop(sa->sa_family, bytes, out, (socklen_t)outlen)) {
        if (outlen)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

int cs_review_address_canonical(const char *text, char *out, size_t outlen)
{
    unsigned char raw[sizeof(struct in6_addr)];
    char copy[CS_REVIEW_ADDRESS_MAX];

    if (outlen)
        out[0] = '\0';
    if (!text || strlen(text) >= sizeof copy)
        return -1;
    snprintf(copy, sizeof copy, "%s", text);
    if (inet_pton(AF_INET, copy, raw) == 1)
        return inet_ntop(AF_INET, raw, out, (socklen_t)outlen) ? 0 : -1;
    if (inet_pton(AF_INET6, copy, raw) == 1)
        return inet_ntop(AF_INET6, raw, out, (socklen_t)outlen) ? 0 : -1;
    return -1;
}

/* The last X-Forwarded-For header line's value (the proxy appends to the last one). */
static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    if (key && value && !strcasecmp(key, "X-Forwarded-For"))
        *(const char **)cls = value;
    return MHD_YES;
}

void cs_review_client_address(struct MHD_Connection *conn, const char *trusted_proxy,
                              char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *xff = NULL;
    char last[CS_REVIEW_ADDRESS_MAX];

    if (!ci || cs_review_address_text(ci->client_addr, out, outlen) < 0) {
        snprintf(out, outlen, "unknown");
        return;
    }
    if (!trusted_proxy || strcmp(out, trusted_proxy) != 0)
        return;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, last_forwarded, &xff);
    if (xff) {
        const char *comma = strrchr(xff, ',');
        const char *v = comma ? comma + 1 : xff;
        size_t n;
        while (*v == ' ' || *v == '\t')
            v++;
        n = strcspn(v, " \t");
        if (n < sizeof last) {
            memcpy(last, v, n);
            last[n] = '\0';
            if (cs_review_address_canonical(last, out, outlen) == 0)
                return;
        }
        /* the proxy's own address, then: everything through it shares a throttle */
        cs_review_address_text(ci->client_addr, out, outlen);
        cs_log(CS_LOG_WARN, "review: the trusted proxy sent a malformed X-Forwarded-For");
    }
}

cs_review_guard *cs_review_guard_new(int max_connections, int per_client, double deadline_s,
                                     const char *trusted_proxy)
{
    cs_review_guard *g = calloc(1, sizeof *g);

    if (!g)
        return NULL;
    g->slots = calloc((size_t)max_connections, sizeof *g->slots);
    if (!g->slots) {
        free(g);
        return NULL;
    }
    g->nslots = max_connections;
    g->per_client = per_client;
    g->deadline_ms = deadline_s * 1000.0;
    if (trusted_proxy)
        snprintf(g->proxy, sizeof g->proxy, "%s", trusted_proxy);
    return g;
}

void cs_review_guard_free(cs_review_guard **pg)
{
    if (!pg || !*pg)
        return;
    free((*pg)->slots);
    free(*pg);
    *pg = NULL;
}

enum MHD_Result cs_review_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    cs_review_guard *g = cls;
    char text[CS_REVIEW_ADDRESS_MAX];
    int held = 0;

    (void)addrlen;
    if (cs_review_address_text(addr, text, sizeof text) < 0)
        return MHD_YES;              /* not IP: nothing to count it by */
    if (g->proxy[0] && !strcmp(text, g->proxy))
        return MHD_YES;              /* every reviewer comes through it */
    for (int i = 0; i < g->nslots; i++)
        if (g->slots[i].conn && !strcmp(g->slots[i].address, text))
            held++;
    if (held >= g->per_client) {
        g->refused++;
        return MHD_NO;
    }
    return MHD_YES;
}

void cs_review_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                           enum MHD_ConnectionNotificationCode code)
{
    cs_review_guard *g = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci;
        *socket_context = NULL;
        for (int i = 0; i < g->nslots; i++) {
            slot *s = &g->slots[i];
            if (s->conn)
                continue;
            memset(s, 0, sizeof *s);
            s->conn = conn;
            s->fd = -1;
            ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (ci)
                s->fd = ci->connect_fd;
            ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
            if (ci)
                cs_review_address_text(ci->client_addr, s->address, sizeof s->address);
            s->since = cs_now_ms();
            s->waiting = 1;
            *socket_context = s;
            return;
        }
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        slot *s = *socket_context;
        if (s)
            memset(s, 0, sizeof *s);
        *socket_context = NULL;
    }
}

static slot *slot_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void cs_review_guard_request_arrived(struct MHD_Connection *conn)
{
    slot *s = slot_of(conn);
    if (s)
        s->waiting = 0;
}

void cs_review_guard_request_over(struct MHD_Connection *conn)
{
    slot *s = slot_of(conn);
    if (s && !s->cut) {
        s->waiting = 1;
        s->since = cs_now_ms();
    }
}

int cs_review_guard_sweep(cs_review_guard *g)
{
    double now = cs_now_ms();
    int n = 0;

    for (int i = 0; i < g->nslots; i++) {
        slot *s = &g->slots[i];
        if (!s->conn || !s->waiting || s->cut || s->fd < 0 || now - s->since < g->deadline_ms)
            continue;
        /* MHD sees the end of the stream on its next round and closes the connection */
        shutdown(s->fd, SHUT_RDWR);
        s->cut = 1;
        n++;
    }
    g->cut += n;
    /* a count every 10 s at most: an attack must not flood the log */
    if ((g->cut || g->refused) && now - g->reported >= 10000.0) {
        cs_log(CS_LOG_WARN, "review: closed %ld connections that did not send a request within "
               "%.0f s, refused %ld over the limit of %d per client address", g->cut,
               g->deadline_ms / 1000.0, g->refused, g->per_client);
        g->cut = g->refused = 0;
        g->reported = now;
    }
    return n;
}

/*
 * mllp.c — a minimal MLLP client (HL7 v2 Minimal Lower Layer Protocol,
 * release 1): one TCP connection, each message framed as
 * <VT> message <FS><CR> (0x0B ... 0x1C 0x0D), and one ACK awaited, framed
 * the same way, before the next message goes.
 *
 * Interface routines (export_internal.h): cs_mllp_open, cs_mllp_send,
 * cs_mllp_close; cs_mllp_parse_ack (fuzzed by tests/fuzz/fuzz_ack.c).
 *
 * The ACK's MSA segment gives the outcome: MSA-1 the acknowledgement code
 * (original mode AA / AE / AR, enhanced mode CA / CE / CR), MSA-2 the
 * control id of the message it answers (checked), MSA-3 a text.  Whatever
 * does not fit (no answer within the timeout, a closed connection, an ACK
 * for another message, no MSA) leaves the message in doubt: the caller
 * stops and sends it again on a later run.  The receiver is untrusted: an
 * ACK is bounded in size and parsed defensively.
 */
#include "pipeline/export/export_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MLLP_START 0x0B
#define MLLP_END   0x1C
#define MLLP_CR    0x0D
#define ACK_MAX    65536

struct cs_mllp {
    int fd;
    int timeout_ms;
    char peer[300];
    char *ack;      /* ACK_MAX + 1 bytes */
};

void cs_mllp_close(cs_mllp **pm)
{
    if (!pm || !*pm)
        return;
    if ((*pm)->fd >= 0)
        close((*pm)->fd);
    free((*pm)->ack);
    free(*pm);
    *pm = NULL;
}

/* Wait for fd to be ready for events; 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    int rc;
    do
        rc = poll(&p, 1, timeout_ms);
    while (rc < 0 && errno == EINTR);
    return rc;
}

static int connect_timeout(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int flags, soerr = 0;
    socklen_t len = sizeof soerr;

    if (fd < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout_ms) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
            if (soerr)
                errno = soerr;
            else if (errno == EINPROGRESS)
                errno = ETIMEDOUT;
            close(fd);
            return -1;
        }
    }
    return fd;   /* stays non-blocking: every wait below has a timeout */
}

int cs_mllp_open(cs_mllp **out, const char *hostport, int timeout_ms, char *err, size_t errlen)
{
    char host[256], port[32];
    const char *colon = strrchr(hostport, ':');
    struct addrinfo hints, *res = NULL, *ai;
    cs_mllp *m;
    int rc, saved = 0;

    *out = NULL;
    if (!colon || colon == hostport || !colon[1] || (size_t)(colon - hostport) >= sizeof host ||
        strlen(colon + 1) >= sizeof port)
        return cs_fail(err, errlen, "invalid MLLP address \"%s\" (expected HOST:PORT)", hostport);
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = '\0';
    snprintf(port, sizeof port, "%s", colon + 1);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {   /* [::1]:2575 */
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0)
        return cs_fail(err, errlen, "could not resolve \"%s\": %s", hostport, gai_strerror(rc));
    m = calloc(1, sizeof *m);
    if (!m || !(m->ack = malloc(ACK_MAX + 1))) {
        freeaddrinfo(res);
        cs_mllp_close(&m);
        return cs_fail(err, errlen, "out of memory");
    }
    m->fd = -1;
    m->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
    snprintf(m->peer, sizeof m->peer, "%s", hostport);
    for (ai = res; ai && m->fd < 0; ai = ai->ai_next) {
        m->fd = connect_timeout(ai, m->timeout_ms);
        if (m->fd < 0)
            saved = errno;
    }
    freeaddrinfo(res);
    if (m->fd < 0) {
        cs_mllp_close(&m);
        return cs_fail(err, errlen, "could not connect to %s: %s", hostport, strerror(saved));
    }
    *out = m;
    return 0;
}

static int send_all(cs_mllp *m, const void *data, size_t len, char *err, size_t errlen)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(m->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (wait_fd(m->fd, POLLOUT, m->timeout_ms) != 1)
                return cs_fail(err, errlen, "timed out sending to %s", m->peer);
        } else {
            return cs_fail(err, errlen, "could not send to %s: %s", m->peer, strerror(errno));
        }
    }
    return 0;
}

/* Read one framed ACK into m->ack (NUL-terminated, frame bytes removed); its length or -1. */
static long read_ack(cs_mllp *m, char *err, size_t errlen)
{
    size_t len = 0;
    int started = 0;
    double deadline = cs_now_ms() + m->timeout_ms;

    for (;;) {
        char buf[4096];
        ssize_t n;
        int left = (int)(deadline - cs_now_ms());
        if (left <= 0 || wait_fd(m->fd, POLLIN, left) != 1)
            return cs_fail(err, errlen, "no acknowledgement from %s within %d ms", m->peer,
                           m->timeout_ms);
        n = recv(m->fd, buf, sizeof buf, 0);
        if (n == 0)
            return cs_fail(err, errlen, "%s closed the connection before acknowledging",
                           m->peer);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                continue;
            return cs_fail(err, errlen, "could not read from %s: %s", m->peer, strerror(errno));
        }
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)buf[i];
            if (!started) {
                if (c == MLLP_START)
                    started = 1;   /* bytes before a frame start are noise */
                continue;
            }
            if (c == MLLP_END) {
                /* the CR after FS may still be in flight; it is not needed */
                m->ack[len] = '\0';
                return (long)len;
            }
            if (len >= ACK_MAX)
                return cs_fail(err, errlen, "acknowledgement from %s is too long", m->peer);
            m->ack[len++] = (char)c;
        }
    }
}

/* Field n (1-based after the segment name) of segment seg, copied into out. */
static void field_of(const char *seg, size_t seglen, char sep, int n, char *out, size_t outlen)
{
    const char *p = seg, *end = seg + seglen;
    size_t k;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        p = memchr(p, sep, (size_t)(end - p));
        if (!p)
            return;
        p++;
    }
    for (k = 0; p + k < end && p[k] != sep && k + 1 < outlen; k++)
        out[k] = p[k];
    out[k] = '\0';
}

size_t cs_utf8_char_len(const unsigned char *p)
{
    int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
          : (*p & 0xf8) == 0xf0 ? 3 : -1;
    unsigned long cp;

    if (!*p || n < 0 || (n == 1 && *p < 0xc2) || (n == 3 && *p > 0xf4))
        return 0;
    cp = n ? *p & (0x3fu >> n) : *p;
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return (size_t)n + 1;
}

/* The delimiters of the ACK (MSH-1, MSH-2): field, component, repetition, escape, subcomponent. */
typedef struct delimiters {
    char field, component, repetition, escape, subcomponent;
} delimiters;

/* Append one byte to out[*k] (bounded, NUL kept); control characters become spaces. */
static void put_byte(char *out, size_t outlen, size_t *k, unsigned char c)
{
    if (*k + 1 >= outlen)
        return;
    out[(*k)++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    out[*k] = '\0';
}

/*
 * Append the receiver's text in to out, readable: HL7 escapes undone (\F\
 * \S\ \T\ \R\ \E\ \Xhh\; others dropped), control characters as spaces and
 * bytes that are not UTF-8 as '?': it is printed and stored, and comes from
 * a peer that is not trusted.
 */
static void readable(const char *in, const delimiters *d, char *out, size_t outlen, size_t *k)
{
    char raw[1024];
    size_t n = 0;

    for (const char *p = in; *p && n + 1 < sizeof raw; p++) {
        const char *end;
        if (*p != d->escape || !(end = strchr(p + 1, d->escape))) {
            raw[n++] = *p;
            continue;
        }
        switch (p[1]) {
        case 'F': raw[n++] = d->field; break;
        case 'S': raw[n++] = d->component; break;
        case 'T': raw[n++] = d->subcomponent; break;
        case 'R': raw[n++] = d->repetition; break;
        case 'E': raw[n++] = d->escape; break;
        case 'X':
            for (const char *h = p + 2; h + 1 < end && n + 1 < sizeof raw; h += 2) {
                unsigned v;
                if (sscanf(h, "%2x", &v) == 1)
                    raw[n++] = (char)v;
            }
            break;
        default: break;
        }
        p = end;
    }
    raw[n] = '\0';
    for (size_t i = 0; i < n;) {
        size_t len = cs_utf8_char_len((const unsigned char *)raw + i);
        if (len == 0) {
            put_byte(out, outlen, k, '?');
            i++;
            continue;
        }
        if (*k + len >= outlen)
            break;
        for (size_t j = 0; j < len; j++)
            put_byte(out, outlen, k, (unsigned char)raw[i + j]);
        i += len;
    }
}

/* Component c (1-based) of field text f, into out; subcomponent sc when > 0. */
static void component(const char *f, const delimiters *d, int c, int sc, char *out,
                      size_t outlen)
{
    char comp[512];
    field_of(f, strlen(f), d->component, c - 1, comp, sizeof comp);
    if (sc > 0)
        field_of(comp, strlen(comp), d->subcomponent, sc - 1, out, outlen);
    else
        snprintf(out, outlen, "%s", comp);
}

/*
 * The text of one ERR segment, appended to out: the error (ERR-3's text or
 * code, or v2.3's ERR-1.4), the user message (ERR-8), the diagnostic
 * (ERR-7), where (ERR-2, or ERR-1: segment-field.component) and a severity
 * other than error (ERR-4).
 */
static void err_text(const char *seg, size_t seglen, const delimiters *d, char *out,
                     size_t outlen, size_t *k)
{
    char f1[512], f2[512], f3[512], f4[8], f7[512], f8[512], what[256], where[64] = "";
    char a[64], b[16], c[16];
    const char *parts[3];
    int first = 1;

    field_of(seg, seglen, d->field, 1, f1, sizeof f1);
    field_of(seg, seglen, d->field, 2, f2, sizeof f2);
    field_of(seg, seglen, d->field, 3, f3, sizeof f3);
    field_of(seg, seglen, d->field, 4, f4, sizeof f4);
    field_of(seg, seglen, d->field, 7, f7, sizeof f7);
    field_of(seg, seglen, d->field, 8, f8, sizeof f8);
    component(f3, d, 2, 0, what, sizeof what);
    if (!*what)
        component(f3, d, 1, 0, what, sizeof what);
    if (!*what)
        component(f1, d, 4, 2, what, sizeof what);
    if (!*what)
        component(f1, d, 4, 1, what, sizeof what);
    /* ERR-2 (ERL): segment^sequence^field^repetition^component; v2.3's ERR-1: segment^sequence^field */
    {
        const char *loc = *f2 ? f2 : f1;
        component(loc, d, 1, 0, a, sizeof a);
        component(loc, d, 3, 0, b, sizeof b);
        c[0] = '\0';
        if (*f2)
            component(loc, d, 5, 0, c, sizeof c);
        if (*a)
            snprintf(where, sizeof where, "at %.8s%s%.8s%s%.8s", a, *b ? "-" : "", b,
                     *b && *c ? "." : "", *b ? c : "");
    }
    parts[0] = what;
    parts[1] = f8;
    parts[2] = f7;
    for (int i = 0; i < 3; i++) {
        if (!*parts[i])
            continue;
        if (!first)
            readable(", ", d, out, outlen, k);
        readable(parts[i], d, out, outlen, k);
        first = 0;
    }
    if (*where) {
        readable(first ? "" : " ", d, out, outlen, k);
        readable(where, d, out, outlen, k);
        first = 0;
    }
    if (*f4 == 'W' || *f4 == 'I')
        readable(*f4 == 'W' ? " (warning)" : " (information)", d, out, outlen, k);
    else if (first)
        readable("an error without text", d, out, outlen, k);
}

int cs_mllp_parse_ack(const char *ack, size_t n, const char *peer, const char *control_id,
                      char code[3], char *text, size_t textlen, char *errors, size_t errorslen,
                      char *err, size_t errlen)
{
    const char *seg = NULL, *end = ack + n;
    size_t seglen = 0, errors_len = 0;
    delimiters d = {'|', '^', '~', '\\', '&'};
    char got_id[128];

    code[0] = '\0';
    if (text && textlen)
        text[0] = '\0';
    if (errors && errorslen)
        errors[0] = '\0';
    if (n < 8 || memcmp(ack, "MSH", 3) != 0)
        return cs_fail(err, errlen, "%s answered something that is not an HL7 message", peer);
    d.field = ack[3];
    /* MSH-2, the encoding characters, when the ACK states them all */
    if (n >= 9 && ack[4] != d.field && ack[5] != d.field && ack[6] != d.field &&
        ack[7] != d.field) {
        d.component = ack[4];
        d.repetition = ack[5];
        d.escape = ack[6];
        d.subcomponent = ack[7];
    }
    /* MSA, and every ERR: segments end in CR (tolerate LF too); a NUL is just a byte */
    for (const char *p = ack; p < end;) {
        size_t l = 0;
        while (p + l < end && p[l] != '\r' && p[l] != '\n')
            l++;
        if (l >= 3 && !memcmp(p, "MSA", 3) && (l == 3 || p[3] == d.field) && !seg) {
            seg = p;
            seglen = l;
        } else if (l >= 3 && !memcmp(p, "ERR", 3) && (l == 3 || p[3] == d.field) && errors &&
                   errorslen) {
            if (errors_len)
                readable("; ", &d, errors, errorslen, &errors_len);
            err_text(p, l, &d, errors, errorslen, &errors_len);
        }
        p += l;
        while (p < end && (*p == '\r' || *p == '\n'))
            p++;
    }
    if (!seg)
        return cs_fail(err, errlen, "the acknowledgement from %s has no MSA segment", peer);
    {
        char c[8];
        field_of(seg, seglen, d.field, 1, c, sizeof c);
        if (strlen(c) != 2 || !strchr("AC", c[0]) || !strchr("AER", c[1]))
            return cs_fail(err, errlen, "unknown acknowledgement code from %s", peer);
        memcpy(code, c, 3);
    }
    field_of(seg, seglen, d.field, 2, got_id, sizeof got_id);
    if (strcmp(got_id, control_id) != 0) {
        char shown[128];
        size_t k = 0;
        shown[0] = '\0';
        readable(got_id, &d, shown, sizeof shown, &k);   /* the peer's bytes, made printable */
        code[0] = '\0';
        return cs_fail(err, errlen, "%s acknowledged another message (control id \"%s\", "
                       "expected \"%s\")", peer, shown, control_id);
    }
    if (text && textlen) {
        char raw[1024];
        size_t k = 0;
        field_of(seg, seglen, d.field, 3, raw, sizeof raw);
        readable(raw, &d, text, textlen, &k);
    }
    return 0;
}

int cs_mllp_send(cs_mllp *m, const char *msg, size_t len, const char *control_id,
                 char code[3], char *text, size_t textlen, char *errors, size_t errorslen,
                 char *err, size_t errlen)
{
    static const char start[1] = {MLLP_START}, end[2] = {MLLP_END, MLLP_CR};
    long n;

    code[0] = '\0';
    if (send_all(m, start, 1, err, errlen) < 0 || send_all(m, msg, len, err, errlen) < 0 ||
        send_all(m, end, 2, err, errlen) < 0)
        return -1;
    n = read_ack(m, err, errlen);
    if (n < 0)
        return -1;
    return cs_mllp_parse_ack(m->ack, (size_t)n, m->peer, control_id, code, text, textlen,
                             errors, errorslen, err, errlen);
}

/*
 * validate.c — checks on everything a request brings (ids, numbers, text,
 * form fields) before any of it reaches the database: a malformed request
 * is answered 400, never passed on.
 */
#include "review/review.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "review/review_internal.h"

int cs_review_parse_id(const char *text, long long *out)
{
    size_t n;
    long long v = 0;

    *out = 0;
    if (!text)
        return -1;
    if (!strncmp(text, "d-", 2))
        text += 2;
    n = strlen(text);
    if (n == 0 || n > 18 || strspn(text, "0123456789") != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (text[i] - '0');
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

int cs_review_parse_int(const char *text, int min, int max, int *out)
{
    size_t n;
    long long v = 0;
    int neg = 0;

    *out = 0;
    if (!text)
        return -1;
    if (*text == '-') {
        neg = 1;
        text++;
    }
    n = strlen(text);
    if (n == 0 || n > 9 || strspn(text, "0123456789") != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (text[i] - '0');
    if (neg)
        v = -v;
    if (v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int cs_review_text_ok(const char *text, size_t max_bytes)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t n;

    if (!text)
        return 0;
    n = strlen(text);
    if (n == 0 || n > max_bytes)
        return 0;
    while (*p) {
        int extra;
        uint32_t cp;
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if ((*p & 0xe0) == 0xc0) {
            extra = 1;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            extra = 2;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            extra = 3;
            cp = *p & 0x07;
        } else {
            return 0;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (*p & 0x3f);
        }
        /* overlong forms, surrogates, beyond Unicode, C1 controls */
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
            (cp >= 0x80 && cp < 0xa0))
            return 0;
    }
    return 1;
}

int cs_review_user_name_ok(const char *name)
{
    size_t n;
    if (!name)
        return 0;
    n = strlen(name);
    return n >= 1 && n <= 64 &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode a urlencoded value of len bytes into out: 0, or -1. */
static int url_decode(const char *v, size_t len, char *out, size_t outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return -1;
            hi = hexval(v[i + 1]);
            lo = hexval(v[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0' || o + 1 >= outlen)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

int cs_review_form_get(const char *body, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = body;

    if (outlen)
        out[0] = '\0';
    if (!body || outlen == 0)
        return 0;
    while (*p) {
        size_t len = strcspn(p, "&");
        if (len > nlen && !strncmp(p, name, nlen) && p[nlen] == '=')
            return url_decode(p + nlen + 1, len - nlen - 1, out, outlen) < 0 ? -1 : 1;
        if (len == nlen && !strncmp(p, name, nlen))
            return 1;   /* "name" alone: present and empty */
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

int cs_review_public_url_parse(const char *url, char *origin, size_t originlen, int *https,
                               char *err, size_t errlen)
{
    const char *host, *end;
    size_t hostlen, n;
    int port = 0;

    if (originlen)
        origin[0] = '\0';
    *https = 0;
    if (!url || !*url)
        return cs_fail(err, errlen, "--public-url needs a URL such as https://review.example.org");
    if (!strncasecmp(url, "https://", 8)) {
        *https = 1;
        host = url + 8;
    } else if (!strncasecmp(url, "http://", 7)) {
        host = url + 7;
    } else {
        return cs_fail(err, errlen, "--public-url \"%s\": the URL starts with https:// (or "
                       "http://)", url);
    }
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end || end == host + 1 || strspn(host + 1, "0123456789abcdefABCDEF:.") !=
                                          (size_t)(end - host - 1))
            return cs_fail(err, errlen, "--public-url \"%s\": malformed IPv6 address", url);
        end++;
    } else {
        end = host + strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789.-");
        if (end == host)
            return cs_fail(err, errlen, "--public-url \"%s\": no host name", url);
    }
    hostlen = (size_t)(end - host);
    if (*end == ':') {
        n = strspn(end + 1, "0123456789");
        if (n == 0 || n > 5 || (port = atoi(end + 1)) < 1 || port > 65535)
            return cs_fail(err, errlen, "--public-url \"%s\": the port is 1 to 65535", url);
        end += 1 + n;
    }
    if (*end == '/' && end[1] == '\0')
        end++;
    if (*end == '/')
        return cs_fail(err, errlen, "--public-url \"%s\": the station is served at the root "
                       "of its URL: give no path", url);
    if (*end)
        return cs_fail(err, errlen, "--public-url \"%s\": only scheme, host and port are "
                       "allowed (no user name, query or fragment)", url);
    /* the default port is left out of an origin, as browsers send it */
    if ((*https && port == 443) || (!*https && port == 80))
        port = 0;
    if (hostlen + 16 >= originlen)
        return cs_fail(err, errlen, "--public-url \"%s\": the host name is too long", url);
    n = (size_t)snprintf(origin, originlen, "%s://", *https ? "https" : "http");
    for (size_t i = 0; i < hostlen; i++)
        origin[n++] = (char)tolower((unsigned char)host[i]);
    origin[n] = '\0';
    if (port)
        snprintf(origin + n, originlen - n, ":%d", port);
    return 0;
}

int cs_review_options_check(const cs_review_options *o, char *err, size_t errlen)
{
    char origin[300], proxy[CS_REVIEW_ADDRESS_MAX];
    int https;

    if (!o)
        return 0;
    if (o->public_url &&
        cs_review_public_url_parse(o->public_url, origin, sizeof origin, &https, err, errlen) < 0)
        return -1;
    if (o->trusted_proxy && cs_review_address_canonical(o->trusted_proxy, proxy, sizeof proxy) < 0)
        return cs_fail(err, errlen, "--trusted-proxy \"%s\" is not a numeric IPv4 or IPv6 "
                       "address", o->trusted_proxy);
    return 0;
}

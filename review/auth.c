/*
 * auth.c — passwords (Argon2id through libsodium), session and CSRF tokens,
 * the session cookie, reading a password from the terminal, and the
 * `chartscan users add`, `users passwd` and `chartscan audit` commands.  The Cookie header
 * itself is parsed by libmicrohttpd (MHD_COOKIE_KIND); here its value is
 * checked.
 *
 * A session token is 32 random bytes as hex; the database keeps only its
 * SHA-256, so that reading the sessions table does not let anyone in.  A
 * CSRF token is 32 more random bytes, per session, checked in constant time.
 */
#include "review/review.h"
#include "review/review_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"

static int sodium_ready(void)
{
    static int ready;
    if (!ready)
        ready = sodium_init() >= 0;
    return ready;
}

int cs_review_password_hash(const char *password, char out[128], char *err, size_t errlen)
{
    size_t n = password ? strlen(password) : 0;

    memset(out, 0, 128);
    if (!sodium_ready())
        return cs_fail(err, errlen, "could not initialise libsodium");
    if (n < CS_REVIEW_PASSWORD_MIN || n > CS_REVIEW_PASSWORD_MAX)
        return cs_fail(err, errlen, "a password needs %d to %d characters",
                       CS_REVIEW_PASSWORD_MIN, CS_REVIEW_PASSWORD_MAX);
    /* the interactive limits: about 0.1 s and 64 MiB a login */
    if (crypto_pwhash_str_alg(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return cs_fail(err, errlen, "could not hash the password (out of memory)");
    return 0;
}

int cs_review_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || !sodium_ready() || strlen(password) > CS_REVIEW_PASSWORD_MAX ||
        strncmp(hash, crypto_pwhash_argon2id_STRPREFIX,
                strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int cs_review_token_new(char out[65])
{
    unsigned char raw[32];

    out[0] = '\0';
    if (!sodium_ready())
        return -1;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

void cs_review_token_hash(const char *token, char out[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];

    sodium_ready();
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(out, 65, digest, sizeof digest);
}

int cs_review_csrf_valid(const char *expected, const char *given)
{
    size_t n;

    if (!expected || !given || !*expected || !*given)
        return 0;
    n = strlen(expected);
    if (strlen(given) != n)
        return 0;
    return sodium_memcmp(expected, given, n) == 0;
}

int cs_review_cookie_token(const char *value, char *out, size_t outlen)
{
    size_t vlen = value ? strlen(value) : 0;

    if (outlen)
        out[0] = '\0';
    while (vlen && value[vlen - 1] == ' ')
        vlen--;
    /* our tokens are hex digits: anything else is not ours */
    if (vlen == 0 || vlen >= outlen || strspn(value, "0123456789abcdef") < vlen)
        return 0;
    memcpy(out, value, vlen);
    out[vlen] = '\0';
    return 1;
}

/* One line from in, without its newline: length, or -1 (none, or too long). */
static int read_line(FILE *in, char *buf, size_t buflen)
{
    size_t n;

    if (!fgets(buf, (int)buflen, in))
        return -1;
    n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in))
        return -1;   /* longer than the buffer */
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return (int)n;
}

static int read_hidden(FILE *in, FILE *out, const char *prompt, char *buf, size_t buflen)
{
    struct termios old, quiet;
    int fd = fileno(in), n;

    fprintf(out, "%s", prompt);
    fflush(out);
    if (tcgetattr(fd, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
        return -1;
    n = read_line(in, buf, buflen);
    tcsetattr(fd, TCSAFLUSH, &old);
    return n;
}

int cs_review_read_password(FILE *in, FILE *out, int confirm, char *buf, size_t buflen,
                            char *err, size_t errlen)
{
    char again[CS_REVIEW_PASSWORD_MAX + 2];
    int n;

    if (isatty(fileno(in))) {
        n = read_hidden(in, out, "password: ", buf, buflen);
        if (n < 0)
            return cs_fail(err, errlen, "could not read the password from the terminal");
        if (confirm) {
            int m = read_hidden(in, out, "password again: ", again, sizeof again);
            int same = m == n && sodium_memcmp(again, buf, (size_t)n) == 0;
            sodium_memzero(again, sizeof again);
            if (!same) {
                sodium_memzero(buf, buflen);
                return cs_fail(err, errlen, "the passwords differ");
            }
        }
    } else {
        n = read_line(in, buf, buflen);
        if (n < 0)
            return cs_fail(err, errlen, "no password on standard input (one line expected)");
    }
    return n;
}

int cs_review_users_add(cs_store *s, const char *name, const char *role, FILE *in, FILE *out,
                        char *err, size_t errlen)
{
    char password[CS_REVIEW_PASSWORD_MAX + 2], hash[128];
    int n, rc;

    if (!cs_review_user_name_ok(name))
        return cs_fail(err, errlen, "a user name has 1 to 64 letters, digits, '.', '_' or '-'");
    if (!role || (strcmp(role, "reviewer") != 0 && strcmp(role, "admin") != 0))
        return cs_fail(err, errlen, "the role is reviewer or admin");
    n = cs_review_read_password(in, out, 1, password, sizeof password, err, errlen);
    if (n < 0)
        return -1;
    rc = cs_review_password_hash(password, hash, err, errlen);
    sodium_memzero(password, sizeof password);
    if (rc < 0)
        return -1;
    if (cs_review_store_user_add(s, name, role, hash, err, errlen) < 0)
        return -1;
    fprintf(out, "added %s \"%s\"\n", role, name);
    return 0;
}

int cs_review_users_passwd(cs_store *s, const char *name, FILE *in, FILE *out, char *err,
                           size_t errlen)
{
    char password[CS_REVIEW_PASSWORD_MAX + 2], hash[128];
    int rc;

    if (!cs_review_user_name_ok(name))
        return cs_fail(err, errlen, "a user name has 1 to 64 letters, digits, '.', '_' or '-'");
    if (cs_review_read_password(in, out, 1, password, sizeof password, err, errlen) < 0)
        return -1;
    rc = cs_review_password_hash(password, hash, err, errlen);
    sodium_memzero(password, sizeof password);
    if (rc < 0)
        return -1;
    rc = cs_users_set_password(s, name, hash, out, err, errlen);
    sodium_memzero(hash, sizeof hash);
    return rc < 0 ? -1 : 0;
}

int cs_review_audit(cs_store *s, const char *user, const char *since, int json, FILE *out,
                    char *err, size_t errlen)
{
    if (user && !cs_review_user_name_ok(user))
        return cs_fail(err, errlen, "\"%s\" is not a user name", user);
    if (since && !cs_review_text_ok(since, 64))
        return cs_fail(err, errlen, "--since needs a time such as 2026-01-31 or "
                       "\"2026-01-31 14:00\"");
    return cs_review_store_audit_list(s, user, since, json, out, err, errlen) < 0 ? -1 : 0;
}

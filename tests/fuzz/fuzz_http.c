/*
 * fuzz_http.c — what the review station does with a request's text before
 * anything else (review/validate.c, review/auth.c, common/buf.c): form
 * fields (application/x-www-form-urlencoded), the session cookie, ids and
 * numbers from URLs, free text and user names, and the JSON string writer
 * that echoes values back.  The input is used whole as the body, the
 * session cookie's value (libmicrohttpd parses the Cookie header) and each
 * value.
 *
 * Properties: a field found fits its buffer and holds no NUL; a cookie
 * found is hex digits; a parsed id is positive and a number within its
 * range; a JSON string is quoted, has no raw control character, and every
 * backslash starts a valid escape.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "common/common.h"
#include "review/review.h"
#include "review/review_internal.h"

static void check_json(const char *s)
{
    cs_buf b = CS_BUF_INIT;
    FUZZ_ASSERT(cs_buf_json_string(&b, s) == 0);
    FUZZ_ASSERT(b.len >= 2 && b.data[0] == '"' && b.data[b.len - 1] == '"');
    for (size_t i = 1; i + 1 < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        FUZZ_ASSERT(c >= 0x20 && c != '"');
        if (c == '\\') {
            char e = b.data[++i];
            FUZZ_ASSERT(i + 1 < b.len && strchr("\"\\/bfnrtu", e));
            if (e == 'u') {
                FUZZ_ASSERT(i + 5 < b.len);
                for (int k = 1; k <= 4; k++)
                    FUZZ_ASSERT(strchr("0123456789abcdefABCDEF", b.data[i + k]) && b.data[i + k]);
                i += 4;
            }
        }
    }
    cs_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fields[] = {"csrf", "q", "user", "password", "reason", "a", ""};
    char *in = malloc(size + 1), out[64];
    long long id;
    int v;

    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';

    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        for (size_t outlen = 1; outlen <= sizeof out; outlen *= 4) {
            int rc = cs_review_form_get(in, fields[f], out, outlen);
            FUZZ_ASSERT(rc >= -1 && rc <= 1);
            if (rc == 1)
                FUZZ_ASSERT(strlen(out) < outlen);
        }
    }
    {
        int rc = cs_review_cookie_token(in, out, sizeof out);
        if (rc == 1)
            FUZZ_ASSERT(out[0] && strlen(out) < sizeof out &&
                        strspn(out, "0123456789abcdef") == strlen(out));
        else
            FUZZ_ASSERT(rc == 0);
        (void)cs_review_cookie_token(in, out, 4);
    }
    if (cs_review_parse_id(in, &id) == 0)
        FUZZ_ASSERT(id > 0);
    else
        FUZZ_ASSERT(id == 0);
    if (cs_review_parse_int(in, -5, 100, &v) == 0)
        FUZZ_ASSERT(v >= -5 && v <= 100);
    if (cs_review_text_ok(in, 200))
        FUZZ_ASSERT(strlen(in) >= 1 && strlen(in) <= 200);
    if (cs_review_user_name_ok(in))
        FUZZ_ASSERT(strlen(in) >= 1 && strlen(in) <= 64);
    check_json(in);
    free(in);
    return 0;
}

/*
 * fuzz_ack.c — the acknowledgement an interface engine sends back over MLLP
 * (pipeline/export/mllp.c, cs_mllp_parse_ack): the engine is not trusted,
 * and what it says (MSA-3, the ERR segments) is printed to the user's
 * terminal and stored.  Properties: the parse ends (a NUL byte once made it
 * loop for ever); a success gives a known code (AA AE AR CA CE CR); the
 * texts are NUL-terminated within their buffers, valid UTF-8, and hold no
 * control character (no terminal escape from the peer).
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "common/common.h"
#include "pipeline/export/export_internal.h"

/* Valid UTF-8 without control characters, NUL-terminated within len bytes. */
static int printable(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!memchr(s, '\0', len))
        return 0;
    while (*p) {
        size_t n = cs_utf8_char_len(p);
        if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f)))
            return 0;
        p += n;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *ack = malloc(size + 1);
    char code[3] = "", text[64], errors[128], err[CS_ERRLEN];
    int rc;

    if (!ack)
        return 0;
    memcpy(ack, data, size);
    ack[size] = '\0';   /* read_ack ends its buffer so */
    rc = cs_mllp_parse_ack(ack, size, "engine:2575", "C1", code, text, sizeof text, errors,
                           sizeof errors, err, sizeof err);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    if (rc == 0) {
        FUZZ_ASSERT(strlen(code) == 2 && strchr("AC", code[0]) && strchr("AER", code[1]));
        FUZZ_ASSERT(printable(text, sizeof text));
        FUZZ_ASSERT(printable(errors, sizeof errors));
    } else {
        FUZZ_ASSERT(printable(err, sizeof err));
    }
    free(ack);
    return 0;
}

/*
 * fuzz_hl7.c — HL7 v2 escaping (pipeline/export/hl7.c, cs_hl7_escape): every
 * name, MRN and line of text in an MDM message passes through it, and an
 * unescaped delimiter would move data into another field (a name into the
 * MRN's place).  Properties: the output holds no delimiter, no control
 * character and no stray escape character, and unescaping it gives the
 * input back byte for byte.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "common/common.h"
#include "pipeline/export/export_internal.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1), *back;
    cs_buf b = CS_BUF_INIT;
    size_t k = 0;

    if (!in)
        return 0;
    memcpy(in, data, size);
    in[size] = '\0';   /* a C string, as the exports pass */
    cs_hl7_escape(&b, in);
    FUZZ_ASSERT(!cs_buf_failed(&b));
    back = malloc(b.len + 1);
    FUZZ_ASSERT(back != NULL);
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        FUZZ_ASSERT(c >= 0x20 && c != 0x7f && !strchr("|^&~", c));
        if (c != '\\') {
            back[k++] = (char)c;
            continue;
        }
        /* \F\ \S\ \T\ \R\ \E\ or \Xhh\ */
        FUZZ_ASSERT(i + 2 < b.len);
        if (b.data[i + 1] == 'X') {
            int hi, lo;
            FUZZ_ASSERT(i + 4 < b.len && b.data[i + 4] == '\\');
            hi = hexval(b.data[i + 2]);
            lo = hexval(b.data[i + 3]);
            FUZZ_ASSERT(hi >= 0 && lo >= 0);
            back[k++] = (char)(hi * 16 + lo);
            i += 4;
        } else {
            const char *map = "F|S^T&R~E\\", *m = strchr("FSTRE", b.data[i + 1]);
            FUZZ_ASSERT(m != NULL && b.data[i + 2] == '\\');
            back[k++] = map[(m - "FSTRE") * 2 + 1];
            i += 2;
        }
    }
    back[k] = '\0';
    FUZZ_ASSERT(!strcmp(back, in));
    free(back);
    cs_buf_free(&b);
    free(in);
    return 0;
}

/*
 * fuzz_csv.c — the CSV reader (common/csv.c) on any bytes: roster and
 * training files come from outside.  Every record read must hold its
 * fields, each NUL-terminated and within the field limit; a malformed
 * record must come with a message.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "common/common.h"

enum { MAX_FIELD = 256, MAX_RECORDS = 100000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp;
    cs_csv *c;
    long prev_line = 0;

    if (size == 0)
        return 0;   /* fmemopen refuses an empty buffer */
    fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return 0;
    c = cs_csv_open(fp, MAX_FIELD);
    FUZZ_ASSERT(c != NULL);
    for (int k = 0; k < MAX_RECORDS; k++) {
        char **fields = NULL;
        size_t nfields = 0;
        int rc = cs_csv_next(c, &fields, &nfields);
        if (rc == 0)
            break;
        if (rc < 0) {
            const char *msg = cs_csv_error(c);
            FUZZ_ASSERT(msg != NULL && msg[0] != '\0');
            break;
        }
        FUZZ_ASSERT(rc == 1 && fields != NULL && nfields >= 1);
        for (size_t i = 0; i < nfields; i++)
            FUZZ_ASSERT(fields[i] != NULL && strlen(fields[i]) <= MAX_FIELD);
        FUZZ_ASSERT(cs_csv_line(c) >= 1 && cs_csv_line(c) > prev_line);
        prev_line = cs_csv_line(c);
    }
    cs_csv_free(&c);
    FUZZ_ASSERT(c == NULL);
    fclose(fp);
    return 0;
}

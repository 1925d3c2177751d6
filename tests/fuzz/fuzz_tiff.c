/*
 * fuzz_tiff.c — TIFF inspection (ocr/tiff.c, cs_ocr_tiff_inspect): every
 * archive entry that looks like a TIFF is inspected before anything is
 * decoded, so it sees hostile headers first.  It must never crash, give a
 * page count within the limit when it accepts, and a reason when it refuses.
 */
#include "tests/fuzz/fuzz.h"

#include "common/common.h"
#include "ocr/ocr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cs_tiff_info info;
    char err[CS_ERRLEN] = "";
    int rc;

    (void)cs_ocr_is_tiff(data, size);
    rc = cs_ocr_tiff_inspect(data, size, &info, err, sizeof err);
    if (rc == 0)
        FUZZ_ASSERT(info.pages >= 1 && info.pages <= CS_MAX_PAGES_PER_FILE);
    else
        FUZZ_ASSERT(rc < 0 && err[0] != '\0');
    return 0;
}

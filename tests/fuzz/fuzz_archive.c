/*
 * fuzz_archive.c — archive entry handling: what the unpack stage
 * (pipeline/stages/unpack.c) does with each entry of an uploaded archive,
 * without the database: libarchive reads the input as any archive it
 * supports, every entry's name goes through the stage's own name check
 * (its static unsafe_name, reached by including the stage's source file:
 * the stage itself needs a database), entries are read within the limits,
 * and a TIFF entry is inspected as the stage does.
 *
 * Property (path traversal): a name the check lets through, joined to a
 * folder, never leaves it: it is not absolute and no ".." component takes
 * it above its start, with "/" or "\" as separators.
 *
 * The build links every library object except stage_unpack.o (this file
 * holds that code).  If stages/unpack.c renames unsafe_name, this target
 * fails to compile: follow the rename.
 */
#include "tests/fuzz/fuzz.h"

#include "pipeline/stages/unpack.c"

enum { MAX_FUZZ_ENTRIES = 1000, MAX_FUZZ_READ = 1 << 20 };

/* 1 when name, joined to a folder, could reach outside it (an independent check). */
static int escapes(const char *name)
{
    long depth = 0;
    const char *p = name;

    if (name[0] == '/' || name[0] == '\\')
        return 1;
    while (*p) {
        size_t len = strcspn(p, "/\\");
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return 1;
        } else if (len > 0 && !(len == 1 && p[0] == '.')) {
            depth++;
        }
        p += len;
        if (*p)
            p++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct archive *a = archive_read_new();
    struct archive_entry *entry;
    unsigned char *buf = malloc(MAX_FUZZ_READ);

    if (!a || !buf)
        goto out;
    cs_archive_support_formats(a);      /* exactly the formats unpack accepts */
    if (archive_read_open_memory(a, data, size) != ARCHIVE_OK)
        goto out;
    for (int n = 0; n < MAX_FUZZ_ENTRIES; n++) {
        const char *ename;
        char name[CS_MAX_ENTRY_NAME + 1];
        size_t len = 0;
        int r = archive_read_next_header(a, &entry);

        if (r == ARCHIVE_EOF || r < ARCHIVE_WARN)
            break;
        {
            /* the name's display form: whole, and no control character left */
            const char *raw = archive_entry_pathname(entry);
            size_t rlen = raw ? strlen(raw) : 0;
            if (raw && rlen <= CS_MAX_ENTRY_NAME) {
                char shown[4 * CS_MAX_ENTRY_NAME + 1];
                for (int zip = 0; zip < 2; zip++) {
                    long sl = cs_entry_name_display(raw, rlen, zip, shown, 4 * rlen + 1);
                    FUZZ_ASSERT(sl >= 0 && (size_t)sl == strlen(shown));
                    for (long k = 0; k < sl; k++)
                        FUZZ_ASSERT((unsigned char)shown[k] >= 0x20 && shown[k] != 0x7f);
                }
            }
        }
        ename = archive_entry_pathname_utf8(entry);
        if (!ename)
            ename = archive_entry_pathname(entry);
        snprintf(name, sizeof name, "%s", ename ? ename : "");
        if (archive_entry_filetype(entry) == AE_IFDIR)
            continue;
        if (!ename || !*ename || strlen(ename) > CS_MAX_ENTRY_NAME)
            continue;   /* the stage records these as skipped */
        if (unsafe_name(ename))
            continue;   /* refused: never joined to a path */
        FUZZ_ASSERT(!escapes(ename));
        /* read it, within a bound, as the stage does before inspecting */
        for (;;) {
            la_ssize_t got;
            if (len >= MAX_FUZZ_READ)
                break;
            got = archive_read_data(a, buf + len, MAX_FUZZ_READ - len);
            if (got <= 0)
                break;
            len += (size_t)got;
        }
        if (cs_ocr_is_tiff(buf, len)) {
            cs_tiff_info info;
            char err[CS_ERRLEN] = "";
            if (cs_ocr_tiff_inspect(buf, len, &info, err, sizeof err) == 0)
                FUZZ_ASSERT(info.pages >= 1 && info.pages <= CS_MAX_PAGES_PER_FILE);
        }
    }
out:
    free(buf);
    if (a)
        archive_read_free(a);
    return 0;
}

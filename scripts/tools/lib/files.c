/*
 * files.c — whole files, folders and zip entries for the generators
 *
 * Interface routines: tk_write_file, tk_read_file, tk_make_dirs,
 * tk_remove_temp_dir, tk_zip_add.  Errors come back as -1 with the message
 * in err; running out of memory dies (core.c).
 */
#include "scripts/tools/lib/toolkit.h"

#include <archive.h>
#include <archive_entry.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tk_write_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return cs_fail(err, errlen, "could not create file \"%s\": %s", path, strerror(errno));
    if (len && fwrite(data, 1, len, fp) != len) {
        int e = errno;
        fclose(fp);
        return cs_fail(err, errlen, "could not write file \"%s\": %s", path, strerror(e));
    }
    if (fclose(fp) != 0)
        return cs_fail(err, errlen, "could not write file \"%s\": %s", path, strerror(errno));
    return 0;
}

int tk_read_file(const char *path, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    FILE *fp = NULL;
    unsigned char *data = NULL;
    long size;

    *out = NULL;
    *len = 0;
    fp = fopen(path, "rb");
    if (!fp)
        return cs_fail(err, errlen, "could not open file \"%s\": %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return cs_fail(err, errlen, "could not read file \"%s\": %s", path, strerror(errno));
    }
    data = tk_xmalloc((size_t)size);
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
        fclose(fp);
        free(data);
        return cs_fail(err, errlen, "could not read file \"%s\"", path);
    }
    fclose(fp);
    *out = data;
    *len = (size_t)size;
    return 0;
}

int tk_make_dirs(const char *path, char *err, size_t errlen)
{
    char *p = tk_xstrdup(path), *s;
    int rc = 0;

    for (s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                rc = cs_fail(err, errlen, "could not create directory \"%s\": %s", p,
                             strerror(errno));
                break;
            }
            *s = c;
            if (c == '\0')
                break;
        }
    }
    free(p);
    return rc;
}

void tk_remove_temp_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[4400];

    if (d) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

int tk_zip_add(struct archive *a, const char *name, const void *data, size_t len,
               char *err, size_t errlen)
{
    struct archive_entry *e = archive_entry_new();
    int rc = 0;

    if (!e)
        tk_die_oom();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, TK_ENTRY_MTIME, 0);
    if (archive_write_header(a, e) < ARCHIVE_WARN ||
        (len && archive_write_data(a, data, len) != (la_ssize_t)len) ||
        archive_write_finish_entry(a) < ARCHIVE_WARN)
        rc = cs_fail(err, errlen, "could not add \"%s\" to the zip: %s", name,
                     archive_error_string(a) ? archive_error_string(a) : "unknown error");
    archive_entry_free(e);
    return rc;
}

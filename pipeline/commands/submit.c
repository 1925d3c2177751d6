/*
 * submit.c — `chartscan submit`: store an archive in the database as a
 * large object, streamed in 1 MiB pieces (never whole in memory), refuse a
 * byte-identical archive already submitted, and queue its unpack job.
 *
 * Notes:
 *   1. The file is read twice: once to hash it (so that a duplicate is
 *      refused before anything is written), once to store it.  A file that
 *      changes between the two reads is caught by hashing the second read
 *      as well and comparing.
 *   2. Before anything is stored, libarchive must recognise the file as one
 *      of the archive formats unpack reads (archive_store.c, note 4) and
 *      read its first entry header: a clerk who submits the wrong file (a
 *      roster CSV, a PDF) gets the answer at once, not from a worker later.
 *   3. The batch's page limit (--max-pages) is stored with it; unpack
 *      applies it (stages/unpack.c).
 *   4. The prep sheet (--expect, reconcile.c) is stored in the batch's
 *      transaction: a batch never exists without the sheet it was given.
 */
#include "pipeline/pipeline_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

#define CHUNK CS_ARCHIVE_CHUNK_BYTES

/* Read up to len bytes (fewer only at the end of the file): chunks must all
 * be CHUNK bytes but the last, since unpack finds an offset's chunk by
 * division.  Returns the count, 0 at the end, -1 on error. */
static ssize_t read_full(int fd, char *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int hash_file(int fd, char *buf, char hex[65], long long *size, char *err, size_t errlen,
                     const char *path)
{
    cs_sha256 *h = cs_sha256_new();
    ssize_t n;

    *size = 0;
    if (!h)
        return cs_fail(err, errlen, "out of memory");
    if (lseek(fd, 0, SEEK_SET) < 0) {
        cs_sha256_free(&h);
        return cs_fail(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
    }
    while ((n = read(fd, buf, CHUNK)) > 0) {
        cs_sha256_update(h, buf, (size_t)n);
        *size += n;
    }
    if (n < 0) {
        cs_sha256_free(&h);
        return cs_fail(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
    }
    cs_sha256_final_hex(h, hex);
    cs_sha256_free(&h);
    return 0;
}

/* libarchive must recognise the format and read the first entry header. */
static int check_archive(const char *path, char *err, size_t errlen)
{
    struct archive *a = archive_read_new();
    struct archive_entry *entry;
    int r, rc = -1;

    if (!a)
        return cs_fail(err, errlen, "out of memory");
    cs_archive_support_formats(a);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        if (archive_errno(a) == EILSEQ)   /* libarchive's ARCHIVE_ERRNO_FILE_FORMAT */
            cs_fail(err, errlen, "could not read archive \"%s\": it is not a zip, tar (plain, "
                    ".gz, .bz2, .xz or .zst) or 7z archive", path);
        else
            cs_fail(err, errlen, "could not read archive \"%s\": %s", path,
                    archive_error_string(a));
        goto out;
    }
    r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) {
        cs_fail(err, errlen, "archive \"%s\" has no entries", path);
        goto out;
    }
    if (r < ARCHIVE_WARN) {
        cs_fail(err, errlen, "could not read archive \"%s\": %s", path, archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    archive_read_free(a);
    return rc;
}

int cs_submit(cs_store *s, const char *path, FILE *out, char *err, size_t errlen)
{
    return cs_submit_with(s, path, NULL, out, err, errlen);
}

int cs_submit_with(cs_store *s, const char *path, const cs_submit_options *opt, FILE *out,
                   char *err, size_t errlen)
{
    char hex[65], hex2[65], sizebuf[24], idbuf[24];
    char *buf = NULL;
    const char *name = base_name(path);
    long long size = 0, stored = 0, batch_id = 0;
    cs_sha256 *h = NULL;
    struct stat st;
    PGresult *r = NULL;
    int fd = -1, rc = -1, in_tx = 0, seq = 0;
    ssize_t n;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cs_fail(err, errlen, "could not open archive \"%s\": %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        cs_fail(err, errlen, "\"%s\" is not a regular file", path);
        goto out;
    }
    if (check_archive(path, err, errlen) < 0)
        goto out;
    buf = malloc(CHUNK);
    if (!buf) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (hash_file(fd, buf, hex, &size, err, errlen, path) < 0)
        goto out;

    if (cs_pq_begin(s, err, errlen) < 0)
        goto out;
    in_tx = 1;
    {
        const char *p[1] = {hex};
        r = cs_pq(s, "SELECT id, name FROM batch WHERE sha256 = $1", 1, p, err, errlen);
        if (!r)
            goto out;
        if (PQntuples(r) > 0) {
            cs_fail(err, errlen, "archive \"%s\" was already submitted as batch %s (\"%s\")", path,
                    PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            goto out;
        }
        PQclear(r);
        r = NULL;
    }

    /* the batch row first: a concurrent submitter of the same bytes waits
     * on its unique sha256 here, before storing anything */
    {
        char chunkbuf[24], maxbuf[24];
        const char *p[5] = {name, hex, cs_i64(sizebuf, size), cs_i64(chunkbuf, CHUNK),
                            opt && opt->max_pages > 0 ? cs_i64(maxbuf, opt->max_pages) : NULL};
        r = cs_pq(s,
            "INSERT INTO batch (name, sha256, size_bytes, chunk_bytes, max_pages)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p, err, errlen);
        if (!r) {
            /* another process submitted the same bytes a moment ago: same answer as above */
            if (strstr(err, "batch_sha256_key"))
                cs_fail(err, errlen, "archive \"%s\" was submitted by another process at the "
                        "same moment (see \"chartscan status\")", path);
            goto out;
        }
        batch_id = cs_pq_int(r, 0, 0);
    }
    h = cs_sha256_new();
    if (!h || lseek(fd, 0, SEEK_SET) < 0) {
        cs_fail(err, errlen, "could not read \"%s\"", path);
        goto out;
    }
    while ((n = read_full(fd, buf, CHUNK)) > 0) {
        if (cs_archive_put_chunk(s, batch_id, seq++, buf, (size_t)n, err, errlen) < 0)
            goto out;
        cs_sha256_update(h, buf, (size_t)n);
        stored += n;
    }
    if (n < 0) {
        cs_fail(err, errlen, "could not read \"%s\": %s", path, strerror(errno));
        goto out;
    }
    cs_sha256_final_hex(h, hex2);
    if (strcmp(hex, hex2) != 0 || stored != size) {
        cs_fail(err, errlen, "archive \"%s\" changed while it was being submitted", path);
        goto out;
    }
    {
        const char *p[1] = {cs_i64(idbuf, batch_id)};
        if (cs_pq_exec(s, "INSERT INTO job (kind, batch_id, priority) VALUES ('unpack', $1, 2)",
                       1, p, err, errlen) < 0)
            goto out;
    }
    if (opt && opt->expect &&
        cs_prep_sheet_store(s, opt->expect, batch_id, opt->expect_by_name ? path : NULL, err,
                            errlen) < 0)
        goto out;
    if (cs_pq_exec(s, "NOTIFY chartscan_jobs", 0, NULL, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto out;
    in_tx = 0;
    fprintf(out, "%s %s\n", PQgetvalue(r, 0, 0), name);
    cs_log(CS_LOG_INFO, "batch %s: submitted %lld bytes", PQgetvalue(r, 0, 0), size);
    rc = 0;
out:
    if (in_tx)
        cs_pq_rollback(s);   /* also drops the chunks written so far */
    PQclear(r);
    cs_sha256_free(&h);
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

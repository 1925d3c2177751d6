/*
 * stage_unpack.c — the unpack stage: read a batch's archive from its large
 * object with libarchive, store each TIFF entry byte-exact with its sha256,
 * count its pages, and queue one ocr job a page.  Entries commit in chunks
 * (UNPACK_CHUNK_ENTRIES entries or UNPACK_CHUNK_BYTES bytes) so that workers
 * start on the first pages while a large archive is still being read; the
 * batch's status commits with the job's completion.
 *
 * Notes:
 *   1. The archive is streamed from the database through libarchive's
 *      read and seek callbacks (archive_store.c, one 1 MiB chunk at a
 *      time); only one entry is in memory at a time, and an entry larger
 *      than CS_MAX_ENTRY_BYTES is refused before it is read.
 *   2. Entry names are data, never paths: nothing here writes a file.  A
 *      name that is absolute or climbs with ".." is still refused (marked
 *      failed with the reason), because anything downstream that would
 *      write it out must never see it.
 *   3. A cut or corrupt archive fails the batch with a message naming the
 *      archive; the entries read before the damage are kept and processed,
 *      and the entry being read when it broke is marked failed.
 *   4. A run interrupted between chunks (a crash, a lost lease) resumes:
 *      the next run reads the archive again and skips the entries already
 *      recorded (entry_index is the entry's position, the same on every
 *      read), so nothing is recorded twice.
 *   5. A TIFF entry's row is sent without waiting for the server: while it
 *      stores the bytes, this process inflates and checks the next entry.
 *      The result is collected (and an error acted on) before any other
 *      statement on the connection (finish_pending).  On a 21 MB zip of
 *      100 entries this took unpack from 336 ms to about 230 ms: the
 *      server's 181 ms of inserts overlap the 133 ms of reading.
 */
#include "pipeline/stage_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define UNPACK_CHUNK_ENTRIES 16
#define UNPACK_CHUNK_BYTES (64LL << 20)

/* The statement in flight (note 5). */
typedef struct unpack_conn {
    cs_store *store;
    int pending;                 /* a TIFF entry's insert awaits its result */
    char err[CS_ERRLEN];         /* why it failed, when it did */
} unpack_conn;

/* Collect the result of the insert in flight, if any: 0, or -1 with u->err. */
static int finish_pending(void *arg)
{
    unpack_conn *u = arg;
    PGresult *r;
    int rc = 0;

    if (!u->pending)
        return 0;
    u->pending = 0;
    while ((r = PQgetResult(u->store->conn)) != NULL) {
        if (rc == 0 && PQresultStatus(r) != PGRES_COMMAND_OK) {
            cs_fail(u->err, sizeof u->err, "database error: %s", PQresultErrorMessage(r));
            u->err[strcspn(u->err, "\n")] = '\0';
            rc = -1;
        }
        PQclear(r);
    }
    return rc;
}

/* Collect the insert in flight before another statement: 0, or -1 with
 * its error (or one met earlier, by the archive reader) in err. */
static int settle(unpack_conn *u, char *err, size_t errlen)
{
    if (finish_pending(u) < 0 || u->err[0])
        return cs_fail(err, errlen, "%s", u->err);
    return 0;
}

/* 1 when an entry name must not be used: absolute, or a ".." component. */
static int unsafe_name(const char *name)
{
    const char *p = name;
    if (name[0] == '/' || name[0] == '\\')
        return 1;
    while (*p) {
        size_t len = strcspn(p, "/\\");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += len;
        if (*p)
            p++;
    }
    return 0;
}

/* Record an entry that will have no pages: skipped or failed, with why. */
static int record_entry(unpack_conn *u, long long batch_id, int index, const char *name,
                        long long size, const char *status, const char *reason,
                        char *err, size_t errlen)
{
    char b1[24], b2[24], b3[24];
    const char *p[6] = {cs_i64(b1, batch_id), cs_i64(b2, index), name,
                        size >= 0 ? cs_i64(b3, size) : NULL, status, reason};
    if (settle(u, err, errlen) < 0)
        return -1;
    return cs_pq_exec(u->store,
        "INSERT INTO source_file (batch_id, entry_index, path, size_bytes, status, reason)"
        " VALUES ($1, $2, $3, $4, $5, $6)", 6, p, err, errlen);
}

/* Store a TIFF entry, its pages and their ocr jobs: sent, its result
 * collected later (note 5). */
static int record_tiff(unpack_conn *u, long long batch_id, int index, const char *name,
                       const unsigned char *data, size_t len, int pages, char *err, size_t errlen)
{
    char b1[24], b2[24], b3[24], b4[24], hex[65];
    const char *values[7];
    int lengths[7] = {0}, formats[7] = {0};

    if (settle(u, err, errlen) < 0)
        return -1;

    cs_sha256_hex(data, len, hex);
    values[0] = cs_i64(b1, batch_id);
    values[1] = cs_i64(b2, index);
    values[2] = name;
    values[3] = cs_i64(b3, (long long)len);
    values[4] = hex;
    values[5] = (const char *)data;
    lengths[5] = (int)len;
    formats[5] = 1;               /* the bytes go in binary, untouched */
    values[6] = cs_i64(b4, pages);
    if (!PQsendQueryParams(u->store->conn,
        "WITH f AS (INSERT INTO source_file"
        "             (batch_id, entry_index, path, size_bytes, sha256, data, page_count, status)"
        "           VALUES ($1, $2, $3, $4, $5, $6, $7, 'pages') RETURNING id, batch_id),"
        " p AS (INSERT INTO page (file_id, page_no)"
        "       SELECT f.id, g FROM f, generate_series(1, $7::int) g RETURNING id, file_id)"
        " INSERT INTO job (kind, batch_id, file_id, page_id, priority)"
        " SELECT 'ocr', f.batch_id, p.file_id, p.id, 1 FROM p, f",
        7, NULL, values, lengths, formats, 0)) {
        cs_fail(err, errlen, "database error: %s", PQerrorMessage(u->store->conn));
        err[strcspn(err, "\n")] = '\0';
        return -1;
    }
    u->pending = 1;
    return 0;
}

int cs_stage_unpack(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    char b1[24], reason[CS_ERRLEN], batch_error[CS_ERRLEN + 128];
    char name[CS_MAX_ENTRY_NAME + 1], archive_name[256];
    unpack_conn u = {s, 0, ""};
    cs_archive_source *src = NULL;
    struct archive *a = NULL;
    struct archive_entry *entry;
    unsigned char *data = NULL;
    long long total = 0;
    int index = 0, files = 0, pages = 0, rc = -1, r, resume_after = 0, since_commit = 0;
    long long bytes_since_commit = 0;
    PGresult *res = NULL;
    long long size_bytes;
    int chunk_bytes;
    unsigned int oid;

    (void)ctx;
    batch_error[0] = '\0';
    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    {
        const char *p[1] = {cs_i64(b1, job->batch_id)};
        /* a re-run after a crash resumes after the last entry committed */
        res = cs_pq(s, "SELECT coalesce(b.archive_oid, 0), b.name,"
                       "       coalesce((SELECT max(entry_index) FROM source_file f"
                       "                  WHERE f.batch_id = b.id), 0),"
                       "       coalesce((SELECT sum(size_bytes) FROM source_file f"
                       "                  WHERE f.batch_id = b.id AND f.status = 'pages'), 0),"
                       "       b.size_bytes, coalesce(b.chunk_bytes, 0)"
                       "  FROM batch b WHERE b.id = $1", 1, p, err, errlen);
        if (!res)
            goto out;
        if (PQntuples(res) != 1) {
            cs_fail(err, errlen, "batch %lld does not exist", (long long)job->batch_id);
            goto out;
        }
        oid = (unsigned int)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(archive_name, sizeof archive_name, "%s", PQgetvalue(res, 0, 1));
        resume_after = (int)cs_pq_int(res, 0, 2);
        total = cs_pq_int(res, 0, 3);
        size_bytes = cs_pq_int(res, 0, 4);
        chunk_bytes = (int)cs_pq_int(res, 0, 5);
        PQclear(res);
        res = NULL;
    }
    if (cs_archive_source_new(s, job->batch_id, size_bytes, chunk_bytes, oid, finish_pending, &u,
                              &src, err, errlen) < 0)
        goto out;
    a = archive_read_new();
    if (!a || cs_archive_source_attach(src, a) < 0) {
        cs_fail(err, errlen, "could not open the stored archive of batch %lld",
                (long long)job->batch_id);
        goto out;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open1(a) != ARCHIVE_OK) {
        snprintf(batch_error, sizeof batch_error, "could not read archive \"%s\": %s",
                 archive_name, archive_error_string(a));
        goto finish;
    }

    for (;;) {
        const char *ename;
        long long size;
        size_t len = 0;

        /* commit a chunk of entries: workers start on their pages while
         * the rest of a large archive is still being unpacked */
        if (since_commit >= UNPACK_CHUNK_ENTRIES || bytes_since_commit >= UNPACK_CHUNK_BYTES) {
            if (settle(&u, err, errlen) < 0)
                goto out;
            if (cs_pq_exec(s, "NOTIFY chartscan_jobs", 0, NULL, err, errlen) < 0 ||
                cs_pq_commit(s, err, errlen) < 0 || cs_pq_begin(s, err, errlen) < 0)
                goto out;
            cs_archive_source_txn_ended(src);
            since_commit = 0;
            bytes_since_commit = 0;
        }
        r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            snprintf(batch_error, sizeof batch_error,
                     "archive \"%s\" is cut or corrupt after %d entries: %s", archive_name, index,
                     archive_error_string(a));
            break;
        }
        if (index >= CS_MAX_ENTRIES) {
            snprintf(batch_error, sizeof batch_error,
                     "archive \"%s\" has more than %d entries, the limit", archive_name,
                     CS_MAX_ENTRIES);
            break;
        }
        ename = archive_entry_pathname_utf8(entry);
        if (!ename)
            ename = archive_entry_pathname(entry);
        snprintf(name, sizeof name, "%s", ename ? ename : "");
        if (archive_entry_filetype(entry) == AE_IFDIR)
            continue;
        index++;
        if (index <= resume_after)
            continue;   /* recorded by an earlier, interrupted run */
        since_commit++;
        size = archive_entry_size_is_set(entry) ? (long long)archive_entry_size(entry) : -1;

        if (!ename || !*ename || strlen(ename) > CS_MAX_ENTRY_NAME) {
            snprintf(name, sizeof name, "(entry %d)", index);
            if (record_entry(&u, job->batch_id, index, name, size, "failed",
                             "entry name is missing or longer than the limit", err, errlen) < 0)
                goto out;
            continue;
        }
        if (unsafe_name(name)) {
            if (record_entry(&u, job->batch_id, index, name, size, "failed",
                             "unsafe entry name (absolute, or climbs with \"..\"): refused",
                             err, errlen) < 0)
                goto out;
            continue;
        }
        if (archive_entry_filetype(entry) != AE_IFREG) {
            if (record_entry(&u, job->batch_id, index, name, size, "skipped",
                             "not a regular file", err, errlen) < 0)
                goto out;
            continue;
        }
        if (size > CS_MAX_ENTRY_BYTES || total + (size > 0 ? size : 0) > CS_MAX_UNPACKED_BYTES) {
            snprintf(reason, sizeof reason, "entry is %lld bytes, more than the limit of %lld",
                     size, size > CS_MAX_ENTRY_BYTES ? (long long)CS_MAX_ENTRY_BYTES
                                                     : (long long)CS_MAX_UNPACKED_BYTES - total);
            if (record_entry(&u, job->batch_id, index, name, size, "failed", reason, err,
                             errlen) < 0)
                goto out;
            continue;
        }

        /* read the entry, bounded whatever its header claimed */
        {
            size_t cap = size > 0 ? (size_t)size : 65536;
            unsigned char *p = realloc(data, cap + 1);
            la_ssize_t n;
            if (!p) {
                cs_fail(err, errlen, "out of memory reading entry %d", index);
                goto out;
            }
            data = p;
            for (;;) {
                if (len == cap) {
                    if ((long long)cap >= CS_MAX_ENTRY_BYTES)
                        break;
                    cap *= 2;
                    p = realloc(data, cap + 1);
                    if (!p) {
                        cs_fail(err, errlen, "out of memory reading entry %d", index);
                        goto out;
                    }
                    data = p;
                }
                n = archive_read_data(a, data + len, cap - len);
                if (n <= 0) {
                    if (n < 0)
                        len = (size_t)-1;
                    break;
                }
                len += (size_t)n;
            }
        }
        if (len == (size_t)-1) {
            snprintf(reason, sizeof reason, "could not read the entry from the archive: %s",
                     archive_error_string(a));
            if (record_entry(&u, job->batch_id, index, name, size, "failed", reason, err,
                             errlen) < 0)
                goto out;
            snprintf(batch_error, sizeof batch_error, "archive \"%s\" is cut or corrupt at \"%s\"",
                     archive_name, name);
            break;
        }
        if ((long long)len >= CS_MAX_ENTRY_BYTES) {
            if (record_entry(&u, job->batch_id, index, name, (long long)len, "failed",
                             "entry is larger than the limit", err, errlen) < 0)
                goto out;
            continue;
        }
        total += (long long)len;
        bytes_since_commit += (long long)len;
        if (!cs_ocr_is_tiff(data, len)) {
            if (record_entry(&u, job->batch_id, index, name, (long long)len, "skipped",
                             "not a TIFF image", err, errlen) < 0)
                goto out;
            continue;
        }
        {
            cs_tiff_info info;
            if (cs_ocr_tiff_inspect(data, len, &info, reason, sizeof reason) < 0) {
                if (record_entry(&u, job->batch_id, index, name, (long long)len, "failed",
                                 reason, err, errlen) < 0)
                    goto out;
                continue;
            }
            if (record_tiff(&u, job->batch_id, index, name, data, len, info.pages, err,
                            errlen) < 0)
                goto out;
            files++;
            pages += info.pages;
        }
    }

finish:
    /* a failed insert seen by the archive reader is the database's fault,
     * not the archive's: the job fails and is retried */
    if (settle(&u, err, errlen) < 0)
        goto out;
    {
        const char *p[2] = {cs_i64(b1, job->batch_id), batch_error[0] ? batch_error : NULL};
        if (cs_pq_exec(s,
                "UPDATE batch SET status = CASE WHEN $2::text IS NULL THEN 'unpacked' ELSE 'failed' END,"
                "       error = $2, unpacked_at = now() WHERE id = $1", 2, p, err, errlen) < 0)
            goto out;
    }
    if (cs_jobs_complete(s, job, err, errlen) < 0)
        goto out;
    cs_archive_source_close(src);
    if (cs_pq_commit(s, err, errlen) < 0)
        goto out;
    if (batch_error[0])
        cs_log(CS_LOG_WARN, "batch %lld: unpack stopped early: %d entries kept",
               (long long)job->batch_id, index);
    cs_log(CS_LOG_INFO, "batch %lld: unpacked %d entries, %d TIFF files, %d pages",
           (long long)job->batch_id, index, files, pages);
    rc = 0;
out:
    finish_pending(&u);   /* the connection must be free for the rollback */
    if (rc < 0)
        cs_pq_rollback(s);
    PQclear(res);
    archive_read_free(a);
    cs_archive_source_free(&src);
    free(data);
    return rc;
}

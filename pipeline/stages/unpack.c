/*
 * unpack.c — the unpack stage: read a batch's archive from its large
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
 *   6. Entry names are bytes in whatever encoding the archive's maker used.
 *      libarchive converts them to the current locale, and in the "C" locale
 *      a zip's UTF-8 names do not convert at all, so the read runs with a
 *      UTF-8 LC_CTYPE (this thread only).  The bytes libarchive gives are
 *      stored as they are (path_raw) and their display form
 *      (entry_name.c) as the path: a name that is not UTF-8 (caf\xE9.tif in
 *      a tar, a CP437 zip from Windows) is no reason to lose an entry, let
 *      alone the batch.  (A name that a zip flags as UTF-8 comes normalised
 *      to NFC by libarchive; every other name comes byte for byte.)
 *   7. A batch brings in at most its page limit (batch.max_pages, default
 *      CS_DEFAULT_MAX_PAGES_PER_ARCHIVE): a few kilobytes of zip can hold
 *      thousands of tiny pages.  The pages past the limit are stored with
 *      their file and marked failed with the reason, so nothing is dropped
 *      unseen; they get no ocr job.
 */
#include "pipeline/stages/stage_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
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

/* An entry's name: as shown (decoded, lossless) and as the archive holds
 * it (note 6). */
typedef struct entry_name {
    char shown[4 * CS_MAX_ENTRY_NAME + 64];
    const char *raw;             /* NULL when libarchive gave no name */
    size_t raw_len;
} entry_name;

/* Record an entry that will have no pages: skipped or failed, with why. */
static int record_entry(unpack_conn *u, long long batch_id, int index, const entry_name *name,
                        long long size, const char *status, const char *reason,
                        char *err, size_t errlen)
{
    char b1[24], b2[24], b3[24];
    const char *p[7] = {cs_i64(b1, batch_id), cs_i64(b2, index), name->shown,
                        size >= 0 ? cs_i64(b3, size) : NULL, status, reason, name->raw};
    int lengths[7] = {0, 0, 0, 0, 0, 0, (int)name->raw_len}, formats[7] = {0, 0, 0, 0, 0, 0, 1};
    PGresult *r;
    int rc = 0;

    if (settle(u, err, errlen) < 0)
        return -1;
    r = PQexecParams(u->store->conn,
        "INSERT INTO source_file (batch_id, entry_index, path, size_bytes, status, reason, path_raw)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, NULL, p, lengths, formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        cs_fail(err, errlen, "database error: %s", PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
        rc = -1;
    }
    PQclear(r);
    return rc;
}

/* Store a TIFF entry, its pages and the ocr jobs of the first `allowed`
 * of them (the rest are over the batch's page limit, note 7: failed with
 * over_reason): sent, its result collected later (note 5). */
static int record_tiff(unpack_conn *u, long long batch_id, int index, const entry_name *name,
                       const unsigned char *data, size_t len, int pages, int allowed,
                       const char *over_reason, char *err, size_t errlen)
{
    char b1[24], b2[24], b3[24], b4[24], b5[24], hex[65];
    const char *values[10];
    int lengths[10] = {0}, formats[10] = {0};

    if (settle(u, err, errlen) < 0)
        return -1;

    cs_sha256_hex(data, len, hex);
    values[0] = cs_i64(b1, batch_id);
    values[1] = cs_i64(b2, index);
    values[2] = name->shown;
    values[3] = cs_i64(b3, (long long)len);
    values[4] = hex;
    values[5] = (const char *)data;
    lengths[5] = (int)len;
    formats[5] = 1;               /* the bytes go in binary, untouched */
    values[6] = cs_i64(b4, pages);
    values[7] = name->raw;
    lengths[7] = (int)name->raw_len;
    formats[7] = 1;
    values[8] = cs_i64(b5, allowed);
    values[9] = over_reason;
    if (!PQsendQueryParams(u->store->conn,
        "WITH f AS (INSERT INTO source_file (batch_id, entry_index, path, size_bytes, sha256, data,"
        "                                    page_count, status, path_raw)"
        "           VALUES ($1, $2, $3, $4, $5, $6, $7, 'pages', $8) RETURNING id, batch_id),"
        " p AS (INSERT INTO page (file_id, page_no, status, reason, finished_at)"
        "       SELECT f.id, g, CASE WHEN g > $9 THEN 'failed' ELSE 'pending' END,"
        "              CASE WHEN g > $9 THEN $10::text END,"
        "              CASE WHEN g > $9 THEN now() END"
        "         FROM f, generate_series(1, $7::int) g RETURNING id, file_id, page_no)"
        " INSERT INTO job (kind, batch_id, file_id, page_id, priority)"
        " SELECT 'ocr', f.batch_id, p.file_id, p.id, 1 FROM p, f WHERE p.page_no <= $9",
        10, NULL, values, lengths, formats, 0)) {
        cs_fail(err, errlen, "database error: %s", PQerrorMessage(u->store->conn));
        err[strcspn(err, "\n")] = '\0';
        return -1;
    }
    u->pending = 1;
    return 0;
}

/* A UTF-8 LC_CTYPE for this thread (note 6); (locale_t)0 when the system
 * has none, and names then come as the "C" locale lets libarchive give them. */
static locale_t utf8_locale(void)
{
    static const char *const names[] = {"C.UTF-8", "C.utf8", "en_US.UTF-8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        locale_t l = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
        if (l)
            return l;
    }
    return (locale_t)0;
}

/* The entry's name as libarchive reports it (note 6): 0; or -1 when it is
 * empty or longer than CS_MAX_ENTRY_NAME bytes (name->shown then says which
 * entry it is).  A name libarchive could not convert at all (a zip flagged
 * UTF-8 whose bytes are not) is shown as the entry's number, raw NULL. */
static int read_name(struct archive *a, struct archive_entry *entry, int index, entry_name *name)
{
    const char *utf8 = archive_entry_pathname_utf8(entry);
    const char *raw = archive_entry_pathname(entry);
    int zip = (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;

    name->raw = raw ? raw : utf8;
    name->raw_len = name->raw ? strlen(name->raw) : 0;
    if (!name->raw) {
        snprintf(name->shown, sizeof name->shown, "(entry %d, name not readable)", index);
        return 0;
    }
    if (!*name->raw || name->raw_len > CS_MAX_ENTRY_NAME) {
        snprintf(name->shown, sizeof name->shown, "(entry %d)", index);
        name->raw = NULL;
        name->raw_len = 0;
        return -1;
    }
    /* libarchive's UTF-8 form when it has one (a pax path, a flagged zip
     * name); else the bytes, decoded here */
    if (utf8 && cs_entry_name_display(utf8, strlen(utf8), 0, name->shown,
                                      sizeof name->shown) >= 0)
        return 0;
    if (cs_entry_name_display(name->raw, name->raw_len, zip, name->shown,
                              sizeof name->shown) < 0) {
        snprintf(name->shown, sizeof name->shown, "(entry %d)", index);
        return -1;
    }
    return 0;
}

int cs_stage_unpack(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    char b1[24], reason[CS_ERRLEN], batch_error[CS_ERRLEN + 128], over_reason[256];
    char archive_name[256];
    entry_name name;
    unpack_conn u = {s, 0, ""};
    locale_t utf8 = utf8_locale(), caller_locale = (locale_t)0;
    cs_archive_source *src = NULL;
    struct archive *a = NULL;
    struct archive_entry *entry;
    unsigned char *data = NULL;
    long long total = 0;
    int index = 0, files = 0, pages = 0, rc = -1, r, resume_after = 0, since_commit = 0;
    long long bytes_since_commit = 0;
    PGresult *res = NULL;
    long long size_bytes, pages_before = 0, max_pages = CS_DEFAULT_MAX_PAGES_PER_ARCHIVE, over = 0;
    int chunk_bytes;
    unsigned int oid;

    (void)ctx;
    batch_error[0] = '\0';
    if (cs_pq_begin(s, err, errlen) < 0) {
        if (utf8)
            freelocale(utf8);
        return -1;
    }
    if (utf8)
        caller_locale = uselocale(utf8);
    {
        const char *p[1] = {cs_i64(b1, job->batch_id)};
        /* a re-run after a crash resumes after the last entry committed */
        res = cs_pq(s, "SELECT coalesce(b.archive_oid, 0), b.name,"
                       "       coalesce((SELECT max(entry_index) FROM source_file f"
                       "                  WHERE f.batch_id = b.id), 0),"
                       "       coalesce((SELECT sum(size_bytes) FROM source_file f"
                       "                  WHERE f.batch_id = b.id AND f.status = 'pages'), 0),"
                       "       b.size_bytes, coalesce(b.chunk_bytes, 0),"
                       "       coalesce((SELECT sum(page_count) FROM source_file f"
                       "                  WHERE f.batch_id = b.id AND f.status = 'pages'), 0),"
                       "       b.max_pages"
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
        pages_before = cs_pq_int(res, 0, 6);
        max_pages = PQgetisnull(res, 0, 7) ? CS_DEFAULT_MAX_PAGES_PER_ARCHIVE
                                           : cs_pq_int(res, 0, 7);
        snprintf(over_reason, sizeof over_reason,
                 "over the archive's page limit of %lld pages: not recognised (raise the limit "
                 "with \"chartscan submit --max-pages\")", max_pages);
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
    cs_archive_support_formats(a);
    if (archive_read_open1(a) != ARCHIVE_OK) {
        snprintf(batch_error, sizeof batch_error, "could not read archive \"%s\": %s",
                 archive_name, archive_error_string(a));
        goto finish;
    }

    for (;;) {
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
        if (archive_entry_filetype(entry) == AE_IFDIR)
            continue;
        index++;
        if (index <= resume_after)
            continue;   /* recorded by an earlier, interrupted run */
        since_commit++;
        size = archive_entry_size_is_set(entry) ? (long long)archive_entry_size(entry) : -1;

        if (read_name(a, entry, index, &name) < 0) {
            if (record_entry(&u, job->batch_id, index, &name, size, "failed",
                             "entry name is missing or longer than the limit", err, errlen) < 0)
                goto out;
            continue;
        }
        if (name.raw && unsafe_name(name.raw)) {
            if (record_entry(&u, job->batch_id, index, &name, size, "failed",
                             "unsafe entry name (absolute, or climbs with \"..\"): refused",
                             err, errlen) < 0)
                goto out;
            continue;
        }
        if (archive_entry_filetype(entry) != AE_IFREG) {
            if (record_entry(&u, job->batch_id, index, &name, size, "skipped",
                             "not a regular file", err, errlen) < 0)
                goto out;
            continue;
        }
        if (size > CS_MAX_ENTRY_BYTES || total + (size > 0 ? size : 0) > CS_MAX_UNPACKED_BYTES) {
            snprintf(reason, sizeof reason, "entry is %lld bytes, more than the limit of %lld",
                     size, size > CS_MAX_ENTRY_BYTES ? (long long)CS_MAX_ENTRY_BYTES
                                                     : (long long)CS_MAX_UNPACKED_BYTES - total);
            if (record_entry(&u, job->batch_id, index, &name, size, "failed", reason, err,
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
            if (record_entry(&u, job->batch_id, index, &name, size, "failed", reason, err,
                             errlen) < 0)
                goto out;
            snprintf(batch_error, sizeof batch_error, "archive \"%s\" is cut or corrupt at \"%s\"",
                     archive_name, name.shown);
            break;
        }
        if ((long long)len >= CS_MAX_ENTRY_BYTES) {
            if (record_entry(&u, job->batch_id, index, &name, (long long)len, "failed",
                             "entry is larger than the limit", err, errlen) < 0)
                goto out;
            continue;
        }
        total += (long long)len;
        bytes_since_commit += (long long)len;
        if (!cs_ocr_is_tiff(data, len)) {
            if (record_entry(&u, job->batch_id, index, &name, (long long)len, "skipped",
                             "not a TIFF image", err, errlen) < 0)
                goto out;
            continue;
        }
        {
            cs_tiff_info info;
            if (cs_ocr_tiff_inspect(data, len, &info, reason, sizeof reason) < 0) {
                if (record_entry(&u, job->batch_id, index, &name, (long long)len, "failed",
                                 reason, err, errlen) < 0)
                    goto out;
                continue;
            }
            long long left = max_pages - pages_before - pages;
            int allowed = left <= 0 ? 0 : left < info.pages ? (int)left : info.pages;
            if (record_tiff(&u, job->batch_id, index, &name, data, len, info.pages, allowed,
                            over_reason, err, errlen) < 0)
                goto out;
            if (allowed < info.pages)
                over += info.pages - allowed;
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
    if (over)
        cs_log(CS_LOG_WARN, "batch %lld: %lld pages over the limit of %lld marked failed",
               (long long)job->batch_id, over, max_pages);
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
    if (utf8) {
        uselocale(caller_locale);
        freelocale(utf8);
    }
    return rc;
}

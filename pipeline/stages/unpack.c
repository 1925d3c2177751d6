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
#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define UNPACK_CHUNK_ENTRIES 16
#define UNPACK_CHUNK_BYTES (64LL << 20)

/*
 * The statement in flight (note 5).  pending is 1 from the moment a TIFF
 * entry's insert is sent until its result is collected (finish_pending);
 * while it is, the connection is busy and nothing else may be sent on it.
 */
typedef struct unpack_conn {
    cs_store *store;
    int pending;                 /* a TIFF entry's insert awaits its result */
    int pending_index;           /* that entry's number, for the message */
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
            cs_fail(u->err, sizeof u->err, "could not store entry %d: %s", u->pending_index,
                    PQresultErrorMessage(r));
            u->err[strcspn(u->err, "\n")] = '\0';
            rc = -1;
        }
        PQclear(r);
    }
    assert(PQtransactionStatus(u->store->conn) != PQTRANS_ACTIVE);
    return rc;
}

/* Collect the insert in flight before another statement: 0, or -1 with
 * its error (or one met earlier, by the archive reader) in err. */
static int settle(unpack_conn *u, char *err, size_t errlen)
{
    if (finish_pending(u) < 0 || u->err[0])
        return cs_fail(err, errlen, "%s", u->err);
    assert(!u->pending);
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

/* One run of the stage over a batch's archive: what the batch row says,
 * what the run has done, and the archive being read. */
typedef struct unpack_run {
    cs_store *store;
    const cs_job *job;
    unpack_conn u;
    cs_archive_source *src;
    struct archive *a;
    unsigned char *data;         /* the entry being read */
    /* the batch */
    char archive_name[256];
    unsigned int oid;            /* its large object (before schema 009), or 0 */
    long long size_bytes;
    int chunk_bytes;
    int resume_after;            /* entries recorded by an interrupted run (note 4) */
    long long max_pages;         /* note 7 */
    char over_reason[256];
    /* progress */
    int index;                   /* the entry's number, 1-based */
    int files, pages;            /* TIFF files and their pages, this run */
    long long pages_before;      /* pages recorded by earlier runs */
    long long over;              /* pages over the limit, this run */
    long long total;             /* bytes of the entries read, with earlier runs' */
    int since_commit;
    long long bytes_since_commit;
    char batch_error[CS_ERRLEN + 128];   /* why the archive stopped early, or "" */
} unpack_run;

/* Record an entry that will have no pages: skipped or failed, with why. */
static int record_entry(unpack_run *run, const entry_name *name, long long size,
                        const char *status, const char *reason, char *err, size_t errlen)
{
    char b1[24], b2[24], b3[24], what[48];
    const char *p[7] = {cs_i64(b1, run->job->batch_id), cs_i64(b2, run->index), name->shown,
                        size >= 0 ? cs_i64(b3, size) : NULL, status, reason, name->raw};
    int lengths[7] = {0, 0, 0, 0, 0, 0, (int)name->raw_len}, formats[7] = {0, 0, 0, 0, 0, 0, 1};
    PGresult *r;

    if (settle(&run->u, err, errlen) < 0)
        return -1;
    snprintf(what, sizeof what, "record entry %d", run->index);
    r = cs_pq_bin(run->store, what,
        "INSERT INTO source_file (batch_id, entry_index, path, size_bytes, status, reason, path_raw)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, p, lengths, formats, 0, err, errlen);
    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

/* Store a TIFF entry (len bytes of run->data), its pages and the ocr jobs
 * of the first `allowed` of them (the rest are over the batch's page
 * limit, note 7: failed with run->over_reason): sent, its result collected
 * later (note 5). */
static int record_tiff(unpack_run *run, const entry_name *name, size_t len, int pages,
                       int allowed, char *err, size_t errlen)
{
    unpack_conn *u = &run->u;
    char b1[24], b2[24], b3[24], b4[24], b5[24], hex[65];
    const char *values[10];
    int lengths[10] = {0}, formats[10] = {0};

    if (settle(u, err, errlen) < 0)
        return -1;

    cs_sha256_hex(run->data, len, hex);
    values[0] = cs_i64(b1, run->job->batch_id);
    values[1] = cs_i64(b2, run->index);
    values[2] = name->shown;
    values[3] = cs_i64(b3, (long long)len);
    values[4] = hex;
    values[5] = (const char *)run->data;
    lengths[5] = (int)len;
    formats[5] = 1;               /* the bytes go in binary, untouched */
    values[6] = cs_i64(b4, pages);
    values[7] = name->raw;
    lengths[7] = (int)name->raw_len;
    formats[7] = 1;
    values[8] = cs_i64(b5, allowed);
    values[9] = run->over_reason;
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
        cs_fail(err, errlen, "could not send entry %d to the database: %s", run->index,
                PQerrorMessage(u->store->conn));
        err[strcspn(err, "\n")] = '\0';
        return -1;
    }
    u->pending = 1;
    u->pending_index = run->index;
    assert(PQtransactionStatus(u->store->conn) == PQTRANS_ACTIVE);
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

/* What the batch row says, and what an interrupted run left (note 4). */
static int load_batch(unpack_run *run, char *err, size_t errlen)
{
    char b1[24];
    const char *p[1] = {cs_i64(b1, run->job->batch_id)};
    PGresult *res;

    /* a re-run after a crash resumes after the last entry committed */
    res = cs_pq(run->store, "SELECT coalesce(b.archive_oid, 0), b.name,"
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
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return cs_fail(err, errlen, "batch %lld does not exist", (long long)run->job->batch_id);
    }
    run->oid = (unsigned int)strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(run->archive_name, sizeof run->archive_name, "%s", PQgetvalue(res, 0, 1));
    run->resume_after = (int)cs_pq_int(res, 0, 2);
    run->total = cs_pq_int(res, 0, 3);
    run->size_bytes = cs_pq_int(res, 0, 4);
    run->chunk_bytes = (int)cs_pq_int(res, 0, 5);
    run->pages_before = cs_pq_int(res, 0, 6);
    run->max_pages = PQgetisnull(res, 0, 7) ? CS_DEFAULT_MAX_PAGES_PER_ARCHIVE
                                            : cs_pq_int(res, 0, 7);
    snprintf(run->over_reason, sizeof run->over_reason,
             "over the archive's page limit of %lld pages: not recognised (raise the limit "
             "with \"chartscan submit --max-pages\")", run->max_pages);
    PQclear(res);
    return 0;
}

/* Open the stored archive with libarchive: 0 (with run->batch_error set
 * when libarchive cannot read it), or -1 with err. */
static int open_archive(unpack_run *run, char *err, size_t errlen)
{
    if (cs_archive_source_new(run->store, run->job->batch_id, run->size_bytes, run->chunk_bytes,
                              run->oid, finish_pending, &run->u, &run->src, err, errlen) < 0)
        return -1;
    run->a = archive_read_new();
    if (!run->a || cs_archive_source_attach(run->src, run->a) < 0)
        return cs_fail(err, errlen, "could not open the stored archive of batch %lld",
                       (long long)run->job->batch_id);
    cs_archive_support_formats(run->a);
    if (archive_read_open1(run->a) != ARCHIVE_OK)
        snprintf(run->batch_error, sizeof run->batch_error, "could not read archive \"%s\": %s",
                 run->archive_name, archive_error_string(run->a));
    return 0;
}

/* Commit a chunk of entries when one is full: workers start on their
 * pages while the rest of a large archive is still being unpacked. */
static int commit_chunk(unpack_run *run, char *err, size_t errlen)
{
    if (run->since_commit < UNPACK_CHUNK_ENTRIES && run->bytes_since_commit < UNPACK_CHUNK_BYTES)
        return 0;
    if (settle(&run->u, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(run->store, "NOTIFY chartscan_jobs", 0, NULL, err, errlen) < 0 ||
        cs_pq_commit(run->store, err, errlen) < 0 || cs_pq_begin(run->store, err, errlen) < 0)
        return -1;
    cs_archive_source_txn_ended(run->src);
    run->since_commit = 0;
    run->bytes_since_commit = 0;
    return 0;
}

/* The next entry not yet recorded, numbered in run->index: 1; or 0 at
 * the end, or when the archive breaks or has too many entries
 * (run->batch_error says which). */
static int next_entry(unpack_run *run, struct archive_entry **entry)
{
    for (;;) {
        int r = archive_read_next_header(run->a, entry);
        if (r == ARCHIVE_EOF)
            return 0;
        if (r < ARCHIVE_WARN) {
            snprintf(run->batch_error, sizeof run->batch_error,
                     "archive \"%s\" is cut or corrupt after %d entries: %s", run->archive_name,
                     run->index, archive_error_string(run->a));
            return 0;
        }
        if (run->index >= CS_MAX_ENTRIES) {
            snprintf(run->batch_error, sizeof run->batch_error,
                     "archive \"%s\" has more than %d entries, the limit", run->archive_name,
                     CS_MAX_ENTRIES);
            return 0;
        }
        if (archive_entry_filetype(*entry) == AE_IFDIR)
            continue;
        run->index++;
        if (run->index > run->resume_after)
            return 1;
        /* else recorded by an earlier, interrupted run */
    }
}

/* Why the entry is refused before its data is read, or NULL; *status is
 * then "failed" or "skipped".  Fills *name. */
static const char *refusal(const unpack_run *run, struct archive_entry *entry, long long size,
                           entry_name *name, const char **status, char *reason,
                           size_t reasonlen)
{
    *status = "failed";
    if (read_name(run->a, entry, run->index, name) < 0)
        return "entry name is missing or longer than the limit";
    if (name->raw && unsafe_name(name->raw))
        return "unsafe entry name (absolute, or climbs with \"..\"): refused";
    if (archive_entry_filetype(entry) != AE_IFREG) {
        *status = "skipped";
        return "not a regular file";
    }
    if (size > CS_MAX_ENTRY_BYTES || run->total + (size > 0 ? size : 0) > CS_MAX_UNPACKED_BYTES) {
        snprintf(reason, reasonlen, "entry is %lld bytes, more than the limit of %lld", size,
                 size > CS_MAX_ENTRY_BYTES ? (long long)CS_MAX_ENTRY_BYTES
                                           : (long long)CS_MAX_UNPACKED_BYTES - run->total);
        return reason;
    }
    return NULL;
}

/* Read the entry's data into run->data, bounded whatever its header
 * claimed (size, -1 when unknown): 0 with *len bytes (CS_MAX_ENTRY_BYTES
 * when it is at least that large); 1 when the archive failed to give it;
 * -1 when memory ran out (err). */
static int read_data(unpack_run *run, long long size, size_t *len, char *err, size_t errlen)
{
    size_t cap = size > 0 ? (size_t)size : 65536;
    unsigned char *p = realloc(run->data, cap + 1);

    *len = 0;
    if (!p)
        return cs_fail(err, errlen, "out of memory reading entry %d", run->index);
    run->data = p;
    for (;;) {
        la_ssize_t n;
        if (*len == cap) {
            if ((long long)cap >= CS_MAX_ENTRY_BYTES)
                return 0;
            cap *= 2;
            p = realloc(run->data, cap + 1);
            if (!p)
                return cs_fail(err, errlen, "out of memory reading entry %d", run->index);
            run->data = p;
        }
        n = archive_read_data(run->a, run->data + *len, cap - *len);
        if (n < 0)
            return 1;
        if (n == 0)
            return 0;
        *len += (size_t)n;
    }
}

/* Store a TIFF entry of len bytes with its pages, those over the batch's
 * page limit failed (note 7); or record why it cannot be read. */
static int store_tiff(unpack_run *run, const entry_name *name, size_t len, char *err,
                      size_t errlen)
{
    char reason[CS_ERRLEN];
    cs_tiff_info info;
    long long left;
    int allowed;

    if (cs_ocr_tiff_inspect(run->data, len, &info, reason, sizeof reason) < 0)
        return record_entry(run, name, (long long)len, "failed", reason, err, errlen);
    left = run->max_pages - run->pages_before - run->pages;
    allowed = left <= 0 ? 0 : left < info.pages ? (int)left : info.pages;
    if (record_tiff(run, name, len, info.pages, allowed, err, errlen) < 0)
        return -1;
    if (allowed < info.pages)
        run->over += info.pages - allowed;
    run->files++;
    run->pages += info.pages;
    return 0;
}

/* Check, read and record one entry: 1 to go on with the next; 0 when the
 * archive broke while it was read (run->batch_error); -1 with err. */
static int unpack_entry(unpack_run *run, struct archive_entry *entry, char *err, size_t errlen)
{
    long long size = archive_entry_size_is_set(entry) ? (long long)archive_entry_size(entry) : -1;
    char reason[CS_ERRLEN];
    const char *status, *why;
    entry_name name;
    size_t len;
    int r;

    why = refusal(run, entry, size, &name, &status, reason, sizeof reason);
    if (why)
        return record_entry(run, &name, size, status, why, err, errlen) < 0 ? -1 : 1;
    r = read_data(run, size, &len, err, errlen);
    if (r < 0)
        return -1;
    if (r == 1) {
        snprintf(reason, sizeof reason, "could not read the entry from the archive: %s",
                 archive_error_string(run->a));
        if (record_entry(run, &name, size, "failed", reason, err, errlen) < 0)
            return -1;
        snprintf(run->batch_error, sizeof run->batch_error,
                 "archive \"%s\" is cut or corrupt at \"%s\"", run->archive_name, name.shown);
        return 0;
    }
    if ((long long)len >= CS_MAX_ENTRY_BYTES)
        return record_entry(run, &name, (long long)len, "failed",
                            "entry is larger than the limit", err, errlen) < 0 ? -1 : 1;
    run->total += (long long)len;
    run->bytes_since_commit += (long long)len;
    if (!cs_ocr_is_tiff(run->data, len))
        return record_entry(run, &name, (long long)len, "skipped", "not a TIFF image", err,
                            errlen) < 0 ? -1 : 1;
    return store_tiff(run, &name, len, err, errlen) < 0 ? -1 : 1;
}

/* Unpack the entries an earlier run did not record, committing in chunks:
 * 0 (run->batch_error says why the archive stopped early, if it did), or
 * -1 with err. */
static int unpack_entries(unpack_run *run, char *err, size_t errlen)
{
    struct archive_entry *entry;
    int r = 1;

    while (r == 1) {
        if (commit_chunk(run, err, errlen) < 0)
            return -1;
        if (!next_entry(run, &entry))
            return 0;
        run->since_commit++;
        r = unpack_entry(run, entry, err, errlen);
    }
    return r;
}

/* Record the batch's outcome and complete the job, with the last chunk. */
static int finish_batch(unpack_run *run, char *err, size_t errlen)
{
    char b1[24];
    const char *p[2] = {cs_i64(b1, run->job->batch_id),
                        run->batch_error[0] ? run->batch_error : NULL};
    long long batch_id = (long long)run->job->batch_id;

    /* a failed insert seen by the archive reader is the database's fault,
     * not the archive's: the job fails and is retried */
    if (settle(&run->u, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(run->store,
            "UPDATE batch SET status = CASE WHEN $2::text IS NULL THEN 'unpacked' ELSE 'failed' END,"
            "       error = $2, unpacked_at = now() WHERE id = $1", 2, p, err, errlen) < 0 ||
        cs_jobs_complete(run->store, run->job, err, errlen) < 0)
        return -1;
    cs_archive_source_close(run->src);
    if (cs_pq_commit(run->store, err, errlen) < 0)
        return -1;
    if (run->batch_error[0])
        cs_log(CS_LOG_WARN, "batch %lld: unpack stopped early: %d entries kept", batch_id,
               run->index);
    if (run->over)
        cs_log(CS_LOG_WARN, "batch %lld: %lld pages over the limit of %lld marked failed",
               batch_id, run->over, run->max_pages);
    cs_log(CS_LOG_INFO, "batch %lld: unpacked %d entries, %d TIFF files, %d pages", batch_id,
           run->index, run->files, run->pages);
    return 0;
}

int cs_stage_unpack(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    unpack_run run;
    locale_t utf8, caller_locale = (locale_t)0;
    int rc = -1;

    (void)ctx;
    memset(&run, 0, sizeof run);
    run.store = s;
    run.job = job;
    run.u.store = s;
    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    utf8 = utf8_locale();
    if (utf8)
        caller_locale = uselocale(utf8);
    if (load_batch(&run, err, errlen) < 0 || open_archive(&run, err, errlen) < 0)
        goto out;
    if (!run.batch_error[0] && unpack_entries(&run, err, errlen) < 0)
        goto out;
    if (finish_batch(&run, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    finish_pending(&run.u);   /* the connection must be free for the rollback */
    if (rc < 0)
        cs_pq_rollback(s);
    archive_read_free(run.a);
    cs_archive_source_free(&run.src);
    free(run.data);
    if (utf8) {
        uselocale(caller_locale);
        freelocale(utf8);
    }
    return rc;
}

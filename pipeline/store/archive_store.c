/*
 * archive_store.c — a batch's archive as stored in the database: written by
 * submit in chunks of CS_ARCHIVE_CHUNK_BYTES (table archive_chunk, schema
 * 009), read back by unpack through libarchive's read, seek and skip
 * callbacks, one chunk in memory at a time.  Batches submitted before schema
 * 009 hold their archive in a large object, which is still read.
 *
 * Interface routines (pipeline_internal.h):
 *   cs_archive_put_chunk       store one chunk
 *   cs_archive_source_new      a reader for a batch's archive
 *   cs_archive_source_attach   give it to a libarchive reader
 *   cs_archive_source_txn_ended   the transaction it read in has ended
 *   cs_archive_source_free
 *   cs_archive_support_formats   the formats a read accepts (note 4)
 *   cs_archive_purge           drop a finished batch's archive bytes (note 5)
 *
 * Notes:
 *   1. Each database read first calls the caller's before_query hook, so a
 *      caller that keeps a statement in flight on the same connection (unpack
 *      does, to store one entry while it inflates the next) collects its
 *      result first: one connection carries one statement at a time.
 *   2. libarchive may keep using the block a read returned until its next
 *      read, so the chunk's result is kept until then.
 *   3. A large object's descriptor belongs to the transaction that opened
 *      it; after a commit the next read reopens it at the position reached.
 *      Chunks have no such tie.
 *   4. Only real archive formats are enabled, by name: libarchive's "all"
 *      includes the raw and mtree readers, which take any text file for an
 *      archive (a roster CSV became 41 entries named after patient rows),
 *      and readers (ar, cpio, iso9660, rar, cab, ...) that no scanner
 *      writes.  submit refuses what these do not recognise, and unpack
 *      reads with the same set.
 *   5. A purge (`chartscan batch purge`) keeps the batch row with its
 *      sha256, so that the same archive submitted again is still refused as
 *      a duplicate, and everything unpack made of the archive (entries,
 *      pages, documents): only the archive's own bytes go.
 */
#include "pipeline/pipeline_internal.h"

#include <archive.h>
#include <errno.h>
#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

#define LO_READ_BYTES (256 * 1024)

struct cs_archive_source {
    cs_store *store;
    long long batch_id;
    long long size;              /* bytes in the archive */
    int chunk_bytes;             /* > 0: archive_chunk; 0: large object */
    Oid oid;
    long long pos;               /* offset of the next byte libarchive gets */
    PGresult *chunk;             /* the chunk last read (note 2) */
    int chunk_seq;
    int lo_fd;                   /* -1 when closed (note 3) */
    char *lo_buf;
    int (*before_query)(void *arg);
    void *arg;
};

int cs_archive_put_chunk(cs_store *s, long long batch_id, int seq, const void *data, size_t len,
                         char *err, size_t errlen)
{
    char b1[24], b2[24];
    const char *values[3] = {cs_i64(b1, batch_id), cs_i64(b2, seq), data};
    int lengths[3] = {0, 0, (int)len}, formats[3] = {0, 0, 1};
    PGresult *r = cs_pq_bin(s, "store the archive",
                            "INSERT INTO archive_chunk (batch_id, seq, data) VALUES ($1, $2, $3)",
                            3, values, lengths, formats, 0, err, errlen);

    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

int cs_archive_source_new(cs_store *s, long long batch_id, long long size, int chunk_bytes,
                          unsigned int oid, int (*before_query)(void *), void *arg,
                          cs_archive_source **out, char *err, size_t errlen)
{
    cs_archive_source *src;

    *out = NULL;
    if (chunk_bytes <= 0 && oid == InvalidOid)
        return cs_fail(err, errlen, "batch %lld has no stored archive", batch_id);
    src = calloc(1, sizeof *src);
    if (!src)
        return cs_fail(err, errlen, "out of memory");
    src->store = s;
    src->batch_id = batch_id;
    src->size = size;
    src->chunk_bytes = chunk_bytes > 0 ? chunk_bytes : 0;
    src->oid = (Oid)oid;
    src->chunk_seq = -1;
    src->lo_fd = -1;
    src->before_query = before_query;
    src->arg = arg;
    if (!src->chunk_bytes && !(src->lo_buf = malloc(LO_READ_BYTES))) {
        free(src);
        return cs_fail(err, errlen, "out of memory");
    }
    *out = src;
    return 0;
}

static int ready_for_query(cs_archive_source *src)
{
    return src->before_query ? src->before_query(src->arg) : 0;
}

/* ---- chunks ---- */

static la_ssize_t chunk_read(struct archive *a, void *data, const void **block)
{
    cs_archive_source *src = data;
    long long seq, off, len;

    *block = NULL;
    if (src->pos >= src->size)
        return 0;
    seq = src->pos / src->chunk_bytes;
    off = src->pos % src->chunk_bytes;
    if (!src->chunk || src->chunk_seq != seq) {
        char b1[24], b2[24], scratch[CS_ERRLEN];
        const char *p[2] = {cs_i64(b1, src->batch_id), cs_i64(b2, seq)};

        PQclear(src->chunk);
        src->chunk = NULL;
        src->chunk_seq = -1;
        if (ready_for_query(src) < 0) {
            archive_set_error(a, EIO, "could not read the stored archive");
            return -1;
        }
        /* binary: the chunk's bytes as stored */
        src->chunk = cs_pq_bin(src->store, NULL,
                               "SELECT data FROM archive_chunk WHERE batch_id = $1 AND seq = $2",
                               2, p, NULL, NULL, 1, scratch, sizeof scratch);
        if (!src->chunk || PQntuples(src->chunk) != 1) {
            archive_set_error(a, EIO, "could not read chunk %lld of the stored archive", seq);
            PQclear(src->chunk);
            src->chunk = NULL;
            return -1;
        }
        src->chunk_seq = (int)seq;
    }
    len = PQgetlength(src->chunk, 0, 0);
    if (off >= len) {
        archive_set_error(a, EIO, "chunk %lld of the stored archive is shorter than recorded", seq);
        return -1;
    }
    *block = PQgetvalue(src->chunk, 0, 0) + off;
    src->pos += len - off;
    return (la_ssize_t)(len - off);
}

static la_int64_t chunk_seek(struct archive *a, void *data, la_int64_t offset, int whence)
{
    cs_archive_source *src = data;
    long long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? src->pos : src->size;

    (void)a;
    if ((whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) || base + offset < 0
        || base + offset > src->size)
        return ARCHIVE_FATAL;
    src->pos = base + offset;
    return src->pos;
}

static la_int64_t chunk_skip(struct archive *a, void *data, la_int64_t request)
{
    cs_archive_source *src = data;
    long long n = request < src->size - src->pos ? request : src->size - src->pos;

    (void)a;
    if (n < 0)
        n = 0;
    src->pos += n;
    return n;
}

/* ---- a large object (batches submitted before schema 009) ---- */

/* Each callback first frees the connection (note 1), then opens the large
 * object if a commit closed it (note 3). */

static int lo_ensure_open(cs_archive_source *src)
{
    PGconn *conn = src->store->conn;

    if (src->lo_fd >= 0)
        return 0;
    src->lo_fd = lo_open(conn, src->oid, INV_READ);
    if (src->lo_fd < 0)
        return -1;
    if (lo_lseek64(conn, src->lo_fd, src->pos, SEEK_SET) != src->pos) {
        src->lo_fd = -1;
        return -1;
    }
    return 0;
}

static la_ssize_t lo_read_cb(struct archive *a, void *data, const void **block)
{
    cs_archive_source *src = data;
    int n = ready_for_query(src) < 0 || lo_ensure_open(src) < 0
                ? -1 : lo_read(src->store->conn, src->lo_fd, src->lo_buf, LO_READ_BYTES);

    if (n < 0) {
        archive_set_error(a, EIO, "could not read the stored archive");
        return -1;
    }
    src->pos += n;
    *block = src->lo_buf;
    return n;
}

static la_int64_t lo_seek_cb(struct archive *a, void *data, la_int64_t offset, int whence)
{
    cs_archive_source *src = data;
    pg_int64 pos;

    (void)a;
    if (ready_for_query(src) < 0 || lo_ensure_open(src) < 0)
        return ARCHIVE_FATAL;
    pos = lo_lseek64(src->store->conn, src->lo_fd, offset, whence);
    if (pos < 0)
        return ARCHIVE_FATAL;
    src->pos = pos;
    return pos;
}

static la_int64_t lo_skip_cb(struct archive *a, void *data, la_int64_t request)
{
    cs_archive_source *src = data;
    pg_int64 after;

    (void)a;
    if (ready_for_query(src) < 0 || lo_ensure_open(src) < 0)
        return 0;
    after = lo_lseek64(src->store->conn, src->lo_fd, request, SEEK_CUR);
    if (after < 0)
        return 0;
    request = after - src->pos;
    src->pos = after;
    return request;
}

int cs_archive_source_attach(cs_archive_source *src, struct archive *a)
{
    if (src->chunk_bytes) {
        archive_read_set_read_callback(a, chunk_read);
        archive_read_set_seek_callback(a, chunk_seek);
        archive_read_set_skip_callback(a, chunk_skip);
    } else {
        if (ready_for_query(src) < 0 || lo_ensure_open(src) < 0)
            return -1;
        archive_read_set_read_callback(a, lo_read_cb);
        archive_read_set_seek_callback(a, lo_seek_cb);
        archive_read_set_skip_callback(a, lo_skip_cb);
    }
    archive_read_set_callback_data(a, src);
    return 0;
}

void cs_archive_source_txn_ended(cs_archive_source *src)
{
    if (src)
        src->lo_fd = -1;   /* closed with the transaction (note 3) */
}

void cs_archive_source_free(cs_archive_source **psrc)
{
    cs_archive_source *src = psrc ? *psrc : NULL;

    if (!src)
        return;
    PQclear(src->chunk);
    free(src->lo_buf);
    free(src);
    *psrc = NULL;
}

/* Close the large object inside the current transaction, if open. */
void cs_archive_source_close(cs_archive_source *src)
{
    if (src && src->lo_fd >= 0) {
        lo_close(src->store->conn, src->lo_fd);
        src->lo_fd = -1;
    }
}

void cs_archive_support_formats(struct archive *a)
{
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);   /* ARCHIVE_WARN: through the zstd program */
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);     /* ustar, pax, GNU tar */
    archive_read_support_format_7zip(a);
}

int cs_archive_purge(cs_store *s, long long batch_id, long long *freed, char *err, size_t errlen)
{
    char bbuf[24];
    const char *p[1] = {cs_i64(bbuf, batch_id)};
    PGresult *r;
    long long bytes;

    *freed = 0;
    /* a large object (batches from before schema 009) counts at the archive's size */
    r = cs_pq(s,
        "SELECT coalesce((SELECT sum(octet_length(data)) FROM archive_chunk WHERE batch_id = $1), 0)"
        "       + CASE WHEN archive_oid IS NULL THEN 0 ELSE size_bytes END,"
        "       archive_oid IS NOT NULL AND EXISTS (SELECT 1 FROM pg_largeobject_metadata m"
        "                                           WHERE m.oid = archive_oid)"
        "  FROM batch WHERE id = $1 AND purged_at IS NULL FOR UPDATE", 1, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return cs_fail(err, errlen, "batch %lld has no archive to purge", batch_id);
    }
    bytes = cs_pq_int(r, 0, 0);
    if (!strcmp(PQgetvalue(r, 0, 1), "t") &&
        cs_pq_exec(s, "SELECT lo_unlink(archive_oid) FROM batch WHERE id = $1", 1, p, err,
                   errlen) < 0) {
        PQclear(r);
        return -1;
    }
    PQclear(r);
    if (cs_pq_exec(s, "DELETE FROM archive_chunk WHERE batch_id = $1", 1, p, err, errlen) < 0 ||
        cs_pq_exec(s, "UPDATE batch SET purged_at = now(), archive_oid = NULL WHERE id = $1", 1,
                   p, err, errlen) < 0)
        return -1;
    *freed = bytes;
    return 0;
}

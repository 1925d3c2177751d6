/*
 * pipeline_internal.h — shared between the files of pipeline/ only: the
 * store's innards and small libpq helpers.
 */
#ifndef CS_PIPELINE_INTERNAL_H
#define CS_PIPELINE_INTERNAL_H

#include <libpq-fe.h>

#include "pipeline/pipeline.h"

/* A statement prepared on the store's connection (store.c, cs_pq). */
typedef struct cs_prepared {
    char *sql;                   /* its text (a copy), the key */
    unsigned int hash;
} cs_prepared;

struct cs_store {
    PGconn *conn;
    int listening;
    cs_prepared *prepared;       /* prepared statements, named "cs<index>" */
    size_t nprepared, prepared_cap;
    int copying;                 /* a COPY FROM STDIN is open (copy.c): no other statement */
    char copy_table[64];         /* the table it loads, for messages */
};

/*
 * cs_pq: run a parameterised statement (text parameters, NULL for SQL
 * NULL).  Returns the result when its status is COMMAND_OK or TUPLES_OK,
 * else NULL with the server's message in err.  A statement with
 * parameters is prepared on the connection the first time it runs and
 * executed as prepared afterwards (store.c, note 2).
 */
PGresult *cs_pq(cs_store *s, const char *sql, int nparams, const char *const *params,
                char *err, size_t errlen);
/*
 * cs_pq_bin: cs_pq for parameters or results in binary.  formats[i] 1:
 * params[i] is lengths[i] bytes sent as they are (bytea); 0: text
 * (lengths[i] ignored); lengths and formats NULL: every parameter text.
 * binary_result 1: the cells come in binary (bytea as stored, integers in
 * network byte order).  what says what was attempted, for the message
 * ("could not <what>: <the server's message>"); NULL gives cs_pq's.
 */
PGresult *cs_pq_bin(cs_store *s, const char *what, const char *sql, int nparams,
                    const char *const *params, const int *lengths, const int *formats,
                    int binary_result, char *err, size_t errlen);
/* Same as cs_pq, discarding the result: 0 or -1. */
int cs_pq_exec(cs_store *s, const char *sql, int nparams, const char *const *params,
               char *err, size_t errlen);
int cs_pq_begin(cs_store *s, char *err, size_t errlen);
int cs_pq_commit(cs_store *s, char *err, size_t errlen);
/* Roll back, ignoring errors (used on the way out of a failure). */
void cs_pq_rollback(cs_store *s);

/* Resolve a batch given as an id or an archive name into id[24]. */
int cs_resolve_batch(cs_store *s, const char *batch, char id[24], char *err, size_t errlen);

/* Who the audit trail names for a command: given, else $CHARTSCAN_ACTOR, else the
 * OS user (export/destination.c). */
void cs_command_actor(char *out, size_t outlen, const char *given);

/* An OID in dotted form (0, 1 or 2 first, no leading zeros, at most 64
 * characters); one under 2.999, the example arc (commands/config.c). */
int cs_oid_valid(const char *oid);
int cs_oid_is_example(const char *oid);

/* The length of the well-formed UTF-8 character at p (no overlong form, no
 * surrogate, at most U+10FFFF), or 0 when there is none (export/mllp.c). */
size_t cs_utf8_char_len(const unsigned char *p);

/* One line per batch whose documents an interface engine rejected (the
 * count; "chartscan report" has the reasons), for status (export/destination.c). */
int cs_export_rejections(cs_store *s, FILE *out, char *err, size_t errlen);

/* Integer of a result cell (0 when NULL). */
long long cs_pq_int(const PGresult *r, int row, int col);

/* Format an int64 into a caller buffer, for parameters. */
const char *cs_i64(char buf[24], long long v);

/* ---- COPY FROM STDIN, text format (copy.c) ----
 * cs_copy_begin, then cs_copy_send any number of times, then always
 * cs_copy_end (also after a failed send); no other statement runs on the
 * store in between. */
struct cs_buf;
/* Append v escaped for COPY text format; NULL (or "" when null_if_empty) becomes \N. */
int cs_copy_value(struct cs_buf *b, const char *v, int null_if_empty);
int cs_copy_begin(cs_store *s, const char *copy_sql, char *err, size_t errlen);
int cs_copy_send(cs_store *s, const struct cs_buf *rows, char *err, size_t errlen);
/* End the copy (abort it with a reason, or NULL to finish) and collect the result. */
int cs_copy_end(cs_store *s, const char *abort_reason, char *err, size_t errlen);

/* ---- a batch's stored archive (archive_store.c) ---- */
#define CS_ARCHIVE_CHUNK_BYTES (1 << 20)
struct archive;
typedef struct cs_archive_source cs_archive_source;
/* Store chunk seq (0, 1, ...) of batch_id's archive: 0, or -1 with err. */
int cs_archive_put_chunk(cs_store *s, long long batch_id, int seq, const void *data, size_t len,
                         char *err, size_t errlen);
/* A reader for a batch's archive of size bytes, in chunks of chunk_bytes
 * (> 0) or in large object oid (chunk_bytes 0).  before_query(arg), when
 * not NULL, runs before each database read and fails it by returning -1. */
int cs_archive_source_new(cs_store *s, long long batch_id, long long size, int chunk_bytes,
                          unsigned int oid, int (*before_query)(void *), void *arg,
                          cs_archive_source **out, char *err, size_t errlen);
/* Set a's read, seek and skip callbacks to read src: 0, or -1. */
int cs_archive_source_attach(cs_archive_source *src, struct archive *a);
/* The transaction src read in has ended (a large object's descriptor went with it). */
void cs_archive_source_txn_ended(cs_archive_source *src);
/* Close a large object's descriptor inside the current transaction. */
void cs_archive_source_close(cs_archive_source *src);
void cs_archive_source_free(cs_archive_source **src);
/* Let a read only the real archive formats: zip, tar (plain, gzip, bzip2,
 * xz, zstd) and 7z; never raw or mtree, which take any text for an archive. */
void cs_archive_support_formats(struct archive *a);

/* Store the sheet's rows for batch_id, replacing its earlier ones, in the caller's
 * transaction: every row, or with archive the rows naming it.  The rows stored, or -1. */
int cs_prep_sheet_store(cs_store *s, const cs_prep_sheet *ps, long long batch_id,
                        const char *archive, char *err, size_t errlen);
/* Print the one value that sql with one parameter gives (a JSON document) and a
 * newline: the --json of status and report.  0, or -1 with err. */
int cs_print_json(cs_store *s, const char *sql, const char *param, FILE *out, char *err,
                  size_t errlen);
/* A batch's reconciliation as a JSON array (the --json of report and status). */
#define RECONCILIATION_JSON(batch_expr) \
    "coalesce((SELECT json_agg(json_build_object('box', box, 'expected_documents'," \
    " expected_documents, 'expected_pages', expected_pages, 'expected_blank', expected_blank," \
    " 'received_pages', received_pages, 'processed_pages', processed_pages, 'blank_pages'," \
    " blank_pages, 'failed_pages', failed_pages, 'pending_pages', pending_pages, 'documents'," \
    " documents, 'differences', to_json(differences)) ORDER BY line NULLS LAST)" \
    " FROM reconciliation(" batch_expr ")), '[]'::json)"
/* Print batch_id's reconciliation (nothing without a prep sheet), each line after indent. */
int cs_reconcile_print(cs_store *s, const char *batch_id, const char *indent, FILE *out,
                       char *err, size_t errlen);

/* Drop batch_id's archive bytes (chunks or large object) and mark it purged, in the
 * caller's transaction; freed: the bytes dropped.  0, or -1 with err. */
int cs_archive_purge(cs_store *s, long long batch_id, long long *freed, char *err, size_t errlen);

/* Queue (or queue again) the file's assembly when none of its pages is pending. */
int cs_jobs_queue_assembly(cs_store *s, long long batch_id, long long file_id, char *err,
                           size_t errlen);

/* Take the lock (for the transaction) that orders a batch's cancel after every
 * transaction inserting jobs of the batch (schema 018, note 2). */
int cs_jobs_cancel_batch_lock(cs_store *s, long long batch_id, char *err, size_t errlen);
/*
 * Cancel a batch's unfinished jobs (queued, running, failed) and its pages
 * still pending, in the caller's transaction: the jobs move to the history
 * as cancelled, the pages are marked failed, "batch cancelled".  A worker
 * still running one of them finds it gone at its next heartbeat or commit
 * and commits nothing.  The caller holds cs_jobs_cancel_batch_lock.  Counts (may be NULL): jobs queued, running and
 * failed that were cancelled, pages marked failed.  0, or -1 with err.
 */
int cs_jobs_cancel_batch(cs_store *s, long long batch_id, long *queued, long *running,
                         long *failed, long *pages, char *err, size_t errlen);
/* Complete the job inside the current transaction: 0, or -1 when the lease was lost. */
int cs_jobs_complete(cs_store *s, const cs_job *job, char *err, size_t errlen);

/* Render document_id's searchable PDF from its pages and store it
 * (stages/pdf.c; the review actions render it again after a change). */
int cs_document_render_pdf(cs_store *s, long long document_id, char *err, size_t errlen);

/*
 * cs_write_output: write len bytes to out_path (mode 0600, never through
 * a link, under a temporary name renamed into place when complete: a
 * failure leaves nothing), or to standard output when out_path is NULL
 * (refused when that is a terminal; what names the bytes in messages).
 * Into a file, before_commit (when not NULL) runs once every byte is on
 * disk and before the rename; its failure leaves nothing behind either.
 * Returns 0, or -1 with err (stages/pdf.c).
 */
typedef int (*cs_before_commit)(void *arg, char *err, size_t errlen);
int cs_write_output(const void *bytes, size_t len, const char *out_path, const char *what,
                    cs_before_commit before_commit, void *arg, char *err, size_t errlen);

#endif

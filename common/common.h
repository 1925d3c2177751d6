/*
 * common.h — the ground floor shared by every module: logging, growable
 * byte buffers, hashing, CSV reading, and the limits on untrusted input.
 *
 * Interface routines:
 *   cs_log              one log line to stderr, filtered by CHARTSCAN_LOG
 *   cs_buf_*            growable byte buffer (append, printf, JSON string)
 *   cs_sha256_*         streaming SHA-256, hex digest
 *   cs_csv_*            RFC 4180 reader (quoted fields, embedded newlines)
 *   cs_file_*, cs_dir_make_private   private files (0600/0700), never through a link
 *   cs_word_distance    how far apart two typed words are ("did you mean")
 *
 * Logs carry ids, counts and timings only: never OCR text, names, MRNs,
 * birth dates, image bytes or connection strings.
 */
#ifndef CS_COMMON_H
#define CS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- limits on untrusted input (archives and TIFFs come from outside) ---- */
#define CS_MAX_ENTRIES         100000          /* entries in one archive */
#define CS_MAX_ENTRY_BYTES     (256LL << 20)   /* one archive entry */
#define CS_MAX_UNPACKED_BYTES  (64LL << 30)    /* all entries of one archive */
#define CS_MAX_PAGES_PER_FILE  5000
#define CS_MAX_PAGE_PIXELS     (120LL * 1000 * 1000)
#define CS_MAX_PAGE_DECODE_BYTES (768LL << 20) /* decoding one page (ocr/tiff.c note 1) */
#define CS_MAX_ENTRY_NAME      1024

#define CS_ERRLEN 512

/* ---- logging ---- */
enum cs_log_level { CS_LOG_ERROR = 0, CS_LOG_WARN, CS_LOG_INFO, CS_LOG_DEBUG };

/*
 * cs_log: write one line "chartscan[pid]: level: message" to stderr when
 * level is at or below CHARTSCAN_LOG (error|warn|info|debug; default warn).
 */
void cs_log(enum cs_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* cs_log_enabled: true when a message at this level would be written. */
int cs_log_enabled(enum cs_log_level level);

/* ---- growable buffer ---- */
typedef struct cs_buf {
    char  *data;    /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    int    failed;  /* an append failed since the last reset: see cs_buf_failed */
} cs_buf;

#define CS_BUF_INIT {NULL, 0, 0, 0}

/*
 * All cs_buf_* return 0, or -1 when memory runs out: the buffer's content is
 * then unchanged, but it is marked failed until cs_buf_reset or cs_buf_free.
 * Whoever finishes a buffer (writes, sends or stores it) checks cs_buf_failed
 * first: a NULL data pointer is no sign of failure once memory was kept
 * across a reset.
 */
int  cs_buf_reserve(cs_buf *b, size_t extra);
int  cs_buf_append(cs_buf *b, const void *data, size_t len);
int  cs_buf_puts(cs_buf *b, const char *s);
int  cs_buf_printf(cs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
int  cs_buf_json_string(cs_buf *b, const char *s);
/* 1 when an append failed since the buffer was last reset or freed (content incomplete). */
int  cs_buf_failed(const cs_buf *b);
void cs_buf_reset(cs_buf *b);   /* length 0, failure cleared, memory kept */
void cs_buf_free(cs_buf *b);    /* accepts a zeroed buffer */
/*
 * Test-only: make the nth cs_buf allocation from now (process-wide, counting
 * from 1) fail as if memory ran out; n <= 0 disarms.  cs_buf_test_failures
 * says how many failures were injected since the last arming (0 or 1).
 */
void cs_buf_test_fail_allocation(long n);
long cs_buf_test_failures(void);

/* ---- SHA-256 ---- */
typedef struct cs_sha256 cs_sha256;
cs_sha256 *cs_sha256_new(void);                 /* NULL when out of memory */
void cs_sha256_update(cs_sha256 *h, const void *data, size_t len);
/* Finish and write 64 lowercase hex digits and a NUL into hex[65]. */
void cs_sha256_final_hex(cs_sha256 *h, char hex[65]);
void cs_sha256_free(cs_sha256 **ph);
/* One-shot digest of a buffer. */
void cs_sha256_hex(const void *data, size_t len, char hex[65]);

/* ---- CSV (RFC 4180) ---- */
typedef struct cs_csv cs_csv;

/*
 * cs_csv_open: read CSV from fp (not closed by cs_csv_free).  Fields may be
 * quoted, contain commas, doubled quotes and newlines; CRLF and LF line ends;
 * a UTF-8 BOM is skipped.  max_field bounds a field's length in bytes.
 */
cs_csv *cs_csv_open(FILE *fp, size_t max_field);
/*
 * cs_csv_next: read the next record.  Returns 1 with *fields / *nfields set
 * (valid until the next call), 0 at end of input, -1 on a malformed record
 * (message in cs_csv_error).  cs_csv_line gives the line the record started on.
 */
int cs_csv_next(cs_csv *c, char ***fields, size_t *nfields);
long cs_csv_line(const cs_csv *c);
/* The length in bytes of field i of the last record, NUL bytes included. */
size_t cs_csv_field_length(const cs_csv *c, size_t i);
const char *cs_csv_error(const cs_csv *c);
void cs_csv_free(cs_csv **pc);

/* ---- small helpers ---- */
/* Monotonic clock in milliseconds. */
double cs_now_ms(void);
/* snprintf into err (may be NULL) and return -1: the usual error return. */
int cs_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- typed words (words.c): edits between two words, case-insensitive ---- */
#define CS_WORD_DISTANCE_MAX 64
int cs_word_distance(const char *a, const char *b);

/* ---- files holding patient data (util.c): private, never through a link ---- */
/*
 * cs_dir_make_private: create folder path with mode 0700 whatever the umask.
 * An existing folder is used as it is; a symbolic link or anything else
 * that is not a folder is refused.  Returns 0, or -1 with err.
 */
int cs_dir_make_private(const char *path, char *err, size_t errlen);
/*
 * cs_file_create_private: start writing path.  Creates a new temporary file
 * next to it ("path.part-XXXXXX", name into tmp[tmplen]) with mode 0600
 * whatever the umask, O_EXCL (so never through a link).  Refuses at once
 * when path is a symbolic link or exists and is not a regular file.
 * Returns the file descriptor, or -1 with err (tmp then "").
 * Finish with close() and cs_file_commit_private, or close() and unlink(tmp).
 */
int cs_file_create_private(const char *path, char *tmp, size_t tmplen, char *err,
                           size_t errlen);
/* cs_file_create_private as a stream opened for writing ("wb"): the stream,
 * or NULL with err (tmp then "", nothing left behind).  Finish with fclose()
 * and cs_file_commit_private, or fclose() and unlink(tmp). */
FILE *cs_file_open_private(const char *path, char *tmp, size_t tmplen, char *err,
                           size_t errlen);
/*
 * cs_file_commit_private: rename the closed temporary file tmp to path,
 * replacing a regular file there; refuses (and removes tmp) when path has
 * become a symbolic link or something else.  Returns 0, or -1 with err.
 */
int cs_file_commit_private(const char *tmp, const char *path, char *err, size_t errlen);

#endif

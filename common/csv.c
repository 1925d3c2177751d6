/*
 * csv.c — streaming RFC 4180 reader.
 *
 * Interface routines:
 *   cs_csv_open     wrap a FILE * (read with getc, never slurped)
 *   cs_csv_next     next record as an array of NUL-terminated fields
 *   cs_csv_line     1-based line on which the current record started
 *   cs_csv_field_length   a field's length in bytes, NUL bytes included
 *   cs_csv_error    message for the last -1 from cs_csv_next
 *   cs_csv_free     release the reader (the FILE * stays open)
 *
 * The reader is a small state machine driven one byte at a time:
 *
 *   FIELD_START --'"'--> QUOTED --'"'--> QUOTE_IN_QUOTED --'"'--> QUOTED
 *        |                  ^                  |
 *        +--other--> UNQUOTED                  +--',' / EOL / EOF--> (field ends)
 *
 * Bytes of the current record are gathered into one buffer, each field
 * followed by a NUL; the field pointers are fixed up once the record is
 * complete, so that growing the buffer never leaves a pointer dangling.
 *
 * Choices where RFC 4180 is silent or strict:
 *   - a line with no bytes at all (an empty line) is skipped, not returned
 *     as a record with one empty field;
 *   - a lone CR outside quotes is data; CRLF and LF both end a record;
 *   - a '"' inside an unquoted field is kept as data (common in exports);
 *   - any byte other than ',', CR, LF or end of input after a closing
 *     quote is an error, as is end of input inside a quoted field.
 * Errors are sticky: after a -1, further calls return -1 as well.
 */
#include "common/common.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS 256

struct cs_csv {
    FILE   *fp;
    size_t  max_field;
    cs_buf  bytes;                       /* fields of the record, NUL after each */
    size_t  starts[CSV_MAX_FIELDS];      /* offset of each field in bytes */
    char   *fields[CSV_MAX_FIELDS];
    size_t  lengths[CSV_MAX_FIELDS];     /* of each field, NUL bytes included */
    size_t  nfields;
    long    line;                        /* line the reader is on now */
    long    record_line;                 /* line the last record started on */
    unsigned char pushed[4];             /* bytes to read again, last first */
    int     npushed;
    int     bom_checked;
    int     failed;
    char    error[CS_ERRLEN];
};

/*
 * cs_csv_open()
 *
 *      Input:  fp (open for reading; not closed by cs_csv_free)
 *              max_field (longest field in bytes; 0 means 1 MiB)
 *      Return: reader, or NULL when fp is NULL or memory runs out
 */
cs_csv *
cs_csv_open(FILE *fp, size_t max_field)
{
    cs_csv *c;

    if (!fp)
        return NULL;
    if ((c = calloc(1, sizeof *c)) == NULL)
        return NULL;
    c->fp = fp;
    c->max_field = max_field ? max_field : (size_t)1 << 20;
    c->line = 1;
    return c;
}

/* Fail the current record: keep the message and make the error sticky. */
static int
csv_fail(cs_csv *c, const char *msg)
{
    snprintf(c->error, sizeof c->error, "line %ld: %s", c->record_line, msg);
    c->failed = 1;
    return -1;
}

/* Next byte, taking pushed-back bytes first (ungetc promises only one). */
static int
next_byte(cs_csv *c)
{
    if (c->npushed > 0)
        return c->pushed[--c->npushed];
    return getc(c->fp);
}

static void
push_back(cs_csv *c, int ch)
{
    assert(c->npushed < (int)sizeof c->pushed);
    if (ch != EOF)
        c->pushed[c->npushed++] = (unsigned char)ch;
}

/* Skip a UTF-8 byte-order mark at the very start of the input. */
static void
skip_bom(cs_csv *c)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    int seen[3], n = 0;

    c->bom_checked = 1;
    while (n < 3) {
        seen[n] = next_byte(c);
        if (seen[n] != bom[n]) {
            n++;
            break;
        }
        n++;
    }
    if (n == 3 && seen[2] == bom[2])
        return;
    while (n > 0)
        push_back(c, seen[--n]);
}

/* Append one byte to the current field, enforcing max_field. */
static int
put_byte(cs_csv *c, int ch, size_t *field_len)
{
    char b = (char)ch;

    if (*field_len >= c->max_field)
        return csv_fail(c, "field longer than the limit");
    if (cs_buf_append(&c->bytes, &b, 1) < 0)
        return csv_fail(c, "out of memory");
    (*field_len)++;
    return 0;
}

/* Close the current field and open the next one. */
static int
end_field(cs_csv *c, size_t *field_len)
{
    if (cs_buf_append(&c->bytes, "", 1) < 0)
        return csv_fail(c, "out of memory");
    c->nfields++;
    *field_len = 0;
    return 0;
}

static int
start_field(cs_csv *c)
{
    if (c->nfields >= CSV_MAX_FIELDS)
        return csv_fail(c, "too many fields in record");
    c->starts[c->nfields] = c->bytes.len;
    return 0;
}

/*
 * The states, and the function that takes a byte in each (a byte it
 * returns CSV_RECORD_END for ends the record; -1 fails it):
 *   FIELD_START, UNQUOTED   step_unquoted    (a field's first byte, or data)
 *   QUOTED                  step_quoted      (inside "...")
 *   QUOTE_IN_QUOTED         step_after_quote (after a '"' inside "...")
 */
enum csv_state { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };
enum { CSV_MORE = 0, CSV_RECORD_END = 1 };

/*
 * After a CR: 1 if a LF follows (consumed, and counted as a line), 0 if
 * not (the byte that follows is read again next).
 */
static int
crlf_follows(cs_csv *c)
{
    int next = next_byte(c);

    if (next == '\n') {
        c->line++;
        return 1;
    }
    if (next != EOF)
        push_back(c, next);
    return 0;
}

/* A field separator: close this field and open the next, empty one. */
static int
next_field(cs_csv *c, enum csv_state *st, size_t *field_len)
{
    if (end_field(c, field_len) < 0 || start_field(c) < 0)
        return -1;
    *st = FIELD_START;
    return CSV_MORE;
}

static int
step_unquoted(cs_csv *c, enum csv_state *st, int ch, size_t *field_len)
{
    if (ch == '"' && *st == FIELD_START) {
        *st = QUOTED;
        return CSV_MORE;
    }
    if (ch == ',')
        return next_field(c, st, field_len);
    if (ch == '\n' || (ch == '\r' && crlf_follows(c)))
        return CSV_RECORD_END;
    /* a lone CR, and a '"' inside an unquoted field, are data */
    if (put_byte(c, ch, field_len) < 0)
        return -1;
    *st = UNQUOTED;
    return CSV_MORE;
}

static int
step_quoted(cs_csv *c, enum csv_state *st, int ch, size_t *field_len)
{
    if (ch == '"') {
        *st = QUOTE_IN_QUOTED;
        return CSV_MORE;
    }
    return put_byte(c, ch, field_len) < 0 ? -1 : CSV_MORE;
}

static int
step_after_quote(cs_csv *c, enum csv_state *st, int ch, size_t *field_len)
{
    if (ch == '"') {                      /* doubled quote */
        if (put_byte(c, ch, field_len) < 0)
            return -1;
        *st = QUOTED;
        return CSV_MORE;
    }
    if (ch == ',')
        return next_field(c, st, field_len);
    if (ch == '\n')
        return CSV_RECORD_END;
    if (ch == '\r') {
        if (next_byte(c) == '\n') {
            c->line++;
            return CSV_RECORD_END;
        }
        return csv_fail(c, "carriage return after closing quote");
    }
    return csv_fail(c, "unexpected character after closing quote");
}

/*
 * Skip empty lines (LF or CRLF alone) before the next record.  Returns 1
 * when a record starts (its first byte is read again next), 0 at the end
 * of input, -1 on a read error.
 */
static int
skip_empty_lines(cs_csv *c)
{
    int ch;

    for (;;) {
        ch = next_byte(c);
        if (ch == '\n') {
            c->line++;
            continue;
        }
        if (ch == '\r' && crlf_follows(c))
            continue;
        if (ch == EOF) {
            c->record_line = c->line;
            return ferror(c->fp) ? csv_fail(c, "read error") : 0;
        }
        push_back(c, ch);
        return 1;
    }
}

/*
 * Read one record's bytes into c->bytes, a NUL after each field.  Returns
 * 1 for a record, 0 when the input ended before any byte of one, -1 on a
 * malformed record.
 */
static int
read_record(cs_csv *c)
{
    enum csv_state st = FIELD_START;
    size_t field_len = 0;
    int ch, any = 0, step;

    c->nfields = 0;
    c->bytes.len = 0;
    if (start_field(c) < 0)
        return -1;
    for (;;) {
        ch = next_byte(c);
        if (ch == EOF) {
            if (ferror(c->fp))
                return csv_fail(c, "read error");
            if (st == QUOTED)
                return csv_fail(c, "unterminated quoted field at end of input");
            if (!any && c->nfields == 0)
                return 0;
            break;
        }
        any = 1;
        if (ch == '\n')
            c->line++;
        switch (st) {
        case FIELD_START:
        case UNQUOTED:
            step = step_unquoted(c, &st, ch, &field_len);
            break;
        case QUOTED:
            step = step_quoted(c, &st, ch, &field_len);
            break;
        case QUOTE_IN_QUOTED:
        default:
            step = step_after_quote(c, &st, ch, &field_len);
            break;
        }
        if (step < 0)
            return -1;
        if (step == CSV_RECORD_END)
            break;
    }
    return end_field(c, &field_len) < 0 ? -1 : 1;
}

/*
 * cs_csv_next()
 *
 *      Input:  c (reader)
 *              fields (out: array of nfields NUL-terminated strings, valid
 *                      until the next call)
 *              nfields (out)
 *      Return: 1 for a record, 0 at end of input, -1 on a malformed record
 *              (message in cs_csv_error)
 *
 *  Notes:
 *      (1) Fields are bounded by max_field bytes and records by 256 fields.
 *      (2) A field may contain NUL bytes; they end the string the caller sees,
 *          so a caller that must not lose what follows one compares
 *          cs_csv_field_length with strlen.
 */
int
cs_csv_next(cs_csv *c, char ***fields, size_t *nfields)
{
    size_t i;
    int rc;

    if (fields)
        *fields = NULL;
    if (nfields)
        *nfields = 0;
    if (!c)
        return -1;
    if (c->failed)
        return -1;
    if (!c->bom_checked)
        skip_bom(c);

    if ((rc = skip_empty_lines(c)) <= 0)
        return rc;
    c->record_line = c->line;
    if ((rc = read_record(c)) <= 0)
        return rc;

    /* the buffer is complete: now its addresses hold */
    for (i = 0; i < c->nfields; i++) {
        size_t end = i + 1 < c->nfields ? c->starts[i + 1] : c->bytes.len;
        c->fields[i] = c->bytes.data + c->starts[i];
        c->lengths[i] = end - c->starts[i] - 1;     /* each field is followed by a NUL */
    }
    if (fields)
        *fields = c->fields;
    if (nfields)
        *nfields = c->nfields;
    return 1;
}

/* cs_csv_line: 1-based line of the record last returned (or failed). */
long
cs_csv_line(const cs_csv *c)
{
    return c ? c->record_line : 0;
}

/* cs_csv_field_length: the length in bytes of field i of the record last
 * returned, NUL bytes included (strlen stops at the first); 0 when there
 * is no such field. */
size_t
cs_csv_field_length(const cs_csv *c, size_t i)
{
    return c && i < c->nfields ? c->lengths[i] : 0;
}

/* cs_csv_error: message for the last failure, "" when there was none. */
const char *
cs_csv_error(const cs_csv *c)
{
    return c ? c->error : "no reader";
}

/* cs_csv_free: release the reader; accepts NULL and nulls *pc. */
void
cs_csv_free(cs_csv **pc)
{
    if (!pc || !*pc)
        return;
    cs_buf_free(&(*pc)->bytes);
    free(*pc);
    *pc = NULL;
}

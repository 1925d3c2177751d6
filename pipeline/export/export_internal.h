/*
 * export_internal.h — shared by the EHR exports (fhir.c,
 * hl7.c), their bookkeeping (destination.c) and the MLLP client
 * (mllp.c).  Not part of pipeline.h: callers see cs_export_fhir/hl7 only.
 *
 * Call sequence of one export run:
 *   cs_export_run_begin     options resolved, destination locked, snapshot, cursor
 *   cs_export_run_fetch     the next rows (binary results; 0 rows at the end)
 *     ... per row: write or send it, then cs_export_run_record
 *   cs_export_run_finish    destination items, audit row, commit
 *   cs_export_run_end       always: rollback if unfinished, unlock, free
 */
#ifndef CS_EXPORT_INTERNAL_H
#define CS_EXPORT_INTERNAL_H

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

/* Columns of the export cursor (see destination.c). */
enum {
    X_ID, X_UUID, X_VSTATUS, X_REPLACES_UUID, X_MRN, X_LAST, X_FIRST, X_MIDDLE, X_BIRTH,
    X_SEX, X_TYPE, X_DISPLAY, X_LOINC, X_DOS, X_PAGES, X_FILED_AT, X_FILED_BY, X_BATCH,
    X_FILE, X_PDF_SIZE, X_VERSION, X_TXA2, X_PDF, X_TEXT, X_NCOLS
};

typedef struct cs_export_run {
    cs_store *s;
    const char *format;             /* "fhir" or "hl7" */
    char destination[256];          /* "" when none */
    char destination_id[24];
    char batch_id[24];
    char actor[128];
    /* the site's identities (destination.c: the option, else the setting of
     * schema/020_site_config.sql, else the environment, else the default) */
    char mrn_system[256];           /* FHIR subject.identifier.system */
    char organization[256];         /* FHIR custodian.display; "" none */
    char custodian_reference[256];  /* FHIR custodian.reference; "" none */
    char subject_template[256];     /* FHIR subject.reference with {mrn}; "" none */
    char msh[4][256];               /* MSH-3..6 (and FHS-3..6): HD, components with ^ */
    int msh4_is_text;               /* MSH-4 is $CHARTSCAN_ORGANIZATION: no components */
    char aa_namespace[80], aa_id[256], aa_type[4];   /* PID-3.4: HD namespace&id&type */
    char txa9[256];                 /* TXA-9: XCN, components with ^; "" none */
    char target[512];               /* out folder or mllp://host:port, for the audit */
    int want_pdf, want_text;
    int fetch_size;
    int locked, in_transaction;
    cs_buf pending;                 /* COPY rows for pg_temp.export_item */
    long exported, rejected;
} cs_export_run;

/*
 * cs_export_run_begin: resolve the options, take the destination's lock,
 * start a repeatable-read transaction and open the cursor.  want_pdf /
 * want_text: fetch the PDF bytes / the OCR text; current_only: leave out
 * superseded versions (versions entered in error stay: they go as cancels).  On error, -1 (call cs_export_run_end anyway).
 */
int cs_export_run_begin(cs_export_run *run, cs_store *s, const char *format,
                        const cs_export_options *o, int want_pdf, int want_text,
                        int current_only, char *err, size_t errlen);
/* The next rows, binary format (text columns are plain strings); NULL on error. */
PGresult *cs_export_run_fetch(cs_export_run *run, char *err, size_t errlen);
/* Note that a document went out: status 'sent', 'accepted' or 'rejected'; ack_code
 * MSA-1, ack_text MSA-3, ack_error the ERR segments' text (NULL: none). */
int cs_export_run_record(cs_export_run *run, const PGresult *r, int row, const char *status,
                         const char *ack_code, const char *ack_text, const char *ack_error,
                         char *err, size_t errlen);
/* Record the destination's items and the audit row, and commit. */
int cs_export_run_finish(cs_export_run *run, char *err, size_t errlen);
/* Roll back what is not committed, release the lock, free; accepts a zeroed run. */
void cs_export_run_end(cs_export_run *run);

/* ---- encoding helpers (fhir.c) ---- */
/*
 * Append data base64-encoded (RFC 4648, "+/" with padding: libsodium's
 * sodium_bin2base64) to b.  Returns 0, or -1 when memory ran out (b is
 * then marked failed).
 */
int cs_base64_append(cs_buf *b, const unsigned char *data, size_t len);
/* Make folder dir unless it exists; default_prefix names one when dir is NULL. */
int cs_export_make_dir(const char *dir, const char *format, char *out, size_t outlen,
                       char *err, size_t errlen);

/* ---- HL7 (hl7.c) ---- */
/*
 * Append s to b escaped for HL7 v2 data: | ^ & ~ \ as \F\ \S\ \T\ \R\ \E\,
 * control characters and DEL as \Xhh\ (a failed append marks b failed).
 */
void cs_hl7_escape(cs_buf *b, const char *s);

/* ---- MLLP client (mllp.c) ---- */
typedef struct cs_mllp cs_mllp;
/* Connect to "HOST:PORT"; timeout_ms bounds the connection and each ACK. */
int  cs_mllp_open(cs_mllp **out, const char *hostport, int timeout_ms, char *err, size_t errlen);
/*
 * cs_mllp_send: frame msg (segments ending in CR) as VT msg FS CR, send it
 * and wait for its ACK.  Fills code[3] with MSA-1 (AA, AE, AR, CA, CE, CR),
 * text with MSA-3 and errors with the text of the ACK's ERR segments (both
 * may be empty; HL7 escapes undone, control characters replaced by spaces:
 * safe to print).  Returns 0 when an ACK came, -1 when the connection failed
 * or timed out (the message is then in doubt).
 */
int  cs_mllp_send(cs_mllp *m, const char *msg, size_t len, const char *control_id,
                  char code[3], char *text, size_t textlen, char *errors, size_t errorslen,
                  char *err, size_t errlen);
void cs_mllp_close(cs_mllp **pm);
/*
 * cs_mllp_parse_ack: read the ACK ack (n bytes, frame removed, NUL bytes
 * allowed) that answers control_id, as cs_mllp_send does; peer names the
 * receiver in messages.  0, or -1 with err (no MSA, an unknown code,
 * another control id, not HL7).
 */
int  cs_mllp_parse_ack(const char *ack, size_t n, const char *peer, const char *control_id,
                       char code[3], char *text, size_t textlen, char *errors,
                       size_t errorslen, char *err, size_t errlen);

#endif

/*
 * pipeline.h — the stages (unpack, ocr, assemble), the database store, the
 * embedded PostgreSQL server, and the commands built on them (init, roster
 * import, training, submit, status, manifest export).  The only module that
 * talks to PostgreSQL; callers see an opaque cs_store.
 *
 * Call sequence:
 *   cs_store_open(&s)            CHARTSCAN_DB, or the embedded server (started on demand)
 *   cs_store_migrate(s) / cs_store_require_schema(s)
 *   ... commands, or in a worker: cs_jobs_claim -> cs_stage_run -> (cs_jobs_retry_or_fail)
 *   cs_store_close(&s)
 *
 * Every function returns 0 (or a count) on success and -1 with a message
 * in err on failure.
 */
#ifndef CS_PIPELINE_H
#define CS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct cs_store cs_store;

/* ---- configuration ---- */
/* The home folder: $CHARTSCAN_HOME or ./var/chartscan, made absolute. */
const char *cs_home(void);
/* 1 when CHARTSCAN_DB names an external server. */
int cs_store_external(void);

/* ---- embedded server (store/cluster.c) ---- */
/* Create the private cluster on first use and start it; no-op when running. */
int cs_server_start(const char *home, char *err, size_t errlen);
int cs_server_stop(const char *home, char *err, size_t errlen);
/* *running = 1/0; *exists = 1 when the cluster has been created. */
int cs_server_status(const char *home, int *exists, int *running, char *err, size_t errlen);
/* libpq connection string for the embedded server's database dbname, as user. */
void cs_server_conninfo(const char *home, const char *dbname, const char *user, char *out,
                        size_t outlen);

/* ---- store (store.c) ---- */
/* The database role a connection uses (store.c, note 3). */
typedef enum cs_db_role {
    CS_DB_OWNER = 0,    /* chartscan_owner: migrations and the operator's commands */
    CS_DB_WORKER,       /* chartscan_worker: the queue and the stages' tables */
    CS_DB_REVIEWER      /* chartscan_reviewer: the review station; never a superuser */
} cs_db_role;
/* The role cs_store_open connects as in this process and its children
 * (CS_DB_OWNER until set). */
void cs_store_set_role(cs_db_role role);
/* Open a store as the process's role (cs_store_set_role). */
int  cs_store_open(cs_store **out, char *err, size_t errlen);
/* Open a store as role: CHARTSCAN_DB_WORKER / CHARTSCAN_DB_REVIEWER for
 * those roles when set, else CHARTSCAN_DB, else the embedded server as
 * that role.  The reviewer is refused a superuser's connection. */
int  cs_store_open_as(cs_store **out, cs_db_role role, char *err, size_t errlen);
/* Embedded server only (no-op with CHARTSCAN_DB): start it, create the
 * database and the roles, and give what an older chartscan made in the
 * database to the owner role.  Run by `chartscan init`; cs_store_open
 * runs it itself when it cannot connect. */
int  cs_store_prepare(char *err, size_t errlen);
void cs_store_close(cs_store **ps);
/* Apply pending schema/NNN_*.sql migrations; prints what it applies to out (may be NULL). */
int  cs_store_migrate(cs_store *s, FILE *out, char *err, size_t errlen);
/* Fail with a hint to run `chartscan init` when the schema is missing or old. */
int  cs_store_require_schema(cs_store *s, char *err, size_t errlen);
/* Settings for a worker's session (asynchronous commit: stages are idempotent). */
int  cs_store_worker_session(cs_store *s, char *err, size_t errlen);
/* 1 while the connection is usable; 0 once it has been lost (reopen the store). */
int  cs_store_ok(cs_store *s);

/* ---- commands ---- */
/*
 * cs_problems: where a command reports a problem that does not end it (a
 * malformed roster row, an archive the watch could not submit), one at a
 * time as it meets them: message is worded like an error (no program name,
 * no newline).  The command's own outcome still comes back in err.  A NULL
 * cs_problems, or a NULL report, drops them.
 */
typedef struct cs_problems {
    void (*report)(void *arg, const char *message);
    void *arg;
} cs_problems;

/* `chartscan patients import`: each malformed row is reported to problems
 * (the first few; then how many more), and the file imports nothing. */
int cs_patients_import(cs_store *s, const char *csv_path, FILE *out,
                       const cs_problems *problems, char *err, size_t errlen);
int cs_train(cs_store *s, const char *csv_path, FILE *out, char *err, size_t errlen);
/* `chartscan train --from-reviews [FILE.csv]`: train and activate a model on
 * the reviewer-confirmed examples, plus csv_path's examples when not NULL. */
int cs_train_from_reviews(cs_store *s, const char *csv_path, FILE *out, char *err,
                          size_t errlen);
/* Train and activate the default model from chartscan's own examples, when no model exists. */
int cs_train_default(cs_store *s, FILE *out, char *err, size_t errlen);
/* Submit one archive; prints "ID NAME" to out.  Refuses a byte-identical archive. */
int cs_submit(cs_store *s, const char *archive_path, FILE *out, char *err, size_t errlen);
/* The most pages one archive may bring in when its submitter sets no other
 * limit; pages beyond a batch's limit are kept, marked failed with the reason. */
#define CS_DEFAULT_MAX_PAGES_PER_ARCHIVE 500
/* A clerk's prep sheet (reconcile.c): per box, documents, pages, blank pages expected. */
typedef struct cs_prep_sheet cs_prep_sheet;
/*
 * cs_prep_sheet_read: read and check a prep sheet (CSV, a header row naming
 * box, documents, pages and optionally blank; at most 10,000 rows and 1 MB).
 * A bad row is an error naming the file and line.  0, or -1 with err.
 */
int cs_prep_sheet_read(const char *path, cs_prep_sheet **out, char *err, size_t errlen);
/* With several archives, every row must name one of them (file name, with or
 * without extension): -1 with err naming the first row that does not. */
int cs_prep_sheet_check(const cs_prep_sheet *ps, char *const *archives, int n, char *err,
                        size_t errlen);
void cs_prep_sheet_free(cs_prep_sheet **pps);
/* Record a prep sheet for a batch already submitted (replacing its earlier one)
 * and print its reconciliation. */
int cs_batch_expect(cs_store *s, const char *batch, const char *path, FILE *out, char *err,
                    size_t errlen);

typedef struct cs_submit_options {
    int max_pages;              /* pages this archive may bring in; 0: the default */
    const cs_prep_sheet *expect;   /* the prep sheet to store with the batch, or NULL */
    int expect_by_name;         /* store only the rows naming the archive (several given) */
} cs_submit_options;
/* cs_submit with options (opt may be NULL: the defaults). */
int cs_submit_with(cs_store *s, const char *archive_path, const cs_submit_options *opt, FILE *out,
                   char *err, size_t errlen);
/* Batches and the queue; bars: draw a progress bar under each batch. */
/* Submit archives that appear in dir once their size is stable, with opt (NULL:
 * the defaults); until SIGINT/SIGTERM.  An archive that cannot be submitted
 * is reported to problems and the watch goes on. */
int cs_watch(cs_store *s, const char *dir, int interval_s, const cs_submit_options *opt,
             FILE *out, const cs_problems *problems, char *err, size_t errlen);
int cs_status(cs_store *s, int bars, FILE *out, char *err, size_t errlen);
/* Options of cs_status_with; zero them, set what is given. */
typedef struct cs_status_options {
    int bars;      /* a progress bar under each batch (text only) */
    int active;    /* only batches with a job queued or running */
    int json;      /* one JSON object: {"batches": [...], "jobs": {...}} */
} cs_status_options;
int cs_status_with(cs_store *s, const cs_status_options *o, FILE *out, char *err,
                   size_t errlen);
/* batch: an id or an archive name; NULL for all batches. */
int cs_export_manifest(cs_store *s, const char *batch, int with_text, FILE *out,
                       char *err, size_t errlen);
/* The same into the file path: 0600, never through a symbolic link, complete or absent. */
int cs_export_manifest_file(cs_store *s, const char *batch, int with_text, const char *path,
                            char *err, size_t errlen);

/* A batch's counts, confidence spread and exceptions, as text or CSV. */
int cs_report(cs_store *s, const char *batch, int csv, FILE *out, char *err, size_t errlen);
/* The same as one JSON object: batch, counts, confidence, exceptions. */
int cs_report_json(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen);
/* Re-queue failed jobs (of one batch: an id or a name; NULL for all). */
int cs_retry(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen);
/*
 * cs_batch_cancel: stop the batch's queued and running jobs (a worker
 * running one commits nothing of it), mark its pages still pending failed
 * ("batch cancelled"), keep what was processed; audited.  An unknown,
 * finished or already cancelled batch is an error.  0, or -1 with err.
 */
int cs_batch_cancel(cs_store *s, const char *batch, FILE *out, char *err, size_t errlen);
/*
 * cs_batch_purge: drop the archive bytes of every batch finished (unpacked
 * or cancelled, no job queued or running) at least days ago, keeping its
 * sha256 (a resubmission is still refused), entries, pages and documents;
 * one audited transaction a batch; prints each and the bytes freed.
 */
int cs_batch_purge(cs_store *s, int days, FILE *out, char *err, size_t errlen);
/*
 * Match again, against the roster as it is now, the documents in review as
 * "not in roster" or without candidates (of one batch, or all: NULL), by
 * the pipeline's own rules; each document's change one transaction with
 * its audit row (none when a document's reasons and candidates come out as
 * they were).  Prints what they became (ids and reasons only); quiet: print
 * nothing when no document changed.  Run by `chartscan rematch` and, quiet,
 * after `chartscan patients import`.
 */
int cs_rematch(cs_store *s, const char *batch, int quiet, FILE *out, char *err, size_t errlen);
/*
 * Search the filed documents (current versions): query is words, fields
 * with a prefix (mrn: name: born: type: from: to:) and the rest full text
 * (commands/search.c).  At most limit (1 to 1000) documents, as lines or
 * (json) a JSON array; one audit row with the kinds of terms, the count and
 * the ids, never the query.  A malformed query: -1 with err.
 */
int cs_search(cs_store *s, const char *query, int limit, int json, FILE *out, char *err,
              size_t errlen);

/* Write document's PDF (an id like d-42 or 42) to out_path, or to stdout when NULL. */
int cs_export_pdf(cs_store *s, const char *document, const char *out_path, char *err,
                  size_t errlen);
/*
 * cs_pdf_set_images: which image the searchable PDFs this process renders
 * show: "original" (the default: a grey or colour scan as JPEG, a bilevel
 * one as its cleaned G4 page) or "bilevel" (always the cleaned G4 page).
 * Returns 0, or -1 for any other name.  Set once, before the workers start.
 */
int cs_pdf_set_images(const char *mode);

/* ---- the EHR handoff: FHIR and HL7 exports (export/fhir.c, export/hl7.c, export/destination.c) ---- */
/* What to do with each document's PDF. */
typedef enum cs_export_content {
    CS_EXPORT_PDF_DEFAULT = 0,  /* FHIR: Binary.ndjson, attachment.url; HL7: OBX ED base64 */
    CS_EXPORT_PDF_INLINE,       /* FHIR: attachment.data (HL7: same as default) */
    CS_EXPORT_PDF_NONE          /* FHIR: metadata only (url, size; no Binary, no hash);
                                   HL7: the OCR text as OBX TX lines */
} cs_export_content;

/* Options of cs_export_fhir and cs_export_hl7; zero them, set what is given. */
typedef struct cs_export_options {
    const char *batch;          /* an id or an archive name; NULL: every batch */
    const char *since;          /* documents filed or superseded at or after this time
                                   (any PostgreSQL timestamptz text); NULL: all */
    const char *destination;    /* named receiver: send only what it has not got in this
                                   version, and remember what it got; NULL: everything,
                                   nothing remembered (with mllp: "mllp://HOST:PORT") */
    const char *out_dir;        /* folder for the files; NULL: ./export-FORMAT-YYYYMMDDTHHMMSSZ */
    cs_export_content pdf;
    const char *mllp;           /* HL7 only: HOST:PORT to send to over MLLP instead of files */
    int mllp_timeout_ms;        /* wait for each ACK; 0: 30000 */
    const char *mrn_system;     /* identifier system of MRNs; NULL: the site's settings
                                   (cs_config_set), else $CHARTSCAN_MRN_SYSTEM, else the
                                   placeholder urn:oid:2.999.1 (the exports then refuse) */
    const char *organization;   /* custodian's display; NULL: setting fhir.custodian.display,
                                   else $CHARTSCAN_ORGANIZATION (also MSH-4's fallback) */
    const char *actor;          /* audit actor; NULL: $CHARTSCAN_ACTOR, else the OS user */
    int allow_placeholder_ids;  /* export even while the MRNs' assigning authority is the
                                   placeholder (2.999.1): tests and trial runs only */
} cs_export_options;

/*
 * cs_export_fhir: write the filed documents as FHIR R4 DocumentReference
 * resources, NDJSON (Bulk Data layout): o->out_dir/DocumentReference.ndjson
 * and, unless the PDFs are inlined or left out, Binary.ndjson.  Progress and
 * the summary go to log (may be NULL).  Returns the number of documents
 * exported, or -1 with a message in err (nothing is then recorded).
 */
int cs_export_fhir(cs_store *s, const cs_export_options *o, FILE *log, char *err,
                   size_t errlen);
/*
 * cs_export_hl7: the current filed documents as HL7 v2.5 MDM^T02 (MDM^T10
 * for a corrected version), one message per document: into
 * o->out_dir/MDM.hl7 (an HL7 batch file: FHS BHS messages BTS FTS), or over
 * MLLP to o->mllp, one ACK awaited per message.  Returns the number of
 * documents written or accepted; -1 with a message in err on failure, and
 * also when a receiver rejected messages (AE/AR) or the connection was lost:
 * what was accepted is recorded, the rest goes again on the next export.
 */
int cs_export_hl7(cs_store *s, const cs_export_options *o, FILE *log, char *err,
                  size_t errlen);

/* ---- the site's interface settings (commands/config.c) ---- */
/* A bad key or value: a usage error (exit status 2), the reason in err. */
#define CS_CONFIG_USAGE (-2)
/*
 * cs_config_set: check KEY and VALUE (an unknown key: the nearest key and
 * the list of keys in err) and store it, with an audit row holding the old
 * and new value; one line to out.  0; CS_CONFIG_USAGE for a bad key or
 * value; -1 when the database failed.
 */
int cs_config_set(cs_store *s, const char *key, const char *value, FILE *out, char *err,
                  size_t errlen);
/* cs_config_known_key: 0 when KEY is a key (its value is not looked at, and
 * no database is needed); CS_CONFIG_USAGE with the nearest key in err. */
int cs_config_known_key(const char *key, char *err, size_t errlen);
/* cs_config_unset: back to the default, audited; results as cs_config_set. */
int cs_config_unset(cs_store *s, const char *key, FILE *out, char *err, size_t errlen);
/* cs_config_list: every key (one per document type for TXA-2), its value or its default. */
int cs_config_list(cs_store *s, FILE *out, char *err, size_t errlen);

/* ---- the job queue (jobs.c) ---- */
typedef struct cs_job {
    int64_t id;
    char    kind[16];        /* unpack, ocr, assemble */
    int64_t batch_id, file_id, page_id;   /* 0 when not set */
    int     attempts, max_attempts;
    char    worker[64];      /* who holds the lease */
} cs_job;

/* Returns 1 and fills job when one was claimed, 0 when none is runnable. */
int cs_jobs_claim(cs_store *s, const char *worker, int lease_seconds, cs_job *job,
                  char *err, size_t errlen);
/* Extend a running job's lease: 1 renewed, 0 the lease is no longer ours (err says
 * why: taken over, or the job's batch was cancelled), -1 error. */
int cs_jobs_renew(cs_store *s, const cs_job *job, int lease_seconds, char *err, size_t errlen);
/* Give a claimed job back to the queue without counting the attempt (shutdown, lost connection). */
int cs_jobs_release(cs_store *s, const cs_job *job, char *err, size_t errlen);
/*
 * After a stage failed for a reason that may pass (database, resources):
 * queue the job again with backoff, or after max_attempts mark it failed
 * and mark what it was for (page, file, batch) failed with the reason.
 */
int cs_jobs_retry_or_fail(cs_store *s, const cs_job *job, const char *reason,
                          char *err, size_t errlen);
/* Counts for the idle test: queued (runnable now or later) and running jobs. */
int cs_jobs_pending(cs_store *s, long *queued, long *running, char *err, size_t errlen);
/* LISTEN for new jobs, then wait up to timeout_ms for a notification. */
int cs_jobs_listen(cs_store *s, char *err, size_t errlen);
int cs_jobs_wait(cs_store *s, int timeout_ms, char *err, size_t errlen);

/* ---- a work run's progress (commands/work_progress.c) ---- */
typedef struct cs_work_counts {
    long pages_done;     /* pages finished (done, blank or failed) since the mark */
    long pages_left;     /* pending pages of batches with queued or running jobs */
    long jobs_queued, jobs_running;
    /* with summary only: */
    long batches;        /* batches with a page finished since the mark */
    long pages_blank, pages_failed;   /* of pages_done */
    long documents, filed, review;    /* documents made since the mark; filed, in review */
} cs_work_counts;
/* The database server's time now, as text, into mark: where a run starts. */
int cs_work_mark(cs_store *s, char *mark, size_t marklen, char *err, size_t errlen);
/* The counts since mark (the summary's too when summary is set). */
int cs_work_counts_get(cs_store *s, const char *mark, int summary, cs_work_counts *c, char *err,
                       size_t errlen);

/* ---- stages (stage.c and stage_*.c) ---- */
typedef struct cs_stage_ctx cs_stage_ctx;   /* per-worker state: engine, model, caches */
int  cs_stage_ctx_new(cs_stage_ctx **out, char *err, size_t errlen);
void cs_stage_ctx_free(cs_stage_ctx **pc);
/*
 * cs_stage_run: run the job's stage and commit its results with the job's
 * completion.  Bad input is not a failure of the stage: it is recorded
 * (page or file failed with its reason) and the job completes.  Returns
 * -1 only for failures worth a retry (message in err).
 */
int cs_stage_run(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);

/*
 * `chartscan coversheet` (commands/coversheet.c): a cover sheet for the
 * roster patient of mrn (and type doctype, or NULL), or one a row of the
 * CSV at csv_path (columns mrn and, optionally, doctype), as a PDF written
 * to out_path (mode 0600), or to standard output when NULL.  Every patient
 * must be in the roster and every type in the taxonomy, or nothing is
 * written.  Returns 0, or -1 with err.
 */
int cs_coversheet_print(cs_store *s, const char *mrn, const char *doctype, const char *csv_path,
                        const char *out_path, char *err, size_t errlen);

#endif

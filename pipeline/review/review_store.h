/*
 * review_store.h — the database side of the QA review station: reviewer
 * accounts, login sessions and their throttle, the review queue and its
 * leases, the document view, the review actions (each one transaction
 * with its audit row), the roster search and the audit listing.  review/
 * holds HTTP, sessions and pages and calls these; only pipeline/ touches
 * PostgreSQL.
 *
 * Reads meant for the browser come back as one JSON text (malloc'd, the
 * caller frees it), built by PostgreSQL's own JSON functions.
 *
 * Return values: 0 (or a count) on success; CS_REVIEW_ERROR (-1) for a
 * failure of the database or of memory; CS_REVIEW_BAD (-2) when the request
 * makes no sense (no such document, page or patient, a split at the first
 * page); CS_REVIEW_CONFLICT (-3) when the document is not ours to change
 * (leased by someone else, no longer in review); CS_REVIEW_LIMIT (-4) when
 * the user has asked too often.  The message is in err: short, lowercase,
 * without patient data.
 *
 * Audit: every read that discloses patient data (a document, a page image,
 * a roster search, a claim) writes its audit row in the same statement or
 * transaction as the read.  The rows carry the client's address when the
 * server has named it (cs_review_store_set_client).  The SQL needs only
 * reads and DML on the review and audit tables: the station can run as a
 * reviewer role without DDL.
 */
#ifndef CS_REVIEW_STORE_H
#define CS_REVIEW_STORE_H

#include <stddef.h>
#include <stdio.h>

#include "pipeline/pipeline.h"

#define CS_REVIEW_ERROR    (-1)
#define CS_REVIEW_BAD      (-2)
#define CS_REVIEW_CONFLICT (-3)
#define CS_REVIEW_LIMIT    (-4)

/*
 * For review_store.c and actions.c: cs_fail, returning code
 * (CS_REVIEW_BAD, CS_REVIEW_CONFLICT) instead of -1.  err may be NULL.
 */
int cs_review_store_fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define CS_REVIEW_NAME_MAX 64      /* user names: [A-Za-z0-9._-]{1,64} */
#define CS_REVIEW_HASH_MAX 128     /* crypto_pwhash_STRBYTES */

/* ---- accounts ---- */
typedef struct cs_review_user {
    long long id;
    char name[CS_REVIEW_NAME_MAX + 1];
    char role[16];                           /* reviewer or admin */
    char password_hash[CS_REVIEW_HASH_MAX];
} cs_review_user;

/* Add a user; fails (CS_REVIEW_BAD) when the name is taken. */
int cs_review_store_user_add(cs_store *s, const char *name, const char *role,
                             const char *password_hash, char *err, size_t errlen);
/* 1 and *out filled when the user exists and is enabled, 0 when not, or -1. */
int cs_review_store_user_get(cs_store *s, const char *name, cs_review_user *out, char *err,
                             size_t errlen);

/*
 * The accounts as JSON, for an admin: [{name, role, disabled, created_at,
 * last_seen}] (no hashes).
 */
int cs_review_store_users_json(cs_store *s, char **json, char *err, size_t errlen);

/*
 * Account administration from the command line (pipeline/commands/users.c):
 * each one transaction with an audit row of the operator (cs_audit_command).
 * cs_users_list prints name, role, state, created, last seen and live
 * sessions.  Disabling ends the user's sessions and releases the documents
 * they hold; a new password (its hash: review/ hashes) and revoke-sessions
 * end the sessions.  CS_REVIEW_BAD when there is no such user.
 */
int cs_users_list(cs_store *s, FILE *out, char *err, size_t errlen);
int cs_users_disable(cs_store *s, const char *name, FILE *out, char *err, size_t errlen);
int cs_users_enable(cs_store *s, const char *name, FILE *out, char *err, size_t errlen);
int cs_users_set_password(cs_store *s, const char *name, const char *password_hash, FILE *out,
                          char *err, size_t errlen);
int cs_users_revoke_sessions(cs_store *s, const char *name, FILE *out, char *err, size_t errlen);

/*
 * Name the client of the requests that follow on this connection (its
 * address; NULL or "" for none): the audit rows they write record it.
 */
int cs_review_store_set_client(cs_store *s, const char *address, char *err, size_t errlen);

/* ---- failed-login throttle ---- */
/*
 * Seconds until key ('user:NAME@ADDRESS', 'addr:ADDRESS') may try again
 * (0: now), or -1 on error.
 */
int cs_review_store_throttle_wait(cs_store *s, const char *key, char *err, size_t errlen);
/* Count a failure of key (after free_failures, the wait doubles from 1 s up to max_s). */
int cs_review_store_throttle_fail(cs_store *s, const char *key, int free_failures, int max_s,
                                  char *err, size_t errlen);
/* Forget key's failures (a successful login). */
int cs_review_store_throttle_clear(cs_store *s, const char *key, char *err, size_t errlen);

/* ---- sessions ---- */
typedef struct cs_review_who {
    long long user_id;
    char name[CS_REVIEW_NAME_MAX + 1];
    char role[16];
    char csrf[72];
} cs_review_who;

/* Store a session: the token's hash, its CSRF token, idle expiry in seconds. */
int cs_review_store_session_create(cs_store *s, long long user_id, const char *token_hash,
                                   const char *csrf, int idle_seconds, char *err, size_t errlen);
/*
 * Look up a live session by its token's hash and push its idle expiry:
 * 1 and *who filled, 0 when there is none (or it expired), -1 on error.
 * Sessions older than max_age_seconds are dead whatever their use.
 */
int cs_review_store_session_get(cs_store *s, const char *token_hash, int idle_seconds,
                                int max_age_seconds, cs_review_who *who, char *err,
                                size_t errlen);
int cs_review_store_session_delete(cs_store *s, const char *token_hash, char *err, size_t errlen);

/* ---- the queue ---- */
typedef struct cs_review_filter {
    long long batch_id;                      /* 0: every batch */
    const char *reason;                      /* NULL: every reason */
    int limit, offset;
} cs_review_filter;

/*
 * The documents in review, lowest confidence first, with the counts per
 * reason and the batches that have documents in review:
 *   {"documents":[{id, batch_id, batch, file, first_page, last_page, page_count,
 *     doctype, doctype_confidence, patient_confidence, reasons, leased_by}],
 *    "total":N, "reasons":[{reason, count}], "batches":[{id, name, count}]}
 */
int cs_review_store_queue(cs_store *s, const cs_review_filter *f, char **json, char *err,
                          size_t errlen);
/*
 * The next (direction 1) or previous (-1) document of the queue after
 * document_id that no one else holds: its id, 0 when there is none.
 */
long long cs_review_store_neighbour(cs_store *s, long long document_id, int direction,
                                    const cs_review_filter *f, const char *user, char *err,
                                    size_t errlen);

/* ---- leases ---- */
/*
 * Claim (or renew) document_id for user for lease_seconds: 1 claimed,
 * CS_REVIEW_CONFLICT with the holder's name in holder when another
 * reviewer holds it, CS_REVIEW_BAD when there is no such document.  A new
 * claim (not the renewal of the user's live lease) writes an audit row
 * 'claim' in the same statement.
 */
int cs_review_store_claim(cs_store *s, long long document_id, const char *user,
                          int lease_seconds, char holder[CS_REVIEW_NAME_MAX + 1], char *err,
                          size_t errlen);
int cs_review_store_release(cs_store *s, long long document_id, const char *user, char *err,
                            size_t errlen);

/* ---- the document ---- */
/*
 * May user see document_id?  An admin may see any document; a reviewer the
 * documents in review (current versions) and those they worked on (a
 * review action of theirs is in the audit trail).  1 yes, 0 no,
 * CS_REVIEW_BAD when there is no such document, CS_REVIEW_ERROR.
 */
int cs_review_store_may_see(cs_store *s, long long document_id, const char *user, int is_admin,
                            char *err, size_t errlen);
/*
 * Everything the document page shows, and an audit row 'view' for user in
 * the same transaction:
 *   {"document":{...}, "pages":[{page_no, status, width, height, words:[[text, conf]...]}],
 *    "blank_pages":[page_no...], "doctypes":[{code, display}], "alternatives":[...],
 *    "candidates":[{patient_id, mrn, last_name, first_name, birth_date, probability,
 *    *_agreement}], "patient":{...}|null, "previous":id|null, "lease":{reviewer, until},
 *    "exports":[{destination, status, ack_code, ack_text, ack_error, sent_at}]}
 */
int cs_review_store_document(cs_store *s, long long document_id, const char *user, char **json,
                             char *err, size_t errlen);
/*
 * The cleaned image (G4 TIFF) of page page_no of document_id's file, when
 * the page is in the document or is a blank page within reach of it, and
 * an audit row 'view_page' for user in the same statement.  *data is
 * malloc'd.
 */
int cs_review_store_page_image(cs_store *s, long long document_id, int page_no,
                               const char *user, unsigned char **data, size_t *len, char *err,
                               size_t errlen);

/* How often a user may search the roster. */
typedef struct cs_review_search_limit {
    int per_minute, per_hour;
} cs_review_search_limit;

/*
 * Roster search by name, MRN or birth date (YYYY-MM-DD) for user:
 * [{id, mrn, last_name, ...}], at most limit of them, with an audit row
 * 'patient_search' in the same statement (the kind of query, the count and
 * the ids found; never the query).  When user has searched as often as
 * rate allows (counted in the audit trail), CS_REVIEW_LIMIT and the
 * seconds until the next search may run in *retry_after.
 */
int cs_review_store_roster_search(cs_store *s, const char *user, const char *query, int limit,
                                  const cs_review_search_limit *rate, int *retry_after,
                                  char **json, char *err, size_t errlen);

/*
 * The station's document search (pipeline/commands/search.c): query and
 * limit as for `chartscan search`, the audit row 'search' written for user.
 * *json: {"more": bool, "documents": [...]} (each document as --json
 * prints it).  The count shown, CS_REVIEW_BAD for a malformed query (err
 * quotes none of it), CS_REVIEW_ERROR.
 */
int cs_search_json(cs_store *s, const char *user, const char *query, int limit, char **json,
                   char *err, size_t errlen);

/* ---- actions ---- */
typedef enum cs_review_action_kind {
    CS_REVIEW_CONFIRM,
    CS_REVIEW_CHANGE_TYPE,       /* doctype */
    CS_REVIEW_CHANGE_PATIENT,    /* patient_id */
    CS_REVIEW_SPLIT,             /* page_no: the first page of the new document */
    CS_REVIEW_MERGE,             /* with the previous document of the same file */
    CS_REVIEW_PAGE_BLANK,        /* page_no */
    CS_REVIEW_PAGE_NOT_BLANK,    /* page_no */
    CS_REVIEW_REJECT             /* reason */
} cs_review_action_kind;

typedef struct cs_review_action {
    cs_review_action_kind kind;
    long long document_id;
    const char *user;
    const char *doctype;
    long long patient_id;
    int page_no;
    const char *reason;
} cs_review_action;

/* The action's name as the audit trail records it ('confirm', 'split', ...). */
const char *cs_review_action_name(cs_review_action_kind kind);
/*
 * Carry out one action as one transaction with its audit row (who, when,
 * what, before, after).  The user must hold the document's lease.  On
 * success *result_document is the document to show next (the merged one
 * after a merge; the same one otherwise; may be NULL).
 */
int cs_review_store_act(cs_store *s, const cs_review_action *a, long long *result_document,
                        char *err, size_t errlen);

/* ---- dashboard ---- */
/*
 * The dashboard's figures as JSON (dashboard_store.c): {"figures":{"overall":
 * {...},"batches":[{id, name, ...}]},"qa":{"available":false} or the blind
 * checks' accuracy per batch and overall}.  Counts and rates only.
 */
int cs_review_store_dashboard(cs_store *s, char **json, char *err, size_t errlen);

/* ---- corrections of filed documents ---- */
typedef enum cs_review_correction {
    CS_CORRECT_REOPEN,           /* back to review; filed again, it replaces the version */
    CS_CORRECT_CANCEL            /* entered in error (an admin's decision: the caller checks) */
} cs_review_correction;

/*
 * Reopen or cancel filed document_id (the current version, neither
 * reopened nor entered in error) for user, with a reason (required), as one
 * transaction with its audit row ('reopen' or 'cancel', the reason in the
 * detail).  A reopen makes a new document in review that, once filed,
 * replaces the version (schema/015_corrections.sql); *correction (may be
 * NULL) is its id, or document_id after a cancel.  No lease is needed.
 */
int cs_review_store_correct(cs_store *s, cs_review_correction kind, long long document_id,
                            const char *user, const char *reason, long long *correction,
                            char *err, size_t errlen);

/* ---- audit ---- */
/*
 * Print the audit rows (of user, since a timestamp PostgreSQL understands;
 * either may be NULL), oldest first, one per line, tab separated:
 * id, at, actor, action, object, detail, before, after.  With json, one
 * JSON array instead, a row an element, made by PostgreSQL (so every string
 * is escaped as JSON wants): {"id", "at" (ISO 8601 with offset), "actor",
 * "action", "object_kind", "object_id" (strings or null), "detail",
 * "before", "after" (JSON values or null)}.
 */
int cs_review_store_audit_list(cs_store *s, const char *user, const char *since, int json,
                               FILE *out, char *err, size_t errlen);
/*
 * The audit rows as JSON, newest first, for an admin (user: of one actor;
 * since: a timestamp; either may be NULL; at most limit rows), and an audit
 * row 'audit_view' for viewer in the same transaction.  CS_REVIEW_BAD when
 * since is not a time.
 */
int cs_review_store_audit_json(cs_store *s, const char *viewer, const char *user,
                               const char *since, int limit, char **json, char *err,
                               size_t errlen);
/* Write an audit row of its own (e.g. login, logout). */
int cs_review_store_audit(cs_store *s, const char *actor, const char *action,
                          const char *object_kind, const char *object_id,
                          const char *detail_json, char *err, size_t errlen);
/*
 * The audit row of a command (export pdf, export manifest) run from the
 * command line: the actor is $CHARTSCAN_ACTOR, else the OS user, as for
 * the EHR exports.  detail_json: ids and counts, never patient data.
 */
int cs_audit_command(cs_store *s, const char *action, const char *object_kind,
                     const char *object_id, const char *detail_json, char *err, size_t errlen);

#endif

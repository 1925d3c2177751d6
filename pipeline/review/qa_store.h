/*
 * qa_store.h — the sample audit of automatic filing (issue 14, item 2):
 * draw a random sample of a batch's auto-filed documents, record the
 * reviewer's blind check of each, measure the accuracy of automatic filing
 * with a 95% Wilson interval, and put a batch to full review.  The tables
 * are in schema/016_qa.sql; the command is pipeline/commands/qa.c, the
 * station's page review/api_qa.c.
 *
 * Return values as review_store.h: 0 (or a count) on success,
 * CS_REVIEW_ERROR, CS_REVIEW_BAD (no such batch, sample, patient or type;
 * a bad rate), CS_REVIEW_CONFLICT (the batch is sampled already or not
 * finished; the sample is checked already).  Messages carry ids and
 * counts, never patient data.
 */
#ifndef CS_QA_STORE_H
#define CS_QA_STORE_H

#include <stdio.h>

#include "pipeline/review/review_store.h"

/*
 * The Wilson score interval of k successes in n trials at z (1.96 for
 * 95%): *lo and *hi in [0, 1].  -1 (and 0, 0) when n <= 0 or k is not in
 * 0..n.
 */
int cs_qa_wilson(long k, long n, double z, double *lo, double *hi);

/*
 * The size of a batch's sample: ceil(rate * auto_filed), at least
 * min_sample, at most auto_filed.
 */
long cs_qa_sample_size(long auto_filed, double rate, long min_sample);

/*
 * Draw the sample of batch_id for user: max(ceil(rate * N), min_sample)
 * (at most N) of its N auto-filed documents (status filed, filed_by NULL
 * or 'auto', the current version), chosen at random, with the pipeline's
 * answer (patient, type) frozen beside each.  A batch is sampled once, when
 * it is finished (unpacked, no job queued or running).  Writes an audit
 * row 'qa_sample'.  Returns the number drawn.
 */
long cs_qa_sample(cs_store *s, long long batch_id, double rate, long min_sample,
                  const char *user, char *err, size_t errlen);

/*
 * Draw the default sample (qa_policy) of every finished batch that has none
 * yet, as 'default'.  Returns the number of batches sampled.
 */
long cs_qa_sample_defaults(cs_store *s, char *err, size_t errlen);

/*
 * The blind check of sample_id by user: the reviewer's patient (0: not in
 * the roster) and type, compared with the pipeline's and stored, with an
 * audit row 'qa_check'.  On success *json (malloc'd, may be NULL to skip)
 * reveals both answers:
 *   {"sample":ID, "document_id":ID, "patient_right":b, "doctype_right":b,
 *    "pipeline":{patient_id, mrn, name, doctype}, "reviewer":{...}}
 */
int cs_qa_check(cs_store *s, long long sample_id, const char *user, long long patient_id,
                const char *doctype, char **json, char *err, size_t errlen);

/*
 * The sampled documents of batch_id (0: every batch) for the check list,
 * WITHOUT the pipeline's answer for those not yet checked:
 *   {"samples":[{id, batch_id, document_id, page_count, first_page, checked,
 *     checked_by, patient_right, doctype_right}]}
 */
int cs_qa_samples_json(cs_store *s, long long batch_id, char **json, char *err, size_t errlen);

/*
 * The document of sample_id (for its page images on the QA page): its id,
 * 0 when there is no such sample, or CS_REVIEW_ERROR.
 */
long long cs_qa_sample_document(cs_store *s, long long sample_id, char *err, size_t errlen);
/* The roster id of the patient with mrn: the id, 0 when there is none, or CS_REVIEW_ERROR. */
long long cs_qa_patient_by_mrn(cs_store *s, const char *mrn, char *err, size_t errlen);

/* One line of the report: a batch, or every batch (batch_id 0). */
typedef struct cs_qa_tally {
    long long batch_id;
    char name[128];
    long auto_filed, sampled, checked;
    long patient_right, doctype_right, both_right;
    int wrong_patient;             /* a checked sample found a wrong patient */
    int full_review;               /* the batch was put to full review */
} cs_qa_tally;

/*
 * The tallies of the sampled batches (batch_id 0: all, else that one), and
 * the overall one last (batch_id 0): *out malloc'd, *count of them.
 */
int cs_qa_tallies(cs_store *s, long long batch_id, cs_qa_tally **out, size_t *count, char *err,
                  size_t errlen);

/*
 * The report as text: per batch the auto-filed and sampled counts, and the
 * accuracy of the patient, the type and both with their 95% Wilson
 * intervals; a batch whose sample found a wrong patient is flagged.
 */
int cs_qa_report(cs_store *s, long long batch_id, FILE *out, char *err, size_t errlen);
/* The same as JSON: {"batches":[...], "overall":{...}}, rates and intervals as numbers. */
int cs_qa_report_json(cs_store *s, long long batch_id, char **json, char *err, size_t errlen);

/*
 * Full review of batch_id for user: every current filed document is
 * reopened as `document reopen` does (cs_review_store_correct,
 * CS_CORRECT_REOPEN, reason 'qa full review', its 'reopen' audit row), one
 * transaction per document: a new version goes to review and, once filed,
 * replaces the filed one, which stays current for the EHR until then.
 * Documents already reopened, replaced or entered in error are skipped
 * (*skipped, may be NULL).  Then one 'qa_review_all' audit row for the
 * batch.  Returns the number reopened; CS_REVIEW_BAD when there is no such
 * batch.  After a failure part way the documents reopened stay reopened
 * and a rerun carries on.
 */
long cs_qa_review_all(cs_store *s, long long batch_id, const char *user, long *skipped,
                      char *err, size_t errlen);

/* ---- the command (pipeline/commands/qa.c): the actor is $CHARTSCAN_ACTOR, else the OS user ---- */
/*
 * `chartscan qa sample`: draw batch_id's sample (rate, min_sample), then
 * the default sample of every other finished batch without one; print
 * what was drawn.  0, or a negative code as above.
 */
int cs_qa_command_sample(cs_store *s, long long batch_id, double rate, long min_sample,
                         FILE *out, char *err, size_t errlen);
/* `chartscan qa report`: the default samples first, then the report. */
int cs_qa_command_report(cs_store *s, long long batch_id, FILE *out, char *err, size_t errlen);
/* `chartscan qa review-all`: every filed document of the batch reopened for review. */
int cs_qa_command_review_all(cs_store *s, long long batch_id, FILE *out, char *err,
                             size_t errlen);

#endif

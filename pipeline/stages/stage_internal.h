/*
 * stage_internal.h — shared by the files of pipeline/stages/ only: the
 * per-worker state, the stages, the archive entry names, a file's pages as
 * the indexer sees them and the roster candidates of a document.
 */
#ifndef CS_STAGE_INTERNAL_H
#define CS_STAGE_INTERNAL_H

#include "indexer/indexer.h"
#include "ocr/ocr.h"
#include "pipeline/pipeline_internal.h"

struct cs_stage_ctx {
    cs_ocr_engine *engine;       /* created on first use */
    cs_classifier *model;        /* the active model, or NULL */
    int model_id;                /* its id; 0 when none loaded */
    cs_titles *titles;           /* the taxonomy's title lines, loaded with the model */
    int titles_model_id;         /* the model_id they were loaded with */
    long long file_id;           /* whose bytes are cached in file_data */
    unsigned char *file_data;
    size_t file_len;
};

/* ---- archive entry names (entry_name.c) ---- */
/* The lossless display form of an entry name's bytes (zip: names that are
 * not UTF-8 are CP437) into out (4 * len + 1 bytes suffice): its length,
 * or -1 when out is too small. */
long cs_entry_name_display(const char *raw, size_t len, int zip, char *out, size_t outlen);

/* A file's pages for the indexer (file_pages.c); strings point into the results. */
typedef struct cs_file_pages {
    PGresult *page_rows, *word_rows;
    cs_index_page *pages;       /* n pages in page order, blank ones included */
    cs_index_word *words;
    long long *page_id;
    int *page_no;
    const char **barcodes;      /* [n]: each page's barcode payloads, '\n' between, or "" */
    size_t n;
} cs_file_pages;
/* unassigned_only: only the pages that are in no document yet. */
int  cs_file_pages_load(cs_store *s, long long file_id, int unassigned_only, cs_file_pages *fp,
                        char *err, size_t errlen);
void cs_file_pages_free(cs_file_pages *fp);

/*
 * Roster candidates for a document (candidates.c): by its extracted fields,
 * the MRN-like tokens it shows (mrns, nmrns) and the dates of its
 * identifier zones (dates, ndates; either may be NULL, 0); records point
 * into result.
 */
typedef struct cs_candidates {
    PGresult *result;
    cs_roster_record *records;
    long long *ids;             /* patient ids, parallel to records */
    size_t n;
} cs_candidates;
int  cs_candidates_find(cs_store *s, const cs_fields *f, const char (*mrns)[CS_MRN_MAX],
                        size_t nmrns, const cs_date *dates, size_t ndates, cs_candidates *out,
                        char *err, size_t errlen);
void cs_candidates_free(cs_candidates *c);
/* The roster patient of exactly this MRN (a cover sheet's): out->n is 0 or 1. */
int  cs_candidates_by_mrn(cs_store *s, const char *mrn, cs_candidates *out, char *err,
                          size_t errlen);
/* The patient of a document: candidates, verification, decision (candidates.c). */
int  cs_candidates_match(cs_store *s, const cs_fields *f, const cs_evidence *evidence,
                         cs_candidates *out, cs_match_score **scores,
                         cs_match_decision *decision, char *err, size_t errlen);

/*
 * How assemble.c decides and describes a document, shared with `chartscan
 * rematch` (pipeline/commands/rematch.c), which must file by the same rules.
 * cs_assemble_reasons: every reason the document needs review (none: it is
 * filed), into reasons; returns how many.  have_model: a document-type model
 * was active; npred: how many types it proposed; type_confidence: the first
 * one's; forced_reason: one more reason, or NULL.
 */
#define CS_ASSEMBLE_MAX_REASONS 4
extern const char CS_ASSEMBLE_NOT_MATCHED[];   /* "patient not matched" */
int  cs_assemble_reasons(int have_model, int npred, double type_confidence,
                         const cs_match_decision *decision, const char *forced_reason,
                         const char *reasons[CS_ASSEMBLE_MAX_REASONS]);
/* 1 when reason is one cs_assemble_reasons gives (of the type or the patient), 0 when
 * it came from elsewhere (a forced reason, a reviewer's split or merge). */
int  cs_assemble_decided_reason(const char *reason);
/* The document's fields, as document.fields stores them. */
void cs_assemble_fields_json(struct cs_buf *b, const cs_fields *f);
/* Its first five candidates, as document.candidates stores them (page_index: each of
 * the document's pages' index among fp's). */
void cs_assemble_candidates_json(struct cs_buf *b, const cs_candidates *c,
                                 const cs_match_score *scores, const cs_file_pages *fp,
                                 const size_t *page_index);
/* Postgres text[] literal of reasons, each quoted. */
void cs_assemble_reasons_array(struct cs_buf *b, const char *const *reasons, int n);

/* Stages (stages/unpack.c, stages/ocr.c, stages/assemble.c). */
int cs_stage_unpack(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);
int cs_stage_ocr(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);
int cs_stage_assemble(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);

#endif

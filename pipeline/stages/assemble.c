/*
 * assemble.c — the assemble stage, run when a source file's last
 * page is done: split its pages into documents, and for each document
 * decide its type (active model), extract its fields, look up roster
 * candidates and match them, then file it or send it to review with every
 * reason; render its searchable PDF.  The decisions come from indexer/;
 * this file gathers the inputs and stores the outcome with the job's
 * completion, replacing what an earlier run stored.
 *
 * Notes:
 *   1. A document is filed only when the patient match says so (exact MRN,
 *      birth date and name, clearly ahead of any other candidate) and the
 *      type's calibrated confidence reaches CS_DOCTYPE_FILE_CONFIDENCE.
 *      Everything else goes to review with the ranked candidates.
 *   2. Blank pages belong to no document (they are reported as blank
 *      pages); failed pages neither.
 *   3. The type is the classifier's posterior combined with the printed
 *      title of the document's first page (cs_index_doctype), the titles
 *      coming from the taxonomy (doctype.titles, schema 007).
 *   4. Barcodes (payloads stored by the ocr stage, meaning from
 *      indexer/barcode.c).  A document right after a chartscan cover sheet
 *      (blank pages between allowed) takes the sheet's type and patient:
 *      the patient must be in the roster, and the identifiers printed on
 *      the document, verified as for any candidate
 *      (cs_index_match_verified), must not disagree with the sheet's
 *      patient; else the document goes to review with the reason, and
 *      the ordinary match's candidates for the reviewer.  A sheet's type
 *      that the taxonomy lacks is ignored (the classifier decides).  A label
 *      sticker's MRN on a page of the document counts as a labelled MRN
 *      (over a printed one an OCR edit away; two different ones are a
 *      conflict), and the match's own rules still send a disagreeing birth
 *      date or name to review.
 */
#include "pipeline/stages/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/*
 * The type is sure enough to file at this calibrated confidence.  Chosen
 * from the cross-validated calibration curve of the logistic body
 * classifier on the labelled transcriptions: documents at or above
 * classifier confidence 0.95 (0.91 here, after the domain-shift mixing of
 * cs_index_doctype) were typed right 97.8-98.3% of the time over four
 * shuffles, and 0.90 sat on the edge (97.3-98.0%).  Untitled documents
 * file by type about 56% of the time at this level; titled ones nearly
 * always, since a printed title multiplies the odds (titles.c).
 */
#define CS_DOCTYPE_FILE_CONFIDENCE 0.91
#define MAX_REASONS CS_ASSEMBLE_MAX_REASONS
#define TYPE_ALTERNATIVES 3

const char CS_ASSEMBLE_NOT_MATCHED[] = "patient not matched";
static const char NO_MODEL[] = "no document-type model (run chartscan train)";
static const char TYPE_UNKNOWN[] = "document type not recognised";
static const char TYPE_UNCERTAIN[] = "document type uncertain";
static const char SHEET_NOT_IN_ROSTER[] = "cover sheet MRN not in roster";
static const char SHEET_MRN_DISAGREES[] = "cover sheet MRN disagrees with the document";
static const char SHEET_PATIENT_DISAGREES[] =
    "cover sheet patient's name or birth date disagrees with the document";

/* Load the active model into ctx when it is not the one already loaded. */
static int refresh_model(cs_store *s, cs_stage_ctx *ctx, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, "SELECT id FROM model WHERE kind = 'doctype' AND active", 0, NULL,
                        err, errlen);
    int id;
    char b1[24];

    if (!r)
        return -1;
    id = PQntuples(r) ? (int)cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    if (id == ctx->model_id)
        return 0;
    cs_classifier_free(&ctx->model);
    ctx->model_id = 0;
    if (id == 0)
        return 0;
    {
        const char *p[1] = {cs_i64(b1, id)};
        char what[48];
        snprintf(what, sizeof what, "read model %d", id);
        r = cs_pq_bin(s, what, "SELECT data FROM model WHERE id = $1", 1, p, NULL, NULL, 1, err,
                      errlen);
        if (!r)
            return -1;
        if (PQntuples(r) != 1) {
            PQclear(r);
            return cs_fail(err, errlen, "could not read model %d: it is gone", id);
        }
        if (cs_classifier_load(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), &ctx->model,
                               err, errlen) < 0) {
            PQclear(r);
            return -1;
        }
        PQclear(r);
    }
    ctx->model_id = id;
    return 0;
}

/*
 * The taxonomy's titles (doctype.titles), loaded with the model: once per
 * worker, and again when another model is made active (training is when
 * the taxonomy grows).  They live in the stage context.
 */
static int refresh_titles(cs_store *s, cs_stage_ctx *ctx, char *err, size_t errlen)
{
    PGresult *r;
    cs_titles *t = NULL;

    if (ctx->titles && ctx->titles_model_id == ctx->model_id)
        return 0;
    r = cs_pq(s, "SELECT code, unnest(titles) FROM doctype ORDER BY code", 0, NULL, err, errlen);
    if (!r)
        return -1;
    if (cs_titles_new(&t, err, errlen) < 0) {
        PQclear(r);
        return -1;
    }
    for (int i = 0; i < PQntuples(r); i++)
        if (cs_titles_add(t, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), err, errlen) < 0) {
            /* a bad title is skipped, not fatal: the classifier still decides */
            cs_log(CS_LOG_WARN, "doctype title %d skipped: %s", i, err);
            err[0] = '\0';
        }
    PQclear(r);
    cs_titles_free(&ctx->titles);
    ctx->titles = t;
    ctx->titles_model_id = ctx->model_id;
    return 0;
}

static const char *agreement_name(cs_agreement a)
{
    switch (a) {
    case CS_AGREE_EXACT: return "exact";
    case CS_AGREE_CLOSE: return "close";
    case CS_AGREE_DISAGREE: return "disagree";
    default: return "missing";
    }
}

static void json_date(cs_buf *b, const char *key, const cs_date *d, int found)
{
    if (found && d->year)
        cs_buf_printf(b, ",\"%s\":\"%04d-%02d-%02d\"", key, d->year, d->month, d->day);
    else
        cs_buf_printf(b, ",\"%s\":null", key);
}

void cs_assemble_fields_json(cs_buf *b, const cs_fields *f)
{
    cs_buf_puts(b, "{\"mrn\":");
    if (f->mrn_info.found)
        cs_buf_json_string(b, f->mrn);
    else
        cs_buf_puts(b, "null");
    cs_buf_printf(b, ",\"mrn_labelled\":%s", f->mrn_info.labelled ? "true" : "false");
    cs_buf_puts(b, ",\"last_name\":");
    cs_buf_json_string(b, f->name_info.found ? f->last : "");
    cs_buf_puts(b, ",\"first_name\":");
    cs_buf_json_string(b, f->name_info.found ? f->first : "");
    cs_buf_puts(b, ",\"middle_name\":");
    cs_buf_json_string(b, f->name_info.found ? f->middle : "");
    json_date(b, "birth_date", &f->birth, f->birth_info.found);
    json_date(b, "date_of_service", &f->service, f->service_info.found);
    cs_buf_puts(b, "}");
}

/*
 * Where the candidate's identifiers were found: {"mrn":{"page":3,"box":[x,y,w,h]},...}
 * with the source file's page number, for the review station to highlight.
 */
static void evidence_json(cs_buf *b, const cs_match_score *sc, const cs_file_pages *fp,
                          const size_t *page_index)
{
    static const char *const names[CS_ID_COUNT] = {"mrn", "birth_date", "last_name",
                                                   "first_name"};
    int first = 1;

    cs_buf_puts(b, ",\"evidence\":{");
    for (int k = 0; k < CS_ID_COUNT; k++) {
        const cs_evidence_hit *h = &sc->hit[k];
        if (h->page < 0)
            continue;
        cs_buf_printf(b, "%s\"%s\":{\"page\":%d,\"box\":[%d,%d,%d,%d]}", first ? "" : ",",
                      names[k], fp->page_no[page_index[h->page]], h->x, h->y, h->w, h->h);
        first = 0;
    }
    cs_buf_puts(b, "}");
}

void cs_assemble_candidates_json(cs_buf *b, const cs_candidates *c,
                                 const cs_match_score *scores, const cs_file_pages *fp,
                                 const size_t *page_index)
{
    cs_buf_puts(b, "[");
    for (size_t i = 0; i < c->n && i < 5; i++) {
        const cs_match_score *sc = &scores[i];
        cs_buf_printf(b, "%s{\"patient_id\":%lld,\"mrn\":", i ? "," : "", c->ids[sc->record]);
        cs_buf_json_string(b, c->records[sc->record].mrn);
        cs_buf_printf(b, ",\"probability\":%.4f,\"weight\":%.2f,\"mrn_agreement\":\"%s\","
                         "\"birth_date_agreement\":\"%s\",\"last_name_agreement\":\"%s\","
                         "\"first_name_agreement\":\"%s\"",
                      sc->probability, sc->weight, agreement_name(sc->mrn),
                      agreement_name(sc->birth), agreement_name(sc->last), agreement_name(sc->first));
        evidence_json(b, sc, fp, page_index);
        cs_buf_puts(b, "}");
    }
    cs_buf_puts(b, "]");
}

void cs_assemble_reasons_array(cs_buf *b, const char *const *reasons, int n)
{
    cs_buf_puts(b, "{");
    for (int i = 0; i < n; i++) {
        cs_buf_puts(b, i ? ",\"" : "\"");
        for (const char *p = reasons[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                cs_buf_puts(b, "\\");
            cs_buf_append(b, p, 1);
        }
        cs_buf_puts(b, "\"");
    }
    cs_buf_puts(b, "}");
}

/* One document being assembled: its pages, what was decided about it,
 * and its description for the document row. */
typedef struct doc_work {
    const cs_index_document *doc;
    long d;                      /* its number in the split */
    cs_index_page *pages;        /* its pages, in order */
    size_t *page_index;          /* each one's index among the file's pages */
    size_t n;
    cs_buf text;                 /* the pages' text, separated by form feeds */
    cs_prediction pred[TYPE_ALTERNATIVES];
    int npred;
    cs_fields fields;
    cs_evidence *evidence;
    cs_candidates cands;
    cs_match_score *scores;
    cs_match_decision decision;
    const char *reasons[MAX_REASONS];   /* why review; none: filed */
    int nreasons;
    int sheet;                   /* 1: a cover sheet precedes it (note 4) */
    char sheet_mrn[CS_MRN_MAX], sheet_type[CS_DOCTYPE_MAX];
    const char *sheet_reason;    /* why the sheet's patient was not taken, or NULL */
    char label_mrn[CS_MRN_MAX];  /* a label sticker's MRN, or "" */
    cs_buf fields_json, candidates_json, alternatives_json, reasons_array;
} doc_work;

static void doc_work_free(doc_work *w)
{
    cs_candidates_free(&w->cands);
    cs_evidence_free(&w->evidence);
    free(w->scores);
    free(w->page_index);
    free(w->pages);
    cs_buf_free(&w->text);
    cs_buf_free(&w->fields_json);
    cs_buf_free(&w->candidates_json);
    cs_buf_free(&w->alternatives_json);
    cs_buf_free(&w->reasons_array);
}

/* The document's pages (those of its span the split gave it) and their text. */
static int collect_pages(doc_work *w, const cs_file_pages *fp, const cs_split *split,
                         char *err, size_t errlen)
{
    const cs_index_document *doc = w->doc;

    w->pages = calloc(doc->npages ? doc->npages : 1, sizeof *w->pages);
    w->page_index = calloc(doc->npages ? doc->npages : 1, sizeof *w->page_index);
    if (!w->pages || !w->page_index)
        return cs_fail(err, errlen, "out of memory");
    for (size_t i = doc->first; i <= doc->last; i++) {
        if (split->page_document[i] != w->d)
            continue;
        w->page_index[w->n] = i;
        w->pages[w->n++] = fp->pages[i];
        if ((w->n > 1 && cs_buf_puts(&w->text, "\n\f\n") < 0) ||
            cs_buf_puts(&w->text, fp->pages[i].text) < 0)
            return cs_fail(err, errlen, "out of memory");
    }
    return 0;
}

/*
 * Call fn on each of page i's barcode payloads that is of kind want, with
 * its MRN and type; stops when fn returns nonzero (and returns that).
 */
static int each_barcode(const cs_file_pages *fp, size_t i, cs_barcode_kind want,
                        int (*fn)(doc_work *, const char *, const char *), doc_work *w)
{
    const char *prefix = getenv("CHARTSCAN_SEPARATOR_PREFIX");
    const char *p = fp->barcodes[i];
    char line[300], mrn[CS_MRN_MAX], type[CS_DOCTYPE_MAX];

    while (p && *p) {
        size_t len = strcspn(p, "\n");
        int rc = 0;
        if (len < sizeof line) {
            memcpy(line, p, len);
            line[len] = '\0';
            if (cs_index_barcode_read(line, prefix, mrn, type) == want)
                rc = fn(w, mrn, type);
        }
        if (rc)
            return rc;
        p += len + (p[len] == '\n');
    }
    return 0;
}

static int take_sheet(doc_work *w, const char *mrn, const char *type)
{
    w->sheet = 1;
    snprintf(w->sheet_mrn, sizeof w->sheet_mrn, "%s", mrn);
    snprintf(w->sheet_type, sizeof w->sheet_type, "%s", type);
    return 1;
}

/* The cover sheet before the document, blank pages skipped (note 4). */
static void find_sheet(doc_work *w, const cs_file_pages *fp)
{
    for (size_t i = w->doc->first; i-- > 0;) {
        if (fp->pages[i].blank)
            continue;
        if (fp->pages[i].separator)
            each_barcode(fp, i, CS_BARCODE_SHEET, take_sheet, w);
        return;
    }
}

/*
 * A label sticker's MRN (note 4): taken as the labelled MRN, unless
 * another label or a printed labelled MRN more than an OCR edit away says
 * otherwise: then the document shows two MRNs.
 */
static int take_label(doc_work *w, const char *mrn, const char *type)
{
    cs_fields *f = &w->fields;

    (void)type;
    if (w->label_mrn[0] ? strcmp(w->label_mrn, mrn) != 0
        : f->mrn_info.found && f->mrn_info.labelled && cs_index_mrn_distance(f->mrn, mrn) > 1) {
        f->mrn_conflict = 1;
        return 1;
    }
    snprintf(w->label_mrn, sizeof w->label_mrn, "%s", mrn);
    snprintf(f->mrn, sizeof f->mrn, "%s", mrn);
    f->mrn_info.found = f->mrn_info.labelled = 1;
    f->mrn_info.confidence = 1.0;       /* from a barcode: read exactly */
    return 0;
}

static void apply_labels(doc_work *w, const cs_file_pages *fp)
{
    for (size_t k = 0; k < w->n; k++)
        if (each_barcode(fp, w->page_index[k], CS_BARCODE_LABEL, take_label, w))
            return;
}

/*
 * 1 when the ordinary match found another roster patient's MRN printed on
 * the document (labelled or not): the page is someone else's.
 */
static int other_mrn_shown(const doc_work *w, long long sheet_patient)
{
    for (size_t i = 0; i < w->cands.n; i++)
        if (w->scores[i].mrn == CS_AGREE_EXACT &&
            w->cands.ids[w->scores[i].record] != sheet_patient)
            return 1;
    return 0;
}

/*
 * The cover sheet's patient (note 4): when it is in the roster and the
 * document does not disagree (neither the sheet's patient verified on it,
 * nor another patient's MRN printed on it, nor the ordinary match filing
 * it to someone else), it replaces the ordinary match.
 */
static int apply_sheet(cs_store *s, doc_work *w, char *err, size_t errlen)
{
    cs_candidates sheet;
    cs_match_score score;
    cs_match_decision d;

    if (cs_candidates_by_mrn(s, w->sheet_mrn, &sheet, err, errlen) < 0)
        return -1;
    if (sheet.n == 0) {
        w->sheet_reason = SHEET_NOT_IN_ROSTER;
    } else {
        cs_index_match_verified(&w->fields, w->evidence, sheet.records, 1, &score, &d);
        if (w->fields.mrn_conflict || score.mrn == CS_AGREE_DISAGREE ||
            other_mrn_shown(w, sheet.ids[0]))
            w->sheet_reason = SHEET_MRN_DISAGREES;
        else if (score.birth == CS_AGREE_DISAGREE || score.last == CS_AGREE_DISAGREE ||
                 score.first == CS_AGREE_DISAGREE ||
                 (w->decision.file && w->cands.ids[w->scores[0].record] != sheet.ids[0]))
            w->sheet_reason = SHEET_PATIENT_DISAGREES;
    }
    if (w->sheet_reason) {
        cs_candidates_free(&sheet);
        return 0;
    }
    cs_candidates_free(&w->cands);
    w->cands = sheet;
    score.probability = 1.0;
    w->scores[0] = score;          /* scores has room for one at least */
    memset(&w->decision, 0, sizeof w->decision);
    w->decision.file = 1;
    w->decision.ncandidates = 1;
    return 0;
}

/* 1 when code is a type of the taxonomy (a sheet's type is taken only then), 0, or -1. */
static int doctype_known(cs_store *s, const char *code, char *err, size_t errlen)
{
    const char *p[1] = {code};
    PGresult *r = cs_pq(s, "SELECT 1 FROM doctype WHERE code = $1", 1, p, err, errlen);
    int known;

    if (!r)
        return -1;
    known = PQntuples(r) == 1;
    PQclear(r);
    return known;
}

/* Type, fields and patient; and every reason the document needs review (note 1). */
static int decide(cs_store *s, const cs_stage_ctx *ctx, doc_work *w, const cs_file_pages *fp,
                  const char *forced_reason, char *err, size_t errlen)
{
    int have_model = ctx->model != NULL, known = 0;

    find_sheet(w, fp);
    if (w->sheet && w->sheet_type[0] &&
        (known = doctype_known(s, w->sheet_type, err, errlen)) < 0)
        return -1;
    if (known) {
        w->pred[0].label = w->sheet_type;
        w->pred[0].confidence = 1.0;
        w->npred = have_model = 1;
    } else if (ctx->model) {
        w->npred = cs_index_doctype(ctx->model, ctx->titles, w->n ? w->pages[0].text : NULL,
                                    w->text.data ? w->text.data : "", w->pred, TYPE_ALTERNATIVES,
                                    NULL);
    }
    cs_index_extract_fields(w->pages, w->n, 0, &w->fields);
    apply_labels(w, fp);
    if (cs_evidence_new(w->pages, w->n, 0, &w->evidence) < 0)
        return cs_fail(err, errlen, "out of memory");
    if (cs_candidates_match(s, &w->fields, w->evidence, &w->cands, &w->scores, &w->decision, err,
                            errlen) < 0)
        return -1;
    if (w->sheet && apply_sheet(s, w, err, errlen) < 0)
        return -1;

    w->nreasons = cs_assemble_reasons(have_model, w->npred,
                                      w->npred ? w->pred[0].confidence : 0.0, &w->decision,
                                      forced_reason, w->reasons);
    if (w->sheet_reason) {
        /* the sheet's reason first: it is what the reviewer must settle */
        if (w->nreasons == MAX_REASONS)
            w->nreasons--;
        memmove(w->reasons + 1, w->reasons, (size_t)w->nreasons * sizeof w->reasons[0]);
        w->reasons[0] = w->sheet_reason;
        w->nreasons++;
    }
    return 0;
}

int cs_assemble_reasons(int have_model, int npred, double type_confidence,
                        const cs_match_decision *decision, const char *forced_reason,
                        const char *reasons[CS_ASSEMBLE_MAX_REASONS])
{
    int n = 0;

    if (forced_reason)
        reasons[n++] = forced_reason;
    if (!have_model)
        reasons[n++] = NO_MODEL;
    else if (npred == 0)
        reasons[n++] = TYPE_UNKNOWN;
    else if (type_confidence < CS_DOCTYPE_FILE_CONFIDENCE)
        reasons[n++] = TYPE_UNCERTAIN;
    if (!decision->file)
        reasons[n++] = decision->reason ? decision->reason : CS_ASSEMBLE_NOT_MATCHED;
    return n;
}

int cs_assemble_decided_reason(const char *reason)
{
    static const char *const decided[] = {
        NO_MODEL, TYPE_UNKNOWN, TYPE_UNCERTAIN, CS_ASSEMBLE_NOT_MATCHED, CS_REASON_NO_MRN,
        CS_REASON_MRN_DOB, CS_REASON_MRN_NAME, CS_REASON_TWO, CS_REASON_NOT_IN_ROSTER,
        CS_REASON_WEAK, CS_REASON_MRN_CLOSE, CS_REASON_MRN_CONFLICT, CS_REASON_NO_CANDIDATES,
        CS_REASON_LOOKALIKE};

    for (size_t i = 0; i < sizeof decided / sizeof decided[0]; i++)
        if (!strcmp(reason, decided[i]))
            return 1;
    return 0;
}

/* The JSON of the fields, the candidates and the type alternatives, and the reasons' array. */
static int describe(doc_work *w, const cs_file_pages *fp, char *err, size_t errlen)
{
    cs_buf *aj = &w->alternatives_json;

    cs_assemble_fields_json(&w->fields_json, &w->fields);
    cs_assemble_candidates_json(&w->candidates_json, &w->cands, w->scores, fp, w->page_index);
    cs_buf_puts(aj, "[");
    for (int i = 0; i < w->npred; i++) {
        cs_buf_printf(aj, "%s{\"doctype\":", i ? "," : "");
        cs_buf_json_string(aj, w->pred[i].label);
        cs_buf_printf(aj, ",\"confidence\":%.4f}", w->pred[i].confidence);
    }
    cs_buf_puts(aj, "]");
    cs_assemble_reasons_array(&w->reasons_array, w->reasons, w->nreasons);
    if (cs_buf_failed(&w->fields_json) || cs_buf_failed(&w->candidates_json) ||
        cs_buf_failed(aj) || cs_buf_failed(&w->reasons_array))
        return cs_fail(err, errlen, "out of memory");
    return 0;
}

/* Insert the document's row, filed or for review: its id into *id. */
static int insert_document(cs_store *s, const cs_stage_ctx *ctx, const cs_job *job,
                           const cs_file_pages *fp, const doc_work *w, long long *id, char *err,
                           size_t errlen)
{
    const cs_index_document *doc = w->doc;
    const cs_fields *f = &w->fields;
    int filed = w->nreasons == 0;
    char b[8][24], conf[32], pconf[32], dos[16] = "";
    PGresult *r;

    snprintf(conf, sizeof conf, "%.4f", w->npred ? w->pred[0].confidence : 0.0);
    snprintf(pconf, sizeof pconf, "%.4f", w->cands.n ? w->scores[0].probability : 0.0);
    if (f->service_info.found && f->service.year)
        snprintf(dos, sizeof dos, "%04d-%02d-%02d", f->service.year, f->service.month,
                 f->service.day);
    {
        const char *p[17] = {
            cs_i64(b[0], job->batch_id), cs_i64(b[1], job->file_id),
            cs_i64(b[2], fp->page_no[doc->first]), filed ? "filed" : "review",
            w->npred ? w->pred[0].label : NULL, w->npred ? conf : NULL,
            ctx->model_id ? cs_i64(b[3], ctx->model_id) : NULL,
            filed ? cs_i64(b[4], w->cands.ids[w->scores[0].record]) : NULL, filed ? pconf : NULL,
            dos[0] ? dos : NULL, w->nreasons ? w->reasons[0] : NULL,
            cs_i64(b[5], fp->page_no[doc->last]), cs_i64(b[6], (long long)w->n), doc->reason,
            w->fields_json.data, w->candidates_json.data, w->alternatives_json.data};
        r = cs_pq(s,
            "INSERT INTO document (batch_id, file_id, first_page, status, doctype,"
            "       doctype_confidence, model_id, patient_id, patient_confidence, date_of_service,"
            "       review_reason, last_page, page_count, split_reason, fields, candidates,"
            "       doctype_alternatives)"
            " VALUES ($1, $2, $3, $4, (SELECT code FROM doctype WHERE code = $5), $6, $7, $8, $9,"
            "         $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id", 17, p, err, errlen);
        if (!r)
            return -1;
        *id = cs_pq_int(r, 0, 0);
        PQclear(r);
    }
    {
        const char *q[3] = {cs_i64(b[7], *id), w->reasons_array.data, filed ? "auto" : NULL};
        return cs_pq_exec(s, "UPDATE document SET review_reasons = $2::text[], filed_by = $3::text,"
                             "       filed_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END"
                             " WHERE id = $1", 3, q, err, errlen);
    }
}

/* Give the document its pages. */
static int attach_pages(cs_store *s, const doc_work *w, const cs_file_pages *fp,
                        const cs_split *split, long long id, char *err, size_t errlen)
{
    cs_buf ids = CS_BUF_INIT;
    char b1[24];
    int first = 1, rc;

    cs_buf_puts(&ids, "{");
    for (size_t i = w->doc->first; i <= w->doc->last; i++) {
        if (split->page_document[i] != w->d)
            continue;
        cs_buf_printf(&ids, "%s%lld", first ? "" : ",", fp->page_id[i]);
        first = 0;
    }
    cs_buf_puts(&ids, "}");
    if (cs_buf_failed(&ids)) {
        rc = cs_fail(err, errlen, "out of memory");
    } else {
        const char *q[2] = {cs_i64(b1, id), ids.data};
        rc = cs_pq_exec(s, "UPDATE page SET document_id = $1 WHERE id = ANY($2::bigint[])", 2, q,
                        err, errlen);
    }
    cs_buf_free(&ids);
    return rc;
}

/* Decide and store document d of the split, and render its PDF. */
static int assemble_document(cs_store *s, cs_stage_ctx *ctx, const cs_job *job,
                             const cs_file_pages *fp, const cs_split *split, size_t d,
                             const char *forced_reason, char *err, size_t errlen)
{
    doc_work w;
    long long id = 0;
    int rc = -1;

    memset(&w, 0, sizeof w);
    w.doc = &split->documents[d];
    w.d = (long)d;
    if (collect_pages(&w, fp, split, err, errlen) < 0 ||
        decide(s, ctx, &w, fp, forced_reason, err, errlen) < 0 ||
        describe(&w, fp, err, errlen) < 0 ||
        insert_document(s, ctx, job, fp, &w, &id, err, errlen) < 0 ||
        attach_pages(s, &w, fp, split, id, err, errlen) < 0 ||
        cs_document_render_pdf(s, id, err, errlen) < 0)
        goto out;
    cs_log(CS_LOG_INFO, "file %lld: document %lld, %zu pages, %s", (long long)job->file_id, id,
           w.n, w.nreasons ? "review" : "filed");
    rc = 0;
out:
    doc_work_free(&w);
    return rc;
}

/*
 * Documents of the file that a reviewer acted on, that were exported, or
 * that carry versions must never be replaced by a re-run: the EHR and the
 * audit trail know them.  Then only the pages in no document are assembled,
 * into documents for review.
 */
static const char preserved_sql[] =
    "SELECT count(*) FROM document d WHERE d.file_id = $1 AND ("
    "   (d.filed_by IS NOT NULL AND d.filed_by <> 'auto') OR d.status = 'rejected'"
    "   OR d.superseded_at IS NOT NULL OR d.replaces_id IS NOT NULL"
    "   OR EXISTS (SELECT 1 FROM destination_item i WHERE i.document_id = d.id)"
    "   OR EXISTS (SELECT 1 FROM review_example e WHERE e.document_id = d.id)"
    "   OR EXISTS (SELECT 1 FROM audit a WHERE a.object_kind = 'document'"
    "              AND a.object_id = d.id::text))";

int cs_stage_assemble(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err,
                      size_t errlen)
{
    char b1[24];
    const char *p[1] = {cs_i64(b1, job->file_id)};
    const char *forced = NULL;
    cs_file_pages fp;
    cs_split split;
    PGresult *r;
    int preserve;

    memset(&fp, 0, sizeof fp);
    memset(&split, 0, sizeof split);
    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(s, "SELECT 1 FROM source_file WHERE id = $1 FOR UPDATE", 1, p, err, errlen) < 0 ||
        !(r = cs_pq(s, preserved_sql, 1, p, err, errlen)))
        goto fail;
    preserve = cs_pq_int(r, 0, 0) > 0;
    PQclear(r);
    if (preserve) {
        forced = "pages added after the file was reviewed or exported";
        cs_log(CS_LOG_WARN, "file %lld: its documents were reviewed or exported; only pages in no "
               "document are assembled, for review", (long long)job->file_id);
    } else if (cs_pq_exec(s, "DELETE FROM document WHERE file_id = $1", 1, p, err, errlen) < 0) {
        goto fail;
    }
    if (cs_file_pages_load(s, job->file_id, preserve, &fp, err, errlen) < 0 ||
        refresh_model(s, ctx, err, errlen) < 0 || refresh_titles(s, ctx, err, errlen) < 0)
        goto fail;
    if (fp.n > 0) {
        if (cs_index_split(fp.pages, fp.n, 0, &split, err, errlen) < 0)
            goto fail;
        for (size_t d = 0; d < split.ndocuments; d++)
            if (assemble_document(s, ctx, job, &fp, &split, d, forced, err, errlen) < 0)
                goto fail;
    }
    if (cs_jobs_complete(s, job, err, errlen) < 0 || cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_split_free(&split);
    cs_file_pages_free(&fp);
    return 0;
fail:
    cs_pq_rollback(s);
    cs_split_free(&split);
    cs_file_pages_free(&fp);
    return -1;
}

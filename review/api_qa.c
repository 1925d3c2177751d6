/*
 * api_qa.c — the review station's sample audit of automatic filing: the
 * page /qa and its API.  route.c has checked the session and, for a POST,
 * the CSRF token and the origin.
 *
 *   GET  /qa                                   the page (assets/qa.html)
 *   GET  /api/qa/samples?batch=                the sampled documents, without the
 *                                              pipeline's answer (drawing the default
 *                                              sample of finished batches first)
 *   GET  /api/qa/report?batch=                 accuracy per batch and overall
 *   GET  /api/qa/samples/ID/pages/N.png?w=     a page of a sampled document
 *   POST /api/qa/samples/ID/check              mrn (or not_in_roster=1), doctype:
 *                                              the blind check; answers with both
 *   POST /api/qa/batches/ID/review-all         every current filed document reopened
 *                                              as a correction (admins only):
 *                                              {"documents":N,"skipped":M}
 *
 * A sampled document's pages are open to every reviewer: the blind check
 * is what the sample is for, whoever filed it.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/qa_store.h"
#include "review/review_internal.h"

/* ?batch=ID: 0 when absent, -1 when malformed. */
static long long batch_arg(cs_review_context *x)
{
    const char *b = cs_review_arg(x, "batch");
    long long id = 0;

    if (b && cs_review_parse_id(b, &id) < 0)
        return -1;
    return id;
}

static enum MHD_Result samples(cs_review_context *x)
{
    char *json = NULL, err[CS_ERRLEN] = "";
    long long batch = batch_arg(x);
    long drawn;
    int rc;

    if (batch < 0)
        return cs_review_send_error(x, 400, "malformed batch id");
    /* the default sample of every finished batch, lazily (016_qa.sql) */
    drawn = cs_qa_sample_defaults(x->srv->store, err, sizeof err);
    if (drawn < 0)
        return cs_review_send_store_error(x, (int)drawn, err);
    /* the store's result first: an argument's order of evaluation is unspecified */
    rc = cs_qa_samples_json(x->srv->store, batch, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

static enum MHD_Result report(cs_review_context *x)
{
    char *json = NULL, err[CS_ERRLEN] = "";
    long long batch = batch_arg(x);
    int rc;

    if (batch < 0)
        return cs_review_send_error(x, 400, "malformed batch id");
    rc = cs_qa_report_json(x->srv->store, batch, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

static enum MHD_Result check(cs_review_context *x, long long sample)
{
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    char mrn[80] = "", none[8] = "", doctype[80] = "", err[CS_ERRLEN] = "", *json = NULL;
    long long patient = 0;
    int has_mrn, rc;

    if (cs_review_form_get(body, "doctype", doctype, sizeof doctype) != 1 ||
        !cs_review_text_ok(doctype, 64))
        return cs_review_send_error(x, 400, "a document type is required");
    has_mrn = cs_review_form_get(body, "mrn", mrn, sizeof mrn) == 1 && *mrn;
    if (cs_review_form_get(body, "not_in_roster", none, sizeof none) == 1 && !strcmp(none, "1")) {
        if (has_mrn)
            return cs_review_send_error(x, 400, "an MRN, or not in the roster: not both");
    } else {
        if (!has_mrn || !cs_review_text_ok(mrn, 64))
            return cs_review_send_error(x, 400, "the patient's MRN is required"
                                                " (or say the patient is not in the roster)");
        patient = cs_qa_patient_by_mrn(x->srv->store, mrn, err, sizeof err);
        if (patient < 0)
            return cs_review_send_store_error(x, (int)patient, err);
        if (patient == 0)
            return cs_review_send_error(x, 400, "no patient with this MRN in the roster");
    }
    rc = cs_qa_check(x->srv->store, sample, x->who.name, patient, doctype, &json, err,
                     sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

static enum MHD_Result review_all(cs_review_context *x, long long batch)
{
    char err[CS_ERRLEN] = "", json[80];
    long n, skipped = 0;

    if (strcmp(x->who.role, "admin") != 0)
        return cs_review_send_error(x, 403, "for admins only");
    n = cs_qa_review_all(x->srv->store, batch, x->who.name, &skipped, err, sizeof err);
    if (n == CS_REVIEW_BAD)
        return cs_review_send_error(x, 404, err);
    if (n < 0)
        return cs_review_send_store_error(x, (int)n, err);
    snprintf(json, sizeof json, "{\"ok\":true,\"documents\":%ld,\"skipped\":%ld}", n,
             skipped);
    return cs_review_send_json(x, 200, json);
}

/* "ID/rest" into *id and rest: 0, or -1 when malformed. */
static int split_id(const char *path, long long *id, const char **rest)
{
    char idtext[24];
    size_t n = strcspn(path, "/");

    if (n == 0 || n >= sizeof idtext || path[n] != '/')
        return -1;
    memcpy(idtext, path, n);
    idtext[n] = '\0';
    *rest = path + n + 1;
    return cs_review_parse_id(idtext, id);
}

/* /api/qa/samples/ID/... */
static enum MHD_Result sample_route(cs_review_context *x, const char *path, int is_get)
{
    char err[CS_ERRLEN] = "";
    const char *rest;
    long long id, doc;

    if (split_id(path, &id, &rest) < 0)
        return cs_review_send_error(x, 404, "not found");
    if (!strcmp(rest, "check")) {
        x->rq->route = "qa check";
        return is_get ? cs_review_send_error(x, 405, "use POST") : check(x, id);
    }
    if (strncmp(rest, "pages/", 6) != 0)
        return cs_review_send_error(x, 404, "not found");
    x->rq->route = "qa page image";
    if (!is_get)
        return cs_review_send_error(x, 405, "use GET");
    doc = cs_qa_sample_document(x->srv->store, id, err, sizeof err);
    if (doc < 0)
        return cs_review_send_store_error(x, (int)doc, err);
    if (doc == 0)
        return cs_review_send_error(x, 404, "no such sample");
    x->rq->document_id = doc;
    return cs_review_api_page_png(x, doc, rest + 6);
}

enum MHD_Result cs_review_route_qa(cs_review_context *x, const char *url)
{
    int is_get = !strcmp(x->method, "GET");
    const char *rest;
    long long id;

    if (!strcmp(url, "/qa")) {
        x->rq->route = "qa page";
        return cs_review_send_asset(x, "/qa");
    }
    if (!strcmp(url, "/api/qa/samples") || !strcmp(url, "/api/qa/report")) {
        x->rq->route = url[8] == 's' ? "qa samples" : "qa report";
        if (!is_get)
            return cs_review_send_error(x, 405, "use GET");
        return url[8] == 's' ? samples(x) : report(x);
    }
    if (!strncmp(url, "/api/qa/samples/", 16))
        return sample_route(x, url + 16, is_get);
    if (!strncmp(url, "/api/qa/batches/", 16) && split_id(url + 16, &id, &rest) == 0 &&
        !strcmp(rest, "review-all")) {
        x->rq->route = "qa review all";
        return is_get ? cs_review_send_error(x, 405, "use POST") : review_all(x, id);
    }
    x->rq->route = "not found";
    return cs_review_send_error(x, 404, "not found");
}

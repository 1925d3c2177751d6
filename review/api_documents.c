/*
 * api_documents.c — the review station's API for the documents in review:
 * the queue, the roster search, a document and its neighbour in the queue,
 * its page images, and the actions on it (claim, release, confirm, change
 * type or patient, split, merge, blank pages, reject; reopen and, for an
 * admin, cancel a filed document).  route.c has checked
 * the session, the CSRF token and that the user may see the document.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define SEARCHES_PER_MINUTE 20         /* roster searches a user may run */
#define SEARCHES_PER_HOUR   300

/* ---- the queue and the roster ---- */

/* The queue filter from the query string: 0, or -1 when malformed. */
static int read_filter(cs_review_context *x, cs_review_filter *f)
{
    const char *batch = cs_review_arg(x, "batch"), *reason = cs_review_arg(x, "reason");
    const char *offset = cs_review_arg(x, "offset");

    memset(f, 0, sizeof *f);
    f->limit = 200;
    if (batch && cs_review_parse_id(batch, &f->batch_id) < 0)
        return -1;
    if (reason && !cs_review_text_ok(reason, 200))
        return -1;
    f->reason = reason;
    if (offset && cs_review_parse_int(offset, 0, 1000000, &f->offset) < 0)
        return -1;
    return 0;
}

enum MHD_Result cs_review_api_queue(cs_review_context *x)
{
    cs_review_filter f;
    char *json = NULL, err[CS_ERRLEN];
    int rc;

    if (read_filter(x, &f) < 0)
        return cs_review_send_error(x, 400, "malformed filter (batch, reason or offset)");
    rc = cs_review_store_queue(x->srv->store, &f, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

enum MHD_Result cs_review_api_patients(cs_review_context *x)
{
    static const cs_review_search_limit rate = {SEARCHES_PER_MINUTE, SEARCHES_PER_HOUR};
    const char *q = cs_review_arg(x, "q");
    char *json = NULL, err[CS_ERRLEN];
    int rc, wait = 0;

    if (!q || !cs_review_text_ok(q, 100) || strlen(q) < 2)
        return cs_review_send_error(x, 400, "the search needs 2 to 100 characters of text");
    rc = cs_review_store_roster_search(x->srv->store, x->who.name, q, 20, &rate, &wait, &json,
                                       err, sizeof err);
    if (rc == CS_REVIEW_LIMIT) {
        char retry[16], msg[120];
        snprintf(retry, sizeof retry, "%d", wait);
        snprintf(msg, sizeof msg, "{\"error\":\"too many roster searches: try again in %d s\"}",
                 wait);
        return cs_review_send(x, 429, "application/json; charset=utf-8", msg, strlen(msg),
                              "Retry-After", retry);
    }
    return cs_review_send_store_json(x, rc, json, err);
}

enum MHD_Result cs_review_api_document(cs_review_context *x, long long id)
{
    char *json = NULL, err[CS_ERRLEN];
    int rc = cs_review_store_document(x->srv->store, id, x->who.name, &json, err, sizeof err);

    if (rc == CS_REVIEW_BAD)
        return cs_review_send_error(x, 404, err);   /* json is NULL */
    return cs_review_send_store_json(x, rc, json, err);
}

enum MHD_Result cs_review_api_next(cs_review_context *x, long long id)
{
    cs_review_filter f;
    const char *dir = cs_review_arg(x, "dir");
    char err[CS_ERRLEN], json[64];
    int direction = 1;
    long long next;

    if (read_filter(x, &f) < 0 || (dir && cs_review_parse_int(dir, -1, 1, &direction) < 0) ||
        direction == 0)
        return cs_review_send_error(x, 400, "malformed request (dir is 1 or -1)");
    next = cs_review_store_neighbour(x->srv->store, id, direction, &f, x->who.name, err,
                                     sizeof err);
    if (next < 0)
        return cs_review_send_store_error(x, (int)next, err);
    if (next)
        snprintf(json, sizeof json, "{\"id\":%lld}", next);
    else
        snprintf(json, sizeof json, "{\"id\":null}");
    return cs_review_send_json(x, 200, json);
}

enum MHD_Result cs_review_api_page_png(cs_review_context *x, long long id, const char *rest)
{
    char num[16], err[CS_ERRLEN];
    const char *w = cs_review_arg(x, "w");
    size_t n = strcspn(rest, ".");
    unsigned char *tiff = NULL, *png = NULL;
    size_t tlen = 0, plen = 0;
    int page, width = 1400, rc;
    enum MHD_Result r;

    if (n == 0 || n >= sizeof num || strcmp(rest + n, ".png") != 0)
        return cs_review_send_error(x, 400, "malformed page image path");
    memcpy(num, rest, n);
    num[n] = '\0';
    if (cs_review_parse_int(num, 1, CS_MAX_PAGES_PER_FILE, &page) < 0)
        return cs_review_send_error(x, 400, "malformed page number");
    if (w && cs_review_parse_int(w, 64, 4000, &width) < 0)
        return cs_review_send_error(x, 400, "the width is 64 to 4000 pixels");
    rc = cs_review_store_page_image(x->srv->store, id, page, x->who.name, &tiff, &tlen, err,
                                    sizeof err);
    if (rc == CS_REVIEW_BAD)
        return cs_review_send_error(x, 404, err);
    if (rc < 0)
        return cs_review_send_store_error(x, rc, err);
    rc = cs_review_page_png(tiff, tlen, width, &png, &plen, err, sizeof err);
    free(tiff);
    if (rc < 0) {
        cs_log(CS_LOG_WARN, "review: document %lld page %d: %s", id, page, err);
        return cs_review_send_error(x, 500, "could not render the page image");
    }
    r = cs_review_send(x, 200, "image/png", png, plen, NULL, NULL);
    free(png);
    return r;
}

static const struct { const char *name; cs_review_action_kind kind; } actions[] = {
    {"confirm", CS_REVIEW_CONFIRM},       {"type", CS_REVIEW_CHANGE_TYPE},
    {"patient", CS_REVIEW_CHANGE_PATIENT}, {"split", CS_REVIEW_SPLIT},
    {"merge", CS_REVIEW_MERGE},           {"blank", CS_REVIEW_PAGE_BLANK},
    {"not-blank", CS_REVIEW_PAGE_NOT_BLANK}, {"reject", CS_REVIEW_REJECT},
};

/*
 * POST .../reopen (a reviewer or an admin) or .../cancel (an admin: entered
 * in error), reason=TEXT: a filed document corrected (cs_review_store_correct);
 * the answer names the document to show next (the correction in review, or
 * the cancelled one).
 */
static enum MHD_Result correct(cs_review_context *x, long long id, int cancel)
{
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    char reason[520], err[CS_ERRLEN], json[96];
    long long result = 0;
    int rc;

    if (cancel && strcmp(x->who.role, "admin") != 0)
        return cs_review_send_error(x, 403, "only an admin may mark a document entered in error");
    if (cs_review_form_get(body, "reason", reason, sizeof reason) != 1 ||
        !cs_review_text_ok(reason, 500) || !reason[strspn(reason, " \t\r\n")])
        return cs_review_send_error(x, 400, "a reason (up to 500 characters) is required");
    rc = cs_review_store_correct(x->srv->store, cancel ? CS_CORRECT_CANCEL : CS_CORRECT_REOPEN,
                                 id, x->who.name, reason, &result, err, sizeof err);
    if (rc < 0)
        return cs_review_send_store_error(x, rc, err);
    snprintf(json, sizeof json, "{\"ok\":true,\"document\":%lld}", result);
    return cs_review_send_json(x, 200, json);
}

enum MHD_Result cs_review_api_action(cs_review_context *x, long long id, const char *name)
{
    const char *body = x->rq->body.data ? x->rq->body.data : "";
    char doctype[80], patient[32], page[16], reason[520], err[CS_ERRLEN], json[96];
    cs_review_action a;
    long long result = 0;
    int rc, found = 0;

    memset(&a, 0, sizeof a);
    if (!strcmp(name, "reopen") || !strcmp(name, "cancel"))
        return correct(x, id, !strcmp(name, "cancel"));
    if (!strcmp(name, "claim")) {
        char holder[CS_REVIEW_NAME_MAX + 1];
        rc = cs_review_store_claim(x->srv->store, id, x->who.name, CS_REVIEW_LEASE_SECONDS,
                                   holder, err, sizeof err);
        if (rc == CS_REVIEW_BAD)
            return cs_review_send_error(x, 404, err);
        if (rc < 0)
            return cs_review_send_store_error(x, rc, err);
        snprintf(json, sizeof json, "{\"ok\":true,\"lease_seconds\":%d}", CS_REVIEW_LEASE_SECONDS);
        return cs_review_send_json(x, 200, json);
    }
    if (!strcmp(name, "release")) {
        if (cs_review_store_release(x->srv->store, id, x->who.name, err, sizeof err) < 0)
            return cs_review_send_store_error(x, CS_REVIEW_ERROR, err);
        return cs_review_send_json(x, 200, "{\"ok\":true}");
    }
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        if (!strcmp(name, actions[i].name)) {
            a.kind = actions[i].kind;
            found = 1;
        }
    }
    if (!found)
        return cs_review_send_error(x, 404, "no such action");
    a.document_id = id;
    a.user = x->who.name;
    switch (a.kind) {
    case CS_REVIEW_CHANGE_TYPE:
        if (cs_review_form_get(body, "doctype", doctype, sizeof doctype) != 1 ||
            !cs_review_text_ok(doctype, 64))
            return cs_review_send_error(x, 400, "a document type is required");
        a.doctype = doctype;
        break;
    case CS_REVIEW_CHANGE_PATIENT:
        if (cs_review_form_get(body, "patient_id", patient, sizeof patient) != 1 ||
            cs_review_parse_id(patient, &a.patient_id) < 0)
            return cs_review_send_error(x, 400, "a patient id is required");
        break;
    case CS_REVIEW_SPLIT:
    case CS_REVIEW_PAGE_BLANK:
    case CS_REVIEW_PAGE_NOT_BLANK:
        if (cs_review_form_get(body, "page", page, sizeof page) != 1 ||
            cs_review_parse_int(page, 1, CS_MAX_PAGES_PER_FILE, &a.page_no) < 0)
            return cs_review_send_error(x, 400, "a page number is required");
        break;
    case CS_REVIEW_REJECT:
        if (cs_review_form_get(body, "reason", reason, sizeof reason) != 1 ||
            !cs_review_text_ok(reason, 500))
            return cs_review_send_error(x, 400, "a reason (up to 500 characters) is required");
        a.reason = reason;
        break;
    default:
        break;
    }
    rc = cs_review_store_act(x->srv->store, &a, &result, err, sizeof err);
    if (rc < 0)
        return cs_review_send_store_error(x, rc, err);
    snprintf(json, sizeof json, "{\"ok\":true,\"document\":%lld}", result);
    return cs_review_send_json(x, 200, json);
}

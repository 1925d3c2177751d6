/*
 * route.c — the review station's routes: which requests need a session,
 * a CSRF token and the station's own origin, and which handler answers.
 *
 * Routes (every /api/ call but the login needs a session, else 401; pages
 * without a session redirect to /login; every POST but the login needs the
 * session's X-CSRF-Token, else 403):
 *   GET  /login  /queue  /document/ID  /dashboard  /search  /static/...
 *   POST /api/login (X-Requested-With: chartscan; name, password)  /api/logout
 *   GET  /api/me  /api/queue?batch=&reason=&offset=  /api/patients?q=  /api/dashboard
 *   GET  /api/search?q=&limit=  (filed documents, as `chartscan search`: api_search.c)
 *   GET  /api/documents/ID  /api/documents/ID/next?dir=1|-1&batch=&reason=
 *   GET  /api/documents/ID/pages/N.png?w=WIDTH
 *   POST /api/documents/ID/{claim,release,confirm,type,patient,split,merge,
 *        blank,not-blank,reject}
 *   GET  /api/users  /api/audit?user=&since=&limit=            (admins only)
 *   GET  /qa  /api/qa/...: the sample audit (api_qa.c)
 * A document id in a URL is checked against the user's role first
 * (cs_review_store_may_see): 403 for a reviewer's request for a document
 * that is not in review and that they did not work on.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define MAX_URL         512

static int is_admin(const cs_review_context *x)
{
    return !strcmp(x->who.role, "admin");
}

/* May the user see document id?  MHD_YES/NO when answered (403, 404, 500), -1 to go on. */
static int refuse_document(cs_review_context *x, long long id, enum MHD_Result *answer)
{
    char err[CS_ERRLEN];
    int rc = cs_review_store_may_see(x->srv->store, id, x->who.name, is_admin(x), err,
                                     sizeof err);
    if (rc == 1)
        return 0;
    if (rc == 0)
        *answer = cs_review_send_error(x, 403, err);
    else if (rc == CS_REVIEW_BAD)
        *answer = cs_review_send_error(x, 404, err);
    else
        *answer = cs_review_send_store_error(x, rc, err);
    return 1;
}

static enum MHD_Result route_api_document(cs_review_context *x, const char *path)
{
    char idtext[24];
    size_t n = strcspn(path, "/");
    const char *rest = path + n;
    long long id;

    if (n == 0 || n >= sizeof idtext)
        return cs_review_send_error(x, 400, "malformed document id");
    memcpy(idtext, path, n);
    idtext[n] = '\0';
    if (cs_review_parse_id(idtext, &id) < 0)
        return cs_review_send_error(x, 400, "malformed document id");
    x->rq->document_id = id;
    if (*rest && !strcmp(rest + 1, "next")) {
        /* the queue's neighbour: only documents in review, whatever the anchor */
        x->rq->route = "next";
        return !strcmp(x->method, "GET") ? cs_review_api_next(x, id)
                                          : cs_review_send_error(x, 405, "use GET");
    }
    if (!*rest) {
        x->rq->route = "document";
        if (strcmp(x->method, "GET") != 0)
            return cs_review_send_error(x, 405, "use GET");
    } else if (!strncmp(rest + 1, "pages/", 6)) {
        x->rq->route = "page image";
        if (strcmp(x->method, "GET") != 0)
            return cs_review_send_error(x, 405, "use GET");
    } else {
        x->rq->route = "action";
        if (strcmp(x->method, "POST") != 0)
            return cs_review_send_error(x, 405, "use POST");
        if (strlen(rest + 1) > 16 || strchr(rest + 1, '/'))
            return cs_review_send_error(x, 404, "no such action");
    }
    {
        enum MHD_Result answer = MHD_NO;
        if (refuse_document(x, id, &answer))
            return answer;
    }
    if (!*rest)
        return cs_review_api_document(x, id);
    if (!strncmp(rest + 1, "pages/", 6))
        return cs_review_api_page_png(x, id, rest + 7);
    return cs_review_api_action(x, id, rest + 1);
}

enum MHD_Result cs_review_route(cs_review_context *x, const char *url)
{
    int is_api = !strncmp(url, "/api/", 5), found;
    int is_post = !strcmp(x->method, "POST");

    if (strcmp(x->method, "GET") != 0 && !is_post)
        return cs_review_send_error(x, 405, "only GET and POST");
    if (x->rq->too_large)
        return cs_review_send_error(x, 413, "request body too large");
    if (strlen(url) > MAX_URL)
        return cs_review_send_error(x, 400, "request path too long");
    /* public: the login page, its script, the style sheet, the login call */
    if (!strcmp(url, "/login") || !strncmp(url, "/static/", 8)) {
        x->rq->route = url[1] == 'l' ? "login page" : "static";
        return cs_review_send_asset(x, url);
    }
    if (!strcmp(url, "/api/login")) {
        x->rq->route = "login";
        return is_post ? cs_review_login(x) : cs_review_send_error(x, 405, "use POST");
    }
    found = cs_review_session_find(x);
    if (found < 0)
        return cs_review_send_store_error(x, CS_REVIEW_ERROR, "");
    if (!found) {
        x->rq->route = "unauthenticated";
        return is_api ? cs_review_send_error(x, 401, "not logged in")
                      : cs_review_redirect(x, "/login");
    }
    if (is_post) {
        const char *origin = cs_review_header(x, "Origin"), *host = cs_review_header(x, "Host");
        char expect[300];
        if (!cs_review_csrf_valid(x->who.csrf, cs_review_header(x, "X-CSRF-Token"))) {
            x->rq->route = "csrf";
            return cs_review_send_error(x, 403, "missing or wrong CSRF token");
        }
        /* behind a TLS proxy the browser's origin is the public URL's, whatever Host says */
        if (x->srv->origin[0])
            snprintf(expect, sizeof expect, "%s", x->srv->origin);
        else
            snprintf(expect, sizeof expect, "http://%s", host ? host : "");
        if (origin && strcasecmp(origin, expect) != 0) {
            x->rq->route = "origin";
            return cs_review_send_error(x, 403, "cross-origin request refused");
        }
    }
    if (!strcmp(url, "/") ) {
        x->rq->route = "root";
        return cs_review_redirect(x, "/queue");
    }
    if (!strcmp(url, "/queue")) {
        x->rq->route = "queue page";
        return cs_review_send_asset(x, "/queue");
    }
    if (!strncmp(url, "/document/", 10)) {
        long long id;
        x->rq->route = "document page";
        if (cs_review_parse_id(url + 10, &id) < 0)
            return cs_review_send_error(x, 400, "malformed document id");
        return cs_review_send_asset(x, "/document");
    }
    if (!strcmp(url, "/api/me")) {
        x->rq->route = "me";
        return cs_review_api_me(x);
    }
    if (!strcmp(url, "/api/logout")) {
        x->rq->route = "logout";
        return is_post ? cs_review_logout(x) : cs_review_send_error(x, 405, "use POST");
    }
    if (!strcmp(url, "/dashboard") || !strcmp(url, "/api/dashboard")) {
        x->rq->route = "dashboard";
        return url[1] == 'd' ? cs_review_send_asset(x, "/dashboard") : cs_review_api_dashboard(x);
    }
    if (!strcmp(url, "/search") || !strcmp(url, "/api/search")) {
        x->rq->route = "search";
        return url[1] == 's' ? cs_review_send_asset(x, "/search") : cs_review_api_search(x);
    }
    if (!strcmp(url, "/api/queue")) {
        x->rq->route = "queue";
        return cs_review_api_queue(x);
    }
    if (!strcmp(url, "/api/patients")) {
        x->rq->route = "patients";
        return cs_review_api_patients(x);
    }
    if (!strncmp(url, "/api/documents/", 15))
        return route_api_document(x, url + 15);
    if (!strcmp(url, "/api/users") || !strcmp(url, "/api/audit")) {
        x->rq->route = url[5] == 'u' ? "users" : "audit";
        if (!is_admin(x))
            return cs_review_send_error(x, 403, "for admins only");
        if (strcmp(x->method, "GET") != 0)
            return cs_review_send_error(x, 405, "use GET");
        return url[5] == 'u' ? cs_review_api_users(x) : cs_review_api_audit(x);
    }
    if (!strcmp(url, "/qa") || !strncmp(url, "/api/qa/", 8))
        return cs_review_route_qa(x, url);
    x->rq->route = "not found";
    return cs_review_send_error(x, 404, "not found");
}

/*
 * respond.c — the review station's responses (the security headers every
 * answer carries, JSON, errors, redirects, the compiled-in assets) and the
 * pieces of a request the handlers read (headers, query arguments, the
 * client's address).  A response records its status for the log line.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

/* ---- responses ---- */

static void common_headers(const cs_review_server *srv, struct MHD_Response *r)
{
    if (srv->https)
        MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self'; script-src 'self'; "
                            "style-src 'self'; frame-ancestors 'none'; form-action 'self'");
}

enum MHD_Result cs_review_send(cs_review_context *x, int status, const char *type,
                               const void *data, size_t len, const char *h1, const char *v1)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;

    if (!r)
        return MHD_NO;
    common_headers(x->srv, r);
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    if (h1)
        MHD_add_response_header(r, h1, v1);
    x->rq->status = status;
    ok = MHD_queue_response(x->conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

enum MHD_Result cs_review_send_json(cs_review_context *x, int status, const char *json)
{
    return cs_review_send(x, status, "application/json; charset=utf-8", json, strlen(json), NULL,
                          NULL);
}

enum MHD_Result cs_review_send_error(cs_review_context *x, int status, const char *message)
{
    cs_buf b = CS_BUF_INIT;
    enum MHD_Result ok;

    cs_buf_puts(&b, "{\"error\":");
    cs_buf_json_string(&b, message);
    cs_buf_puts(&b, "}");
    ok = b.data && !cs_buf_failed(&b) ? cs_review_send_json(x, status, b.data) : MHD_NO;
    cs_buf_free(&b);
    return ok;
}

enum MHD_Result cs_review_redirect(cs_review_context *x, const char *location)
{
    return cs_review_send(x, 303, "text/plain", "", 0, "Location", location);
}

/* A store failure: the client gets a short message; the details stay out of the log. */
enum MHD_Result cs_review_send_store_error(cs_review_context *x, int rc, const char *err)
{
    if (rc == CS_REVIEW_BAD)
        return cs_review_send_error(x, 400, err);
    if (rc == CS_REVIEW_CONFLICT)
        return cs_review_send_error(x, 409, err);
    if (rc == CS_REVIEW_LIMIT)
        return cs_review_send_error(x, 429, err);
    cs_log(CS_LOG_ERROR, "review: %s: database error", x->rq->route);
    return cs_review_send_error(x, 500, "internal error: the database did not answer as expected");
}

/* The store's JSON answer, or its failure (rc < 0) as send_store_error; frees json. */
enum MHD_Result cs_review_send_store_json(cs_review_context *x, int rc, char *json, const char *err)
{
    enum MHD_Result r;

    if (rc < 0) {
        free(json);
        return cs_review_send_store_error(x, rc, err);
    }
    r = cs_review_send_json(x, 200, json);
    free(json);
    return r;
}

/* The file of review/assets/ served at path (cs_review_assets), or 404. */
enum MHD_Result cs_review_send_asset(cs_review_context *x, const char *path)
{
    for (int i = 0; i < cs_review_asset_count; i++) {
        const cs_review_asset *a = &cs_review_assets[i];
        if (!strcmp(a->path, path))
            return cs_review_send(x, 200, a->content_type, a->body, a->length, NULL, NULL);
    }
    return cs_review_send_error(x, 404, "not found");
}

/* ---- request pieces ---- */

const char *cs_review_header(cs_review_context *x, const char *name)
{
    return MHD_lookup_connection_value(x->conn, MHD_HEADER_KIND, name);
}

/* A query argument: NULL when absent or empty. */
const char *cs_review_arg(cs_review_context *x, const char *name)
{
    const char *v = MHD_lookup_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, name);
    return v && *v ? v : NULL;
}

/* The client's address, for the throttle and the audit (cs_review_client_address). */
void cs_review_request_address(cs_review_context *x, char *out, size_t outlen)
{
    cs_review_client_address(x->conn, x->srv->proxy[0] ? x->srv->proxy : NULL, out, outlen);
}

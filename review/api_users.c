/*
 * api_users.c — the review station's API about people: who is logged in
 * (with the session's CSRF token for the page), and for admins the
 * accounts and the audit trail.  route.c checks the admin role.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdlib.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

enum MHD_Result cs_review_api_me(cs_review_context *x)
{
    cs_buf b = CS_BUF_INIT;
    enum MHD_Result r;
    cs_buf_puts(&b, "{\"name\":");
    cs_buf_json_string(&b, x->who.name);
    cs_buf_puts(&b, ",\"role\":");
    cs_buf_json_string(&b, x->who.role);
    cs_buf_puts(&b, ",\"csrf\":");
    cs_buf_json_string(&b, x->who.csrf);
    cs_buf_printf(&b, ",\"lease_seconds\":%d}", CS_REVIEW_LEASE_SECONDS);
    r = b.data && !cs_buf_failed(&b) ? cs_review_send_json(x, 200, b.data) : MHD_NO;
    cs_buf_free(&b);
    return r;
}

enum MHD_Result cs_review_api_users(cs_review_context *x)
{
    char *json = NULL, err[CS_ERRLEN];
    int rc = cs_review_store_users_json(x->srv->store, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

enum MHD_Result cs_review_api_audit(cs_review_context *x)
{
    const char *user = cs_review_arg(x, "user"), *since = cs_review_arg(x, "since");
    const char *limit = cs_review_arg(x, "limit");
    char *json = NULL, err[CS_ERRLEN];
    int n = 200, rc;

    if ((user && !cs_review_user_name_ok(user)) || (since && !cs_review_text_ok(since, 64)) ||
        (limit && cs_review_parse_int(limit, 1, 1000, &n) < 0))
        return cs_review_send_error(x, 400, "malformed filter (user, since, or limit 1 to 1000)");
    rc = cs_review_store_audit_json(x->srv->store, x->who.name, user, since, n, &json, err,
                                    sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

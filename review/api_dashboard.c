/*
 * api_dashboard.c — GET /api/dashboard: the figures of the dashboard page
 * (pages per hour, queue depth and ETA, auto-file rate, review backlog by
 * reason, QA-measured accuracy, documents per reviewer-hour), per batch and
 * overall, for any signed-in user: counts and rates, no patient data.
 * pipeline/review/dashboard_store.c says how each is measured.
 */
#include "review/review.h"

#include <microhttpd.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

enum MHD_Result cs_review_api_dashboard(cs_review_context *x)
{
    char *json = NULL, err[CS_ERRLEN];
    int rc;

    if (strcmp(x->method, "GET") != 0)
        return cs_review_send_error(x, 405, "use GET");
    rc = cs_review_store_dashboard(x->srv->store, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

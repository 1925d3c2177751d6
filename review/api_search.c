/*
 * api_search.c — GET /api/search?q=QUERY&limit=N: the search page's
 * document search, for any signed-in user.  The query language, the SQL
 * and the audit row are `chartscan search`'s (pipeline/commands/search.c,
 * cs_search_json), the actor the user: the row says the kinds of terms,
 * the count and the ids found, never the query.  limit: 1 to 200, 50 when
 * not given.  Answer: {"more": bool, "documents": [...]}; 400 for a
 * malformed query (the message quotes none of it).
 */
#include "review/review.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/review/review_store.h"
#include "review/review_internal.h"

#define SEARCH_LIMIT_DEFAULT 50
#define SEARCH_LIMIT_MAX     200

enum MHD_Result cs_review_api_search(cs_review_context *x)
{
    const char *q = cs_review_arg(x, "q"), *l = cs_review_arg(x, "limit");
    char *json = NULL, *end, err[CS_ERRLEN];
    long limit = SEARCH_LIMIT_DEFAULT;
    int rc;

    if (strcmp(x->method, "GET") != 0)
        return cs_review_send_error(x, 405, "use GET");
    if (!q || !cs_review_text_ok(q, 300))
        return cs_review_send_error(x, 400, "the search needs 1 to 300 characters of text");
    if (l) {
        limit = strtol(l, &end, 10);
        if (!*l || *end || limit < 1 || limit > SEARCH_LIMIT_MAX)
            return cs_review_send_error(x, 400, "limit is 1 to 200 documents");
    }
    rc = cs_search_json(x->srv->store, x->who.name, q, (int)limit, &json, err, sizeof err);
    return cs_review_send_store_json(x, rc, json, err);
}

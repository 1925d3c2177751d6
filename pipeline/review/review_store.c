/*
 * review_store.c — the review station's reads and bookkeeping: accounts,
 * the failed-login throttle, sessions, the queue and its leases, the
 * document view (with its 'view' audit row), page images, the roster
 * search and the audit listing.  The actions that change documents are in
 * actions.c.  See review_store.h.
 *
 * JSON for the browser is built by PostgreSQL (jsonb_build_object and
 * friends): one round trip, correct escaping, nothing assembled by hand.
 */
#include "pipeline/review/review_store.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

int cs_review_store_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* A one-row, one-column result as a malloc'd string. */
static int one_text(cs_store *s, const char *sql, int n, const char *const *p, char **out,
                    char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, sql, n, p, err, errlen);

    *out = NULL;
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        PQclear(r);
        return 0;
    }
    *out = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!*out)
        return cs_fail(err, errlen, "out of memory");
    return 1;
}

/* ---- accounts ---- */

int cs_review_store_user_add(cs_store *s, const char *name, const char *role,
                             const char *password_hash, char *err, size_t errlen)
{
    const char *p[3] = {name, role, password_hash};
    PGresult *r = cs_pq(s, "INSERT INTO review_user (name, role, password_hash)"
                           " VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", 3, p, err, errlen);
    int added;

    if (!r)
        return CS_REVIEW_ERROR;
    added = atoi(PQcmdTuples(r)) == 1;
    PQclear(r);
    if (!added)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "user \"%s\" already exists",
                                    name);
    return 0;
}

int cs_review_store_user_get(cs_store *s, const char *name, cs_review_user *out, char *err,
                             size_t errlen)
{
    const char *p[1] = {name};
    PGresult *r = cs_pq(s, "SELECT id, name, role, password_hash FROM review_user"
                           " WHERE name = $1 AND NOT disabled", 1, p, err, errlen);
    int found;

    memset(out, 0, sizeof *out);
    if (!r)
        return CS_REVIEW_ERROR;
    found = PQntuples(r) == 1;
    if (found) {
        out->id = cs_pq_int(r, 0, 0);
        snprintf(out->name, sizeof out->name, "%s", PQgetvalue(r, 0, 1));
        snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 2));
        snprintf(out->password_hash, sizeof out->password_hash, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    return found;
}

int cs_review_store_users_json(cs_store *s, char **json, char *err, size_t errlen)
{
    int rc = one_text(s,
        "SELECT coalesce(jsonb_agg(jsonb_build_object('name', u.name, 'role', u.role,"
        "         'disabled', u.disabled, 'created_at', u.created_at,"
        "         'last_seen', (SELECT max(rs.last_seen) FROM review_session rs"
        "                        WHERE rs.user_id = u.id)) ORDER BY u.name), '[]')::text"
        "  FROM review_user u", 0, NULL, json, err, errlen);
    return rc < 0 ? rc : 0;
}

int cs_review_store_set_client(cs_store *s, const char *address, char *err, size_t errlen)
{
    const char *p[1] = {address ? address : ""};
    /* the audit table's client_address defaults to this setting (013) */
    PGresult *r = cs_pq(s, "SELECT set_config('chartscan.client_address', $1, false)", 1, p,
                        err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    PQclear(r);
    return 0;
}

/* ---- failed-login throttle ---- */

int cs_review_store_throttle_wait(cs_store *s, const char *key, char *err, size_t errlen)
{
    const char *p[1] = {key};
    PGresult *r = cs_pq(s, "SELECT greatest(0, ceil(extract(epoch FROM next_allowed - now())))::int"
                           "  FROM login_throttle WHERE key = $1", 1, p, err, errlen);
    int wait;

    if (!r)
        return CS_REVIEW_ERROR;
    wait = PQntuples(r) ? (int)cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    return wait;
}

int cs_review_store_throttle_fail(cs_store *s, const char *key, int free_failures, int max_s,
                                  char *err, size_t errlen)
{
    char b1[24], b2[24];
    const char *p[3] = {key, cs_i64(b1, free_failures), cs_i64(b2, max_s)};
    /* after free_failures, each failure doubles the wait: 1 s, 2 s, 4 s ... max_s */
    return cs_pq_exec(s,
        "INSERT INTO login_throttle AS t (key, failures, next_allowed) VALUES ($1, 1, now())"
        " ON CONFLICT (key) DO UPDATE SET failures = t.failures + 1,"
        "   next_allowed = now() + make_interval(secs => CASE WHEN t.failures + 1 > $2::int"
        "       THEN least($3::int, power(2, least(t.failures - $2::int, 20)))::int ELSE 0 END)",
        3, p, err, errlen);
}

int cs_review_store_throttle_clear(cs_store *s, const char *key, char *err, size_t errlen)
{
    const char *p[1] = {key};
    return cs_pq_exec(s, "DELETE FROM login_throttle WHERE key = $1", 1, p, err, errlen);
}

/* ---- sessions ---- */

int cs_review_store_session_create(cs_store *s, long long user_id, const char *token_hash,
                                   const char *csrf, int idle_seconds, char *err, size_t errlen)
{
    char b1[24], b2[24];
    const char *p[4] = {token_hash, cs_i64(b1, user_id), csrf, cs_i64(b2, idle_seconds)};

    /* the dead sessions go when new ones come: the table stays small */
    if (cs_pq_exec(s, "DELETE FROM review_session WHERE expires_at < now()", 0, NULL, err,
                   errlen) < 0)
        return CS_REVIEW_ERROR;
    return cs_pq_exec(s, "INSERT INTO review_session (token_hash, user_id, csrf_token, expires_at)"
                         " VALUES ($1, $2, $3, now() + make_interval(secs => $4::int))", 4, p,
                      err, errlen);
}

int cs_review_store_session_get(cs_store *s, const char *token_hash, int idle_seconds,
                                int max_age_seconds, cs_review_who *who, char *err,
                                size_t errlen)
{
    char b1[24], b2[24];
    const char *p[3] = {token_hash, cs_i64(b1, idle_seconds), cs_i64(b2, max_age_seconds)};
    PGresult *r;
    int found;

    memset(who, 0, sizeof *who);
    r = cs_pq(s,
        "UPDATE review_session rs SET last_seen = now(),"
        "       expires_at = now() + make_interval(secs => $2::int)"
        "  FROM review_user u"
        " WHERE rs.token_hash = $1 AND u.id = rs.user_id AND NOT u.disabled"
        "   AND rs.expires_at > now() AND rs.created_at > now() - make_interval(secs => $3::int)"
        " RETURNING u.id, u.name, u.role, rs.csrf_token", 3, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    found = PQntuples(r) == 1;
    if (found) {
        who->user_id = cs_pq_int(r, 0, 0);
        snprintf(who->name, sizeof who->name, "%s", PQgetvalue(r, 0, 1));
        snprintf(who->role, sizeof who->role, "%s", PQgetvalue(r, 0, 2));
        snprintf(who->csrf, sizeof who->csrf, "%s", PQgetvalue(r, 0, 3));
    }
    PQclear(r);
    return found;
}

int cs_review_store_session_delete(cs_store *s, const char *token_hash, char *err, size_t errlen)
{
    const char *p[1] = {token_hash};
    return cs_pq_exec(s, "DELETE FROM review_session WHERE token_hash = $1", 1, p, err, errlen);
}

/* ---- the queue ---- */

/* The filter as parameters $1 (batch), $2 (reason). */
#define QUEUE_WHERE                                                                 \
    " d.status = 'review' AND ($1::bigint IS NULL OR d.batch_id = $1::bigint)"      \
    " AND ($2::text IS NULL OR $2::text = ANY (d.review_reasons))"

int cs_review_store_queue(cs_store *s, const cs_review_filter *f, char **json, char *err,
                          size_t errlen)
{
    char b1[24], b2[24], b3[24];
    const char *p[4] = {f->batch_id > 0 ? cs_i64(b1, f->batch_id) : NULL, f->reason,
                        cs_i64(b2, f->limit > 0 ? f->limit : 100), cs_i64(b3, f->offset)};
    int rc = one_text(s,
        "WITH q AS ("
        "  SELECT d.id, d.batch_id, b.name AS batch, sf.path AS file, d.first_page, d.last_page,"
        "         d.page_count, d.doctype, round(d.doctype_confidence::numeric, 3) AS doctype_confidence,"
        "         round(review_priority(d)::numeric, 3) AS priority,"
        "         coalesce(d.review_reasons, ARRAY[d.review_reason]) AS reasons,"
        "         (SELECT l.reviewer FROM review_lease l WHERE l.document_id = d.id"
        "             AND l.lease_until > now()) AS leased_by"
        "    FROM document d JOIN batch b ON b.id = d.batch_id JOIN source_file sf ON sf.id = d.file_id"
        "   WHERE" QUEUE_WHERE ")"
        " SELECT jsonb_build_object("
        "  'documents', coalesce((SELECT jsonb_agg(to_jsonb(x) ORDER BY x.priority, x.id)"
        "       FROM (SELECT * FROM q ORDER BY priority, id LIMIT $3::int OFFSET $4::int) x), '[]'),"
        "  'total', (SELECT count(*) FROM q),"
        "  'reasons', coalesce((SELECT jsonb_agg(jsonb_build_object('reason', r, 'count', n)"
        "                                      ORDER BY n DESC, r)"
        "       FROM (SELECT r, count(*) AS n FROM document d, unnest(d.review_reasons) r"
        "              WHERE d.status = 'review' AND ($1::bigint IS NULL OR d.batch_id = $1::bigint)"
        "              GROUP BY r) c), '[]'),"
        "  'batches', coalesce((SELECT jsonb_agg(jsonb_build_object('id', b.id, 'name', b.name,"
        "                                      'count', c.n) ORDER BY b.id)"
        "       FROM (SELECT batch_id, count(*) AS n FROM document WHERE status = 'review'"
        "              GROUP BY batch_id) c JOIN batch b ON b.id = c.batch_id), '[]'))::text",
        4, p, json, err, errlen);
    return rc < 0 ? rc : 0;
}

long long cs_review_store_neighbour(cs_store *s, long long document_id, int direction,
                                    const cs_review_filter *f, const char *user, char *err,
                                    size_t errlen)
{
    char b1[24], b2[24];
    const char *p[4] = {f->batch_id > 0 ? cs_i64(b1, f->batch_id) : NULL, f->reason,
                        cs_i64(b2, document_id), user};
    PGresult *r;
    long long id;

    /* row comparison on (priority, id): the queue's own order */
    r = cs_pq(s, direction > 0
        ? "SELECT d.id FROM document d, (SELECT review_priority(c) AS k, c.id FROM document c"
          "                              WHERE c.id = $3::bigint) cur"
          " WHERE" QUEUE_WHERE " AND (review_priority(d), d.id) > (cur.k, cur.id)"
          "   AND NOT EXISTS (SELECT 1 FROM review_lease l WHERE l.document_id = d.id"
          "                      AND l.lease_until > now() AND l.reviewer <> $4)"
          " ORDER BY review_priority(d), d.id LIMIT 1"
        : "SELECT d.id FROM document d, (SELECT review_priority(c) AS k, c.id FROM document c"
          "                              WHERE c.id = $3::bigint) cur"
          " WHERE" QUEUE_WHERE " AND (review_priority(d), d.id) < (cur.k, cur.id)"
          "   AND NOT EXISTS (SELECT 1 FROM review_lease l WHERE l.document_id = d.id"
          "                      AND l.lease_until > now() AND l.reviewer <> $4)"
          " ORDER BY review_priority(d) DESC, d.id DESC LIMIT 1",
        4, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    id = PQntuples(r) ? cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    return id;
}

/* ---- leases ---- */

int cs_review_store_claim(cs_store *s, long long document_id, const char *user,
                          int lease_seconds, char holder[CS_REVIEW_NAME_MAX + 1], char *err,
                          size_t errlen)
{
    char b1[24], b2[24];
    const char *p[3] = {cs_i64(b1, document_id), user, cs_i64(b2, lease_seconds)};
    PGresult *r;
    int rc;

    holder[0] = '\0';
    /* the upsert takes the lease only when it is free, lapsed, or already ours; a
       claim that is not the renewal of our live lease is audited (prev: the state before) */
    r = cs_pq(s,
        "WITH d AS (SELECT id FROM document WHERE id = $1::bigint),"
        " prev AS (SELECT reviewer = $2 AND lease_until > now() AS renewal FROM review_lease"
        "           WHERE document_id = $1::bigint),"
        " ins AS (INSERT INTO review_lease AS l (document_id, reviewer, lease_until)"
        "         SELECT id, $2, now() + make_interval(secs => $3::int) FROM d"
        "         ON CONFLICT (document_id) DO UPDATE SET reviewer = EXCLUDED.reviewer,"
        "            lease_until = EXCLUDED.lease_until"
        "          WHERE l.reviewer = EXCLUDED.reviewer OR l.lease_until <= now()"
        "         RETURNING reviewer),"
        " a AS (INSERT INTO audit (actor, action, object_kind, object_id)"
        "       SELECT $2, 'claim', 'document', $1::text FROM ins"
        "        WHERE NOT coalesce((SELECT renewal FROM prev), false))"
        " SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM ins),"
        "        (SELECT reviewer FROM review_lease WHERE document_id = $1::bigint)",
        3, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (cs_pq_int(r, 0, 0) == 0) {
        rc = CS_REVIEW_BAD;
        cs_fail(err, errlen, "no document %lld", document_id);
    } else if (cs_pq_int(r, 0, 1) == 1) {
        rc = 1;
    } else {
        rc = CS_REVIEW_CONFLICT;
        snprintf(holder, CS_REVIEW_NAME_MAX + 1, "%s", PQgetvalue(r, 0, 2));
        cs_fail(err, errlen, "document %lld is being reviewed by %s", document_id, holder);
    }
    PQclear(r);
    return rc;
}

int cs_review_store_release(cs_store *s, long long document_id, const char *user, char *err,
                            size_t errlen)
{
    char b1[24];
    const char *p[2] = {cs_i64(b1, document_id), user};
    return cs_pq_exec(s, "DELETE FROM review_lease WHERE document_id = $1 AND reviewer = $2", 2,
                      p, err, errlen);
}

/* ---- the document ---- */

int cs_review_store_may_see(cs_store *s, long long document_id, const char *user, int is_admin,
                            char *err, size_t errlen)
{
    char b1[24], actions[256];
    const char *p[4] = {cs_i64(b1, document_id), user, actions, is_admin ? "t" : "f"};
    size_t n = 0;
    PGresult *r;
    int rc;

    /* what a reviewer worked on: their review actions, as the audit names them */
    actions[n++] = '{';
    for (int k = CS_REVIEW_CONFIRM; k <= CS_REVIEW_REJECT; k++)
        n += (size_t)snprintf(actions + n, sizeof actions - n, "%s%s", k ? "," : "",
                              cs_review_action_name((cs_review_action_kind)k));
    snprintf(actions + n, sizeof actions - n, "}");
    r = cs_pq(s,
        "SELECT $4::boolean OR (d.status = 'review' AND d.superseded_at IS NULL)"
        "    OR EXISTS (SELECT 1 FROM audit a WHERE a.object_kind = 'document'"
        "                  AND a.object_id = d.id::text AND a.actor = $2"
        "                  AND a.action = ANY ($3::text[]))"
        "  FROM document d WHERE d.id = $1::bigint", 4, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        rc = cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no document %lld", document_id);
    } else if (*PQgetvalue(r, 0, 0) == 't') {
        rc = 1;
    } else {
        rc = 0;
        cs_fail(err, errlen, "document %lld is not in review: only an admin may open it",
                document_id);
    }
    PQclear(r);
    return rc;
}

int cs_review_store_document(cs_store *s, long long document_id, const char *user, char **json,
                             char *err, size_t errlen)
{
    char b1[24];
    const char *p[2] = {cs_i64(b1, document_id), user};
    int rc;

    *json = NULL;
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    rc = one_text(s,
        "SELECT jsonb_build_object("
        " 'document', jsonb_build_object('id', d.id, 'status', d.status, 'batch_id', d.batch_id,"
        "     'batch', b.name, 'file', sf.path, 'file_id', d.file_id, 'first_page', d.first_page,"
        "     'last_page', d.last_page, 'page_count', d.page_count, 'doctype', d.doctype,"
        "     'doctype_confidence', round(d.doctype_confidence::numeric, 3),"
        "     'patient_id', d.patient_id,"
        "     'patient_confidence', round(d.patient_confidence::numeric, 3),"
        "     'review_reason', d.review_reason,"
        "     'reasons', coalesce(to_jsonb(d.review_reasons), '[]'), 'fields', d.fields,"
        "     'date_of_service', d.date_of_service, 'filed_by', d.filed_by,"
        "     'filed_at', d.filed_at, 'split_reason', d.split_reason,"
        "     'priority', round(review_priority(d)::numeric, 3)),"
        " 'pages', (SELECT coalesce(jsonb_agg(jsonb_build_object('page_no', pg.page_no,"
        "       'status', pg.status, 'width', pg.width, 'height', pg.height,"
        "       'has_image', pg.cleaned IS NOT NULL,"
        "       'words', (SELECT coalesce(jsonb_agg(jsonb_build_array(w.text,"
        "                     round(w.confidence::numeric), w.block, w.line) ORDER BY w.seq), '[]')"
        "                   FROM word w WHERE w.page_id = pg.id)) ORDER BY pg.page_no), '[]')"
        "     FROM page pg WHERE pg.document_id = d.id),"
        " 'blank_pages', (SELECT coalesce(jsonb_agg(pg.page_no ORDER BY pg.page_no), '[]')"
        "     FROM page pg WHERE pg.file_id = d.file_id AND pg.document_id IS NULL"
        "      AND pg.status = 'blank' AND pg.page_no BETWEEN d.first_page - 1 AND d.last_page + 1),"
        " 'doctypes', (SELECT jsonb_agg(jsonb_build_object('code', t.code, 'display', t.display)"
        "                               ORDER BY t.display) FROM doctype t),"
        " 'alternatives', coalesce(d.doctype_alternatives, '[]'),"
        " 'candidates', (SELECT coalesce(jsonb_agg(e.c || jsonb_build_object("
        "       'last_name', pt.last_name, 'first_name', pt.first_name,"
        "       'middle_name', pt.middle_name, 'birth_date', pt.birth_date, 'sex', pt.sex)"
        "       ORDER BY e.ord), '[]')"
        "     FROM jsonb_array_elements(coalesce(d.candidates, '[]')) WITH ORDINALITY e(c, ord)"
        "     LEFT JOIN patient pt ON pt.id = (e.c->>'patient_id')::bigint),"
        " 'patient', (SELECT jsonb_build_object('id', pt.id, 'mrn', pt.mrn,"
        "       'last_name', pt.last_name, 'first_name', pt.first_name,"
        "       'middle_name', pt.middle_name, 'birth_date', pt.birth_date, 'sex', pt.sex)"
        "     FROM patient pt WHERE pt.id = d.patient_id),"
        " 'previous', (SELECT pd.id FROM document pd WHERE pd.file_id = d.file_id"
        "               AND pd.first_page < d.first_page AND pd.superseded_at IS NULL"
        "             ORDER BY pd.first_page DESC LIMIT 1),"
        " 'lease', (SELECT jsonb_build_object('reviewer', l.reviewer, 'until', l.lease_until)"
        "            FROM review_lease l WHERE l.document_id = d.id AND l.lease_until > now()),"
        /* what each EHR destination made of it: an engine's rejection in its words */
        " 'exports', (SELECT coalesce(jsonb_agg(jsonb_build_object('destination', t.name,"
        "       'status', i.status, 'ack_code', i.ack_code, 'ack_text', i.ack_text,"
        "       'ack_error', i.ack_error, 'sent_at', i.sent_at) ORDER BY t.name), '[]')"
        "     FROM destination_item i JOIN destination t ON t.id = i.destination_id"
        "    WHERE i.document_id = d.id),"
        " 'you', $2::text)::text"
        " FROM document d JOIN batch b ON b.id = d.batch_id JOIN source_file sf ON sf.id = d.file_id"
        " WHERE d.id = $1::bigint", 2, p, json, err, errlen);
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        cs_pq_rollback(s);
        cs_fail(err, errlen, "no document %lld", document_id);
        return CS_REVIEW_BAD;
    }
    /* health-record access logging: who saw which document, when */
    if (cs_pq_exec(s, "INSERT INTO audit (actor, action, object_kind, object_id)"
                      " VALUES ($2, 'view', 'document', $1)", 2, p, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    return 0;
fail:
    cs_pq_rollback(s);
    free(*json);
    *json = NULL;
    return CS_REVIEW_ERROR;
}

int cs_review_store_page_image(cs_store *s, long long document_id, int page_no,
                               const char *user, unsigned char **data, size_t *len, char *err,
                               size_t errlen)
{
    char b1[24], b2[24];
    const char *p[3] = {cs_i64(b1, document_id), cs_i64(b2, page_no), user};
    PGresult *r;
    int rc = CS_REVIEW_BAD;

    *data = NULL;
    *len = 0;
    /* binary result: the image comes as stored; the audit row comes with it or not at all */
    r = cs_pq_bin(s, "read the page image",
        "WITH img AS (SELECT pg.id, pg.cleaned FROM page pg JOIN document d ON d.file_id = pg.file_id"
        " WHERE d.id = $1::bigint AND pg.page_no = $2::int AND pg.cleaned IS NOT NULL"
        "   AND (pg.document_id = d.id OR (pg.document_id IS NULL AND pg.status = 'blank'"
        "        AND pg.page_no BETWEEN d.first_page - 1 AND d.last_page + 1))),"
        " a AS (INSERT INTO audit (actor, action, object_kind, object_id, detail)"
        "       SELECT $3::text, 'view_page', 'document', $1::text,"
        "              jsonb_build_object('page', $2::int, 'page_id', img.id) FROM img)"
        " SELECT cleaned FROM img",
        3, p, NULL, NULL, 1, err, errlen);
    if (!r) {
        rc = CS_REVIEW_ERROR;
    } else if (PQntuples(r) != 1) {
        cs_fail(err, errlen, "document %lld has no page %d image", document_id, page_no);
    } else {
        *len = (size_t)PQgetlength(r, 0, 0);
        *data = malloc(*len ? *len : 1);
        if (!*data) {
            rc = cs_fail(err, errlen, "out of memory");
        } else {
            memcpy(*data, PQgetvalue(r, 0, 0), *len);
            rc = 0;
        }
    }
    PQclear(r);
    return rc;
}

/* ---- roster search ---- */

/* 1 when q is a real date YYYY-MM-DD. */
static int is_date(const char *q)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    char tail;

    if (strlen(q) != 10 || q[4] != '-' || q[7] != '-' ||
        sscanf(q, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return 0;
    if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

/* Seconds until user may search again (0: now), counting their searches in the audit trail. */
static int search_wait(cs_store *s, const char *user, const cs_review_search_limit *rate,
                       char *err, size_t errlen)
{
    char b1[24], b2[24];
    const char *p[3] = {user, cs_i64(b1, rate->per_minute), cs_i64(b2, rate->per_hour)};
    PGresult *r;
    int wait;

    /* when the oldest search in the window leaves it, one more may run */
    r = cs_pq(s,
        "SELECT greatest(0, CASE"
        "  WHEN count(*) >= $3::int THEN ceil(extract(epoch FROM"
        "       (SELECT at FROM audit WHERE actor = $1 AND action = 'patient_search'"
        "          AND at > now() - interval '1 hour' ORDER BY at DESC OFFSET $3::int - 1 LIMIT 1)"
        "       + interval '1 hour' - now()))"
        "  WHEN count(*) FILTER (WHERE at > now() - interval '1 minute') >= $2::int"
        "  THEN ceil(extract(epoch FROM"
        "       (SELECT at FROM audit WHERE actor = $1 AND action = 'patient_search'"
        "          AND at > now() - interval '1 minute' ORDER BY at DESC OFFSET $2::int - 1 LIMIT 1)"
        "       + interval '1 minute' - now()))"
        "  ELSE 0 END)::int"
        "  FROM audit WHERE actor = $1 AND action = 'patient_search'"
        "   AND at > now() - interval '1 hour'", 3, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    wait = (int)cs_pq_int(r, 0, 0);
    PQclear(r);
    return wait;
}

int cs_review_store_roster_search(cs_store *s, const char *user, const char *query, int limit,
                                  const cs_review_search_limit *rate, int *retry_after,
                                  char **json, char *err, size_t errlen)
{
    char name[256], b1[24];
    const char *p[6] = {NULL, NULL, NULL, cs_i64(b1, limit > 0 && limit <= 100 ? limit : 20),
                        user, NULL};
    size_t n = 0;
    int rc;

    *json = NULL;
    if (retry_after)
        *retry_after = 0;
    if (!user || !*user)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no user");
    if (rate) {
        int wait = search_wait(s, user, rate, err, errlen);
        if (wait < 0)
            return wait;
        if (wait > 0) {
            if (retry_after)
                *retry_after = wait;
            return cs_review_store_fail(CS_REVIEW_LIMIT, err, errlen, "too many roster "
                                        "searches: try again in %d s", wait);
        }
    }
    /* the kind of query decides the (indexed) lookup: date, MRN digits, or a name */
    if (is_date(query)) {
        p[2] = query;
        p[5] = "birth_date";
    } else if (*query && strspn(query, "0123456789") == strlen(query)) {
        p[1] = query;
        p[5] = "mrn";
    } else {
        /* "Last, First" and "Last First" alike */
        for (const char *c = query; *c && n < sizeof name - 1; c++)
            name[n++] = *c == ',' ? ' ' : *c;
        name[n] = '\0';
        p[0] = name;
        p[5] = "name";
    }
    /* the audit row names what was disclosed (the patients' ids), not what was asked */
    rc = one_text(s,
        "WITH x AS (SELECT pt.*, CASE WHEN $1::text IS NULL THEN 1"
        "                ELSE greatest(similarity(lower(pt.last_name || ' ' || pt.first_name), lower($1)),"
        "                              similarity(lower(pt.first_name || ' ' || pt.last_name), lower($1)))"
        "                END AS score"
        "          FROM patient pt"
        "         WHERE ($3::date IS NOT NULL AND pt.birth_date = $3::date)"
        "            OR ($2::text IS NOT NULL AND ltrim(pt.mrn, '0') LIKE ltrim($2, '0') || '%')"
        "            OR ($1::text IS NOT NULL AND (lower(pt.last_name || ' ' || pt.first_name) % lower($1)"
        "                OR lower(pt.last_name) LIKE replace(replace(replace(lower(btrim($1)),"
        "                       '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'))"
        "         ORDER BY score DESC, pt.last_name, pt.first_name, pt.id LIMIT $4::int),"
        " a AS (INSERT INTO audit (actor, action, object_kind, detail)"
        "       SELECT $5::text, 'patient_search', 'patient', jsonb_build_object('by', $6::text,"
        "              'results', count(*), 'patient_ids',"
        "              coalesce(jsonb_agg(x.id ORDER BY x.id), '[]'::jsonb)) FROM x)"
        " SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'mrn', x.mrn,"
        "         'last_name', x.last_name, 'first_name', x.first_name,"
        "         'middle_name', x.middle_name, 'birth_date', x.birth_date, 'sex', x.sex)"
        "         ORDER BY x.score DESC, x.last_name, x.first_name, x.id), '[]')::text"
        "  FROM x",
        6, p, json, err, errlen);
    return rc < 0 ? rc : 0;
}

/* ---- audit ---- */

int cs_review_store_audit(cs_store *s, const char *actor, const char *action,
                          const char *object_kind, const char *object_id,
                          const char *detail_json, char *err, size_t errlen)
{
    const char *p[5] = {actor, action, object_kind, object_id, detail_json};
    return cs_pq_exec(s, "INSERT INTO audit (actor, action, object_kind, object_id, detail)"
                         " VALUES ($1, $2, $3, $4, $5::jsonb)", 5, p, err, errlen);
}

int cs_review_store_audit_json(cs_store *s, const char *viewer, const char *user,
                               const char *since, int limit, char **json, char *err,
                               size_t errlen)
{
    char b1[24];
    const char *p[4] = {user, since, cs_i64(b1, limit > 0 && limit <= 1000 ? limit : 200), viewer};
    int rc;

    *json = NULL;
    if (since) {
        char scratch[CS_ERRLEN];
        PGresult *t = cs_pq(s, "SELECT $1::timestamptz", 1, p + 1, scratch, sizeof scratch);
        int ok = t != NULL;
        PQclear(t);
        if (!ok)
            return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "since is not a time "
                                        "(try 2026-01-31 or \"2026-01-31 14:00\")");
    }
    rc = one_text(s,
        "WITH a AS (INSERT INTO audit (actor, action, object_kind, detail)"
        "           VALUES ($4::text, 'audit_view', 'audit', jsonb_build_object('user', $1::text,"
        "                   'since', $2::text)))"
        " SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'at', x.at, 'actor', x.actor,"
        "         'action', x.action, 'object_kind', x.object_kind, 'object_id', x.object_id,"
        "         'detail', x.detail, 'before', x.before, 'after', x.after,"
        "         'client_address', x.client_address) ORDER BY x.at DESC, x.id DESC), '[]')::text"
        "  FROM (SELECT * FROM audit WHERE ($1::text IS NULL OR actor = $1::text)"
        "           AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)"
        "         ORDER BY at DESC, id DESC LIMIT $3::int) x", 4, p, json, err, errlen);
    return rc < 0 ? rc : 0;
}

int cs_audit_command(cs_store *s, const char *action, const char *object_kind,
                     const char *object_id, const char *detail_json, char *err, size_t errlen)
{
    char actor[128];
    const char *a = getenv("CHARTSCAN_ACTOR");

    /* as the EHR exports name their actor (destination.c) */
    if (a && *a) {
        snprintf(actor, sizeof actor, "%s", a);
    } else {
        struct passwd *pw = getpwuid(getuid());
        if (pw && pw->pw_name)
            snprintf(actor, sizeof actor, "%s", pw->pw_name);
        else
            snprintf(actor, sizeof actor, "uid %ld", (long)getuid());
    }
    return cs_review_store_audit(s, actor, action, object_kind, object_id, detail_json, err,
                                 errlen);
}

int cs_review_store_audit_list(cs_store *s, const char *user, const char *since, int json,
                               FILE *out, char *err, size_t errlen)
{
    const char *p[2] = {user, since};
    PGresult *r;
    int n;

    if (since) {
        /* a time PostgreSQL does not understand is a usage error, not a database one */
        char scratch[CS_ERRLEN];
        PGresult *t = cs_pq(s, "SELECT $1::timestamptz", 1, p + 1, scratch, sizeof scratch);
        int ok = t != NULL;
        PQclear(t);
        if (!ok)
            return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "--since \"%s\" is not a "
                                        "time (try 2026-01-31 or \"2026-01-31 14:00\")", since);
    }
    r = cs_pq(s,
        "SELECT id, to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MSOF'), actor, action,"
        "       coalesce(object_kind || ' ' || object_id, coalesce(object_kind, '-')),"
        "       coalesce(detail::text, '-'), coalesce(before::text, '-'), coalesce(after::text, '-'),"
        "       json_build_object('id', id, 'at', to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SS.MSOF'),"
        "           'actor', actor, 'action', action, 'object_kind', object_kind,"
        "           'object_id', object_id, 'detail', detail, 'before', before,"
        "           'after', after)::text"
        "  FROM audit WHERE ($1::text IS NULL OR actor = $1::text)"
        "   AND ($2::timestamptz IS NULL OR at >= $2::timestamptz) ORDER BY at, id",
        2, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    n = PQntuples(r);
    if (json) {
        fputs("[", out);
        for (int i = 0; i < n; i++)
            fprintf(out, "%s%s", i ? ",\n " : "", PQgetvalue(r, i, 8));
        fputs("]\n", out);
        PQclear(r);
        return n;
    }
    fprintf(out, "id\tat\tactor\taction\tobject\tdetail\tbefore\tafter\n");
    for (int i = 0; i < n; i++)
        for (int c = 0; c < 8; c++)
            fprintf(out, "%s%c", PQgetvalue(r, i, c), c == 7 ? '\n' : '\t');
    PQclear(r);
    return n;
}

/*
 * users.c — `chartscan users list|disable|enable|passwd|revoke-sessions`:
 * the administration of the review station's accounts from the command
 * line.  Each command is one transaction with its audit row (actor: the
 * operator, as cs_audit_command names them; object: the user; detail:
 * counts, never a password or its hash).
 *
 * Disabling a user ends their sessions and gives up the documents they
 * hold, in the same transaction: the station refuses a disabled user's
 * login (cs_review_store_user_get) and every request of a session whose
 * user is disabled (cs_review_store_session_get), and with the sessions
 * deleted nothing of theirs lives on once they are enabled again.  A new
 * password ends the user's sessions too: whoever knew the old one is out.
 * The password itself is read and hashed by review/ (auth.c); only the
 * hash comes here.
 */
#include "pipeline/review/review_store.h"

#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "pipeline/pipeline_internal.h"

/* [A-Za-z0-9._-]{1,64}, as review_user's CHECK says (006) */
static int name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n >= 1 && n <= CS_REVIEW_NAME_MAX &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int cs_users_list(cs_store *s, FILE *out, char *err, size_t errlen)
{
    char detail[64];
    PGresult *r = NULL;
    int n;

    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    r = cs_pq(s,
        "SELECT u.name, u.role, CASE WHEN u.disabled THEN 'disabled' ELSE 'enabled' END,"
        "       to_char(u.created_at, 'YYYY-MM-DD HH24:MI'),"
        "       coalesce(to_char(max(rs.last_seen), 'YYYY-MM-DD HH24:MI'), '-'),"
        "       count(rs.token_hash) FILTER (WHERE rs.expires_at > now())"
        "  FROM review_user u LEFT JOIN review_session rs ON rs.user_id = u.id"
        " GROUP BY u.id ORDER BY u.name", 0, NULL, err, errlen);
    if (!r)
        goto fail;
    n = PQntuples(r);
    snprintf(detail, sizeof detail, "{\"users\":%d}", n);
    if (cs_audit_command(s, "user_list", "user", NULL, detail, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    fprintf(out, "%-24s %-8s %-8s %-16s %-16s %s\n", "NAME", "ROLE", "STATE", "CREATED",
            "LAST SEEN", "SESSIONS");
    for (int i = 0; i < n; i++)
        fprintf(out, "%-24s %-8s %-8s %-16s %-16s %s\n", PQgetvalue(r, i, 0),
                PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
                PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
    PQclear(r);
    return 0;
fail:
    PQclear(r);
    cs_pq_rollback(s);
    return -1;
}

/*
 * The changes of one account, in the open transaction: lock its row, set
 * disabled (0/1; -1 leaves it) and the password hash (NULL leaves it), end
 * its sessions (always), and when disabling give up its leases.  *was_disabled
 * is the state before.  CS_REVIEW_BAD when there is no such user.
 */
static int change_user(cs_store *s, const char *name, int disabled, const char *hash,
                       int *was_disabled, long long *sessions, long long *leases, char *err,
                       size_t errlen)
{
    char b1[24];
    const char *p[3] = {name, disabled < 0 ? NULL : cs_i64(b1, disabled), hash};
    PGresult *r;

    r = cs_pq(s, "SELECT disabled FROM review_user WHERE name = $1 FOR UPDATE", 1, p, err,
              errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no user \"%s\"", name);
    }
    *was_disabled = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    if (cs_pq_exec(s, "UPDATE review_user SET disabled = coalesce($2::int::boolean, disabled),"
                      "       password_hash = coalesce($3, password_hash)"
                      " WHERE name = $1", 3, p, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    r = cs_pq(s, "WITH d AS (DELETE FROM review_session"
                 "            WHERE user_id = (SELECT id FROM review_user WHERE name = $1)"
                 "           RETURNING expires_at > now() AS live)"
                 " SELECT count(*) FILTER (WHERE live) FROM d", 1, p, err, errlen);
    if (!r)
        return CS_REVIEW_ERROR;
    *sessions = cs_pq_int(r, 0, 0);
    PQclear(r);
    *leases = 0;
    if (disabled == 1) {
        r = cs_pq(s, "WITH d AS (DELETE FROM review_lease WHERE reviewer = $1"
                     "            RETURNING lease_until > now() AS live)"
                     " SELECT count(*) FILTER (WHERE live) FROM d", 1, p, err, errlen);
        if (!r)
            return CS_REVIEW_ERROR;
        *leases = cs_pq_int(r, 0, 0);
        PQclear(r);
    }
    return 0;
}

/* What a command does to the account, and how it says so. */
typedef struct user_change {
    const char *action;          /* the audit row's action */
    int disabled;                /* 1, 0, or -1: unchanged */
    const char *hash;            /* the new password hash, or NULL */
} user_change;

static int run_change(cs_store *s, const char *name, const user_change *c, FILE *out,
                      char *err, size_t errlen)
{
    char detail[200];
    long long sessions = 0, leases = 0;
    int was = 0, rc;

    if (!name_ok(name))
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen,
                                    "a user name has 1 to 64 letters, digits, '.', '_' or '-'");
    if (cs_pq_begin(s, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    rc = change_user(s, name, c->disabled, c->hash, &was, &sessions, &leases, err, errlen);
    if (rc < 0) {
        cs_pq_rollback(s);
        return rc;
    }
    snprintf(detail, sizeof detail,
             "{\"disabled_before\":%s,\"disabled_after\":%s,\"sessions_ended\":%lld,"
             "\"leases_released\":%lld%s}", was ? "true" : "false",
             (c->disabled < 0 ? was : c->disabled) ? "true" : "false", sessions, leases,
             c->hash ? ",\"password_changed\":true" : "");
    if (cs_audit_command(s, c->action, "user", name, detail, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0) {
        cs_pq_rollback(s);
        return CS_REVIEW_ERROR;
    }
    if (c->hash)
        fprintf(out, "new password for \"%s\"", name);
    else if (c->disabled == 1)
        fprintf(out, "disabled \"%s\"%s", name, was ? " (it was already)" : "");
    else if (c->disabled == 0)
        fprintf(out, "enabled \"%s\"%s", name, was ? "" : " (it was not disabled)");
    else
        fprintf(out, "revoked the sessions of \"%s\"", name);
    fprintf(out, "; %lld live session%s ended", sessions, sessions == 1 ? "" : "s");
    if (c->disabled == 1)
        fprintf(out, ", %lld document%s released", leases, leases == 1 ? "" : "s");
    fprintf(out, "\n");
    return 0;
}

int cs_users_disable(cs_store *s, const char *name, FILE *out, char *err, size_t errlen)
{
    const user_change c = {"user_disable", 1, NULL};
    return run_change(s, name, &c, out, err, errlen);
}

int cs_users_enable(cs_store *s, const char *name, FILE *out, char *err, size_t errlen)
{
    const user_change c = {"user_enable", 0, NULL};
    return run_change(s, name, &c, out, err, errlen);
}

int cs_users_set_password(cs_store *s, const char *name, const char *password_hash, FILE *out,
                          char *err, size_t errlen)
{
    const user_change c = {"user_passwd", -1, password_hash};
    if (!password_hash || !*password_hash)
        return cs_review_store_fail(CS_REVIEW_BAD, err, errlen, "no password hash");
    return run_change(s, name, &c, out, err, errlen);
}

int cs_users_revoke_sessions(cs_store *s, const char *name, FILE *out, char *err, size_t errlen)
{
    const user_change c = {"user_revoke_sessions", -1, NULL};
    return run_change(s, name, &c, out, err, errlen);
}

/*
 * store.c — the connection to PostgreSQL (CHARTSCAN_DB, or the embedded
 * server started on demand), schema migrations, and the small libpq
 * helpers every other file of pipeline/ uses.
 *
 * Interface routines: cs_home, cs_store_set_role, cs_store_open,
 * cs_store_open_as, cs_store_prepare, cs_store_close, cs_store_migrate,
 * cs_store_require_schema; internal: cs_pq*, cs_i64.
 *
 * Notes:
 *   1. An embedded server that is up is reached with one connection; only
 *      when that fails does cs_store_open start it (pg_ctl) and create the
 *      database.  Every worker opens a store, so this matters.
 *   2. cs_pq prepares each statement with parameters on its first run on a
 *      connection and executes it prepared after that (the statements are
 *      few and run thousands of times: a page's ocr job and a file's
 *      assembly run the same dozens), keyed by the statement's text.  Parse
 *      and plan were about a tenth of the server's time with recognition
 *      switched off; the pipeline without recognition went from about 390
 *      to 515 pages a second.  A statement that cannot be prepared (an
 *      error in it, an aborted transaction) fails with the server's answer to the
 *      preparation, which is the error running it would have given.
 *   3. Roles.  chartscan connects as the role a command's job needs:
 *      chartscan_owner (owns the schemas and every object in them; runs
 *      the migrations and the operator's commands), chartscan_worker (the
 *      queue and the stages' tables), chartscan_reviewer (the review
 *      station: the review tables, what the station reads and the document
 *      edits it makes; no roster writes, no DDL; a superuser's connection
 *      is refused).  The EHR reads as chartscan_ehr_reader (schema ehr).
 *      Which table each role may use is data, chartscan.role_grant
 *      (schema/011_roles.sql); chartscan.apply_grants() turns it into
 *      GRANTs at the end of every `chartscan init`, after the migrations,
 *      so that a table a later migration adds gets its grants from the
 *      row that migration inserts.  On the embedded server the roles log
 *      in by peer authentication (cluster.c, note 3); cs_store_prepare
 *      makes them with the bootstrap superuser "chartscan", which nothing
 *      else uses.  With CHARTSCAN_DB, the site's sysadmin makes them
 *      (doc/roles.sql) and names each role's connection
 *      (CHARTSCAN_DB_WORKER, CHARTSCAN_DB_REVIEWER; CHARTSCAN_DB for the
 *      owner and for any role without a variable of its own).
 */
#include "pipeline/pipeline_internal.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/store/migrations.h"

/* A socket path must fit sockaddr_un (108 bytes) with "/pg/run/.s.PGSQL.5432". */
#define HOME_MAX 80

const char *cs_home(void)
{
    static char home[PATH_MAX];
    const char *env;
    char cwd[PATH_MAX];

    if (home[0])
        return home;
    env = getenv("CHARTSCAN_HOME");
    if (env && *env == '/') {
        snprintf(home, sizeof home, "%s", env);
    } else {
        if (!getcwd(cwd, sizeof cwd))
            snprintf(cwd, sizeof cwd, ".");
        snprintf(home, sizeof home, "%s/%s", cwd, env && *env ? env : "var/chartscan");
    }
    /* no trailing slash, so that paths built from it are canonical */
    for (size_t n = strlen(home); n > 1 && home[n - 1] == '/'; n--)
        home[n - 1] = '\0';
    return home;
}

int cs_store_external(void)
{
    const char *db = getenv("CHARTSCAN_DB");
    return db && *db;
}

/* Notices (e.g. "relation already exists, skipping") are not for users. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* ---- roles and connections (note 3) ---- */

static cs_db_role process_role = CS_DB_OWNER;

void cs_store_set_role(cs_db_role role)
{
    process_role = role;
}

static const char *role_name(cs_db_role role)
{
    switch (role) {
    case CS_DB_WORKER:
        return "chartscan_worker";
    case CS_DB_REVIEWER:
        return "chartscan_reviewer";
    default:
        return "chartscan_owner";
    }
}

/* The variable naming role's server, or NULL for the embedded one. */
static const char *role_variable(cs_db_role role)
{
    const char *v = role == CS_DB_WORKER     ? "CHARTSCAN_DB_WORKER"
                    : role == CS_DB_REVIEWER ? "CHARTSCAN_DB_REVIEWER" : NULL;
    const char *db;

    if (v && (db = getenv(v)) != NULL && *db)
        return v;
    return cs_store_external() ? "CHARTSCAN_DB" : NULL;
}

/* Connect with a libpq connection string or URI, naming ourselves. */
static PGconn *connect_to(const char *conninfo)
{
    const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *const values[] = {conninfo, "chartscan", NULL};
    return PQconnectdbParams(keys, values, 1);
}

/* Run sql on a connection of the bootstrap step; 0 or -1 with err. */
static int bootstrap_exec(PGconn *conn, const char *sql, const char *what, char *err,
                          size_t errlen)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        /* a concurrent creator of the database wins the race: that is fine */
        if (state && !strcmp(state, "42P04")) {
            PQclear(r);
            return 0;
        }
        cs_fail(err, errlen, "could not %s: %s", what, PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
        PQclear(r);
        return -1;
    }
    PQclear(r);
    return 0;
}

/* The roles every chartscan database has; LOGIN, and without a password
 * (the embedded server lets them in by peer authentication only). */
static const char create_roles_sql[] =
    "DO $$ DECLARE r text; BEGIN"
    " FOREACH r IN ARRAY ARRAY['chartscan_owner', 'chartscan_worker', 'chartscan_reviewer',"
    "                          'chartscan_ehr_reader'] LOOP"
    "   IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN"
    "     EXECUTE format('CREATE ROLE %I LOGIN', r);"
    "   END IF;"
    " END LOOP; END $$";

/* Give what the superuser "chartscan" made (a chartscan before the roles,
 * or someone at the console) to chartscan_owner: schemas, tables, views,
 * sequences of their own, functions, types, and the large objects of old
 * archives.  Idempotent; run by every `chartscan init`. */
static const char adopt_sql[] =
    "DO $$ DECLARE o record; BEGIN"
    " FOR o IN SELECT nspname FROM pg_namespace WHERE nspname IN ('chartscan', 'ehr') LOOP"
    "   EXECUTE format('ALTER SCHEMA %I OWNER TO chartscan_owner', o.nspname);"
    " END LOOP;"
    " FOR o IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c"
    "            JOIN pg_namespace n ON n.oid = c.relnamespace"
    "           WHERE n.nspname IN ('chartscan', 'ehr') AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
    "             AND c.relowner <> 'chartscan_owner'::regrole"
    "             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
    "                              AND d.objid = c.oid AND d.deptype IN ('a', 'i')"
    "                              AND c.relkind = 'S') LOOP"
    "   EXECUTE format('ALTER %s %s OWNER TO chartscan_owner',"
    "                  CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'"
    "                                 WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, o.name);"
    " END LOOP;"
    " FOR o IN SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p"
    "            JOIN pg_namespace n ON n.oid = p.pronamespace"
    "           WHERE n.nspname IN ('chartscan', 'ehr')"
    "             AND p.proowner <> 'chartscan_owner'::regrole LOOP"
    "   EXECUTE format('ALTER %s %s OWNER TO chartscan_owner',"
    "                  CASE o.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'"
    "                                 ELSE 'FUNCTION' END, o.name);"
    " END LOOP;"
    " FOR o IN SELECT t.oid::regtype AS name, t.typtype FROM pg_type t"
    "            JOIN pg_namespace n ON n.oid = t.typnamespace"
    "           WHERE n.nspname IN ('chartscan', 'ehr') AND t.typtype IN ('e', 'd')"
    "             AND t.typowner <> 'chartscan_owner'::regrole LOOP"
    "   EXECUTE format('ALTER %s %s OWNER TO chartscan_owner',"
    "                  CASE o.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, o.name);"
    " END LOOP;"
    " FOR o IN SELECT oid FROM pg_largeobject_metadata"
    "           WHERE lomowner <> 'chartscan_owner'::regrole LOOP"
    "   EXECUTE format('ALTER LARGE OBJECT %s OWNER TO chartscan_owner', o.oid);"
    " END LOOP;"
    " END $$";

int cs_store_prepare(char *err, size_t errlen)
{
    char conninfo[PATH_MAX + 160];
    const char *home = cs_home();
    PGconn *conn = NULL, *db = NULL;
    PGresult *r;
    int rc = -1, have_db, adopt;

    if (cs_store_external())
        return 0;
    if (strlen(home) > HOME_MAX)
        return cs_fail(err, errlen,
                       "home folder path is longer than %d characters, too long for the "
                       "database socket (set CHARTSCAN_HOME to a shorter path)", HOME_MAX);
    if (cs_server_start(home, err, errlen) < 0)
        return -1;
    /* the bootstrap superuser, made by initdb, does what no role of ours may */
    cs_server_conninfo(home, "postgres", "chartscan", conninfo, sizeof conninfo);
    conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        cs_fail(err, errlen, "could not connect to the embedded database server: %s",
                PQerrorMessage(conn));
        err[strcspn(err, "\n")] = '\0';
        goto out;
    }
    PQsetNoticeProcessor(conn, quiet_notice, NULL);
    /* one process at a time (a pool of workers starts together) */
    if (bootstrap_exec(conn, "SELECT pg_advisory_lock(7345011)", "lock the database setup", err,
                       errlen) < 0 ||
        bootstrap_exec(conn, create_roles_sql, "create chartscan's database roles", err,
                       errlen) < 0)
        goto out;
    r = PQexec(conn, "SELECT pg_get_userbyid(datdba) = 'chartscan_owner' FROM pg_database"
                     " WHERE datname = 'chartscan'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        cs_fail(err, errlen, "could not look for the chartscan database: %s",
                PQresultErrorMessage(r));
        err[strcspn(err, "\n")] = '\0';
        PQclear(r);
        goto out;
    }
    have_db = PQntuples(r) == 1;
    adopt = have_db && strcmp(PQgetvalue(r, 0, 0), "t") != 0;
    PQclear(r);
    if (!have_db &&
        bootstrap_exec(conn, "CREATE DATABASE chartscan OWNER chartscan_owner",
                       "create the chartscan database", err, errlen) < 0)
        goto out;
    /* what the superuser made (an older chartscan, a hand at the console):
     * the objects first, the database last */
    {
        cs_server_conninfo(home, "chartscan", "chartscan", conninfo, sizeof conninfo);
        db = PQconnectdb(conninfo);
        if (PQstatus(db) != CONNECTION_OK) {
            cs_fail(err, errlen, "could not connect to the embedded database: %s",
                    PQerrorMessage(db));
            err[strcspn(err, "\n")] = '\0';
            goto out;
        }
        PQsetNoticeProcessor(db, quiet_notice, NULL);
        if (bootstrap_exec(db, adopt_sql, "give the database's objects to chartscan_owner", err,
                           errlen) < 0)
            goto out;
    }
    if (adopt && bootstrap_exec(conn, "ALTER DATABASE chartscan OWNER TO chartscan_owner",
                                "give the database to chartscan_owner", err, errlen) < 0)
        goto out;
    rc = 0;
out:
    PQfinish(db);
    PQfinish(conn);   /* and with it the advisory lock */
    return rc;
}

/* The reviewer's connection must not be a superuser's (note 3). */
static int refuse_superuser(PGconn *conn, const char *variable, char *err, size_t errlen)
{
    PGresult *r = PQexec(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
    int super = PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
                strcmp(PQgetvalue(r, 0, 0), "f") != 0;

    PQclear(r);
    if (!super)
        return 0;
    return cs_fail(err, errlen,
                   "the review station does not connect to the database as a superuser, and "
                   "%s names one: set CHARTSCAN_DB_REVIEWER to a connection as "
                   "chartscan_reviewer (see doc/roles.sql)",
                   variable ? variable : "the embedded server's chartscan_reviewer");
}

int cs_store_open(cs_store **out, char *err, size_t errlen)
{
    return cs_store_open_as(out, process_role, err, errlen);
}

int cs_store_open_as(cs_store **out, cs_db_role role, char *err, size_t errlen)
{
    char conninfo[PATH_MAX + 160];
    const char *variable = role_variable(role);
    const char *home = cs_home();
    cs_store *s;
    PGconn *conn = NULL;

    *out = NULL;
    if (variable) {
        conn = connect_to(getenv(variable));
    } else {
        if (strlen(home) > HOME_MAX)
            return cs_fail(err, errlen,
                           "home folder path is longer than %d characters, too long for the "
                           "database socket (set CHARTSCAN_HOME to a shorter path)", HOME_MAX);
        /* the server is usually up and the database and roles there: one
         * connection, no pg_ctl (which costs a fork and exec, 20-30 ms, in
         * every process and worker); otherwise start and prepare it */
        cs_server_conninfo(home, "chartscan", role_name(role), conninfo, sizeof conninfo);
        conn = PQconnectdb(conninfo);
        if (PQstatus(conn) != CONNECTION_OK) {
            PQfinish(conn);
            if (cs_store_prepare(err, errlen) < 0)
                return -1;
            conn = PQconnectdb(conninfo);
        }
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        /* the message may echo the connection string: keep only libpq's first line */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        PQfinish(conn);
        if (variable)
            return cs_fail(err, errlen, "could not connect to the database named by %s: %s",
                           variable, msg);
        return cs_fail(err, errlen, "could not connect to the embedded database as %s: %s",
                       role_name(role), msg);
    }
    if (role == CS_DB_REVIEWER && refuse_superuser(conn, variable, err, errlen) < 0) {
        PQfinish(conn);
        return -1;
    }
    PQsetNoticeProcessor(conn, quiet_notice, NULL);
    {
        PGresult *r = PQexec(conn, "SET search_path = chartscan, public");
        PQclear(r);
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        PQfinish(conn);
        return cs_fail(err, errlen, "out of memory");
    }
    s->conn = conn;
    *out = s;
    return 0;
}

void cs_store_close(cs_store **ps)
{
    if (!ps || !*ps)
        return;
    PQfinish((*ps)->conn);
    for (size_t i = 0; i < (*ps)->nprepared; i++)
        free((*ps)->prepared[i].sql);
    free((*ps)->prepared);
    free(*ps);
    *ps = NULL;
}

int cs_store_worker_session(cs_store *s, char *err, size_t errlen)
{
    /* Every stage is idempotent and commits its results with its job's
     * completion, so a commit lost in a server crash only means the job is
     * done again: workers need not wait for the WAL flush at each commit. */
    return cs_pq_exec(s, "SET synchronous_commit = off", 0, NULL, err, errlen);
}

int cs_store_ok(cs_store *s)
{
    return s && PQstatus(s->conn) == CONNECTION_OK;
}

/* ---- libpq helpers ---- */

#define MAX_PREPARED 512

static unsigned int sql_hash(const char *sql)
{
    unsigned int h = 2166136261u;   /* FNV-1a */

    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 16777619u;
    return h;
}

/*
 * The name of sql's prepared statement on s, preparing it on first use
 * (name[16] filled): 0; -1 when the server refused to prepare it (its
 * answer in *refused); -2 when the cache is full or out of memory (then it
 * runs unprepared).
 *
 * The cache's invariant: entry i is the statement prepared on s->conn as
 * "cs<i>", and the entries are distinct; there are at most MAX_PREPARED.
 */
static int prepared_name(cs_store *s, const char *sql, int nparams, char name[16],
                         PGresult **refused)
{
    unsigned int h = sql_hash(sql);
    PGresult *r;
    size_t i;

    assert(s->nprepared <= s->prepared_cap && s->nprepared <= MAX_PREPARED);
    assert(s->prepared != NULL || s->prepared_cap == 0);
    for (i = 0; i < s->nprepared; i++) {
        if (s->prepared[i].hash == h && strcmp(s->prepared[i].sql, sql) == 0) {
            snprintf(name, 16, "cs%zu", i);
            return 0;
        }
    }
    if (s->nprepared >= MAX_PREPARED)
        return -2;
    if (s->nprepared == s->prepared_cap) {
        size_t cap = s->prepared_cap ? 2 * s->prepared_cap : 32;
        cs_prepared *p = realloc(s->prepared, cap * sizeof *p);
        if (!p)
            return -2;
        s->prepared = p;
        s->prepared_cap = cap;
    }
    snprintf(name, 16, "cs%zu", s->nprepared);
    r = PQprepare(s->conn, name, sql, nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *refused = r;   /* the error it has is the statement's own */
        return -1;
    }
    PQclear(r);
    s->prepared[s->nprepared].sql = strdup(sql);
    if (!s->prepared[s->nprepared].sql) {
        PQclear(PQexec(s->conn, "DEALLOCATE ALL"));
        for (i = 0; i < s->nprepared; i++)
            free(s->prepared[i].sql);
        s->nprepared = 0;
        return -2;
    }
    s->prepared[s->nprepared].hash = h;
    s->nprepared++;
    return 0;
}

/*
 * Run sql (note 2) with its parameters as libpq takes them: the result
 * when its status is COMMAND_OK or TUPLES_OK, else NULL with "could not
 * <what>: <the server's message>" in err ("database error: ..." when what
 * is NULL).
 */
static PGresult *run(cs_store *s, const char *what, const char *sql, int nparams,
                     const char *const *params, const int *lengths, const int *formats,
                     int binary_result, char *err, size_t errlen)
{
    char name[16];
    PGresult *r = NULL;
    ExecStatusType st;
    int how;

    /* one statement at a time on a connection: a result still in flight
     * (unpack's pending insert) or an open COPY is finished first */
    assert(!s->copying);
    assert(PQtransactionStatus(s->conn) != PQTRANS_ACTIVE);
    how = nparams > 0 ? prepared_name(s, sql, nparams, name, &r) : -2;
    if (how == 0)
        r = PQexecPrepared(s->conn, name, nparams, params, lengths, formats, binary_result);
    else if (how == -2)
        r = PQexecParams(s->conn, sql, nparams, NULL, params, lengths, formats, binary_result);
    st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return r;
    {
        const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(s->conn);
        char clean[400];
        snprintf(clean, sizeof clean, "%s", msg && *msg ? msg : "no answer from the server");
        clean[strcspn(clean, "\n")] = '\0';
        if (what)
            cs_fail(err, errlen, "could not %s: %s", what, clean);
        else
            cs_fail(err, errlen, "database error: %s", clean);
    }
    PQclear(r);
    return NULL;
}

PGresult *cs_pq(cs_store *s, const char *sql, int nparams, const char *const *params,
                char *err, size_t errlen)
{
    return run(s, NULL, sql, nparams, params, NULL, NULL, 0, err, errlen);
}

PGresult *cs_pq_bin(cs_store *s, const char *what, const char *sql, int nparams,
                    const char *const *params, const int *lengths, const int *formats,
                    int binary_result, char *err, size_t errlen)
{
    return run(s, what, sql, nparams, params, lengths, formats, binary_result, err, errlen);
}

int cs_pq_exec(cs_store *s, const char *sql, int nparams, const char *const *params,
               char *err, size_t errlen)
{
    PGresult *r = cs_pq(s, sql, nparams, params, err, errlen);
    if (!r)
        return -1;
    PQclear(r);
    return 0;
}

int cs_pq_begin(cs_store *s, char *err, size_t errlen)
{
    return cs_pq_exec(s, "BEGIN", 0, NULL, err, errlen);
}

int cs_pq_commit(cs_store *s, char *err, size_t errlen)
{
    return cs_pq_exec(s, "COMMIT", 0, NULL, err, errlen);
}

void cs_pq_rollback(cs_store *s)
{
    PGresult *r;

    assert(!s->copying);   /* cs_copy_end comes first, on every way out */
    r = PQexec(s->conn, "ROLLBACK");
    PQclear(r);
}

long long cs_pq_int(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return 0;
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

const char *cs_i64(char buf[24], long long v)
{
    snprintf(buf, 24, "%lld", v);
    return buf;
}

/* Resolve --batch (an id or an archive name) to an id. */
int cs_resolve_batch(cs_store *s, const char *batch, char id[24], char *err, size_t errlen)
{
    const char *p[1] = {batch};
    PGresult *r = cs_pq(s, "SELECT id FROM batch WHERE id::text = $1 OR name = $1 ORDER BY id",
                        1, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return cs_fail(err, errlen, "no batch \"%s\" (see \"chartscan status\")", batch);
    }
    if (PQntuples(r) > 1) {
        PQclear(r);
        return cs_fail(err, errlen, "several batches are named \"%s\": give the batch id", batch);
    }
    snprintf(id, 24, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

/* ---- migrations ---- */

static int latest_version(void)
{
    int v = 0;
    for (int i = 0; i < cs_migration_count; i++)
        if (cs_migrations[i].version > v)
            v = cs_migrations[i].version;
    return v;
}

static int applied_version(cs_store *s, int *version, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT coalesce((SELECT max(version) FROM chartscan.schema_version), 0) "
        "WHERE to_regclass('chartscan.schema_version') IS NOT NULL", 0, NULL, err, errlen);
    if (!r) {
        /* schema_version does not exist: the query above fails only then */
        *version = 0;
        return 0;
    }
    *version = PQntuples(r) ? (int)cs_pq_int(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

int cs_store_require_schema(cs_store *s, char *err, size_t errlen)
{
    int v = 0;
    PGresult *r = cs_pq(s, "SELECT to_regclass('chartscan.schema_version') IS NOT NULL", 0, NULL,
                        err, errlen);
    if (!r)
        return -1;
    if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
        PQclear(r);
        return cs_fail(err, errlen, "the database is not initialised: run \"chartscan init\"");
    }
    PQclear(r);
    if (applied_version(s, &v, err, errlen) < 0)
        return -1;
    if (v < latest_version())
        return cs_fail(err, errlen,
                       "the database schema is at version %d, this chartscan needs %d: run "
                       "\"chartscan init\"", v, latest_version());
    if (v > latest_version())
        return cs_fail(err, errlen,
                       "the database schema is at version %d, newer than this chartscan "
                       "knows (%d): upgrade chartscan", v, latest_version());
    return 0;
}

int cs_store_migrate(cs_store *s, FILE *out, char *err, size_t errlen)
{
    int applied = 0;

    if (cs_pq_begin(s, err, errlen) < 0)
        return -1;
    /* one migrator at a time, across every host */
    if (cs_pq_exec(s, "SELECT pg_advisory_xact_lock(7345001)", 0, NULL, err, errlen) < 0 ||
        cs_pq_exec(s, "CREATE SCHEMA IF NOT EXISTS chartscan", 0, NULL, err, errlen) < 0 ||
        cs_pq_exec(s, "CREATE TABLE IF NOT EXISTS chartscan.schema_version ("
                      " version integer PRIMARY KEY, name text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL, err, errlen) < 0)
        goto fail;
    for (int i = 0; i < cs_migration_count; i++) {
        const cs_migration *m = &cs_migrations[i];
        char vbuf[24];
        const char *params[2] = {cs_i64(vbuf, m->version), m->name};
        PGresult *r = cs_pq(s, "SELECT 1 FROM chartscan.schema_version WHERE version = $1", 1,
                            params, err, errlen);
        int done;
        if (!r)
            goto fail;
        done = PQntuples(r) > 0;
        PQclear(r);
        if (done)
            continue;
        if (cs_pq_exec(s, "SET LOCAL search_path = chartscan, public", 0, NULL, err, errlen) < 0)
            goto fail;
        /* a migration is several statements: the simple protocol runs them all */
        r = PQexec(s->conn, m->sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
            cs_fail(err, errlen, "migration %s failed: %s", m->name, PQresultErrorMessage(r));
            err[strcspn(err, "\n")] = '\0';
            PQclear(r);
            goto fail;
        }
        PQclear(r);
        if (cs_pq_exec(s, "INSERT INTO chartscan.schema_version (version, name) VALUES ($1, $2)",
                       2, params, err, errlen) < 0)
            goto fail;
        if (out)
            fprintf(out, "applied %s\n", m->name);
        applied++;
    }
    /* the grants, every time and after every migration (note 3) */
    if (cs_pq_exec(s, "SELECT chartscan.apply_grants()", 0, NULL, err, errlen) < 0 ||
        cs_pq_commit(s, err, errlen) < 0)
        goto fail;
    cs_pq_exec(s, "SET search_path = chartscan, public", 0, NULL, err, errlen);
    if (out && applied == 0)
        fprintf(out, "database is up to date (schema version %d)\n", latest_version());
    return applied;
fail:
    cs_pq_rollback(s);
    return -1;
}

/*
 * check_privilege.c — least privilege (issue 12, items 1-3), against the
 * real binary and the embedded PostgreSQL of a private home:
 *   files  root never follows a link the postgres account planted in the
 *          cluster's folder (ctl.log, the socket folder) and never hands
 *          the file or folder it points at over to postgres;
 *   roles  the embedded server authenticates by peer, not trust; each
 *          command's role can do its job and no more (the reviewer writes
 *          no roster and makes no table, the worker manages no review
 *          user); `serve` is connected as chartscan_reviewer and refuses a
 *          superuser's connection string; init gives what an older
 *          chartscan made to the owner role; doc/roles.sql makes a shared
 *          server that init and serve work with;
 *   ehr    the leaky-function attack on the ehr views, as the EHR reader:
 *          it cannot make the function, and when a site lets it, the
 *          function still sees only the filed documents' data;
 *   home   (issue 13) a home stopped, moved to another path (with a space
 *          and a quote in it; libpq takes a comma in a host for a list) and
 *          copied again starts there and keeps its data, and the socket
 *          folder an older chartscan wrote into postgresql.conf is taken out
 *          of it.
 * The database is reached as the bootstrap superuser "chartscan" for
 * set-up and checks, and as each role through the same socket (peer
 * authentication maps the test's OS account to every chartscan role).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

static th_env env;

/* ---- helpers ---- */

static PGconn *connect_as(const char *role)
{
    char conninfo[256];
    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=chartscan user=%s", env.home,
             role);
    return th_connect_to(conninfo);
}

/* Run sql; the SQLSTATE of its error ("" when it succeeded). */
static void run_sql(PGconn *c, const char *sql, char state[6])
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);

    state[0] = '\0';
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        snprintf(state, 6, "%s", s ? s : "?????");
    PQclear(r);
}

#define ASSERT_DENIED(conn, sql)                                                           \
    do {                                                                                   \
        char st_[6];                                                                       \
        run_sql((conn), (sql), st_);                                                       \
        ck_assert_msg(!strcmp(st_, "42501"), "%s: expected permission denied (42501), got " \
                      "\"%s\"", (sql), st_);                                               \
    } while (0)

#define ASSERT_ALLOWED(conn, sql)                                                      \
    do {                                                                               \
        char st_[6];                                                                   \
        run_sql((conn), (sql), st_);                                                   \
        ck_assert_msg(st_[0] == '\0', "%s: expected to work, got SQLSTATE %s", (sql), st_); \
    } while (0)

static int free_port(void)
{
    for (int port = 21000 + getpid() % 20000, tries = 0; tries < 100; tries++, port++) {
        struct sockaddr_in sa = {0};
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok)
            return port;
    }
    return -1;
}

/* Start the embedded server of another home; when it did start (as it
 * must not, in the file tests), stop it again so that no server outlives
 * the test. */
static th_result start_other_home(const char *home)
{
    th_result r;

    setenv("CHARTSCAN_HOME", home, 1);
    r = th_chartscan(&env, "db", "start", (char *)NULL);
    if (r.status == 0) {
        th_result stop = th_chartscan(&env, "db", "stop", (char *)NULL);
        th_result_free(&stop);
    }
    setenv("CHARTSCAN_HOME", env.home, 1);
    return r;
}

static int am_root_with_postgres(struct passwd **pg)
{
    *pg = getpwnam("postgres");
    if (geteuid() != 0 || !*pg) {
        fprintf(stderr, "privilege: not root with a postgres account: the file tests do not "
                        "apply and are skipped\n");
        return 0;
    }
    return 1;
}

/* ---- files: item 1 ---- */

START_TEST(test_ctl_log_symlink_is_not_followed)
{
    char home[160], pgdir[200], link[240], target[200], *content;
    struct passwd *pg;
    struct stat st;
    th_result r;

    if (!am_root_with_postgres(&pg))
        return;
    /* a root-owned file; the postgres account points HOME/pg/ctl.log at it */
    snprintf(target, sizeof target, "%s/root-owned.txt", env.dir);
    ck_assert_int_eq(th_sh("printf 'root secret\\n' > '%s' && chmod 0644 '%s'", target, target),
                     0);
    snprintf(home, sizeof home, "%s/h1", env.dir);
    snprintf(pgdir, sizeof pgdir, "%s/pg", home);
    snprintf(link, sizeof link, "%s/ctl.log", pgdir);
    ck_assert_int_eq(mkdir(home, 0755), 0);
    ck_assert_int_eq(mkdir(pgdir, 0700), 0);
    ck_assert_int_eq(chown(pgdir, pg->pw_uid, pg->pw_gid), 0);
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_int_eq(lchown(link, pg->pw_uid, pg->pw_gid), 0);

    r = start_other_home(home);
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_msg(st.st_uid == 0 && st.st_gid == 0, "the link's target now belongs to %u:%u",
                  (unsigned)st.st_uid, (unsigned)st.st_gid);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
    content = th_slurp(target, NULL);
    ck_assert_str_eq(content, "root secret\n");
    free(content);
    /* refused, saying which file and why */
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "ctl.log") && strstr(r.err, "symbolic link"), "%s", r.err);
    th_result_free(&r);

    /* with the link gone, the server starts (and stops) as usual */
    ck_assert_int_eq(unlink(link), 0);
    r = start_other_home(home);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(lstat(link, &st), 0);
    ck_assert(S_ISREG(st.st_mode) && st.st_uid == pg->pw_uid);
}
END_TEST

START_TEST(test_socket_folder_symlink_is_not_chowned)
{
    char home[160], pgdir[200], link[240], target[200];
    struct passwd *pg;
    struct stat st;
    th_result r;

    if (!am_root_with_postgres(&pg))
        return;
    /* a root-owned folder; postgres replaces HOME/pg/run by a link to it */
    snprintf(target, sizeof target, "%s/root-dir", env.dir);
    ck_assert_int_eq(mkdir(target, 0755), 0);
    snprintf(home, sizeof home, "%s/h2", env.dir);
    snprintf(pgdir, sizeof pgdir, "%s/pg", home);
    snprintf(link, sizeof link, "%s/run", pgdir);
    ck_assert_int_eq(mkdir(home, 0755), 0);
    ck_assert_int_eq(mkdir(pgdir, 0700), 0);
    ck_assert_int_eq(chown(pgdir, pg->pw_uid, pg->pw_gid), 0);
    ck_assert_int_eq(symlink(target, link), 0);
    ck_assert_int_eq(lchown(link, pg->pw_uid, pg->pw_gid), 0);

    r = start_other_home(home);
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_msg(st.st_uid == 0 && (st.st_mode & 07777) == 0755,
                  "the link's target now belongs to %u, mode %o", (unsigned)st.st_uid,
                  (unsigned)(st.st_mode & 07777));
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "/pg/run") && strstr(r.err, "refusing"), "%s", r.err);
    th_result_free(&r);
}
END_TEST

/* ---- roles: item 2 ---- */

START_TEST(test_embedded_server_uses_peer_not_trust)
{
    char path[200], *hba;
    struct stat st;
    PGconn *c;
    th_result r;

    snprintf(path, sizeof path, "%s/pg/data/pg_hba.conf", env.home);
    hba = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(hba);
    ck_assert_msg(strstr(hba, "peer map=chartscan"), "pg_hba.conf: %.300s", hba);
    for (char *line = strtok(hba, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(line[0] == '#' || !strstr(line, "trust"), "pg_hba.conf: %s", line);
    free(hba);
    snprintf(path, sizeof path, "%s/pg/run", env.home);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(st.st_mode & 07777, 0700);

    /* a cluster an older chartscan made ("trust") is switched at its next start */
    snprintf(path, sizeof path, "%s/pg/data/pg_hba.conf", env.home);
    ck_assert_int_eq(th_sh("printf 'local all all trust\\n' > '%s'", path), 0);
    r = th_chartscan(&env, "db", "stop", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "db", "start", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    hba = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(hba);
    ck_assert_msg(strstr(hba, "peer map=chartscan") && !strstr(hba, "all trust"),
                  "pg_hba.conf: %.300s", hba);
    free(hba);
    c = th_connect(&env);
    ck_assert_ptr_nonnull(c);
    /* peer for every connection the server takes */
    TH_ASSERT_VALUE(c, "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules"
                       " WHERE error IS NULL", "peer");
    PQfinish(c);
}
END_TEST

START_TEST(test_reviewer_writes_no_roster_and_makes_no_table)
{
    PGconn *c = connect_as("chartscan_reviewer");

    ck_assert_msg(c != NULL, "could not connect as chartscan_reviewer");
    TH_ASSERT_VALUE(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", "f");
    /* what the station does */
    ASSERT_ALLOWED(c, "SELECT count(*) FROM chartscan.patient");
    ASSERT_ALLOWED(c, "SELECT count(*) FROM chartscan.document");
    ASSERT_ALLOWED(c, "INSERT INTO chartscan.login_throttle (key) VALUES ('addr:test')");
    ASSERT_ALLOWED(c, "DELETE FROM chartscan.login_throttle WHERE key = 'addr:test'");
    /* the roster is read-only */
    ASSERT_DENIED(c, "INSERT INTO chartscan.patient (mrn, last_name, first_name)"
                     " VALUES ('X1', 'Evil', 'Eve')");
    ASSERT_DENIED(c, "UPDATE chartscan.patient SET last_name = 'Evil'");
    ASSERT_DENIED(c, "DELETE FROM chartscan.patient");
    ASSERT_DENIED(c, "TRUNCATE chartscan.patient");
    /* no DDL, no temporary objects, no grants machinery */
    ASSERT_DENIED(c, "CREATE TABLE chartscan.evil (i int)");
    ASSERT_DENIED(c, "CREATE TABLE public.evil (i int)");
    ASSERT_DENIED(c, "CREATE TEMP TABLE evil (i int)");
    ASSERT_DENIED(c, "CREATE SCHEMA evil");
    ASSERT_DENIED(c, "CREATE FUNCTION chartscan.evil() RETURNS int LANGUAGE sql AS 'SELECT 1'");
    ASSERT_DENIED(c, "ALTER TABLE chartscan.document ADD COLUMN evil int");
    ASSERT_DENIED(c, "DROP TABLE chartscan.review_session");
    ASSERT_DENIED(c, "UPDATE chartscan.role_grant SET privileges = '{SELECT}'");
    ASSERT_DENIED(c, "SELECT chartscan.apply_grants()");
    /* nor the queue */
    ASSERT_DENIED(c, "UPDATE chartscan.job SET status = 'failed'");
    PQfinish(c);
}
END_TEST

START_TEST(test_worker_manages_no_review_user)
{
    PGconn *c = connect_as("chartscan_worker");

    ck_assert_msg(c != NULL, "could not connect as chartscan_worker");
    TH_ASSERT_VALUE(c, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user", "f");
    ASSERT_ALLOWED(c, "SELECT count(*) FROM chartscan.job");
    ASSERT_ALLOWED(c, "SELECT count(*) FROM chartscan.patient");
    ASSERT_DENIED(c, "INSERT INTO chartscan.review_user (name, role, password_hash)"
                     " VALUES ('mallory', 'admin', 'x')");
    ASSERT_DENIED(c, "UPDATE chartscan.review_user SET role = 'admin'");
    ASSERT_DENIED(c, "UPDATE chartscan.review_user SET disabled = true");
    ASSERT_DENIED(c, "DELETE FROM chartscan.review_user");
    ASSERT_DENIED(c, "SELECT token_hash FROM chartscan.review_session");
    ASSERT_DENIED(c, "INSERT INTO chartscan.review_session (token_hash, user_id, csrf_token,"
                     " expires_at) VALUES ('x', 1, 'y', now())");
    ASSERT_DENIED(c, "INSERT INTO chartscan.patient (mrn, last_name, first_name)"
                     " VALUES ('X2', 'Evil', 'Eve')");
    ASSERT_DENIED(c, "CREATE TABLE chartscan.evil (i int)");
    PQfinish(c);
}
END_TEST

START_TEST(test_serve_connects_as_reviewer)
{
    char listen[32], conninfo[256];
    int port = free_port(), tries;
    PGconn *c = th_connect(&env);
    pid_t pid;
    char *who = NULL;

    ck_assert_ptr_nonnull(c);
    ck_assert_int_gt(port, 0);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    pid = th_chartscan_bg(&env, "serve", "serve", "--listen", listen, (char *)NULL);
    for (tries = 0; tries < 200; tries++) {
        free(who);
        who = th_value(c, "SELECT coalesce(string_agg(DISTINCT a.usename || ':' || r.rolsuper,"
                          " ','), '') FROM pg_stat_activity a JOIN pg_roles r"
                          " ON r.oid = a.usesysid WHERE a.backend_type = 'client backend'"
                          " AND a.datname = 'chartscan' AND a.pid <> pg_backend_pid()");
        if (who && *who)
            break;
        usleep(100 * 1000);
    }
    kill(pid, SIGTERM);
    ck_assert_int_ge(th_wait(pid, 30), 0);
    ck_assert_msg(who && !strcmp(who, "chartscan_reviewer:false"),
                  "serve is connected as \"%s\"", who ? who : "(error)");
    free(who);

    /* handed a superuser's connection string, it refuses to start */
    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=chartscan user=chartscan",
             env.home);
    setenv("CHARTSCAN_DB", conninfo, 1);
    pid = th_chartscan_bg(&env, "serve-super", "serve", "--listen", listen, (char *)NULL);
    unsetenv("CHARTSCAN_DB");
    {
        int status = th_wait(pid, 30);
        char errp[160], *err;
        if (status == -2) {
            kill(pid, SIGTERM);
            th_wait(pid, 30);
        }
        ck_assert_int_eq(status, 1);
        snprintf(errp, sizeof errp, "%s/serve-super.err", env.dir);
        err = th_slurp(errp, NULL);
        ck_assert_msg(err && strstr(err, "superuser") && strstr(err, "CHARTSCAN_DB_REVIEWER"),
                      "%s", err ? err : "");
        free(err);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_init_gives_old_objects_to_the_owner)
{
    PGconn *c = th_connect(&env);
    th_result r;

    ck_assert_ptr_nonnull(c);
    /* as an older chartscan left it: everything the superuser's */
    ASSERT_ALLOWED(c, "ALTER DATABASE chartscan OWNER TO chartscan");
    ASSERT_ALLOWED(c, "CREATE TABLE chartscan.legacy_table (i serial)");
    ASSERT_ALLOWED(c, "ALTER TABLE chartscan.patient OWNER TO chartscan");
    ASSERT_ALLOWED(c, "ALTER VIEW ehr.document OWNER TO chartscan");
    PQfinish(c);
    r = th_chartscan(&env, "init", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    c = th_connect(&env);
    TH_ASSERT_VALUE(c, "SELECT pg_get_userbyid(datdba) FROM pg_database"
                       " WHERE datname = 'chartscan'", "chartscan_owner");
    TH_ASSERT_VALUE(c, "SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',')"
                       " FROM pg_class c WHERE c.relnamespace IN"
                       " ('chartscan'::regnamespace, 'ehr'::regnamespace)", "chartscan_owner");
    ASSERT_ALLOWED(c, "DROP TABLE chartscan.legacy_table");
    PQfinish(c);
    /* and the roles work as before */
    c = connect_as("chartscan_reviewer");
    ck_assert_ptr_nonnull(c);
    ASSERT_ALLOWED(c, "SELECT count(*) FROM chartscan.patient");
    ASSERT_DENIED(c, "DELETE FROM chartscan.patient");
    PQfinish(c);
}
END_TEST

/*
 * A shared server as doc/roles.sql makes it: a database of its own owned
 * by chartscan_owner; init as the owner; serve as the reviewer.
 */
START_TEST(test_shared_server_with_doc_roles)
{
    char script[700], cmd[1200], conninfo[256], reviewer[256], listen[32], *who = NULL;
    int port = free_port();
    PGconn *c;
    pid_t pid;
    th_result r;

    snprintf(script, sizeof script, "%s/doc/roles.sql", env.root);
    ck_assert_msg(access(script, R_OK) == 0, "no %s", script);
    snprintf(cmd, sizeof cmd,
             "PATH=\"${CHARTSCAN_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V |"
             " tail -n 1)}:$PATH\" psql -X -q -v ON_ERROR_STOP=1"
             " -v db=shared_chartscan 'host=%s/pg/run dbname=postgres user=chartscan'"
             " -f '%s' >'%s/roles.out' 2>&1",
             env.home, script, env.dir);
    ck_assert_msg(th_sh("%s", cmd) == 0, "doc/roles.sql failed (see %s/roles.out)", env.dir);
    /* twice: it can be run again */
    ck_assert_msg(th_sh("%s", cmd) == 0, "doc/roles.sql failed again (see %s/roles.out)",
                  env.dir);

    snprintf(conninfo, sizeof conninfo,
             "host=%s/pg/run dbname=shared_chartscan user=chartscan_owner", env.home);
    snprintf(reviewer, sizeof reviewer,
             "host=%s/pg/run dbname=shared_chartscan user=chartscan_reviewer", env.home);
    setenv("CHARTSCAN_DB", conninfo, 1);
    r = th_chartscan(&env, "init", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "applied 011_roles.sql"));
    th_result_free(&r);

    setenv("CHARTSCAN_DB_REVIEWER", reviewer, 1);
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    pid = th_chartscan_bg(&env, "serve-shared", "serve", "--listen", listen, (char *)NULL);
    unsetenv("CHARTSCAN_DB_REVIEWER");
    unsetenv("CHARTSCAN_DB");
    c = th_connect(&env);
    for (int tries = 0; tries < 200; tries++) {
        free(who);
        who = th_value(c, "SELECT coalesce(string_agg(DISTINCT a.usename, ','), '')"
                          " FROM pg_stat_activity a WHERE a.backend_type = 'client backend'"
                          " AND a.datname = 'shared_chartscan'");
        if (who && *who)
            break;
        usleep(100 * 1000);
    }
    kill(pid, SIGTERM);
    ck_assert_int_ge(th_wait(pid, 30), 0);
    ck_assert_msg(who && !strcmp(who, "chartscan_reviewer"), "serve is connected as \"%s\"",
                  who ? who : "(error)");
    free(who);
    /* the shared database is as locked down as the embedded one */
    TH_ASSERT_VALUE(c, "SELECT has_database_privilege('chartscan_ehr_reader',"
                       " 'shared_chartscan', 'TEMPORARY')", "f");
    TH_ASSERT_VALUE(c, "SELECT pg_get_userbyid(datdba) FROM pg_database"
                       " WHERE datname = 'shared_chartscan'", "chartscan_owner");
    PQclear(PQexec(c, "DROP DATABASE shared_chartscan WITH (FORCE)"));
    PQfinish(c);
}
END_TEST

/* ---- ehr: item 3 ---- */

/* What the leaking function reports, collected from the notices. */
static char leaked[8192];

static void collect_notice(void *arg, const PGresult *res)
{
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    size_t used = strlen(leaked);
    (void)arg;
    if (msg && !strncmp(msg, "leak:", 5))
        snprintf(leaked + used, sizeof leaked - used, "%s\n", msg + 5);
}

/*
 * The attack: a function that reports its argument, cheaper than anything,
 * strict (so that the outer join to the roster becomes an inner one) or
 * not, in the WHERE clause over every column that comes from the roster or
 * from documents that are not filed; hash joins forced, so that the roster
 * is scanned whole.  Returns 1 when the function could be made, 0 when
 * refused (42501), and fails the test on anything else.
 */
static int attack(PGconn *c)
{
    static const char *const functions[] = {
        "CREATE FUNCTION pg_temp.leak(text) RETURNS bool LANGUAGE plpgsql COST 0.0000001"
        " AS $$BEGIN RAISE NOTICE 'leak:%', $1; RETURN true; END$$",
        "CREATE FUNCTION pg_temp.leak_strict(text) RETURNS bool LANGUAGE plpgsql STRICT"
        " COST 0.0000001 AS $$BEGIN RAISE NOTICE 'leak:%', $1; RETURN true; END$$",
    };
    static const char *const queries[] = {
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak(patient_mrn)",
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak_strict(patient_mrn)",
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak_strict(patient_last_name)",
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak_strict(patient_birth_date::text)",
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak(document_ref)",
        "SELECT count(*) FROM ehr.document WHERE pg_temp.leak(text)",
        "SELECT count(*) FROM ehr.page WHERE pg_temp.leak(text)",
        "SELECT count(*) FROM ehr.document_correction WHERE pg_temp.leak(document_id::text)",
    };
    char state[6];

    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
        run_sql(c, functions[i], state);
        if (!strcmp(state, "42501"))
            return 0;
        ck_assert_msg(state[0] == '\0', "making the function failed with %s", state);
    }
    ASSERT_ALLOWED(c, "SET enable_nestloop = off");
    ASSERT_ALLOWED(c, "SET enable_mergejoin = off");
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        ASSERT_ALLOWED(c, queries[i]);
    return 1;
}

static void assert_only_filed_data_leaked(void)
{
    static const char *const hidden[] = {"LEAKREV02", "LEAKROS03", "Reviewleak", "Rosterleak",
                                         "1960-02-02", "1970-03-03", "REVIEWPAGETEXT",
                                         "LOOSEPAGETEXT"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        ck_assert_msg(!strstr(leaked, hidden[i]), "the EHR reader saw \"%s\" (of: %.300s)",
                      hidden[i], leaked);
    /* the function did run, on what the reader may see */
    ck_assert_msg(strstr(leaked, "LEAKFIL01") && strstr(leaked, "FILEDPAGETEXT"), "%.300s",
                  leaked);
}

START_TEST(test_ehr_reader_leaky_function)
{
    PGconn *c = th_connect(&env), *reader;
    int made;

    ck_assert_ptr_nonnull(c);
    /* a filed document (patient 1), one in review (patient 2), a page in no
     * document, and a roster patient (3) in no document at all */
    ASSERT_ALLOWED(c,
        "WITH pa AS (INSERT INTO patient (mrn, last_name, first_name, birth_date) VALUES"
        "  ('LEAKFIL01', 'Filedleak', 'Fay', '1950-01-01'),"
        "  ('LEAKREV02', 'Reviewleak', 'Ray', '1960-02-02'),"
        "  ('LEAKROS03', 'Rosterleak', 'Ross', '1970-03-03') RETURNING id, mrn),"
        " b AS (INSERT INTO batch (name, sha256, size_bytes, chunk_bytes)"
        "  VALUES ('leak.zip', 'leak-test', 1, 1) RETURNING id),"
        " f AS (INSERT INTO source_file (batch_id, entry_index, path, status, page_count)"
        "  SELECT id, 0, 'leak.tif', 'pages', 3 FROM b RETURNING id, batch_id),"
        " d AS (INSERT INTO document (batch_id, file_id, first_page, last_page, page_count,"
        "                             status, patient_id, filed_at)"
        "  SELECT f.batch_id, f.id, x.pg, x.pg, 1, x.st, (SELECT id FROM pa WHERE mrn = x.mrn),"
        "         CASE WHEN x.st = 'filed' THEN now() END"
        "    FROM f, (VALUES (1, 'filed', 'LEAKFIL01'), (2, 'review', 'LEAKREV02'))"
        "            x(pg, st, mrn) RETURNING id, first_page)"
        " INSERT INTO page (file_id, page_no, status, text, document_id)"
        " SELECT f.id, x.pg, 'done', x.t, (SELECT d.id FROM d WHERE d.first_page = x.pg)"
        "   FROM f, (VALUES (1, 'FILEDPAGETEXT'), (2, 'REVIEWPAGETEXT'), (3, 'LOOSEPAGETEXT'))"
        "           x(pg, t)");
    ASSERT_ALLOWED(c, "ANALYZE");

    /* as the EHR gets it: no temporary function at all */
    reader = connect_as("chartscan_ehr_reader");
    ck_assert_ptr_nonnull(reader);
    leaked[0] = '\0';
    PQsetNoticeReceiver(reader, collect_notice, NULL);
    made = attack(reader);
    if (made)
        assert_only_filed_data_leaked();
    PQfinish(reader);
    ck_assert_msg(!made, "the EHR reader could make a temporary function");

    /* a site that gives the reader TEMPORARY: the views still filter first */
    ASSERT_ALLOWED(c, "GRANT TEMPORARY ON DATABASE chartscan TO chartscan_ehr_reader");
    reader = connect_as("chartscan_ehr_reader");
    ck_assert_ptr_nonnull(reader);
    leaked[0] = '\0';
    PQsetNoticeReceiver(reader, collect_notice, NULL);
    made = attack(reader);
    PQfinish(reader);
    ASSERT_ALLOWED(c, "REVOKE TEMPORARY ON DATABASE chartscan FROM chartscan_ehr_reader");
    ck_assert(made);
    assert_only_filed_data_leaked();
    /* nor may it write its function anywhere else */
    reader = connect_as("chartscan_ehr_reader");
    ASSERT_DENIED(reader, "CREATE FUNCTION public.leak(text) RETURNS bool LANGUAGE sql"
                          " AS 'SELECT true'");
    ASSERT_DENIED(reader, "SELECT count(*) FROM chartscan.patient");
    PQfinish(reader);
    PQfinish(c);
}
END_TEST

/* ---- home: item 1 of issue 13 ---- */

/* Connect to the embedded server of home as the bootstrap superuser. */
static PGconn *connect_home(const char *home)
{
    char conninfo[512], host[300];
    size_t o = 0;

    for (const char *p = home; *p && o + 2 < sizeof host; p++) {
        if (*p == '\'' || *p == '\\')
            host[o++] = '\\';
        host[o++] = *p;
    }
    host[o] = '\0';
    snprintf(conninfo, sizeof conninfo, "host='%s/pg/run' dbname=chartscan user=chartscan", host);
    return th_connect_to(conninfo);
}

/* SELECT v FROM the marker table of home, malloc'd; NULL when it cannot. */
static char *marker_of(const char *home)
{
    PGconn *c = connect_home(home);
    char *v = c ? th_value(c, "SELECT v FROM public.moved_marker") : NULL;
    PQfinish(c);
    return v;
}

/* Run chartscan with CHARTSCAN_HOME set to home. */
static th_result in_home(const char *home, const char *command, const char *argument)
{
    th_result r;
    setenv("CHARTSCAN_HOME", home, 1);
    r = th_chartscan(&env, command, argument, (char *)NULL);
    setenv("CHARTSCAN_HOME", env.home, 1);
    return r;
}

/* 1 when some line of text sets unix_socket_directories (not a comment). */
static int sets_socket_folder(const char *text)
{
    for (const char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        const char *p = line + strspn(line, " \t");
        if (!strncasecmp(p, "unix_socket_directories", 23) && p[23] && strchr(" \t=", p[23]))
            return 1;
    }
    return 0;
}

/*
 * A home made, stopped, moved to another path and started there; then
 * copied (cp -a) to a third path and started there too.  Its cluster's
 * postgresql.conf is given the line an older chartscan wrote (the socket
 * folder of the first path), which the start must take out.  Servers are
 * stopped before anything is asserted, so that none outlives a failure.
 */
START_TEST(test_moved_home_starts)
{
    char home[128], moved[128], copy[128], conf[256], line[300];
    char *made = NULL, *after_move = NULL, *after_copy = NULL, *conf_text = NULL;
    th_result init, start_moved, init_moved, start_copy, stop;
    PGconn *c;
    FILE *fp;

    snprintf(home, sizeof home, "%s/first", env.dir);
    snprintf(moved, sizeof moved, "%s/moved home of o'brien", env.dir);
    snprintf(copy, sizeof copy, "%s/copy", env.dir);

    init = in_home(home, "init", NULL);
    c = connect_home(home);
    if (c)
        PQclear(PQexec(c, "CREATE TABLE public.moved_marker AS SELECT 42 AS v"));
    PQfinish(c);
    made = marker_of(home);
    stop = in_home(home, "db", "stop");
    th_result_free(&stop);
    /* what an older chartscan appended to the cluster's configuration */
    snprintf(conf, sizeof conf, "%s/pg/data/postgresql.conf", home);
    snprintf(line, sizeof line, "unix_socket_directories = '%s/pg/run'\n", home);
    fp = fopen(conf, "a");
    ck_assert_ptr_nonnull(fp);
    fputs(line, fp);
    ck_assert_int_eq(fclose(fp), 0);

    ck_assert_int_eq(rename(home, moved), 0);
    start_moved = in_home(moved, "db", "start");
    after_move = marker_of(moved);
    init_moved = in_home(moved, "init", NULL);   /* chartscan's own connections */
    snprintf(conf, sizeof conf, "%s/pg/data/postgresql.conf", moved);
    conf_text = th_slurp(conf, NULL);
    stop = in_home(moved, "db", "stop");
    th_result_free(&stop);

    ck_assert_int_eq(th_sh("cp -a \"%s\" '%s'", moved, copy), 0);
    start_copy = in_home(copy, "db", "start");
    after_copy = marker_of(copy);
    stop = in_home(copy, "db", "stop");
    th_result_free(&stop);

    ck_assert_msg(init.status == 0, "init: %s", init.err);
    ck_assert_str_eq(made ? made : "(none)", "42");
    ck_assert_msg(start_moved.status == 0, "start after the move: %s", start_moved.err);
    ck_assert_str_eq(after_move ? after_move : "(none)", "42");
    ck_assert_msg(init_moved.status == 0, "init after the move: %s", init_moved.err);
    ck_assert_ptr_nonnull(conf_text);
    ck_assert_msg(!sets_socket_folder(conf_text), "postgresql.conf still names a socket folder");
    ck_assert_ptr_nonnull(strstr(conf_text, "# unix_socket_directories: given by chartscan"));
    ck_assert_ptr_nonnull(strstr(conf_text, "listen_addresses = ''"));
    ck_assert_ptr_nonnull(strstr(conf_text, "unix_socket_permissions = 0700"));
    ck_assert_msg(start_copy.status == 0, "start of the copy: %s", start_copy.err);
    ck_assert_str_eq(after_copy ? after_copy : "(none)", "42");
    th_result_free(&init);
    th_result_free(&start_moved);
    th_result_free(&init_moved);
    th_result_free(&start_copy);
    free(made);
    free(after_move);
    free(after_copy);
    free(conf_text);
}
END_TEST

static Suite *privilege_suite(void)
{
    Suite *s = suite_create("privilege");
    TCase *files = tcase_create("files");
    TCase *roles = tcase_create("roles");
    TCase *ehr = tcase_create("ehr");
    TCase *home = tcase_create("home");

    tcase_set_timeout(files, 120);
    tcase_set_timeout(roles, 180);
    tcase_set_timeout(ehr, 60);
    tcase_add_test(files, test_ctl_log_symlink_is_not_followed);
    tcase_add_test(files, test_socket_folder_symlink_is_not_chowned);
    tcase_add_test(roles, test_embedded_server_uses_peer_not_trust);
    tcase_add_test(roles, test_reviewer_writes_no_roster_and_makes_no_table);
    tcase_add_test(roles, test_worker_manages_no_review_user);
    tcase_add_test(roles, test_serve_connects_as_reviewer);
    tcase_add_test(roles, test_init_gives_old_objects_to_the_owner);
    tcase_add_test(roles, test_shared_server_with_doc_roles);
    tcase_add_test(ehr, test_ehr_reader_leaky_function);
    tcase_set_timeout(home, 180);
    tcase_add_test(home, test_moved_home_starts);
    suite_add_tcase(s, files);
    suite_add_tcase(s, roles);
    suite_add_tcase(s, ehr);
    suite_add_tcase(s, home);
    return s;
}

int main(void)
{
    SRunner *sr;
    th_result r;
    int failed;

    th_setup(&env, "priv");
    r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "init failed: %s\n", r.err);
        th_result_free(&r);
        th_teardown(&env);
        return EXIT_FAILURE;
    }
    th_result_free(&r);
    sr = srunner_create(privilege_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

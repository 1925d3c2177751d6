/*
 * harness.c — support for the integration tests (see harness.h).
 */
#include "tests/harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

extern char **environ;

static void die(const char *what)
{
    fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
    exit(2);
}

void th_setup(th_env *e, const char *tag)
{
    const char *root = getenv("CHARTSCAN_ROOT");

    memset(e, 0, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/cs-%s-XXXXXX", tag);
    if (!mkdtemp(e->dir))
        die("mkdtemp");
    /* the database owner (postgres, when we are root) must reach the home */
    chmod(e->dir, 0755);
    snprintf(e->home, sizeof e->home, "%s/home", e->dir);
    if (root && *root)
        snprintf(e->root, sizeof e->root, "%s", root);
    else if (!getcwd(e->root, sizeof e->root))
        die("getcwd");
    snprintf(e->bin, sizeof e->bin, "%s/chartscan", e->root);
    if (access(e->bin, X_OK) != 0)
        die("the chartscan binary is not built (run make)");
    setenv("CHARTSCAN_HOME", e->home, 1);
    setenv("CHARTSCAN_PG_NOSYNC", "1", 1);
    unsetenv("CHARTSCAN_DB");
}

void th_setup_processed_sample(th_env *e, const char *tag, int seed, int files)
{
    static const char *const steps[][3] = {{"init", NULL, NULL},
                                           {"patients", "import", "roster.csv"},
                                           {"train", "train.csv", NULL},
                                           {"submit", "batch.zip", NULL}};
    char path[PATH_MAX];
    th_result r;

    th_setup(e, tag);
    snprintf(path, sizeof path, "%s/sample", e->dir);
    if (th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed %d --files %d >/dev/null",
              e->root, path, seed, files) != 0) {
        fprintf(stderr, "could not generate the sample batch\n");
        exit(2);
    }
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char file[PATH_MAX];
        const char *last = steps[i][2] ? steps[i][2] : steps[i][1];
        if (last)
            snprintf(file, sizeof file, "%s/sample/%s", e->dir, last);
        if (!steps[i][1])
            r = th_chartscan(e, steps[i][0], (char *)NULL);
        else if (!steps[i][2])
            r = th_chartscan(e, steps[i][0], file, (char *)NULL);
        else
            r = th_chartscan(e, steps[i][0], steps[i][1], file, (char *)NULL);
        if (r.status != 0) {
            fprintf(stderr, "chartscan %s: %s\n", steps[i][0], r.err);
            exit(2);
        }
        th_result_free(&r);
    }
    r = th_chartscan(e, "work", "-j", "2", "--until-idle", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "chartscan work: %s\n", r.err);
        exit(2);
    }
    th_result_free(&r);
}

/* The ACK to msg (MLLP frame removed) for code, or nothing for '-'; "CODE TXA-12" to log. */
static void mllp_answer(int conn, char *msg, char code, const char *reject_tail, FILE *log)
{
    char ctrl[64] = "", txa12[64] = "", reply[2048];
    const char *p = msg, *seg;

    for (int f = 0; f < 9 && p; f++)   /* MSH-10 */
        p = strchr(p + 1, '|');
    if (p)
        sscanf(p + 1, "%63[^|]", ctrl);
    if ((seg = strstr(msg, "\rTXA|")) != NULL) {
        p = seg + 1;
        for (int f = 0; f < 12 && p; f++)
            p = strchr(p + 1, '|');
        if (p)
            sscanf(p + 1, "%63[^|^]", txa12);
    }
    if (log) {
        fprintf(log, "%c %s\n", code, txa12);
        fflush(log);
    }
    if (code == '-')
        return;
    snprintf(reply, sizeof reply,
             "\x0bMSH|^~\\&|ENGINE||CHARTSCAN||20240101000000||ACK^T02^ACK|A1|P|2.5\r"
             "MSA|A%c|%s%s\x1c\r", code, ctrl,
             code == 'A' ? "|\r" : reject_tail ? reject_tail : "|unknown patient\r");
    if (write(conn, reply, strlen(reply)) < 0)
        _exit(1);
}

pid_t th_mllp_listener(int *port, const char *script, const char *reject_tail,
                       const char *log_path)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    pid_t pid;

    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    *port = ntohs(a.sin_port);
    fflush(NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        static char msg[8 << 20];
        size_t len = 0, last = strlen(script) - 1;
        int conn, k = 0, in = 0;
        FILE *log = log_path ? fopen(log_path, "a") : NULL;
        alarm(60);
        conn = accept(fd, NULL, NULL);
        if (conn < 0 || (log_path && !log))
            _exit(1);
        for (;;) {
            char buf[65536];
            ssize_t n = read(conn, buf, sizeof buf);
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n; i++) {
                if (buf[i] == 0x0b) {
                    in = 1;
                    len = 0;
                } else if (buf[i] == 0x1c && in) {
                    in = 0;
                    msg[len] = '\0';
                    mllp_answer(conn, msg, script[(size_t)k < last ? (size_t)k : last],
                                reject_tail, log);
                    k++;
                } else if (in && len < sizeof msg - 1) {
                    msg[len++] = buf[i];
                }
            }
        }
        if (log)
            fclose(log);
        _exit(0);
    }
    close(fd);
    return pid;
}

int th_http(int port, const char *method, const char *path, const char *headers,
            const char *body, char **text)
{
    struct sockaddr_in sa;
    struct timeval tv = {10, 0};
    cs_buf req = CS_BUF_INIT, resp = CS_BUF_INIT;
    char buf[8192];
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
    ssize_t n;

    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cs_buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s",
                  method, path, port, headers ? headers : "");
    if (body)
        cs_buf_printf(&req, "Content-Type: application/x-www-form-urlencoded\r\n"
                            "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    else
        cs_buf_puts(&req, "\r\n");
    ck_assert(!cs_buf_failed(&req));
    ck_assert_int_eq(send(fd, req.data, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        cs_buf_append(&resp, buf, (size_t)n);
    close(fd);
    cs_buf_free(&req);
    ck_assert(!cs_buf_failed(&resp));
    if (resp.data)
        sscanf(resp.data, "HTTP/1.1 %d", &status);
    if (text)
        *text = resp.data ? strdup(resp.data) : strdup("");
    cs_buf_free(&resp);
    return status;
}

void th_teardown(th_env *e)
{
    th_result r = th_chartscan(e, "db", "stop", (char *)NULL);
    if (r.status != 0)
        fprintf(stderr, "harness: could not stop the test database: %s\n", r.err);
    th_result_free(&r);
    if (!getenv("TH_KEEP"))
        th_sh("rm -rf '%s'", e->dir);
    else
        fprintf(stderr, "harness: kept %s\n", e->dir);
}

pid_t th_spawn_bg(const th_env *e, const char *name, char *const argv[])
{
    char outp[160], errp[160];
    posix_spawn_file_actions_t fa;
    pid_t pid;

    snprintf(outp, sizeof outp, "%s/%s.out", e->dir, name);
    snprintf(errp, sizeof errp, "%s/%s.err", e->dir, name);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

pid_t th_chartscan_bg(const th_env *e, const char *name, ...)
{
    char *argv[64];
    va_list ap;
    int n = 0;

    argv[n++] = (char *)e->bin;
    va_start(ap, name);
    while (n < 63 && (argv[n] = va_arg(ap, char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    return th_spawn_bg(e, name, argv);
}

int th_wait(pid_t pid, int timeout_s)
{
    for (int i = 0; i < timeout_s * 10; i++) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (r < 0 && errno != EINTR)
            return -1;
        usleep(100 * 1000);
    }
    return -2;
}

th_result th_chartscan(const th_env *e, ...)
{
    th_result r = {-1, NULL, NULL};
    char *argv[64], outp[128], errp[128];
    posix_spawn_file_actions_t fa;
    va_list ap;
    pid_t pid;
    int n = 0, status;

    argv[n++] = (char *)e->bin;
    va_start(ap, e);
    while (n < 63 && (argv[n] = va_arg(ap, char *)) != NULL)
        n++;
    va_end(ap);
    argv[n] = NULL;
    snprintf(outp, sizeof outp, "%s/last.out", e->dir);
    snprintf(errp, sizeof errp, "%s/last.err", e->dir);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid, e->bin, &fa, NULL, argv, environ) != 0)
        die("posix_spawn");
    posix_spawn_file_actions_destroy(&fa);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = th_slurp(outp, NULL);
    r.err = th_slurp(errp, NULL);
    if (!r.out)
        r.out = strdup("");
    if (!r.err)
        r.err = strdup("");
    return r;
}

th_result th_run(const char *const argv[])
{
    th_result r = {-1, NULL, NULL};
    size_t len = 0, cap = 4096;
    int fds[2], status;
    ssize_t got;
    pid_t pid;

    if (pipe(fds) != 0 || !(r.out = malloc(cap)))
        die("pipe");
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    while ((got = read(fds[0], r.out + len, cap - len - 1)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        len += (size_t)got;
        if (cap - len < 2 && !(r.out = realloc(r.out, cap *= 2)))
            die("realloc");
    }
    close(fds[0]);
    r.out[len] = '\0';
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = strdup("");
    return r;
}

void th_result_free(th_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int th_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    fflush(NULL);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *th_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!fp)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else if (buf) {
            buf[n] = '\0';
            if (len)
                *len = (size_t)n;
        }
    }
    fclose(fp);
    return buf;
}

PGconn *th_connect(const th_env *e)
{
    char conninfo[256];
    snprintf(conninfo, sizeof conninfo, "host=%s/pg/run dbname=chartscan user=chartscan",
             e->home);
    return th_connect_to(conninfo);
}

PGconn *th_connect_to(const char *conninfo)
{
    PGconn *c;
    PGresult *r;

    c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: %s", PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    r = PQexec(c, "SET search_path = chartscan, public");
    PQclear(r);
    return c;
}

long th_load_jsonl(PGconn *c, const char *table, const char *path)
{
    char sql[256], *data = th_slurp(path, NULL), *line, *save = NULL;
    long n = 0;
    PGresult *r;

    if (!data)
        return -1;
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s (n integer, j jsonb)", table);
    r = PQexec(c, sql);
    PQclear(r);
    snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ($1, $2::jsonb)", table);
    for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char nbuf[24];
        const char *p[2] = {nbuf, line};
        snprintf(nbuf, sizeof nbuf, "%ld", ++n);
        r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "harness: %s line %ld is not valid JSON: %s", path, n,
                    PQresultErrorMessage(r));
            PQclear(r);
            free(data);
            return -1;
        }
        PQclear(r);
    }
    free(data);
    return n;
}

char *th_value(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    char *v = NULL;

    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) < 1) {
        fprintf(stderr, "harness: query failed or gave %d rows: %s\n  %s\n",
                PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : -1,
                PQresultErrorMessage(r), sql);
    } else {
        v = strdup(PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return v;
}

long th_long(PGconn *c, const char *sql)
{
    char *v = th_value(c, sql);
    long n = v && *v ? strtol(v, NULL, 10) : LONG_MIN;
    free(v);
    return n;
}

void th_sample_archive(const th_env *e, int seed, int files, char *zip, size_t ziplen)
{
    char dir[160];
    snprintf(dir, sizeof dir, "%s/s%d", e->dir, seed);
    ck_assert_int_eq(th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed %d --files %d"
                           " >/dev/null", e->root, dir, seed, files), 0);
    snprintf(zip, ziplen, "%s/batch-%d.zip", dir, seed);
    ck_assert_int_eq(th_sh("mv '%s/batch.zip' '%s'", dir, zip), 0);
}

long long th_submit(const th_env *e, const char *zip)
{
    th_result r = th_chartscan(e, "submit", zip, (char *)NULL);
    long long id;
    ck_assert_msg(r.status == 0, "submit: %s", r.err);
    id = atoll(r.out);
    th_result_free(&r);
    ck_assert_int_gt(id, 0);
    return id;
}

void th_wait_for(PGconn *c, const char *sql, int timeout_s)
{
    for (int i = 0; i < timeout_s * 5; i++) {
        char *v = th_value(c, sql);
        int ok = v && !strcmp(v, "t");
        free(v);
        if (ok)
            return;
        usleep(200 * 1000);
    }
    ck_abort_msg("timed out waiting for: %s", sql);
}

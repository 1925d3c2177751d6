/*
 * server.c — the embedded PostgreSQL server: a private cluster under
 * $CHARTSCAN_HOME/pg, created with initdb and run with pg_ctl, listening
 * only on a Unix socket inside that folder.
 *
 * Layout:
 *   HOME/pg/data      the cluster (PGDATA)
 *   HOME/pg/run       the socket folder (mode 0700)
 *   HOME/pg/server.log
 *   HOME/pg.lock      serialises creation and start between processes
 *
 * Notes:
 *   1. PostgreSQL refuses to run as root.  When we are root, the cluster
 *      belongs to the unprivileged "postgres" account (created by Debian's
 *      postgresql package), and initdb / pg_ctl run as that user.  Root can
 *      still connect through the 0700 socket folder; nobody else can.
 *   2. The server is started in its own session with stdio on /dev/null, so
 *      that it outlives the command, ignores the terminal's Ctrl-C, and does
 *      not hold the pipes of whatever ran us (make, a test harness) open.
 *   3. Authentication is "trust" on the socket only; the folder's
 *      permissions are the access control.
 */
#include "pipeline/pipeline_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

#define PG_OWNER_WHEN_ROOT "postgres"

/* Find the folder holding initdb and pg_ctl: CHARTSCAN_PG_BINDIR, else the
 * newest /usr/lib/postgresql/N/bin, else rely on PATH (empty string). */
static void pg_bindir(char *out, size_t outlen)
{
    const char *env = getenv("CHARTSCAN_PG_BINDIR");
    DIR *d;
    struct dirent *de;
    int best = -1;

    out[0] = '\0';
    if (env && *env) {
        snprintf(out, outlen, "%s", env);
        return;
    }
    d = opendir("/usr/lib/postgresql");
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char probe[PATH_MAX];
        int v = atoi(de->d_name);
        if (v <= best)
            continue;
        snprintf(probe, sizeof probe, "/usr/lib/postgresql/%s/bin/initdb", de->d_name);
        if (access(probe, X_OK) == 0) {
            best = v;
            snprintf(out, outlen, "/usr/lib/postgresql/%s/bin", de->d_name);
        }
    }
    closedir(d);
}

/* The account the cluster runs as: ourselves, or "postgres" when root. */
static int pg_owner(uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
    struct passwd *pw;

    if (geteuid() != 0) {
        *uid = geteuid();
        *gid = getegid();
        return 0;
    }
    pw = getpwnam(PG_OWNER_WHEN_ROOT);
    if (!pw)
        return cs_fail(err, errlen,
                       "running as root, and there is no \"%s\" account to own the embedded "
                       "database (install the postgresql package, or run as another user)",
                       PG_OWNER_WHEN_ROOT);
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

/*
 * Run a PostgreSQL program as the cluster owner and wait for it.  stdout
 * and stderr go to logpath (appended).  Returns the exit status, or -1.
 */
static int run_pg_program(const char *home, const char *prog, char *const args[],
                          const char *logpath, char *err, size_t errlen)
{
    char bindir[PATH_MAX], path[PATH_MAX + 32];
    char *argv[32];
    uid_t uid;
    gid_t gid;
    pid_t pid;
    int status, n = 0;

    if (pg_owner(&uid, &gid, err, errlen) < 0)
        return -1;
    pg_bindir(bindir, sizeof bindir);
    if (bindir[0])
        snprintf(path, sizeof path, "%s/%s", bindir, prog);
    else
        snprintf(path, sizeof path, "%s", prog);
    argv[n++] = (char *)prog;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    pid = fork();
    if (pid < 0)
        return cs_fail(err, errlen, "could not fork: %s", strerror(errno));
    if (pid == 0) {
        int fd = open("/dev/null", O_RDWR);
        int logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        setsid();
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(logfd >= 0 ? logfd : fd, 1);
            dup2(logfd >= 0 ? logfd : fd, 2);
        }
        if (logfd >= 0 && geteuid() == 0 && fchown(logfd, uid, gid) < 0)
            _exit(126);
        if (geteuid() == 0) {
            if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
                _exit(126);
        }
        if (chdir(home) < 0)
            _exit(126);
        if (strchr(path, '/'))
            execv(path, argv);
        else
            execvp(path, argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return cs_fail(err, errlen, "could not wait for %s: %s", prog, strerror(errno));
    }
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 127)
            return cs_fail(err, errlen, "could not run %s: not found (install postgresql, or set "
                           "CHARTSCAN_PG_BINDIR)", prog);
        if (WEXITSTATUS(status) == 126)
            return cs_fail(err, errlen, "could not run %s as the database owner", prog);
        return WEXITSTATUS(status);
    }
    return cs_fail(err, errlen, "%s was killed by signal %d", prog, WTERMSIG(status));
}

static int make_dir(const char *path, mode_t mode, int chown_to_owner, char *err, size_t errlen)
{
    uid_t uid;
    gid_t gid;

    if (mkdir(path, mode) < 0 && errno != EEXIST)
        return cs_fail(err, errlen, "could not create directory \"%s\": %s", path, strerror(errno));
    if (chown_to_owner && geteuid() == 0) {
        if (pg_owner(&uid, &gid, err, errlen) < 0)
            return -1;
        if (chown(path, uid, gid) < 0)
            return cs_fail(err, errlen, "could not give \"%s\" to the database owner: %s", path,
                           strerror(errno));
    }
    return 0;
}

/* mkdir -p for the home folder itself (owned by us). */
static int make_home(const char *home, char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    size_t len = strlen(home);

    if (len >= sizeof tmp)
        return cs_fail(err, errlen, "home folder name is too long");
    memcpy(tmp, home, len + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
                return cs_fail(err, errlen, "could not create directory \"%s\": %s", tmp,
                               strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return cs_fail(err, errlen, "could not create directory \"%s\": %s", tmp, strerror(errno));
    return 0;
}

static int lock_home(const char *home, char *err, size_t errlen)
{
    char path[PATH_MAX];
    int fd;

    snprintf(path, sizeof path, "%s/pg.lock", home);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return cs_fail(err, errlen, "could not open \"%s\": %s", path, strerror(errno));
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            close(fd);
            return cs_fail(err, errlen, "could not lock \"%s\": %s", path, strerror(errno));
        }
    }
    return fd;
}

void cs_server_conninfo(const char *home, const char *dbname, char *out, size_t outlen)
{
    snprintf(out, outlen, "host=%s/pg/run dbname=%s user=chartscan connect_timeout=10", home,
             dbname);
}

static int cluster_exists(const char *home)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/pg/data/PG_VERSION", home);
    return access(path, F_OK) == 0;
}

static int create_cluster(const char *home, char *err, size_t errlen)
{
    char pgdir[PATH_MAX], data[PATH_MAX], run[PATH_MAX], logpath[PATH_MAX], conf[PATH_MAX];
    char *initdb_args[] = {"-D", data, "-U", "chartscan", "--auth=trust", "-E", "UTF8",
                           "--no-locale", "--no-sync", NULL};
    FILE *fp;
    int rc;

    snprintf(pgdir, sizeof pgdir, "%s/pg", home);
    snprintf(data, sizeof data, "%s/pg/data", home);
    snprintf(run, sizeof run, "%s/pg/run", home);
    snprintf(logpath, sizeof logpath, "%s/pg/server.log", home);
    if (make_dir(pgdir, 0700, 1, err, errlen) < 0 || make_dir(run, 0700, 1, err, errlen) < 0)
        return -1;
    cs_log(CS_LOG_INFO, "creating the embedded database cluster");
    rc = run_pg_program(pgdir, "initdb", initdb_args, logpath, err, errlen);
    if (rc < 0)
        return -1;
    if (rc != 0)
        return cs_fail(err, errlen, "initdb failed with status %d (see \"%s\")", rc, logpath);

    /* Our settings go to a file of their own, included from postgresql.conf. */
    snprintf(conf, sizeof conf, "%s/postgresql.conf", data);
    fp = fopen(conf, "a");
    if (!fp)
        return cs_fail(err, errlen, "could not open \"%s\": %s", conf, strerror(errno));
    fprintf(fp, "\n# chartscan: socket only, inside the home folder\n"
                "listen_addresses = ''\n"
                "unix_socket_directories = '%s'\n"
                "unix_socket_permissions = 0700\n"
                "max_connections = 200\n"
                "shared_buffers = 128MB\n"
                "max_wal_size = 2GB\n"
                "log_min_messages = warning\n",
            run);
    if (getenv("CHARTSCAN_PG_NOSYNC"))
        fprintf(fp, "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
    if (fclose(fp) != 0)
        return cs_fail(err, errlen, "could not write \"%s\": %s", conf, strerror(errno));
    return 0;
}

static int server_running(const char *home, char *err, size_t errlen)
{
    char data[PATH_MAX], logpath[PATH_MAX];
    char *args[] = {"status", "-D", data, NULL};
    int rc;

    snprintf(data, sizeof data, "%s/pg/data", home);
    snprintf(logpath, sizeof logpath, "%s/pg/ctl.log", home);
    rc = run_pg_program(home, "pg_ctl", args, logpath, err, errlen);
    if (rc < 0)
        return -1;
    return rc == 0;
}

int cs_server_status(const char *home, int *exists, int *running, char *err, size_t errlen)
{
    int r;

    *exists = cluster_exists(home);
    *running = 0;
    if (!*exists)
        return 0;
    r = server_running(home, err, errlen);
    if (r < 0)
        return -1;
    *running = r;
    return 0;
}

int cs_server_start(const char *home, char *err, size_t errlen)
{
    char data[PATH_MAX], logpath[PATH_MAX], ctllog[PATH_MAX];
    char *args[] = {"start", "-w", "-t", "120", "-D", data, "-l", logpath, NULL};
    int lockfd = -1, rc = -1, r;

    if (make_home(home, err, errlen) < 0)
        return -1;
    lockfd = lock_home(home, err, errlen);
    if (lockfd < 0)
        return -1;
    if (!cluster_exists(home) && create_cluster(home, err, errlen) < 0)
        goto out;
    r = server_running(home, err, errlen);
    if (r < 0)
        goto out;
    if (r == 0) {
        snprintf(data, sizeof data, "%s/pg/data", home);
        snprintf(logpath, sizeof logpath, "%s/pg/server.log", home);
        snprintf(ctllog, sizeof ctllog, "%s/pg/ctl.log", home);
        cs_log(CS_LOG_INFO, "starting the embedded database server");
        r = run_pg_program(home, "pg_ctl", args, ctllog, err, errlen);
        if (r < 0)
            goto out;
        if (r != 0) {
            cs_fail(err, errlen, "could not start the embedded database server (see \"%s\")",
                    logpath);
            goto out;
        }
    }
    rc = 0;
out:
    if (lockfd >= 0)
        close(lockfd);
    return rc;
}

int cs_server_stop(const char *home, char *err, size_t errlen)
{
    char data[PATH_MAX], ctllog[PATH_MAX];
    char *args[] = {"stop", "-w", "-t", "60", "-m", "fast", "-D", data, NULL};
    int lockfd, rc = -1, r;

    if (!cluster_exists(home))
        return 0;
    lockfd = lock_home(home, err, errlen);
    if (lockfd < 0)
        return -1;
    r = server_running(home, err, errlen);
    if (r < 0)
        goto out;
    if (r == 1) {
        snprintf(data, sizeof data, "%s/pg/data", home);
        snprintf(ctllog, sizeof ctllog, "%s/pg/ctl.log", home);
        r = run_pg_program(home, "pg_ctl", args, ctllog, err, errlen);
        if (r < 0)
            goto out;
        if (r != 0) {
            cs_fail(err, errlen, "could not stop the embedded database server (see \"%s\")", ctllog);
            goto out;
        }
    }
    rc = 0;
out:
    close(lockfd);
    return rc;
}

/*
 * cluster.c — the embedded PostgreSQL server: a private cluster under
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
 *   3. Authentication is "peer" on the socket only, with the user map
 *      "chartscan" in pg_ident.conf: the cluster owner and root may connect
 *      as the bootstrap superuser "chartscan" and as chartscan's roles
 *      (owner, worker, reviewer, EHR reader; see store.c), nobody else as
 *      anything.  The socket folder (0700) keeps everyone else out too.
 *      A cluster made by an older chartscan ("trust") is switched over when
 *      it is next started; pg_hba.conf is left alone once it carries
 *      chartscan's marker line, so a site may add lines of its own.
 *   4. Root never writes, chowns or chmods a path the postgres account
 *      could have replaced.  Everything inside HOME/pg (logs, postgresql.conf,
 *      pg_hba.conf) is opened by a child that has become the cluster owner
 *      first (cs_owner_run, in cluster_owner.c), without following symbolic
 *      links and only when it is a regular file; folders are opened with
 *      O_NOFOLLOW and checked through the descriptor, and only a folder
 *      mkdir has just made is given to the owner (fchown on that descriptor).
 *   5. No path is written into the cluster, so that a home copied, moved or
 *      restored to another path starts there: the socket folder is given on
 *      the server's command line at each start (pg_ctl -o "-c
 *      unix_socket_directories=..."), which wins over any configuration
 *      file.  A cluster made by an older chartscan has the folder of its
 *      first home in postgresql.conf: that line is replaced by a comment at
 *      the next start (forget_socket_setting), so that nobody reading the
 *      file is misled, nor a pg_ctl run by hand sent to a folder that moved.
 */
#include "pipeline/pipeline_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/store/cluster_owner.h"

/* ---- files of the cluster, written as its owner ---- */

#define AUTH_MARKER "# chartscan: peer authentication"

typedef struct write_job {
    const char *path;
    const char *text;
    int append;              /* 1: append; 0: replace */
    /* replace only when path does not hold AUTH_MARKER (pg_hba.conf) */
    int unless_marked;
    const char *also_path;   /* written first, replaced, when path is (pg_ident.conf) */
    const char *also_text;
} write_job;

/* A copy of a file the child reads (pg_hba.conf, postgresql.conf): static,
 * since the child runs between fork and exit and allocates nothing. */
static char read_buf[256 * 1024];

static int run_write_job(void *arg, int *errnum)
{
    const write_job *j = arg;
    int fd, step;

    if (j->unless_marked) {
        ssize_t n, len = 0;
        step = cs_owner_open_file(j->path, O_RDONLY, &fd, errnum);
        if (step != CHILD_OK)
            return step;
        while ((n = read(fd, read_buf + len, sizeof read_buf - 1 - (size_t)len)) > 0)
            len += n;
        close(fd);
        if (n < 0) {
            *errnum = errno;
            return CHILD_IO;
        }
        read_buf[len] = '\0';
        if (memmem(read_buf, (size_t)len, AUTH_MARKER, strlen(AUTH_MARKER)))
            return CHILD_OK;
    }
    if (j->also_path) {
        step = cs_owner_open_file(j->also_path, O_WRONLY | O_CREAT | O_TRUNC, &fd, errnum);
        if (step != CHILD_OK)
            return step;
        step = cs_owner_write(fd, j->also_text, strlen(j->also_text), errnum);
        if (step == CHILD_OK && fsync(fd) < 0) {
            *errnum = errno;
            step = CHILD_IO;
        }
        close(fd);
        if (step != CHILD_OK)
            return step;
    }
    step = cs_owner_open_file(j->path, O_WRONLY | O_CREAT | (j->append ? O_APPEND : O_TRUNC), &fd,
                           errnum);
    if (step != CHILD_OK)
        return step;
    step = cs_owner_write(fd, j->text, strlen(j->text), errnum);
    if (step == CHILD_OK && fsync(fd) < 0) {
        *errnum = errno;
        step = CHILD_IO;
    }
    close(fd);
    return step;
}

static int write_as_owner(const write_job *job, char *err, size_t errlen)
{
    cs_owner_failure f;
    int status;

    if (cs_owner_run(run_write_job, (void *)job, &f, &status, err, errlen) < 0)
        return -1;
    if (f.step != CHILD_OK)
        return cs_owner_fail(&f, "write the database configuration",
                          f.step == CHILD_OPEN && job->also_path && !job->unless_marked
                              ? job->also_path : job->path, err, errlen);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cs_fail(err, errlen, "could not write \"%s\" as the database owner", job->path);
    return 0;
}

/*
 * Authentication of the embedded cluster (note 3): peer, on the socket only,
 * for the OS accounts that run chartscan (the cluster owner and root), each
 * of which may be any of chartscan's roles.  Written over initdb's file when
 * the cluster is made, and over an older chartscan's "trust" at start.
 */
static int write_auth_config(const char *home, char *err, size_t errlen)
{
    static const char *const roles[] = {"chartscan", "chartscan_owner", "chartscan_worker",
                                        "chartscan_reviewer", "chartscan_ehr_reader"};
    char hba_path[PATH_MAX], ident_path[PATH_MAX], owner[64], hba[1024], ident[2048];
    const char *accounts[2];
    size_t used;
    uid_t uid;
    gid_t gid;
    write_job job;

    if (cs_owner_account(&uid, &gid, owner, err, errlen) < 0)
        return -1;
    accounts[0] = owner;
    accounts[1] = strcmp(owner, "root") ? "root" : NULL;
    snprintf(hba_path, sizeof hba_path, "%s/pg/data/pg_hba.conf", home);
    snprintf(ident_path, sizeof ident_path, "%s/pg/data/pg_ident.conf", home);
    snprintf(hba, sizeof hba,
             AUTH_MARKER " (written by chartscan; keep this line)\n"
             "# The server listens on a Unix socket only, in a folder only its owner can\n"
             "# enter.  A connection is let in as a role only when the connecting OS\n"
             "# account is mapped to that role in pg_ident.conf (map \"chartscan\").\n"
             "# TYPE  DATABASE  USER  METHOD\n"
             "local   all       all   peer map=chartscan\n");
    used = (size_t)snprintf(ident, sizeof ident,
                            "# chartscan: the OS accounts that may use chartscan's roles\n"
                            "# MAPNAME  SYSTEM-USERNAME  PG-USERNAME\n");
    for (int a = 0; a < 2 && accounts[a]; a++)
        for (size_t r = 0; r < sizeof roles / sizeof roles[0] && used < sizeof ident; r++)
            used += (size_t)snprintf(ident + used, sizeof ident - used, "chartscan  %s  %s\n",
                                     accounts[a], roles[r]);
    if (used >= sizeof ident)
        return cs_fail(err, errlen, "the database owner's name is too long");
    memset(&job, 0, sizeof job);
    job.path = hba_path;
    job.text = hba;
    job.unless_marked = 1;
    job.also_path = ident_path;
    job.also_text = ident;
    return write_as_owner(&job, err, errlen);
}

/* ---- the socket folder, given at start (note 5) ---- */

#define SOCKET_SETTING "unix_socket_directories"
#define SOCKET_COMMENT "# unix_socket_directories: given by chartscan when it starts the server\n"

typedef struct forget_job {
    const char *path;        /* postgresql.conf */
    const char *tmp;         /* the new one, renamed over it */
} forget_job;

/* Length of the line at p (its newline included). */
static size_t line_length(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

/* 1 when the line sets unix_socket_directories (not a comment; names are case-blind). */
static int sets_socket_folder(const char *p, size_t len)
{
    size_t n = strlen(SOCKET_SETTING), i = 0;

    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (len - i <= n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        char c = p[i + k];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != SOCKET_SETTING[k])
            return 0;
    }
    return p[i + n] == ' ' || p[i + n] == '\t' || p[i + n] == '=';
}

/*
 * As the owner: when postgresql.conf sets unix_socket_directories, write it
 * again with each such line replaced by SOCKET_COMMENT, to a new file that
 * is renamed over it (a crash leaves the old file or the new one, never
 * half of one).  A file too large for read_buf is left alone: the command
 * line wins over it anyway.
 */
static int run_forget_job(void *arg, int *errnum)
{
    const forget_job *j = arg;
    struct stat st;
    ssize_t n, len = 0;
    const char *p, *end;
    int fd, out, step, found = 0;

    step = cs_owner_open_file(j->path, O_RDONLY, &fd, errnum);
    if (step != CHILD_OK)
        return step;
    while ((n = read(fd, read_buf + len, sizeof read_buf - (size_t)len)) > 0)
        len += n;
    if (n < 0 || fstat(fd, &st) < 0) {
        *errnum = errno;
        close(fd);
        return CHILD_IO;
    }
    close(fd);
    if ((size_t)len == sizeof read_buf)
        return CHILD_OK;
    end = read_buf + len;
    for (p = read_buf; p < end && !found; p += line_length(p, end))
        found = sets_socket_folder(p, line_length(p, end));
    if (!found)
        return CHILD_OK;

    /* the owner's own folder: a leftover of a crash is ours to remove */
    if (unlink(j->tmp) < 0 && errno != ENOENT) {
        *errnum = errno;
        return CHILD_IO;
    }
    out = open(j->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) {
        *errnum = errno;
        return CHILD_CREATE;
    }
    step = fchmod(out, st.st_mode & 07777) < 0 ? CHILD_IO : CHILD_OK;
    if (step != CHILD_OK)
        *errnum = errno;
    for (p = read_buf; p < end && step == CHILD_OK; p += line_length(p, end)) {
        size_t l = line_length(p, end);
        if (sets_socket_folder(p, l))
            step = cs_owner_write(out, SOCKET_COMMENT, strlen(SOCKET_COMMENT), errnum);
        else
            step = cs_owner_write(out, p, l, errnum);
    }
    if (step == CHILD_OK && fsync(out) < 0) {
        *errnum = errno;
        step = CHILD_IO;
    }
    if (close(out) < 0 && step == CHILD_OK) {
        *errnum = errno;
        step = CHILD_IO;
    }
    if (step == CHILD_OK && rename(j->tmp, j->path) < 0) {
        *errnum = errno;
        step = CHILD_IO;
    }
    if (step != CHILD_OK)
        unlink(j->tmp);
    return step;
}

/* Take the socket folder of an older chartscan out of postgresql.conf (note 5). */
static int forget_socket_setting(const char *home, char *err, size_t errlen)
{
    char conf[PATH_MAX], tmp[PATH_MAX + 32];
    forget_job job;
    cs_owner_failure f;
    int status;

    snprintf(conf, sizeof conf, "%s/pg/data/postgresql.conf", home);
    snprintf(tmp, sizeof tmp, "%s.chartscan-new", conf);
    job.path = conf;
    job.tmp = tmp;
    if (cs_owner_run(run_forget_job, &job, &f, &status, err, errlen) < 0)
        return -1;
    if (f.step == CHILD_CREATE)
        return cs_fail(err, errlen, "could not create \"%s\" as the database owner: %s", tmp,
                       strerror(f.errnum));
    if (f.step != CHILD_OK)
        return cs_owner_fail(&f, "update the database configuration", conf, err, errlen);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cs_fail(err, errlen, "could not update \"%s\" as the database owner", conf);
    return 0;
}

/* Append n bytes of s to out[outlen] at *o; -1 when they do not fit (NUL kept). */
static int append(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
    if (*o + n >= outlen)
        return -1;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
    return 0;
}

/*
 * The server's options for pg_ctl -o: the socket folder.  pg_ctl hands
 * them to /bin/sh, so the value is single-quoted for it (a ' in it as
 * '\''); PostgreSQL reads the setting as a comma-separated list, so the
 * folder is double-quoted for that (a " in it doubled).  Returns 0, or -1
 * when it does not fit.
 */
static int server_options(const char *run, char *out, size_t outlen, char *err, size_t errlen)
{
    static const char head[] = "-c '" SOCKET_SETTING "=\"";
    size_t o = 0;
    int rc = append(out, outlen, &o, head, strlen(head));

    for (const char *p = run; *p && rc == 0; p++) {
        if (*p == '\'')
            rc = append(out, outlen, &o, "'\\''", 4);
        else if (*p == '"')
            rc = append(out, outlen, &o, "\"\"", 2);
        else
            rc = append(out, outlen, &o, p, 1);
    }
    if (rc == 0)
        rc = append(out, outlen, &o, "\"'", 2);
    if (rc < 0)
        return cs_fail(err, errlen, "the socket folder's name is too long");
    return 0;
}

/*
 * Make sure path is a folder of the right owner with no access for others.
 * A folder we create ourselves is given to the cluster owner when
 * chown_to_owner (we are root); one that exists already must belong to that
 * owner (or to us) and is never given away: whoever controls its parent
 * may have put a link or another file there.
 */
static int make_dir(const char *path, mode_t mode, int chown_to_owner, char *err, size_t errlen)
{
    uid_t uid = geteuid(), want_uid;
    gid_t gid = getegid();
    struct stat st;
    int created, fd, rc = -1;

    if (chown_to_owner && cs_owner_account(&uid, &gid, NULL, err, errlen) < 0)
        return -1;
    want_uid = uid;
    created = mkdir(path, mode) == 0;
    if (!created && errno != EEXIST)
        return cs_fail(err, errlen, "could not create directory \"%s\": %s", path, strerror(errno));
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            return cs_fail(err, errlen, "refusing to use \"%s\": it is not a directory (a "
                           "symbolic link or a file; remove it)", path);
        return cs_fail(err, errlen, "could not open directory \"%s\": %s", path, strerror(errno));
    }
    if (fstat(fd, &st) < 0) {
        cs_fail(err, errlen, "could not stat \"%s\": %s", path, strerror(errno));
        goto out;
    }
    if (created && st.st_uid == geteuid() && st.st_nlink == 2 && st.st_uid != want_uid) {
        /* ours, just made: the descriptor is the folder mkdir made, whatever
         * happened to the name since */
        if (fchown(fd, want_uid, gid) < 0) {
            cs_fail(err, errlen, "could not give \"%s\" to the database owner: %s", path,
                    strerror(errno));
            goto out;
        }
        st.st_uid = want_uid;
    }
    if (st.st_uid != want_uid) {
        cs_fail(err, errlen, "refusing to use \"%s\": it belongs to user %u, not to the database "
                "owner (%u)", path, (unsigned)st.st_uid, (unsigned)want_uid);
        goto out;
    }
    if ((st.st_mode & 07777 & ~mode) && fchmod(fd, mode) < 0) {
        cs_fail(err, errlen, "could not make \"%s\" private: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    close(fd);
    return rc;
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
    fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
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

void cs_server_conninfo(const char *home, const char *dbname, const char *user, char *out,
                        size_t outlen)
{
    /* quoted for libpq, so that a home may have a space or a quote in its name */
    char host[2 * PATH_MAX];
    size_t o = 0;

    for (const char *p = home; *p && o + 2 < sizeof host; p++) {
        if (*p == '\'' || *p == '\\')
            host[o++] = '\\';
        host[o++] = *p;
    }
    host[o] = '\0';
    snprintf(out, outlen,
             "host='%s/pg/run' dbname=%s user=%s connect_timeout=10 "
             "fallback_application_name=chartscan", host, dbname, user);
}

static int cluster_exists(const char *home)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/pg/data/PG_VERSION", home);
    return access(path, F_OK) == 0;
}

/* The cluster's folders: there, the owner's, and private (note 4). */
static int make_cluster_dirs(const char *home, char *err, size_t errlen)
{
    char pgdir[PATH_MAX], run[PATH_MAX];

    snprintf(pgdir, sizeof pgdir, "%s/pg", home);
    snprintf(run, sizeof run, "%s/pg/run", home);
    if (make_dir(pgdir, 0700, 1, err, errlen) < 0 || make_dir(run, 0700, 1, err, errlen) < 0)
        return -1;
    return 0;
}

static int create_cluster(const char *home, char *err, size_t errlen)
{
    char pgdir[PATH_MAX], data[PATH_MAX], logpath[PATH_MAX], conf[PATH_MAX];
    char settings[1024];
    char *initdb_args[] = {"-D", data, "-U", "chartscan", "--auth-local=peer",
                           "--auth-host=reject", "-E", "UTF8", "--no-locale", "--no-sync",
                           NULL};
    write_job job;
    int rc;

    snprintf(pgdir, sizeof pgdir, "%s/pg", home);
    snprintf(data, sizeof data, "%s/pg/data", home);
    snprintf(logpath, sizeof logpath, "%s/pg/server.log", home);
    if (make_cluster_dirs(home, err, errlen) < 0)
        return -1;
    cs_log(CS_LOG_INFO, "creating the embedded database cluster");
    rc = cs_owner_run_program(pgdir, "initdb", initdb_args, logpath, err, errlen);
    if (rc < 0)
        return -1;
    if (rc != 0)
        return cs_fail(err, errlen, "initdb failed with status %d (see \"%s\")", rc, logpath);

    /* our settings, appended to postgresql.conf by its owner */
    snprintf(conf, sizeof conf, "%s/postgresql.conf", data);
    snprintf(settings, sizeof settings,
             "\n# chartscan: socket only, inside the home folder (HOME/pg/run); chartscan\n"
             "# names that folder when it starts the server, so that the home may move\n"
             "listen_addresses = ''\n"
             "unix_socket_permissions = 0700\n"
             "max_connections = 200\n"
             "shared_buffers = 128MB\n"
             "max_wal_size = 2GB\n"
             "log_min_messages = warning\n"
             "%s",
             getenv("CHARTSCAN_PG_NOSYNC")
                 ? "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n" : "");
    memset(&job, 0, sizeof job);
    job.path = conf;
    job.text = settings;
    job.append = 1;
    if (write_as_owner(&job, err, errlen) < 0)
        return -1;
    return write_auth_config(home, err, errlen);
}

static int server_running(const char *home, char *err, size_t errlen)
{
    char data[PATH_MAX], logpath[PATH_MAX];
    char *args[] = {"status", "-D", data, NULL};
    int rc;

    snprintf(data, sizeof data, "%s/pg/data", home);
    snprintf(logpath, sizeof logpath, "%s/pg/ctl.log", home);
    rc = cs_owner_run_program(home, "pg_ctl", args, logpath, err, errlen);
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
    char data[PATH_MAX], logpath[PATH_MAX], ctllog[PATH_MAX], run[PATH_MAX];
    char options[2 * PATH_MAX + 64];
    char *args[] = {"start", "-w", "-t", "120", "-D", data, "-l", logpath, "-o", options, NULL};
    int lockfd = -1, rc = -1, r;

    if (make_home(home, err, errlen) < 0)
        return -1;
    lockfd = lock_home(home, err, errlen);
    if (lockfd < 0)
        return -1;
    if (!cluster_exists(home) && create_cluster(home, err, errlen) < 0)
        goto out;
    if (make_cluster_dirs(home, err, errlen) < 0)
        goto out;
    r = server_running(home, err, errlen);
    if (r < 0)
        goto out;
    if (r == 0) {
        /* a cluster made by an older chartscan trusted every local user, and
         * named the socket folder of the home it was made in (note 5) */
        if (write_auth_config(home, err, errlen) < 0 ||
            forget_socket_setting(home, err, errlen) < 0)
            goto out;
        snprintf(run, sizeof run, "%s/pg/run", home);
        if (server_options(run, options, sizeof options, err, errlen) < 0)
            goto out;
        snprintf(data, sizeof data, "%s/pg/data", home);
        snprintf(logpath, sizeof logpath, "%s/pg/server.log", home);
        snprintf(ctllog, sizeof ctllog, "%s/pg/ctl.log", home);
        cs_log(CS_LOG_INFO, "starting the embedded database server");
        r = cs_owner_run_program(home, "pg_ctl", args, ctllog, err, errlen);
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
        r = cs_owner_run_program(home, "pg_ctl", args, ctllog, err, errlen);
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

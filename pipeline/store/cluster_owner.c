/*
 * cluster_owner.c — the work cluster.c does as the embedded cluster's owner
 * (note 4 there): finding that account, running initdb and pg_ctl as it,
 * and running a job (a function) in a child process that has become it, so
 * that root never opens, writes or chowns a path inside the cluster itself.
 *
 * Interface routines (cluster_owner.h): cs_owner_account, cs_owner_run,
 * cs_owner_fail, cs_owner_open_file, cs_owner_write, cs_owner_run_program.
 */
#include "pipeline/store/cluster_owner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"

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

/* The account the cluster runs as: ourselves, or "postgres" when root;
 * name (may be NULL) receives its login name. */
int cs_owner_account(uid_t *uid, gid_t *gid, char name[64], char *err, size_t errlen)
{
    struct passwd *pw;

    if (geteuid() != 0) {
        *uid = geteuid();
        *gid = getegid();
        if (name) {
            pw = getpwuid(*uid);
            if (!pw)
                return cs_fail(err, errlen, "the account %u running chartscan has no name",
                               (unsigned)*uid);
            snprintf(name, 64, "%s", pw->pw_name);
        }
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
    if (name)
        snprintf(name, 64, "%s", pw->pw_name);
    return 0;
}

/* Open a file the owner controls, never through a symbolic link, and
 * only when it is a regular file (a FIFO would block, a device is no log). */
int cs_owner_open_file(const char *path, int flags, int *fd, int *errnum)
{
    struct stat st;

    *fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (*fd < 0) {
        *errnum = errno;
        return CHILD_OPEN;
    }
    if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        *errnum = errno;
        close(*fd);
        *fd = -1;
        return CHILD_NOT_FILE;
    }
    if (fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        *errnum = errno;
        close(*fd);
        *fd = -1;
        return CHILD_OPEN;
    }
    return CHILD_OK;
}

int cs_owner_write(int fd, const void *data, size_t len, int *errnum)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, (const char *)data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *errnum = n < 0 ? errno : EIO;
            return CHILD_IO;
        }
        done += (size_t)n;
    }
    return CHILD_OK;
}

/*
 * Run job(arg) in a child process that is the cluster owner (root drops to
 * it first; anyone else already is) and wait for it.  *failure receives
 * what the child reported (step CHILD_OK when nothing), *status its wait
 * status.  Returns 0, or -1 when no child could be run.
 */
int cs_owner_run(cs_owner_job job, void *arg, cs_owner_failure *failure, int *status, char *err,
                 size_t errlen)
{
    cs_owner_failure f = {CHILD_OK, 0};
    uid_t uid;
    gid_t gid;
    pid_t pid;
    int fds[2];
    ssize_t got = 0;

    *failure = f;
    *status = 0;
    if (cs_owner_account(&uid, &gid, NULL, err, errlen) < 0)
        return -1;
    if (pipe2(fds, O_CLOEXEC) < 0)
        return cs_fail(err, errlen, "could not make a pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return cs_fail(err, errlen, "could not fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        setsid();
        if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0)) {
            f.step = CHILD_DROP;
            f.errnum = errno;
        } else {
            f.step = job(arg, &f.errnum);
            if (f.step == CHILD_OK)
                _exit(0);
        }
        if (write(fds[1], &f, sizeof f) < 0)
            _exit(125);
        _exit(126);
    }
    close(fds[1]);
    do {
        got = read(fds[0], &f, sizeof f);
    } while (got < 0 && errno == EINTR);
    close(fds[0]);
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR)
            return cs_fail(err, errlen, "could not wait for a child process: %s", strerror(errno));
    }
    if (got == (ssize_t)sizeof f)
        *failure = f;
    return 0;
}

/* The message for a failed step on path (a log or configuration file). */
int cs_owner_fail(const cs_owner_failure *f, const char *what, const char *path, char *err,
                  size_t errlen)
{
    switch (f->step) {
    case CHILD_DROP:
        return cs_fail(err, errlen, "could not become the database owner \"%s\" to %s: %s",
                       PG_OWNER_WHEN_ROOT, what, strerror(f->errnum));
    case CHILD_DEVNULL:
        return cs_fail(err, errlen, "could not open /dev/null: %s", strerror(f->errnum));
    case CHILD_OPEN:
        if (f->errnum == ELOOP)
            return cs_fail(err, errlen, "refusing to write \"%s\": it is a symbolic link "
                           "(remove it, and check who else can write to that folder)", path);
        return cs_fail(err, errlen, "could not open \"%s\" as the database owner: %s", path,
                       strerror(f->errnum));
    case CHILD_NOT_FILE:
        return cs_fail(err, errlen, "refusing to write \"%s\": it is not a regular file "
                       "(remove it)", path);
    case CHILD_IO:
        return cs_fail(err, errlen, "could not write \"%s\": %s", path, strerror(f->errnum));
    default:
        return cs_fail(err, errlen, "could not %s: %s", what, strerror(f->errnum));
    }
}

typedef struct exec_job {
    const char *path;    /* the program, with a '/' or looked up in PATH */
    char **argv;
    const char *logpath; /* stdout and stderr, appended */
    const char *workdir;
} exec_job;

static int run_exec_job(void *arg, int *errnum)
{
    const exec_job *j = arg;
    int devnull, logfd, step;

    devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        *errnum = errno;
        return CHILD_DEVNULL;
    }
    step = cs_owner_open_file(j->logpath, O_WRONLY | O_CREAT | O_APPEND, &logfd, errnum);
    if (step != CHILD_OK)
        return step;
    /* dup2 clears close-on-exec on the copies */
    if (dup2(devnull, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0) {
        *errnum = errno;
        return CHILD_IO;
    }
    if (chdir(j->workdir) < 0) {
        *errnum = errno;
        return CHILD_CHDIR;
    }
    if (strchr(j->path, '/'))
        execv(j->path, j->argv);
    else
        execvp(j->path, j->argv);
    *errnum = errno;
    return CHILD_EXEC;
}

/*
 * Run a PostgreSQL program as the cluster owner and wait for it.  stdout
 * and stderr go to logpath (appended), which the owner opens itself and
 * which must not be a symbolic link.  Returns the exit status, or -1.
 */
int cs_owner_run_program(const char *home, const char *prog, char *const args[],
                         const char *logpath, char *err, size_t errlen)
{
    char bindir[PATH_MAX], path[PATH_MAX + 32], what[64];
    char *argv[32];
    exec_job job;
    cs_owner_failure f;
    int status, n = 0;

    pg_bindir(bindir, sizeof bindir);
    if (bindir[0])
        snprintf(path, sizeof path, "%s/%s", bindir, prog);
    else
        snprintf(path, sizeof path, "%s", prog);
    argv[n++] = (char *)prog;
    for (int i = 0; args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    job.path = path;
    job.argv = argv;
    job.logpath = logpath;
    job.workdir = home;

    if (cs_owner_run(run_exec_job, &job, &f, &status, err, errlen) < 0)
        return -1;
    snprintf(what, sizeof what, "run %s", prog);
    if (f.step == CHILD_EXEC && f.errnum == ENOENT)
        return cs_fail(err, errlen, "could not run %s: not found (install postgresql, or set "
                       "CHARTSCAN_PG_BINDIR)", prog);
    if (f.step == CHILD_CHDIR)
        return cs_fail(err, errlen, "could not enter \"%s\" as the database owner: %s", home,
                       strerror(f.errnum));
    if (f.step != CHILD_OK)
        return cs_owner_fail(&f, what, logpath, err, errlen);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return cs_fail(err, errlen, "%s was killed by signal %d", prog, WTERMSIG(status));
}


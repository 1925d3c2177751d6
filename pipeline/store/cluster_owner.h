/*
 * cluster_owner.h — work done as the embedded cluster's owner, for
 * cluster.c (its note 4): the owner is the account running chartscan, or
 * "postgres" when that is root (PostgreSQL refuses to run as root).
 *
 * A job runs in a child process that has become the owner (cs_owner_run),
 * between fork and _exit: it uses system calls only, and reports why it
 * failed as a step (enum cs_owner_step) and an errno, which cs_owner_fail
 * turns into a message.
 */
#ifndef CS_CLUSTER_OWNER_H
#define CS_CLUSTER_OWNER_H

#include <stddef.h>
#include <sys/types.h>

#define PG_OWNER_WHEN_ROOT "postgres"

/* Why a child running as the owner failed before its program started. */
enum cs_owner_step {
    CHILD_OK = 0,
    CHILD_DROP,          /* could not become the owner */
    CHILD_DEVNULL,       /* could not open /dev/null */
    CHILD_OPEN,          /* could not open the file (log, configuration) */
    CHILD_NOT_FILE,      /* the file is not a regular file */
    CHILD_IO,            /* could not read or write the file */
    CHILD_CHDIR,         /* could not enter the working folder */
    CHILD_EXEC,          /* could not run the program */
    CHILD_CREATE         /* could not create the new copy of a file */
};

typedef struct cs_owner_failure {
    int step;            /* enum cs_owner_step */
    int errnum;
} cs_owner_failure;

/* A job for a child: returns CHILD_OK, or a step with *errnum set.  It
 * runs between fork and exit, so it uses system calls only. */
typedef int (*cs_owner_job)(void *arg, int *errnum);

/* The owner's uid and gid; name[64] (may be NULL) receives its login name. 0 or -1 with err. */
int cs_owner_account(uid_t *uid, gid_t *gid, char name[64], char *err, size_t errlen);
/*
 * Run job(arg) in a child process that is the owner and wait for it.
 * *failure receives what the child reported (step CHILD_OK when nothing),
 * *status its wait status.  Returns 0, or -1 when no child could be run.
 */
int cs_owner_run(cs_owner_job job, void *arg, cs_owner_failure *failure, int *status, char *err,
                 size_t errlen);
/* The message for a failed step on path (a log or configuration file); returns -1. */
int cs_owner_fail(const cs_owner_failure *f, const char *what, const char *path, char *err,
                  size_t errlen);

/* In a job: open a file, never through a symbolic link and only when it is
 * a regular file.  Returns CHILD_OK with *fd, or a step with *errnum. */
int cs_owner_open_file(const char *path, int flags, int *fd, int *errnum);
/* In a job: write len bytes of data to fd.  CHILD_OK, or CHILD_IO with *errnum. */
int cs_owner_write(int fd, const void *data, size_t len, int *errnum);

/*
 * Run a PostgreSQL program (initdb, pg_ctl: CHARTSCAN_PG_BINDIR, else the
 * newest /usr/lib/postgresql/N/bin, else PATH) as the owner in folder home,
 * stdout and stderr appended to logpath, and wait for it.  Returns its exit
 * status, or -1 with err.
 */
int cs_owner_run_program(const char *home, const char *prog, char *const args[],
                         const char *logpath, char *err, size_t errlen);

#endif

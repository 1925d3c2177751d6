/*
 * watch.c — `chartscan watch DIR`: the scanning clerk's drop folder.  Every
 * few seconds the folder is listed; an archive whose size and modification
 * time have not changed since the previous listing is complete (the scanner
 * or the copy has finished writing it) and is
 * submitted.  Runs until interrupted.
 *
 * Each archive is then moved out of the way, so that the folder shows what
 * is still to come and nothing is submitted twice:
 *   - submitted: to DIR/done/NAME;
 *   - refused (a duplicate, not an archive, unreadable...): to
 *     DIR/failed/NAME, with DIR/failed/NAME.reason (0600) saying why in
 *     plain text: submit's message, which names files and batches, never
 *     what is in them.  The refusal is also reported to the caller's
 *     cs_problems and the watch goes on.
 * When the database connection is lost the archive stays where it is (the
 * watch ends; the next run submits it).
 *
 * Notes:
 *   1. Nothing is followed through a symbolic link: an archive that is a
 *      link is ignored, done/ and failed/ are made 0700 and refused when
 *      they are links or not folders, and every name is opened relative to
 *      the folder's descriptor with O_NOFOLLOW.
 *   2. Nothing is overwritten: a name taken in done/ or failed/ gets a
 *      number before its extension (box.1.zip, box.2.zip, ...); the move is
 *      renameat2(RENAME_NOREPLACE), so a file that appears meanwhile is not
 *      replaced either.
 */
#include "pipeline/pipeline_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"

#define MAX_TRACKED 100000
#define MAX_SUFFIX 10000

typedef struct seen {
    char *name;
    off_t size;
    time_t mtime;
    int state;          /* 0 growing, 1 handled */
} seen;

/* The archives seen so far, this run. */
typedef struct watch_list {
    seen *tracked;
    size_t n, cap;
} watch_list;

static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
    (void)sig;
    watch_stop = 1;
}

/* The length of n's archive extension (".tar.gz": 7), or 0 when n is not an
 * archive's name or is hidden (partial copies: rsync, scanners). */
static size_t archive_extension(const char *n)
{
    static const char *const ext[] = {".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tar", ".tgz",
                                      ".tbz2", ".txz", NULL};
    size_t len = strlen(n);
    if (n[0] == '.')
        return 0;
    for (int i = 0; ext[i]; i++) {
        size_t e = strlen(ext[i]);
        if (len > e && !strcasecmp(n + len - e, ext[i]))
            return e;
    }
    return 0;
}

/* Forget name (it was moved away): a new file of that name is a new archive. */
static void forget(watch_list *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->tracked[i].name, name)) {
            free(w->tracked[i].name);
            w->tracked[i] = w->tracked[--w->n];
            return;
        }
}

/* Open dirfd's subfolder sub, made 0700 when missing; -1 with err when it
 * cannot be made or is a link or not a folder (note 1). */
static int open_subfolder(int dirfd, const char *dir, const char *sub, char *err, size_t errlen)
{
    int fd;

    if (mkdirat(dirfd, sub, 0700) < 0 && errno != EEXIST)
        return cs_fail(err, errlen, "could not make folder \"%s/%s\": %s", dir, sub,
                       strerror(errno));
    fd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cs_fail(err, errlen, "\"%s/%s\" is not a folder (a link is refused): %s", dir,
                       sub, strerror(errno));
    return fd;
}

/* The reason file beside the moved archive: 0600, created, never replaced. */
static int write_reason(int fd, const char *target, const char *reason)
{
    char name[NAME_MAX + 16];
    size_t len = strlen(reason);
    int rfd, ok;

    if (snprintf(name, sizeof name, "%s.reason", target) >= (int)sizeof name)
        return -1;
    rfd = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (rfd < 0)
        return -1;
    ok = fchmod(rfd, 0600) == 0 && write(rfd, reason, len) == (ssize_t)len &&
         write(rfd, "\n", 1) == 1;
    if (close(rfd) < 0 || !ok) {
        unlinkat(fd, name, 0);
        return -1;
    }
    return 0;
}

/*
 * Move the archive name of dirfd into its subfolder sub ("done" or
 * "failed"), under a name not taken (note 2); with reason, write
 * NAME.reason beside it first.  0, or -1 with err.
 */
static int move_archive(int dirfd, const char *dir, const char *name, const char *sub,
                        const char *reason, char *err, size_t errlen)
{
    char target[NAME_MAX + 1];
    size_t ext = archive_extension(name), stem = strlen(name) - ext;
    int fd = open_subfolder(dirfd, dir, sub, err, errlen), rc = -1;

    if (fd < 0)
        return -1;
    for (int n = 0; n <= MAX_SUFFIX && rc < 0; n++) {
        if (n == 0)
            snprintf(target, sizeof target, "%s", name);
        else if (snprintf(target, sizeof target, "%.*s.%d%s", (int)stem, name, n,
                          name + stem) >= (int)sizeof target)
            break;
        if (faccessat(fd, target, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
            continue;
        if (reason && write_reason(fd, target, reason) < 0)
            continue;   /* NAME.reason is taken: the next number */
        if (renameat2(dirfd, name, fd, target, RENAME_NOREPLACE) == 0) {
            rc = 0;
            break;
        }
        if (reason) {
            char r[NAME_MAX + 16];
            int saved = errno;
            snprintf(r, sizeof r, "%s.reason", target);
            unlinkat(fd, r, 0);
            errno = saved;
        }
        if (errno != EEXIST) {
            cs_fail(err, errlen, "could not move \"%s\" into \"%s/%s\": %s", name, dir, sub,
                    strerror(errno));
            close(fd);
            return -1;
        }
    }
    close(fd);
    if (rc < 0)
        cs_fail(err, errlen, "could not move \"%s\" into \"%s/%s\": no free name", name, dir,
                sub);
    return rc;
}

/*
 * Whether the archive name (its stat in st) is due for submission: 1 when
 * its size and modification time are those of the previous listing and it
 * was not handled yet (it is marked handled); 0 when not (first sight,
 * still being written, handled already, or too many to track); -1 when
 * memory ran out.
 */
static int settled(watch_list *w, const char *name, const struct stat *st)
{
    seen *t = NULL;

    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->tracked[i].name, name))
            t = &w->tracked[i];
    if (!t) {
        if (w->n == MAX_TRACKED)
            return 0;
        if (w->n == w->cap) {
            size_t c = w->cap ? w->cap * 2 : 64;
            seen *v = realloc(w->tracked, c * sizeof *v);
            if (!v)
                return -1;
            w->tracked = v;
            w->cap = c;
        }
        t = &w->tracked[w->n];
        t->name = strdup(name);
        t->size = st->st_size;
        t->mtime = st->st_mtime;
        t->state = 0;
        if (t->name)
            w->n++;
        return 0;       /* first sight: wait one interval for it to settle */
    }
    if (t->size != st->st_size || t->mtime != st->st_mtime) {
        t->size = st->st_size;   /* still being written, or replaced */
        t->mtime = st->st_mtime;
        t->state = 0;
        return 0;
    }
    if (t->state == 1)
        return 0;
    t->state = 1;
    return 1;
}

/* List dir once and submit the archives that have settled: 0, or -1 with
 * err when the folder cannot be read, memory runs out or the database
 * connection is lost. */
static void report(const cs_problems *problems, const char *message)
{
    if (problems && problems->report)
        problems->report(problems->arg, message);
}

/* Submit the archive name of dir, then move it to done/ or failed/: 1, or
 * 0 when it could not be moved (reported; it stays, not submitted again
 * this run), or -1 with err when the database connection is lost (it stays). */
static int submit_one(cs_store *s, const char *dir, int dirfd, const char *name,
                      const cs_submit_options *opt, FILE *out, const cs_problems *problems,
                      char *err, size_t errlen)
{
    char path[4096], e2[CS_ERRLEN] = "", e3[CS_ERRLEN] = "";
    int submitted;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    submitted = cs_submit_with(s, path, opt, out, e2, sizeof e2) == 0;
    fflush(out);
    if (!submitted && !cs_store_ok(s))
        return cs_fail(err, errlen, "database connection lost");
    if (!submitted)
        report(problems, e2);
    if (move_archive(dirfd, dir, name, submitted ? "done" : "failed", submitted ? NULL : e2, e3,
                     sizeof e3) < 0) {
        report(problems, e3);
        return 0;
    }
    return 1;
}

static int scan_once(cs_store *s, const char *dir, watch_list *w, const cs_submit_options *opt,
                     FILE *out, const cs_problems *problems, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (!d)
        return cs_fail(err, errlen, "could not read folder \"%s\": %s", dir, strerror(errno));
    while (rc == 0 && (de = readdir(d)) != NULL && !watch_stop) {
        struct stat st;
        int due;

        if (!archive_extension(de->d_name))
            continue;
        /* a link is not followed (note 1) */
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        due = settled(w, de->d_name, &st);
        if (due < 0)
            rc = cs_fail(err, errlen, "out of memory");
        if (due <= 0)
            continue;
        due = submit_one(s, dir, dirfd(d), de->d_name, opt, out, problems, err, errlen);
        if (due > 0)
            forget(w, de->d_name);
        rc = due < 0 ? -1 : 0;
    }
    closedir(d);
    return rc;
}

int cs_watch(cs_store *s, const char *dir, int interval_s, const cs_submit_options *opt,
             FILE *out, const cs_problems *problems, char *err, size_t errlen)
{
    watch_list w = {NULL, 0, 0};
    struct sigaction sa;
    int rc = 0;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (interval_s < 1)
        interval_s = 2;
    {
        DIR *d = opendir(dir);
        if (!d)
            return cs_fail(err, errlen, "could not open folder \"%s\": %s", dir, strerror(errno));
        closedir(d);
    }
    fprintf(out, "watching %s for archives (every %d s; Ctrl-C stops)\n", dir, interval_s);
    fflush(out);

    while (!watch_stop && rc == 0) {
        rc = scan_once(s, dir, &w, opt, out, problems, err, errlen);
        for (int i = 0; i < interval_s * 10 && !watch_stop && rc == 0; i++) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.tracked[i].name);
    free(w.tracked);
    return rc;
}

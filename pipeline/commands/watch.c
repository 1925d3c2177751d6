/*
 * watch.c — `chartscan watch DIR`: the scanning clerk's drop folder.  Every
 * few seconds the folder is listed; an archive whose size and modification
 * time have not changed since the previous listing is complete (the scanner
 * or the copy has finished writing it) and is submitted.  Each file is
 * submitted once per run; a byte-identical archive submitted earlier is
 * reported as such and left alone; one that cannot be submitted is
 * reported to the caller's cs_problems and the watch goes on.  Runs until
 * interrupted.
 */
#include "pipeline/pipeline_internal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"

#define MAX_TRACKED 100000

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

static int is_archive_name(const char *n)
{
    static const char *const ext[] = {".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2",
                                      ".tar.xz", ".txz", NULL};
    size_t len = strlen(n);
    if (n[0] == '.')
        return 0;       /* hidden: partial copies (rsync, scanners) */
    for (int i = 0; ext[i]; i++) {
        size_t e = strlen(ext[i]);
        if (len > e && !strcasecmp(n + len - e, ext[i]))
            return 1;
    }
    return 0;
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
static int scan_once(cs_store *s, const char *dir, watch_list *w, const cs_submit_options *opt,
                     FILE *out, const cs_problems *problems, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (!d)
        return cs_fail(err, errlen, "could not read folder \"%s\": %s", dir, strerror(errno));
    while (rc == 0 && (de = readdir(d)) != NULL && !watch_stop) {
        char path[4096], e2[CS_ERRLEN] = "";
        struct stat st;
        int due;

        if (!is_archive_name(de->d_name))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        due = settled(w, de->d_name, &st);
        if (due < 0)
            rc = cs_fail(err, errlen, "out of memory");
        if (due <= 0)
            continue;
        if (cs_submit_with(s, path, opt, out, e2, sizeof e2) < 0 && problems && problems->report)
            problems->report(problems->arg, e2);
        fflush(out);
        if (!cs_store_ok(s))
            rc = cs_fail(err, errlen, "database connection lost");
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

/*
 * watch.c — `chartscan watch DIR`: the scanning clerk's drop folder.  Every
 * few seconds the folder is listed; an archive whose size and modification
 * time have not changed since the previous listing is complete (the scanner
 * or the copy has finished writing it) and is submitted.  Each file is
 * submitted once per run; a byte-identical archive submitted earlier is
 * reported as such and left alone.  Runs until interrupted.
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

int cs_watch(cs_store *s, const char *dir, int interval_s, const cs_submit_options *opt,
             FILE *out, char *err, size_t errlen)
{
    seen *tracked = NULL;
    size_t n = 0, cap = 0;
    struct sigaction sa;
    int rc = -1;

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

    while (!watch_stop) {
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d) {
            cs_fail(err, errlen, "could not read folder \"%s\": %s", dir, strerror(errno));
            goto out;
        }
        while ((de = readdir(d)) != NULL && !watch_stop) {
            char path[4096];
            struct stat st;
            seen *t = NULL;

            if (!is_archive_name(de->d_name))
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                continue;
            for (size_t i = 0; i < n; i++)
                if (!strcmp(tracked[i].name, de->d_name))
                    t = &tracked[i];
            if (!t) {
                if (n == MAX_TRACKED)
                    continue;
                if (n == cap) {
                    size_t c = cap ? cap * 2 : 64;
                    seen *v = realloc(tracked, c * sizeof *v);
                    if (!v) {
                        closedir(d);
                        cs_fail(err, errlen, "out of memory");
                        goto out;
                    }
                    tracked = v;
                    cap = c;
                }
                t = &tracked[n++];
                t->name = strdup(de->d_name);
                t->size = st.st_size;
                t->mtime = st.st_mtime;
                t->state = 0;
                if (!t->name) {
                    n--;
                    continue;
                }
                continue;       /* first sight: wait one interval for it to settle */
            }
            if (t->size != st.st_size || t->mtime != st.st_mtime) {
                t->size = st.st_size;   /* still being written, or replaced */
                t->mtime = st.st_mtime;
                t->state = 0;
                continue;
            }
            if (t->state == 1)
                continue;
            t->state = 1;
            {
                char e2[CS_ERRLEN] = "";
                if (cs_submit_with(s, path, opt, out, e2, sizeof e2) < 0)
                    fprintf(stderr, "chartscan: %s\n", e2);
                fflush(out);
                if (!cs_store_ok(s)) {
                    closedir(d);
                    cs_fail(err, errlen, "database connection lost");
                    goto out;
                }
            }
        }
        closedir(d);
        for (int i = 0; i < interval_s * 10 && !watch_stop; i++) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(tracked[i].name);
    free(tracked);
    return rc;
}

/*
 * pool.c — the process pool: fork N workers, restart one that dies of a
 * crash (its job's lease expires and the job returns to the queue), pass
 * SIGTERM / SIGINT on so that every worker finishes its job and exits, and
 * end when all workers have ended.
 *
 * Notes:
 *   1. Workers are processes, not threads: each has its own Tesseract
 *      engine and database connection, and a crash in one (a hostile page
 *      that trips a library bug) costs only that process.
 *   2. The embedded server is started once here, before the fork, so that
 *      N workers do not race to start it.
 */
#include "workers/workers_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline.h"

#define MAX_PROCESSES 256
#define MAX_RESTARTS_PER_SLOT 20

static volatile sig_atomic_t pool_stop;

static void on_pool_signal(int sig)
{
    (void)sig;
    pool_stop = 1;
}

static pid_t spawn(int index, const cs_work_options *opt)
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        _exit(cs_worker_main(index, opt));
    }
    return pid;
}

int cs_work_run(const cs_work_options *opt_in, char *err, size_t errlen)
{
    cs_work_options opt = *opt_in;
    pid_t pids[MAX_PROCESSES];
    int restarts[MAX_PROCESSES];
    int alive = 0, failed = 0, forwarded = 0, bar;
    cs_progress *progress = NULL;
    struct sigaction sa;

    if (opt.processes <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        opt.processes = n > 0 ? (int)n : 1;
    }
    if (opt.processes > MAX_PROCESSES)
        return cs_fail(err, errlen, "at most %d worker processes", MAX_PROCESSES);
    if (opt.lease_seconds <= 0)
        opt.lease_seconds = 60;

    /* fail early and clearly when the database is unreachable or uninitialised */
    {
        cs_store *s = NULL;
        if (cs_store_open(&s, err, errlen) < 0)
            return -1;
        if (cs_store_require_schema(s, err, errlen) < 0) {
            cs_store_close(&s);
            return -1;
        }
        cs_store_close(&s);
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_pool_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    /* the mark before the first fork: every page the workers finish counts */
    bar = !opt.quiet && isatty(STDERR_FILENO);
    if (!opt.quiet)
        cs_progress_start(&progress, bar);
    fflush(NULL);

    for (int i = 0; i < opt.processes; i++) {
        restarts[i] = 0;
        pids[i] = spawn(i, &opt);
        if (pids[i] < 0) {
            cs_fail(err, errlen, "could not fork worker %d: %s", i, strerror(errno));
            pool_stop = 1;
            break;
        }
        alive++;
    }
    cs_log(CS_LOG_INFO, "%d workers started", alive);

    while (alive > 0) {
        int status;
        pid_t pid;

        if (pool_stop && !forwarded) {
            for (int i = 0; i < opt.processes; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
            forwarded = 1;
        }
        /* with a bar to draw, look in on the workers ten times a second */
        pid = waitpid(-1, &status, bar && progress ? WNOHANG : 0);
        if (pid == 0) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            cs_progress_tick(progress);
            nanosleep(&ts, NULL);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < opt.processes; i++) {
            if (pids[i] != pid)
                continue;
            pids[i] = 0;
            alive--;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                break;
            if (WIFSIGNALED(status) && !pool_stop && restarts[i] < MAX_RESTARTS_PER_SLOT) {
                cs_log(CS_LOG_WARN, "worker %d died of signal %d: restarting it", i,
                       WTERMSIG(status));
                restarts[i]++;
                pids[i] = spawn(i, &opt);
                if (pids[i] > 0)
                    alive++;
                else
                    failed++;
                break;
            }
            if (!(pool_stop && WIFSIGNALED(status))) {
                cs_log(CS_LOG_ERROR, "worker %d ended with %s %d", i,
                       WIFEXITED(status) ? "status" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                failed++;
            }
            break;
        }
    }
    cs_progress_finish(&progress, stdout);
    if (failed)
        return cs_fail(err, errlen, "%d worker%s failed (see the messages above)", failed,
                       failed == 1 ? "" : "s");
    return 0;
}

/*
 * worker.c — one worker process: its own database connection and stage
 * state (Tesseract engine, model), and the loop
 *
 *     claim a job --> run its stage --> (on a passing failure) retry or fail
 *          ^                                  |
 *          +---- wait for NOTIFY when idle <--+
 *
 * A stop request (the pool forwards SIGTERM) is honoured between jobs, so a
 * job is never abandoned half-done by a graceful stop.
 */
#include "workers/workers_internal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline.h"

volatile sig_atomic_t cs_worker_stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    cs_worker_stop_requested = 1;
}

int cs_worker_main(int index, const cs_work_options *opt)
{
    char err[CS_ERRLEN] = "", host[64] = "", worker[128];
    cs_store *store = NULL;
    cs_stage_ctx *ctx = NULL;
    struct sigaction sa;
    long done = 0;
    int rc = 1;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "%s:%d:%d", host, (int)getpid(), index);
    if (cs_store_open(&store, err, sizeof err) < 0 || cs_stage_ctx_new(&ctx, err, sizeof err) < 0 ||
        cs_jobs_listen(store, err, sizeof err) < 0) {
        cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
        goto out;
    }
    while (!cs_worker_stop_requested) {
        cs_job job;
        int got = cs_jobs_claim(store, worker, opt->lease_seconds, &job, err, sizeof err);
        if (got < 0) {
            cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
            goto out;
        }
        if (got == 0) {
            long queued = 0, running = 0;
            if (opt->until_idle) {
                if (cs_jobs_pending(store, &queued, &running, err, sizeof err) < 0) {
                    cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
                    goto out;
                }
                if (queued == 0 && running == 0)
                    break;
            }
            /* a running job may queue more work, or a retry come due: wake up now and then */
            if (cs_jobs_wait(store, 2000, err, sizeof err) < 0) {
                cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
                goto out;
            }
            continue;
        }
        double t0 = cs_now_ms();
        if (cs_stage_run(store, ctx, &job, err, sizeof err) < 0) {
            char err2[CS_ERRLEN];
            cs_log(CS_LOG_WARN, "job %lld (%s, attempt %d of %d): %s", (long long)job.id, job.kind,
                   job.attempts, job.max_attempts, err);
            if (cs_jobs_retry_or_fail(store, &job, err, err2, sizeof err2) < 0) {
                cs_log(CS_LOG_ERROR, "worker %d: %s", index, err2);
                goto out;
            }
        } else {
            done++;
            cs_log(CS_LOG_DEBUG, "job %lld (%s) done in %.0f ms", (long long)job.id, job.kind,
                   cs_now_ms() - t0);
        }
    }
    cs_log(CS_LOG_INFO, "worker %d: %ld jobs done, exiting", index, done);
    rc = 0;
out:
    cs_stage_ctx_free(&ctx);
    cs_store_close(&store);
    return rc;
}

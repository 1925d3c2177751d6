/*
 * worker.c — one worker process: its own database connection, stage state
 * (Tesseract engine, model) and heartbeat, and the loop
 *
 *     claim a job --> run its stage (heartbeat renews the lease) --> next
 *          ^              |  failed: retry with backoff, or fail for good
 *          |              |  connection lost: reconnect, give the job back
 *          +-- idle: wait for NOTIFY (or exit, with --until-idle)
 *
 * A stop request (SIGTERM / SIGINT, passed on by the pool) is honoured
 * between jobs: the current job finishes; a job claimed but not started is
 * given back.  A lost database connection is reopened with backoff (1 s
 * doubling to 30 s); the job held then goes back to the queue and is redone.
 */
#include "workers/workers_internal.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/common.h"
#include "pipeline/pipeline.h"

#define MAX_CONSECUTIVE_ERRORS 5
#define MAX_BACKOFF_SECONDS 30
/* every this many jobs a worker logs its resident size (a leak shows as growth) */
#define RSS_LOG_EVERY 500

volatile sig_atomic_t cs_worker_stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    cs_worker_stop_requested = 1;
}

/* Sleep, cut short by a stop request. */
static void pause_seconds(int seconds)
{
    for (int i = 0; i < seconds * 10 && !cs_worker_stop_requested; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Resident set size now, in kB (Linux /proc; the peak elsewhere). */
static long rss_kb(void)
{
    long pages = -1, resident = -1;
    FILE *fp = fopen("/proc/self/statm", "r");

    if (fp) {
        if (fscanf(fp, "%ld %ld", &pages, &resident) != 2)
            resident = -1;
        fclose(fp);
    }
    if (resident < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss;
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Open the store and LISTEN; 0, or -1 after logging why. */
static int connect_store(int index, cs_store **store)
{
    char err[CS_ERRLEN] = "";
    if (cs_store_open(store, err, sizeof err) < 0 ||
        cs_store_worker_session(*store, err, sizeof err) < 0 ||
        cs_jobs_listen(*store, err, sizeof err) < 0) {
        cs_log(CS_LOG_WARN, "worker %d: %s", index, err);
        cs_store_close(store);
        return -1;
    }
    return 0;
}

int cs_worker_main(int index, const cs_work_options *opt)
{
    char err[CS_ERRLEN] = "", host[64] = "", worker[128];
    cs_store *store = NULL;
    cs_stage_ctx *ctx = NULL;
    cs_heartbeat *hb = NULL;
    struct sigaction sa;
    long done = 0;
    int rc = 1, errors = 0, backoff = 1;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "%s:%d:%d", host, (int)getpid(), index);
    if (cs_stage_ctx_new(&ctx, err, sizeof err) < 0 ||
        cs_heartbeat_new(opt->lease_seconds, &hb, err, sizeof err) < 0) {
        cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
        goto out;
    }
    while (!cs_worker_stop_requested) {
        cs_job job;
        int got, lost;

        if (errors >= MAX_CONSECUTIVE_ERRORS) {
            cs_log(CS_LOG_ERROR, "worker %d: giving up after %d errors in a row", index, errors);
            goto out;
        }
        if (store && !cs_store_ok(store)) {
            cs_log(CS_LOG_WARN, "worker %d: database connection lost, reconnecting", index);
            cs_store_close(&store);
        }
        if (!store) {
            if (connect_store(index, &store) < 0) {
                pause_seconds(backoff);
                backoff = backoff * 2 > MAX_BACKOFF_SECONDS ? MAX_BACKOFF_SECONDS : backoff * 2;
                continue;
            }
            backoff = 1;
        }

        got = cs_jobs_claim(store, worker, opt->lease_seconds, &job, err, sizeof err);
        if (got < 0) {
            if (cs_store_ok(store)) {
                cs_log(CS_LOG_ERROR, "worker %d: %s", index, err);
                errors++;
                pause_seconds(1);
            }
            continue;
        }
        if (got == 0) {
            long queued = 0, running = 0;
            if (opt->until_idle) {
                if (cs_jobs_pending(store, &queued, &running, err, sizeof err) < 0)
                    continue;
                if (queued == 0 && running == 0)
                    break;
            }
            /* a running job may queue more work, or a retry come due: wake now and then */
            cs_jobs_wait(store, 2000, err, sizeof err);
            continue;
        }
        if (cs_worker_stop_requested) {
            cs_jobs_release(store, &job, err, sizeof err);
            break;
        }

        double t0 = cs_now_ms();
        cs_heartbeat_watch(hb, &job);
        got = cs_stage_run(store, ctx, &job, err, sizeof err);
        lost = cs_heartbeat_clear(hb);
        if (got == 0) {
            done++;
            errors = 0;
            cs_log(CS_LOG_DEBUG, "job %lld (%s) done in %.0f ms", (long long)job.id, job.kind,
                   cs_now_ms() - t0);
            if (done % RSS_LOG_EVERY == 0)
                cs_log(CS_LOG_INFO, "worker %d: %ld jobs done, RSS %ld MB", index, done,
                       rss_kb() / 1024);
            continue;
        }
        if (!cs_store_ok(store)) {
            /* not the job's fault: give it back once we are connected again */
            cs_log(CS_LOG_WARN, "job %lld (%s): database connection lost; it will be redone",
                   (long long)job.id, job.kind);
            cs_store_close(&store);
            if (connect_store(index, &store) == 0)
                cs_jobs_release(store, &job, err, sizeof err);
            continue;
        }
        if (lost) {
            cs_log(CS_LOG_WARN, "job %lld (%s): another worker took it over", (long long)job.id,
                   job.kind);
            continue;
        }
        cs_log(CS_LOG_WARN, "job %lld (%s, attempt %d of %d): %s", (long long)job.id, job.kind,
               job.attempts, job.max_attempts, err);
        {
            char err2[CS_ERRLEN];
            if (cs_jobs_retry_or_fail(store, &job, err, err2, sizeof err2) < 0) {
                cs_log(CS_LOG_ERROR, "worker %d: %s", index, err2);
                errors++;
            }
        }
    }
    {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        cs_log(CS_LOG_INFO, "worker %d: %ld jobs done, peak RSS %ld MB, exiting", index, done,
               ru.ru_maxrss / 1024);
    }
    rc = 0;
out:
    cs_heartbeat_free(&hb);
    cs_stage_ctx_free(&ctx);
    cs_store_close(&store);
    return rc;
}

/*
 * heartbeat.c — keeps the lease of the job a worker is running alive.  A
 * thread with its own database connection renews the lease every third of
 * its length while the stage runs (OCR of a page takes seconds, an unpack of
 * a large archive minutes).  Leases can therefore be short: when a worker
 * dies, its job returns to the queue within one lease, not after an hour.
 *
 * Call sequence (worker thread):
 *   cs_heartbeat_new -> (cs_heartbeat_watch(job) ... cs_heartbeat_clear)* -> cs_heartbeat_free
 */
#include "workers/workers_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/common.h"
#include "pipeline/pipeline.h"

struct cs_heartbeat {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int lease_seconds;
    int stopping;
    int has_job;
    cs_job job;
    int lost;            /* the lease went to another worker */
};

static void *beat(void *arg)
{
    cs_heartbeat *hb = arg;
    cs_store *store = NULL;
    char err[CS_ERRLEN];

    pthread_mutex_lock(&hb->lock);
    while (!hb->stopping) {
        struct timespec until;
        cs_job job;
        int r;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += hb->lease_seconds / 3 > 0 ? hb->lease_seconds / 3 : 1;
        r = 0;
        while (!hb->stopping && r != ETIMEDOUT)
            r = pthread_cond_timedwait(&hb->wake, &hb->lock, &until);
        if (hb->stopping || !hb->has_job)
            continue;
        job = hb->job;
        pthread_mutex_unlock(&hb->lock);

        if (store && !cs_store_ok(store))
            cs_store_close(&store);
        if (!store && cs_store_open(&store, err, sizeof err) < 0)
            cs_log(CS_LOG_WARN, "heartbeat: %s", err);
        r = store ? cs_jobs_renew(store, &job, hb->lease_seconds, err, sizeof err) : -1;
        if (r < 0 && store)
            cs_log(CS_LOG_WARN, "heartbeat for job %lld: %s", (long long)job.id, err);

        pthread_mutex_lock(&hb->lock);
        if (r == 0 && hb->has_job && hb->job.id == job.id) {
            hb->lost = 1;
            cs_log(CS_LOG_WARN, "%s", err);   /* lease taken over, or batch cancelled */
        }
    }
    pthread_mutex_unlock(&hb->lock);
    cs_store_close(&store);
    return NULL;
}

int cs_heartbeat_new(int lease_seconds, cs_heartbeat **out, char *err, size_t errlen)
{
    cs_heartbeat *hb = calloc(1, sizeof *hb);

    *out = NULL;
    if (!hb)
        return cs_fail(err, errlen, "out of memory");
    hb->lease_seconds = lease_seconds;
    pthread_mutex_init(&hb->lock, NULL);
    pthread_cond_init(&hb->wake, NULL);
    if (pthread_create(&hb->thread, NULL, beat, hb) != 0) {
        pthread_cond_destroy(&hb->wake);
        pthread_mutex_destroy(&hb->lock);
        free(hb);
        return cs_fail(err, errlen, "could not start the heartbeat thread");
    }
    *out = hb;
    return 0;
}

void cs_heartbeat_watch(cs_heartbeat *hb, const cs_job *job)
{
    pthread_mutex_lock(&hb->lock);
    hb->job = *job;
    hb->has_job = 1;
    hb->lost = 0;
    pthread_mutex_unlock(&hb->lock);
}

int cs_heartbeat_clear(cs_heartbeat *hb)
{
    int lost;
    pthread_mutex_lock(&hb->lock);
    hb->has_job = 0;
    lost = hb->lost;
    pthread_mutex_unlock(&hb->lock);
    return lost;
}

void cs_heartbeat_free(cs_heartbeat **phb)
{
    cs_heartbeat *hb;
    if (!phb || !*phb)
        return;
    hb = *phb;
    pthread_mutex_lock(&hb->lock);
    hb->stopping = 1;
    pthread_cond_signal(&hb->wake);
    pthread_mutex_unlock(&hb->lock);
    pthread_join(hb->thread, NULL);
    pthread_cond_destroy(&hb->wake);
    pthread_mutex_destroy(&hb->lock);
    free(hb);
    *phb = NULL;
}

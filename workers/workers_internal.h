/*
 * workers_internal.h — shared between the files of workers/ only.
 */
#ifndef CS_WORKERS_INTERNAL_H
#define CS_WORKERS_INTERNAL_H

#include <signal.h>

#include "workers/workers.h"

extern volatile sig_atomic_t cs_worker_stop_requested;

#include "pipeline/pipeline.h"

typedef struct cs_heartbeat cs_heartbeat;
/* Start the heartbeat thread (it connects on first use). */
int  cs_heartbeat_new(int lease_seconds, cs_heartbeat **out, char *err, size_t errlen);
/* Renew job's lease from now on, until cs_heartbeat_clear. */
void cs_heartbeat_watch(cs_heartbeat *hb, const cs_job *job);
/* Stop renewing; returns 1 when the lease was lost meanwhile. */
int  cs_heartbeat_clear(cs_heartbeat *hb);
void cs_heartbeat_free(cs_heartbeat **phb);

/* Body of one worker process; returns its exit status. */
int cs_worker_main(int index, const cs_work_options *opt);

#endif

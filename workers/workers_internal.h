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

/* The pool's progress bar and summary (progress.c). */
typedef struct cs_progress cs_progress;
/* Connect and mark the start; bar: draw on stderr.  -1 (logged) when the
 * database cannot be had: the run goes on without progress or summary. */
int  cs_progress_start(cs_progress **pp, int bar);
/* Redraw the bar when it is due (at most twice a second); no-op without bar or p. */
void cs_progress_tick(cs_progress *p);
/* The last bar and the summary line on out; frees *pp (NULL accepted). */
void cs_progress_finish(cs_progress **pp, FILE *out);

/* Body of one worker process; returns its exit status. */
int cs_worker_main(int index, const cs_work_options *opt);

#endif

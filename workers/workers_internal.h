/*
 * workers_internal.h — shared between the files of workers/ only.
 */
#ifndef CS_WORKERS_INTERNAL_H
#define CS_WORKERS_INTERNAL_H

#include <signal.h>

#include "workers/workers.h"

extern volatile sig_atomic_t cs_worker_stop_requested;

/* Body of one worker process; returns its exit status. */
int cs_worker_main(int index, const cs_work_options *opt);

#endif

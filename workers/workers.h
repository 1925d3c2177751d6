/*
 * workers.h — running the queue: the worker loop (claim, run the stage,
 * retry or fail) and the process pool behind `chartscan work -j N`.
 */
#ifndef CS_WORKERS_H
#define CS_WORKERS_H

#include <stddef.h>

typedef struct cs_work_options {
    int processes;       /* worker processes; <= 0 means the number of cores */
    int until_idle;      /* exit 0 once no job is runnable and none is running */
    int lease_seconds;   /* how long a claimed job is ours before others may take it */
    int quiet;           /* no progress bar on stderr, no summary on stdout */
} cs_work_options;

/*
 * cs_work_run: fork the pool and supervise it until it is done (with
 * until_idle) or told to stop (SIGTERM, SIGINT: each worker finishes its
 * current job, then exits).  Unless quiet: a progress bar on stderr when it
 * is a terminal, and a summary line on stdout at the end (progress.c).
 * Returns 0 when every worker ended cleanly, -1 with a message in err
 * otherwise.
 */
int cs_work_run(const cs_work_options *opt, char *err, size_t errlen);

#endif

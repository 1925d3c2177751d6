/*
 * pipeline_internal.h — shared between the files of pipeline/ only: the
 * store's innards and small libpq helpers.
 */
#ifndef CS_PIPELINE_INTERNAL_H
#define CS_PIPELINE_INTERNAL_H

#include <libpq-fe.h>

#include "pipeline/pipeline.h"

struct cs_store {
    PGconn *conn;
    int listening;
};

/*
 * cs_pq: run a parameterised statement (text parameters, NULL for SQL
 * NULL).  Returns the result when its status is COMMAND_OK or TUPLES_OK,
 * else NULL with the server's message in err.
 */
PGresult *cs_pq(cs_store *s, const char *sql, int nparams, const char *const *params,
                char *err, size_t errlen);
/* Same, discarding the result: 0 or -1. */
int cs_pq_exec(cs_store *s, const char *sql, int nparams, const char *const *params,
               char *err, size_t errlen);
int cs_pq_begin(cs_store *s, char *err, size_t errlen);
int cs_pq_commit(cs_store *s, char *err, size_t errlen);
/* Roll back, ignoring errors (used on the way out of a failure). */
void cs_pq_rollback(cs_store *s);

/* Integer of a result cell (0 when NULL). */
long long cs_pq_int(const PGresult *r, int row, int col);

/* Format an int64 into a caller buffer, for parameters. */
const char *cs_i64(char buf[24], long long v);

/* Complete the job inside the current transaction: 0, or -1 when the lease was lost. */
int cs_jobs_complete(cs_store *s, const cs_job *job, char *err, size_t errlen);

/* Stages (stage_unpack.c, stage_ocr.c, stage_assemble.c). */
int cs_stage_unpack(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);
int cs_stage_ocr(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);
int cs_stage_assemble(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen);

#endif

/*
 * stage.c — per-worker stage state and dispatch.  The state lives as long
 * as the worker: the Tesseract engine (created on the first OCR job, kept
 * warm), the active document-type model (reloaded when a newer one is made
 * active), and the bytes of the last source file read (consecutive OCR jobs
 * are mostly pages of the same file).
 */
#include "pipeline/stages/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

int cs_stage_ctx_new(cs_stage_ctx **out, char *err, size_t errlen)
{
    cs_stage_ctx *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return cs_fail(err, errlen, "out of memory");
    *out = c;
    return 0;
}

void cs_stage_ctx_free(cs_stage_ctx **pc)
{
    cs_stage_ctx *c;
    if (!pc || !*pc)
        return;
    c = *pc;
    cs_ocr_engine_free(&c->engine);
    cs_classifier_free(&c->model);
    cs_titles_free(&c->titles);
    free(c->file_data);
    free(c);
    *pc = NULL;
}

int cs_stage_run(cs_store *s, cs_stage_ctx *ctx, const cs_job *job, char *err, size_t errlen)
{
    if (!strcmp(job->kind, "unpack"))
        return cs_stage_unpack(s, ctx, job, err, errlen);
    if (!strcmp(job->kind, "ocr"))
        return cs_stage_ocr(s, ctx, job, err, errlen);
    if (!strcmp(job->kind, "assemble"))
        return cs_stage_assemble(s, ctx, job, err, errlen);
    return cs_fail(err, errlen, "job %lld has unknown kind \"%s\"", (long long)job->id, job->kind);
}

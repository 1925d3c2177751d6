/*
 * stage_internal.h — the per-worker state shared by the stage files.
 */
#ifndef CS_STAGE_INTERNAL_H
#define CS_STAGE_INTERNAL_H

#include "indexer/indexer.h"
#include "ocr/ocr.h"
#include "pipeline/pipeline_internal.h"

struct cs_stage_ctx {
    cs_ocr_engine *engine;       /* created on first use */
    cs_classifier *model;        /* the active model, or NULL */
    int model_id;                /* its id; 0 when none loaded */
    cs_titles *titles;           /* the taxonomy's title lines, loaded with the model */
    int titles_model_id;         /* the model_id they were loaded with */
    long long file_id;           /* whose bytes are cached in file_data */
    unsigned char *file_data;
    size_t file_len;
};

#endif

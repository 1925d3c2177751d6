/*
 * review_internal.h — shared between the files of review/ only: the
 * static assets compiled into the binary.
 */
#ifndef CS_REVIEW_INTERNAL_H
#define CS_REVIEW_INTERNAL_H

typedef struct cs_review_asset {
    const char *path;            /* as requested, e.g. "/static/app.css", or a page name */
    const char *content_type;
    const char *body;
} cs_review_asset;

/* The asset at path, or NULL. */
const cs_review_asset *cs_review_asset_find(const char *path);

#endif

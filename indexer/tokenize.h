/*
 * tokenize.h — internal to indexer/: turning text into classifier
 * features.  Shared by training and prediction so that both see exactly
 * the same feature strings.  Not part of the module's public interface.
 */
#ifndef CS_INDEXER_TOKENIZE_H
#define CS_INDEXER_TOKENIZE_H

#include <stddef.h>

/* Longest token kept; longer runs (base64, OCR garbage) are dropped. */
#define CS_TOKEN_MAX 32
/* Longest feature string: prefix, two tokens and a separator. */
#define CS_FEATURE_MAX (2 + 2 * CS_TOKEN_MAX + 1)

/*
 * Called once per feature occurrence; feature is not NUL-terminated and
 * only valid during the call.  Return 0 to go on, negative to stop.
 */
typedef int (*cs_feature_fn)(void *ctx, const char *feature, size_t len);

/*
 * cs_text_features: call fn for every feature of text (see tokenize.c for
 * the feature spaces).  Returns 0, or the first negative value fn returned.
 */
int cs_text_features(const char *text, cs_feature_fn fn, void *ctx);

#endif

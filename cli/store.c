/*
 * store.c — what every command does around the database: open it (and
 * insist on the current schema), and say why a command failed.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

int cs_cli_fail(const char *err)
{
    fprintf(stderr, "chartscan: %s\n", err);
    return 1;
}

int cs_cli_open_store(cs_store **s, int need_schema, char *err, size_t errlen)
{
    if (cs_store_open(s, err, errlen) < 0)
        return -1;
    if (need_schema && cs_store_require_schema(*s, err, errlen) < 0) {
        cs_store_close(s);
        return -1;
    }
    return 0;
}

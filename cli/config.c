/*
 * config.c — `chartscan config set KEY VALUE | unset KEY | list`: the site's
 * interface settings; the work (checks, storage, audit) is pipeline/'s
 * (pipeline/commands/config.c).  A bad key or value is a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

int cs_cli_config(int argc, char **argv)
{
    static const char *const actions[] = {"set", "unset", "list", NULL};
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int rc, set, unset, list;

    if (argc < 2)
        return cs_cli_usage("config", "%s", "config needs one of set, unset, list");
    set = !strcmp(argv[1], "set");
    unset = !strcmp(argv[1], "unset");
    list = !strcmp(argv[1], "list");
    if (!set && !unset && !list)
        return cs_cli_unknown("config", "config action", argv[1], actions);
    if (argc != (set ? 4 : unset ? 3 : 2))
        return cs_cli_usage("config", "%s", set ? "config set needs KEY VALUE"
                                          : unset ? "config unset needs KEY"
                                                  : "config list takes no arguments");
    /* a misspelt key is a usage error before any database is needed */
    if ((set || unset) && cs_config_known_key(argv[2], err, sizeof err) != 0)
        return cs_cli_usage("config", "%s", err);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = set ? cs_config_set(s, argv[2], argv[3], stdout, err, sizeof err)
       : unset ? cs_config_unset(s, argv[2], stdout, err, sizeof err)
               : cs_config_list(s, stdout, err, sizeof err);
    cs_store_close(&s);
    if (rc == CS_CONFIG_USAGE)
        return cs_cli_usage("config", "%s", err);
    return rc < 0 ? cs_cli_fail(err) : 0;
}


/*
 * batch.c — `chartscan batch cancel ID | purge --older-than DAYS |
 * expect ID FILE.csv`: a batch's life after submit and its prep sheet
 * (pipeline/commands/batch.c and reconcile.c do the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

/* --older-than DAYS of argv[2...]: the days, or -1 after printing a usage error. */
static long older_than(int argc, char **argv)
{
    static const struct option opts[] = {
        {"older-than", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    long days = -1;
    char *end;
    int c;

    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'o')
            return cs_cli_bad_option("batch purge", argc, argv, "", opts), -1;
        days = strtol(optarg, &end, 10);
        if (!*optarg || *end || days < 0 || days > 36500)
            return cs_cli_usage("batch", "--older-than needs 0 to 36500 days, not \"%s\"", optarg), -1;
    }
    if (optind != argc)
        return cs_cli_usage("batch", "unexpected argument \"%s\"", argv[optind]), -1;
    if (days < 0)
        cs_cli_usage("batch", "%s", "batch purge needs --older-than DAYS");
    return days;
}

int cs_cli_batch(int argc, char **argv)
{
    static const char *const actions[] = {"cancel", "purge", "expect", NULL};
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    long days = -1;
    int rc;

    if (argc < 2)
        return cs_cli_usage("batch", "%s", "batch needs one of cancel, purge, expect");
    if (!strcmp(argv[1], "expect")) {
        if (argc != 4 || argv[2][0] == '-' || argv[3][0] == '-')
            return cs_cli_usage("batch", "%s", "batch expect needs a batch ID and a prep sheet FILE.csv");
    } else if (!strcmp(argv[1], "cancel")) {
        if (argc != 3 || argv[2][0] == '-')
            return cs_cli_usage("batch", "%s", "batch cancel needs one batch ID");
    } else if (!strcmp(argv[1], "purge")) {
        if ((days = older_than(argc, argv)) < 0)
            return CS_EXIT_USAGE;
    } else {
        return cs_cli_unknown("batch", "batch action", argv[1], actions);
    }
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    if (!strcmp(argv[1], "expect"))
        rc = cs_batch_expect(s, argv[2], argv[3], stdout, err, sizeof err);
    else
        rc = days < 0 ? cs_batch_cancel(s, argv[2], stdout, err, sizeof err)
                      : cs_batch_purge(s, (int)days, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

/*
 * qa.c — argument parsing for `chartscan qa sample|report|review-all`; the
 * work is pipeline/'s (pipeline/review/qa_store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/review/qa_store.h"

static const char *const qa_actions[] = {"sample", "report", "review-all", NULL};

/* A batch id: a positive integer, or 0 when it is not one. */
static long long batch_id_of(const char *arg)
{
    char *end;
    long long v = strtoll(arg, &end, 10);
    return *arg && !*end && v > 0 ? v : 0;
}

/* chartscan qa sample --batch ID [--rate R] [--min N] | report [--batch ID] | review-all --batch ID */
int cs_cli_qa(int argc, char **argv)
{
    static const struct option opts[] = {
        {"batch", required_argument, NULL, 'b'},
        {"rate", required_argument, NULL, 'r'},
        {"min", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "", *end;
    long long batch = 0;
    double rate = 0.05;
    long min_sample = 20;
    int c, rc, sample, report, review_all;
    cs_store *s = NULL;

    if (argc < 2)
        return cs_cli_usage("qa", "%s", "qa needs one of sample, report, review-all");
    sample = !strcmp(argv[1], "sample");
    report = !strcmp(argv[1], "report");
    review_all = !strcmp(argv[1], "review-all");
    if (!sample && !report && !review_all)
        return cs_cli_unknown("qa", "qa action", argv[1], qa_actions);
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b' && !(batch = batch_id_of(optarg)))
            return cs_cli_usage("qa", "--batch needs a batch id, not \"%s\"", optarg);
        else if (c == 'r' && sample) {
            rate = strtod(optarg, &end);
            if (!*optarg || *end || !(rate > 0 && rate <= 1))
                return cs_cli_usage("qa", "--rate needs a fraction above 0 and at most 1, not \"%s\"",
                                   optarg);
        } else if (c == 'm' && sample) {
            min_sample = strtol(optarg, &end, 10);
            if (!*optarg || *end || min_sample < 0 || min_sample > 1000000)
                return cs_cli_usage("qa", "--min needs a count from 0, not \"%s\"", optarg);
        } else if (c == 'r' || c == 'm')
            return cs_cli_usage("qa", "--rate and --min are options of qa sample, not of qa %s",
                                argv[1]);
        else if (c != 'b')
            return cs_cli_bad_option("qa", argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage("qa", "unexpected argument \"%s\"", argv[optind]);
    if (!batch && !report)
        return cs_cli_usage("qa", "qa %s needs --batch ID", argv[1]);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = sample ? cs_qa_command_sample(s, batch, rate, min_sample, stdout, err, sizeof err)
       : report ? cs_qa_command_report(s, batch, stdout, err, sizeof err)
                : cs_qa_command_review_all(s, batch, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

/*
 * coversheet.c — `chartscan coversheet --mrn MRN [--doctype TYPE] [--out
 * FILE.pdf] | --batch-from FILE.csv`: barcode separator sheets; the work
 * (roster lookup, audit, the PDF) is pipeline/commands/coversheet.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

int cs_cli_coversheet(int argc, char **argv)
{
    static const struct option opts[] = {
        {"mrn", required_argument, NULL, 'm'},
        {"doctype", required_argument, NULL, 't'},
        {"batch-from", required_argument, NULL, 'b'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *mrn = NULL, *doctype = NULL, *csv = NULL, *out = NULL;
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'm')
            mrn = optarg;
        else if (c == 't')
            doctype = optarg;
        else if (c == 'b')
            csv = optarg;
        else if (c == 'o')
            out = optarg;
        else
            return cs_cli_bad_option("coversheet", argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage("coversheet", "unexpected argument \"%s\"", argv[optind]);
    if (!mrn == !csv)
        return cs_cli_usage("coversheet", "%s", "coversheet needs either --mrn MRN or --batch-from FILE.csv");
    if (csv && doctype)
        return cs_cli_usage("coversheet", "%s", "--doctype goes with --mrn; a CSV has a doctype column");
    if (!*(mrn ? mrn : csv) || (out && !*out))
        return cs_cli_usage("coversheet", "%s", "an empty argument");
    if (!out && isatty(STDOUT_FILENO))
        return cs_cli_usage("coversheet", "%s", "refusing to write a PDF to a terminal: use --out FILE or a pipe");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_coversheet_print(s, mrn, doctype, csv, out, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

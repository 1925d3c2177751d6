/*
 * export_ehr.c — argument parsing for `chartscan export fhir` and
 * `chartscan export hl7`; the work is pipeline/'s (cs_export_fhir,
 * cs_export_hl7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"

/* argv[0] = "fhir" or "hl7"; returns the exit status. */
int cs_cli_export_ehr(int argc, char **argv)
{
    int hl7 = !strcmp(argv[0], "hl7");
    cs_export_options o;
    cs_store *s = NULL;
    char err[CS_ERRLEN];
    int rc;

    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(cs_cli_help(hl7 ? "export-hl7" : "export-fhir"), stdout);
            return 0;
        } else if (!strcmp(a, "--batch")) {
            slot = &o.batch;
        } else if (!strcmp(a, "--since")) {
            slot = &o.since;
        } else if (!strcmp(a, "--destination")) {
            slot = &o.destination;
        } else if (!strcmp(a, "--out")) {
            slot = &o.out_dir;
        } else if (hl7 && !strcmp(a, "--mllp")) {
            slot = &o.mllp;
        } else if (hl7 && !strcmp(a, "--timeout")) {
            char *end;
            long v;
            if (i + 1 >= argc) {
                fprintf(stderr, "chartscan: --timeout needs a value\n");
                return 2;
            }
            v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 3600) {
                fprintf(stderr, "chartscan: --timeout must be 1 to 3600 seconds\n");
                return 2;
            }
            o.mllp_timeout_ms = (int)v * 1000;
            continue;
        } else if (!strcmp(a, "--allow-placeholder-ids")) {
            o.allow_placeholder_ids = 1;
            continue;
        } else if (hl7 && !strcmp(a, "--text")) {
            o.pdf = CS_EXPORT_PDF_NONE;
            continue;
        } else if (!hl7 && !strcmp(a, "--inline-pdf")) {
            o.pdf = CS_EXPORT_PDF_INLINE;
            continue;
        } else if (!hl7 && !strcmp(a, "--no-pdf")) {
            o.pdf = CS_EXPORT_PDF_NONE;
            continue;
        } else {
            static const char *const fhir_options[] = {"--batch", "--since", "--destination",
                "--out", "--inline-pdf", "--no-pdf", "--help", NULL};
            static const char *const hl7_options[] = {"--batch", "--since", "--destination",
                "--out", "--mllp", "--timeout", "--text", "--help", NULL};
            return cs_cli_unknown(hl7 ? "export hl7" : "export fhir", "option", a,
                                  hl7 ? hl7_options : fhir_options);
        }
        if (i + 1 >= argc || !*argv[i + 1]) {
            fprintf(stderr, "chartscan: %s needs a value\n", a);
            return 2;
        }
        *slot = argv[++i];
    }
    if (hl7 && o.mllp && o.out_dir) {
        fprintf(stderr, "chartscan: --out and --mllp exclude each other\n");
        return 2;
    }
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = hl7 ? cs_export_hl7(s, &o, stdout, err, sizeof err)
             : cs_export_fhir(s, &o, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}


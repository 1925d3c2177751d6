/*
 * main.c — the chartscan command: parse arguments, dispatch to pipeline/
 * and workers/, turn outcomes into exit statuses (0 success, 1 the work
 * failed, 2 bad usage).  No logic of its own.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/review/review_store.h"
#include "review/review.h"
#include "workers/workers.h"

/* The actions and formats of the commands that take one, for "did you mean". */
static const char *const db_actions[] = {"start", "stop", "status", NULL};
static const char *const patients_actions[] = {"import", NULL};
static const char *const users_actions[] = {"add", "list", "disable", "enable", "passwd",
                                            "revoke-sessions", NULL};
static const char *const export_formats[] = {"manifest", "pdf", "fhir", "hl7", NULL};

/* A problem a command meets on its way (a malformed roster row, an archive
 * the watch could not submit): printed as its errors are. */
static void print_problem(void *arg, const char *message)
{
    (void)arg;
    fprintf(stderr, "chartscan: %s\n", message);
}

static const cs_problems problems_to_stderr = {print_problem, NULL};

/* True when argv holds -h or --help anywhere after the command. */
static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

static int cmd_init(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int rc;
    (void)argv;
    if (argc != 1)
        return cs_cli_usage("init", "%s", "init takes no arguments");
    /* the embedded server: the database, the roles, ownership (store.c, note 3) */
    if (cs_store_prepare(err, sizeof err) < 0)
        return cs_cli_fail(err);
    if (cs_cli_open_store(&s, 0, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_store_migrate(s, stdout, err, sizeof err);
    if (rc >= 0)
        rc = cs_train_default(s, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_db(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    const char *home = cs_home();
    int exists, running;

    if (argc != 2)
        return cs_cli_usage("db", "%s", "db needs one of start, stop, status");
    if (cs_store_external()) {
        fprintf(stderr, "chartscan: CHARTSCAN_DB is set: the embedded server is not in use\n");
        return 1;
    }
    if (!strcmp(argv[1], "start")) {
        if (cs_server_start(home, err, sizeof err) < 0)
            return cs_cli_fail(err);
        printf("embedded database server running in %s/pg\n", home);
        return 0;
    }
    if (!strcmp(argv[1], "stop")) {
        if (cs_server_stop(home, err, sizeof err) < 0)
            return cs_cli_fail(err);
        printf("embedded database server stopped\n");
        return 0;
    }
    if (!strcmp(argv[1], "status")) {
        if (cs_server_status(home, &exists, &running, err, sizeof err) < 0)
            return cs_cli_fail(err);
        if (!exists)
            printf("no embedded database in %s/pg (it is created on first use)\n", home);
        else
            printf("embedded database in %s/pg: %s\n", home, running ? "running" : "stopped");
        return running ? 0 : 1;
    }
    return cs_cli_unknown("db", "db action", argv[1], db_actions);
}

static int cmd_patients(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int rc;
    if (argc >= 2 && strcmp(argv[1], "import") != 0)
        return cs_cli_unknown("patients", "patients action", argv[1], patients_actions);
    if (argc == 3 && argv[2][0] == '-' && argv[2][1])
        return cs_cli_usage("patients", "unknown option \"%s\"", argv[2]);
    if (argc != 3)
        return cs_cli_usage("patients", "%s", "usage: chartscan patients import FILE.csv");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_patients_import(s, argv[2], stdout, &problems_to_stderr, err, sizeof err);
    if (rc >= 0 && cs_rematch(s, NULL, 1, stdout, err, sizeof err) < 0) {
        /* the roster is in; what failed can be run again on its own */
        fprintf(stderr, "chartscan: the roster was imported, but matching the documents in "
                "review again failed (run \"chartscan rematch\"): %s\n", err);
        cs_store_close(&s);
        return 1;
    }
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"limit", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "", *end;
    cs_buf query = CS_BUF_INIT;
    cs_store *s = NULL;
    int c, rc, json = 0;
    long limit = 50;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') {
            json = 1;
        } else if (c == 'l') {
            limit = strtol(optarg, &end, 10);
            if (*end || end == optarg || limit < 1 || limit > 1000)
                return cs_cli_usage("search", "--limit needs 1 to 1000 documents, not \"%s\"",
                                   optarg);
        } else {
            return cs_cli_bad_option("search", argc, argv, "", opts);
        }
    }
    if (optind >= argc)
        return cs_cli_usage("search", "%s", "search needs a QUERY");
    for (int i = optind; i < argc; i++)
        cs_buf_printf(&query, "%s%s", i > optind ? " " : "", argv[i]);
    if (cs_buf_failed(&query)) {
        cs_buf_free(&query);
        return cs_cli_fail("out of memory");
    }
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0) {
        cs_buf_free(&query);
        return cs_cli_fail(err);
    }
    rc = cs_search(s, query.data, (int)limit, json, stdout, err, sizeof err);
    cs_store_close(&s);
    cs_buf_free(&query);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

/* A command whose one option is --batch ID: run(s, batch) on an owner or worker store. */
static int batch_command(const char *name, int argc, char **argv,
                         int (*run)(cs_store *, const char *, char *, size_t))
{
    static const struct option opts[] = {
        {"batch", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    const char *batch = NULL;
    cs_store *s = NULL;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            batch = optarg;
        else
            return cs_cli_bad_option(name, argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage(name, "unexpected argument \"%s\"", argv[optind]);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = run(s, batch, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int run_rematch(cs_store *s, const char *batch, char *err, size_t errlen)
{
    return cs_rematch(s, batch, 0, stdout, err, errlen);
}

static int cmd_rematch(int argc, char **argv)
{
    return batch_command("rematch", argc, argv, run_rematch);
}

static int cmd_train(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int rc, from_reviews = argc >= 2 && !strcmp(argv[1], "--from-reviews");
    const char *file = from_reviews ? (argc == 3 ? argv[2] : NULL) : (argc == 2 ? argv[1] : NULL);

    for (int i = 1 + from_reviews; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1]) {
            static const char *const train_options[] = {"--from-reviews", NULL};
            return cs_cli_unknown("train", "option", argv[i], train_options);
        }
    if (from_reviews ? argc > 3 : argc != 2)
        return cs_cli_usage("train", "%s", "usage: chartscan train FILE.csv | --from-reviews [FILE.csv]");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = from_reviews ? cs_train_from_reviews(s, file, stdout, err, sizeof err)
                      : cs_train(s, file, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {"public-url", required_argument, NULL, 'u'},
        {"trusted-proxy", required_argument, NULL, 'p'},
        {"pdf-images", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    cs_review_options o = {NULL, NULL, NULL};
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'l')
            o.listen = optarg;
        else if (c == 'u')
            o.public_url = optarg;
        else if (c == 'p')
            o.trusted_proxy = optarg;
        else if (c == 'i') {
            if (cs_pdf_set_images(optarg) < 0)
                return cs_cli_usage("serve", "--pdf-images is original or bilevel, not \"%s\"",
                                    optarg);
        } else
            return cs_cli_bad_option("serve", argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage("serve", "unexpected argument \"%s\"", argv[optind]);
    /* a malformed URL or address is a usage error, found before the database is opened */
    if (cs_review_options_check(&o, err, sizeof err) < 0)
        return cs_cli_usage("serve", "%s", err);
    return cs_review_serve(&o, stdout, err, sizeof err) < 0 ? cs_cli_fail(err) : 0;
}

/* users list | disable NAME | enable NAME | passwd NAME | revoke-sessions NAME */
static int cmd_users_admin(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    const char *action = argv[1], *name = argc == 3 ? argv[2] : NULL;
    cs_store *s = NULL;
    int rc;

    if (!strcmp(action, "list")) {
        if (argc != 2)
            return cs_cli_usage("users", "%s", "users list takes no arguments");
    } else if (!strcmp(action, "disable") || !strcmp(action, "enable") ||
               !strcmp(action, "passwd") || !strcmp(action, "revoke-sessions")) {
        if (argc != 3)
            return cs_cli_usage("users", "users %s needs one NAME", action);
    } else {
        return cs_cli_unknown("users", "users action", action, users_actions);
    }
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    if (!name)
        rc = cs_users_list(s, stdout, err, sizeof err);
    else if (!strcmp(action, "disable"))
        rc = cs_users_disable(s, name, stdout, err, sizeof err);
    else if (!strcmp(action, "enable"))
        rc = cs_users_enable(s, name, stdout, err, sizeof err);
    else if (!strcmp(action, "passwd"))
        rc = cs_review_users_passwd(s, name, stdin, stdout, err, sizeof err);
    else
        rc = cs_users_revoke_sessions(s, name, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_users(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    const char *role = NULL;
    cs_store *s = NULL;
    int c, rc;

    if (argc >= 2 && strcmp(argv[1], "add") != 0)
        return cmd_users_admin(argc, argv);
    if (argc < 2)
        return cs_cli_usage("users", "%s", "usage: chartscan users add|list|disable|enable|passwd|"
                           "revoke-sessions ...");
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            role = optarg;
        else
            return cs_cli_bad_option("users", argc, argv, "", opts);
    }
    if (optind != argc - 1)
        return cs_cli_usage("users", "%s", "users add needs one NAME");
    if (!role || (strcmp(role, "reviewer") != 0 && strcmp(role, "admin") != 0))
        return cs_cli_usage("users", "%s", "--role must be reviewer or admin");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_review_users_add(s, argv[optind], role, stdin, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"user", required_argument, NULL, 'u'},
        {"since", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    const char *user = NULL, *since = NULL;
    cs_store *s = NULL;
    int c, rc, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'u')
            user = optarg;
        else if (c == 's')
            since = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cs_cli_bad_option("audit", argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage("audit", "unexpected argument \"%s\"", argv[optind]);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_review_audit(s, user, since, json, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_submit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"max-pages", required_argument, NULL, 'm'},
        {"expect", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    cs_submit_options o = {0};
    cs_prep_sheet *sheet = NULL;
    const char *expect = NULL;
    char err[CS_ERRLEN] = "", *end;
    cs_store *s = NULL;
    int c, failures = 0;
    long n;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'e') {
            expect = optarg;
            continue;
        }
        if (c != 'm')
            return cs_cli_bad_option("submit", argc, argv, "", opts);
        n = strtol(optarg, &end, 10);
        if (*end || end == optarg || n < 1 || n > 100000000)
            return cs_cli_usage("submit", "--max-pages needs 1 to 100000000 pages, not \"%s\"",
                               optarg);
        o.max_pages = (int)n;
    }
    if (optind >= argc)
        return cs_cli_usage("submit", "%s", "submit needs at least one archive");
    /* a bad prep sheet stops everything before any archive is stored */
    if (expect && (cs_prep_sheet_read(expect, &sheet, err, sizeof err) < 0 ||
                   cs_prep_sheet_check(sheet, argv + optind, argc - optind, err, sizeof err) < 0)) {
        cs_prep_sheet_free(&sheet);
        return cs_cli_fail(err);
    }
    o.expect = sheet;
    o.expect_by_name = argc - optind > 1;
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0) {
        cs_prep_sheet_free(&sheet);
        return cs_cli_fail(err);
    }
    for (int i = optind; i < argc; i++) {
        err[0] = '\0';
        if (cs_submit_with(s, argv[i], &o, stdout, err, sizeof err) < 0) {
            cs_cli_fail(err);
            failures++;
        }
        fflush(stdout);
    }
    cs_store_close(&s);
    cs_prep_sheet_free(&sheet);
    return failures ? 1 : 0;
}

static int cmd_work(int argc, char **argv)
{
    static const struct option opts[] = {
        {"jobs", required_argument, NULL, 'j'},
        {"until-idle", no_argument, NULL, 'u'},
        {"lease", required_argument, NULL, 'l'},
        {"pdf-images", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    cs_work_options o = {0, 0, 60, 0};
    char err[CS_ERRLEN] = "", *end;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "j:", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            o.processes = (int)strtol(optarg, &end, 10);
            if (*end || o.processes < 1 || o.processes > 256)
                return cs_cli_usage("work", "-j needs a number from 1 to 256, not \"%s\"", optarg);
            break;
        case 'u':
            o.until_idle = 1;
            break;
        case 'l':
            o.lease_seconds = (int)strtol(optarg, &end, 10);
            if (*end || o.lease_seconds < 10)
                return cs_cli_usage("work", "--lease needs at least 10 seconds, not \"%s\"", optarg);
            break;
        case 'i':   /* inherited by the forked workers */
            if (cs_pdf_set_images(optarg) < 0)
                return cs_cli_usage("work", "--pdf-images is original or bilevel, not \"%s\"",
                                    optarg);
            break;
        default:
            return cs_cli_bad_option("work", argc, argv, "j:", opts);
        }
    }
    if (optind != argc)
        return cs_cli_usage("work", "unexpected argument \"%s\"", argv[optind]);
    if (cs_work_run(&o, err, sizeof err) < 0)
        return cs_cli_fail(err);
    return 0;
}

static int cmd_status(int argc, char **argv)
{
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    cs_status_options o = {0};
    int watch = 0, rc = 0;

    static const char *const options[] = {"--watch", "--active", "--json", NULL};

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--watch"))
            watch = 1;
        else if (!strcmp(argv[i], "--active"))
            o.active = 1;
        else if (!strcmp(argv[i], "--json"))
            o.json = 1;
        else if (argv[i][0] == '-')
            return cs_cli_unknown("status", "option", argv[i], options);
        else
            return cs_cli_usage("status", "unexpected argument \"%s\"", argv[i]);
    }
    if (watch && o.json)
        return cs_cli_usage("status", "%s", "--watch and --json do not go together");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    do {
        int tty = isatty(STDOUT_FILENO);
        /* on a terminal, redraw in place with bars; elsewhere, plain lines */
        if (watch && tty)
            printf("\033[H\033[J");
        o.bars = watch && tty;
        rc = cs_status_with(s, &o, stdout, err, sizeof err);
        if (watch && !tty)
            printf("\n");
        fflush(stdout);
        if (watch && rc == 0)
            sleep(2);
    } while (watch && rc == 0);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"interval", required_argument, NULL, 'i'},
        {"max-pages", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    cs_submit_options o = {0};
    char err[CS_ERRLEN] = "", *end;
    cs_store *s = NULL;
    int c, rc, interval = 2;
    long n;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'm') {
            n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > 100000000)
                return cs_cli_usage("watch", "--max-pages needs 1 to 100000000 pages, not \"%s\"",
                                   optarg);
            o.max_pages = (int)n;
            continue;
        }
        if (c != 'i')
            return cs_cli_bad_option("watch", argc, argv, "", opts);
        interval = (int)strtol(optarg, &end, 10);
        if (*end || interval < 1 || interval > 3600)
            return cs_cli_usage("watch", "--interval needs 1 to 3600 seconds, not \"%s\"", optarg);
    }
    if (optind != argc - 1)
        return cs_cli_usage("watch", "%s", "watch needs one folder");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_watch(s, argv[optind], interval, &o, stdout, &problems_to_stderr, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"csv", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    cs_store *s = NULL;
    int c, rc, csv = 0, json = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'c')
            csv = 1;
        else if (c == 'j')
            json = 1;
        else
            return cs_cli_bad_option("report", argc, argv, "", opts);
    }
    if (optind != argc - 1)
        return cs_cli_usage("report", "%s", "report needs one BATCH (an id or an archive name)");
    if (csv && json)
        return cs_cli_usage("report", "%s", "--csv and --json do not go together");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = json ? cs_report_json(s, argv[optind], stdout, err, sizeof err)
              : cs_report(s, argv[optind], csv, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int run_retry(cs_store *s, const char *batch, char *err, size_t errlen)
{
    return cs_retry(s, batch, stdout, err, errlen);
}

static int cmd_retry(int argc, char **argv)
{
    return batch_command("retry", argc, argv, run_retry);
}

static int cmd_export_pdf(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    const char *out = NULL;
    cs_store *s = NULL;
    int c, rc;

    optind = 2;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (c == 'o')
            out = optarg;
        else
            return cs_cli_bad_option("export", argc, argv, "o:", opts);
    }
    if (optind != argc - 1)
        return cs_cli_usage("export", "%s", "export pdf needs one DOCUMENT_ID");
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_export_pdf(s, argv[optind], out, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

static int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"batch", required_argument, NULL, 'b'},
        {"with-text", no_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    char err[CS_ERRLEN] = "";
    const char *batch = NULL, *out = NULL;
    cs_store *s = NULL;
    int with_text = 0, c, rc;

    if (argc < 2)
        return cs_cli_usage("export", "%s", "export needs a format: manifest, pdf, fhir or hl7");
    if (!strcmp(argv[1], "pdf"))
        return cmd_export_pdf(argc, argv);
    if (!strcmp(argv[1], "fhir") || !strcmp(argv[1], "hl7"))
        return cs_cli_export_ehr(argc - 1, argv + 1);
    if (strcmp(argv[1], "manifest") != 0)
        return cs_cli_unknown("export", "export format", argv[1], export_formats);
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'b')
            batch = optarg;
        else if (c == 't')
            with_text = 1;
        else if (c == 'o')
            out = optarg;
        else
            return cs_cli_bad_option("export", argc, argv, "", opts);
    }
    if (optind != argc)
        return cs_cli_usage("export", "unexpected argument \"%s\"", argv[optind]);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = out ? cs_export_manifest_file(s, batch, with_text, out, err, sizeof err)
             : cs_export_manifest(s, batch, with_text, stdout, err, sizeof err);
    cs_store_close(&s);
    return rc < 0 ? cs_cli_fail(err) : 0;
}

/* Each command connects as the database role its job needs (pipeline/store/store.c,
 * note 3): the queue's commands as the worker, the station as the reviewer,
 * the operator's commands (and any command not listed otherwise) as the owner. */
static const struct {
    const char *name;
    int (*run)(int, char **);
    cs_db_role role;
} commands[] = {
    {"init", cmd_init, CS_DB_OWNER},         {"db", cmd_db, CS_DB_OWNER},
    {"patients", cmd_patients, CS_DB_OWNER}, {"train", cmd_train, CS_DB_OWNER},
    {"submit", cmd_submit, CS_DB_WORKER},    {"work", cmd_work, CS_DB_WORKER},
    {"status", cmd_status, CS_DB_WORKER},    {"export", cmd_export, CS_DB_OWNER},
    {"retry", cmd_retry, CS_DB_WORKER},      {"report", cmd_report, CS_DB_WORKER},
    {"watch", cmd_watch, CS_DB_WORKER},      {"serve", cmd_serve, CS_DB_REVIEWER},
    {"users", cmd_users, CS_DB_OWNER},       {"audit", cmd_audit, CS_DB_OWNER},
    {"qa", cs_cli_qa, CS_DB_OWNER},
    {"document", cs_cli_document, CS_DB_OWNER},
    {"rematch", cmd_rematch, CS_DB_OWNER},   {"search", cmd_search, CS_DB_OWNER},
    {"coversheet", cs_cli_coversheet, CS_DB_OWNER},
    {"config", cs_cli_config, CS_DB_OWNER},
    {"batch", cs_cli_batch, CS_DB_OWNER},
};

/* The command names, for "did you mean". */
static const char *const *command_names(void)
{
    static const char *names[sizeof commands / sizeof commands[0] + 4];
    size_t i;
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    names[i++] = "help";
    names[i++] = "--help";
    names[i++] = "--version";
    names[i] = NULL;
    return names;
}

int main(int argc, char **argv)
{
    const char *name;

    opterr = 0;   /* our own messages name the option (usage.c, note 2) */
    /* a file grown past RLIMIT_FSIZE is a write error (EFBIG) the exports
     * clean up after, not a signal that kills the process and leaves their
     * temporary files behind */
    signal(SIGXFSZ, SIG_IGN);

    if (argc < 2) {
        fputs(cs_cli_help(NULL), stderr);
        return CS_EXIT_USAGE;
    }
    name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        const char *h = argc > 2 ? cs_cli_help(argv[2]) : cs_cli_help(NULL);
        if (!h)
            return cs_cli_unknown(NULL, "command", argv[2], command_names());
        fputs(h, stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("chartscan 0.1\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        if (!strcmp(name, "work") && !getenv("OMP_THREAD_LIMIT")) {
            /* Tesseract's OpenMP runtime reads OMP_THREAD_LIMIT when the library
             * loads, before main(): set it and start again, so that each worker's
             * engine runs on one thread and the processes share the cores. */
            setenv("OMP_THREAD_LIMIT", "1", 1);
            execv("/proc/self/exe", argv);
            /* no /proc: carry on, slower but correct */
        }
        if (wants_help(argc - 1, argv + 1)) {
            const char *h = NULL;
            if (!strcmp(name, "export") && argc > 2 && !strcmp(argv[2], "fhir"))
                h = cs_cli_help("export-fhir");
            else if (!strcmp(name, "export") && argc > 2 && !strcmp(argv[2], "hl7"))
                h = cs_cli_help("export-hl7");
            fputs(h ? h : cs_cli_help(name), stdout);
            return 0;
        }
        cs_store_set_role(commands[i].role);
        return commands[i].run(argc - 1, argv + 1);
    }
    return cs_cli_unknown(NULL, "command", name, command_names());
}

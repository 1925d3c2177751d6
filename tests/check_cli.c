/*
 * check_cli.c — a command line that fits in scripts (issue 15, item 6):
 *
 *   usage       every usage error exits 2 and names what was wrong: unknown
 *               options (named, with a "did you mean" when close), missing
 *               values, extra arguments, misspelt commands and actions
 *   completion  doc/completion/chartscan.bash runs under bash without a
 *               message and completes every command, action and option
 *               that the --help texts list
 *   install     "make install" puts the completion in
 *               PREFIX/share/bash-completion/completions/chartscan
 *   audit       audit --json is one JSON array with the documented keys,
 *               strings escaped (an actor with quotes, a backslash, a tab
 *               and a newline comes back intact)
 *   work        on a terminal (a pseudo-terminal as stderr), work draws a
 *               progress bar (pages done of known, rate, ETA, jobs) redrawn
 *               in place, never wider than the terminal; not on a terminal,
 *               not a byte of it; either way a summary on stdout (batches,
 *               pages, blank, failed, documents, filed, review, time)
 *   export      a failed export leaves nothing behind: with the file size
 *               limited (RLIMIT_FSIZE, a full disk) FHIR, HL7, manifest and
 *               PDF exports exit 1 (not killed by SIGXFSZ) leaving no file,
 *               no temporary file, no destination row and no audit row; when
 *               the database refuses the run's record (a trigger), the FHIR
 *               and HL7 files already renamed into place are removed
 *   watch       watch DIR moves a submitted archive to DIR/done/, a refused
 *               one (not an archive, a duplicate) to DIR/failed/ with a
 *               0600 NAME.reason that holds no byte of the file; folders
 *               0700; a name taken gets a number, nothing is overwritten; a
 *               link is neither submitted nor followed, and a failed/ that
 *               is a link is not written through
 *
 * The binary is the real one (th_chartscan); usage errors need no database.
 */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "tests/harness.h"

static th_env env;
static int initialised;

/* ---- usage ---- */

/* Run chartscan with argv (NULL-terminated, up to 6 words): status 2 and a
 * stderr holding want expected. */
static void expect_usage(const char *want, const char *a1, const char *a2, const char *a3,
                         const char *a4)
{
    th_result r = th_chartscan(&env, a1, a2, a3, a4, (char *)NULL);
    ck_assert_msg(r.status == 2, "chartscan %s %s %s: status %d, stderr %s", a1, a2 ? a2 : "",
                  a3 ? a3 : "", r.status, r.err);
    ck_assert_msg(strstr(r.err, want) != NULL, "chartscan %s %s %s: stderr \"%s\" lacks \"%s\"",
                  a1, a2 ? a2 : "", a3 ? a3 : "", r.err, want);
    ck_assert_msg(r.out[0] == '\0', "a usage error printed on stdout: %s", r.out);
    th_result_free(&r);
}

START_TEST(test_usage_errors)
{
    /* commands and actions, misspelt */
    expect_usage("unknown command \"serch\" (did you mean \"search\"?)", "serch", "x", NULL, NULL);
    expect_usage("did you mean \"submit\"", "sbumit", "a.zip", NULL, NULL);
    expect_usage("did you mean \"--version\"", "--verison", NULL, NULL, NULL);
    expect_usage("unknown command \"frobnicate\"\n", "frobnicate", NULL, NULL, NULL);
    expect_usage("did you mean \"search\"", "help", "serch", NULL, NULL);
    expect_usage("unknown db action \"strat\" (did you mean \"start\"?)", "db", "strat", NULL, NULL);
    expect_usage("did you mean \"disable\"", "users", "disabel", "bob", NULL);
    expect_usage("did you mean \"review-all\"", "qa", "reviewall", "--batch", "1");
    expect_usage("unknown document command \"reopn\" (did you mean \"reopen\"?)", "document", "reopn", "1", NULL);
    expect_usage("did you mean \"fhir\"", "export", "fhr", NULL, NULL);
    expect_usage("did you mean \"import\"", "patients", "imprt", "roster.csv", NULL);
    /* options, each command's parser */
    expect_usage("unknown option \"--jsn\" (did you mean \"--json\"?)", "search", "--jsn", "x", NULL);
    expect_usage("unknown option \"--usr\" (did you mean \"--user\"?)", "audit", "--usr", "a", NULL);
    expect_usage("unknown option \"--untilidle\" (did you mean \"--until-idle\"?)", "work",
                 "--untilidle", NULL, NULL);
    expect_usage("option \"-j\" needs a value", "work", "-j", NULL, NULL);
    expect_usage("unknown option \"-x\"", "work", "-x", NULL, NULL);
    expect_usage("option \"--lease\" needs a value", "work", "--lease", NULL, NULL);
    expect_usage("option \"--json\" takes no value", "search", "--json=yes", "x", NULL);
    expect_usage("did you mean \"--max-pages\"", "submit", "--maxpages", "3", "a.zip");
    expect_usage("did you mean \"--interval\"", "watch", "--intervl", "3", "dir");
    expect_usage("did you mean \"--csv\"", "report", "--cvs", "1", NULL);
    expect_usage("unknown option \"--wach\" (did you mean \"--watch\"?)", "status", "--wach", NULL, NULL);
    expect_usage("did you mean \"cancel\"", "batch", "cancle", "1", NULL);
    expect_usage("did you mean \"--older-than\"", "batch", "purge", "--olderthan", "3");
    expect_usage("did you mean \"coversheet\"", "coversheat", "--mrn", "1", NULL);
    expect_usage("did you mean \"hl7.msh4.sending_facility\"", "config", "set", "hl7.msh4.sending_facilty", "X");
    expect_usage("did you mean \"--batch\"", "retry", "--bath", "1", NULL);
    expect_usage("did you mean \"--batch\"", "rematch", "--btch", "1", NULL);
    expect_usage("did you mean \"--listen\"", "serve", "--lisen", "x:1", NULL);
    expect_usage("did you mean \"--role\"", "users", "add", "--rle", "admin");
    expect_usage("did you mean \"--with-text\"", "export", "manifest", "--with-txt", NULL);
    expect_usage("did you mean \"--out\"", "export", "pdf", "--ot", "f");
    expect_usage("did you mean \"--since\"", "export", "fhir", "--snce", "x");
    expect_usage("did you mean \"--mllp\"", "export", "hl7", "--mlp", "h:1");
    expect_usage("did you mean \"--rate\"", "qa", "sample", "--rtae", "0.1");
    expect_usage("did you mean \"--reason\"", "document", "cancel", "1", "--reasn");
    expect_usage("did you mean \"--from-reviews\"", "train", "--from-review", NULL, NULL);
    expect_usage("unknown option \"--x\"", "patients", "import", "--x", NULL);
    expect_usage("unknown option \"--zzzzzz\"\n", "search", "--zzzzzz", "x", NULL);
    /* missing and extra arguments */
    expect_usage("search needs a QUERY", "search", NULL, NULL, NULL);
    expect_usage("unexpected argument \"extra\"", "audit", "extra", NULL, NULL);
    expect_usage("watch needs one folder", "watch", NULL, NULL, NULL);
    expect_usage("init takes no arguments", "init", "now", NULL, NULL);
}
END_TEST

START_TEST(test_closest)
{
    /* no suggestion when nothing is close: the message stops at the word */
    th_result r = th_chartscan(&env, "xyzzy", (char *)NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_null(strstr(r.err, "did you mean"));
    th_result_free(&r);
    /* a prefix of one command only */
    expect_usage("did you mean \"rematch\"", "rem", NULL, NULL, NULL);
}
END_TEST

/* ---- completion ---- */

typedef struct words {
    char *v[128];
    size_t n;
} words;

static int words_has(const words *w, const char *x)
{
    for (size_t i = 0; i < w->n; i++)
        if (!strcmp(w->v[i], x))
            return 1;
    return 0;
}

static void words_add(words *w, const char *x, size_t len)
{
    char *c = strndup(x, len);
    ck_assert_ptr_nonnull(c);
    if (words_has(w, c) || w->n == sizeof w->v / sizeof w->v[0]) {
        free(c);
        return;
    }
    w->v[w->n++] = c;
}

static void words_free(words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    w->n = 0;
}

/* What the completion offers for "chartscan LINE" (the word being
 * completed last, possibly empty); stderr of bash must stay empty. */
static void complete(const char *line, const char *cur, words *out)
{
    char cmd[2048], errpath[200], buf[256];
    char *err;
    FILE *p;

    snprintf(errpath, sizeof errpath, "%s/completion.err", env.dir);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && PATH='%s':\"$PATH\" bash -uc 'source doc/completion/chartscan.bash; "
             "COMP_WORDS=(chartscan %s \"%s\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _chartscan; "
             "printf \"%%s\\n\" \"${COMPREPLY[@]}\"' 2>'%s'",
             env.root, env.root, line, cur, errpath);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    memset(out, 0, sizeof *out);
    while (fgets(buf, sizeof buf, p))
        if (buf[0] && buf[0] != '\n')
            words_add(out, buf, strcspn(buf, "\n"));
    ck_assert_int_eq(pclose(p), 0);
    err = th_slurp(errpath, NULL);
    ck_assert_msg(err && !err[0], "completion of \"%s %s\" wrote on stderr: %s", line, cur, err);
    free(err);
}

static char *help_text(const char *a1, const char *a2)
{
    th_result r = a1 ? (a2 ? th_chartscan(&env, a1, a2, "--help", (char *)NULL)
                           : th_chartscan(&env, a1, "--help", (char *)NULL))
                     : th_chartscan(&env, "--help", (char *)NULL);
    char *t = r.out;
    ck_assert_int_eq(r.status, 0);
    r.out = NULL;
    th_result_free(&r);
    return t;
}

/* The commands of the overview: the words indented by exactly two spaces. */
static void commands_in(const char *overview, words *out)
{
    memset(out, 0, sizeof *out);
    for (const char *l = overview; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t n = 0;
        if (strncmp(l, "  ", 2) != 0 || !islower((unsigned char)l[2]))
            continue;
        while (islower((unsigned char)l[2 + n]) || l[2 + n] == '-')
            n++;
        words_add(out, l + 2, n);
    }
}

/* The --long options and -x short options a help text names (as check_docs.c reads them). */
static void options_in(const char *text, words *out)
{
    memset(out, 0, sizeof *out);
    for (const char *p = text; *p; p++) {
        size_t n = 2;
        if (*p != '-' || (p > text && (isalnum((unsigned char)p[-1]) || strchr("-_./", p[-1]))))
            continue;
        if (p[1] == '-' && islower((unsigned char)p[2])) {
            while (isalnum((unsigned char)p[n]) || (p[n] == '-' && isalnum((unsigned char)p[n + 1])))
                n++;
            if (strncmp(p, "--help", n) || n != 6)
                words_add(out, p, n);
            p += n - 1;
        } else if (isalpha((unsigned char)p[1]) && !isalnum((unsigned char)p[2]) &&
                   !strchr("-_.", p[2]) && p[1] != 'h') {
            words_add(out, p, 2);
            p++;
        }
    }
}

static void expect_subset(const words *want, const words *got, const char *what)
{
    for (size_t i = 0; i < want->n; i++)
        ck_assert_msg(words_has(got, want->v[i]), "completion of %s lacks %s", what, want->v[i]);
}

START_TEST(test_completion)
{
    char *overview = help_text(NULL, NULL);
    words commands, got, actions, want;

    ck_assert_int_eq(th_sh("bash -n '%s/doc/completion/chartscan.bash'", env.root), 0);
    commands_in(overview, &commands);
    ck_assert_uint_ge(commands.n, 18);
    complete("", "", &got);
    expect_subset(&commands, &got, "a command");
    words_free(&got);
    complete("", "se", &got);
    ck_assert(words_has(&got, "search") && words_has(&got, "serve") && got.n == 2);
    words_free(&got);

    for (size_t c = 0; c < commands.n; c++) {
        const char *cmd = commands.v[c];
        char *text = help_text(cmd, NULL);
        complete(cmd, "", &actions);
        if (actions.n == 0) {
            options_in(text, &want);
            complete(cmd, "-", &got);
            expect_subset(&want, &got, cmd);
            words_free(&want);
            words_free(&got);
        }
        for (size_t a = 0; a < actions.n; a++) {
            char line[160], *sub = help_text(cmd, actions.v[a]);
            /* the action is a word of the overview or of the command's help */
            snprintf(line, sizeof line, "%s %s", cmd, actions.v[a]);
            ck_assert_msg(strstr(overview, actions.v[a]) || strstr(text, actions.v[a]),
                          "%s: no such action", line);
            options_in(sub, &want);
            complete(line, "-", &got);
            expect_subset(&want, &got, line);
            words_free(&want);
            words_free(&got);
            free(sub);
        }
        words_free(&actions);
        free(text);
    }
    /* the actions the commands have, all of them */
    complete("db", "", &got);
    ck_assert(words_has(&got, "start") && words_has(&got, "stop") && words_has(&got, "status"));
    words_free(&got);
    complete("export", "", &got);
    ck_assert(words_has(&got, "manifest") && words_has(&got, "pdf") && words_has(&got, "fhir") &&
              words_has(&got, "hl7"));
    words_free(&got);
    complete("users", "", &got);
    ck_assert_uint_eq(got.n, 6);
    words_free(&got);
    complete("users add bob --role", "", &got);
    ck_assert(words_has(&got, "reviewer") && words_has(&got, "admin"));
    words_free(&got);
    words_free(&commands);
    free(overview);
}
END_TEST

START_TEST(test_install_completion)
{
    char dest[160], path[300], *installed, *source;
    struct stat st;

    snprintf(dest, sizeof dest, "%s/destdir", env.dir);
    ck_assert_int_eq(th_sh("cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "
                           "-o chartscan install DESTDIR='%s' PREFIX=/opt/cs >'%s/install.log' 2>&1",
                           env.root, dest, env.dir), 0);
    snprintf(path, sizeof path, "%s/opt/cs/share/bash-completion/completions/chartscan", dest);
    ck_assert_msg(stat(path, &st) == 0, "make install did not install %s", path);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
    installed = th_slurp(path, NULL);
    snprintf(path, sizeof path, "%s/doc/completion/chartscan.bash", env.root);
    source = th_slurp(path, NULL);
    ck_assert_msg(installed && source && !strcmp(installed, source), "the installed completion differs");
    free(installed);
    free(source);
    ck_assert_int_eq(th_sh("cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "
                           "uninstall DESTDIR='%s' PREFIX=/opt/cs >'%s/uninstall.log' 2>&1",
                           env.root, dest, env.dir), 0);
    snprintf(path, sizeof path, "%s/opt/cs/share/bash-completion/completions/chartscan", dest);
    ck_assert_msg(stat(path, &st) != 0, "make uninstall left %s", path);
}
END_TEST

/* ---- with a database ---- */

static void need_init(void)
{
    th_result r;
    if (initialised)
        return;
    r = th_chartscan(&env, "init", (char *)NULL);
    ck_assert_msg(r.status == 0, "init: %s", r.err);
    th_result_free(&r);
    initialised = 1;
}

START_TEST(test_audit_json)
{
    const char *actor = "o'\"brien\\ \t\nx";
    th_result r;
    json_t *doc, *row, *found = NULL;
    json_error_t jerr;
    size_t i;

    need_init();
    setenv("CHARTSCAN_ACTOR", actor, 1);
    r = th_chartscan(&env, "search", "mrn:NOPE-1", (char *)NULL);
    unsetenv("CHARTSCAN_ACTOR");
    ck_assert_msg(r.status == 0, "search: %s", r.err);
    th_result_free(&r);

    r = th_chartscan(&env, "audit", "--json", (char *)NULL);
    ck_assert_msg(r.status == 0, "audit --json: %s", r.err);
    doc = json_loads(r.out, 0, &jerr);
    ck_assert_msg(doc != NULL, "audit --json is not JSON (%s): %s", jerr.text, r.out);
    ck_assert(json_is_array(doc));
    json_array_foreach(doc, i, row) {
        ck_assert(json_is_integer(json_object_get(row, "id")));
        ck_assert(json_is_string(json_object_get(row, "at")));
        ck_assert(json_is_string(json_object_get(row, "action")));
        ck_assert(json_object_get(row, "object_kind") && json_object_get(row, "object_id") &&
                  json_object_get(row, "detail") && json_object_get(row, "before") &&
                  json_object_get(row, "after"));
        if (!strcmp(json_string_value(json_object_get(row, "actor")), actor))
            found = row;
    }
    ck_assert_msg(found != NULL, "the actor did not come back intact: %s", r.out);
    ck_assert_str_eq(json_string_value(json_object_get(found, "action")), "search");
    ck_assert(json_is_object(json_object_get(found, "detail")));
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(found, "detail"), "count")), 0);
    /* "T" and an offset: ISO 8601 */
    ck_assert_ptr_nonnull(strchr(json_string_value(json_object_get(found, "at")), 'T'));
    json_decref(doc);
    th_result_free(&r);

    /* --user filters; an empty list is still an array */
    r = th_chartscan(&env, "audit", "--json", "--user", "nobody", (char *)NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "[]\n");
    th_result_free(&r);
}
END_TEST

/* Wait up to 20 s for path to exist (lstat). */
static int appears(const char *path)
{
    struct stat st;
    for (int i = 0; i < 200; i++) {
        if (lstat(path, &st) == 0)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

static void expect_mode(const char *path, unsigned mode)
{
    struct stat st;
    ck_assert_msg(lstat(path, &st) == 0, "%s is missing", path);
    ck_assert_msg((st.st_mode & 07777) == mode, "%s has mode %o, not %o", path,
                  st.st_mode & 07777, mode);
}

START_TEST(test_watch_moves_archives)
{
    char drop[200], other[200], path[400];
    char *text;
    PGconn *c;
    pid_t w;

    need_init();
    snprintf(drop, sizeof drop, "%s/drop", env.dir);
    snprintf(other, sizeof other, "%s/elsewhere", env.dir);
    /* a.tar: a real archive; done/a.tar: an older file of that name, kept */
    ck_assert_int_eq(th_sh("mkdir -p -m 0700 '%s/done' '%s' && cd '%s' && echo one > note.txt && "
                           "tar cf a.tar note.txt && echo two > note.txt && tar cf b.tar note.txt && "
                           "echo older > '%s/done/a.tar' && cp a.tar '%s/a.tar'",
                           drop, other, other, drop, drop), 0);
    /* not.zip: no archive, with a sentinel standing for chart text; link.tar: a link */
    ck_assert_int_eq(th_sh("echo 'SECRET-CHART-TEXT' > '%s/not.zip' && ln -s '%s/b.tar' "
                           "'%s/link.tar'", drop, other, drop), 0);
    w = th_chartscan_bg(&env, "watch", "watch", drop, "--interval", "1", (char *)NULL);

    snprintf(path, sizeof path, "%s/done/a.1.tar", drop);
    ck_assert_msg(appears(path), "the archive did not go to done/ under a new number");
    snprintf(path, sizeof path, "%s/failed/not.zip.reason", drop);
    ck_assert_msg(appears(path), "no reason for the refused file");
    expect_mode(path, 0600);
    text = th_slurp(path, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "not.zip") && !strstr(text, "SECRET"), "reason: %s", text);
    free(text);
    snprintf(path, sizeof path, "%s/failed/not.zip", drop);
    ck_assert_msg(appears(path), "the refused file is not in failed/");
    snprintf(path, sizeof path, "%s/failed", drop);
    expect_mode(path, 0700);
    snprintf(path, sizeof path, "%s/done/a.tar", drop);
    text = th_slurp(path, NULL);
    ck_assert_msg(text && !strcmp(text, "older\n"), "done/a.tar was overwritten");
    free(text);

    /* the same bytes again, under the same name: a duplicate, refused */
    ck_assert_int_eq(th_sh("cp '%s/a.tar' '%s/a.tar'", other, drop), 0);
    snprintf(path, sizeof path, "%s/failed/a.tar.reason", drop);
    ck_assert_msg(appears(path), "the duplicate was not refused into failed/");
    text = th_slurp(path, NULL);
    ck_assert_msg(text && strstr(text, "already submitted"), "reason: %s", text ? text : "");
    free(text);
    kill(w, SIGTERM);
    ck_assert_int_eq(th_wait(w, 30), 0);

    /* the link is still there, not followed: its target neither moved nor submitted */
    snprintf(path, sizeof path, "%s/link.tar", drop);
    ck_assert_int_eq(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/b.tar", other);
    ck_assert_int_eq(access(path, F_OK), 0);
    c = th_connect(&env);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM batch WHERE name IN ('a.tar', 'link.tar', 'b.tar')"), 1);
    PQfinish(c);
}
END_TEST

START_TEST(test_watch_refuses_linked_folders)
{
    char drop[200], other[200], path[400];
    pid_t w;

    need_init();
    snprintf(drop, sizeof drop, "%s/drop2", env.dir);
    snprintf(other, sizeof other, "%s/target2", env.dir);
    ck_assert_int_eq(th_sh("mkdir -p '%s' '%s' && ln -s '%s' '%s/failed' && "
                           "echo nothing > '%s/bad.zip'", drop, other, other, drop, drop), 0);
    w = th_chartscan_bg(&env, "watch2", "watch", drop, "--interval", "1", (char *)NULL);
    snprintf(path, sizeof path, "%s/watch2.err", env.dir);
    for (int i = 0; i < 200; i++) {
        char *err = th_slurp(path, NULL);
        int said = err && strstr(err, "is not a folder");
        free(err);
        if (said)
            break;
        usleep(100 * 1000);
    }
    kill(w, SIGTERM);
    ck_assert_int_eq(th_wait(w, 30), 0);
    {
        char *err = th_slurp(path, NULL);
        ck_assert_msg(err && strstr(err, "failed\" is not a folder"), "stderr: %s", err ? err : "");
        free(err);
    }
    /* nothing written through the link; the file stays where it was */
    ck_assert_int_eq(th_sh("test -z \"$(ls -A '%s')\"", other), 0);
    snprintf(path, sizeof path, "%s/bad.zip", drop);
    ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

/* A sample batch (seed) generated and submitted, after init, roster and training. */
static void submit_sample(int seed)
{
    static const char *const steps[][3] = {{"patients", "import", "roster.csv"},
                                           {"train", "train.csv", NULL},
                                           {"submit", "batch.zip", NULL}};
    char dir[200], file[300];
    th_result r;

    need_init();
    snprintf(dir, sizeof dir, "%s/sample%d", env.dir, seed);
    ck_assert_int_eq(th_sh("'%s/scripts/make-sample-batch' --out '%s' --seed %d --files 1 "
                           ">/dev/null", env.root, dir, seed), 0);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        snprintf(file, sizeof file, "%s/%s", dir, steps[i][2] ? steps[i][2] : steps[i][1]);
        r = steps[i][2] ? th_chartscan(&env, steps[i][0], steps[i][1], file, (char *)NULL)
                        : th_chartscan(&env, steps[i][0], file, (char *)NULL);
        ck_assert_msg(r.status == 0, "%s: %s", steps[i][0], r.err);
        th_result_free(&r);
    }
}

/* The summary line: "work: 1 batch, N pages (B blank, F failed), D documents ..." */
static void expect_summary(const char *out)
{
    long pages = -1, blank = -1, failed = -1, docs = -1, filed = -1, review = -1;
    const char *w = strstr(out, "work: 1 batch, ");
    ck_assert_msg(w != NULL, "no summary in: %s", out);
    ck_assert_int_eq(sscanf(w, "work: 1 batch, %ld %*[^(](%ld blank, %ld failed), %ld "
                               "%*[^(](%ld filed, %ld to review) in",
                            &pages, &blank, &failed, &docs, &filed, &review), 6);
    ck_assert_int_gt(pages, 0);
    ck_assert_int_gt(docs, 0);
    ck_assert_int_eq(filed + review, docs);
    ck_assert_ptr_null(strchr(out, '\r'));
    ck_assert_ptr_null(strstr(out, "pages/min"));
}

START_TEST(test_work_bar_on_a_terminal)
{
    char outpath[200], *out, buf[4096], *seen = NULL;
    size_t seen_len = 0;
    struct winsize ws = {0};
    int master, status;
    pid_t pid;
    FILE *acc;

    submit_sample(31);
    snprintf(outpath, sizeof outpath, "%s/work-tty.out", env.dir);
    master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    ws.ws_col = 100;
    ws.ws_row = 30;
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* stderr on the terminal, stdout to a file: the bar and the summary apart */
        int slave, fd;
        setsid();
        slave = open(ptsname(master), O_RDWR);
        fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (slave < 0 || fd < 0)
            _exit(99);
        ioctl(slave, TIOCSWINSZ, &ws);
        dup2(slave, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(master);
        execl(env.bin, env.bin, "work", "-j", "2", "--until-idle", (char *)NULL);
        _exit(98);
    }
    acc = open_memstream(&seen, &seen_len);
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
            fwrite(buf, 1, (size_t)n, acc);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break;   /* EIO: the terminal's last writer has gone */
    }
    fclose(acc);
    close(master);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "work: status %d: %s", status,
                  seen);
    ck_assert_msg(strstr(seen, "\r[") && strstr(seen, " pages ") && strstr(seen, "pages/min") &&
                  strstr(seen, "ETA") && strstr(seen, "\033[K"), "no progress bar: %s", seen);
    /* redrawn in place: several frames, the last complete, none wider than the terminal */
    {
        int frames = 0;
        char *save = NULL, *last = NULL;
        for (char *f = strtok_r(seen, "\r", &save); f; f = strtok_r(NULL, "\r", &save)) {
            char *esc = strstr(f, "\033[K");
            if (f[0] != '[')
                continue;
            frames++;
            ck_assert_msg((esc ? (size_t)(esc - f) : strlen(f)) <= 100, "frame too wide: %s", f);
            last = f;
        }
        ck_assert_int_ge(frames, 2);
        ck_assert_ptr_nonnull(last);
        ck_assert_msg(strstr(last, "100%") && !strchr(last, '-'), "last frame: %s", last);
    }
    free(seen);
    out = th_slurp(outpath, NULL);
    ck_assert_ptr_nonnull(out);
    expect_summary(out);
    free(out);
}
END_TEST

START_TEST(test_work_quiet_off_a_terminal)
{
    th_result r;
    PGconn *c;

    submit_sample(32);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "work: %s", r.err);
    ck_assert_msg(!strchr(r.err, '\r') && !strstr(r.err, "pages/min") && !strstr(r.err, "ETA"),
                  "progress off a terminal: %s", r.err);
    expect_summary(r.out);
    /* the summary's numbers are the database's */
    c = th_connect(&env);
    {
        char want[64];
        long pages = th_long(c, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                                " JOIN batch b ON b.id = f.batch_id WHERE b.id = (SELECT max(id) FROM batch)");
        snprintf(want, sizeof want, "work: 1 batch, %ld page", pages);
        ck_assert_msg(strstr(r.out, want), "summary \"%s\" lacks \"%s\"", r.out, want);
    }
    PQfinish(c);
    th_result_free(&r);
}
END_TEST

/* Filed documents to export: a processed sample unless some exist. */
static void need_filed_documents(void)
{
    PGconn *c;
    long filed;

    need_init();
    c = th_connect(&env);
    filed = th_long(c, "SELECT count(*) FROM document WHERE status = 'filed' AND pdf IS NOT NULL");
    PQfinish(c);
    if (filed <= 0) {
        th_result r;
        submit_sample(33);
        r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
        ck_assert_msg(r.status == 0, "work: %s", r.err);
        th_result_free(&r);
    }
}

/* The folder's entries ("" when empty or missing), for messages. */
static char *entries_of(const char *dir)
{
    char cmd[400], *text = NULL;
    size_t len = 0;
    FILE *p, *acc = open_memstream(&text, &len);
    char line[300];

    snprintf(cmd, sizeof cmd, "ls -A '%s' 2>/dev/null", dir);
    p = popen(cmd, "r");
    while (p && fgets(line, sizeof line, p))
        fputs(line, acc);
    if (p)
        pclose(p);
    fclose(acc);
    return text;
}

static void expect_empty(const char *dir, const char *what)
{
    char *e = entries_of(dir);
    ck_assert_msg(e[0] == '\0', "%s left behind: %s", what, e);
    free(e);
}

/* Run a shell line with the file size limited to kb KiB: its exit status. */
static int limited(int kb, const char *line)
{
    return th_sh("ulimit -f %d && cd '%s' && %s >>'%s/limited.out' 2>>'%s/limited.err'",
                 kb * 2 /* 512-byte blocks in sh; bash counts 1024: either way small */, env.dir,
                 line, env.dir, env.dir);
}

START_TEST(test_export_full_disk_leaves_nothing)
{
    PGconn *c;
    long audits, items;
    char dir[300], line[900];

    need_filed_documents();
    c = th_connect(&env);
    audits = th_long(c, "SELECT count(*) FROM audit WHERE action IN ('export', 'export_pdf')");
    items = th_long(c, "SELECT count(*) FROM destination_item");
    ck_assert_int_ge(audits, 0);

    /* FHIR: the PDFs in Binary.ndjson pass any small limit */
    snprintf(dir, sizeof dir, "%s/full-fhir", env.dir);
    ck_assert_int_eq(th_sh("mkdir -p '%s'", dir), 0);
    snprintf(line, sizeof line, "'%s' export fhir --destination full --out '%s'", env.bin, dir);
    ck_assert_int_eq(limited(8, line), 1);
    expect_empty(dir, "export fhir on a full disk");
    /* HL7 with the PDFs embedded */
    snprintf(dir, sizeof dir, "%s/full-hl7", env.dir);
    ck_assert_int_eq(th_sh("mkdir -p '%s'", dir), 0);
    snprintf(line, sizeof line, "'%s' export hl7 --destination full7 --out '%s'", env.bin, dir);
    ck_assert_int_eq(limited(8, line), 1);
    expect_empty(dir, "export hl7 on a full disk");
    /* the manifest with its text, and one document's PDF */
    snprintf(dir, sizeof dir, "%s/full-files", env.dir);
    ck_assert_int_eq(th_sh("mkdir -p '%s'", dir), 0);
    snprintf(line, sizeof line, "'%s' export manifest --with-text --out '%s/m.jsonl'", env.bin, dir);
    ck_assert_int_eq(limited(1, line), 1);
    {
        char *id = th_value(c, "SELECT min(id) FROM document WHERE status = 'filed' AND pdf IS NOT NULL"
                               " AND length(pdf) > 4096");
        ck_assert_msg(id && *id, "no PDF over 4 KiB to export");
        snprintf(line, sizeof line, "'%s' export pdf %s --out '%s/d.pdf'", env.bin, id, dir);
        free(id);
    }
    ck_assert_int_eq(limited(4, line), 1);
    expect_empty(dir, "export manifest and export pdf on a full disk");
    {
        char path[400], *err;
        snprintf(path, sizeof path, "%s/limited.err", env.dir);
        err = th_slurp(path, NULL);
        ck_assert_msg(err && strstr(err, "too large"), "no write error reported: %s", err ? err : "");
        free(err);
    }
    /* nothing recorded as sent */
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM audit WHERE action IN ('export', 'export_pdf')"),
                     audits);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM destination_item"), items);
    PQfinish(c);
}
END_TEST

START_TEST(test_export_database_failure_leaves_nothing)
{
    PGconn *c;
    PGresult *r;
    char dir[300];
    th_result t;

    need_filed_documents();
    c = th_connect(&env);
    /* the run's closing audit row is refused: the transaction that records it fails */
    r = PQexec(c, "CREATE OR REPLACE FUNCTION public.cli_test_refuse() RETURNS trigger "
                  "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$;"
                  "CREATE TRIGGER cli_test_refuse BEFORE INSERT ON chartscan.audit FOR EACH ROW "
                  "WHEN (NEW.action = 'export') EXECUTE FUNCTION public.cli_test_refuse()");
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(r);

    for (int i = 0; i < 2; i++) {
        const char *format = i ? "hl7" : "fhir", *dest = i ? "dbfail7" : "dbfail";
        snprintf(dir, sizeof dir, "%s/db-%s", env.dir, format);
        t = th_chartscan(&env, "export", format, "--destination", dest, "--out", dir, (char *)NULL);
        ck_assert_msg(t.status == 1 && strstr(t.err, "refused by the test"), "%s: %d %s", format,
                      t.status, t.err);
        th_result_free(&t);
        expect_empty(dir, "an export after a database failure");
    }

    r = PQexec(c, "DROP TRIGGER cli_test_refuse ON chartscan.audit;"
                  "DROP FUNCTION public.cli_test_refuse()");
    PQclear(r);
    ck_assert_int_eq(th_long(c, "SELECT count(*) FROM destination_item i JOIN destination d"
                                "  ON d.id = i.destination_id WHERE d.name IN ('dbfail', 'dbfail7')"), 0);
    /* and without the trigger the same export does write its file */
    snprintf(dir, sizeof dir, "%s/db-fhir", env.dir);
    t = th_chartscan(&env, "export", "fhir", "--destination", "dbfail", "--out", dir, (char *)NULL);
    ck_assert_msg(t.status == 0, "fhir: %s", t.err);
    th_result_free(&t);
    {
        char *e = entries_of(dir);
        ck_assert_msg(strstr(e, "DocumentReference.ndjson") != NULL, "entries: %s", e);
        free(e);
    }
    PQfinish(c);
}
END_TEST

int main(void)
{
    Suite *s;
    TCase *tc;
    SRunner *sr;
    int failed;

    th_setup(&env, "cli");
    /* the site's identifiers, as a site sets them before exporting */
    setenv("CHARTSCAN_MRN_SYSTEM", "urn:oid:1.2.840.99999.1", 1);
    setenv("CHARTSCAN_ORGANIZATION", "Test Hospital", 1);
    s = suite_create("cli");
    tc = tcase_create("usage");
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_closest);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    tc = tcase_create("completion");
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_install_completion);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    tc = tcase_create("database");
    tcase_add_test(tc, test_audit_json);
    tcase_add_test(tc, test_watch_moves_archives);
    tcase_add_test(tc, test_watch_refuses_linked_folders);
    tcase_add_test(tc, test_work_bar_on_a_terminal);
    tcase_add_test(tc, test_work_quiet_off_a_terminal);
    tcase_add_test(tc, test_export_full_disk_leaves_nothing);
    tcase_add_test(tc, test_export_database_failure_leaves_nothing);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

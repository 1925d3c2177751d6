/*
 * document.c — `chartscan document reopen|cancel ID --reason TEXT`:
 * correcting a filed document (pipeline/review/actions.c,
 * cs_review_store_correct).  The actor the audit trail names is
 * $CHARTSCAN_ACTOR, else the OS user, as for the exports.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/common.h"
#include "pipeline/pipeline.h"
#include "pipeline/review/review_store.h"

static void actor_name(char *out, size_t outlen)
{
    const char *a = getenv("CHARTSCAN_ACTOR");
    struct passwd *pw;

    if (a && *a) {
        snprintf(out, outlen, "%s", a);
        return;
    }
    pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        snprintf(out, outlen, "%s", pw->pw_name);
    else
        snprintf(out, outlen, "uid %ld", (long)getuid());
}

/* "42" or "d-42" as a document id; 0 when it is neither. */
static long long parse_id(const char *s)
{
    char *end;
    long long v;

    if (!strncmp(s, "d-", 2))
        s += 2;
    if (*s < '0' || *s > '9')
        return 0;
    v = strtoll(s, &end, 10);
    return *end ? 0 : v;
}

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr, "chartscan: ");
    fprintf(stderr, msg, arg);
    fprintf(stderr, "\nTry \"chartscan document --help\".\n");
    return 2;
}

int cs_cli_document(int argc, char **argv)
{
    static const char *const actions[] = {"reopen", "cancel", NULL};
    static const char *const options[] = {"--reason", NULL};
    const char *reason = NULL, *idarg = NULL;
    char err[CS_ERRLEN] = "", actor[128];
    cs_review_correction kind;
    cs_store *s = NULL;
    long long id, result = 0;
    int rc;

    if (argc < 2)
        return usage("%s", "usage: chartscan document reopen|cancel ID --reason TEXT");
    if (!strcmp(argv[1], "reopen"))
        kind = CS_CORRECT_REOPEN;
    else if (!strcmp(argv[1], "cancel"))
        kind = CS_CORRECT_CANCEL;
    else
        return cs_cli_unknown("document", "document command", argv[1], actions);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--reason")) {
            if (i + 1 >= argc)
                return usage("%s", "--reason needs a text");
            reason = argv[++i];
        } else if (!strncmp(argv[i], "--reason=", 9)) {
            reason = argv[i] + 9;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cs_cli_unknown("document", "option", argv[i], options);
        } else if (idarg) {
            return usage("unexpected argument \"%s\"", argv[i]);
        } else {
            idarg = argv[i];
        }
    }
    if (!idarg)
        return usage("%s", "which document? (its id, e.g. 42 or d-42)");
    id = parse_id(idarg);
    if (id <= 0)
        return usage("\"%s\" is not a document id (e.g. 42 or d-42)", idarg);
    if (!reason || !reason[strspn(reason, " \t\r\n")])
        return usage("%s", "--reason TEXT is required: the audit trail keeps why");
    actor_name(actor, sizeof actor);
    if (cs_cli_open_store(&s, 1, err, sizeof err) < 0)
        return cs_cli_fail(err);
    rc = cs_review_store_correct(s, kind, id, actor, reason, &result, err, sizeof err);
    cs_store_close(&s);
    if (rc < 0)
        return cs_cli_fail(err);
    if (kind == CS_CORRECT_REOPEN)
        printf("document d-%lld reopened: its correction d-%lld is in the review queue; once "
               "filed it replaces d-%lld\n", id, result, id);
    else
        printf("document d-%lld cancelled (entered in error)\n", id);
    return 0;
}

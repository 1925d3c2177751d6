/*
 * usage.c — usage errors: one message naming what was wrong, a hint where
 * to read more, exit status 2, and a "did you mean" when a misspelt
 * command, action or option is close to a known one.
 *
 * Notes:
 *   1. Closeness is cs_word_distance (common/words.c: Levenshtein plus the
 *      transposition of two neighbours, case-insensitive).  A word is suggested when it is at most 1
 *      edit away (2 for words of 5 letters or more) or when what was typed
 *      is a prefix of exactly one candidate.
 *   2. getopt_long runs with opterr = 0 so that its own message ("unrecognized
 *      option") does not precede ours: cs_cli_bad_option says which word
 *      was wrong from optind and optopt.
 */
#include "cli/cli.h"
#include "common/common.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cs_cli_closest(const char *word, const char *const *candidates)
{
    const char *best = NULL, *prefix_of = NULL;
    size_t len = strlen(word);
    int best_d = CS_WORD_DISTANCE_MAX + 1, prefixes = 0;

    if (!len)
        return NULL;
    for (size_t i = 0; candidates[i]; i++) {
        int dist = cs_word_distance(word, candidates[i]);
        if (dist < best_d) {
            best_d = dist;
            best = candidates[i];
        }
        if (!strncasecmp(word, candidates[i], len)) {
            prefixes++;
            prefix_of = candidates[i];
        }
    }
    if (best && best_d > 0 && best_d <= (len >= 5 ? 2 : 1))
        return best;
    return prefixes == 1 && len >= 2 ? prefix_of : NULL;
}

int cs_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "chartscan: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry \"chartscan %s%s--help\".\n", command ? command : "",
            command ? " " : "");
    return CS_EXIT_USAGE;
}

int cs_cli_unknown(const char *command, const char *what, const char *word,
                   const char *const *choices)
{
    const char *near = cs_cli_closest(word, choices);

    if (near)
        return cs_cli_usage(command, "unknown %s \"%s\" (did you mean \"%s\"?)", what, word, near);
    return cs_cli_usage(command, "unknown %s \"%s\"", what, word);
}

/* The long option of opts whose value is val, or NULL. */
static const struct option *option_of(const struct option *opts, int val)
{
    for (; opts && opts->name; opts++)
        if (opts->val == val)
            return opts;
    return NULL;
}

int cs_cli_bad_option(const char *command, int argc, char **argv, const char *shortopts,
                      const struct option *opts)
{
    const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    const char *names[64];
    char typed[CS_WORD_DISTANCE_MAX + 3];
    size_t n = 0;

    if (strncmp(word, "--", 2) != 0) {
        /* a short option: unknown, or its value missing */
        const char *o = optopt && shortopts ? strchr(shortopts, optopt) : NULL;
        if (o && o[1] == ':')
            return cs_cli_usage(command, "option \"-%c\" needs a value", optopt);
        return cs_cli_usage(command, "unknown option \"-%c\"", optopt ? optopt : '?');
    }
    if (optopt) {
        const struct option *o = option_of(opts, optopt);
        if (o && o->has_arg == required_argument && !strchr(word, '='))
            return cs_cli_usage(command, "option \"--%s\" needs a value", o->name);
        if (o && o->has_arg == no_argument)
            return cs_cli_usage(command, "option \"--%s\" takes no value", o->name);
    }
    /* unknown, or an ambiguous abbreviation: suggest among the long options */
    snprintf(typed, sizeof typed, "%.*s", (int)strcspn(word + 2, "="), word + 2);
    for (const struct option *o = opts; o && o->name && n + 2 < sizeof names / sizeof *names; o++)
        names[n++] = o->name;
    names[n++] = "help";
    names[n] = NULL;
    {
        const char *near = cs_cli_closest(typed, names);
        if (near)
            return cs_cli_usage(command, "unknown option \"--%s\" (did you mean \"--%s\"?)",
                                typed, near);
    }
    return cs_cli_usage(command, "unknown option \"--%s\"", typed);
}

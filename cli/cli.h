/*
 * cli.h — the chartscan command: help texts and dispatch.
 */
#ifndef CS_CLI_H
#define CS_CLI_H

#include <getopt.h>
#include <stddef.h>

/* Exit statuses: 0 success, 1 the work failed, 2 bad usage. */
#define CS_EXIT_USAGE 2

/* The help text of a command, or the overview for NULL; NULL when unknown. */
const char *cs_cli_help(const char *command);

/* `chartscan export fhir|hl7 ...`: argv[0] is "fhir" or "hl7"; returns the exit status. */
int cs_cli_export_ehr(int argc, char **argv);

/* `chartscan document reopen|cancel ID --reason TEXT`; returns the exit status. */
int cs_cli_document(int argc, char **argv);

/* `chartscan config set KEY VALUE | unset KEY | list`; returns the exit status. */
int cs_cli_config(int argc, char **argv);

/* `chartscan qa sample|report|review-all ...`; returns the exit status. */
int cs_cli_qa(int argc, char **argv);

/* ---- usage errors (usage.c): each prints one message and returns CS_EXIT_USAGE ---- */

/* "chartscan: MESSAGE" and "Try chartscan COMMAND --help" (command may be NULL). */
int cs_cli_usage(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "unknown WHAT "WORD"", with a "did you mean" among choices (NULL-terminated) when one is close. */
int cs_cli_unknown(const char *command, const char *what, const char *word,
                   const char *const *choices);
/*
 * After getopt_long (with opterr = 0) returned '?' or ':': the message names
 * the option that was wrong (unknown, its value missing, or a value it does
 * not take) and suggests a close long option of opts.
 */
int cs_cli_bad_option(const char *command, int argc, char **argv, const char *shortopts,
                      const struct option *opts);
/* The candidate (NULL-terminated list) close to word, or NULL (usage.c, note 1). */
const char *cs_cli_closest(const char *word, const char *const *candidates);

/* `chartscan coversheet ...`; returns the exit status. */
int cs_cli_coversheet(int argc, char **argv);

/* ---- the database around a command (store.c) ---- */

/* "chartscan: ERR" on stderr; returns 1, the exit status of work that failed. */
int cs_cli_fail(const char *err);
/* Open the database (and insist on the current schema when need_schema):
 * 0, or -1 with err. */
struct cs_store;
int cs_cli_open_store(struct cs_store **s, int need_schema, char *err, size_t errlen);

/* `chartscan batch cancel ID | purge --older-than DAYS | expect ID FILE.csv`; returns
 * the exit status. */
int cs_cli_batch(int argc, char **argv);

#endif

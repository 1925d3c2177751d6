/*
 * cli.h — the chartscan command: help texts and dispatch.
 */
#ifndef CS_CLI_H
#define CS_CLI_H

/* The help text of a command, or the overview for NULL; NULL when unknown. */
const char *cs_cli_help(const char *command);

/* `chartscan export fhir|hl7 ...`: argv[0] is "fhir" or "hl7"; returns the exit status. */
int cs_cli_export_ehr(int argc, char **argv);

/* `chartscan document reopen|cancel ID --reason TEXT`; returns the exit status. */
int cs_cli_document(int argc, char **argv);

/* `chartscan batch cancel ID | purge --older-than DAYS | expect ID FILE.csv`; returns
 * the exit status. */
int cs_cli_batch(int argc, char **argv);

#endif

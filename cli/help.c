/*
 * help.c — the text of `chartscan --help` and of each command's --help.
 * Kept apart from dispatch so that the words can be read and edited as
 * prose.
 */
#include "cli/cli.h"

#include <string.h>

static const char overview[] =
"usage: chartscan COMMAND [OPTIONS] [ARGS]\n"
"\n"
"chartscan turns archives of scanned paper medical records (zip or tar files\n"
"of multi-page TIFFs) into indexed, searchable documents in PostgreSQL: it\n"
"unpacks, OCRs, splits into documents, classifies each document's type,\n"
"matches it to a patient in the roster, and files it or sends it to review.\n"
"\n"
"Setting up:\n"
"  init                          create or upgrade the database schema\n"
"  db start|stop|status          manage the embedded database server\n"
"  patients import FILE.csv      import or update the patient roster\n"
"  train FILE.csv                train the document-type model and make it active\n"
"\n"
"Daily work:\n"
"  submit ARCHIVE...             store archives and queue them for processing\n"
"  watch DIR                     submit archives that appear in DIR\n"
"  work [-j N] [--until-idle]    run workers that process the queue\n"
"  status [--watch]              batches, pages done and left, rate, ETA\n"
"  report BATCH [--csv]          a batch's counts, confidence spread and exceptions\n"
"  retry [--batch ID]            put failed jobs back in the queue\n"
"  export manifest [--batch ID] [--with-text]\n"
"                                the reconciliation manifest, JSON Lines\n"
"  export pdf DOCUMENT_ID [--out FILE]\n"
"                                a document's searchable PDF\n"
"  export fhir [--batch ID] [--since TIME] [--destination NAME] [--out DIR]\n"
"                                filed documents as FHIR R4 DocumentReference NDJSON\n"
"  export hl7 [--batch ID] [--since TIME] [--destination NAME] [--out DIR | --mllp HOST:PORT]\n"
"                                filed documents as HL7 v2.5 MDM^T02 messages\n"
"\n"
"Review:\n"
"  serve [--listen 127.0.0.1:8080]   the QA review station in the browser\n"
"  users add NAME --role reviewer|admin\n"
"                                add a review station account (password asked)\n"
"  audit [--user NAME] [--since TIME]\n"
"                                the audit trail: who did what, when\n"
"\n"
"Run \"chartscan COMMAND --help\" for a command's options.\n"
"\n"
"Environment:\n"
"  CHARTSCAN_DB     libpq connection string or URI of a shared PostgreSQL server\n"
"                   (directly, or through a pooler in session mode: statements\n"
"                   stay prepared on each connection); unset: an embedded\n"
"                   server in CHARTSCAN_HOME, started on demand.  Connects as the\n"
"                   owner role (init and the operator's commands)\n"
"  CHARTSCAN_DB_WORKER, CHARTSCAN_DB_REVIEWER\n"
"                   the same, for the commands of the worker role (work, submit,\n"
"                   watch, status, report, retry) and of the review station\n"
"                   (serve, which refuses a superuser); unset: CHARTSCAN_DB.\n"
"                   The roles are in doc/roles.sql\n"
"  CHARTSCAN_HOME   folder for the embedded server and local state\n"
"                   (default ./var/chartscan)\n"
"  CHARTSCAN_LOG    error, warn (default), info or debug; logs carry ids, counts\n"
"                   and timings, never patient data\n"
"\n"
"Exit status: 0 success, 1 the work failed (a message on stderr), 2 bad usage.\n";

static const struct { const char *command, *text; } helps[] = {
{"init",
"usage: chartscan init\n"
"\n"
"Create the database schema, or upgrade it to this version of chartscan, by\n"
"applying the migrations not yet recorded in chartscan.schema_version.  Running\n"
"it again is harmless.  With CHARTSCAN_DB unset, the embedded server is created\n"
"and started first, with chartscan's database roles (owner, worker, reviewer,\n"
"EHR reader), and what an older chartscan made is given to the owner role.\n"
"Every run then grants each role its tables again (chartscan.role_grant), so\n"
"that tables added by later migrations are covered.  On a shared server\n"
"(CHARTSCAN_DB), a sysadmin makes the roles first with doc/roles.sql, and init\n"
"runs as chartscan_owner.\n"},
{"db",
"usage: chartscan db start|stop|status\n"
"\n"
"Manage the embedded PostgreSQL server that chartscan uses when CHARTSCAN_DB is\n"
"unset.  Its cluster lives in CHARTSCAN_HOME/pg and listens only on a Unix socket\n"
"in CHARTSCAN_HOME/pg/run.  Other commands start it when needed; it keeps running\n"
"for the next command until \"chartscan db stop\".  When run as root, the cluster\n"
"belongs to the \"postgres\" account, because PostgreSQL refuses to run as root.\n"
"\n"
"  start    create the cluster if needed and start the server\n"
"  stop     stop the server (fast shutdown)\n"
"  status   say whether the cluster exists and the server runs (exit 0 when it\n"
"           runs, 1 when it does not)\n"},
{"patients",
"usage: chartscan patients import FILE.csv\n"
"\n"
"Import the patient roster.  The CSV has a header row naming the columns\n"
"  mrn,last_name,first_name,middle_name,birth_date,sex\n"
"(other columns are ignored).  birth_date is YYYY-MM-DD, sex one of M, F, O, U;\n"
"middle_name, birth_date and sex may be empty.  Patients already in the roster\n"
"are updated by MRN.  A file with any malformed row imports nothing: every error\n"
"is reported with its line number (values are never printed).\n"},
{"train",
"usage: chartscan train FILE.csv | --from-reviews [FILE.csv]\n"
"\n"
"Train the document-type classifier from labelled examples: a CSV whose header\n"
"includes the columns doctype and text.  Prints the 5-fold cross-validated\n"
"accuracy and confusion matrix, then stores the model, versioned, and makes it\n"
"the active one; workers pick it up for the next document.  Codes that the\n"
"taxonomy lacks are added to it.\n"
"\n"
"  --from-reviews [FILE.csv]   train on the document types reviewers confirmed in\n"
"                              the review station, plus FILE.csv's examples when\n"
"                              given (give the site's training file, or the model\n"
"                              learns only from corrections)\n"},
{"serve",
"usage: chartscan serve [--listen 127.0.0.1:8080]\n"
"\n"
"Serve the QA review station: reviewers log in, take the documents the pipeline\n"
"would not file by itself (lowest confidence first), see each page, its text and\n"
"why it was doubted, and confirm, correct, split, merge or reject it.  Every\n"
"action, and every view of a document, is written to the audit trail.\n"
"\n"
"  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080, this host\n"
"                       only; [::1]:PORT for IPv6).  The station speaks plain\n"
"                       HTTP: put a TLS proxy in front before listening elsewhere\n"
"\n"
"Accounts come from \"chartscan users add\".  Runs until SIGINT or SIGTERM.\n"},
{"users",
"usage: chartscan users add NAME --role reviewer|admin\n"
"\n"
"Add an account for the review station.  NAME has 1 to 64 letters, digits, '.',\n"
"'_' or '-'.  The password (8 to 256 characters) is asked twice on the terminal,\n"
"without echo, or read as the first line of standard input when that is not a\n"
"terminal; it is never taken from the command line.  Only its Argon2id hash is\n"
"stored.\n"},
{"audit",
"usage: chartscan audit [--user NAME] [--since TIME]\n"
"\n"
"List the audit trail, oldest first, one row per line, tab separated: id, time,\n"
"actor, action, object, detail, state before, state after (JSON).  Review\n"
"actions, document views, logins and exports are recorded.\n"
"\n"
"  --user NAME    only what NAME did\n"
"  --since TIME   only rows at or after TIME (e.g. 2026-01-31 or\n"
"                 \"2026-01-31 14:00\", any PostgreSQL timestamp)\n"},
{"submit",
"usage: chartscan submit ARCHIVE...\n"
"\n"
"Store each archive (zip, tar, tar.gz, tar.bz2, tar.xz) in the database and\n"
"queue it for unpacking.  Prints one line per archive: the batch id and the\n"
"archive's name.  An archive that libarchive cannot read, or that is byte for\n"
"byte one already submitted, is refused with the reason (and, for a duplicate,\n"
"the batch that has it); the other archives are still submitted.  The archive\n"
"is streamed, never held in memory whole.\n"},
{"watch",
"usage: chartscan watch DIR [--interval SECONDS]\n"
"\n"
"Watch a drop folder: an archive (.zip, .tar, .tar.gz, .tgz, .tar.bz2, .tar.xz)\n"
"that appears in DIR is submitted once its size and modification time have\n"
"stayed the same for one interval (default 2 seconds), so that files still being\n"
"copied or scanned are not taken half-written.  Hidden files are ignored.  One\n"
"line per submitted archive, as with submit; a byte-identical archive already\n"
"submitted is reported and left alone.  Runs until Ctrl-C or SIGTERM.  Workers\n"
"(chartscan work) process what it submits.\n"},
{"work",
"usage: chartscan work [-j N] [--until-idle]\n"
"\n"
"Run N worker processes (default: the number of cores) that take jobs from the\n"
"queue: unpack archives, OCR pages, assemble documents.  Each worker has its own\n"
"database connection and Tesseract engine.  Any host whose CHARTSCAN_DB points\n"
"at the same server joins the same queue.\n"
"\n"
"A document is filed when one roster patient's MRN, birth date and full name\n"
"are all found on its first pages, whatever the layout (without an MRN: its full\n"
"name and birth date, and no look-alike in the roster), clearly ahead of any\n"
"other candidate, and its type is confident; otherwise it goes to review with\n"
"the reasons.\n"
"\n"
"  -j, --jobs N     number of worker processes\n"
"  --until-idle     exit once no job is runnable and none is running\n"
"  --lease SECONDS  how long a claimed job stays ours without a heartbeat\n"
"                   (default 60; renewed every third of it while the job runs)\n"
"\n"
"SIGTERM or Ctrl-C stops gracefully: each worker finishes its current job.\n"},
{"status",
"usage: chartscan status [--watch]\n"
"\n"
"Show each batch: its state, files, pages in total, done, blank, failed and\n"
"left, documents filed and in review, pages per minute over the last five\n"
"minutes and the estimated time left; then the queue's totals.\n"
"\n"
"  --watch    redraw every two seconds until interrupted\n"},
{"report",
"usage: chartscan report BATCH [--csv]\n"
"\n"
"Report on one batch (its id, or its archive's name): archive entries, pages\n"
"and documents by outcome; the spread (min, 10th percentile, median, 90th\n"
"percentile, max) of page OCR confidence, document-type confidence and patient\n"
"match probability; and every exception with its reason: entries skipped or\n"
"failed, pages failed, documents not filed, jobs failed.  Ids and paths inside\n"
"the archive only, never patient data.\n"
"\n"
"  --csv    one CSV table (section,item,file,page,status,reason,value) instead of text\n"},
{"export-fhir",
"usage: chartscan export fhir [--batch ID] [--since TIME] [--destination NAME]\n"
"                             [--out DIR] [--inline-pdf | --no-pdf]\n"
"Write filed documents as FHIR R4 DocumentReference resources, NDJSON (Bulk Data\n"
"layout): DIR/DocumentReference.ndjson and DIR/Binary.ndjson (the PDFs).\n"
"  --batch ID          one batch (an id or the archive's name)\n"
"  --since TIME        documents filed or superseded at or after TIME\n"
"                      (e.g. 2024-05-01 or \"2024-05-01 13:00+02\")\n"
"  --destination NAME  a named receiver: send only documents it has not received\n"
"                      in their current version, and remember what it got\n"
"  --out DIR           output folder (default ./export-fhir-YYYYMMDDTHHMMSSZ)\n"
"  --inline-pdf        put each PDF in attachment.data instead of Binary.ndjson\n"
"  --no-pdf            metadata only: no Binary, no hash\n"
"Environment: CHARTSCAN_MRN_SYSTEM (the MRNs' identifier system, default the\n"
"placeholder urn:oid:2.999.1), CHARTSCAN_ORGANIZATION (the custodian),\n"
"CHARTSCAN_ACTOR (who the audit trail names; default the OS user).\n"},
{"export-hl7",
"usage: chartscan export hl7 [--batch ID] [--since TIME] [--destination NAME]\n"
"                            [--out DIR | --mllp HOST:PORT] [--timeout SECONDS] [--text]\n"
"Write the current filed documents as HL7 v2.5 MDM^T02 messages (MDM^T10 for a\n"
"corrected version) with the PDF in OBX (ED, base64): DIR/MDM.hl7, an HL7 batch\n"
"file, or sent over MLLP, one acknowledgement awaited per message.\n"
"  --batch ID          one batch (an id or the archive's name)\n"
"  --since TIME        documents filed or superseded at or after TIME\n"
"  --destination NAME  a named receiver: send only documents it has not received\n"
"                      in their current version, and remember what it got\n"
"                      (with --mllp, default mllp://HOST:PORT)\n"
"  --out DIR           output folder (default ./export-hl7-YYYYMMDDTHHMMSSZ)\n"
"  --mllp HOST:PORT    send to an interface engine over MLLP; messages it rejects\n"
"                      (AE, AR) are sent again on the next export, exit status 1\n"
"  --timeout SECONDS   wait this long for each acknowledgement (default 30)\n"
"  --text              the OCR text as OBX TX lines instead of the PDF\n"
"Environment: CHARTSCAN_MRN_SYSTEM (PID-3's assigning authority, default the\n"
"placeholder urn:oid:2.999.1), CHARTSCAN_ORGANIZATION (MSH-4), CHARTSCAN_ACTOR.\n"},
{"retry",
"usage: chartscan retry [--batch ID]\n"
"\n"
"Put the jobs that failed (their attempts used up: a database outage, a full\n"
"disk, a missing language pack) back in the queue, once the cause is fixed; the\n"
"pages, files or batches they had marked failed are pending again.  Pages\n"
"refused for bad input (a TIFF that cannot be decoded) stay failed.  Workers\n"
"pick the jobs up at once.\n"
"\n"
"  --batch ID     only this batch (its id, or its archive's name)\n"},
{"export",
"usage: chartscan export manifest [--batch ID] [--with-text]\n"
"       chartscan export pdf DOCUMENT_ID [--out FILE]\n"
"\n"
"export manifest\n"
"Write the reconciliation manifest to standard output, in JSON Lines: one line\n"
"per document (kind \"document\", with its pages), one per page in no document\n"
"(kind \"page\": blank, failed, or still in progress), and one per archive entry\n"
"without pages (kind \"file\": skipped or failed, with the reason).  Every page\n"
"of every archive appears exactly once.\n"
"\n"
"  --batch ID     only this batch (its id, or its archive's name)\n"
"  --with-text    include each page's OCR text\n"
"\n"
"export pdf\n"
"Write a document's searchable PDF (the cleaned page images with the recognised\n"
"text as an invisible layer, so that it can be searched and copied) to FILE, or\n"
"to standard output when that is not a terminal.  DOCUMENT_ID is the manifest's\n"
"id, like d-42, or just 42.\n"
"\n"
"  -o, --out FILE write the PDF to FILE\n"},
};

const char *cs_cli_help(const char *command)
{
    if (!command)
        return overview;
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (!strcmp(helps[i].command, command))
            return helps[i].text;
    return NULL;
}

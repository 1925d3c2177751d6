/*
 * harness.h — what the integration tests share: a private home folder in
 * /tmp with its own embedded PostgreSQL (stopped at the end), running the
 * real chartscan binary and capturing its output, connecting to the same
 * database to check what it holds, and loading JSON Lines into it so that
 * assertions can be written in SQL over PostgreSQL's own JSON parser.
 */
#ifndef CS_TEST_HARNESS_H
#define CS_TEST_HARNESS_H

#include <libpq-fe.h>
#include <sys/types.h>

typedef struct th_env {
    char dir[64];      /* the test's private folder, removed at the end */
    char home[96];     /* CHARTSCAN_HOME inside it */
    char root[512];    /* the project's root (CHARTSCAN_ROOT or the cwd) */
    char bin[600];     /* root/chartscan */
} th_env;

typedef struct th_result {
    int status;        /* exit status; -1 when it did not exit normally */
    char *out, *err;   /* captured stdout and stderr, NUL-terminated */
} th_result;

/* Make the folder, point CHARTSCAN_HOME at it; aborts the test program on failure. */
void th_setup(th_env *e, const char *tag);
/* Stop the embedded server and remove the folder (kept when TH_KEEP is set). */
void th_teardown(th_env *e);

/* Run the chartscan binary with the given arguments (NULL-terminated). */
th_result th_chartscan(const th_env *e, ...);
/* Start the chartscan binary in the background, its output to dir/NAME.out and .err. */
pid_t th_chartscan_bg(const th_env *e, const char *name, ...);
/* Start argv (argv[0] looked up in PATH) in the background, its output in
 * dir/NAME.out and dir/NAME.err. */
pid_t th_spawn_bg(const th_env *e, const char *name, char *const argv[]);
/* Wait for pid up to timeout_s seconds: its exit status, -1 killed by a signal, -2 timeout. */
int th_wait(pid_t pid, int timeout_s);
/* Run a shell command line; returns its exit status. */
int th_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_result_free(th_result *r);
/* Run argv (argv[0] looked up in PATH) and wait: out holds its standard output
 * and error together, err is ""; status 127 when the program is not installed. */
th_result th_run(const char *const argv[]);

/*
 * th_setup, then a processed sample batch: make-sample-batch (seed, files)
 * into dir/sample, init, patients import, train, submit, work -j 2
 * --until-idle.  Exits the test program (status 2) when a step fails.
 */
void th_setup_processed_sample(th_env *e, const char *tag, int seed, int files);

/*
 * th_mllp_listener: a fake interface engine on 127.0.0.1 (its port in *port),
 * a child process that accepts one connection and answers the k-th MLLP
 * message with script[k] ('A' AA, 'E' AE, 'R' AR, '-' no answer; past the
 * script's end, its last letter).  A rejection's ACK goes on after MSA-2 with
 * reject_tail (segments ending in CR; NULL: "|unknown patient\r").  log_path
 * (may be NULL) gets "CODE TXA-12" per message.  Returns the child's pid.
 */
pid_t th_mllp_listener(int *port, const char *script, const char *reject_tail,
                       const char *log_path);

/*
 * Generate a sample batch (make-sample-batch --seed seed --files files) into
 * e->dir/sSEED and put in zip the path of its archive, renamed
 * batch-SEED.zip so that each seed's name differs.  Fails the test on error.
 */
void th_sample_archive(const th_env *e, int seed, int files, char *zip, size_t ziplen);
/* chartscan submit zip: the new batch's id; fails the test otherwise. */
long long th_submit(const th_env *e, const char *zip);
/* Wait until the one-value query sql gives "t"; fails the test after timeout_s. */
void th_wait_for(PGconn *c, const char *sql, int timeout_s);

/*
 * One HTTP/1.1 request to 127.0.0.1:port (Connection: close; a body is sent
 * as a form): the status (0 when none came within 10 s) and, when text is
 * not NULL, the whole answer, headers and body, in *text (malloc'd).
 */
int th_http(int port, const char *method, const char *path, const char *headers,
            const char *body, char **text);

/* Connect to the embedded database of e (search_path chartscan). */
PGconn *th_connect(const th_env *e);
/* Connect with a given libpq connection string (search_path chartscan). */
PGconn *th_connect_to(const char *conninfo);
/* Create table name (n int, j jsonb) from a JSON Lines file; returns the line count or -1. */
long th_load_jsonl(PGconn *c, const char *table, const char *path);
/* Run a query expected to give one value; returns it malloc'd ("" for NULL), NULL on error. */
char *th_value(PGconn *c, const char *sql);
/* Assert that a one-value query gives expected (frees what it fetched). */
#define TH_ASSERT_VALUE(conn, sql, expected)                                     \
    do {                                                                         \
        char *th_v_ = th_value((conn), (sql));                                   \
        int th_ok_ = th_v_ && !strcmp(th_v_, (expected));                        \
        char th_got_[256];                                                       \
        snprintf(th_got_, sizeof th_got_, "%s", th_v_ ? th_v_ : "(error)");      \
        free(th_v_);                                                             \
        ck_assert_msg(th_ok_, "%s gave \"%s\", expected \"%s\"", (sql), th_got_, \
                      (expected));                                               \
    } while (0)
/* The same, as a long (LONG_MIN on error). */
long th_long(PGconn *c, const char *sql);

/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *th_slurp(const char *path, size_t *len);

#endif

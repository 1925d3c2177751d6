/*
 * ocrbench.c — chartscan's page cleanup and OCR (the ocr/ module) over the
 * pages of a set of TIFF files, for scripts/bench-ocr.  Run as
 * build/tools/ocrbench.
 *
 *   ocrbench [-j N] [--root DIR] [--list FILE] [--words] [--psm N] [-o OUT] [FILE...]
 *   ocrbench run-rss RSSFILE CMD [ARG...]
 *
 * The first form runs N worker processes (fork; default 2).  Each creates
 * its own engine once (cs_ocr_engine_new) and then takes pages one at a
 * time from a counter shared by all workers (cs_ocr_page per page), so a
 * slow page never leaves another worker idle while work remains.  Like
 * `chartscan work`, it wants OMP_THREAD_LIMIT=1 in the environment.
 *
 * Output (OUT, default standard output) is JSON Lines, in this order:
 *   {"kind":"page","file":F,"page":P,"worker":W,"ms":...,"text":...,
 *    "confidence":...,"width":...,"height":...,"dpi":...,"source_dpi":...,
 *    "dpi_inferred":...,"rotation":...,"orientation_confidence":...,
 *    "skew":...,"blank":...,"blank_score":...,"joined":...,"nwords":...,
 *    "steps":{"decode":ms,"normalise":ms,...,"encode":ms}
 *    [,"words":[[x,y,w,h,"text",confidence,block,line],...]]}
 *       one per page, in (file, page) order; "ms" is the wall time of
 *       cs_ocr_page.  A page that fails has "error" instead of the results.
 *   {"kind":"file","file":F,"error":...}   a file that could not be read
 *   {"kind":"worker","worker":W,"pages":...,"failed":...,"blank":...,
 *    "engine_ms":...,"max_rss_kb":...,"steps":{...}}   one per worker:
 *       peak resident set size (getrusage of the worker, so it includes
 *       the engine) and the sum of each cleanup step's milliseconds
 *   {"kind":"run","workers":N,"files":...,"pages":...,"failed":...,
 *    "seconds":...}
 *
 * --words adds every word with its box mapped back to the pixels of the
 * page as stored in the TIFF, for zone scoring (cer zones): the rotation
 * the cleanup applied is undone and the resolution change scaled back.
 * The deskew angle is not undone (a few pixels on a page skewed by less
 * than a degree), and a cleanup that crops the page would shift the boxes.
 *
 * --psm N recognises with Tesseract page segmentation mode N instead of
 * the pipeline's (for measuring; the pipeline never changes it).
 *
 * FILE names are taken relative to --root and written as given; --list
 * reads more names, one a line ("-" for standard input).
 *
 * The second form runs CMD, writes its peak resident set size in kB to
 * RSSFILE and exits with CMD's status (128 + signal when killed): the
 * benchmark wraps each bare tesseract run in it.
 *
 * Messages carry file names and counts, never recognised text.
 * Exit status: 0 success (pages that fail are in the output), 1 failure,
 * 2 bad usage.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"
#include "ocr/ocr.h"
#include "ocr/ocr_internal.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "ocrbench"
#define MAX_WORKERS 256

const char tk_prog[] = PROG;

__attribute__((format(printf, 2, 3)))
static void bprintf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tk_buf_vprintf(b, 256, fmt, ap);
    va_end(ap);
}

/* Read a whole file (at most CS_MAX_ENTRY_BYTES).  Returns 0 or -1 with err. */
static int read_file(const char *path, unsigned char **out, size_t *len, char *err, size_t errlen)
{
    FILE *fp;
    struct stat st;
    unsigned char *data;

    *out = NULL;
    *len = 0;
    if ((fp = fopen(path, "rb")) == NULL)
        return cs_fail(err, errlen, "could not open file \"%s\": %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return cs_fail(err, errlen, "\"%s\" is not a regular file", path);
    }
    if (st.st_size > CS_MAX_ENTRY_BYTES) {
        fclose(fp);
        return cs_fail(err, errlen, "file \"%s\" is larger than %lld bytes", path,
                       (long long)CS_MAX_ENTRY_BYTES);
    }
    data = tk_xrealloc(NULL, (size_t)st.st_size);
    if (st.st_size && fread(data, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        fclose(fp);
        free(data);
        return cs_fail(err, errlen, "could not read file \"%s\"", path);
    }
    fclose(fp);
    *out = data;
    *len = (size_t)st.st_size;
    return 0;
}

static double wall_seconds(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ------------------------------------------------------------------ */
/* run-rss                                                            */

static int run_rss(const char *rssfile, char **argv)
{
    struct rusage ru;
    pid_t pid;
    int status;
    FILE *fp;

    fflush(NULL);
    if ((pid = fork()) < 0)
        tk_die("could not fork: %s", strerror(errno));
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, PROG ": could not run \"%s\": %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            tk_die("could not wait for \"%s\": %s", argv[0], strerror(errno));
    if ((fp = fopen(rssfile, "w")) == NULL)
        tk_die("could not create file \"%s\": %s", rssfile, strerror(errno));
    fprintf(fp, "%ld\n", ru.ru_maxrss);
    if (fclose(fp) != 0)
        tk_die("could not write file \"%s\": %s", rssfile, strerror(errno));
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* ------------------------------------------------------------------ */
/* The pages and the workers                                          */

typedef struct task {
    size_t file;               /* index into files */
    int page;                  /* 1-based */
} task;

typedef struct options {
    const char *root;
    const char *out;
    int jobs;
    int words;
} options;

static char **files;
static size_t nfiles, files_cap;
static task *tasks;
static size_t ntasks, tasks_cap;

static void add_file(const char *name)
{
    if (nfiles == files_cap) {
        files_cap = files_cap ? files_cap * 2 : 64;
        files = tk_xrealloc(files, files_cap * sizeof *files);
    }
    files[nfiles++] = tk_xstrdup(name);
}

static void read_list(const char *path)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (!fp)
        tk_die("could not open file \"%s\": %s", path, strerror(errno));
    while ((n = getline(&line, &cap, fp)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            add_file(line);
    }
    if (ferror(fp))
        tk_die("could not read file \"%s\"", path);
    free(line);
    if (fp != stdin)
        fclose(fp);
}

static void path_of(const options *opt, size_t f, char *path, size_t n)
{
    if (opt->root && files[f][0] != '/')
        snprintf(path, n, "%s/%s", opt->root, files[f]);
    else
        snprintf(path, n, "%s", files[f]);
}

static const char *const step_names[] = {
    "decode", "normalise", "orient", "deskew", "binarise", "clean", "blank", "ocr", "encode",
};
#define NSTEPS (sizeof step_names / sizeof step_names[0])

static void steps_of(const cs_cleanup *c, double ms[NSTEPS])
{
    ms[0] = c->ms_decode;
    ms[1] = c->ms_normalise;
    ms[2] = c->ms_orient;
    ms[3] = c->ms_deskew;
    ms[4] = c->ms_binarise;
    ms[5] = c->ms_clean;
    ms[6] = c->ms_blank;
    ms[7] = c->ms_ocr;
    ms[8] = c->ms_encode;
}

static void put_steps(cs_buf *b, const double ms[NSTEPS])
{
    size_t k;
    tk_buf_puts(b, "{");
    for (k = 0; k < NSTEPS; k++)
        bprintf(b, "%s\"%s\":%.1f", k ? "," : "", step_names[k], ms[k]);
    tk_buf_puts(b, "}");
}

/*
 * Map a point of the cleaned page back to the page as stored: undo the
 * clockwise rotation the cleanup applied, then the change of resolution.
 */
static void to_source(const cs_ocr_result *res, double x, double y, double *sx, double *sy)
{
    double cw = res->width, ch = res->height, scale = 1.0, ux, uy;

    switch (res->cleanup.rotation) {
    case 90:  ux = y;      uy = cw - x; break;
    case 180: ux = cw - x; uy = ch - y; break;
    case 270: ux = ch - y; uy = x;      break;
    default:  ux = x;      uy = y;      break;
    }
    if (res->cleanup.source_dpi > 0 && res->cleanup.dpi > 0)
        scale = (double)res->cleanup.source_dpi / res->cleanup.dpi;
    *sx = ux * scale;
    *sy = uy * scale;
}

static void put_words(cs_buf *b, const cs_ocr_result *res)
{
    size_t i;
    tk_buf_puts(b, ",\"words\":[");
    for (i = 0; i < res->nwords; i++) {
        const cs_ocr_word *w = &res->words[i];
        double x0, y0, x1, y1, t;
        to_source(res, w->x, w->y, &x0, &y0);
        to_source(res, w->x + w->w, w->y + w->h, &x1, &y1);
        if (x1 < x0) { t = x0; x0 = x1; x1 = t; }
        if (y1 < y0) { t = y0; y0 = y1; y1 = t; }
        bprintf(b, "%s[%.0f,%.0f,%.0f,%.0f,", i ? "," : "", x0, y0, x1 - x0, y1 - y0);
        tk_buf_json(b, w->text ? w->text : "");
        bprintf(b, ",%.1f,%d,%d]", w->confidence, w->block, w->line);
    }
    tk_buf_puts(b, "]");
}

/* One page's output line (without the task index prefix). */
static void page_json(cs_buf *b, const char *file, int page, int worker, double ms,
                      const cs_ocr_result *res, const char *error, int words)
{
    double steps[NSTEPS];

    tk_buf_puts(b, "{\"kind\":\"page\",\"file\":");
    tk_buf_json(b, file);
    bprintf(b, ",\"page\":%d,\"worker\":%d,\"ms\":%.1f", page, worker, ms);
    if (error) {
        tk_buf_puts(b, ",\"error\":");
        tk_buf_json(b, error);
        tk_buf_puts(b, "}");
        return;
    }
    tk_buf_puts(b, ",\"text\":");
    tk_buf_json(b, res->text ? res->text : "");
    bprintf(b, ",\"confidence\":%.1f,\"width\":%d,\"height\":%d,\"dpi\":%d,\"source_dpi\":%d,"
            "\"dpi_inferred\":%s,\"rotation\":%d,\"orientation_confidence\":%.2f,\"skew\":%.3f,"
            "\"blank\":%s,\"blank_score\":%.5g,\"joined\":%s,\"nwords\":%zu,\"steps\":",
            res->confidence, res->width, res->height, res->dpi, res->cleanup.source_dpi,
            res->cleanup.dpi_inferred ? "true" : "false", res->cleanup.rotation,
            res->cleanup.orientation_confidence, res->cleanup.skew,
            res->cleanup.blank ? "true" : "false", res->cleanup.blank_score,
            res->cleanup.joined ? "true" : "false", res->nwords);
    steps_of(&res->cleanup, steps);
    put_steps(b, steps);
    if (words)
        put_words(b, res);
    tk_buf_puts(b, "}");
}

/*
 * One worker: an engine of its own, then pages from the shared counter
 * until none is left.  Lines go to out as "INDEX\tJSON\n" so the parent
 * can put them back in order.  Never returns.
 */
static void worker(const options *opt, int id, size_t *next, FILE *out)
{
    cs_ocr_engine *engine = NULL;
    char err[CS_ERRLEN], path[4300];
    unsigned char *data = NULL;
    size_t len = 0, cached = (size_t)-1;
    cs_buf line = CS_BUF_INIT;
    double t0, sums[NSTEPS] = {0}, engine_ms;
    long pages = 0, failed = 0, blank = 0;
    struct rusage ru;
    size_t i, k;

    t0 = cs_now_ms();
    if (cs_ocr_engine_new(NULL, &engine, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": worker %d: %s\n", id, err);
        _exit(1);
    }
    engine_ms = cs_now_ms() - t0;
    while ((i = __atomic_fetch_add(next, 1, __ATOMIC_SEQ_CST)) < ntasks) {
        const task *t = &tasks[i];
        cs_ocr_result res;
        double steps[NSTEPS], ms;
        int rc;

        if (t->file != cached) {
            free(data);
            data = NULL;
            cached = (size_t)-1;
            path_of(opt, t->file, path, sizeof path);
            if (read_file(path, &data, &len, err, sizeof err) < 0) {
                fprintf(stderr, PROG ": worker %d: %s\n", id, err);
                _exit(1);
            }
            cached = t->file;
        }
        memset(&res, 0, sizeof res);
        err[0] = '\0';
        t0 = cs_now_ms();
        rc = cs_ocr_page(engine, data, len, t->page, &res, err, sizeof err);
        ms = cs_now_ms() - t0;
        cs_buf_reset(&line);
        bprintf(&line, "%zu\t%c\t", i, rc < 0 ? 'E' : 'O');
        page_json(&line, files[t->file], t->page, id, ms, &res, rc < 0 ? err : NULL, opt->words);
        tk_buf_puts(&line, "\n");
        if (fwrite(line.data, 1, line.len, out) != line.len) {
            fprintf(stderr, PROG ": worker %d: could not write its results: %s\n", id,
                    strerror(errno));
            _exit(1);
        }
        pages++;
        if (rc < 0) {
            failed++;
        } else {
            blank += res.cleanup.blank != 0;
            steps_of(&res.cleanup, steps);
            for (k = 0; k < NSTEPS; k++)
                sums[k] += steps[k];
        }
        cs_ocr_result_clear(&res);
    }
    free(data);
    cs_ocr_engine_free(&engine);
    getrusage(RUSAGE_SELF, &ru);
    cs_buf_reset(&line);
    bprintf(&line, "W\tW\t{\"kind\":\"worker\",\"worker\":%d,\"pages\":%ld,\"failed\":%ld,"
            "\"blank\":%ld,\"engine_ms\":%.1f,\"max_rss_kb\":%ld,\"steps\":",
            id, pages, failed, blank, engine_ms, ru.ru_maxrss);
    put_steps(&line, sums);
    tk_buf_puts(&line, "}\n");
    if (fwrite(line.data, 1, line.len, out) != line.len || fflush(out) != 0) {
        fprintf(stderr, PROG ": worker %d: could not write its results: %s\n", id, strerror(errno));
        _exit(1);
    }
    cs_buf_free(&line);
    _exit(0);
}

typedef struct outline {
    size_t index;              /* task index; (size_t)-1 for a worker line */
    char *json;
} outline;

static int cmp_outline(const void *a, const void *b)
{
    const outline *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static int run(const options *opt)
{
    FILE *parts[MAX_WORKERS] = {0}, *out = stdout;
    pid_t pids[MAX_WORKERS];
    size_t *next = MAP_FAILED, i, nlines = 0, lines_cap = 0;
    outline *lines = NULL;
    cs_buf errors = CS_BUF_INIT;
    char err[CS_ERRLEN], path[4300];
    long failed = 0, bad_files = 0;
    double t0 = wall_seconds();
    int nworkers, w, rc = 0;

    /* the pages of every file, from the TIFF directories only */
    for (i = 0; i < nfiles; i++) {
        unsigned char *data = NULL;
        size_t len = 0;
        cs_tiff_info info;
        int p;

        path_of(opt, i, path, sizeof path);
        if (read_file(path, &data, &len, err, sizeof err) < 0 ||
            cs_ocr_tiff_inspect(data, len, &info, err, sizeof err) < 0) {
            tk_buf_puts(&errors, "{\"kind\":\"file\",\"file\":");
            tk_buf_json(&errors, files[i]);
            tk_buf_puts(&errors, ",\"error\":");
            tk_buf_json(&errors, err);
            tk_buf_puts(&errors, "}\n");
            fprintf(stderr, PROG ": skipping \"%s\": %s\n", files[i], err);
            bad_files++;
            free(data);
            continue;
        }
        free(data);
        for (p = 1; p <= info.pages; p++) {
            if (ntasks == tasks_cap) {
                tasks_cap = tasks_cap ? tasks_cap * 2 : 256;
                tasks = tk_xrealloc(tasks, tasks_cap * sizeof *tasks);
            }
            tasks[ntasks].file = i;
            tasks[ntasks].page = p;
            ntasks++;
        }
    }

    nworkers = opt->jobs;
    if ((size_t)nworkers > ntasks)
        nworkers = ntasks ? (int)ntasks : 1;
    next = mmap(NULL, sizeof *next, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next == MAP_FAILED)
        tk_die("could not map shared memory: %s", strerror(errno));
    *next = 0;
    fflush(NULL);
    for (w = 0; w < nworkers; w++) {
        if ((parts[w] = tmpfile()) == NULL)
            tk_die("could not create a temporary file: %s", strerror(errno));
        if ((pids[w] = fork()) < 0)
            tk_die("could not fork: %s", strerror(errno));
        if (pids[w] == 0)
            worker(opt, w, next, parts[w]);
    }
    for (w = 0; w < nworkers; w++) {
        int status;
        while (waitpid(pids[w], &status, 0) < 0)
            if (errno != EINTR)
                tk_die("could not wait for worker %d: %s", w, strerror(errno));
        if (WIFSIGNALED(status)) {
            fprintf(stderr, PROG ": worker %d was killed by signal %d (%s)\n", w,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
            rc = -1;
        } else if (WEXITSTATUS(status) != 0) {
            fprintf(stderr, PROG ": worker %d failed with exit status %d\n", w,
                    WEXITSTATUS(status));
            rc = -1;
        }
    }
    if (rc < 0)
        goto out;

    /* collect, put back in page order, write */
    for (w = 0; w < nworkers; w++) {
        char *buf = NULL;
        size_t cap = 0;
        ssize_t n;
        rewind(parts[w]);
        while ((n = getline(&buf, &cap, parts[w])) > 0) {
            char *tab = strchr(buf, '\t');
            if (!tab || !tab[1] || tab[2] != '\t')
                tk_die("internal error: malformed worker output");
            if (nlines == lines_cap) {
                lines_cap = lines_cap ? lines_cap * 2 : 256;
                lines = tk_xrealloc(lines, lines_cap * sizeof *lines);
            }
            lines[nlines].index = buf[0] == 'W' ? (size_t)-1 : strtoul(buf, NULL, 10);
            lines[nlines].json = tk_xstrdup(tab + 3);
            failed += tab[1] == 'E';
            nlines++;
        }
        free(buf);
        if (ferror(parts[w]))
            tk_die("could not read worker %d's results", w);
    }
    qsort(lines, nlines, sizeof *lines, cmp_outline);
    if (nlines != ntasks + (size_t)nworkers)
        tk_die("internal error: %zu result lines for %zu pages and %d workers", nlines, ntasks,
            nworkers);
    if (opt->out && (out = fopen(opt->out, "w")) == NULL)
        tk_die("could not create file \"%s\": %s", opt->out, strerror(errno));
    for (i = 0; i < nlines; i++)
        fputs(lines[i].json, out);
    if (errors.len)
        fputs(errors.data, out);
    fprintf(out, "{\"kind\":\"run\",\"workers\":%d,\"files\":%zu,\"bad_files\":%ld,\"pages\":%zu,"
            "\"failed\":%ld,\"seconds\":%.3f}\n",
            nworkers, nfiles, bad_files, ntasks, failed, wall_seconds() - t0);
    if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0))
        tk_die("could not write the results: %s", strerror(errno));
    if (failed)
        fprintf(stderr, PROG ": %ld of %zu pages failed (see their \"error\")\n", failed, ntasks);
out:
    for (w = 0; w < nworkers; w++)
        if (parts[w])
            fclose(parts[w]);
    for (i = 0; i < nlines; i++)
        free(lines[i].json);
    free(lines);
    cs_buf_free(&errors);
    munmap(next, sizeof *next);
    return rc;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *fp)
{
    fputs("usage: ocrbench [-j N] [--root DIR] [--list FILE] [--words] [--psm N] [-o OUT]\n"
          "                [FILE...]\n"
          "       ocrbench run-rss RSSFILE CMD [ARG...]\n"
          "Run chartscan's cleanup and OCR (cs_ocr_page) over every page of the TIFF files\n"
          "with N worker processes (default 2), one engine each, and write one JSON line per\n"
          "page, worker and run; or run CMD and write its peak RSS in kB to RSSFILE.\n"
          "See the comment at the top of scripts/tools/ocrbench.c.\n",
          fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "jobs", required_argument, NULL, 'j' },
        { "root", required_argument, NULL, 'r' },
        { "list", required_argument, NULL, 'l' },
        { "words", no_argument, NULL, 'w' },
        { "out", required_argument, NULL, 'o' },
        { "psm", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, NULL, 2, 0 };
    int c, rc;
    size_t i;

    if (argc >= 2 && strcmp(argv[1], "run-rss") == 0) {
        if (argc < 4) {
            usage(stderr);
            return 2;
        }
        return run_rss(argv[2], argv + 3);
    }
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":j:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': {
            long v;
            if (tk_parse_long(optarg, 1, MAX_WORKERS, &v) < 0) {
                fprintf(stderr, PROG ": invalid -j \"%s\": expected 1 to %d\n", optarg, MAX_WORKERS);
                return 2;
            }
            opt.jobs = (int)v;
            break;
        }
        case 'r':
            opt.root = optarg;
            break;
        case 'l':
            read_list(optarg);
            break;
        case 'w':
            opt.words = 1;
            break;
        case 'o':
            opt.out = optarg;
            break;
        case 'p': {
            long v;
            if (tk_parse_long(optarg, 0, 13, &v) < 0) {
                fprintf(stderr, PROG ": invalid --psm \"%s\": expected a Tesseract page "
                        "segmentation mode, 0 to 13\n", optarg);
                return 2;
            }
            cs_ocr_tuning_current.psm = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\ntry --help\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, PROG ": unknown option \"%s\"\ntry --help\n", argv[optind - 1]);
            return 2;
        }
    }
    for (; optind < argc; optind++)
        add_file(argv[optind]);
    if (nfiles == 0) {
        fprintf(stderr, PROG ": no files given\ntry --help\n");
        return 2;
    }
    rc = run(&opt) < 0 ? 1 : 0;
    for (i = 0; i < nfiles; i++)
        free(files[i]);
    free(files);
    free(tasks);
    return rc;
}

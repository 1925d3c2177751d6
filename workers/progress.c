/*
 * progress.c — what `chartscan work` shows while the pool runs and says
 * when it ends.
 *
 * On a terminal (standard error is one), one line redrawn in place at most
 * twice a second: a bar of the pages done of those known, the rate, the
 * time left, the jobs queued and running.  Elsewhere nothing is drawn, so
 * that logs stay clean.  Either way, one summary line on standard output
 * when the run ends: batches, pages (blank, failed), documents (filed, to
 * review) and the time taken.
 *
 * The counts come from the pool's own connection (cs_work_counts_get,
 * pipeline/commands/work_progress.c); when it cannot be had, the run goes
 * on without a bar or summary.
 */
#include "workers/workers_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/common.h"

#define REDRAW_MS 500.0

struct cs_progress {
    cs_store *store;
    char mark[64];       /* the database's time when the run started */
    double started_ms, drawn_ms;
    int bar;             /* draw on stderr */
    int drawn;           /* a line is on the screen */
};

int cs_progress_start(cs_progress **pp, int bar)
{
    char err[CS_ERRLEN] = "";
    cs_progress *p = calloc(1, sizeof *p);

    *pp = NULL;
    if (!p)
        return -1;
    if (cs_store_open(&p->store, err, sizeof err) < 0 ||
        cs_work_mark(p->store, p->mark, sizeof p->mark, err, sizeof err) < 0) {
        cs_log(CS_LOG_WARN, "work: no progress or summary: %s", err);
        cs_store_close(&p->store);
        free(p);
        return -1;
    }
    p->bar = bar;
    p->started_ms = cs_now_ms();
    p->drawn_ms = -REDRAW_MS;
    *pp = p;
    return 0;
}

/* "1h 02m", "3m 07s", "12s" */
static void duration(double seconds, char *out, size_t outlen)
{
    long s = seconds < 0 ? 0 : (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(out, outlen, "%ldh %02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(out, outlen, "%ldm %02lds", s / 60, s % 60);
    else
        snprintf(out, outlen, "%lds", s);
}

static int terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void draw(cs_progress *p, const cs_work_counts *c, double now)
{
    char text[256], eta[32] = "?", line[512];
    double minutes = (now - p->started_ms) / 60000.0, rate = 0;
    long total = c->pages_done + c->pages_left;
    int cols = terminal_columns(), width, filled, n;

    if (minutes > 0 && c->pages_done > 0) {
        rate = c->pages_done / minutes;
        duration(c->pages_left / rate * 60.0, eta, sizeof eta);
    }
    snprintf(text, sizeof text, " %ld/%ld pages %3d%%  %.1f pages/min  ETA %s  jobs %ld queued, "
             "%ld running", c->pages_done, total, total ? (int)(100 * c->pages_done / total) : 0,
             rate, eta, c->jobs_queued, c->jobs_running);
    width = cols - 3 - (int)strlen(text) - 1;
    width = width > 40 ? 40 : width < 10 ? 10 : width;
    filled = total ? (int)((long)width * c->pages_done / total) : 0;
    n = snprintf(line, sizeof line, "\r[");
    for (int i = 0; i < width; i++)
        line[n++] = i < filled ? '#' : '-';
    snprintf(line + n, sizeof line - (size_t)n, "]%s", text);
    /* never wider than the terminal: a wrapped line cannot be redrawn in place */
    if ((int)strlen(line) > cols)
        line[cols] = '\0';
    fprintf(stderr, "%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
    p->drawn_ms = now;
}

void cs_progress_tick(cs_progress *p)
{
    char err[CS_ERRLEN];
    cs_work_counts c;
    double now = cs_now_ms();

    if (!p || !p->bar || now - p->drawn_ms < REDRAW_MS)
        return;
    if (cs_work_counts_get(p->store, p->mark, 0, &c, err, sizeof err) < 0) {
        p->drawn_ms = now;   /* try again at the next redraw */
        return;
    }
    draw(p, &c, now);
}

void cs_progress_finish(cs_progress **pp, FILE *out)
{
    cs_progress *p = *pp;
    char err[CS_ERRLEN] = "", took[32];
    cs_work_counts c;

    if (!p)
        return;
    *pp = NULL;
    duration((cs_now_ms() - p->started_ms) / 1000.0, took, sizeof took);
    if (cs_work_counts_get(p->store, p->mark, 1, &c, err, sizeof err) < 0) {
        cs_log(CS_LOG_WARN, "work: no summary: %s", err);
    } else {
        if (p->bar) {
            draw(p, &c, cs_now_ms());
            fputc('\n', stderr);
        }
        fprintf(out, "work: %ld batch%s, %ld page%s (%ld blank, %ld failed), %ld document%s "
                "(%ld filed, %ld to review) in %s\n", c.batches, c.batches == 1 ? "" : "es",
                c.pages_done, c.pages_done == 1 ? "" : "s", c.pages_blank, c.pages_failed,
                c.documents, c.documents == 1 ? "" : "s", c.filed, c.review, took);
        fflush(out);
    }
    cs_store_close(&p->store);
    free(p);
}

/*
 * log.c — the one logging function.  Level comes from CHARTSCAN_LOG
 * (error, warn, info, debug); messages carry ids, counts and timings only.
 */
#include "common/common.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_threshold = -1;

static int threshold(void)
{
    if (log_threshold < 0) {
        const char *v = getenv("CHARTSCAN_LOG");
        log_threshold = CS_LOG_WARN;
        if (v) {
            if (!strcmp(v, "error")) log_threshold = CS_LOG_ERROR;
            else if (!strcmp(v, "warn")) log_threshold = CS_LOG_WARN;
            else if (!strcmp(v, "info")) log_threshold = CS_LOG_INFO;
            else if (!strcmp(v, "debug")) log_threshold = CS_LOG_DEBUG;
        }
    }
    return log_threshold;
}

int cs_log_enabled(enum cs_log_level level)
{
    return (int)level <= threshold();
}

void cs_log(enum cs_log_level level, const char *fmt, ...)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    char line[1024];
    va_list ap;
    int n;

    if (!cs_log_enabled(level))
        return;
    n = snprintf(line, sizeof line, "chartscan[%d]: %s: ", (int)getpid(), names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n = (int)strlen(line);
    line[n++] = '\n';
    /* one write() so that lines from several workers do not interleave */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

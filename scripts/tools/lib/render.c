/*
 * render.c — PostScript -> gs -> Leptonica, the page pipeline of samplegen
 * and evalgen
 *
 * A generator writes its pages as PostScript (tk_ps_string for the text),
 * renders them to grey PNGs with Ghostscript (tk_gs_render), reads each back
 * skewed like a scan (tk_page_read_skewed) and dirties it (tk_speckle).
 * What happens after that (scaling, thresholding, the bench profile's
 * damage) is each generator's own.
 */
#include "scripts/tools/lib/toolkit.h"

#include <leptonica/allheaders.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

void tk_ps_string(cs_buf *b, const char *s)
{
    tk_buf_puts(b, "(");
    for (; *s; s++) {
        if (*s == '(' || *s == ')' || *s == '\\')
            tk_buf_puts(b, "\\");
        tk_buf_append(b, s, 1);
    }
    tk_buf_puts(b, ")");
}

int tk_gs_render(const char *psfile, const char *pngpattern, int dpi, int *status,
                 char *err, size_t errlen)
{
    char outarg[4400], resarg[32];
    char *argv[] = { "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE",
                     "-sDEVICE=pnggray", resarg, "-dTextAlphaBits=4",
                     outarg, (char *)psfile, NULL };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int rc;

    *status = 0;
    snprintf(outarg, sizeof outarg, "-sOutputFile=%s", pngpattern);
    snprintf(resarg, sizeof resarg, "-r%d", dpi);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, "gs", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return cs_fail(err, errlen, "could not run gs: %s (install the ghostscript package)",
                       strerror(rc));
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return cs_fail(err, errlen, "could not wait for gs: %s", strerror(errno));
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        return 0;
    return 1;
}

PIX *tk_page_read_skewed(const char *png, double skew, char *err, size_t errlen)
{
    PIX *src = NULL, *grey = NULL, *rot = NULL;

    if ((src = pixRead(png)) == NULL) {
        cs_fail(err, errlen, "could not read rendered page \"%s\"", png);
        goto out;
    }
    if ((grey = pixConvertTo8(src, 0)) == NULL ||
        (rot = pixRotate(grey, (float)(skew * M_PI / 180.0), L_ROTATE_AREA_MAP,
                         L_BRING_IN_WHITE, 0, 0)) == NULL) {
        cs_fail(err, errlen, "could not rotate rendered page \"%s\"", png);
        goto out;
    }
out:
    pixDestroy(&grey);
    pixDestroy(&src);
    return rot;
}

void tk_speckle(PIX *pix, tk_rng *r, long per, int darkest)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    long n = (long)w * h / per, i;

    for (i = 0; i < n + n / 2; i++) {
        l_int32 x = (l_int32)tk_rng_below(r, (unsigned)w);
        l_int32 y = (l_int32)tk_rng_below(r, (unsigned)h);
        SET_DATA_BYTE(data + (size_t)y * wpl, x,
                      i < n ? darkest + (l_int32)tk_rng_below(r, 80) : 255);
    }
}

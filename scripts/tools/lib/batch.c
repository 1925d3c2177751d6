/*
 * batch.c — what samplegen and evalgen do alike to write a batch of scans
 *
 * Both generators name their files boxNN/chart_NNNN.tif, stage each file in
 * a private temporary folder (its PostScript, the pages gs renders from it,
 * the multi-page TIFF built page by page) and store the TIFF in a zip.  The
 * page content and the damage done to each page are each generator's own;
 * the staging is here:
 *
 *     tk_scanfile sf;
 *     tk_scanfile_init(&sf, tmpdir, i);
 *     tk_scanfile_render(&sf, &ps, dpi, ...);        PostScript -> PNG per page
 *     for each page p: tk_scanfile_png(&sf, p, png, ...); read and damage it;
 *                      tk_scanfile_add_page(&sf, pix, g4, ...);
 *     tk_scanfile_store(&sf, zip, entry, ...);       the TIFF -> zip entry
 *     tk_scanfile_cleanup(&sf);                      always
 */
#include "scripts/tools/lib/toolkit.h"

#include <archive.h>
#include <leptonica/allheaders.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void tk_chart_entry(char *out, size_t n, long i)
{
    snprintf(out, n, "box%02ld/chart_%04ld.tif", i / TK_FILES_PER_BOX + 1, i + 1);
}

int tk_make_temp_dir(const char *prefix, char *out, size_t n, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");

    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(out, n, "%s/%s.XXXXXX", tmp, prefix);
    if (mkdtemp(out) == NULL) {
        int e = errno;
        out[0] = '\0';
        return cs_fail(err, errlen, "could not create a temporary folder in \"%s\": %s", tmp,
                       strerror(e));
    }
    return 0;
}

/* The writer's own message, or a stand-in when it has none. */
static const char *zip_error(struct archive *a)
{
    return archive_error_string(a) ? archive_error_string(a) : "unknown error";
}

struct archive *tk_zip_create(const char *path, char *err, size_t errlen)
{
    struct archive *a = archive_write_new();

    if (!a)
        tk_die_oom();
    if (archive_write_set_format_zip(a) != ARCHIVE_OK ||
        archive_write_open_filename(a, path) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not create zip \"%s\": %s", path, zip_error(a));
        archive_write_free(a);
        return NULL;
    }
    return a;
}

int tk_zip_close(struct archive *a, const char *path, char *err, size_t errlen)
{
    if (archive_write_close(a) != ARCHIVE_OK)
        return cs_fail(err, errlen, "could not finish zip \"%s\": %s", path, zip_error(a));
    return 0;
}

void tk_scanfile_init(tk_scanfile *sf, const char *dir, long i)
{
    memset(sf, 0, sizeof *sf);
    snprintf(sf->ps, sizeof sf->ps, "%s/f%04ld.ps", dir, i + 1);
    snprintf(sf->pattern, sizeof sf->pattern, "%s/f%04ld-%%03d.png", dir, i + 1);
    snprintf(sf->tif, sizeof sf->tif, "%s/f%04ld.tif", dir, i + 1);
    snprintf(sf->dir, sizeof sf->dir, "%s", dir);
    sf->number = i + 1;
}

int tk_scanfile_render(tk_scanfile *sf, const cs_buf *ps, int dpi, char *err, size_t errlen)
{
    int status, rc;

    if (tk_write_file(sf->ps, ps->data, ps->len, err, errlen) < 0)
        return -1;
    rc = tk_gs_render(sf->ps, sf->pattern, dpi, &status, err, errlen);
    if (rc <= 0)
        return rc;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)   /* exec failed in the child */
        return cs_fail(err, errlen, "could not run gs: not found or not executable "
                       "(install the ghostscript package)");
    if (WIFEXITED(status))
        return cs_fail(err, errlen, "gs failed with exit status %d on \"%s\"",
                       WEXITSTATUS(status), sf->ps);
    return cs_fail(err, errlen, "gs was killed by signal %d on \"%s\"", WTERMSIG(status), sf->ps);
}

void tk_scanfile_png(const tk_scanfile *sf, int p, char *out, size_t n)
{
    snprintf(out, n, "%s/f%04ld-%03d.png", sf->dir, sf->number, p);
}

int tk_scanfile_add_page(tk_scanfile *sf, struct Pix *pix, int g4, char *err, size_t errlen)
{
    if (pixWriteTiff(sf->tif, pix, g4 ? IFF_TIFF_G4 : IFF_TIFF_JPEG, sf->pages ? "a" : "w") != 0)
        return cs_fail(err, errlen, "could not write TIFF \"%s\"", sf->tif);
    sf->pages++;
    return 0;
}

int tk_scanfile_store(const tk_scanfile *sf, struct archive *zip, const char *entry,
                      char *err, size_t errlen)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = -1;

    if (tk_read_file(sf->tif, &data, &len, err, errlen) == 0 &&
        tk_zip_add(zip, entry, data, len, err, errlen) == 0)
        rc = 0;
    free(data);
    return rc;
}

void tk_scanfile_cleanup(tk_scanfile *sf)
{
    unlink(sf->ps);
    unlink(sf->tif);
}

/*
 * util.c — clock and error-formatting helpers used by every module, and
 * the creation of files and folders that hold patient data.
 *
 * Files with patient data (exports, PDFs, manifests) are private to their
 * owner whatever the umask (0600, folders 0700) and are never written
 * through a symbolic link: an attacker who can write the folder could
 * otherwise point the output at a file of theirs to read it, or at one of
 * ours to overwrite it.  A file is written as a new temporary file in the
 * same folder (mkstemp: O_CREAT|O_EXCL, never follows a link) and renamed
 * over the destination when complete; rename replaces a link rather than
 * following it, and a destination that is a link is refused outright with a
 * clear message.
 */
#include "common/common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double cs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int cs_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* 0 when path is absent or a regular file; -1 with err for a link or anything else. */
static int check_destination(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return cs_fail(err, errlen, "could not check \"%s\": %s", path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode))
        return cs_fail(err, errlen, "\"%s\" is a symbolic link: refusing to write through it",
                       path);
    if (!S_ISREG(st.st_mode))
        return cs_fail(err, errlen, "\"%s\" exists and is not a regular file", path);
    return 0;
}

int cs_dir_make_private(const char *path, char *err, size_t errlen)
{
    struct stat st;
    int fd;

    if (mkdir(path, 0700) != 0) {
        if (errno != EEXIST)
            return cs_fail(err, errlen, "could not create folder \"%s\": %s", path,
                           strerror(errno));
        if (lstat(path, &st) != 0)
            return cs_fail(err, errlen, "could not check \"%s\": %s", path, strerror(errno));
        if (S_ISLNK(st.st_mode))
            return cs_fail(err, errlen, "\"%s\" is a symbolic link: refusing to write through "
                           "it", path);
        if (!S_ISDIR(st.st_mode))
            return cs_fail(err, errlen, "\"%s\" is not a folder", path);
        return 0;   /* an existing folder is the user's: used as it is */
    }
    /* ours: exactly 0700 whatever the umask, fixed through the folder itself */
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return cs_fail(err, errlen, "could not open folder \"%s\": %s", path, strerror(errno));
    if (fchmod(fd, 0700) != 0) {
        int e = errno;
        close(fd);
        return cs_fail(err, errlen, "could not set the mode of \"%s\": %s", path, strerror(e));
    }
    close(fd);
    return 0;
}

int cs_file_create_private(const char *path, char *tmp, size_t tmplen, char *err,
                           size_t errlen)
{
    int fd, n;

    if (!tmp || tmplen == 0)
        return cs_fail(err, errlen, "no room for a temporary name");
    tmp[0] = '\0';
    if (check_destination(path, err, errlen) < 0)
        return -1;
    n = snprintf(tmp, tmplen, "%s.part-XXXXXX", path);
    if (n < 0 || (size_t)n >= tmplen) {
        tmp[0] = '\0';
        return cs_fail(err, errlen, "path \"%s\" is too long", path);
    }
    fd = mkstemp(tmp);   /* 0600, O_EXCL: a new file, never a link's target */
    if (fd < 0) {
        int e = errno;
        char shown[CS_ERRLEN / 2];
        snprintf(shown, sizeof shown, "%s", tmp);
        tmp[0] = '\0';
        return cs_fail(err, errlen, "could not create \"%s\": %s", shown, strerror(e));
    }
    if (fchmod(fd, 0600) != 0) {   /* mkstemp's mode is under the umask too */
        int e = errno;
        close(fd);
        unlink(tmp);
        tmp[0] = '\0';
        return cs_fail(err, errlen, "could not set the mode of \"%s\": %s", path, strerror(e));
    }
    /* not fatal if it fails: a child could inherit the descriptor, nothing more */
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

FILE *cs_file_open_private(const char *path, char *tmp, size_t tmplen, char *err,
                           size_t errlen)
{
    int fd = cs_file_create_private(path, tmp, tmplen, err, errlen);
    FILE *fp;

    if (fd < 0)
        return NULL;
    fp = fdopen(fd, "wb");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(tmp);
        cs_fail(err, errlen, "could not open \"%s\": %s", tmp, strerror(e));
        tmp[0] = '\0';
    }
    return fp;
}

int cs_file_commit_private(const char *tmp, const char *path, char *err, size_t errlen)
{
    if (check_destination(path, err, errlen) < 0) {
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return cs_fail(err, errlen, "could not rename \"%s\" to \"%s\": %s", tmp, path,
                       strerror(e));
    }
    return 0;
}

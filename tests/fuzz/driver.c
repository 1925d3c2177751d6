/*
 * driver.c — replays a fuzz target over files without libFuzzer: the
 * regression run of `make check` (scripts/run-tests runs it with no
 * arguments: the target's seed corpus, $CHARTSCAN_ROOT/tests/fuzz/corpus/
 * NAME, NAME compiled in as FUZZ_NAME), and a way to rerun a crash file
 * with the normal compiler: build/fuzz/replay_NAME FILE_OR_FOLDER...
 *
 * Every file is fed once to LLVMFuzzerTestOneInput; a crash or a failed
 * property ends the program with a signal, which run-tests reports.
 */
#include "tests/fuzz/fuzz.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME (the target's name, for its corpus folder) must be defined"
#endif

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feed one file; 0, or -1 when it cannot be read. */
static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data = NULL;
    long len;
    size_t got;

    if (!fp) {
        fprintf(stderr, "replay_%s: could not open \"%s\"\n", FUZZ_NAME, path);
        return -1;
    }
    if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        fprintf(stderr, "replay_%s: could not read \"%s\"\n", FUZZ_NAME, path);
        return -1;
    }
    /* an exact-size copy, as libFuzzer gives: reading past it is a finding */
    data = malloc(len ? (size_t)len : 1);
    if (!data) {
        fclose(fp);
        return -1;
    }
    got = fread(data, 1, (size_t)len, fp);
    fclose(fp);
    if (got != (size_t)len) {
        free(data);
        fprintf(stderr, "replay_%s: could not read \"%s\"\n", FUZZ_NAME, path);
        return -1;
    }
    LLVMFuzzerTestOneInput(data, got);
    free(data);
    return 0;
}

/* Feed a file, or every file of a folder in name order; the count fed, or -1. */
static long run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    long count = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay_%s: no such file or folder \"%s\"\n", FUZZ_NAME, path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path) < 0 ? -1 : 1;
    if (!(d = opendir(path)))
        return -1;
    while ((e = readdir(d)) != NULL) {
        char full[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!more)
                break;
            names = more;
        }
        if (!(names[n] = strdup(full)))
            break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        if (count >= 0 && run_file(names[i]) == 0)
            count++;
        else
            count = -1;
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;

    if (argc < 2) {
        const char *root = getenv("CHARTSCAN_ROOT");
        char corpus[4096];
        snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus/%s", root ? root : ".", FUZZ_NAME);
        total = run_path(corpus);
        if (total <= 0) {
            fprintf(stderr, "replay_%s: no seed corpus in \"%s\"\n", FUZZ_NAME, corpus);
            return 1;
        }
    } else {
        for (int i = 1; i < argc; i++) {
            long n = run_path(argv[i]);
            if (n < 0)
                return 1;
            total += n;
        }
    }
    printf("replay_%s: %ld input%s, no finding\n", FUZZ_NAME, total, total == 1 ? "" : "s");
    return 0;
}

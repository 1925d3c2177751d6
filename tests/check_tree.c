/*
 * check_tree.c — the sources keep the house rules of issue 13 (item 5).
 *
 * (How long functions and files may be is scripts/check-size's, run by
 * make check over the whole product.)
 *
 *   messages   library code never prints "chartscan: ..." itself: only
 *              cli/ does, with the message the library gave back; and no
 *              message says only "database error: %s" but cs_pq's
 *              fallback (pipeline/store/store.c) for callers that do not
 *              say what they attempted
 *   libpq      statements run through cs_pq and cs_pq_bin: no file but
 *              pipeline/store/store.c calls PQexecParams or PQexecPrepared
 *
 * The sources are read from the project's root (CHARTSCAN_ROOT, or the
 * current folder).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The library's folders: everything but cli/. */
static const char *const LIBRARY[] = {"common", "ocr", "indexer", "pipeline", "workers",
                                      "review", NULL};

static char root[512];

/* ---- reading the tree ---- */

typedef struct file_list {
    char **path;                 /* relative to root */
    size_t n, cap;
} file_list;

static void list_add(file_list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->path = realloc(l->path, l->cap * sizeof *l->path);
        ck_assert_ptr_nonnull(l->path);
    }
    l->path[l->n] = strdup(path);
    ck_assert_ptr_nonnull(l->path[l->n]);
    l->n++;
}

static void list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->path[i]);
    free(l->path);
    memset(l, 0, sizeof *l);
}

/* The files under folder (relative to root) whose names end in suffix, recursively. */
static void find_files(const char *folder, const char *suffix, file_list *l)
{
    char full[1024];
    DIR *d;
    struct dirent *de;

    snprintf(full, sizeof full, "%s/%s", root, folder);
    d = opendir(full);
    ck_assert_msg(d != NULL, "cannot read the folder %s", full);
    while ((de = readdir(d)) != NULL) {
        char rel[1024];
        struct stat st;
        size_t n = strlen(de->d_name), k = strlen(suffix);

        if (de->d_name[0] == '.')
            continue;
        snprintf(rel, sizeof rel, "%s/%s", folder, de->d_name);
        snprintf(full, sizeof full, "%s/%s", root, rel);
        if (stat(full, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            find_files(rel, suffix, l);
        else if (n > k && !strcmp(de->d_name + n - k, suffix))
            list_add(l, rel);
    }
    closedir(d);
}

static char *read_source(const char *rel)
{
    char full[1024];
    FILE *fp;
    long len;
    char *text;

    snprintf(full, sizeof full, "%s/%s", root, rel);
    fp = fopen(full, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", full);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    text = malloc((size_t)len + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(fread(text, 1, (size_t)len, fp), (size_t)len);
    text[len] = '\0';
    fclose(fp);
    return text;
}

/* Append to report (a bounded list for the failure message). */
static void note(char *report, size_t reportlen, const char *fmt, const char *file, long line,
                 const char *what)
{
    size_t used = strlen(report);
    if (used + 1 < reportlen)
        snprintf(report + used, reportlen - used, fmt, file, line, what);
}

/* ---- messages and libpq ---- */

/* Where needle occurs in the library's C, but in the file allowed (may be NULL). */
static int occurrences(const char *needle, const char *allowed, int *in_allowed, char *report,
                       size_t reportlen)
{
    int found = 0;

    *in_allowed = 0;
    for (int f = 0; LIBRARY[f]; f++) {
        file_list l = {0};
        find_files(LIBRARY[f], ".c", &l);
        for (size_t i = 0; i < l.n; i++) {
            char *text = read_source(l.path[i]);
            for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) {
                long line = 1;
                for (const char *q = text; q < p; q++)
                    line += *q == '\n';
                if (allowed && !strcmp(l.path[i], allowed)) {
                    (*in_allowed)++;
                    continue;
                }
                note(report, reportlen, "%s:%ld: %s\n", l.path[i], line, needle);
                found++;
            }
            free(text);
        }
        list_free(&l);
    }
    return found;
}

START_TEST(test_library_prints_no_program_name)
{
    char report[4096] = "";
    int allowed;
    int found = occurrences("\"chartscan: ", NULL, &allowed, report, sizeof report);

    ck_assert_msg(found == 0, "library code prints the program's name itself (it returns the "
                  "message to cli/ instead):\n%s", report);
}
END_TEST

START_TEST(test_messages_say_what_was_attempted)
{
    char report[4096] = "";
    int allowed;
    int found = occurrences("\"database error: %s\"", "pipeline/store/store.c", &allowed, report,
                            sizeof report);

    ck_assert_msg(found == 0, "messages that say only \"database error\":\n%s", report);
    ck_assert_int_le(allowed, 1);   /* cs_pq's fallback */
}
END_TEST

START_TEST(test_statements_go_through_cs_pq)
{
    static const char *const calls[] = {"PQexecParams(", "PQexecPrepared(", NULL};
    char report[4096] = "";
    int found = 0, allowed, store = 0;

    for (int c = 0; calls[c]; c++) {
        found += occurrences(calls[c], "pipeline/store/store.c", &allowed, report, sizeof report);
        store += allowed;
    }
    ck_assert_msg(found == 0, "statements run around cs_pq:\n%s", report);
    ck_assert_int_ge(store, 2);   /* cs_pq itself: the search does look */
}
END_TEST

static Suite *tree_suite(void)
{
    Suite *s = suite_create("tree");
    TCase *messages = tcase_create("messages");

    tcase_add_test(messages, test_library_prints_no_program_name);
    tcase_add_test(messages, test_messages_say_what_was_attempted);
    tcase_add_test(messages, test_statements_go_through_cs_pq);
    suite_add_tcase(s, messages);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tree_suite());
    const char *r = getenv("CHARTSCAN_ROOT");
    int failed;

    if (r && *r)
        snprintf(root, sizeof root, "%s", r);
    else if (!getcwd(root, sizeof root))
        snprintf(root, sizeof root, ".");
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

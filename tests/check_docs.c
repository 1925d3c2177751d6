/*
 * check_docs.c — the documentation agrees with the program (issue 13).
 *
 *   man      doc/chartscan.1 renders without a warning (groff -ww -z -man);
 *            its COMMANDS section has a subsection for every command that
 *            "chartscan --help" lists, and for no other; the options of each
 *            "chartscan COMMAND --help" are those of its subsections, both
 *            ways; its ENVIRONMENT names every CHARTSCAN_ variable that the
 *            help texts name or the code reads, and no other
 *   install  "make install" puts the man page in PREFIX/share/man/man1 and
 *            "make uninstall" takes it away
 *   links    README.md and the Markdown files of doc/ link only to files of the repository
 *            (no ../, no absolute path, no URL), each of which exists, and
 *            an anchor in a link names a heading of its file
 *   ehr      every view and column of schema ehr (the contract with the EHR)
 *            has a comment; the contract's version is readable as
 *            chartscan_ehr_reader, agrees with the schema's comment and is
 *            the one doc/ARCHITECTURE.md states
 *
 * The help texts come from the real binary; the man page, the Markdown files
 * and the sources are read from the project's root (CHARTSCAN_ROOT).
 */
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/harness.h"

static th_env env;

/* ---- a small set of strings ---- */

typedef struct strset {
    char **v;
    size_t n, cap;
} strset;

static int set_has(const strset *s, const char *x)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], x))
            return 1;
    return 0;
}

static void set_add(strset *s, const char *x, size_t len)
{
    char *copy = strndup(x, len);
    ck_assert_ptr_nonnull(copy);
    if (set_has(s, copy)) {
        free(copy);
        return;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        ck_assert_ptr_nonnull(s->v);
    }
    s->v[s->n++] = copy;
}

static void set_free(strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Every element of a missing from b, appended to out as " x". */
static void set_missing(const strset *a, const strset *b, char *out, size_t outlen)
{
    for (size_t i = 0; i < a->n; i++)
        if (!set_has(b, a->v[i])) {
            size_t used = strlen(out);
            snprintf(out + used, outlen - used, " %s", a->v[i]);
        }
}

/* ---- reading the texts ---- */

static char *root_file(const char *rel)
{
    char path[1024];
    char *text;
    snprintf(path, sizeof path, "%s/%s", env.root, rel);
    text = th_slurp(path, NULL);
    ck_assert_msg(text != NULL, "could not read %s", path);
    return text;
}

/* The help text of "chartscan [A1 [A2]] --help". */
static char *help_of(const char *a1, const char *a2)
{
    th_result r = a1 == NULL  ? th_chartscan(&env, "--help", (char *)NULL)
                  : a2 == NULL ? th_chartscan(&env, a1, "--help", (char *)NULL)
                               : th_chartscan(&env, a1, a2, "--help", (char *)NULL);
    char *out;
    ck_assert_msg(r.status == 0, "chartscan %s %s --help: status %d: %s", a1 ? a1 : "",
                  a2 ? a2 : "", r.status, r.err);
    out = r.out;
    r.out = NULL;
    th_result_free(&r);
    return out;
}

/* The options (--long and -x) named in text, without --help and -h. */
static void options_in(const char *text, strset *out)
{
    for (const char *p = text; *p; p++) {
        if (*p != '-' || (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '-' ||
                                       p[-1] == '_' || p[-1] == '.' || p[-1] == '/')))
            continue;
        if (p[1] == '-' && islower((unsigned char)p[2])) {
            size_t n = 2;
            while (isalnum((unsigned char)p[n]) || (p[n] == '-' && isalnum((unsigned char)p[n + 1])))
                n++;
            if (strncmp(p, "--help", n) != 0 || n != 6)
                set_add(out, p, n);
            p += n - 1;
        } else if (isalpha((unsigned char)p[1]) && !isalnum((unsigned char)p[2]) && p[2] != '-' &&
                   p[2] != '_' && p[2] != '.') {
            if (p[1] != 'h')
                set_add(out, p, 2);
            p += 1;
        }
    }
}

/* The CHARTSCAN_ variables named in text. */
static void variables_in(const char *text, strset *out)
{
    for (const char *p = strstr(text, "CHARTSCAN_"); p; p = strstr(p + 1, "CHARTSCAN_")) {
        size_t n = 10;
        if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            continue;
        while (isupper((unsigned char)p[n]) || isdigit((unsigned char)p[n]) || p[n] == '_')
            n++;
        while (n > 10 && p[n - 1] == '_')
            n--;
        if (n > 10)
            set_add(out, p, n);
    }
}

/* A roff line as text: escapes for font, hyphen, space and the like resolved. */
static void roff_plain(const char *line, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = line; *p && o + 1 < outlen; p++) {
        if (*p != '\\') {
            out[o++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case '\0':
            p--;
            break;
        case '-': out[o++] = '-'; break;
        case 'e': out[o++] = '\\'; break;
        case ' ': out[o++] = ' '; break;
        case '&': case '|': case '^': case ':': case '%': break;
        case 'f':
            if (p[1] == '[') {
                while (p[1] && p[1] != ']')
                    p++;
                if (p[1])
                    p++;
            } else if (p[1] == '(') {
                p += p[2] && p[3] ? 3 : 1;
            } else if (p[1]) {
                p++;
            }
            break;
        case '(':
            out[o++] = '?';
            p += p[1] && p[2] ? 2 : 0;
            break;
        case '[':
            out[o++] = '?';
            while (p[1] && p[1] != ']')
                p++;
            if (p[1])
                p++;
            break;
        default: out[o++] = *p; break;
        }
    }
    out[o] = '\0';
}

/* A man page section: its heading (.SH or .SS) and its text as plain lines. */
typedef struct man_section {
    int level;           /* 1 .SH, 2 .SS */
    char title[160];
    char *text;          /* malloc'd */
    char parent[64];     /* the .SH a .SS is in */
} man_section;

typedef struct man_page {
    man_section s[96];
    size_t n;
} man_page;

static void unquote(const char *in, char *out, size_t outlen)
{
    char plain[512];
    size_t o = 0;
    roff_plain(in, plain, sizeof plain);
    for (const char *p = plain + strspn(plain, " "); *p && o + 1 < outlen; p++)
        if (*p != '"')
            out[o++] = *p;
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

static void man_read(man_page *m)
{
    char *src = root_file("doc/chartscan.1"), *save = NULL, parent[64] = "";
    man_section *cur = NULL;
    size_t len = 0, cap = 0;

    memset(m, 0, sizeof *m);
    for (char *line = strtok_r(src, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char plain[1024];
        int sh = !strncmp(line, ".SH ", 4), ss = !strncmp(line, ".SS ", 4);
        if (sh || ss) {
            ck_assert_uint_lt(m->n, sizeof m->s / sizeof m->s[0]);
            cur = &m->s[m->n++];
            cur->level = sh ? 1 : 2;
            unquote(line + 4, cur->title, sizeof cur->title);
            if (sh)
                snprintf(parent, sizeof parent, "%s", cur->title);
            snprintf(cur->parent, sizeof cur->parent, "%s", parent);
            cur->text = calloc(1, 1);
            len = 0;
            cap = 1;
            continue;
        }
        if (!cur || !strncmp(line, ".\\\"", 3))
            continue;
        if (line[0] == '.') {
            /* a macro: its arguments are text (.B, .BR, .TP's next line, ...) */
            const char *a = line + 1;
            while (*a && *a != ' ')
                a++;
            roff_plain(a, plain, sizeof plain);
        } else {
            roff_plain(line, plain, sizeof plain);
        }
        {
            size_t add = strlen(plain) + 1;
            if (len + add + 1 > cap) {
                cap = 2 * (len + add + 1);
                cur->text = realloc(cur->text, cap);
                ck_assert_ptr_nonnull(cur->text);
            }
            memcpy(cur->text + len, plain, add - 1);
            len += add - 1;
            cur->text[len++] = '\n';
            cur->text[len] = '\0';
        }
    }
    free(src);
}

static void man_free(man_page *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->s[i].text);
}

/* A command's key: its first word, and its second when the first is "export". */
static void command_key(const char *words, char *key, size_t keylen)
{
    size_t n = strcspn(words, " ");
    if (!strncmp(words, "export ", 7))
        n = 7 + strcspn(words + 7, " ");
    snprintf(key, keylen, "%.*s", (int)n, words);
}

/* The commands the overview lists: lines "  word ..." in its command sections. */
static void overview_commands(strset *out)
{
    char *text = help_of(NULL, NULL), *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char key[64];
        if (strncmp(line, "  ", 2) != 0 || !islower((unsigned char)line[2]))
            continue;
        command_key(line + 2, key, sizeof key);
        set_add(out, key, strlen(key));
    }
    free(text);
}

/* ---- man ---- */

START_TEST(test_man_renders_without_warnings)
{
    char cmd[2048], errpath[160];
    char *errs;
    int st;

    ck_assert_msg(th_sh("command -v groff >/dev/null 2>&1") == 0,
                  "groff is missing (scripts/install-deps installs groff-base)");
    snprintf(errpath, sizeof errpath, "%s/groff.err", env.dir);
    snprintf(cmd, sizeof cmd, "groff -ww -z -man -Tutf8 '%s/doc/chartscan.1' 2>'%s'", env.root,
             errpath);
    st = th_sh("%s", cmd);
    errs = th_slurp(errpath, NULL);
    ck_assert_msg(st == 0 && errs && !*errs, "groff: status %d: %s", st, errs ? errs : "");
    free(errs);
    /* and it is a man page of chartscan, section 1 */
    errs = root_file("doc/chartscan.1");
    ck_assert_msg(strstr(errs, ".TH CHARTSCAN 1 ") != NULL, "no .TH CHARTSCAN 1 line");
    ck_assert_msg(strstr(errs, ".SH NAME\nchartscan \\- ") != NULL, "no NAME section");
    free(errs);
}
END_TEST

START_TEST(test_man_has_every_command)
{
    strset help = {0}, man = {0};
    char missing[1024] = "", extra[1024] = "";
    man_page m;

    overview_commands(&help);
    ck_assert_msg(help.n >= 15, "only %zu commands found in chartscan --help", help.n);
    man_read(&m);
    for (size_t i = 0; i < m.n; i++) {
        char key[64];
        if (m.s[i].level != 2 || strcmp(m.s[i].parent, "COMMANDS") != 0)
            continue;
        command_key(m.s[i].title, key, sizeof key);
        set_add(&man, key, strlen(key));
    }
    set_missing(&help, &man, missing, sizeof missing);
    set_missing(&man, &help, extra, sizeof extra);
    ck_assert_msg(!*missing, "commands of chartscan --help without a subsection of COMMANDS in "
                             "doc/chartscan.1:%s", missing);
    ck_assert_msg(!*extra, "subsections of COMMANDS in doc/chartscan.1 that chartscan --help "
                           "does not list:%s", extra);
    man_free(&m);
    set_free(&help);
    set_free(&man);
}
END_TEST

START_TEST(test_man_options_agree_with_help)
{
    man_page m;
    char *help[96] = {NULL}, key[96][64];
    int used[96] = {0};
    char report[4096] = "";

    man_read(&m);
    for (size_t i = 0; i < m.n; i++) {
        char word1[64], *word2;
        if (m.s[i].level != 2 || strcmp(m.s[i].parent, "COMMANDS") != 0)
            continue;
        command_key(m.s[i].title, key[i], sizeof key[i]);
        snprintf(word1, sizeof word1, "%s", key[i]);
        word2 = strchr(word1, ' ');
        if (word2)
            *word2++ = '\0';
        help[i] = help_of(word1, word2);
    }
    /* subsections that share one help text ("export manifest" and "export pdf") are
     * compared with it together */
    for (size_t i = 0; i < m.n; i++) {
        strset from_help = {0}, from_man = {0};
        char missing[1024] = "", extra[1024] = "";

        if (!help[i] || used[i])
            continue;
        options_in(help[i], &from_help);
        for (size_t j = i; j < m.n; j++) {
            if (!help[j] || strcmp(help[j], help[i]) != 0)
                continue;
            used[j] = 1;
            options_in(m.s[j].title, &from_man);
            options_in(m.s[j].text, &from_man);
        }
        set_missing(&from_help, &from_man, missing, sizeof missing);
        set_missing(&from_man, &from_help, extra, sizeof extra);
        if (*missing || *extra) {
            size_t u = strlen(report);
            snprintf(report + u, sizeof report - u,
                     "\n  %s: in --help, not in the man page:%s; in the man page, not in --help:%s",
                     key[i], *missing ? missing : " -", *extra ? extra : " -");
        }
        set_free(&from_help);
        set_free(&from_man);
    }
    for (size_t i = 0; i < m.n; i++)
        free(help[i]);
    ck_assert_msg(!*report, "doc/chartscan.1 and chartscan COMMAND --help disagree:%s", report);
    man_free(&m);
}
END_TEST

/* The "CHARTSCAN_..." string literals of the .c files in folder rel. */
static void variables_in_folder(const char *rel, int depth, strset *out)
{
    char dir[700];
    DIR *d;
    struct dirent *de;

    snprintf(dir, sizeof dir, "%s/%s", env.root, rel);
    d = opendir(dir);
    ck_assert_msg(d != NULL, "could not open %s", dir);
    while ((de = readdir(d)) != NULL) {
        char path[400], *src;
        size_t n = strlen(de->d_name);
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", rel, de->d_name);
        if (depth > 0) {
            char full[1200];
            snprintf(full, sizeof full, "%s/%s", env.root, path);
            if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
                variables_in_folder(path, depth - 1, out);
                continue;
            }
        }
        if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0)
            continue;
        src = root_file(path);
        for (const char *p = strstr(src, "\"CHARTSCAN_"); p; p = strstr(p + 1, "\"CHARTSCAN_")) {
            size_t k = 1;
            while (isupper((unsigned char)p[k]) || isdigit((unsigned char)p[k]) || p[k] == '_')
                k++;
            if (p[k] == '"')
                set_add(out, p + 1, k - 1);
        }
        free(src);
    }
    closedir(d);
}

/* Every "CHARTSCAN_..." string literal in the product's sources: the
 * modules and their rooms (one level of sub-folders, as the Makefile). */
static void variables_in_sources(strset *out)
{
    static const char *const folders[] = {"common", "ocr", "indexer", "pipeline", "workers",
                                          "review", "cli"};
    for (size_t f = 0; f < sizeof folders / sizeof folders[0]; f++)
        variables_in_folder(folders[f], 1, out);
}

START_TEST(test_man_environment_is_complete)
{
    static const char *const commands[][2] = {
        {NULL, NULL}, {"init", NULL}, {"db", NULL}, {"serve", NULL}, {"submit", NULL},
        {"work", NULL}, {"export", NULL}, {"export", "fhir"}, {"export", "hl7"}, {"audit", NULL},
    };
    strset known = {0}, man = {0};
    char missing[1024] = "", extra[1024] = "";
    man_page m;
    int found = 0;

    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char *h = help_of(commands[i][0], commands[i][1]);
        variables_in(h, &known);
        free(h);
    }
    variables_in_sources(&known);
    ck_assert_msg(set_has(&known, "CHARTSCAN_DB") && set_has(&known, "CHARTSCAN_PG_BINDIR"),
                  "the variables were not found in the help texts and the sources");
    man_read(&m);
    for (size_t i = 0; i < m.n; i++)
        if (m.s[i].level == 1 && !strcmp(m.s[i].title, "ENVIRONMENT")) {
            variables_in(m.s[i].text, &man);
            found = 1;
        }
    ck_assert_msg(found, "doc/chartscan.1 has no ENVIRONMENT section");
    set_missing(&known, &man, missing, sizeof missing);
    set_missing(&man, &known, extra, sizeof extra);
    ck_assert_msg(!*missing, "variables that chartscan reads, missing from ENVIRONMENT in "
                             "doc/chartscan.1:%s", missing);
    ck_assert_msg(!*extra, "variables in ENVIRONMENT of doc/chartscan.1 that chartscan does "
                           "not read:%s", extra);
    man_free(&m);
    set_free(&known);
    set_free(&man);
}
END_TEST

/* ---- install ---- */

START_TEST(test_install_puts_the_man_page)
{
    char dest[160], page[300], bin[300];
    char *installed, *source;
    struct stat st;

    snprintf(dest, sizeof dest, "%s/destdir", env.dir);
    /* -o chartscan: install what is built, never rebuild it from a test */
    ck_assert_int_eq(th_sh("cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "
                           "-o chartscan install DESTDIR='%s' PREFIX=/opt/cs >'%s/install.log' 2>&1",
                           env.root, dest, env.dir), 0);
    snprintf(page, sizeof page, "%s/opt/cs/share/man/man1/chartscan.1", dest);
    snprintf(bin, sizeof bin, "%s/opt/cs/bin/chartscan", dest);
    ck_assert_msg(stat(bin, &st) == 0, "make install did not install %s", bin);
    ck_assert_msg(stat(page, &st) == 0, "make install did not install %s", page);
    ck_assert_int_eq(st.st_mode & 07777, 0644);
    installed = th_slurp(page, NULL);
    source = root_file("doc/chartscan.1");
    ck_assert_msg(installed && !strcmp(installed, source), "the installed man page differs");
    free(installed);
    free(source);

    ck_assert_int_eq(th_sh("cd '%s' && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s "
                           "uninstall DESTDIR='%s' PREFIX=/opt/cs >'%s/uninstall.log' 2>&1",
                           env.root, dest, env.dir), 0);
    ck_assert_msg(stat(page, &st) != 0, "make uninstall left %s", page);
    ck_assert_msg(stat(bin, &st) != 0, "make uninstall left %s", bin);
}
END_TEST

/* ---- links ---- */

/* GitHub's anchor of a Markdown heading: lowercase, spaces to '-', only
 * letters, digits, '-' and '_' kept. */
static void heading_anchor(const char *heading, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = heading; *p && o + 1 < outlen; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '-' || c == '_')
            out[o++] = (char)tolower(c);
        else if (c == ' ')
            out[o++] = '-';
        else if (c >= 0x80)
            out[o++] = (char)c;
    }
    out[o] = '\0';
}

static int has_anchor(const char *markdown, const char *anchor)
{
    int fenced = 0;
    for (const char *line = markdown; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char heading[300], a[300];
        size_t n = strcspn(line, "\n");
        if (!strncmp(line, "```", 3))
            fenced = !fenced;
        if (fenced || line[0] != '#')
            continue;
        const char *h = line + strspn(line, "#");
        h += strspn(h, " ");
        snprintf(heading, sizeof heading, "%.*s", (int)(n - (size_t)(h - line)), h);
        heading_anchor(heading, a, sizeof a);
        if (!strcmp(a, anchor))
            return 1;
    }
    return 0;
}

/* The problems with the links of one Markdown file (rel to the root), appended to report. */
static void check_links(const char *rel, char *report, size_t reportlen)
{
    char *text = root_file(rel), dir[300];
    const char *slash = strrchr(rel, '/');
    int fenced = 0;

    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - rel) : 0, rel);
    for (char *p = text; *p; p++) {
        char target[600], file[600], path[1400];
        const char *hash;
        size_t n, used;

        if ((p == text || p[-1] == '\n') && !strncmp(p, "```", 3))
            fenced = !fenced;
        if (fenced || p[0] != ']' || p[1] != '(')
            continue;
        n = strcspn(p + 2, ") \n");
        snprintf(target, sizeof target, "%.*s", (int)n, p + 2);
        used = strlen(report);
        if (strstr(target, "://") || target[0] == '/' || !strncmp(target, "mailto:", 7)) {
            snprintf(report + used, reportlen - used, "\n  %s: %s leaves the repository", rel,
                     target);
            continue;
        }
        hash = strchr(target, '#');
        snprintf(file, sizeof file, "%.*s", hash ? (int)(hash - target) : (int)strlen(target),
                 target);
        if (*file) {
            /* resolve against the file's folder; no step may climb out of the root */
            char joined[1200], *save = NULL, *parts[64];
            int depth = 0, escaped = 0;
            snprintf(joined, sizeof joined, "%s%s%s", dir, *dir ? "/" : "", file);
            for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (!strcmp(c, "."))
                    continue;
                if (!strcmp(c, "..")) {
                    if (depth == 0)
                        escaped = 1;
                    else
                        depth--;
                    continue;
                }
                if (depth < 64)
                    parts[depth++] = c;
            }
            if (escaped) {
                snprintf(report + used, reportlen - used, "\n  %s: %s leaves the repository", rel,
                         target);
                continue;
            }
            snprintf(path, sizeof path, "%s", env.root);
            for (int i = 0; i < depth; i++) {
                size_t l = strlen(path);
                snprintf(path + l, sizeof path - l, "/%s", parts[i]);
            }
            if (access(path, F_OK) != 0) {
                snprintf(report + used, reportlen - used, "\n  %s: %s does not exist", rel, target);
                continue;
            }
        } else {
            snprintf(path, sizeof path, "%s/%s", env.root, rel);
        }
        if (hash && hash[1]) {
            char *md = th_slurp(path, NULL);
            size_t l = strlen(path);
            if (l > 3 && !strcmp(path + l - 3, ".md") && (!md || !has_anchor(md, hash + 1)))
                snprintf(report + used, reportlen - used, "\n  %s: %s names no heading", rel,
                         target);
            free(md);
        }
    }
    free(text);
}

START_TEST(test_markdown_links_stay_inside)
{
    char report[4096] = "", dir[700];
    int files = 0;
    DIR *d;
    struct dirent *de;

    check_links("README.md", report, sizeof report);
    snprintf(dir, sizeof dir, "%s/doc", env.root);
    d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        char rel[300];
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 3, ".md") != 0)
            continue;
        snprintf(rel, sizeof rel, "doc/%s", de->d_name);
        check_links(rel, report, sizeof report);
        files++;
    }
    closedir(d);
    ck_assert_msg(!*report, "links:%s", report);
    ck_assert_msg(files >= 3, "doc/ holds %d Markdown files; ARCHITECTURE.md, OPERATIONS.md and "
                              "CONTRIBUTING.md are expected", files);
}
END_TEST

/* ---- ehr ---- */

static void ehr_setup(void)
{
    th_result r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "check_docs: init failed: %s\n", r.err);
        th_result_free(&r);
        th_teardown(&env);
        exit(EXIT_FAILURE);
    }
    th_result_free(&r);
}

START_TEST(test_ehr_views_and_columns_have_comments)
{
    PGconn *c = th_connect(&env);
    char *missing;

    ck_assert_ptr_nonnull(c);
    /* three views at least: the contract covers what 005 made */
    ck_assert_int_ge(th_long(c, "SELECT count(*) FROM pg_class"
                                " WHERE relnamespace = 'ehr'::regnamespace AND relkind = 'v'"), 3);
    missing = th_value(c,
        "SELECT coalesce(string_agg(x, ' ' ORDER BY x), '') FROM ("
        "  SELECT c.oid::regclass::text AS x FROM pg_class c"
        "   WHERE c.relnamespace = 'ehr'::regnamespace AND c.relkind IN ('v', 'm', 'r')"
        "     AND length(coalesce(obj_description(c.oid, 'pg_class'), '')) < 10"
        "  UNION ALL"
        "  SELECT c.oid::regclass::text || '.' || a.attname FROM pg_class c"
        "    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
        "   WHERE c.relnamespace = 'ehr'::regnamespace AND c.relkind IN ('v', 'm', 'r')"
        "     AND length(coalesce(col_description(c.oid, a.attnum), '')) < 10) m");
    ck_assert_ptr_nonnull(missing);
    ck_assert_msg(!*missing, "schema ehr is the EHR's contract; without a comment: %s", missing);
    free(missing);
    TH_ASSERT_VALUE(c, "SELECT length(coalesce(obj_description('ehr'::regnamespace,"
                       " 'pg_namespace'), '')) > 10", "t");
    PQfinish(c);
}
END_TEST

START_TEST(test_ehr_contract_version_for_the_reader)
{
    char conninfo[256], needle[64];
    PGconn *reader;
    PGresult *r;
    char *doc, *version, *schema_comment;

    snprintf(conninfo, sizeof conninfo,
             "host=%s/pg/run dbname=chartscan user=chartscan_ehr_reader", env.home);
    reader = th_connect_to(conninfo);
    ck_assert_ptr_nonnull(reader);
    r = PQexec(reader, "SELECT version, major, minor, schema_version,"
                       " version = major || '.' || minor FROM ehr.contract");
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "as the EHR reader: %s",
                  PQresultErrorMessage(r));
    ck_assert_int_eq(PQntuples(r), 1);
    ck_assert_str_eq(PQgetvalue(r, 0, 4), "t");
    ck_assert_int_ge(atoi(PQgetvalue(r, 0, 1)), 1);
    ck_assert_int_ge(atoi(PQgetvalue(r, 0, 3)), 14);
    version = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    /* the reader sees the comments too, and the schema's names the same version */
    schema_comment = th_value(reader, "SELECT obj_description('ehr'::regnamespace, 'pg_namespace')");
    ck_assert_ptr_nonnull(schema_comment);
    snprintf(needle, sizeof needle, "version %s ", version);
    ck_assert_msg(strstr(schema_comment, needle) != NULL,
                  "the comment on schema ehr does not say \"%s\": %s", needle, schema_comment);
    TH_ASSERT_VALUE(reader, "SELECT col_description('ehr.document'::regclass, 1) IS NOT NULL", "t");
    /* and the architecture document states it */
    doc = root_file("doc/ARCHITECTURE.md");
    snprintf(needle, sizeof needle, "contract version %s", version);
    ck_assert_msg(strstr(doc, needle) != NULL, "doc/ARCHITECTURE.md does not say \"%s\"", needle);
    free(doc);
    free(schema_comment);
    free(version);
    PQfinish(reader);
}
END_TEST

static Suite *docs_suite(void)
{
    Suite *s = suite_create("docs");
    TCase *man = tcase_create("man");
    TCase *install = tcase_create("install");
    TCase *links = tcase_create("links");
    TCase *ehr = tcase_create("ehr");

    tcase_set_timeout(man, 60);
    tcase_set_timeout(install, 60);
    tcase_set_timeout(ehr, 180);
    tcase_add_test(man, test_man_renders_without_warnings);
    tcase_add_test(man, test_man_has_every_command);
    tcase_add_test(man, test_man_options_agree_with_help);
    tcase_add_test(man, test_man_environment_is_complete);
    tcase_add_test(install, test_install_puts_the_man_page);
    tcase_add_test(links, test_markdown_links_stay_inside);
    tcase_add_unchecked_fixture(ehr, ehr_setup, NULL);
    tcase_add_test(ehr, test_ehr_views_and_columns_have_comments);
    tcase_add_test(ehr, test_ehr_contract_version_for_the_reader);
    suite_add_tcase(s, man);
    suite_add_tcase(s, install);
    suite_add_tcase(s, links);
    suite_add_tcase(s, ehr);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    th_setup(&env, "docs");
    sr = srunner_create(docs_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

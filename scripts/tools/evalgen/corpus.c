/*
 * corpus.c — evalgen's bodies: the document types and the real
 * transcriptions the bodies come from, split into five folds by a hash of
 * their id; the held-out fold gives the bodies, the others go to
 * train.csv.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xCBF29CE484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
    return h;
}

const struct doctype doctypes[NTYPES] = {
    { "discharge_summary", 12 },
    { "history_physical", 18 },
    { "progress_note", 15 },
    { "operative_report", 20 },
    { "radiology_report", 15 },
    { "ed_note", 10 },
    { "letter", 10 },
};
_Static_assert(NELEM(doctypes) == NTYPES, "NTYPES is the table's size");

/*
 * Courier in StandardEncoding has no accents: map the few non-ASCII
 * characters of the transcriptions to ASCII, everything else to '-'.
 */
static char *asciify(const char *s)
{
    cs_buf b = CS_BUF_INIT;
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        if (*u < 0x80) {
            if (*u == '\n' || (*u >= 0x20 && *u < 0x7F))
                tk_buf_append(&b, (const char *)u, 1);
            else if (*u == '\t')
                tk_buf_puts(&b, " ");
            u++;
            continue;
        }
        if (u[0] == 0xC2 && u[1] == 0xB0)
            tk_buf_puts(&b, " degrees");
        else if (u[0] == 0xC2 && u[1] == 0xB5)
            tk_buf_puts(&b, "u");
        else if (u[0] == 0xC3 && (u[1] == 0xA9 || u[1] == 0xA8))
            tk_buf_puts(&b, "e");
        else if (u[0] == 0xEF && u[1] == 0xBF && u[2] == 0xBD)
            tk_buf_puts(&b, "'");
        else if (u[0] != 0xC2 || u[1] != 0xAE)
            tk_buf_puts(&b, "-");
        u++;
        while ((*u & 0xC0) == 0x80)
            u++;
    }
    if (!b.data)
        tk_buf_puts(&b, "");
    return b.data;
}

/*
 * A letter's body without its own opening (date, addressee, "RE:", "Dear
 * ...:") and closing ("Sincerely," and the signature): the generator
 * prints its own, with the patient's name.
 */
static void strip_letter_ends(char *text)
{
    char *s = text, *dear = NULL, *close;
    int line;

    /* and without its closing: the generator signs it */
    for (close = strstr(text, "Sincerely"); close; close = strstr(close + 1, "Sincerely"))
        if (close == text || close[-1] == '\n') {
            *close = '\0';
            break;
        }

    for (line = 0; line < 14 && *s; line++) {
        if (strncmp(s, "Dear ", 5) == 0) {
            dear = s;
            break;
        }
        s = strchr(s, '\n');
        if (!s)
            break;
        s++;
    }
    if (!dear)
        return;
    s = strchr(dear, '\n');
    s = s ? s + 1 : dear + strlen(dear);
    while (*s == '\n')
        s++;
    memmove(text, s, strlen(s) + 1);
}

static int type_index(const char *code)
{
    for (int t = 0; t < NTYPES; t++)
        if (strcmp(doctypes[t].code, code) == 0)
            return t;
    return -1;
}

/*
 * Read the transcriptions, write the training fold to train_path (id,
 * doctype, text, as read) and keep the held-out fold in *c.  A row is
 * held out when the FNV-1a hash of its id is fold modulo 5.
 */
int load_corpus(const char *data, const char *train_path, int fold, corpus *c,
                       char *err, size_t errlen)
{
    FILE *fp = NULL;
    cs_csv *csv = NULL;
    cs_buf out = CS_BUF_INIT;
    char **f;
    size_t nf, cap[NTYPES] = { 0 };
    int idc = -1, tc = -1, xc = -1, got, rc = -1;

    memset(c, 0, sizeof *c);
    if ((fp = fopen(data, "r")) == NULL)
        return cs_fail(err, errlen, "could not open \"%s\": %s", data, strerror(errno));
    if ((csv = cs_csv_open(fp, MAX_BODY_BYTES)) == NULL)
        tk_die_oom();
    if (cs_csv_next(csv, &f, &nf) != 1) {
        cs_fail(err, errlen, "\"%s\" has no header row", data);
        goto out;
    }
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(f[i], "id") == 0) idc = (int)i;
        else if (strcmp(f[i], "doctype") == 0) tc = (int)i;
        else if (strcmp(f[i], "text") == 0) xc = (int)i;
    }
    if (idc < 0 || tc < 0 || xc < 0) {
        cs_fail(err, errlen, "\"%s\": the header needs the columns id, doctype and text", data);
        goto out;
    }
    tk_buf_puts(&out, "id,doctype,text\n");
    while ((got = cs_csv_next(csv, &f, &nf)) == 1) {
        int t;
        body *b;
        if (nf <= (size_t)idc || nf <= (size_t)tc || nf <= (size_t)xc) {
            cs_fail(err, errlen, "\"%s\" line %ld: too few fields", data, cs_csv_line(csv));
            goto out;
        }
        if (fnv1a(f[idc]) % 5 != (uint64_t)fold) {
            tk_buf_csv(&out, f[idc]);
            tk_buf_puts(&out, ",");
            tk_buf_csv(&out, f[tc]);
            tk_buf_puts(&out, ",");
            tk_buf_csv_quoted(&out, f[xc]);
            tk_buf_puts(&out, "\n");
            c->train_rows++;
            continue;
        }
        c->eval_rows++;
        if ((t = type_index(f[tc])) < 0)
            continue;                  /* a type we do not generate: not evaluated */
        if (c->n[t] == cap[t]) {
            cap[t] = cap[t] ? cap[t] * 2 : 64;
            c->v[t] = realloc(c->v[t], cap[t] * sizeof *c->v[t]);
            if (!c->v[t])
                tk_die_oom();
        }
        b = &c->v[t][c->n[t]++];
        b->id = tk_xstrdup(f[idc]);
        b->type = t;
        b->text = asciify(f[xc]);
        b->used = 0;
        if (t == T_LETTER)
            strip_letter_ends(b->text);
    }
    if (got < 0) {
        cs_fail(err, errlen, "\"%s\" line %ld: %s", data, cs_csv_line(csv), cs_csv_error(csv));
        goto out;
    }
    for (int t = 0; t < NTYPES; t++)
        if (c->n[t] == 0) {
            cs_fail(err, errlen, "\"%s\": fold %d holds no %s", data, fold, doctypes[t].code);
            goto out;
        }
    if (tk_write_file(train_path, out.data, out.len, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    cs_buf_free(&out);
    cs_csv_free(&csv);
    fclose(fp);
    return rc;
}

void corpus_free(corpus *c)
{
    for (int t = 0; t < NTYPES; t++) {
        for (size_t i = 0; i < c->n[t]; i++) {
            free(c->v[t][i].id);
            free(c->v[t][i].text);
        }
        free(c->v[t]);
    }
    memset(c, 0, sizeof *c);
}

/* A body of type t: unused ones first (in a seeded order), then reuse in turn. */
const body *take_body(corpus *c, int t, tk_rng *r)
{
    size_t n = c->n[t], start = tk_rng_below(r, (unsigned)n);
    for (size_t k = 0; k < n; k++) {
        body *b = &c->v[t][(start + k) % n];
        if (!b->used) {
            b->used = 1;
            return b;
        }
    }
    return &c->v[t][c->next[t]++ % n];
}

/*
 * barcode.c — what a barcode's payload means to chartscan: the payload of
 * a chartscan cover sheet (made here for `chartscan coversheet`, read
 * back here for the pipeline), another system's separator sheet, a
 * patient-label sticker's MRN, or nothing of ours.  Text in, meaning out:
 * ocr/barcode.c finds the barcodes, pipeline/ decides what to do.
 *
 * Interface routines:
 *   cs_index_sheet_payload   MRN and type -> the cover sheet's payload
 *   cs_index_barcode_read    payload -> its kind, MRN and type
 *
 * The cover sheet's payload (Code 128, printable ASCII):
 *
 *   CS1:<MRN>:<TYPE>:<CHECK>
 *
 *   CS1     the format and its version;
 *   MRN     1 to CS_MRN_MAX - 1 letters and digits, as in the roster;
 *   TYPE    the document-type code ([a-z0-9_], at most CS_DOCTYPE_MAX - 1),
 *           or empty when the sheet names no type;
 *   CHECK   8 upper-case hex digits: FNV-1a (32 bits) of everything before
 *           the last ':'.
 *
 * Notes:
 *   1. Code 128 has its own check character, so a misread bar pattern is
 *      already caught by the reader; CHECK is for what the symbology cannot
 *      see: a foreign barcode that happens to start with "CS1:", a payload
 *      typed by hand, a sheet edited after printing.  A payload that looks
 *      like ours but whose CHECK is wrong is CS_BARCODE_OTHER: never
 *      acted on.
 *   2. A label sticker is a barcode whose whole payload is an MRN in the
 *      roster's shape (6 to 12 letters and digits, at least 6 of them
 *      digits), optionally after "MRN", "MRN:" or "MRN-".  Anything else
 *      (an accession number with a prefix, a product code) is not.
 *   3. Another system's separator: a patch code read as "PATCHT" /
 *      "PATCH-T" / "PATCH T" (scanners that decode patch sheets report
 *      them so), or a payload starting with the site's prefix (the
 *      caller's site_prefix, e.g. "SEP-"; NULL or "" for none).
 */
#include "indexer/text.h"
#include "common/common.h"

#include <stdio.h>
#include <string.h>

#define SHEET_TAG "CS1:"
#define LABEL_MIN 6
#define LABEL_MAX 12

static unsigned long fnv1a(const char *s, size_t n)
{
    unsigned long h = 2166136261UL;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h = (h * 16777619UL) & 0xffffffffUL;
    }
    return h;
}

static int valid_mrn(const char *m, size_t n)
{
    if (n == 0 || n >= CS_MRN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!cs_is_alnum((unsigned char)m[i]))
            return 0;
    return 1;
}

static int valid_doctype(const char *t, size_t n)
{
    if (n >= CS_DOCTYPE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)t[i];
        if (!((c >= 'a' && c <= 'z') || cs_is_digit(c) || c == '_'))
            return 0;
    }
    return 1;
}

/*
 * cs_index_sheet_payload()
 *
 *      Input:  mrn (letters and digits), doctype (a type code, or NULL or
 *              "" for none), out, outlen (CS_SHEET_PAYLOAD_MAX suffice)
 *      Return: 0, or -1 when the MRN or the type cannot be carried (a
 *              character other than those allowed, too long) or out is
 *              too small
 */
int cs_index_sheet_payload(const char *mrn, const char *doctype, char *out, size_t outlen)
{
    int n;

    if (!doctype)
        doctype = "";
    if (!mrn || !valid_mrn(mrn, strlen(mrn)) || !valid_doctype(doctype, strlen(doctype)))
        return -1;
    n = snprintf(out, outlen, SHEET_TAG "%s:%s:", mrn, doctype);
    if (n < 0 || (size_t)n + 8 >= outlen)
        return -1;
    snprintf(out + n, outlen - (size_t)n, "%08lX", fnv1a(out, (size_t)n - 1));
    return 0;
}

static cs_barcode_kind read_sheet(const char *p, char *mrn, char *doctype)
{
    const char *m = p + strlen(SHEET_TAG), *t, *c;
    char want[9];

    t = strchr(m, ':');
    c = t ? strchr(t + 1, ':') : NULL;
    if (!c || strchr(c + 1, ':') || strlen(c + 1) != 8 || !valid_mrn(m, (size_t)(t - m)) ||
        !valid_doctype(t + 1, (size_t)(c - t - 1)))
        return CS_BARCODE_OTHER;
    snprintf(want, sizeof want, "%08lX", fnv1a(p, (size_t)(c - p)));
    if (strcmp(want, c + 1) != 0)
        return CS_BARCODE_OTHER;        /* note 1 */
    snprintf(mrn, CS_MRN_MAX, "%.*s", (int)(t - m), m);
    snprintf(doctype, CS_DOCTYPE_MAX, "%.*s", (int)(c - t - 1), t + 1);
    return CS_BARCODE_SHEET;
}

static cs_barcode_kind read_label(const char *p, char *mrn)
{
    size_t n, digits = 0;

    if (!strncmp(p, "MRN", 3)) {
        p += 3;
        if (*p == ':' || *p == '-' || *p == ' ')
            p++;
    }
    n = strlen(p);
    if (n < LABEL_MIN || n > LABEL_MAX || !valid_mrn(p, n))
        return CS_BARCODE_OTHER;
    for (size_t i = 0; i < n; i++)
        digits += cs_is_digit((unsigned char)p[i]) != 0;
    if (digits < LABEL_MIN)
        return CS_BARCODE_OTHER;
    snprintf(mrn, CS_MRN_MAX, "%s", p);
    return CS_BARCODE_LABEL;
}

/*
 * cs_index_barcode_read()
 *
 *      Input:  payload (a barcode's text, NUL-terminated)
 *              site_prefix (another system's separator prefix; NULL or
 *                           "" for none)
 *              mrn (out, CS_MRN_MAX bytes: the sheet's or label's MRN; NULL
 *                   to skip), doctype (out, CS_DOCTYPE_MAX bytes: the
 *                   sheet's type, "" when none; NULL to skip)
 *      Return: the payload's kind (CS_BARCODE_OTHER for anything not ours)
 */
cs_barcode_kind cs_index_barcode_read(const char *payload, const char *site_prefix, char *mrn,
                                      char *doctype)
{
    char m[CS_MRN_MAX] = "", t[CS_DOCTYPE_MAX] = "";
    cs_barcode_kind kind = CS_BARCODE_OTHER;

    if (mrn)
        mrn[0] = '\0';
    if (doctype)
        doctype[0] = '\0';
    if (!payload)
        return CS_BARCODE_OTHER;
    if (!strncmp(payload, SHEET_TAG, strlen(SHEET_TAG)))
        kind = read_sheet(payload, m, t);
    else if (!strcmp(payload, "PATCHT") || !strcmp(payload, "PATCH-T") ||
             !strcmp(payload, "PATCH T"))
        kind = CS_BARCODE_SEPARATOR;
    else if (site_prefix && site_prefix[0] && !strncmp(payload, site_prefix, strlen(site_prefix)))
        kind = CS_BARCODE_SEPARATOR;
    else
        kind = read_label(payload, m);
    if (mrn)
        memcpy(mrn, m, CS_MRN_MAX);
    if (doctype)
        memcpy(doctype, t, CS_DOCTYPE_MAX);
    return kind;
}

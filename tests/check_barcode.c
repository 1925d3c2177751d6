/*
 * check_barcode.c — barcode cover sheets and patient labels (issue 15,
 * item 1).
 *
 *   payload     a sheet's payload reads back as its MRN and type; a wrong
 *               check value, a foreign payload, a patch code, the site's
 *               prefix and a label MRN are told apart
 *   command     `chartscan coversheet`: a 0600 PDF whose barcode carries
 *               the payload, its printing audited; an MRN not in the roster or an unknown type
 *               fails (exit 1) and leaves no file; bad usage exits 2; a
 *               symbolic link at --out is refused and its target untouched
 *   sheets      sheets printed by the command, rasterised by gs at 200 and
 *               300 dpi, skewed, written as G4 TIFF, submitted and worked:
 *               each sheet page is a separator (in the manifest and the
 *               report), and the document after it has the sheet's patient
 *               and type, filed
 *   disagree    a sheet whose patient's MRN disagrees with the one printed
 *               on the document (labelled, or another roster patient's
 *               unlabelled) sends it to review with the reason; a sheet's
 *               type that the taxonomy lacks is not taken
 *   label       a label sticker's MRN is strong MRN evidence (the document
 *               that a look-alike in the roster held in review is matched
 *               on it), but never overrides a printed birth date and name
 *               that disagree
 *   foreign     a garbled chartscan payload and a foreign barcode are read
 *               but ignored: no separator, the document stays whole
 *   patch       a PATCH-T page and a page of the site's prefix (SEP-,
 *               CHARTSCAN_SEPARATOR_PREFIX) split documents
 *   filter      the pre-filter that spares ZBar pages without bars
 *               (ocr/barcode.c, note 5): small labels (0.3 inch, crooked,
 *               sideways, upside down, at 200 dpi through cs_ocr_page) are
 *               found and read; a page of text, straight capitals and a
 *               ruled table has no band to scan
 *
 * The fixture (main) prints the sheets, builds the archive (one TIFF per
 * case), submits it and works it once; the cases check what came out.
 */
#include <check.h>
#include <errno.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zint.h>

#include "common/common.h"
#include "indexer/indexer.h"
#include "ocr/ocr.h"
#include "tests/harness.h"

static th_env env;

/* ---- building the pages ---- */

/* A page of PostScript (body: what is drawn) rendered by gs at dpi, bilevel. */
static PIX *ps_page(const char *name, int dpi, const char *body)
{
    char ps[800], tif[800];
    FILE *f;
    PIX *pix;

    snprintf(ps, sizeof ps, "%s/%s.ps", env.dir, name);
    snprintf(tif, sizeof tif, "%s/%s.tif", env.dir, name);
    f = fopen(ps, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%%!PS\n%sshowpage\n", body);
    fclose(f);
    ck_assert_int_eq(th_sh("gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r%d -sOutputFile=%s %s",
                           dpi, tif, ps), 0);
    pix = pixRead(tif);
    ck_assert_ptr_nonnull(pix);
    return pix;
}

/* A text page (Courier 12 pt, one line a string) rendered by gs at dpi. */
static PIX *text_page(const char *name, int dpi, const char *const *lines)
{
    char body[4000];
    size_t len = 0;
    int y = 720;

    len += (size_t)snprintf(body, sizeof body, "/Courier findfont 12 scalefont setfont\n");
    for (; *lines; lines++, y -= 18) {
        len += (size_t)snprintf(body + len, sizeof body - len, "72 %d moveto (", y);
        for (const char *p = *lines; *p; p++)
            len += (size_t)snprintf(body + len, sizeof body - len,
                                    strchr("()\\", *p) ? "\\%c" : "%c", *p);
        len += (size_t)snprintf(body + len, sizeof body - len, ") show\n");
        ck_assert_uint_lt(len, sizeof body - 100);
    }
    return ps_page(name, dpi, body);
}

/* Page n of the sheets' PDF rendered by gs at dpi, as a bilevel image. */
static PIX *sheet_page(const char *pdf, int n, int dpi)
{
    char tif[800];

    snprintf(tif, sizeof tif, "%s/sheet-%d-%d.tif", env.dir, n, dpi);
    ck_assert_int_eq(th_sh("gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r%d"
                           " -dFirstPage=%d -dLastPage=%d -sOutputFile=%s %s",
                           dpi, n, n, tif, pdf), 0);
    return pixRead(tif);
}

/* A Code 128 symbol of payload, module pixels a module, height pixels tall. */
static PIX *symbol(const char *payload, int module, int height)
{
    struct zint_symbol *sym = ZBarcode_Create();
    PIX *pix;

    ck_assert_ptr_nonnull(sym);
    sym->symbology = BARCODE_CODE128;
    sym->show_hrt = 0;
    sym->scale = 0.5f;
    ck_assert_int_lt(ZBarcode_Encode_and_Buffer(sym, (const unsigned char *)payload,
                                                (int)strlen(payload), 0), ZINT_ERROR);
    pix = pixCreate(sym->bitmap_width * module, height, 1);
    ck_assert_ptr_nonnull(pix);
    for (int i = 0; i < sym->bitmap_width; i++)
        if (sym->bitmap[3 * i] < 128)
            pixRasterop(pix, i * module, 0, module, height, PIX_SET, NULL, 0, 0);
    ZBarcode_Delete(sym);
    return pix;
}

/* Paint a Code 128 symbol of payload on pix at x, y (a label, a patch code). */
static void stick(PIX *pix, const char *payload, int module, int x, int y)
{
    PIX *bars = symbol(payload, module, 40 * module);

    pixRasterop(pix, x, y, pixGetWidth(bars), pixGetHeight(bars), PIX_PAINT, bars, 0, 0);
    pixDestroy(&bars);
}

/*
 * A label sticker: the symbol height pixels tall, turned by quarter turns
 * and degrees more (stuck on crooked), painted on pix with its centre at
 * cx, cy.
 */
static void label(PIX *pix, const char *payload, int module, int height, int quarters,
                  double degrees, int cx, int cy)
{
    PIX *bars = symbol(payload, module, height), *turned, *crooked;

    turned = pixRotateOrth(bars, quarters);
    ck_assert_ptr_nonnull(turned);
    crooked = pixRotate(turned, (float)(degrees * M_PI / 180.0), L_ROTATE_SAMPLING,
                        L_BRING_IN_WHITE, 0, 0);
    ck_assert_ptr_nonnull(crooked);
    pixRasterop(pix, cx - pixGetWidth(crooked) / 2, cy - pixGetHeight(crooked) / 2,
                pixGetWidth(crooked), pixGetHeight(crooked), PIX_PAINT, crooked, 0, 0);
    pixDestroy(&crooked);
    pixDestroy(&turned);
    pixDestroy(&bars);
}

/* Turn pix by degrees (a crooked feed), in place. */
static void skew(PIX **pix, double degrees)
{
    PIX *r = pixRotate(*pix, (float)(degrees * M_PI / 180.0), L_ROTATE_SHEAR, L_BRING_IN_WHITE,
                       0, 0);
    ck_assert_ptr_nonnull(r);
    pixDestroy(pix);
    *pix = r;
}

/* Append pix (consumed) to the G4 TIFF name of the archive's folder. */
static void add_page(const char *name, PIX **pix, int dpi, int first)
{
    char path[800];

    snprintf(path, sizeof path, "%s/box/%s", env.dir, name);
    pixSetResolution(*pix, dpi, dpi);
    ck_assert_int_eq(pixWriteTiff(path, *pix, IFF_TIFF_G4, first ? "w" : "a"), 0);
    pixDestroy(pix);
}

static const char *const DOE_NO_MRN[] = {
    "Patient: DOE, JANE    DOB: 03/14/1952",
    "",
    "The patient was seen today for follow up of hypertension.",
    "Blood pressure is well controlled on the current regimen.",
    "Continue lisinopril and return in three months.", NULL};
static const char *const SMITH_NO_MRN[] = {
    "Patient: SMITH, JOHN    DOB: 07/01/1960",
    "",
    "Seen for a cough of two weeks. Lungs are clear.",
    "Supportive care advised; return if fever develops.", NULL};
static const char *const SMITH_WITH_MRN[] = {
    "Patient: SMITH, JOHN    MRN: 55501234    DOB: 07/01/1960",
    "",
    "Seen for knee pain after a fall. No fracture on examination.",
    "Ice, rest and ibuprofen as needed.", NULL};
static const char *const SMITH_UNLABELLED[] = {
    "SMITH, JOHN    55501234    07/01/1960",
    "",
    "Seen for a sore throat. Rapid strep test negative.",
    "Fluids and rest.", NULL};
static const char *const DOE_PAGE1[] = {
    "Patient: DOE, JANE    MRN: 48213377    DOB: 03/14/1952",
    "",
    "The patient reports improved sleep and appetite.",
    "Plan: continue the present medication.",
    "", "Page 1 of 2", NULL};
static const char *const DOE_PAGE2[] = {
    "(continued)",
    "Labs were reviewed with the patient and are within normal limits.",
    "", "Page 2 of 2", NULL};
static const char *const DOE_CONT[] = {
    "(continued)",
    "Follow up with the clinic as arranged.", NULL};

/* The sheets (through the command), the pages, the archive; submitted and worked. */
static void fixture(void)
{
    char pdf[800], path[800];
    PIX *pix;
    th_result r;
    FILE *f;

    snprintf(path, sizeof path, "%s/roster.csv", env.dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("mrn,last_name,first_name,middle_name,birth_date,sex\n"
          "48213377,DOE,JANE,A,1952-03-14,F\n"
          "61234567,DOE,JANE,,1953-08-02,F\n"          /* a look-alike of the first */
          "55501234,SMITH,JOHN,,1960-07-01,M\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/sheets.csv", env.dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("mrn,doctype\n48213377,discharge_summary\n55501234,progress_note\n"
          "48213377,letter\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/box", env.dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);

    r = th_chartscan(&env, "init", NULL);
    ck_assert_msg(r.status == 0, "init: %s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "patients", "import", "roster.csv", NULL);
    ck_assert_msg(r.status == 0, "import: %s", r.err);
    th_result_free(&r);
    snprintf(pdf, sizeof pdf, "%s/sheets.pdf", env.dir);
    r = th_chartscan(&env, "coversheet", "--batch-from", "sheets.csv", "--out", pdf, NULL);
    ck_assert_msg(r.status == 0, "coversheet: %s", r.err);
    th_result_free(&r);

    /* sheets: at 200 dpi, turned 2 degrees; DOE's and SMITH's documents after them */
    pix = sheet_page(pdf, 1, 200);
    skew(&pix, 2.0);
    add_page("sheets.tif", &pix, 200, 1);
    pix = text_page("p1", 200, DOE_NO_MRN);
    add_page("sheets.tif", &pix, 200, 0);
    pix = sheet_page(pdf, 2, 300);
    skew(&pix, -3.0);
    add_page("sheets.tif", &pix, 300, 0);
    pix = text_page("p2", 300, SMITH_NO_MRN);
    add_page("sheets.tif", &pix, 300, 0);

    /* disagree: DOE's sheet (300 dpi) on SMITH's page, which prints his MRN */
    pix = sheet_page(pdf, 3, 300);
    skew(&pix, 1.5);
    add_page("disagree.tif", &pix, 300, 1);
    pix = text_page("p3", 300, SMITH_WITH_MRN);
    add_page("disagree.tif", &pix, 300, 0);

    /* disagree2: DOE's sheet on SMITH's page, his MRN printed without a label */
    pix = sheet_page(pdf, 1, 300);
    add_page("disagree2.tif", &pix, 300, 1);
    pix = text_page("p3b", 300, SMITH_UNLABELLED);
    add_page("disagree2.tif", &pix, 300, 0);

    /* unknown: a sheet (check value right) of a type the taxonomy lacks, on DOE's page */
    {
        char payload[CS_SHEET_PAYLOAD_MAX];
        ck_assert_int_eq(cs_index_sheet_payload("48213377", "no_such_type", payload,
                                                sizeof payload), 0);
        pix = pixCreate(2550, 3300, 1);
        stick(pix, payload, 4, 300, 1400);
        add_page("unknown.tif", &pix, 300, 1);
        pix = text_page("p3c", 300, DOE_NO_MRN);
        add_page("unknown.tif", &pix, 300, 0);
    }

    /* label: DOE's page without an MRN, her label stuck on it */
    pix = text_page("p4", 300, DOE_NO_MRN);
    stick(pix, "48213377", 4, 1500, 150);
    add_page("label.tif", &pix, 300, 1);
    /* label2: DOE's label on SMITH's page: never filed to DOE */
    pix = text_page("p5", 300, SMITH_NO_MRN);
    stick(pix, "48213377", 4, 1500, 150);
    add_page("label2.tif", &pix, 300, 1);

    /* foreign: a garbled sheet payload and a foreign code on page 2 of a document */
    pix = text_page("p6", 300, DOE_PAGE1);
    add_page("foreign.tif", &pix, 300, 1);
    pix = text_page("p7", 300, DOE_PAGE2);
    stick(pix, "CS1:55501234:progress_note:0BADC0DE", 3, 300, 1500);
    stick(pix, "ACC-7731-X", 4, 300, 2200);
    add_page("foreign.tif", &pix, 300, 0);

    /* patch: PATCH-T and the site's SEP- page between pages that would run on */
    pix = text_page("p8", 300, DOE_PAGE1);
    add_page("patch.tif", &pix, 300, 1);
    pix = pixCreate(2550, 3300, 1);
    stick(pix, "PATCHT", 8, 700, 1400);
    add_page("patch.tif", &pix, 300, 0);
    pix = text_page("p9", 300, DOE_CONT);
    add_page("patch.tif", &pix, 300, 0);
    pix = pixCreate(2550, 3300, 1);
    stick(pix, "SEP-0042", 8, 700, 1400);
    add_page("patch.tif", &pix, 300, 0);
    pix = text_page("p10", 300, DOE_CONT);
    add_page("patch.tif", &pix, 300, 0);

    ck_assert_int_eq(th_sh("cd %s && tar -cf barcodes.tar box", env.dir), 0);
    r = th_chartscan(&env, "submit", "barcodes.tar", NULL);
    ck_assert_msg(r.status == 0, "submit: %s", r.err);
    th_result_free(&r);
    setenv("CHARTSCAN_SEPARATOR_PREFIX", "SEP-", 1);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", NULL);
    ck_assert_msg(r.status == 0, "work: %s", r.err);
    th_result_free(&r);
    unsetenv("CHARTSCAN_SEPARATOR_PREFIX");
}

/* One value about the documents or pages of file (its name in the box). */
static char *file_value(PGconn *c, const char *file, const char *select_from_where)
{
    char q[1200];
    snprintf(q, sizeof q, select_from_where, file);
    return th_value(c, q);
}

#define FILE_VALUE(c, file, sql, expected)                                              \
    do {                                                                                \
        char *v_ = file_value((c), (file), (sql));                                      \
        ck_assert_msg(v_ && !strcmp(v_, (expected)), "%s: %s gave \"%s\", expected \"%s\"", \
                      (file), (sql), v_ ? v_ : "(error)", (expected));                  \
        free(v_);                                                                       \
    } while (0)

/* The pages of a file, by status and document: "1:separator 2:done/d1 ..." */
#define PAGES_SQL                                                                       \
    "SELECT string_agg(p.page_no || ':' || p.status || coalesce('/d' || dense_rank, ''), ' '" \
    "                  ORDER BY p.page_no)"                                              \
    "  FROM page p JOIN source_file f ON f.id = p.file_id"                               \
    "  LEFT JOIN (SELECT id, dense_rank() OVER (PARTITION BY file_id ORDER BY first_page)" \
    "               FROM document) d"                                                    \
    "         ON d.id = p.document_id"                                                   \
    " WHERE f.path = 'box/%s'"
#define DOCS_SQL(expr)                                                                  \
    "SELECT string_agg(" expr ", ' | ' ORDER BY d.first_page)"                           \
    "  FROM document d JOIN source_file f ON f.id = d.file_id"                           \
    "  LEFT JOIN patient pt ON pt.id = d.patient_id WHERE f.path = 'box/%s'"

/* ---- payload ---- */

START_TEST(test_payload)
{
    char p[CS_SHEET_PAYLOAD_MAX], mrn[CS_MRN_MAX], type[CS_DOCTYPE_MAX], bad[CS_SHEET_PAYLOAD_MAX];

    ck_assert_int_eq(cs_index_sheet_payload("48213377", "discharge_summary", p, sizeof p), 0);
    ck_assert_int_eq(strncmp(p, "CS1:48213377:discharge_summary:", 31), 0);
    ck_assert_int_eq(cs_index_barcode_read(p, NULL, mrn, type), CS_BARCODE_SHEET);
    ck_assert_str_eq(mrn, "48213377");
    ck_assert_str_eq(type, "discharge_summary");
    ck_assert_int_eq(cs_index_sheet_payload("A1234567", NULL, p, sizeof p), 0);
    ck_assert_int_eq(cs_index_barcode_read(p, NULL, mrn, type), CS_BARCODE_SHEET);
    ck_assert_str_eq(type, "");
    /* one character changed: the check value no longer holds */
    snprintf(bad, sizeof bad, "%s", p);
    bad[5] = bad[5] == '2' ? '3' : '2';
    ck_assert_int_eq(cs_index_barcode_read(bad, NULL, mrn, type), CS_BARCODE_OTHER);
    ck_assert_str_eq(mrn, "");
    ck_assert_int_eq(cs_index_barcode_read("CS1:48213377:letter:00000000", NULL, mrn, NULL),
                     CS_BARCODE_OTHER);
    ck_assert_int_eq(cs_index_barcode_read("CS1:48213377", NULL, mrn, NULL), CS_BARCODE_OTHER);
    /* what cannot be carried is refused */
    ck_assert_int_eq(cs_index_sheet_payload("48:13377", NULL, p, sizeof p), -1);
    ck_assert_int_eq(cs_index_sheet_payload("48213377", "Discharge", p, sizeof p), -1);
    /* others' separators */
    ck_assert_int_eq(cs_index_barcode_read("PATCHT", NULL, NULL, NULL), CS_BARCODE_SEPARATOR);
    ck_assert_int_eq(cs_index_barcode_read("SEP-0042", "SEP-", NULL, NULL), CS_BARCODE_SEPARATOR);
    ck_assert_int_eq(cs_index_barcode_read("SEP-0042", NULL, NULL, NULL), CS_BARCODE_OTHER);
    /* labels: an MRN in the roster's shape, nothing else */
    ck_assert_int_eq(cs_index_barcode_read("48213377", NULL, mrn, NULL), CS_BARCODE_LABEL);
    ck_assert_str_eq(mrn, "48213377");
    ck_assert_int_eq(cs_index_barcode_read("MRN:48213377", NULL, mrn, NULL), CS_BARCODE_LABEL);
    ck_assert_str_eq(mrn, "48213377");
    ck_assert_int_eq(cs_index_barcode_read("ACC-7731-X", NULL, mrn, NULL), CS_BARCODE_OTHER);
    ck_assert_int_eq(cs_index_barcode_read("12345", NULL, mrn, NULL), CS_BARCODE_OTHER);
    ck_assert_int_eq(cs_index_barcode_read("ABCDEFGH", NULL, mrn, NULL), CS_BARCODE_OTHER);
}
END_TEST

/* ---- the command ---- */

START_TEST(test_command)
{
    char out[800], link[800], target[800], cmd[2000];
    struct stat st;
    th_result r;
    char *text;

    snprintf(out, sizeof out, "%s/one.pdf", env.dir);
    r = th_chartscan(&env, "coversheet", "--mrn", "55501234", "--doctype", "progress_note",
                     "--out", out, NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(stat(out, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    /* the barcode on the printed page carries the payload */
    snprintf(cmd, sizeof cmd, "gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r200"
             " -sOutputFile=%s/one.tif %s && zbarimg -q --raw %s/one.tif > %s/one.txt 2>/dev/null",
             env.dir, out, env.dir, env.dir);
    ck_assert_int_eq(th_sh("%s", cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/one.txt", env.dir);
    text = th_slurp(cmd, NULL);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(!strncmp(text, "CS1:55501234:progress_note:", 27), "read \"%s\"", text);
    {
        char mrn[CS_MRN_MAX], type[CS_DOCTYPE_MAX];
        text[strcspn(text, "\n")] = '\0';
        ck_assert_int_eq(cs_index_barcode_read(text, NULL, mrn, type), CS_BARCODE_SHEET);
    }
    free(text);

    /* the printing is audited, by patient id, without the MRN */
    {
        PGconn *c = th_connect(&env);
        TH_ASSERT_VALUE(c, "SELECT count(*) FROM audit a JOIN patient p"
                           "  ON a.detail->'patient_ids' @> to_jsonb(p.id)"
                           " WHERE a.action = 'coversheet' AND p.mrn = '55501234'"
                           "   AND a.detail->>'sheets' = '1'", "1");
        TH_ASSERT_VALUE(c, "SELECT count(*) FROM audit a, patient p WHERE a.action = 'coversheet'"
                           "   AND a.detail::text LIKE '%' || p.mrn || '%'", "0");
        PQfinish(c);
    }

    /* not in the roster, an unknown type: exit 1, nothing written */
    snprintf(out, sizeof out, "%s/none.pdf", env.dir);
    r = th_chartscan(&env, "coversheet", "--mrn", "99999999", "--out", out, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no patient with this MRN in the roster"), "%s", r.err);
    ck_assert_msg(!strstr(r.err, "99999999"), "the message shows the MRN: %s", r.err);
    th_result_free(&r);
    r = th_chartscan(&env, "coversheet", "--mrn", "55501234", "--doctype", "no_such_type",
                     "--out", out, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "unknown document type"), "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(access(out, F_OK), -1);
    ck_assert_int_eq(th_sh("ls %s | grep -q part-", env.dir), 1);
    /* a stack with one bad row prints nothing */
    snprintf(cmd, sizeof cmd, "%s/bad.csv", env.dir);
    {
        FILE *f = fopen(cmd, "w");
        ck_assert_ptr_nonnull(f);
        fputs("mrn,doctype\n55501234,letter\n00000001,letter\n", f);
        fclose(f);
    }
    r = th_chartscan(&env, "coversheet", "--batch-from", cmd, "--out", out, NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "line 3"), "%s", r.err);
    th_result_free(&r);
    ck_assert_int_eq(access(out, F_OK), -1);

    /* bad usage: exit 2 */
    r = th_chartscan(&env, "coversheet", "--out", out, NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "coversheet", "--mrn", "1", "--batch-from", cmd, "--out", out, NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);
    r = th_chartscan(&env, "coversheet", "--mrn", "55501234", "--bogus", NULL);
    ck_assert_int_eq(r.status, 2);
    th_result_free(&r);

    /* never through a symbolic link: refused, its target untouched */
    snprintf(target, sizeof target, "%s/target.txt", env.dir);
    snprintf(link, sizeof link, "%s/link.pdf", env.dir);
    ck_assert_int_eq(th_sh("echo keep > %s && ln -s %s %s", target, target, link), 0);
    r = th_chartscan(&env, "coversheet", "--mrn", "55501234", "--out", link, NULL);
    ck_assert_int_eq(r.status, 1);
    th_result_free(&r);
    text = th_slurp(target, NULL);
    ck_assert_str_eq(text, "keep\n");
    free(text);
}
END_TEST

/* ---- the pipeline ---- */

START_TEST(test_sheets)
{
    PGconn *c = th_connect(&env);
    char path[800];

    FILE_VALUE(c, "sheets.tif", PAGES_SQL, "1:separator 2:done/d1 3:separator 4:done/d2");
    FILE_VALUE(c, "sheets.tif",
               DOCS_SQL("d.status || ' ' || d.doctype || ' ' || pt.mrn || ' ' || d.split_reason"),
               "filed discharge_summary 48213377 separator sheet | "
               "filed progress_note 55501234 separator sheet");
    /* the separator pages are reported: the manifest and the report */
    snprintf(path, sizeof path, "%s/manifest.jsonl", env.dir);
    {
        th_result r = th_chartscan(&env, "export", "manifest", "--out", path, NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        th_result_free(&r);
    }
    ck_assert_int_gt(th_load_jsonl(c, "manifest", path), 0);
    TH_ASSERT_VALUE(c, "SELECT string_agg(j->>'page', ',' ORDER BY (j->>'page')::int) FROM manifest"
                       " WHERE j->>'kind' = 'page' AND j->>'status' = 'separator'"
                       "   AND j->>'file' = 'box/sheets.tif'", "1,3");
    {
        th_result r = th_chartscan(&env, "report", "1", NULL);
        ck_assert_msg(r.status == 0, "%s", r.err);
        ck_assert_msg(strstr(r.out, "separator sheets     7"), "%s", r.out);
        th_result_free(&r);
    }
    PQfinish(c);
}
END_TEST

START_TEST(test_disagree)
{
    PGconn *c = th_connect(&env);

    FILE_VALUE(c, "disagree.tif", PAGES_SQL, "1:separator 2:done/d1");
    FILE_VALUE(c, "disagree.tif", DOCS_SQL("d.status || ' ' || d.review_reason"),
               "review cover sheet MRN disagrees with the document");
    FILE_VALUE(c, "disagree.tif", DOCS_SQL("coalesce(d.patient_id::text, 'none')"), "none");
    /* a sheet's type the taxonomy lacks is not taken: the classifier types it */
    FILE_VALUE(c, "unknown.tif", PAGES_SQL, "1:separator 2:done/d1");
    FILE_VALUE(c, "unknown.tif",
               DOCS_SQL("(d.doctype IS NOT NULL AND d.doctype_confidence < 1)::text || ' ' ||"
                        " coalesce(d.candidates->0->>'mrn', 'none')"), "true 48213377");
    /* another patient's MRN printed without a label disagrees too */
    FILE_VALUE(c, "disagree2.tif", DOCS_SQL("d.status || ' ' || d.review_reason"),
               "review cover sheet MRN disagrees with the document");
    PQfinish(c);
}
END_TEST

START_TEST(test_label)
{
    PGconn *c = th_connect(&env);

    /* matched on the label: no patient reason left, the labelled MRN exact */
    FILE_VALUE(c, "label.tif", "SELECT array_to_string(p.barcodes, ',') FROM page p"
               " JOIN source_file f ON f.id = p.file_id WHERE f.path = 'box/%s'", "48213377");
    FILE_VALUE(c, "label.tif",
               DOCS_SQL("(d.fields->>'mrn') || ' ' || (d.candidates->0->>'mrn') || ' ' ||"
                        " (d.candidates->0->>'mrn_agreement') || ' ' ||"
                        " (d.review_reasons && ARRAY['no MRN found', 'no MRN, and a look-alike"
                        " of the patient in the roster', 'two candidates', 'weak evidence'])"),
               "48213377 48213377 exact false");
    /* on another patient's page the label does not override his name and birth date */
    FILE_VALUE(c, "label2.tif",
               DOCS_SQL("d.status || ' ' || (d.review_reasons && ARRAY["
                        "'MRN matches a patient whose birth date disagrees',"
                        "'MRN matches a patient whose name disagrees'])::text"),
               "review true");
    PQfinish(c);
}
END_TEST

START_TEST(test_foreign)
{
    PGconn *c = th_connect(&env);

    FILE_VALUE(c, "foreign.tif", PAGES_SQL, "1:done/d1 2:done/d1");
    FILE_VALUE(c, "foreign.tif", "SELECT (SELECT string_agg(b, ',' ORDER BY b)"
               " FROM unnest(p.barcodes) b) FROM page p"
               " JOIN source_file f ON f.id = p.file_id WHERE f.path = 'box/%s'"
               " AND p.page_no = 2", "ACC-7731-X,CS1:55501234:progress_note:0BADC0DE");
    PQfinish(c);
}
END_TEST

START_TEST(test_patch)
{
    PGconn *c = th_connect(&env);

    FILE_VALUE(c, "patch.tif", PAGES_SQL,
               "1:done/d1 2:separator 3:done/d2 4:separator 5:done/d3");
    FILE_VALUE(c, "patch.tif", DOCS_SQL("d.split_reason"),
               "first page | separator sheet | separator sheet");
    PQfinish(c);
}
END_TEST

/* ---- the filter: where barcodes may be (ocr/barcode.c, note 5) ---- */

/* 1 when one of the n bands holds the point x, y. */
static int in_bands(const cs_ocr_band *bands, int n, int x, int y)
{
    for (int i = 0; i < n; i++)
        if (x >= bands[i].x && x < bands[i].x + bands[i].w && y >= bands[i].y
            && y < bands[i].y + bands[i].h)
            return 1;
    return 0;
}

/* The filter finds a band at cx, cy on pix, and the one payload read there is want. */
static void assert_found_and_read(PIX *pix, int cx, int cy, const char *want)
{
    cs_ocr_band bands[8];
    char err[CS_ERRLEN] = "", **texts = NULL;
    size_t n = 0;
    int nbands = cs_ocr_barcode_bands(pix, bands, 8);

    ck_assert_msg(nbands > 0 && in_bands(bands, nbands, cx, cy),
                  "no band at %d,%d (%d bands)", cx, cy, nbands);
    ck_assert_msg(cs_ocr_barcodes_pix(pix, &texts, &n, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(texts[0], want);
    cs_ocr_barcodes_free(&texts, &n);
}

START_TEST(test_filter_finds_labels)
{
    PIX *pix = text_page("f1", 300, SMITH_NO_MRN);

    /* a label 0.3 inch tall (90 rows at 300 dpi), modules of 3 pixels,
     * stuck on 4 degrees crooked beside the text */
    label(pix, "48213377", 3, 90, 0, 4.0, 1600, 300);
    assert_found_and_read(pix, 1600, 300, "48213377");
    pixDestroy(&pix);

    /* the same label stuck sideways (a vertical symbol), 3 degrees off */
    pix = text_page("f2", 300, SMITH_NO_MRN);
    label(pix, "48213377", 3, 90, 1, -3.0, 2300, 1800);
    assert_found_and_read(pix, 2300, 1800, "48213377");
    pixDestroy(&pix);

    /* over the text lines, upside down and 2 degrees off */
    pix = text_page("f3", 300, SMITH_NO_MRN);
    label(pix, "MRN:55501234", 3, 90, 2, 2.0, 700, 330);
    assert_found_and_read(pix, 700, 330, "MRN:55501234");
    pixDestroy(&pix);
}
END_TEST

/* A page at 200 dpi through cs_ocr_page: the label is read on the kept page. */
START_TEST(test_filter_label_through_page)
{
    PIX *pix = text_page("f4", 200, DOE_NO_MRN);
    cs_ocr_engine *e = NULL;
    cs_ocr_result res;
    l_uint8 *tif = NULL;
    size_t len = 0;
    char err[CS_ERRLEN] = "";

    label(pix, "48213377", 2, 60, 0, 3.0, 1100, 120);     /* 0.3 inch at 200 dpi */
    pixSetResolution(pix, 200, 200);
    ck_assert_int_eq(pixWriteMemTiff(&tif, &len, pix, IFF_TIFF_G4), 0);
    ck_assert_msg(cs_ocr_engine_new(NULL, &e, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(cs_ocr_page(e, tif, len, 1, &res, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(res.barcodes_error, "");
    ck_assert_uint_eq(res.nbarcodes, 1);
    ck_assert_str_eq(res.barcodes[0], "48213377");
    cs_ocr_result_clear(&res);
    cs_ocr_engine_free(&e);
    lept_free(tif);
    pixDestroy(&pix);
}
END_TEST

/* Text, a large heading of straight capitals, a ruled table: nothing to scan. */
START_TEST(test_filter_skips_text)
{
    static const char body[] =
        "/Helvetica-Bold findfont 28 scalefont setfont 72 720 moveto (HILL MILL: INITIAL LIST) show\n"
        "/Courier findfont 12 scalefont setfont\n"
        "0 1 18 { 16 mul 690 exch sub 72 exch moveto"
        " (minimum illicit nihil; lull in hill mill, 11 111 1l1 Ill) show } for\n"
        "/Times-Roman findfont 10 scalefont setfont\n"
        "0 1 6 { 14 mul 370 exch sub 72 exch moveto"
        " (The patient was seen today for follow up; blood pressure is well controlled.) show } for\n"
        "1 setlinewidth 0 1 10 { 15 mul 72 add dup 100 moveto 260 lineto stroke } for\n"
        "0 1 8 { 20 mul 100 add 72 exch moveto 150 0 rlineto stroke } for\n";
    PIX *pix = ps_page("f5", 300, body);
    cs_ocr_band bands[8];
    char err[CS_ERRLEN] = "", **texts = NULL;
    size_t n = 1;
    l_int32 ink = 0;

    pixCountPixels(pix, &ink, NULL);
    ck_assert_int_gt(ink, 100000);                  /* the page was drawn */
    ck_assert_int_eq(cs_ocr_barcode_bands(pix, bands, 8), 0);
    ck_assert_int_eq(cs_ocr_barcodes_pix(pix, &texts, &n, err, sizeof err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(texts);
    pixDestroy(&pix);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("barcode");
    TCase *unit = tcase_create("payload"), *tc = tcase_create("pipeline");
    TCase *filter = tcase_create("filter");
    SRunner *sr;
    int failed;

    tcase_add_test(unit, test_payload);
    suite_add_tcase(s, unit);
    tcase_add_test(filter, test_filter_finds_labels);
    tcase_add_test(filter, test_filter_label_through_page);
    tcase_add_test(filter, test_filter_skips_text);
    tcase_set_timeout(filter, 120);
    suite_add_tcase(s, filter);
    th_setup(&env, "barcode");
    if (chdir(env.dir) != 0)
        return 2;
    tcase_add_test(tc, test_command);
    tcase_add_test(tc, test_sheets);
    tcase_add_test(tc, test_disagree);
    tcase_add_test(tc, test_label);
    tcase_add_test(tc, test_foreign);
    tcase_add_test(tc, test_patch);
    /* the pipeline's cases share one processed archive, made once */
    tcase_add_unchecked_fixture(tc, fixture, NULL);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}

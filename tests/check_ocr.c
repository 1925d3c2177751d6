/*
 * check_ocr.c — unit tests for ocr/: the TIFF signature test, inspection
 * and its limits, page decoding, resolution inference and recognition with
 * the real Tesseract.
 *
 * No fixture image is checked in.  A two-page PostScript letter written
 * here is rendered by Ghostscript into G4, grey and colour TIFFs; libtiff
 * writes the others (bands of page 1 with and without a resolution tag,
 * hostile headers, too many pages).  One engine serves every test, as one
 * serves a worker.
 * All text is invented.
 */
#include "common/common.h"
#include "ocr/ocr.h"
#include "tests/harness.h"

#include <check.h>
#include <leptonica/allheaders.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

typedef struct blob {
    unsigned char *data;
    size_t len;
} blob;

/* Built once by fixture_setup (an unchecked fixture, so in fork mode the
 * children inherit it), released by main. */
static struct {
    char dir[1024];
    blob g4;              /* pages 1 and 2, CCITT G4, 300 dpi, US Letter */
    blob grey;            /* the same two pages, 8-bit grey, LZW */
    blob colour;          /* page 1 in colour, 24-bit RGB, LZW */
    PIX *body;            /* a full page of clinic text, 8-bit grey, 300 dpi */
    PIX *short_line;
    PIX *little_text;      /* a page holding only "Page 2 of 3", 8-bit grey, 300 dpi */
    cs_ocr_engine *engine;
    int ready;
} fx;

/* Page 1 is a discharge summary, page 2 a medication list.  In the colour
 * rendering the titles are dark blue on a pale yellow band. */
static const char LETTER_PS[] =
    "%%!PS\n"
    "/colour %s def\n"
    "<< /PageSize [612 792] >> setpagedevice\n"
    "/title { colour { 1 1 0.8 setrgbcolor 60 610 490 125 rectfill 0 0 0.55 setrgbcolor } if\n"
    "         /Helvetica-Bold findfont 24 scalefont setfont 72 700 moveto show 0 setgray } def\n"
    "/line { /Helvetica findfont 14 scalefont setfont 72 exch moveto show } def\n"
    "(DISCHARGE SUMMARY) title\n"
    "(MRN: 48213377) 660 line\n"
    "(The patient was admitted with chest pain and discharged home.) 630 line\n"
    "showpage\n"
    "(MEDICATION LIST) title\n"
    "(Aspirin 81 mg daily by mouth) 660 line\n"
    "(Follow up with cardiology in two weeks.) 630 line\n"
    "showpage\n";

/* A full page of running text (enough for orientation and skew to be
 * measured), and a page with one short line at the foot. */
static const char BODY_PS[] =
    "%!PS\n"
    "<< /PageSize [612 792] >> setpagedevice\n"
    "/Times-Roman findfont 12 scalefont setfont\n"
    "/y 720 def\n"
    "/l { 72 y moveto show /y y 17 sub def } def\n"
    "(PROGRESS NOTE) l () l\n"
    "(Patient seen today in the cardiology clinic for follow up of chest pain.) l\n"
    "(She reports no further episodes since the last visit and walks daily.) l\n"
    "(Blood pressure was measured twice and remained within the normal range.) l\n"
    "(The electrocardiogram shows sinus rhythm without acute changes.) l\n"
    "(Medications were reviewed with the patient and her daughter.) l\n"
    "(Aspirin is continued at the same dose, taken with food in the morning.) l\n"
    "(Laboratory results from the previous week were discussed in detail.) l\n"
    "(Cholesterol has improved since the change of diet in the spring.) l\n"
    "(She was advised to keep a diary of any symptoms and to call the office.) l\n"
    "(A stress test will be arranged if the symptoms return or worsen.) l\n"
    "(The plan was explained and all of her questions were answered.) l\n"
    "(Return visit in three months, sooner if needed, with fasting labs.) l\n"
    "(Signed electronically by the attending physician after review.) l\n"
    "showpage\n";

static const char SHORT_LINE_PS[] =
    "%!PS\n"
    "<< /PageSize [612 792] >> setpagedevice\n"
    "/Helvetica findfont 10 scalefont setfont 280 40 moveto (Page 2 of 3) show\n"
    "showpage\n";

/* A page with little text: two short lines, too few letters for the
 * orientation detector to be sure which way up they are. */
static const char LITTLE_TEXT_PS[] =
    "%!PS\n"
    "<< /PageSize [612 792] >> setpagedevice\n"
    "/Helvetica findfont 11 scalefont setfont\n"
    "72 700 moveto (Results reviewed with the patient.) show\n"
    "72 684 moveto (No change to the plan.) show\n"
    "showpage\n";

/* ---- fixture helpers ---- */

static void
fx_path(char *buf, size_t len, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", fx.dir, name);
    ck_assert(n > 0 && (size_t)n < len);
}

static void
read_whole_file(const char *path, blob *b)
{
    FILE *fp = fopen(path, "rb");
    long size;

    ck_assert_msg(fp != NULL, "could not open %s", path);
    ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    ck_assert(size > 0);
    rewind(fp);
    b->len = (size_t)size;
    b->data = malloc(b->len);
    ck_assert_ptr_nonnull(b->data);
    ck_assert_uint_eq(fread(b->data, 1, b->len, fp), b->len);
    fclose(fp);
}

static void
write_whole_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    ck_assert_msg(fp != NULL, "could not create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    ck_assert_int_eq(fclose(fp), 0);
}

static void
blob_free(blob *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

/* Run gs with args (NULL-terminated, after the program name); no shell. */
static void
run_ghostscript(const char *const *args)
{
    const char *argv[16] = {"gs"};
    pid_t pid;
    int status = 0, n = 1;

    for (; args[n - 1]; n++) {
        ck_assert(n < 15);
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        execvp("gs", (char *const *)argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "gs failed (status %d); is Ghostscript installed?", status);
}

/* Render the first `pages` pages of ps_name with Ghostscript's device at
 * 300 dpi (compression: a -sCompression= option or NULL) and read the TIFF. */
static void
render(const char *ps_name, const char *device, const char *compression, int pages, blob *out)
{
    char ps[1100], tif[1100], device_arg[64], last_arg[32], output_arg[1200];
    const char *args[12];
    int n = 0;

    fx_path(ps, sizeof ps, ps_name);
    fx_path(tif, sizeof tif, "rendered.tif");
    snprintf(device_arg, sizeof device_arg, "-sDEVICE=%s", device);
    snprintf(last_arg, sizeof last_arg, "-dLastPage=%d", pages);
    snprintf(output_arg, sizeof output_arg, "-sOutputFile=%s", tif);
    args[n++] = "-q";
    args[n++] = "-dSAFER";
    args[n++] = "-dBATCH";
    args[n++] = "-dNOPAUSE";
    args[n++] = device_arg;
    args[n++] = "-r300";
    if (compression)
        args[n++] = compression;
    args[n++] = last_arg;
    args[n++] = output_arg;
    args[n++] = ps;
    args[n] = NULL;
    run_ghostscript(args);
    read_whole_file(tif, out);
    ck_assert_int_eq(unlink(tif), 0);
}

static void
write_letter_ps(const char *name, int colour)
{
    char path[1100], text[sizeof LETTER_PS + 16];
    int n = snprintf(text, sizeof text, LETTER_PS, colour ? "true" : "false");

    ck_assert(n > 0 && (size_t)n < sizeof text);
    fx_path(path, sizeof path, name);
    write_whole_file(path, text, (size_t)n);
}

/* Render PostScript text to an 8-bit grey 300 dpi page with gs. */
static PIX *
render_grey_pix(const char *name, const char *text)
{
    char path[1100];
    blob b = {0};
    PIX *pix;

    fx_path(path, sizeof path, name);
    write_whole_file(path, text, strlen(text));
    render(name, "tiffgray", "-sCompression=lzw", 1, &b);
    unlink(path);
    pix = pixReadMemTiff(b.data, b.len, 0);
    ck_assert_ptr_nonnull(pix);
    ck_assert_int_eq(pixGetDepth(pix), 8);
    blob_free(&b);
    return pix;
}

static void
fixture_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    char err[256] = "", path[1100];

    if (fx.ready)
        return;
    snprintf(fx.dir, sizeof fx.dir, "%s/check_ocr.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(fx.dir));
    write_letter_ps("letter.ps", 0);
    write_letter_ps("colour.ps", 1);
    render("letter.ps", "tiffg4", NULL, 2, &fx.g4);
    render("letter.ps", "tiffgray", "-sCompression=lzw", 2, &fx.grey);
    render("colour.ps", "tiff24nc", "-sCompression=lzw", 1, &fx.colour);
    fx_path(path, sizeof path, "letter.ps");
    unlink(path);
    fx_path(path, sizeof path, "colour.ps");
    unlink(path);
    fx.body = render_grey_pix("body.ps", BODY_PS);
    fx.short_line = render_grey_pix("short.ps", SHORT_LINE_PS);
    fx.little_text = render_grey_pix("little.ps", LITTLE_TEXT_PS);

    ck_assert_msg(cs_ocr_engine_new(NULL, &fx.engine, err, sizeof err) == 0,
                  "could not create the engine: %s", err);
    ck_assert_ptr_nonnull(fx.engine);
    fx.ready = 1;
}

static void
fixture_release(void)
{
    blob_free(&fx.g4);
    blob_free(&fx.grey);
    blob_free(&fx.colour);
    pixDestroy(&fx.body);
    pixDestroy(&fx.short_line);
    pixDestroy(&fx.little_text);
    cs_ocr_engine_free(&fx.engine);
    if (fx.dir[0]) {
        /* a failed assertion can leave its working file behind */
        static const char *const names[] = {"letter.ps", "colour.ps", "rendered.tif",
                                            "written.tif", "band.tif", "layout.tif",
                                            "body.ps", "short.ps", "little.ps", "out.pdf", "out.txt",
                                            "srgb.icc", "out.ppm", "img-000.jpg"};
        char path[1100];

        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", fx.dir, names[i]);
            unlink(path);
        }
        rmdir(fx.dir);
    }
    fx.ready = 0;
}

typedef struct page_size {
    uint32_t width, height;
} page_size;

/*
 * Write a 1-bit TIFF with libtiff whose pages have the given sizes.  Small
 * pages get real (white) pixels; larger ones a directory and a token strip
 * of 16 bytes, which is all a hostile header needs (libtiff refuses a
 * directory without strips).  mode: "w", "w8" (BigTIFF), "wb" (big-endian).
 */
static void
write_tiff(const char *mode, const page_size *pages, int npages, blob *out)
{
    char path[1100];
    unsigned char strip[1024];
    TIFF *tif;

    memset(strip, 0, sizeof strip);
    fx_path(path, sizeof path, "written.tif");
    tif = TIFFOpen(path, mode);
    ck_assert_ptr_nonnull(tif);
    for (int i = 0; i < npages; i++) {
        uint32_t w = pages[i].width, h = pages[i].height;
        uint64_t bytes = (uint64_t)(w + 7) / 8 * h;

        ck_assert(TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w));
        ck_assert(TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h));
        ck_assert(TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1));
        ck_assert(TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1));
        /* pages up to 16 MiB get real (PackBits) data; larger ones a token strip,
         * for tests that must be refused on their header alone */
        ck_assert(TIFFSetField(tif, TIFFTAG_COMPRESSION,
                               bytes <= sizeof strip || bytes > (16u << 20) ? COMPRESSION_NONE
                                                                            : COMPRESSION_PACKBITS));
        ck_assert(TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE));
        ck_assert(TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG));
        ck_assert(TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, h));
        if (bytes <= sizeof strip) {
            ck_assert(TIFFWriteEncodedStrip(tif, 0, strip, (tmsize_t)bytes) >= 0);
        } else if (bytes <= (16u << 20)) {
            unsigned char *blank = calloc(1, (size_t)bytes);
            ck_assert_ptr_nonnull(blank);
            ck_assert(TIFFWriteEncodedStrip(tif, 0, blank, (tmsize_t)bytes) >= 0);
            free(blank);
        } else
            ck_assert(TIFFWriteRawStrip(tif, 0, strip, 16) == 16);
        ck_assert(TIFFWriteDirectory(tif));
    }
    TIFFClose(tif);
    read_whole_file(path, out);
    ck_assert_int_eq(unlink(path), 0);
}

/*
 * Write pix (1 bpp as G4, 8 bpp as LZW) with libtiff, so that we decide
 * whether there is a resolution tag: Leptonica writes 300 ppi for a pix
 * without one.  xres 0: no tag.
 */
static void
write_pix_tiff(PIX *pix, int xres, blob *out)
{
    const int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
    const l_int32 wpl = pixGetWpl(pix);
    const l_uint32 *data = pixGetData(pix);
    unsigned char *row = malloc((size_t)w);
    char path[1100];
    TIFF *tif;

    ck_assert(d == 1 || d == 8);
    ck_assert_ptr_nonnull(row);
    fx_path(path, sizeof path, "band.tif");
    tif = TIFFOpen(path, "w");
    ck_assert_ptr_nonnull(tif);
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)w);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)h);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, d);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, d == 1 ? COMPRESSION_CCITTFAX4 : COMPRESSION_LZW);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, d == 1 ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, (uint32_t)h);
    if (xres > 0) {
        TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        TIFFSetField(tif, TIFFTAG_XRESOLUTION, (double)xres);
        TIFFSetField(tif, TIFFTAG_YRESOLUTION, (double)xres);
    }
    for (int y = 0; y < h; y++) {
        const l_uint32 *line = data + (size_t)y * (size_t)wpl;

        memset(row, 0, (size_t)w);
        for (int x = 0; x < w; x++) {
            if (d == 1)
                row[x / 8] |= (unsigned char)(GET_DATA_BIT(line, x) << (7 - x % 8));
            else
                row[x] = (unsigned char)GET_DATA_BYTE(line, x);
        }
        ck_assert_int_eq(TIFFWriteScanline(tif, row, (uint32_t)y, 0), 1);
    }
    TIFFClose(tif);
    free(row);
    read_whole_file(path, out);
    ck_assert_int_eq(unlink(path), 0);
}

/*
 * A band across the top of page 1 (title, MRN and sentence; full width, so
 * resolution inference still sees a letter-sized page) with resolution tag
 * xres (0: none).  half: reduced 2x to 8-bit grey, i.e. a 150 dpi scan.
 * Cheap to recognise.
 */
static void
make_band(int xres, int half, blob *out)
{
    PIX *page, *band, *img;
    BOX *box;

    page = pixReadMemTiff(fx.g4.data, fx.g4.len, 0);
    ck_assert_ptr_nonnull(page);
    box = boxCreate(0, 0, pixGetWidth(page), 800);
    band = pixClipRectangle(page, box, NULL);
    ck_assert_ptr_nonnull(band);
    img = half ? pixScaleToGray2(band) : pixClone(band);
    ck_assert_ptr_nonnull(img);
    write_pix_tiff(img, xres, out);
    pixDestroy(&img);
    pixDestroy(&band);
    pixDestroy(&page);
    boxDestroy(&box);

    /* the fixture must be what it claims: the tag absent, or this value */
    page = pixReadMemTiff(out->data, out->len, 0);
    ck_assert_ptr_nonnull(page);
    ck_assert_int_eq(pixGetXRes(page), xres);
    pixDestroy(&page);
}

static void
assert_contains(const char *text, const char *want)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, want) != NULL, "\"%s\" not in the text read:\n%s", want, text);
}

static void
assert_lacks(const char *text, const char *unwanted)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, unwanted) == NULL, "\"%s\" in the text read:\n%s", unwanted, text);
}

/* cs_ocr_page must refuse page of b: -1, a message (containing want if
 * given), an empty result.  what names the input in failure messages. */
static void
assert_page_fails_in(const char *what, const blob *b, int page, const char *want)
{
    cs_ocr_result res;
    char err[256] = "";
    int rc = cs_ocr_page(fx.engine, b->data, b->len, page, &res, err, sizeof err);

    if (rc == 0)
        cs_ocr_result_clear(&res);
    ck_assert_msg(rc == -1, "%s, page %d: rc %d, expected -1", what, page, rc);
    ck_assert_msg(err[0] != '\0', "%s, page %d: no message", what, page);
    if (want)
        ck_assert_msg(strstr(err, want) != NULL, "%s, page %d: \"%s\" not in \"%s\"",
                      what, page, want, err);
    ck_assert_ptr_null(res.text);
    ck_assert_int_eq(res.width, 0);
    ck_assert_int_eq(res.height, 0);
}

#define assert_page_fails(b, page, want) assert_page_fails_in(#b, b, page, want)

/* cs_ocr_tiff_inspect must refuse, with a message containing want if
 * given, and leave no page count behind. */
static void
assert_inspect_fails_in(const char *what, const void *data, size_t len, const char *want)
{
    cs_tiff_info info = {.pages = 99};
    char err[256] = "";
    int rc = cs_ocr_tiff_inspect(data, len, &info, err, sizeof err);

    ck_assert_msg(rc == -1, "%s: rc %d (pages %d), expected -1", what, rc, info.pages);
    ck_assert_int_eq(info.pages, 0);
    ck_assert_msg(err[0] != '\0', "%s: no message", what);
    if (want)
        ck_assert_msg(strstr(err, want) != NULL, "%s: \"%s\" not in \"%s\"", what, want, err);
}

#define assert_inspect_fails(data, len, want) assert_inspect_fails_in(#data, data, len, want)

static int
inspect_pages(const blob *b)
{
    cs_tiff_info info = {.pages = -1};
    char err[256] = "";

    ck_assert_msg(cs_ocr_tiff_inspect(b->data, b->len, &info, err, sizeof err) == 0,
                  "inspect failed: %s", err);
    return info.pages;
}

/* ---- core ---- */

START_TEST(test_is_tiff_signatures)
{
    static const unsigned char le[8] = {'I', 'I', 42, 0, 8, 0, 0, 0};
    static const unsigned char be[8] = {'M', 'M', 0, 42, 0, 0, 0, 8};
    static const unsigned char big_le[8] = {'I', 'I', 43, 0, 8, 0, 0, 0};
    static const unsigned char big_be[8] = {'M', 'M', 0, 43, 0, 8, 0, 0};
    static const unsigned char mixed[8] = {'I', 'M', 42, 0, 8, 0, 0, 0};
    static const unsigned char swapped[8] = {'I', 'I', 0, 42, 8, 0, 0, 0};
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    ck_assert_int_eq(cs_ocr_is_tiff(le, 8), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(be, 8), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(big_le, 8), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(big_be, 8), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(le, 7), 0);      /* too short for a header */
    ck_assert_int_eq(cs_ocr_is_tiff(mixed, 8), 0);
    ck_assert_int_eq(cs_ocr_is_tiff(swapped, 8), 0);
    ck_assert_int_eq(cs_ocr_is_tiff(png, 8), 0);
    ck_assert_int_eq(cs_ocr_is_tiff("%PDF-1.7\n", 9), 0);
    ck_assert_int_eq(cs_ocr_is_tiff(fx.g4.data, fx.g4.len), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(fx.grey.data, fx.grey.len), 1);
    ck_assert_int_eq(cs_ocr_is_tiff(fx.colour.data, fx.colour.len), 1);
}
END_TEST

START_TEST(test_inspect_counts_pages)
{
    static const page_size three[3] = {{8, 8}, {16, 4}, {32, 32}};
    char err[64] = "";
    blob b = {0};

    ck_assert_int_eq(inspect_pages(&fx.g4), 2);
    ck_assert_int_eq(inspect_pages(&fx.grey), 2);
    ck_assert_int_eq(inspect_pages(&fx.colour), 1);
    ck_assert_int_eq(cs_ocr_tiff_inspect(fx.g4.data, fx.g4.len, NULL, err, sizeof err), 0);

    write_tiff("w8", three, 3, &b);              /* BigTIFF */
    ck_assert_int_eq(cs_ocr_is_tiff(b.data, b.len), 1);
    ck_assert_int_eq(b.data[2], 43);
    ck_assert_int_eq(inspect_pages(&b), 3);
    blob_free(&b);

    write_tiff("wb", three, 1, &b);              /* big-endian */
    ck_assert_int_eq(b.data[0], 'M');
    ck_assert_int_eq(inspect_pages(&b), 1);
    blob_free(&b);
}
END_TEST

START_TEST(test_page_one_g4)
{
    cs_ocr_result res;
    char err[256] = "";

    ck_assert_msg(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 1, &res, err, sizeof err) == 0,
                  "page 1: %s", err);
    assert_contains(res.text, "DISCHARGE SUMMARY");
    assert_contains(res.text, "48213377");
    assert_contains(res.text, "chest pain");
    assert_lacks(res.text, "MEDICATION");
    ck_assert_double_gt(res.confidence, 50);
    ck_assert_double_le(res.confidence, 100);
    ck_assert_int_eq(res.width, 2550);           /* 8.5 x 11 in at 300 dpi */
    ck_assert_int_eq(res.height, 3300);
    ck_assert_int_eq(res.dpi, 300);
    ck_assert_int_eq(res.dpi_inferred, 0);
    ck_assert_double_ge(res.decode_ms, 0);
    ck_assert_double_gt(res.ocr_ms, 0);
    cs_ocr_result_clear(&res);
    ck_assert_ptr_null(res.text);
    ck_assert_int_eq(res.width, 0);
    cs_ocr_result_clear(&res);                   /* twice is harmless */
    cs_ocr_result_clear(NULL);
}
END_TEST

START_TEST(test_page_two_g4)
{
    cs_ocr_result res;
    char err[256] = "";

    ck_assert_msg(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 2, &res, err, sizeof err) == 0,
                  "page 2: %s", err);
    assert_contains(res.text, "MEDICATION LIST");
    assert_contains(res.text, "Aspirin 81 mg");
    assert_contains(res.text, "cardiology");
    assert_lacks(res.text, "DISCHARGE");
    assert_lacks(res.text, "48213377");
    ck_assert_double_gt(res.confidence, 50);
    ck_assert_int_eq(res.width, 2550);
    ck_assert_int_eq(res.height, 3300);
    ck_assert_int_eq(res.dpi, 300);
    cs_ocr_result_clear(&res);
}
END_TEST

START_TEST(test_grey_and_colour_pages)
{
    cs_ocr_result res;
    char err[256] = "";

    /* page 2 of an LZW file with many strips per page */
    ck_assert_msg(cs_ocr_page(fx.engine, fx.grey.data, fx.grey.len, 2, &res, err, sizeof err) == 0,
                  "grey page 2: %s", err);
    assert_contains(res.text, "MEDICATION LIST");
    assert_lacks(res.text, "DISCHARGE");
    ck_assert_double_gt(res.confidence, 50);
    ck_assert_int_eq(res.width, 2550);
    ck_assert_int_eq(res.height, 3300);
    ck_assert_int_eq(res.dpi, 300);
    cs_ocr_result_clear(&res);

    /* 24-bit RGB, blue title on a yellow band: converted to grey first */
    ck_assert_msg(cs_ocr_page(fx.engine, fx.colour.data, fx.colour.len, 1, &res, err, sizeof err) == 0,
                  "colour page 1: %s", err);
    assert_contains(res.text, "DISCHARGE SUMMARY");
    assert_contains(res.text, "48213377");
    ck_assert_double_gt(res.confidence, 50);
    ck_assert_int_eq(res.width, 2550);
    ck_assert_int_eq(res.height, 3300);
    ck_assert_int_eq(res.dpi, 300);
    ck_assert_int_eq(res.dpi_inferred, 0);
    cs_ocr_result_clear(&res);
}
END_TEST

START_TEST(test_resolution_inferred)
{
    static const struct {
        int xres, half;           /* band as written */
        int source_dpi, inferred; /* what decoding must find */
        int dpi;                  /* recognition resolution: 300, but 200 stays */
        int width, height;        /* the page as recognised */
    } cases[] = {
        {0, 0, 300, 1, 300, 2550, 800},    /* no tag, 2550 wide: a 300 dpi letter */
        {72, 0, 300, 1, 300, 2550, 800},   /* below any scanner's resolution */
        {100, 0, 300, 1, 300, 2550, 800},  /* 100 dpi would make it 25.5 inches wide */
        {1200, 0, 300, 1, 300, 2550, 800}, /* 1200 dpi would make it 2.1 inches wide */
        {0, 1, 150, 1, 300, 2550, 800},    /* no tag, 1275 wide grey: 150 dpi, scaled up */
        {200, 0, 200, 0, 200, 2550, 800},  /* plausible (12.75 in): kept, read at 200 */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_ocr_result res;
        char err[256] = "";
        blob b = {0};

        make_band(cases[i].xres, cases[i].half, &b);
        ck_assert_msg(cs_ocr_page(fx.engine, b.data, b.len, 1, &res, err, sizeof err) == 0,
                      "case %zu: %s", i, err);
        ck_assert_msg(res.cleanup.source_dpi == cases[i].source_dpi
                      && res.dpi_inferred == cases[i].inferred
                      && res.cleanup.dpi_inferred == cases[i].inferred,
                      "case %zu: dpi %d inferred %d, expected %d %d", i, res.cleanup.source_dpi,
                      res.dpi_inferred, cases[i].source_dpi, cases[i].inferred);
        ck_assert_int_eq(res.dpi, cases[i].dpi);
        ck_assert_int_eq(res.cleanup.dpi, cases[i].dpi);
        ck_assert_int_eq(res.width, cases[i].width);
        ck_assert_int_eq(res.height, cases[i].height);
        assert_contains(res.text, "DISCHARGE SUMMARY");
        assert_contains(res.text, "48213377");
        cs_ocr_result_clear(&res);
        blob_free(&b);
    }
}
END_TEST

START_TEST(test_engine_reused)
{
    /* one engine, many pages, and files of different kinds in between:
     * no state from one page leaks into the next */
    cs_ocr_result a, b;
    char err[256] = "";

    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 2, &a, err, sizeof err), 0);
    assert_page_fails(&fx.g4, 7, NULL);
    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 2, &b, err, sizeof err), 0);
    ck_assert_str_eq(a.text, b.text);
    ck_assert_double_eq_tol(a.confidence, b.confidence, 0.01);
    cs_ocr_result_clear(&a);
    cs_ocr_result_clear(&b);
}
END_TEST

/* ---- cleanup ---- */

/* fx.body (or another page) turned into a TIFF at xres: 1 bpp (threshold
 * 128, G4) when bilevel, else 8-bit grey LZW. */
static void
page_tiff(PIX *pix, int xres, int bilevel, blob *out)
{
    PIX *b = bilevel ? pixThresholdToBinary(pix, 128) : pixClone(pix);

    ck_assert_ptr_nonnull(b);
    write_pix_tiff(b, xres, out);
    pixDestroy(&b);
}

static void
ocr_ok(const blob *b, cs_ocr_result *res, const char *what)
{
    char err[256] = "";

    ck_assert_msg(cs_ocr_page(fx.engine, b->data, b->len, 1, res, err, sizeof err) == 0,
                  "%s: %s", what, err);
}

/* The body text was read: a few distinctive words from top to bottom. */
static void
assert_body_read(const cs_ocr_result *res)
{
    assert_contains(res->text, "PROGRESS NOTE");
    assert_contains(res->text, "cardiology clinic");
    assert_contains(res->text, "electrocardiogram");
    assert_contains(res->text, "fasting labs");
    ck_assert_int_eq(res->cleanup.blank, 0);
    ck_assert_double_gt(res->confidence, 70);
}

/* A grey page with every pixel set by f(x, y, value of fx.body there). */
typedef int (*pixel_fn)(int x, int y, int w, int h, int v);

static PIX *
map_body(pixel_fn f)
{
    int w = pixGetWidth(fx.body), h = pixGetHeight(fx.body);
    PIX *pix = pixCreate(w, h, 8);

    ck_assert_ptr_nonnull(pix);
    pixSetResolution(pix, 300, 300);
    for (int y = 0; y < h; y++) {
        l_uint32 *src = pixGetData(fx.body) + (size_t)y * pixGetWpl(fx.body);
        l_uint32 *dst = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
        for (int x = 0; x < w; x++) {
            int v = f(x, y, w, h, (int)GET_DATA_BYTE(src, x));
            SET_DATA_BYTE(dst, x, v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    return pix;
}

START_TEST(test_upright_page_not_rotated)
{
    cs_ocr_result res;
    blob b = {0};

    page_tiff(fx.body, 300, 1, &b);
    ocr_ok(&b, &res, "upright");
    assert_body_read(&res);
    ck_assert_int_eq(res.cleanup.rotation, 0);
    ck_assert_double_lt(fabs(res.cleanup.skew), 0.2);
    ck_assert_int_eq(res.width, 2550);
    ck_assert_int_eq(res.height, 3300);
    /* every step was timed; recognition is the big one */
    ck_assert_double_gt(res.cleanup.ms_ocr, 0);
    ck_assert_double_ge(res.cleanup.ms_decode, 0);
    ck_assert_double_ge(res.cleanup.ms_binarise, 0);
    ck_assert_double_ge(res.cleanup.ms_clean, 0);
    ck_assert_double_ge(res.cleanup.ms_encode, 0);
    ck_assert_double_eq(res.ocr_ms, res.cleanup.ms_ocr);
    cs_ocr_result_clear(&res);
    blob_free(&b);
}
END_TEST

START_TEST(test_rotated_pages)
{
    /* scanned turned by q quarter turns clockwise: the fix is the rest of the turn */
    for (int q = 1; q <= 3; q++) {
        PIX *turned = pixRotateOrth(fx.body, q);
        cs_ocr_result res;
        blob b = {0};

        ck_assert_ptr_nonnull(turned);
        page_tiff(turned, 300, 1, &b);
        ocr_ok(&b, &res, "rotated");
        ck_assert_msg(res.cleanup.rotation == (4 - q) * 90, "turned %d: rotation %d", q * 90,
                      res.cleanup.rotation);
        ck_assert_double_gt(res.cleanup.orientation_confidence, 0);
        assert_body_read(&res);
        ck_assert_int_eq(res.width, 2550);           /* upright again */
        ck_assert_int_eq(res.height, 3300);
        cs_ocr_result_clear(&res);
        blob_free(&b);
        pixDestroy(&turned);
    }
}
END_TEST

START_TEST(test_skewed_page)
{
    PIX *skewed = pixRotate(fx.body, (float)(3.0 * M_PI / 180.0), L_ROTATE_AREA_MAP,
                            L_BRING_IN_WHITE, 0, 0);
    cs_ocr_result res;
    blob b = {0};

    ck_assert_ptr_nonnull(skewed);
    page_tiff(skewed, 300, 0, &b);
    ocr_ok(&b, &res, "skewed");
    ck_assert_msg(fabs(res.cleanup.skew - 3.0) < 0.3, "skew %.2f, expected 3", res.cleanup.skew);
    ck_assert_int_eq(res.cleanup.rotation, 0);
    assert_body_read(&res);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&skewed);
}
END_TEST

/* paper darkening from 235 on the left to about 95 on the right, a shadow
 * at the binding; ink stays darker than its paper */
static int gradient_px(int x, int y, int w, int h, int v)
{
    (void)y; (void)h;
    return (int)(v * (0.92 - 0.55 * x / (double)w));
}

START_TEST(test_grey_gradient_page)
{
    PIX *grey = map_body(gradient_px);
    cs_ocr_result res;
    blob b = {0};
    l_int32 ink = 0;
    PIX *clean;

    page_tiff(grey, 300, 0, &b);
    ocr_ok(&b, &res, "gradient");
    assert_body_read(&res);
    assert_contains(res.text, "Signed electronically");
    /* the shadow is not drawn as ink: a page of text is ink for a few percent */
    clean = pixReadMemTiff(res.cleaned, res.cleaned_len, 0);
    ck_assert_ptr_nonnull(clean);
    pixCountPixels(clean, &ink, NULL);
    ck_assert_double_lt((double)ink / (res.width * res.height), 0.03);
    pixDestroy(&clean);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&grey);
}
END_TEST

/* the back of the page: pale paper, the text of the other side showing
 * through mirrored and faint (about 25 grey levels), and dust */
static int bleed_px(int x, int y, int w, int h, int v)
{
    uint32_t r = (uint32_t)(x * 2654435761u) ^ (uint32_t)(y * 40503u + 977u);
    int mirrored;

    (void)h;
    r ^= r >> 13;
    r *= 0x5bd1e995u;
    r ^= r >> 15;
    (void)v;
    {
        l_uint32 m = 255;
        pixGetPixel(fx.body, (l_uint32)(w - 1 - x), (l_uint32)y, &m);
        mirrored = (int)m;
    }
    if (r % 1000 == 0)
        return 40;                                   /* a speck of dust */
    return 232 - (255 - mirrored) / 10 + (int)(r % 7) - 3;
}

START_TEST(test_blank_back_side)
{
    PIX *back = map_body(bleed_px);
    cs_ocr_result res;
    blob b = {0};

    page_tiff(back, 300, 0, &b);
    ocr_ok(&b, &res, "back side");
    ck_assert_msg(res.cleanup.blank == 1, "back side not blank (score %.1f): \"%s\"",
                  res.cleanup.blank_score, res.text);
    ck_assert_str_eq(res.text, "");
    ck_assert_uint_eq(res.nwords, 0);
    ck_assert_ptr_null(res.words);
    ck_assert_double_eq(res.confidence, 0);
    ck_assert_double_eq(res.cleanup.ms_ocr, 0);      /* OCR was skipped */
    ck_assert_ptr_nonnull(res.cleaned);              /* still stored */
    ck_assert_int_eq(res.width, 2550);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&back);

    /* the same page thresholded by a scanner: bilevel, just as blank */
    back = map_body(bleed_px);
    page_tiff(back, 300, 1, &b);
    ocr_ok(&b, &res, "bilevel back side");
    ck_assert_int_eq(res.cleanup.blank, 1);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&back);
}
END_TEST

/* A back side as a bilevel scanner makes it: the front shows through
 * mirrored at 30%, sensor noise (sigma about 25) takes a fifth of the
 * pixels of those faint letters below the scanner's threshold (160), and
 * there is a speck in 500.  The letters come out as clouds of dots, which
 * at low resolution join into letter-sized shapes. */
static int speckled_back_px(int x, int y, int w, int h, int v)
{
    uint32_t r = (uint32_t)(x * 2654435761u) ^ (uint32_t)(y * 40503u + 977u);
    l_uint32 m = 255;
    int noise = 0, grey;

    (void)h;
    (void)v;
    pixGetPixel(fx.body, (l_uint32)(w - 1 - x), (l_uint32)y, &m);
    for (int i = 0; i < 4; i++) {          /* four uniform draws: about normal */
        r ^= r >> 13;
        r *= 0x5bd1e995u;
        r ^= r >> 15;
        noise += (int)(r % 87) - 43;        /* sd 25 each, 50 for the sum of 4 */
    }
    if (r % 500 == 7)
        return 0;                           /* a speck */
    grey = 255 - (int)(0.3 * (255 - (int)m)) + noise / 2;
    return grey < 160 ? 0 : 255;
}

START_TEST(test_speckled_g4_back_side_blank)
{
    PIX *back = map_body(speckled_back_px);
    cs_ocr_result res;
    blob b = {0};

    page_tiff(back, 300, 1, &b);
    ocr_ok(&b, &res, "speckled bilevel back side");
    ck_assert_msg(res.cleanup.blank == 1, "speckled back side not blank (score %.1f): \"%s\"",
                  res.cleanup.blank_score, res.text);
    ck_assert_str_eq(res.text, "");
    ck_assert_double_eq(res.cleanup.ms_ocr, 0);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&back);
}
END_TEST

START_TEST(test_upside_down_little_text_turned)
{
    for (int bilevel = 0; bilevel <= 1; bilevel++) {
        PIX *turned = pixRotateOrth(fx.little_text, 2);
        cs_ocr_result res;
        blob b = {0};

        ck_assert_ptr_nonnull(turned);
        page_tiff(turned, 300, bilevel, &b);
        ocr_ok(&b, &res, "upside-down little text");
        ck_assert_msg(res.cleanup.rotation == 180, "bilevel %d: rotation %d, text \"%s\"",
                      bilevel, res.cleanup.rotation, res.text);
        assert_contains(res.text, "Results reviewed with the patient.");
        assert_contains(res.text, "No change to the plan.");
        ck_assert_int_eq(res.cleanup.blank, 0);
        ck_assert_int_eq(res.width, 2550);
        cs_ocr_result_clear(&res);
        blob_free(&b);
        pixDestroy(&turned);

        /* and upright it stays as it is */
        page_tiff(fx.little_text, 300, bilevel, &b);
        ocr_ok(&b, &res, "upright little text");
        ck_assert_int_eq(res.cleanup.rotation, 0);
        assert_contains(res.text, "No change to the plan.");
        cs_ocr_result_clear(&res);
        blob_free(&b);
    }
}
END_TEST

START_TEST(test_short_line_not_blank)
{
    cs_ocr_result res;
    blob b = {0};

    for (int bilevel = 0; bilevel <= 1; bilevel++) {
        page_tiff(fx.short_line, 300, bilevel, &b);
        ocr_ok(&b, &res, "short line");
        ck_assert_msg(res.cleanup.blank == 0, "one line called blank (score %.1f)",
                      res.cleanup.blank_score);
        ck_assert_double_gt(res.cleanup.blank_score, 0);
        assert_contains(res.text, "Page 2 of 3");
        ck_assert_int_eq(res.cleanup.rotation, 0);  /* too little text to turn it */
        cs_ocr_result_clear(&res);
        blob_free(&b);
    }
}
END_TEST

START_TEST(test_words_and_boxes)
{
    cs_ocr_result res;
    char err[256] = "";
    int found_mrn = 0, last_line = -1;

    ck_assert_msg(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 1, &res, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_uint_ge(res.nwords, 10);
    for (size_t i = 0; i < res.nwords; i++) {
        const cs_ocr_word *w = &res.words[i];

        ck_assert_ptr_nonnull(w->text);
        ck_assert(w->text[0] != '\0');
        ck_assert_msg(strstr(res.text, w->text) != NULL, "word \"%s\" not in the text", w->text);
        ck_assert(w->x >= 0 && w->y >= 0 && w->w > 0 && w->h > 0);
        ck_assert_int_le(w->x + w->w, res.width);
        ck_assert_int_le(w->y + w->h, res.height);
        ck_assert(w->confidence >= 0 && w->confidence <= 100);
        ck_assert_int_ge(w->block, 0);
        ck_assert_int_ge(w->line, last_line);       /* reading order */
        last_line = w->line;
        if (strcmp(w->text, "48213377") == 0) {
            /* the MRN is printed at x = 72 pt, baseline 660 pt: 300 px, 550 px down */
            found_mrn = 1;
            ck_assert_int_gt(w->x, 250);
            ck_assert_int_lt(w->x, 700);
            ck_assert_int_gt(w->y, 500);
            ck_assert_int_lt(w->y, 560);
            ck_assert_double_gt(w->confidence, 60);
        }
    }
    ck_assert_msg(found_mrn, "no word 48213377");
    ck_assert_int_ge(last_line, 2);
    cs_ocr_result_clear(&res);
    ck_assert_ptr_null(res.words);
    ck_assert_uint_eq(res.nwords, 0);
}
END_TEST

START_TEST(test_cleaned_g4)
{
    cs_ocr_result res;
    char err[256] = "";
    PIX *pix;

    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.grey.data, fx.grey.len, 2, &res, err, sizeof err), 0);
    ck_assert_ptr_nonnull(res.cleaned);
    ck_assert_int_eq(cs_ocr_is_tiff(res.cleaned, res.cleaned_len), 1);
    ck_assert_uint_lt(res.cleaned_len, 200000);      /* G4, not raw */
    pix = pixReadMemTiff(res.cleaned, res.cleaned_len, 0);
    ck_assert_ptr_nonnull(pix);
    ck_assert_int_eq(pixGetDepth(pix), 1);
    ck_assert_int_eq(pixGetWidth(pix), res.width);
    ck_assert_int_eq(pixGetHeight(pix), res.height);
    ck_assert_int_eq(pixGetXRes(pix), res.dpi);
    pixDestroy(&pix);
    cs_ocr_result_clear(&res);
}
END_TEST

START_TEST(test_resolution_normalised)
{
    /* 400 dpi is scaled down to 300; 200 dpi is read as it is (scaling it
     * up measured slower and no better); 150 dpi is scaled up */
    static const struct { int dpi; float scale; int bilevel, want_dpi; } cases[] = {
        {400, 4.0f / 3, 0, 300}, {600, 2.0f, 1, 300}, {200, 2.0f / 3, 1, 200}, {150, 0.5f, 0, 300},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        PIX *scaled = cases[i].scale < 1 ? pixScaleAreaMap(fx.body, cases[i].scale, cases[i].scale)
                                         : pixScaleGrayLI(fx.body, cases[i].scale, cases[i].scale);
        int want_w = (int)(2550.0 * cases[i].want_dpi / 300), want_h = want_w * 3300 / 2550;
        cs_ocr_result res;
        blob b = {0};

        ck_assert_ptr_nonnull(scaled);
        page_tiff(scaled, cases[i].dpi, cases[i].bilevel, &b);
        ocr_ok(&b, &res, "rescaled");
        ck_assert_int_eq(res.cleanup.source_dpi, cases[i].dpi);
        ck_assert_int_eq(res.cleanup.dpi_inferred, 0);
        ck_assert_int_eq(res.dpi, cases[i].want_dpi);
        ck_assert_msg(abs(res.width - want_w) <= 3 && abs(res.height - want_h) <= 3,
                      "%d dpi: %d x %d, expected about %d x %d", cases[i].dpi, res.width,
                      res.height, want_w, want_h);
        if (cases[i].dpi >= 200)
            assert_body_read(&res);
        else
            assert_contains(res.text, "cardiology");      /* 150 dpi 12 pt: mostly right */
        cs_ocr_result_clear(&res);
        blob_free(&b);
        pixDestroy(&scaled);
    }
}
END_TEST

/* a black band down the left edge (the scanner lid) and three punch holes */
static int border_holes_px(int x, int y, int w, int h, int v)
{
    static const int cy[3] = {700, 1650, 2600};

    (void)w; (void)h;
    if (x < 90 + (y / 40) % 7)
        return 20;
    for (int i = 0; i < 3; i++)
        if ((x - 200) * (x - 200) + (y - cy[i]) * (y - cy[i]) <= 40 * 40)
            return 15;
    return v;
}

START_TEST(test_border_and_holes_whitened)
{
    PIX *page = map_body(border_holes_px), *clean;
    BOX *left;
    cs_ocr_result res;
    blob b = {0};
    l_int32 ink = 0;

    page_tiff(page, 300, 1, &b);
    ocr_ok(&b, &res, "border");
    assert_body_read(&res);
    clean = pixReadMemTiff(res.cleaned, res.cleaned_len, 0);
    ck_assert_ptr_nonnull(clean);
    ck_assert_int_eq(pixGetWidth(clean), 2550);     /* whitened, not cropped */
    left = boxCreate(0, 0, 260, 3300);              /* border and holes lie here */
    pixCountPixelsInRect(clean, left, &ink, NULL);
    ck_assert_msg(ink < 260 * 33, "%d ink pixels left in the margin", ink);
    boxDestroy(&left);
    pixDestroy(&clean);
    cs_ocr_result_clear(&res);
    blob_free(&b);
    pixDestroy(&page);
}
END_TEST

/* Run argv (no shell); -1 when the program is missing, else its exit status. */
static int
run_program(const char *const *argv)
{
    pid_t pid = fork();
    int status = 0;

    ck_assert(pid >= 0);
    if (pid == 0) {
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        return -2;
    return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
}

/* The PDF's structure: header, trailer, and every xref offset pointing at its object. */
static void
assert_pdf_structure(const unsigned char *pdf, size_t len, int pages, int with_text)
{
    const char *s = (const char *)pdf, *p;
    char want[32];
    unsigned long xref, nobj, first;
    int count = 0;

    ck_assert_uint_gt(len, 100);
    ck_assert(memcmp(s, "%PDF-1.7\n", 9) == 0);
    ck_assert(memcmp(s + len - 6, "%%EOF\n", 6) == 0);
    p = memmem(s, len, "startxref\n", 10);
    ck_assert_ptr_nonnull(p);
    xref = strtoul(p + 10, NULL, 10);
    ck_assert_uint_lt(xref, len);
    ck_assert_int_eq(sscanf(s + xref, "xref\n%lu %lu\n", &first, &nobj), 2);
    ck_assert_uint_eq(first, 0);
    ck_assert_uint_eq(nobj, 9 + 3 * (unsigned long)pages);
    p = memmem(s + xref, len - xref, "\n0000000000 65535 f", 19);
    ck_assert_ptr_nonnull(p);
    p++;
    ck_assert(strncmp(p, "0000000000 65535 f \n", 20) == 0);
    for (unsigned long o = 1; o < nobj; o++) {
        unsigned long off = strtoul(p + 20 * o, NULL, 10);
        int n = snprintf(want, sizeof want, "%lu 0 obj\n", o);

        ck_assert(p[20 * o + 10] == ' ' && p[20 * o + 17] == 'n' && p[20 * o + 19] == '\n');
        ck_assert_uint_lt(off, xref);
        ck_assert_msg(strncmp(s + off, want, (size_t)n) == 0, "xref entry %lu points elsewhere", o);
    }
    snprintf(want, sizeof want, "/Count %d", pages);
    ck_assert_ptr_nonnull(memmem(s, len, want, strlen(want)));
    for (size_t at = 0; at < len; at++) {
        const char *hit = memmem(s + at, len - at, "/Type /Page ", 12);
        if (!hit)
            break;
        count++;
        at = (size_t)(hit - s);
    }
    ck_assert_int_eq(count, pages);
    ck_assert_ptr_nonnull(memmem(s, len, "/CCITTFaxDecode", 15));
    if (with_text)
        ck_assert_ptr_nonnull(memmem(s, len, "BT 3 Tr", 7));          /* invisible text */
}

START_TEST(test_searchable_pdf)
{
    cs_ocr_result r1, r2;
    cs_pdf_page pages[2];
    unsigned char *pdf = (unsigned char *)&pdf;
    size_t len = 99;
    char err[256] = "", path[1100], txt[1100];
    static const unsigned char junk[64] = "II*\0 definitely not a G4 page";

    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 1, &r1, err, sizeof err), 0);
    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.grey.data, fx.grey.len, 2, &r2, err, sizeof err), 0);
    pages[0] = (cs_pdf_page){.g4_tiff = r1.cleaned, .g4_len = r1.cleaned_len, .dpi = r1.dpi,
                             .words = r1.words, .nwords = r1.nwords};
    pages[1] = (cs_pdf_page){.g4_tiff = r2.cleaned, .g4_len = r2.cleaned_len, .dpi = r2.dpi,
                             .words = r2.words, .nwords = r2.nwords};
    ck_assert_msg(cs_ocr_pdf(pages, 2, NULL, &pdf, &len, err, sizeof err) == 0, "%s", err);
    assert_pdf_structure(pdf, len, 2, 1);
    ck_assert_ptr_nonnull(memmem(pdf, len, "/MediaBox [0 0 612.0000 792.0000]", 33));
    ck_assert_ptr_nonnull(memmem(pdf, len, "/CCITTFaxDecode", 15));   /* no originals given */

    /* pdftotext (poppler-utils), when installed, must find the words */
    fx_path(path, sizeof path, "out.pdf");
    fx_path(txt, sizeof txt, "out.txt");
    write_whole_file(path, pdf, len);
    {
        const char *argv[] = {"pdftotext", "-q", path, txt, NULL};
        int rc = run_program(argv);

        if (rc != -1) {
            blob t = {0};
            char *text;

            ck_assert_int_eq(rc, 0);
            read_whole_file(txt, &t);
            text = calloc(1, t.len + 1);
            ck_assert_ptr_nonnull(text);
            memcpy(text, t.data, t.len);
            assert_contains(text, "DISCHARGE");
            assert_contains(text, "48213377");
            assert_contains(text, "Aspirin");
            assert_contains(text, "cardiology");
            free(text);
            blob_free(&t);
            unlink(txt);
        }
    }
    unlink(path);
    free(pdf);

    /* a page without words (a blank one) is only its image */
    pages[1].words = NULL;
    pages[1].nwords = 0;
    ck_assert_int_eq(cs_ocr_pdf(pages + 1, 1, NULL, &pdf, &len, err, sizeof err), 0);
    assert_pdf_structure(pdf, len, 1, 0);
    ck_assert_ptr_null(memmem(pdf, len, "BT 3 Tr", 7));
    free(pdf);

    /* refusals leave nothing behind */
    pdf = (unsigned char *)&pdf;
    ck_assert_int_eq(cs_ocr_pdf(pages, 0, NULL, &pdf, &len, err, sizeof err), -1);
    ck_assert_ptr_null(pdf);
    ck_assert_uint_eq(len, 0);
    pages[0].g4_tiff = junk;
    pages[0].g4_len = sizeof junk;
    ck_assert_int_eq(cs_ocr_pdf(pages, 2, NULL, &pdf, &len, err, sizeof err), -1);
    assert_contains(err, "page 1");
    ck_assert_ptr_null(pdf);
    pages[0] = (cs_pdf_page){.g4_tiff = r1.cleaned, .g4_len = r1.cleaned_len};
    ck_assert_int_eq(cs_ocr_pdf(pages, 1, NULL, &pdf, &len, err, sizeof err), -1);

    cs_ocr_result_clear(&r1);
    cs_ocr_result_clear(&r2);
}
END_TEST

/* ---- PDF/A-2b ---- */

/* Run argv with its standard output (and error) into *out (malloc'd); the exit status. */
static int
run_capture(const char *const *argv, char **out)
{
    th_result r = th_run(argv);

    ck_assert_msg(r.status != 127, "%s is not installed "
                  "(scripts/install-deps: poppler-utils, qpdf)", argv[0]);
    free(r.err);
    *out = r.out;
    return r.status;
}

/* Run a checking tool on path and return its output (malloc'd); it must exit 0. */
static char *
tool_output(const char *tool, const char *option, const char *path)
{
    const char *argv[5] = {tool, option, path, NULL, NULL};
    char *out = NULL;
    int rc;

    if (!option) {
        argv[1] = path;
        argv[2] = NULL;
    }
    if (!strcmp(tool, "pdftotext"))
        argv[option ? 3 : 2] = "-";
    rc = run_capture(argv, &out);
    ck_assert_msg(rc == 0, "%s %s: exit %d\n%s", tool, path, rc, out);
    return out;
}

/* The line of text that starts with key (e.g. "Title:"); "" when absent. */
static void
field(const char *text, const char *key, char *value, size_t len)
{
    const char *p = text;

    value[0] = '\0';
    for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (!strncmp(p, key, strlen(key))) {
            const char *v = p + strlen(key), *end;
            while (*v == ' ')
                v++;
            end = strchr(v, '\n');
            snprintf(value, len, "%.*s", (int)(end ? end - v : (long)strlen(v)), v);
            return;
        }
    }
}

/* A one-page PDF of page `page` of scan through cs_ocr_page and cs_ocr_pdf, written to path. */
static void
pdf_of_scan(const blob *scan, int page, cs_pdf_images images, const char *path)
{
    cs_ocr_result r;
    cs_pdf_page pg;
    cs_pdf_info info = {"Discharge summary d-7", 1700000000LL, 1700000600LL, images};
    unsigned char *pdf = NULL;
    size_t len = 0;
    char err[256] = "";

    ck_assert_msg(cs_ocr_page(fx.engine, scan->data, scan->len, page, &r, err, sizeof err) == 0,
                  "%s", err);
    pg = (cs_pdf_page){r.cleaned, r.cleaned_len, r.dpi, r.words, r.nwords,
                       scan->data, scan->len, page, r.cleanup.rotation, r.cleanup.skew};
    ck_assert_msg(cs_ocr_pdf(&pg, 1, &info, &pdf, &len, err, sizeof err) == 0, "%s", err);
    write_whole_file(path, pdf, len);
    free(pdf);
    cs_ocr_result_clear(&r);
}

/*
 * The OutputIntent's profile is sRGB: Ghostscript (its colour management is
 * lcms2, which refuses a malformed profile) takes it as the profile of
 * DeviceRGB and paints (0.5, 0.2, 0.1) into an sRGB pixel of about the
 * same value; a wrong curve or primaries would move it far (a linear
 * curve gives 188 124 89).
 */
static void
assert_srgb_profile(const unsigned char *icc, size_t len)
{
    char path[1100], ppm[1100], profile_arg[1200], out_arg[1200];
    const char *argv[] = {"gs", "-q", "-dSAFER", "-dNOPAUSE", "-dBATCH", "-sDEVICE=ppmraw",
                          "-g1x1", "-r72", profile_arg, out_arg, "-c",
                          "0.5 0.2 0.1 setrgbcolor 0 0 1 1 rectfill showpage", NULL};
    char *out = NULL;
    blob b = {0};
    const unsigned char *px;

    fx_path(path, sizeof path, "srgb.icc");
    fx_path(ppm, sizeof ppm, "out.ppm");
    write_whole_file(path, icc, len);
    snprintf(profile_arg, sizeof profile_arg, "-sDefaultRGBProfile=%s", path);
    snprintf(out_arg, sizeof out_arg, "-sOutputFile=%s", ppm);
    ck_assert_msg(run_capture(argv, &out) == 0 && !strstr(out, "Error"), "gs: %s", out);
    free(out);
    read_whole_file(ppm, &b);
    ck_assert_uint_ge(b.len, 3);
    px = b.data + b.len - 3;
    ck_assert_msg(abs(px[0] - 128) <= 2 && abs(px[1] - 51) <= 2 && abs(px[2] - 26) <= 2,
                  "sRGB (128 51 26) painted as %d %d %d", px[0], px[1], px[2]);
    blob_free(&b);
    unlink(ppm);
    unlink(path);
}

/*
 * The checks every PDF/A-2b file of ours passes: version, metadata in the
 * Info dictionary and in the XMP packet (agreeing), the embedded font, a
 * clean qpdf check, the sRGB OutputIntent with its profile, the /ID, and
 * the words still found by text extraction.
 */
static void
assert_pdfa(const char *path, const char *want_word, int check_profile)
{
    char *out, value[256];
    blob b = {0};
    const char *s, *p;

    static const char *const info[][2] = {
        {"PDF version:", "1.7"}, {"Title:", "Discharge summary d-7"}, {"Producer:", "chartscan"},
        {"Creator:", "chartscan"}, {"Pages:", "1"}, {"Encrypted:", "no"},
    };

    out = tool_output("pdfinfo", NULL, path);
    for (size_t i = 0; i < sizeof info / sizeof info[0]; i++) {
        field(out, info[i][0], value, sizeof value);
        ck_assert_msg(!strcmp(value, info[i][1]), "%s \"%s\", not \"%s\"", info[i][0], value,
                      info[i][1]);
    }
    field(out, "CreationDate:", value, sizeof value);
    ck_assert_msg(strstr(value, "2023") != NULL, "CreationDate %s", value);
    free(out);

    out = tool_output("pdfinfo", "-meta", path);         /* the XMP packet, as poppler reads it */
    assert_contains(out, "<pdfaid:part>2</pdfaid:part>");
    assert_contains(out, "<pdfaid:conformance>B</pdfaid:conformance>");
    assert_contains(out, "<rdf:li xml:lang=\"x-default\">Discharge summary d-7</rdf:li>");
    assert_contains(out, "<xmp:CreateDate>2023-11-14T22:13:20+00:00</xmp:CreateDate>");
    assert_contains(out, "<xmp:ModifyDate>2023-11-14T22:23:20+00:00</xmp:ModifyDate>");
    assert_contains(out, "<pdf:Producer>chartscan</pdf:Producer>");
    assert_contains(out, "<xmp:CreatorTool>chartscan</xmp:CreatorTool>");
    free(out);

    out = tool_output("pdffonts", NULL, path);            /* one font, embedded */
    s = strstr(out, "Type 3");
    ck_assert_msg(s != NULL, "no Type 3 font:\n%s", out);
    ck_assert_msg(strstr(s, " yes ") != NULL && strstr(out, " no  no ") == NULL,
                  "font not embedded:\n%s", out);
    free(out);

    out = tool_output("qpdf", "--check", path);
    assert_contains(out, "No syntax or stream encoding errors found");
    assert_lacks(out, "WARNING");
    free(out);

    out = tool_output("pdftotext", "-q", path);
    assert_contains(out, want_word);
    free(out);

    read_whole_file(path, &b);
    s = (const char *)b.data;
    ck_assert(memcmp(s, "%PDF-1.7\n%", 10) == 0 && (unsigned char)s[10] > 127
              && (unsigned char)s[13] > 127);                 /* binary comment */
    ck_assert_ptr_nonnull(memmem(s, b.len, "/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1", 52));
    ck_assert_ptr_nonnull(memmem(s, b.len, "/DestOutputProfile 7 0 R", 24));
    /* the profile: an ICC display profile for RGB, its size as its header says */
    p = memmem(s, b.len, "7 0 obj\n<< /N 3 /Length ", 24);
    ck_assert_ptr_nonnull(p);
    {
        unsigned long icc_len = strtoul(p + 24, NULL, 10);
        const unsigned char *icc = memmem(p, 64, "stream\n", 7);

        ck_assert_ptr_nonnull(icc);
        icc += 7;
        ck_assert_uint_eq(((unsigned long)icc[0] << 24 | icc[1] << 16 | icc[2] << 8 | icc[3]),
                          icc_len);
        ck_assert(!memcmp(icc + 12, "mntrRGB XYZ ", 12) && !memcmp(icc + 36, "acsp", 4));
        if (check_profile)
            assert_srgb_profile(icc, icc_len);
    }
    ck_assert_ptr_nonnull(memmem(s, b.len, "/Type /Metadata /Subtype /XML /Length", 37));
    ck_assert_ptr_null(memmem(s, b.len, "/Encrypt", 8));
    ck_assert_ptr_null(memmem(s, b.len, "/LZWDecode", 10));
    ck_assert_ptr_null(memmem(s, b.len, "/SMask", 6));
    p = memmem(s, b.len, "trailer\n", 8);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(strstr(p, "/ID [<"));
    blob_free(&b);
}

/* pdfimages -list: the one image's encoding and colour ("ccitt gray", "jpeg rgb"), and its size. */
static void
assert_image(const char *path, const char *enc, const char *color, int width, int height)
{
    char *out = tool_output("pdfimages", "-list", path), *line;
    char type[32] = "", got_color[32] = "", got_enc[32] = "";
    int page = 0, num = 0, w = 0, h = 0, comp = 0, bpc = 0;

    line = strstr(out, "\n---");
    ck_assert_ptr_nonnull(line);
    line = strchr(line + 1, '\n');
    ck_assert_ptr_nonnull(line);
    ck_assert_int_eq(sscanf(line, "%d %d %31s %d %d %31s %d %d %31s", &page, &num, type, &w, &h,
                            got_color, &comp, &bpc, got_enc), 9);
    ck_assert_str_eq(got_enc, enc);
    ck_assert_str_eq(got_color, color);
    ck_assert_int_eq(w, width);
    ck_assert_int_eq(h, height);
    free(out);
}

START_TEST(test_pdfa_bilevel_page)
{
    char path[1100];

    fx_path(path, sizeof path, "out.pdf");
    pdf_of_scan(&fx.g4, 1, CS_PDF_IMAGES_ORIGINAL, path);
    assert_pdfa(path, "48213377", 1);
    assert_image(path, "ccitt", "gray", 2550, 3300);
    unlink(path);
}
END_TEST

START_TEST(test_pdfa_grey_and_colour_pages)
{
    /* grey kept grey and colour kept colour (DeviceRGB under the sRGB
     * OutputIntent), as JPEG; --pdf-images bilevel: the cleaned pages, G4 */
    const struct {
        const blob *scan;
        int page;
        cs_pdf_images images;
        const char *word, *enc, *color;
    } cases[] = {
        {&fx.grey, 2, CS_PDF_IMAGES_ORIGINAL, "Aspirin", "jpeg", "gray"},
        {&fx.colour, 1, CS_PDF_IMAGES_ORIGINAL, "48213377", "jpeg", "rgb"},
        {&fx.grey, 2, CS_PDF_IMAGES_BILEVEL, "Aspirin", "ccitt", "gray"},
        {&fx.colour, 1, CS_PDF_IMAGES_BILEVEL, "48213377", "ccitt", "gray"},
    };
    char path[1100];

    fx_path(path, sizeof path, "out.pdf");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pdf_of_scan(cases[i].scan, cases[i].page, cases[i].images, path);
        assert_pdfa(path, cases[i].word, 0);
        assert_image(path, cases[i].enc, cases[i].color, 2550, 3300);
    }
    unlink(path);
}
END_TEST

/*
 * A grey page scanned sideways and a little skewed: its JPEG is kept as
 * scanned and the page's matrix turns it upright and straightens it like
 * its cleaned page, so that the words lie on it: the ink of the rendered
 * page and of the cleaned page coincide.
 */
START_TEST(test_pdfa_turned_grey_original)
{
    PIX *turned = pixRotateOrth(fx.body, 1), *skewed, *shown, *shown1, *cleaned, *diff;
    cs_ocr_result r;
    blob scan = {0};
    char path[1100], prefix[1100], pgm[1200], err[256] = "";
    l_int32 ink = 0, apart = 0;

    ck_assert_ptr_nonnull(turned);
    skewed = pixRotate(turned, 0.03f, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
    ck_assert_ptr_nonnull(skewed);
    write_pix_tiff(skewed, 300, &scan);
    fx_path(path, sizeof path, "out.pdf");
    pdf_of_scan(&scan, 1, CS_PDF_IMAGES_ORIGINAL, path);
    assert_pdfa(path, "electrocardiogram", 0);
    assert_image(path, "jpeg", "gray", 3300, 2550);   /* as scanned: the page turns it */

    /* the page as a viewer shows it, at the cleaned page's resolution */
    fx_path(prefix, sizeof prefix, "shown");
    {
        const char *argv[] = {"pdftoppm", "-r", "300", "-gray", "-singlefile", path, prefix,
                              NULL};
        ck_assert_int_eq(run_program(argv), 0);
    }
    snprintf(pgm, sizeof pgm, "%s.pgm", prefix);
    shown = pixRead(pgm);
    unlink(pgm);
    ck_assert_ptr_nonnull(shown);
    ck_assert_int_eq(pixGetWidth(shown), 2550);
    ck_assert_int_eq(pixGetHeight(shown), 3300);
    shown1 = pixThresholdToBinary(shown, 128);
    ck_assert_msg(cs_ocr_page(fx.engine, scan.data, scan.len, 1, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_double_ne(r.cleanup.skew, 0);
    cleaned = pixReadMemTiff(r.cleaned, r.cleaned_len, 0);
    ck_assert_ptr_nonnull(cleaned);
    /* ink of the cleaned page not within 3 px of ink on the page shown: a few stray pixels at most */
    {
        PIX *grown = pixDilateBrick(NULL, shown1, 7, 7);
        ck_assert_ptr_nonnull(grown);
        diff = pixSubtract(NULL, cleaned, grown);
        pixCountPixels(cleaned, &ink, NULL);
        pixCountPixels(diff, &apart, NULL);
        pixDestroy(&grown);
    }
    ck_assert_int_gt(ink, 10000);
    ck_assert_msg(apart < ink / 50, "%d of %d ink pixels off the page shown", apart, ink);
    pixDestroy(&diff);
    pixDestroy(&cleaned);
    cs_ocr_result_clear(&r);
    pixDestroy(&shown1);
    pixDestroy(&shown);
    unlink(path);
    blob_free(&scan);
    pixDestroy(&skewed);
    pixDestroy(&turned);
}
END_TEST

START_TEST(test_pdf_images_parse)
{
    cs_pdf_images m = CS_PDF_IMAGES_BILEVEL;

    ck_assert_int_eq(cs_pdf_images_parse("original", &m), 0);
    ck_assert_int_eq(m, CS_PDF_IMAGES_ORIGINAL);
    ck_assert_int_eq(cs_pdf_images_parse("bilevel", &m), 0);
    ck_assert_int_eq(m, CS_PDF_IMAGES_BILEVEL);
    ck_assert_int_eq(cs_pdf_images_parse("colour", &m), -1);
    ck_assert_int_eq(cs_pdf_images_parse(NULL, &m), -1);
    ck_assert_int_eq(m, CS_PDF_IMAGES_BILEVEL);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_huge_header_refused)
{
    static const page_size one[1] = {{100000, 100000}};
    static const page_size two[2] = {{16, 16}, {100000, 100000}};
    blob b = {0};
    double t0;

    /* the limit is the page's (tiff.c note 3): inspection counts the page,
     * decoding refuses it */
    write_tiff("w", one, 1, &b);
    ck_assert_uint_lt(b.len, 4096);              /* a header, no pixels */
    ck_assert_int_eq(inspect_pages(&b), 1);
    t0 = cs_now_ms();
    assert_page_fails(&b, 1, "page 1 has 100000 x 100000 pixels, more than the limit");
    ck_assert_double_lt(cs_now_ms() - t0, 5000);
    blob_free(&b);

    /* the bad page need not be the first */
    write_tiff("w", two, 2, &b);
    ck_assert_int_eq(inspect_pages(&b), 2);
    assert_page_fails(&b, 2, "page 2 has 100000 x 100000 pixels, more than the limit");
    blob_free(&b);

    write_tiff("w8", two, 2, &b);                /* BigTIFF: the same rule */
    ck_assert_int_eq(inspect_pages(&b), 2);
    assert_page_fails(&b, 2, "page 2 has 100000 x 100000 pixels");
    blob_free(&b);
}
END_TEST

START_TEST(test_pixel_limit_boundary)
{
    const uint32_t w = 10000;
    const uint32_t h = (uint32_t)(CS_MAX_PAGE_PIXELS / w);
    page_size at[1] = {{w, h}}, over[1] = {{w, h + 1}};
    blob b = {0};

    ck_assert((long long)w * h <= CS_MAX_PAGE_PIXELS);
    ck_assert((long long)w * (h + 1) > CS_MAX_PAGE_PIXELS);
    write_tiff("w", at, 1, &b);
    ck_assert_int_eq(inspect_pages(&b), 1);      /* at the limit: accepted */
    blob_free(&b);

    write_tiff("w", over, 1, &b);
    ck_assert_int_eq(inspect_pages(&b), 1);
    assert_page_fails(&b, 1, "more than the limit");
    blob_free(&b);
}
END_TEST

START_TEST(test_page_count_limit)
{
    page_size *pages = calloc(CS_MAX_PAGES_PER_FILE + 1, sizeof *pages);
    char want[64];
    blob b = {0};

    ck_assert_ptr_nonnull(pages);
    for (int i = 0; i <= CS_MAX_PAGES_PER_FILE; i++)
        pages[i] = (page_size){8, 1};
    write_tiff("w", pages, CS_MAX_PAGES_PER_FILE, &b);
    ck_assert_int_eq(inspect_pages(&b), CS_MAX_PAGES_PER_FILE);
    blob_free(&b);

    write_tiff("w", pages, CS_MAX_PAGES_PER_FILE + 1, &b);
    snprintf(want, sizeof want, "more than %d pages", CS_MAX_PAGES_PER_FILE);
    assert_inspect_fails(b.data, b.len, want);
    blob_free(&b);
    free(pages);
}
END_TEST

START_TEST(test_page_number_out_of_range)
{
    assert_page_fails(&fx.g4, 0, "no page 0");
    assert_page_fails(&fx.g4, 3, "no page 3");
    assert_page_fails(&fx.g4, -1, "no page -1");
    assert_page_fails(&fx.g4, INT_MAX, "no page");
    assert_page_fails(&fx.colour, 2, "no page 2");
}
END_TEST

/* ---- errors ---- */

START_TEST(test_random_bytes)
{
    unsigned char bytes[4096];
    uint32_t x = 2463534242u;                    /* xorshift32: the same bytes each run */
    blob b = {bytes, sizeof bytes};

    for (size_t i = 0; i < sizeof bytes; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = (unsigned char)x;
    }
    bytes[0] = 'R';
    ck_assert_int_eq(cs_ocr_is_tiff(bytes, sizeof bytes), 0);
    assert_inspect_fails(bytes, sizeof bytes, "not a TIFF image");
    assert_page_fails(&b, 1, NULL);

    /* a TIFF signature followed by noise */
    memcpy(bytes, "II*\0", 4);
    ck_assert_int_eq(cs_ocr_is_tiff(bytes, sizeof bytes), 1);
    assert_inspect_fails(bytes, sizeof bytes, NULL);
    assert_page_fails(&b, 1, NULL);
}
END_TEST

START_TEST(test_empty_and_header_only)
{
    static const unsigned char headers[][8] = {
        {'I', 'I', 42, 0, 8, 0, 0, 0},           /* first directory just past the end */
        {'M', 'M', 0, 42, 0, 0, 0, 8},
        {'I', 'I', 42, 0, 0, 0, 0, 0},           /* no directory at all */
        {'I', 'I', 42, 0, 0, 0xff, 0xff, 0xff},  /* directory far past the end */
        {'I', 'I', 43, 0, 8, 0, 0, 0},           /* BigTIFF header cut short */
    };
    static const unsigned char one[1] = {'I'};
    blob empty = {(unsigned char *)one, 0};

    ck_assert_int_eq(cs_ocr_is_tiff(one, 0), 0);
    ck_assert_int_eq(cs_ocr_is_tiff(NULL, 0), 0);
    assert_inspect_fails(one, 0, "not a TIFF image");
    assert_inspect_fails(NULL, 0, "not a TIFF image");
    assert_page_fails(&empty, 1, NULL);

    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        blob b = {(unsigned char *)headers[i], sizeof headers[i]};
        char what[32];

        snprintf(what, sizeof what, "header %zu", i);
        ck_assert_int_eq(cs_ocr_is_tiff(b.data, b.len), 1);
        assert_inspect_fails_in(what, b.data, b.len, NULL);
        assert_page_fails_in(what, &b, 1, NULL);
    }
}
END_TEST

typedef struct tiff_layout {
    int pages;
    uint64_t last_directory;       /* offset of the last page's directory */
    uint64_t data_end[4];          /* per page: end of its last strip */
} tiff_layout;

/* Where the directories and strips of b lie, as libtiff sees them. */
static void
layout_of(const blob *b, tiff_layout *l)
{
    char path[1100];
    TIFF *tif;

    memset(l, 0, sizeof *l);
    fx_path(path, sizeof path, "layout.tif");
    write_whole_file(path, b->data, b->len);
    tif = TIFFOpen(path, "r");
    ck_assert_ptr_nonnull(tif);
    do {
        uint32_t n = TIFFNumberOfStrips(tif);

        ck_assert_int_lt(l->pages, 4);
        l->last_directory = TIFFCurrentDirOffset(tif);
        for (uint32_t s = 0; s < n; s++) {
            uint64_t end = TIFFGetStrileOffset(tif, s) + TIFFGetStrileByteCount(tif, s);
            if (end > l->data_end[l->pages])
                l->data_end[l->pages] = end;
        }
        l->pages++;
    } while (TIFFReadDirectory(tif));
    TIFFClose(tif);
    ck_assert_int_eq(unlink(path), 0);
}

/*
 * Cut a TIFF at many points.  Whatever is cut, nothing crashes and every
 * refusal has a message; a cut before the last directory must fail
 * inspection, and a page whose pixel data is cut must fail to decode.
 * (Pages left whole are not recognised: that would only cost time.)
 */
static void
check_truncations(const blob *whole)
{
    tiff_layout l;
    size_t n = whole->len;
    const size_t cuts[] = {8, 9, 16, 64, 200, n / 10, n / 4, n / 3, n / 2,
                           2 * n / 3, 3 * n / 4, 9 * n / 10, n - 16, n - 1};

    layout_of(whole, &l);
    ck_assert_int_eq(l.pages, 2);
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        blob cut = {malloc(cuts[i]), cuts[i]};
        cs_tiff_info info = {.pages = -1};
        char err[256] = "";
        int rc;

        ck_assert_ptr_nonnull(cut.data);
        memcpy(cut.data, whole->data, cut.len);
        rc = cs_ocr_tiff_inspect(cut.data, cut.len, &info, err, sizeof err);
        if (rc < 0)
            ck_assert_msg(err[0] != '\0', "cut at %zu: no message", cut.len);
        else
            ck_assert_int_eq(info.pages, 2);
        if (cut.len < l.last_directory + 2)
            ck_assert_msg(rc < 0, "cut at %zu, before the last directory (%llu), passed inspection",
                          cut.len, (unsigned long long)l.last_directory);
        for (int p = 1; p <= l.pages; p++) {
            char what[64];

            snprintf(what, sizeof what, "cut at %zu of %zu", cut.len, n);
            if (cut.len < l.data_end[p - 1])
                assert_page_fails_in(what, &cut, p, NULL);
        }
        blob_free(&cut);
    }
}

START_TEST(test_truncated_g4)
{
    check_truncations(&fx.g4);
}
END_TEST

START_TEST(test_truncated_grey)
{
    check_truncations(&fx.grey);
}
END_TEST

START_TEST(test_directory_loop)
{
    /* page 2's "next directory" pointed back at page 1: an endless chain */
    blob b = {malloc(fx.g4.len), fx.g4.len};
    tiff_layout l;
    uint32_t second;
    uint16_t entries;

    ck_assert_ptr_nonnull(b.data);
    memcpy(b.data, fx.g4.data, b.len);
    ck_assert_int_eq(b.data[0], 'I');            /* little-endian, as gs writes */
    layout_of(&b, &l);
    second = (uint32_t)l.last_directory;
    ck_assert_uint_lt(second + 2, b.len);
    entries = (uint16_t)(b.data[second] | b.data[second + 1] << 8);
    ck_assert_uint_le(second + 2 + 12u * entries + 4, b.len);
    memcpy(b.data + second + 2 + 12u * entries, "\x08\0\0\0", 4);

    /* libtiff stops where the chain loops back (with a warning, not an
     * error): either the real two pages or a refusal, never a count that
     * runs on to the page limit */
    {
        cs_tiff_info info = {.pages = -1};
        char err[256] = "";
        int rc = cs_ocr_tiff_inspect(b.data, b.len, &info, err, sizeof err);

        if (rc == 0)
            ck_assert_int_eq(info.pages, 2);
        else
            ck_assert_msg(rc == -1 && err[0] != '\0' && info.pages == 0, "rc %d \"%s\"", rc, err);
    }
    assert_page_fails(&b, 3, "no page 3");
    blob_free(&b);
}
END_TEST

START_TEST(test_error_buffer_small_or_absent)
{
    static const unsigned char junk[16] = "not an image!!!";
    cs_ocr_result res;
    cs_tiff_info info;
    char err[10];

    memset(err, 'x', sizeof err);
    ck_assert_int_eq(cs_ocr_tiff_inspect(junk, sizeof junk, &info, err, sizeof err), -1);
    ck_assert_str_eq(err, "not a TIF");          /* cut, still terminated */
    ck_assert_int_eq(cs_ocr_tiff_inspect(junk, sizeof junk, &info, NULL, 0), -1);
    ck_assert_int_eq(cs_ocr_page(fx.engine, junk, sizeof junk, 1, &res, NULL, 0), -1);
    ck_assert_ptr_null(res.text);
    ck_assert_int_eq(cs_ocr_page(fx.engine, fx.g4.data, fx.g4.len, 9, &res, err, 1), -1);
    ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(test_engine_unknown_language)
{
    cs_ocr_engine *e = (cs_ocr_engine *)&e;      /* any non-NULL value */
    char err[256] = "";

    ck_assert_int_eq(cs_ocr_engine_new("xx_no_such_language", &e, err, sizeof err), -1);
    ck_assert_ptr_null(e);
    assert_contains(err, "xx_no_such_language");
    cs_ocr_engine_free(&e);                      /* NULL engine: harmless */
    cs_ocr_engine_free(NULL);
}
END_TEST

static Suite *
ocr_suite(void)
{
    Suite *s = suite_create("ocr");
    TCase *tc;

    tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_is_tiff_signatures);
    tcase_add_test(tc, test_inspect_counts_pages);
    tcase_add_test(tc, test_page_one_g4);
    tcase_add_test(tc, test_page_two_g4);
    tcase_add_test(tc, test_grey_and_colour_pages);
    tcase_add_test(tc, test_resolution_inferred);
    tcase_add_test(tc, test_engine_reused);
    suite_add_tcase(s, tc);

    tc = tcase_create("cleanup");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_upright_page_not_rotated);
    tcase_add_test(tc, test_rotated_pages);
    tcase_add_test(tc, test_skewed_page);
    tcase_add_test(tc, test_grey_gradient_page);
    tcase_add_test(tc, test_blank_back_side);
    tcase_add_test(tc, test_speckled_g4_back_side_blank);
    tcase_add_test(tc, test_short_line_not_blank);
    tcase_add_test(tc, test_upside_down_little_text_turned);
    tcase_add_test(tc, test_words_and_boxes);
    tcase_add_test(tc, test_cleaned_g4);
    tcase_add_test(tc, test_resolution_normalised);
    tcase_add_test(tc, test_border_and_holes_whitened);
    tcase_add_test(tc, test_searchable_pdf);
    suite_add_tcase(s, tc);

    tc = tcase_create("pdfa");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pdfa_bilevel_page);
    tcase_add_test(tc, test_pdfa_grey_and_colour_pages);
    tcase_add_test(tc, test_pdfa_turned_grey_original);
    tcase_add_test(tc, test_pdf_images_parse);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_huge_header_refused);
    tcase_add_test(tc, test_pixel_limit_boundary);
    tcase_add_test(tc, test_page_count_limit);
    tcase_add_test(tc, test_page_number_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_bytes);
    tcase_add_test(tc, test_empty_and_header_only);
    tcase_add_test(tc, test_truncated_g4);
    tcase_add_test(tc, test_truncated_grey);
    tcase_add_test(tc, test_directory_loop);
    tcase_add_test(tc, test_error_buffer_small_or_absent);
    tcase_add_test(tc, test_engine_unknown_language);
    suite_add_tcase(s, tc);

    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(ocr_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    fixture_release();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

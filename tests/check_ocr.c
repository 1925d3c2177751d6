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

#include <check.h>
#include <leptonica/allheaders.h>
#include <limits.h>
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
    cs_ocr_engine_free(&fx.engine);
    if (fx.dir[0]) {
        /* a failed assertion can leave its working file behind */
        static const char *const names[] = {"letter.ps", "colour.ps", "rendered.tif",
                                            "written.tif", "band.tif", "layout.tif"};
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
        int dpi, inferred;        /* what recognition must use */
    } cases[] = {
        {0, 0, 300, 1},           /* no tag, 2550 wide: a 300 dpi letter */
        {72, 0, 300, 1},          /* below any scanner's resolution */
        {100, 0, 300, 1},         /* 100 dpi would make it 25.5 inches wide */
        {1200, 0, 300, 1},        /* 1200 dpi would make it 2.1 inches wide */
        {0, 1, 150, 1},           /* no tag, 1275 wide grey: 150 dpi */
        {200, 0, 200, 0},         /* plausible (12.75 in): the tag is kept */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cs_ocr_result res;
        char err[256] = "";
        blob b = {0};

        make_band(cases[i].xres, cases[i].half, &b);
        ck_assert_msg(cs_ocr_page(fx.engine, b.data, b.len, 1, &res, err, sizeof err) == 0,
                      "case %zu: %s", i, err);
        ck_assert_int_eq(res.width, cases[i].half ? 1275 : 2550);
        ck_assert_int_eq(res.height, cases[i].half ? 400 : 800);
        ck_assert_msg(res.dpi == cases[i].dpi && res.dpi_inferred == cases[i].inferred,
                      "case %zu: dpi %d inferred %d, expected %d %d", i, res.dpi,
                      res.dpi_inferred, cases[i].dpi, cases[i].inferred);
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

/* ---- limits ---- */

START_TEST(test_huge_header_refused)
{
    static const page_size one[1] = {{100000, 100000}};
    static const page_size two[2] = {{16, 16}, {100000, 100000}};
    blob b = {0};
    double t0;

    write_tiff("w", one, 1, &b);
    ck_assert_uint_lt(b.len, 4096);              /* a header, no pixels */
    assert_inspect_fails(b.data, b.len, "page 1 has 100000 x 100000 pixels");
    assert_inspect_fails(b.data, b.len, "limit");
    t0 = cs_now_ms();
    assert_page_fails(&b, 1, "limit");           /* refused before decoding */
    ck_assert_double_lt(cs_now_ms() - t0, 5000);
    blob_free(&b);

    /* the bad page need not be the first */
    write_tiff("w", two, 2, &b);
    assert_inspect_fails(b.data, b.len, "page 2 has 100000 x 100000 pixels, more than the limit");
    assert_page_fails(&b, 2, "limit");
    blob_free(&b);

    write_tiff("w8", two, 2, &b);                /* BigTIFF: the same rule */
    assert_inspect_fails(b.data, b.len, "page 2 has 100000 x 100000 pixels");
    assert_page_fails(&b, 2, "limit");
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
    assert_inspect_fails(b.data, b.len, "more than the limit");
    assert_page_fails(&b, 1, "limit");
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

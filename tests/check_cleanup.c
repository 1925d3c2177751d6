/*
 * check_cleanup.c — unit tests for the cleanup of photocopied and stamped
 * pages (ocr/photocopy.c, ocr/stamp.c, ocr/broken.c, their place in
 * ocr/page.c): a photocopy's grey background come out of a bilevel scan as
 * dots, toner streaks crossing text, specks, a hand stamp over the header,
 * pale print a bilevel scanner broke apart, and that a clean page and its
 * punctuation are left alone.
 *
 * No fixture image is checked in: a page of invented clinic text is
 * rendered by Ghostscript at 300 dpi, and the damage is drawn on it here
 * with Leptonica, where the test knows exactly which words it covers.
 * Recognition runs through cs_ocr_page with the real Tesseract.
 */
#include "common/common.h"
#include "ocr/ocr.h"
#include "ocr/ocr_internal.h"
#include "tests/harness.h"

#include <check.h>
#include <jansson.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The page: Courier like the sample generator's charts, a header of
 * short lines at the top, then paragraphs with periods and commas. */
static const char PAGE_PS[] =
    "%!PS\n"
    "<< /PageSize [612 792] >> setpagedevice\n"
    "/y 720 def\n"
    "/l { /Courier findfont 11 scalefont setfont 72 y moveto show /y y 14 sub def } def\n"
    "/b { /Courier-Bold findfont 11 scalefont setfont 72 y moveto show /y y 14 sub def } def\n"
    "(Patient: HARROWBY, MAISIE K) l\n"
    "(MRN: 40917753) l\n"
    "(DOB: 03/14/1951) l\n"
    "(Date of Service: 08/02/2019) l\n"
    "() l\n"
    "(HISTORY OF PRESENT ILLNESS:) b\n"
    "(The patient is a pleasant woman who was well until four days ago.) l\n"
    "(She reports fever, chills and a dry cough, worse at night.) l\n"
    "(There was no chest pain, no palpitations and no syncope.) l\n"
    "() l\n"
    "(ASSESSMENT AND PLAN:) b\n"
    "(Community acquired pneumonia, treated with oral antibiotics.) l\n"
    "(Follow up in the clinic in two weeks, sooner if worse.) l\n"
    "(Return to the emergency department for shortness of breath.) l\n"
    "showpage\n";

static const char *const PAGE_LINES[] = {
    "Patient: HARROWBY, MAISIE K", "MRN: 40917753", "DOB: 03/14/1951",
    "Date of Service: 08/02/2019", "HISTORY OF PRESENT ILLNESS:",
    "The patient is a pleasant woman who was well until four days ago.",
    "She reports fever, chills and a dry cough, worse at night.",
    "There was no chest pain, no palpitations and no syncope.",
    "ASSESSMENT AND PLAN:",
    "Community acquired pneumonia, treated with oral antibiotics.",
    "Follow up in the clinic in two weeks, sooner if worse.",
    "Return to the emergency department for shortness of breath.",
};

/* Pixel geometry of the rendering at 300 dpi: line k's baseline is at
 * y = (792 - 720 + 14 k) * 300 / 72, and a Courier 11 pt character is
 * 6.6 pt wide, starting at x = 300. */
#define LINE_Y(k)  ((int)((792 - 720 + 14 * (k)) * 300 / 72))
#define CHAR_X(c)  (300 + (int)((c) * 6.6 * 300 / 72))

static struct {
    PIX *grey;                 /* the page, 8 bpp, 300 dpi */
    cs_ocr_engine *engine;
} fx;

static void
fixture_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[1024], ps[1100], png[1100], out[1200], err[256] = "";
    FILE *f;
    pid_t pid;
    int status = 0;
    PIX *pix;

    if (fx.grey)
        return;
    snprintf(dir, sizeof dir, "%s/check_cleanup.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(ps, sizeof ps, "%s/page.ps", dir);
    snprintf(png, sizeof png, "%s/page.png", dir);
    snprintf(out, sizeof out, "-sOutputFile=%s", png);
    f = fopen(ps, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(PAGE_PS, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        execlp("gs", "gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r300",
               "-dTextAlphaBits=4", out, ps, (char *)NULL);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gs failed");
    pix = pixRead(png);
    ck_assert_ptr_nonnull(pix);
    fx.grey = pixConvertTo8(pix, 0);
    pixDestroy(&pix);
    ck_assert_ptr_nonnull(fx.grey);
    pixSetResolution(fx.grey, 300, 300);
    unlink(ps);
    unlink(png);
    rmdir(dir);
    ck_assert_msg(cs_ocr_engine_new(NULL, &fx.engine, err, sizeof err) == 0,
                  "could not create the engine: %s", err);
}

/* ---- drawing the damage (8 bpp, in place) ---- */

/* Multiply the rectangle by level/255 (ink over whatever is there). */
static void
darken_rect(PIX *pix, int x0, int y0, int w, int h, int level)
{
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);

    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) {
            l_uint32 *line = data + (size_t)y * wpl;
            SET_DATA_BYTE(line, x, GET_DATA_BYTE(line, x) * level / 255);
        }
}

static void
disc(PIX *pix, int cx, int cy, int r)
{
    for (int y = -r; y <= r; y++)
        for (int x = -r; x <= r; x++)
            if (x * x + y * y <= r * r)
                darken_rect(pix, cx + x, cy + y, 1, 1, 20);
}

/* Specks of 5 to 11 pixels across, in the margins and between the lines
 * of text (never within 40 pixels of a letter). */
static void
draw_specks(PIX *pix)
{
    static const int at[][3] = {
        { 120, 200, 3 }, { 2300, 250, 5 }, { 150, 900, 5 }, { 2400, 1200, 4 },
        { 1500, 1900, 3 }, { 900, 2400, 5 }, { 2000, 2800, 5 }, { 400, 3100, 4 },
        { 1800, 1700, 3 }, { 700, 2000, 4 }, { 2450, 600, 2 }, { 1200, 2900, 5 },
    };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        disc(pix, at[i][0], at[i][1], at[i][2]);
    /* between header line 1 and 2, clear of the letters */
    disc(pix, 1800, (LINE_Y(0) + LINE_Y(1)) / 2 - 12, 4);
}

/* 250 specks of 3 to 11 pixels across at pseudo-random places, none
 * within 14 pixels of the print (between lines, beside words, margins),
 * as a photocopier's toner leaves them. */
static void
draw_many_specks(PIX *pix)
{
    PIX *bin = pixThresholdToBinary(pix, 200);
    unsigned long long z = 12345;
    int w = pixGetWidth(pix), h = pixGetHeight(pix), drawn = 0;

    ck_assert_ptr_nonnull(bin);
    while (drawn < 250) {
        int x, y, r;
        l_int32 ink = 0;
        BOX *near;

        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        x = 60 + (int)((z >> 33) % (unsigned)(w - 120));
        y = 60 + (int)((z >> 13) % (unsigned)(h - 120));
        r = 1 + (int)((z >> 5) % 5);
        near = boxCreate(x - r - 14, y - r - 14, 2 * r + 29, 2 * r + 29);
        pixCountPixelsInRect(bin, near, &ink, NULL);
        boxDestroy(&near);
        if (ink)
            continue;
        disc(pix, x, y, r);
        drawn++;
    }
    pixDestroy(&bin);
}

/* The page as a one-page TIFF (G4 when bilevel is set, else grey). */
static void
page_tiff(PIX *grey, int bilevel, unsigned char **data, size_t *len)
{
    PIX *pix = bilevel ? pixThresholdToBinary(grey, 150) : pixClone(grey);

    ck_assert_ptr_nonnull(pix);
    pixSetResolution(pix, 300, 300);
    ck_assert_int_eq(pixWriteMemTiff(data, len, pix, bilevel ? IFF_TIFF_G4 : IFF_TIFF_LZW), 0);
    pixDestroy(&pix);
}

static char *fold_spaces(const char *in);

/* Recognise the page; the text, whitespace folded to single spaces (malloc'd). */
static char *
read_page(PIX *grey, int bilevel)
{
    unsigned char *data = NULL;
    size_t len = 0;
    cs_ocr_result res;
    char err[256] = "", *text;

    page_tiff(grey, bilevel, &data, &len);
    ck_assert_msg(cs_ocr_page(fx.engine, data, len, 1, &res, err, sizeof err) == 0,
                  "cs_ocr_page: %s", err);
    text = fold_spaces(res.text);
    cs_ocr_result_clear(&res);
    free(data);
    return text;
}

/* A copy of text (NULL: "") with whitespace folded to single spaces (malloc'd). */
static char *
fold_spaces(const char *in)
{
    char *text = strdup(in ? in : ""), *o;

    ck_assert_ptr_nonnull(text);
    o = text;
    for (const char *s = text; *s; s++) {
        if (*s == ' ' || *s == '\n' || *s == '\t') {
            if (o > text && o[-1] != ' ')
                *o++ = ' ';
        } else {
            *o++ = *s;
        }
    }
    if (o > text && o[-1] == ' ')
        o--;
    *o = '\0';
    return text;
}

/* The page's lines joined by single spaces. */
static char *
expected_text(void)
{
    cs_buf b = CS_BUF_INIT;
    for (size_t i = 0; i < sizeof PAGE_LINES / sizeof PAGE_LINES[0]; i++) {
        if (i)
            cs_buf_append(&b, " ", 1);
        cs_buf_append(&b, PAGE_LINES[i], strlen(PAGE_LINES[i]));
    }
    cs_buf_append(&b, "", 1);
    return b.data;
}

/* Levenshtein distance of two strings (bytes). */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b), *row = calloc(m + 1, sizeof *row), d;

    ck_assert_ptr_nonnull(row);
    for (size_t j = 0; j <= m; j++)
        row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    d = row[m];
    free(row);
    return d;
}

/* The page read with at most max_errors character errors. */
static void
assert_reads(PIX *grey, int bilevel, size_t max_errors, const char *what)
{
    char *want = expected_text(), *got = read_page(grey, bilevel);
    size_t d = edit_distance(want, got);

    ck_assert_msg(d <= max_errors, "%s: %zu character errors (at most %zu), read: %s",
                  what, d, max_errors, got);
    free(got);
    free(want);
}

/* ---- the detectors leave a clean page alone ---- */

START_TEST(test_clean_page_unchanged)
{
    PIX *bin = pixThresholdToBinary(fx.grey, 150), *copy;
    int found = -1, removed = -1, equal = 0;

    ck_assert_ptr_nonnull(bin);
    /* scanned bilevel: no field of dots, no patch of them (photocopy.c) */
    copy = cs_ocr_descreen(bin, bin, 300, &found);
    ck_assert_ptr_nonnull(copy);
    pixEqual(bin, copy, &equal);
    ck_assert_msg(equal && found == 0, "the descreen step changed the clean page");
    pixDestroy(&copy);
    copy = pixCopy(NULL, bin);
    ck_assert_int_eq(cs_ocr_clean_stamps(copy, 300, NULL, &found), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(cs_ocr_clean_streaks(copy, 300, &found), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(cs_ocr_clean_specks(copy, 300, &removed), 0);
    ck_assert_int_eq(removed, 0);
    pixEqual(bin, copy, &equal);
    ck_assert_msg(equal, "the clean page was changed");
    pixDestroy(&copy);
    pixDestroy(&bin);
}
END_TEST

/* The speck step on grey (the clean page with specks drawn on it, freed
 * here), thresholded: it whitens expected specks and gives back the clean
 * page, its punctuation kept. */
static void
assert_specks_cleaned(PIX *grey, int expected)
{
    PIX *clean = pixThresholdToBinary(fx.grey, 150), *bin = pixThresholdToBinary(grey, 150);
    int removed = 0, equal = 0;

    ck_assert_ptr_nonnull(clean);
    ck_assert_ptr_nonnull(bin);
    ck_assert_int_eq(cs_ocr_clean_specks(bin, 300, &removed), 0);
    ck_assert_int_eq(removed, expected);
    pixEqual(bin, clean, &equal);
    ck_assert_msg(equal, "the page without its specks differs from the clean page");
    pixDestroy(&bin);
    pixDestroy(&clean);
    pixDestroy(&grey);
}

/* Every period, comma and colon stays; the specks around them go. */
START_TEST(test_specks_removed_punctuation_kept)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_specks(grey);
    assert_specks_cleaned(grey, 13);
}
END_TEST

/* Specks on the lines themselves, beside letters, where no punctuation
 * sits: at mid-height in a word gap, on the baseline before a line's first
 * word, round at cap height in a word gap; and a blot as big as a letter
 * in the empty line under the header.  They go; the page's periods,
 * commas, colons and slashes (as next to letters as they are) stay. */
START_TEST(test_specks_in_lines_removed)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    /* "The patient": the gap after "The", a little over halfway up the
     * small letters */
    disc(grey, CHAR_X(3) + 14, LINE_Y(6) - 12, 4);
    /* before "She reports", on the baseline, a period's size */
    disc(grey, CHAR_X(0) - 18, LINE_Y(7) - 4, 3);
    /* "There was": the gap after "There", at the capitals' top */
    disc(grey, CHAR_X(5) + 14, LINE_Y(8) - 24, 4);
    /* between "Date of Service" and "HISTORY", 19 pixels across */
    disc(grey, CHAR_X(20), LINE_Y(4) - 10, 9);
    assert_specks_cleaned(grey, 4);
}
END_TEST

START_TEST(test_specks_page_reads)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_many_specks(grey);
    assert_reads(grey, 1, 2, "specks");
    pixDestroy(&grey);
}
END_TEST

/* A copy's tones on the page, in place: print at grey ink, paper at grey
 * left at the left edge rising evenly to right at the right edge, and
 * noise, the sum of four draws in -range/2..range/2 (from seed). */
static void
toner_copy(PIX *grey, int ink, int left, int right, int range, unsigned long long seed)
{
    l_uint32 *data = pixGetData(grey);
    int w = pixGetWidth(grey), h = pixGetHeight(grey), wpl = pixGetWpl(grey);
    unsigned long long z = seed;

    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            l_uint32 *line = data + (size_t)y * wpl;
            int paper = right - (right - left) * (w - x) / w, noise = 0;
            int v = ink + (paper - ink) * (int)GET_DATA_BYTE(line, x) / 255;
            for (int k = 0; k < 4; k++) {
                z = z * 6364136223846793005ULL + 1442695040888963407ULL;
                noise += (int)((z >> 40) % range) - range / 2;
            }
            v += noise;
            SET_DATA_BYTE(line, x, v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

/* A bilevel scan of a grey photocopy: the toner background (grey 185)
 * with scanner noise, thresholded at 165, comes out as a field of dots. */
START_TEST(test_dotted_background_reads)
{
    PIX *grey = pixCopy(NULL, fx.grey), *dots;
    unsigned char *tif = NULL;
    size_t len = 0;
    cs_ocr_result res;
    char err[256] = "", *want = expected_text(), *got;
    size_t d;

    toner_copy(grey, 35, 185, 185, 31, 777);
    dots = pixThresholdToBinary(grey, 165);
    ck_assert_ptr_nonnull(dots);
    pixSetResolution(dots, 300, 300);
    ck_assert_int_eq(pixWriteMemTiff(&tif, &len, dots, IFF_TIFF_G4), 0);
    ck_assert_msg(cs_ocr_page(fx.engine, tif, len, 1, &res, err, sizeof err) == 0,
                  "cs_ocr_page: %s", err);
    ck_assert_msg(!res.cleanup.blank, "the dotted page was called blank");
    got = fold_spaces(res.text);
    d = edit_distance(want, got);
    ck_assert_msg(d <= 8, "dotted background: %zu character errors, read: %s", d, got);
    free(got);
    free(want);
    cs_ocr_result_clear(&res);
    free(tif);
    pixDestroy(&dots);
    pixDestroy(&grey);
}
END_TEST

/* ---- streaks ---- */

/* Two vertical toner streaks through every line, a horizontal one along
 * a line of the history: the words they cross still read. */
START_TEST(test_streaks_crossing_text)
{
    PIX *grey = pixCopy(NULL, fx.grey);
    int found = 0;
    PIX *bin;

    darken_rect(grey, CHAR_X(14) + 10, 100, 5, 3100, 40);     /* through letter 14 */
    darken_rect(grey, CHAR_X(37) + 4, 600, 3, 2600, 60);
    darken_rect(grey, 200, LINE_Y(6) - 12, 2200, 3, 50);      /* through x-height of line 7 */
    bin = pixThresholdToBinary(grey, 150);
    ck_assert_int_eq(cs_ocr_clean_streaks(bin, 300, &found), 0);
    ck_assert_int_eq(found, 3);
    pixDestroy(&bin);
    assert_reads(grey, 1, 4, "streaks");
    pixDestroy(&grey);
}
END_TEST

/* Ink of bin in the rectangle. */
static l_int32
ink_in(PIX *bin, int x, int y, int w, int h)
{
    BOX *box = boxCreate(x, y, w, h);
    l_int32 n = 0;

    ck_assert_ptr_nonnull(box);
    ck_assert_int_eq(pixCountPixelsInRect(bin, box, &n, NULL), 0);
    boxDestroy(&box);
    return n;
}

/* A copier's dark top edge with a streak running down from it through
 * every line (clean.c, note 4): the border step takes the edge, to the
 * page's last column, and not the letters the streak crosses; the page
 * reads. */
START_TEST(test_streak_from_border)
{
    PIX *grey = pixCopy(NULL, fx.grey), *bin;
    int x = CHAR_X(14) + 10, removed = 0, w = pixGetWidth(fx.grey);
    l_int32 before[12], after[12];
    int ys[12];

    darken_rect(grey, 0, 0, w, 90, 25);
    darken_rect(grey, x, 0, 5, 3150, 40);
    bin = pixThresholdToBinary(grey, 150);
    ck_assert_ptr_nonnull(bin);
    /* the letters beside the streak, on each line of text */
    for (int k = 0; k < 12; k++) {
        ys[k] = LINE_Y(k + (k >= 4) + (k >= 8)) - 40;   /* PAGE_PS skips two lines */
        before[k] = ink_in(bin, x - 40, ys[k], 35, 52) + ink_in(bin, x + 10, ys[k], 35, 52);
    }
    ck_assert_int_eq(cs_ocr_clean_borders(bin, 300, &removed), 0);
    ck_assert_int_eq(removed, 1);
    /* the edge is gone; the streak is photocopy.c's, after deskewing */
    ck_assert_int_eq(ink_in(bin, 0, 0, x - 2, 80), 0);
    ck_assert_int_eq(ink_in(bin, x + 7, 0, w - x - 7, 80), 0);
    for (int k = 0; k < 12; k++) {
        after[k] = ink_in(bin, x - 40, ys[k], 35, 52) + ink_in(bin, x + 10, ys[k], 35, 52);
        ck_assert_msg(after[k] == before[k], "line %d: ink beside the streak %d -> %d", k,
                      before[k], after[k]);
    }
    pixDestroy(&bin);
    assert_reads(grey, 1, 4, "streak from a dark edge");
    pixDestroy(&grey);
}
END_TEST

/* A streak faded into dashes on the bilevel page bin, from x0, y0 along
 * (vertical: down) over len pixels: dashes 2 pixels thick of the lengths
 * in turn, gaps of 6 to 10 pixels; its middle across moves by drift
 * pixels a dash (0: straight). */
static void
draw_dashes(PIX *bin, int x0, int y0, int len, int vertical, int drift)
{
    static const int dash[] = { 25, 60, 14, 40, 33, 18 }, gap[] = { 6, 9, 7, 10 };

    for (int a = 0, k = 0; a < len; k++) {
        int d = dash[k % 6] < len - a ? dash[k % 6] : len - a, off = drift * k;
        if (vertical)
            pixRasterop(bin, x0 + off, y0 + a, 2, d, PIX_SET, NULL, 0, 0);
        else
            pixRasterop(bin, x0 + a, y0 + off, d, 2, PIX_SET, NULL, 0, 0);
        a += d + gap[k % 4];
    }
}

/* Rows of dashes (a faded streak) just under a line of print and down
 * the page go, and the page is as it was; the same dashes along a curve
 * (a pale round stamp's arc) stay. */
START_TEST(test_faded_streaks_removed)
{
    PIX *clean = pixThresholdToBinary(fx.grey, 150), *bin, *diff;
    l_int32 left = 0;
    int found = 0;

    ck_assert_ptr_nonnull(clean);
    bin = pixCopy(NULL, clean);
    draw_dashes(bin, 250, LINE_Y(6) + 12, 450, 0, 0);         /* under line 7, 1.5 inch */
    draw_dashes(bin, CHAR_X(30) + 3, 1300, 600, 1, 0);        /* down the page below the print */
    ck_assert_int_eq(cs_ocr_clean_streaks(bin, 300, &found), 0);
    ck_assert_int_eq(found, 3);
    diff = pixXor(NULL, bin, clean);
    ck_assert_ptr_nonnull(diff);
    pixCountPixels(diff, &left, NULL);
    /* a pixel or two where a mended letter differs from the print */
    ck_assert_msg(left <= 20, "%d pixels differ from the page without the dashes", left);
    pixDestroy(&diff);
    pixDestroy(&bin);

    bin = pixCopy(NULL, clean);
    draw_dashes(bin, 1200, 2600, 600, 0, 1);                  /* an arc, clear of the print */
    diff = pixCopy(NULL, bin);
    ck_assert_int_eq(cs_ocr_clean_streaks(bin, 300, &found), 0);
    ck_assert_int_eq(found, 0);
    pixXor(diff, diff, bin);
    pixCountPixels(diff, &left, NULL);
    ck_assert_int_eq(left, 0);
    pixDestroy(&diff);
    pixDestroy(&bin);
    pixDestroy(&clean);
}
END_TEST

/* ---- a stamp ---- */

/*
 * A RECEIVED box, rotated 3 degrees, its top left corner (less a margin of
 * 60 pixels) at x0, y0; when dash is set the frame is broken every dash
 * pixels by gaps of 3 (side_gap on its sides, whose thin vertical strokes
 * a pale stamp loses more of), as a pale stamp comes out of the threshold.
 */
/* Press the upright stamp s1 (1 bpp, freed here) onto grey at x0, y0 in
 * ink of level: its strokes thickened, turned 3 degrees. */
static void
press_stamp(PIX *grey, PIX *s1, int level, int x0, int y0)
{
    PIX *thick = pixDilateBrick(NULL, s1, 2, 2), *b, *s8, *rot;

    pixDestroy(&s1);
    b = pixAddBorder(thick, 60, 0);         /* room to turn without losing the corners */
    s8 = pixConvert1To8(NULL, b, 255, 0);
    rot = pixRotate(s8, (float)(3.0 * M_PI / 180.0), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
    ck_assert_ptr_nonnull(rot);
    for (int y = 0; y < pixGetHeight(rot); y++)
        for (int x = 0; x < pixGetWidth(rot); x++) {
            l_uint32 v;
            pixGetPixel(rot, x, y, &v);
            if (v < 255) {
                int ink = 255 - (int)((255 - (int)v) * (255 - level) / 255);
                darken_rect(grey, x0 + x, y0 + y, 1, 1, ink);
            }
        }
    pixDestroy(&rot);
    pixDestroy(&s8);
    pixDestroy(&b);
    pixDestroy(&thick);
}

/* RECEIVED and its date, as draw_stamp_at draws them, into s1 (600 x 260). */
static void
stamp_words(PIX *s1)
{
    L_BMF *big = bmfCreate(NULL, 16), *small = bmfCreate(NULL, 10);
    int ovf = 0;

    ck_assert(big && small);
    pixSetTextline(s1, big, "RECEIVED", 1, 110, 120, NULL, &ovf);
    pixSetTextline(s1, small, "12 JUN 2019", 1, 170, 202, NULL, &ovf);
    bmfDestroy(&small);
    bmfDestroy(&big);
}

static void
draw_stamp_at(PIX *grey, int level, int x0, int y0, int dash, int side_gap)
{
    PIX *s1 = pixCreate(600, 260, 1);
    BOX *frame = boxCreate(4, 4, 592, 252);

    /* RECEIVED on the empty line 5, the date between lines 6 and 7, the
     * frame across lines 3 to 7 */
    ck_assert(s1 && frame);
    stamp_words(s1);
    pixRenderBox(s1, frame, 6, L_SET_PIXELS);
    for (int k = dash; dash && k < 600; k += dash) {
        pixRasterop(s1, k, 0, 3, 12, PIX_CLR, NULL, 0, 0);        /* top and bottom */
        pixRasterop(s1, k, 248, 3, 12, PIX_CLR, NULL, 0, 0);
        if (k < 260) {
            pixRasterop(s1, 0, k, 12, side_gap, PIX_CLR, NULL, 0, 0);    /* the sides */
            pixRasterop(s1, 588, k, 12, side_gap, PIX_CLR, NULL, 0, 0);
        }
    }
    press_stamp(grey, s1, level, x0, y0);
    boxDestroy(&frame);
}

/* The stamp over the header lines 3 to 7, in the page's blank right half. */
static void
draw_stamp(PIX *grey, int level)
{
    draw_stamp_at(grey, level, 640, LINE_Y(4) - 180, 0, 0);
}

/* The stamped page reads without the stamp's words, and with at most
 * max_errors character errors. */
static void
assert_stamp_gone(PIX *grey, size_t max_errors, const char *what)
{
    char *got = read_page(grey, 1);

    ck_assert_msg(strstr(got, "RECEIVED") == NULL && strstr(got, "JUN") == NULL,
                  "%s: the stamp's words were read: %s", what, got);
    free(got);
    assert_reads(grey, 1, max_errors, what);
}

START_TEST(test_stamp_over_header)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_stamp(grey, 90);
    assert_stamp_gone(grey, 6, "stamp");
    pixDestroy(&grey);
}
END_TEST

/* The stamps cs_ocr_clean_stamps finds on grey thresholded (the page is
 * straight: no deskew needed). */
static int
stamps_found(PIX *grey)
{
    PIX *bin = pixThresholdToBinary(grey, 150);
    int found = -1;

    ck_assert_ptr_nonnull(bin);
    ck_assert_int_eq(cs_ocr_clean_stamps(bin, 300, NULL, &found), 0);
    pixDestroy(&bin);
    return found;
}

/*
 * A stamp beside the short header lines, its words on the rows of the
 * first three lines and its frame in the blank space between the header
 * and the next heading.  The stamp's words go although they lie on the
 * rows of print (they are far from any print of their row: stamp.c,
 * note 2), with the frame solid and with the frame broken as a pale
 * stamp's is by the threshold (note 1).
 */
static void
stamp_beside_lines(int dash)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_stamp_at(grey, 70, 1000, LINE_Y(2) - 216, dash, 3);
    ck_assert_int_eq(stamps_found(grey), 1);
    assert_stamp_gone(grey, 6, dash ? "broken stamp beside the header" : "stamp beside the header");
    pixDestroy(&grey);
}

START_TEST(test_stamp_beside_header_lines)
{
    stamp_beside_lines(0);
}
END_TEST

START_TEST(test_broken_stamp_frame)
{
    stamp_beside_lines(25);
}
END_TEST

/*
 * A form's second field on the first line ("MRN: 40917753", six spaces
 * after the name, as a chart's header sets it) inside the box of a stamp
 * pressed beside it: the field is print, though it lies farther from the
 * name than a stamp's words may lie from print (stamp.c, note 2).  The
 * stamp step keeps it (without note 2's field rule it took all of it) and
 * takes the stamp's words; the page reads with it after the name.  (The
 * whole reading alone would not tell: recognised through cs_ocr_page the
 * field was read even without the rule.)
 */
START_TEST(test_stamp_beside_a_field)
{
    PIX *grey = pixCopy(NULL, fx.grey), *field, *bin;
    BOX *src = boxCreate(CHAR_X(0) - 4, LINE_Y(1) - 40, CHAR_X(13) - CHAR_X(0) + 8, 52);
    BOX *at = boxCreate(CHAR_X(33) - 4, LINE_Y(0) - 32, CHAR_X(13) - CHAR_X(0) + 8, 36);
    BOX *words = boxCreate(CHAR_X(33), LINE_Y(0) + 20, 400, 130);
    l_int32 before = 0, after = 0, words_before = 0, words_after = 0;
    int found = -1;
    char *got;
    const char *first, *second;

    ck_assert(grey && src && at && words);
    /* "MRN: 40917753" copied from line 1 to line 0, at column 33 */
    field = pixClipRectangle(fx.grey, src, NULL);
    ck_assert_ptr_nonnull(field);
    pixRasterop(grey, CHAR_X(33) - 4, LINE_Y(0) - 40, pixGetWidth(field), pixGetHeight(field),
                PIX_SRC, field, 0, 0);
    /* the frame's left side in the gap between the name and the field */
    draw_stamp_at(grey, 70, CHAR_X(29) - 60, LINE_Y(0) - 110, 0, 0);
    /* the stamp whitened, its words with it, and not the field */
    bin = pixThresholdToBinary(grey, 150);
    ck_assert_ptr_nonnull(bin);
    ck_assert_int_eq(pixCountPixelsInRect(bin, at, &before, NULL), 0);
    ck_assert_int_eq(pixCountPixelsInRect(bin, words, &words_before, NULL), 0);
    ck_assert_int_eq(cs_ocr_clean_stamps(bin, 300, NULL, &found), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(pixCountPixelsInRect(bin, at, &after, NULL), 0);
    ck_assert_int_eq(pixCountPixelsInRect(bin, words, &words_after, NULL), 0);
    ck_assert_msg(before > 1500 && 20 * after >= 19 * before, "the field lost %d of its %d pixels",
                  before - after, before);
    ck_assert_msg(words_before > 2000 && 50 * words_after <= words_before,
                  "the stamp's words kept %d of %d pixels", words_after, words_before);
    pixDestroy(&bin);
    got = read_page(grey, 1);
    ck_assert_msg(strstr(got, "RECEIVED") == NULL && strstr(got, "JUN") == NULL,
                  "the stamp's words were read: %s", got);
    /* read_page folds whitespace: the field follows the name, and line 1 is still there */
    first = strstr(got, "MAISIE K MRN: 40917753");
    second = first ? strstr(first + 1, "MRN: 40917753") : NULL;
    ck_assert_msg(first && second, "the field in the stamp's box was not read after the name: %s",
                  got);
    free(got);
    pixDestroy(&field);
    boxDestroy(&words);
    boxDestroy(&at);
    boxDestroy(&src);
    pixDestroy(&grey);
}
END_TEST

/*
 * A pale stamp whose frame's sides are broken by gaps taller than the
 * strokes are wide, its lower edge through a line of print: the gaps are
 * closed more along the sides than across them (stamp.c, note 1).
 */
START_TEST(test_stamp_across_a_line)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_stamp_at(grey, 70, 1100, LINE_Y(6) - 318, 25, 9);
    ck_assert_int_eq(stamps_found(grey), 1);
    assert_stamp_gone(grey, 10, "a stamp across a line");
    pixDestroy(&grey);
}
END_TEST

/*
 * A box printed around the header lines (forms box their sections): a
 * hollow frame of a stamp's size, but straight on the page.  It is not a
 * stamp, and what it holds is read (stamp.c, note 4).
 */
/* A box printed straight around the header lines 0 to 3 onto grey, with
 * its left side or without it. */
static void
draw_printed_box(PIX *grey, int left)
{
    int x0 = 270, y0 = LINE_Y(0) - 50, w = 900, h = LINE_Y(3) - LINE_Y(0) + 80, t = 5;

    darken_rect(grey, x0, y0, w, t, 0);
    darken_rect(grey, x0, y0 + h - t, w, t, 0);
    if (left)
        darken_rect(grey, x0, y0, t, h, 0);
    darken_rect(grey, x0 + w - t, y0, t, h, 0);
}

START_TEST(test_printed_box_kept)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    ck_assert_ptr_nonnull(grey);
    draw_printed_box(grey, 1);
    ck_assert_int_eq(stamps_found(grey), 0);
    assert_reads(grey, 1, 6, "a printed box around the header");
    pixDestroy(&grey);
}
END_TEST

/* ---- a lighter stamp on a grey scan (stamp.c, note 5) ---- */

/* A stamp of ink level over lines 4 to 8: RECEIVED across the letters of
 * line 6, the frame's top through the heading of line 5, its sides and
 * bottom through the letters of lines 5 to 8. */
static void
draw_stamp_over_print(PIX *grey, int level)
{
    draw_stamp_at(grey, level, 700, LINE_Y(6) - 182, 0, 0);
}

/* The words of lines 5 to 8 the stamp covers, as printed. */
static const char *const COVERED[] = {
    "HISTORY OF PRESENT ILLNESS:",
    "The patient is a pleasant woman who was well until four days ago.",
    "She reports fever, chills and a dry cough, worse at night.",
    "There was no chest pain, no palpitations and no syncope.",
};

/* The grey page (freed here) scanned grey, turned by quads of 90 degrees
 * clockwise and then by degrees, read: the covered lines read whole, and
 * the stamp's words not at all. */
static void
assert_grey_stamp_reads(PIX *grey, int quads, double degrees, const char *what)
{
    PIX *turned = pixRotateOrth(grey, quads), *scan;
    char *got;

    ck_assert_ptr_nonnull(turned);
    scan = degrees != 0 ? pixRotate(turned, (float)(degrees * M_PI / 180.0), L_ROTATE_AREA_MAP,
                                     L_BRING_IN_WHITE, 0, 0)
                        : pixClone(turned);
    ck_assert_ptr_nonnull(scan);
    got = read_page(scan, 0);
    ck_assert_msg(strstr(got, "RECEIVED") == NULL && strstr(got, "JUN") == NULL,
                  "%s: the stamp's words were read: %s", what, got);
    for (size_t i = 0; i < sizeof COVERED / sizeof COVERED[0]; i++)
        ck_assert_msg(strstr(got, COVERED[i]) != NULL, "%s: \"%s\" did not read: %s", what,
                      COVERED[i], got);
    free(got);
    pixDestroy(&scan);
    pixDestroy(&turned);
    pixDestroy(&grey);
}

/*
 * A stamp in ink lighter than the print (grey 130 multiplied into the
 * page, as a red or blue stamp scans), its frame and its words across
 * printed letters, on a grey scan: the print under the stamp's ink is
 * darker than the ink alone, so the letters it covers read whole.  On a
 * bilevel scan nothing tells the inks apart and those letters were cut.
 */
START_TEST(test_grey_stamp_over_print)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_stamp_over_print(grey, 130);
    assert_grey_stamp_reads(grey, 0, 0.0, "a light stamp over print");
}
END_TEST

/* The same page scanned upside down and 2 degrees askew: the stamp's box
 * is found on the page turned upright and straightened, and its grey is
 * taken from the scan turned the same way (stamp_grey.c, upright_grey). */
START_TEST(test_grey_stamp_turned)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    draw_stamp_over_print(grey, 130);
    assert_grey_stamp_reads(grey, 2, 2.0, "a light stamp over print, upside down and askew");
}
END_TEST

/*
 * A date stamp with no frame (RECEIVED and a date) in light ink across
 * the printed lines 5 to 8, on a grey scan, upside down and askew: found
 * by its ink alone and lifted off, the letters it covers read whole
 * (stamp.c, note 7).
 */
START_TEST(test_bare_stamp_over_print)
{
    PIX *grey = pixCopy(NULL, fx.grey), *s1 = pixCreate(600, 260, 1), *turned, *scan;
    char *got;

    ck_assert_ptr_nonnull(s1);
    stamp_words(s1);
    press_stamp(grey, s1, 130, 700, LINE_Y(6) - 182);
    turned = pixRotateOrth(grey, 2);
    ck_assert_ptr_nonnull(turned);
    scan = pixRotate(turned, (float)(2.0 * M_PI / 180.0), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE,
                     0, 0);
    ck_assert_ptr_nonnull(scan);
    got = read_page(scan, 0);
    ck_assert_msg(strstr(got, "RECEIVED") == NULL && strstr(got, "JUN") == NULL,
                  "a bare stamp: the stamp's words were read: %s", got);
    free(got);
    assert_reads(scan, 0, 3, "a bare stamp over print, upside down and askew");
    pixDestroy(&scan);
    pixDestroy(&turned);
    pixDestroy(&grey);
}
END_TEST

/*
 * A stamp as dark as the print (black, as the print is) on a grey scan: the grey cannot
 * tell the inks apart, and the stamp step does on it exactly what it does
 * on the bilevel page alone; a light one (grey 130) it treats otherwise.
 */
START_TEST(test_dark_stamp_as_bilevel)
{
    static const int levels[] = { 0, 130 };

    for (int i = 0; i < 2; i++) {
        PIX *grey = pixCopy(NULL, fx.grey), *bin, *alone;
        cs_ocr_scan scan = { grey, 0, 0.0 };
        int found = 0, equal = 0;

        draw_stamp_over_print(grey, levels[i]);
        bin = pixThresholdToBinary(grey, 150);
        ck_assert_ptr_nonnull(bin);
        alone = pixCopy(NULL, bin);
        ck_assert_int_eq(cs_ocr_clean_stamps(alone, 300, NULL, &found), 0);
        ck_assert_int_eq(found, 1);
        ck_assert_int_eq(cs_ocr_clean_stamps(bin, 300, &scan, &found), 0);
        ck_assert_int_eq(found, 1);
        pixEqual(bin, alone, &equal);
        ck_assert_msg(equal == (levels[i] == 0), "a stamp of grey %d was %s", levels[i],
                      equal ? "taken off as on a bilevel page" : "taken off otherwise");
        pixDestroy(&alone);
        pixDestroy(&bin);
        pixDestroy(&grey);
    }
}
END_TEST

/*
 * An oval stamp pressed straight, its ring across the ends of the header
 * lines 1 to 4 and its words between them, drawn onto grey in ink of 80.
 * With gap set the ring is broken open on its left, over 30 degrees
 * (80 pixels), as a pale stamp's is by the threshold.
 */
static void
draw_oval_stamp(PIX *grey, int gap)
{
    PIX *s1 = pixCreate(700, 320, 1);
    L_BMF *big = bmfCreate(NULL, 16), *small = bmfCreate(NULL, 10);
    int x0 = 800, y0 = LINE_Y(2) - 160, ovf = 0;

    ck_assert(s1 && big && small);
    for (int y = 0; y < 320; y++)
        for (int x = 0; x < 700; x++) {
            double dx = (x - 350) / 344.0, dy = (y - 160) / 154.0, d = sqrt(dx * dx + dy * dy);
            double g = sqrt(dx * dx / (344.0 * 344.0) + dy * dy / (154.0 * 154.0));
            double a = atan2(dy, dx) * 180.0 / M_PI;
            if (g > 0 && fabs(d - 1.0) * d / g < 3.0 && !(gap && fabs(a) > 165.0))
                pixSetPixel(s1, x, y, 1);
        }
    pixSetTextline(s1, big, "RECEIVED", 1, 300, 150, NULL, &ovf);
    pixSetTextline(s1, small, "12 JUN 2019", 1, 400, 215, NULL, &ovf);
    for (int y = 0; y < 320; y++)
        for (int x = 0; x < 700; x++) {
            l_uint32 v;
            pixGetPixel(s1, x, y, &v);
            if (v)
                darken_rect(grey, x0 + x, y0 + y, 1, 1, 80);
        }
    bmfDestroy(&small);
    bmfDestroy(&big);
    pixDestroy(&s1);
}

/* The oval stamp (draw_oval_stamp) is found and goes, and the page reads. */
static void
assert_oval_stamp_gone(int gap, const char *what)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    ck_assert_ptr_nonnull(grey);
    draw_oval_stamp(grey, gap);
    ck_assert_int_eq(stamps_found(grey), 1);
    assert_stamp_gone(grey, 8, what);
    pixDestroy(&grey);
}

/* A round frame has no angle to tell it from print by: stamp.c, note 6. */
START_TEST(test_round_stamp)
{
    assert_oval_stamp_gone(0, "a round stamp");
}
END_TEST

/*
 * The same stamp broken open: its ring holds no hole, even with gaps of a
 * sixth of an inch closed, so the ellipse it lies on is fitted to it (with
 * the print letters it touches) and checked along the page (stamp.c,
 * note 8).  A box printed around the header and open on its left, of the
 * same size, is straight: it is no ellipse, and is left with what it holds.
 */
START_TEST(test_round_stamp_broken_open)
{
    PIX *grey;

    assert_oval_stamp_gone(1, "a round stamp broken open");
    grey = pixCopy(NULL, fx.grey);
    ck_assert_ptr_nonnull(grey);
    draw_printed_box(grey, 0);
    ck_assert_int_eq(stamps_found(grey), 0);
    assert_reads(grey, 1, 6, "a printed box open on its left");
    pixDestroy(&grey);
}
END_TEST

/*
 * The oval stamp with a toner streak down the page through its ring
 * (above and below its words) and the lines it crosses: the ring and
 * the streak are one component, far too tall for a stamp's frame, so
 * the stamp is not found until the streak is off; page.c (note 14) looks
 * again then, and the page reads without the stamp.
 */
START_TEST(test_stamp_crossed_by_streak)
{
    PIX *grey = pixCopy(NULL, fx.grey);

    ck_assert_ptr_nonnull(grey);
    draw_oval_stamp(grey, 0);
    darken_rect(grey, 1000, 100, 5, 3100, 40);
    ck_assert_int_eq(stamps_found(grey), 0);
    assert_stamp_gone(grey, 8, "a round stamp crossed by a streak");
    pixDestroy(&grey);
}
END_TEST

/* Black pixels of the kept page (res.cleaned) of grey in the stamp's area. */
static long
kept_ink_in_stamp_area(PIX *grey)
{
    unsigned char *data = NULL;
    size_t len = 0;
    cs_ocr_result res;
    char err[256] = "";
    PIX *kept;
    BOX *area = boxCreate(600, LINE_Y(4) - 220, 800, 460);
    l_int32 count = 0;

    page_tiff(grey, 1, &data, &len);
    ck_assert_msg(cs_ocr_page(fx.engine, data, len, 1, &res, err, sizeof err) == 0,
                  "cs_ocr_page: %s", err);
    kept = pixReadMemTiff(res.cleaned, res.cleaned_len, 0);
    ck_assert_ptr_nonnull(kept);
    ck_assert_ptr_nonnull(area);
    {
        PIX *part = pixClipRectangle(kept, area, NULL);
        ck_assert_ptr_nonnull(part);
        pixCountPixels(part, &count, NULL);
        pixDestroy(&part);
    }
    boxDestroy(&area);
    pixDestroy(&kept);
    cs_ocr_result_clear(&res);
    free(data);
    return count;
}

/* The stamp comes off what recognition reads, not off the kept page: the
 * PDF and the station show the page as it was stamped (page.c, note 9). */
START_TEST(test_kept_page_keeps_stamp)
{
    PIX *grey = pixCopy(NULL, fx.grey);
    long plain = kept_ink_in_stamp_area(fx.grey), stamped;

    draw_stamp(grey, 90);
    stamped = kept_ink_in_stamp_area(grey);
    /* the frame alone is 2 x (592 + 252) x 10 pixels or so */
    ck_assert_msg(stamped > plain + 8000, "the kept page lost the stamp: %ld black pixels in "
                  "its area, %ld without a stamp", stamped, plain);
    pixDestroy(&grey);
}
END_TEST

/* ---- a bilevel scan of a copy at 200 dpi (photocopy.c, note 9) ---- */

/* The page at 200 dpi as a copy scanned bilevel: print gone grey (60),
 * a toner background darker towards the left edge (paper 180 there, 220
 * at the right), heavy scanner noise (standard deviation about 25), and
 * the scanner's threshold at 155.  Thin strokes come out broken, the
 * background as dots, dense on the left and sparse on the right. */
static PIX *
dotted_copy_200(void)
{
    PIX *small = pixScaleAreaMap(fx.grey, 2.0f / 3, 2.0f / 3), *bin;

    ck_assert_ptr_nonnull(small);
    toner_copy(small, 60, 180, 220, 43, 4242);
    bin = pixThresholdToBinary(small, 155);
    ck_assert_ptr_nonnull(bin);
    pixSetResolution(bin, 200, 200);
    pixDestroy(&small);
    return bin;
}

/* Character errors reading pix, written as a TIFF in format, with the
 * tuning knob *knob at value; *pgot is the text read (malloc'd), *pjoined
 * whether it was read with its broken print joined (NULL: not wanted). */
static size_t
knob_errors(PIX *pix, int format, int *knob, int value, char **pgot, int *pjoined)
{
    unsigned char *tif = NULL;
    size_t len = 0, d;
    cs_ocr_result res;
    char err[256] = "", *want = expected_text();
    int saved = *knob, rc;

    ck_assert_int_eq(pixWriteMemTiff(&tif, &len, pix, format), 0);
    *knob = value;
    rc = cs_ocr_page(fx.engine, tif, len, 1, &res, err, sizeof err);
    *knob = saved;
    ck_assert_msg(rc == 0, "cs_ocr_page: %s", err);
    *pgot = fold_spaces(res.text);
    if (pjoined)
        *pjoined = res.cleanup.joined;
    d = edit_distance(want, *pgot);
    free(want);
    cs_ocr_result_clear(&res);
    free(tif);
    return d;
}

/* Character errors reading the G4 page with the descreen knob at descreen. */
static size_t
dotted_copy_errors(PIX *bin, int descreen, char **pgot)
{
    return knob_errors(bin, IFF_TIFF_G4, &cs_ocr_tuning_current.descreen, descreen, pgot, NULL);
}

/* The dots taken off the bilevel page by the majority filter (note 9)
 * read better than the page binarised again from its smoothed grey (the
 * only way before note 9, kept as tuning value 2). */
START_TEST(test_dotted_bilevel_copy_reads)
{
    PIX *bin = dotted_copy_200();
    char *got = NULL, *smoothed_got = NULL;
    size_t now = dotted_copy_errors(bin, 1, &got);
    size_t smoothed = dotted_copy_errors(bin, 2, &smoothed_got);

    ck_assert_msg(now <= 4 && now < smoothed,
                  "bilevel copy at 200 dpi: %zu character errors (at most 4, and fewer than "
                  "the %zu of the smoothed page), read: %s", now, smoothed, got);
    free(smoothed_got);
    free(got);
    pixDestroy(&bin);
}
END_TEST

/* ---- pale print (binarise.c, note 3) ---- */

/* The page as a pale print scanned grey at 200 dpi: blurred over 3x3
 * pixels, ink at grey ink on paper of 215, grain of the given range (6:
 * a quiet scanner, standard deviation about 3; 30: a grainy one, about
 * 17, as the bench's heavy-noise pages). */
static PIX *
pale_page(int ink, int range)
{
    PIX *small = pixScaleAreaMap(fx.grey, 2.0f / 3, 2.0f / 3), *blurred;

    ck_assert_ptr_nonnull(small);
    blurred = pixBlockconvGray(small, NULL, 1, 1);
    ck_assert_ptr_nonnull(blurred);
    pixDestroy(&small);
    toner_copy(blurred, ink, 215, 215, range, 99);
    pixSetResolution(blurred, 200, 200);
    return blurred;
}

/* The bilevel page cs_ocr_binarise makes of grey with the pale_ink knob at pale. */
static PIX *
binarised(PIX *grey, int pale)
{
    int saved = cs_ocr_tuning_current.pale_ink;
    PIX *bin;

    cs_ocr_tuning_current.pale_ink = pale;
    bin = cs_ocr_binarise(grey, pixGetXRes(grey));
    cs_ocr_tuning_current.pale_ink = saved;
    ck_assert_ptr_nonnull(bin);
    return bin;
}

/* Print of the usual darkness, clean or grainy pale print: the threshold
 * stays where it was, pixel for pixel. */
START_TEST(test_threshold_kept_for_dark_print)
{
    PIX *grainy = pale_page(120, 30);
    PIX *pages[2] = { fx.grey, grainy };

    for (int i = 0; i < 2; i++) {
        PIX *on = binarised(pages[i], 1), *off = binarised(pages[i], 0);
        l_int32 same = 0;

        ck_assert_int_eq(pixEqual(on, off, &same), 0);
        ck_assert_msg(same, "%s: the threshold moved", i ? "grainy pale print" : "dark print");
        pixDestroy(&on);
        pixDestroy(&off);
    }
    pixDestroy(&grainy);
}
END_TEST

/* Pale print on quiet paper: a higher threshold keeps its strokes whole
 * (more ink than the fixed one), and the page reads where the fixed
 * threshold broke its letters apart. */
START_TEST(test_pale_print_reads)
{
    PIX *pale = pale_page(120, 6);
    PIX *on = binarised(pale, 1), *off = binarised(pale, 0);
    l_int32 ink_on = 0, ink_off = 0;
    char *got = NULL, *fixed_got = NULL;
    size_t now, fixed;

    pixCountPixels(on, &ink_on, NULL);
    pixCountPixels(off, &ink_off, NULL);
    ck_assert_msg(ink_on > ink_off, "pale print: %d ink pixels, %d with the fixed threshold",
                  ink_on, ink_off);
    now = knob_errors(pale, IFF_TIFF_LZW, &cs_ocr_tuning_current.pale_ink, 1, &got, NULL);
    fixed = knob_errors(pale, IFF_TIFF_LZW, &cs_ocr_tuning_current.pale_ink, 0, &fixed_got, NULL);
    ck_assert_msg(now <= 6 && 3 * now < fixed,
                  "pale print: %zu character errors (at most 6, and a third of the fixed "
                  "threshold's %zu), read: %s", now, fixed, got);
    free(fixed_got);
    free(got);
    pixDestroy(&on);
    pixDestroy(&off);
    pixDestroy(&pale);
}
END_TEST

/* ---- print a bilevel scanner broke apart (broken.c) ---- */

/* Pale print scanned bilevel at 200 dpi: pale_page's grey thresholded at
 * 150 as the scanner did, so that the strokes come apart into dots and
 * short dashes, with its grain's darkest grains as scattered dots. */
static PIX *
broken_print_200(int ink, int range)
{
    PIX *pale = pale_page(ink, range), *bin = pixThresholdToBinary(pale, 150);

    ck_assert_ptr_nonnull(bin);
    pixSetResolution(bin, 200, 200);
    pixDestroy(&pale);
    return bin;
}

/* Broken print reads once its gaps are joined: the first reading is
 * poor, the joined page's is kept and reads with a few errors where the
 * page as cleaned before read a third of it. */
START_TEST(test_broken_print_reads)
{
    PIX *bin = broken_print_200(100, 30);
    char *got = NULL, *unjoined_got = NULL;
    int joined = 0, unjoined = 0;
    size_t now = knob_errors(bin, IFF_TIFF_G4, &cs_ocr_tuning_current.join, 1, &got, &joined);
    size_t before = knob_errors(bin, IFF_TIFF_G4, &cs_ocr_tuning_current.join, 0,
                                &unjoined_got, &unjoined);

    ck_assert_msg(joined && !unjoined, "the joined reading was not kept (%d, %d)", joined,
                  unjoined);
    ck_assert_msg(now <= 40 && 4 * now < before,
                  "broken print: %zu character errors (at most 40, and a quarter of the %zu "
                  "read without joining), read: %s", now, before, got);
    free(unjoined_got);
    free(got);
    pixDestroy(&bin);
}
END_TEST

/* A page of whole print read at 200 dpi bilevel reads surely enough not
 * to be read a second time: its first reading is kept. */
START_TEST(test_whole_print_not_reread)
{
    PIX *small = pixScaleAreaMap(fx.grey, 2.0f / 3, 2.0f / 3), *bin;
    unsigned char *tif = NULL;
    size_t len = 0;
    cs_ocr_result res;
    char err[256] = "";

    ck_assert_ptr_nonnull(small);
    bin = pixThresholdToBinary(small, 150);
    ck_assert_ptr_nonnull(bin);
    pixSetResolution(bin, 200, 200);
    ck_assert_int_eq(pixWriteMemTiff(&tif, &len, bin, IFF_TIFF_G4), 0);
    ck_assert_msg(cs_ocr_page(fx.engine, tif, len, 1, &res, err, sizeof err) == 0,
                  "cs_ocr_page: %s", err);
    ck_assert_msg(res.cleanup.bilevel && !res.cleanup.joined
                  && res.confidence >= CS_JOIN_CONF,
                  "whole print: bilevel %d, joined %d, confidence %.0f", res.cleanup.bilevel,
                  res.cleanup.joined, res.confidence);
    cs_ocr_result_clear(&res);
    free(tif);
    pixDestroy(&bin);
    pixDestroy(&small);
}
END_TEST

/* The joined page's reading is kept only when it is surer by the margin
 * and holds at least as many characters read with confidence. */
START_TEST(test_joined_reading_chosen)
{
    cs_ocr_word first_words[2] = {
        { .text = (char *)"Patient:", .confidence = 60 },
        { .text = (char *)"HARROWBY", .confidence = 50 },
    };
    cs_ocr_word fewer[1] = { { .text = (char *)"MRN", .confidence = 95 } };
    cs_ocr_word more[3] = {
        { .text = (char *)"Patient:", .confidence = 90 },
        { .text = (char *)"HARROWBY,", .confidence = 85 },
        { .text = (char *)"MAISIE", .confidence = 88 },
    };
    cs_ocr_result first = { .confidence = 55, .words = first_words, .nwords = 2 };

    ck_assert(cs_ocr_joined_better(&first, 88, more, 3));
    ck_assert(!cs_ocr_joined_better(&first, 95, fewer, 1));      /* surer, but fewer */
    ck_assert(!cs_ocr_joined_better(&first, 57, more, 3));       /* not by the margin */
}
END_TEST

/* ---- a patch of dots on a bilevel scan (photocopy.c, note 11) ---- */

/* A bilevel scan of a copy whose toner greyed one patch of the page: the
 * middle of the page (the first paragraph and the heading after it) on
 * toner of grey 185 with scanner noise, thresholded at 165 as the
 * scanner did; the rest of the page is clean.  Too little of the page for
 * note 0's field of dots. */
static PIX *
dotted_patch(void)
{
    PIX *grey = pixCopy(NULL, fx.grey), *patch, *bin;
    BOX *box;
    int x = 250, y = LINE_Y(4) + 10, w = 1500, h = LINE_Y(9) - LINE_Y(4);

    ck_assert_ptr_nonnull(grey);
    box = boxCreate(x, y, w, h);
    ck_assert_ptr_nonnull(box);
    patch = pixClipRectangle(grey, box, NULL);
    ck_assert_ptr_nonnull(patch);
    boxDestroy(&box);
    toner_copy(patch, 35, 185, 185, 31, 2024);
    pixRasterop(grey, x, y, w, h, PIX_SRC, patch, 0, 0);
    bin = pixThresholdToBinary(grey, 165);
    ck_assert_ptr_nonnull(bin);
    pixSetResolution(bin, 300, 300);
    pixDestroy(&patch);
    pixDestroy(&grey);
    return bin;
}

/* The patch's dots come off and its lines read, where without the patch
 * step they are left for Tesseract and the paragraph under them is lost. */
START_TEST(test_dotted_patch_reads)
{
    PIX *bin = dotted_patch();
    char *got = NULL, *left_got = NULL;
    size_t now = knob_errors(bin, IFF_TIFF_G4, &cs_ocr_tuning_current.dot_patches, 1, &got,
                             NULL);
    size_t left = knob_errors(bin, IFF_TIFF_G4, &cs_ocr_tuning_current.dot_patches, 0,
                              &left_got, NULL);

    ck_assert_msg(now <= 3 && 10 * now < left,
                  "a patch of dots: %zu character errors (at most 3, and a tenth of the %zu "
                  "with the patch left), read: %s", now, left, got);
    free(left_got);
    free(got);
    pixDestroy(&bin);
}
END_TEST

/* ---- the bench generator's ceilings (samplegen --stamps, --copies) ---- */

/* 1 when the truth line's "tags" array holds tag. */
static int
has_tag(json_t *line, const char *tag)
{
    json_t *tags = json_object_get(line, "tags"), *t;
    size_t i;

    json_array_foreach(tags, i, t)
        if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
            return 1;
    return 0;
}

/*
 * --stamps lifted and none change the stamped pages only, and nothing of
 * the truth: the pages without a stamp are the same pixels in all three
 * runs.  On a stamped bilevel page, pressing the stamp adds ink, and
 * lifting it leaves a subset of the unstamped page's ink (the stamp is
 * gone) that lacks some of its print (what the stamp's dark ink covered).
 * --copies none changes the photocopied pages only, and not the truth.
 */
START_TEST(test_generator_ceilings)
{
    static const char *const modes[] = { "pressed", "lifted", "none", "copies" };
    static const char *const args[] = { "--stamps pressed", "--stamps lifted", "--stamps none",
                                        "--copies none" };
    const char *root = getenv("CHARTSCAN_ROOT"), *tmp = getenv("TMPDIR");
    char dir[1024], path[1400], *truth[4] = { NULL, NULL, NULL, NULL };
    int stamped_g4 = 0, unstamped = 0, copied = 0;
    long lost = 0;

    if (!root || !*root)
        root = ".";
    snprintf(dir, sizeof dir, "%s/check_cleanup_gen.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    for (int m = 0; m < 4; m++) {
        /* seed 4, 10 pages: two of them stamped and scanned bilevel, one photocopied */
        ck_assert_msg(th_sh("'%s/scripts/make-sample-batch' --degrade bench --pages 10 --seed 4 %s "
                            "--out '%s/%s' >/dev/null && '%s/build/tools/cer' extract "
                            "'%s/%s/batch.zip' '%s/%s/tifs' >/dev/null",
                            root, args[m], dir, modes[m], root, dir, modes[m], dir, modes[m]) == 0,
                      "could not generate the bench pages with %s", args[m]);
        snprintf(path, sizeof path, "%s/%s/truth.jsonl", dir, modes[m]);
        truth[m] = th_slurp(path, NULL);
        ck_assert_ptr_nonnull(truth[m]);
    }
    ck_assert_str_eq(truth[1], truth[0]);
    ck_assert_str_eq(truth[2], truth[0]);
    ck_assert_str_eq(truth[3], truth[0]);

    for (char *text = strtok(truth[0], "\n"); text; text = strtok(NULL, "\n")) {
        json_t *line = json_loads(text, 0, NULL);
        const char *file = json_string_value(json_object_get(line, "file"));
        int page = (int)json_integer_value(json_object_get(line, "page"));
        l_int32 same = 0;
        PIX *pix[4] = { NULL, NULL, NULL, NULL };

        ck_assert_msg(line && file && page > 0, "not a page's truth line: %s", text);
        if (json_is_true(json_object_get(line, "blank"))) {
            json_decref(line);
            continue;
        }
        for (int m = 0; m < 4; m++) {
            snprintf(path, sizeof path, "%s/%s/tifs/%s", dir, modes[m], file);
            pix[m] = pixReadTiff(path, page - 1);
            ck_assert_msg(pix[m] != NULL, "could not read page %d of %s", page, path);
        }
        ck_assert_int_eq(pixEqual(pix[0], pix[3], &same), 0);
        if (has_tag(line, "photocopy")) {
            ck_assert_msg(!same, "%s page %d is the same under --copies none", file, page);
            copied++;
        } else {
            ck_assert_msg(same, "%s page %d was not copied but differs under --copies none",
                          file, page);
        }
        if (!has_tag(line, "stamp")) {
            for (int m = 1; m < 3; m++) {
                ck_assert_int_eq(pixEqual(pix[0], pix[m], &same), 0);
                ck_assert_msg(same, "%s page %d has no stamp but differs under --stamps %s",
                              file, page, modes[m]);
            }
            unstamped++;
        } else if (has_tag(line, "g4")) {
            l_int32 ink[3] = { 0, 0, 0 }, extra = -1;
            PIX *d;

            for (int m = 0; m < 3; m++)
                ck_assert_int_eq(pixCountPixels(pix[m], &ink[m], NULL), 0);
            d = pixSubtract(NULL, pix[1], pix[2]);      /* lifted, not in none */
            ck_assert_ptr_nonnull(d);
            ck_assert_int_eq(pixCountPixels(d, &extra, NULL), 0);
            pixDestroy(&d);
            ck_assert_msg(ink[0] > ink[2] + 1000, "%s page %d: pressed %d, none %d pixels of ink",
                          file, page, ink[0], ink[2]);
            ck_assert_msg(extra == 0, "%s page %d: %d pixels of ink lifted that are not on "
                          "the page without a stamp", file, page, extra);
            lost += ink[2] - ink[1];
            stamped_g4++;
        }
        for (int m = 0; m < 4; m++)
            pixDestroy(&pix[m]);
        json_decref(line);
    }
    ck_assert_int_ge(stamped_g4, 1);
    ck_assert_int_ge(unstamped, 5);
    ck_assert_int_ge(copied, 1);
    /* a stamp over blank paper, or in ink paler than the scan's threshold,
     * covers no print the scan could not see: not every page loses some */
    ck_assert_msg(lost > 0, "lifting the stamps took no print on %d pages", stamped_g4);
    for (int m = 0; m < 4; m++)
        free(truth[m]);
    ck_assert_int_eq(th_sh("rm -rf '%s'", dir), 0);
}
END_TEST

static Suite *
cleanup_suite(void)
{
    Suite *s = suite_create("cleanup");
    TCase *tc = tcase_create("detectors");

    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_clean_page_unchanged);
    tcase_add_test(tc, test_specks_removed_punctuation_kept);
    tcase_add_test(tc, test_specks_in_lines_removed);
    tcase_add_test(tc, test_dark_stamp_as_bilevel);
    tcase_add_test(tc, test_threshold_kept_for_dark_print);
    tcase_add_test(tc, test_faded_streaks_removed);
    tcase_add_test(tc, test_joined_reading_chosen);
    suite_add_tcase(s, tc);

    tc = tcase_create("reading");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_specks_page_reads);
    tcase_add_test(tc, test_dotted_background_reads);
    tcase_add_test(tc, test_streaks_crossing_text);
    tcase_add_test(tc, test_stamp_over_header);
    tcase_add_test(tc, test_stamp_beside_header_lines);
    tcase_add_test(tc, test_broken_stamp_frame);
    tcase_add_test(tc, test_printed_box_kept);
    tcase_add_test(tc, test_stamp_across_a_line);
    tcase_add_test(tc, test_stamp_beside_a_field);
    tcase_add_test(tc, test_round_stamp);
    tcase_add_test(tc, test_round_stamp_broken_open);
    tcase_add_test(tc, test_stamp_crossed_by_streak);
    tcase_add_test(tc, test_kept_page_keeps_stamp);
    tcase_add_test(tc, test_grey_stamp_over_print);
    tcase_add_test(tc, test_grey_stamp_turned);
    tcase_add_test(tc, test_bare_stamp_over_print);
    suite_add_tcase(s, tc);

    tc = tcase_create("patch");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_dotted_patch_reads);
    suite_add_tcase(s, tc);

    tc = tcase_create("edge");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_streak_from_border);
    suite_add_tcase(s, tc);

    tc = tcase_create("bilevel copy");
    tcase_add_unchecked_fixture(tc, fixture_setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_dotted_bilevel_copy_reads);
    tcase_add_test(tc, test_pale_print_reads);
    tcase_add_test(tc, test_broken_print_reads);
    tcase_add_test(tc, test_whole_print_not_reread);
    suite_add_tcase(s, tc);

    tc = tcase_create("generator");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_generator_ceilings);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(cleanup_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (fx.engine)
        cs_ocr_engine_free(&fx.engine);
    pixDestroy(&fx.grey);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

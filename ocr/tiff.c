/*
 * tiff.c — TIFF inspection from memory with libtiff: signature test, page
 * count and the limits on untrusted input, without decoding any pixels.
 *
 * libtiff reports problems through process-wide handlers; we route them
 * into a buffer so that the reason reaches the caller (and the manifest)
 * instead of stderr.
 *
 * Notes:
 *   1. A page is bounded by the memory its decoding takes, not by its
 *      pixels alone: a 10,900 x 11,000 page is within the pixel limit, but
 *      as 16-bit RGBA it took a worker to 1.86 GB.  decode_bytes() counts,
 *      from the directory, what decoding the page holds at its peak (the
 *      file, its largest compressed strip, the decoded samples
 *      w x h x bytes per sample x samples per pixel, Leptonica's images and
 *      the grey copy, note 2), and cs_ocr_tiff_page_size() refuses a page
 *      over CS_MAX_PAGE_DECODE_BYTES before a pixel is decoded.  With
 *      Tesseract's own 100-150 MB that keeps a worker under 1 GB.
 *   2. What Leptonica 1.82 (pixReadFromTiffStream) allocates: a one-sample
 *      page is read a scanline at a time into an image of its own depth;
 *      anything with two or more samples a pixel goes through
 *      TIFFReadRGBAImageOriented, which decodes a whole strip (the whole
 *      page when it is one strip) and fills a 32-bit raster, copied into a
 *      32-bit image: 8 bytes a pixel besides the samples.  decode.c then
 *      makes an 8-bit copy of anything that is not bilevel.
 *   3. The limits are the page's, not the file's: inspection counts the
 *      pages of a file with a page over them, and that page alone fails
 *      (in the ocr stage, with the reason); the other pages are read.  A
 *      hostile header rarely comes with its data, so such a page is not
 *      held to lie inside the file either.
 *   4. Raw strips for the PDF, not decoded: a cleaned page's G4 data
 *      (cs_ocr_tiff_g4_raw) and a page scanned as JPEG, its JPEGTables
 *      joined in (cs_ocr_tiff_jpeg_raw; pdf_image.c, note 4).
 */
#include "ocr/ocr_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "common/common.h"

static char tiff_last_error[256];

static void tiff_error_handler(const char *module, const char *fmt, va_list ap)
{
    (void)module;
    vsnprintf(tiff_last_error, sizeof tiff_last_error, fmt, ap);
}

static void tiff_warning_handler(const char *module, const char *fmt, va_list ap)
{
    (void)module; (void)fmt; (void)ap;
}

void cs_ocr_tiff_quiet(void)
{
    TIFFSetErrorHandler(tiff_error_handler);
    TIFFSetWarningHandler(tiff_warning_handler);
}

void cs_ocr_tiff_clear_error(void)
{
    tiff_last_error[0] = '\0';
}

int cs_ocr_tiff_has_error(void)
{
    return tiff_last_error[0] != '\0';
}

const char *cs_ocr_tiff_last_error(void)
{
    return tiff_last_error[0] ? tiff_last_error : "unknown libtiff error";
}

/* ---- reading from memory ---- */
typedef struct memsrc {
    const unsigned char *data;
    toff_t len, pos;
} memsrc;

static tsize_t mem_read(thandle_t h, tdata_t buf, tsize_t n)
{
    memsrc *m = (memsrc *)h;
    toff_t left = m->pos < m->len ? m->len - m->pos : 0;
    if ((toff_t)n > left)
        n = (tsize_t)left;
    if (n > 0)
        memcpy(buf, m->data + m->pos, (size_t)n);
    m->pos += (toff_t)n;
    return n;
}

static tsize_t mem_write(thandle_t h, tdata_t buf, tsize_t n)
{
    (void)h; (void)buf; (void)n;
    return -1;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    memsrc *m = (memsrc *)h;
    toff_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : m->len;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return (toff_t)-1;
    m->pos = base + off;
    return m->pos;
}

static int mem_close(thandle_t h) { (void)h; return 0; }
static toff_t mem_size(thandle_t h) { return ((memsrc *)h)->len; }
static int mem_map(thandle_t h, tdata_t *base, toff_t *size)
{
    (void)h; (void)base; (void)size;
    return 0;
}
static void mem_unmap(thandle_t h, tdata_t base, toff_t size)
{
    (void)h; (void)base; (void)size;
}

int cs_ocr_is_tiff(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len < 8)
        return 0;
    if (p[0] == 'I' && p[1] == 'I' && (p[2] == 42 || p[2] == 43) && p[3] == 0)
        return 1;
    if (p[0] == 'M' && p[1] == 'M' && p[2] == 0 && (p[3] == 42 || p[3] == 43))
        return 1;
    return 0;
}

/* The largest compressed strip or tile of the current directory. */
static uint64_t largest_strile(TIFF *tif)
{
    uint32_t n = TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    uint64_t most = 0;
    for (uint32_t i = 0; i < n; i++) {
        int e = 0;
        uint64_t cnt = TIFFGetStrileByteCountWithErr(tif, i, &e);
        if (!e && cnt > most)
            most = cnt;
    }
    return most;
}

/*
 * decode_bytes: the bytes that decoding the current directory's page of a
 * file of len bytes holds at its peak (notes 1 and 2); *samples gets the
 * decoded samples alone (w x h x bytes per sample x samples per pixel).
 * Header fields only; nothing is decoded.
 */
static long long decode_bytes(TIFF *tif, size_t len, uint32_t w, uint32_t h, long long *samples)
{
    uint16_t bps = 1, spp = 1, orientation = ORIENTATION_TOPLEFT;
    uint16_t *r = NULL, *g = NULL, *b = NULL;
    long long px = (long long)w * h, image, total;
    uint64_t strile = largest_strile(tif);

    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetField(tif, TIFFTAG_ORIENTATION, &orientation);
    if (bps == 0)
        bps = 1;
    if (spp == 0)
        spp = 1;
    *samples = ((long long)w * bps * spp + 7) / 8 * h;
    total = (long long)len + (long long)(strile < len ? strile : len);
    if (spp == 1) {
        image = ((long long)w * bps + 31) / 32 * 4 * h;   /* Leptonica's image, its depth */
        total += image + (bps > 1 ? px : 0);               /* and the grey copy */
        if (bps == 1 && TIFFGetField(tif, TIFFTAG_COLORMAP, &r, &g, &b))
            total += 5 * px;                               /* colormap removed: up to 32 bits */
    } else {
        image = 4 * px;                                    /* 32-bit raster and image */
        total += *samples + 2 * image + px;
    }
    if (orientation > ORIENTATION_BOTLEFT)
        total += image;                                    /* turned by 90 degrees: a copy */
    return total;
}

/* 0 when the current directory's w x h page is within the per-page limits
 * (pixels, decoding memory: note 1); -1 with the reason naming page. */
static int page_limits(TIFF *tif, size_t len, int page, uint32_t w, uint32_t h, char *err,
                       size_t errlen)
{
    long long need, samples;
    uint16_t bps = 1, spp = 1;

    if ((long long)w * h > CS_MAX_PAGE_PIXELS)
        return cs_fail(err, errlen, "page %d has %u x %u pixels, more than the limit of %lld",
                       page, (unsigned)w, (unsigned)h, (long long)CS_MAX_PAGE_PIXELS);
    need = decode_bytes(tif, len, w, h, &samples);
    if (need <= CS_MAX_PAGE_DECODE_BYTES)
        return 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    return cs_fail(err, errlen, "page %d would take %lld MB of memory to decode (%u x %u pixels, "
                   "%u samples of %u bits a pixel: %lld MB of samples), more than the limit of "
                   "%lld MB", page, need >> 20, (unsigned)w, (unsigned)h, (unsigned)spp,
                   (unsigned)bps, samples >> 20, (long long)CS_MAX_PAGE_DECODE_BYTES >> 20);
}

int cs_ocr_tiff_page_size(const void *data, size_t len, int page,
                          long long *width, long long *height, char *err, size_t errlen)
{
    memsrc m = {data, len, 0};
    TIFF *tif;
    uint32_t w = 0, h = 0;
    int rc = -1;

    cs_ocr_tiff_quiet();
    tiff_last_error[0] = '\0';
    tif = TIFFClientOpen("page", "rm", (thandle_t)&m, mem_read, mem_write, mem_seek,
                         mem_close, mem_size, mem_map, mem_unmap);
    if (!tif)
        return cs_fail(err, errlen, "not a readable TIFF: %s", cs_ocr_tiff_last_error());
    if (page < 1 || !TIFFSetDirectory(tif, (tdir_t)(page - 1))) {
        cs_fail(err, errlen, "TIFF has no page %d", page);
        goto out;
    }
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h)) {
        cs_fail(err, errlen, "page %d has no image size", page);
        goto out;
    }
    *width = w;
    *height = h;
    if (page_limits(tif, len, page, w, h, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    TIFFClose(tif);
    return rc;
}

/*
 * strips_outside: 1 when an image strip or tile of the current directory
 * lies beyond len, the mark of a file cut short in transfer.  Only offsets
 * and byte counts are read; nothing is decoded.
 */
static int strips_outside(TIFF *tif, size_t len)
{
    uint32_t n = TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    for (uint32_t i = 0; i < n; i++) {
        int err = 0;
        uint64_t off = TIFFGetStrileOffsetWithErr(tif, i, &err);
        uint64_t cnt = TIFFGetStrileByteCountWithErr(tif, i, &err);
        if (err || off > len || cnt > len - off)
            return 1;
    }
    return 0;
}

int cs_ocr_tiff_inspect(const void *data, size_t len, cs_tiff_info *info,
                        char *err, size_t errlen)
{
    memsrc m = {data, len, 0};
    TIFF *tif = NULL;
    int pages = 0, rc = -1;

    if (info)
        info->pages = 0;
    if (!cs_ocr_is_tiff(data, len))
        return cs_fail(err, errlen, "not a TIFF image");
    cs_ocr_tiff_quiet();
    tiff_last_error[0] = '\0';
    /* "m": no memory mapping; "c": no strip chopping, so that the strip
     * offsets and byte counts are the file's own, not libtiff's estimate */
    tif = TIFFClientOpen("entry", "rmc", (thandle_t)&m, mem_read, mem_write, mem_seek,
                         mem_close, mem_size, mem_map, mem_unmap);
    if (!tif)
        return cs_fail(err, errlen, "not a readable TIFF: %s", cs_ocr_tiff_last_error());
    do {
        uint32_t w = 0, h = 0;
        pages++;
        if (pages > CS_MAX_PAGES_PER_FILE) {
            cs_fail(err, errlen, "TIFF has more than %d pages, the limit", CS_MAX_PAGES_PER_FILE);
            goto out;
        }
        if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h)
            || w == 0 || h == 0) {
            cs_fail(err, errlen, "page %d has no image size", pages);
            goto out;
        }
        /* a page over the per-page limits fails alone, later (note 3);
         * where its data lies does not matter then: it is never read */
        if (page_limits(tif, len, pages, w, h, NULL, 0) == 0 && strips_outside(tif, len)) {
            cs_fail(err, errlen, "page %d is cut short: its image data lies past the end of "
                    "the file", pages);
            goto out;
        }
        tiff_last_error[0] = '\0';
    } while (TIFFReadDirectory(tif));
    if (tiff_last_error[0]) {
        /* a directory chain that breaks off: the file is cut or corrupt */
        cs_fail(err, errlen, "TIFF directory after page %d is unreadable: %s", pages,
                tiff_last_error);
        goto out;
    }
    if (info)
        info->pages = pages;
    rc = 0;
out:
    TIFFClose(tif);
    return rc;
}

/* The fields of the current directory that say how its pixels are stored. */
typedef struct layout {
    uint32_t w, h;
    uint16_t comp, bits, spp, photometric;
} layout;

static void read_layout(TIFF *tif, layout *l)
{
    *l = (layout){0, 0, 0, 1, 1, PHOTOMETRIC_MINISWHITE};
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l->w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l->h);
    TIFFGetField(tif, TIFFTAG_COMPRESSION, &l->comp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l->bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l->spp);
    TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &l->photometric);
}

/* A TIFF in memory opened for reading its raw strips (errors to our buffer). */
static TIFF *open_raw(memsrc *m, const char *name)
{
    cs_ocr_tiff_quiet();
    tiff_last_error[0] = '\0';
    return TIFFClientOpen(name, "rmc", (thandle_t)m, mem_read, mem_write, mem_seek, mem_close,
                          mem_size, mem_map, mem_unmap);
}

/*
 * cs_ocr_tiff_g4_raw: the still-compressed image data of page 1 of a
 * bilevel G4 TIFF written as one strip (what cs_ocr_encode_g4 writes), for
 * embedding in a PDF without decoding.  Returns 0, or -1 with the reason
 * when the TIFF is not of that kind (the caller may re-encode).
 */
int cs_ocr_tiff_g4_raw(const void *data, size_t len, cs_g4_raw *raw, char *err, size_t errlen)
{
    memsrc m = {data, len, 0};
    TIFF *tif = NULL;
    layout l;
    uint16_t fill = FILLORDER_MSB2LSB;
    uint64_t count;
    int rc = -1;

    memset(raw, 0, sizeof *raw);
    if (!cs_ocr_is_tiff(data, len))
        return cs_fail(err, errlen, "not a TIFF image");
    if (!(tif = open_raw(&m, "g4")))
        return cs_fail(err, errlen, "not a readable TIFF: %s", cs_ocr_tiff_last_error());
    read_layout(tif, &l);
    TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &fill);
    if (l.w == 0 || l.h == 0 || (long long)l.w * l.h > CS_MAX_PAGE_PIXELS) {
        cs_fail(err, errlen, "cleaned page has an implausible size");
        goto out;
    }
    if (l.comp != COMPRESSION_CCITTFAX4 || l.bits != 1 || l.spp != 1 || TIFFIsTiled(tif)
        || TIFFNumberOfStrips(tif) != 1) {
        cs_fail(err, errlen, "cleaned page is not a one-strip G4 TIFF");
        goto out;
    }
    count = TIFFGetStrileByteCount(tif, 0);
    if (count == 0 || count > len || strips_outside(tif, len)) {
        cs_fail(err, errlen, "cleaned page's image data lies outside the file");
        goto out;
    }
    raw->data = malloc((size_t)count);
    if (!raw->data) {
        cs_fail(err, errlen, "out of memory");
        goto out;
    }
    if (TIFFReadRawStrip(tif, 0, raw->data, (tmsize_t)count) != (tmsize_t)count) {
        cs_fail(err, errlen, "could not read the cleaned page's image data");
        goto out;
    }
    /* TIFFReadRawStrip leaves the bits in the file's fill order */
    if (fill == FILLORDER_LSB2MSB)
        TIFFReverseBits(raw->data, (tmsize_t)count);
    raw->len = (size_t)count;
    raw->width = (int)l.w;
    raw->height = (int)l.h;
    raw->black_is_1 = l.photometric == PHOTOMETRIC_MINISBLACK;
    rc = 0;
out:
    if (rc < 0) {
        free(raw->data);
        memset(raw, 0, sizeof *raw);
    }
    TIFFClose(tif);
    return rc;
}

/* A complete JPEG stream from a strip and the JPEGTables it leaves out:
 * the strip's SOI, the tables between their SOI and EOI, the rest of the
 * strip.  NULL when either is not framed as JPEG or memory ran out. */
static unsigned char *join_tables(const unsigned char *strip, size_t slen,
                                  const unsigned char *tables, size_t tlen, size_t *out_len)
{
    unsigned char *out;

    if (slen < 4 || strip[0] != 0xFF || strip[1] != 0xD8)
        return NULL;
    if (!tables || tlen < 4) {
        tables = NULL;
        tlen = 4;
    } else if (tables[0] != 0xFF || tables[1] != 0xD8 || tables[tlen - 2] != 0xFF
               || tables[tlen - 1] != 0xD9) {
        return NULL;
    }
    if (!(out = malloc(slen + tlen - 4)))
        return NULL;
    memcpy(out, strip, 2);
    if (tables)
        memcpy(out + 2, tables + 2, tlen - 4);
    memcpy(out + 2 + (tlen - 4), strip + 2, slen - 2);
    *out_len = slen + tlen - 4;
    return out;
}

/*
 * cs_ocr_tiff_jpeg_raw: page (1-based) of a TIFF as the JPEG stream it
 * holds, without decoding, when it is one strip of 8-bit JPEG (new-style,
 * compression 7), grey (min-is-black) or YCbCr, stored top row first.
 * Returns 1 with *jpeg filled (data malloc'd), 0 when the page is not of
 * that kind (decode it instead), -1 when the file cannot be read.
 */
int cs_ocr_tiff_jpeg_raw(const void *data, size_t len, int page, cs_jpeg_raw *jpeg)
{
    memsrc m = {data, len, 0};
    TIFF *tif;
    layout l;
    uint32_t tlen = 0;
    uint16_t planar = PLANARCONFIG_CONTIG, orientation = ORIENTATION_TOPLEFT;
    const unsigned char *tables = NULL;
    uint64_t off, count;
    int rc = 0;

    memset(jpeg, 0, sizeof *jpeg);
    if (!(tif = open_raw(&m, "jpeg")))
        return -1;
    if (page < 1 || !TIFFSetDirectory(tif, (tdir_t)(page - 1))) {
        rc = -1;
        goto out;
    }
    read_layout(tif, &l);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetField(tif, TIFFTAG_ORIENTATION, &orientation);
    if (l.comp != COMPRESSION_JPEG || l.bits != 8 || planar != PLANARCONFIG_CONTIG
        || orientation != ORIENTATION_TOPLEFT || TIFFIsTiled(tif) || TIFFNumberOfStrips(tif) != 1
        || !((l.spp == 1 && l.photometric == PHOTOMETRIC_MINISBLACK)
             || (l.spp == 3 && l.photometric == PHOTOMETRIC_YCBCR)))
        goto out;
    off = TIFFGetStrileOffset(tif, 0);
    count = TIFFGetStrileByteCount(tif, 0);
    if (count == 0 || off > len || count > len - off)
        goto out;
    if (!TIFFGetField(tif, TIFFTAG_JPEGTABLES, &tlen, &tables))
        tables = NULL;
    jpeg->data = join_tables((const unsigned char *)data + off, (size_t)count, tables, tlen,
                             &jpeg->len);
    if (jpeg->data) {
        jpeg->width = (int)l.w;
        jpeg->height = (int)l.h;
        jpeg->components = l.spp;
        rc = 1;
    }
out:
    TIFFClose(tif);
    return rc;
}

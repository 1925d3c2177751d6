/*
 * entry_name.c — the name of an archive entry as people see it: decoded
 * text that says exactly which bytes the archive holds, whatever their
 * encoding.  The bytes themselves are stored as well (source_file.path_raw);
 * this is the form shown in reports, the manifest and the review station.
 *
 * Interface routines (pipeline_internal.h):
 *   cs_entry_name_display   the display form of a name's bytes
 *
 * The display form:
 *   - the name decoded: UTF-8 when its bytes are valid UTF-8 (what libarchive
 *     reports for a zip with the UTF-8 flag, a pax path, a UTF-8 tar name),
 *     else, for a zip, CP437 (the zip format's own default, what Windows
 *     writes without the flag), else (tar) UTF-8 as far as it goes;
 *   - a byte that does not decode, and every control character (C0, DEL,
 *     C1: a name must not drive the terminal that shows it), as \xHH, one
 *     escape a byte;
 *   - a backslash as it is, unless what follows it could be read as part of
 *     an escape (an "x", a backslash, or an escape): then \\.
 * Read back with those three rules, the display form gives the bytes again
 * (for a CP437 name, the CP437 bytes), so it is lossless; names with nothing
 * unusual in them (the overwhelming majority, and Windows paths with
 * backslashes) are shown unchanged.
 */
#include "pipeline/stages/stage_internal.h"

#include <string.h>

/* IBM code page 437, bytes 0x80-0xFF, as Unicode code points. */
static const unsigned short cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8,
    0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2,
    0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1,
    0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD,
    0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562,
    0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534,
    0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560,
    0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393,
    0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6,
    0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0,
    0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

/* Length of the valid UTF-8 sequence at p (at most n bytes), its code point
 * in *cp; 0 when the bytes there are not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF are not). */
static size_t utf8_at(const unsigned char *p, size_t n, unsigned *cp)
{
    unsigned c = p[0], v;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF))
        || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static int is_control(unsigned cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

static int valid_utf8(const unsigned char *p, size_t n)
{
    unsigned cp;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = utf8_at(p + i, n - i, &cp)) == 0)
            return 0;
    return 1;
}

/* One unit of the display form: the bytes it covers in the name, and
 * whether it is shown escaped (each byte \xHH) or as code point cp. */
typedef struct unit {
    size_t len;
    int escaped;
    unsigned cp;
} unit;

static unit unit_at(const unsigned char *p, size_t n, int cp437)
{
    unit u = {1, 0, p[0]};

    if (cp437) {
        if (p[0] >= 0x80)
            u.cp = cp437_high[p[0] - 0x80];
        else
            u.escaped = is_control(p[0]);
        return u;
    }
    u.len = utf8_at(p, n, &u.cp);
    if (u.len == 0) {
        u.len = 1;
        u.escaped = 1;
    } else if (is_control(u.cp)) {
        u.escaped = 1;
    }
    return u;
}

static size_t put_utf8(char *out, unsigned cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (char)(0xE0 | (cp >> 12));          /* CP437 and the BMP: at most 3 */
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    if (cp < 0x10000)
        return 3;
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * cs_entry_name_display()
 *
 *      Input:  raw, len (the name's bytes as libarchive gave them)
 *              zip (1 for a zip archive: names that are not UTF-8 are CP437)
 *              out, outlen (the display form, NUL-terminated; 4 * len + 1
 *                           bytes always suffice)
 *      Return: the length of the display form, or -1 when out is too small
 *              (out then holds "")
 */
long cs_entry_name_display(const char *raw, size_t len, int zip, char *out, size_t outlen)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)raw;
    int cp437 = zip && !valid_utf8(p, len);
    size_t o = 0;

    if (!out || outlen == 0)
        return -1;
    for (size_t i = 0; i < len;) {
        unit u = unit_at(p + i, len - i, cp437);
        char enc[8];
        size_t elen = 0;

        if (u.escaped) {
            for (size_t k = 0; k < u.len; k++) {
                enc[0] = '\\';
                enc[1] = 'x';
                enc[2] = hex[p[i + k] >> 4];
                enc[3] = hex[p[i + k] & 0x0F];
                if (o + 4 >= outlen)
                    goto too_small;
                memcpy(out + o, enc, 4);
                o += 4;
            }
            i += u.len;
            continue;
        }
        if (u.cp == '\\') {
            /* doubled when the next unit could be read as part of an escape */
            int doubled = 0;
            if (i + 1 < len) {
                unit next = unit_at(p + i + 1, len - i - 1, cp437);
                doubled = next.escaped || next.cp == 'x' || next.cp == '\\';
            }
            enc[elen++] = '\\';
            if (doubled)
                enc[elen++] = '\\';
        } else {
            elen = put_utf8(enc, u.cp);
        }
        if (o + elen >= outlen)
            goto too_small;
        memcpy(out + o, enc, elen);
        o += elen;
        i += u.len;
    }
    out[o] = '\0';
    return (long)o;
too_small:
    out[0] = '\0';
    return -1;
}

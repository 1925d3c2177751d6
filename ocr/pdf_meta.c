/*
 * pdf_meta.c — what makes the searchable PDF a PDF/A-2b file besides its
 * structure: the sRGB ICC profile of the OutputIntent, the XMP metadata
 * packet and the Info dictionary that must agree with it.
 *
 * Interface routines (ocr_internal.h):
 *   cs_pdf_srgb_icc    a minimal sRGB display profile (ICC v2), built here
 *   cs_pdf_xmp         the XMP packet (pdfaid part 2, conformance B)
 *   cs_pdf_info_dict   the Info dictionary, same title, producer and dates
 *
 * Notes:
 *   1. The profile is the matrix/TRC form of sRGB (IEC 61966-2.1): the
 *      primaries adapted to D50 (Bradford) as the ICC's own sRGB profiles
 *      give them, and the sRGB transfer curve sampled at 1024 points, one
 *      curve shared by the three channels.  About 2.5 kB; no file is read
 *      at run time.
 *   2. The Info dictionary and the XMP packet carry the same values, as
 *      PDF/A requires (ISO 19005-2, 6.6.2.3): Title = dc:title, Producer =
 *      pdf:Producer, Creator = xmp:CreatorTool, CreationDate =
 *      xmp:CreateDate, ModDate = xmp:ModifyDate; dates in UTC.
 *   3. The title is written as UTF-16BE in the Info dictionary (any
 *      character) and escaped UTF-8 in the XMP packet.
 */
#include "ocr/ocr_internal.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

#define TRC_POINTS 1024

static int put_u32(cs_buf *b, unsigned long v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    return cs_buf_append(b, x, 4);
}

static int put_u16(cs_buf *b, unsigned v)
{
    unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    return cs_buf_append(b, x, 2);
}

/* An s15Fixed16Number. */
static int put_fixed(cs_buf *b, double v)
{
    return put_u32(b, (unsigned long)(long)lround(v * 65536.0) & 0xFFFFFFFFUL);
}

static int put_sig(cs_buf *b, const char sig[4])
{
    return cs_buf_append(b, sig, 4);
}

static int put_xyz(cs_buf *b, double x, double y, double z)
{
    return put_sig(b, "XYZ ") | put_u32(b, 0) | put_fixed(b, x) | put_fixed(b, y)
           | put_fixed(b, z);
}

static int pad4(cs_buf *b)
{
    static const char zero[4] = {0};
    return (b->len % 4) ? cs_buf_append(b, zero, 4 - b->len % 4) : 0;
}

/*
 * The tag data of the profile, into data; tags[i] gets the offset of tag
 * i's data (from the start of data) and its size.
 */
static int icc_tag_data(cs_buf *data, unsigned long tags[][2])
{
    static const char desc[] = "sRGB IEC61966-2.1 (chartscan)";
    static const char cprt[] = "No copyright, use freely";
    static const char filler[68] = {0};    /* ScriptCode count byte, then 67 bytes */
    static const double xyz[4][3] = {
        {0.9642, 1.0, 0.8249},                  /* media white point: D50 */
        {0.4360747, 0.2225045, 0.0139322},      /* red, adapted to D50 */
        {0.3850649, 0.7168786, 0.0971045},      /* green */
        {0.1430804, 0.0606169, 0.7141733},      /* blue */
    };
    size_t start;
    int bad = 0;

    start = data->len;                                          /* desc */
    bad |= put_sig(data, "desc") | put_u32(data, 0) | put_u32(data, sizeof desc);
    bad |= cs_buf_append(data, desc, sizeof desc);
    bad |= put_u32(data, 0) | put_u32(data, 0) | put_u16(data, 0);
    bad |= cs_buf_append(data, filler, sizeof filler);
    tags[0][0] = start;
    tags[0][1] = data->len - start;
    bad |= pad4(data);
    start = data->len;                                          /* cprt */
    bad |= put_sig(data, "text") | put_u32(data, 0) | cs_buf_append(data, cprt, sizeof cprt);
    tags[1][0] = start;
    tags[1][1] = data->len - start;
    bad |= pad4(data);
    for (int i = 0; i < 4; i++) {                               /* wtpt, rXYZ, gXYZ, bXYZ */
        tags[2 + i][0] = data->len;
        tags[2 + i][1] = 20;
        bad |= put_xyz(data, xyz[i][0], xyz[i][1], xyz[i][2]);
    }
    start = data->len;                                          /* the one TRC */
    bad |= put_sig(data, "curv") | put_u32(data, 0) | put_u32(data, TRC_POINTS);
    for (int i = 0; i < TRC_POINTS; i++) {
        double x = (double)i / (TRC_POINTS - 1);
        double y = x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
        bad |= put_u16(data, (unsigned)lround(y * 65535.0));
    }
    for (int i = 6; i < 9; i++) {
        tags[i][0] = start;
        tags[i][1] = data->len - start;
    }
    return bad ? -1 : 0;
}

/*!
 * cs_pdf_srgb_icc()
 *
 *      Input:  icc (<return> the profile is appended)
 *      Return: 0 if OK, -1 when memory ran out
 */
int cs_pdf_srgb_icc(cs_buf *icc)
{
    static const char *sigs[9] = {"desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ",
                                  "rTRC", "gTRC", "bTRC"};
    static const char zero[128] = {0};
    unsigned long tags[9][2];
    cs_buf data = CS_BUF_INIT;
    size_t header = 128 + 4 + 9 * 12;
    int bad = 0;

    if (icc_tag_data(&data, tags) < 0) {
        cs_buf_free(&data);
        return -1;
    }
    bad |= put_u32(icc, header + data.len);                    /* profile size */
    bad |= put_u32(icc, 0);                                     /* preferred CMM: none */
    bad |= put_u32(icc, 0x02100000UL);                          /* version 2.1 */
    bad |= put_sig(icc, "mntr") | put_sig(icc, "RGB ") | put_sig(icc, "XYZ ");
    bad |= put_u16(icc, 2024) | put_u16(icc, 1) | put_u16(icc, 1)   /* a fixed date */
           | put_u16(icc, 0) | put_u16(icc, 0) | put_u16(icc, 0);
    bad |= put_sig(icc, "acsp");
    bad |= cs_buf_append(icc, zero, 68 - 40);                  /* platform .. intent: 0 */
    bad |= put_fixed(icc, 0.9642) | put_fixed(icc, 1.0) | put_fixed(icc, 0.8249);
    bad |= cs_buf_append(icc, zero, 128 - 80);                 /* creator, id, reserved */
    bad |= put_u32(icc, 9);
    for (int i = 0; i < 9; i++)
        bad |= put_sig(icc, sigs[i]) | put_u32(icc, header + tags[i][0]) | put_u32(icc, tags[i][1]);
    bad |= cs_buf_append(icc, data.data, data.len);
    cs_buf_free(&data);
    return bad ? -1 : 0;
}

/*
 * The title as both places write it (note 2): valid UTF-8 (a bad sequence
 * becomes U+FFFD), without control characters; "" when out of memory.
 */
static int clean_title(cs_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int bad = 0;

    while (*p) {
        unsigned cp = cs_pdf_utf8_next(&p);
        unsigned char u[4];
        size_t n;

        if (cp < 0x20 || cp == 0x7F || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
            continue;
        if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
        else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | cp >> 6); n = 2; }
        else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | cp >> 12); n = 3; }
        else { u[0] = (unsigned char)(0xF0 | cp >> 18); n = 4; }
        for (size_t i = 1; i < n; i++)
            u[i] = (unsigned char)(0x80 | ((cp >> (6 * (n - 1 - i))) & 0x3F));
        bad |= cs_buf_append(b, u, n);
    }
    return bad ? -1 : 0;
}

/* Append s with &, <, > and " escaped for XML. */
static int put_xml_text(cs_buf *b, const char *s)
{
    int bad = 0;

    for (; *s; s++) {
        switch (*s) {
        case '&': bad |= cs_buf_puts(b, "&amp;"); break;
        case '<': bad |= cs_buf_puts(b, "&lt;"); break;
        case '>': bad |= cs_buf_puts(b, "&gt;"); break;
        case '"': bad |= cs_buf_puts(b, "&quot;"); break;
        default: bad |= cs_buf_append(b, s, 1);
        }
    }
    return bad ? -1 : 0;
}

/* Format t (UTC) for the Info dictionary (pdf != 0) or for XMP. */
static void format_date(long long t, int pdf, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, outlen, pdf ? "D:%Y%m%d%H%M%S+00'00'" : "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* The title and the two dates as the Info dictionary (pdf != 0) or XMP writes them. */
typedef struct pdf_meta {
    cs_buf title;              /* clean_title's result */
    char created[40], modified[40];
} pdf_meta;

static int meta_prepare(pdf_meta *m, const char *title, long long created, long long modified,
                        int pdf)
{
    memset(m, 0, sizeof *m);
    format_date(created, pdf, m->created, sizeof m->created);
    format_date(modified, pdf, m->modified, sizeof m->modified);
    return clean_title(&m->title, title);
}

/*!
 * cs_pdf_xmp()
 *
 *      Input:  b (<return> the packet is appended)
 *              title (UTF-8), created, modified (seconds since 1970, UTC)
 *      Return: 0 if OK, -1 when memory ran out
 */
int cs_pdf_xmp(cs_buf *b, const char *title, long long created, long long modified)
{
    pdf_meta m;
    int bad = meta_prepare(&m, title, created, modified, 0);

    bad |= cs_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
        " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
        "  <rdf:Description rdf:about=\"\"\n"
        "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
        "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
        "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
        "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
        "   <pdfaid:part>2</pdfaid:part>\n"
        "   <pdfaid:conformance>B</pdfaid:conformance>\n"
        "   <dc:format>application/pdf</dc:format>\n"
        "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    bad |= put_xml_text(b, m.title.data ? m.title.data : "");
    cs_buf_free(&m.title);
    bad |= cs_buf_printf(b, "</rdf:li></rdf:Alt></dc:title>\n"
        "   <xmp:CreateDate>%s</xmp:CreateDate>\n"
        "   <xmp:ModifyDate>%s</xmp:ModifyDate>\n"
        "   <xmp:MetadataDate>%s</xmp:MetadataDate>\n"
        "   <xmp:CreatorTool>%s</xmp:CreatorTool>\n"
        "   <pdf:Producer>%s</pdf:Producer>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        "<?xpacket end=\"w\"?>", m.created, m.modified, m.modified, CS_PDF_CREATOR, CS_PDF_PRODUCER);
    return bad ? -1 : 0;
}

/* Append s as a PDF text string in UTF-16BE with its byte order mark (hex). */
static int put_text_string(cs_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int bad = cs_buf_puts(b, "<FEFF");

    while (*p) {
        unsigned cp = cs_pdf_utf8_next(&p);

        if (cp >= 0x10000) {
            cp -= 0x10000;
            bad |= cs_buf_printf(b, "%04X%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            bad |= cs_buf_printf(b, "%04X", cp);
        }
    }
    bad |= cs_buf_puts(b, ">");
    return bad ? -1 : 0;
}

/*!
 * cs_pdf_info_dict()
 *
 *      Input:  b (<return> the dictionary is appended, without obj/endobj)
 *              title (UTF-8), created, modified (seconds since 1970, UTC)
 *      Return: 0 if OK, -1 when memory ran out
 */
int cs_pdf_info_dict(cs_buf *b, const char *title, long long created, long long modified)
{
    pdf_meta m;
    int bad = meta_prepare(&m, title, created, modified, 1);

    bad |= cs_buf_puts(b, "<< /Title ");
    bad |= put_text_string(b, m.title.data ? m.title.data : "");
    cs_buf_free(&m.title);
    bad |= cs_buf_printf(b, " /Creator (%s) /Producer (%s) /CreationDate (%s) /ModDate (%s) >>",
                         CS_PDF_CREATOR, CS_PDF_PRODUCER, m.created, m.modified);
    return bad ? -1 : 0;
}

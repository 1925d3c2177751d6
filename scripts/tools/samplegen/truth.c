/*
 * truth.c — samplegen's truth.jsonl: one line per TIFF page, saying what
 * was printed on it and how it was scanned, and one per other zip entry
 *
 * The fields are the contract with scripts/bench, scripts/bench-ocr (via
 * build/tools/cer) and the integration tests; see samplegen --help.
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <math.h>

void truth_page(cs_buf *t, const document *doc, int p)
{
    cs_buf text = CS_BUF_INIT;

    page_text(doc, p, &text);
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, doc->entry);
    tk_buf_printf(t, ",\"page\":%d,\"pages\":%d,\"doctype\":", p + 1, doc->npages);
    tk_buf_json(t, doc->dt->code);
    tk_buf_puts(t, ",\"mrn\":");
    if (doc->print_mrn)
        tk_buf_json(t, doc->pt->mrn);
    else
        tk_buf_puts(t, "null");
    /* the patient's own MRN, printed or not; null for a patient absent from the roster */
    tk_buf_puts(t, ",\"patient_mrn\":");
    if (!doc->absent)
        tk_buf_json(t, doc->pt->mrn);
    else
        tk_buf_puts(t, "null");
    tk_buf_printf(t, ",\"in_roster\":%s,\"compression\":\"%s\",\"dpi\":%d,\"skew\":%.2f,\"text\":",
            doc->in_roster ? "true" : "false", doc->g4 ? "g4" : "jpeg", doc->dpi, doc->skew);
    tk_buf_json(t, text.data ? text.data : "");
    tk_buf_puts(t, "}\n");
    cs_buf_free(&text);
}

void truth_other(cs_buf *t, const char *entry, const char *kind, const char *reason)
{
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, entry);
    tk_buf_puts(t, ",\"kind\":");
    tk_buf_json(t, kind);
    if (reason) {
        tk_buf_puts(t, ",\"reason\":");
        tk_buf_json(t, reason);
    }
    tk_buf_puts(t, "}\n");
}

/* The truth's "tags": what was done to the page, for the CER breakdown. */
static void scan_tags(const scan *sc, const paperwork *pw, cs_buf *t)
{
    int n = 0, stamp = pw && pw->stamp, copy = pw && pw->copy;
#define TAG(s) do { tk_buf_puts(t, n++ ? ",\"" s "\"" : "\"" s "\""); } while (0)
    tk_buf_puts(t, "[");
    if (sc->g4)
        TAG("g4");
    else
        TAG("jpeg");
    if (sc->dpi == 200)
        TAG("200dpi");
    else if (sc->dpi == 300)
        TAG("300dpi");
    else
        TAG("400dpi");
    if (sc->blank)
        TAG("blank");
    else if (sc->turn == 0)
        TAG("upright");
    else if (sc->turn == 2)
        TAG("upside-down");
    else
        TAG("sideways");
    if (fabs(sc->skew) > 2.0)
        TAG("skew>2");
    if (sc->edges)
        TAG("dark-edge");
    if (sc->holes)
        TAG("punch-holes");
    if (sc->blur)
        TAG("blur");
    if (sc->heavy_noise)
        TAG("heavy-noise");
    if (sc->shadow)
        TAG("shadow");
    if (copy)
        TAG("photocopy");
    if (stamp)
        TAG("stamp");
    if (stamp && pw->stamp_shape == STAMP_BOX)
        TAG("stamp-box");
    else if (stamp && pw->stamp_shape == STAMP_PLAIN)
        TAG("stamp-plain");
    else if (stamp)
        TAG("stamp-round");
    if (!sc->blank && sc->turn == 0 && fabs(sc->skew) <= 2.0 && !sc->edges && !sc->holes &&
        !sc->blur && !sc->heavy_noise && !sc->shadow && !copy && !stamp)
        TAG("clean");
#undef TAG
    tk_buf_puts(t, "]");
}

/* One truth line of a bench page; p is 1-based in the file. */
void truth_bench(cs_buf *t, const document *doc, int p, int filepages, const scan *sc,
                 const paperwork *pw, const char *text)
{
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, doc->entry);
    tk_buf_printf(t, ",\"page\":%d,\"pages\":%d,\"doctype\":", p, filepages);
    tk_buf_json(t, doc->dt->code);
    tk_buf_puts(t, ",\"mrn\":");
    if (sc->blank)
        tk_buf_puts(t, "null");
    else
        tk_buf_json(t, doc->pt->mrn);
    tk_buf_printf(t, ",\"in_roster\":%s,\"compression\":\"%s\",\"dpi\":%d,\"skew\":%.2f,"
            "\"rotation\":%d,\"blank\":%s,\"tags\":",
            sc->blank ? "false" : "true", sc->g4 ? "g4" : "jpeg", sc->dpi, sc->skew,
            (4 - sc->turn) % 4 * 90, sc->blank ? "true" : "false");
    scan_tags(sc, pw, t);
    tk_buf_puts(t, ",\"text\":");
    tk_buf_json(t, text);
    tk_buf_puts(t, "}\n");
}

/*
 * truth.c — evalgen's truth.jsonl: one line per document (what it is, whose
 * it is, and every form it was printed in) and one per blank back side.
 *
 * The fields are the contract with build/tools/evalscore; see evalgen --help.
 */
#include "scripts/tools/evalgen/evalgen.h"

void truth_document(cs_buf *t, const chart *ch, const document *d)
{
    const struct family *fam = &families[d->family];

    tk_buf_puts(t, "{\"kind\":\"document\",\"file\":");
    tk_buf_json(t, ch->entry);
    tk_buf_printf(t, ",\"first_page\":%d,\"last_page\":%d,\"doctype\":", d->first_page, d->last_page);
    tk_buf_json(t, doctypes[d->type].code);
    tk_buf_puts(t, ",\"mrn\":");
    if (ch->absent)
        tk_buf_puts(t, "null");
    else
        tk_buf_json(t, ch->pt.mrn);
    tk_buf_printf(t, ",\"in_roster\":%s,\"group\":\"%s\",\"mrn_printed\":%s,\"mrn_typo\":%s,"
            "\"date_of_service\":\"%04d-%02d-%02d\",\"family\":\"%s\",\"layout\":\"%s\","
            "\"split\":\"%s\",\"name_format\":",
            ch->absent ? "false" : "true", group_names[ch->pt.group],
            d->print_mrn ? "true" : "false", d->mrn_typo ? "true" : "false",
            d->dos.y, d->dos.m, d->dos.d, fam->name, fam->name, split_names[d->split]);
    tk_buf_json(t, name_formats[d->name_fmt].id);
    tk_buf_puts(t, ",\"dob_format\":");
    tk_buf_json(t, date_formats[d->dob_fmt].id);
    tk_buf_puts(t, ",\"dos_format\":");
    tk_buf_json(t, date_formats[d->dos_fmt].id);
    tk_buf_puts(t, ",\"title_wording\":");
    if (d->wording >= 0)
        tk_buf_json(t, wordings[d->type][d->wording].id);
    else
        tk_buf_puts(t, "null");
    tk_buf_puts(t, ",\"wording_text\":");
    if (d->wording >= 0)
        tk_buf_json(t, wordings[d->type][d->wording].text);
    else
        tk_buf_puts(t, "null");
    tk_buf_puts(t, ",\"title\":");
    if (d->title[0])
        tk_buf_json(t, d->title);
    else
        tk_buf_puts(t, "null");
    tk_buf_printf(t, ",\"font\":\"%s\",\"stamped\":%s,\"photocopy\":%s,\"fax\":%s,\"source_id\":",
            font_ids[d->font], d->stamped ? "true" : "false", ch->photocopy ? "true" : "false",
            fam->fax ? "true" : "false");
    tk_buf_json(t, d->body->id);
    tk_buf_puts(t, "}\n");
}


void truth_blank(cs_buf *t, const chart *ch, int p)
{
    tk_buf_puts(t, "{\"kind\":\"blank\",\"file\":");
    tk_buf_json(t, ch->entry);
    tk_buf_printf(t, ",\"page\":%d,\"blank\":true}\n", p);
}

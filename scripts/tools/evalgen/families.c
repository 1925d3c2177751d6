/*
 * families.c — evalgen's header-layout families, one function each, and
 * their table.
 *
 * A family is the way one kind of hospital form prints the patient's
 * identifiers: where (top, top right, footer, a label sticker, a table),
 * with which label words, in which fonts.  Each family varies inside
 * itself (label words, spacing, order) as forms of one kind do between
 * sites.  first() lays out the first page's top and leaves pg->y below
 * it; decorate(), when a family has one, adds what it prints on every page
 * (running header, fax lines, footer), once the page count is known.  The
 * two letter families are in forms.c, with the rest of the letters.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>


/* "Label value" at x, y: the label in bold when lbold, the value after it. */
static double label_value(page *pg, double x, double y, double size, const char *label,
                          const char *value, int lbold)
{
    const char *lf = page_font(pg, lbold);
    double vx = x + text_w(lf, size, label) + text_w(lf, size, " ");

    page_text(pg, lf, size, x, y, AL_LEFT, label);
    page_text(pg, page_font(pg, 0), size, vx, y, AL_LEFT, value);
    return vx + text_w(page_font(pg, 0), size, value);
}

/* Left-aligned text at x, y, made smaller when it is wider than maxw. */
static void fit_text(page *pg, const char *font, double size, double x, double y, double maxw,
                     const char *text)
{
    double w = text_w(font, size, text);
    page_text(pg, font, w > maxw && w > 0 ? size * maxw / w : size, x, y, AL_LEFT, text);
}

/* ======================= the six layouts before issue 11 ======================= */

static void fam_stacked(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "Patient:", "Patient:", "Patient Name:", "Name:" };
    static const char *const ml[] = { "MRN:", "MRN:", "MR#:", "Medical Record #:" };
    static const char *const bl[] = { "DOB:", "DOB:", "Date of Birth:", "Birth Date:" };
    static const char *const sl[] = { "Date of Service:", "Date of Service:", "Service Date:",
                                      "Visit Date:" };
    static const char *const al[] = { "Acct #:", "Acct #:", "Account:", "Acct No.:" };
    const char *lab[5] = { TK_PICK(r, nl), TK_PICK(r, ml), TK_PICK(r, bl), TK_PICK(r, sl),
                           TK_PICK(r, al) };
    const char *val[5] = { f->name, f->mrn, f->dob, f->dos, f->acct };
    int pad = tk_rng_percent(r, 35) ? 18 : 0, swap = tk_rng_percent(r, 25);

    heading(pg, d, f, r, 1);
    for (int i = 0; i < 5; i++) {
        int k = swap && (i == 2 || i == 3) ? 5 - i : i;
        if (val[k] && (k != 4 || tk_rng_percent(r, 80)))
            page_addf(pg, ST_BODY, "%-*s %s", pad, lab[k], val[k]);
    }
}

static void fam_paired(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "Name:", "Name:", "Patient:" };
    static const char *const ml[] = { "MR#:", "MR#:", "MRN:", "Med Rec #:" };
    static const char *const bl[] = { "Birth Date:", "Birth Date:", "DOB:" };
    static const char *const sl[] = { "Admission Date:", "Admission Date:", "Admit Date:",
                                      "Date of Service:" };
    const char *n = TK_PICK(r, nl), *b = TK_PICK(r, bl), *s = TK_PICK(r, sl);
    int w = 36 - (int)strlen(n);

    heading(pg, d, f, r, 1);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s %-*s %s %s", n, w, f->name, TK_PICK(r, ml), f->mrn);
    else
        page_addf(pg, ST_BODY, "%s %s", n, f->name);
    page_addf(pg, ST_BODY, "%s %-*s Visit #: %s", b, 36 - (int)strlen(b), f->dob, f->visit);
    page_addf(pg, ST_BODY, "%s %-*s Phone: %s", s, 36 - (int)strlen(s), f->dos, f->phone);
}

static void fam_hash_line(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 1);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s%s#%s", f->name, tk_rng_percent(r, 70) ? "   " : "  ", f->mrn);
    else
        page_add(pg, ST_BODY, f->name);
    page_addf(pg, ST_BODY, "%s %s      Encounter: %s", tk_rng_percent(r, 70) ? "D.O.B." : "DOB",
              f->dob, f->enc);
    page_addf(pg, ST_BODY, "Date: %s", f->dos);
}

static void fam_caps_stacked(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 1);
    page_addf(pg, ST_BODY, "PATIENT NAME: %s", f->name);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s %s", tk_rng_percent(r, 70) ? "MEDICAL RECORD NO.:"
                  : "MEDICAL RECORD NUMBER:", f->mrn);
    page_addf(pg, ST_BODY, "DATE OF BIRTH: %s", f->dob);
    page_addf(pg, ST_BODY, "ACCOUNT NUMBER: %s", f->acct);
    page_addf(pg, ST_BODY, "%s %s", tk_rng_percent(r, 50) ? "DATE OF EXAM:" : dos_label(d, 1), f->dos);
}

static void fam_mrn_first(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 1);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s %-20s Encounter #: %s",
                  tk_rng_percent(r, 70) ? "Med Rec #:" : "Med. Rec. #:", f->mrn, f->enc);
    page_addf(pg, ST_BODY, "Patient: %s", f->name);
    page_addf(pg, ST_BODY, "DOB: %-25s Phone: %s", f->dob, f->phone);
    page_addf(pg, ST_BODY, "Visit Date: %s", f->dos);
}

static void fam_unit_no(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 1);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s %s", tk_rng_percent(r, 70) ? "Unit No.:" : "Unit Number:", f->mrn);
    page_addf(pg, ST_BODY, "Patient Name: %s", f->name);
    page_addf(pg, ST_BODY, "Birthdate: %s      Sex: %c", f->dob, f->sex);
    page_addf(pg, ST_BODY, "Date of Service: %s", f->dos);
    page_addf(pg, ST_BODY, "Visit: %s", f->visit);
}

/* ======================= families added with issue 11 ======================= */

/*
 * label-sticker: the facility and form name at the top left, an
 * addressograph label stuck (a little crooked) in the box at the top
 * right: name, MRN and birth date, sex and age, admission date, account,
 * doctor, sometimes a barcode.
 */
static void fam_sticker(page *pg, const document *d, const fields *f, tk_rng *r)
{
    char l[6][96];
    int n = 0, barcode = tk_rng_percent(r, 45);
    const char *font = tk_rng_percent(r, 60) ? "Courier-Bold" : "Helvetica-Bold";
    double size = 8.5, lead = 10.5, w = 216, h, x = RIGHT_X + 18 - w, top = 770;
    double ang = tk_rng_range(r, -25, 25) / 10.0;

    snprintf(l[n++], sizeof l[0], "%s", f->name);
    switch (tk_rng_below(r, 4)) {
    case 0: snprintf(l[n++], sizeof l[0], "MRN: %s   DOB: %s", f->mrn ? f->mrn : "", f->dob); break;
    case 1: snprintf(l[n++], sizeof l[0], "MR# %s  %s", f->mrn ? f->mrn : "", f->dob); break;
    case 2: snprintf(l[n++], sizeof l[0], "%s    %s", f->mrn ? f->mrn : "", f->dob); break;
    default:
        snprintf(l[n++], sizeof l[0], "MRN %s", f->mrn ? f->mrn : "");
        snprintf(l[n++], sizeof l[0], "DOB %s  %dY %c", f->dob, f->age, f->sex);
        break;
    }
    switch (tk_rng_below(r, 3)) {
    case 0: snprintf(l[n++], sizeof l[0], "%c  %dY   ADM: %s", f->sex, f->age, f->dos); break;
    case 1: snprintf(l[n++], sizeof l[0], "SEX: %c AGE: %d  ADM %s", f->sex, f->age, f->dos); break;
    default: snprintf(l[n++], sizeof l[0], "VISIT %s", f->dos); break;
    }
    if (tk_rng_percent(r, 50))
        snprintf(l[n++], sizeof l[0], "ACCT: %s", f->acct);
    else
        snprintf(l[n++], sizeof l[0], "FIN %s  RM %s", f->visit, f->location);
    if (tk_rng_percent(r, 60))
        snprintf(l[n++], sizeof l[0], "DR %s", f->doctor_upper);
    for (int i = 0; i < n; i++)
        if (text_w(font, size, l[i]) > w - 12)
            size = size * (w - 12) / text_w(font, size, l[i]);
    h = n * lead + 8 + (barcode ? 20 : 0);
    if (tk_rng_percent(r, 40)) {      /* the form's box for the label */
        page_box(pg, x - 8, top - h - 12, w + 12, h + 16, 0.6);
        page_text(pg, "Helvetica", 6, x - 6, top - h - 20, AL_LEFT, "PATIENT IDENTIFICATION");
    }
    page_draw(pg, 0, "gsave %.1f %.1f translate %.1f rotate 0.7 setlinewidth 0 0 %.1f %.1f "
              "rectstroke /%s %.1f selectfont\n", x, top - h, ang, w, h, font, size);
    for (int i = 0; i < n; i++) {
        page_draw(pg, 0, "6 %.1f moveto ", h - 11 - i * lead);
        tk_ps_string(&pg->over, l[i]);
        tk_buf_puts(&pg->over, " show\n");
    }
    if (barcode)
        for (double bx = 8; bx < 150; ) {
            double bw = tk_rng_range(r, 6, 22) / 10.0;
            page_draw(pg, 0, "%.1f 5 %.1f 15 rectfill\n", bx, bw);
            bx += bw + tk_rng_range(r, 8, 25) / 10.0;
        }
    page_draw(pg, 0, "grestore\n");
    /* the form's own heading, left of the label */
    page_text(pg, page_font(pg, 1), 11, MARGIN_X - 18, 756, AL_LEFT, f->facility);
    page_text(pg, "Helvetica", 7.5, MARGIN_X - 18, 745, AL_LEFT, f->address);
    pg->y = (int)(top - h - 30);
    title_line(pg, d, tk_rng_percent(r, 50) ? 1 : 2);
}

/* One cell of a ruled table: a label and its value. */
typedef struct cell { const char *label; char value[96]; } cell;

/*
 * ruled-table: the identifiers in a grid of ruled cells, in one of three
 * forms: a row of labels over a row of values; label cells beside value
 * cells; or small labels in each cell's top left corner.
 */
static void fam_ruled_table(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "PATIENT NAME", "NAME (LAST, FIRST MI)", "PATIENT" };
    static const char *const ml[] = { "MRN", "MED REC #", "MEDICAL RECORD NO.", "HOSP #" };
    static const char *const bl[] = { "DOB", "DATE OF BIRTH", "BIRTHDATE" };
    static const char *const sl[] = { "DATE OF SERVICE", "VISIT DATE", "ADMIT DATE" };
    static const char *const pl[] = { "ATTENDING PHYSICIAN", "PROVIDER", "PHYSICIAN" };
    static const char *const al[] = { "ACCOUNT NO.", "FIN", "VISIT #" };
    cell c[2][4];
    int mode = (int)tk_rng_below(r, 3);
    const char *vf = page_font(pg, 0), *lf = "Helvetica-Bold";
    double vs = 9.5, ls = mode == 2 ? 6 : 7.5, y;

    heading(pg, d, f, r, 0);
    memset(c, 0, sizeof c);
    c[0][0].label = TK_PICK(r, nl); snprintf(c[0][0].value, sizeof c[0][0].value, "%s", f->name);
    c[0][1].label = TK_PICK(r, ml); snprintf(c[0][1].value, sizeof c[0][1].value, "%s", f->mrn ? f->mrn : "");
    c[0][2].label = TK_PICK(r, bl); snprintf(c[0][2].value, sizeof c[0][2].value, "%s", f->dob);
    c[0][3].label = "SEX"; snprintf(c[0][3].value, sizeof c[0][3].value, "%c", f->sex);
    c[1][0].label = TK_PICK(r, sl); snprintf(c[1][0].value, sizeof c[1][0].value, "%s", f->dos);
    c[1][1].label = TK_PICK(r, pl); snprintf(c[1][1].value, sizeof c[1][1].value, "%s", f->doctor);
    c[1][2].label = TK_PICK(r, al); snprintf(c[1][2].value, sizeof c[1][2].value, "%s", f->acct);
    c[1][3].label = "LOCATION"; snprintf(c[1][3].value, sizeof c[1][3].value, "%s", f->location);
    y = pg->y + 4;
    if (mode == 1) {
        /* label | value | label | value, two pairs a row */
        const cell *order[8] = { &c[0][0], &c[0][1], &c[0][2], &c[0][3], &c[1][0], &c[1][2],
                                 &c[1][1], &c[1][3] };
        double lw = 88, vw = (TEXT_W - 2 * lw) / 2, rh = 17;
        if (text_w(vf, vs, f->name) > vw - 8)
            vw = text_w(vf, vs, f->name) + 8 > 200 ? 200 : text_w(vf, vs, f->name) + 8;
        for (int row = 0; row < 4; row++) {
            double x = MARGIN_X, top = y - row * rh;
            for (int k = 0; k < 2; k++) {
                const cell *cc = order[row * 2 + k];
                double w2 = k == 0 ? vw : TEXT_W - 2 * lw - vw;
                page_draw(pg, 1, "0.9 setgray %.1f %.1f %.1f %.1f rectfill 0 setgray\n", x,
                          top - rh, lw, rh);
                page_box(pg, x, top - rh, lw, rh, 0.7);
                page_box(pg, x + lw, top - rh, w2, rh, 0.7);
                fit_text(pg, lf, ls, x + 4, top - rh + 5.5, lw - 7, cc->label);
                fit_text(pg, vf, vs, x + lw + 5, top - rh + 5, w2 - 8, cc->value);
                x += lw + w2;
            }
        }
        pg->y = (int)(y - 4 * rh - 20);
        return;
    }
    for (int row = 0; row < 2; row++) {
        double nat[4], tot = 0, x = MARGIN_X, lh = mode == 0 ? 12 : 0, vh = mode == 0 ? 16 : 25;
        double top = y - row * (lh + vh);
        for (int k = 0; k < 4; k++) {
            double a = text_w(lf, ls, c[row][k].label), b = text_w(vf, vs, c[row][k].value);
            nat[k] = (a > b ? a : b) + 12;
            tot += nat[k];
        }
        for (int k = 0; k < 4; k++) {
            double cw = nat[k] * TEXT_W / tot;
            if (mode == 0) {
                page_box(pg, x, top - lh, cw, lh, 0.7);
                page_text(pg, lf, ls, x + 4, top - lh + 3.5, AL_LEFT, c[row][k].label);
            } else {
                page_text(pg, "Helvetica", ls, x + 2.5, top - 7, AL_LEFT, c[row][k].label);
            }
            page_box(pg, x, top - lh - vh, cw, vh, 0.7);
            page_text(pg, vf, vs * (tot > TEXT_W ? TEXT_W / tot : 1), x + 5, top - lh - vh + 5,
                      AL_LEFT, c[row][k].value);
            x += cw;
        }
    }
    pg->y = (int)(y - 2 * (mode == 0 ? 28 : 25) - 20);
}

/*
 * two-column: the patient's fields on the left, the encounter's (doctor,
 * date, location, account) on the right of the same lines.
 */
static void fam_two_column(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const L[4][3] = {
        { "Patient:", "Name:", "Patient Name:" }, { "MRN:", "MR #:", "Med Rec No:" },
        { "DOB:", "Birth Date:", "DOB:" }, { "Sex:", "Gender:", "Sex:" },
    };
    static const char *const R[4][3] = {
        { "Attending:", "Physician:", "Provider:" }, { NULL, "Date of Service:", "Service Date:" },
        { "Location:", "Unit:", "Room:" }, { "Account:", "FIN:", "Acct #:" },
    };
    char left[4][96], right[4][96];
    int lbold = tk_rng_percent(r, 50), aligned = tk_rng_percent(r, 50), row = 0;
    double size = body_size[pg->font] - 1, colx = 326, vx = MARGIN_X;
    const char *ll[4], *rl[4];

    heading(pg, d, f, r, 0);
    for (int k = 0; k < 4; k++) {
        ll[k] = L[k][tk_rng_below(r, 3)];
        rl[k] = R[k][tk_rng_below(r, 3)];
        if (!rl[k])
            rl[k] = dos_label(d, 0);
        if (aligned && text_w(page_font(pg, lbold), size, ll[k]) + MARGIN_X + 8 > vx)
            vx = text_w(page_font(pg, lbold), size, ll[k]) + MARGIN_X + 8;
    }
    snprintf(left[0], sizeof left[0], "%s", f->name);
    snprintf(left[1], sizeof left[1], "%s", f->mrn ? f->mrn : "");
    snprintf(left[2], sizeof left[2], "%s  (%d y)", f->dob, f->age);
    snprintf(left[3], sizeof left[3], "%s", f->sex == 'F' ? "Female" : "Male");
    snprintf(right[0], sizeof right[0], "%s", f->doctor);
    snprintf(right[1], sizeof right[1], "%s", f->dos);
    snprintf(right[2], sizeof right[2], "%s", f->location);
    snprintf(right[3], sizeof right[3], "%s", f->acct);
    for (int k = 0; k < 4; k++) {
        double y = pg->y - row * 13, end;
        if (!f->mrn && k == 1)
            continue;
        if (aligned) {
            page_text(pg, page_font(pg, lbold), size, MARGIN_X, y, AL_LEFT, ll[k]);
            page_text(pg, page_font(pg, 0), size, vx, y, AL_LEFT, left[k]);
            end = vx + text_w(page_font(pg, 0), size, left[k]);
        } else {
            end = label_value(pg, MARGIN_X, y, size, ll[k], left[k], lbold);
        }
        if (end > colx - 8) {                  /* a long name: its line alone */
            row++;
            y -= 13;
        }
        label_value(pg, colx, y, size, rl[k], right[k], lbold);
        row++;
    }
    pg->y -= row * 13 + 6;
}

/*
 * fax-header: the record was faxed: the sending machine's line (and often
 * the receiving one's) across the top of every page, with its own date,
 * numbers and page count; the document's own header below is plain.
 */
static void fam_fax(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "Patient Name:", "Patient:", "Name:", "PATIENT:" };
    static const char *const ml[] = { "MRN:", "MR#:", "Medical Record No:", "Chart #:" };
    static const char *const bl[] = { "DOB:", "Date of Birth:", "Birth Date:" };

    heading(pg, d, f, r, 0);
    page_addf(pg, ST_BODY, "%s %s", TK_PICK(r, nl), f->name);
    if (f->mrn)
        page_addf(pg, ST_BODY, "%s %s", TK_PICK(r, ml), f->mrn);
    page_addf(pg, ST_BODY, "%s %s", TK_PICK(r, bl), f->dob);
    page_addf(pg, ST_BODY, "%s %s", dos_label(d, 0), f->dos);
}

static void deco_fax(page *pg, const document *d, const fields *f, int k, int n)
{
    char up[64], num[16];
    const char *font = f->var & 1 ? "Courier" : "Helvetica";
    double size = f->var & 1 ? 8 : 7.5;
    int cover = (f->var >> 1) & 1;           /* a cover sheet went first */
    int style = (int)((f->var >> 2) % 3);

    (void)d;
    snprintf(up, sizeof up, "%s", f->sender);
    for (char *s = up; *s; s++)
        *s = (char)toupper((unsigned char)*s);
    snprintf(num, sizeof num, "555%07u", (f->var >> 4) % 10000000);
    switch (style) {
    case 0:
        page_textf(pg, font, size, MARGIN_X - 36, 774, AL_LEFT, "%s  FROM: %s  FAX %s  TO: %s",
                   f->fax_when, f->sender, f->phone, num);
        page_textf(pg, font, size, RIGHT_X + 36, 774, AL_RIGHT, "P.%03d/%03d", k + cover, n + cover);
        break;
    case 1:
        page_textf(pg, font, size, MARGIN_X - 36, 774, AL_LEFT, "%s   %s   FAX No. %s", f->fax_when,
                   up, num);
        page_textf(pg, font, size, RIGHT_X + 36, 774, AL_RIGHT, "P. %d/%d", k + cover, n + cover);
        break;
    default:
        page_textf(pg, font, size, MARGIN_X - 36, 774, AL_LEFT,
                   "%s  %s  No. %04u  P. %d", f->fax_when, up, (f->var >> 8) % 10000, k + cover);
        break;
    }
    if ((f->var >> 6) & 1)        /* the receiving machine's line */
        page_textf(pg, "Helvetica", 7, PAGE_W / 2.0, 783, AL_CENTRE,
                   "Received: %s; %s -> Health Information; Page %d", f->printed, num, k + cover);
}

/*
 * footer-ids: nothing at the top but the heading (and the date of
 * service, sometimes); the identifiers are in the footer of every page.
 */
static void fam_footer_ids(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 0);
    if (f->var & 1)
        page_addf(pg, ST_BODY, "%s %s", dos_label(d, 0), f->dos);
}

static void deco_footer_ids(page *pg, const document *d, const fields *f, int k, int n)
{
    static const char *const nl[] = { "Patient:", "Pt:", "" };
    static const char *const ml[] = { "MRN:", "MR#", "Med Rec #:" };
    static const char *const bl[] = { "DOB:", "Birth Date:", "DOB" };
    const char *font = (f->var >> 1) & 1 ? "Helvetica" : "Courier";
    double size = (f->var >> 1) & 1 ? 7.5 : 8;
    unsigned v = f->var >> 3;
    char line[320];

    snprintf(line, sizeof line, "%s%s%s", nl[v % 3], nl[v % 3][0] ? " " : "", f->name);
    if (f->mrn)
        snprintf(line + strlen(line), sizeof line - strlen(line), "    %s %s", ml[(v / 3) % 3], f->mrn);
    snprintf(line + strlen(line), sizeof line - strlen(line), "    %s %s", bl[(v / 9) % 3], f->dob);
    if (!(f->var & 1))
        snprintf(line + strlen(line), sizeof line - strlen(line), "    DOS: %s", f->dos);
    if ((v / 27) & 1)
        page_rule(pg, MARGIN_X, 66, RIGHT_X, 66, 0.6);
    page_text(pg, font, size, MARGIN_X, 56, AL_LEFT, line);
    page_textf(pg, font, size, MARGIN_X, 46, AL_LEFT, "Printed %s", f->printed);
    if (d->footer)
        page_textf(pg, font, size, RIGHT_X, 46, AL_RIGHT, "Page %d of %d", k, n);
    else
        page_text(pg, font, size, RIGHT_X, 46, AL_RIGHT, "CONFIDENTIAL");
}

/*
 * dot-leader: a form whose labels run to their values on dotted leaders
 * (noisy: dots, a few commas and gaps, as a worn ribbon prints them), or
 * whose values are typed on the form's ruled lines.
 */
static void fam_dot_leader(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const ml[] = { "Medical Record Number", "Med. Rec. No.", "MRN" };
    const char *lab[6] = { "Patient Name", TK_PICK(r, ml), "Date of Birth", NULL,
                           "Attending Physician", "Sex" };
    const char *val[6] = { f->name, f->mrn, f->dob, f->dos, f->doctor, f->sex == 'F' ? "F" : "M" };
    int ruled = tk_rng_percent(r, 35), colon = tk_rng_percent(r, 50);
    double size = body_size[pg->font] - 0.5, vx = MARGIN_X + 180;
    const char *font = page_font(pg, 0);
    char dos_lab[40];

    snprintf(dos_lab, sizeof dos_lab, "%s", dos_label(d, 0));
    dos_lab[strcspn(dos_lab, ":")] = '\0';
    lab[3] = dos_lab;
    heading(pg, d, f, r, 0);
    for (int k = 0; k < 6; k++) {
        char lead[128];
        double lw, x;
        int n = 0;
        if (!val[k] || (k == 5 && tk_rng_percent(r, 50)))
            continue;
        page_textf(pg, font, size, MARGIN_X, pg->y, AL_LEFT, "%s%s", lab[k], colon ? ":" : "");
        lw = text_w(font, size, lab[k]) + (colon ? text_w(font, size, ":") : 0);
        if (ruled) {
            page_rule(pg, vx - 4, pg->y - 2.5, RIGHT_X, pg->y - 2.5, 0.6);
        } else {
            for (x = MARGIN_X + lw + 6; x < vx - 10 && n < (int)sizeof lead - 1; n++) {
                unsigned c = tk_rng_below(r, 100);
                lead[n] = c < 84 ? '.' : c < 92 ? ' ' : c < 96 ? ',' : c < 98 ? ':' : '\'';
                x += text_w(font, size, ".");
            }
            lead[n] = '\0';
            page_text(pg, font, size, MARGIN_X + lw + 6, pg->y, AL_LEFT, lead);
        }
        page_text(pg, font, size, vx, pg->y, AL_LEFT, val[k]);
        pg->y -= ruled ? 16 : 13;
    }
}

/*
 * labels-under: a form whose values are typed above a ruled line with a
 * small printed caption beneath it.
 */
static void fam_labels_under(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "Patient Name (Last, First, MI)", "Patient Name", "Name" };
    static const char *const ml[] = { "Med. Rec. No.", "Medical Record #", "MRN" };
    static const char *const bl[] = { "Birthdate", "Date of Birth", "DOB" };
    static const char *const pl[] = { "Attending Physician", "Provider" };
    static const char *const al[] = { "Account No.", "Acct #" };
    const char *lab[2][3] = { { TK_PICK(r, nl), TK_PICK(r, ml), TK_PICK(r, bl) },
                              { NULL, TK_PICK(r, pl), TK_PICK(r, al) } };
    const char *val[2][3] = { { f->name, f->mrn ? f->mrn : "", f->dob },
                              { f->dos, f->doctor, f->acct } };
    const char *vf = page_font(pg, tk_rng_percent(r, 30));
    const char *lf = tk_rng_percent(r, 50) ? "Helvetica" : "Times-Italic";
    double vs = body_size[pg->font] - 0.5, ls = 7;
    char dos_lab[40];

    snprintf(dos_lab, sizeof dos_lab, "%s", dos_label(d, 0));
    dos_lab[strcspn(dos_lab, ":")] = '\0';
    lab[1][0] = dos_lab;
    heading(pg, d, f, r, 0);
    pg->y -= 4;
    for (int row = 0; row < 2; row++) {
        double nat[3], tot = 0, x = MARGIN_X, scale;
        for (int k = 0; k < 3; k++) {
            double a = text_w(lf, ls, lab[row][k]), b = text_w(vf, vs, val[row][k]);
            nat[k] = (a > b ? a : b) + 18;
            tot += nat[k];
        }
        scale = tot > TEXT_W ? TEXT_W / tot : 1;
        for (int k = 0; k < 3; k++) {
            double cw = tot > TEXT_W ? nat[k] * scale : nat[k] + (TEXT_W - tot) / 3;
            page_text(pg, vf, vs * (scale < 1 ? scale : 1), x + 2, pg->y, AL_LEFT, val[row][k]);
            page_rule(pg, x, pg->y - 3.5, x + cw - 12, pg->y - 3.5, 0.6);
            page_text(pg, lf, ls, x, pg->y - 11, AL_LEFT, lab[row][k]);
            x += cw;
        }
        pg->y -= 30;
    }
}

/*
 * running-header: the identifiers only in the running header of every
 * page: a small block at the top right, or one line across the top above
 * a rule (as EHR printouts do).
 */
static void fam_running(page *pg, const document *d, const fields *f, tk_rng *r)
{
    heading(pg, d, f, r, 0);
}

static void deco_running(page *pg, const document *d, const fields *f, int k, int n)
{
    const char *font = f->var & 1 ? "Helvetica" : "Courier";
    double size = 8, y = 776;

    (void)d, (void)k, (void)n;
    if ((f->var >> 1) % 3 != 0) {            /* the top-right block */
        page_text(pg, font, size, RIGHT_X + 18, y, AL_RIGHT, f->name);
        if (f->mrn)
            page_textf(pg, font, size, RIGHT_X + 18, y -= 9, AL_RIGHT, "MRN: %s", f->mrn);
        page_textf(pg, font, size, RIGHT_X + 18, y -= 9, AL_RIGHT, "DOB: %s", f->dob);
        page_textf(pg, font, size, RIGHT_X + 18, y - 9, AL_RIGHT, "DOS: %s", f->dos);
        return;
    }
    if (f->mrn)
        page_textf(pg, font, size, MARGIN_X - 18, y, AL_LEFT, "%s (MRN %s)   DOB: %s", f->name,
                   f->mrn, f->dob);
    else
        page_textf(pg, font, size, MARGIN_X - 18, y, AL_LEFT, "%s   DOB: %s", f->name, f->dob);
    page_textf(pg, font, size, RIGHT_X + 18, y, AL_RIGHT, "Encounter Date: %s", f->dos);
    page_rule(pg, MARGIN_X - 18, y - 5, RIGHT_X + 18, y - 5, 0.6);
}

/*
 * banner-line: one or two lines of fields between separators in a ruled
 * band under the title (light grey behind it, sometimes).
 */
static void fam_banner(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const seps[] = { " | ", "   ", " - ", "  |  " };
    const char *sep = TK_PICK(r, seps);
    const char *font = tk_rng_percent(r, 50) ? "Helvetica" : page_font(pg, 0);
    double size = 9, top;
    char part[6][96], line[2][320];
    int np = 0, nl = 0, shade = tk_rng_percent(r, 40);

    heading(pg, d, f, r, 0);
    snprintf(part[np++], sizeof part[0], "%s", f->name);
    if (f->mrn)
        snprintf(part[np++], sizeof part[0], "MRN: %s", f->mrn);
    snprintf(part[np++], sizeof part[0], "DOB: %s", f->dob);
    snprintf(part[np++], sizeof part[0], "%d yo %c", f->age, f->sex);
    snprintf(part[np++], sizeof part[0], "DOS: %s", f->dos);
    snprintf(part[np++], sizeof part[0], "Acct: %s", f->acct);
    line[0][0] = line[1][0] = '\0';
    for (int k = 0; k < np; k++) {
        char tmp[320];
        snprintf(tmp, sizeof tmp, "%s%s%s", line[nl], line[nl][0] ? sep : "", part[k]);
        if (text_w(font, size, tmp) > TEXT_W - 10 && nl == 0 && line[0][0]) {
            nl = 1;
            snprintf(tmp, sizeof tmp, "%s", part[k]);
        }
        snprintf(line[nl], sizeof line[nl], "%s", tmp);
    }
    top = pg->y + 10;
    if (shade)
        page_draw(pg, 1, "0.88 setgray %d %.1f %d %.1f rectfill\n", MARGIN_X, top - 12.0 * (nl + 1) - 6,
                  TEXT_W, 12.0 * (nl + 1) + 6);
    page_box(pg, MARGIN_X, top - 12.0 * (nl + 1) - 6, TEXT_W, 12.0 * (nl + 1) + 6, 0.8);
    for (int k = 0; k <= nl; k++)
        page_text(pg, font, size, MARGIN_X + 5, top - 13 - k * 12, AL_LEFT, line[k]);
    pg->y = (int)(top - 12.0 * (nl + 1) - 22);
}

/*
 * alt-labels: label words of other systems ("Pt Name", "Patient ID",
 * "Chart #", "Hosp #", "Pt. DOB", "Date Seen"), two fields a line.
 */
static void fam_alt_labels(page *pg, const document *d, const fields *f, tk_rng *r)
{
    static const char *const nl[] = { "Pt Name:", "Pt:", "Client:", "Resident:",
                                      "Patient Name (Last, First):", "Pt. Name:" };
    static const char *const ml[] = { "Patient ID:", "Chart #:", "Hosp #:", "Med. Rec. No.:",
                                      "Hospital No.:", "MR No.:", "Chart No.:", "Pt ID:" };
    static const char *const bl[] = { "Birthdate:", "Pt. DOB:", "Born:", "D/O/B:", "B/D:",
                                      "Birth Dt:" };
    static const char *const sl[] = { "Date Seen:", "Svc Date:", "Encounter Dt:", "Visit Dt:",
                                      "Seen on:", "Appt Date:" };
    double size = body_size[pg->font] - 0.5, colx = 340, end;
    int lbold = tk_rng_percent(r, 40);

    heading(pg, d, f, r, 0);
    end = label_value(pg, MARGIN_X, pg->y, size, TK_PICK(r, nl), f->name, lbold);
    if (end > colx - 8)
        pg->y -= 13;
    if (f->mrn)
        label_value(pg, colx, pg->y, size, TK_PICK(r, ml), f->mrn, lbold);
    pg->y -= 13;
    label_value(pg, MARGIN_X, pg->y, size, TK_PICK(r, bl), f->dob, lbold);
    label_value(pg, colx, pg->y, size, TK_PICK(r, sl), f->dos, lbold);
    pg->y -= 13;
    if (tk_rng_percent(r, 60)) {
        label_value(pg, MARGIN_X, pg->y, size, "Encounter ID:", f->enc, lbold);
        label_value(pg, colx, pg->y, size, "Room:", f->location, lbold);
        pg->y -= 13;
    }
    pg->y -= 4;
}

/* ======================= the table ======================= */

/*
 * stratum 0: the six layouts (header0-5) and the letter of evalgen before
 * issue 11; 1: added with it.  name_mask: the name formats the family
 * prints (a label sticker prints upper-case "LAST, FIRST" forms).
 * cont: continuation headers on later pages (families whose identifiers
 * run on every page have none).  fax: pages go through a fax machine.
 * own_pages: decorate() prints "Page n of m" itself.
 */
const struct family families[NFAMILIES] = {
    { "stacked", 0, 0, NFM_ALL, fam_stacked, NULL, 1, 0, 0 },
    { "paired", 0, 0, NFM_ALL, fam_paired, NULL, 1, 0, 0 },
    { "hash-line", 0, 0, NFM_ALL, fam_hash_line, NULL, 1, 0, 0 },
    { "caps-stacked", 0, 0, NFM_ALL, fam_caps_stacked, NULL, 1, 0, 0 },
    { "mrn-first", 0, 0, NFM_ALL, fam_mrn_first, NULL, 1, 0, 0 },
    { "unit-no", 0, 0, NFM_ALL, fam_unit_no, NULL, 1, 0, 0 },
    { "label-sticker", 0, 1, NFM_UPPER_LAST_FIRST, fam_sticker, NULL, 1, 0, 0 },
    { "ruled-table", 0, 1, NFM_ALL, fam_ruled_table, NULL, 1, 0, 0 },
    { "two-column", 0, 1, NFM_ALL, fam_two_column, NULL, 1, 0, 0 },
    { "fax-header", 0, 1, NFM_ALL, fam_fax, deco_fax, 1, 1, 0 },
    { "footer-ids", 0, 1, NFM_ALL, fam_footer_ids, deco_footer_ids, 0, 0, 1 },
    { "dot-leader", 0, 1, NFM_ALL, fam_dot_leader, NULL, 1, 0, 0 },
    { "labels-under", 0, 1, NFM_ALL, fam_labels_under, NULL, 1, 0, 0 },
    { "running-header", 0, 1, NFM_ALL, fam_running, deco_running, 0, 0, 0 },
    { "banner-line", 0, 1, NFM_ALL, fam_banner, NULL, 1, 0, 0 },
    { "alt-labels", 0, 1, NFM_ALL, fam_alt_labels, NULL, 1, 0, 0 },
    { "letter-classic", 1, 0, NFM_ALL, fam_letter_classic, NULL, 1, 0, 0 },
    { "letter-block", 1, 1, NFM_ALL, fam_letter_block, NULL, 1, 0, 0 },
};
_Static_assert(NELEM(families) == NFAMILIES, "NFAMILIES is the table's size");

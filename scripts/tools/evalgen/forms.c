/*
 * forms.c — what evalgen's forms share whatever their family: the tuning /
 * held-out split, the title wordings and letter openings, the fields a
 * header prints, the facility heading and title, a hand stamp, the
 * closings, and the letters' openings.
 *
 * The split (see "THE SPLIT" in evalgen.c's header comment) is fixed: it
 * depends on SPLIT_SALT and the ids below, never on --seed.
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ======================= the split ======================= */

const char *const split_names[2] = { "tuning", "heldout" };

typedef struct split_item {
    const char *id;
    int stratum;
    int *out;                /* SPLIT_TUNING or SPLIT_HELDOUT is written here */
    uint64_t rank;
} split_item;

static int split_item_cmp(const void *a, const void *b)
{
    const split_item *x = a, *y = b;
    if (x->stratum != y->stratum)
        return x->stratum - y->stratum;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->id, y->id);
}

/*
 * Split the n items of one list: within each stratum, the items ranked by
 * the FNV-1a hash of SPLIT_SALT "|" list "|" id; the first half (rounded
 * up) is tuning, the rest held out.  Adding an item moves at most one
 * other across the line.
 */
static void split_items(const char *list, split_item *v, int n)
{
    char key[256];
    int i = 0;

    for (int k = 0; k < n; k++) {
        snprintf(key, sizeof key, "%s|%s|%s", SPLIT_SALT, list, v[k].id);
        v[k].rank = fnv1a(key);
    }
    qsort(v, (size_t)n, sizeof *v, split_item_cmp);
    while (i < n) {
        int j = i, s = v[i].stratum;
        while (j < n && v[j].stratum == s)
            j++;
        for (int k = i; k < j; k++)
            *v[k].out = k - i < (j - i + 1) / 2 ? SPLIT_TUNING : SPLIT_HELDOUT;
        i = j;
    }
}

int family_split[NFAMILIES];
int name_format_split[NF_COUNT];
int date_format_split[DF_COUNT];

/*
 * Split every list once: families (letters apart from the others, so that
 * each half has a letter family), name formats, date formats, and each
 * type's wordings.
 */
void split_init(void)
{
    split_item v[64];
    int n = 0;

    for (int k = 0; k < NFAMILIES; k++)
        v[n++] = (split_item){ families[k].name, families[k].letter ? 2 : families[k].stratum,
                               &family_split[k], 0 };
    split_items("family", v, n);
    n = 0;
    for (int k = 0; k < NF_COUNT; k++)
        v[n++] = (split_item){ name_formats[k].id, name_formats[k].stratum, &name_format_split[k], 0 };
    split_items("name", v, n);
    n = 0;
    for (int k = 0; k < DF_COUNT; k++)
        v[n++] = (split_item){ date_formats[k].id, date_formats[k].stratum, &date_format_split[k], 0 };
    split_items("date", v, n);
    for (int t = 0; t < NTYPES; t++) {
        n = 0;
        for (int k = 0; k < wording_count(t); k++)
            v[n++] = (split_item){ wordings[t][k].id, wordings[t][k].stratum, &wording_split[t][k], 0 };
        split_items("wording", v, n);
    }
}

/* ======================= title wordings and letter openings ======================= */

/*
 * Per document type (in doctypes[] order), its wordings.  Stratum 0: the
 * titles of evalgen before issue 11 (and the letter opening it had).  Two
 * radiology wordings are made from the body: "@exam" prints the exam named
 * on its EXAM: line, "@modality" the modality it mentions.  Letters have
 * no title: their wordings are openings (salutation and "Re:" block).
 */
const wording wordings[NTYPES][MAX_WORDINGS] = {
    {   /* discharge_summary */
        { "dis1", "DISCHARGE SUMMARY", 0 }, { "dis2", "HOSPITAL DISCHARGE SUMMARY", 0 },
        { "dis3", "DISCHARGE NOTE", 1 }, { "dis4", "TRANSFER/DISCHARGE SUMMARY", 1 },
        { "dis5", "SUMMARY OF HOSPITALIZATION", 1 }, { "dis6", "INPATIENT DISCHARGE SUMMARY", 1 },
        { "dis7", "Discharge Summary", 1 }, { "dis8", "PHYSICIAN DISCHARGE SUMMARY", 1 },
    },
    {   /* history_physical */
        { "hp1", "HISTORY AND PHYSICAL", 0 }, { "hp2", "CONSULTATION", 0 },
        { "hp3", "HISTORY AND PHYSICAL EXAMINATION", 0 }, { "hp4", "CONSULTATION REPORT", 0 },
        { "hp5", "H&P", 1 }, { "hp6", "ADMISSION HISTORY AND PHYSICAL", 1 },
        { "hp7", "CONSULT NOTE", 1 }, { "hp8", "INPATIENT CONSULTATION", 1 },
        { "hp9", "History & Physical", 1 }, { "hp10", "INITIAL CONSULTATION", 1 },
    },
    {   /* progress_note */
        { "prog1", "PROGRESS NOTE", 0 }, { "prog2", "CLINIC PROGRESS NOTE", 0 },
        { "prog3", "CLINIC NOTE", 1 }, { "prog4", "FOLLOW-UP VISIT", 1 },
        { "prog5", "OFFICE VISIT", 1 }, { "prog6", "SOAP NOTE", 1 },
        { "prog7", "DAILY PROGRESS NOTE", 1 }, { "prog8", "Outpatient Follow-up Note", 1 },
    },
    {   /* operative_report */
        { "op1", "OPERATIVE REPORT", 0 }, { "op2", "OPERATIVE NOTE", 0 },
        { "op3", "OPERATION NOTE", 1 }, { "op4", "PROCEDURE NOTE", 1 },
        { "op5", "BRIEF OP NOTE", 1 }, { "op6", "SURGICAL REPORT", 1 },
        { "op7", "REPORT OF OPERATION", 1 }, { "op8", "Operative Report", 1 },
    },
    {   /* radiology_report */
        { "rad1", "RADIOLOGY REPORT", 0 }, { "rad2", "DIAGNOSTIC IMAGING REPORT", 0 },
        { "rad3", "IMAGING REPORT", 1 }, { "rad4", "DEPARTMENT OF RADIOLOGY", 1 },
        { "rad5", "@exam", 1 }, { "rad6", "@modality", 1 },
        { "rad7", "FINAL REPORT", 1 }, { "rad8", "Radiology Report", 1 },
    },
    {   /* ed_note */
        { "ed1", "EMERGENCY DEPARTMENT RECORD", 0 }, { "ed2", "EMERGENCY DEPARTMENT NOTE", 0 },
        { "ed3", "ER VISIT NOTE", 1 }, { "ed4", "ED PHYSICIAN DOCUMENTATION", 1 },
        { "ed5", "EMERGENCY ROOM REPORT", 1 }, { "ed6", "ED PROVIDER NOTE", 1 },
        { "ed7", "EMERGENCY PHYSICIAN RECORD", 1 }, { "ed8", "Emergency Department Visit", 1 },
    },
    {   /* letter: openings */
        { "let1", "Re: block, Dear Dr.", 0 }, { "let2", "RE: Patient one line, Dear Dr.", 1 },
        { "let3", "RE:, To Whom It May Concern", 1 }, { "let4", "Patient: block, Dear Colleague", 1 },
        { "let5", "Regarding: line, Dear Dr.", 1 }, { "let6", "identifiers in the first sentence", 1 },
    },
};

int wording_split[NTYPES][MAX_WORDINGS];

int wording_count(int type)
{
    int n = 0;
    while (n < MAX_WORDINGS && wordings[type][n].id)
        n++;
    return n;
}

/* Upper-case copy of s, at most n - 1 bytes, cut at a word end when too long. */
static void upper_title(const char *s, size_t len, char *out, size_t n)
{
    size_t k = 0;

    while (len && (*s == ' ' || *s == ':'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '.' || s[len - 1] == '\r'))
        len--;
    for (; k < len && k + 1 < n; k++)
        out[k] = (char)toupper((unsigned char)s[k]);
    out[k] = '\0';
    if (k == len)
        return;
    while (k && out[k] != ' ')
        k--;
    out[k] = '\0';
}

/* The title a radiology body asks for (@exam, @modality); "" when it names none. */
void body_title(const char *text, int exam, char *out, size_t n)
{
    static const struct { const char *key, *title; } mods[] = {
        { "MRI", "MRI REPORT" }, { "magnetic resonance", "MRI REPORT" },
        { "CT ", "CT REPORT" }, { "computed tomograph", "CT REPORT" },
        { "mammogra", "MAMMOGRAPHY REPORT" }, { "echocardiogra", "ECHOCARDIOGRAM REPORT" },
        { "ltrasound", "ULTRASOUND REPORT" }, { "sonogra", "ULTRASOUND REPORT" },
        { "x-ray", "X-RAY REPORT" }, { "views", "X-RAY REPORT" },
        { "nuclear", "NUCLEAR MEDICINE REPORT" },
    };
    out[0] = '\0';
    if (exam) {
        const char *e = strstr(text, "EXAM:");
        if (e && (e == text || e[-1] == '\n') && e - text < 400) {
            e += 5;
            upper_title(e, strcspn(e, "\n"), out, n < 44 ? n : 44);
            if (strlen(out) >= 6)
                return;
            out[0] = '\0';
        }
    }
    for (size_t k = 0; k < NELEM(mods); k++) {
        const char *hit = strstr(text, mods[k].key);
        if (hit && hit - text < 700) {
            snprintf(out, n, "%s", mods[k].title);
            return;
        }
    }
    snprintf(out, n, "%s", "IMAGING REPORT");
}

/* ======================= what a header prints ======================= */

static const char *const facilities[] = {
    "RIVERBEND GENERAL HOSPITAL", "ST. AGATHA MEDICAL CENTER",
    "NORTHFIELD COMMUNITY HOSPITAL", "LAKESHORE REGIONAL MEDICAL CENTER",
    "PINE HOLLOW MEMORIAL HOSPITAL", "MERCY VALLEY HEALTH SYSTEM",
    "HARBORVIEW UNIVERSITY HOSPITAL", "COUNTY GENERAL MEDICAL CENTER",
    "Cedar Ridge Medical Center", "Ashby Memorial Hospital",
};
static const char *const clinics[] = {
    "Riverbend Cardiology Associates", "Northfield Neurology Clinic",
    "Lakeshore Orthopedic Group", "Pine Hollow Family Medicine",
    "St. Agatha Surgical Specialists", "Valley Gastroenterology",
    "Harborview Pulmonary & Sleep", "Marlow Internal Medicine",
};
static const char *const streets[] = {
    "Elm Street", "Harbor Road", "Mill Lane", "Orchard Avenue", "Station Road",
    "Kings Way", "Maple Drive",
};
static const char *const towns[] = {
    "Riverbend", "Northfield", "Lakeshore", "Pine Hollow", "Ashby", "Marlow",
};

void make_fields(const document *d, fields *f, tk_rng *r)
{
    static const char *const wings[] = { "North", "South", "East", "West" };
    char surname[32];
    date fd;

    memset(f, 0, sizeof *f);
    format_name(d->pt, d->name_fmt, d->courtesy, f->name, sizeof f->name);
    format_date(d->pt->dob, d->dob_fmt, f->dob, sizeof f->dob);
    format_date(d->dos, d->dos_fmt, f->dos, sizeof f->dos);
    f->mrn = d->print_mrn ? d->printed_mrn : NULL;
    /* distractor numbers: account, encounter, visit (as long as an MRN), phone */
    snprintf(f->acct, sizeof f->acct, "%u%05u", 10000 + tk_rng_below(r, 89999), tk_rng_below(r, 100000));
    snprintf(f->enc, sizeof f->enc, "%s%u", tk_rng_below(r, 2) ? "E" : "", 10000000 + tk_rng_below(r, 89999999));
    snprintf(f->visit, sizeof f->visit, "%u", 10000000 + tk_rng_below(r, 89999999));
    snprintf(f->phone, sizeof f->phone, "(555) %03u-%04u", 200 + tk_rng_below(r, 800), tk_rng_below(r, 10000));
    make_surname(r, surname, sizeof surname);
    {
        char ini = (char)('A' + tk_rng_below(r, 26));
        snprintf(f->doctor, sizeof f->doctor, "%c. %s, MD", ini, surname);
        snprintf(f->doctor_upper, sizeof f->doctor_upper, "%s, %c", surname, ini);
        for (char *s = f->doctor_upper; *s; s++)
            *s = (char)toupper((unsigned char)*s);
    }
    snprintf(f->location, sizeof f->location, "%d %s %d%s", tk_rng_range(r, 2, 7), TK_PICK(r, wings),
             tk_rng_range(r, 1, 40), tk_rng_percent(r, 30) ? "-B" : "");
    snprintf(f->address, sizeof f->address, "%d %s, %s    Tel %s", tk_rng_range(r, 10, 990),
             TK_PICK(r, streets), TK_PICK(r, towns), f->phone);
    fd = date_add(d->dos, tk_rng_range(r, 1, 60));
    snprintf(f->fax_when, sizeof f->fax_when, "%02d/%02d/%04d %02d:%02d", fd.m, fd.d, fd.y,
             tk_rng_range(r, 7, 18), tk_rng_range(r, 0, 59));
    fd = date_add(fd, tk_rng_range(r, 0, 30));
    snprintf(f->printed, sizeof f->printed, "%02d/%02d/%04d %02d:%02d", fd.m, fd.d, fd.y,
             tk_rng_range(r, 7, 18), tk_rng_range(r, 0, 59));
    f->facility = TK_PICK(r, facilities);
    f->sender = TK_PICK(r, clinics);
    f->age = age_on(d->pt->dob, d->dos);
    f->sex = d->pt->sex;
    f->var = (unsigned)(tk_rng_next(r) >> 16);
}

/* What the date of service is called on a form of this type. */
const char *dos_label(const document *d, int upper)
{
    static const char *const lab[][2] = {
        { "Admission Date:", "DATE OF ADMISSION:" }, { "Date of Service:", "DATE OF SERVICE:" },
        { "Visit Date:", "DATE OF VISIT:" }, { "Date of Surgery:", "DATE OF OPERATION:" },
        { "Exam Date:", "DATE OF EXAM:" }, { "Date of Visit:", "DATE OF VISIT:" },
        { "Date:", "DATE:" },
    };
    return lab[d->type][upper ? 1 : 0];
}

/* ======================= heading: facility and title ======================= */

/*
 * The title line in one of a few styles: 0 centred Courier-Bold 15 (the
 * style before issue 11), 1 centred bold in the body font, 2 left, 3
 * centred and underlined, 4 in a box.  Untitled documents print nothing.
 */
void title_line(page *pg, const document *d, int style)
{
    const char *bold = page_font(pg, 1);
    double w;

    if (!d->title[0]) {
        pg->y -= 8;
        return;
    }
    switch (style) {
    case 0:
        page_add(pg, ST_TITLE, d->title);
        return;
    case 2:
        pg->y -= 4;
        page_text(pg, bold, 13, MARGIN_X, pg->y, AL_LEFT, d->title);
        pg->y -= 22;
        return;
    default:
        pg->y -= 4;
        page_text(pg, bold, 14, PAGE_W / 2.0, pg->y, AL_CENTRE, d->title);
        w = text_w(bold, 14, d->title);
        if (style == 3)
            page_rule(pg, (PAGE_W - w) / 2, pg->y - 3, (PAGE_W + w) / 2, pg->y - 3, 0.8);
        else if (style == 4)
            page_box(pg, (PAGE_W - w) / 2 - 8, pg->y - 6, w + 16, 22, 1.0);
        pg->y -= style == 4 ? 26 : 22;
        return;
    }
}

/*
 * Facility and title.  classic: mostly the look of evalgen before issue
 * 11 (centred Courier-Bold facility and title).
 */
void heading(page *pg, const document *d, const fields *f, tk_rng *r, int classic)
{
    int style = classic && tk_rng_percent(r, 75) ? 0 : (int)tk_rng_below(r, 4);

    switch (style) {
    case 0:
        page_add(pg, ST_FACILITY, f->facility);
        title_line(pg, d, 0);
        return;
    case 1:
        page_text(pg, page_font(pg, 1), 13, PAGE_W / 2.0, pg->y, AL_CENTRE, f->facility);
        page_text(pg, "Helvetica", 8, PAGE_W / 2.0, pg->y - 11, AL_CENTRE, f->address);
        pg->y -= 26;
        break;
    case 2:
        page_text(pg, page_font(pg, 1), 12, MARGIN_X, pg->y, AL_LEFT, f->facility);
        page_text(pg, "Helvetica", 7.5, RIGHT_X, pg->y + 4, AL_RIGHT, "Health Information Management");
        page_text(pg, "Helvetica", 7.5, RIGHT_X, pg->y - 5, AL_RIGHT, f->address);
        if (tk_rng_percent(r, 60))
            page_rule(pg, MARGIN_X, pg->y - 9, RIGHT_X, pg->y - 9, 1.0);
        pg->y -= 26;
        break;
    default:
        page_text(pg, "Times-Bold", 14, PAGE_W / 2.0, pg->y, AL_CENTRE, f->facility);
        page_text(pg, "Times-Roman", 9.5, PAGE_W / 2.0, pg->y - 12, AL_CENTRE, f->address);
        pg->y -= 28;
        break;
    }
    title_line(pg, d, 1 + (int)tk_rng_below(r, 4));
}

/* ======================= degradation: a hand stamp ======================= */

/*
 * A rubber stamp in grey ink over part of the header, between the
 * baselines y_low and y_high: a rotated double-ruled box with a word and
 * a date (after the service: when the record arrived), painted beneath the
 * print as ink on paper is.
 */
void draw_stamp(page *pg, const document *d, tk_rng *r, int y_low, int y_high)
{
    static const char *const words[] = { "RECEIVED", "RECEIVED", "RECEIVED", "SCANNED",
                                         "COPY", "REVIEWED", "FILED" };
    static const char *const depts[] = { "", "HEALTH INFORMATION MGMT", "MEDICAL RECORDS",
                                         "HIM DEPT." };
    const char *word = TK_PICK(r, words), *dept = TK_PICK(r, depts);
    date sd = date_add(d->dos, tk_rng_range(r, 1, 45));
    char when[24], up[4];
    double w = tk_rng_range(r, 140, 185), h = dept[0] ? 60 : 48;
    double cx = tk_rng_range(r, 250, 470), cy, ang = tk_rng_range(r, -220, 220) / 10.0;
    double grey = tk_rng_range(r, 30, 55) / 100.0;

    if (y_high < y_low + 10)
        y_high = y_low + 10;
    cy = tk_rng_range(r, y_low, y_high);
    for (int i = 0; i < 3; i++)
        up[i] = (char)toupper((unsigned char)months[sd.m - 1][i]);
    up[3] = '\0';
    switch (tk_rng_below(r, 3)) {
    case 0: snprintf(when, sizeof when, "%s %02d %04d", up, sd.d, sd.y); break;
    case 1: snprintf(when, sizeof when, "%02d/%02d/%04d", sd.m, sd.d, sd.y); break;
    default: snprintf(when, sizeof when, "%02d %s %04d", sd.d, up, sd.y); break;
    }
    page_draw(pg, 1, "gsave %.1f %.1f translate %.1f rotate %.2f setgray\n", cx, cy, ang, grey);
    page_draw(pg, 1, "2.0 setlinewidth %.1f %.1f %.1f %.1f rectstroke\n", -w / 2, -h / 2, w, h);
    if (tk_rng_percent(r, 60))
        page_draw(pg, 1, "0.9 setlinewidth %.1f %.1f %.1f %.1f rectstroke\n", -w / 2 + 3.5,
                  -h / 2 + 3.5, w - 7, h - 7);
    page_draw(pg, 1, "/Helvetica-Bold 16 selectfont (%s) dup stringwidth pop 2 div neg %.1f "
              "moveto show\n", word, h / 2 - 22);
    page_draw(pg, 1, "/Helvetica-Bold 12 selectfont (%s) dup stringwidth pop 2 div neg %.1f "
              "moveto show\n", when, dept[0] ? -4.0 : -h / 2 + 9);
    if (dept[0])
        page_draw(pg, 1, "/Helvetica 7.5 selectfont (%s) dup stringwidth pop 2 div neg %.1f "
                  "moveto show\n", dept, -h / 2 + 8);
    /* uneven ink: small gaps where the rubber did not take it */
    page_draw(pg, 1, "1 setgray\n");
    for (int k = (int)(w * h / 18); k > 0; k--)
        page_draw(pg, 1, "%.1f %.1f %.1f %.1f rectfill\n", tk_rng_range(r, (int)(-w / 2), (int)(w / 2)) * 1.0,
                  tk_rng_range(r, (int)(-h / 2), (int)(h / 2)) * 1.0, tk_rng_range(r, 3, 12) / 10.0,
                  tk_rng_range(r, 3, 12) / 10.0);
    page_draw(pg, 1, "grestore\n");
}

/* ======================= closings ======================= */

/* The signature block of a report, in one of a few styles; dates after the service. */
void report_closing(page *pg, const document *d, const fields *f, tk_rng *r)
{
    char sdate[40], tdate[40], signer[32];
    date sd = date_add(d->dos, tk_rng_range(r, 1, 3));
    int fmt = tk_rng_percent(r, 50) ? d->dos_fmt : DF_MDY0;

    format_date(sd, fmt, sdate, sizeof sdate);
    format_date(date_add(sd, 1), fmt, tdate, sizeof tdate);
    make_surname(r, signer, sizeof signer);
    switch (tk_rng_below(r, 5)) {
    case 0:
        page_addf(pg, ST_BODY, "Electronically signed by %c. %s, MD on %s",
                  'A' + (int)tk_rng_below(r, 26), signer, sdate);
        break;
    case 1:
        page_addf(pg, ST_BODY, "Electronically signed by: %s, %s MD  %s %02d:%02d", signer,
                  first_name(r, tk_rng_below(r, 2) ? 'F' : 'M'), sdate, tk_rng_range(r, 7, 22),
                  tk_rng_range(r, 0, 59));
        break;
    case 2:
        page_addf(pg, ST_BODY, "Dictated by: %s", f->doctor);
        page_addf(pg, ST_BODY, "D: %s   T: %s   Job #: %u", sdate, tdate,
                  100000 + tk_rng_below(r, 900000));
        break;
    case 3:
        page_add(pg, ST_BODY, "");
        page_add(pg, ST_BODY, "______________________________");
        page_addf(pg, ST_BODY, "%c. %s, M.D.", 'A' + (int)tk_rng_below(r, 26), signer);
        page_add(pg, ST_BODY, "Attending Physician");
        break;
    default:
        page_addf(pg, ST_BODY, "Signed: %c. %s, MD     Date: %s", 'A' + (int)tk_rng_below(r, 26),
                  signer, sdate);
        break;
    }
}

/* ======================= letters ======================= */

/* The salutation's doctor; "" for openings without one. */
static void letter_re(page *pg, const document *d, const fields *f, const char *dr, tk_rng *r)
{
    const char *w = wordings[d->type][d->wording].id;
    char mrn[48] = "";

    if (f->mrn)
        snprintf(mrn, sizeof mrn, ", MRN %s", f->mrn);
    if (strcmp(w, "let2") == 0) {
        page_addf(pg, ST_BOLD, "RE: Patient %s, DOB %s%s", f->name, f->dob, mrn);
        page_add(pg, ST_BODY, "");
        page_addf(pg, ST_BODY, "Dear Dr. %s,", dr);
    } else if (strcmp(w, "let3") == 0) {
        page_addf(pg, ST_BODY, "RE: %s (DOB: %s%s%s)", f->name, f->dob, f->mrn ? "; MRN: " : "",
                  f->mrn ? f->mrn : "");
        page_add(pg, ST_BODY, "");
        page_add(pg, ST_BODY, "To Whom It May Concern:");
    } else if (strcmp(w, "let4") == 0) {
        page_addf(pg, ST_BODY, "Patient:        %s", f->name);
        page_addf(pg, ST_BODY, "Date of Birth:  %s", f->dob);
        if (f->mrn)
            page_addf(pg, ST_BODY, "Chart #:        %s", f->mrn);
        page_add(pg, ST_BODY, "");
        page_add(pg, ST_BODY, "Dear Colleague,");
    } else if (strcmp(w, "let5") == 0) {
        page_addf(pg, ST_BODY, "Regarding: %s     DOB: %s%s%s", f->name, f->dob,
                  f->mrn ? "     MRN: " : "", f->mrn ? f->mrn : "");
        page_add(pg, ST_BODY, "");
        page_addf(pg, ST_BODY, "Dear Dr. %s:", dr);
    } else if (strcmp(w, "let6") == 0) {
        strlist l = { 0 };
        char s[400];
        page_addf(pg, ST_BODY, "Dear Dr. %s:", dr);
        page_add(pg, ST_BODY, "");
        snprintf(s, sizeof s, "%s %s (date of birth %s%s%s) %s.",
                 tk_rng_percent(r, 50) ? "I had the pleasure of seeing" : "I saw your patient",
                 f->name, f->dob, f->mrn ? ", MRN " : "", f->mrn ? f->mrn : "",
                 tk_rng_percent(r, 50) ? "in the office today" : "in follow-up");
        wrap_text(s, page_font(pg, 0), body_size[pg->font], TEXT_W, &l);
        for (int i = 0; i < l.n; i++)
            page_add(pg, ST_BODY, l.v[i]);
        strlist_free(&l);
    } else {                                  /* let1: the opening before issue 11 */
        page_addf(pg, ST_BODY, "Re: %s", f->name);
        page_addf(pg, ST_BODY, "DOB: %s", f->dob);
        if (f->mrn)
            page_addf(pg, ST_BODY, "MRN: %s", f->mrn);
        page_add(pg, ST_BODY, "");
        page_addf(pg, ST_BODY, "Dear Dr. %s:", dr);
    }
    page_add(pg, ST_BODY, "");
}

/*
 * Addressee: a doctor at another practice; dr gets the surname for the
 * salutation.  A letter "To Whom It May Concern" has none.
 */
static void letter_addressee(page *pg, const document *d, tk_rng *r, char *dr, size_t drn)
{
    make_surname(r, dr, drn);
    if (strcmp(wordings[d->type][d->wording].id, "let3") == 0)
        return;
    page_addf(pg, ST_BODY, "%s %s, MD", first_name(r, tk_rng_below(r, 2) ? 'F' : 'M'), dr);
    page_addf(pg, ST_BODY, "%d %s", tk_rng_range(r, 10, 990), TK_PICK(r, streets));
    page_addf(pg, ST_BODY, "%s", TK_PICK(r, towns));
    page_add(pg, ST_BODY, "");
}

/* letter-classic: centred letterhead, date, addressee, opening (evalgen before issue 11). */
void fam_letter_classic(page *pg, const document *d, const fields *f, tk_rng *r)
{
    char dr[32], date_line[40];

    format_date(d->dos, d->dos_fmt, date_line, sizeof date_line);
    page_add(pg, ST_FACILITY, f->sender);
    page_addf(pg, ST_SMALL, "%s", f->address);
    page_add(pg, ST_BODY, "");
    page_add(pg, ST_BODY, date_line);
    page_add(pg, ST_BODY, "");
    letter_addressee(pg, d, r, dr, sizeof dr);
    letter_re(pg, d, f, dr, r);
}

/*
 * letter-block: a printed letterhead (Times, left, the practice's doctors
 * in a narrow column on the right, a rule), the date on the right.
 */
void fam_letter_block(page *pg, const document *d, const fields *f, tk_rng *r)
{
    char dr[32], date_line[40], doc2[40], doc3[40];
    int right_date = tk_rng_percent(r, 50);

    format_date(d->dos, d->dos_fmt, date_line, sizeof date_line);
    make_surname(r, doc2, sizeof doc2);
    make_surname(r, doc3, sizeof doc3);
    page_text(pg, "Times-Bold", 17, MARGIN_X, pg->y + 14, AL_LEFT, f->sender);
    page_textf(pg, "Times-Roman", 9, MARGIN_X, pg->y, AL_LEFT, "%s", f->address);
    page_textf(pg, "Times-Italic", 8.5, RIGHT_X, pg->y + 16, AL_RIGHT, "%s", f->doctor);
    page_textf(pg, "Times-Italic", 8.5, RIGHT_X, pg->y + 6, AL_RIGHT, "%c. %s, MD",
               'A' + (int)tk_rng_below(r, 26), doc2);
    page_textf(pg, "Times-Italic", 8.5, RIGHT_X, pg->y - 4, AL_RIGHT, "%c. %s, DO",
               'A' + (int)tk_rng_below(r, 26), doc3);
    page_rule(pg, MARGIN_X, pg->y - 10, RIGHT_X, pg->y - 10, 1.2);
    pg->y -= 34;
    if (right_date) {
        page_text(pg, page_font(pg, 0), body_size[pg->font], RIGHT_X, pg->y, AL_RIGHT, date_line);
        pg->y -= 26;
    } else {
        page_add(pg, ST_BODY, date_line);
        page_add(pg, ST_BODY, "");
    }
    letter_addressee(pg, d, r, dr, sizeof dr);
    letter_re(pg, d, f, dr, r);
}

/* The closing of a letter: the writer signs; a copy to someone, sometimes. */
void letter_closing(page *pg, const document *d, const fields *f, tk_rng *r)
{
    (void)d;
    page_add(pg, ST_BODY, tk_rng_percent(r, 80) ? "Sincerely," : "With kind regards,");
    if (tk_rng_percent(r, 40))
        page_add(pg, ST_BODY, "");
    page_add(pg, ST_BODY, f->doctor);
    if (tk_rng_percent(r, 35)) {
        char cc[32];
        make_surname(r, cc, sizeof cc);
        page_addf(pg, ST_BODY, "cc: %c. %s, MD", 'A' + (int)tk_rng_below(r, 26), cc);
    }
    if (tk_rng_percent(r, 15))
        page_add(pg, ST_BODY, "Dictated but not read");
}

/*
 * people.c — evalgen's people: invented names, the roster with its
 * look-alikes, and how a name or a date is printed (the name and date
 * formats the truth records).
 *
 * Names are invented from syllables so that no real person is named.  A
 * share of the patients carry what real rosters hold and parsers trip on:
 * hyphenated last names (8%), two-word last names with a particle ("Van
 * Ashford", "De la Penwick", 7%), O' and Mc names (6%), suffixes on men
 * (Jr., Sr., II, III, IV; 8% of men), and no middle name (25%).  The
 * roster's last_name holds the last name without the suffix; the suffix
 * is its own column (chartscan's import ignores columns it does not know).
 */
#include "scripts/tools/evalgen/evalgen.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ======================= invented names ======================= */

static const char *const last_prefix[] = {
    "Ash", "Bram", "Cal", "Dun", "Ell", "Fen", "Gar", "Hal", "Ives", "Kes",
    "Lang", "Mar", "Nor", "Oak", "Pen", "Quin", "Rad", "Sel", "Thorn", "Vel",
    "Wex", "Yar", "Brock", "Crane", "Dell", "Hart", "Lind", "Mor", "Stan", "Whit",
};
static const char *const last_suffix[] = {
    "ford", "wick", "ton", "ley", "more", "by", "dale", "son", "well",
    "hurst", "field", "stead", "cott", "brook", "ridge", "lowe", "man", "worth",
};
static const char *const particles[] = {
    "Van", "Van der", "De la", "Del", "De", "St.", "Da", "Von", "La", "Le",
};
static const char *const first_female[] = {
    "Maren", "Delia", "Orla", "Tessaly", "Brielle", "Corinne", "Ilsa", "Junia",
    "Liora", "Marisol", "Nessa", "Odette", "Perrin", "Rosalind", "Sabine",
    "Talia", "Verity", "Wren", "Yvaine", "Zelda", "Anouk", "Celestine",
    "Agnes", "Beatrix", "Clara", "Edith", "Greta", "Harriet", "Imogen", "Lenora",
};
static const char *const first_male[] = {
    "Anselm", "Bastian", "Cormac", "Dorian", "Emrys", "Fitzroy", "Gideon",
    "Hollis", "Idris", "Jory", "Lucan", "Merrick", "Nolan", "Osric", "Percival",
    "Rowan", "Soren", "Tobin", "Ulric", "Wystan", "Alder", "Caspian",
    "Ambrose", "Barnaby", "Cyril", "Edmund", "Gilbert", "Horace", "Leopold", "Milo",
};
const char *const months[12] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
};

void make_surname(tk_rng *r, char *out, size_t n)
{
    snprintf(out, n, "%s%s", TK_PICK(r, last_prefix), TK_PICK(r, last_suffix));
}

/* A patient's last name: mostly one invented word, sometimes two or a hyphen. */
static void make_last_name(tk_rng *r, char *out, size_t n)
{
    char a[24], b[24];
    unsigned x = tk_rng_below(r, 100);

    make_surname(r, a, sizeof a);
    if (x < 8) {                                   /* Ashford-Kesley */
        do
            make_surname(r, b, sizeof b);
        while (strcmp(a, b) == 0);
        snprintf(out, n, "%s-%s", a, b);
    } else if (x < 15) {                           /* Van Ashford, De la Penwick */
        snprintf(out, n, "%s %s", TK_PICK(r, particles), a);
    } else if (x < 18) {                           /* O'Penwick */
        snprintf(out, n, "O'%s", a);
    } else if (x < 21) {                           /* McDunford */
        snprintf(out, n, "Mc%s", a);
    } else {
        snprintf(out, n, "%s", a);
    }
}

const char *first_name(tk_rng *r, char sex)
{
    return sex == 'F' ? TK_PICK(r, first_female) : TK_PICK(r, first_male);
}

/* ======================= dates ======================= */

int date_eq(date a, date b)
{
    return a.y == b.y && a.m == b.m && a.d == b.d;
}

/* d plus days (days >= 0). */
date date_add(date d, int days)
{
    while (days-- > 0) {
        if (++d.d > tk_days_in_month(d.y, d.m)) {
            d.d = 1;
            if (++d.m > 12)
                d.m = 1, d.y++;
        }
    }
    return d;
}

/* Whole years from birth to on. */
int age_on(date birth, date on)
{
    int a = on.y - birth.y;
    if (on.m < birth.m || (on.m == birth.m && on.d < birth.d))
        a--;
    return a < 0 ? 0 : a;
}

/*
 * How dates are printed.  Stratum 0: the five formats of evalgen before
 * issue 11; 1: added with it.  The US sites print month before day; the
 * day-first forms spell the month out, so they stay unambiguous.
 */
const struct date_format date_formats[DF_COUNT] = {
    { "MM/DD/YYYY", 0 },      /* 03/14/1952 */
    { "M/D/YYYY", 0 },        /* 3/14/1952 */
    { "YYYY-MM-DD", 0 },      /* 1952-03-14 */
    { "DD-Mon-YYYY", 0 },     /* 14-Mar-1952 */
    { "Month D, YYYY", 0 },   /* March 14, 1952 */
    { "M/D/YY", 1 },          /* 3/14/52 */
    { "MM/DD/YY", 1 },        /* 03/14/52 */
    { "MM-DD-YYYY", 1 },      /* 03-14-1952 */
    { "Mon D, YYYY", 1 },     /* Mar 14, 1952 */
    { "MON-DD-YYYY", 1 },     /* MAR-14-1952 */
    { "D Month YYYY", 1 },    /* 14 March 1952 */
    { "YYYYMMDD", 1 },        /* 19520314 */
    { "DDMONYYYY", 1 },       /* 14MAR1952 */
};
_Static_assert(NELEM(date_formats) == DF_COUNT, "DF_COUNT is the table's size");

void format_date(date d, int fmt, char *out, size_t n)
{
    const char *mon = months[d.m - 1];
    char up[4];

    for (int i = 0; i < 3; i++)
        up[i] = (char)toupper((unsigned char)mon[i]);
    up[3] = '\0';
    switch (fmt) {
    case 0: snprintf(out, n, "%02d/%02d/%04d", d.m, d.d, d.y); break;
    case 1: snprintf(out, n, "%d/%d/%04d", d.m, d.d, d.y); break;
    case 2: snprintf(out, n, "%04d-%02d-%02d", d.y, d.m, d.d); break;
    case 3: snprintf(out, n, "%02d-%.3s-%04d", d.d, mon, d.y); break;
    case 4: snprintf(out, n, "%s %d, %04d", mon, d.d, d.y); break;
    case 5: snprintf(out, n, "%d/%d/%02d", d.m, d.d, d.y % 100); break;
    case 6: snprintf(out, n, "%02d/%02d/%02d", d.m, d.d, d.y % 100); break;
    case 7: snprintf(out, n, "%02d-%02d-%04d", d.m, d.d, d.y); break;
    case 8: snprintf(out, n, "%.3s %d, %04d", mon, d.d, d.y); break;
    case 9: snprintf(out, n, "%s-%02d-%04d", up, d.d, d.y); break;
    case 10: snprintf(out, n, "%d %s %04d", d.d, mon, d.y); break;
    case 11: snprintf(out, n, "%04d%02d%02d", d.y, d.m, d.d); break;
    default: snprintf(out, n, "%02d%s%04d", d.d, up, d.y); break;
    }
}

/* ======================= roster ======================= */

/* The truth's "group" of each enum group. */
const char *const group_names[G_COUNT] = {
    "plain", "twin", "same-name-other-dob", "same-last-name", "mrn-neighbour",
    "absent-same-name", "absent-same-last-and-dob", "absent-mrn-near", "absent-other",
};

static int mrn_distance1(const char *a, const char *b)   /* same length, one substitution */
{
    int diff = 0;
    for (; *a && *b; a++, b++)
        diff += *a != *b;
    return *a == *b && diff == 1;
}

/* 1 when mrn equals or is one substitution from any of the n patients' MRNs. */
static int mrn_clashes(const patient *pts, long n, const char *mrn, int allow_near)
{
    for (long i = 0; i < n; i++) {
        if (strcmp(pts[i].mrn, mrn) == 0)
            return 1;
        if (!allow_near && mrn_distance1(pts[i].mrn, mrn))
            return 1;
    }
    return 0;
}

static void random_mrn(tk_rng *r, const patient *pts, long n, char out[9])
{
    do
        snprintf(out, 9, "%08u", 10000000u + tk_rng_below(r, 90000000u));
    while (mrn_clashes(pts, n, out, 0));
}

/* An MRN one digit from base, absent from pts. */
static void neighbour_mrn(tk_rng *r, const patient *pts, long n, const char *base, char out[9])
{
    do {
        int pos = (int)tk_rng_below(r, 8), d;
        snprintf(out, 9, "%s", base);
        do
            d = pos == 0 ? tk_rng_range(r, 1, 9) : tk_rng_range(r, 0, 9);
        while (d == base[pos] - '0');
        out[pos] = (char)('0' + d);
    } while (mrn_clashes(pts, n, out, 1));
}

static void random_suffix(tk_rng *r, patient *p)
{
    static const char *const sfx[] = { "Jr", "Jr", "Jr", "Jr", "Sr", "Sr", "II", "III", "III", "IV" };
    p->suffix[0] = '\0';
    if (p->sex == 'M' && tk_rng_percent(r, 8))
        snprintf(p->suffix, sizeof p->suffix, "%s", TK_PICK(r, sfx));
}

static void random_person(tk_rng *r, patient *p)
{
    memset(p, 0, sizeof *p);
    make_last_name(r, p->last, sizeof p->last);
    p->sex = tk_rng_below(r, 2) ? 'F' : 'M';
    snprintf(p->first, sizeof p->first, "%s", first_name(r, p->sex));
    if (tk_rng_percent(r, 75))
        snprintf(p->middle, sizeof p->middle, "%s", first_name(r, p->sex));
    random_suffix(r, p);
    p->dob = tk_random_date(r, 1932, 2006);
    p->neighbour = -1;
}

/* A first name of the given sex other than avoid. */
static void other_first(tk_rng *r, char sex, const char *avoid, char *out, size_t n)
{
    const char *f;
    do
        f = first_name(r, sex);
    while (strcmp(f, avoid) == 0);
    snprintf(out, n, "%s", f);
}

static date other_dob(tk_rng *r, date avoid)
{
    date d;
    do
        d = tk_random_date(r, 1932, 2006);
    while (date_eq(d, avoid));
    return d;
}

static int date_before(date a, date b)
{
    return a.y != b.y ? a.y < b.y : a.m != b.m ? a.m < b.m : a.d < b.d;
}

/*
 * The roster: look-alike pairs first (a base patient and its derived
 * partner, both in the group), then plain patients; finally shuffled so
 * that partners are not adjacent in roster.csv.  Some same-name pairs of
 * men are father and son, told apart by Sr. and Jr. (and birth date).
 */
patient *make_roster(uint64_t seed, long n)
{
    tk_rng r = tk_rng_stream(seed, 1);
    patient *pts = tk_xcalloc((size_t)n, sizeof *pts);
    long pairs = n / 20 < 2 ? 2 : n / 20, i = 0, k, g;

    if (n < 4 * 2 * 2)
        pairs = 0;     /* too small for look-alikes: all plain */
    for (g = G_TWIN; g <= G_MRN_NEIGHBOUR && pairs; g++)
        for (k = 0; k < pairs && i + 1 < n; k++) {
            patient *a = &pts[i], *b = &pts[i + 1];
            random_person(&r, a);
            random_mrn(&r, pts, i, a->mrn);
            random_person(&r, b);
            switch (g) {
            case G_TWIN:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                other_first(&r, b->sex, a->first, b->first, sizeof b->first);
                b->dob = a->dob;
                break;
            case G_SAME_NAME:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                memcpy(b->first, a->first, sizeof b->first);
                b->sex = a->sex;
                b->dob = other_dob(&r, a->dob);
                a->suffix[0] = b->suffix[0] = '\0';
                if (a->sex == 'M' && tk_rng_percent(&r, 40)) {
                    int a_older = date_before(a->dob, b->dob);
                    snprintf(a->suffix, sizeof a->suffix, "%s", a_older ? "Sr" : "Jr");
                    snprintf(b->suffix, sizeof b->suffix, "%s", a_older ? "Jr" : "Sr");
                }
                break;
            case G_SAME_LAST:
                memcpy(b->last, a->last, sizeof b->last);   /* a and b are distinct patients */
                b->dob = other_dob(&r, a->dob);
                break;
            default:
                break;
            }
            if (b->sex == 'F')
                b->suffix[0] = '\0';
            if (g == G_MRN_NEIGHBOUR) {
                neighbour_mrn(&r, pts, i + 1, a->mrn, b->mrn);
                a->neighbour = (int)(i + 1);
                b->neighbour = (int)i;
            } else {
                random_mrn(&r, pts, i + 1, b->mrn);
            }
            a->group = b->group = (int)g;
            i += 2;
        }
    for (; i < n; i++) {
        random_person(&r, &pts[i]);
        random_mrn(&r, pts, i, pts[i].mrn);
    }
    for (i = 0; i < n; i++)
        pts[i].in_roster = 1;
    {
        /* shuffle through a permutation so that neighbour links can follow */
        long *perm = tk_xcalloc((size_t)n, sizeof *perm), *inv = tk_xcalloc((size_t)n, sizeof *inv);
        patient *old = pts;
        for (i = 0; i < n; i++)
            perm[i] = i;
        for (i = n - 1; i > 0; i--) {
            long j = (long)tk_rng_below(&r, (unsigned)(i + 1)), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        pts = tk_xcalloc((size_t)n, sizeof *pts);
        for (i = 0; i < n; i++) {
            pts[i] = old[perm[i]];
            inv[perm[i]] = i;
        }
        for (i = 0; i < n; i++)
            if (pts[i].neighbour >= 0)
                pts[i].neighbour = (int)inv[pts[i].neighbour];
        free(old);
        free(perm);
        free(inv);
    }
    return pts;
}

/* A patient absent from the roster, of group g, modelled on roster patient base. */
void make_outsider(tk_rng *r, const patient *roster, long n, int g, patient *p)
{
    const patient *base = &roster[tk_rng_below(r, (unsigned)n)];

    random_person(r, p);
    p->group = g;
    if (g == G_OUT_SAME_NAME) {
        snprintf(p->last, sizeof p->last, "%s", base->last);
        snprintf(p->first, sizeof p->first, "%s", base->first);
        p->sex = base->sex;
        p->dob = other_dob(r, base->dob);
        if (p->sex == 'F')
            p->suffix[0] = '\0';
    } else if (g == G_OUT_TWIN) {
        snprintf(p->last, sizeof p->last, "%s", base->last);
        other_first(r, p->sex, base->first, p->first, sizeof p->first);
        p->dob = base->dob;
    }
    if (g == G_OUT_MRN_NEAR)
        neighbour_mrn(r, roster, n, base->mrn, p->mrn);
    else
        random_mrn(r, roster, n, p->mrn);
}

void roster_csv(const patient *pts, long n, cs_buf *b)
{
    tk_buf_puts(b, "mrn,last_name,first_name,middle_name,birth_date,sex,suffix\n");
    for (long i = 0; i < n; i++) {
        const patient *p = &pts[i];
        tk_buf_printf(b, "%s,%s,%s,%s,%04d-%02d-%02d,%c,%s\n", p->mrn, p->last, p->first, p->middle,
                p->dob.y, p->dob.m, p->dob.d, p->sex, p->suffix);
    }
}

/* ======================= how a name is printed ======================= */

/*
 * The name formats.  Stratum 0: the four of evalgen before issue 11.
 * order: 'L' last, first (comma); 'N' last first (no comma); 'F' first last.
 * middle: 0 not printed, 1 initial, 2 initial with a period, 3 in full.
 * A suffix follows the last name in 'L' order ("SMITH JR, JOHN A") and
 * ends the name otherwise ("John A. Smith Jr.").
 */
const struct name_format name_formats[NF_COUNT] = {
    { "LAST, FIRST M", 0, 'L', 1, 1, 0, 0 },
    { "Last, First M", 0, 'L', 0, 1, 0, 0 },
    { "First M. Last", 0, 'F', 0, 2, 0, 0 },
    { "FIRST M. LAST", 0, 'F', 1, 2, 0, 0 },
    { "Last, First Middle", 1, 'L', 0, 3, 0, 0 },
    { "LAST, FIRST MIDDLE", 1, 'L', 1, 3, 0, 0 },
    { "LAST,FIRST M", 1, 'L', 1, 1, 1, 0 },
    { "Last First Middle", 1, 'N', 0, 3, 0, 0 },
    { "FIRST M LAST", 1, 'F', 1, 1, 0, 0 },
    { "First Middle Last", 1, 'F', 0, 3, 0, 0 },
    { "Mr. First M. Last", 1, 'F', 0, 2, 0, 1 },
    { "Last, First M.", 1, 'L', 0, 2, 0, 0 },
    { "First Last", 1, 'F', 0, 0, 0, 0 },
    { "LAST FIRST M", 1, 'N', 1, 1, 0, 0 },
};
_Static_assert(NELEM(name_formats) == NF_COUNT, "NF_COUNT is the table's size");

/*
 * pt's name in format fmt.  courtesy picks Mrs. or Ms. for women (the
 * caller's draw, so that every page of a document agrees).
 */
void format_name(const patient *pt, int fmt, int courtesy, char *out, size_t n)
{
    const struct name_format *f = &name_formats[fmt];
    char mid[32] = "", last[64], tmp[160];

    if (pt->middle[0]) {
        if (f->middle == 1)
            snprintf(mid, sizeof mid, " %c", pt->middle[0]);
        else if (f->middle == 2)
            snprintf(mid, sizeof mid, " %c.", pt->middle[0]);
        else if (f->middle == 3)
            snprintf(mid, sizeof mid, " %s", pt->middle);
    }
    if (pt->suffix[0] && (strcmp(pt->suffix, "Jr") == 0 || strcmp(pt->suffix, "Sr") == 0))
        snprintf(last, sizeof last, "%s %s%s", pt->last, pt->suffix, f->upper ? "" : ".");
    else if (pt->suffix[0])
        snprintf(last, sizeof last, "%s %s", pt->last, pt->suffix);
    else
        snprintf(last, sizeof last, "%s", pt->last);
    switch (f->order) {
    case 'L':
        snprintf(tmp, sizeof tmp, "%s,%s%s%s", last, f->tight ? "" : " ", pt->first, mid);
        break;
    case 'N':
        snprintf(tmp, sizeof tmp, "%s %s%s", pt->last, pt->first, mid);
        if (pt->suffix[0])
            snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), " %s", pt->suffix);
        break;
    default:
        snprintf(tmp, sizeof tmp, "%s%s%s %s",
                 !f->courtesy ? "" : pt->sex == 'M' ? "Mr. " : courtesy ? "Mrs. " : "Ms. ",
                 pt->first, mid, last);
        break;
    }
    if (f->upper)
        for (size_t i = 0; tmp[i]; i++)
            tmp[i] = (char)toupper((unsigned char)tmp[i]);
    snprintf(out, n, "%s", tmp);
}

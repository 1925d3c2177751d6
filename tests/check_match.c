/*
 * check_match.c — unit tests for indexer/'s verification of roster
 * candidates on the page (evidence.c, verify.c) and the decisions it
 * feeds (match.c, cs_index_match_verified): identifiers found whatever
 * the layout, never vouched for by the body, the never-file-wrongly
 * cases, documents without an MRN, and a randomised property over
 * thousands of generated pages.  All names and numbers are invented.
 */
#include "common/common.h"
#include "indexer/indexer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ---- */

static const cs_roster_record ROSTER[] = {
    /* 0 */ {"48213377", "Emard", "Israel", "Robert", {1952, 3, 14}, 'M'},
    /* 1 */ {"48213378", "Emard", "Ingrid", "", {1952, 3, 14}, 'F'},       /* twin of 0 */
    /* 2 */ {"71002345", "Emard", "Israel", "", {1968, 11, 2}, 'M'},       /* same name, other DOB */
    /* 3 */ {"55501002", "Smith-Jones", "Mary", "Ann", {1975, 5, 20}, 'F'},
    /* 4 */ {"60004411", "Van Dyke", "Peter", "", {1949, 12, 25}, 'M'},
    /* 5 */ {"00912345", "O'Brien", "Siobhan", "", {2001, 6, 10}, 'F'},
    /* 6 */ {"48218377", "Quill", "Ada", "", {1960, 7, 4}, 'F'},           /* one edit from 0 */
    /* 7 */ {"30303030", "Lowell", "Grace", "", {1988, 1, 30}, 'F'},
};
#define NROSTER (sizeof ROSTER / sizeof *ROSTER)

/* A body long enough that the header zone is its first lines only. */
static const char BODY[] =
    "HISTORY OF PRESENT ILLNESS: The patient presents with two days of cough.\n"
    "She denies fever or chills. No recent travel.\n"
    "PAST MEDICAL HISTORY: Hypertension, hyperlipidemia.\n"
    "MEDICATIONS: Lisinopril 10 mg daily.\n"
    "ALLERGIES: No known drug allergies.\n"
    "SOCIAL HISTORY: Nonsmoker. Occasional alcohol.\n"
    "FAMILY HISTORY: Noncontributory.\n"
    "REVIEW OF SYSTEMS: Otherwise negative.\n"
    "PHYSICAL EXAMINATION: Alert, oriented, in no distress.\n"
    "Lungs: scattered rhonchi. Heart: regular rate and rhythm.\n"
    "Abdomen: soft, nontender. Extremities: no edema.\n"
    "ASSESSMENT: Acute bronchitis.\n"
    "PLAN: Supportive care, return if worse.\n"
    "Labs reviewed with the patient today.\n"
    "Chest film reviewed: no infiltrate.\n"
    "Counselled on smoking avoidance.\n"
    "Follow up in two weeks in clinic.\n"
    "Return precautions discussed in detail.\n"
    "All questions were answered.\n"
    "Time spent: 25 minutes.\n";

/* One text page: header lines, the body, footer lines. */
static char *
page_text(const char *header, const char *footer)
{
    size_t n = strlen(header) + sizeof BODY + (footer ? strlen(footer) : 0) + 8;
    char *s = malloc(n);

    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s\n%s%s", header, BODY, footer ? footer : "");
    return s;
}

/* Verify roster record r on a text page. */
static cs_verification
verify_text(const char *text, const cs_roster_record *r)
{
    cs_index_page p;
    cs_evidence *e = NULL;
    cs_verification v;

    memset(&p, 0, sizeof p);
    p.text = text;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(cs_evidence_verify(e, r, &v), 0);
    cs_evidence_free(&e);
    ck_assert_ptr_null(e);
    return v;
}

static void
assert_levels(const cs_verification *v, cs_agreement mrn, cs_agreement birth, cs_agreement last,
              cs_agreement first, const char *what)
{
    ck_assert_msg(v->level[CS_ID_MRN] == mrn, "%s: mrn %d, expected %d", what,
                  v->level[CS_ID_MRN], mrn);
    ck_assert_msg(v->level[CS_ID_BIRTH] == birth, "%s: birth %d, expected %d", what,
                  v->level[CS_ID_BIRTH], birth);
    ck_assert_msg(v->level[CS_ID_LAST] == last, "%s: last %d, expected %d", what,
                  v->level[CS_ID_LAST], last);
    ck_assert_msg(v->level[CS_ID_FIRST] == first, "%s: first %d, expected %d", what,
                  v->level[CS_ID_FIRST], first);
}

#define E CS_AGREE_EXACT
#define C CS_AGREE_CLOSE
#define M CS_AGREE_MISSING

/* ---- verification ---- */

START_TEST(test_verify_layouts)
{
    static const struct {
        const char *header;
        int record;
        cs_agreement mrn, birth, last, first;
    } cases[] = {
        /* dot leaders that OCR reads as noise, and a misread label */
        {"Namie ........000- Emard, Israel R.\nMRN ......... 48213377\nDOB ...... 03/14/1952",
         0, E, E, E, E},
        /* upper case FIRST M LAST without a period, no labels at all */
        {"ISRAEL R EMARD\n48213377   3/14/52", 0, E, E, E, E},
        /* Last First Middle without a comma; label below the value */
        {"Emard Israel Robert        48213377\nPatient                    Chart #\n"
         "March 14, 1952\nBirthdate", 0, E, E, E, E},
        /* a sticker with a European date (day over 12: unambiguous) */
        {"+--------------------------+\n| EMARD, ISRAEL  M  72Y    |\n"
         "| 48213377  14.03.1952     |\n+--------------------------+", 0, E, E, E, E},
        /* ISO and compact dates, other label words */
        {"Pt Name: Israel Emard\nHosp #: 48213377\nBirthdate: 1952-03-14", 0, E, E, E, E},
        {"Patient ID 48213377  EMARD ISRAEL  19520314", 0, E, E, E, E},
        {"EMARD, ISRAEL  Chart# 48213377  DOB 14-MAR-1952", 0, E, E, E, E},
        {"EMARD, ISRAEL  Chart# 48213377  DOB MAR-14-1952", 0, E, E, E, E},
        /* day, month and year run together, OCR damage in the day */
        {"EMARD, ISRAEL  Chart# 48213377  DOB 14MAR1952", 0, E, E, E, E},
        {"EMARD,ISRAEL R | MRN: 48213377 | DOB: l4MAR 52 | 72 yo M", 0, E, E, E, E},
        /* OCR damage: a letter in the MRN, a digit in the name, a wrong letter */
        {"Name: EMARO, 1SRAEL\nMRN: 48Z13377\nDOB: O3/14/1952", 0, E, E, C, E},
        /* hyphenated and two-word last names, apostrophes, middle names */
        {"SMITH-JONES, MARY ANN   MR# 55501002   DOB 05/20/1975", 3, E, E, E, E},
        {"Smith Jones, Mary A.   MR# 55501002   DOB 5/20/1975", 3, E, E, E, E},
        {"Mr. Peter Van Dyke Jr.   Unit No. 60004411   Born 12/25/1949", 4, E, E, E, E},
        {"Peter VANDYKE   Unit No. 60004411   Born 12/25/49", 4, E, E, E, E},
        {"Ms. Siobhan O'Brien   MRN 912345   DOB 06/10/2001", 5, E, E, E, E},
        /* grouped MRN and an MRN glued to its label */
        {"Lowell, Grace   MRN 3030 3030   DOB 01/30/1988", 7, E, E, E, E},
        {"Lowell, Grace   MRN30303030   DOB 01-30-88", 7, E, E, E, E},
        /* day and month both 12 or less, printed the other way: close */
        {"Lowell, Grace  30303030\nDOB 01/30/1988", 7, E, E, E, E},
        {"Emard, Israel  48213377\nDOB 14/03/1952", 0, E, E, E, E},
        /* a separator misread by OCR */
        {"Patient: Emard, Israel  MRN 48213377  DOB: 03~14-1952", 0, E, E, E, E},
        /* one edit from the MRN: close */
        {"Emard, Israel  48213371  DOB 03/14/1952", 0, C, E, E, E},
    };

    {
        /* the run-together form is a date for extraction too */
        cs_date d;
        size_t used;
        ck_assert_int_eq(cs_index_parse_date("10MAR1948 |", CS_DATE_BIRTH, 2024, &d, &used), 1);
        ck_assert(d.year == 1948 && d.month == 3 && d.day == 10 && used == 9);
        ck_assert_int_eq(cs_index_parse_date("O5FEB 1973", CS_DATE_BIRTH, 2024, &d, &used), 1);
        ck_assert(d.year == 1973 && d.month == 2 && d.day == 5);
        ck_assert_int_eq(cs_index_parse_date("5MITH", CS_DATE_BIRTH, 2024, &d, &used), 0);
        ck_assert_int_eq(cs_index_parse_date("31FEB1950", CS_DATE_BIRTH, 2024, &d, &used), 0);
    }
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = page_text(cases[i].header, NULL), what[32];
        cs_verification v = verify_text(t, &ROSTER[cases[i].record]);
        snprintf(what, sizeof what, "case %zu", i);
        assert_levels(&v, cases[i].mrn, cases[i].birth, cases[i].last, cases[i].first, what);
        for (int k = 0; k < CS_ID_COUNT; k++)
            ck_assert_int_eq(v.hit[k].page, v.level[k] == M ? -1 : 0);
        free(t);
    }
}
END_TEST

START_TEST(test_verify_zones)
{
    char *t, body[4096];
    cs_verification v;
    cs_index_page p;
    cs_evidence *e = NULL;

    /* identifiers only in the footer */
    t = page_text("NORTHFIELD COMMUNITY HOSPITAL\nPROGRESS NOTE",
                  "Patient: Emard, Israel   MRN 48213377   DOB 03/14/1952\nPage 1 of 1\n");
    v = verify_text(t, &ROSTER[0]);
    assert_levels(&v, E, E, E, E, "footer");
    free(t);

    /* the MRN in the header, the name only in the body: the body cannot
     * vouch for a patient (the MRN is found anywhere) */
    snprintf(body, sizeof body, "Patient: Emard, Israel\nMRN 48213377\n%s%s"
             "He was seen with his twin, Ingrid Emard, born 3/14/1952.\n%s", BODY, BODY, BODY);
    memset(&p, 0, sizeof p);
    p.text = body;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_int_eq(cs_evidence_verify(e, &ROSTER[1], &v), 0);
    /* her MRN is one edit from his; the header names him, the body her */
    assert_levels(&v, C, M, E, M, "body");
    cs_evidence_free(&e);

    /* ... but a name beside the MRN in the middle of the page counts */
    snprintf(body, sizeof body, "%s%s\nEMARD, INGRID   48213378   03/14/1952\n%s", BODY, BODY,
             BODY);
    p.text = body;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_int_eq(cs_evidence_verify(e, &ROSTER[1], &v), 0);
    assert_levels(&v, E, E, E, E, "near the MRN");
    cs_evidence_free(&e);

    /* a first name far from the last name does not count: "Grace" in a
     * sentence, the last name in the header */
    t = page_text("Patient: Lowell, G.\nMRN 30303030\nDOB 01/30/1988\n\n\n\n\n"
                  "Said grace before meals.", NULL);
    v = verify_text(t, &ROSTER[7]);
    assert_levels(&v, E, E, E, M, "far first name");
    free(t);

    /* short names must match exactly */
    {
        cs_roster_record ann = {"12121212", "Ann", "Lee", "", {1970, 1, 1}, 'F'};
        t = page_text("ANNA LEE  12121212  01/01/1970", NULL);
        v = verify_text(t, &ann);
        assert_levels(&v, E, E, M, E, "short name");
        free(t);
    }

    /* an empty document verifies nothing; NULL arguments */
    memset(&p, 0, sizeof p);
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_int_eq(cs_evidence_verify(e, &ROSTER[0], &v), 0);
    assert_levels(&v, M, M, M, M, "empty");
    ck_assert_int_eq(cs_evidence_mrns(e, NULL, 4), 0);
    ck_assert_int_eq(cs_evidence_verify(NULL, &ROSTER[0], &v), -1);
    ck_assert_int_eq(cs_evidence_verify(e, NULL, &v), -1);
    cs_evidence_free(&e);
    cs_evidence_free(&e);
    cs_evidence_free(NULL);
    ck_assert_int_eq(cs_evidence_new(NULL, 1, 2024, &e), -1);
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, NULL), -1);
}
END_TEST

/* A page with word boxes: the header at the top, the body below. */
START_TEST(test_verify_word_boxes)
{
    static const struct { const char *t; int x, y, line; } W[] = {
        {"DISCHARGE", 900, 150, 0}, {"SUMMARY", 1300, 150, 0},
        {"Name", 300, 400, 1}, {"........", 420, 400, 1}, {"Emard,", 700, 400, 1},
        {"Israel", 900, 400, 1}, {"R.", 1080, 400, 1},
        {"MRN", 300, 460, 2}, {"48213377", 450, 460, 2},
        {"DOB", 1300, 460, 2}, {"3/14/52", 1420, 460, 2},
        {"Ingrid", 300, 2000, 3}, {"Emard", 480, 2000, 3}, {"visited", 660, 2000, 3},
    };
    cs_index_word words[sizeof W / sizeof *W];
    cs_index_page p;
    cs_evidence *e = NULL;
    cs_verification v;
    char mrns[4][CS_MRN_MAX];

    for (size_t i = 0; i < sizeof W / sizeof *W; i++)
        words[i] = (cs_index_word){W[i].t, W[i].x, W[i].y, 40 * (int)strlen(W[i].t) / 2, 40,
                                   90.0f, 1, W[i].line};
    memset(&p, 0, sizeof p);
    p.text = "(the text is not used when words are given)";
    p.words = words;
    p.nwords = sizeof W / sizeof *W;
    p.width = 2550;
    p.height = 3300;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_int_eq(cs_evidence_verify(e, &ROSTER[0], &v), 0);
    assert_levels(&v, E, E, E, E, "boxes");
    ck_assert_int_eq(v.hit[CS_ID_MRN].x, 450);
    ck_assert_int_eq(v.hit[CS_ID_MRN].y, 460);
    ck_assert_int_eq(v.hit[CS_ID_LAST].x, 700);
    ck_assert_int_eq(v.hit[CS_ID_FIRST].x, 900);
    ck_assert_int_eq(v.hit[CS_ID_BIRTH].x, 1420);
    /* the twin's name is in the body, low on the page: not vouched */
    ck_assert_int_eq(cs_evidence_verify(e, &ROSTER[1], &v), 0);
    assert_levels(&v, C, E, E, M, "twin in body");
    ck_assert_int_eq(cs_evidence_mrns(e, mrns, 4), 1);
    ck_assert_str_eq(mrns[0], "48213377");
    cs_evidence_free(&e);
}
END_TEST

START_TEST(test_evidence_mrns)
{
    char *t = page_text("Acct 1234567890   MRN: 48Z13377\nChart # 4821 3377   MRN55501002\n"
                        "Tel (555) 234-5678   A1234567", "Ref 00912345\n");
    char out[16][CS_MRN_MAX];
    cs_index_page p;
    cs_evidence *e = NULL;
    int n;

    memset(&p, 0, sizeof p);
    p.text = t;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    n = cs_evidence_mrns(e, out, 16);
    /* every MRN-like token once (the grouped one equals the repaired one) */
    {
        static const char *const want[] = {"1234567890", "48213377", "55501002", "A1234567",
                                           "00912345"};
        for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
            int found = 0;
            for (int i = 0; i < n; i++)
                found |= strcmp(out[i], want[k]) == 0;
            ck_assert_msg(found, "%s not among the MRN tokens", want[k]);
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                ck_assert_str_ne(out[i], out[j]);
    }
    ck_assert_int_eq(cs_evidence_mrns(e, out, 2), 2);
    cs_evidence_free(&e);
    free(t);
}
END_TEST

START_TEST(test_evidence_dates)
{
    char *t = page_text("Re: Patient Langford, Liora (date of birth 06/16/68)\n"
                        "Seen 2019-12-30; born 19520314; 14MAR1952 again; 25/12/1949",
                        "Printed 31.01.2024\n");
    cs_date d[8];
    cs_index_page p;
    cs_evidence *e = NULL;
    int n;

    memset(&p, 0, sizeof p);
    p.text = t;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    n = cs_evidence_dates(e, d, 8);
    ck_assert_int_eq(n, 5);
    ck_assert(d[0].year == 1968 && d[0].month == 6 && d[0].day == 16);   /* two-digit year */
    ck_assert(d[1].year == 2019 && d[1].month == 12 && d[1].day == 30);
    ck_assert(d[2].year == 1952 && d[2].month == 3 && d[2].day == 14);   /* 14MAR1952 the same */
    ck_assert(d[3].year == 1949 && d[3].month == 12 && d[3].day == 25);  /* D/M/Y: day over 12 */
    ck_assert(d[4].year == 2024 && d[4].month == 1 && d[4].day == 31);   /* the footer */
    ck_assert_int_eq(cs_evidence_dates(e, d, 2), 2);
    ck_assert_int_eq(cs_evidence_dates(NULL, d, 2), 0);
    cs_evidence_free(&e);
    free(t);

    /* one stray character between two digits (a speck, a stamp's edge)
     * is dropped; a token that is a date only after two drops, or a short
     * one, is left alone */
    t = page_text("DOB: 2Z7MAY1936 Seen 1I5APR1993 ref 12X34Y5678 code 2019-12-30\n"
                  "Order 3K1 lot 14MAR1952", NULL);
    memset(&p, 0, sizeof p);
    p.text = t;
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    n = cs_evidence_dates(e, d, 8);
    ck_assert_int_eq(n, 4);
    ck_assert(d[0].year == 1936 && d[0].month == 5 && d[0].day == 27);
    ck_assert(d[1].year == 1993 && d[1].month == 4 && d[1].day == 15);
    ck_assert(d[2].year == 2019 && d[2].month == 12 && d[2].day == 30);
    ck_assert(d[3].year == 1952 && d[3].month == 3 && d[3].day == 14);
    cs_evidence_free(&e);
    free(t);
}
END_TEST

/* ---- decisions with verification ---- */

typedef struct outcome {
    cs_match_decision d;
    size_t best;           /* roster index of the best candidate */
    cs_match_score s[NROSTER];
} outcome;

/* Extract fields from text, verify, match against the roster records listed (-1 ends). */
static outcome
decide_text(const char *header, const int *idx)
{
    char *t = page_text(header, NULL);
    cs_index_page p;
    cs_evidence *e = NULL;
    cs_roster_record c[NROSTER];
    cs_fields f;
    outcome o;
    size_t n = 0;

    memset(&o, 0, sizeof o);
    memset(&p, 0, sizeof p);
    p.text = t;
    for (; idx[n] >= 0; n++)
        c[n] = ROSTER[idx[n]];
    ck_assert_int_eq(cs_index_extract_fields(&p, 1, 2024, &f), 0);
    ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
    ck_assert_int_eq(cs_index_match_verified(&f, e, c, n, o.s, &o.d), 0);
    ck_assert(o.d.file == (o.d.reason == NULL));
    o.best = n ? (size_t)idx[o.s[0].record] : (size_t)-1;
    cs_evidence_free(&e);
    free(t);
    return o;
}

START_TEST(test_decide_files_what_extraction_missed)
{
    outcome o;

    /* the name is on the page but no label parser reads it */
    o = decide_text("Namie ........000- Emard, Israel R.\nMRN ......... 48213377\n"
                    "DOB ...... 03/14/1952", (const int[]){0, 1, 2, 6, -1});
    ck_assert_msg(o.d.file, "reason %s", o.d.reason ? o.d.reason : "");
    ck_assert_uint_eq(o.best, 0);
    o = decide_text("ISRAEL R EMARD      48213377      3/14/52", (const int[]){0, 1, 2, 6, -1});
    ck_assert_msg(o.d.file, "reason %s", o.d.reason ? o.d.reason : "");
    ck_assert_uint_eq(o.best, 0);
    ck_assert_int_ge(o.s[0].hit[CS_ID_LAST].page, 0);
    /* the twin's own page */
    o = decide_text("INGRID EMARD      48213378      3/14/52", (const int[]){0, 1, 2, 6, -1});
    ck_assert_int_eq(o.d.file, 1);
    ck_assert_uint_eq(o.best, 1);
}
END_TEST

START_TEST(test_decide_never_files_wrongly)
{
    outcome o;

    /* twins: Ingrid's page printing Israel's MRN */
    o = decide_text("Patient: Emard, Ingrid\nMRN: 48213377\nDOB: 03/14/1952",
                    (const int[]){0, 1, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_MRN_NAME);
    /* ... and without a first name: which twin? */
    o = decide_text("EMARD      48213377      3/14/52", (const int[]){0, 1, -1});
    ck_assert_int_eq(o.d.file, 0);
    /* an MRN typo that lands on another patient (Ada Quill's) */
    o = decide_text("Patient: Emard, Israel\nMRN: 48218377\nDOB: 03/14/1952",
                    (const int[]){6, 0, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_MRN_DOB);
    /* the same, unlabelled: nothing disagrees, but Ada's name and birth
     * date are not on the page */
    o = decide_text("EMARD, ISRAEL    48218377    3/14/1952", (const int[]){6, 0, -1});
    ck_assert_int_eq(o.d.file, 0);
    /* same name, other birth date */
    o = decide_text("Patient: Emard, Israel\nMRN: 71002345\nDOB: 03/14/1952",
                    (const int[]){2, 0, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_MRN_DOB);
    /* an outsider printing a roster MRN with another name and birth date */
    o = decide_text("Patient: Trent, Oswald\nMRN: 30303030\nDOB: 09/09/1944",
                    (const int[]){7, -1});
    ck_assert_int_eq(o.d.file, 0);
    /* an outsider: MRN not in the roster, a same-name patient in it */
    o = decide_text("Patient: Emard, Israel\nMRN: 99990000\nDOB: 07/07/1977",
                    (const int[]){0, 2, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_NOT_IN_ROSTER);
    /* two roster patients' MRNs on one page, each with their own name */
    o = decide_text("Emard, Israel  48213377  03/14/1952\nLowell, Grace  30303030  01/30/1988",
                    (const int[]){0, 7, -1});
    ck_assert_int_eq(o.d.file, 0);
}
END_TEST

START_TEST(test_decide_without_mrn)
{
    outcome o;

    /* a letter: verified full name and birth date, unique, no look-alike */
    o = decide_text("Dear Dr. Hale:\nRe: Grace Lowell\nDOB: 01/30/1988", (const int[]){7, -1});
    ck_assert_msg(o.d.file, "reason %s", o.d.reason ? o.d.reason : "");
    ck_assert_uint_eq(o.best, 7);
    /* a same-name patient with another birth date is within reach */
    o = decide_text("Re: Israel Emard\nDOB: 03/14/1952", (const int[]){0, 2, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_LOOKALIKE);
    /* a twin (same last name and birth date) is within reach */
    o = decide_text("Re: Israel Emard\nDOB: 03/14/1952", (const int[]){0, 1, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_LOOKALIKE);
    /* the birth date not on the page */
    o = decide_text("Re: Grace Lowell", (const int[]){7, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_NO_MRN);
    /* an outsider of the same name with another birth date */
    o = decide_text("Re: Grace Lowell\nDOB: 02/11/1990", (const int[]){7, -1});
    ck_assert_int_eq(o.d.file, 0);
    /* a labelled MRN that is not in the roster is no "document without MRN" */
    o = decide_text("Re: Grace Lowell\nMRN: 77777777\nDOB: 01/30/1988", (const int[]){7, -1});
    ck_assert_int_eq(o.d.file, 0);
    ck_assert_ptr_eq(o.d.reason, CS_REASON_NOT_IN_ROSTER);
}
END_TEST

/* ---- property: generated pages, damaged, never filed to another patient ---- */

static size_t
rnd(uint64_t *st, size_t n)
{
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (size_t)(*st >> 33) % n;
}

/* Damage one letter or digit of s in place (an OCR misread). */
static void
damage(char *s, uint64_t *st)
{
    size_t n = strlen(s);

    if (n)
        s[rnd(st, n)] = "XQ0Z|"[rnd(st, 5)];
}

START_TEST(test_verify_random_never_wrong)
{
    enum { PATIENTS = 240, DOCS = 6000 };
    static const char *const LAST[] = {"Smith", "Johnson", "Baker", "Nguyen", "Garcia",
                                       "Miller", "Van Dyke", "Smith-Jones", "O'Brien", "Lopez"};
    static const char *const FIRST[] = {"John", "Mary", "Anna", "Emma", "James", "Linda",
                                        "Jose", "Maria", "David", "Susan", "Jon", "Marie"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    static cs_roster_record roster[PATIENTS];
    static char mrns[PATIENTS][CS_MRN_MAX];
    uint64_t st = 4242;
    long filed = 0;

    for (size_t i = 0; i < PATIENTS; i++) {
        snprintf(mrns[i], CS_MRN_MAX, "%08zu", 40000000 + (i / 3) * 10 + i % 3);
        roster[i].mrn = mrns[i];
        roster[i].last = LAST[rnd(&st, 10)];
        roster[i].first = FIRST[rnd(&st, 12)];
        roster[i].middle = "";
        roster[i].birth = (cs_date){1940 + (int)rnd(&st, 60), 1 + (int)rnd(&st, 12),
                                    1 + (int)rnd(&st, 28)};
        if (i % 10 == 1) {             /* twins of the one before */
            roster[i].last = roster[i - 1].last;
            roster[i].birth = roster[i - 1].birth;
            while (cs_jaro_winkler(roster[i].first, roster[i - 1].first) > 0.8)
                roster[i].first = FIRST[rnd(&st, 12)];
        }
        if (i % 10 == 2) {             /* same name as the one before, other DOB */
            roster[i].last = roster[i - 1].last;
            roster[i].first = roster[i - 1].first;
        }
    }
    for (int k = 0; k < DOCS; k++) {
        size_t t = rnd(&st, PATIENTS), nc = 0, other = rnd(&st, PATIENTS);
        int absent = rnd(&st, 20) == 0;
        const cs_roster_record *pt = &roster[t];
        char name[96], mrn[CS_MRN_MAX], dob[40], header[512], *text;
        cs_roster_record cand[PATIENTS];
        size_t cand_idx[PATIENTS];
        cs_match_score s[PATIENTS];
        cs_match_decision d;
        cs_index_page p;
        cs_evidence *e = NULL;
        cs_fields f;
        size_t r;

        /* the printed name, in one of several forms, sometimes damaged */
        switch (rnd(&st, 4)) {
        case 0: snprintf(name, sizeof name, "%s, %s", pt->last, pt->first); break;
        case 1: snprintf(name, sizeof name, "%s %s", pt->first, pt->last); break;
        case 2: snprintf(name, sizeof name, "%s %s K", pt->last, pt->first); break;
        default: snprintf(name, sizeof name, "Mr. %s Q. %s", pt->first, pt->last); break;
        }
        if (rnd(&st, 10) == 0)
            damage(name, &st);
        if (rnd(&st, 12) == 0)      /* only the last name printed */
            snprintf(name, sizeof name, "%s", pt->last);
        /* the MRN: right, misread (may land on a neighbour), another patient's, none */
        r = rnd(&st, 20);
        snprintf(mrn, sizeof mrn, "%s", pt->mrn);
        if (r < 3)
            mrn[7 - rnd(&st, 3)] = (char)('0' + rnd(&st, 10));
        else if (r < 4)
            snprintf(mrn, sizeof mrn, "%s", roster[other].mrn);
        else if (r < 6)
            mrn[0] = '\0';
        /* the birth date, in several forms; sometimes wrong or missing */
        r = rnd(&st, 12);
        if (r < 3)
            snprintf(dob, sizeof dob, "%02d/%02d/%04d", pt->birth.month, pt->birth.day,
                     pt->birth.year);
        else if (r < 5)
            snprintf(dob, sizeof dob, "%d/%d/%02d", pt->birth.month, pt->birth.day,
                     pt->birth.year % 100);
        else if (r < 7)
            snprintf(dob, sizeof dob, "%02d %s %04d", pt->birth.day, MONTHS[pt->birth.month - 1],
                     pt->birth.year);
        else if (r < 8)
            snprintf(dob, sizeof dob, "%04d-%02d-%02d", pt->birth.year, pt->birth.month,
                     pt->birth.day);
        else if (r < 10)
            snprintf(dob, sizeof dob, "%02d/%02d/%04d", 1 + (int)rnd(&st, 12),
                     1 + (int)rnd(&st, 28), 1930 + (int)rnd(&st, 80));
        else
            dob[0] = '\0';
        switch (rnd(&st, 3)) {
        case 0:
            snprintf(header, sizeof header, "Patient: %s\n%s%s\n%s%s", name,
                     mrn[0] ? "MRN: " : "", mrn, dob[0] ? "DOB: " : "", dob);
            break;
        case 1:
            snprintf(header, sizeof header, "%s   %s   %s", name, mrn, dob);
            break;
        default:
            snprintf(header, sizeof header, "Name ......... %s\nChart # ...... %s\n"
                     "Birthdate .... %s", name, mrn, dob);
            break;
        }
        text = page_text(header, NULL);
        memset(&p, 0, sizeof p);
        p.text = text;
        ck_assert_int_eq(cs_index_extract_fields(&p, 1, 2024, &f), 0);
        ck_assert_int_eq(cs_evidence_new(&p, 1, 2024, &e), 0);
        /* the candidate queries: MRNs shown and one edit away, the
         * extracted name with the birth date, the name with any date */
        {
            char shown[16][CS_MRN_MAX];
            int ns = cs_evidence_mrns(e, shown, 16);
            for (size_t i = 0; i < PATIENTS; i++) {
                int take = 0;
                if (absent && i == t)
                    continue;
                for (int j = 0; j < ns && !take; j++)
                    take = cs_index_mrn_distance(shown[j], roster[i].mrn) <= 1;
                if (f.mrn_info.found && cs_index_mrn_distance(f.mrn, roster[i].mrn) <= 1)
                    take = 1;
                if (f.name_info.found && cs_jaro_winkler(f.last, roster[i].last) > 0.8 &&
                    (cs_date_cmp(&f.birth, &roster[i].birth) == 0 ||
                     cs_jaro_winkler(f.first, roster[i].first) >= 1.0))
                    take = 1;
                if (take) {
                    cand_idx[nc] = i;
                    cand[nc++] = roster[i];
                }
            }
        }
        ck_assert_int_eq(cs_index_match_verified(&f, e, cand, nc, s, &d), 0);
        if (d.file) {
            filed++;
            ck_assert_msg(!absent && cand_idx[s[0].record] == t,
                          "document %d of patient %zu filed to %zu (absent %d): header \"%s\"",
                          k, t, cand_idx[s[0].record], absent, header);
        }
        cs_evidence_free(&e);
        free(text);
    }
    /* not everything goes to review */
    ck_assert_int_gt(filed, DOCS / 4);
}
END_TEST

static Suite *
match_suite(void)
{
    Suite *s = suite_create("match");
    TCase *tc = tcase_create("verification");

    tcase_add_test(tc, test_verify_layouts);
    tcase_add_test(tc, test_verify_zones);
    tcase_add_test(tc, test_verify_word_boxes);
    tcase_add_test(tc, test_evidence_mrns);
    tcase_add_test(tc, test_evidence_dates);
    suite_add_tcase(s, tc);

    tc = tcase_create("decisions");
    tcase_add_test(tc, test_decide_files_what_extraction_missed);
    tcase_add_test(tc, test_decide_never_files_wrongly);
    tcase_add_test(tc, test_decide_without_mrn);
    tcase_add_test(tc, test_verify_random_never_wrong);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(match_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

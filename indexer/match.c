/*
 * match.c — scoring roster candidates against a document's fields, in
 * the Fellegi-Sunter manner, and the decision to file or to review.
 *
 * Interface routines:
 *   cs_index_match    score, rank, decide
 *
 * Each field compares at one of a few agreement levels; a level's weight
 * is ln(m / u), where m = P(level | same patient) and u = P(level |
 * different patients).  The candidate's weight is the sum over fields
 * (a field missing on either side adds 0).  The constants, and why:
 *
 *   field  level      m      u        weight   reasoning
 *   MRN    exact      0.95   1e-6     +13.76   u: one MRN among ~10^6 patients;
 *                                              m: OCR reads 8 digits right ~95%
 *          one edit   0.03   1e-4      +5.70   u: ~170 one-edit neighbours of
 *                                              an MRN, a dense roster fills some
 *          disagree   0.02   0.9999    -3.91   m: wrong label, old MRN, misread
 *   DOB    exact      0.97   3.4e-5   +10.26   u: 1 / (365 days x 80 years)
 *          day/month  0.005  3.4e-5    +4.99   swapped by a clerk or OCR reading
 *          disagree   0.025  1.0       -3.69   m: typing errors in either source
 *   last   exact      0.92   0.002     +6.13   u: surname frequencies sum p^2
 *          JW >= 0.92 0.05   0.005     +2.30   OCR damage, spelling variants
 *          disagree   0.03   0.993     -3.50   m: marriage, hyphenation
 *   first  exact      0.92   0.005     +5.21   first names are less diverse
 *          JW >= 0.92 0.05   0.01      +1.61   (or the initial only)
 *          disagree   0.03   0.985     -3.49   m: nicknames (Bill / William)
 *
 * The u values are deliberately at the high end of what a random pair
 * would give: candidates come from blocking queries that already share
 * an MRN neighbourhood or a name and birth date with the document, and
 * an over-estimated u only makes weights smaller, i.e. sends more to
 * review.  The m values are guesses from the error rates of scanned
 * records (no labelled matching data exists yet); the evaluation
 * generator (scripts/eval-index) is where they should be refitted.
 *
 * Probability.  pair_probability = logistic(weight + ln PRIOR_ODDS) with
 * PRIOR_ODDS = 1e-4: before looking at the fields, a candidate returned by
 * the blocking queries is this patient about once in 10,000 (a query
 * returns a handful of look-alikes from a roster of ~10^6, and some
 * documents' patients are not in the roster at all).  probability treats
 * "the document belongs to candidate i" and "to none of them" as
 * exclusive: p_i = o_i / (1 + sum_j o_j) with o_i = exp(weight_i) x
 * PRIOR_ODDS, so two strong candidates share the mass and neither passes
 * the threshold.
 *
 * Verification (cs_index_match_verified, with a cs_evidence of the
 * document's pages).  Each candidate's own MRN, birth date, last and
 * first name are looked up on the page (verify.c); a value found agrees
 * at the level found, whatever layout printed it.  A value not found is
 * MISSING unless extraction read a labelled value that differs: then it
 * DISAGREES ("Disagree" needs positive evidence).  The same m / u
 * weights apply.  Without evidence, the extracted fields alone decide
 * and any differing value disagrees (cs_index_match, the older path).
 *
 * Decision.  File only when all hold, in this order (the first that fails
 * gives the review reason):
 *   1. the document shows one MRN (not two different labelled ones)
 *                                                   "document shows more than one MRN"
 *   2. a candidate's MRN is on the document         without verification: "no MRN
 *                                                    found" when none was extracted.
 *                                                    With it: "MRN differs by one
 *                                                    character from the best candidate's"
 *                                                    when the best is one edit away,
 *                                                    "not in roster" when a labelled MRN
 *                                                    was read, else the document has no
 *                                                    MRN: see below
 *   3. (without verification) a candidate has exactly the extracted MRN
 *                                                   "MRN differs ..." or "not in roster"
 *   4. that candidate's birth date does not disagree
 *                                                   "MRN matches a patient whose birth
 *                                                    date disagrees"
 *   5. neither its last nor its first name disagrees
 *                                                   "MRN matches a patient whose name
 *                                                    disagrees"
 *   6. it is the best-scored candidate, no other candidate looks like a
 *      twin (MRN one edit away, same birth date and last name) unless the
 *      first name agrees, and (verified) no other roster patient's MRN is
 *      printed with that patient's birth date or name
 *                                                   "two candidates"
 *   7. birth date exact, and last and first name agree (exact or close)
 *                                                   "weak evidence"
 *      This is stricter than "MRN plus one more identifier": with a
 *      birth date missing, an MRN misread onto a same-name patient's, or
 *      an absent twin's document, would look exactly like a good match.
 *      MRN, birth date and full name together are the three identifiers
 *      a clerk would check; a document lacking one goes to review.
 *   8. probability >= CS_MATCH_FILE_PROBABILITY and best minus second
 *      >= CS_MATCH_MARGIN                           "two candidates" (second above
 *                                                    0.01), else "weak evidence"
 * So an MRN typo that lands on another patient's MRN stops at 4 or 5 (or 7
 * when nothing labelled disagrees: that patient's birth date and name are
 * not on the page); a name-only look-alike of an absent patient stops at 2.
 *
 * Documents without an MRN (letters, outside records; verified only).
 * Filed to the best candidate when its birth date and last name are found
 * exactly on the page and its first name at least closely, the extracted
 * name agrees with it (so the candidate lookup searched that name: every
 * same-name patient with any birth date, every patient of that birth date
 * with a similar last name), no other candidate is a look-alike of it
 * (same birth date and a similar last name (Jaro-Winkler >= 0.85) or the
 * same first name; or the same name, another birth date), and rule 8
 * holds.  Otherwise "no MRN found", or "no MRN, and a look-alike of the
 * patient in the roster".  Why this is safe: a wrong filing needs a
 * different person whose full name and birth date both equal a roster
 * patient's who has no look-alike, and who is not in the roster; the
 * chance that two people share name and birth date is what the u values
 * above put at about 10^-10 for a random pair, and the look-alike rule
 * sends every known near-collision to review.
 */
#include "indexer/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char CS_REASON_NO_MRN[] = "no MRN found";
const char CS_REASON_MRN_DOB[] = "MRN matches a patient whose birth date disagrees";
const char CS_REASON_MRN_NAME[] = "MRN matches a patient whose name disagrees";
const char CS_REASON_TWO[] = "two candidates";
const char CS_REASON_NOT_IN_ROSTER[] = "not in roster";
const char CS_REASON_WEAK[] = "weak evidence";
const char CS_REASON_MRN_CLOSE[] = "MRN differs by one character from the best candidate's";
const char CS_REASON_MRN_CONFLICT[] = "document shows more than one MRN";
const char CS_REASON_NO_CANDIDATES[] = "no candidates";
const char CS_REASON_LOOKALIKE[] = "no MRN, and a look-alike of the patient in the roster";

/* m and u per field and level, indexed by cs_agreement (MISSING unused). */
typedef struct level_probs {
    double m, u;
} level_probs;

static const level_probs MRN_P[4] = {{1, 1}, {0.95, 1e-6}, {0.03, 1e-4}, {0.02, 0.9999}};
static const level_probs DOB_P[4] = {{1, 1}, {0.97, 3.4e-5}, {0.005, 3.4e-5}, {0.025, 1.0}};
static const level_probs LAST_P[4] = {{1, 1}, {0.92, 0.002}, {0.05, 0.005}, {0.03, 0.993}};
static const level_probs FIRST_P[4] = {{1, 1}, {0.92, 0.005}, {0.05, 0.01}, {0.03, 0.985}};

#define PRIOR_ODDS      1e-4
#define NAME_SIMILAR    0.92
#define SECOND_VISIBLE  0.01
#define LOOKALIKE_LAST  0.85    /* same birth date: last names this similar look alike */

static double
level_weight(const level_probs *p, cs_agreement a)
{
    return a == CS_AGREE_MISSING ? 0.0 : log(p[a].m / p[a].u);
}

static int
empty(const char *s)
{
    return !s || !*s;
}

/* MRNs compare ignoring case and leading zeros ("00482133" = "482133"). */
static cs_agreement
compare_mrn(const char *doc, const char *rec)
{
    if (empty(doc) || empty(rec))
        return CS_AGREE_MISSING;
    while (*doc == '0' && doc[1])
        doc++;
    while (*rec == '0' && rec[1])
        rec++;
    switch (cs_index_mrn_distance(doc, rec)) {
    case 0: return CS_AGREE_EXACT;
    case 1: return CS_AGREE_CLOSE;
    default: return CS_AGREE_DISAGREE;
    }
}

static cs_agreement
compare_birth(const cs_date *doc, const cs_date *rec)
{
    if (!doc->year || !rec->year)
        return CS_AGREE_MISSING;
    if (cs_date_cmp(doc, rec) == 0)
        return CS_AGREE_EXACT;
    if (doc->year == rec->year && doc->month == rec->day && doc->day == rec->month)
        return CS_AGREE_CLOSE;
    return CS_AGREE_DISAGREE;
}

static cs_agreement
compare_name(const char *doc, const char *rec, int first)
{
    double jw;

    if (empty(doc) || empty(rec))
        return CS_AGREE_MISSING;
    jw = cs_jaro_winkler(doc, rec);
    if (jw >= 1.0)
        return CS_AGREE_EXACT;
    if (jw >= NAME_SIMILAR)
        return CS_AGREE_CLOSE;
    /* a first name given as its initial only */
    if (first && cs_is_alpha((unsigned char)doc[0]) && !cs_is_alpha((unsigned char)doc[1]) &&
        cs_upper((unsigned char)doc[0]) == cs_upper((unsigned char)rec[0]))
        return CS_AGREE_CLOSE;
    return CS_AGREE_DISAGREE;
}

/*
 * A field's level from what the page shows (found) and what extraction
 * read (extracted, labelled): a value found on the page agrees; a value
 * not found disagrees only when a labelled extracted value differs.
 */
static cs_agreement
combine(cs_agreement found, cs_agreement extracted, int labelled)
{
    if (found == CS_AGREE_EXACT || extracted == CS_AGREE_EXACT)
        return CS_AGREE_EXACT;
    if (found == CS_AGREE_CLOSE || extracted == CS_AGREE_CLOSE)
        return CS_AGREE_CLOSE;
    if (extracted == CS_AGREE_DISAGREE && labelled)
        return CS_AGREE_DISAGREE;
    return CS_AGREE_MISSING;
}

static void
score_one(const cs_fields *f, const cs_evidence *ev, const cs_roster_record *r,
          cs_match_score *s)
{
    s->mrn = compare_mrn(f->mrn, r->mrn);
    s->birth = compare_birth(&f->birth, &r->birth);
    s->last = compare_name(f->last, r->last, 0);
    s->first = compare_name(f->first, r->first, 1);
    if (s->last == CS_AGREE_DISAGREE && s->first == CS_AGREE_DISAGREE &&
        compare_name(f->last, r->first, 0) <= CS_AGREE_CLOSE &&
        compare_name(f->first, r->last, 0) <= CS_AGREE_CLOSE &&
        compare_name(f->last, r->first, 0) != CS_AGREE_MISSING) {
        /* first and last swapped: as good as a close spelling, no better */
        s->last = s->first = CS_AGREE_CLOSE;
    }
    for (int k = 0; k < CS_ID_COUNT; k++)
        s->hit[k].page = -1;
    if (ev) {
        cs_verification v;
        cs_evidence_verify(ev, r, &v);
        s->mrn = combine(v.level[CS_ID_MRN], s->mrn, f->mrn_info.labelled);
        s->birth = combine(v.level[CS_ID_BIRTH], s->birth, f->birth_info.labelled);
        s->last = combine(v.level[CS_ID_LAST], s->last, f->name_info.labelled);
        s->first = combine(v.level[CS_ID_FIRST], s->first, f->name_info.labelled);
        memcpy(s->hit, v.hit, sizeof s->hit);
    }
    s->weight = level_weight(MRN_P, s->mrn) + level_weight(DOB_P, s->birth) +
                level_weight(LAST_P, s->last) + level_weight(FIRST_P, s->first);
    s->pair_probability = 1.0 / (1.0 + exp(-(s->weight + log(PRIOR_ODDS))));
}

static int
cmp_scores(const void *a, const void *b)
{
    const cs_match_score *x = a, *y = b;

    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return (x->record > y->record) - (x->record < y->record);
}

static int
agrees(cs_agreement a)
{
    return a == CS_AGREE_EXACT || a == CS_AGREE_CLOSE;
}

/*
 * Two roster records a clerk could take for one another: the same name
 * with another birth date, or the same birth date with a similar name.
 */
static int
lookalike(const cs_roster_record *a, const cs_roster_record *b)
{
    double last = cs_jaro_winkler(a->last, b->last), first = cs_jaro_winkler(a->first, b->first);

    if (a->mrn && b->mrn && strcmp(a->mrn, b->mrn) == 0)
        return 0;                            /* the same patient, listed twice */
    if (a->birth.year && cs_date_cmp(&a->birth, &b->birth) == 0)
        return last >= LOOKALIKE_LAST || first >= NAME_SIMILAR;
    return last >= NAME_SIMILAR && first >= NAME_SIMILAR;
}

/*
 * Rule 2's exception: a document without an MRN is filed to s[0] when
 * its full name and birth date are on the page, the extracted name agrees
 * (so the candidate lookup ran on that name and brought every same-name
 * patient), and no other candidate is a look-alike of s[0].
 */
static const char *
decide_without_mrn(const cs_fields *f, const cs_roster_record *c, const cs_match_score *s,
                   size_t n)
{
    const cs_roster_record *best;

    if (n == 0)
        return CS_REASON_NO_MRN;
    best = &c[s[0].record];
    if (s[0].birth != CS_AGREE_EXACT || s[0].last != CS_AGREE_EXACT || !agrees(s[0].first) ||
        s[0].hit[CS_ID_LAST].page < 0 || s[0].hit[CS_ID_BIRTH].page < 0 ||
        s[0].hit[CS_ID_FIRST].page < 0 || !f->name_info.found ||
        !agrees(compare_name(f->last, best->last, 0)) ||
        !agrees(compare_name(f->first, best->first, 1)))
        return CS_REASON_NO_MRN;
    for (size_t i = 1; i < n; i++)
        if (lookalike(best, &c[s[i].record]))
            return CS_REASON_LOOKALIKE;
    if (s[0].probability < CS_MATCH_FILE_PROBABILITY ||
        (n > 1 && s[0].probability - s[1].probability < CS_MATCH_MARGIN))
        return CS_REASON_NO_MRN;
    return NULL;
}

/* The review reason for the ranked scores, or NULL to file scores[0]. */
static const char *
decide(const cs_fields *f, const cs_evidence *ev, const cs_roster_record *c,
       const cs_match_score *s, size_t n)
{
    const cs_match_score *e = NULL;
    size_t i;

    if (f->mrn_conflict)
        return CS_REASON_MRN_CONFLICT;
    for (i = 0; i < n && !e; i++)
        if (s[i].mrn == CS_AGREE_EXACT)
            e = &s[i];
    if (!ev) {
        if (empty(f->mrn))
            return CS_REASON_NO_MRN;
        if (n == 0)
            return CS_REASON_NOT_IN_ROSTER;
    } else if (!e) {
        /* verified: an MRN printed anywhere may have brought the patient */
        if (n && s[0].mrn == CS_AGREE_CLOSE)
            return CS_REASON_MRN_CLOSE;
        if (f->mrn_info.found && f->mrn_info.labelled)
            return CS_REASON_NOT_IN_ROSTER;
        return decide_without_mrn(f, c, s, n);
    }
    if (!e)
        return s[0].mrn == CS_AGREE_CLOSE ? CS_REASON_MRN_CLOSE : CS_REASON_NOT_IN_ROSTER;
    if (e->birth == CS_AGREE_DISAGREE)
        return CS_REASON_MRN_DOB;
    if (e->last == CS_AGREE_DISAGREE || e->first == CS_AGREE_DISAGREE)
        return CS_REASON_MRN_NAME;
    if (e != &s[0])
        return CS_REASON_TWO;
    for (i = 1; i < n; i++) {
        if (s[i].mrn == CS_AGREE_CLOSE && s[i].birth == CS_AGREE_EXACT &&
            agrees(s[i].last) && !agrees(e->first))
            return CS_REASON_TWO;
        /* another patient's MRN printed too, with its name or birth date */
        if (ev && s[i].mrn == CS_AGREE_EXACT &&
            (s[i].birth == CS_AGREE_EXACT || agrees(s[i].last)))
            return CS_REASON_TWO;
    }
    if (e->birth != CS_AGREE_EXACT || !agrees(e->last) || !agrees(e->first))
        return CS_REASON_WEAK;
    if (e->probability < CS_MATCH_FILE_PROBABILITY ||
        (n > 1 && e->probability - s[1].probability < CS_MATCH_MARGIN))
        return n > 1 && s[1].probability >= SECOND_VISIBLE ? CS_REASON_TWO : CS_REASON_WEAK;
    return NULL;
}

/*
 * cs_index_match_verified()
 *
 *      Input:  fields (the document's extracted fields)
 *              evidence (the document's pages, cs_evidence_new; NULL:
 *                        extracted fields only, as cs_index_match)
 *              candidates, n (roster records from pipeline/'s candidate
 *                             queries, in any order, duplicates allowed;
 *                             candidates may be NULL when n is 0)
 *              scores (out: n entries, best first; may be NULL when n is 0)
 *              decision (out: file or review, the reason, the count)
 *      Return: 0, or -1 for a NULL argument
 *
 *  Notes:
 *      (1) The candidates must include every roster record whose MRN is
 *          one the document shows: "not in roster" is concluded from
 *          its absence.  See the file comment for weights and rules.
 *      (2) Ties in weight rank by input order, so results are stable.
 *      (3) Nothing is logged: every input is patient data.
 */
int
cs_index_match_verified(const cs_fields *fields, const cs_evidence *evidence,
                        const cs_roster_record *candidates, size_t n,
                        cs_match_score *scores, cs_match_decision *decision)
{
    double total = 1.0, bestw = 0;
    size_t i;

    if (decision)
        memset(decision, 0, sizeof *decision);
    if (!fields || !decision || (n && (!candidates || !scores)))
        return -1;
    for (i = 0; i < n; i++) {
        memset(&scores[i], 0, sizeof scores[i]);
        scores[i].record = i;
        score_one(fields, evidence, &candidates[i], &scores[i]);
    }
    qsort(scores, n, sizeof *scores, cmp_scores);
    /* p_i = o_i / (1 + sum o_j), computed relative to the best weight so
     * that exp() cannot overflow */
    if (n) {
        double lp = log(PRIOR_ODDS);
        bestw = scores[0].weight + lp;
        total = bestw > 0 ? exp(-bestw) : 1.0;
        double scale = bestw > 0 ? -bestw : 0.0;
        for (i = 0; i < n; i++)
            total += exp(scores[i].weight + lp + scale);
        for (i = 0; i < n; i++)
            scores[i].probability = exp(scores[i].weight + lp + scale) / total;
    }
    decision->ncandidates = n;
    decision->reason = decide(fields, evidence, candidates, scores, n);
    decision->file = decision->reason == NULL;
    return 0;
}

/*
 * cs_index_match()
 *
 *      cs_index_match_verified without page evidence: the extracted
 *      fields alone decide (every differing value disagrees).
 */
int
cs_index_match(const cs_fields *fields, const cs_roster_record *candidates, size_t n,
               cs_match_score *scores, cs_match_decision *decision)
{
    return cs_index_match_verified(fields, NULL, candidates, n, scores, decision);
}

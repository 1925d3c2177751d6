/*
 * check_doctype.c — unit tests for the document type: title evidence from
 * the words of a first page's title lines (titles never seen whole, OCR
 * damage, what is not a title, exact titles and patterns still first),
 * words learned from training, the logistic-regression classifier
 * (training, serialisation, the loader's checks), models stored by
 * earlier releases, and cross-validation.  All texts are invented; the
 * labelled transcriptions of ../shared/data are read by one test.
 */
#include "common/common.h"
#include "indexer/indexer.h"
#include "indexer/model.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- fixtures ---- */

/* The default taxonomy's titles, as schema/007_titles.sql ships them. */
static const char *const TAXONOMY[][2] = {
    {"discharge_summary", "DISCHARGE SUMMARY"}, {"discharge_summary", "DISCHARGE SUMMARY REPORT"},
    {"discharge_summary", "DISCHARGE NOTE"}, {"discharge_summary", "DISCHARGE REPORT"},
    {"discharge_summary", "DEATH SUMMARY"}, {"discharge_summary", "TRANSFER SUMMARY"},
    {"history_physical", "HISTORY AND PHYSICAL"}, {"history_physical", "HISTORY & PHYSICAL"},
    {"history_physical", "HISTORY AND PHYSICAL EXAMINATION"},
    {"history_physical", "ADMISSION HISTORY AND PHYSICAL"}, {"history_physical", "H&P"},
    {"history_physical", "H & P"}, {"history_physical", "ADMISSION NOTE"},
    {"history_physical", "CONSULTATION"}, {"history_physical", "CONSULTATION NOTE"},
    {"history_physical", "CONSULTATION REPORT"}, {"history_physical", "CONSULT NOTE"},
    {"history_physical", "INPATIENT CONSULTATION"},
    {"progress_note", "PROGRESS NOTE"}, {"progress_note", "PROGRESS NOTES"},
    {"progress_note", "CLINIC NOTE"}, {"progress_note", "OFFICE NOTE"},
    {"progress_note", "OFFICE VISIT"}, {"progress_note", "FOLLOW-UP NOTE"},
    {"progress_note", "FOLLOW-UP VISIT"}, {"progress_note", "FOLLOWUP NOTE"},
    {"progress_note", "SOAP NOTE"}, {"progress_note", "CLINIC VISIT"},
    {"operative_report", "OPERATIVE REPORT"}, {"operative_report", "OPERATIVE NOTE"},
    {"operative_report", "OPERATION REPORT"}, {"operative_report", "OPERATIVE PROCEDURE REPORT"},
    {"operative_report", "PROCEDURE NOTE"}, {"operative_report", "PROCEDURE REPORT"},
    {"operative_report", "BRIEF OPERATIVE NOTE"}, {"operative_report", "SURGICAL REPORT"},
    {"radiology_report", "RADIOLOGY REPORT"}, {"radiology_report", "IMAGING REPORT"},
    {"radiology_report", "X-RAY REPORT"}, {"radiology_report", "XRAY REPORT"},
    {"radiology_report", "CT REPORT"}, {"radiology_report", "CT SCAN REPORT"},
    {"radiology_report", "MRI REPORT"}, {"radiology_report", "ULTRASOUND REPORT"},
    {"radiology_report", "MAMMOGRAPHY REPORT"}, {"radiology_report", "NUCLEAR MEDICINE REPORT"},
    {"ed_note", "EMERGENCY DEPARTMENT RECORD"}, {"ed_note", "EMERGENCY DEPARTMENT NOTE"},
    {"ed_note", "EMERGENCY DEPARTMENT REPORT"}, {"ed_note", "EMERGENCY DEPARTMENT VISIT"},
    {"ed_note", "EMERGENCY ROOM RECORD"}, {"ed_note", "EMERGENCY ROOM REPORT"},
    {"ed_note", "EMERGENCY ROOM NOTE"}, {"ed_note", "ED NOTE"}, {"ed_note", "ED RECORD"},
    {"ed_note", "ER NOTE"}, {"ed_note", "ER RECORD"}, {"ed_note", "EMERGENCY PHYSICIAN RECORD"},
    {"letter", "Dear *"}, {"letter", "Re: *"},
};

static cs_titles *
taxonomy(const char *extra_code, const char *extra_title)
{
    cs_titles *t = NULL;
    char err[CS_ERRLEN] = "";

    ck_assert_msg(cs_titles_new(&t, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < sizeof TAXONOMY / sizeof *TAXONOMY; i++)
        ck_assert_msg(cs_titles_add(t, TAXONOMY[i][0], TAXONOMY[i][1], err, sizeof err) == 0,
                      "%s", err);
    if (extra_code)
        ck_assert_msg(cs_titles_add(t, extra_code, extra_title, err, sizeof err) == 0, "%s", err);
    return t;
}

static cs_classifier *
default_model(void)
{
    cs_labelled_text *ex = NULL;
    cs_classifier *m = NULL;
    char err[CS_ERRLEN] = "";
    size_t n = 0;

    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_msg(cs_classifier_train(ex, n, &m, err, sizeof err) == 0, "%s", err);
    cs_index_default_examples_free(&ex, n);
    return m;
}

/* The type the title words of page point to (NULL when none), and its posterior. */
static const char *
title_words_top(const cs_titles *t, const cs_classifier *m, const char *page, double *q)
{
    cs_prediction p[2];
    int n = cs_index_title_words(t, m, page, p, 2);

    if (q)
        *q = n ? p[0].confidence : 0;
    return n ? p[0].label : NULL;
}

static void
expect_title_words(const cs_titles *t, const cs_classifier *m, const char *page,
                   const char *code, double min_q)
{
    double q;
    const char *got = title_words_top(t, m, page, &q);

    ck_assert_msg(got && strcmp(got, code) == 0, "\"%s\": %s (%.3f), expected %s", page,
                  got ? got : "no title words", q, code);
    ck_assert_msg(q >= min_q, "\"%s\": %s only %.3f", page, code, q);
}

/* The final confidence of code for a document. */
static double
doctype_confidence(const cs_classifier *m, const cs_titles *t, const char *page,
                   const char *text, const char *code)
{
    cs_prediction p[CS_MAX_LABELS];
    int n = cs_index_doctype(m, t, page, text, p, CS_MAX_LABELS, NULL);

    for (int i = 0; i < n; i++)
        if (strcmp(p[i].label, code) == 0)
            return p[i].confidence;
    ck_abort_msg("%s not among the predictions", code);
    return -1;
}

/* The format's trailing FNV-1a 64 checksum, recomputed after an edit. */
static void
reseal(char *blob, size_t len)
{
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i + 8 < len; i++) {
        h ^= (unsigned char)blob[i];
        h *= 1099511628211ull;
    }
    for (int i = 0; i < 8; i++)
        blob[len - 8 + (size_t)i] = (char)(h >> (8 * i));
}

static void
expect_load_fails(const char *blob, size_t len, const char *what)
{
    cs_classifier *m = (cs_classifier *)1;
    char err[CS_ERRLEN] = "";

    ck_assert_msg(cs_classifier_load(blob, len, &m, err, sizeof err) == -1, "%s loaded", what);
    ck_assert_ptr_null(m);
    ck_assert_msg(err[0] != '\0', "no message for %s", what);
}

/* ---- title words: titles never seen whole ---- */

START_TEST(test_titles_never_seen_whole)
{
    cs_titles *t = taxonomy(NULL, NULL);
    cs_classifier *m = default_model();

    /* the examples */
    expect_title_words(t, m, "CT ABDOMEN AND PELVIS WITH CONTRAST\n", "radiology_report", 0.9);
    expect_title_words(t, m, "ER VISIT\n", "ed_note", 0.9);
    expect_title_words(t, m, "OFFICE VISIT NOTE\n", "progress_note", 0.9);
    expect_title_words(t, m, "Brief Op Note\n", "operative_report", 0.9);
    /* composed otherwise than any title or vocabulary entry */
    expect_title_words(t, m, "MRI OF THE LEFT SHOULDER WITHOUT IV CONTRAST\n",
                       "radiology_report", 0.9);
    expect_title_words(t, m, "Pelvic Sonogram - Transvaginal\n", "radiology_report", 0.9);
    expect_title_words(t, m, "Emergency Dept Encounter\n", "ed_note", 0.9);
    expect_title_words(t, m, "GASTROENTEROLOGY CONSULTATION\n", "history_physical", 0.9);
    expect_title_words(t, m, "Clinic Follow-Up\n", "progress_note", 0.9);
    expect_title_words(t, m, "Hospital Discharge Instructions\n", "discharge_summary", 0.9);
    expect_title_words(t, m, "LAPAROSCOPIC APPENDECTOMY\n", "operative_report", 0.6);
    expect_title_words(t, m, "Referral Letter to Cardiology\n", "letter", 0.6);
    /* imaging studies named by the study, not by "radiology" or a modality abbreviation */
    expect_title_words(t, m, "TRANSTHORACIC ECHOCARDIOGRAM\n", "radiology_report", 0.9);
    expect_title_words(t, m, "Lumbar Myelogram\n", "radiology_report", 0.9);
    expect_title_words(t, m, "Barium Swallow Study\n", "radiology_report", 0.6);
    expect_title_words(t, m, "KUB - Supine and Upright\n", "radiology_report", 0.9);
    /* below a letterhead and a date, in the first lines */
    expect_title_words(t, m, "Mercy General Hospital\n12 Harbor Road\nOffice Visit Summary\n"
                             "Patient: DOE, JANE\n", "progress_note", 0.9);
    /* the document's type follows, and the title code is reported */
    {
        const char *code = NULL;
        cs_prediction p[3];
        const char *page = "ER VISIT\nChief complaint: cough for two days.\n";
        ck_assert_int_eq(cs_index_doctype(m, t, page, page, p, 3, &code), 3);
        ck_assert_str_eq(p[0].label, "ed_note");
        ck_assert_str_eq(code, "ed_note");
    }
    cs_classifier_free(&m);
    cs_titles_free(&t);
}
END_TEST

START_TEST(test_titles_ocr_damage)
{
    cs_titles *t = taxonomy(NULL, NULL);
    cs_classifier *m = default_model();

    /* digits for letters, l for I, a split word, letter spacing, rn for m */
    expect_title_words(t, m, "CT ABD0MEN AND PELV1S\n", "radiology_report", 0.9);
    expect_title_words(t, m, "0PERATlVE N0TE\n", "operative_report", 0.9);
    expect_title_words(t, m, "EMERGENCV R00M REC0RD\n", "ed_note", 0.9);
    expect_title_words(t, m, "RADIO LOGY EXAM\n", "radiology_report", 0.9);
    expect_title_words(t, m, "D I S C H A R G E   S U M M A R Y\n", "discharge_summary", 0.9);
    expect_title_words(t, m, "SUMRNARY OF H0SPITALIZATI0N\n", "discharge_summary", 0.9);
    expect_title_words(t, m, "C O N S U L T A T I O N\n", "history_physical", 0.9);
    /* punctuation in and around the words */
    expect_title_words(t, m, "** PROGRESS / FOLLOW-UP **\n", "progress_note", 0.9);
    /* the exact title matcher does not see these, the words do */
    ck_assert_ptr_null(cs_index_find_title(t, "0PERATlVE N0TE\n", NULL));
    cs_classifier_free(&m);
    cs_titles_free(&t);
}
END_TEST

/* ---- title words: what is not a title ---- */

START_TEST(test_sentences_and_fields_are_not_titles)
{
    static const char *const pages[] = {
        /* body sentences holding a type word */
        "The patient came to the emergency room after a fall at home.\n",
        "Seen in the ER today.\n",
        "She had a CT of the abdomen last year which was normal.\n",
        "he was seen in clinic for follow up\n",
        /* fields, section labels, list items */
        "Referred by: Radiology\nChief complaint: cough\n",
        "PROCEDURE:\nFINDINGS:\nIMPRESSION:\n",
        "2. Chest x-ray normal\n",
        "ADMISSION DATE: 01/02/2020\n",
        "Tel (555) 201-3344 Radiology\n",
        /* letterheads */
        "Springfield Radiology Associates\n", "Valley Surgical Clinic\n",
        "St. Agatha Emergency Physicians\n", "Lakeside Imaging Center\n",
        /* a letter's opening lines, which the patterns weigh */
        "Re: DOE, JANE\nDear Dr. Lee,\n", "Dear Dr Lee\n",
        /* a title below the lines searched (lines of specks do not count) */
        "one line\ntwo line\nthree line\nfour line\nfive line\nsix line\n"
        "seven line\neight line\nnine line\nten line\nCT HEAD\n",
        "", "\n\n\n",
    };
    cs_titles *t = taxonomy(NULL, NULL);
    cs_classifier *m = default_model();
    const char *body = "Cough for two days. Lungs clear. Continue inhaler.";

    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        const char *got = title_words_top(t, m, pages[i], NULL);
        cs_prediction a[7], b[7];
        const char *code = (const char *)1;
        ck_assert_msg(got == NULL, "\"%s\" taken as a title of %s", pages[i], got);
        /* no title found changes nothing: the same as no titles at all */
        if (cs_index_find_title(t, pages[i], NULL))
            continue;
        ck_assert_int_eq(cs_index_doctype(m, t, pages[i], body, a, 7, &code), 7);
        ck_assert_ptr_null(code);
        ck_assert_int_eq(cs_index_doctype(m, NULL, NULL, body, b, 7, NULL), 7);
        for (int k = 0; k < 7; k++) {
            ck_assert_str_eq(a[k].label, b[k].label);
            ck_assert(a[k].confidence == b[k].confidence);
        }
    }
    ck_assert_int_eq(cs_index_title_words(t, m, NULL, NULL, 1), 0);
    ck_assert_int_eq(cs_index_title_words(NULL, NULL, "CT HEAD\n", NULL, 1), 0);
    cs_classifier_free(&m);
    cs_titles_free(&t);
}
END_TEST

/* ---- exact titles and patterns stay first ---- */

START_TEST(test_exact_titles_and_patterns_stay_strong)
{
    cs_titles *words = taxonomy(NULL, NULL);
    cs_titles *exact = taxonomy("operative_report", "BRIEF OP NOTE");
    cs_classifier *m = default_model();
    const char *body = "The patient tolerated it well and went home.";
    char page[256];
    double c0, cw, ce, odds0, oddsw, oddse;

    snprintf(page, sizeof page, "BRIEF OP NOTE\n%s", body);
    c0 = doctype_confidence(m, NULL, NULL, page, "operative_report");
    cw = doctype_confidence(m, words, page, page, "operative_report");
    ce = doctype_confidence(m, exact, page, page, "operative_report");
    odds0 = c0 / (1 - c0);
    oddsw = cw / (1 - cw);
    oddse = ce / (1 - ce);
    /* an exact title multiplies the odds by 0.90 / 0.003 = 300 */
    ck_assert_msg(fabs(oddse / odds0 / 300 - 1) < 1e-6, "exact: x%.1f", oddse / odds0);
    /* title words that name one type unambiguously weigh as its title */
    ck_assert_msg(fabs(oddsw / odds0 / 300 - 1) < 1e-6, "words: x%.1f", oddsw / odds0);
    ck_assert(cw > c0);
    /* words split between types (operative, and summary of a discharge)
     * stay soft evidence: more than nothing, well below a title */
    snprintf(page, sizeof page, "OPERATIVE SUMMARY\n%s", body);
    c0 = doctype_confidence(m, NULL, NULL, page, "operative_report");
    cw = doctype_confidence(m, words, page, page, "operative_report");
    odds0 = c0 / (1 - c0);
    oddsw = cw / (1 - cw);
    ck_assert_msg(oddsw / odds0 > 3 && oddsw / odds0 < 100, "split words: x%.1f", oddsw / odds0);

    /* letters: the patterns, with or without title words */
    {
        const char *letter = "Riverside Cardiology\nJune 2, 2023\nRe: DOE, JANE\n"
                             "Dear Dr. Lee:\nThank you for seeing her.\n";
        const char *code = NULL;
        cs_prediction p[1];
        int pattern = 0;
        ck_assert_str_eq(cs_index_find_title(words, letter, &pattern), "letter");
        ck_assert_int_eq(pattern, 2);
        ck_assert_int_eq(cs_index_title_words(words, m, letter, p, 1), 0);
        ck_assert_int_eq(cs_index_doctype(m, words, letter, letter, p, 1, &code), 1);
        ck_assert_str_eq(p[0].label, "letter");
        ck_assert_str_eq(code, "letter");
    }
    /* an exact title found is not weighed twice through its words */
    {
        const char *code = NULL;
        snprintf(page, sizeof page, "Mercy Hospital\nDISCHARGE SUMMARY\n%s", body);
        c0 = doctype_confidence(m, NULL, NULL, page, "discharge_summary");
        ce = doctype_confidence(m, words, page, page, "discharge_summary");
        ck_assert_msg(fabs(ce / (1 - ce) / (c0 / (1 - c0)) / 300 - 1) < 1e-6, "x%.1f",
                      ce / (1 - ce) / (c0 / (1 - c0)));
        cs_index_doctype(m, words, page, page, (cs_prediction[1]){{0}}, 1, &code);
        ck_assert_str_eq(code, "discharge_summary");
    }
    cs_classifier_free(&m);
    cs_titles_free(&words);
    cs_titles_free(&exact);
}
END_TEST

START_TEST(test_title_words_of_unknown_codes)
{
    cs_titles *t = taxonomy("pathology_report", "PATHOLOGY REPORT");
    cs_classifier *m = default_model();
    double q;

    /* the taxonomy's words count for its own codes... */
    ck_assert_str_eq(title_words_top(t, NULL, "PATHOLOGY\n", &q), "pathology_report");
    ck_assert(q > 0.6);
    /* ...and a code the model does not know changes nothing */
    ck_assert_ptr_null(title_words_top(t, m, "PATHOLOGY\n", NULL));
    ck_assert_uint_eq(cs_titles_count(t), sizeof TAXONOMY / sizeof *TAXONOMY + 1);
    cs_classifier_free(&m);
    cs_titles_free(&t);
}
END_TEST

/* ---- title words learned from training examples ---- */

START_TEST(test_title_words_learned)
{
    cs_labelled_text ex[16];
    char text[16][96];
    cs_classifier *m = NULL, *copy = NULL, *plain = NULL;
    char err[CS_ERRLEN] = "", *blob = NULL;
    size_t len = 0, n = 0;
    double q;

    /* a site's own titles, unknown to the vocabulary: 10 progress notes, 2 operations, a letter */
    for (int i = 0; i < 10; i++) {
        snprintf(text[n], sizeof text[n], "CLINICIAN JOURNAL\nSubjective: better %d.\nPlan: continue.", i);
        ex[n].label = "progress_note";
        ex[n].text = text[n];
        n++;
    }
    for (int i = 0; i < 2; i++) {
        snprintf(text[n], sizeof text[n], "CLINICIAN THEATRE LOG\nIncision closed %d. Counts correct.", i);
        ex[n].label = "operative_report";
        ex[n].text = text[n];
        n++;
    }
    snprintf(text[n], sizeof text[n], "ZEBRA LEDGER\nDear colleague, thank you.");
    ex[n].label = "letter";
    ex[n].text = text[n];
    n++;
    ck_assert_msg(cs_classifier_train(ex, n, &m, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(title_words_top(NULL, m, "Clinician Journal\n", &q), "progress_note");
    ck_assert(q > 0.9);
    ck_assert_str_eq(title_words_top(NULL, m, "THEATRE LOG\n", &q), "operative_report");
    ck_assert(q > 0.9);
    /* one document is not enough to learn a word */
    ck_assert_ptr_null(title_words_top(NULL, m, "ZEBRA LEDGER\n", NULL));
    /* every label's documents weigh the same: CLINICIAN in all 10 and all 2 */
    {
        cs_prediction p[3];
        ck_assert_int_eq(cs_index_title_words(NULL, m, "CLINICIAN\n", p, 3), 3);
        ck_assert_double_eq_tol(p[0].confidence, p[1].confidence, 1e-6);
        ck_assert_str_eq(p[2].label, "letter");
        ck_assert(p[2].confidence < p[1].confidence / 2);
    }
    /* what was learned is stored with the model */
    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert_msg(cs_classifier_load(blob, len, &copy, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(title_words_top(NULL, copy, "THEATRE LOG\n", &q), "operative_report");
    ck_assert(q > 0.9);
    /* and used with the taxonomy's when typing a document */
    {
        cs_titles *t = taxonomy(NULL, NULL);
        const char *code = NULL;
        cs_prediction p[1];
        ck_assert_int_eq(cs_index_doctype(copy, t, "THEATRE LOG\n", "Counts correct.", p, 1, &code), 1);
        ck_assert_str_eq(code, "operative_report");
        cs_titles_free(&t);
    }
    /* examples without title lines teach no title words */
    for (size_t i = 0; i < n; i++)
        ex[i].text = i % 2 ? "incision closed, counts correct." : "better today, continue plan.";
    ck_assert_msg(cs_classifier_train(ex, n, &plain, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(title_words_top(NULL, plain, "CLINICIAN JOURNAL\n", NULL));
    free(blob);
    cs_classifier_free(&plain);
    cs_classifier_free(&copy);
    cs_classifier_free(&m);
}
END_TEST

START_TEST(test_word_table_limits)
{
    cs_word_table *w = cs_word_table_new();
    const cs_word_weight *ww;
    size_t nw;
    char long_word[CS_TITLE_WORD_MAX + 2];

    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(cs_word_table_add(w, "SCAN", 4, 3, 1.5), 0);
    ck_assert_int_eq(cs_word_table_add(w, "SCAN", 4, 1, 2.0), 0);
    ck_assert_int_eq(cs_word_table_add(w, "SCAN", 4, 3, 0.5), 0);
    ck_assert_int_eq(cs_word_table_find(w, "SCAN", 4), 0);
    ck_assert_str_eq(cs_word_table_entry(w, 0, &ww, &nw), "SCAN");
    ck_assert_uint_eq(nw, 2);
    ck_assert_uint_eq(ww[0].slot, 1);               /* slots kept in order */
    ck_assert(ww[1].slot == 3 && ww[1].weight == 2.0f);
    memset(long_word, 'A', sizeof long_word);
    ck_assert_int_eq(cs_word_table_add(w, long_word, CS_TITLE_WORD_MAX + 1, 0, 1), -1);
    ck_assert_int_eq(cs_word_table_add(w, "X", 0, 0, 1), -1);
    ck_assert_int_eq(cs_word_table_add(w, "X", 1, 0, 0), -1);
    ck_assert_int_eq(cs_word_table_add(w, "X", 1, 0, NAN), -1);
    ck_assert_int_eq(cs_word_table_find(w, "SCANS", 5), -1);
    ck_assert_ptr_null(cs_word_table_entry(w, 1, NULL, NULL));
    cs_word_table_free(&w);
    ck_assert_ptr_null(w);
    cs_word_table_free(NULL);
}
END_TEST

/* ---- the logistic classifier ---- */

static const cs_labelled_text CORPUS[] = {
    {"discharge_summary", "DISCHARGE SUMMARY\nHospital course uneventful. Discharged home stable."},
    {"discharge_summary", "Discharge Summary\nAdmitted for pneumonia. Discharge medications reviewed."},
    {"discharge_summary", "DISCHARGE SUMMARY\nHospital course: improved. Discharged home, follow up."},
    {"discharge_summary", "Hospital course was uneventful. Discharge instructions given."},
    {"operative_report", "OPERATIVE REPORT\nProcedure: appendectomy. Anesthesia general. Incision closed."},
    {"operative_report", "Operative Report\nEstimated blood loss minimal. Incision closed with sutures."},
    {"operative_report", "OPERATIVE REPORT\nAnesthesia general endotracheal. Counts correct. Incision closed."},
    {"operative_report", "Procedure: knee arthroscopy. Anesthesia general. Blood loss minimal."},
    {"radiology_report", "RADIOLOGY REPORT\nFindings: lungs clear. Impression: no acute process."},
    {"radiology_report", "Radiology Report\nTechnique: axial images. Impression: normal study."},
    {"radiology_report", "RADIOLOGY REPORT\nFindings: no mass. Impression: unremarkable examination."},
    {"radiology_report", "Technique: ultrasound. Findings: normal. Impression: negative study."},
};
#define CORPUS_N (sizeof CORPUS / sizeof *CORPUS)

START_TEST(test_logistic_trains_serialises_predicts)
{
    static const struct { const char *text, *label; } held_out[] = {
        {"Hospital course complicated by fever. Discharged home on antibiotics.", "discharge_summary"},
        {"Procedure under general anesthesia. Incision closed. Blood loss minimal.", "operative_report"},
        {"Findings: small nodule. Impression: follow-up study.", "radiology_report"},
    };
    static const char *texts[] = {"Discharged home.", "Impression: normal.", "Incision closed.",
                                  "", "unrelated zebra words"};
    cs_classifier *m = NULL, *copy = NULL;
    char *blob = NULL, *blob2 = NULL, err[CS_ERRLEN] = "";
    size_t len = 0, len2 = 0;
    cs_prediction p[3], q[3];

    ck_assert_msg(cs_classifier_train(CORPUS, CORPUS_N, &m, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < sizeof held_out / sizeof *held_out; i++) {
        ck_assert_int_eq(cs_classifier_predict(m, held_out[i].text, p, 3), 3);
        ck_assert_str_eq(p[0].label, held_out[i].label);
        ck_assert(p[0].confidence > 0.5);
        ck_assert_double_eq_tol(p[0].confidence + p[1].confidence + p[2].confidence, 1, 1e-9);
    }
    /* no known feature: the label frequencies (equal here) */
    ck_assert_int_eq(cs_classifier_predict(m, "zebra", p, 3), 3);
    ck_assert_double_eq_tol(p[0].confidence, 1.0 / 3, 1e-9);
    /* version 3, kind 2 (logistic); the loaded copy predicts bit for bit */
    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert_int_eq((unsigned char)blob[8], 3);
    ck_assert_int_eq((unsigned char)blob[12], CS_MODEL_LOGISTIC);
    ck_assert_msg(cs_classifier_load(blob, len, &copy, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        ck_assert_int_eq(cs_classifier_predict(m, texts[i], p, 3), 3);
        ck_assert_int_eq(cs_classifier_predict(copy, texts[i], q, 3), 3);
        for (int k = 0; k < 3; k++) {
            ck_assert_str_eq(p[k].label, q[k].label);
            ck_assert(p[k].confidence == q[k].confidence);
        }
    }
    ck_assert(cs_classifier_temperature(copy) == cs_classifier_temperature(m));
    ck_assert_int_eq(cs_classifier_serialize(copy, &blob2, &len2), 0);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(blob, blob2, len) == 0);
    free(blob2);
    cs_classifier_free(&copy);

    /* damage the loader must refuse even with a good checksum */
    {
        /* header: magic 8, version 4, kind 4, flags 4, alpha 8, temperature 8, 2 x u32 */
        size_t at = 44;
        char *bad = malloc(len);
        double nan_value = NAN, huge = 1e6;
        float fnan = NAN;
        for (int c = 0; c < 3; c++)
            at += 1 + (unsigned char)blob[at] + 4;      /* the labels */
        memcpy(bad, blob, len);
        memcpy(bad + at, &nan_value, 8);                /* bias[0] */
        reseal(bad, len);
        expect_load_fails(bad, len, "a NaN bias");
        memcpy(bad, blob, len);
        memcpy(bad + at + 8, &huge, 8);                 /* bias[1] */
        reseal(bad, len);
        expect_load_fails(bad, len, "a huge bias");
        memcpy(bad, blob, len);
        at += 3 * 8;                                    /* the first feature */
        memcpy(bad + at + 1 + (unsigned char)blob[at], &fnan, 4);
        reseal(bad, len);
        expect_load_fails(bad, len, "a NaN weight");
        memcpy(bad, blob, len);
        bad[12] = 7;                                    /* an unknown kind */
        reseal(bad, len);
        expect_load_fails(bad, len, "an unknown kind");
        free(bad);
    }
    free(blob);
    cs_classifier_free(&m);
}
END_TEST

START_TEST(test_naive_bayes_kind_still_trains)
{
    cs_classifier *m = NULL, *copy = NULL;
    char *blob = NULL, err[CS_ERRLEN] = "";
    size_t len = 0;
    cs_prediction p[3], q[3];

    ck_assert_msg(cs_model_train(CS_MODEL_NAIVE_BAYES, CORPUS, CORPUS_N, &m, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert_int_eq((unsigned char)blob[12], CS_MODEL_NAIVE_BAYES);
    ck_assert_msg(cs_classifier_load(blob, len, &copy, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cs_classifier_predict(m, "Impression: no mass.", p, 3), 3);
    ck_assert_int_eq(cs_classifier_predict(copy, "Impression: no mass.", q, 3), 3);
    ck_assert_str_eq(p[0].label, "radiology_report");
    for (int k = 0; k < 3; k++)
        ck_assert(p[k].confidence == q[k].confidence);
    free(blob);
    cs_classifier_free(&copy);
    cs_classifier_free(&m);
}
END_TEST

/* ---- models stored by earlier releases ---- */

/*
 * A version-2 (naive Bayes) blob written by the release before logistic
 * regression (commit e9bb2d9), trained on four short texts, and what that
 * release predicted with it.
 */
static const char LEGACY_V2[] =
    "\x43\x53\x4e\x42\x0d\x0a\x1a\x0a\x02\x00\x00\x00\x01\x00\x00\x00\x9a\x99\x99\x99\x99\x99"
    "\xa9\x3f\x00\x00\x00\x00\x00\x00\xf0\x3f\x02\x00\x00\x00\x2c\x00\x00\x00\x10\x6f\x70\x65"
    "\x72\x61\x74\x69\x76\x65\x5f\x72\x65\x70\x6f\x72\x74\x02\x00\x00\x00\x10\x72\x61\x64\x69"
    "\x6f\x6c\x6f\x67\x79\x5f\x72\x65\x70\x6f\x72\x74\x02\x00\x00\x00\x0b\x77\x3a\x6f\x70\x65"
    "\x72\x61\x74\x69\x76\x65\x01\x00\x01\x00\x00\x00\x06\x77\x3a\x6e\x6f\x74\x65\x01\x00\x01"
    "\x00\x00\x00\x10\x62\x3a\x6f\x70\x65\x72\x61\x74\x69\x76\x65\x20\x6e\x6f\x74\x65\x01\x00"
    "\x01\x00\x00\x00\x0a\x77\x3a\x69\x6e\x63\x69\x73\x69\x6f\x6e\x01\x00\x01\x00\x00\x00\x08"
    "\x77\x3a\x63\x6c\x6f\x73\x65\x64\x01\x00\x01\x00\x00\x00\x11\x62\x3a\x69\x6e\x63\x69\x73"
    "\x69\x6f\x6e\x20\x63\x6c\x6f\x73\x65\x64\x01\x00\x01\x00\x00\x00\x0b\x74\x3a\x6f\x70\x65"
    "\x72\x61\x74\x69\x76\x65\x01\x00\x01\x00\x00\x00\x06\x74\x3a\x6e\x6f\x74\x65\x01\x00\x01"
    "\x00\x00\x00\x10\x75\x3a\x6f\x70\x65\x72\x61\x74\x69\x76\x65\x20\x6e\x6f\x74\x65\x01\x00"
    "\x01\x00\x00\x00\x0a\x74\x3a\x69\x6e\x63\x69\x73\x69\x6f\x6e\x01\x00\x01\x00\x00\x00\x08"
    "\x74\x3a\x63\x6c\x6f\x73\x65\x64\x01\x00\x01\x00\x00\x00\x11\x75\x3a\x69\x6e\x63\x69\x73"
    "\x69\x6f\x6e\x20\x63\x6c\x6f\x73\x65\x64\x01\x00\x01\x00\x00\x00\x0c\x77\x3a\x61\x6e\x65"
    "\x73\x74\x68\x65\x73\x69\x61\x01\x00\x01\x00\x00\x00\x09\x77\x3a\x67\x65\x6e\x65\x72\x61"
    "\x6c\x01\x00\x01\x00\x00\x00\x14\x62\x3a\x61\x6e\x65\x73\x74\x68\x65\x73\x69\x61\x20\x67"
    "\x65\x6e\x65\x72\x61\x6c\x01\x00\x01\x00\x00\x00\x08\x77\x3a\x63\x6f\x75\x6e\x74\x73\x01"
    "\x00\x01\x00\x00\x00\x10\x62\x3a\x67\x65\x6e\x65\x72\x61\x6c\x20\x63\x6f\x75\x6e\x74\x73"
    "\x01\x00\x01\x00\x00\x00\x09\x77\x3a\x63\x6f\x72\x72\x65\x63\x74\x01\x00\x01\x00\x00\x00"
    "\x10\x62\x3a\x63\x6f\x75\x6e\x74\x73\x20\x63\x6f\x72\x72\x65\x63\x74\x01\x00\x01\x00\x00"
    "\x00\x0c\x74\x3a\x61\x6e\x65\x73\x74\x68\x65\x73\x69\x61\x01\x00\x01\x00\x00\x00\x09\x74"
    "\x3a\x67\x65\x6e\x65\x72\x61\x6c\x01\x00\x01\x00\x00\x00\x14\x75\x3a\x61\x6e\x65\x73\x74"
    "\x68\x65\x73\x69\x61\x20\x67\x65\x6e\x65\x72\x61\x6c\x01\x00\x01\x00\x00\x00\x08\x74\x3a"
    "\x63\x6f\x75\x6e\x74\x73\x01\x00\x01\x00\x00\x00\x10\x75\x3a\x67\x65\x6e\x65\x72\x61\x6c"
    "\x20\x63\x6f\x75\x6e\x74\x73\x01\x00\x01\x00\x00\x00\x09\x74\x3a\x63\x6f\x72\x72\x65\x63"
    "\x74\x01\x00\x01\x00\x00\x00\x10\x75\x3a\x63\x6f\x75\x6e\x74\x73\x20\x63\x6f\x72\x72\x65"
    "\x63\x74\x01\x00\x01\x00\x00\x00\x09\x77\x3a\x69\x6d\x61\x67\x69\x6e\x67\x01\x01\x01\x00"
    "\x00\x00\x0c\x77\x3a\x69\x6d\x70\x72\x65\x73\x73\x69\x6f\x6e\x01\x01\x01\x00\x00\x00\x08"
    "\x77\x3a\x6e\x6f\x72\x6d\x61\x6c\x01\x01\x01\x00\x00\x00\x13\x62\x3a\x69\x6d\x70\x72\x65"
    "\x73\x73\x69\x6f\x6e\x20\x6e\x6f\x72\x6d\x61\x6c\x01\x01\x01\x00\x00\x00\x09\x74\x3a\x69"
    "\x6d\x61\x67\x69\x6e\x67\x01\x01\x01\x00\x00\x00\x0c\x74\x3a\x69\x6d\x70\x72\x65\x73\x73"
    "\x69\x6f\x6e\x01\x01\x01\x00\x00\x00\x08\x74\x3a\x6e\x6f\x72\x6d\x61\x6c\x01\x01\x01\x00"
    "\x00\x00\x13\x75\x3a\x69\x6d\x70\x72\x65\x73\x73\x69\x6f\x6e\x20\x6e\x6f\x72\x6d\x61\x6c"
    "\x01\x01\x01\x00\x00\x00\x0a\x77\x3a\x66\x69\x6e\x64\x69\x6e\x67\x73\x01\x01\x01\x00\x00"
    "\x00\x04\x77\x3a\x6e\x6f\x01\x01\x01\x00\x00\x00\x0d\x62\x3a\x66\x69\x6e\x64\x69\x6e\x67"
    "\x73\x20\x6e\x6f\x01\x01\x01\x00\x00\x00\x06\x77\x3a\x6d\x61\x73\x73\x01\x01\x01\x00\x00"
    "\x00\x09\x62\x3a\x6e\x6f\x20\x6d\x61\x73\x73\x01\x01\x01\x00\x00\x00\x0a\x74\x3a\x66\x69"
    "\x6e\x64\x69\x6e\x67\x73\x01\x01\x01\x00\x00\x00\x04\x74\x3a\x6e\x6f\x01\x01\x01\x00\x00"
    "\x00\x0d\x75\x3a\x66\x69\x6e\x64\x69\x6e\x67\x73\x20\x6e\x6f\x01\x01\x01\x00\x00\x00\x06"
    "\x74\x3a\x6d\x61\x73\x73\x01\x01\x01\x00\x00\x00\x09\x75\x3a\x6e\x6f\x20\x6d\x61\x73\x73"
    "\x01\x01\x01\x00\x00\x00\xe6\xb7\x40\xd4\x68\x3e\xb7\xac";

static const struct { const char *text, *label; double confidence; } LEGACY_PREDICTIONS[] = {
    {"Impression: normal, no mass.", "radiology_report", 1},
    {"Incision closed under anesthesia.", "operative_report", 0.99999999961855845},
    {"Impression: incision closed.", "operative_report", 0.99992582235836514},
    {"", "operative_report", 0.5},
    {"nothing known here", "operative_report", 0.5},
};

static void
expect_legacy_predictions(const cs_classifier *m)
{
    for (size_t i = 0; i < sizeof LEGACY_PREDICTIONS / sizeof *LEGACY_PREDICTIONS; i++) {
        cs_prediction p;
        ck_assert_int_eq(cs_classifier_predict(m, LEGACY_PREDICTIONS[i].text, &p, 1), 1);
        ck_assert_str_eq(p.label, LEGACY_PREDICTIONS[i].label);
        ck_assert_msg(fabs(p.confidence - LEGACY_PREDICTIONS[i].confidence) < 1e-12,
                      "\"%s\": %.17g, the release that wrote it said %.17g",
                      LEGACY_PREDICTIONS[i].text, p.confidence, LEGACY_PREDICTIONS[i].confidence);
    }
}

START_TEST(test_legacy_models_load)
{
    size_t len = sizeof LEGACY_V2 - 1;
    cs_classifier *m = NULL, *old = NULL, *again = NULL;
    char err[CS_ERRLEN] = "", *v1 = NULL, *blob = NULL;
    size_t blen = 0;

    ck_assert_int_eq((unsigned char)LEGACY_V2[8], 2);
    ck_assert_msg(cs_classifier_load(LEGACY_V2, len, &m, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cs_classifier_label_count(m), 2);
    expect_legacy_predictions(m);
    ck_assert_ptr_null(title_words_top(NULL, m, "IMAGING\n", NULL));

    /* version 1: the same without the temperature field */
    v1 = malloc(len - 8);
    memcpy(v1, LEGACY_V2, 24);
    memcpy(v1 + 24, LEGACY_V2 + 32, len - 32);
    v1[8] = 1;
    reseal(v1, len - 8);
    ck_assert_msg(cs_classifier_load(v1, len - 8, &old, err, sizeof err) == 0, "%s", err);
    ck_assert(cs_classifier_temperature(old) == 1.0);
    expect_legacy_predictions(old);

    /* saved again, it is version 3 of the naive Bayes kind and predicts the same */
    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &blen), 0);
    ck_assert_int_eq((unsigned char)blob[8], 3);
    ck_assert_int_eq((unsigned char)blob[12], CS_MODEL_NAIVE_BAYES);
    ck_assert_msg(cs_classifier_load(blob, blen, &again, err, sizeof err) == 0, "%s", err);
    expect_legacy_predictions(again);

    /* damaged old blobs are still refused */
    for (size_t cut = 0; cut < len; cut += 37) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, LEGACY_V2, cut);
        expect_load_fails(copy, cut, "a truncated version-2 blob");
        free(copy);
    }
    v1[8] = 4;                                       /* a version from the future */
    reseal(v1, len - 8);
    expect_load_fails(v1, len - 8, "version 4");
    free(blob);
    free(v1);
    cs_classifier_free(&again);
    cs_classifier_free(&old);
    cs_classifier_free(&m);
}
END_TEST

/* ---- cross-validation ---- */

START_TEST(test_crossval_threshold)
{
    double conf[] = {0.80, 0.99, 0.90, 0.95, 0.85, 0.97};
    unsigned char right[] = {0, 1, 0, 1, 1, 1};
    cs_crossval cv;
    double share;

    memset(&cv, 0, sizeof cv);
    cv.total = 6;
    cv.top_confidence = conf;
    cv.top_correct = right;
    /* from the top: 1/1, 2/2, 3/3, 3/4 at 0.90, 4/5 at 0.85, 4/6 at 0.80 */
    ck_assert(cs_crossval_threshold(&cv, 1.0, &share) == 0.95);
    ck_assert_double_eq_tol(share, 0.5, 1e-12);
    ck_assert(cs_crossval_threshold(&cv, 0.8, &share) == 0.85);
    ck_assert_double_eq_tol(share, 5.0 / 6, 1e-12);
    ck_assert(cs_crossval_threshold(&cv, 0.6, &share) == 0.80);
    ck_assert_double_eq_tol(share, 1.0, 1e-12);
    right[1] = 0;                                    /* the most confident is wrong */
    ck_assert(cs_crossval_threshold(&cv, 1.0, &share) > 1.0);
    ck_assert(share == 0);
    ck_assert(cs_crossval_threshold(NULL, 0.9, NULL) > 1.0);
}
END_TEST

START_TEST(test_crossval_default_examples)
{
    cs_labelled_text *ex = NULL;
    cs_crossval cv;
    char err[CS_ERRLEN] = "";
    size_t n = 0;
    long right = 0;
    double share;

    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_msg(cs_classifier_crossval(ex, n, 5, 11, &cv, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(cv.total, (long)n);
    for (long i = 0; i < cv.total; i++) {
        right += cv.top_correct[i];
        ck_assert(cv.top_confidence[i] >= 1.0 / 7 && cv.top_confidence[i] <= 1.0);
    }
    ck_assert_int_eq(right, cv.correct);
    ck_assert(cv.correct >= (long)(0.95 * (double)n));
    ck_assert(cs_crossval_threshold(&cv, 0.98, &share) <= 1.0);
    ck_assert(share > 0.5);
    cs_crossval_free(&cv);
    ck_assert_ptr_null(cv.top_confidence);
    cs_index_default_examples_free(&ex, n);
}
END_TEST

/* The labelled transcriptions, from $CHARTSCAN_SHARED_DATA or beside the project. */
static FILE *
open_transcriptions(void)
{
    const char *dir = getenv("CHARTSCAN_SHARED_DATA"), *root = getenv("CHARTSCAN_ROOT");
    char path[3][1024];
    FILE *fp;

    snprintf(path[0], sizeof path[0], "%s/doctype-train.csv", dir ? dir : "/nonexistent");
    snprintf(path[1], sizeof path[1], "%s/../shared/data/doctype-train.csv", root ? root : ".");
    snprintf(path[2], sizeof path[2], "/work/shared/data/doctype-train.csv");
    for (int i = 0; i < 3; i++)
        if ((fp = fopen(path[i], "r")) != NULL)
            return fp;
    ck_abort_msg("doctype-train.csv is missing: looked in $CHARTSCAN_SHARED_DATA, "
                 "$CHARTSCAN_ROOT/../shared/data and /work/shared/data");
    return NULL;
}

START_TEST(test_logistic_beats_naive_bayes_on_transcriptions)
{
    FILE *fp = open_transcriptions();
    cs_csv *csv = cs_csv_open(fp, 1 << 20);
    cs_labelled_text *ex = NULL;
    cs_crossval nb, lr;
    char **f, err[CS_ERRLEN] = "";
    size_t nf, n = 0, cap = 0;

    ck_assert_ptr_nonnull(csv);
    ck_assert_int_eq(cs_csv_next(csv, &f, &nf), 1);                /* id,doctype,text */
    while (cs_csv_next(csv, &f, &nf) == 1) {
        if (nf < 3)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            ex = realloc(ex, cap * sizeof *ex);
            ck_assert_ptr_nonnull(ex);
        }
        ex[n].label = strdup(f[1]);
        ex[n].text = strdup(f[2]);
        n++;
    }
    ck_assert_uint_gt(n, 1000);
    ck_assert_msg(cs_model_crossval(CS_MODEL_NAIVE_BAYES, ex, n, 3, 5, &nb, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(cs_model_crossval(CS_MODEL_LOGISTIC, ex, n, 3, 5, &lr, err, sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(lr.correct >= nb.correct + (long)n / 60, "logistic %ld, naive Bayes %ld of %zu",
                  lr.correct, nb.correct, n);
    ck_assert_msg(lr.correct >= (long)(0.88 * (double)n), "logistic %ld of %zu", lr.correct, n);
    ck_assert_msg(lr.log_loss < nb.log_loss - 0.05, "log loss %.3f vs %.3f", lr.log_loss,
                  nb.log_loss);
    cs_crossval_free(&nb);
    cs_crossval_free(&lr);
    for (size_t i = 0; i < n; i++) {
        free((char *)ex[i].label);
        free((char *)ex[i].text);
    }
    free(ex);
    cs_csv_free(&csv);
    fclose(fp);
}
END_TEST

static Suite *
doctype_suite(void)
{
    Suite *s = suite_create("doctype");
    TCase *tc;

    tc = tcase_create("title words");
    tcase_add_test(tc, test_titles_never_seen_whole);
    tcase_add_test(tc, test_titles_ocr_damage);
    tcase_add_test(tc, test_sentences_and_fields_are_not_titles);
    tcase_add_test(tc, test_exact_titles_and_patterns_stay_strong);
    tcase_add_test(tc, test_title_words_of_unknown_codes);
    tcase_add_test(tc, test_title_words_learned);
    tcase_add_test(tc, test_word_table_limits);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("logistic classifier and old models");
    tcase_add_test(tc, test_logistic_trains_serialises_predicts);
    tcase_add_test(tc, test_naive_bayes_kind_still_trains);
    tcase_add_test(tc, test_legacy_models_load);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("cross-validation");
    tcase_add_test(tc, test_crossval_threshold);
    tcase_add_test(tc, test_crossval_default_examples);
    tcase_add_test(tc, test_logistic_beats_naive_bayes_on_transcriptions);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(doctype_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

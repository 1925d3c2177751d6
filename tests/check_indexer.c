/*
 * check_indexer.c — unit tests for indexer/: the document-type classifier
 * (training, prediction, serialisation, cross-validation, calibration,
 * the default model), MRN and field extraction, dates, document
 * separation and patient matching.  All texts, names and numbers are
 * invented; none come from real records.
 */
#include "common/common.h"
#include "indexer/indexer.h"
#include "indexer/tokenize.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small hand-written corpus with three document types ---- */

static const cs_labelled_text CORPUS[] = {
    {"discharge_summary", "DISCHARGE SUMMARY\nAdmission date and discharge date noted.\n"
                          "Hospital course was uneventful. Discharged home in stable condition."},
    {"discharge_summary", "DISCHARGE SUMMARY\nThe patient was admitted for pneumonia. Hospital course: "
                          "treated with antibiotics. Discharge medications reviewed. Follow up with primary care."},
    {"discharge_summary", "Discharge Summary\nReason for admission: chest pain. Hospital course "
                          "unremarkable. Discharged home. Discharge instructions given."},
    {"discharge_summary", "DISCHARGE SUMMARY\nDischarge diagnosis: cellulitis. Hospital course: "
                          "improved on intravenous antibiotics. Discharged to home with follow up."},
    {"operative_report", "OPERATIVE REPORT\nPreoperative diagnosis: appendicitis. Procedure: laparoscopic "
                         "appendectomy. Anesthesia: general. Estimated blood loss minimal. Incision closed."},
    {"operative_report", "OPERATIVE REPORT\nPostoperative diagnosis: same. Procedure performed under general "
                         "anesthesia. The incision was closed with sutures. Estimated blood loss 50 mL."},
    {"operative_report", "Operative Report\nProcedure: right knee arthroscopy. Anesthesia: general. "
                         "Tourniquet applied. Incision made. Sponge and needle counts correct."},
    {"operative_report", "OPERATIVE REPORT\nSurgeon and assistant listed. Procedure: cholecystectomy. "
                         "Anesthesia general endotracheal. Estimated blood loss 20 mL. Specimens sent."},
    {"radiology_report", "RADIOLOGY REPORT\nExam: chest x-ray two views. Findings: lungs are clear. "
                         "Impression: no acute cardiopulmonary process."},
    {"radiology_report", "RADIOLOGY REPORT\nExam: CT abdomen with contrast. Technique: axial images. "
                         "Findings: no free fluid. Impression: normal study."},
    {"radiology_report", "Radiology Report\nExam: MRI brain without contrast. Findings: no mass or "
                         "hemorrhage. Impression: unremarkable examination."},
    {"radiology_report", "RADIOLOGY REPORT\nTechnique: ultrasound of the right upper quadrant. Findings: "
                         "gallbladder normal. Impression: negative ultrasound."},
};
#define CORPUS_N (sizeof CORPUS / sizeof *CORPUS)

static cs_classifier *
train_corpus(void)
{
    cs_classifier *m = NULL;
    char err[CS_ERRLEN] = "";

    ck_assert_msg(cs_classifier_train(CORPUS, CORPUS_N, &m, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_nonnull(m);
    return m;
}

static const char *
top_label(const cs_classifier *m, const char *text)
{
    cs_prediction p;

    ck_assert_int_eq(cs_classifier_predict(m, text, &p, 1), 1);
    return p.label;
}

/* ---- classifier: core ---- */

START_TEST(test_classifier_predicts_held_out)
{
    cs_classifier *m = train_corpus();

    ck_assert_uint_eq(cs_classifier_label_count(m), 3);
    ck_assert_str_eq(cs_classifier_label(m, 0), "discharge_summary");
    ck_assert_str_eq(cs_classifier_label(m, 1), "operative_report");
    ck_assert_str_eq(cs_classifier_label(m, 2), "radiology_report");
    ck_assert_ptr_null(cs_classifier_label(m, 3));

    ck_assert_str_eq(top_label(m, "DISCHARGE SUMMARY\nHospital course complicated by fever. "
                                  "Discharged home on oral antibiotics."),
                     "discharge_summary");
    ck_assert_str_eq(top_label(m, "OPERATIVE REPORT\nProcedure: hernia repair under general "
                                  "anesthesia. Estimated blood loss minimal."),
                     "operative_report");
    ck_assert_str_eq(top_label(m, "Exam: chest CT. Findings: small nodule. Impression: "
                                  "follow-up imaging advised."),
                     "radiology_report");
    /* heading alone, lower-case body words absent */
    ck_assert_str_eq(top_label(m, "RADIOLOGY REPORT"), "radiology_report");
    cs_classifier_free(&m);
    ck_assert_ptr_null(m);
}
END_TEST

START_TEST(test_classifier_confidences_are_probabilities)
{
    cs_classifier *m = train_corpus();
    cs_prediction p[5];
    double sum = 0;
    int n;

    n = cs_classifier_predict(m, "Procedure: appendectomy. Anesthesia general.", p, 5);
    ck_assert_int_eq(n, 3);                     /* k larger than label count */
    for (int i = 0; i < n; i++) {
        ck_assert(p[i].confidence >= 0.0 && p[i].confidence <= 1.0);
        if (i > 0)
            ck_assert(p[i - 1].confidence >= p[i].confidence);
        sum += p[i].confidence;
    }
    ck_assert_double_eq_tol(sum, 1.0, 1e-9);
    ck_assert_str_eq(p[0].label, "operative_report");
    ck_assert(p[0].confidence > 0.5);

    /* empty text: the priors, which are equal here */
    n = cs_classifier_predict(m, "", p, 3);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(p[i].confidence, 1.0 / 3, 1e-9);
    ck_assert_int_eq(cs_classifier_predict(m, NULL, p, 1), 1);
    ck_assert_int_eq(cs_classifier_predict(m, "x", p, 0), 0);
    ck_assert_int_eq(cs_classifier_predict(NULL, "x", p, 1), 0);
    cs_classifier_free(&m);
}
END_TEST

START_TEST(test_classifier_round_trip)
{
    static const char *texts[] = {
        "DISCHARGE SUMMARY\nDischarged home.", "Findings: clear lungs. Impression: normal.",
        "Incision closed. Blood loss minimal.", "", "unrelated words only zebra",
    };
    cs_classifier *m = train_corpus(), *copy = NULL;
    char *blob = NULL, *blob2 = NULL, err[CS_ERRLEN] = "";
    size_t len = 0, len2 = 0;

    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert(len > 16);
    ck_assert_msg(cs_classifier_load(blob, len, &copy, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cs_classifier_label_count(copy), 3);
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        cs_prediction a[3], b[3];
        ck_assert_int_eq(cs_classifier_predict(m, texts[t], a, 3), 3);
        ck_assert_int_eq(cs_classifier_predict(copy, texts[t], b, 3), 3);
        for (int i = 0; i < 3; i++) {
            ck_assert_str_eq(a[i].label, b[i].label);
            ck_assert(a[i].confidence == b[i].confidence);   /* bit for bit */
        }
    }
    /* serialising the loaded copy gives the same bytes */
    ck_assert_int_eq(cs_classifier_serialize(copy, &blob2, &len2), 0);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(blob, blob2, len) == 0);
    free(blob);
    free(blob2);
    cs_classifier_free(&m);
    cs_classifier_free(&copy);
}
END_TEST

static int
collect_feature(void *ctx, const char *feature, size_t len)
{
    cs_buf *b = ctx;
    if (cs_buf_append(b, feature, len) < 0 || cs_buf_puts(b, "|") < 0)
        return -1;
    return 0;
}

START_TEST(test_tokenize_feature_spaces)
{
    cs_buf b = CS_BUF_INIT;

    ck_assert_int_eq(cs_buf_puts(&b, "|"), 0);
    ck_assert_int_eq(cs_text_features("Line One\n\nline two\nline 3x\nbody Text 42 a\n"
                                      "FINDINGS: Normal.\nDISCHARGE SUMMARY\n",
                                      collect_feature, &b), 0);
    ck_assert_ptr_nonnull(strstr(b.data, "|w:line|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|w:body|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|b:body text|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|t:one|"));          /* first lines */
    ck_assert_ptr_nonnull(strstr(b.data, "|u:line two|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|t:3x|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|t:findings|"));     /* LABEL: */
    ck_assert_ptr_null(strstr(b.data, "|t:normal|"));
    ck_assert_ptr_nonnull(strstr(b.data, "|u:discharge summary|"));
    ck_assert_ptr_null(strstr(b.data, "|t:body|"));            /* fourth line */
    ck_assert_ptr_null(strstr(b.data, "|w:42|"));              /* numbers dropped */
    ck_assert_ptr_null(strstr(b.data, "|w:a|"));               /* one letter */
    ck_assert_ptr_null(strstr(b.data, "|b:3x body|"));         /* not across lines */
    cs_buf_free(&b);
}
END_TEST

/* ---- classifier: limits ---- */

START_TEST(test_classifier_long_and_odd_text)
{
    cs_classifier *m = train_corpus();
    cs_buf big = CS_BUF_INIT;
    cs_prediction p[3];
    double sum = 0;

    for (int i = 0; i < 20000; i++)
        ck_assert_int_eq(cs_buf_puts(&big, "Findings impression \xff\xfe 12345 x "), 0);
    ck_assert_int_eq(cs_buf_puts(&big, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
    ck_assert_int_eq(cs_classifier_predict(m, big.data, p, 3), 3);
    for (int i = 0; i < 3; i++)
        sum += p[i].confidence;
    ck_assert(isfinite(sum));
    ck_assert_double_eq_tol(sum, 1.0, 1e-9);
    ck_assert_str_eq(p[0].label, "radiology_report");
    cs_buf_free(&big);
    cs_classifier_free(&m);
}
END_TEST

/* ---- classifier: errors ---- */

START_TEST(test_classifier_train_errors)
{
    cs_labelled_text one_label[] = {{"a", "x y"}, {"a", "z w"}};
    cs_labelled_text no_label[] = {{"a", "x"}, {NULL, "y"}};
    cs_classifier *m = (cs_classifier *)1;
    char err[CS_ERRLEN] = "";

    ck_assert_int_eq(cs_classifier_train(CORPUS, 0, &m, err, sizeof err), -1);
    ck_assert_ptr_null(m);
    ck_assert_str_ne(err, "");
    err[0] = '\0';
    ck_assert_int_eq(cs_classifier_train(one_label, 2, &m, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "labels"));
    err[0] = '\0';
    ck_assert_int_eq(cs_classifier_train(no_label, 2, &m, err, sizeof err), -1);
    ck_assert_str_ne(err, "");
    ck_assert_int_eq(cs_classifier_train(no_label, 2, &m, NULL, 0), -1);
    cs_classifier_free(&m);
    cs_classifier_free(NULL);
}
END_TEST

static void
expect_load_fails(const char *blob, size_t len)
{
    cs_classifier *m = (cs_classifier *)1;
    char err[CS_ERRLEN] = "";

    ck_assert_int_eq(cs_classifier_load(blob, len, &m, err, sizeof err), -1);
    ck_assert_ptr_null(m);
    ck_assert_msg(err[0] != '\0', "no message for a %zu-byte blob", len);
}

START_TEST(test_load_rejects_truncated)
{
    cs_classifier *m = train_corpus();
    char *blob = NULL;
    size_t len = 0;

    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    /* every proper prefix, each in its own exact-size copy so that
     * valgrind and ASan catch any read past the end */
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        memcpy(copy, blob, cut);
        expect_load_fails(copy, cut);
        free(copy);
    }
    free(blob);
    cs_classifier_free(&m);
}
END_TEST

START_TEST(test_load_rejects_damage_and_garbage)
{
    cs_classifier *m = train_corpus(), *loaded = (cs_classifier *)1;
    char *blob = NULL, *copy, err[CS_ERRLEN];
    size_t len = 0;
    uint64_t state = 12345;

    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    copy = malloc(len + 1);

    /* one flipped byte anywhere */
    for (size_t i = 0; i < len; i += 7) {
        memcpy(copy, blob, len);
        copy[i] ^= 0x5A;
        expect_load_fails(copy, len);
    }
    /* a trailing byte */
    memcpy(copy, blob, len);
    copy[len] = 0;
    expect_load_fails(copy, len + 1);

    /* random bytes, with and without the right magic */
    for (int trial = 0; trial < 200; trial++) {
        size_t n = (size_t)(trial * 37 % (int)len);
        for (size_t i = 0; i < n; i++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            copy[i] = (char)(state >> 56);
        }
        if (trial % 2 && n >= 8)
            memcpy(copy, blob, 8);
        expect_load_fails(copy, n);
    }
    expect_load_fails("not a model at all", 18);
    ck_assert_int_eq(cs_classifier_load(NULL, 0, &loaded, err, sizeof err), -1);
    ck_assert_ptr_null(loaded);
    free(copy);
    free(blob);
    cs_classifier_free(&m);
}
END_TEST

/* The format's trailing FNV-1a 64 checksum, so that damaged blobs reach
 * the parser instead of stopping at the checksum. */
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

START_TEST(test_load_survives_resealed_damage)
{
    cs_classifier *m = train_corpus(), *loaded = NULL;
    char *blob = NULL, *copy, err[CS_ERRLEN];
    size_t len = 0, loaded_ok = 0;
    uint64_t state = 777;

    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    copy = malloc(len);
    for (int trial = 0; trial < 3000; trial++) {
        size_t cut = len;
        memcpy(copy, blob, len);
        for (int k = 0; k < 1 + trial % 4; k++) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = 12 + (size_t)(state >> 33) % (len - 20);
            copy[pos] = (char)(state >> 20);
        }
        if (trial % 5 == 0)
            cut = 20 + (size_t)(state >> 40) % (len - 20);
        reseal(copy, cut);
        if (cs_classifier_load(copy, cut, &loaded, err, sizeof err) == 0) {
            cs_prediction p[8];
            double sum = 0;
            int n = cs_classifier_predict(loaded, "Findings: clear. Incision closed.", p, 8);
            for (int i = 0; i < n; i++)
                sum += p[i].confidence;
            ck_assert_double_eq_tol(sum, 1.0, 1e-9);
            cs_classifier_free(&loaded);
            loaded_ok++;
        } else {
            ck_assert_ptr_null(loaded);
            ck_assert(err[0] != '\0');
        }
    }
    /* some damage (a count changed) is undetectable and loads fine */
    ck_assert_uint_gt(loaded_ok, 0);
    free(copy);
    free(blob);
    cs_classifier_free(&m);
}
END_TEST

/* ---- cross-validation ---- */

START_TEST(test_crossval_separable)
{
    cs_labelled_text ex[30];
    char text[30][80];
    cs_crossval cv;
    char err[CS_ERRLEN] = "";
    long sum = 0;

    for (int i = 0; i < 30; i++) {
        static const char *words[3][3] = {
            {"apple banana cherry", "banana cherry grape", "apple grape cherry"},
            {"hammer nail screw", "nail screw wrench", "hammer wrench nail"},
            {"river ocean lake", "ocean lake stream", "river stream ocean"},
        };
        static const char *labels[3] = {"fruit", "tools", "water"};
        snprintf(text[i], sizeof text[i], "%s", words[i % 3][(i / 3) % 3]);
        ex[i].label = labels[i % 3];
        ex[i].text = text[i];
    }
    ck_assert_msg(cs_classifier_crossval(ex, 30, 5, 7, &cv, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cv.nlabels, 3);
    ck_assert_str_eq(cv.labels[0], "fruit");
    ck_assert_str_eq(cv.labels[2], "water");
    ck_assert_int_eq(cv.total, 30);
    ck_assert_int_eq(cv.correct, 30);
    for (size_t i = 0; i < 9; i++)
        sum += cv.confusion[i];
    ck_assert_int_eq(sum, 30);
    for (size_t t = 0; t < 3; t++)
        ck_assert_int_eq(cv.confusion[t * 3 + t], 10);
    cs_crossval_free(&cv);
    ck_assert_ptr_null(cv.labels);
    cs_crossval_free(&cv);
}
END_TEST

START_TEST(test_crossval_deterministic_and_errors)
{
    cs_crossval a, b;
    char err[CS_ERRLEN] = "";

    ck_assert_int_eq(cs_classifier_crossval(CORPUS, CORPUS_N, 4, 99, &a, err, sizeof err), 0);
    ck_assert_int_eq(cs_classifier_crossval(CORPUS, CORPUS_N, 4, 99, &b, err, sizeof err), 0);
    ck_assert_int_eq(a.total, (long)CORPUS_N);
    ck_assert_int_eq(a.correct, b.correct);
    ck_assert(memcmp(a.confusion, b.confusion, 9 * sizeof *a.confusion) == 0);
    cs_crossval_free(&a);
    cs_crossval_free(&b);

    ck_assert_int_eq(cs_classifier_crossval(CORPUS, CORPUS_N, 1, 1, &a, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "fold"));
    ck_assert_int_eq(cs_classifier_crossval(CORPUS, CORPUS_N, (int)CORPUS_N + 1, 1, &a, err, sizeof err), -1);
    ck_assert_int_eq(cs_classifier_crossval(CORPUS, 0, 2, 1, &a, err, sizeof err), -1);
    ck_assert_ptr_null(a.confusion);
}
END_TEST

/* ---- MRN extraction ---- */

static int
find(const char *text, cs_mrn_candidate *c, int max)
{
    memset(c, 0, (size_t)max * sizeof *c);
    return cs_index_find_mrns(text, c, max);
}

START_TEST(test_mrn_labelled_forms)
{
    cs_mrn_candidate c[8];

    ck_assert_int_eq(find("MRN: 00482133", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "00482133");
    ck_assert_int_eq(c[0].labelled, 1);
    ck_assert_uint_eq(c[0].offset, 5);

    ck_assert_int_eq(find("MR#48213377", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "48213377");
    ck_assert_int_eq(c[0].labelled, 1);

    ck_assert_int_eq(find("Name: DOE, JOHN   MR # 7654321", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "7654321");

    /* grouped digits after a label are joined (first group < 6 chars) */
    ck_assert_int_eq(find("Med Rec #: 4821 3377", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "48213377");
    ck_assert_int_eq(c[0].labelled, 1);
    ck_assert_int_eq(find("Med Rec No. 4821-3377", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "48213377");

    ck_assert_int_eq(find("MEDICAL RECORD NUMBER: 123456789", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "123456789");
    ck_assert_int_eq(find("Medical Record No.: 555666", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "555666");
    ck_assert_int_eq(find("mrn 0012345", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "0012345");
}
END_TEST

START_TEST(test_mrn_ocr_confusions)
{
    cs_mrn_candidate c[8];

    ck_assert_int_eq(find("Unit No. 48Z13377", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "48213377");
    ck_assert_int_eq(find("MRN: OO482I33", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "00482133");
    ck_assert_int_eq(find("MRN: 4B21S377", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "48215377");
    /* a real alphanumeric MRN is kept, upper-cased */
    ck_assert_int_eq(find("MRN: a1234567", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "A1234567");
    /* a word is not an MRN */
    ck_assert_int_eq(find("MRN: pending", c, 8), 0);
    /* confusions are not repaired in unlabelled text */
    ck_assert_int_eq(find("Lot 48Z13377", c, 8), 0);
}
END_TEST

START_TEST(test_mrn_excludes_other_numbers)
{
    cs_mrn_candidate c[8];

    ck_assert_int_eq(find("Acct: 99887766 MRN 12345678", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "12345678");
    ck_assert_int_eq(c[0].labelled, 1);

    ck_assert_int_eq(find("Phone: 555-123-4567", c, 8), 0);
    ck_assert_int_eq(find("Phone: 5551234567", c, 8), 0);
    ck_assert_int_eq(find("Tel (555) 1234567", c, 8), 0);
    ck_assert_int_eq(find("Fax 5551234567", c, 8), 0);
    ck_assert_int_eq(find("Encounter #: 77001122", c, 8), 0);
    ck_assert_int_eq(find("Visit 66554433", c, 8), 0);
    ck_assert_int_eq(find("SSN 123456789", c, 8), 0);
    /* dates in their usual forms */
    ck_assert_int_eq(find("DOB: 01/15/1970  Seen 2023-01-15", c, 8), 0);
    ck_assert_int_eq(find("Collected 20230115 at 10:30", c, 8), 0);
    ck_assert_int_eq(find("Result 123456.78", c, 8), 0);
    /* too short and too long */
    ck_assert_int_eq(find("Room 12345, ref 1234567890123", c, 8), 0);
    /* an exclusion word on the previous line does not reach */
    ck_assert_int_eq(find("Phone:\n448812345", c, 8), 1);
    ck_assert_str_eq(c[0].mrn, "448812345");
    /* "telemetry" is not "tel" */
    ck_assert_int_eq(find("Telemetry 448812345", c, 8), 1);
}
END_TEST

START_TEST(test_mrn_order_and_duplicates)
{
    cs_mrn_candidate c[8];
    const char *text = "Ref 11223344\nPatient: DOE, JANE  MRN: 00482133\n"
                       "Page 2  MRN 00482133  Order 99999999\nOld chart 55667788";

    ck_assert_int_eq(find(text, c, 8), 3);
    ck_assert_str_eq(c[0].mrn, "00482133");
    ck_assert_int_eq(c[0].labelled, 1);
    ck_assert_uint_eq(c[0].offset, (size_t)(strstr(text, "00482133") - text));
    ck_assert_str_eq(c[1].mrn, "11223344");
    ck_assert_int_eq(c[1].labelled, 0);
    ck_assert_uint_eq(c[1].offset, 4);
    ck_assert_str_eq(c[2].mrn, "55667788");
    ck_assert_int_eq(c[2].labelled, 0);
    /* max bounds the output */
    ck_assert_int_eq(find(text, c, 1), 1);
    ck_assert_str_eq(c[0].mrn, "00482133");
}
END_TEST

START_TEST(test_mrn_limits_and_errors)
{
    cs_mrn_candidate c[4];
    cs_buf big = CS_BUF_INIT;

    ck_assert_int_eq(cs_index_find_mrns(NULL, c, 4), 0);
    ck_assert_int_eq(cs_index_find_mrns("MRN 12345678", NULL, 0), 0);
    ck_assert_int_eq(cs_index_find_mrns("MRN 12345678", c, 0), 0);
    ck_assert_int_eq(find("", c, 4), 0);
    ck_assert_int_eq(find("MRN", c, 4), 0);
    ck_assert_int_eq(find("MRN:", c, 4), 0);
    ck_assert_int_eq(find("MRN: 1234567890123", c, 4), 0);      /* 13 chars */
    ck_assert_int_eq(find("MRNA 12345678", c, 4), 1);           /* not a label */
    ck_assert_int_eq(c[0].labelled, 0);
    ck_assert_int_eq(find("MRN 12345678 45 y/o", c, 4), 1);
    ck_assert_str_eq(c[0].mrn, "12345678");

    /* a long page of digits and labels: bounded output, no overrun */
    for (int i = 0; i < 5000; i++)
        ck_assert_int_eq(cs_buf_printf(&big, "MRN %08d Acct 9%07d ", i, i), 0);
    ck_assert_int_eq(find(big.data, c, 4), 4);
    ck_assert_str_eq(c[3].mrn, "00000003");
    cs_buf_free(&big);
}
END_TEST

/* ---- classifier: calibration and the default model ---- */

START_TEST(test_calibration_temperature)
{
    cs_labelled_text *ex = NULL;
    cs_classifier *small = train_corpus(), *m = NULL, *copy = NULL;
    char err[CS_ERRLEN] = "", *blob = NULL;
    size_t n = 0, len = 0;
    cs_prediction p[7], q[7];
    const char *text = "PROGRESS NOTE\nSUBJECTIVE: feeling better. PLAN: continue medications.";

    /* too few examples to calibrate: T stays 1 */
    ck_assert(cs_classifier_temperature(small) == 1.0);
    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_msg(cs_classifier_train(ex, n, &m, err, sizeof err) == 0, "%s", err);
    /* fitted (the model is logistic: T may be below 1, down to 0.05) */
    ck_assert(cs_classifier_temperature(m) != 1.0);
    ck_assert(cs_classifier_temperature(m) >= 0.05);
    ck_assert(cs_classifier_temperature(m) <= 10000.0);
    ck_assert_int_eq(cs_classifier_predict(m, text, p, 7), 7);
    ck_assert_str_eq(p[0].label, "progress_note");
    /* calibrated: confident, yet not 1.0000 on a short text */
    ck_assert_msg(p[0].confidence > 1.0 / 7 && p[0].confidence < 0.9999, "%f (T %f)",
                  p[0].confidence, cs_classifier_temperature(m));
    /* the temperature survives the round trip */
    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert_msg(cs_classifier_load(blob, len, &copy, err, sizeof err) == 0, "%s", err);
    ck_assert(cs_classifier_temperature(copy) == cs_classifier_temperature(m));
    ck_assert_int_eq(cs_classifier_predict(copy, text, q, 7), 7);
    for (int i = 0; i < 7; i++)
        ck_assert(p[i].confidence == q[i].confidence);
    free(blob);
    cs_classifier_free(&copy);
    cs_classifier_free(&m);
    cs_classifier_free(&small);
    cs_index_default_examples_free(&ex, n);
    ck_assert_ptr_null(ex);
}
END_TEST

/*
 * The writer's version is 3 (kind, title words); an out-of-range
 * temperature is refused.  Versions 1 and 2, written by earlier releases,
 * are loaded from real old blobs in check_doctype.c.
 */
START_TEST(test_load_version_1)
{
    cs_classifier *m = train_corpus();
    char *blob = NULL;
    size_t len = 0;

    ck_assert_int_eq(cs_classifier_serialize(m, &blob, &len), 0);
    ck_assert_int_eq((unsigned char)blob[8], 3);           /* version 3 */
    {
        double bad = 0.01;                                 /* below any kind's minimum */
        memcpy(blob + 28, &bad, 8);                        /* magic, version, kind, flags, alpha */
        reseal(blob, len);
        expect_load_fails(blob, len);
    }
    free(blob);
    cs_classifier_free(&m);
}
END_TEST

START_TEST(test_crossval_reliability_and_default_model)
{
    cs_labelled_text *ex = NULL;
    cs_crossval cv;
    char err[CS_ERRLEN] = "";
    size_t n = 0;
    long binned = 0, labels_seen = 0;

    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_uint_eq(n, 280);
    ck_assert_msg(cs_classifier_crossval(ex, n, 5, 3, &cv, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cv.nlabels, 7);
    ck_assert_str_eq(cv.labels[0], "discharge_summary");
    ck_assert_str_eq(cv.labels[3], "letter");
    for (size_t i = 0; i < cv.nlabels; i++)
        labels_seen += cv.confusion[i * cv.nlabels + i] > 30;
    ck_assert_int_eq(labels_seen, 7);
    ck_assert(cv.correct >= (long)(0.95 * (double)cv.total));
    for (int b = 0; b < CS_RELIABILITY_BINS; b++) {
        binned += cv.bin_count[b];
        ck_assert(cv.bin_correct[b] <= cv.bin_count[b]);
        if (cv.bin_count[b]) {
            double mean = cv.bin_confidence[b] / (double)cv.bin_count[b];
            ck_assert(mean >= b / 10.0 - 1e-9 && mean <= (b + 1) / 10.0 + 1e-9);
        }
    }
    ck_assert_int_eq(binned, cv.total);
    ck_assert(isfinite(cv.log_loss) && cv.log_loss >= 0 && cv.log_loss < 0.5);
    cs_crossval_free(&cv);
    cs_index_default_examples_free(&ex, n);
    cs_index_default_examples_free(NULL, 0);
    ck_assert_int_eq(cs_index_default_examples(NULL, &n), -1);
}
END_TEST

START_TEST(test_default_model_classifies)
{
    static const struct { const char *text, *label; } cases[] = {
        {"DISCHARGE SUMMARY\nAdmission Date: 01/02/2019\nHOSPITAL COURSE: improved, discharged home.", "discharge_summary"},
        {"OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: hernia. ANESTHESIA: general. Counts correct.", "operative_report"},
        {"RADIOLOGY REPORT\nEXAM: chest two views. FINDINGS: clear lungs. IMPRESSION: normal.", "radiology_report"},
        {"EMERGENCY DEPARTMENT RECORD\nTRIAGE: urgent. ED COURSE: treated and released.", "ed_note"},
        {"HISTORY AND PHYSICAL\nCHIEF COMPLAINT: cough. PAST MEDICAL HISTORY: asthma.", "history_physical"},
        {"PROGRESS NOTE\nSUBJECTIVE: doing well. ASSESSMENT AND PLAN: continue.", "progress_note"},
        {"March 3, 2019\nDear Dr. Smith,\nThank you for referring this patient. Sincerely,", "letter"},
    };
    cs_labelled_text *ex = NULL;
    cs_classifier *m = NULL;
    char err[CS_ERRLEN] = "";
    size_t n = 0;

    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_msg(cs_classifier_train(ex, n, &m, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(cs_classifier_label_count(m), 7);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_str_eq(top_label(m, cases[i].text), cases[i].label);
    cs_classifier_free(&m);
    cs_index_default_examples_free(&ex, n);
}
END_TEST

/* ---- dates ---- */

static void
expect_date(const char *s, cs_date_kind kind, int ref, int y, int m, int d)
{
    cs_date out;
    int ok = cs_index_parse_date(s, kind, ref, &out, NULL);

    if (y == 0) {
        ck_assert_msg(!ok, "\"%s\" parsed as %d-%d-%d", s, out.year, out.month, out.day);
        ck_assert_int_eq(out.year, 0);
        return;
    }
    ck_assert_msg(ok, "\"%s\" did not parse", s);
    ck_assert_msg(out.year == y && out.month == m && out.day == d,
                  "\"%s\" -> %d-%d-%d, want %d-%d-%d", s, out.year, out.month, out.day, y, m, d);
}

START_TEST(test_dates_formats)
{
    static const char *const same[] = {
        "03/14/1952", "3/14/1952", "1952-03-14", "1952/03/14", "14-Mar-1952", "14 Mar 1952",
        "14 March 1952", "March 14, 1952", "Mar 14 1952", "Mar. 14, 1952", "MARCH 14,1952",
        "03-14-52", "03.14.1952", "3/14/52", "O3/l4/1952", "03/14/l9S2",
    };
    size_t used = 0;
    cs_date d;

    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        expect_date(same[i], CS_DATE_BIRTH, 2024, 1952, 3, 14);
    ck_assert_int_eq(cs_index_parse_date("March 14, 1952 at noon", CS_DATE_BIRTH, 2024, &d, &used), 1);
    ck_assert_uint_eq(used, 14);
    ck_assert_int_eq(cs_index_parse_date("1952-03-14T10:00", CS_DATE_BIRTH, 2024, &d, &used), 0);
    ck_assert_int_eq(cs_index_parse_date("3/14/1952.", CS_DATE_BIRTH, 2024, &d, &used), 1);
    ck_assert_uint_eq(used, 9);
    /* calendar validation */
    expect_date("02/29/2000", CS_DATE_SERVICE, 2024, 2000, 2, 29);
    expect_date("02/29/2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("02/30/2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("04/31/2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("13/01/2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("14/03/1952", CS_DATE_BIRTH, 2024, 0, 0, 0);      /* not guessed */
    expect_date("00/10/2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("31-Feb-2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    /* not dates */
    expect_date("March 2019", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("12/5", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("5551234567", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("555-123-4567", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("SOS/BIO/ISSS", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("Mayor 12 2001", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("03/14/19521", CS_DATE_BIRTH, 2024, 0, 0, 0);
    expect_date("", CS_DATE_BIRTH, 2024, 0, 0, 0);
    ck_assert_int_eq(cs_index_parse_date(NULL, CS_DATE_BIRTH, 2024, &d, NULL), 0);
    ck_assert_int_eq(cs_index_parse_date("03/14/1952", CS_DATE_BIRTH, 2024, NULL, NULL), 0);
}
END_TEST

START_TEST(test_dates_years)
{
    cs_date a = {2019, 1, 2}, b = {2019, 1, 3}, z = {0, 0, 0};

    /* two-digit birth years: the latest century not after the reference */
    expect_date("03/14/52", CS_DATE_BIRTH, 2024, 1952, 3, 14);
    expect_date("01/02/19", CS_DATE_BIRTH, 2024, 2019, 1, 2);
    expect_date("01/01/24", CS_DATE_BIRTH, 2024, 2024, 1, 1);
    expect_date("01/01/25", CS_DATE_BIRTH, 2024, 1925, 1, 1);
    expect_date("07/04/19", CS_DATE_BIRTH, 2018, 1919, 7, 4);
    expect_date("14-Mar-05", CS_DATE_BIRTH, 2024, 2005, 3, 14);
    /* two-digit service years: within the last 60 years (and next year) */
    expect_date("06/01/75", CS_DATE_SERVICE, 2024, 1975, 6, 1);
    expect_date("06/01/23", CS_DATE_SERVICE, 2024, 2023, 6, 1);
    expect_date("06/01/25", CS_DATE_SERVICE, 2024, 2025, 6, 1);
    expect_date("06/01/50", CS_DATE_SERVICE, 2024, 0, 0, 0);
    /* four-digit windows */
    expect_date("01/01/1950", CS_DATE_SERVICE, 2024, 0, 0, 0);
    expect_date("01/01/1970", CS_DATE_SERVICE, 2024, 1970, 1, 1);
    expect_date("01/01/1890", CS_DATE_BIRTH, 2024, 0, 0, 0);
    expect_date("01/01/2030", CS_DATE_BIRTH, 2024, 0, 0, 0);
    /* the current year when no reference is given */
    expect_date("01/01/2000", CS_DATE_BIRTH, 0, 2000, 1, 1);
    ck_assert_int_lt(cs_date_cmp(&a, &b), 0);
    ck_assert_int_gt(cs_date_cmp(&b, &a), 0);
    ck_assert_int_eq(cs_date_cmp(&a, &a), 0);
    ck_assert_int_lt(cs_date_cmp(&z, &a), 0);
}
END_TEST

/* ---- field extraction ---- */

static cs_index_page
text_page(const char *text)
{
    cs_index_page p;

    memset(&p, 0, sizeof p);
    p.text = text;
    return p;
}

static void
extract_one(const char *text, cs_fields *f)
{
    cs_index_page p = text_page(text);
    ck_assert_int_eq(cs_index_extract_fields(&p, 1, 2024, f), 0);
}

START_TEST(test_fields_header_block)
{
    cs_fields f;

    extract_one("GENERAL HOSPITAL\nDISCHARGE SUMMARY\n"
                "Patient: SMITH, JOHN A        MRN: 48213377\n"
                "DOB: 03/14/1952   Date of Service: 01/02/2019\n"
                "Acct: 99887766   Phone: 555-123-4567\n\n"
                "HOSPITAL COURSE: admitted 12/30/2018, discharged home.\n", &f);
    ck_assert_str_eq(f.mrn, "48213377");
    ck_assert_int_eq(f.mrn_info.labelled, 1);
    ck_assert_int_eq(f.mrn_info.in_header, 1);
    ck_assert(f.mrn_info.confidence > 0.9);
    ck_assert_int_eq(f.mrn_conflict, 0);
    ck_assert_str_eq(f.last, "SMITH");
    ck_assert_str_eq(f.first, "JOHN");
    ck_assert_str_eq(f.middle, "A");
    ck_assert_int_eq(f.name_info.labelled, 1);
    ck_assert_int_eq(f.birth.year, 1952);
    ck_assert_int_eq(f.birth.month, 3);
    ck_assert_int_eq(f.birth.day, 14);
    ck_assert_int_eq(f.birth_info.labelled, 1);
    ck_assert_int_eq(f.service.year, 2019);
    ck_assert_int_eq(f.service.month, 1);
    ck_assert_int_eq(f.service.day, 2);

    /* mixed case, First M. Last, other labels and formats */
    extract_one("Progress Note\nPatient Name: John A. Smith\nMed Rec #: 4821 3377\n"
                "Date of Birth: March 14, 1952\nVisit Date: 2019-01-02\n", &f);
    ck_assert_str_eq(f.mrn, "48213377");
    ck_assert_str_eq(f.last, "SMITH");
    ck_assert_str_eq(f.first, "JOHN");
    ck_assert_str_eq(f.middle, "A");
    ck_assert_int_eq(f.birth.year, 1952);
    ck_assert_int_eq(f.service.year, 2019);

    extract_one("Name: Mary-Ann O'Brien   D.O.B.: 14-Mar-1952\n"
                "Admission Date: Mar 3 2019   Unit No. 00OO7721\n", &f);
    ck_assert_str_eq(f.last, "O'BRIEN");
    ck_assert_str_eq(f.first, "MARY-ANN");
    ck_assert_str_eq(f.mrn, "00007721");
    ck_assert_int_eq(f.birth.day, 14);
    ck_assert_int_eq(f.service.month, 3);
}
END_TEST

START_TEST(test_fields_bare_hash_and_letters)
{
    cs_fields f;
    cs_mrn_candidate c[4];

    /* "LAST, FIRST  #MRN": the '#' next to the name is an MRN label */
    extract_one("SMITH, JOHN  #48213377   DOB 03/14/52\nOPERATIVE REPORT\n"
                "Date of Surgery: 06/01/2018\n", &f);
    ck_assert_str_eq(f.mrn, "48213377");
    ck_assert_int_eq(f.mrn_info.labelled, 1);
    ck_assert_str_eq(f.last, "SMITH");
    ck_assert_str_eq(f.first, "JOHN");
    ck_assert_int_eq(f.name_info.labelled, 0);
    ck_assert_int_eq(f.name_info.in_header, 1);
    ck_assert_int_eq(f.birth.year, 1952);
    ck_assert_int_eq(cs_index_find_mrns("SMITH, JOHN  #48213377", c, 4), 1);
    ck_assert_int_eq(c[0].labelled, 1);
    ck_assert_int_eq(cs_index_find_mrns("Room #48213377", c, 4), 1);
    ck_assert_int_eq(c[0].labelled, 0);
    ck_assert_int_eq(cs_index_find_mrns("Doe, Jane  Acct #48213377", c, 4), 0);

    /* a letter: date line, Re:, no MRN */
    extract_one("January 5, 2019\n\nDr. Alan Jones\n12 Main Street\n\n"
                "RE: Mary Jones\nDOB: 3/4/60\n\nDear Dr. Jones,\nThank you.\n", &f);
    ck_assert_int_eq(f.mrn_info.found, 0);
    ck_assert_str_eq(f.mrn, "");
    ck_assert_str_eq(f.last, "JONES");
    ck_assert_str_eq(f.first, "MARY");
    ck_assert_int_eq(f.service.year, 2019);
    ck_assert_int_eq(f.service.day, 5);
    ck_assert_int_eq(f.service_info.labelled, 0);
    ck_assert_int_eq(f.birth.year, 1960);
    ck_assert_int_eq(f.birth.month, 3);

    /* a two-digit birth year after the date of service goes back a century */
    extract_one("Patient: DOE, JANE\nDate of Service: 06/01/2018\nDOB: 07/04/19\n", &f);
    ck_assert_int_eq(f.birth.year, 1919);

    /* numbers that are not MRNs; text that is not a name */
    extract_one("Patient: the patient is a 45 year old man\nAcct: 99887766\n"
                "Encounter #: 77001122\nPhone: (555) 123-4567\n", &f);
    ck_assert_int_eq(f.mrn_info.found, 0);
    ck_assert_int_eq(f.name_info.found, 0);
    ck_assert_int_eq(f.birth_info.found, 0);

    /* two different labelled MRNs on the first page */
    extract_one("Patient: DOE, JANE  MRN: 11112222\nPrior MRN: 33334444\n", &f);
    ck_assert_str_eq(f.mrn, "11112222");
    ck_assert_int_eq(f.mrn_conflict, 1);
}
END_TEST

START_TEST(test_fields_word_boxes_and_pages)
{
    /* the text lists a referring doctor first; the words put the patient
     * in the header zone, which wins */
    static const cs_index_word words[] = {
        {"Patient:", 100, 100, 150, 30, 95, 1, 1}, {"DOE,", 260, 100, 80, 30, 95, 1, 1},
        {"JANE", 350, 100, 90, 30, 95, 1, 1}, {"MRN:", 500, 100, 80, 30, 95, 1, 1},
        {"11112222", 590, 100, 160, 30, 90, 1, 1},
        {"Name:", 100, 2000, 100, 30, 95, 5, 1}, {"ROE,", 210, 2000, 80, 30, 95, 5, 1},
        {"RICHARD", 300, 2000, 140, 30, 95, 5, 1},
    };
    cs_index_page pages[3];
    cs_fields f;

    memset(pages, 0, sizeof pages);
    pages[0].text = "Name: ROE, RICHARD\nPatient: DOE, JANE MRN: 11112222\n";
    pages[0].words = words;
    pages[0].nwords = sizeof words / sizeof *words;
    pages[0].width = 2550;
    pages[0].height = 3300;
    pages[1].blank = 1;
    pages[1].text = "DOB: 01/01/1901";
    pages[2].text = "continued\nDOB: 05/06/1977\n";
    ck_assert_int_eq(cs_index_extract_fields(pages, 3, 2024, &f), 0);
    ck_assert_str_eq(f.last, "DOE");
    ck_assert_int_eq(f.name_info.in_header, 1);
    ck_assert_str_eq(f.mrn, "11112222");
    /* birth date from a later page, blank pages skipped */
    ck_assert_int_eq(f.birth.year, 1977);
    ck_assert_int_eq(f.birth_info.in_header, 0);
    ck_assert(f.birth_info.confidence < f.mrn_info.confidence);

    ck_assert_int_eq(cs_index_extract_fields(NULL, 0, 2024, &f), -1);
    ck_assert_int_eq(cs_index_extract_fields(pages, 1, 2024, NULL), -1);
    ck_assert_int_eq(cs_index_extract_fields(pages + 1, 1, 2024, &f), 0);   /* only blank */
    ck_assert_int_eq(f.birth_info.found, 0);
}
END_TEST

/* ---- document separation ---- */

static void
split_texts(const char *const *texts, size_t n, cs_split *s)
{
    cs_index_page pages[16];
    char err[CS_ERRLEN] = "";

    ck_assert(n <= 16);
    for (size_t i = 0; i < n; i++) {
        pages[i] = text_page(texts[i]);
        pages[i].blank = texts[i] == NULL;
    }
    ck_assert_msg(cs_index_split(pages, n, 2024, s, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(s->npages, n);
}

START_TEST(test_split_three_document_stack)
{
    static const char *const texts[] = {
        "DISCHARGE SUMMARY\nPatient: DOE, JANE   MRN: 48213377\nDOB: 05/06/1950\n"
        "Discharge Date: 01/02/2019\nHOSPITAL COURSE: pneumonia, treated.\nPage 1 of 2\n",
        "Patient: DOE, JANE   MRN: 48213377\nDISCHARGE MEDICATIONS: listed.\nPage 2 of 2\n",
        NULL,
        "OPERATIVE REPORT\nPatient: DOE, JANE   MRN: 48213377\nDate of Surgery: 12/28/2018\n"
        "PROCEDURE: laparoscopic appendectomy.\n",
        "RADIOLOGY REPORT\nPatient: DOE, JANE   MRN: 48213377\nExam Date: 12/27/2018\n"
        "FINDINGS: appendicitis.\n",
    };
    cs_split s;

    split_texts(texts, 5, &s);
    ck_assert_uint_eq(s.ndocuments, 3);
    ck_assert_uint_eq(s.nblank, 1);
    ck_assert_int_eq(s.page_document[0], 0);
    ck_assert_int_eq(s.page_document[1], 0);
    ck_assert_int_eq(s.page_document[2], -1);
    ck_assert_int_eq(s.page_document[3], 1);
    ck_assert_int_eq(s.page_document[4], 2);
    ck_assert_uint_eq(s.documents[0].first, 0);
    ck_assert_uint_eq(s.documents[0].last, 1);
    ck_assert_uint_eq(s.documents[0].npages, 2);
    ck_assert_str_eq(s.documents[0].reason, "first page");
    ck_assert_uint_eq(s.documents[1].first, 3);
    ck_assert_uint_eq(s.documents[1].last, 3);
    ck_assert_str_eq(s.documents[1].reason, "previous document complete");
    ck_assert_uint_eq(s.documents[2].first, 4);
    ck_assert_ptr_nonnull(s.documents[2].reason);
    cs_split_free(&s);
    ck_assert_ptr_null(s.documents);
    cs_split_free(&s);
    cs_split_free(NULL);
}
END_TEST

START_TEST(test_split_single_document)
{
    /* a 3-page document: title page, continuation header, bare page */
    static const char *const plain[] = {
        "HISTORY AND PHYSICAL\nPatient: DOE, JANE   MRN: 48213377\nDOB: 05/06/1950\n"
        "CHIEF COMPLAINT: cough.\n",
        "Patient: DOE, JANE   MRN: 48213377   Page 2\nPHYSICAL EXAMINATION: normal.\n",
        "ASSESSMENT: bronchitis.\nPLAN: rest and fluids.\n",
    };
    /* the same with a letterhead and a header block on every page */
    static const char *const letterhead[] = {
        "MERCY GENERAL HOSPITAL\nPatient: DOE, JANE   MRN: 48213377\nDOB: 05/06/1950\n"
        "Chief complaint: cough.\n",
        "MERCY GENERAL HOSPITAL\nPatient: DOE, JANE   MRN: 48213377\nDOB: 05/06/1950\n"
        "Examination normal.\n",
        "MERCY GENERAL HOSPITAL\nPatient: DOE, JANE   MRN: 48213377\nPlan: rest.\n",
    };
    /* duplex scan: blank back sides say nothing */
    static const char *const duplex[] = {
        "PROGRESS NOTE\nPatient: DOE, JANE\nVisit Date: 01/02/2019\nDoing well.\n", NULL,
        "Plan: continue medications.\n", NULL,
    };
    cs_split s;

    split_texts(plain, 3, &s);
    ck_assert_uint_eq(s.ndocuments, 1);
    ck_assert_uint_eq(s.documents[0].npages, 3);
    ck_assert_uint_eq(s.documents[0].last, 2);
    cs_split_free(&s);

    split_texts(letterhead, 3, &s);
    ck_assert_uint_eq(s.ndocuments, 1);
    cs_split_free(&s);

    split_texts(duplex, 4, &s);
    ck_assert_uint_eq(s.ndocuments, 1);
    ck_assert_uint_eq(s.nblank, 2);
    ck_assert_int_eq(s.page_document[1], -1);
    ck_assert_int_eq(s.page_document[2], 0);
    ck_assert_int_eq(s.page_document[3], -1);
    ck_assert_uint_eq(s.documents[0].npages, 2);
    cs_split_free(&s);
}
END_TEST

START_TEST(test_split_signals)
{
    /* a footer says page 2, but the patient changed: never merge */
    static const char *const other_patient[] = {
        "Patient: DOE, JANE   MRN: 48213377\nPage 1 of 2\n",
        "Patient: ROE, RICHARD   MRN: 55512345\nPage 2 of 2\n",
    };
    /* progress notes on two dates, no titles */
    static const char *const two_dates[] = {
        "Patient: DOE, JANE\nDate of Service: 01/02/2019\nDoing well.\n",
        "Patient: DOE, JANE\nDate of Service: 02/02/2019\nStill well.\n",
    };
    /* a blank page between two pages without other signals */
    static const char *const blank_between[] = {
        "PROGRESS NOTE\nPatient: DOE, JANE\nDoing well.\n",
        "More notes.\n", NULL, "Unrelated text without a header.\n",
    };
    /* page 1 of m restarts; names differ without MRNs */
    static const char *const restart[] = {
        "Patient: DOE, JANE\nPage 1 of 1\n", "Patient: DOE, JANE\nSome text\n",
        "Patient: BLACK, ANNA\nnotes\n",
    };
    static const char *const all_blank[] = {NULL, NULL};
    cs_split s;
    char err[CS_ERRLEN] = "";

    split_texts(other_patient, 2, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_str_eq(s.documents[1].reason, "different MRN");
    cs_split_free(&s);

    split_texts(two_dates, 2, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_str_eq(s.documents[1].reason, "different date of service");
    cs_split_free(&s);

    split_texts(blank_between, 4, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_uint_eq(s.documents[0].npages, 2);
    ck_assert_str_eq(s.documents[1].reason, "after a blank page");
    cs_split_free(&s);

    split_texts(restart, 3, &s);
    ck_assert_uint_eq(s.ndocuments, 3);
    ck_assert_str_eq(s.documents[1].reason, "previous document complete");
    ck_assert_str_eq(s.documents[2].reason, "different patient name");
    cs_split_free(&s);

    split_texts(all_blank, 2, &s);
    ck_assert_uint_eq(s.ndocuments, 0);
    ck_assert_uint_eq(s.nblank, 2);
    ck_assert_int_eq(s.page_document[0], -1);
    cs_split_free(&s);

    ck_assert_int_eq(cs_index_split(NULL, 0, 2024, &s, err, sizeof err), 0);
    ck_assert_uint_eq(s.ndocuments, 0);
    ck_assert_int_eq(cs_index_split(NULL, 3, 2024, &s, err, sizeof err), -1);
    ck_assert_int_eq(cs_index_split(NULL, 3, 2024, NULL, err, sizeof err), -1);
    ck_assert_str_ne(err, "");
}
END_TEST

/* ---- patient matching ---- */

/* Titles never listed whole still start a document; a section heading does not. */
START_TEST(test_split_title_words)
{
    static const char *const stack[] = {
        "Valley Surgical Group\nBRIEF OP NOTE\nMerrick Dunman   40017517   24FEB1945\n"
        "Name   MRN   DOB\nThe patient was taken to the operating room.\n",
        "Merrick Dunman   40017517\nDISCHARGE MEDICATIONS:\nNone new.\n"
        "The wound was closed in layers.\n",
        "Valley Imaging\nCT CHEST W/O CONTRAST\nMerrick Dunman   40017517   24FEB1945\n"
        "Name   MRN   DOB\nNo nodules. No effusion.\n",
        /* the same title words repeated on a later page: a running title */
        "CT CHEST W/O CONTRAST\nMerrick Dunman   40017517\nName   MRN\nImpression: normal.\n",
    };
    cs_split s;

    split_texts(stack, 4, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_uint_eq(s.documents[0].npages, 2);
    ck_assert_str_eq(s.documents[1].reason, "document title words");
    ck_assert_uint_eq(s.documents[1].first, 2);
    ck_assert_uint_eq(s.documents[1].npages, 2);
    cs_split_free(&s);
}
END_TEST

START_TEST(test_jaro_winkler)
{
    ck_assert_double_eq_tol(cs_jaro_winkler("MARTHA", "MARHTA"), 0.961, 0.0005);
    ck_assert_double_eq_tol(cs_jaro_winkler("DWAYNE", "DUANE"), 0.840, 0.0005);
    ck_assert_double_eq_tol(cs_jaro_winkler("DIXON", "DICKSONX"), 0.813, 0.0005);
    ck_assert_double_eq_tol(cs_jaro_winkler("martha", "Marhta"), 0.961, 0.0005);
    ck_assert_double_eq_tol(cs_jaro_winkler("O'Brien", "OBRIEN"), 1.0, 1e-12);
    ck_assert_double_eq_tol(cs_jaro_winkler("SMITH", "SMITH"), 1.0, 1e-12);
    ck_assert_double_eq_tol(cs_jaro_winkler("ABC", "XYZ"), 0.0, 1e-12);
    ck_assert_double_eq_tol(cs_jaro_winkler("", "SMITH"), 0.0, 1e-12);
    ck_assert_double_eq_tol(cs_jaro_winkler(NULL, NULL), 0.0, 1e-12);
    ck_assert(cs_jaro_winkler("A", "A") == 1.0);
    ck_assert(cs_jaro_winkler("JOHNSON", "JONSON") > 0.92);
}
END_TEST

START_TEST(test_mrn_variants)
{
    char (*v)[CS_MRN_MAX];
    long n, n2;

    ck_assert_int_eq(cs_index_mrn_distance("48213377", "48213377"), 0);
    ck_assert_int_eq(cs_index_mrn_distance("48213377", "48218377"), 1);
    ck_assert_int_eq(cs_index_mrn_distance("48213377", "4821337"), 1);
    ck_assert_int_eq(cs_index_mrn_distance("4821337", "48213377"), 1);
    ck_assert_int_eq(cs_index_mrn_distance("48213377", "482133777"), 1);
    ck_assert_int_eq(cs_index_mrn_distance("48213377", "84213377"), 2);
    ck_assert_int_eq(cs_index_mrn_distance("48213377", "4821"), 2);
    ck_assert_int_eq(cs_index_mrn_distance("a1", "A1"), 0);

    /* 72 substitutions + 8 deletions + 90 - 8 distinct insertions */
    n = cs_index_mrn_variants("12345678", NULL, 0);
    ck_assert_int_eq(n, 162);
    v = malloc((size_t)n * sizeof *v);
    n2 = cs_index_mrn_variants("12345678", v, (size_t)n);
    ck_assert_int_eq(n2, n);
    for (long i = 0; i < n; i++) {
        ck_assert_int_eq(cs_index_mrn_distance(v[i], "12345678"), 1);
        if (i > 0)
            ck_assert(strcmp(v[i - 1], v[i]) < 0);
    }
    free(v);
    /* repeated digits give fewer distinct variants */
    ck_assert_int_lt(cs_index_mrn_variants("11111111", NULL, 0), 162);
    /* alphanumeric MRNs vary over letters too; output bounded by max */
    {
        char few[3][CS_MRN_MAX];
        ck_assert_int_gt(cs_index_mrn_variants("A1234567", few, 3), 300);
        ck_assert_str_eq(few[0], "01234567");
    }
    ck_assert_int_eq(cs_index_mrn_variants("", NULL, 0), -1);
    ck_assert_int_eq(cs_index_mrn_variants("12-34", NULL, 0), -1);
    ck_assert_int_eq(cs_index_mrn_variants(NULL, NULL, 0), -1);
    ck_assert_int_eq(cs_index_mrn_variants("12345678", NULL, 4), -1);
}
END_TEST

/* The roster of the matching tests (synthetic people). */
static const cs_roster_record ROSTER[] = {
    {"48213377", "SMITH", "JOHN", "A", {1952, 3, 14}, 'M'},   /* 0 */
    {"70011223", "SMITH", "JOHN", "", {1968, 11, 2}, 'M'},    /* 1 same name, other DOB */
    {"48218377", "JONES", "MARY", "", {1975, 5, 20}, 'F'},    /* 2 MRN one edit from 0 */
    {"55501001", "BAKER", "ANNA", "", {2001, 6, 10}, 'F'},    /* 3 twin */
    {"55501002", "BAKER", "EMMA", "", {2001, 6, 10}, 'F'},    /* 4 twin */
    {"12121212", "WHITE", "WALTER", "", {1959, 9, 7}, 'M'},   /* 5 look-alike of an absent one */
};

static cs_fields
doc_fields(const char *mrn, const char *last, const char *first, int y, int m, int d)
{
    cs_fields f;

    memset(&f, 0, sizeof f);
    if (mrn) {
        snprintf(f.mrn, sizeof f.mrn, "%s", mrn);
        f.mrn_info.found = f.mrn_info.labelled = 1;
    }
    if (last) {
        snprintf(f.last, sizeof f.last, "%s", last);
        f.name_info.found = f.name_info.labelled = 1;
    }
    if (first)
        snprintf(f.first, sizeof f.first, "%s", first);
    if (y) {
        f.birth.year = y;
        f.birth.month = m;
        f.birth.day = d;
        f.birth_info.found = 1;
    }
    return f;
}

/* Match against the roster records listed in idx (-1 ends). */
static cs_match_decision
match_with(const cs_fields *f, const int *idx, cs_match_score *scores, size_t *best)
{
    cs_roster_record c[8];
    cs_match_decision d;
    size_t n = 0;

    for (; idx[n] >= 0; n++)
        c[n] = ROSTER[idx[n]];
    ck_assert_int_eq(cs_index_match(f, c, n, scores, &d), 0);
    ck_assert_uint_eq(d.ncandidates, n);
    *best = n ? (size_t)idx[scores[0].record] : (size_t)-1;
    for (size_t i = 1; i < n; i++) {
        ck_assert(scores[i - 1].weight >= scores[i].weight);
        ck_assert(scores[i - 1].probability >= scores[i].probability);
    }
    ck_assert(d.file == (d.reason == NULL));
    return d;
}

START_TEST(test_match_files_clear_cases)
{
    cs_match_score s[8];
    cs_match_decision d;
    cs_fields f;
    size_t best;
    double sum = 0;

    f = doc_fields("48213377", "SMITH", "JOHN", 1952, 3, 14);
    d = match_with(&f, (const int[]){1, 2, 0, -1}, s, &best);
    ck_assert_int_eq(d.file, 1);
    ck_assert_uint_eq(best, 0);
    ck_assert(s[0].probability >= CS_MATCH_FILE_PROBABILITY);
    ck_assert_int_eq(s[0].mrn, CS_AGREE_EXACT);
    ck_assert_int_eq(s[0].birth, CS_AGREE_EXACT);
    for (int i = 0; i < 3; i++)
        sum += s[i].probability;
    ck_assert(sum <= 1.0 + 1e-12);
    ck_assert(s[0].pair_probability > 0.99);

    /* a misspelt name and an initial */
    f = doc_fields("48213377", "SMITTH", "J", 1952, 3, 14);
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_int_eq(s[0].last, CS_AGREE_CLOSE);
    ck_assert_int_eq(s[0].first, CS_AGREE_CLOSE);
    ck_assert_int_eq(d.file, 1);

    /* leading zeros do not matter */
    f = doc_fields("0048213377", "SMITH", "JOHN", 1952, 3, 14);
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_int_eq(d.file, 1);

    /* MRN and name without a birth date, or with day and month swapped:
     * the right patient first, but reviewed */
    f = doc_fields("48213377", "SMITH", "JOHN", 0, 0, 0);
    d = match_with(&f, (const int[]){0, 1, -1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_WEAK);
    ck_assert_uint_eq(best, 0);
    f = doc_fields("48213377", "SMITH", "JOHN", 1952, 3, 14);
    f.birth.month = 14;
    f.birth.day = 3;
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_int_eq(s[0].birth, CS_AGREE_CLOSE);
    ck_assert_ptr_eq(d.reason, CS_REASON_WEAK);
}
END_TEST

START_TEST(test_match_never_files_wrongly)
{
    cs_match_score s[8];
    cs_match_decision d;
    cs_fields f;
    size_t best;

    /* same name, another birth date: the MRN's patient has the other DOB */
    f = doc_fields("48213377", "SMITH", "JOHN", 1968, 11, 2);
    d = match_with(&f, (const int[]){0, 1, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_str_eq(d.reason, "MRN matches a patient whose birth date disagrees");
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_DOB);
    /* ... and without an MRN: review, both John Smiths offered */
    f = doc_fields(NULL, "SMITH", "JOHN", 1968, 11, 2);
    d = match_with(&f, (const int[]){0, 1, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_NO_MRN);
    ck_assert_uint_eq(best, 1);

    /* twins: same last name and DOB, adjacent MRNs */
    f = doc_fields("55501002", "BAKER", "EMMA", 2001, 6, 10);
    d = match_with(&f, (const int[]){3, 4, -1}, s, &best);
    ck_assert_int_eq(d.file, 1);                       /* everything agrees */
    ck_assert_uint_eq(best, 4);
    f = doc_fields("55501002", "BAKER", NULL, 2001, 6, 10);
    d = match_with(&f, (const int[]){3, 4, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);                       /* no first name: which twin? */
    ck_assert_ptr_eq(d.reason, CS_REASON_TWO);
    f = doc_fields("55501002", "BAKER", "ANNA", 2001, 6, 10);
    d = match_with(&f, (const int[]){3, 4, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);                       /* Anna's page, Emma's MRN */
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_NAME);
    ck_assert_uint_eq(best, 3);

    /* an MRN typo that lands exactly on another patient's MRN */
    f = doc_fields("48218377", "SMITH", "JOHN", 1952, 3, 14);
    d = match_with(&f, (const int[]){2, 0, 1, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_DOB);
    ck_assert_uint_eq(best, 0);                        /* the reviewer sees John first */
    f = doc_fields("48218377", "SMITH", "JOHN", 0, 0, 0);
    d = match_with(&f, (const int[]){2, 0, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_NAME);

    /* a patient absent from the roster, with a name-only look-alike */
    f = doc_fields("99990000", "WHITE", "WALTER", 1959, 9, 7);
    d = match_with(&f, (const int[]){5, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_NOT_IN_ROSTER);
    f = doc_fields("99990000", "WHITE", "WALTER", 1961, 1, 1);
    d = match_with(&f, (const int[]){5, -1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_NOT_IN_ROSTER);
    d = match_with(&f, (const int[]){-1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_NOT_IN_ROSTER);

    /* a letter with only a name and a birth date */
    f = doc_fields(NULL, "JONES", "MARY", 1975, 5, 20);
    d = match_with(&f, (const int[]){0, 2, -1}, s, &best);
    ck_assert_int_eq(d.file, 0);
    ck_assert_ptr_eq(d.reason, CS_REASON_NO_MRN);
    ck_assert_uint_eq(best, 2);
    ck_assert(s[0].probability > 0.9);                 /* a good suggestion, not filed */
}
END_TEST

START_TEST(test_match_other_reasons)
{
    cs_match_score s[8];
    cs_match_decision d;
    cs_fields f;
    size_t best;

    /* the MRN alone */
    f = doc_fields("48213377", NULL, NULL, 0, 0, 0);
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_WEAK);
    /* only one edit away from the best candidate, the exact MRN unknown */
    f = doc_fields("48213378", "SMITH", "JOHN", 1952, 3, 14);
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_CLOSE);
    ck_assert_uint_eq(best, 0);
    /* two MRNs on the page */
    f = doc_fields("48213377", "SMITH", "JOHN", 1952, 3, 14);
    f.mrn_conflict = 1;
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_MRN_CONFLICT);
    /* names swapped count as close, not exact */
    f = doc_fields("48213377", "JOHN", "SMITH", 1952, 3, 14);
    d = match_with(&f, (const int[]){0, -1}, s, &best);
    ck_assert_int_eq(s[0].last, CS_AGREE_CLOSE);
    ck_assert_int_eq(d.file, 1);
    /* no MRN, no candidates */
    f = doc_fields(NULL, NULL, NULL, 0, 0, 0);
    d = match_with(&f, (const int[]){-1}, s, &best);
    ck_assert_ptr_eq(d.reason, CS_REASON_NO_MRN);
    ck_assert_int_eq(cs_index_match(NULL, NULL, 0, NULL, &d), -1);
    ck_assert_int_eq(cs_index_match(&f, NULL, 1, s, &d), -1);
    ck_assert_int_eq(cs_index_match(&f, NULL, 0, NULL, NULL), -1);
}
END_TEST

static size_t
rnd(uint64_t *st, size_t n)
{
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (size_t)(*st >> 33) % n;
}

/*
 * Property: over thousands of documents with damaged fields, matched
 * against the candidates the roster queries would return, a filed
 * document is always filed to its own patient.
 */
START_TEST(test_match_random_never_wrong)
{
    enum { PATIENTS = 300, DOCS = 6000 };
    static const char *const LAST[] = {"SMITH", "JOHNSON", "BAKER", "NGUYEN", "GARCIA", "MILLER",
                                       "DAVIS", "LOPEZ", "WILSON", "MOORE"};
    static const char *const FIRST[] = {"JOHN", "MARY", "ANNA", "EMMA", "JAMES", "LINDA",
                                        "JOSE", "MARIA", "DAVID", "SUSAN", "JON", "MARIE"};
    static cs_roster_record roster[PATIENTS];
    static char mrns[PATIENTS][CS_MRN_MAX];
    uint64_t st = 99;
    long filed = 0, right = 0;

    for (size_t i = 0; i < PATIENTS; i++) {
        /* MRN neighbours: consecutive blocks of numbers */
        snprintf(mrns[i], CS_MRN_MAX, "%08zu", 40000000 + (i / 3) * 10 + i % 3);
        roster[i].mrn = mrns[i];
        roster[i].last = LAST[rnd(&st, 10)];
        roster[i].first = FIRST[rnd(&st, 12)];
        roster[i].middle = "";
        roster[i].birth = (cs_date){1940 + (int)rnd(&st, 60), 1 + (int)rnd(&st, 12), 1 + (int)rnd(&st, 28)};
        if (i % 10 == 1) {             /* twins of the previous patient */
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
        size_t t = rnd(&st, PATIENTS), nc = 0;
        int absent = rnd(&st, 20) == 0;         /* 5%: the patient is not in the roster */
        cs_roster_record cand[PATIENTS];
        size_t cand_idx[PATIENTS];
        cs_match_score s[PATIENTS];
        cs_match_decision d;
        cs_fields f;
        size_t r;

        memset(&f, 0, sizeof f);
        r = rnd(&st, 10);
        if (r < 6)
            snprintf(f.mrn, sizeof f.mrn, "%s", roster[t].mrn);
        else if (r < 9) {                  /* one misread digit: may land on a neighbour */
            snprintf(f.mrn, sizeof f.mrn, "%s", roster[t].mrn);
            f.mrn[7 - rnd(&st, 3)] = (char)('0' + rnd(&st, 10));
        }
        r = rnd(&st, 10);
        if (r < 7)
            f.birth = roster[t].birth;
        else if (r < 8)
            f.birth = (cs_date){roster[t].birth.year, roster[t].birth.day > 12 ? roster[t].birth.month : roster[t].birth.day,
                                roster[t].birth.day > 12 ? roster[t].birth.day : roster[t].birth.month};
        else if (r < 9)
            f.birth = (cs_date){1940 + (int)rnd(&st, 60), 1 + (int)rnd(&st, 12), 1 + (int)rnd(&st, 28)};
        r = rnd(&st, 10);
        if (r < 7) {
            snprintf(f.last, sizeof f.last, "%s", roster[t].last);
            snprintf(f.first, sizeof f.first, "%s", roster[t].first);
        } else if (r < 8) {
            snprintf(f.last, sizeof f.last, "%s", roster[t].last);
        } else if (r < 9) {
            snprintf(f.last, sizeof f.last, "%s", roster[t].last);
            snprintf(f.first, sizeof f.first, "%s", roster[t].first);
            f.last[rnd(&st, strlen(f.last))] = 'X';           /* OCR damage */
        }
        /* candidate queries: exact MRN, MRN one edit, last name + DOB */
        for (size_t i = 0; i < PATIENTS; i++) {
            if (absent && i == t)
                continue;
            if ((f.mrn[0] && cs_index_mrn_distance(f.mrn, roster[i].mrn) <= 1) ||
                (f.last[0] && f.birth.year && cs_jaro_winkler(f.last, roster[i].last) > 0.8 &&
                 cs_date_cmp(&f.birth, &roster[i].birth) == 0)) {
                cand_idx[nc] = i;
                cand[nc++] = roster[i];
            }
        }
        ck_assert_int_eq(cs_index_match(&f, cand, nc, s, &d), 0);
        if (d.file) {
            filed++;
            ck_assert_msg(!absent && cand_idx[s[0].record] == t,
                          "document %d of patient %zu (%s %s %s %d-%d-%d) filed to %zu "
                          "(%s %s %s %d-%d-%d): doc %s %s %s %d-%d-%d absent %d",
                          k, t, roster[t].mrn, roster[t].last, roster[t].first,
                          roster[t].birth.year, roster[t].birth.month, roster[t].birth.day,
                          cand_idx[s[0].record], cand[s[0].record].mrn, cand[s[0].record].last,
                          cand[s[0].record].first, cand[s[0].record].birth.year,
                          cand[s[0].record].birth.month, cand[s[0].record].birth.day,
                          f.mrn, f.last, f.first, f.birth.year, f.birth.month, f.birth.day, absent);
            right++;
        }
    }
    /* not everything goes to review */
    ck_assert_int_gt(filed, DOCS / 4);
    ck_assert_int_eq(right, filed);
}
END_TEST

/* ---- issue 4 evaluation fixes: titles, letters, OCR-tolerant names ---- */

static cs_titles *
test_titles(void)
{
    static const char *const rows[][2] = {
        {"discharge_summary", "DISCHARGE SUMMARY"},
        {"history_physical", "HISTORY AND PHYSICAL"}, {"history_physical", "H&P"},
        {"history_physical", "CONSULTATION"},
        {"progress_note", "PROGRESS NOTE"}, {"progress_note", "FOLLOW-UP NOTE"},
        {"operative_report", "OPERATIVE REPORT"}, {"operative_report", "PROCEDURE NOTE"},
        {"radiology_report", "RADIOLOGY REPORT"}, {"radiology_report", "IMAGING REPORT"},
        {"ed_note", "EMERGENCY DEPARTMENT RECORD"},
        {"letter", "Dear *"}, {"letter", "Re: *"},
    };
    cs_titles *t = NULL;
    char err[CS_ERRLEN] = "";

    ck_assert_int_eq(cs_titles_new(&t, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ck_assert_msg(cs_titles_add(t, rows[i][0], rows[i][1], err, sizeof err) == 0, "%s", err);
    return t;
}

START_TEST(test_titles_find)
{
    cs_titles *t = test_titles();
    char err[CS_ERRLEN] = "";
    int pattern = -1;

    ck_assert_uint_eq(cs_titles_count(t), 13);
    /* case, spacing, punctuation, & for AND, OCR digits, extra words */
    ck_assert_str_eq(cs_index_find_title(t, "Mercy Hospital\nDISCHARGE  SUMMARY\nPatient: X\n",
                                         &pattern), "discharge_summary");
    ck_assert_int_eq(pattern, 0);
    ck_assert_str_eq(cs_index_find_title(t, "Valley Clinic\nHistory & Physical\n", NULL),
                     "history_physical");
    ck_assert_str_eq(cs_index_find_title(t, "HISTORY AND PHYSICAL EXAMINATION\n", NULL),
                     "history_physical");
    ck_assert_str_eq(cs_index_find_title(t, "H & P\n", NULL), "history_physical");
    ck_assert_str_eq(cs_index_find_title(t, "PR0GRESS N0TE:\n", NULL), "progress_note");
    ck_assert_str_eq(cs_index_find_title(t, "Follow up note\n", NULL), "progress_note");
    ck_assert_str_eq(cs_index_find_title(t, "DIAGNOSTIC IMAGING REPORT\n", NULL),
                     "radiology_report");
    ck_assert_str_eq(cs_index_find_title(t, "CLINIC PROGRESS NOTE\n", NULL), "progress_note");
    /* a sentence is not a title; nor a title below the top lines */
    ck_assert_ptr_null(cs_index_find_title(t, "The patient had a progress note written.\n", NULL));
    ck_assert_ptr_null(cs_index_find_title(t, "one line\ntwo line\nthree line\nfour line\nfive line\nsix line\n"
        "seven line\neight line\nnine line\nten line\nOPERATIVE REPORT\n", NULL));
    /* lines of specks (a photocopy, a stamp) above it do not push a title down */
    ck_assert_str_eq(cs_index_find_title(t, ". .\n'\n. s .\n..\n: .\n-\n. ,\nOPERATIVE REPORT\n", NULL),
                     "operative_report");
    ck_assert_ptr_null(cs_index_find_title(t, "", NULL));
    ck_assert_ptr_null(cs_index_find_title(NULL, "OPERATIVE REPORT", NULL));
    ck_assert_ptr_null(cs_index_find_title(t, NULL, NULL));
    /* letters: a pattern, deeper in the page, only when no title matched */
    ck_assert_str_eq(cs_index_find_title(t, "St. Agatha Surgical Specialists\n12 Main St\n\n"
                                            "July 26, 2023\n\nAnn Lee, MD\n\nRe: YARRIDGE, HARRIET\n"
                                            "Dear Dr. Keswick:\n", &pattern), "letter");
    ck_assert_int_eq(pattern, 2);
    ck_assert_str_eq(cs_index_find_title(t, "x\nDear Dr. Lee,\nDear Dr. Lee,\n", &pattern),
                     "letter");
    ck_assert_int_eq(pattern, 1);
    ck_assert_str_eq(cs_index_find_title(t, "x\nDear Dr. Lee,\n", NULL), "letter");
    ck_assert_ptr_null(cs_index_find_title(t, "Re-evaluation in two weeks.\nDearth of data\n", NULL));
    ck_assert_str_eq(cs_index_find_title(t, "OPERATIVE REPORT\nRe: SMITH, JOHN\n", &pattern),
                     "operative_report");
    ck_assert_int_eq(pattern, 0);
    /* errors */
    ck_assert_int_eq(cs_titles_add(t, "x", "12 34", err, sizeof err), -1);
    ck_assert_int_eq(cs_titles_add(t, "x", "*", err, sizeof err), -1);
    ck_assert_int_eq(cs_titles_add(t, NULL, "A", err, sizeof err), -1);
    ck_assert_int_eq(cs_titles_add(NULL, "x", "A", err, sizeof err), -1);
    cs_titles_free(&t);
    ck_assert_ptr_null(t);
    cs_titles_free(&t);
    cs_titles_free(NULL);
}
END_TEST

START_TEST(test_titles_combine_with_classifier)
{
    cs_labelled_text *ex = NULL;
    cs_classifier *m = NULL;
    cs_titles *t = test_titles();
    cs_prediction plain[7], top[7];
    const char *code = NULL;
    char err[CS_ERRLEN] = "";
    const char *body = "FINDINGS: clear lungs. IMPRESSION: no acute disease. Counts correct.";
    char page[512];
    size_t n = 0;
    double sum = 0;
    int k;

    ck_assert_int_eq(cs_index_default_examples(&ex, &n), 0);
    ck_assert_msg(cs_classifier_train(ex, n, &m, err, sizeof err) == 0, "%s", err);

    /* no title: the classifier's ranking, confidences pulled from 0 and 1 */
    ck_assert_int_eq(cs_classifier_predict(m, body, plain, 7), 7);
    ck_assert_int_eq(cs_index_doctype(m, t, body, body, top, 7, &code), 7);
    ck_assert_ptr_null(code);
    ck_assert_str_eq(top[0].label, plain[0].label);
    ck_assert(top[0].confidence <= 0.96);
    ck_assert(top[6].confidence >= 0.05 / 7 * 0.99);
    for (int i = 0; i < 7; i++)
        sum += top[i].confidence;
    ck_assert(fabs(sum - 1) < 1e-9);

    /* a printed title outweighs an unsure classifier, and its confidence is earned */
    snprintf(page, sizeof page, "Mercy Hospital\nDISCHARGE SUMMARY\nPatient: X\n%s", body);
    k = cs_index_doctype(m, t, page, page, top, 3, &code);
    ck_assert_int_eq(k, 3);
    ck_assert_str_eq(code, "discharge_summary");
    ck_assert_str_eq(top[0].label, "discharge_summary");
    ck_assert(top[0].confidence > 0.5);
    ck_assert(top[0].confidence >= top[1].confidence && top[1].confidence >= top[2].confidence);

    /* title and text agree: confident */
    k = cs_index_doctype(m, t, "OPERATIVE REPORT\n",
                         "OPERATIVE REPORT\nPREOPERATIVE DIAGNOSIS: hernia. ANESTHESIA: general. "
                         "ESTIMATED BLOOD LOSS: minimal. Counts correct.", top, 1, NULL);
    ck_assert_int_eq(k, 1);
    ck_assert_str_eq(top[0].label, "operative_report");
    ck_assert(top[0].confidence >= 0.99);

    /* a letter's opening: the pattern's weaker evidence */
    k = cs_index_doctype(m, t, "Clinic\nJuly 1, 2020\nRe: DOE, JANE\nDear Dr. Lee:\n",
                         "Clinic\nJuly 1, 2020\nRe: DOE, JANE\nDear Dr. Lee:\nThank you for "
                         "referring her. Sincerely,", top, 1, &code);
    ck_assert_str_eq(code, "letter");
    ck_assert_str_eq(top[0].label, "letter");

    /* a code the model does not know is ignored; no model, no prediction */
    {
        cs_titles *u = NULL;
        ck_assert_int_eq(cs_titles_new(&u, err, sizeof err), 0);
        ck_assert_int_eq(cs_titles_add(u, "pathology_report", "PATHOLOGY REPORT", err, sizeof err), 0);
        ck_assert_int_eq(cs_index_doctype(m, u, "PATHOLOGY REPORT\n", body, top, 7, &code), 7);
        ck_assert_str_eq(code, "pathology_report");
        ck_assert_str_eq(top[0].label, plain[0].label);
        cs_titles_free(&u);
    }
    ck_assert_int_eq(cs_index_doctype(NULL, t, page, page, top, 3, NULL), 0);
    ck_assert_int_eq(cs_index_doctype(m, t, page, page, top, 0, NULL), 0);
    ck_assert_int_eq(cs_index_doctype(m, NULL, NULL, body, top, 2, NULL), 2);

    cs_titles_free(&t);
    cs_classifier_free(&m);
    cs_index_default_examples_free(&ex, n);
}
END_TEST

START_TEST(test_split_same_patient_other_encounter)
{
    /* the same patient's next document has no title the splitter knows,
     * no labels it reads as a date of service and the same MRN: only the
     * dates of its identifier block differ (a sticker; values above their
     * labels; an "ADM" date) */
    static const char *const stack[] = {
        "COUNTY GENERAL MEDICAL CENTER\nEMERGENCY DEPARTMENT RECORD\nName: WEXLEY SABINE I\n"
        "Medical Record No: 88866750\nBirth Date: 9/16/1991\nArrival: 04/17/2023\n\n"
        "CHIEF COMPLAINT: Fall from a ladder.\n",
        "MERCY VALLEY HEALTH SYSTEM\nWexley, Sabine I 88866750 SEP-16-1991\n"
        "Name Med. Rec. No. Birthdate\nAPR-27-2015 Y. Yarworth, MD 3395419416\n"
        "Date of Surgery Provider Acct #\n\nPREOPERATIVE DIAGNOSIS: Right wrist pain.\n",
        /* a continuation page: running header with the same dates, then the
         * story, whose dates are not the document's */
        "WEXLEY, SABINE I   88866750   SEP-16-1991   APR-27-2015\n"
        "The patient was seen on 03/02/2015 and again on 03/30/2015 in the clinic for the\n"
        "same pain, and an x-ray on 4/1/2015 showed the collapse pattern.\n",
        /* another continuation without any identifier block: its dates say nothing */
        "On 5/5/2015 she returned for suture removal.\n",
    };
    cs_split s;

    split_texts(stack, 4, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_str_eq(s.documents[1].reason, "different dates in the header");
    ck_assert_uint_eq(s.documents[1].first, 1);
    ck_assert_uint_eq(s.documents[1].last, 3);
    cs_split_free(&s);
}
END_TEST

START_TEST(test_split_text_flows_on)
{
    /* a blank back side of a simplex-looking file, then a page that opens
     * mid-sentence: the text flows on, one document */
    static const char *const flow[] = {
        "INPATIENT CONSULTATION\nAshwell, Edith Y. #97851865\nD.O.B. 30-Nov-1958\n\n"
        "FINDINGS: Her umbilicus is oval shaped and of adequate caliber for a transumbilical\n",
        NULL,
        "breast augmentation. There was no piercing in that region. Her breasts\n"
        "are C shaped.\nIMPRESSION AND PLAN: Hypomastia.\n",
    };
    /* not flowing on: a capitalised sentence, speckle read as a letter
     * before a name, a lower-case label */
    static const char *const starts[] = {
        NULL,
        "CLINIC NOTE\nPatient: DOE, JANE   MRN: 48213377\nDoing well.\n",
        NULL,
        "She returns today and her pain is much better than it was at the last visit.\n",
        NULL,
        "e Dunmore-Norlow Harriet Rosalind\nMRN: 48213377\nDOB: 05/06/1950\n",
        NULL,
        "name: Doe, Jane\nthe patient is seen today for her blood pressure\n",
    };
    cs_split s;

    split_texts(flow, 3, &s);
    ck_assert_uint_eq(s.ndocuments, 1);
    ck_assert_int_eq(s.page_document[2], 0);
    cs_split_free(&s);
    split_texts(starts, 8, &s);
    ck_assert_uint_eq(s.ndocuments, 4);
    cs_split_free(&s);
}
END_TEST

START_TEST(test_split_letter_after_document)
{
    /* chart_0065: two letters for one patient, no titles, no page numbers */
    static const char *const letters[] = {
        "Riverside Cardiology\n40 Elm St, Springfield    Tel (555) 201-3344\n\nJune 2, 2023\n\n"
        "Ann Lee, MD\n12 Main St\nSpringfield\n\nRe: YARRIDGE, HARRIET I\nDOB: 1951-11-20\n"
        "MRN: 88161215\n\nDear Dr. Lee:\n\nThank you for seeing her.\n",
        "St. Agatha Surgical Specialists\n990 Oak Ave, Shelby    Tel (555) 300-1234\n\n"
        "July 26, 2023\n\nPaul Keswick, MD\n5 Pine Rd\nShelby\n\nRe: YARRIDGE, HARRIET I\n"
        "DOB: 1951-11-20\nMRN: 88161215\n\nDear Dr. Keswick:\n\nShe did well.\n",
    };
    /* without letterhead or date line */
    static const char *const bare[] = {
        "PROGRESS NOTE\nPatient: DOE, JANE   MRN: 48213377\nDoing well.\n",
        "RE: DOE, JANE\nDear Dr. Smith,\nI saw Jane today.\n",
        "She will return in a month.\nSincerely,\n",
    };
    cs_split s;

    split_texts(letters, 2, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_str_eq(s.documents[1].reason, "letter opening");
    cs_split_free(&s);
    split_texts(bare, 3, &s);
    ck_assert_uint_eq(s.ndocuments, 2);
    ck_assert_uint_eq(s.documents[1].first, 1);
    ck_assert_uint_eq(s.documents[1].last, 2);
    cs_split_free(&s);
}
END_TEST

START_TEST(test_names_ocr_tolerant)
{
    char last[CS_NAME_MAX], first[CS_NAME_MAX], middle[CS_NAME_MAX];
    int labelled = 0;
    cs_fields f;
    cs_mrn_candidate c[4];

    /* ';' read for ':' */
    ck_assert_int_eq(cs_index_find_name("Patient Name; GILBERT B. WEXWORTH\n", 1, last, first,
                                        middle, &labelled), 1);
    ck_assert_str_eq(last, "WEXWORTH");
    ck_assert_str_eq(first, "GILBERT");
    ck_assert_str_eq(middle, "B");
    ck_assert_int_eq(labelled, 1);
    /* a middle initial read as a digit */
    ck_assert_int_eq(cs_index_find_name("Re: LUCAN 0. DUNLOWE\n", 1, last, first, middle, NULL), 1);
    ck_assert_str_eq(last, "DUNLOWE");
    ck_assert_str_eq(first, "LUCAN");
    ck_assert_str_eq(middle, "O");
    ck_assert_int_eq(cs_index_find_name("Patient Name: CORINNE 0. WEXLOWE   DOB: 1/2/1950\n", 1,
                                        last, first, middle, NULL), 1);
    ck_assert_str_eq(last, "WEXLOWE");
    ck_assert_str_eq(middle, "O");
    ck_assert_int_eq(cs_index_find_name("Patient: WEXLOWE, CORINNE 0\n", 1, last, first, middle,
                                        NULL), 1);
    ck_assert_str_eq(first, "CORINNE");
    ck_assert_str_eq(middle, "O");
    /* a misread label */
    ck_assert_int_eq(cs_index_find_name("PATIENT NAMF: Craneson, Percival N\n", 1, last, first,
                                        middle, NULL), 1);
    ck_assert_str_eq(last, "CRANESON");
    ck_assert_str_eq(first, "PERCIVAL");
    ck_assert_str_eq(middle, "N");
    /* noise after the initial ends the name */
    ck_assert_int_eq(cs_index_find_name("Patient: Ivesfield, Harriet \xc2\xa7S\n", 1, last, first,
                                        middle, NULL), 1);
    ck_assert_str_eq(last, "IVESFIELD");
    ck_assert_str_eq(first, "HARRIET");

    /* ... but garbage is not a name */
    ck_assert_int_eq(cs_index_find_name("Patient: \xc2\xa7 Ivesfield, Harriet\n", 1, last, first,
                                        middle, NULL), 0);
    ck_assert_int_eq(cs_index_find_name("Patient: Ives\xc2\xa7 Harriet\n", 1, last, first, middle,
                                        NULL), 0);
    ck_assert_int_eq(cs_index_find_name("Patient Names: 4 on file\n", 1, last, first, middle,
                                        NULL), 0);
    ck_assert_int_eq(cs_index_find_name("Patient: John 0 0 0 Smith 12\n", 1, last, first, middle,
                                        NULL) == 0 || strcmp(first, "JOHN") == 0, 1);
    ck_assert_int_eq(cs_index_find_name("Patient NAMF notes: none\n", 1, last, first, middle,
                                        NULL), 0);
    ck_assert_int_eq(cs_index_find_name("Pt: room 0. left\n", 1, last, first, middle, NULL), 0);

    /* a bare '#' after "First M. Last" (issue 4 evaluation, point 4) */
    extract_one("Mercy Hospital\nPROGRESS NOTE\nWren W. Langlowe   #73640069\nDOB: 04/05/1961\n", &f);
    ck_assert_str_eq(f.mrn, "73640069");
    ck_assert_int_eq(f.mrn_info.labelled, 1);
    ck_assert_str_eq(f.last, "LANGLOWE");
    ck_assert_str_eq(f.first, "WREN");
    ck_assert_str_eq(f.middle, "W");
    ck_assert_int_eq(cs_index_find_mrns("WREN LANGLOWE #73640069", c, 4), 1);
    ck_assert_int_eq(c[0].labelled, 1);
    /* not after other words, not after an account label, not a sentence */
    ck_assert_int_eq(cs_index_find_mrns("Seen in Room #73640069", c, 4), 1);
    ck_assert_int_eq(c[0].labelled, 0);
    ck_assert_int_eq(cs_index_find_mrns("Wren Langlowe Acct #73640069", c, 4), 0);
    ck_assert_int_eq(cs_index_find_name("the patient   #73640069\n", 0, last, first, middle, NULL), 0);
    ck_assert_int_eq(cs_index_find_name("Boston Massachusetts\n", 0, last, first, middle, NULL), 0);
}
END_TEST

static Suite *
indexer_suite(void)
{
    Suite *s = suite_create("indexer");
    TCase *tc;

    tc = tcase_create("classifier core");
    tcase_add_test(tc, test_classifier_predicts_held_out);
    tcase_add_test(tc, test_classifier_confidences_are_probabilities);
    tcase_add_test(tc, test_classifier_round_trip);
    tcase_add_test(tc, test_tokenize_feature_spaces);
    suite_add_tcase(s, tc);

    tc = tcase_create("classifier limits");
    tcase_add_test(tc, test_classifier_long_and_odd_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("classifier errors");
    tcase_add_test(tc, test_classifier_train_errors);
    tcase_add_test(tc, test_load_rejects_truncated);
    tcase_add_test(tc, test_load_rejects_damage_and_garbage);
    tcase_add_test(tc, test_load_survives_resealed_damage);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("crossval");
    tcase_add_test(tc, test_crossval_separable);
    tcase_add_test(tc, test_crossval_deterministic_and_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("mrn");
    tcase_add_test(tc, test_mrn_labelled_forms);
    tcase_add_test(tc, test_mrn_ocr_confusions);
    tcase_add_test(tc, test_mrn_excludes_other_numbers);
    tcase_add_test(tc, test_mrn_order_and_duplicates);
    tcase_add_test(tc, test_mrn_limits_and_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("calibration and default model");
    tcase_add_test(tc, test_calibration_temperature);
    tcase_add_test(tc, test_load_version_1);
    tcase_add_test(tc, test_crossval_reliability_and_default_model);
    tcase_add_test(tc, test_default_model_classifies);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("dates");
    tcase_add_test(tc, test_dates_formats);
    tcase_add_test(tc, test_dates_years);
    suite_add_tcase(s, tc);

    tc = tcase_create("fields");
    tcase_add_test(tc, test_fields_header_block);
    tcase_add_test(tc, test_fields_bare_hash_and_letters);
    tcase_add_test(tc, test_fields_word_boxes_and_pages);
    suite_add_tcase(s, tc);

    tc = tcase_create("split");
    tcase_add_test(tc, test_split_three_document_stack);
    tcase_add_test(tc, test_split_single_document);
    tcase_add_test(tc, test_split_signals);
    tcase_add_test(tc, test_split_title_words);
    suite_add_tcase(s, tc);

    tc = tcase_create("match");
    tcase_add_test(tc, test_jaro_winkler);
    tcase_add_test(tc, test_mrn_variants);
    tcase_add_test(tc, test_match_files_clear_cases);
    tcase_add_test(tc, test_match_never_files_wrongly);
    tcase_add_test(tc, test_match_other_reasons);
    tcase_add_test(tc, test_match_random_never_wrong);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("titles, letters and OCR-tolerant names");
    tcase_add_test(tc, test_titles_find);
    tcase_add_test(tc, test_titles_combine_with_classifier);
    tcase_add_test(tc, test_split_letter_after_document);
    tcase_add_test(tc, test_split_same_patient_other_encounter);
    tcase_add_test(tc, test_split_text_flows_on);
    tcase_add_test(tc, test_names_ocr_tolerant);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(indexer_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/*
 * check_indexer.c — unit tests for indexer/: the document-type classifier
 * (training, prediction, serialisation, cross-validation) and MRN
 * extraction.  All texts are invented; none come from real records.
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

/*
 * default_examples.c — the labelled examples the default document-type
 * model is trained on, so that a fresh installation classifies the seven
 * default types before any site has labelled data of its own.
 *
 * Interface routines:
 *   cs_index_default_examples        generate the examples
 *   cs_index_default_examples_free
 *
 * Every phrase below was written for chartscan: titles, section headings
 * and sentences typical of each type.  An example is a title variant, the
 * type's headings each followed by one of its sentences, and a sentence
 * shared by all types (so that common clinical words do not decide the
 * type), chosen by a fixed generator: the set, hence the default model,
 * is the same on every run and platform.  A site replaces the model with
 * `chartscan train` on its own labelled documents.
 */
#include "indexer/indexer.h"
#include "common/common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXAMPLES_PER_TYPE 40
#define BANK 6

typedef struct phrase_bank {
    const char *code;
    const char *titles[BANK];
    const char *headings[BANK];
    const char *sentences[BANK * 2];
} phrase_bank;

static const phrase_bank BANKS[] = {
    {"discharge_summary",
     {"DISCHARGE SUMMARY", "Discharge Summary", "HOSPITAL DISCHARGE SUMMARY",
      "DISCHARGE SUMMARY REPORT", "Discharge Summary - Inpatient", "DISCHARGE NOTE"},
     {"ADMISSION DATE:", "DISCHARGE DATE:", "HOSPITAL COURSE:", "DISCHARGE DIAGNOSES:",
      "DISCHARGE MEDICATIONS:", "DISPOSITION:"},
     {"The patient was admitted through the emergency department and treated on the medical floor.",
      "Hospital course was uncomplicated and the patient improved steadily.",
      "She was discharged home in stable condition with follow-up in one week.",
      "Discharge medications were reviewed with the patient and family.",
      "He tolerated a regular diet and ambulated without assistance before discharge.",
      "Condition at discharge: stable. Discharged to a skilled nursing facility.",
      "Follow up with the primary care physician in two weeks after discharge.",
      "Intravenous antibiotics were changed to oral therapy prior to discharge.",
      "The length of stay was four days; the patient was discharged on hospital day five.",
      "Discharge instructions and warning signs were explained and understood.",
      "Final diagnoses at discharge are listed below with the hospital course.",
      "Pending results at discharge will be forwarded to the primary physician."}},
    {"history_physical",
     {"HISTORY AND PHYSICAL", "History and Physical Examination", "ADMISSION HISTORY AND PHYSICAL",
      "CONSULTATION", "CONSULTATION NOTE", "H&P"},
     {"CHIEF COMPLAINT:", "HISTORY OF PRESENT ILLNESS:", "PAST MEDICAL HISTORY:",
      "SOCIAL HISTORY:", "REVIEW OF SYSTEMS:", "PHYSICAL EXAMINATION:"},
     {"The patient is a pleasant adult who presents with two days of worsening symptoms.",
      "Past medical history is significant for hypertension and type 2 diabetes.",
      "Family history is noncontributory. He denies tobacco or alcohol use.",
      "Review of systems is otherwise negative in all other systems reviewed.",
      "HEENT: normocephalic, atraumatic. Neck supple. Lungs clear to auscultation.",
      "Heart regular rate and rhythm without murmurs. Abdomen soft and nontender.",
      "I was asked to see the patient in consultation by the admitting physician.",
      "Allergies: no known drug allergies. Medications as listed in the chart.",
      "Extremities without edema. Neurologic examination is nonfocal.",
      "Thank you for this consultation; recommendations are detailed below.",
      "Vital signs on admission were stable; she was alert and oriented.",
      "Surgical history includes appendectomy in childhood and a knee repair."}},
    {"progress_note",
     {"PROGRESS NOTE", "Progress Note", "DAILY PROGRESS NOTE", "OFFICE VISIT",
      "FOLLOW-UP VISIT", "CLINIC NOTE"},
     {"SUBJECTIVE:", "OBJECTIVE:", "ASSESSMENT:", "PLAN:", "INTERVAL HISTORY:",
      "ASSESSMENT AND PLAN:"},
     {"The patient returns for follow-up and reports feeling better since the last visit.",
      "She has been taking her medications as prescribed without side effects.",
      "Blood pressure today is well controlled on the current regimen.",
      "Continue the current medications and return to clinic in three months.",
      "Overnight the patient was comfortable and afebrile; no new complaints.",
      "Labs this morning are stable; we will continue to monitor daily.",
      "He is here today for a routine recheck of his chronic conditions.",
      "Plan discussed with the patient, who agrees with the plan of care.",
      "Symptoms are improving. Will taper the steroid dose over the next week.",
      "Weight is stable since the last visit; diet counseling was provided.",
      "Assessment: stable chronic disease. Plan: refill medications.",
      "Postoperative day two, doing well, pain controlled on oral medication."}},
    {"operative_report",
     {"OPERATIVE REPORT", "Operative Report", "OPERATIVE NOTE", "REPORT OF OPERATION",
      "PROCEDURE NOTE", "OPERATIVE PROCEDURE REPORT"},
     {"PREOPERATIVE DIAGNOSIS:", "POSTOPERATIVE DIAGNOSIS:", "PROCEDURE PERFORMED:",
      "ANESTHESIA:", "ESTIMATED BLOOD LOSS:", "DESCRIPTION OF PROCEDURE:"},
     {"The patient was brought to the operating room and placed in the supine position.",
      "General endotracheal anesthesia was induced without difficulty.",
      "The abdomen was prepped and draped in the usual sterile fashion.",
      "A time-out was performed confirming the patient, procedure and site.",
      "The incision was closed in layers and the skin approximated with staples.",
      "Sponge, needle and instrument counts were correct at the end of the case.",
      "Estimated blood loss was minimal. There were no complications.",
      "The specimen was sent to pathology for permanent section.",
      "Hemostasis was obtained with electrocautery and the wound irrigated.",
      "The patient tolerated the procedure well and went to recovery in stable condition.",
      "Trocars were placed under direct vision and the pneumoperitoneum established.",
      "Surgeon and assistant were present for the entire procedure."}},
    {"radiology_report",
     {"RADIOLOGY REPORT", "Radiology Report", "DIAGNOSTIC IMAGING REPORT", "CT REPORT",
      "MRI REPORT", "X-RAY REPORT"},
     {"EXAM:", "CLINICAL HISTORY:", "TECHNIQUE:", "COMPARISON:", "FINDINGS:", "IMPRESSION:"},
     {"Two views of the chest were obtained. The lungs are clear.",
      "Axial images were acquired through the abdomen and pelvis with intravenous contrast.",
      "There is no acute fracture or dislocation. Joint spaces are preserved.",
      "No focal consolidation, pleural effusion or pneumothorax is seen.",
      "The heart size is normal. The mediastinal contours are unremarkable.",
      "Impression: no acute cardiopulmonary process.",
      "No prior studies are available for comparison.",
      "Sagittal and axial sequences of the brain were obtained without contrast.",
      "The liver, spleen and kidneys are unremarkable in appearance.",
      "Impression: findings are stable compared with the prior examination.",
      "Ultrasound of the right upper quadrant shows a normal gallbladder.",
      "Dictated by the radiologist; images reviewed on the workstation."}},
    {"ed_note",
     {"EMERGENCY DEPARTMENT RECORD", "Emergency Department Note", "EMERGENCY ROOM REPORT",
      "ED PHYSICIAN NOTE", "EMERGENCY DEPARTMENT VISIT", "ED NOTE"},
     {"TRIAGE:", "CHIEF COMPLAINT:", "ED COURSE:", "MEDICAL DECISION MAKING:",
      "DISPOSITION:", "TIME SEEN:"},
     {"The patient arrived by ambulance and was triaged as urgent.",
      "In the emergency department the patient was given intravenous fluids.",
      "ED course: symptoms resolved after treatment and the patient was reassessed.",
      "Medical decision making: differential diagnosis considered and workup obtained.",
      "Disposition: discharged home from the emergency department with return precautions.",
      "The patient presented to the ER after a fall at home earlier today.",
      "Triage vital signs were recorded and the patient was placed in a room.",
      "Emergency physician evaluation was performed at the bedside.",
      "Return to the emergency department for worsening pain or fever.",
      "The case was discussed with the on-call specialist who agreed with admission.",
      "Laceration repaired in the ED with simple interrupted sutures.",
      "Patient left the department in good condition accompanied by family."}},
    {"letter",
     {"Dear Dr. Colleague,", "Dear Doctor,", "To Whom It May Concern:",
      "Dear Referring Physician,", "Dear Sir or Madam,", "Dear Dr. Partner,"},
     {"RE:", "Regarding:", "Sincerely,", "Yours sincerely,", "cc:", "Best regards,"},
     {"Thank you for referring this patient to our clinic for evaluation.",
      "I had the pleasure of seeing your patient in the office today.",
      "Please do not hesitate to contact me if you have any questions.",
      "I will see her again in follow-up and keep you informed of her progress.",
      "This letter is to confirm that the patient is under my care.",
      "Thank you for allowing me to participate in the care of this patient.",
      "He may return to work without restrictions as of next week.",
      "Enclosed please find copies of the recent test results.",
      "I have recommended the following changes to her treatment.",
      "With kind regards, I remain available for further discussion.",
      "We look forward to working with you in the care of this patient.",
      "Please excuse the patient from school for the dates listed above."}},
};

static const char *const SHARED[] = {
    "Patient identity confirmed with two identifiers.",
    "Medications reviewed. Allergies reviewed.",
    "Electronically signed by the attending physician.",
    "Vital signs: temperature, pulse and blood pressure recorded.",
};

#define NBANKS (sizeof BANKS / sizeof *BANKS)
#define NSHARED (sizeof SHARED / sizeof *SHARED)

static uint32_t
next(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

/* One example of bank b, number k, into buf. */
static int
make_example(const phrase_bank *b, uint64_t *state, cs_buf *buf)
{
    int rc = cs_buf_printf(buf, "%s\n\n", b->titles[next(state) % BANK]);
    int sections = 3 + (int)(next(state) % 4);

    for (int s = 0; s < sections && rc == 0; s++) {
        const char *h = b->headings[next(state) % BANK];
        rc = cs_buf_printf(buf, "%s %s\n", h, b->sentences[next(state) % (BANK * 2)]);
        if (rc == 0 && next(state) % 2)
            rc = cs_buf_printf(buf, "%s\n", b->sentences[next(state) % (BANK * 2)]);
    }
    if (rc == 0)
        rc = cs_buf_printf(buf, "%s\n", SHARED[next(state) % NSHARED]);
    return rc;
}

/*
 * cs_index_default_examples()
 *
 *      Input:  out (out: malloc'd array of examples; NULL on error)
 *              n (out: their count, 280: 40 of each of the 7 types)
 *      Return: 0, or -1 (NULL argument, out of memory)
 *
 *  Notes:
 *      (1) Labels point to static strings; texts are malloc'd.  Release
 *          everything with cs_index_default_examples_free.
 *      (2) Deterministic: the same examples on every call.
 */
int
cs_index_default_examples(cs_labelled_text **out, size_t *n)
{
    cs_labelled_text *ex = NULL;
    size_t total = NBANKS * EXAMPLES_PER_TYPE, made = 0;
    uint64_t state = 20240314;

    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!out || !n)
        return -1;
    if ((ex = calloc(total, sizeof *ex)) == NULL)
        return -1;
    for (size_t k = 0; k < EXAMPLES_PER_TYPE; k++)
        for (size_t b = 0; b < NBANKS; b++) {
            cs_buf buf = CS_BUF_INIT;
            if (make_example(&BANKS[b], &state, &buf) < 0) {
                cs_buf_free(&buf);
                cs_index_default_examples_free(&ex, made);
                return -1;
            }
            ex[made].label = BANKS[b].code;
            ex[made].text = buf.data;
            made++;
        }
    *out = ex;
    *n = made;
    return 0;
}

/* Release what cs_index_default_examples made; accepts NULL, nulls *examples. */
void
cs_index_default_examples_free(cs_labelled_text **examples, size_t n)
{
    if (!examples || !*examples)
        return;
    for (size_t i = 0; i < n; i++)
        free((char *)(*examples)[i].text);
    free(*examples);
    *examples = NULL;
}

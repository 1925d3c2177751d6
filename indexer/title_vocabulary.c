/*
 * title_vocabulary.c — the built-in title vocabulary: words and phrases
 * that name or suggest one of the seven default document types in a
 * title, each with its weight.  A table, kept apart from the code that
 * reads titles (title_words.c, whose file comment says how the weights
 * are used) so that either can be read on its own.
 *
 * Internal routines (model.h):
 *   cs_title_vocabulary        the built-in vocabulary, entry by entry
 *
 * Weights, in pseudo-observations of "this word in a title of the type":
 * STRONG for words that name the type on their own (RADIOLOGY, CT,
 * OPERATIVE, EMERGENCY, DISCHARGE, CONSULTATION, PROGRESS, LETTER),
 * MEDIUM for words that usually do (SCAN, CLINIC, SURGERY), WEAK for
 * words that lean (CHEST, DAILY).
 */
#include "indexer/model.h"

#include <stddef.h>

#define STRONG             100.0
#define MEDIUM             20.0
#define WEAK               3.0

typedef struct vocabulary_entry {
    const char *code, *phrase;
    double weight;
} vocabulary_entry;

/*
 * The built-in vocabulary: words and phrases that name or suggest one of
 * the seven default types in a title.  Written for chartscan from the
 * usual vocabulary of medical record titles; an evaluation's held-out
 * wordings were not consulted.
 */
static const vocabulary_entry VOCABULARY[] = {
    {"radiology_report", "radiology", STRONG}, {"radiology_report", "radiologic", STRONG},
    {"radiology_report", "radiograph", STRONG}, {"radiology_report", "radiography", STRONG},
    {"radiology_report", "radiographic", STRONG}, {"radiology_report", "imaging", STRONG},
    {"radiology_report", "CT", STRONG}, {"radiology_report", "CTA", STRONG},
    {"radiology_report", "CAT scan", STRONG}, {"radiology_report", "MRI", STRONG},
    {"radiology_report", "MRA", STRONG}, {"radiology_report", "MR", STRONG},
    {"radiology_report", "XRAY", STRONG},
    {"radiology_report", "XR", STRONG}, {"radiology_report", "ultrasound", STRONG},
    {"radiology_report", "ultrasonography", STRONG}, {"radiology_report", "sonogram", STRONG},
    {"radiology_report", "sonography", STRONG}, {"radiology_report", "mammogram", STRONG},
    {"radiology_report", "mammography", STRONG}, {"radiology_report", "fluoroscopy", STRONG},
    {"radiology_report", "nuclear medicine", STRONG}, {"radiology_report", "PET", STRONG},
    {"radiology_report", "SPECT", STRONG}, {"radiology_report", "DEXA", STRONG},
    {"radiology_report", "echocardiogram", STRONG},
    {"radiology_report", "echocardiography", STRONG},
    {"radiology_report", "arthrogram", STRONG}, {"radiology_report", "myelogram", STRONG},
    {"radiology_report", "venogram", STRONG}, {"radiology_report", "arteriogram", STRONG},
    {"radiology_report", "urogram", STRONG}, {"radiology_report", "pyelogram", STRONG},
    {"radiology_report", "esophagram", STRONG}, {"radiology_report", "KUB", STRONG},
    {"radiology_report", "densitometry", STRONG}, {"radiology_report", "scintigraphy", STRONG},
    {"radiology_report", "elastography", STRONG}, {"radiology_report", "echo", MEDIUM},
    {"radiology_report", "duplex", MEDIUM}, {"radiology_report", "barium", MEDIUM},
    {"radiology_report", "swallow study", MEDIUM},
    {"radiology_report", "tomography", STRONG}, {"radiology_report", "bone scan", MEDIUM},
    {"radiology_report", "US", MEDIUM}, {"radiology_report", "scan", MEDIUM},
    {"radiology_report", "contrast", MEDIUM}, {"radiology_report", "views", MEDIUM},
    {"radiology_report", "view", MEDIUM}, {"radiology_report", "doppler", MEDIUM},
    {"radiology_report", "angiogram", MEDIUM}, {"radiology_report", "angiography", MEDIUM},
    {"radiology_report", "nuclear", MEDIUM}, {"radiology_report", "radiologist", MEDIUM},
    {"radiology_report", "chest", WEAK}, {"radiology_report", "abdomen", WEAK},
    {"radiology_report", "pelvis", WEAK}, {"radiology_report", "head", WEAK},
    {"radiology_report", "brain", WEAK}, {"radiology_report", "spine", WEAK},
    {"radiology_report", "lumbar", WEAK}, {"radiology_report", "cervical", WEAK},
    {"radiology_report", "breast", WEAK}, {"radiology_report", "bilateral", WEAK},
    {"radiology_report", "exam", WEAK}, {"radiology_report", "study", WEAK},

    {"operative_report", "operative", STRONG}, {"operative_report", "operation", STRONG},
    {"operative_report", "operations", STRONG}, {"operative_report", "op note", STRONG},
    {"operative_report", "op report", STRONG}, {"operative_report", "brief op", STRONG},
    {"operative_report", "intraoperative", MEDIUM}, {"operative_report", "op", MEDIUM},
    {"operative_report", "procedure", MEDIUM}, {"operative_report", "procedures", MEDIUM},
    {"operative_report", "surgical", MEDIUM}, {"operative_report", "surgery", MEDIUM},
    {"operative_report", "surgeon", MEDIUM}, {"operative_report", "operating", MEDIUM},
    {"operative_report", "anesthesia", MEDIUM}, {"operative_report", "*ECTOMY", MEDIUM},
    {"operative_report", "*OTOMY", MEDIUM}, {"operative_report", "*OSTOMY", MEDIUM},
    {"operative_report", "*PLASTY", MEDIUM}, {"operative_report", "*PEXY", MEDIUM},
    {"operative_report", "*RRHAPHY", MEDIUM}, {"operative_report", "*TRIPSY", MEDIUM},
    {"operative_report", "*SCOPY", WEAK},

    {"ed_note", "emergency", STRONG}, {"ed_note", "ER", STRONG}, {"ed_note", "ED", STRONG},
    {"ed_note", "emergency room", STRONG}, {"ed_note", "emergency department", STRONG},
    {"ed_note", "triage", STRONG}, {"ed_note", "urgent care", STRONG},
    {"ed_note", "urgent", MEDIUM}, {"ed_note", "casualty", MEDIUM},
    {"ed_note", "trauma", MEDIUM}, {"ed_note", "ambulance", WEAK},

    {"discharge_summary", "discharge", STRONG}, {"discharge_summary", "discharged", STRONG},
    {"discharge_summary", "death summary", STRONG},
    {"discharge_summary", "transfer summary", STRONG},
    {"discharge_summary", "summary of hospitalization", STRONG},
    {"discharge_summary", "hospitalization", MEDIUM}, {"discharge_summary", "transfer", MEDIUM},
    {"discharge_summary", "death", MEDIUM}, {"discharge_summary", "summary", MEDIUM},
    {"discharge_summary", "clinical resume", MEDIUM}, {"discharge_summary", "expiration", MEDIUM},

    {"history_physical", "consultation", STRONG}, {"history_physical", "consult", STRONG},
    {"history_physical", "consults", STRONG}, {"history_physical", "consultative", STRONG},
    {"history_physical", "H&P", STRONG}, {"history_physical", "history and physical", STRONG},
    {"history_physical", "admission", STRONG}, {"history_physical", "new patient", STRONG},
    {"history_physical", "admit", MEDIUM}, {"history_physical", "admitting", MEDIUM},
    {"history_physical", "HP", MEDIUM}, {"history_physical", "initial evaluation", MEDIUM},
    {"history_physical", "preoperative evaluation", MEDIUM},
    {"history_physical", "evaluation", WEAK}, {"history_physical", "initial", WEAK},
    {"history_physical", "history", WEAK},

    {"progress_note", "progress", STRONG}, {"progress_note", "follow-up", STRONG},
    {"progress_note", "followup", STRONG}, {"progress_note", "office visit", STRONG},
    {"progress_note", "clinic visit", STRONG}, {"progress_note", "clinic note", STRONG},
    {"progress_note", "office note", STRONG}, {"progress_note", "SOAP", STRONG},
    {"progress_note", "return visit", STRONG}, {"progress_note", "established patient", STRONG},
    {"progress_note", "clinic", MEDIUM}, {"progress_note", "office", MEDIUM},
    {"progress_note", "daily", MEDIUM}, {"progress_note", "interval", MEDIUM},
    {"progress_note", "recheck", MEDIUM}, {"progress_note", "subsequent", MEDIUM},
    {"progress_note", "outpatient", WEAK}, {"progress_note", "rounds", WEAK},

    {"letter", "letter", STRONG}, {"letter", "correspondence", STRONG},
    {"letter", "dear", STRONG}, {"letter", "to whom it may concern", STRONG},
    {"letter", "referral letter", STRONG}, {"letter", "referral", MEDIUM},
    {"letter", "memo", MEDIUM}, {"letter", "memorandum", MEDIUM},
};

/*
 * cs_title_vocabulary: the i-th entry of the built-in vocabulary (its
 * phrase; *code and *weight, either NULL to skip), or NULL past the end.
 */
const char *
cs_title_vocabulary(size_t i, const char **code, double *weight)
{
    if (i >= sizeof VOCABULARY / sizeof *VOCABULARY)
        return NULL;
    if (code)
        *code = VOCABULARY[i].code;
    if (weight)
        *weight = VOCABULARY[i].weight;
    return VOCABULARY[i].phrase;
}

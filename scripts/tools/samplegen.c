/*
 * samplegen.c — synthetic sample data for chartscan's demo and integration
 * tests: a patient roster, a labelled training set for the document-type
 * classifier, and a zip of slightly degraded multi-page TIFF "scans" with
 * the ground truth of every page.  Run through scripts/make-sample-batch.
 *
 * Everything is invented and deterministic for a given --seed: names are
 * built from syllable lists, text from per-type phrase banks, and all
 * randomness comes from splitmix64 streams (never rand()), one stream per
 * purpose so that, for example, --files does not change the roster.
 *
 * One TIFF goes through: layout (pages of styled, word-wrapped lines) ->
 * PostScript -> one gs call rendering every page to 300 dpi grey PNG ->
 * Leptonica (skew, optional downscale, speckle, optional threshold) ->
 * multi-page TIFF in the temporary folder -> zip entry (libarchive).
 *
 * Out of memory ends the program with a message: a generator has nothing
 * to salvage.  Messages carry file names and counts, never patient data.
 */
#include "common/common.h"
#include "scripts/tools/lib/toolkit.h"

#include <assert.h>
#include <archive.h>
#include <archive_entry.h>
#include <leptonica/allheaders.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "samplegen"
#define FILES_PER_BOX 25

const char tk_prog[] = PROG;

/* ======================= small helpers ======================= */

__attribute__((format(printf, 2, 3)))
static void bprintf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tk_buf_vprintf(b, 512, fmt, ap);
    va_end(ap);
}

/* ======================= invented names ======================= */

/* Surnames are prefix + suffix ("Ash" + "wick"); nothing copied from a dataset. */
static const char *const last_prefix[] = {
    "Ash", "Bram", "Cal", "Dun", "Ell", "Fen", "Gar", "Hal", "Ives", "Kes",
    "Lang", "Mar", "Nor", "Oak", "Pen", "Quin", "Rad", "Sel", "Thorn", "Vel",
    "Wex", "Yar", "Brock", "Crane", "Dell", "Hart", "Lind", "Mor",
};
static const char *const last_suffix[] = {
    "ford", "wick", "ton", "ley", "more", "by", "dale", "son", "well",
    "hurst", "field", "stead", "cott", "brook", "ridge", "lowe",
};
static const char *const first_female[] = {
    "Maren", "Delia", "Orla", "Tessaly", "Brielle", "Corinne", "Ilsa", "Junia",
    "Liora", "Marisol", "Nessa", "Odette", "Perrin", "Rosalind", "Sabine",
    "Talia", "Verity", "Wren", "Yvaine", "Zelda", "Anouk", "Celestine",
};
static const char *const first_male[] = {
    "Anselm", "Bastian", "Cormac", "Dorian", "Emrys", "Fitzroy", "Gideon",
    "Hollis", "Idris", "Jory", "Lucan", "Merrick", "Nolan", "Osric", "Percival",
    "Rowan", "Soren", "Tobin", "Ulric", "Wystan", "Alder", "Caspian",
};
static const char *const facilities[] = {
    "RIVERBEND GENERAL HOSPITAL", "ST. AGATHA MEDICAL CENTER",
    "NORTHFIELD COMMUNITY HOSPITAL", "LAKESHORE REGIONAL MEDICAL CENTER",
    "PINE HOLLOW MEMORIAL HOSPITAL",
};
static const char *const meds[] = {
    "lisinopril 10 mg", "metformin 500 mg", "atorvastatin 40 mg",
    "furosemide 20 mg", "amoxicillin 500 mg", "metoprolol 25 mg",
    "levothyroxine 50 mcg", "aspirin 81 mg", "omeprazole 20 mg",
    "apixaban 5 mg", "prednisone 20 mg", "cephalexin 500 mg",
};

static void make_surname(tk_rng *r, char *out, size_t n)
{
    snprintf(out, n, "%s%s", TK_PICK(r, last_prefix), TK_PICK(r, last_suffix));
}

/* ======================= phrase banks ======================= */

/*
 * One string per section: "HEADING|sentence|sentence|...".  An empty
 * heading (letters) means a plain paragraph.  Placeholders filled by
 * expand(): {dr} doctor, {side} left/right, {n} 2-9, {day} 2-6, {med},
 * {he}/{He}/{his} by the patient's sex.
 */
typedef struct doctype {
    const char *code;
    const char *titles[4];
    const char *sections[12];
} doctype;

static const doctype doctypes[] = {
{ "discharge_summary", { "DISCHARGE SUMMARY", "HOSPITAL DISCHARGE SUMMARY", "DISCHARGE SUMMARY REPORT" }, {
  "ADMISSION DIAGNOSIS|Community-acquired pneumonia of the {side} lower lobe.|Acute exacerbation of chronic obstructive pulmonary disease.|Congestive heart failure with volume overload.|Cellulitis of the {side} lower extremity.|Acute kidney injury, likely prerenal.|Chest pain, rule out acute coronary syndrome.",
  "DISCHARGE DIAGNOSIS|Pneumonia, improved.|Heart failure, compensated at the time of discharge.|Cellulitis, resolving on oral antibiotics.|Acute kidney injury, resolved with hydration.|Non-cardiac chest pain; myocardial infarction was excluded.|Type 2 diabetes mellitus, controlled.",
  "HISTORY OF PRESENT ILLNESS|The patient presented with {n} days of fever, productive cough and shortness of breath.|{He} reported worsening leg swelling and orthopnea over the past week.|{He} was referred by {dr} after an abnormal outpatient chest radiograph.|Symptoms began gradually and were not relieved by rest.|There was no recent travel or sick contact.",
  "HOSPITAL COURSE|The patient was admitted to the medical floor and started on intravenous antibiotics.|Diuresis was achieved with intravenous furosemide with a net loss of {n} liters.|Blood cultures remained negative throughout the admission.|Oxygen was weaned to room air by hospital day {day}.|Cardiology was consulted and a stress test was negative.|Physical therapy evaluated the patient and cleared {his} discharge home.|Renal function returned to baseline before discharge.",
  "CONDITION AT DISCHARGE|Stable, afebrile and ambulating without assistance.|Good; tolerating a regular diet.|Improved; vital signs within normal limits.|Fair; discharged home with home health services.",
  "DISCHARGE MEDICATIONS|Continue {med} daily as previously prescribed.|Start {med} daily for {n} days.|Hold {med} until reviewed by the primary care physician.|Resume all other home medications without change.",
  "FOLLOW-UP INSTRUCTIONS|Follow up with {dr} in {n} weeks.|Return to the emergency department for fever, chest pain or worsening shortness of breath.|Repeat chest radiograph in six weeks to document resolution.|Check a basic metabolic panel within one week of discharge.|A low-sodium diet and daily weights were reviewed with the patient.",
} },
{ "history_physical", { "HISTORY AND PHYSICAL", "ADMISSION HISTORY AND PHYSICAL", "HISTORY AND PHYSICAL EXAMINATION" }, {
  "CHIEF COMPLAINT|Shortness of breath.|Abdominal pain for {n} days.|Chest pressure.|Fall at home.|Fever and confusion.|Worsening {side} knee pain.",
  "HISTORY OF PRESENT ILLNESS|The patient is a pleasant adult who was in {his} usual state of health until {n} days ago.|{He} describes a dull ache that is worse with exertion.|{He} denies fever, chills or night sweats.|The symptoms have progressed despite rest and over-the-counter analgesics.|{He} was sent for admission by {dr} for further evaluation.",
  "PAST MEDICAL HISTORY|Hypertension.|Type 2 diabetes mellitus.|Hyperlipidemia.|Coronary artery disease with prior stent placement.|Chronic kidney disease, stage 3.|Osteoarthritis.|Hypothyroidism.",
  "PAST SURGICAL HISTORY|Appendectomy in childhood.|Laparoscopic cholecystectomy.|Total knee arthroplasty on the {side}.|Tonsillectomy.",
  "ALLERGIES|No known drug allergies.|Penicillin, which causes a rash.|Sulfa drugs.|Codeine, which causes nausea.",
  "SOCIAL HISTORY|Lives at home with a spouse.|Former smoker who quit {n} years ago.|Drinks alcohol socially.|Denies illicit drug use.|Retired schoolteacher who remains active.",
  "FAMILY HISTORY|Father with coronary artery disease.|Mother with type 2 diabetes.|No family history of cancer.|Sibling with hypertension.",
  "REVIEW OF SYSTEMS|Constitutional: positive for fatigue, negative for weight loss.|Cardiovascular: no palpitations or syncope.|Respiratory: positive for cough.|Gastrointestinal: no nausea, vomiting or diarrhea.|All other systems were reviewed and are negative.",
  "PHYSICAL EXAMINATION|Vital signs: temperature 98.{n} F, pulse 8{n}, blood pressure 13{n}/7{n}, respirations 16.|General: alert and oriented, in no acute distress.|HEENT: normocephalic and atraumatic; mucous membranes moist.|Lungs: crackles at the {side} base.|Heart: regular rate and rhythm without murmurs.|Abdomen: soft, nontender and nondistended.|Extremities: trace edema bilaterally.",
  "ASSESSMENT AND PLAN|Admit to the medicine service for further evaluation and treatment.|Obtain a chest radiograph, complete blood count and metabolic panel.|Continue home medications except {med}.|Deep vein thrombosis prophylaxis with subcutaneous heparin.|Code status was discussed; the patient wishes to be full code.",
} },
{ "progress_note", { "PROGRESS NOTE", "DAILY PROGRESS NOTE", "HOSPITAL PROGRESS NOTE" }, {
  "SUBJECTIVE|Hospital day {day}.|The patient was seen and examined at the bedside this morning.|{He} slept well overnight and reports less pain.|No new complaints; appetite is improving.|Nursing reports no acute events overnight.",
  "OBJECTIVE|Temperature maximum 99.{n} F, pulse 7{n}, blood pressure 12{n}/8{n}.|Intake and output are balanced.|Lungs are clearer than yesterday.|Incision is clean, dry and intact.|Mild tenderness persists on the {side} side.",
  "LABORATORY DATA|White blood cell count has trended down to {n}.4.|Creatinine is stable at 1.{n}.|Potassium 4.{n}, repleted as needed.|Hemoglobin is stable.",
  "ASSESSMENT|Clinically improving on the current regimen.|Pneumonia, responding to antibiotics.|Postoperative day {day}, progressing as expected.|Volume status is approaching euvolemia.",
  "PLAN|Continue {med}.|Advance diet as tolerated.|Encourage ambulation and incentive spirometry.|Anticipate discharge in {n} days if progress continues.|Discussed the plan with the patient and family, who agree.",
} },
{ "operative_report", { "OPERATIVE REPORT", "OPERATIVE NOTE", "REPORT OF OPERATION" }, {
  "PREOPERATIVE DIAGNOSIS|Acute appendicitis.|Symptomatic cholelithiasis.|Inguinal hernia on the {side}.|Osteoarthritis of the {side} knee.|Carpal tunnel syndrome on the {side}.",
  "POSTOPERATIVE DIAGNOSIS|Same as preoperative diagnosis.|Acute appendicitis without perforation.|Chronic cholecystitis.",
  "PROCEDURE|Laparoscopic appendectomy.|Laparoscopic cholecystectomy.|Open inguinal hernia repair with mesh.|Total knee arthroplasty.|Carpal tunnel release.",
  "SURGEON|{dr}.|{dr}, with {dr} assisting.",
  "ANESTHESIA|General endotracheal anesthesia.|Spinal anesthesia with sedation.|Local anesthesia with monitored anesthesia care.",
  "INDICATIONS|The risks, benefits and alternatives of the procedure were discussed and informed consent was obtained.|The patient failed conservative management over {n} months.|Imaging confirmed the diagnosis.",
  "DESCRIPTION OF PROCEDURE|The patient was brought to the operating room and placed supine on the table.|After induction of anesthesia, the abdomen was prepped and draped in the usual sterile fashion.|A time-out was performed to confirm the patient, procedure and site.|Pneumoperitoneum was established and {n} trocars were placed under direct vision.|The specimen was removed in an endoscopic bag.|Hemostasis was confirmed and the fascia was closed with absorbable suture.|The skin was closed with subcuticular sutures and sterile dressings were applied.",
  "ESTIMATED BLOOD LOSS|Minimal.|Less than {n}0 mL.|Approximately 1{n}0 mL.",
  "SPECIMENS|Appendix to pathology.|Gallbladder to pathology.|None.",
  "COMPLICATIONS|None.|There were no intraoperative complications.|None apparent; the patient tolerated the procedure well and went to recovery in stable condition.",
} },
{ "radiology_report", { "RADIOLOGY REPORT", "DIAGNOSTIC IMAGING REPORT", "IMAGING CONSULTATION REPORT" }, {
  "EXAMINATION|CT of the chest with intravenous contrast.|Chest radiograph, two views.|MRI of the {side} knee without contrast.|Ultrasound of the abdomen, complete.|CT of the abdomen and pelvis with contrast.",
  "CLINICAL HISTORY|Cough and fever.|Abdominal pain.|Knee pain after a fall.|Shortness of breath; evaluate for pulmonary embolism.|Follow-up of a pulmonary nodule.",
  "COMPARISON|Prior study from {n} months ago.|None available.|Radiograph obtained earlier today.",
  "TECHNIQUE|Axial images were obtained with coronal and sagittal reformations.|Standard protocol images were obtained.|Frontal and lateral views of the chest were obtained.",
  "FINDINGS|There is consolidation in the {side} lower lobe with air bronchograms.|No pleural effusion or pneumothorax is seen.|The heart size is within normal limits.|A {n} mm nodule is present in the {side} upper lobe, unchanged.|The liver, spleen and pancreas are unremarkable.|There is a small joint effusion without fracture.|No free fluid or free air is identified.",
  "IMPRESSION|Findings consistent with {side} lower lobe pneumonia.|No acute cardiopulmonary abnormality.|Stable {n} mm pulmonary nodule; no further follow-up is required.|No evidence of pulmonary embolism.|Small joint effusion; no acute fracture.",
} },
{ "ed_note", { "EMERGENCY DEPARTMENT NOTE", "EMERGENCY DEPARTMENT RECORD", "EMERGENCY PHYSICIAN NOTE" }, {
  "TRIAGE|Arrived by ambulance at 0{n}:15.|Walk-in, triage level 3.|Triage vital signs: pulse 10{n}, blood pressure 14{n}/9{n}, oxygen saturation 9{n} percent.",
  "CHIEF COMPLAINT|Chest pain.|Laceration to the {side} hand.|Abdominal pain and vomiting.|Fall with head strike.|Shortness of breath.",
  "HISTORY OF PRESENT ILLNESS|The patient presents to the emergency department {n} hours after onset of symptoms.|{He} denies loss of consciousness.|The pain is sharp and does not radiate.|{He} took an over-the-counter analgesic without relief.|There is no history of similar episodes.",
  "PHYSICAL EXAMINATION|Alert, oriented and in mild distress.|Lungs are clear to auscultation bilaterally.|Heart has a regular rhythm.|Abdomen is tender in the right lower quadrant without rebound.|A {n} cm laceration is present on the {side} hand with no tendon involvement.",
  "ED COURSE|An electrocardiogram showed normal sinus rhythm without acute changes.|Troponin was negative times two.|The laceration was irrigated and repaired with {n} sutures.|The patient received intravenous fluids and ondansetron with improvement.|Reassessment showed resolution of symptoms.",
  "MEDICAL DECISION MAKING|The differential diagnosis included acute coronary syndrome, pulmonary embolism and musculoskeletal pain.|Given the negative workup, a cardiac cause is felt to be unlikely.|The patient is low risk and appropriate for outpatient follow-up.",
  "DISPOSITION|Discharged home in stable condition.|Admitted to the hospitalist service.|Discharged with instructions to follow up with {dr} in {n} days.|Return precautions were discussed and the patient verbalized understanding.",
} },
{ "letter", { "CONSULTATION LETTER", "REFERRAL LETTER", "CLINIC LETTER" }, {
  "|Thank you for asking me to see your patient in consultation.|I had the pleasure of seeing your patient in clinic today.|I am writing to update you on our shared patient, whom I saw on the date above.",
  "|As you know, {he} has been troubled by symptoms for about {n} months.|{He} reports intermittent discomfort that interferes with daily activities.|{His} history is notable for hypertension and hyperlipidemia.",
  "|On examination today {he} appeared well.|Recent studies, which I reviewed with {him}, were reassuring.|I have ordered additional testing and will forward the results to you.",
  "|I have recommended a trial of {med} and a follow-up visit in {n} weeks.|I do not think surgery is indicated at this time.|I would be grateful if you could continue to monitor {his} blood pressure.",
  "|Please do not hesitate to contact me if you have any questions.|Thank you again for this kind referral.|I will keep you informed of {his} progress.",
} },
};
#define NDOCTYPES ((int)(sizeof doctypes / sizeof doctypes[0]))
#define IS_LETTER(dt) ((dt)->sections[0][0] == '|')

static int section_count(const doctype *dt)
{
    int n = 0;
    while (n < 12 && dt->sections[n])
        n++;
    return n;
}

/* Split a section string: heading into head (no colon), sentence starts/lengths. */
typedef struct section_view {
    char head[64];
    const char *sent[16];
    size_t sent_len[16];
    int nsent;
} section_view;

static void section_split(const char *s, section_view *v)
{
    const char *bar = strchr(s, '|');
    size_t hl;

    assert(bar);
    hl = (size_t)(bar - s);
    assert(hl < sizeof v->head);
    memcpy(v->head, s, hl);
    v->head[hl] = '\0';
    v->nsent = 0;
    for (s = bar + 1; *s && v->nsent < 16; ) {
        const char *e = strchr(s, '|');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        v->sent[v->nsent] = s;
        v->sent_len[v->nsent++] = len;
        s += len + (e ? 1 : 0);
    }
}

/* Context for placeholder expansion. */
typedef struct voice { char sex; } voice;

static void expand(cs_buf *out, const char *s, size_t len, tk_rng *r, voice v)
{
    const char *end = s + len;
    char tmp[64];

    while (s < end) {
        const char *open = memchr(s, '{', (size_t)(end - s));
        const char *close;
        size_t kl;
        if (!open) {
            tk_buf_append(out, s, (size_t)(end - s));
            break;
        }
        tk_buf_append(out, s, (size_t)(open - s));
        close = memchr(open, '}', (size_t)(end - open));
        assert(close);
        kl = (size_t)(close - open - 1);
#define KEY(k) (kl == sizeof(k) - 1 && memcmp(open + 1, k, kl) == 0)
        if (KEY("dr")) {
            make_surname(r, tmp, sizeof tmp);
            bprintf(out, "Dr. %s", tmp);
        } else if (KEY("side"))
            tk_buf_puts(out, tk_rng_below(r, 2) ? "left" : "right");
        else if (KEY("n"))
            bprintf(out, "%d", tk_rng_range(r, 2, 9));
        else if (KEY("day"))
            bprintf(out, "%d", tk_rng_range(r, 2, 6));
        else if (KEY("med"))
            tk_buf_puts(out, TK_PICK(r, meds));
        else if (KEY("he"))
            tk_buf_puts(out, v.sex == 'F' ? "she" : "he");
        else if (KEY("He"))
            tk_buf_puts(out, v.sex == 'F' ? "She" : "He");
        else if (KEY("his"))
            tk_buf_puts(out, v.sex == 'F' ? "her" : "his");
        else if (KEY("His"))
            tk_buf_puts(out, v.sex == 'F' ? "Her" : "His");
        else if (KEY("him"))
            tk_buf_puts(out, v.sex == 'F' ? "her" : "him");
        else
            assert(!"unknown placeholder");
#undef KEY
        s = close + 1;
    }
}

/*
 * A paragraph of up to k distinct sentences of a section, in bank order,
 * avoiding those marked in *used (use NULL to allow all) and marking the
 * ones it takes.  Returns how many it wrote.
 */
static int paragraph(cs_buf *out, const section_view *sv, int k, tk_rng *r, voice v,
                     unsigned *used)
{
    int idx[16], i, j, n = 0;

    for (i = 0; i < sv->nsent; i++)
        if (!used || !(*used & (1u << i)))
            idx[n++] = i;
    if (k > n)
        k = n;
    for (i = 0; i < k; i++) {            /* partial Fisher-Yates */
        int t;
        j = i + (int)tk_rng_below(r, (unsigned)(n - i));
        t = idx[i]; idx[i] = idx[j]; idx[j] = t;
    }
    for (i = 1; i < k; i++)               /* insertion sort keeps bank order */
        for (j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
            int t = idx[j]; idx[j] = idx[j - 1]; idx[j - 1] = t;
        }
    for (i = 0; i < k; i++) {
        if (i)
            tk_buf_puts(out, " ");
        expand(out, sv->sent[idx[i]], sv->sent_len[idx[i]], r, v);
        if (used)
            *used |= 1u << idx[i];
    }
    return k;
}

/* ======================= roster ======================= */


typedef tk_date date;

typedef struct patient {
    char mrn[9];
    char last[24], first[24], middle[24];
    char sex;
    date dob;
} patient;

/*
 * MRN number i is 10000000 + perm(i), perm a keyed bijection on
 * [0, 90000000): a mix that is invertible on 27 bits (xor, odd multiply,
 * xorshift), cycle-walked until it lands in range.  So roster MRNs are
 * unique without bookkeeping, and indexes past the roster give
 * valid-looking MRNs guaranteed absent from it.
 */
#define MRN_SPAN 90000000u
#define MASK27   0x7FFFFFFu

static uint32_t mrn_permute(uint64_t key, uint32_t i)
{
    uint32_t x = i;
    do {
        x = (x ^ (uint32_t)key) & MASK27;
        x = (x * 0x2C1B3C6Du) & MASK27;
        x ^= x >> 13;
        x = (x * 0x297A2D39u + (uint32_t)(key >> 32)) & MASK27;
        x ^= x >> 11;
    } while (x >= MRN_SPAN);
    return x;
}

static void make_patient(tk_rng *r, uint64_t mrn_key, uint32_t index, patient *p)
{
    snprintf(p->mrn, sizeof p->mrn, "%08lu", 10000000ul + mrn_permute(mrn_key, index));
    make_surname(r, p->last, sizeof p->last);
    p->sex = tk_rng_below(r, 2) ? 'F' : 'M';
    snprintf(p->first, sizeof p->first, "%s",
             p->sex == 'F' ? TK_PICK(r, first_female) : TK_PICK(r, first_male));
    if (tk_rng_below(r, 5) == 0)
        p->middle[0] = '\0';
    else
        snprintf(p->middle, sizeof p->middle, "%s",
                 p->sex == 'F' ? TK_PICK(r, first_female) : TK_PICK(r, first_male));
    p->dob = tk_random_date(r, 1930, 2008);
}

static void roster_csv(const patient *pts, long n, cs_buf *b)
{
    long i;
    tk_buf_puts(b, "mrn,last_name,first_name,middle_name,birth_date,sex\n");
    for (i = 0; i < n; i++) {
        const patient *p = &pts[i];
        tk_buf_csv(b, p->mrn);
        tk_buf_puts(b, ",");
        tk_buf_csv(b, p->last);
        tk_buf_puts(b, ",");
        tk_buf_csv(b, p->first);
        tk_buf_puts(b, ",");
        tk_buf_csv(b, p->middle);
        bprintf(b, ",%04d-%02d-%02d,%c\n", p->dob.y, p->dob.m, p->dob.d, p->sex);
    }
}

/* ======================= train.csv ======================= */

#define TRAIN_PER_TYPE 30

/*
 * One example looks like OCR of a page: sometimes a facility line and the
 * title, then 2-4 consecutive sections (heading line, one paragraph).
 * Continuation-like examples (no title) keep the classifier honest.
 */
static void train_example(const doctype *dt, tk_rng *r, cs_buf *t)
{
    int nsec = section_count(dt), start, count, i;
    voice v = { tk_rng_below(r, 2) ? 'F' : 'M' };
    section_view sv;

    if (tk_rng_below(r, 10) < 7) {
        if (tk_rng_below(r, 2))
            bprintf(t, "%s\n", TK_PICK(r, facilities));
        bprintf(t, "%s\n", dt->titles[tk_rng_below(r, 3)]);
    }
    if (IS_LETTER(dt) && tk_rng_below(r, 2)) {
        char dr[32];
        make_surname(r, dr, sizeof dr);
        bprintf(t, "Dear Dr. %s,\n", dr);
    }
    count = tk_rng_range(r, 2, nsec < 4 ? nsec : 4);
    start = (int)tk_rng_below(r, (unsigned)(nsec - count + 1));
    for (i = start; i < start + count; i++) {
        section_split(dt->sections[i], &sv);
        if (sv.head[0])
            bprintf(t, "%s:\n", sv.head);
        paragraph(t, &sv, tk_rng_range(r, 1, 4), r, v, NULL);
        tk_buf_puts(t, "\n");
    }
    if (IS_LETTER(dt) && start + count == nsec)
        tk_buf_puts(t, "Sincerely,\n");
    if (t->len && t->data[t->len - 1] == '\n')  /* no trailing newline */
        t->data[--t->len] = '\0';
}

static void train_csv(uint64_t seed, cs_buf *b)
{
    tk_rng r = tk_rng_stream(seed, 2);
    cs_buf text = CS_BUF_INIT;
    int i, k;

    tk_buf_puts(b, "doctype,text\n");
    for (i = 0; i < TRAIN_PER_TYPE; i++)        /* interleaved by type */
        for (k = 0; k < NDOCTYPES; k++) {
            cs_buf_reset(&text);
            train_example(&doctypes[k], &r, &text);
            tk_buf_csv(b, doctypes[k].code);
            tk_buf_puts(b, ",\"");
            for (const char *s = text.data; *s; s++) {
                if (*s == '"')
                    tk_buf_puts(b, "\"");
                tk_buf_append(b, s, 1);
            }
            tk_buf_puts(b, "\"\n");
        }
    cs_buf_free(&text);
}

/* ======================= document layout ======================= */

enum line_style { ST_BODY, ST_BOLD, ST_TITLE, ST_FACILITY, ST_FOOTER };

/* Font size and the vertical advance of each style, in points. */
static const struct { const char *font; int size; int advance; int centred; } styles[] = {
    [ST_BODY]     = { "Courier",      11, 13, 0 },
    [ST_BOLD]     = { "Courier-Bold", 11, 13, 0 },
    [ST_TITLE]    = { "Courier-Bold", 15, 24, 1 },
    [ST_FACILITY] = { "Courier-Bold", 12, 18, 1 },
    [ST_FOOTER]   = { "Courier",      10, 0,  1 },
};

#define PAGE_W       612
#define PAGE_H       792
#define MARGIN_X     72
#define TOP_Y        720     /* first baseline */
#define BOTTOM_Y     96      /* no body baseline below this */
#define FOOTER_Y     50
#define WRAP_COLS    70      /* Courier 11 pt: 6.6 pt a column, 468 pt text width */

typedef struct line { int style; char *text; } line;

typedef struct page {
    line *lines;
    int n, cap;
    int y;                   /* next baseline */
} page;

typedef struct document {
    const doctype *dt;
    const patient *pt;
    int print_mrn, in_roster;
    int absent;              /* the patient is not in the roster (the outsider) */
    int npages;
    page pages[3];
    int g4, dpi;
    double skew;             /* degrees, multiple of 0.01 */
    char entry[64];          /* zip entry name */
} document;

static void page_add(page *p, int style, const char *text)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 32;
        p->lines = realloc(p->lines, (size_t)p->cap * sizeof *p->lines);
        if (!p->lines)
            tk_die_oom();
    }
    p->lines[p->n].style = style;
    p->lines[p->n].text = tk_xstrdup(text);
    p->n++;
    p->y -= styles[style].advance;
}

static int page_room(const page *p)          /* body lines that still fit */
{
    return (p->y - BOTTOM_Y) / styles[ST_BODY].advance;
}

/* Word-wrap text to WRAP_COLS; returns the number of lines it needs. */
static int wrap_count(const char *text)
{
    int lines = 1, col = 0;
    const char *s = text;

    while (*s) {
        size_t w = strcspn(s, " ");
        if (col && col + 1 + (int)w > WRAP_COLS) {
            lines++;
            col = 0;
        }
        col += (col ? 1 : 0) + (int)w;
        s += w;
        s += strspn(s, " ");
    }
    return lines;
}

static void wrap_add(page *p, int style, const char *text)
{
    char buf[WRAP_COLS * 2 + 2];
    int col = 0;
    const char *s = text;

    while (*s) {
        size_t w = strcspn(s, " ");
        if (w > WRAP_COLS)
            w = WRAP_COLS;                 /* no such words in our banks */
        if (col && col + 1 + (int)w > WRAP_COLS) {
            buf[col] = '\0';
            page_add(p, style, buf);
            col = 0;
        }
        if (col)
            buf[col++] = ' ';
        memcpy(buf + col, s, w);
        col += (int)w;
        s += w;
        s += strspn(s, " ");
    }
    buf[col] = '\0';
    page_add(p, style, buf);
}

static void format_name(const patient *pt, char *out, size_t n)
{
    char tmp[80];
    size_t i;

    if (pt->middle[0])
        snprintf(tmp, sizeof tmp, "%s, %s %c", pt->last, pt->first, pt->middle[0]);
    else
        snprintf(tmp, sizeof tmp, "%s, %s", pt->last, pt->first);
    for (i = 0; tmp[i]; i++)
        if (tmp[i] >= 'a' && tmp[i] <= 'z')
            tmp[i] = (char)(tmp[i] - 'a' + 'A');
    snprintf(out, n, "%s", tmp);
}

/*
 * Lay out a document: page 1 opens with facility, title and the patient
 * block; later pages with a continuation line; the doctype's sections are
 * shared out over the pages in order; every page ends with "Page n of m".
 */
static void layout_document(document *doc, tk_rng *r)
{
    const doctype *dt = doc->dt;
    int nsec = section_count(dt), p, i;
    char name[96], tmp[160], dr[32];
    voice v = { doc->pt->sex };
    date dos;
    cs_buf para = CS_BUF_INIT;
    section_view sv;

    format_name(doc->pt, name, sizeof name);
    do
        dos = tk_random_date(r, 2012, 2022);
    while (dos.y < doc->pt->dob.y + 1);
    make_surname(r, dr, sizeof dr);

    for (p = 0; p < doc->npages; p++) {
        page *pg = &doc->pages[p];
        int s0 = p * nsec / doc->npages, s1 = (p + 1) * nsec / doc->npages;
        int last = p == doc->npages - 1;

        pg->y = TOP_Y;
        if (p == 0) {
            page_add(pg, ST_FACILITY, TK_PICK(r, facilities));
            page_add(pg, ST_TITLE, dt->titles[tk_rng_below(r, 3)]);
            snprintf(tmp, sizeof tmp, "Patient: %s", name);
            page_add(pg, ST_BODY, tmp);
            if (doc->print_mrn) {
                snprintf(tmp, sizeof tmp, "MRN: %s", doc->pt->mrn);
                page_add(pg, ST_BODY, tmp);
            }
            snprintf(tmp, sizeof tmp, "DOB: %02d/%02d/%04d", doc->pt->dob.m, doc->pt->dob.d, doc->pt->dob.y);
            page_add(pg, ST_BODY, tmp);
            snprintf(tmp, sizeof tmp, "Date of Service: %02d/%02d/%04d", dos.m, dos.d, dos.y);
            page_add(pg, ST_BODY, tmp);
            page_add(pg, ST_BODY, "");
            if (IS_LETTER(dt)) {
                snprintf(tmp, sizeof tmp, "Dear Dr. %s,", dr);
                page_add(pg, ST_BODY, tmp);
                page_add(pg, ST_BODY, "");
            }
        } else {
            if (doc->print_mrn)
                snprintf(tmp, sizeof tmp, "Patient: %s    MRN: %s", name, doc->pt->mrn);
            else
                snprintf(tmp, sizeof tmp, "Patient: %s", name);
            page_add(pg, ST_BODY, tmp);
            page_add(pg, ST_BODY, "");
        }
        /* Fewer, shorter paragraphs when a page carries many sections. */
        for (i = s0; i < s1; i++) {
            int paras = (s1 - s0) > 4 ? 1 : tk_rng_range(r, 1, 2), k;
            unsigned used = 0;
            section_split(dt->sections[i], &sv);
            for (k = 0; k < paras; k++) {
                int need;
                cs_buf_reset(&para);
                if (paragraph(&para, &sv, tk_rng_range(r, 2, (s1 - s0) > 4 ? 3 : 5), r, v, &used) == 0)
                    break;
                need = wrap_count(para.data) + 1 + (k == 0 && sv.head[0] ? 1 : 0);
                if (need > page_room(pg) - (last ? 4 : 0))
                    break;
                if (k == 0 && sv.head[0]) {
                    snprintf(tmp, sizeof tmp, "%s:", sv.head);
                    page_add(pg, ST_BOLD, tmp);
                }
                wrap_add(pg, ST_BODY, para.data);
                page_add(pg, ST_BODY, "");
            }
        }
        if (last) {
            if (IS_LETTER(dt)) {
                page_add(pg, ST_BODY, "Sincerely,");
                page_add(pg, ST_BODY, "");
                snprintf(tmp, sizeof tmp, "%c. %s, MD", TK_PICK(r, first_male)[0], dr);
            } else {
                make_surname(r, dr, sizeof dr);
                snprintf(tmp, sizeof tmp, "Electronically signed by %c. %s, MD",
                         TK_PICK(r, first_female)[0], dr);
            }
            page_add(pg, ST_BODY, tmp);
        } else if (pg->n && pg->lines[pg->n - 1].text[0] == '\0') {
            free(pg->lines[--pg->n].text);   /* no blank line before the footer */
        }
        snprintf(tmp, sizeof tmp, "Page %d of %d", p + 1, doc->npages);
        page_add(pg, ST_FOOTER, tmp);
    }
    cs_buf_free(&para);
}

static void document_clear(document *doc)
{
    int p, i;
    for (p = 0; p < 3; p++) {
        for (i = 0; i < doc->pages[p].n; i++)
            free(doc->pages[p].lines[i].text);
        free(doc->pages[p].lines);
        memset(&doc->pages[p], 0, sizeof doc->pages[p]);
    }
}

static void document_ps(const document *doc, cs_buf *b)
{
    int p, i;

    bprintf(b, "%%!PS-Adobe-3.0\n%%%%Pages: %d\n%%%%EndComments\n", doc->npages);
    bprintf(b, "<< /PageSize [%d %d] >> setpagedevice\n", PAGE_W, PAGE_H);
    for (p = 0; p < doc->npages; p++) {
        const page *pg = &doc->pages[p];
        int y = TOP_Y;
        bprintf(b, "%%%%Page: %d %d\n", p + 1, p + 1);
        for (i = 0; i < pg->n; i++) {
            const line *ln = &pg->lines[i];
            int st = ln->style, x = MARGIN_X, ybase = y;
            if (st == ST_FOOTER)
                ybase = FOOTER_Y;
            if (styles[st].centred)
                x = (int)((PAGE_W - strlen(ln->text) * 0.6 * styles[st].size) / 2);
            if (ln->text[0]) {
                bprintf(b, "/%s findfont %d scalefont setfont %d %d moveto ",
                        styles[st].font, styles[st].size, x, ybase);
                tk_ps_string(b, ln->text);
                tk_buf_puts(b, " show\n");
            }
            y -= styles[st].advance;
        }
        tk_buf_puts(b, "showpage\n");
    }
    tk_buf_puts(b, "%%EOF\n");
}

/* Run gs on psfile rendering every page at dpi to pngpattern (a %03d pattern). */
static int run_gs(const char *psfile, const char *pngpattern, int dpi, char *err, size_t errlen)
{
    int status, rc = tk_gs_render(psfile, pngpattern, dpi, &status, err, errlen);

    if (rc <= 0)
        return rc;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)   /* exec failed in the child */
        return cs_fail(err, errlen, "could not run gs: not found or not executable "
                       "(install the ghostscript package)");
    if (WIFEXITED(status))
        return cs_fail(err, errlen, "gs failed with exit status %d on \"%s\"",
                       WEXITSTATUS(status), psfile);
    return cs_fail(err, errlen, "gs was killed by signal %d on \"%s\"",
                   WTERMSIG(status), psfile);
}

/* ======================= images and TIFF ======================= */

/* The mild profile's light speckle: one pixel in 2500. */
static void speckle(PIX *pix, tk_rng *r)
{
    tk_speckle(pix, r, 2500, 0);
}

/*
 * Turn a rendered 300 dpi grey page into the scanned image of doc: skew,
 * scale to doc->dpi, speckle, threshold for G4.  Returns a new pix or NULL.
 */
static PIX *degrade_page(const char *png, const document *doc, tk_rng *r,
                         char *err, size_t errlen)
{
    PIX *rot = NULL, *scaled = NULL, *out = NULL;

    if ((rot = tk_page_read_skewed(png, doc->skew, err, errlen)) == NULL)
        goto out;
    if (doc->dpi != 300)
        scaled = pixScale(rot, doc->dpi / 300.0f, doc->dpi / 300.0f);
    else
        scaled = pixClone(rot);
    if (!scaled) {
        cs_fail(err, errlen, "could not scale rendered page \"%s\"", png);
        goto out;
    }
    speckle(scaled, r);
    out = doc->g4 ? pixThresholdToBinary(scaled, 160) : pixClone(scaled);
    if (!out) {
        cs_fail(err, errlen, "could not threshold rendered page \"%s\"", png);
        goto out;
    }
    pixSetResolution(out, doc->dpi, doc->dpi);
out:
    pixDestroy(&scaled);
    pixDestroy(&rot);
    return out;
}

/* ======================= the bench profile: images ======================= */

/*
 * --degrade bench makes pages as bad as real legacy charts, for
 * scripts/bench-ocr.  Everything about a page's scan is drawn first, from
 * the page's own stream, into a `scan`, so the truth can name it; then the
 * pixels go through, in the order of the physical process:
 *
 *   rendered at the file's dpi -> punched (paper) -> skewed on the glass ->
 *   turned (upside down or sideways) -> paper tone and shadow -> dark
 *   scanner edges -> optical blur -> sensor noise and speckle ->
 *   thresholded (G4) or kept grey (JPEG)
 *
 * A blank back side starts from its front page's punched image, mirrored
 * and faded to a blurred ghost (bleed-through), and goes the same way.
 * Every size is in inches times the file's dpi.
 */

enum { EDGE_LEFT = 1, EDGE_RIGHT = 2, EDGE_TOP = 4, EDGE_BOTTOM = 8 };

typedef struct scan {
    int g4, dpi;               /* of the whole file, as one scanner session */
    int blank;                 /* a back side: no text, bleed-through only */
    int turn;                  /* quarter turns clockwise the generator applies */
    double skew;               /* degrees clockwise, a multiple of 0.01 */
    int holes;                 /* punched holes: 0, 2 or 3 */
    int edges;                 /* dark scanner edges: EDGE_* bits */
    int blur;                  /* 3x3 box-blur passes: 0, 1 or 2 */
    int heavy_noise;
    int shadow;                /* side darkened by a shadow: 0 or one EDGE_* bit */
    int threshold;             /* G4: grey level below which a pixel is black */
    double bleed;              /* blank: opacity of the mirrored front, 0..1 */
    double tone;               /* paper grey level far from any shadow */
    double tone_dx, tone_dy;   /* paper tone change across the page */
    double shadow_depth, shadow_width;   /* grey levels, inches */
} scan;

/* Draw every choice for one page; r is the page's own stream. */
static void scan_draw(scan *sc, tk_rng *r, int g4, int dpi, int blank, int turn)
{
    static const int sides[] = { EDGE_LEFT, EDGE_RIGHT, EDGE_TOP, EDGE_BOTTOM };
    int second;

    memset(sc, 0, sizeof *sc);
    sc->g4 = g4;
    sc->dpi = dpi;
    sc->blank = blank;
    sc->turn = turn;
    /* draw everything whatever is used, so one choice never shifts another */
    sc->skew = tk_rng_range(r, -400, 400) / 100.0;
    sc->holes = tk_rng_below(r, 5) == 0 ? 2 + (int)tk_rng_below(r, 2) : 0;
    sc->edges = tk_rng_below(r, 4) == 0 ? TK_PICK(r, sides) : 0;
    second = TK_PICK(r, sides);
    if (sc->edges && tk_rng_below(r, 3) == 0)
        sc->edges |= second;
    sc->blur = tk_rng_below(r, 10) < 3 ? 1 + (int)tk_rng_below(r, 2) : 0;
    sc->heavy_noise = tk_rng_below(r, 4) == 0;
    sc->shadow = tk_rng_below(r, g4 ? 5 : 2) == 0 ? TK_PICK(r, sides) : 0;
    sc->threshold = tk_rng_range(r, 140, 180);
    sc->bleed = (g4 ? tk_rng_range(r, 20, 35) : tk_rng_range(r, 6, 18)) / 100.0;
    sc->tone = g4 ? 255 : tk_rng_range(r, 205, 245);
    sc->tone_dx = g4 ? 0 : tk_rng_range(r, -12, 12);
    sc->tone_dy = g4 ? 0 : tk_rng_range(r, -12, 12);
    sc->shadow_depth = g4 ? tk_rng_range(r, 90, 160) : tk_rng_range(r, 60, 120);
    sc->shadow_width = tk_rng_range(r, 25, 60) / 100.0;
}

/* The truth's "tags": what was done to the page, for the CER breakdown. */
static void scan_tags(const scan *sc, cs_buf *t)
{
    int n = 0;
#define TAG(s) do { tk_buf_puts(t, n++ ? ",\"" s "\"" : "\"" s "\""); } while (0)
    tk_buf_puts(t, "[");
    if (sc->g4)
        TAG("g4");
    else
        TAG("jpeg");
    if (sc->dpi == 200)
        TAG("200dpi");
    else if (sc->dpi == 300)
        TAG("300dpi");
    else
        TAG("400dpi");
    if (sc->blank)
        TAG("blank");
    else if (sc->turn == 0)
        TAG("upright");
    else if (sc->turn == 2)
        TAG("upside-down");
    else
        TAG("sideways");
    if (fabs(sc->skew) > 2.0)
        TAG("skew>2");
    if (sc->edges)
        TAG("dark-edge");
    if (sc->holes)
        TAG("punch-holes");
    if (sc->blur)
        TAG("blur");
    if (sc->heavy_noise)
        TAG("heavy-noise");
    if (sc->shadow)
        TAG("shadow");
    if (!sc->blank && sc->turn == 0 && fabs(sc->skew) <= 2.0 && !sc->edges && !sc->holes &&
        !sc->blur && !sc->heavy_noise && !sc->shadow)
        TAG("clean");
#undef TAG
    tk_buf_puts(t, "]");
}

static void fill_disc(PIX *pix, int cx, int cy, int rad, int val)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int x, y;

    for (y = cy - rad; y <= cy + rad; y++) {
        if (y < 0 || y >= h)
            continue;
        for (x = cx - rad; x <= cx + rad; x++)
            if (x >= 0 && x < w && (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad)
                SET_DATA_BYTE(data + (size_t)y * wpl, x, val);
    }
}

/*
 * Punch n holes (2 or 3) near the left edge of an upright 8 bpp page: 6 mm
 * discs, their centres 0.4 inch in, where the scanner's dark lid shows
 * through.  The text starts 1 inch in, so no glyph is lost.
 */
static void punch_holes(PIX *pix, int n, int dpi, tk_rng *r)
{
    static const double three[] = { 1.25, 5.5, 9.75 }, two[] = { 2.75, 8.25 };
    int k, h = pixGetHeight(pix);

    for (k = 0; k < n; k++) {
        double yin = n == 3 ? three[k] : two[k];
        int cx = (int)((0.4 + tk_rng_range(r, -5, 5) / 100.0) * dpi);
        int cy = (int)(yin / 11.0 * h) + tk_rng_range(r, -dpi / 20, dpi / 20);
        fill_disc(pix, cx, cy, (int)(0.118 * dpi), tk_rng_range(r, 10, 40));
    }
}

/*
 * The ghost of the front page seen through the paper: mirrored, faded to
 * opacity alpha, blurred.  Returns a new 8 bpp pix or NULL.
 */
static PIX *bleed_through(PIX *front, double alpha)
{
    PIX *flip = pixFlipLR(NULL, front), *out = NULL;
    l_int32 w, h, wpl, x, y;
    l_uint32 *data;

    if (!flip)
        return NULL;
    w = pixGetWidth(flip);
    h = pixGetHeight(flip);
    wpl = pixGetWpl(flip);
    data = pixGetData(flip);
    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            int v = GET_DATA_BYTE(row_data, x);
            SET_DATA_BYTE(row_data, x, 255 - (int)((255 - v) * alpha + 0.5));
        }
    }
    out = pixBlockconvGray(flip, NULL, 2, 2);
    pixDestroy(&flip);
    return out;
}

/*
 * Paper that is not white: a base tone, a slope across the page, and a
 * shadow falling off exponentially from one side.  Multiplies in place.
 */
static void paper_tone(PIX *pix, const scan *sc)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    double *col = tk_xmalloc((size_t)w * sizeof *col), *row = tk_xmalloc((size_t)h * sizeof *row);
    double wpx = sc->shadow_width * sc->dpi;
    l_int32 x, y;

    for (x = 0; x < w; x++) {
        col[x] = sc->tone + sc->tone_dx * ((double)x / w - 0.5);
        if (sc->shadow == EDGE_LEFT)
            col[x] -= sc->shadow_depth * exp(-x / wpx);
        else if (sc->shadow == EDGE_RIGHT)
            col[x] -= sc->shadow_depth * exp(-(w - 1 - x) / wpx);
    }
    for (y = 0; y < h; y++) {
        row[y] = sc->tone_dy * ((double)y / h - 0.5);
        if (sc->shadow == EDGE_TOP)
            row[y] -= sc->shadow_depth * exp(-y / wpx);
        else if (sc->shadow == EDGE_BOTTOM)
            row[y] -= sc->shadow_depth * exp(-(h - 1 - y) / wpx);
    }
    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            double bg = col[x] + row[y];
            int v;
            bg = bg < 0 ? 0 : bg > 255 ? 255 : bg;
            v = (int)(GET_DATA_BYTE(row_data, x) * bg / 255.0 + 0.5);
            SET_DATA_BYTE(row_data, x, v);
        }
    }
    free(col);
    free(row);
}

/*
 * Dark bands where the scanner saw past the paper: 0.06 to 0.3 inch wide
 * with a ragged inner boundary, nearly black.  In place.
 */
static void dark_edges(PIX *pix, int edges, int dpi, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    int side;

    for (side = EDGE_LEFT; side <= EDGE_BOTTOM; side <<= 1) {
        int horizontal = side == EDGE_TOP || side == EDGE_BOTTOM;
        int len = horizontal ? w : h, across = horizontal ? h : w;
        int base = tk_rng_range(r, dpi * 6 / 100, dpi * 30 / 100), cur = base;
        int dark = tk_rng_range(r, 5, 45), i, j;

        if (!(edges & side))
            continue;
        for (i = 0; i < len; i++) {
            cur += tk_rng_range(r, -1, 1);
            if (cur < base / 2)
                cur = base / 2;
            if (cur > base * 3 / 2)
                cur = base * 3 / 2;
            for (j = 0; j < cur && j < across; j++) {
                int k = side == EDGE_LEFT || side == EDGE_TOP ? j : across - 1 - j;
                int x = horizontal ? i : k, y = horizontal ? k : i;
                SET_DATA_BYTE(data + (size_t)y * wpl, x, dark + (int)((tk_rng_next(r) >> 60) & 15));
            }
        }
    }
}

/* Sensor noise: roughly Gaussian with standard deviation sigma.  In place. */
static void sensor_noise(PIX *pix, double sigma, tk_rng *r)
{
    l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
    l_uint32 *data = pixGetData(pix);
    l_int32 x, y;
    /* four 16-bit uniforms summed: mean 2, standard deviation 1/sqrt(3) */
    double k = sigma * 1.7320508 / 65536.0;

    for (y = 0; y < h; y++) {
        l_uint32 *row_data = data + (size_t)y * wpl;
        for (x = 0; x < w; x++) {
            uint64_t z = tk_rng_next(r);
            long s = (long)(z & 0xFFFF) + (long)((z >> 16) & 0xFFFF) +
                     (long)((z >> 32) & 0xFFFF) + (long)(z >> 48) - 2 * 65536;
            int v = GET_DATA_BYTE(row_data, x) + (int)lround(s * k);
            SET_DATA_BYTE(row_data, x, v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

/*
 * Scan one bench page.  paper is the rendered 8 bpp page at sc->dpi, already
 * punched; for a blank back side, its front.  Returns a new pix (1 bpp for
 * G4, 8 bpp otherwise) or NULL.
 */
static PIX *scan_page(PIX *paper, const scan *sc, tk_rng *r)
{
    PIX *a = NULL, *b = NULL, *c = NULL, *d = NULL, *out = NULL;
    int i;

    a = sc->blank ? bleed_through(paper, sc->bleed) : pixClone(paper);
    if (!a)
        goto out;
    b = pixRotate(a, (float)(sc->skew * M_PI / 180.0), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
    if (!b)
        goto out;
    c = sc->turn ? pixRotateOrth(b, sc->turn) : pixCopy(NULL, b);
    if (!c)
        goto out;
    if (!sc->g4 || sc->shadow)
        paper_tone(c, sc);
    if (sc->edges)
        dark_edges(c, sc->edges, sc->dpi, r);
    d = pixClone(c);
    for (i = 0; i < sc->blur && d; i++) {
        PIX *e = pixBlockconvGray(d, NULL, 1, 1);
        pixDestroy(&d);
        d = e;
    }
    if (!d)
        goto out;
    sensor_noise(d, sc->g4 ? (sc->heavy_noise ? 25 : 8) : (sc->heavy_noise ? 12 : 4), r);
    tk_speckle(d, r, sc->heavy_noise ? 500 : 2500, 0);
    out = sc->g4 ? pixThresholdToBinary(d, sc->threshold) : pixClone(d);
    if (out)
        pixSetResolution(out, sc->dpi, sc->dpi);
out:
    pixDestroy(&d);
    pixDestroy(&c);
    pixDestroy(&b);
    pixDestroy(&a);
    return out;
}

/* ======================= truth.jsonl ======================= */

static void truth_page(cs_buf *t, const document *doc, int p)
{
    const page *pg = &doc->pages[p];
    cs_buf text = CS_BUF_INIT;
    int i;

    for (i = 0; i < pg->n; i++) {
        if (i)
            tk_buf_puts(&text, "\n");
        tk_buf_puts(&text, pg->lines[i].text);
    }
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, doc->entry);
    bprintf(t, ",\"page\":%d,\"pages\":%d,\"doctype\":", p + 1, doc->npages);
    tk_buf_json(t, doc->dt->code);
    tk_buf_puts(t, ",\"mrn\":");
    if (doc->print_mrn)
        tk_buf_json(t, doc->pt->mrn);
    else
        tk_buf_puts(t, "null");
    /* the patient's own MRN, printed or not; null for a patient absent from the roster */
    tk_buf_puts(t, ",\"patient_mrn\":");
    if (!doc->absent)
        tk_buf_json(t, doc->pt->mrn);
    else
        tk_buf_puts(t, "null");
    bprintf(t, ",\"in_roster\":%s,\"compression\":\"%s\",\"dpi\":%d,\"skew\":%.2f,\"text\":",
            doc->in_roster ? "true" : "false", doc->g4 ? "g4" : "jpeg", doc->dpi, doc->skew);
    tk_buf_json(t, text.data ? text.data : "");
    tk_buf_puts(t, "}\n");
    cs_buf_free(&text);
}

static void truth_other(cs_buf *t, const char *entry, const char *kind, const char *reason)
{
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, entry);
    tk_buf_puts(t, ",\"kind\":");
    tk_buf_json(t, kind);
    if (reason) {
        tk_buf_puts(t, ",\"reason\":");
        tk_buf_json(t, reason);
    }
    tk_buf_puts(t, "}\n");
}

static const char readme_text[] =
    "Synthetic sample batch made by chartscan's samplegen.\n"
    "Every name, number and date in it is invented.\n"
    "This file is not a TIFF: chartscan should skip it.\n";

/* ======================= the batch ======================= */

typedef struct options {
    const char *out;
    uint64_t seed;
    long files, patients;
    int bad_entries;
    int bench;                  /* --degrade bench */
    long pages;                 /* --pages, bench only */
} options;

typedef struct batch {
    const options *opt;
    char tmpdir[4096];
    patient *roster;
    patient outsider;           /* valid-looking MRN absent from the roster */
    struct archive *zip;
    cs_buf truth;
    unsigned char *sample_tif;  /* one-page TIFF kept for the bad entries */
    size_t sample_len;
    long pages;
    unsigned type_offset;       /* doctype of the first file */
} batch;

/* Make, render, degrade and store TIFF number i (0-based). */
static int make_file(batch *bt, long i, char *err, size_t errlen)
{
    const options *opt = bt->opt;
    tk_rng r = tk_rng_stream(opt->seed, 1000 + (uint64_t)i);
    document doc;
    cs_buf ps = CS_BUF_INIT;
    char psfile[4200], pattern[4200], png[4200], tif[4200];
    unsigned char *data = NULL;
    size_t len = 0;
    PIX *pix = NULL;
    int p, rc = -1;

    memset(&doc, 0, sizeof doc);
    doc.dt = &doctypes[(bt->type_offset + (unsigned long)i) % NDOCTYPES];  /* all types early */
    doc.npages = i == 0 ? 3 : tk_rng_range(&r, 1, 3);
    doc.pt = &bt->roster[tk_rng_below(&r, (unsigned)opt->patients)];
    doc.print_mrn = doc.in_roster = 1;
    if (opt->files >= 3 && i == opt->files - 1) {
        doc.print_mrn = doc.in_roster = 0;         /* no MRN line at all */
    } else if (opt->files >= 2 && i == (opt->files >= 3 ? opt->files - 2 : 1)) {
        doc.pt = &bt->outsider;
        doc.in_roster = 0;
        doc.absent = 1;
    }
    doc.g4 = i % 2 == 0;
    doc.dpi = doc.g4 ? 300 : (i / 2) % 2 == 0 ? 200 : 300;
    doc.skew = tk_rng_range(&r, -150, 150) / 100.0;
    snprintf(doc.entry, sizeof doc.entry, "box%02ld/chart_%04ld.tif",
             i / FILES_PER_BOX + 1, i + 1);
    layout_document(&doc, &r);

    snprintf(psfile, sizeof psfile, "%s/f%04ld.ps", bt->tmpdir, i + 1);
    snprintf(pattern, sizeof pattern, "%s/f%04ld-%%03d.png", bt->tmpdir, i + 1);
    snprintf(tif, sizeof tif, "%s/f%04ld.tif", bt->tmpdir, i + 1);
    document_ps(&doc, &ps);
    if (tk_write_file(psfile, ps.data, ps.len, err, errlen) < 0 ||
        run_gs(psfile, pattern, 300, err, errlen) < 0)
        goto out;
    for (p = 0; p < doc.npages; p++) {
        snprintf(png, sizeof png, "%s/f%04ld-%03d.png", bt->tmpdir, i + 1, p + 1);
        if ((pix = degrade_page(png, &doc, &r, err, errlen)) == NULL)
            goto out;
        unlink(png);
        if (pixWriteTiff(tif, pix, doc.g4 ? IFF_TIFF_G4 : IFF_TIFF_JPEG, p ? "a" : "w") != 0) {
            cs_fail(err, errlen, "could not write TIFF \"%s\"", tif);
            goto out;
        }
        if (i == 0 && p == 0 && opt->bad_entries &&
            pixWriteMemTiff(&bt->sample_tif, &bt->sample_len, pix, IFF_TIFF_G4) != 0) {
            cs_fail(err, errlen, "could not write the sample one-page TIFF");
            goto out;
        }
        pixDestroy(&pix);
        truth_page(&bt->truth, &doc, p);
    }
    if (tk_read_file(tif, &data, &len, err, errlen) < 0 ||
        tk_zip_add(bt->zip, doc.entry, data, len, err, errlen) < 0)
        goto out;
    bt->pages += doc.npages;
    rc = 0;
out:
    unlink(psfile);
    unlink(tif);
    pixDestroy(&pix);
    free(data);
    cs_buf_free(&ps);
    document_clear(&doc);
    return rc;
}

/* ======================= the bench profile: files ======================= */

/*
 * Which text pages are turned and which have a blank back side, fixed for
 * the whole run from its own stream: exact shares (rounded up) rather than
 * coin flips, so that every run of 100 or more pages has upside-down,
 * sideways and blank pages to score.
 */
typedef struct bench_plan {
    long text_pages, blank_pages;
    unsigned char *turn;      /* per text page: quarter turns clockwise */
    unsigned char *back;      /* per text page: 1 when a blank back side follows */
} bench_plan;

static void shuffle(long *idx, long n, tk_rng *r)
{
    long i;
    for (i = 0; i < n; i++)
        idx[i] = i;
    for (i = n - 1; i > 0; i--) {
        long j = (long)tk_rng_below(r, (unsigned)(i + 1)), t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static void plan_bench(uint64_t seed, long pages, bench_plan *pl)
{
    tk_rng r = tk_rng_stream(seed, 4);
    long blank = (pages * 8 + 99) / 100, text = pages - blank;
    long upside = (pages * 5 + 99) / 100, sideways = (pages * 3 + 99) / 100, k;
    long *idx = tk_xmalloc((size_t)text * sizeof *idx);

    assert(upside + sideways <= text && blank <= text);
    pl->text_pages = text;
    pl->blank_pages = blank;
    pl->turn = tk_xmalloc((size_t)text);
    pl->back = tk_xmalloc((size_t)text);
    memset(pl->turn, 0, (size_t)text);
    memset(pl->back, 0, (size_t)text);
    shuffle(idx, text, &r);
    for (k = 0; k < upside; k++)
        pl->turn[idx[k]] = 2;
    for (k = 0; k < sideways; k++)
        pl->turn[idx[upside + k]] = k % 2 ? 3 : 1;
    shuffle(idx, text, &r);
    for (k = 0; k < blank; k++)
        pl->back[idx[k]] = 1;
    free(idx);
}

static void plan_clear(bench_plan *pl)
{
    free(pl->turn);
    free(pl->back);
    memset(pl, 0, sizeof *pl);
}

/* One truth line of a bench page; p is 1-based in the file. */
static void truth_bench(cs_buf *t, const document *doc, int p, int filepages,
                        const scan *sc, const char *text)
{
    tk_buf_puts(t, "{\"file\":");
    tk_buf_json(t, doc->entry);
    bprintf(t, ",\"page\":%d,\"pages\":%d,\"doctype\":", p, filepages);
    tk_buf_json(t, doc->dt->code);
    tk_buf_puts(t, ",\"mrn\":");
    if (sc->blank)
        tk_buf_puts(t, "null");
    else
        tk_buf_json(t, doc->pt->mrn);
    bprintf(t, ",\"in_roster\":%s,\"compression\":\"%s\",\"dpi\":%d,\"skew\":%.2f,"
            "\"rotation\":%d,\"blank\":%s,\"tags\":",
            sc->blank ? "false" : "true", sc->g4 ? "g4" : "jpeg", sc->dpi, sc->skew,
            (4 - sc->turn) % 4 * 90, sc->blank ? "true" : "false");
    scan_tags(sc, t);
    tk_buf_puts(t, ",\"text\":");
    tk_buf_json(t, text);
    tk_buf_puts(t, "}\n");
}

/*
 * Make bench file i: a document of ntext text pages (text pages first_text
 * onwards in the plan), each followed by its blank back side where the plan
 * says so.  Streams: layout 1<<20 + i, scanner settings 2<<20 + i, each
 * page's scan 3<<20 + its number in the batch.
 */
static int make_bench_file(batch *bt, const bench_plan *pl, long i, long first_text, int ntext,
                           char *err, size_t errlen)
{
    const options *opt = bt->opt;
    tk_rng r = tk_rng_stream(opt->seed, (1u << 20) + (uint64_t)i);
    tk_rng scanner = tk_rng_stream(opt->seed, (2u << 20) + (uint64_t)i);
    document doc;
    cs_buf ps = CS_BUF_INIT, text = CS_BUF_INIT;
    char psfile[4200], pattern[4200], png[4200], tif[4200];
    unsigned char *data = NULL;
    size_t len = 0;
    PIX *src = NULL, *paper = NULL, *pix = NULL;
    int p, k, filepages = 0, pageno = 0, rc = -1, dpi_pick;

    memset(&doc, 0, sizeof doc);
    doc.dt = &doctypes[(bt->type_offset + (unsigned long)i) % NDOCTYPES];
    doc.npages = ntext;
    doc.pt = &bt->roster[tk_rng_below(&r, (unsigned)opt->patients)];
    doc.print_mrn = doc.in_roster = 1;
    doc.g4 = tk_rng_below(&scanner, 2) == 0;
    dpi_pick = (int)tk_rng_below(&scanner, 4);
    doc.dpi = dpi_pick == 0 ? 200 : dpi_pick == 3 ? 400 : 300;
    snprintf(doc.entry, sizeof doc.entry, "box%02ld/chart_%04ld.tif",
             i / FILES_PER_BOX + 1, i + 1);
    layout_document(&doc, &r);
    for (p = 0; p < ntext; p++)
        filepages += 1 + pl->back[first_text + p];

    snprintf(psfile, sizeof psfile, "%s/f%04ld.ps", bt->tmpdir, i + 1);
    snprintf(pattern, sizeof pattern, "%s/f%04ld-%%03d.png", bt->tmpdir, i + 1);
    snprintf(tif, sizeof tif, "%s/f%04ld.tif", bt->tmpdir, i + 1);
    document_ps(&doc, &ps);
    if (tk_write_file(psfile, ps.data, ps.len, err, errlen) < 0 ||
        run_gs(psfile, pattern, doc.dpi, err, errlen) < 0)
        goto out;
    for (p = 0; p < ntext; p++) {
        long t = first_text + p;
        for (k = 0; k <= pl->back[t]; k++) {    /* the front, then its back side */
            tk_rng pr = tk_rng_stream(opt->seed, (3u << 20) + (uint64_t)(bt->pages + pageno));
            scan sc;

            scan_draw(&sc, &pr, doc.g4, doc.dpi, k == 1, k == 1 ? 0 : pl->turn[t]);
            if (k == 0) {
                snprintf(png, sizeof png, "%s/f%04ld-%03d.png", bt->tmpdir, i + 1, p + 1);
                if ((src = pixRead(png)) == NULL || (paper = pixConvertTo8(src, 0)) == NULL) {
                    cs_fail(err, errlen, "could not read rendered page \"%s\"", png);
                    goto out;
                }
                unlink(png);
                pixDestroy(&src);
                if (sc.holes)
                    punch_holes(paper, sc.holes, doc.dpi, &pr);
            }
            if ((pix = scan_page(paper, &sc, &pr)) == NULL) {
                cs_fail(err, errlen, "could not degrade page %d of \"%s\"", pageno + 1, doc.entry);
                goto out;
            }
            if (pixWriteTiff(tif, pix, doc.g4 ? IFF_TIFF_G4 : IFF_TIFF_JPEG, pageno ? "a" : "w") != 0) {
                cs_fail(err, errlen, "could not write TIFF \"%s\"", tif);
                goto out;
            }
            pixDestroy(&pix);
            pageno++;
            cs_buf_reset(&text);
            if (k == 0) {
                const page *pg = &doc.pages[p];
                int j;
                for (j = 0; j < pg->n; j++) {
                    if (j)
                        tk_buf_puts(&text, "\n");
                    tk_buf_puts(&text, pg->lines[j].text);
                }
            }
            truth_bench(&bt->truth, &doc, pageno, filepages, &sc, text.data ? text.data : "");
        }
        pixDestroy(&paper);
    }
    if (tk_read_file(tif, &data, &len, err, errlen) < 0 ||
        tk_zip_add(bt->zip, doc.entry, data, len, err, errlen) < 0)
        goto out;
    bt->pages += filepages;
    rc = 0;
out:
    unlink(psfile);
    unlink(tif);
    pixDestroy(&pix);
    pixDestroy(&paper);
    pixDestroy(&src);
    free(data);
    cs_buf_free(&text);
    cs_buf_free(&ps);
    document_clear(&doc);
    return rc;
}

/* All bench files: documents of 1-3 text pages until the plan is used up. */
static int make_bench_files(batch *bt, long *files, long *blank, char *err, size_t errlen)
{
    bench_plan pl;
    tk_rng r = tk_rng_stream(bt->opt->seed, 5);
    long t = 0, i = 0;
    int rc = 0;

    plan_bench(bt->opt->seed, bt->opt->pages, &pl);
    while (t < pl.text_pages) {
        int n = tk_rng_range(&r, 1, 3);
        if (n > pl.text_pages - t)
            n = (int)(pl.text_pages - t);
        if ((rc = make_bench_file(bt, &pl, i, t, n, err, errlen)) < 0)
            break;
        t += n;
        i++;
    }
    *files = i;
    *blank = pl.blank_pages;
    plan_clear(&pl);
    return rc;
}

static int add_bad_entries(batch *bt, char *err, size_t errlen)
{
    /* A third of a TIFF: libtiff writes the directory last, so it is gone. */
    if (tk_zip_add(bt->zip, "box01/cut.tif", bt->sample_tif, bt->sample_len / 3, err, errlen) < 0 ||
        tk_zip_add(bt->zip, "../escape.tif", bt->sample_tif, bt->sample_len, err, errlen) < 0 ||
        tk_zip_add(bt->zip, "/abs/path.tif", bt->sample_tif, bt->sample_len, err, errlen) < 0)
        return -1;
    truth_other(&bt->truth, "box01/cut.tif", "bad", "truncated");
    truth_other(&bt->truth, "../escape.tif", "bad", "path_traversal");
    truth_other(&bt->truth, "/abs/path.tif", "bad", "absolute_path");
    return 0;
}

static int run(const options *opt, char *err, size_t errlen)
{
    batch bt;
    cs_buf csv = CS_BUF_INIT;
    char path[4200];
    const char *tmp = getenv("TMPDIR");
    tk_rng r = tk_rng_stream(opt->seed, 1);
    uint64_t mrn_key = tk_rng_next(&r);
    long i, j, bench_files = 0, bench_blank = 0;
    int rc = -1;

    memset(&bt, 0, sizeof bt);
    bt.opt = opt;
    {
        tk_rng t = tk_rng_stream(opt->seed, 3);
        bt.type_offset = tk_rng_below(&t, NDOCTYPES);
    }
    if (tk_make_dirs(opt->out, err, errlen) < 0)
        return -1;

    /* roster.csv */
    bt.roster = tk_xmalloc((size_t)opt->patients * sizeof *bt.roster);
    for (i = 0; i < opt->patients; i++)
        make_patient(&r, mrn_key, (uint32_t)i, &bt.roster[i]);
    for (j = 0; j < 100; j++) {                  /* outsider: a name not on the roster */
        make_patient(&r, mrn_key, (uint32_t)opt->patients, &bt.outsider);
        for (i = 0; i < opt->patients; i++)
            if (strcmp(bt.roster[i].last, bt.outsider.last) == 0 &&
                strcmp(bt.roster[i].first, bt.outsider.first) == 0)
                break;
        if (i == opt->patients)
            break;
    }
    roster_csv(bt.roster, opt->patients, &csv);
    snprintf(path, sizeof path, "%s/roster.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    /* train.csv */
    cs_buf_reset(&csv);
    train_csv(opt->seed, &csv);
    snprintf(path, sizeof path, "%s/train.csv", opt->out);
    if (tk_write_file(path, csv.data, csv.len, err, errlen) < 0)
        goto out;

    /* batch.zip and truth.jsonl */
    snprintf(bt.tmpdir, sizeof bt.tmpdir, "%s/samplegen.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(bt.tmpdir) == NULL) {
        cs_fail(err, errlen, "could not create a temporary folder in \"%s\": %s",
                tmp && *tmp ? tmp : "/tmp", strerror(errno));
        bt.tmpdir[0] = '\0';
        goto out;
    }
    snprintf(path, sizeof path, "%s/batch.zip", opt->out);
    if ((bt.zip = archive_write_new()) == NULL)
        tk_die_oom();
    if (archive_write_set_format_zip(bt.zip) != ARCHIVE_OK ||
        archive_write_open_filename(bt.zip, path) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not create zip \"%s\": %s", path,
                archive_error_string(bt.zip) ? archive_error_string(bt.zip) : "unknown error");
        goto out;
    }
    if (opt->bench) {
        if (make_bench_files(&bt, &bench_files, &bench_blank, err, errlen) < 0)
            goto out;
    } else {
        for (i = 0; i < opt->files; i++)
            if (make_file(&bt, i, err, errlen) < 0)
                goto out;
    }
    if (!opt->bench) {
        if (tk_zip_add(bt.zip, "box01/README.txt", readme_text, sizeof readme_text - 1, err, errlen) < 0)
            goto out;
        truth_other(&bt.truth, "box01/README.txt", "skipped", NULL);
    }
    if (opt->bad_entries && add_bad_entries(&bt, err, errlen) < 0)
        goto out;
    if (archive_write_close(bt.zip) != ARCHIVE_OK) {
        cs_fail(err, errlen, "could not finish zip \"%s\": %s", path,
                archive_error_string(bt.zip) ? archive_error_string(bt.zip) : "unknown error");
        goto out;
    }
    snprintf(path, sizeof path, "%s/truth.jsonl", opt->out);
    if (tk_write_file(path, bt.truth.data, bt.truth.len, err, errlen) < 0)
        goto out;
    if (opt->bench)
        printf("samplegen: %ld files, %ld pages (%ld blank back sides)%s, %ld patients written to %s\n",
               bench_files, bt.pages, bench_blank, opt->bad_entries ? ", 3 bad entries" : "",
               opt->patients, opt->out);
    else
        printf("samplegen: %ld files, %ld pages%s, %ld patients written to %s\n",
               opt->files, bt.pages, opt->bad_entries ? ", 3 bad entries" : "",
               opt->patients, opt->out);
    rc = 0;
out:
    if (bt.zip)
        archive_write_free(bt.zip);
    if (rc < 0 && bt.zip) {             /* no half-written zip left behind */
        snprintf(path, sizeof path, "%s/batch.zip", opt->out);
        unlink(path);
    }
    if (bt.tmpdir[0])
        tk_remove_temp_dir(bt.tmpdir);
    lept_free(bt.sample_tif);
    cs_buf_free(&bt.truth);
    cs_buf_free(&csv);
    free(bt.roster);
    return rc;
}

/* ======================= command line ======================= */

static void usage(FILE *fp)
{
    fputs(
"NAME\n"
"    make-sample-batch - generate a synthetic chartscan batch with ground truth\n"
"\n"
"SYNOPSIS\n"
"    scripts/make-sample-batch --out DIR [--seed N] [--files N] [--patients N]\n"
"                              [--with-bad-entries]\n"
"    scripts/make-sample-batch --out DIR --degrade bench [--pages N] [--seed N]\n"
"                              [--patients N]\n"
"    scripts/make-sample-batch --help\n"
"\n"
"DESCRIPTION\n"
"    Writes invented sample data for the demo and the integration tests into\n"
"    DIR (created if missing; existing files of the same names are replaced):\n"
"\n"
"    roster.csv   mrn,last_name,first_name,middle_name,birth_date,sex; 8-digit\n"
"                 MRNs, birth_date YYYY-MM-DD, sex M or F.\n"
"    train.csv    doctype,text; 30 labelled examples for each of\n"
"                 discharge_summary, history_physical, progress_note,\n"
"                 operative_report, radiology_report, ed_note and letter.\n"
"    batch.zip    boxNN/chart_NNNN.tif (25 per box): each TIFF is one document\n"
"                 of 1-3 pages for one patient, rendered with Ghostscript,\n"
"                 skewed by up to 1.5 degrees and speckled.  Even-numbered\n"
"                 files are grey JPEG-in-TIFF, alternately 200 and 300 dpi; the\n"
"                 others G4 bilevel at 300 dpi.  Plus box01/README.txt, which is not a\n"
"                 TIFF.  With 3 or more files the last one prints no MRN and the\n"
"                 one before it belongs to a patient absent from the roster\n"
"                 (with 2 files, the second); the rest are roster patients.\n"
"    truth.jsonl  one JSON object per TIFF page: file, page, pages, doctype,\n"
"                 mrn (null when none is printed), patient_mrn (the patient's\n"
"                 MRN, printed or not; null when absent from the roster),\n"
"                 in_roster (the printed MRN is in roster.csv), compression (g4|jpeg), dpi, skew (degrees)\n"
"                 and text (the exact printed lines joined with \\n); and one\n"
"                 per other entry: {\"file\":...,\"kind\":\"skipped\"|\"bad\"}.\n"
"\n"
"    Output is deterministic: the same seed gives byte-identical roster.csv,\n"
"    train.csv and truth.jsonl.  Needs gs (package ghostscript) at run time.\n"
"\n"
"    --degrade bench makes the OCR benchmark's pages instead (scripts/bench-ocr):\n"
"    --pages N pages in documents of 1-3 text pages, one file per document,\n"
"    each file scanned at 200 (1/4), 300 (1/2) or 400 dpi (1/4), as G4 or grey\n"
"    JPEG (1/2 each).  Every text page is skewed by up to 4 degrees; 5% of the\n"
"    pages are upside down and 3% sideways (90 and 270 degrees), rounded up;\n"
"    each page independently may have dark scanner edges (1/4), 2 or 3 punch\n"
"    holes (1/5), blur (3/10), heavy noise (1/4; light noise always), and a\n"
"    shadow along one side (1/2 of grey pages, 1/5 of G4 pages); grey pages\n"
"    have uneven paper tone.  8% of the pages (rounded up) are blank back\n"
"    sides that follow their front page, with its faint mirrored bleed-through\n"
"    and speckle.  All rosters' patients; no README or bad entries.  Each\n"
"    truth.jsonl page line also has rotation (degrees clockwise that make the\n"
"    page upright: 0, 90, 180 or 270), blank (true for back sides, whose text\n"
"    is \"\") and tags (what was done: g4|jpeg, 200dpi|300dpi|400dpi,\n"
"    upright|upside-down|sideways|blank, skew>2, dark-edge, punch-holes,\n"
"    blur, heavy-noise, shadow, and clean for an upright page with none of\n"
"    these).  The default, --degrade mild, is the batch described above.\n"
"\n"
"OPTIONS\n"
"    --out DIR            output folder (required)\n"
"    --seed N             random seed, an unsigned integer (default 1)\n"
"    --files N            number of TIFF files, 1-10000 (default 6)\n"
"    --patients N         roster size, 1-1000000 (default 40)\n"
"    --degrade mild|bench how the pages are scanned (default mild; see above)\n"
"    --pages N            bench: number of pages, 10-100000 (default 100)\n"
"    --with-bad-entries   also add box01/cut.tif (truncated TIFF),\n"
"                         ../escape.tif (path traversal) and /abs/path.tif\n"
"                         (absolute name), recorded with \"kind\":\"bad\"\n"
"    -h, --help           show this help\n"
"\n"
"OUTPUT\n"
"    One summary line on standard output.  No patient data on standard error.\n"
"\n"
"EXIT STATUS\n"
"    0 success, 1 failure (message on standard error), 2 bad usage.\n"
"\n"
"EXAMPLE\n"
"    scripts/make-sample-batch --out /tmp/sample --seed 7 --with-bad-entries\n",
        fp);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "out", required_argument, NULL, 'o' },
        { "seed", required_argument, NULL, 's' },
        { "files", required_argument, NULL, 'f' },
        { "patients", required_argument, NULL, 'p' },
        { "with-bad-entries", no_argument, NULL, 'b' },
        { "degrade", required_argument, NULL, 'd' },
        { "pages", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    options opt = { NULL, 1, 6, 40, 0, 0, 100 };
    char err[CS_ERRLEN] = "";
    int c, files_given = 0, pages_given = 0;

    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            opt.out = optarg;
            break;
        case 's':
            if (tk_parse_seed(optarg, &opt.seed) < 0) {
                fprintf(stderr, PROG ": invalid --seed \"%s\": expected an unsigned integer\n", optarg);
                return 2;
            }
            break;
        case 'f':
            if (tk_parse_long(optarg, 1, 10000, &opt.files) < 0) {
                fprintf(stderr, PROG ": invalid --files \"%s\": expected 1 to 10000\n", optarg);
                return 2;
            }
            files_given = 1;
            break;
        case 'd':
            if (strcmp(optarg, "mild") == 0)
                opt.bench = 0;
            else if (strcmp(optarg, "bench") == 0)
                opt.bench = 1;
            else {
                fprintf(stderr, PROG ": invalid --degrade \"%s\": expected mild or bench\n", optarg);
                return 2;
            }
            break;
        case 'n':
            if (tk_parse_long(optarg, 10, 100000, &opt.pages) < 0) {
                fprintf(stderr, PROG ": invalid --pages \"%s\": expected 10 to 100000\n", optarg);
                return 2;
            }
            pages_given = 1;
            break;
        case 'p':
            if (tk_parse_long(optarg, 1, 1000000, &opt.patients) < 0) {
                fprintf(stderr, PROG ": invalid --patients \"%s\": expected 1 to 1000000\n", optarg);
                return 2;
            }
            break;
        case 'b':
            opt.bad_entries = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, PROG ": option \"%s\" requires an argument\ntry --help\n",
                    argv[optind - 1]);
            return 2;
        default:
            if (optopt)
                fprintf(stderr, PROG ": unknown option \"-%c\"\ntry --help\n", optopt);
            else
                fprintf(stderr, PROG ": unknown option \"%s\"\ntry --help\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected argument \"%s\"\ntry --help\n", argv[optind]);
        return 2;
    }
    if (opt.bench && (files_given || opt.bad_entries)) {
        fprintf(stderr, PROG ": --degrade bench takes --pages, not --files or --with-bad-entries\n"
                "try --help\n");
        return 2;
    }
    if (!opt.bench && pages_given) {
        fprintf(stderr, PROG ": --pages needs --degrade bench\ntry --help\n");
        return 2;
    }
    if (!opt.out || !opt.out[0]) {
        fprintf(stderr, PROG ": --out DIR is required\ntry --help\n");
        return 2;
    }
    setMsgSeverity(L_SEVERITY_ERROR);
    if (run(&opt, err, sizeof err) < 0) {
        fprintf(stderr, PROG ": %s\n", err);
        return 1;
    }
    return 0;
}

/*
 * text.c — samplegen's words: invented names, the phrase banks of the
 * seven document types, the roster and train.csv
 *
 * Everything is invented: names are built from syllable lists, text from
 * per-type phrase banks.  Nothing is copied from a dataset.
 */
#include "scripts/tools/samplegen/samplegen.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

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

void make_surname(tk_rng *r, char *out, size_t n)
{
    snprintf(out, n, "%s%s", TK_PICK(r, last_prefix), TK_PICK(r, last_suffix));
}

const char *random_first_name(tk_rng *r, char sex)
{
    return sex == 'F' ? TK_PICK(r, first_female) : TK_PICK(r, first_male);
}

const char *random_facility(tk_rng *r)
{
    return TK_PICK(r, facilities);
}

/* ======================= phrase banks ======================= */

/* One string per section (see doctype in samplegen.h); placeholders filled by expand(). */
const doctype doctypes[] = {
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
_Static_assert(sizeof doctypes / sizeof doctypes[0] == NDOCTYPES, "NDOCTYPES is the bank's size");

int section_count(const doctype *dt)
{
    int n = 0;
    while (n < 12 && dt->sections[n])
        n++;
    return n;
}

/* Split a section string: heading into head (no colon), sentence starts/lengths. */
void section_split(const char *s, section_view *v)
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
            tk_buf_printf(out, "Dr. %s", tmp);
        } else if (KEY("side"))
            tk_buf_puts(out, tk_rng_below(r, 2) ? "left" : "right");
        else if (KEY("n"))
            tk_buf_printf(out, "%d", tk_rng_range(r, 2, 9));
        else if (KEY("day"))
            tk_buf_printf(out, "%d", tk_rng_range(r, 2, 6));
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
int paragraph(cs_buf *out, const section_view *sv, int k, tk_rng *r, voice v, unsigned *used)
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

void make_patient(tk_rng *r, uint64_t mrn_key, uint32_t index, patient *p)
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

void roster_csv(const patient *pts, long n, cs_buf *b)
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
        tk_buf_printf(b, ",%04d-%02d-%02d,%c\n", p->dob.y, p->dob.m, p->dob.d, p->sex);
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
            tk_buf_printf(t, "%s\n", TK_PICK(r, facilities));
        tk_buf_printf(t, "%s\n", dt->titles[tk_rng_below(r, 3)]);
    }
    if (IS_LETTER(dt) && tk_rng_below(r, 2)) {
        char dr[32];
        make_surname(r, dr, sizeof dr);
        tk_buf_printf(t, "Dear Dr. %s,\n", dr);
    }
    count = tk_rng_range(r, 2, nsec < 4 ? nsec : 4);
    start = (int)tk_rng_below(r, (unsigned)(nsec - count + 1));
    for (i = start; i < start + count; i++) {
        section_split(dt->sections[i], &sv);
        if (sv.head[0])
            tk_buf_printf(t, "%s:\n", sv.head);
        paragraph(t, &sv, tk_rng_range(r, 1, 4), r, v, NULL);
        tk_buf_puts(t, "\n");
    }
    if (IS_LETTER(dt) && start + count == nsec)
        tk_buf_puts(t, "Sincerely,\n");
    if (t->len && t->data[t->len - 1] == '\n')  /* no trailing newline */
        t->data[--t->len] = '\0';
}

void train_csv(uint64_t seed, cs_buf *b)
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
            tk_buf_puts(b, ",");
            tk_buf_csv_quoted(b, text.data);
            tk_buf_puts(b, "\n");
        }
    cs_buf_free(&text);
}

-- 007_titles.sql — the taxonomy's printed titles, as data: the title lines
-- each document type is announced by at the top of its first page.  The
-- indexer (indexer/titles.c) matches them OCR-tolerantly (case, spacing,
-- punctuation, & for AND, a title with up to two more words such as
-- "HOSPITAL DISCHARGE SUMMARY") and weighs a match against the classifier.
-- A title ending in '*' is a pattern for documents that print no title:
-- a line that begins with the text before the '*' and goes on with a
-- letter ("Dear *" is a salutation, "Re: *" a letter's subject line).
-- Sites add their own forms' titles with UPDATE doctype SET titles = ...

ALTER TABLE doctype ADD COLUMN titles text[] NOT NULL DEFAULT '{}';

UPDATE doctype SET titles = ARRAY[
    'DISCHARGE SUMMARY', 'DISCHARGE SUMMARY REPORT', 'DISCHARGE NOTE',
    'DISCHARGE REPORT', 'DEATH SUMMARY', 'TRANSFER SUMMARY']
 WHERE code = 'discharge_summary';
UPDATE doctype SET titles = ARRAY[
    'HISTORY AND PHYSICAL', 'HISTORY & PHYSICAL', 'HISTORY AND PHYSICAL EXAMINATION',
    'ADMISSION HISTORY AND PHYSICAL', 'H&P', 'H & P', 'ADMISSION NOTE', 'CONSULTATION',
    'CONSULTATION NOTE', 'CONSULTATION REPORT', 'CONSULT NOTE', 'INPATIENT CONSULTATION']
 WHERE code = 'history_physical';
UPDATE doctype SET titles = ARRAY[
    'PROGRESS NOTE', 'PROGRESS NOTES', 'CLINIC NOTE', 'OFFICE NOTE', 'OFFICE VISIT',
    'FOLLOW-UP NOTE', 'FOLLOW-UP VISIT', 'FOLLOWUP NOTE', 'SOAP NOTE', 'CLINIC VISIT']
 WHERE code = 'progress_note';
UPDATE doctype SET titles = ARRAY[
    'OPERATIVE REPORT', 'OPERATIVE NOTE', 'OPERATION REPORT', 'OPERATIVE PROCEDURE REPORT',
    'PROCEDURE NOTE', 'PROCEDURE REPORT', 'BRIEF OPERATIVE NOTE', 'SURGICAL REPORT']
 WHERE code = 'operative_report';
UPDATE doctype SET titles = ARRAY[
    'RADIOLOGY REPORT', 'IMAGING REPORT', 'X-RAY REPORT', 'XRAY REPORT', 'CT REPORT',
    'CT SCAN REPORT', 'MRI REPORT', 'ULTRASOUND REPORT', 'MAMMOGRAPHY REPORT',
    'NUCLEAR MEDICINE REPORT']
 WHERE code = 'radiology_report';
UPDATE doctype SET titles = ARRAY[
    'EMERGENCY DEPARTMENT RECORD', 'EMERGENCY DEPARTMENT NOTE', 'EMERGENCY DEPARTMENT REPORT',
    'EMERGENCY DEPARTMENT VISIT', 'EMERGENCY ROOM RECORD', 'EMERGENCY ROOM REPORT',
    'EMERGENCY ROOM NOTE', 'ED NOTE', 'ED RECORD', 'ER NOTE', 'ER RECORD',
    'EMERGENCY PHYSICIAN RECORD']
 WHERE code = 'ed_note';
UPDATE doctype SET titles = ARRAY['Dear *', 'Re: *']
 WHERE code = 'letter';

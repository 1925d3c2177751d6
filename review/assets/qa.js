// qa.js: the sample audit of automatic filing: the accuracy measured per
// batch, the sampled documents, and the blind check (the pipeline's answer
// is shown only after the reviewer's is stored).  Admins may put a batch to
// full review.
'use strict';

const qa = { sample: null };
const $ = (id) => document.getElementById(id);

function pct(a) {
  if (a.rate === null) return '—';
  const p = (x) => (100 * x).toFixed(1);
  return a.right + ' · ' + p(a.rate) + '% [' + p(a.low) + '–' + p(a.high) + ']';
}

async function reviewAll(b) {
  if (!confirm('Reopen every filed document of batch ' + b.name + ' for review? Each refiled one replaces its filed version in the EHR.')) return;
  const r = await cs.post('/api/qa/batches/' + b.batch_id + '/review-all');
  cs.toast(r.documents + ' documents reopened for review' + (r.skipped ? ', ' + r.skipped + ' skipped' : ''));
  await load();
}

function reportRow(b, isAll) {
  const flag = b.wrong_patient ? 'WRONG PATIENT' : '';
  const action = !isAll && cs.me.role === 'admin' && !b.full_review
    ? cs.el('button', { type: 'button', class: 'review-all', onclick: () => reviewAll(b).catch((e) => cs.toast(e.message, true)) }, 'Full review')
    : (b.full_review ? 'in full review' : '');
  return cs.el('tr', { class: b.wrong_patient ? 'flagged' : '', 'data-batch': b.batch_id },
    cs.el('td', {}, isAll ? 'overall' : b.name),
    cs.el('td', {}, b.auto_filed), cs.el('td', {}, b.sampled), cs.el('td', {}, b.checked),
    cs.el('td', { class: 'patient' }, pct(b.patient)), cs.el('td', { class: 'doctype' }, pct(b.doctype)),
    cs.el('td', {}, pct(b.both)), cs.el('td', { class: 'flag' }, flag), cs.el('td', {}, action));
}

function result(s) {
  if (!s.checked) return 'to check';
  if (s.patient_right && s.doctype_right) return 'right';
  return [s.patient_right ? null : 'wrong patient', s.doctype_right ? null : 'wrong type'].filter(Boolean).join(', ');
}

function openCheck(s) {
  qa.sample = s;
  $('check').hidden = false;
  $('check-id').textContent = s.id;
  $('reveal').hidden = true;
  $('check-form').hidden = s.checked;
  $('mrn').value = '';
  $('none').checked = false;
  $('doctype').value = '';
  const pages = [];
  for (let i = 0; i < Math.max(1, s.page_count || 1); i++) {
    const n = s.first_page + i;
    pages.push(cs.el('img', { src: '/api/qa/samples/' + s.id + '/pages/' + n + '.png?w=1000', alt: 'page ' + n, class: 'qa-page' }));
  }
  $('pages').replaceChildren(...pages);
  if (!s.checked) $('mrn').focus();
}

function answer(a) {
  return a.patient_id === null ? 'not in the roster' : (a.name || '') + ' (' + (a.mrn || '') + ')';
}

async function submitCheck(ev) {
  ev.preventDefault();
  const fields = { doctype: $('doctype').value };
  if ($('none').checked) fields.not_in_roster = '1'; else fields.mrn = $('mrn').value.trim();
  const r = await cs.post('/api/qa/samples/' + qa.sample.id + '/check', fields);
  $('check-form').hidden = true;
  $('you-patient').textContent = answer(r.reviewer);
  $('you-type').textContent = r.reviewer.doctype;
  $('pipe-patient').textContent = answer(r.pipeline);
  $('pipe-type').textContent = r.pipeline.doctype || '—';
  $('verdict').textContent = r.patient_right && r.doctype_right ? 'The pipeline was right.'
    : 'The pipeline was wrong: ' + result({ checked: true, patient_right: r.patient_right, doctype_right: r.doctype_right }) + '.';
  $('reveal').hidden = false;
  await load();
}

async function load() {
  const [data, report] = await Promise.all([cs.get('/api/qa/samples'), cs.get('/api/qa/report')]);
  const sel = $('doctype');
  if (sel.options.length === 1) for (const t of data.doctypes) sel.append(cs.el('option', { value: t.code }, t.display));
  $('report').querySelector('tbody').replaceChildren(...report.batches.map((b) => reportRow(b, false)), reportRow(report.overall, true));
  $('samples').querySelector('tbody').replaceChildren(...data.samples.map((s) =>
    cs.el('tr', { 'data-sample': s.id, class: s.checked ? 'checked' : '', onclick: () => openCheck(s) },
      cs.el('td', {}, cs.el('button', { type: 'button', class: 'open' }, 's-' + s.id)),
      cs.el('td', {}, s.batch_id), cs.el('td', {}, 'd-' + s.document_id),
      cs.el('td', {}, s.page_count || 1), cs.el('td', {}, s.checked_by || ''),
      cs.el('td', { class: 'result' }, result(s)))));
  $('empty').hidden = data.samples.length > 0;
}

(async () => {
  if (!await cs.init()) return;
  $('logout').addEventListener('click', cs.logout);
  $('check-form').addEventListener('submit', (ev) => submitCheck(ev).catch((e) => cs.toast(e.message, true)));
  $('none').addEventListener('change', () => { $('mrn').disabled = $('none').checked; });
  await load();
})().catch((e) => cs.toast(e.message, true));

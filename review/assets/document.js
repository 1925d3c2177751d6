// document.js: one document under review: its pages, text, type, patient
// candidates, roster search and the actions, each also on a key.
'use strict';

const LOW_CONFIDENCE = 60;          // word confidences below this are marked
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const AGREE_FIELDS = [['mrn_agreement', 'MRN'], ['birth_date_agreement', 'born'],
                      ['last_name_agreement', 'last'], ['first_name_agreement', 'first']];
const EVIDENCE_FIELDS = [['mrn', 'MRN'], ['birth_date', 'birth date'], ['last_name', 'last name'],
                         ['first_name', 'first name']];
// reasons that concern only the document's type: such a document asks only for its type
const TYPE_REASONS = ['document type uncertain', 'document type not recognised'];

const doc = {
  id: Number(location.pathname.split('/').pop()),
  filter: new URLSearchParams(location.search),
  data: null,
  pages: [],                 // {page_no, blank, words}
  current: 0,
  highlight: 0,              // the candidate whose evidence is boxed on the page
  zoom: 2,                   // index into ZOOMS; 'fit' when fit is set
  fit: true,
  mine: false,
  searchResults: [],
  pre: { patient: null, type: false },   // what Enter accepts: a verified candidate, the type
  focused: false,            // the first rendering put the focus where the document needs it
  pending: Promise.resolve(), // actions run one after another, in the order of the keys
};

const $ = (id) => document.getElementById(id);

function api(suffix) { return '/api/documents/' + doc.id + (suffix ? '/' + suffix : ''); }

function filterQuery() {
  const p = new URLSearchParams();
  for (const k of ['batch', 'reason']) if (doc.filter.get(k)) p.set(k, doc.filter.get(k));
  return p.toString();
}

function pageNo() { return doc.pages[doc.current] ? doc.pages[doc.current].page_no : 0; }

// One action at a time: "Enter, c" typed at once sets the patient, then confirms.
function act(action, fields, after) {
  if (!doc.mine) { cs.toast('this document is not claimed by you', true); return doc.pending; }
  doc.pending = doc.pending.then(() => runAction(action, fields, after));
  return doc.pending;
}

async function runAction(action, fields, after) {
  try {
    const r = await cs.post(api(action), fields);
    cs.toast(action + ': done');
    if (after) await after(r);
    else await load();
  } catch (e) {
    cs.toast(e.message, true);
  }
}

// leaving a document gives it back, so that a colleague may take it
async function release() {
  if (doc.mine && doc.data && doc.data.document.status === 'review') {
    try { await cs.post(api('release')); } catch (e) { /* it lapses by itself */ }
  }
}

async function goNeighbour(dir) {
  const q = filterQuery();
  await release();
  try {
    const r = await cs.get(api('next') + '?dir=' + dir + (q ? '&' + q : ''));
    if (r.id) location.href = '/document/' + r.id + (q ? '?' + q : '');
    else location.href = '/queue' + (q ? '?' + q : '');
  } catch (e) { cs.toast(e.message, true); }
}

const actions = {
  confirm: () => act('confirm', {}, () => goNeighbour(1)),
  split: () => act('split', { page: pageNo() }),
  merge: () => act('merge', {}, (r) => { location.href = '/document/' + r.document; }),
  blank: () => act('blank', { page: pageNo() }),
  notBlank: () => act('not-blank', { page: pageNo() }),
  reject: () => {
    const reason = $('reject-reason').value.trim();
    if (!reason) { $('reject-reason').focus(); cs.toast('type a reason, then Enter'); return; }
    act('reject', { reason }, () => goNeighbour(1));
  },
  // a filed document: reopen it (back to review as a new version) or, for an admin,
  // mark it entered in error; both need a reason and are audited
  correct: async (which) => {
    const reason = $('correct-reason').value.trim();
    if (!reason) { $('correct-reason').focus(); cs.toast('type a reason first'); return; }
    try {
      const r = await cs.post(api(which), { reason });
      cs.toast(which + ': done');
      if (which === 'reopen') location.href = '/document/' + r.document;
      else await load();
    } catch (e) {
      cs.toast(e.message, true);
    }
  },
  type: (code) => act('type', { doctype: code }),
  patient: (id) => act('patient', { patient_id: id }),
};

function agreementCell(c) {
  return cs.el('td', {}, ...AGREE_FIELDS.map(([key, label]) => {
    const a = c[key] || 'missing';
    const cls = a === 'exact' ? 'agree' : a;
    const mark = a === 'exact' ? '✓' : a === 'close' ? '≈' : a === 'disagree' ? '✗' : '–';
    return cs.el('span', { class: 'field ' + cls, title: label + ': ' + a }, mark + ' ' + label);
  }));
}

// A candidate whose identifiers were all verified on the page: each one read
// there agrees exactly and has a box where it was read; an MRN not printed
// at all may be missing when the full name and birth date are verified.
function verified(c) {
  if (!c.last_name) return false;             // no longer in the roster
  const ev = c.evidence || {};
  for (const [key] of EVIDENCE_FIELDS) {
    const a = c[key + '_agreement'] || 'missing';
    if (key === 'mrn' && a === 'missing') continue;
    if (a !== 'exact' || !ev[key] || !ev[key].box) return false;
  }
  return true;
}

// What the reviewer most likely accepts: the one verified candidate (none
// when two are), and for a document held only for its type, the type.
function preselection(d) {
  const ok = d.candidates.map((c, i) => (verified(c) ? i : -1)).filter((i) => i >= 0);
  const D = d.document;
  return {
    index: ok.length === 1 ? ok[0] : -1,
    patient: ok.length === 1 ? d.candidates[ok[0]].patient_id : null,
    type: !!D.patient_id && D.reasons.length > 0 && D.reasons.every((r) => TYPE_REASONS.includes(r)),
  };
}

// Enter: use the preselected patient (the type has its own Enter, on the list)
function accept() {
  const D = doc.data && doc.data.document;
  if (!D) return;
  if (doc.pre.patient && D.patient_id !== doc.pre.patient) actions.patient(doc.pre.patient);
  else if (doc.pre.type) $('doctype').focus();
  else cs.toast(D.patient_id ? 'nothing to accept: c confirms' : 'no verified candidate: choose one (1–5 or /)');
}

function personName(p) {
  return p.last_name + ', ' + p.first_name + (p.middle_name ? ' ' + p.middle_name : '');
}

function renderPatient(d) {
  const box = $('current-patient');
  if (d.patient) {
    box.className = '';
    box.replaceChildren(d.document.status === 'filed' ? 'Filed to: ' : 'Patient: ', cs.el('b', {}, personName(d.patient)),
      ' · MRN ' + d.patient.mrn + ' · born ' + (d.patient.birth_date || '?'));
  } else {
    box.className = 'none';
    box.replaceChildren('No patient chosen yet.');
  }
  const f = d.document.fields || {};
  const read = [f.last_name && (f.last_name + ', ' + f.first_name), f.mrn && ('MRN ' + f.mrn),
                f.birth_date && ('born ' + f.birth_date)].filter(Boolean).join(' · ');
  if (read) box.append(cs.el('div', { class: 'missing' }, 'Read on the page: ' + read));
  $('candidates').querySelector('tbody').replaceChildren(...d.candidates.map((c, i) =>
    cs.el('tr', { class: i === doc.pre.index ? 'preselected' : '', onmouseenter: () => highlight(i), onfocusin: () => highlight(i),
                  title: 'boxes on the page show where this candidate\'s identifiers were found' },
      cs.el('td', {}, i + 1, i === doc.pre.index ? cs.el('span', { class: 'verified',
        title: 'every identifier verified on the page' + (c.patient_id !== d.document.patient_id ? ': Enter uses it' : '') },
        ' ✓✓') : null),
      cs.el('td', {}, c.last_name ? personName(c) : '(no longer in the roster)'),
      cs.el('td', {}, c.mrn),
      cs.el('td', {}, c.birth_date || ''),
      cs.el('td', { class: 'conf' }, Number(c.probability).toFixed(3)),
      agreementCell(c),
      cs.el('td', {}, cs.el('button', { type: 'button', class: 'use-candidate', onclick: () => actions.patient(c.patient_id),
        disabled: !doc.mine || d.document.patient_id === c.patient_id }, 'Use')))));
}

function renderType(d) {
  const sel = $('doctype');
  sel.replaceChildren(cs.el('option', { value: '' }, '(none)'),
    ...d.doctypes.map((t) => cs.el('option', { value: t.code }, t.display + ' (' + t.code + ')')));
  const guess = d.alternatives[0] && d.alternatives[0].doctype;
  sel.value = d.document.doctype || (doc.pre.type && guess) || '';
  sel.disabled = !doc.mine;
  sel.classList.toggle('preselected', doc.pre.type);
  $('alternatives').replaceChildren(...d.alternatives.map((a) => cs.el('li', {},
    cs.el('button', { type: 'button', disabled: !doc.mine || a.doctype === d.document.doctype,
                      onclick: () => actions.type(a.doctype) }, a.doctype),
    ' ' + (100 * a.confidence).toFixed(1) + '%')));
}

// Where the highlighted candidate's identifiers were found on this page:
// boxes over the image, in the page's pixel coordinates as percentages.
function renderEvidence() {
  const wrap = $('page-wrap');
  wrap.querySelectorAll('.evidence').forEach((e) => e.remove());
  const p = doc.pages[doc.current];
  const c = doc.data && doc.data.candidates[doc.highlight];
  if (!p || p.blank || !c || !c.evidence || !p.width || !p.height) return;
  for (const [key, label] of EVIDENCE_FIELDS) {
    const h = c.evidence[key];
    if (!h || h.page !== p.page_no || !h.box || !h.box[2] || !h.box[3]) continue;
    const e = cs.el('div', { class: 'evidence', title: label + ' of candidate ' + (doc.highlight + 1) });
    e.style.left = (100 * h.box[0] / p.width) + '%';
    e.style.top = (100 * h.box[1] / p.height) + '%';
    e.style.width = (100 * h.box[2] / p.width) + '%';
    e.style.height = (100 * h.box[3] / p.height) + '%';
    wrap.append(e);
  }
}

function highlight(i) { doc.highlight = i; renderEvidence(); }

function renderText() {
  const p = doc.pages[doc.current];
  const box = $('ocr-text');
  if (!p || p.blank) { box.replaceChildren(cs.el('em', {}, p ? 'a blank page: no text' : '')); return; }
  const lines = [];
  let key = null, line = null;
  for (const [text, conf, block, ln] of p.words) {
    if (block + '/' + ln !== key) { key = block + '/' + ln; line = cs.el('p'); lines.push(line); }
    line.append(conf < LOW_CONFIDENCE ? cs.el('mark', { class: 'low', title: 'confidence ' + conf }, text) : text, ' ');
  }
  box.replaceChildren(...lines);
}

function renderViewer() {
  const p = doc.pages[doc.current];
  if (!p) return;
  const img = $('page');
  img.src = api('pages/' + p.page_no + '.png') + '?w=1400';
  const wrap = $('page-wrap');
  if (doc.fit) { wrap.style.width = '100%'; $('zoom-level').textContent = 'fit'; }
  else { wrap.style.width = (ZOOMS[doc.zoom] * 1000) + 'px'; $('zoom-level').textContent = Math.round(ZOOMS[doc.zoom] * 100) + '%'; }
  renderEvidence();
  $('page-label').textContent = 'page ' + p.page_no + ' of the file' + (p.blank ? ' (blank, not in the document)' : '') +
    ' · ' + (doc.current + 1) + ' / ' + doc.pages.length;
  document.querySelectorAll('#strip button').forEach((b, i) => b.classList.toggle('current', i === doc.current));
  const first = doc.pages.find((x) => !x.blank);
  $('split').disabled = !doc.mine || p.blank || !first || p.page_no === first.page_no;
  $('blank').disabled = !doc.mine || p.blank || doc.pages.filter((x) => !x.blank).length < 2;
  $('not-blank').disabled = !doc.mine || !p.blank;
  renderText();
}

function showPage(i) {
  if (!doc.pages.length) return;
  doc.current = Math.max(0, Math.min(doc.pages.length - 1, i));
  renderViewer();
}

function render() {
  const d = doc.data;
  const D = d.document;
  document.title = 'd-' + D.id + ' · chartscan review';
  $('title').textContent = 'd-' + D.id + ' · ' + D.batch + ' / ' + D.file + ' · pages ' + D.first_page + '–' + D.last_page;
  $('reasons').replaceChildren(...(D.reasons.length ? D.reasons : [D.review_reason || 'none']).map((r) => cs.el('li', {}, r)));
  $('status').textContent = 'Status: ' + D.status + (D.filed_by ? ' (filed by ' + D.filed_by + ')' : '') +
    ' · confidence ' + Number(D.priority).toFixed(2);
  // what the EHR's destinations made of it; a rejection in the engine's words (MSA-3, ERR)
  $('exports').replaceChildren(...d.exports.map((x) => cs.el('li', { class: x.status === 'rejected' ? 'rejected' : '' },
    (x.status === 'rejected' ? 'Rejected by ' : x.status === 'accepted' ? 'Accepted by ' : 'Sent to ') + x.destination +
    (x.ack_code ? ' (' + x.ack_code + ')' : '') + (x.ack_text ? ': ' + x.ack_text : '') +
    (x.ack_error ? '; ERR: ' + x.ack_error : ''))));
  $('exports').hidden = d.exports.length === 0;
  const pages = d.pages.map((p) => ({ page_no: p.page_no, blank: false, words: p.words,
                                     width: p.width, height: p.height }))
    .concat(d.blank_pages.map((n) => ({ page_no: n, blank: true, words: [] })))
    .sort((a, b) => a.page_no - b.page_no);
  const keep = doc.pages[doc.current] ? doc.pages[doc.current].page_no : null;
  doc.pages = pages;
  doc.pre = preselection(d);
  if (!doc.focused && doc.pre.index >= 0) {
    // open on the page where the verified candidate was read, its evidence outlined
    doc.highlight = doc.pre.index;
    const ev = Object.values(d.candidates[doc.pre.index].evidence || {});
    const at = ev.length ? pages.findIndex((p) => p.page_no === ev[0].page) : -1;
    doc.current = Math.max(0, at);
  } else {
    doc.current = Math.max(0, pages.findIndex((p) => p.page_no === keep));
  }
  $('strip').replaceChildren(...pages.map((p, i) => cs.el('button', {
    type: 'button', class: p.blank ? 'blankpage' : '', title: 'page ' + p.page_no, onclick: () => showPage(i) },
    cs.el('img', { src: api('pages/' + p.page_no + '.png') + '?w=160', alt: 'page ' + p.page_no, loading: 'lazy' }),
    'p. ' + p.page_no + (p.blank ? ' (blank)' : ''))));
  renderType(d);
  renderPatient(d);
  $('merge').disabled = !doc.mine || !d.previous;
  $('confirm').disabled = !doc.mine;
  $('reject').disabled = !doc.mine;
  $('reject-reason').disabled = !doc.mine;
  $('correct-form').hidden = D.status !== 'filed';
  $('cancel-doc').hidden = D.status !== 'filed' || cs.me.role !== 'admin';
  showPage(doc.current);
  if (!doc.focused && doc.mine && doc.pre.type) $('doctype').focus();   // it asks only for the type
  doc.focused = true;
}

async function load() {
  doc.data = await cs.get(api());
  doc.mine = doc.data.document.status === 'review' && !!doc.data.lease && doc.data.lease.reviewer === cs.me.name;
  const banner = $('banner');
  if (doc.data.document.status !== 'review') {
    banner.hidden = false;
    banner.textContent = 'This document is ' + doc.data.document.status + ': read only.';
  } else if (!doc.mine) {
    banner.hidden = false;
    banner.textContent = 'Being reviewed by ' + (doc.data.lease ? doc.data.lease.reviewer : 'someone else') + ': read only.';
  } else {
    banner.hidden = true;
  }
  render();
}

async function claim() {
  try {
    await cs.post(api('claim'));
    return true;
  } catch (e) {
    if (e.status !== 409) cs.toast(e.message, true);
    return false;
  }
}

let searchTimer = null;
async function search() {
  const q = $('search').value.trim();
  if (q.length < 2) { $('results').replaceChildren(); doc.searchResults = []; return; }
  try {
    doc.searchResults = await cs.get('/api/patients?q=' + encodeURIComponent(q));
  } catch (e) { cs.toast(e.message, true); return; }
  $('results').replaceChildren(...doc.searchResults.map((p) => cs.el('li', {},
    cs.el('span', {}, personName(p) + ' · MRN ' + p.mrn + ' · born ' + (p.birth_date || '?')),
    cs.el('button', { type: 'button', class: 'use-result', disabled: !doc.mine, onclick: () => actions.patient(p.id) }, 'Use'))));
  if (!doc.searchResults.length) $('results').append(cs.el('li', {}, 'no patient found'));
}

function zoom(step) {
  if (step === 0) { doc.fit = true; }
  else { doc.zoom = Math.max(0, Math.min(ZOOMS.length - 1, (doc.fit ? 2 : doc.zoom) + step)); doc.fit = false; }
  renderViewer();
}

document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') { $('help').hidden = true; if (cs.typing(ev)) ev.target.blur(); return; }
  if (cs.typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const k = ev.key;
  const keys = {
    c: actions.confirm, s: actions.split, m: actions.merge, b: actions.blank, u: actions.notBlank,
    x: () => $('reject-reason').focus(),
    t: () => $('doctype').focus(),
    '/': () => $('search').focus(),
    n: () => goNeighbour(1), p: () => goNeighbour(-1),
    j: () => showPage(doc.current + 1), ArrowRight: () => showPage(doc.current + 1),
    k: () => showPage(doc.current - 1), ArrowLeft: () => showPage(doc.current - 1),
    '+': () => zoom(1), '=': () => zoom(1), '-': () => zoom(-1), '0': () => zoom(0),
    q: async () => { await release(); location.href = '/queue' + (filterQuery() ? '?' + filterQuery() : ''); },
    '?': () => { $('help').hidden = !$('help').hidden; },
  };
  if (keys[k]) { ev.preventDefault(); keys[k](); return; }
  if (k === 'Enter' && ev.target.tagName !== 'BUTTON' && ev.target.tagName !== 'A') { ev.preventDefault(); accept(); return; }
  if (k >= '1' && k <= '5' && doc.data) {
    const c = doc.data.candidates[Number(k) - 1];
    if (c) { ev.preventDefault(); actions.patient(c.patient_id); }
  }
});

(async () => {
  if (!await cs.init()) return;
  $('confirm').addEventListener('click', actions.confirm);
  $('split').addEventListener('click', actions.split);
  $('merge').addEventListener('click', actions.merge);
  $('blank').addEventListener('click', actions.blank);
  $('not-blank').addEventListener('click', actions.notBlank);
  $('reject-form').addEventListener('submit', (ev) => { ev.preventDefault(); actions.reject(); });
  $('correct-form').addEventListener('submit', (ev) => { ev.preventDefault(); actions.correct('reopen'); });
  $('cancel-doc').addEventListener('click', () => actions.correct('cancel'));
  $('doctype').addEventListener('change', () => { if ($('doctype').value) actions.type($('doctype').value); });
  // Enter on the type list accepts the type shown and leaves the list, so that c confirms
  $('doctype').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    ev.stopPropagation();
    const v = $('doctype').value;
    $('doctype').blur();
    if (v && doc.data && v !== doc.data.document.doctype) actions.type(v);
  });
  $('search').addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 250); });
  $('search').addEventListener('keydown', async (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    clearTimeout(searchTimer);
    await search();
    if (doc.searchResults[0]) actions.patient(doc.searchResults[0].id);
  });
  $('prev').addEventListener('click', () => goNeighbour(-1));
  $('next').addEventListener('click', () => goNeighbour(1));
  $('zoom-in').addEventListener('click', () => zoom(1));
  $('zoom-out').addEventListener('click', () => zoom(-1));
  $('zoom-fit').addEventListener('click', () => zoom(0));
  $('page').addEventListener('click', () => zoom(doc.fit ? 1 : 0));
  const q = filterQuery();
  $('back').href = '/queue' + (q ? '?' + q : '');
  if (!Number.isInteger(doc.id) || doc.id <= 0) { cs.toast('no such document', true); return; }
  await claim();
  await load();
  // keep the lease while the page is open; it lapses on its own when closed
  setInterval(() => { if (doc.mine) claim(); }, 60000);
})().catch((e) => cs.toast(e.message, true));

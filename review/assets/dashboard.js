// dashboard.js: the dashboard: pages per hour, queue depth and ETA, the
// auto-file rate, the review backlog by reason, the accuracy the blind QA
// sample measured, documents per reviewer-hour; overall and per batch.
'use strict';

const $ = (id) => document.getElementById(id);
const NO_QA = 'no QA sample yet';

function pct(x) { return x === null || x === undefined ? '–' : (100 * x).toFixed(1) + '%'; }

function eta(f) {
  if (f.pending_pages === 0) return 'done';
  if (f.eta_minutes === null) return 'unknown (nothing processed in the last hour)';
  const m = f.eta_minutes;
  return m < 60 ? m + ' min' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function perHour(f) {
  return f.documents_per_reviewer_hour === null ? '–' : String(f.documents_per_reviewer_hour);
}

// accuracy with its 95% Wilson interval, or why there is none
function accuracy(q) {
  if (!q || !q.checked) return NO_QA;
  return pct(q.accuracy) + ' (95% CI ' + pct(q.low) + '–' + pct(q.high) + ', ' + q.right + ' of ' +
    q.checked + ' checked)';
}

function reasons(byReason) {
  const list = Object.entries(byReason).sort((a, b) => b[1] - a[1]);
  return list.map(([r, n]) => cs.el('li', {}, cs.el('b', {}, n), ' ' + r));
}

function render(d) {
  const o = d.figures.overall;
  const qa = d.qa.available ? d.qa : null;
  const items = [
    ['Pages per hour', o.pages_per_hour, 'pages-per-hour'],
    ['Queue depth', o.pending_pages + ' pages', 'queue-depth'],
    ['ETA', eta(o), 'eta'],
    ['Auto-file rate', pct(o.auto_file_rate) + ' (' + o.auto_filed + ' of ' + o.documents + ')', 'auto-file-rate'],
    ['Review backlog', o.review_backlog + ' documents', 'review-backlog'],
    ['QA-measured accuracy', qa ? accuracy(qa.overall) : NO_QA, 'qa-accuracy'],
    ['Documents per reviewer-hour', perHour(o) + ' (' + o.decisions + ' in ' + o.reviewer_hours + ' h)', 'per-reviewer-hour'],
  ];
  $('overall').replaceChildren(...items.flatMap(([label, value, id]) =>
    [cs.el('dt', {}, label), cs.el('dd', { id }, value)]));
  $('backlog').replaceChildren(...reasons(o.backlog_by_reason));
  if (!$('backlog').children.length) $('backlog').append(cs.el('li', {}, 'nothing in review'));
  $('qa').textContent = qa ? accuracy(qa.overall) : NO_QA;
  $('batches').querySelector('tbody').replaceChildren(...d.figures.batches.map((b) =>
    cs.el('tr', { 'data-id': b.id },
      cs.el('td', {}, cs.el('a', { href: '/queue?batch=' + b.id }, b.name)),
      cs.el('td', {}, b.pages),
      cs.el('td', { class: 'pages-per-hour' }, b.pages_per_hour),
      cs.el('td', { class: 'queue-depth' }, b.pending_pages),
      cs.el('td', { class: 'eta' }, eta(b)),
      cs.el('td', { class: 'auto-file-rate' }, pct(b.auto_file_rate) + ' (' + b.auto_filed + '/' + b.documents + ')'),
      cs.el('td', { class: 'review-backlog' }, b.review_backlog),
      cs.el('td', {}, cs.el('ul', { class: 'counts' }, ...reasons(b.backlog_by_reason))),
      cs.el('td', { class: 'qa-accuracy' }, qa ? accuracy(qa.batches[String(b.id)]) : NO_QA),
      cs.el('td', { class: 'per-reviewer-hour' }, perHour(b)))));
  $('none').hidden = d.figures.batches.length > 0;
  $('updated').textContent = '· updated ' + new Date().toLocaleTimeString();
}

async function refresh() {
  try { render(await cs.get('/api/dashboard')); } catch (e) { cs.toast(e.message, true); }
}

document.addEventListener('keydown', (ev) => {
  if (cs.typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 'r') { ev.preventDefault(); refresh(); }
  if (ev.key === 'q') { ev.preventDefault(); location.href = '/queue'; }
});

(async () => {
  if (!await cs.init()) return;
  await refresh();
  setInterval(refresh, 30000);
})().catch((e) => cs.toast(e.message, true));

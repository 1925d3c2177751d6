// search.js: the search page: a query (as `chartscan search` takes it) and
// the filed documents it finds.  Filed documents open for admins only
// (the document API refuses reviewers), so only an admin's results link.
'use strict';

const $ = (id) => document.getElementById(id);
const dash = (v) => (v === null || v === undefined ? '–' : String(v));

function row(d, links) {
  const p = d.patient || {};
  const name = 'd-' + d.document_id;
  return cs.el('tr', { 'data-id': d.document_id },
    cs.el('td', {}, links ? cs.el('a', { href: '/document/' + d.document_id }, name) : name),
    cs.el('td', {}, dash(d.date_of_service)),
    cs.el('td', {}, dash(d.doctype)),
    cs.el('td', {}, dash(p.last_name) + ', ' + dash(p.first_name)),
    cs.el('td', {}, dash(p.mrn)),
    cs.el('td', {}, dash(p.birth_date)),
    cs.el('td', {}, dash(d.page_count)),
    cs.el('td', {}, dash(d.batch_id)));
}

async function search(q) {
  const links = cs.me.role === 'admin';
  delete document.body.dataset.searched;
  const r = await cs.get('/api/search?q=' + encodeURIComponent(q));
  const n = r.documents.length;
  $('results').querySelector('tbody').replaceChildren(...r.documents.map((d) => row(d, links)));
  $('results').hidden = n === 0;
  $('nolinks').hidden = links || n === 0;
  $('count').textContent = n + (n === 1 ? ' document' : ' documents') +
    (r.more ? ' (more match: narrow the query)' : '');
  document.body.dataset.searched = q;
}

$('form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('q').value.trim();
  if (!q) { cs.toast('type a query', true); return; }
  search(q).catch((e) => cs.toast(e.message, true));
});

(async () => {
  if (!await cs.init()) return;
  $('q').focus();
})().catch((e) => cs.toast(e.message, true));

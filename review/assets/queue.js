// queue.js: the documents in review, lowest confidence first, filtered by
// batch and reason, with the count of each reason.
'use strict';

const queue = { rows: [], selected: 0 };

function filterQuery() {
  const p = new URLSearchParams();
  const batch = document.getElementById('batch').value;
  const reason = document.getElementById('reason').value;
  if (batch) p.set('batch', batch);
  if (reason) p.set('reason', reason);
  return p.toString();
}

function fillSelect(select, items, value, label) {
  const keep = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const it of items) select.append(cs.el('option', { value: value(it) }, label(it)));
  select.value = keep;
}

function open(id) {
  const q = filterQuery();
  location.href = '/document/' + id + (q ? '?' + q : '');
}

function select(i) {
  const trs = document.querySelectorAll('#queue tbody tr');
  if (!trs.length) return;
  queue.selected = Math.max(0, Math.min(trs.length - 1, i));
  trs.forEach((tr, k) => tr.classList.toggle('selected', k === queue.selected));
  trs[queue.selected].scrollIntoView({ block: 'nearest' });
}

async function load() {
  const data = await cs.get('/api/queue' + (filterQuery() ? '?' + filterQuery() : ''));
  document.getElementById('total').textContent = data.total;
  fillSelect(document.getElementById('batch'), data.batches, (b) => b.id, (b) => b.name + ' (' + b.count + ')');
  fillSelect(document.getElementById('reason'), data.reasons, (r) => r.reason, (r) => r.reason + ' (' + r.count + ')');
  const counts = document.getElementById('reasons');
  counts.replaceChildren(...data.reasons.map((r) => cs.el('li', {},
    cs.el('button', { type: 'button', onclick: () => { document.getElementById('reason').value = r.reason; load(); } },
      r.reason, cs.el('b', {}, r.count)))));
  const tbody = document.querySelector('#queue tbody');
  queue.rows = data.documents;
  tbody.replaceChildren(...data.documents.map((d) => {
    const held = d.leased_by && d.leased_by !== cs.me.name;
    return cs.el('tr', { 'data-id': d.id, class: held ? 'held' : '', onclick: () => open(d.id) },
      cs.el('td', {}, cs.el('a', { href: '/document/' + d.id }, 'd-' + d.id)),
      cs.el('td', { class: 'conf' + (d.priority < 0.5 ? ' low' : '') }, Number(d.priority).toFixed(2)),
      cs.el('td', {}, d.doctype || '—'),
      cs.el('td', {}, d.batch + ' / ' + d.file),
      cs.el('td', {}, d.first_page === d.last_page ? d.first_page : d.first_page + '–' + d.last_page),
      cs.el('td', {}, (d.reasons || []).join('; ')),
      cs.el('td', {}, d.leased_by || ''));
  }));
  document.getElementById('empty').hidden = data.documents.length > 0;
  select(queue.selected);
}

document.addEventListener('keydown', (ev) => {
  if (cs.typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === 'j' || ev.key === 'ArrowDown') { select(queue.selected + 1); ev.preventDefault(); }
  else if (ev.key === 'k' || ev.key === 'ArrowUp') { select(queue.selected - 1); ev.preventDefault(); }
  else if (ev.key === 'Enter' || ev.key === 'o') { if (queue.rows[queue.selected]) open(queue.rows[queue.selected].id); }
  else if (ev.key === 'r') load();
});

(async () => {
  if (!await cs.init()) return;
  const params = new URLSearchParams(location.search);
  document.getElementById('logout').addEventListener('click', cs.logout);
  document.getElementById('batch').addEventListener('change', load);
  document.getElementById('reason').addEventListener('change', load);
  await load();
  // the filters given in the address, once their options exist
  if (params.get('batch') || params.get('reason')) {
    document.getElementById('batch').value = params.get('batch') || '';
    document.getElementById('reason').value = params.get('reason') || '';
    await load();
  }
})().catch((e) => cs.toast(e.message, true));

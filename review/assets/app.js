// app.js: what the review pages share: the session's CSRF token, API calls,
// messages, and building elements without ever parsing data as HTML.
'use strict';

const cs = {
  me: null,

  async init() {
    const r = await fetch('/api/me', { credentials: 'same-origin' });
    if (r.status === 401) { location.href = '/login'; return null; }
    cs.me = await r.json();
    const who = document.getElementById('who');
    if (who) who.textContent = cs.me.name + ' (' + cs.me.role + ')';
    return cs.me;
  },

  async get(url) {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (r.status === 401) { location.href = '/login'; throw new Error('not logged in'); }
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  },

  // POST a form; every state-changing call carries the CSRF token
  async post(url, fields) {
    const r = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': cs.me.csrf },
      body: new URLSearchParams(fields || {}).toString(),
    });
    if (r.status === 401) { location.href = '/login'; throw new Error('not logged in'); }
    const body = await r.json().catch(() => ({}));
    if (!r.ok) { const e = new Error(body.error || ('HTTP ' + r.status)); e.status = r.status; throw e; }
    return body;
  },

  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  },

  toast(text, isError) {
    const t = document.getElementById('toast');
    t.textContent = text;
    t.className = 'show' + (isError ? ' error' : '');
    clearTimeout(cs.toastTimer);
    cs.toastTimer = setTimeout(() => { t.className = ''; }, isError ? 6000 : 2500);
  },

  typing(ev) {
    const t = ev.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA');
  },

  async logout() {
    try { await cs.post('/api/logout'); } finally { location.href = '/login'; }
  },
};

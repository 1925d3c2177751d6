// login.js: the login form.  The X-Requested-With header is what a
// cross-site form cannot send: the server refuses logins without it.
'use strict';

document.getElementById('login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const message = document.getElementById('message');
  message.textContent = '';
  const body = new URLSearchParams({
    name: document.getElementById('name').value,
    password: document.getElementById('password').value,
  });
  const r = await fetch('/api/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'chartscan' },
    body: body.toString(),
  });
  if (r.ok) { location.href = '/queue'; return; }
  const answer = await r.json().catch(() => ({}));
  message.textContent = answer.error || ('login failed (HTTP ' + r.status + ')');
  document.getElementById('password').select();
});

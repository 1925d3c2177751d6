// review.e2e.js — the review station in a real browser: Debian's chromium,
// driven by playwright-core (no browser download).  Run by
// tests/check_review.c, which prepares the database, starts the server and
// checks the database afterwards; this script does what a reviewer does:
// log in, open the queue, change a patient with the roster search, confirm
// another document (Enter, c), split a third, and saves screenshots on the way.
//
// Environment (all required):
//   BASE_URL        http://127.0.0.1:PORT
//   CS_USER, CS_PASSWORD
//   OUT_DIR         where the screenshots go
//   DOC_PATIENT     document to give a patient, found by ROSTER_QUERY,
//   ROSTER_QUERY    the result whose MRN is PATIENT_MRN
//   PATIENT_MRN
//   DOC_CONFIRM     document to confirm (it has a type and a patient)
//   DOC_SPLIT       document to split, at SPLIT_PAGE (a page of its file)
//   SPLIT_PAGE
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('review.e2e: ' + k + ' is not set'); process.exit(2); }
  return process.env[k];
};
const BASE = env('BASE_URL');
const OUT = env('OUT_DIR');

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

async function waitToast(page, text) {
  await page.waitForFunction((t) => {
    const e = document.getElementById('toast');
    return e && e.classList.contains('show') && e.textContent.includes(t);
  }, text, { timeout: 15000 });
}

async function openDocument(page, id) {
  await page.goto(BASE + '/document/' + id);
  await page.waitForFunction(() => document.title.startsWith('d-'), null, { timeout: 15000 });
  await page.waitForFunction(() => {
    const img = document.getElementById('page');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 15000 });
}

(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (e) => console.error('page error: ' + e.message));
  let failed = false;
  try {
    // without a session: pages go to the login, the API answers 401
    await page.goto(BASE + '/queue');
    check(new URL(page.url()).pathname === '/login', 'the queue redirects to the login');
    const unauth = await page.evaluate(async () => (await fetch('/api/queue')).status);
    check(unauth === 401, 'the API answers 401 without a session');

    await page.fill('#name', env('CS_USER'));
    await page.fill('#password', 'wrong password');
    await page.press('#password', 'Enter');
    await page.waitForFunction(() => document.getElementById('message').textContent.length > 0);
    check((await page.textContent('#message')).includes('wrong'), 'a wrong password is refused');
    await page.fill('#password', env('CS_PASSWORD'));
    await page.press('#password', 'Enter');
    await page.waitForURL(BASE + '/queue', { timeout: 15000 });
    await page.waitForSelector('#queue tbody tr');
    const rows = await page.$$eval('#queue tbody tr', (trs) => trs.map((t) => t.dataset.id));
    check(rows.includes(env('DOC_PATIENT')) && rows.includes(env('DOC_CONFIRM')) &&
          rows.includes(env('DOC_SPLIT')), 'the queue lists the documents in review');
    check(await page.$$eval('#reasons li', (l) => l.length) > 0, 'the queue counts reasons');
    await page.screenshot({ path: path.join(OUT, 'review-queue.png'), fullPage: true });

    // a state-changing call without the CSRF token is refused, even with the cookie
    const nocsrf = await page.evaluate(async (id) =>
      (await fetch('/api/documents/' + id + '/claim', { method: 'POST' })).status, env('DOC_PATIENT'));
    check(nocsrf === 403, 'a POST without the CSRF token is refused (403)');

    // open from the queue with the keyboard: move to the row, Enter
    const index = rows.indexOf(env('DOC_PATIENT'));
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/document\/\d+/);
    await page.waitForFunction(() => document.title.startsWith('d-'));
    check(page.url().includes('/document/' + env('DOC_PATIENT')), 'Enter opens the selected document');
    await page.waitForFunction(() => { const i = document.getElementById('page'); return i.complete && i.naturalWidth > 0; });
    check(await page.isHidden('#banner'), 'the document is claimed by this reviewer');
    check((await page.$$eval('#ocr-text p', (p) => p.length)) > 3, 'the OCR text is shown');
    // (this document prints no MRN: its name and birth date are outlined)
    check((await page.$$eval('#page-wrap .evidence', (e) => e.filter((x) => x.offsetWidth > 0 && x.offsetHeight > 0).length)) >= 3,
      'the page outlines where the best candidate\'s birth date and names were found');
    await page.screenshot({ path: path.join(OUT, 'review-document.png'), fullPage: false });

    // change the patient with the roster search
    await page.keyboard.press('/');
    await page.keyboard.type(env('ROSTER_QUERY'));
    await page.waitForSelector('#results li button.use-result');
    const results = await page.$$('#results li');
    let used = false;
    for (const li of results) {
      if ((await li.textContent()).includes('MRN ' + env('PATIENT_MRN'))) {
        await (await li.$('button')).click();
        used = true;
        break;
      }
    }
    check(used, 'the roster search finds the patient');
    await waitToast(page, 'patient: done');
    await page.waitForFunction((mrn) => document.getElementById('current-patient').textContent.includes(mrn),
      env('PATIENT_MRN'));
    check(true, 'the patient is changed');
    await page.screenshot({ path: path.join(OUT, 'review-document-patient.png') });

    // confirm another, held only for its type: Enter keeps the type, c confirms
    await openDocument(page, env('DOC_CONFIRM'));
    check(await page.isHidden('#banner'), 'the second document is claimed');
    check(await page.evaluate(() => document.activeElement.id) === 'doctype', 'it asks for the type');
    await page.keyboard.press('Enter');
    await page.keyboard.press('c');
    await page.waitForURL((u) => !u.pathname.endsWith('/document/' + env('DOC_CONFIRM')), { timeout: 15000 });
    check(true, 'Enter, c confirms and moves on');

    // split a third before SPLIT_PAGE: walk the page strip with j, then s
    await openDocument(page, env('DOC_SPLIT'));
    const strip = await page.$$eval('#strip button', (b) => b.map((x) => x.title));
    const at = strip.indexOf('page ' + env('SPLIT_PAGE'));
    check(at > 0, 'the page strip shows the page to split at');
    await page.keyboard.press('Escape');   // leave the type list it opens on
    for (let i = 0; i < at; i++) await page.keyboard.press('j');
    await page.waitForFunction((p) => document.getElementById('page-label').textContent.startsWith('page ' + p + ' '),
      env('SPLIT_PAGE'));
    await page.keyboard.press('s');
    await waitToast(page, 'split: done');
    await page.waitForFunction((p) => document.getElementById('title').textContent.includes('–' + (p - 1)),
      Number(env('SPLIT_PAGE')));
    check(true, 'the document is split');
    await page.keyboard.press('?');
    await page.screenshot({ path: path.join(OUT, 'review-document-split.png') });
  } catch (e) {
    failed = true;
    console.error('review.e2e: ' + (e && e.stack ? e.stack : e));
    await page.screenshot({ path: path.join(OUT, 'review-failure.png') }).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();

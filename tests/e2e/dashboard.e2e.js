// dashboard.e2e.js — the dashboard page in Debian's chromium
// (playwright-core): the figures of a batch with known data, overall and
// per batch, as a reviewer sees them.  Run by tests/check_review.c, which
// made the batch (tests/check_review.c: dashboard_batch).
//
//   BATCH     the batch's id
//   QA        "none" when there is no QA table (the page says so), else "any"
//   BASE_URL, CS_USER, CS_PASSWORD, OUT_DIR   as for review.e2e.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('dashboard.e2e: ' + k + ' is not set'); process.exit(2); }
  return process.env[k];
};
const BASE = env('BASE_URL');
const OUT = env('OUT_DIR');

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
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
  let failed = false;
  page.on('pageerror', (e) => { failed = true; console.error('page error: ' + e.message); });
  try {
    await page.goto(BASE + '/dashboard');
    check(new URL(page.url()).pathname === '/login', 'the dashboard needs a session');
    await page.fill('#name', env('CS_USER'));
    await page.fill('#password', env('CS_PASSWORD'));
    await page.press('#password', 'Enter');
    await page.waitForURL(BASE + '/queue', { timeout: 15000 });
    await page.goto(BASE + '/dashboard');
    const row = '#batches tr[data-id="' + env('BATCH') + '"]';
    await page.waitForSelector(row, { timeout: 15000 });
    const cell = async (cls) => (await page.textContent(row + ' .' + cls)).trim();
    check(await cell('pages-per-hour') === '3', 'pages per hour: 3');
    check(await cell('queue-depth') === '4', 'queue depth: 4 pages');
    check(await cell('eta') === '1 h 20 min', 'ETA: 1 h 20 min');
    check(await cell('auto-file-rate') === '50.0% (3/6)', 'auto-file rate: 50.0% (3 of 6)');
    check(await cell('review-backlog') === '2', 'review backlog: 2');
    const reasons = await page.$$eval(row + ' ul.counts li', (l) => l.map((x) => x.textContent));
    check(reasons.join('|') === '2 no MRN found|1 document type uncertain', 'backlog by reason: ' + reasons.join(', '));
    check(await cell('per-reviewer-hour') === '9.2', 'documents per reviewer-hour: 9.2');
    if (env('QA') === 'none') {
      check(await cell('qa-accuracy') === 'no QA sample yet', 'no QA sample yet (batch)');
      check((await page.textContent('#qa-accuracy')) === 'no QA sample yet', 'no QA sample yet (overall)');
    }
    // overall figures are there and are numbers
    const overall = await page.$$eval('#overall dt', (d) => d.map((x) => x.textContent));
    check(['Pages per hour', 'Queue depth', 'ETA', 'Auto-file rate', 'Review backlog', 'QA-measured accuracy',
           'Documents per reviewer-hour'].every((k) => overall.includes(k)), 'the overall figures are shown');
    check(/^\d+$/.test(await page.textContent('#pages-per-hour')), 'overall pages per hour is a number');
    check((await page.$$('#backlog li')).length >= 2, 'the overall backlog lists its reasons');
    await page.screenshot({ path: path.join(OUT, 'review-dashboard.png'), fullPage: true });
    await page.keyboard.press('q');
    await page.waitForURL(BASE + '/queue', { timeout: 15000 });
    check(true, 'q goes to the queue');
  } catch (e) {
    failed = true;
    console.error('dashboard.e2e: ' + (e && e.stack ? e.stack : e));
    await page.screenshot({ path: path.join(OUT, 'dashboard-failure.png') }).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();

// corrections.e2e.js — correcting a filed document in a real browser
// (issue 14, item 1): Debian's chromium driven by playwright-core.  Run by
// tests/check_corrections.c, which starts the server and checks the
// database afterwards.  An admin opens a filed document, reopens it with a
// reason (the page moves to its correction, in review and claimed), then
// marks another filed document entered in error.
//
// Environment (all required):
//   BASE_URL        http://127.0.0.1:PORT
//   CS_USER, CS_PASSWORD   an admin
//   OUT_DIR         where the screenshots go
//   DOC_REOPEN      a filed document to reopen
//   DOC_CANCEL      a filed document to mark entered in error
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('corrections.e2e: ' + k + ' is not set'); process.exit(2); }
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
  await page.waitForFunction((d) => document.title.startsWith('d-' + d + ' '), id, { timeout: 15000 });
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
    await page.goto(BASE + '/login');
    await page.fill('#name', env('CS_USER'));
    await page.fill('#password', env('CS_PASSWORD'));
    await page.press('#password', 'Enter');
    await page.waitForURL(BASE + '/queue', { timeout: 15000 });

    // a filed document offers the correction, an admin the cancel too
    await openDocument(page, env('DOC_REOPEN'));
    check(await page.isVisible('#correct-form'), 'a filed document shows the correction form');
    check(await page.isVisible('#cancel-doc'), 'an admin sees "Entered in error"');
    // no reason: nothing is sent
    await page.click('#reopen');
    await waitToast(page, 'type a reason');
    check(page.url().endsWith('/document/' + env('DOC_REOPEN')), 'without a reason nothing happens');
    await page.fill('#correct-reason', 'filed to the wrong patient');
    await page.click('#reopen');
    await page.waitForURL((u) => !u.pathname.endsWith('/document/' + env('DOC_REOPEN')), { timeout: 15000 });
    await page.waitForFunction(() => document.title.startsWith('d-'), null, { timeout: 15000 });
    const correction = page.url().match(/\/document\/(\d+)/)[1];
    console.log('correction ' + correction);
    check(await page.isHidden('#correct-form'), 'the correction is in review: no correction form');
    check(await page.isHidden('#banner'), 'the correction is claimed by this reviewer');
    check((await page.textContent('#reasons')).includes('reopened'), 'its review reason is "reopened"');
    await page.screenshot({ path: path.join(OUT, 'corrections-reopened.png') });

    // entered in error
    await openDocument(page, env('DOC_CANCEL'));
    await page.fill('#correct-reason', 'not this hospital\'s record');
    await page.click('#cancel-doc');
    await waitToast(page, 'cancel: done');
    check(true, 'an admin marks a document entered in error');
  } catch (e) {
    failed = true;
    console.error(e.message);
    await page.screenshot({ path: path.join(OUT, 'corrections-failure.png') }).catch(() => {});
  }
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
})();

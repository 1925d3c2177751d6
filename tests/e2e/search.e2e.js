// search.e2e.js — the search page in Debian's chromium (playwright-core):
// from the queue's Search link, an mrn: query and a full-text word find the
// document; a reviewer's results have no links (filed documents open for
// admins only), an admin's link to the document page.  Run by
// tests/check_search.c.
//
//   DOC        the filed document's id      MRN   its patient's MRN
//   WORD       a word only its pages hold   CS_ADMIN   an admin's name
//   BASE_URL, CS_USER (a reviewer), CS_PASSWORD, OUT_DIR   as for review.e2e.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('search.e2e: ' + k + ' is not set'); process.exit(2); }
  return process.env[k];
};
const BASE = env('BASE_URL');
const OUT = env('OUT_DIR');
const DOC = env('DOC');

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

async function login(page, user) {
  await page.goto(BASE + '/search');
  check(new URL(page.url()).pathname === '/login', 'the search page needs a session');
  await page.fill('#name', user);
  await page.fill('#password', env('CS_PASSWORD'));
  await page.press('#password', 'Enter');
  await page.waitForURL(BASE + '/queue', { timeout: 15000 });
}

async function search(page, q) {
  await page.fill('#q', q);
  await page.press('#q', 'Enter');
  // the page marks the query it has shown the results of
  await page.waitForFunction((want) => document.body.dataset.searched === want, q, { timeout: 15000 });
}

async function session(user, admin) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  let errors = 0;
  page.on('pageerror', (e) => { errors++; console.error('page error: ' + e.message); });
  try {
    await login(page, user);
    await page.click('header a[href="/search"]');
    await page.waitForURL(BASE + '/search', { timeout: 15000 });
    check(true, user + ': the queue links to the search page');
    const row = '#results tr[data-id="' + DOC + '"]';
    if (!admin) {
      await search(page, 'mrn:' + env('MRN'));
      check((await page.textContent(row + ' td:nth-child(5)')).trim() === env('MRN'),
        'mrn: finds the document with its MRN');
      check(await page.$(row + ' a') === null, 'a reviewer\'s result has no link');
      check(await page.isVisible('#nolinks'), 'the page says why there are no links');
      await search(page, env('WORD'));
      check((await page.$$('#results tbody tr')).length === 1 &&
        /^1 document$/.test((await page.textContent('#count')).trim()),
        'the full-text word finds just the document');
      await page.screenshot({ path: path.join(OUT, 'search-reviewer.png'), fullPage: true });
    } else {
      await search(page, env('WORD'));
      check(!(await page.isVisible('#nolinks')), 'no "without links" note for an admin');
      await page.click(row + ' a');
      await page.waitForURL(BASE + '/document/' + DOC, { timeout: 15000 });
      check(true, 'an admin\'s result opens the document page');
    }
  } catch (e) {
    errors++;
    console.error('search.e2e (' + user + '): ' + (e && e.stack ? e.stack : e));
    await page.screenshot({ path: path.join(OUT, 'search-failure-' + user + '.png') }).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  return errors === 0;
}

(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  let ok = await session(env('CS_USER'), false);
  ok = await session(env('CS_ADMIN'), true) && ok;
  process.exit(ok ? 0 : 1);
})();

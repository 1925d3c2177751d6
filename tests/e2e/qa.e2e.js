// qa.e2e.js — the sample audit's page (/qa) in a real browser: Debian's
// chromium, driven by playwright-core.  Run by tests/check_qa.c, which
// prepares the database (batch QA_BATCH finished, its documents filed by
// the pipeline for the patient whose MRN is PIPELINE_MRN), starts the
// server and checks the database afterwards.  A reviewer opens a sample,
// sees no answer of the pipeline's, names another patient (WRONG_MRN) and
// a type, and only then sees the pipeline's answer; the batch is flagged;
// an admin puts it to full review with the button.
//
// Environment (all required):
//   BASE_URL, OUT_DIR, CS_PASSWORD (both users')
//   CS_REVIEWER, CS_ADMIN   the users
//   QA_BATCH                the batch to check
//   PIPELINE_MRN, WRONG_MRN
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('qa.e2e: ' + k + ' is not set'); process.exit(2); }
  return process.env[k];
};
const BASE = env('BASE_URL');
const OUT = env('OUT_DIR');
const BATCH = env('QA_BATCH');

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

async function login(page, user) {
  await page.goto(BASE + '/login');
  await page.fill('#name', user);
  await page.fill('#password', env('CS_PASSWORD'));
  await page.press('#password', 'Enter');
  await page.waitForURL(BASE + '/queue', { timeout: 15000 });
  await page.goto(BASE + '/qa');
  await page.waitForSelector('#samples tbody tr');
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
  page.on('dialog', (d) => d.accept());
  let failed = false;
  try {
    await page.goto(BASE + '/qa');
    check(new URL(page.url()).pathname === '/login', 'the QA page needs a session');
    await login(page, env('CS_REVIEWER'));

    // a sample of the batch, not yet checked
    const row = page.locator('#samples tbody tr:not(.checked)', { has: page.locator('td:nth-child(2)', { hasText: new RegExp('^' + BATCH + '$') }) }).first();
    const sample = await row.getAttribute('data-sample');
    check(sample !== null, 'the page lists the batch\'s samples to check');
    await row.click();
    await page.waitForSelector('#check:not([hidden])');
    check(await page.isHidden('#reveal'), 'the pipeline\'s answer is hidden before the check');
    check(!(await page.textContent('body')).includes(env('PIPELINE_MRN')),
      'the pipeline\'s patient is nowhere on the page before the check');
    check(await page.$$eval('#pages img', (i) => i.length) > 0, 'the check shows the page images');
    await page.screenshot({ path: path.join(OUT, 'qa-check.png'), fullPage: true });

    await page.fill('#mrn', env('WRONG_MRN'));
    await page.selectOption('#doctype', 'progress_note');
    await page.click('#submit');
    await page.waitForSelector('#reveal:not([hidden])', { timeout: 15000 });
    check((await page.textContent('#pipe-patient')).includes(env('PIPELINE_MRN')),
      'after the check the pipeline\'s patient is shown');
    check((await page.textContent('#you-patient')).includes(env('WRONG_MRN')), 'beside the reviewer\'s');
    check((await page.textContent('#verdict')).includes('wrong patient'), 'the disagreement is named');
    await page.waitForFunction((b) => {
      const tr = document.querySelector('#report tbody tr[data-batch="' + b + '"]');
      return tr && tr.classList.contains('flagged') && tr.textContent.includes('WRONG PATIENT');
    }, BATCH, { timeout: 15000 });
    check(true, 'the batch is flagged in the report');
    check(await page.$$eval('#report tbody tr[data-batch="' + BATCH + '"] button.review-all', (b) => b.length) === 0,
      'a reviewer has no full-review button');
    const ci = await page.textContent('#report tbody tr[data-batch="' + BATCH + '"] td.patient');
    check(/\d+ · [\d.]+% \[[\d.]+–[\d.]+\]/.test(ci), 'the accuracy has its interval');
    await page.screenshot({ path: path.join(OUT, 'qa-revealed.png'), fullPage: true });

    // the admin: one action puts the batch to full review
    await page.click('#logout');
    await page.waitForURL(/\/login/);
    await login(page, env('CS_ADMIN'));
    await page.click('#report tbody tr[data-batch="' + BATCH + '"] button.review-all');
    await page.waitForFunction((b) => {
      const tr = document.querySelector('#report tbody tr[data-batch="' + b + '"]');
      return tr && tr.textContent.includes('in full review');
    }, BATCH, { timeout: 15000 });
    check(true, 'an admin puts the flagged batch to full review');
    await page.screenshot({ path: path.join(OUT, 'qa-full-review.png'), fullPage: true });
  } catch (e) {
    failed = true;
    console.error('qa.e2e: ' + (e && e.stack ? e.stack : e));
    await page.screenshot({ path: path.join(OUT, 'qa-failure.png') }).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();

// keystrokes.e2e.js — two keystrokes a document: a reviewer works through a
// generated review queue in Debian's chromium (playwright-core) and every
// key pressed and the seconds each document took are counted.  Run by
// tests/check_review.c, which puts the documents in review beforehand and
// checks afterwards that each was filed by this reviewer to the right
// patient.
//
//   DOCS_PATIENT  documents with no patient, one candidate of which has every
//                 identifier verified on the page: it is preselected, its
//                 evidence outlined on the page; Enter uses it, c confirms
//   DOCS_TYPE     documents held only for their type (the patient is known):
//                 the focus is on the type list; Enter keeps it, c confirms
//   MAX_KEYS      keystrokes allowed per document (2)
//   BASE_URL, CS_USER, CS_PASSWORD, OUT_DIR   as for review.e2e.js
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const env = (k) => {
  if (!process.env[k]) { console.error('keystrokes.e2e: ' + k + ' is not set'); process.exit(2); }
  return process.env[k];
};
const BASE = env('BASE_URL');
const OUT = env('OUT_DIR');
const MAX_KEYS = Number(env('MAX_KEYS'));
const PLAN = ['Enter', 'c'];     // what a reviewer types to accept what is preselected

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok - ' + what);
}

async function openDocument(page, id) {
  await page.goto(BASE + '/document/' + id);
  await page.waitForFunction(() => document.title.startsWith('d-'), null, { timeout: 15000 });
  await page.waitForFunction(() => {
    const img = document.getElementById('page');
    return img && img.complete && img.naturalWidth > 0;
  }, null, { timeout: 15000 });
  check(await page.isHidden('#banner'), 'd-' + id + ' is claimed by this reviewer');
}

// Press the plan's keys one by one until the station leaves the document;
// the count and the seconds from the page being ready.
async function work(page, id) {
  const start = Date.now();
  const gone = () => !new URL(page.url()).pathname.endsWith('/document/' + id);
  let keys = 0;
  for (const k of PLAN) {
    if (gone()) break;
    await page.keyboard.press(k);
    keys++;
  }
  await page.waitForURL(() => gone(), { timeout: 15000 }).catch(() => {});
  check(gone(), 'd-' + id + ' is done after ' + keys + ' keystrokes');
  return { id: Number(id), keys, seconds: (Date.now() - start) / 1000 };
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
  const done = [];
  let failed = false;
  try {
    await page.goto(BASE + '/login');
    await page.fill('#name', env('CS_USER'));
    await page.fill('#password', env('CS_PASSWORD'));
    await page.press('#password', 'Enter');
    await page.waitForURL(BASE + '/queue', { timeout: 15000 });

    for (const id of env('DOCS_PATIENT').split(',')) {
      await openDocument(page, id);
      const pre = await page.evaluate(() => ({
        rows: document.querySelectorAll('#candidates tbody tr.preselected').length,
        index: [...document.querySelectorAll('#candidates tbody tr')].findIndex((t) => t.classList.contains('preselected')),
        highlight: doc.highlight, patient: doc.data.document.patient_id,
        // the preselected candidate's boxes on the page shown, and those drawn
        want: (() => {
          const i = [...document.querySelectorAll('#candidates tbody tr')].findIndex((t) => t.classList.contains('preselected'));
          const c = doc.data.candidates[i];
          const p = doc.pages[doc.current];
          return c ? Object.values(c.evidence || {}).filter((e) => e.page === p.page_no).length : -1;
        })(),
        drawn: [...document.querySelectorAll('#page-wrap .evidence')]
          .filter((x) => x.offsetWidth > 0 && x.offsetHeight > 0).length,
      }));
      check(pre.rows === 1 && pre.index >= 0 && pre.patient === null,
        'd-' + id + ': the verified candidate is preselected');
      check(pre.highlight === pre.index && pre.want >= 1 && pre.drawn === pre.want,
        'd-' + id + ': where its identifiers were read is outlined on the page (' + pre.drawn + ' boxes)');
      if (done.length === 0) await page.screenshot({ path: path.join(OUT, 'review-preselected.png') });
      done.push(await work(page, id));
    }
    for (const id of env('DOCS_TYPE').split(',')) {
      await openDocument(page, id);
      const focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
      check(focus === 'doctype', 'd-' + id + ': held only for its type, it asks for the type');
      done.push(await work(page, id));
    }
    for (const d of done) {
      console.log('d-' + d.id + ': ' + d.keys + ' keystrokes, ' + d.seconds.toFixed(2) + ' s');
      check(d.keys <= MAX_KEYS, 'd-' + d.id + ' took at most ' + MAX_KEYS + ' keystrokes');
    }
    const mean = done.reduce((a, d) => a + d.seconds, 0) / done.length;
    console.log('mean: ' + (done.reduce((a, d) => a + d.keys, 0) / done.length).toFixed(2) +
                ' keystrokes, ' + mean.toFixed(2) + ' s a document');
    fs.writeFileSync(path.join(OUT, 'keystrokes.json'), JSON.stringify({ documents: done, mean_seconds: mean }));
  } catch (e) {
    failed = true;
    console.error('keystrokes.e2e: ' + (e && e.stack ? e.stack : e));
    await page.screenshot({ path: path.join(OUT, 'keystrokes-failure.png') }).catch(() => {});
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();

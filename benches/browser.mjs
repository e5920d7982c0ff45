// The whole study on a registry file in headless Chromium (Debian's, driven
// by playwright-core), as a user runs it: open the file, load the saved
// settings on the Data step, open the Report step. Prints the time of each
// phase, the progress stages the page showed, and the main thread's long
// tasks (the page must stay responsive: none over 200 ms).
//   node benches/browser.mjs BASE_URL FILE SETTINGS
// benches/browser.sh builds, generates the file, serves and runs this.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [base, file, settings] = process.argv.slice(2);
const profile = mkdtempSync(path.join(tmpdir(), 'cohortlab-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const foreign = [];
context.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
const page = context.pages()[0] ?? await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.addInitScript(() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(base + '/');
await page.locator('#load-example').waitFor();
await page.evaluate(() => { window.__long = []; });

// Progress: every stage the page shows, polled from the page itself.
await page.evaluate(() => {
  window.__stages = [];
  setInterval(() => {
    const b = document.querySelector('#busy .busy-label');
    const t = b && b.textContent.replace(/ \(\d+%\)…$|…$/, '');
    const last = window.__stages[window.__stages.length - 1];
    if (t && (!last || last[1] !== t)) window.__stages.push([performance.now(), t]);
    if (!t && last && last[1] !== '') window.__stages.push([performance.now(), '']);
  }, 50);
});

const mb = (statSync(file).size / 1e6).toFixed(0);
let t = Date.now();
await page.setInputFiles('#file-input', file);
await page.locator('#row-count').waitFor({ timeout: 300_000 });
const rows = await page.locator('#row-count').innerText();
const open = (Date.now() - t) / 1000;

await page.setInputFiles('#load-settings', settings);
try {
  await page.locator('#settings-status', { hasText: 'restored' }).waitFor({ timeout: 60_000 });
} catch (e) {
  console.log('busy:', await page.locator('#busy').allInnerTexts(), 'error:', await page.locator('#error').allInnerTexts(), 'status:', await page.locator('#settings-status').allInnerTexts());
  throw e;
}
t = Date.now();
await page.getByRole('button', { name: /Report/ }).click();
await page.locator('#methods').waitFor({ timeout: 300_000 });
const study = (Date.now() - t) / 1000;
const stages = await page.evaluate(() => window.__stages);
const long = await page.evaluate(() => window.__long);
const methods = await page.locator('#methods').innerText();

console.log(`file: ${path.basename(file)}, ${mb} MB, ${rows} patients`);
console.log(`open (read and type in the worker): ${open.toFixed(2)} s`);
console.log(`study (Table 1, propensity model, 2:1 matching, balance, KM, log-rank, Cox, report): ${study.toFixed(2)} s`);
console.log(`whole study in the page: ${(open + study).toFixed(2)} s (target < 10 s)`);
console.log('progress shown, with the time each stage was on screen:');
stages.forEach(([at, stage], i) => {
  if (stage && stages[i + 1]) console.log(`  ${stage.padEnd(58)} ${((stages[i + 1][0] - at) / 1000).toFixed(2)} s`);
});
console.log(`main-thread long tasks: ${long.length}, longest ${Math.max(0, ...long)} ms (target: none over 200 ms)`);
console.log(`methods: ${methods.slice(0, 160)}…`);
if (errors.length) console.log(`page errors: ${errors.join('; ')}`);
if (foreign.length) console.log(`requests to another origin: ${foreign.join(', ')}`);
await context.close();
rmSync(profile, { recursive: true, force: true });

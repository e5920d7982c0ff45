// A registry-sized cohort in the page: the engine runs in a Web Worker, so
// the page shows progress and stays responsive, a Stop button cancels and
// keeps the data, and a million patients go end to end through the study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, data, ROOT } from './browser.mjs';

/** A seeded registry file of n patients and 25 columns, as
 * benches/common/cohort.rs writes them (same columns, own generator). */
function registry(n, seed = 42) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const below = (k) => Math.floor(u() * k);
  const levels = [2, 2, 3, 4, 4, 3, 2, 3];
  const stages = ['I', 'II', 'III', 'IV'];
  const lines = ['id,group,cat0,cat1,cat2,cat3,cat4,cat5,cat6,cat7,num0,num1,num2,num3,outcome,time,status,site,year,bmi,sex,stage,grade,smoker,charlson'];
  for (let i = 0; i < n; i++) {
    let lin = -0.5;
    const cats = levels.map((k) => { const c = below(k); lin += 0.2 * c; return 'L' + c; });
    const nums = [0, 1, 2, 3].map(() => { const x = 50 + 10 * normal(); lin += 0.01 * (x - 50); return x.toFixed(1); });
    const group = u() < 1 / (1 + Math.exp(-(lin - 1.4))) ? 1 : 0;
    const outcome = u() < 1 / (1 + Math.exp(-lin)) ? 1 : 0;
    const event = -Math.log(1 - u()) / (0.02 * Math.exp(0.5 * lin - 0.3 * group));
    const cens = 100 * u();
    lines.push([`P${i + 1}`, group, ...cats, ...nums, outcome, Math.min(event, cens).toFixed(2), event <= cens ? 1 : 0,
      `S${String(below(40)).padStart(2, '0')}`, 2008 + below(16), (25 + 4 * normal()).toFixed(1),
      u() < 0.5 ? 'F' : 'M', stages[below(4)], `G${1 + below(3)}`, u() < 0.2 ? 'yes' : 'no', below(7)].join(','));
  }
  return lines.join('\n') + '\n';
}

function writeRegistry(n) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cohortlab-scale-'));
  const file = path.join(dir, `registry-${n}.csv`);
  writeFileSync(file, registry(n));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Records the main thread's long tasks from before the page's script. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    window.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
    }).observe({ type: 'longtask' });
  });
}

test('a large file is read in the worker with progress; Stop cancels and keeps the data', async () => {
  const { file, cleanup } = writeRegistry(200_000);
  const { page, close } = await openPage();
  await watchLongTasks(page);
  await page.setInputFiles('#file-input', file);
  // Progress while the worker reads: the stage, then the rows.
  await page.locator('#busy', { hasText: /Reading|Typing/ }).waitFor();
  await page.locator('#row-count', { hasText: '200000' }).waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#column-count').innerText(), '25');
  // The saved settings, restored on the Data step.
  await page.setInputFiles('#load-settings', data('registry.settings.json'));
  await page.locator('#settings-status', { hasText: 'restored' }).waitFor();
  // Matching starts; Stop terminates the worker.
  await page.getByRole('button', { name: /Matching/ }).click();
  await page.locator('#busy', { hasText: /Propensity model|Balance/ }).waitFor();
  await page.locator('#cancel').click();
  await page.locator('.error-panel', { hasText: 'The analysis was stopped' }).first().waitFor();
  // The file is reloaded in a new worker; nothing was lost.
  await page.locator('#busy').waitFor({ state: 'detached', timeout: 60_000 });
  await page.getByRole('button', { name: /Data/ }).click();
  assert.equal(await page.locator('#row-count').innerText(), '200000');
  // And the matching runs again, from the settings kept in the page.
  await page.getByRole('button', { name: /Matching/ }).click();
  await page.locator('#match-summary').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('#match-summary').innerText(), /Matched \d+ treated and \d+ control patients/);
  const long = await page.evaluate(() => window.__long.filter((d) => d > 200));
  assert.deepEqual(long, [], 'main-thread tasks over 200 ms while the engine worked');
  await close();
  cleanup();
});

for (const [where, single] of [['the page', false], ['the single file from disk', true]]) test(`a million patients, 25 columns, end to end in ${where}`, async () => {
  const { file, cleanup } = writeRegistry(1_000_000);
  const { page, close } = await openPage('', single ? path.join(ROOT, 'dist', 'cohortlab.html') : null);
  await page.setInputFiles('#file-input', file);
  await page.locator('#busy', { hasText: 'Reading' }).waitFor();
  await page.locator('#row-count', { hasText: '1000000' }).waitFor({ timeout: 180_000 });
  await page.setInputFiles('#load-settings', data('registry.settings.json'));
  await page.locator('#settings-status', { hasText: 'restored' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#busy', { hasText: /matching of 1000000 patients/ }).waitFor({ timeout: 60_000 });
  await page.locator('#methods').waitFor({ timeout: 180_000 });
  const methods = await page.locator('#methods').innerText();
  assert.match(methods, /on 1000000 patients \(registry-1000000\.csv\)/);
  assert.match(methods, /matched 2:1 by nearest-neighbour matching/);
  // The report and the matched dataset download from the worker.
  const [report] = await Promise.all([page.waitForEvent('download'), page.locator('#download-report').click()]);
  assert.equal(report.suggestedFilename(), 'report.html');
  await close();
  cleanup();
});

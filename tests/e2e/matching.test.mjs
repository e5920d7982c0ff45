// Propensity-score matching in the page, on the example study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, shot, loadExample } from './browser.mjs';

test('2:1 matching of the example: counts, Table 1 before/after, Love plot, matched CSV', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Matching/ }).click();
  await page.locator('#match-summary').waitFor();
  assert.match(await page.locator('#match-summary').innerText(), /Matched 216 treated and 432 control patients/);
  const counts = await page.locator('#match-counts tbody tr').allInnerTexts();
  assert.deepEqual(counts.map((r) => r.split('\t').map((c) => c.trim())), [
    ['All', '833', '216'], ['Matched', '432', '216'], ['Unmatched', '401', '0'], ['Discarded (missing values)', '0', '0'],
  ]);
  const header = (await page.locator('#table1-matched thead th').allInnerTexts()).map((s) => s.trim());
  assert.ok(header.includes('seed_marking = No (n = 833), before'), header.join(' | '));
  assert.ok(header.includes('seed_marking = No (n = 432), after'), header.join(' | '));
  // Figures are drawn (SVG with marks).
  assert.ok(await page.locator('#love-plot svg circle').count() >= 10);
  assert.ok(await page.locator('#score-plot svg rect').count() >= 40);
  await page.getByText('the propensity model has separation').waitFor();
  await page.locator('#stability-check').click();
  await page.locator('#stability-text', { hasText: 'Across 20 random orders' }).waitFor();
  assert.match(await page.locator('#stability-text').innerText(), /difference in tpcr \(treated minus control\)/);
  await shot(page, '20-matching');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#download-matched').click(),
  ]);
  assert.equal(download.suggestedFilename(), 'matched.csv');
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 648);
  assert.ok(csv[0].endsWith(',distance,weights,subclass'), csv[0]);
  // 1:1 without caliper: every treated patient matched once.
  await page.locator('#m-ratio').fill('1');
  await page.locator('#m-ratio').dispatchEvent('change');
  await page.locator('#match-summary', { hasText: 'Matched 216 treated and 216 control' }).waitFor();
  await close();
});

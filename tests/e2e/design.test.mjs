// Your own file, first five minutes (issue 14): the design is guessed from
// the data and shown for confirmation; no step computes on a contradictory
// or unset role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openPage, shot, data, ROOT } from './browser.mjs';

const CLI = process.env.COHORTLAB_BIN ?? path.join(ROOT, 'target', 'debug', 'cohortlab');

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

async function open(page, file, rows) {
  await page.setInputFiles('#file-input', data(file));
  await page.locator('#row-count', { hasText: String(rows) }).waitFor();
}

test('an export shaped like the model study: the guessed design is shown, confirmed and run', async () => {
  const { page, close } = await openPage();
  await open(page, 'design/english.csv', 60);
  const checklist = page.locator('#design-checklist');
  await checklist.waitFor();
  const items = (await checklist.locator('ul.checklist li').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(items, [
    'Comparing `group` (A 35, B 25)',
    'Outcomes `bpCR`, `apCR`, `tpCR`',
    'Time `idfs_months` with event `idfs_event`',
    '8 baseline variables (6 in the propensity model)',
    'Not analysed: `patient_id`, `comment`, `treat`',
  ]);
  // The roles follow the guess.
  assert.equal(await page.locator('#role-group').inputValue(), 'group');
  assert.equal(await page.locator('#role-time').inputValue(), 'idfs_months');
  assert.equal(await page.locator('#role-event').inputValue(), 'idfs_event');
  assert.equal(await page.locator('#role-regression-outcome').inputValue(), 'bpCR');
  await shot(page, '61-design-checklist');
  await page.locator('#design-looks-right').click();
  await page.locator('#design-confirmed').waitFor();
  // Table 1: the groups, no second coding of them, no outcome, no time.
  await page.getByRole('button', { name: /Table 1/ }).click();
  await page.locator('#table1').waitFor();
  const header = (await page.locator('#table1 thead th').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(header.slice(1, 3), ['group = A (n = 35)', 'group = B (n = 25)']);
  const rows = (await page.locator('#table1 tbody th').allInnerTexts()).map((s) => s.trim()).join('|');
  for (const never of ['treat', 'bpCR', 'idfs_months', 'idfs_event', 'comment', 'patient_id']) {
    assert.ok(!new RegExp(`(^|\\|)${never},`).test(rows), `${never} is not a Table 1 row: ${rows}`);
  }
  // Survival: the curves of idfs_months by group, not of age.
  await page.getByRole('button', { name: /Survival/ }).click();
  await page.locator('#s-time').waitFor();
  assert.equal(await page.locator('#s-time').inputValue(), 'idfs_months');
  assert.equal(await page.locator('#s-event').inputValue(), 'idfs_event');
  // The whole study runs; its settings are the CLI's guess, exactly.
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'matched' }).waitFor();
  const saved = await download(page, '#download-settings');
  const guessed = JSON.parse(execFileSync(CLI, ['guess', data('design/english.csv'), '--json'], { encoding: 'utf8' }));
  assert.deepEqual(JSON.parse(saved.text), guessed.settings);
  await close();
});

test('a file with no treatment named: the roles stay empty and the steps say which to set', async () => {
  const { page, close } = await openPage();
  await open(page, 'lung.csv', 228);
  await page.locator('#design-no-treatment').waitFor();
  await page.getByRole('button', { name: /Table 1/ }).click();
  await page.locator('.needs-role', { hasText: 'Choose the groups compared first' }).waitFor();
  assert.equal(await page.locator('#table1').count(), 0, 'no Table 1 computed on a guess');
  // Survival still has its time and event (single curve).
  await page.getByRole('button', { name: /Survival/ }).click();
  assert.equal(await page.locator('#s-time').inputValue(), 'time');
  assert.equal(await page.locator('#s-event').inputValue(), 'status');
  assert.equal(await page.locator('.needs-role').count(), 0);
  await shot(page, '62-no-treatment');
  await close();
});

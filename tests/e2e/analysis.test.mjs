// Table 1 and logistic regression in the page, on the example study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, shot, loadExample } from './browser.mjs';

async function cells(page, tableId, rowLabel) {
  const row = page.locator(`#${tableId} tbody tr`).filter({ has: page.locator('th', { hasText: new RegExp(`^\\s*${rowLabel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) }).first();
  return (await row.locator('th, td').allInnerTexts()).map((s) => s.trim());
}

test('Table 1 of the example study is the paper\'s, with tests and SMD', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Table 1/ }).click();
  await page.locator('#table1').waitFor();
  const header = (await page.locator('#table1 thead th').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(header, ['Characteristic', 'seed_marking = No (n = 833)', 'seed_marking = Yes (n = 216)',
    'Overall (n = 1049)', 'P value', 'Test', 'SMD']);
  assert.deepEqual(await cells(page, 'table1', 'T1'), ['T1', '117 (14.0)', '48 (22.2)', '165 (15.7)', '', '', '']);
  assert.deepEqual((await cells(page, 'table1', 'ct, n (%)')).slice(4, 6), ['< 0.001', 'χ²']);
  assert.deepEqual((await cells(page, 'table1', 'histology, n (%)')).slice(4, 6), ['0.087', 'Fisher']);
  assert.deepEqual((await cells(page, 'table1', 'age_group, n (%)')).slice(4, 6), ['0.499', 'χ²']);
  assert.deepEqual((await cells(page, 'table1', 'ki67, median [IQR]')).slice(5, 6), ['MW']);
  await page.getByText("Fisher: Fisher's exact test.").waitFor();
  await shot(page, '10-table1');
  // Download CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'table1.csv');
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('Characteristic,seed_marking = No (n = 833),'), csv.slice(0, 80));
  assert.ok(csv.includes('  T1,117 (14.0),48 (22.2),165 (15.7),,,'), csv);
  // Always Fisher: every P changes test.
  await page.locator('#t1-cat-test').selectOption('fisher');
  await page.locator('#table1 tbody tr', { hasText: 'age_group' }).filter({ hasText: 'Fisher' }).waitFor();
  await close();
});

test('logistic regression: univariate screen and multivariable model, separation named', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Regression/ }).click();
  await page.locator('#regression').waitFor();
  const header = (await page.locator('#regression thead th').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(header, ['Variable', 'Univariate OR (95% CI)', 'P value', 'Multivariable OR (95% CI)', 'P value']);
  const marking = await cells(page, 'regression', 'seed_marking (Yes vs No)');
  assert.match(marking[1], /^\d\.\d\d \(\d\.\d\d–\d\.\d\d\)$/);
  assert.match(marking[3], /^\d\.\d\d \(\d\.\d\d–\d\.\d\d\)$/, 'marking is in the multivariable model');
  // Histology's "Other" level has no responders: no OR, no Wald P.
  assert.deepEqual((await cells(page, 'regression', 'Other')).slice(1, 3), ['not estimable (separation)', '']);
  await shot(page, '11-regression');
  // All chosen variables in the model: the separation is named.
  await page.locator('#lr-all').check();
  await page.getByText('`histology` = Other: none has the outcome (0 of 16)').waitFor();
  await close();
});

// A clinician's export with numeric codes (treatment 1/2, grade 1/2/3):
// the codes can be chosen as groups and are read as levels (issue 13).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, shot, data } from './browser.mjs';

test('numeric codes: a 1/2 treatment groups Table 1, grade 1/2/3 is shown as n (%)', async () => {
  const { page, close } = await openPage();
  await page.setInputFiles('#file-input', data('numeric-codes.csv'));
  await page.locator('#row-count', { hasText: '160' }).waitFor();
  // treat (1/2) is offered as the groups compared; grade (1/2/3) as subgroups.
  const groups = await page.locator('#role-group option').allInnerTexts();
  assert.ok(groups.includes('treat'), `treat is offered: ${groups}`);
  assert.ok(!groups.includes('grade'), 'three codes are not two groups');
  assert.ok((await page.locator('#role-subgroup option').allInnerTexts()).includes('grade'));
  await page.locator('#role-group').selectOption('treat');
  await page.getByRole('button', { name: /Table 1/ }).click();
  await page.locator('#table1').waitFor();
  const header = (await page.locator('#table1 thead th').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(header.slice(1, 3), ['treat = 1 (n = 100)', 'treat = 2 (n = 60)']);
  await page.locator('#table1 tbody th', { hasText: /^\s*grade, n \(%\)\s*$/ }).waitFor();
  await page.getByText('whole-number values').first().waitFor();
  await shot(page, '60-numeric-codes-table1');
  await close();
});

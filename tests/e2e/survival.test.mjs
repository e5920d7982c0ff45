// Kaplan-Meier curves in the page: Figure 1G and 1H of the model study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, shot, loadExample } from './browser.mjs';

test('Kaplan-Meier by marking and by marking x pCR, with numbers at risk', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Survival/ }).click();
  await page.locator('#km-plot svg').waitFor();
  // The example opens as the model study: the matched cohort, Figure 1G
  // (two curves) and 1H (marking x tpCR, four curves), Cox with SEs
  // clustered by matched set.
  await page.getByText('The matched cohort: 648 patients.').waitFor();
  assert.equal(await page.locator('#km-plot svg .km-curve').count(), 2);
  assert.equal(await page.locator('#km-plot-crossed svg .km-curve').count(), 4);
  assert.equal(await page.locator('#s-cluster').inputValue(), 'subclass');
  await page.locator('#cox-table thead', { hasText: 'HR (robust 95% CI)' }).waitFor();
  await shot(page, '29-survival-matched');
  // All patients.
  await page.locator('#s-cohort').selectOption('all');
  await page.getByText('All patients: 1049.').waitFor();
  assert.equal(await page.locator('#s-cluster').inputValue(), '');
  assert.equal(await page.locator('#km-plot svg .km-curve').count(), 2);
  assert.ok(await page.locator('#km-plot svg .at-risk').count() >= 10);
  await page.locator('#km-plot svg', { hasText: 'Log-rank P = 0.008' }).waitFor();
  const rows = (await page.locator('#survival-table tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
  assert.deepEqual(rows.map((r) => r.slice(0, 3)), [['No', '833', '91'], ['Yes', '216', '12']]);
  assert.match(rows[0][4], /^90\.3% \(87\.9–92\.6\)$/, '3-year survival with CI');
  await page.getByText('Median follow-up (reverse Kaplan-Meier): 40.2').first().waitFor();
  await page.locator('#s-rmst').fill('60');
  await page.locator('#s-rmst').dispatchEvent('change');
  await page.locator('#survival-table thead', { hasText: 'Restricted mean to 60' }).waitFor();
  await page.locator('#s-test').selectOption('peto');
  await page.getByText(/Fleming-Harrington \(rho = 1\) test: chi-square/).first().waitFor();
  await page.locator('#s-strata').selectOption('subtype');
  await page.getByText(/Fleming-Harrington \(rho = 1\) test: chi-square .*, stratified\./).first().waitFor();
  await page.locator('#s-test').selectOption('logrank');
  await page.locator('#s-strata').selectOption('');
  const cox = (await page.locator('#cox-table tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
  assert.equal(cox[0][0], 'seed_marking: Yes');
  assert.match(cox[0][1], /^0\.\d\d \(0\.\d\d–\d\.\d\d\)$/);
  await shot(page, '30-survival');
  // The figure as a 300 dpi PNG (the SVG is 760 px wide at 96 dpi).
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#km-plot').getByRole('button', { name: 'Download PNG (300 dpi)' }).click(),
  ]);
  assert.equal(png.suggestedFilename(), 'kaplan-meier.png');
  const bytes = readFileSync(await png.path());
  assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
  assert.equal(bytes.readUInt32BE(16), Math.round(760 * 300 / 96), 'width in pixels');
  // Four curves: marking x tpCR (Figure 1H), on all patients too.
  assert.equal(await page.locator('#s-group2').inputValue(), 'tpcr');
  assert.equal(await page.locator('#km-plot-crossed svg .km-curve').count(), 4);
  await page.getByText('Holm-adjusted').first().waitFor();
  await shot(page, '31-survival-4-groups');
  // Breslow ties and an adjustment covariate in the Cox model.
  await page.locator('#s-ties').selectOption('breslow');
  await page.getByText('More covariates in the Cox model').click();
  await page.getByRole('checkbox', { name: 'ki67_group' }).check();
  await page.locator('#cox-table', { hasText: 'ki67_group: ≥ 20' }).waitFor();
  await page.getByText('Breslow ties').waitFor();
  await page.getByText(/Proportional hazards \(R cox\.zph, KM time scale\): seed_marking P/).waitFor();
  await close();
});

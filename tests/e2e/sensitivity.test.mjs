// The Sensitivity step: the weighted analysis beside the matched one, the
// E-values and the Rosenbaum bounds in the page, saved in the settings and
// equal to `cohortlab run` on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, shot, loadExample, data, ROOT } from './browser.mjs';

const CLI = process.env.COHORTLAB_BIN ?? path.join(ROOT, 'target', 'debug', 'cohortlab');

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return readFileSync(await d.path(), 'utf8');
}

test('the Sensitivity step weights, gives E-values and Rosenbaum bounds, and is saved and rerun', async () => {
  const { page, errors, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Sensitivity/ }).click();

  // The default: ATE weights from the matching's model. A table's title is
  // the caption of the figure that holds it.
  const caption = (id) => page.locator(`figure:has(#${id}) figcaption`);
  const weights = page.locator('#weights-table');
  await weights.waitFor({ timeout: 60000 });
  assert.match(await caption('weights-table').innerText(), /Weights by group \(ATE\)/);
  assert.match(await weights.innerText(), /Effective sample size/);
  // Table 1 weighted: weighted n, no P values, the footnote says why.
  const t1 = page.locator('#table1-weighted-table');
  await t1.waitFor();
  assert.match(await caption('table1-weighted-table').innerText(), /after weighting \(ATE weights\)/);
  assert.match(await t1.innerText(), /weighted n = \d+\.\d/);
  assert.doesNotMatch(await t1.innerText(), /P value/);
  await page.locator('#weighted-balance-table').waitFor();
  assert.match(await page.locator('#weighted-balance-table').innerText(), /SMD \(matched\)/);
  const outcomes = await page.locator('#weighted-outcomes-table').innerText();
  for (const o of ['tpcr', 'bpcr', 'apcr']) assert.match(outcomes, new RegExp(o));
  // The doubly robust estimate of each outcome, under the weighted ones.
  const dr = await page.locator('#doubly-robust-table').innerText();
  for (const o of ['tpcr', 'bpcr', 'apcr']) assert.match(dr, new RegExp(o));
  assert.match(await caption('doubly-robust-table').innerText(), /Doubly robust estimates.*g-computation/);
  const estimates = await page.locator('#sensitivity-estimates-table').innerText();
  assert.match(estimates, /Matched cohort/);
  assert.match(estimates, /Weighted \(ATE\)/);
  assert.match(estimates, /Cox model/);
  await page.locator('#rosenbaum-table').waitFor();
  await page.locator('#figure-weights svg').waitFor();
  await page.locator('#figure-love_plot_weighted svg').waitFor();
  await page.locator('#figure-kaplan_meier_weighted svg').waitFor();
  assert.match(await page.locator('#weighted-survival-table').innerText(), /^Yes\t216/m);
  await page.locator('#sensitivity-methods', { hasText: 'E-values' }).waitFor();
  await shot(page, 'sensitivity');

  // Design-based P values in the weighted Table 1, when asked.
  await page.locator('#weight-p-values').click();
  const t1Figure = page.locator('figure:has(#table1-weighted-table)');
  await t1Figure.filter({ hasText: 'Rao-Scott' }).waitFor();
  assert.match(await t1.innerText(), /P value/);
  assert.match(await t1Figure.innerText(), /not a test of balance/);

  // Another estimand reruns the step.
  await page.locator('#weight-estimand').selectOption('ato');
  await page.locator('figure:has(#weights-table) figcaption', { hasText: 'Weights by group (ATO)' }).waitFor();
  // A truncation outside its range is refused, naming it; the page keeps working.
  await page.locator('#weight-truncate').fill('2');
  await page.locator('#weight-truncate').dispatchEvent('change');
  await page.getByText(/truncate must be a percentile between 0.5 and 1/i).waitFor();
  await page.locator('#weight-truncate').fill('0.99');
  await page.locator('#weight-truncate').dispatchEvent('change');
  await page.locator('figure:has(#weights-table) figcaption', { hasText: 'truncated at the 99.0 percentile' }).waitFor();

  // Included in the study: saved in the settings, in the report, and the
  // same numbers as `cohortlab run` on the saved settings.
  await page.locator('#sensitivity-include').click();
  await page.waitForFunction(() => document.querySelector('#sensitivity-include')?.checked);
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'As a sensitivity analysis' }).waitFor({ timeout: 60000 });
  const settings = JSON.parse(await download(page, '#download-settings'));
  assert.equal(settings.sensitivity.weighting.estimand, 'ato');
  assert.equal(settings.sensitivity.table1_p_values, true);
  assert.equal(settings.sensitivity.weighting.truncate, 0.99);
  const results = JSON.parse(await download(page, '#download-results'));
  const out = mkdtempSync(path.join(tmpdir(), 'cohortlab-sens-'));
  const file = path.join(out, 'settings.json');
  writeFileSync(file, JSON.stringify(settings));
  execFileSync(CLI, ['run', data('example-study.csv'), '--spec', file, '--out', path.join(out, 'run')]);
  const cli = JSON.parse(readFileSync(path.join(out, 'run', 'results.json'), 'utf8'));
  const close9 = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  const pe = results.sensitivity.e_values, ce = cli.sensitivity.e_values;
  assert.equal(pe.length, ce.length);
  pe.forEach((e, i) => assert.ok(close9(e.e_value.point, ce[i].e_value.point), `E-value ${i}`));
  const pw = results.sensitivity.weighted_outcomes, cw = cli.sensitivity.weighted_outcomes;
  pw.forEach((o, i) => assert.ok(close9(o.odds_ratio.value, cw[i].odds_ratio.value), `weighted OR ${i}`));
  assert.ok(close9(results.sensitivity.weighting.treated.ess, cli.sensitivity.weighting.treated.ess));
  rmSync(out, { recursive: true, force: true });
  assert.deepEqual(errors, []);
  await close();
});

// The whole study in the page: the Report step's methods, outcomes and
// exports; results.json equal to `cohortlab run` on the same settings;
// settings saved and loaded again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPage, shot, loadExample, data, ROOT } from './browser.mjs';

const CLI = process.env.COHORTLAB_BIN ?? path.join(ROOT, 'target', 'debug', 'cohortlab');

// Equal JSON, numbers to 1e-9 relative (wasm and native libm may differ in
// the last bit).
function assertClose(a, b, where = '$') {
  if (typeof a === 'number' && typeof b === 'number') {
    const ok = a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    assert.ok(ok, `${where}: ${a} vs ${b}`);
  } else if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && a.length === b.length, `${where}: array length`);
    a.forEach((x, i) => assertClose(x, b[i], `${where}[${i}]`));
  } else if (a && typeof a === 'object') {
    assert.ok(b && typeof b === 'object', `${where}: object`);
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${where}: keys`);
    for (const k of Object.keys(a)) assertClose(a[k], b[k], `${where}.${k}`);
  } else {
    assert.equal(a, b, where);
  }
}

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

test('the example study from the page to the report, equal to cohortlab run', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Outcomes/ }).click();
  // The engine answers from its worker: wait for the table.
  await page.locator('#outcomes-table tbody tr').first().waitFor();
  const outcomes = (await page.locator('#outcomes-table tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
  assert.deepEqual(outcomes.map((r) => r[0]), ['tpcr', 'bpcr', 'apcr']);
  assert.match(outcomes[0][2], /^\d+\/216 \(/, 'marked patients in the matched cohort');
  assert.ok(await page.locator('#subgroups-table tbody tr').count() >= 12);
  await page.getByText(/P for interaction \(seed_marking × subtype, likelihood-ratio test.*tpcr 0\.546/).waitFor();
  // Forest plot (overall diamond and one square per subtype) and rate bars.
  assert.equal(await page.locator('#figure-forest_tpcr svg .forest-point').count(), 3);
  assert.equal(await page.locator('#figure-forest_tpcr svg .forest-overall').count(), 1);
  assert.equal(await page.locator('#figure-rates_tpcr svg .rate-bar').count(), 8);
  const [svg] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#figure-forest_tpcr').getByRole('button', { name: 'Download SVG' }).click(),
  ]);
  assert.equal(svg.suggestedFilename(), 'forest_tpcr.svg');
  const [word] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Word (HTML)' }).first().click(),
  ]);
  assert.equal(word.suggestedFilename(), 'outcomes.html');
  assert.match(readFileSync(await word.path(), 'utf8'), /<caption>Outcomes by seed_marking \(matched cohort\)<\/caption>/);
  await shot(page, '35-outcomes');
  const started = Date.now();
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'matched 2:1' }).waitFor();
  // Every step of the example study and the report, in the page's wasm.
  console.log(`report step ready ${Date.now() - started} ms after the click`);
  await page.locator('#methods', { hasText: 'Cochran-Mantel-Haenszel' }).waitFor();
  await shot(page, '40-report');

  const results = await download(page, '#download-results');
  assert.equal(results.name, 'results.json');
  const fromPage = JSON.parse(results.text);
  const out = mkdtempSync(path.join(tmpdir(), 'cohortlab-run-'));
  execFileSync(CLI, ['run', data('example-study.csv'), '--spec', data('example-study.settings.json'), '--out', out]);
  const fromCli = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assertClose(fromPage, fromCli);
  assert.equal(fromPage.matching.counts.matched.treated, 216);

  const report = await download(page, '#download-report');
  assert.equal(report.name, 'report.html');
  assert.ok(report.text.includes('<h2>Methods</h2>'));
  // Love plot, score distributions, Kaplan-Meier by marking and by marking
  // x tpCR, and per outcome a forest plot and rate bars by subtype.
  assert.equal((report.text.match(/<svg/g) ?? []).length, 10);
  assert.equal(report.text, readFileSync(path.join(out, 'report.html'), 'utf8'), 'the same report as cohortlab run');

  const matched = await download(page, '#download-matched');
  assert.equal(matched.text.trim().split('\n').length, 649);

  // Settings saved from the page are the shipped example's.
  const saved = await download(page, '#download-settings');
  assert.deepEqual(JSON.parse(saved.text), JSON.parse(readFileSync(data('example-study.settings.json'), 'utf8')));

  // Loading changed settings restores them; a broken file changes nothing.
  const changed = JSON.parse(saved.text);
  changed.subgroup = 'ct';
  const file = path.join(out, 'changed.json');
  writeFileSync(file, JSON.stringify(changed));
  await page.locator('#load-settings').setInputFiles(file);
  await page.getByText('Settings restored from changed.json.').waitFor();
  await page.getByRole('button', { name: /Outcomes/ }).click();
  assert.equal(await page.locator('#outcomes-subgroup').inputValue(), 'ct');
  await page.locator('#subgroups-table', { hasText: 'ct = T1' }).waitFor();
  await page.getByRole('button', { name: /Report/ }).click();
  const broken = path.join(out, 'broken.json');
  writeFileSync(broken, '{"cohortlab_settings": 1, "outcomes": 3}');
  await page.locator('#load-settings').setInputFiles(broken);
  await page.getByText('broken.json could not be loaded').waitFor();
  await page.getByText(/line 1, column/).first().waitFor();
  await page.locator('#methods', { hasText: 'within each level of ct' }).waitFor();

  // The confidence level of every interval: one field of the Report step,
  // the same study as `cohortlab run --conf-level 0.9`.
  await page.locator('#conf-level').fill('0.9');
  await page.locator('#conf-level').dispatchEvent('change');
  await page.locator('#methods', { hasText: 'Wald 90% confidence intervals' }).waitFor();
  const at90 = JSON.parse((await download(page, '#download-results')).text);
  assert.equal(at90.settings.conf_level, 0.9);
  assert.equal(at90.outcomes[0].odds_ratio.level, 0.9);
  const out90 = path.join(out, 'at90');
  execFileSync(CLI, ['run', data('example-study.csv'), '--spec', file, '--out', out90, '--conf-level', '0.9']);
  assertClose(at90, JSON.parse(readFileSync(path.join(out90, 'results.json'), 'utf8')));
  // A value that is not a level is refused, naming the field.
  await page.locator('#conf-level').fill('95');
  await page.locator('#conf-level').dispatchEvent('change');
  await page.getByText(/conf_level: the confidence level must be between 0 and 1/i).waitFor();
  rmSync(out, { recursive: true, force: true });
  await close();
});

test('roles set once on the Data step reach every step', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.locator('#role-group').selectOption('radiotherapy');
  await page.getByRole('button', { name: /Table 1/ }).click();
  await page.locator('#table1').waitFor();
  assert.match(await page.locator('#table1').innerText(), /radiotherapy/i);
  assert.doesNotMatch(await page.locator('#table1 tbody').innerText(), /^radiotherapy/m, 'the group is not also a row');
  await page.getByRole('button', { name: /Survival/ }).click();
  assert.equal(await page.locator('#s-group').inputValue(), 'radiotherapy');
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'Propensity scores for radiotherapy' }).waitFor();
  await close();
});

test('competing risks and the restricted mean: switched on in the Survival step, saved, equal to cohortlab run', async () => {
  const { page, close } = await openPage();
  await page.setInputFiles('#file-input', data('example-study-competing.csv'));
  await page.locator('#row-count', { hasText: '1049' }).waitFor();
  await page.locator('#load-settings').setInputFiles(data('example-study-competing.settings.json'));
  await page.getByText('Settings restored from example-study-competing.settings.json.').waitFor();
  await page.getByRole('button', { name: /Survival/ }).click();
  assert.ok(await page.locator('#s-competing').isChecked());
  assert.equal(await page.locator('#s-competing-levels').inputValue(), 'distant');
  assert.equal(await page.locator('#s-rmst').inputValue(), 'auto');
  // The incidence curves drawn, with their numbers at risk; Gray's test,
  // Fine-Gray beside the cause-specific Cox models, the RMST compared.
  await page.locator('#cif-plot canvas').waitFor();
  assert.match(await page.locator('#cif-plot canvas').getAttribute('aria-label'), /Gray/);
  const cif = await page.locator('#cif-table').innerText();
  assert.match(cif, /local/);
  assert.match(cif, /Gray/);
  const models = await page.locator('#competing-models-table').innerText();
  assert.match(models, /SHR recurrence = local/);
  assert.match(await page.locator('figure:has(#competing-models-table)').innerText(), /clustered by subclass/);
  assert.match(await page.locator('#rmst-table').innerText(), /Difference|difference/);
  await shot(page, '45-competing-risks');

  // A competing code that is not in the column is refused by name; the
  // page keeps working.
  await page.locator('#s-competing-levels').fill('death');
  await page.locator('#s-competing-levels').dispatchEvent('change');
  await page.getByText(/death/).first().waitFor();
  await page.getByText(/none, local, distant/).first().waitFor();
  await page.locator('#s-competing-levels').fill('distant');
  await page.locator('#s-competing-levels').dispatchEvent('change');
  await page.locator('#competing-models-table').waitFor();

  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'Gray' }).waitFor({ timeout: 60000 });
  const saved = await download(page, '#download-settings');
  const settings = JSON.parse(saved.text);
  assert.equal(settings.survival.rmst, 'auto');
  assert.equal(settings.survival.competing.event_level, 'local');
  assert.deepEqual(settings.survival.competing.competing_levels, ['distant']);
  const out = mkdtempSync(path.join(tmpdir(), 'cohortlab-competing-'));
  const spec = path.join(out, 'settings.json');
  writeFileSync(spec, saved.text);
  execFileSync(CLI, ['run', data('example-study-competing.csv'), '--spec', spec, '--out', out]);
  const fromPage = JSON.parse((await download(page, '#download-results')).text);
  const fromCli = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
  assert.ok(fromPage.competing && fromPage.competing_models && fromPage.rmst);
  assertClose(fromPage, fromCli);
  rmSync(out, { recursive: true, force: true });
  await close();
});

// Kaplan-Meier curves in the page: Figure 1G and 1H of the model study.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, shot, loadExample } from './browser.mjs';

// The Kaplan-Meier figure is drawn by plotters on a canvas: count the
// pixels of each curve colour (Okabe-Ito, in group order) once drawn.
const CURVE_COLOURS = [[0x00, 0x72, 0xb2], [0xd5, 0x5e, 0x00], [0x00, 0x9e, 0x73], [0xcc, 0x79, 0xa7]];
async function curvePixels(page, selector) {
  const canvas = page.locator(`${selector} canvas`);
  await canvas.waitFor();
  const handle = await canvas.elementHandle();
  await page.waitForFunction((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0x00 && d[i + 1] === 0x72 && d[i + 2] === 0xb2) return true;
    return false;
  }, handle);
  return canvas.evaluate((c, colours) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const counts = colours.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      colours.forEach(([r, g, b], k) => {
        if (d[i] === r && d[i + 1] === g && d[i + 2] === b) counts[k] += 1;
      });
    }
    return counts;
  }, CURVE_COLOURS);
}

// How many curves a canvas shows: colours with a curve's worth of pixels.
async function curvesDrawn(page, selector) {
  return (await curvePixels(page, selector)).filter((n) => n > 300).length;
}

test('Kaplan-Meier by marking and by marking x pCR, with numbers at risk', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  await page.getByRole('button', { name: /Survival/ }).click();
  await page.locator('#km-plot canvas').waitFor();
  // The example opens as the model study: the matched cohort, Figure 1G
  // (two curves) and 1H (marking x tpCR, four curves), Cox with SEs
  // clustered by matched set.
  await page.getByText('The matched cohort: 648 patients.').waitFor();
  assert.equal(await curvesDrawn(page, '#km-plot'), 2);
  assert.equal(await curvesDrawn(page, '#km-plot-crossed'), 4);
  assert.equal(await page.locator('#s-cluster').inputValue(), 'subclass');
  await page.locator('#cox-table thead', { hasText: 'HR (robust 95% CI)' }).waitFor();
  await shot(page, '29-survival-matched');
  // All patients.
  await page.locator('#s-cohort').selectOption('all');
  await page.getByText('All patients: 1049.').waitFor();
  assert.equal(await page.locator('#s-cluster').inputValue(), '');
  assert.equal(await curvesDrawn(page, '#km-plot'), 2);
  // The numbers at risk: a row per group under the time ticks, starting
  // with the group's size.
  const risk = await page.locator('#km-plot canvas table.at-risk tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(risk.length, 3);
  assert.ok(risk[0].length >= 6, 'ticks');
  assert.deepEqual(risk.slice(1).map((r) => r.slice(0, 2)), [['No', '833'], ['Yes', '216']]);
  assert.match(await page.locator('#km-plot canvas').getAttribute('aria-label'), /Log-rank P = 0\.008/);
  // The SVG download: the same figure, drawn by plotters' SVG backend.
  const [svgFile] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#km-plot').getByRole('button', { name: 'Download SVG' }).click(),
  ]);
  assert.equal(svgFile.suggestedFilename(), 'kaplan-meier.svg');
  const svg = readFileSync(await svgFile.path(), 'utf8');
  assert.ok(svg.startsWith('<svg'));
  assert.match(svg, /Log-rank P = 0\.008/);
  assert.equal(svg.match(/stroke-width="2"/g).length, 2, 'two curves');
  for (const n of ['833', '216']) assert.match(svg, new RegExp(`>\\s*${n}\\s*</text>`));
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
  assert.ok(bytes.length > 50_000, 'a drawn figure, not a blank one');
  // Four curves: marking x tpCR (Figure 1H), on all patients too.
  assert.equal(await page.locator('#s-group2').inputValue(), 'tpcr');
  assert.equal(await curvesDrawn(page, '#km-plot-crossed'), 4);
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

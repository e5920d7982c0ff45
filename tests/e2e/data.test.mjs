// The data step as a user meets it: the page, the example study, quirky
// and bad files, drag and drop, corrections, the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, shot, loadExample, columnRow, columnValues, data } from './browser.mjs';

test('the page loads offline-safe: CSP, privacy statement, no foreign request', async () => {
  const { page, requests, close, readyMs } = await openPage();
  console.log(`page ready (navigation to interactive button) in ${readyMs} ms`);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  for (const rule of ["default-src 'self'", "connect-src 'self'", "font-src 'self'", "object-src 'none'"]) {
    assert.ok(csp.includes(rule), `CSP has ${rule}: ${csp}`);
  }
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
  await page.getByText('Your data never leaves this device').waitFor();
  assert.ok(requests.length >= 3, 'page, script, wasm');
  await shot(page, '01-start');
  await close();
});

test('the example study is one click away and shown as understood', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  assert.equal(await page.locator('#column-count').innerText(), '20');
  assert.equal(await columnValues(page, 'ct'), 'T1 (165 ref), T2 (678), T3 (112), T4 (94)');
  assert.equal(await columnValues(page, 'subtype'), 'HR+/HER2- (347 ref), HER2+ (468), TNBC (234)');
  assert.match(await columnRow(page, 'age_group'), /≤ 50 \(512 ref\), > 50 \(537\)/);
  assert.match(await columnRow(page, 'ki67_group'), /< 20 \(117 ref\), ≥ 20 \(932\)/);
  assert.equal(await page.getByLabel('Kind of age', { exact: true }).inputValue(), 'numeric');
  assert.equal(await page.getByLabel('Kind of seed_marking', { exact: true }).inputValue(), 'binary');
  assert.equal(await page.locator('table.data tbody tr').count(), 10);
  await shot(page, '02-example-loaded');
  await close();
});

test('quirky files read correctly: semicolons, decimal commas, Latin-1, UTF-16, xlsx-free', async () => {
  const { page, close } = await openPage();
  for (const [file, format] of [
    ['quirky/semicolon-decimal-comma-cp1252.csv', "separator ';', Windows-1252"],
    ['quirky/tab-utf16le-bom.txt', 'separator tab, UTF-16 LE'],
    ['quirky/quoted-multiline.csv', "separator ','"],
  ]) {
    await page.setInputFiles('#file-input', data(file));
    await page.locator('.file-name', { hasText: file.split('/')[1] }).waitFor();
    assert.equal(await page.locator('#row-count').innerText(), '4', file);
    await page.getByText(format).waitFor();
  }
  await page.setInputFiles('#file-input', data('quirky/semicolon-decimal-comma-cp1252.csv'));
  await page.locator('#row-count', { hasText: '4' }).waitFor();
  assert.equal(await page.getByLabel('Kind of ki67', { exact: true }).inputValue(), 'numeric');
  assert.equal(await columnValues(page, 'ki67'), '7.25 to 45, mean 23.6875');
  assert.equal(await columnValues(page, 'marked'), 'ja (2 ref), nein (2)');
  await page.getByRole('cell', { name: 'Größe 2,1 cm' }).waitFor();
  await shot(page, '03-quirky-file');
  await close();
});

test('bad files say what is wrong and where, and the loaded data stays', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  const cases = [
    ['bad/ragged.csv', 'Row 4 has 2 values; the header has 3'],
    ['bad/empty.csv', 'The file is empty'],
    ['bad/header-only.csv', 'no patient rows'],
    ['bad/duplicate-header.csv', 'The header `age` appears twice: columns B and D'],
    ['bad/empty-header.csv', 'Column B has an empty header'],
    ['bad/unclosed-quote.csv', 'malformed near row 3'],
    ['bad/picture.png', 'This is not a text or spreadsheet file'],
  ];
  for (const [file, message] of cases) {
    await page.setInputFiles('#file-input', data(file));
    const error = page.locator('#error');
    await error.filter({ hasText: message }).waitFor();
    const text = await error.innerText();
    assert.ok(text.includes(`Could not read ${file.split('/')[1]}`), text);
    assert.ok(text.includes('Nothing was lost: example-study.csv is still loaded'), text);
    assert.equal(await page.locator('#row-count').innerText(), '1049', `${file}: data kept`);
    if (file === 'bad/ragged.csv') await shot(page, '04-bad-file');
  }
  // A numeric-looking column with text: loads, with a warning naming the cell.
  await page.setInputFiles('#file-input', data('bad/mostly-numeric.csv'));
  await page.getByText('row 4 has text `12,5%`').waitFor();
  assert.equal(await page.locator('#error').count(), 0, 'a successful load clears the error');
  await close();
});

test('a workbook opens on its patient sheet; another sheet can be chosen', async () => {
  const { page, close } = await openPage();
  await page.setInputFiles('#file-input', data('quirky/two-sheets.xlsx'));
  await page.locator('.file-name', { hasText: 'two-sheets.xlsx' }).waitFor();
  assert.equal(await page.locator('#row-count').innerText(), '3');
  await page.getByText('spreadsheet, sheet `Patients`').waitFor();
  assert.equal(await page.getByLabel('Kind of ki67', { exact: true }).inputValue(), 'numeric');
  assert.equal(await columnValues(page, 'ki67'), '7.25 to 30, mean 16.5833');
  await page.locator('#sheet-select').selectOption('Notes');
  await page.locator('#error', { hasText: 'no patient rows' }).waitFor();
  assert.equal(await page.locator('#row-count').innerText(), '3', 'the patient sheet stays loaded');
  await close();
});

test('a file over the size limit is refused before reading', async () => {
  const { page, close } = await openPage('?max-file-mb=0.0001');
  await loadExample(page);
  await page.setInputFiles('#file-input', data('quirky/quoted-multiline.csv'));
  await page.locator('#error', { hasText: 'the largest this page can take is 104 bytes' }).waitFor();
  assert.equal(await page.locator('#row-count').innerText(), '1049');
  await close();
});

test('a dropped file is read', async () => {
  const { page, close } = await openPage();
  const csv = readFileSync(data('quirky/pipe-utf8-bom.csv'));
  await page.evaluate(([bytes]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'dropped.csv', { type: 'text/csv' }));
    const zone = document.querySelector('.drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [Array.from(csv)]);
  await page.locator('.file-name', { hasText: 'dropped.csv' }).waitFor();
  assert.equal(await page.locator('#row-count').innerText(), '4');
  await close();
});

test('the user corrects kinds, references, cuts and merges; a bad change is refused', async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  // Reference level.
  await page.getByLabel('Reference level of subtype').selectOption('TNBC');
  await page.locator('tr[data-column="subtype"]', { hasText: 'TNBC (234 ref)' }).waitFor();
  // Cut a numeric column at two points.
  await page.getByLabel('Cut points for age').fill('40, 60');
  await page.locator('tr[data-column="age"]').getByRole('button', { name: 'Add groups' }).click();
  await page.locator('tr[data-column="age_group2"]').waitFor();
  assert.match(await columnRow(page, 'age_group2'), /≤ 40 \(\d+ ref\), > 40 to ≤ 60 \(\d+\), > 60 \(\d+\)/);
  // Merge two levels.
  const hist = page.locator('tr[data-column="histology"]');
  await hist.getByText('Order or merge levels').click();
  await hist.getByRole('checkbox', { name: 'Lobular or mixed' }).check();
  await hist.getByRole('checkbox', { name: 'Other' }).check();
  await hist.getByLabel('Name for the merged levels of histology').fill('Non-ductal');
  await hist.getByRole('button', { name: 'Merge checked' }).click();
  await page.locator('tr[data-column="histology"]', { hasText: 'Ductal (1019 ref), Non-ductal (30)' }).waitFor();
  // Kind override that works, and one that cannot work.
  await page.getByLabel('Kind of ct', { exact: true }).selectOption('text');
  await page.locator('tr[data-column="ct"]', { hasText: '4 distinct' }).waitFor();
  await page.getByLabel('Kind of subtype', { exact: true }).selectOption('numeric');
  await page.locator('#error', { hasText: 'column `subtype` has text' }).waitFor();
  assert.match(await page.locator('#error').innerText(), /expected a number/);
  assert.match(await columnRow(page, 'subtype'), /TNBC \(234 ref\)/, 'the refused change left the column as it was');
  assert.equal(await page.getByLabel('Kind of subtype', { exact: true }).inputValue(), 'categorical');
  await shot(page, '05-corrections');
  await close();
});

test('everything is reachable by keyboard, with a visible focus', async () => {
  const { page, close } = await openPage();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  let found = false;
  for (let i = 0; i < 15 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement.id === 'load-example');
  }
  assert.ok(found, 'Tab reaches "Try the example study"');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid', 'focus is visible');
  await shot(page, '06-keyboard-focus');
  await page.keyboard.press('Enter');
  await page.locator('#row-count', { hasText: '1049' }).waitFor();
  // Every form control has an accessible name.
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('select, input:not([type=file]), button')]
    .filter((el) => !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim()))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  await close();
});

test('missing data are shown before any analysis: per variable, by group with a test, and the patterns', async () => {
  const { page, close } = await openPage();
  await page.setInputFiles('#file-input', data('missing_patterns.csv'));
  await page.locator('#row-count', { hasText: '300' }).waitFor();
  await page.locator('#missing-data summary').click();
  const table = page.locator('#missing-table');
  // Before the groups are confirmed: all patients only.
  await table.getByRole('cell', { name: '56 (18.7%)' }).waitFor();
  // With the guessed design confirmed, by group, with the test
  // (the numbers of tests/reference/missing.json, from R).
  await page.locator('#design-looks-right').click();
  await page.locator('#design-confirmed').waitFor();
  const ki67 = table.locator('tr', { hasText: 'ki67' });
  await ki67.filter({ hasText: '36 (28.3%)' }).waitFor();
  assert.match(await ki67.innerText(), /56 \(18\.7%\)\s+36 \(28\.3%\)\s+20 \(11\.7%\)\s+< 0\.001\s+χ²/);
  assert.match(await table.locator('tr', { hasText: 'bmi' }).innerText(), /0\.639\s+Fisher/);
  const patterns = page.locator('#missing-patterns-table');
  assert.match(await patterns.locator('tbody tr').first().innerText(), /^200\s/);
  assert.match(await page.locator('figure:has(#missing-patterns-table)').innerText(), /other pattern\(s\), \d+ patient/);
  await shot(page, '05-missing-data');
  await close();
});

// The single file in Firefox (Debian's firefox-esr, driven over WebDriver
// BiDi by puppeteer-core; playwright-core drives only its own Firefox
// builds): opened from disk, the example study runs to the report, and no
// request leaves the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { ROOT, SHOTS } from './browser.mjs';

const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

test('cohortlab.html in Firefox, from disk: the example study to the report', async () => {
  assert.ok(existsSync(FIREFOX), `${FIREFOX} (scripts/setup.sh installs firefox-esr)`);
  const folder = mkdtempSync(path.join(tmpdir(), 'cohortlab-firefox-'));
  const html = path.join(folder, 'cohortlab.html');
  copyFileSync(path.join(ROOT, 'dist', 'cohortlab.html'), html);
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true });
  try {
    const page = await browser.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto('file://' + html);
    await page.waitForSelector('#load-example', { timeout: 60000 });
    assert.match(await page.$eval('#build', (e) => e.textContent), /^CohortLab \d+\.\d+\.\d+ \(commit [0-9a-f]+\)$/);
    await page.click('#load-example');
    await page.waitForFunction(() => document.querySelector('#row-count')?.textContent === '1049', { timeout: 60000 });
    const report = await page.$$('nav button');
    let clicked = false;
    for (const b of report) {
      if (/Report/.test(await b.evaluate((e) => e.textContent))) { await b.click(); clicked = true; break; }
    }
    assert.ok(clicked, 'the Report step');
    await page.waitForFunction(() => /matched 2:1/.test(document.querySelector('#methods')?.textContent ?? ''), { timeout: 120000 });
    await page.screenshot({ path: path.join(SHOTS, '72-firefox-single-file-report.png') });
    assert.deepEqual(requests.filter((u) => !/^(file|data|blob):/.test(u)), [], 'no request left the file');
    assert.deepEqual(errors, [], 'errors in the page');
  } finally {
    await browser.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

// Shared set-up for the end-to-end tests: Debian's Chromium driven by
// playwright-core (never a downloaded browser), a fresh profile per test,
// and a record of every request the page makes.
import { after } from 'node:test';
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8765';
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export function data(file) {
  return path.join(ROOT, 'tests', 'data', file);
}

/** Opens the page (or, with `file`, a page from disk such as
 * dist/cohortlab.html); returns { page, requests, errors, close }. */
export async function openPage(query = '', file = null) {
  const profile = mkdtempSync(path.join(tmpdir(), 'cohortlab-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Closed even when a test fails, so that node can exit.
  after(() => context.close().catch(() => {}));
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const started = Date.now();
  await page.goto(file ? 'file://' + file : BASE_URL + '/' + query);
  await page.locator('#load-example').waitFor();
  const readyMs = Date.now() - started;
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    // Every request, from page load to the end of the test, went to the
    // serving origin (data: and blob: URLs never leave the page).
    const own = file ? 'file://' : BASE_URL + '/';
    const foreign = requests.filter((u) => !u.startsWith(own) && !/^(data|blob):/.test(u));
    assert.deepEqual(foreign, [], 'requests to another origin');
    assert.deepEqual(errors, [], 'errors in the page');
  };
  return { page, requests, errors, close, readyMs };
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export async function loadExample(page) {
  await page.click('#load-example');
  await page.locator('#row-count', { hasText: '1049' }).waitFor();
}

/** The text of a column's row in the column table. */
export async function columnRow(page, name) {
  return page.locator(`tr[data-column="${name}"]`).innerText();
}

/** The "levels or range" cell of a column. */
export async function columnValues(page, name) {
  return (await page.locator(`tr[data-column="${name}"] td.values`).innerText()).trim();
}

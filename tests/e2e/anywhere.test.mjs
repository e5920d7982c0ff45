// Open it anywhere (issue 16): the single file dist/cohortlab.html, copied
// alone into an empty folder and opened from disk with every network
// request refused, runs a whole study; the hosted page reloads offline from
// its service worker and says when a new version is ready.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, SHOTS, data } from './browser.mjs';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function launch() {
  const profile = mkdtempSync(path.join(tmpdir(), 'cohortlab-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
    args: ARGS,
  });
  after(() => context.close().catch(() => {}));
  const page = context.pages()[0] ?? await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors, profile };
}

async function download(page, selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

/** The example study written as a European export: `;` and decimal commas. */
function semicolonFile(dir) {
  const lines = readFileSync(data('example-study.csv'), 'utf8').trim().split('\n');
  const out = lines.map((l) => l.split(',').map((c) => (/^-?\d+\.\d+$/.test(c) ? c.replace('.', ',') : c)).join(';'));
  const file = path.join(dir, 'patients-semicolon.csv');
  writeFileSync(file, out.join('\r\n') + '\r\n');
  return file;
}

test('cohortlab.html alone, from disk, no network: a ; file with decimal commas, matching, survival, the report', async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'cohortlab-single-'));
  const html = path.join(folder, 'cohortlab.html');
  copyFileSync(path.join(ROOT, 'dist', 'cohortlab.html'), html);
  const size = readFileSync(html).length;
  console.log(`cohortlab.html: ${size} bytes`);
  assert.ok(size < 3 * 1024 * 1024, 'under 3 MB');
  const { context, page, errors } = await launch();
  // Every request that is not the file itself, data: or blob: is refused and recorded.
  const refused = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    refused.push(url);
    return route.abort();
  });
  const requested = [];
  context.on('request', (r) => requested.push(r.url()));
  await page.goto('file://' + html);
  await page.locator('#load-example').waitFor();
  assert.match(await page.locator('#build').innerText(), /^CohortLab \d+\.\d+\.\d+ \(commit [0-9a-f]+\)$/);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /connect-src 'none'/);
  // A European export: ';' separators and decimal commas.
  await page.setInputFiles('#file-input', semicolonFile(folder));
  await page.locator('#row-count', { hasText: '1049' }).waitFor();
  await page.getByText("separator ';'").waitFor();
  assert.equal(await page.getByLabel('Kind of ki67', { exact: true }).inputValue(), 'numeric');
  // The example's settings: 2:1 matching and survival on the matched cohort.
  await page.locator('#load-settings').setInputFiles(data('example-study.settings.json'));
  await page.getByText('Settings restored from example-study.settings.json.').waitFor();
  await page.getByRole('button', { name: /Survival/ }).click();
  await page.locator('canvas').first().waitFor();
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'matched 2:1' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, '70-single-file-report.png'), fullPage: true });
  const report = await download(page, '#download-report');
  assert.equal(report.name, 'report.html');
  assert.ok(report.text.includes('<h2>Methods</h2>'));
  assert.match(report.text, /CohortLab \d+\.\d+\.\d+ \(commit [0-9a-f]+\)/);
  assert.ok(report.text.includes('figure-kaplan_meier'), 'the Kaplan-Meier figure');
  const results = JSON.parse((await download(page, '#download-results')).text);
  assert.equal(results.matching.counts.matched.treated, 216);
  assert.match(results.engine, /\(commit [0-9a-f]+\)$/);
  const settings = await download(page, '#download-settings');
  assert.equal(settings.name, 'settings.json');
  assert.equal(JSON.parse(settings.text).matching.ratio, 2);
  assert.deepEqual(refused, [], 'no request left the file');
  assert.deepEqual(requested.filter((u) => !/^(file|data|blob):/.test(u)), []);
  assert.deepEqual(errors, [], 'errors in the page');
  await context.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Serves a copy of dist/ on a free port; returns { url, dir, stop }. */
async function serveCopy() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cohortlab-dist-'));
  cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
  after(() => server.kill());
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, stop: () => { server.kill(); rmSync(dir, { recursive: true, force: true }); } };
}

test('the hosted page is installable, reloads offline, and says when a new version is ready', async () => {
  const { url, dir, stop } = await serveCopy();
  const { context, page, errors } = await launch();
  const foreign = [];
  context.on('request', (r) => { if (!r.url().startsWith(url) && !/^(data|blob):/.test(r.url())) foreign.push(r.url()); });
  await page.goto(url);
  await page.locator('#load-example').waitFor();
  const manifest = await page.evaluate(() => document.querySelector('link[rel=manifest]').href);
  assert.equal(manifest, url + 'manifest.webmanifest');
  // The service worker is installed and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // It cached the app's own files and nothing else.
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const k of await caches.keys()) for (const r of await (await caches.open(k)).keys()) out.push(r.url);
    return out;
  });
  assert.ok(cached.some((u) => u.endsWith('.wasm')), 'the wasm is cached');
  assert.ok(cached.every((u) => u.startsWith(url) && !u.endsWith('.csv')), cached.join(' '));
  // Offline: reload, and the whole example study runs.
  await context.setOffline(true);
  await page.reload();
  await page.locator('#load-example').waitFor();
  await page.click('#load-example');
  await page.locator('#row-count', { hasText: '1049' }).waitFor();
  await page.getByRole('button', { name: /Report/ }).click();
  await page.locator('#methods', { hasText: 'matched 2:1' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, '71-offline-report.png'), fullPage: true });
  // Back online with a new build on the server: the page says so.
  await context.setOffline(false);
  appendFileSync(path.join(dir, 'sw.js'), '\n// a new build\n');
  await page.reload();
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  await page.locator('#update-notice', { hasText: 'A new version of CohortLab is ready' }).waitFor();
  await page.locator('#update-notice button').click();
  await page.locator('#load-example').waitFor();
  assert.deepEqual(foreign, [], 'requests to another origin');
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::/.test(e)), [], 'errors in the page');
  await context.close();
  stop();
});

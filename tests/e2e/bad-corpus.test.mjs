// The bad-input corpus (tests/data/bad/expected.json, also run through the
// CLI by tests/bad_corpus.rs) in the page: each file that the CLI refuses
// is refused here with the same message, and the data loaded before stays;
// each file that the CLI reads is read here with the same size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openPage, loadExample, data } from './browser.mjs';

const manifest = JSON.parse(readFileSync(data('bad/expected.json'), 'utf8'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test(`the bad-input corpus (${manifest.length} files) in the page: the CLI's messages, nothing lost`, async () => {
  const { page, close } = await openPage();
  await loadExample(page);
  let rows = '1049';
  let refused = 0;
  for (const { file, exit, message } of manifest) {
    await page.setInputFiles('#file-input', data(`bad/${file}`));
    if (exit === 0) {
      const [, n, k] = /^(\d+) patients, (\d+) columns/.exec(message);
      await page.locator('.file-name', { hasText: new RegExp(`^\\s*${escape(file)}\\s*$`) }).waitFor();
      await page.locator('#row-count', { hasText: new RegExp(`^${n}$`) }).waitFor();
      assert.equal(await page.locator('#column-count').innerText(), k, file);
      rows = n;
    } else {
      refused += 1;
      const error = page.locator('#error');
      // The page reads at most a smaller sheet than the CLI: its bound may differ.
      const expected = escape(message).replace(/at most \d+/g, 'at most \\d+');
      // This file's error (the one before may have said the same).
      await error.filter({ hasText: `Could not read ${file}` }).filter({ hasText: new RegExp(expected, 'i') }).waitFor();
      assert.equal(await page.locator('#row-count').innerText(), rows, `${file}: the data loaded before stays`);
    }
  }
  assert.ok(refused >= 30, `${refused} refused`);
  await close();
});

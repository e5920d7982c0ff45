// Adds the sha256 hash of every inline <script> in dist/index.html to the
// page's Content-Security-Policy, so the policy can forbid all other inline
// script. Run after `trunk build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const file = process.argv[2] ?? 'dist/index.html';
let html = readFileSync(file, 'utf8');
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
}
const before = html;
html = html.replace(/script-src 'self'[^;"]*/, (s) => [s.split(' sha256')[0], ...hashes].join(' '));
if (hashes.length && html === before) {
  console.error('csp-hash: no script-src in the page policy');
  process.exit(1);
}
writeFileSync(file, html);
console.log(`csp-hash: ${hashes.length} inline script(s) allowed by hash in ${file}`);

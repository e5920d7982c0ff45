// Writes dist/sw.js: a service worker that caches exactly the app's own
// files (listed here at build time, so a new build is a new cache) on the
// first visit and serves them when offline. It answers only same-origin GET
// requests for those files; everything else goes to the network untouched
// (and the page makes no other request). Usage: node scripts/service-worker.mjs [dist]
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist)
  .filter((f) => f !== 'sw.js' && f !== 'cohortlab.html' && !f.startsWith('.'))
  .sort();
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(readFileSync(path.join(dist, f)));
const version = hash.digest('hex').slice(0, 16);
const sw = `// CohortLab's service worker, build ${version} (written by scripts/service-worker.mjs).
'use strict';
const CACHE = 'cohortlab-${version}';
const FILES = ${JSON.stringify(['./', ...files.map((f) => `./${f}`)])};
const OWN = new Set(FILES.map((f) => new URL(f, self.registration.scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('cohortlab-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  if (!OWN.has(url.href)) return;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(url.href).then((hit) => hit || fetch(request))),
  );
});
`;
writeFileSync(path.join(dist, 'sw.js'), sw);
console.log(`[service-worker] ${path.join(dist, 'sw.js')}: ${files.length + 1} files, cache cohortlab-${version}`);

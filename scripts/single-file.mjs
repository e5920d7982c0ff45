// Writes dist/cohortlab.html: the whole page in one file that runs when
// opened from disk (file://), with no server and no network. The app's and
// the worker's wasm are gzipped and inlined as base64, and unpacked in the
// page by DecompressionStream; the worker starts from a Blob URL and gets
// its wasm as its first message; the CSS is inlined. The file's
// Content-Security-Policy forbids every connection (connect-src 'none').
//
// Usage: node scripts/single-file.mjs [dist]
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import path from 'node:path';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist);
const one = (re, what) => {
  const found = files.filter((f) => re.test(f));
  if (found.length !== 1) throw new Error(`expected one ${what} in ${dist}, found ${found.length}`);
  return path.join(dist, found[0]);
};
const appJs = readFileSync(one(/^app-[0-9a-f]+\.js$/, 'app JS'), 'utf8');
const appWasm = readFileSync(one(/^app-[0-9a-f]+_bg\.wasm$/, 'app wasm'));
const workerJs = readFileSync(one(/^worker\.js$/, 'worker JS'));
const workerWasm = readFileSync(one(/^worker_bg\.wasm$/, 'worker wasm'));
const css = readFileSync(one(/^main-[0-9a-f]+\.css$/, 'CSS'), 'utf8');
const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
const title = /<title>([^<]*)<\/title>/.exec(index)?.[1] ?? 'CohortLab';

const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const packed = (bytes) => b64(gzipSync(bytes, { level: 9 }));

// The app's wasm-bindgen glue is an ES module; its exports stay (legal in
// an inline module) and the loader below calls its init with the bytes.
if (!/__wbg_init as default/.test(appJs)) throw new Error('unexpected app glue: no __wbg_init');
const loader = `
// The single-file loader: unpack the inlined wasm, start the app.
const cohortlabBytes = (id) => Uint8Array.from(atob(document.getElementById(id).textContent.trim()), (c) => c.charCodeAt(0));
const cohortlabUnpack = (id) => new Response(new Blob([cohortlabBytes(id)]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
const [cohortlabApp, cohortlabWorker] = await Promise.all([cohortlabUnpack('cohortlab-app-wasm'), cohortlabUnpack('cohortlab-worker-wasm')]);
// The worker waits for its wasm as the first message (the page sends it).
const cohortlabWorkerSource = new TextDecoder().decode(cohortlabBytes('cohortlab-worker-js'))
  + '\\nself.onmessage = (e) => { self.onmessage = null; wasm_bindgen({ module_or_path: e.data }); };';
window.cohortlabWorkerWasm = cohortlabWorker;
window.cohortlabWorkerUrl = URL.createObjectURL(new Blob([cohortlabWorkerSource], { type: 'text/javascript' }));
const cohortlabWasm = await __wbg_init({ module_or_path: cohortlabApp });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm: cohortlabWasm } }));
`;
const script = `${appJs}\n${loader}`;
if (/<\/script/i.test(script)) throw new Error('the inline script contains </script');
const hash = createHash('sha256').update(script, 'utf8').digest('base64');
const csp = [
  "default-src 'none'",
  `script-src 'wasm-unsafe-eval' 'sha256-${hash}'`,
  "style-src 'unsafe-inline'",
  'img-src data: blob:',
  'worker-src blob:',
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="description" content="CohortLab in one file: open it in a browser, with no installation and no network. No data leaves your device.">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>
${css}
</style>
<script type="application/octet-stream" id="cohortlab-app-wasm">${packed(appWasm)}</script>
<script type="application/octet-stream" id="cohortlab-worker-wasm">${packed(workerWasm)}</script>
<script type="application/octet-stream" id="cohortlab-worker-js">${b64(workerJs)}</script>
<script type="module">${script}</script>
</head>
<body>
<noscript>CohortLab needs JavaScript and WebAssembly. Everything runs in this page; no data is sent anywhere.</noscript>
</body>
</html>
`;
const out = path.join(dist, 'cohortlab.html');
writeFileSync(out, html);
console.log(`[single-file] ${out}: ${html.length} bytes (${gzipSync(html).length} gzipped)`);

#!/usr/bin/env bash
# Builds the page into dist/ (release, offline), with its CSP hashes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh
trunk build --release --offline
node scripts/csp-hash.mjs dist/index.html
# The hosted page's service worker (offline after the first visit), then
# the whole page in one file that opens from disk.
node scripts/service-worker.mjs dist
node scripts/single-file.mjs dist
# What the page downloads: the app and the engine's worker.
total=0
for f in dist/*.wasm dist/*.js; do
  gz=$(gzip -9c "$f" | wc -c); total=$((total + gz))
  printf '[build] %s: %s bytes, %s gzipped\n' "$f" "$(stat -c %s "$f")" "$gz"
done
printf '[build] wasm and JS: %s bytes gzipped in all\n' "$total"
printf '[build] dist/cohortlab.html (the single file): %s bytes\n' "$(stat -c %s dist/cohortlab.html)"

#!/usr/bin/env bash
# Builds the page into dist/ (release, offline), with its CSP hashes.
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh
trunk build --release --offline
node scripts/csp-hash.mjs dist/index.html
wasm=$(ls dist/*.wasm)
printf '[build] %s: %s bytes, %s gzipped\n' "$wasm" "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)"

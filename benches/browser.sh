#!/usr/bin/env bash
# The whole study on a generated registry file in headless Chromium:
#   benches/browser.sh [N]        (default 1000000 patients, 25 columns)
# Builds the page, writes target/scale/registry-N.csv and its settings
# (`cargo bench --bench engine -- --write-registry`), serves dist/ on a
# free port and runs benches/browser.mjs. Figures go to docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
n=${1:-1000000}
dir=target/scale; mkdir -p "$dir"
scripts/build.sh >/dev/null
[ -f "$dir/registry-$n.csv" ] || cargo bench -q --bench engine -- --write-registry "$dir" "$n"
[ -f "$dir/registry.settings.json" ] || cargo bench -q --bench engine -- --write-registry "$dir" "$n"
port=${PORT:-8790}
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
node benches/browser.mjs "http://127.0.0.1:$port" "$dir/registry-$n.csv" "$dir/registry.settings.json"

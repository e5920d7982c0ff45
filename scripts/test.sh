#!/usr/bin/env bash
# Runs every test: native unit, reference, CLI and architecture tests, then
# the end-to-end tests in headless Chromium against the release build.
# Installs what is missing first (see scripts/setup.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh

echo "== native tests =="
cargo test --locked

echo "== release build =="
scripts/build.sh

echo "== end-to-end tests (headless Chromium) =="
PORT="${E2E_PORT:-8765}"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist >/tmp/cohortlab-e2e-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break
  sleep 0.1
done
# The tests must run against this build, not a server left on the port.
if ! kill -0 "$server" 2>/dev/null; then
  echo "error: could not serve dist/ on 127.0.0.1:$PORT (port in use?); set E2E_PORT" >&2
  cat /tmp/cohortlab-e2e-server.log >&2
  exit 1
fi
BASE_URL="http://127.0.0.1:$PORT" node --test --test-concurrency=1 tests/e2e/

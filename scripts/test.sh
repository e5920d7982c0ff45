#!/usr/bin/env bash
# Runs every test: native unit, reference, CLI and architecture tests, then
# the end-to-end tests in headless Chromium against the release build.
# Installs what is missing first (see scripts/setup.sh).
set -euo pipefail
source "$(dirname "$0")/env.sh"
scripts/setup.sh

echo "== native tests =="
cargo test --locked

echo "== fuzzing: a short seeded run (docs/FUZZING.md) =="
cargo bench --locked --bench fuzz -- --seed 1 --seconds 60

echo "== release build =="
scripts/build.sh

echo "== end-to-end tests (headless Chromium) =="
# A free port unless E2E_PORT says otherwise, so that no other server on
# the machine can answer in place of this build.
PORT="${E2E_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist >/tmp/cohortlab-e2e-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  sleep 0.1
  kill -0 "$server" 2>/dev/null || break
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break
done
# The tests must run against this build, not a server left on the port.
if ! kill -0 "$server" 2>/dev/null; then
  echo "error: could not serve dist/ on 127.0.0.1:$PORT (port in use?); set E2E_PORT" >&2
  cat /tmp/cohortlab-e2e-server.log >&2
  exit 1
fi
BASE_URL="http://127.0.0.1:$PORT" node --test --test-concurrency=1 tests/e2e/

#!/usr/bin/env bash
# Installs what is missing, builds the page and serves it on
# http://127.0.0.1:8080 (PORT=... to change). Ctrl-C stops it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
PORT="${PORT:-8080}"
scripts/build.sh
echo
echo "CohortLab is at http://127.0.0.1:$PORT/  (click \"Try the example study\")"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist

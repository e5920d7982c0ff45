#!/usr/bin/env bash
# Installs what building, serving and testing CohortLab needs, skipping every
# piece that is already there in the right version. Safe to run repeatedly.
# Everything comes from the package registries (crates.io, npm, Debian):
# nothing downloads a prebuilt toolchain or browser. See shared TOOLCHAIN notes.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock, exactly.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages: Chromium for the end-to-end tests, and Firefox ESR
#    for the single-file page's Firefox test.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/firefox-esr ]; then
  say "installing chromium and firefox-esr from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver firefox-esr >/dev/null
fi

# 2. Rust target for the browser build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 3. Trunk, pinned (0.22 needs a newer rustc than this machine has).
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "installing trunk $TRUNK_VERSION (takes ~8 min once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# 4. wasm-bindgen-cli, the exact version of the wasm-bindgen crate in Cargo.lock.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WBG_VERSION\$"; then
  say "installing wasm-bindgen-cli $WBG_VERSION (takes ~4 min once)"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --locked \
    || cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# 5. npm: wasm-opt (binaryen 132; never Debian's binaryen), playwright-core
#    (Chromium) and puppeteer-core (Firefox over WebDriver BiDi); none
#    downloads a browser.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ ! -d node_modules/puppeteer-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, playwright-core, puppeteer-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "toolchain ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(node_modules/.bin/wasm-opt --version | awk '{print $3}')"

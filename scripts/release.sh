#!/usr/bin/env bash
# Writes release/cohortlab-<version>.zip for clinicians: the single-file
# page (cohortlab.html), the hosted page (dist/), the example study and a
# README.txt. Builds the page first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
commit=$(git rev-parse --short=10 HEAD 2>/dev/null || echo unknown)
name="cohortlab-$version"
mkdir -p release
python3 - "$name" "$version" "$commit" <<'PY'
import sys, zipfile, pathlib
name, version, commit = sys.argv[1:4]
root = pathlib.Path('.')
readme = f"""CohortLab {version} (commit {commit})
=====================================

The analysis of a retrospective cohort study (Table 1, logistic regression,
propensity-score matching, outcomes, Kaplan-Meier, log-rank, Cox, and a
report), computed in your web browser.

HOW TO OPEN IT
  Double-click cohortlab.html. It opens in your browser (Chrome, Edge or
  Chromium) and needs no installation, no server and no internet
  connection. Drag your CSV or Excel file into the page, or press
  "Try the example study" (the file example-study.csv is here too).

YOUR DATA STAYS ON THIS COMPUTER
  The page reads your file from disk and computes everything inside the
  browser tab. It cannot send anything anywhere: its security policy
  forbids every network connection. You can unplug the network to check.

THE HOSTED VERSION
  The folder dist/ is the same page for a web server (for example your
  hospital's intranet); once visited, it also works offline.

HOW TO CITE THE VERSION
  Write in your methods: "Analyses were done with CohortLab {version}
  (commit {commit})". The same line is printed at the bottom of the page,
  in every report and in results.json. Keep this zip with your data so the
  exact version can be run again for reviewers.
"""
out = root / 'release' / f'{name}.zip'
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(f'{name}/README.txt', readme)
    z.write('dist/cohortlab.html', f'{name}/cohortlab.html')
    for f in sorted(pathlib.Path('dist').iterdir()):
        if f.is_file() and f.name != 'cohortlab.html':
            z.write(f, f'{name}/dist/{f.name}')
    for f in ['example-study.csv', 'example-study.settings.json']:
        z.write(f'tests/data/{f}', f'{name}/{f}')
print(f'[release] {out}: {out.stat().st_size} bytes')
PY

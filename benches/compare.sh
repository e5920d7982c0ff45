#!/usr/bin/env bash
# CohortLab and R side by side on the same seeded cohorts:
#   benches/compare.sh [SIZES...]        (default: 10000 100000 1000000)
# Generates DIR/cohort-N.csv, times CohortLab's stages (bench profile),
# then R's (glm + MatchIt nearest 2:1 with caliper, survfit + survdiff,
# coxph) when Rscript is installed, each R run limited to R_TIMEOUT seconds
# (default 900), and prints the ratio per stage. Matching counts only when
# the matched sets agree, set for set.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
dir=${COMPARE_DIR:-target/compare}; mkdir -p "$dir"
cargo bench --bench compare --no-run -q 2>/dev/null || cargo bench --bench compare --no-run
run() { cargo bench -q --bench compare -- "$@"; }
run --write "$dir" "${sizes[@]}" >/dev/null
for n in "${sizes[@]}"; do
  f="$dir/cohort-$n.csv"
  run --time "$f" > "$f.cohortlab.tsv"
  if command -v Rscript >/dev/null; then
    timeout "${R_TIMEOUT:-900}" Rscript benches/compare.R "$f" > "$f.r.tsv" 2>/dev/null || true
  else
    : > "$f.r.tsv"
  fi
  agree="no R matching"
  if [ -s "$f.r-sets.tsv" ] && grep -q "^propensity" "$f.r.tsv"; then
    agree=$(run --agree "$f.cohortlab-sets.tsv" "$f.r-sets.tsv")
  fi
  echo "== $n patients (matched sets: $agree)"
  printf '%-34s %12s %12s %8s\n' stage CohortLab R ratio
  while IFS=$'\t' read -r stage ours; do
    theirs=$(awk -F'\t' -v s="$stage" '$1 == s { print $2 }' "$f.r.tsv")
    if [ -z "$theirs" ]; then
      printf '%-34s %11ss %12s %8s\n' "$stage" "$ours" "not done" "-"
    elif [[ "$stage" == propensity* && "$agree" != agree* ]]; then
      printf '%-34s %11ss %11ss %8s\n' "$stage" "$ours" "$theirs" "(sets differ)"
    else
      ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }')
      printf '%-34s %11ss %11ss %8s\n' "$stage" "$ours" "$theirs" "$ratio"
    fi
  done < "$f.cohortlab.tsv"
done

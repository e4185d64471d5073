#!/usr/bin/env bash
# Regenerates results/: each experiment at its documented seed (the scenario's own `seed`),
# keeping the small part of the run folder: summary.json, report.html and the charts it shows
# (SVG) with the feedback graphs (DOT). tests/it/results.rs reruns every experiment listed here
# and checks that the summaries come out byte for byte the same.
# Usage: scripts/refresh-results.sh   (builds the release binary if needed)
#        FLOWSIM_BIN=target/debug/flowsim scripts/refresh-results.sh   (an already built binary;
#        results do not depend on the build profile)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${FLOWSIM_BIN:-}" ]; then
  bin=$FLOWSIM_BIN
else
  cargo build --release --quiet
  bin=${CARGO_TARGET_DIR:-target}/release/flowsim
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in $(cat results/EXPERIMENTS); do
  "$bin" run "experiments/$name.toml" --out "$tmp/$name" --quiet
  rm -rf "results/$name"
  mkdir -p "results/$name/charts"
  cp "$tmp/$name/summary.json" "$tmp/$name/report.html" "results/$name/"
  # Every run draws SVG charts; feedback graphs (DOT) exist only where mechanical agents trade.
  cp "$tmp/$name"/charts/*.svg "results/$name/charts/"
  for dot in "$tmp/$name"/charts/*.dot; do
    [ -e "$dot" ] && cp "$dot" "results/$name/charts/"
  done
  echo "results/$name"
done

#!/usr/bin/env bash
# Measures the flow rally over seeds 1..N (default 20), without and with real money: the gain
# from the start to the peak close and how much of it retraces within the next 5 days.
# Usage: scripts/rally-seeds.sh [N] [OUT_DIR]   (needs `cargo build --release` first). Only the
# tables the measure reads are written (`--tables sweep`: bars, flows, summary).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
out=${2:-runs/rally-seeds}
bin=${FLOWSIM_BIN:-target/release/flowsim}
mkdir -p "$out"
for variant in flow_rally flow_rally_real_money; do
  for s in $(seq 1 "$n"); do
    "$bin" run "experiments/$variant.toml" --seed "$s" --out "$out/$variant-seed$s" \
      --force --quiet --no-report --tables sweep
  done
done
python3 scripts/rally_seeds.py "$out" "$n"

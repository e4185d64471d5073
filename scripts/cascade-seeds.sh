#!/usr/bin/env bash
# Measures the deleveraging cascade over seeds 1..N (default 20): for each seed, the counterfactual
# without the mechanical agents (`flowsim ablate --without mechanical`), the SPX drawdown
# amplification, and how much of what each fund class set out to trade on days 5–12 it traded.
# Usage: [SCENARIO=file.toml] scripts/cascade-seeds.sh [N] [OUT_DIR]   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
out=${2:-runs/cascade-seeds}
bin=${FLOWSIM_BIN:-target/release/flowsim}
scenario=${SCENARIO:-experiments/deleveraging_cascade.toml}
mkdir -p "$out"
for s in $(seq 1 "$n"); do
  "$bin" ablate "$scenario" --without mechanical --seed "$s" \
    --out "$out/seed$s" --force --quiet
done
python3 scripts/cascade_seeds.py "$out" "$n"

#!/usr/bin/env bash
# Checks that two builds of flowsim write byte-identical outputs (the speed work must not change
# a number): runs the same set of scenarios, an ablation and a sweep with each binary and
# compares the folders with `diff -r`. Reports (HTML) are skipped, every table is compared.
# Usage: scripts/same-outputs.sh BIN_A BIN_B [WORKDIR]
#   e.g. scripts/same-outputs.sh /tmp/flowsim-before target/release/flowsim
set -euo pipefail
a=$(realpath "$1")
b=$(realpath "$2")
cd "$(dirname "$0")/.."
work=${3:-$(mktemp -d)}
scenarios="deleveraging_cascade all_agents baseline flow_rally gamma_regimes bench_reference_day"
for tag in a b; do
  bin=${!tag}
  out="$work/$tag"
  rm -rf "$out"
  mkdir -p "$out"
  for name in $scenarios; do
    "$bin" run "experiments/$name.toml" --out "$out/$name" --quiet --no-report
  done
  "$bin" ablate experiments/deleveraging_cascade.toml --without vol_target,cta \
    --out "$out/ablation" --quiet --no-report
  "$bin" sweep benches/sweep_short_baseline.toml --out "$out/sweep" --quiet --no-charts \
    --tables sweep
  echo "$tag: $(du -sh "$out" | cut -f1) in $out"
done
# The sweep's manifest may record wall times; everything else must match byte for byte.
if diff -r -q "$work/a" "$work/b"; then
  echo "identical: $scenarios, an ablation and a sweep"
  rm -rf "$work/a" "$work/b"
else
  echo "outputs differ (kept in $work)" >&2
  exit 1
fi

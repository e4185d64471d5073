#!/usr/bin/env bash
# Checks that two builds of flowsim write byte-identical outputs (the speed work must not change
# a number): runs the same set of scenarios, an ablation and a sweep with each binary and
# compares every file of the output folders (reports skipped, every table compared). To keep
# the disk small (the cascade's ablation alone writes about 4 GB) each output is reduced to a
# list of SHA-256 sums and deleted before the next one; the lists are compared at the end.
# Usage: scripts/same-outputs.sh BIN_A BIN_B [WORKDIR]
#   e.g. scripts/same-outputs.sh /tmp/flowsim-before target/release/flowsim
set -euo pipefail
a=$(realpath "$1")
b=$(realpath "$2")
cd "$(dirname "$0")/.."
work=${3:-$(mktemp -d)}
mkdir -p "$work"
scenarios="deleveraging_cascade all_agents baseline flow_rally gamma_regimes bench_reference_day"
sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
for tag in a b; do
  bin=${!tag}
  out="$work/$tag"
  : > "$work/$tag.sha256"
  for name in $scenarios; do
    rm -rf "$out"
    "$bin" run "experiments/$name.toml" --out "$out" --quiet --no-report
    sums "$out" | sed "s|  \./|  $name/|" >> "$work/$tag.sha256"
  done
  rm -rf "$out"
  "$bin" ablate experiments/deleveraging_cascade.toml --without vol_target,cta \
    --out "$out" --quiet --no-report
  sums "$out" | sed "s|  \./|  ablation/|" >> "$work/$tag.sha256"
  rm -rf "$out"
  "$bin" sweep benches/sweep_short_baseline.toml --out "$out" --quiet --no-charts --tables sweep
  sums "$out" | sed "s|  \./|  sweep/|" >> "$work/$tag.sha256"
  rm -rf "$out"
  echo "$tag: $(wc -l < "$work/$tag.sha256") files hashed"
done
if diff "$work/a.sha256" "$work/b.sha256"; then
  echo "identical: $scenarios, an ablation and a sweep"
else
  echo "outputs differ (sums in $work/a.sha256 and $work/b.sha256)" >&2
  exit 1
fi

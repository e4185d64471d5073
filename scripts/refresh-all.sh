#!/usr/bin/env bash
# Regenerates every committed result that rests on the reference markets, for a change to
# experiments/markets/spx.toml (or anything every experiment extends). On 2 cores it takes about
# three and a half hours: the claims table ~60 min, the two episodes ~60 min, rally_departures
# ~15 min, the impact tables ~60 min (candidates D's and F's included), the rest (seed tables
# and the year sweep) the remainder; each step prints its time. Start it first and write while
# it runs.
#
# Usage: scripts/refresh-all.sh [STEP...]    (default: every step, in this order)
#   results   scripts/refresh-results.sh (the experiments listed in results/EXPERIMENTS)
#   claims    flowsim claims experiments/claims.toml            -> results/claims
#   rally     flowsim claims experiments/rally_departures.toml  -> results/rally_departures
#   episodes  flowsim episode, February and October 2018        -> results/episode_*
#   impact    flowsim impact on the reference market and its candidates -> results/markets/*
#   facts     calm days (5 seeds x 20 days, from a file that extends spx.toml), NDX impact,
#             the year sweep's daily facts and the cascade and rally seed tables: printed for
#             the documents, nothing committed
#
# Work folders go under runs/refresh/ and are reused, so a killed step resumes where it stopped;
# a folder left from another market is refused by flowsim (delete runs/refresh to start over).
# Each step replaces its results/ folder only once it has finished. The documents are not
# rewritten: the end of the output lists which ones quote these numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/flowsim
work=runs/refresh
mkdir -p "$work"
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(results claims rally episodes impact facts)

timed() {
  local name=$1
  shift
  local t0=$SECONDS
  echo "== $name"
  "$@"
  echo "== $name: $(((SECONDS - t0) / 60)) min"
}

# Replaces results/$1 by the finished folder $2.
replace_result() {
  rm -rf "results/$1"
  mkdir -p "$(dirname "results/$1")"
  cp -r "$2" "results/$1"
}

claims() {
  local file=$1 name=$2
  "$bin" claims "experiments/$file.toml" --out "$work/$name" --runs "$work/$name-runs" --yes
  replace_result "$name" "$work/$name"
}

episode() {
  local name=$1
  "$bin" episode "experiments/$name.toml" --out "$work/$name" --yes
  replace_result "$name" "$work/$name"
}

# results/markets keeps each measurement's tables and their PNG charts (not the SVG copies).
impact() {
  local file=$1 out=$2
  shift 2
  "$bin" impact "experiments/markets/$file.toml" "$@" --out "$work/markets/$out" -q --yes
  rm -rf "results/markets/$out"
  mkdir -p "results/markets/$out"
  for f in impact.csv impact.png impact_path.csv impact_path.png; do
    cp "$work/markets/$out/$f" "results/markets/$out/"
  done
}

facts() {
  # The calm-day table of markets/spx.md is five seeds of 20 days (the file runs 5).
  printf 'extends = "%s"\ndays = 20\n' "$PWD/experiments/markets/spx.toml" >"$work/calm20.toml"
  for seed in 1 2 3 4 5; do
    "$bin" run "$work/calm20.toml" --seed "$seed" --calibration --no-report \
      --out "$work/calm/seed$seed" --force -q
    echo "calm days, seed $seed:"
    sed -n '/market by day/,$p' "$work/calm/seed$seed/calibration.txt"
  done
  "$bin" impact experiments/markets/ndx.toml --seeds 10 --out "$work/markets/ndx" -q --yes
  "$bin" sweep experiments/markets/spx_year_sweep.toml --out "$work/spx_year" --yes
  "$bin" facts "$work/spx_year"
  FLOWSIM_BIN=$bin scripts/cascade-seeds.sh 20 "$work/cascade-seeds"
  FLOWSIM_BIN=$bin scripts/rally-seeds.sh 10 "$work/rally-seeds"
}

for step in "${steps[@]}"; do
  case $step in
    results) timed results scripts/refresh-results.sh ;;
    claims) timed "claims table" claims claims claims ;;
    rally) timed "rally departures" claims rally_departures rally_departures ;;
    episodes)
      timed "February 2018" episode episode_feb2018
      timed "October 2018" episode episode_oct2018
      ;;
    impact)
      h=(--window 10:00-11:00)
      # The trades-only market's tables (the reference until December 2026) keep their names;
      # the adopted market's are candidate F's (markets/spx_fast.toml is the same market).
      timed "impact, one hour, seeds 1-30" impact spx_trades_only spx_impact_1h "${h[@]}" --seeds 30
      timed "impact, seeds 31-60" impact spx_trades_only spx_impact_1h_seeds31_60 "${h[@]}" --seeds 30 --first-seed 31
      timed "impact, seeds 61-160" impact spx_trades_only spx_impact_1h_seeds61_160 "${h[@]}" --seeds 100 --first-seed 61
      timed "impact, seeds 161-260" impact spx_trades_only spx_impact_1h_seeds161_260 "${h[@]}" --seeds 100 --first-seed 161
      timed "impact, seeds 261-360" impact spx_trades_only spx_impact_1h_seeds261_360 "${h[@]}" --seeds 100 --first-seed 261
      timed "impact, full day" impact spx_trades_only spx_impact_day --window 09:30-16:00 --seeds 30
      timed "candidate, seeds 1-30" impact spx_short_horizon spx_short_horizon_impact_1h "${h[@]}" --seeds 30
      timed "news candidate, seeds 1-30" impact spx_news spx_news_impact_1h "${h[@]}" --seeds 30
      timed "news candidate, seeds 61-160" impact spx_news spx_news_impact_1h_seeds61_160 "${h[@]}" --seeds 100 --first-seed 61
      timed "news candidate, seeds 161-260" impact spx_news spx_news_impact_1h_seeds161_260 "${h[@]}" --seeds 100 --first-seed 161
      timed "news bursts candidate, seeds 1-30" impact spx_news_bursts spx_news_bursts_impact_1h "${h[@]}" --seeds 30
      timed "news bursts candidate, seeds 261-360" impact spx_news_bursts spx_news_bursts_impact_1h_seeds261_360 "${h[@]}" --seeds 100 --first-seed 261
      timed "elastic candidate, seeds 361-460" impact spx_elastic spx_elastic_impact_1h_seeds361_460 "${h[@]}" --seeds 100 --first-seed 361
      timed "candidate D, seeds 1-30" impact spx_elastic_memory50 spx_elastic_memory50_impact_1h "${h[@]}" --seeds 30
      timed "candidate D, seeds 461-560" impact spx_elastic_memory50 spx_elastic_memory50_impact_1h_seeds461_560 "${h[@]}" --seeds 100 --first-seed 461
      timed "candidate F, seeds 1-30" impact spx_fast spx_fast_impact_1h "${h[@]}" --seeds 30
      timed "candidate F, seeds 561-660" impact spx_fast spx_fast_impact_1h_seeds561_660 "${h[@]}" --seeds 100 --first-seed 561
      timed "candidate F, full day" impact spx_fast spx_fast_impact_day --window 09:30-16:00 --seeds 30
      timed "candidate, seeds 61-160" impact spx_short_horizon spx_short_horizon_impact_1h_seeds61_160 "${h[@]}" --seeds 100 --first-seed 61
      timed "candidate e, seeds 61-160" impact spx_short_horizon_hidden spx_short_horizon_hidden_impact_1h_seeds61_160 "${h[@]}" --seeds 100 --first-seed 61
      timed "candidate e, seeds 161-260" impact spx_short_horizon_hidden spx_short_horizon_hidden_impact_1h_seeds161_260 "${h[@]}" --seeds 100 --first-seed 161
      ;;
    facts) timed facts facts ;;
    *)
      echo "unknown step '$step' (results claims rally episodes impact facts)" >&2
      exit 2
      ;;
  esac
done

cat <<'EOF'
Done. Documents that quote these results, to re-read against the new numbers:
  README.md (status), experiments/markets/spx.md (calm days, impact, daily facts, NDX),
  experiments/*.md of the refreshed experiments (cascade and rally seed tables among them),
  docs/claims.md, experiments/episode_feb2018.md (both episodes), and BENCHMARKS.md if the
  reference day's speed changed (flowsim bench).
EOF

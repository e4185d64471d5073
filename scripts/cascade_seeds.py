"""Summarises scripts/cascade-seeds.sh: amplification and executed/intended flows per seed."""
import collections
import csv
import json
import statistics
import sys

out, n = sys.argv[1], int(sys.argv[2])
DAYS = range(5, 13)
rows = []
for s in range(1, n + 1):
    a = json.load(open(f"{out}/seed{s}/ablation.json"))
    spx = next(i for i in a["instruments"] if i["symbol"] == "SPX")
    run = f"{out}/seed{s}/with"
    done = collections.defaultdict(float)
    for r in csv.DictReader(open(f"{run}/flows.csv")):
        if int(r["day"]) in DAYS:
            done[r["class"]] += float(r["net_usd"])
    state = collections.defaultdict(float)
    for r in csv.DictReader(open(f"{run}/state.csv")):
        state[(int(r["day"]), r["class"], r["metric"])] += float(r["value"])
    # What each class set out to trade: vol-targeters and LETFs record it at their decision;
    # a CTA trades towards the target it set at the previous close.
    want = {
        c: sum(state[(d, c, "rebalance_usd")] for d in DAYS) for c in ("vol_target", "letf")
    }
    want["cta"] = sum(
        state[(d - 1, "cta", "target_usd")] - state[(d - 1, "cta", "position_usd")] for d in DAYS
    )
    rows.append((s, spx, want, done))

print("seed  dd_with  dd_without  amplification | executed/intended, days 5-12 ($bn)")
for s, spx, want, done in rows:
    cells = " ".join(
        f"{c}={done[c] / 1e9:7.1f}/{want[c] / 1e9:7.1f}" for c in ("vol_target", "cta", "letf")
    )
    print(
        f"{s:4} {spx['drawdown_with']:8.4f} {spx['drawdown_without']:10.4f} "
        f"{spx['drawdown_amplification']:13.3f} | {cells}"
    )
amp = [r[1]["drawdown_amplification"] for r in rows]
print(
    f"median amplification {statistics.median(amp):.3f} "
    f"(range {min(amp):.3f}-{max(amp):.3f}; {sum(a >= 1.3 for a in amp)}/{len(amp)} at >= 1.3)"
)
print(
    "median drawdown with {:.4f}, without {:.4f}".format(
        statistics.median(r[1]["drawdown_with"] for r in rows),
        statistics.median(r[1]["drawdown_without"] for r in rows),
    )
)
for c in ("vol_target", "cta", "letf"):
    ratios = [r[3][c] / r[2][c] for r in rows if abs(r[2][c]) > 1e9]
    if ratios:
        print(
            f"{c}: executed/intended median {statistics.median(ratios):.2f} "
            f"(range {min(ratios):.2f}-{max(ratios):.2f}, {len(ratios)} seeds)"
        )

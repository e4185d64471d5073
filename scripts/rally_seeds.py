"""Summarises scripts/rally-seeds.sh: peak gain and 5-day retracement per seed and variant."""
import collections
import csv
import json
import statistics
import sys

out, n = sys.argv[1], int(sys.argv[2])
WINDOW = 5  # days after the peak in which the retracement is measured


def closes(run):
    last = {}
    for r in csv.DictReader(open(f"{run}/bars.csv")):
        last[int(r["day"])] = (float(r["close"]), float(r["fundamental"]))
    return [last[d] for d in sorted(last)]


def buyers(run):
    flows = collections.defaultdict(float)
    for r in csv.DictReader(open(f"{run}/flows.csv")):
        flows[r["class"]] += float(r["buy_usd"]) - float(r["sell_usd"])
    return flows


for variant in ("flow_rally", "flow_rally_real_money"):
    rows = []
    for s in range(1, n + 1):
        run = f"{out}/{variant}-seed{s}"
        start = json.load(open(f"{run}/summary.json"))["instruments"][0]
        path = closes(run)
        start_price = start["initial_price"]
        # The peak close of the run; days after it within the window give the retracement.
        k = max(range(len(path)), key=lambda i: path[i][0])
        peak = path[k][0]
        after = [c for c, _ in path[k + 1 : k + 1 + WINDOW]]
        gain = peak / start_price - 1
        retr = (peak - min(after)) / (peak - start_price) if after and peak > start_price else float("nan")
        over = peak / path[k][1] - 1
        rows.append((s, gain, k + 1, len(after), retr, over, buyers(run)))
    print(f"== {variant}")
    print("seed  gain   peak_day  days_after  retracement  peak_vs_value")
    for s, gain, day, m, retr, over, _ in rows:
        print(f"{s:4} {gain:6.3f} {day:9} {m:11} {retr:12.2f} {over:14.3f}")
    ok = [r for r in rows if r[3] > 0 and r[4] == r[4]]
    retrs = [r[4] for r in ok]
    print(
        f"median gain {statistics.median(r[1] for r in rows):.3f}; median retracement "
        f"{statistics.median(retrs):.2f}; {sum(x >= 1 / 3 for x in retrs)}/{len(retrs)} seeds "
        f">= 1/3; median peak over value {statistics.median(r[5] for r in rows):.3f}"
    )
    # A class with no flow on a seed (short sellers whose stops were never hit) writes no rows
    # there; it counts as zero, or the median would be taken over the seeds where it traded.
    classes = sorted({c for r in rows for c in r[6]})
    net = {c: [r[6].get(c, 0.0) for r in rows] for c in classes}
    print("median net buying by class ($bn):", {c: round(statistics.median(v) / 1e9, 1) for c, v in net.items()})

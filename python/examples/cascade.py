"""The deleveraging cascade with and without the mechanical agents, drawn with matplotlib.

Runs experiments/deleveraging_cascade.toml (20 trading days, a volatility shock on day 5)
twice with the same seed through ``flowsim.ablate``: once as written, once without the
vol-targeters, leveraged ETFs, CTAs and options dealers (every other agent keeps its random
draws). Draws each index's 1-minute closes on both runs over the fundamental value, and
writes the chart to ``cascade.png`` (or the path given as the first argument).

    python python/examples/cascade.py [OUT.png]      # from the repository root, about 80 s
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import flowsim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "experiments" / "deleveraging_cascade.toml"
MECHANICAL = ["vol_target", "letf", "cta", "dealer"]


def main(out: Path) -> None:
    ab = flowsim.ablate(SCENARIO, without=MECHANICAL)
    with_bars = ab.with_run.bars
    without_bars = ab.without_run.bars
    shock_day = None
    ev = ab.with_run.events
    shocks = ev[ev["kind"] == "shock"]
    if len(shocks):
        shock_day = int(shocks["day"].min())

    symbols = list(dict.fromkeys(with_bars["instrument"]))
    fig, axes = plt.subplots(len(symbols), 1, figsize=(11, 4.2 * len(symbols)), sharex=True)
    if len(symbols) == 1:
        axes = [axes]
    for ax, sym in zip(axes, symbols):
        w = with_bars[with_bars["instrument"] == sym]
        wo = without_bars[without_bars["instrument"] == sym]
        # x: trading days, each session's bars spread over [day - 1, day).
        per_day = w.groupby("day")["bar"].transform("max")
        x_w = (w["day"] - 1) + (w["bar"] - 1) / per_day
        per_day_wo = wo.groupby("day")["bar"].transform("max")
        x_wo = (wo["day"] - 1) + (wo["bar"] - 1) / per_day_wo
        base = w["close"].iloc[0]
        ax.plot(x_w, w["fundamental"] / base * 100, color="0.55", lw=1.0, ls="--",
                label="fundamental value (the same in both runs)")
        ax.plot(x_wo, wo["close"] / base * 100, color="tab:blue", lw=1.1,
                label="without vol-target, LETF, CTA, dealer")
        ax.plot(x_w, w["close"] / base * 100, color="tab:red", lw=1.1,
                label="with the mechanical agents")
        if shock_day is not None:
            ax.axvline(shock_day - 1, color="k", lw=0.8, ls=":")
            ax.annotate("volatility shock", (shock_day - 1, ax.get_ylim()[1]),
                        xytext=(4, -14), textcoords="offset points", fontsize=9)
        inst = next(i for i in ab.summary["instruments"] if i["symbol"] == sym)
        ax.set_title(
            f"{sym}: max drawdown {inst['drawdown_with'] * 100:.1f}% with, "
            f"{inst['drawdown_without'] * 100:.1f}% without "
            f"(×{inst['drawdown_amplification']:.2f})",
            fontsize=11,
        )
        ax.set_ylabel(f"{sym} price (start = 100)")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower left", fontsize=9)
    axes[-1].set_xlabel("trading days since the start (day k spans k-1 to k; 1-minute closes)")
    axes[-1].set_xticks(range(0, int(with_bars["day"].max()) + 1, 2))
    fig.suptitle(
        "Deleveraging cascade (experiments/deleveraging_cascade.toml, seed "
        f"{ab.summary['seed']}): same seed with and without the mechanical agents",
        fontsize=12,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"chart: {out}")
    for inst in ab.summary["instruments"]:
        print(
            f"  {inst['symbol']}: drawdown {inst['drawdown_with'] * 100:.2f}% with, "
            f"{inst['drawdown_without'] * 100:.2f}% without (×{inst['drawdown_amplification']:.2f})"
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("cascade.png"))

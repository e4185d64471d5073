"""The Python package end to end: runs, tables against the CSV files, located errors, dict
scenarios and overrides, ablation, sweep, validate, monitor and score on the shipped data."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import flowsim

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
TINY = DATA / "tiny.toml"

COLUMNS = {
    "trades": ["time_ns", "day", "instrument", "price_ticks", "price", "qty", "aggressor",
               "buyer", "seller", "buyer_class", "seller_class", "buy_motive", "sell_motive",
               "time"],
    "bars": ["day", "bar", "time_ns", "instrument", "open", "high", "low", "close", "volume",
             "trades", "vwap", "fundamental", "best_bid", "best_ask", "time", "bid_depth",
             "ask_depth", "bid_depth_1pct", "ask_depth_1pct"],
    "flows": ["day", "bar", "time_ns", "instrument", "class", "motive", "buy_units",
              "sell_units", "net_units", "buy_usd", "sell_usd", "net_usd", "time"],
    "positions": ["day", "instrument", "class", "agents", "position_units", "exposure_usd",
                  "cash_usd", "date"],
    "events": ["time_ns", "day", "kind", "instrument", "value", "detail", "time"],
    "state": ["day", "time_ns", "agent", "class", "instrument", "metric", "at", "value", "time"],
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return flowsim.run(TINY, out=tmp_path_factory.mktemp("runs") / "tiny")


def test_run_tables_have_the_csv_columns_and_values(tiny):
    assert tiny.summary["scenario"] == "tiny"
    assert tiny.summary["days"] == 2
    for name, cols in COLUMNS.items():
        df = getattr(tiny, name)
        assert list(df.columns) == cols, name
        csv = pd.read_csv(tiny.path / f"{name}.csv", keep_default_na=False, na_values=[""])
        assert list(csv.columns) == cols, name
        assert len(df) == len(csv), name
        for c in cols:
            a, b = df[c], csv[c]
            if c in ("time", "date"):
                # Real time stamps: ISO 8601 text in CSV, a datetime in the DataFrame.
                b = pd.to_datetime(b, utc=(c == "time"))
                assert (a == b).all(), f"{name}.{c}"
            elif pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
                np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=1e-12,
                                           equal_nan=True, err_msg=f"{name}.{c}")
            else:
                assert a.fillna("").astype(str).tolist() == b.fillna("").astype(str).tolist(), \
                    f"{name}.{c}"
    assert len(tiny.trades) > 100
    # time_ns: nanoseconds since midnight of day 1.
    t = tiny.trades
    assert ((t["time_ns"] // flowsim.DAY_NS + 1) == t["day"]).all()
    # Every run is dated: day 1 is the scenario's start_date, and `time` is that day's clock.
    cal = tiny.calendar
    assert cal["day"].tolist() == [1, 2]
    first = t["time"].min().tz_convert("America/New_York")
    assert first.date() == cal["date"][0].date() and first.hour == 9 and first.minute >= 30


def test_run_matches_summary_counts(tiny):
    assert tiny.summary["counts"]["trades"] == len(tiny.trades)


def test_temporary_run_lives_with_the_object():
    r = flowsim.run(TINY, overrides={"days": 1})
    path = r.path
    assert path.is_dir() and r.summary["days"] == 1
    del r
    import gc

    gc.collect()
    assert not path.exists()


def test_dated_run_has_real_timestamps(tmp_path):
    r = flowsim.run(DATA / "tiny_dated.toml", out=tmp_path / "dated")
    cal = r.calendar
    assert cal["date"].dt.strftime("%Y-%m-%d").tolist() == ["2018-01-29", "2018-01-30"]
    t = r.trades
    assert str(t["time"].dtype).startswith("datetime64[ns, UTC]")
    first = t["time"].min().tz_convert("America/New_York")
    # The first trade of day 1 (Monday 29 Jan 2018) is at or after the 09:30 open.
    assert first.date().isoformat() == "2018-01-29" and (first.hour, first.minute) >= (9, 30)
    assert (r.positions["date"].dt.year == 2018).all()


def test_bad_scenario_raises_the_located_error():
    with pytest.raises(flowsim.ScenarioError) as e:
        flowsim.run(DATA / "bad.toml")
    msg = str(e.value)
    assert f"{DATA / 'bad.toml'}:9:" in msg
    assert "instruments[0].tick_size" in msg
    assert "must be positive" in msg
    assert isinstance(e.value, flowsim.FlowsimError)


def test_missing_file_and_bad_override_raise():
    with pytest.raises(flowsim.ScenarioError, match="no_such.toml: cannot read the scenario"):
        flowsim.run(DATA / "no_such.toml")
    with pytest.raises(flowsim.ScenarioError, match=r"tiny.toml:\d+:\d+: `agents.noise.count`"):
        flowsim.run(TINY, overrides={"agents.noise.count": -4})
    with pytest.raises(flowsim.ScenarioError, match="unknown field"):
        flowsim.run(TINY, overrides={"agents.noise.no_such_key": 1})
    with pytest.raises(flowsim.ScenarioError, match="dotted path"):
        flowsim.run(TINY, overrides={"agents..count": 1})


def test_dict_scenario_text_and_overrides(tmp_path):
    scenario = {
        "name": "from_dict",
        "seed": 3,
        "days": 2,
        "prehistory": {"kind": "synthetic", "days": 30},
        "instruments": [{"symbol": "SPX", "initial_price": 5000.0, "tick_size": 0.25,
                         "notional_per_unit": 50.0}],
        "agents": {"market_maker": {"count": 2}, "noise": {"count": 20}},
    }
    r = flowsim.run(scenario, overrides={"days": 1, "agents.noise.count": 25}, seed=9)
    assert r.summary["scenario"] == "from_dict"
    assert r.summary["days"] == 1 and r.seed == 9
    assert r.bars["day"].max() == 1
    text = TINY.read_text()
    a = flowsim.run(text, seed=7, out=tmp_path / "a")
    b = flowsim.run(TINY, seed=7, out=tmp_path / "b")
    pd.testing.assert_frame_equal(a.trades, b.trades)
    with pytest.raises(flowsim.ScenarioError, match=r"<dict>:.*instruments"):
        flowsim.run({"name": "x", "days": 2})
    with pytest.raises(flowsim.ScenarioError, match="cannot be written"):
        flowsim.run({"name": object()})


def test_existing_output_needs_force(tiny):
    with pytest.raises(flowsim.RunError, match="exists"):
        flowsim.run(TINY, out=tiny.path)


def test_report(tiny, tmp_path):
    html = tiny.report()
    assert html == tiny.path / "report.html" and html.is_file()
    copy = tiny.report(tmp_path / "rep")
    assert copy.is_file() and (tmp_path / "rep" / "charts").is_dir()


def test_ablate(tmp_path):
    a = flowsim.ablate(TINY, without=["vol_target"], out=tmp_path / "abl")
    assert a.summary["without"] == ["vol_target"]
    assert "vol_target" in set(a.with_run.positions["class"])
    assert "vol_target" not in set(a.without_run.positions["class"])
    assert len(a.difference) > 0
    with pytest.raises(flowsim.ScenarioError, match="without"):
        flowsim.ablate(TINY, without="no_such_class")


def test_sweep_resumes(tmp_path):
    out = tmp_path / "sweep"
    table = flowsim.sweep(ROOT / "tests/data/sweep/tiny_sweep.toml", out, threads=2,
                          charts=False)
    assert len(table) == 4
    assert "agents.noise.count" in table.columns
    assert sorted(table["seed"].tolist()) == [1, 1, 2, 2]
    again = flowsim.sweep(ROOT / "tests/data/sweep/tiny_sweep.toml", out, threads=2,
                          charts=False)
    pd.testing.assert_frame_equal(table, again)


def test_validate():
    lines = flowsim.validate(ROOT / "experiments/deleveraging_cascade.toml",
                             ROOT / "experiments/baseline_sweep.toml")
    assert lines[0].startswith("deleveraging_cascade: 20 days")
    assert lines[1].startswith("sweep of")
    with pytest.raises(flowsim.ScenarioError, match=r"bad.toml:9: `instruments\[0\].tick_size`"):
        flowsim.validate([TINY, DATA / "bad.toml"])


def test_monitor_on_shipped_history(tmp_path):
    m = flowsim.monitor({"SPX": ROOT / "data/history/sp500.csv"}, start="2018-01-02",
                        end="2018-02-28", out=tmp_path / "mon")
    p = m.positioning
    assert list(p.columns) == ["date", "symbol", "class", "metric", "value"]
    assert p["date"].min() == pd.Timestamp("2018-01-02")
    assert p["date"].max() == pd.Timestamp("2018-02-28")
    assert {"vol_target", "cta"} <= set(p["class"])
    assert m.ladder_date == "2018-02-28"
    assert len(m.ladder) > 0
    assert m.report_path.is_file()
    with pytest.raises(flowsim.HistoryError, match="after"):
        flowsim.monitor({"SPX": ROOT / "data/history/sp500.csv"}, start="2018-03-01",
                        end="2018-02-01")
    with pytest.raises(flowsim.HistoryError, match="no_such.csv"):
        flowsim.monitor({"SPX": ROOT / "data/history/no_such.csv"})


def test_score_on_shipped_data():
    s = flowsim.score(ROOT / "validation/estimates.toml", histories={
        "SPX": ROOT / "data/history/sp500.csv", "NDX": ROOT / "data/history/nasdaq.csv"})
    assert list(s.columns) == ["entry", "quantity", "published", "flowsim", "ratio",
                               "verdict", "missing", "calibration"]
    counts = s["verdict"].value_counts().to_dict()
    assert counts.get("pass", 0) == 2 and counts.get("fail", 0) == 0
    assert counts.get("needs data", 0) == 31


def test_ladder_columns_and_exception_names(tmp_path):
    m = flowsim.monitor({"SPX": ROOT / "data/history/sp500.csv"}, start="2018-01-02",
                        end="2018-01-31")
    assert list(m.ladder.columns) == ["date", "move", "symbol", "class", "tomorrow_usd",
                                      "following_days_usd", "total_usd"]
    assert flowsim.ScenarioError.__module__ == "flowsim"
    assert issubclass(flowsim.CostError, flowsim.FlowsimError)

"""flowsim from Python: run scenarios, ablations, sweeps, the real-history monitor and the
score, and get the results as pandas DataFrames.

Everything is computed by the Rust library (the same functions the ``flowsim`` command line
calls); this package only converts arguments and reads the files the library wrote (Parquet,
through pyarrow) into DataFrames.

Times
-----
Records of a run carry ``day`` (1 is the first simulated day) and, for trades, bars, flows,
events and state, ``time_ns``: nanoseconds since midnight of simulated day 1 (each day is 24
hours of the clock, weekends and holidays are not counted), so ``time_ns // DAY_NS + 1`` is the
day and ``time_ns % DAY_NS`` the time of day in the exchange's local time (the scenario's
``[calendar]`` hours: by default the session opens at 09:30 and closes at 16:00). Every run is
dated: ``calendar.csv`` maps each simulated day to a US trading date (from the scenario's
``start_date``, or the trading days after a dated pre-history), and the tables carry the
library's own real time stamps: ``time`` (``datetime64[ns, UTC]``) beside ``time_ns``, and
``date`` in ``positions``. This package adds no columns of its own.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _flowsim
from ._flowsim import CostError, FlowsimError, HistoryError, RunError, ScenarioError

__version__ = _flowsim.__version__

__all__ = [
    "Ablation",
    "CostError",
    "FlowsimError",
    "HistoryError",
    "Monitor",
    "Run",
    "RunError",
    "ScenarioError",
    "ablate",
    "agent_classes",
    "monitor",
    "run",
    "score",
    "sweep",
    "validate",
]

#: Nanoseconds in a simulated day: ``time_ns // DAY_NS + 1`` is the record's day.
DAY_NS = 86_400_000_000_000

TABLES = ("trades", "bars", "flows", "positions", "events", "state")

Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def _scenario_arg(scenario: Scenario):
    """(kind, value) for the native module: a path, TOML text or a dict."""
    if isinstance(scenario, Mapping):
        return "dict", dict(scenario)
    if isinstance(scenario, os.PathLike):
        return "path", os.fspath(scenario)
    if isinstance(scenario, str):
        # TOML text always has a `key = value` or a `[table]`; a file name has neither.
        if "\n" in scenario or "=" in scenario:
            return "text", scenario
        return "path", scenario
    raise TypeError(
        f"scenario must be a path, TOML text or a dict, not {type(scenario).__name__}"
    )


def _overrides_arg(overrides: Optional[Mapping[str, Any]]):
    if overrides is None:
        return None
    if not isinstance(overrides, Mapping):
        raise TypeError("overrides must be a dict of dotted path to value")
    return dict(overrides)


def _fresh_out(prefix: str):
    """A temporary folder and the path inside it to write into (which must not exist yet)."""
    tmp = tempfile.TemporaryDirectory(prefix=f"flowsim-{prefix}-")
    return tmp, Path(tmp.name) / prefix


class Run:
    """A finished run folder and its tables.

    Attributes are read lazily from the folder's Parquet files and cached: ``trades``,
    ``bars``, ``flows``, ``positions``, ``events`` and ``state`` are DataFrames with the
    columns of the CSV files of the same names (see the README's run folder description; ``time``
    is a UTC timestamp here, ISO 8601 text in the CSV files). ``summary``
    is ``summary.json`` as a dict. A run made with ``out=None`` lives in a temporary folder
    deleted when this object is garbage collected; pass ``out`` to keep it.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], _tmp: Any = None):
        self.path = Path(path)
        self._tmp = _tmp  # keeps a temporary folder alive as long as the Run
        self._cache: Dict[str, pd.DataFrame] = {}
        if not (self.path / "summary.json").is_file():
            raise RunError(f"{self.path}: not a flowsim run folder (no summary.json)")

    def __repr__(self) -> str:
        s = self.summary
        return f"Run({str(self.path)!r}, scenario={s.get('scenario')!r}, seed={s.get('seed')})"

    @property
    def summary(self) -> Dict[str, Any]:
        """``summary.json``: version, scenario name and SHA-256, seed, days, counts, key
        numbers per instrument."""
        return json.loads((self.path / "summary.json").read_text())

    @property
    def seed(self) -> int:
        return int(self.summary["seed"])

    @property
    def calendar(self) -> Optional[pd.DataFrame]:
        """``calendar.csv`` (day, date): the trading date of each simulated day (``None`` for a
        folder written before runs were dated)."""
        f = self.path / "calendar.csv"
        if not f.is_file():
            return None
        cal = pd.read_csv(f)
        cal["date"] = pd.to_datetime(cal["date"])
        return cal

    def _table(self, name: str) -> pd.DataFrame:
        if name in self._cache:
            return self._cache[name]
        f = self.path / f"{name}.parquet"
        if not f.is_file():
            if name == "trades" and (self.path / "summary.json").is_file():
                raise RunError(
                    f"{self.path}: this run recorded no trades ([record] trades = false)"
                )
            raise RunError(f"{f}: missing")
        df = pd.read_parquet(f, engine="pyarrow")
        # Parquet DATE columns arrive as Python dates: make them pandas datetimes.
        if "date" in df.columns:
            df["date"] = pd.to_datetime(df["date"])
        self._cache[name] = df
        return df

    @property
    def trades(self) -> pd.DataFrame:
        """Every execution: time_ns, day, instrument, price_ticks, price, qty, aggressor
        (None for an auction), buyer, seller, their classes and motives."""
        return self._table("trades")

    @property
    def bars(self) -> pd.DataFrame:
        """Bars per instrument (OHLC, volume, trades, vwap, fundamental, best bid and ask);
        ``time_ns`` is the bar's end."""
        return self._table("bars")

    @property
    def flows(self) -> pd.DataFrame:
        """Net flow per bar by instrument, agent class and motive, in units and dollars."""
        return self._table("flows")

    @property
    def positions(self) -> pd.DataFrame:
        """Daily positions, exposures and cash by instrument and class."""
        return self._table("positions")

    @property
    def events(self) -> pd.DataFrame:
        """Auctions, halts, shocks, margin calls, stop-outs, option expiries."""
        return self._table("events")

    @property
    def state(self) -> pd.DataFrame:
        """Each agent's daily state, long: agent, class, instrument, metric, at, value."""
        return self._table("state")

    def report(self, path: Union[str, "os.PathLike[str]", None] = None) -> Path:
        """Draws the charts and writes ``report.html`` (the library's run report, the same as
        ``flowsim report DIR``). By default into the run folder; with ``path``, a folder that
        receives ``report.html`` and ``charts/``. Returns the report's path."""
        html = Path(_flowsim.report(str(self.path)))
        if path is None:
            return html
        import shutil

        dest = Path(path)
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.path / "charts", dest / "charts", dirs_exist_ok=True)
        shutil.copy2(html, dest / "report.html")
        return dest / "report.html"


def run(
    scenario: Scenario,
    seed: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    *,
    force: bool = False,
    report: bool = False,
    calibration: bool = False,
    yes: bool = False,
) -> Run:
    """Runs a scenario and returns its :class:`Run`.

    scenario: a path to a scenario file, TOML text, or a dict of the same tables (relative
        paths in text or a dict, e.g. a pre-history file, are relative to the current
        directory; errors name the file ``<string>`` or ``<dict>``).
    seed: master seed (default: the scenario's ``seed``).
    overrides: parameters by dotted path as in sweep files, e.g.
        ``{"days": 2, "agents.noise.count": 40, "instruments.0.annual_vol": 0.3}``.
    out: the run folder to write (written atomically; an existing run folder is replaced only
        with ``force=True``). ``None``: a temporary folder, deleted with the Run object.
    report: also draw the charts and ``report.html`` (``Run.report()`` does it later).
    calibration: also write the book calibration summary.
    yes: run even when the cost estimate is above the limits (else :class:`CostError`).

    Runs always write Parquet (``[record] parquet`` is forced on) so the tables load
    quickly. The GIL is released while the simulation runs (other Python threads go on; a
    Ctrl-C is seen when the run returns). A scenario that cannot be read
    raises :class:`ScenarioError` with the command line's ``file:line: `field`: problem``.
    """
    kind, value = _scenario_arg(scenario)
    tmp = None
    if out is None:
        tmp, out = _fresh_out("run")
    dest = _flowsim.run(
        kind,
        value,
        os.fspath(out),
        seed=seed,
        overrides=_overrides_arg(overrides),
        force=force,
        report=report,
        calibration=calibration,
        yes=yes,
    )
    return Run(dest, _tmp=tmp)


class Ablation:
    """A run with and without some agent classes (same seed, other agents' draws unchanged).

    ``with_run`` and ``without_run`` are the two :class:`Run` objects, ``summary`` is
    ``ablation.json`` (drawdown and rally with and without, their ratio, the largest price
    difference, per instrument) and ``difference`` is ``difference.csv`` (the price path with
    over without)."""

    def __init__(self, path: Union[str, "os.PathLike[str]"], _tmp: Any = None):
        self.path = Path(path)
        self._tmp = _tmp
        self.with_run = Run(self.path / "with", _tmp=_tmp)
        self.without_run = Run(self.path / "without", _tmp=_tmp)

    def __repr__(self) -> str:
        return f"Ablation({str(self.path)!r}, without={self.summary.get('without')})"

    @property
    def summary(self) -> Dict[str, Any]:
        return json.loads((self.path / "ablation.json").read_text())

    @property
    def difference(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "difference.csv")


def ablate(
    scenario: Scenario,
    without: Union[str, Sequence[str]],
    seed: Optional[int] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    *,
    force: bool = False,
    yes: bool = False,
) -> Ablation:
    """Runs ``scenario`` with and without the classes ``without`` (names as in
    ``flowsim ablate --without``: vol_target, letf, cta, dealer, short_seller, hedger,
    real_money, market_maker, noise, value, exogenous, options_customer, or ``mechanical``;
    a list or a comma-separated string). ``scenario``, ``seed``, ``overrides``, ``out`` and
    ``yes`` as in :func:`run`; ``out`` is the ablation folder (``with/``, ``without/``,
    ``ablation.json``, ``difference.csv``)."""
    if not isinstance(without, str):
        without = ",".join(without)
    kind, value = _scenario_arg(scenario)
    tmp = None
    if out is None:
        tmp, out = _fresh_out("ablation")
    dest, _summary = _flowsim.ablate_run(
        kind,
        value,
        without,
        os.fspath(out),
        seed=seed,
        overrides=_overrides_arg(overrides),
        force=force,
        yes=yes,
    )
    return Ablation(dest, _tmp=tmp)


def sweep(
    path: Union[str, "os.PathLike[str]"],
    out: Union[str, "os.PathLike[str]", None] = None,
    *,
    threads: Optional[int] = None,
    charts: bool = True,
    yes: bool = False,
) -> pd.DataFrame:
    """Runs a sweep file (every grid point × seed, on ``threads`` threads, default all cores)
    into ``out`` and returns the sweep table (``sweep.parquet``: a row per run, the
    parameters' columns and the runs' key numbers).

    Resumable: running again into the same ``out`` skips finished runs and retries failed
    ones. ``out=None`` uses a temporary folder (not resumable; the table is returned and the
    folder deleted). The returned DataFrame's ``attrs["path"]`` is the folder. Raises
    :class:`RunError` if any run failed (they are listed in ``failures.csv``)."""
    tmp = None
    if out is None:
        tmp, out = _fresh_out("sweep")
    dest = Path(_flowsim.sweep(os.fspath(path), os.fspath(out), threads, charts, yes))
    table = pd.read_parquet(dest / "sweep.parquet", engine="pyarrow")
    table.attrs["path"] = None if tmp is not None else str(dest)
    if tmp is not None:
        tmp.cleanup()
    return table


def validate(*paths: Union[str, "os.PathLike[str]"]) -> List[str]:
    """Checks scenario and sweep files as ``flowsim validate`` does (syntax, types, ranges,
    a build; every point of a sweep). Returns one line per file (what it is and its cost
    estimate); raises :class:`ScenarioError` naming every invalid file, one problem a line."""
    if len(paths) == 1 and not isinstance(paths[0], (str, os.PathLike)):
        paths = tuple(paths[0])  # validate([a, b]) as well as validate(a, b)
    return _flowsim.validate([os.fspath(p) for p in paths])


class Monitor:
    """The monitor's folder: ``positioning`` (long table: date, symbol, class, metric,
    value), ``ladder`` (``ladder.csv``: each class's flow in dollars for hypothetical index
    moves tomorrow: date, move, symbol, class, tomorrow_usd, following_days_usd, total_usd),
    ``ladder_date``, and ``report_path`` (``report.html``)."""

    def __init__(self, path: Union[str, "os.PathLike[str]"], ladder_date: Optional[str], _tmp: Any = None):
        self.path = Path(path)
        self.ladder_date = ladder_date
        self._tmp = _tmp
        self._positioning: Optional[pd.DataFrame] = None

    def __repr__(self) -> str:
        return f"Monitor({str(self.path)!r}, ladder_date={self.ladder_date!r})"

    @property
    def positioning(self) -> pd.DataFrame:
        if self._positioning is None:
            df = pd.read_parquet(self.path / "positioning.parquet", engine="pyarrow")
            df["date"] = pd.to_datetime(df["date"])
            self._positioning = df
        return self._positioning

    @property
    def ladder(self) -> pd.DataFrame:
        return pd.read_csv(self.path / "ladder.csv")

    @property
    def report_path(self) -> Path:
        return self.path / "report.html"


def _histories(histories: Union[Mapping[str, Any], Iterable[Any]]):
    if isinstance(histories, Mapping):
        return [(str(k), os.fspath(v)) for k, v in histories.items()]
    out = []
    for h in histories:
        if isinstance(h, str) and "=" in h:
            sym, f = h.split("=", 1)
            out.append((sym.strip(), f.strip()))
        else:
            sym, f = h
            out.append((str(sym), os.fspath(f)))
    return out


def _opt_path(p):
    return None if p is None else os.fspath(p)


def _opt_date(d):
    return None if d is None else str(d)[:10]


def monitor(
    histories: Union[Mapping[str, Any], Iterable[Any]],
    *,
    vix: Union[str, "os.PathLike[str]", None] = None,
    bonds: Union[str, "os.PathLike[str]", None] = None,
    start: Any = None,
    end: Any = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    ladder_date: Any = None,
    date_column: Optional[str] = None,
    close_column: str = "close",
    out: Union[str, "os.PathLike[str]", None] = None,
    force: bool = False,
) -> Monitor:
    """Runs the mechanical classes' own rules open-loop on real daily closes
    (``flowsim monitor``).

    histories: ``{"SPX": "data/history/sp500.csv", ...}`` (or ``["SPX=…"]``); the first is
        the default instrument of the class tables.
    vix, bonds: optional VIX closes and a bond total-return series (for balanced funds).
    start, end: first and last dates reported (``"YYYY-MM-DD"``, a date or a Timestamp).
    config: a ``monitor.toml``; default: the scenario defaults.
    ladder_date: the flow ladder's date (default: the config's, else the last day reported).
    out: the output folder (``None``: a temporary one, deleted with the Monitor object).
    """
    tmp = None
    if out is None:
        tmp, out = _fresh_out("monitor")
    dest, ladder = _flowsim.monitor_run(
        _histories(histories),
        os.fspath(out),
        vix=_opt_path(vix),
        bonds=_opt_path(bonds),
        start=_opt_date(start),
        end=_opt_date(end),
        config=_opt_path(config),
        ladder_date=_opt_date(ladder_date),
        date_column=date_column,
        close_column=close_column,
        force=force,
    )
    return Monitor(dest, ladder, _tmp=tmp)


def score(
    catalogue: Union[str, "os.PathLike[str]"] = "validation/estimates.toml",
    *,
    histories: Union[Mapping[str, Any], Iterable[Any], None] = None,
    bonds: Union[str, "os.PathLike[str]", None] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
) -> pd.DataFrame:
    """Scores the monitor against published estimates (``flowsim score``): one row per
    catalogue entry with entry, quantity, published, flowsim, ratio, verdict (``pass``,
    ``fail`` or ``needs data``), missing (what data an entry needs) and calibration.

    Defaults are the command line's, relative to the current directory: the catalogue
    ``validation/estimates.toml`` and the histories ``SPX=data/history/sp500.csv`` and
    ``NDX=data/history/nasdaq.csv``. Unlike the command line, a failed entry does not raise:
    look at the ``verdict`` column."""
    cols = _flowsim.score(
        os.fspath(catalogue),
        histories=None if histories is None else _histories(histories),
        bonds=_opt_path(bonds),
        config=_opt_path(config),
    )
    return pd.DataFrame(cols)


def agent_classes() -> List[str]:
    """The agent class names :func:`ablate` takes (besides ``mechanical``)."""
    return list(_flowsim.agent_classes())

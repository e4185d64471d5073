"""Type stubs of the native module (python/src/lib.rs). Use the wrappers in ``flowsim``
rather than these functions: they return paths and plain columns, not DataFrames."""

from typing import Any, Dict, List, Optional, Tuple

__version__: str

class FlowsimError(Exception):
    """Base class of every error flowsim raises."""

class ScenarioError(FlowsimError):
    """A scenario, sweep or settings file, dict or override that cannot be read or is invalid:
    ``file:line: `field`: problem``, one line per problem."""

class RunError(FlowsimError):
    """A run, ablation or sweep that could not be built, run or written."""

class CostError(FlowsimError):
    """Work estimated above the limits; pass ``yes=True`` to start it anyway."""

class HistoryError(FlowsimError):
    """A history file, monitor setting or date that cannot be read:
    ``file:line: column: problem``."""

def run(
    kind: str,
    value: Any,
    out: str,
    seed: Optional[int] = None,
    overrides: Optional[Dict[str, Any]] = None,
    force: bool = False,
    report: bool = False,
    calibration: bool = False,
    yes: bool = False,
) -> str: ...
def report(dir: str) -> str: ...
def ablate_run(
    kind: str,
    value: Any,
    without: str,
    out: str,
    seed: Optional[int] = None,
    overrides: Optional[Dict[str, Any]] = None,
    force: bool = False,
    yes: bool = False,
) -> Tuple[str, str]: ...
def sweep(
    path: str,
    out: str,
    threads: Optional[int] = None,
    charts: bool = True,
    yes: bool = False,
) -> str: ...
def validate(paths: List[str]) -> List[str]: ...
def monitor_run(
    histories: List[Tuple[str, str]],
    out: str,
    vix: Optional[str] = None,
    bonds: Optional[str] = None,
    start: Optional[str] = None,
    end: Optional[str] = None,
    config: Optional[str] = None,
    ladder_date: Optional[str] = None,
    date_column: Optional[str] = None,
    close_column: str = "close",
    force: bool = False,
) -> Tuple[str, Optional[str]]: ...
def score(
    catalogue: str,
    histories: Optional[List[Tuple[str, str]]] = None,
    bonds: Optional[str] = None,
    config: Optional[str] = None,
) -> Dict[str, List[Any]]: ...
def agent_classes() -> List[str]: ...

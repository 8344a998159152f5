"""What a check returns (or carries in its assertion error), and who is told about it.

Every ``assert_*`` function builds one :class:`CheckResult`, tells the registered listeners
(the pytest plugin records them for its summary and JSON report), then returns it or raises.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aequa.testing._errors import AequaAssertionError

if TYPE_CHECKING:  # the pytest plugin imports this module; the extension and pandas load later
    from aequa.report import Report

__all__ = ["CheckResult"]

_listeners: list[Callable[[CheckResult], None]] = []
_default_seed: list[int | None] = [None]


@dataclass
class CheckResult:
    """The outcome of one ``assert_*`` check.

    Attributes
    ----------
    check : {"fairness", "drift", "robustness", "explanation"}
    name : str
        What was measured, e.g. ``"demographic_parity difference (between_groups)"``.
    passed : bool
    value : float
        The measured number that was compared (the worst case when there are several).
    threshold : float
    operator : {"<=", ">="}
        ``passed`` means ``value operator threshold`` (or, with ``significance``, that the
        interval does not exclude it).
    interval : tuple of float or None
        The bootstrap interval of ``value``, when computed.
    significance : float or None
        The ``alpha`` of significance mode, else ``None``.
    n : int
        Rows the check saw.
    seed : int or None
        The seed of any random procedure (re-run with it to reproduce).
    details : dict
        JSON-ready specifics (per-group rows, per-column tests, ...).
    message : str
        The text an assertion error carries (also set when the check passed).
    report : Report or None
        The aequa report behind the check (``MetricFrame``, ``DriftReport``, ...).
    """

    check: str
    name: str
    passed: bool
    value: float
    threshold: float
    operator: str
    interval: tuple[float, float] | None = None
    significance: float | None = None
    n: int = 0
    seed: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    report: Report | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.passed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes ``None``; the report is left out)."""
        return {
            "check": self.check,
            "name": self.name,
            "passed": self.passed,
            "value": _json_num(self.value),
            "threshold": _json_num(self.threshold),
            "operator": self.operator,
            "interval": None if self.interval is None else [_json_num(v) for v in self.interval],
            "significance": self.significance,
            "n": self.n,
            "seed": self.seed,
            "details": _jsonable(self.details),
            "message": self.message,
        }


def _json_num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else f


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if type(obj).__name__ == "bool_":  # numpy's bool
        return bool(obj)
    if isinstance(obj, int):
        return int(obj)
    try:
        return _json_num(obj)
    except (TypeError, ValueError):
        return str(obj)


def add_listener(listener: Callable[[CheckResult], None]) -> None:
    """Call ``listener(result)`` after every check (used by the pytest plugin)."""
    _listeners.append(listener)


def remove_listener(listener: Callable[[CheckResult], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def set_default_seed(seed: int | None) -> None:
    """The seed checks use when called with ``random_state=None`` (``--aequa-seed``)."""
    _default_seed[0] = seed


def resolve_seed(random_state: Any) -> int:
    """An explicit seed in ``[0, 2**32)``; ``None`` gives the default or a fresh one."""
    from aequa._core import InvalidArgumentError

    if random_state is None:
        default = _default_seed[0]
        return secrets.randbelow(2**32) if default is None else int(default)
    if isinstance(random_state, bool) or not isinstance(random_state, int):
        try:
            import numpy as np

            if isinstance(random_state, np.integer):
                random_state = int(random_state)
        except ImportError:  # pragma: no cover
            pass
    if isinstance(random_state, bool) or not isinstance(random_state, int):
        raise InvalidArgumentError(
            f"random_state: expected an integer seed in [0, 2**32) or None, found {random_state!r}"
        )
    if not 0 <= random_state < 2**32:
        raise InvalidArgumentError(
            f"random_state: expected an integer seed in [0, 2**32) or None, found {random_state}"
        )
    return random_state


def finish(result: CheckResult, error: type[AequaAssertionError]) -> CheckResult:
    """Tell the listeners, then return the result or raise ``error`` with its message."""
    for listener in list(_listeners):
        listener(result)
    if not result.passed:
        raise error(result.message, result)
    return result


def fmt(v: Any, digits: int = 4) -> str:
    """A number for a message: 4 significant digits, ``nan`` as ``undefined``."""
    if v is None:
        return "undefined"
    f = float(v)
    if math.isnan(f):
        return "undefined"
    return f"{f:.{digits}g}"


def table(header: list[str], rows: list[list[str]], indent: str = "  ") -> str:
    """A plain-text table, columns padded, numbers right-aligned."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in
              enumerate(header)]  # fmt: skip
    lines = []
    for row in [header, *rows]:
        cells = []
        for i, cell in enumerate(row):
            numeric = i > 0 and _looks_numeric(cell)
            cells.append(cell.rjust(widths[i]) if numeric else cell.ljust(widths[i]))
        lines.append((indent + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _looks_numeric(cell: str) -> bool:
    if cell == "-":
        return True
    head = cell.lstrip("-[")
    return bool(head) and (head[0].isdigit() or head.startswith("undefined"))

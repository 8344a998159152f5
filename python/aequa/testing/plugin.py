"""The pytest plugin of aequa (registered as the ``pytest11`` entry point ``aequa``).

- marker ``@pytest.mark.fairness``: tags bias checks (``pytest -m fairness`` runs them); a
  marked test that runs no aequa check is listed in the summary.
- fixtures ``aequa_check`` (the checks, with this test's results) and ``aequa_adult`` (the
  vendored UCI Adult data, a fresh copy per test).
- options ``--aequa-report PATH`` (every check's result as JSON) and ``--aequa-seed N`` (the
  seed of checks called with ``random_state=None``).
- a terminal summary of every check run: pass/fail, metric, value, threshold, interval.

The installed wheel loads it automatically (``-p no:aequa`` turns it off). From a source
tree without the entry point, load it with ``pytest -p aequa.testing.plugin`` — but not both:
pytest refuses one plugin registered under two names. Under pytest-xdist each worker keeps
its own records, so the summary and report cover the controller's process only.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aequa.testing._result import (
    CheckResult,
    _default_seed,
    add_listener,
    fmt,
    remove_listener,
    set_default_seed,
)

__all__ = ["CheckRecorder"]

_MARKER = (
    "fairness: a bias check (fairness, drift, robustness or explanation stability); "
    "select with -m fairness; aequa's summary lists each check it runs"
)


class _State:
    """Every check of the session, with the test that ran it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: list[tuple[str, CheckResult]] = []
        self.unchecked: list[str] = []
        self.current: str | None = None
        self.previous_seed = _default_seed[0]

    def listen(self, result: CheckResult) -> None:
        self.records.append((self.current or "(outside a test)", result))

    def document(self) -> dict[str, Any]:
        from aequa import __version__

        failed = sum(not r.passed for _, r in self.records)
        return {
            "schema": "aequa.testing.checks",
            "schema_version": 1,
            "aequa_version": __version__,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "summary": {
                "checks": len(self.records),
                "passed": len(self.records) - failed,
                "failed": failed,
            },
            "checks": [{"test": nodeid, **r.to_dict()} for nodeid, r in self.records],
            "marked_without_checks": list(self.unchecked),
        }


_STATE = pytest.StashKey[_State]()


class CheckRecorder:
    """The ``aequa_check`` fixture: the ``assert_*`` checks, and this test's results."""

    def __init__(self, state: _State, nodeid: str) -> None:
        self._state = state
        self.nodeid = nodeid

    @property
    def results(self) -> list[CheckResult]:
        """The checks this test has run so far (passed and failed)."""
        return [r for nodeid, r in self._state.records if nodeid == self.nodeid]

    def fairness(self, *args: Any, **kwargs: Any) -> CheckResult:
        """:func:`aequa.testing.assert_fairness`."""
        from aequa.testing import assert_fairness

        return assert_fairness(*args, **kwargs)

    def no_drift(self, *args: Any, **kwargs: Any) -> CheckResult:
        """:func:`aequa.testing.assert_no_drift`."""
        from aequa.testing import assert_no_drift

        return assert_no_drift(*args, **kwargs)

    def robust(self, *args: Any, **kwargs: Any) -> CheckResult:
        """:func:`aequa.testing.assert_robust`."""
        from aequa.testing import assert_robust

        return assert_robust(*args, **kwargs)

    def explanation_stable(self, *args: Any, **kwargs: Any) -> CheckResult:
        """:func:`aequa.testing.assert_explanation_stable`."""
        from aequa.testing import assert_explanation_stable

        return assert_explanation_stable(*args, **kwargs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("aequa", "aequa bias checks")
    group.addoption(
        "--aequa-report",
        metavar="PATH",
        default=None,
        help="write every aequa check's result (pass/fail, value, threshold, interval, "
        "per-group details) as JSON to PATH",
    )
    group.addoption(
        "--aequa-seed",
        metavar="N",
        type=int,
        default=None,
        help="seed of aequa checks called with random_state=None (default: a fresh seed, "
        "shown in each failure message)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    state = _State(config)
    config.stash[_STATE] = state
    add_listener(state.listen)
    seed = config.getoption("aequa_seed", None)
    if seed is not None:
        set_default_seed(seed)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        remove_listener(state.listen)
        set_default_seed(state.previous_seed)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    state = item.config.stash[_STATE]
    before = len(state.records)
    state.current = item.nodeid
    try:
        yield
    finally:
        state.current = None
    if item.get_closest_marker("fairness") is not None and len(state.records) == before:
        state.unchecked.append(item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = session.config.stash.get(_STATE, None)
    path = session.config.getoption("aequa_report", None)
    if state is None or path is None:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(state.document(), indent=2, allow_nan=False), encoding="utf-8")


def _line(nodeid: str, r: CheckResult) -> str:
    status = "PASS" if r.passed else "FAIL"
    text = f"{status} {nodeid}: {r.check} {r.name} = {fmt(r.value)} (threshold {r.operator} "
    text += f"{r.threshold:g})"
    if r.interval is not None:
        text += f" interval [{fmt(r.interval[0])}, {fmt(r.interval[1])}]"
    if r.significance is not None:
        text += f" significance {r.significance:g}"
    return text + f" n={r.n}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None or (not state.records and not state.unchecked):
        return
    tr = terminalreporter
    tr.section("aequa checks")
    for nodeid, r in state.records:
        tr.write_line(_line(nodeid, r), green=r.passed, red=not r.passed)
    for nodeid in state.unchecked:
        tr.write_line(f"NONE {nodeid}: marked fairness but ran no aequa check", yellow=True)
    failed = sum(not r.passed for _, r in state.records)
    tr.write_line(
        f"{len(state.records)} aequa checks: {len(state.records) - failed} passed, {failed} failed"
    )
    path = config.getoption("aequa_report", None)
    if path is not None:
        tr.write_line(f"aequa report: {path}")


@pytest.fixture
def aequa_check(request: pytest.FixtureRequest) -> CheckRecorder:
    """The aequa checks (``aequa_check.fairness(...)`` etc.) and this test's results."""
    return CheckRecorder(request.config.stash[_STATE], request.node.nodeid)


@pytest.fixture(scope="session")
def _aequa_adult_frame() -> Any:
    from aequa.datasets import load_adult

    return load_adult("all")


@pytest.fixture
def aequa_adult(_aequa_adult_frame: Any) -> Any:
    """The vendored UCI Adult data (48,842 rows, ``income`` is the label); a fresh copy."""
    return _aequa_adult_frame.copy()

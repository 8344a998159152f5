"""``aequa diff``: compare two reports of the same checks; exit 1 when a metric regressed.

Both files are the JSON ``aequa check --json`` writes, or both are audit bundles. Each number
has a direction: a difference (or a drift share, a flip rate, a ``max`` bound) regresses when it
goes up, a ratio (or a ``min`` bound) when it goes down, a signed AIF360 difference when its
absolute value goes up, a disparate-impact ratio when it moves away from 1. A change worse than
``--tolerance`` is a regression.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from aequa.cli._errors import EXIT_OK, EXIT_VIOLATION, CliError, echo, read_text

_HELP = """Compare two reports of the same checks (a new model version against the one in
production): both `aequa check --json` outputs, or both audit bundles. Prints a table and exits
1 when a metric regressed by more than --tolerance (direction-aware), 2 when the reports do not
hold the same checks or cannot be read."""


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Register ``aequa diff`` and its options on the sub-command parsers."""
    p = sub.add_parser(
        "diff", help="compare two reports; exit 1 on a regression", description=_HELP
    )
    p.add_argument("base", metavar="BASE.json", help="the reference report (production)")
    p.add_argument("new", metavar="NEW.json", help="the candidate report")
    p.add_argument(
        "--tolerance",
        type=float,
        default=0.01,
        metavar="T",
        help="allowed worsening, absolute (default 0.01)",
    )
    p.add_argument("--junit", metavar="OUT.xml", help="write JUnit XML (one testcase per number)")
    p.add_argument("--json", metavar="OUT.json", help="write the comparison as JSON")
    return p


def _load(path: str) -> dict[str, Any]:
    text = read_text(path, "the report")
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise CliError(f"{path}: not JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("schema") not in ("aequa.check", "aequa.bundle"):
        raise CliError(
            f"{path}: expected the JSON of `aequa check --json` or an audit bundle (a "
            '"schema" of aequa.check or aequa.bundle)'
        )
    return doc


def numbers(doc: dict[str, Any]) -> dict[str, tuple[float, str]]:
    """``{id: (value, direction)}`` of every comparable number in a report."""
    out: dict[str, tuple[float, str]] = {}
    if doc["schema"] == "aequa.check":
        for c in doc.get("checks", []):
            out[str(c["id"])] = (_num(c.get("value")), str(c.get("direction", "up")))
        return out
    for entry in doc.get("reports", []):
        rep, title = entry.get("report", {}), entry.get("title", entry.get("kind"))
        if entry.get("kind") == "metric_frame":
            for agg in rep["values"]["aggregates"]:
                ctrl = ",".join(map(str, agg.get("control") or []))
                at = f"{title}: {agg['metric']}" + (f" [{ctrl}]" if ctrl else "")
                out[f"{at} difference"] = (_num(agg.get("difference_between_groups")), "up")
                out[f"{at} ratio"] = (_num(agg.get("ratio_between_groups")), "down")
        elif entry.get("kind") == "drift" and "drift_share" in (rep.get("overall") or {}):
            out[f"{title}: drift share"] = (_num(rep["overall"]["drift_share"]), "up")
        elif entry.get("kind") == "noise_stability":
            for b, v in zip(rep.get("budgets", []), rep.get("flip_rate", [])):
                out[f"{title}: flip rate budget={b:g}"] = (_num(v), "up")
    return out


def _num(v: Any) -> float:
    return float("nan") if v is None else float(v)


def worsening(base: float, new: float, direction: str) -> float:
    """How much worse ``new`` is than ``base`` (negative: better).

    Examples
    --------
    >>> round(worsening(0.10, 0.15, "up"), 2), round(worsening(0.9, 0.8, "down"), 2)
    (0.05, 0.1)
    >>> round(worsening(-0.1, 0.05, "abs_up"), 2), round(worsening(0.9, 1.25, "away_from_one"), 2)
    (-0.05, 0.1)
    """
    if direction == "down":
        return base - new
    if direction == "abs_up":
        return abs(new) - abs(base)
    if direction == "away_from_one":

        def closeness(r: float) -> float:
            return min(r, 1.0 / r) if r > 0 else 0.0

        return closeness(base) - closeness(new)
    return new - base


def run(args: argparse.Namespace) -> int:
    """Run ``aequa diff``; returns the exit code (raises ``CliError`` for exit code 2)."""
    if not (args.tolerance >= 0 and math.isfinite(args.tolerance)):
        raise CliError(f"--tolerance: expected a number >= 0, found {args.tolerance}")
    base_doc, new_doc = _load(args.base), _load(args.new)
    if base_doc["schema"] != new_doc["schema"]:
        raise CliError(
            f"{args.new}: is a {new_doc['schema']} report but {args.base} is a "
            f"{base_doc['schema']} report; compare reports of the same kind"
        )
    base, new = numbers(base_doc), numbers(new_doc)
    only_base = [k for k in base if k not in new]
    only_new = [k for k in new if k not in base]
    if only_base or only_new:
        parts = []
        if only_base:
            parts.append(f"only in {args.base}: {', '.join(only_base[:5])}")
        if only_new:
            parts.append(f"only in {args.new}: {', '.join(only_new[:5])}")
        raise CliError("the reports do not hold the same checks (" + "; ".join(parts) + ")")
    if not base:
        raise CliError(f"{args.base}: the report holds no comparable number")
    rows: list[dict[str, Any]] = []
    for key, (b, d) in base.items():
        n, d_new = new[key]
        if d_new != d:
            raise CliError(f"{key}: its direction changed between the reports ({d} vs {d_new})")
        if math.isnan(b) and math.isnan(n):
            delta, worse, why = 0.0, False, "undefined in both"
        elif math.isnan(n):
            delta, worse, why = math.nan, True, "became undefined"
        elif math.isnan(b):
            delta, worse, why = math.nan, False, "newly defined"
        else:
            delta = worsening(b, n, d)
            worse = delta > args.tolerance
            why = "regressed" if worse else ("improved" if delta < 0 else "ok")
        rows.append(
            {
                "id": key,
                "base": _clean(b),
                "new": _clean(n),
                "direction": d,
                "worsening": _clean(delta),
                "regressed": worse,
                "verdict": why,
                "passed": not worse,
                "table": "diff",
                "message": f"{_s(b)} -> {_s(n)} ({why}; worse by {_s(delta)}, "
                f"tolerance {args.tolerance:g})",
            }
        )
    regressed = [r for r in rows if r["regressed"]]
    if args.json:
        doc = {
            "schema": "aequa.diff",
            "schema_version": 1,
            "base": args.base,
            "new": args.new,
            "tolerance": args.tolerance,
            "regressed": bool(regressed),
            "rows": rows,
            "lineage": {"base": base_doc.get("lineage"), "new": new_doc.get("lineage")},
        }
        try:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(doc, f, indent=2, allow_nan=False)
        except OSError as e:
            raise CliError(f"{args.json}: cannot write ({e.strerror or e})") from None
    if args.junit:
        from aequa.cli import _junit

        props = {"base": args.base, "new": args.new, "tolerance": args.tolerance}
        try:
            _junit.write(args.junit, "aequa diff", rows, props)
        except OSError as e:
            raise CliError(f"{args.junit}: cannot write ({e.strerror or e})") from None
    width = max(len(r["id"]) for r in rows)
    echo(f"{'check':<{width}}  {'base':>9}  {'new':>9}  {'worse by':>9}  verdict")
    for r in rows:
        echo(
            f"{r['id']:<{width}}  {_s(r['base']):>9}  {_s(r['new']):>9}  "
            f"{_s(r['worsening']):>9}  {r['verdict']}"
        )
    echo(f"{len(rows) - len(regressed)} passed, {len(regressed)} failed")
    return EXIT_VIOLATION if regressed else EXIT_OK


def _clean(v: float) -> float | None:
    return None if math.isnan(v) else v


def _s(v: float | None) -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"

"""The numbers a page must show for a report: keyed as the page keys its cells."""

from __future__ import annotations

import json
import math
from typing import Any


def key(group: list[str]) -> str:
    """A group as the page writes it (JavaScript's ``JSON.stringify``)."""
    return json.dumps(group, separators=(",", ":"), ensure_ascii=False)


def frame_cells(report: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    """(group, metric, bound) → value for every cell of the fairness table."""
    out: dict[tuple[str, str, str], Any] = {}
    sections = [("", report["values"])]
    if report.get("intervals"):
        q = report["intervals"]["quantiles"]
        sections += [("lo", q[0]), ("hi", q[-1])]
    for bound, values in sections:
        for row in values["overall"] + values["by_group"]:
            if row["control"]:
                continue
            for metric, v in row["values"].items():
                out[(key(row["group"]), metric, bound)] = v
    out[(key([]), "rows", "")] = report["params"]["n_rows"]
    for size in report["sizes"]:
        if not size["control"]:
            out[(key(size["group"]), "rows", "")] = size["rows"]
    return out


def page_value(text: str) -> float | None:
    return None if text == "null" else float(text)


def same(a: float | None, b: Any) -> bool:
    """Exactly equal; ``None`` (undefined) matches ``None`` or NaN."""
    if a is None or b is None:
        return (a is None or math.isnan(a)) and (b is None or math.isnan(float(b)))
    return a == float(b)


def compare(cells: list[dict[str, str]], expected: dict[tuple[str, str, str], Any]) -> list[str]:
    """Differences between page cells and expected values (both ways)."""
    seen = {}
    for c in cells:
        seen[(c["group"], c["metric"], c.get("bound", ""))] = page_value(c["value"])
    problems = [f"missing on the page: {k}" for k in expected if k not in seen]
    problems += [f"not expected: {k}" for k in seen if k not in expected]
    problems += [
        f"{k}: page {seen[k]!r} != python {v!r}"
        for k, v in expected.items()
        if k in seen and not same(seen[k], v)
    ]
    return problems

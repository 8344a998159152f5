"""The JSON layout of the fairness goldens: ``json.dumps(sort_keys=True, indent=1)`` with lists
of scalars on one line."""

from __future__ import annotations

import json
import math


def _is_scalar(x) -> bool:
    return x is None or isinstance(x, (bool, int, float, str))


def _encode(obj, level: int) -> str:
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        pad = " " * (level + 1)
        items = [pad + json.dumps(k) + ": " + _encode(obj[k], level + 1) for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}"
    if isinstance(obj, list):
        if not obj:
            return "[]"
        if all(_is_scalar(x) for x in obj):
            return "[" + ",".join(_encode(x, 0) for x in obj) + "]"
        pad = " " * (level + 1)
        items = [pad + _encode(x, level + 1) for x in obj]
        return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"
    if isinstance(obj, float):
        assert math.isfinite(obj), obj
        return json.dumps(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return json.dumps(obj)
    raise TypeError(f"unexpected type {type(obj)!r}")


def dump_case(case: dict) -> str:
    text = _encode(case, 0) + "\n"
    # Same content as the plain json.dumps(sort_keys=True, indent=1) form.
    assert json.loads(text) == json.loads(json.dumps(case, sort_keys=True, indent=1))
    return text

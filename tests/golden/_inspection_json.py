"""The JSON layout of the inspection goldens (lists of scalars on one line) and the writer."""

from __future__ import annotations

import json
import math

import numpy as np
from _inspection_config import GENERATOR, OUT_DIR, VERSIONS


def _encode(obj, level: int) -> str:
    if isinstance(obj, dict):
        pad = " " * (level + 1)
        items = [pad + json.dumps(k) + ": " + _encode(obj[k], level + 1) for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}" if items else "{}"
    if isinstance(obj, list):
        if all(x is None or isinstance(x, (bool, int, float, str)) for x in obj):
            return "[" + ",".join(_encode(x, 0) for x in obj) + "]"
        pad = " " * (level + 1)
        return (
            "[\n" + ",\n".join(pad + _encode(x, level + 1) for x in obj) + "\n" + " " * level + "]"
        )
    if isinstance(obj, float):
        assert math.isfinite(obj), obj
        return json.dumps(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return json.dumps(obj)
    raise TypeError(f"unexpected type {type(obj)!r}")


def floats(a) -> list:
    return np.asarray(a, dtype=np.float64).tolist()


def write(name: str, case: dict) -> None:
    case = {"name": name, "generator": GENERATOR, "versions": VERSIONS, **case}
    text = _encode(case, 0) + "\n"
    assert json.loads(text) == json.loads(json.dumps(case, sort_keys=True))
    (OUT_DIR / f"{name}.json").write_text(text)
    print(f"wrote {name}.json ({len(text) // 1024} KiB)")

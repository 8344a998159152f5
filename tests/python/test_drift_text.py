"""Arrow-backed text read in place (pandas' default strings, pyarrow, polars): the same codes
and the same report as the pandas path, with nulls, sliced arrays, several chunks, 32- and
64-bit offsets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from aequa import _core, drift
from aequa.drift._frames import _encode_pair

pa = pytest.importorskip("pyarrow")

WORDS = ["b", "a", "", "é", "level_10", "12345678", "1234567890123456", "x" * 40, "x" * 39 + "y"]


def rows(n: int, seed: int) -> list[str | None]:
    rng = np.random.default_rng(seed)
    out: list[str | None] = [WORDS[i] for i in rng.integers(0, len(WORDS), n)]
    for i in rng.integers(0, n, n // 10):
        out[i] = None
    return out


def arrow_series(values: list[str | None], *, large: bool, chunks: int, skip: int) -> pd.Series:
    """A pandas Series over an Arrow array sliced by ``skip`` rows and cut into ``chunks``."""
    typ = pa.large_string() if large else pa.string()
    whole = pa.array([None] * skip + values, type=typ).slice(skip)
    cuts = np.linspace(0, len(values), chunks + 1).astype(int)
    parts = [whole.slice(a, b - a) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(parts, type=typ)))


@pytest.mark.parametrize("large", [True, False])
@pytest.mark.parametrize(("chunks", "skip"), [(1, 0), (1, 3), (3, 5)])
def test_arrow_text_codes_equal_the_pandas_path(large: bool, chunks: int, skip: int) -> None:
    r, c = rows(3000, 1), rows(2000, 2)
    want = _encode_pair(pd.Series(r, dtype=object), pd.Series(c, dtype=object))
    got = _encode_pair(
        arrow_series(r, large=large, chunks=chunks, skip=skip),
        arrow_series(c, large=large, chunks=chunks, skip=skip),
    )
    assert got[2] == want[2]
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_reports_on_default_strings_equal_object_strings() -> None:
    r, c = rows(5000, 3), rows(4000, 4)
    obj = drift.drift_report(pd.DataFrame({"t": pd.Series(r, dtype=object)}),
                             pd.DataFrame({"t": pd.Series(c, dtype=object)}))  # fmt: skip
    text = drift.drift_report(pd.DataFrame({"t": pd.Series(r, dtype="str")}),
                              pd.DataFrame({"t": pd.Series(c, dtype="str")}))  # fmt: skip
    assert text.to_json() == obj.to_json()
    assert text.column("t")["missing_reference"] == sum(v is None for v in r)


def test_encode_text_codes_by_first_appearance_and_bad_buffers() -> None:
    codes, levels = _core.encode_text(
        np.array([0, 1, 2, 2, 3], np.int64), np.frombuffer(b"bab", np.uint8),
        np.array([0b1011], np.uint8), 0,
    )  # fmt: skip
    assert codes.tolist() == [0, 1, 2**32 - 1, 0] and levels == ["b", "a"]
    with pytest.raises(ValueError, match="row 0: expected increasing offsets within the 3"):
        _core.encode_text(np.array([0, 9], np.int32), np.frombuffer(b"bab", np.uint8), None, 0)

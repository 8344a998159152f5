"""Streaming: a CSV read in chunks through ``FairnessAccumulator`` gives the MetricFrame of all
rows at once; a level nobody declared, or merging accumulators over different levels, is a
clear error that leaves the state as it was."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import aequa
import numpy as np
import pandas as pd
import pytest

METRICS = ["count", "selection_rate", "true_positive_rate", "false_positive_rate",
           "precision_score", "accuracy_score", "balanced_accuracy_score", "mean_prediction",
           "mean_absolute_error"]  # fmt: skip
ROWS, CHUNK = 2500, 600
SEX = ["Female", "Male"]
RACE = ["Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other", "White"]
SITE = [1, 2, 3]


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(77)
    race = rng.choice(RACE, ROWS, p=[0.02, 0.08, 0.15, 0.05, 0.70])
    frame = pd.DataFrame(
        {
            "sex": rng.choice(SEX, ROWS),
            "race": race,
            "site": rng.choice(SITE, ROWS),
            "income": rng.choice(["<=50K", ">50K"], ROWS, p=[0.75, 0.25]),
            "pred": rng.integers(0, 2, ROWS),
            "weight": np.round(rng.uniform(0.5, 3.0, ROWS), 2),
        }
    )
    # a level that first appears after the first chunk
    frame.loc[: CHUNK + 10, "race"] = frame.loc[: CHUNK + 10, "race"].replace("Other", "White")
    path = tmp_path_factory.mktemp("stream") / "predictions.csv"
    frame.to_csv(path, index=False)
    return path


def _chunks(path: Path) -> list[pd.DataFrame]:
    with pd.read_csv(path, chunksize=CHUNK) as reader:
        return list(reader)


def _labels(chunk: pd.DataFrame) -> np.ndarray:
    return (chunk["income"] == ">50K").to_numpy(dtype=np.int64)


def _accumulate(path: Path, *, weighted: bool, control: bool) -> aequa.FairnessAccumulator:
    acc = aequa.FairnessAccumulator(
        sensitive_levels={"sex": SEX, "race": RACE},
        control_levels={"site": SITE} if control else None,
    )
    n_chunks = 0
    with pd.read_csv(path, chunksize=CHUNK) as reader:
        for chunk in reader:
            acc.update(
                _labels(chunk),
                chunk["pred"],
                sensitive_features=chunk[["sex", "race"]],
                control_features=chunk[["site"]] if control else None,
                sample_weight=chunk["weight"] if weighted else None,
            )
            n_chunks += 1
    assert n_chunks == -(-ROWS // CHUNK) > 1
    assert acc.n_rows == ROWS
    return acc


def _all_at_once(path: Path, *, weighted: bool, control: bool) -> aequa.MetricFrame:
    frame = pd.read_csv(path)
    return aequa.MetricFrame(
        metrics=METRICS,
        y_true=_labels(frame),
        y_pred=frame["pred"],
        sensitive_features=frame[["sex", "race"]],
        control_features=frame[["site"]] if control else None,
        sample_weight=frame["weight"] if weighted else None,
    )


def _rtol(weighted: bool) -> float:
    return 1e-15 if weighted else 0.0


def _assert_close(a: Any, b: Any, rtol: float) -> None:
    assert type(a) is type(b)
    assert list(a.index) == list(b.index)
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if rtol == 0.0:
        np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_allclose(x, y, rtol=rtol, atol=1e-15, equal_nan=True)


@pytest.mark.parametrize("control", [False, True], ids=["plain", "control"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_stream_equals_all_at_once(csv_path: Path, weighted: bool, control: bool) -> None:
    streamed = _accumulate(csv_path, weighted=weighted, control=control).metric_frame(METRICS)
    whole = _all_at_once(csv_path, weighted=weighted, control=control)
    rtol = _rtol(weighted)
    _assert_close(streamed.by_group, whole.by_group, rtol)
    _assert_close(streamed.overall, whole.overall, rtol)
    for method in ("between_groups", "to_overall"):
        _assert_close(streamed.difference(method=method), whole.difference(method=method), 4e-15)
        _assert_close(streamed.ratio(method=method), whole.ratio(method=method), 4e-15)
    _assert_close(streamed.group_min(), whole.group_min(), rtol)
    _assert_close(streamed.group_max(), whole.group_max(), rtol)
    assert streamed.sizes["rows"].tolist() == whole.sizes["rows"].tolist()
    assert streamed.warnings == whole.warnings
    assert streamed.report["undefined"] == whole.report["undefined"]
    if not weighted:
        # unweighted: the reports agree value for value (tests included)
        assert streamed.report["values"] == whole.report["values"]
        assert streamed.report["tests"] == whole.report["tests"]


def test_stream_in_partitions_then_merge(csv_path: Path) -> None:
    """Each chunk in its own accumulator, shipped as JSON, merged in reverse order."""
    states = []
    for chunk in _chunks(csv_path):
        acc = aequa.FairnessAccumulator(sensitive_levels={"sex": SEX, "race": RACE})
        acc.update(_labels(chunk), chunk["pred"], sensitive_features=chunk[["sex", "race"]])
        states.append(acc.to_json())
    merged = aequa.FairnessAccumulator.from_json(states[-1])
    for text in reversed(states[:-1]):
        merged = merged.merge(aequa.FairnessAccumulator.from_json(text))
    assert merged.n_rows == ROWS
    whole = _all_at_once(csv_path, weighted=False, control=False)
    assert merged.metric_frame(METRICS).report["values"] == whole.report["values"]


def test_metric_frame_from_accumulator_options(csv_path: Path) -> None:
    acc = _accumulate(csv_path, weighted=False, control=False)
    compat = acc.metric_frame(["true_positive_rate"], compat="fairlearn", min_group_size=500)
    assert any("Amer-Indian-Eskimo" in w for w in compat.warnings)
    assert compat.report["params"]["compat"] == "fairlearn"
    with pytest.raises(aequa.AequaError, match=r"^metrics: .*not a built-in metric"):
        acc.metric_frame([lambda t, p: 0.0])
    with pytest.raises(aequa.AequaError, match=r"^metrics: unknown metric 'selection_rat'"):
        acc.metric_frame(["selection_rat"])


# ----- errors -------------------------------------------------------------------------------
def _later_chunk_with_unknown_level(csv_path: Path) -> tuple[aequa.FairnessAccumulator, Any]:
    acc = aequa.FairnessAccumulator(sensitive_levels={"sex": SEX, "race": RACE[:3] + RACE[4:]})
    chunks = iter(_chunks(csv_path))
    first = next(chunks)
    assert "Other" not in set(first["race"])
    acc.update(_labels(first), first["pred"], sensitive_features=first[["sex", "race"]])
    later = next(c for c in chunks if "Other" in set(c["race"]))
    return acc, later


def test_unknown_level_in_later_chunk(csv_path: Path) -> None:
    acc, later = _later_chunk_with_unknown_level(csv_path)
    before = acc.to_json()
    row = int(np.flatnonzero(later["race"].to_numpy() == "Other")[0])
    with pytest.raises(
        aequa.AequaError,
        match=rf"^sensitive_features column 'race': row {row} has level .*Other.*not among the "
        r"declared levels .*declare every level up front",
    ):
        acc.update(_labels(later), later["pred"], sensitive_features=later[["sex", "race"]])
    # all or nothing: the bad chunk left no trace
    assert acc.n_rows == CHUNK
    assert acc.to_json() == before


def test_unknown_level_check_is_future_proof(csv_path: Path) -> None:
    """The level check must not rely on behaviour pandas has deprecated (``Categorical`` with
    values outside its categories will raise in pandas 4, replacing aequa's message)."""
    acc, later = _later_chunk_with_unknown_level(csv_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(aequa.AequaError, match=r"^sensitive_features column 'race'"):
            acc.update(_labels(later), later["pred"], sensitive_features=later[["sex", "race"]])


def test_unknown_control_level(csv_path: Path) -> None:
    acc = aequa.FairnessAccumulator(sensitive_levels={"sex": SEX}, control_levels={"site": [1, 2]})
    chunk = _chunks(csv_path)[0]
    with pytest.raises(aequa.AequaError, match=r"^control_features column 'site': row \d+ has"):
        acc.update(
            _labels(chunk), chunk["pred"], sensitive_features=chunk["sex"],
            control_features=chunk[["site"]],
        )  # fmt: skip
    assert acc.n_rows == 0


def test_missing_column_and_bad_chunk(csv_path: Path) -> None:
    acc = aequa.FairnessAccumulator(sensitive_levels={"sex": SEX, "race": RACE})
    chunk = _chunks(csv_path)[0]
    with pytest.raises(aequa.AequaError, match=r"^sensitive_features: missing column 'race'"):
        acc.update(_labels(chunk), chunk["pred"], sensitive_features=chunk[["sex"]])
    bad = chunk["pred"].to_numpy(dtype=float)
    bad[7] = np.nan
    with pytest.raises(aequa.NonFiniteError, match=r"^y_pred: expected finite numbers.*row 7"):
        acc.update(_labels(chunk), bad, sensitive_features=chunk[["sex", "race"]])
    with pytest.raises(aequa.LengthMismatchError, match=r"^y_pred: expected \d+ rows"):
        acc.update(_labels(chunk), chunk["pred"][:-1], sensitive_features=chunk[["sex", "race"]])
    missing = chunk[["sex", "race"]].astype(object)
    missing.iloc[3, 1] = None
    with pytest.raises(aequa.AequaError, match=r"^sensitive_features column 'race'.*row 3"):
        acc.update(_labels(chunk), chunk["pred"], sensitive_features=missing)
    assert acc.n_rows == 0


@pytest.mark.parametrize(
    ("other", "match"),
    [
        ({"sensitive_levels": {"sex": SEX, "race": RACE[:-1]}}, "different features or levels"),
        ({"sensitive_levels": {"sex": SEX, "ethnicity": RACE}}, "different features or levels"),
        ({"sensitive_levels": {"sex": SEX}}, "different features or levels"),
        (
            {"sensitive_levels": {"sex": SEX, "race": RACE}, "control_levels": {"site": SITE}},
            "different features or levels",
        ),
        ({"sensitive_levels": {"sex": SEX, "race": RACE}, "pos_label": 0}, "pos_label"),
        ({"sensitive_levels": {"sex": SEX, "race": RACE}, "threshold": 0.5}, "threshold"),
    ],
    ids=["fewer_levels", "other_name", "fewer_features", "control", "pos_label", "threshold"],
)
def test_merge_mismatch(csv_path: Path, other: dict[str, Any], match: str) -> None:
    chunk = _chunks(csv_path)[0]
    a = aequa.FairnessAccumulator(sensitive_levels={"sex": SEX, "race": RACE})
    a.update(_labels(chunk), chunk["pred"], sensitive_features=chunk[["sex", "race"]])
    b = aequa.FairnessAccumulator(**other)
    before = a.to_json()
    with pytest.raises(aequa.AequaError, match=rf"^other: cannot merge accumulators .*{match}"):
        a.merge(b)
    with pytest.raises(aequa.AequaError, match=r"^other: cannot merge accumulators"):
        b.merge(a)
    assert a.to_json() == before


def test_state_is_plain_json(csv_path: Path) -> None:
    acc = _accumulate(csv_path, weighted=True, control=True)
    state = json.loads(acc.to_json())
    assert [f["name"] for f in state["layout"]["sensitive"]] == ["sex", "race"]
    assert [f["levels"] for f in state["layout"]["control"]] == [["1", "2", "3"]]
    restored = aequa.FairnessAccumulator.from_json(acc.to_json())
    mf = restored.metric_frame(["selection_rate"])
    # declared levels keep their Python type (ints stay ints in the index)
    assert mf.by_group.index.get_level_values("site").tolist()[0] == 1

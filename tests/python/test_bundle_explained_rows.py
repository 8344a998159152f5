"""An Explanation's bundle entry carries its explained rows (``data``, SHAP's
``Explanation.data``) for the dashboard's beeswarm colours: equal to ``.data``, numbers only
(non-numeric features ``null`` and named), absent when the explanation has no data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from aequa import InvalidArgumentError, explain
from aequa._bundle import bundle_json, explained_rows, make_bundle
from aequa.audit import Audit
from aequa.explain import Explanation
from sklearn.ensemble import GradientBoostingRegressor


@pytest.fixture(scope="module")
def explanation() -> Explanation:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "d"])
    X["b"] = rng.integers(0, 5, size=300)  # an integer column
    y = X["a"] * 2 + X["b"] - X["c"] ** 2 + rng.normal(0, 0.1, 300)
    model = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    return explain.TreeExplainer(model)(X.iloc[:40])


def as_matrix(entry_data: dict) -> np.ndarray:
    return np.array(entry_data["values"], dtype=float)  # null -> NaN


def test_bundle_carries_the_explanations_data(explanation: Explanation):
    assert explanation.data is not None and explanation.data.shape == (40, 4)
    entry = explanation._bundle()["reports"][0]
    assert entry["kind"] == "explanation" and entry["report"] == explanation.report
    assert entry["data"]["non_numeric"] == []
    np.testing.assert_array_equal(as_matrix(entry["data"]), explanation.data)
    # Bit for bit through the JSON the page and the widget receive.
    sent = json.loads(bundle_json(explanation._bundle()))["reports"][0]["data"]
    np.testing.assert_array_equal(as_matrix(sent), explanation.data)


def test_audit_and_widget_carry_it_too(explanation: Explanation):
    audit = Audit([("Why", explanation)], title="An audit")
    assert audit.title == "An audit"
    entry = audit._bundle()["reports"][0]
    assert entry["title"] == "Why"
    np.testing.assert_array_equal(as_matrix(entry["data"]), explanation.data)
    again = Audit.from_json(audit.to_json()).entries[0]
    np.testing.assert_array_equal(as_matrix(again["data"]), explanation.data)
    from aequa.widget import Dashboard

    widget = json.loads(Dashboard(explanation).bundle)["reports"][0]
    np.testing.assert_array_equal(as_matrix(widget["data"]), explanation.data)
    combined = make_bundle([explanation, explanation])
    assert all("data" in e for e in combined["reports"])


def test_missing_values_are_null(explanation: Explanation):
    data = np.array(explanation.data, dtype=float)
    data[0, 1], data[2, 3], data[5, 0] = np.nan, np.inf, -np.inf
    ex = Explanation.from_json(explanation.to_json(), data)
    values = ex._bundle()["reports"][0]["data"]["values"]
    assert values[0][1] is None and values[2][3] is None and values[5][0] is None
    assert values[0][0] == data[0, 0]
    finite = np.where(np.isfinite(data), data, np.nan)
    np.testing.assert_array_equal(as_matrix({"values": values}), finite)


def test_non_numeric_features_are_null_and_named(explanation: Explanation):
    frame = pd.DataFrame(explanation.data, columns=explanation.feature_names)
    frame["b"] = [f"level {i % 3}" for i in range(len(frame))]  # text
    frame["d"] = pd.Categorical(["x", "y"] * (len(frame) // 2))  # categories of text
    ex = Explanation.from_json(explanation.to_json(), frame)
    data = ex._bundle()["reports"][0]["data"]
    assert data["non_numeric"] == ["b", "d"]
    got = as_matrix(data)
    assert np.isnan(got[:, [1, 3]]).all()
    np.testing.assert_array_equal(got[:, [0, 2]], explanation.data[:, [0, 2]])
    # An object array mixing numbers and None stays numeric; a bool column is 0/1.
    mixed = np.array([[1, None, True], [2.5, 3, False]], dtype=object)
    assert explained_rows(mixed, ["p", "q", "r"], 2) == {
        "values": [[1.0, None, 1.0], [2.5, 3.0, 0.0]],
        "non_numeric": [],
    }


def test_no_data_means_no_entry_data(explanation: Explanation):
    bare = Explanation.from_json(explanation.to_json())
    assert bare.data is None
    assert set(bare._bundle()["reports"][0]) == {"kind", "title", "report"}


def test_data_of_the_wrong_shape_is_refused(explanation: Explanation):
    ex = Explanation.from_json(explanation.to_json(), explanation.data[:, :3])
    with pytest.raises(InvalidArgumentError) as e:
        ex._bundle()
    assert str(e.value) == (
        "data: expected the explained rows, shape (40, 4) like the explanation's values, found "
        "shape (40, 3); set Explanation.data to the rows that were explained (or to None)"
    )

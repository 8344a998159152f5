"""`aequa.audit`: the Audit bundle and lineage fingerprints (stable, and sensitive to change)."""

from __future__ import annotations

import json
from pathlib import Path

import aequa
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from _cli import frame, load, native_model_json, run
from aequa.audit import Audit, DataFingerprint, data_fingerprint, lineage, model_fingerprint


def test_data_fingerprint_is_stable_and_chunk_independent() -> None:
    df = frame(n=1000)
    table = pa.Table.from_pandas(df, preserve_index=False)
    whole = data_fingerprint(df)
    assert whole == data_fingerprint(df.copy())
    chunked = DataFingerprint()
    for batch in table.to_batches(max_chunksize=77):
        chunked.update(batch)
    assert chunked.summary() == whole
    assert whole["rows"] == 1000 and whole["columns"] == list(df.columns)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.assign(score=np.where(d.index == 500, d.score + 1e-9, d.score)),  # one value
        lambda d: d.assign(group=np.where(d.index == 3, "z", d.group)),  # one text value
        lambda d: d.rename(columns={"x1": "x_1"}),  # a name
        lambda d: d.assign(y=d.y.astype(float)),  # a dtype
        lambda d: d.iloc[:-1],  # a row
        lambda d: d[list(d.columns[::-1])],  # column order
        lambda d: d.assign(sex=d.sex.where(d.index != 7, None)),  # a missing value
    ],
)
def test_data_fingerprint_changes_with_the_data(change) -> None:
    df = frame(n=1000)
    assert data_fingerprint(change(df))["fingerprint"] != data_fingerprint(df)["fingerprint"]


def test_text_boundaries_matter() -> None:
    a = data_fingerprint(pd.DataFrame({"t": ["ab", "c"]}))
    b = data_fingerprint(pd.DataFrame({"t": ["a", "bc"]}))
    assert a["fingerprint"] != b["fingerprint"]


class Opaque:
    """A model aequa cannot convert: fingerprinted by its pickle."""

    def __init__(self, k: int) -> None:
        self.k = k

    def __call__(self, x):  # pragma: no cover - never called
        return x * self.k


def test_model_fingerprints() -> None:
    from sklearn.linear_model import LogisticRegression

    df = frame(n=500)
    m1 = LogisticRegression().fit(df[["x1", "x2"]], df.y)
    m2 = LogisticRegression(C=0.01).fit(df[["x1", "x2"]], df.y)
    native = aequa._core.NativeModel(native_model_json(df))
    fp1, fp2 = model_fingerprint(m1), model_fingerprint(m2)
    assert fp1["method"] == "native_json" and fp1["kind"] == "LogisticRegression (linear)"
    assert fp1 == model_fingerprint(LogisticRegression().fit(df[["x1", "x2"]], df.y))
    assert fp1["fingerprint"] != fp2["fingerprint"]
    assert model_fingerprint(native)["method"] == "native_json"

    assert model_fingerprint(Opaque(1))["method"] == "pickle"
    assert model_fingerprint(Opaque(1)) == model_fingerprint(Opaque(1))
    assert model_fingerprint(Opaque(1)) != model_fingerprint(Opaque(2))
    lam = model_fingerprint(lambda x: x)  # a lambda cannot be pickled: its repr
    assert lam["method"] == "repr" and lam["kind"] == "function"


def test_cli_lineage_is_stable_across_runs_and_follows_model_and_data(tmp_path: Path) -> None:
    df = frame()
    df.to_csv(tmp_path / "a.csv", index=False)
    df.assign(x2=df.x2.round(2)).to_csv(tmp_path / "b.csv", index=False)
    (tmp_path / "m1.json").write_text(native_model_json(df))
    (tmp_path / "m2.json").write_text(native_model_json(df.iloc[:2000]))

    def lin(data: str, model: str, name: str) -> dict:
        out = tmp_path / name
        res = run(
            "audit",
            str(tmp_path / data),
            "--label",
            "y",
            "--model",
            str(tmp_path / model),
            "--features",
            "x1,x2",
            "--sensitive",
            "sex",
            "--json",
            str(out),
        )
        assert res.returncode == 0, res.stderr
        return load(out)["lineage"]

    first, again = lin("a.csv", "m1.json", "1.json"), lin("a.csv", "m1.json", "2.json")
    assert first["model"] == again["model"] and first["data"] == again["data"]
    other_model = lin("a.csv", "m2.json", "3.json")
    assert other_model["model"]["fingerprint"] != first["model"]["fingerprint"]
    assert other_model["data"] == first["data"]
    other_data = lin("b.csv", "m1.json", "4.json")
    assert other_data["data"]["fingerprint"] != first["data"]["fingerprint"]
    assert other_data["model"] == first["model"]
    # The same model JSON re-serialised (other whitespace) has the same fingerprint.
    pretty = json.dumps(json.loads((tmp_path / "m1.json").read_text()), indent=2)
    (tmp_path / "m1_pretty.json").write_text(pretty)
    assert lin("a.csv", "m1_pretty.json", "5.json")["model"] == first["model"]
    # Streaming reads the same bytes: the same fingerprint.
    out = tmp_path / "s.json"
    res = run(
        "audit",
        str(tmp_path / "a.csv"),
        "--label",
        "y",
        "--prediction",
        "y_hat",
        "--sensitive",
        "sex",
        "--chunk-rows",
        "300",
        "--json",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert load(out)["lineage"]["data"] == first["data"]


def test_audit_combines_reports() -> None:
    df = frame(n=800)
    mf = aequa.MetricFrame(
        metrics=["selection_rate", "true_positive_rate"],
        y_true=df.y,
        y_pred=df.y_hat,
        sensitive_features=df.sex,
    )
    drift = aequa.drift.drift_report(df[["x1", "x2"]].iloc[:400], df[["x1", "x2"]].iloc[400:])
    data = Audit.data_entry(
        {"y": df.y, "y_hat": df.y_hat, "sex": df.sex},
        label="y",
        prediction="y_hat",
        sensitive=["sex"],
    )
    audit = Audit(
        {"Fairness": mf, "Drift": drift},
        title="v2",
        lineage=lineage(data=df, parameters={"k": 1}, seed=3),
        data=data,
    )
    bundle = audit._bundle()
    assert [(r["kind"], r["title"]) for r in bundle["reports"]] == [
        ("metric_frame", "Fairness"),
        ("drift", "Drift"),
    ]
    assert bundle["reports"][0]["report"] == mf.report
    assert bundle["data"]["columns"]["sex"] == df.sex.tolist()
    assert bundle["lineage"]["seed"] == 3 and bundle["lineage"]["parameters"] == {"k": 1}
    table = audit.to_pandas()
    assert table.loc[table.kind == "drift", "value"].tolist() == [
        drift.drift_share,
        drift.n_drifted,
    ]
    dp = table[(table.metric == "selection_rate") & (table.statistic.str.startswith("diff"))]
    assert dp.value.item() == pytest.approx(mf.difference()["selection_rate"])
    back = Audit.from_json(audit.to_json())
    assert back._bundle() == json.loads(audit.to_json())
    with pytest.raises(aequa.InvalidArgumentError, match="expected aequa reports, found dict"):
        Audit([{"kind": "metric_frame"}])
    with pytest.raises(aequa.InvalidArgumentError, match="schema 'aequa.bundle'"):
        Audit.from_json('{"schema": "other"}')
    with pytest.raises(aequa.InvalidArgumentError, match="data: no column 'score'"):
        Audit.data_entry({"y": [1]}, label="y", score="score", sensitive=[])

"""`aequa audit`: the bundle JSON and HTML of a predictions file; lineage in the output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aequa
import numpy as np
import pytest
from _cli import frame, load, native_model_json, run
from aequa._html import asset
from aequa.audit import Audit
from aequa.cli import main

STUB_PAGE = (
    "<!doctype html><html><head><title>aequa dashboard</title></head><body>"
    '<script type="application/json" id="aequa-bundle">null</script></body></html>'
)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    df = frame()
    df.to_csv(tmp_path / "preds.csv", index=False)
    df.to_parquet(tmp_path / "preds.parquet")
    (tmp_path / "model.json").write_text(native_model_json(df))
    return tmp_path


def _frame_report(df, y_pred, sensitive, threshold=None, **kw):
    from aequa.cli.audit import DEFAULT_METRICS

    mf = aequa.MetricFrame(
        metrics=DEFAULT_METRICS,
        y_true=df.y,
        y_pred=y_pred,
        sensitive_features={s: df[s] for s in sensitive},
        threshold=threshold,
        **kw,
    )
    return json.loads(mf.to_json())


def test_audit_writes_the_bundle_of_the_in_process_metric_frame(data: Path, capsys) -> None:
    out = data / "audit.json"
    code = main(
        [
            "audit",
            str(data / "preds.csv"),
            "--label",
            "y",
            "--score",
            "score",
            "--threshold",
            "0.6",
            "--sensitive",
            "group,sex",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    assert "selection_rate difference_between_groups" in capsys.readouterr().out
    bundle = load(out)
    assert bundle["schema"] == "aequa.bundle" and bundle["schema_version"] == 1
    assert bundle["title"] == "aequa audit of preds.csv"
    (entry,) = bundle["reports"]
    assert entry["kind"] == "metric_frame"
    df = frame()
    assert entry["report"] == _frame_report(df, df.score, ["group", "sex"], threshold=0.6)
    lin = bundle["lineage"]
    assert lin["model"] is None and lin["data"]["rows"] == 4000
    assert lin["data"]["columns"] == list(df.columns)
    assert lin["data"]["fingerprint"].startswith("sha256:")
    assert lin["parameters"]["threshold"] == 0.6 and lin["parameters"]["streamed"] is False
    assert lin["library_version"] == aequa.__version__
    embedded = bundle["data"]
    assert embedded["label"] == "y" and embedded["score"] == "score"
    assert embedded["threshold"] == 0.6 and embedded["sensitive"] == ["group", "sex"]
    assert embedded["columns"]["score"] == df.score.tolist()
    assert embedded["columns"]["sex"][:3] == df.sex[:3].tolist()
    back = Audit.from_json(str(out))
    assert back.lineage == lin and back.entries == bundle["reports"]


def test_model_scores_are_computed_in_rust(data: Path) -> None:
    df = frame()
    model = aequa._core.NativeModel((data / "model.json").read_text())
    scores = model.predict(df[["x1", "x2"]].to_numpy())[:, -1]
    out = data / "m.json"
    res = run(
        "audit",
        str(data / "preds.parquet"),
        "--label",
        "y",
        "--model",
        str(data / "model.json"),
        "--features",
        "x1,x2",
        "--sensitive",
        "sex",
        "--json",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    bundle = load(out)
    assert bundle["reports"][0]["report"] == _frame_report(df, scores, ["sex"], threshold=0.5)
    assert bundle["lineage"]["model"]["method"] == "native_json"
    assert bundle["lineage"]["model"]["kind"] == "linear"
    # Without --features every other column is a feature: here 4 (score, y_hat, x1, x2).
    res = run(
        "audit",
        str(data / "preds.csv"),
        "--label",
        "y",
        "--model",
        str(data / "model.json"),
        "--sensitive",
        "group,sex",
        "--json",
        str(out),
    )
    assert res.returncode == 2
    assert "--features: the model takes 2 features, found 4 (score, y_hat, x1, x2)" in res.stderr


def test_bootstrap_is_seeded_and_recorded(data: Path) -> None:
    args = [
        "audit",
        str(data / "preds.csv"),
        "--label",
        "y",
        "--prediction",
        "y_hat",
        "--sensitive",
        "sex",
        "--bootstrap",
        "50",
        "--seed",
        "7",
    ]
    main([*args, "--json", str(data / "a.json")])
    main([*args, "--json", str(data / "b.json")])
    a, b = load(data / "a.json"), load(data / "b.json")
    assert a["reports"] == b["reports"]
    assert a["reports"][0]["report"]["intervals"]["n_boot"] == 50
    assert a["lineage"]["seed"] == 7 and a["lineage"]["parameters"]["bootstrap"] == 50


def test_html_embeds_the_same_bundle(data: Path, monkeypatch) -> None:
    stub = data / "dashboard"
    stub.mkdir()
    (stub / "aequa-dashboard.html").write_text(STUB_PAGE)
    monkeypatch.setenv("AEQUA_DASHBOARD_DIR", str(stub))
    out = data / "report"
    code = main(
        [
            "audit",
            str(data / "preds.csv"),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "sex",
            "--title",
            "Model v2 <audit>",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    page = (out / "audit.html").read_text()
    assert "<title>Model v2 &lt;audit&gt;</title>" in page
    found = re.search(r'id="aequa-bundle">(.*?)</script>', page, re.S)
    assert found is not None
    assert json.loads(found.group(1)) == load(out / "audit.json")


def test_html_with_the_built_dashboard_when_available(data: Path) -> None:
    try:
        asset("aequa-dashboard.html")
    except FileNotFoundError:
        pytest.skip("the dashboard is not built (scripts/build-dashboard.sh)")
    out = data / "a.html"
    assert (
        main(
            [
                "audit",
                str(data / "preds.csv"),
                "--label",
                "y",
                "--score",
                "score",
                "--sensitive",
                "sex",
                "--html",
                str(out),
            ]
        )
        == 0
    )
    assert out.stat().st_size > 10_000 and 'id="aequa-bundle">{' in out.read_text()


def test_audit_bad_input(data: Path, capsys) -> None:
    base = ["audit", str(data / "preds.csv"), "--json", str(data / "x.json")]
    cases = [
        (
            ["--label", "nope", "--prediction", "y_hat", "--sensitive", "sex"],
            "--label: column 'nope' is not in",
        ),
        (
            ["--label", "y", "--prediction", "y_hat", "--sensitive", "sex,religion"],
            "--sensitive: column 'religion' is not in",
        ),
        (
            ["--label", "y", "--prediction", "y_hat", "--sensitive", "sex", "--metrics", "foo"],
            "--metrics: unknown metric 'foo'",
        ),
        (
            ["--label", "y", "--prediction", "y_hat", "--threshold", "0.5", "--sensitive", "sex"],
            "--threshold: a threshold turns scores into decisions",
        ),
        (
            ["--label", "y", "--model", str(data / "preds.csv"), "--sensitive", "sex"],
            "preds.csv is not a native model JSON",
        ),
        (
            [
                "--label",
                "y",
                "--prediction",
                "y_hat",
                "--sensitive",
                "sex",
                "--bootstrap",
                "10",
                "--chunk-rows",
                "1000",
            ],
            "--bootstrap: ",
        ),
        (["--label", "group", "--prediction", "y_hat", "--sensitive", "sex"], "y_true"),
    ]
    for extra, message in cases:
        code = main(base + extra)
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (extra, err)
    code = main(
        [
            "audit",
            str(data / "preds.csv"),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "sex",
        ]
    )
    assert code == 2 and "--out, --json, --html, --plots: say where" in capsys.readouterr().err


def test_version_and_entry_point() -> None:
    res = run("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"aequa {aequa.__version__}"
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert 'aequa = "aequa.cli:main"' in text


def test_audit_of_parquet_equals_csv(data: Path) -> None:
    for ext in ("csv", "parquet"):
        main(
            [
                "audit",
                str(data / f"preds.{ext}"),
                "--label",
                "y",
                "--prediction",
                "y_hat",
                "--sensitive",
                "group",
                "--json",
                str(data / f"{ext}.json"),
            ]
        )
    a, b = load(data / "csv.json"), load(data / "parquet.json")
    assert a["reports"] == b["reports"]
    assert np.isclose(
        a["reports"][0]["report"]["values"]["overall"][0]["values"]["selection_rate"],
        frame().y_hat.mean(),
    )

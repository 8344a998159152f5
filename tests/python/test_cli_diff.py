"""`aequa diff`: regressions between two reports, direction-aware, with a tolerance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import frame, load, run, validate_junit, write_policy
from aequa.cli import main
from aequa.cli.diff import worsening

POLICY = """
[data]
label = "y"
prediction = "y_hat"
sensitive = "group"
[[check]]
metric = "demographic_parity_difference"
max = 0.5
[[check]]
metric = "demographic_parity_ratio"
min = 0.1
[[check]]
metric = "statistical_parity_difference"
privileged = "a"
max = 0.5
"""


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """check JSON of a fair-ish model (base) and a more biased one (new)."""
    policy = write_policy(tmp_path / "aequa.toml", POLICY)
    for name, bias in (("base", 0.05), ("same", 0.05), ("worse", 0.25), ("better", 0.0)):
        frame(bias=bias).to_csv(tmp_path / f"{name}.csv", index=False)
        code = main(
            [
                "check",
                "--policy",
                str(policy),
                str(tmp_path / f"{name}.csv"),
                "--json",
                str(tmp_path / f"{name}.json"),
            ]
        )
        assert code == 0
    return tmp_path


def test_same_checks_no_regression(reports: Path, capsys) -> None:
    assert main(["diff", str(reports / "base.json"), str(reports / "same.json")]) == 0
    out = capsys.readouterr().out
    assert "3 passed, 0 failed" in out and "regressed" not in out


def test_regression_beyond_tolerance_exits_1(reports: Path, capsys) -> None:
    base, worse = load(reports / "base.json"), load(reports / "worse.json")
    values = {c["id"]: (b["value"], c["value"]) for b, c in zip(base["checks"], worse["checks"])}
    dpd_b, dpd_n = values["demographic_parity_difference"]
    dpr_b, dpr_n = values["demographic_parity_ratio"]
    assert dpd_n - dpd_b > 0.1 and dpr_b - dpr_n > 0.1  # the difference went up, the ratio down
    out_json, out_xml = reports / "diff.json", reports / "diff.xml"
    code = main(
        [
            "diff",
            str(reports / "base.json"),
            str(reports / "worse.json"),
            "--json",
            str(out_json),
            "--junit",
            str(out_xml),
        ]
    )
    assert code == 1
    printed = capsys.readouterr().out
    assert "0 passed, 3 failed" in printed
    rows = {r["id"]: r for r in load(out_json)["rows"]}
    assert rows["demographic_parity_difference"]["worsening"] == pytest.approx(dpd_n - dpd_b)
    assert rows["demographic_parity_ratio"]["worsening"] == pytest.approx(dpr_b - dpr_n)
    assert rows["statistical_parity_difference privileged=a"]["direction"] == "abs_up"
    assert all(r["verdict"] == "regressed" for r in rows.values())
    root = validate_junit(out_xml)
    assert root.get("failures") == "3" and root.get("tests") == "3"
    # The same change within a large tolerance passes.
    assert (
        main(
            ["diff", str(reports / "base.json"), str(reports / "worse.json"), "--tolerance", "0.9"]
        )
        == 0
    )


def test_improvement_is_not_a_regression(reports: Path, capsys) -> None:
    assert main(["diff", str(reports / "base.json"), str(reports / "better.json")]) == 0
    assert "improved" in capsys.readouterr().out
    # ... and the other way round it is.
    assert (
        main(["diff", str(reports / "better.json"), str(reports / "base.json"), "--tolerance", "0"])
        == 1
    )


def test_directions() -> None:
    assert worsening(0.1, 0.12, "up") == pytest.approx(0.02)
    assert worsening(0.8, 0.85, "down") == pytest.approx(-0.05)
    assert worsening(0.1, -0.15, "abs_up") == pytest.approx(0.05)
    assert worsening(1.0, 0.8, "away_from_one") == pytest.approx(0.2)
    assert worsening(0.8, 1.25, "away_from_one") == pytest.approx(0.0)


def test_mismatched_or_unreadable_reports_exit_2(reports: Path, capsys) -> None:
    other = load(reports / "base.json")
    other["checks"] = other["checks"][:2]
    (reports / "fewer.json").write_text(json.dumps(other))
    (reports / "junk.json").write_text("{not json")
    (reports / "empty.json").write_text("")
    (reports / "bundle.json").write_text(json.dumps({"schema": "aequa.bundle", "reports": []}))
    cases = [
        ("fewer.json", "the reports do not hold the same checks (only in "),
        ("junk.json", "junk.json: not JSON"),
        ("empty.json", "empty.json: the report is empty"),
        ("missing.json", "missing.json: cannot read the report (No such file or directory)"),
        ("bundle.json", "is a aequa.bundle report but"),
    ]
    for name, message in cases:
        code = main(["diff", str(reports / "base.json"), str(reports / name)])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (name, err)
    assert (
        main(["diff", str(reports / "base.json"), str(reports / "same.json"), "--tolerance", "-1"])
        == 2
    )


def test_diff_of_audit_bundles(tmp_path: Path) -> None:
    for name, bias in (("base", 0.05), ("new", 0.3)):
        frame(bias=bias).to_csv(tmp_path / f"{name}.csv", index=False)
        res = run(
            "audit",
            str(tmp_path / f"{name}.csv"),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "group",
            "--json",
            str(tmp_path / f"{name}.json"),
        )
        assert res.returncode == 0, res.stderr
    res = run("diff", str(tmp_path / "base.json"), str(tmp_path / "new.json"))
    assert res.returncode == 1, res.stderr
    line = next(ln for ln in res.stdout.splitlines() if "selection_rate difference" in ln)
    assert line.startswith("Group metrics: selection_rate difference") and "regressed" in line
    res = run("diff", str(tmp_path / "base.json"), str(tmp_path / "base.json"))
    assert res.returncode == 0 and "failed" in res.stdout.splitlines()[-1]

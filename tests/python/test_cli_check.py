"""`aequa check`: policies evaluated on CSV / Parquet, exit codes, JSON, JUnit, bad input."""

from __future__ import annotations

from pathlib import Path

import aequa
import fairlearn.metrics as flm
import numpy as np
import pytest
from _cli import frame, load, native_model_json, run, validate_junit, write_policy
from aequa.cli import main

ISSUE_POLICY = """
[data]
label = "y"            # column names in DATA
prediction = "y_hat"
sensitive = ["group", "sex"]
[[check]]
metric = "demographic_parity_difference"   # any fairness function or metric name
max = 0.10                                 # or min = 0.8 for ratios
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    df = frame()
    df.to_csv(tmp_path / "preds.csv", index=False)
    df.to_parquet(tmp_path / "preds.parquet")
    (tmp_path / "model.json").write_text(native_model_json(df))
    frame(seed=1).to_csv(tmp_path / "reference.csv", index=False)
    frame(seed=2).assign(x1=lambda d: d.x1 + 2.0).to_csv(tmp_path / "shifted.csv", index=False)
    return tmp_path


def test_issue_policy_fails_with_fairlearns_value(data: Path, capsys) -> None:
    df = frame()
    expected = flm.demographic_parity_difference(
        df.y, df.y_hat, sensitive_features=df[["group", "sex"]]
    )
    assert expected > 0.10  # the synthetic bias is meant to break the policy
    policy = write_policy(data / "aequa.toml", ISSUE_POLICY)
    out_json, out_xml = data / "out.json", data / "out.xml"
    code = main(
        [
            "check",
            "--policy",
            str(policy),
            str(data / "preds.csv"),
            "--junit",
            str(out_xml),
            "--json",
            str(out_json),
        ]
    )
    assert code == 1
    printed = capsys.readouterr()
    assert "FAIL  demographic_parity_difference:" in printed.out
    assert "0 passed, 1 failed" in printed.out
    doc = load(out_json)
    assert doc["schema"] == "aequa.check" and doc["passed"] is False
    (check,) = doc["checks"]
    assert check["value"] == pytest.approx(expected, abs=1e-12)
    assert check["line"] == 5 and check["direction"] == "up"
    assert f"> max 0.1 (by {expected - 0.1:.4g})" in check["message"]
    assert "group=" in check["message"] and "(n=" in check["message"]
    assert doc["lineage"]["data"]["rows"] == 4000
    root = validate_junit(out_xml)
    suite = root.find("testsuite")
    assert root.get("failures") == "1" and suite.get("tests") == "1"
    case = suite.find("testcase")
    assert case.get("name") == "demographic_parity_difference"
    assert case.find("failure").get("message").startswith(f"{expected:.4g} > max 0.1")


def test_passing_policy_exits_zero_in_a_subprocess(data: Path) -> None:
    policy = write_policy(
        data / "ok.toml",
        """
[data]
label = "y"
score = "score"
threshold = 0.5
sensitive = "sex"
[[check]]
metric = "demographic_parity_ratio"
min = 0.5
[[check]]
metric = "equalized_odds_difference"
max = 0.5
""",
    )
    out = data / "ok.xml"
    res = run("check", "--policy", str(policy), str(data / "preds.parquet"), "--junit", str(out))
    assert res.returncode == 0, res.stderr
    assert "2 passed, 0 failed" in res.stdout
    root = validate_junit(out)
    assert root.get("failures") == "0"
    assert [c.get("name") for c in root.iter("testcase")] == [
        "demographic_parity_ratio",
        "equalized_odds_difference",
    ]


def test_every_kind_of_check(data: Path) -> None:
    df = frame()
    sens = df["group"]
    policy = write_policy(
        data / "all.toml",
        """
[data]
label = "y"
prediction = "y_hat"
sensitive = "group"

[[check]]
metric = "equalized_odds_ratio"
min = 0.0

[[check]]
metric = "selection_rate"        # per group, every group
min = 0.05
max = 0.95

[[check]]
metric = "true_positive_rate"
group = "b"
min = 0.99                       # fails: only group b is judged

[[check]]
metric = "false_positive_rate"
summary = "difference"
method = "to_overall"
max = 1.0

[[check]]
metric = "statistical_parity_difference"
privileged = "a"
max = 0.05

[[check]]
metric = "disparate_impact_ratio"
privileged = "a"
min = 0.0
""",
    )
    out = data / "all.json"
    assert (
        main(["check", "--policy", str(policy), str(data / "preds.csv"), "--json", str(out)]) == 1
    )
    checks = {c["id"]: c for c in load(out)["checks"]}
    assert list(checks) == [
        "equalized_odds_ratio",
        "selection_rate",
        "true_positive_rate group=b",
        "false_positive_rate summary=difference method=to_overall",
        "statistical_parity_difference privileged=a",
        "disparate_impact_ratio privileged=a",
    ]
    assert checks["equalized_odds_ratio"]["value"] == pytest.approx(
        flm.equalized_odds_ratio(df.y, df.y_hat, sensitive_features=sens), abs=1e-12
    )
    tpr_b = aequa.true_positive_rate(df.y[sens == "b"], df.y_hat[sens == "b"])
    c = checks["true_positive_rate group=b"]
    assert not c["passed"] and c["value"] == pytest.approx(tpr_b)
    assert "1 of 1 groups outside the bounds: group=b" in c["message"]
    mf = aequa.MetricFrame(
        metrics="false_positive_rate", y_true=df.y, y_pred=df.y_hat, sensitive_features=sens
    )
    fpr = checks["false_positive_rate summary=difference method=to_overall"]
    assert fpr["passed"] and fpr["value"] == pytest.approx(mf.difference("to_overall"))
    spd = aequa.statistical_parity_difference(
        df.y, df.y_hat, sensitive_features=sens, privileged_group="a"
    )
    assert spd < -0.05  # group a is favoured: the signed value is negative
    c = checks["statistical_parity_difference privileged=a"]
    assert not c["passed"] and c["value"] == pytest.approx(spd)
    assert c["direction"] == "abs_up" and "|statistical_parity_difference| =" in c["message"]
    assert (
        checks["selection_rate"]["passed"]
        and checks["disparate_impact_ratio privileged=a"]["passed"]
    )


def test_significance_forgives_a_gap_on_few_rows(data: Path) -> None:
    frame(n=60, seed=3, bias=0.15).to_csv(data / "small.csv", index=False)
    text = """
[data]
label = "y"
prediction = "y_hat"
sensitive = "sex"
[[check]]
metric = "demographic_parity_difference"
max = 0.0001
{extra}
"""
    plain = write_policy(data / "plain.toml", text.format(extra=""))
    sig = write_policy(data / "sig.toml", text.format(extra="significance = 0.05"))
    small = str(data / "small.csv")
    assert main(["check", "--policy", str(plain), small, "--json", str(data / "p.json")]) == 1
    assert main(["check", "--policy", str(sig), small, "--json", str(data / "s.json")]) == 0
    (c,) = load(data / "s.json")["checks"]
    assert c["passed"] and c["message"].startswith("not significant (chi-square p=")
    assert c["details"]["pvalue"] >= 0.05


def test_drift_and_robustness_checks(data: Path) -> None:
    text = """
[data]
label = "y"
prediction = "y_hat"
sensitive = "group"
[[drift]]
reference = "reference.csv"
columns = ["x1", "x2"]
max_drift_share = 0.0
[[robustness]]
model = "model.json"
features = ["x1", "x2"]
budget = 0.05
max_flip_rate = {flip}
seed = 0
"""
    policy = write_policy(data / "dr.toml", text.format(flip=0.5))
    out = data / "dr.json"
    assert (
        main(["check", "--policy", str(policy), str(data / "preds.csv"), "--json", str(out)]) == 0
    )
    drift, robust = load(out)["checks"]
    assert drift["value"] == 0.0 and "drifted: none" in drift["message"]
    assert 0.0 < robust["value"] < 0.5
    assert (
        main(["check", "--policy", str(policy), str(data / "shifted.csv"), "--json", str(out)]) == 1
    )
    drift, _ = load(out)["checks"]
    assert drift["value"] == 0.5 and "drifted: x1" in drift["message"]
    strict = write_policy(data / "strict.toml", text.format(flip=0.0))
    assert (
        main(["check", "--policy", str(strict), str(data / "preds.csv"), "--json", str(out)]) == 1
    )
    assert not load(out)["checks"][1]["passed"]


def test_policy_with_a_model_scores_in_rust(data: Path) -> None:
    df = frame()
    model = aequa._core.NativeModel((data / "model.json").read_text())
    scores = model.predict(df[["x1", "x2"]].to_numpy())[:, -1]
    expected = flm.demographic_parity_difference(
        df.y, (scores >= 0.5).astype(int), sensitive_features=df.sex
    )
    policy = write_policy(
        data / "m.toml",
        """
[data]
label = "y"
model = "model.json"
features = ["x1", "x2"]
sensitive = "sex"
[[check]]
metric = "demographic_parity_difference"
max = 1.0
""",
    )
    out = data / "m.json"
    assert (
        main(["check", "--policy", str(policy), str(data / "preds.csv"), "--json", str(out)]) == 0
    )
    doc = load(out)
    assert doc["checks"][0]["value"] == pytest.approx(expected, abs=1e-12)
    assert doc["lineage"]["model"]["method"] == "native_json"


BAD_POLICIES = [
    (  # unknown metric
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "demographic_parity_diff"\nmax = 0.1\n',
        "bad.toml:6: [[check]] #1 metric: unknown metric 'demographic_parity_diff' (did you "
        "mean demographic_parity_difference?)",
    ),
    (  # ratio bound outside [0, 1]
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "demographic_parity_ratio"\nmin = 1.5\n',
        "bad.toml:7: [[check]] #1 min: min = 1.5 is out of range for demographic_parity_ratio "
        "(a ratio: expected a value in [0, 1])",
    ),
    (  # negative max
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n\n[[check]]\n'
        'metric = "selection_rate"\nmax = 0.9\n\n[[check]]\nmetric = "equalized_odds_difference"'
        "\nmax = -0.1\n",
        "bad.toml:12: [[check]] #2 max: max = -0.1 is out of range for equalized_odds_difference",
    ),
    (  # a column that is not in the data
        '[data]\nlabel = "outcome"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "selection_rate"\nmax = 0.9\n',
        "bad.toml:2: [data] label: column 'outcome' is not in",
    ),
    (
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = ["sex", "religion"]\n'
        '[[check]]\nmetric = "selection_rate"\nmax = 0.9\n',
        "bad.toml:4: [data] sensitive: column 'religion' is not in",
    ),
    (  # unknown key
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "selection_rate"\nmaximum = 0.9\n',
        "bad.toml:7: [[check]] #1 maximum: unknown key 'maximum'",
    ),
    (  # min above max
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "selection_rate"\nmin = 0.6\nmax = 0.4\n',
        "bad.toml:7: [[check]] #1 min: min = 0.6 is above max = 0.4",
    ),
    (  # invalid TOML
        '[data]\nlabel = "y"\nprediction = y_hat\n',
        "bad.toml: invalid TOML: Invalid value (at line 3, column 14)",
    ),
    ("", "bad.toml: the policy is empty"),
    (  # no bound
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "selection_rate"\n',
        "bad.toml:6: [[check]] #1 metric: give max = ... or min = ...",
    ),
    (  # drift share out of range
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[drift]]\n'
        'reference = "preds.csv"\nmax_drift_share = 1.5\n',
        "bad.toml:7: [[drift]] #1 max_drift_share: expected a share in [0, 1], found 1.5",
    ),
    (  # AIF360 metric without a privileged group
        '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n[[check]]\n'
        'metric = "disparate_impact_ratio"\nmin = 0.8\n',
        "bad.toml:6: [[check]] #1 metric: disparate_impact_ratio compares against a "
        "privileged group",
    ),
    (  # two sources of predictions
        '[data]\nlabel = "y"\nprediction = "y_hat"\nscore = "score"\nsensitive = "sex"\n'
        '[[check]]\nmetric = "selection_rate"\nmax = 0.9\n',
        "bad.toml:3: [data] prediction: give exactly one of prediction, score or model",
    ),
]


@pytest.mark.parametrize("text, message", BAD_POLICIES)
def test_bad_policy_exits_2_with_one_line(data: Path, capsys, text: str, message: str) -> None:
    policy = data / "bad.toml"
    policy.write_text(text)
    code = main(["check", "--policy", str(policy), str(data / "preds.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith("aequa check: error: ")
    assert message in err.replace(str(data) + "/", ""), err


def test_bad_data_files_exit_2(data: Path, capsys) -> None:
    policy = write_policy(data / "aequa.toml", ISSUE_POLICY)
    (data / "empty.csv").write_text("")
    (data / "header.csv").write_text("y,y_hat,group,sex\n")
    (data / "junk.parquet").write_bytes(b"not a parquet file")
    cases = [
        ("missing.csv", "missing.csv: cannot read the file (No such file or directory)"),
        ("empty.csv", "empty.csv: the file is empty"),
        ("header.csv", "header.csv: the file has a header but no rows"),
        ("junk.parquet", "junk.parquet: cannot read as PARQUET"),
    ]
    for name, message in cases:
        code = main(["check", "--policy", str(policy), str(data / name)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and message in err, (name, err)
    code = main(["check", "--policy", str(data / "nope.toml"), str(data / "preds.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "nope.toml: cannot read the policy (No such file or directory)" in err


def test_help_of_every_command_names_the_exit_codes() -> None:
    for args in (["--help"], ["audit", "--help"], ["check", "--help"], ["diff", "--help"]):
        res = run(*args)
        assert res.returncode == 0, res.stderr
        assert "exit codes: 0 ok; 1" in res.stdout and "2 bad input" in res.stdout
    res = run("check", str(Path("x.csv")))  # --policy missing: argparse's error, exit 2
    assert res.returncode == 2 and "the following arguments are required: --policy" in res.stderr
    assert run().returncode == 2  # no command


def test_csv_and_parquet_give_the_same_checks(data: Path) -> None:
    policy = write_policy(data / "aequa.toml", ISSUE_POLICY)
    for ext in ("csv", "parquet"):
        main(
            [
                "check",
                "--policy",
                str(policy),
                str(data / f"preds.{ext}"),
                "--json",
                str(data / f"{ext}.json"),
            ]
        )
    a, b = load(data / "csv.json"), load(data / "parquet.json")
    for doc in (a, b):
        for c in doc["checks"]:
            assert c.pop("seconds") >= 0  # each check's own time (the JUnit testcase's)
    assert a["checks"] == b["checks"]
    assert np.isfinite(a["checks"][0]["value"])


def test_the_readme_policy_is_valid(tmp_path: Path) -> None:
    from aequa.cli import _policy

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Command line", 1)[1]
    text = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "aequa.toml"
    path.write_text(text)
    policy = _policy.load(str(path))
    assert [c.id for c in policy.checks] == [
        "demographic_parity_difference",
        "true_positive_rate",
        "drift train.csv",
        "robustness model.json budget=0.1",
    ]
    assert policy.data.sensitive == ["race", "sex"]


def test_errors_found_while_evaluating_name_the_line(data: Path, capsys) -> None:
    head = '[data]\nlabel = "y"\nprediction = "y_hat"\nsensitive = "sex"\n'
    cases = [
        (
            head + '[[drift]]\nreference = "reference.csv"\ncolumns = ["x1", "x9"]\n'
            "max_drift_share = 0.5\n",
            "p.toml:7: [[drift]] #1 columns: column 'x9' is not in",
        ),
        (
            head + '[[drift]]\nreference = "nowhere.csv"\nmax_drift_share = 0.5\n',
            "nowhere.csv: cannot read the file (No such file or directory)",
        ),
        (
            head + '[[robustness]]\nmodel = "missing.json"\nbudget = 0.1\nmax_flip_rate = 0.1\n',
            "p.toml:6: [[robustness]] #1 model: cannot read model file",
        ),
        (
            head + '[[check]]\nmetric = "selection_rate"\ngroup = "X"\nmax = 0.5\n',
            "p.toml:7: [[check]] #1 group: no group ['X'] in the data (levels: sex: F, M)",
        ),
    ]
    for text, message in cases:
        (data / "p.toml").write_text(text)
        code = main(["check", "--policy", str(data / "p.toml"), str(data / "preds.csv")])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
        assert message in err.replace(str(data) + "/", ""), err


def test_an_unexpected_error_exits_2_not_1(data: Path, capsys, monkeypatch) -> None:
    from aequa.cli import _evaluate

    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(_evaluate, "evaluate_check", boom)
    policy = write_policy(data / "aequa.toml", ISSUE_POLICY)
    code = main(["check", "--policy", str(policy), str(data / "preds.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "aequa check: error: unexpected KeyError: 'surprise' (set AEQUA_DEBUG=1" in err
    monkeypatch.setenv("AEQUA_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["check", "--policy", str(policy), str(data / "preds.csv")])

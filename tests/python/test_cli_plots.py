"""`aequa audit/check --plots`: PNG files, their content, and the missing-matplotlib exit."""

from __future__ import annotations

import sys
from pathlib import Path

import fairlearn.metrics as flm
import numpy as np
import pytest
from _cli import frame, load, native_model_json, write_policy
from aequa.cli import _plots, main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRICS = ["selection_rate", "true_positive_rate", "count"]

POLICY = """
[data]
label = "y"
score = "score"
sensitive = ["group", "sex"]
[[check]]
metric = "demographic_parity_difference"
max = 0.10
[[check]]
metric = "equalized_odds_ratio"
min = 0.8
[[check]]
metric = "true_positive_rate"
min = 0.6
[[check]]
metric = "selection_rate"
summary = "difference"
method = "to_overall"
max = 0.1
[[check]]
metric = "disparate_impact_ratio"
privileged = ["a", "F"]
min = 0.8
[[drift]]
reference = "shifted.csv"
columns = ["x1", "x2"]
max_drift_share = 0.3
[[robustness]]
model = "model.json"
features = ["x1", "x2"]
budget = 0.1
max_flip_rate = 0.05
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    df = frame()
    df.to_csv(tmp_path / "preds.csv", index=False)
    (tmp_path / "model.json").write_text(native_model_json(df))
    frame(seed=2).assign(x1=lambda d: d.x1 + 2.0).to_csv(tmp_path / "shifted.csv", index=False)
    write_policy(tmp_path / "aequa.toml", POLICY)
    return tmp_path


def assert_png(path: Path) -> None:
    """A PNG by its signature that matplotlib reads back as a plausible picture."""
    import matplotlib.image as mpimg

    assert path.read_bytes()[:8] == PNG_SIGNATURE, path
    pixels = mpimg.imread(path)
    height, width = pixels.shape[:2]
    assert 200 <= height <= 3000 and 300 <= width <= 3000, (path, pixels.shape)
    assert pixels.shape[2] in (3, 4)
    assert float(np.std(pixels[..., :3])) > 0.01  # not a blank canvas


def audit_args(data: Path, *extra: str) -> list[str]:
    return [
        "audit",
        str(data / "preds.csv"),
        "--label",
        "y",
        "--sensitive",
        "group,sex",
        "--metrics",
        ",".join(METRICS),
        *extra,
    ]


def test_audit_plots_one_png_per_metric_and_threshold_curves(data: Path, capsys) -> None:
    plots = data / "figs"
    code = main(
        audit_args(
            data,
            "--score",
            "score",
            "--bootstrap",
            "30",
            "--json",
            str(data / "a.json"),
            "--plots",
            str(plots),
        )
    )
    assert code == 0
    expected = {f"metric_{m}.png" for m in METRICS}
    expected |= {f"threshold_{m}.png" for m in METRICS if m != "count"}
    assert {p.name for p in plots.iterdir()} == expected
    for p in plots.iterdir():
        assert_png(p)
    assert f"5 plots written to {plots}" in capsys.readouterr().err


def test_audit_threshold_curve_is_the_threshold_table_with_the_cli_threshold(
    data: Path, monkeypatch
) -> None:
    from aequa.plot import threshold_table

    figs = {}

    def keep(fig, path):  # the figures the command saves, by file name
        figs[Path(path).name] = fig
        return path

    monkeypatch.setattr(_plots, "save", keep)
    args = ["--score", "score", "--threshold", "0.6", "--plots", str(data / "p")]
    assert main(audit_args(data, *args)) == 0
    ax = figs["threshold_selection_rate.png"].axes[0]
    df = frame()
    table = threshold_table(df.y, df.score, sensitive_features=df[["group", "sex"]])
    curves = [line.get_ydata() for line in ax.lines[:-1]]
    assert len(curves) == len(table.columns)
    for got, col in zip(curves, table.columns):
        np.testing.assert_allclose(got, table[col].to_numpy(), rtol=0, atol=1e-12)
    assert list(ax.lines[-1].get_xdata()) == [0.6, 0.6]  # the decision threshold


def test_audit_out_writes_plots_by_default_and_no_plots_turns_them_off(data: Path) -> None:
    out = data / "out"
    assert main(audit_args(data, "--prediction", "y_hat", "--out", str(out))) == 0
    # Decisions, not scores: no threshold curve.
    assert sorted(p.name for p in (out / "plots").iterdir()) == sorted(
        f"metric_{m}.png" for m in METRICS
    )
    out2 = data / "out2"
    assert main(audit_args(data, "--score", "score", "--out", str(out2), "--no-plots")) == 0
    assert (out2 / "audit.json").exists() and not (out2 / "plots").exists()


def test_audit_plots_alone_is_an_output(data: Path, capsys) -> None:
    plots = data / "only"
    assert main(audit_args(data, "--prediction", "y_hat", "--plots", str(plots))) == 0
    assert len(list(plots.iterdir())) == len(METRICS)
    assert main(audit_args(data, "--prediction", "y_hat")) == 2
    err = capsys.readouterr().err
    assert "--out, --json, --html, --plots: say where to write the report" in err


def test_audit_streamed_file_has_metric_plots_only(data: Path) -> None:
    plots = data / "p"
    args = ["--score", "score", "--chunk-rows", "500", "--json", str(data / "a.json")]
    assert main(audit_args(data, *args, "--plots", str(plots))) == 0
    names = sorted(p.name for p in plots.iterdir())
    assert names == sorted(f"metric_{m}.png" for m in METRICS)


def test_check_plots_one_png_per_check_drift_and_robustness(data: Path, capsys) -> None:
    plots = data / "plots"
    code = main(
        ["check", str(data / "preds.csv"), "--policy", str(data / "aequa.toml"), "--plots",
         str(plots), "--json", str(data / "c.json")]
    )  # fmt: skip
    assert code == 1  # the synthetic bias breaks the fairness checks
    doc = load(data / "c.json")
    assert [r["table"] for r in doc["checks"]].count("check") == 5
    names = sorted(p.name for p in plots.iterdir())
    assert names == [
        "check_demographic_parity_difference.png",
        "check_disparate_impact_ratio_privileged_a_F.png",
        "check_equalized_odds_ratio.png",
        "check_selection_rate_summary_difference_method_to_overall.png",
        "check_true_positive_rate.png",
        "drift_shifted.csv.png",
        "robustness_model.json_budget_0.1.png",
    ]
    for p in plots.iterdir():
        assert_png(p)
    printed = capsys.readouterr()
    assert printed.out.rstrip().endswith("1 passed, 6 failed")  # the summary stays last
    # Drift and robustness figures from the JSON results: what they show is the result's.
    drift = next(r for r in doc["checks"] if r["table"] == "drift")
    ax = _plots.drift_figure(drift).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x1 (wasserstein)", "x2 (wasserstein)"]
    assert ax.get_title().startswith("FAIL drift shifted.csv: drift share 0.5 (max 0.3)")
    robust = next(r for r in doc["checks"] if r["table"] == "robustness")
    ax = _plots.robustness_figure(robust).axes[0]
    assert [p.get_height() for p in ax.patches] == [robust["value"]]
    assert [line.get_ydata()[0] for line in ax.lines] == [0.05]


def _cli_results(data: Path, policy_file: str = "aequa.toml") -> tuple[list[dict], object, object]:
    """The check results, frame and data spec exactly as `aequa check` computes them."""
    from aequa.cli import _evaluate, _policy
    from aequa.cli._data import compute
    from aequa.cli._io import Table

    policy = _policy.load(str(data / policy_file))
    fr = compute(
        Table(str(data / "preds.csv"), memory_cap_mb=1024),
        policy.data,
        _evaluate.needed_metrics(policy),
        min_group_size=policy.min_group_size,
    )
    results = [_evaluate.evaluate_check(policy, c, fr) for c in policy.checks if c.table == "check"]
    return results, fr, policy.data


def _fairlearn_by_group(metric) -> dict[str, float]:
    df = frame()
    mf = flm.MetricFrame(
        metrics=metric,
        y_true=df.y,
        y_pred=(df.score >= 0.5).astype(int),
        sensitive_features=df[["group", "sex"]],
    )
    return {f"group={g},sex={s}": float(v) for (g, s), v in mf.by_group.items()}


def _bars(fig) -> tuple[list[str], list[float]]:
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    return labels, [float(p.get_height()) for p in ax.patches]


def test_check_figure_bar_heights_are_the_checks_group_values(data: Path) -> None:
    results, fr, spec = _cli_results(data)
    by_id = {r["id"]: r for r in results}
    rates = {
        "selection_rate": _fairlearn_by_group(flm.selection_rate),
        "true_positive_rate": _fairlearn_by_group(flm.true_positive_rate),
        "false_positive_rate": _fairlearn_by_group(flm.false_positive_rate),
    }
    for cid, names in [
        ("demographic_parity_difference", ["selection_rate"]),
        ("equalized_odds_ratio", ["true_positive_rate", "false_positive_rate"]),
        ("true_positive_rate", ["true_positive_rate"]),
        ("disparate_impact_ratio privileged=a,F", ["selection_rate"]),
    ]:
        r = by_id[cid]
        fig = _plots.check_figure(r, _plots.check_metric_frame(r, fr, spec))
        labels, heights = _bars(fig)
        assert len(labels) == 6
        expected = [rates[n][g] for n in names for g in labels]
        np.testing.assert_allclose(heights, expected, rtol=0, atol=1e-12, err_msg=cid)


def test_check_figure_bound_lines(data: Path) -> None:
    from matplotlib.colors import to_rgba

    results, fr, spec = _cli_results(data)
    by_id = {r["id"]: r for r in results}
    sel = _fairlearn_by_group(flm.selection_rate)
    tpr = _fairlearn_by_group(flm.true_positive_rate)

    def hlines(cid: str) -> list[float]:
        r = by_id[cid]
        ax = _plots.check_figure(r, _plots.check_metric_frame(r, fr, spec)).axes[0]
        return sorted(float(seg[0][1]) for c in ax.collections for seg in c.get_segments())

    # A base metric per group: the bound as given, groups below it in red.
    assert hlines("true_positive_rate") == [0.6]
    r = by_id["true_positive_rate"]
    ax = _plots.check_figure(r, _plots.check_metric_frame(r, fr, spec)).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    alert = to_rgba("#c0392b")
    red = [lab for lab, p in zip(labels, ax.patches) if p.get_facecolor() == alert]
    assert red == [g for g in labels if tpr[g] < 0.6] and red
    # Difference between groups: lowest + max; difference to overall: overall ± max.
    assert hlines("demographic_parity_difference") == pytest.approx([min(sel.values()) + 0.1])
    overall = float(np.mean(frame().score >= 0.5))
    got = hlines("selection_rate summary=difference method=to_overall")
    assert got == pytest.approx([overall - 0.1, overall + 0.1])
    # AIF360's forms compare the privileged group with the pooled others: no line.
    assert hlines("disparate_impact_ratio privileged=a,F") == []


def test_check_figure_reds_only_the_judged_group(data: Path) -> None:
    from matplotlib.colors import to_rgba

    write_policy(
        data / "one.toml",
        """
[data]
label = "y"
score = "score"
sensitive = ["group", "sex"]
[[check]]
metric = "true_positive_rate"
group = ["a", "F"]
min = 0.95
""",
    )
    results, fr, spec = _cli_results(data, "one.toml")
    (r,) = results
    assert not r["passed"]
    ax = _plots.check_figure(r, _plots.check_metric_frame(r, fr, spec)).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    red = [lab for lab, p in zip(labels, ax.patches) if p.get_facecolor() == to_rgba("#c0392b")]
    # Every group is below 0.95, but only the named one is judged.
    assert max(p.get_height() for p in ax.patches) < 0.95
    assert red == ["group=a,sex=F"]


@pytest.mark.parametrize("command", ["audit", "check"])
def test_plots_without_matplotlib_exits_2_with_the_install_line(
    data: Path, monkeypatch, capsys, command: str
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises
    plots = data / "plots"
    if command == "audit":
        args = audit_args(data, "--score", "score", "--json", str(data / "a.json"))
    else:
        args = ["check", str(data / "preds.csv"), "--policy", str(data / "aequa.toml")]
    assert main([*args, "--plots", str(plots)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"aequa {command}: error: --plots: matplotlib is not installed; install it with "
        "`pip install 'aequa[plot]'`\n"
    )
    assert not plots.exists() and not (data / "a.json").exists()


def test_audit_out_without_matplotlib_still_writes_the_report(data: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = data / "out"
    assert main(audit_args(data, "--score", "score", "--out", str(out), "--no-plots")) == 0
    assert main(audit_args(data, "--score", "score", "--out", str(out))) == 0
    assert (out / "audit.json").exists() and not (out / "plots").exists()


def test_unwritable_plots_folder_exits_2(data: Path, capsys) -> None:
    blocker = data / "file.txt"
    blocker.write_text("x")
    code = main(audit_args(data, "--score", "score", "--json", str(data / "a.json"),
                           "--plots", str(blocker / "plots")))  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"aequa audit: error: --plots {blocker / 'plots'}: cannot create the")


def test_help_mentions_plots() -> None:
    from aequa.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    audit_help, check_help = sub["audit"].format_help(), sub["check"].format_help()
    assert "--plots DIR" in audit_help and "DIR/plots/" in audit_help
    assert "aequa[plot]" in " ".join(audit_help.split())
    assert "--plots DIR" in check_help and "aequa[plot]" in " ".join(check_help.split())

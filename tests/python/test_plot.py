"""Plots: each report's .plot() draws the report's own numbers (bar sizes, interval lines,
curves), a missing matplotlib gives an install hint, and a figure saves as PNG."""

from __future__ import annotations

import builtins
import importlib
import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import aequa  # noqa: E402
import aequa.explain as ax_  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from aequa import drift, robust  # noqa: E402
from aequa.plot import threshold_curve, threshold_table  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n = 400
    X = rng.normal(size=(n, 3))
    sex = rng.integers(0, 2, n)
    X[:, 2] = sex
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * sex + rng.normal(scale=0.5, size=n) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    return X, y, sex, model


def widths(ax):
    return np.array([p.get_width() for p in ax.patches])


def ylabels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


# ----- fairness ----------------------------------------------------------------------


def test_metric_frame_bars_and_intervals(data):
    X, y, sex, model = data
    pred = model.predict(X)
    groups = np.where(sex == 1, "M", "F")
    mf = aequa.MetricFrame(
        metrics={"sr": aequa.selection_rate, "tpr": aequa.true_positive_rate},
        y_true=y, y_pred=pred, sensitive_features=groups,
        n_boot=200, ci_quantiles=[0.025, 0.5, 0.975], random_state=0,
    )  # fmt: skip
    ax = mf.plot()
    # One bar per (group, metric), metric-major; widths are by_group's values.
    expected = np.concatenate([mf.by_group["sr"].to_numpy(), mf.by_group["tpr"].to_numpy()])
    np.testing.assert_allclose(widths(ax), expected)
    # One interval line per bar, from the 0.025 to the 0.975 quantile.
    segs = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(segs) == 2  # one collection per metric
    lo, hi = mf.by_group_ci[0], mf.by_group_ci[2]
    for coll, metric in zip(segs, ["sr", "tpr"]):
        starts = [s[0][0] for s in coll.get_segments()]
        ends = [s[1][0] for s in coll.get_segments()]
        np.testing.assert_allclose(starts, lo[metric].to_numpy())
        np.testing.assert_allclose(ends, hi[metric].to_numpy())
    assert ylabels(ax) == ["F", "M"]
    # Overall as one dashed vertical line per metric.
    assert [line.get_xdata()[0] for line in ax.lines] == pytest.approx(list(mf.overall))


def test_metric_frame_without_intervals_and_subset(data):
    X, y, sex, model = data
    mf = aequa.MetricFrame(
        metrics=["selection_rate", "accuracy_score"], y_true=y, y_pred=model.predict(X),
        sensitive_features={"sex": sex, "half": np.arange(len(y)) % 2},
    )  # fmt: skip
    ax = mf.plot(metrics=["accuracy_score"], overall=False)
    np.testing.assert_allclose(widths(ax), mf.by_group["accuracy_score"].to_numpy())
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]
    assert ylabels(ax) == ["0, 0", "0, 1", "1, 0", "1, 1"]  # intersections
    assert len(ax.lines) == 0
    with pytest.raises(aequa.InvalidArgumentError, match=r"metrics: \['nope'\] are not in"):
        mf.plot(metrics=["nope"])


def test_threshold_curve_matches_metric_frames(data):
    X, y, sex, model = data
    score = model.predict_proba(X)[:, 1]
    ax = threshold_curve(y, score, sensitive_features=sex, metric="true_positive_rate",
                         thresholds=[0.2, 0.5, 0.8])  # fmt: skip
    assert len(ax.lines) == 3  # two groups and overall
    for t_i, t in enumerate([0.2, 0.5, 0.8]):
        mf = aequa.MetricFrame(metrics=aequa.true_positive_rate, y_true=y, y_pred=score,
                               sensitive_features=sex, threshold=t)  # fmt: skip
        assert ax.lines[0].get_ydata()[t_i] == pytest.approx(mf.by_group[0])
        assert ax.lines[1].get_ydata()[t_i] == pytest.approx(mf.by_group[1])
        assert ax.lines[2].get_ydata()[t_i] == pytest.approx(mf.overall)
    assert [line.get_label() for line in ax.lines] == ["0", "1", "overall"]
    # Default grid for probabilities: 0.05 .. 0.95; selection rate falls as it rises.
    table = threshold_table(y, score, sensitive_features=sex)
    assert table.index[0] == pytest.approx(0.05) and len(table) == 19
    assert (np.diff(table["overall"].to_numpy()) <= 0).all()


# ----- explanations ------------------------------------------------------------------


@pytest.fixture(scope="module")
def explanation(data):
    X, y, sex, model = data
    return ax_.LinearExplainer(model, X[:100])(X[:60])


def test_explanation_bar(explanation):
    ax = explanation.plot(max_display=2)
    mean = np.abs(explanation.values).mean(axis=0)
    order = np.argsort(-mean)[:2]
    np.testing.assert_allclose(widths(ax), mean[order])
    assert ylabels(ax) == [explanation.feature_names[i] for i in order]


def test_explanation_beeswarm(explanation):
    ax = explanation.plot(kind="beeswarm")
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 3
    order = np.argsort(-np.abs(explanation.values).mean(axis=0))
    for row, (coll, j) in enumerate(zip(scatters, order)):
        offsets = coll.get_offsets()
        np.testing.assert_allclose(offsets[:, 0], explanation.values[:, j])
        assert np.all(np.abs(offsets[:, 1] - row) <= 0.35 + 1e-12)  # jitter stays in its lane
    with pytest.raises(aequa.InvalidArgumentError, match="kind: expected 'bar' or 'beeswarm'"):
        explanation.plot(kind="pie")


def test_multi_output_explanation_needs_output_for_beeswarm(data):
    X, y, sex, model = data
    exp = ax_.ExactExplainer(model.predict_proba, X[:20])(X[:5])
    assert exp.values.ndim == 3
    ax = exp.plot()  # grouped bars: features × outputs
    assert len(ax.patches) == 3 * exp.values.shape[2]
    with pytest.raises(aequa.InvalidArgumentError, match="output: the explanation has 2 outputs"):
        exp.plot(kind="beeswarm")
    ax = exp.plot(kind="beeswarm", output=1)
    assert len([c for c in ax.collections if isinstance(c, PathCollection)]) == 3


def test_permutation_importance_bars_with_std(data):
    X, y, sex, model = data
    res = ax_.permutation_importance(model, X, y, n_repeats=5, random_state=0)
    ax = res.plot()
    order = np.argsort(-res.importances_mean)
    np.testing.assert_allclose(widths(ax), res.importances_mean[order])
    (err,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    segs = err.get_segments()
    np.testing.assert_allclose(
        [s[0][0] for s in segs], (res.importances_mean - res.importances_std)[order]
    )  # noqa: E501
    np.testing.assert_allclose(
        [s[1][0] for s in segs], (res.importances_mean + res.importances_std)[order]
    )  # noqa: E501


def test_partial_dependence_both_draws_ice_and_average(data):
    X, y, sex, model = data
    res = ax_.partial_dependence(model, X[:30], [0], kind="both", grid_resolution=10)
    ax = res.plot()
    assert len(ax.lines) == 30 + 1
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), res.average[0])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), res.individual[0][0])
    np.testing.assert_allclose(ax.lines[-1].get_xdata(), res.grid_values[0])
    ax = res.plot(max_ice_lines=5)
    assert len(ax.lines) == 5 + 1
    ice = ax_.partial_dependence(model, X[:30], [1], kind="individual", grid_resolution=5)
    assert len(ice.plot().lines) == 30
    avg = ax_.partial_dependence(model, X[:30], [0], kind="average", grid_resolution=5)
    assert len(avg.plot().lines) == 1
    with pytest.raises(aequa.InvalidArgumentError, match="output: expected a position in 0..0"):
        avg.plot(output=3)


def test_partial_dependence_two_features_is_a_contour(data):
    X, y, sex, model = data
    res = ax_.partial_dependence(model, X[:30], [0, 1], kind="average", grid_resolution=6)
    ax = res.plot()
    assert ax.get_xlabel() == res.feature_names[0] and ax.get_ylabel() == res.feature_names[1]
    assert len(ax.figure.axes) == 2  # the contour and its colour bar


def test_ale_curve(data):
    X, y, sex, model = data
    res = ax_.accumulated_local_effects(model, X, 0)
    ax = res.plot()
    (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) > 2]
    np.testing.assert_allclose(line.get_xdata(), res.edges)
    np.testing.assert_allclose(line.get_ydata(), res.ale[0])


# ----- drift -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def drift_rep():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"age": rng.normal(40, 10, 500), "hours": rng.normal(40, 5, 500),
                        "job": rng.choice(["a", "b", "c"], 500)})  # fmt: skip
    cur = pd.DataFrame({"age": rng.normal(45, 10, 500), "hours": rng.normal(40, 5, 500),
                        "job": rng.choice(["a", "b", "c"], 500, p=[0.6, 0.2, 0.2])})  # fmt: skip
    return drift.drift_report(ref, cur, tests={"hours": "psi"})


def test_drift_statistic_bars(drift_rep):
    ax = drift_rep.plot()  # auto: the PSI column has no p-value, so statistics
    table = drift_rep.to_pandas()
    np.testing.assert_allclose(widths(ax), table["statistic"].to_numpy())
    red = [p.get_facecolor()[0] > 0.6 and p.get_facecolor()[2] < 0.3 for p in ax.patches]
    assert red == table["drifted"].tolist() == [True, False, True]
    # The PSI column's threshold is drawn on the statistic axis.
    (ticks,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [s[0][0] for s in ticks.get_segments()] == [table.loc["hours", "threshold"]]
    assert ylabels(ax)[1] == "hours (psi)"


def test_drift_p_value_bars(drift_rep):
    ax = drift_rep.plot(value="p_value")
    table = drift_rep.to_pandas()
    got = widths(ax)
    np.testing.assert_allclose(got[[0, 2]], table["p_value_adjusted"].to_numpy()[[0, 2]])
    assert np.isnan(got[1])  # PSI has no p-value
    assert ax.get_xscale() == "log"
    with pytest.raises(aequa.InvalidArgumentError, match="value: expected 'auto', 'statistic'"):
        drift_rep.plot(value="pvalue")


def test_drift_auto_uses_p_values_when_every_column_has_one():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "b"], 300)})
    cur = pd.DataFrame({"x": rng.normal(1, size=300), "c": rng.choice(["a", "b"], 300)})
    rep = drift.drift_report(ref, cur)
    ax = rep.plot()
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(widths(ax), rep.to_pandas()["p_value_adjusted"].to_numpy())


# ----- robustness --------------------------------------------------------------------


def test_noise_stability_curves(data):
    X, y, sex, model = data
    rep = robust.noise_stability(model, X, budgets=[0.1, 0.5, 1.0], sensitive_features=sex,
                                 n_repeats=3, random_state=0)  # fmt: skip
    ax = rep.plot()
    assert len(ax.lines) == 1 + 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), rep.flip_rate)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.1, 0.5, 1.0])
    g = rep.by_group
    col = [c for c in g.columns if c not in ("budget", "rows", "flip_rate", "mean_output_change")]
    first = g[g[col[0]] == g[col[0]].iloc[0]]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), first["flip_rate"].to_numpy())
    ax = rep.plot(value="mean_output_change", by_group=False)
    assert len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), rep.mean_output_change)


def test_sensitive_flip_bars(data):
    X, y, sex, model = data
    rep = robust.sensitive_flip(model, X, sensitive_features=[2])
    ax = rep.plot()
    np.testing.assert_allclose(widths(ax), rep.by_group["flip_rate"].to_numpy())
    assert ax.lines[0].get_xdata()[0] == pytest.approx(rep.flip_rate)
    assert len(ax.patches) == 2


def test_attack_views(data):
    X, y, sex, model = data
    rep = robust.hop_skip_jump(model, X[:20], y[:20], max_queries=300, budgets=[0.1, 0.5, 2.0],
                               random_state=0)  # fmt: skip
    ax = rep.plot()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), rep.robust_accuracy)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.1, 0.5, 2.0])
    ax = rep.plot(kind="perturbation")
    assert sum(p.get_height() for p in ax.patches) == rep.success.sum()
    with pytest.raises(aequa.InvalidArgumentError, match="kind: expected 'robust_accuracy'"):
        rep.plot(kind="roc")


# ----- plumbing ----------------------------------------------------------------------


def test_missing_matplotlib_gives_an_install_hint(monkeypatch, data):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: no_matplotlib(name))
    X, y, sex, model = data
    mf = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y, sensitive_features=sex)
    with pytest.raises(ImportError, match=r"pip install 'aequa\[plot\]'"):
        mf.plot()


def test_import_aequa_does_not_import_matplotlib():
    import subprocess

    code = "import sys, aequa, aequa.plot, aequa.explain; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_png_saves(tmp_path, data):
    X, y, sex, model = data
    mf = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=model.predict(X),
                           sensitive_features=sex, n_boot=50, ci_quantiles=[0.05, 0.95],
                           random_state=0)  # fmt: skip
    path = tmp_path / "groups.png"
    mf.plot().figure.savefig(path, dpi=60)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 1000


def test_plot_into_given_axes(data):
    X, y, sex, model = data
    fig, axs = plt.subplots(1, 2)
    mf = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y, sensitive_features=sex)
    assert mf.plot(ax=axs[1]) is axs[1]
    assert len(axs[1].patches) == 2 and len(axs[0].patches) == 0

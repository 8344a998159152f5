"""One-vs-rest assessment of multiclass labels: each class's frame equals Fairlearn's on the
binarised labels, and the worst case over classes is the largest gap."""

from __future__ import annotations

import aequa
import fairlearn.metrics as flm
import numpy as np
import pytest
from sklearn.metrics import accuracy_score


def _data(seed: int = 3, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.choice(["cat", "dog", "eel"], size=n, p=[0.5, 0.3, 0.2])
    flip = rng.random(n) < 0.3
    p = np.where(flip, rng.choice(["cat", "dog", "eel"], size=n), y)
    g = rng.choice(["a", "b", "c"], size=n)
    return y, p, g


def test_each_class_matches_fairlearn_on_binarised_labels() -> None:
    y, p, g = _data()
    metrics = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]
    mf = aequa.MetricFrame(
        metrics=metrics, y_true=y, y_pred=p, sensitive_features=g, multiclass="ovr"
    )
    assert sorted(mf.per_class) == ["cat", "dog", "eel"]
    for cls, frame in mf.per_class.items():
        fl = flm.MetricFrame(
            metrics={
                "selection_rate": flm.selection_rate,
                "true_positive_rate": flm.true_positive_rate,
                "false_positive_rate": flm.false_positive_rate,
                "accuracy_score": accuracy_score,
            },
            y_true=(y == cls).astype(int),
            y_pred=(p == cls).astype(int),
            sensitive_features=g,
        )
        np.testing.assert_allclose(frame.by_group.to_numpy(), fl.by_group.to_numpy(), rtol=1e-12)
        for m in metrics:
            np.testing.assert_allclose(
                mf.by_group[f"{m}[{cls}]"].to_numpy(), fl.by_group[m].to_numpy(), rtol=1e-12
            )
    worst = mf.worst_case
    for m in metrics:
        per_class = {c: f.difference()[m] for c, f in mf.per_class.items()}
        assert worst.loc[m, "difference_between_groups"] == max(per_class.values())
        assert worst.loc[m, "worst_class"] == max(per_class, key=per_class.get)
        assert worst.loc[m, "ratio_between_groups"] == min(
            f.ratio()[m] for f in mf.per_class.values()
        )


def test_multiclass_needs_ovr_and_rejects_bad_options() -> None:
    y, p, g = _data()
    with pytest.raises(aequa.AequaError, match="multiclass"):
        aequa.MetricFrame(
            metrics="selection_rate", y_true=y, y_pred=p, sensitive_features=g, pos_label="cat"
        )
    with pytest.raises(aequa.AequaError, match="^multiclass: expected None or 'ovr'"):
        aequa.MetricFrame(
            metrics="selection_rate", y_true=y, y_pred=p, sensitive_features=g, multiclass="ovo"
        )
    with pytest.raises(aequa.AequaError, match="^threshold"):
        aequa.MetricFrame(
            metrics="selection_rate",
            y_true=[0, 1, 2],
            y_pred=[0.1, 0.2, 0.3],
            sensitive_features=["a", "b", "a"],
            multiclass="ovr",
            threshold=0.5,
        )
    with pytest.raises(aequa.AequaError, match="per_class: pass multiclass='ovr'"):
        _ = aequa.MetricFrame(
            metrics="selection_rate", y_true=[0, 1], y_pred=[0, 1], sensitive_features=["a", "b"]
        ).per_class


def test_bootstrap_uses_the_same_replicates_for_every_class() -> None:
    y, p, g = _data(n=300)
    mf = aequa.MetricFrame(
        metrics=["selection_rate"],
        y_true=y,
        y_pred=p,
        sensitive_features=g,
        multiclass="ovr",
        n_boot=50,
        ci_quantiles=[0.1, 0.9],
        random_state=4,
    )
    lo, hi = mf.by_group_ci
    assert lo.shape == mf.by_group.shape
    assert (lo.to_numpy() <= hi.to_numpy()).all()
    again = aequa.MetricFrame(
        metrics=["selection_rate"],
        y_true=y,
        y_pred=p,
        sensitive_features=g,
        multiclass="ovr",
        n_boot=50,
        ci_quantiles=[0.1, 0.9],
        random_state=4,
    )
    assert mf.to_json() == again.to_json()


def test_small_group_warning_is_emitted_once_with_the_count() -> None:
    import warnings

    y = [0, 1] * 20 + [1, 0]
    g = ["big"] * 40 + ["tiny"] * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mf = aequa.MetricFrame(metrics="selection_rate", y_true=y, y_pred=y, sensitive_features=g)
    small = [w for w in caught if issubclass(w.category, aequa.SmallGroupWarning)]
    assert len(small) == 1
    assert "1 group(s) are smaller than min_group_size=30" in str(small[0].message)
    assert "group (tiny) has only 2 rows" in mf.warnings[0]

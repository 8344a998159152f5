"""One golden fairness case: Fairlearn's MetricFrame (with bootstrap when asked), its
standalone disparities and AIF360's forms, with the inputs and the anchor versions."""

from __future__ import annotations

import fairlearn
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import sklearn
from _fairness_aif360 import aif360_records
from _fairness_bootstrap import _SampleSpy, verified_bootstrap_indices
from _fairness_config import (
    AGGS,
    BOOT_RANDOM_STATE,
    CI_QUANTILES,
    CLASSIFICATION_METRICS,
    GENERATOR,
    METHODS,
    METRIC_FUNCTIONS,
    N_BOOT,
    NO_SAMPLE_WEIGHT,
    REGRESSION_METRICS,
)
from _fairness_records import bootstrap_ci_records, metric_frame_records, record


def anchors() -> dict:
    import aif360

    return {
        "aif360": aif360.__version__,
        "fairlearn": fairlearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }


def features_frame(pairs):
    return pd.DataFrame({name: list(values) for name, values in pairs})


def standalone_records(y_true, y_pred, sf, weights) -> list[dict]:
    kw = {"sensitive_features": sf, "sample_weight": weights}
    recs = []
    for fname in ("demographic_parity_difference", "demographic_parity_ratio"):
        for method in METHODS:
            v = getattr(flm, fname)(y_true, y_pred, method=method, **kw)
            recs.append(record(f"{fname}[method={method}]", "", None, None, v))
    for fname in ("equalized_odds_difference", "equalized_odds_ratio"):
        for method in METHODS:
            for agg in AGGS:
                v = getattr(flm, fname)(y_true, y_pred, method=method, agg=agg, **kw)
                recs.append(record(f"{fname}[method={method},agg={agg}]", "", None, None, v))
    for fname in ("equal_opportunity_difference", "equal_opportunity_ratio"):
        for method in METHODS:
            v = getattr(flm, fname)(y_true, y_pred, method=method, **kw)
            recs.append(record(f"{fname}[method={method}]", "", None, None, v))
    return recs


def build_case(
    *,
    name: str,
    y_true: list,
    y_pred: list,
    sensitive: list,
    control: list | None = None,
    weights: list | None = None,
    regression: bool = False,
    bootstrap: bool = False,
    privileged=None,
    pos_label=1,
    neg_label=0,
) -> dict:
    metrics = REGRESSION_METRICS if regression else CLASSIFICATION_METRICS
    n = len(y_true)
    assert len(y_pred) == n
    for _, col in sensitive + (control or []):
        assert len(col) == n
    if weights is not None:
        assert len(weights) == n

    yt = np.asarray(y_true)
    yp = np.asarray(y_pred)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    sf = features_frame(sensitive)
    cf = None if control is None else features_frame(control)
    n_cf = 0 if control is None else len(control)

    funcs = {m: METRIC_FUNCTIONS[m] for m in metrics}
    sample_params = None
    if w is not None:
        sample_params = {m: {"sample_weight": w} for m in metrics if m not in NO_SAMPLE_WEIGHT}

    kwargs = {
        "metrics": funcs,
        "y_true": yt,
        "y_pred": yp,
        "sensitive_features": sf,
        "control_features": cf,
        "sample_params": sample_params,
    }
    boot = None
    if bootstrap:
        with _SampleSpy() as spy:
            mf = flm.MetricFrame(
                **kwargs,
                n_boot=N_BOOT,
                ci_quantiles=list(CI_QUANTILES),
                random_state=BOOT_RANDOM_STATE,
            )
        seeds, indices = verified_bootstrap_indices(spy, n)
        boot = {
            "n_boot": N_BOOT,
            "ci_quantiles": list(CI_QUANTILES),
            "random_state": BOOT_RANDOM_STATE,
            "seeds": seeds,
            "indices": indices,
            "records": bootstrap_ci_records(mf, metrics, n_cf),
        }
    else:
        mf = flm.MetricFrame(**kwargs)

    records = metric_frame_records(mf, metrics, n_cf)

    if control is None and not regression:
        records += standalone_records(yt, yp, sf, w)

    inputs = {
        "y_true": list(y_true),
        "y_pred": list(y_pred),
        "sensitive_features": [[nm, list(vals)] for nm, vals in sensitive],
        "control_features": None if control is None else [[nm, list(vals)] for nm, vals in control],
        "sample_weight": None if weights is None else list(weights),
        "pos_label": pos_label,
    }
    if privileged is not None:
        assert len(sensitive) == 1 and weights is None and not regression
        inputs["privileged"] = privileged
        sf_name, sf_values = sensitive[0]
        records += aif360_records(
            y_true, y_pred, sf_name, sf_values, privileged, pos_label, neg_label
        )

    return {
        "name": name,
        "generator": GENERATOR,
        "anchors": anchors(),
        "inputs": inputs,
        "metrics": list(metrics),
        "records": records,
        "bootstrap": boot,
    }

"""AIF360's ClassificationMetric quantities (signed differences, disparate impact) as golden
records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from _fairness_records import record


def aif360_records(y_true, y_pred, sf_name, sf_values, privileged, pos_label, neg_label):
    """AIF360 ClassificationMetric forms, sign convention unprivileged - privileged.

    With several non-privileged levels we pass
    ``unprivileged_groups=[{attr: v} for v != privileged]``.  AIF360 ORs the
    dicts of a group list (utils.compute_boolean_conditioning_vector), so the
    "unprivileged group" is the pooled union of all non-privileged rows: each
    rate is computed once on that union (weighted by row counts), it is NOT a
    per-group comparison nor an average of per-group differences.  The asserts
    below recompute the pooled form by hand.
    """
    import logging

    logging.getLogger().setLevel(logging.ERROR)  # silence optional-dependency notices
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric

    levels = sorted(set(sf_values), key=str)
    code = {lv: float(i) for i, lv in enumerate(levels)}
    attr = np.array([code[v] for v in sf_values])
    yt = np.asarray(y_true, dtype=np.float64)
    yp = np.asarray(y_pred, dtype=np.float64)
    df = pd.DataFrame({sf_name: attr, "label": yt})
    ds = BinaryLabelDataset(
        df=df,
        label_names=["label"],
        protected_attribute_names=[sf_name],
        favorable_label=float(pos_label),
        unfavorable_label=float(neg_label),
    )
    pred = ds.copy(deepcopy=True)
    pred.labels = yp.reshape(-1, 1)
    metric = ClassificationMetric(
        ds,
        pred,
        unprivileged_groups=[{sf_name: code[v]} for v in levels if v != privileged],
        privileged_groups=[{sf_name: code[privileged]}],
    )
    values = {
        "statistical_parity_difference": metric.statistical_parity_difference(),
        "disparate_impact": metric.disparate_impact(),
        "average_odds_difference": metric.average_odds_difference(),
        "average_abs_odds_difference": metric.average_abs_odds_difference(),
        "equal_opportunity_difference": metric.equal_opportunity_difference(),
    }

    # Hand-computed pooled version (unprivileged = union of all other levels).
    priv = np.array([v == privileged for v in sf_values])

    def rates(mask):
        t, p = yt[mask] == pos_label, yp[mask] == pos_label
        n_pos, n_neg = np.float64(t.sum()), np.float64((~t).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            sel = np.float64(p.sum()) / np.float64(mask.sum())
            tpr = np.float64((t & p).sum()) / n_pos
            fpr = np.float64((~t & p).sum()) / n_neg
        return sel, tpr, fpr

    su, tu, fu = rates(~priv)
    sp, tp, fp = rates(priv)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = {
            "statistical_parity_difference": su - sp,
            "disparate_impact": su / sp,
            "average_odds_difference": 0.5 * ((fu - fp) + (tu - tp)),
            "average_abs_odds_difference": 0.5 * (abs(fu - fp) + abs(tu - tp)),
            "equal_opportunity_difference": tu - tp,
        }
    for k, v in values.items():
        e = expected[k]
        assert (math.isnan(v) and math.isnan(e)) or math.isclose(v, e, rel_tol=1e-12), (
            k,
            v,
            e,
        )

    return [record(f"aif360:{k}", "", [str(privileged)], None, values[k]) for k in sorted(values)]

"""The fixture audit the browser tests load: every report built by the Python API on the
vendored UCI Adult data (a MetricFrame from scores with bootstrap intervals, a TreeSHAP
explanation, permutation importance, a drift report and a noise-stability probe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aequa
import numpy as np
import pandas as pd
from aequa import drift, explain, robust
from aequa._bundle import make_bundle
from aequa.datasets import load_adult
from sklearn.ensemble import GradientBoostingClassifier

FEATURES = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]
SENSITIVE = ["sex", "race"]
# The metrics of the page's own CSV audit (wasm/dashboard/src/views/csv.js).
CSV_METRICS = [*METRICS, "count"]
THRESHOLD = 0.5


@dataclass
class Audit:
    frame: pd.DataFrame
    scores: np.ndarray
    mf: aequa.MetricFrame
    reports: list[Any]
    bundle: dict[str, Any]

    def frame_at(self, threshold: float, sensitive: list[str] | None = None) -> aequa.MetricFrame:
        """The Python MetricFrame the slider's recompute must equal."""
        return aequa.MetricFrame(
            metrics=METRICS,
            y_true=self.frame["label"].to_numpy(),
            y_pred=self.scores,
            threshold=threshold,
            sensitive_features=self.frame[sensitive or SENSITIVE],
        )


def build_audit() -> Audit:
    df = load_adult().dropna(subset=FEATURES + SENSITIVE).reset_index(drop=True)
    X = df[FEATURES].astype(float)
    y = df["label"].to_numpy()
    model = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    scores = model.predict_proba(X)[:, 1]
    mf = aequa.MetricFrame(
        metrics=METRICS,
        y_true=y,
        y_pred=scores,
        threshold=THRESHOLD,
        sensitive_features=df[SENSITIVE],
        n_boot=40,
        ci_quantiles=[0.025, 0.975],
        random_state=7,
    )
    small = X.iloc[:200]
    ex = explain.TreeExplainer(model)(small)
    pi = explain.permutation_importance(model, X.iloc[:2000], y[:2000], n_repeats=3, random_state=0)
    dr = drift.drift_report(X.iloc[:20000], X.iloc[20000:])
    ns = robust.noise_stability(
        model, X.iloc[:300], sensitive_features=df["sex"].iloc[:300], n_repeats=3, random_state=0
    )
    reports = [mf, ex, pi, dr, ns]
    bundle = make_bundle(reports, title="Adult audit", data=mf._bundle_data())
    return Audit(df, scores, mf, reports, bundle)

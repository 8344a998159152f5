"""The two libraries under test: one MetricFrame call each (aequa, Fairlearn 0.15), same metrics."""

from __future__ import annotations

from typing import Any

from _fairness_bench_config import BOOT_SEED, METRICS, QUANTILES
from _fairness_bench_data import Data


# ----- the two libraries ----------------------------------------------------------------------
def aequa_metrics() -> dict[str, Any]:
    import aequa

    return {m: getattr(aequa, m) for m in METRICS}


def fairlearn_metrics() -> dict[str, Any]:
    import fairlearn.metrics as flm
    import sklearn.metrics as skm

    fns = [flm.selection_rate, flm.true_positive_rate, flm.false_positive_rate, skm.accuracy_score]
    return dict(zip(METRICS, fns))


def run_aequa(data: Data, features: Any, n_boot: int = 0, resampling: str = "rows") -> Any:
    """Build aequa's MetricFrame and read what a user reads; returns by_group (or its CIs)."""
    import aequa

    boot: dict[str, Any] = {}
    if n_boot:
        boot = dict(
            n_boot=n_boot, ci_quantiles=QUANTILES, random_state=BOOT_SEED, resampling=resampling
        )
    mf = aequa.MetricFrame(
        metrics=aequa_metrics(),
        y_true=data.y_true,
        y_pred=data.y_pred,
        sensitive_features=features,
        **boot,
    )
    return mf.by_group_ci if n_boot else mf.by_group


def run_fairlearn(data: Data, features: Any, n_boot: int = 0) -> Any:
    from fairlearn.metrics import MetricFrame

    boot: dict[str, Any] = {}
    if n_boot:
        boot = dict(n_boot=n_boot, ci_quantiles=QUANTILES, random_state=BOOT_SEED)
    mf = MetricFrame(
        metrics=fairlearn_metrics(),
        y_true=data.y_true,
        y_pred=data.y_pred,
        sensitive_features=features,
        **boot,
    )
    return mf.by_group_ci if n_boot else mf.by_group

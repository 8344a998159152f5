"""Data drift: a reference sample against a current one, per column and over whole frames.

The tests scipy has keep scipy's names, arguments and result fields (``ks_2samp``,
``chisquare``, ``wasserstein_distance``, ``anderson_ksamp``; results with ``.statistic`` and
``.pvalue``) and its numbers to 1e-9. ``psi`` and ``jensen_shannon`` follow Evidently's
definitions, with the binning recorded in the result. ``drift_report`` runs a test per column
over pandas, polars or pyarrow frames, with the default test chosen by column type and size
(Evidently's rule), multiple-testing correction, prediction drift and drift by group.

Examples
--------
>>> import numpy as np
>>> from aequa import drift
>>> rng = np.random.default_rng(0)
>>> res = drift.ks_2samp(rng.normal(size=200), rng.normal(0.5, size=300))
>>> bool(res.pvalue < 0.05), res.statistic_sign
(True, 1)
"""

from __future__ import annotations

from aequa import _core
from aequa.drift._distances import BinnedResult, jensen_shannon, psi
from aequa.drift._report import DriftReport, drift_report
from aequa.drift._tests import (
    AndersonKsampResult,
    KstestResult,
    Power_divergenceResult,
    anderson_ksamp,
    chisquare,
    ks_2samp,
    wasserstein_distance,
)

__all__ = [
    "AndersonKsampResult",
    "BinnedResult",
    "DriftReport",
    "DriftSummary",
    "KstestResult",
    "Power_divergenceResult",
    "anderson_ksamp",
    "chisquare",
    "drift_report",
    "jensen_shannon",
    "ks_2samp",
    "psi",
    "wasserstein_distance",
]

DriftSummary = _core.DriftSummary

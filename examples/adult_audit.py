"""Audit a model trained on the UCI Adult census data (vendored; see data/adult/README.md).

Trains a logistic regression on the training split, predicts the test split, and assesses the
predictions by sex and race: per-group metrics with bootstrap intervals, the gaps, their
significance, and small-group warnings. Writes ``OUT/report.json``.

Run: ``make demo`` (or ``python examples/adult_audit.py --out out`` in the project venv).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import aequa
import numpy as np
import pandas as pd
from aequa.datasets import load_adult
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
METRICS = ["selection_rate", "true_positive_rate", "false_positive_rate", "accuracy_score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="out", help="folder for report.json")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    train, test = load_adult("train"), load_adult("test")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(train[FEATURES], train["label"])
    y_pred = model.predict(test[FEATURES])
    print(f"UCI Adult: trained on {len(train)} rows, auditing {len(test)} test predictions\n")

    start = time.perf_counter()
    mf = aequa.MetricFrame(
        metrics=METRICS,
        y_true=test["label"],
        y_pred=y_pred,
        sensitive_features=test[["sex", "race"]],
        n_boot=args.n_boot,
        ci_quantiles=[0.025, 0.975],
        random_state=args.seed,
    )
    elapsed = time.perf_counter() - start

    lo, hi = mf.by_group_ci
    table = pd.concat(
        {m: _with_interval(mf.by_group[m], lo[m], hi[m]) for m in METRICS}, axis=1
    ).join(mf.sizes["rows"])
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("Per group (value [95% bootstrap interval]):")
        print(table.to_string())
    print("\nGaps between groups (max - min) with 95% intervals:")
    d_lo, d_hi = mf.difference_ci()
    for m in METRICS:
        print(f"  {m:22s} {mf.difference()[m]:.4f}  [{d_lo[m]:.4f}, {d_hi[m]:.4f}]")
    tests = mf.tests
    print("\nIs the gap real? chi-square test of independence across groups:")
    for _, row in tests.iterrows():
        stat = f"chi2={row['chi2']:9.2f}  dof={row['dof']}  p={row['pvalue']:.3g}"
        print(f"  {row['metric']:22s} {stat}")
    for w in mf.warnings:
        print(f"warning: {w}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mf.to_json(str(out / "report.json"), indent=1)
    print(f"\n{args.n_boot} bootstrap replicates in {elapsed:.2f} s; wrote {out / 'report.json'}")
    html = mf.save_html(out / "dashboard.html")  # one self-contained page: open it offline
    print(f"wrote {html} (the dashboard: table, chart with intervals)")


def _with_interval(value: pd.Series, lo: pd.Series, hi: pd.Series) -> pd.Series:
    return pd.Series(
        ["—" if np.isnan(v) else f"{v:.3f} [{a:.3f}, {b:.3f}]" for v, a, b in zip(value, lo, hi)],
        index=value.index,
    )


if __name__ == "__main__":
    main()

"""Generate golden fairness cases from Fairlearn 0.15.0 (and AIF360 0.6.1).

Run from the repository root:

    .venv/bin/python tests/golden/generate_fairness.py

Writes one JSON file per case into ``tests/golden/fairness/``.  The output is
deterministic: fixed seeds, sorted keys, floats written with ``repr``
precision (``json.dumps``), NaN written as ``null``.  The layout follows
``json.dumps(obj, sort_keys=True, indent=1)`` except that lists made only of
scalars (the input columns, bootstrap row indices, level tuples) are written on
one line, without spaces, to keep the files small.  The files parse to exactly
the same object as the ``json.dumps`` form would.

Conventions of the reference libraries worth knowing (all checked by this
script or visible in the goldens):

* fairlearn's TPR/FNR/TNR/FPR come from ``confusion_matrix(normalize="true")``,
  which turns 0/0 into 0: a group without positives has TPR = FNR = 0, a group
  without negatives has TNR = FPR = 0.
* sklearn ``precision_score``/``recall_score`` with the default
  ``zero_division="warn"`` return 0.0 (and warn) on 0/0.
* sklearn ``balanced_accuracy_score`` averages the recall of the classes
  present in ``y_true`` only (a single-class group gets that class's recall).
* ``MetricFrame`` reindexes ``by_group`` to the cartesian product of the levels
  whenever more than one grouping column (sensitive + control) is used, so
  empty intersections show up as all-NaN rows (``count`` included).
* AIF360 computes rates as plain float divisions: 0/0 gives NaN there.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import sys
import warnings
from collections import Counter
from pathlib import Path

import fairlearn
import fairlearn.metrics as flm
import numpy as np
import pandas as pd
import sklearn
import sklearn.metrics as skm
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "tests" / "golden" / "fairness"
ADULT_PATH = REPO_ROOT / "data" / "adult" / "adult.data.gz"
# sha256 of the decompressed UCI adult.data (32561 rows + trailing blank line).
ADULT_SHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"
GENERATOR = "tests/golden/generate_fairness.py"

N_BOOT = 20
CI_QUANTILES = [0.05, 0.5, 0.95]
BOOT_RANDOM_STATE = 13

METRIC_FUNCTIONS = {
    "count": flm.count,
    "selection_rate": flm.selection_rate,
    "true_positive_rate": flm.true_positive_rate,
    "false_positive_rate": flm.false_positive_rate,
    "true_negative_rate": flm.true_negative_rate,
    "false_negative_rate": flm.false_negative_rate,
    "mean_prediction": flm.mean_prediction,
    "accuracy_score": skm.accuracy_score,
    "precision_score": skm.precision_score,
    "recall_score": skm.recall_score,
    "balanced_accuracy_score": skm.balanced_accuracy_score,
    "mean_absolute_error": skm.mean_absolute_error,
    "mean_squared_error": skm.mean_squared_error,
    "root_mean_squared_error": skm.root_mean_squared_error,
}
NO_SAMPLE_WEIGHT = {"count"}

CLASSIFICATION_METRICS = [
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "true_negative_rate",
    "false_negative_rate",
    "mean_prediction",
    "accuracy_score",
    "precision_score",
    "recall_score",
    "balanced_accuracy_score",
]
REGRESSION_METRICS = [
    "count",
    "mean_prediction",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
]

METHODS = ["between_groups", "to_overall"]
AGGS = ["worst_case", "mean"]


# --------------------------------------------------------------------------
# JSON output
# --------------------------------------------------------------------------


def _is_scalar(x) -> bool:
    return x is None or isinstance(x, (bool, int, float, str))


def _encode(obj, level: int) -> str:
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        pad = " " * (level + 1)
        items = [pad + json.dumps(k) + ": " + _encode(obj[k], level + 1) for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * level + "}"
    if isinstance(obj, list):
        if not obj:
            return "[]"
        if all(_is_scalar(x) for x in obj):
            return "[" + ",".join(_encode(x, 0) for x in obj) + "]"
        pad = " " * (level + 1)
        items = [pad + _encode(x, level + 1) for x in obj]
        return "[\n" + ",\n".join(items) + "\n" + " " * level + "]"
    if isinstance(obj, float):
        assert math.isfinite(obj), obj
        return json.dumps(obj)
    if obj is None or isinstance(obj, (bool, int, str)):
        return json.dumps(obj)
    raise TypeError(f"unexpected type {type(obj)!r}")


def dump_case(case: dict) -> str:
    text = _encode(case, 0) + "\n"
    # Same content as the plain json.dumps(sort_keys=True, indent=1) form.
    assert json.loads(text) == json.loads(json.dumps(case, sort_keys=True, indent=1))
    return text


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


def to_value(v):
    """Convert a metric value to float, NaN/None to None."""
    if v is None:
        return None
    f = float(v)
    if math.isnan(f):
        return None
    assert math.isfinite(f), f"non-finite value {v!r}"
    return f


def level_list(key, start: int, stop: int | None = None) -> list[str]:
    key = key if isinstance(key, tuple) else (key,)
    return [str(x) for x in key[start:stop]]


def record(quantity, metric, sensitive, control, value, q=None) -> dict:
    r = {
        "quantity": quantity,
        "metric": metric,
        "sensitive": sensitive,
        "control": control,
        "value": to_value(value),
    }
    if q is not None:
        r["q"] = q
    return r


def frame_records(quantity, obj, metrics, n_cf: int, by_group: bool, q=None) -> list[dict]:
    """Flatten a MetricFrame result (Series or DataFrame) into records."""
    out = []
    if isinstance(obj, pd.Series):
        assert not by_group and n_cf == 0
        assert list(obj.index) == metrics, (quantity, list(obj.index))
        for m in metrics:
            out.append(record(quantity, m, None, None, obj[m], q))
        return out
    assert isinstance(obj, pd.DataFrame), type(obj)
    assert sorted(obj.columns) == sorted(metrics), (quantity, list(obj.columns))
    keys = list(obj.index)
    for m in metrics:
        col = obj[m].to_numpy()
        for key, v in zip(keys, col, strict=True):
            if by_group:
                control = level_list(key, 0, n_cf) if n_cf else None
                sensitive = level_list(key, n_cf)
            else:
                assert n_cf > 0
                control = level_list(key, 0)
                sensitive = None
            out.append(record(quantity, m, sensitive, control, v, q))
    return out


def metric_frame_records(mf, metrics, n_cf) -> list[dict]:
    recs = []
    recs += frame_records("overall", mf.overall, metrics, n_cf, False)
    recs += frame_records("by_group", mf.by_group, metrics, n_cf, True)
    recs += frame_records("group_min", mf.group_min(), metrics, n_cf, False)
    recs += frame_records("group_max", mf.group_max(), metrics, n_cf, False)
    for method in METHODS:
        diff = mf.difference(method=method)
        recs += frame_records(f"difference_{method}", diff, metrics, n_cf, False)
    for method in METHODS:
        ratio = mf.ratio(method=method)
        recs += frame_records(f"ratio_{method}", ratio, metrics, n_cf, False)
    return recs


def bootstrap_ci_records(mf, metrics, n_cf) -> list[dict]:
    recs = []
    for i, q in enumerate(CI_QUANTILES):
        recs += frame_records("overall_ci", mf.overall_ci[i], metrics, n_cf, False, q)
        recs += frame_records("by_group_ci", mf.by_group_ci[i], metrics, n_cf, True, q)
        recs += frame_records("group_min_ci", mf.group_min_ci()[i], metrics, n_cf, False, q)
        recs += frame_records("group_max_ci", mf.group_max_ci()[i], metrics, n_cf, False, q)
        for method in METHODS:
            recs += frame_records(
                f"difference_ci[method={method}]",
                mf.difference_ci(method)[i],
                metrics,
                n_cf,
                False,
                q,
            )
        for method in METHODS:
            recs += frame_records(
                f"ratio_ci[method={method}]",
                mf.ratio_ci(method)[i],
                metrics,
                n_cf,
                False,
                q,
            )
    return recs


# --------------------------------------------------------------------------
# Bootstrap row indices
# --------------------------------------------------------------------------


class _MT19937:
    """Reference MT19937 with numpy's legacy integer seeding (init_genrand)."""

    def __init__(self, seed: int):
        mt = [0] * 624
        mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        self.mt = mt
        self.pos = 624

    def _twist(self):
        mt = self.mt
        for i in range(624):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.pos = 0

    def next_uint32(self) -> int:
        if self.pos >= 624:
            self._twist()
        y = self.mt[self.pos]
        self.pos += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y


def reference_bootstrap_rows(seed: int, n: int) -> list[int]:
    """RandomState(seed).randint(0, n, size=n) re-implemented from scratch.

    Legacy RandomState draws bounded integers (range < 2**32) by masked
    rejection on 32-bit MT19937 outputs: mask = smallest 2**k - 1 >= n - 1,
    redraw while (u32 & mask) > n - 1.
    """
    mt = _MT19937(seed)
    rng = n - 1
    mask = (1 << rng.bit_length()) - 1
    out = []
    while len(out) < n:
        v = mt.next_uint32() & mask
        if v <= rng:
            out.append(v)
    return out


def bootstrap_seeds() -> list[int]:
    # fairlearn/metrics/_bootstrap.py, integer random_state branch.
    gen = np.random.default_rng(seed=BOOT_RANDOM_STATE)
    rs = gen.integers(low=0, high=np.iinfo(np.uint32).max, size=N_BOOT, dtype=np.uint32)
    return [int(x) for x in rs]


class _SampleSpy:
    """Record which source rows DataFrame.sample picks inside MetricFrame."""

    def __init__(self):
        self.calls: list[tuple[object, list[int]]] = []
        self._orig = None

    def __enter__(self):
        orig = pd.DataFrame.sample
        spy = self

        def sample(df, *args, **kwargs):
            result = orig(df, *args, **kwargs)
            kw = dict(kwargs)
            kw["ignore_index"] = False
            labelled = orig(df, *args, **kw)
            assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0
            assert labelled.reset_index(drop=True).equals(result)
            spy.calls.append((kwargs.get("random_state"), [int(i) for i in labelled.index]))
            return result

        self._orig = orig
        pd.DataFrame.sample = sample
        return self

    def __exit__(self, *exc):
        pd.DataFrame.sample = self._orig
        return False


def verified_bootstrap_indices(spy: _SampleSpy, n: int) -> tuple[list[int], list[list[int]]]:
    seeds = bootstrap_seeds()
    assert len(spy.calls) == N_BOOT, len(spy.calls)
    indices = []
    for seed, (rs, rows) in zip(seeds, spy.calls, strict=True):
        # fairlearn passes the np.uint32 seed straight to DataFrame.sample.
        assert isinstance(rs, np.uint32) and int(rs) == seed, (rs, seed)
        # pandas: random_state -> np.random.RandomState(seed);
        # sample(frac=1, replace=True) -> rs.choice(n, size=round(1 * n), replace=True)
        # and RandomState.choice(replace=True, p=None) -> rs.randint(0, n, size=n).
        via_randint = np.random.RandomState(seed).randint(0, n, size=n).tolist()
        via_choice = np.random.RandomState(seed).choice(n, size=n, replace=True).tolist()
        assert rows == via_randint == via_choice
        assert rows == reference_bootstrap_rows(seed, n)
        indices.append(rows)
    return seeds, indices


# --------------------------------------------------------------------------
# AIF360
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Case runner
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
    "income",
]
ADULT_NUMERIC = [
    "age",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
]


def load_adult_slice() -> dict:
    if not ADULT_PATH.exists():
        sys.exit(f"missing {ADULT_PATH}: vendor the UCI Adult training file there")
    raw = gzip.decompress(ADULT_PATH.read_bytes())
    digest = hashlib.sha256(raw).hexdigest()
    assert digest == ADULT_SHA256, f"unexpected adult.data content: {digest}"
    df = pd.read_csv(io.BytesIO(raw), header=None, names=ADULT_COLUMNS, skipinitialspace=True)
    assert len(df) == 32561, len(df)
    assert set(df["income"]) == {"<=50K", ">50K"}
    train, test = df.iloc[:20000], df.iloc[20000:23000]
    scaler = StandardScaler().fit(train[ADULT_NUMERIC].to_numpy(dtype=np.float64))
    model = LogisticRegression(max_iter=1000)
    model.fit(
        scaler.transform(train[ADULT_NUMERIC].to_numpy(dtype=np.float64)),
        (train["income"] == ">50K").to_numpy().astype(np.int64),
    )
    y_pred = model.predict(scaler.transform(test[ADULT_NUMERIC].to_numpy(dtype=np.float64)))
    fnlwgt = test["fnlwgt"].to_numpy(dtype=np.float64)
    return {
        "y_true": [int(v) for v in (test["income"] == ">50K").to_numpy()],
        "y_pred": [int(v) for v in y_pred],
        "sex": [str(v) for v in test["sex"]],
        "race": [str(v) for v in test["race"]],
        "weight": (fnlwgt / fnlwgt.mean()).tolist(),
    }


def adult_cases() -> list[dict]:
    a = load_adult_slice()
    return [
        build_case(
            name="adult_sex_binary",
            y_true=a["y_true"],
            y_pred=a["y_pred"],
            sensitive=[("sex", a["sex"])],
            bootstrap=True,
            privileged="Male",
        ),
        build_case(
            name="adult_sex_race_intersectional",
            y_true=a["y_true"],
            y_pred=a["y_pred"],
            sensitive=[("sex", a["sex"]), ("race", a["race"])],
        ),
        build_case(
            name="adult_weighted_control",
            y_true=a["y_true"],
            y_pred=a["y_pred"],
            sensitive=[("race", a["race"])],
            control=[("sex", a["sex"])],
            weights=a["weight"],
        ),
    ]


def ints(a) -> list[int]:
    return [int(v) for v in a]


def synthetic_many_groups() -> dict:
    rng = np.random.default_rng(7)
    n = 1500
    p = np.arange(1, 8, dtype=np.float64)
    g1 = rng.choice(7, size=n, p=p / p.sum())
    g2 = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    # Force two empty intersections: (g0, c) and (g4, b).
    g2[(g1 == 0) & (g2 == 2)] = 0
    g2[(g1 == 4) & (g2 == 1)] = 2
    base = 0.15 + 0.07 * g1 - 0.04 * g2
    y_true = (rng.random(n) < base).astype(np.int64)
    keep = rng.random(n) < 0.8
    y_pred = np.where(keep, y_true, (rng.random(n) < 0.3).astype(np.int64))
    weights = np.round(rng.uniform(0.1, 3.0, size=n), 4)
    s1 = [f"g{v}" for v in g1]
    s2 = ["abc"[v] for v in g2]
    cells = Counter(zip(s1, s2, strict=True))
    empty = [(a, b) for a in sorted(set(s1)) for b in "abc" if cells[(a, b)] == 0]
    assert empty == [("g0", "c"), ("g4", "b")], empty
    assert len(set(s1)) == 7
    return build_case(
        name="synthetic_many_groups",
        y_true=ints(y_true),
        y_pred=ints(y_pred),
        sensitive=[("g1", s1), ("g2", s2)],
        weights=weights.tolist(),
        bootstrap=True,
    )


def synthetic_control_empty() -> dict:
    rng = np.random.default_rng(5)
    n = 800
    g = rng.integers(0, 4, size=n)
    c = rng.integers(0, 2, size=n)
    y_true = (rng.random(n) < 0.4).astype(np.int64)
    keep = rng.random(n) < 0.75
    y_pred = np.where(keep, y_true, 1 - y_true)
    # Group 2 has no positives under control level "x": TPR/FNR/recall are 0/0.
    y_true[(g == 2) & (c == 0)] = 0
    # Group 3 never gets a positive prediction: precision is 0/0 everywhere.
    y_pred[g == 3] = 0
    cs = ["xy"[v] for v in c]
    assert y_pred[(g == 2) & (c == 0)].max() == 1  # FPR still defined there
    assert y_true[g == 3].min() == 0 and y_true[g == 3].max() == 1
    return build_case(
        name="synthetic_control_empty",
        y_true=ints(y_true),
        y_pred=ints(y_pred),
        sensitive=[("g", ints(g))],
        control=[("c", cs)],
        privileged=0,
    )


def synthetic_regression() -> dict:
    rng = np.random.default_rng(6)
    n = 1000
    names = ["north", "south", "west"]
    gi = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    y_true = np.round(rng.normal(50.0, 10.0, size=n), 3)
    sd = np.array([1.0, 2.5, 5.0])[gi]
    bias = np.array([0.0, 1.5, -2.0])[gi]
    y_pred = np.round(y_true + bias + rng.normal(0.0, 1.0, size=n) * sd, 3)
    weights = np.round(rng.uniform(0.5, 2.0, size=n), 3)
    return build_case(
        name="synthetic_regression",
        y_true=y_true.tolist(),
        y_pred=y_pred.tolist(),
        sensitive=[("g", [names[v] for v in gi])],
        weights=weights.tolist(),
        regression=True,
    )


def synthetic_single_class_group() -> dict:
    rng = np.random.default_rng(17)
    n = 400
    gi = rng.choice(3, size=n, p=[0.4, 0.25, 0.35])
    y_true = (rng.random(n) < 0.45).astype(np.int64)
    y_true[gi == 1] = 1  # group "B" has only positives
    keep = rng.random(n) < 0.75
    y_pred = np.where(keep, y_true, 1 - y_true)
    g = ["ABC"[v] for v in gi]
    assert set(y_pred[gi == 1]) == {0, 1}
    # privileged = the single-class group: AIF360's FPR for it is 0/0 = NaN.
    return build_case(
        name="synthetic_single_class_group",
        y_true=ints(y_true),
        y_pred=ints(y_pred),
        sensitive=[("g", g)],
        privileged="B",
    )


def synthetic_pos_label_minus1() -> dict:
    rng = np.random.default_rng(8)
    n = 600
    gi = rng.choice(3, size=n, p=[0.3, 0.3, 0.4])
    rate = np.array([0.55, 0.35, 0.45])[gi]
    y_true = np.where(rng.random(n) < rate, 1, -1)
    flip = rng.random(n) < 0.2
    y_pred = np.where(flip, -y_true, y_true)
    return build_case(
        name="synthetic_pos_label_minus1",
        y_true=ints(y_true),
        y_pred=ints(y_pred),
        sensitive=[("g", ["pqr"[v] for v in gi])],
        privileged="p",
        pos_label=1,
        neg_label=-1,
    )


# --------------------------------------------------------------------------


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    builders = [
        adult_cases,
        synthetic_many_groups,
        synthetic_control_empty,
        synthetic_regression,
        synthetic_single_class_group,
        synthetic_pos_label_minus1,
    ]
    for build in builders:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build()
        cases = result if isinstance(result, list) else [result]
        seen = Counter(f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught)
        for case in cases:
            path = OUT_DIR / f"{case['name']}.json"
            path.write_text(dump_case(case), encoding="utf-8")
            print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size} bytes)")
        for msg, k in sorted(seen.items()):
            print(f"  warning x{k}: {msg[:160]}")


if __name__ == "__main__":
    main()

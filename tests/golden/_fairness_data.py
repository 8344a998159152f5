"""The fairness golden cases: a slice of UCI Adult with a fitted logistic regression, and
synthetic edge cases (many groups, empty control cells, regression, one-class groups,
pos_label=-1)."""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
from collections import Counter

import numpy as np
import pandas as pd
from _fairness_case import build_case
from _fairness_config import ADULT_PATH, ADULT_SHA256
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

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

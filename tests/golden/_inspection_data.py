"""The data sets and models of the inspection goldens: diabetes, breast cancer, a slice of
UCI Adult, and linear models stored by their coefficients."""

from __future__ import annotations

import gzip
import hashlib
import io

import numpy as np
import pandas as pd
from _inspection_config import ADULT_PATH, ADULT_SHA256, RECIPE_PARAMS
from _inspection_json import floats
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler


def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X.astype(np.float64), y.astype(np.float64)


def breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, y.astype(np.float64)


def adult(n_rows: int = 1500):
    raw = gzip.decompress(ADULT_PATH.read_bytes())
    assert hashlib.sha256(raw).hexdigest() == ADULT_SHA256
    cols = [
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
    df = pd.read_csv(io.BytesIO(raw), header=None, names=cols, skipinitialspace=True)
    df = df.sample(n=n_rows, random_state=3).reset_index(drop=True)
    numeric = ["age", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
    Xn = StandardScaler().fit_transform(df[numeric].to_numpy(dtype=np.float64))
    races = sorted(df["race"].unique())
    onehot = np.stack([(df["race"] == r).to_numpy(np.float64) for r in races], axis=1)
    male = (df["sex"] == "Male").to_numpy(np.float64)[:, None]
    X = np.hstack([Xn, male, onehot])
    names = numeric + ["sex_male"] + [f"race_{r}" for r in races]
    y = (df["income"] == ">50K").to_numpy(np.float64)
    sex_levels = sorted(df["sex"].unique())
    sex_codes = df["sex"].map({s: i for i, s in enumerate(sex_levels)}).to_numpy(np.uint32)
    return X, y, names, (sex_codes, sex_levels)


def linear_spec(est, link: str) -> dict:
    return {
        "type": "linear",
        "estimator": type(est).__name__,
        "coef": floats(np.atleast_2d(est.coef_)),
        "intercept": floats(np.atleast_1d(est.intercept_)),
        "link": link,
    }


def recipe(est, X, y) -> dict:
    return {
        "type": "sklearn",
        "estimator": type(est).__name__,
        "params": {k: v for k, v in est.get_params().items() if k in RECIPE_PARAMS},
        "fit_y": floats(y),
        "check_rows": 20,
        "check_predictions": floats(est.predict(X[:20])),
    }

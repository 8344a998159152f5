"""Permutation importance goldens from ``sklearn.inspection.permutation_importance`` (the row
subsets and permutations it draws, and its scores)."""

from __future__ import annotations

import fairlearn.metrics as flm
import numpy as np
from _inspection_data import adult, breast_cancer, diabetes, linear_spec, recipe
from _inspection_json import floats, write
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.ensemble._bagging import _generate_indices
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import check_scoring


def sklearn_permutations(random_state: int, n: int, max_samples, n_repeats: int):
    """The row indices and permutations sklearn's permutation_importance uses."""
    seed = np.random.RandomState(random_state).randint(np.iinfo(np.int32).max + 1)
    rs = np.random.RandomState(seed)
    m = max_samples if isinstance(max_samples, int) else int(max_samples * n)
    rows = None
    if m < n:
        rows = _generate_indices(random_state=rs, bootstrap=False, n_population=n, n_samples=m)
    idx = np.arange(m)
    P = np.arange(m)
    perms = []
    for _ in range(n_repeats):
        rs.shuffle(idx)
        P = P[idx]
        perms.append(P.copy())
    return rows, np.array(perms)


def score(scorer, est, X, y, w):
    return scorer(est, X, y) if w is None else scorer(est, X, y, sample_weight=w)


def pi_case(
    est,
    X,
    y,
    scoring,
    *,
    w=None,
    random_state=0,
    n_repeats=5,
    max_samples=1.0,
    groups=None,
    scorer=None,
    response="predict",
):
    """One scorer: sklearn's result (or, with groups, the same recipe) and the permutations."""
    scorer = scorer or check_scoring(est, scoring=scoring)
    rows, perms = sklearn_permutations(random_state, len(X), max_samples, n_repeats)
    Xs, ys, ws = X, y, w
    if rows is not None:
        Xs, ys = X[rows], y[rows]
        ws = None if w is None else w[rows]
    groups_ = groups or [[j] for j in range(X.shape[1])]
    permuted = []
    for cols in groups_:
        out = []
        for P in perms:
            Xp = Xs.copy()
            Xp[:, cols] = Xs[P][:, cols]
            out.append(score(scorer, est, Xp, ys, ws))
        permuted.append(out)
    permuted = np.array(permuted)
    baseline = score(scorer, est, X, y, w)
    if groups is None:
        ref = permutation_importance(
            est,
            X,
            y,
            scoring=scorer,
            n_repeats=n_repeats,
            random_state=random_state,
            sample_weight=w,
            max_samples=max_samples,
        )
        # The reconstruction of sklearn's permutations is exact: same scores, bit for bit.
        assert np.array_equal(ref.importances, baseline - permuted), scoring
        importances = ref.importances
    else:
        importances = baseline - permuted
    return {
        "scoring": scoring,
        "response": response,
        "random_state": random_state,
        "n_repeats": n_repeats,
        "max_samples": max_samples,
        "sample_weight": None if w is None else floats(w),
        "feature_groups": groups,
        "sample_indices": None if rows is None else [int(i) for i in rows],
        "permutations": perms.astype(int).tolist(),
        "baseline": "full",
        "expected": {
            "baseline_score": float(baseline),
            "subsample_baseline_score": float(score(scorer, est, Xs, ys, ws)),
            "permuted_scores": floats(permuted),
            "importances": floats(importances),
            "importances_mean": floats(importances.mean(axis=1)),
            "importances_std": floats(importances.std(axis=1)),
        },
    }


def pi_diabetes():
    X, y = diabetes()
    est = LinearRegression().fit(X, y)
    w = np.random.default_rng(5).uniform(0.5, 2.0, len(y))
    cases = [
        pi_case(est, X, y, "r2", random_state=0),
        pi_case(est, X, y, "neg_mean_squared_error", random_state=1),
        pi_case(est, X, y, "neg_mean_absolute_error", random_state=2, n_repeats=3),
        pi_case(est, X, y, "r2", w=w, random_state=3),
        pi_case(est, X, y, "neg_mean_squared_error", random_state=4, max_samples=0.6),
        pi_case(est, X, y, "r2", random_state=5, max_samples=200, w=w),
        pi_case(est, X, y, "r2", random_state=6, groups=[[0, 1], [2], [3, 4, 5]]),
    ]
    write(
        "pi_diabetes_linear",
        {
            "kind": "permutation_importance",
            "dataset": "diabetes",
            "model": linear_spec(est, "identity"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )

    gb = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    cases = [
        pi_case(gb, X, y, "r2", random_state=7),
        pi_case(gb, X, y, "neg_mean_absolute_error", w=w, random_state=8),
    ]
    write(
        "pi_diabetes_gb",
        {
            "kind": "permutation_importance",
            "dataset": "diabetes",
            "model": recipe(gb, X, y),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )


def pi_breast_cancer():
    X, y = breast_cancer()
    est = LogisticRegression(max_iter=5000).fit(X, y)
    w = np.random.default_rng(9).uniform(0.2, 3.0, len(y))
    cases = [
        pi_case(est, X, y, "accuracy", random_state=0),
        pi_case(est, X, y, "balanced_accuracy", random_state=1, w=w),
        pi_case(est, X, y, "roc_auc", random_state=2, response="decision_function"),
        pi_case(
            est, X, y, "roc_auc", random_state=3, w=w, max_samples=300, response="decision_function"
        ),
        pi_case(est, X, y, "neg_log_loss", random_state=4, response="predict_proba"),
        pi_case(est, X, y, "neg_log_loss", random_state=5, w=w, response="predict_proba"),
    ]
    write(
        "pi_breast_cancer_logistic",
        {
            "kind": "permutation_importance",
            "dataset": "breast_cancer",
            "model": linear_spec(est, "logistic"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )


def pi_adult():
    X, y, names, (sex_codes, sex_levels) = adult()
    est = LogisticRegression(max_iter=5000).fit(X, y)

    def neg_dpd(estimator, Xp, yp, sample_weight=None):
        return -flm.demographic_parity_difference(
            yp, estimator.predict(Xp), sensitive_features=sex_codes, sample_weight=sample_weight
        )

    def eo_ratio(estimator, Xp, yp, sample_weight=None):
        return flm.equalized_odds_ratio(
            yp, estimator.predict(Xp), sensitive_features=sex_codes, sample_weight=sample_weight
        )

    race = list(range(6, X.shape[1]))
    w = np.random.default_rng(11).uniform(0.5, 1.5, len(y))
    cases = [
        pi_case(est, X, y, "accuracy", random_state=0),
        pi_case(est, X, y, "roc_auc", random_state=1, response="decision_function"),
        pi_case(est, X, y, "neg_demographic_parity_difference", scorer=neg_dpd, random_state=2),
        pi_case(est, X, y, "equalized_odds_ratio", scorer=eo_ratio, random_state=3, w=w),
        pi_case(est, X, y, "accuracy", random_state=4, groups=[[0], [1], [2, 3], [4], [5], race]),
    ]
    write(
        "pi_adult_logistic",
        {
            "kind": "permutation_importance",
            "dataset": "adult (1500 rows, seed 3)",
            "feature_names": names,
            "sensitive": {
                "name": "sex",
                "codes": [int(c) for c in sex_codes],
                "levels": sex_levels,
            },
            "model": linear_spec(est, "logistic"),
            "X": floats(X),
            "y": floats(y),
            "cases": cases,
        },
    )

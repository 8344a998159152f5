"""Generate golden robustness cases from IBM ART 1.20.1 and independent closed forms.

Run from the repository root (with the wheel installed, for the scikit-learn conversions, and
``adversarial-robustness-toolbox==1.20.1``):

    .venv/bin/python tests/golden/generate_robust.py

Writes ``tests/golden/robust/{breast_cancer,iris,synthetic}.json``, replayed by
``core/tests/robust.rs`` and ``tests/python/test_robust_golden.py``. Deterministic: fixed seeds,
sorted keys, floats at ``repr`` precision. Each case carries the model as
``aequa.explain.to_native`` converts it (``native_json``), the rows ``X`` and:

* ``fgsm`` / ``pgd``: ART's ``FastGradientMethod`` and ``ProjectedGradientDescentNumpy``
  (``num_random_init=0``, no clip values) on ART's ``ScikitlearnLogisticRegression`` wrapper of
  the same fitted model; ``expected.x_adv`` is ART's output, which aequa must reproduce to 1e-9.
  The definitions coincide: ART's loss gradient is ``(p − y)·W / n_classes`` (binary: ``W =
  [−w, w]``, so ``(p − y)·w``), aequa's ``(p − y)·W``; the factor ``1/n_classes`` cancels, since
  both attacks step along ``sign(g)`` (L∞) or ``g/‖g‖₂`` (L2) and project the same way
  (clip to ``[−eps, eps]``; rescale to the L2 ball). One difference is not definitional: ART
  computes in float32 (``art.config.ART_NUMPY_DTYPE``); this script sets float64 in every ART
  module that imported it, so the reference is ART's algorithm in double precision.
* ``minimal_linear``: the exact smallest L2 / L∞ perturbation that changes a logistic model's
  label, written out below in numpy: binary ``|s| / ‖w‖`` (dual norm); multi-class
  ``min_k (s_c − s_k) / ‖w_k − w_c‖`` over the competitors ``k`` of the predicted class ``c``
  (the label leaves ``c`` exactly when some ``s_k`` reaches ``s_c``, a union of half-spaces).
  Each L∞ distance is re-derived by an LP (``scipy.optimize.linprog``, per competitor) and each
  L2 one by SLSQP, asserted here to 1e-6. ``immutable`` columns are zeroed out of ``w``.
* ``tree``: ART's ``DecisionTreeAttack`` (``offset=0.001``) on a scikit-learn decision tree, and
  the exact minimal L2 and L∞ distances by brute force over the tree's leaf boxes (numpy, with
  scikit-learn's ``float32(x) <= threshold`` rule); aequa's exact tree attack must hit those to
  1e-9, which is never more than ART's perturbation (checked here too).
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
from scipy.optimize import linprog, minimize
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

warnings.filterwarnings("ignore", message="PyTorch not found")
import art  # noqa: E402

for _name, _mod in list(sys.modules.items()):  # ART's algorithm, in double precision
    if _name.startswith("art") and hasattr(_mod, "ART_NUMPY_DTYPE"):
        _mod.ART_NUMPY_DTYPE = np.float64

from aequa.explain import to_native  # noqa: E402
from art.attacks.evasion import (  # noqa: E402
    DecisionTreeAttack,
    FastGradientMethod,
    ProjectedGradientDescentNumpy,
)
from art.estimators.classification import SklearnClassifier  # noqa: E402

OUT = Path(__file__).resolve().parent / "robust"
SEED = 20261128


def clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        return None if math.isnan(f) else ("inf" if math.isinf(f) else f)
    return x


def native(model: Any) -> str:
    """The model as aequa's attacks take it: a classifier's probability form (with its link)."""
    return to_native(model, output="probability").to_json()


# ---------------------------------------------------------------- gradient attacks (ART)


def gradient_case(
    name: str,
    model: Any,
    X: np.ndarray,
    kind: str,
    norm: Any,
    eps: float,
    step: float | None = None,
    iters: int = 1,
    y: np.ndarray | None = None,
) -> dict:
    clf = SklearnClassifier(model)
    art_norm = np.inf if norm == "inf" else 2
    if kind == "fgsm":
        attack = FastGradientMethod(clf, norm=art_norm, eps=eps, num_random_init=0)
    else:
        attack = ProjectedGradientDescentNumpy(
            clf, norm=art_norm, eps=eps, eps_step=step, max_iter=iters, num_random_init=0,
            verbose=False,
        )  # fmt: skip
    x_adv = attack.generate(X.copy(), y=None if y is None else y.copy())
    assert x_adv.dtype == np.float64
    options: dict[str, Any] = {"eps": eps, "norm": "linf" if norm == "inf" else "l2"}
    if kind == "pgd":
        options.update({"max_iter": iters, "step_size": step})
    return {
        "name": name,
        "kind": kind,
        "model": native(model),
        "X": X,
        "y": None if y is None else y.astype(float),
        "options": options,
        "expected": {"x_adv": x_adv},
    }


def gradient_cases(tag: str, model: Any, X: np.ndarray, y: np.ndarray) -> list[dict]:
    return [
        gradient_case(f"{tag}_fgsm_linf", model, X, "fgsm", "inf", 0.1),
        gradient_case(f"{tag}_fgsm_l2", model, X, "fgsm", 2, 0.5),
        gradient_case(f"{tag}_pgd_linf", model, X, "pgd", "inf", 0.2, 0.03, 20),
        gradient_case(f"{tag}_pgd_l2", model, X, "pgd", 2, 1.0, 0.15, 20),
        gradient_case(f"{tag}_pgd_l2_true_labels", model, X, "pgd", 2, 0.8, 0.1, 10, y=y),
    ]


# ---------------------------------------------------------------- closed-form minimal (linear)


def scores_of(model: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Score rows ``W`` (competitors) and intercepts as argmax-equivalent class scores."""
    W, b = np.asarray(model.coef_, float), np.asarray(model.intercept_, float)
    if W.shape[0] == 1:  # binary: class 0 has score 0, class 1 has score s
        W, b = np.vstack([np.zeros_like(W[0]), W[0]]), np.array([0.0, b[0]])
    return W, b


def exact_distance(W: np.ndarray, b: np.ndarray, x: np.ndarray, norm: str,
                   mutable: np.ndarray) -> float:  # fmt: skip
    s = W @ x + b
    c = int(np.argmax(s))
    best = math.inf
    for k in range(len(W)):
        if k == c:
            continue
        v = np.where(mutable, W[k] - W[c], 0.0)
        dual = np.linalg.norm(v) if norm == "l2" else np.abs(v).sum()
        if dual > 0:
            best = min(best, max(s[c] - s[k], 0.0) / dual)
    return best


def solver_distance(W: np.ndarray, b: np.ndarray, x: np.ndarray, norm: str,
                    mutable: np.ndarray) -> float:  # fmt: skip
    """The same minimum by numerical optimisation, one competitor at a time."""
    s = W @ x + b
    c = int(np.argmax(s))
    d = len(x)
    best = math.inf
    for k in range(len(W)):
        if k == c:
            continue
        v = np.where(mutable, W[k] - W[c], 0.0)
        if not v.any():
            continue
        m = s[c] - s[k]
        if norm == "linf":  # min t  s.t. |δ_j| ≤ t, v·δ ≥ m, δ_j = 0 where immutable
            cost = np.r_[np.zeros(d), 1.0]
            eye = np.eye(d)
            A = np.vstack([np.c_[eye, -np.ones(d)], np.c_[-eye, -np.ones(d)], np.r_[-v, 0.0]])
            ub = np.r_[np.zeros(2 * d), -m]
            bounds = [(None, None) if mu else (0, 0) for mu in mutable] + [(0, None)]
            r = linprog(cost, A_ub=A, b_ub=ub, bounds=bounds, method="highs")
            assert r.status == 0
            best = min(best, r.fun)
        else:
            r = minimize(
                lambda z: z @ z, np.where(mutable, v, 0.0) * m / (v @ v) * 1.5,
                jac=lambda z: 2 * z, method="SLSQP",
                constraints=[{"type": "ineq", "fun": lambda z, v=v, m=m: v @ z - m,
                              "jac": lambda z, v=v: v}],
                bounds=[(None, None) if mu else (0, 0) for mu in mutable],
                options={"ftol": 1e-14, "maxiter": 500},
            )  # fmt: skip
            best = min(best, math.sqrt(r.fun))
    return best


def minimal_case(name: str, model: Any, X: np.ndarray, norm: str,
                 immutable: list[int] | None = None) -> dict:  # fmt: skip
    W, b = scores_of(model, X)
    mutable = np.ones(X.shape[1], bool)
    for j in immutable or []:
        mutable[j] = False
    dist = np.array([exact_distance(W, b, x, norm, mutable) for x in X])
    check = np.array([solver_distance(W, b, x, norm, mutable) for x in X])
    assert np.allclose(dist, check, rtol=1e-6, atol=1e-8), np.abs(dist - check).max()
    return {
        "name": name,
        "kind": "minimal_linear",
        "model": native(model),
        "X": X,
        "options": {"norm": norm, "constraints": {"immutable": immutable or []}},
        "expected": {"distance": dist},
    }


# ---------------------------------------------------------------- single trees


def _left_max(t: float) -> float:
    """Largest float32 value v with v <= t (sklearn goes left iff float32(x) <= t)."""
    v = np.float32(t)
    if float(v) > t:
        v = np.nextafter(v, np.float32(-np.inf))
    return float(v)


def leaf_boxes(tree: Any, d: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    t = tree.tree_
    out = []
    stack = [(0, np.full(d, -np.inf), np.full(d, np.inf))]
    while stack:
        node, lo, hi = stack.pop()
        left, right = t.children_left[node], t.children_right[node]
        if left == -1:
            if np.all(lo <= hi):
                out.append((int(np.argmax(t.value[node][0])), lo, hi))
            continue
        f, thr = t.feature[node], t.threshold[node]
        lm = _left_max(thr)
        rm = float(np.nextafter(np.float32(lm), np.float32(np.inf)))
        lhi, rlo = hi.copy(), lo.copy()
        lhi[f] = min(hi[f], lm)
        rlo[f] = max(lo[f], rm)
        stack.append((left, lo, lhi))
        stack.append((right, rlo, hi))
    return out


def tree_exact(tree: Any, X: np.ndarray, norm: str, mutable: np.ndarray) -> np.ndarray:
    boxes = leaf_boxes(tree, X.shape[1])
    own = tree.predict(X)
    classes = tree.classes_
    out = []
    for x, c in zip(X, own, strict=True):
        best = math.inf
        for label, lo, hi in boxes:
            if classes[label] == c:
                continue
            p = np.clip(x, lo, hi)
            if np.any((p != x) & ~mutable):
                continue
            dlt = p - x
            best = min(best, np.linalg.norm(dlt) if norm == "l2" else np.abs(dlt).max())
        out.append(best)
    return np.array(out)


def tree_case(name: str, tree: Any, X: np.ndarray, immutable: list[int] | None = None) -> dict:
    mutable = np.ones(X.shape[1], bool)
    for j in immutable or []:
        mutable[j] = False
    expected: dict[str, Any] = {
        "distance_l2": tree_exact(tree, X, "l2", mutable),
        "distance_linf": tree_exact(tree, X, "linf", mutable),
    }
    if not immutable:  # ART's attack has no notion of immutable columns
        x_art = DecisionTreeAttack(SklearnClassifier(tree), offset=0.001, verbose=False).generate(X)
        flipped = tree.predict(x_art) != tree.predict(X)
        d = x_art - X
        expected["art_x_adv"] = x_art
        expected["art_success"] = flipped
        for norm, art_d in (("l2", np.linalg.norm(d, axis=1)), ("linf", np.abs(d).max(axis=1))):
            expected[f"art_distance_{norm}"] = art_d
            ours = expected[f"distance_{norm}"]
            assert np.all(ours[flipped] <= art_d[flipped] + 1e-12), name
    return {
        "name": name,
        "kind": "tree",
        "model": native(tree),
        "X": X,
        "options": {"constraints": {"immutable": immutable or []}},
        "expected": expected,
    }


# ---------------------------------------------------------------- data sets


def split(X: np.ndarray, y: np.ndarray, scale: bool) -> tuple[Any, Any, Any, Any]:
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )  # fmt: skip
    if scale:
        sc = StandardScaler().fit(X_tr)
        X_tr, X_te = sc.transform(X_tr), sc.transform(X_te)
    return X_tr, X_te, y_tr, y_te


def breast_cancer() -> list[dict]:
    d = datasets.load_breast_cancer()
    X_tr, X_te, y_tr, y_te = split(d.data, d.target, True)
    lr = LogisticRegression(max_iter=5000).fit(X_tr, y_tr)
    X, y = X_te[:40], y_te[:40]
    cases = gradient_cases("breast_cancer_logistic", lr, X, y)
    # An L1 fit: 23 of 30 coefficients exactly 0, where sign(gradient) = 0 (no move).
    sparse = LogisticRegression(l1_ratio=1.0, solver="liblinear", C=0.05).fit(X_tr, y_tr)
    assert (sparse.coef_ == 0).sum() > 10
    cases += [
        gradient_case("breast_cancer_sparse_fgsm_linf", sparse, X, "fgsm", "inf", 0.3),
        gradient_case("breast_cancer_sparse_pgd_linf", sparse, X, "pgd", "inf", 0.3, 0.05, 10),
        minimal_case("breast_cancer_sparse_minimal_linf", sparse, X, "linf", [0, 1]),
    ]
    cases += [
        minimal_case("breast_cancer_minimal_l2", lr, X, "l2"),
        minimal_case("breast_cancer_minimal_linf", lr, X, "linf"),
        minimal_case("breast_cancer_minimal_l2_immutable", lr, X, "l2", [0, 1, 2, 3]),
    ]
    R_tr, R_te, r_tr, _ = split(d.data, d.target, False)
    tree = DecisionTreeClassifier(max_depth=6, random_state=0).fit(R_tr, r_tr)
    cases += [
        tree_case("breast_cancer_tree", tree, R_te[:40]),
        tree_case("breast_cancer_tree_immutable", tree, R_te[:40], [20, 22, 27]),
    ]
    return cases


def iris() -> list[dict]:
    d = datasets.load_iris()
    X_tr, X_te, y_tr, y_te = split(d.data, d.target, True)
    lr = LogisticRegression(max_iter=5000).fit(X_tr, y_tr)
    X, y = X_te, y_te
    cases = gradient_cases("iris_logistic", lr, X, y)
    cases += [
        minimal_case("iris_minimal_l2", lr, X, "l2"),
        minimal_case("iris_minimal_linf", lr, X, "linf"),
        minimal_case("iris_minimal_linf_immutable", lr, X, "linf", [2]),
    ]
    R_tr, R_te, r_tr, _ = split(d.data, d.target, False)
    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(R_tr, r_tr)
    cases += [tree_case("iris_tree", tree, R_te)]
    return cases


def synthetic() -> list[dict]:
    X, y = datasets.make_classification(
        n_samples=600, n_features=8, n_informative=5, n_classes=4, n_clusters_per_class=1,
        random_state=SEED % 2**31,
    )  # fmt: skip
    X_tr, X_te, y_tr, y_te = split(X, y, False)
    lr = LogisticRegression(max_iter=5000, C=0.5).fit(X_tr, y_tr)
    Xs, ys = X_te[:50], y_te[:50]
    cases = gradient_cases("synthetic4_logistic", lr, Xs, ys)
    cases += [
        minimal_case("synthetic4_minimal_l2", lr, Xs, "l2"),
        minimal_case("synthetic4_minimal_linf", lr, Xs, "linf", [0]),
    ]
    rng = np.random.default_rng(SEED)
    Xb = rng.normal(size=(400, 6))
    yb = Xb[:, 0] - 2 * Xb[:, 1] + Xb[:, 2] * Xb[:, 3] + 0.5 * rng.normal(size=400) > 0
    lb = LogisticRegression().fit(Xb[:300], yb[:300].astype(int))
    cases += gradient_cases("synthetic2_logistic", lb, Xb[300:340], yb[300:340].astype(int))
    cases += [minimal_case("synthetic2_minimal_linf", lb, Xb[300:340], "linf")]
    tree = DecisionTreeClassifier(max_depth=7, random_state=0).fit(X_tr, y_tr)
    cases += [tree_case("synthetic4_tree", tree, X_te[:50])]
    return cases


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    versions = {
        "adversarial-robustness-toolbox": art.__version__, "numpy": np.__version__,
        "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
    }  # fmt: skip
    for name, make in (("breast_cancer", breast_cancer), ("iris", iris), ("synthetic", synthetic)):
        doc = {"generator": "tests/golden/generate_robust.py", "versions": versions,
               "cases": clean(make())}  # fmt: skip
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
        (OUT / f"{name}.json").write_text(text + "\n")
        print(f"{name}: {len(doc['cases'])} cases, {len(text) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()

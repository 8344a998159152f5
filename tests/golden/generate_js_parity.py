"""Golden fixtures of the JS API: inputs and the installed aequa Python API's outputs, so the
Node tests (tests/node/parity.test.mjs) can check that the WASM module gives the same reports.

Every case calls the public Python API (``TreeExplainer``, ``permutation_importance``,
``aequa.drift``, ``aequa.robust``, ...) while the extension functions it reaches are wrapped:
the wrapper records the arguments Python hands to the core (the options JSON, arrays, grouping
codes) and the core's JSON text. A case stores the JS input built from those arguments, that
text (``core_json``: the JS Json twin must return it byte for byte) and the report's
``to_json()`` (``python_json``: the JS object must deep-equal it). Deterministic: seeds fixed,
inputs taken from the committed fixtures in tests/golden/shapley.

Run from the repository root: ``.venv/bin/python tests/golden/generate_js_parity.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aequa
import numpy as np
from aequa import _core, drift, robust
from aequa import explain as ex

HERE = Path(__file__).resolve().parent
OUT = HERE / "js_parity"


def _lists(a: Any) -> Any:
    return np.asarray(a, dtype=np.float64).tolist()


def _matrix(a: Any) -> Any:
    """A matrix as the JS input takes it: rows of numbers (NaN as null)."""
    arr = np.asarray(a, dtype=np.float64)
    return [[None if np.isnan(v) else float(v) for v in row] for row in arr]


def _model(m: Any) -> Any:
    return json.loads(m.to_json())


def _features(sensitive: Any) -> list[dict[str, Any]]:
    """(name, codes, levels) triples as the JS `{name, values}` (level labels)."""
    return [
        {"name": name, "values": [levels[int(c)] for c in codes]}
        for name, codes, levels in sensitive
    ]


class Recorder:
    """Wraps `_core` functions; `calls` holds (name, args, kwargs, result) of the last case."""

    def __init__(self, names: list[str]) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = []
        self.originals = {n: getattr(_core, n) for n in names}
        for name, fn in self.originals.items():
            setattr(_core, name, self._wrap(name, fn))

    def _wrap(self, name: str, fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = fn(*args, **kwargs)
            self.calls.append((name, args, kwargs, result))
            return result

        return wrapped

    def take(self, name: str) -> tuple[tuple[Any, ...], Any]:
        hits = [c for c in self.calls if c[0] == name]
        assert len(hits) == 1, f"expected one call of {name}, found {len(hits)}"
        self.calls.clear()
        return hits[0][1], hits[0][3]

    def restore(self) -> None:
        for name, fn in self.originals.items():
            setattr(_core, name, fn)


def load(name: str) -> dict[str, Any]:
    return json.loads((HERE / "shapley" / f"{name}.json").read_text())


def main() -> None:
    rec = Recorder(
        [
            "tree_shap",
            "tree_shap_interaction_values",
            "shapley_values",
            "linear_shap",
            "permutation_importance",
            "partial_dependence",
            "accumulated_local_effects",
            "drift_report",
            "noise_stability",
            "sensitive_flip",
            "gradient_attack",
            "minimal_perturbation",
            "hop_skip_jump",
        ]
    )
    cases: list[dict[str, Any]] = []

    def case(name: str, export: str, js_input: dict[str, Any], core: str, report: Any) -> None:
        # JS has one number type: `max_samples: 1.0` (all rows, as a fraction) would read as
        # one row. It is the default, so the JS input leaves it out.
        opts = js_input.get("options") or {}
        if isinstance(opts.get("max_samples"), float) and opts["max_samples"] == 1.0:
            del opts["max_samples"]
        # What the Python layer adds to the core's report (e.g. ExactExplainer names the
        # TreeSHAP it delegated to): listed, so the test can tell additions from differences.
        core_report, py_report = json.loads(core), json.loads(report.to_json())
        additions = [k for k in py_report if k not in core_report]
        additions += [
            f"params.{k}"
            for k in (py_report.get("params") or {})
            if isinstance(core_report.get("params"), dict) and k not in core_report["params"]
        ]
        cases.append(
            {
                "name": name,
                "export": export,
                "input": js_input,
                "core_json": core,
                "python_json": report.to_json(),
                "python_additions": additions,
            }
        )

    forest = load("exact_diabetes_forest")
    f_model = _core.NativeModel(json.dumps(forest["model"]))
    fx = np.asarray(forest["X"], dtype=np.float64)[:6]
    fbg = np.asarray(forest["background"], dtype=np.float64)[:20]

    logit = load("exact_breast_cancer_logistic_8")
    l_model = _core.NativeModel(json.dumps(logit["model"]))
    lx = np.asarray(logit["X"], dtype=np.float64)[:6]
    lbg = np.asarray(logit["background"], dtype=np.float64)[:30]

    # ------------------------------------------------------------ explanations
    def shap_input(model: Any, x: Any, bg: Any, opts: str) -> dict[str, Any]:
        out: dict[str, Any] = {"model": _model(model), "x": _matrix(x)}
        if bg is not None:
            out["background"] = _matrix(bg)
        out["options"] = json.loads(opts)
        return out

    for name, bg, how in [
        ("tree_path_dependent", None, "tree_path_dependent"),
        ("tree_interventional", fbg, "interventional"),
    ]:
        e = ex.TreeExplainer(f_model, data=bg, feature_perturbation=how)(fx)
        (m, x, data, params), text = rec.take("tree_shap")
        case(name, "treeShap", shap_input(m, x, data, params), text, e)

    ex.TreeExplainer(f_model).shap_interaction_values(fx[:3])
    (m, x, data, params), values = rec.take("tree_shap_interaction_values")
    cases.append(
        {
            "name": "tree_interactions",
            "export": "treeShapInteractions",
            "input": shap_input(m, x, data, params),
            "expected": {"shape": list(values.shape), "values": values.ravel().tolist()},
        }
    )

    def shapley_case(name: str, e: Any) -> None:
        """The one core call behind `e`: the Shapley method, or TreeSHAP on additive trees."""
        assert len(rec.calls) == 1, [c[0] for c in rec.calls]
        fn, args, _, text = rec.calls.pop()
        if fn == "tree_shap":
            m, xx, b, opts = args
            export = "treeShap"
        else:
            method, m, xx, b, opts = args
            export = f"{method}Shap"
        case(name, export, shap_input(m, xx, b, opts), text, e)

    for model, x, bg, tag in [(f_model, fx, fbg, "forest"), (l_model, lx, lbg, "logistic")]:
        shapley_case(f"exact_{tag}", ex.ExactExplainer(model, bg)(x))
        e = ex.PermutationExplainer(model, bg, random_state=7)(x, max_evals=200)
        shapley_case(f"permutation_{tag}", e)
        e = ex.KernelExplainer(model, bg[:10], random_state=11)(x[:3], nsamples=120)
        shapley_case(f"kernel_{tag}", e)

    e = ex.LinearExplainer(l_model, lbg)(lx)
    (m, x, b, opts), text = rec.take("linear_shap")
    case("linear_logistic", "linearShap", shap_input(m, x, b, opts), text, e)

    # ------------------------------------------------------------ inspection
    yf = np.asarray(forest["predictions"], dtype=np.float64).ravel()[: len(forest["X"])]
    xf_all = np.asarray(forest["X"], dtype=np.float64)
    rng = np.random.default_rng(3)
    yf_noisy = yf + rng.normal(0, 20, size=len(yf))
    r = ex.permutation_importance(
        f_model, xf_all, yf_noisy, scoring="r2", n_repeats=3, random_state=5
    )
    (m, x, y, opts, w, sens, perms, rows), text = rec.take("permutation_importance")
    pi_input: dict[str, Any] = {
        "model": _model(m),
        "x": _matrix(x),
        "y": _lists(y),
        "options": json.loads(opts),
    }
    if w is not None:
        pi_input["sampleWeight"] = _lists(w)
    if sens:
        pi_input["sensitive"] = _features(sens)
    case("importance_forest", "permutationImportance", pi_input, text, r)

    lx_all = np.asarray(logit["X"], dtype=np.float64)
    yl = (np.asarray(logit["predictions"], dtype=np.float64)[:, -1] > 0.5).astype(float)
    groups = np.where(np.arange(len(yl)) % 3 == 0, "a", "b")
    r = ex.permutation_importance(
        l_model,
        lx_all,
        yl,
        scoring="neg_demographic_parity_difference",
        sensitive_features=groups,
        n_repeats=2,
        random_state=9,
    )
    (m, x, y, opts, w, sens, perms, rows), text = rec.take("permutation_importance")
    pi_input = {
        "model": _model(m),
        "x": _matrix(x),
        "y": _lists(y),
        "sensitive": _features(sens),
        "options": json.loads(opts),
    }
    case("importance_fairness_scorer", "permutationImportance", pi_input, text, r)

    r = ex.partial_dependence(f_model, xf_all, [2], kind="both", grid_resolution=7)
    (m, x, opts, w), text = rec.take("partial_dependence")
    pd_input = {"model": _model(m), "x": _matrix(x), "options": json.loads(opts)}
    case("partial_dependence_forest", "partialDependence", pd_input, text, r)

    r = ex.accumulated_local_effects(f_model, xf_all, 2, bins=8)
    (m, x, opts), text = rec.take("accumulated_local_effects")
    ale_input = {"model": _model(m), "x": _matrix(x), "options": json.loads(opts)}
    case("ale_forest", "ale", ale_input, text, r)

    # ------------------------------------------------------------ drift
    g = np.random.default_rng(20261128)
    ref = {
        "age": g.normal(40, 10, 300),
        "income": g.lognormal(10, 1, 300),
        "city": g.choice(["north", "south", "east"], 300, p=[0.5, 0.3, 0.2]),
    }
    cur = {
        "age": g.normal(43, 10, 250),
        "income": g.lognormal(10.2, 1, 250),
        "city": g.choice(["north", "south", "east"], 250, p=[0.3, 0.3, 0.4]),
    }
    ref["age"][[3, 17]] = np.nan
    import pandas as pd

    rdf, cdf = pd.DataFrame(ref), pd.DataFrame(cur)
    rdf["sex"] = g.choice(["f", "m"], 300)
    cdf["sex"] = g.choice(["f", "m"], 250)
    rep = drift.drift_report(
        rdf,
        cdf,
        sensitive_features="sex",
        columns=["age", "income", "city"],
    )
    (cols, pred, grp, opts), text = rec.take("drift_report")

    def column(c: Any) -> dict[str, Any]:
        name, r, cc, levels = c
        if levels is None:
            return {
                "name": name,
                "reference": [None if np.isnan(v) else float(v) for v in r],
                "current": [None if np.isnan(v) else float(v) for v in cc],
            }
        lab = lambda codes: [None if int(k) == 2**32 - 1 else levels[int(k)] for k in codes]  # noqa: E731
        return {"name": name, "reference": lab(r), "current": lab(cc)}

    d_input: dict[str, Any] = {
        "columns": [column(c) for c in cols],
        "options": json.loads(opts),
    }
    if grp is not None:
        name, r, cc, levels = grp
        d_input["groups"] = column((name, r, cc, levels))
    case("drift_report", "driftReport", d_input, text, rep)

    simple = []
    a, b = ref["income"].tolist(), cur["income"].tolist()
    k = drift.ks_2samp(a, b)
    simple.append(
        ("ks2samp", {"data1": a, "data2": b}, {**k.__dict__, "statistic_sign": k.statistic_sign})
    )
    k = drift.ks_2samp(a[:40], b[:30], alternative="less", method="asymp")
    simple.append(
        (
            "ks2samp",
            {"data1": a[:40], "data2": b[:30], "alternative": "less", "method": "asymp"},
            k.__dict__,
        )
    )
    c = drift.chisquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8], ddof=1)
    simple.append(
        (
            "chisquare",
            {"fObs": [16, 18, 16, 14, 12, 12], "fExp": [16, 16, 16, 16, 16, 8], "ddof": 1},
            c.__dict__,
        )
    )
    w = drift.wasserstein_distance(a[:50], b[:60], np.arange(50) + 1.0, None)
    simple.append(
        (
            "wassersteinDistance",
            {"uValues": a[:50], "vValues": b[:60], "uWeights": (np.arange(50) + 1.0).tolist()},
            w,
        )
    )
    s = [ref["age"][~np.isnan(ref["age"])].tolist(), cur["age"].tolist(), a[:30]]
    ad = drift.anderson_ksamp(s)
    simple.append(
        (
            "andersonKsamp",
            {"samples": s},
            {
                "statistic": ad.statistic,
                "critical_values": ad.critical_values.tolist(),
                "pvalue": ad.pvalue,
                "pvalue_bound": ad.pvalue_bound,
            },
        )
    )
    p = drift.psi(a, b, bins=8)
    simple.append(("psi", {"reference": a, "current": b, "bins": 8}, p.__dict__))
    p = drift.psi(ref["city"].tolist(), cur["city"].tolist(), floor=1e-3)
    simple.append(
        (
            "psi",
            {"reference": ref["city"].tolist(), "current": cur["city"].tolist(), "floor": 1e-3},
            p.__dict__,
        )
    )
    p = drift.jensen_shannon(a, b, binning="sturges", base=2)
    simple.append(
        (
            "jensenShannon",
            {"reference": a, "current": b, "binning": "sturges", "base": 2.0},
            p.__dict__,
        )
    )
    for i, (export, inp, out) in enumerate(simple):
        cases.append(
            {
                "name": f"{export}_{i}",
                "export": export,
                "input": inp,
                "expected": json.loads(json.dumps(out, default=float)),
            }
        )

    # ------------------------------------------------------------ robustness
    def probe_input(m: Any, x: Any, opts: str, y: Any = None, sens: Any = None) -> dict[str, Any]:
        out: dict[str, Any] = {"model": _model(m), "x": _matrix(x)}
        if y is not None:
            out["y"] = _lists(y)
        if sens:
            out["sensitive"] = _features(sens)
        out["options"] = json.loads(opts)
        return out

    lgroups = np.where(np.arange(len(lx_all)) % 2 == 0, "f", "m")
    rr = robust.noise_stability(
        l_model,
        lx_all,
        budgets=[0.05, 0.2],
        n_repeats=3,
        sensitive_features=lgroups,
        random_state=4,
    )
    (m, x, opts, sens), text = rec.take("noise_stability")
    case("noise_stability", "noiseStability", probe_input(m, x, opts, sens=sens), text, rr)

    xs = lx_all.copy()
    xs[:, 0] = (xs[:, 0] > np.median(xs[:, 0])).astype(float)
    rr = robust.sensitive_flip(l_model, xs, sensitive_features=[0])
    (m, x, opts), text = rec.take("sensitive_flip")
    case("sensitive_flip", "sensitiveFlip", probe_input(m, x, opts), text, rr)

    for kind, fn in [("fgsm", robust.fgsm), ("pgd", robust.pgd)]:
        kwargs: dict[str, Any] = {"eps": 0.5, "random_state": 2}
        if kind == "pgd":
            kwargs.update(max_iter=10, random_init=True)
        rr = fn(l_model, lx, yl[: len(lx)], **kwargs)
        (k_, m, x, opts, y), text = rec.take("gradient_attack")
        case(kind, kind, probe_input(m, x, opts, y=y), text, rr)

    rr = robust.minimal_perturbation(l_model, lx, norm=np.inf)
    (m, x, opts), text = rec.take("minimal_perturbation")
    case("minimal_perturbation", "minimalPerturbation", probe_input(m, x, opts), text, rr)

    rr = robust.hop_skip_jump(
        l_model, lx[:3], max_queries=300, max_iter=5, init_eval=20, max_eval=50, random_state=6
    )
    (m, x, opts, y), text = rec.take("hop_skip_jump")
    case("hop_skip_jump", "hopSkipJump", probe_input(m, x, opts, y=y), text, rr)

    rec.restore()
    OUT.mkdir(exist_ok=True)
    meta = {"aequa_version": aequa.__version__, "generator": "tests/golden/generate_js_parity.py"}
    for c in cases:
        c["meta"] = meta
        (OUT / f"{c['name']}.json").write_text(json.dumps(c, allow_nan=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()

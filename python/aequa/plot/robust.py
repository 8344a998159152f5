"""Robustness views: flip rate against the noise budget, counterfactual flips by group,
and attack results (robust accuracy against the budget, or the perturbation sizes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from aequa._core import InvalidArgumentError
from aequa.plot._mpl import NEUTRAL, OK, axes, label

if TYPE_CHECKING:
    from aequa.robust import AttackReport, NoiseStabilityReport, SensitiveFlipReport

__all__ = ["attack", "noise_stability", "sensitive_flip"]

_NOISE_VALUES = ("flip_rate", "mean_output_change")


def noise_stability(
    report: NoiseStabilityReport,
    ax: Any = None,
    *,
    value: str = "flip_rate",
    by_group: bool = True,
) -> Any:
    """``value`` against the noise budget: overall (thick) and per sensitive group.

    Parameters
    ----------
    value : {"flip_rate", "mean_output_change"}
    by_group : bool
        Add one line per group when the report has groups.

    Returns
    -------
    matplotlib Axes
        The overall line first, then one line per group (in the report's group order).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.random.default_rng(0).normal(size=(100, 2))
    >>> r = robust.noise_stability(lambda a: a[:, 0] > 0, X, budgets=[0.1, 0.5],
    ...                            sensitive_features=X[:, 1] > 0, random_state=0)
    >>> len(r.plot().lines)  # overall and two groups
    3
    """
    if value not in _NOISE_VALUES:
        raise InvalidArgumentError(f"value: expected one of {_NOISE_VALUES}, found {value!r}")
    ax = axes(ax)
    overall = report.flip_rate if value == "flip_rate" else report.mean_output_change
    ax.plot(report.budgets, overall, color=NEUTRAL, lw=2.5, marker="o", label="overall")
    if by_group and report.by_group is not None:
        frame = report.by_group
        names = [c for c in frame.columns if c not in ("budget", "rows", *_NOISE_VALUES)]
        keys = frame[names].apply(tuple, axis=1) if len(names) > 1 else frame[names[0]]
        for i, key in enumerate(dict.fromkeys(keys)):
            part = frame[keys == key]
            ax.plot(part["budget"].to_numpy(), part[value].to_numpy(dtype=float),
                    marker="o", ms=3, color=f"C{i}", label=label(key))  # fmt: skip
    ax.set_xlabel("noise budget (× each feature's spread)")
    ax.set_ylabel(value.replace("_", " "))
    ax.set_title(f"noise stability: {value.replace('_', ' ')}")
    ax.legend(loc="best", fontsize="small")
    return ax


def sensitive_flip(report: SensitiveFlipReport, ax: Any = None, *, value: str = "flip_rate") -> Any:
    """Share of rows whose label changes when only the sensitive feature(s) change, per
    original group, with the overall rate as a dashed line.

    Parameters
    ----------
    value : {"flip_rate", "mean_max_output_change"}

    Returns
    -------
    matplotlib Axes
        One bar per group of ``report.by_group``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.c_[np.random.default_rng(0).normal(size=50), np.repeat([0.0, 1.0], 25)]
    >>> r = robust.sensitive_flip(lambda a: a[:, 0] + a[:, 1] > 0.5, X, sensitive_features=[1])
    >>> ax = r.plot()
    >>> bool(np.allclose([p.get_width() for p in ax.patches], r.by_group["flip_rate"]))
    True
    """
    if value not in ("flip_rate", "mean_max_output_change"):
        raise InvalidArgumentError(
            f"value: expected 'flip_rate' or 'mean_max_output_change', found {value!r}"
        )
    frame = report.by_group
    names = [c for c in frame.columns if c not in ("rows", "flip_rate", "mean_max_output_change")]
    groups = [label(tuple(r)) if len(names) > 1 else str(r[0]) for r in frame[names].to_numpy()]
    y = np.arange(len(frame), dtype=float)
    ax = axes(ax, figsize=(6.4, 1.0 + 0.35 * len(frame)))
    ax.barh(y, frame[value].to_numpy(dtype=float), color=OK)
    overall = report.flip_rate if value == "flip_rate" else report.mean_max_output_change
    ax.axvline(overall, color=NEUTRAL, ls="--", lw=1, label="all rows")
    ax.set_yticks(y, [f"{g} (n={n})" for g, n in zip(groups, frame["rows"])])
    ax.invert_yaxis()
    ax.set_xlabel(value.replace("_", " "))
    ax.set_title("counterfactual sensitive-attribute flips by group")
    ax.legend(loc="best", fontsize="small")
    return ax


def attack(report: AttackReport, ax: Any = None, *, kind: str | None = None) -> Any:
    """Robust accuracy against the perturbation budget, or a histogram of the sizes of the
    successful perturbations.

    Parameters
    ----------
    kind : {"robust_accuracy", "perturbation"}, optional
        Default: ``"robust_accuracy"`` when the attack was run with ``budgets``, else
        ``"perturbation"``.

    Returns
    -------
    matplotlib Axes
        ``robust_accuracy``: one line (x = budgets). ``perturbation``: a histogram of
        ``perturbation_norm`` over the successful rows.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from aequa import robust
    >>> X = np.random.default_rng(0).normal(size=(20, 2))
    >>> r = robust.hop_skip_jump(lambda a: a[:, 0] - a[:, 1], X, threshold=0.0,
    ...                          budgets=[0.1, 1.0], random_state=0)
    >>> r.plot().lines[0].get_xdata().tolist()
    [0.1, 1.0]
    """
    if kind is None:
        kind = "robust_accuracy" if len(report.budgets) else "perturbation"
    if kind not in ("robust_accuracy", "perturbation"):
        raise InvalidArgumentError(
            f"kind: expected 'robust_accuracy' or 'perturbation', found {kind!r}"
        )
    ax = axes(ax)
    if kind == "robust_accuracy":
        if not len(report.budgets):
            raise InvalidArgumentError(
                "kind: robust_accuracy needs the attack to be run with budgets=[...]"
            )
        ax.plot(report.budgets, report.robust_accuracy, color=OK, marker="o", lw=2)
        ax.set_xlabel("perturbation budget (norm of x_adv - x)")
        ax.set_ylabel("robust accuracy")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"robust accuracy (success rate {report.success_rate:.3g})")
        return ax
    sizes = report.perturbation_norm[report.success]
    sizes = sizes[np.isfinite(sizes)]
    bins: Any = 20
    if len(sizes) and sizes.min() > 0 and sizes.max() > 100 * sizes.min():
        bins = np.geomspace(sizes.min(), sizes.max(), 21)  # sizes over orders of magnitude
        ax.set_xscale("log")
    ax.hist(sizes, bins=bins, color=OK)
    ax.axvline(report.median_perturbation, color=NEUTRAL, ls="--", lw=1, label="median")
    ax.set_xlabel("perturbation norm of successful adversarial examples")
    ax.set_ylabel("rows")
    ax.set_title(f"{int(report.success.sum())} of {int(report.attacked.sum())} attacks succeeded")
    ax.legend(loc="best", fontsize="small")
    return ax

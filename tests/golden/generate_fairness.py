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

The sibling modules do the work: ``_fairness_config`` (paths, seeds, metrics),
``_fairness_data`` (the cases), ``_fairness_case`` (one case), ``_fairness_records``,
``_fairness_bootstrap`` and ``_fairness_aif360`` (the reference numbers as records) and
``_fairness_json`` (the file layout).
"""

from __future__ import annotations

import warnings
from collections import Counter

from _fairness_config import OUT_DIR, REPO_ROOT
from _fairness_data import (
    adult_cases,
    synthetic_control_empty,
    synthetic_many_groups,
    synthetic_pos_label_minus1,
    synthetic_regression,
    synthetic_single_class_group,
)
from _fairness_json import dump_case


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

"""Generate golden inspection cases from scikit-learn 1.9.1 (and fairlearn 0.15.0).

Run from the repository root:

    .venv/bin/python tests/golden/generate_inspection.py

Writes ``tests/golden/inspection/*.json``, deterministic (fixed seeds, sorted keys, floats at
``repr`` precision).  Three kinds of case:

* ``permutation_importance``: ``sklearn.inspection.permutation_importance`` itself, with its
  row permutations REPRODUCED and stored: sklearn draws one seed
  ``RandomState(random_state).randint(2**31)`` and, for every column, reseeds
  ``RandomState(seed)``, takes the ``max_samples`` rows (``_generate_indices``) and shuffles
  an index array in place once per repeat, applying it to the already-permuted column — so
  repeat ``r`` permutes the column by ``P_r = P_{r-1}[shuffle_r]``.  This script rebuilds
  ``P_r``, recomputes every permuted score from them with sklearn's scorers and asserts it
  equals sklearn's result bit for bit, then stores ``P_r``; aequa replays them
  (``permutations=``) and must give the same per-repeat scores.  Feature groups (not in
  sklearn) are referenced by the same recipe applied to all columns of the group.
* ``partial_dependence``: ``sklearn.inspection.partial_dependence(method="brute")``, grids
  and curves.
* ``ale``: a direct numpy transcription of the definition in ``core/src/explain/ale.rs``,
  and, for the linear model, the closed form ``β·z − c`` it must equal.

Linear models are stored by their coefficients (so the Rust tests replay them natively);
gradient boosting models by a recipe (estimator, parameters, training rows) that the pytest
replay refits with the pinned scikit-learn, checked against stored predictions.

The sibling modules do the work: ``_inspection_config`` (paths, versions), ``_inspection_data``
(data sets and models), ``_inspection_pi``, ``_inspection_pd`` and ``_inspection_ale`` (one
method each) and ``_inspection_json`` (the file layout and writer).
"""

from __future__ import annotations

import sys

from _inspection_ale import ale_all
from _inspection_config import ADULT_PATH, OUT_DIR
from _inspection_pd import pd_all
from _inspection_pi import pi_adult, pi_breast_cancer, pi_diabetes


def main() -> None:
    if not ADULT_PATH.exists():
        sys.exit(f"missing {ADULT_PATH}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pi_diabetes()
    pi_breast_cancer()
    pi_adult()
    pd_all()
    ale_all()


if __name__ == "__main__":
    main()

"""Settings of the inspection goldens: paths, anchor versions, ICE rows and the recipe
parameters of refitted models."""

from __future__ import annotations

from pathlib import Path

import fairlearn
import numpy as np
import scipy
import sklearn

REPO_ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = REPO_ROOT / "tests" / "golden" / "inspection"
ADULT_PATH = REPO_ROOT / "data" / "adult" / "adult.data.gz"
ADULT_SHA256 = "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d"
GENERATOR = "tests/golden/generate_inspection.py"
VERSIONS = {
    "scikit-learn": sklearn.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "fairlearn": fairlearn.__version__,
}
ICE_ROWS = 40
RECIPE_PARAMS = (
    "n_estimators",
    "max_depth",
    "random_state",
    "learning_rate",
)  # ICE curves stored for the first rows only (files stay small)

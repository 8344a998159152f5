# Type stubs of the Rust extension (checked against the build by mypy.stubtest in `make test`).
from typing import final

import numpy as np
import numpy.typing as npt

__all__ = [
    "Accumulator",
    "AequaError",
    "DriftSummary",
    "InternalError",
    "InvalidArgumentError",
    "LengthMismatchError",
    "NativeModel",
    "NonFiniteError",
    "UnsupportedError",
    "__version__",
    "accumulated_local_effects",
    "cell_indices",
    "anderson_ksamp",
    "chisquare",
    "disparity",
    "gradient_attack",
    "hop_skip_jump",
    "load_lightgbm_text",
    "load_xgboost_json",
    "linear_shap",
    "drift_report",
    "encode_text",
    "ks_2samp",
    "metric_frame",
    "metric_frame_ovr",
    "minimal_perturbation",
    "noise_stability",
    "overall_metrics",
    "partial_dependence",
    "permutation_importance",
    "reference_disparities",
    "sensitive_flip",
    "shapley_values",
    "summarize",
    "tree_expected_value",
    "tree_shap",
    "tree_shap_interaction_values",
    "wasserstein_distance",
]

__version__: str

class AequaError(ValueError): ...
class InvalidArgumentError(AequaError): ...
class LengthMismatchError(AequaError): ...
class NonFiniteError(AequaError): ...
class UnsupportedError(AequaError): ...
class InternalError(AequaError): ...

_Feature = tuple[str, npt.NDArray[np.uint32], list[str]]

def metric_frame(
    y_true: npt.NDArray[np.generic],
    y_pred: npt.NDArray[np.generic],
    sample_weight: npt.NDArray[np.float64] | None,
    sensitive: list[_Feature],
    control: list[_Feature],
    options_json: str,
    bootstrap_indices: npt.NDArray[np.int64] | None = None,
) -> str: ...
def metric_frame_ovr(
    y_true: npt.NDArray[np.generic],
    y_pred: npt.NDArray[np.generic],
    sample_weight: npt.NDArray[np.float64] | None,
    sensitive: list[_Feature],
    control: list[_Feature],
    options_json: str,
    bootstrap_indices: npt.NDArray[np.int64] | None = None,
) -> str: ...
def overall_metrics(
    y_true: npt.NDArray[np.generic],
    y_pred: npt.NDArray[np.generic],
    sample_weight: npt.NDArray[np.float64] | None,
    options_json: str,
) -> list[float]: ...
def summarize(overall: float, groups: list[float]) -> list[float]: ...
def disparity(report_json: str, which: str, kind: str, method: str, agg: str) -> float: ...
def reference_disparities(
    y_true: npt.NDArray[np.generic],
    y_pred: npt.NDArray[np.generic],
    sample_weight: npt.NDArray[np.float64] | None,
    sensitive: list[_Feature],
    spec_json: str,
    privileged: list[str],
) -> str: ...
def cell_indices(
    sensitive: list[_Feature], control: list[_Feature], n_rows: int
) -> npt.NDArray[np.uint32]: ...

@final
class Accumulator:
    def __new__(cls, layout_json: str, spec_json: str) -> Accumulator: ...
    def update(
        self,
        y_true: npt.NDArray[np.generic],
        y_pred: npt.NDArray[np.generic],
        sample_weight: npt.NDArray[np.float64] | None,
        sensitive_codes: list[npt.NDArray[np.uint32]],
        control_codes: list[npt.NDArray[np.uint32]],
    ) -> None: ...
    def merge(self, other: Accumulator) -> None: ...
    @property
    def n_rows(self) -> int: ...
    def finish(self, options_json: str) -> str: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> Accumulator: ...

@final
class NativeModel:
    def __new__(cls, json: str) -> NativeModel: ...
    def predict(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
    @property
    def n_features(self) -> int | None: ...
    @property
    def n_outputs(self) -> int: ...
    def to_json(self) -> str: ...

# Inspection (explain_inspect.rs): `model` is a NativeModel or a callable f(X) -> predictions.
def permutation_importance(
    model: object,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    options_json: str,
    sample_weight: npt.NDArray[np.float64] | None = None,
    sensitive: list[_Feature] = ...,
    permutations: npt.NDArray[np.int64] | None = None,
    sample_indices: npt.NDArray[np.int64] | None = None,
) -> str: ...
def partial_dependence(
    model: object,
    x: npt.NDArray[np.float64],
    options_json: str,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> str: ...
def accumulated_local_effects(
    model: object, x: npt.NDArray[np.float64], options_json: str
) -> str: ...

# TreeSHAP (python/src/explain_tree.rs)
def tree_shap(
    model: NativeModel,
    x: npt.NDArray[np.float64],
    data: npt.NDArray[np.float64] | None,
    params_json: str,
) -> str: ...
def tree_shap_interaction_values(
    model: NativeModel,
    x: npt.NDArray[np.float64],
    data: npt.NDArray[np.float64] | None,
    params_json: str,
) -> npt.NDArray[np.float64]: ...
def tree_expected_value(
    model: NativeModel, data: npt.NDArray[np.float64] | None, params_json: str
) -> list[float]: ...
def load_xgboost_json(text: str, output: str) -> NativeModel: ...
def load_lightgbm_text(text: str, output: str) -> NativeModel: ...
def shapley_values(
    method: str,
    model: object,
    x: npt.NDArray[np.float64],
    background: npt.NDArray[np.float64],
    options_json: str,
) -> str: ...
def linear_shap(
    model: NativeModel,
    x: npt.NDArray[np.float64],
    background: npt.NDArray[np.float64],
    options_json: str,
) -> str: ...

# Drift (aequa.drift): float64 arrays in, tuples or report JSON out.
_DriftColumn = tuple[str, npt.NDArray[np.generic], npt.NDArray[np.generic], list[str] | None]
_DriftGroups = tuple[str, npt.NDArray[np.uint32], npt.NDArray[np.uint32], list[str]]

def ks_2samp(
    data1: npt.NDArray[np.float64],
    data2: npt.NDArray[np.float64],
    alternative: str,
    method: str,
) -> tuple[float, float, float, int, str]: ...
def chisquare(
    f_obs: npt.NDArray[np.float64], f_exp: npt.NDArray[np.float64] | None, ddof: int
) -> tuple[float, float, float]: ...
def wasserstein_distance(
    u_values: npt.NDArray[np.float64],
    v_values: npt.NDArray[np.float64],
    u_weights: npt.NDArray[np.float64] | None,
    v_weights: npt.NDArray[np.float64] | None,
) -> float: ...
def anderson_ksamp(
    samples: list[npt.NDArray[np.float64]], midrank: bool
) -> tuple[float, list[float], float, str | None]: ...
def drift_report(
    columns: list[_DriftColumn],
    prediction: _DriftColumn | None,
    groups: _DriftGroups | None,
    options_json: str,
) -> str: ...

# perf-drift: Arrow text read in place
def encode_text(
    offsets: npt.NDArray[np.int64] | npt.NDArray[np.int32],
    data: npt.NDArray[np.uint8],
    validity: npt.NDArray[np.uint8] | None,
    validity_offset: int,
) -> tuple[npt.NDArray[np.uint32], list[str]]: ...

@final
class DriftSummary:
    @staticmethod
    def numeric(edges: list[float]) -> DriftSummary: ...
    @staticmethod
    def categorical(n_categories: int) -> DriftSummary: ...
    def update_values(self, which: str, values: npt.NDArray[np.float64]) -> None: ...
    def update_codes(self, which: str, codes: npt.NDArray[np.uint32]) -> None: ...
    def merge(self, other: DriftSummary) -> None: ...
    def psi(self, floor: float | None = None) -> tuple[float, float, float]: ...
    def jensen_shannon(self, base: float | None = None) -> float: ...
    def chisquare(self) -> tuple[float, float, float]: ...
    @property
    def reference_counts(self) -> list[int]: ...
    @property
    def current_counts(self) -> list[int]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> DriftSummary: ...

# Robustness probes (python/src/robust.rs): `model` is a NativeModel or a callable.
def noise_stability(
    model: object,
    x: npt.NDArray[np.float64],
    options_json: str,
    sensitive: list[_Feature] = ...,
) -> str: ...
def sensitive_flip(model: object, x: npt.NDArray[np.float64], options_json: str) -> str: ...
def gradient_attack(
    kind: str,
    model: NativeModel,
    x: npt.NDArray[np.float64],
    options_json: str,
    y: npt.NDArray[np.float64] | None = None,
) -> str: ...
def minimal_perturbation(
    model: NativeModel, x: npt.NDArray[np.float64], options_json: str
) -> str: ...
def hop_skip_jump(
    model: object,
    x: npt.NDArray[np.float64],
    options_json: str,
    y: npt.NDArray[np.float64] | None = None,
) -> str: ...

// TypeScript types of the JS API's inputs and results, appended to the generated
// aequa_wasm.d.ts. Results mirror the core's serde structs (core/src/report/frame.rs): keys
// are snake_case as in the JSON, `null` marks an undefined value (NaN).

/** A numeric column: a plain array or a typed array. */
export type NumericColumn = number[] | Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

/** A grouping column; numbers are grouped in numeric order, strings in lexicographic order. */
export interface FeatureInput {
  name: string;
  /** A Float64Array is copied in one go (numeric groups). */
  values: (string | number)[] | Float64Array;
}

export interface BootstrapInput {
  nBoot: number;
  ciQuantiles: number[];
  randomState: number;
  /** Resample within each (control × group) cell, keeping every group's size. */
  stratified?: boolean;
}

/** Options; anything left out takes the engine's default. */
export interface FrameOptionsInput {
  metrics?: string[];
  posLabel?: number;
  threshold?: number;
  compat?: "aequa" | "fairlearn";
  minGroupSize?: number;
  bootstrap?: BootstrapInput;
}

export interface MetricFrameInput {
  yTrue: NumericColumn;
  yPred: NumericColumn;
  sampleWeight?: NumericColumn;
  sensitiveFeatures: FeatureInput[];
  controlFeatures?: FeatureInput[];
  options?: FrameOptionsInput;
  /** Caller-chosen bootstrap rows, one array of row indices per replicate. */
  bootstrapIndices?: number[][];
}

export interface FeatureLevels {
  name: string;
  levels: string[];
}

export interface FrameParams {
  metrics: string[];
  pos_label: number | null;
  threshold: number | null;
  compat: "aequa" | "fairlearn";
  n_rows: number;
  weighted: boolean;
  min_group_size: number;
}

export interface CellSize {
  control: string[];
  group: string[];
  rows: number;
  weight: number;
}

export interface Row {
  control: string[];
  group: string[];
  values: Record<string, number | null>;
}

export interface AggregateRow {
  control: string[];
  metric: string;
  group_min: number | null;
  group_max: number | null;
  difference_between_groups: number | null;
  difference_to_overall: number | null;
  ratio_between_groups: number | null;
  ratio_to_overall: number | null;
}

export interface FrameValues {
  overall: Row[];
  by_group: Row[];
  aggregates: AggregateRow[];
}

export interface UndefinedValue {
  metric: string;
  control: string[];
  group: string[];
  reason: string;
}

export interface SignificanceTest {
  metric: string;
  control: string[];
  chi2: number | null;
  dof: number;
  pvalue: number | null;
  min_group: string[];
  max_group: string[];
  z: number | null;
  z_pvalue: number | null;
  groups_tested: number;
}

export interface Intervals {
  n_boot: number;
  ci_quantiles: number[];
  random_state: number | null;
  resampling: "rows" | "stratified" | "indices";
  /** One set of values per quantile, in `ci_quantiles` order. */
  quantiles: FrameValues[];
}

export interface MetricFrameReport {
  schema_version: number;
  kind: "metric_frame";
  params: FrameParams;
  sensitive: FeatureLevels[];
  control: FeatureLevels[];
  sizes: CellSize[];
  values: FrameValues;
  undefined: UndefinedValue[];
  warnings: string[];
  tests: SignificanceTest[];
  intervals: Intervals | null;
}

export interface ReferenceDisparities {
  privileged: string[];
  values: Record<string, number | null>;
}

/** Options of `metricFrameColumns` (the dashboard's typed-array entry point). */
export interface ColumnOptionsInput {
  metrics?: string[];
  posLabel?: number;
  threshold?: number;
  compat?: "aequa" | "fairlearn";
  minGroupSize?: number;
  bootstrap?: BootstrapInput;
}

// ---------------------------------------------------------------- models, explanations,
// drift, robustness (wasm/src/{model,explain,drift,robust}.rs). Every export `f(input)` has a
// twin `fJson(text: string): string` taking the same input as JSON text and returning the
// result exactly as `serde_json` writes it (byte for byte the Python wheel's core JSON).
// `options` objects are the core's options (snake_case keys, every key optional): the same
// JSON the Python package hands to the core. JS has one number type, so an integral number
// is an integer: `max_samples: 1` is one row; leave it out for all rows.

/**
 * A matrix, row-major: `number[][]` (one array per row) or `{data, nRows, nCols}` with
 * `data.length === nRows * nCols`. `null` / `NaN` is a missing value (trees send it down each
 * split's default branch; methods that need finite values say so in their Error).
 */
export type MatrixInput = (number | null)[][] | { data: NumericColumn | (number | null)[]; nRows: number; nCols: number };

/** What `predict` returns: one column per model output. */
export interface Matrix {
  data: Float64Array;
  nRows: number;
  nCols: number;
}

/** A native model's JSON (what Python's `NativeModel.to_json()` writes). */
export interface NativeModelJson {
  kind: "trees" | "linear";
  [key: string]: unknown;
}

/**
 * A model called from the engine: `f(data, nRows)` gets a batch of `nRows` rows (row-major,
 * `data.length === nRows * nFeatures`) and returns one number per row (`Float64Array` or
 * `number[]`), `nRows * nOutputs` numbers row-major, or `number[][]`. The number of outputs is
 * read from one call on the first row. A thrown exception becomes the export's Error.
 */
export type ModelFunction = (data: Float64Array, nRows: number) => Float64Array | number[] | number[][];

/** A native model (object or JSON text) or a JS function. */
export type ModelInput = NativeModelJson | string | ModelFunction;

export interface MaskerOptions {
  max_background?: number | null;
  background_random_state?: number;
  feature_names?: string[] | null;
  output_names?: string[] | null;
  batch_bytes?: number;
  parallel?: boolean;
}
export interface ExactOptions { max_features?: number; masker?: MaskerOptions }
export interface PermutationShapOptions {
  max_evals?: number;
  random_state?: number;
  /** Explicit permutations of the feature indices, per row. */
  permutations?: number[][][] | null;
  masker?: MaskerOptions;
}
export interface KernelOptions { nsamples?: number | null; random_state?: number; masker?: MaskerOptions }
export interface LinearShapOptions { masker?: MaskerOptions }
export interface TreeShapOptions {
  feature_perturbation?: "auto" | "tree_path_dependent" | "interventional";
  feature_names?: string[] | null;
  output_names?: string[] | null;
}

/** Input of the Shapley methods; `background` integrates absent features out. */
export interface ShapInput<O> {
  model: ModelInput;
  x: MatrixInput;
  background?: MatrixInput;
  options?: O;
}
/** TreeSHAP: a native tree ensemble; `background` makes it interventional. */
export interface TreeShapInput {
  model: NativeModelJson | string;
  x: MatrixInput;
  background?: MatrixInput;
  options?: TreeShapOptions;
}

/** SHAP's explanation (core/src/report/explanation.rs). */
export interface ExplanationReport {
  schema_version: number;
  kind: "explanation";
  method: "exact" | "permutation" | "kernel" | "linear" | "tree_path_dependent" | "tree_interventional";
  /** `[rows, features, outputs]`. */
  shape: [number, number, number];
  /** Row-major over `shape`. */
  values: (number | null)[];
  /** `[rows, outputs]`, row-major. */
  base_values: (number | null)[];
  feature_names: string[];
  output_names: string[];
  additivity_residual: (number | null)[];
  model_calls: number;
  rows_evaluated: number;
  params: Record<string, unknown>;
}

/** Path-dependent SHAP interaction values, `[rows, features, features, outputs]` row-major. */
export interface InteractionValues {
  shape: [number, number, number, number];
  values: (number | null)[];
}

export interface ImportanceOptions {
  /** `scoring`: a scikit-learn scorer name (`r2`, `accuracy`, `roc_auc`, ...) or a fairness
   * scorer (`neg_demographic_parity_difference`, ...); `classes`: the label of each output. */
  scorer?: { scoring: string; classes?: number[] | null; pos_label?: number | null; [key: string]: unknown };
  n_repeats?: number;
  random_state?: number;
  /** A count of rows (integer) or a fraction below 1. */
  max_samples?: number;
  baseline?: "subsample" | "full";
  feature_names?: string[] | null;
  feature_groups?: number[][] | null;
  group_names?: string[] | null;
  max_batch_elements?: number;
}
export interface ImportanceInput {
  model: ModelInput;
  x: MatrixInput;
  y: NumericColumn;
  sampleWeight?: NumericColumn;
  /** Grouping columns for fairness scorers. */
  sensitive?: FeatureInput[];
  /** Explicit permutations of the rows, one per repeat. */
  permutations?: number[][];
  sampleIndices?: number[];
  options?: ImportanceOptions;
}
export interface ImportanceReport {
  schema_version: number;
  kind: "permutation_importance";
  scoring: string;
  feature_names: string[];
  feature_groups: number[][];
  baseline_score: number | null;
  importances_mean: (number | null)[];
  importances_std: (number | null)[];
  importances: (number | null)[][];
  permuted_scores: (number | null)[][];
  model_calls: number;
  rows_evaluated: number;
  params: {
    random_state: number; n_repeats: number; n_rows: number; max_samples: number; baseline: string;
    sample_indices: number[] | null; permutations: string; weighted: boolean;
  };
}

export interface DependenceOptions {
  features?: number[];
  percentiles?: [number, number];
  grid_resolution?: number;
  kind?: "average" | "individual" | "both";
  categorical?: boolean[];
  custom_values?: (number[] | null)[];
  outputs?: number[] | null;
  feature_names?: string[] | null;
  max_batch_elements?: number;
}
export interface AleOptions {
  feature?: number;
  /** A number of bins, or the bin edges. */
  bins?: number | number[];
  outputs?: number[] | null;
  feature_names?: string[] | null;
  max_batch_elements?: number;
}
export interface DependenceInput<O> {
  model: ModelInput;
  x: MatrixInput;
  /** Partial dependence only. */
  sampleWeight?: NumericColumn;
  options?: O;
}
export interface DependenceReport {
  schema_version: number;
  kind: "partial_dependence";
  method: string;
  features: number[];
  feature_names: string[];
  grid_values: number[][];
  outputs: number[];
  average: (number | null)[] | null;
  individual: (number | null)[] | null;
  model_calls: number;
  rows_evaluated: number;
  params: { percentiles: [number, number]; grid_resolution: number; kind: string; n_rows: number; weighted: boolean };
}
export interface AleReport {
  schema_version: number;
  kind: "ale";
  feature: number;
  feature_name: string;
  edges: number[];
  counts: number[];
  outputs: number[];
  local_effects: (number | null)[];
  ale: (number | null)[];
  centring: (number | null)[];
  rows_outside: number;
  warnings: string[];
  model_calls: number;
  rows_evaluated: number;
  params: { bins: number | null; n_rows: number };
}

// ---- drift

export interface Ks2sampInput {
  data1: NumericColumn;
  data2: NumericColumn;
  alternative?: "two-sided" | "less" | "greater";
  method?: "auto" | "exact" | "asymp";
}
export interface KsResult {
  statistic: number | null;
  pvalue: number | null;
  statistic_location: number | null;
  statistic_sign: number;
  /** The method the p-value was computed with. */
  method: "exact" | "asymp";
}
export interface ChisquareInput { fObs: NumericColumn; fExp?: NumericColumn; ddof?: number }
export interface ChisquareResult { statistic: number | null; pvalue: number | null; dof: number | null }
export interface WassersteinInput {
  uValues: NumericColumn;
  vValues: NumericColumn;
  uWeights?: NumericColumn;
  vWeights?: NumericColumn;
}
export interface AndersonKsampInput { samples: NumericColumn[]; midrank?: boolean }
export interface AndersonKsampResult {
  statistic: number | null;
  critical_values: (number | null)[];
  pvalue: number | null;
  pvalue_bound: "capped" | "floored" | null;
}
/** A column: numbers (null = missing) or strings (categories; null = missing). */
export type DriftValues = (number | null)[] | (string | null)[] | NumericColumn;
export interface BinnedInput {
  reference: DriftValues;
  current: DriftValues;
  /** Quantile bins of the reference (default 10). */
  bins?: number;
  binning?: "quantile" | "sturges";
  /** psi: the share given to empty bins (default Evidently's). */
  floor?: number;
  /** jensenShannon: the logarithm's base (default e). */
  base?: number;
}
/** Python's `BinnedResult`. */
export interface BinnedResult {
  statistic: number | null;
  bins: { kind: "edges"; method: string; edges: number[] } | { kind: "categories"; categories: string[] };
  reference_counts: number[];
  current_counts: number[];
  details: Record<string, unknown>;
}
export interface DriftColumnInput { name: string; reference: DriftValues; current: DriftValues }
export interface DriftOptions {
  alpha?: number;
  correction?: "bonferroni" | "bh" | null;
  drift_share?: number;
  bins?: number;
  binning?: "quantile" | "sturges";
  floor?: "evidently" | { fixed: number };
  js_base?: number | null;
  ks_method?: "auto" | "exact" | "asymp";
  /** Per-column test: `{column: {test, threshold?}}`. */
  tests?: Record<string, { test: string; threshold?: number | null }>;
}
export interface DriftReportInput {
  columns: DriftColumnInput[];
  prediction?: DriftColumnInput;
  /** A sensitive feature (strings) to report drift within. */
  groups?: DriftColumnInput;
  options?: DriftOptions;
}
export interface ColumnDrift {
  column: string;
  kind: string;
  test: string;
  selected_by: string;
  statistic: number | null;
  p_value: number | null;
  p_value_adjusted: number | null;
  threshold: number;
  drifted: boolean;
  n_reference: number;
  n_current: number;
  missing_reference: number;
  missing_current: number;
  n_distinct: number;
  bins: BinnedResult["bins"] | null;
  details: Record<string, unknown>;
}
export interface DriftSection {
  n_reference: number;
  n_current: number;
  columns: ColumnDrift[];
  prediction: ColumnDrift | null;
  n_columns: number;
  n_drifted: number;
  drift_share: number | null;
  dataset_drift: boolean;
}
export interface DriftReport {
  schema_version: number;
  kind: "drift";
  params: DriftOptions;
  overall: DriftSection;
  sensitive_feature: string | null;
  by_group: Record<string, { n_reference: number; n_current: number; section: DriftSection | null; error: string | null }>;
  warnings: string[];
}

// ---- robustness

export interface Constraints {
  immutable?: number[];
  lower?: (number | null)[];
  upper?: (number | null)[];
  integer?: number[];
  one_hot?: number[][];
}
export interface NoiseOptions {
  budgets?: number[];
  noise?: "gaussian" | "uniform";
  n_repeats?: number;
  per_feature?: boolean;
  threshold?: number;
  random_state?: number;
  feature_names?: string[];
  batch_rows?: number;
}
export interface FlipOptions { sensitive_indices?: number[]; threshold?: number; feature_names?: string[]; batch_rows?: number }
export interface HsjOptions {
  norm?: "l2" | "linf";
  max_iter?: number;
  max_queries?: number;
  init_eval?: number;
  max_eval?: number;
  init_size?: number;
  init_neighbours?: number;
  random_state?: number;
  constraints?: Constraints;
  threshold?: number;
  budgets?: number[];
  batch_rows?: number;
}
export interface GradientOptions {
  eps?: number;
  norm?: "l2" | "linf";
  max_iter?: number;
  step_size?: number | null;
  random_init?: boolean;
  random_state?: number;
  constraints?: Constraints;
}
export interface MinimalOptions { norm?: "l2" | "linf"; constraints?: Constraints; overshoot?: number }
export interface ProbeInput<O> {
  model: ModelInput;
  x: MatrixInput;
  /** Attacks: the labels to move away from (default the model's own predictions). */
  y?: NumericColumn;
  /** noiseStability: grouping columns for the breakdown by group. */
  sensitive?: FeatureInput[];
  options?: O;
}
export interface GroupValues { group: string[]; rows: number; values: Record<string, number | null> }
export interface NoiseStabilityReport {
  schema_version: number;
  kind: "noise_stability";
  feature_names: string[];
  budgets: number[];
  flip_rate: (number | null)[];
  mean_output_change: (number | null)[];
  feature_flip_rate: (number | null)[][];
  feature_output_change: (number | null)[][];
  sensitive: { name: string; levels: string[] }[];
  by_group: GroupValues[][];
  warnings: string[];
  model_calls: number;
  rows_evaluated: number;
  elapsed_seconds: number | null;
  params: { noise: string; n_repeats: number; random_state: number; threshold: number; spread: number[]; n_rows: number };
}
export interface SensitiveFlipReport {
  schema_version: number;
  kind: "sensitive_flip";
  sensitive_columns: string[];
  sensitive_indices: number[];
  values: number[][];
  flip_rate: number | null;
  counterfactual_flip_rate: number | null;
  mean_max_output_change: number | null;
  flipped: boolean[];
  max_output_change: number[];
  flip_rate_to: (number | null)[];
  sensitive: { name: string; levels: string[] }[];
  by_group: GroupValues[];
  warnings: string[];
  model_calls: number;
  rows_evaluated: number;
  elapsed_seconds: number | null;
  threshold: number;
}
export interface AttackReport {
  schema_version: number;
  kind: string;
  norm: string;
  x_adv: number[][];
  attacked: boolean[];
  success: boolean[];
  perturbation_norm: (number | null)[];
  original_label: number[];
  adversarial_label: number[];
  success_rate: number | null;
  median_perturbation: number | null;
  median_relative_perturbation: number | null;
  budgets: number[];
  robust_accuracy: (number | null)[];
  model_calls: number;
  rows_evaluated: number;
  elapsed_seconds: number | null;
  random_state: number;
}

// ---- training (wasm/src/train.rs; smartcore)

/** `trainModel`'s input; `y` holds class labels (0, 1, ... for a logistic regression). */
export interface TrainInput {
  x: MatrixInput;
  y: NumericColumn;
  kind: "logistic_regression" | "random_forest";
  /** Seed of the forest's bootstrap samples and feature subsets (default 0). */
  randomState?: number;
  /** Logistic regression: L2 penalty weight (default 0). */
  alpha?: number;
  /** Forest: number of trees (default 100). */
  nTrees?: number;
  maxDepth?: number;
  minSamplesLeaf?: number;
  minSamplesSplit?: number;
  /** Forest: features tried per split (default √features). */
  maxFeatures?: number;
}

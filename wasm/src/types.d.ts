// TypeScript types of the JS API's inputs and results, appended to the generated
// aequa_wasm.d.ts. Results mirror the core's serde structs (core/src/report/frame.rs): keys
// are snake_case as in the JSON, `null` marks an undefined value (NaN).

/** A numeric column: a plain array or a typed array. */
export type NumericColumn = number[] | Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

/** A grouping column; numbers are grouped in numeric order, strings in lexicographic order. */
export interface FeatureInput {
  name: string;
  values: (string | number)[];
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

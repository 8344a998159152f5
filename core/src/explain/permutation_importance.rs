//! Permutation importance (Breiman 2001), with scikit-learn's semantics: on the rows kept by
//! `max_samples` (all by default, else a seeded subsample drawn without replacement), each
//! feature — or each GROUP of features, whose columns are permuted with the same row
//! permutation so they move together — is shuffled `n_repeats` times and scored (`s_{g,r}`).
//! The importance is `s₀ − s_{g,r}` with `s₀` the unpermuted baseline score (scorers are
//! greater-is-better, so a positive importance means the model relies on the feature); the
//! report gives the mean and the population standard deviation (ddof = 0) over the repeats.
//!
//! The baseline: scikit-learn scores it on ALL rows even when the permuted scores use a
//! subsample, so every importance then carries the subsample's own score gap and a feature the
//! model ignores gets a non-zero importance. Here `baseline = "subsample"` (the default) scores
//! the baseline on the same rows as the permutations, so an ignored feature gets exactly 0;
//! `baseline = "full"` reproduces scikit-learn. Without subsampling both are the same.
//!
//! Permutation `r` is a Fisher–Yates shuffle drawn from `rng::seeded(random_state, 1 + r)`
//! (the subsample from stream 0), the same for every group, as scikit-learn reuses one seed
//! for every column. Callers can pass the permutations (and subsample) explicitly, e.g. to
//! reproduce scikit-learn's draws. The model sees large batches: consecutive (group, repeat)
//! blocks are packed into one call up to `max_batch_elements` values.

#[cfg(test)]
pub(crate) mod tests;
mod validate;

use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::data::groups::Feature;
use crate::error::{Error, Result};
use crate::explain::batches;
use crate::explain::counting::CountingModel;
use crate::explain::scoring::{PreparedScorer, Scorer, ScorerSpec, Target};
use crate::explain::{importance_linear, importance_trees};
use crate::model::{check_features, Model};
use crate::report::importance::{ImportanceParams, ImportanceReport};
use crate::report::{Num, SCHEMA_VERSION};
use validate::{groups_of, mean_std, permutations, subsample};

/// How many rows to permute: a count, or a fraction of the rows (scikit-learn's int/float).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MaxSamples {
    /// Exactly this many rows.
    Count(usize),
    /// `floor(fraction · n_rows)` rows; `1.0` means all.
    Fraction(f64),
}

/// The rows the baseline score is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// The rows permuted (exactly zero importance for an ignored feature).
    #[default]
    Subsample,
    /// All rows of `X` (scikit-learn's choice).
    Full,
}

/// Options of [`permutation_importance`], defaulted and checked in one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PermutationOptions {
    /// The scorer and how it reads the model's output.
    pub scorer: ScorerSpec,
    /// Permutations per feature or group.
    pub n_repeats: usize,
    /// Seed of the permutations and the subsample.
    pub random_state: u32,
    /// Rows used for the permuted scores.
    pub max_samples: MaxSamples,
    /// Rows of the baseline score when subsampling.
    pub baseline: Baseline,
    /// Column names of `X` (default `x0, x1, ...`).
    pub feature_names: Option<Vec<String>>,
    /// Columns permuted together (default: each column alone).
    pub feature_groups: Option<Vec<Vec<usize>>>,
    /// Names of the groups (default: their column names joined by `+`).
    pub group_names: Option<Vec<String>>,
    /// Most values (rows × columns) sent to the model in one call.
    pub max_batch_elements: usize,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            scorer: ScorerSpec::default(),
            n_repeats: 5,
            random_state: 0,
            max_samples: MaxSamples::Fraction(1.0),
            baseline: Baseline::Subsample,
            feature_names: None,
            feature_groups: None,
            group_names: None,
            max_batch_elements: 1 << 23,
        }
    }
}

/// The data of a permutation-importance run.
#[derive(Debug, Clone)]
pub struct PermutationInput<'a> {
    /// Rows × features.
    pub x: ArrayView2<'a, f64>,
    /// Targets, weights and sensitive groups, one entry per row of `x`.
    pub target: Target<'a>,
    /// Caller-chosen permutations, `n_repeats × max_samples`: row `i` of the permuted column
    /// takes the value of row `permutations[r, i]` (of the subsample).
    pub permutations: Option<ArrayView2<'a, i64>>,
    /// Caller-chosen subsample rows (replaces the seeded `max_samples` draw).
    pub sample_indices: Option<ArrayView1<'a, i64>>,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Check `X` against the target: same rows, finite, at least one row and column.
#[inline]
pub fn check_x(x: ArrayView2<'_, f64>, n_target: usize) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::invalid(
            "X",
            format!(
                "expected a non-empty 2-D array, found shape ({}, {})",
                x.nrows(),
                x.ncols()
            ),
        ));
    }
    if n_target != x.nrows() {
        return Err(Error::invalid(
            "y",
            format!(
                "expected {} values (one per row of X), found {n_target}",
                x.nrows()
            ),
        ));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            argument: "X".into(),
            index: i / x.ncols(),
            value: *v,
        });
    }
    Ok(())
}

/// Permutation importance of every feature (or group) of `input.x`.
#[inline]
pub fn permutation_importance<M: Model + ?Sized>(
    model: &M,
    input: &PermutationInput<'_>,
    options: &PermutationOptions,
) -> Result<ImportanceReport> {
    let x = input.x;
    check_x(x, input.target.y_true.len())?;
    check_features(model, x, "X")?;
    if options.n_repeats == 0 {
        return Err(Error::invalid("n_repeats", "expected at least 1, found 0"));
    }
    let (groups, names) = groups_of(options, x.ncols())?;
    let (inner, trees) = (model, model.tree_ensemble());
    let model = CountingModel::new(model);
    let full = PreparedScorer::new(&options.scorer, input.target.clone(), model.n_outputs())?;
    let rows = subsample(input, options)?;
    let perms = permutations(input, options, rows.as_ref().map_or(x.nrows(), Vec::len))?;

    // The subsample, owned (only when subsampling).
    let take = |rows: &[usize]| -> Sub {
        let pick1 = |a: ArrayView1<'_, f64>| -> Array1<f64> {
            rows.iter().filter_map(|i| a.get(*i).copied()).collect()
        };
        Sub {
            x: x.select(ndarray::Axis(0), rows),
            y: pick1(input.target.y_true),
            w: input.target.sample_weight.map(pick1),
            codes: input
                .target
                .sensitive
                .iter()
                .map(|f| {
                    rows.iter()
                        .filter_map(|i| f.codes.get(*i).copied())
                        .collect()
                })
                .collect(),
        }
    };
    let sub = rows.as_deref().map(take);
    let (xs, target) = match &sub {
        None => (x, input.target.reborrow()),
        Some(s) => (s.x.view(), s.target(&input.target.sensitive)),
    };
    let scorer = PreparedScorer::new(&options.scorer, target, model.n_outputs())?;
    let m = xs.nrows();
    let blocks: Vec<(usize, usize)> = (0..groups.len())
        .flat_map(|g| (0..perms.len()).map(move |r| (g, r)))
        .collect();

    // A native model is read, not called: a linear model's scores are shifted by the permuted
    // column, a tree ensemble's leaves re-walked only where a permutation can move them. The
    // baseline then comes from the same scores (equal to `predict`'s), unless scikit-learn's
    // full-data baseline needs rows outside the subsample.
    let full_baseline = sub.is_some() && options.baseline == Baseline::Full;
    let widest = groups.iter().map(Vec::len).max().unwrap_or(0);
    // Scorers that read a continuous value tolerate a rounding-level shift of the scores.
    let smooth = matches!(
        scorer.scorer(),
        Scorer::R2
            | Scorer::NegMeanSquaredError
            | Scorer::NegMeanAbsoluteError
            | Scorer::NegLogLoss
    );
    let linear = inner
        .linear_model()
        .and_then(|m| importance_linear::Shifted::new(m, xs, !smooth));
    let fast = if let Some(shifted) = linear {
        let base = scorer.score(shifted.baseline().view())?;
        Some((base, shifted.scores(&blocks, &groups, &perms, &scorer)?))
    } else if let Some(e) = trees.filter(|e| importance_trees::usable(e, widest)) {
        let cache = importance_trees::Cached::new(e, xs)?;
        let base = scorer.score(cache.baseline().view())?;
        let mut out = Vec::with_capacity(blocks.len());
        // Repeats in slices of at most `max_batch_elements` output values at a time.
        let per_slice = batches::chunk_size(m * e.n_raw_outputs, options.max_batch_elements);
        for group in &groups {
            for slice in perms.chunks(per_slice) {
                let outputs = cache.permuted_all(group, slice)?;
                out.extend(batches::run(
                    &outputs,
                    || (),
                    |(), o| scorer.score(o.view()),
                )?);
            }
        }
        Some((base, out))
    } else {
        None
    };
    let (baseline, results) = match fast {
        Some((base, results)) if !full_baseline => (base, results),
        Some((_, results)) => (full.score(model.predict(x)?.view())?, results),
        None => {
            let baseline = match (&sub, options.baseline) {
                (Some(s), Baseline::Subsample) => {
                    scorer.score(model.predict(s.x.view())?.view())?
                }
                _ => full.score(model.predict(x)?.view())?,
            };
            (
                baseline,
                called(&model, xs, &groups, &perms, &blocks, &scorer, options)?,
            )
        }
    };
    let mut scores = vec![vec![f64::NAN; perms.len()]; groups.len()];
    for ((g, r), score) in blocks.iter().zip(results) {
        if let Some(slot) = scores.get_mut(*g).and_then(|row| row.get_mut(*r)) {
            *slot = score;
        }
    }

    let importances: Vec<Vec<f64>> = scores
        .iter()
        .map(|row| row.iter().map(|s| baseline - s).collect())
        .collect();
    let stats: Vec<(f64, f64)> = importances.iter().map(|row| mean_std(row)).collect();
    let nums = |v: &[f64]| v.iter().map(|x| Num(*x)).collect::<Vec<_>>();
    Ok(ImportanceReport {
        schema_version: SCHEMA_VERSION,
        kind: "permutation_importance".into(),
        scoring: scorer.scorer().name(),
        feature_names: names,
        feature_groups: groups,
        baseline_score: Num(baseline),
        importances_mean: stats.iter().map(|s| Num(s.0)).collect(),
        importances_std: stats.iter().map(|s| Num(s.1)).collect(),
        importances: importances.iter().map(|r| nums(r)).collect(),
        permuted_scores: scores.iter().map(|r| nums(r)).collect(),
        model_calls: model.calls(),
        rows_evaluated: model.rows(),
        params: ImportanceParams {
            random_state: options.random_state,
            n_repeats: options.n_repeats,
            n_rows: x.nrows(),
            max_samples: m,
            baseline: match (&sub, options.baseline) {
                (Some(_), Baseline::Subsample) => "subsample",
                _ => "full",
            }
            .into(),
            sample_indices: rows,
            permutations: if input.permutations.is_some() {
                "given"
            } else {
                "seeded"
            }
            .into(),
            weighted: input.target.sample_weight.is_some(),
        },
    })
}

/// Every `(group, repeat)` block's score through model calls, consecutive blocks packed into
/// one call up to `max_batch_elements` values.
fn called<M: Model + ?Sized>(
    model: &CountingModel<'_, M>,
    xs: ArrayView2<'_, f64>,
    groups: &[Vec<usize>],
    perms: &[Vec<usize>],
    blocks: &[(usize, usize)],
    scorer: &PreparedScorer<'_>,
    options: &PermutationOptions,
) -> Result<Vec<f64>> {
    let (m, p) = (xs.nrows(), xs.ncols());
    let per_batch = batches::chunk_size(m * p, options.max_batch_elements);
    let batch_list: Vec<&[(usize, usize)]> = blocks.chunks(per_batch).collect();
    // Each worker keeps `per_batch` copies of the rows and rewrites only the permuted columns.
    let write = |data: &mut Array2<f64>, b: usize, g: usize, perm: Option<&Vec<usize>>| {
        for c in groups.get(g).into_iter().flatten() {
            let source = xs.column(*c);
            let mut dst = data.slice_mut(s![b * m..(b + 1) * m, *c]);
            match perm {
                Some(perm) => dst
                    .iter_mut()
                    .zip(perm)
                    .for_each(|(d, i)| *d = source.get(*i).copied().unwrap_or(f64::NAN)),
                None => dst.assign(&source),
            }
        }
    };
    Ok(batches::run(
        &batch_list,
        || tiled(xs, per_batch.min(blocks.len())),
        |data, batch| {
            for (b, (g, r)) in batch.iter().enumerate() {
                write(data, b, *g, perms.get(*r));
            }
            let out = model.predict(data.slice(s![..batch.len() * m, ..]))?;
            let scores = (0..batch.len())
                .map(|b| scorer.score(out.slice(s![b * m..(b + 1) * m, ..])))
                .collect::<Result<Vec<f64>>>()?;
            for (b, (g, _)) in batch.iter().enumerate() {
                write(data, b, *g, None);
            }
            Ok(scores)
        },
    )?
    .into_iter()
    .flatten()
    .collect())
}

/// `copies` copies of `x` stacked (a worker's scratch rows).
#[inline]
pub(crate) fn tiled(x: ArrayView2<'_, f64>, copies: usize) -> Array2<f64> {
    let (n, p) = (x.nrows(), x.ncols());
    let mut out = Array2::<f64>::zeros((copies * n, p));
    for b in 0..copies {
        out.slice_mut(s![b * n..(b + 1) * n, ..]).assign(&x);
    }
    out
}

/// An owned subsample of the rows.
struct Sub {
    x: Array2<f64>,
    y: Array1<f64>,
    w: Option<Array1<f64>>,
    codes: Vec<Array1<u32>>,
}

impl Sub {
    #[inline]
    fn target<'a>(&'a self, sensitive: &[Feature<'_>]) -> Target<'a> {
        Target {
            y_true: self.y.view(),
            sample_weight: self.w.as_ref().map(|w| w.view()),
            sensitive: sensitive
                .iter()
                .zip(&self.codes)
                .map(|(f, c)| Feature {
                    name: f.name.clone(),
                    codes: c.view(),
                    levels: f.levels.clone(),
                })
                .collect(),
        }
    }
}

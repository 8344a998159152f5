//! Shapley values by antithetic permutation sampling (SHAP's `PermutationExplainer`).
//!
//! For a permutation `p` of the row's varying features, the forward pass adds `p_1, p_2, ...`
//! to the coalition one at a time, crediting each with `v(prefix ∪ {p_t}) − v(prefix)`; the
//! reverse pass removes them in the same order from the full coalition, which is the forward
//! pass of the reversed permutation. The estimate is the mean over `2 · n_permutations`
//! passes; it is exact for models with at most pairwise interactions and always additive.
//!
//! Budget, as SHAP defines it: one permutation costs `2m + 1` masked evaluations, so
//! `n_permutations = max_evals / (2m + 1)` (at least 1, else an error) where `m` is the number
//! of features that differ from the background for the row; invariant features get exactly 0.
//! Permutations are drawn per row from `rng::seeded(random_state, row)` by successive
//! Fisher–Yates shuffles, or given explicitly (then the result equals SHAP's for the same
//! permutations).
//!
//! Model rows: toggling feature `j` changes only the background rows where `b_rj ≠ x_j`; only
//! those are re-evaluated, and `v(∅)`, `v(all) = f(x)` are never re-evaluated.

use std::ops::Range;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::masker::{
    check_inputs, mean_rows, push_masked, varying_count, MaskerOptions, RowDiff, Setup,
};
use crate::explain::permutation_trees;
use crate::model::{Model, TreeEnsemble};
use crate::report::ExplanationReport;
use crate::rng;

/// Options of [`permutation_shapley`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PermutationOptions {
    /// Masked evaluations per row (SHAP's `max_evals`): `n_permutations = max_evals / (2m+1)`.
    pub max_evals: usize,
    /// Seed of the permutations.
    pub random_state: u32,
    /// Explicit permutations of all features `0..M`: one list shared by every row, or one list
    /// per row. Overrides `max_evals` and `random_state`.
    pub permutations: Option<Vec<Vec<Vec<usize>>>>,
    /// Background handling and batching.
    pub masker: MaskerOptions,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            max_evals: 500,
            random_state: 0,
            permutations: None,
            masker: MaskerOptions::default(),
        }
    }
}

#[derive(Debug)]
struct RowPlan {
    row: usize,
    diff: RowDiff,
    /// Permutations of the varying features.
    perms: Vec<Vec<usize>>,
}

/// One half (forward or reverse) of one permutation of one row.
type Unit<'p> = (&'p RowPlan, usize, bool);

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Permutation-sampled Shapley values of `model` for the rows of `x` against `background`.
#[inline]
pub fn permutation_shapley<M: Model + ?Sized>(
    model: &M,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
    options: &PermutationOptions,
) -> Result<ExplanationReport> {
    check_inputs(model, x, background)?;
    check_permutations(options, x.nrows(), x.ncols())?;
    let mut counts = Vec::new();
    let setup = Setup::new(model, x, background, &options.masker, |bg| {
        counts = (0..x.nrows())
            .map(|i| varying_count(x.row(i), bg))
            .collect();
        if options.permutations.is_some() {
            return Ok(());
        }
        counts
            .iter()
            .enumerate()
            .find(|(_, m)| **m > 0 && options.max_evals / (2 * **m + 1) == 0)
            .map_or(Ok(()), |(i, m)| {
                Err(budget_too_low(options.max_evals, i, *m))
            })
    })?;
    let n_bg = setup.background.nrows();
    let costs: Vec<usize> = counts
        .iter()
        .enumerate()
        .map(|(i, m)| n_permutations(options, i, *m) * 2 * m.saturating_sub(1) * n_bg)
        .collect();
    let max_varying = counts.iter().copied().max().unwrap_or(0);
    let walkable = |e: &&TreeEnsemble| permutation_trees::walkable(e, max_varying);
    let values = match model.tree_ensemble().filter(walkable) {
        // A native tree ensemble: walk its trees, one row per chunk (no model calls).
        Some(trees) => {
            let chunks: Vec<Range<usize>> = (0..x.nrows()).map(|i| i..i + 1).collect();
            let routes = permutation_trees::Background::new(trees, setup.background.view());
            let walk = |rows| walk_rows(&setup, trees, &routes, rows, options);
            setup.map_chunks(&chunks, walk)?
        }
        None => {
            let chunks = setup.chunks(&costs);
            setup.map_chunks(&chunks, |rows| explain_rows(&setup, rows, options))?
        }
    };
    let counts: Vec<usize> = counts
        .iter()
        .enumerate()
        .map(|(i, m)| n_permutations(options, i, *m))
        .collect();
    let mut params = serde_json::Map::new();
    if options.permutations.is_some() {
        params.insert("permutations".into(), "given".into());
    } else {
        params.insert("max_evals".into(), options.max_evals.into());
        params.insert("random_state".into(), options.random_state.into());
    }
    let uniform = counts.windows(2).all(|w| w.first() == w.get(1));
    params.insert(
        "n_permutations".into(),
        match (uniform, counts.first()) {
            (true, Some(c)) => (*c).into(),
            _ => counts.into(),
        },
    );
    Ok(setup.report("permutation", values, params))
}

/// Permutation values of `rows` (rows × features × outputs, row-major).
#[inline]
fn explain_rows<M: Model + ?Sized>(
    setup: &Setup<'_, M>,
    rows: Range<usize>,
    options: &PermutationOptions,
) -> Result<Vec<f64>> {
    let (x, bg) = (setup.x, setup.background.view());
    let plans: Vec<RowPlan> = rows
        .clone()
        .map(|i| plan_row(i, RowDiff::new(x.row(i), bg), options))
        .collect();
    let (m_all, k) = (setup.n_features(), setup.n_outputs());
    let mut values = vec![0.0; rows.len() * m_all * k];
    let mut last = Array2::<f64>::zeros((bg.nrows(), k));
    let mut acc = vec![0.0; m_all * k];
    let mut on = vec![false; m_all];
    let units = plans
        .iter()
        .flat_map(|p| (0..p.perms.len()).flat_map(move |q| [(p, q, true), (p, q, false)]));
    setup.run(
        units,
        |(plan, q, forward): &Unit<'_>, buf| {
            let Some(perm) = plan.perms.get(*q) else {
                return 0;
            };
            on.iter_mut().for_each(|o| *o = !*forward);
            let (xr, mut added) = (x.row(plan.row), 0);
            for j in perm.iter().take(perm.len().saturating_sub(1)) {
                if let Some(o) = on.get_mut(*j) {
                    *o = *forward;
                }
                for r in plan.diff.rows_by_feature.get(*j).into_iter().flatten() {
                    push_masked(buf, xr, bg.row(*r as usize), &on);
                    added += 1;
                }
            }
            added
        },
        |(plan, q, forward): &Unit<'_>, out| {
            let Some(perm) = plan.perms.get(*q) else {
                return Ok(());
            };
            if *q == 0 && *forward {
                acc.iter_mut().for_each(|a| *a = 0.0);
            }
            let fx = setup.f_x.row(plan.row);
            let (start, end) = if *forward {
                last.assign(&setup.f_background);
                (setup.base.view(), fx)
            } else {
                last.rows_mut().into_iter().for_each(|mut r| r.assign(&fx));
                (fx, setup.base.view())
            };
            let mut prev = start.to_vec();
            let mut next = 0usize;
            for (t, j) in perm.iter().enumerate() {
                let cur: Vec<f64> = if t + 1 == perm.len() {
                    end.to_vec()
                } else {
                    for r in plan.diff.rows_by_feature.get(*j).into_iter().flatten() {
                        last.row_mut(*r as usize).assign(&out.row(next));
                        next += 1;
                    }
                    mean_rows(last.view()).to_vec()
                };
                let sign = if *forward { 1.0 } else { -1.0 };
                if let Some(a) = acc.get_mut(j * k..j * k + k) {
                    for ((a, c), p) in a.iter_mut().zip(&cur).zip(&prev) {
                        *a += sign * (c - p);
                    }
                }
                prev = cur;
            }
            if *q + 1 == plan.perms.len() && !*forward {
                let scale = 2.0 * plan.perms.len() as f64;
                let at = (plan.row - rows.start) * m_all * k;
                if let Some(dst) = values.get_mut(at..at + m_all * k) {
                    dst.iter_mut().zip(&acc).for_each(|(d, a)| *d = a / scale);
                }
            }
            Ok(())
        },
    )?;
    Ok(values)
}

/// Permutation values of `rows` of a tree ensemble, by walking its trees
/// ([`permutation_trees`]); the same estimator as [`explain_rows`].
#[inline]
fn walk_rows<M: Model + ?Sized>(
    setup: &Setup<'_, M>,
    trees: &TreeEnsemble,
    routes: &permutation_trees::Background,
    rows: Range<usize>,
    options: &PermutationOptions,
) -> Result<Vec<f64>> {
    let (x, bg) = (setup.x, setup.background.view());
    let mut values = Vec::with_capacity(rows.len() * setup.n_features() * setup.n_outputs());
    for i in rows {
        let plan = plan_row(i, RowDiff::new(x.row(i), bg), options);
        let input = permutation_trees::RowInput {
            x: x.row(i),
            background: bg,
            f_x: setup.f_x.row(i),
            base: setup.base.view(),
            routes,
        };
        values.extend(permutation_trees::row_values(trees, &input, &plan.perms));
    }
    Ok(values)
}

/// Permutations for `row`, which has `m` varying features.
#[inline]
fn n_permutations(options: &PermutationOptions, row: usize, m: usize) -> usize {
    match (&options.permutations, m) {
        (_, 0) => 0,
        (Some(given), _) if given.len() == 1 => given.first().map_or(0, Vec::len),
        (Some(given), _) => given.get(row).map_or(0, Vec::len),
        (None, m) => options.max_evals / (2 * m + 1),
    }
}

#[inline]
fn budget_too_low(max_evals: usize, row: usize, m: usize) -> Error {
    Error::invalid(
        "max_evals",
        format!(
            "max_evals={max_evals} is too low: row {row} has {m} features that differ from the \
             background and one antithetic permutation costs 2*{m}+1 = {} masked evaluations; \
             pass max_evals >= {}",
            2 * m + 1,
            2 * m + 1
        ),
    )
}

#[inline]
fn plan_row(row: usize, diff: RowDiff, options: &PermutationOptions) -> RowPlan {
    let m = diff.varying.len();
    let perms = if m == 0 {
        Vec::new()
    } else if let Some(given) = &options.permutations {
        let list = if given.len() == 1 {
            given.first()
        } else {
            given.get(row)
        };
        list.into_iter()
            .flatten()
            .map(|p| {
                p.iter()
                    .copied()
                    .filter(|j| diff.rows_by_feature.get(*j).is_some_and(|l| !l.is_empty()))
                    .collect()
            })
            .collect()
    } else {
        let mut r = rng::seeded(options.random_state, row as u64);
        let mut perm = diff.varying.clone();
        (0..n_permutations(options, row, m))
            .map(|_| {
                for a in (1..perm.len()).rev() {
                    let b = rng::below(&mut r, a as u64 + 1) as usize;
                    perm.swap(a, b);
                }
                perm.clone()
            })
            .collect()
    };
    RowPlan { row, diff, perms }
}

#[inline]
fn check_permutations(options: &PermutationOptions, n: usize, m: usize) -> Result<()> {
    let Some(given) = &options.permutations else {
        return Ok(());
    };
    if given.len() != 1 && given.len() != n {
        return Err(Error::invalid(
            "permutations",
            format!(
                "expected one list of permutations for all rows or one per row ({n}), found {}",
                given.len()
            ),
        ));
    }
    for (i, list) in given.iter().enumerate() {
        if list.is_empty() {
            return Err(Error::invalid(
                "permutations",
                format!("list {i} is empty; expected at least one permutation"),
            ));
        }
        for p in list {
            let mut seen = vec![false; m];
            let ok = p.len() == m
                && p.iter().all(|j| {
                    seen.get_mut(*j)
                        .is_some_and(|s| !std::mem::replace(s, true))
                });
            if !ok {
                return Err(Error::invalid(
                    "permutations",
                    format!("expected permutations of 0..{m} (each feature once), found {p:?}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::exact::{exact_shapley, ExactOptions};
    use crate::model::{LinearModel, Link};
    use ndarray::array;

    fn setup() -> (LinearModel, Array2<f64>, Array2<f64>) {
        let m =
            LinearModel::new(array![[1.0, -2.0, 0.5, 0.0]], array![3.0], Link::Identity).unwrap();
        let bg = array![
            [0.0, 1.0, 2.0, 1.0],
            [2.0, 3.0, 2.0, 0.0],
            [1.0, 0.0, 2.0, 5.0]
        ];
        let x = array![[1.0, 1.0, 5.0, 2.0], [4.0, -1.0, 2.0, 0.0]];
        (m, bg, x)
    }

    #[test]
    fn additive_model_matches_exact_for_any_permutation() {
        let (m, bg, x) = setup();
        let exact = exact_shapley(&m, x.view(), bg.view(), &ExactOptions::default()).unwrap();
        let opts = PermutationOptions {
            max_evals: 40,
            random_state: 7,
            ..PermutationOptions::default()
        };
        let p = permutation_shapley(&m, x.view(), bg.view(), &opts).unwrap();
        for (a, b) in p.values.iter().zip(&exact.values) {
            assert!((a.0 - b.0).abs() < 1e-12);
        }
        assert!(p.additivity_residual.iter().all(|v| v.0.abs() < 1e-12));
        let again = permutation_shapley(&m, x.view(), bg.view(), &opts).unwrap();
        assert_eq!(p, again);
    }

    #[test]
    fn budget_and_given_permutations_are_checked() {
        let (m, bg, x) = setup();
        let low = PermutationOptions {
            max_evals: 3,
            ..PermutationOptions::default()
        };
        let e = permutation_shapley(&m, x.view(), bg.view(), &low).unwrap_err();
        assert!(e.to_string().contains("max_evals=3"), "{e}");
        let bad = PermutationOptions {
            permutations: Some(vec![vec![vec![0, 1, 1, 3]]]),
            ..PermutationOptions::default()
        };
        assert!(permutation_shapley(&m, x.view(), bg.view(), &bad).is_err());
        let given = PermutationOptions {
            permutations: Some(vec![vec![vec![3, 2, 1, 0], vec![0, 1, 2, 3]]]),
            ..PermutationOptions::default()
        };
        let p = permutation_shapley(&m, x.view(), bg.view(), &given).unwrap();
        assert_eq!(p.params["n_permutations"], 2);
    }
}

#[cfg(test)]
mod pinned {
    use super::*;

    /// The seeded draw is part of the contract: same seed, same permutations on every platform.
    #[test]
    fn seeded_permutations_are_pinned() {
        let diff = RowDiff {
            rows_by_feature: vec![vec![0]; 6],
            varying: (0..6).collect(),
        };
        let options = PermutationOptions {
            max_evals: 2 * 13,
            random_state: 42,
            ..PermutationOptions::default()
        };
        let plan = plan_row(3, diff, &options);
        assert_eq!(plan.perms, PINNED);
    }

    const PINNED: [[usize; 6]; 2] = [[3, 0, 1, 4, 5, 2], [2, 4, 1, 0, 3, 5]];
}

//! Path-dependent TreeSHAP (Lundberg et al., "Consistent individualized feature attribution for
//! tree ensembles", 2018, Algorithm 2; Nature MI 2020) on a tree ensemble's raw output.
//!
//! A feature outside the coalition is integrated out by following both children of its splits,
//! weighted by their share of the node's training cover. One recursion per tree carries the
//! unique features of the current path with their "zero" fraction (cover share) and "one"
//! fraction (does `x` follow this branch); `extend` and `unwind` update the permutation weights
//! of the path's subset sizes in O(depth), so a leaf credits every path feature
//! `w · (one − zero) · value` in O(depth²). Values are linear in the trees, so the ensemble's
//! values are the sum over trees (each scaled by `tree_weight`; a `tree_output` tree adds only to
//! its own output), and they sum to `f(x) − E[f]`, with `E[f]` the cover-weighted mean of the
//! leaves plus `base_score`.
//!
//! Interaction values follow SHAP's `tree_shap` with conditioning: `Φ_ij` for `i ≠ j` is half
//! the difference between the SHAP values of `i` with feature `j` always present and always
//! absent; the diagonal holds the rest of each main effect, so a row's matrix sums to
//! `f(x) − E[f]` and its rows sum to the SHAP values.

#[cfg(test)]
mod tests;
mod walk;

use ndarray::{Array3, Array4, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::tree_interventional::{background_mean, interventional_values};
use crate::explain::tree_walk::{check_input, for_each_row, report, Prepared, ReportParts};
use crate::model::{NativeModel, TreeEnsemble};
use crate::report::ExplanationReport;
use walk::{reciprocals, Condition, Scratch, Walk};

/// How features outside a coalition are integrated out (SHAP's `feature_perturbation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeaturePerturbation {
    /// Interventional when background data is given, else tree path-dependent.
    #[default]
    Auto,
    /// Follow the trees' training covers (no background needed).
    TreePathDependent,
    /// Replace absent features by background rows and average (needs background data).
    Interventional,
}

/// Options of [`tree_shap`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TreeShapParams {
    /// How absent features are integrated out.
    pub feature_perturbation: FeaturePerturbation,
    /// One name per feature (default `Feature 0`, `Feature 1`, ...).
    pub feature_names: Option<Vec<String>>,
    /// One name per raw output (default `Output 0`, ...).
    pub output_names: Option<Vec<String>>,
}

impl TreeShapParams {
    /// Check the names against the model and resolve `auto`.
    pub fn check(
        &self,
        model: &TreeEnsemble,
        has_background: bool,
    ) -> Result<(FeaturePerturbation, Vec<String>, Vec<String>)> {
        let names = |given: &Option<Vec<String>>, n: usize, what: &str, stem: &str| match given {
            Some(v) if v.len() != n => Err(Error::invalid(
                format!("{what}_names"),
                format!("expected {n} names (one per {what}), found {}", v.len()),
            )),
            Some(v) => Ok(v.clone()),
            None => Ok((0..n).map(|i| format!("{stem} {i}")).collect()),
        };
        let features = names(&self.feature_names, model.n_features, "feature", "Feature")?;
        let outputs = names(&self.output_names, model.n_raw_outputs, "output", "Output")?;
        let how = match (self.feature_perturbation, has_background) {
            (FeaturePerturbation::Auto, true) => FeaturePerturbation::Interventional,
            (FeaturePerturbation::Auto, false) => FeaturePerturbation::TreePathDependent,
            (FeaturePerturbation::Interventional, false) => {
                return Err(Error::invalid(
                    "data",
                    "feature_perturbation=\"interventional\" needs background data; pass a \
                     background sample (e.g. 100 training rows) or use \
                     feature_perturbation=\"tree_path_dependent\"",
                ))
            }
            (how, _) => how,
        };
        Ok((how, features, outputs))
    }
}

/// SHAP values of the ensemble's raw output for every row of `x`, path-dependent or
/// interventional (against `background`) as `params` says. Trees are walked, never called:
/// `model_calls` is 0.
pub fn tree_shap(
    model: &TreeEnsemble,
    x: ArrayView2<'_, f64>,
    background: Option<ArrayView2<'_, f64>>,
    params: &TreeShapParams,
) -> Result<ExplanationReport> {
    let (how, feature_names, output_names) = params.check(model, background.is_some())?;
    check_input("X", x, model.n_features)?;
    if let Some(bg) = background {
        check_input("data", bg, model.n_features)?;
    }
    let bg_rows = background.map_or(0, |bg| bg.nrows());
    let (values, base, method, rows_evaluated) = match (how, background) {
        (FeaturePerturbation::Interventional, Some(bg)) => {
            let (values, base) = interventional_values(model, x, bg)?;
            let pairs = (x.nrows() * bg.nrows()) as u64;
            (values, base, "tree_interventional", pairs)
        }
        _ => {
            let prepared = path_prepared(model, background)?;
            let values = path_dependent(&prepared, x);
            let base = prepared.expected_value();
            (values, base, "tree_path_dependent", x.nrows() as u64)
        }
    };
    let params_json = serde_json::json!({
        "feature_perturbation": method.trim_start_matches("tree_"),
        "model_output": "raw",
        "background_rows": bg_rows,
        "n_trees": model.trees.len(),
    });
    let parts = ReportParts {
        method,
        feature_names,
        output_names,
        rows_evaluated,
        params: params_json,
    };
    Ok(report(model, x, &values, &base, parts))
}

/// The expected raw output per output (cover-weighted leaf means + `base_score`): the base
/// value of path-dependent TreeSHAP.
pub fn expected_value(model: &TreeEnsemble) -> Result<Vec<f64>> {
    Ok(Prepared::new(model, false)?.expected_value())
}

/// The base value [`tree_shap`] uses with these arguments (SHAP's `expected_value`): the mean
/// raw output over the background (interventional) or the cover-weighted expectation
/// (path-dependent; covers recounted on the background when one is given).
pub fn tree_expected_value(
    model: &TreeEnsemble,
    background: Option<ArrayView2<'_, f64>>,
    params: &TreeShapParams,
) -> Result<Vec<f64>> {
    let (how, _, _) = params.check(model, background.is_some())?;
    if let Some(bg) = background {
        check_input("data", bg, model.n_features)?;
    }
    match (how, background) {
        (FeaturePerturbation::Interventional, Some(bg)) => background_mean(model, bg),
        _ => Ok(path_prepared(model, background)?.expected_value()),
    }
}

/// The trees of a native model, or an error naming what was passed instead.
pub fn trees_of(model: &NativeModel) -> Result<&TreeEnsemble> {
    match model {
        NativeModel::Trees(t) => Ok(t),
        NativeModel::Linear(_) => Err(Error::invalid(
            "model",
            "TreeSHAP needs a tree ensemble, found a linear model; use LinearExplainer for it",
        )),
    }
}

/// Prepared trees for path-dependent TreeSHAP: the model's covers, or (SHAP's convention when
/// background data is given) the background's counts.
fn path_prepared(
    model: &TreeEnsemble,
    background: Option<ArrayView2<'_, f64>>,
) -> Result<Prepared> {
    match background {
        Some(bg) => Prepared::new(&background_covers(model, bg)?, true),
        None => Prepared::new(model, true),
    }
}

/// The ensemble with each node's cover replaced by the number of `background` rows reaching
/// it (SHAP's path-dependent TreeSHAP with data); an empty node gets 1e-6, as in SHAP, so every
/// branch keeps a (negligible) weight.
pub fn background_covers(
    model: &TreeEnsemble,
    background: ArrayView2<'_, f64>,
) -> Result<TreeEnsemble> {
    if background.nrows() == 0 {
        return Err(Error::invalid(
            "data",
            "the background data has no rows; pass at least one background row",
        ));
    }
    let prepared = Prepared::new(model, false)?;
    let mut out = model.clone();
    let mut row = Vec::with_capacity(model.n_features);
    for (tree, p) in out.trees.iter_mut().zip(&prepared.trees) {
        tree.cover.iter_mut().for_each(|c| *c = 0.0);
        for r in background.rows() {
            prepared.row_into(r, &mut row);
            let mut node = 0usize;
            while let Some(n) = p.node(node) {
                if let Some(c) = tree.cover.get_mut(node) {
                    *c += 1.0;
                }
                if n.is_leaf() {
                    break;
                }
                let left = n.follows_left(&row, prepared.comparison);
                node = (if left { n.left } else { n.right }) as usize;
            }
        }
        tree.cover
            .iter_mut()
            .filter(|c| **c == 0.0)
            .for_each(|c| *c = 1e-6);
    }
    Ok(out)
}

/// Path-dependent SHAP interaction values, rows × features × features × outputs. With
/// background data the covers are the background's counts (as in SHAP); interventional
/// interaction values are not defined here and give an error (SHAP silently returns zeros).
pub fn tree_shap_interaction_values(
    model: &TreeEnsemble,
    x: ArrayView2<'_, f64>,
    background: Option<ArrayView2<'_, f64>>,
    params: &TreeShapParams,
) -> Result<Array4<f64>> {
    let (how, _, _) = params.check(model, background.is_some())?;
    if how == FeaturePerturbation::Interventional {
        return Err(Error::Unsupported(
            "SHAP interaction values are computed for feature_perturbation=\"tree_path_dependent\" \
             only; create the explainer with feature_perturbation=\"tree_path_dependent\" (shap \
             returns zeros for interventional interactions)"
                .into(),
        ));
    }
    check_input("X", x, model.n_features)?;
    if let Some(bg) = background {
        check_input("data", bg, model.n_features)?;
    }
    let prepared = path_prepared(model, background)?;
    let (m, k) = (prepared.n_features, prepared.n_outputs);
    let mut out = Array4::zeros((x.nrows(), m, m, k));
    let Some(flat) = out.as_slice_mut() else {
        return Err(Error::Unsupported("internal: non-contiguous output".into()));
    };
    let inv = reciprocals();
    for_each_row(
        flat,
        m * m * k,
        || Scratch::new(&prepared),
        |s, i, row_out| {
            prepared.row_into(x.row(i), &mut s.x);
            interactions_row(&prepared, &inv, s, row_out);
        },
    );
    Ok(out)
}

/// Path-dependent SHAP values, rows × features × outputs.
fn path_dependent(prepared: &Prepared, x: ArrayView2<'_, f64>) -> Array3<f64> {
    let (m, k) = (prepared.n_features, prepared.n_outputs);
    let mut out = Array3::zeros((x.nrows(), m, k));
    let inv = reciprocals();
    if let Some(flat) = out.as_slice_mut() {
        // Blocks of rows, each tree explaining the whole block while its nodes are in cache.
        for_each_row(
            flat,
            m * k * BLOCK,
            || Scratch::new(prepared),
            |s, b, phis| {
                let Scratch { x: xs, path, .. } = s;
                xs.clear();
                let rows = phis.len() / (m * k).max(1);
                (b * BLOCK..b * BLOCK + rows).for_each(|i| prepared.append_row(x.row(i), xs));
                for tree in &prepared.trees {
                    for (xr, phi) in xs.chunks(m.max(1)).zip(phis.chunks_mut(m * k)) {
                        Walk::new(prepared, tree, xr, &inv, Condition::None).run(path, phi);
                    }
                }
            },
        );
    }
    out
}

/// Rows per block of the path-dependent explanation.
const BLOCK: usize = 16;

/// One row's interaction matrix (features × features × outputs, flattened).
fn interactions_row(prepared: &Prepared, inv: &[f64], s: &mut Scratch, out: &mut [f64]) {
    let (m, k) = (prepared.n_features, prepared.n_outputs);
    let width = m * k;
    s.diag.iter_mut().for_each(|v| *v = 0.0);
    for tree in &prepared.trees {
        Walk::new(prepared, tree, &s.x, inv, Condition::None).run(&mut s.path, &mut s.diag);
        for &j in &tree.features {
            s.on.iter_mut().for_each(|v| *v = 0.0);
            s.off.iter_mut().for_each(|v| *v = 0.0);
            Walk::new(prepared, tree, &s.x, inv, Condition::On(j)).run(&mut s.path, &mut s.on);
            Walk::new(prepared, tree, &s.x, inv, Condition::Off(j)).run(&mut s.path, &mut s.off);
            let block = out.iter_mut().skip(j as usize * width).take(width);
            for (((o, d), on), off) in block.zip(s.diag.iter_mut()).zip(&s.on).zip(&s.off) {
                let v = (on - off) / 2.0;
                *o += v;
                *d -= v;
            }
        }
    }
    for j in 0..m {
        for c in 0..k {
            let d = s.diag.get(j * k + c).copied().unwrap_or(0.0);
            if let Some(o) = out.get_mut(j * width + j * k + c) {
                *o = d;
            }
        }
    }
}

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

use ndarray::{Array3, Array4, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::explain::tree_interventional::{background_mean, interventional_values};
use crate::explain::tree_walk::{
    check_input, for_each_row, report, Prepared, PreparedTree, ReportParts, MAX_DEPTH,
};
use crate::model::{Comparison, NativeModel, TreeEnsemble};
use crate::report::ExplanationReport;

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

/// `1/i` for `i` in `0..=MAX_DEPTH + 2` (`1/0` stored as 0, never read).
fn reciprocals() -> Vec<f64> {
    (0..MAX_DEPTH + 3)
        .map(|i| if i == 0 { 0.0 } else { 1.0 / i as f64 })
        .collect()
}

/// Per-worker buffers.
#[derive(Debug)]
struct Scratch {
    x: Vec<f64>,
    path: Path,
    diag: Vec<f64>,
    on: Vec<f64>,
    off: Vec<f64>,
}

impl Scratch {
    fn new(p: &Prepared) -> Self {
        let width = p.n_features * p.n_outputs;
        let cap = (p.max_depth + 2) * (p.max_depth + 3) / 2;
        Scratch {
            x: Vec::with_capacity(p.n_features),
            path: Path::with_capacity(cap),
            diag: vec![0.0; width],
            on: vec![0.0; width],
            off: vec![0.0; width],
        }
    }
}

/// One element of a unique path: a feature with its zero and one fractions, and the
/// permutation weight of the subsets of size equal to its position.
#[derive(Debug, Clone, Copy)]
struct Element {
    weight: f64,
    zero: f64,
    one: f64,
    feature: u32,
}

/// The stack of unique paths of the recursion. Each recursion level owns its tail segment: a
/// copy of its parent's path, possibly extended by one feature.
#[derive(Debug, Default)]
struct Path {
    el: Vec<Element>,
}

/// Feature index of the path's root element (no feature).
const ROOT: u32 = u32::MAX;

impl Path {
    fn with_capacity(n: usize) -> Self {
        Path {
            el: Vec::with_capacity(n),
        }
    }

    fn len(&self) -> usize {
        self.el.len()
    }

    fn segment(&self, start: usize) -> &[Element] {
        self.el.get(start..).unwrap_or(&[])
    }

    /// Start a new segment as a copy of the one starting at `parent`.
    fn copy_segment(&mut self, parent: usize) {
        self.el.extend_from_within(parent..);
    }

    fn truncate(&mut self, len: usize) {
        self.el.truncate(len);
    }

    /// EXTEND: add `feature` with fractions (`zero`, `one`) to the segment at `start` and
    /// update the weights of every subset size.
    fn extend(&mut self, start: usize, zero: f64, one: f64, feature: u32, inv: &[f64]) {
        let d = self.len() - start;
        let weight = if d == 0 { 1.0 } else { 0.0 };
        self.el.push(Element {
            weight,
            zero,
            one,
            feature,
        });
        if d == 0 {
            return;
        }
        let scale = inv.get(d + 1).copied().unwrap_or(0.0);
        let (mut prev, mut i, df) = (0.0, 0.0, d as f64);
        for e in self.el.iter_mut().skip(start) {
            let cur = e.weight;
            e.weight = (zero * cur * (df - i) + one * prev * i) * scale;
            prev = cur;
            i += 1.0;
        }
    }

    /// UNWIND: remove element `index` (≥ 1) of the segment at `start`, undoing its EXTEND.
    fn unwind(&mut self, start: usize, index: usize) {
        let seg = self.el.get_mut(start..).unwrap_or_default();
        let Some(gone) = seg.get(index).copied() else {
            return;
        };
        let d = seg.len() - 1;
        let (one, zero) = (gone.one, gone.zero);
        let mut next = seg.last().map_or(0.0, |e| e.weight);
        let dp1 = (d + 1) as f64;
        for (i, e) in seg.iter_mut().take(d).enumerate().rev() {
            if one != 0.0 {
                let tmp = e.weight;
                e.weight = next * dp1 / ((i + 1) as f64 * one);
                next = tmp - e.weight * zero * (d - i) as f64 / dp1;
            } else {
                e.weight = e.weight * dp1 / (zero * (d - i) as f64);
            }
        }
        // Shift the later elements' features and fractions down; the weights stay in place.
        for i in index..d {
            if let Some(&later) = seg.get(i + 1) {
                if let Some(e) = seg.get_mut(i) {
                    (e.feature, e.zero, e.one) = (later.feature, later.zero, later.one);
                }
            }
        }
        self.el.pop();
    }
}

/// Conditioning of the interaction algorithm on one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    None,
    /// The feature is always in the coalition.
    On(u32),
    /// The feature is never in the coalition.
    Off(u32),
}

impl Condition {
    fn is(self, feature: u32) -> bool {
        matches!(self, Condition::On(f) | Condition::Off(f) if f == feature)
    }
}

/// One tree explained for one row.
#[derive(Debug)]
struct Walk<'a> {
    tree: &'a PreparedTree,
    x: &'a [f64],
    inv: &'a [f64],
    comparison: Comparison,
    n_outputs: usize,
    condition: Condition,
}

impl<'a> Walk<'a> {
    fn new(
        p: &Prepared,
        tree: &'a PreparedTree,
        x: &'a [f64],
        inv: &'a [f64],
        condition: Condition,
    ) -> Self {
        Walk {
            tree,
            x,
            inv,
            comparison: p.comparison,
            n_outputs: p.n_outputs,
            condition,
        }
    }

    /// Add this tree's values to `phi` (features × outputs).
    fn run(&self, path: &mut Path, phi: &mut [f64]) {
        path.truncate(0);
        self.recurse(0, path, 0, 1.0, 1.0, ROOT, 1.0, phi);
    }

    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &self,
        node: usize,
        path: &mut Path,
        parent: usize,
        zero: f64,
        one: f64,
        feature: u32,
        fraction: f64,
        phi: &mut [f64],
    ) {
        if fraction == 0.0 {
            return;
        }
        let Some(n) = self.tree.node(node) else {
            return;
        };
        let start = path.len();
        path.copy_segment(parent);
        if !self.condition.is(feature) {
            path.extend(start, zero, one, feature, self.inv);
        }
        if n.is_leaf() {
            self.leaf(node, path, start, fraction, phi);
            path.truncate(start);
            return;
        }
        let goes_left = n.follows_left(self.x, self.comparison);
        let (hot, cold, z_hot, z_cold) = if goes_left {
            (n.left, n.right, n.z_left, n.z_right)
        } else {
            (n.right, n.left, n.z_right, n.z_left)
        };
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        let seen = path.segment(start).iter().enumerate().skip(1);
        if let Some((i, e)) = seen.clone().find(|(_, e)| e.feature == n.feature) {
            (in_zero, in_one) = (e.zero, e.one);
            path.unwind(start, i);
        }
        let (hot_fraction, cold_fraction) = match self.condition {
            Condition::On(f) if f == n.feature => (fraction, 0.0),
            Condition::Off(f) if f == n.feature => (fraction * z_hot, fraction * z_cold),
            _ => (fraction, fraction),
        };
        let (f, h, c) = (n.feature, hot as usize, cold as usize);
        self.recurse(
            h,
            path,
            start,
            z_hot * in_zero,
            in_one,
            f,
            hot_fraction,
            phi,
        );
        self.recurse(c, path, start, z_cold * in_zero, 0.0, f, cold_fraction, phi);
        path.truncate(start);
    }

    /// Credit the leaf's value to every feature of the path (segment at `start`).
    fn leaf(&self, node: usize, path: &Path, start: usize, fraction: f64, phi: &mut [f64]) {
        let seg = path.segment(start);
        let Some((last, rest)) = seg.split_last() else {
            return;
        };
        let d = rest.len();
        let Some(inv) = self.inv.get(1..=d).filter(|_| d > 0) else {
            return;
        };
        let w_last = last.weight;
        let values = self.tree.leaf_values(node);
        let (n_outputs, output) = (self.n_outputs, self.tree.output);
        let mut credit = |f: u32, scale: f64| {
            let slots = phi.iter_mut().skip(f as usize * n_outputs + output);
            slots
                .zip(values)
                .for_each(|(p, v)| *p += scale * fraction * v);
        };
        // Elements with one = 0 all get −(d+1)·Σ_{i<d} w_i/(d−i) (their zero fraction cancels).
        let mut cold: Option<f64> = None;
        // Elements with one = 1, four at a time (independent recurrences, run interleaved).
        let mut lanes = Lanes::default();
        for e in seg.iter().skip(1) {
            let (f, z, o) = (e.feature, e.zero, e.one);
            if o == 0.0 {
                let c = *cold.get_or_insert_with(|| {
                    let k = inv.iter().rev();
                    -(d as f64 + 1.0) * rest.iter().zip(k).map(|(e, k)| e.weight * k).sum::<f64>()
                });
                credit(f, c);
            } else if o == 1.0 {
                if lanes.push(f, z) {
                    lanes.flush(rest, w_last, inv, &mut credit);
                }
            } else {
                credit(f, unwound_sum_general(rest, w_last, z, o) * (o - z));
            }
        }
        lanes.flush(rest, w_last, inv, &mut credit);
    }
}

/// Up to four path elements with one fraction 1 waiting for their UNWOUND-SUM.
#[derive(Debug, Default)]
struct Lanes {
    feature: [u32; 4],
    zero: [f64; 4],
    len: usize,
}

impl Lanes {
    /// Queue an element; true when the four lanes are full.
    fn push(&mut self, feature: u32, zero: f64) -> bool {
        if let (Some(f), Some(z)) = (self.feature.get_mut(self.len), self.zero.get_mut(self.len)) {
            *f = feature;
            *z = zero;
            self.len += 1;
        }
        self.len == 4
    }

    /// UNWOUND-SUM of the queued elements (the total weight of the path's subsets without
    /// each), credited with `(1 − zero) · sum`. `rest` holds the elements before the last (the
    /// weights of subset sizes `0..d`), `inv` holds `1/1 ..= 1/d`.
    fn flush(
        &mut self,
        rest: &[Element],
        w_last: f64,
        inv: &[f64],
        credit: &mut impl FnMut(u32, f64),
    ) {
        if self.len == 0 {
            return;
        }
        let mut next = [w_last; 4];
        let mut total = [0.0; 4];
        let mut k = 1.0; // d - i, for i from d-1 down to 0
        for (e, inv_i1) in rest.iter().rev().zip(inv.iter().rev()) {
            let wi = e.weight;
            let lanes = next.iter_mut().zip(total.iter_mut()).zip(self.zero);
            for ((n, t), z) in lanes {
                let tmp = *n * inv_i1;
                *t += tmp;
                *n = wi - tmp * z * k;
            }
            k += 1.0;
        }
        let scale = (rest.len() + 1) as f64;
        let done = self.feature.iter().zip(self.zero).zip(total).take(self.len);
        for ((&f, z), t) in done {
            credit(f, t * scale * (1.0 - z));
        }
        self.len = 0;
    }
}

/// UNWOUND-SUM for an element with any non-zero one fraction (scalar, the paper's form).
fn unwound_sum_general(rest: &[Element], w_last: f64, zero: f64, one: f64) -> f64 {
    let d = rest.len();
    let mut next = w_last;
    let mut total = 0.0;
    for (i, e) in rest.iter().enumerate().rev() {
        let tmp = next / ((i + 1) as f64 * one);
        total += tmp;
        next = e.weight - tmp * zero * (d - i) as f64;
    }
    total * (d + 1) as f64
}

#[cfg(test)]
mod tests;

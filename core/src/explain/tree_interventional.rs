//! Interventional TreeSHAP (SHAP's `feature_perturbation="interventional"`; Lundberg et al.
//! 2020, "Independent Tree SHAP"): the exact Shapley values of the game
//! `v(S) = f(x_S, r_{S̄})` for each background row `r`, averaged over the background.
//!
//! For one pair (x, r) and one tree, a feature matters only where x and r take different
//! branches. The recursion follows the common branch when they agree and both branches when
//! they first differ on a feature, assigning that feature to x (x's branch) or to r (r's
//! branch); deeper splits on an assigned feature follow its owner. A leaf reached with `m` of
//! its `n` assigned features from x is the model's value exactly for coalitions holding those
//! `m` and none of the other `n − m`, so each of the `m` gains `v · (m−1)!(n−m)!/n!` and each of
//! the others loses `v · m!(n−m−1)!/n!`. Sums of these are passed up the tree and credited at
//! the split where each feature was assigned, so one pair costs one walk over the visited
//! nodes. The base value is the mean raw output over the background; the values of a row sum to
//! `f(x)` minus it.

use ndarray::{Array2, Array3, ArrayView2, Axis};

use crate::error::{Error, Result};
use crate::explain::tree_walk::{for_each_row, Prepared, PreparedTree, MAX_DEPTH};
use crate::model::{Comparison, TreeEnsemble};

/// Interventional values (rows × features × outputs) and the base value per output.
pub(crate) fn interventional_values(
    model: &TreeEnsemble,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<(Array3<f64>, Vec<f64>)> {
    let n_bg = background.nrows();
    if n_bg == 0 {
        return Err(Error::invalid(
            "data",
            "the background data has no rows; pass at least one background row",
        ));
    }
    let prepared = Prepared::new(model, false)?;
    let (m, k) = (prepared.n_features, prepared.n_outputs);
    let coef = shapley_weights(prepared.max_depth.min(MAX_DEPTH));
    let mut bg = Vec::with_capacity(n_bg);
    for row in background.rows() {
        let mut r = Vec::new();
        prepared.row_into(row, &mut r);
        bg.push(r);
    }
    let mut values = Array3::zeros((x.nrows(), m, k));
    if let Some(flat) = values.as_slice_mut() {
        let scale = 1.0 / n_bg as f64;
        for_each_row(
            flat,
            m * k,
            || (Vec::with_capacity(m), vec![0i8; m]),
            |(xs, side), i, phi| {
                prepared.row_into(x.row(i), xs);
                for tree in &prepared.trees {
                    for r in &bg {
                        for c in 0..tree.n_values {
                            let pair = Pair {
                                tree,
                                x: xs,
                                r,
                                comparison: prepared.comparison,
                                coef: &coef,
                                slot: tree.output + c,
                                value: c,
                                n_outputs: k,
                            };
                            pair.walk(0, side, 0, 0, phi);
                        }
                    }
                }
                phi.iter_mut().for_each(|v| *v *= scale);
            },
        );
    }
    Ok((values, background_mean(model, background)?))
}

/// The mean raw output over the background: the interventional base value.
pub(crate) fn background_mean(
    model: &TreeEnsemble,
    background: ArrayView2<'_, f64>,
) -> Result<Vec<f64>> {
    let raw: Array2<f64> = model.predict_raw(background);
    raw.mean_axis(Axis(0)).map(|b| b.to_vec()).ok_or_else(|| {
        Error::invalid(
            "data",
            "the background data has no rows; pass at least one background row",
        )
    })
}

/// `coef[n][s] = s!(n−s−1)!/n!` for `0 ≤ s < n ≤ depth`, the Shapley weight of a coalition of
/// size `s` among `n` players for a player outside it.
fn shapley_weights(depth: usize) -> Vec<Vec<f64>> {
    (0..=depth)
        .map(|n| {
            // s!(n-s-1)!/n! = 1/(n·C(n-1, s)), built up from C(n-1, 0) = 1.
            let mut binom = 1.0;
            (0..n)
                .map(|s| {
                    if s > 0 {
                        binom = binom * (n - s) as f64 / s as f64;
                    }
                    1.0 / (n as f64 * binom)
                })
                .collect()
        })
        .collect()
}

/// One (x, background row) pair and one output of one tree.
#[derive(Debug)]
struct Pair<'a> {
    tree: &'a PreparedTree,
    x: &'a [f64],
    r: &'a [f64],
    comparison: Comparison,
    coef: &'a [Vec<f64>],
    /// Index of the output in `phi`'s rows.
    slot: usize,
    /// Index of the value in the tree's node values.
    value: usize,
    n_outputs: usize,
}

impl Pair<'_> {
    /// Walk from `node` with `m` of `n` assigned features taken from x (`side[f]`: 1 from x,
    /// -1 from r, 0 unassigned). Returns (Σ gains of x's features, Σ losses of r's features)
    /// over the leaves below; credits features assigned below to `phi`.
    fn walk(
        &self,
        node: usize,
        side: &mut [i8],
        m: usize,
        n: usize,
        phi: &mut [f64],
    ) -> (f64, f64) {
        let Some(nd) = self.tree.node(node) else {
            return (0.0, 0.0);
        };
        if nd.is_leaf() {
            if n == 0 {
                return (0.0, 0.0);
            }
            let v = self
                .tree
                .leaf_values(node)
                .get(self.value)
                .copied()
                .unwrap_or(0.0);
            let weights = self.coef.get(n).map(Vec::as_slice).unwrap_or(&[]);
            let gain = if m > 0 {
                v * weights.get(m - 1).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            let loss = if m < n {
                -v * weights.get(m).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            return (gain, loss);
        }
        let f = nd.feature as usize;
        let child = |left: bool| (if left { nd.left } else { nd.right }) as usize;
        let x_left = nd.follows_left(self.x, self.comparison);
        let r_left = nd.follows_left(self.r, self.comparison);
        match side.get(f).copied().unwrap_or(0) {
            1 => return self.walk(child(x_left), side, m, n, phi),
            -1 => return self.walk(child(r_left), side, m, n, phi),
            _ if x_left == r_left => return self.walk(child(x_left), side, m, n, phi),
            _ => {}
        }
        let set = |side: &mut [i8], s: i8| {
            if let Some(slot) = side.get_mut(f) {
                *slot = s;
            }
        };
        set(side, 1);
        let (gain_x, loss_x) = self.walk(child(x_left), side, m + 1, n + 1, phi);
        set(side, -1);
        let (gain_r, loss_r) = self.walk(child(r_left), side, m, n + 1, phi);
        set(side, 0);
        if let Some(p) = phi.get_mut(f * self.n_outputs + self.slot) {
            *p += gain_x + loss_r;
        }
        (gain_x + gain_r, loss_x + loss_r)
    }
}

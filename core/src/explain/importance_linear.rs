//! Permuted scores of a native linear model for permutation importance, without model calls.
//!
//! A linear model's scores are `η = x · coefᵀ + intercept`, so permuting the columns `G` of
//! row `i` (taking them from row `π(i)`) moves score `k` by `Σ_{c∈G} coef[k, c] ·
//! (x[π(i), c] − x[i, c])`: `O(rows · |G| · scores)` per repeat instead of a full
//! prediction. The baseline and every permuted output start from the same `η` (computed once
//! by [`LinearModel::decision_function`]), so a column with coefficient 0 shifts nothing and
//! its importance is exactly 0; the link and the scorer are then applied as `predict` would.
//! The sums differ from a fresh `predict` on the permuted rows only by rounding.
//!
//! That rounding can split scores `predict` would tie (rows equal but for the permuted
//! column), which moves a ranking or a label: so for every scorer but the regression ones and
//! log loss, each permuted row's scores are recomputed with `decision_function`'s own dot
//! product (`O(rows · columns · scores)` per repeat, still no model call), bit-identical to
//! `predict` on the permuted rows.

use ndarray::{Array2, ArrayView2};

use crate::error::Result;
use crate::explain::batches;
use crate::explain::scoring::PreparedScorer;
use crate::math::apply_link;
use crate::model::LinearModel;

/// The unpermuted scores of the rows, kept for every permuted block.
#[derive(Debug)]
pub(crate) struct Shifted<'m, 'x> {
    model: &'m LinearModel,
    x: ArrayView2<'x, f64>,
    eta: Array2<f64>,
    /// Recompute permuted rows' scores exactly (tie-sensitive scorers) instead of shifting.
    exact: bool,
}

impl<'m, 'x> Shifted<'m, 'x> {
    /// Score every row once; `exact`: recompute permuted rows as `predict` would (see the
    /// module notes). `None` when the exact recomputation cannot reproduce `predict`'s sums
    /// (rows or coefficients not contiguous): then the model is called.
    pub(crate) fn new(model: &'m LinearModel, x: ArrayView2<'x, f64>, exact: bool) -> Option<Self> {
        let contiguous = x.nrows() == 0 || x.row(0).as_slice().is_some();
        if exact && !(contiguous && model.coef.is_standard_layout()) {
            return None;
        }
        Some(Shifted {
            model,
            x,
            eta: model.decision_function(x),
            exact,
        })
    }

    /// The model's outputs on the unpermuted rows (equal to `predict`'s).
    pub(crate) fn baseline(&self) -> Array2<f64> {
        apply_link(self.model.link, self.eta.clone())
    }

    /// Write into `out` the scores with the columns of `group` of row `i` taken from row
    /// `perm[i]`.
    fn shift_into(&self, group: &[usize], perm: &[usize], out: &mut Array2<f64>) {
        if self.exact {
            self.recompute_into(group, perm, out);
            return;
        }
        out.assign(&self.eta);
        for c in group {
            let col = self.x.column(*c);
            for (k, mut scores) in out.columns_mut().into_iter().enumerate() {
                let w = self.model.coef.get((k, *c)).copied().unwrap_or(0.0);
                if w == 0.0 {
                    continue;
                }
                for ((s, own), from) in scores.iter_mut().zip(col.iter()).zip(perm) {
                    let moved = col.get(*from).copied().unwrap_or(*own);
                    *s += w * (moved - own);
                }
            }
        }
    }

    /// `decision_function` of the permuted rows, summed exactly as it sums (the same 1-D dot
    /// of a contiguous row with a contiguous coefficient row); rows the permutation leaves
    /// unchanged keep their score.
    fn recompute_into(&self, group: &[usize], perm: &[usize], out: &mut Array2<f64>) {
        out.assign(&self.eta);
        let mut buf = vec![0.0; self.x.ncols()];
        for ((i, row), mut scores) in self.x.outer_iter().enumerate().zip(out.outer_iter_mut()) {
            let from = perm.get(i).copied().unwrap_or(i);
            if from == i {
                continue;
            }
            buf.iter_mut().zip(row.iter()).for_each(|(b, v)| *b = *v);
            let mut moved = false;
            for c in group {
                if let (Some(b), Some(v)) = (buf.get_mut(*c), self.x.get((from, *c))) {
                    moved |= *b != *v;
                    *b = *v;
                }
            }
            if !moved {
                continue;
            }
            let view = ndarray::ArrayView1::from(&buf[..]);
            for ((s, w), b) in scores
                .iter_mut()
                .zip(self.model.coef.outer_iter())
                .zip(self.model.intercept.iter())
            {
                *s = view.dot(&w) + b;
            }
        }
    }

    /// The scores of every `(group, repeat)` block, in order, spread over the threads.
    pub(crate) fn scores(
        &self,
        blocks: &[(usize, usize)],
        groups: &[Vec<usize>],
        perms: &[Vec<usize>],
        scorer: &PreparedScorer<'_>,
    ) -> Result<Vec<f64>> {
        batches::run(
            blocks,
            || Array2::<f64>::zeros(self.eta.dim()),
            |scratch, (g, r)| {
                let (Some(group), Some(perm)) = (groups.get(*g), perms.get(*r)) else {
                    return Ok(f64::NAN);
                };
                self.shift_into(group, perm, scratch);
                let out = apply_link(self.model.link, scratch.clone());
                scorer.score(out.view())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::scoring::{ScorerSpec, Target};
    use crate::model::{Link, Model};
    use ndarray::{array, Array1};

    #[test]
    fn shifted_scores_equal_predict_on_the_permuted_rows() {
        let x = Array2::from_shape_fn((30, 4), |(i, j)| ((i * 5 + j * 7) % 13) as f64 * 0.37 - 2.0);
        let perm: Vec<usize> = (0..30).map(|i| (i * 7 + 3) % 30).collect();
        for link in [Link::Identity, Link::Logistic, Link::Softmax] {
            let coef = match link {
                Link::Logistic => array![[0.5, -1.0, 0.0, 2.0]],
                _ => array![[0.5, -1.0, 0.0, 2.0], [1.5, 0.25, -0.5, 0.0]],
            };
            let intercept = Array1::from_elem(coef.nrows(), 0.3);
            let m = LinearModel::new(coef, intercept, link).unwrap();
            let shifted = Shifted::new(&m, x.view(), false).unwrap();
            let exact = Shifted::new(&m, x.view(), true).unwrap();
            assert_eq!(shifted.baseline(), m.predict(x.view()).unwrap());
            for group in [vec![0], vec![2], vec![1, 3]] {
                let mut moved = x.clone();
                for (i, from) in perm.iter().enumerate() {
                    for c in &group {
                        moved[[i, *c]] = x[[*from, *c]];
                    }
                }
                let want = m.predict(moved.view()).unwrap();
                let mut eta = Array2::zeros(shifted.eta.dim());
                shifted.shift_into(&group, &perm, &mut eta);
                let got = apply_link(link, eta);
                for (a, b) in got.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-12, "{link:?} {group:?}: {a} vs {b}");
                }
                // Recomputed: bit for bit.
                let mut eta = Array2::zeros(exact.eta.dim());
                exact.shift_into(&group, &perm, &mut eta);
                assert_eq!(apply_link(link, eta), want, "{link:?} {group:?}");
            }
        }
        // A zero coefficient leaves every score bit-identical.
        let m =
            LinearModel::new(array![[1.0, 0.0, 2.0, -1.0]], array![0.0], Link::Identity).unwrap();
        let shifted = Shifted::new(&m, x.view(), false).unwrap();
        let y: Array1<f64> = x.column(0).to_owned();
        let target = Target {
            y_true: y.view(),
            sample_weight: None,
            sensitive: vec![],
        };
        let scorer = PreparedScorer::new(&ScorerSpec::default(), target, 1).unwrap();
        let base = scorer.score(shifted.baseline().view()).unwrap();
        let s = shifted
            .scores(&[(0, 0), (1, 0)], &[vec![0], vec![1]], &[perm], &scorer)
            .unwrap();
        assert_eq!(s[1], base);
        assert_ne!(s[0], base);
        // Rows not contiguous: no exact recomputation (the model is called instead).
        let wide = Array2::from_shape_fn((30, 8), |(i, j)| (i + j) as f64);
        let strided = wide.slice(ndarray::s![.., ..;2]);
        assert!(Shifted::new(&m, strided, true).is_none());
        assert!(Shifted::new(&m, strided, false).is_some());
    }
}

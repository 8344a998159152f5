//! Linear SHAP in closed form (SHAP's `LinearExplainer`, interventional): for a linear score
//! `s_k(x) = coef_k · x + intercept_k`, `φ_ijk = coef_kj (x_ij − mean_j)` where `mean` is the
//! background mean, and the base value is the score at the mean, `coef_k · mean + intercept_k`.
//!
//! It explains the linear score (identity link): the regression output, the decision function
//! or the log-odds of a logistic model (one output per row of `coef`), as SHAP does. No model
//! calls are made.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::explain::masker::{
    additivity_residual, check_inputs, mean_rows, names, select_background, MaskerOptions,
};
use crate::model::LinearModel;
use crate::report::{ExplanationReport, Num, SCHEMA_VERSION};

/// Options of [`linear_shap`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearShapOptions {
    /// Background handling (names, `max_background`).
    pub masker: MaskerOptions,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Interventional linear SHAP values of `model`'s scores for the rows of `x`.
#[inline]
pub fn linear_shap(
    model: &LinearModel,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
    options: &LinearShapOptions,
) -> Result<ExplanationReport> {
    check_inputs(model, x, background)?;
    let given = background.nrows();
    let (bg, indices) = select_background(background, &options.masker)?;
    let mean = mean_rows(bg.view());
    let (n, m, k) = (x.nrows(), x.ncols(), model.coef.nrows());
    let mut values = Vec::with_capacity(n * m * k);
    for row in x.rows() {
        for (j, (xv, mu)) in row.iter().zip(mean.iter()).enumerate() {
            values.extend(model.coef.column(j).iter().map(|c| c * (xv - mu)));
        }
    }
    let base_one = model.decision_function(mean.view().insert_axis(Axis(0)));
    let base: Vec<f64> = (0..n).flat_map(|_| base_one.iter().copied()).collect();
    let scores: Array2<f64> = model.decision_function(x);
    let residual = additivity_residual(&values, &base, scores.view(), m);
    let mut params = serde_json::Map::new();
    params.insert("method".into(), "linear".into());
    params.insert("link".into(), "identity".into());
    params.insert("background_rows".into(), bg.nrows().into());
    params.insert("background_rows_given".into(), given.into());
    params.insert(
        "max_background".into(),
        options.masker.max_background.into(),
    );
    if let Some(idx) = indices {
        params.insert(
            "background_random_state".into(),
            options.masker.background_random_state.into(),
        );
        params.insert("background_indices".into(), idx.into());
    }
    Ok(ExplanationReport {
        schema_version: SCHEMA_VERSION,
        kind: "explanation".into(),
        method: "linear".into(),
        shape: [n, m, k],
        values: values.into_iter().map(Num).collect(),
        base_values: base.into_iter().map(Num).collect(),
        feature_names: names(&options.masker.feature_names, m, "Feature"),
        output_names: names(&options.masker.output_names, k, "Output"),
        additivity_residual: residual.into_iter().map(Num).collect(),
        model_calls: 0,
        rows_evaluated: 0,
        params: serde_json::Value::Object(params),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::exact::{exact_shapley, ExactOptions};
    use crate::model::Link;
    use ndarray::array;

    #[test]
    fn equals_exact_on_the_score() {
        let m = LinearModel::new(
            array![[1.0, -2.0, 0.5], [0.3, 0.0, 1.0]],
            array![3.0, 1.0],
            Link::Identity,
        )
        .unwrap();
        let bg = array![[0.0, 1.0, 2.0], [2.0, 3.0, 2.0], [1.0, 0.0, 2.5]];
        let x = array![[1.0, 1.0, 5.0], [4.0, -1.0, 2.0]];
        let lin = linear_shap(&m, x.view(), bg.view(), &LinearShapOptions::default()).unwrap();
        let ex = exact_shapley(&m, x.view(), bg.view(), &ExactOptions::default()).unwrap();
        assert_eq!(lin.shape, ex.shape);
        for (a, b) in lin.values.iter().zip(&ex.values) {
            assert!((a.0 - b.0).abs() < 1e-12);
        }
        for (a, b) in lin.base_values.iter().zip(&ex.base_values) {
            assert!((a.0 - b.0).abs() < 1e-12);
        }
        assert_eq!(lin.model_calls, 0);
    }
}

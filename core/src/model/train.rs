//! Training a model from data with smartcore (feature `train`), for callers who hold data but
//! no model — the dashboard's "no model at hand" path. A logistic regression becomes a native
//! linear model (its JSON loads anywhere); a random forest stays a smartcore forest behind the
//! [`Model`] trait (smartcore keeps its trees private, so they cannot be converted), predicting
//! the class label. Seeded: the same data and `random_state` give the same forest. smartcore's
//! own maths (`f64::exp` in its optimiser) is not routed through libm, so a fitted model's last
//! bits may differ between native code and wasm32.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use crate::error::{Error, Result};
use crate::model::{LinearModel, Link, Model, NativeModel};

/// Which model to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainKind {
    /// L2-regularised logistic regression (binary or multinomial), LBFGS.
    LogisticRegression,
    /// A random forest classifier (bootstrap samples, random feature subsets).
    RandomForest,
}

/// Training options; everything but `kind` has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainOptions {
    /// The model family.
    pub kind: TrainKind,
    /// Seed of the forest's bootstrap samples and feature subsets.
    #[serde(default)]
    pub random_state: u32,
    /// Logistic regression: L2 penalty weight (smartcore's `alpha`; 0 = none).
    #[serde(default)]
    pub alpha: f64,
    /// Forest: number of trees.
    #[serde(default = "default_trees")]
    pub n_trees: u16,
    /// Forest: maximum tree depth (none = grow until pure).
    #[serde(default)]
    pub max_depth: Option<u16>,
    /// Forest: minimum rows in a leaf.
    #[serde(default = "one")]
    pub min_samples_leaf: usize,
    /// Forest: minimum rows to split a node.
    #[serde(default = "two")]
    pub min_samples_split: usize,
    /// Forest: features tried per split (default √features).
    #[serde(default)]
    pub max_features: Option<usize>,
}

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
#[inline]
fn default_trees() -> u16 {
    100
}

#[inline]
fn one() -> usize {
    1
}

#[inline]
fn two() -> usize {
    2
}

type Forest = RandomForestClassifier<f64, u32, Array2<f64>, Array1<u32>>;

/// A smartcore random forest as a core model: one output, the predicted class label (the
/// label values the forest was trained on).
#[derive(Debug)]
pub struct ForestModel {
    forest: Forest,
    labels: Vec<f64>,
    n_features: usize,
}

impl Model for ForestModel {
    fn n_features(&self) -> Option<usize> {
        Some(self.n_features)
    }

    fn n_outputs(&self) -> usize {
        1
    }

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let codes = self
            .forest
            .predict(&x.to_owned())
            .map_err(|e| Error::invalid("model", format!("the forest failed to predict: {e}")))?;
        let labels: Vec<f64> = codes
            .iter()
            .map(|c| self.labels.get(*c as usize).copied().unwrap_or(f64::NAN))
            .collect();
        Array2::from_shape_vec((x.nrows(), 1), labels)
            .map_err(|e| Error::invalid("model", e.to_string()))
    }
}

impl ForestModel {
    /// The class labels, in code order.
    #[inline]
    pub fn labels(&self) -> &[f64] {
        &self.labels
    }
}

/// A trained model.
#[derive(Debug)]
pub enum Trained {
    /// Converted into a native model (logistic regression → linear with a logistic or softmax link).
    Native(NativeModel),
    /// A forest kept as smartcore built it.
    Forest(ForestModel),
}

impl Trained {
    /// The model, for `predict` and the explainers.
    #[inline]
    pub fn as_model(&self) -> &dyn Model {
        match self {
            Trained::Native(m) => m,
            Trained::Forest(m) => m,
        }
    }
}

/// Class labels → codes 0..k (labels sorted ascending); the sorted labels.
#[inline]
fn encode(y: ArrayView1<'_, f64>) -> Result<(Array1<u32>, Vec<f64>)> {
    if let Some((i, v)) = y.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            "y",
            format!("expected finite class labels, found {v} at row {i}"),
        ));
    }
    let mut labels: Vec<f64> = y.to_vec();
    crate::math::sort_floats(&mut labels);
    labels.dedup();
    if labels.len() < 2 {
        return Err(Error::invalid(
            "y",
            format!(
                "expected at least two classes to train a classifier, found {}",
                labels.len()
            ),
        ));
    }
    let codes = y
        .iter()
        .map(|v| {
            labels
                .binary_search_by(|l| l.total_cmp(v))
                .ok()
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(0)
        })
        .collect();
    Ok((codes, labels))
}

/// Train a classifier on `x` (rows × features, finite) and labels `y`.
#[inline]
pub fn train(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    options: &TrainOptions,
) -> Result<Trained> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::invalid(
            "x",
            format!(
                "expected at least one row and one column, found shape ({}, {})",
                x.nrows(),
                x.ncols()
            ),
        ));
    }
    if x.nrows() != y.len() {
        return Err(Error::invalid(
            "y",
            format!(
                "expected {} labels (one per row of x), found {}",
                x.nrows(),
                y.len()
            ),
        ));
    }
    if let Some((i, v)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::invalid(
            "x",
            format!(
                "expected finite values to train on, found {v} at row {}, column {}; impute or drop missing values first",
                i / x.ncols(),
                i % x.ncols()
            ),
        ));
    }
    let (codes, labels) = encode(y)?;
    let xs = x.to_owned();
    match options.kind {
        TrainKind::LogisticRegression => {
            if labels.iter().enumerate().any(|(i, l)| *l != i as f64) {
                return Err(Error::invalid(
                    "y",
                    format!(
                        "a logistic regression becomes a native model whose outputs are the \
                         probabilities of classes 0..k; expected labels 0, 1, ..., found {labels:?}; \
                         recode the labels"
                    ),
                ));
            }
            let params = LogisticRegressionParameters::default().with_alpha(options.alpha);
            let fitted: LogisticRegression<f64, u32, Array2<f64>, Array1<u32>> =
                LogisticRegression::fit(&xs, &codes, params).map_err(|e| {
                    Error::invalid("x", format!("logistic regression failed to fit: {e}"))
                })?;
            let coef = fitted.coefficients().clone();
            let intercept: Array1<f64> = fitted.intercept().iter().copied().collect();
            let link = if labels.len() == 2 {
                Link::Logistic
            } else {
                Link::Softmax
            };
            Ok(Trained::Native(NativeModel::Linear(LinearModel::new(
                coef, intercept, link,
            )?)))
        }
        TrainKind::RandomForest => {
            if options.n_trees == 0 {
                return Err(Error::invalid(
                    "n_trees",
                    "expected at least one tree, found 0",
                ));
            }
            let params = RandomForestClassifierParameters {
                max_depth: options.max_depth,
                min_samples_leaf: options.min_samples_leaf.max(1),
                min_samples_split: options.min_samples_split.max(2),
                n_trees: options.n_trees,
                m: options.max_features,
                keep_samples: false,
                seed: u64::from(options.random_state),
                ..RandomForestClassifierParameters::default()
            };
            let forest = Forest::fit(&xs, &codes, params).map_err(|e| {
                Error::invalid("x", format!("the random forest failed to fit: {e}"))
            })?;
            Ok(Trained::Forest(ForestModel {
                forest,
                labels,
                n_features: x.ncols(),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn data() -> (Array2<f64>, Array1<f64>) {
        let x = Array2::from_shape_fn((60, 2), |(i, j)| {
            let t = i as f64 / 60.0;
            if j == 0 {
                t * 4.0 - 2.0
            } else {
                ((i * 7) % 11) as f64 / 11.0
            }
        });
        let y = x.column(0).mapv(|v| if v > 0.1 { 1.0 } else { 0.0 });
        (x, y)
    }

    #[test]
    fn logistic_regression_becomes_a_native_linear_model_that_separates_the_classes() {
        let (x, y) = data();
        let o: TrainOptions = serde_json::from_str(r#"{"kind":"logistic_regression"}"#).unwrap();
        let Trained::Native(NativeModel::Linear(m)) = train(x.view(), y.view(), &o).unwrap() else {
            panic!("expected a linear model");
        };
        assert_eq!(m.link, Link::Logistic);
        let p = m.predict(x.view()).unwrap();
        let correct = p
            .column(1)
            .iter()
            .zip(&y)
            .filter(|(p, y)| (**p > 0.5) == (**y > 0.5))
            .count();
        assert!(correct >= 57, "{correct}");
    }

    #[test]
    fn forest_is_seeded_and_predicts_labels() {
        let (x, y) = data();
        let y = y.mapv(|v| v * 5.0 + 1.0); // labels 1 and 6
        let o: TrainOptions =
            serde_json::from_str(r#"{"kind":"random_forest","n_trees":10,"random_state":3}"#)
                .unwrap();
        let a = train(x.view(), y.view(), &o).unwrap();
        let b = train(x.view(), y.view(), &o).unwrap();
        let (pa, pb) = (
            a.as_model().predict(x.view()).unwrap(),
            b.as_model().predict(x.view()).unwrap(),
        );
        assert_eq!(pa, pb);
        assert!(pa.iter().all(|v| *v == 1.0 || *v == 6.0));
    }

    #[test]
    fn bad_input_names_the_argument() {
        let o: TrainOptions = serde_json::from_str(r#"{"kind":"logistic_regression"}"#).unwrap();
        let e = train(array![[1.0], [2.0]].view(), array![1.0, 1.0].view(), &o).unwrap_err();
        assert!(
            e.to_string().contains("y: expected at least two classes"),
            "{e}"
        );
        let e = train(
            array![[f64::NAN], [2.0]].view(),
            array![0.0, 1.0].view(),
            &o,
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("x: expected finite values"),
            "{e}"
        );
        let e = train(array![[1.0], [2.0]].view(), array![0.0, 2.0].view(), &o).unwrap_err();
        assert!(e.to_string().contains("recode the labels"), "{e}");
    }
}

//! Unit tests of the scorers.

use super::metrics::sort_by_key;
use super::names::NAMES;
use super::*;
use ndarray::{array, Array2};

fn target(y: &ndarray::Array1<f64>) -> Target<'_> {
    Target {
        y_true: y.view(),
        sample_weight: None,
        sensitive: Vec::new(),
    }
}

fn spec(name: &str) -> ScorerSpec {
    ScorerSpec {
        scoring: name.into(),
        ..ScorerSpec::default()
    }
}

#[test]
fn radix_sort_orders_keys() {
    let mut r = crate::rng::seeded(3, 0);
    for n in [0, 5, 300, 5000] {
        let mut v: Vec<(u64, u32)> = (0..n)
            .map(|i| {
                // Few distinct high bytes (skipped passes) and many ties.
                let k = crate::rng::below(&mut r, 1 << 40) | (0xabu64 << 56);
                (if i % 3 == 0 { 7 } else { k }, i)
            })
            .collect();
        let mut want = v.clone();
        want.sort_unstable();
        sort_by_key(&mut v);
        let keys: Vec<u64> = v.iter().map(|x| x.0).collect();
        assert_eq!(keys, want.iter().map(|x| x.0).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, want);
    }
}

#[test]
fn roc_auc_on_many_rows_is_the_pairwise_probability() {
    // AUC = P(s⁺ > s⁻) + P(s⁺ = s⁻)/2 over all (positive, negative) pairs.
    let mut r = crate::rng::seeded(5, 0);
    let n = 700;
    let y: ndarray::Array1<f64> = (0..n)
        .map(|_| crate::rng::below(&mut r, 2) as f64)
        .collect();
    let s: ndarray::Array1<f64> = (0..n)
        .map(|i| (crate::rng::below(&mut r, 60) as f64 - 30.0) * 0.1 + y[i] * 0.7)
        .collect();
    let (mut hits, mut pairs) = (0.0, 0.0);
    for i in (0..n).filter(|i| y[*i] == 1.0) {
        for j in (0..n).filter(|j| y[*j] == 0.0) {
            pairs += 1.0;
            hits += if s[i] > s[j] {
                1.0
            } else if s[i] == s[j] {
                0.5
            } else {
                0.0
            };
        }
    }
    let got = roc_auc(y.view(), s.view(), None, Some(1.0));
    assert!(
        (got - hits / pairs).abs() < 1e-12,
        "{got} vs {}",
        hits / pairs
    );
}

#[test]
fn roc_auc_with_ties_matches_sklearn() {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    let y = array![0.0, 0.0, 1.0, 1.0];
    let s = PreparedScorer::new(&spec("roc_auc"), target(&y), 1).unwrap();
    let p = array![[0.1], [0.4], [0.35], [0.8]];
    assert!((s.score(p.view()).unwrap() - 0.75).abs() < 1e-15);
    // A tie between a positive and a negative counts one half.
    let p = array![[0.5], [0.1], [0.5], [0.9]];
    assert!((s.score(p.view()).unwrap() - 0.875).abs() < 1e-15);
}

#[test]
fn names_and_sign_hints() {
    assert_eq!(Scorer::from_name("r2").unwrap(), Scorer::R2);
    let e = Scorer::from_name("log_loss").unwrap_err().to_string();
    assert!(e.contains("neg_log_loss"), "{e}");
    let e = Scorer::from_name("demographic_parity_difference")
        .unwrap_err()
        .to_string();
    assert!(e.contains("neg_demographic_parity_difference"), "{e}");
    assert!(Scorer::from_name("f1_weird")
        .unwrap_err()
        .to_string()
        .contains("known scorers"));
    for (n, s) in NAMES {
        assert_eq!(s.name(), *n);
    }
    for n in [
        "neg_demographic_parity_difference",
        "equalized_odds_ratio",
        "neg_false_positive_rate_difference",
        "selection_rate_ratio",
    ] {
        assert_eq!(Scorer::from_name(n).unwrap().name(), n);
    }
    assert!(Scorer::from_name("neg_bogus_difference").is_err());
}

#[test]
fn regression_scorers() {
    let y = array![1.0, 2.0, 3.0, 4.0];
    let p = array![[1.5], [2.0], [2.0], [5.0]];
    let r2s = PreparedScorer::new(&spec("r2"), target(&y), 1).unwrap();
    // sum sq = 0.25 + 0 + 1 + 1 = 2.25; tss = 5
    assert!((r2s.score(p.view()).unwrap() - (1.0 - 2.25 / 5.0)).abs() < 1e-15);
    let mse = PreparedScorer::new(&spec("neg_mean_squared_error"), target(&y), 1).unwrap();
    assert!((mse.score(p.view()).unwrap() + 2.25 / 4.0).abs() < 1e-15);
    let mae = PreparedScorer::new(&spec("neg_mean_absolute_error"), target(&y), 1).unwrap();
    assert!((mae.score(p.view()).unwrap() + 2.5 / 4.0).abs() < 1e-15);
    assert!(PreparedScorer::new(&spec("r2"), target(&y), 2).is_err());
    let c = array![2.0, 2.0];
    let s = PreparedScorer::new(&spec("r2"), target(&c), 1).unwrap();
    assert_eq!(s.score(array![[2.0], [2.0]].view()).unwrap(), 1.0);
    assert_eq!(s.score(array![[2.0], [3.0]].view()).unwrap(), 0.0);
}

#[test]
fn classification_scorers() {
    let y = array![0.0, 0.0, 1.0, 1.0, 1.0];
    let proba: Array2<f64> = array![[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.7, 0.3], [0.0, 1.0]];
    let acc = PreparedScorer::new(&spec("accuracy"), target(&y), 2).unwrap();
    assert!((acc.score(proba.view()).unwrap() - 0.6).abs() < 1e-15);
    let bal = PreparedScorer::new(&spec("balanced_accuracy"), target(&y), 2).unwrap();
    assert!((bal.score(proba.view()).unwrap() - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-15);
    let ll = PreparedScorer::new(&spec("neg_log_loss"), target(&y), 2).unwrap();
    let expected =
        -(-(0.9f64.ln() + 0.4f64.ln() + 0.8f64.ln() + 0.3f64.ln() + (1.0 - f64::EPSILON).ln())
            / 5.0);
    assert!((ll.score(proba.view()).unwrap() - expected).abs() < 1e-15);
    let one = proba.column(1).to_owned().insert_axis(Axis(1));
    let ll1 = PreparedScorer::new(&spec("neg_log_loss"), target(&y), 1).unwrap();
    assert!((ll1.score(one.view()).unwrap() - expected).abs() < 1e-12);
    assert!(PreparedScorer::new(&spec("neg_log_loss"), target(&y), 3).is_err());
}

//! Unit tests of KernelSHAP.

use super::coalitions::next_combination;
use super::*;
use crate::explain::exact::{exact_shapley, ExactOptions};
use crate::model::{LinearModel, Link};
use ndarray::array;

#[test]
fn full_enumeration_equals_exact() {
    let m = LinearModel::new(
        array![[1.0, -2.0, 0.5, 0.3, 0.0], [0.2, 0.1, -1.0, 2.0, 1.0]],
        array![3.0, -1.0],
        Link::Softmax,
    )
    .unwrap();
    let bg = Array2::from_shape_fn((6, 5), |(i, j)| ((i * 7 + j * 3) % 5) as f64 * 0.5);
    let x = array![[1.0, 1.0, 5.0, 2.0, 0.0], [4.0, -1.0, 2.0, 0.0, 1.5]];
    let exact = exact_shapley(&m, x.view(), bg.view(), &ExactOptions::default()).unwrap();
    let opts = KernelOptions {
        nsamples: Some(1000),
        ..KernelOptions::default()
    };
    let kern = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
    for (a, b) in kern.values.iter().zip(&exact.values) {
        assert!((a.0 - b.0).abs() < 1e-12, "{} {}", a.0, b.0);
    }
}

#[test]
fn sampled_plan_is_seeded_and_additive() {
    let coef = Array2::from_shape_fn((1, 12), |(_, j)| j as f64 - 5.0);
    let m = LinearModel::new(coef, array![0.0], Link::Identity).unwrap();
    let bg = Array2::from_shape_fn((4, 12), |(i, j)| ((i + j) % 3) as f64);
    let x = Array2::from_shape_fn((2, 12), |(i, j)| (i * j) as f64 * 0.1 + 5.0);
    let opts = KernelOptions {
        nsamples: Some(100),
        random_state: 3,
        ..KernelOptions::default()
    };
    let a = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
    let b = kernel_shapley(&m, x.view(), bg.view(), &opts).unwrap();
    assert_eq!(a, b);
    assert!(a.additivity_residual.iter().all(|v| v.0.abs() < 1e-9));
    // A linear model is recovered exactly even from samples.
    let exact = exact_shapley(
        &m,
        x.view(),
        bg.view(),
        &ExactOptions {
            max_features: 12,
            ..ExactOptions::default()
        },
    )
    .unwrap();
    for (p, q) in a.values.iter().zip(&exact.values) {
        assert!((p.0 - q.0).abs() < 1e-9);
    }
}

#[test]
fn combinations_are_lexicographic() {
    let mut c = vec![0, 1];
    let mut all = vec![c.clone()];
    while next_combination(&mut c, 4) {
        all.push(c.clone());
    }
    assert_eq!(all.len(), 6);
    assert_eq!(all[5], vec![2, 3]);
}

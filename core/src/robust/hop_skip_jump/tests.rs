use super::*;
use crate::model::{LinearModel, Link};
use crate::robust::linear_attack::boundary_distance;
use crate::robust::standard_normal;
use ndarray::{array, Array2};

#[test]
fn finds_near_minimal_perturbations_of_a_linear_model() {
    let m = LinearModel::new(array![[1.0, -2.0, 0.5]], array![0.1], Link::Logistic).unwrap();
    let mut rng = seeded(3, 0);
    let x = Array2::from_shape_fn((40, 3), |_| standard_normal(&mut rng));
    let r = hop_skip_jump(&m, x.view(), None, &HsjOptions::default()).unwrap();
    assert_eq!(r.success_rate.0, 1.0);
    let exact = boundary_distance(&m, x.view(), Norm::L2).unwrap();
    for (p, e) in r.perturbation_norm.iter().zip(exact) {
        assert!(p.0 >= e - 1e-12 && p.0 <= 1.05 * e + 1e-6, "{} vs {e}", p.0);
    }
}

#[test]
fn targeted_rows_reach_their_target_class() {
    let m = LinearModel::new(
        array![[1.0, 0.0, 0.2], [0.0, 1.0, -0.3], [-1.0, -1.0, 0.1]],
        array![0.0, 0.1, 0.0],
        Link::Softmax,
    )
    .unwrap();
    let mut rng = seeded(5, 0);
    let x = Array2::from_shape_fn((30, 3), |_| standard_normal(&mut rng));
    let base = labels(&m.predict(x.view()).unwrap(), 0.5);
    let goal: Vec<usize> = base.iter().map(|c| (c + 1) % 3).collect();
    let options = HsjOptions {
        y_target: Some(goal.clone()),
        constraints: Constraints {
            immutable: vec![2],
            ..Constraints::default()
        },
        ..HsjOptions::default()
    };
    let r = hop_skip_jump(&m, x.view(), None, &options).unwrap();
    assert!(r.success_rate.0 >= 0.9, "{}", r.success_rate.0);
    let adv = Array2::from_shape_vec(x.dim(), r.x_adv.concat()).unwrap();
    let now = labels(&m.predict(adv.view()).unwrap(), 0.5);
    for i in 0..30 {
        assert_eq!(r.success[i], now[i] == goal[i], "row {i}");
        assert_eq!(adv[[i, 2]], x[[i, 2]]);
    }
    assert_eq!(r.target_label, Some(goal.clone()));
    // A row already at its target is not attacked; a target out of range is an error.
    let mut same = goal.clone();
    same[0] = base[0];
    let options = HsjOptions {
        y_target: Some(same),
        max_iter: 2,
        ..HsjOptions::default()
    };
    let r = hop_skip_jump(&m, x.view(), None, &options).unwrap();
    assert!(!r.attacked[0] && !r.success[0]);
    let options = HsjOptions {
        y_target: Some(vec![3; 30]),
        ..HsjOptions::default()
    };
    let e = hop_skip_jump(&m, x.view(), None, &options).unwrap_err();
    assert!(e.to_string().contains("expected class indices 0..3"), "{e}");
}

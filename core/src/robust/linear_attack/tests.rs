use super::*;
use ndarray::array;

#[test]
fn closed_form_lands_on_the_boundary_and_flips() {
    let m = LinearModel::new(array![[2.0, -1.0, 0.5]], array![0.3], Link::Logistic).unwrap();
    let x = array![[1.0, 0.5, -2.0], [-1.0, 2.0, 0.0], [0.2, 0.1, 0.4]];
    for norm in [Norm::L2, Norm::Linf] {
        let exact = minimal_perturbation(&m, x.view(), norm, &Constraints::default(), 0.0).unwrap();
        for row in &exact.x_adv {
            let s = 2.0 * row[0] - row[1] + 0.5 * row[2] + 0.3;
            assert!(s.abs() < 1e-12, "{s}");
        }
        let r = minimal_perturbation(&m, x.view(), norm, &Constraints::default(), 1e-9).unwrap();
        assert!(r.success.iter().all(|s| *s));
        let dist = boundary_distance(&m, x.view(), norm).unwrap();
        for (p, d) in r.perturbation_norm.iter().zip(dist) {
            assert!((p.0 - d).abs() <= 1e-8 * d.max(1.0));
        }
    }
}

#[test]
fn pgd_respects_budget_and_immutables() {
    let m = LinearModel::new(array![[2.0, -1.0]], array![0.0], Link::Logistic).unwrap();
    let x = array![[0.1, 0.0], [-0.1, 0.05]];
    let opts = GradientOptions {
        eps: 0.2,
        norm: Norm::Linf,
        constraints: Constraints {
            immutable: vec![1],
            ..Constraints::default()
        },
        ..GradientOptions::default()
    };
    let r = pgd(&m, x.view(), None, &opts).unwrap();
    assert!(r.success.iter().all(|s| *s));
    for (a, b) in r.x_adv.iter().zip(x.outer_iter()) {
        assert_eq!(a[1], b[1]);
        assert!((a[0] - b[0]).abs() <= 0.2 + 1e-12);
    }
}

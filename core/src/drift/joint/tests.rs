use super::*;
use crate::drift::ks::{ks_2samp_sorted, Alternative, KsMethod};
use crate::drift::wasserstein::{std_population, wasserstein_with_distinct};
use ndarray::Array1;

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    crate::math::sort_floats(&mut s);
    s
}

fn samples(n: usize, seed: u32) -> Vec<Vec<f64>> {
    let mut rng = crate::rng::seeded(seed, 0);
    let mut u = || crate::rng::below(&mut rng, 1_000_000) as f64 / 1e6;
    let normalish = |u: &mut dyn FnMut() -> f64| (0..12).map(|_| u()).sum::<f64>() - 6.0;
    let mut out: Vec<Vec<f64>> = vec![
        (0..n).map(|_| normalish(&mut u)).collect(),
        (0..n).map(|_| normalish(&mut u) * 1.3 + 0.2).collect(),
        // Integer-valued with many ties.
        (0..n)
            .map(|_| (normalish(&mut u) * 10.0 + 40.0).round())
            .collect(),
    ];
    // A few values only, some missing, signed zeros, wide range.
    out.push(
        (0..n)
            .map(|i| match i % 7 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                3 => f64::INFINITY,
                4 => 1e300 * u(),
                5 => -1e-300 * u(),
                _ => 3.0,
            })
            .collect(),
    );
    // Values differing only in low mantissa bits (one top bucket, one digit).
    out.push((0..n).map(|_| 1.0 + u() * 1e-12).collect());
    out
}

#[test]
fn insertion_sort_sorts_any_order() {
    let mut rng = crate::rng::seeded(3, 0);
    for len in [0, 1, 2, 3, 5, 24, 49, 300] {
        for spread in [2, 10, 1 << 40] {
            let mut a: Vec<u64> = (0..len)
                .map(|_| crate::rng::below(&mut rng, spread))
                .collect();
            let mut want = a.clone();
            want.sort_unstable();
            insertion_sort(&mut a);
            assert_eq!(a, want);
            let mut rev = want.clone();
            rev.reverse();
            insertion_sort(&mut rev);
            assert_eq!(rev, want);
        }
    }
}

#[test]
fn split_is_each_sample_sorted() {
    for n in [0, 1, 10, 3000, 50_000] {
        let s = samples(n, 5);
        for a in &s {
            for b in &s {
                let j = Joint::build(
                    Array1::from(a.clone()).view(),
                    Array1::from(b[..b.len() / 2].to_vec()).view(),
                    &mut JointScratch::default(),
                    Fold::Nothing,
                );
                let (r, c) = j.split();
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&r), bits(&sorted(a)));
                assert_eq!(bits(&c), bits(&sorted(&b[..b.len() / 2])));
                assert_eq!(j.missing_reference, a.len() - r.len());
            }
        }
    }
}

#[test]
fn statistics_equal_the_two_sample_merges() {
    let mut scratch = JointScratch::default();
    for n in [5, 3000, 40_000] {
        let s = samples(n, 9);
        for a in &s {
            for b in &s {
                let (ra, rb) = (sorted(a), sorted(b));
                let j = Joint::build(
                    Array1::from(a.clone()).view(),
                    Array1::from(b.clone()).view(),
                    &mut scratch,
                    Fold::Wasserstein,
                );
                let want = wasserstein_with_distinct(&ra, &rb).unwrap();
                let got = j.wasserstein_distinct().unwrap();
                assert_eq!(got.0.to_bits(), want.0.to_bits(), "{got:?} {want:?}");
                assert_eq!(got.1, want.1);
                // Fused only on the bucket path (at least SMALL values in all).
                let bucketed = ra.len() + rb.len() >= SMALL;
                assert_eq!(j.reference_std().is_some(), bucketed);
                let sd = j.reference_std().unwrap_or_else(|| std_finite(a));
                assert_eq!(
                    sd.to_bits(),
                    std_finite(a).to_bits(),
                    "{sd} {}",
                    std_finite(a)
                );
                let fused = j.fused_wasserstein().unwrap();
                assert_eq!(fused.0.to_bits(), want.0.to_bits(), "{fused:?} {want:?}");
                assert_eq!(fused.1, want.1);
                assert_eq!(j.distinct(), want.1);
                let (sd, want_sd) = (std_finite(a), std_population(&ra));
                let both_nan = sd.is_nan() && want_sd.is_nan(); // the 1e300s overflow
                assert!(
                    both_nan || (sd - want_sd).abs() <= 4.0 * f64::EPSILON * want_sd,
                    "{sd} {want_sd}"
                );
                let (ext, distinct) = j.ks_extremes();
                assert_eq!(distinct, want.1);
                let ks_joint = Joint::build(
                    Array1::from(a.clone()).view(),
                    Array1::from(b.clone()).view(),
                    &mut JointScratch::default(),
                    Fold::Ks,
                );
                let (fused_ext, fused_distinct) = ks_joint.fused_ks();
                assert_eq!(fused_distinct, want.1);
                for alt in [
                    Alternative::TwoSided,
                    Alternative::Less,
                    Alternative::Greater,
                ] {
                    let got = crate::drift::ks::ks_from_extremes(
                        ra.len(),
                        rb.len(),
                        &ext,
                        alt,
                        KsMethod::Asymp,
                    )
                    .unwrap();
                    let want = ks_2samp_sorted(&ra, &rb, alt, KsMethod::Asymp).unwrap();
                    assert_eq!(got, want);
                    let fused = crate::drift::ks::ks_from_extremes(
                        ra.len(),
                        rb.len(),
                        &fused_ext,
                        alt,
                        KsMethod::Asymp,
                    )
                    .unwrap();
                    assert_eq!(fused, want);
                }
                j.recycle(&mut scratch);
            }
        }
    }
}

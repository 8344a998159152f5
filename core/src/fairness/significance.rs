//! Is a gap real or noise? For each proportion metric, Pearson's chi-square test of
//! independence between group and outcome over the groups where the proportion is defined
//! (unweighted counts; as `scipy.stats.chi2_contingency(correction=False)`), and a pooled
//! two-proportion z-test between the highest and the lowest group. Picking the extreme groups
//! after looking makes the z-test optimistic; the chi-square test has no such bias.

use crate::fairness::accumulator::FairnessAccumulator;
use crate::fairness::counts::CellCounts;
use crate::fairness::metric::Metric;
use crate::math::{chi2_sf, erfc};
use crate::report::{Num, SignificanceTest};

/// `(successes, trials)` of a proportion metric in a cell, from unweighted counts.
pub fn proportion(metric: Metric, c: &CellCounts) -> Option<(u64, u64)> {
    let (tp, fp, fn_, tn) = (c.n_tp, c.n_fp, c.n_fn, c.n_tn);
    Some(match metric {
        Metric::SelectionRate => (tp + fp, c.rows),
        Metric::TruePositiveRate => (tp, tp + fn_),
        Metric::FalseNegativeRate => (fn_, tp + fn_),
        Metric::FalsePositiveRate => (fp, fp + tn),
        Metric::TrueNegativeRate => (tn, fp + tn),
        Metric::Precision => (tp, tp + fp),
        Metric::FalseDiscoveryRate => (fp, tp + fp),
        Metric::NegativePredictiveValue => (tn, tn + fn_),
        Metric::FalseOmissionRate => (fn_, tn + fn_),
        Metric::Accuracy => (tp + tn, c.rows),
        Metric::ErrorRate => (fp + fn_, c.rows),
        _ => return None,
    })
}

/// Tests for every proportion metric and stratum.
pub fn significance_tests(acc: &FairnessAccumulator, metrics: &[Metric]) -> Vec<SignificanceTest> {
    let layout = &acc.layout;
    let n_groups = layout.n_groups().max(1);
    let mut out = Vec::new();
    for (s, stratum) in acc.cells.chunks(n_groups).enumerate() {
        for metric in metrics {
            let groups: Vec<(usize, u64, u64)> = stratum
                .iter()
                .enumerate()
                .filter_map(|(g, c)| proportion(*metric, c).map(|(x, n)| (g, x, n)))
                .filter(|(_, _, n)| *n > 0)
                .collect();
            if proportion(*metric, &CellCounts::default()).is_none() || groups.len() < 2 {
                continue;
            }
            let (chi2, dof, pvalue) = chi_square(&groups);
            #[allow(clippy::cast_precision_loss)]
            let rate = |x: u64, n: u64| x as f64 / n as f64;
            let by_rate = |a: &&(usize, u64, u64), b: &&(usize, u64, u64)| {
                rate(a.1, a.2).total_cmp(&rate(b.1, b.2))
            };
            let (Some(lo), Some(hi)) =
                (groups.iter().min_by(by_rate), groups.iter().max_by(by_rate))
            else {
                continue;
            };
            let (z, z_pvalue) = two_proportion_z(hi.1, hi.2, lo.1, lo.2);
            out.push(SignificanceTest {
                metric: metric.name().into(),
                control: layout.stratum_labels(s),
                chi2: Num(chi2),
                dof,
                pvalue: Num(pvalue),
                min_group: layout.group_labels(lo.0),
                max_group: layout.group_labels(hi.0),
                z: Num(z),
                z_pvalue: Num(z_pvalue),
                groups_tested: u32::try_from(groups.len()).unwrap_or(u32::MAX),
            });
        }
    }
    out
}

/// Pearson chi-square of a groups × {success, failure} table: `(statistic, dof, p-value)`.
#[allow(clippy::cast_precision_loss)]
pub fn chi_square(groups: &[(usize, u64, u64)]) -> (f64, u32, f64) {
    let total: u64 = groups.iter().map(|g| g.2).sum();
    let successes: u64 = groups.iter().map(|g| g.1).sum();
    let dof = u32::try_from(groups.len().saturating_sub(1)).unwrap_or(u32::MAX);
    if total == 0 || successes == 0 || successes == total {
        // No variation in the outcome: nothing can differ between groups.
        return (f64::NAN, dof, f64::NAN);
    }
    let p = successes as f64 / total as f64;
    let stat: f64 = groups
        .iter()
        .map(|(_, x, n)| {
            let (n, x) = (*n as f64, *x as f64);
            let (e1, e0) = (n * p, n * (1.0 - p));
            (x - e1).powi(2) / e1 + ((n - x) - e0).powi(2) / e0
        })
        .sum();
    let pvalue = chi2_sf(stat, f64::from(dof));
    (stat, dof, pvalue)
}

/// Pooled two-proportion z statistic and two-sided p-value.
#[allow(clippy::cast_precision_loss)]
pub fn two_proportion_z(x1: u64, n1: u64, x2: u64, n2: u64) -> (f64, f64) {
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se.is_nan() || se == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let z = (x1 / n1 - x2 / n2) / se;
    (z, erfc(z.abs() / std::f64::consts::SQRT_2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_matches_scipy() {
        // scipy.stats.chi2_contingency([[30, 70], [45, 55]], correction=False)
        // -> statistic 4.800000000000001, pvalue 0.028459736916310766
        let (stat, dof, p) = chi_square(&[(0, 30, 100), (1, 45, 100)]);
        assert_eq!(dof, 1);
        assert!((stat - 4.8).abs() < 1e-12);
        assert!((p - 0.028_459_736_916_310_766).abs() < 1e-12);
        // With one degree of freedom, z^2 equals the chi-square statistic.
        let (z, zp) = two_proportion_z(45, 100, 30, 100);
        assert!((z * z - stat).abs() < 1e-10);
        assert!((zp - p).abs() < 1e-10);
    }
}

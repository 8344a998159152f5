//! Property tests of the engine's axioms: a report does not depend on row order nor on how
//! groups are coded; merging chunk accumulators equals one pass; the bootstrap is a function
//! of its seed, and its stratified form keeps every group's size.

use std::collections::BTreeMap;

use aequa_core::data::groups::{levels_of, Feature, GroupLayout};
use aequa_core::fairness::{
    finish, metric_frame, BootstrapOptions, Codes, Convention, FairnessAccumulator, FrameInput,
    FrameOptions, LabelSpec,
};
use aequa_core::report::MetricFrameReport;
use ndarray::ArrayView1;
use proptest::prelude::*;

const METRICS: [&str; 9] = [
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "precision_score",
    "balanced_accuracy_score",
    "mean_prediction",
    "mean_squared_error",
    "root_mean_squared_error",
];

/// How rows are weighted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Weights {
    None,
    /// Whole numbers: every sum is exact, so results are bit-identical.
    Integer,
    /// Arbitrary fractions: sums agree to within a rounding.
    Fractional,
}

#[derive(Debug, Clone)]
struct Data {
    y_true: Vec<f64>,
    y_pred: Vec<f64>,
    weights: Option<Vec<f64>>,
    group: Vec<u32>,
    stratum: Vec<u32>,
    group_levels: Vec<String>,
    stratum_levels: Vec<String>,
}

fn data(weights: Weights) -> impl Strategy<Value = Data> {
    (2usize..6, 1usize..4, 1usize..150).prop_flat_map(move |(k, s, n)| {
        let row = (
            any::<bool>(),
            any::<bool>(),
            0..k as u32,
            0..s as u32,
            1u32..10,
            0.01f64..10.0,
        );
        prop::collection::vec(row, n).prop_map(move |rows| Data {
            y_true: rows.iter().map(|r| f64::from(u8::from(r.0))).collect(),
            y_pred: rows.iter().map(|r| f64::from(u8::from(r.1))).collect(),
            weights: match weights {
                Weights::None => None,
                Weights::Integer => Some(rows.iter().map(|r| f64::from(r.4)).collect()),
                Weights::Fractional => Some(rows.iter().map(|r| r.5).collect()),
            },
            group: rows.iter().map(|r| r.2).collect(),
            stratum: rows.iter().map(|r| r.3).collect(),
            group_levels: (0..k).map(|i| format!("g{i}")).collect(),
            stratum_levels: (0..s).map(|i| format!("s{i}")).collect(),
        })
    })
}

fn weights_kind() -> impl Strategy<Value = Weights> {
    prop_oneof![
        Just(Weights::None),
        Just(Weights::Integer),
        Just(Weights::Fractional)
    ]
}

impl Data {
    fn input(&self) -> FrameInput<'_> {
        FrameInput {
            y_true: self.y_true.as_slice().into(),
            y_pred: self.y_pred.as_slice().into(),
            sample_weight: self.weights.as_deref().map(ArrayView1::from),
            sensitive: vec![feature("g", &self.group, &self.group_levels)],
            control: vec![feature("c", &self.stratum, &self.stratum_levels)],
        }
    }

    fn rows(&self, order: &[usize]) -> Data {
        let pick = |v: &[f64]| order.iter().map(|i| v[*i]).collect::<Vec<_>>();
        let pick_u = |v: &[u32]| order.iter().map(|i| v[*i]).collect::<Vec<_>>();
        Data {
            y_true: pick(&self.y_true),
            y_pred: pick(&self.y_pred),
            weights: self.weights.as_deref().map(pick),
            group: pick_u(&self.group),
            stratum: pick_u(&self.stratum),
            ..self.clone()
        }
    }
}

fn feature<'a>(name: &str, codes: &'a [u32], levels: &[String]) -> Feature<'a> {
    Feature {
        name: name.into(),
        codes: ArrayView1::from(codes),
        levels: levels.to_vec(),
    }
}

fn options(compat: Convention) -> FrameOptions {
    FrameOptions {
        metrics: METRICS.iter().map(|m| m.to_string()).collect(),
        compat,
        min_group_size: 5,
        ..FrameOptions::default()
    }
}

fn compat() -> impl Strategy<Value = Convention> {
    prop_oneof![Just(Convention::Aequa), Just(Convention::Fairlearn)]
}

/// Every number of a report's values and sizes, keyed by labels (not by code order).
fn by_label(r: &MetricFrameReport) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let rows = r.values.overall.iter().chain(&r.values.by_group);
    for row in rows {
        for (m, v) in &row.values {
            out.insert(format!("{:?}|{:?}|{m}", row.control, row.group), v.0);
        }
    }
    for a in &r.values.aggregates {
        let fields = [
            a.group_min,
            a.group_max,
            a.difference_between_groups,
            a.difference_to_overall,
            a.ratio_between_groups,
            a.ratio_to_overall,
        ];
        for (i, v) in fields.iter().enumerate() {
            out.insert(format!("{:?}|{}|summary{i}", a.control, a.metric), v.0);
        }
    }
    for s in &r.sizes {
        #[allow(clippy::cast_precision_loss)]
        out.insert(format!("{:?}|{:?}|rows", s.control, s.group), s.rows as f64);
        out.insert(format!("{:?}|{:?}|weight", s.control, s.group), s.weight);
    }
    out
}

/// Same keys; each pair bit-identical (`tolerance` 0) or within `tolerance` relative.
fn same(
    a: &BTreeMap<String, f64>,
    b: &BTreeMap<String, f64>,
    tolerance: f64,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, x) in a {
        let y = b[k];
        let ok = (x.is_nan() && y.is_nan())
            || x.to_bits() == y.to_bits()
            || (x - y).abs() <= tolerance * x.abs().max(y.abs());
        prop_assert!(ok, "{}: {} vs {} ({:e})", k, x, y, (x - y).abs());
    }
    Ok(())
}

fn tolerance(w: Weights) -> f64 {
    if w == Weights::Fractional {
        1e-15
    } else {
        0.0
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn row_order_does_not_matter(
        (d, order) in weights_kind().prop_flat_map(data).prop_flat_map(|d| {
            let n = d.y_true.len();
            (Just(d), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
        }),
        c in compat(),
    ) {
        let a = metric_frame(&d.input(), &options(c), None).unwrap();
        let b = metric_frame(&d.rows(&order).input(), &options(c), None).unwrap();
        if d.weights.as_ref().is_some_and(|w| w.iter().any(|v| v.fract() != 0.0)) {
            same(&by_label(&a), &by_label(&b), 1e-15)?;
        } else {
            // Exact sums: the whole report, tests and reasons included, is the same text.
            prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        }
    }

    #[test]
    fn relabelling_groups_does_not_matter(
        (d, perm, sperm) in data(Weights::Integer).prop_flat_map(|d| {
            let (k, s) = (d.group_levels.len() as u32, d.stratum_levels.len() as u32);
            (Just(d), Just((0..k).collect::<Vec<u32>>()).prop_shuffle(), Just((0..s).collect::<Vec<u32>>()).prop_shuffle())
        }),
        c in compat(),
    ) {
        let mut e = d.clone();
        e.group = d.group.iter().map(|g| perm[*g as usize]).collect();
        e.stratum = d.stratum.iter().map(|s| sperm[*s as usize]).collect();
        for (old, new) in perm.iter().enumerate() {
            e.group_levels[*new as usize] = d.group_levels[old].clone();
        }
        for (old, new) in sperm.iter().enumerate() {
            e.stratum_levels[*new as usize] = d.stratum_levels[old].clone();
        }
        let a = metric_frame(&d.input(), &options(c), None).unwrap();
        let b = metric_frame(&e.input(), &options(c), None).unwrap();
        same(&by_label(&a), &by_label(&b), 0.0)?;
    }

    #[test]
    fn merged_chunks_equal_one_pass(
        (w, d, cuts) in weights_kind().prop_flat_map(|w| (Just(w), data(w))).prop_flat_map(|(w, d)| {
            let n = d.y_true.len();
            (Just(w), Just(d), prop::collection::vec(0..=n, 1..4))
        }),
        c in compat(),
    ) {
        let n = d.y_true.len();
        let mut bounds: Vec<usize> = cuts.into_iter().filter(|c| *c > 0 && *c < n).collect();
        bounds.extend([0, n]);
        bounds.sort_unstable();
        bounds.dedup();
        let input = d.input();
        let layout = GroupLayout::new(levels_of(&input.sensitive), levels_of(&input.control)).unwrap();
        let mut total: Option<FairnessAccumulator> = None;
        for w in bounds.windows(2) {
            let chunk = d.rows(&(w[0]..w[1]).collect::<Vec<_>>());
            let mut acc = FairnessAccumulator::new(layout.clone(), LabelSpec::default()).unwrap();
            let (s, k) = ([ArrayView1::from(chunk.group.as_slice())], [ArrayView1::from(chunk.stratum.as_slice())]);
            let ci = chunk.input();
            acc.update(&ci.y_true, &ci.y_pred, ci.sample_weight, Codes { sensitive: &s, control: &k }).unwrap();
            match total.as_mut() {
                Some(t) => t.merge(&acc).unwrap(),
                None => total = Some(acc),
            }
        }
        let merged = finish(&total.unwrap(), &options(c)).unwrap();
        let whole = metric_frame(&input, &options(c), None).unwrap();
        same(&by_label(&merged), &by_label(&whole), tolerance(w))?;
    }

    #[test]
    fn bootstrap_is_a_function_of_its_seed(
        d in weights_kind().prop_flat_map(data),
        seed in any::<u32>(),
        stratified in any::<bool>(),
    ) {
        let mut o = options(Convention::Aequa);
        o.bootstrap = Some(BootstrapOptions { n_boot: 15, ci_quantiles: vec![0.0, 0.1, 0.5, 1.0], random_state: seed, stratified });
        let a = serde_json::to_string(&metric_frame(&d.input(), &o, None).unwrap()).unwrap();
        let b = serde_json::to_string(&metric_frame(&d.input(), &o, None).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn stratified_bootstrap_keeps_group_sizes(d in weights_kind().prop_flat_map(data), seed in any::<u32>()) {
        let mut o = options(Convention::Aequa);
        o.bootstrap = Some(BootstrapOptions { n_boot: 12, ci_quantiles: vec![0.0, 0.5, 1.0], random_state: seed, stratified: true });
        let report = metric_frame(&d.input(), &o, None).unwrap();
        let intervals = report.intervals.unwrap();
        prop_assert_eq!(intervals.resampling.as_str(), "stratified");
        for q in &intervals.quantiles {
            for (row, size) in q.by_group.iter().zip(&report.sizes) {
                prop_assert_eq!((&row.control, &row.group), (&size.control, &size.group));
                #[allow(clippy::cast_precision_loss)]
                let rows = size.rows as f64;
                prop_assert_eq!(row.values["count"].0, rows);
            }
        }
    }
}

#[test]
fn different_seeds_give_different_intervals() {
    let n = 200;
    let d = Data {
        y_true: (0..n).map(|i| f64::from(u8::from(i % 3 == 0))).collect(),
        y_pred: (0..n).map(|i| f64::from(u8::from(i % 5 < 2))).collect(),
        weights: None,
        group: (0..n).map(|i| (i % 7 % 2) as u32).collect(),
        stratum: vec![0; n],
        group_levels: vec!["a".into(), "b".into()],
        stratum_levels: vec!["all".into()],
    };
    let run = |seed: u32| {
        let mut o = options(Convention::Aequa);
        o.bootstrap = Some(BootstrapOptions {
            n_boot: 30,
            ci_quantiles: vec![0.05, 0.95],
            random_state: seed,
            stratified: false,
        });
        serde_json::to_string(&metric_frame(&d.input(), &o, None).unwrap()).unwrap()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

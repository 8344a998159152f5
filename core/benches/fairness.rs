//! Criterion benchmarks of the fairness engine, straight on `aequa_core` (no Python):
//! the one-pass MetricFrame (4 binary metrics by a 5-level feature, and by 5 × 3 levels),
//! and 100 bootstrap replicates. Labels are `int64` columns, as numpy hands them over.
//!
//! `cargo bench -p aequa-core --bench fairness` (add `-- metric_frame` to pick a group).
//! The Python comparison with Fairlearn is `benchmarks/fairness_vs_fairlearn.py`.

#![allow(clippy::unwrap_used)]

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use aequa_core::data::groups::Feature;
    use aequa_core::data::Column;
    use aequa_core::fairness::{metric_frame, BootstrapOptions, FrameInput, FrameOptions};
    use aequa_core::rng;
    use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
    use ndarray::{Array1, Array2};

    const METRICS: [&str; 4] = [
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "accuracy_score",
    ];

    /// Seeded synthetic rows: binary labels and predictions, a 5-level and a 3-level feature.
    struct Data {
        y_true: Array1<i64>,
        y_pred: Array1<i64>,
        race: Array1<u32>,
        sex: Array1<u32>,
    }

    impl Data {
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        fn new(n: usize) -> Data {
            let mut r = rng::seeded(20_261_128, 0);
            let mut draw = |k: u64| rng::below(&mut r, k);
            let race: Array1<u32> = (0..n).map(|_| draw(5) as u32).collect();
            let sex: Array1<u32> = (0..n).map(|_| draw(3) as u32).collect();
            let y_true: Array1<i64> = (0..n).map(|_| draw(2) as i64).collect();
            // Predictions agree with the label 80% of the time.
            let y_pred: Array1<i64> = y_true
                .iter()
                .map(|y| if draw(10) < 8 { *y } else { 1 - *y })
                .collect();
            Data {
                y_true,
                y_pred,
                race,
                sex,
            }
        }

        fn input(&self, two_features: bool) -> FrameInput<'_> {
            let mut sensitive = vec![Feature {
                name: "race".into(),
                codes: self.race.view(),
                levels: ["a", "b", "c", "d", "e"].map(String::from).to_vec(),
            }];
            if two_features {
                sensitive.push(Feature {
                    name: "sex".into(),
                    codes: self.sex.view(),
                    levels: ["f", "m", "x"].map(String::from).to_vec(),
                });
            }
            FrameInput {
                y_true: Column::I64(self.y_true.view()),
                y_pred: Column::I64(self.y_pred.view()),
                sample_weight: None,
                sensitive,
                control: vec![],
            }
        }
    }

    fn options(bootstrap: Option<BootstrapOptions>) -> FrameOptions {
        FrameOptions {
            metrics: METRICS.map(String::from).to_vec(),
            bootstrap,
            ..FrameOptions::default()
        }
    }

    fn boot(stratified: bool) -> BootstrapOptions {
        BootstrapOptions {
            n_boot: 100,
            ci_quantiles: vec![0.025, 0.5, 0.975],
            random_state: 7,
            stratified,
        }
    }

    fn one_pass(c: &mut Criterion) {
        let mut group = c.benchmark_group("metric_frame");
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(5));
        let opts = options(None);
        for n in [100_000usize, 1_000_000] {
            let data = Data::new(n);
            group.throughput(Throughput::Elements(n as u64));
            for (label, two) in [("1_feature_5_levels", false), ("2_features_5x3", true)] {
                let input = data.input(two);
                group.bench_with_input(BenchmarkId::new(label, n), &input, |b, input| {
                    b.iter(|| metric_frame(black_box(input), &opts, None).unwrap());
                });
            }
        }
        group.finish();
    }

    fn bootstrap(c: &mut Criterion) {
        let mut group = c.benchmark_group("bootstrap_100");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(10));
        let n = 100_000usize;
        let data = Data::new(n);
        let input = data.input(false);
        group.throughput(Throughput::Elements(100 * n as u64));
        for (label, stratified) in [("rows", false), ("stratified", true)] {
            let opts = options(Some(boot(stratified)));
            group.bench_with_input(BenchmarkId::new(label, n), &input, |b, input| {
                b.iter(|| metric_frame(black_box(input), &opts, None).unwrap());
            });
        }
        // Caller-given rows (what `resampling="fairlearn"` passes): 100 x n indices.
        let mut r = rng::seeded(11, 0);
        #[allow(clippy::cast_possible_wrap)]
        let indices = Array2::from_shape_fn((100, n), |_| rng::below(&mut r, n as u64) as i64);
        let opts = options(Some(boot(false)));
        group.bench_with_input(BenchmarkId::new("indices", n), &input, |b, input| {
            b.iter(|| metric_frame(black_box(input), &opts, Some(indices.view())).unwrap());
        });
        group.finish();
    }

    criterion_group!(benches, one_pass, bootstrap);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}

#[cfg(target_arch = "wasm32")]
fn main() {}

//! The core's enums read by hand from the JSON value (size, issue 5): one table of names per
//! enum and one shared reader, instead of a derived `Deserialize` (a variant visitor and a
//! field visitor each) per enum. Names and messages are serde's: a test compares every table
//! with the derived reader, value by value.

use aequa_core::drift::binning::BinningMethod;
use aequa_core::drift::correction::Correction;
use aequa_core::drift::ks::{Alternative, KsMethod};
use aequa_core::drift::psi::Floor;
use aequa_core::drift::select::Test;
use aequa_core::explain::ale::AleBins;
use aequa_core::explain::partial_dependence::CurveKind;
use aequa_core::explain::permutation_importance::{Baseline, MaxSamples};
use aequa_core::explain::tree_shap::FeaturePerturbation;
use aequa_core::fairness::disparity::{Agg, Disparity, Kind, Method};
use aequa_core::fairness::metric::Convention;
use aequa_core::model::train::TrainKind;
use aequa_core::model::tree::{Accumulate, Comparison};
use aequa_core::model::Link;
use aequa_core::robust::linear_attack::Norm;
use aequa_core::robust::noise::Noise;
use serde_json::Value;

use crate::fields::{invalid_type, one_of, Msg, Read};

/// serde's "unknown variant" message.
fn unknown_variant(name: &str, names: &[&str]) -> Msg {
    format!("unknown variant `{name}`, {}", one_of(names, "variants"))
}

/// The variant named by `v` (a string, or `{name: null}` as serde also reads a unit variant)
/// and the value that came with it (`{name: value}`).
fn variant<'a>(v: &'a Value, names: &[&str]) -> Result<(usize, Option<&'a Value>), Msg> {
    let (name, value) = match v {
        Value::String(s) => (s.as_str(), None),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((k, value)) => (k.as_str(), Some(value)),
            None => return Err(invalid_type(v, "string or map")),
        },
        Value::Object(_) => return Err("invalid value: map, expected map with a single key".into()),
        other => return Err(invalid_type(other, "string or map")),
    };
    names
        .iter()
        .position(|n| *n == name)
        .map(|i| (i, value))
        .ok_or_else(|| unknown_variant(name, names))
}

/// A unit variant: `"name"` (or `{"name": null}`).
fn unit(v: &Value, names: &[&str]) -> Result<usize, Msg> {
    let (i, value) = variant(v, names)?;
    match value {
        None | Some(Value::Null) => Ok(i),
        Some(other) => Err(invalid_type(other, "unit")),
    }
}

/// `Read` for enums of unit variants, by their serde names.
macro_rules! units {
    ($($ty:ident { $($name:literal => $variant:ident),* $(,)? })*) => {$(
        impl Read for $ty {
            fn read(v: &Value) -> Result<Self, Msg> {
                const ALL: &[$ty] = &[$($ty::$variant),*];
                let i = unit(v, &[$($name),*])?;
                ALL.get(i).copied().ok_or_else(|| invalid_type(v, "a variant"))
            }
        }
    )*};
}

units! {
    Link { "identity" => Identity, "logistic" => Logistic, "softmax" => Softmax }
    Comparison { "less_equal" => LessEqual, "less" => Less }
    Accumulate {
        "sum" => Sum, "sequential" => Sequential, "mean" => Mean, "float32" => Float32
    }
    Norm { "l2" => L2, "linf" => Linf }
    Noise { "gaussian" => Gaussian, "uniform" => Uniform }
    CurveKind { "average" => Average, "individual" => Individual, "both" => Both }
    FeaturePerturbation {
        "auto" => Auto, "tree_path_dependent" => TreePathDependent, "interventional" => Interventional
    }
    Correction { "none" => None, "bonferroni" => Bonferroni, "bh" => Bh }
    BinningMethod { "quantile" => Quantile, "sturges" => Sturges }
    KsMethod { "auto" => Auto, "exact" => Exact, "asymp" => Asymp }
    Alternative { "two-sided" => TwoSided, "less" => Less, "greater" => Greater }
    Convention { "aequa" => Aequa, "fairlearn" => Fairlearn }
    Method { "between_groups" => BetweenGroups, "to_overall" => ToOverall }
    Agg { "worst_case" => WorstCase, "mean" => Mean }
    Disparity {
        "demographic_parity" => DemographicParity,
        "equal_opportunity" => EqualOpportunity,
        "equalized_odds" => EqualizedOdds,
    }
    Kind { "difference" => Difference, "ratio" => Ratio }
    Baseline { "subsample" => Subsample, "full" => Full }
    TrainKind { "logistic_regression" => LogisticRegression, "random_forest" => RandomForest }
    Test {
        "ks" => Ks, "chisquare" => Chisquare, "anderson" => Anderson,
        "wasserstein" => Wasserstein, "psi" => Psi, "jensen_shannon" => JensenShannon,
    }
}

/// `"evidently"` or `{"fixed": share}`.
impl Read for Floor {
    fn read(v: &Value) -> Result<Self, Msg> {
        match variant(v, &["evidently", "fixed"])? {
            (0, None | Some(Value::Null)) => Ok(Floor::Evidently),
            (0, Some(other)) => Err(invalid_type(other, "unit")),
            (_, Some(share)) => f64::read(share).map(Floor::Fixed),
            (_, None) => Err("invalid type: unit variant, expected newtype variant".into()),
        }
    }
}

/// A non-negative integer is a count, another number a fraction (serde's untagged order).
impl Read for MaxSamples {
    fn read(v: &Value) -> Result<Self, Msg> {
        if let Ok(n) = usize::read(v) {
            return Ok(MaxSamples::Count(n));
        }
        v.as_f64()
            .map(MaxSamples::Fraction)
            .ok_or_else(|| "data did not match any variant of untagged enum MaxSamples".into())
    }
}

/// A non-negative integer is a bin count, a number array the edges.
impl Read for AleBins {
    fn read(v: &Value) -> Result<Self, Msg> {
        if let Ok(n) = usize::read(v) {
            return Ok(AleBins::Count(n));
        }
        Vec::<f64>::read(v)
            .map(AleBins::Edges)
            .map_err(|_| "data did not match any variant of untagged enum AleBins".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::assert_same_as_serde;
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Every listed variant's serde name reads back to it, and odd values give serde's result
    /// or message.
    fn same_as_serde<T>(all: &[T])
    where
        T: Read + DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    {
        let mut cases: Vec<Value> = all
            .iter()
            .map(|t| serde_json::to_value(t).unwrap())
            .collect();
        let names: Vec<Value> = cases.clone();
        for name in &names {
            if let Value::String(s) = name {
                cases.push(serde_json::json!({ s.clone(): null }));
                cases.push(serde_json::json!({ s.clone(): 1 }));
                cases.push(serde_json::json!({ s.clone(): 0.5 }));
            }
        }
        cases.extend([
            serde_json::json!("nope"),
            serde_json::json!("fixed"),
            serde_json::json!({"fixed": 0.01}),
            serde_json::json!({"fixed": "a"}),
            serde_json::json!({"a": 1, "b": 2}),
            serde_json::json!({}),
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!(3),
            serde_json::json!(-3),
            serde_json::json!(0.25),
            serde_json::json!([0.5, 1]),
            serde_json::json!(["a"]),
        ]);
        for case in cases {
            assert_same_as_serde::<T>(&case, |_| false);
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn enums_read_as_serde_reads_them() {
        same_as_serde(&[Link::Identity, Link::Logistic, Link::Softmax]);
        same_as_serde(&[Comparison::LessEqual, Comparison::Less]);
        same_as_serde(&[
            Accumulate::Sum,
            Accumulate::Sequential,
            Accumulate::Mean,
            Accumulate::Float32,
        ]);
        same_as_serde(&[Norm::L2, Norm::Linf]);
        same_as_serde(&[Noise::Gaussian, Noise::Uniform]);
        same_as_serde(&[CurveKind::Average, CurveKind::Individual, CurveKind::Both]);
        same_as_serde(&[
            FeaturePerturbation::Auto,
            FeaturePerturbation::TreePathDependent,
            FeaturePerturbation::Interventional,
        ]);
        same_as_serde(&[Correction::None, Correction::Bonferroni, Correction::Bh]);
        same_as_serde(&[BinningMethod::Quantile, BinningMethod::Sturges]);
        same_as_serde(&[KsMethod::Auto, KsMethod::Exact, KsMethod::Asymp]);
        same_as_serde(&[
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ]);
        same_as_serde(&[Convention::Aequa, Convention::Fairlearn]);
        same_as_serde(&[Method::BetweenGroups, Method::ToOverall]);
        same_as_serde(&[Agg::WorstCase, Agg::Mean]);
        same_as_serde(&[
            Disparity::DemographicParity,
            Disparity::EqualOpportunity,
            Disparity::EqualizedOdds,
        ]);
        same_as_serde(&[Kind::Difference, Kind::Ratio]);
        same_as_serde(&[Baseline::Subsample, Baseline::Full]);
        same_as_serde(&[TrainKind::LogisticRegression, TrainKind::RandomForest]);
        same_as_serde(&[
            Test::Ks,
            Test::Chisquare,
            Test::Anderson,
            Test::Wasserstein,
            Test::Psi,
            Test::JensenShannon,
        ]);
        same_as_serde(&[Floor::Evidently, Floor::Fixed(0.5)]);
        same_as_serde(&[MaxSamples::Count(3), MaxSamples::Fraction(0.5)]);
        same_as_serde(&[AleBins::Count(4), AleBins::Edges(vec![0.0, 1.5])]);
    }
}

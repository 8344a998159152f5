//! The core's option structs read by hand from the JSON value ([`crate::fields`]) instead of
//! through their derived `Deserialize` (size, issue 5): every one is `#[serde(default,
//! deny_unknown_fields)]` with snake_case keys equal to its field names, so the reader starts
//! from the struct's `Default` and sets each key present. The messages are serde's (a test
//! compares them, key by key, with the derived reader, and the key lists with the structs'
//! fields); the enums they hold are read by [`crate::enums`].

use aequa_core::drift::{DriftOptions, TestChoice};
use aequa_core::explain::ale::AleOptions;
use aequa_core::explain::exact::ExactOptions;
use aequa_core::explain::kernel::KernelOptions;
use aequa_core::explain::linear_shap::LinearShapOptions;
use aequa_core::explain::masker::MaskerOptions;
use aequa_core::explain::partial_dependence::DependenceOptions;
use aequa_core::explain::permutation::PermutationOptions;
use aequa_core::explain::permutation_importance::PermutationOptions as ImportanceOptions;
use aequa_core::explain::scoring::ScorerSpec;
use aequa_core::explain::TreeShapParams;
use aequa_core::robust::constraints::Constraints;
use aequa_core::robust::hop_skip_jump::HsjOptions;
use aequa_core::robust::linear_attack::GradientOptions;
use aequa_core::robust::noise::NoiseOptions;
use aequa_core::robust::sensitive_flip::FlipOptions;
use serde_json::Value;

use crate::fields::{invalid_type, unknown_field, Fields, Msg, Read};

/// `Read` for an options struct of the listed keys.
macro_rules! options {
    ($ty:ident $(as $name:literal)? { $($key:ident),* $(,)? }) => {
        impl Read for $ty {
            fn read(v: &Value) -> Result<Self, Msg> {
                let Value::Object(map) = v else {
                    return Err(invalid_type(v, concat!("struct ", options!(@name $ty $($name)?))));
                };
                let mut o = <$ty>::default();
                for (key, value) in map {
                    match key.as_str() {
                        $(stringify!($key) => o.$key = Read::read(value)?,)*
                        _ => return Err(unknown_field(key, Self::KEYS)),
                    }
                }
                Ok(o)
            }
        }

        impl Keys for $ty {
            const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];
        }
    };
    (@name $ty:ident) => { stringify!($ty) };
    (@name $ty:ident $name:literal) => { $name };
}

/// The keys an options struct knows (for the "unknown field" message).
pub trait Keys {
    const KEYS: &'static [&'static str];
}

options!(MaskerOptions {
    batch_bytes,
    max_background,
    background_random_state,
    feature_names,
    output_names,
    parallel,
});
options!(ExactOptions {
    max_features,
    masker
});
options!(PermutationOptions {
    max_evals,
    random_state,
    permutations,
    masker
});
options!(KernelOptions {
    nsamples,
    random_state,
    masker
});
options!(LinearShapOptions { masker });
options!(TreeShapParams {
    feature_perturbation,
    feature_names,
    output_names
});
options!(DependenceOptions {
    features,
    percentiles,
    grid_resolution,
    kind,
    categorical,
    custom_values,
    outputs,
    feature_names,
    max_batch_elements,
});
options!(AleOptions {
    feature,
    bins,
    outputs,
    feature_names,
    max_batch_elements
});
options!(ScorerSpec {
    scoring,
    classes,
    pos_label,
    compat,
    method,
    agg
});
options!(ImportanceOptions as "PermutationOptions" {
    scorer, n_repeats, random_state, max_samples, baseline, feature_names, feature_groups,
    group_names, max_batch_elements,
});
options!(Constraints {
    immutable,
    lower,
    upper,
    integer,
    one_hot
});
options!(NoiseOptions {
    budgets,
    noise,
    n_repeats,
    per_feature,
    threshold,
    random_state,
    feature_names,
    batch_rows,
});
options!(FlipOptions {
    sensitive_indices,
    threshold,
    feature_names,
    batch_rows
});
options!(HsjOptions {
    norm,
    max_iter,
    max_queries,
    init_eval,
    max_eval,
    init_size,
    init_neighbours,
    random_state,
    constraints,
    threshold,
    budgets,
    batch_rows,
    y_target,
});
options!(GradientOptions {
    eps,
    norm,
    max_iter,
    step_size,
    random_init,
    random_state,
    constraints
});
options!(DriftOptions {
    alpha,
    correction,
    drift_share,
    bins,
    binning,
    floor,
    js_base,
    ks_method,
    tests,
});

/// One column's test choice (`{test, threshold?}`; other keys ignored, as serde did).
impl Read for TestChoice {
    fn read(v: &Value) -> Result<Self, Msg> {
        if !v.is_object() {
            return Err(invalid_type(v, "struct TestChoice"));
        }
        let f = Fields::lenient(v)?;
        Ok(TestChoice {
            test: f.req("test")?,
            threshold: f.opt("threshold")?,
        })
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

    /// The keys serde's "unknown field" message lists for `T`.
    fn serde_keys<T: DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let e = serde_json::from_str::<T>(r#"{"notAField": 0}"#)
            .unwrap_err()
            .to_string();
        let list = e.split("expected ").nth(1).unwrap();
        let list = list.split(" at line").next().unwrap();
        let list = list.trim_start_matches("one of ").replace(" or ", ", ");
        list.split(", ")
            .map(|f| f.trim_matches('`').to_string())
            .collect()
    }

    /// For every key of `T`: the default object, and that key set to each odd value, read by
    /// hand and by the derived reader give equal results or equal messages.
    fn same_as_serde<T>()
    where
        T: Read + Keys + DeserializeOwned + Serialize + Default + PartialEq + std::fmt::Debug,
    {
        let mut hand: Vec<String> = T::KEYS.iter().map(|k| k.to_string()).collect();
        let mut derived = serde_keys::<T>();
        hand.sort();
        derived.sort();
        assert_eq!(hand, derived, "{}", std::any::type_name::<T>());
        let default = serde_json::to_value(T::default()).unwrap();
        let odd = [
            Value::Null,
            serde_json::json!(true),
            serde_json::json!(-3),
            serde_json::json!(2),
            serde_json::json!(0.5),
            serde_json::json!("mean"),
            serde_json::json!([1, 2]),
            serde_json::json!([[0, 1]]),
            serde_json::json!([null, 0.5]),
            serde_json::json!(["a"]),
            serde_json::json!({"bogus": 1}),
            serde_json::json!({}),
        ];
        let mut cases = vec![
            default.clone(),
            serde_json::json!({}),
            serde_json::json!([1]),
        ];
        for key in T::KEYS {
            for value in &odd {
                let mut case = default.clone();
                case[*key] = value.clone();
                cases.push(case);
            }
        }
        for case in cases {
            assert_same_as_serde::<T>(&case, |e| {
                e.starts_with("invalid type: sequence, expected struct")
            });
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn options_read_as_serde_reads_them() {
        same_as_serde::<MaskerOptions>();
        same_as_serde::<ExactOptions>();
        same_as_serde::<PermutationOptions>();
        same_as_serde::<KernelOptions>();
        same_as_serde::<LinearShapOptions>();
        same_as_serde::<TreeShapParams>();
        same_as_serde::<DependenceOptions>();
        same_as_serde::<AleOptions>();
        same_as_serde::<ScorerSpec>();
        same_as_serde::<ImportanceOptions>();
        same_as_serde::<Constraints>();
        same_as_serde::<NoiseOptions>();
        same_as_serde::<FlipOptions>();
        same_as_serde::<HsjOptions>();
        same_as_serde::<GradientOptions>();
        same_as_serde::<DriftOptions>();
    }
}

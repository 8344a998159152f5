//! XGBoost objectives: how each maps `base_score` to the margin and which outputs it offers.

use crate::error::{Error, Result};
use crate::model::linear::Link;
use crate::model::output::Output;

/// How an objective maps `base_score` to the margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Base {
    Identity,
    Logit,
    Log,
}

/// What an objective's outputs are, as links on the margin (`None`: not representable).
#[derive(Debug, Clone, Copy)]
pub(super) struct Objective {
    pub(super) base: Base,
    pub(super) probability: std::result::Result<Link, &'static str>,
    pub(super) predict: std::result::Result<Link, &'static str>,
}

const NO_PROBA: &str = "a regression objective has no class probabilities";
const LABELS: &str =
    "a classifier's predict returns class labels; use output=\"probability\" or \"raw\"";
const EXP: &str = "its prediction exp(margin) is not available natively; use output=\"raw\"";

pub(super) fn objective(name: &str, version: &[u32]) -> Result<Objective> {
    let o = |base, probability, predict| Objective {
        base,
        probability,
        predict,
    };
    Ok(match name {
        "reg:squarederror" | "reg:linear" | "reg:squaredlogerror" | "reg:pseudohubererror"
        | "reg:absoluteerror" => o(Base::Identity, Err(NO_PROBA), Ok(Link::Identity)),
        "reg:logistic" => o(
            Base::Logit,
            Ok(Link::Logistic),
            Err("its predict is σ(margin) as one column; use output=\"probability\" ([1 - σ, σ]) or \"raw\""),
        ),
        "binary:logistic" => o(Base::Logit, Ok(Link::Logistic), Err(LABELS)),
        // XGBoost < 2.0 mapped a logitraw base_score through the logit too.
        "binary:logitraw" => {
            let base = if version.first().is_some_and(|v| *v < 2) {
                Base::Logit
            } else {
                Base::Identity
            };
            o(base, Ok(Link::Logistic), Err(LABELS))
        }
        "multi:softprob" => o(Base::Identity, Ok(Link::Softmax), Err(LABELS)),
        "multi:softmax" => o(Base::Identity, Ok(Link::Softmax), Err(LABELS)),
        "count:poisson" | "reg:gamma" | "reg:tweedie" => o(Base::Log, Err(NO_PROBA), Err(EXP)),
        _ => {
            return Err(Error::Unsupported(format!(
                "XGBoost objective {name:?} is not supported natively; supported: \
                 reg:squarederror, reg:squaredlogerror, reg:pseudohubererror, reg:absoluteerror, \
                 reg:logistic, binary:logistic, binary:logitraw, multi:softprob, multi:softmax, \
                 count:poisson, reg:gamma, reg:tweedie (raw margin). Pass the model as a \
                 Python callable instead"
            )))
        }
    })
}

/// XGBoost's float32 `ProbToMargin`. `logf` is evaluated as a float64 log rounded to float32
/// (glibc's `logf` agrees with it on all but ~0.03% of inputs, where it is one float32 ulp off).
#[allow(clippy::cast_possible_truncation)]
pub(super) fn to_margin(base: Base, v: f32) -> f32 {
    let logf = |x: f32| crate::math::ln(f64::from(x)) as f32;
    match base {
        Base::Identity => v,
        Base::Logit => {
            let x = v.clamp(1e-6_f32, 1.0_f32 - 1e-6_f32);
            -logf(1.0_f32 / x - 1.0_f32)
        }
        Base::Log => logf(v),
    }
}

pub(super) fn unsupported(objective: &str, output: Output, why: &str) -> Error {
    Error::Unsupported(format!(
        "output={output:?} is not available for the XGBoost objective {objective}: {why}",
        output = output.name()
    ))
}

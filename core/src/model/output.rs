//! Which of a fitted model's outputs a native model reproduces: the raw score (margin,
//! log-odds, decision function), the class probabilities, or the regression prediction.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The output a loader builds the native model for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    /// The raw score: margin / log-odds of boosted trees, a forest's averaged leaf values,
    /// a linear model's decision function. What SHAP's TreeExplainer explains by default.
    #[default]
    Raw,
    /// Class probabilities (`predict_proba`).
    Probability,
    /// The regression prediction (`predict`), where it is the raw score or its softmax.
    Predict,
}

impl Output {
    /// The name users pass (`"raw"`, `"probability"`, `"predict"`).
    pub fn name(self) -> &'static str {
        match self {
            Output::Raw => "raw",
            Output::Probability => "probability",
            Output::Predict => "predict",
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Output {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "raw" => Ok(Output::Raw),
            "probability" => Ok(Output::Probability),
            "predict" => Ok(Output::Predict),
            _ => Err(Error::invalid(
                "output",
                format!("expected \"raw\", \"probability\" or \"predict\", found {s:?}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_names() {
        for o in [Output::Raw, Output::Probability, Output::Predict] {
            assert_eq!(o.name().parse::<Output>().unwrap(), o);
        }
        let err = "proba".parse::<Output>().unwrap_err().to_string();
        assert!(err.starts_with("output: expected"), "{err}");
    }
}

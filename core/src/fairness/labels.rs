//! How labels and predictions become binary outcomes, and the checks that make a binary metric
//! meaningful: at most two labels, the positive label present, scores only with a threshold.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Up to three distinct values seen in a column (three is enough to prove "not binary").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DistinctValues {
    values: Vec<f64>,
}

impl DistinctValues {
    /// Record a value.
    #[inline]
    pub fn see(&mut self, v: f64) {
        if self.values.len() < 3 && !self.values.contains(&v) {
            self.values.push(v);
            crate::math::sort_floats(&mut self.values);
        }
    }

    /// Union with another record.
    pub fn merge(&mut self, other: &DistinctValues) {
        other.values.iter().for_each(|v| self.see(*v));
    }

    /// The values seen (at most three).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    fn describe(&self) -> String {
        let shown: Vec<String> = self.values.iter().map(|v| fmt_label(*v)).collect();
        if self.values.len() >= 3 {
            format!("{}, ...", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }
}

/// Shows `1.0` as `1` so messages read like the user's data (f64's `Display` writes integral
/// values without a fraction or exponent; no precision formatter, which would link a second
/// float printer into the WASM module, issue 5).
pub fn fmt_label(v: f64) -> String {
    format!("{v}")
}

/// How outcomes are binarised.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LabelSpec {
    /// The positive label; `None` means 1, allowed only for labels in {0, 1} or {-1, 1}.
    pub pos_label: Option<f64>,
    /// Predictions at or above this are positive; `None` means predictions are labels.
    pub threshold: Option<f64>,
    /// One-vs-rest: labels may take many values; `pos_label` is the class assessed.
    #[serde(default)]
    pub one_vs_rest: bool,
}

impl LabelSpec {
    /// The positive label in force.
    pub fn positive(&self) -> f64 {
        self.pos_label.unwrap_or(1.0)
    }

    /// Is this label positive?
    #[inline]
    pub fn is_positive_label(&self, y: f64) -> bool {
        y == self.positive()
    }

    /// Is this prediction positive?
    #[inline]
    pub fn is_positive_prediction(&self, p: f64) -> bool {
        match self.threshold {
            Some(t) => p >= t,
            None => p == self.positive(),
        }
    }

    /// Check the spec's own parameters.
    pub fn check(&self) -> Result<()> {
        if let Some(t) = self.threshold {
            if !t.is_finite() {
                return Err(Error::invalid(
                    "threshold",
                    format!("expected a finite number, found {t}"),
                ));
            }
        }
        if let Some(p) = self.pos_label {
            if !p.is_finite() {
                return Err(Error::invalid(
                    "pos_label",
                    format!("expected a finite label, found {p}"),
                ));
            }
        }
        Ok(())
    }

    /// Check that the labels seen allow binary metrics under this spec.
    pub fn check_binary(&self, truth: &DistinctValues, pred: &DistinctValues) -> Result<()> {
        if self.one_vs_rest {
            return match (self.pos_label, self.threshold) {
                (Some(_), None) => Ok(()),
                _ => Err(Error::invalid(
                    "multiclass",
                    "one-vs-rest assessment needs a class as pos_label and no threshold",
                )),
            };
        }
        if truth.values().len() > 2 {
            return Err(Error::invalid(
                "y_true",
                format!(
                    "binary metrics need at most two distinct labels, found {}; \
                     for multiclass labels use one-vs-rest (aequa.MetricFrame(..., multiclass=\"ovr\"))",
                    truth.describe()
                ),
            ));
        }
        if self.threshold.is_none() && pred.values().len() > 2 {
            return Err(Error::invalid(
                "y_pred",
                format!(
                    "binary metrics need predicted labels, found more than two distinct values ({}); \
                     these look like scores: pass threshold=... to turn them into decisions",
                    pred.describe()
                ),
            ));
        }
        let mut all = truth.clone();
        if self.threshold.is_none() {
            all.merge(pred);
        }
        if all.values().len() > 2 {
            return Err(Error::invalid(
                "y_pred",
                format!(
                    "y_true and y_pred together hold more than two labels ({}); \
                     predictions must use the same two labels as y_true \
                     (if y_pred holds scores, pass threshold=... to turn them into decisions)",
                    all.describe()
                ),
            ));
        }
        match self.pos_label {
            Some(p) if !all.values().contains(&p) => Err(Error::invalid(
                "pos_label",
                format!(
                    "pos_label={} does not occur in y_true{} (labels found: {}); pass one of those labels",
                    fmt_label(p),
                    if self.threshold.is_none() { " or y_pred" } else { "" },
                    all.describe()
                ),
            )),
            None if !(all.values().iter().all(|v| *v == 0.0 || *v == 1.0)
                || all.values().iter().all(|v| *v == -1.0 || *v == 1.0)) =>
            {
                Err(Error::invalid(
                    "pos_label",
                    format!(
                        "labels are {}, not {{0, 1}} or {{-1, 1}}, so the positive label is ambiguous; pass pos_label=...",
                        all.describe()
                    ),
                ))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(v: &[f64]) -> DistinctValues {
        let mut d = DistinctValues::default();
        v.iter().for_each(|x| d.see(*x));
        d
    }

    #[test]
    fn binary_checks() {
        let spec = LabelSpec::default();
        assert!(spec.check_binary(&seen(&[0.0, 1.0]), &seen(&[1.0])).is_ok());
        assert!(spec
            .check_binary(&seen(&[-1.0, 1.0]), &seen(&[-1.0, 1.0]))
            .is_ok());
        let e = spec
            .check_binary(&seen(&[0.0, 1.0, 2.0]), &seen(&[1.0]))
            .unwrap_err();
        assert!(e.to_string().contains("multiclass"));
        let e = spec
            .check_binary(&seen(&[0.0, 1.0]), &seen(&[0.1, 0.5, 0.7]))
            .unwrap_err();
        assert!(e.to_string().contains("threshold"));
        let e = spec
            .check_binary(&seen(&[2.0, 3.0]), &seen(&[2.0]))
            .unwrap_err();
        assert!(e.to_string().contains("pos_label"));
        let spec = LabelSpec {
            pos_label: Some(5.0),
            threshold: None,
            one_vs_rest: false,
        };
        let e = spec
            .check_binary(&seen(&[0.0, 1.0]), &seen(&[1.0]))
            .unwrap_err();
        assert!(e.to_string().contains("pos_label=5 does not occur"));
        let spec = LabelSpec {
            pos_label: Some(1.0),
            threshold: Some(0.5),
            one_vs_rest: false,
        };
        assert!(spec
            .check_binary(&seen(&[0.0, 1.0]), &seen(&[0.1, 0.5, 0.7]))
            .is_ok());
        assert!(spec.is_positive_prediction(0.5) && !spec.is_positive_prediction(0.49));
    }
}

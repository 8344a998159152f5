//! Summaries of one metric across groups, with pandas' NaN-skipping semantics (as Fairlearn's
//! `group_min`, `group_max`, `difference` and `ratio`): undefined groups are skipped, and a
//! summary of no defined values is undefined.

/// The six summaries of one metric within one stratum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Smallest defined group value.
    pub group_min: f64,
    /// Largest defined group value.
    pub group_max: f64,
    /// `group_max - group_min`.
    pub difference_between_groups: f64,
    /// Largest `|group - overall|`.
    pub difference_to_overall: f64,
    /// `group_min / group_max`.
    pub ratio_between_groups: f64,
    /// Smallest of `group / overall`, each inverted when above 1.
    pub ratio_to_overall: f64,
}

impl Summary {
    /// The summaries as an array, in field order.
    pub fn to_array(self) -> [f64; 6] {
        [
            self.group_min,
            self.group_max,
            self.difference_between_groups,
            self.difference_to_overall,
            self.ratio_between_groups,
            self.ratio_to_overall,
        ]
    }
}

fn nan_min(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| !v.is_nan()).fold(
        f64::NAN,
        |acc, v| if acc.is_nan() || v < acc { v } else { acc },
    )
}

fn nan_max(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| !v.is_nan()).fold(
        f64::NAN,
        |acc, v| if acc.is_nan() || v > acc { v } else { acc },
    )
}

/// Summarise group values against the stratum's overall value.
pub fn summarize(overall: f64, groups: &[f64]) -> Summary {
    let group_min = nan_min(groups.iter().copied());
    let group_max = nan_max(groups.iter().copied());
    Summary {
        group_min,
        group_max,
        difference_between_groups: nan_max(groups.iter().map(|g| (g - group_min).abs())),
        difference_to_overall: nan_max(groups.iter().map(|g| (g - overall).abs())),
        ratio_between_groups: group_min / group_max,
        ratio_to_overall: nan_min(groups.iter().map(|g| {
            let r = g / overall;
            if r > 1.0 {
                1.0 / r
            } else {
                r
            }
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_skip_nan() {
        let s = summarize(0.5, &[0.2, f64::NAN, 0.8]);
        assert_eq!(s.group_min, 0.2);
        assert_eq!(s.group_max, 0.8);
        assert!((s.difference_between_groups - 0.6).abs() < 1e-15);
        assert!((s.difference_to_overall - 0.3).abs() < 1e-15);
        assert_eq!(s.ratio_between_groups, 0.25);
        assert_eq!(s.ratio_to_overall, 0.4);
    }

    #[test]
    fn all_undefined_is_undefined() {
        let s = summarize(0.5, &[f64::NAN, f64::NAN]);
        assert!(s.to_array().iter().all(|v| v.is_nan()));
    }

    #[test]
    fn zero_overall_gives_zero_ratio_like_pandas() {
        let s = summarize(0.0, &[0.0, 0.3]);
        assert_eq!(s.ratio_to_overall, 0.0);
        assert_eq!(s.ratio_between_groups, 0.0);
    }
}

//! Checks shared by every entry point: lengths, finiteness and weights.

use ndarray::ArrayView1;

use crate::data::Column;
use crate::error::{Error, Result};

/// `y_true`, `y_pred` and optional weights must be non-empty, equally long and finite.
pub fn check_rows(
    y_true: &Column<'_>,
    y_pred: &Column<'_>,
    weights: Option<ArrayView1<'_, f64>>,
) -> Result<usize> {
    let n = y_true.len();
    if n == 0 {
        return Err(Error::invalid(
            "y_true",
            "expected at least one row, found an empty array",
        ));
    }
    if y_pred.len() != n {
        return Err(Error::LengthMismatch {
            argument: "y_pred".into(),
            expected: n,
            found: y_pred.len(),
        });
    }
    check_finite("y_true", y_true)?;
    check_finite("y_pred", y_pred)?;
    if let Some(w) = weights {
        check_weights(w, n)?;
    }
    Ok(n)
}

/// Every value finite.
pub fn check_finite(argument: &str, column: &Column<'_>) -> Result<()> {
    let mut bad: Option<(usize, f64)> = None;
    column.for_each(|i, v| {
        if bad.is_none() && !v.is_finite() {
            bad = Some((i, v));
        }
    });
    match bad {
        Some((index, value)) => Err(Error::NonFinite {
            argument: argument.into(),
            index,
            value,
        }),
        None => Ok(()),
    }
}

/// Weights: right length, finite, non-negative, not all zero.
pub fn check_weights(w: ArrayView1<'_, f64>, n: usize) -> Result<()> {
    if w.len() != n {
        return Err(Error::LengthMismatch {
            argument: "sample_weight".into(),
            expected: n,
            found: w.len(),
        });
    }
    check_finite("sample_weight", &Column::F64(w))?;
    if let Some((i, v)) = w.iter().enumerate().find(|(_, v)| **v < 0.0) {
        return Err(Error::invalid(
            "sample_weight",
            format!("expected non-negative weights, found {v} at row {i}"),
        ));
    }
    if w.iter().all(|v| *v == 0.0) {
        return Err(Error::invalid(
            "sample_weight",
            "every weight is zero, so no rate can be computed; pass positive weights",
        ));
    }
    if !w.sum().is_finite() {
        return Err(Error::invalid(
            "sample_weight",
            "the weights sum to infinity; rescale them (only their ratios matter)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn errors_name_argument_and_row() {
        let t = array![0.0, 1.0, 1.0];
        let p = array![0.0, f64::NAN, 1.0];
        let e = check_rows(&t.view().into(), &p.view().into(), None).unwrap_err();
        assert!(matches!(e, Error::NonFinite { index: 1, .. }));
        assert!(e
            .to_string()
            .starts_with("y_pred: expected finite numbers, found NaN at row 1"));
    }

    #[test]
    fn weights_checked() {
        let t = array![0.0, 1.0];
        let w = array![1.0, -1.0];
        let e = check_rows(&t.view().into(), &t.view().into(), Some(w.view())).unwrap_err();
        assert!(e.to_string().contains("non-negative"));
        let z = array![0.0, 0.0];
        let e = check_rows(&t.view().into(), &t.view().into(), Some(z.view())).unwrap_err();
        assert!(e.to_string().contains("every weight is zero"));
        let short = array![1.0];
        assert!(matches!(
            check_rows(&t.view().into(), &t.view().into(), Some(short.view())),
            Err(Error::LengthMismatch { .. })
        ));
        let empty: [f64; 0] = [];
        assert!(check_rows(&empty[..].into(), &empty[..].into(), None).is_err());
    }
}

//! Encode a column of text labels into sorted level codes, for callers (JS, CSV readers) that
//! do not already hold codes. Sorting matches the order pandas' `groupby` gives.

use crate::error::{Error, Result};

/// Sorted distinct labels and each row's code into them.
pub fn encode_labels(argument: &str, values: &[String]) -> Result<(Vec<u32>, Vec<String>)> {
    if values.is_empty() {
        return Err(Error::invalid(
            argument,
            "expected at least one value, found an empty column",
        ));
    }
    let mut levels: Vec<String> = values.to_vec();
    levels.sort_unstable();
    levels.dedup();
    let codes = values
        .iter()
        .map(|v| {
            levels
                .binary_search(v)
                .ok()
                .and_then(|i| u32::try_from(i).ok())
                .ok_or_else(|| Error::invalid(argument, "too many distinct levels"))
        })
        .collect::<Result<Vec<u32>>>()?;
    Ok((codes, levels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_sorted_levels() {
        let v: Vec<String> = ["b", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let (codes, levels) = encode_labels("g", &v).unwrap();
        assert_eq!(levels, vec!["a", "b", "c"]);
        assert_eq!(codes, vec![1, 0, 1, 2]);
        assert!(encode_labels("g", &[]).is_err());
    }
}

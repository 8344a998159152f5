//! What a permutation-importance run resolves before it scores: the groups and their names,
//! the subsample, the permutations (seeded or given), and the repeats' mean and deviation.

use ndarray::ArrayView1;

use crate::error::{Error, Result};
use crate::rng;

use super::{MaxSamples, PermutationInput, PermutationOptions};

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
/// Resolved groups and their names.
#[inline]
pub(super) fn groups_of(
    options: &PermutationOptions,
    p: usize,
) -> Result<(Vec<Vec<usize>>, Vec<String>)> {
    let names: Vec<String> = match &options.feature_names {
        Some(n) if n.len() != p => {
            return Err(Error::invalid(
                "feature_names",
                format!(
                    "expected {p} names (one per column of X), found {}",
                    n.len()
                ),
            ))
        }
        Some(n) => n.clone(),
        None => (0..p).map(|j| format!("x{j}")).collect(),
    };
    let groups = match &options.feature_groups {
        None => (0..p).map(|j| vec![j]).collect(),
        Some(g) => g.clone(),
    };
    if groups.is_empty() {
        return Err(Error::invalid(
            "feature_groups",
            "expected at least one group",
        ));
    }
    for (k, g) in groups.iter().enumerate() {
        if g.is_empty() {
            return Err(Error::invalid(
                "feature_groups",
                format!("group {k} is empty"),
            ));
        }
        if let Some(j) = g.iter().find(|j| **j >= p) {
            return Err(Error::invalid(
                "feature_groups",
                format!("group {k} names column {j}, but X has {p} columns (0..{p})"),
            ));
        }
        let mut sorted = g.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != g.len() {
            return Err(Error::invalid(
                "feature_groups",
                format!("group {k} lists a column twice"),
            ));
        }
    }
    let group_names = match &options.group_names {
        Some(n) if n.len() != groups.len() => {
            return Err(Error::invalid(
                "group_names",
                format!("expected {} names, found {}", groups.len(), n.len()),
            ))
        }
        Some(n) => n.clone(),
        None => groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|j| names.get(*j).cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect(),
    };
    Ok((groups, group_names))
}

#[inline]
pub(super) fn resolve_max_samples(max_samples: MaxSamples, n: usize) -> Result<usize> {
    let m = match max_samples {
        MaxSamples::Count(c) if c == 0 || c > n => {
            return Err(Error::invalid(
                "max_samples",
                format!("expected a count in 1..={n} (the rows of X), found {c}"),
            ))
        }
        MaxSamples::Count(c) => c,
        MaxSamples::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
            return Err(Error::invalid(
                "max_samples",
                format!("expected a fraction in (0, 1] or a row count, found {f}"),
            ))
        }
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        MaxSamples::Fraction(f) => (f * n as f64) as usize,
    };
    if m == 0 {
        return Err(Error::invalid(
            "max_samples",
            format!("keeps no row of the {n} rows of X; raise it"),
        ));
    }
    Ok(m)
}

/// A Fisher–Yates shuffle of `0..n` from its own stream.
#[inline]
pub(super) fn shuffled(seed: u32, stream: u64, n: usize) -> Vec<usize> {
    let mut rng = rng::seeded(seed, stream);
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        #[allow(clippy::cast_possible_truncation)]
        let j = rng::below(&mut rng, i as u64 + 1) as usize;
        v.swap(i, j);
    }
    v
}

#[inline]
pub(super) fn indices_of(
    argument: &str,
    values: ArrayView1<'_, i64>,
    n: usize,
) -> Result<Vec<usize>> {
    values
        .iter()
        .map(|v| {
            usize::try_from(*v).ok().filter(|u| *u < n).ok_or_else(|| {
                Error::invalid(
                    argument,
                    format!("expected row indices in 0..{n}, found {v}"),
                )
            })
        })
        .collect()
}

/// The rows kept, or `None` for all rows.
#[inline]
pub(super) fn subsample(
    input: &PermutationInput<'_>,
    options: &PermutationOptions,
) -> Result<Option<Vec<usize>>> {
    let n = input.x.nrows();
    if let Some(given) = input.sample_indices {
        if given.is_empty() {
            return Err(Error::invalid(
                "sample_indices",
                "expected at least one row",
            ));
        }
        return indices_of("sample_indices", given, n).map(Some);
    }
    let m = resolve_max_samples(options.max_samples, n)?;
    if m >= n {
        return Ok(None);
    }
    let mut rows = shuffled(options.random_state, 0, n);
    rows.truncate(m);
    rows.sort_unstable();
    Ok(Some(rows))
}

#[inline]
pub(super) fn permutations(
    input: &PermutationInput<'_>,
    options: &PermutationOptions,
    m: usize,
) -> Result<Vec<Vec<usize>>> {
    let Some(given) = input.permutations else {
        return Ok((0..options.n_repeats)
            .map(|r| shuffled(options.random_state, 1 + r as u64, m))
            .collect());
    };
    if given.nrows() != options.n_repeats || given.ncols() != m {
        return Err(Error::invalid(
            "permutations",
            format!(
                "expected shape ({}, {m}) (n_repeats × rows permuted), found ({}, {})",
                options.n_repeats,
                given.nrows(),
                given.ncols()
            ),
        ));
    }
    given
        .rows()
        .into_iter()
        .enumerate()
        .map(|(r, row)| {
            let perm = indices_of("permutations", row, m)?;
            let mut seen = vec![false; m];
            for i in &perm {
                if let Some(s) = seen.get_mut(*i) {
                    if *s {
                        return Err(Error::invalid(
                            "permutations",
                            format!("row {r} is not a permutation: {i} appears twice"),
                        ));
                    }
                    *s = true;
                }
            }
            Ok(perm)
        })
        .collect()
}

#[inline]
pub(super) fn mean_std(values: &[f64]) -> (f64, f64) {
    #[allow(clippy::cast_precision_loss)]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

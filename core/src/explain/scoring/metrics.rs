//! The metric functions of the scorers: weighted means, R², ROC AUC and its radix sort.

use ndarray::ArrayView1;

use super::weight;

/// `(Σ w f(y, ŷ), Σ w)`.
#[inline]
pub(super) fn mean_sum(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    f: impl Fn(f64, f64) -> f64,
) -> (f64, f64) {
    match w {
        #[allow(clippy::cast_precision_loss)]
        None => (
            y.iter().zip(p).map(|(t, q)| f(*t, *q)).sum(),
            y.len() as f64,
        ),
        Some(w) => y
            .iter()
            .zip(p)
            .zip(w)
            .fold((0.0, 0.0), |(s, total), ((t, q), wi)| {
                (s + wi * f(*t, *q), total + wi)
            }),
    }
}

/// Weighted mean of `f(y, ŷ)` (numpy's `average`).
#[inline]
pub(super) fn mean(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    f: impl Fn(f64, f64) -> f64,
) -> f64 {
    let (s, total) = mean_sum(y, p, w, f);
    s / total
}

/// scikit-learn's `r2_score` with `force_finite=True`; `total_ss` is `Σ w (y − ȳ_w)²`.
#[inline]
pub(super) fn r2(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    total_ss: f64,
) -> f64 {
    if y.len() < 2 {
        return f64::NAN;
    }
    let num = mean_sum(y, p, w, |t, q| (t - q) * (t - q)).0;
    match (num != 0.0, total_ss != 0.0) {
        (false, _) => 1.0,
        (true, false) => 0.0,
        (true, true) => 1.0 - num / total_ss,
    }
}

/// Binary ROC AUC with `positive` the positive label; tied scores share one threshold.
#[inline]
#[allow(clippy::cast_possible_truncation)]
pub(super) fn roc_auc(
    y: ArrayView1<'_, f64>,
    score: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    positive: Option<f64>,
) -> f64 {
    // (order key of the score, row), by increasing score. The key orders as the (finite)
    // scores do, and ties exactly when they are equal (−0 = 0).
    let key = |s: f64| {
        let bits = (s + 0.0).to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        }
    };
    let mut rows: Vec<(u64, u32)> = score
        .iter()
        .enumerate()
        .map(|(i, s)| (key(*s), i as u32))
        .collect();
    sort_by_key(&mut rows);
    // Thresholds by decreasing score: one ROC point after each group of tied scores.
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut points = Vec::with_capacity(rows.len() + 1);
    points.push((0.0, 0.0));
    let mut iter = rows.iter().rev().peekable();
    while let Some((k, i)) = iter.next() {
        let i = *i as usize;
        let wi = weight(w, i);
        if y.get(i).copied() == positive {
            tp += wi;
        } else {
            fp += wi;
        }
        if iter.peek().map(|r| r.0) != Some(*k) {
            points.push((fp, tp));
        }
    }
    let (fp_total, tp_total) = points.last().copied().unwrap_or((0.0, 0.0));
    let mut area = 0.0;
    for pair in points.windows(2) {
        if let [(f0, t0), (f1, t1)] = pair {
            area += (f1 / fp_total - f0 / fp_total) * (t1 / tp_total + t0 / tp_total) / 2.0;
        }
    }
    area
}

/// Sort `(key, row)` pairs by key, ascending (the order of equal keys is unspecified): a
/// least-significant-digit radix sort, 11 bits per pass (six passes), skipping the passes in
/// which every key has the same digit; a comparison sort for few rows. Permutation importance
/// scores many permuted columns, so this sort dominates its ROC AUC.
#[allow(clippy::cast_possible_truncation)]
pub(super) fn sort_by_key(items: &mut Vec<(u64, u32)>) {
    const BITS: usize = 11;
    const BUCKETS: usize = 1 << BITS;
    const PASSES: usize = 64usize.div_ceil(BITS);
    let n = items.len();
    if n < 256 {
        items.sort_unstable_by_key(|r| r.0);
        return;
    }
    let digit = |k: u64, pass: usize| ((k >> (BITS * pass)) as usize) & (BUCKETS - 1);
    let mut counts = vec![0usize; PASSES * BUCKETS];
    for (k, _) in items.iter() {
        for pass in 0..PASSES {
            if let Some(slot) = counts.get_mut(pass * BUCKETS + digit(*k, pass)) {
                *slot += 1;
            }
        }
    }
    let mut buf = vec![(0u64, 0u32); n];
    let mut offsets = vec![0usize; BUCKETS];
    for (pass, c) in counts.chunks(BUCKETS).enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for (o, count) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += count;
        }
        for item in items.iter() {
            if let Some(o) = offsets.get_mut(digit(item.0, pass)) {
                if let Some(slot) = buf.get_mut(*o) {
                    *slot = *item;
                }
                *o += 1;
            }
        }
        std::mem::swap(items, &mut buf);
    }
}

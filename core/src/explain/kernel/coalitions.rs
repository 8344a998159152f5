//! SHAP's coalition plan: subset sizes enumerated in full while the budget covers them, the
//! rest drawn in complementary pairs (duplicates add weight), with Shapley kernel weights.

use std::collections::HashMap;

use rand::Rng;

use crate::rng;

// `#[inline]` (size, issue 5): cold code compiled in the calling crate, so at opt-level "z" in
// the WASM module (Cargo.toml, wasm-release).
#[inline]
pub(super) fn binom(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |b, i| b * (n - i) as f64 / (i + 1) as f64)
}

/// SHAP's coalition plan for `m ≥ 2` varying features: (masks, kernel weights).
#[inline]
pub(super) fn sample_coalitions(
    m: usize,
    nsamples: Option<usize>,
    seed: u32,
    stream: u64,
) -> (Vec<Vec<bool>>, Vec<f64>) {
    let mut nsamples = nsamples.unwrap_or(2 * m + 2048);
    if m <= 30 {
        nsamples = nsamples.min((1usize << m) - 2);
    }
    let n_sizes = m / 2; // ceil((m-1)/2)
    let n_paired = (m - 1) / 2; // floor((m-1)/2)
    let mut weight: Vec<f64> = (1..=n_sizes)
        .map(|s| (m as f64 - 1.0) / (s as f64 * (m - s) as f64))
        .collect();
    weight.iter_mut().take(n_paired).for_each(|w| *w *= 2.0);
    let total: f64 = weight.iter().sum();
    weight.iter_mut().for_each(|w| *w /= total);

    let (mut masks, mut weights) = (Vec::new(), Vec::new());
    let mut full_sizes = 0;
    let mut left = nsamples as f64;
    let mut remaining = weight.clone();
    for size in 1..=n_sizes {
        let paired = size <= n_paired;
        let nsubsets = binom(m, size) * if paired { 2.0 } else { 1.0 };
        let rw = remaining.get(size - 1).copied().unwrap_or(0.0);
        if left * rw / nsubsets < 1.0 - 1e-8 {
            break;
        }
        full_sizes += 1;
        left -= nsubsets;
        if rw < 1.0 {
            remaining.iter_mut().for_each(|w| *w /= 1.0 - rw);
        }
        let mut w = weight.get(size - 1).copied().unwrap_or(0.0) / binom(m, size);
        if paired {
            w /= 2.0;
        }
        let mut comb: Vec<usize> = (0..size).collect();
        loop {
            let mask = mask_of(&comb, m);
            let complement: Vec<bool> = mask.iter().map(|b| !b).collect();
            masks.push(mask);
            weights.push(w);
            if paired {
                masks.push(complement);
                weights.push(w);
            }
            if !next_combination(&mut comb, m) {
                break;
            }
        }
    }

    let n_fixed = masks.len();
    let mut samples_left = nsamples.saturating_sub(n_fixed);
    if full_sizes != n_sizes && samples_left > 0 {
        let mut rem: Vec<f64> = weight.clone();
        rem.iter_mut().take(n_paired).for_each(|w| *w /= 2.0);
        let rem: Vec<f64> = rem.into_iter().skip(full_sizes).collect();
        let total: f64 = rem.iter().sum();
        let mut r = rng::seeded(seed, stream);
        let mut used: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut perm: Vec<usize> = (0..m).collect();
        let mut draws = 4 * samples_left;
        while samples_left > 0 && draws > 0 {
            draws -= 1;
            let u = unit_uniform(&mut r) * total;
            let mut acc = 0.0;
            let mut ind = rem.len() - 1;
            for (i, w) in rem.iter().enumerate() {
                acc += w;
                if u < acc {
                    ind = i;
                    break;
                }
            }
            let size = ind + full_sizes + 1;
            for a in 0..size {
                let b = a + rng::below(&mut r, (m - a) as u64) as usize;
                perm.swap(a, b);
            }
            let mask = mask_of(perm.get(..size).unwrap_or(&[]), m);
            let seen = used.get(&mask).copied();
            match seen {
                None => {
                    used.insert(mask.clone(), masks.len());
                    samples_left -= 1;
                    masks.push(mask.clone());
                    weights.push(1.0);
                }
                Some(at) => {
                    if let Some(w) = weights.get_mut(at) {
                        *w += 1.0;
                    }
                }
            }
            if samples_left > 0 && size <= n_paired {
                let comp: Vec<bool> = mask.iter().map(|b| !b).collect();
                match seen {
                    None => {
                        samples_left -= 1;
                        masks.push(comp);
                        weights.push(1.0);
                    }
                    Some(at) => {
                        if let Some(w) = weights.get_mut(at + 1) {
                            *w += 1.0;
                        }
                    }
                }
            }
        }
        let weight_left: f64 = weight.iter().skip(full_sizes).sum();
        let drawn: f64 = weights.iter().skip(n_fixed).sum();
        if drawn > 0.0 {
            weights
                .iter_mut()
                .skip(n_fixed)
                .for_each(|w| *w *= weight_left / drawn);
        }
    }
    (masks, weights)
}

/// `on` flags of length `m` for the listed positions.
#[inline]
pub(super) fn mask_of(positions: &[usize], m: usize) -> Vec<bool> {
    let mut mask = vec![false; m];
    for p in positions {
        if let Some(b) = mask.get_mut(*p) {
            *b = true;
        }
    }
    mask
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub(super) fn unit_uniform(r: &mut impl Rng) -> f64 {
    (r.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Advance `comb` (ascending indices < n) to the next combination in lexicographic order.
#[inline]
pub(super) fn next_combination(comb: &mut [usize], n: usize) -> bool {
    let k = comb.len();
    for i in (0..k).rev() {
        let limit = n - k + i;
        if comb.get(i).is_some_and(|c| *c < limit) {
            let start = comb.get(i).copied().unwrap_or(0) + 1;
            for (off, c) in comb.iter_mut().skip(i).enumerate() {
                *c = start + off;
            }
            return true;
        }
    }
    false
}

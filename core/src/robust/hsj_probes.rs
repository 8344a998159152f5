//! The gradient-estimate probes of HopSkipJump: around each row's boundary point `c`, `m` points
//! `c + δ·u` with `u` uniform on the unit sphere (L2: normalised standard normals) or in the
//! cube (L∞: uniform coordinates, normalised), clipped to the data box and projected on the
//! constraints; the direction a probe really took is `(p − c)/δ`. The directions of iteration
//! `t` are drawn once from RNG stream `(seed, 1 + t·2³²)` and shared by every row (row `r` takes
//! the first `m_r`), so the random draws cost `max m · d` instead of `Σ m · d`, and the probes
//! do not depend on the number of threads. Sharing loses nothing per row: each row's
//! directions are still independent uniform draws, and rows never interact.
//!
//! Normal draws use the ziggurat method (Marsaglia & Tsang 2000; 128 layers): the fast path is
//! one 64-bit draw and a multiplication, the rare edge and tail cases use libm, and the layer
//! tables are computed once with libm, so the draws are bit-identical on every platform.

use std::sync::OnceLock;

use ndarray::{Array2, ArrayView1};
use rand::Rng;

use crate::math::{exp, ln};
use crate::rng::seeded;
use crate::robust::constraints::Constraints;
use crate::robust::linear_attack::Norm;
use crate::robust::uniform01;

/// Ziggurat layers.
const LAYERS: usize = 128;
/// Start of the tail (right edge of the bottom layer).
const TAIL: f64 = 3.442_619_855_899;
/// Area of each layer.
const AREA: f64 = 9.912_563_035_262_17e-3;

/// Layer edges `x[0..=128]` (`x[0] = AREA / f(TAIL)`, the bottom layer's virtual width,
/// `x[128] = 0`) and the density at each edge.
struct Tables {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn pdf(x: f64) -> f64 {
    exp(-0.5 * x * x)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        let mut f = [0.0; LAYERS + 1];
        // x[0] = AREA / f(TAIL), x[1] = TAIL, x[i+1] = f⁻¹(AREA / x[i] + f(x[i])), x[128] = 0.
        let mut edge = TAIL;
        for (i, slot) in x.iter_mut().enumerate() {
            *slot = match i {
                0 => AREA / pdf(TAIL),
                1 => TAIL,
                LAYERS => 0.0,
                _ => {
                    let arg = AREA / edge + pdf(edge);
                    edge = if arg < 1.0 {
                        (-2.0 * ln(arg)).sqrt()
                    } else {
                        0.0
                    };
                    edge
                }
            };
        }
        for (fi, xi) in f.iter_mut().zip(x.iter()) {
            *fi = pdf(*xi);
        }
        Tables { x, f }
    })
}

/// A standard normal draw by the ziggurat method.
pub fn ziggurat_normal(rng: &mut impl Rng) -> f64 {
    draw(tables(), rng)
}

fn draw(t: &Tables, rng: &mut impl Rng) -> f64 {
    loop {
        let bits = rng.next_u64();
        // Low 7 bits: the layer; top 53 bits: a uniform in [-1, 1); bit 7..11 unused.
        #[allow(clippy::cast_possible_truncation)]
        let i = (bits & 0x7f) as usize;
        #[allow(clippy::cast_precision_loss)]
        let u = ((bits >> 11) as f64) * (2.0 / 9_007_199_254_740_992.0) - 1.0;
        let (xi, xn) = (
            t.x.get(i).copied().unwrap_or(0.0),
            t.x.get(i + 1).copied().unwrap_or(0.0),
        );
        let x = u * xi;
        if x.abs() < xn {
            return x;
        }
        if i == 0 {
            // The tail beyond TAIL (Marsaglia 1964).
            loop {
                let a = -ln(1.0 - uniform01(rng)) / TAIL;
                let b = -ln(1.0 - uniform01(rng));
                if 2.0 * b >= a * a {
                    return if u < 0.0 { -(TAIL + a) } else { TAIL + a };
                }
            }
        }
        let (fi, fnext) = (
            t.f.get(i).copied().unwrap_or(0.0),
            t.f.get(i + 1).copied().unwrap_or(0.0),
        );
        if fnext + (fi - fnext) * uniform01(rng) < pdf(x) {
            return x;
        }
    }
}

/// One row's probes: its original row, boundary point, probe count and probe radius.
#[derive(Debug)]
pub struct ProbeRow<'a> {
    /// The original row (constraints are relative to it).
    pub x0: ArrayView1<'a, f64>,
    /// The boundary point the probes surround.
    pub center: ArrayView1<'a, f64>,
    /// Number of probes (at most the number of shared directions).
    pub m: usize,
    /// Probe radius δ.
    pub delta: f64,
}

/// Shared settings of the probes.
#[derive(Debug)]
pub struct ProbeSpace<'a> {
    /// Norm of the attack (L2: sphere, L∞: cube directions).
    pub norm: Norm,
    /// Columns that may move.
    pub mutable: &'a [bool],
    /// Data box per column.
    pub lo: &'a [f64],
    /// Data box per column.
    pub hi: &'a [f64],
    /// Tabular constraints.
    pub constraints: &'a Constraints,
    /// Seed.
    pub seed: u32,
}

/// Probe matrices at least this large (cells) are filled in parallel (feature `parallel`);
/// smaller ones take less time than waking the thread pool on a busy machine.
#[cfg(feature = "parallel")]
const PARALLEL_CELLS: usize = 1 << 21;

/// `m` unit directions (`m × d`, row-major) from RNG stream `stream`: on the sphere (L2:
/// normalised standard normals) or from the cube (L∞: uniform coordinates, normalised), zero on
/// immutable columns. One set serves every row of an iteration: each row's directions are
/// still independent uniform draws, and the draws cost `m·d`, not `Σm·d`.
pub fn directions(space: &ProbeSpace<'_>, m: usize, d: usize, stream: u64) -> Vec<f64> {
    let mut rng = seeded(space.seed, stream);
    let zig = tables();
    let mut us = vec![0.0; m * d];
    for u in us.chunks_exact_mut(d.max(1)) {
        let mut sq = 0.0;
        for (v, &mu) in u.iter_mut().zip(space.mutable.iter()) {
            if mu {
                *v = match space.norm {
                    Norm::L2 => draw(zig, &mut rng),
                    Norm::Linf => 2.0 * uniform01(&mut rng) - 1.0,
                };
                sq += *v * *v;
            }
        }
        let scale = if sq > 0.0 { 1.0 / sq.sqrt() } else { 0.0 };
        for v in u.iter_mut() {
            *v *= scale;
        }
    }
    us
}

/// The clip box of a row: the data box widened to contain the original value.
fn boxes(x0: ArrayView1<'_, f64>, space: &ProbeSpace<'_>) -> Vec<(f64, f64)> {
    x0.iter()
        .enumerate()
        .map(|(j, &o)| {
            let a = space.lo.get(j).copied().unwrap_or(o).min(o);
            let b = space.hi.get(j).copied().unwrap_or(o).max(o);
            (a, b)
        })
        .collect()
}

/// One probe `c + δ·u` (`p`: `d` values), clipped to the row's box and projected on the
/// constraints.
fn place(
    row: &ProbeRow<'_>,
    space: &ProbeSpace<'_>,
    (c, boxes): (&[f64], &[(f64, f64)]),
    u: &[f64],
    p: &mut [f64],
) {
    // max/min rather than clamp: the same value for these finite numbers, and no
    // `min <= max` check per cell, so the loop vectorises.
    for (((pv, uv), cv), (a, b)) in p.iter_mut().zip(u).zip(c).zip(boxes) {
        *pv = (cv + row.delta * uv).max(*a).min(*b);
    }
    if !space.constraints.is_empty() {
        space
            .constraints
            .project(row.x0, ndarray::ArrayViewMut1::from(p));
    }
}

/// Fill one row's probes (`pts`: `m × d`, row-major) from the first `m` directions.
fn fill(row: &ProbeRow<'_>, space: &ProbeSpace<'_>, us: &[f64], pts: &mut [f64]) {
    let d = row.x0.len().max(1);
    let (c, boxes) = (row.center.to_vec(), boxes(row.x0, space));
    for (p, u) in pts.chunks_exact_mut(d).zip(us.chunks_exact(d)) {
        place(row, space, (&c, &boxes), u, p);
    }
}

/// `Σ_k w_k·(p_k − c)` over one row's probes `p_k`, each rebuilt exactly as [`build_probes`]
/// built it (that matrix went to the model): the gradient estimate up to the factor `1/δ`.
pub fn weighted_offsets(
    row: &ProbeRow<'_>,
    space: &ProbeSpace<'_>,
    us: &[f64],
    weights: &[f64],
) -> Vec<f64> {
    let d = row.x0.len();
    let (c, boxes) = (row.center.to_vec(), boxes(row.x0, space));
    let mut p = vec![0.0; d];
    let mut g = vec![0.0; d];
    for (u, &w) in us.chunks_exact(d.max(1)).zip(weights) {
        place(row, space, (&c, &boxes), u, &mut p);
        for ((gv, pv), cv) in g.iter_mut().zip(&p).zip(&c) {
            *gv += w * (pv - cv);
        }
    }
    g
}

/// All probes of all rows, stacked in row order (`Σ m × d`); row `r`'s `k`-th probe is built
/// from the `k`-th of the shared directions `us` (`≥ max m` rows of `d`). The direction each
/// probe really took, clip and projection included, is `(p − c)/δ`.
pub fn build_probes(
    rows: &[ProbeRow<'_>],
    space: &ProbeSpace<'_>,
    us: &[f64],
    d: usize,
) -> Array2<f64> {
    let total: usize = rows.iter().map(|r| r.m).sum();
    let mut pts = vec![0.0; total * d];
    {
        let mut jobs = Vec::with_capacity(rows.len());
        let mut rest = pts.as_mut_slice();
        for row in rows {
            let (p, pr) = rest.split_at_mut(row.m * d);
            let u = us.get(..row.m * d).unwrap_or(us);
            jobs.push((row, p, u));
            rest = pr;
        }
        #[cfg(feature = "parallel")]
        if total * d >= PARALLEL_CELLS {
            use rayon::prelude::*;
            jobs.into_par_iter()
                .for_each(|(row, p, u)| fill(row, space, u, p));
            return Array2::from_shape_vec((total, d), pts)
                .unwrap_or_else(|_| Array2::zeros((0, d)));
        }
        for (row, p, u) in jobs {
            fill(row, space, u, p);
        }
    }
    Array2::from_shape_vec((total, d), pts).unwrap_or_else(|_| Array2::zeros((0, d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ziggurat_draws_are_standard_normal() {
        let mut rng = seeded(1, 0);
        let n = 400_000;
        let draws: Vec<f64> = (0..n).map(|_| ziggurat_normal(&mut rng)).collect();
        #[allow(clippy::cast_precision_loss)]
        let nf = n as f64;
        let mean = draws.iter().sum::<f64>() / nf;
        let var = draws.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / nf;
        let kurt = draws.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / nf / (var * var);
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.01 && (kurt - 3.0).abs() < 0.05);
        // Kolmogorov-Smirnov distance to the normal CDF.
        let mut sorted = draws;
        crate::math::sort_floats(&mut sorted);
        let ks = sorted
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let cdf = 0.5 * libm::erfc(-v / std::f64::consts::SQRT_2);
                #[allow(clippy::cast_precision_loss)]
                let (a, b) = (k as f64 / nf, (k + 1) as f64 / nf);
                (cdf - a).abs().max((b - cdf).abs())
            })
            .fold(0.0, f64::max);
        assert!(ks < 1.63 / nf.sqrt(), "KS distance {ks}"); // p ≈ 0.01
                                                            // Tails are drawn: |x| > 3.5 has probability 4.7e-4.
        assert!(sorted.first().unwrap() < &-3.5 && sorted.last().unwrap() > &3.5);
    }

    #[test]
    fn probes_share_unit_directions_and_respect_the_box() {
        let x0 = ndarray::array![0.0, 0.0, 1.0];
        let c = ndarray::array![0.5, -0.5, 1.0];
        let rows: Vec<ProbeRow<'_>> = [50, 20, 50, 35]
            .iter()
            .map(|&m| ProbeRow {
                x0: x0.view(),
                center: c.view(),
                m,
                delta: 0.3,
            })
            .collect();
        let cons = Constraints {
            immutable: vec![2],
            ..Constraints::default()
        };
        for norm in [Norm::L2, Norm::Linf] {
            let space = ProbeSpace {
                norm,
                mutable: &[true, true, false],
                lo: &[-0.6, -0.6, 1.0],
                hi: &[0.6, 0.6, 1.0],
                constraints: &cons,
                seed: 3,
            };
            let us = directions(&space, 50, 3, 7);
            assert_eq!(us, directions(&space, 50, 3, 7));
            assert_ne!(us, directions(&space, 50, 3, 8));
            for u in us.chunks_exact(3) {
                let n2 = u[0] * u[0] + u[1] * u[1];
                assert!((n2 - 1.0).abs() < 1e-12 && u[2] == 0.0);
            }
            let p = build_probes(&rows, &space, &us, 3);
            assert_eq!(p.nrows(), 155);
            // Row 1 (20 probes) starts at 50 and takes the first 20 directions.
            assert_eq!(
                p.slice(ndarray::s![50..70, ..]),
                p.slice(ndarray::s![0..20, ..])
            );
            // The gradient sum rebuilds the same probes.
            let w: Vec<f64> = (0..20).map(|k| f64::from(k) - 9.5).collect();
            let g = weighted_offsets(&rows[1], &space, &us, &w);
            for j in 0..3 {
                let want: f64 = (0..20).map(|k| w[k] * (p[[50 + k, j]] - c[j])).sum();
                assert!((g[j] - want).abs() < 1e-12, "{} vs {want}", g[j]);
            }
            for (k, pr) in p.outer_iter().enumerate() {
                assert!(pr[0].abs() <= 0.6 && pr[1].abs() <= 0.6 && pr[2] == 1.0);
                let u = &us[3 * (k % 50)..];
                if k < 50 {
                    assert_eq!(pr[0], (0.5 + 0.3 * u[0]).clamp(-0.6, 0.6));
                }
            }
        }
    }
}

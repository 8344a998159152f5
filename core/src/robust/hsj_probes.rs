//! The gradient-estimate probes of HopSkipJump: around each row's boundary point `c`, `m` points
//! `c + δ·u` with `u` uniform on the unit sphere (L2: normalised standard normals) or in the
//! cube (L∞: uniform coordinates, normalised), clipped to the data box and projected on the
//! constraints; `u` is then re-derived as `(p − c)/δ` wherever the clip or the projection moved
//! the point. Rows are built in parallel (feature `parallel`), each from its own RNG stream
//! `(seed, 1 + t·2³² + row)`, so the probes do not depend on the number of threads.
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

// `#[inline]` (size, issue 5) on the cold functions of this file: compiled in the crate
// that calls them, so at opt-level "z" in the WASM module (Cargo.toml, wasm-release).
#[inline]
fn pdf(x: f64) -> f64 {
    exp(-0.5 * x * x)
}

#[inline]
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
#[inline]
pub fn ziggurat_normal(rng: &mut impl Rng) -> f64 {
    draw(tables(), rng)
}

#[inline]
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

/// One row's probes: its original row, boundary point, probe count, probe radius and stream.
#[derive(Debug)]
pub struct ProbeRow<'a> {
    /// The original row (constraints are relative to it).
    pub x0: ArrayView1<'a, f64>,
    /// The boundary point the probes surround.
    pub center: ArrayView1<'a, f64>,
    /// Number of probes.
    pub m: usize,
    /// Probe radius δ.
    pub delta: f64,
    /// RNG stream of this row's probes.
    pub stream: u64,
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

/// Fill one row's probes (`pts` and `us`: `m × d`, row-major).
#[inline]
fn fill(row: &ProbeRow<'_>, space: &ProbeSpace<'_>, pts: &mut [f64], us: &mut [f64]) {
    let d = row.x0.len();
    let mut rng = seeded(space.seed, row.stream);
    let (x0, c) = (row.x0, row.center);
    // The clip box, widened to contain the original value.
    let boxes: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            let o = x0.get(j).copied().unwrap_or(0.0);
            let a = space.lo.get(j).copied().unwrap_or(o).min(o);
            let b = space.hi.get(j).copied().unwrap_or(o).max(o);
            (a, b)
        })
        .collect();
    let constrained = !space.constraints.is_empty();
    let inv_delta = 1.0 / row.delta;
    let zig = tables();
    for (p, u) in pts.chunks_exact_mut(d).zip(us.chunks_exact_mut(d)) {
        let mut sq = 0.0;
        for (v, &mu) in u.iter_mut().zip(space.mutable.iter()) {
            *v = if mu {
                match space.norm {
                    Norm::L2 => draw(zig, &mut rng),
                    Norm::Linf => 2.0 * uniform01(&mut rng) - 1.0,
                }
            } else {
                0.0
            };
            sq += *v * *v;
        }
        let scale = if sq > 0.0 { 1.0 / sq.sqrt() } else { 0.0 };
        let mut moved = false;
        for (((pv, uv), cv), (a, b)) in p.iter_mut().zip(u.iter_mut()).zip(c.iter()).zip(&boxes) {
            *uv *= scale;
            let q = cv + row.delta * *uv;
            *pv = q.clamp(*a, *b);
            moved |= *pv != q;
        }
        if constrained {
            space
                .constraints
                .project(x0, ndarray::ArrayViewMut1::from(&mut *p));
            moved = true;
        }
        if moved {
            for ((uv, pv), cv) in u.iter_mut().zip(p.iter()).zip(c.iter()) {
                *uv = (pv - cv) * inv_delta;
            }
        }
    }
}

/// All probes of all rows, stacked in row order: `(points, directions)`, each
/// `Σ m × d`.
#[inline]
pub fn build_probes(
    rows: &[ProbeRow<'_>],
    space: &ProbeSpace<'_>,
    d: usize,
) -> (Array2<f64>, Array2<f64>) {
    let total: usize = rows.iter().map(|r| r.m).sum();
    let mut pts = vec![0.0; total * d];
    let mut us = vec![0.0; total * d];
    {
        let mut jobs = Vec::with_capacity(rows.len());
        let (mut p_rest, mut u_rest) = (pts.as_mut_slice(), us.as_mut_slice());
        for row in rows {
            let (p, pr) = p_rest.split_at_mut(row.m * d);
            let (u, ur) = u_rest.split_at_mut(row.m * d);
            jobs.push((row, p, u));
            p_rest = pr;
            u_rest = ur;
        }
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            jobs.into_par_iter()
                .for_each(|(row, p, u)| fill(row, space, p, u));
        }
        #[cfg(not(feature = "parallel"))]
        for (row, p, u) in jobs {
            fill(row, space, p, u);
        }
    }
    let pts = Array2::from_shape_vec((total, d), pts).unwrap_or_else(|_| Array2::zeros((0, d)));
    let us = Array2::from_shape_vec((total, d), us).unwrap_or_else(|_| Array2::zeros((0, d)));
    (pts, us)
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
    fn probes_do_not_depend_on_threads_and_respect_the_box() {
        let x0 = ndarray::array![0.0, 0.0, 1.0];
        let c = ndarray::array![0.5, -0.5, 1.0];
        let rows: Vec<ProbeRow<'_>> = (0..4)
            .map(|k| ProbeRow {
                x0: x0.view(),
                center: c.view(),
                m: 50,
                delta: 0.3,
                stream: k,
            })
            .collect();
        let cons = Constraints {
            immutable: vec![2],
            ..Constraints::default()
        };
        let space = ProbeSpace {
            norm: Norm::L2,
            mutable: &[true, true, false],
            lo: &[-0.6, -0.6, 1.0],
            hi: &[0.6, 0.6, 1.0],
            constraints: &cons,
            seed: 3,
        };
        let (p, u) = build_probes(&rows, &space, 3);
        let (p1, _) = build_probes(&rows[..1], &space, 3);
        assert_eq!(p.slice(ndarray::s![0..50, ..]), p1);
        for (pr, ur) in p.outer_iter().zip(u.outer_iter()) {
            assert!(pr[0].abs() <= 0.6 && pr[1].abs() <= 0.6 && pr[2] == 1.0);
            assert!((pr[0] - (0.5 + 0.3 * ur[0])).abs() < 1e-12);
        }
    }
}

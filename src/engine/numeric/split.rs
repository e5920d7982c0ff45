//! The passes of the logistic Newton-Raphson on a large design whose
//! columns are mostly 0/1 (the intercept and the dummies of categorical
//! covariates) with a few other columns (numeric covariates).
//!
//! # Method
//! Split each row xᵢ into its 0/1 part dᵢ and the rest zᵢ. The 0/1 parts
//! take few distinct values (patterns) d₁..d_K, so with wᵢ = nᵢpᵢ(1 - pᵢ)
//! and rᵢ = yᵢ - nᵢpᵢ:
//! - ηᵢ = d_k·β_d + zᵢ·β_z (the first term once per pattern),
//! - the score Xᵀr = (Σ_k d_k Σ_{i∈k} rᵢ, Σᵢ rᵢ zᵢ),
//! - the information XᵀWX has the blocks Σ_k (Σ_{i∈k} wᵢ) d_k d_kᵀ,
//!   Σ_k d_k (Σ_{i∈k} wᵢ zᵢ)ᵀ and Σᵢ wᵢ zᵢ zᵢᵀ.
//!
//! Per patient that is a few sums instead of a p x p product: the same
//! quantities, summed in another order (equal to rounding). The pattern
//! sums are gathered per stretch of rows and added in a fixed order, so
//! the result never depends on the number of cores.

use std::collections::HashMap;
use std::ops::Range;

use nalgebra::DMatrix;

use super::irls::{dev_term, sigmoid};
use super::RowMatrix;

/// Below this many rows the design is used as it is.
const MIN_ROWS: usize = 1 << 16;

/// At most this many patterns of the 0/1 columns.
const MAX_PATTERNS: usize = 1 << 16;

/// Hashes a pattern's bits with one multiplication (the keys are not
/// chosen by anyone, so no defence against collisions is needed).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, k: u64) {
        self.0 = (k ^ (k >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type BuildKey = std::hash::BuildHasherDefault<KeyHasher>;

/// A design cut into its 0/1 columns (by pattern) and the others.
pub(super) struct Split {
    /// The design's 0/1 columns and the others, in order.
    binary: Vec<usize>,
    other: Vec<usize>,
    /// Per pattern, its values of the 0/1 columns (row-major, K x |binary|).
    patterns: Vec<f64>,
    /// Per row, its pattern.
    pattern: Vec<u32>,
    /// Per row, its values of the other columns (row-major).
    z: Vec<f64>,
}

/// One stretch's sums at β.
struct StretchSums {
    /// Per pattern: Σw, Σr and Σwz (|other| each).
    sw: Vec<f64>,
    sr: Vec<f64>,
    swz: Vec<f64>,
    /// Σ r z and Σ w z zᵀ (upper triangle, packed by row).
    rz: Vec<f64>,
    wzz: Vec<f64>,
    fitted: Vec<f64>,
    dev: f64,
}

/// The score, the information and, on the final pass, the fitted values
/// and the deviance at β.
pub(super) type PassSums = (Vec<f64>, DMatrix<f64>, Vec<f64>, f64);

impl Split {
    /// The split of `x`, when it is large and its 0/1 columns take few
    /// patterns while the others are at most half its columns.
    pub(super) fn new(x: &RowMatrix) -> Option<Split> {
        let p = x.cols;
        if x.rows < MIN_ROWS || p == 0 {
            return None;
        }
        let mut is_binary = vec![true; p];
        for r in x.data.chunks_exact(p) {
            for (b, &v) in is_binary.iter_mut().zip(r) {
                *b &= v == 0.0 || v == 1.0;
            }
        }
        let binary: Vec<usize> = (0..p).filter(|&j| is_binary[j]).collect();
        let other: Vec<usize> = (0..p).filter(|&j| !is_binary[j]).collect();
        if binary.len() > 64 || 2 * other.len() > p {
            return None;
        }
        let limit = MAX_PATTERNS.min(x.rows / 16);
        let mut index: HashMap<u64, u32, BuildKey> = HashMap::default();
        let mut patterns = Vec::new();
        let mut pattern = Vec::with_capacity(x.rows);
        let mut z = Vec::with_capacity(x.rows * other.len());
        for r in x.data.chunks_exact(p) {
            let key = binary
                .iter()
                .enumerate()
                .fold(0u64, |k, (bit, &j)| k | (u64::from(r[j] == 1.0) << bit));
            let next = index.len() as u32;
            let k = *index.entry(key).or_insert(next);
            if k == next {
                if index.len() > limit {
                    return None;
                }
                patterns.extend(binary.iter().map(|&j| r[j]));
            }
            pattern.push(k);
            z.extend(other.iter().map(|&j| r[j]));
        }
        Some(Split {
            binary,
            other,
            patterns,
            pattern,
            z,
        })
    }

    fn patterns(&self) -> usize {
        self.patterns.len() / self.binary.len().max(1)
    }

    /// [`Split::stretch`] with `Q` other columns known when compiled (the
    /// loops over them unrolled): the same sums in the same order.
    fn stretch_fixed<const Q: usize>(
        &self,
        eta_d: &[f64],
        beta_z: &[f64],
        n: &[f64],
        y: &[f64],
        rows: Range<usize>,
        last: bool,
    ) -> StretchSums {
        let k = self.patterns();
        let mut bz = [0.0; Q];
        bz.copy_from_slice(beta_z);
        let (mut sw, mut sr) = (vec![0.0; k], vec![0.0; if last { 0 } else { k }]);
        let mut swz = vec![[0.0; Q]; k];
        let (mut rz, mut wzz) = ([0.0; Q], [[0.0; Q]; Q]);
        let mut fitted = Vec::with_capacity(if last { rows.len() } else { 0 });
        let mut dev = 0.0;
        let z = self.z[rows.start * Q..rows.end * Q].chunks_exact(Q.max(1));
        for (i, zs) in rows.zip(z) {
            let mut zi = [0.0; Q];
            zi.copy_from_slice(zs);
            let pk = self.pattern[i] as usize;
            let eta = eta_d[pk] + zi.iter().zip(&bz).map(|(a, b)| a * b).sum::<f64>();
            let mu = sigmoid(eta);
            let w = n[i] * mu * (1.0 - mu);
            sw[pk] += w;
            for (acc, &v) in swz[pk].iter_mut().zip(&zi) {
                *acc += w * v;
            }
            for a in 0..Q {
                let wa = w * zi[a];
                for b in a..Q {
                    wzz[a][b] += wa * zi[b];
                }
            }
            if last {
                dev += dev_term(y[i], n[i], eta);
                fitted.push(mu);
            } else {
                let resid = y[i] - n[i] * mu;
                sr[pk] += resid;
                for (acc, &v) in rz.iter_mut().zip(&zi) {
                    *acc += resid * v;
                }
            }
        }
        StretchSums {
            sw,
            sr,
            swz: swz.concat(),
            rz: rz.to_vec(),
            wzz: (0..Q).flat_map(|a| wzz[a][a..].to_vec()).collect(),
            fitted,
            dev,
        }
    }

    /// The sums over the rows `rows` at β, given each pattern's d·β.
    fn stretch(
        &self,
        eta_d: &[f64],
        beta_z: &[f64],
        n: &[f64],
        y: &[f64],
        rows: Range<usize>,
        last: bool,
    ) -> StretchSums {
        let (q, k) = (self.other.len(), self.patterns());
        match q {
            1 => return self.stretch_fixed::<1>(eta_d, beta_z, n, y, rows, last),
            2 => return self.stretch_fixed::<2>(eta_d, beta_z, n, y, rows, last),
            3 => return self.stretch_fixed::<3>(eta_d, beta_z, n, y, rows, last),
            4 => return self.stretch_fixed::<4>(eta_d, beta_z, n, y, rows, last),
            _ => {}
        }
        let mut s = StretchSums {
            sw: vec![0.0; k],
            sr: vec![0.0; if last { 0 } else { k }],
            swz: vec![0.0; k * q],
            rz: vec![0.0; q],
            wzz: vec![0.0; q * (q + 1) / 2],
            fitted: Vec::with_capacity(if last { rows.len() } else { 0 }),
            dev: 0.0,
        };
        for i in rows {
            let zi = &self.z[i * q..(i + 1) * q];
            let pk = self.pattern[i] as usize;
            let eta = eta_d[pk] + zi.iter().zip(beta_z).map(|(a, b)| a * b).sum::<f64>();
            let mu = sigmoid(eta);
            let w = n[i] * mu * (1.0 - mu);
            s.sw[pk] += w;
            for (acc, &v) in s.swz[pk * q..(pk + 1) * q].iter_mut().zip(zi) {
                *acc += w * v;
            }
            let mut at = 0;
            for a in 0..q {
                let wa = w * zi[a];
                for (acc, &v) in s.wzz[at..at + q - a].iter_mut().zip(&zi[a..]) {
                    *acc += wa * v;
                }
                at += q - a;
            }
            if last {
                s.dev += dev_term(y[i], n[i], eta);
                s.fitted.push(mu);
            } else {
                let resid = y[i] - n[i] * mu;
                s.sr[pk] += resid;
                for (acc, &v) in s.rz.iter_mut().zip(zi) {
                    *acc += resid * v;
                }
            }
        }
        s
    }

    /// The score (not on the final pass), the information, and on the
    /// final pass the fitted values and the deviance, at β, over the
    /// given stretches of rows.
    pub(super) fn pass(
        &self,
        beta: &[f64],
        n: &[f64],
        y: &[f64],
        stretches: &[Range<usize>],
        last: bool,
    ) -> PassSums {
        let (nb, q, k) = (self.binary.len(), self.other.len(), self.patterns());
        let beta_d: Vec<f64> = self.binary.iter().map(|&j| beta[j]).collect();
        let beta_z: Vec<f64> = self.other.iter().map(|&j| beta[j]).collect();
        let eta_d: Vec<f64> = self
            .patterns
            .chunks_exact(nb.max(1))
            .take(k)
            .map(|d| d.iter().zip(&beta_d).map(|(a, b)| a * b).sum())
            .collect();
        let parts = crate::engine::parallel::map(stretches.len(), |j| {
            self.stretch(&eta_d, &beta_z, n, y, stretches[j].clone(), last)
        });
        let mut total = StretchSums {
            sw: vec![0.0; k],
            sr: vec![0.0; if last { 0 } else { k }],
            swz: vec![0.0; k * q],
            rz: vec![0.0; q],
            wzz: vec![0.0; q * (q + 1) / 2],
            fitted: Vec::with_capacity(if last { self.pattern.len() } else { 0 }),
            dev: 0.0,
        };
        for s in parts {
            let add = |to: &mut Vec<f64>, from: &[f64]| {
                for (a, b) in to.iter_mut().zip(from) {
                    *a += b;
                }
            };
            add(&mut total.sw, &s.sw);
            add(&mut total.sr, &s.sr);
            add(&mut total.swz, &s.swz);
            add(&mut total.rz, &s.rz);
            add(&mut total.wzz, &s.wzz);
            total.fitted.extend(s.fitted);
            total.dev += s.dev;
        }
        let (grad, info) = self.assemble(&total, beta.len(), last);
        (grad, info, total.fitted, total.dev)
    }

    /// The score and the information from the pattern sums.
    fn assemble(&self, t: &StretchSums, p: usize, last: bool) -> (Vec<f64>, DMatrix<f64>) {
        let (nb, q) = (self.binary.len(), self.other.len());
        let mut grad = vec![0.0; p];
        let mut info = DMatrix::<f64>::zeros(p, p);
        // Each pair of columns once, written on both sides.
        let mut put = |a: usize, b: usize, v: f64| {
            info[(a, b)] += v;
            if a != b {
                info[(b, a)] += v;
            }
        };
        for (kk, d) in self.patterns.chunks_exact(nb.max(1)).enumerate() {
            if nb == 0 {
                break;
            }
            let (sw, swz) = (t.sw[kk], &t.swz[kk * q..(kk + 1) * q]);
            for (a, &da) in d.iter().enumerate() {
                if da == 0.0 {
                    continue;
                }
                let ja = self.binary[a];
                if !last {
                    grad[ja] += t.sr[kk];
                }
                for (b, &db) in d.iter().enumerate().skip(a) {
                    if db != 0.0 {
                        put(ja, self.binary[b], sw);
                    }
                }
                for (c, &v) in swz.iter().enumerate() {
                    put(ja, self.other[c], v);
                }
            }
        }
        if !last {
            for (c, &v) in t.rz.iter().enumerate() {
                grad[self.other[c]] = v;
            }
        }
        let mut at = 0;
        for a in 0..q {
            for b in a..q {
                put(self.other[a], self.other[b], t.wzz[at]);
                at += 1;
            }
        }
        (grad, info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern sums give the score, the information, the fitted values
    /// and the deviance of the patients one by one.
    #[test]
    fn equals_the_sums_over_the_rows() {
        // Two other columns (unrolled loops) and five (the general ones).
        for extra in [0, 3] {
            sums_over_the_rows(extra);
        }
    }

    fn sums_over_the_rows(extra: usize) {
        let (rows, p) = (MIN_ROWS + 7, 6 + 2 * extra);
        let mut rng = crate::engine::rng::Rng::seed_from_u64(5);
        let mut data = Vec::with_capacity(rows * p);
        let (mut n, mut y) = (Vec::new(), Vec::new());
        for _ in 0..rows {
            let level = rng.below(3);
            // An intercept, a numeric covariate between two dummies, an
            // ordinal code and a 0/1 column; then numeric and 0/1 pairs.
            data.extend_from_slice(&[
                1.0,
                f64::from(level == 1),
                rng.normal(),
                f64::from(level == 2),
                1.0 + rng.below(4) as f64,
                f64::from(rng.uniform() < 0.3),
            ]);
            for _ in 0..extra {
                data.extend_from_slice(&[rng.normal(), f64::from(level == 0)]);
            }
            let ni = 0.5 + rng.uniform();
            n.push(ni);
            y.push(if rng.uniform() < 0.4 { ni } else { 0.0 });
        }
        let x = RowMatrix {
            rows,
            cols: p,
            data,
        };
        let split = Split::new(&x).expect("a split design");
        let others: Vec<usize> = [2, 4]
            .into_iter()
            .chain((0..extra).map(|e| 6 + 2 * e))
            .collect();
        assert_eq!(split.other, others);
        assert_eq!(split.binary.len() + others.len(), p);
        assert_eq!(split.patterns(), 6);
        let beta: Vec<f64> = (0..p).map(|j| 0.3 - 0.1 * j as f64).collect();
        let stretches = crate::engine::parallel::ranges(rows, 8, 1);
        let (grad, info, _, _) = split.pass(&beta, &n, &y, &stretches, false);
        let (_, info_last, fitted, dev) = split.pass(&beta, &n, &y, &stretches, true);
        let mut g = vec![0.0; p];
        let mut m = DMatrix::<f64>::zeros(p, p);
        let mut d = 0.0;
        for i in 0..rows {
            let r = x.row(i);
            let eta: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let mu = sigmoid(eta);
            assert!((fitted[i] - mu).abs() < 1e-14);
            d += dev_term(y[i], n[i], eta);
            for a in 0..p {
                g[a] += r[a] * (y[i] - n[i] * mu);
                for b in 0..p {
                    m[(a, b)] += n[i] * mu * (1.0 - mu) * r[a] * r[b];
                }
            }
        }
        assert!((dev - d).abs() < 1e-10 * d);
        for a in 0..p {
            assert!((grad[a] - g[a]).abs() < 1e-9 * g[a].abs().max(1.0), "{a}");
            for b in 0..p {
                let v = m[(a, b)];
                assert!(
                    (info[(a, b)] - v).abs() < 1e-10 * v.abs().max(1.0),
                    "{a} {b}"
                );
                assert_eq!(info[(a, b)], info[(b, a)]);
                assert_eq!(info[(a, b)], info_last[(a, b)]);
            }
        }
    }

    /// Small designs, many patterns, or mostly other columns: no split.
    #[test]
    fn only_large_designs_of_mostly_binary_columns() {
        let design = |rows: usize, row: &dyn Fn(usize) -> Vec<f64>| {
            let data: Vec<f64> = (0..rows).flat_map(row).collect();
            RowMatrix {
                rows,
                cols: data.len() / rows,
                data,
            }
        };
        let dummy = |i: usize| f64::from(i.is_multiple_of(3));
        let small = design(1000, &|i| vec![1.0, dummy(i), i as f64]);
        assert!(Split::new(&small).is_none());
        let large = MIN_ROWS + 1;
        assert!(Split::new(&design(large, &|i| vec![1.0, dummy(i), i as f64])).is_some());
        // Two other columns of three.
        assert!(Split::new(&design(large, &|i| vec![1.0, 2.0 * dummy(i), i as f64])).is_none());
        // A pattern for almost every row.
        let bits = |i: usize| (0..20).map(move |b| f64::from((i >> b) & 1 == 1));
        let many = design(large, &|i| std::iter::once(1.0).chain(bits(i)).collect());
        assert!(Split::new(&many).is_none());
    }
}

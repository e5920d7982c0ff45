//! Fisher's test with a simulated P value, as R's
//! `fisher.test(simulate.p.value = TRUE, B = 10000)`: random tables with
//! the observed margins (each a multivariate hypergeometric draw, row by
//! row, column by column), and P = (1 + #{tables no more probable than the
//! observed one}) / (B + 1), with R's tolerance `1 + 64 eps`. Used when the
//! exact computation is past its work bound; seeded (`engine::rng`), so the
//! same table always gives the same P.

use super::{ContingencyTable, TestKind, TestResult};
use crate::engine::rng::Rng;

/// Random tables drawn (R's default `B`).
pub const SIMULATED_TABLES: u32 = 10_000;

/// The seed of the draws.
pub const SIMULATION_SEED: u64 = 1;

/// One hypergeometric draw: successes among `n` draws from `total` items of
/// which `k` are successes, by inversion from the mode outwards.
fn hypergeometric(rng: &mut Rng, total: u64, k: u64, n: u64, log_fact: &[f64]) -> u64 {
    let lo = n.saturating_sub(total - k);
    let hi = n.min(k);
    if lo == hi {
        return lo;
    }
    let lf = |v: u64| log_fact[v as usize];
    let log_p = |x: u64| {
        lf(k) - lf(x) - lf(k - x) + lf(total - k) - lf(n - x) - lf(total - k + x - n) - lf(total)
            + lf(n)
            + lf(total - n)
    };
    let mode =
        (((n + 1) as f64 * (k + 1) as f64 / (total + 2) as f64).floor() as u64).clamp(lo, hi);
    let p_mode = log_p(mode).exp();
    let mut u = rng.uniform() - p_mode;
    if u < 0.0 {
        return mode;
    }
    let (mut down, mut up) = (mode, mode);
    let (mut p_down, mut p_up) = (p_mode, p_mode);
    let m = total - k;
    loop {
        let can_down = down > lo;
        let can_up = up < hi;
        if !can_down && !can_up {
            return mode;
        }
        // p(x-1)/p(x) = x (m - n + x) / ((k - x + 1)(n - x + 1))
        if can_down {
            let x = down;
            p_down *= (x as f64 * (m + x - n) as f64) / ((k - x + 1) as f64 * (n - x + 1) as f64);
            down -= 1;
            u -= p_down;
            if u < 0.0 {
                return down;
            }
        }
        // p(x+1)/p(x) = (k - x)(n - x) / ((x + 1)(m - n + x + 1))
        if can_up {
            let x = up;
            p_up *= ((k - x) as f64 * (n - x) as f64) / ((x + 1) as f64 * (m + x + 1 - n) as f64);
            up += 1;
            u -= p_up;
            if u < 0.0 {
                return up;
            }
        }
    }
}

/// Two-sided Fisher test with a P value simulated from
/// [`SIMULATED_TABLES`] random tables (seed [`SIMULATION_SEED`]).
pub fn fisher_simulated(t: &ContingencyTable) -> TestResult {
    let rows: Vec<u64> = t.counts.iter().map(|r| r.iter().sum()).collect();
    let ncol = t.counts.first().map_or(0, Vec::len);
    let cols: Vec<u64> = (0..ncol)
        .map(|j| t.counts.iter().map(|r| r[j]).sum())
        .collect();
    let n: u64 = rows.iter().sum();
    let mut log_fact = vec![0.0; n as usize + 1];
    for k in 1..=n as usize {
        log_fact[k] = log_fact[k - 1] + (k as f64).ln();
    }
    let stat = |x: &mut dyn Iterator<Item = u64>| -x.map(|v| log_fact[v as usize]).sum::<f64>();
    let observed = stat(&mut t.counts.iter().flatten().copied());
    let almost_one = 1.0 + 64.0 * f64::EPSILON;
    let cutoff = observed / almost_one;
    let mut rng = Rng::seed_from_u64(SIMULATION_SEED);
    let mut hits = 0u64;
    let mut left = vec![0u64; ncol];
    for _ in 0..SIMULATED_TABLES {
        left.copy_from_slice(&cols);
        let mut pool = n;
        let mut s = 0.0;
        for (i, &r) in rows.iter().enumerate() {
            let mut draws = r;
            let mut rest = pool;
            for (j, cap) in left.iter_mut().enumerate() {
                let x = if i + 1 == rows.len() {
                    *cap
                } else if j + 1 == ncol {
                    draws
                } else {
                    hypergeometric(&mut rng, rest, *cap, draws, &log_fact)
                };
                rest -= *cap;
                *cap -= x;
                draws -= x;
                s -= log_fact[x as usize];
            }
            pool -= r;
        }
        if s <= cutoff {
            hits += 1;
        }
    }
    TestResult {
        test: TestKind::FisherSimulated,
        statistic: None,
        df: None,
        p_value: (1 + hits) as f64 / (SIMULATED_TABLES as f64 + 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The draws have the hypergeometric mean and variance.
    #[test]
    fn hypergeometric_moments() {
        let (total, k, n) = (60u64, 25u64, 18u64);
        let mut lf = vec![0.0; 61];
        for i in 1..=60 {
            lf[i] = lf[i - 1] + (i as f64).ln();
        }
        let mut rng = Rng::seed_from_u64(3);
        let draws: Vec<f64> = (0..40_000)
            .map(|_| hypergeometric(&mut rng, total, k, n, &lf) as f64)
            .collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        let (nf, kf, tf) = (n as f64, k as f64, total as f64);
        let m = nf * kf / tf;
        let v = m * (1.0 - kf / tf) * (tf - nf) / (tf - 1.0);
        assert!((mean - m).abs() < 0.03, "{mean} {m}");
        assert!((var / v - 1.0).abs() < 0.03, "{var} {v}");
    }
}

#[cfg(test)]
mod compare {
    use super::*;

    #[test]
    fn simulated_near_exact_on_small_tables() {
        for counts in [
            vec![vec![3u64, 0, 2], vec![1, 4, 0], vec![0, 2, 5]],
            vec![
                vec![0, 2, 4, 1, 3],
                vec![3, 0, 2, 4, 1],
                vec![1, 3, 0, 2, 4],
            ],
        ] {
            let t = ContingencyTable::new(&counts).unwrap();
            let e = super::super::fisher_exact(&t).unwrap().p_value;
            let s = fisher_simulated(&t).p_value;
            assert!(
                (e - s).abs() < 4.0 * (e * (1.0 - e) / 1e4).sqrt() + 2e-4,
                "{counts:?} exact {e} sim {s}"
            );
        }
    }
}

//! Gray's (1988) test of equal cumulative incidence of one cause across
//! k groups, as `cmprsk::cuminc` computes it (its `crstm`/`crst`), without
//! strata.
//!
//! # Formula
//! At each distinct time, per group g with Rᵍ at risk, left-continuous
//! event-free Sᵍ⁻ and incidence Fᵍ⁻ of the cause: the weights
//! hᵍ = Rᵍ/Sᵍ⁻, h = Σ hᵍ, and q = Σ Rᵍ(1 - Fᵍ⁻)/Sᵍ⁻; the pooled
//! incidence F = F⁻ + d₁/h with d₁ the cause's events in all groups.
//! The score of group g is Σ_t (1 - F⁻)^ρ (d₁ᵍ - d₁ Rᵍ(1 - Fᵍ⁻)/(Sᵍ⁻ q)),
//! the weighted difference between the group's observed and expected
//! subdistribution events. Its covariance is the martingale variance of
//! Gray (1988, Ann Stat 16:1141, section 2), accumulated over the cause's
//! and the other causes' event times with the same tie factor as the
//! estimate's (1 - (m - 1)/(n - 1) for m tied events). The statistic is
//! sᵀ V⁻¹ s over the first k - 1 groups, chi-square on k - 1 df (ρ = 0,
//! cuminc's default); none when V is singular (cuminc's -1).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Gray's test for one cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrayTest {
    /// The cause's level.
    pub cause: String,
    /// The chi-square statistic; `None` when its variance is singular
    /// (e.g. no event of the cause).
    pub statistic: Option<f64>,
    pub df: usize,
    pub p_value: Option<f64>,
}

/// The running sums of the variance (Gray's c, a, v₂, v₃ and v).
struct Sums {
    /// c (k x k), accumulated.
    c: Vec<f64>,
    /// a (k x k) at the current time.
    a: Vec<f64>,
    v3: Vec<f64>,
    /// v₂ ((k-1) x k).
    v2: Vec<f64>,
    /// v ((k-1) x (k-1)).
    v: Vec<f64>,
    /// The score.
    s: Vec<f64>,
}

/// The left-continuous and right-continuous per-group estimates.
struct Curves {
    rs: Vec<usize>,
    skmm: Vec<f64>,
    skm: Vec<f64>,
    f1m: Vec<f64>,
    f1: Vec<f64>,
}

/// Gray's statistic for cause `which` (1-based code in `cause`) from the
/// patients in time order: `sorted` the times, `cause[i]`/`group[i]` of
/// the patient at position i.
pub(crate) fn gray_sorted(
    sorted: &[f64],
    cause: &[u8],
    group: &[usize],
    k: usize,
    which: u8,
    rho: f64,
) -> (Option<f64>, Option<f64>) {
    if k < 2 {
        return (None, None);
    }
    let k1 = k - 1;
    let mut rs = vec![0usize; k];
    for &g in group {
        rs[g] += 1;
    }
    let mut cur = Curves {
        rs,
        skmm: vec![1.0; k],
        skm: vec![1.0; k],
        f1m: vec![0.0; k],
        f1: vec![0.0; k],
    };
    let mut sums = Sums {
        c: vec![0.0; k * k],
        a: vec![0.0; k * k],
        v3: vec![0.0; k],
        v2: vec![0.0; k1 * k],
        v: vec![0.0; k1 * k1],
        s: vec![0.0; k1],
    };
    let mut fm = 0.0f64;
    // d[g] = (censored, this cause, other causes) at the current time.
    let mut d = vec![[0usize; 3]; k];
    for run in crate::engine::survival::runs(sorted) {
        d.iter_mut().for_each(|x| *x = [0; 3]);
        for i in run.clone() {
            let kind = match cause[i] {
                0 => 0,
                c if c == which => 1,
                _ => 2,
            };
            d[group[i]][kind] += 1;
        }
        let nd1: usize = d.iter().map(|x| x[1]).sum();
        let nd2: usize = d.iter().map(|x| x[2]).sum();
        if nd1 + nd2 > 0 {
            fm = gray_time(&mut cur, &mut sums, &d, nd1, nd2, fm, rho);
        }
        for i in run {
            cur.rs[group[i]] -= 1;
        }
        cur.f1m.clone_from(&cur.f1);
        cur.skmm.clone_from(&cur.skm);
    }
    statistic(&sums, k)
}

/// One event time of Gray's sums; returns the pooled incidence after it.
fn gray_time(
    cur: &mut Curves,
    sums: &mut Sums,
    d: &[[usize; 3]],
    nd1: usize,
    nd2: usize,
    fm: f64,
    rho: f64,
) -> f64 {
    let k = d.len();
    let (mut tr, mut tq) = (0.0f64, 0.0f64);
    for g in (0..k).filter(|&g| cur.rs[g] > 0) {
        let r = cur.rs[g] as f64;
        cur.skm[g] = cur.skmm[g] * (r - (d[g][1] + d[g][2]) as f64) / r;
        cur.f1[g] = cur.f1m[g] + cur.skmm[g] * d[g][1] as f64 / r;
        tr += r / cur.skmm[g];
        tq += r * (1.0 - cur.f1m[g]) / cur.skmm[g];
    }
    let nd1f = nd1 as f64;
    let f = fm + nd1f / tr;
    let fb = (1.0 - fm).powf(rho);
    // a at this time (symmetric), c accumulated.
    sums.a.iter_mut().for_each(|x| *x = 0.0);
    for i in (0..k).filter(|&i| cur.rs[i] > 0) {
        let t1 = cur.rs[i] as f64 / cur.skmm[i];
        for j in (i..k).filter(|&j| cur.rs[j] > 0) {
            let a = if i == j {
                fb * t1 * (1.0 - t1 / tr)
            } else {
                -fb * t1 * cur.rs[j] as f64 / (cur.skmm[j] * tr)
            };
            sums.a[i * k + j] = a;
            sums.a[j * k + i] = a;
            if a != 0.0 {
                sums.c[i * k + j] += a * nd1f / (tr * (1.0 - fm));
                sums.c[j * k + i] = sums.c[i * k + j];
            }
        }
    }
    for g in (0..k - 1).filter(|&g| cur.rs[g] > 0) {
        sums.s[g] += fb
            * (d[g][1] as f64 - nd1f * cur.rs[g] as f64 * (1.0 - cur.f1m[g]) / (cur.skmm[g] * tq));
    }
    if nd1 > 0 {
        for g in (0..k).filter(|&g| cur.rs[g] > 0) {
            let t4 = if cur.skm[g] > 0.0 {
                1.0 - (1.0 - f) / cur.skm[g]
            } else {
                1.0
            };
            let t5 = if nd1 > 1 {
                1.0 - (nd1f - 1.0) / (tr * cur.skmm[g] - 1.0)
            } else {
                1.0
            };
            let t3 = t5 * cur.skmm[g] * nd1f / (tr * cur.rs[g] as f64);
            add_variance(sums, g, t4, t3, |sums, i| {
                sums.a[i * k + g] - t4 * sums.c[i * k + g]
            });
        }
    }
    if nd2 > 0 {
        for g in (0..k).filter(|&g| cur.skm[g] > 0.0 && d[g][2] > 0) {
            let t4 = (1.0 - f) / cur.skm[g];
            let d2 = d[g][2] as f64;
            let r = cur.rs[g] as f64;
            let t5 = if d[g][2] > 1 {
                1.0 - (d2 - 1.0) / (r - 1.0)
            } else {
                1.0
            };
            let t3 = t5 * cur.skmm[g] * cur.skmm[g] * d2 / (r * r);
            add_variance(sums, g, t4, t3, |sums, i| -(t4 * sums.c[i * k + g]));
        }
    }
    f
}

/// Adds group g's term to v₃, v₂ and v, with `t1(i)` the group's
/// coefficient for score i (v₂ takes t1·t4·t3: for the other causes' term,
/// whose coefficient is -t4·c, that is the -t4·c·t4·t3 of the formula).
fn add_variance(sums: &mut Sums, g: usize, t4: f64, t3: f64, t1: impl Fn(&Sums, usize) -> f64) {
    let k = sums.v3.len();
    let k1 = k - 1;
    sums.v3[g] += t4 * t4 * t3;
    let coef: Vec<f64> = (0..k1).map(|i| t1(sums, i)).collect();
    for i in 0..k1 {
        sums.v2[i * k + g] += coef[i] * t4 * t3;
        for j in 0..=i {
            sums.v[i * k1 + j] += coef[i] * coef[j] * t3;
        }
    }
}

/// The statistic sᵀ V⁻¹ s and its P from the final sums.
fn statistic(sums: &Sums, k: usize) -> (Option<f64>, Option<f64>) {
    let k1 = k - 1;
    let mut v = nalgebra::DMatrix::<f64>::zeros(k1, k1);
    for i in 0..k1 {
        for j in 0..=i {
            let mut x = sums.v[i * k1 + j];
            for g in 0..k {
                let (ci, cj) = (sums.c[i * k + g], sums.c[j * k + g]);
                x += ci * cj * sums.v3[g] + ci * sums.v2[j * k + g] + cj * sums.v2[i * k + g];
            }
            v[(i, j)] = x;
            v[(j, i)] = x;
        }
    }
    let s = nalgebra::DVector::from_column_slice(&sums.s);
    // R's qr() rank test (tolerance 1e-7) before solving.
    let scale = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let qr = v.clone().qr();
    let r = qr.r();
    let full = scale > 0.0 && (0..k1).all(|i| r[(i, i)].abs() > 1e-7 * scale);
    if !full {
        return (None, None);
    }
    let Some(x) = qr.solve(&s) else {
        return (None, None);
    };
    let stat = s.dot(&x);
    let p = ChiSquared::new(k1 as f64).map_or(f64::NAN, |c| c.sf(stat));
    (Some(stat), Some(p).filter(|p| !p.is_nan()))
}

/// Gray's test for each cause (`cause`: 0 censored, k >= 1 `causes[k-1]`)
/// across the `groups` groups of `group`, with weight power `rho` (0 in
/// cuminc's default); empty with one group.
pub fn gray_tests(
    time: &[f64],
    cause: &[u8],
    group: &[usize],
    groups: usize,
    causes: &[String],
    rho: f64,
) -> Vec<GrayTest> {
    if groups < 2 {
        return Vec::new();
    }
    let (sorted, order) = crate::engine::numeric::sort_with_order(time, false);
    let c: Vec<u8> = order.iter().map(|&i| cause[i]).collect();
    let g: Vec<usize> = order.iter().map(|&i| group[i]).collect();
    crate::engine::parallel::map(causes.len(), |k| {
        let which = u8::try_from(k + 1).unwrap_or(u8::MAX);
        let (statistic, p_value) = gray_sorted(&sorted, &c, &g, groups, which, rho);
        GrayTest {
            cause: causes[k].clone(),
            statistic,
            df: groups - 1,
            p_value,
        }
    })
}

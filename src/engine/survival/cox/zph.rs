//! The test of proportional hazards as R's `cox.zph(fit, transform =
//! "km")` (Therneau & Grambsch 2000, ch. 6).
//!
//! # Formula
//! For each covariate, the score test at β̂ of adding β·g(t)·x, with g the
//! left-continuous Kaplan-Meier of all patients at the event times,
//! centred on its mean over the deaths: with U_t and V_t the score and
//! information of the event time t, U = Σ g_t U_t and
//! Var = Σ g_t² V_t - (Σ g_t V_t) (Σ V_t)⁻¹ (Σ g_t V_t)ᵀ; the test of a
//! term's columns is Uᵀ Var⁻¹ U on as many df, the global test all at once.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::fit::{centred, column_means};
use super::{CoxData, CoxFit, Ties};
use crate::engine::defaults::CONF_LEVEL;
use crate::engine::survival::{by_stratum_then_time, kaplan_meier, CiTransform};

/// One row of the proportional-hazards test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphRow {
    /// A term, or `GLOBAL`.
    pub term: String,
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
}

/// What [`for_each_event_time`] calls: (t, U_t, V_t).
type EventTimeVisitor<'a> = dyn FnMut(f64, &[f64], &[f64]) + 'a;

/// The death-set sums of one event time: D₀, D₁ and D₂ (lower triangle).
struct DeathSums {
    d0: f64,
    d1: Vec<f64>,
    d2: Vec<f64>,
}

/// Calls `visit(t, U_t, V_t)` for each distinct event time (within each
/// stratum): the score contribution U_t and information contribution V_t
/// at β (p x p, row-major). Nothing is kept per time: a million distinct
/// times cost no memory.
fn for_each_event_time(data: &CoxData, beta: &[f64], ties: Ties, visit: &mut EventTimeVisitor) {
    let p = beta.len();
    let n = data.time.len();
    let x = |i: usize| &data.x[i * p..(i + 1) * p];
    let risk: Vec<f64> = (0..n)
        .map(|i| x(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp())
        .collect();
    let order = by_stratum_then_time(data.time, data.stratum, true).order;
    let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let (mut u, mut v) = (vec![0.0; p], vec![0.0; p * p]);
    let mut ds = DeathSums {
        d0: 0.0,
        d1: vec![0.0; p],
        d2: vec![0.0; p * p],
    };
    let mut m = vec![0.0; p];
    let mut deaths = Vec::new();
    let mut current = usize::MAX;
    let mut k = 0;
    while k < n {
        let first = order[k];
        if data.stratum[first] != current {
            current = data.stratum[first];
            s0 = 0.0;
            s1.fill(0.0);
            s2.fill(0.0);
        }
        let t = data.time[first];
        deaths.clear();
        // s2 and d2 hold the lower triangle only (they are symmetric).
        while k < n && data.time[order[k]] == t && data.stratum[order[k]] == current {
            let i = order[k];
            let (ri, xi) = (risk[i], x(i));
            s0 += ri;
            for (a, &xa) in xi.iter().enumerate() {
                let ra = ri * xa;
                s1[a] += ra;
                for (cell, &xb) in s2[a * p..a * p + a + 1].iter_mut().zip(xi) {
                    *cell += ra * xb;
                }
            }
            if data.event[i] {
                deaths.push(i);
            }
            k += 1;
        }
        if deaths.is_empty() {
            continue;
        }
        u.fill(0.0);
        death_sums(&deaths, &risk, x, &mut u, &mut ds);
        v.fill(0.0);
        let d = deaths.len() as f64;
        for l in 0..deaths.len() {
            let f = match ties {
                Ties::Efron => l as f64 / d,
                Ties::Breslow => 0.0,
            };
            let a0 = s0 - f * ds.d0;
            for (a, ma) in m.iter_mut().enumerate() {
                *ma = (s1[a] - f * ds.d1[a]) / a0;
            }
            for a in 0..p {
                u[a] -= m[a];
                for b in 0..p {
                    let lower = if b <= a { a * p + b } else { b * p + a };
                    v[a * p + b] += (s2[lower] - f * ds.d2[lower]) / a0 - m[a] * m[b];
                }
            }
        }
        visit(t, &u, &v);
    }
}

/// The sums over the `deaths` of one time: Σ x into `u`, and D₀, D₁, D₂.
fn death_sums<'a>(
    deaths: &[usize],
    risk: &[f64],
    x: impl Fn(usize) -> &'a [f64],
    u: &mut [f64],
    ds: &mut DeathSums,
) {
    ds.d0 = 0.0;
    ds.d1.fill(0.0);
    ds.d2.fill(0.0);
    let p = u.len();
    for &i in deaths {
        let (ri, xi) = (risk[i], x(i));
        ds.d0 += ri;
        for (a, &xa) in xi.iter().enumerate() {
            u[a] += xa;
            ds.d1[a] += ri * xa;
            for (cell, &xb) in ds.d2[a * p..a * p + a + 1].iter_mut().zip(xi) {
                *cell += ri * xa * xb;
            }
        }
    }
}

/// Test of proportional hazards as R's `cox.zph(fit, transform = "km")`:
/// for each covariate, the score test at β̂ of adding β·g(t)·x (see the
/// module's formula), and the global test of all at once. `groups`
/// gathers the columns of one term (e.g. a factor's dummies) into one
/// test. Empty when the information at β̂ cannot be inverted.
pub fn cox_zph(data: &CoxData, fit: &CoxFit, groups: &[(String, Vec<usize>)]) -> Vec<ZphRow> {
    let p = fit.terms.len();
    // Centre as the fit did.
    let n = data.time.len();
    let means = column_means(data.x, p, n);
    let xc = centred(data.x, &means);
    let centred = CoxData { x: &xc, ..*data };
    let beta: Vec<f64> = fit.terms.iter().map(|t| t.coef).collect();
    // g(t): Kaplan-Meier of all patients just before t (its CI level does
    // not enter).
    let km = kaplan_meier(data.time, data.event, CiTransform::Log, CONF_LEVEL);
    // The rows are in time order: the last one before t by bisection.
    let s_before = |t: f64| match km.rows.partition_point(|r| r.time < t) {
        0 => 1.0,
        k => km.rows[k - 1].surv,
    };
    // The mean of g over the deaths.
    let (mut deaths, mut dg) = (0.0, 0.0);
    for (&t, _) in data.time.iter().zip(data.event).filter(|(_, &e)| e) {
        deaths += 1.0;
        dg += s_before(t);
    }
    let gbar = dg / deaths;
    // The sums, time by time.
    let mut u = DVector::<f64>::zeros(p);
    let (mut gg, mut gb, mut bb) = (vec![0.0; p * p], vec![0.0; p * p], vec![0.0; p * p]);
    for_each_event_time(&centred, &beta, fit.ties, &mut |t, ut, vt| {
        let gc = s_before(t) - gbar;
        for (ua, &x) in u.iter_mut().zip(ut) {
            *ua += gc * x;
        }
        for (k, &v) in vt.iter().enumerate() {
            gg[k] += gc * gc * v;
            gb[k] += gc * v;
            bb[k] += v;
        }
    });
    // Row-major p x p (V_t is symmetric, so the layout is moot).
    let igg = DMatrix::from_row_slice(p, p, &gg);
    let igb = DMatrix::from_row_slice(p, p, &gb);
    let ibb = DMatrix::from_row_slice(p, p, &bb);
    let Some(ibb_inv) = ibb.try_inverse() else {
        return Vec::new();
    };
    let var = &igg - &igb * ibb_inv * igb.transpose();
    let test = |cols: &[usize]| -> f64 {
        let k = cols.len();
        let uu = DVector::from_iterator(k, cols.iter().map(|&c| u[c]));
        let vv = DMatrix::from_fn(k, k, |a, b| var[(cols[a], cols[b])]);
        vv.try_inverse()
            .map_or(f64::NAN, |inv| (uu.transpose() * inv * &uu)[(0, 0)])
    };
    let row = |term: String, cols: &[usize]| {
        let c = test(cols);
        ZphRow {
            term,
            chi_square: c,
            df: cols.len(),
            p_value: ChiSquared::new(cols.len() as f64).map_or(f64::NAN, |d| d.sf(c)),
        }
    };
    let mut out: Vec<ZphRow> = groups
        .iter()
        .map(|(name, cols)| row(name.clone(), cols))
        .collect();
    let all: Vec<usize> = (0..p).collect();
    out.push(row("GLOBAL".into(), &all));
    out
}

//! Robust (sandwich) variance clustered by a column, as R's
//! `coxph(..., cluster = )`: the score residuals of each patient, summed
//! by cluster (Therneau & Grambsch 2000, ch. 7; Lin & Wei 1989).
//!
//! With case weights (R's coxscore2 and `residuals(fit, type = "dfbeta",
//! weighted = TRUE)`): the risk sets weigh each patient by wᵢ e^ηᵢ, the
//! hazard increment of each of the d terms of a tie run is w̄/a₀ₗ with w̄
//! the deaths' mean weight, and each patient's residual is multiplied by
//! its weight; V = D ᵀ D with D the weighted dfbeta residuals summed by
//! cluster (each patient its own cluster when none is named). The robust
//! score test is Uᵀ (Σ_c Ūc Ūcᵀ)⁻¹ U with the weighted score residuals
//! at β = 0.
//!
//! The patients come sorted by stratum, then time descending (the order
//! the fit visits them); each stratum is walked backwards, by time
//! ascending, with no allocation per patient.

use nalgebra::{DMatrix, DVector};

use super::{CoxData, Ties};
use crate::engine::survival::data::{by_stratum_then_time, runs};

/// Efron (or Breslow) score residuals at β of patients sorted by stratum,
/// then time descending, one row of p per patient in that order: they sum
/// to the score vector; summed by cluster, they give the robust variance.
pub(super) fn score_residuals(d: &CoxData, beta: &[f64], ties: Ties) -> Vec<f64> {
    let n = d.time.len();
    let p = beta.len();
    let risk: Vec<f64> = if beta.iter().all(|&b| b == 0.0) {
        vec![1.0; n]
    } else {
        d.x.chunks_exact(p.max(1))
            .map(|x| x.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp())
            .collect()
    };
    // The risk sets weigh each patient by its case weight too.
    let weighted: Option<Vec<f64>> = d
        .weights
        .map(|w| risk.iter().zip(w).map(|(r, w)| r * w).collect());
    let wrisk = weighted.as_deref().unwrap_or(&risk);
    let mut resid = vec![0.0; n * p];
    let mut walk = StratumWalk::new(d, &risk, wrisk, p);
    for s in runs(d.stratum) {
        walk.start(s.clone());
        // By time ascending: the runs of equal times from the end.
        let mut end = s.end;
        while end > s.start {
            let t = d.time[end - 1];
            let mut start = end - 1;
            while start > s.start && d.time[start - 1] == t {
                start -= 1;
            }
            walk.time(start..end, ties, &mut resid);
            end = start;
        }
    }
    // Weighted residuals (R's `residuals(fit, weighted = TRUE)`).
    if let Some(w) = d.weights {
        for (r, w) in resid.chunks_exact_mut(p.max(1)).zip(w) {
            r.iter_mut().for_each(|v| *v *= w);
        }
    }
    resid
}

/// One stratum's patients, walked by time ascending: the risk set shrinks
/// as the cumulative hazard terms grow.
struct StratumWalk<'a> {
    d: &'a CoxData<'a>,
    /// e^η, and e^η times the case weight.
    risk: &'a [f64],
    wrisk: &'a [f64],
    p: usize,
    /// Risk-set sums S₀ and S₁, from the full stratum down.
    s0: f64,
    s1: Vec<f64>,
    /// Cumulative hazard terms over the earlier event times: H = Σ 1/a,
    /// M = Σ m/a.
    h: f64,
    m: Vec<f64>,
    /// Scratch, p each: the deaths' sums, this time's terms for all and
    /// for the deaths, the deaths' mean of m, and the cumulated M.
    d1: Vec<f64>,
    m_all: Vec<f64>,
    m_death: Vec<f64>,
    mbar: Vec<f64>,
    mm: Vec<f64>,
}

impl<'a> StratumWalk<'a> {
    fn new(d: &'a CoxData<'a>, risk: &'a [f64], wrisk: &'a [f64], p: usize) -> Self {
        StratumWalk {
            d,
            risk,
            wrisk,
            p,
            s0: 0.0,
            s1: vec![0.0; p],
            h: 0.0,
            m: vec![0.0; p],
            d1: vec![0.0; p],
            m_all: vec![0.0; p],
            m_death: vec![0.0; p],
            mbar: vec![0.0; p],
            mm: vec![0.0; p],
        }
    }

    /// A new stratum: its patients at positions `s`, all at risk.
    fn start(&mut self, s: std::ops::Range<usize>) {
        self.s0 = self.wrisk[s.clone()].iter().sum();
        self.s1.fill(0.0);
        for i in s {
            let (wr, xi) = (self.wrisk[i], self.x(i));
            for (acc, xa) in self.s1.iter_mut().zip(xi) {
                *acc += wr * xa;
            }
        }
        self.h = 0.0;
        self.m.fill(0.0);
    }

    fn x(&self, i: usize) -> &'a [f64] {
        &self.d.x[i * self.p..(i + 1) * self.p]
    }

    /// The patients leaving at one time (positions `group`): their
    /// residuals closed, then the time's terms added and the patients
    /// taken off the risk set.
    fn time(&mut self, group: std::ops::Range<usize>, ties: Ties, resid: &mut [f64]) {
        let (p, risk, wrisk, event) = (self.p, self.risk, self.wrisk, self.d.event);
        let (mut deaths, mut d0, mut dead_weight) = (0usize, 0.0, 0.0);
        self.d1.fill(0.0);
        for i in group.clone().filter(|&i| event[i]) {
            deaths += 1;
            d0 += wrisk[i];
            dead_weight += self.d.weights.map_or(1.0, |w| w[i]);
            let xi = self.x(i);
            for (s, xa) in self.d1.iter_mut().zip(xi) {
                *s += wrisk[i] * xa;
            }
        }
        let d = deaths as f64;
        // Each of the d terms weighs the deaths' mean case weight (1 exactly
        // without weights).
        let wt = dead_weight / d;
        // This time's terms: per l, w/a_l and w m_l/a_l; deaths weigh (1 - l/d).
        let (mut h_all, mut h_death) = (0.0, 0.0);
        self.m_all.fill(0.0);
        self.m_death.fill(0.0);
        self.mbar.fill(0.0);
        for l in 0..deaths {
            let f = match ties {
                Ties::Efron => l as f64 / d,
                Ties::Breslow => 0.0,
            };
            let a0 = self.s0 - f * d0;
            h_all += wt / a0;
            h_death += (1.0 - f) * wt / a0;
            for a in 0..p {
                let ml = (self.s1[a] - f * self.d1[a]) / a0;
                self.m_all[a] += ml * wt / a0;
                self.m_death[a] += (1.0 - f) * wt * ml / a0;
                self.mbar[a] += ml / d;
            }
        }
        // Patients leaving at t: close their residuals.
        for i in group.clone() {
            let (h_t, m_t) = if event[i] {
                (h_death, &self.m_death)
            } else {
                (h_all, &self.m_all)
            };
            let hh = self.h + h_t;
            for ((mm, m), mt) in self.mm.iter_mut().zip(&self.m).zip(m_t) {
                *mm = m + mt;
            }
            let xi = self.x(i);
            for a in 0..p {
                let mut r = -risk[i] * (xi[a] * hh - self.mm[a]);
                if event[i] {
                    r += xi[a] - self.mbar[a];
                }
                resid[i * p + a] = r;
            }
        }
        self.h += h_all;
        for (m, ma) in self.m.iter_mut().zip(&self.m_all) {
            *m += ma;
        }
        for i in group {
            self.s0 -= wrisk[i];
            let xi = self.x(i);
            for (s, xa) in self.s1.iter_mut().zip(xi) {
                *s -= wrisk[i] * xa;
            }
        }
    }
}

/// Σ_c Ū_c Ū_cᵀ: the score residuals summed by cluster (each patient its
/// own cluster when `cluster` is `None`), and their total U.
fn meat(resid: &[f64], cluster: Option<&[usize]>, p: usize) -> (DMatrix<f64>, DVector<f64>) {
    let mut m = DMatrix::<f64>::zeros(p, p);
    let mut add = |r: &[f64]| {
        for a in 0..p {
            for b in 0..=a {
                m[(a, b)] += r[a] * r[b];
            }
        }
    };
    match cluster {
        None => resid.chunks_exact(p.max(1)).for_each(&mut add),
        Some(cl) => {
            let nc = cl.iter().copied().max().map_or(0, |c| c + 1);
            let mut sums = vec![0.0; nc * p];
            for (r, &c) in resid.chunks_exact(p.max(1)).zip(cl) {
                for (s, v) in sums[c * p..(c + 1) * p].iter_mut().zip(r) {
                    *s += v;
                }
            }
            sums.chunks_exact(p.max(1)).for_each(&mut add);
        }
    }
    for a in 0..p {
        for b in 0..a {
            m[(b, a)] = m[(a, b)];
        }
    }
    let mut u = DVector::<f64>::zeros(p);
    for r in resid.chunks_exact(p.max(1)) {
        for (ua, v) in u.iter_mut().zip(r) {
            *ua += v;
        }
    }
    (m, u)
}

/// Robust variance clustered by `cluster` (each patient its own cluster
/// when `None`), from the score residuals: V (Σ_c Ū_c Ū_cᵀ) V, which is
/// R's Dᵀ D with D the dfbeta residuals summed by cluster.
pub(super) fn robust_variance(
    resid: &[f64],
    cluster: Option<&[usize]>,
    var: &DMatrix<f64>,
) -> DMatrix<f64> {
    let (m, _) = meat(resid, cluster, var.nrows());
    var * m * var
}

/// The robust score test of β = 0 (R's `rscore`) of patients sorted by
/// stratum, then time descending: the score residuals at β = 0 summed by
/// cluster, U their total, the test Uᵀ (Σ_c Ū_c Ū_cᵀ)⁻¹ U.
pub(super) fn robust_score_test_sorted(d: &CoxData, cluster: Option<&[usize]>, ties: Ties) -> f64 {
    let p = d.x.len() / d.time.len().max(1);
    let resid = score_residuals(d, &vec![0.0; p], ties);
    let (v, u) = meat(&resid, cluster, p);
    v.cholesky()
        .map_or(f64::NAN, |c| (u.transpose() * c.solve(&u))[(0, 0)])
}

/// [`robust_score_test_sorted`] of patients in any order (`cluster` in
/// the same order; `d.cluster` is not read).
pub(crate) fn robust_score_test(d: &CoxData, cluster: Option<&[usize]>, ties: Ties) -> f64 {
    let p = d.columns;
    let to = by_stratum_then_time(d.time, d.stratum, true);
    let x: Vec<f64> = to
        .order
        .iter()
        .flat_map(|&i| d.x[i * p..(i + 1) * p].iter().copied())
        .collect();
    let event: Vec<bool> = to.order.iter().map(|&i| d.event[i]).collect();
    let weights: Option<Vec<f64>> = d.weights.map(|w| to.order.iter().map(|&i| w[i]).collect());
    let cluster: Option<Vec<usize>> = cluster.map(|c| to.order.iter().map(|&i| c[i]).collect());
    let sorted = CoxData {
        x: &x,
        columns: p,
        time: &to.time,
        event: &event,
        stratum: &to.stratum,
        cluster: None,
        weights: weights.as_deref(),
    };
    robust_score_test_sorted(&sorted, cluster.as_deref(), ties)
}

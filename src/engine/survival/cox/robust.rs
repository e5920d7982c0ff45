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

use nalgebra::{DMatrix, DVector};

use super::{CoxData, Ties};

/// Efron (or Breslow) score residuals at β, one row of p per patient (in
/// the patients' order): they sum to the score vector; clustered, they
/// give the robust variance.
pub(super) fn score_residuals(d: &CoxData, beta: &[f64], ties: Ties) -> Vec<f64> {
    let (time, stratum) = (d.time, d.stratum);
    let n = time.len();
    let p = beta.len();
    let x = |i: usize| &d.x[i * p..(i + 1) * p];
    let risk: Vec<f64> = (0..n)
        .map(|i| x(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp())
        .collect();
    // The risk sets weigh each patient by its case weight too.
    let weighted: Option<Vec<f64>> = d
        .weights
        .map(|w| risk.iter().zip(w).map(|(r, w)| r * w).collect());
    let wrisk = weighted.as_deref().unwrap_or(&risk);
    let mut resid = vec![0.0; n * p];
    let order = crate::engine::survival::by_stratum_then_time(time, stratum, false).order;
    for idx in order.chunk_by(|&a, &b| stratum[a] == stratum[b]) {
        let mut walk = StratumWalk::new(d, &risk, wrisk, idx, p);
        let mut k = 0;
        while k < idx.len() {
            let t = time[idx[k]];
            let mut j = k;
            while j < idx.len() && time[idx[j]] == t {
                j += 1;
            }
            walk.time(&idx[k..j], ties, &mut resid);
            k = j;
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
}

impl<'a> StratumWalk<'a> {
    fn new(d: &'a CoxData<'a>, risk: &'a [f64], wrisk: &'a [f64], idx: &[usize], p: usize) -> Self {
        let s0: f64 = idx.iter().map(|&i| wrisk[i]).sum();
        let mut s1 = vec![0.0; p];
        for &i in idx {
            for (s, xa) in s1.iter_mut().zip(&d.x[i * p..(i + 1) * p]) {
                *s += wrisk[i] * xa;
            }
        }
        StratumWalk {
            d,
            risk,
            wrisk,
            p,
            s0,
            s1,
            h: 0.0,
            m: vec![0.0; p],
        }
    }

    fn x(&self, i: usize) -> &'a [f64] {
        &self.d.x[i * self.p..(i + 1) * self.p]
    }

    /// The patients leaving at one time (`group`): their residuals closed,
    /// then the time's terms added and the patients taken off the risk set.
    fn time(&mut self, group: &[usize], ties: Ties, resid: &mut [f64]) {
        let (p, risk, wrisk, event) = (self.p, self.risk, self.wrisk, self.d.event);
        let deaths: Vec<usize> = group.iter().copied().filter(|&i| event[i]).collect();
        let d = deaths.len() as f64;
        let (mut d0, mut d1) = (0.0, vec![0.0; p]);
        let mut dead_weight = 0.0;
        for &i in &deaths {
            d0 += wrisk[i];
            dead_weight += self.d.weights.map_or(1.0, |w| w[i]);
            for (s, xa) in d1.iter_mut().zip(self.x(i)) {
                *s += wrisk[i] * xa;
            }
        }
        // Each of the d terms weighs the deaths' mean case weight (1 exactly
        // without weights).
        let wt = dead_weight / d;
        // This time's terms: per l, w/a_l and w m_l/a_l; deaths weigh (1 - l/d).
        let (mut h_all, mut m_all) = (0.0, vec![0.0; p]);
        let (mut h_death, mut m_death) = (0.0, vec![0.0; p]);
        let mut mbar = vec![0.0; p];
        for l in 0..deaths.len() {
            let f = match ties {
                Ties::Efron => l as f64 / d,
                Ties::Breslow => 0.0,
            };
            let a0 = self.s0 - f * d0;
            h_all += wt / a0;
            h_death += (1.0 - f) * wt / a0;
            for a in 0..p {
                let ml = (self.s1[a] - f * d1[a]) / a0;
                m_all[a] += ml * wt / a0;
                m_death[a] += (1.0 - f) * wt * ml / a0;
                mbar[a] += ml / d;
            }
        }
        // Patients leaving at t: close their residuals.
        for &i in group {
            let (h_t, m_t) = if event[i] {
                (h_death, &m_death)
            } else {
                (h_all, &m_all)
            };
            let hh = self.h + h_t;
            let mm: Vec<f64> = self.m.iter().zip(m_t).map(|(a, b)| a + b).collect();
            for a in 0..p {
                let mut r = -risk[i] * (self.x(i)[a] * hh - mm[a]);
                if event[i] {
                    r += self.x(i)[a] - mbar[a];
                }
                resid[i * p + a] = r;
            }
        }
        self.h += h_all;
        for (m, ma) in self.m.iter_mut().zip(&m_all) {
            *m += ma;
        }
        for &i in group {
            self.s0 -= wrisk[i];
            let xi = self.x(i);
            for (s, xa) in self.s1.iter_mut().zip(xi) {
                *s -= wrisk[i] * xa;
            }
        }
    }
}

/// The score residuals summed by cluster: one row per cluster.
fn cluster_sums(resid: &[f64], cluster: &[usize], p: usize) -> DMatrix<f64> {
    let nc = cluster.iter().copied().max().map_or(0, |c| c + 1);
    let mut sums = DMatrix::<f64>::zeros(nc, p);
    for (r, &c) in resid.chunks_exact(p.max(1)).zip(cluster) {
        for a in 0..p {
            sums[(c, a)] += r[a];
        }
    }
    sums
}

/// Robust variance clustered by `cluster`: V (Σ_c D_cᵀ D_c) V with D_c the
/// summed score residuals of cluster c times V (R's dfbeta sums).
pub(super) fn robust_variance(
    resid: &[f64],
    cluster: &[usize],
    var: &DMatrix<f64>,
) -> DMatrix<f64> {
    let dfbeta = cluster_sums(resid, cluster, var.nrows()) * var;
    dfbeta.transpose() * dfbeta
}

/// The robust score test of β = 0 (R's `rscore`): the score residuals at
/// β = 0 summed by cluster, U their total, the test Uᵀ (Σ_c D_cᵀ D_c)⁻¹ U.
pub(crate) fn robust_score_test(d: &CoxData, cluster: &[usize], ties: Ties) -> f64 {
    let p = d.x.len() / d.time.len().max(1);
    let resid = score_residuals(d, &vec![0.0; p], ties);
    let sums = cluster_sums(&resid, cluster, p);
    let u = DVector::from_iterator(p, (0..p).map(|a| sums.column(a).sum()));
    let v = sums.transpose() * &sums;
    v.cholesky()
        .map_or(f64::NAN, |c| (u.transpose() * c.solve(&u))[(0, 0)])
}

//! Cox proportional hazards regression, as R's `coxph`: Efron (default) or
//! Breslow handling of tied event times, strata, hazard ratios with Wald
//! CIs and P, the likelihood-ratio, Wald and score tests, and Harrell's
//! concordance.
//!
//! # Method
//! Newton-Raphson on the partial log-likelihood from β = 0, with step
//! halving when the log-likelihood falls, until its relative change is
//! below 1e-10 (R: 1e-9). For d deaths tied at time t with risk-set sums
//! S₀, S₁, S₂ and death-set sums D₀, D₁, D₂ (of e^η, x e^η, x xᵀ e^η), Efron
//! uses for l = 0..d-1 the fractions Sₖ - (l/d)Dₖ; Breslow uses Sₖ each time
//! (Therneau & Grambsch 2000, ch. 3).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::concordance::concordance_and_se;
use crate::engine::numeric::{add_weighted_gram, Convergence};

/// How tied event times are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// R and lifelines' default.
    #[default]
    Efron,
    /// SPSS and SAS's default.
    Breslow,
}

impl Ties {
    pub fn as_str(self) -> &'static str {
        match self {
            Ties::Efron => "efron",
            Ties::Breslow => "breslow",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Ties::Efron, Ties::Breslow]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// One coefficient of a Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxTerm {
    pub term: String,
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub hazard_ratio: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// Robust (sandwich) SE clustered by the `cluster` column, with the Wald
    /// P and CI from it (R `coxph(..., cluster = )`), when asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub robust: Option<RobustTerm>,
}

/// The robust standard error of a coefficient and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RobustTerm {
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    pub ties: Ties,
    pub terms: Vec<CoxTerm>,
    /// Patients used (R's `fit$n`).
    pub n: usize,
    /// Patients left out for a missing value (R's `length(fit$na.action)`).
    #[serde(default)]
    pub dropped: usize,
    pub events: usize,
    pub log_likelihood: f64,
    pub log_likelihood_null: f64,
    pub lr_chi_square: f64,
    pub wald_chi_square: f64,
    /// The Wald test with the robust variance, when clustered (R's
    /// `summary(fit)$waldtest` then), and its P.
    pub robust_wald_chi_square: Option<f64>,
    #[serde(default)]
    pub robust_wald_p_value: Option<f64>,
    /// The robust score test, when clustered (R's `summary(fit)$robscore`):
    /// the score at β = 0 against the clustered variance of its residuals.
    #[serde(default)]
    pub robust_score_chi_square: Option<f64>,
    #[serde(default)]
    pub robust_score_p_value: Option<f64>,
    pub score_chi_square: f64,
    pub df: usize,
    pub lr_p_value: f64,
    pub wald_p_value: f64,
    pub score_p_value: f64,
    pub concordance: f64,
    /// The concordance's standard error (infinitesimal jackknife, by
    /// cluster when clustered; R's `summary(fit)$concordance["se(C)"]`).
    #[serde(default)]
    pub concordance_se: f64,
    pub convergence: Convergence,
    /// Notes on the data (e.g. competing events counted as censored).
    #[serde(default)]
    pub diagnostics: Vec<crate::engine::Diagnostic>,
}

/// X β for row-major X (n x p).
fn linear_predictor(x: &[f64], beta: &[f64], n: usize) -> Vec<f64> {
    if beta.is_empty() {
        return vec![0.0; n];
    }
    x.chunks_exact(beta.len())
        .map(|r| r.iter().zip(beta).map(|(a, b)| a * b).sum())
        .collect()
}

/// Stretches of whole tie runs (same stratum and time), a fixed number of
/// them for a large cohort: the passes below run them side by side, and
/// the result never depends on the number of cores.
fn tie_run_chunks(time: &[f64], stratum: &[usize], parts: usize) -> Vec<std::ops::Range<usize>> {
    let n = time.len();
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for j in 1..=parts {
        let mut end = (j * n / parts).max(start);
        while end > 0 && end < n && time[end] == time[end - 1] && stratum[end] == stratum[end - 1] {
            end += 1;
        }
        if end > start {
            out.push(start..end);
            start = end;
        }
    }
    out
}

/// Adds a patient (risk score `w`, covariates `xi`) to a risk set's S₀, S₁.
fn enter_risk_set(s0: &mut f64, s1: &mut [f64], w: f64, xi: &[f64]) {
    *s0 += w;
    for (s, xa) in s1.iter_mut().zip(xi) {
        *s += w * xa;
    }
}

/// What one stretch contributes to the partial likelihood.
struct ChunkSums {
    ll: f64,
    u: Vec<f64>,
    /// Σ m mᵀ over its deaths, upper triangle packed by row.
    outer: Vec<f64>,
    /// Per patient: Σₗ 1/a₀ₗ of its time, on the last patient of the time.
    at_time: Vec<f64>,
    /// Per patient: the Efron correction (minus rᵢ Σₗ fₗ/a₀ₗ).
    weight: Vec<f64>,
}

/// Log partial likelihood, score and information at β. `x` is row-major
/// (n x p), the patients sorted by stratum, then time descending.
///
/// The information Σₖ Σₗ [(S₂ - fₗD₂)/a₀ₗ - m mᵀ] is gathered as
/// Σᵢ wᵢ xᵢ xᵢᵀ - Σ m mᵀ, where wᵢ = rᵢ (Σ over the event times up to tᵢ
/// of Σₗ 1/a₀ₗ), less rᵢ Σₗ fₗ/a₀ₗ at its own time for a patient who
/// died (Efron): one matrix product instead of a p x p update per patient.
///
/// A large cohort is cut into stretches of whole tie runs: a first pass
/// sums each stretch's risk set (S₀, S₁), so each stretch then knows the
/// risk set it starts with and is walked on its own, in parallel.
fn partial(
    x: &[f64],
    time: &[f64],
    event: &[bool],
    stratum: &[usize],
    beta: &[f64],
    ties: Ties,
) -> (f64, DVector<f64>, DMatrix<f64>) {
    let parts = if time.len() >= 1 << 18 { 8 } else { 1 };
    let chunks = tie_run_chunks(time, stratum, parts);
    partial_in_chunks(x, time, event, stratum, beta, ties, &chunks)
}

/// [`partial`] over the given stretches of whole tie runs.
fn partial_in_chunks(
    x: &[f64],
    time: &[f64],
    event: &[bool],
    stratum: &[usize],
    beta: &[f64],
    ties: Ties,
    chunks: &[std::ops::Range<usize>],
) -> (f64, DVector<f64>, DMatrix<f64>) {
    let p = beta.len();
    let n = time.len();
    let row = |i: usize| &x[i * p..(i + 1) * p];
    let exp_eta = |r: std::ops::Range<usize>| -> (Vec<f64>, Vec<f64>) {
        let eta = linear_predictor(&x[r.start * p..r.end * p], beta, r.len());
        let risk = eta.iter().map(|e| e.exp()).collect();
        (eta, risk)
    };
    // First pass: each stretch's risk scores and the sums over its last
    // stratum's patients (all of them when the stratum does not change).
    let first = crate::engine::parallel::map(chunks.len(), |c| {
        let r = chunks[c].clone();
        let (eta, risk) = exp_eta(r.clone());
        let last = stratum[r.end - 1];
        let tail_start = (r.start..r.end)
            .rev()
            .find(|&i| stratum[i] != last)
            .map_or(r.start, |i| i + 1);
        let mut s0 = 0.0;
        let mut s1 = vec![0.0; p];
        for i in tail_start..r.end {
            enter_risk_set(&mut s0, &mut s1, risk[i - r.start], row(i));
        }
        (eta, risk, s0, s1, tail_start == r.start)
    });
    // The risk set each stretch starts with: the previous stretch's last
    // stratum, plus what that stretch started with when it is all one
    // stratum.
    let mut carry: Vec<(f64, Vec<f64>)> = Vec::with_capacity(chunks.len());
    for c in 0..chunks.len() {
        let continues = c > 0 && stratum[chunks[c].start] == stratum[chunks[c - 1].end - 1];
        let start = match continues.then(|| (&first[c - 1], &carry[c - 1])) {
            None => (0.0, vec![0.0; p]),
            Some(((_, _, t0, t1, false), _)) => (*t0, t1.clone()),
            Some(((_, _, t0, t1, true), (prev0, prev1))) => (
                t0 + prev0,
                t1.iter().zip(prev1).map(|(t, q)| t + q).collect(),
            ),
        };
        carry.push(start);
    }
    let sums = crate::engine::parallel::map(chunks.len(), |c| {
        let r = chunks[c].clone();
        let (eta, risk) = (&first[c].0, &first[c].1);
        let (mut s0, mut s1) = carry[c].clone();
        let mut out = ChunkSums {
            ll: 0.0,
            u: vec![0.0; p],
            outer: vec![0.0; p * (p + 1) / 2],
            at_time: vec![0.0; r.len()],
            weight: vec![0.0; r.len()],
        };
        let mut m = vec![0.0; p];
        let mut d1 = vec![0.0; p];
        let mut k = r.start;
        let mut current_stratum = stratum[k];
        while k < r.end {
            if stratum[k] != current_stratum {
                current_stratum = stratum[k];
                s0 = 0.0;
                s1.fill(0.0);
            }
            let t = time[k];
            // Everyone at this time enters the risk set.
            let start = k;
            let mut deaths = 0usize;
            while k < r.end && time[k] == t && stratum[k] == current_stratum {
                enter_risk_set(&mut s0, &mut s1, risk[k - r.start], row(k));
                deaths += usize::from(event[k]);
                k += 1;
            }
            if deaths == 0 {
                continue;
            }
            let efron = ties == Ties::Efron && deaths > 1;
            let d = deaths as f64;
            let mut d0 = 0.0;
            d1.fill(0.0);
            for i in (start..k).filter(|&i| event[i]) {
                let w = risk[i - r.start];
                out.ll += eta[i - r.start];
                d0 += w;
                for ((ua, da), xa) in out.u.iter_mut().zip(d1.iter_mut()).zip(row(i)) {
                    *ua += xa;
                    *da += w * xa;
                }
            }
            let (mut c, mut e) = (0.0, 0.0);
            for l in 0..deaths {
                let f = if efron { l as f64 / d } else { 0.0 };
                let a0 = s0 - f * d0;
                let inv = 1.0 / a0;
                out.ll -= a0.ln();
                c += inv;
                e += f * inv;
                for a in 0..p {
                    m[a] = (s1[a] - f * d1[a]) * inv;
                    out.u[a] -= m[a];
                }
                let mut at = 0;
                for a in 0..p {
                    let ma = m[a];
                    for (o, mb) in out.outer[at..at + p - a].iter_mut().zip(&m[a..]) {
                        *o += ma * mb;
                    }
                    at += p - a;
                }
            }
            out.at_time[k - 1 - r.start] = c;
            if efron {
                for i in (start..k).filter(|&i| event[i]) {
                    out.weight[i - r.start] = -e * risk[i - r.start];
                }
            }
        }
        out
    });
    let mut ll = 0.0;
    let mut u = vec![0.0; p];
    let mut outer = vec![0.0; p * (p + 1) / 2];
    for s in &sums {
        ll += s.ll;
        for (a, b) in u.iter_mut().zip(&s.u) {
            *a += b;
        }
        for (a, b) in outer.iter_mut().zip(&s.outer) {
            *a += b;
        }
    }
    // Walking back (time ascending within a stratum), accumulate Σₖ cₖ.
    let (at_times, mut weights): (Vec<Vec<f64>>, Vec<Vec<f64>>) =
        sums.into_iter().map(|s| (s.at_time, s.weight)).unzip();
    let mut cum = 0.0;
    for c in (0..chunks.len()).rev() {
        let r = chunks[c].clone();
        let risk = &first[c].1;
        for i in r.clone().rev() {
            if i + 1 < n && stratum[i + 1] != stratum[i] {
                cum = 0.0;
            }
            let j = i - r.start;
            cum += at_times[c][j];
            weights[c][j] += risk[j] * cum;
        }
    }
    let mut info = DMatrix::<f64>::zeros(p, p);
    if p > 0 {
        let grams = crate::engine::parallel::map(chunks.len(), |c| {
            let r = chunks[c].clone();
            let mut g = DMatrix::<f64>::zeros(p, p);
            add_weighted_gram(&mut g, &x[r.start * p..r.end * p], &weights[c], p);
            g
        });
        for g in grams {
            info += g;
        }
    }
    let mut at = 0;
    for a in 0..p {
        for b in a..p {
            info[(a, b)] -= outer[at];
            if a != b {
                info[(b, a)] -= outer[at];
            }
            at += 1;
        }
    }
    // Symmetric by construction; make it exactly so.
    let info = DMatrix::from_fn(p, p, |a, b| (info[(a, b)] + info[(b, a)]) / 2.0);
    (ll, DVector::from_vec(u), info)
}

/// Efron (or Breslow) score residuals at β, one row per patient: they sum
/// to the score vector; clustered, they give the robust variance.
fn score_residuals(
    x: &[f64],
    time: &[f64],
    event: &[bool],
    stratum: &[usize],
    beta: &[f64],
    ties: Ties,
) -> Vec<f64> {
    let n = time.len();
    let p = beta.len();
    let x = |i: usize| &x[i * p..(i + 1) * p];
    let risk: Vec<f64> = (0..n)
        .map(|i| x(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp())
        .collect();
    let mut resid = vec![0.0; n * p];
    let order = super::data::by_stratum_then_time(time, stratum, false).order;
    for idx in order.chunk_by(|&a, &b| stratum[a] == stratum[b]) {
        // Risk-set sums, from the full stratum down.
        let mut s0: f64 = idx.iter().map(|&i| risk[i]).sum();
        let mut s1 = vec![0.0; p];
        for &i in idx {
            for (s, xa) in s1.iter_mut().zip(x(i)) {
                *s += risk[i] * xa;
            }
        }
        // Cumulative hazard terms over earlier event times: H = Σ 1/a,
        // M = Σ m/a.
        let mut h = 0.0;
        let mut m = vec![0.0; p];
        let mut k = 0;
        while k < idx.len() {
            let t = time[idx[k]];
            let mut j = k;
            while j < idx.len() && time[idx[j]] == t {
                j += 1;
            }
            let group = &idx[k..j];
            let deaths: Vec<usize> = group.iter().copied().filter(|&i| event[i]).collect();
            let d = deaths.len() as f64;
            let (mut d0, mut d1) = (0.0, vec![0.0; p]);
            for &i in &deaths {
                d0 += risk[i];
                for (s, xa) in d1.iter_mut().zip(x(i)) {
                    *s += risk[i] * xa;
                }
            }
            // This time's terms: per l, 1/a_l and m_l/a_l; deaths weigh (1 - l/d).
            let (mut h_all, mut m_all) = (0.0, vec![0.0; p]);
            let (mut h_death, mut m_death) = (0.0, vec![0.0; p]);
            let mut mbar = vec![0.0; p];
            for l in 0..deaths.len() {
                let f = match ties {
                    Ties::Efron => l as f64 / d,
                    Ties::Breslow => 0.0,
                };
                let a0 = s0 - f * d0;
                h_all += 1.0 / a0;
                h_death += (1.0 - f) / a0;
                for a in 0..p {
                    let ml = (s1[a] - f * d1[a]) / a0;
                    m_all[a] += ml / a0;
                    m_death[a] += (1.0 - f) * ml / a0;
                    mbar[a] += ml / d;
                }
            }
            // Patients leaving at t: close their residuals.
            for &i in group {
                let (hh, mm): (f64, Vec<f64>) = if event[i] {
                    (
                        h + h_death,
                        m.iter().zip(&m_death).map(|(a, b)| a + b).collect(),
                    )
                } else {
                    (
                        h + h_all,
                        m.iter().zip(&m_all).map(|(a, b)| a + b).collect(),
                    )
                };
                for a in 0..p {
                    let mut r = -risk[i] * (x(i)[a] * hh - mm[a]);
                    if event[i] {
                        r += x(i)[a] - mbar[a];
                    }
                    resid[i * p + a] = r;
                }
            }
            h += h_all;
            for a in 0..p {
                m[a] += m_all[a];
            }
            for &i in group {
                s0 -= risk[i];
                for (s, xa) in s1.iter_mut().zip(x(i)) {
                    *s -= risk[i] * xa;
                }
            }
            k = j;
        }
    }
    resid
}

/// Robust variance clustered by `cluster`: V (Σ_c D_cᵀ D_c) V with D_c the
/// summed score residuals of cluster c times V (R's dfbeta sums).
fn robust_variance(resid: &[f64], cluster: &[usize], var: &DMatrix<f64>) -> DMatrix<f64> {
    let p = var.nrows();
    let nc = cluster.iter().copied().max().map_or(0, |c| c + 1);
    let mut sums = DMatrix::<f64>::zeros(nc, p);
    for (r, &c) in resid.chunks_exact(p.max(1)).zip(cluster) {
        for a in 0..p {
            sums[(c, a)] += r[a];
        }
    }
    let dfbeta = sums * var;
    dfbeta.transpose() * dfbeta
}

/// The robust score test of β = 0 (R's `rscore`): the score residuals at
/// β = 0 summed by cluster, U their total, the test Uᵀ (Σ_c D_cᵀ D_c)⁻¹ U.
fn robust_score_test(
    x: &[f64],
    time: &[f64],
    event: &[bool],
    stratum: &[usize],
    cluster: &[usize],
    ties: Ties,
) -> f64 {
    let p = x.len() / time.len().max(1);
    let resid = score_residuals(x, time, event, stratum, &vec![0.0; p], ties);
    let nc = cluster.iter().copied().max().map_or(0, |c| c + 1);
    let mut sums = DMatrix::<f64>::zeros(nc, p);
    for (r, &c) in resid.chunks_exact(p.max(1)).zip(cluster) {
        for a in 0..p {
            sums[(c, a)] += r[a];
        }
    }
    let u = DVector::from_iterator(p, (0..p).map(|a| sums.column(a).sum()));
    let v = sums.transpose() * &sums;
    v.cholesky()
        .map_or(f64::NAN, |c| (u.transpose() * c.solve(&u))[(0, 0)])
}

/// The patients of a Cox model: covariates (no intercept), follow-up,
/// event, stratum and, for robust SEs, cluster, one entry per patient.
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Row-major, `columns` per patient.
    pub x: &'a [f64],
    pub columns: usize,
    pub time: &'a [f64],
    pub event: &'a [bool],
    pub stratum: &'a [usize],
    pub cluster: Option<&'a [usize]>,
}

fn column_means(x: &[f64], p: usize, n: usize) -> Vec<f64> {
    let mut sums = vec![0.0; p];
    for r in x.chunks_exact(p.max(1)) {
        for (s, v) in sums.iter_mut().zip(r) {
            *s += v;
        }
    }
    sums.iter().map(|s| s / n as f64).collect()
}

fn centred(x: &[f64], means: &[f64]) -> Vec<f64> {
    let mut out = x.to_vec();
    for r in out.chunks_exact_mut(means.len().max(1)) {
        for (v, m) in r.iter_mut().zip(means) {
            *v -= m;
        }
    }
    out
}

/// Fits a Cox model; `names` are the covariates' term names.
pub fn fit_cox(data: &CoxData, names: &[String], ties: Ties, conf_level: f64) -> Option<CoxFit> {
    let CoxData {
        x,
        columns: p,
        time,
        event,
        stratum,
        cluster,
    } = *data;
    debug_assert_eq!(p, names.len());
    // Centre the covariates (R does): same estimates, better conditioning.
    let n = time.len();
    let (
        means,
        super::data::TimeOrder {
            order,
            time: ts,
            stratum: ss,
        },
    ) = crate::engine::parallel::join(
        || column_means(x, p, n),
        || super::data::by_stratum_then_time(time, stratum, true),
    );
    // Patients laid out in the order the likelihood visits them (stratum,
    // then time descending): the passes then read memory sequentially.
    let mut flat = vec![0.0; n * p];
    let pieces = crate::engine::parallel::ranges(n, 8, 1 << 14);
    let lengths: Vec<usize> = pieces.iter().map(|r| r.len() * p).collect();
    crate::engine::parallel::fill_pieces(&mut flat, &lengths, |j, piece| {
        for (dst, &i) in piece
            .chunks_exact_mut(p.max(1))
            .zip(&order[pieces[j].clone()])
        {
            for ((d, v), m) in dst.iter_mut().zip(&x[i * p..(i + 1) * p]).zip(&means) {
                *d = v - m;
            }
        }
    });
    let es: Vec<bool> = order.iter().map(|&i| event[i]).collect();
    let mut beta = vec![0.0; p];
    let (ll0, u0, i0) = partial(&flat, &ts, &es, &ss, &beta, ties);
    let score = i0
        .clone()
        .cholesky()
        .map_or(f64::NAN, |c| (u0.transpose() * c.solve(&u0))[(0, 0)]);
    let (mut ll, mut u, mut info) = (ll0, u0, i0);
    let mut convergence = Convergence {
        converged: false,
        iterations: 0,
        reason: "did not converge in 30 iterations".into(),
    };
    for iter in 1..=30 {
        let step = info.clone().cholesky()?.solve(&u);
        let mut halving = 1.0;
        let (mut new_ll, mut new_u, mut new_info);
        loop {
            let trial: Vec<f64> = beta
                .iter()
                .zip(step.iter())
                .map(|(b, s)| b + halving * s)
                .collect();
            (new_ll, new_u, new_info) = partial(&flat, &ts, &es, &ss, &trial, ties);
            if new_ll >= ll - 1e-12 * ll.abs() || halving < 1e-4 {
                beta = trial;
                break;
            }
            halving /= 2.0;
        }
        let change = (new_ll - ll).abs() / ll.abs().max(1e-300);
        ll = new_ll;
        u = new_u;
        info = new_info;
        convergence.iterations = iter;
        if change < 1e-10 {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
    }
    let var = info.clone().cholesky()?.inverse();
    let normal = Normal::new(0.0, 1.0).ok()?;
    let z_crit = normal.inverse_cdf(0.5 + conf_level / 2.0);
    let xc = cluster.map(|_| centred(x, &means));
    let robust = cluster.zip(xc.as_deref()).map(|(c, xc)| {
        let resid = score_residuals(xc, time, event, stratum, &beta, ties);
        robust_variance(&resid, c, &var)
    });
    let robust_score = cluster
        .zip(xc.as_deref())
        .map(|(c, xc)| robust_score_test(xc, time, event, stratum, c, ties));
    let terms = names
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let se = var[(a, a)].sqrt();
            let coef = beta[a];
            let robust = robust.as_ref().map(|rv| {
                let se = rv[(a, a)].sqrt();
                RobustTerm {
                    se,
                    z: coef / se,
                    p_value: 2.0 * normal.sf((coef / se).abs()),
                    ci_lower: (coef - z_crit * se).exp(),
                    ci_upper: (coef + z_crit * se).exp(),
                }
            });
            CoxTerm {
                robust,
                term: name.clone(),
                coef,
                se,
                z: coef / se,
                p_value: 2.0 * normal.sf((coef / se).abs()),
                hazard_ratio: coef.exp(),
                ci_lower: (coef - z_crit * se).exp(),
                ci_upper: (coef + z_crit * se).exp(),
            }
        })
        .collect();
    let b = DVector::from_column_slice(&beta);
    let wald = (b.transpose() * &info * &b)[(0, 0)];
    let robust_wald = robust
        .as_ref()
        .and_then(|rv| rv.clone().try_inverse())
        .map(|inv| (b.transpose() * inv * &b)[(0, 0)]);
    let lr = 2.0 * (ll - ll0);
    let chi = |x: f64| ChiSquared::new(p as f64).map_or(f64::NAN, |c| c.sf(x));
    let eta = linear_predictor(&flat, &beta, n);
    let sorted_cluster: Option<Vec<usize>> = cluster.map(|c| order.iter().map(|&i| c[i]).collect());
    let (concordance, concordance_se) =
        concordance_and_se(&ts, &es, &eta, &ss, sorted_cluster.as_deref());
    Some(CoxFit {
        ties,
        terms,
        n,
        dropped: 0,
        events: event.iter().filter(|&&e| e).count(),
        log_likelihood: ll,
        log_likelihood_null: ll0,
        lr_chi_square: lr,
        wald_chi_square: wald,
        robust_wald_chi_square: robust_wald,
        robust_wald_p_value: robust_wald.map(chi),
        robust_score_chi_square: robust_score,
        robust_score_p_value: robust_score.map(chi),
        score_chi_square: score,
        df: p,
        lr_p_value: chi(lr),
        wald_p_value: chi(wald),
        score_p_value: chi(score),
        concordance,
        concordance_se,
        convergence,
        diagnostics: Vec::new(),
    })
}

/// What to fit: `time`/`event` as in [`super::SurvivalSpec`], covariates
/// coded as in logistic regression (dummies against the reference, or
/// ordinal scores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxSpec {
    pub time: String,
    pub event: String,
    #[serde(default)]
    pub event_level: Option<String>,
    pub variables: Vec<String>,
    #[serde(default)]
    pub ordinal: Vec<String>,
    /// Stratified Cox model (a baseline hazard per stratum), e.g. matched set.
    #[serde(default)]
    pub strata: Option<String>,
    /// Robust SE clustered by this column (e.g. the matched set).
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub ties: Ties,
}

/// Why a Cox model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoxError {
    #[error(transparent)]
    Data(#[from] super::SurvivalError),
    #[error(transparent)]
    Design(#[from] crate::engine::regression::RegressionError),
    #[error("the model could not be fitted: the covariates are collinear or the data too sparse")]
    Singular,
}

/// The complete cases of a [`CoxSpec`], owned.
struct CoxInputs {
    /// Row-major, one row per patient.
    x: Vec<f64>,
    time: Vec<f64>,
    event: Vec<bool>,
    stratum: Vec<usize>,
    cluster: Option<Vec<usize>>,
    names: Vec<String>,
    /// Per variable, its columns (a factor's dummies together).
    groups: Vec<(String, Vec<usize>)>,
    /// Patients left out for a missing value.
    dropped: usize,
    diagnostics: Vec<crate::engine::Diagnostic>,
}

impl CoxInputs {
    fn data(&self) -> CoxData<'_> {
        CoxData {
            x: &self.x,
            columns: self.names.len(),
            time: &self.time,
            event: &self.event,
            stratum: &self.stratum,
            cluster: self.cluster.as_deref(),
        }
    }

    /// The model, with the patients left out and the notes on the data.
    fn fit(&self, ties: Ties) -> Result<CoxFit, CoxError> {
        let mut fit = fit_cox(&self.data(), &self.names, ties, 0.95).ok_or(CoxError::Singular)?;
        fit.dropped = self.dropped;
        fit.diagnostics = self.diagnostics.clone();
        Ok(fit)
    }
}

fn cox_inputs(ds: &crate::engine::data::Dataset, spec: &CoxSpec) -> Result<CoxInputs, CoxError> {
    // Neither the time nor the event is a covariate of its own model.
    for (column, role) in [
        (&spec.time, "the follow-up time"),
        (&spec.event, "the event"),
    ] {
        if spec.variables.contains(column) {
            return Err(
                super::SurvivalError::from(crate::engine::design::RoleConflict {
                    column: column.clone(),
                    first: role.into(),
                    second: "a covariate of the Cox model".into(),
                    why: String::new(),
                })
                .into(),
            );
        }
    }
    // The follow-up first (any event coding), then the design on its rows.
    let sd = super::survival_data(
        ds,
        &super::SurvivalSpec {
            time: spec.time.clone(),
            event: spec.event.clone(),
            event_level: spec.event_level.clone(),
            groups: Vec::new(),
            strata: spec.strata.clone(),
        },
    )?;
    let mut y_all = vec![None; ds.n_rows];
    for &r in &sd.rows {
        y_all[r] = Some(0.0);
    }
    let design = crate::engine::regression::design_on(
        ds,
        &spec.event,
        &y_all,
        sd.event_label.clone(),
        &spec.variables,
        &spec.ordinal,
    )?;
    // Patients complete for both: join on the dataset row.
    let mut pos = vec![usize::MAX; ds.n_rows];
    for (k, &r) in design.rows.iter().enumerate() {
        pos[r] = k;
    }
    // Cluster ids: the distinct values of the column, whatever its kind.
    let cluster_col = match &spec.cluster {
        Some(c) => Some(
            ds.column(c)
                .ok_or_else(|| super::SurvivalError::UnknownColumn(c.clone()))?,
        ),
        None => None,
    };
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let (rows, p) = (design.rows.len(), design.x.cols - 1);
    let mut x = Vec::with_capacity(rows * p);
    let (mut time, mut event, mut stratum) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let mut cluster = Vec::new();
    for (k, &r) in sd.rows.iter().enumerate() {
        if pos[r] == usize::MAX {
            continue;
        }
        if let Some(col) = cluster_col {
            let v = col.display(r);
            if v.is_empty() {
                continue;
            }
            let next = ids.len();
            cluster.push(*ids.entry(v).or_insert(next));
        }
        x.extend_from_slice(&design.x.row(pos[r])[1..]);
        time.push(sd.time[k]);
        event.push(sd.event[k]);
        stratum.push(sd.stratum[k]);
    }
    Ok(CoxInputs {
        dropped: ds.n_rows - time.len(),
        diagnostics: sd.diagnostics,
        x,
        time,
        event,
        stratum,
        cluster: cluster_col.map(|_| cluster),
        names: design.columns[1..].iter().map(|c| c.term.clone()).collect(),
        groups: design
            .variable_columns
            .iter()
            .map(|(v, cols)| (v.clone(), cols.iter().map(|c| c - 1).collect()))
            .collect(),
    })
}

/// Fits `Surv(time, event) ~ variables` on the complete cases.
pub fn cox_model(ds: &crate::engine::data::Dataset, spec: &CoxSpec) -> Result<CoxFit, CoxError> {
    let inputs = cox_inputs(ds, spec)?;
    inputs.fit(spec.ties)
}

/// The model and its test of proportional hazards (per variable and global).
pub fn cox_model_with_ph_test(
    ds: &crate::engine::data::Dataset,
    spec: &CoxSpec,
) -> Result<(CoxFit, Vec<ZphRow>), CoxError> {
    let inputs = cox_inputs(ds, spec)?;
    let fit = inputs.fit(spec.ties)?;
    let zph = cox_zph(&inputs.data(), &fit, &inputs.groups);
    Ok((fit, zph))
}

/// What [`for_each_event_time`] calls: (t, U_t, V_t).
type EventTimeVisitor<'a> = dyn FnMut(f64, &[f64], &[f64]) + 'a;

/// Calls `visit(t, deaths, U_t, V_t)` for each distinct event time (within
/// each stratum): the number of deaths, and with `scores` the score
/// contribution U_t and information contribution V_t at β (without, both
/// are empty and nothing is summed). Nothing is kept per time: a million
/// distinct times cost no memory.
fn for_each_event_time(data: &CoxData, beta: &[f64], ties: Ties, visit: &mut EventTimeVisitor) {
    let p = beta.len();
    let n = data.time.len();
    let x = |i: usize| &data.x[i * p..(i + 1) * p];
    let risk: Vec<f64> = (0..n)
        .map(|i| x(i).iter().zip(beta).map(|(a, b)| a * b).sum::<f64>().exp())
        .collect();
    let order = super::data::by_stratum_then_time(data.time, data.stratum, true).order;
    let (mut s0, mut s1, mut s2) = (0.0, vec![0.0; p], vec![0.0; p * p]);
    let (mut u, mut v) = (vec![0.0; p], vec![0.0; p * p]);
    let (mut d1, mut d2, mut m) = (vec![0.0; p], vec![0.0; p * p], vec![0.0; p]);
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
        let d = deaths.len() as f64;
        let mut d0 = 0.0;
        d1.fill(0.0);
        d2.fill(0.0);
        u.fill(0.0);
        v.fill(0.0);
        for &i in &deaths {
            let (ri, xi) = (risk[i], x(i));
            d0 += ri;
            for (a, &xa) in xi.iter().enumerate() {
                u[a] += xa;
                d1[a] += ri * xa;
                for (cell, &xb) in d2[a * p..a * p + a + 1].iter_mut().zip(xi) {
                    *cell += ri * xa * xb;
                }
            }
        }
        for l in 0..deaths.len() {
            let f = match ties {
                Ties::Efron => l as f64 / d,
                Ties::Breslow => 0.0,
            };
            let a0 = s0 - f * d0;
            for (a, ma) in m.iter_mut().enumerate() {
                *ma = (s1[a] - f * d1[a]) / a0;
            }
            for a in 0..p {
                u[a] -= m[a];
                for b in 0..p {
                    let lower = if b <= a { a * p + b } else { b * p + a };
                    v[a * p + b] += (s2[lower] - f * d2[lower]) / a0 - m[a] * m[b];
                }
            }
        }
        visit(t, &u, &v);
    }
}

/// One row of the proportional-hazards test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZphRow {
    /// A term, or `GLOBAL`.
    pub term: String,
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
}

/// Test of proportional hazards as R's `cox.zph(fit, transform = "km")`:
/// for each covariate, the score test at β̂ of adding β·g(t)·x, with g the
/// left-continuous Kaplan-Meier of all patients at the event times,
/// centred; and the global test of all at once (Therneau & Grambsch 2000,
/// ch. 6). `groups` gathers the columns of one term (e.g. a factor's
/// dummies) into one test.
pub fn cox_zph(data: &CoxData, fit: &CoxFit, groups: &[(String, Vec<usize>)]) -> Vec<ZphRow> {
    let p = fit.terms.len();
    // Centre as the fit did.
    let n = data.time.len();
    let means = column_means(data.x, p, n);
    let xc = centred(data.x, &means);
    let centred = CoxData { x: &xc, ..*data };
    let beta: Vec<f64> = fit.terms.iter().map(|t| t.coef).collect();
    // g(t): Kaplan-Meier of all patients just before t.
    let km = super::kaplan_meier(data.time, data.event, super::CiTransform::Log, 0.95);
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
    let chi = |x: f64, df: usize| ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(x));
    let mut out: Vec<ZphRow> = groups
        .iter()
        .map(|(name, cols)| {
            let c = test(cols);
            ZphRow {
                term: name.clone(),
                chi_square: c,
                df: cols.len(),
                p_value: chi(c, cols.len()),
            }
        })
        .collect();
    let all: Vec<usize> = (0..p).collect();
    let c = test(&all);
    out.push(ZphRow {
        term: "GLOBAL".into(),
        chi_square: c,
        df: p,
        p_value: chi(c, p),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// However the patients are cut into stretches, the stretches sum to
    /// one walk through them all: strata that straddle a cut, strata
    /// inside one stretch, ties at a cut.
    #[test]
    fn stretches_sum_to_one_walk() {
        let (n, p) = (3000, 3);
        let mut rng = crate::engine::rng::Rng::seed_from_u64(12345);
        let mut uniform = || rng.uniform();
        let mut rows: Vec<(usize, f64, bool, Vec<f64>)> = (0..n)
            .map(|i| {
                let stratum = (i * i) % 37;
                let time = (uniform() * 40.0).floor();
                let died = uniform() < 0.4;
                let x = (0..p).map(|_| uniform() * 2.0 - 1.0).collect();
                (stratum, time, died, x)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let stratum: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let time: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let event: Vec<bool> = rows.iter().map(|r| r.2).collect();
        let x: Vec<f64> = rows.iter().flat_map(|r| r.3.clone()).collect();
        let beta = [0.3, -0.2, 0.1];
        let whole = tie_run_chunks(&time, &stratum, 1);
        assert_eq!(whole, vec![0..n]);
        for ties in [Ties::Efron, Ties::Breslow] {
            let (ll, u, info) = partial_in_chunks(&x, &time, &event, &stratum, &beta, ties, &whole);
            for parts in [2, 5, 8, 13, 64] {
                let chunks = tie_run_chunks(&time, &stratum, parts);
                assert!(chunks.len() > 1);
                assert_eq!(chunks[0].start, 0);
                assert_eq!(chunks[chunks.len() - 1].end, n);
                for w in chunks.windows(2) {
                    let cut = w[0].end;
                    assert_eq!(cut, w[1].start);
                    assert!(time[cut] != time[cut - 1] || stratum[cut] != stratum[cut - 1]);
                }
                let (ll2, u2, info2) =
                    partial_in_chunks(&x, &time, &event, &stratum, &beta, ties, &chunks);
                assert!((ll - ll2).abs() < 1e-9 * ll.abs(), "{ll} {ll2}");
                for a in 0..p {
                    assert!((u[a] - u2[a]).abs() < 1e-9 * u[a].abs().max(1.0));
                    for b in 0..p {
                        let (v, w) = (info[(a, b)], info2[(a, b)]);
                        assert!((v - w).abs() < 1e-9 * v.abs().max(1.0), "{v} {w}");
                    }
                }
            }
        }
    }
}

//! The Fine-Gray proportional subdistribution hazards model of the event
//! of interest, as `cmprsk::crr` (Fine & Gray 1999, JASA 94:496; Gray,
//! cmprsk 2.2-11, `crrfsv`, `crrvv`): the estimates, crr's sandwich SE,
//! the subdistribution hazard ratio with its Wald CI and P.
//!
//! # Method
//! Patients sorted by time; G(t-) is the Kaplan-Meier estimate of the
//! censoring distribution just before t (censorings at t counted after
//! the events at t; at t = 0, G(0), as crr evaluates it). At an event
//! time s a patient is in the risk set with weight 1 while T ≥ s, and a
//! patient with a competing event at T < s with weight G(s-)/G(T-). With
//! S₀, S₁, S₂ the weighted sums of e^η, x e^η, x xᵀ e^η at s, x̄ = S₁/S₀,
//! and dₛ events at s (ties as Breslow):
//!
//! l(β) = Σᵢ ηᵢ - Σₛ dₛ log S₀(s), U = Σᵢ xᵢ - Σₛ dₛ x̄(s),
//! I = Σₛ dₛ (S₂/S₀ - x̄ x̄ᵀ),
//!
//! maximised by Newton-Raphson with step halving (module `sandwich` for
//! the variance).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::models::{
    check_level, competing_design, Clusters, CompetingCovariates, CompetingDesign,
};
use super::sandwich::FineGrayVariance;
use super::{CompetingError, CompetingSpec};
use crate::engine::data::Dataset;
use crate::engine::defaults::z_of;
use crate::engine::diagnostic::{Code, Diagnostic};
use crate::engine::numeric::Convergence;
use crate::engine::survival::CoxError;

/// One coefficient of a Fine-Gray model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineGrayTerm {
    pub term: String,
    pub coef: f64,
    /// The SE of the fit's [`FineGrayFit::variance`]: crr's sandwich
    /// (`fit$var`), or clustered as `crrSC::crrc`.
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    /// The subdistribution hazard ratio e^β.
    pub shr: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// The model-based SE, from the inverse information (crr's
    /// `fit$invinf`); not the one reported.
    pub naive_se: f64,
}

/// A fitted Fine-Gray model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FineGrayFit {
    /// The event of interest's level.
    pub event: String,
    /// The competing levels.
    pub competing: Vec<String>,
    pub terms: Vec<FineGrayTerm>,
    /// The level of the terms' CIs.
    pub conf_level: f64,
    /// Patients used.
    pub n: usize,
    /// Rows left out for a missing value.
    pub dropped: usize,
    pub events: usize,
    pub competing_events: usize,
    pub censored: usize,
    /// The log pseudo-likelihood at the estimate and at β = 0 (crr's
    /// `loglik`, `loglik.null`).
    pub log_likelihood: f64,
    pub log_likelihood_null: f64,
    pub convergence: Convergence,
    /// The variance of the SEs: crr's sandwich, or clustered (payloads
    /// saved before clustering read as the sandwich).
    #[serde(default)]
    pub variance: FineGrayVariance,
    /// Warnings on the fit (a coefficient that may be infinite).
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
}

/// The patients sorted by time, centred, in runs of equal times.
pub(super) struct Sorted {
    pub p: usize,
    /// The SD of each column.
    pub sd: Vec<f64>,
    /// Row-major, centred.
    pub x: Vec<f64>,
    /// 0 censored, 1 the event, 2 a competing event.
    pub kind: Vec<u8>,
    /// The runs of equal times, ascending: `[start, end)`.
    pub runs: Vec<(usize, usize)>,
    /// Per run: G(t-), the censoring distribution just before its time.
    pub g_minus: Vec<f64>,
    /// Per run: events of interest, censorings, patients at risk.
    pub events: Vec<usize>,
    pub censored: Vec<usize>,
    pub at_risk: Vec<usize>,
    /// The patients' clusters in this order, when clustered.
    pub cluster: Option<Clusters>,
}

impl Sorted {
    fn new(d: &CompetingDesign) -> Sorted {
        let p = d.names.len();
        let n = d.time.len();
        // The stable order by time (a radix sort: the order of a stable
        // `sort_by(total_cmp)`), and the times in it.
        let (times, order) = crate::engine::numeric::sort_with_order(&d.time, false);
        let mut means = vec![0.0; p];
        for r in d.x.chunks_exact(p.max(1)) {
            means.iter_mut().zip(r).for_each(|(m, v)| *m += v);
        }
        means.iter_mut().for_each(|m| *m /= n as f64);
        let mut x = Vec::with_capacity(n * p);
        for &i in &order {
            let row = &d.x[i * p..(i + 1) * p];
            x.extend(row.iter().zip(&means).map(|(v, m)| v - m));
        }
        let mut sd = vec![0.0; p];
        for r in x.chunks_exact(p.max(1)) {
            sd.iter_mut().zip(r).for_each(|(s, v)| *s += v * v);
        }
        sd.iter_mut()
            .for_each(|s| *s = (*s / (n as f64 - 1.0).max(1.0)).sqrt());
        let kind: Vec<u8> = order.iter().map(|&i| d.cause[i].min(2)).collect();
        let mut s = Sorted {
            p,
            sd,
            x,
            kind,
            runs: Vec::new(),
            g_minus: Vec::new(),
            events: Vec::new(),
            censored: Vec::new(),
            at_risk: Vec::new(),
            cluster: d.clusters.as_ref().map(|c| Clusters {
                id: order.iter().map(|&i| c.id[i]).collect(),
                ..c.clone()
            }),
        };
        let mut start = 0;
        let mut g = 1.0;
        while start < n {
            let t = times[start];
            let mut end = start + 1;
            while end < n && times[end] == t {
                end += 1;
            }
            let count = |k: u8| s.kind[start..end].iter().filter(|&&c| c == k).count();
            let (e, c) = (count(1), count(0));
            let y = n - start;
            let after = g * (1.0 - c as f64 / y as f64);
            s.g_minus.push(if t == 0.0 { after } else { g });
            g = after;
            s.runs.push((start, end));
            s.events.push(e);
            s.censored.push(c);
            s.at_risk.push(y);
            start = end;
        }
        s
    }

    /// Row `i` of `x`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    /// e^η per patient, or `None` when one overflows.
    pub fn risk(&self, beta: &[f64]) -> Option<Vec<f64>> {
        let n = self.kind.len();
        let r: Vec<f64> = (0..n)
            .map(|i| {
                self.row(i)
                    .iter()
                    .zip(beta)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp()
            })
            .collect();
        r.iter().all(|v| v.is_finite() && *v > 0.0).then_some(r)
    }
}

/// The likelihood and its derivatives at β, and per run with events its
/// S₀ and x̄.
pub(super) struct Eval {
    pub loglik: f64,
    pub score: Vec<f64>,
    pub info: DMatrix<f64>,
    /// Per run (0 for runs without events).
    pub s0: Vec<f64>,
    /// Per run, p values (0 for runs without events).
    pub xbar: Vec<f64>,
}

/// Adds w x, and w x xᵀ's upper triangle packed by rows (`(j, k)`, k ≥ j,
/// at [`packed`]`(p, j) + k - j`), to the sums.
fn accumulate(s0: &mut f64, s1: &mut [f64], s2: &mut [f64], x: &[f64], w: f64) {
    *s0 += w;
    let mut at = 0;
    for (j, s) in s1.iter_mut().enumerate() {
        let wx = w * x[j];
        *s += wx;
        let row = &x[j..];
        s2[at..at + row.len()]
            .iter_mut()
            .zip(row)
            .for_each(|(v, xk)| *v += wx * xk);
        at += row.len();
    }
}

/// Where row `j` of a packed upper triangle of order `p` starts.
fn packed(p: usize, j: usize) -> usize {
    j * p - j * j.saturating_sub(1) / 2
}

/// l(β), U(β), I(β); `None` when e^η overflows or a sum is not finite.
pub(super) fn evaluate(s: &Sorted, beta: &[f64]) -> Option<Eval> {
    let p = s.p;
    let risk = s.risk(beta)?;
    let nr = s.runs.len();
    // Competing events before each run with events, weighed by 1/G(T-):
    // per such run, S₀, S₁ and S₂ (packed) of them, flat.
    let tri = p * (p + 1) / 2;
    let width = 1 + p + tri;
    let mut c = vec![0.0; width];
    let with_events = s.events.iter().filter(|&&e| e > 0).count();
    let mut before = Vec::with_capacity(with_events * width);
    for (r, &(a, b)) in s.runs.iter().enumerate() {
        if s.events[r] > 0 {
            before.extend_from_slice(&c);
        }
        for i in (a..b).filter(|&i| s.kind[i] == 2) {
            let (c0, rest) = c.split_at_mut(1);
            let (c1, c2) = rest.split_at_mut(p);
            accumulate(&mut c0[0], c1, c2, s.row(i), risk[i] / s.g_minus[r]);
        }
    }
    let mut out = Eval {
        loglik: 0.0,
        score: vec![0.0; p],
        info: DMatrix::zeros(p, p),
        s0: vec![0.0; nr],
        xbar: vec![0.0; nr * p],
    };
    let mut r0 = 0.0;
    let (mut r1, mut r2) = (vec![0.0; p], vec![0.0; tri]);
    let mut s1 = vec![0.0; p];
    let mut slot = with_events;
    for (r, &(a, b)) in s.runs.iter().enumerate().rev() {
        for (i, &e) in risk.iter().enumerate().take(b).skip(a) {
            accumulate(&mut r0, &mut r1, &mut r2, s.row(i), e);
            if s.kind[i] == 1 {
                out.loglik += e.ln();
                out.score
                    .iter_mut()
                    .zip(s.row(i))
                    .for_each(|(u, x)| *u += x);
            }
        }
        if s.events[r] == 0 {
            continue;
        }
        slot -= 1;
        let cs = &before[slot * width..(slot + 1) * width];
        let (b0, b1, b2) = (cs[0], &cs[1..=p], &cs[1 + p..]);
        let g = s.g_minus[r];
        let d = s.events[r] as f64;
        let s0 = r0 + g * b0;
        for j in 0..p {
            s1[j] = (r1[j] + g * b1[j]) / s0;
        }
        out.loglik -= d * s0.ln();
        for j in 0..p {
            out.score[j] -= d * s1[j];
            for k in j..p {
                let at = packed(p, j) + k - j;
                let v = d * ((r2[at] + g * b2[at]) / s0 - s1[j] * s1[k]);
                out.info[(j, k)] += v;
                if k != j {
                    out.info[(k, j)] += v;
                }
            }
        }
        out.s0[r] = s0;
        out.xbar[r * p..(r + 1) * p].copy_from_slice(&s1);
    }
    let finite = out.loglik.is_finite() && out.info.iter().all(|v| v.is_finite());
    finite.then_some(out)
}

/// The most Newton steps.
const MAX_ITERATIONS: usize = 50;

/// Newton-Raphson from β = 0: the estimate, its evaluation, l(0) and how
/// it stopped.
fn newton(s: &Sorted) -> Result<(Vec<f64>, Eval, f64, Convergence), CoxError> {
    let p = s.p;
    let mut beta = vec![0.0; p];
    let mut at = evaluate(s, &beta).ok_or(CoxError::NotFinite)?;
    let null = at.loglik;
    for it in 1..=MAX_ITERATIONS {
        // crr's criterion (gtol), tighter.
        let scale = at.loglik.abs().max(1.0);
        let grad = (0..p)
            .map(|j| at.score[j].abs() * beta[j].abs().max(1.0))
            .fold(0.0, f64::max);
        if grad < 1e-11 * scale {
            return Ok((beta, at, null, converged(it - 1)));
        }
        let chol = at.info.clone().cholesky().ok_or(CoxError::Singular)?;
        let step = chol.solve(&DVector::from_column_slice(&at.score));
        let mut frac = 1.0;
        let (next, eval) = loop {
            let trial: Vec<f64> = (0..p).map(|j| beta[j] + frac * step[j]).collect();
            match evaluate(s, &trial) {
                Some(e) if e.loglik >= at.loglik - 1e-12 * scale => break (trial, e),
                _ if frac < 1e-6 => return Err(CoxError::NotFinite),
                _ => frac /= 2.0,
            }
        };
        let moved = (0..p)
            .map(|j| (next[j] - beta[j]).abs() / next[j].abs().max(1.0))
            .fold(0.0, f64::max);
        beta = next;
        at = eval;
        if moved < 1e-12 {
            return Ok((beta, at, null, converged(it)));
        }
    }
    Ok((
        beta,
        at,
        null,
        Convergence {
            converged: false,
            iterations: MAX_ITERATIONS,
            reason: format!("did not converge in {MAX_ITERATIONS} iterations"),
        },
    ))
}

fn converged(iterations: usize) -> Convergence {
    Convergence {
        converged: true,
        iterations,
        reason: "converged".into(),
    }
}

/// The Fine-Gray model of the event of interest on `d`'s patients, CIs at
/// `conf_level`.
pub(super) fn fit_fine_gray(
    d: &CompetingDesign,
    conf_level: f64,
) -> Result<FineGrayFit, CompetingError> {
    let s = Sorted::new(d);
    let (beta, at, null, convergence) = newton(&s).map_err(CompetingError::Model)?;
    let chol = at
        .info
        .clone()
        .cholesky()
        .ok_or(CompetingError::Model(CoxError::Singular))?;
    let inv = chol.inverse();
    let var = super::sandwich::crr_variance(&s, &beta, &at, &inv)
        .ok_or(CompetingError::Model(CoxError::NotFinite))?;
    let z = z_of(conf_level);
    let terms = d
        .names
        .iter()
        .enumerate()
        .map(|(j, term)| {
            let (coef, se) = (beta[j], var[(j, j)].sqrt());
            FineGrayTerm {
                term: term.clone(),
                coef,
                se,
                z: coef / se,
                p_value: 2.0 * Normal::standard().sf((coef / se).abs()),
                shr: coef.exp(),
                ci_lower: (coef - z * se).exp(),
                ci_upper: (coef + z * se).exp(),
                naive_se: inv[(j, j)].sqrt(),
            }
        })
        .collect();
    let count = |k: u8| d.cause.iter().filter(|&&c| c.min(2) == k).count();
    Ok(FineGrayFit {
        event: d.causes[0].clone(),
        competing: d.causes[1..].to_vec(),
        terms,
        conf_level,
        n: d.time.len(),
        dropped: d.dropped,
        events: count(1),
        competing_events: count(2),
        censored: count(0),
        log_likelihood: at.loglik,
        log_likelihood_null: null,
        convergence,
        variance: match &d.clusters {
            Some(c) => FineGrayVariance::Clustered {
                column: c.column.clone(),
                clusters: c.count,
            },
            None => FineGrayVariance::Sandwich,
        },
        diagnostics: infinite(&s, &inv, &d.names),
    })
}

/// A warning per coefficient that may be infinite: the information about
/// it is nearly nil (its model-based SE over 1000 times its covariate's
/// SD's inverse), as when one level has every event (separation).
fn infinite(s: &Sorted, inv: &DMatrix<f64>, names: &[String]) -> Vec<Diagnostic> {
    (0..s.p)
        .filter(|&j| inv[(j, j)].sqrt() * s.sd[j] > 1e3)
        .map(|j| {
            Diagnostic::warning(
                Code::Separation,
                Some(&names[j]),
                format!("the Fine-Gray coefficient of {} may be infinite (its information is nearly nil: separation)", names[j]),
            )
            .with_hint("Check the events of each level of this covariate; merge sparse levels or leave it out.")
        })
        .collect()
}

/// The Fine-Gray model (as `cmprsk::crr`) of `spec`'s event of interest,
/// every competing level a competing event and every other level
/// censored, on `covariates` coded as the Cox model codes them; CIs at
/// `conf_level`. The SEs are crr's sandwich, or clustered by
/// `covariates.cluster` (Zhou et al. 2012, as `crrSC::crrc`; module
/// `sandwich`). `spec.group` is not used.
pub fn fine_gray(
    ds: &Dataset,
    spec: &CompetingSpec,
    covariates: &CompetingCovariates,
    conf_level: f64,
) -> Result<FineGrayFit, CompetingError> {
    check_level(conf_level)?;
    let d = competing_design(ds, spec, covariates)?;
    fit_fine_gray(&d, conf_level)
}

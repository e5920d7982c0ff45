//! Firth's penalised likelihood for logistic regression (Firth 1993,
//! Biometrika 80:27; Heinze & Schemper 2002, Stat Med 21:2409), as R's
//! `logistf` computes it by default.
//!
//! # Formulas
//! - Penalised log-likelihood l*(β) = l(β) + ½ ln |I(β)|, with l the
//!   binomial log-likelihood and I(β) = XᵀWX, W = diag(p(1 - p)).
//! - Its gradient, Firth's modified score: U*(β) = Xᵀ(y - p + h(½ - p)),
//!   h the diagonal of the hat matrix W^½X(XᵀWX)⁻¹XᵀW^½.
//! - Maximised by β ← β + I⁻¹U* (each step at most 5 per coefficient, and
//!   halved while l* falls), until the largest step is below 1e-10. With
//!   some coefficients fixed, only the others move: β_f ← β_f + I_ff⁻¹U*_f
//!   (I and h still those of the whole model).
//! - SE: √diag(I(β̂)⁻¹).
//! - P: the penalised likelihood-ratio test, 2[l*(β̂) - l*(β̃)], β̃ the
//!   maximum with the coefficient (or a variable's coefficients) fixed at 0,
//!   on χ² with that many degrees of freedom.
//! - CI: the profile penalised-likelihood interval, the values b of β_j with
//!   2[l*(β̂) - max l*(β | β_j = b)] = χ²₁(level), found by bracketing and
//!   false position (Illinois) to 1e-9.

use nalgebra::{DMatrix, DVector};

use crate::engine::numeric::{pool, Convergence, RowMatrix};

/// The patients, pooled by covariate pattern when many share one: `n[i]`
/// patients of pattern i, `e[i]` of them with the event (the penalised
/// likelihood and its score are the same summed by pattern: a pattern's
/// hat value is the sum of its patients').
pub(crate) struct Grouped {
    x: RowMatrix,
    n: Vec<f64>,
    e: Vec<f64>,
    pattern: Option<Vec<u32>>,
    /// Work done so far (multiply-adds of the likelihood evaluations),
    /// bounded by [`WORK_BOUND`].
    work: std::cell::Cell<f64>,
}

/// The most work (multiply-adds) a Firth fit with its profile intervals and
/// penalised LR tests may take: a few seconds. Past it, the remaining
/// intervals and P values are not computed (and a note says so) rather than
/// the step running for minutes on a model nearly as large as the data.
const WORK_BOUND: f64 = 1.5e9;

impl Grouped {
    pub fn new(x: &RowMatrix, y: &[f64]) -> Grouped {
        match pool(x, y) {
            Some(p) => Grouped {
                x: p.x,
                n: p.counts,
                e: p.events,
                pattern: Some(p.pattern),
                work: Default::default(),
            },
            None => Grouped {
                x: x.clone(),
                n: vec![1.0; x.rows],
                e: y.to_vec(),
                pattern: None,
                work: Default::default(),
            },
        }
    }

    /// Whether the work bound was reached (some intervals or P values were
    /// then not computed).
    pub fn exhausted(&self) -> bool {
        self.work.get() > WORK_BOUND
    }

    /// Per patient, the fitted probability of its pattern.
    pub fn per_patient(&self, fitted: &[f64]) -> Vec<f64> {
        match &self.pattern {
            Some(p) => p.iter().map(|&k| fitted[k as usize]).collect(),
            None => fitted.to_vec(),
        }
    }
}

/// A penalised fit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FirthFit {
    pub beta: Vec<f64>,
    /// I(β)⁻¹.
    pub covariance: DMatrix<f64>,
    pub fitted: Vec<f64>,
    /// The (unpenalised) log-likelihood at β.
    pub log_likelihood: f64,
    /// The penalised log-likelihood at β.
    pub penalized: f64,
    pub convergence: Convergence,
}

const MAX_ITERATIONS: usize = 200;
const MAX_STEP: f64 = 5.0;

fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// At β: fitted p, l, l*, I, and the modified score (None when I is
/// singular).
struct Point {
    p: Vec<f64>,
    loglik: f64,
    penalized: f64,
    info: DMatrix<f64>,
    score: DVector<f64>,
}

fn evaluate(g: &Grouped, beta: &[f64]) -> Option<Point> {
    let x = &g.x;
    let k = x.cols;
    if g.exhausted() {
        return None;
    }
    let (rows, kf) = (x.rows as f64, k as f64);
    g.work
        .set(g.work.get() + 2.0 * rows * kf * kf + kf * kf * kf);
    let mut p = Vec::with_capacity(x.rows);
    let mut loglik = 0.0;
    let mut info = DMatrix::<f64>::zeros(k, k);
    let softplus = |t: f64| if t > 30.0 { t } else { t.exp().ln_1p() };
    for i in 0..x.rows {
        let r = x.row(i);
        let eta: f64 = r.iter().zip(beta).map(|(a, b)| a * b).sum();
        let mu = sigmoid(eta);
        loglik -= g.e[i] * softplus(-eta) + (g.n[i] - g.e[i]) * softplus(eta);
        let w = g.n[i] * mu * (1.0 - mu);
        for a in 0..k {
            let wa = w * r[a];
            for b in 0..=a {
                info[(a, b)] += wa * r[b];
            }
        }
        p.push(mu);
    }
    for a in 0..k {
        for b in 0..a {
            info[(b, a)] = info[(a, b)];
        }
    }
    let chol = info.clone().cholesky()?;
    let logdet: f64 = chol.l().diagonal().iter().map(|d| 2.0 * d.ln()).sum();
    let inv = chol.inverse();
    let mut score = DVector::<f64>::zeros(k);
    for (i, &mu) in p.iter().enumerate() {
        let r = x.row(i);
        let mut quad = 0.0;
        for a in 0..k {
            let va: f64 = (0..k).map(|b| inv[(a, b)] * r[b]).sum();
            quad += r[a] * va;
        }
        let h = g.n[i] * mu * (1.0 - mu) * quad;
        let resid = g.e[i] - g.n[i] * mu + h * (0.5 - mu);
        for (sa, ra) in score.iter_mut().zip(r) {
            *sa += resid * ra;
        }
    }
    Some(Point {
        p,
        loglik,
        penalized: loglik + 0.5 * logdet,
        info,
        score,
    })
}

/// Maximises l* from `start` with the coefficients at `fixed` held at their
/// values in `start`. None when the information is singular (collinear
/// columns).
pub(crate) fn firth_fit(g: &Grouped, start: &[f64], fixed: &[usize]) -> Option<FirthFit> {
    let free: Vec<usize> = (0..g.x.cols).filter(|j| !fixed.contains(j)).collect();
    let mut beta = start.to_vec();
    let mut point = evaluate(g, &beta)?;
    let mut convergence = Convergence {
        converged: false,
        iterations: 0,
        reason: format!("did not converge in {MAX_ITERATIONS} iterations"),
    };
    for iter in 1..=MAX_ITERATIONS {
        convergence.iterations = iter;
        if free.is_empty() {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
        let sub = DMatrix::from_fn(free.len(), free.len(), |a, b| {
            point.info[(free[a], free[b])]
        });
        let rhs = DVector::from_fn(free.len(), |a, _| point.score[free[a]]);
        let step = sub.cholesky().map(|c| c.solve(&rhs))?;
        let largest = step.iter().fold(0.0_f64, |m, s| m.max(s.abs()));
        let mut factor = if largest > MAX_STEP {
            MAX_STEP / largest
        } else {
            1.0
        };
        let mut accepted = None;
        for _ in 0..30 {
            let mut trial = beta.clone();
            for (a, &j) in free.iter().enumerate() {
                trial[j] += factor * step[a];
            }
            if let Some(next) = evaluate(g, &trial) {
                if next.penalized >= point.penalized - 1e-12 * point.penalized.abs().max(1.0) {
                    accepted = Some((trial, next));
                    break;
                }
            }
            factor /= 2.0;
        }
        let Some((trial, next)) = accepted else {
            convergence.reason = "stopped: no step increased the penalised likelihood".into();
            break;
        };
        let moved = largest * factor;
        beta = trial;
        point = next;
        if moved < 1e-10 {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
    }
    let covariance = point.info.clone().cholesky()?.inverse();
    Some(FirthFit {
        beta,
        covariance,
        fitted: point.p,
        log_likelihood: point.loglik,
        penalized: point.penalized,
        convergence,
    })
}

/// The penalised likelihood-ratio statistic for fixing `cols` at 0.
pub(crate) fn penalized_lr(g: &Grouped, full: &FirthFit, cols: &[usize]) -> Option<f64> {
    let mut start = full.beta.clone();
    for &j in cols {
        start[j] = 0.0;
    }
    let reduced = firth_fit(g, &start, cols)?;
    Some((2.0 * (full.penalized - reduced.penalized)).max(0.0))
}

/// The profile penalised-likelihood interval of coefficient `j`: `q` is
/// χ²₁ at the confidence level. A bound is None when l* does not fall far
/// enough on that side.
pub(crate) fn profile_interval(
    data: &Grouped,
    full: &FirthFit,
    j: usize,
    q: f64,
) -> (Option<f64>, Option<f64>) {
    if !(q.is_finite() && q > 0.0) {
        return (None, None);
    }
    let se = full.covariance[(j, j)].max(0.0).sqrt().max(1e-3);
    let centre = full.beta[j];
    // g(b) = 2[l*(β̂) - max l*(β | β_j = b)] - q; g(centre) = -q.
    let gap = |b: f64, warm: &mut Vec<f64>| -> Option<f64> {
        let mut start = warm.clone();
        start[j] = b;
        let fit = firth_fit(data, &start, &[j])?;
        *warm = fit.beta.clone();
        Some(2.0 * (full.penalized - fit.penalized) - q)
    };
    let bound = |direction: f64| -> Option<f64> {
        let mut warm = full.beta.clone();
        let (mut inner, mut g_inner) = (centre, -q);
        let mut width = 2.0 * se;
        let mut found = None;
        for _ in 0..24 {
            let b = centre + direction * width;
            let v = gap(b, &mut warm)?;
            if v > 0.0 {
                found = Some((b, v));
                break;
            }
            (inner, g_inner) = (b, v);
            width *= 2.0;
        }
        let (mut outer, mut g_outer) = found?;
        // Illinois false position between inner (g < 0) and outer (g > 0).
        let mut side = 0;
        for _ in 0..200 {
            let b = outer - g_outer * (outer - inner) / (g_outer - g_inner);
            let v = gap(b, &mut warm)?;
            if v.abs() < 1e-11 || (outer - inner).abs() < 1e-10 * (1.0 + b.abs()) {
                return Some(b);
            }
            if v > 0.0 {
                (outer, g_outer) = (b, v);
                if side == 1 {
                    g_inner /= 2.0;
                }
                side = 1;
            } else {
                (inner, g_inner) = (b, v);
                if side == -1 {
                    g_outer /= 2.0;
                }
                side = -1;
            }
        }
        Some(0.5 * (inner + outer))
    };
    (bound(-1.0), bound(1.0))
}

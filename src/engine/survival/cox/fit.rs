//! The Newton-Raphson driver of the Cox model and the tests of its fit.
//!
//! # Method
//! The covariates are centred (as R does: the same estimates, a better
//! conditioned information) and the patients laid out in the order the
//! likelihood visits them. From β = 0, β ← β + I(β)⁻¹ U(β), the step
//! halved while the log-likelihood falls, until the relative change of the
//! log-likelihood is below [`CoxTolerances::loglik`]. Var(β) = I(β̂)⁻¹.
//! The likelihood-ratio test is 2 (l(β̂) - l(0)), the Wald test
//! β̂ᵀ I(β̂) β̂, the score test U(0)ᵀ I(0)⁻¹ U(0), each on p df.

use nalgebra::{Cholesky, DMatrix, DVector, Dyn};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::passes::{linear_predictor, partial, Partial};
use super::robust::{robust_score_test_sorted, robust_variance, score_residuals};
use super::summary::z_crit;
use super::{check_conf_level, CoxData, CoxError, CoxFit, CoxTerm, Ties};
use crate::engine::numeric::Convergence;
use crate::engine::parallel;
use crate::engine::survival::concordance::concordance_and_se;
use crate::engine::survival::data::{by_stratum_then_time, TimeOrder};

/// When the Newton loop stops (R's `coxph.control`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoxTolerances {
    /// Largest relative change of the log partial likelihood at which the
    /// fit has converged. Default 1e-10 (R's `eps` = 1e-9).
    pub loglik: f64,
    /// Most Newton steps. Default 30 (R's `iter.max` = 20).
    pub max_iterations: usize,
    /// A trial step is kept when the log-likelihood falls by no more than
    /// this, relative to its size. Default 1e-12.
    pub step_slack: f64,
    /// Step halving stops below this fraction of the Newton step, and the
    /// step is then taken. Default 1e-4.
    pub min_step: f64,
}

impl Default for CoxTolerances {
    fn default() -> Self {
        Self {
            loglik: 1e-10,
            max_iterations: 30,
            step_slack: 1e-12,
            min_step: 1e-4,
        }
    }
}

/// The means of the p columns of row-major `x` over its n rows.
pub(super) fn column_means(x: &[f64], p: usize, n: usize) -> Vec<f64> {
    let mut sums = vec![0.0; p];
    for r in x.chunks_exact(p.max(1)) {
        for (s, v) in sums.iter_mut().zip(r) {
            *s += v;
        }
    }
    sums.iter().map(|s| s / n as f64).collect()
}

/// Row-major `x` less the column `means`.
pub(super) fn centred(x: &[f64], means: &[f64]) -> Vec<f64> {
    let mut out = x.to_vec();
    for r in out.chunks_exact_mut(means.len().max(1)) {
        for (v, m) in r.iter_mut().zip(means) {
            *v -= m;
        }
    }
    out
}

/// The patients centred and sorted by stratum, then time descending.
struct Sorted {
    means: Vec<f64>,
    /// `order[k]`: the patient at place k.
    order: Vec<usize>,
    x: Vec<f64>,
    time: Vec<f64>,
    event: Vec<bool>,
    stratum: Vec<usize>,
    /// The case weights, in the same order.
    weights: Option<Vec<f64>>,
}

impl Sorted {
    fn new(data: &CoxData) -> Self {
        let (x, p, n) = (data.x, data.columns, data.time.len());
        let (
            means,
            TimeOrder {
                order,
                time,
                stratum,
            },
        ) = parallel::join(
            || column_means(x, p, n),
            || by_stratum_then_time(data.time, data.stratum, true),
        );
        // Laid out in the order the likelihood visits them: the passes then
        // read memory sequentially.
        let mut flat = vec![0.0; n * p];
        let pieces = parallel::ranges(n, 8, 1 << 14);
        let lengths: Vec<usize> = pieces.iter().map(|r| r.len() * p).collect();
        parallel::fill_pieces(&mut flat, &lengths, |j, piece| {
            for (dst, &i) in piece
                .chunks_exact_mut(p.max(1))
                .zip(&order[pieces[j].clone()])
            {
                for ((d, v), m) in dst.iter_mut().zip(&x[i * p..(i + 1) * p]).zip(&means) {
                    *d = v - m;
                }
            }
        });
        let event = order.iter().map(|&i| data.event[i]).collect();
        let weights = data.weights.map(|w| order.iter().map(|&i| w[i]).collect());
        Sorted {
            means,
            order,
            x: flat,
            time,
            event,
            stratum,
            weights,
        }
    }

    fn data(&self) -> CoxData<'_> {
        CoxData {
            x: &self.x,
            columns: self.means.len(),
            time: &self.time,
            event: &self.event,
            stratum: &self.stratum,
            cluster: None,
            weights: self.weights.as_deref(),
        }
    }
}

/// Where the Newton loop ended.
struct Newton {
    beta: Vec<f64>,
    /// The log-likelihood at β = 0 and at the end.
    ll0: f64,
    ll: f64,
    /// The score test at β = 0.
    score: f64,
    /// The information at the end.
    info: DMatrix<f64>,
    convergence: Convergence,
}

/// The Cholesky factor of the information, or why there is none.
fn factor(info: &DMatrix<f64>, ll: f64) -> Result<Cholesky<f64, Dyn>, CoxError> {
    info.clone().cholesky().ok_or_else(|| {
        if ll.is_finite() && info.iter().all(|v| v.is_finite()) {
            CoxError::Singular
        } else {
            CoxError::NotFinite
        }
    })
}

/// Newton-Raphson from β = 0 on sorted, centred patients.
fn newton(d: &CoxData, ties: Ties, tol: &CoxTolerances) -> Result<Newton, CoxError> {
    let mut beta = vec![0.0; d.columns];
    let Partial {
        ll: ll0,
        score: u0,
        info: i0,
    } = partial(d, &beta, ties);
    let score = i0
        .clone()
        .cholesky()
        .map_or(f64::NAN, |c| (u0.transpose() * c.solve(&u0))[(0, 0)]);
    let (mut ll, mut u, mut info) = (ll0, u0, i0);
    let mut convergence = Convergence {
        converged: false,
        iterations: 0,
        reason: format!("did not converge in {} iterations", tol.max_iterations),
    };
    for iter in 1..=tol.max_iterations {
        let step = factor(&info, ll)?.solve(&u);
        let mut halving = 1.0;
        let next = loop {
            let trial: Vec<f64> = beta
                .iter()
                .zip(step.iter())
                .map(|(b, s)| b + halving * s)
                .collect();
            let next = partial(d, &trial, ties);
            if next.ll >= ll - tol.step_slack * ll.abs() || halving < tol.min_step {
                beta = trial;
                break next;
            }
            halving /= 2.0;
        };
        // Relative to |l|, floored away from 0.
        let change = (next.ll - ll).abs() / ll.abs().max(1e-300);
        (ll, u, info) = (next.ll, next.score, next.info);
        convergence.iterations = iter;
        if change < tol.loglik {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
    }
    Ok(Newton {
        beta,
        ll0,
        ll,
        score,
        info,
        convergence,
    })
}

/// Fits a Cox model; `names` are the covariates' term names, `conf_level`
/// the level of the CIs (strictly between 0 and 1; R's `summary(fit,
/// conf.int = )`). The fit stops as [`CoxTolerances::default`] says.
pub fn fit_cox(
    data: &CoxData,
    names: &[String],
    ties: Ties,
    conf_level: f64,
) -> Result<CoxFit, CoxError> {
    check_conf_level(conf_level)?;
    let CoxData {
        columns: p,
        time,
        event,
        cluster,
        ..
    } = *data;
    debug_assert_eq!(p, names.len());
    let events = event.iter().filter(|&&e| e).count();
    if events == 0 {
        return Err(CoxError::NoEvents);
    }
    let n = time.len();
    let sorted = Sorted::new(data);
    let fit = newton(&sorted.data(), ties, &CoxTolerances::default())?;
    let var = factor(&fit.info, fit.ll)?.inverse();
    let (beta, info, ll, ll0) = (&fit.beta, &fit.info, fit.ll, fit.ll0);
    // The robust variance and score test: by cluster, or with weights and
    // no cluster one patient per cluster (R's `coxph(..., weights = ,
    // robust = TRUE)`), on the sorted patients, the two at once.
    let sorted_cluster: Option<Vec<usize>> =
        cluster.map(|c| sorted.order.iter().map(|&i| c[i]).collect());
    let robust_by: Option<Option<&[usize]>> = match (&sorted_cluster, data.weights) {
        (Some(c), _) => Some(Some(c.as_slice())),
        (None, Some(_)) => Some(None),
        (None, None) => None,
    };
    let sd = sorted.data();
    let (robust, robust_score) = match robust_by {
        Some(by) => {
            let (v, s) = parallel::join(
                || robust_variance(&score_residuals(&sd, beta, ties), by, &var),
                || robust_score_test_sorted(&sd, by, ties),
            );
            (Some(v), Some(s))
        }
        None => (None, None),
    };
    let z = z_crit(conf_level);
    let terms = names
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let robust_se = robust.as_ref().map(|rv| rv[(a, a)].sqrt());
            CoxTerm::new(name.clone(), beta[a], var[(a, a)].sqrt(), robust_se, z)
        })
        .collect();
    let b = DVector::from_column_slice(beta);
    let wald = (b.transpose() * info * &b)[(0, 0)];
    let robust_wald = robust
        .as_ref()
        .and_then(|rv| rv.clone().try_inverse())
        .map(|inv| (b.transpose() * inv * &b)[(0, 0)]);
    let lr = 2.0 * (ll - ll0);
    let chi = |x: f64| ChiSquared::new(p as f64).map_or(f64::NAN, |c| c.sf(x));
    let eta = linear_predictor(&sorted.x, beta, n);
    let (concordance, concordance_se) = concordance_and_se(
        &sorted.time,
        &sorted.event,
        &eta,
        &sorted.stratum,
        sorted_cluster.as_deref(),
        sorted.weights.as_deref(),
    );
    Ok(CoxFit {
        ties,
        terms,
        conf_level,
        n,
        dropped: 0,
        events,
        log_likelihood: ll,
        log_likelihood_null: ll0,
        lr_chi_square: lr,
        wald_chi_square: wald,
        robust_wald_chi_square: robust_wald,
        robust_wald_p_value: robust_wald.map(chi),
        robust_score_chi_square: robust_score,
        robust_score_p_value: robust_score.map(chi),
        score_chi_square: fit.score,
        df: p,
        lr_p_value: chi(lr),
        wald_p_value: chi(wald),
        score_p_value: chi(fit.score),
        concordance,
        concordance_se,
        convergence: fit.convergence,
        weighted: data.weights.is_some(),
        diagnostics: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop's limits as they were before they were named.
    #[test]
    fn default_tolerances() {
        let t = CoxTolerances::default();
        assert_eq!((t.loglik, t.max_iterations), (1e-10, 30));
        assert_eq!((t.step_slack, t.min_step), (1e-12, 1e-4));
    }
}

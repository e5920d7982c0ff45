//! Newton-Raphson (= IRLS with the canonical link) for logistic regression.
//!
//! # Formula
//! With p = 1 / (1 + e^(-Xβ)), the score is Xᵀ(y - p) and the information
//! XᵀWX, W = diag(p(1 - p)); β ← β + (XᵀWX)⁻¹ Xᵀ(y - p) from β = 0 until
//! the largest change in β is below `Tolerances::beta` relative to
//! (|β| + 1). R's `glm.fit` stops on the deviance (1e-8 relative), so its
//! estimates are a little short of the optimum that ours reach.
//! Var(β) = (XᵀWX)⁻¹ at the final β. Identical rows are pooled first (see
//! `pool`); a large design of mostly 0/1 columns is summed by the patterns
//! of those columns (see `split`).

use nalgebra::{DMatrix, DVector};

use super::add_weighted_gram;
use serde::{Deserialize, Serialize};

/// A dense row-major matrix: the design, one patient per row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowMatrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl RowMatrix {
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The same rows with only the given columns.
    pub fn select_columns(&self, keep: &[usize]) -> RowMatrix {
        let mut data = Vec::with_capacity(self.rows * keep.len());
        for i in 0..self.rows {
            let r = self.row(i);
            data.extend(keep.iter().map(|&j| r[j]));
        }
        RowMatrix {
            rows: self.rows,
            cols: keep.len(),
            data,
        }
    }
}

/// When to stop iterating.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerances {
    /// Largest change of a coefficient relative to (|β| + 1). Default
    /// 1e-10 (Newton converges quadratically: one more step than 1e-5).
    pub beta: f64,
    /// Most iterations. Default 50.
    pub max_iterations: usize,
}

impl Default for Tolerances {
    fn default() -> Self {
        Self {
            beta: 1e-10,
            max_iterations: 50,
        }
    }
}

/// How a fit ended: data, reported with every result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Convergence {
    pub converged: bool,
    pub iterations: usize,
    /// Why it stopped, in words.
    pub reason: String,
}

/// A fitted logistic model.
#[derive(Debug, Clone, PartialEq)]
pub struct IrlsFit {
    pub beta: Vec<f64>,
    /// (XᵀWX)⁻¹, p x p.
    pub covariance: DMatrix<f64>,
    /// Fitted probabilities, one per row.
    pub fitted: Vec<f64>,
    pub deviance: f64,
    pub convergence: Convergence,
}

pub(super) fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// Deviance contribution of `n` patients with `e` events at linear
/// predictor `eta`: -2 [e ln p + (n - e) ln(1 - p)], safe at 0 and 1.
pub(super) fn dev_term(e: f64, n: f64, eta: f64) -> f64 {
    // ln p = -ln(1 + e^-eta); ln(1-p) = -ln(1 + e^eta)
    let softplus = |x: f64| if x > 30.0 { x } else { x.exp().ln_1p() };
    // Skip the term whose weight is zero (one patient: one log, not two).
    let mut d = 0.0;
    if e > 0.0 {
        d += e * softplus(-eta);
    }
    if n > e {
        d += (n - e) * softplus(eta);
    }
    2.0 * d
}

/// Rows with the same covariate values, pooled: `counts[k]` patients of
/// pattern k, `events[k]` of them with the event; `pattern[i]` is row i's.
pub struct Patterns {
    pub x: RowMatrix,
    pub counts: Vec<f64>,
    pub events: Vec<f64>,
    pub pattern: Vec<u32>,
}

/// Pools identical rows (categorical designs have few patterns: the
/// binomial likelihood on patterns gives the same estimates, variances and
/// deviance as on patients, for a fraction of the work). `None` when rows
/// are mostly distinct.
pub fn pool(x: &RowMatrix, y: &[f64]) -> Option<Patterns> {
    use std::collections::{HashMap, HashSet};
    let limit = x.rows / 4;
    // Mostly distinct rows (a continuous covariate): do not even try.
    let probe = x.rows.min(2000);
    let distinct: HashSet<Vec<u64>> = (0..probe)
        .map(|i| x.row(i).iter().map(|v| v.to_bits()).collect())
        .collect();
    if distinct.len() * 4 > probe * 3 && probe > 100 {
        return None;
    }
    let mut index: HashMap<u64, u32> = HashMap::new();
    let mut px: Vec<f64> = Vec::new();
    let (mut counts, mut events) = (Vec::new(), Vec::new());
    let mut pattern = Vec::with_capacity(x.rows);
    for (i, &yi) in y.iter().enumerate().take(x.rows) {
        let r = x.row(i);
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for v in r {
            h = (h ^ v.to_bits())
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(17);
        }
        let k = match index.get(&h) {
            Some(&k) => {
                // A hash collision between different rows: do not pool.
                if &px[k as usize * x.cols..(k as usize + 1) * x.cols] != r {
                    return None;
                }
                k
            }
            None => {
                if counts.len() >= limit {
                    return None;
                }
                let k = counts.len() as u32;
                index.insert(h, k);
                px.extend_from_slice(r);
                counts.push(0.0);
                events.push(0.0);
                k
            }
        };
        counts[k as usize] += 1.0;
        events[k as usize] += yi;
        pattern.push(k);
    }
    Some(Patterns {
        x: RowMatrix {
            rows: counts.len(),
            cols: x.cols,
            data: px,
        },
        counts,
        events,
        pattern,
    })
}

/// Fits a logistic regression of `y` (0/1) on the columns of `x` (which
/// should include an intercept column). `None` when XᵀWX is singular at the
/// start (collinear columns).
pub fn logistic_irls(x: &RowMatrix, y: &[f64], tol: Tolerances) -> Option<IrlsFit> {
    match pool(x, y) {
        Some(p) => {
            let mut fit = binomial_irls(&p.x, &p.counts, &p.events, tol)?;
            fit.fitted = p.pattern.iter().map(|&k| fit.fitted[k as usize]).collect();
            Some(fit)
        }
        None => {
            let ones = vec![1.0; x.rows];
            binomial_irls(x, &ones, y, tol)
        }
    }
}

/// Fits a weighted logistic regression on grouped rows: row i stands for
/// patients with the covariates of `x`'s row i whose weights sum to
/// `w[i]` and whose weighted events sum to `e[i]` (one patient: its
/// weight w and w·y). This is R's `glm(family = quasibinomial(), weights =
/// w)` and `survey::svyglm`'s estimate: Newton-Raphson on the weighted
/// log-likelihood Σ wᵢ[yᵢ ln pᵢ + (1 - yᵢ) ln(1 - pᵢ)], which patients
/// with the same covariates share. `covariance` is (XᵀWX)⁻¹ with
/// W = diag(w p(1 - p)), the bread of a sandwich, `deviance` the weighted
/// deviance, `fitted` one per row. `None` when XᵀWX is singular at the
/// start (collinear columns).
pub fn weighted_logistic_irls(
    x: &RowMatrix,
    w: &[f64],
    e: &[f64],
    tol: Tolerances,
) -> Option<IrlsFit> {
    binomial_irls(x, w, e, tol)
}

/// Newton-Raphson for grouped binomial data: row i has `n[i]` patients of
/// whom `e[i]` had the event. The deviance is that of the patients.
fn binomial_irls(x: &RowMatrix, n: &[f64], e: &[f64], tol: Tolerances) -> Option<IrlsFit> {
    // The rows in a fixed number of stretches (one for a small design),
    // summed side by side natively and always in the same order.
    let stretches = crate::engine::parallel::ranges(x.rows, 8, 1 << 14);
    binomial_irls_in(x, n, e, tol, &stretches)
}

/// [`binomial_irls`] with the rows in the given stretches.
fn binomial_irls_in(
    x: &RowMatrix,
    n: &[f64],
    e: &[f64],
    tol: Tolerances,
    stretches: &[std::ops::Range<usize>],
) -> Option<IrlsFit> {
    let y = e;
    let p = x.cols;
    // Start as R's glm.fit does in effect: the intercept at logit(ȳ)
    // (the first column is the intercept when it is all ones).
    let mut beta = vec![0.0; p];
    let (sum_n, sum_e): (f64, f64) = (n.iter().sum(), e.iter().sum());
    if p > 0 && (0..x.rows).all(|i| x.row(i)[0] == 1.0) && sum_e > 0.0 && sum_e < sum_n {
        beta[0] = (sum_e / (sum_n - sum_e)).ln();
    }
    let mut convergence = Convergence {
        converged: false,
        iterations: 0,
        reason: format!("did not converge in {} iterations", tol.max_iterations),
    };
    // A large design of mostly 0/1 columns: by patterns (see `split`).
    let split = super::split::Split::new(x);
    // The score, the information and, on the final pass, the fitted values
    // and the deviance, at β.
    let pass = |beta: &[f64], last: bool| -> (Vec<f64>, DMatrix<f64>, Vec<f64>, f64) {
        if let Some(s) = &split {
            return s.pass(beta, n, y, stretches, last);
        }
        let parts = crate::engine::parallel::map(stretches.len(), |k| {
            let rows = stretches[k].clone();
            let mut grad = vec![0.0; p];
            let mut w = vec![0.0; rows.len()];
            let mut fitted = Vec::with_capacity(if last { rows.len() } else { 0 });
            let mut dev = 0.0;
            for i in rows.clone() {
                let r = x.row(i);
                let eta: f64 = r.iter().zip(beta).map(|(a, b)| a * b).sum();
                let mu = sigmoid(eta);
                w[i - rows.start] = n[i] * mu * (1.0 - mu);
                if last {
                    dev += dev_term(y[i], n[i], eta);
                    fitted.push(mu);
                } else {
                    let resid = y[i] - n[i] * mu;
                    for (g, xa) in grad.iter_mut().zip(r) {
                        *g += xa * resid;
                    }
                }
            }
            let mut info = DMatrix::<f64>::zeros(p, p);
            add_weighted_gram(&mut info, &x.data[rows.start * p..rows.end * p], &w, p);
            (grad, info, fitted, dev)
        });
        // Summed in the stretches' order.
        let mut total = (vec![0.0; p], DMatrix::<f64>::zeros(p, p), Vec::new(), 0.0);
        for (g, m, f, d) in parts {
            for (a, b) in total.0.iter_mut().zip(&g) {
                *a += b;
            }
            total.1 += m;
            total.2.extend(f);
            total.3 += d;
        }
        total
    };
    for iter in 1..=tol.max_iterations {
        let (grad, info, _, _) = pass(&beta, false);
        let score = DVector::from_column_slice(&grad);
        let Some(chol) = info.cholesky() else {
            if iter == 1 {
                return None; // collinear columns
            }
            // The information matrix degenerated while coefficients ran
            // off: separation. Keep the last estimates, unconverged.
            convergence.reason =
                "stopped: the information matrix became singular (separation?)".into();
            break;
        };
        let step = chol.solve(&score);
        let max_rel = step
            .iter()
            .zip(&beta)
            .map(|(s, b)| s.abs() / (b.abs() + 1.0))
            .fold(0.0, f64::max);
        for (b, s) in beta.iter_mut().zip(step.iter()) {
            *b += s;
        }
        convergence.iterations = iter;
        if max_rel < tol.beta {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
    }
    // Final quantities at the last β.
    let (_, info, fitted, dev) = pass(&beta, true);
    let covariance = info
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        // nalgebra's SVD never ends on a matrix with NaN or infinity
        // (covariates near 1e308 overflow the information).
        .or_else(|| {
            info.iter()
                .all(|v| v.is_finite())
                .then(|| info.pseudo_inverse(1e-12).ok())
                .flatten()
        })?;
    Some(IrlsFit {
        beta,
        covariance,
        fitted,
        deviance: dev,
        convergence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Summed by stretches, the fit is the fit of one pass over the rows.
    #[test]
    fn stretches_give_the_fit_of_one_pass() {
        let (rows, p) = (5000, 4);
        let mut rng = crate::engine::rng::Rng::seed_from_u64(99);
        let mut uniform = || rng.uniform();
        let mut data = Vec::with_capacity(rows * p);
        let mut y = Vec::with_capacity(rows);
        for _ in 0..rows {
            let r = [
                1.0,
                uniform() * 2.0 - 1.0,
                uniform(),
                f64::from(uniform() < 0.3),
            ];
            let eta = -0.5 + 1.2 * r[1] - 0.8 * r[2] + 0.6 * r[3];
            y.push(f64::from(uniform() < 1.0 / (1.0 + (-eta).exp())));
            data.extend_from_slice(&r);
        }
        let x = RowMatrix {
            rows,
            cols: p,
            data,
        };
        let ones = vec![1.0; rows];
        let tol = Tolerances::default();
        let whole = crate::engine::parallel::ranges(rows, 1, 1);
        let one = binomial_irls_in(&x, &ones, &y, tol, &whole).unwrap();
        for parts in [2, 3, 8] {
            let cut = crate::engine::parallel::ranges(rows, parts, 1);
            assert_eq!(cut.len(), parts);
            let f = binomial_irls_in(&x, &ones, &y, tol, &cut).unwrap();
            assert_eq!(f.convergence.iterations, one.convergence.iterations);
            assert!((f.deviance - one.deviance).abs() < 1e-9 * one.deviance);
            for (a, b) in f.beta.iter().zip(&one.beta) {
                assert!((a - b).abs() < 1e-10, "{a} {b}");
            }
            for (a, b) in f.covariance.iter().zip(one.covariance.iter()) {
                assert!((a - b).abs() < 1e-10 * b.abs().max(1e-6), "{a} {b}");
            }
            assert_eq!(f.fitted.len(), rows);
            for (a, b) in f.fitted.iter().zip(&one.fitted) {
                assert!((a - b).abs() < 1e-12);
            }
        }
    }
}

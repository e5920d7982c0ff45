//! Newton-Raphson (= IRLS with the canonical link) for logistic regression.
//!
//! # Formula
//! With p = 1 / (1 + e^(-Xβ)), the score is Xᵀ(y - p) and the information
//! XᵀWX, W = diag(p(1 - p)); β ← β + (XᵀWX)⁻¹ Xᵀ(y - p) from β = 0 until
//! the largest change in β is below `Tolerances::beta` (relative) and the
//! deviance change below `Tolerances::deviance` (relative), as R's
//! `glm.fit` (whose default deviance tolerance is 1e-8; ours is tighter, so
//! estimates are at the optimum). Var(β) = (XᵀWX)⁻¹ at the final β.

use nalgebra::{DMatrix, DVector};
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
    /// Largest relative change in a coefficient. Default 1e-10.
    pub beta: f64,
    /// Relative change in deviance. Default 1e-12.
    pub deviance: f64,
    /// Most iterations. Default 50.
    pub max_iterations: usize,
}

impl Default for Tolerances {
    fn default() -> Self {
        Self {
            beta: 1e-10,
            deviance: 1e-12,
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

fn sigmoid(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// Deviance contribution -2 [y ln p + (1 - y) ln(1 - p)], safe at 0 and 1.
fn dev_term(y: f64, eta: f64) -> f64 {
    // ln p = -ln(1 + e^-eta); ln(1-p) = -ln(1 + e^eta)
    let softplus = |x: f64| if x > 30.0 { x } else { x.exp().ln_1p() };
    2.0 * (y * softplus(-eta) + (1.0 - y) * softplus(eta))
}

/// Fits a logistic regression of `y` (0/1) on the columns of `x` (which
/// should include an intercept column). `None` when XᵀWX is singular at the
/// start (collinear columns).
pub fn logistic_irls(x: &RowMatrix, y: &[f64], tol: Tolerances) -> Option<IrlsFit> {
    let p = x.cols;
    let mut beta = vec![0.0; p];
    let mut deviance = f64::INFINITY;
    let mut convergence = Convergence {
        converged: false,
        iterations: 0,
        reason: format!("did not converge in {} iterations", tol.max_iterations),
    };
    let mut info = DMatrix::<f64>::zeros(p, p);
    for iter in 1..=tol.max_iterations {
        info.fill(0.0);
        let mut score = DVector::<f64>::zeros(p);
        let mut dev = 0.0;
        for (i, &yi) in y.iter().enumerate().take(x.rows) {
            let r = x.row(i);
            let eta: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let mu = sigmoid(eta);
            let w = mu * (1.0 - mu);
            dev += dev_term(yi, eta);
            let resid = yi - mu;
            for a in 0..p {
                score[a] += r[a] * resid;
                let wa = w * r[a];
                for b in 0..=a {
                    info[(a, b)] += wa * r[b];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                info[(b, a)] = info[(a, b)];
            }
        }
        let Some(chol) = info.clone().cholesky() else {
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
        let dev_change = (deviance - dev).abs() / (dev.abs() + 0.1);
        deviance = dev;
        convergence.iterations = iter;
        if max_rel < tol.beta || (dev_change < tol.deviance && max_rel < tol.beta.sqrt()) {
            convergence.converged = true;
            convergence.reason = "converged".into();
            break;
        }
    }
    // Final quantities at the last β.
    info.fill(0.0);
    let mut fitted = Vec::with_capacity(x.rows);
    let mut dev = 0.0;
    for (i, &yi) in y.iter().enumerate().take(x.rows) {
        let r = x.row(i);
        let eta: f64 = r.iter().zip(&beta).map(|(a, b)| a * b).sum();
        let mu = sigmoid(eta);
        dev += dev_term(yi, eta);
        let w = mu * (1.0 - mu);
        for a in 0..p {
            for b in 0..=a {
                info[(a, b)] += w * r[a] * r[b];
            }
        }
        fitted.push(mu);
    }
    for a in 0..p {
        for b in 0..a {
            info[(b, a)] = info[(a, b)];
        }
    }
    let covariance = info
        .clone()
        .cholesky()
        .map(|c| c.inverse())
        .or_else(|| info.pseudo_inverse(1e-12).ok())?;
    Some(IrlsFit {
        beta,
        covariance,
        fitted,
        deviance: dev,
        convergence,
    })
}

//! The sandwich variance of the Fine-Gray estimate, as `cmprsk::crr`'s
//! `var` (Fine & Gray 1999, §3; Gray, cmprsk `crrvv`):
//! V = I⁻¹ (Σᵢ (ηᵢ + ψᵢ)(ηᵢ + ψᵢ)ᵀ) I⁻¹.
//!
//! # Formula
//! With the sums of `finegray` at β̂, w̄ᵢ(s) patient i's risk-set weight
//! at s (1 while Tᵢ ≥ s; G(s-)/G(Tᵢ-) after a competing event at Tᵢ < s),
//! ηᵢ is i's score residual:
//!
//! ηᵢ = δᵢ (xᵢ - x̄(Tᵢ)) - Σₛ dₛ w̄ᵢ(s) e^ηᵢ (xᵢ - x̄(s)) / S₀(s),
//!
//! the sum over event times s (δᵢ = 1 for the event of interest). ψᵢ is
//! the term from estimating G: at a censoring time u, with Y(u) patients
//! at risk and C₀(u), C₁(u) the sums of e^η/G(T-) and x e^η/G(T-) over
//! competing events at T < u,
//!
//! q(u) = Σ_{s ≥ u} dₛ G(s-) (C₁(u) - x̄(s) C₀(u)) / S₀(s),
//!
//! ψᵢ = cᵢ q(Tᵢ)/Y(Tᵢ) - Σ_{u ≤ Tᵢ} c(u) q(u)/Y(u)²,
//!
//! cᵢ = 1 when i is censored, c(u) the censorings at u. Every sum is a
//! running sum over the time-sorted patients: O(n p²).
//!
//! # Clustered
//! With clusters (e.g. the matched sets), the meat is the sum over
//! clusters of the outer product of each cluster's sum of ηᵢ + ψᵢ:
//! V = I⁻¹ (Σ_c Ū_c Ū_cᵀ) I⁻¹, Ū_c = Σ_{i ∈ c} (ηᵢ + ψᵢ), with G still the
//! Kaplan-Meier estimate over every patient and no small-sample factor:
//! the variance of Zhou B, Fine J, Latouche A, Labopin M (2012),
//! Competing risks regression for clustered data, Biostatistics
//! 13:371-383, as their R package crrSC's `crrc` computes it (read from
//! its C code `crrvvoo`). One patient per cluster gives crr's variance.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use super::finegray::{Eval, Sorted};

/// Which sandwich variance a Fine-Gray fit reports.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FineGrayVariance {
    /// crr's: each patient's ηᵢ + ψᵢ its own term of the meat.
    #[default]
    Sandwich,
    /// Zhou et al. (2012), crrSC's `crrc`: ηᵢ + ψᵢ summed within each
    /// cluster of `column` (`clusters` of them) before the outer product.
    Clustered { column: String, clusters: usize },
}

impl FineGrayVariance {
    /// What the SEs are, for a table's footnote: "robust (sandwich) SE" or
    /// "robust SE clustered by matched_set (216 clusters)".
    pub fn label(&self) -> String {
        match self {
            FineGrayVariance::Sandwich => "robust (sandwich) SE".into(),
            FineGrayVariance::Clustered { column, clusters } => {
                format!("robust SE clustered by {column} ({clusters} clusters)")
            }
        }
    }
}

/// Per run: running sums of dₛ/S₀ and dₛ x̄/S₀ (weighted by G(s-) when
/// `g`) over the runs with events, up to and including each run
/// (`from_end` false) or from each run on (true).
fn cumulative(s: &Sorted, at: &Eval, g: bool, from_end: bool) -> (Vec<f64>, Vec<f64>) {
    let (p, nr) = (s.p, s.runs.len());
    let (mut a0, mut a1) = (vec![0.0; nr], vec![0.0; nr * p]);
    let (mut c0, mut c1) = (0.0, vec![0.0; p]);
    let order: Box<dyn Iterator<Item = usize>> = if from_end {
        Box::new((0..nr).rev())
    } else {
        Box::new(0..nr)
    };
    for r in order {
        if s.events[r] > 0 {
            let w = s.events[r] as f64 * if g { s.g_minus[r] } else { 1.0 } / at.s0[r];
            c0 += w;
            let xbar = &at.xbar[r * p..(r + 1) * p];
            c1.iter_mut().zip(xbar).for_each(|(c, m)| *c += w * m);
        }
        a0[r] = c0;
        a1[r * p..(r + 1) * p].copy_from_slice(&c1);
    }
    (a0, a1)
}

/// crr's sandwich variance at β̂ (`inv` = I(β̂)⁻¹), clustered by
/// `s.cluster` when given; `None` when a value is not finite.
pub(super) fn crr_variance(
    s: &Sorted,
    beta: &[f64],
    at: &Eval,
    inv: &DMatrix<f64>,
) -> Option<DMatrix<f64>> {
    let p = s.p;
    let risk = s.risk(beta)?;
    // Σ_{s ≤ t} and Σ_{s ≥ t} (with G(s-)) per run.
    let (a0, a1) = cumulative(s, at, false, false);
    let (b0, b1) = cumulative(s, at, true, true);
    let mut meat = DMatrix::<f64>::zeros(p, p);
    // Per cluster, the sum of its patients' ηᵢ + ψᵢ.
    let mut by_cluster = s.cluster.as_ref().map(|c| vec![0.0; c.count * p]);
    let (mut c0, mut c1) = (0.0, vec![0.0; p]);
    let mut psi_sum = vec![0.0; p];
    let mut q = vec![0.0; p];
    let mut res = vec![0.0; p];
    for (r, &(start, end)) in s.runs.iter().enumerate() {
        let xbar = &at.xbar[r * p..(r + 1) * p];
        // The sums over s > t: those over s ≥ t less this run's.
        let (mut g0, mut g1) = (b0[r], b1[r * p..(r + 1) * p].to_vec());
        if s.events[r] > 0 {
            let w = s.events[r] as f64 * s.g_minus[r] / at.s0[r];
            g0 -= w;
            g1.iter_mut().zip(xbar).for_each(|(v, m)| *v -= w * m);
        }
        let y = s.at_risk[r] as f64;
        if s.censored[r] > 0 {
            for j in 0..p {
                q[j] = c1[j] * b0[r] - c0 * b1[r * p + j];
                psi_sum[j] -= s.censored[r] as f64 * q[j] / (y * y);
            }
        }
        for (i, &e) in risk.iter().enumerate().take(end).skip(start) {
            let x = s.row(i);
            let comp = if s.kind[i] == 2 {
                e / s.g_minus[r]
            } else {
                0.0
            };
            for j in 0..p {
                let mut v = -e * (x[j] * a0[r] - a1[r * p + j]) - comp * (x[j] * g0 - g1[j]);
                if s.kind[i] == 1 {
                    v += x[j] - xbar[j];
                }
                v += psi_sum[j];
                if s.kind[i] == 0 {
                    v += q[j] / y;
                }
                res[j] = v;
            }
            match (&mut by_cluster, &s.cluster) {
                (Some(sums), Some(c)) => {
                    let at = c.id[i] * p;
                    sums[at..at + p]
                        .iter_mut()
                        .zip(&res)
                        .for_each(|(u, v)| *u += v);
                }
                _ => add_outer(&mut meat, &res),
            }
        }
        // Competing events of this run weigh the later censoring times.
        for i in (start..end).filter(|&i| s.kind[i] == 2) {
            let w = risk[i] / s.g_minus[r];
            c0 += w;
            c1.iter_mut().zip(s.row(i)).for_each(|(v, x)| *v += w * x);
        }
    }
    for u in by_cluster
        .iter()
        .flat_map(|sums| sums.chunks_exact(p.max(1)))
    {
        add_outer(&mut meat, u);
    }
    for j in 0..p {
        for k in 0..j {
            meat[(j, k)] = meat[(k, j)];
        }
    }
    let v = inv * meat * inv;
    v.iter().all(|x| x.is_finite()).then_some(v)
}

/// Adds u uᵀ to the upper triangle of `meat`.
fn add_outer(meat: &mut DMatrix<f64>, u: &[f64]) {
    let p = u.len();
    for j in 0..p {
        for k in j..p {
            meat[(j, k)] += u[j] * u[k];
        }
    }
}

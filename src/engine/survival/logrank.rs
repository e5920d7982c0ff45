//! The log-rank test for k groups, as R's `survdiff`, with Fleming-Harrington
//! weights S(t-)^ρ (ρ = 1: Peto-Peto) and strata; pairwise comparisons with
//! a multiplicity adjustment.
//!
//! # Formula
//! At each event time (within a stratum), with n at risk of whom nⱼ in group
//! j and d events: Oⱼ += w·dⱼ, Eⱼ += w·d·nⱼ/n, Vⱼₖ += w²·d(n - d)/(n - 1)·
//! nⱼ/n·(δⱼₖ - nₖ/n); χ² = (O - E)ᵀ V⁻ (O - E) on k - 1 df (the generalised
//! inverse of V without its last row and column). Summed over strata.

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::SurvivalError;

/// The result of a log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    pub groups: Vec<String>,
    pub n: Vec<usize>,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
    /// Fleming-Harrington ρ (0: log-rank, 1: Peto-Peto).
    pub rho: f64,
    pub stratified: bool,
}

/// Adjustment of pairwise P values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Adjustment {
    /// Holm's step-down (R `p.adjust(method = "holm")`), the default.
    #[default]
    Holm,
    Bonferroni,
    None,
}

/// One pair of groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairwiseLogRank {
    pub group_a: String,
    pub group_b: String,
    pub chi_square: f64,
    pub p_value: f64,
    pub p_adjusted: f64,
}

/// Log-rank test of `group` (indices into `labels`) within `stratum`.
pub fn log_rank(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    stratum: &[usize],
    labels: &[String],
    rho: f64,
) -> Result<LogRank, SurvivalError> {
    let to = super::data::by_stratum_then_time(time, stratum, false);
    log_rank_ordered(&to, event, group, labels, rho)
}

/// [`log_rank`] given the patients' order by stratum, then time.
pub(crate) fn log_rank_ordered(
    to: &super::data::TimeOrder,
    event: &[bool],
    group: &[usize],
    labels: &[String],
    rho: f64,
) -> Result<LogRank, SurvivalError> {
    let k = labels.len();
    let mut n = vec![0usize; k];
    for &g in group {
        n[g] += 1;
    }
    let present: Vec<usize> = (0..k).filter(|&g| n[g] > 0).collect();
    if present.len() < 2 {
        return Err(SurvivalError::OneGroup);
    }
    let mut o = vec![0.0; k];
    let mut e = vec![0.0; k];
    let mut v = DMatrix::<f64>::zeros(k, k);
    let g: Vec<usize> = to.order.iter().map(|&i| group[i]).collect();
    let died: Vec<bool> = to.order.iter().map(|&i| event[i]).collect();
    let mut nstrata = 0;
    let mut risk = vec![0.0f64; k];
    let mut d = vec![0.0f64; k];
    let mut leaving = vec![0.0f64; k];
    for s in super::data::runs(&to.stratum) {
        nstrata += 1;
        risk.fill(0.0);
        for &gi in &g[s.clone()] {
            risk[gi] += 1.0;
        }
        let mut total: f64 = s.len() as f64;
        let mut km: f64 = 1.0; // pooled S(t-) for the weights
        for at in super::data::runs(&to.time[s.clone()]) {
            let at = s.start + at.start..s.start + at.end;
            d.fill(0.0);
            leaving.fill(0.0);
            for q in at.clone() {
                if died[q] {
                    d[g[q]] += 1.0;
                }
                leaving[g[q]] += 1.0;
            }
            let dt: f64 = d.iter().sum();
            if dt > 0.0 {
                let w = if rho == 0.0 { 1.0 } else { km.powf(rho) };
                for j in 0..k {
                    o[j] += w * d[j];
                    e[j] += w * dt * risk[j] / total;
                }
                if total > 1.0 {
                    let f = w * w * dt * (total - dt) / (total - 1.0);
                    for a in 0..k {
                        for b in 0..k {
                            let delta = if a == b { 1.0 } else { 0.0 };
                            v[(a, b)] += f * risk[a] / total * (delta - risk[b] / total);
                        }
                    }
                }
                km *= 1.0 - dt / total;
            }
            for j in 0..k {
                risk[j] -= leaving[j];
            }
            total -= at.len() as f64;
        }
    }
    // Quadratic form on the groups present, without the last.
    let q: Vec<usize> = present[..present.len() - 1].to_vec();
    let diff = DVector::from_iterator(q.len(), q.iter().map(|&j| o[j] - e[j]));
    let vq = DMatrix::from_fn(q.len(), q.len(), |a, b| v[(q[a], q[b])]);
    let inv = vq
        .clone()
        .try_inverse()
        .or_else(|| vq.pseudo_inverse(1e-10).ok());
    let chi = inv.map_or(f64::NAN, |inv| (diff.transpose() * inv * &diff)[(0, 0)]);
    let df = q.len();
    Ok(LogRank {
        groups: labels.to_vec(),
        n,
        observed: o,
        expected: e,
        chi_square: chi,
        df,
        p_value: ChiSquared::new(df as f64).map_or(f64::NAN, |c| c.sf(chi)),
        rho,
        stratified: nstrata > 1,
    })
}

/// R `p.adjust` for Holm and Bonferroni.
pub fn adjust(p: &[f64], method: Adjustment) -> Vec<f64> {
    let m = p.len() as f64;
    match method {
        Adjustment::None => p.to_vec(),
        Adjustment::Bonferroni => p.iter().map(|x| (x * m).min(1.0)).collect(),
        Adjustment::Holm => {
            let mut idx: Vec<usize> = (0..p.len()).collect();
            idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
            let mut out = vec![0.0; p.len()];
            let mut running = 0.0f64;
            for (rank, &i) in idx.iter().enumerate() {
                running = running.max(((m - rank as f64) * p[i]).min(1.0));
                out[i] = running;
            }
            out
        }
    }
}

/// Every pair of groups compared by its own log-rank test (patients of the
/// other groups left out), P values adjusted for the number of pairs.
pub fn pairwise_log_rank(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    stratum: &[usize],
    labels: &[String],
    rho: f64,
    adjustment: Adjustment,
) -> Vec<PairwiseLogRank> {
    let mut out = Vec::new();
    for a in 0..labels.len() {
        for b in a + 1..labels.len() {
            let keep: Vec<usize> = (0..time.len())
                .filter(|&i| group[i] == a || group[i] == b)
                .collect();
            let t: Vec<f64> = keep.iter().map(|&i| time[i]).collect();
            let e: Vec<bool> = keep.iter().map(|&i| event[i]).collect();
            let g: Vec<usize> = keep.iter().map(|&i| usize::from(group[i] == b)).collect();
            let s: Vec<usize> = keep.iter().map(|&i| stratum[i]).collect();
            let pair = [labels[a].clone(), labels[b].clone()];
            if let Ok(r) = log_rank(&t, &e, &g, &s, &pair, rho) {
                out.push(PairwiseLogRank {
                    group_a: pair[0].clone(),
                    group_b: pair[1].clone(),
                    chi_square: r.chi_square,
                    p_value: r.p_value,
                    p_adjusted: f64::NAN,
                });
            }
        }
    }
    let adj = adjust(
        &out.iter().map(|r| r.p_value).collect::<Vec<_>>(),
        adjustment,
    );
    for (r, p) in out.iter_mut().zip(adj) {
        r.p_adjusted = p;
    }
    out
}

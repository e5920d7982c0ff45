//! Covariate balance before and after matching, as MatchIt's
//! `summary(m, un = TRUE)`: per covariate and per level of a categorical
//! covariate, the (weighted) means by group, the standardised mean
//! difference, the variance ratio (continuous covariates) and the eCDF
//! differences; plus the pooled-SD SMD used in Table 1.
//!
//! # Conventions
//! - Means after matching use the matching weights.
//! - `smd` is MatchIt's for the ATT: the difference in means over the SD of
//!   the treated patients before matching, the same denominator before and
//!   after (binary: √(p(1 - p)); continuous: the n - 1 SD).
//!   When the treated SD is 0 the pooled SD stands in.
//! - `smd_pooled` divides by √((s²ₜ + s²꜀)/2) of the sample at hand (Table 1's
//!   convention, Austin 2009).
//! - Weighted variances: Σw(x - x̄)² / (Σw - Σw²/Σw).
//! - eCDF: weighted empirical CDFs of the two groups, their absolute
//!   difference at every distinct value: mean and maximum. For a binary
//!   indicator both equal |pₜ - p꜀|.
//! - Binary covariates get one row (their non-reference level), others one
//!   row per level.

use serde::{Deserialize, Serialize};

use super::MatchResult;
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};

/// Balance statistics in one sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BalanceStats {
    pub mean_treated: f64,
    pub mean_control: f64,
    /// Standardised mean difference, treated SD (MatchIt, ATT).
    pub smd: f64,
    /// Standardised mean difference, pooled SD (Table 1).
    pub smd_pooled: f64,
    /// Variance ratio treated / control (continuous covariates).
    pub var_ratio: Option<f64>,
    pub ecdf_mean: f64,
    pub ecdf_max: f64,
}

/// One covariate (or one level of one), before and after matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceRow {
    /// `age`, `race: black`.
    pub term: String,
    pub variable: String,
    pub level: Option<String>,
    pub binary: bool,
    pub before: BalanceStats,
    pub after: BalanceStats,
}

struct Sample<'a> {
    x: &'a [f64],
    w: &'a [f64],
    treated: &'a [bool],
}

fn wmean_var(x: &[f64], w: &[f64], pick: impl Fn(usize) -> bool) -> (f64, f64, f64) {
    let (mut sw, mut sw2, mut swx) = (0.0, 0.0, 0.0);
    for i in 0..x.len() {
        if pick(i) {
            sw += w[i];
            sw2 += w[i] * w[i];
            swx += w[i] * x[i];
        }
    }
    let m = swx / sw;
    let mut ss = 0.0;
    for i in 0..x.len() {
        if pick(i) {
            ss += w[i] * (x[i] - m).powi(2);
        }
    }
    (m, ss / (sw - sw2 / sw), sw)
}

fn ecdf(s: &Sample) -> (f64, f64) {
    // Evaluated at every distinct value in the sample, matched or not (a
    // weight of 0 adds a point, not mass), as MatchIt does.
    let mut idx: Vec<usize> = (0..s.x.len()).collect();
    idx.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
    let total = |t: bool| {
        idx.iter()
            .filter(|&&i| s.treated[i] == t)
            .map(|&i| s.w[i])
            .sum::<f64>()
    };
    let (wt, wc) = (total(true), total(false));
    let (mut ft, mut fc) = (0.0, 0.0);
    let (mut sum, mut max, mut k) = (0.0, 0.0f64, 0usize);
    let mut i = 0;
    while i < idx.len() {
        let v = s.x[idx[i]];
        while i < idx.len() && s.x[idx[i]] == v {
            let j = idx[i];
            if s.treated[j] {
                ft += s.w[j] / wt;
            } else {
                fc += s.w[j] / wc;
            }
            i += 1;
        }
        let d = (ft - fc).abs();
        sum += d;
        max = max.max(d);
        k += 1;
    }
    (sum / k.max(1) as f64, max)
}

fn stats(s: &Sample, binary: bool, sd_denom: f64) -> BalanceStats {
    let (mt, vt, _) = wmean_var(s.x, s.w, |i| s.treated[i] && s.w[i] > 0.0);
    let (mc, vc, _) = wmean_var(s.x, s.w, |i| !s.treated[i] && s.w[i] > 0.0);
    let (vt, vc) = if binary {
        (mt * (1.0 - mt), mc * (1.0 - mc))
    } else {
        (vt, vc)
    };
    let (ecdf_mean, ecdf_max) = if binary {
        ((mt - mc).abs(), (mt - mc).abs())
    } else {
        ecdf(s)
    };
    let pooled = ((vt + vc) / 2.0).sqrt();
    BalanceStats {
        mean_treated: mt,
        mean_control: mc,
        // A covariate constant among the treated has no treated SD: the
        // pooled SD stands in (0 when both are constant).
        smd: if sd_denom > 0.0 {
            (mt - mc) / sd_denom
        } else if pooled > 0.0 {
            (mt - mc) / pooled
        } else {
            0.0
        },
        smd_pooled: if pooled > 0.0 {
            (mt - mc) / pooled
        } else {
            0.0
        },
        var_ratio: (!binary).then(|| vt / vc),
        ecdf_mean,
        ecdf_max,
    }
}

/// Balance of the model's covariates before and after matching.
pub fn balance(ds: &Dataset, m: &MatchResult) -> Vec<BalanceRow> {
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| m.treated[i].is_some()).collect();
    let treated: Vec<bool> = rows.iter().map(|&i| m.treated[i] == Some(true)).collect();
    let ones = vec![1.0; rows.len()];
    let w_after: Vec<f64> = rows.iter().map(|&i| m.weights[i]).collect();
    let mut out = Vec::new();
    let mut push =
        |term: String, variable: &str, level: Option<String>, binary: bool, x: Vec<f64>| {
            let before = Sample {
                x: &x,
                w: &ones,
                treated: &treated,
            };
            let sd_denom = if binary {
                let (p, _, _) = wmean_var(&x, &ones, |i| treated[i]);
                (p * (1.0 - p)).sqrt()
            } else {
                wmean_var(&x, &ones, |i| treated[i]).1.sqrt()
            };
            let after = Sample {
                x: &x,
                w: &w_after,
                treated: &treated,
            };
            out.push(BalanceRow {
                term,
                variable: variable.to_owned(),
                level,
                binary,
                before: stats(&before, binary, sd_denom),
                after: stats(&after, binary, sd_denom),
            });
        };
    for var in &m.spec.covariates {
        let Some(col) = ds.column(var) else { continue };
        match &col.data {
            ColumnData::Numeric(v) => {
                let x: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
                push(var.clone(), var, None, false, x);
            }
            ColumnData::Categorical {
                codes,
                levels,
                reference,
            } => {
                let shown: Vec<usize> = if levels.len() == 2 {
                    vec![1 - (*reference).min(1)]
                } else {
                    (0..levels.len()).collect()
                };
                for l in shown {
                    let x: Vec<f64> = rows
                        .iter()
                        .map(|&i| f64::from(codes[i] != MISSING_CODE && codes[i] as usize == l))
                        .collect();
                    push(
                        format!("{var}: {}", levels[l]),
                        var,
                        Some(levels[l].clone()),
                        true,
                        x,
                    );
                }
            }
            ColumnData::Text(_) => {}
        }
    }
    out
}

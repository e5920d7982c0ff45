//! Covariate balance before and after matching or weighting, as MatchIt's
//! `summary(m, un = TRUE)` and cobalt's `bal.tab()`: per covariate and per
//! level of a categorical covariate, the (weighted) means by group, the
//! standardised mean difference, the variance ratio (continuous covariates)
//! and the eCDF differences; plus the pooled-SD SMD used in Table 1.
//!
//! # Conventions
//! - "Before" is every patient in the propensity model with weight 1;
//!   "after" uses the matching or weighting weights (patients with weight
//!   0 left out).
//! - `smd` divides the difference in means by one SD, the same before and
//!   after ([`SmdDenominator`]): the treated patients' SD before
//!   adjustment (MatchIt's for the ATT, and cobalt's for the ATT), the
//!   pooled unweighted SD √((s²ₜ + s²꜀)/2) (cobalt's for the ATE), or the
//!   SD of the whole weighted sample (cobalt's `s.d.denom = "weighted"`,
//!   its default for the ATO and ATM). Binary covariates are standardised
//!   too (cobalt's `binary = "std"`, MatchIt's default), with the variance
//!   p(1 - p); continuous ones use the n - 1 variance, or the weighted one
//!   below. When the chosen SD is 0 the pooled SD of the sample at hand
//!   stands in.
//! - `smd_pooled` divides by √((s²ₜ + s²꜀)/2) of the sample at hand (Table 1's
//!   convention, Austin 2009).
//! - Weighted variances: Σw(x - x̄)² / (Σw - Σw²/Σw) (cobalt's `col_w_var`).
//! - eCDF: weighted empirical CDFs of the two groups, their absolute
//!   difference at every distinct value: mean and maximum. For a binary
//!   indicator both equal |pₜ - p꜀|.
//! - Binary covariates get one row (their non-reference level), others one
//!   row per level.
//!
//! References: Austin & Stuart (2015), Stat Med 34:3661 (balance after
//! weighting); Greifer, cobalt (R package), `bal.tab` and `col_w_smd`.

use serde::{Deserialize, Serialize};

use super::MatchResult;
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::numeric::sort_with_order;

/// Which SD the standardised mean difference divides by (the same SD
/// before and after adjustment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SmdDenominator {
    /// The treated patients' unweighted SD (MatchIt's and cobalt's for the
    /// ATT).
    #[default]
    Treated,
    /// √((s²ₜ + s²꜀)/2) of the unweighted groups (cobalt's for the ATE).
    Pooled,
    /// The SD of all patients with their weights (cobalt's for the ATO
    /// and ATM).
    Weighted,
}

impl SmdDenominator {
    pub fn as_str(self) -> &'static str {
        match self {
            SmdDenominator::Treated => "treated",
            SmdDenominator::Pooled => "pooled",
            SmdDenominator::Weighted => "weighted",
        }
    }

    /// The denominator in words, for a table's footnote.
    pub fn describe(self) -> &'static str {
        match self {
            SmdDenominator::Treated => "the SD of the treated patients before adjustment",
            SmdDenominator::Pooled => {
                "the pooled SD of the two groups before adjustment, √((s²ₜ + s²꜀)/2)"
            }
            SmdDenominator::Weighted => "the SD of all patients with their weights",
        }
    }
}

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

/// A covariate's values sorted, with each patient's group and weight after
/// adjustment in the same order: the eCDF then reads memory in order.
struct Sorted {
    values: Vec<f64>,
    treated: Vec<bool>,
    w_after: Vec<f64>,
}

/// Weighted mean, weighted variance and weight total of each group
/// (treated first), patients of weight 0 left out: two passes over the
/// patients.
fn group_moments(x: &[f64], w: Option<&[f64]>, treated: &[bool]) -> [(f64, f64, f64); 2] {
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let (mut sw, mut sw2, mut swx) = ([0.0; 2], [0.0; 2], [0.0; 2]);
    for (i, (&xi, &t)) in x.iter().zip(treated).enumerate() {
        let wi = wt(i);
        if wi > 0.0 {
            let g = usize::from(!t);
            sw[g] += wi;
            sw2[g] += wi * wi;
            swx[g] += wi * xi;
        }
    }
    let m = [swx[0] / sw[0], swx[1] / sw[1]];
    let mut ss = [0.0; 2];
    for (i, (&xi, &t)) in x.iter().zip(treated).enumerate() {
        let wi = wt(i);
        if wi > 0.0 {
            let g = usize::from(!t);
            ss[g] += wi * (xi - m[g]).powi(2);
        }
    }
    [0, 1].map(|g| (m[g], ss[g] / (sw[g] - sw2[g] / sw[g]), sw[g]))
}

/// Weighted mean and variance of the patients `pick` chooses.
fn wmean_var(x: &[f64], w: &[f64], pick: impl Fn(usize) -> bool) -> (f64, f64) {
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
    (m, ss / (sw - sw2 / sw))
}

/// The eCDF statistics of the sorted values, each weighing `w` (1 each
/// when `None`), the groups' totals `wt` and `wc`.
fn ecdf(s: &Sorted, w: Option<&[f64]>, wt: f64, wc: f64) -> (f64, f64) {
    // Evaluated at every distinct value in the sample, matched or not (a
    // weight of 0 adds a point, not mass), as MatchIt does.
    let values = &s.values;
    let (mut ft, mut fc) = (0.0, 0.0);
    let (mut sum, mut max, mut k) = (0.0, 0.0f64, 0usize);
    let mut i = 0;
    while i < values.len() {
        let v = values[i];
        while i < values.len() && values[i] == v {
            let wi = w.map_or(1.0, |w| w[i]);
            if s.treated[i] {
                ft += wi / wt;
            } else {
                fc += wi / wc;
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

/// A numeric covariate's statistics in one sample whose groups have the
/// weighted `moments` ([`group_moments`]), with its eCDF statistics when
/// it is not binary (`sorted`, weighted by `w_after` or 1 each).
fn stats(
    moments: [(f64, f64, f64); 2],
    sorted: Option<&Sorted>,
    w_after: bool,
    sd_denom: f64,
) -> BalanceStats {
    let [(mt, vt, wt), (mc, vc, wc)] = moments;
    let Some(sorted) = sorted else {
        return binary_stats(mt, mc, sd_denom);
    };
    let w = w_after.then_some(sorted.w_after.as_slice());
    let (ecdf_mean, ecdf_max) = ecdf(sorted, w, wt, wc);
    finish_stats(mt, mc, vt, vc, false, ecdf_mean, ecdf_max, sd_denom)
}

/// A binary covariate (or one level of a categorical one): everything
/// follows from the two proportions.
fn binary_stats(mt: f64, mc: f64, sd_denom: f64) -> BalanceStats {
    let (vt, vc) = (mt * (1.0 - mt), mc * (1.0 - mc));
    let d = (mt - mc).abs();
    finish_stats(mt, mc, vt, vc, true, d, d, sd_denom)
}

#[allow(clippy::too_many_arguments)]
fn finish_stats(
    mt: f64,
    mc: f64,
    vt: f64,
    vc: f64,
    binary: bool,
    ecdf_mean: f64,
    ecdf_max: f64,
    sd_denom: f64,
) -> BalanceStats {
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

/// The SD the SMD of a numeric covariate (or a 0/1 one) divides by, from
/// the groups' unweighted means and variances before adjustment.
fn numeric_denominator(
    before: [(f64, f64); 2],
    x: &[f64],
    w: &[f64],
    binary: bool,
    denominator: SmdDenominator,
) -> f64 {
    let var = |(m, v): (f64, f64)| if binary { m * (1.0 - m) } else { v };
    match denominator {
        SmdDenominator::Treated => var(before[0]).sqrt(),
        SmdDenominator::Pooled => ((var(before[0]) + var(before[1])) / 2.0).sqrt(),
        SmdDenominator::Weighted => var(wmean_var(x, w, |i| w[i] > 0.0)).sqrt(),
    }
}

/// The SD the SMD of a level of a categorical covariate divides by, from
/// its proportions: unweighted by group, and in the whole weighted sample.
fn level_denominator(pt: f64, pc: f64, p_weighted: f64, denominator: SmdDenominator) -> f64 {
    let v = |p: f64| p * (1.0 - p);
    match denominator {
        SmdDenominator::Treated => v(pt).sqrt(),
        SmdDenominator::Pooled => ((v(pt) + v(pc)) / 2.0).sqrt(),
        SmdDenominator::Weighted => v(p_weighted).sqrt(),
    }
}

/// Balance of the model's covariates before and after matching (the
/// treated SD in the SMD, as MatchIt).
pub fn balance(ds: &Dataset, m: &MatchResult) -> Vec<BalanceRow> {
    balance_with(
        ds,
        &m.spec.covariates,
        &m.treated,
        &m.weights,
        SmdDenominator::Treated,
    )
}

/// Balance of `covariates` before and after weighting by `weights` (per
/// dataset row) between the groups of `treated` (rows with `None` are
/// left out), the SMD divided by `denominator`.
pub(crate) fn balance_with(
    ds: &Dataset,
    covariates: &[String],
    in_model: &[Option<bool>],
    weights: &[f64],
    denominator: SmdDenominator,
) -> Vec<BalanceRow> {
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| in_model[i].is_some()).collect();
    let treated: Vec<bool> = rows.iter().map(|&i| in_model[i] == Some(true)).collect();
    let w_after: Vec<f64> = rows.iter().map(|&i| weights[i]).collect();
    let treated = &treated[..];
    let numeric_row =
        |term: String, variable: &str, level: Option<String>, binary: bool, x: Vec<f64>| {
            // The eCDF of a binary covariate is not sorted for.
            let sorted = (!binary).then(|| {
                let (values, order) = sort_with_order(&x, false);
                Sorted {
                    values,
                    treated: order.iter().map(|&i| treated[i]).collect(),
                    w_after: order.iter().map(|&i| w_after[i]).collect(),
                }
            });
            // The denominator, from the groups before adjustment.
            let m_before = group_moments(&x, None, treated);
            let m_after = group_moments(&x, Some(&w_after), treated);
            let [(mt, vt, _), (mc, vc, _)] = m_before;
            let sd_denom =
                numeric_denominator([(mt, vt), (mc, vc)], &x, &w_after, binary, denominator);
            BalanceRow {
                term,
                variable: variable.to_owned(),
                level,
                binary,
                before: stats(m_before, sorted.as_ref(), false, sd_denom),
                after: stats(m_after, sorted.as_ref(), true, sd_denom),
            }
        };
    // Covariates are independent: in parallel natively, in order.
    let per_covariate = crate::engine::parallel::map(covariates.len(), |c| {
        let var = &covariates[c];
        let mut out = Vec::new();
        let Some(col) = ds.column(var) else {
            return out;
        };
        match &col.data {
            ColumnData::Numeric(v) => {
                let x: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
                out.push(numeric_row(var.clone(), var, None, false, x));
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
                // Every level's proportions in one pass: weight totals by
                // group, and by group and level, before (weight 1) and
                // after matching (the matching weights, where > 0).
                let k = levels.len();
                let (mut n_t, mut n_c, mut w_t, mut w_c) = (0.0, 0.0, 0.0, 0.0);
                let mut by_level = vec![[0.0f64; 4]; k];
                for (j, &i) in rows.iter().enumerate() {
                    let w = w_after[j];
                    let code = codes[i];
                    let level = (code != MISSING_CODE)
                        .then_some(code as usize)
                        .filter(|&c| c < k);
                    let (n_slot, w_slot) = if treated[j] { (0, 2) } else { (1, 3) };
                    if treated[j] {
                        n_t += 1.0;
                    } else {
                        n_c += 1.0;
                    }
                    if w > 0.0 {
                        if treated[j] {
                            w_t += w;
                        } else {
                            w_c += w;
                        }
                    }
                    if let Some(l) = level {
                        by_level[l][n_slot] += 1.0;
                        if w > 0.0 {
                            by_level[l][w_slot] += w;
                        }
                    }
                }
                for l in shown {
                    let [lt, lc, lwt, lwc] = by_level[l];
                    let p = lt / n_t;
                    let p_weighted = (lwt + lwc) / (w_t + w_c);
                    let sd_denom = level_denominator(p, lc / n_c, p_weighted, denominator);
                    out.push(BalanceRow {
                        term: format!("{var}: {}", levels[l]),
                        variable: var.clone(),
                        level: Some(levels[l].clone()),
                        binary: true,
                        before: binary_stats(p, lc / n_c, sd_denom),
                        after: binary_stats(lwt / w_t, lwc / w_c, sd_denom),
                    });
                }
            }
            ColumnData::Text(_) => {}
        }
        out
    });
    per_covariate.into_iter().flatten().collect()
}

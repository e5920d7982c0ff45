//! The statistics of a weighted Table 1, as the `survey` package computes
//! them for `svydesign(ids = ~1, weights = ~w)` (tableone's
//! `svyCreateTableOne`), with w > 0 and missing values left out of each
//! variable's statistics:
//!
//! - size of a group: Σw (`svytotal`);
//! - level of a categorical variable: Σw over the level (`svytotal`), its
//!   percentage 100 Σw(level) / Σw(patients with a value) (`svymean` of
//!   the level's indicator with `na.rm = TRUE`);
//! - mean x̄ = Σwx / Σw (`svymean`);
//! - SD √v with v = n/(n - 1) · Σw(x - x̄)² / Σw, n the number of patients
//!   with a value (`svyvar`, survey R/survey.R, which keeps Kish's n - 1
//!   divisor; n counts the patients with a value as survey ≥ 4.2 does,
//!   where 4.1 counted every patient of the group); undefined for n = 1,
//!   as R's NA;
//! - median and quartiles by `survey::oldsvyquantile` with its defaults
//!   (`method = "linear"`, `ties = "discrete"`, `f = 1`), the rule tableone
//!   uses: with the values sorted and cᵢ = Σⱼ≤ᵢ wⱼ / Σw, the quantile of
//!   probability p is the linear interpolation of the points (cᵢ, x₍ᵢ₎)
//!   at p (R's `approxfun`), x₍₁₎ below c₁ and the largest value above
//!   the last point; points with the same cᵢ keep the smallest value.
//!   Inside [c₁, 1] this is `svyquantile(qrule = "hf4")` of survey 4.x.
//!   Tied values are taken in the dataset's order (R's `order` is
//!   stable), which matters: the interpolation from the value below a
//!   tie spans the weight of the tie's first patient.
//! - missing values: counted (patients) and weighted (Σw) apart.
//!
//! Reference: Lumley T (2004), Analysis of complex survey samples, J Stat
//! Softw 9(8); survey R/survey.R (`svymean`, `svyvar`), R/svyquantile.R
//! (`oldsvyquantile`); Yoshida K, tableone R/modules-svy.R.

use super::LevelRow;
use crate::engine::summary::NumericSummary;

/// Weighted counts of a categorical variable by group and level.
pub(super) struct WeightedCounts {
    /// Σw by group and level.
    sums: Vec<Vec<f64>>,
    /// Σw of the patients with no value, by group.
    pub missing: Vec<f64>,
}

impl WeightedCounts {
    pub fn new(groups: usize, levels: usize) -> Self {
        Self {
            sums: vec![vec![0.0; levels]; groups],
            missing: vec![0.0; groups],
        }
    }

    /// Adds a patient of group `g` at `level` (`None`: missing).
    pub fn add(&mut self, g: usize, level: Option<usize>, w: f64) {
        match level {
            Some(l) => self.sums[g][l] += w,
            None => self.missing[g] += w,
        }
    }

    fn present(&self) -> Vec<f64> {
        self.sums.iter().map(|r| r.iter().sum()).collect()
    }

    /// The weighted proportions of each group's levels.
    pub fn proportions(&self) -> Vec<Vec<f64>> {
        self.sums
            .iter()
            .zip(self.present())
            .map(|(r, d)| r.iter().map(|&c| c / d).collect())
            .collect()
    }

    /// Level `l`'s weighted counts and percentages in `row`.
    pub fn fill(&self, l: usize, row: &mut LevelRow) {
        let present = self.present();
        let per: Vec<f64> = self.sums.iter().map(|r| r[l]).collect();
        let overall: f64 = per.iter().sum();
        let total: f64 = present.iter().sum();
        row.percents = per.iter().zip(&present).map(|(&n, &d)| pct(n, d)).collect();
        row.overall_percent = pct(overall, total);
        row.weighted_counts = per;
        row.weighted_overall = Some(overall);
    }
}

fn pct(n: f64, d: f64) -> f64 {
    if d > 0.0 {
        100.0 * n / d
    } else {
        f64::NAN
    }
}

/// Weighted mean, SD, median and quartiles of `x` with weights `w` (all
/// positive, as many as `x`); `n`, `min` and `max` are of the patients.
pub fn weighted_summary(x: &[f64], w: &[f64]) -> NumericSummary {
    let n = x.len();
    let sw: f64 = w.iter().sum();
    // svymean: Σ x w/Σw; svyvar: the same of (x - x̄)² n/(n - 1).
    let mean: f64 = x.iter().zip(w).map(|(x, w)| x * w / sw).sum();
    let sd = if n > 1 {
        let f = n as f64 / (n - 1) as f64;
        x.iter()
            .zip(w)
            .map(|(x, w)| (x - mean) * (x - mean) * f * w / sw)
            .sum::<f64>()
            .sqrt()
    } else {
        f64::NAN
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let ws: Vec<f64> = order.iter().map(|&i| w[i]).collect();
    let q = |p| weighted_quantile(&xs, &ws, p);
    NumericSummary {
        n,
        mean: if n > 0 { mean } else { f64::NAN },
        sd,
        median: q(0.5),
        q1: q(0.25),
        q3: q(0.75),
        min: xs.first().copied().unwrap_or(f64::NAN),
        max: xs.last().copied().unwrap_or(f64::NAN),
    }
}

/// `survey::oldsvyquantile`'s quantile (module doc) of `x` sorted
/// ascending with weights `w`: the linear interpolation of the weighted
/// empirical CDF, as R's `approxfun(cumsum(w)/sum(w), x, ties = min,
/// yleft = min(x), yright = max(x))` evaluated at `p`.
pub fn weighted_quantile(x: &[f64], w: &[f64], p: f64) -> f64 {
    let (Some(&lo), Some(&hi)) = (x.first(), x.last()) else {
        return f64::NAN;
    };
    let total: f64 = w.iter().sum();
    // The points (c, x), one per distinct c (the smallest x of a tie).
    let mut c: Vec<f64> = Vec::with_capacity(x.len());
    let mut y: Vec<f64> = Vec::with_capacity(x.len());
    let mut run = 0.0;
    for (&xi, &wi) in x.iter().zip(w) {
        run += wi;
        let ci = run / total;
        if c.last() != Some(&ci) {
            c.push(ci);
            y.push(xi);
        }
    }
    let last = c.len() - 1;
    if p < c[0] {
        return lo;
    }
    if p > c[last] {
        return hi;
    }
    if last == 0 {
        return y[0];
    }
    // R's approx1: the bracketing points by bisection.
    let (mut i, mut j) = (0, last);
    while i + 1 < j {
        let m = (i + j) / 2;
        if p < c[m] {
            j = m;
        } else {
            i = m;
        }
    }
    if p == c[j] {
        return y[j];
    }
    if p == c[i] {
        return y[i];
    }
    y[i] + (y[j] - y[i]) * ((p - c[i]) / (c[j] - c[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With unit weights the SD is the usual n - 1 SD, and the quantile
    /// interpolates the eCDF's points i/n.
    #[test]
    fn unit_weights() {
        let x = [1.0, 2.0, 4.0, 8.0];
        let s = weighted_summary(&x, &[1.0; 4]);
        assert!((s.mean - 3.75).abs() < 1e-14);
        let sd = (x.iter().map(|v| (v - 3.75f64).powi(2)).sum::<f64>() / 3.0).sqrt();
        assert!((s.sd - sd).abs() < 1e-14);
        // Points (0.25, 1), (0.5, 2), (0.75, 4), (1, 8).
        assert_eq!(s.median, 2.0);
        assert_eq!(s.q1, 1.0);
        assert_eq!(s.q3, 4.0);
        assert!((weighted_quantile(&x, &[1.0; 4], 0.6) - 2.8).abs() < 1e-14);
        assert_eq!(weighted_quantile(&x, &[1.0; 4], 0.1), 1.0);
    }

    /// A weight doubles a patient: the same as the patient twice.
    #[test]
    fn a_weight_counts_a_patient_twice() {
        let a = weighted_summary(&[1.0, 3.0, 5.0], &[1.0, 2.0, 1.0]);
        assert!((a.mean - 3.0).abs() < 1e-14);
        // svyvar: n = 3 patients, not 4: 3/2 · Σw(x - 3)²/Σw = 3/2 · 8/4.
        assert!((a.sd - 3.0f64.sqrt()).abs() < 1e-14);
        // Points (0.25, 1), (0.75, 3), (1, 5).
        assert_eq!(a.median, 2.0);
        assert_eq!(a.q3, 3.0);
        assert!(weighted_summary(&[2.0], &[0.5]).sd.is_nan());
        assert!(weighted_summary(&[], &[]).median.is_nan());
    }
}

//! Descriptive statistics shared by Table 1 and balance diagnostics.

use serde::{Deserialize, Serialize};

/// Mean, SD, median and quartiles of the non-missing values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    pub n: usize,
    pub mean: f64,
    /// Sample SD (n - 1 denominator).
    pub sd: f64,
    pub median: f64,
    /// First and third quartiles, R's default `quantile(type = 7)`.
    pub q1: f64,
    pub q3: f64,
    pub min: f64,
    pub max: f64,
}

/// R's type-7 quantile of sorted values: h = (n - 1) p, linear between
/// the neighbouring order statistics.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Type-7 quantile by selection, O(n): reorders `v`.
fn quantile_select(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let (_, &mut a, upper) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let b = upper.iter().copied().reduce(f64::min).unwrap_or(a);
    a + (h - lo as f64) * (b - a)
}

impl NumericSummary {
    /// Summary of `values` (NaN skipped).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let min = v.iter().copied().reduce(f64::min).unwrap_or(f64::NAN);
        let max = v.iter().copied().reduce(f64::max).unwrap_or(f64::NAN);
        Self {
            n,
            mean,
            sd,
            median: quantile_select(&mut v, 0.5),
            q1: quantile_select(&mut v, 0.25),
            q3: quantile_select(&mut v, 0.75),
            min,
            max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_quantiles_as_r() {
        // quantile(c(1, 2, 4, 7, 11), c(.25, .5, .75)) = 2, 4, 7
        let s = NumericSummary::of([7.0, 1.0, 11.0, 2.0, 4.0, f64::NAN]);
        assert_eq!((s.q1, s.median, s.q3, s.n), (2.0, 4.0, 7.0, 5));
        // quantile(1:4, .25) = 1.75
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_select(&mut [4.0, 1.0, 3.0, 2.0], 0.25), 1.75);
        assert!((s.sd - 16.5f64.sqrt()).abs() < 1e-12, "{}", s.sd); // sd() in R: 4.062019
    }
}

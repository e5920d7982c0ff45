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

/// Mean and sample SD (n - 1). When the sums overflow (values near
/// 1e308), they are computed again on the values scaled by a power of two
/// (exact), so the mean is always finite and the SD is infinite only when
/// it truly exceeds the largest `f64`.
fn mean_sd(v: &[f64]) -> (f64, f64) {
    let plain = |scale: f64| {
        let n = v.len();
        let mean = v.iter().map(|x| x * scale).sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (v.iter().map(|x| (x * scale - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        (mean / scale, sd / scale)
    };
    let (mean, sd) = plain(1.0);
    if mean.is_finite() && (sd.is_finite() || v.len() < 2) {
        return (mean, sd);
    }
    let largest = v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    if !largest.is_finite() || largest < 1.0 {
        return (mean, sd);
    }
    // 2^-e with 2^e >= largest: every scaled value is at most 1.
    let e = largest.log2().ceil() as i32;
    plain(0.5f64.powi(e))
}

impl NumericSummary {
    /// Summary of `values` (NaN skipped).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        let (mean, sd) = mean_sd(&v);
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

    /// Values near 1e308: the sum overflowed and mean and SD came out blank.
    #[test]
    fn mean_and_sd_do_not_overflow() {
        let s = NumericSummary::of([1e308, 1.5e308, 1.2e308]);
        assert!(
            (s.mean / 1.2333333333333333e308 - 1.0).abs() < 1e-12,
            "{}",
            s.mean
        );
        // sd(c(1, 1.5, 1.2)) * 1e308 = 0.2516611 e308
        assert!(
            (s.sd / 2.516611478423583e307 - 1.0).abs() < 1e-12,
            "{}",
            s.sd
        );
        let s = NumericSummary::of([-1.7e308, 1.7e308]);
        assert_eq!(s.mean, 0.0);
        assert!(s.sd.is_infinite(), "{}", s.sd);
        // Ordinary values are unchanged (no scaling).
        let v = [1.0, 2.0, 4.0];
        let s = NumericSummary::of(v);
        let mean = v.iter().sum::<f64>() / 3.0;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        assert_eq!((s.mean, s.sd), (mean, sd));
    }

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

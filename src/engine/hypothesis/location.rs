//! Two-sample tests of location.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::{TestError, TestKind, TestResult};

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn t_p(t: f64, df: f64) -> f64 {
    // A statistic that is not a number (values so large that the variance
    // overflows) has no P; statrs would panic on it.
    if t.is_nan() {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |d| 2.0 * d.sf(t.abs()))
}

fn need(x: &[f64], y: &[f64], k: usize) -> Result<(), TestError> {
    let found = x.len().min(y.len());
    if found < k {
        return Err(TestError::TooFew { needed: k, found });
    }
    Ok(())
}

/// Welch's t test, as R's `t.test(x, y)`: t = (x̄ - ȳ) / √(s²x/nx + s²y/ny),
/// Welch-Satterthwaite df.
pub fn welch_t(x: &[f64], y: &[f64]) -> Result<TestResult, TestError> {
    need(x, y, 2)?;
    let ((mx, vx), (my, vy)) = (mean_var(x), mean_var(y));
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (sx, sy) = (vx / nx, vy / ny);
    let se = (sx + sy).sqrt();
    let t = (mx - my) / se;
    let df = (sx + sy).powi(2) / (sx.powi(2) / (nx - 1.0) + sy.powi(2) / (ny - 1.0));
    Ok(TestResult {
        test: TestKind::WelchT,
        statistic: Some(t),
        df: Some(df),
        p_value: t_p(t, df),
    })
}

/// Student's t test with pooled variance, as R's `t.test(x, y, var.equal = TRUE)`.
pub fn student_t(x: &[f64], y: &[f64]) -> Result<TestResult, TestError> {
    need(x, y, 2)?;
    let ((mx, vx), (my, vy)) = (mean_var(x), mean_var(y));
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let df = nx + ny - 2.0;
    let pooled = ((nx - 1.0) * vx + (ny - 1.0) * vy) / df;
    let t = (mx - my) / (pooled * (1.0 / nx + 1.0 / ny)).sqrt();
    Ok(TestResult {
        test: TestKind::StudentT,
        statistic: Some(t),
        df: Some(df),
        p_value: t_p(t, df),
    })
}

/// Mid-ranks of `v` (1-based) and the tie term Σ (t³ - t).
pub fn ranks(v: &[f64]) -> (Vec<f64>, f64) {
    // A radix sort: the values in order with the indices that sort them.
    let (sorted, order) = crate::engine::numeric::sort_with_order(v, false);
    let mut r = vec![0.0; v.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mid;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (r, ties)
}

/// Wilcoxon rank-sum (Mann-Whitney U) test, as R's
/// `wilcox.test(x, y, exact = FALSE, correct = TRUE)`: W = Σ ranks of x -
/// nx(nx+1)/2; z = (W - nx·ny/2 - ½·sign) / σ with
/// σ² = nx·ny/12 · ((n + 1) - Σ(t³ - t) / (n(n - 1))).
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<TestResult, TestError> {
    need(x, y, 1)?;
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (r, ties) = ranks(&all);
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let n = nx + ny;
    let w = r[..x.len()].iter().sum::<f64>() - nx * (nx + 1.0) / 2.0;
    let z0 = w - nx * ny / 2.0;
    let sigma = (nx * ny / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    let correction = 0.5 * z0.signum();
    let z = (z0 - correction) / sigma;
    let p = if sigma > 0.0 {
        let nd = Normal::new(0.0, 1.0).map_err(|_| TestError::Degenerate)?;
        2.0 * nd.cdf(z).min(nd.sf(z))
    } else {
        f64::NAN
    };
    Ok(TestResult {
        test: TestKind::MannWhitney,
        statistic: Some(w),
        df: None,
        p_value: p.min(1.0),
    })
}

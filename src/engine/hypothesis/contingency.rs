//! Tests on contingency tables of counts.

use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{TestError, TestKind, TestResult};

/// A table of counts, `counts[row][column]`, rows and columns that are all
/// zero removed (R's tests would return NaN on them).
#[derive(Debug, Clone, PartialEq)]
pub struct ContingencyTable {
    pub counts: Vec<Vec<u64>>,
}

impl ContingencyTable {
    /// Builds the table, dropping empty rows and columns. Errors if fewer
    /// than two rows or columns remain.
    pub fn new(counts: &[Vec<u64>]) -> Result<Self, TestError> {
        let ncol = counts.iter().map(Vec::len).max().unwrap_or(0);
        let col_sum = |j: usize| {
            counts
                .iter()
                .map(|r| r.get(j).copied().unwrap_or(0))
                .sum::<u64>()
        };
        let keep_cols: Vec<usize> = (0..ncol).filter(|&j| col_sum(j) > 0).collect();
        let rows: Vec<Vec<u64>> = counts
            .iter()
            .filter(|r| r.iter().sum::<u64>() > 0)
            .map(|r| {
                keep_cols
                    .iter()
                    .map(|&j| r.get(j).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        if rows.len() < 2 || keep_cols.len() < 2 {
            return Err(TestError::Degenerate);
        }
        Ok(Self { counts: rows })
    }

    pub fn row_sums(&self) -> Vec<u64> {
        self.counts.iter().map(|r| r.iter().sum()).collect()
    }

    pub fn col_sums(&self) -> Vec<u64> {
        (0..self.counts[0].len())
            .map(|j| self.counts.iter().map(|r| r[j]).sum())
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.row_sums().iter().sum()
    }

    fn df(&self) -> f64 {
        ((self.counts.len() - 1) * (self.counts[0].len() - 1)) as f64
    }
}

/// Expected counts under independence: row sum x column sum / total.
pub fn expected_counts(t: &ContingencyTable) -> Vec<Vec<f64>> {
    let (rs, cs, n) = (t.row_sums(), t.col_sums(), t.total() as f64);
    rs.iter()
        .map(|&r| cs.iter().map(|&c| r as f64 * c as f64 / n).collect())
        .collect()
}

fn chi_sf(x: f64, df: f64) -> f64 {
    ChiSquared::new(df).map_or(f64::NAN, |d| d.sf(x))
}

/// Pearson's chi-square test of independence without continuity correction,
/// as R's `chisq.test(x, correct = FALSE)`:
/// X² = Σ (O - E)² / E on (r - 1)(c - 1) df.
pub fn chi_square(t: &ContingencyTable) -> TestResult {
    let e = expected_counts(t);
    let x2: f64 = t
        .counts
        .iter()
        .zip(&e)
        .flat_map(|(o, e)| o.iter().zip(e).map(|(&o, &e)| (o as f64 - e).powi(2) / e))
        .sum();
    TestResult {
        test: TestKind::PearsonChiSquare,
        statistic: Some(x2),
        df: Some(t.df()),
        p_value: chi_sf(x2, t.df()),
    }
}

/// Chi-square with Yates' continuity correction, as R's `chisq.test(x)` on a
/// 2 x 2 table: X² = Σ (max(0, |O - E| - 1/2))² / E (R caps the correction at
/// |O - E|). Other shapes get the uncorrected test, as in R.
pub fn yates(t: &ContingencyTable) -> TestResult {
    if t.counts.len() != 2 || t.counts[0].len() != 2 {
        return chi_square(t);
    }
    let e = expected_counts(t);
    let diffs: Vec<f64> = t
        .counts
        .iter()
        .zip(&e)
        .flat_map(|(o, e)| o.iter().zip(e).map(|(&o, &e)| (o as f64 - e).abs()))
        .collect();
    let yates = diffs.iter().copied().fold(f64::INFINITY, f64::min).min(0.5);
    let x2: f64 = diffs
        .iter()
        .zip(e.iter().flatten())
        .map(|(d, e)| (d - yates).powi(2) / e)
        .sum();
    TestResult {
        test: TestKind::YatesChiSquare,
        statistic: Some(x2),
        df: Some(1.0),
        p_value: chi_sf(x2, 1.0),
    }
}

/// Likelihood-ratio chi-square (G test): G = 2 Σ O ln(O / E).
pub fn likelihood_ratio(t: &ContingencyTable) -> TestResult {
    let e = expected_counts(t);
    let g: f64 = 2.0
        * t.counts
            .iter()
            .zip(&e)
            .flat_map(|(o, e)| {
                o.iter()
                    .zip(e)
                    .filter(|(&o, _)| o > 0)
                    .map(|(&o, &e)| o as f64 * (o as f64 / e).ln())
            })
            .sum::<f64>();
    TestResult {
        test: TestKind::LikelihoodRatio,
        statistic: Some(g),
        df: Some(t.df()),
        p_value: chi_sf(g, t.df()),
    }
}

/// McNemar's test on the discordant pairs `b` (yes/no) and `c` (no/yes),
/// with continuity correction as R's `mcnemar.test()`:
/// X² = (|b - c| - 1)² / (b + c) on 1 df (the 1 only when b ≠ c, as R).
/// `correct = false` drops the 1.
pub fn mcnemar(b: u64, c: u64, correct: bool) -> Result<TestResult, TestError> {
    if b + c == 0 {
        return Err(TestError::Degenerate);
    }
    // R applies the correction only when b != c.
    let d = (b as f64 - c as f64).abs() - if correct && b != c { 1.0 } else { 0.0 };
    let x2 = d.powi(2) / (b + c) as f64;
    Ok(TestResult {
        test: TestKind::McNemar,
        statistic: Some(x2),
        df: Some(1.0),
        p_value: chi_sf(x2, 1.0),
    })
}

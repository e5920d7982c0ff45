//! Design-based tests of a weighted Table 1, when asked for: the tests of
//! tableone's `svyCreateTableOne` on `svydesign(ids = ~1, weights = ~w)`
//! (one stage, with replacement, no strata), computed as the `survey`
//! package (4.1) computes them. The design is every patient of the table
//! (group known, w > 0); N is their number. A test of a variable uses
//! the patients with a value of it (R's `na.omit`, n of them), but the
//! with-replacement variance's factor is N/(N - 1) for every test: survey
//! (4.1) keeps the design's sample size (`fpc$sampsize`) when it drops the
//! patients without a value, so they still count there (not in the
//! degrees of freedom, which count the patients with a value).
//!
//! # Continuous, normal: Wald F (`regTermTest(svyglm(x ~ group), "group")`)
//! The weighted least-squares fit of x on the group has as coefficients
//! the weighted group means x̄_g = Σ_g wx / W_g (W_g = Σ_g w) and as
//! robust variance the sandwich with survey's factor N/(N - 1). For the
//! means this is
//! Var(x̄_g) = N/(N - 1) · s_g, s_g = Σ_{i∈g} w_i² (x_i - x̄_g)² / W_g²,
//! the groups independent. With β = (x̄_2 - x̄_1, ..., x̄_K - x̄_1) and
//! V = N/(N - 1) (s_1 11ᵀ + diag(s_2, ..., s_K)), F = βᵀV⁻¹β / (K - 1)
//! on K - 1 and n - K degrees of freedom (svyglm's residual df: the
//! design's n - 1, plus 1, minus the K coefficients). Groups with no
//! value are left out (their coefficient is not estimable in R).
//!
//! # Continuous, non-normal: rank test (`svyranktest(x ~ group)`)
//! Lumley T, Scott AJ (2013), Two-sample rank tests under complex
//! sampling, Biometrika 100:831. The weighted mid-rank of a patient is
//! C_i - w_i/2, C_i the cumulative weight in the order of x (ties in the
//! dataset's order), averaged (unweighted) over the patients tied with it
//! (R's `ave`); the score is that rank over Σw. The test is the Wald test
//! above on the scores: for two groups t = (r̄_2 - r̄_1) / √(N/(N - 1)
//! (s_1 + s_2)) on n - 2 df (two-sided P); for more, F = βᵀV⁻¹β/(K - 1)
//! on K - 1 and n - K df (survey's `multiranktest`).
//!
//! # Categorical: Rao-Scott F (`svychisq(~ x + group)`, `statistic = "F"`)
//! Rao JNK, Scott AJ (1984), On chi-squared tests for multiway
//! contingency tables with cell proportions estimated from survey data,
//! Ann Stat 12:46; survey R/surveychisq.R. With r levels (those with a
//! patient) by c groups, p̂ the weighted cell proportions (levels vary
//! fastest) of the patients with a value, and N the number of patients
//! of the design (those without a value included, as survey's `N`):
//! - Pearson's X² of the weighted table scaled to N:
//!   X² = N Σ (p̂_ab - p̂_a· p̂_·b)² / (p̂_a· p̂_·b);
//! - V̂ = N/(N - 1) Σ_i z_i z_iᵀ over the patients with a value,
//!   z_i = w_i (e_i - p̂)/Σw, e_i their cell's indicator (`svymean`'s
//!   variance);
//! - C the (r - 1)(c - 1) interaction contrasts, projected off the main
//!   effects: C_(a,b),(k,l) = δ_ak δ_bl - δ_bl/r - δ_ak/c + 1/(rc);
//!   D = diag(1/p̂, 0 for an empty cell);
//! - Δ = (CᵀDC/N)⁻¹ CᵀDV̂DC, the design effects' matrix;
//! - F = X² / tr Δ on d = (tr Δ)² / tr(Δ²) and d (N - 1) df.
//!
//! # The F and t distributions
//! P(F > f) = I_x(d₂/2, d₁/2) with x = d₂/(d₂ + d₁ f) (the regularised
//! incomplete beta; non-integer df as R's `pf`); a two-sided t on ν df is
//! F = t² on 1 and ν.
//!
//! When a test cannot be computed the result says why ([`NoDesignTest`]),
//! where tableone shows NA: fewer than two levels or groups with a
//! value, a group with no value (categorical), no degrees of freedom
//! left, no variation, or a matrix that R's `solve` refuses as
//! computationally singular (reciprocal condition number in the 1-norm
//! below the machine epsilon: a level of almost no weight).

use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};
use statrs::function::beta::checked_beta_reg;

use super::{check_weights, grouping, Summary, Table1, Table1Error};
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::hypothesis::TestKind;
use crate::engine::{Code, Diagnostic};

/// A design-based test statistic with its degrees of freedom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DesignStatistic {
    /// An F statistic on `df1` and `df2` degrees of freedom.
    F { value: f64, df1: f64, df2: f64 },
    /// A t statistic on `df` degrees of freedom (two-sided P): the rank
    /// test of two groups, second group minus first.
    T { value: f64, df: f64 },
}

impl DesignStatistic {
    /// The value of the statistic.
    pub fn value(self) -> f64 {
        match self {
            DesignStatistic::F { value, .. } | DesignStatistic::T { value, .. } => value,
        }
    }
}

/// A design-based test: which, its statistic and two-sided P value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DesignTest {
    pub test: TestKind,
    pub statistic: DesignStatistic,
    pub p_value: f64,
}

/// Why a design-based test cannot be computed (tableone's NA).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NoDesignTest {
    #[error("{levels} level(s) have patients; the test needs at least two")]
    TooFewLevels { levels: usize },
    #[error("{groups} group(s) have patients with a value; the test needs at least two")]
    TooFewGroups { groups: usize },
    #[error("a group has no patient with a value")]
    EmptyGroup,
    #[error("{n} patient(s) with a value leave no degrees of freedom")]
    TooFewPatients { n: usize },
    #[error("the values do not vary within the groups")]
    NoVariation,
    #[error("the design effects cannot be computed: a level's weighted share is almost 0 (R's solve: computationally singular)")]
    Singular,
}

impl NoDesignTest {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            NoDesignTest::TooFewLevels { .. } => "A variable with one value among the weighted patients has nothing to test.".into(),
            NoDesignTest::TooFewGroups { .. } | NoDesignTest::EmptyGroup => "Each group needs patients with a value (with a positive weight); check the missing values and the trimming.".into(),
            NoDesignTest::TooFewPatients { .. } => "The test needs more patients with a value than groups.".into(),
            NoDesignTest::NoVariation => "Values that are the same within each group give a variance of 0: the groups differ completely or not at all.".into(),
            NoDesignTest::Singular => "A level with almost no weight (its patients' weights near 0) leaves the test undefined; merge it with another level or leave it out.".into(),
        }
    }
}

/// P(F > f) for F on `d1` and `d2` degrees of freedom (module doc).
pub fn f_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if f.is_nan() || d1 <= 0.0 || d2 <= 0.0 || d1.is_nan() || d2.is_nan() {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    if f.is_infinite() {
        return 0.0;
    }
    checked_beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f)).unwrap_or(f64::NAN)
}

/// `a⁻¹ b`, refused as R's `solve` refuses it: when the reciprocal
/// condition number of `a` in the 1-norm is below the machine epsilon
/// (`solve.default`'s `tol`; LAPACK estimates it, computed here).
fn solve_as_r(a: &DMatrix<f64>, b: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let inverse = a.clone().try_inverse()?;
    let norm1 = |m: &DMatrix<f64>| {
        m.column_iter()
            .map(|c| c.iter().map(|x| x.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    };
    let rcond = 1.0 / (norm1(a) * norm1(&inverse));
    (rcond >= f64::EPSILON).then(|| inverse * b)
}

/// The Wald test of equal weighted group means of `y` (module doc):
/// `g[i]` is patient i's group (< `k`), `w[i]` > 0 its weight, all
/// patients with a value; `design_n` the design's N. `(F, df1, df2, t)`,
/// t for two groups.
fn group_means_wald(
    y: &[f64],
    g: &[usize],
    w: &[f64],
    k: usize,
    design_n: usize,
) -> Result<(f64, f64, f64, f64), NoDesignTest> {
    let n = y.len();
    let mut sw = vec![0.0; k];
    let mut swy = vec![0.0; k];
    for ((&y, &g), &w) in y.iter().zip(g).zip(w) {
        sw[g] += w;
        swy[g] += w * y;
    }
    let present: Vec<usize> = (0..k).filter(|&j| sw[j] > 0.0).collect();
    if present.len() < 2 {
        return Err(NoDesignTest::TooFewGroups {
            groups: present.len(),
        });
    }
    let kk = present.len();
    if n <= kk {
        return Err(NoDesignTest::TooFewPatients { n });
    }
    let mean: Vec<f64> = (0..k).map(|j| swy[j] / sw[j]).collect();
    let mut s = vec![0.0; k];
    for ((&y, &g), &w) in y.iter().zip(g).zip(w) {
        let e = w * (y - mean[g]) / sw[g];
        s[g] += e * e;
    }
    let big_n = design_n.max(n) as f64;
    let c = big_n / (big_n - 1.0);
    let m = kk - 1;
    let first = present[0];
    let beta = DVector::from_iterator(m, present[1..].iter().map(|&j| mean[j] - mean[first]));
    let v = DMatrix::from_fn(m, m, |a, b| {
        let d = if a == b { s[present[a + 1]] } else { 0.0 };
        c * (s[first] + d)
    });
    let b = DMatrix::from_column_slice(m, 1, beta.as_slice());
    let chisq = solve_as_r(&v, &b)
        .map(|x| beta.dot(&x.column(0)))
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or(NoDesignTest::NoVariation)?;
    let t = if m == 1 {
        beta[0] / v[(0, 0)].sqrt()
    } else {
        f64::NAN
    };
    Ok((chisq / m as f64, m as f64, (n - kk) as f64, t))
}

/// `regTermTest(svyglm(y ~ group), "group", method = "Wald")` on the
/// patients with a value: `y[i]`, group `g[i]` (< `k`), weight `w[i]` > 0;
/// `design_n` the patients of the design, those without a value included.
pub fn design_wald(
    y: &[f64],
    g: &[usize],
    w: &[f64],
    k: usize,
    design_n: usize,
) -> Result<DesignTest, NoDesignTest> {
    let (f, df1, df2, _) = group_means_wald(y, g, w, k, design_n)?;
    Ok(DesignTest {
        test: TestKind::DesignWald,
        statistic: DesignStatistic::F { value: f, df1, df2 },
        p_value: f_upper(f, df1, df2),
    })
}

/// The weighted mid-rank scores of `y` over Σw (module doc), ties in the
/// order given.
pub fn rank_scores(y: &[f64], w: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..y.len()).collect();
    // Stable, as R's `order`: ties keep the dataset's order.
    order.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    let total: f64 = w.iter().sum();
    let mut rank = vec![0.0; y.len()];
    let mut run = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        let mut sum = 0.0;
        while end < order.len() && y[order[end]] == y[order[start]] {
            let wi = w[order[end]];
            run += wi;
            sum += run - wi / 2.0;
            end += 1;
        }
        let mid = sum / (end - start) as f64 / total;
        for &i in &order[start..end] {
            rank[i] = mid;
        }
        start = end;
    }
    rank
}

/// `svyranktest(y ~ group)` (Wilcoxon; Kruskal-Wallis for more than two
/// groups) on the patients with a value, as [`design_wald`].
pub fn design_rank(
    y: &[f64],
    g: &[usize],
    w: &[f64],
    k: usize,
    design_n: usize,
) -> Result<DesignTest, NoDesignTest> {
    let scores = rank_scores(y, w);
    let (f, df1, df2, t) = group_means_wald(&scores, g, w, k, design_n)?;
    let statistic = if df1 == 1.0 {
        DesignStatistic::T { value: t, df: df2 }
    } else {
        DesignStatistic::F { value: f, df1, df2 }
    };
    Ok(DesignTest {
        test: TestKind::DesignRank,
        statistic,
        p_value: f_upper(f, df1, df2),
    })
}

/// `svychisq(~ x + group, statistic = "F")`: `level[i]` is patient i's
/// level (`None`: no value) among `levels`, `g[i]` its group (< `k`),
/// `w[i]` > 0 its weight, for every patient of the design.
pub fn design_chisq(
    level: &[Option<usize>],
    g: &[usize],
    w: &[f64],
    levels: usize,
    k: usize,
) -> Result<DesignTest, NoDesignTest> {
    let big_n = level.len();
    // Levels with a patient (svychisq's `unique`), in order.
    let mut slot = vec![usize::MAX; levels];
    let mut seen = vec![false; levels];
    for &l in level.iter().flatten() {
        seen[l] = true;
    }
    let mut r = 0;
    for (l, s) in seen.iter().enumerate() {
        if *s {
            slot[l] = r;
            r += 1;
        }
    }
    let mut groups = vec![false; k];
    for &gi in g {
        groups[gi] = true;
    }
    let gslot: Vec<usize> = groups
        .iter()
        .scan(0, |c, &p| {
            let s = *c;
            *c += usize::from(p);
            Some(if p { s } else { usize::MAX })
        })
        .collect();
    let c = groups.iter().filter(|&&p| p).count();
    if r < 2 {
        return Err(NoDesignTest::TooFewLevels { levels: r });
    }
    if c < 2 {
        return Err(NoDesignTest::TooFewGroups { groups: c });
    }
    let cells = r * c;
    // Σw and Σw² by cell, over the patients with a value.
    let (mut sw, mut sw2) = (vec![0.0; cells], vec![0.0; cells]);
    let mut m = 0usize;
    for ((l, &gi), &wi) in level.iter().zip(g).zip(w) {
        if let Some(l) = l {
            let cell = slot[*l] + r * gslot[gi];
            sw[cell] += wi;
            sw2[cell] += wi * wi;
            m += 1;
        }
    }
    let total: f64 = sw.iter().sum();
    let t2: f64 = sw2.iter().sum();
    let p: Vec<f64> = sw.iter().map(|s| s / total).collect();
    let row: Vec<f64> = (0..r).map(|a| (0..c).map(|b| p[a + r * b]).sum()).collect();
    let col: Vec<f64> = (0..c).map(|b| (0..r).map(|a| p[a + r * b]).sum()).collect();
    if col.iter().any(|&x| x <= 0.0) || m < 2 {
        return Err(NoDesignTest::EmptyGroup);
    }
    let nf = big_n as f64;
    let mut x2 = 0.0;
    for a in 0..r {
        for b in 0..c {
            let e = row[a] * col[b];
            x2 += (p[a + r * b] - e).powi(2) / e;
        }
    }
    x2 *= nf;
    // svymean's variance of p̂: N/(N - 1) Σ z zᵀ, with
    // Σ w²(e - p)(e - p)ᵀ = diag(S) - S pᵀ - p Sᵀ + T p pᵀ.
    let scale = nf / (nf - 1.0) / (total * total);
    let v = DMatrix::from_fn(cells, cells, |i, j| {
        let d = if i == j { sw2[i] } else { 0.0 };
        scale * (d - sw2[i] * p[j] - p[i] * sw2[j] + t2 * p[i] * p[j])
    });
    let q = (r - 1) * (c - 1);
    let contrast = DMatrix::from_fn(cells, q, |cell, col_j| {
        let (a, b) = (cell % r, cell / r);
        let (ka, lb) = (1 + col_j % (r - 1), 1 + col_j / (r - 1));
        let da = f64::from(u8::from(a == ka));
        let db = f64::from(u8::from(b == lb));
        da * db - db / r as f64 - da / c as f64 + 1.0 / cells as f64
    });
    let dinv = DVector::from_iterator(
        cells,
        p.iter().map(|&x| if x == 0.0 { 0.0 } else { 1.0 / x }),
    );
    let dc = DMatrix::from_fn(cells, q, |i, j| dinv[i] * contrast[(i, j)]);
    let denom = contrast.transpose() * &dc / nf;
    let numr = dc.transpose() * v * &dc;
    let delta = solve_as_r(&denom, &numr)
        .filter(|d| d.iter().all(|x| x.is_finite()))
        .ok_or(NoDesignTest::Singular)?;
    let tr = delta.trace();
    let tr2 = (&delta * &delta).trace();
    if !(tr > 0.0 && tr2 > 0.0) {
        return Err(NoDesignTest::NoVariation);
    }
    let d0 = tr * tr / tr2;
    let f = x2 / tr;
    let (df1, df2) = (d0, d0 * (nf - 1.0));
    Ok(DesignTest {
        test: TestKind::RaoScottF,
        statistic: DesignStatistic::F { value: f, df1, df2 },
        p_value: f_upper(f, df1, df2),
    })
}

/// One variable's design-based test in a weighted Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedTest {
    pub variable: String,
    /// The test the variable calls for: Rao-Scott F (categorical), Wald F
    /// (mean (SD)) or the rank test (median [IQR]).
    pub test: TestKind,
    /// The test, or why it cannot be computed.
    pub result: Result<DesignTest, NoDesignTest>,
}

/// The design-based test of each variable of the weighted Table 1 `t`,
/// made from `ds` with `weights` (the same as `t`'s: one per dataset row,
/// finite, not negative; rows of weight 0 are not in the design).
pub fn weighted_tests(
    ds: &Dataset,
    t: &Table1,
    weights: &[f64],
) -> Result<Vec<WeightedTest>, Table1Error> {
    check_weights(ds, weights)?;
    let grouping = grouping(ds, &t.spec, Some(weights))?;
    let k = grouping.kept.len();
    // The design: every patient of the table, in the dataset's order.
    let design: Vec<(usize, usize)> = grouping
        .group_of
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.map(|g| (i, g)))
        .collect();
    let g: Vec<usize> = design.iter().map(|&(_, g)| g).collect();
    let w: Vec<f64> = design.iter().map(|&(i, _)| weights[i]).collect();
    let mut out = Vec::with_capacity(t.variables.len());
    for row in &t.variables {
        let var = &row.variable;
        let col = ds
            .column(var)
            .ok_or_else(|| Table1Error::UnknownColumn(var.clone()))?;
        let (test, result) = match (row.summary, &col.data) {
            (Some(summary), ColumnData::Numeric(v)) => {
                let has: Vec<usize> = (0..design.len())
                    .filter(|&j| !v[design[j].0].is_nan())
                    .collect();
                let y: Vec<f64> = has.iter().map(|&j| v[design[j].0]).collect();
                let gy: Vec<usize> = has.iter().map(|&j| g[j]).collect();
                let wy: Vec<f64> = has.iter().map(|&j| w[j]).collect();
                let n = design.len();
                match summary {
                    Summary::MeanSd => (TestKind::DesignWald, design_wald(&y, &gy, &wy, k, n)),
                    Summary::MedianIqr => (TestKind::DesignRank, design_rank(&y, &gy, &wy, k, n)),
                }
            }
            (Some(_), _) => return Err(Table1Error::TextVariable(var.clone())),
            (None, _) => {
                let lv = col.levels()?;
                let level: Vec<Option<usize>> = design
                    .iter()
                    .map(|&(i, _)| {
                        let c = lv.codes[i];
                        (c != MISSING_CODE).then_some(c as usize)
                    })
                    .collect();
                let result = design_chisq(&level, &g, &w, lv.levels.len(), k);
                (TestKind::RaoScottF, result)
            }
        };
        out.push(WeightedTest {
            variable: var.clone(),
            test,
            result,
        });
    }
    Ok(out)
}

/// Adds the design-based tests ([`weighted_tests`]) to the weighted Table
/// 1 `t`: each row's test, statistic and P value, a warning for each test
/// that cannot be computed, and the tests in `t.weighting`.
pub fn add_weighted_tests(
    ds: &Dataset,
    t: &mut Table1,
    weights: &[f64],
) -> Result<(), Table1Error> {
    let tests = weighted_tests(ds, t, weights)?;
    for (row, x) in t.variables.iter_mut().zip(&tests) {
        match &x.result {
            Ok(d) => {
                row.test = Some(d.test);
                row.statistic = Some(d.statistic.value());
                row.p_value = Some(d.p_value);
            }
            Err(e) => {
                row.test = None;
                row.statistic = None;
                row.p_value = None;
                t.diagnostics.push(
                    Diagnostic::warning(
                        Code::DesignTestNotComputable,
                        Some(&x.variable),
                        format!(
                            "No P value for `{}` in the weighted Table 1 ({}): {e}",
                            x.variable,
                            x.test.short()
                        ),
                    )
                    .with_hint(e.hint()),
                );
            }
        }
    }
    if let Some(tw) = &mut t.weighting {
        tw.tests = tests;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

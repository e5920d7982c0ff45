//! Hypothesis tests with typed results: contingency tables (Pearson
//! chi-square, Yates, likelihood ratio, Fisher exact r x c, McNemar) and two
//! samples (Student and Welch t, Mann-Whitney). Each follows R's function of
//! the same purpose, named in its docs, and is tested against it.

mod contingency;
mod fisher;
mod fisher_sim;
mod location;
mod mantel_haenszel;
mod two_by_two;

use serde::{Deserialize, Serialize};

pub use contingency::{
    chi_square, expected_counts, likelihood_ratio, mcnemar, yates, ContingencyTable,
};
pub use fisher::{fisher_exact, fisher_test, FisherError, FISHER_WORK_BOUND};
pub use fisher_sim::{fisher_simulated, SIMULATED_TABLES, SIMULATION_SEED};
pub use location::{mann_whitney, ranks, student_t, welch_t};
pub use mantel_haenszel::{mantel_haenszel, MantelHaenszel, Stratum};
pub use two_by_two::TwoByTwo;

/// Which test produced a P value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Pearson's chi-square, no continuity correction (`chisq.test(correct = FALSE)`).
    PearsonChiSquare,
    /// Chi-square with Yates' continuity correction, 2 x 2 only (`chisq.test()`).
    YatesChiSquare,
    /// Likelihood-ratio chi-square (G test).
    LikelihoodRatio,
    /// Fisher's exact test, r x c, two-sided (`fisher.test()`).
    FisherExact,
    /// Fisher's test with the P value simulated from 10,000 random tables
    /// (seed 1), when the exact computation is too large
    /// (`fisher.test(simulate.p.value = TRUE, B = 10000)`).
    FisherSimulated,
    /// Welch's unequal-variance t test (`t.test()`).
    WelchT,
    /// Student's pooled-variance t test (`t.test(var.equal = TRUE)`).
    StudentT,
    /// Wilcoxon rank-sum / Mann-Whitney U, normal approximation with ties and
    /// continuity correction (`wilcox.test(exact = FALSE)`).
    MannWhitney,
    /// McNemar's test for paired binary data, with continuity correction
    /// (`mcnemar.test()`).
    McNemar,
    /// Design-based Pearson chi-square with Rao & Scott's second-order
    /// correction, as an F test (`survey::svychisq`, its default
    /// `statistic = "F"`): a weighted Table 1's categorical variables.
    RaoScottF,
    /// Design-based Wald F test of the group in a weighted linear model
    /// with the robust (sandwich) variance (`survey::svyglm` and
    /// `regTermTest`, as tableone): a weighted Table 1's normal variables.
    DesignWald,
    /// Design-based rank test of the weighted mid-rank scores
    /// (`survey::svyranktest`, Wilcoxon / Kruskal-Wallis; Lumley & Scott
    /// 2013): a weighted Table 1's non-normal variables.
    DesignRank,
}

impl TestKind {
    /// The name printed in table footnotes.
    pub fn label(self) -> &'static str {
        match self {
            TestKind::PearsonChiSquare => "Pearson chi-square test",
            TestKind::YatesChiSquare => "chi-square test with Yates' continuity correction",
            TestKind::LikelihoodRatio => "likelihood-ratio chi-square test",
            TestKind::FisherExact => "Fisher's exact test",
            TestKind::FisherSimulated => "Fisher's test, P simulated from 10,000 random tables with the observed margins (seed 1; R's fisher.test(simulate.p.value = TRUE, B = 10000)) because the exact computation was too large",
            TestKind::WelchT => "Welch's t test",
            TestKind::StudentT => "Student's t test",
            TestKind::MannWhitney => "Mann-Whitney U test",
            TestKind::McNemar => "McNemar's test",
            TestKind::RaoScottF => "design-based Pearson chi-square with Rao & Scott's second-order correction, as an F test (R's survey::svychisq)",
            TestKind::DesignWald => "design-based Wald F test of the group in a weighted linear model with robust (sandwich) variance (R's survey::svyglm and regTermTest, as tableone)",
            TestKind::DesignRank => "design-based rank test of the weighted mid-ranks (Wilcoxon for two groups, Kruskal-Wallis for more; R's survey::svyranktest)",
        }
    }

    /// A short mark for table cells (a, b, c ... in footnotes).
    pub fn short(self) -> &'static str {
        match self {
            TestKind::PearsonChiSquare => "χ²",
            TestKind::YatesChiSquare => "χ² (Yates)",
            TestKind::LikelihoodRatio => "G",
            TestKind::FisherExact => "Fisher",
            TestKind::FisherSimulated => "Fisher (sim.)",
            TestKind::WelchT => "Welch t",
            TestKind::StudentT => "t",
            TestKind::MannWhitney => "MW",
            TestKind::McNemar => "McNemar",
            TestKind::RaoScottF => "Rao-Scott F",
            TestKind::DesignWald => "Wald F",
            TestKind::DesignRank => "rank",
        }
    }
}

/// The result of a hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub test: TestKind,
    /// The test statistic (chi-square, t, W, ...); `None` for Fisher.
    pub statistic: Option<f64>,
    /// Degrees of freedom, where the test has them.
    pub df: Option<f64>,
    /// Two-sided P value.
    pub p_value: f64,
}

/// Why a test could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TestError {
    #[error("the table has fewer than two non-empty rows or columns")]
    Degenerate,
    #[error("each group needs at least {needed} values; one has {found}")]
    TooFew { needed: usize, found: usize },
    #[error("{0}")]
    Fisher(#[from] FisherError),
}

impl TestError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            TestError::Degenerate => {
                "Compare at least two groups, on a variable with at least two values among their patients.".into()
            }
            TestError::TooFew { .. } => {
                "Each group needs more patients with a value; merge small groups or check the missing values.".into()
            }
            TestError::Fisher(e) => e.hint(),
        }
    }
}

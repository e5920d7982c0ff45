//! Table 1: baseline characteristics by group, with one P value per
//! variable (the test named) and the standardised mean difference.
//!
//! # Conventions (each echoed in the result)
//! - Categorical: n (%) per level, percentages of the non-missing patients
//!   of the column (group); missing counts in a row of their own.
//! - Continuous: mean (SD), or median [IQR] (R `quantile` type 7) for
//!   variables marked non-normal.
//! - Tests: categorical by Pearson chi-square without continuity correction,
//!   or Fisher's exact test when any expected count is < 5 (default
//!   [`CategoricalTest::Auto`]); continuous by Welch's t (or Student's), and
//!   Mann-Whitney for non-normal variables. Levels empty in every group are
//!   left out of the tests.
//! - SMD: continuous (x̄₁ - x̄₂) / √((s₁² + s₂²)/2) (tableone; Austin 2009,
//!   Stat Med 28:3083); categorical, the multi-level SMD of Yang & Dalton
//!   (2012, SAS Global Forum 335) √((p₁ - p₂)ᵀ S⁻¹ (p₁ - p₂)) over the
//!   non-reference levels, S the mean of the two groups' multinomial
//!   covariances (Moore-Penrose inverse when singular). With more than two
//!   groups, the mean of the pairwise SMDs (as tableone).
//!
//! # Weighted Table 1 ([`table1_weighted`])
//! The same rows with case weights w (patients with w = 0 left out), as
//! tableone's `svyCreateTableOne` computes them with the `survey` package
//! (`svydesign(ids = ~1, weights = ~w)`), formulas in [`weighted`]:
//! group sizes Σw; levels Σw with percentages of the weighted patients with
//! a value; mean Σwx/Σw and SD √`svyvar`; median and quartiles by
//! `survey::oldsvyquantile` (tableone's rule); missing values counted and
//! weighted. No tests (P values) after weighting unless asked for: the
//! weighted groups are a pseudo-population built to be balanced, and
//! testing their balance is not meaningful (Ho et al. 2007, Austin 2009).
//! Asked for ([`table1_weighted_tested`]), the design-based tests of
//! tableone's `svyCreateTableOne` ([`design_tests`]: Rao-Scott F,
//! svyglm's Wald F, svyranktest), which describe the weighted
//! pseudo-population. The SMD is tableone's,
//! from the weighted means, SDs and proportions; a weighting's Table 1
//! ([`crate::engine::weighting::weighted_table1`]) replaces it by the
//! balance table's SMD.

pub mod design_tests;
mod rows;
mod smd;
pub mod weighted;

pub use design_tests::{
    add_weighted_tests, weighted_tests, DesignStatistic, DesignTest, NoDesignTest, WeightedTest,
};

pub use rows::categorical_test;
use rows::{categorical_row, continuous_row};

use crate::engine::Code;
use serde::{Deserialize, Serialize};

pub use smd::{smd_categorical, smd_continuous};

use crate::engine::data::{distinct_up_to, ColumnData, Dataset, LevelError, MISSING_CODE};
use crate::engine::hypothesis::TestKind;
use crate::engine::summary::NumericSummary;
use crate::engine::Diagnostic;

/// The test for categorical variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CategoricalTest {
    /// Pearson chi-square, Fisher exact when any expected count is < 5.
    #[default]
    Auto,
    Pearson,
    Yates,
    Fisher,
    LikelihoodRatio,
}

/// The test for normally distributed continuous variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ContinuousTest {
    #[default]
    Welch,
    Student,
}

impl CategoricalTest {
    pub const ALL: [CategoricalTest; 5] = [
        CategoricalTest::Auto,
        CategoricalTest::Pearson,
        CategoricalTest::Yates,
        CategoricalTest::Fisher,
        CategoricalTest::LikelihoodRatio,
    ];

    /// The name in the CLI and the page's `<select>`.
    pub fn as_str(self) -> &'static str {
        match self {
            CategoricalTest::Auto => "auto",
            CategoricalTest::Pearson => "pearson",
            CategoricalTest::Yates => "yates",
            CategoricalTest::Fisher => "fisher",
            CategoricalTest::LikelihoodRatio => "lr",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            CategoricalTest::Auto => {
                "Pearson chi-square; Fisher's exact when an expected count is < 5"
            }
            CategoricalTest::Pearson => "Pearson chi-square (no correction) always",
            CategoricalTest::Yates => "chi-square with Yates' correction (2 x 2)",
            CategoricalTest::Fisher => "Fisher's exact test always",
            CategoricalTest::LikelihoodRatio => "likelihood-ratio chi-square",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl ContinuousTest {
    pub const ALL: [ContinuousTest; 2] = [ContinuousTest::Welch, ContinuousTest::Student];

    pub fn as_str(self) -> &'static str {
        match self {
            ContinuousTest::Welch => "welch",
            ContinuousTest::Student => "student",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ContinuousTest::Welch => "Welch's t test (unequal variances)",
            ContinuousTest::Student => "Student's t test (pooled variance)",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What to put in Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Spec {
    /// The grouping column (binary or categorical).
    pub group: String,
    /// The variables, in the order wanted.
    pub variables: Vec<String>,
    /// Continuous variables summarised as median [IQR] and tested by
    /// Mann-Whitney.
    #[serde(default)]
    pub nonnormal: Vec<String>,
    /// Numeric variables summarised as continuous even with a few
    /// whole-number values (which are shown as n (%) by default).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub continuous: Vec<String>,
    #[serde(default)]
    pub categorical_test: CategoricalTest,
    #[serde(default)]
    pub continuous_test: ContinuousTest,
}

/// Why Table 1 could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Table1Error {
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
    #[error(transparent)]
    Group(#[from] LevelError),
    #[error("the grouping column `{column}` has {groups} non-empty group(s); Table 1 needs at least two")]
    TooFewGroups { column: String, groups: usize },
    #[error("column `{0}` is text; choose a numeric, binary or categorical column")]
    TextVariable(String),
    #[error("there are {got} weights for {rows} patients")]
    WeightsLength { rows: usize, got: usize },
    #[error("the weight of row {row} is {value}; weights must be finite and not negative")]
    BadWeight { row: usize, value: f64 },
}

impl Table1Error {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            Table1Error::UnknownColumn(_) => "Check the spelling; `cohortlab inspect FILE` lists the columns.".into(),
            Table1Error::Group(e) => e.hint(),
            Table1Error::TooFewGroups { .. } => "Choose a grouping column with at least two groups that have patients.".into(),
            Table1Error::TextVariable(c) => format!("Leave `{c}` out, or set its kind (--kind {c}=categorical) if its texts are groups."),
            Table1Error::WeightsLength { .. } => "Give one weight per row of the dataset (0 leaves a patient out).".into(),
            Table1Error::BadWeight { row, .. } => format!("Check the weight of row {row}: weights are 0 or positive numbers."),
        }
    }
}

/// A group's column header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupHeader {
    pub level: String,
    /// Patients (in a weighted Table 1, those with a positive weight).
    pub n: usize,
    /// Weighted Table 1: the group's weighted size Σw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_n: Option<f64>,
}

/// One level of a categorical variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRow {
    pub level: String,
    /// Count per group, in group order (patients, unweighted).
    pub counts: Vec<usize>,
    /// Percent of the group's non-missing patients (weighted Table 1:
    /// weighted count over the weighted patients with a value).
    pub percents: Vec<f64>,
    pub overall: usize,
    pub overall_percent: f64,
    /// Weighted Table 1: Σw of the level per group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weighted_counts: Vec<f64>,
    /// Weighted Table 1: Σw of the level overall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_overall: Option<f64>,
}

/// How a continuous variable is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Summary {
    MeanSd,
    MedianIqr,
}

/// One variable of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Row {
    pub variable: String,
    /// Levels with counts (categorical variables).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub levels: Vec<LevelRow>,
    /// Continuous variables: the summary used, per group and overall
    /// (weighted Table 1: `n`, `min` and `max` of the patients, the other
    /// statistics weighted, see [`weighted`]).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<Summary>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub stats: Vec<NumericSummary>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overall_stats: Option<NumericSummary>,
    /// Missing per group.
    pub missing: Vec<usize>,
    /// Weighted Table 1: Σw of the patients with no value, per group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weighted_missing: Vec<f64>,
    pub test: Option<TestKind>,
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
    pub smd: Option<f64>,
}

/// Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1 {
    pub group: String,
    pub groups: Vec<GroupHeader>,
    pub n: usize,
    pub variables: Vec<Table1Row>,
    pub spec: Table1Spec,
    pub diagnostics: Vec<Diagnostic>,
    /// A weighted Table 1: what the weights were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<Table1Weighting>,
}

/// What a weighted Table 1 was weighted by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Weighting {
    /// Σw of the patients in the table.
    pub weighted_n: f64,
    /// Rows left out for a weight of 0 (trimmed, or not in the weighting).
    pub zero_weight: usize,
    /// The weighting's estimand, when the weights are a weighting's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimand: Option<crate::engine::weighting::Estimand>,
    /// The SD the SMD divides by, when it is the weighting's balance SMD
    /// (`None`: tableone's pooled weighted SD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smd_denominator: Option<crate::engine::matching::SmdDenominator>,
    /// The design-based tests, when asked for ([`add_weighted_tests`]);
    /// empty: no P values (the convention after weighting).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<WeightedTest>,
}

/// The groups: any column with a few levels, numeric codes included.
fn group_codes(ds: &Dataset, name: &str) -> Result<(Vec<u32>, Vec<String>), Table1Error> {
    let col = ds
        .column(name)
        .ok_or_else(|| Table1Error::UnknownColumn(name.to_owned()))?;
    let lv = col.levels()?;
    Ok((lv.codes.into_owned(), lv.levels.into_owned()))
}

/// The most distinct whole-number values a numeric variable may have to be
/// summarised as n (%) by default (grade 1/2/3, a score 0-4).
pub const MAX_CODED_LEVELS: usize = 5;

/// Whether a numeric column looks like codes: whole numbers, at most
/// [`MAX_CODED_LEVELS`] distinct values.
fn few_whole_values(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_nan() || x.fract() == 0.0)
        && distinct_up_to(v, MAX_CODED_LEVELS).is_some_and(|k| k > 0)
}

/// Table 1 of the given variables by group.
pub fn table1(ds: &Dataset, spec: &Table1Spec) -> Result<Table1, Table1Error> {
    build(ds, spec, None)
}

/// Table 1 with case weights `weights` (one per dataset row, finite and
/// not negative; rows with weight 0 are left out): the rows of
/// [`table1`] weighted as the module doc says, without tests.
pub fn table1_weighted(
    ds: &Dataset,
    spec: &Table1Spec,
    weights: &[f64],
) -> Result<Table1, Table1Error> {
    check_weights(ds, weights)?;
    build(ds, spec, Some(weights))
}

/// [`table1_weighted`] with the design-based tests asked for
/// ([`add_weighted_tests`]): a P value per variable, the test named.
pub fn table1_weighted_tested(
    ds: &Dataset,
    spec: &Table1Spec,
    weights: &[f64],
) -> Result<Table1, Table1Error> {
    let mut t = table1_weighted(ds, spec, weights)?;
    add_weighted_tests(ds, &mut t, weights)?;
    Ok(t)
}

/// One weight per row, finite and not negative.
fn check_weights(ds: &Dataset, weights: &[f64]) -> Result<(), Table1Error> {
    if weights.len() != ds.n_rows {
        return Err(Table1Error::WeightsLength {
            rows: ds.n_rows,
            got: weights.len(),
        });
    }
    if let Some((row, &value)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
    {
        return Err(Table1Error::BadWeight {
            row: row + 1,
            value,
        });
    }
    Ok(())
}

/// The groups of Table 1 and each row's.
struct Grouping {
    /// The group column's levels.
    levels: Vec<String>,
    /// Patients per level.
    sizes: Vec<usize>,
    /// The levels with patients, in order: Table 1's groups.
    kept: Vec<usize>,
    /// Per dataset row: its group's index in `kept`, `None` when the
    /// group is missing or the weight is 0.
    group_of: Vec<Option<usize>>,
    /// Rows left out for a weight of 0.
    zero_weight: usize,
}

/// The groups of `spec.group` (rows of weight 0 in none).
fn grouping(ds: &Dataset, spec: &Table1Spec, w: Option<&[f64]>) -> Result<Grouping, Table1Error> {
    let (mut gcodes, glevels) = group_codes(ds, &spec.group)?;
    // Rows of weight 0 are in no group.
    let mut zero_weight = 0;
    if let Some(w) = w {
        for (g, &wi) in gcodes.iter_mut().zip(w) {
            if wi <= 0.0 {
                *g = MISSING_CODE;
                zero_weight += 1;
            }
        }
    }
    let mut sizes = vec![0usize; glevels.len()];
    for &g in &gcodes {
        if let Some(s) = sizes.get_mut(g as usize) {
            *s += 1;
        }
    }
    // Groups with no patients are left out.
    let kept: Vec<usize> = (0..glevels.len()).filter(|&g| sizes[g] > 0).collect();
    if kept.len() < 2 {
        return Err(Table1Error::TooFewGroups {
            column: spec.group.clone(),
            groups: kept.len(),
        });
    }
    let mut slot = vec![usize::MAX; glevels.len()];
    for (i, &g) in kept.iter().enumerate() {
        slot[g] = i;
    }
    let group_of: Vec<Option<usize>> = gcodes
        .iter()
        .map(|&g| (g != MISSING_CODE).then(|| slot[g as usize]))
        .collect();
    Ok(Grouping {
        levels: glevels,
        sizes,
        kept,
        group_of,
        zero_weight,
    })
}

/// Table 1, weighted by `w` when given (one code for both: the unweighted
/// table is the one without weights, not the one with weights 1).
fn build(ds: &Dataset, spec: &Table1Spec, w: Option<&[f64]>) -> Result<Table1, Table1Error> {
    let Grouping {
        levels: glevels,
        sizes,
        kept,
        group_of,
        zero_weight,
    } = grouping(ds, spec, w)?;
    let mut diagnostics = Vec::new();
    let no_group = group_of.iter().filter(|g| g.is_none()).count() - zero_weight;
    if no_group > 0 {
        diagnostics.push(Diagnostic::warning(
            Code::GroupMissing,
            Some(&spec.group),
            format!(
                "{no_group} patient(s) with no value of `{}` are left out of Table 1",
                spec.group
            ),
        ));
    }
    let k = kept.len();
    // The rows are independent: computed in parallel natively, kept in
    // order with their notes.
    let computed = crate::engine::parallel::map(spec.variables.len(), |j| {
        let var = &spec.variables[j];
        let col = ds
            .column(var)
            .ok_or_else(|| Table1Error::UnknownColumn(var.clone()))?;
        let nonnormal = spec.nonnormal.contains(var);
        let mut notes = Vec::new();
        let row = match &col.data {
            ColumnData::Categorical { codes, levels, .. } => {
                categorical_row(var, codes, levels, (&group_of, w), k, spec, &mut notes)
            }
            ColumnData::Numeric(v)
                if !nonnormal && !spec.continuous.contains(var) && few_whole_values(v) =>
            {
                let lv = col.levels()?;
                notes.push(
                    Diagnostic::info(Code::WholeNumbersAsLevels,
                        Some(var),
                        format!(
                            "`{var}` has {} whole-number values ({}), so it is shown as n (%) with a categorical test",
                            lv.levels.len(),
                            lv.levels.join(", ")
                        ),
                    )
                    .with_hint(format!(
                        "to show it as mean (SD) or median [IQR], mark it continuous (--continuous {var})"
                    )),
                );
                categorical_row(
                    var,
                    &lv.codes,
                    &lv.levels,
                    (&group_of, w),
                    k,
                    spec,
                    &mut notes,
                )
            }
            ColumnData::Numeric(v) => {
                continuous_row(var, v, (&group_of, w), k, nonnormal, spec, &mut notes)
            }
            ColumnData::Text(_) => return Err(Table1Error::TextVariable(var.clone())),
        };
        Ok((row, notes))
    });
    let mut rows = Vec::with_capacity(spec.variables.len());
    for c in computed {
        let (row, notes) = c?;
        diagnostics.extend(notes);
        if row.smd.is_some_and(f64::is_infinite) {
            diagnostics.push(
                Diagnostic::warning(Code::SeparatesGroups,
                    Some(&row.variable),
                    format!(
                        "`{}` separates the groups completely (no patient of either group differs from the rest of that group), so its SMD is infinite",
                        row.variable
                    ),
                )
                .with_hint("A variable that codes the groups again (or is defined by them) is not a baseline characteristic; leave it out."),
            );
        }
        rows.push(row);
    }
    // Weighted sizes, per group and overall.
    let wsizes = w.map(|w| {
        let mut s = vec![0.0; k];
        for (g, &wi) in group_of.iter().zip(w) {
            if let Some(g) = *g {
                s[g] += wi;
            }
        }
        s
    });
    Ok(Table1 {
        group: spec.group.clone(),
        groups: kept
            .iter()
            .enumerate()
            .map(|(i, &g)| GroupHeader {
                level: glevels[g].clone(),
                n: sizes[g],
                weighted_n: wsizes.as_ref().map(|s| s[i]),
            })
            .collect(),
        n: sizes.iter().sum(),
        variables: rows,
        spec: spec.clone(),
        diagnostics,
        weighting: wsizes.map(|s| Table1Weighting {
            weighted_n: s.iter().sum(),
            zero_weight,
            estimand: None,
            smd_denominator: None,
            tests: Vec::new(),
        }),
    })
}

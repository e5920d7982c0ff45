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

mod smd;

use crate::engine::Code;
use serde::{Deserialize, Serialize};

pub use smd::{smd_categorical, smd_continuous};

use crate::engine::data::{distinct_up_to, ColumnData, Dataset, LevelError, MISSING_CODE};
use crate::engine::hypothesis::{
    chi_square, expected_counts, fisher_test, likelihood_ratio, mann_whitney, student_t, welch_t,
    yates, ContingencyTable, TestKind, TestResult,
};
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
}

impl Table1Error {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            Table1Error::UnknownColumn(_) => "Check the spelling; `cohortlab inspect FILE` lists the columns.".into(),
            Table1Error::Group(e) => e.hint(),
            Table1Error::TooFewGroups { .. } => "Choose a grouping column with at least two groups that have patients.".into(),
            Table1Error::TextVariable(c) => format!("Leave `{c}` out, or set its kind (--kind {c}=categorical) if its texts are groups."),
        }
    }
}

/// A group's column header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupHeader {
    pub level: String,
    pub n: usize,
}

/// One level of a categorical variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelRow {
    pub level: String,
    /// Count per group, in group order.
    pub counts: Vec<usize>,
    /// Percent of the group's non-missing patients.
    pub percents: Vec<f64>,
    pub overall: usize,
    pub overall_percent: f64,
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
    /// Continuous variables: the summary used, per group and overall.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<Summary>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub stats: Vec<NumericSummary>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub overall_stats: Option<NumericSummary>,
    /// Missing per group.
    pub missing: Vec<usize>,
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
    let (gcodes, glevels) = group_codes(ds, &spec.group)?;
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
    let mut diagnostics = Vec::new();
    let no_group = group_of.iter().filter(|g| g.is_none()).count();
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
                categorical_row(var, codes, levels, &group_of, k, spec, &mut notes)
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
                categorical_row(var, &lv.codes, &lv.levels, &group_of, k, spec, &mut notes)
            }
            ColumnData::Numeric(v) => {
                continuous_row(var, v, &group_of, k, nonnormal, spec, &mut notes)
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
    Ok(Table1 {
        group: spec.group.clone(),
        groups: kept
            .iter()
            .map(|&g| GroupHeader {
                level: glevels[g].clone(),
                n: sizes[g],
            })
            .collect(),
        n: sizes.iter().sum(),
        variables: rows,
        spec: spec.clone(),
        diagnostics,
    })
}

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// The categorical test chosen by the options, with its fallback.
pub fn categorical_test(
    counts: &[Vec<u64>],
    choice: CategoricalTest,
) -> (Option<TestResult>, Option<String>) {
    let Ok(t) = ContingencyTable::new(counts) else {
        return (
            None,
            Some("no test: fewer than two non-empty levels or groups".into()),
        );
    };
    let sparse = expected_counts(&t).iter().flatten().any(|&e| e < 5.0);
    // Exact while within its work bound, else simulated (said in a note).
    let fisher = || {
        let r = fisher_test(&t);
        let note = (r.test == TestKind::FisherSimulated).then(|| {
            format!(
                "Fisher's exact P is too large to compute exactly for this table; it was simulated from {} random tables (seed {}), as R's fisher.test(simulate.p.value = TRUE)",
                crate::engine::hypothesis::SIMULATED_TABLES,
                crate::engine::hypothesis::SIMULATION_SEED
            )
        });
        (Some(r), note)
    };
    match choice {
        CategoricalTest::Auto if sparse => fisher(),
        CategoricalTest::Auto | CategoricalTest::Pearson => (Some(chi_square(&t)), None),
        CategoricalTest::Yates => (Some(yates(&t)), None),
        CategoricalTest::Fisher => fisher(),
        CategoricalTest::LikelihoodRatio => (Some(likelihood_ratio(&t)), None),
    }
}

fn categorical_row(
    name: &str,
    codes: &[u32],
    levels: &[String],
    group_of: &[Option<usize>],
    k: usize,
    spec: &Table1Spec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Table1Row {
    let mut counts = vec![vec![0usize; levels.len()]; k];
    let mut missing = vec![0usize; k];
    for (&c, g) in codes.iter().zip(group_of) {
        let Some(g) = *g else { continue };
        if c == MISSING_CODE {
            missing[g] += 1;
        } else {
            counts[g][c as usize] += 1;
        }
    }
    let present: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
    let total: usize = present.iter().sum();
    let level_rows = levels
        .iter()
        .enumerate()
        .map(|(l, name)| {
            let per: Vec<usize> = counts.iter().map(|r| r[l]).collect();
            let overall = per.iter().sum();
            LevelRow {
                level: name.clone(),
                percents: per.iter().zip(&present).map(|(&n, &d)| pct(n, d)).collect(),
                counts: per,
                overall,
                overall_percent: pct(overall, total),
            }
        })
        .collect();
    let table: Vec<Vec<u64>> = counts
        .iter()
        .map(|r| r.iter().map(|&c| c as u64).collect())
        .collect();
    let (test, note) = categorical_test(&table, spec.categorical_test);
    if let Some(note) = note {
        diagnostics.push(Diagnostic::info(
            Code::TestNote,
            Some(name),
            format!("`{name}`: {note}"),
        ));
    }
    let props: Vec<Vec<f64>> = counts
        .iter()
        .zip(&present)
        .map(|(r, &d)| r.iter().map(|&c| c as f64 / d as f64).collect())
        .collect();
    let smd = mean_pairwise(k, |a, b| smd_categorical(&props[a], &props[b]));
    Table1Row {
        variable: name.to_owned(),
        levels: level_rows,
        summary: None,
        stats: Vec::new(),
        overall_stats: None,
        missing,
        test: test.as_ref().map(|t| t.test),
        statistic: test.as_ref().and_then(|t| t.statistic),
        p_value: test.map(|t| t.p_value),
        smd,
    }
}

fn mean_pairwise(k: usize, f: impl Fn(usize, usize) -> f64) -> Option<f64> {
    let mut v = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            v.push(f(a, b));
        }
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    // Infinite (groups separated) is kept; undefined (a group with no
    // values) is not.
    (!m.is_nan()).then_some(m)
}

fn continuous_row(
    var: &str,
    values: &[f64],
    group_of: &[Option<usize>],
    k: usize,
    nonnormal: bool,
    spec: &Table1Spec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Table1Row {
    let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut missing = vec![0usize; k];
    for (&x, g) in values.iter().zip(group_of) {
        let Some(g) = *g else { continue };
        if x.is_nan() {
            missing[g] += 1;
        } else {
            by_group[g].push(x);
        }
    }
    let stats: Vec<NumericSummary> = by_group
        .iter()
        .map(|v| NumericSummary::of(v.iter().copied()))
        .collect();
    let overall = NumericSummary::of(by_group.iter().flatten().copied());
    if stats
        .iter()
        .chain([&overall])
        .any(|s| s.n > 1 && !s.sd.is_finite())
    {
        diagnostics.push(Diagnostic::warning(Code::SdOverflow,
            Some(var),
            format!("`{var}`: the SD exceeds the largest number a computer holds (about 1.8e308), so it is left blank; check the values"),
        ));
    }
    let test = if k == 2 {
        let r = if nonnormal {
            mann_whitney(&by_group[0], &by_group[1])
        } else {
            match spec.continuous_test {
                ContinuousTest::Welch => welch_t(&by_group[0], &by_group[1]),
                ContinuousTest::Student => student_t(&by_group[0], &by_group[1]),
            }
        };
        match r {
            Ok(r) => Some(r),
            Err(e) => {
                diagnostics.push(Diagnostic::info(
                    Code::NoTest,
                    Some(var),
                    format!("`{var}`: no test ({e})"),
                ));
                None
            }
        }
    } else {
        diagnostics.push(Diagnostic::info(Code::NoTest,
            Some(var),
            format!("`{var}`: tests of continuous variables across more than two groups are not available yet"),
        ));
        None
    };
    let smd = mean_pairwise(k, |a, b| {
        smd_continuous(stats[a].mean, stats[a].sd, stats[b].mean, stats[b].sd)
    });
    Table1Row {
        variable: var.to_owned(),
        levels: Vec::new(),
        summary: Some(if nonnormal {
            Summary::MedianIqr
        } else {
            Summary::MeanSd
        }),
        stats,
        overall_stats: Some(overall),
        missing,
        test: test.as_ref().map(|t| t.test),
        statistic: test.as_ref().and_then(|t| t.statistic),
        p_value: test.map(|t| t.p_value),
        smd,
    }
}

//! The missingness report, shown before any analysis: per variable the
//! patients with no value, overall and per group, with a test of whether
//! missingness differs between the groups; and the patterns of missing
//! values (which combinations of variables are missing together, and how
//! often), as `mice::md.pattern` gives them.
//!
//! # Conventions
//! - Missing: an empty cell or a missing-value token when the file was read
//!   (`NA`, `.`, ...); a numeric column's `NaN`, a categorical column's
//!   missing code, an empty text.
//! - Per group: the patients of each level of the group column; patients
//!   with no group are counted apart and left out of the per-group counts
//!   and of the test.
//! - The test: the 2 x k table of missing/observed by group, with Table 1's
//!   automatic choice (Pearson's chi-square without continuity correction,
//!   Fisher's exact test when an expected count is below 5; R's
//!   `chisq.test(correct = FALSE)` and `fisher.test`). None when the
//!   variable is complete or observed in no group.
//! - Patterns, as `md.pattern` (mice 3.15): the columns ordered by their
//!   number of missing values, ascending (ties kept in the given order);
//!   each patient's pattern written as a string of 0 (observed) and 1
//!   (missing) over the columns in that order; the distinct patterns in
//!   the order of those strings (so the complete cases come first), each
//!   with its number of patients and of missing variables.
//!
//! Reference: van Buuren S, Groothuis-Oudshoorn K (2011) mice: Multivariate
//! Imputation by Chained Equations in R. J Stat Softw 45(3):1-67.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::engine::data::{ColumnData, ColumnKind, Dataset, LevelError, MISSING_CODE};
use crate::engine::hypothesis::TestResult;
use crate::engine::table1::{categorical_test, CategoricalTest};
use crate::engine::{Code, Diagnostic};

/// Which variables, and the groups compared.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MissingSpec {
    /// The variables (empty: every column that is not free text).
    #[serde(default)]
    pub variables: Vec<String>,
    /// The group column (e.g. the treatment).
    #[serde(default)]
    pub group: Option<String>,
}

/// Why the report cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MissingError {
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
    #[error("no variables to report: every column is free text")]
    NoVariables,
    #[error("the group column `{column}` has no patients with a value")]
    NoGroups { column: String },
    #[error(transparent)]
    Levels(#[from] LevelError),
}

impl MissingError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            MissingError::UnknownColumn(_) => {
                "check the spelling; `cohortlab inspect FILE` lists the columns".into()
            }
            MissingError::NoVariables => {
                "name the variables (--vars A,B) or set a column's kind (--kind COL=numeric)".into()
            }
            MissingError::NoGroups { .. } => "choose another group column, or none".into(),
            MissingError::Levels(e) => e.hint(),
        }
    }
}

/// One group's patients and how many of them miss the variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMissing {
    pub group: String,
    pub n: usize,
    pub missing: usize,
}

/// One variable's missing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingVariable {
    pub variable: String,
    pub missing: usize,
    /// `missing` over all patients, in % (0 with no patients).
    pub percent: f64,
    /// Per group, in the group column's level order (empty without one).
    pub by_group: Vec<GroupMissing>,
    /// Whether missingness differs between the groups.
    pub test: Option<TestResult>,
    /// Why there is no test, or how it was computed.
    pub test_note: Option<String>,
}

/// One pattern of missing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingPattern {
    /// Patients with this pattern.
    pub count: usize,
    /// Per column of [`MissingReport::pattern_columns`]: observed.
    pub observed: Vec<bool>,
    /// Variables missing in this pattern.
    pub n_missing: usize,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingReport {
    pub n: usize,
    /// Patients with every variable observed.
    pub complete: usize,
    pub group: Option<String>,
    /// The group column's levels with patients.
    pub groups: Vec<String>,
    /// Patients with no value of the group column.
    pub no_group: usize,
    /// In the order asked for.
    pub variables: Vec<MissingVariable>,
    /// The variables in `md.pattern`'s order (fewest missing first).
    pub pattern_columns: Vec<String>,
    /// Every distinct pattern, in `md.pattern`'s order.
    pub patterns: Vec<MissingPattern>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Per row, whether `ds`'s column `name` is missing.
fn missing_mask(ds: &Dataset, name: &str) -> Result<Vec<bool>, MissingError> {
    let col = ds
        .column(name)
        .ok_or_else(|| MissingError::UnknownColumn(name.to_owned()))?;
    Ok(match &col.data {
        ColumnData::Numeric(v) => v.iter().map(|x| x.is_nan()).collect(),
        ColumnData::Categorical { codes, .. } => codes.iter().map(|&c| c == MISSING_CODE).collect(),
        ColumnData::Text(t) => t.iter().map(str::is_empty).collect(),
    })
}

/// The group of each row (`None`: no value) and the groups' levels.
fn group_of(ds: &Dataset, name: &str) -> Result<(Vec<Option<usize>>, Vec<String>), MissingError> {
    let col = ds
        .column(name)
        .ok_or_else(|| MissingError::UnknownColumn(name.to_owned()))?;
    let lv = col.levels()?;
    let mut sizes = vec![0usize; lv.levels.len()];
    for &c in lv.codes.iter().filter(|&&c| c != MISSING_CODE) {
        sizes[c as usize] += 1;
    }
    // Levels with no patients are left out.
    let mut slot = vec![None; lv.levels.len()];
    let mut labels = Vec::new();
    for (k, level) in lv.levels.iter().enumerate() {
        if sizes[k] > 0 {
            slot[k] = Some(labels.len());
            labels.push(level.clone());
        }
    }
    if labels.is_empty() {
        return Err(MissingError::NoGroups {
            column: name.to_owned(),
        });
    }
    let of = lv
        .codes
        .iter()
        .map(|&c| slot.get(c as usize).copied().flatten())
        .collect();
    Ok((of, labels))
}

/// One variable's counts and test.
fn variable_row(
    name: &str,
    mask: &[bool],
    groups: Option<&(Vec<Option<usize>>, Vec<String>)>,
) -> MissingVariable {
    let n = mask.len();
    let missing = mask.iter().filter(|&&m| m).count();
    let mut row = MissingVariable {
        variable: name.to_owned(),
        missing,
        percent: if n == 0 {
            0.0
        } else {
            100.0 * missing as f64 / n as f64
        },
        by_group: Vec::new(),
        test: None,
        test_note: None,
    };
    let Some((of, labels)) = groups else {
        return row;
    };
    let (mut sizes, mut miss) = (vec![0usize; labels.len()], vec![0usize; labels.len()]);
    for (&m, g) in mask.iter().zip(of) {
        if let Some(g) = *g {
            sizes[g] += 1;
            miss[g] += usize::from(m);
        }
    }
    row.by_group = labels
        .iter()
        .enumerate()
        .map(|(g, label)| GroupMissing {
            group: label.clone(),
            n: sizes[g],
            missing: miss[g],
        })
        .collect();
    if miss.iter().all(|&m| m == 0) {
        row.test_note = Some("no test: no missing values".into());
        return row;
    }
    let counts = vec![
        miss.iter().map(|&m| m as u64).collect::<Vec<_>>(),
        sizes
            .iter()
            .zip(&miss)
            .map(|(s, m)| (s - m) as u64)
            .collect(),
    ];
    let (test, note) = categorical_test(&counts, CategoricalTest::Auto);
    row.test = test;
    row.test_note = note;
    row
}

/// The patterns of `masks` (one per column, in `names`' order), as
/// `md.pattern`.
fn patterns(names: &[String], masks: &[Vec<bool>], n: usize) -> (Vec<String>, Vec<MissingPattern>) {
    let mut order: Vec<usize> = (0..names.len()).collect();
    let nmis: Vec<usize> = masks
        .iter()
        .map(|m| m.iter().filter(|&&x| x).count())
        .collect();
    // A stable sort, as R's order.
    order.sort_by_key(|&j| nmis[j]);
    let columns: Vec<&[bool]> = order.iter().map(|&j| &masks[j][..]).collect();
    let mut found: Vec<(Vec<bool>, usize)> = if columns.len() <= 128 {
        // Up to 128 columns a pattern is a number's bits: no allocation
        // per patient (a million patients in a few milliseconds).
        let mut counts: HashMap<u128, usize> = HashMap::new();
        for i in 0..n {
            let key = columns
                .iter()
                .enumerate()
                .fold(0u128, |k, (j, c)| k | (u128::from(c[i]) << j));
            *counts.entry(key).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|(k, c)| ((0..columns.len()).map(|j| k >> j & 1 == 1).collect(), c))
            .collect()
    } else {
        let mut counts: HashMap<Vec<bool>, usize> = HashMap::new();
        for i in 0..n {
            *counts
                .entry(columns.iter().map(|c| c[i]).collect())
                .or_default() += 1;
        }
        counts.into_iter().collect()
    };
    // "0" < "1" position by position: false before true.
    found.sort();
    let patterns = found
        .into_iter()
        .map(|(missing, count)| MissingPattern {
            count,
            n_missing: missing.iter().filter(|&&m| m).count(),
            observed: missing.into_iter().map(|m| !m).collect(),
        })
        .collect();
    (order.iter().map(|&j| names[j].clone()).collect(), patterns)
}

/// The missingness report of `spec` on `ds`.
pub fn missing_report(ds: &Dataset, spec: &MissingSpec) -> Result<MissingReport, MissingError> {
    let names: Vec<String> = if spec.variables.is_empty() {
        ds.columns
            .iter()
            .filter(|c| c.kind != ColumnKind::Text && Some(&c.name) != spec.group.as_ref())
            .map(|c| c.name.clone())
            .collect()
    } else {
        spec.variables.clone()
    };
    if names.is_empty() {
        return Err(MissingError::NoVariables);
    }
    let masks = names
        .iter()
        .map(|v| missing_mask(ds, v))
        .collect::<Result<Vec<_>, _>>()?;
    let groups = spec.group.as_deref().map(|g| group_of(ds, g)).transpose()?;
    let no_group = groups
        .as_ref()
        .map_or(0, |(of, _)| of.iter().filter(|g| g.is_none()).count());
    let mut diagnostics = Vec::new();
    if let (Some(g), true) = (&spec.group, no_group > 0) {
        diagnostics.push(Diagnostic::warning(
            Code::GroupMissing,
            Some(g),
            format!(
                "{no_group} patient(s) with no value of `{g}` are left out of the counts by group"
            ),
        ));
    }
    let variables = names
        .iter()
        .zip(&masks)
        .map(|(v, m)| variable_row(v, m, groups.as_ref()))
        .collect();
    let (pattern_columns, patterns) = patterns(&names, &masks, ds.n_rows);
    let complete = patterns
        .iter()
        .find(|p| p.n_missing == 0)
        .map_or(0, |p| p.count);
    Ok(MissingReport {
        n: ds.n_rows,
        complete,
        group: spec.group.clone(),
        groups: groups.map(|(_, l)| l).unwrap_or_default(),
        no_group,
        variables,
        pattern_columns,
        patterns,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::{load, ReadOptions};

    fn ds(csv: &str) -> Dataset {
        load(csv.as_bytes(), &ReadOptions::default(), &Default::default())
            .unwrap()
            .1
    }

    #[test]
    fn patterns_follow_md_pattern_order() {
        // a misses 2, b misses 1, c none: md.pattern orders c, b, a.
        let d = ds("a,b,c\n1,,x\n,2,y\n,5,x\n4,5,y\n6,7,x\n");
        let r = missing_report(&d, &MissingSpec::default()).unwrap();
        assert_eq!(r.pattern_columns, ["c", "b", "a"]);
        let rows: Vec<(usize, Vec<bool>, usize)> = r
            .patterns
            .iter()
            .map(|p| (p.count, p.observed.clone(), p.n_missing))
            .collect();
        // Strings over (c, b, a): 000 (x2), 001 (x2), 010.
        assert_eq!(
            rows,
            vec![
                (2, vec![true, true, true], 0),
                (2, vec![true, true, false], 1),
                (1, vec![true, false, true], 1),
            ]
        );
        assert_eq!(r.complete, 2);
        assert_eq!(r.variables.len(), 3);
        assert_eq!(r.variables[0].missing, 2);
        assert!((r.variables[0].percent - 40.0).abs() < 1e-12);
    }

    #[test]
    fn counts_by_group_leave_out_patients_with_no_group() {
        let d = ds("a,g\n1,T\n,C\n,T\n4,C\n5,\n");
        let spec = MissingSpec {
            variables: vec!["a".into()],
            group: Some("g".into()),
        };
        let r = missing_report(&d, &spec).unwrap();
        assert_eq!(r.no_group, 1);
        assert_eq!(r.diagnostics.len(), 1);
        let v = &r.variables[0];
        assert_eq!(v.missing, 2);
        let by: Vec<(&str, usize, usize)> = v
            .by_group
            .iter()
            .map(|g| (g.group.as_str(), g.n, g.missing))
            .collect();
        assert_eq!(by, vec![("C", 2, 1), ("T", 2, 1)]);
        // Expected counts below 5: Fisher's exact test, P = 1.
        let t = v.test.as_ref().unwrap();
        assert!((t.p_value - 1.0).abs() < 1e-12);
    }

    #[test]
    fn many_columns_give_the_same_patterns() {
        // 130 columns: the patterns kept as lists rather than bits.
        let names: Vec<String> = (0..130).map(|j| format!("c{j}")).collect();
        let mut csv = names.join(",") + "\n";
        for i in 0..4 {
            let row: Vec<String> = (0..130)
                .map(|j| {
                    if i < 2 && (i + j) % 65 == 0 {
                        String::new()
                    } else {
                        "1".into()
                    }
                })
                .collect();
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
        let r = missing_report(&ds(&csv), &MissingSpec::default()).unwrap();
        assert_eq!(r.pattern_columns.len(), 130);
        assert_eq!(r.patterns.iter().map(|p| p.count).sum::<usize>(), 4);
        assert_eq!(r.complete, 2);
        assert!(r.patterns.iter().all(|p| p.n_missing <= 2));
    }

    #[test]
    fn bad_input_is_named() {
        let d = ds("a,g\n1,T\n");
        let spec = MissingSpec {
            variables: vec!["nope".into()],
            group: None,
        };
        assert_eq!(
            missing_report(&d, &spec).unwrap_err(),
            MissingError::UnknownColumn("nope".into())
        );
        let spec = MissingSpec {
            variables: vec!["a".into()],
            group: Some("zz".into()),
        };
        assert!(missing_report(&d, &spec)
            .unwrap_err()
            .hint()
            .contains("inspect"));
    }
}

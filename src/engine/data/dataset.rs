//! The typed dataset: one vector per column, as [`Dataset::build`] types
//! it from a [`RawTable`] and a [`DatasetSpec`].
//!
//! [`RawTable`]: super::RawTable
//! [`DatasetSpec`]: super::DatasetSpec

use serde::{Deserialize, Serialize};

use super::{ColumnKind, TextColumn};
use crate::engine::Diagnostic;

/// The code of a missing value in a categorical column.
pub const MISSING_CODE: u32 = u32::MAX;

/// A column's values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnData {
    /// Numbers; `NaN` is missing.
    Numeric(Vec<f64>),
    /// Level codes into `levels` ([`MISSING_CODE`] is missing);
    /// `levels[reference]` is the reference level. Binary columns are
    /// categorical ones with two levels (or fewer).
    Categorical {
        codes: Vec<u32>,
        levels: Vec<String>,
        reference: usize,
    },
    /// Identifiers and free text; an empty text is missing.
    Text(TextColumn),
}

/// One typed column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    /// What inference suggested (equal to `kind` unless overridden); derived
    /// columns are categorical.
    pub suggested: ColumnKind,
    /// `Some(source)` for a column derived from another.
    pub derived_from: Option<String>,
    pub data: ColumnData,
}

/// A level and how many patients have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    pub level: String,
    pub count: usize,
}

/// What the page's column list and `cohortlab inspect` show of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    pub kind: ColumnKind,
    pub suggested: ColumnKind,
    pub missing: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub levels: Option<Vec<LevelCount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Distinct values of a text column (`None` past 1000), or of a numeric
    /// column with at most [`super::MAX_NUMERIC_LEVELS`] (codes that every
    /// step can read as groups; `None` past that).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distinct: Option<usize>,
}

/// The typed patient table that every analysis reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub n_rows: usize,
    pub columns: Vec<Column>,
    /// Spreadsheet row number of each patient (header = row 1).
    pub row_numbers: Vec<usize>,
    /// Non-fatal problems from reading and typing.
    pub diagnostics: Vec<Diagnostic>,
}

impl Dataset {
    /// The same columns, only the given rows (in that order); levels and
    /// references are kept, so tables before and after line up.
    pub fn subset(&self, rows: &[usize]) -> Dataset {
        // Column by column (in parallel natively), copying only the rows.
        let columns = crate::engine::parallel::map(self.columns.len(), |j| {
            let c = &self.columns[j];
            Column {
                name: c.name.clone(),
                kind: c.kind,
                suggested: c.suggested,
                derived_from: c.derived_from.clone(),
                data: match &c.data {
                    ColumnData::Numeric(v) => {
                        ColumnData::Numeric(rows.iter().map(|&r| v[r]).collect())
                    }
                    ColumnData::Categorical {
                        codes,
                        levels,
                        reference,
                    } => ColumnData::Categorical {
                        codes: rows.iter().map(|&r| codes[r]).collect(),
                        levels: levels.clone(),
                        reference: *reference,
                    },
                    ColumnData::Text(v) => ColumnData::Text(v.subset(rows)),
                },
            }
        });
        Dataset {
            n_rows: rows.len(),
            columns,
            row_numbers: rows.iter().map(|&r| self.row_numbers[r]).collect(),
            diagnostics: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn summaries(&self) -> Vec<ColumnSummary> {
        self.columns.iter().map(Column::summary).collect()
    }
}

impl Column {
    pub fn n_missing(&self) -> usize {
        match &self.data {
            ColumnData::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            ColumnData::Categorical { codes, .. } => {
                codes.iter().filter(|&&c| c == MISSING_CODE).count()
            }
            ColumnData::Text(v) => v.iter().filter(|x| x.is_empty()).count(),
        }
    }

    /// Levels with their counts, in level order (categorical columns).
    pub fn level_counts(&self) -> Option<Vec<LevelCount>> {
        let ColumnData::Categorical { codes, levels, .. } = &self.data else {
            return None;
        };
        let mut counts = vec![0usize; levels.len()];
        for &c in codes {
            if let Some(n) = counts.get_mut(c as usize) {
                *n += 1;
            }
        }
        Some(
            levels
                .iter()
                .zip(counts)
                .map(|(l, count)| LevelCount {
                    level: l.clone(),
                    count,
                })
                .collect(),
        )
    }

    /// The cell as text, for previews and exports ("" when missing).
    pub fn display(&self, row: usize) -> String {
        match &self.data {
            ColumnData::Numeric(v) => v
                .get(row)
                .filter(|x| !x.is_nan())
                .map_or(String::new(), |x| x.to_string()),
            ColumnData::Categorical { codes, levels, .. } => codes
                .get(row)
                .and_then(|&c| levels.get(c as usize))
                .cloned()
                .unwrap_or_default(),
            ColumnData::Text(v) => v.get(row).to_owned(),
        }
    }

    pub fn summary(&self) -> ColumnSummary {
        let mut s = ColumnSummary {
            name: self.name.clone(),
            kind: self.kind,
            suggested: self.suggested,
            missing: self.n_missing(),
            derived_from: self.derived_from.clone(),
            levels: None,
            reference: None,
            min: None,
            max: None,
            mean: None,
            distinct: None,
        };
        match &self.data {
            ColumnData::Numeric(v) => {
                let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                if !present.is_empty() {
                    s.min = present.iter().copied().reduce(f64::min);
                    s.max = present.iter().copied().reduce(f64::max);
                    s.mean = Some(present.iter().sum::<f64>() / present.len() as f64);
                }
                // A few values (codes such as 1/2): usable as groups.
                s.distinct = super::distinct_up_to(&present, super::MAX_NUMERIC_LEVELS);
            }
            ColumnData::Categorical {
                levels, reference, ..
            } => {
                s.levels = self.level_counts();
                s.reference = levels.get(*reference).cloned();
            }
            ColumnData::Text(v) => {
                let mut d: Vec<&str> = v.iter().filter(|x| !x.is_empty()).collect();
                d.sort_unstable();
                d.dedup();
                s.distinct = Some(d.len());
            }
        }
        s
    }
}

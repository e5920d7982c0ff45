//! A column read as levels, whatever its kind: what the options that name a
//! level (`--treated-level`, `--event-level`, `--ref`) and the roles that
//! split patients into groups (group, strata, cluster) read.
//!
//! Clinical exports code groups as numbers (treatment 1/2, grade 1/2/3, a
//! centre number, status 0/1/2). A numeric column with at most
//! [`MAX_NUMERIC_LEVELS`] distinct values is read as levels: its distinct
//! values in ascending order, written as [`Column::display`] writes them
//! (`1`, `2.5`), the smallest the reference. A level named by the user
//! matches a level's text, or, for a numeric column, its value (`1.0` is
//! level `1`).

use std::borrow::Cow;

use super::{Column, ColumnData, MISSING_CODE};

/// The most distinct values a numeric column may have to be read as levels.
pub const MAX_NUMERIC_LEVELS: usize = 30;

/// A column as level codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels<'a> {
    /// One code per row into `levels`; [`MISSING_CODE`] is missing.
    pub codes: Cow<'a, [u32]>,
    pub levels: Cow<'a, [String]>,
    /// `levels[reference]` is the reference level.
    pub reference: usize,
    /// The numeric value of each level, for a numeric column.
    pub values: Option<Vec<f64>>,
}

/// Why a column cannot be read as levels, or a level is not in it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LevelError {
    #[error("the column `{column}` has {distinct} distinct values, too many to be read as groups (at most {max})")]
    TooManyValues {
        column: String,
        distinct: usize,
        max: usize,
    },
    #[error("the column `{column}` is free text, which cannot be read as groups")]
    Text { column: String },
    #[error("the column `{column}` has no level `{level}`; its levels are {}", .present.join(", "))]
    NotALevel {
        column: String,
        level: String,
        present: Vec<String>,
    },
}

impl LevelError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            LevelError::TooManyValues { column, .. } => format!(
                "choose a column with a few values, or cut `{column}` into groups first (--cut NEW={column}:T1,T2)"
            ),
            LevelError::Text { column } => format!(
                "set the column's kind to categorical if its texts are groups (--kind {column}=categorical)"
            ),
            LevelError::NotALevel { present, .. } => {
                format!("use one of: {}", present.join(", "))
            }
        }
    }
}

impl Column {
    /// The column as levels: categorical columns as they are, numeric ones
    /// by their distinct values (see the module's documentation).
    pub fn levels(&self) -> Result<Levels<'_>, LevelError> {
        match &self.data {
            ColumnData::Categorical {
                codes,
                levels,
                reference,
            } => Ok(Levels {
                codes: Cow::Borrowed(codes),
                levels: Cow::Borrowed(levels),
                reference: *reference,
                values: None,
            }),
            ColumnData::Numeric(v) => numeric_levels(&self.name, v),
            ColumnData::Text(_) => Err(LevelError::Text {
                column: self.name.clone(),
            }),
        }
    }
}

/// The number of distinct values of a numeric column, if at most `max`.
pub fn distinct_up_to(v: &[f64], max: usize) -> Option<usize> {
    let mut seen: Vec<f64> = Vec::new();
    for &x in v.iter().filter(|x| !x.is_nan()) {
        if !seen.contains(&x) {
            if seen.len() == max {
                return None;
            }
            seen.push(x);
        }
    }
    Some(seen.len())
}

fn numeric_levels<'a>(name: &str, v: &[f64]) -> Result<Levels<'a>, LevelError> {
    let mut values: Vec<f64> = Vec::new();
    for &x in v {
        if x.is_nan() || values.contains(&x) {
            continue;
        }
        if values.len() == MAX_NUMERIC_LEVELS {
            let mut all: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            all.sort_by(f64::total_cmp);
            all.dedup();
            return Err(LevelError::TooManyValues {
                column: name.to_owned(),
                distinct: all.len(),
                max: MAX_NUMERIC_LEVELS,
            });
        }
        values.push(x);
    }
    values.sort_by(f64::total_cmp);
    let codes = v
        .iter()
        .map(|x| {
            values
                .iter()
                .position(|y| y == x)
                .map_or(MISSING_CODE, |p| p as u32)
        })
        .collect();
    Ok(Levels {
        codes: Cow::Owned(codes),
        levels: Cow::Owned(values.iter().map(|x| x.to_string()).collect()),
        reference: 0,
        values: Some(values),
    })
}

impl Levels<'_> {
    /// The index of the level the user named, by its text or, for a numeric
    /// column, by its value.
    pub fn find(&self, column: &str, level: &str) -> Result<usize, LevelError> {
        let wanted = level.trim();
        let by_text = self.levels.iter().position(|l| l == wanted);
        let by_value = || {
            let x: f64 = wanted.parse().ok()?;
            self.values.as_ref()?.iter().position(|&y| y == x)
        };
        by_text
            .or_else(by_value)
            .ok_or_else(|| LevelError::NotALevel {
                column: column.to_owned(),
                level: level.to_owned(),
                present: self.levels.to_vec(),
            })
    }

    /// The code of each row (`None` when missing).
    pub fn code(&self, row: usize) -> Option<usize> {
        self.codes
            .get(row)
            .filter(|&&c| c != MISSING_CODE)
            .map(|&c| c as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::ColumnKind;

    fn numeric(v: &[f64]) -> Column {
        Column {
            name: "grade".into(),
            kind: ColumnKind::Numeric,
            suggested: ColumnKind::Numeric,
            derived_from: None,
            data: ColumnData::Numeric(v.to_vec()),
        }
    }

    #[test]
    fn numeric_codes_become_levels_in_ascending_order() {
        let c = numeric(&[2.0, 1.0, f64::NAN, 3.0, 1.0]);
        let l = c.levels().unwrap();
        assert_eq!(l.levels.as_ref(), ["1", "2", "3"]);
        assert_eq!(l.codes.as_ref(), [1, 0, MISSING_CODE, 2, 0]);
        assert_eq!(l.reference, 0);
        assert_eq!(l.find("grade", "2").unwrap(), 1);
        assert_eq!(l.find("grade", "3.0").unwrap(), 2);
        let e = l.find("grade", "7").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the column `grade` has no level `7`; its levels are 1, 2, 3"
        );
        assert!(e.hint().contains("1, 2, 3"));
    }

    #[test]
    fn too_many_numeric_values_are_refused() {
        let v: Vec<f64> = (0..40).map(f64::from).collect();
        let e = numeric(&v).levels().unwrap_err();
        assert!(matches!(e, LevelError::TooManyValues { distinct: 40, .. }));
    }
}

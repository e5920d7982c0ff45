//! The dataset specification: how the user wants the file's columns typed
//! and recoded. It is data (serialisable, part of the saved settings), never
//! an in-place mutation of the table, so every change can be undone and
//! replayed on the same file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kind of a column, as used by the analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Numbers: summarised by mean (SD) or median [IQR].
    Numeric,
    /// Two levels (0/1, yes/no, true/false, or any two texts).
    Binary,
    /// A few levels, one of them the reference.
    Categorical,
    /// Identifiers and free text: shown, never analysed.
    Text,
}

impl ColumnKind {
    pub const ALL: [ColumnKind; 4] = [
        ColumnKind::Numeric,
        ColumnKind::Binary,
        ColumnKind::Categorical,
        ColumnKind::Text,
    ];

    /// The name used in the CLI, JSON and the page's `<select>`.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Binary => "binary",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_categorical(self) -> bool {
        matches!(self, ColumnKind::Binary | ColumnKind::Categorical)
    }
}

impl std::fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Texts that mean "missing" by default (compared case-insensitively after
/// trimming; the empty cell is always missing).
pub const DEFAULT_MISSING_TOKENS: [&str; 7] = ["", "NA", "N/A", ".", "NaN", "null", "-"];

/// Several levels merged into one, e.g. `Lobular or mixed` + `Other` ->
/// `Non-ductal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelMerge {
    pub levels: Vec<String>,
    pub into: String,
}

/// The user's corrections to one column. Every field defaults to "as
/// inferred". The level settings apply only while the column is binary or
/// categorical, and are kept (not applied) while it is numeric or text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnOverride {
    /// The kind to use instead of the inferred one.
    pub kind: Option<ColumnKind>,
    /// Levels in the order wanted (listed first; the others follow in
    /// natural order). Names after merging.
    pub level_order: Vec<String>,
    /// The reference level (default: the first level).
    pub reference: Option<String>,
    /// Levels merged before ordering.
    pub merges: Vec<LevelMerge>,
}

impl ColumnOverride {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Which end of an interval a cut point belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Closed {
    /// `(a, b]`: the cut point goes to the lower group, `<= 50` / `> 50`.
    Right,
    /// `[a, b)`: the cut point goes to the upper group, `< 20` / `>= 20`.
    Left,
}

/// How a derived column is made from its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Recode {
    /// A numeric column cut into categories at increasing thresholds.
    Cut {
        thresholds: Vec<f64>,
        closed: Closed,
        /// One label per group; `None` for labels like `<= 50`, `> 50`.
        #[serde(default)]
        labels: Option<Vec<String>>,
    },
}

/// A new categorical column made from another, e.g. `age_group` from `age`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DerivedColumn {
    pub name: String,
    pub source: String,
    pub recode: Recode,
}

/// Everything the user said about the columns of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatasetSpec {
    /// Cell texts read as missing (case-insensitive). Default
    /// [`DEFAULT_MISSING_TOKENS`].
    pub missing_tokens: Vec<String>,
    /// Per-column corrections, by column name (file columns and derived).
    pub columns: BTreeMap<String, ColumnOverride>,
    /// New columns, appended after the file's own.
    pub derived: Vec<DerivedColumn>,
}

impl Default for DatasetSpec {
    fn default() -> Self {
        Self {
            missing_tokens: DEFAULT_MISSING_TOKENS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            columns: BTreeMap::new(),
            derived: Vec::new(),
        }
    }
}

impl DatasetSpec {
    /// The override of a column, created empty if absent.
    pub fn column_mut(&mut self, name: &str) -> &mut ColumnOverride {
        self.columns.entry(name.to_owned()).or_default()
    }

    /// Sets a column's kind (builder style, for the CLI and tests).
    pub fn with_kind(mut self, column: &str, kind: ColumnKind) -> Self {
        self.column_mut(column).kind = Some(kind);
        self
    }

    /// Sets a column's reference level.
    pub fn with_reference(mut self, column: &str, level: &str) -> Self {
        self.column_mut(column).reference = Some(level.to_owned());
        self
    }

    /// Adds a cut of `source` into a new column `name`.
    pub fn with_cut(
        mut self,
        name: &str,
        source: &str,
        thresholds: &[f64],
        closed: Closed,
    ) -> Self {
        self.derived.push(DerivedColumn {
            name: name.to_owned(),
            source: source.to_owned(),
            recode: Recode::Cut {
                thresholds: thresholds.to_vec(),
                closed,
                labels: None,
            },
        });
        self
    }

    /// Drops overrides that say nothing, so saved settings stay short.
    pub fn tidy(&mut self) {
        self.columns.retain(|_, o| !o.is_empty());
    }

    /// Sets a column's kind; level settings are kept for when it is
    /// categorical again.
    pub fn set_kind(&mut self, column: &str, kind: ColumnKind) {
        self.column_mut(column).kind = Some(kind);
    }

    /// Adds a cut of `source` at `thresholds`, naming the new column
    /// `{source}_group` (or `_group2`, ... when taken). Returns the name.
    pub fn add_cut(
        &mut self,
        source: &str,
        thresholds: Vec<f64>,
        closed: Closed,
        taken: &[String],
    ) -> String {
        let base = format!("{source}_group");
        let mut name = base.clone();
        let mut k = 2;
        while taken.contains(&name) || self.derived.iter().any(|d| d.name == name) {
            name = format!("{base}{k}");
            k += 1;
        }
        self.derived.push(DerivedColumn {
            name: name.clone(),
            source: source.to_owned(),
            recode: Recode::Cut {
                thresholds,
                closed,
                labels: None,
            },
        });
        name
    }

    /// Removes a derived column and its overrides.
    pub fn remove_derived(&mut self, name: &str) {
        self.derived.retain(|d| d.name != name);
        self.columns.remove(name);
    }

    /// Moves the level at `index` of the current order one place up,
    /// recording the whole order.
    pub fn move_level_up(&mut self, column: &str, current: &[String], index: usize) {
        if index == 0 || index >= current.len() {
            return;
        }
        let mut order = current.to_vec();
        order.swap(index - 1, index);
        self.column_mut(column).level_order = order;
    }

    /// Merges levels into one named `into` (which may be one of them).
    pub fn merge_levels(&mut self, column: &str, levels: Vec<String>, into: &str) {
        let ov = self.column_mut(column);
        ov.level_order.retain(|l| !levels.contains(l));
        if ov.reference.as_ref().is_some_and(|r| levels.contains(r)) {
            ov.reference = Some(into.to_owned());
        }
        ov.merges.push(LevelMerge {
            levels,
            into: into.to_owned(),
        });
    }

    /// Undoes every merge, order and reference of a column.
    pub fn reset_levels(&mut self, column: &str) {
        let ov = self.column_mut(column);
        ov.merges.clear();
        ov.level_order.clear();
        ov.reference = None;
    }

    /// Parses a comma-separated list of cut points ("50" or "20, 40").
    pub fn parse_thresholds(text: &str) -> Option<Vec<f64>> {
        let v: Option<Vec<f64>> = text
            .split([',', ';', ' '])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
            .collect();
        v.filter(|v| !v.is_empty() && v.windows(2).all(|w| w[0] < w[1]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_names_are_unique() {
        let mut s = DatasetSpec::default();
        let taken = vec!["age".to_string(), "age_group".to_string()];
        assert_eq!(
            s.add_cut("age", vec![50.0], Closed::Right, &taken),
            "age_group2"
        );
        assert_eq!(
            s.add_cut("age", vec![60.0], Closed::Right, &taken),
            "age_group3"
        );
        s.remove_derived("age_group2");
        assert_eq!(s.derived.len(), 1);
    }

    #[test]
    fn level_moves_and_merges() {
        let mut s = DatasetSpec::default();
        let cur: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        s.move_level_up("x", &cur, 2);
        assert_eq!(s.columns["x"].level_order, ["a", "c", "b"]);
        s.column_mut("x").reference = Some("b".into());
        s.merge_levels("x", vec!["b".into(), "c".into()], "b or c");
        assert_eq!(s.columns["x"].level_order, ["a"]);
        assert_eq!(s.columns["x"].reference.as_deref(), Some("b or c"));
        s.reset_levels("x");
        s.tidy();
        assert!(s.columns.is_empty());
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!(DatasetSpec::parse_thresholds("50"), Some(vec![50.0]));
        assert_eq!(
            DatasetSpec::parse_thresholds(" 20, 40 "),
            Some(vec![20.0, 40.0])
        );
        assert_eq!(DatasetSpec::parse_thresholds("40, 20"), None);
        assert_eq!(DatasetSpec::parse_thresholds("x"), None);
        assert_eq!(DatasetSpec::parse_thresholds(""), None);
    }

    #[test]
    fn spec_round_trips_through_json() {
        let mut s = DatasetSpec::default().with_kind("ct", ColumnKind::Categorical);
        s.add_cut("age", vec![50.0], Closed::Right, &[]);
        s.merge_levels("h", vec!["x".into(), "y".into()], "z");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<DatasetSpec>(&json).unwrap(), s);
    }
}

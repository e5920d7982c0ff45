//! The typed dataset: one vector per column, built from a [`RawTable`] and a
//! [`DatasetSpec`] in one fallible step.

use super::hash::FastMap;
use std::borrow::Cow;
use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::infer::{
    infer_one, is_missing, parse_number, trim_tokens, ColumnInference, DistinctCells, FieldType,
};
use super::{
    Closed, ColumnKind, ColumnOverride, DatasetSpec, RawTable, Recode, SpecError, TextColumn,
};
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
    /// Types the raw table as the spec says (inferred kinds where it says
    /// nothing). Fails on the first cell or setting that cannot be applied,
    /// naming it.
    pub fn build(raw: &RawTable, spec: &DatasetSpec) -> Result<Dataset, SpecError> {
        for name in spec.columns.keys() {
            let known = raw.headers.contains(name) || spec.derived.iter().any(|d| &d.name == name);
            if !known {
                return Err(SpecError::UnknownColumn {
                    column: name.clone(),
                });
            }
        }
        let mut diagnostics = raw.diagnostics.clone();
        let mut columns = Vec::with_capacity(raw.headers.len() + spec.derived.len());
        let none = ColumnOverride::default();
        let tokens = trim_tokens(&spec.missing_tokens);
        let typed = crate::engine::parallel::map(raw.headers.len(), |j| {
            let (name, cells) = (&raw.headers[j], &raw.cells[j]);
            let comma = raw.format.decimal_comma();
            let (inf, numbers, distinct) = infer_one(name, cells, &raw.row_numbers, &tokens, comma);
            let ov = spec.columns.get(name).unwrap_or(&none);
            // A reference or an order of levels chosen for a numeric column
            // (a treatment coded 1/2, grade 1/2/3) reads its values as levels.
            let as_levels = inf.suggested == ColumnKind::Numeric
                && (ov.reference.is_some() || !ov.level_order.is_empty());
            let kind = ov.kind.unwrap_or(if as_levels {
                ColumnKind::Categorical
            } else {
                inf.suggested
            });
            let notes = if ov.kind.is_none() || ov.kind == Some(inf.suggested) {
                inf.diagnostics()
            } else {
                Vec::new()
            };
            let data = match (kind, numbers) {
                (ColumnKind::Numeric, Some(v)) => ColumnData::Numeric(v),
                _ => type_column(raw, spec, &inf, cells, distinct, kind, ov)?,
            };
            let column = Column {
                name: name.clone(),
                kind,
                suggested: inf.suggested,
                derived_from: None,
                data,
            };
            Ok((column, notes))
        });
        for t in typed {
            let (column, notes) = t?;
            diagnostics.extend(notes);
            columns.push(column);
        }
        for d in &spec.derived {
            if columns.iter().any(|c| c.name == d.name) {
                return Err(SpecError::NameTaken {
                    column: d.name.clone(),
                });
            }
            let source = columns.iter().find(|c| c.name == d.source).ok_or_else(|| {
                SpecError::UnknownColumn {
                    column: d.source.clone(),
                }
            })?;
            let ov = spec.columns.get(&d.name).unwrap_or(&none);
            let data = derive(&d.name, source, &d.recode, ov)?;
            let kind = match &data {
                ColumnData::Categorical { levels, .. } if levels.len() <= 2 => ColumnKind::Binary,
                _ => ColumnKind::Categorical,
            };
            columns.push(Column {
                name: d.name.clone(),
                kind,
                suggested: kind,
                derived_from: Some(d.source.clone()),
                data,
            });
        }
        Ok(Dataset {
            n_rows: raw.n_rows(),
            columns,
            row_numbers: raw.row_numbers.clone(),
            diagnostics,
        })
    }

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

fn type_column<'a>(
    raw: &RawTable,
    spec: &DatasetSpec,
    inf: &ColumnInference,
    cells: &'a TextColumn,
    distinct: Option<DistinctCells<'a>>,
    kind: ColumnKind,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let tokens = &trim_tokens(&spec.missing_tokens);
    let comma = raw.format.decimal_comma();
    let name = &inf.name;
    match kind {
        ColumnKind::Numeric => {
            let mut v = Vec::with_capacity(cells.len());
            for (i, cell) in cells.iter().enumerate() {
                if is_missing(cell, tokens) {
                    v.push(f64::NAN);
                } else {
                    let x = parse_number(cell, comma).ok_or_else(|| SpecError::NotANumber {
                        column: name.clone(),
                        row: raw.row_numbers[i],
                        text: cell.to_owned(),
                    })?;
                    v.push(x);
                }
            }
            Ok(ColumnData::Numeric(v))
        }
        ColumnKind::Binary | ColumnKind::Categorical => {
            // Numbers are compared as numbers: `1` and `1.0` are one level.
            let numeric = matches!(inf.field_type, FieldType::Integer | FieldType::Float);
            let level = |c: &'a str| -> Option<Cow<'a, str>> {
                if is_missing(c, tokens) {
                    None
                } else if numeric {
                    parse_number(c, comma).map(|x| Cow::Owned(x.to_string()))
                } else {
                    Some(Cow::Borrowed(c))
                }
            };
            let data = match distinct {
                // Each distinct text coded once, then the cells by index.
                Some(d) => {
                    let mut coder = LevelCoder::new(level, ov);
                    let table: Vec<u32> = d.texts.iter().map(|t| coder.code(t)).collect();
                    let codes = d
                        .ids
                        .iter()
                        .map(|&id| table.get(id as usize).copied().unwrap_or(MISSING_CODE))
                        .collect();
                    coder.finish(name, codes)?
                }
                None => encode_levels(name, cells.iter(), level, ov)?,
            };
            if kind == ColumnKind::Binary {
                if let ColumnData::Categorical { levels, .. } = &data {
                    if levels.len() > 2 {
                        return Err(SpecError::NotBinary {
                            column: name.clone(),
                            count: levels.len(),
                            levels: levels.clone(),
                        });
                    }
                }
            }
            Ok(data)
        }
        ColumnKind::Text => Ok(ColumnData::Text(
            cells
                .iter()
                .map(|c| if is_missing(c, tokens) { "" } else { c })
                .collect(),
        )),
    }
}

/// Codes cells as levels: `level` gives a cell's level text (`None`:
/// missing), merges apply, then natural order (the "no" of a yes/no pair
/// first), then the user's order, then the reference. Each distinct cell
/// text is looked at once; the other cells cost one hash lookup and no
/// allocation.
fn encode_levels<'a>(
    name: &str,
    cells: impl Iterator<Item = &'a str>,
    level: impl Fn(&'a str) -> Option<Cow<'a, str>>,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let mut coder = LevelCoder::new(level, ov);
    let mut by_cell: FastMap<&'a str, u32> = FastMap::default();
    let mut codes: Vec<u32> = Vec::with_capacity(cells.size_hint().0);
    for cell in cells {
        let code = match by_cell.get(cell) {
            Some(&code) => code,
            None => {
                let code = coder.code(cell);
                by_cell.insert(cell, code);
                code
            }
        };
        codes.push(code);
    }
    coder.finish(name, codes)
}

/// A cell text's level code (merges applied), levels numbered as met.
struct LevelCoder<'a, 'o, F> {
    level: F,
    ov: &'o ColumnOverride,
    merged: FastMap<&'o str, &'o str>,
    index: FastMap<String, u32>,
    levels: Vec<String>,
    cell: std::marker::PhantomData<&'a str>,
}

impl<'a, 'o, F: Fn(&'a str) -> Option<Cow<'a, str>>> LevelCoder<'a, 'o, F> {
    fn new(level: F, ov: &'o ColumnOverride) -> Self {
        let mut merged: FastMap<&str, &str> = FastMap::default();
        for m in &ov.merges {
            for l in &m.levels {
                merged.insert(l.as_str(), m.into.as_str());
            }
        }
        LevelCoder {
            level,
            ov,
            merged,
            index: FastMap::default(),
            levels: Vec::new(),
            cell: std::marker::PhantomData,
        }
    }

    fn code(&mut self, cell: &'a str) -> u32 {
        let Some(t) = (self.level)(cell) else {
            return MISSING_CODE;
        };
        let t: &str = self.merged.get(t.as_ref()).copied().unwrap_or(t.as_ref());
        match self.index.get(t) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.index.insert(t.to_owned(), c);
                self.levels.push(t.to_owned());
                c
            }
        }
    }

    /// The column, once every cell is coded: a merge of levels none of
    /// which occurs is an error (a typo in the settings).
    fn finish(self, name: &str, codes: Vec<u32>) -> Result<ColumnData, SpecError> {
        for m in &self.ov.merges {
            if m.levels.iter().all(|l| {
                !self.index.contains_key(l.as_str()) && !self.index.contains_key(m.into.as_str())
            }) {
                if let Some(l) = m.levels.first() {
                    return Err(SpecError::UnknownLevel {
                        column: name.to_owned(),
                        level: l.clone(),
                        present: self.levels.clone(),
                    });
                }
            }
        }
        finish_levels(name, codes, self.levels, self.ov)
    }
}

/// Orders levels (default natural order, then the user's order) and sets
/// the reference; recodes accordingly.
fn finish_levels(
    name: &str,
    mut codes: Vec<u32>,
    levels: Vec<String>,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by(|&a, &b| level_cmp(&levels[a], &levels[b]));
    if levels.len() == 2 && is_negative(&levels[order[1]]) && !is_negative(&levels[order[0]]) {
        order.swap(0, 1);
    }
    let mut front = Vec::new();
    for l in &ov.level_order {
        let pos =
            order
                .iter()
                .position(|&i| &levels[i] == l)
                .ok_or_else(|| SpecError::UnknownLevel {
                    column: name.to_owned(),
                    level: l.clone(),
                    present: levels.clone(),
                })?;
        front.push(order.remove(pos));
    }
    front.extend(order);
    let order = front;
    let mut recode = vec![0u32; levels.len()];
    for (new, &old) in order.iter().enumerate() {
        recode[old] = new as u32;
    }
    for c in codes.iter_mut().filter(|c| **c != MISSING_CODE) {
        *c = recode[*c as usize];
    }
    let levels: Vec<String> = order.iter().map(|&i| levels[i].clone()).collect();
    let reference = match &ov.reference {
        Some(r) => levels
            .iter()
            .position(|l| l == r)
            .ok_or_else(|| SpecError::UnknownLevel {
                column: name.to_owned(),
                level: r.clone(),
                present: levels.clone(),
            })?,
        None => 0,
    };
    Ok(ColumnData::Categorical {
        codes,
        levels,
        reference,
    })
}

/// The "negative" member of common two-level codings, which goes first and
/// is the default reference.
fn is_negative(level: &str) -> bool {
    const NEG: [&str; 9] = [
        "0", "no", "n", "false", "f", "negative", "neg", "absent", "none",
    ];
    NEG.iter().any(|n| n.eq_ignore_ascii_case(level.trim()))
}

/// Natural order: numbers by value first, then texts with digit runs
/// compared as numbers (`T2` < `T10`), otherwise case-insensitively.
/// A total order on any texts (a sort may panic otherwise): numbers and
/// texts are two classes, each totally ordered, ties broken by the text.
pub(crate) fn level_cmp(a: &str, b: &str) -> Ordering {
    match (parse_number(a, false), parse_number(b, false)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| natural_cmp(a, b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => natural_cmp(a, b),
    }
}

/// Texts with digit runs compared as numbers, otherwise case-insensitively,
/// ties broken by the bytes.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut ai, mut bi) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = ai.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    ai.next();
                }
                let mut nb = String::new();
                while let Some(c) = bi.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    bi.next();
                }
                let ord = na
                    .trim_start_matches('0')
                    .len()
                    .cmp(&nb.trim_start_matches('0').len())
                    .then_with(|| na.trim_start_matches('0').cmp(nb.trim_start_matches('0')));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(x), Some(y)) => {
                let ord = x.to_lowercase().cmp(y.to_lowercase());
                if ord != Ordering::Equal {
                    return ord;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

fn fmt_num(x: f64) -> String {
    x.to_string()
}

/// Cuts a numeric column at thresholds into a new categorical column.
fn derive(
    name: &str,
    source: &Column,
    recode: &Recode,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let Recode::Cut {
        thresholds,
        closed,
        labels,
    } = recode;
    let ColumnData::Numeric(values) = &source.data else {
        return Err(SpecError::CutNeedsNumeric {
            column: source.name.clone(),
            kind: source.kind.to_string(),
        });
    };
    let increasing = thresholds.windows(2).all(|w| w[0] < w[1]);
    if thresholds.is_empty() || !increasing || thresholds.iter().any(|t| !t.is_finite()) {
        return Err(SpecError::BadThresholds {
            column: name.to_owned(),
        });
    }
    let groups = thresholds.len() + 1;
    let labels = match labels {
        Some(l) if l.len() != groups => {
            return Err(SpecError::BadLabels {
                column: name.to_owned(),
                labels: l.len(),
                groups,
            })
        }
        Some(l) => l.clone(),
        None => default_cut_labels(thresholds, *closed),
    };
    let codes = values
        .iter()
        .map(|&x| {
            if x.is_nan() {
                MISSING_CODE
            } else {
                let below = match closed {
                    Closed::Right => thresholds.iter().filter(|&&t| x > t).count(),
                    Closed::Left => thresholds.iter().filter(|&&t| x >= t).count(),
                };
                below as u32
            }
        })
        .collect::<Vec<u32>>();
    // Cut groups keep their interval order unless the user reorders them.
    let mut ov = ov.clone();
    if ov.level_order.is_empty() {
        ov.level_order = labels.clone();
    }
    finish_levels(name, codes, labels, &ov)
}

/// `<= 50`, `> 50` (right-closed) or `< 20`, `>= 20` (left-closed); middle
/// groups as `> 20 to <= 40`.
pub(crate) fn default_cut_labels(t: &[f64], closed: Closed) -> Vec<String> {
    let (lo, hi, lo_in, hi_in) = match closed {
        Closed::Right => ("≤", ">", ">", "≤"),
        Closed::Left => ("<", "≥", "≥", "<"),
    };
    let mut out = vec![format!("{lo} {}", fmt_num(t[0]))];
    for w in t.windows(2) {
        out.push(format!(
            "{lo_in} {} to {hi_in} {}",
            fmt_num(w[0]),
            fmt_num(w[1])
        ));
    }
    out.push(format!("{hi} {}", fmt_num(t[t.len() - 1])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::{read, LevelMerge, ReadOptions};

    fn raw(s: &str) -> RawTable {
        read(s.as_bytes(), &ReadOptions::default()).unwrap()
    }

    fn levels(ds: &Dataset, col: &str) -> Vec<(String, usize)> {
        ds.column(col)
            .unwrap()
            .level_counts()
            .unwrap()
            .into_iter()
            .map(|l| (l.level, l.count))
            .collect()
    }

    /// 20 decimals and a text that looks like one (`0.3389914537612095-4`),
    /// each twice: the level order was not a total order (numbers by value,
    /// the text by its digit runs) and the sort panicked.
    #[test]
    fn level_order_is_total_on_numeric_looking_texts() {
        let mut text = String::from("id,x\n");
        let mut values: Vec<String> = (0..20)
            .map(|i| format!("0.{}", (i * 7919 + 13) % 997))
            .collect();
        values.extend([
            "0.3389914537612095-4".to_string(),
            "0.5-4".into(),
            "0.4".into(),
        ]);
        for (i, v) in values.iter().chain(&values).enumerate() {
            text.push_str(&format!("{i},{v}\n"));
        }
        let ds = Dataset::build(&raw(&text), &DatasetSpec::default()).unwrap();
        let got = levels(&ds, "x");
        assert_eq!(got.len(), values.len());
        // Numbers by value first, then the texts.
        let texts = got.iter().position(|(l, _)| l.ends_with("-4")).unwrap();
        assert!(got[..texts]
            .windows(2)
            .all(|w| w[0].0.parse::<f64>().unwrap() < w[1].0.parse::<f64>().unwrap()));
        assert!(got[texts..].iter().all(|(l, _)| l.ends_with("-4")));
        // Transitive on every triple.
        for a in &values {
            for b in &values {
                for c in &values {
                    if level_cmp(a, b).is_le() && level_cmp(b, c).is_le() {
                        assert!(level_cmp(a, c).is_le(), "{a} {b} {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn natural_level_order() {
        let mut v = vec!["T10", "T2", "t1", "N3", "10", "9"];
        v.sort_by(|a, b| level_cmp(a, b));
        assert_eq!(v, ["9", "10", "N3", "t1", "T2", "T10"]);
    }

    #[test]
    fn kinds_are_suggested() {
        let r = raw("id,age,marked,smoker,ct,note\n\
                     p1,52,1,yes,T2,a\np2,47.5,0,no,T1,b\np3,NA,0,no,T2,c\n\
                     p4,61,1,yes,T3,d\np5,39,0,no,T1,e\np6,55,1,no,T2,f\n");
        let ds = Dataset::build(&r, &DatasetSpec::default()).unwrap();
        let kinds: Vec<ColumnKind> = ds.columns.iter().map(|c| c.kind).collect();
        use ColumnKind::*;
        assert_eq!(kinds, [Text, Numeric, Binary, Binary, Categorical, Text]);
        assert_eq!(ds.column("age").unwrap().n_missing(), 1);
        assert_eq!(levels(&ds, "smoker"), [("no".into(), 4), ("yes".into(), 2)]);
        assert_eq!(levels(&ds, "marked"), [("0".into(), 3), ("1".into(), 3)]);
        let s = ds.column("age").unwrap().summary();
        assert_eq!((s.min, s.max), (Some(39.0), Some(61.0)));
    }

    #[test]
    fn overrides_reference_order_and_merge() {
        let r = raw("h\nDuctal\nLobular\nOther\nDuctal\nOther\n");
        let mut spec = DatasetSpec::default().with_kind("h", ColumnKind::Categorical);
        spec.column_mut("h").merges.push(LevelMerge {
            levels: vec!["Lobular".into(), "Other".into()],
            into: "Non-ductal".into(),
        });
        spec.column_mut("h").level_order = vec!["Non-ductal".into()];
        spec.column_mut("h").reference = Some("Ductal".into());
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(
            levels(&ds, "h"),
            [("Non-ductal".into(), 3), ("Ductal".into(), 2)]
        );
        let ColumnData::Categorical { reference, .. } = ds.column("h").unwrap().data else {
            panic!()
        };
        assert_eq!(reference, 1);
        let bad = DatasetSpec::default()
            .with_kind("h", ColumnKind::Categorical)
            .with_reference("h", "Tubular");
        assert_eq!(
            Dataset::build(&r, &bad).unwrap_err(),
            SpecError::UnknownLevel {
                column: "h".into(),
                level: "Tubular".into(),
                present: vec!["Ductal".into(), "Lobular".into(), "Other".into()],
            }
        );
    }

    #[test]
    fn numeric_override_names_the_bad_cell() {
        let r = raw("id;ki67\n1;10\n2;30\n3;12,5%\n4;40\n5;25\n6;50\n");
        let ds = Dataset::build(&r, &DatasetSpec::default()).unwrap();
        assert_ne!(ds.column("ki67").unwrap().kind, ColumnKind::Numeric);
        let warn = ds
            .diagnostics
            .iter()
            .find(|d| d.column.as_deref() == Some("ki67"))
            .expect("a warning about ki67");
        assert!(
            warn.message.contains("row 4 has text `12,5%`"),
            "{}",
            warn.message
        );
        let err = Dataset::build(
            &r,
            &DatasetSpec::default().with_kind("ki67", ColumnKind::Numeric),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `ki67` has text `12,5%` in row 4; expected a number"
        );
        let mut spec = DatasetSpec::default().with_kind("ki67", ColumnKind::Numeric);
        spec.missing_tokens.push("12,5%".into());
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(ds.column("ki67").unwrap().n_missing(), 1);
    }

    #[test]
    fn cut_right_and_left_closed() {
        let r = raw("age;ki67\n50;19,9\n51;20\n30;20\n70;5\nNA;NA\n");
        let spec = DatasetSpec::default()
            .with_cut("age_group", "age", &[50.0], Closed::Right)
            .with_cut("ki67_group", "ki67", &[20.0], Closed::Left)
            .with_cut("age3", "age", &[40.0, 60.0], Closed::Right);
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(
            levels(&ds, "age_group"),
            [("≤ 50".into(), 2), ("> 50".into(), 2)]
        );
        assert_eq!(
            levels(&ds, "ki67_group"),
            [("< 20".into(), 2), ("≥ 20".into(), 2)]
        );
        assert_eq!(
            levels(&ds, "age3"),
            [
                ("≤ 40".into(), 1),
                ("> 40 to ≤ 60".into(), 2),
                ("> 60".into(), 1)
            ]
        );
        assert_eq!(ds.column("age_group").unwrap().n_missing(), 1);
        assert_eq!(ds.column("age_group").unwrap().kind, ColumnKind::Binary);
        let bad = DatasetSpec::default().with_cut("g", "age", &[60.0, 40.0], Closed::Right);
        assert!(matches!(
            Dataset::build(&r, &bad),
            Err(SpecError::BadThresholds { .. })
        ));
        let bad = DatasetSpec::default().with_cut("age", "ki67", &[1.0], Closed::Right);
        assert!(matches!(
            Dataset::build(&r, &bad),
            Err(SpecError::NameTaken { .. })
        ));
    }

    #[test]
    fn binary_override_of_three_levels_fails_in_words() {
        let r = raw("x\na\nb\nc\na\n");
        let err = Dataset::build(
            &r,
            &DatasetSpec::default().with_kind("x", ColumnKind::Binary),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `x` has 3 different values (`a`, `b`, `c`), so it cannot be yes/no"
        );
    }

    #[test]
    fn row_order_does_not_change_kinds_or_counts() {
        let a = raw("x,y\n1,a\n2.5,b\n,a\n3,c\n");
        let b = raw("x,y\n3,c\n,a\n2.5,b\n1,a\n");
        let (da, db) = (
            Dataset::build(&a, &DatasetSpec::default()).unwrap(),
            Dataset::build(&b, &DatasetSpec::default()).unwrap(),
        );
        let strip = |d: &Dataset| {
            d.summaries()
                .into_iter()
                .map(|s| (s.name, s.kind, s.missing, s.levels, s.min, s.max))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&da), strip(&db));
    }
}

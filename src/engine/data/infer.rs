//! Column kind inference as a lattice (as xsv's `FieldType::merge`): every
//! cell has a type, `Null < Integer < Float < Text`, and a column's type is
//! the join of its cells' types, so the result does not depend on row order.
//! Kinds are then suggested from the type and the distinct values; the user
//! can override every suggestion.

use super::hash::FastMap;
use crate::engine::Code;

use serde::{Deserialize, Serialize};

use super::{ColumnKind, RawTable, TextColumn};
use crate::engine::Diagnostic;

/// The type of a cell, ordered as a lattice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Null,
    Integer,
    Float,
    Text,
}

impl FieldType {
    /// The least upper bound of two types.
    pub fn merge(self, other: FieldType) -> FieldType {
        self.max(other)
    }
}

/// At most this many distinct values are tracked per column.
const DISTINCT_CAP: usize = 1000;
/// At most this many levels for a text column to be suggested categorical.
const MAX_SUGGESTED_LEVELS: usize = 30;

/// What inference found in one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInference {
    pub name: String,
    pub field_type: FieldType,
    pub suggested: ColumnKind,
    pub n_missing: usize,
    pub n_numeric: usize,
    pub n_text: usize,
    /// The first cell that is not a number: (spreadsheet row, text).
    pub first_text: Option<(usize, String)>,
    /// Distinct non-missing values, `None` past 1000.
    pub n_distinct: Option<usize>,
}

/// Parses a number cell: `12`, `-3.5`, `1e-3`, and with `decimal_comma`
/// also `12,5`. Rejects `inf`, `NaN`, thousands separators and units.
pub fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    let s = trimmed(s);
    if let Some(x) = plain_decimal(s.as_bytes()) {
        return Some(x);
    }
    let b = s.as_bytes();
    if b.is_empty() || !b.iter().any(u8::is_ascii_digit) {
        return None;
    }
    let ok = b
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'e' | b'E' | b','));
    if !ok {
        return None;
    }
    if s.contains(',') {
        if !decimal_comma || s.contains('.') || s.matches(',').count() > 1 {
            return None;
        }
        return s
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite());
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Exact powers of ten (all exactly representable as `f64`).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The common cell `52`, `-3.25`, `.5`: an optional sign, at most 15
/// digits and at most one point, no exponent. Its digits as an integer
/// below 2^53 and a power of ten up to 10^15 are both exact, and IEEE
/// division rounds correctly, so `int / 10^k` is the correctly rounded
/// value that `str::parse` gives (Clinger's fast path), without its
/// general algorithm. Anything else is `None` and goes the long way.
fn plain_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (mut int, mut n, mut frac, mut point) = (0u64, 0usize, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                int = int * 10 + u64::from(c - b'0');
                n += 1;
                frac += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if n == 0 || n > 15 {
        return None;
    }
    let x = int as f64 / POW10[frac];
    Some(if negative { -x } else { x })
}

/// Whether a cell is an integer `str::parse::<i64>` accepts, from its
/// bytes (an optional sign, then 1 to 18 digits).
fn is_integer(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = match b.first() {
        Some(b'-' | b'+') => &b[1..],
        _ => b,
    };
    if digits.is_empty() {
        return false;
    }
    if digits.len() > 18 {
        return s.parse::<i64>().is_ok();
    }
    digits.iter().all(u8::is_ascii_digit)
}

/// `s.trim()`, without the Unicode scan when both ends are plain ASCII
/// (every cell, read already trimmed, passes here several times).
pub(crate) fn trimmed(s: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_whitespace());
    let b = s.as_bytes();
    if plain(b.first()) && plain(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// Whether a cell is missing under the given tokens (trimmed already:
/// see [`trim_tokens`]).
pub(crate) fn is_missing(cell: &str, tokens: &[String]) -> bool {
    let c = trimmed(cell);
    // A token shorter than the cell cannot match it (checked first: this
    // runs for every cell, twice).
    c.is_empty()
        || tokens
            .iter()
            .any(|t| t.len() >= c.len() && t.eq_ignore_ascii_case(c))
}

/// The missing-value tokens as cells are compared with them: trimmed once,
/// not for every cell.
pub(crate) fn trim_tokens(tokens: &[String]) -> Vec<String> {
    tokens.iter().map(|t| t.trim().to_owned()).collect()
}

/// Infers every column of a table.
pub fn infer_columns(raw: &RawTable, missing_tokens: &[String]) -> Vec<ColumnInference> {
    let comma = raw.format.decimal_comma();
    let missing_tokens = &trim_tokens(missing_tokens);
    raw.headers
        .iter()
        .zip(&raw.cells)
        .map(|(name, cells)| infer_one(name, cells, &raw.row_numbers, missing_tokens, comma).0)
        .collect()
}

/// A column's cells as indices into its distinct cell texts (in the order
/// first seen); a missing cell is `u32::MAX`.
pub(crate) struct DistinctCells<'a> {
    pub ids: Vec<u32>,
    pub texts: Vec<&'a str>,
}

/// Infers one column; when every present cell is a number, also returns
/// the numbers (`NaN` for missing), so typing need not parse them again;
/// when the column has at most [`DISTINCT_CAP`] distinct texts, also each
/// cell's distinct text, so coding levels need not look each cell up again.
pub(crate) fn infer_one<'a>(
    name: &str,
    cells: &'a TextColumn,
    row_numbers: &[usize],
    tokens: &[String],
    comma: bool,
) -> (ColumnInference, Option<Vec<f64>>, Option<DistinctCells<'a>>) {
    let mut numbers: Vec<f64> = Vec::with_capacity(cells.len());
    let mut all_numbers = true;
    let mut field_type = FieldType::Null;
    let (mut n_missing, mut n_numeric, mut n_text) = (0, 0, 0);
    let mut first_text = None;
    let mut distinct: FastMap<&str, u32> = FastMap::default();
    let mut ids: Vec<u32> = Vec::with_capacity(cells.len());
    let mut texts: Vec<&str> = Vec::new();
    let mut capped = false;
    let mut zero_one = true;
    for (i, cell) in cells.iter().enumerate() {
        if is_missing(cell, tokens) {
            n_missing += 1;
            if all_numbers {
                numbers.push(f64::NAN);
            }
            if !capped {
                ids.push(u32::MAX);
            }
            continue;
        }
        let number = parse_number(cell, comma);
        match number {
            Some(x) if all_numbers => numbers.push(x),
            Some(_) => {}
            None => {
                all_numbers = false;
                numbers = Vec::new();
            }
        }
        let t = match number {
            Some(_) if is_integer(trimmed(cell)) => FieldType::Integer,
            Some(_) => FieldType::Float,
            None => FieldType::Text,
        };
        field_type = field_type.merge(t);
        if t == FieldType::Text {
            n_text += 1;
            if first_text.is_none() {
                first_text = Some((
                    row_numbers.get(i).copied().unwrap_or(i + 2),
                    cell.to_owned(),
                ));
            }
        } else {
            n_numeric += 1;
            zero_one &= matches!(number, Some(v) if v == 0.0 || v == 1.0);
        }
        if !capped {
            let id = match distinct.get(cell) {
                Some(&id) => id,
                None => {
                    let id = texts.len() as u32;
                    distinct.insert(cell, id);
                    texts.push(cell);
                    id
                }
            };
            ids.push(id);
            if texts.len() > DISTINCT_CAP {
                capped = true;
                ids = Vec::new();
            }
        }
    }
    let n_distinct = (!capped).then_some(distinct.len());
    let n_present = n_numeric + n_text;
    let suggested = match field_type {
        FieldType::Null => ColumnKind::Text,
        FieldType::Integer | FieldType::Float if zero_one => ColumnKind::Binary,
        FieldType::Integer | FieldType::Float => ColumnKind::Numeric,
        FieldType::Text => match n_distinct {
            Some(2) | Some(1) => ColumnKind::Binary,
            Some(d) if d <= MAX_SUGGESTED_LEVELS && d * 2 <= n_present => ColumnKind::Categorical,
            _ => ColumnKind::Text,
        },
    };
    let inference = ColumnInference {
        name: name.to_owned(),
        field_type,
        suggested,
        n_missing,
        n_numeric,
        n_text,
        first_text,
        n_distinct,
    };
    let cells = (!capped).then_some(DistinctCells { ids, texts });
    (inference, all_numbers.then_some(numbers), cells)
}

impl ColumnInference {
    /// Warnings worth showing about this column.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let name = Some(self.name.as_str());
        if self.field_type == FieldType::Null {
            out.push(
                Diagnostic::warning(
                    Code::EmptyColumn,
                    name,
                    format!("column `{}` has no values", self.name),
                )
                .with_hint("It is kept as text and left out of the analyses."),
            );
        }
        // A numeric-looking column with a few text cells: most likely a typo
        // or a unit ("12,5%", "<5") that the user should see.
        if let Some((row, text)) = &self.first_text {
            let present = self.n_numeric + self.n_text;
            if self.n_numeric * 10 >= present * 8 && present > 0 {
                out.push(
                    Diagnostic::warning(Code::TextInNumericColumn,
                        name,
                        format!(
                            "column `{}` looks numeric ({} of {} values are numbers), but row {row} has text `{text}`{}",
                            self.name,
                            self.n_numeric,
                            present,
                            if self.n_text > 1 {
                                format!(" and {} more cells are not numbers", self.n_text - 1)
                            } else {
                                String::new()
                            }
                        ),
                    )
                    .with_hint(format!(
                        "Fix those cells, or add `{text}` to the missing-value tokens; until then the column is read as {}.",
                        self.suggested
                    )),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_point_or_comma() {
        assert_eq!(parse_number("12", false), Some(12.0));
        assert_eq!(parse_number(" -3.5 ", false), Some(-3.5));
        assert_eq!(parse_number("1e-3", false), Some(0.001));
        assert_eq!(parse_number("12,5", false), None);
        assert_eq!(parse_number("12,5", true), Some(12.5));
        assert_eq!(parse_number("1,234.5", true), None);
        for bad in ["inf", "NaN", "12%", "<5", "1.2.3", "-", "e", "", "1 000"] {
            assert_eq!(parse_number(bad, true), None, "{bad}");
        }
    }

    #[test]
    fn the_fast_path_equals_the_standard_parser() {
        let mut rng = crate::engine::rng::Rng::seed_from_u64(3);
        let mut cells: Vec<String> = [
            "0",
            "-0",
            "+7",
            "5.",
            ".5",
            "-.5",
            "0.1",
            "0.30000000000000004",
            "123456789012345",
            "999999999999999.",
            "1.000000000000001",
            "52.3",
            "-3.25",
            "000123",
            "1e3",
            "1.2.3",
        ]
        .map(String::from)
        .to_vec();
        for _ in 0..20_000 {
            let digits = 1 + rng.below(17) as usize;
            let point = rng.below(digits as u64 + 2) as usize;
            let mut c: String = (0..digits)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect();
            if point <= digits {
                c.insert(point, '.');
            }
            if rng.uniform() < 0.3 {
                c.insert(0, '-');
            }
            cells.push(c);
        }
        for c in &cells {
            let standard = c.parse::<f64>().ok().filter(|v| v.is_finite());
            let fast = parse_number(c, false);
            assert_eq!(
                fast.map(f64::to_bits),
                standard.map(f64::to_bits),
                "{c}: {fast:?} vs {standard:?}"
            );
            assert_eq!(is_integer(c), c.parse::<i64>().is_ok(), "{c}");
        }
    }

    #[test]
    fn lattice_merge_is_order_independent() {
        use FieldType::*;
        let all = [Null, Integer, Float, Text];
        for a in all {
            for b in all {
                assert_eq!(a.merge(b), b.merge(a));
                assert_eq!(a.merge(Null), a);
                assert_eq!(a.merge(Text), Text);
            }
        }
        assert_eq!(Integer.merge(Float), Float);
    }

    #[test]
    fn missing_tokens_case_insensitive() {
        let t: Vec<String> = super::super::DEFAULT_MISSING_TOKENS
            .iter()
            .map(|s| s.to_string())
            .collect();
        for m in ["", " ", "NA", "na", "n/a", ".", "nan", "NULL", "-"] {
            assert!(is_missing(m, &t), "{m}");
        }
        for p in ["0", "-1", "No", "none"] {
            assert!(!is_missing(p, &t), "{p}");
        }
    }
}

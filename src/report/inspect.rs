//! The column overview: what `cohortlab inspect` prints and the page's data
//! view shows.

use serde::{Deserialize, Serialize};

use crate::engine::data::{ColumnSummary, Dataset, FileFormat, LevelCount};
use crate::engine::Diagnostic;

/// The overview of a loaded file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub format: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<String>,
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Inspection {
    pub fn new(format: &FileFormat, dataset: &Dataset) -> Self {
        Self {
            format: format.describe(),
            sheets: match format {
                FileFormat::Spreadsheet { sheets, .. } => sheets.clone(),
                FileFormat::Delimited { .. } => Vec::new(),
            },
            rows: dataset.n_rows,
            columns: dataset.summaries(),
            diagnostics: dataset.diagnostics.clone(),
        }
    }

    /// A plain-text table for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} patients, {} columns ({})\n",
            self.rows,
            self.columns.len(),
            self.format
        );
        if !self.sheets.is_empty() {
            out.push_str(&format!("sheets: {}\n", self.sheets.join(", ")));
        }
        // Names are padded by hand, to at most MAX_NAME_WIDTH characters
        // (a format width over 65,535 panics; longer names are printed whole).
        let width = self
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(6, MAX_NAME_WIDTH);
        out.push_str(&format!(
            "\n{}  {:11}  {:>7}  {}\n",
            pad("column", width),
            "kind",
            "missing",
            "levels or range"
        ));
        for c in &self.columns {
            out.push_str(&format!(
                "{}  {:11}  {:>7}  {}\n",
                pad(&c.name, width),
                c.kind.as_str(),
                c.missing,
                describe_values(c)
            ));
        }
        if !self.diagnostics.is_empty() {
            out.push('\n');
            for d in &self.diagnostics {
                out.push_str(&format!("note: {}\n", d.message));
                if let Some(h) = &d.hint {
                    out.push_str(&format!("      {h}\n"));
                }
            }
        }
        out
    }
}

/// The widest name column of [`Inspection::to_text`].
const MAX_NAME_WIDTH: usize = 60;

/// `s` followed by spaces up to `width` characters.
fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = String::with_capacity(s.len() + width.saturating_sub(n));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(n)));
    out
}

/// "T1 (165), T2 (678) ..." or "25 to 78, mean 51.2" or "1049 distinct".
pub fn describe_values(c: &ColumnSummary) -> String {
    if let Some(levels) = &c.levels {
        let shown: Vec<String> = levels
            .iter()
            .map(|LevelCount { level, count }| {
                let r = if c.reference.as_deref() == Some(level.as_str()) {
                    " ref"
                } else {
                    ""
                };
                format!("{level} ({count}{r})")
            })
            .collect();
        return shown.join(", ");
    }
    if let (Some(min), Some(max)) = (c.min, c.max) {
        return format!(
            "{} to {}, mean {}",
            fmt_short(min),
            fmt_short(max),
            fmt_short(c.mean.unwrap_or(f64::NAN))
        );
    }
    match c.distinct {
        Some(d) => format!("{d} distinct"),
        None => "no values".into(),
    }
}

/// A number with at most 4 significant decimals, no trailing zeros.
pub fn fmt_short(x: f64) -> String {
    if x.is_nan() {
        return "NA".into();
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_owned()
    }
}

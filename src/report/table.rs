//! A rendered table (header, rows, footnotes) and its text, TSV and CSV
//! forms: what the page shows, the copy button puts on the clipboard, and
//! the CLI prints and writes.

use serde::{Deserialize, Serialize};

/// How a row is styled: a variable's heading, a level under it, a plain row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStyle {
    Variable,
    Level,
    Plain,
}

/// A table ready to show or export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportTable {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<(RowStyle, Vec<String>)>,
    pub footnotes: Vec<String>,
}

// Every field through the one CSV writer (formula cells neutralised).
use super::csv::csv_field;

impl ReportTable {
    fn cells(&self, row: &(RowStyle, Vec<String>)) -> Vec<String> {
        let mut cells = row.1.clone();
        if row.0 == RowStyle::Level {
            if let Some(first) = cells.first_mut() {
                *first = format!("  {first}");
            }
        }
        cells
    }

    /// An HTML table (caption, header, rows, notes) that Word and Excel
    /// open with its layout: three-line style, levels indented.
    pub fn to_html(&self) -> String {
        use super::html::escape as esc;
        let mut h = format!(
            "<table>\n<caption>{}</caption>\n<thead><tr>",
            esc(&self.title)
        );
        for c in &self.header {
            h.push_str(&format!("<th>{}</th>", esc(c)));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (style, cells) in &self.rows {
            let class = match style {
                RowStyle::Variable => " class=\"variable\"",
                RowStyle::Level => " class=\"level\"",
                RowStyle::Plain => "",
            };
            h.push_str(&format!("<tr{class}>"));
            for c in cells {
                h.push_str(&format!("<td>{}</td>", esc(c)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
        for f in &self.footnotes {
            h.push_str(&format!("<p class=\"note\">{}</p>\n", esc(f)));
        }
        h
    }

    /// [`Self::to_html`] as a file of its own (inline styles Word keeps).
    pub fn to_html_document(&self) -> String {
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:Arial,sans-serif;font-size:10pt}}table{{border-collapse:collapse}}caption{{text-align:left;font-weight:bold}}th,td{{border-top:1px solid #000;border-bottom:1px solid #000;padding:2pt 6pt;text-align:left}}tr.level td:first-child{{padding-left:14pt}}tr.variable td:first-child{{font-weight:bold}}.note{{font-size:8pt}}</style></head><body>\n{}</body></html>\n",
            self.title.replace('<', "&lt;"),
            self.to_html()
        )
    }

    /// Tab-separated, for pasting into Word or Excel.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        out.push_str(&self.header.join("\t"));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&self.cells(r).join("\t"));
            out.push('\n');
        }
        for f in &self.footnotes {
            out.push_str(f);
            out.push('\n');
        }
        out
    }

    /// RFC 4180 CSV (footnotes left out), cells that a spreadsheet would
    /// run as formulas neutralised ([`super::csv::csv_field`]).
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = line(&self.header);
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(&self.cells(r)));
            out.push('\n');
        }
        out
    }

    /// Aligned plain text for the terminal.
    pub fn to_text(&self) -> String {
        let all: Vec<Vec<String>> = std::iter::once(self.header.clone())
            .chain(self.rows.iter().map(|r| self.cells(r)))
            .collect();
        let ncol = self.header.len();
        let widths: Vec<usize> = (0..ncol)
            .map(|j| {
                all.iter()
                    .map(|r| r.get(j).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = format!("{}\n", self.title);
        for (i, r) in all.iter().enumerate() {
            let line: Vec<String> = (0..ncol)
                .map(|j| {
                    let c = r.get(j).map_or("", String::as_str);
                    let pad = widths[j] - c.chars().count();
                    if j == 0 {
                        format!("{c}{}", " ".repeat(pad))
                    } else {
                        format!("{}{c}", " ".repeat(pad))
                    }
                })
                .collect();
            out.push_str(line.join("  ").trim_end());
            out.push('\n');
            if i == 0 {
                out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (ncol - 1)));
                out.push('\n');
            }
        }
        for f in &self.footnotes {
            out.push_str(f);
            out.push('\n');
        }
        out
    }
}

/// P values as journals print them: `< 0.001`, else three decimals.
pub fn fmt_p(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_nan() => String::new(),
        Some(p) if p < 0.001 => "< 0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => String::new(),
    }
}

/// The most decimals any number is printed with (a format precision over
/// 65,535 panics; past 17 an `f64` has no more digits to show).
pub const MAX_DECIMALS: usize = 17;

/// A number with `d` decimals, at most [`MAX_DECIMALS`] ("" when missing).
pub fn fmt_num(x: f64, d: usize) -> String {
    let d = d.min(MAX_DECIMALS);
    if x.is_finite() {
        format!("{x:.d$}")
    } else {
        String::new()
    }
}

/// A confidence level as a percentage: "95%", "90%", "97.5%".
pub fn level_label(level: f64) -> String {
    let p = 100.0 * level;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{}%", (p * 1e6).round() / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_levels_read_as_percentages() {
        assert_eq!(level_label(0.95), "95%");
        assert_eq!(level_label(0.9), "90%");
        assert_eq!(level_label(0.975), "97.5%");
    }

    #[test]
    fn p_values_and_csv_quoting() {
        assert_eq!(fmt_p(Some(0.0004)), "< 0.001");
        assert_eq!(fmt_p(Some(0.0496)), "0.050");
        assert_eq!(fmt_p(None), "");
        let t = ReportTable {
            title: "T".into(),
            header: vec!["a".into(), "b".into()],
            rows: vec![(RowStyle::Level, vec!["x, y".into(), "say \"hi\"".into()])],
            footnotes: vec!["note".into()],
        };
        assert_eq!(t.to_csv(), "a,b\n\"  x, y\",\"say \"\"hi\"\"\"\n");
        assert_eq!(t.to_tsv(), "a\tb\n  x, y\tsay \"hi\"\nnote\n");
    }

    #[test]
    fn html_for_word_escapes_and_marks_levels() {
        let t = ReportTable {
            title: "Age < 50 & more".into(),
            header: vec!["Variable".into(), "P".into()],
            rows: vec![
                (RowStyle::Variable, vec!["Subtype".into(), "< 0.001".into()]),
                (RowStyle::Level, vec!["HR+/HER2-".into(), String::new()]),
            ],
            footnotes: vec!["a \"note\"".into()],
        };
        let h = t.to_html();
        assert!(h.contains("<caption>Age &lt; 50 &amp; more</caption>"));
        assert!(h.contains("<tr class=\"variable\"><td>Subtype</td><td>&lt; 0.001</td></tr>"));
        assert!(h.contains("<tr class=\"level\"><td>HR+/HER2-</td><td></td></tr>"));
        assert!(h.contains("<p class=\"note\">a &quot;note&quot;</p>"));
        let doc = t.to_html_document();
        assert!(doc.starts_with("<!DOCTYPE html>") && doc.contains(&h));
    }
}

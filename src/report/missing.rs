//! The missingness report as tables: per variable the missing values
//! overall and by group with the test, and the most frequent patterns.

use super::table::{fmt_p, ReportTable, RowStyle};
use crate::engine::missing::MissingReport;

/// How many patterns the pattern table shows (the most frequent; the rest
/// summed in a footnote).
pub const SHOWN_PATTERNS: usize = 10;

fn count_pct(missing: usize, n: usize) -> String {
    if n == 0 {
        return "0".into();
    }
    format!("{missing} ({:.1}%)", 100.0 * missing as f64 / n as f64)
}

/// Missing values per variable: overall, per group, and the test.
pub fn missing_table(r: &MissingReport) -> ReportTable {
    let mut header = vec!["Variable".to_owned(), format!("All (n = {})", r.n)];
    if let Some(first) = r.variables.first() {
        for g in &first.by_group {
            header.push(format!("{} (n = {})", g.group, g.n));
        }
    }
    let grouped = !r.groups.is_empty();
    if grouped {
        header.push("P".into());
        header.push("Test".into());
    }
    let rows = r
        .variables
        .iter()
        .map(|v| {
            let mut cells = vec![v.variable.clone(), count_pct(v.missing, r.n)];
            cells.extend(v.by_group.iter().map(|g| count_pct(g.missing, g.n)));
            if grouped {
                cells.push(fmt_p(v.test.as_ref().map(|t| t.p_value)));
                cells.push(
                    v.test
                        .as_ref()
                        .map_or(String::new(), |t| t.test.short().to_owned()),
                );
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    let mut footnotes = vec![format!(
        "Missing values, n (%). Complete on every variable listed: {}.",
        count_pct(r.complete, r.n)
    )];
    if let Some(g) = &r.group {
        footnotes.push(format!(
            "P: whether missingness differs between the groups of `{g}` (Pearson's chi-square; Fisher's exact test when an expected count is below 5)."
        ));
        if r.no_group > 0 {
            footnotes.push(format!(
                "{} patient(s) with no value of `{g}` are counted under All only.",
                r.no_group
            ));
        }
    }
    ReportTable {
        title: "Missing values".into(),
        header,
        rows,
        footnotes,
    }
}

/// The most frequent patterns of missing values, in `md.pattern`'s
/// column order: one row per pattern, "+" observed, "-" missing.
pub fn pattern_table(r: &MissingReport) -> ReportTable {
    let mut header = vec!["Patients".to_owned()];
    header.extend(r.pattern_columns.iter().cloned());
    header.push("Missing".into());
    let mut by_count: Vec<usize> = (0..r.patterns.len()).collect();
    by_count.sort_by(|&a, &b| {
        r.patterns[b]
            .count
            .cmp(&r.patterns[a].count)
            .then(a.cmp(&b))
    });
    let mut shown: Vec<usize> = by_count.iter().copied().take(SHOWN_PATTERNS).collect();
    // In md.pattern's order.
    shown.sort_unstable();
    let rows = shown
        .iter()
        .map(|&k| {
            let p = &r.patterns[k];
            let mut cells = vec![p.count.to_string()];
            cells.extend(
                p.observed
                    .iter()
                    .map(|&o| if o { "+" } else { "-" }.to_owned()),
            );
            cells.push(p.n_missing.to_string());
            (RowStyle::Plain, cells)
        })
        .collect();
    let mut footnotes =
        vec!["+ observed, - missing; columns ordered by their number of missing values, rows as mice's md.pattern.".to_owned()];
    let rest: usize = by_count
        .iter()
        .skip(SHOWN_PATTERNS)
        .map(|&k| r.patterns[k].count)
        .sum();
    if by_count.len() > SHOWN_PATTERNS {
        footnotes.push(format!(
            "{} other pattern(s), {rest} patient(s), not shown.",
            by_count.len() - SHOWN_PATTERNS
        ));
    }
    ReportTable {
        title: "Patterns of missing values".into(),
        header,
        rows,
        footnotes,
    }
}

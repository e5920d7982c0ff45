//! Matching results rendered: MatchIt's sample-size table, the balance
//! table, and the matched dataset as CSV (`match.data`).

use super::table::{fmt_num, ReportTable, RowStyle};
use crate::engine::data::RawTable;
use crate::engine::matching::{BalanceRow, MatchResult};

// Every field through the one CSV writer (formula cells neutralised).
use super::csv::csv_field;

/// The matched patients with all their original columns (as in the file)
/// plus `distance`, `weights` and `subclass`, as MatchIt's `match.data`.
pub fn matched_csv(raw: &RawTable, m: &MatchResult) -> String {
    let mut out = String::new();
    let header: Vec<String> = raw
        .headers
        .iter()
        .map(|h| csv_field(h))
        .chain(["distance".into(), "weights".into(), "subclass".into()])
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in 0..raw.n_rows() {
        if !m.is_matched(row) {
            continue;
        }
        let mut cells: Vec<String> = raw.cells.iter().map(|c| csv_field(c.get(row))).collect();
        cells.push(m.distance[row].to_string());
        cells.push(m.weights[row].to_string());
        cells.push(m.subclass[row].map_or(String::new(), |s| s.to_string()));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Sample sizes: all, matched, unmatched, discarded, by group.
pub fn counts_table(c: &crate::engine::matching::SampleSizes) -> ReportTable {
    let row = |label: &str, g: crate::engine::matching::GroupCounts| {
        (
            RowStyle::Plain,
            vec![
                label.to_string(),
                g.control.to_string(),
                g.treated.to_string(),
            ],
        )
    };
    ReportTable {
        title: "Sample sizes".into(),
        header: vec![String::new(), "Control".into(), "Treated".into()],
        rows: vec![
            row("All", c.all),
            row("Matched", c.matched),
            row("Unmatched", c.unmatched),
            row("Discarded (missing values)", c.discarded),
        ],
        footnotes: Vec::new(),
    }
}

/// The balance table: means and SMD before and after, variance ratio and
/// eCDF max after.
pub fn balance_table(rows: &[BalanceRow]) -> ReportTable {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| fmt_num(x, 2));
    ReportTable {
        title: "Covariate balance before and after matching".into(),
        header: vec![
            "Covariate".into(),
            "Mean treated (before)".into(),
            "Mean control (before)".into(),
            "SMD (before)".into(),
            "Mean treated (after)".into(),
            "Mean control (after)".into(),
            "SMD (after)".into(),
            "Variance ratio (after)".into(),
            "eCDF max (after)".into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                (
                    RowStyle::Plain,
                    vec![
                        r.term.clone(),
                        fmt_num(r.before.mean_treated, 3),
                        fmt_num(r.before.mean_control, 3),
                        super::table1::fmt_smd(r.before.smd),
                        fmt_num(r.after.mean_treated, 3),
                        fmt_num(r.after.mean_control, 3),
                        super::table1::fmt_smd(r.after.smd),
                        opt(r.after.var_ratio),
                        fmt_num(r.after.ecdf_max, 3),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            "SMD: difference in means over the SD of the treated patients before matching (MatchIt's convention for the ATT); means after matching use the matching weights. |SMD| < 0.1 is commonly taken as balanced.".into(),
            "For binary covariates the mean is the proportion; variance ratios are for continuous covariates.".into(),
        ],
    }
}

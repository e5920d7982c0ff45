//! Weighting results rendered: the weights by group, the balance table
//! before and after weighting, the weighted outcomes, and every patient
//! with its score and weight as CSV.

use super::csv::csv_field;
use super::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};
use super::table1::fmt_smd;
use crate::engine::data::RawTable;
use crate::engine::weighting::{GroupWeights, WeightResult, WeightedBalance, WeightedOutcome};

/// Every patient with all the original columns (as in the file) plus `ps`
/// (empty when not in the model) and `weights` (0 when left out).
pub fn weighted_csv(raw: &RawTable, w: &WeightResult) -> String {
    let mut out = String::new();
    let header: Vec<String> = raw
        .headers
        .iter()
        .map(|h| csv_field(h))
        .chain(["ps".into(), "weights".into()])
        .collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in 0..raw.n_rows() {
        let mut cells: Vec<String> = raw.cells.iter().map(|c| csv_field(c.get(row))).collect();
        let ps = w.ps.get(row).copied().unwrap_or(f64::NAN);
        cells.push(if ps.is_nan() {
            String::new()
        } else {
            ps.to_string()
        });
        cells.push(w.weights.get(row).copied().unwrap_or(0.0).to_string());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The weights by group: patients, min, max, mean, sum, ESS; and what
/// trimming and truncation did.
pub fn weights_table(w: &WeightResult) -> ReportTable {
    let row = |label: &str, g: &GroupWeights| {
        (
            RowStyle::Plain,
            vec![
                label.to_string(),
                g.n.to_string(),
                fmt_num(g.min, 3),
                fmt_num(g.max, 3),
                fmt_num(g.mean, 3),
                fmt_num(g.sum, 1),
                fmt_num(g.ess, 1),
            ],
        )
    };
    let o = &w.spec.options;
    let mut footnotes = vec![format!(
        "{}{}. ESS: effective sample size (Σw)²/Σw² (Kish).",
        o.estimand.describe(),
        if o.stabilize { ", stabilised" } else { "" }
    )];
    if let Some(q) = o.trim {
        footnotes.push(format!(
            "Trimmed (score outside [{q}, {}]): {} treated, {} control; the model was not refitted.",
            1.0 - q,
            w.trimmed.treated,
            w.trimmed.control
        ));
    }
    if let Some(p) = o.truncate {
        footnotes.push(format!(
            "Truncated at the {p} quantile of the weights: {} weight(s).",
            w.truncated
        ));
    }
    ReportTable {
        title: "Weights".into(),
        header: ["Group", "n", "Min", "Max", "Mean", "Sum", "ESS"]
            .map(String::from)
            .to_vec(),
        rows: vec![
            row("Treated", &w.treated_weights),
            row("Control", &w.control_weights),
        ],
        footnotes,
    }
}

/// An SMD to three decimals, without the sign of a value that rounds to 0
/// (overlap weights balance the means exactly, up to rounding).
fn smd_cell(x: f64) -> String {
    fmt_smd(if x.abs() < 5e-4 { 0.0 } else { x })
}

/// The balance table: means and SMD before and after weighting, variance
/// ratio and eCDF max after, the SMD's denominator in the footnote.
pub fn weighted_balance_table(b: &WeightedBalance) -> ReportTable {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| fmt_num(x, 2));
    ReportTable {
        title: "Covariate balance before and after weighting".into(),
        header: [
            "Covariate",
            "Mean treated (before)",
            "Mean control (before)",
            "SMD (before)",
            "Mean treated (weighted)",
            "Mean control (weighted)",
            "SMD (weighted)",
            "Variance ratio (weighted)",
            "eCDF max (weighted)",
        ]
        .map(String::from)
        .to_vec(),
        rows: b
            .rows
            .iter()
            .map(|r| {
                (
                    RowStyle::Plain,
                    vec![
                        r.term.clone(),
                        fmt_num(r.before.mean_treated, 3),
                        fmt_num(r.before.mean_control, 3),
                        smd_cell(r.before.smd),
                        fmt_num(r.after.mean_treated, 3),
                        fmt_num(r.after.mean_control, 3),
                        smd_cell(r.after.smd),
                        opt(r.after.var_ratio),
                        fmt_num(r.after.ecdf_max, 3),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            format!(
                "SMD: difference in means over {} ({} SD, cobalt's default for the estimand); binary covariates standardised too.",
                b.denominator.describe(),
                b.denominator.as_str()
            ),
            "For binary covariates the mean is the proportion; variance ratios are for continuous covariates. |SMD| < 0.1 is commonly taken as balanced.".into(),
        ],
    }
}

/// The weighted outcomes: risks by group, RD, RR and OR with their CIs
/// and the OR's P value.
pub fn weighted_outcomes_table(outcomes: &[WeightedOutcome]) -> ReportTable {
    let level = outcomes.first().map_or(String::from("95%"), |o| {
        level_label(o.risk_difference.level)
    });
    let ci = |e: crate::engine::estimate::Estimate, k: f64, d: usize| {
        format!(
            "{} ({} to {})",
            fmt_num(k * e.value, d),
            fmt_num(k * e.lower, d),
            fmt_num(k * e.upper, d)
        )
    };
    ReportTable {
        title: "Weighted outcomes".into(),
        header: vec![
            "Outcome".into(),
            "Risk treated".into(),
            "Risk control".into(),
            format!("Risk difference, points ({level} CI)"),
            format!("Risk ratio ({level} CI)"),
            format!("Odds ratio ({level} CI)"),
            "P".into(),
        ],
        rows: outcomes
            .iter()
            .map(|o| {
                (
                    RowStyle::Plain,
                    vec![
                        format!("{} = {}", o.outcome, o.event_level),
                        format!("{}% (n = {})", fmt_num(100.0 * o.treated.0, 1), o.treated.1),
                        format!("{}% (n = {})", fmt_num(100.0 * o.control.0, 1), o.control.1),
                        ci(o.risk_difference, 100.0, 1),
                        ci(o.risk_ratio, 1.0, 2),
                        ci(o.odds_ratio, 1.0, 2),
                        fmt_p(Some(o.p_value)),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            "Weighted risks; robust (sandwich) SEs and t intervals with n - 2 degrees of freedom, as survey::svyglm. P: the odds ratio's test.".into(),
        ],
    }
}

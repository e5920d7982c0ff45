//! Weighting results rendered: the weights by group, the balance table
//! before, after matching and after weighting, the weighted outcomes, their
//! doubly robust estimates, and
//! every patient with its score and weight as CSV. `cohortlab weight`, the
//! study's report and the page's Sensitivity step show these tables.

use super::csv::csv_field;
use super::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};
use super::table1::fmt_smd;
use crate::engine::data::RawTable;
use crate::engine::matching::BalanceRow;
use crate::engine::study::WeightingSummary;
use crate::engine::weighting::{
    DoublyRobust, Estimand, GroupWeights, WeightResult, WeightedOutcome,
};
use crate::engine::Choice;
use crate::report::study::ci_text;

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

/// "ATE, stabilised, scores trimmed to [0.05, 0.95], weights truncated at
/// the 99th percentile".
pub fn weighting_label(w: &WeightingSummary) -> String {
    let o = &w.options;
    let mut s = o.estimand.key().to_uppercase();
    if o.stabilize {
        s.push_str(", stabilised");
    }
    if let Some(q) = o.trim {
        s.push_str(&format!(
            ", scores trimmed to [{}, {}]",
            fmt_num(q, 3),
            fmt_num(1.0 - q, 3)
        ));
    }
    if let Some(p) = o.truncate {
        s.push_str(&format!(
            ", weights truncated at the {} percentile",
            fmt_num(100.0 * p, 1)
        ));
    }
    s
}

/// The weights by group: how many patients, their range, and the
/// effective sample size.
pub fn weights_table(w: &WeightingSummary) -> ReportTable {
    let row = |name: &str, g: &GroupWeights| {
        (
            RowStyle::Plain,
            vec![
                name.to_string(),
                g.n.to_string(),
                fmt_num(g.min, 3),
                fmt_num(g.mean, 3),
                fmt_num(g.max, 3),
                fmt_num(g.sum, 1),
                fmt_num(g.ess, 1),
            ],
        )
    };
    let mut footnotes = vec![
        format!("{}.", w.options.estimand.describe()),
        "Effective sample size: (Σw)² / Σw² (Kish), as cobalt prints it; far below the number of patients means a few patients carry much of the weight.".into(),
    ];
    if let Some(q) = w.options.trim {
        footnotes.push(format!(
            "Trimmed (score outside [{}, {}]): {} treated, {} control; the model was not refitted.",
            fmt_num(q, 3),
            fmt_num(1.0 - q, 3),
            w.trimmed.treated,
            w.trimmed.control
        ));
    }
    if w.truncated > 0 {
        footnotes.push(format!(
            "Truncation set {} weights to the percentile named (R's quantile type 3, as WeightIt's trim(); for the ATT the controls' weights only).",
            w.truncated
        ));
    }
    if w.infinite > 0 {
        footnotes.push(format!(
            "{} patients with a score of exactly 0 or 1 have no finite weight for this estimand and were left out (weight 0).",
            w.infinite
        ));
    }
    ReportTable {
        title: format!("Weights by group ({})", weighting_label(w)),
        header: vec![
            "Group".into(),
            "Patients".into(),
            "Min".into(),
            "Mean".into(),
            "Max".into(),
            "Sum".into(),
            "Effective sample size".into(),
        ],
        rows: vec![row("Treated", &w.treated), row("Control", &w.control)],
        footnotes,
    }
}

/// An SMD to three decimals, without the sign of a value that rounds to 0
/// (overlap weights balance the means exactly, up to rounding).
fn smd_cell(x: f64) -> String {
    fmt_smd(if x.abs() < 5e-4 { 0.0 } else { x })
}

/// Balance before, after matching (when there is one) and after
/// weighting, per covariate.
pub fn weighted_balance_table(w: &WeightingSummary, matched: Option<&[BalanceRow]>) -> ReportTable {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| fmt_num(x, 2));
    let mut header = vec![
        "Covariate".to_string(),
        "Mean treated (weighted)".into(),
        "Mean control (weighted)".into(),
        "SMD (before)".into(),
    ];
    if matched.is_some() {
        header.push("SMD (matched)".into());
    }
    header.extend([
        "SMD (weighted)".into(),
        "Variance ratio (weighted)".into(),
        "eCDF max (weighted)".into(),
    ]);
    let rows = w
        .balance
        .iter()
        .map(|r| {
            let mut cells = vec![
                r.term.clone(),
                fmt_num(r.after.mean_treated, 3),
                fmt_num(r.after.mean_control, 3),
                smd_cell(r.before.smd),
            ];
            if let Some(m) = matched {
                cells.push(
                    m.iter()
                        .find(|x| x.term == r.term)
                        .map_or(String::new(), |x| smd_cell(x.after.smd)),
                );
            }
            cells.extend([
                smd_cell(r.after.smd),
                opt(r.after.var_ratio),
                fmt_num(r.after.ecdf_max, 3),
            ]);
            (RowStyle::Plain, cells)
        })
        .collect();
    let mut footnotes = vec![format!(
        "SMD before and after weighting: the difference in (weighted) means over {}, cobalt's default for the {}; binary covariates are standardised too (the mean of a binary covariate is its proportion). |SMD| < 0.1 is commonly taken as balanced. Largest |SMD|: {} before, {} after weighting.",
        w.denominator.describe(),
        w.options.estimand.key().to_uppercase(),
        fmt_num(w.max_smd_before, 3),
        fmt_num(w.max_smd_after, 3),
    )];
    if matched.is_some() {
        footnotes.push("SMD (matched): as the matching's balance table, over the SD of the treated patients before matching (MatchIt's convention for the ATT).".into());
    }
    ReportTable {
        title: format!("Covariate balance after weighting ({})", weighting_label(w)),
        header,
        rows,
        footnotes,
    }
}

/// Each binary outcome weighted: risks, difference, RR and OR.
pub fn weighted_outcomes_table(
    rows: &[WeightedOutcome],
    w: Option<&WeightingSummary>,
    level: f64,
) -> ReportTable {
    let ci = level_label(level);
    let risk = |(p, n): (f64, usize)| format!("{}% ({n})", fmt_num(100.0 * p, 1));
    ReportTable {
        title: format!(
            "Outcomes after weighting ({})",
            w.map_or(String::new(), weighting_label)
        ),
        header: vec![
            "Outcome".into(),
            "Treated, weighted risk (patients)".into(),
            "Control, weighted risk (patients)".into(),
            format!("Difference, points ({ci} CI)"),
            format!("RR ({ci} CI)"),
            format!("OR ({ci} CI)"),
            "P".into(),
        ],
        rows: rows
            .iter()
            .map(|o| {
                (
                    RowStyle::Plain,
                    vec![
                        format!("{} = {}", o.outcome, o.event_level),
                        risk(o.treated),
                        risk(o.control),
                        ci_text(Some(o.risk_difference), 100.0, 1),
                        ci_text(Some(o.risk_ratio), 1.0, 2),
                        ci_text(Some(o.odds_ratio), 1.0, 2),
                        fmt_p(Some(o.p_value)),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            "Weighted risks: the weighted proportions with the outcome. Difference, RR and OR: treated against control from survey-weighted generalised linear models of the outcome on the group (identity, log and logit links), with robust (sandwich) standard errors and t intervals with n - 2 degrees of freedom, as R's survey::svyglm gives them; P is the OR's.".into(),
        ],
    }
}

/// The population a doubly robust estimate is averaged over, in words.
fn target_text(d: &DoublyRobust) -> String {
    let who = match d.estimand {
        Estimand::Att => "the treated patients",
        _ => "every patient with a weight",
    };
    let how = if d.weighted_average {
        "averaged with their weights"
    } else {
        "a plain mean"
    };
    format!("{who} ({how})")
}

/// Each binary outcome's doubly robust estimate: the marginal risks with
/// every patient of the target population treated and untreated, their
/// difference and ratio.
pub fn doubly_robust_table(
    rows: &[DoublyRobust],
    w: Option<&WeightingSummary>,
    level: f64,
) -> ReportTable {
    let ci = level_label(level);
    let mut targets: Vec<String> = rows.iter().map(target_text).collect();
    targets.dedup();
    ReportTable {
        title: format!(
            "Doubly robust estimates: weighted outcome model with the covariates, then g-computation ({})",
            w.map_or(String::new(), weighting_label)
        ),
        header: vec![
            "Outcome".into(),
            format!("Risk if all treated, % ({ci} CI)"),
            format!("Risk if none treated, % ({ci} CI)"),
            format!("Difference, points ({ci} CI)"),
            format!("RR ({ci} CI)"),
            "P".into(),
            "Patients (averaged over)".into(),
        ],
        rows: rows
            .iter()
            .map(|d| {
                (
                    RowStyle::Plain,
                    vec![
                        format!("{} = {}", d.outcome, d.event_level),
                        ci_text(Some(d.risk_treated), 100.0, 1),
                        ci_text(Some(d.risk_control), 100.0, 1),
                        ci_text(Some(d.risk_difference), 100.0, 1),
                        ci_text(Some(d.risk_ratio), 1.0, 2),
                        fmt_p(Some(d.p_value)),
                        format!("{} ({})", d.n_treated + d.n_control, d.n_target),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            "Doubly robust estimate: a logistic model of the outcome on the group and the propensity model's covariates, fitted with the weights (as R's survey::svyglm with a quasibinomial family); each patient's risk is then predicted as if treated and as if not, and averaged (g-computation, as WeightIt's vignette does with marginaleffects::avg_comparisons). It is consistent if either the propensity model or the outcome model is right (Funk et al. 2011).".into(),
            format!(
                "Averaged over: {}. Patients: those in the outcome model (weight above 0, outcome known), then those averaged over.",
                targets.join("; ")
            ),
            "Standard errors by the delta method from the model's robust (sandwich) variance, as svyglm's, which treats the weights as fixed (the estimation of the propensity score is ignored); normal-quantile intervals (the RR's on the log scale) and a z test of the difference, as marginaleffects gives them.".into(),
        ],
    }
}

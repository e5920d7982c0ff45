//! The sensitivity step's tables.

use crate::engine::estimate::Estimate;
use crate::engine::matching::BalanceRow;
use crate::engine::sensitivity::{EffectMeasure, RosenbaumResult};
use crate::engine::study::{SensitivityResults, WeightingSummary, COMMON_OUTCOME};
use crate::engine::weighting::{GroupWeights, WeightedOutcome};
use crate::engine::Choice;
use crate::report::study::ci_text;
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};
use crate::report::table1::fmt_smd;

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
        format!("{}: {}", w.options.estimand.key().to_uppercase(), w.options.estimand.describe()),
        "Effective sample size: (Σw)² / Σw² (Kish), as cobalt prints it; far below the number of patients means a few patients carry much of the weight.".into(),
    ];
    if w.trimmed.treated + w.trimmed.control > 0 {
        footnotes.push(format!(
            "Trimming left out {} treated and {} control patients whose score was outside the range kept (weights 0; the model was not refitted).",
            w.trimmed.treated, w.trimmed.control
        ));
    }
    if w.truncated > 0 {
        footnotes.push(format!(
            "Truncation set {} weights to the percentile named.",
            w.truncated
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

/// Balance before, after matching and after weighting, per covariate.
pub fn weighted_balance_table(w: &WeightingSummary, matched: Option<&[BalanceRow]>) -> ReportTable {
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| fmt_num(x, 2));
    let mut header = vec!["Covariate".to_string(), "SMD (before)".into()];
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
            let mut cells = vec![r.term.clone(), fmt_smd(r.before.smd)];
            if let Some(m) = matched {
                cells.push(
                    m.iter()
                        .find(|x| x.term == r.term)
                        .map_or(String::new(), |x| fmt_smd(x.after.smd)),
                );
            }
            cells.extend([
                fmt_smd(r.after.smd),
                opt(r.after.var_ratio),
                fmt_num(r.after.ecdf_max, 3),
            ]);
            (RowStyle::Plain, cells)
        })
        .collect();
    let mut footnotes = vec![format!(
        "SMD before and after weighting: the difference in (weighted) means over {} before weighting, cobalt's default for the {}; binary covariates are standardised too. |SMD| < 0.1 is commonly taken as balanced. Largest |SMD|: {} before, {} after weighting.",
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
            "Weighted risks: the weighted proportions with the outcome. Difference, RR and OR: treated against control from survey-weighted generalised linear models of the outcome on the group (identity, log and logit links), with robust (sandwich) standard errors as R's survey::svyglm gives them; P is the OR's.".into(),
        ],
    }
}

fn measure_label(m: EffectMeasure, common: bool) -> String {
    let name = m.key().to_uppercase();
    match (m, common) {
        (EffectMeasure::Rr, _) => name,
        (_, false) => format!("{name} (rare outcome: taken as an RR)"),
        (EffectMeasure::Or, true) => format!("{name} (common outcome: √OR as the RR)"),
        (EffectMeasure::Hr, true) => format!("{name} (common outcome: converted to an RR)"),
    }
}

/// The matched and weighted estimates side by side, with their E-values.
pub fn estimates_table(s: &SensitivityResults, level: f64) -> ReportTable {
    let ci = level_label(level);
    ReportTable {
        title: "Matched and weighted estimates, with E-values".into(),
        header: vec![
            "Analysis".into(),
            "Outcome or term".into(),
            "Measure".into(),
            format!("Estimate ({ci} CI)"),
            "E-value (estimate)".into(),
            "E-value (CI limit closer to 1)".into(),
        ],
        rows: s
            .e_values
            .iter()
            .map(|r| {
                let e = &r.e_value;
                let est = Estimate {
                    value: e.estimate,
                    lower: e.lower.unwrap_or(f64::NAN),
                    upper: e.upper.unwrap_or(f64::NAN),
                    level,
                };
                (
                    RowStyle::Plain,
                    vec![
                        r.analysis.clone(),
                        r.what.clone(),
                        measure_label(e.measure, e.common),
                        ci_text(Some(est), 1.0, 2),
                        fmt_num(e.point, 2),
                        e.ci.map_or("—".into(), |v| fmt_num(v, 2)),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            "E-value (VanderWeele and Ding 2017): the minimum strength of association, on the risk-ratio scale, that an unmeasured confounder would need with both the treatment and the outcome, beyond the measured covariates, to explain the estimate away; for the CI, to move the limit closer to 1 to 1 (1 when the CI already includes 1).".into(),
            format!("ORs and HRs are taken as RRs when the outcome is rare; when more than {}% of the patients analysed had it, an OR is converted by √OR and an HR by (1 − 0.5^√HR) / (1 − 0.5^√(1/HR)) (VanderWeele 2017).", fmt_num(100.0 * COMMON_OUTCOME, 0)),
        ],
    }
}

/// Rosenbaum bounds of each binary outcome in the matched sets.
pub fn rosenbaum_table(rows: &[RosenbaumResult]) -> ReportTable {
    let alpha = rows.first().map_or(0.05, |r| r.alpha);
    ReportTable {
        title: "Sensitivity to hidden bias in the matched sets (Rosenbaum bounds)".into(),
        header: vec![
            "Outcome".into(),
            "Matched sets".into(),
            "Informative sets".into(),
            "P (Γ = 1)".into(),
            format!("Γ at which the upper-bound P reaches {}", fmt_num(alpha, 3)),
            "Method".into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                (
                    RowStyle::Plain,
                    vec![
                        r.outcome.clone(),
                        r.sets.to_string(),
                        r.informative_sets.to_string(),
                        fmt_p(r.bounds.first().map(|b| b.p_upper)),
                        r.gamma_at_alpha.map_or("—".into(), |g| fmt_num(g, 2)),
                        r.method.describe().to_string(),
                    ],
                )
            })
            .collect(),
        footnotes: vec![
            format!("Γ: how many times more likely than its matched controls a patient might be to receive the treatment because of an unmeasured covariate. The upper bound of the one-sided P is shown at Γ = 1 (no hidden bias); the last column is the Γ at which it reaches {} (— when the P at Γ = 1 is already above it). Informative sets: those in which the patients' outcomes differ (Rosenbaum 2002, chapter 4).", fmt_num(alpha, 3)),
        ],
    }
}

//! The sensitivity step's own tables: the estimates with their E-values,
//! and the Rosenbaum bounds (the weighting's are in `report::weighting`).

use crate::engine::estimate::Estimate;
use crate::engine::sensitivity::{EffectMeasure, RosenbaumResult};
use crate::engine::study::{SensitivityResults, COMMON_OUTCOME};
use crate::engine::Choice;
use crate::report::study::ci_text;
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

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

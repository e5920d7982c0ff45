//! The sensitivity step presented: the weighting (weights, balance, the
//! weighted outcomes and their doubly robust estimates), the matched and
//! weighted estimates side by side with their E-values, the Rosenbaum
//! bounds, and their figures; the weighted Table 1 ([`WEIGHTED_TABLE1`])
//! before the weighted balance.

mod figures;
mod tables;

pub use figures::{love_plot_weighted_svg, weights_figure_svg};
pub use tables::{estimates_table, rosenbaum_table};

use crate::report::weighting::{
    doubly_robust_table, weighted_balance_table, weighted_outcomes_table, weighting_label,
    weights_table,
};

use crate::engine::study::StudyResults;
use crate::report::table::ReportTable;

/// The stem of the weighted Table 1 (`tables/table1_weighted.csv`).
pub const WEIGHTED_TABLE1: &str = "table1_weighted";

/// The sensitivity step's tables and figures, in the report's order
/// (nothing when the step was not run).
pub fn sensitivity_outputs(
    r: &StudyResults,
    tables: &mut Vec<(String, ReportTable)>,
    figures: &mut Vec<(String, String)>,
) {
    let Some(s) = &r.sensitivity else { return };
    let level = r.settings.conf_level;
    let matched = r.matching.as_ref().map(|m| m.balance.as_slice());
    if let Some(w) = &s.weighting {
        tables.push(("weights".into(), weights_table(w)));
        if let Some(t) = &s.weighted_table1 {
            tables.push((
                WEIGHTED_TABLE1.into(),
                crate::report::table1::table1_table(t, Default::default()),
            ));
        }
        tables.push((
            "weighted_balance".into(),
            weighted_balance_table(w, matched),
        ));
        figures.push(("weights".into(), weights_figure_svg(w)));
        figures.push((
            "love_plot_weighted".into(),
            love_plot_weighted_svg(w, matched),
        ));
    }
    if !s.weighted_outcomes.is_empty() {
        tables.push((
            "weighted_outcomes".into(),
            weighted_outcomes_table(&s.weighted_outcomes, s.weighting.as_ref(), level),
        ));
    }
    if !s.doubly_robust.is_empty() {
        tables.push((
            "doubly_robust".into(),
            doubly_robust_table(&s.doubly_robust, s.weighting.as_ref(), level),
        ));
    }
    if let Some(a) = &s.weighted_survival {
        let mut t = a.summary_table();
        t.title = format!(
            "{} after weighting ({})",
            t.title,
            s.weighting.as_ref().map_or(String::new(), weighting_label)
        );
        tables.push(("weighted_survival".into(), t));
        let time = r
            .settings
            .survival
            .as_ref()
            .map_or("", |v| v.spec.time.as_str());
        figures.push((
            "kaplan_meier_weighted".into(),
            crate::report::figures::km_plot_svg(a, time),
        ));
    }
    if let Some(f) = &s.weighted_cox {
        let mut t = crate::report::survival::cox_table(f);
        t.title = format!(
            "{} after weighting ({})",
            t.title,
            s.weighting.as_ref().map_or(String::new(), weighting_label)
        );
        t.footnotes.push("The weighted Cox model has the group alone, all patients weighted, and robust (sandwich) standard errors, as R's coxph(weights =, robust = TRUE); its robust score test is the weighted comparison of the curves (a weighted log-rank test is not a standard test).".into());
        tables.push(("weighted_cox".into(), t));
    }
    if !s.e_values.is_empty() {
        tables.push(("sensitivity_estimates".into(), estimates_table(s, level)));
    }
    if !s.rosenbaum.is_empty() {
        tables.push(("rosenbaum".into(), rosenbaum_table(&s.rosenbaum)));
    }
}

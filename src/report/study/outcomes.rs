//! The outcomes as a table and, by subgroup, as forest plots and bars.

use crate::engine::estimate::Estimate;
use crate::engine::regression::InteractionTest;
use crate::engine::study::{OutcomeComparison, StudyCohort};
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "0/0".into()
    } else {
        format!("{k}/{n} ({:.1}%)", 100.0 * k as f64 / n as f64)
    }
}

pub(crate) fn ci_text(v: Option<Estimate>, scale: f64, d: usize) -> String {
    v.map_or(
        "—".into(),
        |Estimate {
             value: e,
             lower: l,
             upper: u,
             ..
         }| {
            format!(
                "{} ({} to {})",
                fmt_num(e * scale, d),
                fmt_num(l * scale, d),
                fmt_num(u * scale, d)
            )
        },
    )
}

/// The outcome comparisons as a table (one row per outcome, or per
/// subgroup and outcome).
pub fn outcomes_table(title: &str, rows: &[OutcomeComparison], level: f64) -> ReportTable {
    let ci = level_label(level);
    let groups = rows.first().map(|r| r.groups.clone()).unwrap_or_default();
    let mut header = vec!["Outcome".to_string()];
    header.extend(groups.iter().map(|g| format!("{g}, events/n (%)")));
    header.extend([
        format!("Difference, points ({ci} CI)"),
        format!("OR ({ci} CI)"),
        "P".into(),
        "Test".into(),
    ]);
    let paired = rows.iter().any(|r| r.matched_sets.is_some());
    if paired {
        header.extend([
            format!("OR within matched sets, MH ({ci} CI)"),
            "P, CMH".into(),
        ]);
    }
    let mut table_rows = Vec::new();
    let mut last_subgroup: Option<&String> = None;
    for r in rows {
        if let Some(s) = &r.subgroup {
            if last_subgroup != Some(s) {
                let mut heading = vec![s.clone()];
                heading.resize(header.len(), String::new());
                table_rows.push((RowStyle::Variable, heading));
                last_subgroup = Some(s);
            }
        }
        let mut cells = vec![r.outcome.clone()];
        cells.extend(r.events.iter().zip(&r.n).map(|(&k, &n)| pct(k, n)));
        cells.push(ci_text(r.risk_difference, 100.0, 1));
        cells.push(ci_text(r.odds_ratio, 1.0, 2));
        cells.push(fmt_p(r.p_value));
        cells.push(r.test.map_or(String::new(), |t| t.label().to_string()));
        if paired {
            let mh = r.matched_sets.as_ref();
            cells.push(ci_text(
                mh.map(|m| Estimate {
                    value: m.odds_ratio,
                    lower: m.ci_lower,
                    upper: m.ci_upper,
                    level,
                }),
                1.0,
                2,
            ));
            cells.push(mh.map_or("—".into(), |m| fmt_p(Some(m.p_value))));
        }
        let style = if r.subgroup.is_some() {
            RowStyle::Level
        } else {
            RowStyle::Plain
        };
        table_rows.push((style, cells));
    }
    let mut footnotes = vec![
            format!("Events: the outcome's last level (1 or yes). Difference and OR: the second group against the first, Wald {ci} CIs (the OR's equals a logistic regression on the group alone); OR not given when a cell is 0."),
            "P: Pearson chi-square, or Fisher's exact test when an expected count is below 5 (the Table 1 rule), comparing the patients as independent, as the model study did.".into(),
        ];
    if paired {
        footnotes.push(format!("Within matched sets: the Mantel-Haenszel odds ratio over the matched sets (Robins-Breslow-Greenland {ci} CI) and the Cochran-Mantel-Haenszel test with continuity correction (R's mantelhaen.test). This analysis respects the matching (each treated patient compared with its own controls; with 1:1 pairs it is McNemar's test) and is the one to prefer when the matched sets are the design."));
    }
    ReportTable {
        title: title.into(),
        header,
        rows: table_rows,
        footnotes,
    }
}

/// Per outcome, a forest plot of the OR by subgroup (with the P for
/// interaction) and bars of the rates by group within each subgroup.
pub(super) fn subgroup_figures(
    group: &str,
    sub: &str,
    cohort: StudyCohort,
    overall: &[OutcomeComparison],
    subgroups: &[OutcomeComparison],
    interactions: &[(String, Option<InteractionTest>)],
    conf_level: f64,
) -> Vec<(String, String)> {
    use crate::report::figures::{forest_plot_svg, rate_bars_svg, ForestRow, RateCategory};
    let mut out = Vec::new();
    for o in overall {
        let parts: Vec<&OutcomeComparison> = subgroups
            .iter()
            .filter(|s| s.outcome == o.outcome)
            .collect();
        let detail = |c: &OutcomeComparison| {
            c.groups
                .iter()
                .zip(c.events.iter().zip(&c.n))
                .map(|(g, (k, n))| format!("{g} {k}/{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let level = |c: &OutcomeComparison| {
            c.subgroup
                .as_deref()
                .and_then(|s| s.split_once(" = ").map(|x| x.1.to_string()))
                .unwrap_or_default()
        };
        let mut rows = vec![ForestRow {
            label: "All patients".into(),
            detail: detail(o),
            estimate: o.odds_ratio.map(|e| [e.value, e.lower, e.upper]),
            overall: true,
        }];
        rows.extend(parts.iter().map(|c| ForestRow {
            label: level(c),
            detail: detail(c),
            estimate: c.odds_ratio.map(|e| [e.value, e.lower, e.upper]),
            overall: false,
        }));
        let p = interactions
            .iter()
            .find(|(name, _)| *name == o.outcome)
            .and_then(|(_, t)| t.as_ref())
            .map_or("not estimable".to_string(), |t| fmt_p(Some(t.p_value)));
        let (first, second) = (
            o.groups.first().cloned().unwrap_or_default(),
            o.groups.get(1).cloned().unwrap_or_default(),
        );
        out.push((
            crate::report::filename::safe_stem(&format!("forest_{}", o.outcome)),
            forest_plot_svg(
                &format!(
                    "{}: odds ratio of {group} {second} vs {first}, by {sub} ({cohort} cohort)",
                    o.outcome
                ),
                &rows,
                (
                    &format!("{} higher with {first}", o.outcome),
                    &format!("higher with {second}"),
                ),
                &format!("P for interaction ({group} × {sub}, likelihood ratio): {p}"),
                conf_level,
            ),
        ));
        let category = |name: String, c: &OutcomeComparison| RateCategory {
            name,
            counts: c.events.iter().copied().zip(c.n.iter().copied()).collect(),
            p: fmt_p(c.p_value),
        };
        let mut cats = vec![category("All".into(), o)];
        cats.extend(parts.iter().map(|c| category(level(c), c)));
        out.push((
            crate::report::filename::safe_stem(&format!("rates_{}", o.outcome)),
            rate_bars_svg(
                &format!("{} by {group} and {sub} ({cohort} cohort)", o.outcome),
                &o.groups,
                &cats,
            ),
        ));
    }
    out
}

//! A competing-risks analysis as the CLI, the study and the page present
//! it: the cumulative incidence at the landmark times (per cause, or every
//! cause and group in one table), the numbers at risk, Gray's test, and
//! the Fine-Gray model beside the cause-specific Cox models.

use super::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};
use crate::engine::competing::{
    CifGroup, CifPoint, CifVariance, CompetingAnalysis, CompetingModels, FineGrayVariance,
    GroupLandmarks,
};

/// "12.3% (8.1–17.6)", "past follow-up", or "(CI NA)" where R gives NA.
fn incidence_cell(p: Option<&CifPoint>) -> String {
    match p {
        None => "past follow-up".into(),
        Some(p) if p.lower.is_nan() || p.upper.is_nan() => {
            format!("{}% (CI NA)", fmt_num(100.0 * p.cif, 1))
        }
        Some(p) => format!(
            "{}% ({}–{})",
            fmt_num(100.0 * p.cif, 1),
            fmt_num(100.0 * p.lower, 1),
            fmt_num(100.0 * p.upper, 1)
        ),
    }
}

/// The variance used, named as in R.
pub fn variance_text(v: CifVariance) -> &'static str {
    match v {
        CifVariance::Survfit => "the infinitesimal jackknife variance (R's survfit)",
        CifVariance::Cuminc => "the Aalen-type variance of cmprsk::cuminc",
    }
}

/// "Aalen-Johansen cumulative incidence; 95% CI with ... Censored: ...".
fn estimator_note(a: &CompetingAnalysis) -> String {
    format!(
        "Aalen-Johansen cumulative incidence; {} CI with {} on the {} scale. Censored: {} ({}).",
        level_label(a.conf_level),
        variance_text(a.variance),
        a.transform.as_str(),
        a.censored,
        a.censored_levels.join(", ")
    )
}

/// Gray's test of cause `k` across the groups, in words (`None` with one
/// group).
pub fn gray_text(a: &CompetingAnalysis, k: usize) -> Option<String> {
    let t = a.gray.get(k)?;
    Some(match (t.statistic, t.p_value) {
        (Some(s), Some(p)) => format!(
            "Gray's test: chi-square {} on {} df, P {}{}.",
            fmt_num(s, 2),
            t.df,
            fmt_p(Some(p)),
            if a.rho != 0.0 {
                format!(" (rho = {})", a.rho)
            } else {
                String::new()
            }
        ),
        _ => "Gray's test: not computable (no variance: too few events of this cause).".into(),
    })
}

/// A group's row for cause `k`: the group, its patients, the cause's
/// events, and the incidence at each landmark time.
fn group_cells(a: &CompetingAnalysis, k: usize, g: &CifGroup, l: &GroupLandmarks) -> Vec<String> {
    let mut cells = vec![
        g.group.clone(),
        g.n.to_string(),
        g.causes[k].events.to_string(),
    ];
    for &t in &a.at {
        cells.push(incidence_cell(
            l.causes[k].points.iter().find(|p| p.time == t),
        ));
    }
    cells
}

/// What cause `k` is.
fn role(k: usize) -> &'static str {
    if k == 0 {
        "the event of interest"
    } else {
        "a competing event"
    }
}

/// One cause's incidence per group at the landmark times, with Gray's
/// test in a footnote (`cohortlab cif`).
pub fn cause_table(a: &CompetingAnalysis, k: usize) -> ReportTable {
    let level = level_label(a.conf_level);
    let mut header = vec!["Group".to_string(), "n".into(), "Events".into()];
    header.extend(
        a.at.iter()
            .map(|t| format!("At {} ({level} CI)", fmt_num(*t, 1))),
    );
    let rows = a
        .groups
        .iter()
        .zip(&a.landmarks)
        .map(|(g, l)| (RowStyle::Plain, group_cells(a, k, g, l)))
        .collect();
    let mut footnotes = vec![estimator_note(a)];
    footnotes.extend(gray_text(a, k));
    if a.at.is_empty() {
        footnotes.push("Give landmark times (--at) for the incidence with its CI.".into());
    }
    ReportTable {
        title: format!(
            "Cumulative incidence of {} = {} ({})",
            a.spec.status,
            a.causes[k],
            role(k)
        ),
        header,
        rows,
        footnotes,
    }
}

/// The numbers at risk per group at the landmark times.
pub fn at_risk_table(a: &CompetingAnalysis) -> ReportTable {
    let mut header = vec!["Group".to_string()];
    header.extend(a.at.iter().map(|t| fmt_num(*t, 1)));
    let rows = a
        .landmarks
        .iter()
        .map(|l| {
            let mut cells = vec![l.group.clone()];
            for &t in &a.at {
                let p = l.causes[0].points.iter().find(|p| p.time == t);
                cells.push(p.map_or("0".into(), |p| p.n_risk.to_string()));
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    ReportTable {
        title: "Number at risk".into(),
        header,
        rows,
        footnotes: Vec::new(),
    }
}

/// Every cause's incidence at the landmark times in one table (the
/// study's): per cause a heading row with its Gray's test, then a row per
/// group; the variance and the CI named in the notes.
pub fn incidence_table(a: &CompetingAnalysis) -> ReportTable {
    let level = level_label(a.conf_level);
    let mut header = vec!["Cause / group".to_string(), "n".into(), "Events".into()];
    header.extend(
        a.at.iter()
            .map(|t| format!("At {} ({level} CI)", fmt_num(*t, 1))),
    );
    header.push("Gray's test".into());
    let width = header.len();
    let mut rows = Vec::new();
    for (k, cause) in a.causes.iter().enumerate() {
        let mut heading = vec![format!("{} = {cause} ({})", a.spec.status, role(k))];
        heading.resize(width - 1, String::new());
        heading.push(match a.gray.get(k) {
            Some(t) => match (t.statistic, t.p_value) {
                (Some(s), Some(p)) => format!(
                    "chi-square {} ({} df), P {}",
                    fmt_num(s, 2),
                    t.df,
                    fmt_p(Some(p))
                ),
                _ => "not computable".into(),
            },
            None => String::new(),
        });
        rows.push((RowStyle::Variable, heading));
        for (g, l) in a.groups.iter().zip(&a.landmarks) {
            let mut cells = group_cells(a, k, g, l);
            cells.push(String::new());
            rows.push((RowStyle::Level, cells));
        }
    }
    let mut footnotes = vec![estimator_note(a)];
    if !a.gray.is_empty() {
        footnotes.push(format!(
            "Gray's test (as cmprsk::cuminc, rho = {}): equality of the cause's cumulative incidence across the groups, chi-square on the groups' number less one df.",
            a.rho
        ));
    }
    if a.dropped > 0 {
        footnotes.push(format!(
            "{} patient(s) with a missing value were left out.",
            a.dropped
        ));
    }
    ReportTable {
        title: format!(
            "Cumulative incidence of {} = {} with {} competing ({} patients)",
            a.spec.status,
            a.causes.first().map_or("", String::as_str),
            a.causes.get(1..).unwrap_or_default().join(", "),
            a.n
        ),
        header,
        rows,
        footnotes,
    }
}

/// "1.23 (0.98–1.54)".
fn ratio(r: f64, lo: f64, hi: f64) -> String {
    format!("{} ({}–{})", fmt_num(r, 2), fmt_num(lo, 2), fmt_num(hi, 2))
}

/// One row per term: the SHR with its CI and P, then per cause the
/// cause-specific HR with its CI and P (`status` names the status
/// column).
pub fn models_table(status: &str, m: &CompetingModels) -> ReportTable {
    let fg = &m.fine_gray;
    let level = level_label(fg.conf_level);
    let mut header = vec![
        "Term".to_string(),
        format!("SHR {status} = {} ({level} CI)", fg.event),
        "P".into(),
    ];
    for c in &m.cause_specific {
        header.push(format!(
            "Cause-specific HR {status} = {} ({level} CI)",
            c.cause
        ));
        header.push("P".into());
    }
    let rows = fg
        .terms
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let mut cells = vec![
                t.term.clone(),
                ratio(t.shr, t.ci_lower, t.ci_upper),
                fmt_p(Some(t.p_value)),
            ];
            for c in &m.cause_specific {
                match c.fit.as_ref().and_then(|f| f.terms.get(j)) {
                    // Clustered: the robust CI and P, as summary.coxph.
                    Some(h) => match h.robust {
                        Some(r) => {
                            cells.push(ratio(h.hazard_ratio, r.ci_lower, r.ci_upper));
                            cells.push(fmt_p(Some(r.p_value)));
                        }
                        None => {
                            cells.push(ratio(h.hazard_ratio, h.ci_lower, h.ci_upper));
                            cells.push(fmt_p(Some(h.p_value)));
                        }
                    },
                    None => cells.extend(["no events".to_string(), String::new()]),
                }
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    let events: Vec<String> = m
        .cause_specific
        .iter()
        .map(|c| format!("{} = {}: {}", status, c.cause, c.events))
        .collect();
    let (fg_how, cox_se) = match &fg.variance {
        FineGrayVariance::Sandwich => ("as cmprsk::crr", "model-based SE".to_string()),
        FineGrayVariance::Clustered { column, .. } => (
            "as cmprsk::crr, SEs as crrSC::crrc",
            format!("robust SE clustered by {column}, as coxph(cluster = )"),
        ),
    };
    let footnotes = vec![
        format!(
            "Fine-Gray subdistribution hazard ratio of {status} = {} ({fg_how}): {}, Wald {level} CI and P; competing: {}.",
            fg.event,
            fg.variance.label(),
            fg.competing.join(", ")
        ),
        format!("Cause-specific hazard ratios: Cox model (Efron ties) of each cause with the other causes censored, as R's coxph(Surv(time, status == cause) ~ ...); {cox_se}, Wald CI and P."),
        format!(
            "Patients: {}; events {}; censored {}.",
            fg.n,
            events.join(", "),
            fg.censored
        ),
    ];
    ReportTable {
        title: format!("Competing risks regression of {status} = {}", fg.event),
        header,
        rows,
        footnotes,
    }
}

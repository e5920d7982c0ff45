//! Logistic regression rendered in the model study's layout:
//! `OR (95% CI)` and `P value`, univariate beside multivariable.

use super::table::{fmt_num, fmt_p, ReportTable, RowStyle};
use crate::engine::regression::{LogisticFit, ScreenRow, Term};

/// The P of a term; none for a term that is not estimable (separation: its
/// Wald test is meaningless, the Hauck-Donner effect).
fn term_p(t: &Term) -> String {
    if t.not_estimable.is_some() {
        String::new()
    } else {
        fmt_p(t.p_value)
    }
}

/// `OR (lower–upper)`, an infinite profile bound as ∞ (or 0), or
/// "not estimable (separation)".
pub fn or_ci(t: &Term) -> String {
    match (&t.not_estimable, t.odds_ratio) {
        (None, Some(or)) => format!(
            "{} ({}–{})",
            fmt_num(or, 2),
            t.ci_lower.map_or("0".into(), |v| fmt_num(v, 2)),
            t.ci_upper.map_or("∞".into(), |v| fmt_num(v, 2))
        ),
        (Some(why), _) => format!("not estimable ({why})"),
        (None, None) => "not estimable".into(),
    }
}

/// Rows for one variable: one line, or a heading with its joint P and a
/// line per level (the reference marked).
fn variable_cells(fit: &LogisticFit, var: &str) -> Vec<(RowStyle, String, String, String)> {
    let terms: Vec<&Term> = fit
        .terms
        .iter()
        .filter(|t| t.variable.as_deref() == Some(var))
        .collect();
    match terms.as_slice() {
        [] => Vec::new(),
        [t] if t.level.is_none() => vec![(RowStyle::Variable, t.term.clone(), or_ci(t), term_p(t))],
        [t] => vec![(
            RowStyle::Variable,
            format!(
                "{var} ({} vs {})",
                t.level.clone().unwrap_or_default(),
                t.reference.clone().unwrap_or_default()
            ),
            or_ci(t),
            term_p(t),
        )],
        many => {
            let mut out = vec![(
                RowStyle::Variable,
                var.to_string(),
                String::new(),
                fmt_p(fit.variable_p(var)),
            )];
            if let Some(r) = &many[0].reference {
                out.push((
                    RowStyle::Level,
                    r.clone(),
                    "1 (reference)".into(),
                    String::new(),
                ));
            }
            for t in many {
                out.push((
                    RowStyle::Level,
                    t.level.clone().unwrap_or_default(),
                    or_ci(t),
                    term_p(t),
                ));
            }
            out
        }
    }
}

/// The univariate screen, and the multivariable model if given, side by side.
pub fn regression_table(screen: &[ScreenRow], multi: Option<&LogisticFit>) -> ReportTable {
    let level = multi
        .or_else(|| screen.iter().find_map(|s| s.fit.as_ref().ok()))
        .map_or(crate::engine::defaults::CONF_LEVEL, |f| f.spec.conf_level);
    let ci = super::table::level_label(level);
    let mut header = vec![
        "Variable".to_string(),
        format!("Univariate OR ({ci} CI)"),
        "P value".into(),
    ];
    if multi.is_some() {
        header.extend([format!("Multivariable OR ({ci} CI)"), "P value".into()]);
    }
    let mut rows = Vec::new();
    let mut outcome = String::new();
    for s in screen {
        let uni = match &s.fit {
            Ok(f) => {
                outcome = format!("{} = {}", f.spec.outcome, f.event);
                variable_cells(f, &s.variable)
            }
            Err(e) => vec![(
                RowStyle::Variable,
                s.variable.clone(),
                format!("not fitted: {e}"),
                String::new(),
            )],
        };
        let mv = multi
            .map(|m| variable_cells(m, &s.variable))
            .unwrap_or_default();
        for (i, (style, label, or, p)) in uni.into_iter().enumerate() {
            let mut cells = vec![label, or, p];
            if multi.is_some() {
                let (m_or, m_p) = mv
                    .get(i)
                    .map(|c| (c.2.clone(), c.3.clone()))
                    .unwrap_or_default();
                cells.extend([m_or, m_p]);
            }
            rows.push((style, cells));
        }
    }
    let firth = screen
        .iter()
        .find_map(|s| s.fit.as_ref().ok())
        .map(|f| f.spec.firth)
        .or(multi.map(|m| m.spec.firth))
        .unwrap_or(false);
    let mut footnotes = vec![if firth {
        format!("Firth's penalised likelihood (Firth 1993; Heinze & Schemper 2002). OR: odds ratio with profile penalised-likelihood {ci} confidence interval; P from the penalised likelihood-ratio test. For variables with several levels, the P on the variable's line is the penalised likelihood-ratio test of the variable as a whole.")
    } else {
        format!("OR: odds ratio with Wald {ci} confidence interval; P from the Wald test. For variables with several levels, the P on the variable's line is the likelihood-ratio test of the variable as a whole.")
    }];
    let separated = screen
        .iter()
        .filter_map(|s| s.fit.as_ref().ok())
        .chain(multi)
        .any(|f| f.terms.iter().any(|t| t.not_estimable.is_some()));
    if separated {
        footnotes.push("Not estimable (separation): a level or value of the variable has all or no events, so maximum likelihood has no finite odds ratio (Firth's penalised likelihood gives one).".to_string());
    }
    if let Some(m) = multi {
        footnotes.push(format!(
            "Multivariable model: {} patients, {} events; C-statistic {}; likelihood-ratio test of the model P {}.",
            m.n,
            m.events,
            m.c_statistic.map_or(String::new(), |c| fmt_num(c, 3)),
            fmt_p(Some(m.lr_p_value))
        ));
    }
    ReportTable {
        title: format!("Logistic regression of {outcome}"),
        header,
        rows,
        footnotes,
    }
}

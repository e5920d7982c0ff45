//! A survival analysis as the CLI and the page present it: the summary
//! table (landmark survival, medians, restricted means), the text of the
//! tests, and the Cox model's tables.

use super::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};
pub use crate::engine::survival::{
    survival_analysis, survival_analysis_rmst, GroupSurvival, SurvivalAnalysis,
};

fn fmt_opt(v: Option<f64>) -> String {
    v.map_or("not reached".into(), |x| fmt_num(x, 1))
}

/// A median's lower bound: missing only where the lower confidence curve
/// is missing when the curve drops to 0 (R's NA), not "not reached".
fn fmt_lower(v: Option<f64>) -> String {
    v.map_or("NA".into(), |x| fmt_num(x, 1))
}

impl SurvivalAnalysis {
    /// Landmark survival and medians per group.
    pub fn summary_table(&self) -> ReportTable {
        let times: Vec<f64> = self
            .groups
            .first()
            .map(|g| g.landmarks.iter().map(|l| l.time).collect())
            .unwrap_or_default();
        let mut header = vec!["Group".to_string(), "n".into(), "Events".into()];
        for t in &times {
            header.push(format!(
                "Survival at {} ({} CI)",
                fmt_num(*t, 0),
                level_label(self.conf_level)
            ));
        }
        header.push(format!("Median ({} CI)", level_label(self.conf_level)));
        if let Some(tau) = self.rmst_tau {
            header.push(format!("Restricted mean to {}", fmt_num(tau, 0)));
        }
        let rows = self
            .groups
            .iter()
            .map(|g| {
                let mut cells = vec![
                    g.group.clone(),
                    g.fit.n.to_string(),
                    g.fit.events.to_string(),
                ];
                for l in &g.landmarks {
                    cells.push(if l.lower.is_nan() || l.upper.is_nan() {
                        // R's NA: no CI where the curve is 0.
                        format!("{}% (CI NA)", fmt_num(100.0 * l.surv, 1))
                    } else {
                        format!(
                            "{}% ({}–{})",
                            fmt_num(100.0 * l.surv, 1),
                            fmt_num(100.0 * l.lower, 1),
                            fmt_num(100.0 * l.upper, 1)
                        )
                    });
                }
                let m = &g.fit.median;
                cells.push(match m.median {
                    None => "not reached".into(),
                    Some(x) => format!(
                        "{} ({}–{})",
                        fmt_num(x, 1),
                        fmt_lower(m.lower),
                        fmt_opt(m.upper)
                    ),
                });
                if let Some(r) = g.rmst {
                    cells.push(fmt_num(r, 1));
                }
                (RowStyle::Plain, cells)
            })
            .collect();
        let transform = self
            .groups
            .first()
            .map_or("log", |g| g.fit.transform.as_str());
        let level = level_label(self.conf_level);
        let variance = match self.weighted.map(|w| w.variance) {
            Some(crate::engine::survival::KmVariance::InfinitesimalJackknife) => {
                "the robust (infinitesimal jackknife) variance of the weighted curve"
            }
            Some(crate::engine::survival::KmVariance::Greenwood) => {
                "Greenwood's variance on the weighted counts"
            }
            None => "Greenwood's variance",
        };
        let mut footnotes = vec![format!(
            "{}Kaplan-Meier estimates; {level} CI with {variance} on the {transform} scale (R survival's default is log).",
            if self.weighted.is_some() { "Weighted " } else { "" }
        )];
        footnotes.push(format!(
            "Median follow-up (reverse Kaplan-Meier): {}.",
            match self.follow_up.median {
                Some(m) => format!(
                    "{} ({level} CI {}–{})",
                    fmt_num(m, 1),
                    fmt_lower(self.follow_up.lower),
                    fmt_opt(self.follow_up.upper)
                ),
                None => "not reached".into(),
            }
        ));
        if let Some(lr) = &self.log_rank {
            footnotes.push(format!(
                "{} test: chi-square {} on {} df, P {}{}.",
                if lr.rho == 0.0 {
                    "Log-rank".to_string()
                } else {
                    format!("Fleming-Harrington (rho = {})", lr.rho)
                },
                fmt_num(lr.chi_square, 2),
                lr.df,
                fmt_p(Some(lr.p_value)),
                if lr.stratified { ", stratified" } else { "" }
            ));
        }
        for p in &self.pairwise {
            footnotes.push(format!(
                "{} vs {}: P {} (Holm-adjusted {}).",
                p.group_a,
                p.group_b,
                fmt_p(Some(p.p_value)),
                fmt_p(Some(p.p_adjusted))
            ));
        }
        for d in &self.diagnostics {
            footnotes.push(format!(
                "Note: {}.{}",
                d.message,
                d.hint.as_ref().map_or(String::new(), |h| format!(" {h}"))
            ));
        }
        ReportTable {
            title: format!("Survival ({} patients, {} events)", self.n, self.events),
            header,
            rows,
            footnotes,
        }
    }

    pub fn to_text(&self) -> String {
        let mut s = self.summary_table().to_text();
        if self.dropped > 0 {
            s.push_str(&format!(
                "note: {} patient(s) with a missing value were left out\n",
                self.dropped
            ));
        }
        s
    }
}

/// A Cox model as a journal table: HR (CI) and P per term, robust
/// columns when clustered, the global tests in footnotes.
pub fn cox_table(fit: &crate::engine::survival::CoxFit) -> ReportTable {
    let robust = fit.terms.iter().any(|t| t.robust.is_some());
    let ci = level_label(fit.conf_level);
    let mut header = vec![
        "Term".to_string(),
        format!("HR ({ci} CI)"),
        "P value".into(),
    ];
    if robust {
        header.extend([format!("HR (robust {ci} CI)"), "Robust P value".into()]);
    }
    let hr =
        |h: f64, l: f64, u: f64| format!("{} ({}–{})", fmt_num(h, 2), fmt_num(l, 2), fmt_num(u, 2));
    let rows = fit
        .terms
        .iter()
        .map(|t| {
            let mut cells = vec![
                t.term.clone(),
                hr(t.hazard_ratio, t.ci_lower, t.ci_upper),
                fmt_p(Some(t.p_value)),
            ];
            if let Some(r) = &t.robust {
                cells.extend([
                    hr(t.hazard_ratio, r.ci_lower, r.ci_upper),
                    fmt_p(Some(r.p_value)),
                ]);
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    let mut footnotes = vec![
        format!(
            "Cox proportional hazards model, {} ties; {} patients, {} events. HR: hazard ratio with Wald {ci} CI.",
            match fit.ties {
                crate::engine::survival::Ties::Efron => "Efron",
                crate::engine::survival::Ties::Breslow => "Breslow",
            },
            fit.n,
            fit.events
        ),
        format!(
            "Likelihood-ratio test {} (P {}), Wald {} (P {}), score {} (P {}) on {} df; concordance {}.",
            fmt_num(fit.lr_chi_square, 2),
            fmt_p(Some(fit.lr_p_value)),
            fmt_num(fit.wald_chi_square, 2),
            fmt_p(Some(fit.wald_p_value)),
            fmt_num(fit.score_chi_square, 2),
            fmt_p(Some(fit.score_p_value)),
            fit.df,
            fmt_num(fit.concordance, 3)
        ),
    ];
    // R's summary(coxph): "Concordance= 0.6 (se = 0.025)".
    if let Some(last) = footnotes.last_mut() {
        last.pop();
        last.push_str(&format!(" (SE {}).", fmt_num(fit.concordance_se, 3)));
    }
    if fit.dropped > 0 {
        footnotes.push(format!(
            "{} patient(s) with a missing value were left out.",
            fit.dropped
        ));
    }
    if robust {
        footnotes.push(if fit.weighted {
            "Robust: sandwich variance of the weighted fit (weighted dfbeta residuals, clustered when a cluster is given, else per patient), as R's coxph(weights = , robust = TRUE).".into()
        } else {
            "Robust: sandwich variance clustered as asked (e.g. by matched set), as R's coxph(cluster = ).".into()
        });
        if let (Some(w), Some(wp), Some(sc), Some(sp)) = (
            fit.robust_wald_chi_square,
            fit.robust_wald_p_value,
            fit.robust_score_chi_square,
            fit.robust_score_p_value,
        ) {
            footnotes.push(format!(
                "Robust Wald test {} (P {}), robust score test {} (P {}) on {} df.",
                fmt_num(w, 2),
                fmt_p(Some(wp)),
                fmt_num(sc, 2),
                fmt_p(Some(sp)),
                fit.df
            ));
        }
    }
    for d in &fit.diagnostics {
        footnotes.push(format!(
            "Note: {}.{}",
            d.message,
            d.hint.as_ref().map_or(String::new(), |h| format!(" {h}"))
        ));
    }
    ReportTable {
        title: "Cox proportional hazards model".into(),
        header,
        rows,
        footnotes,
    }
}

/// The test of proportional hazards (R's `cox.zph`, Kaplan-Meier time scale).
pub fn ph_test_table(rows: &[crate::engine::survival::ZphRow]) -> ReportTable {
    ReportTable {
        title: "Test of proportional hazards".into(),
        header: vec!["Term".into(), "Chi-square".into(), "df".into(), "P value".into()],
        rows: rows
            .iter()
            .map(|r| {
                (
                    RowStyle::Plain,
                    vec![r.term.clone(), fmt_num(r.chi_square, 2), r.df.to_string(), fmt_p(Some(r.p_value))],
                )
            })
            .collect(),
        footnotes: vec![
            "Score test of a time-varying coefficient (scaled Schoenfeld residuals against the Kaplan-Meier time scale), as R's cox.zph; a small P suggests the hazard ratio changes over time.".into(),
        ],
    }
}

/// The restricted means with SE and CI, and each group against the first
/// (difference and ratio with CIs and P, as survRM2); τ and its rule in
/// the notes.
pub fn rmst_table(r: &crate::engine::survival::RmstComparison) -> ReportTable {
    let level = level_label(r.conf_level);
    let header = vec![
        "Group".to_string(),
        format!("RMST to {} ({level} CI)", fmt_num(r.tau, 1)),
        "SE".into(),
        format!("Difference ({level} CI)"),
        "P".into(),
        format!("Ratio ({level} CI)"),
        "P".into(),
    ];
    let rows = r
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut cells = vec![
                g.group.clone(),
                format!(
                    "{} ({}–{})",
                    fmt_num(g.rmst, 2),
                    fmt_num(g.lower, 2),
                    fmt_num(g.upper, 2)
                ),
                fmt_num(g.std_err, 2),
            ];
            match i.checked_sub(1).and_then(|k| r.contrasts.get(k)) {
                None => cells.extend([
                    "reference".into(),
                    String::new(),
                    "reference".into(),
                    String::new(),
                ]),
                Some(c) => cells.extend([
                    format!(
                        "{} ({} to {})",
                        fmt_num(c.difference, 2),
                        fmt_num(c.difference_lower, 2),
                        fmt_num(c.difference_upper, 2)
                    ),
                    fmt_p(c.difference_p),
                    format!(
                        "{} ({}–{})",
                        fmt_num(c.ratio, 3),
                        fmt_num(c.ratio_lower, 3),
                        fmt_num(c.ratio_upper, 3)
                    ),
                    fmt_p(c.ratio_p),
                ]),
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    ReportTable {
        title: "Restricted mean survival time".into(),
        header,
        rows,
        footnotes: vec![
            format!(
                "Area under the Kaplan-Meier curve to tau = {} ({}), SE from Greenwood's increments (R's print(survfit, rmean = tau); survRM2).",
                fmt_num(r.tau, 2),
                r.rule.describe()
            ),
            format!(
                "Each group against {}: difference with a z-based CI, ratio on the log scale; tau may be at most {} (set by group {}).",
                r.groups.first().map_or("", |g| g.group.as_str()),
                fmt_num(r.limit, 2),
                r.limited_by
            ),
        ],
    }
}

/// The note under the restricted means when the Cox model's global test of
/// proportional hazards (cox.zph) has P < 0.05.
pub fn rmst_ph_note(ph_test: &[crate::engine::survival::ZphRow]) -> Option<String> {
    let global = ph_test.iter().find(|r| r.term == "GLOBAL")?;
    (global.p_value < 0.05).then(|| {
        format!(
            "The Cox model's global test of proportional hazards (cox.zph) gives P {}: hazards may not be proportional; the RMST difference does not assume them.",
            fmt_p(Some(global.p_value))
        )
    })
}

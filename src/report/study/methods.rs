//! The methods paragraph, from what was run (not from what was asked).

use crate::engine::study::{StudyCohort, StudyResults, MATCHED_SET_COLUMN};
use crate::engine::Choice;
use crate::report::table::{fmt_num, level_label};

fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The methods paragraph, from what was run (not from what was asked).
pub fn methods_text(r: &StudyResults) -> String {
    let ci = level_label(r.settings.conf_level);
    let mut s = Vec::new();
    s.push(format!(
        "Analyses were done with {} on {} patients ({}).",
        r.engine, r.n_rows, r.file
    ));
    baseline(r, &mut s);
    regression(r, &ci, &mut s);
    matching(r, &mut s);
    outcomes(r, &ci, &mut s);
    survival(r, &ci, &mut s);
    cox(r, &ci, &mut s);
    restricted_mean(r, &ci, &mut s);
    competing(r, &ci, &mut s);
    sensitivity(r, &mut s);
    s.push("Two-sided P < 0.05 was considered significant. Numbers were validated against R (stats, survival 3.5, MatchIt 4.5).".into());
    s.join(" ")
}

/// The baseline sentence(s), when that step was run.
fn baseline(r: &StudyResults, s: &mut Vec<String>) {
    if let Some(t) = &r.table1_before {
        s.push(format!(
            "Baseline characteristics were compared between {} groups as n (%) with Pearson's chi-square test, or Fisher's exact test when an expected count was below 5, and as mean (SD) with Welch's t test or median [IQR] with the Mann-Whitney U test; standardized mean differences (SMD) follow Yang and Dalton (2012). Patients missing a variable were left out of that variable's comparison.",
            t.group
        ));
    }
}
/// The regression sentence(s), when that step was run.
fn regression(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let s_ = &r.settings;
    if let Some(reg) = &r.regression {
        let spec = &s_.regression;
        let outcome = spec
            .as_ref()
            .map_or(String::new(), |x| x.spec.outcome.clone());
        let mut m = format!(
            "Factors associated with {outcome} were screened by univariate logistic regression"
        );
        if let Some(f) = &reg.multivariable {
            let vars: Vec<String> = f.spec.variables.clone();
            let rule = spec
                .as_ref()
                .and_then(|x| x.threshold)
                .map_or("all screened variables".to_string(), |t| {
                    format!("variables with univariate P < {t}")
                });
            m.push_str(&format!(
                "; {rule} ({}) entered a multivariable model ({} patients, {} events)",
                list(&vars),
                f.n,
                f.events
            ));
        }
        let firth = spec.as_ref().is_some_and(|x| x.spec.firth);
        if firth {
            m.push_str(&format!(". The models were fitted by Firth's penalised likelihood (Firth 1993; Heinze & Schemper 2002), which gives finite estimates under separation; odds ratios (OR) are given with profile penalised-likelihood {ci} confidence intervals and P values from penalised likelihood-ratio tests; complete cases were used."));
        } else {
            m.push_str(&format!(". Odds ratios (OR) are given with Wald {ci} confidence intervals; complete cases were used."));
        }
        let separated = reg
            .multivariable
            .iter()
            .flat_map(|f| f.terms.iter())
            .any(|t| t.not_estimable.is_some());
        if separated {
            m.push_str(" Terms with separation (a level or value with all or no events) have no maximum-likelihood estimate and are reported as not estimable.");
        }
        s.push(m);
    }
}
/// The matching sentence(s), when that step was run.
fn matching(r: &StudyResults, s: &mut Vec<String>) {
    if let Some(m) = &r.matching {
        let sp = &m.spec;
        let caliper = match (sp.caliper, m.caliper_width) {
            (crate::engine::matching::Caliper::Sd(k), Some(w)) => format!(
                "a caliper of {k} standard deviations of the {} of the score ({})",
                sp.scale.as_str(),
                fmt_num(w, 4)
            ),
            (_, Some(w)) => format!(
                "a caliper of {} on the {} scale",
                fmt_num(w, 4),
                sp.scale.as_str()
            ),
            _ => "no caliper".to_string(),
        };
        let mut t = format!(
            "Propensity scores for {} were estimated by logistic regression on {}. Patients were matched {}:1 by nearest-neighbour matching on the {} of the score ({}, {} replacement) with {}",
            sp.treatment,
            list(&sp.covariates),
            sp.ratio,
            sp.scale.as_str(),
            match sp.order {
                crate::engine::matching::MatchOrder::Largest => "highest score first".to_string(),
                crate::engine::matching::MatchOrder::Smallest => "lowest score first".to_string(),
                crate::engine::matching::MatchOrder::Random(seed) => format!("in a random order, seed {seed}"),
                crate::engine::matching::MatchOrder::Data => "in the file's order".to_string(),
            },
            if sp.replace { "with" } else { "without" },
            caliper
        );
        if !sp.exact.is_empty() {
            t.push_str(&format!(", exactly on {}", list(&sp.exact)));
        }
        t.push_str(&format!(
            ", following MatchIt's nearest-neighbour algorithm. {} treated and {} control patients were matched.",
            m.counts.matched.treated, m.counts.matched.control
        ));
        if let Some(x) = m.max_abs_smd_after {
            t.push_str(&format!(
                " Balance was checked by standardized mean differences (largest absolute SMD after matching {}) and variance ratios.",
                fmt_num(x, 3)
            ));
        }
        s.push(t);
    }
}
/// The outcomes sentence(s), when that step was run.
fn outcomes(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let s_ = &r.settings;
    if !r.outcomes.is_empty() {
        s.push(format!(
            "{} were compared between the groups in the {} cohort by the same tests as the baseline characteristics, with risk differences and odds ratios (Wald {ci} CIs){}{}.",
            list(&r.outcomes.iter().map(|o| o.outcome.clone()).collect::<Vec<_>>()),
            r.outcomes[0].cohort,
            s_.subgroup
                .as_ref()
                .map_or(String::new(), |g| format!(", and within each level of {g} (P for interaction: likelihood-ratio test of the logistic model with the group-by-{g} interaction against the one without)")),
            if r.outcomes.iter().any(|o| o.matched_sets.is_some()) {
                "; respecting the matching, Mantel-Haenszel odds ratios over the matched sets (Robins-Breslow-Greenland CIs) were tested by the Cochran-Mantel-Haenszel test with continuity correction"
            } else {
                ""
            }
        ));
    }
}
/// The survival sentence(s), when that step was run.
fn survival(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let s_ = &r.settings;
    if let (Some(a), Some(step)) = (&r.survival, &s_.survival) {
        let test = if step.rho == 0.0 {
            "the log-rank test".to_string()
        } else if step.rho == 1.0 {
            "the Peto-Peto test (Fleming-Harrington rho = 1)".to_string()
        } else {
            format!("the Fleming-Harrington test with rho = {}", step.rho)
        };
        s.push(format!(
            "In the {} cohort, time to {} ({}) was estimated by the Kaplan-Meier method by {}{}, with {ci} confidence intervals from Greenwood's variance on the {} scale (as R's survfit), and compared by {}; survival at {} months is reported. Median follow-up was estimated by the reverse Kaplan-Meier method. {} patients with missing time or event were left out.",
            r.survival_cohort.map_or("whole", StudyCohort::as_str),
            a.spec.event,
            a.spec.time,
            list(&a.spec.groups),
            r.survival_crossed.as_ref().map_or(String::new(), |c| format!(" and by {} crossed (pairwise log-rank tests with Holm's adjustment)", list(&c.spec.groups))),
            step.transform.as_str(),
            test,
            list(&step.at.iter().map(|t| fmt_num(*t, 0)).collect::<Vec<_>>()),
            a.dropped
        ));
    }
}
/// The cox sentence(s), when that step was run.
fn cox(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let s_ = &r.settings;
    if let Some(c) = &r.cox {
        s.push(format!(
            "Hazard ratios were estimated by a Cox proportional hazards model ({} ties; {} patients, {} events) with Wald {ci} CIs{}; proportional hazards were checked by scaled Schoenfeld residuals (R's cox.zph, Kaplan-Meier time scale).",
            c.ties.as_str(),
            c.n,
            c.events,
            s_.survival
                .as_ref()
                .and_then(|st| st.cox.as_ref())
                .and_then(|cs| cs.cluster.as_ref())
                .map_or(String::new(), |cl| if cl == MATCHED_SET_COLUMN {
                    " and robust (sandwich) standard errors clustered by matched set".to_string()
                } else {
                    format!(" and robust (sandwich) standard errors clustered by {cl}")
                })
        ));
    }
}
/// The restricted mean sentence, when it was computed.
fn restricted_mean(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let Some(x) = &r.rmst else { return };
    let rule = match x.rule {
        crate::engine::survival::TauRule::Chosen => "chosen in advance".to_string(),
        rule => rule.describe().to_string(),
    };
    s.push(format!(
        "The restricted mean survival time (RMST) up to tau = {} ({rule}) was estimated as the area under each group's Kaplan-Meier curve with its Greenwood-based standard error, and the groups were compared by the RMST difference and ratio with {ci} confidence intervals and P values (the survRM2 method; Royston and Parmar 2013, Uno et al. 2014), which do not assume proportional hazards.",
        fmt_num(x.tau, 2)
    ));
}

/// The competing-risks sentences, when that analysis was run.
fn competing(r: &StudyResults, ci: &str, s: &mut Vec<String>) {
    let Some(a) = &r.competing else { return };
    let variance = match a.variance {
        crate::engine::competing::CifVariance::Survfit => {
            "the infinitesimal jackknife variance (as R's multi-state survfit)"
        }
        crate::engine::competing::CifVariance::Cuminc => {
            "the Aalen-type delta-method variance of cmprsk::cuminc"
        }
    };
    let competing = list(a.causes.get(1..).unwrap_or_default());
    let mut t = format!(
        "Treating {} = {competing} as competing events (other values censored), the cumulative incidence of {} = {} and of each competing event was estimated by the Aalen-Johansen method{}, with {ci} confidence intervals from {variance} on the {} scale",
        a.spec.status,
        a.spec.status,
        a.causes.first().map_or("", String::as_str),
        a.spec.group.as_ref().map_or(String::new(), |g| format!(" by {g}")),
        a.transform.as_str(),
    );
    if !a.gray.is_empty() {
        t.push_str(", and compared between the groups by Gray's test (as cmprsk::cuminc)");
    }
    t.push('.');
    s.push(t);
    if let Some(m) = &r.competing_models {
        let terms: Vec<String> = m.fine_gray.terms.iter().map(|x| x.term.clone()).collect();
        s.push(format!(
            "The subdistribution hazard ratio of {} = {} was estimated by the Fine-Gray model (as cmprsk::crr, robust standard errors) and each cause's hazard ratio by a cause-specific Cox model with the other causes censored (Efron ties), both on {} ({} patients), with Wald {ci} CIs.",
            a.spec.status,
            m.fine_gray.event,
            list(&terms),
            m.fine_gray.n
        ));
    }
}

/// The sensitivity step's sentences for the methods paragraph ("" when
/// the step was not run).
pub fn sensitivity_text(r: &StudyResults) -> String {
    let mut s = Vec::new();
    sensitivity(r, &mut s);
    s.join(" ")
}

/// The sensitivity sentence(s), when that step was run.
fn sensitivity(r: &StudyResults, s: &mut Vec<String>) {
    let Some(x) = &r.sensitivity else { return };
    if let Some(w) = &x.weighting {
        let label = crate::report::weighting::weighting_label(w);
        let mut t = format!(
            "As a sensitivity analysis, every patient was kept and weighted by the same propensity score ({}{}), as WeightIt defines the weights; balance after weighting was checked by standardized mean differences (largest absolute SMD {}) and the effective sample sizes were {} treated and {} control",
            w.options.estimand.describe(),
            label
                .strip_prefix(&w.options.estimand.key().to_uppercase())
                .unwrap_or_default(),
            fmt_num(w.max_smd_after, 3),
            fmt_num(w.treated.ess, 1),
            fmt_num(w.control.ess, 1),
        );
        if !x.weighted_outcomes.is_empty() {
            t.push_str("; binary outcomes were compared by survey-weighted generalised linear models with robust standard errors (as R's survey::svyglm)");
        }
        if !x.doubly_robust.is_empty() {
            let target = match w.options.estimand {
                crate::engine::weighting::Estimand::Att => "the treated patients",
                _ => "all weighted patients",
            };
            t.push_str(&format!("; as a doubly robust estimator, a weighted logistic model of each outcome on the group and the same covariates was fitted and the marginal risks obtained by g-computation over {target} (Funk et al. 2011), with delta-method standard errors from the robust variance, treating the weights as fixed"));
        }
        if x.weighted_survival.is_some() {
            t.push_str("; Kaplan-Meier curves were weighted (robust variance, as R's survfit with weights) and compared by the robust score test of the weighted Cox model, since a weighted log-rank test is not a standard test");
        }
        if x.weighted_cox.is_some() {
            t.push_str("; the hazard ratio was estimated by a weighted Cox model of the group alone with robust standard errors (as coxph with weights and robust = TRUE)");
        }
        t.push('.');
        s.push(t);
    }
    if !x.e_values.is_empty() {
        s.push("E-values (VanderWeele and Ding 2017) give the minimum strength of association, on the risk-ratio scale, that an unmeasured confounder would need with both the treatment and the outcome to explain each odds or hazard ratio away.".into());
    }
    if !x.rosenbaum.is_empty() {
        s.push("Sensitivity of the matched comparisons to hidden bias was assessed by Rosenbaum bounds for binary outcomes in matched sets (Rosenbaum 2002), reporting the Γ at which the upper bound of the one-sided P reaches the significance level.".into());
    }
}

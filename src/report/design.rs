//! The guessed study design as text (CLI), HTML (the report's first
//! section) and the settings it stands for.

use crate::engine::design::{DesignGuess, TimeUnit};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::survival::{CiTransform, CoxSpec, SurvivalSpec};
use crate::engine::table1::{CategoricalTest, ContinuousTest, Table1Spec};

use super::html::escape;
use super::study::{
    RegressionStep, StudyCohort, StudySettings, SurvivalStep, MATCHED_SET_COLUMN, SETTINGS_VERSION,
};

/// The design, one role a line, with the reasons.
pub fn design_text(g: &DesignGuess) -> String {
    let mut out = String::from("Study design guessed from the data (check it):\n");
    for line in g.summary_lines() {
        out.push_str(&format!("  - {line}\n"));
    }
    out.push_str("\nWhy:\n");
    for (role, column, reason) in reasons(g) {
        out.push_str(&format!("  {role:<22} {column:<20} {reason}\n"));
    }
    out
}

/// (role, column, reason) for every column the guess placed.
pub fn reasons(g: &DesignGuess) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    if let Some(t) = &g.treatment {
        rows.push(("groups compared".into(), t.column.clone(), t.reason.clone()));
    }
    for o in &g.outcomes {
        rows.push(("outcome".into(), o.column.clone(), o.reason.clone()));
    }
    for s in &g.survival {
        rows.push((
            "follow-up time".into(),
            s.time.column.clone(),
            s.time.reason.clone(),
        ));
        rows.push((
            "event".into(),
            s.event.column.clone(),
            s.event.reason.clone(),
        ));
    }
    for b in &g.baseline {
        let role = if b.in_propensity_model {
            "baseline (propensity)"
        } else {
            "baseline (Table 1 only)"
        };
        rows.push((role.into(), b.column.clone(), b.reason.clone()));
    }
    for l in &g.left_out {
        rows.push(("not analysed".into(), l.column.clone(), l.reason.clone()));
    }
    rows
}

/// The report's first section: the design and the reasons.
pub fn design_html(g: &DesignGuess) -> String {
    let mut h = String::from("<section id=\"design\"><h2>Study design</h2>\n<p>Guessed from the column names and data, and confirmed by running it.</p>\n<ul>\n");
    for line in g.summary_lines() {
        h.push_str(&format!("<li>{}</li>\n", escape(&line)));
    }
    h.push_str(
        "</ul>\n<table><thead><tr><th>Role</th><th>Column</th><th>Why</th></tr></thead><tbody>\n",
    );
    for (role, column, reason) in reasons(g) {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&role),
            escape(&column),
            escape(&reason)
        ));
    }
    h.push_str("</tbody></table></section>\n");
    h
}

/// The study the guess stands for: Table 1 of the baseline variables by
/// the groups, the regression of the first outcome, 1:1 matching on the
/// propensity covariates, the outcomes compared, and survival of the first
/// time-to-event pair (by the groups). Without a treatment, the steps that
/// compare groups are left out.
pub fn guessed_settings(g: &DesignGuess) -> StudySettings {
    let treatment = g.treatment.as_ref().map(|t| t.column.clone());
    let baseline: Vec<String> = g.baseline.iter().map(|b| b.column.clone()).collect();
    let covariates = g.propensity_covariates();
    let cov_refs: Vec<&str> = covariates.iter().map(String::as_str).collect();
    let outcomes: Vec<String> = g.outcomes.iter().map(|o| o.column.clone()).collect();
    let regression = outcomes.first().map(|o| {
        let mut vars: Vec<&str> = treatment.iter().map(String::as_str).collect();
        vars.extend(cov_refs.iter().copied());
        RegressionStep {
            spec: LogisticSpec::new(o, &vars),
            threshold: Some(0.05),
        }
    });
    let matching = treatment
        .as_ref()
        .filter(|_| !covariates.is_empty())
        .map(|t| MatchSpec::new(t, &cov_refs));
    let survival = g.survival.first().map(|s| SurvivalStep {
        spec: SurvivalSpec {
            time: s.time.column.clone(),
            event: s.event.column.clone(),
            event_level: s.event_level.clone(),
            groups: treatment.iter().cloned().collect(),
            strata: None,
        },
        at: s.unit.unwrap_or(TimeUnit::Months).landmarks(),
        transform: CiTransform::Log,
        rho: 0.0,
        rmst: None,
        cox: treatment.as_ref().map(|t| CoxSpec {
            time: s.time.column.clone(),
            event: s.event.column.clone(),
            event_level: s.event_level.clone(),
            variables: vec![t.clone()],
            ordinal: Vec::new(),
            strata: None,
            cluster: matching.as_ref().map(|_| MATCHED_SET_COLUMN.into()),
            ties: Default::default(),
            conf_level: crate::engine::defaults::CONF_LEVEL,
        }),
        cohort: if matching.is_some() {
            StudyCohort::Matched
        } else {
            StudyCohort::All
        },
        cross: None,
        competing: None,
    });
    StudySettings {
        cohortlab_settings: SETTINGS_VERSION,
        dataset: Default::default(),
        table1: treatment.as_ref().map(|t| Table1Spec {
            group: t.clone(),
            variables: baseline,
            nonnormal: Vec::new(),
            continuous: Vec::new(),
            categorical_test: CategoricalTest::Auto,
            continuous_test: ContinuousTest::Welch,
        }),
        regression,
        matching,
        outcomes: if treatment.is_some() {
            outcomes
        } else {
            Vec::new()
        },
        subgroup: None,
        survival,
        sensitivity: None,
        allow_outcome_covariates: false,
        conf_level: crate::engine::defaults::CONF_LEVEL,
    }
}

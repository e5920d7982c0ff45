//! Every step the settings ask for, in order, on one dataset: the numbers
//! of the study ([`StudyResults`]), for the report to present.

use super::{
    matched_cohort, outcomes_step, regression_step, sensitivity_step, survival_step, weights_for,
    MatchingSummary, OutcomesInput, OutcomesResults, SensitivityInput, SensitivityResults,
    SensitivityStep, StudyCohort, StudyResults, StudySettings, SurvivalResults,
};
use crate::engine::competing::{CompetingAnalysis, CompetingError, CompetingModels};
use crate::engine::data::Dataset;
use crate::engine::matching::{MatchError, MatchResult};
use crate::engine::survival::{
    cox_model_weighted, survival_analysis_weighted, CoxSpec, RmstComparison, RmstError,
    SurvivalSpec,
};
use crate::engine::table1::{table1, Table1};
use crate::engine::{Code, Diagnostic};

/// What a study runs on: the dataset typed by the settings, and the
/// matching of the settings when there is one (computed once by the caller
/// and shared; the page's worker keeps it between steps).
pub struct StudyInput<'a> {
    pub dataset: &'a Dataset,
    pub file_name: &'a str,
    /// `Err`: why the matching could not be done.
    pub matching: Option<Result<&'a MatchResult, &'a MatchError>>,
}

fn failed(message: String) -> Diagnostic {
    Diagnostic::warning(Code::StepFailed, None, message)
}

/// Runs every step of `settings` on `input`, telling `progress` each step
/// as it starts. Every interval is at the settings' `conf_level`. The
/// methods text is left empty: the report writes it.
pub fn run_study(
    input: &StudyInput<'_>,
    settings: &StudySettings,
    progress: &mut dyn FnMut(&str),
) -> StudyResults {
    let settings = &settings.levelled();
    let ds = input.dataset;
    let level = settings.conf_level;
    let mut diagnostics = Vec::new();
    // What an explicit override let through (the callers refuse the rest).
    if let Ok(allowed) = settings.check(ds) {
        diagnostics.extend(allowed);
    }
    // Matching first: Table 1 shows before and after side by side.
    let matching = match input.matching {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            diagnostics
                .push(failed(format!("Matching could not be done: {e}.")).with_hint(e.hint()));
            None
        }
        None => None,
    };
    let matched_ds = matching.map(|m| matched_cohort(ds, m));
    // The survival step (the longest) starts at once on another core
    // natively, while the other steps run here; in the browser's worker it
    // runs in its turn.
    let survival_of = || {
        settings
            .survival
            .as_ref()
            .map(|step| survival_step(ds, matched_ds.as_ref(), step, level))
    };
    crate::engine::parallel::meanwhile(survival_of, |survival_result| {
        progress("Table 1");
        let (table1_before, table1_after) =
            table1_step(ds, matched_ds.as_ref(), settings, &mut diagnostics);
        if settings.regression.is_some() {
            progress("Logistic regression");
        }
        let regression = settings.regression.as_ref().map(|step| {
            let run = regression_step(ds, &step.spec, step.threshold, true);
            if let Some(Err(e)) = &run.multivariable {
                diagnostics.push(
                    failed(format!("The multivariable model could not be fitted: {e}."))
                        .with_hint(e.hint()),
                );
            }
            run.results()
        });
        if matching.is_some() {
            progress("Balance");
        }
        let matching_summary = matching.map(|m| {
            diagnostics.extend(m.diagnostics.iter().cloned());
            MatchingSummary::new(ds, m)
        });
        if !settings.outcomes.is_empty() {
            progress("Outcomes");
        }
        let outcomes = outcomes_of(
            ds,
            matched_ds.as_ref(),
            matching,
            settings,
            &mut diagnostics,
        );
        let mut survival = None;
        if let Some(step) = &settings.survival {
            progress("Survival and Cox model");
            if step.cohort == StudyCohort::Matched
                && matched_ds.is_none()
                && settings.matching.is_some()
            {
                diagnostics.push(Diagnostic::warning(
                    Code::AllPatientsAnalysed,
                    None,
                    "Survival: there is no matched cohort, so all patients were analysed.",
                ));
            }
            survival = Some(match survival_result().flatten() {
                Some(r) => r,
                None => survival_step(ds, matched_ds.as_ref(), step, level),
            });
        }
        let mut results = StudyResults {
            engine: crate::engine::build_name(),
            file: input.file_name.into(),
            n_rows: ds.n_rows,
            settings: settings.clone(),
            table1_before,
            table1_after,
            regression,
            matching: matching_summary,
            outcomes: outcomes.outcomes,
            subgroups: outcomes.subgroups,
            interactions: outcomes.interactions,
            survival: None,
            survival_crossed: None,
            survival_cohort: None,
            cox: None,
            ph_test: Vec::new(),
            rmst: None,
            competing: None,
            competing_models: None,
            sensitivity: None,
            diagnostics,
            methods: String::new(),
            design: None,
        };
        if let (Some(r), Some(step)) = (survival, &settings.survival) {
            keep_survival(&mut results, r, step);
        }
        if let Some(step) = &settings.sensitivity {
            progress("Sensitivity analysis");
            results.sensitivity = Some(sensitivity_of(ds, matching, settings, step, &mut results));
        }
        results
    })
}

/// Table 1 before and (with a matching) after.
fn table1_step(
    ds: &Dataset,
    matched: Option<&Dataset>,
    settings: &StudySettings,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Option<Table1>, Option<Table1>) {
    let Some(spec) = &settings.table1 else {
        return (None, None);
    };
    match table1(ds, spec) {
        Ok(b) => {
            let after = matched.and_then(|m| table1(m, spec).ok());
            diagnostics.extend(b.diagnostics.iter().cloned());
            (Some(b), after)
        }
        Err(e) => {
            diagnostics
                .push(failed(format!("Table 1 could not be made: {e}.")).with_hint(e.hint()));
            (None, None)
        }
    }
}

/// The outcomes, in the matched cohort when there is one.
fn outcomes_of(
    ds: &Dataset,
    matched: Option<&Dataset>,
    matching: Option<&MatchResult>,
    settings: &StudySettings,
    diagnostics: &mut Vec<Diagnostic>,
) -> OutcomesResults {
    let group = settings
        .matching
        .as_ref()
        .map(|m| m.treatment.as_str())
        .or_else(|| settings.table1.as_ref().map(|t| t.group.as_str()));
    let Some(group) = group else {
        return OutcomesResults::default();
    };
    let (cohort, which) = match matched {
        Some(m) => (m, StudyCohort::Matched),
        None => (ds, StudyCohort::All),
    };
    let input = OutcomesInput {
        all: ds,
        cohort,
        which,
        matching,
        group,
    };
    outcomes_step(
        &input,
        &settings.outcomes,
        settings.subgroup.as_deref(),
        settings.conf_level,
        diagnostics,
    )
}

/// The sensitivity step: weights from the matching's model, the survival
/// step's Cox model weighted (the treatment alone, robust SEs: the
/// marginal HR), then [`sensitivity_step`] on what the other steps found.
fn sensitivity_of(
    ds: &Dataset,
    matching: Option<&MatchResult>,
    settings: &StudySettings,
    step: &SensitivityStep,
    results: &mut StudyResults,
) -> SensitivityResults {
    let weights = settings
        .matching
        .as_ref()
        .map(|spec| weights_for(ds, spec, step));
    let cox_spec = settings.survival.as_ref().and_then(|s| s.cox.as_ref());
    let weighted_cox = match (&weights, cox_spec, &settings.matching) {
        (Some(Ok(w)), Some(cox), Some(m)) => {
            let spec = CoxSpec {
                variables: vec![m.treatment.clone()],
                ordinal: Vec::new(),
                strata: None,
                cluster: None,
                ..cox.clone()
            };
            match cox_model_weighted(ds, &spec, Some(&w.weights)) {
                Ok(f) => Some(f),
                Err(e) => {
                    results.diagnostics.push(failed(format!(
                        "The weighted Cox model could not be fitted: {e}."
                    )));
                    None
                }
            }
        }
        _ => None,
    };
    let weighted_survival = match (&weights, &settings.survival, &settings.matching) {
        (Some(Ok(w)), Some(step), Some(m)) => {
            let spec = SurvivalSpec {
                groups: vec![m.treatment.clone()],
                strata: None,
                ..step.spec.clone()
            };
            let options = step.options(settings.conf_level);
            match survival_analysis_weighted(ds, &spec, &options, Some(&w.weights)) {
                Ok(a) => Some(a),
                Err(e) => {
                    results.diagnostics.push(
                        failed(format!(
                            "The weighted survival curves could not be made: {e}."
                        ))
                        .with_hint(e.hint()),
                    );
                    None
                }
            }
        }
        _ => None,
    };
    let input = SensitivityInput {
        dataset: ds,
        matching,
        outcomes: &results.outcomes,
        cox: results.cox.as_ref(),
        weighted_cox,
        weighted_survival,
        table1: settings.table1.as_ref(),
        table1_p_values: step.table1_p_values,
    };
    let mut diagnostics = Vec::new();
    let out = sensitivity_step(
        &input,
        weights.as_ref(),
        settings.conf_level,
        &mut diagnostics,
    );
    results.diagnostics.extend(diagnostics);
    out
}

/// The survival step's results in the study's, its failures as
/// diagnostics.
fn keep_survival(results: &mut StudyResults, r: SurvivalResults, step: &super::SurvivalStep) {
    let d = &mut results.diagnostics;
    results.survival_cohort = Some(r.cohort);
    match r.analysis {
        Ok(a) => {
            d.extend(a.diagnostics.iter().map(|x| Diagnostic {
                message: format!("Survival: {}.", x.message),
                ..x.clone()
            }));
            results.survival = Some(a);
        }
        Err(e) => d.push(
            failed(format!("The survival analysis could not be done: {e}.")).with_hint(e.hint()),
        ),
    }
    match (r.crossed, &step.cross) {
        (Some(Ok(a)), Some(_)) => results.survival_crossed = Some(a),
        (Some(Err(e)), Some(cross)) => d.push(
            failed(format!(
                "The survival analysis by {} and {cross} could not be done: {e}.",
                step.spec.groups.first().map_or("", String::as_str),
            ))
            .with_hint(e.hint()),
        ),
        _ => {}
    }
    match r.cox {
        Some(Ok((f, ph))) => {
            results.cox = Some(f);
            results.ph_test = ph;
        }
        Some(Err(e)) => d.push(failed(format!("The Cox model could not be fitted: {e}."))),
        None => {}
    }
    keep_competing(results, r.rmst, r.competing, r.competing_models);
}

/// The restricted means and the competing-risks analysis and models in
/// the study's results, their notes and failures as diagnostics.
fn keep_competing(
    results: &mut StudyResults,
    rmst: Option<Result<RmstComparison, RmstError>>,
    competing: Option<Result<CompetingAnalysis, CompetingError>>,
    models: Option<Result<CompetingModels, CompetingError>>,
) {
    let d = &mut results.diagnostics;
    let noted = |prefix: &str, x: &Diagnostic| Diagnostic {
        message: format!("{prefix}: {}.", x.message),
        ..x.clone()
    };
    match rmst {
        Some(Ok(r)) => results.rmst = Some(r),
        Some(Err(e)) => d.push(
            failed(format!(
                "The restricted mean survival times could not be compared: {e}."
            ))
            .with_hint(e.hint()),
        ),
        None => {}
    }
    match competing {
        Some(Ok(a)) => {
            d.extend(a.diagnostics.iter().map(|x| noted("Competing risks", x)));
            results.competing = Some(a);
        }
        Some(Err(e)) => d.push(
            failed(format!(
                "The competing-risks analysis could not be done: {e}."
            ))
            .with_hint(e.hint()),
        ),
        None => {}
    }
    match models {
        Some(Ok(m)) => {
            // The status notes are the analysis's; the models' own remain.
            let own = m.diagnostics.iter().chain(&m.fine_gray.diagnostics);
            let new: Vec<Diagnostic> = own
                .filter(|x| {
                    !d.iter()
                        .any(|y| y.code == x.code && y.message.contains(&x.message))
                })
                .map(|x| noted("Competing-risks models", x))
                .collect();
            d.extend(new);
            if !m.fine_gray.convergence.converged {
                d.push(failed(format!(
                    "The Fine-Gray model {}.",
                    m.fine_gray.convergence.reason
                )));
            }
            results.competing_models = Some(m);
        }
        Some(Err(e)) => d.push(
            failed(format!(
                "The Fine-Gray and cause-specific Cox models could not be fitted: {e}."
            ))
            .with_hint(e.hint()),
        ),
        None => {}
    }
}

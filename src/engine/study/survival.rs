//! The survival step: the curves by the first group, by it crossed with a
//! second variable, the Cox model with its test of proportional hazards,
//! the restricted mean survival time compared between the groups, and the
//! competing-risks analysis and models, on the matched cohort or all
//! patients.

use super::{StudyCohort, SurvivalStep};
use crate::engine::competing::{
    competing_analysis, competing_models, CifOptions, CompetingAnalysis, CompetingError,
    CompetingModels,
};
use crate::engine::data::Dataset;
use crate::engine::survival::{
    cox_model_with_ph_test, survival_analysis_with, CoxError, CoxFit, RmstComparison, RmstError,
    SurvivalAnalysis, SurvivalError, SurvivalSpec, ZphRow,
};

/// What the survival step gives, on the cohort analysed. A part not asked
/// for is `None`; one that could not be done is its typed error.
pub struct SurvivalResults {
    pub cohort: StudyCohort,
    pub analysis: Result<SurvivalAnalysis, SurvivalError>,
    pub crossed: Option<Result<SurvivalAnalysis, SurvivalError>>,
    pub cox: Option<Result<(CoxFit, Vec<ZphRow>), CoxError>>,
    /// The restricted means compared (`survival.rmst`), on the curves.
    pub rmst: Option<Result<RmstComparison, RmstError>>,
    /// Cumulative incidence and Gray's test (`survival.competing`).
    pub competing: Option<Result<CompetingAnalysis, CompetingError>>,
    /// Fine-Gray and cause-specific Cox models, when there are covariates.
    pub competing_models: Option<Result<CompetingModels, CompetingError>>,
}

/// The independent parts of the step, computed in parallel natively.
enum Part {
    Curves(Result<SurvivalAnalysis, SurvivalError>),
    Crossed(Option<Result<SurvivalAnalysis, SurvivalError>>),
    Cox(Option<Result<(CoxFit, Vec<ZphRow>), CoxError>>),
    Competing(Option<Result<CompetingAnalysis, CompetingError>>),
    Models(Option<Result<CompetingModels, CompetingError>>),
}

/// The competing-risks analysis of the step: the variance's default CI
/// transform, Gray's test with ρ = 0 (cuminc's), at `conf_level`.
fn competing_of(
    ds: &Dataset,
    step: &SurvivalStep,
    conf_level: f64,
) -> Option<Result<CompetingAnalysis, CompetingError>> {
    let spec = step.competing_spec()?;
    let variance = step.competing.as_ref()?.variance;
    let mut options = CifOptions::new(&step.at).variance(variance);
    options.conf_level = conf_level;
    Some(competing_analysis(ds, &spec, &options))
}

/// The survival step on `matched` (when the step asks for the matched
/// cohort and there is one) or on all patients, with intervals at
/// `conf_level`. The curves and the Cox model take the competing-risks
/// event of interest when they name none ([`SurvivalStep::resolved`]).
pub fn survival_step(
    all: &Dataset,
    matched: Option<&Dataset>,
    step: &SurvivalStep,
    conf_level: f64,
) -> SurvivalResults {
    let step = &step.resolved();
    let (ds, cohort) = match (step.cohort, matched) {
        (StudyCohort::Matched, Some(m)) => (m, StudyCohort::Matched),
        _ => (all, StudyCohort::All),
    };
    let options = step.options(conf_level);
    let run = |spec: &SurvivalSpec| survival_analysis_with(ds, spec, &options);
    let crossed_curves = || {
        step.cross.as_ref().map(|c| {
            let mut spec = step.spec.clone();
            spec.groups.truncate(1);
            spec.groups.push(c.clone());
            run(&spec)
        })
    };
    let models = || {
        let spec = step.competing_spec()?;
        let covariates = step.competing_covariates()?;
        Some(competing_models(ds, &spec, &covariates, conf_level))
    };
    let parts = crate::engine::parallel::map(5, |k| match k {
        0 => Part::Curves(run(&step.spec)),
        1 => Part::Crossed(crossed_curves()),
        2 => Part::Cox(step.cox.as_ref().map(|c| cox_model_with_ph_test(ds, c))),
        3 => Part::Competing(competing_of(ds, step, conf_level)),
        _ => Part::Models(models()),
    });
    let (mut analysis, mut crossed, mut cox, mut competing, mut competing_models) =
        (None, None, None, None, None);
    for part in parts {
        match part {
            Part::Curves(a) => analysis = Some(a),
            Part::Crossed(c) => crossed = c,
            Part::Cox(c) => cox = c,
            Part::Competing(c) => competing = c,
            Part::Models(m) => competing_models = m,
        }
    }
    // Part 0 is always the curves.
    let mut analysis = analysis.unwrap_or_else(|| run(&step.spec));
    let rmst = match (step.rmst, &mut analysis) {
        (Some(h), Ok(a)) => a.compare_restricted_means(h).transpose(),
        _ => None,
    };
    SurvivalResults {
        cohort,
        analysis,
        crossed,
        cox,
        rmst,
        competing,
        competing_models,
    }
}

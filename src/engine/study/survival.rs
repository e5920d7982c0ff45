//! The survival step: the curves by the first group, by it crossed with a
//! second variable, and the Cox model with its test of proportional
//! hazards, on the matched cohort or all patients.

use super::{StudyCohort, SurvivalStep};
use crate::engine::data::Dataset;
use crate::engine::survival::{
    cox_model_with_ph_test, survival_analysis_with, CoxError, CoxFit, SurvivalAnalysis,
    SurvivalError, SurvivalSpec, ZphRow,
};

/// What the survival step gives, on the cohort analysed.
pub struct SurvivalResults {
    pub cohort: StudyCohort,
    pub analysis: Result<SurvivalAnalysis, SurvivalError>,
    pub crossed: Option<Result<SurvivalAnalysis, SurvivalError>>,
    pub cox: Option<Result<(CoxFit, Vec<ZphRow>), CoxError>>,
}

/// The survival step on `matched` (when the step asks for the matched
/// cohort and there is one) or on all patients, with intervals at
/// `conf_level`.
pub fn survival_step(
    all: &Dataset,
    matched: Option<&Dataset>,
    step: &SurvivalStep,
    conf_level: f64,
) -> SurvivalResults {
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
    // The curves, the crossed curves and the Cox model are independent:
    // computed in parallel natively.
    type Curves = Result<SurvivalAnalysis, SurvivalError>;
    type Cox = Result<(CoxFit, Vec<ZphRow>), CoxError>;
    enum Part {
        Curves(Curves),
        Crossed(Option<Curves>),
        Cox(Option<Cox>),
    }
    let parts = crate::engine::parallel::map(3, |k| match k {
        0 => Part::Curves(run(&step.spec)),
        1 => Part::Crossed(crossed_curves()),
        _ => Part::Cox(step.cox.as_ref().map(|c| cox_model_with_ph_test(ds, c))),
    });
    let (mut analysis, mut crossed, mut cox) = (None, None, None);
    for part in parts {
        match part {
            Part::Curves(a) => analysis = Some(a),
            Part::Crossed(c) => crossed = c,
            Part::Cox(c) => cox = c,
        }
    }
    SurvivalResults {
        cohort,
        // Part 0 is always the curves.
        analysis: analysis.unwrap_or_else(|| run(&step.spec)),
        crossed,
        cox,
    }
}

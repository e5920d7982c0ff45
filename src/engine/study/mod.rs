//! The study pipeline: the validated settings ([`StudySettings`]) and one
//! typed function per step, each returning its result and typed
//! diagnostics. The CLI's subcommands, the page's worker
//! (`report::service`) and `cohortlab run` all call these steps, so a
//! method is written once; `report` only presents what they return.
//!
//! Steps: the dataset ([`crate::engine::data::Dataset::build`] with the
//! settings' `dataset`), Table 1 ([`crate::engine::table1::table1`]), the
//! regression ([`regression_step`]), the propensity model, matching and
//! balance ([`crate::engine::matching::match_patients`] then
//! [`MatchingSummary::new`]), the outcomes and subgroups
//! ([`outcomes_step`]), survival, the Cox model, competing risks and the
//! restricted mean survival time ([`survival_step`]),
//! weighting and sensitivity analysis ([`sensitivity_step`]);
//! [`run_study`] runs every step the settings ask for.

mod error;
mod matching;
mod outcomes;
mod regression;
mod results;
mod run;
mod sensitivity;
mod settings;
mod survival;
pub mod validate;

pub use error::StudyError;
pub use matching::{matched_cohort, MatchingSummary};
pub use outcomes::{
    compare_outcomes, matched_set_tables, outcomes_step, OutcomeComparison, OutcomesInput,
    OutcomesResults,
};
pub use regression::{regression_step, RegressionResults, RegressionRun};
pub use results::StudyResults;
pub use run::{run_study, StudyInput};
pub use sensitivity::{
    sensitivity_step, weights_for, EValueRow, SensitivityInput, SensitivityResults,
    SensitivityStep, WeightFigure, WeightingSummary, COMMON_OUTCOME, HISTOGRAM_BINS,
};
pub use settings::{
    CompetingStep, RegressionStep, StudyCohort, StudySettings, SurvivalStep, MATCHED_SET_COLUMN,
    SETTINGS_VERSION,
};
pub use survival::{survival_step, SurvivalResults};

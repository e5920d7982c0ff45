//! Every number of the study, as results.json holds it.

use serde::{Deserialize, Serialize};

use super::{MatchingSummary, OutcomeComparison, RegressionResults, StudyCohort, StudySettings};
use crate::engine::competing::{CompetingAnalysis, CompetingModels};
use crate::engine::regression::InteractionTest;
use crate::engine::survival::{CoxFit, RmstComparison, SurvivalAnalysis, ZphRow};
use crate::engine::table1::Table1;
use crate::engine::Diagnostic;

/// Every number of the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResults {
    pub engine: String,
    pub file: String,
    pub n_rows: usize,
    pub settings: StudySettings,
    pub table1_before: Option<Table1>,
    pub table1_after: Option<Table1>,
    pub regression: Option<RegressionResults>,
    pub matching: Option<MatchingSummary>,
    pub outcomes: Vec<OutcomeComparison>,
    pub subgroups: Vec<OutcomeComparison>,
    /// Per outcome, the P for interaction of group and subgroup
    /// (likelihood ratio; `None` when it cannot be estimated).
    #[serde(default)]
    pub interactions: Vec<(String, Option<InteractionTest>)>,
    pub survival: Option<SurvivalAnalysis>,
    /// The curves by the groups crossed with `survival.cross`.
    #[serde(default)]
    pub survival_crossed: Option<SurvivalAnalysis>,
    #[serde(default)]
    pub survival_cohort: Option<StudyCohort>,
    pub cox: Option<CoxFit>,
    pub ph_test: Vec<ZphRow>,
    /// The restricted means compared between the survival groups, when
    /// asked for (`survival.rmst`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rmst: Option<RmstComparison>,
    /// Cumulative incidence by cause and Gray's test, when asked for
    /// (`survival.competing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competing: Option<CompetingAnalysis>,
    /// The Fine-Gray and cause-specific Cox models beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competing_models: Option<CompetingModels>,
    /// Weighting, E-values and Rosenbaum bounds, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<super::SensitivityResults>,
    /// Steps that could not be done, and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The methods paragraph (written by the report from the rest).
    pub methods: String,
    /// The design guessed from the data, when the study was run without
    /// settings (`cohortlab run FILE` with no `--spec`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<crate::engine::design::DesignGuess>,
}

//! The app's shared state, provided as context.

use std::sync::Arc;

use leptos::prelude::*;

use super::engine_client::{Failure, SessionInfo, UiError};
use crate::engine::data::{ColumnKind, DatasetSpec};
use crate::engine::matching::MatchSpec;
use crate::engine::study::{CompetingStep, SensitivityStep};
use crate::engine::survival::{CiTransform, RmstHorizon, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest};
use crate::engine::weighting::WeightOptions;
use crate::report::draft::{
    Draft, DraftError, MatchDraft, RegressionDraft, SurvivalDraft, Table1Draft,
};
use crate::report::study::{StudyCohort, StudySettings, SETTINGS_VERSION};

/// The workflow steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Data,
    Table1,
    Regression,
    Matching,
    Outcomes,
    Sensitivity,
    Survival,
    Report,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Data,
        Step::Table1,
        Step::Regression,
        Step::Matching,
        Step::Outcomes,
        Step::Sensitivity,
        Step::Survival,
        Step::Report,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Data => "Data",
            Step::Table1 => "Table 1",
            Step::Regression => "Regression",
            Step::Matching => "Matching",
            Step::Outcomes => "Outcomes",
            Step::Sensitivity => "Sensitivity",
            Step::Survival => "Survival",
            Step::Report => "Report",
        }
    }
}

/// Sets a signal only when the value changes (nothing reruns otherwise).
fn put<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}

/// The Table 1 step's settings (kept while the user moves between steps).
#[derive(Clone, Copy)]
pub struct Table1Settings {
    pub group: RwSignal<Option<String>>,
    pub variables: RwSignal<Vec<String>>,
    pub nonnormal: RwSignal<Vec<String>>,
    pub categorical_test: RwSignal<CategoricalTest>,
    pub continuous_test: RwSignal<ContinuousTest>,
}

impl Table1Settings {
    fn new(d: Table1Draft) -> Self {
        Self {
            group: RwSignal::new(d.group),
            variables: RwSignal::new(d.variables),
            nonnormal: RwSignal::new(d.nonnormal),
            categorical_test: RwSignal::new(d.categorical_test),
            continuous_test: RwSignal::new(d.continuous_test),
        }
    }

    /// The form (tracked: reading it subscribes).
    pub fn draft(&self) -> Table1Draft {
        Table1Draft {
            group: self.group.get(),
            variables: self.variables.get(),
            nonnormal: self.nonnormal.get(),
            categorical_test: self.categorical_test.get(),
            continuous_test: self.continuous_test.get(),
        }
    }

    fn set(&self, d: Table1Draft) {
        put(self.group, d.group);
        put(self.variables, d.variables);
        put(self.nonnormal, d.nonnormal);
        put(self.categorical_test, d.categorical_test);
        put(self.continuous_test, d.continuous_test);
    }
}

/// The regression step's settings.
#[derive(Clone, Copy)]
pub struct RegressionSettings {
    pub outcome: RwSignal<Option<String>>,
    pub variables: RwSignal<Vec<String>>,
    pub ordinal: RwSignal<Vec<String>>,
    /// Multivariable model of the variables with univariate P below this;
    /// `None`: all chosen variables.
    pub threshold: RwSignal<Option<f64>>,
    /// Firth's penalised likelihood instead of maximum likelihood.
    pub firth: RwSignal<bool>,
}

impl RegressionSettings {
    fn new(d: RegressionDraft) -> Self {
        Self {
            outcome: RwSignal::new(d.outcome),
            variables: RwSignal::new(d.variables),
            ordinal: RwSignal::new(d.ordinal),
            threshold: RwSignal::new(d.threshold),
            firth: RwSignal::new(d.firth),
        }
    }

    /// The form (tracked).
    pub fn draft(&self) -> RegressionDraft {
        RegressionDraft {
            outcome: self.outcome.get(),
            variables: self.variables.get(),
            ordinal: self.ordinal.get(),
            threshold: self.threshold.get(),
            firth: self.firth.get(),
        }
    }

    fn set(&self, d: RegressionDraft) {
        put(self.outcome, d.outcome);
        put(self.variables, d.variables);
        put(self.ordinal, d.ordinal);
        put(self.threshold, d.threshold);
        put(self.firth, d.firth);
    }
}

/// The survival step's settings.
#[derive(Clone, Copy)]
pub struct SurvivalSettings {
    pub time: RwSignal<Option<String>>,
    pub event: RwSignal<Option<String>>,
    /// The event's level or code (0/1/2 status: `1`); `None` = the
    /// default (the non-reference level, 1 of 0/1, 2 of 1/2).
    pub event_level: RwSignal<Option<String>>,
    /// Up to two grouping columns (crossed).
    pub groups: RwSignal<Vec<String>>,
    pub at: RwSignal<Vec<f64>>,
    pub transform: RwSignal<CiTransform>,
    /// Cox model: covariates besides the curves' groups, cluster, ties.
    pub cox_extra: RwSignal<Vec<String>>,
    pub cluster: RwSignal<Option<String>>,
    pub ties: RwSignal<Ties>,
    /// Horizon of the restricted mean survival time, if wanted.
    pub rmst: RwSignal<Option<RmstHorizon>>,
    /// The competing-risks analysis, when switched on.
    pub competing: RwSignal<Option<CompetingStep>>,
    /// Fleming-Harrington rho of the test (0 log-rank, 1 Peto-Peto).
    pub rho: RwSignal<f64>,
    /// Stratify the log-rank test by this column.
    pub strata: RwSignal<Option<String>>,
    /// The matched cohort (when there is a matching) or all patients.
    pub cohort: RwSignal<StudyCohort>,
}

impl SurvivalSettings {
    fn new(d: SurvivalDraft) -> Self {
        Self {
            time: RwSignal::new(d.time),
            event: RwSignal::new(d.event),
            event_level: RwSignal::new(d.event_level),
            groups: RwSignal::new(d.groups),
            at: RwSignal::new(d.at),
            transform: RwSignal::new(d.transform),
            cox_extra: RwSignal::new(d.cox_extra),
            cluster: RwSignal::new(d.cluster),
            ties: RwSignal::new(d.ties),
            rmst: RwSignal::new(d.rmst),
            competing: RwSignal::new(d.competing),
            rho: RwSignal::new(d.rho),
            strata: RwSignal::new(d.strata),
            cohort: RwSignal::new(d.cohort),
        }
    }

    /// The form (tracked).
    pub fn draft(&self) -> SurvivalDraft {
        SurvivalDraft {
            time: self.time.get(),
            event: self.event.get(),
            event_level: self.event_level.get(),
            groups: self.groups.get(),
            at: self.at.get(),
            transform: self.transform.get(),
            cox_extra: self.cox_extra.get(),
            cluster: self.cluster.get(),
            ties: self.ties.get(),
            rmst: self.rmst.get(),
            competing: self.competing.get(),
            rho: self.rho.get(),
            strata: self.strata.get(),
            cohort: self.cohort.get(),
        }
    }

    fn set(&self, d: SurvivalDraft) {
        put(self.time, d.time);
        put(self.event, d.event);
        put(self.event_level, d.event_level);
        put(self.groups, d.groups);
        put(self.at, d.at);
        put(self.transform, d.transform);
        put(self.cox_extra, d.cox_extra);
        put(self.cluster, d.cluster);
        put(self.ties, d.ties);
        put(self.rmst, d.rmst);
        put(self.competing, d.competing);
        put(self.rho, d.rho);
        put(self.strata, d.strata);
        put(self.cohort, d.cohort);
    }
}

/// The matching step's settings: the specification, with its covariates
/// and exact-matching variables in signals of their own (for the pickers).
#[derive(Clone, Copy)]
pub struct MatchSettings {
    pub spec: RwSignal<Option<MatchSpec>>,
    pub covariates: RwSignal<Vec<String>>,
    pub exact: RwSignal<Vec<String>>,
}

impl MatchSettings {
    fn new(d: MatchDraft) -> Self {
        Self {
            spec: RwSignal::new(d.spec),
            covariates: RwSignal::new(d.covariates),
            exact: RwSignal::new(d.exact),
        }
    }

    /// The form (tracked).
    pub fn draft(&self) -> MatchDraft {
        MatchDraft {
            spec: self.spec.get(),
            covariates: self.covariates.get(),
            exact: self.exact.get(),
        }
    }

    /// The whole specification (tracked).
    pub fn current(&self) -> Option<MatchSpec> {
        self.draft().current()
    }

    fn set(&self, d: MatchDraft) {
        put(self.covariates, d.covariates);
        put(self.exact, d.exact);
        put(self.spec, d.spec);
    }
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The loaded data as the page sees it (the cells stay in the
    /// engine's worker). Replaced only by a successful load or change.
    pub session: RwSignal<Option<Arc<SessionInfo>>>,
    /// The last error, shown until dismissed or replaced.
    pub error: RwSignal<Option<Failure>>,
    pub step: RwSignal<Step>,
    pub table1: Table1Settings,
    pub regression: RegressionSettings,
    pub matching: MatchSettings,
    pub survival: SurvivalSettings,
    /// Binary outcomes compared in the (matched) cohort, and the subgroup
    /// variable.
    pub outcomes: RwSignal<Vec<String>>,
    pub subgroup: RwSignal<Option<String>>,
    /// "Settings restored from …", until another file is loaded.
    pub settings_note: RwSignal<Option<String>>,
    /// The user said the guessed design looks right (the example's is).
    pub design_confirmed: RwSignal<bool>,
    /// Settings that let an outcome be a propensity covariate (kept as
    /// loaded, and saved again).
    pub allow_outcome_covariates: RwSignal<bool>,
    /// The confidence level of every interval (the Report step).
    pub conf_level: RwSignal<f64>,
    /// The Sensitivity step's weighting options, and whether the step is
    /// part of the study (its report and saved settings).
    pub weighting: RwSignal<WeightOptions>,
    pub sensitivity_included: RwSignal<bool>,
    /// Design-based P values in the weighted Table 1 (asked for).
    pub weighted_p_values: RwSignal<bool>,
}

/// A form's value the settings refuse, as the page shows it.
pub fn invalid(e: DraftError) -> UiError {
    UiError::Failed(Failure::new(
        "The settings are not valid",
        e.to_string(),
        "Correct the field named.",
    ))
}

impl AppState {
    pub fn new() -> Self {
        let d = Draft::default();
        Self {
            session: RwSignal::new(None),
            error: RwSignal::new(None),
            step: RwSignal::new(Step::Data),
            table1: Table1Settings::new(d.table1),
            regression: RegressionSettings::new(d.regression),
            matching: MatchSettings::new(d.matching),
            survival: SurvivalSettings::new(d.survival),
            outcomes: RwSignal::new(d.outcomes),
            subgroup: RwSignal::new(d.subgroup),
            settings_note: RwSignal::new(None),
            design_confirmed: RwSignal::new(false),
            allow_outcome_covariates: RwSignal::new(d.allow_outcome_covariates),
            conf_level: RwSignal::new(d.conf_level),
            weighting: RwSignal::new(WeightOptions::default()),
            sensitivity_included: RwSignal::new(false),
            weighted_p_values: RwSignal::new(false),
        }
    }

    /// Shows an error (a replaced request shows nothing).
    pub fn fail(self, e: UiError) {
        if let Some(f) = e.shown() {
            self.error.set(Some(f));
        }
    }

    /// The loaded columns with their kinds (tracked), for the pickers.
    pub fn columns(&self) -> Vec<(String, ColumnKind)> {
        self.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.inspection
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.kind))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Columns that can split the patients into at most `max_levels`
    /// groups: binary and categorical columns, and numeric ones with a few
    /// values (codes such as 1/2 or grade 1/2/3, which every step reads as
    /// levels).
    pub fn group_columns(&self, max_levels: usize) -> Vec<String> {
        self.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.inspection
                        .columns
                        .iter()
                        .filter(|c| match c.kind {
                            ColumnKind::Binary => true,
                            ColumnKind::Categorical => {
                                c.levels.as_ref().is_some_and(|l| l.len() <= max_levels)
                            }
                            ColumnKind::Numeric => c.distinct.is_some_and(|d| d <= max_levels),
                            ColumnKind::Text => false,
                        })
                        .map(|c| c.name.clone())
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// The groups compared, carried into every step: Table 1's grouping,
    /// the matching's treatment, the survival curves' groups.
    pub fn set_group(self, group: &str) {
        let g = group.to_owned();
        self.table1.group.set(Some(g.clone()));
        self.table1.variables.update(|v| v.retain(|x| *x != g));
        self.matching.covariates.update(|v| v.retain(|x| *x != g));
        self.matching.exact.update(|v| v.retain(|x| *x != g));
        let covariates = self.matching.covariates.get_untracked();
        self.matching.spec.update(|s| match s {
            Some(s) => s.treatment = g.clone(),
            None => {
                let covs: Vec<&str> = covariates.iter().map(String::as_str).collect();
                *s = Some(MatchSpec::new(&g, &covs));
            }
        });
        self.survival.groups.update(|v| match v.first_mut() {
            Some(first) => *first = g.clone(),
            None => v.push(g.clone()),
        });
        self.survival.groups.update(|v| v.dedup());
    }

    /// Every form (tracked).
    pub fn draft(&self) -> Draft {
        Draft {
            table1: self.table1.draft(),
            regression: self.regression.draft(),
            matching: self.matching.draft(),
            survival: self.survival.draft(),
            outcomes: self.outcomes.get(),
            subgroup: self.subgroup.get(),
            allow_outcome_covariates: self.allow_outcome_covariates.get(),
            conf_level: self.conf_level.get(),
            sensitivity: self.sensitivity_included.get().then(|| SensitivityStep {
                weighting: self.weighting.get(),
                table1_p_values: self.weighted_p_values.get(),
            }),
        }
    }

    /// Every form from a draft.
    fn set_draft(&self, d: Draft) {
        self.table1.set(d.table1);
        self.regression.set(d.regression);
        self.matching.set(d.matching);
        self.survival.set(d.survival);
        put(self.outcomes, d.outcomes);
        put(self.subgroup, d.subgroup);
        put(self.allow_outcome_covariates, d.allow_outcome_covariates);
        put(self.conf_level, d.conf_level);
        put(self.sensitivity_included, d.sensitivity.is_some());
        if let Some(step) = d.sensitivity {
            put(self.weighting, step.weighting);
            put(self.weighted_p_values, step.table1_p_values);
        }
    }

    /// The whole analysis as a settings file (tracked); `None` before a
    /// file is loaded.
    pub fn settings(&self) -> Option<Result<StudySettings, UiError>> {
        let session = self.session.get()?;
        Some(
            self.draft()
                .to_settings(session.spec.clone())
                .map_err(invalid),
        )
    }

    /// Restores a saved analysis on the loaded data; on failure nothing
    /// changes and the error is shown.
    pub async fn apply_settings(self, s: StudySettings) -> bool {
        let dataset = s.dataset.clone();
        if !self.update_spec(|spec| *spec = dataset).await {
            return false;
        }
        self.set_steps(s);
        true
    }

    /// Every step's settings from a settings file. A step the settings
    /// leave out is left out here too: the report then runs exactly what
    /// was saved.
    fn set_steps(self, s: StudySettings) {
        let mut d = untrack(|| self.draft());
        d.apply(s);
        self.set_draft(d);
    }

    /// A newly loaded file: shown, and every step's settings start from
    /// the example's (for the example) or from the design guessed from the
    /// data (shown on the Data step for confirmation); a role with no
    /// good candidate stays empty.
    pub fn load(self, session: SessionInfo) {
        let settings = if session.example {
            Some(StudySettings::example())
        } else {
            session.guessed.clone()
        };
        let sv = self.survival;
        sv.cox_extra.set(Vec::new());
        sv.cluster.set(None);
        sv.strata.set(None);
        sv.groups.set(Vec::new());
        sv.cohort.set(StudyCohort::Matched);
        self.design_confirmed.set(session.example);
        self.set_steps(settings.unwrap_or_else(|| StudySettings {
            cohortlab_settings: SETTINGS_VERSION,
            dataset: session.spec.clone(),
            table1: None,
            regression: None,
            matching: None,
            outcomes: Vec::new(),
            subgroup: None,
            survival: None,
            sensitivity: None,
            allow_outcome_covariates: false,
            conf_level: crate::engine::defaults::CONF_LEVEL,
        }));
        self.session.set(Some(Arc::new(session)));
        self.settings_note.set(None);
        self.error.set(None);
    }

    pub fn get() -> Self {
        expect_context::<AppState>()
    }

    /// Applies a change to the dataset specification; on failure the data
    /// stays as it was (and is shown as it was) and the error is shown.
    /// Returns whether it applied.
    pub async fn update_spec(self, change: impl FnOnce(&mut DatasetSpec)) -> bool {
        let Some(session) = self.session.get_untracked() else {
            return false;
        };
        let mut spec = session.spec.clone();
        change(&mut spec);
        match super::engine_client::apply_spec(spec).await {
            Ok(s) => {
                self.session.set(Some(Arc::new(s)));
                self.error.set(None);
                true
            }
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// [`Self::update_spec`] from an event handler.
    pub fn change_spec(self, change: impl FnOnce(&mut DatasetSpec) + 'static) {
        leptos::task::spawn_local(async move {
            self.update_spec(change).await;
        });
    }
}

//! The app's shared state, provided as context.

use std::sync::Arc;

use leptos::prelude::*;

use super::engine_client::{SessionInfo, UiError};
use crate::engine::data::{ColumnKind, DatasetSpec};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::survival::{CiTransform, CoxSpec, SurvivalSpec, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest, Table1Spec};
use crate::report::study::{
    RegressionStep, StudyCohort, StudySettings, SurvivalStep, SETTINGS_VERSION,
};

/// The workflow steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Data,
    Table1,
    Regression,
    Matching,
    Outcomes,
    Survival,
    Report,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Data,
        Step::Table1,
        Step::Regression,
        Step::Matching,
        Step::Outcomes,
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
            Step::Survival => "Survival",
            Step::Report => "Report",
        }
    }
}

/// The Table 1 step's settings (kept while the user moves between steps).
#[derive(Clone, Copy)]
pub struct Table1Settings {
    pub group: RwSignal<String>,
    pub variables: RwSignal<Vec<String>>,
    pub nonnormal: RwSignal<Vec<String>>,
    pub categorical_test: RwSignal<CategoricalTest>,
    pub continuous_test: RwSignal<ContinuousTest>,
}

impl Table1Settings {
    fn new() -> Self {
        Self {
            group: RwSignal::new(String::new()),
            variables: RwSignal::new(Vec::new()),
            nonnormal: RwSignal::new(Vec::new()),
            categorical_test: RwSignal::new(CategoricalTest::Auto),
            continuous_test: RwSignal::new(ContinuousTest::Welch),
        }
    }

    /// The specification (tracked: reading it subscribes).
    pub fn spec(&self) -> Table1Spec {
        Table1Spec {
            group: self.group.get(),
            variables: self.variables.get(),
            nonnormal: self.nonnormal.get(),
            continuous: Vec::new(),
            categorical_test: self.categorical_test.get(),
            continuous_test: self.continuous_test.get(),
        }
    }

    fn set(&self, spec: Table1Spec) {
        self.group.set(spec.group);
        self.variables.set(spec.variables);
        self.nonnormal.set(spec.nonnormal);
        self.categorical_test.set(spec.categorical_test);
        self.continuous_test.set(spec.continuous_test);
    }
}

/// The regression step's settings.
#[derive(Clone, Copy)]
pub struct RegressionSettings {
    pub outcome: RwSignal<String>,
    pub variables: RwSignal<Vec<String>>,
    pub ordinal: RwSignal<Vec<String>>,
    /// Multivariable model of the variables with univariate P below this;
    /// `None`: all chosen variables.
    pub threshold: RwSignal<Option<f64>>,
    /// Firth's penalised likelihood instead of maximum likelihood.
    pub firth: RwSignal<bool>,
}

impl RegressionSettings {
    fn new() -> Self {
        Self {
            outcome: RwSignal::new(String::new()),
            variables: RwSignal::new(Vec::new()),
            ordinal: RwSignal::new(Vec::new()),
            threshold: RwSignal::new(Some(0.05)),
            firth: RwSignal::new(false),
        }
    }

    pub fn spec(&self) -> LogisticSpec {
        LogisticSpec {
            outcome: self.outcome.get(),
            event: None,
            variables: self.variables.get(),
            ordinal: self.ordinal.get(),
            conf_level: 0.95,
            firth: self.firth.get(),
        }
    }

    fn set(&self, spec: LogisticSpec) {
        self.outcome.set(spec.outcome);
        self.variables.set(spec.variables);
        self.ordinal.set(spec.ordinal);
        self.threshold.set(Some(0.05));
        self.firth.set(spec.firth);
    }
}

/// The survival step's settings.
#[derive(Clone, Copy)]
pub struct SurvivalSettings {
    pub time: RwSignal<String>,
    pub event: RwSignal<String>,
    /// The event's level or code (0/1/2 status: `1`); `None` = the
    /// default (the non-reference level, 1 of 0/1, 2 of 1/2).
    pub event_level: RwSignal<Option<String>>,
    /// Up to two grouping columns (crossed).
    pub groups: RwSignal<Vec<String>>,
    pub at: RwSignal<Vec<f64>>,
    pub transform: RwSignal<CiTransform>,
    /// Cox model: covariates besides the curves' groups, cluster, ties.
    pub cox_extra: RwSignal<Vec<String>>,
    pub cluster: RwSignal<String>,
    pub ties: RwSignal<Ties>,
    /// Horizon of the restricted mean survival time, if wanted.
    pub rmst: RwSignal<Option<f64>>,
    /// Fleming-Harrington rho of the test (0 log-rank, 1 Peto-Peto).
    pub rho: RwSignal<f64>,
    /// Stratify the log-rank test by this column ("" = none).
    pub strata: RwSignal<String>,
    /// The matched cohort (when there is a matching) or all patients.
    pub cohort: RwSignal<StudyCohort>,
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
    /// The whole specification (tracked).
    pub fn current(&self) -> Option<MatchSpec> {
        self.spec.get().map(|s| MatchSpec {
            covariates: self.covariates.get(),
            exact: self.exact.get(),
            ..s
        })
    }

    fn set(&self, spec: Option<MatchSpec>) {
        self.covariates.set(
            spec.as_ref()
                .map(|s| s.covariates.clone())
                .unwrap_or_default(),
        );
        self.exact
            .set(spec.as_ref().map(|s| s.exact.clone()).unwrap_or_default());
        self.spec.set(spec);
    }
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The loaded data as the page sees it (the cells stay in the
    /// engine's worker). Replaced only by a successful load or change.
    pub session: RwSignal<Option<Arc<SessionInfo>>>,
    /// The last error, shown until dismissed or replaced.
    pub error: RwSignal<Option<UiError>>,
    pub step: RwSignal<Step>,
    pub table1: Table1Settings,
    pub regression: RegressionSettings,
    pub matching: MatchSettings,
    pub survival: SurvivalSettings,
    /// Binary outcomes compared in the (matched) cohort, and the subgroup
    /// variable ("" = none).
    pub outcomes: RwSignal<Vec<String>>,
    pub subgroup: RwSignal<String>,
    /// "Settings restored from …", until another file is loaded.
    pub settings_note: RwSignal<String>,
    /// The user said the guessed design looks right (the example's is).
    pub design_confirmed: RwSignal<bool>,
    /// Settings that let an outcome be a propensity covariate (kept as
    /// loaded, and saved again).
    pub allow_outcome_covariates: RwSignal<bool>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            error: RwSignal::new(None),
            step: RwSignal::new(Step::Data),
            table1: Table1Settings::new(),
            regression: RegressionSettings::new(),
            matching: MatchSettings {
                spec: RwSignal::new(None),
                covariates: RwSignal::new(Vec::new()),
                exact: RwSignal::new(Vec::new()),
            },
            survival: SurvivalSettings {
                time: RwSignal::new(String::new()),
                event: RwSignal::new(String::new()),
                event_level: RwSignal::new(None),
                groups: RwSignal::new(Vec::new()),
                at: RwSignal::new(vec![12.0, 36.0, 60.0]),
                transform: RwSignal::new(CiTransform::Log),
                cox_extra: RwSignal::new(Vec::new()),
                cluster: RwSignal::new(String::new()),
                ties: RwSignal::new(Ties::Efron),
                rmst: RwSignal::new(None),
                rho: RwSignal::new(0.0),
                strata: RwSignal::new(String::new()),
                cohort: RwSignal::new(StudyCohort::Matched),
            },
            outcomes: RwSignal::new(Vec::new()),
            subgroup: RwSignal::new(String::new()),
            settings_note: RwSignal::new(String::new()),
            design_confirmed: RwSignal::new(false),
            allow_outcome_covariates: RwSignal::new(false),
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
        self.table1.group.set(g.clone());
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

    /// The whole analysis as a settings file (tracked).
    pub fn settings(&self) -> Option<StudySettings> {
        let session = self.session.get()?;
        let sv = &self.survival;
        let groups = sv.groups.get();
        let spec = SurvivalSpec {
            time: sv.time.get(),
            event: sv.event.get(),
            event_level: sv.event_level.get(),
            groups: groups.iter().take(1).cloned().collect(),
            strata: Some(sv.strata.get()).filter(|s| !s.is_empty()),
        };
        let cluster = sv.cluster.get();
        let cox = CoxSpec {
            time: spec.time.clone(),
            event: spec.event.clone(),
            event_level: sv.event_level.get(),
            variables: spec
                .groups
                .iter()
                .chain(sv.cox_extra.get().iter())
                .cloned()
                .collect(),
            ordinal: Vec::new(),
            strata: None,
            cluster: (!cluster.is_empty()).then_some(cluster),
            ties: sv.ties.get(),
            conf_level: crate::engine::defaults::CONF_LEVEL,
        };
        let t1 = self.table1.spec();
        let reg = self.regression.spec();
        Some(StudySettings {
            cohortlab_settings: SETTINGS_VERSION,
            dataset: session.spec.clone(),
            table1: (!t1.group.is_empty()).then_some(t1),
            regression: (!reg.outcome.is_empty()).then(|| RegressionStep {
                spec: reg,
                threshold: self.regression.threshold.get(),
            }),
            matching: self.matching.current(),
            outcomes: self.outcomes.get(),
            subgroup: Some(self.subgroup.get()).filter(|s| !s.is_empty()),
            survival: (!spec.time.is_empty() && !spec.event.is_empty()).then(|| SurvivalStep {
                at: sv.at.get(),
                transform: sv.transform.get(),
                rho: sv.rho.get(),
                rmst: sv.rmst.get(),
                cox: (!cox.variables.is_empty()).then_some(cox),
                cohort: sv.cohort.get(),
                cross: groups.get(1).cloned(),
                spec,
            }),
            allow_outcome_covariates: self.allow_outcome_covariates.get(),
        })
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
        self.allow_outcome_covariates
            .set(s.allow_outcome_covariates);
        match s.table1 {
            Some(t) => self.table1.set(t),
            None => self.table1.group.set(String::new()),
        }
        match s.regression {
            Some(r) => {
                let threshold = r.threshold;
                self.regression.set(r.spec);
                self.regression.threshold.set(threshold);
            }
            None => self.regression.outcome.set(String::new()),
        }
        self.matching.set(s.matching);
        self.outcomes.set(s.outcomes);
        self.subgroup.set(s.subgroup.unwrap_or_default());
        if s.survival.is_none() {
            self.survival.time.set(String::new());
        }
        if let Some(step) = s.survival {
            let sv = &self.survival;
            sv.time.set(step.spec.time);
            sv.event.set(step.spec.event);
            sv.event_level.set(step.spec.event_level);
            sv.groups.set(
                step.spec
                    .groups
                    .iter()
                    .take(1)
                    .chain(step.cross.iter())
                    .cloned()
                    .collect(),
            );
            sv.cohort.set(step.cohort);
            sv.strata.set(step.spec.strata.unwrap_or_default());
            sv.at.set(step.at);
            sv.transform.set(step.transform);
            sv.rho.set(step.rho);
            sv.rmst.set(step.rmst);
            if let Some(c) = step.cox {
                sv.ties.set(c.ties);
                sv.cluster.set(c.cluster.unwrap_or_default());
                sv.cox_extra.set(
                    c.variables
                        .into_iter()
                        .filter(|v| !step.spec.groups.contains(v))
                        .collect(),
                );
            }
        }
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
        self.survival.cox_extra.set(Vec::new());
        self.survival.cluster.set(String::new());
        self.survival.strata.set(String::new());
        self.survival.groups.set(Vec::new());
        self.survival.cohort.set(StudyCohort::Matched);
        self.design_confirmed.set(session.example);
        match settings {
            Some(s) => self.set_steps(s),
            None => self.set_steps(StudySettings {
                cohortlab_settings: SETTINGS_VERSION,
                dataset: session.spec.clone(),
                table1: None,
                regression: None,
                matching: None,
                outcomes: Vec::new(),
                subgroup: None,
                survival: None,
                allow_outcome_covariates: false,
            }),
        }
        self.session.set(Some(Arc::new(session)));
        self.settings_note.set(String::new());
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
                self.error.set(Some(e));
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

//! What the page's forms hold, as plain data, and its conversion to and
//! from [`StudySettings`]. The page only copies its signals into and out
//! of a [`Draft`]; the conversion lives here, natively tested.
//!
//! `None` means "not chosen" (no grouping, no outcome, no cluster, ...). A
//! step whose key role is not chosen is left out of the settings.

use crate::engine::data::DatasetSpec;
use crate::engine::defaults::{CONF_LEVEL, LANDMARKS_MONTHS};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::study::{CompetingStep, SensitivityStep};
use crate::engine::survival::{CiTransform, CoxSpec, RmstHorizon, SurvivalSpec, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest, Table1Spec};
use crate::report::study::{
    RegressionStep, StudyCohort, StudySettings, SurvivalStep, SETTINGS_VERSION,
};

/// The univariate P below which a variable enters the multivariable model,
/// until the user chooses another.
pub const DEFAULT_THRESHOLD: f64 = 0.05;

/// The Table 1 form.
#[derive(Debug, Clone, PartialEq)]
pub struct Table1Draft {
    pub group: Option<String>,
    pub variables: Vec<String>,
    pub nonnormal: Vec<String>,
    pub categorical_test: CategoricalTest,
    pub continuous_test: ContinuousTest,
}

/// The regression form.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionDraft {
    pub outcome: Option<String>,
    pub variables: Vec<String>,
    pub ordinal: Vec<String>,
    /// Multivariable model of the variables with univariate P below this;
    /// `None`: all chosen variables.
    pub threshold: Option<f64>,
    /// Firth's penalised likelihood instead of maximum likelihood.
    pub firth: bool,
}

/// The matching form: the specification, with its covariates and
/// exact-matching variables apart (the pickers edit them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchDraft {
    pub spec: Option<MatchSpec>,
    pub covariates: Vec<String>,
    pub exact: Vec<String>,
}

impl MatchDraft {
    /// The whole specification.
    pub fn current(&self) -> Option<MatchSpec> {
        self.spec.clone().map(|s| MatchSpec {
            covariates: self.covariates.clone(),
            exact: self.exact.clone(),
            ..s
        })
    }
}

/// The survival form.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalDraft {
    pub time: Option<String>,
    pub event: Option<String>,
    /// The event's level or code; `None`: the default.
    pub event_level: Option<String>,
    /// Up to two grouping columns (crossed).
    pub groups: Vec<String>,
    pub at: Vec<f64>,
    pub transform: CiTransform,
    /// Cox model: covariates besides the curves' groups, cluster, ties.
    pub cox_extra: Vec<String>,
    pub cluster: Option<String>,
    pub ties: Ties,
    /// Horizon of the restricted mean survival time (a time or "auto"),
    /// if wanted.
    pub rmst: Option<RmstHorizon>,
    /// The competing-risks analysis, when switched on.
    pub competing: Option<CompetingStep>,
    /// Fleming-Harrington rho of the test (0 log-rank, 1 Peto-Peto).
    pub rho: f64,
    /// Stratify the log-rank test by this column.
    pub strata: Option<String>,
    pub cohort: StudyCohort,
}

/// Every form of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub table1: Table1Draft,
    pub regression: RegressionDraft,
    pub matching: MatchDraft,
    pub survival: SurvivalDraft,
    /// Binary outcomes compared between the groups.
    pub outcomes: Vec<String>,
    pub subgroup: Option<String>,
    pub allow_outcome_covariates: bool,
    /// The confidence level of every interval of the study.
    pub conf_level: f64,
    /// The Sensitivity step, when it is part of the study.
    pub sensitivity: Option<SensitivityStep>,
}

impl Default for Draft {
    /// The page's forms before anything is loaded.
    fn default() -> Self {
        Draft {
            table1: Table1Draft {
                group: None,
                variables: Vec::new(),
                nonnormal: Vec::new(),
                categorical_test: CategoricalTest::Auto,
                continuous_test: ContinuousTest::Welch,
            },
            regression: RegressionDraft {
                outcome: None,
                variables: Vec::new(),
                ordinal: Vec::new(),
                threshold: Some(DEFAULT_THRESHOLD),
                firth: false,
            },
            matching: MatchDraft::default(),
            survival: SurvivalDraft {
                time: None,
                event: None,
                event_level: None,
                groups: Vec::new(),
                at: LANDMARKS_MONTHS.to_vec(),
                transform: CiTransform::Log,
                cox_extra: Vec::new(),
                cluster: None,
                ties: Ties::Efron,
                rmst: None,
                competing: None,
                rho: 0.0,
                strata: None,
                cohort: StudyCohort::Matched,
            },
            outcomes: Vec::new(),
            subgroup: None,
            allow_outcome_covariates: false,
            conf_level: CONF_LEVEL,
            sensitivity: None,
        }
    }
}

/// A form's value that is not a valid setting: which field, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct DraftError {
    /// The field, as in the settings file (`survival.at`).
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> DraftError {
    DraftError {
        field,
        message: message.into(),
    }
}

/// A chosen column: `None` and "" are both "not chosen".
fn chosen(c: &Option<String>) -> Option<String> {
    c.clone().filter(|c| !c.is_empty())
}

impl Draft {
    /// The forms as a settings file for the loaded `dataset`.
    pub fn to_settings(&self, dataset: DatasetSpec) -> Result<StudySettings, DraftError> {
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(refuse(
                "conf_level",
                format!(
                    "the confidence level must be between 0 and 1 (e.g. 0.95); it is {}",
                    self.conf_level
                ),
            ));
        }
        Ok(StudySettings {
            cohortlab_settings: SETTINGS_VERSION,
            dataset,
            table1: self.table1.spec(),
            regression: self.regression.step()?,
            matching: self.matching.current(),
            outcomes: self.outcomes.clone(),
            subgroup: chosen(&self.subgroup),
            survival: self.survival.step()?,
            sensitivity: self.sensitivity_step()?,
            allow_outcome_covariates: self.allow_outcome_covariates,
            conf_level: self.conf_level,
        })
    }

    /// The Sensitivity step as the settings hold it: its numbers checked,
    /// and left out without a matching (the weights use its model).
    fn sensitivity_step(&self) -> Result<Option<SensitivityStep>, DraftError> {
        let Some(step) = &self.sensitivity else {
            return Ok(None);
        };
        crate::engine::study::validate::weight_options(&step.weighting)
            .map_err(|e| refuse("sensitivity.weighting", e))?;
        Ok(self.matching.current().is_some().then(|| step.clone()))
    }

    /// The forms of a settings file.
    pub fn from_settings(s: StudySettings) -> Draft {
        let mut d = Draft::default();
        d.apply(s);
        d
    }

    /// Sets the forms from a settings file. A step the settings leave out
    /// loses its key role (it is then left out again), and keeps its other
    /// fields as they were.
    pub fn apply(&mut self, s: StudySettings) {
        self.allow_outcome_covariates = s.allow_outcome_covariates;
        self.conf_level = s.conf_level;
        self.sensitivity = s.sensitivity;
        match s.table1 {
            Some(t) => {
                self.table1 = Table1Draft {
                    group: chosen(&Some(t.group)),
                    variables: t.variables,
                    nonnormal: t.nonnormal,
                    categorical_test: t.categorical_test,
                    continuous_test: t.continuous_test,
                }
            }
            None => self.table1.group = None,
        }
        match s.regression {
            Some(r) => {
                self.regression = RegressionDraft {
                    outcome: chosen(&Some(r.spec.outcome)),
                    variables: r.spec.variables,
                    ordinal: r.spec.ordinal,
                    threshold: r.threshold,
                    firth: r.spec.firth,
                }
            }
            None => self.regression.outcome = None,
        }
        self.matching = MatchDraft {
            covariates: s
                .matching
                .as_ref()
                .map(|m| m.covariates.clone())
                .unwrap_or_default(),
            exact: s
                .matching
                .as_ref()
                .map(|m| m.exact.clone())
                .unwrap_or_default(),
            spec: s.matching,
        };
        self.outcomes = s.outcomes;
        self.subgroup = chosen(&s.subgroup);
        match s.survival {
            Some(step) => self.apply_survival(step),
            None => self.survival.time = None,
        }
    }

    fn apply_survival(&mut self, step: SurvivalStep) {
        let sv = &mut self.survival;
        sv.groups = step
            .spec
            .groups
            .iter()
            .take(1)
            .chain(&step.cross)
            .cloned()
            .collect();
        sv.time = chosen(&Some(step.spec.time));
        sv.event = chosen(&Some(step.spec.event));
        sv.event_level = step.spec.event_level;
        sv.cohort = step.cohort;
        sv.strata = chosen(&step.spec.strata);
        sv.at = step.at;
        sv.transform = step.transform;
        sv.rho = step.rho;
        sv.rmst = step.rmst;
        sv.competing = step.competing;
        if let Some(c) = step.cox {
            sv.ties = c.ties;
            sv.cluster = chosen(&c.cluster);
            sv.cox_extra = c
                .variables
                .into_iter()
                .filter(|v| !step.spec.groups.contains(v))
                .collect();
        }
    }
}

impl Table1Draft {
    /// Table 1's specification; `None` without a grouping.
    pub fn spec(&self) -> Option<Table1Spec> {
        chosen(&self.group)?;
        Some(self.spec_or_empty())
    }

    /// The specification with the grouping "" when none is chosen (the
    /// matching's Table 1 before and after groups by the treatment).
    pub fn spec_or_empty(&self) -> Table1Spec {
        Table1Spec {
            group: self.group.clone().unwrap_or_default(),
            variables: self.variables.clone(),
            nonnormal: self.nonnormal.clone(),
            continuous: Vec::new(),
            categorical_test: self.categorical_test,
            continuous_test: self.continuous_test,
        }
    }
}

impl RegressionDraft {
    /// The regression step; `None` without an outcome.
    pub fn step(&self) -> Result<Option<RegressionStep>, DraftError> {
        let r = self;
        if let Some(t) = r.threshold {
            if !(t > 0.0 && t <= 1.0) {
                return Err(refuse(
                    "regression.threshold",
                    format!("{t} is not a P value above 0 and at most 1"),
                ));
            }
        }
        let Some(outcome) = chosen(&r.outcome) else {
            return Ok(None);
        };
        Ok(Some(RegressionStep {
            spec: LogisticSpec {
                outcome,
                event: None,
                variables: r.variables.clone(),
                ordinal: r.ordinal.clone(),
                conf_level: CONF_LEVEL,
                firth: r.firth,
            },
            threshold: r.threshold,
        }))
    }
}

impl SurvivalDraft {
    /// The survival step; `None` without the time and the event.
    pub fn step(&self) -> Result<Option<SurvivalStep>, DraftError> {
        let sv = self;
        if let Some(t) = sv.at.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
            return Err(refuse(
                "survival.at",
                format!("{t} is not a time of 0 or more"),
            ));
        }
        if let Some(t) = sv
            .rmst
            .and_then(RmstHorizon::chosen)
            .filter(|t| !(t.is_finite() && *t > 0.0))
        {
            return Err(refuse(
                "survival.rmst",
                format!("{t} is not a time above 0"),
            ));
        }
        if !(sv.rho.is_finite() && sv.rho >= 0.0) {
            return Err(refuse(
                "survival.rho",
                format!("{} is not 0 or more", sv.rho),
            ));
        }
        let (Some(time), Some(event)) = (chosen(&sv.time), chosen(&sv.event)) else {
            return Ok(None);
        };
        let spec = SurvivalSpec {
            time,
            event,
            event_level: sv.event_level.clone(),
            groups: sv.groups.iter().take(1).cloned().collect(),
            strata: chosen(&sv.strata),
        };
        let cox = CoxSpec {
            time: spec.time.clone(),
            event: spec.event.clone(),
            event_level: sv.event_level.clone(),
            variables: spec.groups.iter().chain(&sv.cox_extra).cloned().collect(),
            ordinal: Vec::new(),
            strata: None,
            cluster: chosen(&sv.cluster),
            ties: sv.ties,
            conf_level: CONF_LEVEL,
        };
        Ok(Some(SurvivalStep {
            at: sv.at.clone(),
            transform: sv.transform,
            rho: sv.rho,
            rmst: sv.rmst,
            cox: (!cox.variables.is_empty()).then_some(cox),
            cohort: sv.cohort,
            cross: sv.groups.get(1).cloned(),
            // The event code of the form is the event of interest.
            competing: sv.competing.clone().map(|mut c| {
                if let Some(l) = &spec.event_level {
                    c.event_level = l.clone();
                }
                c
            }),
            spec,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_settings_round_trip() {
        let s = StudySettings::example();
        let d = Draft::from_settings(s.clone());
        assert_eq!(d.to_settings(s.dataset.clone()), Ok(s));
    }

    #[test]
    fn a_step_without_its_key_role_is_left_out() {
        let s = StudySettings::example();
        let mut d = Draft::from_settings(s.clone());
        d.table1.group = None;
        d.regression.outcome = Some(String::new());
        d.survival.event = None;
        let out = d.to_settings(s.dataset).unwrap();
        assert_eq!(out.table1, None);
        assert_eq!(out.regression, None);
        assert_eq!(out.survival, None);
        assert!(out.matching.is_some());
    }

    #[test]
    fn settings_without_a_step_clear_only_its_key_role() {
        let mut d = Draft::from_settings(StudySettings::example());
        let kept = d.table1.variables.clone();
        d.apply(StudySettings {
            table1: None,
            survival: None,
            ..StudySettings::example()
        });
        assert_eq!(d.table1.group, None);
        assert_eq!(d.table1.variables, kept);
        assert_eq!(d.survival.time, None);
        assert_eq!(d.survival.event.as_deref(), Some("idfs_event"));
    }

    #[test]
    fn a_bad_field_is_named() {
        let s = StudySettings::example();
        let mut d = Draft::from_settings(s.clone());
        d.survival.at = vec![12.0, f64::NAN];
        let e = d.to_settings(s.dataset.clone()).unwrap_err();
        assert_eq!(e.field, "survival.at");
        assert!(e.to_string().starts_with("survival.at: "), "{e}");

        let mut d = Draft::from_settings(s.clone());
        d.survival.rmst = Some(RmstHorizon::At(-1.0));
        assert_eq!(
            d.to_settings(s.dataset.clone()).unwrap_err().field,
            "survival.rmst"
        );

        let mut d = Draft::from_settings(s.clone());
        d.regression.threshold = Some(1.5);
        assert_eq!(
            d.to_settings(s.dataset.clone()).unwrap_err().field,
            "regression.threshold"
        );

        // The study's confidence level: kept, and refused outside (0, 1).
        let mut d = Draft::from_settings(s.clone());
        d.conf_level = 0.9;
        assert_eq!(d.to_settings(s.dataset.clone()).unwrap().conf_level, 0.9);
        for bad in [1.0, 0.0, f64::NAN, 95.0] {
            d.conf_level = bad;
            assert_eq!(
                d.to_settings(s.dataset.clone()).unwrap_err().field,
                "conf_level"
            );
        }
    }

    #[test]
    fn the_defaults_are_the_engines() {
        let d = Draft::default();
        assert_eq!(d.survival.at, LANDMARKS_MONTHS.to_vec());
        assert_eq!(d.regression.threshold, Some(DEFAULT_THRESHOLD));
    }
}

//! The study's settings: everything that defines an analysis, saved by the
//! page, loaded again by the page or by `cohortlab run`, validated in one
//! step ([`StudySettings::from_json`], [`StudySettings::validate`]).

use serde::{Deserialize, Serialize};

use super::validate;
use super::StudyError;
use crate::engine::competing::{CifVariance, CompetingCovariates, CompetingSpec};
use crate::engine::data::DatasetSpec;
use crate::engine::defaults;
use crate::engine::design::{check_roles, Roles};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::survival::{CiTransform, CoxSpec, RmstHorizon, SurvivalSpec};
use crate::engine::table1::Table1Spec;
use crate::engine::Diagnostic;

/// The regression step: the univariate screen of `spec.variables`, then a
/// multivariable model of those with univariate P below `threshold` (all
/// of them when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionStep {
    pub spec: LogisticSpec,
    #[serde(default)]
    pub threshold: Option<f64>,
}

fn default_at() -> Vec<f64> {
    defaults::LANDMARKS_MONTHS.to_vec()
}

/// The survival step: curves, landmarks, the log-rank (rho = 0) or
/// Peto-Peto (rho = 1) test, and a Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalStep {
    pub spec: SurvivalSpec,
    #[serde(default = "default_at")]
    pub at: Vec<f64>,
    #[serde(default)]
    pub transform: CiTransform,
    #[serde(default)]
    pub rho: f64,
    /// The restricted mean survival time up to this horizon (a time, or
    /// `"auto"`: survRM2's default), per group and compared between the
    /// groups (difference and ratio, as survRM2).
    #[serde(default)]
    pub rmst: Option<RmstHorizon>,
    #[serde(default)]
    pub cox: Option<CoxSpec>,
    /// The patients analysed: the matched cohort (the default; all
    /// patients when there is no matching) or all patients.
    #[serde(default)]
    pub cohort: StudyCohort,
    /// Curves again by the groups crossed with this variable (e.g. marking
    /// x pCR, the model study's Figure 1H).
    #[serde(default)]
    pub cross: Option<String>,
    /// A competing-risks analysis of the same time and status column
    /// (left out of the file when not asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub competing: Option<CompetingStep>,
}

/// The competing-risks part of the survival step: the cumulative
/// incidence of each cause by the curves' first group (one curve without
/// groups) at the step's landmark times, Gray's test, and the Fine-Gray
/// and cause-specific Cox models, on the step's cohort, at the study's
/// confidence level. The status is the step's event column; its levels
/// other than these are censored. When the curves or the Cox model name
/// no event level, they take `event_level` (the one event of interest);
/// when they name one, it must be this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingStep {
    /// The level of the event of interest.
    pub event_level: String,
    /// The levels meaning a competing event (one or more).
    pub competing_levels: Vec<String>,
    /// The variance of the incidence's SEs and CIs (default survfit's; the
    /// CI transform is the variance's default).
    #[serde(default)]
    pub variance: CifVariance,
    /// The models' covariates; `None`: the Cox model's variables, ordinal
    /// ones and cluster, when there is a Cox model (no models otherwise); no
    /// variables: no models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covariates: Option<CompetingCovariates>,
}

impl SurvivalStep {
    /// The curves' options at the study's confidence level.
    pub fn options(&self, conf_level: f64) -> crate::engine::survival::SurvivalOptions<'_> {
        crate::engine::survival::SurvivalOptions {
            transform: self.transform,
            conf_level,
            at: &self.at,
            rho: self.rho,
            rmst: self.rmst.and_then(RmstHorizon::chosen),
        }
    }

    /// The step with the event of interest of the competing-risks analysis
    /// given to the curves and the Cox model where they name none.
    pub fn resolved(&self) -> SurvivalStep {
        let mut s = self.clone();
        if let Some(c) = &self.competing {
            s.spec
                .event_level
                .get_or_insert_with(|| c.event_level.clone());
            if let Some(cox) = &mut s.cox {
                cox.event_level.get_or_insert_with(|| c.event_level.clone());
            }
        }
        s
    }

    /// The competing-risks outcome, when asked for: the step's time and
    /// status, compared by its first group.
    pub fn competing_spec(&self) -> Option<CompetingSpec> {
        self.competing.as_ref().map(|c| CompetingSpec {
            time: self.spec.time.clone(),
            status: self.spec.event.clone(),
            event_level: c.event_level.clone(),
            competing_levels: c.competing_levels.clone(),
            group: self.spec.groups.first().cloned(),
        })
    }

    /// The competing-risks models' covariates, when there are models.
    pub fn competing_covariates(&self) -> Option<CompetingCovariates> {
        let c = self.competing.as_ref()?;
        let covariates = match (&c.covariates, &self.cox) {
            (Some(v), _) => v.clone(),
            (None, Some(cox)) => CompetingCovariates {
                variables: cox.variables.clone(),
                ordinal: cox.ordinal.clone(),
                // Clustered as the Cox model (by matched set, the model
                // study's): Fine-Gray SEs as crrSC::crrc.
                cluster: cox.cluster.clone(),
            },
            (None, None) => return None,
        };
        (!covariates.variables.is_empty()).then_some(covariates)
    }
}

/// Which patients a step analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StudyCohort {
    #[default]
    Matched,
    All,
}

impl StudyCohort {
    pub fn as_str(self) -> &'static str {
        match self {
            StudyCohort::Matched => "matched",
            StudyCohort::All => "all",
        }
    }
}

impl std::fmt::Display for StudyCohort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Name of the matched-set column added to the matched cohort (as in
/// MatchIt's `match.data` and matched.csv).
pub const MATCHED_SET_COLUMN: &str = "subclass";

/// Everything that defines an analysis: saved by the page, loaded again by
/// the page or by `cohortlab run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySettings {
    /// The format's version (1).
    pub cohortlab_settings: u32,
    #[serde(default)]
    pub dataset: DatasetSpec,
    #[serde(default)]
    pub table1: Option<Table1Spec>,
    #[serde(default)]
    pub regression: Option<RegressionStep>,
    #[serde(default)]
    pub matching: Option<MatchSpec>,
    /// Binary outcomes compared between the groups (in the matched cohort
    /// when there is a matching).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// The outcomes again within each level of this variable.
    #[serde(default)]
    pub subgroup: Option<String>,
    #[serde(default)]
    pub survival: Option<SurvivalStep>,
    /// Weighting beside the matching, E-values and Rosenbaum bounds (left
    /// out of the file when not asked for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<super::SensitivityStep>,
    /// Let an outcome or the event be a covariate of the propensity model
    /// (refused otherwise: it is measured after the treatment); a warning
    /// names it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_outcome_covariates: bool,
    /// The confidence level of every interval of the study (default 0.95;
    /// left out of the file at the default). A study uses it for every
    /// step, the regression's own `conf_level` included.
    #[serde(
        default = "defaults::conf_level",
        skip_serializing_if = "defaults::is_conf_level"
    )]
    pub conf_level: f64,
}

pub const SETTINGS_VERSION: u32 = 1;

impl StudySettings {
    /// The model study on the built-in example.
    pub fn example() -> Self {
        use crate::engine::example::*;
        let cox = CoxSpec {
            time: "idfs_months".into(),
            event: "idfs_event".into(),
            event_level: None,
            variables: vec!["seed_marking".into()],
            ordinal: Vec::new(),
            strata: None,
            cluster: Some(MATCHED_SET_COLUMN.into()),
            ties: Default::default(),
            conf_level: defaults::CONF_LEVEL,
        };
        Self {
            cohortlab_settings: SETTINGS_VERSION,
            dataset: example_spec(),
            table1: Some(example_table1_spec()),
            regression: Some(RegressionStep {
                spec: example_logistic_spec(),
                threshold: Some(0.05),
            }),
            matching: Some(example_match_spec()),
            outcomes: vec!["tpcr".into(), "bpcr".into(), "apcr".into()],
            subgroup: Some("subtype".into()),
            survival: Some(SurvivalStep {
                spec: SurvivalSpec {
                    time: "idfs_months".into(),
                    event: "idfs_event".into(),
                    event_level: None,
                    groups: vec!["seed_marking".into()],
                    strata: None,
                },
                at: defaults::LANDMARKS_MONTHS.to_vec(),
                transform: CiTransform::Log,
                rho: 0.0,
                rmst: None,
                cox: Some(cox),
                cohort: StudyCohort::Matched,
                cross: Some("tpcr".into()),
                competing: None,
            }),
            sensitivity: None,
            allow_outcome_covariates: false,
            conf_level: defaults::CONF_LEVEL,
        }
    }

    /// Reads settings (JSON), saying what is wrong and where. A file
    /// without the study's `conf_level` (as files were before it existed)
    /// takes the regression's.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let mut s: Self = serde_json::from_str(text).map_err(|e| {
            format!(
                "the settings file is not valid (line {}, column {}): {e}",
                e.line(),
                e.column()
            )
        })?;
        if s.cohortlab_settings != SETTINGS_VERSION {
            return Err(format!(
                "settings version {} is not supported (this is version {SETTINGS_VERSION})",
                s.cohortlab_settings
            ));
        }
        validate::settings(&s)?;
        /// Whether the file names the study's level itself.
        #[derive(Deserialize)]
        struct Given {
            conf_level: Option<serde::de::IgnoredAny>,
        }
        let given = serde_json::from_str::<Given>(text).is_ok_and(|g| g.conf_level.is_some());
        if let Some(r) = s.regression.as_ref().filter(|_| !given) {
            s.conf_level = r.spec.conf_level;
        }
        Ok(s)
    }

    /// The settings with the study's confidence level in every step that
    /// has its own (the regression's, the Cox model's): a study reports
    /// every interval at one level.
    pub fn levelled(&self) -> StudySettings {
        let mut s = self.clone();
        if let Some(r) = &mut s.regression {
            r.spec.conf_level = s.conf_level;
        }
        if let Some(v) = s.survival.as_mut() {
            *v = v.resolved();
        }
        if let Some(c) = s.survival.as_mut().and_then(|v| v.cox.as_mut()) {
            c.conf_level = s.conf_level;
        }
        s
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl StudySettings {
    /// The roles the settings give, as [`check_roles`] reads them.
    pub fn roles(&self) -> Roles<'_> {
        let mut outcomes: Vec<&str> = self.outcomes.iter().map(String::as_str).collect();
        if let Some(r) = &self.regression {
            outcomes.push(&r.spec.outcome);
        }
        let treatment = self
            .matching
            .as_ref()
            .map(|m| m.treatment.as_str())
            .or(self.table1.as_ref().map(|t| t.group.as_str()));
        let survival = self.survival.as_ref().map(|s| &s.spec);
        Roles {
            treatment,
            covariates: self.matching.as_ref().map_or(&[], |m| &m.covariates[..]),
            outcomes,
            time: survival.map(|s| s.time.as_str()),
            event: survival.map(|s| s.event.as_str()),
            allow_outcome_covariates: self.allow_outcome_covariates,
        }
    }

    /// Refuses roles that contradict each other on this dataset; the
    /// warnings are what an explicit override allowed.
    pub fn check(&self, ds: &crate::engine::data::Dataset) -> Result<Vec<Diagnostic>, StudyError> {
        let allowed = check_roles(ds, &self.roles())?;
        validate::settings_on(self, ds).map_err(StudyError::Settings)?;
        Ok(allowed)
    }
}

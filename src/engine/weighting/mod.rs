//! Propensity-score weighting, shaped like WeightIt's
//! `weightit(method = "glm")`, with cobalt's balance statistics and
//! `survey::svyglm`'s weighted outcomes.
//!
//! # Method
//! 1. The propensity score e = P(treated | covariates) is the fitted
//!    probability of the matching's logistic model (the same function, so
//!    the scores equal the matching's exactly).
//! 2. Trimming (`trim = q`, 0 < q < 0.5; Crump, Hotz, Imbens & Mitnik 2009,
//!    Biometrika 96:187): patients with e outside [q, 1 - q] are left out
//!    (weight 0), counted in [`WeightResult::trimmed`] and named in a
//!    diagnostic. The model is **not** refitted without them.
//! 3. Weights by [`Estimand`], treated / control (WeightIt's
//!    `get_w_from_ps`):
//!    - ATE: 1/e, 1/(1 - e) (inverse probability of treatment weights);
//!    - ATT: 1, e/(1 - e);
//!    - ATO: 1 - e, e (overlap weights; Li, Morgan & Zaslavsky 2018,
//!      JASA 113:390);
//!    - ATM: min(e, 1 - e)/e, min(e, 1 - e)/(1 - e), i.e. 1 for a patient
//!      whose group is the less likely one (matching weights; Li & Greene
//!      2013, Int J Biostat 9:215).
//!
//!    A score of exactly 0 or 1 gives no finite ATE or ATT weight: those
//!    patients get weight 0 and a diagnostic (`Code::InfiniteWeight`).
//! 4. Stabilised weights (ATE only, as WeightIt allows): each weight times
//!    the proportion of the (kept) patients in the group received, so the
//!    weights of a group sum to about its size (Robins, Hernán & Brumback
//!    2000). Asked with another estimand, it is ignored with a diagnostic.
//! 5. Truncation (`truncate = p`, 0.5 < p < 1), as WeightIt's
//!    `trim(w, at = p)`: weights above their p-th quantile (R's
//!    `quantile(type = 3)`, over both groups, or over the controls only
//!    for the ATT, whose treated are not weighted) are set to it; counted
//!    in [`WeightResult::truncated`].
//! 6. Per group, the effective sample size of Kish,
//!    ESS = (Σw)²/Σw², as cobalt prints it.
//! 7. Diagnostics about extreme weights (our choice of thresholds, in the
//!    spirit of Cole & Hernán 2008, Am J Epidemiol 168:656, and Austin &
//!    Stuart 2015, Stat Med 34:3661): a group whose ESS is below half its
//!    number of weighted patients (`Code::LowEffectiveSampleSize`), and a
//!    group whose largest weight is over 10 times its mean weight
//!    (`Code::ExtremeWeights`).
//!
//! Balance ([`weighted_balance`]), outcomes ([`weighted_outcome`]) and the
//! weighted Table 1 ([`weighted_table1`]) and the doubly robust estimate
//! ([`doubly_robust`]: the weighted outcome model with the covariates,
//! then g-computation) have their formulas in their own modules.

mod balance;
mod doubly_robust;
mod outcome;
mod table1;
mod weights;

use serde::{Deserialize, Serialize};

pub use crate::engine::matching::SmdDenominator;
pub use balance::{weighted_balance, WeightedBalance};
pub use doubly_robust::{doubly_robust, DoublyRobust, ModelTerm};
pub use outcome::{weighted_outcome, WeightedOutcome};
pub use table1::{weighted_table1, weighted_table1_tested};

use crate::engine::data::Dataset;
use crate::engine::matching::{propensity_model, GroupCounts, MatchSpec};
use crate::engine::regression::{LogisticFit, RegressionError};
use crate::engine::Diagnostic;

/// WeightIt's estimands for `method = "glm"`: the population the effect
/// is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Estimand {
    /// The average effect in the whole cohort (inverse probability
    /// weights).
    #[default]
    Ate,
    /// The average effect in the treated patients.
    Att,
    /// The effect where the groups overlap most (overlap weights).
    Ato,
    /// The effect in a population like a matched one (matching weights).
    Atm,
}

impl Estimand {
    pub fn as_str(self) -> &'static str {
        match self {
            Estimand::Ate => "ate",
            Estimand::Att => "att",
            Estimand::Ato => "ato",
            Estimand::Atm => "atm",
        }
    }

    /// What the estimand means, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Estimand::Ate => "ATE: the effect in the whole cohort (inverse probability weights)",
            Estimand::Att => {
                "ATT: the effect in the treated patients (controls weighted e/(1 - e))"
            }
            Estimand::Ato => "ATO: the effect where the groups overlap most (overlap weights)",
            Estimand::Atm => "ATM: the effect in a matched-like population (matching weights)",
        }
    }

    /// The SMD denominator cobalt uses by default for this estimand and a
    /// binary treatment.
    pub fn smd_denominator(self) -> SmdDenominator {
        match self {
            Estimand::Ate => SmdDenominator::Pooled,
            Estimand::Att => SmdDenominator::Treated,
            Estimand::Ato | Estimand::Atm => SmdDenominator::Weighted,
        }
    }
}

/// The weighting options the study settings save.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct WeightOptions {
    pub estimand: Estimand,
    /// Stabilised weights (ATE only).
    pub stabilize: bool,
    /// Leave out patients with a score outside [q, 1 - q], 0 < q < 0.5.
    pub trim: Option<f64>,
    /// Cap weights at their p-th quantile, 0.5 < p < 1.
    pub truncate: Option<f64>,
}

/// Everything that defines a weighting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightSpec {
    /// The treatment column (binary).
    pub treatment: String,
    /// The level meaning "treated" (default: the non-reference level).
    #[serde(default)]
    pub treated_level: Option<String>,
    /// Covariates of the propensity model.
    pub covariates: Vec<String>,
    /// Categorical covariates entered as ordinal scores.
    #[serde(default)]
    pub ordinal: Vec<String>,
    #[serde(default)]
    pub options: WeightOptions,
}

impl WeightSpec {
    /// The same propensity model as the matching `spec`.
    pub fn from_match(spec: &MatchSpec, options: WeightOptions) -> Self {
        Self {
            treatment: spec.treatment.clone(),
            treated_level: spec.treated_level.clone(),
            covariates: spec.covariates.clone(),
            ordinal: spec.ordinal.clone(),
            options,
        }
    }

    /// A matching spec with this propensity model (its other fields are
    /// the defaults and unused).
    fn model_spec(&self) -> MatchSpec {
        let mut m = MatchSpec::new(&self.treatment, &[]);
        m.treated_level = self.treated_level.clone();
        m.covariates = self.covariates.clone();
        m.ordinal = self.ordinal.clone();
        m
    }
}

/// The weights of one group (patients with a positive weight).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupWeights {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub sum: f64,
    /// Kish's effective sample size (Σw)²/Σw², as cobalt prints it.
    pub ess: f64,
}

/// A weighting: the model, per-patient scores and weights, and summaries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightResult {
    pub spec: WeightSpec,
    pub model: LogisticFit,
    /// Per dataset row: the propensity score (NaN when not in the model).
    pub ps: Vec<f64>,
    /// Per row: treated, control, or `None` when not in the model.
    pub treated: Vec<Option<bool>>,
    /// Per row: the weight (0 when not in the model, trimmed, or with a
    /// score of 0 or 1 that gives no finite weight).
    pub weights: Vec<f64>,
    pub treated_weights: GroupWeights,
    pub control_weights: GroupWeights,
    /// Patients left out by `trim`.
    pub trimmed: GroupCounts,
    /// Weights capped by `truncate`.
    pub truncated: usize,
    /// Patients whose score of 0 or 1 gives no finite weight (weight 0).
    pub infinite: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why weighting could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightError {
    #[error("the propensity model could not be fitted: {0}")]
    Model(RegressionError),
    #[error("the outcome could not be analysed: {0}")]
    Outcome(RegressionError),
    #[error(transparent)]
    Roles(#[from] crate::engine::design::RoleConflict),
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
    #[error("the trimming threshold must be between 0 and 0.5 (scores outside [q, 1 - q] are left out); it is {0}")]
    BadTrim(f64),
    #[error("the truncation percentile must be between 0.5 and 1 (e.g. 0.99); it is {0}")]
    BadTruncate(f64),
    #[error("the confidence level must be between 0 and 1; it is {0}")]
    BadConfLevel(f64),
    #[error("the doubly robust estimate of `{outcome}` needs patients with and without the outcome in each group: {events} of the {patients} {group} patient(s) with a weight have it")]
    OutcomeConstantInGroup {
        outcome: String,
        group: &'static str,
        events: usize,
        patients: usize,
    },
    #[error("the doubly robust estimate of `{outcome}` cannot be made: the covariates separate the outcome in its weighted model ({}: the fit diverges)", .terms.join(", "))]
    OutcomeSeparation { outcome: String, terms: Vec<String> },
}

impl WeightError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            WeightError::Model(RegressionError::OutcomeNotBinary { .. }) => {
                "Choose a binary treatment column (two groups, e.g. yes/no).".into()
            }
            WeightError::Model(RegressionError::TextVariable(c)) => format!(
                "Choose covariates without text columns: leave `{c}` out, or set its kind to categorical if its texts are groups."
            ),
            WeightError::Model(RegressionError::NoVariation { .. }) => {
                "Check the treatment column (binary) and the covariates: the patients with every covariate are all in one group.".into()
            }
            WeightError::Model(e) | WeightError::Outcome(e) => e.hint(),
            WeightError::Roles(e) => e.hint(),
            WeightError::UnknownColumn(_) => {
                "Check the spelling of the column's name (the Data step, or `cohortlab inspect FILE`, lists the columns).".into()
            }
            WeightError::BadTrim(_) => {
                "Give q between 0 and 0.5: 0.1 (Crump et al.'s rule of thumb) keeps the patients with scores from 0.1 to 0.9.".into()
            }
            WeightError::BadTruncate(_) => {
                "Give the percentile as a fraction between 0.5 and 1: 0.99 caps the weights at their 99th percentile.".into()
            }
            WeightError::BadConfLevel(_) => "Give the level as a fraction, e.g. 0.95.".into(),
            WeightError::OutcomeConstantInGroup { .. } => {
                "The weighted risks and their difference are still shown beside it; a model cannot compare a group whose risk is 0 or 100%.".into()
            }
            WeightError::OutcomeSeparation { .. } => {
                "Leave out of the propensity model the covariate that predicts the outcome perfectly, or merge its levels.".into()
            }
        }
    }

    /// The model's error, with an unknown column named as such.
    fn model(e: RegressionError) -> Self {
        match e {
            RegressionError::UnknownColumn(c) => WeightError::UnknownColumn(c),
            e => WeightError::Model(e),
        }
    }
}

impl WeightOptions {
    /// Refuses a trimming or truncation threshold out of its range.
    fn check(&self) -> Result<(), WeightError> {
        if let Some(q) = self.trim {
            if !(q > 0.0 && q < 0.5) {
                return Err(WeightError::BadTrim(q));
            }
        }
        if let Some(p) = self.truncate {
            if !(p > 0.5 && p < 1.0) {
                return Err(WeightError::BadTruncate(p));
            }
        }
        Ok(())
    }
}

/// Fits the propensity model and weights the patients.
pub fn weight_patients(ds: &Dataset, spec: &WeightSpec) -> Result<WeightResult, WeightError> {
    spec.options.check()?;
    for c in std::iter::once(&spec.treatment).chain(&spec.covariates) {
        if ds.column(c).is_none() {
            return Err(WeightError::UnknownColumn(c.clone()));
        }
    }
    let mut diagnostics = crate::engine::design::check_roles(
        ds,
        &crate::engine::design::Roles {
            treatment: Some(&spec.treatment),
            covariates: &spec.covariates,
            ..Default::default()
        },
    )?;
    let model = propensity_model(ds, &spec.model_spec()).map_err(WeightError::model)?;
    let (y, _) = crate::engine::regression::outcome_values(
        ds,
        &spec.treatment,
        spec.treated_level.as_deref(),
    )
    .map_err(WeightError::model)?;
    let ps = model.fitted.clone();
    let treated: Vec<Option<bool>> = (0..ds.n_rows)
        .map(|i| {
            if ps.get(i).is_some_and(|p| !p.is_nan()) {
                y.get(i).copied().flatten().map(|v| v == 1.0)
            } else {
                None
            }
        })
        .collect();
    let computed = weights::compute(&ps, &treated, &spec.options);
    diagnostics.extend(model.diagnostics.iter().cloned());
    diagnostics.extend(computed.diagnostics);
    let treated_weights = weights::group(&computed.weights, &treated, true);
    let control_weights = weights::group(&computed.weights, &treated, false);
    diagnostics.extend(weights::extreme_warnings(
        spec.options.estimand,
        &[("treated", &treated_weights), ("control", &control_weights)],
    ));
    Ok(WeightResult {
        spec: spec.clone(),
        model,
        ps,
        treated,
        weights: computed.weights,
        treated_weights,
        control_weights,
        trimmed: computed.trimmed,
        truncated: computed.truncated,
        infinite: computed.infinite,
        diagnostics,
    })
}

#[cfg(test)]
mod tests;

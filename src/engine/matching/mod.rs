//! Propensity scores and greedy nearest-neighbour matching, shaped like
//! MatchIt's `matchit(method = "nearest")` and reproducing its matched sets.
//!
//! # Method
//! 1. The propensity score is the fitted probability of a logistic
//!    regression of the treatment on the covariates (`regression`); the
//!    distance is the score or its logit ([`DistanceScale`]).
//! 2. Treated patients are visited in the chosen order ([`MatchOrder`];
//!    ties in data order). Matching goes in rounds: every treated patient
//!    gets a first control before any gets a second (MatchIt). In each
//!    round a treated patient takes the nearest control on the distance
//!    that is still free (without replacement), in the same stratum of the
//!    exact-matching variables and inside the caliper; of two controls at
//!    the same distance, the one with the lower score; of controls with
//!    the same score, the first in data order. A treated patient that finds
//!    none stays as it is (unmatched if it has no control at all).
//! 3. The caliper is absolute or in SD units of the distance over all
//!    patients in the model (MatchIt's `std.caliper = TRUE`); Austin (2011,
//!    Pharm Stat 10:150) recommends 0.2 SD of the logit.
//! 4. Weights as MatchIt's for the ATT: 1 for matched treated; a control
//!    gets 1/k for each set of k controls it is in, and control weights are
//!    scaled to sum to the number of matched controls. `subclass` numbers
//!    the matched sets in data order of their treated patient.
//!
//! Reference: Ho, Imai, King, Stuart (2007), Political Analysis 15:199.

mod balance;
mod nearest;
mod stability;

use crate::engine::Code;
use serde::{Deserialize, Serialize};

pub(crate) use balance::balance_with;
pub use balance::{balance, BalanceRow, BalanceStats, SmdDenominator};
pub use nearest::{nearest_neighbour, NearestParams};
pub use stability::{outcome_difference, stability, Stability, StabilityRun};

use crate::engine::data::{Dataset, LevelError};
use crate::engine::defaults::{CALIPER_SD, CONF_LEVEL, MAX_RATIO};
use crate::engine::regression::{
    fit_logistic_with, Extras, LogisticFit, LogisticSpec, RegressionError,
};
use crate::engine::Diagnostic;

/// The scale of the distance matched on (and of the caliper).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DistanceScale {
    /// The logit of the score (MatchIt `link = "linear.logit"`); Austin's
    /// recommendation for the caliper.
    #[default]
    Logit,
    /// The score itself (MatchIt's default `distance = "glm"`).
    Probability,
}

impl DistanceScale {
    pub const ALL: [DistanceScale; 2] = [DistanceScale::Logit, DistanceScale::Probability];

    pub fn as_str(self) -> &'static str {
        match self {
            DistanceScale::Logit => "logit",
            DistanceScale::Probability => "probability",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The caliper: the largest distance allowed between a treated patient
/// and its controls.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "width")]
pub enum Caliper {
    None,
    /// In standard deviations of the distance over all patients.
    Sd(f64),
    /// In units of the distance.
    Absolute(f64),
}

impl Default for Caliper {
    fn default() -> Self {
        Caliper::Sd(CALIPER_SD)
    }
}

/// The order in which treated patients choose their controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "type", content = "seed")]
pub enum MatchOrder {
    /// Highest score first (MatchIt's default).
    #[default]
    Largest,
    Smallest,
    /// A random order from a seed (our generator, not R's).
    Random(u64),
    /// The order of the rows in the file.
    Data,
}

impl MatchOrder {
    /// From its name; `seed` is used by `random`.
    pub fn parse(s: &str, seed: u64) -> Option<Self> {
        match s {
            "largest" => Some(MatchOrder::Largest),
            "smallest" => Some(MatchOrder::Smallest),
            "random" => Some(MatchOrder::Random(seed)),
            "data" => Some(MatchOrder::Data),
            _ => None,
        }
    }

    /// The same order, random ones drawn from `seed` (the others have none).
    pub fn with_seed(self, seed: u64) -> Self {
        match self {
            MatchOrder::Random(_) => MatchOrder::Random(seed),
            other => other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MatchOrder::Largest => "largest",
            MatchOrder::Smallest => "smallest",
            MatchOrder::Random(_) => "random",
            MatchOrder::Data => "data",
        }
    }
}

/// Everything that defines a matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchSpec {
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
    /// Controls per treated patient, 1 to [`MAX_RATIO`]. Default 1.
    pub ratio: usize,
    /// Whether a control may serve several treated patients. Default false.
    #[serde(default)]
    pub replace: bool,
    /// Default [`CALIPER_SD`] SD (of the logit with the default scale).
    #[serde(default)]
    pub caliper: Caliper,
    #[serde(default)]
    pub scale: DistanceScale,
    #[serde(default)]
    pub order: MatchOrder,
    /// Categorical variables matched exactly.
    #[serde(default)]
    pub exact: Vec<String>,
}

impl MatchSpec {
    /// 1:1 matching of `treatment` on `covariates` with the defaults.
    pub fn new(treatment: &str, covariates: &[&str]) -> Self {
        Self {
            treatment: treatment.to_owned(),
            treated_level: None,
            covariates: covariates.iter().map(|s| s.to_string()).collect(),
            ordinal: Vec::new(),
            ratio: 1,
            replace: false,
            caliper: Caliper::default(),
            scale: DistanceScale::default(),
            order: MatchOrder::default(),
            exact: Vec::new(),
        }
    }
}

/// Why matching could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    #[error("the propensity model could not be fitted: {0}")]
    Model(#[from] RegressionError),
    #[error("the ratio must be between 1 and {}; it is {}", MAX_RATIO, .0)]
    BadRatio(usize),
    #[error("the caliper must be a positive number; it is {0}")]
    BadCaliper(f64),
    #[error("exact matching: {0}")]
    Exact(#[from] LevelError),
    #[error(transparent)]
    Roles(#[from] crate::engine::design::RoleConflict),
    #[error("there is no column `{0}`")]
    UnknownColumn(String),
}

impl MatchError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            MatchError::Model(RegressionError::OutcomeNotBinary { .. }) => {
                "Choose a binary treatment column (two groups, e.g. yes/no).".into()
            }
            MatchError::Model(RegressionError::TextVariable(c)) => format!(
                "Choose covariates without text columns: leave `{c}` out, or set its kind to categorical if its texts are groups."
            ),
            MatchError::Model(RegressionError::NoVariation { .. }) => {
                "Check the treatment column (binary) and the covariates: the patients with every covariate are all in one group.".into()
            }
            MatchError::Model(e) => e.hint(),
            MatchError::BadRatio(_) => {
                format!("Choose 1 to {MAX_RATIO} controls per treated patient.")
            }
            MatchError::BadCaliper(_) => format!(
                "Give the caliper as a positive number ({CALIPER_SD} SD of the logit is usual), or match without one."
            ),
            MatchError::Exact(e) => e.hint(),
            MatchError::Roles(e) => e.hint(),
            MatchError::UnknownColumn(_) => {
                "Check the spelling of the column's name (the Data step, or `cohortlab inspect FILE`, lists the columns).".into()
            }
        }
    }
}

/// One matched set: a treated patient and its controls (dataset rows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchedSet {
    pub treated: usize,
    pub controls: Vec<usize>,
}

/// Patients by group, as MatchIt's summary prints them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupCounts {
    pub control: usize,
    pub treated: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSizes {
    pub all: GroupCounts,
    pub matched: GroupCounts,
    pub unmatched: GroupCounts,
    /// Left out of the model for missing covariates or treatment.
    pub discarded: GroupCounts,
}

/// A matching: the model, per-patient results as MatchIt's `match.data`,
/// the matched sets, counts and diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchResult {
    pub spec: MatchSpec,
    pub model: LogisticFit,
    /// Per dataset row: the propensity score (NaN when not in the model).
    pub distance: Vec<f64>,
    /// Per row: treated (Some(true)), control, or not in the model.
    pub treated: Vec<Option<bool>>,
    /// Per row: MatchIt's ATT weight (0 when unmatched).
    pub weights: Vec<f64>,
    /// Per row: matched set number (1, 2, ...), in data order of the treated.
    pub subclass: Vec<Option<u32>>,
    pub sets: Vec<MatchedSet>,
    pub counts: SampleSizes,
    /// The caliper on the distance scale (after SD scaling), if any.
    pub caliper_width: Option<f64>,
    pub diagnostics: Vec<Diagnostic>,
}

impl MatchResult {
    pub fn is_matched(&self, row: usize) -> bool {
        self.weights.get(row).is_some_and(|&w| w > 0.0)
    }
}

fn sd(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = v.clone().count() as f64;
    let m = v.clone().sum::<f64>() / n;
    (v.map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Fits the propensity model and matches.
pub fn match_patients(ds: &Dataset, spec: &MatchSpec) -> Result<MatchResult, MatchError> {
    spec.check()?;
    crate::engine::design::check_roles(
        ds,
        &crate::engine::design::Roles {
            treatment: Some(&spec.treatment),
            covariates: &spec.covariates,
            ..Default::default()
        },
    )?;
    let model = propensity_model(ds, spec)?;
    let n = ds.n_rows;
    let (y, _) = crate::engine::regression::outcome_values(
        ds,
        &spec.treatment,
        spec.treated_level.as_deref(),
    )?;
    let distance = model.fitted.clone();
    let in_model: Vec<bool> = distance.iter().map(|d| !d.is_nan()).collect();
    let treated: Vec<Option<bool>> = (0..n)
        .map(|i| {
            if in_model[i] {
                y[i].map(|v| v == 1.0)
            } else {
                None
            }
        })
        .collect();
    let scaled: Vec<f64> = match spec.scale {
        DistanceScale::Probability => distance.clone(),
        DistanceScale::Logit => distance.iter().map(|&p| logit(p)).collect(),
    };
    let used: Vec<f64> = scaled
        .iter()
        .zip(&in_model)
        .filter(|(_, &m)| m)
        .map(|(d, _)| *d)
        .collect();
    let caliper_width = match spec.caliper {
        Caliper::None => None,
        Caliper::Sd(w) => Some(w * sd(used.iter().copied())),
        Caliper::Absolute(w) => Some(w),
    };
    let mut diagnostics = model.diagnostics.clone();
    diagnostics.extend(distance_warnings(spec, &model, caliper_width, &used));
    let strata = exact_strata(ds, &spec.exact)?;
    let params = NearestParams {
        ratio: spec.ratio,
        replace: spec.replace,
        caliper: caliper_width,
        order: spec.order,
    };
    let sets = nearest_neighbour(&scaled, &distance, &treated, &strata, &params);
    let (weights, subclass) = att_weights(&sets, &treated);
    let counts = SampleSizes::count(&y, &treated, &in_model, &weights);
    diagnostics.extend(matching_warnings(spec, &sets, &counts, caliper_width));
    Ok(MatchResult {
        spec: spec.clone(),
        model,
        distance,
        treated,
        weights,
        subclass,
        sets,
        counts,
        caliper_width,
        diagnostics,
    })
}

impl MatchSpec {
    /// Refuses a ratio or caliper that cannot be matched with.
    fn check(&self) -> Result<(), MatchError> {
        if !(1..=MAX_RATIO).contains(&self.ratio) {
            return Err(MatchError::BadRatio(self.ratio));
        }
        if let Caliper::Sd(w) | Caliper::Absolute(w) = self.caliper {
            if !(w > 0.0 && w.is_finite()) {
                return Err(MatchError::BadCaliper(w));
            }
        }
        Ok(())
    }
}

/// The logistic regression of the treatment on the covariates, with its
/// C statistic (the weighting uses the same model).
pub(crate) fn propensity_model(
    ds: &Dataset,
    spec: &MatchSpec,
) -> Result<LogisticFit, RegressionError> {
    let model_spec = LogisticSpec {
        outcome: spec.treatment.clone(),
        event: spec.treated_level.clone(),
        variables: spec.covariates.clone(),
        ordinal: spec.ordinal.clone(),
        conf_level: CONF_LEVEL,
        firth: false,
    };
    let extras = Extras {
        c_statistic: true,
        variable_tests: false,
    };
    fit_logistic_with(ds, &model_spec, extras)
}

/// Warnings about the distance: separation widening a caliper in SDs of
/// the logit, and infinite logits. `used` holds the distances of the
/// patients in the model.
fn distance_warnings(
    spec: &MatchSpec,
    model: &LogisticFit,
    caliper_width: Option<f64>,
    used: &[f64],
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let separated: Vec<&str> = model
        .terms
        .iter()
        .filter(|t| t.separation)
        .map(|t| t.term.as_str())
        .collect();
    if !separated.is_empty()
        && spec.scale == DistanceScale::Logit
        && matches!(spec.caliper, Caliper::Sd(_))
    {
        diagnostics.push(
            Diagnostic::warning(Code::PropensitySeparation,
                None,
                format!(
                    "the propensity model has separation ({}): those patients' logit scores are extreme and widen the caliper, which is in SDs of the logit (now {:.3})",
                    separated.join(", "),
                    caliper_width.unwrap_or(f64::NAN)
                ),
            )
            .with_hint("Merge the level with another or leave the covariate out of the propensity model, or use the probability scale."),
        );
    }
    if caliper_width.is_some_and(|c| !c.is_finite()) || used.iter().any(|d| !d.is_finite()) {
        diagnostics.push(
            Diagnostic::warning(Code::InfiniteLogit, None, "some propensity scores are 0 or 1 (separation in the model), so their logit is infinite")
                .with_hint("Leave out or merge the covariate level that has no treated (or no control) patient."),
        );
    }
    diagnostics
}

/// Per row, the stratum of the exact-matching variables (0 without any).
fn exact_strata(ds: &Dataset, exact: &[String]) -> Result<Vec<u64>, MatchError> {
    let mut strata: Vec<u64> = vec![0; ds.n_rows];
    for var in exact {
        let col = ds
            .column(var)
            .ok_or_else(|| MatchError::UnknownColumn(var.clone()))?;
        // Numeric codes (a centre number) are levels too.
        let lv = col.levels()?;
        // Strata numbered densely as they come, so any number of variables
        // and levels fits.
        let mut ids: std::collections::HashMap<(u64, u32), u64> = Default::default();
        for (s, &c) in strata.iter_mut().zip(lv.codes.iter()) {
            let next = ids.len() as u64;
            *s = *ids.entry((*s, c)).or_insert(next);
        }
    }
    Ok(strata)
}

/// MatchIt's ATT weights and the set number of each row, sets numbered in
/// data order of their treated patient.
fn att_weights(sets: &[MatchedSet], treated: &[Option<bool>]) -> (Vec<f64>, Vec<Option<u32>>) {
    let n = treated.len();
    let mut weights = vec![0.0; n];
    let mut subclass = vec![None; n];
    let mut ordered: Vec<&MatchedSet> = sets.iter().collect();
    ordered.sort_by_key(|s| s.treated);
    for (k, set) in ordered.iter().enumerate() {
        weights[set.treated] = 1.0;
        subclass[set.treated] = Some(k as u32 + 1);
        for &c in &set.controls {
            weights[c] += 1.0 / set.controls.len() as f64;
            subclass[c] = Some(k as u32 + 1);
        }
    }
    let control_rows: Vec<usize> = (0..n)
        .filter(|&i| treated[i] == Some(false) && weights[i] > 0.0)
        .collect();
    let total: f64 = control_rows.iter().map(|&i| weights[i]).sum();
    if total > 0.0 {
        let scale = control_rows.len() as f64 / total;
        for &i in &control_rows {
            weights[i] *= scale;
        }
    }
    (weights, subclass)
}

impl SampleSizes {
    /// The counts of a matching: `y` the treatment as 0/1, `treated` per row
    /// in the model, `weights` the ATT weights.
    fn count(
        y: &[Option<f64>],
        treated: &[Option<bool>],
        in_model: &[bool],
        weights: &[f64],
    ) -> SampleSizes {
        let n = treated.len();
        let count = |f: &dyn Fn(usize) -> bool| GroupCounts {
            control: (0..n)
                .filter(|&i| treated[i] == Some(false) && f(i))
                .count(),
            treated: (0..n).filter(|&i| treated[i] == Some(true) && f(i)).count(),
        };
        let all = count(&|_| true);
        let matched = count(&|i| weights[i] > 0.0);
        let discarded = GroupCounts {
            control: (0..n)
                .filter(|&i| y[i] == Some(0.0) && !in_model[i])
                .count(),
            treated: (0..n)
                .filter(|&i| y[i] == Some(1.0) && !in_model[i])
                .count(),
        };
        SampleSizes {
            all,
            matched,
            unmatched: GroupCounts {
                control: all.control - matched.control,
                treated: all.treated - matched.treated,
            },
            discarded,
        }
    }
}

/// Notes on the matched sets: treated patients left unmatched, sets short
/// of the ratio, a control pool too small for the ratio.
fn matching_warnings(
    spec: &MatchSpec,
    sets: &[MatchedSet],
    counts: &SampleSizes,
    caliper_width: Option<f64>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let all = counts.all;
    if counts.unmatched.treated > 0 {
        diagnostics.push(
            Diagnostic::warning(Code::UnmatchedTreated,
                None,
                format!(
                    "{} of {} treated patients found no control{}",
                    counts.unmatched.treated,
                    all.treated,
                    if caliper_width.is_some() { " within the caliper" } else { "" }
                ),
            )
            .with_hint("They are left out of the matched cohort; the estimate then applies to the treated patients who were matched."),
        );
    }
    let short = sets
        .iter()
        .filter(|s| s.controls.len() < spec.ratio)
        .count();
    if short > 0 && spec.ratio > 1 {
        diagnostics.push(Diagnostic::info(
            Code::ShortMatchedSets,
            None,
            format!(
                "{short} matched set(s) have fewer than {} controls; weights account for it",
                spec.ratio
            ),
        ));
    }
    if !spec.replace && all.control < spec.ratio * all.treated {
        diagnostics.push(Diagnostic::warning(
            Code::SmallControlPool,
            None,
            format!(
                "the control pool ({}) is smaller than {} x {} treated patients",
                all.control, spec.ratio, all.treated
            ),
        ));
    }
    diagnostics
}

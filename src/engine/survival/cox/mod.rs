//! Cox proportional hazards regression, as R's `coxph`: Efron (default) or
//! Breslow handling of tied event times, strata, hazard ratios with Wald
//! CIs and P, the likelihood-ratio, Wald and score tests, robust
//! (clustered) standard errors, Harrell's concordance, and the test of
//! proportional hazards as R's `cox.zph`.
//!
//! # Method
//! Newton-Raphson on the partial log-likelihood from β = 0, with step
//! halving when the log-likelihood falls, until its relative change is
//! below [`CoxTolerances::loglik`] (see [`fit_cox`]). For d deaths tied at
//! time t with risk-set sums S₀, S₁, S₂ and death-set sums D₀, D₁, D₂ (of
//! e^η, x e^η, x xᵀ e^η), Efron uses for l = 0..d-1 the fractions
//! Sₖ - (l/d)Dₖ; Breslow uses Sₖ each time (Therneau & Grambsch 2000,
//! ch. 3).
//!
//! With case weights ([`cox_model_weighted`], R's `coxph(..., weights = ,
//! robust = TRUE)`) the sums weigh each patient by its weight, each of the
//! d terms of tied deaths by the deaths' mean weight (R's coxfit6), and
//! the variance is robust: the weighted dfbeta residuals summed by cluster
//! (`robust`; Therneau & Grambsch 2000, §7.1; Austin 2016, Stat Med
//! 35:5642). The robust score test ([`CoxFit::robust_score_chi_square`])
//! is then the test of the model.
//!
//! # Layout
//! - `input`: the model's patients from a dataset (complete cases).
//! - `fit`: the Newton-Raphson driver and the tests of the fit.
//! - `passes`: the likelihood, score and information at β.
//! - `robust`: score residuals and the clustered (sandwich) variance.
//! - `summary`: Wald CIs and P at a confidence level chosen at summary
//!   time (R's `summary(fit, conf.int = )`).
//! - `zph`: the test of proportional hazards.
//!
//! Harrell's concordance is `super::concordance`.

mod fit;
mod input;
mod passes;
mod robust;
mod summary;
mod zph;

use serde::{Deserialize, Serialize};

use crate::engine::defaults::CONF_LEVEL;
use crate::engine::numeric::Convergence;

pub use fit::{fit_cox, CoxTolerances};
pub(super) use robust::robust_score_test;
pub use zph::{cox_zph, ZphRow};

/// How tied event times are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// R and lifelines' default.
    #[default]
    Efron,
    /// SPSS and SAS's default.
    Breslow,
}

impl Ties {
    /// The name in settings and on the command line (`efron`, `breslow`).
    pub fn as_str(self) -> &'static str {
        match self {
            Ties::Efron => "efron",
            Ties::Breslow => "breslow",
        }
    }

    /// The handling named `s`, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [Ties::Efron, Ties::Breslow]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// One coefficient of a Cox model. The CI is at the fit's
/// [`CoxFit::conf_level`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxTerm {
    pub term: String,
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub hazard_ratio: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// Robust (sandwich) SE clustered by the `cluster` column, with the Wald
    /// P and CI from it (R `coxph(..., cluster = )`), when asked for.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub robust: Option<RobustTerm>,
}

/// The robust standard error of a coefficient and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RobustTerm {
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    pub ties: Ties,
    pub terms: Vec<CoxTerm>,
    /// The confidence level of the terms' CIs (R's `summary(fit, conf.int
    /// = )`); [`CoxFit::with_conf_level`] gives them at another. Left out
    /// when it is the default ([`CONF_LEVEL`]).
    #[serde(
        default = "default_conf_level",
        skip_serializing_if = "is_default_conf_level"
    )]
    pub conf_level: f64,
    /// Patients used (R's `fit$n`).
    pub n: usize,
    /// Patients left out for a missing value (R's `length(fit$na.action)`).
    #[serde(default)]
    pub dropped: usize,
    pub events: usize,
    pub log_likelihood: f64,
    pub log_likelihood_null: f64,
    pub lr_chi_square: f64,
    pub wald_chi_square: f64,
    /// The Wald test with the robust variance, when clustered or weighted
    /// (R's `summary(fit)$waldtest` then), and its P.
    pub robust_wald_chi_square: Option<f64>,
    #[serde(default)]
    pub robust_wald_p_value: Option<f64>,
    /// The robust score test, when clustered or weighted (R's
    /// `summary(fit)$robscore`): the score at β = 0 against the clustered
    /// variance of its residuals.
    #[serde(default)]
    pub robust_score_chi_square: Option<f64>,
    #[serde(default)]
    pub robust_score_p_value: Option<f64>,
    pub score_chi_square: f64,
    pub df: usize,
    pub lr_p_value: f64,
    pub wald_p_value: f64,
    pub score_p_value: f64,
    pub concordance: f64,
    /// The concordance's standard error (infinitesimal jackknife, by
    /// cluster when clustered; R's `summary(fit)$concordance["se(C)"]`).
    #[serde(default)]
    pub concordance_se: f64,
    pub convergence: Convergence,
    /// Whether the patients were weighted (case weights; the SEs are then
    /// robust). The concordance stays the unweighted Harrell's C.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub weighted: bool,
    /// Notes on the data (e.g. competing events counted as censored).
    #[serde(default)]
    pub diagnostics: Vec<crate::engine::Diagnostic>,
}

fn default_conf_level() -> f64 {
    CONF_LEVEL
}

fn is_default_conf_level(level: &f64) -> bool {
    *level == CONF_LEVEL
}

/// The patients of a Cox model: covariates (no intercept), follow-up,
/// event, stratum and, for robust SEs, cluster, one entry per patient.
#[derive(Debug, Clone, Copy)]
pub struct CoxData<'a> {
    /// Row-major, `columns` per patient.
    pub x: &'a [f64],
    pub columns: usize,
    pub time: &'a [f64],
    pub event: &'a [bool],
    pub stratum: &'a [usize],
    pub cluster: Option<&'a [usize]>,
    /// Case weights, positive and finite, one per patient (R's `coxph(...,
    /// weights = )`); `None` weighs every patient 1. With weights the
    /// variance is robust (clustered by `cluster`, else per patient), as R
    /// makes it for non-integer weights.
    pub weights: Option<&'a [f64]>,
}

/// What to fit: `time`/`event` as in [`super::SurvivalSpec`], covariates
/// coded as in logistic regression (dummies against the reference, or
/// ordinal scores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxSpec {
    pub time: String,
    pub event: String,
    #[serde(default)]
    pub event_level: Option<String>,
    pub variables: Vec<String>,
    #[serde(default)]
    pub ordinal: Vec<String>,
    /// Stratified Cox model (a baseline hazard per stratum), e.g. matched set.
    #[serde(default)]
    pub strata: Option<String>,
    /// Robust SE clustered by this column (e.g. the matched set).
    #[serde(default)]
    pub cluster: Option<String>,
    #[serde(default)]
    pub ties: Ties,
    /// Confidence level of the hazard ratios' CIs, above 0 and below 1.
    /// Default [`CONF_LEVEL`] (and then left out of saved settings, which
    /// read as before).
    #[serde(
        default = "default_conf_level",
        skip_serializing_if = "is_default_conf_level"
    )]
    pub conf_level: f64,
}

impl CoxSpec {
    /// Checks the numbers of the spec (the columns are checked when the
    /// model is fitted): the confidence level is strictly between 0 and 1.
    pub fn check(&self) -> Result<(), CoxError> {
        check_conf_level(self.conf_level)
    }
}

/// A confidence level strictly between 0 and 1.
fn check_conf_level(level: f64) -> Result<(), CoxError> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(CoxError::ConfLevel(level))
    }
}

/// Why a Cox model could not be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoxError {
    #[error(transparent)]
    Data(#[from] super::SurvivalError),
    #[error(transparent)]
    Design(#[from] crate::engine::regression::RegressionError),
    /// No patient of the model (complete for every covariate) has the event.
    #[error("the model could not be fitted: none of the patients used has the event")]
    NoEvents,
    /// The information matrix is not positive definite (at β = 0 or on the
    /// way): collinear covariates, one that does not vary, or separation.
    #[error("the model could not be fitted: the covariates are collinear or the data too sparse")]
    Singular,
    /// The log-likelihood or the information became infinite or NaN (a
    /// risk score e^η overflowed, a coefficient heading to infinity).
    #[error("the model could not be fitted: the log-likelihood is not finite (a coefficient may be infinite)")]
    NotFinite,
    /// The confidence level is not strictly between 0 and 1.
    #[error("the confidence level must be between 0 and 1 (e.g. 0.95); it is {0}")]
    ConfLevel(f64),
}

impl CoxError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            CoxError::Data(e) => e.hint(),
            CoxError::Design(e) => e.hint(),
            CoxError::NoEvents => "Check the event column and its level, and the missing values of the covariates (`cohortlab inspect FILE`).".into(),
            CoxError::Singular | CoxError::NotFinite => {
                "Check the covariates; a covariate with one value or separation cannot be estimated."
                    .into()
            }
            CoxError::ConfLevel(_) => "Choose a confidence level such as 0.95.".into(),
        }
    }
}

/// Fits `Surv(time, event) ~ variables` on the complete cases.
pub fn cox_model(ds: &crate::engine::data::Dataset, spec: &CoxSpec) -> Result<CoxFit, CoxError> {
    cox_model_weighted(ds, spec, None)
}

/// [`cox_model`] with case weights, one per dataset row (R's `coxph(...,
/// weights = w, robust = TRUE)`): rows of weight 0 are left out, a
/// negative or non-finite weight of a row the model uses is an error
/// naming the row. With weights every term has its robust SE (clustered
/// by `spec.cluster`, else per patient) and the fit its robust Wald and
/// score tests; `None` is [`cox_model`] exactly.
pub fn cox_model_weighted(
    ds: &crate::engine::data::Dataset,
    spec: &CoxSpec,
    weights: Option<&[f64]>,
) -> Result<CoxFit, CoxError> {
    spec.check()?;
    let inputs = input::cox_inputs(ds, spec, weights)?;
    inputs.fit(spec.ties, spec.conf_level)
}

/// The model and its test of proportional hazards (per variable and global).
pub fn cox_model_with_ph_test(
    ds: &crate::engine::data::Dataset,
    spec: &CoxSpec,
) -> Result<(CoxFit, Vec<ZphRow>), CoxError> {
    spec.check()?;
    let inputs = input::cox_inputs(ds, spec, None)?;
    let fit = inputs.fit(spec.ties, spec.conf_level)?;
    let zph = cox_zph(&inputs.data(), &fit, &inputs.groups);
    Ok((fit, zph))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each failure of the fit has its own error and hint.
    #[test]
    fn each_failure_has_its_error() {
        let time = [5.0, 3.0, 8.0, 2.0, 9.0, 4.0];
        let names = vec!["x".to_string()];
        let fit = |x: &[f64], event: &[bool]| {
            let d = CoxData {
                x,
                columns: 1,
                time: &time,
                event,
                stratum: &[0; 6],
                cluster: None,
                weights: None,
            };
            fit_cox(&d, &names, Ties::Efron, CONF_LEVEL)
        };
        let died = [true, false, true, true, false, true];
        let x = [0.5, 1.0, -0.3, 2.0, 0.1, -1.2];
        assert!(fit(&x, &died).is_ok());
        assert_eq!(fit(&x, &[false; 6]), Err(CoxError::NoEvents));
        assert_eq!(fit(&[1.0; 6], &died), Err(CoxError::Singular));
        let huge = [1e200, -1e200, 1e200, -1e200, 1e200, -1e200];
        assert_eq!(fit(&huge, &died), Err(CoxError::NotFinite));
        let d = CoxData {
            x: &x,
            columns: 1,
            time: &time,
            event: &died,
            stratum: &[0; 6],
            cluster: None,
            weights: None,
        };
        assert_eq!(
            fit_cox(&d, &names, Ties::Efron, 1.5),
            Err(CoxError::ConfLevel(1.5))
        );
        for e in [
            CoxError::NoEvents,
            CoxError::Singular,
            CoxError::NotFinite,
            CoxError::ConfLevel(1.5),
            CoxError::Data(crate::engine::survival::SurvivalError::NoEvents),
        ] {
            assert!(!e.hint().is_empty() && !e.to_string().is_empty());
        }
        assert_eq!(
            CoxError::Singular.hint(),
            "Check the covariates; a covariate with one value or separation cannot be estimated."
        );
    }
}

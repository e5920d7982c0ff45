//! Logistic regression: odds ratios with Wald confidence intervals and P
//! values, likelihood-ratio tests of the model and of each variable, the
//! C-statistic, and the checks a reviewer asks for (separation, events per
//! variable, convergence).
//!
//! # Conventions
//! - Estimates by Newton-Raphson to the optimum (see `numeric::irls`); R's
//!   `glm` stops at a looser tolerance, so its estimates differ in about the
//!   8th digit.
//! - OR = e^β; Wald CI e^(β ± z·SE), z the normal quantile of the level
//!   (default 95%); Wald P = 2(1 - Φ(|β/SE|)) (R `summary.glm`).
//! - Per variable, a likelihood-ratio test of dropping it (all its dummies)
//!   on the same patients (R `drop1(test = "LRT")`); for a variable with one
//!   column the screen's P is the Wald P (as SPSS and `summary.glm` print),
//!   for a multi-level one the LR P.
//! - Complete cases: a patient missing the outcome or any variable is left
//!   out, and counted.
//! - Standard errors: √diag((XᵀWX)⁻¹) at the converged estimates. R's
//!   `glm` with its default control stops on the deviance (epsilon 1e-8)
//!   and reports the SEs of its last iteration's weights, a few 1e-5
//!   (relative) away from these on some data; `glm(..., control =
//!   glm.control(epsilon = 1e-14, maxit = 100))` gives ours (the reference
//!   tests compare with that at 1e-6).
//! - Separation, per term (`separation`): a level whose patients all have
//!   the event, or none has it, and any term whose coefficient runs off in
//!   a diverging fit (a numeric covariate or a combination that separates;
//!   see `separation`). Under maximum likelihood such a term has no
//!   estimate: its OR, CI and P are `None`, with the reason in
//!   `not_estimable` (R's `glm` prints a huge SE and a P near 1 instead).
//! - `firth`: Firth's penalised likelihood (see `firth`), as R's `logistf`
//!   by default: finite estimates under separation, profile
//!   penalised-likelihood CIs, penalised likelihood-ratio P values (per
//!   term, per variable and for the model); `deviance` is then -2 times the
//!   unpenalised log-likelihood at the penalised estimates.
//! - Events per variable: min(events, non-events) / parameters; below 10 is
//!   flagged (Peduzzi et al. 1996, J Clin Epidemiol 49:1373).

use crate::engine::Code;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::design::{design_matrix, Design, RegressionError};
use super::firth::{firth_fit, penalized_lr, profile_interval, FirthFit, Grouped};
use super::separation::{diverging_terms, extreme_count, separated_levels};
use crate::engine::data::Dataset;
use crate::engine::defaults::{z_of, CONF_LEVEL};
use crate::engine::hypothesis::ranks;
use crate::engine::numeric::{logistic_irls, Convergence, RowMatrix, Tolerances};
use crate::engine::Diagnostic;

/// What to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticSpec {
    pub outcome: String,
    /// The outcome level counted as the event; default the non-reference
    /// level (`1` of 0/1, `Yes` of No/Yes).
    #[serde(default)]
    pub event: Option<String>,
    pub variables: Vec<String>,
    /// Categorical variables entered as an ordinal score.
    #[serde(default)]
    pub ordinal: Vec<String>,
    /// Confidence level of the intervals. Default [`CONF_LEVEL`].
    #[serde(default = "default_level")]
    pub conf_level: f64,
    /// Firth's penalised likelihood instead of maximum likelihood (see
    /// `firth`): finite estimates under separation. Default false (and
    /// then left out of saved settings, which read as before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub firth: bool,
}

fn default_level() -> f64 {
    CONF_LEVEL
}

impl LogisticSpec {
    pub fn new(outcome: &str, variables: &[&str]) -> Self {
        Self {
            outcome: outcome.to_owned(),
            event: None,
            variables: variables.iter().map(|s| s.to_string()).collect(),
            ordinal: Vec::new(),
            conf_level: CONF_LEVEL,
            firth: false,
        }
    }
}

impl LogisticSpec {
    /// The variables of the multivariable model: all, or those whose
    /// univariate P is below `threshold`.
    pub fn select(&self, screen: &[ScreenRow], threshold: Option<f64>) -> Vec<String> {
        match threshold {
            None => self.variables.clone(),
            Some(t) => screen
                .iter()
                .filter(|s| s.p_value.is_some_and(|p| p < t))
                .map(|s| s.variable.clone())
                .collect(),
        }
    }
}

/// One coefficient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub term: String,
    pub variable: Option<String>,
    pub level: Option<String>,
    pub reference: Option<String>,
    /// The estimate (for a term that is not estimable, the last iterate of
    /// the diverging fit: no estimate).
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    /// Wald P (penalised likelihood-ratio P with Firth); `None` when the
    /// term is not estimable.
    pub p_value: Option<f64>,
    pub odds_ratio: Option<f64>,
    /// Wald CI (profile penalised-likelihood CI with Firth; a bound is
    /// `None` when it is infinite or the term is not estimable).
    pub ci_lower: Option<f64>,
    pub ci_upper: Option<f64>,
    /// The term is separated (complete or quasi-complete): a level with all
    /// or no events, or a coefficient that runs off to infinity.
    pub separation: bool,
    /// Why the term has no estimate (separation under maximum likelihood);
    /// `None` when it has one.
    #[serde(default)]
    pub not_estimable: Option<String>,
}

/// A likelihood-ratio test of dropping one variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableTest {
    pub variable: String,
    pub df: usize,
    pub chi_square: f64,
    pub p_value: f64,
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    pub spec: LogisticSpec,
    pub event: String,
    pub terms: Vec<Term>,
    pub variable_tests: Vec<VariableTest>,
    pub n: usize,
    pub events: usize,
    pub dropped: usize,
    pub deviance: f64,
    pub null_deviance: f64,
    pub log_likelihood: f64,
    pub aic: f64,
    /// Likelihood-ratio test of the model against the intercept-only one.
    pub lr_chi_square: f64,
    pub lr_df: usize,
    pub lr_p_value: f64,
    /// Area under the ROC curve of the fitted probabilities (multivariable
    /// fits; not computed in the univariate screen).
    pub c_statistic: Option<f64>,
    pub events_per_variable: f64,
    pub convergence: Convergence,
    pub diagnostics: Vec<Diagnostic>,
    /// Fitted probability per dataset row (`NaN` for rows not used).
    #[serde(skip)]
    pub fitted: Vec<f64>,
}

impl LogisticFit {
    /// The P value that represents a variable: Wald for one column, the LR
    /// test for several.
    pub fn variable_p(&self, variable: &str) -> Option<f64> {
        let cols: Vec<&Term> = self
            .terms
            .iter()
            .filter(|t| t.variable.as_deref() == Some(variable))
            .collect();
        match cols.as_slice() {
            [one] => one.p_value,
            [] => None,
            _ => self
                .variable_tests
                .iter()
                .find(|t| t.variable == variable)
                .map(|t| t.p_value),
        }
    }
}

fn chi_sf(x: f64, df: usize) -> f64 {
    ChiSquared::new(df as f64).map_or(f64::NAN, |d| d.sf(x.max(0.0)))
}

/// Fits `outcome ~ variables`.
pub fn fit_logistic(ds: &Dataset, spec: &LogisticSpec) -> Result<LogisticFit, RegressionError> {
    fit_logistic_with(ds, spec, Extras::ALL)
}

/// The parts of a fit that cost extra passes over the patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extras {
    /// The C-statistic (a sort of all patients).
    pub c_statistic: bool,
    /// A likelihood-ratio test per variable (a refit per variable).
    pub variable_tests: bool,
}

impl Extras {
    pub const ALL: Extras = Extras {
        c_statistic: true,
        variable_tests: true,
    };
    pub const NONE: Extras = Extras {
        c_statistic: false,
        variable_tests: false,
    };
}

/// [`fit_logistic`] choosing the extras (a propensity model needs no
/// per-variable tests; a screen needs no C-statistic).
pub fn fit_logistic_with(
    ds: &Dataset,
    spec: &LogisticSpec,
    extras: Extras,
) -> Result<LogisticFit, RegressionError> {
    let design = design_matrix(
        ds,
        &spec.outcome,
        spec.event.as_deref(),
        &spec.variables,
        &spec.ordinal,
    )?;
    fit_design(ds, spec, &design, extras)
}

fn collinear_names(design: &Design) -> Vec<String> {
    design
        .columns
        .iter()
        .skip(1)
        .map(|c| c.term.clone())
        .collect()
}

/// The estimates of one fit, by maximum likelihood or Firth's penalised
/// likelihood.
struct Estimates {
    beta: Vec<f64>,
    covariance: nalgebra::DMatrix<f64>,
    fitted: Vec<f64>,
    /// -2 × the (unpenalised) log-likelihood.
    deviance: f64,
    convergence: Convergence,
    firth: Option<(Grouped, FirthFit)>,
}

/// Per design column: whether it is separated under maximum likelihood,
/// and the diagnostics that name the separated terms.
fn separation(
    ds: &Dataset,
    design: &Design,
    ml: &crate::engine::numeric::IrlsFit,
    firth: bool,
) -> (Vec<bool>, Vec<Diagnostic>) {
    let level = separated_levels(ds, design);
    let running = diverging_terms(&design.x, &ml.fitted, &ml.convergence);
    let separated: Vec<bool> = (0..design.columns.len())
        .map(|j| running[j] || level.iter().any(|(t, _)| *t == j))
        .collect();
    let extreme = extreme_count(&ml.fitted);
    let others: Vec<String> = (0..design.columns.len())
        .filter(|&j| running[j] && !level.iter().any(|(t, _)| *t == j))
        .map(|j| format!("`{}`", design.columns[j].term))
        .collect();
    let mut messages: Vec<String> = level.into_iter().map(|(_, m)| m).collect();
    if !others.is_empty() {
        messages.push(format!(
            "{}: not estimable (separation): the fit diverges, the coefficient running off with fitted probabilities of 0 or 1 for {extreme} patient(s)",
            others.join(", ")
        ));
    }
    let diagnostics = messages
        .into_iter()
        .map(|m| {
            if firth {
                Diagnostic::info(Code::Separation, None, format!("{m}; estimated by Firth's penalised likelihood"))
            } else {
                Diagnostic::warning(Code::Separation, None, m).with_hint(
                    "Merge the level with another, leave the variable out, or use Firth's penalised likelihood (--firth), which gives finite estimates.",
                )
            }
        })
        .collect();
    (separated, diagnostics)
}

fn estimate(
    design: &Design,
    ml: crate::engine::numeric::IrlsFit,
    firth: bool,
) -> Result<Estimates, RegressionError> {
    if !firth {
        return Ok(Estimates {
            beta: ml.beta,
            covariance: ml.covariance,
            fitted: ml.fitted,
            deviance: ml.deviance,
            convergence: ml.convergence,
            firth: None,
        });
    }
    let start = vec![0.0; design.columns.len()];
    let g = Grouped::new(&design.x, &design.y);
    let f = firth_fit(&g, &start, &[])
        .ok_or_else(|| RegressionError::Collinear(collinear_names(design)))?;
    Ok(Estimates {
        beta: f.beta.clone(),
        covariance: f.covariance.clone(),
        fitted: g.per_patient(&f.fitted),
        deviance: -2.0 * f.log_likelihood,
        convergence: f.convergence.clone(),
        firth: Some((g, f)),
    })
}

/// The terms: Wald under maximum likelihood (none for a separated term),
/// profile penalised-likelihood CIs and penalised LR P values with Firth.
fn terms(design: &Design, est: &Estimates, separated: &[bool], conf_level: f64) -> Vec<Term> {
    let normal = Normal::new(0.0, 1.0).ok();
    let z_crit = z_of(conf_level);
    let mut out = Vec::with_capacity(design.columns.len());
    for (j, col) in design.columns.iter().enumerate() {
        let coef = est.beta[j];
        let se = est.covariance[(j, j)].max(0.0).sqrt();
        let z = coef / se;
        let (p_value, ci, not_estimable) = match &est.firth {
            Some((g, f)) => {
                let p = penalized_lr(g, f, &[j]).map(|c| chi_sf(c, 1));
                let (lo, hi) = profile_interval(g, f, j, z_crit * z_crit);
                (p, (lo.map(f64::exp), hi.map(f64::exp)), None)
            }
            None if separated[j] => (None, (None, None), Some("separation".to_string())),
            None => (
                normal.as_ref().map(|n| 2.0 * n.sf(z.abs())),
                (
                    Some((coef - z_crit * se).exp()),
                    Some((coef + z_crit * se).exp()),
                ),
                None,
            ),
        };
        out.push(Term {
            term: col.term.clone(),
            variable: col.variable.clone(),
            level: col.level.clone(),
            reference: col.reference.clone(),
            coef,
            se,
            z,
            p_value,
            odds_ratio: not_estimable.is_none().then(|| coef.exp()),
            ci_lower: ci.0,
            ci_upper: ci.1,
            separation: separated[j],
            not_estimable,
        });
    }
    out
}

/// The likelihood-ratio test of dropping the columns `cols`: the change in
/// deviance (penalised with Firth).
fn drop_test(design: &Design, est: &Estimates, cols: &[usize], tol: Tolerances) -> Option<f64> {
    match &est.firth {
        Some((g, f)) => penalized_lr(g, f, cols),
        None => {
            let keep: Vec<usize> = (0..design.columns.len())
                .filter(|c| !cols.contains(c))
                .collect();
            let x: RowMatrix = design.x.select_columns(&keep);
            logistic_irls(&x, &design.y, tol).map(|reduced| reduced.deviance - est.deviance)
        }
    }
}

fn fit_design(
    ds: &Dataset,
    spec: &LogisticSpec,
    design: &Design,
    extras: Extras,
) -> Result<LogisticFit, RegressionError> {
    let tol = Tolerances::default();
    let ml = logistic_irls(&design.x, &design.y, tol)
        .ok_or_else(|| RegressionError::Collinear(collinear_names(design)))?;
    let n = design.y.len();
    let events = design.y.iter().filter(|&&v| v == 1.0).count();
    let (separated, mut diagnostics) = separation(ds, design, &ml, spec.firth);
    let extreme = extreme_count(&ml.fitted);
    let est = estimate(design, ml, spec.firth)?;
    let terms = terms(design, &est, &separated, spec.conf_level);
    diagnostics.extend(fit_notes(spec, design, &est, &separated, extreme));
    let k = design.columns.len() - 1;
    let epv = events.min(n - events) as f64 / k.max(1) as f64;
    if epv < 10.0 && k > 0 {
        diagnostics.push(
            Diagnostic::warning(
                Code::FewEventsPerVariable,
                None,
                format!(
                    "{epv:.1} events per variable (fewer than 10): the estimates may be unstable"
                ),
            )
            .with_hint("Use fewer variables, or merge sparse levels."),
        );
    }
    let ybar = events as f64 / n as f64;
    let null_deviance =
        -2.0 * (events as f64 * ybar.ln() + (n - events) as f64 * (1.0 - ybar).ln());
    let lr = if est.firth.is_some() {
        let all: Vec<usize> = (1..design.columns.len()).collect();
        drop_test(design, &est, &all, tol).unwrap_or(f64::NAN)
    } else {
        null_deviance - est.deviance
    };
    let variable_tests = variable_tests(design, &est, extras, lr, tol);
    let mut fitted_rows = vec![f64::NAN; ds.n_rows];
    for (&r, &p) in design.rows.iter().zip(&est.fitted) {
        fitted_rows[r] = p;
    }
    Ok(LogisticFit {
        spec: spec.clone(),
        event: design.event.clone(),
        terms,
        variable_tests,
        n,
        events,
        dropped: design.dropped,
        deviance: est.deviance,
        null_deviance,
        log_likelihood: -est.deviance / 2.0,
        aic: est.deviance + 2.0 * design.columns.len() as f64,
        lr_chi_square: lr,
        lr_df: k,
        lr_p_value: chi_sf(lr, k),
        c_statistic: extras
            .c_statistic
            .then(|| c_statistic(&est.fitted, &design.y)),
        events_per_variable: epv,
        convergence: est.convergence,
        diagnostics,
        fitted: fitted_rows,
    })
}

/// Notes on the fit: Firth's work bound reached, no convergence, fitted
/// probabilities of 0 or 1, Firth's method used, patients left out.
fn fit_notes(
    spec: &LogisticSpec,
    design: &Design,
    est: &Estimates,
    separated: &[bool],
    extreme: usize,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if est.firth.as_ref().is_some_and(|(g, _)| g.exhausted()) {
        diagnostics.push(
            Diagnostic::warning(Code::FirthWorkBound, None, "Firth's penalised likelihood: the model is large for the data, so some profile confidence intervals and P values were not computed (left blank)")
                .with_hint("Use fewer variables or merge levels with few patients."),
        );
    }
    if !est.convergence.converged && (spec.firth || !separated.iter().any(|&s| s)) {
        diagnostics.push(Diagnostic::warning(
            Code::NotConverged,
            None,
            format!("the model {}", est.convergence.reason),
        ));
    }
    if extreme > 0 && !separated.iter().any(|&s| s) && !spec.firth {
        diagnostics.push(
            Diagnostic::warning(Code::FittedProbabilityExtreme, None, format!("fitted probabilities of 0 or 1 for {extreme} patient(s): the outcome is (almost) separated by the variables"))
                .with_hint("Look for a variable or combination that predicts the outcome perfectly."),
        );
    }
    if spec.firth {
        diagnostics.push(Diagnostic::info(Code::Firth,
            None,
            "Firth's penalised likelihood (Firth 1993; Heinze & Schemper 2002, as R's logistf): profile penalised-likelihood confidence intervals and penalised likelihood-ratio P values".to_string(),
        ));
    }
    if design.dropped > 0 {
        diagnostics.push(Diagnostic::info(
            Code::RowsDropped,
            None,
            format!(
                "{} patient(s) with a missing outcome or variable were left out ({} used)",
                design.dropped,
                design.y.len()
            ),
        ));
    }
    diagnostics
}

/// The likelihood-ratio test per variable, each refitted without its
/// columns on the same rows (when asked for and there are several); with
/// one variable, the model's test `lr`.
fn variable_tests(
    design: &Design,
    est: &Estimates,
    extras: Extras,
    lr: f64,
    tol: Tolerances,
) -> Vec<VariableTest> {
    let mut variable_tests = Vec::new();
    if design.variable_columns.len() > 1 && extras.variable_tests {
        for (var, cols) in &design.variable_columns {
            if let Some(chi) = drop_test(design, est, cols, tol) {
                variable_tests.push(VariableTest {
                    variable: var.clone(),
                    df: cols.len(),
                    chi_square: chi,
                    p_value: chi_sf(chi, cols.len()),
                });
            }
        }
    } else if let Some((var, cols)) = design.variable_columns.first() {
        variable_tests.push(VariableTest {
            variable: var.clone(),
            df: cols.len(),
            chi_square: lr,
            p_value: chi_sf(lr, cols.len()),
        });
    }
    variable_tests
}

/// AUC by the Mann-Whitney statistic with mid-ranks for ties.
fn c_statistic(p: &[f64], y: &[f64]) -> f64 {
    let (r, _) = ranks(p);
    let n1 = y.iter().filter(|&&v| v == 1.0).count() as f64;
    let n0 = y.len() as f64 - n1;
    let sum: f64 = r
        .iter()
        .zip(y)
        .filter(|(_, &v)| v == 1.0)
        .map(|(r, _)| r)
        .sum();
    (sum - n1 * (n1 + 1.0) / 2.0) / (n1 * n0)
}

/// One variable of a univariate screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenRow {
    pub variable: String,
    /// The fit, or why it failed (in words, with what to do).
    pub fit: Result<LogisticFit, crate::engine::error::ErrorText>,
    /// The variable's P (Wald for one column, LR for several).
    pub p_value: Option<f64>,
}

/// Fits `outcome ~ v` for each variable on its own (each on the patients
/// with that variable).
pub fn univariate_screen(ds: &Dataset, spec: &LogisticSpec) -> Vec<ScreenRow> {
    spec.variables
        .iter()
        .map(|v| {
            let one = LogisticSpec {
                variables: vec![v.clone()],
                ..spec.clone()
            };
            let fit = design_matrix(
                ds,
                &one.outcome,
                one.event.as_deref(),
                &one.variables,
                &one.ordinal,
            )
            .and_then(|d| fit_design(ds, &one, &d, Extras::NONE))
            .map_err(|e| crate::engine::error::ErrorText::of(&e));
            let p_value = fit.as_ref().ok().and_then(|f| f.variable_p(v));
            ScreenRow {
                variable: v.clone(),
                fit,
                p_value,
            }
        })
        .collect()
}

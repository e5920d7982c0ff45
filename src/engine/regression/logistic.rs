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
//! - Separation: a level of a categorical variable whose patients all have
//!   the event, or none has it, is named; fitted probabilities of 0 or 1 and
//!   failure to converge are reported.
//! - Events per variable: min(events, non-events) / parameters; below 10 is
//!   flagged (Peduzzi et al. 1996, J Clin Epidemiol 49:1373).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use super::design::{design_matrix, Design, RegressionError};
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
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
    /// Confidence level of the intervals. Default 0.95.
    #[serde(default = "default_level")]
    pub conf_level: f64,
}

fn default_level() -> f64 {
    0.95
}

impl LogisticSpec {
    pub fn new(outcome: &str, variables: &[&str]) -> Self {
        Self {
            outcome: outcome.to_owned(),
            event: None,
            variables: variables.iter().map(|s| s.to_string()).collect(),
            ordinal: Vec::new(),
            conf_level: 0.95,
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
    pub coef: f64,
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub odds_ratio: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// The level has all or no events (quasi-complete separation).
    pub separation: bool,
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
            [one] => Some(one.p_value),
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

fn fit_design(
    ds: &Dataset,
    spec: &LogisticSpec,
    design: &Design,
    extras: Extras,
) -> Result<LogisticFit, RegressionError> {
    let tol = Tolerances::default();
    let fit = logistic_irls(&design.x, &design.y, tol)
        .ok_or_else(|| RegressionError::Collinear(collinear_names(design)))?;
    let n = design.y.len();
    let events = design.y.iter().filter(|&&v| v == 1.0).count();
    let normal = Normal::new(0.0, 1.0).map_err(|_| RegressionError::Collinear(vec![]))?;
    let z_crit = normal.inverse_cdf(0.5 + spec.conf_level / 2.0);
    let mut diagnostics = Vec::new();
    let separated = separated_levels(ds, design);
    let mut terms = Vec::with_capacity(design.columns.len());
    for (j, col) in design.columns.iter().enumerate() {
        let coef = fit.beta[j];
        let se = fit.covariance[(j, j)].max(0.0).sqrt();
        let z = coef / se;
        let separation = separated.iter().any(|(t, _)| *t == j);
        terms.push(Term {
            term: col.term.clone(),
            variable: col.variable.clone(),
            level: col.level.clone(),
            reference: col.reference.clone(),
            coef,
            se,
            z,
            p_value: 2.0 * normal.sf(z.abs()),
            odds_ratio: coef.exp(),
            ci_lower: (coef - z_crit * se).exp(),
            ci_upper: (coef + z_crit * se).exp(),
            separation,
        });
    }
    for (_, message) in &separated {
        diagnostics.push(
            Diagnostic::warning(None, message.clone()).with_hint(
                "Merge this level with another, or leave the variable out; its odds ratio cannot be estimated.",
            ),
        );
    }
    if !fit.convergence.converged {
        diagnostics.push(Diagnostic::warning(
            None,
            format!("the model {}", fit.convergence.reason),
        ));
    }
    let extreme = fit
        .fitted
        .iter()
        .filter(|&&p| !(1e-10..=1.0 - 1e-10).contains(&p))
        .count();
    if extreme > 0 && separated.is_empty() {
        diagnostics.push(
            Diagnostic::warning(None, format!("fitted probabilities of 0 or 1 for {extreme} patient(s): the outcome is (almost) separated by the variables"))
                .with_hint("Look for a variable or combination that predicts the outcome perfectly."),
        );
    }
    if design.dropped > 0 {
        diagnostics.push(Diagnostic::info(
            None,
            format!(
                "{} patient(s) with a missing outcome or variable were left out ({} used)",
                design.dropped, n
            ),
        ));
    }
    let k = design.columns.len() - 1;
    let epv = events.min(n - events) as f64 / k.max(1) as f64;
    if epv < 10.0 && k > 0 {
        diagnostics.push(
            Diagnostic::warning(
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
    let lr = null_deviance - fit.deviance;
    // LR test per variable: refit without its columns on the same rows.
    let mut variable_tests = Vec::new();
    if design.variable_columns.len() > 1 && extras.variable_tests {
        for (var, cols) in &design.variable_columns {
            let keep: Vec<usize> = (0..design.columns.len())
                .filter(|c| !cols.contains(c))
                .collect();
            let x: RowMatrix = design.x.select_columns(&keep);
            if let Some(reduced) = logistic_irls(&x, &design.y, tol) {
                let chi = reduced.deviance - fit.deviance;
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
    let mut fitted_rows = vec![f64::NAN; ds.n_rows];
    for (&r, &p) in design.rows.iter().zip(&fit.fitted) {
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
        deviance: fit.deviance,
        null_deviance,
        log_likelihood: -fit.deviance / 2.0,
        aic: fit.deviance + 2.0 * design.columns.len() as f64,
        lr_chi_square: lr,
        lr_df: k,
        lr_p_value: chi_sf(lr, k),
        c_statistic: extras
            .c_statistic
            .then(|| c_statistic(&fit.fitted, &design.y)),
        events_per_variable: epv,
        convergence: fit.convergence,
        diagnostics,
        fitted: fitted_rows,
    })
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

/// Dummy columns whose level has all or no events among the rows used.
fn separated_levels(ds: &Dataset, design: &Design) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (var, cols) in &design.variable_columns {
        let dummies: Vec<usize> = cols
            .iter()
            .copied()
            .filter(|&j| design.columns[j].level.is_some())
            .collect();
        if dummies.is_empty() {
            continue;
        }
        let Some(ColumnData::Categorical { codes, levels, .. }) = ds.column(var).map(|c| &c.data)
        else {
            continue;
        };
        // One pass: patients and events per level.
        let mut n = vec![0usize; levels.len()];
        let mut ev = vec![0usize; levels.len()];
        for (&r, &y) in design.rows.iter().zip(&design.y) {
            let c = codes[r];
            if c != MISSING_CODE {
                n[c as usize] += 1;
                ev[c as usize] += usize::from(y == 1.0);
            }
        }
        for j in dummies {
            let Some(level) = &design.columns[j].level else {
                continue;
            };
            let Some(code) = levels.iter().position(|l| l == level) else {
                continue;
            };
            let (n, ev) = (n[code], ev[code]);
            if n > 0 && (ev == 0 || ev == n) {
                let what = if ev == 0 { "none has" } else { "all have" };
                out.push((
                    j,
                    format!("`{var}` = {level}: {what} the outcome ({ev} of {n}), so its odds ratio cannot be estimated (separation)"),
                ));
            }
        }
    }
    out
}

/// One variable of a univariate screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenRow {
    pub variable: String,
    /// The fit, or why it failed (in words).
    pub fit: Result<LogisticFit, String>,
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
            .map_err(|e| e.to_string());
            let p_value = fit.as_ref().ok().and_then(|f| f.variable_p(v));
            ScreenRow {
                variable: v.clone(),
                fit,
                p_value,
            }
        })
        .collect()
}

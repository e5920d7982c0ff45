//! The Wald z, P and confidence interval of each coefficient at a level
//! chosen at summary time, as R's `summary(fit, conf.int = )`: the fit
//! keeps the coefficients and their (robust) standard errors.
//!
//! # Formula
//! z = β / SE, P = 2 (1 - Φ(|z|)), CI = exp(β ∓ z₍₁₊ₗ₎/₂ SE) for level l.

use statrs::distribution::{ContinuousCDF, Normal};

use super::{CoxFit, CoxTerm, RobustTerm};
use crate::engine::defaults::z_of;

/// The normal quantile of a level, NaN when the level is not strictly
/// between 0 and 1 (then every CI is NaN rather than a panic).
pub(super) fn z_crit(level: f64) -> f64 {
    if level > 0.0 && level < 1.0 {
        z_of(level)
    } else {
        f64::NAN
    }
}

/// Two-sided P of the Wald z = `coef` / `se`.
fn wald_p(coef: f64, se: f64) -> f64 {
    2.0 * Normal::standard().sf((coef / se).abs())
}

/// The CI of the hazard ratio, with the normal quantile `z_crit`.
fn ci(coef: f64, se: f64, z_crit: f64) -> (f64, f64) {
    ((coef - z_crit * se).exp(), (coef + z_crit * se).exp())
}

impl RobustTerm {
    /// The robust SE of `coef`, its z, P and CI (`z_crit` from [`z_crit`]).
    pub(super) fn new(coef: f64, se: f64, z_crit: f64) -> Self {
        let (ci_lower, ci_upper) = ci(coef, se, z_crit);
        RobustTerm {
            se,
            z: coef / se,
            p_value: wald_p(coef, se),
            ci_lower,
            ci_upper,
        }
    }
}

impl CoxTerm {
    /// A coefficient with its SE (and robust SE), z, P, hazard ratio and CI
    /// (`z_crit` from [`z_crit`]).
    pub(super) fn new(
        term: String,
        coef: f64,
        se: f64,
        robust_se: Option<f64>,
        z_crit: f64,
    ) -> Self {
        let (ci_lower, ci_upper) = ci(coef, se, z_crit);
        CoxTerm {
            robust: robust_se.map(|rse| RobustTerm::new(coef, rse, z_crit)),
            term,
            coef,
            se,
            z: coef / se,
            p_value: wald_p(coef, se),
            hazard_ratio: coef.exp(),
            ci_lower,
            ci_upper,
        }
    }
}

impl CoxFit {
    /// The same fit with its CIs (naive and robust) at `level`, as R's
    /// `summary(fit, conf.int = level)`; nothing is refitted. A level not
    /// strictly between 0 and 1 (see [`super::CoxSpec::check`]) gives NaN
    /// bounds.
    pub fn with_conf_level(&self, level: f64) -> CoxFit {
        let z = z_crit(level);
        let mut fit = self.clone();
        fit.conf_level = level;
        for t in &mut fit.terms {
            (t.ci_lower, t.ci_upper) = ci(t.coef, t.se, z);
            if let Some(r) = &mut t.robust {
                (r.ci_lower, r.ci_upper) = ci(t.coef, r.se, z);
            }
        }
        fit
    }
}

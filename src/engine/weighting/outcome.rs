//! A binary outcome compared between weighted groups, as
//! `survey::svyglm(y ~ treat, design = svydesign(ids = ~1, weights = ~w,
//! data = d[w > 0, ]))` with the families `gaussian()` (risk difference),
//! `quasipoisson(link = "log")` (log risk ratio) and `quasibinomial()`
//! (log odds ratio).
//!
//! # Closed forms
//! With one binary regressor the model is saturated: each group's fitted
//! risk is its weighted risk pₜ = Σₜ wy / Σₜ w (likewise p꜀), and the
//! coefficient is g(pₜ) - g(p꜀) with g the link (identity, log, logit).
//! All three links are canonical, so each patient's estimating function
//! is w(y - p_g) and the sandwich (Lumley 2004, J Stat Softw 9(8); Binder
//! 1983) with survey's with-replacement variance of totals, n/(n - 1)
//! times the sum of squares (HC0 × n/(n - 1)), is
//!
//! ```text
//! Var = n/(n-1) · Σ_g g'(p_g)² · Σ_{i∈g} w_i² (y_i - p_g)² / (Σ_{i∈g} w_i)²
//! ```
//!
//! with g'(p) = 1, 1/p and 1/(p(1 - p)); n counts the patients with a
//! positive weight and a known outcome. It is computed in one pass.
//!
//! # Conventions (as survey 4.1's `summary.svyglm` and `confint.svyglm`)
//! - Confidence limits: coefficient ± t(1 - α/2, df) · SE, with the
//!   design's residual degrees of freedom df = n - 2, exponentiated for
//!   the RR and OR.
//! - The P value is the t test of the log odds ratio, 2·P(T_df > |b/SE|).
//! - A weighted risk of 0 or 1 gives no finite RR or OR (a diagnostic).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{WeightError, WeightResult};
use crate::engine::data::Dataset;
use crate::engine::estimate::Estimate;
use crate::engine::regression::{outcome_values, RegressionError};
use crate::engine::{Code, Diagnostic};

/// A binary outcome in the weighted cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightedOutcome {
    pub outcome: String,
    /// The level counted as the event.
    pub event_level: String,
    /// The weighted risk of the treated, and their number (weight > 0,
    /// outcome known).
    pub treated: (f64, usize),
    pub control: (f64, usize),
    /// Treated minus control, as a proportion.
    pub risk_difference: Estimate,
    pub risk_ratio: Estimate,
    pub odds_ratio: Estimate,
    /// The P value of the odds ratio's t test (as `summary(svyglm)`).
    pub p_value: f64,
    /// The residual degrees of freedom of the t quantile and test (n - 2).
    pub df: f64,
    /// Standard errors of the RD, log RR and log OR.
    pub se: [f64; 3],
    pub diagnostics: Vec<Diagnostic>,
}

/// Per group: Σw, Σwy, count, then Σw²(y - p)².
#[derive(Default, Clone, Copy)]
struct Sums {
    w: f64,
    wy: f64,
    n: usize,
    ss: f64,
}

/// Refuses a confidence level outside (0, 1) and an outcome that is the
/// treatment (or codes its groups again).
pub(super) fn check_outcome(
    ds: &Dataset,
    w: &WeightResult,
    outcome: &str,
    conf_level: f64,
) -> Result<(), WeightError> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(WeightError::BadConfLevel(conf_level));
    }
    crate::engine::design::check_roles(
        ds,
        &crate::engine::design::Roles {
            treatment: Some(&w.spec.treatment),
            outcomes: vec![outcome],
            ..Default::default()
        },
    )?;
    Ok(())
}

/// The weighted risks, RD, RR and OR of `outcome` (binary) between the
/// groups of `w`, with `conf_level` CIs.
pub fn weighted_outcome(
    ds: &Dataset,
    w: &WeightResult,
    outcome: &str,
    conf_level: f64,
) -> Result<WeightedOutcome, WeightError> {
    check_outcome(ds, w, outcome, conf_level)?;
    let (y, event_level) = outcome_values(ds, outcome, None).map_err(|e| match e {
        RegressionError::UnknownColumn(c) => WeightError::UnknownColumn(c),
        e => WeightError::Outcome(e),
    })?;
    // Σw and Σwy by group, then the sums of squares about the risks.
    let mut sums = [Sums::default(); 2];
    let rows = || {
        (0..ds.n_rows).filter_map(|i| {
            let t = w.treated.get(i).copied().flatten()?;
            let yi = y.get(i).copied().flatten()?;
            let wi = w.weights.get(i).copied().filter(|&x| x > 0.0)?;
            Some((usize::from(t), wi, yi))
        })
    };
    for (g, wi, yi) in rows() {
        sums[g].w += wi;
        sums[g].wy += wi * yi;
        sums[g].n += 1;
    }
    let risk = [sums[0].wy / sums[0].w, sums[1].wy / sums[1].w];
    for (g, wi, yi) in rows() {
        sums[g].ss += (wi * (yi - risk[g])).powi(2);
    }
    let n = (sums[0].n + sums[1].n) as f64;
    let df = n - 2.0;
    // statrs panics on a NaN argument: the t distribution only with
    // degrees of freedom and finite statistics.
    let dist = (df > 0.0)
        .then(|| StudentsT::new(0.0, 1.0, df).ok())
        .flatten();
    let t = dist.map_or(f64::NAN, |d| d.inverse_cdf(0.5 + conf_level / 2.0));
    // Each group's Σw²(y-p)²/(Σw)² and the SE for a link derivative.
    let v = [
        sums[0].ss / (sums[0].w * sums[0].w),
        sums[1].ss / (sums[1].w * sums[1].w),
    ];
    let se = |deriv: &dyn Fn(f64) -> f64| {
        (n / (n - 1.0) * (deriv(risk[1]).powi(2) * v[1] + deriv(risk[0]).powi(2) * v[0])).sqrt()
    };
    let se_rd = se(&|_| 1.0);
    let se_rr = se(&|p| 1.0 / p);
    let se_or = se(&|p| 1.0 / (p * (1.0 - p)));
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let b_rd = risk[1] - risk[0];
    let b_rr = risk[1].ln() - risk[0].ln();
    let b_or = logit(risk[1]) - logit(risk[0]);
    let interval = |b: f64, s: f64| (b - t * s, b + t * s);
    let estimate = |b: f64, s: f64, f: fn(f64) -> f64| {
        let (lo, hi) = interval(b, s);
        Estimate {
            value: f(b),
            lower: f(lo),
            upper: f(hi),
            level: conf_level,
        }
    };
    let z = (b_or / se_or).abs();
    let p_value = match dist {
        Some(d) if z.is_finite() => 2.0 * d.sf(z),
        Some(_) if z.is_infinite() => 0.0,
        _ => f64::NAN,
    };
    let mut diagnostics = Vec::new();
    if risk.iter().any(|&p| !(p > 0.0 && p < 1.0)) {
        diagnostics.push(Diagnostic::warning(
            Code::RiskAtBound,
            Some(outcome),
            format!(
                "the weighted risk of `{outcome}` is {:.3} in the treated and {:.3} in the controls: a risk of 0 or 1 (or no patient) gives no finite risk or odds ratio",
                risk[1], risk[0]
            ),
        ));
    }
    Ok(WeightedOutcome {
        outcome: outcome.to_owned(),
        event_level,
        treated: (risk[1], sums[1].n),
        control: (risk[0], sums[0].n),
        risk_difference: estimate(b_rd, se_rd, |x| x),
        risk_ratio: estimate(b_rr, se_rr, f64::exp),
        odds_ratio: estimate(b_or, se_or, f64::exp),
        p_value,
        df,
        se: [se_rd, se_rr, se_or],
        diagnostics,
    })
}

//! Sensitivity analysis for unmeasured confounding: how strong would a
//! confounder that was not measured have to be to explain the result away?
//! Two answers, one for each analysis a cohort study reports:
//!
//! - [`e_value`]: the **E-value** of a risk ratio, odds ratio or hazard
//!   ratio and of its confidence limit closer to 1 (VanderWeele & Ding
//!   2017). It needs only the estimate and its CI, so it goes under every
//!   reported effect, matched, weighted or adjusted.
//! - [`rosenbaum_binary`]: **Rosenbaum bounds** for a binary outcome in the
//!   matched sets of a propensity-score matching (Rosenbaum 2002): the
//!   largest hidden bias Γ under which the matched comparison stays
//!   significant.
//!
//! # E-value
//!
//! For a risk ratio RR ≥ 1 (VanderWeele & Ding 2017):
//!
//! ```text
//! E = RR + sqrt(RR (RR - 1))
//! ```
//!
//! and for RR < 1 the same of 1/RR. An unmeasured confounder associated
//! with both the treatment and the outcome by a risk ratio of E each (and
//! no weaker confounder) could explain the observed RR away; a weaker one
//! could not. The E-value of the CI is that of the limit closer to 1, and
//! 1 when the CI includes 1 (nothing needs explaining). Other measures are
//! first put on the RR scale, as the EValue R package does
//! (`toRR`, Mathur et al. 2018; VanderWeele 2017, 2020):
//!
//! | measure | rare outcome (< 15% at the end of follow-up) | common outcome |
//! |---|---|---|
//! | RR | RR | RR |
//! | OR | OR | sqrt(OR) |
//! | HR | HR | (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) |
//!
//! each limit of the CI converted the same way.
//!
//! # Rosenbaum bounds for a binary outcome
//!
//! Under a hidden bias of at most Γ, two patients of a matched set who look
//! alike on the measured covariates may differ in their odds of treatment
//! by at most a factor Γ (Rosenbaum 2002, *Observational Studies*, 2nd
//! ed., ch. 4). Γ = 1 is the randomised experiment. In a set of n patients
//! (one treated, n - 1 controls) with m events, 0 < m < n, the chance that
//! the treated patient is one of the m with the event lies between
//!
//! ```text
//! p- = m / (m + (n - m) Γ)      and      p+ = m Γ / (m Γ + n - m)
//! ```
//!
//! (§4.3-4.4). Sets with no event or only events (concordant) carry no
//! information. The statistic T is the number of informative sets whose
//! treated patient had the event; its one-sided P value lies between the
//! tail probabilities of the sum of independent Bernoulli(p-) and
//! Bernoulli(p+) variables:
//!
//! - **1:1 pairs** (every informative set a pair): McNemar's test with
//!   hidden bias, exact: among D discordant pairs, P+ = P(X ≥ T) with
//!   X ~ Binomial(D, Γ/(1 + Γ)), and P- with 1/(1 + Γ) (§4.3). This is
//!   the textbook tail; R's `rbounds::binarysens` reports
//!   `1 - pbinom(T, D, p)`, that is P(X ≥ T + 1), one count further.
//! - **1:k sets** (any set larger than a pair): Rosenbaum's large-sample
//!   normal approximation (§4.4): with E = Σ p and V = Σ p (1 - p) over the
//!   informative sets, P ≈ 1 - Φ((T - E - 1/2) / sqrt(V)), with a
//!   continuity correction of 1/2.
//!
//! The test is in the direction of the observed effect: when the treated
//! had fewer events than expected at Γ = 1, the non-event is counted
//! instead ([`Direction::TreatedFewer`]), as `binarysens` takes the larger
//! of its two discordant counts. The Γ at which P+ crosses alpha (the
//! user's 1 - confidence level, 0.05) is found by bisection (to 1e-9); a result
//! that is not significant at Γ = 1 has none.
//!
//! With replacement a control can be in several sets: each set is then
//! counted as its own stratum, as the matched sets are (MatchIt's
//! `match.matrix`), so those sets are not independent and the bound is an
//! approximation; a diagnostic says how many controls are reused.
//!
//! # References
//!
//! - VanderWeele TJ, Ding P. Sensitivity analysis in observational
//!   research: introducing the E-value. Ann Intern Med 2017;167:268-274.
//! - VanderWeele TJ. On a square-root transformation of the odds ratio for
//!   a common outcome. Epidemiology 2017;28:e58-e60.
//! - VanderWeele TJ. Optimal approximate conversions of odds ratios and
//!   hazard ratios to risk ratios. Biometrics 2020;76:746-752.
//! - Mathur MB, Ding P, Riddell CA, VanderWeele TJ. Website and R package
//!   for computing E-values. Epidemiology 2018;29:e45-e47.
//! - Rosenbaum PR. Observational Studies, 2nd ed. Springer 2002, ch. 4.
//! - Keele L. rbounds: an R package for sensitivity analysis with matched
//!   data (2010).

mod evalue;
mod rosenbaum;

pub use evalue::{e_value, e_value_of, e_value_threshold, to_risk_ratio, EValue};
pub use rosenbaum::{
    binary_bounds_exact, binary_bounds_normal, rosenbaum_binary, Direction, RosenbaumBound,
    RosenbaumMethod, RosenbaumResult, GAMMA_MAX, GAMMA_STEP,
};

use serde::{Deserialize, Serialize};

use crate::engine::data::LevelError;
use crate::engine::Choice;

/// The effect measure an E-value is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EffectMeasure {
    /// Risk ratio.
    Rr,
    /// Odds ratio.
    Or,
    /// Hazard ratio.
    Hr,
}

impl EffectMeasure {
    /// The key: `rr`, `or` or `hr`.
    pub fn as_str(self) -> &'static str {
        match self {
            EffectMeasure::Rr => "rr",
            EffectMeasure::Or => "or",
            EffectMeasure::Hr => "hr",
        }
    }

    /// The name in a table: `RR`, `OR` or `HR`.
    pub fn label(self) -> &'static str {
        match self {
            EffectMeasure::Rr => "RR",
            EffectMeasure::Or => "OR",
            EffectMeasure::Hr => "HR",
        }
    }
}

impl Choice for EffectMeasure {
    const ALL: &'static [Self] = &[EffectMeasure::Rr, EffectMeasure::Or, EffectMeasure::Hr];
    fn key(self) -> &'static str {
        self.as_str()
    }
    fn describe(self) -> &'static str {
        match self {
            EffectMeasure::Rr => "risk ratio",
            EffectMeasure::Or => "odds ratio",
            EffectMeasure::Hr => "hazard ratio",
        }
    }
}

/// Why a sensitivity analysis could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    /// An estimate or limit that is not a positive finite number.
    #[error("the {what} of the {} is {value}: a ratio must be a positive number", .measure.describe())]
    NotPositive {
        measure: EffectMeasure,
        /// `estimate`, `lower limit` or `upper limit`.
        what: &'static str,
        value: f64,
    },
    /// The lower confidence limit is above the upper one.
    #[error("the lower confidence limit {lower} is above the upper one {upper}")]
    LowerAboveUpper { lower: f64, upper: f64 },
    /// The estimate is outside its confidence interval.
    #[error("the estimate {estimate} is outside its confidence interval ({lower} to {upper})")]
    OutsideInterval {
        estimate: f64,
        lower: f64,
        upper: f64,
    },
    /// No column of that name.
    #[error("there is no outcome column `{0}`")]
    UnknownOutcome(String),
    /// The outcome cannot be read as levels.
    #[error("the outcome: {0}")]
    OutcomeLevels(#[from] LevelError),
    /// The outcome does not have two levels.
    #[error("the outcome `{column}` has {} levels ({}), not two", .levels.len(), .levels.join(", "))]
    NotBinary { column: String, levels: Vec<String> },
    /// No matched set has both a patient with and one without the event.
    #[error("none of the {sets} matched sets is informative for `{outcome}`: in each, every patient had the event or none did")]
    NoInformativeSets { outcome: String, sets: usize },
    /// Alpha outside (0, 1).
    #[error("the significance level {0} is not between 0 and 1")]
    BadAlpha(f64),
}

impl SensitivityError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            SensitivityError::NotPositive { .. } => {
                "Give the ratio and its confidence limits as they are reported (e.g. 1.54), not on the log scale.".into()
            }
            SensitivityError::LowerAboveUpper { .. } => {
                "Give the smaller confidence limit as --lower and the larger as --upper.".into()
            }
            SensitivityError::OutsideInterval { .. } => {
                "Check that the estimate and the confidence limits belong together.".into()
            }
            SensitivityError::UnknownOutcome(_) => {
                "Check the spelling of the column's name (the Data step, or `cohortlab inspect FILE`, lists the columns).".into()
            }
            SensitivityError::OutcomeLevels(e) => e.hint(),
            SensitivityError::NotBinary { column, .. } => format!(
                "Choose a binary outcome (two levels, e.g. 0/1 or yes/no), or merge the levels of `{column}` into two."
            ),
            SensitivityError::NoInformativeSets { .. } => {
                "Rosenbaum bounds need matched sets where the treated and a control differ in the outcome; choose an outcome with events in both groups.".into()
            }
            SensitivityError::BadAlpha(_) => {
                "Give a confidence level between 0 and 1 (0.95 tests at alpha = 0.05).".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measures_round_trip_through_their_keys() {
        for &m in EffectMeasure::ALL {
            assert_eq!(EffectMeasure::from_key(m.key()), Some(m));
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.key())
            );
        }
        assert_eq!(EffectMeasure::from_key("rd"), None);
    }

    #[test]
    fn every_error_has_a_hint_that_is_not_its_message() {
        let all = [
            SensitivityError::NotPositive {
                measure: EffectMeasure::Or,
                what: "estimate",
                value: -1.0,
            },
            SensitivityError::LowerAboveUpper {
                lower: 2.0,
                upper: 1.0,
            },
            SensitivityError::OutsideInterval {
                estimate: 3.0,
                lower: 1.0,
                upper: 2.0,
            },
            SensitivityError::UnknownOutcome("x".into()),
            SensitivityError::OutcomeLevels(LevelError::Text { column: "x".into() }),
            SensitivityError::NotBinary {
                column: "x".into(),
                levels: vec!["a".into(), "b".into(), "c".into()],
            },
            SensitivityError::NoInformativeSets {
                outcome: "y".into(),
                sets: 3,
            },
            SensitivityError::BadAlpha(2.0),
        ];
        for e in all {
            assert!(!e.hint().is_empty());
            assert_ne!(e.hint(), e.to_string());
        }
    }
}

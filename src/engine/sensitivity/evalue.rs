//! E-values (VanderWeele & Ding 2017): the formulas are in the module
//! documentation of [`super`].

use serde::{Deserialize, Serialize};

use super::{EffectMeasure, SensitivityError};
use crate::engine::estimate::Estimate;

/// The E-value of an estimate and of its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EValue {
    pub measure: EffectMeasure,
    /// The outcome is common (over 15% at the end of follow-up), so an OR
    /// or HR is converted to the RR scale (no effect for an RR).
    pub common: bool,
    pub estimate: f64,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// The estimate on the risk-ratio scale (see [`to_risk_ratio`]).
    pub rr_point: f64,
    /// The E-value of the estimate.
    pub point: f64,
    /// The E-value of the confidence limit closer to 1, and 1 when the CI
    /// includes 1; `None` when that limit was not given.
    pub ci: Option<f64>,
}

/// `x` of `measure` on the risk-ratio scale: an RR as it is, an OR or HR
/// as it is for a rare outcome; for a common outcome sqrt(OR), and for an
/// HR (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (VanderWeele 2017, 2020;
/// EValue's `toRR`).
pub fn to_risk_ratio(measure: EffectMeasure, x: f64, common: bool) -> f64 {
    match (measure, common) {
        (EffectMeasure::Rr, _) | (_, false) => x,
        (EffectMeasure::Or, true) => x.sqrt(),
        (EffectMeasure::Hr, true) => {
            (1.0 - 0.5f64.powf(x.sqrt())) / (1.0 - 0.5f64.powf(x.recip().sqrt()))
        }
    }
}

/// The E-value of a risk ratio `rr` > 0: RR + sqrt(RR (RR - 1)), of 1/RR
/// when RR < 1 (1 at RR = 1).
pub fn e_value_threshold(rr: f64) -> f64 {
    let x = if rr < 1.0 { rr.recip() } else { rr };
    x + (x * (x - 1.0)).sqrt()
}

/// The E-value of `estimate` (an RR, OR or HR, with the outcome `common`
/// or rare) and of its CI limit closer to 1, when given.
///
/// Follows `EValue::evalues.RR` (with `true = 1`): a CI that includes 1
/// (lower < 1 for an estimate above 1, upper > 1 for one below) has an
/// E-value of 1; for an estimate above 1 only the lower limit counts, for
/// one below only the upper; for an estimate of exactly 1 the CI's E-value
/// is 1.
pub fn e_value(
    measure: EffectMeasure,
    estimate: f64,
    lower: Option<f64>,
    upper: Option<f64>,
    common: bool,
) -> Result<EValue, SensitivityError> {
    let positive = |what: &'static str, value: f64| {
        if value > 0.0 && value.is_finite() {
            Ok(())
        } else {
            Err(SensitivityError::NotPositive {
                measure,
                what,
                value,
            })
        }
    };
    positive("estimate", estimate)?;
    if let Some(l) = lower {
        positive("lower limit", l)?;
    }
    if let Some(u) = upper {
        positive("upper limit", u)?;
    }
    if let (Some(l), Some(u)) = (lower, upper) {
        if l > u {
            return Err(SensitivityError::LowerAboveUpper { lower: l, upper: u });
        }
    }
    if lower.is_some_and(|l| estimate < l) || upper.is_some_and(|u| estimate > u) {
        return Err(SensitivityError::OutsideInterval {
            estimate,
            lower: lower.unwrap_or(f64::NAN),
            upper: upper.unwrap_or(f64::NAN),
        });
    }
    let rr = |x: f64| to_risk_ratio(measure, x, common);
    let rr_point = rr(estimate);
    // The limit closer to 1, on the RR scale (the conversions keep 1 at 1
    // and are increasing, so the side of 1 is the same on both scales).
    let limit_e = |limit: f64, crosses: bool| {
        if crosses {
            1.0
        } else {
            e_value_threshold(rr(limit))
        }
    };
    let ci = if estimate > 1.0 {
        lower.map(|l| limit_e(l, l < 1.0))
    } else if estimate < 1.0 {
        upper.map(|u| limit_e(u, u > 1.0))
    } else {
        (lower.is_some() || upper.is_some()).then_some(1.0)
    };
    Ok(EValue {
        measure,
        common,
        estimate,
        lower,
        upper,
        rr_point,
        point: e_value_threshold(rr_point),
        ci,
    })
}

/// [`e_value`] of an [`Estimate`] (its value and both limits).
pub fn e_value_of(
    measure: EffectMeasure,
    e: &Estimate,
    common: bool,
) -> Result<EValue, SensitivityError> {
    e_value(measure, e.value, Some(e.lower), Some(e.upper), common)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    // VanderWeele & Ding (2017), the example of the paper: RR 3.9 (95% CI
    // 1.8 to 8.7), E-values 7.26 and 3.0.
    #[test]
    fn the_published_example() {
        let e = e_value(EffectMeasure::Rr, 3.9, Some(1.8), Some(8.7), false).unwrap();
        assert_eq!((e.point * 100.0).round() / 100.0, 7.26);
        near(e.ci.unwrap(), 3.0);
    }

    #[test]
    fn protective_estimates_use_the_reciprocal_and_the_upper_limit() {
        let e = e_value(EffectMeasure::Rr, 0.5, Some(0.3), Some(0.8), false).unwrap();
        let h = e_value(EffectMeasure::Rr, 2.0, Some(1.25), Some(10.0 / 3.0), false).unwrap();
        near(e.point, h.point);
        near(e.ci.unwrap(), h.ci.unwrap());
        near(e.point, 2.0 + 2f64.sqrt());
    }

    #[test]
    fn a_ci_including_1_has_an_e_value_of_1() {
        let e = e_value(EffectMeasure::Or, 1.5, Some(0.9), Some(2.5), false).unwrap();
        assert_eq!(e.ci, Some(1.0));
        let e = e_value(EffectMeasure::Hr, 0.8, Some(0.6), Some(1.1), true).unwrap();
        assert_eq!(e.ci, Some(1.0));
        let e = e_value(EffectMeasure::Rr, 1.0, Some(0.6), Some(1.1), true).unwrap();
        assert_eq!((e.point, e.ci), (1.0, Some(1.0)));
        // Only the limit further from 1: no E-value for the CI.
        let e = e_value(EffectMeasure::Rr, 2.0, None, Some(3.0), false).unwrap();
        assert_eq!(e.ci, None);
    }

    #[test]
    fn common_outcomes_are_converted() {
        let e = e_value(EffectMeasure::Or, 4.0, None, None, true).unwrap();
        near(e.rr_point, 2.0);
        let rare = e_value(EffectMeasure::Hr, 2.0, None, None, false).unwrap();
        near(rare.rr_point, 2.0);
        let common = e_value(EffectMeasure::Hr, 2.0, None, None, true).unwrap();
        let s = 2f64.sqrt();
        near(
            common.rr_point,
            (1.0 - 0.5f64.powf(s)) / (1.0 - 0.5f64.powf(1.0 / s)),
        );
        assert!(common.point < rare.point);
        near(to_risk_ratio(EffectMeasure::Hr, 1.0, true), 1.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        let err = |e, l, u| e_value(EffectMeasure::Or, e, l, u, false).unwrap_err();
        assert!(matches!(
            err(0.0, None, None),
            SensitivityError::NotPositive {
                what: "estimate",
                ..
            }
        ));
        assert!(matches!(
            err(f64::NAN, None, None),
            SensitivityError::NotPositive { .. }
        ));
        assert!(matches!(
            err(1.5, Some(-1.0), None),
            SensitivityError::NotPositive {
                what: "lower limit",
                ..
            }
        ));
        assert!(matches!(
            err(1.5, Some(2.0), Some(1.0)),
            SensitivityError::LowerAboveUpper { .. }
        ));
        assert!(matches!(
            err(3.0, Some(1.0), Some(2.0)),
            SensitivityError::OutsideInterval { .. }
        ));
    }
}

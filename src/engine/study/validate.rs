//! Every number in the options and the study settings checked in one place
//! per spec, with a message naming the field and the range allowed, before
//! anything runs (a `conf_level` of 1.5 used to panic inside statrs).
//! Names of columns and levels are checked where they are used (with the
//! columns or levels present in the message). The survival step's `at`,
//! `rmst` and `rho` are checked by the survival analysis itself.

use crate::engine::data::{DatasetSpec, Recode};
use crate::engine::defaults::MAX_RATIO;
use crate::engine::matching::{Caliper, MatchSpec};
use crate::engine::regression::LogisticSpec;
use crate::engine::weighting::WeightOptions;

use super::StudySettings;

/// A probability-like level strictly between 0 and 1 (a confidence level).
pub fn level_in_unit_interval(field: &str, v: f64) -> Result<(), String> {
    if v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        Err(format!(
            "{field} must be between 0 and 1 (e.g. 0.95); it is {v}"
        ))
    }
}

/// A P-value threshold: above 0, at most 1.
pub fn p_threshold(field: &str, v: f64) -> Result<(), String> {
    if v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(format!(
            "{field} must be above 0 and at most 1 (e.g. 0.05); it is {v}"
        ))
    }
}

/// The logistic model's settings.
pub fn logistic_spec(field: &str, s: &LogisticSpec) -> Result<(), String> {
    level_in_unit_interval(&format!("{field}.conf_level"), s.conf_level)
}

/// The matching's settings: ratio 1 to [`MAX_RATIO`], caliper a positive
/// number.
pub fn match_spec(field: &str, s: &MatchSpec) -> Result<(), String> {
    if !(1..=MAX_RATIO).contains(&s.ratio) {
        return Err(format!(
            "{field}.ratio must be between 1 and {MAX_RATIO}; it is {}",
            s.ratio
        ));
    }
    if let Caliper::Sd(w) | Caliper::Absolute(w) = s.caliper {
        if !(w > 0.0 && w.is_finite()) {
            return Err(format!(
                "{field}.caliper must be a positive number; it is {w}"
            ));
        }
    }
    Ok(())
}

/// The weighting's options: a trimming quantile q with 0 < q < 0.5 (the
/// scores kept lie in [q, 1 - q]) and a truncation percentile p with
/// 0.5 < p < 1 (weights above their p-th quantile are set to it).
pub fn weight_options(w: &WeightOptions) -> Result<(), String> {
    if let Some(q) = w.trim {
        if !(q > 0.0 && q < 0.5) {
            return Err(format!(
                "trim must be between 0 and 0.5 (e.g. 0.05 keeps scores in [0.05, 0.95]); it is {q}"
            ));
        }
    }
    if let Some(p) = w.truncate {
        if !(p > 0.5 && p < 1.0) {
            return Err(format!(
                "truncate must be a percentile between 0.5 and 1 (e.g. 0.99); it is {p}"
            ));
        }
    }
    Ok(())
}

/// The dataset's settings: cut points finite and increasing.
pub fn dataset_spec(field: &str, s: &DatasetSpec) -> Result<(), String> {
    for d in &s.derived {
        let Recode::Cut { thresholds, .. } = &d.recode;
        if thresholds.is_empty()
            || thresholds.iter().any(|t| !t.is_finite())
            || thresholds.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(format!(
                "{field}.derived `{}`: the cut points must be finite numbers in increasing order; they are {thresholds:?}",
                d.name
            ));
        }
    }
    Ok(())
}

/// Every field of a settings file.
pub fn settings(s: &StudySettings) -> Result<(), String> {
    level_in_unit_interval("conf_level", s.conf_level)?;
    dataset_spec("dataset", &s.dataset)?;
    if let Some(r) = &s.regression {
        logistic_spec("regression.spec", &r.spec)?;
        if let Some(t) = r.threshold {
            p_threshold("regression.threshold", t)?;
        }
    }
    if let Some(m) = &s.matching {
        match_spec("matching", m)?;
    }
    if let Some(step) = &s.sensitivity {
        if s.matching.is_none() {
            return Err("sensitivity needs the matching's treatment and covariates: add a `matching` section (its propensity model gives the weights)".into());
        }
        weight_options(&step.weighting).map_err(|e| format!("sensitivity.weighting.{e}"))?;
    }
    if let Some(step) = &s.survival {
        crate::engine::survival::check_survival_options(&step.at, step.rho, step.rmst)
            .map_err(|e| format!("{e} ({})", e.hint()))?;
        if let Some(c) = &step.cox {
            level_in_unit_interval("survival.cox.conf_level", c.conf_level)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_numbers_are_named() {
        let mut s = StudySettings::example();
        assert_eq!(settings(&s), Ok(()));
        if let Some(r) = &mut s.regression {
            r.spec.conf_level = 1.5;
        }
        let e = settings(&s).unwrap_err();
        assert!(
            e.contains("regression.spec.conf_level") && e.contains("1.5"),
            "{e}"
        );
        let mut s = StudySettings::example();
        if let Some(r) = &mut s.regression {
            r.threshold = Some(f64::NAN);
        }
        assert!(settings(&s).unwrap_err().contains("regression.threshold"));
        let mut s = StudySettings::example();
        if let Some(m) = &mut s.matching {
            m.ratio = 0;
        }
        assert!(settings(&s).unwrap_err().contains("matching.ratio"));
        let mut s = StudySettings::example();
        if let Some(m) = &mut s.matching {
            m.caliper = Caliper::Sd(-1.0);
        }
        assert!(settings(&s).unwrap_err().contains("matching.caliper"));
        let mut s = StudySettings::example();
        if let Some(c) = s.survival.as_mut().and_then(|v| v.cox.as_mut()) {
            c.conf_level = 0.0;
        }
        assert!(settings(&s)
            .unwrap_err()
            .contains("survival.cox.conf_level"));
        let mut s = StudySettings::example();
        let mut step = super::super::SensitivityStep::default();
        step.weighting.trim = Some(0.5);
        s.sensitivity = Some(step.clone());
        let e = settings(&s).unwrap_err();
        assert!(
            e.contains("sensitivity.weighting.trim") && e.contains("0.5"),
            "{e}"
        );
        step.weighting.trim = None;
        step.weighting.truncate = Some(1.0);
        s.sensitivity = Some(step.clone());
        assert!(settings(&s)
            .unwrap_err()
            .contains("sensitivity.weighting.truncate"));
        step.weighting.truncate = Some(0.99);
        s.sensitivity = Some(step);
        assert_eq!(settings(&s), Ok(()));
        s.matching = None;
        assert!(settings(&s).unwrap_err().contains("matching"));
    }
}

//! Every number in the options and the study settings checked in one place
//! per spec, with a message naming the field and the range allowed, before
//! anything runs (a `conf_level` of 1.5 used to panic inside statrs).
//! Names of columns and levels are checked where they are used (with the
//! columns or levels present in the message): the competing-risks levels
//! by [`settings_on`], with the dataset. The survival step's `at` and `rho`
//! are checked as the survival analysis checks them.

use crate::engine::data::{Dataset, DatasetSpec, Recode};
use crate::engine::defaults::MAX_RATIO;
use crate::engine::matching::{Caliper, MatchSpec};
use crate::engine::regression::LogisticSpec;
use crate::engine::survival::RmstHorizon;
use crate::engine::weighting::WeightOptions;

use super::{CompetingStep, StudySettings, SurvivalStep};

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
        if let Some(RmstHorizon::At(tau)) = step.rmst {
            if !(tau.is_finite() && tau > 0.0) {
                return Err(format!(
                    "survival.rmst must be a time > 0 (in the time column's unit) or \"auto\"; it is {tau}"
                ));
            }
        }
        crate::engine::survival::check_survival_options(&step.at, step.rho, None)
            .map_err(|e| format!("{e} ({})", e.hint()))?;
        if let Some(c) = &step.cox {
            level_in_unit_interval("survival.cox.conf_level", c.conf_level)?;
        }
        if let Some(c) = &step.competing {
            competing_step(step, c)?;
        }
    }
    Ok(())
}

/// The competing-risks part of the survival step: one event of interest,
/// distinct competing levels, covariates that are not the outcome.
pub fn competing_step(step: &SurvivalStep, c: &CompetingStep) -> Result<(), String> {
    const FIELD: &str = "survival.competing";
    if c.event_level.trim().is_empty() {
        return Err(format!(
            "{FIELD}.event_level is empty: name the level of `{}` meaning the event of interest",
            step.spec.event
        ));
    }
    if c.competing_levels.is_empty() {
        return Err(format!("{FIELD}.competing_levels is empty: name at least one level of `{}` meaning a competing event (any other level is censored)", step.spec.event));
    }
    for (k, l) in c.competing_levels.iter().enumerate() {
        if l.trim() == c.event_level.trim() {
            return Err(format!("{FIELD}.competing_levels names `{l}`, the event of interest ({FIELD}.event_level): a level is either the event or a competing event"));
        }
        if c.competing_levels[..k].iter().any(|m| m.trim() == l.trim()) {
            return Err(format!("{FIELD}.competing_levels names `{l}` twice"));
        }
    }
    let named = [
        ("survival.spec.event_level", step.spec.event_level.as_ref()),
        (
            "survival.cox.event_level",
            step.cox.as_ref().and_then(|x| x.event_level.as_ref()),
        ),
    ];
    for (field, level) in named {
        if let Some(l) = level.filter(|l| l.trim() != c.event_level.trim()) {
            return Err(format!(
                "{field} is `{l}` but {FIELD}.event_level is `{}`: the curves, the Cox model and the competing-risks analysis have one event of interest (leave {field} out to use {FIELD}.event_level)",
                c.event_level
            ));
        }
    }
    if let Some(v) = &c.covariates {
        let roles = [
            (&step.spec.time, "the follow-up time (survival.spec.time)"),
            (&step.spec.event, "the status (survival.spec.event)"),
        ];
        for (column, role) in roles {
            if v.variables.contains(column) || v.ordinal.contains(column) {
                return Err(format!(
                    "{FIELD}.covariates names `{column}`, {role}: it cannot be a covariate of its own model"
                ));
            }
        }
        if let Some(o) = v.ordinal.iter().find(|o| !v.variables.contains(o)) {
            return Err(format!(
                "{FIELD}.covariates.ordinal names `{o}`, which is not in {FIELD}.covariates.variables"
            ));
        }
    }
    Ok(())
}

/// The fields whose values must be found in the data: the competing-risks
/// levels in the status column (the message lists its levels).
pub fn settings_on(s: &StudySettings, ds: &Dataset) -> Result<(), String> {
    let Some(step) = &s.survival else {
        return Ok(());
    };
    let Some(c) = &step.competing else {
        return Ok(());
    };
    // A missing column is the step's own error (it names the columns).
    let Some(levels) = ds
        .column(&step.spec.event)
        .and_then(|col| col.levels().ok())
    else {
        return Ok(());
    };
    let named = std::iter::once(("event_level", &c.event_level))
        .chain(c.competing_levels.iter().map(|l| ("competing_levels", l)));
    for (field, level) in named {
        if levels.find(&step.spec.event, level).is_err() {
            return Err(format!(
                "survival.competing.{field}: `{level}` is not a level of `{}` (its levels are {})",
                step.spec.event,
                levels.levels.join(", ")
            ));
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

//! The sensitivity step: the two questions reviewers ask of a matched
//! cohort study.
//!
//! 1. Does the result hold with weighting instead of matching (which keeps
//!    every patient)? The matching's propensity model gives weights for
//!    the chosen estimand ([`crate::engine::weighting`]); balance after
//!    weighting, each binary outcome weighted (robust SEs as
//!    `survey::svyglm`) and its doubly robust estimate (the weighted
//!    outcome model with the covariates, marginal risks by g-computation)
//!    and, when the study has one, the Cox model weighted (robust SEs as
//!    `coxph(weights =, robust = TRUE)`).
//!    With Table 1 settings, Table 1 weighted too
//!    ([`crate::engine::weighting::weighted_table1`]: weighted n (%) and
//!    mean (SD), the balance table's SMD, no P values unless the step's
//!    `table1_p_values` asks for tableone's design-based tests).
//! 2. How strong would an unmeasured confounder have to be to explain it
//!    away? E-values (VanderWeele & Ding 2017) under every odds ratio and
//!    hazard ratio the study reports and under the doubly robust risk
//!    ratios, and Rosenbaum bounds for each binary
//!    outcome in the matched sets ([`crate::engine::sensitivity`]).
//!
//! An outcome is "common" for the E-value's conversion to the risk-ratio
//! scale when more than [`COMMON_OUTCOME`] of the patients analysed had it
//! (VanderWeele 2017's rule); the conversion is named in each row.

use serde::{Deserialize, Serialize};

use super::{OutcomeComparison, StudyCohort};
use crate::engine::data::Dataset;
use crate::engine::estimate::Estimate;
use crate::engine::matching::{BalanceRow, GroupCounts, MatchResult, MatchSpec};
use crate::engine::sensitivity::{
    e_value_of, rosenbaum_binary, EValue, EffectMeasure, RosenbaumResult,
};
use crate::engine::survival::{CoxFit, SurvivalAnalysis};
use crate::engine::table1::{Table1, Table1Spec};
use crate::engine::weighting::{
    doubly_robust, weight_patients, weighted_balance, weighted_outcome, weighted_table1,
    weighted_table1_tested, DoublyRobust, GroupWeights, SmdDenominator, WeightOptions,
    WeightResult, WeightSpec, WeightedOutcome,
};
use crate::engine::{Choice, Code, Diagnostic};

/// Above this proportion of patients with the outcome, an OR or HR is
/// converted to the risk-ratio scale as for a common outcome (√OR; the HR
/// formula of VanderWeele 2017) before its E-value.
pub const COMMON_OUTCOME: f64 = 0.15;

/// Bins of the weights' and scores' histograms.
pub const HISTOGRAM_BINS: usize = 20;

/// The sensitivity step's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SensitivityStep {
    /// The weighting beside the matching (the matching's treatment and
    /// covariates, these options).
    #[serde(default)]
    pub weighting: WeightOptions,
    /// Design-based P values in the weighted Table 1 (tableone's
    /// `svyCreateTableOne` tests); off by default, the convention after
    /// weighting.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub table1_p_values: bool,
}

/// The weighting as the report shows it (no per-patient vectors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightingSummary {
    pub options: WeightOptions,
    pub treated: GroupWeights,
    pub control: GroupWeights,
    /// Patients dropped by trimming the score.
    pub trimmed: GroupCounts,
    /// Weights capped by truncation.
    pub truncated: usize,
    /// Patients whose score of exactly 0 or 1 gives no finite weight
    /// (weight 0).
    #[serde(default)]
    pub infinite: usize,
    pub denominator: SmdDenominator,
    pub balance: Vec<BalanceRow>,
    /// The largest |SMD| before and after weighting.
    pub max_smd_before: f64,
    pub max_smd_after: f64,
    pub figure: WeightFigure,
}

/// The distributions the weights figure draws: proportions per bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightFigure {
    /// The weights' bins span 0 to this.
    pub max_weight: f64,
    pub weights_treated: Vec<f64>,
    pub weights_control: Vec<f64>,
    /// The score's bins span 0 to 1: before and after weighting.
    pub score_treated: Vec<f64>,
    pub score_control: Vec<f64>,
    pub score_treated_weighted: Vec<f64>,
    pub score_control_weighted: Vec<f64>,
}

/// One E-value: the estimate it is of, and the E-value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EValueRow {
    /// "Matched cohort", "Matched sets (Mantel-Haenszel)", "Weighted (ATE)".
    pub analysis: String,
    /// The outcome or the Cox model's term.
    pub what: String,
    pub e_value: EValue,
}

/// Every number of the sensitivity step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SensitivityResults {
    pub weighting: Option<WeightingSummary>,
    pub weighted_outcomes: Vec<WeightedOutcome>,
    /// Each binary outcome's doubly robust estimate: the weighted outcome
    /// model with the covariates, then g-computation
    /// ([`crate::engine::weighting::doubly_robust`]).
    #[serde(default)]
    pub doubly_robust: Vec<DoublyRobust>,
    /// The Cox model weighted, robust SEs.
    pub weighted_cox: Option<CoxFit>,
    /// The Kaplan-Meier curves by group weighted (robust variance), with
    /// the weighted Cox model's robust score test as their comparison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_survival: Option<SurvivalAnalysis>,
    /// Table 1 by the treatment with the weights (when the study has Table
    /// 1 settings): weighted n (%), mean (SD) or median [IQR], the balance
    /// table's SMD, no P values unless asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted_table1: Option<Table1>,
    pub e_values: Vec<EValueRow>,
    pub rosenbaum: Vec<RosenbaumResult>,
}

/// What the sensitivity step works from: the data, the matching and what
/// the other steps found.
pub struct SensitivityInput<'a> {
    pub dataset: &'a Dataset,
    pub matching: Option<&'a MatchResult>,
    pub outcomes: &'a [OutcomeComparison],
    pub cox: Option<&'a CoxFit>,
    /// The Cox model of the survival step weighted (computed by the caller
    /// with the weights [`weights_for`] returns).
    pub weighted_cox: Option<CoxFit>,
    /// The survival step's curves weighted (computed by the caller).
    pub weighted_survival: Option<SurvivalAnalysis>,
    /// The study's Table 1 settings: Table 1 is weighted too.
    pub table1: Option<&'a Table1Spec>,
    /// The weighted Table 1 with design-based P values
    /// ([`SensitivityStep::table1_p_values`]).
    pub table1_p_values: bool,
}

fn failed(message: String, hint: String) -> Diagnostic {
    Diagnostic::warning(Code::StepFailed, None, message).with_hint(hint)
}

/// The weights of the step's options with the matching's model.
pub fn weights_for(
    ds: &Dataset,
    spec: &MatchSpec,
    step: &SensitivityStep,
) -> Result<WeightResult, crate::engine::weighting::WeightError> {
    weight_patients(ds, &WeightSpec::from_match(spec, step.weighting))
}

/// Runs the sensitivity step on `weights` (from [`weights_for`], `None`
/// without a matching, `Err` when they could not be computed).
pub fn sensitivity_step(
    input: &SensitivityInput<'_>,
    weights: Option<&Result<WeightResult, crate::engine::weighting::WeightError>>,
    level: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> SensitivityResults {
    let ds = input.dataset;
    let mut out = SensitivityResults::default();
    match weights {
        Some(Ok(w)) => {
            diagnostics.extend(w.diagnostics.iter().map(|d| Diagnostic {
                message: format!("Weighting: {}", d.message),
                ..d.clone()
            }));
            out.weighting = Some(WeightingSummary::new(ds, w));
            if let Some(spec) = input.table1 {
                let made = if input.table1_p_values {
                    weighted_table1_tested(ds, spec, w)
                } else {
                    weighted_table1(ds, spec, w)
                };
                match made {
                    Ok(t) => {
                        // Notes about the columns Table 1 has already made.
                        let said = [Code::WholeNumbersAsLevels, Code::GroupMissing];
                        diagnostics.extend(
                            t.diagnostics
                                .iter()
                                .filter(|d| !said.contains(&d.code))
                                .map(|d| Diagnostic {
                                    message: format!("Weighted Table 1: {}", d.message),
                                    ..d.clone()
                                }),
                        );
                        out.weighted_table1 = Some(t);
                    }
                    Err(e) => diagnostics.push(failed(
                        format!("The weighted Table 1 could not be made: {e}."),
                        e.hint(),
                    )),
                }
            }
            for o in input.outcomes.iter().filter(|o| o.subgroup.is_none()) {
                match weighted_outcome(ds, w, &o.outcome, level) {
                    Ok(r) => out.weighted_outcomes.push(r),
                    Err(e) => diagnostics.push(failed(
                        format!(
                            "The weighted comparison of {} could not be made: {e}.",
                            o.outcome
                        ),
                        e.hint(),
                    )),
                }
                match doubly_robust(ds, w, &o.outcome, level) {
                    Ok(r) => {
                        diagnostics.extend(r.diagnostics.iter().cloned());
                        out.doubly_robust.push(r);
                    }
                    Err(e) => diagnostics.push(failed(
                        format!(
                            "The doubly robust estimate of {} could not be made: {e}.",
                            o.outcome
                        ),
                        e.hint(),
                    )),
                }
            }
        }
        Some(Err(e)) => diagnostics.push(failed(
            format!("The weighting could not be done: {e}."),
            e.hint(),
        )),
        None => {}
    }
    out.weighted_cox = input.weighted_cox.clone();
    out.weighted_survival = input.weighted_survival.clone();
    let estimand = weights
        .and_then(|w| w.as_ref().ok())
        .map(|w| w.spec.options.estimand);
    out.e_values = e_values(input, &out, estimand, diagnostics);
    if let Some(m) = input.matching {
        for o in input.outcomes.iter().filter(|o| o.subgroup.is_none()) {
            match rosenbaum_binary(ds, m, &o.outcome, 1.0 - level) {
                Ok(r) => {
                    diagnostics.extend(r.diagnostics.iter().map(|d| Diagnostic {
                        message: format!("Rosenbaum bounds ({}): {}", o.outcome, d.message),
                        ..d.clone()
                    }));
                    out.rosenbaum.push(r);
                }
                Err(e) => diagnostics.push(failed(
                    format!(
                        "Rosenbaum bounds for {} could not be computed: {e}.",
                        o.outcome
                    ),
                    e.hint(),
                )),
            }
        }
    }
    out
}

impl WeightingSummary {
    /// The weighting's summary, balance and figure data.
    pub fn new(ds: &Dataset, w: &WeightResult) -> WeightingSummary {
        let bal = weighted_balance(ds, w);
        let max = |f: fn(&BalanceRow) -> f64| {
            bal.rows
                .iter()
                .map(f)
                .filter(|v| v.is_finite())
                .fold(0.0f64, |a, v| a.max(v.abs()))
        };
        WeightingSummary {
            options: w.spec.options,
            treated: w.treated_weights,
            control: w.control_weights,
            trimmed: w.trimmed,
            truncated: w.truncated,
            infinite: w.infinite,
            denominator: bal.denominator,
            max_smd_before: max(|r| r.before.smd),
            max_smd_after: max(|r| r.after.smd),
            balance: bal.rows,
            figure: figure(w),
        }
    }
}

/// Proportions per bin of `values` (with their weights) over [0, hi].
fn histogram(values: impl Iterator<Item = (f64, f64)>, hi: f64) -> Vec<f64> {
    let mut h = vec![0.0; HISTOGRAM_BINS];
    for (v, w) in values {
        if !(v.is_finite() && w > 0.0 && hi > 0.0) {
            continue;
        }
        let b = ((v / hi * HISTOGRAM_BINS as f64) as usize).min(HISTOGRAM_BINS - 1);
        h[b] += w;
    }
    let total: f64 = h.iter().sum();
    if total > 0.0 {
        h.iter_mut().for_each(|v| *v /= total);
    }
    h
}

fn figure(w: &WeightResult) -> WeightFigure {
    let group =
        |t: bool| (0..w.ps.len()).filter(move |&i| w.treated[i] == Some(t) && w.weights[i] > 0.0);
    let max_weight = w.weights.iter().copied().fold(0.0f64, f64::max);
    let weights = |t: bool| histogram(group(t).map(|i| (w.weights[i], 1.0)), max_weight);
    let scores = |t: bool, weighted: bool| {
        histogram(
            group(t).map(|i| (w.ps[i], if weighted { w.weights[i] } else { 1.0 })),
            1.0,
        )
    };
    WeightFigure {
        max_weight,
        weights_treated: weights(true),
        weights_control: weights(false),
        score_treated: scores(true, false),
        score_control: scores(false, false),
        score_treated_weighted: scores(true, true),
        score_control_weighted: scores(false, true),
    }
}

/// The proportion of patients with the event in a comparison.
fn prevalence(o: &OutcomeComparison) -> f64 {
    let n: usize = o.n.iter().sum();
    o.events.iter().sum::<usize>() as f64 / n.max(1) as f64
}

/// E-values under every OR and HR of the study.
fn e_values(
    input: &SensitivityInput<'_>,
    out: &SensitivityResults,
    estimand: Option<crate::engine::weighting::Estimand>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<EValueRow> {
    let mut rows = Vec::new();
    let mut push = |analysis: String, what: &str, m: EffectMeasure, e: Estimate, common: bool| {
        match e_value_of(m, &e, common) {
            Ok(v) => rows.push(EValueRow {
                analysis,
                what: what.to_owned(),
                e_value: v,
            }),
            Err(err) => diagnostics.push(Diagnostic::warning(
                Code::StepFailed,
                None,
                format!("No E-value for {what} ({analysis}): {err}."),
            )),
        }
    };
    for o in input.outcomes.iter().filter(|o| o.subgroup.is_none()) {
        let common = prevalence(o) > COMMON_OUTCOME;
        let cohort = match o.cohort {
            StudyCohort::Matched => "Matched cohort",
            StudyCohort::All => "All patients",
        };
        if let Some(or) = o.odds_ratio {
            push(cohort.into(), &o.outcome, EffectMeasure::Or, or, common);
        }
        if let Some(mh) = &o.matched_sets {
            let e = Estimate {
                value: mh.odds_ratio,
                lower: mh.ci_lower,
                upper: mh.ci_upper,
                level: o
                    .odds_ratio
                    .map_or(crate::engine::defaults::CONF_LEVEL, |e| e.level),
            };
            push(
                "Matched sets (Mantel-Haenszel)".into(),
                &o.outcome,
                EffectMeasure::Or,
                e,
                common,
            );
        }
    }
    let weighted = estimand.map_or(String::from("Weighted"), |e| {
        format!("Weighted ({})", e.key().to_uppercase())
    });
    for w in &out.weighted_outcomes {
        let n = (w.treated.1 + w.control.1).max(1) as f64;
        // The proportion with the outcome: each group's weighted risk,
        // averaged over the groups by their numbers of patients.
        let p = (w.treated.0 * w.treated.1 as f64 + w.control.0 * w.control.1 as f64) / n;
        push(
            weighted.clone(),
            &w.outcome,
            EffectMeasure::Or,
            w.odds_ratio,
            p > COMMON_OUTCOME,
        );
    }
    // The doubly robust marginal RR: a risk ratio, no conversion.
    let dr = estimand.map_or(String::from("Doubly robust"), |e| {
        format!("Doubly robust ({})", e.key().to_uppercase())
    });
    for d in &out.doubly_robust {
        push(
            dr.clone(),
            &d.outcome,
            EffectMeasure::Rr,
            d.risk_ratio,
            false,
        );
    }
    let cox_rows = |f: &CoxFit, analysis: &str, push: &mut dyn FnMut(String, &str, Estimate)| {
        for t in &f.terms {
            let (lower, upper) = t
                .robust
                .map_or((t.ci_lower, t.ci_upper), |r| (r.ci_lower, r.ci_upper));
            push(
                analysis.to_owned(),
                &t.term,
                Estimate {
                    value: t.hazard_ratio,
                    lower,
                    upper,
                    level: f.conf_level,
                },
            );
        }
    };
    let common_hr = |f: &CoxFit| f.events as f64 / f.n.max(1) as f64 > COMMON_OUTCOME;
    if let Some(f) = input.cox {
        let common = common_hr(f);
        cox_rows(f, "Cox model", &mut |a, w, e| {
            push(a, w, EffectMeasure::Hr, e, common)
        });
    }
    if let Some(f) = &out.weighted_cox {
        let common = common_hr(f);
        let analysis = format!("{weighted} Cox model");
        cox_rows(f, &analysis, &mut |a, w, e| {
            push(a, w, EffectMeasure::Hr, e, common)
        });
    }
    rows
}

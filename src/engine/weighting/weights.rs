//! The weights from the scores: trimming, the estimand's formula,
//! stabilisation, truncation (formulas in the module doc of `weighting`),
//! and the summaries and warnings of each group's weights.

use super::{Estimand, GroupWeights, WeightOptions};
use crate::engine::matching::GroupCounts;
use crate::engine::{Code, Diagnostic};

/// Above this ratio of a group's largest weight to its mean weight, the
/// weights are called extreme.
pub(crate) const EXTREME_RATIO: f64 = 10.0;

/// Below this fraction of a group's weighted patients, its effective
/// sample size is called low.
pub(crate) const LOW_ESS_FRACTION: f64 = 0.5;

/// The weights and what was done to them.
pub(super) struct Computed {
    pub weights: Vec<f64>,
    pub trimmed: GroupCounts,
    pub truncated: usize,
    pub infinite: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// The estimand's weight of a patient with score `e` in the group
/// `treated` (WeightIt's `get_w_from_ps`, binary treatment).
pub(crate) fn weight_of(estimand: Estimand, e: f64, treated: bool) -> f64 {
    // The probability of the group received and of the other one.
    let (received, other) = if treated { (e, 1.0 - e) } else { (1.0 - e, e) };
    match estimand {
        Estimand::Ate => 1.0 / received,
        Estimand::Att if treated => 1.0,
        Estimand::Att => e / (1.0 - e),
        Estimand::Ato => other,
        // 1 when the group received is the less likely one (WeightIt's
        // rule, ties included), so a score of 0 or 1 gives 0 or 1.
        Estimand::Atm if received <= other => 1.0,
        Estimand::Atm => other / received,
    }
}

/// R's `quantile(x, p, type = 3)` (SAS definition 5: the nearest order
/// statistic, the even one at a tie) of `sorted`, ascending and not empty.
pub(crate) fn quantile_type3(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let nppm = n as f64 * p - 0.5;
    let j = nppm.floor();
    let take_next = nppm != j || (j as i64).rem_euclid(2) == 1;
    let k = if take_next { j as i64 + 1 } else { j as i64 };
    sorted[(k.clamp(1, n as i64) - 1) as usize]
}

/// Trims, weights, stabilises and truncates: the weight of every row
/// (0 outside the model, trimmed, or infinite).
pub(super) fn compute(ps: &[f64], treated: &[Option<bool>], o: &WeightOptions) -> Computed {
    let n = ps.len();
    let mut diagnostics = Vec::new();
    let mut trimmed = GroupCounts {
        control: 0,
        treated: 0,
    };
    let mut keep: Vec<bool> = treated.iter().map(Option::is_some).collect();
    if let Some(q) = o.trim {
        for i in 0..n {
            if let Some(t) = treated[i].filter(|_| !(ps[i] >= q && ps[i] <= 1.0 - q)) {
                keep[i] = false;
                if t {
                    trimmed.treated += 1;
                } else {
                    trimmed.control += 1;
                }
            }
        }
        diagnostics.push(Diagnostic::info(
            Code::WeightsTrimmed,
            None,
            format!(
                "{} treated and {} control patient(s) with a propensity score outside [{q}, {}] were left out (Crump et al. 2009); the propensity model was not refitted without them",
                trimmed.treated, trimmed.control, 1.0 - q
            ),
        ).with_hint("The estimate then applies to the patients whose scores overlap, not to the whole cohort."));
    }
    let mut weights = vec![0.0; n];
    let mut infinite = GroupCounts {
        control: 0,
        treated: 0,
    };
    for i in 0..n {
        let Some(t) = treated[i].filter(|_| keep[i]) else {
            continue;
        };
        let w = weight_of(o.estimand, ps[i], t);
        if w.is_finite() {
            weights[i] = w;
        } else {
            keep[i] = false;
            if t {
                infinite.treated += 1;
            } else {
                infinite.control += 1;
            }
        }
    }
    if infinite.treated + infinite.control > 0 {
        diagnostics.push(
            Diagnostic::warning(
                Code::InfiniteWeight,
                None,
                format!(
                    "{} treated and {} control patient(s) have a propensity score of exactly {} so no finite weight: they are left out (weight 0)",
                    infinite.treated,
                    infinite.control,
                    if infinite.treated > 0 { "0 (treated) or 1" } else { "1" }
                ),
            )
            .with_hint("The model separates the groups: leave out or merge the covariate level that has no treated (or no control) patient, or trim the scores."),
        );
    }
    if o.stabilize {
        if o.estimand == Estimand::Ate {
            stabilize(&mut weights, treated, &keep);
        } else {
            diagnostics.push(Diagnostic::info(
                Code::StabilizeIgnored,
                None,
                format!(
                    "stabilised weights are defined for the ATE only (as in WeightIt); the {} weights are not stabilised",
                    o.estimand.as_str().to_uppercase()
                ),
            ));
        }
    }
    let truncated = match o.truncate {
        Some(p) => truncate(
            &mut weights,
            treated,
            &keep,
            o.estimand,
            p,
            &mut diagnostics,
        ),
        None => 0,
    };
    Computed {
        weights,
        trimmed,
        truncated,
        infinite: infinite.treated + infinite.control,
        diagnostics,
    }
}

/// Multiplies each kept weight by the proportion of the kept patients in
/// its group (WeightIt's `stabilize_w`).
fn stabilize(weights: &mut [f64], treated: &[Option<bool>], keep: &[bool]) {
    let kept = keep.iter().filter(|&&k| k).count() as f64;
    let count = |g: bool| {
        (0..weights.len())
            .filter(|&i| keep[i] && treated[i] == Some(g))
            .count() as f64
    };
    let (p_treated, p_control) = (count(true) / kept, count(false) / kept);
    for i in 0..weights.len() {
        if keep[i] {
            weights[i] *= if treated[i] == Some(true) {
                p_treated
            } else {
                p_control
            };
        }
    }
}

/// Caps the kept weights above their `p` quantile at it (WeightIt's
/// `trim(at = p)`: the controls only for the ATT); returns how many.
fn truncate(
    weights: &mut [f64],
    treated: &[Option<bool>],
    keep: &[bool],
    estimand: Estimand,
    p: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> usize {
    let pick = |i: usize| keep[i] && (estimand != Estimand::Att || treated[i] == Some(false));
    let mut sorted: Vec<f64> = (0..weights.len())
        .filter(|&i| pick(i))
        .map(|i| weights[i])
        .collect();
    if sorted.is_empty() {
        return 0;
    }
    sorted.sort_by(f64::total_cmp);
    let cap = quantile_type3(&sorted, p.max(1.0 - p));
    let mut count = 0;
    for (i, w) in weights.iter_mut().enumerate() {
        if pick(i) && *w > cap {
            *w = cap;
            count += 1;
        }
    }
    let whose = if estimand == Estimand::Att {
        "control"
    } else {
        "patients'"
    };
    diagnostics.push(Diagnostic::info(
        Code::WeightsTruncated,
        None,
        format!(
            "{count} weight(s) above the {p} quantile ({cap:.4}) of the {whose} weights were set to it (truncation, as WeightIt's trim)"
        ),
    ));
    count
}

/// The summary of a group's positive weights.
pub(super) fn group(weights: &[f64], treated: &[Option<bool>], of: bool) -> GroupWeights {
    let (mut n, mut sum, mut sum2) = (0usize, 0.0, 0.0);
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for (w, t) in weights.iter().zip(treated) {
        if *t == Some(of) && *w > 0.0 {
            n += 1;
            sum += w;
            sum2 += w * w;
            min = min.min(*w);
            max = max.max(*w);
        }
    }
    if n == 0 {
        return GroupWeights {
            n,
            min: f64::NAN,
            max: f64::NAN,
            mean: f64::NAN,
            sum,
            ess: 0.0,
        };
    }
    GroupWeights {
        n,
        min,
        max,
        mean: sum / n as f64,
        sum,
        ess: sum * sum / sum2,
    }
}

/// Warnings about each named group's weights: a low ESS, an extreme
/// largest weight.
pub(super) fn extreme_warnings(
    estimand: Estimand,
    groups: &[(&str, &GroupWeights)],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let steadier = if estimand == Estimand::Ato {
        "trimming the scores or truncating the weights give steadier estimates"
    } else {
        "overlap weights (ATO), trimming the scores or truncating the weights give steadier estimates"
    };
    for (name, g) in groups {
        if g.n == 0 {
            continue;
        }
        if g.ess < LOW_ESS_FRACTION * g.n as f64 {
            out.push(
                Diagnostic::warning(
                    Code::LowEffectiveSampleSize,
                    None,
                    format!(
                        "the {} {name} patients weigh as much as {:.0} unweighted ones (effective sample size {:.0}%): a few carry most of the weight",
                        g.n,
                        g.ess,
                        100.0 * g.ess / g.n as f64
                    ),
                )
                .with_hint(format!("Look at the weights' distribution; {steadier}.")),
            );
        }
        if g.max > EXTREME_RATIO * g.mean {
            out.push(
                Diagnostic::warning(
                    Code::ExtremeWeights,
                    None,
                    format!(
                        "the largest {name} weight ({:.2}) is {:.0} times the group's mean weight ({:.3})",
                        g.max,
                        g.max / g.mean,
                        g.mean
                    ),
                )
                .with_hint(format!("Check the patients with the extreme scores; {steadier}.")),
            );
        }
    }
    out
}

//! Rosenbaum bounds for a binary outcome in matched sets (Rosenbaum 2002,
//! §4.3-4.4): the formulas and conventions are in the module documentation
//! of [`super`].

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::beta::checked_beta_reg;

use super::SensitivityError;
use crate::engine::data::Dataset;
use crate::engine::matching::MatchResult;
use crate::engine::{Code, Diagnostic};

/// The step of Γ in [`RosenbaumResult::bounds`].
pub const GAMMA_STEP: f64 = 0.1;
/// The largest Γ of [`RosenbaumResult::bounds`] (the table stops there even
/// when P+ is still below alpha; [`RosenbaumResult::gamma_at_alpha`] is
/// searched further).
pub const GAMMA_MAX: f64 = 5.0;
/// How far the crossing Γ is searched.
const GAMMA_SEARCH_MAX: f64 = 1e6;
/// The width to which the crossing Γ is bisected.
const GAMMA_TOLERANCE: f64 = 1e-9;

/// The one-sided P value's bounds under a hidden bias of at most `gamma`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RosenbaumBound {
    pub gamma: f64,
    /// The largest P value any bias up to Γ could give.
    pub p_upper: f64,
    /// The smallest.
    pub p_lower: f64,
}

/// How the P value's bounds were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RosenbaumMethod {
    /// Every informative set is a pair: McNemar's test with hidden bias,
    /// exact binomial tails.
    ExactBinomial,
    /// Some sets have more than one control: the normal approximation
    /// with a continuity correction of 1/2.
    NormalApproximation,
}

impl RosenbaumMethod {
    /// The method in words, for a table's footnote.
    pub fn describe(self) -> &'static str {
        match self {
            RosenbaumMethod::ExactBinomial => {
                "exact binomial (McNemar's test with hidden bias, 1:1 pairs)"
            }
            RosenbaumMethod::NormalApproximation => {
                "normal approximation with continuity correction (1:k matched sets)"
            }
        }
    }
}

/// Which way the observed effect goes, and so which count is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The treated had the event more often than expected at Γ = 1: the
    /// sets whose treated patient had the event are counted.
    TreatedMore,
    /// Less often: the sets whose treated patient did not have it are
    /// counted (the outcome's levels swapped).
    TreatedFewer,
}

/// Rosenbaum bounds of one binary outcome in the matched sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RosenbaumResult {
    pub outcome: String,
    /// The outcome's level counted as the event (its last level).
    pub event_level: String,
    /// Matched sets with the outcome known for the treated patient and at
    /// least one control.
    pub sets: usize,
    /// Sets with both a patient with the event and one without
    /// (discordant pairs for 1:1 matching).
    pub informative_sets: usize,
    /// T: the informative sets whose treated patient is counted (had the
    /// event, or did not for [`Direction::TreatedFewer`]).
    pub statistic: usize,
    pub direction: Direction,
    /// The one-sided significance level (1 - the confidence level).
    pub alpha: f64,
    /// Γ = 1, 1.1, ... up to the first Γ whose P+ is above alpha (at most
    /// [`GAMMA_MAX`]).
    pub bounds: Vec<RosenbaumBound>,
    /// The Γ at which P+ reaches alpha (bisected to 1e-9); `None` when the
    /// result is not significant even at Γ = 1.
    pub gamma_at_alpha: Option<f64>,
    pub method: RosenbaumMethod,
    pub diagnostics: Vec<Diagnostic>,
}

/// The upper and lower bounds (P+, P-) of P(X ≥ t) among `discordant`
/// pairs: X ~ Binomial(discordant, Γ/(1+Γ)) and Binomial(discordant,
/// 1/(1+Γ)), by the regularised incomplete beta I_p(t, D - t + 1).
pub fn binary_bounds_exact(discordant: usize, t: usize, gamma: f64) -> (f64, f64) {
    let tail = |p: f64| {
        if t == 0 {
            1.0
        } else if t > discordant {
            0.0
        } else {
            checked_beta_reg(t as f64, (discordant - t + 1) as f64, p).unwrap_or(f64::NAN)
        }
    };
    (tail(gamma / (1.0 + gamma)), tail(1.0 / (1.0 + gamma)))
}

/// The upper and lower bounds (P+, P-) of P(T ≥ t) by the normal
/// approximation over informative `sets` of (patients n, events m):
/// p+ = mΓ/(mΓ + n - m), p- = m/(m + (n - m)Γ), E = Σp, V = Σp(1-p),
/// P = 1 - Φ((t - 1/2 - E)/sqrt(V)).
pub fn binary_bounds_normal(sets: &[(usize, usize)], t: usize, gamma: f64) -> (f64, f64) {
    normal_grouped(&group(sets), t, gamma)
}

/// The sets as (n, m, how many sets): sets of the same size and events
/// have the same p, so a bound costs one term per kind of set (at most 65
/// for 1:10 matching), not one per set.
fn group(sets: &[(usize, usize)]) -> Vec<(usize, usize, usize)> {
    let mut counts: std::collections::BTreeMap<(usize, usize), usize> = Default::default();
    for &s in sets {
        *counts.entry(s).or_insert(0) += 1;
    }
    counts.into_iter().map(|((n, m), k)| (n, m, k)).collect()
}

/// [`binary_bounds_normal`] of grouped sets.
fn normal_grouped(groups: &[(usize, usize, usize)], t: usize, gamma: f64) -> (f64, f64) {
    let tail = |prob: &dyn Fn(f64, f64) -> f64| {
        let (mut e, mut v) = (0.0, 0.0);
        for &(n, m, k) in groups {
            let p = prob(n as f64, m as f64);
            e += k as f64 * p;
            v += k as f64 * p * (1.0 - p);
        }
        let z = (t as f64 - 0.5 - e) / v.sqrt();
        Normal::standard().sf(z)
    };
    (
        tail(&|n, m| m * gamma / (m * gamma + n - m)),
        tail(&|n, m| m / (m + (n - m) * gamma)),
    )
}

/// The informative sets of an outcome, in the tested direction.
struct Sets {
    /// (patients, events, how many sets) of the informative sets.
    groups: Vec<(usize, usize, usize)>,
    /// The number of informative sets.
    informative: usize,
    statistic: usize,
    direction: Direction,
    method: RosenbaumMethod,
}

impl Sets {
    /// (P+, P-) at `gamma`.
    fn bounds(&self, gamma: f64) -> (f64, f64) {
        match self.method {
            RosenbaumMethod::ExactBinomial => {
                binary_bounds_exact(self.informative, self.statistic, gamma)
            }
            RosenbaumMethod::NormalApproximation => {
                normal_grouped(&self.groups, self.statistic, gamma)
            }
        }
    }

    /// The Γ where P+ reaches `alpha`, when P+ ≤ alpha at Γ = 1.
    fn crossing(&self, alpha: f64) -> Option<f64> {
        let p = |g: f64| self.bounds(g).0;
        if p(1.0) > alpha {
            return None;
        }
        let (mut lo, mut hi) = (1.0, 2.0);
        while p(hi) <= alpha {
            lo = hi;
            hi *= 2.0;
            if hi > GAMMA_SEARCH_MAX {
                return None;
            }
        }
        while hi - lo > GAMMA_TOLERANCE {
            let mid = 0.5 * (lo + hi);
            if p(mid) <= alpha {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    }
}

/// Per matched set: (patients, events, treated had the event), the
/// patients missing the outcome left out; and the number left out.
type SetCounts = (Vec<(usize, usize, bool)>, usize);

fn set_counts(m: &MatchResult, event: impl Fn(usize) -> Option<bool>) -> SetCounts {
    let mut out = Vec::with_capacity(m.sets.len());
    let mut missing = 0;
    for set in &m.sets {
        let (mut known, mut events) = (0, 0);
        for e in set.controls.iter().filter_map(|&c| event(c)) {
            known += 1;
            events += usize::from(e);
        }
        missing += set.controls.len() - known;
        let Some(t) = event(set.treated) else {
            missing += 1;
            continue;
        };
        if known == 0 {
            continue;
        }
        out.push((known + 1, events + usize::from(t), t));
    }
    (out, missing)
}

/// The informative sets, the direction of the effect and the method.
fn informative(counts: &[(usize, usize, bool)]) -> Sets {
    let inf: Vec<&(usize, usize, bool)> =
        counts.iter().filter(|(n, m, _)| *m > 0 && m < n).collect();
    let treated = inf.iter().filter(|s| s.2).count();
    let expected: f64 = inf.iter().map(|&&(n, m, _)| m as f64 / n as f64).sum();
    let direction = if treated as f64 >= expected {
        Direction::TreatedMore
    } else {
        Direction::TreatedFewer
    };
    let (sets, statistic): (Vec<(usize, usize)>, usize) = match direction {
        Direction::TreatedMore => (inf.iter().map(|&&(n, m, _)| (n, m)).collect(), treated),
        Direction::TreatedFewer => (
            inf.iter().map(|&&(n, m, _)| (n, n - m)).collect(),
            inf.len() - treated,
        ),
    };
    let method = if inf.iter().all(|s| s.0 == 2) {
        RosenbaumMethod::ExactBinomial
    } else {
        RosenbaumMethod::NormalApproximation
    };
    Sets {
        groups: group(&sets),
        informative: sets.len(),
        statistic,
        direction,
        method,
    }
}

/// The diagnostics of the sets: outcomes missing, controls reused.
fn diagnostics(m: &MatchResult, outcome: &str, missing: usize) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    if missing > 0 {
        d.push(
            Diagnostic::warning(
                Code::RowsDropped,
                Some(outcome),
                format!("{missing} matched patients with `{outcome}` missing are left out of the Rosenbaum bounds"),
            )
            .with_hint("A set whose treated patient, or all of whose controls, miss the outcome is left out."),
        );
    }
    let mut uses = vec![0u32; m.weights.len()];
    for c in m.sets.iter().flat_map(|s| &s.controls) {
        if let Some(u) = uses.get_mut(*c) {
            *u += 1;
        }
    }
    let reused = uses.iter().filter(|&&u| u > 1).count();
    if reused > 0 {
        d.push(
            Diagnostic::warning(
                Code::ControlsReused,
                None,
                format!("{reused} controls are in more than one matched set (matching with replacement): each set is counted as its own stratum, so the Rosenbaum bound is approximate"),
            )
            .with_hint("Match without replacement for a bound that treats independent sets."),
        );
    }
    d
}

/// Rosenbaum bounds for the binary `outcome` (its last level the event) in
/// the matched sets of `m`, at the one-sided significance level `alpha`.
pub fn rosenbaum_binary(
    ds: &Dataset,
    m: &MatchResult,
    outcome: &str,
    alpha: f64,
) -> Result<RosenbaumResult, SensitivityError> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(SensitivityError::BadAlpha(alpha));
    }
    let col = ds
        .column(outcome)
        .ok_or_else(|| SensitivityError::UnknownOutcome(outcome.to_owned()))?;
    let lv = col.levels()?;
    if lv.levels.len() != 2 {
        return Err(SensitivityError::NotBinary {
            column: outcome.to_owned(),
            levels: lv.levels.to_vec(),
        });
    }
    let (counts, missing) = set_counts(m, |row| lv.code(row).map(|c| c == 1));
    let sets = informative(&counts);
    if sets.informative == 0 {
        return Err(SensitivityError::NoInformativeSets {
            outcome: outcome.to_owned(),
            sets: counts.len(),
        });
    }
    let mut bounds = Vec::new();
    for i in 0.. {
        let gamma = 1.0 + i as f64 / 10.0;
        if gamma > GAMMA_MAX + 1e-9 {
            break;
        }
        let (p_upper, p_lower) = sets.bounds(gamma);
        bounds.push(RosenbaumBound {
            gamma,
            p_upper,
            p_lower,
        });
        if p_upper > alpha {
            break;
        }
    }
    Ok(RosenbaumResult {
        outcome: outcome.to_owned(),
        event_level: lv.levels[1].clone(),
        sets: counts.len(),
        informative_sets: sets.informative,
        statistic: sets.statistic,
        direction: sets.direction,
        alpha,
        bounds,
        gamma_at_alpha: sets.crossing(alpha),
        method: sets.method,
        diagnostics: diagnostics(m, outcome, missing),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // P(X >= 12), X ~ Binomial(15, 1/2) = (455 + 105 + 15 + 1) / 2^15.
    #[test]
    fn the_exact_bound_is_the_binomial_tail() {
        let (up, lo) = binary_bounds_exact(15, 12, 1.0);
        assert!((up - 576.0 / 32768.0).abs() < 1e-12 * up, "{up}");
        assert_eq!(up, lo);
        let pmf = |k: u64, p: f64| {
            let c = (1..=k).fold(1.0, |c, i| c * (15 - k + i) as f64 / i as f64);
            c * p.powi(k as i32) * (1.0 - p).powi(15 - k as i32)
        };
        let (up, lo) = binary_bounds_exact(15, 12, 2.0);
        let tail = |p| (12..=15).map(|k| pmf(k, p)).sum::<f64>();
        assert!((up - tail(2.0 / 3.0)).abs() < 1e-12 * up, "{up}");
        assert!((lo - tail(1.0 / 3.0)).abs() < 1e-12 * lo, "{lo}");
        assert_eq!(binary_bounds_exact(5, 0, 2.0), (1.0, 1.0));
    }

    #[test]
    fn pairs_by_the_normal_approximation_approach_the_exact_tail() {
        let pairs = vec![(2, 1); 400];
        let (exact, _) = binary_bounds_exact(400, 230, 1.2);
        let (normal, _) = binary_bounds_normal(&pairs, 230, 1.2);
        assert!((exact - normal).abs() < 2e-3, "{exact} {normal}");
    }

    #[test]
    fn the_direction_follows_the_effect() {
        // 3 pairs where the treated had the event, 9 where the control did.
        let mut counts = vec![(2, 1, true); 3];
        counts.extend(vec![(2, 1, false); 9]);
        counts.push((2, 2, true));
        counts.push((3, 0, false));
        let s = informative(&counts);
        assert_eq!(s.direction, Direction::TreatedFewer);
        assert_eq!((s.informative, s.statistic), (12, 9));
        assert_eq!(s.groups, vec![(2, 1, 12)]);
        assert_eq!(s.method, RosenbaumMethod::ExactBinomial);
        let crossing = s.crossing(0.05);
        assert_eq!(crossing, None, "P = {} at Γ = 1", s.bounds(1.0).0);
        let s = informative(&[(3, 1, true), (2, 1, true), (2, 1, false)]);
        assert_eq!(s.method, RosenbaumMethod::NormalApproximation);
    }

    #[test]
    fn the_crossing_is_where_the_upper_bound_reaches_alpha() {
        let s = informative(&vec![(2, 1, true); 20]);
        let g = s.crossing(0.05).unwrap();
        assert!((s.bounds(g).0 - 0.05).abs() < 1e-5);
        assert!(s.bounds(g - 0.01).0 < 0.05 && s.bounds(g + 0.01).0 > 0.05);
    }
}

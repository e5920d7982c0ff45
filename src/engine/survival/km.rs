//! The Kaplan-Meier estimator, as R's `survfit` (conf.type log by default,
//! Greenwood variance) and `summary.survfit`.
//!
//! # Formulas
//! - S(t) = Π_{tᵢ ≤ t} (1 - dᵢ/nᵢ) over distinct times tᵢ with dᵢ events
//!   among nᵢ at risk.
//! - Greenwood (1926): σ²(t) = Σ_{tᵢ ≤ t} dᵢ / (nᵢ(nᵢ - dᵢ)), the variance of
//!   the cumulative hazard; SE of S is S·σ (Klein & Moeschberger eq. 4.2.2).
//! - CI (Klein & Moeschberger 4.3.1-4.3.2): log, S·exp(±zσ) (R's default);
//!   log-log, S^exp(±zσ/log S) (lifelines, SAS); plain, S ± zS·σ; clipped
//!   to [0, 1]. Where σ = 0 (S = 1, before the first event) both bounds
//!   are S, for every transform (R survival ≥ 3.8's `survfit_confint`;
//!   3.5 printed NA for log-log there). Undefined (missing) where S = 0.
//! - Median: the first time with S ≤ 0.5; if S is exactly 0.5 over an
//!   interval, its midpoint (R's `quantile.survfit`). Its CI: the same rule
//!   applied to the upper and the lower confidence curves, where a missing
//!   bound is skipped (not 0) and a bound curve that never reaches 0.5
//!   gives no bound (R's NA): so a curve that drops to 0 at its last time
//!   has no upper bound for its median.
//! - Restricted mean to τ: ∫₀^τ S(t) dt.

use crate::engine::defaults::z_of;
use serde::{Deserialize, Serialize};

/// How the confidence interval of S(t) is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CiTransform {
    /// exp(log S ± zσ): R survival's default.
    #[default]
    Log,
    /// The complementary log-log: lifelines, SAS.
    LogLog,
    /// S ± z·SE.
    Plain,
}

impl CiTransform {
    pub const ALL: [CiTransform; 3] = [CiTransform::Log, CiTransform::LogLog, CiTransform::Plain];

    pub fn as_str(self) -> &'static str {
        match self {
            CiTransform::Log => "log",
            CiTransform::LogLog => "log-log",
            CiTransform::Plain => "plain",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One distinct time of the survival table (R `summary(fit, censored = TRUE)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmRow {
    pub time: f64,
    pub n_risk: usize,
    pub n_event: usize,
    pub n_censor: usize,
    pub surv: f64,
    /// Standard error of S (Greenwood; with non-integer case weights the
    /// infinitesimal jackknife, see [`KmWeighting`]).
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
    /// With case weights: the weighted counts (what R prints as n.risk,
    /// n.event, n.censor then); the `usize` counts stay patients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightedCounts>,
}

/// Sums of case weights at a time of a weighted curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightedCounts {
    pub n_risk: f64,
    pub n_event: f64,
    /// Censored at this time (for a [`Landmark`]: up to and including it).
    pub n_censor: f64,
}

/// How a weighted curve was made: the sums of the weights and the variance
/// used (R survival 3.5-3's default: the infinitesimal jackknife when any
/// weight is not a whole number, else Greenwood on the weighted counts).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KmWeighting {
    /// Σ w over the curve's patients, and over those with the event.
    pub n: f64,
    pub events: f64,
    pub variance: KmVariance,
}

/// The variance of a weighted Kaplan-Meier curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KmVariance {
    /// Greenwood's formula on the weighted counts (frequency weights).
    Greenwood,
    /// The robust infinitesimal jackknife, each patient its own cluster
    /// (R's `survfit(..., robust = TRUE)`).
    InfinitesimalJackknife,
}

/// Survival at a chosen time (R `summary(fit, times = t)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Landmark {
    pub time: f64,
    /// At risk at `time` (time >= t).
    pub n_risk: usize,
    /// Events up to and including `time`.
    pub n_event: usize,
    pub surv: f64,
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
    /// With case weights: the weighted number at risk at `time`, and the
    /// weighted events and censorings up to and including it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighted: Option<WeightedCounts>,
}

/// Median survival with its confidence interval; `None` = not reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Median {
    pub median: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// A Kaplan-Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmFit {
    pub n: usize,
    pub events: usize,
    pub conf_level: f64,
    pub transform: CiTransform,
    pub rows: Vec<KmRow>,
    pub median: Median,
    /// With case weights: their sums and the variance used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weighting: Option<KmWeighting>,
}

pub(super) fn ci(surv: f64, se_log: f64, z: f64, transform: CiTransform) -> (f64, f64) {
    if surv.is_nan() || surv <= 0.0 || !se_log.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    if se_log == 0.0 {
        // No event yet (S = 1): R's survival 3.5-3 (Debian's, our
        // reference) gives 1 for the log and plain bounds and NA for the
        // log-log ones, whose log(-log S) is undefined at 1 (survival 3.8
        // gives 1 there too). The median and its CI are the same either way.
        return match transform {
            CiTransform::LogLog => (f64::NAN, f64::NAN),
            _ => (surv, surv),
        };
    }
    match transform {
        CiTransform::Log => {
            let e = (z * se_log).exp();
            ((surv / e).min(1.0), (surv * e).min(1.0))
        }
        CiTransform::LogLog => {
            if surv >= 1.0 {
                return (f64::NAN, f64::NAN);
            }
            let l = surv.ln();
            // log(-log S) ± zσ/|log S|; the larger value is the lower S.
            (
                (-(((-l).ln() - z * se_log / l).exp())).exp(),
                (-(((-l).ln() + z * se_log / l).exp())).exp(),
            )
        }
        CiTransform::Plain => (
            (surv - z * surv * se_log).max(0.0),
            (surv + z * surv * se_log).min(1.0),
        ),
    }
}

/// Where a survival curve (or one of its confidence curves) crosses 0.5,
/// by R's `quantile.survfit` rules: on the points (0, 0), (tᵢ, 1 - Sᵢ),
/// repeated heights and missing points dropped, the first time the height
/// reaches 0.5; the midpoint to the next step when the curve sits at
/// exactly 0.5 (to the last time when it ends there); `None` (R's NA) when
/// the curve never reaches 0.5.
pub(super) fn crossing(times: &[f64], curve: &[f64]) -> Option<f64> {
    const P: f64 = 0.5;
    let tol = f64::EPSILON.sqrt();
    let xs: Vec<f64> = std::iter::once(0.0).chain(times.iter().copied()).collect();
    let ys: Vec<f64> = std::iter::once(0.0)
        .chain(curve.iter().map(|s| 1.0 - s))
        .collect();
    let top = ys
        .iter()
        .copied()
        .filter(|y| !y.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if top < P {
        return None;
    }
    let last_x = *xs.last()?;
    // Drop repeated heights (the censoring times; one missing kept).
    let mut x = Vec::with_capacity(xs.len());
    let mut y: Vec<f64> = Vec::with_capacity(ys.len());
    for (&xi, &yi) in xs.iter().zip(&ys) {
        let seen = y.iter().any(|&v| v == yi || (v.is_nan() && yi.is_nan()));
        if !seen {
            x.push(xi);
            y.push(yi);
        }
    }
    let at = |shift: f64| -> Option<usize> { step_index(&y, shift, P) };
    let (i1, i2) = (at(tol), at(-tol));
    let mut q = match (i1, i2) {
        (Some(a), Some(b)) => (x[a] + x[b]) / 2.0,
        _ => f64::NAN,
    };
    if let Some(&end) = y.last() {
        if !end.is_nan() && (P - end).abs() < tol {
            q = i1.map_or(f64::NAN, |a| (x[a] + last_x) / 2.0);
        }
    }
    (!q.is_nan()).then_some(q)
}

/// R's `approx(y + shift, 1:n, p, method = "constant", f = 1)` as a
/// 0-based position: the points without missing heights, in order of
/// height (equal heights averaged), the first at or above `p`; `None`
/// outside their range.
fn step_index(y: &[f64], shift: f64, p: f64) -> Option<usize> {
    let mut pts: Vec<(f64, f64)> = y
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(k, &v)| (v + shift, k as f64))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64, f64)> = Vec::with_capacity(pts.len());
    for (a, b) in pts {
        match merged.last_mut() {
            Some(m) if m.0 == a => {
                m.1 += b;
                m.2 += 1.0;
            }
            _ => merged.push((a, b, 1.0)),
        }
    }
    if merged.first().is_none_or(|m| p < m.0) {
        return None;
    }
    let m = merged.iter().find(|m| m.0 >= p)?;
    // R truncates a fractional index.
    Some((m.1 / m.2).trunc() as usize)
}

/// Fits a Kaplan-Meier curve.
pub fn kaplan_meier(
    time: &[f64],
    event: &[bool],
    transform: CiTransform,
    conf_level: f64,
) -> KmFit {
    let (sorted, order) = crate::engine::numeric::sort_with_order(time, false);
    let died: Vec<bool> = order.iter().map(|&i| event[i]).collect();
    kaplan_meier_sorted(&sorted, &died, transform, conf_level)
}

/// Kaplan-Meier of each group and the median follow-up (reverse
/// Kaplan-Meier) of all, from one sort of the times.
pub fn kaplan_meier_by_group(
    time: &[f64],
    event: &[bool],
    group: &[usize],
    groups: usize,
    transform: CiTransform,
    conf_level: f64,
) -> (Vec<KmFit>, Median) {
    let (sorted, order) = crate::engine::numeric::sort_with_order(time, false);
    kaplan_meier_by_group_sorted(&sorted, &order, event, group, groups, transform, conf_level)
}

/// [`kaplan_meier_by_group`] given the times sorted ascending and the order
/// that sorts them.
pub(crate) fn kaplan_meier_by_group_sorted(
    sorted: &[f64],
    order: &[usize],
    event: &[bool],
    group: &[usize],
    groups: usize,
    transform: CiTransform,
    conf_level: f64,
) -> (Vec<KmFit>, Median) {
    let mut size = vec![0usize; groups];
    for &g in group {
        size[g] += 1;
    }
    let mut t: Vec<Vec<f64>> = size.iter().map(|&m| Vec::with_capacity(m)).collect();
    let mut e: Vec<Vec<bool>> = size.iter().map(|&m| Vec::with_capacity(m)).collect();
    for (&ti, &i) in sorted.iter().zip(order) {
        t[group[i]].push(ti);
        e[group[i]].push(event[i]);
    }
    // The groups' curves and the reverse one for follow-up, side by side
    // (the follow-up's CI on the same scale as the curves').
    let censored: Vec<bool> = order.iter().map(|&i| !event[i]).collect();
    let mut fits = crate::engine::parallel::map(groups + 1, |g| {
        if g < groups {
            kaplan_meier_sorted(&t[g], &e[g], transform, conf_level)
        } else {
            kaplan_meier_sorted(sorted, &censored, transform, conf_level)
        }
    });
    // The last is the reverse curve (the map returns one per index).
    let follow_up = fits.pop().map_or_else(Median::default, |f| f.median);
    (fits, follow_up)
}

/// [`kaplan_meier`] of times already sorted ascending.
fn kaplan_meier_sorted(
    sorted: &[f64],
    died: &[bool],
    transform: CiTransform,
    conf_level: f64,
) -> KmFit {
    let z = z_of(conf_level);
    let n = sorted.len();
    let distinct = 1 + sorted.windows(2).filter(|w| w[0] != w[1]).count();
    let mut rows = Vec::with_capacity(distinct.min(n));
    let (mut surv, mut greenwood) = (1.0f64, 0.0f64);
    let mut at_risk = n;
    for at in super::data::runs(sorted) {
        let t = sorted[at.start];
        let d = died[at.clone()].iter().filter(|&&e| e).count();
        let c = at.len() - d;
        if d > 0 {
            surv *= 1.0 - d as f64 / at_risk as f64;
            greenwood += if at_risk > d {
                d as f64 / (at_risk as f64 * (at_risk - d) as f64)
            } else {
                f64::INFINITY
            };
        }
        let se_log = greenwood.sqrt();
        let (lower, upper) = ci(surv, se_log, z, transform);
        rows.push(KmRow {
            time: t,
            n_risk: at_risk,
            n_event: d,
            n_censor: c,
            surv,
            std_err: if surv > 0.0 { surv * se_log } else { f64::NAN },
            lower,
            upper,
            weighted: None,
        });
        at_risk -= d + c;
    }
    KmFit {
        n,
        events: died.iter().filter(|&&e| e).count(),
        conf_level,
        transform,
        median: median_of(&rows),
        rows,
        weighting: None,
    }
}

/// The median and its CI from a curve's rows; a missing bound (where S is
/// 0) is left out of the crossing.
pub(super) fn median_of(rows: &[KmRow]) -> Median {
    let times: Vec<f64> = rows.iter().map(|r| r.time).collect();
    let curve = |f: fn(&KmRow) -> f64| -> Vec<f64> { rows.iter().map(f).collect() };
    Median {
        median: crossing(&times, &curve(|r| r.surv)),
        lower: crossing(&times, &curve(|r| r.lower)),
        upper: crossing(&times, &curve(|r| r.upper)),
    }
}

impl KmFit {
    /// Survival at time `t` (the curve is right-continuous).
    pub fn at(&self, t: f64) -> Landmark {
        let last = self.rows.iter().rposition(|r| r.time <= t);
        let next = self.rows.iter().find(|r| r.time >= t);
        let n_risk = next.map_or(0, |r| r.n_risk);
        let n_event = self
            .rows
            .iter()
            .filter(|r| r.time <= t)
            .map(|r| r.n_event)
            .sum();
        let weighted = self.weighting.map(|_| {
            let sum = |f: fn(&WeightedCounts) -> f64| -> f64 {
                self.rows
                    .iter()
                    .filter(|r| r.time <= t)
                    .filter_map(|r| r.weighted.as_ref().map(f))
                    .sum()
            };
            WeightedCounts {
                n_risk: next.and_then(|r| r.weighted).map_or(0.0, |w| w.n_risk),
                n_event: sum(|w| w.n_event),
                n_censor: sum(|w| w.n_censor),
            }
        });
        let (surv, std_err, lower, upper) = match last {
            None => (1.0, 0.0, 1.0, 1.0),
            Some(i) => {
                let r = self.rows[i];
                (r.surv, r.std_err, r.lower, r.upper)
            }
        };
        Landmark {
            time: t,
            n_risk,
            n_event,
            surv,
            std_err,
            lower,
            upper,
            weighted,
        }
    }

    /// Restricted mean survival time up to `tau`: ∫₀^τ S(t) dt.
    pub fn rmst(&self, tau: f64) -> f64 {
        let (mut area, mut prev_t, mut prev_s) = (0.0, 0.0, 1.0);
        for r in &self.rows {
            if r.time > tau {
                break;
            }
            area += prev_s * (r.time - prev_t);
            prev_t = r.time;
            prev_s = r.surv;
        }
        area + prev_s * (tau - prev_t)
    }

    /// Numbers at risk at the given times (for the table under a plot).
    pub fn n_risk_at(&self, times: &[f64]) -> Vec<usize> {
        times.iter().map(|&t| self.at(t).n_risk).collect()
    }
}

/// Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith
/// 1996): the censored patients are the "events"; its CI on the
/// `transform` scale.
pub fn median_follow_up(
    time: &[f64],
    event: &[bool],
    transform: CiTransform,
    conf_level: f64,
) -> Median {
    let reversed: Vec<bool> = event.iter().map(|e| !e).collect();
    kaplan_meier(time, &reversed, transform, conf_level).median
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: [f64; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];

    fn median(event: [bool; 6], transform: CiTransform) -> Median {
        kaplan_meier(&T, &event, transform, 0.95).median
    }

    /// A censoring at the first time: S = 1 there, its bounds 1 (NA for
    /// log-log, as survival 3.5-3; never 0), and the median's CI as R's
    /// quantile.survfit (log 5 (3, NA), log-log 5 (2, NA), plain 5 (2, NA)).
    #[test]
    fn censoring_first_gives_rs_median_ci() {
        let e = [false, true, true, false, true, false];
        for (transform, lower) in [
            (CiTransform::Log, 3.0),
            (CiTransform::LogLog, 2.0),
            (CiTransform::Plain, 2.0),
        ] {
            let fit = kaplan_meier(&T, &e, transform, 0.95);
            let first = (fit.rows[0].lower, fit.rows[0].upper);
            if transform == CiTransform::LogLog {
                assert!(first.0.is_nan() && first.1.is_nan(), "{first:?}");
            } else {
                assert_eq!(first, (1.0, 1.0));
            }
            let m = fit.median;
            assert_eq!(m.median, Some(5.0), "{transform:?}");
            assert_eq!(m.lower, Some(lower), "{transform:?}");
            assert_eq!(m.upper, None, "{transform:?}");
        }
    }

    /// The curve reaches 0 at the last time: the bounds there are missing,
    /// so the upper bound of the median is R's NA, not the last time.
    #[test]
    fn curve_reaching_zero_has_no_upper_bound() {
        let e = [false, true, true, false, true, true];
        for transform in CiTransform::ALL {
            let m = median(e, transform);
            assert_eq!(m.median, Some(5.0));
            assert_eq!(m.upper, None, "{transform:?}");
        }
        assert_eq!(median(e, CiTransform::Log).lower, Some(3.0));
        // Reverse Kaplan-Meier of the same (R: NA, 4, NA).
        let f = median_follow_up(&T, &e, CiTransform::Log, 0.95);
        assert_eq!((f.median, f.lower, f.upper), (None, Some(4.0), None));
    }

    /// A flat at exactly 0.5 up to the last time: the midpoint with the
    /// last time (R's rule for a flat at the end).
    #[test]
    fn flat_at_one_half_to_the_end() {
        let m = median([true, false, false, false, false, false], CiTransform::Log);
        assert_eq!(m.median, None);
        let t = [1.0, 2.0, 3.0, 4.0];
        let m = kaplan_meier(&t, &[true, true, false, false], CiTransform::Log, 0.95).median;
        assert_eq!(m.median, Some(3.0));
    }
}

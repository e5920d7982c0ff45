//! The Kaplan-Meier estimator with case weights, as R survival 3.5-3's
//! `survfit(Surv(time, status) ~ group, weights = w)`.
//!
//! # Formulas
//! At each distinct time tᵢ, n̄ᵢ = Σ w over those at risk and d̄ᵢ = Σ w over
//! the events; S(t) = Π_{tᵢ ≤ t} (1 - d̄ᵢ/n̄ᵢ) (Xie & Liu 2005 with
//! inverse probability weights).
//!
//! The variance follows R's default (survfitKM: `robust` is TRUE when any
//! weight is not a whole number, with each patient its own cluster):
//! - Non-integer weights: the infinitesimal jackknife (Therneau &
//!   Grambsch 2000, §7.2; Austin 2016 on variance after IPTW), the
//!   derivative of S(t) with respect to each patient's weight,
//!   Uₖ(t) = wₖ S(t) [Aₖ(t) - δₖ 1(tₖ ≤ t) / (n̄ₖ - d̄ₖ)], where
//!   Aₖ(t) = Σ_{tᵢ ≤ min(t, tₖ)} d̄ᵢ / (n̄ᵢ (n̄ᵢ - d̄ᵢ)) and n̄ₖ, d̄ₖ are at
//!   patient k's own time tₖ; Var S(t) = Σₖ Uₖ(t)². Summed in one pass:
//!   the patients already gone contribute fixed terms, those still at risk
//!   wₖ² A(t)². Where S reaches 0 the SE is 0, as R gives it. The SE is
//!   of S itself (R's `logse = FALSE`); the CI transforms use SE/S.
//! - Whole-number weights (frequency weights): Greenwood's formula on the
//!   weighted counts, Σ d̄ᵢ / (n̄ᵢ (n̄ᵢ - d̄ᵢ)); with every weight 1 this is
//!   the unweighted curve bit for bit.
//!
//! The numbers at risk, of events and of censorings are the weighted sums,
//! as R prints them ([`super::WeightedCounts`]); the median and landmarks
//! follow from the rows as without weights.

use super::km::{ci, median_of};
use super::{CiTransform, KmFit, KmRow, KmVariance, KmWeighting, Median, WeightedCounts};
use crate::engine::defaults::z_of;

/// The variance R uses for these weights (see the module doc).
pub(crate) fn variance_for(weights: &[f64]) -> KmVariance {
    if super::weights::any_fractional(weights) {
        KmVariance::InfinitesimalJackknife
    } else {
        KmVariance::Greenwood
    }
}

/// Kaplan-Meier of each group and the median follow-up (reverse
/// Kaplan-Meier) of all, with case weights (finite and > 0, one per
/// patient), from times sorted ascending and the order that sorts them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn kaplan_meier_by_group_weighted(
    sorted: &[f64],
    order: &[usize],
    event: &[bool],
    group: &[usize],
    groups: usize,
    weights: &[f64],
    transform: CiTransform,
    conf_level: f64,
) -> (Vec<KmFit>, Median) {
    let variance = variance_for(weights);
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); groups];
    let mut e: Vec<Vec<bool>> = vec![Vec::new(); groups];
    let mut w: Vec<Vec<f64>> = vec![Vec::new(); groups];
    for (&ti, &i) in sorted.iter().zip(order) {
        t[group[i]].push(ti);
        e[group[i]].push(event[i]);
        w[group[i]].push(weights[i]);
    }
    let censored: Vec<bool> = order.iter().map(|&i| !event[i]).collect();
    let all_w: Vec<f64> = order.iter().map(|&i| weights[i]).collect();
    let mut fits = crate::engine::parallel::map(groups + 1, |g| {
        let curve = if g < groups {
            Curve {
                sorted: &t[g],
                died: &e[g],
                weights: &w[g],
            }
        } else {
            Curve {
                sorted,
                died: &censored,
                weights: &all_w,
            }
        };
        curve.fit(transform, conf_level, variance)
    });
    let follow_up = fits.pop().map_or_else(Median::default, |f| f.median);
    (fits, follow_up)
}

/// One weighted curve's patients, sorted by time ascending.
struct Curve<'a> {
    sorted: &'a [f64],
    died: &'a [bool],
    weights: &'a [f64],
}

impl Curve<'_> {
    fn fit(&self, transform: CiTransform, conf_level: f64, variance: KmVariance) -> KmFit {
        let Curve {
            sorted,
            died,
            weights: w,
        } = *self;
        let z = z_of(conf_level);
        let n = sorted.len();
        // Σ w and Σ w² of the patients from place k on: those at risk,
        // summed from the last time back as R does (so that a curve whose
        // last patients all die reaches exactly 0).
        let (mut tail, mut tail_sq) = (vec![0.0; n + 1], vec![0.0; n + 1]);
        for k in (0..n).rev() {
            tail[k] = tail[k + 1] + w[k];
            tail_sq[k] = tail_sq[k + 1] + w[k] * w[k];
        }
        let mut rows = Vec::new();
        let (mut surv, mut greenwood) = (1.0f64, 0.0f64);
        let mut at_risk = n;
        // The jackknife's sums: A(t) and the terms of the patients gone.
        let mut gone = 0.0;
        for at in super::data::runs(sorted) {
            let d = died[at.clone()].iter().filter(|&&e| e).count();
            let dw: f64 = at.clone().rev().filter(|&i| died[i]).map(|i| w[i]).sum();
            let cw: f64 = at.clone().rev().filter(|&i| !died[i]).map(|i| w[i]).sum();
            let nw = tail[at.start];
            let mut death_term = 0.0;
            if d > 0 && dw > 0.0 {
                surv *= 1.0 - dw / nw;
                greenwood += dw / (nw * (nw - dw));
                death_term = 1.0 / (nw - dw);
            }
            let std_err = match variance {
                KmVariance::Greenwood if surv > 0.0 => surv * greenwood.sqrt(),
                KmVariance::Greenwood => f64::NAN,
                KmVariance::InfinitesimalJackknife => {
                    // A(t) is the weighted Greenwood sum.
                    for i in at.clone() {
                        let g = greenwood - if died[i] { death_term } else { 0.0 };
                        gone += w[i] * w[i] * g * g;
                    }
                    let var = gone + greenwood * greenwood * tail_sq[at.end];
                    if surv > 0.0 {
                        surv * var.sqrt()
                    } else {
                        0.0
                    }
                }
            };
            let se_log = match variance {
                KmVariance::Greenwood => greenwood.sqrt(),
                KmVariance::InfinitesimalJackknife if surv > 0.0 => std_err / surv,
                KmVariance::InfinitesimalJackknife => f64::NAN,
            };
            let (lower, upper) = ci(surv, se_log, z, transform);
            rows.push(KmRow {
                time: sorted[at.start],
                n_risk: at_risk,
                n_event: d,
                n_censor: at.len() - d,
                surv,
                std_err,
                lower,
                upper,
                weighted: Some(WeightedCounts {
                    n_risk: nw,
                    n_event: dw,
                    n_censor: cw,
                }),
            });
            at_risk -= at.len();
        }
        let events = died.iter().filter(|&&e| e).count();
        KmFit {
            n,
            events,
            conf_level,
            transform,
            median: median_of(&rows),
            rows,
            weighting: Some(KmWeighting {
                n: tail[0],
                events: (0..n).filter(|&i| died[i]).map(|i| w[i]).sum(),
                variance,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(t: &[f64], e: &[bool], w: &[f64], v: KmVariance) -> KmFit {
        Curve {
            sorted: t,
            died: e,
            weights: w,
        }
        .fit(CiTransform::Log, 0.95, v)
    }

    /// Every weight 1 with Greenwood is the unweighted curve bit for bit.
    #[test]
    fn unit_weights_are_the_unweighted_curve() {
        let t = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0];
        let e = [true, true, false, true, false, true, true, false];
        let plain = super::super::kaplan_meier(&t, &e, CiTransform::Log, 0.95);
        let w = curve(&t, &e, &[1.0; 8], KmVariance::Greenwood);
        assert_eq!(plain.median, w.median);
        for (a, b) in plain.rows.iter().zip(&w.rows) {
            assert_eq!(
                (a.time, a.n_risk, a.surv, a.std_err, a.lower, a.upper),
                (b.time, b.n_risk, b.surv, b.std_err, b.lower, b.upper)
            );
            assert_eq!(b.weighted.map(|c| c.n_risk), Some(a.n_risk as f64));
        }
    }

    /// The jackknife equals the recursion R's survfitkm.c runs (each
    /// patient its own cluster), including the curve reaching 0.
    #[test]
    fn jackknife_equals_the_recursion() {
        let t = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0];
        let e = [true, true, false, true, true, false, true, true];
        let w = [0.5, 1.7, 2.2, 1.1, 0.9, 3.0, 1.3, 0.6];
        let fit = curve(&t, &e, &w, KmVariance::InfinitesimalJackknife);
        let mut inf = [0.0; 8];
        let mut km = 1.0;
        let mut k = 0;
        for row in &fit.rows {
            let c = row.weighted.unwrap();
            let (n, d) = (c.n_risk, c.n_event);
            if d > 0.0 {
                let h = d / n;
                for (j, v) in inf.iter_mut().enumerate() {
                    let at_risk = if j >= k { w[j] } else { 0.0 };
                    *v = *v * (1.0 - h) + at_risk * km * h / n;
                }
            }
            while k < 8 && t[k] == row.time {
                if e[k] && d > 0.0 {
                    inf[k] -= km * w[k] / n;
                }
                k += 1;
            }
            km *= 1.0 - d / n;
            let se = inf.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((row.surv - km).abs() < 1e-14);
            assert!((row.std_err - se).abs() < 1e-12, "{} {se}", row.std_err);
        }
        assert_eq!(
            fit.rows.last().map(|r| (r.surv, r.std_err)),
            Some((0.0, 0.0))
        );
    }
}

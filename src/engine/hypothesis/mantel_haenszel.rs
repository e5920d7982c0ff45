//! The Mantel-Haenszel common odds ratio over strata of 2 x 2 tables (e.g.
//! matched sets), with the Robins-Breslow-Greenland confidence interval and
//! the Cochran-Mantel-Haenszel test, as R's `mantelhaen.test()` on a
//! 2 x 2 x K table (`exact = FALSE`).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::engine::defaults::z_of;

/// One stratum: `[a, b, c, d]` = exposed with / without the event,
/// unexposed with / without it.
pub type Stratum = [f64; 4];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MantelHaenszel {
    pub odds_ratio: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
    /// CMH chi-square on 1 df.
    pub statistic: f64,
    pub p_value: f64,
    pub continuity_correction: bool,
    /// Strata used (those with at least two patients).
    pub strata: usize,
}

/// `None` when no stratum holds two patients or the estimate is undefined
/// (no discordant information).
pub fn mantel_haenszel(
    strata: &[Stratum],
    correct: bool,
    conf_level: f64,
) -> Option<MantelHaenszel> {
    let (mut delta, mut var) = (0.0, 0.0);
    let (mut sx, mut sy) = (0.0, 0.0);
    let (mut v1, mut v2, mut v3) = (0.0, 0.0, 0.0);
    let mut used = 0;
    for &[a, b, c, d] in strata {
        let n = a + b + c + d;
        if n < 2.0 {
            continue;
        }
        used += 1;
        delta += a - (a + b) * (a + c) / n;
        var += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1.0));
        sx += a * d / n;
        sy += b * c / n;
        let n2 = n * n;
        v1 += (a + d) * a * d / n2;
        v2 += ((a + d) * b * c + (b + c) * a * d) / n2;
        v3 += (b + c) * b * c / n2;
    }
    if used == 0 || var <= 0.0 || sx <= 0.0 || sy <= 0.0 {
        return None;
    }
    let yates = if correct && delta.abs() >= 0.5 {
        0.5
    } else {
        0.0
    };
    let statistic = (delta.abs() - yates).powi(2) / var;
    let estimate = sx / sy;
    let sd = (v1 / (2.0 * sx * sx) + v2 / (2.0 * sx * sy) + v3 / (2.0 * sy * sy)).sqrt();
    let z = z_of(conf_level);
    Some(MantelHaenszel {
        odds_ratio: estimate,
        ci_lower: estimate * (-z * sd).exp(),
        ci_upper: estimate * (z * sd).exp(),
        statistic,
        p_value: ChiSquared::new(1.0).ok()?.sf(statistic),
        continuity_correction: correct,
        strata: used,
    })
}

//! Effect measures of a 2 x 2 table (a binary outcome in two groups) with
//! Wald confidence intervals:
//!
//! - risk difference p1 - p0, SE = sqrt(p1(1-p1)/n1 + p0(1-p0)/n0)
//!   (Agresti 2013, *Categorical Data Analysis*, 3rd ed., section 3.1.2);
//! - odds ratio (a d)/(b c), CI exp(log OR ± z SE) with
//!   SE = sqrt(1/a + 1/b + 1/c + 1/d) (Woolf 1955; Agresti section 3.1.4):
//!   the same estimate and Wald CI as a logistic regression on the group
//!   alone (R `glm(y ~ group, binomial)` with `confint.default`). Not given
//!   when a cell is 0.
//!
//! `z` is the two-sided normal quantile of the confidence level.

use crate::engine::defaults::z_of;
use crate::engine::estimate::Estimate;

/// Events and patients of the two groups: `events1` of `n1` in the group
/// compared (the second level) and `events0` of `n0` in the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoByTwo {
    pub events1: usize,
    pub n1: usize,
    pub events0: usize,
    pub n0: usize,
}

impl TwoByTwo {
    /// p1 - p0 with its Wald CI; `None` when a group is empty.
    pub fn risk_difference(&self, level: f64) -> Option<Estimate> {
        if self.n1 == 0 || self.n0 == 0 || self.events1 > self.n1 || self.events0 > self.n0 {
            return None;
        }
        let (n1, n0) = (self.n1 as f64, self.n0 as f64);
        let (p1, p0) = (self.events1 as f64 / n1, self.events0 as f64 / n0);
        let se = (p1 * (1.0 - p1) / n1 + p0 * (1.0 - p0) / n0).sqrt();
        let z = z_of(level);
        Some(Estimate {
            value: p1 - p0,
            lower: p1 - p0 - z * se,
            upper: p1 - p0 + z * se,
            level,
        })
    }

    /// The odds ratio with its Wald (Woolf) CI; `None` when a cell is 0.
    pub fn odds_ratio(&self, level: f64) -> Option<Estimate> {
        if self.events1 > self.n1 || self.events0 > self.n0 {
            return None;
        }
        let a = self.events1 as f64;
        let b = (self.n1 - self.events1) as f64;
        let c = self.events0 as f64;
        let d = (self.n0 - self.events0) as f64;
        if a == 0.0 || b == 0.0 || c == 0.0 || d == 0.0 {
            return None;
        }
        let lor = (a * d / (b * c)).ln();
        let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        let z = z_of(level);
        Some(Estimate {
            value: lor.exp(),
            lower: (lor - z * se).exp(),
            upper: (lor + z * se).exp(),
            level,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // R 4.2.2: y <- c(rep(1,30), rep(0,70), rep(1,20), rep(0,80));
    // g <- rep(c(1,0), each = 100); f <- glm(y ~ g, binomial);
    // exp(coef(f)[2]); exp(confint.default(f)[2, ])
    //   g: 1.714285714; 0.8945795501 3.2850913145
    #[test]
    fn the_odds_ratio_is_the_logistic_regression_on_the_group() {
        let t = TwoByTwo {
            events1: 30,
            n1: 100,
            events0: 20,
            n0: 100,
        };
        let or = t.odds_ratio(0.95).unwrap();
        assert!((or.value - 1.714285714285714).abs() < 1e-12);
        assert!((or.lower - 0.8945795501).abs() < 1e-6, "{or:?}");
        assert!((or.upper - 3.2850913145).abs() < 1e-6, "{or:?}");
        let rd = t.risk_difference(0.95).unwrap();
        // 0.1 ± 1.959964 * sqrt(.3*.7/100 + .2*.8/100)
        let se = (0.21f64 / 100.0 + 0.16 / 100.0).sqrt();
        assert!((rd.lower - (0.1 - 1.959963984540054 * se)).abs() < 1e-12);
        // At 90%, R's closed form exp(log(OR) + c(-1, 1) * qnorm(0.95) *
        // sqrt(1/30 + 1/70 + 1/20 + 1/80)) gives 0.993188449900915
        // 2.958930412951608 (glm's iterative fit agrees to 2e-7).
        let or90 = t.odds_ratio(0.90).unwrap();
        assert!((or90.lower - 0.993188449900915).abs() < 1e-12, "{or90:?}");
        assert!((or90.upper - 2.958930412951608).abs() < 1e-12, "{or90:?}");
        assert_eq!(or90.level, 0.90);
        let rd90 = t.risk_difference(0.90).unwrap();
        assert!(rd90.upper - rd90.lower < rd.upper - rd.lower);
    }

    #[test]
    fn empty_cells_and_groups_give_no_estimate() {
        let zero = TwoByTwo {
            events1: 0,
            n1: 10,
            events0: 3,
            n0: 10,
        };
        assert!(zero.odds_ratio(0.95).is_none());
        assert!(zero.risk_difference(0.95).is_some());
        let empty = TwoByTwo {
            events1: 0,
            n1: 0,
            events0: 3,
            n0: 10,
        };
        assert!(empty.risk_difference(0.95).is_none());
    }
}

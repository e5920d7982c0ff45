//! Standardised mean differences.

use nalgebra::{DMatrix, DVector};

/// (m₁ - m₂) / √((s₁² + s₂²) / 2), absolute value.
pub fn smd_continuous(m1: f64, s1: f64, m2: f64, s2: f64) -> f64 {
    let d = ((s1 * s1 + s2 * s2) / 2.0).sqrt();
    if d == 0.0 {
        return if m1 == m2 { 0.0 } else { f64::INFINITY };
    }
    ((m1 - m2) / d).abs()
}

/// A difference in proportions left over by the covariance, past which the
/// groups are separated.
const SEPARATION_TOLERANCE: f64 = 1e-9;

/// Yang & Dalton's SMD for a categorical variable from the level
/// proportions of two groups (the first level is left out as reference;
/// the result does not depend on which). Levels absent from both groups
/// are dropped first; a singular covariance uses the Moore-Penrose inverse
/// (as tableone's `MASS::ginv`), and a difference the covariance cannot
/// explain (no patient of either group varies in it: perfect separation)
/// makes the SMD infinite.
pub fn smd_categorical(p1: &[f64], p2: &[f64]) -> f64 {
    let keep: Vec<usize> = (0..p1.len())
        .filter(|&i| p1[i] > 0.0 || p2[i] > 0.0)
        .collect();
    if keep.len() < 2 {
        return 0.0;
    }
    let idx = &keep[1..];
    let m = idx.len();
    let d = DVector::from_iterator(m, idx.iter().map(|&i| p1[i] - p2[i]));
    let s = DMatrix::from_fn(m, m, |a, b| {
        let (i, j) = (idx[a], idx[b]);
        let cov = |p: &[f64]| {
            if i == j {
                p[i] * (1.0 - p[i])
            } else {
                -p[i] * p[j]
            }
        };
        (cov(p1) + cov(p2)) / 2.0
    });
    let inv = match s.clone().try_inverse() {
        Some(inv) => inv,
        None => match s.clone().pseudo_inverse(1e-12) {
            Ok(p) => p,
            Err(_) => return f64::NAN,
        },
    };
    // A difference where neither group varies (a level that every patient
    // of one group has and none of the other: perfect separation) is
    // infinitely many SDs, not 0 (which the pseudo-inverse alone gives).
    let unexplained = &d - &s * (&inv * &d);
    if unexplained.amax() > SEPARATION_TOLERANCE {
        return f64::INFINITY;
    }
    (d.transpose() * inv * &d)[(0, 0)].max(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_smd_is_the_usual_formula() {
        let (a, b) = (0.3, 0.5);
        let expect = (a - b) / ((a * (1.0 - a) + b * (1.0 - b)) / 2.0f64).sqrt();
        let got = smd_categorical(&[1.0 - a, a], &[1.0 - b, b]);
        assert!((got - expect.abs()).abs() < 1e-12);
    }

    /// Regression (issue 14): a second coding of the groups (100% vs 0%)
    /// had SMD 0.000.
    #[test]
    fn perfect_separation_is_infinite() {
        assert_eq!(smd_categorical(&[1.0, 0.0], &[0.0, 1.0]), f64::INFINITY);
        assert_eq!(
            smd_categorical(&[1.0, 0.0, 0.0], &[0.0, 0.5, 0.5]),
            f64::INFINITY
        );
        assert_eq!(smd_categorical(&[1.0, 0.0], &[1.0, 0.0]), 0.0);
        assert!(smd_categorical(&[0.9, 0.1], &[0.0, 1.0]).is_finite());
    }

    #[test]
    fn categorical_smd_does_not_depend_on_reference() {
        let p1 = [0.2, 0.5, 0.3];
        let p2 = [0.4, 0.4, 0.2];
        let a = smd_categorical(&p1, &p2);
        let b = smd_categorical(&[0.5, 0.3, 0.2], &[0.4, 0.2, 0.4]);
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
}

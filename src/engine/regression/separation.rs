//! Separation, per term: which coefficients of a logistic model have no
//! finite maximum-likelihood estimate.
//!
//! # Method
//! - A level of a categorical variable (or of a numeric column read as
//!   levels) whose patients all have the event, or none has it, is named
//!   with its counts.
//! - Any other separation (a numeric covariate that splits the outcome, a
//!   combination of variables) shows as a diverging fit: Newton's steps run
//!   a coefficient off while the fitted probabilities of the patients it
//!   separates go to 0 or 1 (Albert & Anderson 1984, Biometrika 71:1). At
//!   the limit those patients' likelihood is saturated, so the coefficients
//!   are estimable only in the directions the other patients determine: a
//!   term is not estimable when the null space of the design restricted to
//!   the patients with fitted probabilities strictly inside (ε, 1 - ε),
//!   ε = 1e-8, has a component along it (columns scaled to unit root mean
//!   square first). Only a fit that diverged (did not converge, or has
//!   fitted probabilities at 0 or 1) is examined.

use nalgebra::DMatrix;

use super::design::Design;
use crate::engine::data::{Dataset, MISSING_CODE};
use crate::engine::numeric::{Convergence, RowMatrix};

/// Fitted probabilities below this (or above 1 minus it) count as 0 or 1.
pub(crate) const EXTREME: f64 = 1e-8;

/// Number of patients with a fitted probability of 0 or 1.
pub(crate) fn extreme_count(fitted: &[f64]) -> usize {
    fitted
        .iter()
        .filter(|&&p| !(EXTREME..=1.0 - EXTREME).contains(&p))
        .count()
}

/// Per design column: true when its coefficient has no finite estimate
/// because the fit diverged (see the module's method).
pub(crate) fn diverging_terms(
    x: &RowMatrix,
    fitted: &[f64],
    convergence: &Convergence,
) -> Vec<bool> {
    let p = x.cols;
    let extreme = extreme_count(fitted);
    // A fit that did not converge without running off (iterations) is not
    // separation; neither is a converged one.
    if extreme == 0 || convergence.converged {
        return vec![false; p];
    }
    let mut scale = vec![0.0; p];
    for i in 0..x.rows {
        for (s, v) in scale.iter_mut().zip(x.row(i)) {
            *s += v * v;
        }
    }
    for s in &mut scale {
        *s = (*s / x.rows.max(1) as f64).sqrt();
        if *s == 0.0 {
            *s = 1.0;
        }
    }
    let mut gram = DMatrix::<f64>::zeros(p, p);
    for (i, &mu) in fitted.iter().enumerate().take(x.rows) {
        if !(EXTREME..=1.0 - EXTREME).contains(&mu) {
            continue;
        }
        let r: Vec<f64> = x.row(i).iter().zip(&scale).map(|(v, s)| v / s).collect();
        for a in 0..p {
            for b in 0..p {
                gram[(a, b)] += r[a] * r[b];
            }
        }
    }
    let eig = gram.symmetric_eigen();
    let largest = eig.eigenvalues.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut weight = vec![0.0; p];
    for (k, &lambda) in eig.eigenvalues.iter().enumerate() {
        if largest == 0.0 || lambda.abs() <= 1e-9 * largest {
            for (j, w) in weight.iter_mut().enumerate() {
                *w += eig.eigenvectors[(j, k)].powi(2);
            }
        }
    }
    weight.iter().map(|&w| w > 1e-6).collect()
}

/// Dummy columns whose level has all or no events among the rows used,
/// with the message naming the level and its counts.
pub(crate) fn separated_levels(ds: &Dataset, design: &Design) -> Vec<(usize, String)> {
    // The variables are independent: side by side natively, in order.
    let per_variable = crate::engine::parallel::map(design.variable_columns.len(), |v| {
        let (var, cols) = &design.variable_columns[v];
        separated_levels_of(ds, design, var, cols)
    });
    per_variable.into_iter().flatten().collect()
}

/// [`separated_levels`] of one variable, `cols` its design columns.
fn separated_levels_of(
    ds: &Dataset,
    design: &Design,
    var: &str,
    cols: &[usize],
) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let dummies: Vec<usize> = cols
        .iter()
        .copied()
        .filter(|&j| design.columns[j].level.is_some())
        .collect();
    if dummies.is_empty() {
        return out;
    }
    let Some(column) = ds.column(var) else {
        return out;
    };
    let Ok(lv) = column.levels() else {
        return out;
    };
    let (codes, levels) = (&lv.codes, &lv.levels);
    // One pass: patients and events per level.
    let mut n = vec![0usize; levels.len()];
    let mut ev = vec![0usize; levels.len()];
    for (&r, &y) in design.rows.iter().zip(&design.y) {
        let Some(&c) = codes.get(r) else { continue };
        if c != MISSING_CODE && (c as usize) < levels.len() {
            n[c as usize] += 1;
            ev[c as usize] += usize::from(y == 1.0);
        }
    }
    for j in dummies {
        let Some(level) = &design.columns[j].level else {
            continue;
        };
        let Some(code) = levels.iter().position(|l| l == level) else {
            continue;
        };
        let (n, ev) = (n[code], ev[code]);
        if n > 0 && (ev == 0 || ev == n) {
            let what = if ev == 0 { "none has" } else { "all have" };
            out.push((
                j,
                format!("`{var}` = {level}: {what} the outcome ({ev} of {n}), so its odds ratio cannot be estimated (separation)"),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::numeric::{logistic_irls, Tolerances};

    fn design(xs: &[f64]) -> RowMatrix {
        RowMatrix {
            rows: xs.len(),
            cols: 2,
            data: xs.iter().flat_map(|&x| [1.0, x]).collect(),
        }
    }

    /// y = 1 exactly when x > 5: both coefficients run off.
    #[test]
    fn complete_separation_flags_every_term() {
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let y: Vec<f64> = xs.iter().map(|&x| f64::from(x > 5.0)).collect();
        let x = design(&xs);
        let fit = logistic_irls(&x, &y, Tolerances::default()).unwrap();
        assert!(!fit.convergence.converged);
        assert_eq!(
            diverging_terms(&x, &fit.fitted, &fit.convergence),
            vec![true, true]
        );
    }

    /// A strong but overlapping effect: converged, nothing flagged.
    #[test]
    fn overlap_flags_nothing() {
        let xs: Vec<f64> = (1..=20).map(f64::from).collect();
        let y: Vec<f64> = xs
            .iter()
            .map(|&x| f64::from(x > 10.0 || x == 4.0) * f64::from(x != 16.0))
            .collect();
        let x = design(&xs);
        let fit = logistic_irls(&x, &y, Tolerances::default()).unwrap();
        assert!(fit.convergence.converged);
        assert_eq!(
            diverging_terms(&x, &fit.fitted, &fit.convergence),
            vec![false, false]
        );
    }
}

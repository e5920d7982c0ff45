//! The P for interaction of a subgroup analysis: does the group's effect
//! on a binary outcome differ between the levels of a subgroup variable?
//! The likelihood-ratio test of `outcome ~ group * subgroup` against
//! `outcome ~ group + subgroup` (R: `anova(glm(...), test = "LRT")`).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::numeric::{logistic_irls, RowMatrix, Tolerances};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionTest {
    pub chi_square: f64,
    pub df: usize,
    pub p_value: f64,
    /// Patients with group, outcome and subgroup.
    pub n: usize,
}

/// `group` and `outcome` two-level categorical columns (the outcome's last
/// level is the event), `subgroup` categorical. `None` when a column does
/// not fit, a level is empty, or a model cannot be fitted (e.g. an
/// outcome that never occurs in one subgroup level).
pub fn interaction_test(
    ds: &Dataset,
    group: &str,
    outcome: &str,
    subgroup: &str,
) -> Option<InteractionTest> {
    let cat = |name: &str| match ds.column(name).map(|c| &c.data) {
        Some(ColumnData::Categorical { codes, levels, .. }) => Some((codes, levels.len())),
        _ => None,
    };
    let (g, gk) = cat(group)?;
    let (y, yk) = cat(outcome)?;
    let (s, sk) = cat(subgroup)?;
    if gk != 2 || yk != 2 || sk < 2 {
        return None;
    }
    let rows: Vec<usize> = (0..ds.n_rows)
        .filter(|&i| g[i] != MISSING_CODE && y[i] != MISSING_CODE && s[i] != MISSING_CODE)
        .collect();
    // Every subgroup level present, else the interaction is not defined.
    let mut seen = vec![false; sk];
    for &i in &rows {
        seen[s[i] as usize] = true;
    }
    let levels: Vec<usize> = (1..sk).filter(|&l| seen[l]).collect();
    if !seen[0] || levels.is_empty() {
        return None;
    }
    let design = |with_products: bool| {
        let cols = 2 + levels.len() * if with_products { 2 } else { 1 };
        let mut data = Vec::with_capacity(rows.len() * cols);
        for &i in &rows {
            let gi = f64::from(g[i]);
            data.push(1.0);
            data.push(gi);
            for &l in &levels {
                data.push(f64::from(s[i] as usize == l));
            }
            if with_products {
                for &l in &levels {
                    data.push(gi * f64::from(s[i] as usize == l));
                }
            }
        }
        RowMatrix {
            rows: rows.len(),
            cols,
            data,
        }
    };
    let yv: Vec<f64> = rows.iter().map(|&i| f64::from(y[i])).collect();
    let reduced = logistic_irls(&design(false), &yv, Tolerances::default())?;
    let full = logistic_irls(&design(true), &yv, Tolerances::default())?;
    let chi_square = (reduced.deviance - full.deviance).max(0.0);
    let df = levels.len();
    Some(InteractionTest {
        chi_square,
        df,
        p_value: ChiSquared::new(df as f64).ok()?.sf(chi_square),
        n: rows.len(),
    })
}

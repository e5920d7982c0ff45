//! The weighted Table 1 of a weighting: Table 1 by the treatment with the
//! weighting's weights ([`crate::engine::table1::table1_weighted`], whose
//! module doc has the formulas), and as SMD the balance table's
//! (`balance_with`, the SD of the estimand's denominator,
//! [`super::Estimand::smd_denominator`]) so that the two tables agree.
//!
//! - Each variable's SMD is computed on the patients of the weighting
//!   with a value of it (weight 0 ones in "before" only, as the balance
//!   table); a categorical variable with more than two levels has one SMD
//!   per level in the balance table, and Table 1 shows the largest in
//!   absolute value.
//! - No P values unless asked for: the weighted groups are a
//!   pseudo-population built to be balanced, so tests of their balance are
//!   not meaningful (Ho, Imai, King & Stuart 2007, Political Analysis
//!   15:199; Austin 2009, Stat Med 28:3083); the SMD is the measure of
//!   balance. Asked for ([`weighted_table1_tested`]), the design-based
//!   tests of tableone's `svyCreateTableOne`
//!   ([`crate::engine::table1::design_tests`]).

use super::WeightResult;
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::matching::balance_with;
use crate::engine::table1::{add_weighted_tests, table1_weighted, Table1, Table1Error, Table1Spec};
use crate::engine::{Code, Diagnostic};

/// Table 1 of `spec`'s variables by the weighting's treatment (not
/// `spec.group`, named in a diagnostic when it differs) with `w`'s
/// weights; patients with weight 0 are left out.
pub fn weighted_table1(
    ds: &Dataset,
    given: &Table1Spec,
    w: &WeightResult,
) -> Result<Table1, Table1Error> {
    let spec = Table1Spec {
        group: w.spec.treatment.clone(),
        ..given.clone()
    };
    let mut t = table1_weighted(ds, &spec, &w.weights)?;
    let denominator = w.spec.options.estimand.smd_denominator();
    for row in &mut t.variables {
        row.smd = balance_smd(ds, &row.variable, w, denominator);
    }
    if let Some(tw) = &mut t.weighting {
        tw.estimand = Some(w.spec.options.estimand);
        tw.smd_denominator = Some(denominator);
    }
    if given.group != spec.group {
        t.diagnostics.push(Diagnostic::info(
            Code::WeightedTable1Group,
            Some(&spec.group),
            format!(
                "The weighted Table 1 is by the weighting's treatment `{}`, not by `{}` as Table 1",
                spec.group, given.group
            ),
        ));
    }
    Ok(t)
}

/// [`weighted_table1`] with the design-based tests asked for: a P value
/// per variable (Rao-Scott F, Wald F or the rank test, as tableone's
/// `svyCreateTableOne`), the test named, with the weighting's weights.
pub fn weighted_table1_tested(
    ds: &Dataset,
    given: &Table1Spec,
    w: &WeightResult,
) -> Result<Table1, Table1Error> {
    let mut t = weighted_table1(ds, given, w)?;
    add_weighted_tests(ds, &mut t, &w.weights)?;
    Ok(t)
}

/// The balance table's |SMD| of `var` after weighting (the largest over
/// its levels), on the patients with a value of it.
fn balance_smd(
    ds: &Dataset,
    var: &str,
    w: &WeightResult,
    denominator: super::SmdDenominator,
) -> Option<f64> {
    let col = ds.column(var)?;
    let missing = |i: usize| match &col.data {
        ColumnData::Numeric(v) => v[i].is_nan(),
        ColumnData::Categorical { codes, .. } => codes[i] == MISSING_CODE,
        ColumnData::Text(_) => true,
    };
    let in_model: Vec<Option<bool>> = w
        .treated
        .iter()
        .enumerate()
        .map(|(i, t)| t.filter(|_| !missing(i)))
        .collect();
    let rows = balance_with(ds, &[var.to_owned()], &in_model, &w.weights, denominator);
    let smd =
        rows.iter()
            .map(|r| r.after.smd.abs())
            .reduce(|a, b| if b > a || b.is_nan() { b } else { a })?;
    (!smd.is_nan()).then_some(smd)
}

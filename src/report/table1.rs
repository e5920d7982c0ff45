//! Table 1 rendered: the model study's layout, with the test and SMD of
//! each variable and the conventions in footnotes. A weighted Table 1
//! (`Table1::weighting`) shows weighted numbers of patients (one decimal,
//! as tableone), no P value or test columns, and footnotes that say what
//! the weights are and why there are no P values; with the design-based
//! tests asked for (`Table1Weighting::tests`), the P value and test
//! columns and footnotes that name the tests and say what such P values
//! mean.

use super::table::{fmt_num, fmt_p, ReportTable, RowStyle};
use crate::engine::hypothesis::TestKind;
use crate::engine::table1::{Summary, Table1, Table1Weighting};
use crate::engine::Choice;

/// Number formats of Table 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table1Format {
    /// Decimals of percentages. Default 1.
    pub percent_decimals: usize,
    /// Decimals of means, SDs, medians and quartiles. Default 1.
    pub decimals: usize,
}

impl Default for Table1Format {
    fn default() -> Self {
        Self {
            percent_decimals: 1,
            decimals: 1,
        }
    }
}

/// The rows of one variable: its heading (or summary line), its levels,
/// and a Missing row if any value is missing (or `force_missing`).
fn variable_rows(
    t: &Table1,
    v: &crate::engine::table1::Table1Row,
    f: Table1Format,
    force_missing: bool,
) -> Vec<(RowStyle, Vec<String>)> {
    let mut rows = Vec::new();
    let tail = [
        fmt_p(v.p_value),
        v.test.map(|k| k.short().to_string()).unwrap_or_default(),
        v.smd.map(fmt_smd).unwrap_or_default(),
    ];
    if let Some(summary) = v.summary {
        let fmt = |s: &crate::engine::summary::NumericSummary| match summary {
            Summary::MeanSd => format!(
                "{} ({})",
                fmt_num(s.mean, f.decimals),
                fmt_num(s.sd, f.decimals)
            ),
            Summary::MedianIqr => format!(
                "{} [{}, {}]",
                fmt_num(s.median, f.decimals),
                fmt_num(s.q1, f.decimals),
                fmt_num(s.q3, f.decimals)
            ),
        };
        let label = match summary {
            Summary::MeanSd => format!("{}, mean (SD)", v.variable),
            Summary::MedianIqr => format!("{}, median [IQR]", v.variable),
        };
        let mut cells = vec![label];
        cells.extend(v.stats.iter().map(fmt));
        cells.push(v.overall_stats.as_ref().map(fmt).unwrap_or_default());
        cells.extend(tail);
        rows.push((RowStyle::Variable, cells));
    } else {
        let mut cells = vec![format!("{}, n (%)", v.variable)];
        cells.extend(std::iter::repeat_n(String::new(), t.groups.len() + 1));
        cells.extend(tail);
        rows.push((RowStyle::Variable, cells));
        for l in &v.levels {
            let mut cells = vec![l.level.clone()];
            if l.weighted_counts.is_empty() {
                for (c, p) in l.counts.iter().zip(&l.percents) {
                    cells.push(format!("{c} ({})", fmt_num(*p, f.percent_decimals)));
                }
                cells.push(format!(
                    "{} ({})",
                    l.overall,
                    fmt_num(l.overall_percent, f.percent_decimals)
                ));
            } else {
                let overall = l.weighted_overall.unwrap_or(f64::NAN);
                for (c, p) in l
                    .weighted_counts
                    .iter()
                    .zip(&l.percents)
                    .chain([(&overall, &l.overall_percent)])
                {
                    cells.push(format!(
                        "{} ({})",
                        fmt_num(*c, WEIGHTED_N_DECIMALS),
                        fmt_num(*p, f.percent_decimals)
                    ));
                }
            }
            cells.extend(std::iter::repeat_n(String::new(), 3));
            rows.push((RowStyle::Level, cells));
        }
    }
    if force_missing || v.missing.iter().any(|&m| m > 0) {
        let mut cells = vec!["Missing".to_string()];
        if v.weighted_missing.is_empty() {
            cells.extend(v.missing.iter().map(|m| m.to_string()));
            cells.push(v.missing.iter().sum::<usize>().to_string());
        } else {
            // Patients, and their weighted number.
            let total: f64 = v.weighted_missing.iter().sum();
            let all = v.missing.iter().sum::<usize>();
            let n = v.missing.iter().chain([&all]);
            for (m, w) in n.zip(v.weighted_missing.iter().chain([&total])) {
                cells.push(format!("{m} ({})", fmt_num(*w, WEIGHTED_N_DECIMALS)));
            }
        }
        cells.extend(std::iter::repeat_n(String::new(), 3));
        rows.push((RowStyle::Level, cells));
    }
    rows
}

/// Decimals of weighted numbers of patients (tableone's one).
pub const WEIGHTED_N_DECIMALS: usize = 1;

/// Renders Table 1 (weighted or not).
pub fn table1_table(t: &Table1, f: Table1Format) -> ReportTable {
    let mut header = vec!["Characteristic".to_string()];
    let n_of = |n: usize, w: Option<f64>| match w {
        Some(w) => format!("weighted n = {}", fmt_num(w, WEIGHTED_N_DECIMALS)),
        None => format!("n = {n}"),
    };
    for g in &t.groups {
        header.push(format!(
            "{} = {} ({})",
            t.group,
            g.level,
            n_of(g.n, g.weighted_n)
        ));
    }
    header.push(format!(
        "Overall ({})",
        n_of(t.n, t.weighting.as_ref().map(|w| w.weighted_n))
    ));
    header.extend(["P value".into(), "Test".into(), "SMD".into()]);
    let mut rows = Vec::new();
    let mut tests_used: Vec<TestKind> = Vec::new();
    for v in &t.variables {
        if let Some(k) = v.test {
            if !tests_used.contains(&k) {
                tests_used.push(k);
            }
        }
        rows.extend(variable_rows(t, v, f, false));
    }
    let mut footnotes = vec![
        "Percentages are of the patients with a value; missing values are counted separately."
            .to_string(),
    ];
    for k in tests_used {
        footnotes.push(format!("{}: {}.", k.short(), k.label()));
    }
    footnotes.push(
        "SMD: standardised mean difference (continuous: difference in means over the pooled SD; categorical: Yang & Dalton's multi-level SMD)."
            .into(),
    );
    let table = ReportTable {
        title: format!("Table 1. Characteristics by {}", t.group),
        header,
        rows,
        footnotes,
    };
    match &t.weighting {
        Some(w) => weighted(table, t, w),
        None => table,
    }
}

/// A weighted Table 1: without the P value and test columns (empty)
/// unless its design-based tests were asked for, its title and footnotes
/// saying what the weights are and why.
fn weighted(mut table: ReportTable, t: &Table1, w: &Table1Weighting) -> ReportTable {
    let tested = !w.tests.is_empty();
    // Columns: label, k groups, overall, P value, test, SMD.
    let p = t.groups.len() + 2;
    if !tested {
        for cells in
            std::iter::once(&mut table.header).chain(table.rows.iter_mut().map(|r| &mut r.1))
        {
            if cells.len() > p + 1 {
                cells.drain(p..p + 2);
            }
        }
    }
    let what = match w.estimand {
        Some(e) => format!("{} weights", e.key().to_uppercase()),
        None => "case weights".into(),
    };
    table.title = format!(
        "Table 1. Characteristics by {} after weighting ({what})",
        t.group
    );
    let mut notes = vec![
        format!(
            "Weights: {}.",
            w.estimand.map_or("case weights", |e| e.describe())
        ),
        "n is the weighted number of patients (the sum of their weights) and each count a sum of weights; percentages are of the weighted patients with a value; means, SDs, medians and quartiles are weighted (R's survey package: svymean, the square root of svyvar, and oldsvyquantile, as tableone's svyCreateTableOne). Missing: patients (their weighted number).".to_string(),
    ];
    if w.zero_weight > 0 {
        notes.push(format!(
            "{} patient(s) with weight 0 (trimmed, or not in the propensity model) are left out.",
            w.zero_weight
        ));
    }
    if tested {
        notes.extend(tests_notes(w));
    } else {
        notes.push("No P values: after weighting the groups are a pseudo-population built to be balanced on the measured covariates, so tests of their balance are not meaningful (Ho, Imai, King & Stuart 2007; Austin 2009); the SMD is the measure of balance.".into());
    }
    notes.push(match w.smd_denominator {
        Some(d) => format!(
            "SMD: as in the balance table after weighting, the difference in weighted means (proportions) over {}; for a variable with more than two levels, the largest over its levels.",
            d.describe()
        ),
        None => "SMD: tableone's weighted SMD (difference in weighted means over the pooled weighted SD; categorical: Yang & Dalton's multi-level SMD of the weighted proportions).".into(),
    });
    table.footnotes = notes;
    table
}

/// The footnotes of a weighted Table 1 with its design-based tests: what
/// they are and mean, each test's mark, and the tests not computable.
fn tests_notes(w: &Table1Weighting) -> Vec<String> {
    let mut notes = vec!["P values (asked for): design-based tests on the weighted patients, as R's tableone svyCreateTableOne with the survey package (svydesign(ids = ~1, weights = ~w)): Rao-Scott F for categorical variables (svychisq), the Wald F of the group in a weighted linear model with robust variance for mean (SD) (svyglm and regTermTest), the weighted rank test for median [IQR] (svyranktest). After weighting, P values describe the weighted pseudo-population and are not a test of balance; the SMD is the measure of balance.".to_string()];
    let mut used: Vec<TestKind> = Vec::new();
    for x in &w.tests {
        if let Ok(d) = &x.result {
            if !used.contains(&d.test) {
                used.push(d.test);
            }
        }
    }
    for k in used {
        notes.push(format!("{}: {}.", k.short(), k.label()));
    }
    for x in &w.tests {
        if let Err(e) = &x.result {
            notes.push(format!(
                "No P value for {} ({}): {e}.",
                x.variable,
                x.test.short()
            ));
        }
    }
    notes
}

/// Table 1 before and after matching side by side, the model study's
/// layout: per sample, n (%) or summary by group, P value and SMD.
pub fn table1_before_after(before: &Table1, after: &Table1, f: Table1Format) -> ReportTable {
    let b = table1_table(before, f);
    let a = table1_table(after, f);
    // Columns of a single table: label, k groups, overall, P, test, SMD;
    // k of each table (a group may be absent after matching).
    let pick = |cells: &[String], k: usize| -> Vec<String> {
        let mut v: Vec<String> = cells.get(1..=k).unwrap_or_default().to_vec();
        v.push(cells.get(k + 2).cloned().unwrap_or_default());
        v.push(cells.get(k + 4).cloned().unwrap_or_default());
        v
    };
    let mut header = vec!["Characteristic".to_string()];
    for (label, t) in [("before", before), ("after", after)] {
        for g in &t.groups {
            header.push(format!("{} = {} (n = {}), {label}", t.group, g.level, g.n));
        }
        header.push(format!("P value, {label}"));
        header.push(format!("SMD, {label}"));
    }
    let mut rows = Vec::new();
    for (vb, va) in before.variables.iter().zip(&after.variables) {
        let missing = vb.missing.iter().chain(&va.missing).any(|&m| m > 0);
        let rb = variable_rows(before, vb, f, missing);
        let ra = variable_rows(after, va, f, missing);
        for ((style, bc), (_, ac)) in rb.iter().zip(&ra) {
            let mut cells = vec![bc[0].clone()];
            cells.extend(pick(bc, before.groups.len()));
            cells.extend(pick(ac, after.groups.len()));
            rows.push((*style, cells));
        }
    }
    let mut footnotes = b.footnotes.clone();
    for n in &a.footnotes {
        if !footnotes.contains(n) {
            footnotes.push(n.clone());
        }
    }
    ReportTable {
        title: format!(
            "Table 1. Characteristics by {} before and after matching",
            before.group
        ),
        header,
        rows,
        footnotes,
    }
}

/// An SMD to 3 decimals; an infinite one (groups separated) as `∞`.
pub fn fmt_smd(smd: f64) -> String {
    if smd.is_infinite() {
        "∞".into()
    } else {
        fmt_num(smd, 3)
    }
}

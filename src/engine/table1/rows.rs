//! The rows of Table 1, weighted or not: one code for both (the weights,
//! when given, add the weighted counts and replace the statistics; the
//! unweighted numbers are computed as they always were).

use super::smd::{smd_categorical, smd_continuous};
use super::weighted::{weighted_summary, WeightedCounts};
use super::{CategoricalTest, ContinuousTest, LevelRow, Summary, Table1Row, Table1Spec};
use crate::engine::data::MISSING_CODE;
use crate::engine::hypothesis::{
    chi_square, expected_counts, fisher_test, likelihood_ratio, mann_whitney, student_t, welch_t,
    yates, ContingencyTable, TestKind, TestResult,
};
use crate::engine::summary::NumericSummary;
use crate::engine::{Code, Diagnostic};

/// Per dataset row: its group (`None`: not in the table), and the case
/// weights when the table is weighted.
pub(super) type Groups<'a> = (&'a [Option<usize>], Option<&'a [f64]>);

fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        f64::NAN
    } else {
        100.0 * n as f64 / d as f64
    }
}

/// The categorical test chosen by the options, with its fallback.
pub fn categorical_test(
    counts: &[Vec<u64>],
    choice: CategoricalTest,
) -> (Option<TestResult>, Option<String>) {
    let Ok(t) = ContingencyTable::new(counts) else {
        return (
            None,
            Some("no test: fewer than two non-empty levels or groups".into()),
        );
    };
    let sparse = expected_counts(&t).iter().flatten().any(|&e| e < 5.0);
    // Exact while within its work bound, else simulated (said in a note).
    let fisher = || {
        let r = fisher_test(&t);
        let note = (r.test == TestKind::FisherSimulated).then(|| {
            format!(
                "Fisher's exact P is too large to compute exactly for this table; it was simulated from {} random tables (seed {}), as R's fisher.test(simulate.p.value = TRUE)",
                crate::engine::hypothesis::SIMULATED_TABLES,
                crate::engine::hypothesis::SIMULATION_SEED
            )
        });
        (Some(r), note)
    };
    match choice {
        CategoricalTest::Auto if sparse => fisher(),
        CategoricalTest::Auto | CategoricalTest::Pearson => (Some(chi_square(&t)), None),
        CategoricalTest::Yates => (Some(yates(&t)), None),
        CategoricalTest::Fisher => fisher(),
        CategoricalTest::LikelihoodRatio => (Some(likelihood_ratio(&t)), None),
    }
}

/// The row's test fields.
fn with_test(row: &mut Table1Row, test: Option<TestResult>) {
    row.test = test.as_ref().map(|t| t.test);
    row.statistic = test.as_ref().and_then(|t| t.statistic);
    row.p_value = test.map(|t| t.p_value);
}

pub(super) fn categorical_row(
    name: &str,
    codes: &[u32],
    levels: &[String],
    (group_of, weights): Groups<'_>,
    k: usize,
    spec: &Table1Spec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Table1Row {
    let mut counts = vec![vec![0usize; levels.len()]; k];
    let mut missing = vec![0usize; k];
    let mut wc = weights.map(|_| WeightedCounts::new(k, levels.len()));
    for (i, (&c, g)) in codes.iter().zip(group_of).enumerate() {
        let Some(g) = *g else { continue };
        let level = (c != MISSING_CODE).then_some(c as usize);
        match level {
            None => missing[g] += 1,
            Some(l) => counts[g][l] += 1,
        }
        if let (Some(wc), Some(w)) = (wc.as_mut(), weights) {
            wc.add(g, level, w[i]);
        }
    }
    let present: Vec<usize> = counts.iter().map(|r| r.iter().sum()).collect();
    let total: usize = present.iter().sum();
    let level_rows = levels
        .iter()
        .enumerate()
        .map(|(l, name)| {
            let per: Vec<usize> = counts.iter().map(|r| r[l]).collect();
            let overall = per.iter().sum();
            let mut row = LevelRow {
                level: name.clone(),
                percents: per.iter().zip(&present).map(|(&n, &d)| pct(n, d)).collect(),
                counts: per,
                overall,
                overall_percent: pct(overall, total),
                weighted_counts: Vec::new(),
                weighted_overall: None,
            };
            if let Some(wc) = &wc {
                wc.fill(l, &mut row);
            }
            row
        })
        .collect();
    let props: Vec<Vec<f64>> = match &wc {
        Some(wc) => wc.proportions(),
        None => counts
            .iter()
            .zip(&present)
            .map(|(r, &d)| r.iter().map(|&c| c as f64 / d as f64).collect())
            .collect(),
    };
    let smd = mean_pairwise(k, |a, b| smd_categorical(&props[a], &props[b]));
    let mut row = Table1Row {
        variable: name.to_owned(),
        levels: level_rows,
        summary: None,
        stats: Vec::new(),
        overall_stats: None,
        missing,
        weighted_missing: wc.map(|wc| wc.missing).unwrap_or_default(),
        test: None,
        statistic: None,
        p_value: None,
        smd,
    };
    // No tests after weighting (the module doc says why).
    if weights.is_none() {
        let table: Vec<Vec<u64>> = counts
            .iter()
            .map(|r| r.iter().map(|&c| c as u64).collect())
            .collect();
        let (test, note) = categorical_test(&table, spec.categorical_test);
        if let Some(note) = note {
            diagnostics.push(Diagnostic::info(
                Code::TestNote,
                Some(name),
                format!("`{name}`: {note}"),
            ));
        }
        with_test(&mut row, test);
    }
    row
}

fn mean_pairwise(k: usize, f: impl Fn(usize, usize) -> f64) -> Option<f64> {
    let mut v = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            v.push(f(a, b));
        }
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    // Infinite (groups separated) is kept; undefined (a group with no
    // values) is not.
    (!m.is_nan()).then_some(m)
}

/// The test of a continuous variable between two groups, or why none.
fn continuous_test(
    a: &[f64],
    b: &[f64],
    nonnormal: bool,
    choice: ContinuousTest,
) -> Result<TestResult, String> {
    let r = if nonnormal {
        mann_whitney(a, b)
    } else {
        match choice {
            ContinuousTest::Welch => welch_t(a, b),
            ContinuousTest::Student => student_t(a, b),
        }
    };
    r.map_err(|e| e.to_string())
}

pub(super) fn continuous_row(
    var: &str,
    values: &[f64],
    (group_of, weights): Groups<'_>,
    k: usize,
    nonnormal: bool,
    spec: &Table1Spec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Table1Row {
    let mut by_group: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut w_group: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut missing = vec![0usize; k];
    let mut weighted_missing = vec![0.0; if weights.is_some() { k } else { 0 }];
    let (mut all_x, mut all_w) = (Vec::new(), Vec::new());
    for (i, (&x, g)) in values.iter().zip(group_of).enumerate() {
        let Some(g) = *g else { continue };
        if x.is_nan() {
            missing[g] += 1;
            if let Some(w) = weights {
                weighted_missing[g] += w[i];
            }
        } else {
            by_group[g].push(x);
            if let Some(w) = weights {
                w_group[g].push(w[i]);
                // The weighted quantile depends on the order of tied
                // values: overall, the dataset's order (as R's).
                all_x.push(x);
                all_w.push(w[i]);
            }
        }
    }
    let (stats, overall): (Vec<NumericSummary>, NumericSummary) = if weights.is_some() {
        (
            by_group
                .iter()
                .zip(&w_group)
                .map(|(x, w)| weighted_summary(x, w))
                .collect(),
            weighted_summary(&all_x, &all_w),
        )
    } else {
        (
            by_group
                .iter()
                .map(|v| NumericSummary::of(v.iter().copied()))
                .collect(),
            NumericSummary::of(by_group.iter().flatten().copied()),
        )
    };
    if stats
        .iter()
        .chain([&overall])
        .any(|s| s.n > 1 && !s.sd.is_finite())
    {
        diagnostics.push(Diagnostic::warning(Code::SdOverflow,
            Some(var),
            format!("`{var}`: the SD exceeds the largest number a computer holds (about 1.8e308), so it is left blank; check the values"),
        ));
    }
    let smd = mean_pairwise(k, |a, b| {
        smd_continuous(stats[a].mean, stats[a].sd, stats[b].mean, stats[b].sd)
    });
    let mut row = Table1Row {
        variable: var.to_owned(),
        levels: Vec::new(),
        summary: Some(if nonnormal {
            Summary::MedianIqr
        } else {
            Summary::MeanSd
        }),
        stats,
        overall_stats: Some(overall),
        missing,
        weighted_missing,
        test: None,
        statistic: None,
        p_value: None,
        smd,
    };
    // No tests after weighting (the module doc says why).
    if weights.is_some() {
        return row;
    }
    if k == 2 {
        match continuous_test(&by_group[0], &by_group[1], nonnormal, spec.continuous_test) {
            Ok(r) => with_test(&mut row, Some(r)),
            Err(e) => diagnostics.push(Diagnostic::info(
                Code::NoTest,
                Some(var),
                format!("`{var}`: no test ({e})"),
            )),
        }
    } else {
        diagnostics.push(Diagnostic::info(Code::NoTest,
            Some(var),
            format!("`{var}`: tests of continuous variables across more than two groups are not available yet"),
        ));
    }
    row
}

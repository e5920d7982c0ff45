//! The outcomes step: each binary outcome compared between the two groups
//! (events/n, the Table 1 test, the risk difference and odds ratio with
//! Wald CIs), within the matched sets when there is a matching
//! (Mantel-Haenszel), and within each level of a subgroup with the P for
//! interaction.

use serde::{Deserialize, Serialize};

use super::StudyCohort;
use crate::engine::data::{ColumnData, Dataset, MISSING_CODE};
use crate::engine::estimate::Estimate;
use crate::engine::hypothesis::{mantel_haenszel, MantelHaenszel, Stratum, TestKind, TwoByTwo};
use crate::engine::matching::MatchResult;
use crate::engine::regression::{interaction_test, InteractionTest};
use crate::engine::table1::{table1, Table1, Table1Row, Table1Spec};
use crate::engine::{Code, Diagnostic};

/// One binary outcome compared between two groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeComparison {
    pub outcome: String,
    /// The outcome's level counted as the event.
    pub event_level: String,
    pub cohort: StudyCohort,
    /// The subgroup level, for subgroup rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgroup: Option<String>,
    pub groups: Vec<String>,
    pub events: Vec<usize>,
    pub n: Vec<usize>,
    /// The test Table 1's rule chose (chi-square or Fisher).
    pub test: Option<TestKind>,
    pub p_value: Option<f64>,
    /// Second group minus first, in proportion, Wald CI.
    pub risk_difference: Option<Estimate>,
    /// Second group against first, Wald CI on the log odds (the same as a
    /// logistic regression on the group alone).
    pub odds_ratio: Option<Estimate>,
    /// In a matched cohort: the Mantel-Haenszel OR over the matched sets
    /// with the CMH test (R's `mantelhaen.test`), which respects the
    /// matching; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_sets: Option<MantelHaenszel>,
}

/// The event counts of a binary (or two-level) outcome by group, from a
/// Table 1 row; the event is the outcome's last level (1, yes).
fn comparison(
    t: &Table1,
    row: &Table1Row,
    cohort: StudyCohort,
    subgroup: Option<String>,
    level: f64,
) -> Option<OutcomeComparison> {
    let event = row.levels.last()?;
    let n: Vec<usize> = (0..t.groups.len())
        .map(|g| row.levels.iter().map(|l| l.counts[g]).sum())
        .collect();
    let events = event.counts.clone();
    let table = (n.len() == 2).then(|| TwoByTwo {
        events1: events[1],
        n1: n[1],
        events0: events[0],
        n0: n[0],
    });
    Some(OutcomeComparison {
        outcome: row.variable.clone(),
        event_level: event.level.clone(),
        cohort,
        subgroup,
        groups: t.groups.iter().map(|g| g.level.clone()).collect(),
        risk_difference: table.and_then(|t| t.risk_difference(level)),
        odds_ratio: table.and_then(|t| t.odds_ratio(level)),
        events,
        n,
        test: row.test,
        p_value: row.p_value,
        matched_sets: None,
    })
}

/// The 2 x 2 table of each matched set: [a, b, c, d] = second group with /
/// without the event (the outcome's last level), first group with /
/// without. Patients missing either are left out.
pub fn matched_set_tables(
    ds: &Dataset,
    m: &MatchResult,
    group: &str,
    outcome: &str,
) -> Option<Vec<Stratum>> {
    let codes = |name: &str| match ds.column(name).map(|c| &c.data) {
        Some(ColumnData::Categorical { codes, levels, .. }) => Some((codes, levels.len())),
        _ => None,
    };
    let (g, gk) = codes(group)?;
    let (y, yk) = codes(outcome)?;
    if gk != 2 || yk != 2 {
        return None;
    }
    let sets = m.subclass.iter().flatten().max().copied()? as usize;
    let mut tables = vec![[0.0; 4]; sets];
    for (i, s) in m.subclass.iter().enumerate() {
        let Some(s) = s else { continue };
        if !m.is_matched(i) || g[i] == MISSING_CODE || y[i] == MISSING_CODE {
            continue;
        }
        let cell = match (g[i], y[i]) {
            (1, 1) => 0,
            (1, _) => 1,
            (_, 1) => 2,
            _ => 3,
        };
        tables[*s as usize - 1][cell] += 1.0;
    }
    Some(tables)
}

/// `outcomes` compared between the levels of `group` in `ds`; a failure
/// is a diagnostic.
pub fn compare_outcomes(
    ds: &Dataset,
    group: &str,
    outcomes: &[String],
    cohort: StudyCohort,
    subgroup: Option<String>,
    level: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<OutcomeComparison> {
    if outcomes.is_empty() {
        return Vec::new();
    }
    let spec = Table1Spec {
        group: group.into(),
        variables: outcomes.to_vec(),
        nonnormal: Vec::new(),
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    };
    match table1(ds, &spec) {
        Ok(t) => t
            .variables
            .iter()
            .filter_map(|r| comparison(&t, r, cohort, subgroup.clone(), level))
            .collect(),
        Err(e) => {
            let at = subgroup
                .map(|s| format!(" (subgroup {s})"))
                .unwrap_or_default();
            diagnostics.push(
                Diagnostic::warning(
                    Code::StepFailed,
                    None,
                    format!("Outcomes could not be compared{at}: {e}."),
                )
                .with_hint(e.hint()),
            );
            Vec::new()
        }
    }
}

/// The outcomes step's results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutcomesResults {
    pub outcomes: Vec<OutcomeComparison>,
    pub subgroups: Vec<OutcomeComparison>,
    pub interactions: Vec<(String, Option<InteractionTest>)>,
}

/// What the outcomes step compares, and on which patients.
pub struct OutcomesInput<'a> {
    /// All patients (the matched sets are read from them).
    pub all: &'a Dataset,
    /// The patients compared (the matched cohort when there is one).
    pub cohort: &'a Dataset,
    pub which: StudyCohort,
    pub matching: Option<&'a MatchResult>,
    pub group: &'a str,
}

/// The outcomes by group, within matched sets, and by `subgroup`.
pub fn outcomes_step(
    input: &OutcomesInput<'_>,
    outcomes: &[String],
    subgroup: Option<&str>,
    level: f64,
    diagnostics: &mut Vec<Diagnostic>,
) -> OutcomesResults {
    let g = input.group;
    let mut r = OutcomesResults {
        outcomes: compare_outcomes(
            input.cohort,
            g,
            outcomes,
            input.which,
            None,
            level,
            diagnostics,
        ),
        ..Default::default()
    };
    if let Some(m) = input.matching {
        for o in &mut r.outcomes {
            o.matched_sets = matched_set_tables(input.all, m, g, &o.outcome)
                .and_then(|t| mantel_haenszel(&t, true, level));
        }
    }
    let Some(sub) = subgroup else { return r };
    let cohort = input.cohort;
    match cohort.column(sub).map(|c| &c.data) {
        Some(ColumnData::Categorical { codes, levels, .. }) => {
            for (k, l) in levels.iter().enumerate() {
                let rows: Vec<usize> = (0..codes.len()).filter(|&i| codes[i] == k as u32).collect();
                r.subgroups.extend(compare_outcomes(
                    &cohort.subset(&rows),
                    g,
                    outcomes,
                    input.which,
                    Some(format!("{sub} = {l}")),
                    level,
                    diagnostics,
                ));
            }
            r.interactions = outcomes
                .iter()
                .map(|o| (o.clone(), interaction_test(cohort, g, o, sub)))
                .collect();
        }
        _ => diagnostics.push(Diagnostic::warning(
            Code::StepFailed,
            Some(sub),
            format!("Subgroups: `{sub}` is not a categorical column of this file."),
        )),
    }
    r
}

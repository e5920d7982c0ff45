//! The whole study from one settings file: every step run in order on the
//! same data, the results as one JSON document, every table (CSV) and
//! figure (SVG), a methods paragraph saying exactly what was run, and one
//! self-contained HTML report. The page and `cohortlab run` both call
//! [`run_study`], so the same settings give the same numbers.

use serde::{Deserialize, Serialize};

use crate::engine::design::{check_roles, RoleConflict, Roles};
use crate::engine::Diagnostic;

use super::table::{fmt_num, fmt_p, ReportTable, RowStyle};
use crate::engine::data::{ColumnData, Dataset, DatasetSpec, RawTable};
use crate::engine::hypothesis::{mantel_haenszel, MantelHaenszel, Stratum, TestKind};
use crate::engine::matching::MatchResult;
use crate::engine::matching::{balance, match_patients, BalanceRow, MatchSpec, SampleSizes};
use crate::engine::regression::{
    fit_logistic, univariate_screen, LogisticFit, LogisticSpec, ScreenRow,
};
use crate::engine::regression::{interaction_test, InteractionTest};
use crate::engine::survival::{
    cox_model_with_ph_test, CiTransform, CoxFit, CoxSpec, SurvivalSpec, ZphRow,
};
use crate::engine::table1::{table1, Table1, Table1Spec};
use crate::report::survival::{survival_analysis_rmst, SurvivalAnalysis};

/// The regression step: the univariate screen of `spec.variables`, then a
/// multivariable model of those with univariate P below `threshold` (all
/// of them when `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionStep {
    pub spec: LogisticSpec,
    #[serde(default)]
    pub threshold: Option<f64>,
}

fn default_at() -> Vec<f64> {
    vec![12.0, 36.0, 60.0]
}

/// The survival step: curves, landmarks, the log-rank (rho = 0) or
/// Peto-Peto (rho = 1) test, and a Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalStep {
    pub spec: SurvivalSpec,
    #[serde(default = "default_at")]
    pub at: Vec<f64>,
    #[serde(default)]
    pub transform: CiTransform,
    #[serde(default)]
    pub rho: f64,
    #[serde(default)]
    pub rmst: Option<f64>,
    #[serde(default)]
    pub cox: Option<CoxSpec>,
    /// The patients analysed: the matched cohort (the default; all
    /// patients when there is no matching) or all patients.
    #[serde(default)]
    pub cohort: StudyCohort,
    /// Curves again by the groups crossed with this variable (e.g. marking
    /// x pCR, the model study's Figure 1H).
    #[serde(default)]
    pub cross: Option<String>,
}

/// Which patients a step analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StudyCohort {
    #[default]
    Matched,
    All,
}

impl StudyCohort {
    pub fn as_str(self) -> &'static str {
        match self {
            StudyCohort::Matched => "matched",
            StudyCohort::All => "all",
        }
    }
}

impl std::fmt::Display for StudyCohort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Name of the matched-set column added to the matched cohort (as in
/// MatchIt's `match.data` and matched.csv).
pub const MATCHED_SET_COLUMN: &str = "subclass";

/// The matched patients with their matched set as a column
/// ([`MATCHED_SET_COLUMN`]), e.g. to cluster or stratify a Cox model by it.
pub fn matched_cohort(ds: &Dataset, m: &MatchResult) -> Dataset {
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| m.is_matched(i)).collect();
    let mut out = ds.subset(&rows);
    if out.column(MATCHED_SET_COLUMN).is_none() {
        out.columns.push(crate::engine::data::Column {
            name: MATCHED_SET_COLUMN.into(),
            kind: crate::engine::data::ColumnKind::Numeric,
            suggested: crate::engine::data::ColumnKind::Numeric,
            derived_from: None,
            data: ColumnData::Numeric(
                rows.iter()
                    .map(|&i| m.subclass[i].map_or(f64::NAN, f64::from))
                    .collect(),
            ),
        });
    }
    out
}

/// Everything that defines an analysis: saved by the page, loaded again by
/// the page or by `cohortlab run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudySettings {
    /// The format's version (1).
    pub cohortlab_settings: u32,
    #[serde(default)]
    pub dataset: DatasetSpec,
    #[serde(default)]
    pub table1: Option<Table1Spec>,
    #[serde(default)]
    pub regression: Option<RegressionStep>,
    #[serde(default)]
    pub matching: Option<MatchSpec>,
    /// Binary outcomes compared between the groups (in the matched cohort
    /// when there is a matching).
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// The outcomes again within each level of this variable.
    #[serde(default)]
    pub subgroup: Option<String>,
    #[serde(default)]
    pub survival: Option<SurvivalStep>,
    /// Let an outcome or the event be a covariate of the propensity model
    /// (refused otherwise: it is measured after the treatment); a warning
    /// names it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_outcome_covariates: bool,
}

pub const SETTINGS_VERSION: u32 = 1;

impl StudySettings {
    /// The model study on the built-in example.
    pub fn example() -> Self {
        use crate::engine::example::*;
        let cox = CoxSpec {
            time: "idfs_months".into(),
            event: "idfs_event".into(),
            event_level: None,
            variables: vec!["seed_marking".into()],
            ordinal: Vec::new(),
            strata: None,
            cluster: Some(MATCHED_SET_COLUMN.into()),
            ties: Default::default(),
            conf_level: crate::engine::defaults::CONF_LEVEL,
        };
        Self {
            cohortlab_settings: SETTINGS_VERSION,
            dataset: example_spec(),
            table1: Some(example_table1_spec()),
            regression: Some(RegressionStep {
                spec: example_logistic_spec(),
                threshold: Some(0.05),
            }),
            matching: Some(example_match_spec()),
            outcomes: vec!["tpcr".into(), "bpcr".into(), "apcr".into()],
            subgroup: Some("subtype".into()),
            survival: Some(SurvivalStep {
                spec: SurvivalSpec {
                    time: "idfs_months".into(),
                    event: "idfs_event".into(),
                    event_level: None,
                    groups: vec!["seed_marking".into()],
                    strata: None,
                },
                at: vec![12.0, 36.0, 60.0],
                transform: CiTransform::Log,
                rho: 0.0,
                rmst: None,
                cox: Some(cox),
                cohort: StudyCohort::Matched,
                cross: Some("tpcr".into()),
            }),
            allow_outcome_covariates: false,
        }
    }

    /// Reads settings (JSON), saying what is wrong and where.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let s: Self = serde_json::from_str(text).map_err(|e| {
            format!(
                "the settings file is not valid (line {}, column {}): {e}",
                e.line(),
                e.column()
            )
        })?;
        if s.cohortlab_settings != SETTINGS_VERSION {
            return Err(format!(
                "settings version {} is not supported (this is version {SETTINGS_VERSION})",
                s.cohortlab_settings
            ));
        }
        super::validate::settings(&s)?;
        Ok(s)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

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
    /// Second group minus first, in proportion, Wald 95% CI.
    pub risk_difference: Option<[f64; 3]>,
    /// Second group against first, Wald 95% CI on the log odds (the same
    /// as a logistic regression on the group alone).
    pub odds_ratio: Option<[f64; 3]>,
    /// In a matched cohort: the Mantel-Haenszel OR over the matched sets
    /// with the CMH test (R's `mantelhaen.test`), which respects the
    /// matching; `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_sets: Option<MantelHaenszel>,
}

/// The matching, without the per-patient vectors (those are in
/// matched.csv).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchingSummary {
    pub spec: MatchSpec,
    pub model: LogisticFit,
    pub counts: SampleSizes,
    pub caliper_width: Option<f64>,
    pub balance: Vec<BalanceRow>,
    pub max_abs_smd_after: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionResults {
    pub screen: Vec<ScreenRow>,
    pub multivariable: Option<LogisticFit>,
}

/// Every number of the study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyResults {
    pub engine: String,
    pub file: String,
    pub n_rows: usize,
    pub settings: StudySettings,
    pub table1_before: Option<Table1>,
    pub table1_after: Option<Table1>,
    pub regression: Option<RegressionResults>,
    pub matching: Option<MatchingSummary>,
    pub outcomes: Vec<OutcomeComparison>,
    pub subgroups: Vec<OutcomeComparison>,
    /// Per outcome, the P for interaction of group and subgroup
    /// (likelihood ratio; `None` when it cannot be estimated).
    #[serde(default)]
    pub interactions: Vec<(String, Option<InteractionTest>)>,
    pub survival: Option<SurvivalAnalysis>,
    /// The curves by the groups crossed with `survival.cross`.
    #[serde(default)]
    pub survival_crossed: Option<SurvivalAnalysis>,
    #[serde(default)]
    pub survival_cohort: Option<StudyCohort>,
    pub cox: Option<CoxFit>,
    pub ph_test: Vec<ZphRow>,
    /// Steps that could not be done, and warnings, in words.
    pub diagnostics: Vec<String>,
    pub methods: String,
    /// The design guessed from the data, when the study was run without
    /// settings (`cohortlab run FILE` with no `--spec`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<crate::engine::design::DesignGuess>,
}

/// The study's files: what `cohortlab run` writes and the page downloads.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyOutputs {
    pub results: StudyResults,
    /// (file stem, table), written as tables/STEM.csv. Stems named after
    /// data are made safe by [`super::filename::safe_stem`].
    pub tables: Vec<(String, ReportTable)>,
    /// (file stem, SVG), written as figures/STEM.svg.
    pub figures: Vec<(String, String)>,
    pub matched_csv: Option<String>,
    pub report_html: String,
}

impl StudyOutputs {
    pub fn results_json(&self) -> String {
        serde_json::to_string_pretty(&self.results).unwrap_or_default()
    }
}

/// Why the study could not be run at all (a step that fails on its own is
/// a diagnostic instead).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StudyError {
    #[error("the dataset settings do not fit this file: {0}")]
    Dataset(String),
    #[error("the settings give one column two roles: {0}")]
    Roles(#[from] RoleConflict),
}

impl StudyError {
    pub fn hint(&self) -> String {
        match self {
            StudyError::Dataset(_) => {
                "The settings were saved for another file; check the column names.".into()
            }
            StudyError::Roles(c) => c.hint(),
        }
    }
}

impl StudySettings {
    /// The roles the settings give, as [`check_roles`] reads them.
    pub fn roles(&self) -> Roles<'_> {
        let mut outcomes: Vec<&str> = self.outcomes.iter().map(String::as_str).collect();
        if let Some(r) = &self.regression {
            outcomes.push(&r.spec.outcome);
        }
        let treatment = self
            .matching
            .as_ref()
            .map(|m| m.treatment.as_str())
            .or(self.table1.as_ref().map(|t| t.group.as_str()));
        let survival = self.survival.as_ref().map(|s| &s.spec);
        Roles {
            treatment,
            covariates: self.matching.as_ref().map_or(&[], |m| &m.covariates[..]),
            outcomes,
            time: survival.map(|s| s.time.as_str()),
            event: survival.map(|s| s.event.as_str()),
            allow_outcome_covariates: self.allow_outcome_covariates,
        }
    }

    /// Refuses roles that contradict each other on this dataset; the
    /// warnings are what an explicit override allowed.
    pub fn check(&self, ds: &Dataset) -> Result<Vec<Diagnostic>, StudyError> {
        Ok(check_roles(ds, &self.roles())?)
    }
}

fn z95() -> f64 {
    1.959963984540054
}

/// The event counts of a binary (or two-level) outcome by group, from a
/// Table 1 row; the event is the outcome's last level (1, yes).
fn comparison(
    t: &Table1,
    row: &crate::engine::table1::Table1Row,
    cohort: StudyCohort,
    subgroup: Option<String>,
) -> Option<OutcomeComparison> {
    let event = row.levels.last()?;
    let n: Vec<usize> = (0..t.groups.len())
        .map(|g| row.levels.iter().map(|l| l.counts[g]).sum())
        .collect();
    let events = event.counts.clone();
    let (mut rd, mut or) = (None, None);
    if n.len() == 2 && n[0] > 0 && n[1] > 0 {
        let (a, b) = (events[1] as f64, (n[1] - events[1]) as f64);
        let (c, d) = (events[0] as f64, (n[0] - events[0]) as f64);
        let (p1, p0) = (a / n[1] as f64, c / n[0] as f64);
        let se = (p1 * (1.0 - p1) / n[1] as f64 + p0 * (1.0 - p0) / n[0] as f64).sqrt();
        rd = Some([p1 - p0, p1 - p0 - z95() * se, p1 - p0 + z95() * se]);
        if a > 0.0 && b > 0.0 && c > 0.0 && d > 0.0 {
            let lor = (a * d / (b * c)).ln();
            let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
            or = Some([
                lor.exp(),
                (lor - z95() * se).exp(),
                (lor + z95() * se).exp(),
            ]);
        }
    }
    Some(OutcomeComparison {
        outcome: row.variable.clone(),
        event_level: event.level.clone(),
        cohort,
        subgroup,
        groups: t.groups.iter().map(|g| g.level.clone()).collect(),
        events,
        n,
        test: row.test,
        p_value: row.p_value,
        risk_difference: rd,
        odds_ratio: or,
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
    use crate::engine::data::MISSING_CODE;
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

fn compare_outcomes(
    ds: &Dataset,
    group: &str,
    outcomes: &[String],
    cohort: StudyCohort,
    subgroup: Option<String>,
    diagnostics: &mut Vec<String>,
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
            .filter_map(|r| comparison(&t, r, cohort, subgroup.clone()))
            .collect(),
        Err(e) => {
            let at = subgroup
                .map(|s| format!(" (subgroup {s})"))
                .unwrap_or_default();
            diagnostics.push(format!("Outcomes could not be compared{at}: {e}."));
            Vec::new()
        }
    }
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        "0/0".into()
    } else {
        format!("{k}/{n} ({:.1}%)", 100.0 * k as f64 / n as f64)
    }
}

fn ci_text(v: Option<[f64; 3]>, scale: f64, d: usize) -> String {
    v.map_or("—".into(), |[e, l, u]| {
        format!(
            "{} ({} to {})",
            fmt_num(e * scale, d),
            fmt_num(l * scale, d),
            fmt_num(u * scale, d)
        )
    })
}

/// The outcome comparisons as a table (one row per outcome, or per
/// subgroup and outcome).
pub fn outcomes_table(title: &str, rows: &[OutcomeComparison]) -> ReportTable {
    let groups = rows.first().map(|r| r.groups.clone()).unwrap_or_default();
    let mut header = vec!["Outcome".to_string()];
    header.extend(groups.iter().map(|g| format!("{g}, events/n (%)")));
    header.extend([
        "Difference, points (95% CI)".into(),
        "OR (95% CI)".into(),
        "P".into(),
        "Test".into(),
    ]);
    let paired = rows.iter().any(|r| r.matched_sets.is_some());
    if paired {
        header.extend([
            "OR within matched sets, MH (95% CI)".into(),
            "P, CMH".into(),
        ]);
    }
    let mut table_rows = Vec::new();
    let mut last_subgroup: Option<&String> = None;
    for r in rows {
        if let Some(s) = &r.subgroup {
            if last_subgroup != Some(s) {
                let mut heading = vec![s.clone()];
                heading.resize(header.len(), String::new());
                table_rows.push((RowStyle::Variable, heading));
                last_subgroup = Some(s);
            }
        }
        let mut cells = vec![r.outcome.clone()];
        cells.extend(r.events.iter().zip(&r.n).map(|(&k, &n)| pct(k, n)));
        cells.push(ci_text(r.risk_difference, 100.0, 1));
        cells.push(ci_text(r.odds_ratio, 1.0, 2));
        cells.push(fmt_p(r.p_value));
        cells.push(r.test.map_or(String::new(), |t| t.label().to_string()));
        if paired {
            let mh = r.matched_sets.as_ref();
            cells.push(ci_text(
                mh.map(|m| [m.odds_ratio, m.ci_lower, m.ci_upper]),
                1.0,
                2,
            ));
            cells.push(mh.map_or("—".into(), |m| fmt_p(Some(m.p_value))));
        }
        let style = if r.subgroup.is_some() {
            RowStyle::Level
        } else {
            RowStyle::Plain
        };
        table_rows.push((style, cells));
    }
    let mut footnotes = vec![
            "Events: the outcome's last level (1 or yes). Difference and OR: the second group against the first, Wald 95% CIs (the OR's equals a logistic regression on the group alone); OR not given when a cell is 0.".into(),
            "P: Pearson chi-square, or Fisher's exact test when an expected count is below 5 (the Table 1 rule), comparing the patients as independent, as the model study did.".into(),
        ];
    if paired {
        footnotes.push("Within matched sets: the Mantel-Haenszel odds ratio over the matched sets (Robins-Breslow-Greenland 95% CI) and the Cochran-Mantel-Haenszel test with continuity correction (R's mantelhaen.test). This analysis respects the matching (each treated patient compared with its own controls; with 1:1 pairs it is McNemar's test) and is the one to prefer when the matched sets are the design.".into());
    }
    ReportTable {
        title: title.into(),
        header,
        rows: table_rows,
        footnotes,
    }
}

/// Per outcome, a forest plot of the OR by subgroup (with the P for
/// interaction) and bars of the rates by group within each subgroup.
fn subgroup_figures(
    group: &str,
    sub: &str,
    cohort: StudyCohort,
    overall: &[OutcomeComparison],
    subgroups: &[OutcomeComparison],
    interactions: &[(String, Option<InteractionTest>)],
) -> Vec<(String, String)> {
    use super::figures::{forest_plot_svg, rate_bars_svg, ForestRow, RateCategory};
    let mut out = Vec::new();
    for o in overall {
        let parts: Vec<&OutcomeComparison> = subgroups
            .iter()
            .filter(|s| s.outcome == o.outcome)
            .collect();
        let detail = |c: &OutcomeComparison| {
            c.groups
                .iter()
                .zip(c.events.iter().zip(&c.n))
                .map(|(g, (k, n))| format!("{g} {k}/{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let level = |c: &OutcomeComparison| {
            c.subgroup
                .as_deref()
                .and_then(|s| s.split_once(" = ").map(|x| x.1.to_string()))
                .unwrap_or_default()
        };
        let mut rows = vec![ForestRow {
            label: "All patients".into(),
            detail: detail(o),
            estimate: o.odds_ratio,
            overall: true,
        }];
        rows.extend(parts.iter().map(|c| ForestRow {
            label: level(c),
            detail: detail(c),
            estimate: c.odds_ratio,
            overall: false,
        }));
        let p = interactions
            .iter()
            .find(|(name, _)| *name == o.outcome)
            .and_then(|(_, t)| t.as_ref())
            .map_or("not estimable".to_string(), |t| fmt_p(Some(t.p_value)));
        let (first, second) = (
            o.groups.first().cloned().unwrap_or_default(),
            o.groups.get(1).cloned().unwrap_or_default(),
        );
        out.push((
            super::filename::safe_stem(&format!("forest_{}", o.outcome)),
            forest_plot_svg(
                &format!(
                    "{}: odds ratio of {group} {second} vs {first}, by {sub} ({cohort} cohort)",
                    o.outcome
                ),
                &rows,
                &format!("{} higher with {first}", o.outcome),
                &format!("higher with {second}"),
                &format!("P for interaction ({group} × {sub}, likelihood ratio): {p}"),
            ),
        ));
        let category = |name: String, c: &OutcomeComparison| RateCategory {
            name,
            counts: c.events.iter().copied().zip(c.n.iter().copied()).collect(),
            p: fmt_p(c.p_value),
        };
        let mut cats = vec![category("All".into(), o)];
        cats.extend(parts.iter().map(|c| category(level(c), c)));
        out.push((
            super::filename::safe_stem(&format!("rates_{}", o.outcome)),
            rate_bars_svg(
                &format!("{} by {group} and {sub} ({cohort} cohort)", o.outcome),
                &o.groups,
                &cats,
            ),
        ));
    }
    out
}

/// What the survival step gives: the curves by the first group, by it
/// crossed with `step.cross`, and the Cox model with its test of
/// proportional hazards, on the cohort analysed.
pub struct SurvivalResults {
    pub cohort: StudyCohort,
    pub analysis: Result<SurvivalAnalysis, crate::engine::survival::SurvivalError>,
    pub crossed: Option<Result<SurvivalAnalysis, crate::engine::survival::SurvivalError>>,
    pub cox: Option<Result<(CoxFit, Vec<ZphRow>), crate::engine::survival::CoxError>>,
}

/// The survival step on `matched` (when the step asks for the matched
/// cohort and there is one) or on all patients: the same for the page and
/// the report.
pub fn survival_step(
    all: &Dataset,
    matched: Option<&Dataset>,
    step: &SurvivalStep,
) -> SurvivalResults {
    let (ds, cohort) = match (step.cohort, matched) {
        (StudyCohort::Matched, Some(m)) => (m, StudyCohort::Matched),
        _ => (all, StudyCohort::All),
    };
    let run = |spec: &SurvivalSpec| {
        survival_analysis_rmst(ds, spec, step.transform, &step.at, step.rho, step.rmst)
    };
    let crossed_curves = || {
        step.cross.as_ref().map(|c| {
            let mut spec = step.spec.clone();
            spec.groups.truncate(1);
            spec.groups.push(c.clone());
            run(&spec)
        })
    };
    // The curves, the crossed curves and the Cox model are independent:
    // computed in parallel natively.
    type Curves = Result<SurvivalAnalysis, crate::engine::survival::SurvivalError>;
    type Cox = Result<(CoxFit, Vec<ZphRow>), crate::engine::survival::CoxError>;
    enum Part {
        Curves(Curves),
        Crossed(Option<Curves>),
        Cox(Option<Cox>),
    }
    let parts = crate::engine::parallel::map(3, |k| match k {
        0 => Part::Curves(run(&step.spec)),
        1 => Part::Crossed(crossed_curves()),
        _ => Part::Cox(step.cox.as_ref().map(|c| cox_model_with_ph_test(ds, c))),
    });
    let (mut analysis, mut crossed, mut cox) = (None, None, None);
    for part in parts {
        match part {
            Part::Curves(a) => analysis = Some(a),
            Part::Crossed(c) => crossed = c,
            Part::Cox(c) => cox = c,
        }
    }
    SurvivalResults {
        cohort,
        // Part 0 is always the curves.
        analysis: analysis.unwrap_or_else(|| run(&step.spec)),
        crossed,
        cox,
    }
}

/// Runs every step the settings ask for.
pub fn run_study(
    raw: &RawTable,
    file_name: &str,
    settings: &StudySettings,
) -> Result<StudyOutputs, StudyError> {
    let ds =
        Dataset::build(raw, &settings.dataset).map_err(|e| StudyError::Dataset(e.to_string()))?;
    settings.check(&ds)?;
    let matching = settings
        .matching
        .as_ref()
        .map(|spec| match_patients(&ds, spec).map_err(|e| e.to_string()));
    let input = StudyInput {
        dataset: &ds,
        file_name,
        matching: matching
            .as_ref()
            .map(|m| m.as_ref().map_err(String::as_str)),
    };
    let mut out = run_study_on(&input, settings, &mut |_| {});
    out.matched_csv = match &matching {
        Some(Ok(m)) => Some(super::matching::matched_csv(raw, m)),
        _ => None,
    };
    Ok(out)
}

/// What a study runs on: the dataset typed by the settings, and
/// the matching of the settings when there is one (computed once by the
/// caller and shared; the page's worker keeps it between steps).
pub struct StudyInput<'a> {
    pub dataset: &'a Dataset,
    pub file_name: &'a str,
    /// `Err`: why the matching could not be done.
    pub matching: Option<Result<&'a MatchResult, &'a str>>,
}

/// [`run_study`] on a typed dataset and a computed matching, telling
/// `progress` each step as it starts. The matched dataset is left out
/// (`matched_csv` is `None`): the page makes it only when asked.
pub fn run_study_on(
    input: &StudyInput<'_>,
    settings: &StudySettings,
    progress: &mut dyn FnMut(&str),
) -> StudyOutputs {
    let ds = input.dataset;
    let file_name = input.file_name;
    let mut diagnostics = Vec::new();
    // What an explicit override let through (the callers refuse the rest).
    if let Ok(allowed) = settings.check(ds) {
        diagnostics.extend(allowed.into_iter().map(|d| d.message));
    }
    let mut tables = Vec::new();
    let mut figures = Vec::new();
    let fmt = super::table1::Table1Format::default();

    // Matching first: Table 1 shows before and after side by side.
    let matching = match input.matching {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            diagnostics.push(format!("Matching could not be done: {e}."));
            None
        }
        None => None,
    };
    let matched_ds = matching.map(|m| matched_cohort(ds, m));
    // The survival step (the longest) starts at once on another core
    // natively, while Table 1, balance and the outcomes are made here; in
    // the browser's worker it runs in its turn.
    let survival_of = || {
        settings
            .survival
            .as_ref()
            .map(|step| survival_step(ds, matched_ds.as_ref(), step))
    };
    crate::engine::parallel::meanwhile(survival_of, |survival_result| {
        progress("Table 1");

        let (mut t1_before, mut t1_after) = (None, None);
        if let Some(spec) = &settings.table1 {
            match table1(ds, spec) {
                Ok(b) => {
                    let after = matched_ds.as_ref().and_then(|m| table1(m, spec).ok());
                    let table = match &after {
                        Some(a) => super::table1::table1_before_after(&b, a, fmt),
                        None => super::table1::table1_table(&b, fmt),
                    };
                    tables.push(("table1".to_string(), table));
                    diagnostics.extend(b.diagnostics.iter().map(|d| d.message.clone()));
                    t1_before = Some(b);
                    t1_after = after;
                }
                Err(e) => diagnostics.push(format!("Table 1 could not be made: {e}.")),
            }
        }

        if settings.regression.is_some() {
            progress("Logistic regression");
        }
        let regression = settings.regression.as_ref().map(|step| {
            let screen = univariate_screen(ds, &step.spec);
            let chosen = step.spec.select(&screen, step.threshold);
            let multivariable = if chosen.is_empty() {
                None
            } else {
                let m = LogisticSpec {
                    variables: chosen,
                    ..step.spec.clone()
                };
                match fit_logistic(ds, &m) {
                    Ok(f) => Some(f),
                    Err(e) => {
                        diagnostics
                            .push(format!("The multivariable model could not be fitted: {e}."));
                        None
                    }
                }
            };
            tables.push((
                "regression".to_string(),
                super::regression::regression_table(&screen, multivariable.as_ref()),
            ));
            RegressionResults {
                screen,
                multivariable,
            }
        });

        if matching.is_some() {
            progress("Balance");
        }
        let matching_summary = matching.map(|m| {
            let bal = balance(ds, m);
            tables.push(("matching_counts".into(), super::matching::counts_table(m)));
            tables.push(("balance".into(), super::matching::balance_table(&bal)));
            figures.push(("love_plot".into(), super::figures::love_plot_svg(&bal)));
            figures.push((
                "score_distributions".into(),
                super::figures::score_histograms_svg(m),
            ));
            diagnostics.extend(m.diagnostics.iter().map(|d| d.message.clone()));
            let max_after = bal
                .iter()
                .map(|b| b.after.smd.abs())
                .filter(|v| v.is_finite())
                .fold(None, |acc: Option<f64>, v| {
                    Some(acc.map_or(v, |a| a.max(v)))
                });
            MatchingSummary {
                spec: m.spec.clone(),
                model: m.model.clone(),
                counts: m.counts.clone(),
                caliper_width: m.caliper_width,
                balance: bal,
                max_abs_smd_after: max_after,
            }
        });

        // Outcomes: in the matched cohort when there is one.
        let group = settings
            .matching
            .as_ref()
            .map(|m| m.treatment.clone())
            .or_else(|| settings.table1.as_ref().map(|t| t.group.clone()));
        let (cohort_ds, cohort) = match &matched_ds {
            Some(m) => (m, StudyCohort::Matched),
            None => (ds, StudyCohort::All),
        };
        if !settings.outcomes.is_empty() {
            progress("Outcomes");
        }
        let mut outcomes = Vec::new();
        let mut subgroups = Vec::new();
        let mut interactions = Vec::new();
        if let Some(g) = &group {
            outcomes = compare_outcomes(
                cohort_ds,
                g,
                &settings.outcomes,
                cohort,
                None,
                &mut diagnostics,
            );
            if let Some(m) = matching {
                for o in &mut outcomes {
                    o.matched_sets = matched_set_tables(ds, m, g, &o.outcome)
                        .and_then(|t| mantel_haenszel(&t, true, 0.95));
                }
            }
            if !outcomes.is_empty() {
                tables.push((
                    "outcomes".into(),
                    outcomes_table(&format!("Outcomes by {g} ({cohort} cohort)"), &outcomes),
                ));
            }
            if let Some(sub) = &settings.subgroup {
                match cohort_ds.column(sub).map(|c| &c.data) {
                    Some(ColumnData::Categorical { codes, levels, .. }) => {
                        for (k, level) in levels.iter().enumerate() {
                            let rows: Vec<usize> =
                                (0..codes.len()).filter(|&i| codes[i] == k as u32).collect();
                            let part = cohort_ds.subset(&rows);
                            subgroups.extend(compare_outcomes(
                                &part,
                                g,
                                &settings.outcomes,
                                cohort,
                                Some(format!("{sub} = {level}")),
                                &mut diagnostics,
                            ));
                        }
                        interactions = settings
                            .outcomes
                            .iter()
                            .map(|o| (o.clone(), interaction_test(cohort_ds, g, o, sub)))
                            .collect();
                        if !subgroups.is_empty() {
                            let mut t = outcomes_table(
                                &format!("Outcomes by {g} within {sub} ({cohort} cohort)"),
                                &subgroups,
                            );
                            t.footnotes.push(format!(
                                "P for interaction ({g} × {sub}, likelihood-ratio test of the logistic model with the interaction against the one without): {}.",
                                interactions
                                    .iter()
                                    .map(|(o, t)| format!(
                                        "{o} {}",
                                        t.as_ref().map_or("not estimable".into(), |t| fmt_p(Some(t.p_value)))
                                    ))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                            ));
                            tables.push(("subgroups".into(), t));
                            figures.extend(subgroup_figures(
                                g,
                                sub,
                                cohort,
                                &outcomes,
                                &subgroups,
                                &interactions,
                            ));
                        }
                    }
                    _ => diagnostics.push(format!(
                        "Subgroups: `{sub}` is not a categorical column of this file."
                    )),
                }
            }
        }

        let (mut survival, mut survival_crossed, mut cox, mut ph_test) =
            (None, None, None, Vec::new());
        let mut survival_cohort = None;
        if let Some(step) = &settings.survival {
            progress("Survival and Cox model");
            if step.cohort == StudyCohort::Matched
                && matched_ds.is_none()
                && settings.matching.is_some()
            {
                diagnostics.push(
                    "Survival: there is no matched cohort, so all patients were analysed.".into(),
                );
            }
            let r = match survival_result().flatten() {
                Some(r) => r,
                None => survival_step(ds, matched_ds.as_ref(), step),
            };
            let which = r.cohort;
            survival_cohort = Some(which);
            match r.analysis {
                Ok(a) => {
                    let mut t = a.summary_table();
                    t.title = format!("{} ({which} cohort)", t.title);
                    tables.push(("survival".into(), t));
                    figures.push((
                        "kaplan_meier".into(),
                        super::figures::km_plot_svg(&a, &step.spec.time),
                    ));
                    diagnostics.extend(
                        a.diagnostics
                            .iter()
                            .map(|d| format!("Survival: {}.", d.message)),
                    );
                    survival = Some(a);
                }
                Err(e) => {
                    diagnostics.push(format!("The survival analysis could not be done: {e}."))
                }
            }
            match (r.crossed, &step.cross) {
                (Some(Ok(a)), Some(cross)) => {
                    let mut t = a.summary_table();
                    t.title = format!("{} ({which} cohort)", t.title);
                    tables.push((
                        super::filename::safe_stem(&format!("survival_by_{cross}")),
                        t,
                    ));
                    figures.push((
                        super::filename::safe_stem(&format!("kaplan_meier_by_{cross}")),
                        super::figures::km_plot_svg(&a, &step.spec.time),
                    ));
                    survival_crossed = Some(a);
                }
                (Some(Err(e)), Some(cross)) => diagnostics.push(format!(
                    "The survival analysis by {} could not be done: {e}.",
                    list(&[
                        step.spec.groups.first().cloned().unwrap_or_default(),
                        cross.clone()
                    ])
                )),
                _ => {}
            }
            match r.cox {
                Some(Ok((f, ph))) => {
                    tables.push(("cox".into(), super::survival::cox_table(&f)));
                    tables.push(("ph_test".into(), super::survival::ph_test_table(&ph)));
                    cox = Some(f);
                    ph_test = ph;
                }
                Some(Err(e)) => {
                    diagnostics.push(format!("The Cox model could not be fitted: {e}."))
                }
                None => {}
            }
        }

        let mut results = StudyResults {
            engine: crate::engine::build_name(),
            file: file_name.into(),
            n_rows: ds.n_rows,
            settings: settings.clone(),
            table1_before: t1_before,
            table1_after: t1_after,
            regression,
            matching: matching_summary,
            outcomes,
            subgroups,
            interactions,
            survival,
            survival_crossed,
            survival_cohort,
            cox,
            ph_test,
            diagnostics,
            methods: String::new(),
            design: None,
        };
        results.methods = methods_text(&results);
        progress("Report");
        let report_html = report_html(&results, &tables, &figures);
        StudyOutputs {
            results,
            tables,
            figures,
            matched_csv: None,
            report_html,
        }
    })
}

fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The methods paragraph, from what was run (not from what was asked).
pub fn methods_text(r: &StudyResults) -> String {
    let mut s = Vec::new();
    let s_ = &r.settings;
    s.push(format!(
        "Analyses were done with {} on {} patients ({}).",
        r.engine, r.n_rows, r.file
    ));
    if let Some(t) = &r.table1_before {
        s.push(format!(
            "Baseline characteristics were compared between {} groups as n (%) with Pearson's chi-square test, or Fisher's exact test when an expected count was below 5, and as mean (SD) with Welch's t test or median [IQR] with the Mann-Whitney U test; standardized mean differences (SMD) follow Yang and Dalton (2012). Patients missing a variable were left out of that variable's comparison.",
            t.group
        ));
    }
    if let Some(reg) = &r.regression {
        let spec = &s_.regression;
        let outcome = spec
            .as_ref()
            .map_or(String::new(), |x| x.spec.outcome.clone());
        let mut m = format!(
            "Factors associated with {outcome} were screened by univariate logistic regression"
        );
        if let Some(f) = &reg.multivariable {
            let vars: Vec<String> = f.spec.variables.clone();
            let rule = spec
                .as_ref()
                .and_then(|x| x.threshold)
                .map_or("all screened variables".to_string(), |t| {
                    format!("variables with univariate P < {t}")
                });
            m.push_str(&format!(
                "; {rule} ({}) entered a multivariable model ({} patients, {} events)",
                list(&vars),
                f.n,
                f.events
            ));
        }
        let firth = spec.as_ref().is_some_and(|x| x.spec.firth);
        if firth {
            m.push_str(". The models were fitted by Firth's penalised likelihood (Firth 1993; Heinze & Schemper 2002), which gives finite estimates under separation; odds ratios (OR) are given with profile penalised-likelihood 95% confidence intervals and P values from penalised likelihood-ratio tests; complete cases were used.");
        } else {
            m.push_str(". Odds ratios (OR) are given with Wald 95% confidence intervals; complete cases were used.");
        }
        let separated = reg
            .multivariable
            .iter()
            .flat_map(|f| f.terms.iter())
            .any(|t| t.not_estimable.is_some());
        if separated {
            m.push_str(" Terms with separation (a level or value with all or no events) have no maximum-likelihood estimate and are reported as not estimable.");
        }
        s.push(m);
    }
    if let Some(m) = &r.matching {
        let sp = &m.spec;
        let caliper = match (sp.caliper, m.caliper_width) {
            (crate::engine::matching::Caliper::Sd(k), Some(w)) => format!(
                "a caliper of {k} standard deviations of the {} of the score ({})",
                sp.scale.as_str(),
                fmt_num(w, 4)
            ),
            (_, Some(w)) => format!(
                "a caliper of {} on the {} scale",
                fmt_num(w, 4),
                sp.scale.as_str()
            ),
            _ => "no caliper".to_string(),
        };
        let mut t = format!(
            "Propensity scores for {} were estimated by logistic regression on {}. Patients were matched {}:1 by nearest-neighbour matching on the {} of the score ({}, {} replacement) with {}",
            sp.treatment,
            list(&sp.covariates),
            sp.ratio,
            sp.scale.as_str(),
            match sp.order {
                crate::engine::matching::MatchOrder::Largest => "highest score first".to_string(),
                crate::engine::matching::MatchOrder::Smallest => "lowest score first".to_string(),
                crate::engine::matching::MatchOrder::Random(seed) => format!("in a random order, seed {seed}"),
                crate::engine::matching::MatchOrder::Data => "in the file's order".to_string(),
            },
            if sp.replace { "with" } else { "without" },
            caliper
        );
        if !sp.exact.is_empty() {
            t.push_str(&format!(", exactly on {}", list(&sp.exact)));
        }
        t.push_str(&format!(
            ", following MatchIt's nearest-neighbour algorithm. {} treated and {} control patients were matched.",
            m.counts.matched.treated, m.counts.matched.control
        ));
        if let Some(x) = m.max_abs_smd_after {
            t.push_str(&format!(
                " Balance was checked by standardized mean differences (largest absolute SMD after matching {}) and variance ratios.",
                fmt_num(x, 3)
            ));
        }
        s.push(t);
    }
    if !r.outcomes.is_empty() {
        s.push(format!(
            "{} were compared between the groups in the {} cohort by the same tests as the baseline characteristics, with risk differences and odds ratios (Wald 95% CIs){}{}.",
            list(&r.outcomes.iter().map(|o| o.outcome.clone()).collect::<Vec<_>>()),
            r.outcomes[0].cohort,
            s_.subgroup
                .as_ref()
                .map_or(String::new(), |g| format!(", and within each level of {g} (P for interaction: likelihood-ratio test of the logistic model with the group-by-{g} interaction against the one without)")),
            if r.outcomes.iter().any(|o| o.matched_sets.is_some()) {
                "; respecting the matching, Mantel-Haenszel odds ratios over the matched sets (Robins-Breslow-Greenland CIs) were tested by the Cochran-Mantel-Haenszel test with continuity correction"
            } else {
                ""
            }
        ));
    }
    if let (Some(a), Some(step)) = (&r.survival, &s_.survival) {
        let test = if step.rho == 0.0 {
            "the log-rank test".to_string()
        } else if step.rho == 1.0 {
            "the Peto-Peto test (Fleming-Harrington rho = 1)".to_string()
        } else {
            format!("the Fleming-Harrington test with rho = {}", step.rho)
        };
        s.push(format!(
            "In the {} cohort, time to {} ({}) was estimated by the Kaplan-Meier method by {}{}, with 95% confidence intervals from Greenwood's variance on the {} scale (as R's survfit), and compared by {}; survival at {} months is reported. Median follow-up was estimated by the reverse Kaplan-Meier method. {} patients with missing time or event were left out.",
            r.survival_cohort.map_or("whole", StudyCohort::as_str),
            a.spec.event,
            a.spec.time,
            list(&a.spec.groups),
            r.survival_crossed.as_ref().map_or(String::new(), |c| format!(" and by {} crossed (pairwise log-rank tests with Holm's adjustment)", list(&c.spec.groups))),
            step.transform.as_str(),
            test,
            list(&step.at.iter().map(|t| fmt_num(*t, 0)).collect::<Vec<_>>()),
            a.dropped
        ));
    }
    if let Some(c) = &r.cox {
        s.push(format!(
            "Hazard ratios were estimated by a Cox proportional hazards model ({} ties; {} patients, {} events) with Wald 95% CIs{}; proportional hazards were checked by scaled Schoenfeld residuals (R's cox.zph, Kaplan-Meier time scale).",
            c.ties.as_str(),
            c.n,
            c.events,
            s_.survival
                .as_ref()
                .and_then(|st| st.cox.as_ref())
                .and_then(|cs| cs.cluster.as_ref())
                .map_or(String::new(), |cl| if cl == MATCHED_SET_COLUMN {
                    " and robust (sandwich) standard errors clustered by matched set".to_string()
                } else {
                    format!(" and robust (sandwich) standard errors clustered by {cl}")
                })
        ));
    }
    s.push("Two-sided P < 0.05 was considered significant. Numbers were validated against R (stats, survival 3.5, MatchIt 4.5).".into());
    s.join(" ")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A table as HTML that Word keeps when pasted.
pub fn table_html(t: &ReportTable) -> String {
    t.to_html()
}

/// One self-contained HTML file: methods, every table, every figure
/// (inline SVG), the diagnostics.
pub fn report_html(
    r: &StudyResults,
    tables: &[(String, ReportTable)],
    figures: &[(String, String)],
) -> String {
    let mut h =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<title>CohortLab report: {}</title>\n<style>\nbody{{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}}\ncaption{{text-align:left;font-weight:bold;margin-bottom:.3rem}}\nth,td{{border-top:1px solid #999;border-bottom:1px solid #999;padding:.2rem .5rem;text-align:left}}\ntr.variable td:first-child{{font-weight:bold}}\ntr.level td:first-child{{padding-left:1.5rem}}\n.note{{font-size:.8rem;color:#555;margin:.2rem 0}}\nfigure{{margin:1.5rem 0}}\n</style>\n</head>\n<body>\n",
        esc(&r.file)
    ));
    h.push_str(&format!(
        "<h1>Retrospective cohort analysis</h1>\n<p>{} · {} · {} patients</p>\n",
        esc(&r.engine),
        esc(&r.file),
        r.n_rows
    ));
    if let Some(design) = &r.design {
        h.push_str(&super::design::design_html(design));
    }
    h.push_str(&format!(
        "<h2>Methods</h2>\n<p id=\"methods\">{}</p>\n",
        esc(&r.methods)
    ));
    h.push_str("<h2>Tables</h2>\n");
    for (_, t) in tables {
        h.push_str(&table_html(t));
    }
    h.push_str("<h2>Figures</h2>\n");
    for (name, svg) in figures {
        h.push_str(&format!(
            "<figure id=\"figure-{}\">\n{}\n</figure>\n",
            esc(name),
            svg
        ));
    }
    if !r.diagnostics.is_empty() {
        h.push_str("<h2>Notes</h2>\n<ul>\n");
        for d in &r.diagnostics {
            h.push_str(&format!("<li>{}</li>\n", esc(d)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}

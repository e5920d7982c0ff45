//! The whole study presented: every table (CSV), every figure (SVG), a
//! methods paragraph saying exactly what was run, and one self-contained
//! HTML report, from the numbers of [`crate::engine::study::run_study`].
//! The page and `cohortlab run` both call [`run_study`] /
//! [`run_study_on`], so the same settings give the same numbers.

mod html;
mod methods;
mod outcomes;

pub use html::{report_html, table_html};
pub use methods::{methods_text, sensitivity_text};
pub(crate) use outcomes::ci_text;
pub use outcomes::outcomes_table;

// The study's settings and results, for callers of the report.
pub use crate::engine::study::{
    matched_cohort, matched_set_tables, survival_step, CompetingStep, MatchingSummary,
    OutcomeComparison, RegressionResults, RegressionStep, StudyCohort, StudyError, StudyInput,
    StudyResults, StudySettings, SurvivalResults, SurvivalStep, MATCHED_SET_COLUMN,
    SETTINGS_VERSION,
};

use crate::engine::data::{Dataset, RawTable};
use crate::engine::matching::{match_patients, MatchResult};
use crate::engine::AnalysisError;
use crate::report::table::{fmt_p, ReportTable};

/// The study's files: what `cohortlab run` writes and the page downloads.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyOutputs {
    pub results: StudyResults,
    /// (file stem, table), written as tables/STEM.csv. Stems named after
    /// data are made safe by [`crate::report::filename::safe_stem`].
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

    /// The outputs of `results` (and of the matching they were run with,
    /// for the distributions of the score): its tables, figures, methods
    /// text and report (`matched_csv` is left out).
    pub fn new(mut results: StudyResults, matching: Option<&MatchResult>) -> StudyOutputs {
        let (tables, figures) = tables_and_figures(&results, matching);
        results.methods = methods_text(&results);
        let report_html = report_html(&results, &tables, &figures);
        StudyOutputs {
            results,
            tables,
            figures,
            matched_csv: None,
            report_html,
        }
    }
}

/// Runs every step the settings ask for on a file's table.
pub fn run_study(
    raw: &RawTable,
    file_name: &str,
    settings: &StudySettings,
) -> Result<StudyOutputs, StudyError> {
    let ds = Dataset::build(raw, &settings.dataset)
        .map_err(|e| StudyError::Dataset(AnalysisError::from(e)))?;
    settings.check(&ds)?;
    let matching = settings
        .matching
        .as_ref()
        .map(|spec| match_patients(&ds, spec));
    let input = StudyInput {
        dataset: &ds,
        file_name,
        matching: matching.as_ref().map(Result::as_ref),
    };
    let mut out = run_study_on(&input, settings, &mut |_| {});
    out.matched_csv = match &matching {
        Some(Ok(m)) => Some(crate::report::matching::matched_csv(raw, m)),
        _ => None,
    };
    Ok(out)
}

/// [`run_study`] on a typed dataset and a computed matching, telling
/// `progress` each step as it starts. The matched dataset is left out
/// (`matched_csv` is `None`): the page makes it only when asked.
pub fn run_study_on(
    input: &StudyInput<'_>,
    settings: &StudySettings,
    progress: &mut dyn FnMut(&str),
) -> StudyOutputs {
    let results = crate::engine::study::run_study(input, settings, progress);
    progress("Report");
    let matching = input.matching.and_then(Result::ok);
    StudyOutputs::new(results, matching)
}

/// A table or figure with its file stem.
type Named<T> = (String, T);

/// Every table and figure of the study, in the report's order.
fn tables_and_figures(
    r: &StudyResults,
    matched: Option<&MatchResult>,
) -> (Vec<Named<ReportTable>>, Vec<Named<String>>) {
    use crate::report::{figures, matching, survival, table1};
    let mut tables = Vec::new();
    let mut figs = Vec::new();
    let level = r.settings.conf_level;
    if let Some(b) = &r.table1_before {
        let fmt = table1::Table1Format::default();
        let table = match &r.table1_after {
            Some(a) => table1::table1_before_after(b, a, fmt),
            None => table1::table1_table(b, fmt),
        };
        tables.push(("table1".to_string(), table));
    }
    if let Some(reg) = &r.regression {
        tables.push((
            "regression".to_string(),
            crate::report::regression::regression_table(&reg.screen, reg.multivariable.as_ref()),
        ));
    }
    if let Some(m) = &r.matching {
        tables.push(("matching_counts".into(), matching::counts_table(&m.counts)));
        tables.push(("balance".into(), matching::balance_table(&m.balance)));
        figs.push(("love_plot".into(), figures::love_plot_svg(&m.balance)));
        if let Some(mr) = matched {
            figs.push((
                "score_distributions".into(),
                figures::score_histograms_svg(mr),
            ));
        }
    }
    outcome_tables(r, level, &mut tables, &mut figs);
    let time = r
        .settings
        .survival
        .as_ref()
        .map_or("", |s| s.spec.time.as_str());
    let which = r.survival_cohort.unwrap_or(StudyCohort::All);
    if let Some(a) = &r.survival {
        let mut t = a.summary_table();
        t.title = format!("{} ({which} cohort)", t.title);
        tables.push(("survival".into(), t));
        figs.push(("kaplan_meier".into(), figures::km_plot_svg(a, time)));
    }
    let cross = r.settings.survival.as_ref().and_then(|s| s.cross.as_ref());
    if let (Some(a), Some(cross)) = (&r.survival_crossed, cross) {
        let mut t = a.summary_table();
        t.title = format!("{} ({which} cohort)", t.title);
        let stem = crate::report::filename::safe_stem;
        tables.push((stem(&format!("survival_by_{cross}")), t));
        figs.push((
            stem(&format!("kaplan_meier_by_{cross}")),
            figures::km_plot_svg(a, time),
        ));
    }
    if let Some(f) = &r.cox {
        tables.push(("cox".into(), survival::cox_table(f)));
        tables.push(("ph_test".into(), survival::ph_test_table(&r.ph_test)));
    }
    competing_outputs(r, time, &mut tables, &mut figs);
    crate::report::sensitivity::sensitivity_outputs(r, &mut tables, &mut figs);
    (tables, figs)
}

/// The restricted means compared (with the note when the Cox model's PH
/// test rejects), the cumulative incidence with its figure, and the
/// Fine-Gray and cause-specific Cox models.
fn competing_outputs(
    r: &StudyResults,
    time: &str,
    tables: &mut Vec<Named<ReportTable>>,
    figs: &mut Vec<Named<String>>,
) {
    let which = r.survival_cohort.unwrap_or(StudyCohort::All);
    if let Some(x) = &r.rmst {
        tables.push(("rmst".into(), rmst_table_of(x, &r.ph_test, which)));
    }
    if let Some(a) = &r.competing {
        let mut t = crate::report::competing::incidence_table(a);
        t.title = format!("{} ({which} cohort)", t.title);
        tables.push(("cumulative_incidence".into(), t));
        figs.push((
            "cumulative_incidence".into(),
            crate::report::km_figure::KmFigure::cumulative_incidence(a, time).to_svg(),
        ));
    }
    if let (Some(m), Some(step)) = (&r.competing_models, &r.settings.survival) {
        let mut t = crate::report::competing::models_table(&step.spec.event, m);
        t.title = format!("{} ({which} cohort)", t.title);
        tables.push(("competing_models".into(), t));
    }
}

/// The restricted means' table of the study and the page: titled with the
/// cohort, noted when the PH test rejects.
pub fn rmst_table_of(
    x: &crate::engine::survival::RmstComparison,
    ph_test: &[crate::engine::survival::ZphRow],
    which: StudyCohort,
) -> ReportTable {
    let mut t = crate::report::survival::rmst_table(x);
    t.title = format!("{} ({which} cohort)", t.title);
    t.footnotes
        .extend(crate::report::survival::rmst_ph_note(ph_test));
    t
}

/// The outcome and subgroup tables, and the subgroup figures.
fn outcome_tables(
    r: &StudyResults,
    level: f64,
    tables: &mut Vec<(String, ReportTable)>,
    figs: &mut Vec<(String, String)>,
) {
    let group = r
        .settings
        .matching
        .as_ref()
        .map(|m| m.treatment.as_str())
        .or_else(|| r.settings.table1.as_ref().map(|t| t.group.as_str()));
    let Some(g) = group else { return };
    let cohort = r.outcomes.first().map_or(
        if r.matching.is_some() {
            StudyCohort::Matched
        } else {
            StudyCohort::All
        },
        |o| o.cohort,
    );
    if !r.outcomes.is_empty() {
        tables.push((
            "outcomes".into(),
            outcomes_table(
                &format!("Outcomes by {g} ({cohort} cohort)"),
                &r.outcomes,
                level,
            ),
        ));
    }
    let Some(sub) = &r.settings.subgroup else {
        return;
    };
    if r.subgroups.is_empty() {
        return;
    }
    let mut t = outcomes_table(
        &format!("Outcomes by {g} within {sub} ({cohort} cohort)"),
        &r.subgroups,
        level,
    );
    t.footnotes.push(format!(
        "P for interaction ({g} × {sub}, likelihood-ratio test of the logistic model with the interaction against the one without): {}.",
        r.interactions
            .iter()
            .map(|(o, t)| format!(
                "{o} {}",
                t.as_ref().map_or("not estimable".into(), |t| fmt_p(Some(t.p_value)))
            ))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    tables.push(("subgroups".into(), t));
    figs.extend(outcomes::subgroup_figures(
        g,
        sub,
        cohort,
        &r.outcomes,
        &r.subgroups,
        &r.interactions,
        level,
    ));
}

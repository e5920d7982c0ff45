//! What the page shows of each step, made from the engine's results.

use serde::{Deserialize, Serialize};

use super::messages::Failure;
use super::session::Session;
use crate::engine::competing::{CompetingAnalysis, CompetingError, CompetingModels};
use crate::engine::data::{Dataset, DatasetSpec, FileFormat};
use crate::engine::design::DesignGuess;
use crate::engine::example::EXAMPLE_FILE_NAME;
use crate::engine::matching::MatchResult;
use crate::engine::study::{
    survival_step, MatchingSummary, StudyCohort, StudySettings, SurvivalStep,
};
use crate::engine::survival::{CoxFit, ZphRow};
use crate::engine::table1::{table1, Table1Spec};
use crate::engine::Diagnostic;
use crate::report::design::guessed_settings;
use crate::report::inspect::Inspection;
use crate::report::table::ReportTable;
use crate::report::table1::Table1Format;

/// The loaded file as the page sees it: no cells, only what it shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub file_name: String,
    pub spec: DatasetSpec,
    pub format: FileFormat,
    pub inspection: Inspection,
    pub preview: Preview,
    /// The built-in example (its settings are the model study's).
    pub example: bool,
    /// The design guessed from a file that is not the example, and the
    /// settings it stands for (the page starts from them).
    pub design: Option<DesignGuess>,
    pub guessed: Option<StudySettings>,
}

/// The first rows as typed: row number and cells ("" is missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub rows: Vec<(usize, Vec<String>)>,
}

pub const PREVIEW_ROWS: usize = 10;

/// The matching step as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchView {
    pub treated: usize,
    pub control: usize,
    /// "Caliper: 0.1234 on the logit scale." or "".
    pub caliper: String,
    pub c_statistic: Option<f64>,
    pub diagnostics: Vec<Diagnostic>,
    pub counts: ReportTable,
    pub balance: ReportTable,
    pub love_plot: String,
    pub histograms: String,
    pub table1: Option<ReportTable>,
}

/// The survival step as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurvivalView {
    pub cohort: StudyCohort,
    /// Patients in the cohort analysed (used and dropped).
    pub patients: usize,
    pub table: ReportTable,
    pub figure: KmPlotView,
    /// The curves by the groups crossed with a second variable.
    pub crossed: Option<(ReportTable, KmPlotView)>,
    /// The Cox model's table, or why it could not be fitted.
    pub cox: Option<Result<ReportTable, Failure>>,
    /// The restricted means compared (`survival.rmst`), or why they could
    /// not be.
    #[serde(default)]
    pub rmst: Option<Result<ReportTable, Failure>>,
    /// The competing-risks analysis (`survival.competing`), or why it
    /// could not be done.
    #[serde(default)]
    pub competing: Option<Result<CompetingView, Failure>>,
}

/// The competing-risks analysis as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetingView {
    /// The cumulative incidence curves, with the numbers at risk.
    pub figure: KmPlotView,
    /// The incidence at the landmark times, and Gray's test.
    pub incidence: ReportTable,
    /// The Fine-Gray and cause-specific Cox models (when there are
    /// covariates), or why they could not be fitted.
    pub models: Option<Result<ReportTable, Failure>>,
}

/// A Kaplan-Meier figure as the page gets it: laid out, to be drawn on a
/// canvas, and as SVG, to be downloaded (made here, so that the page's own
/// code stays small).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmPlotView {
    pub layout: crate::report::km_figure::KmFigure,
    pub svg: String,
    /// What it shows, in words, and the numbers at risk as an HTML
    /// table: for screen readers.
    pub description: String,
    pub at_risk_html: String,
}

impl KmPlotView {
    fn new(a: &crate::report::survival::SurvivalAnalysis, time_label: &str) -> KmPlotView {
        Self::of(crate::report::km_figure::KmFigure::new(a, time_label))
    }

    /// A laid-out figure with its SVG and its words for screen readers.
    pub fn of(layout: crate::report::km_figure::KmFigure) -> KmPlotView {
        KmPlotView {
            svg: layout.to_svg(),
            description: layout.description(),
            at_risk_html: layout.at_risk_html(),
            layout,
        }
    }
}

/// The whole study as the page shows it, with its downloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyView {
    pub tables: Vec<(String, ReportTable)>,
    pub figures: Vec<(String, String)>,
    pub methods: String,
    /// The sensitivity step's sentences of the methods paragraph.
    #[serde(default)]
    pub sensitivity_methods: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Binary outcomes were compared.
    pub has_outcomes: bool,
    /// There is a matched dataset to download.
    pub has_matching: bool,
}

pub(super) fn info(s: &Session) -> SessionInfo {
    let ds = &s.dataset;
    let n = ds.n_rows.min(PREVIEW_ROWS);
    let rows = (0..n)
        .map(|r| {
            (
                ds.row_numbers.get(r).copied().unwrap_or(r + 2),
                ds.columns.iter().map(|c| c.display(r)).collect(),
            )
        })
        .collect();
    let example = s.file_name == EXAMPLE_FILE_NAME;
    SessionInfo {
        file_name: s.file_name.clone(),
        spec: s.spec.clone(),
        format: s.raw.format.clone(),
        inspection: Inspection::new(&s.raw.format, ds),
        preview: Preview { rows },
        example,
        guessed: s.design.as_ref().map(guessed_settings),
        design: s.design.clone(),
    }
}

pub(super) fn stability_text(
    ds: &Dataset,
    m: &MatchResult,
    n: u64,
    outcome: Option<&str>,
) -> Result<String, Failure> {
    let s = crate::engine::matching::stability(ds, m, n, outcome)
        .map_err(|e| Failure::new("The stability check failed", e.to_string(), ""))?;
    let mut text = format!(
        "Across {} random orders, at least {:.1}% of this matching's controls were matched again.",
        s.runs.len(),
        100.0 * s.min_overlap
    );
    if let (Some(o), Some(r), Some(lo), Some(hi)) = (
        outcome,
        s.reference_outcome_difference,
        s.min_difference,
        s.max_difference,
    ) {
        text.push_str(&format!(
            " The difference in {o} (treated minus control) is {:.1} percentage points here and ranges from {:.1} to {:.1} across the orders.",
            100.0 * r,
            100.0 * lo,
            100.0 * hi
        ));
    }
    Ok(text)
}

/// The survival step of the settings: Kaplan-Meier curves (and crossed
/// with a second variable), the summary table, the figures and the Cox
/// model, on the matched cohort or all patients, as `cohortlab run`.
pub(super) fn survival_view(
    s: &Session,
    matched: Option<&Dataset>,
    settings: &StudySettings,
) -> Result<SurvivalView, Failure> {
    let context = "The survival analysis could not be done";
    let Some(step) = &settings.survival else {
        return Err(Failure::new(
            context,
            "Choose a time and an event column.",
            "",
        ));
    };
    let r = survival_step(&s.dataset, matched, step, settings.conf_level);
    let fail =
        |e: crate::engine::survival::SurvivalError| Failure::new(context, e.to_string(), &e.hint());
    let a = r.analysis.map_err(fail)?;
    let crossed = match r.crossed {
        Some(x) => {
            let x = x.map_err(fail)?;
            Some((x.summary_table(), KmPlotView::new(&x, &step.spec.time)))
        }
        None => None,
    };
    let ph = ph_rows(&r.cox);
    let cox = r.cox.map(|c| {
        c.map(|(f, ph)| {
            let mut t = crate::report::survival::cox_table(&f);
            // The PH test in the same table's notes, as papers report it.
            t.footnotes.push(format!(
                "Proportional hazards (R cox.zph, KM time scale): {}.",
                ph.iter()
                    .map(|r| format!("{} P {}", r.term, crate::report::table::fmt_p(Some(r.p_value))))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            t
        })
        .map_err(|e| {
            let hint = match &e {
                crate::engine::survival::CoxError::Data(d) => d.hint(),
                _ => "Check the covariates; a covariate with one value or separation cannot be estimated.".into(),
            };
            Failure::new("The Cox model could not be fitted", e.to_string(), &hint)
        })
    });
    let rmst = r.rmst.map(|x| {
        x.map(|x| crate::report::study::rmst_table_of(&x, &ph, r.cohort))
            .map_err(|e| {
                Failure::new(
                    "The restricted mean survival times could not be compared",
                    e.to_string(),
                    &e.hint(),
                )
            })
    });
    let competing = competing_view(step, r.competing, r.competing_models);
    Ok(SurvivalView {
        cohort: r.cohort,
        patients: a.n + a.dropped,
        table: a.summary_table(),
        figure: KmPlotView::new(&a, &step.spec.time),
        crossed,
        cox,
        rmst,
        competing,
    })
}

/// The Cox model's test of proportional hazards, when it was fitted.
fn ph_rows(
    cox: &Option<Result<(CoxFit, Vec<ZphRow>), crate::engine::survival::CoxError>>,
) -> Vec<ZphRow> {
    match cox {
        Some(Ok((_, ph))) => ph.clone(),
        _ => Vec::new(),
    }
}

/// The competing-risks part of the survival view: the figure, the
/// incidence table and the models' table.
fn competing_view(
    step: &SurvivalStep,
    analysis: Option<Result<CompetingAnalysis, CompetingError>>,
    models: Option<Result<CompetingModels, CompetingError>>,
) -> Option<Result<CompetingView, Failure>> {
    let fail = |context: &str, e: CompetingError| Failure::new(context, e.to_string(), &e.hint());
    let a = match analysis? {
        Ok(a) => a,
        Err(e) => {
            return Some(Err(fail(
                "The competing-risks analysis could not be done",
                e,
            )))
        }
    };
    let models = models.map(|m| {
        m.map(|m| crate::report::competing::models_table(&step.spec.event, &m))
            .map_err(|e| {
                fail(
                    "The Fine-Gray and cause-specific Cox models could not be fitted",
                    e,
                )
            })
    });
    Some(Ok(CompetingView {
        figure: KmPlotView::of(crate::report::km_figure::KmFigure::cumulative_incidence(
            &a,
            &step.spec.time,
        )),
        incidence: crate::report::competing::incidence_table(&a),
        models,
    }))
}

/// The matching step as the page shows it: counts, balance (the study's
/// [`MatchingSummary`]), the figures and Table 1 before and after.
pub(super) fn match_view(ds: &Dataset, m: &MatchResult, t1: &Table1Spec) -> MatchView {
    let summary = MatchingSummary::new(ds, m);
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| m.is_matched(i)).collect();
    let matched = ds.subset(&rows);
    let t1_spec = Table1Spec {
        group: m.spec.treatment.clone(),
        variables: t1
            .variables
            .iter()
            .filter(|v| **v != m.spec.treatment)
            .cloned()
            .collect(),
        ..t1.clone()
    };
    let table1 = match (table1(ds, &t1_spec), table1(&matched, &t1_spec)) {
        (Ok(b), Ok(a)) => Some(crate::report::table1::table1_before_after(
            &b,
            &a,
            Table1Format::default(),
        )),
        _ => None,
    };
    MatchView {
        treated: m.counts.matched.treated,
        control: m.counts.matched.control,
        caliper: m
            .caliper_width
            .map(|w| format!(" Caliper: {w:.4} on the {} scale.", m.spec.scale.as_str()))
            .unwrap_or_default(),
        c_statistic: m.model.c_statistic,
        diagnostics: m.diagnostics.clone(),
        counts: crate::report::matching::counts_table(&m.counts),
        balance: crate::report::matching::balance_table(&summary.balance),
        love_plot: crate::report::figures::love_plot_svg(&summary.balance),
        histograms: crate::report::figures::score_histograms_svg(m),
        table1,
    }
}

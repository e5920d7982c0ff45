//! The engine as a service: it holds the loaded file and its typed dataset
//! and answers requests with what the page shows. In the page it runs in a
//! Web Worker (`src/bin/worker.rs` is only the message glue), so the data
//! never crosses to the page's thread and a long analysis never freezes it;
//! natively it is tested directly. Requests and replies are plain data
//! (serde), so the worker move is mechanical.
//!
//! The matching of the current settings is computed once and kept: the
//! Matching, Outcomes, Survival and Report steps share it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::data::{self, Dataset, DatasetSpec, FileFormat, RawTable, ReadOptions};
use crate::engine::design::{guess_design, DesignGuess};
use crate::engine::example::{EXAMPLE_CSV, EXAMPLE_FILE_NAME};
use crate::engine::matching::{balance, match_patients, MatchResult, MatchSpec};
use crate::engine::regression::{fit_logistic, univariate_screen, LogisticSpec};
use crate::engine::table1::{table1, Table1Spec};
use crate::engine::{AnalysisError, Diagnostic};
use crate::report::design::guessed_settings;
use crate::report::inspect::Inspection;
use crate::report::study::{
    matched_cohort, run_study_on, survival_step, StudyCohort, StudyInput, StudySettings,
};
use crate::report::table::ReportTable;
use crate::report::table1::{table1_table, Table1Format};

/// An error as the page shows it: what was being done, what went wrong,
/// what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// What was being done ("Could not read ragged.csv").
    pub context: String,
    pub message: String,
    pub hint: String,
}

impl Failure {
    pub fn new(context: impl Into<String>, message: impl Into<String>, hint: &str) -> Self {
        Self {
            context: context.into(),
            message: capitalise(&message.into()),
            hint: hint.into(),
        }
    }

    fn from_analysis(context: String, e: &AnalysisError) -> Self {
        Self {
            context,
            message: capitalise(&e.to_string()),
            hint: e.hint(),
        }
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What the page asks. A file's bytes travel beside an `Open` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    Open {
        file_name: String,
        sheet: Option<String>,
        max_bytes: u64,
    },
    Example,
    ApplySpec(DatasetSpec),
    ChooseSheet(String),
    Table1(Table1Spec),
    Regression {
        spec: LogisticSpec,
        threshold: Option<f64>,
    },
    Matching {
        spec: MatchSpec,
        table1: Table1Spec,
    },
    MatchedCsv(MatchSpec),
    Stability {
        spec: MatchSpec,
        runs: u64,
        outcome: Option<String>,
    },
    Survival(StudySettings),
    /// The whole study: the Outcomes and Report steps.
    Study(StudySettings),
    /// The report (HTML) and the results (JSON) of the study, for the
    /// downloads: kept from its last run, so not recomputed.
    StudyFiles(StudySettings),
}

impl Request {
    /// What the page says while it runs.
    pub fn describe(&self) -> &'static str {
        match self {
            Request::Open { .. } | Request::ChooseSheet(_) => "Reading the file",
            Request::Example => "Loading the example",
            Request::ApplySpec(_) => "Applying the change",
            Request::Table1(_) => "Table 1",
            Request::Regression { .. } => "Fitting the logistic models",
            Request::Matching { .. } => "Propensity model and matching",
            Request::MatchedCsv(_) => "Writing the matched dataset",
            Request::Stability { .. } => "Rerunning the matching",
            Request::Survival(_) => "Survival curves and Cox model",
            Request::Study(_) => "The study",
            Request::StudyFiles(_) => "Writing the report",
        }
    }
}

/// What the service says while it works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: String,
    /// The fraction done, when known.
    pub fraction: Option<f64>,
}

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
        let layout = crate::report::km_figure::KmFigure::new(a, time_label);
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
    pub diagnostics: Vec<String>,
    /// Binary outcomes were compared.
    pub has_outcomes: bool,
    /// There is a matched dataset to download.
    pub has_matching: bool,
}

/// The service's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Loaded(Box<SessionInfo>),
    Table {
        table: ReportTable,
        diagnostics: Vec<Diagnostic>,
    },
    Matching(Box<MatchView>),
    Text(String),
    Survival(Box<SurvivalView>),
    Study(Box<StudyView>),
    /// The study's downloads (large: sent only when asked for).
    StudyFiles {
        report_html: String,
        results_json: String,
    },
}

/// A loaded file: its cells, the settings and the typed data.
struct Session {
    file_name: String,
    raw: RawTable,
    spec: DatasetSpec,
    dataset: Dataset,
    /// The file's bytes, kept for workbooks so another sheet can be read.
    workbook: Option<Vec<u8>>,
    /// The design guessed when the file was opened (not for the example,
    /// which ships its settings).
    design: Option<DesignGuess>,
}

/// Holds the session and the last matching; answers requests.
#[derive(Default)]
pub struct Service {
    session: Option<Session>,
    /// The last matching and its specification (for the current dataset).
    matching: Option<(MatchSpec, Arc<Result<MatchResult, String>>)>,
    /// The last study's settings, report and results (JSON).
    study_files: Option<(StudySettings, String, String)>,
}

const NO_DATA: &str = "No data is loaded yet.";

impl Service {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers one request. `bytes` are the file's for `Open`; `progress`
    /// hears each stage.
    pub fn handle(
        &mut self,
        request: Request,
        bytes: Option<Vec<u8>>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Reply, Failure> {
        let mut stage = |s: &str, f: Option<f64>| {
            progress(Progress {
                stage: s.to_owned(),
                fraction: f,
            })
        };
        stage(request.describe(), None);
        match request {
            Request::Open {
                file_name,
                sheet,
                max_bytes,
            } => {
                let bytes = bytes.unwrap_or_default();
                let s = open(&file_name, bytes, sheet, max_bytes, &mut stage)?;
                self.replace(s)
            }
            Request::Example => {
                let s = open(
                    EXAMPLE_FILE_NAME,
                    EXAMPLE_CSV.as_bytes().to_vec(),
                    None,
                    u64::MAX,
                    &mut stage,
                )?;
                let s = with_spec(s, crate::engine::example::example_spec())?;
                self.replace(s)
            }
            Request::ApplySpec(spec) => {
                // Unchanged (e.g. settings saved on this file): nothing to redo.
                if let Some(s) = self.session.as_ref().filter(|s| s.spec == spec) {
                    return Ok(Reply::Loaded(Box::new(info(s))));
                }
                let s = self.session.take().ok_or_else(no_data)?;
                match with_spec_keeping(s, spec) {
                    Ok(s) => self.replace(s),
                    Err(b) => {
                        let (s, e) = *b;
                        self.session = Some(s);
                        Err(e)
                    }
                }
            }
            Request::ChooseSheet(sheet) => {
                let s = self.session.as_ref().ok_or_else(no_data)?;
                let bytes = s.workbook.clone().unwrap_or_default();
                let name = s.file_name.clone();
                let s = open(&name, bytes, Some(sheet), u64::MAX, &mut stage)?;
                self.replace(s)
            }
            Request::Table1(spec) => {
                let s = self.session()?;
                let t = table1(&s.dataset, &spec).map_err(|e| {
                    Failure::new("Table 1 could not be made", e.to_string(), &e.hint())
                })?;
                Ok(Reply::Table {
                    table: table1_table(&t, Table1Format::default()),
                    diagnostics: t.diagnostics,
                })
            }
            Request::Regression { spec, threshold } => self.regression(&spec, threshold),
            Request::Matching { spec, table1 } => {
                let m = self.matching(&spec, &mut stage)?;
                let m = (*m).as_ref().map_err(|e| {
                    Failure::new(
                        "Matching could not be done",
                        e.clone(),
                        "Choose a binary treatment column and covariates without text columns.",
                    )
                })?;
                stage("Balance and Table 1 before and after", None);
                Ok(Reply::Matching(Box::new(self.match_view(m, &table1)?)))
            }
            Request::MatchedCsv(spec) => {
                let m = self.matching(&spec, &mut stage)?;
                let s = self.session()?;
                match &*m {
                    Ok(m) => Ok(Reply::Text(crate::report::matching::matched_csv(&s.raw, m))),
                    Err(e) => Err(Failure::new("Matching could not be done", e.clone(), "")),
                }
            }
            Request::Stability {
                spec,
                runs,
                outcome,
            } => {
                let m = self.matching(&spec, &mut stage)?;
                let s = self.session()?;
                let m = (*m)
                    .as_ref()
                    .map_err(|e| Failure::new("Matching could not be done", e.clone(), ""))?;
                stability_text(&s.dataset, m, runs, outcome.as_deref()).map(Reply::Text)
            }
            Request::Survival(settings) => {
                let matched = match (&settings.survival, &settings.matching) {
                    (Some(step), Some(spec)) if step.cohort == StudyCohort::Matched => {
                        let m = self.matching(spec, &mut stage)?;
                        let s = self.session()?;
                        (*m).as_ref().ok().map(|m| matched_cohort(&s.dataset, m))
                    }
                    _ => None,
                };
                stage("Survival curves and Cox model", None);
                survival_view(self.session()?, matched.as_ref(), &settings)
                    .map(|v| Reply::Survival(Box::new(v)))
            }
            Request::Study(settings) => {
                let same = settings.dataset == self.session()?.spec;
                // The kept matching when the settings' columns are the
                // loaded ones (the page's case).
                let kept = match (&settings.matching, same) {
                    (Some(spec), true) => Some(self.matching(spec, &mut stage)?),
                    _ => None,
                };
                let s = self.session()?;
                let fresh;
                let ds = if same {
                    &s.dataset
                } else {
                    stage("Applying the settings' columns", None);
                    fresh = Dataset::build(&s.raw, &settings.dataset).map_err(|e| {
                        Failure::from_analysis(
                            "The report could not be made".into(),
                            &AnalysisError::from(e),
                        )
                    })?;
                    &fresh
                };
                settings
                    .check(ds)
                    .map_err(|e| Failure::new("The study was not run", e.to_string(), &e.hint()))?;
                let m = match (&settings.matching, kept) {
                    (_, Some(m)) => Some(m),
                    (Some(spec), None) => Some(Arc::new(
                        match_patients(ds, spec).map_err(|e| e.to_string()),
                    )),
                    (None, None) => None,
                };
                let input = StudyInput {
                    dataset: ds,
                    file_name: &s.file_name,
                    matching: m.as_deref().map(|r| r.as_ref().map_err(String::as_str)),
                };
                let out = run_study_on(&input, &settings, &mut |step| stage(step, None));
                let files = (settings, out.report_html.clone(), out.results_json());
                self.study_files = Some(files);
                Ok(Reply::Study(Box::new(StudyView {
                    methods: out.results.methods.clone(),
                    diagnostics: out
                        .results
                        .diagnostics
                        .iter()
                        .map(|d| d.message.clone())
                        .collect(),
                    has_outcomes: !out.results.outcomes.is_empty(),
                    has_matching: out.results.matching.is_some(),
                    tables: out.tables,
                    figures: out.figures,
                })))
            }
            Request::StudyFiles(settings) => {
                let kept = self.study_files.as_ref().filter(|f| f.0 == settings);
                if kept.is_none() {
                    // Not the last study run: run it (its reply is not sent).
                    self.handle(Request::Study(settings.clone()), None, progress)?;
                }
                match self.study_files.as_ref().filter(|f| f.0 == settings) {
                    Some((_, report_html, results_json)) => Ok(Reply::StudyFiles {
                        report_html: report_html.clone(),
                        results_json: results_json.clone(),
                    }),
                    None => Err(Failure::new("The report could not be made", "", "")),
                }
            }
        }
    }

    fn session(&self) -> Result<&Session, Failure> {
        self.session.as_ref().ok_or_else(no_data)
    }

    /// A new session: the old matching no longer applies.
    fn replace(&mut self, s: Session) -> Result<Reply, Failure> {
        let info = info(&s);
        self.session = Some(s);
        self.matching = None;
        self.study_files = None;
        Ok(Reply::Loaded(Box::new(info)))
    }

    /// The matching of `spec`, computed once per dataset and kept.
    fn matching(
        &mut self,
        spec: &MatchSpec,
        stage: &mut dyn FnMut(&str, Option<f64>),
    ) -> Result<Arc<Result<MatchResult, String>>, Failure> {
        if let Some((kept, m)) = &self.matching {
            if kept == spec {
                return Ok(m.clone());
            }
        }
        let s = self.session()?;
        stage(
            &format!(
                "Propensity model and 1:{} matching of {} patients",
                spec.ratio, s.dataset.n_rows
            ),
            None,
        );
        let m = Arc::new(match_patients(&s.dataset, spec).map_err(|e| e.to_string()));
        self.matching = Some((spec.clone(), m.clone()));
        Ok(m)
    }

    fn match_view(&self, m: &MatchResult, t1: &Table1Spec) -> Result<MatchView, Failure> {
        let ds = &self.session()?.dataset;
        let bal = balance(ds, m);
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
        Ok(MatchView {
            treated: m.counts.matched.treated,
            control: m.counts.matched.control,
            caliper: m
                .caliper_width
                .map(|w| format!(" Caliper: {w:.4} on the {} scale.", m.spec.scale.as_str()))
                .unwrap_or_default(),
            c_statistic: m.model.c_statistic,
            diagnostics: m.diagnostics.clone(),
            counts: crate::report::matching::counts_table(&m.counts),
            balance: crate::report::matching::balance_table(&bal),
            love_plot: crate::report::figures::love_plot_svg(&bal),
            histograms: crate::report::figures::score_histograms_svg(m),
            table1,
        })
    }

    fn regression(&self, spec: &LogisticSpec, threshold: Option<f64>) -> Result<Reply, Failure> {
        let ds = &self.session()?.dataset;
        let screen = univariate_screen(ds, spec);
        if let Some(Err(e)) = screen.first().map(|s| &s.fit) {
            if screen.iter().all(|s| s.fit.is_err()) {
                return Err(Failure::new(
                    "The regression could not be fitted",
                    e.clone(),
                    "Choose a binary outcome and at least one variable.",
                ));
            }
        }
        let chosen = spec.select(&screen, threshold);
        let multi = if chosen.is_empty() {
            None
        } else {
            let m = LogisticSpec {
                variables: chosen,
                ..spec.clone()
            };
            Some(fit_logistic(ds, &m).map_err(|e| {
                Failure::new(
                    "The multivariable model could not be fitted",
                    e.to_string(),
                    &e.hint(),
                )
            })?)
        };
        Ok(Reply::Table {
            table: crate::report::regression::regression_table(&screen, multi.as_ref()),
            diagnostics: multi.map(|m| m.diagnostics).unwrap_or_default(),
        })
    }
}

fn no_data() -> Failure {
    Failure::new(
        "Nothing to analyse",
        NO_DATA,
        "Open a file or the example first.",
    )
}

fn open(
    file_name: &str,
    bytes: Vec<u8>,
    sheet: Option<String>,
    max_bytes: u64,
    stage: &mut dyn FnMut(&str, Option<f64>),
) -> Result<Session, Failure> {
    let fail = |e: AnalysisError| Failure::from_analysis(format!("Could not read {file_name}"), &e);
    let options = ReadOptions {
        sheet,
        max_bytes,
        ..ReadOptions::default()
    };
    let raw = data::read_with_progress(&bytes, &options, &mut |f| {
        stage(&format!("Reading {file_name}"), Some(f))
    })
    .map_err(|e| fail(e.into()))?;
    stage(
        &format!(
            "Typing {} columns of {} rows",
            raw.headers.len(),
            raw.n_rows()
        ),
        None,
    );
    let spec = DatasetSpec::default();
    let dataset = Dataset::build(&raw, &spec).map_err(|e| fail(e.into()))?;
    let workbook = matches!(raw.format, FileFormat::Spreadsheet { .. }).then_some(bytes);
    let design = (file_name != EXAMPLE_FILE_NAME).then(|| guess_design(&dataset));
    Ok(Session {
        file_name: file_name.to_owned(),
        raw,
        spec,
        dataset,
        workbook,
        design,
    })
}

fn with_spec(s: Session, spec: DatasetSpec) -> Result<Session, Failure> {
    with_spec_keeping(s, spec).map_err(|b| b.1)
}

/// The same file with another specification; on failure the session is
/// handed back unchanged with the error.
fn with_spec_keeping(s: Session, spec: DatasetSpec) -> Result<Session, Box<(Session, Failure)>> {
    match Dataset::build(&s.raw, &spec) {
        Ok(dataset) => Ok(Session { spec, dataset, ..s }),
        Err(e) => Err(Box::new((
            s,
            Failure::from_analysis(
                "That change was not applied".into(),
                &AnalysisError::from(e),
            ),
        ))),
    }
}

fn info(s: &Session) -> SessionInfo {
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

fn stability_text(
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
fn survival_view(
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
    Ok(SurvivalView {
        cohort: r.cohort,
        patients: a.n + a.dropped,
        table: a.summary_table(),
        figure: KmPlotView::new(&a, &step.spec.time),
        crossed,
        cox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet() -> impl FnMut(Progress) {
        |_| {}
    }

    #[test]
    fn messages_are_plain_data() {
        fn assert_owned<T: Serialize + for<'de> Deserialize<'de> + Send + Sync + 'static>() {}
        assert_owned::<Request>();
        assert_owned::<Reply>();
        assert_owned::<Progress>();
        assert_owned::<Failure>();
    }

    /// Every reply the page gets crosses the worker boundary as JSON and
    /// must come back equal.
    #[test]
    fn replies_survive_the_trip_to_the_page() {
        let mut s = Service::new();
        let settings = StudySettings::example();
        let mut requests = vec![
            Request::Example,
            Request::Table1(crate::engine::example::example_table1_spec()),
            Request::Regression {
                spec: crate::engine::example::example_logistic_spec(),
                threshold: Some(0.05),
            },
            Request::Matching {
                spec: crate::engine::example::example_match_spec(),
                table1: crate::engine::example::example_table1_spec(),
            },
            Request::Survival(settings.clone()),
            Request::Study(settings),
        ];
        for r in requests.drain(..) {
            let text = serde_json::to_string(&r).unwrap();
            let r: Request = serde_json::from_str(&text).unwrap();
            let reply = s.handle(r, None, &mut quiet());
            let text = serde_json::to_string(&reply).unwrap();
            let back: Result<Reply, Failure> = serde_json::from_str(&text).unwrap();
            assert_eq!(back, reply);
        }
    }

    #[test]
    fn asks_for_data_before_any_is_loaded() {
        let mut s = Service::new();
        let e = s
            .handle(
                Request::Table1(crate::engine::example::example_table1_spec()),
                None,
                &mut quiet(),
            )
            .unwrap_err();
        assert_eq!(e.message, NO_DATA);
    }

    #[test]
    fn a_failed_change_keeps_the_data() {
        let mut s = Service::new();
        s.handle(Request::Example, None, &mut quiet()).unwrap();
        let mut bad = crate::engine::example::example_spec();
        bad.set_kind("age", crate::engine::data::ColumnKind::Binary);
        let e = s
            .handle(Request::ApplySpec(bad), None, &mut quiet())
            .unwrap_err();
        assert_eq!(e.context, "That change was not applied");
        assert!(e.message.contains("age"), "{}", e.message);
        // The example is still there, with its settings.
        let r = s
            .handle(
                Request::Table1(crate::engine::example::example_table1_spec()),
                None,
                &mut quiet(),
            )
            .unwrap();
        assert!(matches!(r, Reply::Table { .. }));
    }

    #[test]
    fn the_matching_is_computed_once_for_every_step() {
        let mut s = Service::new();
        s.handle(Request::Example, None, &mut quiet()).unwrap();
        let spec = crate::engine::example::example_match_spec();
        let mut stages = Vec::new();
        let mut log = |p: Progress| stages.push(p.stage);
        let t1 = crate::engine::example::example_table1_spec();
        s.handle(
            Request::Matching {
                spec: spec.clone(),
                table1: t1,
            },
            None,
            &mut log,
        )
        .unwrap();
        s.handle(Request::MatchedCsv(spec.clone()), None, &mut log)
            .unwrap();
        let matched = stages
            .iter()
            .filter(|s| s.starts_with("Propensity model and 1:2 matching"))
            .count();
        assert_eq!(matched, 1, "{stages:?}");
        // Another file: the matching is redone.
        s.handle(Request::Example, None, &mut quiet()).unwrap();
        let mut again = 0;
        s.handle(Request::MatchedCsv(spec), None, &mut |p: Progress| {
            again += usize::from(p.stage.starts_with("Propensity model"))
        })
        .unwrap();
        assert_eq!(again, 1);
    }

    #[test]
    fn the_study_equals_the_command_line_run() {
        let settings = StudySettings::example();
        let mut s = Service::new();
        s.handle(Request::Example, None, &mut quiet()).unwrap();
        let Reply::Study(v) = s
            .handle(Request::Study(settings.clone()), None, &mut quiet())
            .unwrap()
        else {
            panic!("not a study")
        };
        let raw = data::read(EXAMPLE_CSV.as_bytes(), &ReadOptions::default()).unwrap();
        let cli = crate::report::study::run_study(&raw, EXAMPLE_FILE_NAME, &settings).unwrap();
        assert_eq!(v.tables, cli.tables);
        assert_eq!(v.methods, cli.results.methods);
        // The downloads, kept from that run: the command line's files.
        let Reply::StudyFiles {
            report_html,
            results_json,
        } = s
            .handle(Request::StudyFiles(settings.clone()), None, &mut quiet())
            .unwrap()
        else {
            panic!("not the files")
        };
        assert_eq!(report_html, cli.report_html);
        assert_eq!(results_json, cli.results_json());
        // The matched dataset on demand equals the command line's.
        let spec = settings.matching.clone().unwrap();
        let Reply::Text(csv) = s
            .handle(Request::MatchedCsv(spec), None, &mut quiet())
            .unwrap()
        else {
            panic!("not text")
        };
        assert_eq!(Some(csv), cli.matched_csv);
    }

    #[test]
    fn reading_reports_progress_and_names_bad_files() {
        let mut s = Service::new();
        let mut fractions = Vec::new();
        let csv = "a,b\n1,2\n3,4\n";
        s.handle(
            Request::Open {
                file_name: "x.csv".into(),
                sheet: None,
                max_bytes: u64::MAX,
            },
            Some(csv.as_bytes().to_vec()),
            &mut |p: Progress| fractions.extend(p.fraction),
        )
        .unwrap();
        assert_eq!(fractions.last(), Some(&1.0));
        let e = s
            .handle(
                Request::Open {
                    file_name: "ragged.csv".into(),
                    sheet: None,
                    max_bytes: u64::MAX,
                },
                Some(b"a,b\n1,2\n3\n".to_vec()),
                &mut quiet(),
            )
            .unwrap_err();
        assert_eq!(e.context, "Could not read ragged.csv");
        assert!(e.message.starts_with("Row 3"), "{}", e.message);
        // The file loaded before is kept.
        let Reply::Loaded(info) = s
            .handle(
                Request::ApplySpec(DatasetSpec::default()),
                None,
                &mut quiet(),
            )
            .unwrap()
        else {
            panic!("not loaded")
        };
        assert_eq!(info.file_name, "x.csv");
    }
}

//! The engine as a service: it holds the loaded file and its typed dataset
//! and answers requests with what the page shows. In the page it runs in a
//! Web Worker (`src/bin/worker.rs` is only the message glue), so the data
//! never crosses to the page's thread and a long analysis never freezes it;
//! natively it is tested directly. Requests and replies are plain data
//! (serde), so the worker move is mechanical.
//!
//! Every request is answered by the same `engine::study` step the CLI and
//! `cohortlab run` call; this module only keeps the session and turns the
//! results into what the page shows ([`views`]).
//!
//! The matching of the current settings is computed once and kept: the
//! Matching, Outcomes, Survival and Report steps share it.

mod messages;
mod session;
mod views;

use std::sync::Arc;

pub use messages::{capitalise, Failure, Progress, Reply, Request};
pub use views::{
    CompetingView, KmPlotView, MatchView, Preview, SessionInfo, StudyView, SurvivalView,
    PREVIEW_ROWS,
};

use session::{no_data, open, with_spec, with_spec_keeping, Session};

use crate::engine::data::Dataset;
use crate::engine::example::{EXAMPLE_CSV, EXAMPLE_FILE_NAME};
use crate::engine::matching::{match_patients, MatchError, MatchResult, MatchSpec};
use crate::engine::regression::LogisticSpec;
use crate::engine::study::{
    matched_cohort, regression_step, StudyCohort, StudyInput, StudySettings,
};
use crate::engine::table1::{table1, Table1Spec};
use crate::engine::AnalysisError;
use crate::report::study::run_study_on;
use crate::report::table1::{table1_table, Table1Format};

/// Holds the session and the last matching; answers requests.
#[derive(Default)]
pub struct Service {
    session: Option<Session>,
    /// The last matching and its specification (for the current dataset).
    matching: Option<(MatchSpec, Arc<Result<MatchResult, MatchError>>)>,
    /// The last study's settings, report and results (JSON).
    study_files: Option<(StudySettings, String, String)>,
}

/// How a request's stages are told to the page.
type Stage<'a> = dyn FnMut(&str, Option<f64>) + 'a;

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
                let bytes = EXAMPLE_CSV.as_bytes().to_vec();
                let s = open(EXAMPLE_FILE_NAME, bytes, None, u64::MAX, &mut stage)?;
                let s = with_spec(s, crate::engine::example::example_spec())?;
                self.replace(s)
            }
            Request::ApplySpec(spec) => self.apply_spec(spec),
            Request::ChooseSheet(sheet) => {
                let s = self.session()?;
                let bytes = s.workbook.clone().unwrap_or_default();
                let name = s.file_name.clone();
                let s = open(&name, bytes, Some(sheet), u64::MAX, &mut stage)?;
                self.replace(s)
            }
            Request::Table1(spec) => self.table1(&spec),
            Request::Missing(spec) => self.missing(&spec),
            Request::Regression { spec, threshold } => self.regression(&spec, threshold),
            Request::Matching { spec, table1 } => {
                let m = self.matching(&spec, &mut stage)?;
                let m = (*m).as_ref().map_err(matching_failed)?;
                stage("Balance and Table 1 before and after", None);
                let view = views::match_view(&self.session()?.dataset, m, &table1);
                Ok(Reply::Matching(Box::new(view)))
            }
            Request::MatchedCsv(spec) => {
                let m = self.matching(&spec, &mut stage)?;
                let m = (*m).as_ref().map_err(matching_failed)?;
                let csv = crate::report::matching::matched_csv(&self.session()?.raw, m);
                Ok(Reply::Text(csv))
            }
            Request::Stability {
                spec,
                runs,
                outcome,
            } => {
                let m = self.matching(&spec, &mut stage)?;
                let m = (*m).as_ref().map_err(matching_failed)?;
                let ds = &self.session()?.dataset;
                views::stability_text(ds, m, runs, outcome.as_deref()).map(Reply::Text)
            }
            Request::Survival(settings) => self.survival(&settings, &mut stage),
            Request::Study(settings) => self.study(settings, &mut stage),
            Request::StudyFiles(settings) => {
                let kept = self.study_files.as_ref().filter(|f| f.0 == settings);
                if kept.is_none() {
                    // Not the last study run: run it (its reply is not sent).
                    self.study(settings.clone(), &mut stage)?;
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
        let info = views::info(&s);
        self.session = Some(s);
        self.matching = None;
        self.study_files = None;
        Ok(Reply::Loaded(Box::new(info)))
    }

    /// The same file with another specification; on failure the loaded one
    /// is kept.
    fn apply_spec(&mut self, spec: crate::engine::data::DatasetSpec) -> Result<Reply, Failure> {
        // Unchanged (e.g. settings saved on this file): nothing to redo.
        if let Some(s) = self.session.as_ref().filter(|s| s.spec == spec) {
            return Ok(Reply::Loaded(Box::new(views::info(s))));
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

    /// The matching of `spec`, computed once per dataset and kept.
    fn matching(
        &mut self,
        spec: &MatchSpec,
        stage: &mut Stage<'_>,
    ) -> Result<Arc<Result<MatchResult, MatchError>>, Failure> {
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
        let m = Arc::new(match_patients(&s.dataset, spec));
        self.matching = Some((spec.clone(), m.clone()));
        Ok(m)
    }

    /// The missingness report of the loaded data.
    fn missing(&self, spec: &crate::engine::missing::MissingSpec) -> Result<Reply, Failure> {
        let ds = &self.session()?.dataset;
        let r = crate::engine::missing::missing_report(ds, spec).map_err(|e| {
            Failure::new(
                "The missing values could not be counted",
                e.to_string(),
                &e.hint(),
            )
        })?;
        Ok(Reply::Missing(Box::new((
            crate::report::missing::missing_table(&r),
            crate::report::missing::pattern_table(&r),
            r.diagnostics,
        ))))
    }

    fn table1(&self, spec: &Table1Spec) -> Result<Reply, Failure> {
        let s = self.session()?;
        let t = table1(&s.dataset, spec)
            .map_err(|e| Failure::new("Table 1 could not be made", e.to_string(), &e.hint()))?;
        Ok(Reply::Table {
            table: table1_table(&t, Table1Format::default()),
            diagnostics: t.diagnostics,
        })
    }

    /// The regression step (the study's): screen, select, fit.
    fn regression(&self, spec: &LogisticSpec, threshold: Option<f64>) -> Result<Reply, Failure> {
        let ds = &self.session()?.dataset;
        let run = regression_step(ds, spec, threshold, true);
        if let Some(e) = run.all_failed() {
            return Err(Failure::new(
                "The regression could not be fitted",
                e.message.clone(),
                &e.hint,
            ));
        }
        let multi = match run.multivariable {
            Some(Err(e)) => {
                return Err(Failure::new(
                    "The multivariable model could not be fitted",
                    e.to_string(),
                    &e.hint(),
                ))
            }
            Some(Ok(f)) => Some(f),
            None => None,
        };
        Ok(Reply::Table {
            table: crate::report::regression::regression_table(&run.screen, multi.as_ref()),
            diagnostics: multi.map(|m| m.diagnostics).unwrap_or_default(),
        })
    }

    /// The survival step of the settings, on the matched cohort when it
    /// asks for it.
    fn survival(
        &mut self,
        settings: &StudySettings,
        stage: &mut Stage<'_>,
    ) -> Result<Reply, Failure> {
        let matched = match (&settings.survival, &settings.matching) {
            (Some(step), Some(spec)) if step.cohort == StudyCohort::Matched => {
                let m = self.matching(spec, stage)?;
                let s = self.session()?;
                (*m).as_ref().ok().map(|m| matched_cohort(&s.dataset, m))
            }
            _ => None,
        };
        stage("Survival curves and Cox model", None);
        views::survival_view(self.session()?, matched.as_ref(), settings)
            .map(|v| Reply::Survival(Box::new(v)))
    }

    /// The whole study, kept for its downloads.
    fn study(&mut self, settings: StudySettings, stage: &mut Stage<'_>) -> Result<Reply, Failure> {
        let same = settings.dataset == self.session()?.spec;
        // The kept matching when the settings' columns are the loaded ones
        // (the page's case).
        let kept = match (&settings.matching, same) {
            (Some(spec), true) => Some(self.matching(spec, stage)?),
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
            (Some(spec), None) => Some(Arc::new(match_patients(ds, spec))),
            (None, None) => None,
        };
        let input = StudyInput {
            dataset: ds,
            file_name: &s.file_name,
            matching: m.as_deref().map(Result::as_ref),
        };
        let out = run_study_on(&input, &settings, &mut |step| stage(step, None));
        let files = (settings, out.report_html.clone(), out.results_json());
        self.study_files = Some(files);
        Ok(Reply::Study(Box::new(StudyView {
            methods: out.results.methods.clone(),
            sensitivity_methods: crate::report::study::sensitivity_text(&out.results),
            diagnostics: out.results.diagnostics.clone(),
            has_outcomes: !out.results.outcomes.is_empty(),
            has_matching: out.results.matching.is_some(),
            tables: out.tables,
            figures: out.figures,
        })))
    }
}

fn matching_failed(e: &MatchError) -> Failure {
    Failure::new("Matching could not be done", e.to_string(), &e.hint())
}

#[cfg(test)]
mod tests;

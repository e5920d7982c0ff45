//! The messages between the page and the service: requests, replies,
//! progress and failures. Plain data (serde), so they cross the worker
//! boundary as JSON.

use serde::{Deserialize, Serialize};

use crate::engine::data::DatasetSpec;
use crate::engine::matching::MatchSpec;
use crate::engine::missing::MissingSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::study::StudySettings;
use crate::engine::table1::Table1Spec;
use crate::engine::{AnalysisError, Diagnostic};
use crate::report::table::ReportTable;

use super::views::{MatchView, SessionInfo, StudyView, SurvivalView};

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

    pub fn from_analysis(context: String, e: &AnalysisError) -> Self {
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
    /// The missing values per variable and group, and their patterns.
    Missing(MissingSpec),
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
            Request::Missing(_) => "Counting the missing values",
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

/// The service's answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Loaded(Box<SessionInfo>),
    Table {
        table: ReportTable,
        diagnostics: Vec<Diagnostic>,
    },
    Matching(Box<MatchView>),
    /// The missing values' table and the patterns' table, with notes.
    Missing(Box<(ReportTable, ReportTable, Vec<Diagnostic>)>),
    Text(String),
    Survival(Box<SurvivalView>),
    Study(Box<StudyView>),
    /// The study's downloads (large: sent only when asked for).
    StudyFiles {
        report_html: String,
        results_json: String,
    },
}

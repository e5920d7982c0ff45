//! The UI's only door to the engine. Today it calls the engine in the page's
//! thread; the Web Worker will take its place behind the same functions.

use std::sync::Arc;

use crate::engine::data::{self, Dataset, DatasetSpec, RawTable, ReadOptions};
use crate::engine::example::{EXAMPLE_CSV, EXAMPLE_FILE_NAME};
use crate::report::inspect::Inspection;

/// The largest file the page reads (a browser tab has far less memory than
/// the command line; `?max-file-mb=N` in the address lowers it, for tests).
pub const BROWSER_MAX_BYTES: u64 = 300 * 1024 * 1024;

/// A loaded file with the user's settings and the typed data.
#[derive(Debug, Clone)]
pub struct Session {
    pub file_name: String,
    pub raw: Arc<RawTable>,
    pub spec: DatasetSpec,
    pub dataset: Arc<Dataset>,
    /// The file's bytes, kept for workbooks so another sheet can be read.
    pub workbook: Option<Arc<Vec<u8>>>,
}

impl Session {
    pub fn inspection(&self) -> Inspection {
        Inspection::new(&self.raw.format, &self.dataset)
    }
}

/// An error as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct UiError {
    /// What was being done ("Could not read ragged.csv").
    pub context: String,
    pub message: String,
    pub hint: String,
}

impl UiError {
    fn from_analysis(context: String, e: &crate::engine::AnalysisError) -> Self {
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

/// Reads a file's bytes into a new session.
pub fn open(
    file_name: &str,
    bytes: Vec<u8>,
    sheet: Option<String>,
    max_bytes: u64,
) -> Result<Session, UiError> {
    let options = ReadOptions {
        sheet,
        max_bytes,
        ..ReadOptions::default()
    };
    let spec = DatasetSpec::default();
    let (raw, dataset) = data::load(&bytes, &options, &spec)
        .map_err(|e| UiError::from_analysis(format!("Could not read {file_name}"), &e))?;
    let workbook =
        matches!(raw.format, data::FileFormat::Spreadsheet { .. }).then(|| Arc::new(bytes));
    Ok(Session {
        file_name: file_name.to_owned(),
        raw: Arc::new(raw),
        spec,
        dataset: Arc::new(dataset),
        workbook,
    })
}

/// The built-in example study, with its age and Ki-67 cut and its levels
/// ordered as in the paper.
pub fn example() -> Result<Session, UiError> {
    let session = open(
        EXAMPLE_FILE_NAME,
        EXAMPLE_CSV.as_bytes().to_vec(),
        None,
        u64::MAX,
    )?;
    apply_spec(&session, crate::engine::example::example_spec())
}

/// The same file with another specification.
pub fn apply_spec(session: &Session, spec: DatasetSpec) -> Result<Session, UiError> {
    let dataset = Dataset::build(&session.raw, &spec).map_err(|e| {
        UiError::from_analysis(
            "That change was not applied".into(),
            &crate::engine::AnalysisError::from(e),
        )
    })?;
    Ok(Session {
        spec,
        dataset: Arc::new(dataset),
        ..session.clone()
    })
}

/// The same workbook, another sheet (settings start afresh).
pub fn choose_sheet(session: &Session, sheet: &str) -> Result<Session, UiError> {
    let bytes = session
        .workbook
        .as_ref()
        .map_or_else(Vec::new, |b| b.as_ref().clone());
    open(&session.file_name, bytes, Some(sheet.to_owned()), u64::MAX)
}

/// A file over the page's size limit, refused before it is read.
pub fn too_large(file_name: &str, bytes: u64, limit: u64) -> UiError {
    UiError::from_analysis(
        format!("Could not read {file_name}"),
        &data::ImportError::TooLarge { bytes, limit }.into(),
    )
}

/// The browser could not hand over the file's bytes.
pub fn unreadable(file_name: &str) -> UiError {
    UiError {
        context: format!("Could not read {file_name}"),
        message: "The browser could not read the file.".into(),
        hint: "Check that the file is not open and locked by another program, then try again."
            .into(),
    }
}

use crate::engine::regression::{
    fit_logistic, univariate_screen, LogisticFit, LogisticSpec, ScreenRow,
};
use crate::engine::table1::{table1, Table1, Table1Spec};
use crate::report::regression::regression_table;
use crate::report::table::ReportTable;
use crate::report::table1::{table1_table, Table1Format};

/// Table 1 with its rendered table.
pub fn run_table1(session: &Session, spec: &Table1Spec) -> Result<(Table1, ReportTable), UiError> {
    let t = table1(&session.dataset, spec).map_err(|e| UiError {
        context: "Table 1 could not be made".into(),
        message: capitalise(&e.to_string()),
        hint: "Choose a binary or categorical grouping column with at least two groups.".into(),
    })?;
    let table = table1_table(&t, Table1Format::default());
    Ok((t, table))
}

/// The univariate screen, the multivariable model of the selected
/// variables, and the table showing both.
pub fn run_regression(
    session: &Session,
    spec: &LogisticSpec,
    threshold: Option<f64>,
) -> Result<(Vec<ScreenRow>, Option<LogisticFit>, ReportTable), UiError> {
    let screen = univariate_screen(&session.dataset, spec);
    if let Some(Err(e)) = screen.first().map(|s| &s.fit) {
        if screen.iter().all(|s| s.fit.is_err()) {
            return Err(UiError {
                context: "The regression could not be fitted".into(),
                message: capitalise(e),
                hint: "Choose a binary outcome and at least one variable.".into(),
            });
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
        Some(fit_logistic(&session.dataset, &m).map_err(|e| UiError {
            context: "The multivariable model could not be fitted".into(),
            message: capitalise(&e.to_string()),
            hint: e.hint(),
        })?)
    };
    let table = regression_table(&screen, multi.as_ref());
    Ok((screen, multi, table))
}

use crate::engine::matching::{balance, match_patients, MatchResult, MatchSpec};

/// A matching with everything the page shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchView {
    pub result: MatchResult,
    pub counts: ReportTable,
    pub balance: ReportTable,
    pub love_plot: String,
    pub histograms: String,
    pub table1: Option<ReportTable>,
}

/// Matches, computes balance, figures, and Table 1 before and after (by
/// the treatment, on the Table 1 step's variables).
pub fn run_matching(
    session: &Session,
    spec: &MatchSpec,
    t1: &Table1Spec,
) -> Result<MatchView, UiError> {
    let result = match_patients(&session.dataset, spec).map_err(|e| UiError {
        context: "Matching could not be done".into(),
        message: capitalise(&e.to_string()),
        hint: "Choose a binary treatment column and covariates without text columns.".into(),
    })?;
    let bal = balance(&session.dataset, &result);
    let rows: Vec<usize> = (0..session.dataset.n_rows)
        .filter(|&i| result.is_matched(i))
        .collect();
    let matched = session.dataset.subset(&rows);
    let t1_spec = Table1Spec {
        group: spec.treatment.clone(),
        variables: t1
            .variables
            .iter()
            .filter(|v| **v != spec.treatment)
            .cloned()
            .collect(),
        ..t1.clone()
    };
    let table1 = match (
        table1(&session.dataset, &t1_spec),
        table1(&matched, &t1_spec),
    ) {
        (Ok(b), Ok(a)) => Some(crate::report::table1::table1_before_after(
            &b,
            &a,
            Table1Format::default(),
        )),
        _ => None,
    };
    Ok(MatchView {
        counts: crate::report::matching::counts_table(&result),
        balance: crate::report::matching::balance_table(&bal),
        love_plot: crate::report::figures::love_plot_svg(&bal),
        histograms: crate::report::figures::score_histograms_svg(&result),
        table1,
        result,
    })
}

/// The matched patients as CSV (`match.data`).
pub fn matched_csv(session: &Session, m: &MatchResult) -> String {
    crate::report::matching::matched_csv(&session.raw, m)
}

/// The matching rerun with `n` random orders, as a sentence.
pub fn run_stability(
    session: &Session,
    m: &MatchResult,
    n: u64,
    outcome: Option<&str>,
) -> Result<String, UiError> {
    let s = crate::engine::matching::stability(&session.dataset, m, n, outcome).map_err(|e| {
        UiError {
            context: "The stability check failed".into(),
            message: capitalise(&e.to_string()),
            hint: String::new(),
        }
    })?;
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

use crate::report::survival::SurvivalAnalysis;

/// A survival analysis with everything the page shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalView {
    pub analysis: SurvivalAnalysis,
    pub table: ReportTable,
    pub figure: String,
    /// The curves by the groups crossed with a second variable.
    pub crossed: Option<(ReportTable, String)>,
    /// The Cox model's table, or why it could not be fitted.
    pub cox: Option<Result<ReportTable, UiError>>,
    /// Which patients.
    pub cohort: crate::report::study::StudyCohort,
}

/// The survival step of the settings: Kaplan-Meier curves (and crossed
/// with a second variable), the summary table, the figures and the Cox
/// model, on the matched cohort or all patients, as `cohortlab run`.
pub fn run_survival(session: &Session, settings: &StudySettings) -> Result<SurvivalView, UiError> {
    use crate::report::study::{matched_cohort, survival_step, StudyCohort};
    let Some(step) = &settings.survival else {
        return Err(UiError {
            context: "The survival analysis could not be done".into(),
            message: "Choose a time and an event column.".into(),
            hint: String::new(),
        });
    };
    let matched = match (step.cohort, &settings.matching) {
        (StudyCohort::Matched, Some(spec)) => {
            crate::engine::matching::match_patients(&session.dataset, spec)
                .ok()
                .map(|m| matched_cohort(&session.dataset, &m))
        }
        _ => None,
    };
    let r = survival_step(&session.dataset, matched.as_ref(), step);
    let fail = |e: crate::engine::survival::SurvivalError| UiError {
        context: "The survival analysis could not be done".into(),
        message: capitalise(&e.to_string()),
        hint: "Choose a numeric time column (>= 0) and an event column (0/1 or yes/no).".into(),
    };
    let a = r.analysis.map_err(fail)?;
    let crossed = match r.crossed {
        Some(x) => {
            let x = x.map_err(fail)?;
            let svg = crate::report::figures::km_plot_svg(&x, &step.spec.time);
            Some((x.summary_table(), svg))
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
        .map_err(|e| UiError {
            context: "The Cox model could not be fitted".into(),
            message: capitalise(&e.to_string()),
            hint: "Check the covariates; a covariate with one value or separation cannot be estimated.".into(),
        })
    });
    Ok(SurvivalView {
        table: a.summary_table(),
        figure: crate::report::figures::km_plot_svg(&a, &step.spec.time),
        analysis: a,
        crossed,
        cox,
        cohort: r.cohort,
    })
}

use crate::report::study::{StudyOutputs, StudySettings};

/// The whole study: every step, the report and every export, from the
/// same function `cohortlab run` calls.
pub fn run_study(session: &Session, settings: &StudySettings) -> Result<StudyOutputs, UiError> {
    crate::report::study::run_study(&session.raw, &session.file_name, settings).map_err(|e| {
        UiError {
            context: "The report could not be made".into(),
            message: capitalise(&e.to_string()),
            hint: "Check the settings of the earlier steps.".into(),
        }
    })
}

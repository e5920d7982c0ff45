//! The loaded file: its cells, the settings and the typed data.

use super::messages::Failure;
use crate::engine::data::{self, Dataset, DatasetSpec, FileFormat, RawTable, ReadOptions};
use crate::engine::design::{guess_design, DesignGuess};
use crate::engine::example::EXAMPLE_FILE_NAME;
use crate::engine::AnalysisError;

/// A loaded file: its cells, the settings and the typed data.
pub(super) struct Session {
    pub(super) file_name: String,
    pub(super) raw: RawTable,
    pub(super) spec: DatasetSpec,
    pub(super) dataset: Dataset,
    /// The file's bytes, kept for workbooks so another sheet can be read.
    pub(super) workbook: Option<Vec<u8>>,
    /// The design guessed when the file was opened (not for the example,
    /// which ships its settings).
    pub(super) design: Option<DesignGuess>,
}

const NO_DATA: &str = "No data is loaded yet.";

pub(super) fn no_data() -> Failure {
    Failure::new(
        "Nothing to analyse",
        NO_DATA,
        "Open a file or the example first.",
    )
}

pub(super) fn open(
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

pub(super) fn with_spec(s: Session, spec: DatasetSpec) -> Result<Session, Failure> {
    with_spec_keeping(s, spec).map_err(|b| b.1)
}

/// The same file with another specification; on failure the session is
/// handed back unchanged with the error.
pub(super) fn with_spec_keeping(
    s: Session,
    spec: DatasetSpec,
) -> Result<Session, Box<(Session, Failure)>> {
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

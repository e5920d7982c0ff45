//! Reading patient files and turning them into typed datasets.
//!
//! ```text
//! bytes --read--> RawTable --infer--> suggested kinds
//!                    \                     |   user overrides (DatasetSpec)
//!                     `------build--------> Dataset (typed columns)
//! ```

mod build;
mod coding;
mod cut;
mod dataset;
mod decode;
mod delimited;
mod error;
mod hash;
mod infer;
mod level_order;
mod levels;
mod read;
mod sheet_guard;
mod spec;
mod spreadsheet;
mod table_builder;
mod text;

pub use dataset::{Column, ColumnData, ColumnSummary, Dataset, LevelCount, MISSING_CODE};
pub use decode::TextEncoding;
pub use error::{column_letter, ImportError, SpecError};
pub use infer::{infer_columns, parse_number, ColumnInference, FieldType};
pub use levels::{distinct_up_to, LevelError, Levels, MAX_NUMERIC_LEVELS};
pub use read::{read, read_with_progress, FileFormat, RawTable, ReadOptions, DEFAULT_MAX_BYTES};
pub use spec::{
    Closed, ColumnKind, ColumnOverride, DatasetSpec, DerivedColumn, LevelMerge, Recode,
    DEFAULT_MISSING_TOKENS,
};
pub use text::{TextColumn, MAX_COLUMN_BYTES};

/// Reads bytes and builds the dataset with the suggested kinds: what the CLI's
/// `inspect` and the page do first.
pub fn load(
    bytes: &[u8],
    options: &ReadOptions,
    spec: &DatasetSpec,
) -> Result<(RawTable, Dataset), crate::engine::AnalysisError> {
    let raw = read(bytes, options)?;
    let dataset = Dataset::build(&raw, spec)?;
    Ok((raw, dataset))
}

/// Helpers of the data module's tests.
#[cfg(test)]
mod testing {
    use super::{read, Dataset, ImportError, RawTable, ReadOptions};

    /// The table of a CSV text.
    pub(super) fn raw(s: &str) -> RawTable {
        read(s.as_bytes(), &ReadOptions::default()).unwrap()
    }

    /// A column's levels with their counts.
    pub(super) fn levels(ds: &Dataset, col: &str) -> Vec<(String, usize)> {
        ds.column(col)
            .unwrap()
            .level_counts()
            .unwrap()
            .into_iter()
            .map(|l| (l.level, l.count))
            .collect()
    }

    /// A CSV text read with the default options.
    pub(super) fn read_str(s: &str) -> Result<RawTable, ImportError> {
        read(s.as_bytes(), &ReadOptions::default())
    }
}

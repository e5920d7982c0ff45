//! Helpers of the data module's tests.

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

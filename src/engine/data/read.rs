//! Reading a file's bytes into a [`RawTable`]: the header and the cell texts,
//! before any typing. CSV/TSV (separator detected) or a spreadsheet
//! (.xlsx, .xls, .xlsb, .ods through `calamine`).

use serde::{Deserialize, Serialize};

use super::decode::{decode, TextEncoding};
use super::delimited::{detect_delimiter, read_delimited};
use super::spreadsheet::read_spreadsheet;
use super::text::TextColumn;
use super::ImportError;
use crate::engine::Diagnostic;

/// The largest file accepted by default: 1 GiB natively. The page sets its
/// own, lower limit (see `ui`), since a browser tab has less memory.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// How to read a file. Every field has a default that detects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadOptions {
    /// Field separator; `None` (default) detects `,` `;` tab or `|`.
    pub delimiter: Option<u8>,
    /// The sheet of a workbook; `None` (default) takes the first with data.
    pub sheet: Option<String>,
    /// Refuse files larger than this. Default [`DEFAULT_MAX_BYTES`].
    pub max_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            sheet: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// What kind of file was read, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FileFormat {
    Delimited {
        delimiter: u8,
        encoding: TextEncoding,
    },
    Spreadsheet {
        sheet: String,
        sheets: Vec<String>,
    },
}

impl FileFormat {
    /// E.g. "CSV, separator ';', Windows-1252 / Latin-1".
    pub fn describe(&self) -> String {
        match self {
            FileFormat::Delimited {
                delimiter,
                encoding,
            } => {
                let sep = match delimiter {
                    b'\t' => "tab".to_string(),
                    d => format!("'{}'", *d as char),
                };
                format!("CSV, separator {sep}, {}", encoding.label())
            }
            FileFormat::Spreadsheet { sheet, .. } => format!("spreadsheet, sheet `{sheet}`"),
        }
    }

    /// Whether a comma may be a decimal mark in number cells (it cannot be in
    /// a comma-separated file, where it would have split the cell).
    pub fn decimal_comma(&self) -> bool {
        match self {
            FileFormat::Delimited { delimiter, .. } => *delimiter != b',',
            FileFormat::Spreadsheet { .. } => true,
        }
    }
}

/// A table of cell texts, column by column, as read from the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawTable {
    pub format: FileFormat,
    pub headers: Vec<String>,
    /// One column of trimmed cell texts per header.
    pub cells: Vec<TextColumn>,
    /// Spreadsheet row number (header = 1) of each patient row.
    pub row_numbers: Vec<usize>,
    /// Non-fatal problems met while reading.
    pub diagnostics: Vec<Diagnostic>,
}

impl RawTable {
    pub fn n_rows(&self) -> usize {
        self.row_numbers.len()
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// Bytes held by the cells.
    pub fn heap_bytes(&self) -> usize {
        self.cells.iter().map(TextColumn::heap_bytes).sum::<usize>()
            + 8 * self.row_numbers.capacity()
    }
}

/// Reads a CSV/TSV or spreadsheet file.
pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<RawTable, ImportError> {
    read_with_progress(bytes, options, &mut |_| {})
}

/// [`read`], telling `progress` the fraction of the file read so far.
pub fn read_with_progress(
    bytes: &[u8],
    options: &ReadOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<RawTable, ImportError> {
    if bytes.len() as u64 > options.max_bytes {
        return Err(ImportError::TooLarge {
            bytes: bytes.len() as u64,
            limit: options.max_bytes,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty);
    }
    if is_spreadsheet(bytes) {
        return read_spreadsheet(bytes, options);
    }
    let (text, encoding) = decode(bytes)?;
    let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(&text));
    let format = FileFormat::Delimited {
        delimiter,
        encoding,
    };
    read_delimited(&text, format, progress)
}

/// Zip (xlsx, xlsb, ods) or OLE2 (xls) signatures.
fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

#[cfg(test)]
mod tests {
    use super::super::testing::read_str;
    use super::*;

    #[test]
    fn empty_header_only_and_too_large() {
        assert_eq!(read_str("").unwrap_err(), ImportError::Empty);
        assert_eq!(read_str(" \n\r\n").unwrap_err(), ImportError::Empty);
        assert_eq!(
            read_str("a;b;c\n").unwrap_err(),
            ImportError::HeaderOnly { columns: 3 }
        );
        let opts = ReadOptions {
            max_bytes: 4,
            ..Default::default()
        };
        assert_eq!(
            read(b"a,b\n1,2\n", &opts).unwrap_err(),
            ImportError::TooLarge { bytes: 8, limit: 4 }
        );
    }
}

//! Errors of reading a file and of applying a dataset specification. Each
//! names the row and column where that applies, in words, and has a hint.

/// Spreadsheet-style column letter for a 0-based index: 0 -> A, 26 -> AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Why a file could not be read. Rows are counted as in a spreadsheet: the
/// header is row 1, the first patient row 2.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header row ({columns} columns) but no patient rows")]
    HeaderOnly { columns: usize },
    #[error("the file is {bytes} bytes; the largest this page can take is {limit} bytes")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("this is not a text or spreadsheet file (binary content at byte {byte})")]
    Binary { byte: usize },
    #[error("the file starts with a UTF-8 marker but has invalid UTF-8 at byte {byte}")]
    InvalidUtf8 { byte: usize },
    #[error("row {row}{} has {found} values; the header has {expected}", line_note(*row, *line))]
    RaggedRow {
        row: usize,
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("column {letter} has an empty header")]
    EmptyHeader { letter: String },
    #[error("the header `{name}` appears twice: columns {first} and {second}")]
    DuplicateHeader {
        name: String,
        first: String,
        second: String,
    },
    #[error("the CSV is malformed near row {row}: {message}")]
    Malformed { row: usize, message: String },
    #[error("the workbook has no sheet `{sheet}` (sheets: {})", available.join(", "))]
    NoSuchSheet {
        sheet: String,
        available: Vec<String>,
    },
    #[error("the workbook has no sheet with data")]
    NoSheetWithData,
    #[error("the spreadsheet could not be opened: {message}")]
    Spreadsheet { message: String },
    #[error("the spreadsheet's part `{part}` has the cell reference `{reference}`, outside Excel's grid (A1 to XFD1048576) or malformed")]
    SheetReference { part: String, reference: String },
    #[error("the spreadsheet's part `{part}` spans {cells} cells from its first to its last value; at most {limit} can be read")]
    SheetTooLarge {
        part: String,
        cells: u64,
        limit: u64,
    },
}

fn line_note(row: usize, line: u64) -> String {
    if line as usize == row {
        String::new()
    } else {
        format!(" (line {line} of the file)")
    }
}

impl ImportError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            ImportError::Empty => "Choose the exported file itself; this one has no content.".into(),
            ImportError::HeaderOnly { .. } => {
                "Export the sheet again with its patient rows, not only the column names.".into()
            }
            ImportError::TooLarge { .. } => {
                "Remove columns you do not need, or run the `cohortlab` command-line tool, which has no such limit.".into()
            }
            ImportError::Binary { .. } => {
                "Choose a CSV, TSV or Excel (.xlsx, .xls, .ods) file. Save other formats as CSV first.".into()
            }
            ImportError::InvalidUtf8 { .. } => {
                "Save the file again as \"CSV UTF-8\" from Excel, or as plain CSV.".into()
            }
            ImportError::RaggedRow { .. } => {
                "Every row needs one value per column. Look for a stray separator or an unclosed quote in that row.".into()
            }
            ImportError::EmptyHeader { .. } => {
                "Give every column a name in the first row.".into()
            }
            ImportError::DuplicateHeader { .. } => {
                "Give each column a different name in the first row.".into()
            }
            ImportError::Malformed { .. } => {
                "Look for an unclosed quote (\") in or before that row.".into()
            }
            ImportError::NoSuchSheet { .. } => "Choose one of the sheets listed.".into(),
            ImportError::NoSheetWithData => {
                "Put the patient table on a sheet, with the column names in the first row.".into()
            }
            ImportError::Spreadsheet { .. } | ImportError::SheetReference { .. } => {
                "Open the file in Excel or LibreOffice and save it again as .xlsx or CSV.".into()
            }
            ImportError::SheetTooLarge { .. } => {
                "A value far from the table makes the sheet huge: delete the stray cells (Ctrl+End in Excel shows the last one), or copy the table to a new sheet, or save it as CSV.".into()
            }
        }
    }
}

/// Why a dataset specification (kinds, levels, recodes) cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecError {
    #[error("there is no column `{column}`")]
    UnknownColumn { column: String },
    #[error("column `{column}` has text `{text}` in row {row}; expected a number")]
    NotANumber {
        column: String,
        row: usize,
        text: String,
    },
    #[error(
        "column `{column}` has {count} different values ({}), so it cannot be yes/no",
        preview(levels)
    )]
    NotBinary {
        column: String,
        count: usize,
        levels: Vec<String>,
    },
    #[error(
        "column `{column}` has no level `{level}`; its levels are {}",
        preview(present)
    )]
    UnknownLevel {
        column: String,
        level: String,
        present: Vec<String>,
    },
    #[error("column `{column}` is {kind}; only numeric columns can be cut into categories")]
    CutNeedsNumeric { column: String, kind: String },
    #[error("the cut points for `{column}` must be finite and increasing")]
    BadThresholds { column: String },
    #[error("the cut of `{column}` has {labels} labels for {groups} groups")]
    BadLabels {
        column: String,
        labels: usize,
        groups: usize,
    },
    #[error("a column named `{column}` exists already")]
    NameTaken { column: String },
}

fn preview(levels: &[String]) -> String {
    let mut s: Vec<String> = levels.iter().take(5).map(|l| format!("`{l}`")).collect();
    if levels.len() > 5 {
        s.push("...".into());
    }
    s.join(", ")
}

impl SpecError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            SpecError::UnknownColumn { .. } => "Check the column name against the file's header.".into(),
            SpecError::NotANumber { text, .. } => format!(
                "Fix that cell in the file, add `{text}` to the missing-value tokens, or keep the column as categorical."
            ),
            SpecError::NotBinary { .. } => {
                "Choose categorical, or merge levels until two are left.".into()
            }
            SpecError::UnknownLevel { .. } => "Choose one of the column's levels.".into(),
            SpecError::CutNeedsNumeric { .. } => "Set the column's kind to numeric first.".into(),
            SpecError::BadThresholds { .. } => "Give cut points in increasing order, e.g. 50 or 20, 40.".into(),
            SpecError::BadLabels { .. } => "Give one label per group, or none to use the default labels.".into(),
            SpecError::NameTaken { .. } => "Choose another name for the new column.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_like_a_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}

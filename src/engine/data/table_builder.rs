//! The table under construction: the header checked, then each row's
//! width checked and its cells appended column by column.

use super::error::column_letter;
use super::text::{TextColumn, MAX_COLUMN_BYTES};
use super::{FileFormat, ImportError, RawTable};
use crate::engine::{Code, Diagnostic};

/// Builds the table one record at a time: skips leading blank records,
/// checks the header, then checks each row's width and appends its cells
/// to the columns.
pub(super) struct TableBuilder {
    format: FileFormat,
    pub(super) headers: Option<Vec<String>>,
    /// Empty header cells after the last named one (a trailing separator).
    trailing: usize,
    cells: Vec<TextColumn>,
    row_numbers: Vec<usize>,
    blank: usize,
}

impl TableBuilder {
    pub(super) fn new(format: FileFormat) -> Self {
        Self {
            format,
            headers: None,
            trailing: 0,
            cells: Vec::new(),
            row_numbers: Vec::new(),
            blank: 0,
        }
    }

    pub(super) fn push(
        &mut self,
        row: usize,
        line: u64,
        fields: &[&str],
    ) -> Result<(), ImportError> {
        let blank = fields.iter().all(|f| f.is_empty());
        let Some(headers) = &self.headers else {
            if !blank {
                self.header(fields)?;
            }
            return Ok(());
        };
        if blank {
            self.blank += 1;
            return Ok(());
        }
        let width = headers.len();
        let ragged = ImportError::RaggedRow {
            row,
            line,
            expected: width,
            found: fields.len(),
        };
        if fields.len() > width {
            // Extra fields are allowed only when empty (trailing separators).
            if fields[width..].iter().any(|f| !f.is_empty()) {
                return Err(ragged);
            }
        } else if fields.len() < width {
            let is_sheet = matches!(self.format, FileFormat::Spreadsheet { .. });
            if !is_sheet && fields.len() + self.trailing < width {
                return Err(ragged);
            }
        }
        for (j, col) in self.cells.iter_mut().enumerate() {
            let field = fields.get(j).copied().unwrap_or("");
            if !col.push(field) {
                return Err(ImportError::TooLarge {
                    bytes: (MAX_COLUMN_BYTES + field.len()) as u64,
                    limit: MAX_COLUMN_BYTES as u64,
                });
            }
        }
        self.row_numbers.push(row);
        Ok(())
    }

    /// An empty table with this one's header, to read a later piece into.
    pub(super) fn fragment(&self) -> TableBuilder {
        TableBuilder {
            format: self.format.clone(),
            headers: self.headers.clone(),
            trailing: self.trailing,
            cells: vec![TextColumn::new(); self.cells.len()],
            row_numbers: Vec::new(),
            blank: 0,
        }
    }

    /// Appends a later piece's rows.
    pub(super) fn absorb(&mut self, part: TableBuilder) -> Result<(), ImportError> {
        for (col, more) in self.cells.iter_mut().zip(&part.cells) {
            if !col.append(more) {
                return Err(ImportError::TooLarge {
                    bytes: (col.text_len() + more.text_len()) as u64,
                    limit: MAX_COLUMN_BYTES as u64,
                });
            }
        }
        self.row_numbers.extend_from_slice(&part.row_numbers);
        self.blank += part.blank;
        Ok(())
    }

    fn header(&mut self, fields: &[&str]) -> Result<(), ImportError> {
        // Trailing empty header cells (a trailing separator) are not columns.
        let named = fields
            .iter()
            .rposition(|h| !h.is_empty())
            .map_or(0, |i| i + 1);
        self.trailing = fields.len() - named;
        let headers: Vec<String> = fields[..named].iter().map(|h| h.to_string()).collect();
        if let Some(i) = headers.iter().position(String::is_empty) {
            return Err(ImportError::EmptyHeader {
                letter: column_letter(i),
            });
        }
        // One pass with a map of the names seen (a header of 200,000
        // columns compared pairwise took minutes).
        let mut seen: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(headers.len());
        for (j, h) in headers.iter().enumerate() {
            if let Some(&i) = seen.get(h.as_str()) {
                return Err(ImportError::DuplicateHeader {
                    name: h.clone(),
                    first: column_letter(i),
                    second: column_letter(j),
                });
            }
            seen.insert(h, j);
        }
        self.cells = vec![TextColumn::new(); headers.len()];
        self.headers = Some(headers);
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<RawTable, ImportError> {
        let headers = self.headers.ok_or(ImportError::Empty)?;
        if self.row_numbers.is_empty() {
            return Err(ImportError::HeaderOnly {
                columns: headers.len(),
            });
        }
        let mut diagnostics = Vec::new();
        if self.blank > 0 {
            diagnostics.push(Diagnostic::info(
                Code::BlankRowsSkipped,
                None,
                format!("{} blank row(s) were skipped", self.blank),
            ));
        }
        for c in &mut self.cells {
            c.shrink_to_fit();
        }
        self.row_numbers.shrink_to_fit();
        Ok(RawTable {
            format: self.format,
            headers,
            cells: self.cells,
            row_numbers: self.row_numbers,
            diagnostics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::read_str;
    use crate::engine::data::ImportError;

    #[test]
    fn trailing_separators_and_blank_rows_are_tolerated() {
        let t = read_str("a,b,\n1,2,\n\n,,\n3,4\n").unwrap();
        assert_eq!(t.headers, ["a", "b"]);
        assert_eq!(t.cells[0].to_vec(), ["1", "3"]);
        assert_eq!(t.row_numbers, [2, 5]);
        assert_eq!(t.diagnostics.len(), 1);
    }

    #[test]
    fn bad_headers() {
        assert_eq!(
            read_str("a,,c\n1,2,3\n").unwrap_err(),
            ImportError::EmptyHeader { letter: "B".into() }
        );
        let err = read_str("age,sex,age\n1,2,3\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the header `age` appears twice: columns A and C"
        );
    }
}

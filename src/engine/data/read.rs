//! Reading a file's bytes into a [`RawTable`]: the header and the cell texts,
//! before any typing. CSV/TSV (separator detected) or a spreadsheet
//! (.xlsx, .xls, .xlsb, .ods through `calamine`).

use crate::engine::Code;
use std::io::Cursor;

use calamine::{Data, Reader};
use serde::{Deserialize, Serialize};

use super::decode::{decode, TextEncoding};
use super::error::column_letter;
use super::infer::trimmed;
use super::text::{TextColumn, MAX_COLUMN_BYTES};
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

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

/// Picks the separator that splits the first records into the most columns
/// with the same count in every record.
fn detect_delimiter(text: &str) -> u8 {
    let sample_end = text
        .char_indices()
        .filter(|&(_, c)| c == '\n')
        .map(|(i, _)| i)
        .nth(50)
        .unwrap_or(text.len());
    let sample = &text[..sample_end];
    let mut best = (b',', 0usize, 0usize);
    for &d in b",;\t|" {
        let mut lens = Vec::new();
        for rec in csv_reader(sample, d).records().take(50) {
            match rec {
                Ok(r) if !(r.len() == 1 && r[0].is_empty()) => lens.push(r.len()),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let Some(&header) = lens.first() else {
            continue;
        };
        if header < 2 {
            continue;
        }
        let consistent = lens.iter().filter(|&&l| l == header).count();
        if (consistent, header) > (best.1, best.2) {
            best = (d, consistent, header);
        }
    }
    best.0
}

/// Records between two progress reports.
const PROGRESS_EVERY: usize = 1 << 16;

fn read_delimited(
    text: &str,
    format: FileFormat,
    progress: &mut dyn FnMut(f64),
) -> Result<RawTable, ImportError> {
    let FileFormat::Delimited { delimiter, .. } = format else {
        return Err(ImportError::Empty);
    };
    let mut table = TableBuilder::new(format);
    // The csv crate reads an unclosed quote to the end of the file as one
    // field; an odd number of quote characters gives it away. Such a file
    // is only scanned for the row to name.
    let quotes = text.bytes().filter(|&b| b == b'"').count();
    if quotes == 0 && text.len() >= PIECES_MIN_BYTES && crate::engine::parallel::threads() > 1 {
        return read_in_pieces(text, delimiter, table, progress);
    }
    let unclosed = quotes % 2 == 1;
    let scan = parse_records(text, delimiter, 1, &mut table, unclosed, progress)?;
    if unclosed {
        return Err(ImportError::Malformed {
            row: scan.first_multiline.unwrap_or(scan.rows.max(1)),
            message: "a quote (\") opened in this row is never closed".into(),
        });
    }
    progress(1.0);
    table.finish()
}

/// From this size on, a file without quotes is read in pieces side by
/// side natively (the browser's worker has one thread).
const PIECES_MIN_BYTES: usize = 1 << 24;

/// A file with no quote characters: every record is one line, so the
/// lines after the header are cut into pieces at line ends, read side by
/// side, and joined in order (the same table as one pass).
fn read_in_pieces(
    text: &str,
    delimiter: u8,
    mut table: TableBuilder,
    progress: &mut dyn FnMut(f64),
) -> Result<RawTable, ImportError> {
    // The header: the first line with a field that is not blank.
    let mut body = 0;
    for line in text.split_inclusive('\n') {
        body += line.len();
        if line
            .split(char::from(delimiter))
            .any(|f| !trimmed(f).is_empty())
        {
            break;
        }
    }
    parse_records(&text[..body], delimiter, 1, &mut table, false, &mut |_| {})?;
    if table.headers.is_none() {
        return table.finish();
    }
    const PIECES: usize = 8;
    let mut cuts = vec![body];
    for k in 1..PIECES {
        let at = (body + (text.len() - body) * k / PIECES).max(cuts[cuts.len() - 1]);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        cuts.push(end);
    }
    cuts.push(text.len());
    cuts.dedup();
    // Each piece's first line number (its lines counted side by side).
    let newlines = |from: usize, to: usize| {
        text.as_bytes()[from..to]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    };
    let counts = crate::engine::parallel::map(cuts.len() - 1, |k| newlines(cuts[k], cuts[k + 1]));
    let mut line = 1 + newlines(0, body);
    let mut first_lines = Vec::with_capacity(counts.len());
    for c in counts {
        first_lines.push(line);
        line += c;
    }
    progress(0.1);
    let pieces = crate::engine::parallel::map(cuts.len() - 1, |k| {
        let mut part = table.fragment();
        parse_records(
            &text[cuts[k]..cuts[k + 1]],
            delimiter,
            first_lines[k],
            &mut part,
            false,
            &mut |_| {},
        )?;
        Ok::<_, ImportError>(part)
    });
    for part in pieces {
        table.absorb(part?)?;
    }
    progress(1.0);
    table.finish()
}

/// What a pass over the records saw.
struct Scan {
    /// The spreadsheet row of the last record.
    rows: usize,
    /// The first record spanning lines.
    first_multiline: Option<usize>,
}

/// Feeds the records of `text` (whose first line is line `first_line` of
/// the file) to `table`; with `unclosed`, only counts rows.
fn parse_records(
    text: &str,
    delimiter: u8,
    first_line: u64,
    table: &mut TableBuilder,
    unclosed: bool,
    progress: &mut dyn FnMut(f64),
) -> Result<Scan, ImportError> {
    // Untrimmed byte records: the csv crate's trimming copies each record;
    // the fields are trimmed here instead.
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut row = first_line as usize - 1;
    let mut first_multiline: Option<usize> = None;
    let total = text.len().max(1) as f64;
    // The csv crate skips blank lines; count them back in so that row
    // numbers are those a spreadsheet shows.
    let mut expected_line = first_line;
    let mut records = 0usize;
    // Line numbers are counted here: the csv crate's own count is one
    // short for a record after a skipped blank line.
    let bytes = text.as_bytes();
    let (mut counted_to, mut lines_before) = (0usize, 0u64);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The record's position is where the skipped blank lines
                // before it begin.
                let mut start = record
                    .position()
                    .map_or(counted_to, |p| p.byte() as usize)
                    .max(counted_to);
                while start < bytes.len() && matches!(bytes[start], b'\n' | b'\r') {
                    start += 1;
                }
                lines_before += bytes[counted_to..start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted_to = start;
                let line = first_line + lines_before;
                row += 1 + line.saturating_sub(expected_line) as usize;
                let newlines = record.as_slice().iter().filter(|&&b| b == b'\n').count();
                if newlines > 0 && first_multiline.is_none() {
                    first_multiline = Some(row);
                }
                expected_line = line + 1 + newlines as u64;
                if unclosed {
                    continue;
                }
                let mut fields: Vec<&str> = Vec::with_capacity(record.len());
                for f in record.iter() {
                    // A record of the decoded text is UTF-8 unless a quote
                    // split a character, which cannot happen (quotes are
                    // ASCII); checked anyway, never assumed.
                    let f = std::str::from_utf8(f).map_err(|e| ImportError::Malformed {
                        row,
                        message: e.to_string(),
                    })?;
                    fields.push(trimmed(f));
                }
                table.push(row, line, &fields)?;
                records += 1;
                if records.is_multiple_of(PROGRESS_EVERY) {
                    progress(record.position().map_or(0, |p| p.byte()) as f64 / total);
                }
            }
            Err(e) => {
                return Err(ImportError::Malformed {
                    row: row + 1,
                    message: e.to_string(),
                })
            }
        }
    }
    Ok(Scan {
        rows: row,
        first_multiline,
    })
}

fn read_spreadsheet(bytes: &[u8], options: &ReadOptions) -> Result<RawTable, ImportError> {
    // A zipped workbook's sheets are checked before calamine allocates.
    if bytes.starts_with(b"PK\x03\x04") {
        super::sheet_guard::check_workbook(bytes, options.max_bytes)?;
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        ImportError::Spreadsheet {
            message: e.to_string(),
        }
    })?;
    let sheets = book.sheet_names();
    let chosen: Vec<String> = match &options.sheet {
        Some(s) if sheets.contains(s) => vec![s.clone()],
        Some(s) => {
            return Err(ImportError::NoSuchSheet {
                sheet: s.clone(),
                available: sheets,
            })
        }
        None => sheets.clone(),
    };
    let explicit = options.sheet.is_some();
    for name in chosen {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ImportError::Spreadsheet {
                message: e.to_string(),
            })?;
        // Unless asked for, a sheet needs a header and a row to be the table
        // (a first sheet of notes is passed over).
        if range.is_empty() || (!explicit && range.height() < 2) {
            continue;
        }
        let first_row = range.start().map_or(0, |(r, _)| r as usize);
        let mut table = TableBuilder::new(FileFormat::Spreadsheet {
            sheet: name,
            sheets: sheets.clone(),
        });
        for (i, cells) in range.rows().enumerate() {
            let row = first_row + i + 1;
            let texts: Vec<String> = cells.iter().map(cell_text).collect();
            let fields: Vec<&str> = texts.iter().map(String::as_str).collect();
            table.push(row, row as u64, &fields)?;
        }
        return table.finish();
    }
    Err(ImportError::NoSheetWithData)
}

/// A spreadsheet cell as text: numbers in their shortest exact form, dates
/// as ISO 8601, errors (`#N/A`, `#DIV/0!`) as missing.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::String(s) => s.trim().to_owned(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_serial_to_iso(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Excel's serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the
/// time if it has one.
fn excel_serial_to_iso(serial: f64) -> String {
    let days = serial.floor() as i64;
    // Howard Hinnant's civil_from_days, from 1970-01-01 = serial 25569.
    let z = days - 25569 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Builds the table one record at a time: skips leading blank records,
/// checks the header, then checks each row's width and appends its cells
/// to the columns.
struct TableBuilder {
    format: FileFormat,
    headers: Option<Vec<String>>,
    /// Empty header cells after the last named one (a trailing separator).
    trailing: usize,
    cells: Vec<TextColumn>,
    row_numbers: Vec<usize>,
    blank: usize,
}

impl TableBuilder {
    fn new(format: FileFormat) -> Self {
        Self {
            format,
            headers: None,
            trailing: 0,
            cells: Vec::new(),
            row_numbers: Vec::new(),
            blank: 0,
        }
    }

    fn push(&mut self, row: usize, line: u64, fields: &[&str]) -> Result<(), ImportError> {
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
    fn fragment(&self) -> TableBuilder {
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
    fn absorb(&mut self, part: TableBuilder) -> Result<(), ImportError> {
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

    fn finish(mut self) -> Result<RawTable, ImportError> {
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
    use super::*;

    /// A file read in pieces is the file read in one pass: rows, their
    /// numbers, blank rows, and the first error with its row.
    #[test]
    fn pieces_read_as_one_pass() {
        let mut many = String::from("id, x ,y,\n");
        for i in 0..400 {
            match i % 37 {
                5 => many.push('\n'),
                11 => many.push_str(" , ,\r\n"),
                _ => many.push_str(&format!("{i}, {} ,{}\r\n", i * 3, i % 5)),
            }
        }
        let mut ragged = many.clone();
        ragged.push_str("1,2,3,4,5\n8,9,10\n");
        let files = [
            "a,b,c\n1,2,3\n\n4,5,6\r\n7,8,9\n".to_string(),
            "\n\n a , b \n1,2\n,\n3,4\n\n".to_string(),
            "a,b,\n1,2,\n3,4\n5,6,\n".to_string(),
            "a,b,c\n1,2,3\n4,5\n6,7,8\n".to_string(),
            "a,b\n".to_string(),
            "\n , \n".to_string(),
            "a,a\n1,2\n".to_string(),
            many,
            ragged,
        ];
        for text in &files {
            let format = FileFormat::Delimited {
                delimiter: b',',
                encoding: super::super::decode::TextEncoding::Utf8,
            };
            let mut one = TableBuilder::new(format.clone());
            let whole = parse_records(text, b',', 1, &mut one, false, &mut |_| {})
                .and_then(|_| one.finish());
            let pieces = read_in_pieces(text, b',', TableBuilder::new(format), &mut |_| {});
            assert_eq!(pieces, whole, "{text:?}");
        }
    }

    fn read_str(s: &str) -> Result<RawTable, ImportError> {
        read(s.as_bytes(), &ReadOptions::default())
    }

    #[test]
    fn detects_each_separator() {
        for (sep, d) in [(",", b','), (";", b';'), ("\t", b'\t'), ("|", b'|')] {
            let text = format!("a{sep}b{sep}c\n1{sep}2{sep}3\n4{sep}5{sep}6\n");
            let t = read_str(&text).unwrap();
            assert_eq!(t.headers, ["a", "b", "c"]);
            assert!(matches!(t.format, FileFormat::Delimited { delimiter, .. } if delimiter == d));
            assert_eq!(t.cells[2].to_vec(), ["3", "6"]);
        }
    }

    #[test]
    fn semicolon_with_decimal_commas_is_not_taken_for_commas() {
        let t = read_str("age;ki67\n52;12,5\n48;30,0\n61;7,25\n").unwrap();
        assert_eq!(t.headers, ["age", "ki67"]);
        assert!(t.format.decimal_comma());
        assert_eq!(t.cells[1].to_vec(), ["12,5", "30,0", "7,25"]);
    }

    #[test]
    fn quotes_embedded_separators_newlines_and_crlf() {
        let t =
            read_str("id,note,x\r\n1,\"a, b\",2\r\n2,\"say \"\"hi\"\"\nnext line\",3\r\n").unwrap();
        assert_eq!(t.cells[1].to_vec(), ["a, b", "say \"hi\"\nnext line"]);
        assert_eq!(t.cells[2].to_vec(), ["2", "3"]);
        assert_eq!(t.row_numbers, [2, 3]);
    }

    #[test]
    fn ragged_row_names_row_and_counts() {
        let err = read_str("a,b,c\n1,2,3\n4,5\n").unwrap_err();
        assert_eq!(
            err,
            ImportError::RaggedRow {
                row: 3,
                line: 3,
                expected: 3,
                found: 2
            }
        );
        assert_eq!(err.to_string(), "row 3 has 2 values; the header has 3");
        let err = read_str("a,b\n1,2\n3,4,5\n").unwrap_err();
        assert!(matches!(
            err,
            ImportError::RaggedRow {
                row: 3,
                found: 3,
                ..
            }
        ));
    }

    /// The row after a blank line keeps the number a spreadsheet shows
    /// (the csv crate's own line count is one short there), with LF,
    /// CRLF or both; so does the row an error names.
    #[test]
    fn rows_after_blank_lines_keep_their_numbers() {
        for t in [
            "a,b,c\n1,2,3\n\n4,5,6\n7,8,9\n",
            "a,b,c\n1,2,3\n\n4,5,6\r\n7,8,9\n",
            "a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n7,8,9\r\n",
        ] {
            assert_eq!(read_str(t).unwrap().row_numbers, [2, 4, 5], "{t:?}");
        }
        let err = read_str("a,b,c\n1,2,3\n\n\n4,5\n").unwrap_err();
        assert!(
            matches!(err, ImportError::RaggedRow { row: 5, .. }),
            "{err:?}"
        );
    }

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

    #[test]
    fn unclosed_quote_is_reported_not_swallowed() {
        // An unclosed quote would swallow the rest of the file into one field.
        let err = read_str("a,b\n0,1\n1,\"x\n2,3\n4,5\n").unwrap_err();
        assert!(
            matches!(err, ImportError::Malformed { row: 3, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_serial_to_iso(45658.0), "2025-01-01");
        assert_eq!(excel_serial_to_iso(25569.5), "1970-01-01 12:00:00");
    }
}

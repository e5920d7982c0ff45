//! Reading CSV/TSV text: the separator detected, the records fed to the
//! table with the row numbers a spreadsheet shows, large files without
//! quotes read in pieces side by side.

use super::infer::trimmed;
use super::table_builder::TableBuilder;
use super::{FileFormat, ImportError, RawTable};

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
pub(super) fn detect_delimiter(text: &str) -> u8 {
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

pub(super) fn read_delimited(
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

#[cfg(test)]
mod tests {
    use super::super::testing::read_str;
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
    fn unclosed_quote_is_reported_not_swallowed() {
        // An unclosed quote would swallow the rest of the file into one field.
        let err = read_str("a,b\n0,1\n1,\"x\n2,3\n4,5\n").unwrap_err();
        assert!(
            matches!(err, ImportError::Malformed { row: 3, .. }),
            "{err:?}"
        );
    }
}

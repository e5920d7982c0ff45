//! Checks a zipped workbook (.xlsx, .ods) before `calamine` reads it.
//! calamine trusts the sheet XML: a cell reference far away (`XFD1048576`
//! beside `A1`) makes it allocate the whole rectangle between them (512 GB),
//! and a malformed one (`ZZZZZZZZ99999999999`) overflows its arithmetic. So
//! every worksheet part is first streamed here: every cell, row and
//! dimension reference must lie in Excel's grid (A1 to XFD1048576, the
//! dimension's corners in order), and the rectangle spanned by the cells
//! with a value must hold at most a bounded number of cells.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};

use super::ImportError;

/// Excel's grid: columns A to XFD, rows 1 to 1,048,576.
const MAX_COLUMNS: u32 = 16_384;
const MAX_ROWS: u32 = 1_048_576;

/// The most bytes of one part's XML that are scanned (a zip bomb stops here).
const MAX_PART_BYTES: u64 = 4 << 30;

/// The most cells a sheet's rectangle may hold for a file limit of
/// `max_bytes`: 32 bytes a cell, between 1 Mi and 32 Mi cells.
pub fn max_cells(max_bytes: u64) -> u64 {
    (max_bytes / 32).clamp(1 << 20, 1 << 25)
}

/// A1-style reference to 1-based (row, column); `None` unless it is inside
/// Excel's grid. With `row_only`, a bare row number (`<row r="5">`).
fn parse_ref(r: &[u8], row_only: bool) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    if letters > 3 || (letters == 0 && !row_only) || (row_only && letters > 0) {
        return None;
    }
    if digits.is_empty() || digits.len() > 7 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |c, b| {
        c * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row = digits
        .iter()
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    ((1..=MAX_ROWS).contains(&row) && col <= MAX_COLUMNS).then_some((row, col))
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<Vec<u8>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.as_bytes().to_vec())
}

fn bad_ref(part: &str, r: &[u8]) -> ImportError {
    let mut shown: String = String::from_utf8_lossy(r).chars().take(40).collect();
    if r.len() > 40 {
        shown.push('…');
    }
    ImportError::SheetReference {
        part: part.to_owned(),
        reference: shown,
    }
}

/// Checks every XML part of the zip `bytes`; a file that is not a zip is
/// left to calamine's own message.
pub fn check_workbook(bytes: &[u8], max_bytes: u64) -> Result<(), ImportError> {
    let mut zip = match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            return Err(ImportError::Spreadsheet {
                message: format!("the file is a damaged zip container ({e})"),
            })
        }
    };
    let limit = max_cells(max_bytes);
    for i in 0..zip.len() {
        let damaged = |e: &dyn std::fmt::Display| ImportError::Spreadsheet {
            message: format!("part {i} of the zip container cannot be read ({e})"),
        };
        let entry = zip.by_index(i).map_err(|e| damaged(&e))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !name.to_ascii_lowercase().ends_with(".xml") {
            continue;
        }
        check_part(&name, BufReader::new(entry.take(MAX_PART_BYTES)), limit)?;
    }
    Ok(())
}

/// Where calamine would put the cells of one part, and their rectangle.
struct Span {
    rows: (u32, u32),
    cols: (u32, u32),
}

fn check_part(part: &str, reader: impl std::io::BufRead, limit: u64) -> Result<(), ImportError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    // As calamine reads: a mismatched end tag does not stop it, so it must
    // not stop the check either.
    xml.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    // calamine's positions: 0-based row and column of the next cell.
    let (mut row, mut col) = (0u32, 0u32);
    let mut span: Option<Span> = None;
    let mut in_cell: Option<(u32, u32)> = None;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            // The part's bytes cannot be read (e.g. its checksum fails): the
            // rest of it was not checked, so it is refused.
            Err(quick_xml::Error::Io(e)) => {
                return Err(ImportError::Spreadsheet {
                    message: format!("the part {part} of the workbook is damaged ({e})"),
                })
            }
            // Malformed XML: calamine says what is wrong with it.
            Err(_) => return Ok(()),
        };
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "dimension" => {
                if let Some(r) = attr(&e, "ref") {
                    let mut corners = r.split(|&b| b == b':');
                    let a = corners.next().and_then(|c| parse_ref(c, false));
                    let b = match corners.next() {
                        Some(c) => parse_ref(c, false),
                        None => a,
                    };
                    match (a, b, corners.next()) {
                        (Some(a), Some(b), None) if a.0 <= b.0 && a.1 <= b.1 => {}
                        _ => return Err(bad_ref(part, &r)),
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "row" => {
                if let Some(r) = attr(&e, "r") {
                    let (n, _) = parse_ref(&r, true).ok_or_else(|| bad_ref(part, &r))?;
                    row = n - 1;
                }
            }
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row = row.saturating_add(1);
                col = 0;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                let pos = match attr(&e, "r") {
                    Some(r) => {
                        let (n, c) = parse_ref(&r, false).ok_or_else(|| bad_ref(part, &r))?;
                        (n - 1, c - 1)
                    }
                    None => (row, col),
                };
                // calamine skips `<c/>` altogether.
                if is_start {
                    col = pos.1.saturating_add(1);
                    in_cell = Some(pos);
                }
            }
            Event::Start(_) | Event::Empty(_) => {
                // A value, formula or inline string inside a cell.
                if let Some((r, c)) = in_cell.take() {
                    let s = span.get_or_insert(Span {
                        rows: (r, r),
                        cols: (c, c),
                    });
                    s.rows = (s.rows.0.min(r), s.rows.1.max(r));
                    s.cols = (s.cols.0.min(c), s.cols.1.max(c));
                    let cells =
                        u64::from(s.rows.1 - s.rows.0 + 1) * u64::from(s.cols.1 - s.cols.0 + 1);
                    if cells > limit {
                        return Err(ImportError::SheetTooLarge {
                            part: part.to_owned(),
                            cells,
                            limit,
                        });
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "c" => in_cell = None,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_inside_the_grid_only() {
        assert_eq!(parse_ref(b"A1", false), Some((1, 1)));
        assert_eq!(parse_ref(b"xfd1048576", false), Some((1_048_576, 16_384)));
        assert_eq!(parse_ref(b"XFE1", false), None);
        assert_eq!(parse_ref(b"A1048577", false), None);
        assert_eq!(parse_ref(b"ZZZZZZZZ99999999999", false), None);
        assert_eq!(parse_ref(b"A0", false), None);
        assert_eq!(parse_ref(b"12", false), None);
        assert_eq!(parse_ref(b"12", true), Some((12, 0)));
        assert_eq!(parse_ref(b"A1:B2", false), None);
    }

    fn sheet(cells: &str) -> String {
        format!("<worksheet><dimension ref=\"A1\"/><sheetData>{cells}</sheetData></worksheet>")
    }

    fn check(xml: &str) -> Result<(), ImportError> {
        check_part("xl/worksheets/sheet1.xml", xml.as_bytes(), 1 << 20)
    }

    #[test]
    fn far_cells_and_bad_references_are_refused() {
        let near = sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c></row>");
        assert_eq!(check(&near), Ok(()));
        // A formatted empty cell far away costs nothing (calamine skips it).
        let empty_far =
            sheet("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"XFD1048576\" s=\"1\"/></row>");
        assert_eq!(check(&empty_far), Ok(()));
        let far =
            sheet("<row><c r=\"A1\"><v>1</v></c></row><row><c r=\"XFD1048576\"><v>2</v></c></row>");
        assert!(matches!(
            check(&far),
            Err(ImportError::SheetTooLarge {
                cells: 17_179_869_184,
                ..
            })
        ));
        let bad = sheet("<row><c r=\"ZZZZZZZZ99999999999\"><v>1</v></c></row>");
        assert!(matches!(
            check(&bad),
            Err(ImportError::SheetReference { .. })
        ));
        // A mismatched end tag (a damaged row) does not stop the check
        // (calamine reads on past it): the far cell after it is found.
        let damaged_then_far = sheet(
            "<row r=\"1\"><c r=\"A1\"><v>1</v></c></c></row><row r=\"66123\"><c r=\"SQC66123\"><v>1</v></c></row>",
        );
        assert!(matches!(
            check(&damaged_then_far),
            Err(ImportError::SheetTooLarge {
                cells: 878_708_547,
                ..
            })
        ));
        let reversed = "<worksheet><dimension ref=\"B2:A1\"/><sheetData/></worksheet>";
        assert!(matches!(
            check(reversed),
            Err(ImportError::SheetReference { .. })
        ));
        let row = sheet("<row r=\"99999999999\"><c><v>1</v></c></row>");
        assert!(matches!(
            check(&row),
            Err(ImportError::SheetReference { .. })
        ));
    }
}

//! Reading a workbook (.xlsx, .xls, .xlsb, .ods through `calamine`): the
//! chosen sheet, or the first with a header and a row.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::table_builder::TableBuilder;
use super::{FileFormat, ImportError, RawTable, ReadOptions};

/// Reads the sheet `options` names, else the first with data.
pub(super) fn read_spreadsheet(
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<RawTable, ImportError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_serial_to_iso(45658.0), "2025-01-01");
        assert_eq!(excel_serial_to_iso(25569.5), "1970-01-01 12:00:00");
    }
}

//! Import of real-world quirky files and refusal of bad ones, through the
//! public engine API (the same path the page and the CLI take).

mod common;

use cohortlab::engine::data::{
    load, read, ColumnData, ColumnKind, Dataset, DatasetSpec, FileFormat, ImportError, ReadOptions,
    TextEncoding,
};
use cohortlab::engine::AnalysisError;
use common::data_bytes;

fn load_default(bytes: &[u8]) -> Result<Dataset, AnalysisError> {
    load(bytes, &ReadOptions::default(), &DatasetSpec::default()).map(|(_, d)| d)
}

/// The four quirky encodings of the same small table read the same.
#[test]
fn quirky_files_read_alike() {
    let cases = [
        (
            "quirky/semicolon-decimal-comma-cp1252.csv",
            b';',
            TextEncoding::Windows1252,
        ),
        ("quirky/tab-utf16le-bom.txt", b'\t', TextEncoding::Utf16Le),
        ("quirky/pipe-utf8-bom.csv", b'|', TextEncoding::Utf8Bom),
    ];
    for (path, delim, enc) in cases {
        let (raw, ds) = load(
            &data_bytes(path),
            &ReadOptions::default(),
            &DatasetSpec::default(),
        )
        .unwrap();
        assert_eq!(
            raw.format,
            FileFormat::Delimited {
                delimiter: delim,
                encoding: enc
            },
            "{path}"
        );
        assert_eq!(
            raw.headers,
            ["id", "age", "ki67", "subtype", "marked", "note"],
            "{path}"
        );
        let ki67 = ds.column("ki67").unwrap();
        assert_eq!(ki67.kind, ColumnKind::Numeric, "{path}");
        assert_eq!(
            ki67.data,
            ColumnData::Numeric(vec![12.5, 30.0, 7.25, 45.0]),
            "{path}"
        );
        let age = ds.column("age").unwrap();
        assert_eq!(age.kind, ColumnKind::Numeric);
        assert_eq!(age.n_missing(), 1);
        assert_eq!(ds.column("marked").unwrap().kind, ColumnKind::Binary);
        assert_eq!(
            ds.column("subtype").unwrap().kind,
            ColumnKind::Text,
            "4 rows, 3 levels"
        );
        assert_eq!(
            ds.column("note").unwrap().display(0),
            "Größe 2,1 cm",
            "{path}"
        );
        assert_eq!(
            ds.column("note").unwrap().display(1),
            "café; rückfall",
            "{path}"
        );
    }
}

#[test]
fn quoted_multiline_crlf_trailing_separator_and_missing_tokens() {
    let ds = load_default(&data_bytes("quirky/quoted-multiline.csv")).unwrap();
    let names: Vec<&str> = ds.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "age", "note", "marked"]);
    assert_eq!(ds.n_rows, 4);
    assert_eq!(
        ds.column("note").unwrap().display(0),
        "left breast, upper quadrant"
    );
    assert_eq!(
        ds.column("note").unwrap().display(1),
        "said \"no\" to\r\nradiotherapy"
    );
    // `.` and `""` are missing; N/A and - too.
    assert_eq!(ds.column("note").unwrap().n_missing(), 2);
    assert_eq!(ds.column("age").unwrap().n_missing(), 2);
    assert_eq!(ds.row_numbers, [2, 3, 4, 5]);
}

#[test]
fn configurable_missing_tokens() {
    let bytes = b"x,y\n1,unknown\n2,a\n-9,b\n4,a\n";
    let spec = DatasetSpec {
        missing_tokens: vec!["".into(), "unknown".into(), "-9".into()],
        ..DatasetSpec::default()
    };
    let (_, ds) = load(bytes, &ReadOptions::default(), &spec).unwrap();
    assert_eq!(ds.column("x").unwrap().n_missing(), 1);
    assert_eq!(ds.column("y").unwrap().n_missing(), 1);
}

fn xlsx_two_sheets() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("Notes").unwrap();
    notes.write_string(0, 0, "exported 2025-01-01").unwrap();
    let sheet = wb.add_worksheet().set_name("Patients").unwrap();
    for (c, h) in ["id", "age", "ki67", "marked", "ct"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let data = [
        (52.0, 12.5, true, "T2"),
        (47.0, 30.0, false, "T1"),
        (61.0, 7.25, true, "T3"),
    ];
    for (r, (age, ki, m, ct)) in data.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, format!("P{r}")).unwrap();
        sheet.write_number(r, 1, *age).unwrap();
        sheet.write_number(r, 2, *ki).unwrap();
        sheet.write_boolean(r, 3, *m).unwrap();
        sheet.write_string(r, 4, *ct).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// Writes `tests/data/quirky/two-sheets.xlsx` (used by the CLI and page
/// tests): `cargo test --test import -- --ignored write_xlsx_fixture`.
#[test]
#[ignore]
fn write_xlsx_fixture() {
    std::fs::write(
        common::path("tests/data/quirky/two-sheets.xlsx"),
        xlsx_two_sheets(),
    )
    .unwrap();
}

#[test]
fn committed_xlsx_fixture_reads() {
    let bytes = data_bytes("quirky/two-sheets.xlsx");
    let (raw, ds) = load(&bytes, &ReadOptions::default(), &DatasetSpec::default()).unwrap();
    assert!(matches!(raw.format, FileFormat::Spreadsheet { ref sheet, .. } if sheet == "Patients"));
    assert_eq!(ds.n_rows, 3);
    assert_eq!(ds.column("ct").unwrap().display(2), "T3");
}

#[test]
fn xlsx_with_sheet_choice() {
    let bytes = xlsx_two_sheets();
    let opts = ReadOptions {
        sheet: Some("Patients".into()),
        ..ReadOptions::default()
    };
    let (raw, ds) = load(&bytes, &opts, &DatasetSpec::default()).unwrap();
    assert_eq!(
        raw.format,
        FileFormat::Spreadsheet {
            sheet: "Patients".into(),
            sheets: vec!["Notes".into(), "Patients".into()]
        }
    );
    assert_eq!(ds.n_rows, 3);
    assert_eq!(
        ds.column("ki67").unwrap().data,
        ColumnData::Numeric(vec![12.5, 30.0, 7.25])
    );
    assert_eq!(ds.column("marked").unwrap().kind, ColumnKind::Binary);
    assert_eq!(ds.column("age").unwrap().kind, ColumnKind::Numeric);

    // Without a choice, the first sheet with a header and rows: a first
    // sheet of notes is passed over.
    let raw = read(&bytes, &ReadOptions::default()).unwrap();
    assert!(matches!(raw.format, FileFormat::Spreadsheet { sheet, .. } if sheet == "Patients"));
    let notes = ReadOptions {
        sheet: Some("Notes".into()),
        ..ReadOptions::default()
    };
    assert_eq!(
        read(&bytes, &notes).unwrap_err(),
        ImportError::HeaderOnly { columns: 1 }
    );

    let missing = ReadOptions {
        sheet: Some("Sheet9".into()),
        ..ReadOptions::default()
    };
    let err = read(&bytes, &missing).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the workbook has no sheet `Sheet9` (sheets: Notes, Patients)"
    );
}

#[test]
fn corrupt_xlsx_is_an_error_not_a_panic() {
    let mut bytes = xlsx_two_sheets();
    bytes.truncate(bytes.len() / 2);
    let err = read(&bytes, &ReadOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::Spreadsheet { .. }), "{err:?}");
}

/// Every bad file gives its own message, naming the row or column, and a hint.
#[test]
fn bad_files_say_what_and_where() {
    let cases: [(&str, &str); 7] = [
        ("bad/empty.csv", "the file is empty"),
        (
            "bad/header-only.csv",
            "the file has a header row (3 columns) but no patient rows",
        ),
        ("bad/ragged.csv", "row 4 has 2 values; the header has 3"),
        (
            "bad/duplicate-header.csv",
            "the header `age` appears twice: columns B and D",
        ),
        ("bad/empty-header.csv", "column B has an empty header"),
        (
            "bad/unclosed-quote.csv",
            "the CSV is malformed near row 3: a quote (\") opened in this row is never closed",
        ),
        (
            "bad/picture.png",
            "this is not a text or spreadsheet file (binary content at byte 8)",
        ),
    ];
    for (path, message) in cases {
        let err = load_default(&data_bytes(path)).unwrap_err();
        assert_eq!(err.to_string(), message, "{path}");
        assert!(!err.hint().is_empty());
    }
}

#[test]
fn mostly_numeric_column_is_flagged_with_row() {
    let ds = load_default(&data_bytes("bad/mostly-numeric.csv")).unwrap();
    assert_eq!(ds.column("ki67").unwrap().kind, ColumnKind::Text);
    let d = &ds.diagnostics[0];
    assert_eq!(d.column.as_deref(), Some("ki67"));
    assert_eq!(
        d.message,
        "column `ki67` looks numeric (7 of 8 values are numbers), but row 4 has text `12,5%`"
    );
    let spec = DatasetSpec::default().with_kind("ki67", ColumnKind::Numeric);
    let err = load(
        &data_bytes("bad/mostly-numeric.csv"),
        &ReadOptions::default(),
        &spec,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "column `ki67` has text `12,5%` in row 4; expected a number"
    );
}

#[test]
fn too_large_is_refused_before_reading() {
    let opts = ReadOptions {
        max_bytes: 10,
        ..ReadOptions::default()
    };
    let err = read(&data_bytes("quirky/pipe-utf8-bom.csv"), &opts).unwrap_err();
    assert!(matches!(err, ImportError::TooLarge { limit: 10, .. }));
}

/// Garbage never panics: truncations and byte flips of every test file.
#[test]
fn mangled_files_never_panic() {
    let mut inputs = vec![data_bytes("quirky/quoted-multiline.csv"), xlsx_two_sheets()];
    inputs.push(data_bytes("example-study.csv")[..5000].to_vec());
    for base in inputs {
        for cut in (0..base.len()).step_by(97) {
            let _ = load_default(&base[..cut]);
            let mut flipped = base.clone();
            flipped[cut] ^= 0x5A;
            let _ = load_default(&flipped);
        }
    }
}

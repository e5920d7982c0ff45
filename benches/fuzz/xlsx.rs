//! Workbooks: written by rust_xlsxwriter from random small tables, or
//! written here as an uncompressed (stored) zip whose XML is mutated, so
//! that the mutations reach the spreadsheet reader's XML parsing.

use cohortlab::engine::rng::Rng;
use rust_xlsxwriter::Workbook;

use super::gen;
use super::mutate::mutate_once;

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

/// A workbook of 1-3 sheets holding a random table (numbers as numbers,
/// TRUE/FALSE as booleans); `far` adds a cell at a far reference.
pub fn workbook(rng: &mut Rng, far: bool) -> Vec<u8> {
    let t = gen::table(rng);
    let mut wb = Workbook::new();
    let sheets = 1 + rng.below(3);
    let data_sheet = rng.below(sheets);
    for s in 0..sheets {
        let ws = wb.add_worksheet();
        if chance(rng, 0.3) {
            let _ = ws.set_name(["Patients", "Sheet2", "données", "x"][rng.below(4) as usize]);
        }
        if s != data_sheet {
            if chance(rng, 0.5) {
                let _ = ws.write_string(0, 0, "notes");
            }
            continue;
        }
        let (r0, c0) = if chance(rng, 0.1) { (2, 1) } else { (0, 0) };
        for (j, name) in t.names.iter().enumerate() {
            let _ = ws.write_string(r0, c0 + j as u16, name);
        }
        for (j, col) in t.columns.iter().enumerate() {
            for (i, v) in col.iter().enumerate() {
                let (r, c) = (r0 + 1 + i as u32, c0 + j as u16);
                let _ = match (v.as_str(), v.parse::<f64>()) {
                    ("", _) => continue,
                    ("TRUE", _) => ws.write_boolean(r, c, true).map(|_| ()),
                    ("FALSE", _) => ws.write_boolean(r, c, false).map(|_| ()),
                    (_, Ok(x)) if x.is_finite() => ws.write_number(r, c, x).map(|_| ()),
                    _ => ws.write_string(r, c, v).map(|_| ()),
                };
            }
        }
        if far {
            let r = if chance(rng, 0.5) {
                1_048_575
            } else {
                rng.below(1_048_576) as u32
            };
            let c = if chance(rng, 0.5) {
                16_383
            } else {
                rng.below(16_384) as u16
            };
            let _ = ws.write_number(r, c, 1.0);
        }
    }
    wb.save_to_buffer().unwrap_or_default()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// An uncompressed zip archive of `files`.
pub fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(0u16.to_le_bytes()); // stored
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend([0u8; 8]); // comment, disk, internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn col_letters(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Cell XML of a random table: shared strings, inline strings, numbers,
/// booleans, errors and odd types.
fn sheet_xml(rng: &mut Rng, t: &gen::Table, shared: &mut Vec<String>) -> String {
    let n = t.columns.first().map_or(0, Vec::len);
    let mut rows = String::new();
    for r in 0..=n {
        rows.push_str(&format!("<row r=\"{}\">", r + 1));
        for (j, col) in t.columns.iter().enumerate() {
            let v = if r == 0 { &t.names[j] } else { &col[r - 1] };
            let at = format!("{}{}", col_letters(j), r + 1);
            let cell = match (v.parse::<f64>(), rng.below(20)) {
                (_, 0) => format!("<c r=\"{at}\" t=\"e\"><v>#N/A</v></c>"),
                (_, 1) => format!("<c r=\"{at}\" t=\"b\"><v>{}</v></c>", rng.below(3)),
                (_, 2) => format!("<c r=\"{at}\" t=\"n\"><v>{}</v></c>", esc(v)),
                (_, 3) => format!("<c r=\"{at}\" t=\"s\"><v>{}</v></c>", rng.below(40)),
                (_, 4) => format!("<c r=\"{at}\" t=\"d\"><v>2024-02-30T00:00:00</v></c>"),
                (_, 5) => format!("<c r=\"{at}\" t=\"str\"><f>1+1</f><v>{}</v></c>", esc(v)),
                (Ok(x), _) if r > 0 => format!("<c r=\"{at}\"><v>{x}</v></c>"),
                (_, 6 | 7) => format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    esc(v)
                ),
                _ => {
                    shared.push(v.clone());
                    format!("<c r=\"{at}\" t=\"s\"><v>{}</v></c>", shared.len() - 1)
                }
            };
            rows.push_str(&cell);
        }
        rows.push_str("</row>");
    }
    let dim = format!("A1:{}{}", col_letters(t.columns.len().max(1) - 1), n + 1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"{dim}\"/><sheetData>{rows}</sheetData></worksheet>"
    )
}

/// Replaces one cell reference (`r="..."`) by an odd one.
fn odd_reference(rng: &mut Rng, xml: &mut Vec<u8>) {
    let at: Vec<usize> = xml
        .windows(3)
        .enumerate()
        .filter(|(_, w)| w == b" r=")
        .map(|(i, _)| i + 4)
        .collect();
    if at.is_empty() {
        return;
    }
    let a = at[rng.below(at.len() as u64) as usize].min(xml.len());
    let b = a + xml[a..].iter().position(|&c| c == b'"').unwrap_or(0);
    let odd: &[&str] = &[
        "A0",
        "1A",
        "",
        "a1",
        "A-1",
        "AAA1",
        "B",
        "0",
        "A1:B2",
        "$A$1",
        "Z1",
        "A01",
        "4294967297",
    ];
    let v = odd[rng.below(odd.len() as u64) as usize];
    xml.splice(a..b, v.bytes());
}

/// A stored-zip workbook whose sheet, shared strings or workbook XML is
/// mutated (cell types, references, bytes).
pub fn stored(rng: &mut Rng, far: bool) -> Vec<u8> {
    let t = gen::table(rng);
    let mut shared = Vec::new();
    let mut sheet = sheet_xml(rng, &t, &mut shared);
    if far {
        // A sheet dimension or a cell reference far away, or malformed.
        let odd = ["XFD1048576", "ZZZZZZZZ99999999999", "A1048577", "XFE1"][rng.below(4) as usize];
        sheet = if rng.below(2) == 0 {
            sheet.replacen(
                "<dimension ref=\"A1:",
                &format!("<dimension ref=\"{odd}:A1\" x=\""),
                1,
            )
        } else {
            sheet.replacen("<c r=\"", &format!("<c r=\"{odd}\" x=\""), 1)
        };
    }
    let mut sheet = sheet.into_bytes();
    let strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{}</t></si>", esc(s)))
        .collect();
    let mut sst = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{0}\" uniqueCount=\"{0}\">{strings}</sst>",
        shared.len()
    )
    .into_bytes();
    let mut workbook = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Patients\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_vec();
    for _ in 0..=rng.below(3) {
        match rng.below(6) {
            0 | 1 => odd_reference(rng, &mut sheet),
            2 | 3 => mutate_once(rng, &mut sheet, &[]),
            4 => mutate_once(rng, &mut sst, &[]),
            _ => mutate_once(rng, &mut workbook, &[]),
        }
    }
    let content_types = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>".to_vec();
    let rels = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_vec();
    let wb_rels = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>".to_vec();
    zip(&[
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", sst),
    ])
}

//! One CSV field as every CSV this crate writes has it (the tables'
//! `to_csv`, matched.csv): RFC 4180 quoting, and cells that a spreadsheet
//! would run as a formula neutralised as OWASP recommends for CSV exports
//! ("CSV Injection"): a cell beginning with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a single quote (`'`) in front, so Excel and
//! LibreOffice show it as text. Numbers such as `-1.5`, `+2`, `-1,5` or
//! `-2e-3` are left as they are, and so is a lone `-` (a missing value).

/// Whether `s` is a plain number (optional sign, digits with one `.` or
/// `,` decimal mark, optional exponent): never a formula.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut digits = 0;
    let mut mark = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => digits += 1,
            b'.' | b',' if !mark => mark = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// Whether a spreadsheet could read `s` as a formula (OWASP's list of
/// leading characters), numbers and a lone `-` excepted.
/// Leading spaces are looked through (a table's level rows are indented,
/// and a spreadsheet may trim them).
pub fn is_formula_like(s: &str) -> bool {
    let t = s.trim_start_matches(' ');
    t.starts_with(['=', '+', '-', '@', '\t', '\r']) && t != "-" && !is_plain_number(t)
}

/// `s` as a CSV field: a single quote in front when it could be run as a
/// formula, then quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    let s = if is_formula_like(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_kept() {
        for f in [
            "=1+2",
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "=HYPERLINK(\"x\")",
            "\tx",
            "-",
            "--",
        ] {
            let out = csv_field(f);
            let inner = out.trim_start_matches('"');
            assert!(inner.starts_with('\'') || f == "-", "{f:?} -> {out:?}");
        }
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("  =1+2"), "'  =1+2");
        assert_eq!(csv_field("  -1.5"), "  -1.5");
        assert_eq!(csv_field("=SUM(A1,B1)"), "\"'=SUM(A1,B1)\"");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        for n in ["-1.5", "+2", "-1,5", "-2e-3", "1E+5", "0", "12.", "-"] {
            assert_eq!(csv_field(n).trim_matches('"'), n, "{n}");
        }
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("HR+/HER2-"), "HR+/HER2-");
    }
}

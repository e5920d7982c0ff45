//! Byte- and text-level mutations of seed inputs.

use cohortlab::engine::rng::Rng;

/// Byte strings worth inserting: separators, quotes, line ends, byte-order
/// marks, invalid UTF-8, and numeric-looking junk.
pub const TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\xC3\x28",
    b"\xFF",
    b"\x00",
    b"\xE9",
    b"\xC3\xA9",
    b"\xF0\x9F\x98\x80",
    b"1e308",
    b"-1e308",
    b"1e-320",
    b"-0",
    b"NaN",
    b"inf",
    b"-inf",
    b"NA",
    b".",
    b"-",
    b"",
    b"0.3389914537612095-4",
    b"1,5",
    b"1.000,5",
    b"9999999999999999999999",
    b"0x10",
    b"1_000",
    b"=1+1",
    b"@SUM(A1)",
    b"+1",
    b"1.5e",
    b"00012",
    b"yes",
    b"No",
    b"TRUE",
    b" ",
    b"x/../../ESCAPED",
    b"\\",
    b"'",
    b"#N/A",
    b"1/2/2020",
];

/// A token at random.
pub fn token(rng: &mut Rng) -> &'static [u8] {
    TOKENS[rng.below(TOKENS.len() as u64) as usize]
}

fn pos(rng: &mut Rng, len: usize) -> usize {
    rng.below(len as u64 + 1) as usize
}

/// The line starts of `data` (index of each line's first byte).
fn line_starts(data: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        data.iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < data.len()),
    );
    v
}

/// Duplicates one line (a row or the header) 1 to 3 times.
fn duplicate_row(rng: &mut Rng, data: &mut Vec<u8>) {
    let starts = line_starts(data);
    let k = rng.below(starts.len() as u64) as usize;
    let end = starts.get(k + 1).copied().unwrap_or(data.len());
    let mut line = data[starts[k]..end].to_vec();
    if line.last() != Some(&b'\n') {
        line.insert(0, b'\n');
    }
    for _ in 0..=rng.below(3) {
        data.splice(end..end, line.iter().copied());
    }
}

/// Duplicates one field of every line (naively split at `sep`), i.e. a
/// column.
fn duplicate_column(rng: &mut Rng, data: &mut Vec<u8>) {
    let sep = [b',', b';', b'\t', b'|'][rng.below(4) as usize];
    let col = rng.below(6) as usize;
    let mut out = Vec::with_capacity(data.len() * 2);
    for line in data.split(|&b| b == b'\n') {
        let fields: Vec<&[u8]> = line.split(|&b| b == sep).collect();
        let mut fields: Vec<Vec<u8>> = fields.iter().map(|f| f.to_vec()).collect();
        if let Some(f) = fields.get(col).cloned() {
            fields.insert(col, f);
        }
        out.extend(fields.join(&sep));
        out.push(b'\n');
    }
    out.pop();
    *data = out;
}

/// Deletes one field of every line (a column).
fn delete_column(rng: &mut Rng, data: &mut Vec<u8>) {
    let sep = [b',', b';', b'\t', b'|'][rng.below(4) as usize];
    let col = rng.below(6) as usize;
    let mut out = Vec::with_capacity(data.len());
    for line in data.split(|&b| b == b'\n') {
        let mut fields: Vec<&[u8]> = line.split(|&b| b == sep).collect();
        if col < fields.len() {
            fields.remove(col);
        }
        out.extend(fields.join(&sep));
        out.push(b'\n');
    }
    out.pop();
    *data = out;
}

/// Re-encodes valid UTF-8 text as UTF-16 (LE or BE, with a BOM or not).
fn to_utf16(rng: &mut Rng, data: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(data).into_owned();
    let le = rng.below(2) == 0;
    let mut out = Vec::with_capacity(2 * data.len() + 2);
    if rng.below(4) != 0 {
        out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
    }
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    *data = out;
}

/// Replaces one run of digits (a number) by numeric-looking junk.
fn replace_number(rng: &mut Rng, data: &mut Vec<u8>) {
    let digits: Vec<usize> = (0..data.len())
        .filter(|&i| data[i].is_ascii_digit())
        .collect();
    if digits.is_empty() {
        return;
    }
    let mut a = digits[rng.below(digits.len() as u64) as usize];
    let mut b = a;
    while a > 0 && (data[a - 1].is_ascii_digit() || data[a - 1] == b'.' || data[a - 1] == b'-') {
        a -= 1;
    }
    while b < data.len() && (data[b].is_ascii_digit() || data[b] == b'.' || data[b] == b'e') {
        b += 1;
    }
    let junk: &[&[u8]] = &[
        b"1e308",
        b"-1e308",
        b"-0",
        b"NaN",
        b"0.3389914537612095-4",
        b"1e-320",
        b"0",
        b"-1",
        b"1.7976931348623157e308",
        b"4.9e-324",
        b"12345678901234567890",
        b"0.1",
        b"2",
        b"-5",
        b"1e400",
    ];
    let j = junk[rng.below(junk.len() as u64) as usize];
    data.splice(a..b, j.iter().copied());
}

/// One mutation of `data`; `other` is another seed to splice from.
pub fn mutate_once(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.below(16) {
        0 if len > 0 => {
            let i = rng.below(len as u64) as usize;
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len as u64) as usize;
            data[i] = rng.next_u64() as u8;
        }
        2 => {
            let i = pos(rng, len);
            data.insert(i, rng.next_u64() as u8);
        }
        3..=5 => {
            let i = pos(rng, len);
            let t = token(rng);
            data.splice(i..i, t.iter().copied());
        }
        6 if len > 0 => {
            let a = rng.below(len as u64) as usize;
            let b = (a + 1 + rng.below(16) as usize).min(len);
            data.drain(a..b);
        }
        7 if len > 0 => {
            let a = rng.below(len as u64) as usize;
            let b = (a + 1 + rng.below(64) as usize).min(len);
            let piece = data[a..b].to_vec();
            let i = pos(rng, len);
            data.splice(i..i, piece);
        }
        8 => {
            let i = pos(rng, len);
            data.truncate(i);
        }
        9 => duplicate_row(rng, data),
        10 => duplicate_column(rng, data),
        11 => delete_column(rng, data),
        12 | 13 => replace_number(rng, data),
        14 if !other.is_empty() => {
            let a = rng.below(other.len() as u64) as usize;
            let b = (a + 1 + rng.below(256) as usize).min(other.len());
            let i = pos(rng, len);
            data.splice(i..i, other[a..b].iter().copied());
        }
        15 if rng.below(8) == 0 => to_utf16(rng, data),
        _ => {
            let i = pos(rng, len);
            data.splice(i..i, token(rng).iter().copied());
        }
    }
}

/// 1 to 8 stacked mutations.
pub fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    if rng.below(500) == 0 {
        // A cell (or header) longer than 65,535 bytes, rarely: it is slow.
        let i = pos(rng, data.len());
        let run = vec![b'a'; 65_536 + rng.below(4096) as usize];
        data.splice(i..i, run);
    }
    for _ in 0..=rng.below(8) {
        mutate_once(rng, data, other);
    }
}

/// The first `lines` lines of `data` (the header and a few rows).
pub fn head(data: &[u8], lines: usize) -> &[u8] {
    let mut seen = 0;
    for (i, &b) in data.iter().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen == lines {
                return &data[..=i];
            }
        }
    }
    data
}

//! Bytes to text: BOMs (UTF-8, UTF-16 LE/BE), plain UTF-8, and
//! Windows-1252 (a superset of the printable Latin-1) when the bytes are not
//! valid UTF-8, which is what Excel on Windows writes for "CSV".

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::ImportError;

/// The text encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Windows-1252, which also reads Latin-1 (ISO-8859-1) text.
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16Le => "UTF-16 LE",
            TextEncoding::Utf16Be => "UTF-16 BE",
            TextEncoding::Windows1252 => "Windows-1252 / Latin-1",
        }
    }
}

/// Decodes a text file. Errors when the bytes are not text at all (NUL
/// bytes or many control characters outside a UTF-16 file).
/// UTF-8 is borrowed, not copied (a large file is not held twice).
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, TextEncoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((Cow::Borrowed(s), TextEncoding::Utf8Bom)),
            Err(e) => Err(ImportError::InvalidUtf8 {
                byte: e.valid_up_to() + 3,
            }),
        };
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return Ok((
            Cow::Owned(strip_bom(text.into_owned())),
            TextEncoding::Utf16Le,
        ));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let (text, _, _) = encoding_rs::UTF_16BE.decode(bytes);
        return Ok((
            Cow::Owned(strip_bom(text.into_owned())),
            TextEncoding::Utf16Be,
        ));
    }
    check_not_binary(bytes)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((Cow::Borrowed(s), TextEncoding::Utf8)),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            Ok((Cow::Owned(text.into_owned()), TextEncoding::Windows1252))
        }
    }
}

fn strip_bom(s: String) -> String {
    match s.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_owned(),
        None => s,
    }
}

/// A text file has no NUL bytes and few control characters; a picture, a
/// PDF, a zip or a Word document has many.
fn check_not_binary(bytes: &[u8]) -> Result<(), ImportError> {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if let Some(pos) = sample.iter().position(|&b| b == 0) {
        return Err(ImportError::Binary { byte: pos });
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if sample.len() >= 16 && control * 20 > sample.len() {
        let pos = sample
            .iter()
            .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
            .unwrap_or(0);
        return Err(ImportError::Binary { byte: pos });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(b"a,b").unwrap(), ("a,b".into(), TextEncoding::Utf8));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa,b").unwrap(),
            ("a,b".into(), TextEncoding::Utf8Bom)
        );
    }

    #[test]
    fn utf16_both_byte_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é,b".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le).unwrap(), ("é,b".into(), TextEncoding::Utf16Le));
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("é,b".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&be).unwrap(), ("é,b".into(), TextEncoding::Utf16Be));
    }

    #[test]
    fn latin1_falls_back_to_windows_1252() {
        // "Größe;€" in Windows-1252
        let bytes = b"Gr\xF6\xDFe;\x80";
        assert_eq!(
            decode(bytes).unwrap(),
            ("Größe;€".into(), TextEncoding::Windows1252)
        );
    }

    #[test]
    fn binary_is_refused_with_position() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(matches!(decode(png), Err(ImportError::Binary { byte: 8 })));
    }
}

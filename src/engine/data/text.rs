//! A column of texts in one buffer: the cells end to end and where each
//! ends. Four bytes per cell plus the text, instead of a `String` (24 bytes
//! and an allocation) per cell: what lets a million-row file fit in a
//! browser tab.

use serde::{Deserialize, Serialize};

/// Cell texts of one column, in row order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextColumn {
    text: String,
    /// `ends[i]`: the byte offset in `text` where cell `i` ends.
    ends: Vec<u32>,
}

/// The most text one column may hold (offsets are 32-bit).
pub const MAX_COLUMN_BYTES: usize = u32::MAX as usize;

impl TextColumn {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(cells: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(cells),
        }
    }

    /// Appends a cell. Returns `false` (and appends nothing) when the
    /// column would pass [`MAX_COLUMN_BYTES`].
    pub fn push(&mut self, cell: &str) -> bool {
        let end = self.text.len().checked_add(cell.len());
        let Some(end) = end.and_then(|e| u32::try_from(e).ok()) else {
            return false;
        };
        self.text.push_str(cell);
        self.ends.push(end);
        true
    }

    /// Appends `other`'s cells. Returns `false` (and appends nothing) when
    /// the column would pass [`MAX_COLUMN_BYTES`].
    pub fn append(&mut self, other: &TextColumn) -> bool {
        let end = self.text.len().checked_add(other.text.len());
        if end.and_then(|e| u32::try_from(e).ok()).is_none() {
            return false;
        }
        // Fits in 32 bits: checked above.
        let base = self.text.len() as u32;
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|&e| e + base));
        true
    }

    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Cell `i` ("" past the end).
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The cells as a vector (for tests and small tables).
    pub fn to_vec(&self) -> Vec<&str> {
        self.iter().collect()
    }

    /// Only the given rows, in that order.
    pub fn subset(&self, rows: &[usize]) -> Self {
        let mut out = Self::with_capacity(rows.len(), 0);
        for &r in rows {
            out.push(self.get(r));
        }
        out
    }

    /// Bytes held (text and offsets).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + 4 * self.ends.capacity()
    }

    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<'a> FromIterator<&'a str> for TextColumn {
    fn from_iter<I: IntoIterator<Item = &'a str>>(iter: I) -> Self {
        let mut c = Self::new();
        for s in iter {
            c.push(s);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_including_empty_and_unicode() {
        let cells = ["", "a", "Ünïcödé", "", "x,y\nz"];
        let c: TextColumn = cells.iter().copied().collect();
        assert_eq!(c.len(), 5);
        assert_eq!(c.to_vec(), cells);
        assert_eq!(c.get(99), "");
        assert_eq!(
            c.subset(&[4, 2, 2]).to_vec(),
            ["x,y\nz", "Ünïcödé", "Ünïcödé"]
        );
    }
}

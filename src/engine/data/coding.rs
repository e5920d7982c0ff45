//! Cell texts coded as levels: merges applied, then the natural order (the
//! "no" of a yes/no pair first), then the user's order and reference.

use std::borrow::Cow;

use super::hash::FastMap;
use super::level_order::level_cmp;
use super::{ColumnData, ColumnOverride, SpecError, MISSING_CODE};

/// Codes cells as levels: `level` gives a cell's level text (`None`:
/// missing), merges apply, then natural order (the "no" of a yes/no pair
/// first), then the user's order, then the reference. Each distinct cell
/// text is looked at once; the other cells cost one hash lookup and no
/// allocation.
pub(super) fn encode_levels<'a>(
    name: &str,
    cells: impl Iterator<Item = &'a str>,
    level: impl Fn(&'a str) -> Option<Cow<'a, str>>,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let mut coder = LevelCoder::new(level, ov);
    let mut by_cell: FastMap<&'a str, u32> = FastMap::default();
    let mut codes: Vec<u32> = Vec::with_capacity(cells.size_hint().0);
    for cell in cells {
        let code = match by_cell.get(cell) {
            Some(&code) => code,
            None => {
                let code = coder.code(cell);
                by_cell.insert(cell, code);
                code
            }
        };
        codes.push(code);
    }
    coder.finish(name, codes)
}

/// A cell text's level code (merges applied), levels numbered as met.
pub(super) struct LevelCoder<'a, 'o, F> {
    level: F,
    ov: &'o ColumnOverride,
    merged: FastMap<&'o str, &'o str>,
    index: FastMap<String, u32>,
    levels: Vec<String>,
    cell: std::marker::PhantomData<&'a str>,
}

impl<'a, 'o, F: Fn(&'a str) -> Option<Cow<'a, str>>> LevelCoder<'a, 'o, F> {
    pub(super) fn new(level: F, ov: &'o ColumnOverride) -> Self {
        let mut merged: FastMap<&str, &str> = FastMap::default();
        for m in &ov.merges {
            for l in &m.levels {
                merged.insert(l.as_str(), m.into.as_str());
            }
        }
        LevelCoder {
            level,
            ov,
            merged,
            index: FastMap::default(),
            levels: Vec::new(),
            cell: std::marker::PhantomData,
        }
    }

    pub(super) fn code(&mut self, cell: &'a str) -> u32 {
        let Some(t) = (self.level)(cell) else {
            return MISSING_CODE;
        };
        let t: &str = self.merged.get(t.as_ref()).copied().unwrap_or(t.as_ref());
        match self.index.get(t) {
            Some(&c) => c,
            None => {
                let c = self.levels.len() as u32;
                self.index.insert(t.to_owned(), c);
                self.levels.push(t.to_owned());
                c
            }
        }
    }

    /// The column, once every cell is coded: a merge of levels none of
    /// which occurs is an error (a typo in the settings).
    pub(super) fn finish(self, name: &str, codes: Vec<u32>) -> Result<ColumnData, SpecError> {
        for m in &self.ov.merges {
            if m.levels.iter().all(|l| {
                !self.index.contains_key(l.as_str()) && !self.index.contains_key(m.into.as_str())
            }) {
                if let Some(l) = m.levels.first() {
                    return Err(SpecError::UnknownLevel {
                        column: name.to_owned(),
                        level: l.clone(),
                        present: self.levels.clone(),
                    });
                }
            }
        }
        finish_levels(name, codes, self.levels, self.ov)
    }
}

/// Orders levels (default natural order, then the user's order) and sets
/// the reference; recodes accordingly.
pub(super) fn finish_levels(
    name: &str,
    mut codes: Vec<u32>,
    levels: Vec<String>,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by(|&a, &b| level_cmp(&levels[a], &levels[b]));
    if levels.len() == 2 && is_negative(&levels[order[1]]) && !is_negative(&levels[order[0]]) {
        order.swap(0, 1);
    }
    let mut front = Vec::new();
    for l in &ov.level_order {
        let pos =
            order
                .iter()
                .position(|&i| &levels[i] == l)
                .ok_or_else(|| SpecError::UnknownLevel {
                    column: name.to_owned(),
                    level: l.clone(),
                    present: levels.clone(),
                })?;
        front.push(order.remove(pos));
    }
    front.extend(order);
    let order = front;
    let mut recode = vec![0u32; levels.len()];
    for (new, &old) in order.iter().enumerate() {
        recode[old] = new as u32;
    }
    for c in codes.iter_mut().filter(|c| **c != MISSING_CODE) {
        *c = recode[*c as usize];
    }
    let levels: Vec<String> = order.iter().map(|&i| levels[i].clone()).collect();
    let reference = match &ov.reference {
        Some(r) => levels
            .iter()
            .position(|l| l == r)
            .ok_or_else(|| SpecError::UnknownLevel {
                column: name.to_owned(),
                level: r.clone(),
                present: levels.clone(),
            })?,
        None => 0,
    };
    Ok(ColumnData::Categorical {
        codes,
        levels,
        reference,
    })
}

/// The "negative" member of common two-level codings, which goes first and
/// is the default reference.
fn is_negative(level: &str) -> bool {
    const NEG: [&str; 9] = [
        "0", "no", "n", "false", "f", "negative", "neg", "absent", "none",
    ];
    NEG.iter().any(|n| n.eq_ignore_ascii_case(level.trim()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{levels, raw};
    use crate::engine::data::{
        ColumnData, ColumnKind, Dataset, DatasetSpec, LevelMerge, SpecError,
    };

    #[test]
    fn overrides_reference_order_and_merge() {
        let r = raw("h\nDuctal\nLobular\nOther\nDuctal\nOther\n");
        let mut spec = DatasetSpec::default().with_kind("h", ColumnKind::Categorical);
        spec.column_mut("h").merges.push(LevelMerge {
            levels: vec!["Lobular".into(), "Other".into()],
            into: "Non-ductal".into(),
        });
        spec.column_mut("h").level_order = vec!["Non-ductal".into()];
        spec.column_mut("h").reference = Some("Ductal".into());
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(
            levels(&ds, "h"),
            [("Non-ductal".into(), 3), ("Ductal".into(), 2)]
        );
        let ColumnData::Categorical { reference, .. } = ds.column("h").unwrap().data else {
            panic!()
        };
        assert_eq!(reference, 1);
        let bad = DatasetSpec::default()
            .with_kind("h", ColumnKind::Categorical)
            .with_reference("h", "Tubular");
        assert_eq!(
            Dataset::build(&r, &bad).unwrap_err(),
            SpecError::UnknownLevel {
                column: "h".into(),
                level: "Tubular".into(),
                present: vec!["Ductal".into(), "Lobular".into(), "Other".into()],
            }
        );
    }
}

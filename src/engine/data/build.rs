//! Typing a raw table: [`Dataset::build`] gives each column the kind the
//! spec (or inference) says, derived columns last, in one fallible step.

use std::borrow::Cow;

use super::coding::{encode_levels, LevelCoder};
use super::cut::cut_column;
use super::infer::{
    infer_one, is_missing, parse_number, trim_tokens, ColumnInference, DistinctCells, FieldType,
};
use super::{
    Column, ColumnData, ColumnKind, ColumnOverride, Dataset, DatasetSpec, RawTable, SpecError,
    TextColumn, MISSING_CODE,
};

impl Dataset {
    /// Types the raw table as the spec says (inferred kinds where it says
    /// nothing). Fails on the first cell or setting that cannot be applied,
    /// naming it.
    pub fn build(raw: &RawTable, spec: &DatasetSpec) -> Result<Dataset, SpecError> {
        for name in spec.columns.keys() {
            let known = raw.headers.contains(name) || spec.derived.iter().any(|d| &d.name == name);
            if !known {
                return Err(SpecError::UnknownColumn {
                    column: name.clone(),
                });
            }
        }
        let mut diagnostics = raw.diagnostics.clone();
        let mut columns = Vec::with_capacity(raw.headers.len() + spec.derived.len());
        let none = ColumnOverride::default();
        let tokens = trim_tokens(&spec.missing_tokens);
        let typed = crate::engine::parallel::map(raw.headers.len(), |j| {
            let (name, cells) = (&raw.headers[j], &raw.cells[j]);
            let comma = raw.format.decimal_comma();
            let (inf, numbers, distinct) = infer_one(name, cells, &raw.row_numbers, &tokens, comma);
            let ov = spec.columns.get(name).unwrap_or(&none);
            // A reference or an order of levels chosen for a numeric column
            // (a treatment coded 1/2, grade 1/2/3) reads its values as levels.
            let as_levels = inf.suggested == ColumnKind::Numeric
                && (ov.reference.is_some() || !ov.level_order.is_empty());
            let kind = ov.kind.unwrap_or(if as_levels {
                ColumnKind::Categorical
            } else {
                inf.suggested
            });
            let notes = if ov.kind.is_none() || ov.kind == Some(inf.suggested) {
                inf.diagnostics()
            } else {
                Vec::new()
            };
            let data = match (kind, numbers) {
                (ColumnKind::Numeric, Some(v)) => ColumnData::Numeric(v),
                _ => type_column(raw, spec, &inf, cells, distinct, kind, ov)?,
            };
            let column = Column {
                name: name.clone(),
                kind,
                suggested: inf.suggested,
                derived_from: None,
                data,
            };
            Ok((column, notes))
        });
        for t in typed {
            let (column, notes) = t?;
            diagnostics.extend(notes);
            columns.push(column);
        }
        for d in &spec.derived {
            if columns.iter().any(|c| c.name == d.name) {
                return Err(SpecError::NameTaken {
                    column: d.name.clone(),
                });
            }
            let source = columns.iter().find(|c| c.name == d.source).ok_or_else(|| {
                SpecError::UnknownColumn {
                    column: d.source.clone(),
                }
            })?;
            let ov = spec.columns.get(&d.name).unwrap_or(&none);
            let data = cut_column(&d.name, source, &d.recode, ov)?;
            let kind = match &data {
                ColumnData::Categorical { levels, .. } if levels.len() <= 2 => ColumnKind::Binary,
                _ => ColumnKind::Categorical,
            };
            columns.push(Column {
                name: d.name.clone(),
                kind,
                suggested: kind,
                derived_from: Some(d.source.clone()),
                data,
            });
        }
        Ok(Dataset {
            n_rows: raw.n_rows(),
            columns,
            row_numbers: raw.row_numbers.clone(),
            diagnostics,
        })
    }
}

fn type_column<'a>(
    raw: &RawTable,
    spec: &DatasetSpec,
    inf: &ColumnInference,
    cells: &'a TextColumn,
    distinct: Option<DistinctCells<'a>>,
    kind: ColumnKind,
    ov: &ColumnOverride,
) -> Result<ColumnData, SpecError> {
    let tokens = &trim_tokens(&spec.missing_tokens);
    let comma = raw.format.decimal_comma();
    let name = &inf.name;
    match kind {
        ColumnKind::Numeric => {
            let mut v = Vec::with_capacity(cells.len());
            for (i, cell) in cells.iter().enumerate() {
                if is_missing(cell, tokens) {
                    v.push(f64::NAN);
                } else {
                    let x = parse_number(cell, comma).ok_or_else(|| SpecError::NotANumber {
                        column: name.clone(),
                        row: raw.row_numbers[i],
                        text: cell.to_owned(),
                    })?;
                    v.push(x);
                }
            }
            Ok(ColumnData::Numeric(v))
        }
        ColumnKind::Binary | ColumnKind::Categorical => {
            // Numbers are compared as numbers: `1` and `1.0` are one level.
            let numeric = matches!(inf.field_type, FieldType::Integer | FieldType::Float);
            let level = |c: &'a str| -> Option<Cow<'a, str>> {
                if is_missing(c, tokens) {
                    None
                } else if numeric {
                    parse_number(c, comma).map(|x| Cow::Owned(x.to_string()))
                } else {
                    Some(Cow::Borrowed(c))
                }
            };
            let data = match distinct {
                // Each distinct text coded once, then the cells by index.
                Some(d) => {
                    let mut coder = LevelCoder::new(level, ov);
                    let table: Vec<u32> = d.texts.iter().map(|t| coder.code(t)).collect();
                    let codes = d
                        .ids
                        .iter()
                        .map(|&id| table.get(id as usize).copied().unwrap_or(MISSING_CODE))
                        .collect();
                    coder.finish(name, codes)?
                }
                None => encode_levels(name, cells.iter(), level, ov)?,
            };
            if kind == ColumnKind::Binary {
                if let ColumnData::Categorical { levels, .. } = &data {
                    if levels.len() > 2 {
                        return Err(SpecError::NotBinary {
                            column: name.clone(),
                            count: levels.len(),
                            levels: levels.clone(),
                        });
                    }
                }
            }
            Ok(data)
        }
        ColumnKind::Text => Ok(ColumnData::Text(
            cells
                .iter()
                .map(|c| if is_missing(c, tokens) { "" } else { c })
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{levels, raw};
    use super::*;

    #[test]
    fn kinds_are_suggested() {
        let r = raw("id,age,marked,smoker,ct,note\n\
                     p1,52,1,yes,T2,a\np2,47.5,0,no,T1,b\np3,NA,0,no,T2,c\n\
                     p4,61,1,yes,T3,d\np5,39,0,no,T1,e\np6,55,1,no,T2,f\n");
        let ds = Dataset::build(&r, &DatasetSpec::default()).unwrap();
        let kinds: Vec<ColumnKind> = ds.columns.iter().map(|c| c.kind).collect();
        use ColumnKind::*;
        assert_eq!(kinds, [Text, Numeric, Binary, Binary, Categorical, Text]);
        assert_eq!(ds.column("age").unwrap().n_missing(), 1);
        assert_eq!(levels(&ds, "smoker"), [("no".into(), 4), ("yes".into(), 2)]);
        assert_eq!(levels(&ds, "marked"), [("0".into(), 3), ("1".into(), 3)]);
        let s = ds.column("age").unwrap().summary();
        assert_eq!((s.min, s.max), (Some(39.0), Some(61.0)));
    }

    #[test]
    fn numeric_override_names_the_bad_cell() {
        let r = raw("id;ki67\n1;10\n2;30\n3;12,5%\n4;40\n5;25\n6;50\n");
        let ds = Dataset::build(&r, &DatasetSpec::default()).unwrap();
        assert_ne!(ds.column("ki67").unwrap().kind, ColumnKind::Numeric);
        let warn = ds
            .diagnostics
            .iter()
            .find(|d| d.column.as_deref() == Some("ki67"))
            .expect("a warning about ki67");
        assert!(
            warn.message.contains("row 4 has text `12,5%`"),
            "{}",
            warn.message
        );
        let err = Dataset::build(
            &r,
            &DatasetSpec::default().with_kind("ki67", ColumnKind::Numeric),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `ki67` has text `12,5%` in row 4; expected a number"
        );
        let mut spec = DatasetSpec::default().with_kind("ki67", ColumnKind::Numeric);
        spec.missing_tokens.push("12,5%".into());
        let ds = Dataset::build(&r, &spec).unwrap();
        assert_eq!(ds.column("ki67").unwrap().n_missing(), 1);
    }

    #[test]
    fn binary_override_of_three_levels_fails_in_words() {
        let r = raw("x\na\nb\nc\na\n");
        let err = Dataset::build(
            &r,
            &DatasetSpec::default().with_kind("x", ColumnKind::Binary),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `x` has 3 different values (`a`, `b`, `c`), so it cannot be yes/no"
        );
    }

    #[test]
    fn row_order_does_not_change_kinds_or_counts() {
        let a = raw("x,y\n1,a\n2.5,b\n,a\n3,c\n");
        let b = raw("x,y\n3,c\n,a\n2.5,b\n1,a\n");
        let (da, db) = (
            Dataset::build(&a, &DatasetSpec::default()).unwrap(),
            Dataset::build(&b, &DatasetSpec::default()).unwrap(),
        );
        let strip = |d: &Dataset| {
            d.summaries()
                .into_iter()
                .map(|s| (s.name, s.kind, s.missing, s.levels, s.min, s.max))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&da), strip(&db));
    }
}

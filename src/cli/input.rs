//! The options shared by the subcommands, and the loading of the file they
//! name: [`Input`] (how to read and type the file) and [`TimeToEvent`] (the
//! outcome of `survival` and `cox`).

use std::path::{Path, PathBuf};

use clap::Args;

use super::choice::one_of;
use super::failure::Failure;
use crate::engine::data::{
    self, Closed, ColumnKind, Dataset, DatasetSpec, DerivedColumn, RawTable, ReadOptions, Recode,
};
use crate::engine::Choice;

/// The time-to-event outcome: shared by `survival` and `cox`.
#[derive(Args)]
pub(crate) struct TimeToEvent {
    /// Follow-up time column (numeric, >= 0).
    #[arg(long)]
    pub time: String,
    /// Event column (0/1, 1/2 with 2 = event, or a binary column; any
    /// coding, e.g. 0/1/2, with --event-level).
    #[arg(long)]
    pub event: String,
    /// The level of --event meaning the event (default: the
    /// non-reference level). The lowest level is censored; any other
    /// level (e.g. 2 = competing event) is counted as censored, with a
    /// note.
    #[arg(long)]
    pub event_level: Option<String>,
}

/// How to read and type the file: shared by every subcommand.
#[derive(Args)]
pub(crate) struct Input {
    /// A CSV/TSV file (separator, encoding and decimal comma detected) or a
    /// spreadsheet (.xlsx, .xls, .xlsb, .ods).
    pub file: PathBuf,
    /// The sheet of a workbook (default: the first with data).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The field separator: `,` `;` `|` or `tab` (default: detected).
    #[arg(long, value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
    /// Texts that mean missing, comma-separated (replaces the default
    /// list: empty, NA, N/A, ., NaN, null, -).
    #[arg(long, value_delimiter = ',')]
    pub missing: Option<Vec<String>>,
    /// The reference level of a categorical column: VAR=LEVEL (repeatable).
    #[arg(long = "ref", value_name = "VAR=LEVEL")]
    pub reference: Vec<String>,
    /// Override a column's kind: VAR=numeric|binary|categorical|text.
    #[arg(long, value_name = "VAR=KIND")]
    pub kind: Vec<String>,
    /// Cut a numeric column into a new one, cut points going to the lower
    /// group (`<= 50`): NEW=COLUMN:T1[,T2...] (repeatable).
    #[arg(long, value_name = "NEW=COLUMN:T1,...")]
    pub cut: Vec<String>,
    /// As --cut, cut points going to the upper group (`>= 20`).
    #[arg(long, value_name = "NEW=COLUMN:T1,...")]
    pub cut_left: Vec<String>,
    /// A dataset specification (JSON, as saved by the page) to start from.
    #[arg(long, value_name = "FILE")]
    pub dataset_spec: Option<PathBuf>,
}

/// `--delimiter`: `,` `;` `|` or `tab`.
pub(crate) fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," | ";" | "|" => Ok(s.as_bytes()[0]),
        _ => Err(format!("`{s}` is not a separator; use , ; | or tab")),
    }
}

/// `A=B` split at its first `=`, both sides non-empty.
fn split_pair<'a>(arg: &'a str, flag: &str, form: &str) -> Result<(&'a str, &'a str), Failure> {
    arg.split_once('=')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .ok_or_else(|| Failure::usage(format!("{flag} `{arg}`: expected {form}")))
}

/// The bytes of a file the user named.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::new(
            format!("cannot read {}: {e}", path.display()),
            "Check the path.",
        )
    })
}

/// How to read a file: the sheet and separator chosen, the rest detected.
pub(crate) fn read_options(sheet: Option<String>, delimiter: Option<u8>) -> ReadOptions {
    ReadOptions {
        delimiter,
        sheet,
        ..ReadOptions::default()
    }
}

impl Input {
    /// A column's kind set to `kind` (as `--kind VAR=KIND` does).
    pub fn set_kind(&mut self, column: &str, kind: ColumnKind) {
        self.kind.push(format!("{column}={}", kind.key()));
    }

    /// The dataset specification: `--dataset-spec`, then the options.
    fn spec(&self) -> Result<DatasetSpec, Failure> {
        let mut spec = match &self.dataset_spec {
            Some(p) => read_dataset_spec(p)?,
            None => DatasetSpec::default(),
        };
        if let Some(m) = &self.missing {
            spec.missing_tokens = m.clone();
        }
        for k in &self.kind {
            let (var, kind) = split_pair(k, "--kind", "VAR=KIND")?;
            let kind = ColumnKind::from_key(kind).ok_or_else(|| {
                Failure::usage(format!(
                    "--kind `{k}`: the kind must be {}",
                    one_of::<ColumnKind>()
                ))
            })?;
            spec.column_mut(var).kind = Some(kind);
        }
        for (args, closed) in [(&self.cut, Closed::Right), (&self.cut_left, Closed::Left)] {
            for c in args {
                spec.derived.push(cut(c, closed)?);
            }
        }
        for r in &self.reference {
            let (var, level) = split_pair(r, "--ref", "VAR=LEVEL")?;
            spec.column_mut(var).reference = Some(level.to_owned());
        }
        Ok(spec)
    }

    /// The file as read and as typed by the options.
    pub fn load(&self) -> Result<(RawTable, Dataset), Failure> {
        let bytes = read_bytes(&self.file)?;
        let options = read_options(self.sheet.clone(), self.delimiter);
        Ok(data::load(&bytes, &options, &self.spec()?)?)
    }
}

fn read_dataset_spec(p: &Path) -> Result<DatasetSpec, Failure> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", p.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "{} is not a dataset specification: {e}",
            p.display()
        ))
    })
}

/// `--cut NEW=COLUMN:T1,...` (or `--cut-left`) as a derived column.
fn cut(arg: &str, closed: Closed) -> Result<DerivedColumn, Failure> {
    let (name, rest) = split_pair(arg, "--cut", "NEW=COLUMN:T1,...")?;
    let (source, ts) = rest
        .split_once(':')
        .ok_or_else(|| Failure::usage(format!("--cut `{arg}`: expected NEW=COLUMN:T1,...")))?;
    let thresholds = ts
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<Result<Vec<f64>, _>>()
        .map_err(|_| Failure::usage(format!("--cut `{arg}`: cut points must be numbers")))?;
    Ok(DerivedColumn {
        name: name.to_owned(),
        source: source.to_owned(),
        recode: Recode::Cut {
            thresholds,
            closed,
            labels: None,
        },
    })
}

/// `--conf-level`: the confidence level of every interval printed.
#[derive(clap::Args)]
pub(crate) struct Level {
    /// The confidence level of the intervals, between 0 and 1.
    #[arg(long, value_name = "LEVEL", default_value_t = crate::engine::defaults::CONF_LEVEL,
          value_parser = parse_conf_level)]
    pub(crate) conf_level: f64,
}

/// A confidence level: a number strictly between 0 and 1.
pub(crate) fn parse_conf_level(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v < 1.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a confidence level: give a number between 0 and 1 (e.g. 0.95 for 95% intervals)"
        )),
    }
}

//! What the subcommands print and write: one JSON document, the notes
//! under a table, a table as CSV, a file of a study's output.

use std::path::Path;

use super::failure::Failure;
use crate::engine::Diagnostic;
use crate::report::table::ReportTable;

/// `value` as one pretty-printed JSON document on stdout.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::usage(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// The notes under a table: each message, its hint indented below.
pub(crate) fn print_diagnostics(items: &[Diagnostic]) {
    for d in items {
        println!("note: {}", d.message);
        if let Some(h) = &d.hint {
            println!("      {h}");
        }
    }
}

/// `table` as CSV into `path`, when one is given (`--csv FILE`).
pub(crate) fn write_csv(path: Option<&Path>, table: &ReportTable) -> Result<(), Failure> {
    if let Some(p) = path {
        std::fs::write(p, table.to_csv()).map_err(|e| Failure::cannot_write(p, e))?;
    }
    Ok(())
}

/// `text` into `path`, creating its folder if needed.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::usage(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text).map_err(|e| Failure::cannot_write(path, e))
}

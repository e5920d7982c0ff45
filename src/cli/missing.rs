//! `cohortlab missing`: the missing values per variable, overall and by
//! group with a test, and their patterns (as mice's md.pattern).

use std::path::PathBuf;

use super::failure::Failure;
use super::input::Input;
use super::output::{print_diagnostics, print_json, write_csv};
use crate::engine::missing::{missing_report, MissingSpec};
use crate::report::missing::{missing_table, pattern_table};

/// The options of `missing`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    /// The variables, comma-separated (default: every column that is not
    /// free text).
    #[arg(long, value_delimiter = ',')]
    vars: Vec<String>,
    /// Count the missing values by this column's groups, and test them.
    #[arg(long)]
    group: Option<String>,
    /// Print one JSON document (every pattern) instead of tables.
    #[arg(long)]
    json: bool,
    /// Write the table of missing values as CSV to this file too.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

/// Prints the missingness report.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let (_, dataset) = args.input.load()?;
    let spec = MissingSpec {
        variables: args.vars,
        group: args.group,
    };
    let r = missing_report(&dataset, &spec).map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let table = missing_table(&r);
    write_csv(args.csv.as_deref(), &table)?;
    if args.json {
        return print_json(&r);
    }
    print!("{}", table.to_text());
    println!();
    print!("{}", pattern_table(&r).to_text());
    print_diagnostics(&r.diagnostics);
    Ok(())
}

//! `cohortlab table1`: baseline characteristics by group.

use std::path::PathBuf;

use super::failure::Failure;
use super::input::Input;
use super::output::{print_diagnostics, print_json, write_csv};
use crate::engine::table1::{table1, CategoricalTest, ContinuousTest, Table1Spec};
use crate::report::table1::{table1_table, Table1Format};

/// The options of `table1`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    /// The grouping column (binary or categorical).
    #[arg(long)]
    group: String,
    /// The variables, comma-separated, in the order wanted.
    #[arg(long, value_delimiter = ',', required = true)]
    vars: Vec<String>,
    /// Continuous variables to show as median [IQR] and test by Mann-Whitney.
    #[arg(long, value_delimiter = ',')]
    nonnormal: Vec<String>,
    /// Numeric variables to summarise as continuous even when they
    /// have at most 5 whole-number values (shown as n (%) by default).
    #[arg(long, value_delimiter = ',')]
    continuous: Vec<String>,
    /// Test of categorical variables: auto (Pearson; Fisher when an
    /// expected count is < 5), pearson, yates, fisher, lr.
    #[arg(long, value_enum, default_value_t)]
    categorical_test: CategoricalTest,
    /// Test of continuous variables: welch or student.
    #[arg(long, value_enum, default_value_t)]
    continuous_test: ContinuousTest,
    /// Decimals of percentages, 0 to 6 (default 1).
    #[arg(long, default_value_t = 1,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=6))]
    percent_decimals: usize,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the table as CSV to this file too.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

/// Prints Table 1 (and writes it as CSV with `--csv`).
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let spec = Table1Spec {
        group: args.group,
        variables: args.vars,
        nonnormal: args.nonnormal,
        continuous: args.continuous,
        categorical_test: args.categorical_test,
        continuous_test: args.continuous_test,
    };
    let (_, dataset) = args.input.load()?;
    let t = table1(&dataset, &spec).map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let table = table1_table(
        &t,
        Table1Format {
            percent_decimals: args.percent_decimals,
            ..Default::default()
        },
    );
    write_csv(args.csv.as_deref(), &table)?;
    if args.json {
        print_json(&t)
    } else {
        print!("{}", table.to_text());
        print_diagnostics(&t.diagnostics);
        Ok(())
    }
}

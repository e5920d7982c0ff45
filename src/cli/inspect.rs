//! `cohortlab inspect`: every column with its kind, missing count and
//! levels or range.

use super::failure::Failure;
use super::input::Input;
use super::output::print_json;
use crate::report::inspect::Inspection;

/// The options of `inspect`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

/// Prints the inspection of the file.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let (raw, dataset) = args.input.load()?;
    let inspection = Inspection::new(&raw.format, &dataset);
    if args.json {
        print_json(&inspection)
    } else {
        print!("{}", inspection.to_text());
        Ok(())
    }
}

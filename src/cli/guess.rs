//! `cohortlab guess`: the study design guessed from the file.

use super::failure::Failure;
use super::input::Input;
use super::output::{print_diagnostics, print_json};
use crate::engine::design::guess_design;
use crate::report::design::{design_text, guessed_settings};

/// The options of `guess`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    /// Print one JSON document (the guess and the settings it stands for).
    #[arg(long)]
    json: bool,
}

/// Prints the guess (and, with `--json`, the settings it stands for).
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let (_, dataset) = args.input.load()?;
    let guess = guess_design(&dataset);
    if args.json {
        let settings = guessed_settings(&guess);
        print_json(&serde_json::json!({ "guess": guess, "settings": settings }))
    } else {
        print!("{}", design_text(&guess));
        print_diagnostics(&guess.diagnostics);
        Ok(())
    }
}

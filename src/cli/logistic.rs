//! `cohortlab logistic`: the univariate screen and the multivariable
//! logistic model (odds ratios, CIs, P values).

use std::path::PathBuf;

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json, write_csv};
use crate::engine::data::Dataset;
use crate::engine::regression::{LogisticFit, LogisticSpec, ScreenRow};
use crate::engine::study::{regression_step, validate::p_threshold};
use crate::report::regression::regression_table;

/// The options of `logistic`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    level: Level,
    /// The binary outcome column.
    #[arg(long)]
    outcome: String,
    /// The outcome level counted as the event (default: the
    /// non-reference level, e.g. 1 or Yes).
    #[arg(long)]
    event: Option<String>,
    /// The variables, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    vars: Vec<String>,
    /// Only the univariate screen (each variable on its own).
    #[arg(long)]
    univariate: bool,
    /// Enter this categorical variable as an ordinal score 1, 2, ...
    /// (repeatable).
    #[arg(long, value_name = "VAR")]
    ordinal: Vec<String>,
    /// Put in the multivariable model only the variables whose
    /// univariate P is below this (default: all of --vars).
    #[arg(long, value_name = "P")]
    select_p: Option<f64>,
    /// Firth's penalised likelihood (as R's logistf): finite
    /// estimates under separation, profile penalised-likelihood CIs
    /// and penalised likelihood-ratio P values.
    #[arg(long)]
    firth: bool,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
    /// Write the table as CSV to this file too.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

/// Prints the screen and the model (and writes them as CSV with `--csv`).
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    if let Some(p) = args.select_p {
        p_threshold("--select-p", p).map_err(Failure::usage)?;
    }
    let (_, dataset) = args.input.load()?;
    let spec = LogisticSpec {
        outcome: args.outcome,
        event: args.event,
        variables: args.vars,
        ordinal: args.ordinal,
        conf_level: args.level.conf_level,
        firth: args.firth,
    };
    let (screen, multi) = screen_select_fit(&dataset, &spec, args.univariate, args.select_p)?;
    let table = regression_table(&screen, multi.as_ref());
    write_csv(args.csv.as_deref(), &table)?;
    if args.json {
        return match &multi {
            Some(m) => print_json(m),
            None => print_json(&screen),
        };
    }
    print!("{}", table.to_text());
    if let Some(m) = &multi {
        print_diagnostics(&m.diagnostics);
    }
    Ok(())
}

/// The study's regression step ([`regression_step`]): each variable on
/// its own, then (unless `univariate`) the multivariable model of those
/// selected by `select_p` (all without it). An error when none is
/// selected, the model fails, or every variable's own fit fails.
fn screen_select_fit(
    dataset: &Dataset,
    spec: &LogisticSpec,
    univariate: bool,
    select_p: Option<f64>,
) -> Result<(Vec<ScreenRow>, Option<LogisticFit>), Failure> {
    let run = regression_step(dataset, spec, select_p, !univariate);
    if !univariate && run.chosen.is_empty() {
        return Err(Failure::usage(format!(
            "no variable has a univariate P below {}",
            select_p.unwrap_or_default()
        )));
    }
    let multi = match &run.multivariable {
        Some(Err(e)) => return Err(Failure::new(e.to_string(), e.hint())),
        Some(Ok(f)) => Some(f.clone()),
        None => None,
    };
    if let Some(e) = run.all_failed() {
        return Err(Failure::new(e.message.clone(), e.hint.clone()));
    }
    Ok((run.screen, multi))
}

//! `cohortlab survival`: Kaplan-Meier by group, landmarks, medians and
//! log-rank tests.

use super::failure::Failure;
use super::input::{Input, Level, TimeToEvent};
use super::output::print_json;
use crate::engine::survival::{
    check_survival_options, survival_analysis_with, CiTransform, SurvivalError, SurvivalOptions,
    SurvivalSpec,
};

/// The options of `survival`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    outcome: TimeToEvent,
    #[command(flatten)]
    level: Level,
    /// Group by one column, or by two crossed: COL or COL1,COL2.
    #[arg(long, value_delimiter = ',')]
    group: Vec<String>,
    /// Landmark times for survival with CI, comma-separated.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    at: Vec<f64>,
    /// Confidence interval transform: log (R), log-log (SAS), plain.
    #[arg(long, value_enum, default_value_t)]
    ci: CiTransform,
    /// Stratify the log-rank test by this column (e.g. matched set).
    #[arg(long)]
    strata: Option<String>,
    /// Fleming-Harrington rho of the test (0 log-rank, 1 Peto-Peto).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    rho: f64,
    /// Restricted mean survival time up to this time.
    #[arg(long, value_name = "TAU", allow_negative_numbers = true)]
    rmst: Option<f64>,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    json: bool,
}

fn failure(e: SurvivalError) -> Failure {
    Failure::new(e.cli_message(), e.hint())
}

/// Prints the survival analysis.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    check_survival_options(&args.at, args.rho, args.rmst).map_err(failure)?;
    let (_, dataset) = args.input.load()?;
    let TimeToEvent {
        time,
        event,
        event_level,
    } = args.outcome;
    let spec = SurvivalSpec {
        time,
        event,
        event_level,
        groups: args.group,
        strata: args.strata,
    };
    let options = SurvivalOptions {
        transform: args.ci,
        conf_level: args.level.conf_level,
        at: &args.at,
        rho: args.rho,
        rmst: args.rmst,
    };
    let s = survival_analysis_with(&dataset, &spec, &options).map_err(failure)?;
    if args.json {
        print_json(&s)
    } else {
        print!("{}", s.to_text());
        Ok(())
    }
}

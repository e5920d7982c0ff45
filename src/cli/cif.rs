//! `cohortlab cif`: cumulative incidence of the event of interest and of
//! each competing event by group (Aalen-Johansen), at landmark times with
//! CIs and numbers at risk, and Gray's test per cause.

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::competing::{
    competing_analysis, CifOptions, CifVariance, CompetingError, CompetingSpec,
};
use crate::engine::survival::CiTransform;
use crate::report::competing::{at_risk_table, cause_table};

/// The options of `cif`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    status: Status,
    /// Compare the groups of this column (Gray's test).
    #[arg(long)]
    group: Option<String>,
    /// Landmark times for the cumulative incidence with CI, comma-separated.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    at: Vec<f64>,
    /// The variance of the SEs and CIs.
    #[arg(long, value_enum, default_value_t)]
    variance: CifVariance,
    /// CI transform (default: log with survfit's variance, log-log with
    /// cuminc's).
    #[arg(long, value_enum)]
    ci: Option<CiTransform>,
    #[command(flatten)]
    level: Level,
    /// Gray's test weight power rho (0, cuminc's default).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    rho: f64,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    json: bool,
}

/// The competing-risks outcome's options, shared with `finegray`.
#[derive(clap::Args)]
pub(crate) struct Status {
    /// Follow-up time column (numeric, >= 0).
    #[arg(long)]
    pub(crate) time: String,
    /// Status column, in any coding (e.g. 0/1/2 or
    /// censored/relapse/death).
    #[arg(long)]
    pub(crate) event: String,
    /// The level of --event meaning the event of interest.
    #[arg(long)]
    pub(crate) event_level: String,
    /// The level(s) meaning a competing event, comma-separated; every
    /// other level is censored.
    #[arg(long, value_delimiter = ',', required = true)]
    pub(crate) competing_level: Vec<String>,
}

impl Status {
    /// The spec of these options, comparing `group`.
    pub(crate) fn spec(self, group: Option<String>) -> CompetingSpec {
        CompetingSpec {
            time: self.time,
            status: self.event,
            event_level: self.event_level,
            competing_levels: self.competing_level,
            group,
        }
    }
}

fn failure(e: CompetingError) -> Failure {
    Failure::new(e.to_string(), e.hint())
}

/// Prints the competing-risks analysis.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut options = CifOptions::new(&args.at).variance(args.variance);
    options.transform = args.ci.unwrap_or(options.transform);
    options.conf_level = args.level.conf_level;
    options.rho = args.rho;
    let (_, dataset) = args.input.load()?;
    let spec = args.status.spec(args.group);
    let a = competing_analysis(&dataset, &spec, &options).map_err(failure)?;
    if args.json {
        return print_json(&a);
    }
    for k in 0..a.causes.len() {
        print!("{}", cause_table(&a, k).to_text());
        println!();
    }
    if !a.at.is_empty() {
        print!("{}", at_risk_table(&a).to_text());
    }
    if a.dropped > 0 {
        println!(
            "note: {} patient(s) with a missing value were left out",
            a.dropped
        );
    }
    print_diagnostics(&a.diagnostics);
    Ok(())
}

//! `cohortlab`: the command-line tool (native only). It runs the same
//! engine as the page on a file and prints text, or one JSON document with
//! `--json`. Errors go to stderr in words, with a hint, and a non-zero
//! exit; never a panic.
//!
//! One file per subcommand, each a thin call of engine and report
//! functions; the options shared by them and the loading of the file are
//! in `input`, the printing of an error in `failure` (its one place), and
//! the clap value enums of the engine's list options in `choice`.
//! Everything clap-specific stays under `src/cli/`: `engine` and `report`
//! know nothing of it.

mod choice;
mod cif;
mod cox;
mod evalue;
mod failure;
mod finegray;
mod guess;
mod input;
mod inspect;
mod logistic;
mod matching;
mod missing;
mod output;
mod run;
mod survival;
mod table1;
mod weighting;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use failure::Failure;

/// Retrospective cohort analysis (Table 1, matching, survival), offline.
#[derive(Parser)]
#[command(name = "cohortlab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Guess the study design from the columns' names and data: the
    /// groups compared, outcomes, follow-up time and event, baseline
    /// variables, and the columns never analysed, each with its reason.
    Guess(guess::Args),
    /// Show every column with its kind, missing count and levels or range.
    Inspect(inspect::Args),
    /// Table 1: baseline characteristics by group, with P values and SMD.
    Table1(table1::Args),
    /// Missing values per variable, overall and by group with a test,
    /// and the patterns in which they occur (as mice's md.pattern).
    Missing(missing::Args),
    /// Propensity-score matching (nearest neighbour, as MatchIt) and balance.
    Match(matching::Args),
    /// Propensity-score weighting (IPTW, ATT, overlap or matching weights,
    /// as WeightIt), weighted balance and weighted outcomes.
    Weight(weighting::Args),
    /// Kaplan-Meier survival by group: landmark survival, medians,
    /// log-rank test (k groups and pairwise).
    Survival(survival::Args),
    /// Competing risks: cumulative incidence of each cause by group
    /// (Aalen-Johansen, as R's survfit and cmprsk::cuminc), at landmark
    /// times with CIs and numbers at risk, and Gray's test per cause.
    Cif(cif::Args),
    /// Competing risks regression: the Fine-Gray model of the event of
    /// interest (subdistribution hazard ratios, as cmprsk::crr) beside the
    /// cause-specific Cox model of each cause.
    Finegray(finegray::Args),
    /// The whole study from a settings file (as saved by the page):
    /// writes report.html, results.json, tables/*.csv, figures/*.svg and
    /// matched.csv into --out.
    Run(run::Args),
    /// Cox proportional hazards regression: hazard ratios, 95% CIs, P.
    Cox(cox::Args),
    /// Logistic regression: odds ratios, 95% CIs and P values.
    Logistic(logistic::Args),
    /// The E-value of a risk, odds or hazard ratio and of its CI: how
    /// strong an unmeasured confounder would have to be to explain it away.
    Evalue(evalue::Args),
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Guess(args) => guess::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Table1(args) => table1::run(args),
        Command::Missing(args) => missing::run(args),
        Command::Match(args) => matching::run(args),
        Command::Weight(args) => weighting::run(args),
        Command::Survival(args) => survival::run(args),
        Command::Cif(args) => cif::run(args),
        Command::Finegray(args) => finegray::run(args),
        Command::Run(args) => run::run(args),
        Command::Cox(args) => cox::run(args),
        Command::Logistic(args) => logistic::run(args),
        Command::Evalue(args) => evalue::run(args),
    }
}

/// The command line parsed (clap prints its usage errors and exits 2) and
/// the subcommand run: success, or its error printed as `error:` and
/// `hint:` on stderr and exit 1.
pub fn main() -> ExitCode {
    failure::exit_code(run(Cli::parse().command))
}

//! `cohortlab finegray`: the Fine-Gray subdistribution hazards model of
//! the event of interest (as `cmprsk::crr`) beside the cause-specific Cox
//! model of the event and of each competing event, in one table.

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::competing::{
    competing_models, CompetingCovariates, CompetingError, CompetingModels, CompetingSpec,
};
use crate::engine::data::ColumnKind;
use crate::report::competing::models_table;

/// The options of `finegray`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    status: super::cif::Status,
    /// Covariates, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    vars: Vec<String>,
    /// Treat these (numeric-looking) columns as categorical.
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Enter this categorical covariate as an ordinal score (repeatable).
    #[arg(long, value_name = "VAR")]
    ordinal: Vec<String>,
    /// Cluster the SEs by this column (e.g. the matched set): Fine-Gray as
    /// crrSC::crrc, the cause-specific Cox models' robust SEs as
    /// coxph(cluster = ). Rows without a value are left out.
    #[arg(long, value_name = "COL")]
    cluster: Option<String>,
    #[command(flatten)]
    level: Level,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

/// The JSON document of `finegray`.
#[derive(serde::Serialize)]
struct Out<'a> {
    spec: &'a CompetingSpec,
    covariates: &'a CompetingCovariates,
    #[serde(flatten)]
    models: &'a CompetingModels,
}

fn failure(e: CompetingError) -> Failure {
    Failure::new(e.to_string(), e.hint())
}

/// Prints the Fine-Gray and cause-specific Cox models.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut input = args.input;
    for c in &args.categorical {
        input.set_kind(c, ColumnKind::Categorical);
    }
    let (_, dataset) = input.load()?;
    let spec = args.status.spec(None);
    let covariates = CompetingCovariates {
        variables: args.vars,
        ordinal: args.ordinal,
        cluster: args.cluster,
    };
    let models =
        competing_models(&dataset, &spec, &covariates, args.level.conf_level).map_err(failure)?;
    if args.json {
        return print_json(&Out {
            spec: &spec,
            covariates: &covariates,
            models: &models,
        });
    }
    print!("{}", models_table(&spec.status, &models).to_text());
    let fg = &models.fine_gray;
    if !fg.convergence.converged {
        println!("note: the Fine-Gray model {}", fg.convergence.reason);
    }
    if fg.dropped > 0 {
        println!(
            "note: {} row(s) with a missing value{} were left out",
            fg.dropped,
            if covariates.cluster.is_some() {
                " (including the cluster)"
            } else {
                ""
            }
        );
    }

    print_diagnostics(&models.diagnostics);
    print_diagnostics(&fg.diagnostics);
    Ok(())
}

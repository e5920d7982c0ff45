//! `cohortlab cox`: Cox proportional hazards regression and the test of
//! proportional hazards.

use super::failure::Failure;
use super::input::{Input, Level, TimeToEvent};
use super::output::print_json;
use crate::engine::data::ColumnKind;
use crate::engine::survival::{
    cox_model_weighted, cox_model_with_ph_test, weights_from_column, CoxError, CoxFit, CoxSpec,
    Ties, ZphRow,
};
use crate::report::survival::{cox_table, ph_test_table};

/// The options of `cox`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    #[command(flatten)]
    outcome: TimeToEvent,
    #[command(flatten)]
    level: Level,
    /// Covariates, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    vars: Vec<String>,
    /// Treat these (numeric-looking) columns as categorical.
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Enter this categorical covariate as an ordinal score (repeatable).
    #[arg(long, value_name = "VAR")]
    ordinal: Vec<String>,
    /// Tied event times: efron (R) or breslow (SPSS, SAS).
    #[arg(long, value_enum, default_value_t)]
    ties: Ties,
    /// Robust SE clustered by this column (e.g. matched set `subclass`).
    #[arg(long)]
    cluster: Option<String>,
    /// Stratify the baseline hazard by this column.
    #[arg(long)]
    strata: Option<String>,
    /// Case weights from this numeric column (e.g. IPT weights); implies
    /// robust SEs (clustered by --cluster, else per patient), as R's
    /// coxph(weights = , robust = TRUE). A row of weight 0 is left out.
    #[arg(long, value_name = "COL")]
    weights: Option<String>,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

/// The JSON document of `cox`.
#[derive(serde::Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    fit: &'a CoxFit,
    proportional_hazards: &'a [ZphRow],
    /// The weights column, when weighted.
    #[serde(skip_serializing_if = "Option::is_none")]
    weights: Option<&'a str>,
    /// Whether the SEs are robust (clustered or weighted).
    robust_se: bool,
}

/// Prints the model and the test of proportional hazards.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let mut input = args.input;
    for c in &args.categorical {
        input.set_kind(c, ColumnKind::Categorical);
    }
    let (_, dataset) = input.load()?;
    let TimeToEvent {
        time,
        event,
        event_level,
    } = args.outcome;
    let spec = CoxSpec {
        time,
        event,
        event_level,
        variables: args.vars,
        ordinal: args.ordinal,
        strata: args.strata,
        cluster: args.cluster,
        ties: args.ties,
        conf_level: args.level.conf_level,
    };
    let failure = |e: CoxError| Failure::new(e.to_string(), e.hint());
    let (fit, ph) = match &args.weights {
        Some(col) => {
            let w = weights_from_column(&dataset, col).map_err(|e| failure(CoxError::Data(e)))?;
            (
                cox_model_weighted(&dataset, &spec, Some(&w)).map_err(failure)?,
                Vec::new(),
            )
        }
        None => cox_model_with_ph_test(&dataset, &spec).map_err(failure)?,
    };
    let robust_se = fit.terms.iter().any(|t| t.robust.is_some());
    if args.json {
        return print_json(&Out {
            fit: &fit,
            proportional_hazards: &ph,
            weights: args.weights.as_deref(),
            robust_se,
        });
    }
    print!("{}", cox_table(&fit).to_text());
    match &args.weights {
        Some(col) => println!(
            "\nWeighted by column `{col}` (case weights; rows of weight 0 left out): the SEs are robust ({}), as R's coxph(weights = , robust = TRUE). The test of proportional hazards is not computed with weights.",
            match &spec.cluster {
                Some(c) => format!("clustered by `{c}`"),
                None => "each patient its own cluster".into(),
            }
        ),
        None => print!("\n{}", ph_test_table(&ph).to_text()),
    }
    if !fit.convergence.converged {
        println!("note: the model {}", fit.convergence.reason);
    }
    Ok(())
}

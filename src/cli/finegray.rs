//! `cohortlab finegray`: the Fine-Gray subdistribution hazards model of
//! the event of interest (as `cmprsk::crr`) beside the cause-specific Cox
//! model of the event and of each competing event, in one table.

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::competing::{
    competing_models, CompetingCovariates, CompetingError, CompetingModels, CompetingSpec,
    FineGrayVariance,
};
use crate::engine::data::ColumnKind;
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

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
    print!("{}", table(&spec, &models).to_text());
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

/// "1.23 (0.98–1.54)".
fn ratio(r: f64, lo: f64, hi: f64) -> String {
    format!("{} ({}–{})", fmt_num(r, 2), fmt_num(lo, 2), fmt_num(hi, 2))
}

/// One row per term: the SHR with its CI and P, then per cause the
/// cause-specific HR with its CI and P.
fn table(spec: &CompetingSpec, m: &CompetingModels) -> ReportTable {
    let fg = &m.fine_gray;
    let level = level_label(fg.conf_level);
    let status = &spec.status;
    let mut header = vec![
        "Term".to_string(),
        format!("SHR {status} = {} ({level} CI)", fg.event),
        "P".into(),
    ];
    for c in &m.cause_specific {
        header.push(format!(
            "Cause-specific HR {status} = {} ({level} CI)",
            c.cause
        ));
        header.push("P".into());
    }
    let rows = fg
        .terms
        .iter()
        .enumerate()
        .map(|(j, t)| {
            let mut cells = vec![
                t.term.clone(),
                ratio(t.shr, t.ci_lower, t.ci_upper),
                fmt_p(Some(t.p_value)),
            ];
            for c in &m.cause_specific {
                match c.fit.as_ref().and_then(|f| f.terms.get(j)) {
                    // Clustered: the robust CI and P, as summary.coxph.
                    Some(h) => match h.robust {
                        Some(r) => {
                            cells.push(ratio(h.hazard_ratio, r.ci_lower, r.ci_upper));
                            cells.push(fmt_p(Some(r.p_value)));
                        }
                        None => {
                            cells.push(ratio(h.hazard_ratio, h.ci_lower, h.ci_upper));
                            cells.push(fmt_p(Some(h.p_value)));
                        }
                    },
                    None => cells.extend(["no events".to_string(), String::new()]),
                }
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    let events: Vec<String> = m
        .cause_specific
        .iter()
        .map(|c| format!("{} = {}: {}", status, c.cause, c.events))
        .collect();
    let (fg_how, cox_se) = match &fg.variance {
        FineGrayVariance::Sandwich => ("as cmprsk::crr", String::new()),
        FineGrayVariance::Clustered { column, .. } => (
            "as cmprsk::crr, SEs as crrSC::crrc",
            format!(", robust SE clustered by {column}"),
        ),
    };
    let footnotes = vec![
        format!(
            "Fine-Gray subdistribution hazard ratio of {status} = {} ({fg_how}): {}, Wald {level} CI and P; competing: {}.",
            fg.event,
            fg.variance.label(),
            fg.competing.join(", ")
        ),
        format!("Cause-specific hazard ratios: Cox model (Efron ties) of each cause with the other causes censored{cox_se}."),
        format!(
            "Patients: {}; events {}; censored {}.",
            fg.n,
            events.join(", "),
            fg.censored
        ),
    ];
    ReportTable {
        title: format!("Competing risks regression of {status} = {}", fg.event),
        header,
        rows,
        footnotes,
    }
}

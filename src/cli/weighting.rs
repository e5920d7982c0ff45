//! `cohortlab weight`: propensity-score weighting (as WeightIt's
//! `method = "glm"`), the balance after it, the weighted outcomes and
//! their doubly robust estimates, and, with `--table1`, the weighted
//! Table 1 (with `--p-values`, its design-based tests).

use std::path::PathBuf;

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::matching::GroupCounts;
use crate::engine::regression::LogisticFit;
use crate::engine::study::WeightingSummary;
use crate::engine::table1::{Table1, Table1Spec};
use crate::engine::weighting::{
    doubly_robust, weight_patients, weighted_balance, weighted_outcome, weighted_table1,
    weighted_table1_tested, DoublyRobust, Estimand, GroupWeights, WeightOptions, WeightResult,
    WeightSpec, WeightedBalance, WeightedOutcome,
};
use crate::engine::{Code, Diagnostic};
use crate::report::table1::table1_table;
use crate::report::weighting::{
    doubly_robust_table, weighted_balance_table, weighted_csv, weighted_outcomes_table,
    weights_table,
};

/// `--trim`: a number strictly between 0 and 0.5.
fn parse_trim(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(q) if q > 0.0 && q < 0.5 => Ok(q),
        _ => Err(format!(
            "`{s}` is not a trimming threshold: give q between 0 and 0.5 (e.g. 0.1 keeps scores from 0.1 to 0.9)"
        )),
    }
}

/// `--truncate`: a number strictly between 0.5 and 1.
fn parse_truncate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p > 0.5 && p < 1.0 => Ok(p),
        _ => Err(format!(
            "`{s}` is not a percentile: give p between 0.5 and 1 (e.g. 0.99 caps the weights at their 99th percentile)"
        )),
    }
}

/// The options of `weight`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    input: Input,
    /// The treatment (group) column, binary.
    #[arg(long)]
    treatment: String,
    /// The level meaning treated (default: the non-reference level).
    #[arg(long)]
    treated_level: Option<String>,
    /// Covariates of the propensity model, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    covariates: Vec<String>,
    /// Enter this categorical covariate as an ordinal score (repeatable).
    #[arg(long, value_name = "VAR")]
    ordinal: Vec<String>,
    /// The population the effect is about.
    #[arg(long, value_enum, default_value_t)]
    estimand: Estimand,
    /// Stabilised weights (ATE only).
    #[arg(long)]
    stabilize: bool,
    /// Leave out patients with a score outside [Q, 1 - Q] (0 < Q < 0.5).
    #[arg(long, value_name = "Q", value_parser = parse_trim)]
    trim: Option<f64>,
    /// Cap the weights at their P-th quantile (0.5 < P < 1).
    #[arg(long, value_name = "P", value_parser = parse_truncate)]
    truncate: Option<f64>,
    /// A binary outcome compared between the weighted groups, with its
    /// doubly robust estimate (repeatable).
    #[arg(long, value_name = "COL")]
    outcome: Vec<String>,
    /// Table 1 of these variables (comma-separated) by the treatment,
    /// weighted: weighted n (%), mean (SD), no P values (see
    /// `--p-values`).
    #[arg(long, value_delimiter = ',', value_name = "VARS")]
    table1: Vec<String>,
    /// Variables of `--table1` shown as weighted median [IQR].
    #[arg(long, value_delimiter = ',', value_name = "VARS", requires = "table1")]
    nonnormal: Vec<String>,
    /// Numeric variables of `--table1` summarised as continuous even with
    /// at most 5 whole-number values.
    #[arg(long, value_delimiter = ',', value_name = "VARS", requires = "table1")]
    continuous: Vec<String>,
    /// Add design-based P values to the weighted Table 1, as tableone's
    /// svyCreateTableOne: Rao-Scott F (categorical), svyglm's Wald F
    /// (mean (SD)), svyranktest (median [IQR]).
    #[arg(long, requires = "table1")]
    p_values: bool,
    #[command(flatten)]
    level: Level,
    /// Write every patient (all columns + ps, weights) to this CSV file.
    #[arg(long, value_name = "WEIGHTED.csv")]
    out: Option<PathBuf>,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The weighted Table 1 asked for, if any.
    fn table1(&self) -> Option<Table1Spec> {
        (!self.table1.is_empty()).then(|| Table1Spec {
            group: self.treatment.clone(),
            variables: self.table1.clone(),
            nonnormal: self.nonnormal.clone(),
            continuous: self.continuous.clone(),
            categorical_test: Default::default(),
            continuous_test: Default::default(),
        })
    }

    /// The weighting asked for (the engine checks it).
    fn spec(&self) -> WeightSpec {
        WeightSpec {
            treatment: self.treatment.clone(),
            treated_level: self.treated_level.clone(),
            covariates: self.covariates.clone(),
            ordinal: self.ordinal.clone(),
            options: WeightOptions {
                estimand: self.estimand,
                stabilize: self.stabilize,
                trim: self.trim,
                truncate: self.truncate,
            },
        }
    }
}

/// The JSON document of `weight`.
#[derive(serde::Serialize)]
struct Out<'a> {
    spec: &'a WeightSpec,
    model: &'a LogisticFit,
    weights: WeightsSummary<'a>,
    balance: &'a WeightedBalance,
    outcomes: &'a [WeightedOutcome],
    /// The weighted Table 1 (`--table1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    table1: Option<&'a Table1>,
    /// The doubly robust estimate of each outcome that has one.
    doubly_robust: &'a [DoublyRobust],
    diagnostics: &'a [Diagnostic],
}

/// The weights by group and what trimming and truncation did.
#[derive(serde::Serialize)]
struct WeightsSummary<'a> {
    treated: &'a GroupWeights,
    control: &'a GroupWeights,
    trimmed: &'a GroupCounts,
    truncated: usize,
    infinite: usize,
}

/// Weights, prints the weights, balance and outcomes, and writes every
/// patient with its score and weight with `--out`.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let spec = args.spec();
    let (raw, dataset) = args.input.load()?;
    let w = weight_patients(&dataset, &spec).map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let outcomes = args
        .outcome
        .iter()
        .map(|o| weighted_outcome(&dataset, &w, o, args.level.conf_level))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    let table1 = args
        .table1()
        .map(|spec| {
            if args.p_values {
                weighted_table1_tested(&dataset, &spec, &w)
            } else {
                weighted_table1(&dataset, &spec, &w)
            }
        })
        .transpose()
        .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    if let Some(p) = &args.out {
        std::fs::write(p, weighted_csv(&raw, &w)).map_err(|e| Failure::cannot_write(p, e))?;
    }
    let mut diagnostics = w.diagnostics.clone();
    diagnostics.extend(outcomes.iter().flat_map(|o| o.diagnostics.iter().cloned()));
    diagnostics.extend(table1.iter().flat_map(|t| t.diagnostics.iter().cloned()));
    // The doubly robust estimates: one that cannot be made is a warning
    // (the weighted comparison stands).
    let mut dr = Vec::new();
    for o in &args.outcome {
        match doubly_robust(&dataset, &w, o, args.level.conf_level) {
            Ok(d) => {
                diagnostics.extend(d.diagnostics.iter().cloned());
                dr.push(d);
            }
            Err(e) => diagnostics.push(
                Diagnostic::warning(
                    Code::StepFailed,
                    Some(o),
                    format!("The doubly robust estimate of {o} could not be made: {e}."),
                )
                .with_hint(e.hint()),
            ),
        }
    }
    if args.json {
        let balance = weighted_balance(&dataset, &w);
        print_json(&Out {
            spec: &w.spec,
            model: &w.model,
            weights: WeightsSummary {
                treated: &w.treated_weights,
                control: &w.control_weights,
                trimmed: &w.trimmed,
                truncated: w.truncated,
                infinite: w.infinite,
            },
            balance: &balance,
            outcomes: &outcomes,
            table1: table1.as_ref(),
            doubly_robust: &dr,
            diagnostics: &diagnostics,
        })
    } else {
        print_text(
            &w,
            &WeightingSummary::new(&dataset, &w),
            &outcomes,
            &dr,
            args.level.conf_level,
        );
        if let Some(t) = &table1 {
            print!("\n{}", table1_table(t, Default::default()).to_text());
        }
        print_diagnostics(&diagnostics);
        Ok(())
    }
}

/// The model line, then the tables.
fn print_text(
    w: &WeightResult,
    summary: &WeightingSummary,
    outcomes: &[WeightedOutcome],
    dr: &[DoublyRobust],
    level: f64,
) {
    let m = &w.model;
    println!(
        "propensity model: logistic regression of {} ({} = {}) on {} covariate(s); {} patients ({} treated), {} left out for missing values; C statistic {}",
        w.spec.treatment,
        w.spec.treatment,
        m.event,
        w.spec.covariates.len(),
        m.n,
        m.events,
        m.dropped,
        m.c_statistic.map_or(String::from("-"), |c| format!("{c:.3}"))
    );
    print!(
        "{}\n{}",
        weights_table(summary).to_text(),
        weighted_balance_table(summary, None).to_text()
    );
    if !outcomes.is_empty() {
        print!(
            "\n{}",
            weighted_outcomes_table(outcomes, Some(summary), level).to_text()
        );
    }
    if !dr.is_empty() {
        print!(
            "\n{}",
            doubly_robust_table(dr, Some(summary), level).to_text()
        );
    }
}

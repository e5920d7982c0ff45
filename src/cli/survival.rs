//! `cohortlab survival`: Kaplan-Meier by group, landmarks, medians and
//! log-rank tests.

use super::failure::Failure;
use super::input::{Input, Level, TimeToEvent};
use super::output::print_json;
use crate::engine::survival::{
    check_survival_options, survival_analysis_weighted, weights_from_column, CiTransform,
    KmVariance, RmstComparison, RmstHorizon, SurvivalAnalysis, SurvivalError, SurvivalOptions,
    SurvivalSpec,
};
use crate::report::survival::rmst_table;
use crate::report::table::{fmt_num, fmt_p};

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
    /// Restricted mean survival time up to this time, per group with SE
    /// and CI, and each group against the first (difference and ratio,
    /// CIs and P, as survRM2); `auto`: survRM2's default horizon (the
    /// smallest of the groups' largest follow-up times, unless a group
    /// with shorter follow-up ends with an event).
    #[arg(long, value_name = "TAU|auto", allow_negative_numbers = true,
          value_parser = parse_rmst)]
    rmst: Option<RmstHorizon>,
    /// Case weights from this numeric column (e.g. IPT weights): weighted
    /// curves as R's survfit(weights = ) (robust SEs when any weight is not
    /// a whole number), compared by the robust score test of the weighted
    /// Cox model. A row of weight 0 is left out.
    #[arg(long, value_name = "COL")]
    weights: Option<String>,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    json: bool,
}

fn failure(e: SurvivalError) -> Failure {
    Failure::new(e.cli_message(), e.hint())
}

/// `--rmst`: a time, or `auto`.
fn parse_rmst(s: &str) -> Result<RmstHorizon, String> {
    match s.trim() {
        "auto" => Ok(RmstHorizon::Default),
        t => t.parse::<f64>().map(RmstHorizon::At).map_err(|_| {
            format!("`{s}` is not a time: give the horizon in the time column's unit, or auto")
        }),
    }
}

/// The horizon asked for, when a number.
fn chosen_tau(h: Option<RmstHorizon>) -> Option<f64> {
    h.and_then(RmstHorizon::chosen)
}

/// Prints the survival analysis.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    check_survival_options(&args.at, args.rho, chosen_tau(args.rmst)).map_err(failure)?;
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
        rmst: chosen_tau(args.rmst),
    };
    let weights = match &args.weights {
        Some(col) => Some(weights_from_column(&dataset, col).map_err(failure)?),
        None => None,
    };
    let mut s = survival_analysis_weighted(&dataset, &spec, &options, weights.as_deref())
        .map_err(failure)?;
    let rmst = match args.rmst {
        Some(h) => s
            .compare_restricted_means(h)
            .map_err(|e| Failure::new(e.to_string(), e.hint()))?,
        None => None,
    };
    if args.json {
        return print_json(&Out {
            analysis: &s,
            weights: args.weights.as_deref(),
            robust_se: robust(&s),
            rmst_comparison: rmst.as_ref(),
        });
    }
    print!("{}", s.to_text());
    if let Some(r) = &rmst {
        print!("\n{}", rmst_table(r).to_text());
    }
    if let Some(col) = &args.weights {
        print!("{}", weighted_note(&s, col));
    }
    Ok(())
}

/// The JSON document of `survival`.
#[derive(serde::Serialize)]
struct Out<'a> {
    #[serde(flatten)]
    analysis: &'a SurvivalAnalysis,
    /// The weights column, when weighted.
    #[serde(skip_serializing_if = "Option::is_none")]
    weights: Option<&'a str>,
    /// Whether the curves' SEs are robust (infinitesimal jackknife).
    robust_se: bool,
    /// The restricted means with SEs and their comparison (unweighted).
    #[serde(skip_serializing_if = "Option::is_none")]
    rmst_comparison: Option<&'a RmstComparison>,
}

/// Whether the curves' SEs are the robust ones.
fn robust(s: &SurvivalAnalysis) -> bool {
    s.weighted
        .is_some_and(|w| w.variance == KmVariance::InfinitesimalJackknife)
}

/// What the weights changed, under the tables.
fn weighted_note(s: &SurvivalAnalysis, col: &str) -> String {
    let Some(w) = s.weighted else {
        return String::new();
    };
    let se = if robust(s) {
        "robust SEs and CIs (infinitesimal jackknife, as R's survfit with non-integer weights)"
    } else {
        "Greenwood SEs on the weighted counts (whole-number weights, as R's survfit)"
    };
    let mut out = format!(
        "\nWeighted by column `{col}` (sum of weights {:.2}; rows of weight 0 left out): {se}. The numbers at risk above count patients; --json gives the weighted counts.\n",
        w.weight_total
    );
    if let (Some(chi), Some(p)) = (w.chi_square, w.p_value) {
        out.push_str(&format!(
            "Groups compared by the robust score test of the weighted Cox model (a weighted log-rank test is not a standard test): chi-square {} on {} df, P {}.\n",
            fmt_num(chi, 2),
            w.df,
            fmt_p(Some(p))
        ));
    }
    out
}

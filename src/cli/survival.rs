//! `cohortlab survival`: Kaplan-Meier by group, landmarks, medians and
//! log-rank tests.

use super::failure::Failure;
use super::input::{Input, Level, TimeToEvent};
use super::output::print_json;
use crate::engine::survival::{
    check_survival_options, rmst_comparison, rmst_limit, survival_analysis_weighted,
    weights_from_column, CiTransform, KmFit, KmVariance, RmstComparison, RmstHorizon,
    SurvivalAnalysis, SurvivalError, SurvivalOptions, SurvivalSpec,
};
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

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
    match h {
        Some(RmstHorizon::At(t)) => Some(t),
        _ => None,
    }
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
        Some(h) => restricted_means(&mut s, h)?,
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

/// The restricted means compared (unweighted curves), the horizon set in
/// the analysis when it is the default one; with weights, only the
/// horizon and the weighted curves' areas.
fn restricted_means(
    s: &mut SurvivalAnalysis,
    horizon: RmstHorizon,
) -> Result<Option<RmstComparison>, Failure> {
    let fits: Vec<KmFit> = s.groups.iter().map(|g| g.fit.clone()).collect();
    let labels: Vec<String> = s.groups.iter().map(|g| g.group.clone()).collect();
    let r = if s.weighted.is_some() {
        None
    } else {
        let r = rmst_comparison(&labels, &fits, horizon, s.conf_level)
            .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
        Some(r)
    };
    let tau = match (&r, horizon) {
        (Some(r), _) => Some(r.tau),
        (None, RmstHorizon::At(t)) => Some(t),
        (None, RmstHorizon::Default) => rmst_limit(&fits).map(|l| l.0),
    };
    s.rmst_tau = tau;
    for g in &mut s.groups {
        g.rmst = tau.map(|t| g.fit.rmst(t));
    }
    Ok(r)
}

/// The restricted means with SE and CI, and each group against the first.
fn rmst_table(r: &RmstComparison) -> ReportTable {
    let level = level_label(r.conf_level);
    let header = vec![
        "Group".to_string(),
        format!("RMST to {} ({level} CI)", fmt_num(r.tau, 1)),
        "SE".into(),
        format!("Difference ({level} CI)"),
        "P".into(),
        format!("Ratio ({level} CI)"),
        "P".into(),
    ];
    let rows = r
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let mut cells = vec![
                g.group.clone(),
                format!(
                    "{} ({}–{})",
                    fmt_num(g.rmst, 2),
                    fmt_num(g.lower, 2),
                    fmt_num(g.upper, 2)
                ),
                fmt_num(g.std_err, 2),
            ];
            match i.checked_sub(1).and_then(|k| r.contrasts.get(k)) {
                None => cells.extend([
                    "reference".into(),
                    String::new(),
                    "reference".into(),
                    String::new(),
                ]),
                Some(c) => cells.extend([
                    format!(
                        "{} ({} to {})",
                        fmt_num(c.difference, 2),
                        fmt_num(c.difference_lower, 2),
                        fmt_num(c.difference_upper, 2)
                    ),
                    fmt_p(c.difference_p),
                    format!(
                        "{} ({}–{})",
                        fmt_num(c.ratio, 3),
                        fmt_num(c.ratio_lower, 3),
                        fmt_num(c.ratio_upper, 3)
                    ),
                    fmt_p(c.ratio_p),
                ]),
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    ReportTable {
        title: "Restricted mean survival time".into(),
        header,
        rows,
        footnotes: vec![
            format!(
                "Area under the Kaplan-Meier curve to tau = {} ({}), SE from Greenwood's increments (R's print(survfit, rmean = tau); survRM2).",
                fmt_num(r.tau, 2),
                r.rule.describe()
            ),
            format!(
                "Each group against {}: difference with a z-based CI, ratio on the log scale; tau may be at most {} (set by group {}).",
                r.groups.first().map_or("", |g| g.group.as_str()),
                fmt_num(r.limit, 2),
                r.limited_by
            ),
        ],
    }
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

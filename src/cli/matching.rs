//! `cohortlab match`: propensity-score matching and the balance after it.

use std::path::PathBuf;

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::defaults;
use crate::engine::matching::{
    balance, match_patients, stability, BalanceRow, Caliper, DistanceScale, MatchOrder,
    MatchResult, MatchSpec, SampleSizes, Stability,
};
use crate::engine::regression::LogisticFit;
use crate::engine::sensitivity::{rosenbaum_binary, RosenbaumResult};
use crate::engine::Diagnostic;
use crate::report::matching::{balance_table, counts_table, matched_csv};
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

/// `--caliper`: a width, or `none`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CaliperWidth(Option<f64>);

impl std::fmt::Display for CaliperWidth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(w) => write!(f, "{w}"),
            None => f.write_str("none"),
        }
    }
}

/// `--caliper`: a number or `none`.
fn parse_caliper(s: &str) -> Result<CaliperWidth, String> {
    if s == "none" {
        return Ok(CaliperWidth(None));
    }
    s.parse()
        .map(|w| CaliperWidth(Some(w)))
        .map_err(|_| "a number or `none`".to_owned())
}

/// The options of `match`.
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
    /// Controls per treated patient, 1 to 10.
    #[arg(long, default_value_t = 1)]
    ratio: usize,
    /// Caliper width in SDs of the distance (default 0.2), or `none`.
    #[arg(long, value_parser = parse_caliper,
          default_value_t = CaliperWidth(Some(defaults::CALIPER_SD)))]
    caliper: CaliperWidth,
    /// The caliper is in units of the distance, not SDs.
    #[arg(long)]
    caliper_absolute: bool,
    /// Match on (and measure the caliper on) the logit of the score or
    /// the score itself.
    #[arg(long, value_enum, default_value_t)]
    caliper_scale: DistanceScale,
    /// Order of the treated: largest, smallest, random, data.
    #[arg(long, value_enum, default_value_t)]
    order: MatchOrder,
    /// Seed of the random order.
    #[arg(long, default_value_t = defaults::SEED)]
    seed: u64,
    /// Match with replacement.
    #[arg(long)]
    replace: bool,
    /// Match exactly on these categorical columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    exact: Vec<String>,
    /// Write the matched patients (all columns + distance, weights,
    /// subclass) to this CSV file.
    #[arg(long, value_name = "MATCHED.csv")]
    out: Option<PathBuf>,
    /// Also rerun the matching with N random orders and report how
    /// much the matched cohort (and --outcome's difference) varies.
    #[arg(long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..=10_000))]
    stability: Option<u64>,
    /// A binary outcome whose treated-minus-control rate difference
    /// is reported in the stability check, and whose Rosenbaum bounds
    /// --sensitivity computes.
    #[arg(long, value_name = "COL")]
    outcome: Option<String>,
    /// Rosenbaum bounds for --outcome in the matched sets: the one-sided
    /// P value under hidden bias Γ = 1, 1.1, ... and the Γ at which it
    /// crosses 1 - --conf-level.
    #[arg(long, requires = "outcome")]
    sensitivity: bool,
    #[command(flatten)]
    level: Level,
    /// Print one JSON document instead of tables.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// The matching asked for (the engine checks it).
    fn spec(&self) -> MatchSpec {
        let caliper = match self.caliper.0 {
            None => Caliper::None,
            Some(w) if self.caliper_absolute => Caliper::Absolute(w),
            Some(w) => Caliper::Sd(w),
        };
        MatchSpec {
            treatment: self.treatment.clone(),
            treated_level: self.treated_level.clone(),
            covariates: self.covariates.clone(),
            ordinal: self.ordinal.clone(),
            ratio: self.ratio,
            replace: self.replace,
            caliper,
            scale: self.caliper_scale,
            order: self.order.with_seed(self.seed),
            exact: self.exact.clone(),
        }
    }
}

/// Matches, prints the counts and balance (and the stability check), and
/// writes the matched patients with `--out`.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let spec = args.spec();
    let (raw, dataset) = args.input.load()?;
    let m = match_patients(&dataset, &spec).map_err(|e| {
        Failure::new(
            e.to_string(),
            "Check the treatment column (binary) and the covariates.",
        )
    })?;
    let bal = balance(&dataset, &m);
    let stab = match args.stability {
        Some(n) => Some(
            stability(&dataset, &m, n, args.outcome.as_deref())
                .map_err(|e| Failure::usage(e.to_string()))?,
        ),
        None => None,
    };
    let sens = match (&args.outcome, args.sensitivity) {
        (Some(o), true) => Some(
            rosenbaum_binary(&dataset, &m, o, 1.0 - args.level.conf_level)
                .map_err(|e| Failure::new(e.to_string(), e.hint()))?,
        ),
        _ => None,
    };
    if let Some(p) = &args.out {
        std::fs::write(p, matched_csv(&raw, &m)).map_err(|e| Failure::cannot_write(p, e))?;
    }
    if args.json {
        print_json(&Out {
            spec: &m.spec,
            caliper_width: m.caliper_width,
            model: &m.model,
            counts: &m.counts,
            balance: &bal,
            stability: stab.as_ref(),
            sensitivity: sens.as_ref(),
            diagnostics: &m.diagnostics,
        })
    } else {
        print_text(&m, &bal, stab.as_ref());
        if let Some(r) = &sens {
            print_sensitivity(r);
        }
        print_diagnostics(&m.diagnostics);
        Ok(())
    }
}

/// The JSON document of `match`.
#[derive(serde::Serialize)]
struct Out<'a> {
    spec: &'a MatchSpec,
    caliper_width: Option<f64>,
    model: &'a LogisticFit,
    counts: &'a SampleSizes,
    balance: &'a [BalanceRow],
    stability: Option<&'a Stability>,
    /// Rosenbaum bounds of --outcome, with --sensitivity.
    #[serde(skip_serializing_if = "Option::is_none")]
    sensitivity: Option<&'a RosenbaumResult>,
    diagnostics: &'a [Diagnostic],
}

fn print_text(m: &MatchResult, bal: &[BalanceRow], stab: Option<&Stability>) {
    print!(
        "{}\n{}",
        counts_table(&m.counts).to_text(),
        balance_table(bal).to_text()
    );
    if let Some(w) = m.caliper_width {
        println!("caliper: {w} on the {} scale", m.spec.scale.as_str());
    }
    if let Some(s) = stab {
        println!(
            "stability over {} random orders: matched controls shared with this matching at least {:.1}%",
            s.runs.len(),
            100.0 * s.min_overlap
        );
        if let (Some(r), Some(lo), Some(hi)) = (
            s.reference_outcome_difference,
            s.min_difference,
            s.max_difference,
        ) {
            println!(
                "outcome difference (treated - control): {:.1} points here, {:.1} to {:.1} across orders",
                100.0 * r,
                100.0 * lo,
                100.0 * hi
            );
        }
    }
}

/// The Rosenbaum table: Γ and the bounds of the one-sided P value.
fn rosenbaum_table(r: &RosenbaumResult) -> ReportTable {
    let rows = r
        .bounds
        .iter()
        .map(|b| {
            (
                RowStyle::Plain,
                vec![
                    fmt_num(b.gamma, 1),
                    fmt_p(Some(b.p_upper)),
                    fmt_p(Some(b.p_lower)),
                ],
            )
        })
        .collect();
    let (sets, counted) = match r.direction {
        crate::engine::sensitivity::Direction::TreatedMore => ("had", "more"),
        crate::engine::sensitivity::Direction::TreatedFewer => ("did not have", "fewer"),
    };
    ReportTable {
        title: format!(
            "Rosenbaum bounds: {} = {} in the matched sets",
            r.outcome, r.event_level
        ),
        header: vec!["Γ".into(), "P (upper bound)".into(), "P (lower bound)".into()],
        rows,
        footnotes: vec![
            format!(
                "{} of {} matched sets are informative (some patients with the event, some without); in {} the treated patient {sets} the event (the treated had {counted} events than expected).",
                r.informative_sets, r.sets, r.statistic
            ),
            format!(
                "One-sided P values, {}. Γ: how much two matched patients may differ in their odds of treatment because of an unmeasured confounder (Rosenbaum 2002).",
                r.method.describe()
            ),
        ],
    }
}

/// The Rosenbaum table, the crossing Γ and their notes.
fn print_sensitivity(r: &RosenbaumResult) {
    print!("{}", rosenbaum_table(r).to_text());
    // 1 - 0.95 is 0.050000000000000044: shown as 0.05.
    let alpha = (r.alpha * 1e9).round() / 1e9;
    match r.gamma_at_alpha {
        Some(g) => println!(
            "The matched comparison stays significant (P < {alpha}) up to Γ = {}: an unmeasured confounder would have to multiply the odds of treatment by {} to explain it away.",
            fmt_num(g, 2),
            fmt_num(g, 2)
        ),
        None => println!(
            "The matched comparison is not significant at P < {alpha} ({} confidence) even without hidden bias (Γ = 1).",
            level_label(1.0 - r.alpha)
        ),
    }
    print_diagnostics(&r.diagnostics);
}

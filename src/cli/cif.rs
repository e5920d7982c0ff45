//! `cohortlab cif`: cumulative incidence of the event of interest and of
//! each competing event by group (Aalen-Johansen), at landmark times with
//! CIs and numbers at risk, and Gray's test per cause.

use super::failure::Failure;
use super::input::{Input, Level};
use super::output::{print_diagnostics, print_json};
use crate::engine::competing::{
    competing_analysis, CifOptions, CifVariance, CompetingAnalysis, CompetingError, CompetingSpec,
};
use crate::engine::survival::CiTransform;
use crate::report::table::{fmt_num, fmt_p, level_label, ReportTable, RowStyle};

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

/// One cause's incidence per group at the landmark times, with Gray's
/// test in a footnote.
fn cause_table(a: &CompetingAnalysis, k: usize) -> ReportTable {
    let level = level_label(a.conf_level);
    let mut header = vec!["Group".to_string(), "n".into(), "Events".into()];
    header.extend(
        a.at.iter()
            .map(|t| format!("At {} ({level} CI)", fmt_num(*t, 1))),
    );
    let rows = a
        .groups
        .iter()
        .zip(&a.landmarks)
        .map(|(g, l)| {
            let mut cells = vec![
                g.group.clone(),
                g.n.to_string(),
                g.causes[k].events.to_string(),
            ];
            for &t in &a.at {
                let p = l.causes[k].points.iter().find(|p| p.time == t);
                cells.push(match p {
                    None => "past follow-up".into(),
                    Some(p) if p.lower.is_nan() || p.upper.is_nan() => {
                        format!("{}% (CI NA)", fmt_num(100.0 * p.cif, 1))
                    }
                    Some(p) => format!(
                        "{}% ({}–{})",
                        fmt_num(100.0 * p.cif, 1),
                        fmt_num(100.0 * p.lower, 1),
                        fmt_num(100.0 * p.upper, 1)
                    ),
                });
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    let role = if k == 0 {
        "the event of interest"
    } else {
        "a competing event"
    };
    let variance = match a.variance {
        CifVariance::Survfit => "the infinitesimal jackknife variance (R's survfit)",
        CifVariance::Cuminc => "the Aalen-type variance of cmprsk::cuminc",
    };
    let mut footnotes = vec![format!(
        "Aalen-Johansen cumulative incidence; {level} CI with {variance} on the {} scale. Censored: {} ({}).",
        a.transform.as_str(),
        a.censored,
        a.censored_levels.join(", ")
    )];
    if let Some(t) = a.gray.get(k) {
        footnotes.push(match (t.statistic, t.p_value) {
            (Some(s), Some(p)) => format!(
                "Gray's test: chi-square {} on {} df, P {}{}.",
                fmt_num(s, 2),
                t.df,
                fmt_p(Some(p)),
                if a.rho != 0.0 {
                    format!(" (rho = {})", a.rho)
                } else {
                    String::new()
                }
            ),
            _ => "Gray's test: not computable (no variance: too few events of this cause).".into(),
        });
    }
    if a.at.is_empty() {
        footnotes.push("Give landmark times (--at) for the incidence with its CI.".into());
    }
    ReportTable {
        title: format!(
            "Cumulative incidence of {} = {} ({role})",
            a.spec.status, a.causes[k]
        ),
        header,
        rows,
        footnotes,
    }
}

/// The numbers at risk per group at the landmark times.
fn at_risk_table(a: &CompetingAnalysis) -> ReportTable {
    let mut header = vec!["Group".to_string()];
    header.extend(a.at.iter().map(|t| fmt_num(*t, 1)));
    let rows = a
        .groups
        .iter()
        .zip(&a.landmarks)
        .map(|(_, l)| {
            let mut cells = vec![l.group.clone()];
            for &t in &a.at {
                let p = l.causes[0].points.iter().find(|p| p.time == t);
                cells.push(p.map_or("0".into(), |p| p.n_risk.to_string()));
            }
            (RowStyle::Plain, cells)
        })
        .collect();
    ReportTable {
        title: "Number at risk".into(),
        header,
        rows,
        footnotes: Vec::new(),
    }
}

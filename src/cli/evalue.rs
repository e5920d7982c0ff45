//! `cohortlab evalue`: the E-value of a reported RR, OR or HR and of its
//! confidence limit closer to 1 (VanderWeele & Ding 2017), with no data
//! file: the numbers of a paper's table are enough.

use super::failure::Failure;
use super::output::print_json;
use crate::engine::sensitivity::{e_value, EValue, EffectMeasure};
use crate::engine::Choice;
use crate::report::table::{fmt_num, ReportTable, RowStyle};

/// A ratio as reported: a positive finite number.
fn parse_ratio(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        Ok(_) => Err(format!(
            "`{s}` is not a positive number: give the ratio as reported (e.g. 1.54), not its logarithm"
        )),
        Err(_) => Err(format!("`{s}` is not a number")),
    }
}

/// The options of `evalue`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The estimate, a ratio as reported (e.g. 1.54).
    #[arg(long, value_parser = parse_ratio, allow_negative_numbers = true)]
    estimate: f64,
    /// The lower confidence limit.
    #[arg(long, value_parser = parse_ratio, allow_negative_numbers = true)]
    lower: Option<f64>,
    /// The upper confidence limit.
    #[arg(long, value_parser = parse_ratio, allow_negative_numbers = true)]
    upper: Option<f64>,
    /// What the estimate is: a risk ratio, odds ratio or hazard ratio.
    #[arg(long, value_enum)]
    measure: EffectMeasure,
    /// The outcome is common (over 15% at the end of follow-up): an OR or
    /// HR is converted to the risk-ratio scale first (sqrt(OR); for an HR
    /// (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR))).
    #[arg(long)]
    common: bool,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    json: bool,
}

/// Prints the E-values of the estimate and of its CI.
pub(crate) fn run(args: Args) -> Result<(), Failure> {
    let e = e_value(
        args.measure,
        args.estimate,
        args.lower,
        args.upper,
        args.common,
    )
    .map_err(|e| Failure::new(e.to_string(), e.hint()))?;
    if args.json {
        return print_json(&e);
    }
    print!("{}", evalue_table(&e).to_text());
    Ok(())
}

/// How the estimate was put on the risk-ratio scale, in words.
fn conversion(e: &EValue) -> String {
    let name = e.measure.describe();
    match (e.measure, e.common) {
        (EffectMeasure::Rr, _) => "A risk ratio needs no conversion.".into(),
        (_, false) => format!("Rare outcome (under 15%): the {name} is taken as a risk ratio."),
        (EffectMeasure::Or, true) => {
            "Common outcome: the odds ratio is converted to a risk ratio as sqrt(OR) (VanderWeele 2017).".into()
        }
        (EffectMeasure::Hr, true) => "Common outcome: the hazard ratio is converted to a risk ratio as (1 - 0.5^sqrt(HR)) / (1 - 0.5^sqrt(1/HR)) (VanderWeele 2020).".into(),
    }
}

/// The table of `evalue`: the estimate and the CI limit closer to 1, each
/// on its scale, on the RR scale, and its E-value.
fn evalue_table(e: &EValue) -> ReportTable {
    let label = e.measure.label();
    let mut rows = vec![(
        RowStyle::Plain,
        vec![
            "Estimate".into(),
            format!("{}", e.estimate),
            fmt_num(e.rr_point, 3),
            fmt_num(e.point, 2),
        ],
    )];
    let limit = if e.estimate >= 1.0 { e.lower } else { e.upper };
    if let (Some(ci), Some(l)) = (e.ci, limit) {
        let rr = crate::engine::sensitivity::to_risk_ratio(e.measure, l, e.common);
        rows.push((
            RowStyle::Plain,
            vec![
                "CI limit closer to 1".into(),
                format!("{l}"),
                fmt_num(rr, 3),
                fmt_num(ci, 2),
            ],
        ));
    }
    let mut footnotes = vec![conversion(e)];
    if e.ci == Some(1.0) && e.estimate != 1.0 {
        footnotes.push(
            "The confidence interval includes 1: no confounding is needed to move it to 1, so its E-value is 1.".into(),
        );
    }
    footnotes.push(format!(
        "An unmeasured confounder associated with both the treatment and the outcome by a risk ratio of {} each, beyond the measured covariates, could explain the estimate away; a weaker one could not (VanderWeele & Ding, Ann Intern Med 2017).",
        fmt_num(e.point, 2)
    ));
    ReportTable {
        title: format!("E-value of the {}", e.measure.describe()),
        header: vec![
            String::new(),
            label.into(),
            "RR scale".into(),
            "E-value".into(),
        ],
        rows,
        footnotes,
    }
}

//! The Kaplan-Meier figure, and the cumulative incidence figure in the
//! same layout ([`KmFigure::cumulative_incidence`]): laid out once in
//! pixels ([`KmFigure`]), then
//! drawn by plotters, to SVG for the report and the downloads, and onto a
//! canvas in the page. Every backend draws the same layout, so the page,
//! the downloads and `cohortlab run` show one picture.
//!
//! The numbers at risk sit under the time axis by construction: a row's
//! counts are drawn at the x positions of the axis ticks themselves (one
//! list, [`KmFigure::x_ticks`]), never at positions worked out apart.
//!
//! It is drawn through plotters' backend interface (`plotters-backend`,
//! the trait every plotters backend implements), not its chart layer: the
//! layer adds nothing this figure uses and some 30 KB to the page. Nothing
//! here measures text (plotters would need a font, or the page's DOM, to do
//! it): positions are fixed and the backend anchors the text.

mod cif;
mod draw;

use serde::{Deserialize, Serialize};

use crate::engine::survival::KmFit;

/// Colour-blind-safe colours (Okabe-Ito), one per curve.
pub const PALETTE: [[u8; 3]; 6] = [
    [0x00, 0x72, 0xB2],
    [0xD5, 0x5E, 0x00],
    [0x00, 0x9E, 0x73],
    [0xCC, 0x79, 0xA7],
    [0xE6, 0x9F, 0x00],
    [0x56, 0xB4, 0xE9],
];

const FAMILY: &str = "Helvetica, Arial, sans-serif";

/// Kaplan-Meier steps closer than this (in pixels) to the last one drawn
/// are drawn as one: the same picture, and a million patients' curves
/// stay a few thousand points.
const MIN_STEP_PX: f64 = 0.5;

/// An axis tick: its position (pixels) and label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tick {
    pub at: f64,
    pub label: String,
}

/// One group's curve, in pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmCurve {
    pub label: String,
    pub colour: [u8; 3],
    /// The step function, corner by corner.
    pub steps: Vec<(f64, f64)>,
    /// The confidence band: along the upper bound, back along the lower.
    pub band: Vec<(f64, f64)>,
    /// Where a patient was censored (one mark per pixel at most).
    pub censored: Vec<(f64, f64)>,
    /// Drawn dashed (a competing event's incidence).
    #[serde(default)]
    pub dashed: bool,
}

/// One row of the number-at-risk table: the count under each x tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRiskRow {
    pub label: String,
    pub colour: [u8; 3],
    /// Baseline of the row (pixels).
    pub y: f64,
    /// One count per entry of [`KmFigure::x_ticks`], in that order.
    pub counts: Vec<usize>,
}

/// Everything of a Kaplan-Meier figure, placed in pixels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmFigure {
    pub width: u32,
    pub height: u32,
    /// The plot area: left, top, right, bottom.
    pub plot: [f64; 4],
    /// Percent ticks on the y axis, 0 to [`KmFigure::y_max`].
    pub y_ticks: Vec<Tick>,
    /// The y axis's label.
    #[serde(default = "survival_label")]
    pub y_label: String,
    /// The top of the y axis as a probability (1: 100%).
    #[serde(default = "full_scale")]
    pub y_max: f64,
    /// What the curves are ("Kaplan-Meier curves"), for the description.
    #[serde(default = "km_curves")]
    pub what: String,
    /// The curves rise from 0 (cumulative incidence): the legend and the
    /// test's P sit at the top left, where rising curves leave room.
    #[serde(default)]
    pub rising: bool,
    /// Time ticks on the x axis; the numbers at risk are drawn at these.
    pub x_ticks: Vec<Tick>,
    pub x_label: String,
    pub curves: Vec<KmCurve>,
    /// "Log-rank P = ..." (or "Gray's test P = ..."), drawn on the plot.
    pub log_rank: Option<String>,
    /// Baseline of the "Number at risk" heading.
    pub at_risk_heading: f64,
    pub at_risk: Vec<AtRiskRow>,
}

/// How a backend reads a font size: plotters' SVG backend writes the size
/// divided by 1.24 as the CSS font size, its canvas backend the size
/// itself in pixels. Both then show text of the same size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FontSizes {
    Svg,
    Canvas,
}

fn survival_label() -> String {
    "Survival probability (%)".into()
}

fn full_scale() -> f64 {
    1.0
}

fn km_curves() -> String {
    "Kaplan-Meier curves".into()
}

fn nice_step(max: f64) -> f64 {
    let candidates = [
        1.0, 2.0, 5.0, 6.0, 10.0, 12.0, 20.0, 24.0, 25.0, 50.0, 100.0, 200.0, 250.0, 365.0, 500.0,
        1000.0,
    ];
    candidates
        .into_iter()
        .find(|s| max / s <= 8.0)
        .unwrap_or_else(|| 10f64.powf((max / 8.0).log10().ceil()))
}

fn fmt_tick(t: f64) -> String {
    if t.fract() == 0.0 {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    }
}

impl KmFigure {
    /// The layout of `a`'s curves (with 95% CI bands and censor marks),
    /// its log-rank P and the numbers at risk; `time_label` names the x
    /// axis.
    pub fn new(a: &crate::report::survival::SurvivalAnalysis, time_label: &str) -> KmFigure {
        let max_t = a
            .groups
            .iter()
            .flat_map(|g| g.fit.rows.last().map(|r| r.time))
            .fold(0.0f64, f64::max);
        let (frame, times) = Frame::with_ticks(max_t, 1.0);
        let curves = a
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| frame.curve(&g.group, PALETTE[gi % PALETTE.len()], &g.fit))
            .collect();
        let at_risk = a
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                (
                    g.group.clone(),
                    PALETTE[gi % PALETTE.len()],
                    g.fit.n_risk_at(&times),
                )
            })
            .collect();
        let mut fig = frame.figure(&times, time_label, curves, at_risk);
        fig.log_rank = a.log_rank.as_ref().map(|lr| log_rank_label(lr.p_value));
        fig
    }

    /// What the figure shows, in words (its accessible name).
    pub fn description(&self) -> String {
        let groups: Vec<&str> = self.curves.iter().map(|c| c.label.as_str()).collect();
        let mut d = format!(
            "{} of {} with numbers at risk",
            self.what,
            groups.join(", ")
        );
        if let Some(p) = &self.log_rank {
            d.push_str("; ");
            d.push_str(p);
        }
        d
    }

    /// The numbers at risk as an HTML table (what a screen reader reads of
    /// the figure drawn on a canvas).
    pub fn at_risk_html(&self) -> String {
        let esc = super::figures::esc;
        let mut h = format!(
            "<table class=\"at-risk\"><caption>Number at risk by {}</caption><tr><td></td>",
            esc(&self.x_label)
        );
        for t in &self.x_ticks {
            h.push_str(&format!("<th scope=\"col\">{}</th>", esc(&t.label)));
        }
        h.push_str("</tr>");
        for r in &self.at_risk {
            h.push_str(&format!("<tr><th scope=\"row\">{}</th>", esc(&r.label)));
            for n in &r.counts {
                h.push_str(&format!("<td>{n}</td>"));
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
        h
    }

    /// The figure as SVG (plotters' SVG backend), titled for screen readers.
    pub fn to_svg(&self) -> String {
        let mut svg = String::new();
        {
            let mut backend =
                plotters_svg::SVGBackend::with_string(&mut svg, (self.width, self.height));
            // Writing into a String cannot fail.
            let _ = self.draw(&mut backend, FontSizes::Svg);
        }
        svg.replacen(
            "<svg ",
            &format!(
                "<svg role=\"img\" aria-label=\"{}\" font-family=\"{FAMILY}\" ",
                super::figures::esc(&self.description())
            ),
            1,
        )
    }
}

/// "Log-rank P = 0.012" (or "< 0.001").
fn log_rank_label(p_value: f64) -> String {
    p_label("Log-rank", p_value)
}

/// "`test` P = 0.012" (or "< 0.001").
fn p_label(test: &str, p_value: f64) -> String {
    format!(
        "{test} P {}",
        match crate::report::table::fmt_p(Some(p_value)) {
            p if p.starts_with('<') => p,
            p => format!("= {p}"),
        }
    )
}

/// Pixel positions along a line.
type Points = Vec<(f64, f64)>;

/// A row of the numbers at risk: its label, colour and counts.
type RiskCounts = (String, [u8; 3], Vec<usize>);

/// Positions to a hundredth of a pixel: short numbers in the page's
/// messages, read back exactly.
fn hundredth(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The plot area, and the scales from time and survival to pixels.
struct Frame {
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    /// The time at the right end of the x axis.
    xmax: f64,
    /// The probability at the top of the y axis.
    y_max: f64,
}

impl Frame {
    /// The figure's width in pixels.
    const WIDTH: f64 = 760.0;

    /// The frame of curves up to `max_t`, the axis going to the next
    /// multiple of `step`.
    fn new(max_t: f64, step: f64) -> Frame {
        let (left, right, top, plot_h) = (150.0, 30.0, 50.0, 300.0);
        Frame {
            left,
            top,
            plot_w: Self::WIDTH - left - right,
            plot_h,
            // Finite even when the last time is near the largest double.
            xmax: ((max_t / step).ceil() * step).min(f64::MAX),
            y_max: 1.0,
        }
    }

    /// The frame of curves up to `max_t` and `y_max`, and the times of
    /// the x ticks.
    fn with_ticks(max_t: f64, y_max: f64) -> (Frame, Vec<f64>) {
        let step = nice_step(max_t.max(1.0));
        let frame = Frame {
            y_max,
            ..Frame::new(max_t, step)
        };
        let times: Vec<f64> = (0..=((frame.xmax / step).round() as usize))
            .map(|k| k as f64 * step)
            .filter(|t| t.is_finite())
            .collect();
        (frame, times)
    }

    /// The percent ticks of the y axis: every 25% to 75% or 100%, every
    /// 10% to 50%, every 5% to 25%.
    fn y_ticks(&self) -> Vec<Tick> {
        let step = if self.y_max <= 0.25 {
            0.05
        } else if self.y_max <= 0.5 {
            0.1
        } else {
            0.25
        };
        let n = (self.y_max / step).round() as usize;
        (0..=n)
            .map(|k| Tick {
                at: self.y(k as f64 * step),
                label: ((k as f64 * step * 100.0).round() as i64).to_string(),
            })
            .collect()
    }

    /// The figure of `curves` in this frame, with its ticks at `times`
    /// and one row of numbers at risk per entry of `at_risk`.
    fn figure(
        &self,
        times: &[f64],
        time_label: &str,
        curves: Vec<KmCurve>,
        at_risk: Vec<RiskCounts>,
    ) -> KmFigure {
        let risk_top = self.bottom() + 70.0;
        let height = risk_top + 22.0 * at_risk.len() as f64 + 20.0;
        KmFigure {
            width: Frame::WIDTH as u32,
            height: height as u32,
            plot: [self.left, self.top, self.left + self.plot_w, self.bottom()],
            y_ticks: self.y_ticks(),
            y_label: survival_label(),
            y_max: self.y_max,
            what: km_curves(),
            rising: false,
            x_ticks: times
                .iter()
                .map(|&t| Tick {
                    at: self.x(t),
                    label: fmt_tick(t),
                })
                .collect(),
            x_label: time_label.to_owned(),
            curves,
            log_rank: None,
            at_risk_heading: risk_top - 10.0,
            at_risk: at_risk
                .into_iter()
                .enumerate()
                .map(|(i, (label, colour, counts))| AtRiskRow {
                    label,
                    colour,
                    y: risk_top + 8.0 + 22.0 * i as f64,
                    counts,
                })
                .collect(),
        }
    }

    fn bottom(&self) -> f64 {
        self.top + self.plot_h
    }

    /// The x pixel of a time.
    fn x(&self, t: f64) -> f64 {
        hundredth(self.left + self.plot_w * t / self.xmax)
    }

    /// The y pixel of a probability (0 to `y_max`).
    fn y(&self, s: f64) -> f64 {
        hundredth(self.top + self.plot_h * (1.0 - s / self.y_max))
    }

    /// A group's curve: steps, confidence band and censor marks.
    fn curve(&self, label: &str, colour: [u8; 3], fit: &KmFit) -> KmCurve {
        let points = fit
            .rows
            .iter()
            .filter(|r| r.n_event > 0)
            .map(|r| (r.time, r.surv, r.lower, r.upper));
        let end = fit.rows.last().map_or(0.0, |r| r.time);
        let (steps, band) = self.steps(1.0, points, end);
        KmCurve {
            label: label.to_owned(),
            colour,
            steps,
            band,
            censored: self.censor_marks(fit),
            dashed: false,
        }
    }

    /// A step function from `start` at time 0 through `points` (time,
    /// estimate, lower, upper; an undefined lower bound drawn at 0, an
    /// undefined upper one at the last) to `end`: its corners, and its
    /// band along the upper bound and back along the lower. Steps closer
    /// than [`MIN_STEP_PX`] to the last one drawn join it.
    fn steps(
        &self,
        start: f64,
        points: impl Iterator<Item = (f64, f64, f64, f64)>,
        end: f64,
    ) -> (Points, Points) {
        let (x, y) = (|t: f64| self.x(t), |s: f64| self.y(s));
        let mut steps = vec![(x(0.0), y(start))];
        let mut upper = vec![(x(0.0), y(start))];
        let mut lower = vec![(x(0.0), y(start))];
        // Estimate, lower and upper bound of the last step.
        let mut prev = (start, start, start);
        let mut drawn_x = f64::NEG_INFINITY;
        for (time, est, lower_bound, upper_bound) in points {
            let lo = if lower_bound.is_nan() {
                0.0
            } else {
                lower_bound
            };
            let hi = if upper_bound.is_nan() {
                prev.2
            } else {
                upper_bound
            };
            let at = x(time);
            if at - drawn_x < MIN_STEP_PX {
                // Joins the step drawn last: its jump goes further.
                if let (Some(s), Some(u), Some(l)) =
                    (steps.last_mut(), upper.last_mut(), lower.last_mut())
                {
                    s.1 = y(est);
                    u.1 = y(hi);
                    l.1 = y(lo);
                }
            } else {
                drawn_x = at;
                steps.push((at, y(prev.0)));
                steps.push((at, y(est)));
                upper.push((at, y(prev.2)));
                upper.push((at, y(hi)));
                lower.push((at, y(prev.1)));
                lower.push((at, y(lo)));
            }
            prev = (est, lo, hi);
        }
        let end = x(end);
        steps.push((end, y(prev.0)));
        upper.push((end, y(prev.2)));
        lower.push((end, y(prev.1)));
        let band = upper.into_iter().chain(lower.into_iter().rev()).collect();
        (steps, band)
    }

    /// Where patients were censored, one mark per pixel at most.
    fn censor_marks(&self, fit: &KmFit) -> Vec<(f64, f64)> {
        let mut censored: Vec<(f64, f64)> = Vec::new();
        for r in fit.rows.iter().filter(|r| r.n_censor > 0) {
            let mark = (self.x(r.time), self.y(r.surv));
            let close = censored.last().is_some_and(|last: &(f64, f64)| {
                (mark.0 - last.0).abs() < 1.0 && (mark.1 - last.1).abs() < 1.0
            });
            if !close {
                censored.push(mark);
            }
        }
        censored
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::{load, ReadOptions};
    use crate::engine::example::{example_spec, EXAMPLE_CSV};
    use crate::engine::survival::{CiTransform, SurvivalSpec};

    fn example_by_marking_and_tpcr() -> crate::report::survival::SurvivalAnalysis {
        let (_, ds) = load(
            EXAMPLE_CSV.as_bytes(),
            &ReadOptions::default(),
            &example_spec(),
        )
        .unwrap();
        let spec = SurvivalSpec {
            time: "idfs_months".into(),
            event: "idfs_event".into(),
            event_level: None,
            groups: vec!["seed_marking".into(), "tpcr".into()],
            strata: None,
        };
        crate::report::survival::survival_analysis(&ds, &spec, CiTransform::Log, &[36.0], 0.0)
            .unwrap()
    }

    /// The `(x, y, text)` of every text element of plotters' SVG.
    fn svg_texts(svg: &str) -> Vec<(i32, i32, String)> {
        svg.split("<text x=\"")
            .skip(1)
            .map(|s| {
                let (x, rest) = s.split_once('"').unwrap();
                let y = rest
                    .split("y=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                let body = rest
                    .split_once('>')
                    .unwrap()
                    .1
                    .split("</text>")
                    .next()
                    .unwrap();
                (
                    x.parse().unwrap(),
                    y.parse().unwrap(),
                    body.trim().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn a_curve_per_group_and_numbers_at_risk_drawn_under_the_ticks() {
        let a = example_by_marking_and_tpcr();
        let fig = KmFigure::new(&a, "Months");
        assert_eq!(fig.curves.len(), 4);
        assert_eq!(fig.at_risk.len(), 4);
        // The test of the four curves (P < 0.001 on all patients).
        let p = a.log_rank.as_ref().unwrap().p_value;
        assert!(p < 0.001);
        assert_eq!(fig.log_rank.as_deref(), Some("Log-rank P < 0.001"));
        let svg = fig.to_svg();
        assert!(svg.starts_with("<svg role=\"img\""));
        // Four curves (stroke 2) and the log-rank P drawn.
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 4);
        let texts = svg_texts(&svg);
        assert!(texts.iter().any(|t| t.2 == "Log-rank P &lt; 0.001"));
        // Every count is drawn at its tick's x, on its row, and under
        // each tick's x there is the tick mark itself.
        let bottom = fig.plot[3].round() as i32;
        for row in &fig.at_risk {
            assert_eq!(row.counts.len(), fig.x_ticks.len());
            assert_eq!(
                row.counts[0],
                a.groups
                    .iter()
                    .find(|g| g.group == row.label)
                    .unwrap()
                    .fit
                    .n
            );
            for (tick, n) in fig.x_ticks.iter().zip(&row.counts) {
                let x = tick.at.round() as i32;
                assert!(
                    texts
                        .iter()
                        .any(|t| t == &(x, row.y.round() as i32, n.to_string())),
                    "{} at risk not drawn at x = {x} for {}",
                    n,
                    row.label
                );
                assert!(svg.contains(&format!("points=\"{x},{bottom} {x},{} \"", bottom + 5)));
            }
        }
    }

    #[test]
    fn curves_step_down_from_one_and_stay_in_the_plot() {
        let a = example_by_marking_and_tpcr();
        let fig = KmFigure::new(&a, "Months");
        let [left, top, right, bottom] = fig.plot;
        for (c, g) in fig.curves.iter().zip(&a.groups) {
            assert_eq!(c.steps[0], (left, top));
            for w in c.steps.windows(2) {
                assert!(w[1].0 >= w[0].0 && w[1].1 >= w[0].1, "{w:?}");
            }
            // The last step ends at the last time, at the last survival.
            let last = g.fit.rows.iter().rev().find(|r| r.n_event > 0).unwrap();
            let end = c.steps[c.steps.len() - 1];
            assert!((end.1 - (top + (bottom - top) * (1.0 - last.surv))).abs() <= 0.005);
            for &(x, y) in c.band.iter().chain(&c.censored) {
                assert!(x >= left && x <= right && y >= top && y <= bottom);
            }
        }
    }

    #[test]
    fn a_large_cohort_draws_a_bounded_number_of_points() {
        let mut csv = String::from("time,event,arm\n");
        for i in 0..100_000u64 {
            let t = (i.wrapping_mul(2654435761) % 100_000) as f64 / 997.0;
            csv.push_str(&format!(
                "{t:.4},{},{}\n",
                u8::from(i % 3 == 0),
                if i % 2 == 0 { "A" } else { "B" }
            ));
        }
        let (_, ds) = load(csv.as_bytes(), &ReadOptions::default(), &Default::default()).unwrap();
        let a = crate::report::survival::survival_analysis(
            &ds,
            &SurvivalSpec {
                time: "time".into(),
                event: "event".into(),
                event_level: None,
                groups: vec!["arm".into()],
                strata: None,
            },
            CiTransform::Log,
            &[],
            0.0,
        )
        .unwrap();
        assert!(a.groups[0].fit.rows.len() > 40_000);
        let fig = KmFigure::new(&a, "Years");
        let plot_w = fig.plot[2] - fig.plot[0];
        for c in &fig.curves {
            assert!(c.steps.len() as f64 <= 2.0 * plot_w / MIN_STEP_PX + 4.0);
            assert!(c.censored.len() as f64 <= plot_w * (fig.plot[3] - fig.plot[1]));
        }
        assert!(fig.to_svg().len() < 600_000);
    }
}

//! The Kaplan-Meier figure: laid out once in pixels ([`KmFigure`]), then
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
    /// Survival (%) ticks on the y axis.
    pub y_ticks: Vec<Tick>,
    /// Time ticks on the x axis; the numbers at risk are drawn at these.
    pub x_ticks: Vec<Tick>,
    pub x_label: String,
    pub curves: Vec<KmCurve>,
    /// "Log-rank P = ...", drawn on the plot.
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
        let step = nice_step(max_t.max(1.0));
        let frame = Frame::new(max_t, step);
        let risk_top = frame.bottom() + 70.0;
        let height = risk_top + 22.0 * a.groups.len() as f64 + 20.0;
        let times: Vec<f64> = (0..=((frame.xmax / step).round() as usize))
            .map(|k| k as f64 * step)
            .filter(|t| t.is_finite())
            .collect();
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
            .map(|(gi, g)| AtRiskRow {
                label: g.group.clone(),
                colour: PALETTE[gi % PALETTE.len()],
                y: risk_top + 8.0 + 22.0 * gi as f64,
                counts: g.fit.n_risk_at(&times),
            })
            .collect();
        KmFigure {
            width: Frame::WIDTH as u32,
            height: height as u32,
            plot: [
                frame.left,
                frame.top,
                frame.left + frame.plot_w,
                frame.bottom(),
            ],
            y_ticks: (0..=4)
                .map(|k| Tick {
                    at: frame.y(k as f64 * 0.25),
                    label: (k * 25).to_string(),
                })
                .collect(),
            x_ticks: times
                .iter()
                .map(|&t| Tick {
                    at: frame.x(t),
                    label: fmt_tick(t),
                })
                .collect(),
            x_label: time_label.to_owned(),
            curves,
            log_rank: a.log_rank.as_ref().map(|lr| log_rank_label(lr.p_value)),
            at_risk_heading: risk_top - 10.0,
            at_risk,
        }
    }

    /// What the figure shows, in words (its accessible name).
    pub fn description(&self) -> String {
        let groups: Vec<&str> = self.curves.iter().map(|c| c.label.as_str()).collect();
        let mut d = format!(
            "Kaplan-Meier curves of {} with numbers at risk",
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
    format!(
        "Log-rank P {}",
        match crate::report::table::fmt_p(Some(p_value)) {
            p if p.starts_with('<') => p,
            p => format!("= {p}"),
        }
    )
}

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
        }
    }

    fn bottom(&self) -> f64 {
        self.top + self.plot_h
    }

    /// The x pixel of a time.
    fn x(&self, t: f64) -> f64 {
        hundredth(self.left + self.plot_w * t / self.xmax)
    }

    /// The y pixel of a survival (0 to 1).
    fn y(&self, s: f64) -> f64 {
        hundredth(self.top + self.plot_h * (1.0 - s))
    }

    /// A group's curve: steps, confidence band and censor marks.
    fn curve(&self, label: &str, colour: [u8; 3], fit: &KmFit) -> KmCurve {
        let (x, y) = (|t: f64| self.x(t), |s: f64| self.y(s));
        let mut steps = vec![(x(0.0), y(1.0))];
        let mut upper = vec![(x(0.0), y(1.0))];
        let mut lower = vec![(x(0.0), y(1.0))];
        // Survival, lower and upper bound of the last step.
        let mut prev = (1.0f64, 1.0f64, 1.0f64);
        let mut drawn_x = f64::NEG_INFINITY;
        for r in fit.rows.iter().filter(|r| r.n_event > 0) {
            let lo = if r.lower.is_nan() { 0.0 } else { r.lower };
            let hi = if r.upper.is_nan() { prev.2 } else { r.upper };
            let at = x(r.time);
            if at - drawn_x < MIN_STEP_PX {
                // Joins the step drawn last: its drop goes lower.
                if let (Some(s), Some(u), Some(l)) =
                    (steps.last_mut(), upper.last_mut(), lower.last_mut())
                {
                    s.1 = y(r.surv);
                    u.1 = y(hi);
                    l.1 = y(lo);
                }
            } else {
                drawn_x = at;
                steps.push((at, y(prev.0)));
                steps.push((at, y(r.surv)));
                upper.push((at, y(prev.2)));
                upper.push((at, y(hi)));
                lower.push((at, y(prev.1)));
                lower.push((at, y(lo)));
            }
            prev = (r.surv, lo, hi);
        }
        let end = x(fit.rows.last().map_or(0.0, |r| r.time));
        steps.push((end, y(prev.0)));
        upper.push((end, y(prev.2)));
        lower.push((end, y(prev.1)));
        KmCurve {
            label: label.to_owned(),
            colour,
            steps,
            band: upper.into_iter().chain(lower.into_iter().rev()).collect(),
            censored: self.censor_marks(fit),
        }
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

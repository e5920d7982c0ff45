//! The cumulative incidence figure in the Kaplan-Meier figure's layout:
//! per group the event of interest's curve (solid, with its CI band) and
//! each competing event's (dashed, no band), rising from 0, on a y axis
//! cut at the smallest of 25, 50, 75 and 100% above everything drawn; the
//! numbers at risk per group under the x ticks, and Gray's test of the
//! event of interest where the Kaplan-Meier figure prints the log-rank P.

use super::{p_label, Frame, KmCurve, KmFigure, PALETTE};
use crate::engine::competing::{CifGroup, CompetingAnalysis};

/// The tops the y axis may have.
const Y_TOPS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// The numbers at risk of `g` at `times` (at risk: time >= t; 0 past the
/// last time), as the landmarks count them.
fn at_risk(g: &CifGroup, times: &[f64]) -> Vec<usize> {
    times
        .iter()
        .map(|&t| {
            let next = g.time.partition_point(|&x| x < t);
            g.n_risk.get(next).copied().unwrap_or(0)
        })
        .collect()
}

impl KmFigure {
    /// The cumulative incidence of every cause of `a` by group (see the
    /// module doc); `time_label` names the x axis.
    pub fn cumulative_incidence(a: &CompetingAnalysis, time_label: &str) -> KmFigure {
        let max_t = a
            .groups
            .iter()
            .flat_map(|g| g.time.last().copied())
            .fold(0.0f64, f64::max);
        // The event of interest's bands, and every curve.
        let bands: Vec<(Vec<f64>, Vec<f64>)> = a
            .groups
            .iter()
            .map(|g| match g.causes.first() {
                Some(c) => c.confidence_curves(a.variance, a.transform, a.conf_level),
                None => (Vec::new(), Vec::new()),
            })
            .collect();
        let highest = a
            .groups
            .iter()
            .flat_map(|g| g.causes.iter().flat_map(|c| c.cif.iter()))
            .chain(bands.iter().flat_map(|b| b.1.iter()))
            .filter(|v| v.is_finite())
            .fold(0.0f64, |m, &v| m.max(v));
        let y_max = Y_TOPS
            .into_iter()
            .find(|&top| top >= highest)
            .unwrap_or(1.0);
        let (frame, times) = Frame::with_ticks(max_t, y_max);
        let mut curves = Vec::new();
        for ((gi, g), (lower, upper)) in a.groups.iter().enumerate().zip(&bands) {
            let colour = PALETTE[gi % PALETTE.len()];
            let end = g.time.last().copied().unwrap_or(0.0);
            for (k, c) in g.causes.iter().enumerate() {
                let rows = (0..g.time.len()).filter(|&i| c.n_event[i] > 0);
                let points: Vec<(f64, f64, f64, f64)> = if k == 0 {
                    rows.map(|i| (g.time[i], c.cif[i], lower[i], upper[i]))
                        .collect()
                } else {
                    rows.map(|i| (g.time[i], c.cif[i], c.cif[i], c.cif[i]))
                        .collect()
                };
                let (steps, band) = frame.steps(0.0, points.into_iter(), end);
                curves.push(KmCurve {
                    label: format!("{}: {}", g.group, c.cause),
                    colour,
                    steps,
                    band: if k == 0 { band } else { Vec::new() },
                    censored: Vec::new(),
                    dashed: k > 0,
                });
            }
        }
        let rows = a
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                (
                    g.group.clone(),
                    PALETTE[gi % PALETTE.len()],
                    at_risk(g, &times),
                )
            })
            .collect();
        let mut fig = frame.figure(&times, time_label, curves, rows);
        fig.y_label = "Cumulative incidence (%)".into();
        fig.what = format!(
            "Cumulative incidence curves of {} = {} (solid) and competing events (dashed)",
            a.spec.status,
            a.causes.first().map_or("", String::as_str)
        );
        fig.rising = true;
        fig.log_rank = a
            .gray
            .first()
            .and_then(|t| t.p_value)
            .map(|p| p_label("Gray's test", p));
        fig
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::competing::{competing_analysis, CifOptions, CompetingSpec};
    use crate::engine::data::{load, DatasetSpec, ReadOptions};

    fn example() -> CompetingAnalysis {
        let csv = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/example-study-competing.csv"
        ))
        .unwrap();
        let (_, ds) = load(&csv, &ReadOptions::default(), &DatasetSpec::default()).unwrap();
        let spec = CompetingSpec {
            time: "idfs_months".into(),
            status: "recurrence".into(),
            event_level: "local".into(),
            competing_levels: vec!["distant".into()],
            group: Some("seed_marking".into()),
        };
        competing_analysis(&ds, &spec, &CifOptions::new(&[12.0, 36.0, 60.0])).unwrap()
    }

    #[test]
    fn curves_rise_from_zero_and_stay_in_the_plot() {
        let a = example();
        let fig = KmFigure::cumulative_incidence(&a, "Months");
        let [left, top, right, bottom] = fig.plot;
        // Two groups, two causes each: the event solid with a band, the
        // competing event dashed without one.
        assert_eq!(fig.curves.len(), 4);
        assert_eq!(fig.curves[0].label, "No: local");
        assert_eq!(fig.curves[1].label, "No: distant");
        assert!(!fig.curves[0].dashed && fig.curves[1].dashed);
        assert!(!fig.curves[0].band.is_empty() && fig.curves[1].band.is_empty());
        assert_eq!(fig.y_label, "Cumulative incidence (%)");
        // The incidences are small: the axis stops at the first top above
        // every upper bound drawn, and 25% is below none of them.
        let highest_upper = a
            .groups
            .iter()
            .flat_map(|g| {
                g.causes[0]
                    .confidence_curves(a.variance, a.transform, a.conf_level)
                    .1
            })
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        assert!(fig.y_max >= highest_upper);
        assert!(Y_TOPS.iter().all(|&t| t >= fig.y_max || t < highest_upper));
        assert_eq!(fig.y_ticks.last().unwrap().at, top);
        for (c, g) in fig.curves.iter().zip(
            a.groups
                .iter()
                .flat_map(|g| g.causes.iter().map(move |c| (g, c))),
        ) {
            assert_eq!(c.steps[0], (left, bottom));
            for w in c.steps.windows(2) {
                // Right and up (y pixels fall).
                assert!(w[1].0 >= w[0].0 && w[1].1 <= w[0].1, "{w:?}");
            }
            let last = g.1.cif.last().unwrap();
            let end = c.steps[c.steps.len() - 1];
            let expected = top + (bottom - top) * (1.0 - last / fig.y_max);
            assert!((end.1 - expected).abs() <= 0.005, "{} {expected}", end.1);
            for &(x, y) in c.steps.iter().chain(&c.band) {
                assert!(x >= left && x <= right && y >= top && y <= bottom);
            }
        }
        // Gray's test of the event of interest, where the log-rank P goes.
        let p = a.gray[0].p_value.unwrap();
        assert_eq!(fig.log_rank, Some(p_label("Gray's test", p)));
    }

    #[test]
    fn numbers_at_risk_under_the_ticks_and_dashes_drawn() {
        let a = example();
        let fig = KmFigure::cumulative_incidence(&a, "Months");
        assert_eq!(fig.at_risk.len(), 2);
        for (row, g) in fig.at_risk.iter().zip(&a.groups) {
            assert_eq!(row.counts.len(), fig.x_ticks.len());
            assert_eq!(row.counts[0], g.n);
            // The counts are the landmarks' numbers at risk.
            for (tick, n) in fig.x_ticks.iter().zip(&row.counts) {
                let t: f64 = tick.label.parse().unwrap();
                let landmark = g.at(0, t, a.variance, a.transform, a.conf_level);
                assert_eq!(landmark.map_or(0, |p| p.n_risk), *n, "at {t}");
            }
        }
        let svg = fig.to_svg();
        assert!(svg.contains("Cumulative incidence (%)"));
        assert!(svg.contains("Gray&apos;s test P") || svg.contains("Gray's test P"));
        for row in &fig.at_risk {
            for (tick, n) in fig.x_ticks.iter().zip(&row.counts) {
                let at = format!(
                    "<text x=\"{}\" y=\"{}\"",
                    tick.at.round() as i32,
                    row.y.round() as i32
                );
                let drawn = svg.split(&at).skip(1).any(|rest| {
                    rest.split_once('>')
                        .and_then(|(_, b)| b.split("</text>").next())
                        .is_some_and(|b| b.trim() == n.to_string())
                });
                assert!(drawn, "{n} at risk not drawn under {}", tick.label);
            }
        }
        // The dashed curves are drawn as many short pieces: more polylines
        // of width 2 than curves.
        assert!(svg.matches("stroke-width=\"2\"").count() > 2 * fig.curves.len());
        let solid = KmFigure {
            curves: fig
                .curves
                .iter()
                .map(|c| KmCurve {
                    dashed: false,
                    ..c.clone()
                })
                .collect(),
            ..fig.clone()
        };
        assert_eq!(
            solid.to_svg().matches("stroke-width=\"2\"").count(),
            fig.curves.len()
        );
    }

    #[test]
    fn dashes_cover_the_line_with_gaps() {
        let pieces = super::super::draw::dashes(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)], 4.0, 2.0);
        // 20 px: dashes at 0-4, 6-10, 12-16 and 18-20 along the path.
        let lengths: Vec<f64> = pieces
            .iter()
            .map(|p| {
                p.windows(2)
                    .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
                    .sum()
            })
            .collect();
        assert_eq!(lengths.len(), 4, "{pieces:?}");
        for (l, want) in lengths.iter().zip([4.0, 4.0, 4.0, 2.0]) {
            assert!((l - want).abs() < 1e-9, "{lengths:?}");
        }
        assert_eq!(pieces[1].last(), Some(&(10.0, 0.0)));
        assert_eq!(pieces[3].first(), Some(&(10.0, 8.0)));
    }

    #[test]
    fn old_layouts_still_load() {
        let a = example();
        let fig = KmFigure::cumulative_incidence(&a, "Months");
        let mut v = serde_json::to_value(&fig).unwrap();
        let o = v.as_object_mut().unwrap();
        for k in ["y_label", "y_max", "what", "rising"] {
            o.remove(k);
        }
        for c in o["curves"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("dashed");
        }
        let old: KmFigure = serde_json::from_value(v).unwrap();
        assert_eq!(old.y_label, "Survival probability (%)");
        assert_eq!(old.y_max, 1.0);
        assert!(!old.rising && old.curves.iter().all(|c| !c.dashed));
    }
}
